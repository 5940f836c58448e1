//! Server functions for visit days.

use crate::error::AppError;
use crate::rules::{Quarter, Week, WeekStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisitRow {
    pub id: i64,
    pub date: NaiveDate,
    pub org_name: String,
    pub hours: f64,
    pub work_done: String,
    pub outcomes: String,
    /// Stored from an approved 补录申请.
    pub late: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekRow {
    pub week: Week,
    pub monday: NaiveDate,
    pub sunday: NaiveDate,
    pub status: WeekStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisitsPage {
    pub quarter: Quarter,
    pub today: NaiveDate,
    /// The quarter's weeks, newest first.
    pub weeks: Vec<WeekRow>,
    /// The quarter's visit days, newest first.
    pub visits: Vec<VisitRow>,
    /// The cadre's paired organisations: (id, name).
    pub paired: Vec<(i64, String)>,
    pub late_entry_days: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitForm {
    pub request_id: String,
    pub visit_date: String,
    pub org_id: String,
    pub hours: String,
    pub work_done: String,
    pub outcomes: String,
    /// `true`: a visit day dated past the late-entry window, filed as a 补录申请.
    pub late: String,
    /// Why it is late (required with `late=true`).
    pub late_reason: String,
}

/// The visit days of a quarter (`2026Q4`; empty for the current one) with each week's status.
#[server(prefix = "/api", endpoint = "visits/list")]
pub async fn get_visits(#[server(default)] quarter: String) -> Result<VisitsPage, AppError> {
    crate::ssr::respond(super::service::page(&quarter).await)
}

/// Logs a visit day at a paired organisation; returns its id (with `late=true`, the id of the
/// 补录申请 filed instead). Idempotent on `request_id`.
#[server(prefix = "/api", endpoint = "visits/create")]
pub async fn log_visit(#[server(flatten)] form: VisitForm) -> Result<i64, AppError> {
    let late = crate::late::service::asked(&form.late);
    let id = crate::ssr::respond(super::service::create(form).await)?;
    if late {
        // Filed, not saved: the cadre's list of late entries says so.
        leptos_axum::redirect("/late?filed=1");
    } else {
        crate::ssr::saved_redirect();
    }
    Ok(id)
}

#[server(prefix = "/api", endpoint = "visits/get")]
pub async fn visit(#[server(default)] id: String) -> Result<VisitRow, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::get(id).await)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(VisitForm);
