//! Request plumbing shared by every feature area, server only: state and settings, sessions, the
//! authorisation guard, flash messages, idempotency, validation, throttling, passwords, the audit
//! log and mail. It names no feature area (CI checks it); the data it works on is in `model`.

pub mod audit;
pub mod cache;
pub mod flash;
pub mod guard;
pub mod limit;
pub mod mail;
pub mod once;
pub mod password;
pub mod session;
pub mod throttle;
pub mod validate;
pub mod writer;

use crate::error::AppError;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Settings the request handlers need (the server's typed configuration maps into this).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Demo mode: the sign-in page shows the demo accounts.
    pub demo: bool,
    /// Trust `X-Forwarded-For` for the client address (behind a reverse proxy).
    pub trust_proxy: bool,
    /// How many proxies append to `X-Forwarded-For` in front of the app: the client address is
    /// that many entries from the right (the entries further left are the client's own claims).
    pub proxy_hops: usize,
    /// Absolute lifetime of a session.
    pub session_days: i64,
    /// The stylesheet's address (content-hashed in release builds).
    pub css_href: String,
    /// The bundle's addresses (the service worker keeps them).
    pub pkg_files: Vec<String>,
    /// The outbox script's address, named by its content (`/outbox.js?v=…`).
    pub outbox_href: String,
    /// The app's address as users reach it (links in emails, the calendar feed's address).
    pub public_url: String,
    /// SMTP, when configured (`--smtp-url`, `--mail-from`): reminders go by email too.
    pub mailer: Option<Arc<mail::Mailer>>,
    /// This app instance among those sharing the database (host, process id, a random part).
    pub instance: String,
    pub host: String,
    /// Where finished exports are kept (shared by every instance: see the README).
    pub export_dir: std::path::PathBuf,
    /// Wakes this instance's export worker when a job is queued.
    pub jobs: Arc<tokio::sync::Notify>,
    /// The CJK font of PDF exports, and the face in its collection.
    pub pdf_font: std::path::PathBuf,
    pub pdf_font_index: u32,
    /// Uploads parsed at once in this instance, off the async threads (`--upload-parsers`):
    /// one user's file never stalls the requests of others.
    pub parsers: Arc<tokio::sync::Semaphore>,
}

/// The settings' defaults, the one copy: the server's flags and `Settings::default` read them.
pub mod defaults {
    pub const PROXY_HOPS: usize = 1;
    pub const SESSION_DAYS: i64 = 30;
    pub const PUBLIC_URL: &str = "http://127.0.0.1:3000";
    pub const EXPORT_DIR: &str = "data/exports";
    /// The CJK font PDF exports draw with (Debian's `fonts-noto-cjk`), and its face: Simplified
    /// Chinese is face 2 of the collection.
    pub const PDF_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
    pub const PDF_FONT_INDEX: u32 = 2;
    pub const UPLOAD_PARSERS: usize = 1;
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            demo: false,
            trust_proxy: false,
            proxy_hops: defaults::PROXY_HOPS,
            session_days: defaults::SESSION_DAYS,
            css_href: "/pkg/liaison.css".to_owned(),
            pkg_files: Vec::new(),
            outbox_href: "/outbox.js".to_owned(),
            public_url: defaults::PUBLIC_URL.to_owned(),
            mailer: None,
            instance: "local".to_owned(),
            host: "localhost".to_owned(),
            export_dir: std::path::PathBuf::from(defaults::EXPORT_DIR),
            jobs: Arc::default(),
            pdf_font: std::path::PathBuf::from(defaults::PDF_FONT),
            pdf_font_index: defaults::PDF_FONT_INDEX,
            parsers: Arc::new(tokio::sync::Semaphore::new(defaults::UPLOAD_PARSERS)),
        }
    }
}

/// Counters the tests read to prove what happened inside the app.
#[derive(Debug, Default)]
pub struct Metrics {
    pub password_verifications: password::Verifications,
}

/// The one application state, given to page rendering and to server functions alike.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// Where writes that many requests make queue (see [`writer`]).
    pub writer: writer::Writer,
    /// Settings every request reads, kept per instance (see [`cache`]).
    pub cache: Arc<cache::Cache>,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
}

/// The state of the running app, from the request context.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// Today in Asia/Shanghai: every date the app stores or compares is a Shanghai calendar date.
pub fn today() -> chrono::NaiveDate {
    crate::rules::shanghai_date(chrono::Utc::now())
}

/// A record id from a request: anything but a positive number names no record.
///
/// # Errors
/// `NotFound`.
pub fn record_id(value: &str) -> Result<i64, AppError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// Appends a `Set-Cookie` header to the response being built.
pub fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&value),
    ) {
        res.append_header(axum::http::header::SET_COOKIE, v);
    }
}

/// Whether the request is a browser's plain form post (it takes HTML back), not an API call or
/// an enhanced form's fetch.
pub fn plain_form() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// Gives an error its HTTP status for API clients. A plain HTML form post is left alone: leptos
/// answers it with a redirect back to the form, carrying the error in the URL.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if !plain_form() {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(
                    axum::http::StatusCode::from_u16(err.status())
                        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
    }
    result
}

/// After a successful plain-form save, go back to the form's page with `saved=1` (it shows a
/// notice). A JavaScript-enhanced form stays where it is and shows the notice itself.
pub fn saved_redirect() {
    redirect_back(None);
}

/// [`saved_redirect`], landing at the element `anchor` of the page rather than its top: a row's
/// button on a long list leaves the reader where they were.
pub fn saved_redirect_to(anchor: &str) {
    redirect_back(Some(anchor));
}

fn redirect_back(anchor: Option<&str>) {
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return;
    };
    let plain_form = parts
        .headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = parts
        .headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok());
    if let (true, Some(referer)) = (plain_form, referer) {
        let back = with_saved_flag(referer);
        match anchor.filter(|a| a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
            Some(a) => leptos_axum::redirect(&format!("{back}#{a}")),
            None => leptos_axum::redirect(&back),
        }
    }
}

/// `referer` without leptos' error parameters and with `saved=1`.
pub fn with_saved_flag(referer: &str) -> String {
    let (path, query) = referer.split_once('?').unwrap_or((referer, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            !["__path=", "__err=", "__flash=", "saved="]
                .iter()
                .any(|k| p.starts_with(k))
        })
        .collect();
    params.push("saved=1");
    format!("{path}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::with_saved_flag;

    #[test]
    fn the_saved_flag_replaces_error_parameters() {
        assert_eq!(
            with_saved_flag("http://h/youth/3"),
            "http://h/youth/3?saved=1"
        );
        assert_eq!(
            with_saved_flag("http://h/contacts/new?youth=3&__path=%2Fapi%2Fx&__err=abc&__flash=f"),
            "http://h/contacts/new?youth=3&saved=1"
        );
        assert_eq!(with_saved_flag("/visits?saved=1"), "/visits?saved=1");
    }
}
