//! Server functions of `/activities`: `activities/create`, `update`, `list`, `get`, `close`.
//! Cadres only; a cadre sees and changes their own activities (another's is a 404).

use super::rules::SignIn;
use crate::error::AppError;
use crate::types::ActivityKind;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Create (no `id`) or change (with `id`) an activity and its ticked attendees.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub id: String,
    pub request_id: String,
    pub title: String,
    /// `theme_day`, `volunteer`, `lecture`, `social`, `training`, `other`.
    pub kind: String,
    pub activity_date: String,
    /// `HH:MM`, optional: the sign-in opens an hour before it.
    pub start_time: String,
    pub place: String,
    /// A grassroots organisation, optional.
    pub org_id: String,
    /// Comma-separated youth ids from the cadre's roster (checkboxes send one each).
    pub youth_ids: String,
    /// With `update`: when the form was loaded (RFC 3339). Youths who signed in since then stay
    /// attendees even though the form did not tick them.
    pub loaded_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityId {
    pub id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityQuery {
    /// `2026Q4`; empty: this quarter.
    pub quarter: String,
    /// 1-based.
    pub page: String,
}

/// An activity in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub id: i64,
    pub title: String,
    pub kind: ActivityKind,
    pub date: NaiveDate,
    pub start_time: Option<String>,
    pub place: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    /// Attendees (each one contact).
    pub attendees: u32,
    /// Of them, by their own sign-in.
    pub signed_in: u32,
    pub sign_in: SignIn,
}

/// `activities/list`: one page of the cadre's activities of a quarter, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivitiesPage {
    pub quarter: String,
    pub quarters: Vec<String>,
    pub rows: Vec<ActivityRow>,
    pub page: usize,
    pub pages: usize,
    /// The quarter's totals: activities, attendances (人次), distinct youths.
    pub held: u32,
    pub attendances: u32,
    pub youths: u32,
    /// New friends waiting in the cadre's queue.
    pub pending: u32,
    /// The roster, to tick who came on the new activity's form.
    pub roster: Vec<Pick>,
    /// Organisations an activity may name: (id, name), paired ones first.
    pub orgs: Vec<(i64, String)>,
    pub today: NaiveDate,
    pub late_entry_days: i64,
}

/// A youth on the activity or the roster to tick.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub youth_id: i64,
    pub name: String,
    pub workplace: String,
    pub attending: bool,
    /// Came in by their own sign-in.
    pub signed_in: bool,
    /// The request (诉求) they left when signing in.
    pub request: Option<String>,
}

/// The visit day an activity at a paired organisation on a working day can also be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisitOffer {
    pub org_id: i64,
    pub org_name: String,
    pub date: NaiveDate,
}

/// `activities/get`: an activity with its code, its attendees and the roster to tick.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityDetail {
    pub row: ActivityRow,
    /// The sign-in code as shown (`ABCD-EFGH-JKMN`) and its address.
    pub code: String,
    pub url: String,
    /// The address as a QR code (inline SVG, drawn on the server).
    pub qr_svg: String,
    /// Attendees first, then the rest of the roster.
    pub picks: Vec<Pick>,
    /// Attendees no longer on the roster (they stay attendees).
    pub former: Vec<Pick>,
    pub visit_offer: Option<VisitOffer>,
    /// Attendees can still be changed (the date is within the late-entry window, not locked).
    pub editable: bool,
    pub orgs: Vec<(i64, String)>,
    /// When this was read (RFC 3339), for the form's `loaded_at`.
    pub loaded_at: String,
    pub today: NaiveDate,
}

/// Creates an activity; each ticked youth becomes an attendee (one contact). Idempotent on
/// `request_id`. Returns its id.
#[server(prefix = "/api", endpoint = "activities/create")]
pub async fn create_activity(#[server(flatten)] form: ActivityForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    if crate::ssr::plain_form() {
        leptos_axum::redirect(&format!("/activities/{id}?saved=1"));
    }
    Ok(id)
}

/// Changes an activity and its attendees: ticked youths are added, unticked ones removed (with
/// their contact). Sending the same form again changes nothing.
#[server(prefix = "/api", endpoint = "activities/update")]
pub async fn update_activity(#[server(flatten)] form: ActivityForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::update(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

#[server(prefix = "/api", endpoint = "activities/list")]
pub async fn list_activities(
    #[server(flatten)] query: ActivityQuery,
) -> Result<ActivitiesPage, AppError> {
    crate::ssr::respond(super::service::list(query).await)
}

#[server(prefix = "/api", endpoint = "activities/get")]
pub async fn get_activity(#[server(default)] id: String) -> Result<ActivityDetail, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::get(id).await)
}

/// Closes the sign-in early. Closing twice is fine.
#[server(prefix = "/api", endpoint = "activities/close")]
pub async fn close_activity(#[server(flatten)] form: ActivityId) -> Result<(), AppError> {
    crate::ssr::respond(super::service::close(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ActivityForm);
