//! Leave and its decisions, as a cadre and a supervisor see them.

use crate::exemptions::api::ExemptionRow;
use crate::i18n::use_t;
use crate::types::ExemptionStatus;
use leptos::prelude::*;

fn status_class(s: Option<ExemptionStatus>) -> &'static str {
    match s {
        Some(ExemptionStatus::Approved) => "ok",
        Some(ExemptionStatus::Declined) => "bad",
        _ => "warn",
    }
}

/// Exemptions, newest first, with their decisions. `cadres`: name the cadre on each (a
/// supervisor's list).
#[component]
pub fn ExemptionList(items: Vec<ExemptionRow>, #[prop(optional)] cadres: bool) -> impl IntoView {
    let t = use_t();
    if items.is_empty() {
        return view! { <p class="hint">{t.no_exemptions}</p> }.into_any();
    }
    view! {
        <ul class="list" data-testid="exemptions">
            {items
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            {cadres.then(|| view! {
                                <strong class="full">{format!("{} · {}", e.cadre_name, e.org_name)}</strong>
                            })}
                            <span>{format!("{} – {}", e.start_date, e.end_date)}</span>
                            <span class="tag">{e.reason.map(|r| r.label(t)).unwrap_or("-")}</span>
                            <span class=format!("light {}", status_class(e.status))>
                                {e.status.map(|s| s.label(t)).unwrap_or("-")}
                            </span>
                            {(!e.note.is_empty()).then(|| view! { <span class="small full">{e.note.clone()}</span> })}
                            {e.comment.clone().map(|c| view! {
                                <span class="small full muted">
                                    {format!("{}：{c}", e.decided_by.clone().unwrap_or_default())}
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
