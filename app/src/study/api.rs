//! Server functions for study hours.

use crate::error::AppError;
use crate::types::StudyKind;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyRow {
    pub id: i64,
    pub date: NaiveDate,
    pub hours: f64,
    pub topic: String,
    pub kind: Option<StudyKind>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyPage {
    /// The first day of this month.
    pub month: NaiveDate,
    /// This month's records, newest first.
    pub rows: Vec<StudyRow>,
    pub total: f64,
    pub target: f64,
    /// Earlier months: (first day, hours), newest first.
    pub history: Vec<(NaiveDate, f64)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StudyForm {
    pub request_id: String,
    pub study_date: String,
    pub hours: String,
    pub topic: String,
    pub kind: String,
    /// `true`: study of a quarter that is approved and locked, filed as a 补录申请.
    pub late: String,
    pub late_reason: String,
}

#[server(prefix = "/api", endpoint = "study/list")]
pub async fn get_study() -> Result<StudyPage, AppError> {
    crate::ssr::respond(super::service::page().await)
}

/// Logs study hours; returns the record's id. Idempotent on `request_id`.
#[server(prefix = "/api", endpoint = "study/create")]
pub async fn log_study(#[server(flatten)] form: StudyForm) -> Result<i64, AppError> {
    let late = crate::late::service::asked(&form.late);
    let id = crate::ssr::respond(super::service::create(form).await)?;
    if late {
        leptos_axum::redirect("/late?filed=1");
    } else {
        crate::ssr::saved_redirect();
    }
    Ok(id)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(StudyForm);
