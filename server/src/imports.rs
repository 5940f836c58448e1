//! `POST /api/import/dry-run` (a multipart upload: `file`) and the templates at
//! `GET /import/template.xlsx` and `GET /import/template.csv`.

use crate::api::{accepts_html, json_error, relative};
use app::error::AppError;
use app::ssr::session::RequestInfo;
use app::ssr::AppState;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use leptos::server_fn::error::ServerFnUrlError;

/// Checks the uploaded file: JSON (the report) for API clients; for a plain form, to the import
/// page showing the report, or back to the form with the message.
pub async fn dry_run(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let html = accepts_html(&headers);
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "/admin/import".to_owned(), relative);
    let answer = |result: Result<Response, AppError>| match result {
        Ok(r) => r,
        Err(err) if html => {
            match ServerFnUrlError::new(crate::api::UPLOAD_PATH, err.clone())
                .to_url(&format!("http://liaison.invalid{back}"))
            {
                Ok(url) => see_other(&relative(url.as_str())),
                Err(_) => json_error(&err),
            }
        }
        Err(err) => json_error(&err),
    };
    let Some(viewer) = info.viewer.clone() else {
        return answer(Err(AppError::Unauthenticated));
    };
    let t = viewer.locale.strings();
    let refuse = |code: &str, message: &str, name: &str| {
        let mut v = app::ssr::validate::Validator::new(viewer.locale);
        v.fail("file", code, message);
        #[derive(serde::Serialize)]
        struct Echo<'a> {
            file: &'a str,
        }
        v.finish(&Echo { file: name })
            .err()
            .unwrap_or(AppError::Internal)
    };
    let Ok(mut multipart) = multipart else {
        return answer(Err(refuse("required", t.imp_no_file, "")));
    };
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_owned();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    // Too large is told as such; anything else is a body cut short.
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return answer(Err(AppError::TooLarge {
                            message: t.imp_too_big.to_owned(),
                        }))
                    }
                    Err(_) => {
                        return answer(Err(AppError::BadRequest {
                            message: t.imp_truncated.to_owned(),
                        }))
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                return answer(Err(AppError::BadRequest {
                    message: t.imp_truncated.to_owned(),
                }))
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return answer(Err(refuse("required", t.imp_no_file, "")));
    };
    if bytes.len() > app::imports::rules::MAX_BYTES {
        return answer(Err(AppError::TooLarge {
            message: t.imp_too_big.to_owned(),
        }));
    }
    let result =
        app::imports::service::dry_run(&state, &viewer, info.ip.clone(), &name, bytes).await;
    answer(result.map(|report| {
        if html {
            see_other(&format!("/admin/import?run={}", report.id))
        } else {
            Json(report).into_response()
        }
    }))
}

fn see_other(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The empty template, for anyone signed in as a supervisor or admin (it holds no data).
pub async fn template(
    Extension(info): Extension<RequestInfo>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let allowed = info
        .viewer
        .as_ref()
        .is_some_and(|v| app::types::Role::IMPORTERS.contains(&v.role));
    let (xlsx, content_type, name) = match file.as_str() {
        "template.xlsx" => (
            true,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "%E9%9D%92%E5%B9%B4%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx",
        ),
        "template.csv" => (
            false,
            "text/csv; charset=utf-8",
            "%E9%9D%92%E5%B9%B4%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.csv",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    match app::imports::service::template(xlsx) {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"{file}\"; filename*=UTF-8''{name}");
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
