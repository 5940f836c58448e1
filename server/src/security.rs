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

/// The Content-Security-Policy of a response whose inline scripts carry `nonce`: scripts only
/// from this origin or with the nonce (leptos' hydration script and its data), WebAssembly
/// compilation allowed (the islands), no plugins, no `<base>`, no framing, forms only to us.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Protective headers on every response, and a fresh CSP nonce for every request (the pages read
/// it from the request to put it on their inline scripts).
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let nonce = app::ssr::flash::random_token();
    req.extensions_mut()
        .insert(app::ssr::session::CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Same-origin form posts keep their Referer: leptos redirects a plain form back to it.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    );
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        h.insert("content-security-policy", csp);
    }
    // Pages and API answers are about someone: never kept by a browser or a proxy. Static files
    // set their own policy (`startup::static_files`).
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
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
    fn the_policy_allows_only_our_scripts_and_the_nonce() {
        let csp = content_security_policy("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(!csp.contains("unsafe-inline"));
        for d in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(d), "{d}");
        }
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
