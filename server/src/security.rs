//! Refusing state-changing requests from other origins (CSRF), and a few protective headers.

use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// True when a request that changes state may proceed: browsers name the page that sent it in
/// `Origin` (or at least `Referer`); it must be this host. Requests with neither come from
/// non-browser clients, which cookies with SameSite=Lax do not reach anyway.
pub fn same_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return false;
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source {
        None => true,
        Some("null") => false,
        Some(url) => authority(url).is_some_and(|a| a.eq_ignore_ascii_case(host)),
    }
}

/// `host[:port]` of an absolute URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

pub async fn csrf_guard(req: Request, next: Next) -> Response {
    if same_origin(req.method(), req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-origin request refused");
        (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
    }
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Same-origin form posts keep their Referer: leptos redirects a plain form back to it.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn reads_are_always_allowed() {
        let h = headers(&[("host", "a.example"), ("origin", "https://evil.example")]);
        assert!(same_origin(&Method::GET, &h));
    }

    #[test]
    fn a_post_from_another_origin_is_refused() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example"),
        ]);
        assert!(!same_origin(&Method::POST, &h));
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("referer", "http://evil.example/x"),
        ]);
        assert!(!same_origin(&Method::POST, &h));
        let h = headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]);
        assert!(!same_origin(&Method::POST, &h));
        let h = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(!same_origin(&Method::POST, &h));
    }

    #[test]
    fn a_post_from_this_origin_passes() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(same_origin(&Method::POST, &h));
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("referer", "http://127.0.0.1:3000/login?x=1"),
        ]);
        assert!(same_origin(&Method::POST, &h));
        let h = headers(&[("host", "127.0.0.1:3000")]);
        assert!(same_origin(&Method::POST, &h));
    }
}
