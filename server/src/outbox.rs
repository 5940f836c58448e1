//! The server's half of the phone's outbox (`public/outbox.js`, `public/sw.js`).
//!
//! - `POST /api/outbox/replay`: the records that waited on a phone, in one request (on a slow
//!   link, one round trip for many). Each is replayed through the application itself as the
//!   form post it would have been, in order, with the sender's cookies and origin: the same
//!   session, account check, validation, audit and request-id guarantee as a form sent online.
//!   The first record the server cannot take now (signed out, too many requests, a server
//!   error) stops the batch, so records arrive in the order they were typed.
//! - `GET /sw.js`: the service worker, stamped with this build (a new deployment is a new
//!   worker, whose caches replace the old ones) and the files it keeps.

use crate::assets::{Packed, REVALIDATE};
use app::components::outbox::{is_queued, BATCH, SCRIPT_PATH};
use app::ssr::session::ACCOUNT_HEADER;
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{header, Method, StatusCode},
    response::{IntoResponse, Response},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use tower::ServiceExt;

/// A replay's body: up to [`BATCH`] records, each a form no larger than one sent online.
pub const REPLAY_LIMIT: usize = (BATCH + 1) * crate::api::BODY_LIMIT;

#[derive(Deserialize)]
struct Replay {
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    id: String,
    action: String,
    body: String,
}

/// What became of one record: the status its own request got (0: not tried, send it again
/// later) and, when refused, the error the form would have shown.
#[derive(Serialize)]
pub struct Outcome {
    id: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<serde_json::Value>,
}

/// The headers a replayed record keeps from the replay: who (cookies, account), from where
/// (origin, for the CSRF check, and the client address) and in which language.
const KEPT: [&str; 10] = [
    "cookie",
    "host",
    "origin",
    "referer",
    "user-agent",
    "accept-language",
    "x-forwarded-for",
    "x-real-ip",
    "sec-fetch-site",
    ACCOUNT_HEADER,
];

pub async fn replay(State(app): State<Router>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, REPLAY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "replay too large").into_response();
    };
    let Ok(replay) = serde_json::from_slice::<Replay>(&bytes) else {
        return (StatusCode::BAD_REQUEST, "malformed replay").into_response();
    };
    if replay.records.len() > BATCH {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too many records").into_response();
    }
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied();
    let mut results = Vec::with_capacity(replay.records.len());
    let mut stopped = false;
    for record in replay.records {
        if stopped {
            results.push(Outcome {
                id: record.id,
                status: 0,
                error: None,
            });
            continue;
        }
        if !is_queued(&record.action) {
            results.push(Outcome {
                id: record.id,
                status: 404,
                error: None,
            });
            continue;
        }
        let mut sub = Request::builder()
            .method(Method::POST)
            .uri(&record.action)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        for name in KEPT {
            for value in parts.headers.get_all(name) {
                sub = sub.header(name, value.clone());
            }
        }
        let Ok(mut sub) = sub.body(Body::from(record.body)) else {
            results.push(Outcome {
                id: record.id,
                status: 400,
                error: None,
            });
            continue;
        };
        if let Some(peer) = peer {
            sub.extensions_mut().insert(peer);
        }
        let res = match app.clone().oneshot(sub).await {
            Ok(res) => res,
            Err(never) => match never {},
        };
        let status = res.status().as_u16();
        let error = if res.status().is_success() {
            None
        } else {
            let bytes = axum::body::to_bytes(res.into_body(), 256 * 1024)
                .await
                .unwrap_or_default();
            serde_json::from_slice(&bytes).ok()
        };
        stopped = matches!(status, 401 | 408 | 429) || status >= 500;
        results.push(Outcome {
            id: record.id,
            status,
            error,
        });
    }
    Json(serde_json::json!({ "results": results })).into_response()
}

/// `GET /sw.js`, made once at start-up from `public/sw.js`: this build's name (from the bundle's
/// hashes, the two scripts' text and the manifest), the files it keeps, the queued forms. Checked on every
/// visit (`no-cache`, answered 304 when unchanged): a new deployment is picked up at once.
pub fn worker(site_root: &std::path::Path, pkg_files: &[String], script: &Packed) -> Router {
    let template = std::fs::read_to_string(site_root.join("sw.js")).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(template.as_bytes());
    h.update(script.text());
    h.update(std::fs::read(site_root.join("manifest.webmanifest")).unwrap_or_default());
    for f in pkg_files {
        h.update(f.as_bytes());
    }
    let build = hex::encode(&h.finalize()[..6]);
    let mut keep: Vec<String> = pkg_files.to_vec();
    let script_href = script.href(SCRIPT_PATH);
    keep.extend([script_href.clone(), "/manifest.webmanifest".to_owned()]);
    let t = app::i18n::Locale::default().strings();
    let queued: Vec<&str> = app::components::outbox::queued(t)
        .iter()
        .map(|(p, _)| *p)
        .collect();
    let text = if template.is_empty() {
        String::new()
    } else {
        template
            .replace("__BUILD__", &build)
            .replace("__OUTBOX__", &script_href)
            .replace(
                "__PRECACHE__",
                &serde_json::to_string(&keep).unwrap_or_default(),
            )
            .replace(
                "__QUEUED__",
                &serde_json::to_string(&queued).unwrap_or_default(),
            )
            .replace(
                "__LOGOUT__",
                <app::auth::api::Logout as leptos::server_fn::ServerFn>::PATH,
            )
    };
    Packed::new(text.into_bytes(), JAVASCRIPT, REVALIDATE).router()
}

/// `GET /outbox.js`: the page's outbox (also loaded by the worker).
pub fn script(site_root: &std::path::Path) -> Packed {
    let text =
        std::fs::read(site_root.join(SCRIPT_PATH.trim_start_matches('/'))).unwrap_or_default();
    Packed::new(text, JAVASCRIPT, REVALIDATE)
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
