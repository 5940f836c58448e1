//! `/late` (a cadre's 补录申请, and the notice after filing one) and `/supervise/late` (the queue a
//! supervisor decides).

use crate::components::form::{Hidden, PostForm, RequestId, SelectField, TextArea};
use crate::components::late::LateList;
use crate::components::pager::Pager;
use crate::i18n::{fill, use_t};
use crate::late::api::{list_late, DecideLate, LatePage, LateQuery};
use crate::page::data_page;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn query() -> (LateQuery, bool) {
    use_query_map().with_untracked(|m| {
        (
            LateQuery {
                quarter: m.get("quarter").unwrap_or_default(),
                status: m.get("status").unwrap_or_default(),
                page: m.get("page").unwrap_or_default(),
            },
            m.get("filed").is_some_and(|f| f == "1"),
        )
    })
}

fn link(base: &'static str, status: &str, page: usize) -> String {
    format!("{base}?status={status}&page={page}")
}

/// Pending / all, as links.
#[component]
fn Filter(base: &'static str, status: String) -> impl IntoView {
    let t = use_t();
    let tab = |code: &'static str, label: &'static str| {
        let current = status == code;
        view! {
            <a class=if current { "button small primary" } else { "button small" }
               href=link(base, code, 1)
               aria-current=current.then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="actions-row" aria-label=t.late_title>
            {tab("pending", t.late_filter_pending)}
            {tab("all", t.late_filter_all)}
        </nav>
    }
}

#[component]
pub fn LatePage() -> impl IntoView {
    let t = use_t();
    let (query, filed) = query();
    data_page(
        Role::CADRES,
        t.late_mine,
        move || list_late(query),
        move |p| {
            view! { <Mine page=p filed=filed /> }
        },
    )
}

#[component]
fn Mine(page: LatePage, filed: bool) -> impl IntoView {
    let t = use_t();
    let status = page.status.clone();
    view! {
        {filed.then(|| view! { <p class="notice" role="status" data-testid="late-filed">{t.late_filed}</p> })}
        <Filter base="/late" status=page.status.clone() />
        <section class="card">
            <h2>{fill(t.late_pending_n, &[("n", &page.pending.to_string())])}</h2>
            <LateList items=page.items />
        </section>
        <Pager page=page.page pages=page.pages link=move |p| link("/late", &status, p) />
    }
}

#[component]
pub fn LateReviewPage() -> impl IntoView {
    let t = use_t();
    let (query, _) = query();
    data_page(
        Role::SUPERVISORS,
        t.late_review_title,
        move || list_late(query),
        |p| view! { <Queue page=p /> },
    )
}

#[component]
fn Queue(page: LatePage) -> impl IntoView {
    let t = use_t();
    let status = page.status.clone();
    let decisions = vec![
        ("approve".to_owned(), t.e_approve.to_owned()),
        ("decline".to_owned(), t.e_decline.to_owned()),
    ];
    let (pending, decided): (Vec<_>, Vec<_>) = page
        .items
        .into_iter()
        .partition(|r| r.status == Some(crate::types::LateStatus::Pending));
    view! {
        <Filter base="/supervise/late" status=page.status.clone() />
        <section class="card">
            <h2>{fill(t.late_pending_n, &[("n", &page.pending.to_string())])}</h2>
            {if pending.is_empty() {
                view! { <p class="hint">{t.queue_empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="list" data-testid="pending-late">
                        {pending.into_iter().map(|r| {
                            let id = r.id.to_string();
                            let decisions = decisions.clone();
                            view! {
                                <li class="exemption" data-late=r.id>
                                    <strong>{r.cadre_name.clone()}</strong>
                                    <span class="muted small">{r.org_name.clone()}</span>
                                    <span class="full">
                                        {r.record_date.to_string()}
                                        <span class="tag">{crate::components::late::kind_label(&r, t)}</span>
                                    </span>
                                    <span class="small full">{r.summary.clone()}</span>
                                    <span class="small full">{format!("{}：{}", t.late_reason, r.reason)}</span>
                                    <span class="small full muted">{fill(t.late_filed_on, &[("date", &r.filed_on.to_string())])}</span>
                                    <PostForm action=DecideLate::PATH id=format!("late-{id}") key=("id", id.clone()) class="row-form full">
                                        <RequestId />
                                        <Hidden name="id" value=id.clone() />
                                        <SelectField name="decision" label=t.e_decision options=decisions value="" placeholder=t.choose />
                                        <TextArea name="comment" label=t.review_comment rows=2 maxlength=500 />
                                        <button type="submit" class="primary">{t.review_submit}</button>
                                    </PostForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        {(!decided.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t.recent_decisions}</h2>
                <LateList items=decided cadres=true />
            </section>
        })}
        <Pager page=page.page pages=page.pages link=move |p| link("/supervise/late", &status, p) />
    }
}
