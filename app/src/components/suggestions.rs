//! A suggestion's review history.

use crate::i18n::use_t;
use crate::suggestions::api::ReviewLine;
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
