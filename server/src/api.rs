//! The HTTP edge of the server functions under `/api/`: what leptos does not do for us.
//!
//! - A body over the limit is refused with 413 before it is read whole.
//! - A request leptos cannot decode (a duplicated field, `id[]=`, bytes that are not UTF-8)
//!   answers 400 with a message in the user's language, never the decoder's text and never 500.
//! - An error answers with its own status (422, 404, …), whatever path produced it.
//! - A plain HTML form that failed comes back to its page with a flash id in the URL, the error
//!   itself kept on the server for this browser (see `app::ssr::flash`), instead of leptos'
//!   `__err` parameter, which anyone could craft.

use app::error::AppError;
use app::i18n::{fill, Strings};
use app::ssr::flash::{self, Flash};
use app::ssr::session::{cookie_value, RequestInfo};
use app::ssr::AppState;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_axum::handle_server_fns_with_context;

/// The largest form a server function takes. Forms are small; imports (later) get their own.
pub const BODY_LIMIT: usize = 64 * 1024;
/// A roster file (10 MB) and the multipart framing around it.
pub const UPLOAD_LIMIT: usize = app::imports::rules::MAX_BYTES + 64 * 1024;
/// The one endpoint that takes a file.
pub const UPLOAD_PATH: &str = "/api/import/dry-run";
/// A file too large for an import is read to its end (and dropped) up to this size, so the
/// browser, still sending it, gets the message instead of a broken connection.
const UPLOAD_DRAIN: usize = 64 * 1024 * 1024;
/// The largest error body read back to fix its status.
const ERROR_BODY_LIMIT: usize = 256 * 1024;

/// Middleware around every `/api/` request (leptos registers a route per server function, so
/// this wraps them all); other requests pass untouched.
pub async fn edge(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let info = req
        .extensions()
        .get::<RequestInfo>()
        .cloned()
        .unwrap_or_default();
    let t = info.locale.strings();
    let html = accepts_html(req.headers());
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let flash_cookie = cookie_value(req.headers(), flash::COOKIE);
    let path = req.uri().path().to_owned();
    let edge = Edge {
        state: &state,
        info: &info,
        t,
        html,
        referer: referer.as_deref(),
        flash_cookie: flash_cookie.as_deref(),
        path: &path,
    };

    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (limit, too_large): (usize, fn(&Strings) -> AppError) = if path == UPLOAD_PATH {
        (UPLOAD_LIMIT, file_too_large)
    } else {
        (BODY_LIMIT, too_large)
    };
    if declared.is_some_and(|n| n > limit) {
        if path == UPLOAD_PATH && declared.is_some_and(|n| n <= UPLOAD_DRAIN) {
            drain(body).await;
            return edge.refuse(too_large(t)).await;
        }
        return closing(edge.refuse(too_large(t)).await);
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        // Over the limit while streaming (no or a false Content-Length): too large. Any other
        // failure is a body cut short: a plain 400.
        Err(e) if is_length_limit(&e) => return closing(edge.refuse(too_large(t)).await),
        Err(_) => {
            return closing(
                edge.refuse(AppError::BadRequest {
                    message: t.err_bad_request.to_owned(),
                })
                .await,
            )
        }
    };
    let bytes = join_list_fields(&parts.headers, bytes);
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    edge.finish(res).await
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Reads a body to its end without keeping it.
async fn drain(mut body: Body) {
    use http_body_util::BodyExt;
    while let Some(frame) = body.frame().await {
        if frame.is_err() {
            break;
        }
    }
}

/// Fields that carry a comma-separated list: a plain form's checkboxes send them once per box,
/// and they arrive here joined (any other field sent twice stays an error).
const LIST_FIELDS: &[&str] = &["youth_ids"];

fn join_list_fields(headers: &HeaderMap, body: axum::body::Bytes) -> axum::body::Bytes {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return body;
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let repeated = LIST_FIELDS
        .iter()
        .any(|f| pairs.iter().filter(|(k, _)| k == f).count() > 1);
    if !repeated {
        return body;
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for field in LIST_FIELDS {
        let joined: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
            .collect();
        if !joined.is_empty() {
            out.append_pair(field, &joined.join(","));
        }
    }
    for (k, v) in pairs
        .iter()
        .filter(|(k, _)| !LIST_FIELDS.contains(&k.as_str()))
    {
        out.append_pair(k, v);
    }
    axum::body::Bytes::from(out.finish())
}

/// Requests to `/api/` that name no server function: 404, with a message in the user's
/// language (leptos would answer 400 "Could not find a server function").
pub async fn unknown(State(state): State<AppState>, req: Request<Body>) -> Response {
    let known =
        leptos::server_fn::axum::server_fn_paths().any(|(path, _)| path == req.uri().path());
    if known {
        // A registered function reached by another method: leptos answers that.
        return handle_server_fns_with_context(move || provide_context(state.clone()), req)
            .await
            .into_response();
    }
    let t = req
        .extensions()
        .get::<RequestInfo>()
        .map_or_else(|| app::i18n::Locale::ZhCn.strings(), |i| i.locale.strings());
    (
        StatusCode::NOT_FOUND,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        serde_json::json!({ "error": "NotFound", "message": t.err_no_such_api }).to_string(),
    )
        .into_response()
}

/// The rest of a refused body is not read: the connection cannot carry another request, and
/// the client is told so instead of finding out on its next one.
fn closing(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

fn too_large(t: &Strings) -> AppError {
    AppError::TooLarge {
        message: fill(
            t.err_too_large,
            &[("max", &format!("{} KB", BODY_LIMIT / 1024))],
        ),
    }
}

fn file_too_large(t: &Strings) -> AppError {
    AppError::TooLarge {
        message: t.imp_too_big.to_owned(),
    }
}

pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// What the edge knows about the request being answered.
struct Edge<'a> {
    state: &'a AppState,
    info: &'a RequestInfo,
    t: &'static Strings,
    html: bool,
    referer: Option<&'a str>,
    flash_cookie: Option<&'a str>,
    path: &'a str,
}

impl Edge<'_> {
    /// The error as the client sees it: decoding failures become a plain 400 message.
    fn normalise(&self, err: AppError) -> AppError {
        match err {
            AppError::Transport(detail) => {
                tracing::info!(path = self.path, %detail, "undecodable request");
                AppError::BadRequest {
                    message: self.t.err_bad_request.to_owned(),
                }
            }
            other => other,
        }
    }

    /// Answers with `err` without running the server function.
    async fn refuse(&self, err: AppError) -> Response {
        if self.html {
            let back = relative(self.referer.unwrap_or("/"));
            return self.redirect_with_flash(&back, err).await;
        }
        json_error(&err)
    }

    /// Fixes up what leptos answered.
    async fn finish(&self, res: Response) -> Response {
        if res.status().is_redirection() {
            let location = res
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if let Some((back, err)) = location.as_deref().and_then(take_url_error) {
                let mut out = self.redirect_with_flash(&back, err).await;
                // keep what the function set (a cookie, say)
                for (name, value) in res.headers() {
                    if name == header::SET_COOKIE {
                        out.headers_mut().append(name, value.clone());
                    }
                }
                return out;
            }
            return res;
        }
        let is_json = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !(res.status().is_client_error() || res.status().is_server_error()) || !is_json {
            return res;
        }
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
            return json_error(&AppError::Internal);
        };
        match serde_json::from_slice::<AppError>(&bytes) {
            Ok(err) => {
                let err = self.normalise(err);
                let mut out = json_error(&err);
                for (name, value) in &parts.headers {
                    if name == header::SET_COOKIE {
                        out.headers_mut().append(name, value.clone());
                    }
                }
                out
            }
            Err(_) => Response::from_parts(parts, Body::from(bytes)),
        }
    }

    /// Keeps the failed submission for this browser and sends it back to `back` with its id.
    async fn redirect_with_flash(&self, back: &str, err: AppError) -> Response {
        let err = self.normalise(err);
        let (cookie, fresh) = match self.flash_cookie {
            Some(c) if c.len() == 32 => (c.to_owned(), false),
            _ => (flash::random_token(), true),
        };
        let flash = Flash {
            path: self.path.to_owned(),
            error: err,
        };
        let account = self.info.viewer.as_ref().map(|v| v.id);
        let location = match flash::store(&self.state.db, &cookie, account, &flash).await {
            Ok(id) => with_param(back, flash::PARAM, &id),
            Err(_) => back.to_owned(),
        };
        let mut res = (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")),
            )],
        )
            .into_response();
        if fresh {
            if let Ok(v) =
                HeaderValue::from_str(&flash::cookie(&cookie, self.state.settings.secure_cookies))
            {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        res
    }
}

pub fn json_error(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(err).unwrap_or_else(|_| "\"Internal\"".to_owned());
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The path and query of a URL (absolute or not): redirects stay on this site.
pub fn relative(url: &str) -> String {
    let Ok(base) = url::Url::parse("http://liaison.invalid/") else {
        return "/".to_owned();
    };
    match base.join(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        Err(_) => "/".to_owned(),
    }
}

/// Splits leptos' error parameters off a redirect location: the location without them (and
/// without an older flash id), and the error.
pub fn take_url_error(location: &str) -> Option<(String, AppError)> {
    let base = url::Url::parse("http://liaison.invalid/").ok()?;
    let url = base.join(location).ok()?;
    let mut err = None;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter_map(|(k, v)| match k.as_ref() {
            "__err" => {
                err = Some(ServerFnUrlError::<AppError>::decode_err(&v));
                None
            }
            "__path" | "__flash" => None,
            _ => Some((k.into_owned(), v.into_owned())),
        })
        .collect();
    let err = err?;
    let mut back = url.clone();
    back.set_query(None);
    if !kept.is_empty() {
        back.query_pairs_mut().extend_pairs(kept);
    }
    Some((relative(back.as_str()), err))
}

/// `url` with `name=value` added to its query.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{name}={value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkbox_lists_are_joined_and_other_fields_kept() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let body = axum::body::Bytes::from("youth_ids=3&to_cadre_id=9&youth_ids=5");
        let joined = join_list_fields(&h, body);
        assert_eq!(joined, "youth_ids=3%2C5&to_cadre_id=9");
        let single = axum::body::Bytes::from("youth_ids=3&to_cadre_id=9");
        assert_eq!(join_list_fields(&h, single.clone()), single);
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(
            relative("http://127.0.0.1:3000/youth/3?a=1"),
            "/youth/3?a=1"
        );
        assert_eq!(relative("https://evil.example/x"), "/x");
        assert_eq!(relative("//evil.example/x"), "/x");
        assert_eq!(relative("/visits"), "/visits");
    }

    #[test]
    fn leptos_error_parameters_are_taken_off() {
        let err = AppError::NotFound;
        let url = ServerFnUrlError::new("/api/youth/create", err.clone())
            .to_url("http://h/contacts/new?youth=3&__flash=0123")
            .unwrap();
        let (back, got) = take_url_error(url.as_str()).unwrap();
        assert_eq!(back, "/contacts/new?youth=3");
        assert_eq!(got, err);
        assert!(take_url_error("http://h/visits?saved=1").is_none());
    }
}
