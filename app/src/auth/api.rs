//! Server functions of the auth area. Each is a thin adapter: it calls the service and maps the
//! outcome to HTTP (status, cookies, redirect). Field names are the form's names.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub login: String,
    pub password: String,
}

/// The second step of signing in: a code from the authenticator app, or a recovery code.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotpLoginForm {
    pub code: String,
    pub recovery_code: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    pub locale: String,
}

/// Signs in with a phone number or username and a password; redirects to the landing page.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(#[server(flatten)] form: LoginForm) -> Result<(), AppError> {
    use crate::ssr::respond;
    let landing = respond(super::service::login(form).await)?;
    leptos_axum::redirect(landing);
    Ok(())
}

/// Finishes a sign-in that a right password started, with the second factor's code (or a
/// recovery code); redirects to the landing page.
#[server(prefix = "/api", endpoint = "login/totp")]
pub async fn login_totp(#[server(flatten)] form: TotpLoginForm) -> Result<(), AppError> {
    use crate::ssr::respond;
    let landing = respond(super::service::login_totp(form).await)?;
    leptos_axum::redirect(landing);
    Ok(())
}

/// Ends the current session.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::respond;
    respond(super::service::logout().await)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Changes the signed-in account's password; other sessions of the account end.
#[server(prefix = "/api", endpoint = "password")]
pub async fn change_password(#[server(flatten)] form: PasswordForm) -> Result<(), AppError> {
    use crate::ssr::respond;
    respond(super::service::change_password(form).await)?;
    leptos_axum::redirect("/settings?done=password");
    Ok(())
}

/// Chooses the UI language: kept on the account when signed in, and in a cookie.
#[server(prefix = "/api", endpoint = "language")]
pub async fn set_language(#[server(flatten)] form: LanguageForm) -> Result<(), AppError> {
    use crate::ssr::respond;
    respond(super::service::set_language(form).await)
}
