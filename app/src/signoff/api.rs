//! Server functions of quarter sign-off. Supervisors and admins act within their subtree; an
//! organisation elsewhere is the same 404 as one that does not exist; cadres get 403.

use crate::error::AppError;
use crate::late::api::LateRow;
use crate::types::SignoffState;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusQuery {
    /// Empty: the viewer's own organisation.
    pub org_id: String,
    /// `2026Q3`; empty: the last quarter that has ended.
    pub quarter: String,
}

/// An organisation and where its quarter stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgState {
    pub org_id: i64,
    pub org_name: String,
    /// `open`, `approved` or `accepted`.
    pub state: String,
}

/// One organisation of the subtree that signs off, as the sign-off page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgLine {
    pub org_id: i64,
    pub org_name: String,
    /// Below the organisation asked for.
    pub depth: usize,
    pub state: String,
    pub approved_by: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub comment: Option<String>,
    /// The organisations below it still to approve first.
    pub blocking: Vec<OrgState>,
    /// The viewer may approve it now (the quarter has ended, nothing blocks).
    pub can_approve: bool,
    pub can_reopen: bool,
}

/// Where an organisation's quarter stands (`POST /api/signoff/status`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignoffStatus {
    pub org_id: i64,
    pub org_name: String,
    pub quarter: String,
    pub state: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// The organisations right below that sign off.
    pub children: Vec<OrgState>,
    /// What keeps it from being approved: the topmost organisations below still open.
    pub blocking: Vec<OrgState>,
    /// Records changed through late entries approved after the approval.
    pub changes_since: u64,
    /// Those changes, newest first.
    pub changes: Vec<LateRow>,
    /// The quarter has ended (only then can it be approved).
    pub ended: bool,
    /// The organisation signs off at all (a cadre sits at or below it).
    pub signs_off: bool,
    /// Every organisation of the subtree that signs off, depth first.
    pub orgs: Vec<OrgLine>,
    /// The quarters to pick from, newest first.
    pub quarters: Vec<String>,
}

impl SignoffStatus {
    pub fn state(&self) -> SignoffState {
        SignoffState::parse(&self.state).unwrap_or(SignoffState::Open)
    }
}

/// The stamp of an approved quarter on the figures shown for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    pub state: String,
    pub approved_by: String,
    pub approved_on: NaiveDate,
    pub comment: String,
    /// Records changed since, through approved late entries.
    pub changes: Vec<LateRow>,
}

impl Stamp {
    /// 已审核 · 王芳 · 2027-01-05
    pub fn line(&self, t: &crate::i18n::Strings) -> String {
        let state = SignoffState::parse(&self.state).unwrap_or(SignoffState::Approved);
        crate::i18n::fill(
            t.signoff_stamp,
            &[
                ("state", state.label(t)),
                ("name", &self.approved_by),
                ("date", &self.approved_on.to_string()),
            ],
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApproveForm {
    pub request_id: String,
    pub org_id: String,
    pub quarter: String,
    pub comment: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReopenForm {
    pub request_id: String,
    pub org_id: String,
    pub quarter: String,
    pub reason: String,
}

/// Where an organisation's quarter stands, with its subtree.
#[server(prefix = "/api", endpoint = "signoff/status")]
pub async fn signoff_board(
    #[server(flatten)] query: StatusQuery,
) -> Result<SignoffStatus, AppError> {
    crate::ssr::respond(super::service::status(query).await)
}

/// The quarters a cadre may still log into that are approved and locked for them, as people
/// say them (`2026 年第 3 季度`).
#[server(prefix = "/api", endpoint = "signoff/locks")]
pub async fn my_locks() -> Result<Vec<String>, AppError> {
    crate::ssr::respond(super::service::my_locks().await)
}

/// Approves an organisation's quarter: its figures are frozen and its records locked.
#[server(prefix = "/api", endpoint = "signoff/approve")]
pub async fn approve_quarter(#[server(flatten)] form: ApproveForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::approve(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

/// Reopens an organisation's quarter and every level above it, with a reason.
#[server(prefix = "/api", endpoint = "signoff/reopen")]
pub async fn reopen_quarter(#[server(flatten)] form: ReopenForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::reopen(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ApproveForm, ReopenForm);
