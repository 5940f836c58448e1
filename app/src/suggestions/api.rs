//! Server functions for quarterly suggestions.

use crate::error::AppError;
use crate::rules::Quarter;
use crate::types::{SuggestionKind, SuggestionStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionRow {
    pub id: i64,
    pub org_name: String,
    pub quarter: Quarter,
    pub kind: Option<SuggestionKind>,
    pub title: String,
    pub description: String,
    pub status: Option<SuggestionStatus>,
    pub review_comment: Option<String>,
    pub created_on: NaiveDate,
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
}

#[server(prefix = "/api", endpoint = "suggestions/list")]
pub async fn get_suggestions() -> Result<SuggestionsPage, AppError> {
    crate::ssr::respond(super::service::page().await)
}

/// Submits a suggestion or a solved problem for a paired organisation; returns its id.
#[server(prefix = "/api", endpoint = "suggestions/create")]
pub async fn submit_suggestion(#[server(flatten)] form: SuggestionForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

#[server(prefix = "/api", endpoint = "suggestions/get")]
pub async fn suggestion(#[server(default)] id: String) -> Result<SuggestionRow, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::get(id).await)
}
