//! Server functions for quarterly suggestions.

use crate::error::AppError;
use crate::rules::Quarter;
use crate::types::{ReviewAction, SuggestionKind, SuggestionStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionRow {
    pub id: i64,
    pub cadre_id: i64,
    pub cadre_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub quarter: Quarter,
    pub kind: Option<SuggestionKind>,
    pub title: String,
    pub description: String,
    pub status: Option<SuggestionStatus>,
    /// The latest review's comment.
    pub review_comment: Option<String>,
    pub created_on: NaiveDate,
    /// How many times it was revised after being returned.
    pub revision: i32,
    /// Oldest first.
    pub reviews: Vec<ReviewLine>,
}

/// One review action, kept as history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewLine {
    pub on: NaiveDate,
    pub reviewer_name: String,
    pub action: Option<ReviewAction>,
    pub status_after: Option<SuggestionStatus>,
    pub comment: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub request_id: String,
    pub id: String,
    /// `acknowledge`, `adopt`, `resolve`, `decline`, `return`.
    pub action: String,
    pub comment: String,
}

/// A returned suggestion, revised by its cadre.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviseForm {
    pub id: String,
    pub title: String,
    pub description: String,
    /// With `late=true`: the late entry's idempotency key.
    pub request_id: String,
    /// `true`: a suggestion of a locked quarter; the revision is filed as a 补录申请.
    pub late: String,
    pub late_reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    /// `2026Q4`; empty: every quarter.
    pub quarter: String,
    /// `open` (default: submitted or acknowledged), `all`, or one status code.
    pub status: String,
    /// Only this cadre's (from the drill-down).
    pub cadre_id: String,
    /// Part of the title, or of the cadre's name or username.
    pub q: String,
    pub page: String,
}

/// Suggestions in a supervisor's subtree, newest first, a page at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    pub items: Vec<SuggestionRow>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub quarter: String,
    pub status: String,
    pub cadre_id: String,
    pub q: String,
}

/// One paired organisation's suggestions in the current quarter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub org_id: i64,
    pub org_name: String,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionsPage {
    pub quarter: Quarter,
    pub days_left: i64,
    pub coverage: Vec<Coverage>,
    /// Newest first.
    pub suggestions: Vec<SuggestionRow>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuggestionForm {
    pub request_id: String,
    pub org_id: String,
    /// `2026Q4`: the current quarter or the previous one.
    pub quarter: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    /// `true`: a suggestion for a quarter that is approved and locked, filed as a 补录申请.
    pub late: String,
    pub late_reason: String,
}

#[server(prefix = "/api", endpoint = "suggestions/list")]
pub async fn get_suggestions() -> Result<SuggestionsPage, AppError> {
    crate::ssr::respond(super::service::page().await)
}

/// Submits a suggestion or a solved problem for a paired organisation; returns its id.
#[server(prefix = "/api", endpoint = "suggestions/create")]
pub async fn submit_suggestion(#[server(flatten)] form: SuggestionForm) -> Result<i64, AppError> {
    let late = crate::late::service::asked(&form.late);
    let id = crate::ssr::respond(super::service::create(form).await)?;
    if late {
        leptos_axum::redirect("/late?filed=1");
    } else {
        crate::ssr::saved_redirect();
    }
    Ok(id)
}

#[server(prefix = "/api", endpoint = "suggestions/get")]
pub async fn suggestion(#[server(default)] id: String) -> Result<SuggestionRow, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::get(id).await)
}

/// A supervisor's review action, with its comment (required to decline or return).
#[server(prefix = "/api", endpoint = "suggestions/review")]
pub async fn review_suggestion(#[server(flatten)] form: ReviewForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::review(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// The cadre revises a returned suggestion; it goes back to the queue.
#[server(prefix = "/api", endpoint = "suggestions/revise")]
pub async fn revise_suggestion(
    #[server(flatten)] form: ReviseForm,
) -> Result<Option<i64>, AppError> {
    use crate::late::service::Outcome;
    match crate::ssr::respond(super::service::revise(form).await)? {
        Outcome::Done(id) => {
            leptos_axum::redirect(&format!("/suggestions/{id}?saved=1"));
            Ok(None)
        }
        Outcome::Filed(id) => {
            leptos_axum::redirect("/late?filed=1");
            Ok(Some(id))
        }
    }
}

/// The review queue of the viewer's subtree.
#[server(prefix = "/api", endpoint = "suggestions/queue")]
pub async fn review_queue(#[server(flatten)] query: QueueQuery) -> Result<Queue, AppError> {
    crate::ssr::respond(super::service::queue(query).await)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(SuggestionForm, ReviewForm, ReviseForm);
