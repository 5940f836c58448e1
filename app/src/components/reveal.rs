//! 查看完整号码: a masked phone number (and WeChat ID) with the form that reveals it for a reason.
//! The answer is shown in place, as text; the server records the reveal in the audit trail.

use crate::components::form::{Enhanced, FieldMessage, Hidden, PostForm, TextField};
use crate::i18n::use_t;
use crate::types::RevealField;
use crate::youth::api::RevealYouth;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The masked number, and folded under it the reveal form for youth `id`.
#[component]
pub fn Reveal(id: i64, phone: String, wechat: Option<String>) -> impl IntoView {
    let t = use_t();
    let form_id = format!("reveal-{id}");
    let answer_id = format!("reveal-{id}-answer");
    let answer_for = answer_id.clone();
    let fields: Vec<RevealField> = RevealField::ALL
        .iter()
        .copied()
        .filter(|f| *f == RevealField::Phone || wechat.is_some())
        .collect();
    view! {
        <span class="muted small" data-testid="masked-phone">{phone}</span>
        {wechat.map(|w| view! { <span class="muted small">{format!(" · {w}")}</span> })}
        <details class="reveal" data-testid="reveal">
            <summary>{t.reveal_button}</summary>
            <Enhanced>
                <PostForm action=RevealYouth::PATH id=form_id.clone() key=("id", id.to_string()) answer=answer_for>
                    <Hidden name="id" value=id.to_string() />
                    <fieldset class="field choices">
                        <legend>{t.reveal_field}</legend>
                        {fields.iter().enumerate().map(|(i, f)| view! {
                            <label class="check">
                                <input type="radio" name="field" value=f.as_str() checked={i == 0} />
                                {f.label(t)}
                            </label>
                        }).collect_view()}
                        <FieldMessage name="field" />
                    </fieldset>
                    <TextField name="reason" label=t.reveal_reason required=true maxlength=200 />
                    <button type="submit">{t.reveal_submit}</button>
                </PostForm>
            </Enhanced>
            <p class="revealed" hidden=true aria-live="polite">
                <span class="muted small">{t.reveal_shown}</span>
                " "
                <strong id=answer_id data-testid="revealed"></strong>
            </p>
        </details>
    }
}
