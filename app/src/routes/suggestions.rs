//! `/suggestions` (make one; the list with review status) and `/suggestions/:id`.

use crate::components::form::{
    CardForm, FieldMessage, Hidden, PostForm, RequestId, SelectField, TextArea, TextField,
};
use crate::components::layout::Layout;
use crate::components::suggestions::CoverageList;
use crate::i18n::use_t;
use crate::page::{data_page, record_page, today};
use crate::rules::Quarter;
use crate::suggestions::api::{
    get_suggestions, suggestion, SubmitSuggestion, SuggestionRow, SuggestionsPage,
};
use crate::types::Role;
use crate::types::SuggestionKind;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn SuggestionsPage() -> impl IntoView {
    data_page(
        Role::CADRES,
        use_t().suggestions_title,
        get_suggestions,
        |data| view! { <Suggestions data=data /> },
    )
}

#[component]
fn Suggestions(data: SuggestionsPage) -> impl IntoView {
    let t = use_t();
    let current = Quarter::of(today());
    let quarters = vec![
        (current.key(), current.label(t)),
        (current.prev().key(), current.prev().label(t)),
    ];
    // Default to the first paired organisation that has nothing yet this quarter.
    let org = data
        .coverage
        .iter()
        .find(|c| c.count == 0)
        .or(data.coverage.first())
        .map(|c| c.org_id.to_string())
        .unwrap_or_default();
    let orgs: Vec<(String, String)> = data
        .coverage
        .iter()
        .map(|c| (c.org_id.to_string(), c.org_name.clone()))
        .collect();
    view! {
        <div id="new">
            <CardForm action=SubmitSuggestion::PATH id="suggestion" title=t.suggestion_new>
                <RequestId />
                <SelectField name="org_id" label=t.s_org options=orgs value=org placeholder=t.choose />
                <SelectField name="quarter" label=t.s_quarter options=quarters value=current.key() />
                <SelectField name="kind" label=t.s_kind options=SuggestionKind::options(t) value="suggestion" />
                <TextField name="title" label=t.s_title required=true maxlength=100 />
                <TextArea name="description" label=t.s_content required=true rows=5 maxlength=2000 />
                <crate::components::late::LateFields date_field="quarter" />
                <button type="submit" class="primary">{t.save}</button>
            </CardForm>
        </div>
        <div data-live="suggestions">
            <section class="card">
                <h2>{t.coverage_title}</h2>
                <CoverageList coverage=data.coverage testid="coverage" />
            </section>
            <section class="card">
                <h2>{t.suggestions_title}</h2>
                <SuggestionList items=data.suggestions />
            </section>
        </div>
    }
}

#[component]
fn SuggestionList(items: Vec<SuggestionRow>) -> impl IntoView {
    let t = use_t();
    if items.is_empty() {
        return view! { <p class="hint">{t.no_suggestions}</p> }.into_any();
    }
    view! {
        <ul class="list" data-testid="suggestions">
            {items
                .into_iter()
                .map(|s| {
                    view! {
                        <li>
                            <a class="row-link" href=format!("/suggestions/{}", s.id)>
                                <strong>{s.title.clone()}</strong>
                                <span class="tag">{s.status.map(|st| st.label(t)).unwrap_or("-")}</span>
                                {s.review_comment.clone().map(|c| view! { <span class="small full">{format!("{}：{c}", t.s_comment)}</span> })}
                                <span class="muted small">
                                    {format!("{} · {} · {}", s.quarter.label(t), s.org_name, s.kind.map(|k| k.label(t)).unwrap_or("-"))}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn SuggestionPage() -> impl IntoView {
    let t = use_t();
    record_page(Role::CADRES, suggestion, move |viewer, s| {
        view! {
            <Layout viewer=viewer title=s.title.clone()>
                <section class="card">
                    <dl class="facts">
                        <dt>{t.s_org}</dt><dd>{s.org_name.clone()}</dd>
                        <dt>{t.s_quarter}</dt><dd>{s.quarter.label(t)}</dd>
                        <dt>{t.s_kind}</dt><dd>{s.kind.map(|k| k.label(t)).unwrap_or("-")}</dd>
                        <dt>{t.s_status}</dt><dd>{s.status.map(|st| st.label(t)).unwrap_or("-")}</dd>
                        {s.review_comment.clone().map(|c| view! { <dt>{t.s_comment}</dt><dd data-testid="review-comment">{c}</dd> })}
                    </dl>
                    <p class="content">{s.description.clone()}</p>
                    <crate::components::suggestions::ReviewHistory reviews=s.reviews.clone() />
                    <p><a href="/suggestions">{t.suggestions_title}</a></p>
                </section>
                {(s.status == Some(crate::types::SuggestionStatus::Returned)).then(|| view! { <ReviseForm s=s.clone() /> })}
            </Layout>
        }
    })
}

/// The revision form a cadre sees on a returned suggestion.
#[component]
fn ReviseForm(s: SuggestionRow) -> impl IntoView {
    let t = use_t();
    view! {
        <section class="card" id="revise">
            <h2>{t.revise_title}</h2>
            <PostForm action=crate::suggestions::api::ReviseSuggestion::PATH id="revise-form">
                <RequestId />
                <Hidden name="id" value=s.id.to_string() />
                <FieldMessage name="id" />
                <TextField name="title" label=t.s_title value=s.title.clone() required=true maxlength=100 />
                <TextArea name="description" label=t.s_content value=s.description.clone() required=true rows=5 maxlength=2000 />
                <crate::components::late::LateFields date_field="id" />
                <button type="submit" class="primary">{t.revise_submit}</button>
            </PostForm>
        </section>
    }
}
