//! Server functions for contacts.

use crate::error::AppError;
use crate::types::{Channel, RequestStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub youth_id: i64,
    pub date: NaiveDate,
    pub channel: Option<Channel>,
    pub online: bool,
    pub content: String,
    pub request: Option<String>,
    pub request_status: Option<RequestStatus>,
    pub resolution: Option<String>,
    pub duration_minutes: Option<i32>,
    pub cadre_name: String,
    /// The viewer logged it and may still change or delete it (7 days).
    pub editable: bool,
    /// Stored from an approved 补录申请.
    pub late: bool,
}

/// A contact to change, with the youth it is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactEdit {
    pub contact: ContactRow,
    pub youth_name: String,
}

/// Log (no `id`) or change (with `id`) a contact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub id: String,
    pub request_id: String,
    pub youth_id: String,
    pub contact_date: String,
    pub channel: String,
    pub content: String,
    pub request: String,
    pub duration_minutes: String,
    /// `true`: file as a 补录申请 (a contact dated past the late-entry window, or a contact
    /// logged, changed or deleted in a quarter that is approved and locked).
    pub late: String,
    /// Why it is late (required with `late=true`).
    pub late_reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub id: String,
    pub status: String,
    pub resolution: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactId {
    pub id: String,
    /// With `late=true`: the late entry's idempotency key.
    pub request_id: String,
    /// `true`: a contact of a locked quarter; the deletion is filed as a 补录申请.
    pub late: String,
    pub late_reason: String,
}

/// Logs a contact with a youth on the cadre's roster; returns its id (with `late=true`, the id of
/// the 补录申请 filed instead). Idempotent on `request_id`.
#[server(prefix = "/api", endpoint = "contacts/create")]
pub async fn log_contact(#[server(flatten)] form: ContactForm) -> Result<i64, AppError> {
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

/// Changes one's own contact within 7 days (in a locked quarter, with `late=true`: files the
/// change as a 补录申请). Returns the late entry's id when one is filed.
#[server(prefix = "/api", endpoint = "contacts/update")]
pub async fn update_contact(#[server(flatten)] form: ContactForm) -> Result<Option<i64>, AppError> {
    use crate::late::service::Outcome;
    match crate::ssr::respond(super::service::update(form).await)? {
        Outcome::Done(youth) => {
            leptos_axum::redirect(&format!("/youth/{youth}?saved=1"));
            Ok(None)
        }
        Outcome::Filed(id) => {
            leptos_axum::redirect("/late?filed=1");
            Ok(Some(id))
        }
    }
}

/// Deletes one's own contact within 7 days (in a locked quarter, with `late=true`: files the
/// deletion as a 补录申请). Returns the late entry's id when one is filed.
#[server(prefix = "/api", endpoint = "contacts/delete")]
pub async fn delete_contact(#[server(flatten)] form: ContactId) -> Result<Option<i64>, AppError> {
    use crate::late::service::Outcome;
    match crate::ssr::respond(super::service::delete(form).await)? {
        Outcome::Done(youth) => {
            leptos_axum::redirect(&format!("/youth/{youth}"));
            Ok(None)
        }
        Outcome::Filed(id) => {
            leptos_axum::redirect("/late?filed=1");
            Ok(Some(id))
        }
    }
}

/// An open request (诉求) on the viewer's roster, with the youth it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenRequest {
    pub contact: ContactRow,
    pub youth_name: String,
}

/// The requests not yet resolved across the viewer's roster, oldest first (at most 500).
#[server(prefix = "/api", endpoint = "contacts/requests")]
pub async fn open_requests() -> Result<Vec<OpenRequest>, AppError> {
    crate::ssr::respond(super::service::open_requests().await)
}

/// Moves a request along: open → in progress → resolved (with how).
#[server(prefix = "/api", endpoint = "contacts/request")]
pub async fn update_request(#[server(flatten)] form: RequestForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::update_request(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[server(prefix = "/api", endpoint = "contacts/get")]
pub async fn contact_for_edit(#[server(default)] id: String) -> Result<ContactEdit, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::for_edit(id).await)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ContactForm, ContactId);
