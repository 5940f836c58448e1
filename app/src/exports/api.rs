//! Server functions for exports.

use crate::error::AppError;
use crate::types::OrgNode;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportForm {
    pub request_id: String,
    /// Empty: the viewer's own organisation.
    pub org_id: String,
    /// `2026Q4`.
    pub quarter: String,
    /// `xlsx` or `csv`.
    pub format: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusQuery {
    pub id: String,
}

/// Where a job is: `state` is `queued`, `running`, `done` or `failed`; `done` of `total` rows
/// written; `url` the download once done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobStatus {
    pub id: i64,
    pub state: super::JobState,
    pub done: u64,
    pub total: u64,
    pub percent: u32,
    pub url: Option<String>,
}

/// A job as the exports page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportJob {
    pub status: JobStatus,
    pub org_name: String,
    pub quarter: String,
    pub format: super::ExportFormat,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub file_size: Option<u64>,
    /// Rows per sheet, once done.
    pub counts: Vec<(String, u64)>,
}

/// What the exports page needs: the organisations and quarters to choose from, and the
/// viewer's recent jobs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportsPage {
    pub orgs: Vec<OrgNode>,
    pub own_org: i64,
    /// Newest first: this quarter and the seven before.
    pub quarters: Vec<String>,
    pub jobs: Vec<ExportJob>,
}

/// Queues an export of an organisation's quarter; answers the job's id. Idempotent on
/// `request_id`.
#[server(prefix = "/api", endpoint = "exports/create")]
pub async fn create_export(#[server(flatten)] form: ExportForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

/// A job's progress, for its requester (or an admin over its organisation).
#[server(prefix = "/api", endpoint = "exports/status")]
pub async fn export_status(#[server(flatten)] query: StatusQuery) -> Result<JobStatus, AppError> {
    crate::ssr::respond(super::service::status(query).await)
}

/// The exports page's data.
#[server(prefix = "/api", endpoint = "exports/list")]
pub async fn list_exports() -> Result<ExportsPage, AppError> {
    crate::ssr::respond(super::service::page().await)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ExportForm);
