//! Server functions of `/admin/pi-requests`: `pi-requests/list`, `create`, `act`, `find`. System
//! administrator only (403 for everyone else). The copy of a youth's information is a download,
//! `GET /pi-requests/<id>/copy?format=json|xlsx`.

use crate::error::AppError;
use crate::types::{PiKind, PiStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PiRow {
    pub id: i64,
    pub youth_id: i64,
    pub youth_name: String,
    /// 138****1234.
    pub phone: String,
    pub kind: PiKind,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Open and past its due date.
    pub overdue: bool,
    /// Days until it is due (negative: overdue by that many).
    pub days_left: i64,
    pub status: PiStatus,
    /// The code of what was done (`copy`, `correct`, `anonymise`, `refuse`, `withdraw`).
    pub action: Option<String>,
    pub comment: Option<String>,
    pub note: String,
    pub anonymised: bool,
    pub withdrawn: bool,
}

/// One page of requests (`POST /api/pi-requests/list`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PiPage {
    pub rows: Vec<PiRow>,
    pub page: usize,
    pub pages: usize,
    /// The filter as understood: empty (all), `open`, `overdue`, `done` or `refused`.
    pub status: String,
    pub open: u64,
    pub overdue: u64,
    pub today: NaiveDate,
}

/// A youth found by name or phone, to record a request for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoundYouth {
    pub id: i64,
    pub name: String,
    /// 138****1234.
    pub phone: String,
    /// wx****23.
    pub wechat: Option<String>,
    pub workplace: String,
    /// The cadre holding them (empty: on no roster).
    pub cadre: String,
    pub withdrawn: bool,
    pub held: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PiForm {
    pub request_id: String,
    pub youth_id: String,
    /// `copy`, `correct`, `delete` or `withdraw`.
    pub kind: String,
    pub received_on: String,
    pub note: String,
}

/// What is done about a request. A correction carries the corrected fields (empty: unchanged).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActForm {
    pub request_id: String,
    pub id: String,
    /// `copy`, `correct`, `anonymise` or `refuse`.
    pub action: String,
    pub comment: String,
    pub name: String,
    pub gender: String,
    pub birth_year: String,
    pub birth_month: String,
    pub phone: String,
    pub wechat: String,
    pub workplace: String,
}

#[server(prefix = "/api", endpoint = "pi-requests/list")]
pub async fn list_pi_requests(
    #[server(default)] status: String,
    #[server(default)] page: String,
) -> Result<PiPage, AppError> {
    crate::ssr::respond(super::service::list(&status, &page).await)
}

/// Records a request; returns its id. Its due date is 15 working days after it was received.
#[server(prefix = "/api", endpoint = "pi-requests/create")]
pub async fn create_pi_request(#[server(flatten)] form: PiForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

#[server(prefix = "/api", endpoint = "pi-requests/act")]
pub async fn act_on_pi_request(#[server(flatten)] form: ActForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::act(form).await)?;
    crate::ssr::saved_redirect_to(&format!("pi-{id}"));
    Ok(id)
}

/// Youths by name (a part of it) or phone number (whole), at most 20.
#[server(prefix = "/api", endpoint = "pi-requests/find")]
pub async fn find_youths(#[server(default)] q: String) -> Result<Vec<FoundYouth>, AppError> {
    crate::ssr::respond(super::service::find(&q).await)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(PiForm, ActForm);
