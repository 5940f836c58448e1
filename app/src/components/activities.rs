//! A list of activities (the cadre's own, a supervisor's drill-down) and the line of what they
//! reached.

use crate::activities::api::ActivityRow;
use crate::compliance::Reach;
use crate::i18n::{fill, use_t, Strings};
use leptos::prelude::*;

/// "活动 12 场，覆盖 486 人次、301 名青年".
pub fn reach_line(t: &Strings, r: &Reach) -> String {
    fill(
        t.activity_reach,
        &[
            ("held", &r.held.to_string()),
            ("attendances", &r.attendances.to_string()),
            ("youths", &r.youths.to_string()),
        ],
    )
}

/// Activities, each linking to its page when `links` (the cadre's own).
#[component]
pub fn ActivityList(rows: Vec<ActivityRow>, links: bool) -> impl IntoView {
    let t = use_t();
    if rows.is_empty() {
        return view! { <p class="hint">{t.no_activities}</p> }.into_any();
    }
    view! {
        <ul class="list" data-testid="activities">
            {rows.into_iter().map(|row| {
                let body = view! {
                    <strong>{row.title.clone()}</strong>
                    <span class="muted small">
                        {format!("{} · {} · {}", row.date, row.kind.label(t), row.place)}
                    </span>
                    <span class="small" data-testid="attendees">
                        {fill(t.a_attendees_n, &[("n", &row.attendees.to_string()), ("signed", &row.signed_in.to_string())])}
                    </span>
                    <span class=format!("light {}", row.sign_in.class())>{row.sign_in.label(t)}</span>
                };
                if links {
                    view! { <li><a class="row-link" href=format!("/activities/{}", row.id)>{body}</a></li> }.into_any()
                } else {
                    view! { <li>{body}</li> }.into_any()
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
