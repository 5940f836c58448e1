//! A suggestion's review history, and which paired organisations have this quarter's.

use crate::i18n::use_t;
use crate::suggestions::api::{Coverage, ReviewLine};
use leptos::prelude::*;

/// Who did what, when, and why — oldest first.
#[component]
pub fn ReviewHistory(reviews: Vec<ReviewLine>) -> impl IntoView {
    let t = use_t();
    (!reviews.is_empty()).then(|| {
        view! {
            <ol class="history small" data-testid="review-history">
                {reviews
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li>
                                {format!(
                                    "{} {} {}",
                                    r.on,
                                    r.reviewer_name,
                                    r.action.map(|a| a.label(t)).unwrap_or("-"),
                                )}
                                {(!r.comment.is_empty()).then(|| view! { <q>{r.comment.clone()}</q> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
    })
}

/// Each paired organisation with whether it has this quarter's suggestion yet.
#[component]
pub fn CoverageList(coverage: Vec<Coverage>, testid: &'static str) -> impl IntoView {
    let t = use_t();
    view! {
        <ul class="list" data-testid=testid>
            {coverage
                .into_iter()
                .map(|c| {
                    let done = c.count > 0;
                    view! {
                        <li>
                            <span>{c.org_name}</span>
                            <span class=if done { "light ok" } else { "light warn" }>
                                {if done { t.suggestion_done } else { t.suggestion_missing }}
                            </span>
                            {(!done).then(|| view! { <a class="button small" href="/suggestions#new">{t.act_suggest}</a> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
