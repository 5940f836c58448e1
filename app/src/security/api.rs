//! Server functions of the security policy: `security/get` and `security/update`, security
//! administrator only (403 for everyone else).

use crate::error::AppError;
use crate::types::SecurityPolicy;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Every setting, as typed (the checkboxes `true` when ticked, absent or empty when not).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityForm {
    pub min_length: String,
    pub char_classes: String,
    pub expiry_days: String,
    pub history: String,
    pub lockout_attempts: String,
    pub lockout_minutes: String,
    pub idle_minutes_admin: String,
    pub idle_minutes_supervisor: String,
    pub idle_minutes_cadre: String,
    pub totp_admins: String,
    pub totp_supervisors: String,
    pub totp_everyone: String,
}

/// The policy in force, and who set it when (`POST /api/security/get`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityView {
    #[serde(flatten)]
    pub policy: SecurityPolicy,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

#[server(prefix = "/api", endpoint = "security/get")]
pub async fn get_security() -> Result<SecurityView, AppError> {
    crate::ssr::respond(super::service::get().await)
}

#[server(prefix = "/api", endpoint = "security/update")]
pub async fn update_security(#[server(flatten)] form: SecurityForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::update(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}
