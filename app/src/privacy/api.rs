//! Server functions of `/admin/privacy`: `privacy/notices` (everything the page shows),
//! `privacy/notice-create`, `privacy/settings`, `privacy/hold`, `privacy/release`. System
//! administrator only (403 for everyone else).

use crate::error::AppError;
use crate::types::Basis;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeRow {
    pub version: i32,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Empty for the first version (written by the installation).
    pub created_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldRow {
    pub youth_id: i64,
    pub name: String,
    pub reason: String,
    pub set_at: Option<DateTime<Utc>>,
    pub set_by: String,
}

/// What `/admin/privacy` shows (`POST /api/privacy/notices`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacyView {
    /// Newest first: the first is in force.
    pub notices: Vec<NoticeRow>,
    pub default_basis: Basis,
    pub retention_years: i32,
    pub holds: Vec<HoldRow>,
    /// The last retention sweep: its day and how many youths it anonymised.
    pub last_sweep: Option<(chrono::NaiveDate, i32)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    pub request_id: String,
    pub body: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrivacySettingsForm {
    pub default_basis: String,
    pub retention_years: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoldForm {
    pub youth_id: String,
    pub reason: String,
}

#[server(prefix = "/api", endpoint = "privacy/notices")]
pub async fn get_privacy() -> Result<PrivacyView, AppError> {
    crate::ssr::respond(super::service::view().await)
}

/// Publishes a new version of the notice; returns its version. Idempotent.
#[server(prefix = "/api", endpoint = "privacy/notice-create")]
pub async fn create_notice(#[server(flatten)] form: NoticeForm) -> Result<i32, AppError> {
    let version = crate::ssr::respond(super::service::create_notice(form).await)?;
    crate::ssr::saved_redirect();
    Ok(version)
}

#[server(prefix = "/api", endpoint = "privacy/settings")]
pub async fn update_privacy_settings(
    #[server(flatten)] form: PrivacySettingsForm,
) -> Result<(), AppError> {
    crate::ssr::respond(super::service::update_settings(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// Puts a youth under a legal hold (the retention rule leaves them alone), with its reason.
#[server(prefix = "/api", endpoint = "privacy/hold")]
pub async fn set_hold(#[server(flatten)] form: HoldForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::hold(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[server(prefix = "/api", endpoint = "privacy/release")]
pub async fn release_hold(#[server(default)] youth_id: String) -> Result<(), AppError> {
    crate::ssr::respond(super::service::release(&youth_id).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(NoticeForm);
