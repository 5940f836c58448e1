//! Server functions of the second factor: `totp/begin`, `totp/confirm`, `totp/status`, for the
//! signed-in account itself (open also while the policy waits for it to set one up).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A factor being set up: the secret to type in, its `otpauth://` address, and that address
/// as a QR code (`POST /api/totp/begin`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpBegin {
    pub secret: String,
    pub otpauth_url: String,
    pub svg: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotpCodeForm {
    pub code: String,
}

/// The recovery codes of a factor just confirmed: this is the only time they are given out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpConfirmed {
    pub recovery_codes: Vec<String>,
}

/// The signed-in account's second factor, as `/settings` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorStatus {
    /// A confirmed factor: sign-in asks for its code.
    pub enrolled: bool,
    /// The security policy asks this account's role for one.
    pub required: bool,
    /// Unused recovery codes.
    pub recovery_left: u64,
    /// A set-up under way, not yet confirmed.
    pub pending: Option<TotpBegin>,
    /// The recovery codes of the factor just confirmed, on the one page view that shows them.
    pub reveal: Vec<String>,
}

/// Starts (or starts again) setting up a second factor. An account that has one must have it
/// reset by the security administrator first.
#[server(prefix = "/api", endpoint = "totp/begin")]
pub async fn begin_totp() -> Result<TotpBegin, AppError> {
    let begun = crate::ssr::respond(super::service::begin().await)?;
    leptos_axum::redirect("/settings?factor=begin#totp");
    Ok(begun)
}

/// Confirms the factor being set up with a code from the authenticator app; gives out the ten
/// recovery codes (once).
#[server(prefix = "/api", endpoint = "totp/confirm")]
pub async fn confirm_totp(
    #[server(flatten)] form: TotpCodeForm,
) -> Result<TotpConfirmed, AppError> {
    let confirmed = crate::ssr::respond(super::service::confirm(form).await)?;
    leptos_axum::redirect("/settings?factor=on#totp");
    Ok(confirmed)
}

#[server(prefix = "/api", endpoint = "totp/status")]
pub async fn totp_status() -> Result<FactorStatus, AppError> {
    crate::ssr::respond(super::service::status().await)
}
