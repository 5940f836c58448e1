//! A roster as a list of links, each youth with where they stand for contact.

use crate::i18n::{fill, use_t};
use crate::rules::contact_words;
use crate::youth::api::RosterEntry;
use leptos::prelude::*;

/// Roster entries as links (`link` + id).
#[component]
pub fn RosterList(entries: Vec<RosterEntry>, link: &'static str) -> impl IntoView {
    let t = use_t();
    if entries.is_empty() {
        return view! { <p class="hint">{t.no_youths}</p> }.into_any();
    }
    view! {
        <ul class="list roster" data-testid="roster">
            {entries
                .into_iter()
                .map(|e| {
                    let since = match e.last_contact {
                        Some(d) => fill(t.last_contact, &[("date", &d.to_string())]),
                        None => t.never_contacted.to_string(),
                    };
                    view! {
                        <li>
                            <a href=format!("{link}{}", e.id) class="row-link">
                                <span class="name">{e.name}</span>
                                {e.minor.then(|| view! { <span class="tag minor" title=t.minor_hint>{t.minor_badge}</span> })}
                                <span class=format!("light {}", e.status.class())>
                                    {contact_words(e.status, e.last_contact.is_none(), e.days, t)}
                                </span>
                                <span class="muted small">{format!("{} · {since}", e.workplace)}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
