//! Server functions for late entries.

use crate::error::AppError;
use crate::types::{LateAction, LateKind, LateStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LateRow {
    pub id: i64,
    pub kind: Option<LateKind>,
    /// Logs, changes or deletes the record.
    pub action: Option<LateAction>,
    /// The record a change or a deletion is about.
    pub target_id: Option<i64>,
    pub cadre_id: i64,
    pub cadre_name: String,
    pub org_name: String,
    /// The date the record is about.
    pub record_date: NaiveDate,
    /// What the record is, in words.
    pub summary: String,
    pub reason: String,
    pub status: Option<LateStatus>,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub comment: Option<String>,
    pub filed_on: NaiveDate,
    /// The record stored (or changed, or deleted) on approval.
    pub record_id: Option<i64>,
}

/// A page of late entries: a cadre's own, or those of a supervisor's subtree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatePage {
    pub items: Vec<LateRow>,
    pub page: usize,
    pub pages: usize,
    pub total: u64,
    /// Pending requests in view, whatever the filter.
    pub pending: u64,
    /// The filter in force: `pending` or `all`.
    pub status: String,
    /// The quarter asked for (`2026Q4`), or empty for all.
    pub quarter: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LateQuery {
    /// `2026Q4`: requests whose record is dated in that quarter; empty: any.
    pub quarter: String,
    /// `pending` (the default for supervisors) or `all` (the default for cadres).
    pub status: String,
    pub page: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LateDecision {
    pub request_id: String,
    pub id: String,
    /// `approve` or `decline`.
    pub decision: String,
    pub comment: String,
}

/// Late entries in view, newest first (pending ones oldest first).
#[server(prefix = "/api", endpoint = "late/list")]
pub async fn list_late(#[server(flatten)] query: LateQuery) -> Result<LatePage, AppError> {
    crate::ssr::respond(super::service::list(query).await)
}

/// A supervisor approves (the record is stored as of its date) or declines (with a comment).
#[server(prefix = "/api", endpoint = "late/decide")]
pub async fn decide_late(#[server(flatten)] form: LateDecision) -> Result<(), AppError> {
    crate::ssr::respond(super::service::decide(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(LateDecision);
