//! `GET /settings/email/confirm?token=…`: the link mailed to a new address for reminders.

use app::ssr::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(serde::Deserialize)]
pub struct Confirm {
    #[serde(default)]
    token: String,
}

/// Confirms the address (anyone holding the link may: it went to that address only), then
/// back to the settings page, which says whether it worked.
pub async fn confirm(State(state): State<AppState>, Query(q): Query<Confirm>) -> Response {
    let to = match app::reminders::service::confirm_email(&state.db, q.token.trim()).await {
        Ok(_) => "/settings?email=confirmed#notifications",
        Err(_) => "/settings?email=invalid#notifications",
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, HeaderValue::from_static(to)),
            // The token is in this URL: keep it out of the next page's Referer.
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
    )
        .into_response()
}
