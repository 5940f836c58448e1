//! `/requests`: the requests (诉求) not yet resolved across a cadre's roster, oldest first, each
//! with its youth and the form that moves it along.

use crate::components::contacts::RequestForms;
use crate::contacts::api::{open_requests, OpenRequest};
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::types::Role;
use leptos::prelude::*;

#[component]
pub fn RequestsPage() -> impl IntoView {
    data_page(
        Role::CADRES,
        use_t().open_requests,
        open_requests,
        |items| view! { <Requests items=items /> },
    )
}

#[component]
fn Requests(items: Vec<OpenRequest>) -> impl IntoView {
    let t = use_t();
    if items.is_empty() {
        return view! { <p class="hint" data-testid="no-requests">{t.no_open_requests}</p> }
            .into_any();
    }
    view! {
        <p class="muted small">{fill(t.open_requests_count, &[("n", &items.len().to_string())])}</p>
        <crate::components::form::Enhanced>
            <ul class="list requests" data-testid="open-requests">
                {items.into_iter().map(|r| view! {
                    <li class="card">
                        <a class="name" href=format!("/youth/{}", r.contact.youth_id)>{r.youth_name.clone()}</a>
                        <RequestForms contacts=vec![r.contact] />
                    </li>
                }).collect_view()}
            </ul>
        </crate::components::form::Enhanced>
    }
    .into_any()
}
