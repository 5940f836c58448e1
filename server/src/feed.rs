//! `GET /cal/<token>.ics`: the personal calendar feed. The token is a secret: a wrong or
//! replaced one is a 404 like any unknown page, and it never reaches the logs.

use app::ssr::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match app::reminders::feed::for_token(&state.db, token, &state.settings.public_url).await {
        Ok(Some(feed)) => {
            let etag = HeaderValue::from_str(&feed.etag).ok();
            let unchanged = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == feed.etag));
            let mut res = if unchanged {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/calendar; charset=utf-8"),
                    )],
                    feed.body,
                )
                    .into_response()
            };
            let h = res.headers_mut();
            if let Some(etag) = etag {
                h.insert(header::ETAG, etag);
            }
            // Calendars poll: they may keep a copy, but ask again each time (the ETag makes
            // that a 304 when nothing changed).
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            );
            res
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The request span of the HTTP trace, with calendar tokens cut out of the path.
pub fn redacted_span(req: &Request<Body>) -> tracing::Span {
    let path = req.uri().path();
    let shown = if path.starts_with("/cal/") {
        "/cal/…"
    } else {
        path
    };
    tracing::debug_span!("request", method = %req.method(), uri = %shown)
}
