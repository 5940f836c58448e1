//! `/supervise/suggestions`: the review queue, and the review history a suggestion shows.

use crate::components::form::{Hidden, PostForm, RequestId, SelectField, TextArea};
use crate::components::pager::Pager;
use crate::components::suggestions::ReviewHistory;
use crate::i18n::{fill, use_t};
use crate::page::{data_page, today};
use crate::rules::Quarter;
use crate::suggestions::api::{review_queue, Queue, QueueQuery, ReviewSuggestion, SuggestionRow};
use crate::types::Role;
use crate::types::{ReviewAction, SuggestionKind, SuggestionStatus};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn queue_href(q: &Queue, changes: &[(&str, &str)]) -> String {
    crate::components::links::query_link(
        "/supervise/suggestions",
        &[
            ("quarter", &q.quarter),
            ("status", &q.status),
            ("cadre_id", &q.cadre_id),
            ("q", &q.q),
        ],
        changes,
    )
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let t = use_t();
    let query = use_query_map().with_untracked(|m| QueueQuery {
        quarter: m.get("quarter").unwrap_or_default(),
        status: m.get("status").unwrap_or_default(),
        cadre_id: m.get("cadre_id").unwrap_or_default(),
        q: m.get("q").unwrap_or_default(),
        page: m.get("page").unwrap_or_default(),
    });
    data_page(
        Role::SUPERVISORS,
        t.review_title,
        move || review_queue(query),
        |q| {
            view! { <ReviewQueue q=q /> }
        },
    )
}

#[component]
fn ReviewQueue(q: Queue) -> impl IntoView {
    let t = use_t();
    let current = Quarter::of(today());
    let quarters = [
        (String::new(), t.all_quarters.to_owned()),
        (current.key(), current.label(t)),
        (current.prev().key(), current.prev().label(t)),
    ];
    let statuses: Vec<(String, String)> = [("open", t.status_open_reviews), ("all", t.filter_all)]
        .into_iter()
        .map(|(k, l)| (k.to_owned(), l.to_owned()))
        .chain(
            SuggestionStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), s.label(t).to_owned())),
        )
        .collect();
    let items = q.items.clone();
    view! {
        <form method="get" action="/supervise/suggestions" class="pickers" role="search">
            <select name="quarter" aria-label=t.s_quarter>
                {quarters.into_iter().map(|(k, l)| {
                    let sel = k == q.quarter;
                    view! { <option value=k selected=sel>{l}</option> }
                }).collect_view()}
            </select>
            <select name="status" aria-label=t.s_status>
                {statuses.into_iter().map(|(k, l)| {
                    let sel = k == q.status;
                    view! { <option value=k selected=sel>{l}</option> }
                }).collect_view()}
            </select>
            {(!q.cadre_id.is_empty()).then(|| view! { <input type="hidden" name="cadre_id" value=q.cadre_id.clone() /> })}
            <input type="search" name="q" value=q.q.clone() placeholder=t.search_suggestions aria-label=t.search_suggestions />
            <button type="submit">{t.show}</button>
        </form>
        <p class="muted small">{fill(t.matching_count, &[("n", &q.matching.to_string())])}</p>
        {if items.is_empty() {
            view! { <p class="hint">{t.queue_empty}</p> }.into_any()
        } else {
            items.into_iter().map(|s| view! { <ReviewCard s=s /> }).collect_view().into_any()
        }}
        <Pager page=q.page pages=q.pages link=move |p| queue_href(&q, &[("page", &p.to_string())]) />
    }
}

/// One suggestion with its history and, while it waits, the review form.
#[component]
fn ReviewCard(s: SuggestionRow) -> impl IntoView {
    let t = use_t();
    let open = s.status.is_some_and(SuggestionStatus::open);
    let kind = s.kind.unwrap_or(SuggestionKind::Suggestion);
    let actions: Vec<(String, String)> = ReviewAction::ALL
        .iter()
        .filter(|a| a.outcome(kind).is_some())
        .map(|a| (a.as_str().to_owned(), a.label(t).to_owned()))
        .collect();
    let id = s.id.to_string();
    view! {
        <section class="card review" data-suggestion=s.id data-cadre=s.cadre_name.clone()>
            <h2>{s.title.clone()}</h2>
            <p class="muted small">
                {format!(
                    "{} · {} · {} · {}",
                    s.cadre_name,
                    s.org_name,
                    s.quarter.label(t),
                    s.kind.map(|k| k.label(t)).unwrap_or("-"),
                )}
                <span class="tag">{s.status.map(|st| st.label(t)).unwrap_or("-")}</span>
                {(s.revision > 0).then(|| view! { <span class="tag">{fill(t.revised_times, &[("n", &s.revision.to_string())])}</span> })}
            </p>
            <p class="content">{s.description.clone()}</p>
            <ReviewHistory reviews=s.reviews.clone() />
            {open.then(|| view! {
                <PostForm action=ReviewSuggestion::PATH id=format!("review-{id}") key=("id", id.clone()) class="row-form">
                    <RequestId />
                    <Hidden name="id" value=id.clone() />
                    <SelectField name="action" label=t.review_action options=actions value="" placeholder=t.choose />
                    <TextArea name="comment" label=t.review_comment rows=2 maxlength=500 />
                    <button type="submit" class="primary">{t.review_submit}</button>
                </PostForm>
            })}
        </section>
    }
}
