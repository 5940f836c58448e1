//! The 补录申请 part of a create form, and a list of late entries as a cadre and a supervisor
//! see them.

use crate::components::form::{use_form, FieldMessage, TextArea};
use crate::i18n::use_t;
use crate::late::api::LateRow;
use crate::types::LateStatus;
use leptos::prelude::*;

/// A box to file the record as a late entry, with its reason. Folded away until needed: open
/// when the last submission was a late entry or was refused for its date.
#[component]
pub fn LateFields(date_field: &'static str) -> impl IntoView {
    let t = use_t();
    let form = use_form();
    let asked = form
        .error
        .as_ref()
        .and_then(|e| e.input("late"))
        .is_some_and(|v| v == "true");
    let open = asked || form.message(date_field).is_some() || form.message("late").is_some();
    view! {
        <details class="late" open=open data-testid="late-fields">
            <summary>{t.late_section}</summary>
            <label class="check">
                <input type="checkbox" name="late" value="true" checked=asked />
                {t.late_check}
            </label>
            <FieldMessage name="late" />
            <TextArea name="late_reason" label=t.late_reason rows=2 maxlength=500 />
            <p class="small"><a href="/late">{t.late_mine}</a></p>
        </details>
    }
}

/// 联系青年, or 联系青年 · 修改 for a change to a record (删除 for a deletion).
pub fn kind_label(r: &LateRow, t: &crate::i18n::Strings) -> String {
    let kind = r.kind.map_or("-", |k| k.label(t));
    match r.action {
        Some(a) if a != crate::types::LateAction::Create => format!("{kind} · {}", a.label(t)),
        _ => kind.to_owned(),
    }
}

fn status_class(s: Option<LateStatus>) -> &'static str {
    match s {
        Some(LateStatus::Approved) => "ok",
        Some(LateStatus::Declined) => "bad",
        _ => "warn",
    }
}

/// Late entries with their state and decision. `cadres`: name the cadre on each (supervisors).
#[component]
pub fn LateList(items: Vec<LateRow>, #[prop(optional)] cadres: bool) -> impl IntoView {
    let t = use_t();
    if items.is_empty() {
        return view! { <p class="hint">{t.late_empty}</p> }.into_any();
    }
    view! {
        <ul class="list" data-testid="late-requests">
            {items
                .into_iter()
                .map(|r| {
                    view! {
                        <li data-late=r.id>
                            <strong>{r.record_date.to_string()}</strong>
                            <span class="tag">{kind_label(&r, t)}</span>
                            <span class=format!("light {}", status_class(r.status))>
                                {r.status.map(|s| s.label(t)).unwrap_or("-")}
                            </span>
                            {cadres.then(|| view! {
                                <span class="small full">{format!("{} · {}", r.cadre_name, r.org_name)}</span>
                            })}
                            <span class="small full">{r.summary.clone()}</span>
                            <span class="small full muted">{format!("{}：{}", t.late_reason, r.reason)}</span>
                            <span class="small full muted">{crate::i18n::fill(t.late_filed_on, &[("date", &r.filed_on.to_string())])}</span>
                            {r.comment.clone().map(|c| view! {
                                <span class="small full muted">
                                    {format!("{}：{c}", r.decided_by.clone().unwrap_or_default())}
                                </span>
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
