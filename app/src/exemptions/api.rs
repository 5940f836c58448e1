//! Server functions for exemptions.

use crate::error::AppError;
use crate::types::{ExemptionReason, ExemptionStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExemptionRow {
    pub id: i64,
    pub cadre_id: i64,
    pub cadre_name: String,
    pub org_name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub reason: Option<ExemptionReason>,
    pub note: String,
    pub status: Option<ExemptionStatus>,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub comment: Option<String>,
    pub requested_on: NaiveDate,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExemptionForm {
    pub request_id: String,
    pub start_date: String,
    pub end_date: String,
    /// `leave`, `business_trip`, `training`, `other`.
    pub reason: String,
    pub note: String,
    /// `true`: leave in a quarter that is approved and locked, filed as a 补录申请.
    pub late: String,
    pub late_reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub request_id: String,
    pub id: String,
    /// `approve` or `decline`.
    pub decision: String,
    pub comment: String,
}

/// A cadre's own exemptions and the dates a request may start from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyExemptions {
    /// Newest first.
    pub items: Vec<ExemptionRow>,
    /// The earliest start date allowed: the first day of the earlier of today's quarter and the
    /// one today's week counts in, or the Monday of that quarter's first week when earlier.
    pub earliest: NaiveDate,
}

/// Pending requests and recent decisions in a supervisor's subtree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExemptionQueue {
    /// Oldest first.
    pub pending: Vec<ExemptionRow>,
    /// The 30 latest decisions.
    pub decided: Vec<ExemptionRow>,
}

/// Asks for an exemption; returns its id. Idempotent on `request_id`.
#[server(prefix = "/api", endpoint = "exemptions/request")]
pub async fn request_exemption(#[server(flatten)] form: ExemptionForm) -> Result<i64, AppError> {
    let late = crate::late::service::asked(&form.late);
    let id = crate::ssr::respond(super::service::request(form).await)?;
    if late {
        leptos_axum::redirect("/late?filed=1");
    } else {
        crate::ssr::saved_redirect();
    }
    Ok(id)
}

/// A supervisor approves or declines a pending request.
#[server(prefix = "/api", endpoint = "exemptions/decide")]
pub async fn decide_exemption(#[server(flatten)] form: DecisionForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::decide(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[server(prefix = "/api", endpoint = "exemptions/list")]
pub async fn list_exemptions() -> Result<MyExemptions, AppError> {
    crate::ssr::respond(super::service::mine().await)
}

#[server(prefix = "/api", endpoint = "exemptions/queue")]
pub async fn get_exemption_queue() -> Result<ExemptionQueue, AppError> {
    crate::ssr::respond(super::service::queue().await)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ExemptionForm, DecisionForm);
