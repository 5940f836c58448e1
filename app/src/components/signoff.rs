//! The banner on a cadre's pages while a quarter they may still log into is approved and locked.

use crate::i18n::{fill, use_t};
use crate::signoff::api::my_locks;
use leptos::prelude::*;

#[component]
pub fn LockBanner() -> impl IntoView {
    let t = use_t();
    let banner = Suspend::new(async move {
        let locked = my_locks().await.unwrap_or_default();
        locked
            .into_iter()
            .map(|q| {
                view! {
                    <p class="notice warn" role="note" data-testid="locked-banner">
                        {fill(t.signoff_locked_banner, &[("quarter", &q)])}
                        " "
                        <a href="/late">{t.late_mine}</a>
                    </p>
                }
            })
            .collect_view()
    });
    view! { <Suspense>{banner}</Suspense> }
}
