//! Previous / next links of a paged list.

use crate::i18n::{fill, use_t};
use leptos::prelude::*;

/// Previous / next links of a paged list.
#[component]
pub fn Pager(page: usize, pages: usize, link: impl Fn(usize) -> String + 'static) -> impl IntoView {
    let t = use_t();
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=t.pages>
                {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">{t.prev_page}</a> })}
                <span class="muted">{fill(t.page_of, &[("page", &page.to_string()), ("pages", &pages.to_string())])}</span>
                {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">{t.next_page}</a> })}
            </nav>
        }
    })
}
