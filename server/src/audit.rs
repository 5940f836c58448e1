//! `GET /audit/export.csv`: the filtered audit trail as CSV, for auditors, streamed in batches
//! (a district's trail has millions of rows: none is held whole). The export itself is recorded.

use app::audit::api::AuditQuery;
use app::audit::service::{batch, csv_line, filter, CSV_HEADER};
use app::ssr::audit::{self, Outcome};
use app::ssr::session::RequestInfo;
use app::ssr::AppState;
use app::types::Role;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

const BATCH: u64 = 2_000;

pub async fn export_csv(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<AuditQuery>,
) -> Response {
    let Some(viewer) = info.viewer.clone() else {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/login"))],
        )
            .into_response();
    };
    if viewer.role != Role::Auditor {
        return StatusCode::FORBIDDEN.into_response();
    }
    let db = state.db.clone();
    let f = match filter(&db, &viewer, &query).await {
        Ok(f) => f,
        Err(e) => return crate::api::json_error(&e),
    };
    let recorded = audit::record(
        &db,
        audit::Entry {
            actor_id: Some(viewer.id),
            role: Some(viewer.role),
            action: "audit_export",
            entity: "audit_log",
            entity_id: None,
            details: f.describe(&query),
            ip: info.ip.clone(),
            result: Outcome::Success,
        },
    )
    .await;
    if recorded.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // (filter, the seq to continue below, done)
    let stream = futures_util::stream::unfold(
        (db, f, None::<i64>, false, true),
        |(db, f, before, done, first)| async move {
            if done {
                return None;
            }
            let rows = match batch(&db, &f, before, BATCH).await {
                Ok(r) => r,
                Err(_) => {
                    return Some((
                        Err(std::io::Error::other("audit export failed")),
                        (db, f, before, true, false),
                    ))
                }
            };
            let mut out = String::new();
            if first {
                out.push_str(CSV_HEADER);
            }
            for r in &rows {
                out.push_str(&csv_line(r));
            }
            let last = rows.last().map(|r| r.seq);
            let done = (rows.len() as u64) < BATCH;
            Some((Ok(Bytes::from(out)), (db, f, last.or(before), done, false)))
        },
    );
    let name = format!("audit-{}.csv", app::ssr::today().format("%Y%m%d"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        // Fused: the compression layer polls once more after the end, which an unfold may not
        // be.
        Body::from_stream(futures_util::StreamExt::fuse(stream)),
    )
        .into_response()
}
