//! Server functions for the policy and the work calendar. Admins only.

use crate::error::AppError;
use crate::rules::Policy;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Every number of the policy, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    pub roster_target: String,
    pub contact_due_days: String,
    pub contact_overdue_days: String,
    pub offline_contacts_per_year: String,
    pub visit_days_per_week: String,
    pub visit_late_entry_days: String,
    pub contact_late_entry_days: String,
    pub min_working_days_per_week: String,
    pub suggestions_per_quarter: String,
    pub study_hours_per_month: String,
    /// `YYYY-MM-DD`, today or later (blank: today): the day the values take effect.
    pub effective_from: String,
}

/// One version of the policy: the day it took (or takes) effect, its values, and what it
/// changed from the version before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub effective_from: NaiveDate,
    pub values: Policy,
    /// `key: old → new`, empty for the first version.
    pub changes: Vec<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The policy in force today (its fields at the top level, as before), since when, and every
/// version newest first (scheduled ones included).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyView {
    #[serde(flatten)]
    pub policy: Policy,
    pub in_force_from: NaiveDate,
    pub versions: Vec<PolicyVersion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub id: i64,
    pub day: NaiveDate,
    /// `holiday` (a weekday off) or `workday` (a weekend day worked, 调休).
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarYear {
    pub year: i32,
    /// Years that have days, and the ones around today.
    pub years: Vec<i32>,
    pub days: Vec<CalendarDay>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalendarDayForm {
    pub request_id: String,
    pub day: String,
    pub kind: String,
    pub name: String,
}

/// The policy in force today, with its history.
#[server(prefix = "/api", endpoint = "policy/get")]
pub async fn get_policy() -> Result<PolicyView, AppError> {
    crate::ssr::respond(super::service::get().await)
}

/// Sets every number of the policy from `effective_from` (blank: today); audit-logged.
#[server(prefix = "/api", endpoint = "policy/update")]
pub async fn update_policy(#[server(flatten)] form: PolicyForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::update(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// The holidays and adjusted working days of a year (empty: this year).
#[server(prefix = "/api", endpoint = "calendar/list")]
pub async fn list_calendar(#[server(default)] year: String) -> Result<CalendarYear, AppError> {
    crate::ssr::respond(super::service::year(&year).await)
}

/// Adds a holiday or an adjusted working day; returns its id.
#[server(prefix = "/api", endpoint = "calendar/add")]
pub async fn add_calendar_day(#[server(flatten)] form: CalendarDayForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::add(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

#[server(prefix = "/api", endpoint = "calendar/delete")]
pub async fn delete_calendar_day(#[server(default)] id: String) -> Result<(), AppError> {
    crate::ssr::respond(super::service::delete(&id).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}
