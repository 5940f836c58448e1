//! `/exemptions` (a cadre asks for leave, travel or training) and `/supervise/exemptions` (a
//! supervisor decides).

use crate::components::exemptions::ExemptionList;
use crate::components::form::{
    CardForm, Hidden, PostForm, RequestId, SelectField, TextArea, TextField,
};
use crate::exemptions::api::{
    get_exemption_queue, list_exemptions, DecideExemption, ExemptionQueue, MyExemptions,
    RequestExemption,
};
use crate::i18n::{fill, use_t};
use crate::page::{data_page, today};
use crate::types::ExemptionReason;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ExemptionsPage() -> impl IntoView {
    let t = use_t();
    data_page(Role::CADRES, t.exemptions_title, list_exemptions, |data| {
        view! { <Mine data=data /> }
    })
}

#[component]
fn Mine(data: MyExemptions) -> impl IntoView {
    let t = use_t();
    let today = today().to_string();
    view! {
        <CardForm action=RequestExemption::PATH id="exemption" title=t.exemption_new>
            <RequestId />
            <TextField name="start_date" label=t.e_start kind="date" value=today.clone() required=true />
            <TextField name="end_date" label=t.e_end kind="date" value=today required=true />
            <SelectField name="reason" label=t.e_reason options=ExemptionReason::options(t) value="leave" />
            <TextArea name="note" label=t.e_note rows=2 maxlength=500 />
            <p class="hint">{fill(t.exemption_hint, &[("date", &data.earliest.to_string())])}</p>
            <crate::components::late::LateFields date_field="start_date" />
            <button type="submit" class="primary">{t.exemption_submit}</button>
        </CardForm>
        <section class="card" data-live="exemptions">
            <h2>{t.exemptions_title}</h2>
            <ExemptionList items=data.items />
        </section>
    }
}

#[component]
pub fn ExemptionReviewPage() -> impl IntoView {
    let t = use_t();
    data_page(
        Role::SUPERVISORS,
        t.exemption_review_title,
        get_exemption_queue,
        |q| {
            view! { <Queue q=q /> }
        },
    )
}

#[component]
fn Queue(q: ExemptionQueue) -> impl IntoView {
    let t = use_t();
    let decisions = vec![
        ("approve".to_owned(), t.e_approve.to_owned()),
        ("decline".to_owned(), t.e_decline.to_owned()),
    ];
    view! {
        <section class="card">
            <h2>{fill(t.pending_count, &[("n", &q.pending.len().to_string())])}</h2>
            {if q.pending.is_empty() {
                view! { <p class="hint">{t.queue_empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="list" data-testid="pending-exemptions">
                        {q.pending.into_iter().map(|e| {
                            let id = e.id.to_string();
                            let decisions = decisions.clone();
                            view! {
                                <li class="exemption" data-exemption=e.id>
                                    <strong>{e.cadre_name.clone()}</strong>
                                    <span class="muted small">{e.org_name.clone()}</span>
                                    <span class="full">
                                        {format!("{} – {}", e.start_date, e.end_date)}
                                        <span class="tag">{e.reason.map(|r| r.label(t)).unwrap_or("-")}</span>
                                    </span>
                                    {(!e.note.is_empty()).then(|| view! { <span class="small full">{e.note.clone()}</span> })}
                                    <PostForm action=DecideExemption::PATH id=format!("decide-{id}") key=("id", id.clone()) class="row-form full">
                                        <RequestId />
                                        <Hidden name="id" value=id.clone() />
                                        <SelectField name="decision" label=t.e_decision options=decisions value="" placeholder=t.choose />
                                        <TextArea name="comment" label=t.review_comment rows=2 maxlength=500 />
                                        <button type="submit" class="primary">{t.review_submit}</button>
                                    </PostForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{t.recent_decisions}</h2>
            <ExemptionList items=q.decided cadres=true />
        </section>
    }
}
