//! Server functions for roster management.

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RosterQuery {
    /// The organisation whose cadres to list (empty: the viewer's own).
    pub org_id: String,
    /// Whose youths to show; empty: the unassigned youths of the organisation.
    pub cadre_id: String,
    /// Search the youths by name.
    pub q: String,
    pub page: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadreChoice {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub org_name: String,
    pub active: bool,
    pub youths: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedYouth {
    pub id: i64,
    pub name: String,
    /// Masked: 138****1234.
    pub phone: String,
    pub workplace: String,
    pub assigned_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RosterPage {
    pub org_id: i64,
    pub orgs: Vec<crate::supervise::api::OrgChoice>,
    /// The cadres of the organisation's subtree: active ones, and inactive ones still holding
    /// youths.
    pub cadres: Vec<CadreChoice>,
    /// `None`: the unassigned youths.
    pub cadre: Option<CadreChoice>,
    pub youths: Vec<ManagedYouth>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub q: String,
    pub today: NaiveDate,
    /// The organisation has too many cadres to list: pick a narrower one.
    pub too_many_cadres: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReassignForm {
    pub request_id: String,
    /// Comma-separated youth ids (a form's checkboxes send the field once per youth).
    pub youth_ids: String,
    pub to_cadre_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HandoverForm {
    /// Empty for the preview.
    pub request_id: String,
    pub from_cadre_id: String,
    pub to_cadre_id: String,
    /// `YYYY-MM-DD`; empty: today.
    pub effective_on: String,
    /// `true`: the paired organisations go to the successor too.
    pub pairings: String,
    /// `true`: the leaving account is deactivated in the same step.
    pub deactivate: String,
}

/// What a handover will do (or did).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandoverPlan {
    pub from_cadre_id: i64,
    pub from_name: String,
    pub to_cadre_id: i64,
    pub to_name: String,
    pub youths: u32,
    pub open_requests: u32,
    /// The paired organisations that go along (empty when they stay).
    pub pairings: Vec<String>,
    pub effective_on: NaiveDate,
    pub deactivate: bool,
    /// "87 youths, 3 open requests, 2 paired organisations → 王芳, from 2026-12-01".
    pub summary: String,
    /// The successor's roster once the handover is done, and the policy's target for one
    /// roster: a preview warns when the first exceeds the second.
    pub successor_roster: u32,
    pub roster_target: u32,
}

#[server(prefix = "/api", endpoint = "roster/list")]
pub async fn manage_roster(#[server(flatten)] query: RosterQuery) -> Result<RosterPage, AppError> {
    crate::ssr::respond(super::service::page(query).await)
}

/// Moves the selected youths to another cadre; returns how many moved.
#[server(prefix = "/api", endpoint = "roster/reassign")]
pub async fn reassign(#[server(flatten)] form: ReassignForm) -> Result<u32, AppError> {
    let n = crate::ssr::respond(super::service::reassign(form).await)?;
    crate::ssr::saved_redirect();
    Ok(n)
}

/// What a handover would do, without doing it.
#[server(prefix = "/api", endpoint = "roster/handover-preview")]
pub async fn handover_preview(
    #[server(flatten)] form: HandoverForm,
) -> Result<HandoverPlan, AppError> {
    crate::ssr::respond(super::service::preview(form).await)
}

/// Hands a cadre's whole roster (and, as chosen, their pairings) over to a successor.
#[server(prefix = "/api", endpoint = "roster/handover")]
pub async fn handover(#[server(flatten)] form: HandoverForm) -> Result<HandoverPlan, AppError> {
    let plan = crate::ssr::respond(super::service::handover(form).await)?;
    crate::ssr::saved_redirect();
    Ok(plan)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ReassignForm, HandoverForm);
