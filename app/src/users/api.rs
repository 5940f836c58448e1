//! Server functions for accounts and pairings. Admins only.

use crate::error::AppError;
use crate::types::AccountsPage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewAccount {
    pub request_id: String,
    pub name: String,
    pub username: String,
    pub phone: String,
    pub role: String,
    pub org_id: String,
    pub post: String,
    pub password: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetPasswordForm {
    pub id: String,
    pub new_password: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountId {
    pub id: String,
}

/// The account whose second factor is reset (`POST /api/totp/reset`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FactorReset {
    pub account_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub id: String,
    pub role: String,
    /// Needed when the account becomes a cadre and has no post yet.
    pub post: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewPairing {
    pub request_id: String,
    pub cadre_id: String,
    pub org_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PairingId {
    pub id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountsQuery {
    /// Part of a name, username or phone number.
    pub q: String,
    /// A role (`cadre`, `supervisor`, `sysadmin`, `secadmin`, `auditor`); empty: all.
    pub role: String,
    pub page: String,
}

/// Accounts in the admin's subtree (a page of them, searched and filtered), with their
/// pairings, and the organisations to choose from.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_accounts(
    #[server(flatten)] query: AccountsQuery,
) -> Result<AccountsPage, AppError> {
    crate::ssr::respond(super::service::page(query).await)
}

/// Creates an account; returns its id. Idempotent on `request_id`.
#[server(prefix = "/api", endpoint = "users/create")]
pub async fn create_account(#[server(flatten)] form: NewAccount) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

/// Sets a new password and ends the account's sessions.
#[server(prefix = "/api", endpoint = "users/reset-password")]
pub async fn reset_password(#[server(flatten)] form: ResetPasswordForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::reset_password(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// Deactivates an account; its sessions end at once.
#[server(prefix = "/api", endpoint = "users/deactivate")]
pub async fn deactivate_account(#[server(flatten)] form: AccountId) -> Result<(), AppError> {
    crate::ssr::respond(super::service::deactivate(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// Pairs a cadre with a grassroots organisation (联系点). Idempotent on `request_id`.
#[server(prefix = "/api", endpoint = "users/pair")]
pub async fn pair_org(#[server(flatten)] form: NewPairing) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::pair(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

/// Ends a pairing (kept with its end date, for the ledgers).
#[server(prefix = "/api", endpoint = "users/unpair")]
pub async fn unpair_org(#[server(flatten)] form: PairingId) -> Result<(), AppError> {
    crate::ssr::respond(super::service::unpair(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(NewAccount, NewPairing);

/// Assigns an account a role (security administrator only); its sessions end.
#[server(prefix = "/api", endpoint = "users/role")]
pub async fn set_role(#[server(flatten)] form: RoleForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::set_role(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// Lifts a sign-in lock (security administrator only).
#[server(prefix = "/api", endpoint = "users/unlock")]
pub async fn unlock_account(#[server(flatten)] form: AccountId) -> Result<(), AppError> {
    crate::ssr::respond(super::service::unlock(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// Resets an account's second factor (security administrator; a lost phone): it signs in with
/// its password alone until it sets up another, and its sessions end.
#[server(prefix = "/api", endpoint = "totp/reset")]
pub async fn reset_totp(#[server(flatten)] form: FactorReset) -> Result<(), AppError> {
    crate::ssr::respond(super::service::reset_factor(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}
