//! Server functions of the new-friends queue: `enrol/list`, `enrol/decide`, `enrol/regenerate`.
//! Cadres only; a request in another cadre's queue is a 404.

use crate::error::AppError;
use crate::types::{EnrolSource, EnrolStatus, Gender, Sector};
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A new friend waiting (or decided, for the recent history).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolRow {
    pub id: i64,
    pub source: EnrolSource,
    pub status: EnrolStatus,
    pub name: String,
    /// In full: the youth gave it to this cadre.
    pub phone: String,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i16>,
    pub sector: Option<Sector>,
    pub workplace: Option<String>,
    pub request: Option<String>,
    /// The activity signed in at, if any.
    pub activity_id: Option<i64>,
    pub activity_title: Option<String>,
    pub notice_version: i32,
    pub consented_at: DateTime<Utc>,
    /// Under 14 (or may be): accepting needs a guardian's consent.
    pub minor: bool,
    /// A youth with this phone exists: on this roster (`mine`), on another cadre's (`elsewhere`),
    /// or on none.
    pub holder: Option<String>,
    pub youth_id: Option<i64>,
}

/// `enrol/list`: the queue and the cadre's enrolment link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolPage {
    pub pending: Vec<EnrolRow>,
    /// The last decided ones, newest first.
    pub decided: Vec<EnrolRow>,
    /// The enrolment link (`/j/<token>`) and its QR code (inline SVG).
    pub link: String,
    pub qr_svg: String,
    pub today: NaiveDate,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    pub request_id: String,
    pub id: String,
    /// `accept` or `dismiss`.
    pub decision: String,
    /// Optional corrections of what the youth gave.
    pub gender: String,
    pub birth_year: String,
    pub birth_month: String,
    pub sector: String,
    pub workplace: String,
    /// Needed to accept a youth under 14.
    pub guardian_name: String,
    pub guardian_relation: String,
    pub guardian_consent_on: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegenerateLink {
    pub request_id: String,
}

#[server(prefix = "/api", endpoint = "enrol/list")]
pub async fn enrol_list() -> Result<EnrolPage, AppError> {
    crate::ssr::respond(super::service::list().await)
}

/// Accepts (the youth joins the roster; answers their id) or dismisses a new friend.
/// Idempotent on `request_id`, and deciding a request the same way twice changes nothing.
#[server(prefix = "/api", endpoint = "enrol/decide")]
pub async fn enrol_decide(#[server(flatten)] form: DecideForm) -> Result<Option<i64>, AppError> {
    let id = crate::ssr::respond(super::service::decide(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

/// Replaces the enrolment link: the old one stops working at once.
#[server(prefix = "/api", endpoint = "enrol/regenerate")]
pub async fn enrol_regenerate(#[server(flatten)] form: RegenerateLink) -> Result<String, AppError> {
    let link = crate::ssr::respond(super::service::regenerate(form).await)?;
    crate::ssr::saved_redirect();
    Ok(link)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(DecideForm, RegenerateLink);
