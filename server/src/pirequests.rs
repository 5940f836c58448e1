//! `GET /pi-requests/<id>/copy?format=json|xlsx`: the copy a youth asked for (PIPL Art. 45).

use app::ssr::session::RequestInfo;
use app::ssr::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CopyQuery {
    pub format: String,
}

pub async fn copy(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
    Query(q): Query<CopyQuery>,
) -> Response {
    let Some(viewer) = info.viewer.as_ref() else {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/login"))],
        )
            .into_response();
    };
    match app::pirequests::service::copy_file(&state.db, viewer, info.ip.clone(), &id, &q.format)
        .await
    {
        Ok((bytes, name, content_type)) => {
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(v) = HeaderValue::from_str(&crate::exports::disposition(&name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Err(app::error::AppError::Internal) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
