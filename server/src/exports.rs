//! `GET /exports/<id>/download`, and the export worker that runs in every instance.

use app::ssr::session::RequestInfo;
use app::ssr::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::time::Duration;
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// The finished file, for its requester (or an admin over its organisation); anyone else, and
/// anything not finished, gets a 404. Signed out: to the sign-in page.
pub async fn download(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
    req: Request<Body>,
) -> Response {
    let Some(viewer) = info.viewer.as_ref() else {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/login"))],
        )
            .into_response();
    };
    match app::exports::service::download(&state.db, &state.settings, viewer, info.ip.clone(), &id)
        .await
    {
        Ok((path, name, content_type)) => {
            let mut res = match ServeFile::new(&path).oneshot(req).await {
                Ok(r) => r.map(Body::new),
                Err(e) => {
                    tracing::error!(error = %e, "export file unreadable");
                    return StatusCode::NOT_FOUND.into_response();
                }
            };
            if res.status() == StatusCode::NOT_FOUND {
                return res;
            }
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(v) = HeaderValue::from_str(&disposition(&name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `attachment` with an ASCII fallback name and the UTF-8 one (RFC 6266 / 5987).
pub fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            encoded.push(char::from(*b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Every few minutes in every instance: forgets import dry runs that can no longer be applied.
pub fn spawn_housekeeping(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match app::imports::service::sweep(&state.db).await {
                Ok(n) if n > 0 => tracing::info!(runs = n, "expired import dry runs deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "housekeeping failed"),
            }
        }
    })
}

/// Runs queued exports as they come (woken at once by a new job in this instance, and every
/// few seconds for jobs queued elsewhere or left by a stopped instance).
pub fn spawn_worker(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                () = state.settings.jobs.notified() => {}
            }
            match app::exports::worker::work(&state.db, &state.settings).await {
                Ok(n) if n > 0 => tracing::info!(jobs = n, "exports written"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "export worker failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn file_names_keep_their_chinese_for_browsers_that_read_it() {
        assert_eq!(
            disposition("台账-a-2026Q4.xlsx"),
            "attachment; filename=\"__-a-2026Q4.xlsx\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6-a-2026Q4.xlsx"
        );
    }
}
