//! The today page's data in one call.

use crate::error::AppError;
use crate::rules::{Quarter, Week, WeekStatus};
use crate::suggestions::api::Coverage;
use crate::youth::api::RosterEntry;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TodayPage {
    pub week: Week,
    pub week_status: WeekStatus,
    pub roster_total: usize,
    pub roster_target: u32,
    pub due: usize,
    pub overdue: usize,
    /// The first few youths to contact, most overdue first.
    pub to_contact: Vec<RosterEntry>,
    pub quarter: Quarter,
    pub quarter_days_left: i64,
    pub suggestions: Vec<Coverage>,
    pub study_hours: f64,
    pub study_target: f64,
}

#[server(prefix = "/api", endpoint = "today")]
pub async fn get_today() -> Result<TodayPage, AppError> {
    crate::ssr::respond(super::service::page().await)
}
