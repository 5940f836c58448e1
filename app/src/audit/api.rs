//! Server functions of the audit trail: `audit/list` and `audit/verify`, auditors only (403 for
//! everyone else). The CSV export (`GET /audit/export.csv`) takes the same query.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The filters of `/audit` (every field text, empty = any).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// A username (whole).
    pub actor: String,
    /// An event, e.g. `login`, `phone_view`, `export_download`.
    pub event: String,
    /// A kind of record (`account`) or one record (`account:12`).
    pub object: String,
    /// `success` or `failure`.
    pub result: String,
    /// First and last day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// 1, 2, 3 … (newest rows first).
    pub page: String,
}

impl AuditQuery {
    /// The query as URL parameters, empty ones left out (the page's links and the CSV link).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("actor", &self.actor),
            ("event", &self.event),
            ("object", &self.object),
            ("result", &self.result),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// The actor's username (empty without one).
    pub actor: String,
    pub role: String,
    pub ip: String,
    pub event: String,
    /// `account:12`, or the kind alone.
    pub object: String,
    pub result: String,
    pub details: String,
}

/// One page of the filtered trail (`POST /api/audit/list`). No total: counting millions of rows
/// on every page would cost more than the page; `has_next` says whether another follows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub page: u64,
    pub has_next: bool,
    /// The filters as understood (trimmed).
    pub query: AuditQuery,
    /// The events to pick from.
    pub events: Vec<String>,
}

/// What walking the chain found (`POST /api/audit/verify`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainReport {
    pub ok: bool,
    pub rows: u64,
    /// The chain continues from an archive that ended at this seq.
    pub anchored_at: Option<i64>,
    /// The first row that does not hold, in words (`row id 12 (seq 12): …`).
    pub broken: Option<String>,
    pub broken_id: Option<i64>,
}

#[server(prefix = "/api", endpoint = "audit/list")]
pub async fn list_audit(#[server(flatten)] query: AuditQuery) -> Result<AuditPage, AppError> {
    crate::ssr::respond(super::service::page(query).await)
}

#[server(prefix = "/api", endpoint = "audit/verify")]
pub async fn verify_audit() -> Result<ChainReport, AppError> {
    crate::ssr::respond(super::service::verify().await)
}
