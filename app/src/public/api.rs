//! Public server functions: `public/checkin`, `public/join`, and what their pages show
//! (`public/activity`, `public/cadre`). No session needed.

use crate::activities::rules::SignIn;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckinForm {
    pub code: String,
    pub name: String,
    pub phone: String,
    /// `true`: the youth agrees to the privacy notice shown.
    pub consent: String,
    /// A request (诉求) to pass on to the cadre, optional.
    pub request: String,
    /// Optional: a youth under 14 needs a guardian's consent before joining a roster.
    pub birth_year: String,
    pub birth_month: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub token: String,
    pub name: String,
    pub phone: String,
    /// `male` or `female`.
    pub gender: String,
    pub birth_year: String,
    pub birth_month: String,
    /// `student`, `enterprise`, `new_employment`, `community`, `migrant`, `other`.
    pub sector: String,
    pub workplace: String,
    /// `true`: the youth agrees to the privacy notice shown.
    pub consent: String,
}

/// What the sign-in page shows of an activity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInActivity {
    /// The code as it belongs in the URL.
    pub code: String,
    pub title: String,
    pub date: NaiveDate,
    pub start_time: Option<String>,
    pub place: String,
    /// The organiser's organisation (never the cadre's name or phone).
    pub organiser: String,
    pub sign_in: SignIn,
    pub notice_version: i32,
    pub notice: String,
}

/// What the join page shows of a cadre.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinCadre {
    pub token: String,
    /// The cadre's name and organisation, so the youth knows whom they ask.
    pub name: String,
    pub organisation: String,
    pub notice_version: i32,
    pub notice: String,
}

/// The activity of a sign-in code; `NotFound` for a code that is none.
#[server(prefix = "/api", endpoint = "public/activity")]
pub async fn public_activity(#[server(default)] code: String) -> Result<SignInActivity, AppError> {
    crate::ssr::respond(super::service::activity(&code).await)
}

/// The cadre of an enrolment link; `NotFound` for a link that is none (or was replaced).
#[server(prefix = "/api", endpoint = "public/cadre")]
pub async fn public_cadre(#[server(default)] token: String) -> Result<JoinCadre, AppError> {
    crate::ssr::respond(super::service::cadre(&token).await)
}

/// Signs in at an activity. The answer is the same for every phone: "签到成功".
#[server(prefix = "/api", endpoint = "public/checkin")]
pub async fn checkin(#[server(flatten)] form: CheckinForm) -> Result<String, AppError> {
    let code = form.code.clone();
    let answer = crate::ssr::respond(super::service::checkin(form).await)?;
    if crate::ssr::plain_form() {
        let code = crate::activities::rules::normalise_code(&code).unwrap_or_default();
        leptos_axum::redirect(&format!("/a/{code}?done=1"));
    }
    Ok(answer)
}

/// Asks to join a cadre's contact list. The answer is the same for every phone.
#[server(prefix = "/api", endpoint = "public/join")]
pub async fn join(#[server(flatten)] form: JoinForm) -> Result<String, AppError> {
    let token = form.token.clone();
    let answer = crate::ssr::respond(super::service::join(form).await)?;
    if crate::ssr::plain_form() {
        let token: String = token
            .trim()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        leptos_axum::redirect(&format!("/j/{token}?done=1"));
    }
    Ok(answer)
}
