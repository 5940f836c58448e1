//! The browser bundle (`/pkg`: the islands' JS and wasm, the stylesheet).
//!
//! Release builds name each file by a hash of its content (cargo-leptos `hash-files`) and write
//! brotli and gzip copies next to it (`--precompress`). So the files are served with
//! `Cache-Control: immutable` for a year (a new build has new names), compressed at build time
//! with the best settings instead of on every request; a page after the first transfers only its
//! own HTML.

use axum::body::Bytes;
use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::Response,
    Router,
};
use sha2::Digest;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the hashed names are, and the stylesheet's address.
#[derive(Clone, Debug)]
pub struct Assets {
    /// cargo-leptos' `hash.txt`, when this build has hashed names.
    pub hash_file: Option<PathBuf>,
    pub css_href: String,
    /// The bundle's addresses (JS, wasm, CSS): what the service worker keeps.
    pub pkg_files: Vec<String>,
}

impl Assets {
    /// Looks for `hash.txt` next to the server binary (where cargo-leptos writes it), then in the
    /// site root (where a deployment may copy it); uses it only if the files it names are there.
    pub fn find(site_root: &Path) -> Assets {
        let beside_exe = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("hash.txt")));
        let candidates = beside_exe.into_iter().chain([site_root.join("hash.txt")]);
        for path in candidates {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let hashes = parse_hashes(&text);
            let names = ["js", "wasm", "css"].map(|ext| {
                hashes
                    .iter()
                    .find(|(e, _)| e == ext)
                    .map(|(_, h)| format!("liaison.{h}.{ext}"))
            });
            let [Some(js), Some(wasm), Some(css)] = names else {
                continue;
            };
            let pkg = site_root.join("pkg");
            if [&js, &wasm, &css].iter().all(|f| pkg.join(f).is_file()) {
                let hash_file = std::fs::canonicalize(&path).unwrap_or(path);
                return Assets {
                    hash_file: Some(hash_file),
                    css_href: format!("/pkg/{css}"),
                    pkg_files: [&js, &wasm, &css].map(|f| format!("/pkg/{f}")).to_vec(),
                };
            }
            tracing::warn!(hash_file = %path.display(), "hash file names files the site does not have; ignored");
        }
        Assets {
            hash_file: None,
            css_href: "/pkg/liaison.css".to_owned(),
            pkg_files: ["liaison.js", "liaison.wasm", "liaison.css"]
                .map(|f| format!("/pkg/{f}"))
                .to_vec(),
        }
    }
}

/// `js: abc` lines of cargo-leptos' hash file.
fn parse_hashes(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(_, v)| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect()
}

/// True for `liaison.<hash>.<ext>`: the name changes whenever the content does.
pub fn is_hashed(file: &str) -> bool {
    file.split('.').count() >= 3
}

/// Serves the bundle: precompressed copies when the browser takes them, and a cache policy by
/// name (a year for hashed names, revalidation for the rest).
pub fn static_files(pkg_dir: &Path) -> Router {
    Router::new()
        .fallback_service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::from_fn(cache_policy))
}

/// A file of the site root whose name never changes (the icons, the manifest, the outbox
/// script), with its cache policy: a week for icons, revalidation for what a deployment changes.
pub fn site_file(site_root: &Path, name: &str, policy: &'static str) -> Router {
    Router::new()
        .fallback_service(ServeFile::new(site_root.join(name)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(policy),
        ))
}

/// A small text file served from memory: made once at start-up with brotli (best quality) and
/// gzip copies, like the bundle's (`--precompress`), and an ETag, so a revalidation that finds
/// it unchanged is a 304.
#[derive(Clone, Debug)]
pub struct Packed {
    plain: Bytes,
    br: Bytes,
    gzip: Bytes,
    etag: HeaderValue,
    /// Names this content: asked for as `?v=<version>` it is cached for a year.
    version: String,
    content_type: &'static str,
    policy: &'static str,
}

impl Packed {
    pub fn new(body: Vec<u8>, content_type: &'static str, policy: &'static str) -> Packed {
        use std::io::Write;
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            let _ = w.write_all(&body);
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gz.write_all(&body);
        let gzip = gz.finish().unwrap_or_default();
        let digest = sha2::Sha256::digest(&body);
        let version = hex::encode(&digest[..8]);
        let etag = HeaderValue::from_str(&format!("\"{version}\""))
            .unwrap_or(HeaderValue::from_static("\"0\""));
        Packed {
            plain: body.into(),
            br: br.into(),
            gzip: gzip.into(),
            etag,
            version,
            content_type,
            policy,
        }
    }

    /// The file's text, as read (or made) at start-up.
    pub fn text(&self) -> &[u8] {
        &self.plain
    }

    /// `path?v=<version>`: the address pages use, cached for a year (a change is a new address).
    pub fn href(&self, path: &str) -> String {
        format!("{path}?v={}", self.version)
    }

    fn answer(&self, query: Option<&str>, headers: &axum::http::HeaderMap) -> Response {
        use axum::response::IntoResponse;
        let mut res = if headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == self.etag.as_bytes())
        {
            axum::http::StatusCode::NOT_MODIFIED.into_response()
        } else {
            let accepts = headers
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let takes = |coding: &str| {
                accepts
                    .split(',')
                    .any(|c| c.split(';').next().is_some_and(|n| n.trim() == coding))
            };
            let (body, coding) = if takes("br") {
                (self.br.clone(), Some("br"))
            } else if takes("gzip") {
                (self.gzip.clone(), Some("gzip"))
            } else {
                (self.plain.clone(), None)
            };
            let mut res = body.into_response();
            if let Some(coding) = coding {
                res.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            res
        };
        let h = res.headers_mut();
        h.insert(header::ETAG, self.etag.clone());
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        let named = query.is_some_and(|q| q == format!("v={}", self.version));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if named { IMMUTABLE } else { self.policy }),
        );
        res
    }

    /// Serves it (an empty file is not there: 404).
    pub fn router(self) -> Router {
        Router::new().fallback(
            move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
                let file = self.clone();
                async move {
                    if file.plain.is_empty() {
                        use axum::response::IntoResponse;
                        return axum::http::StatusCode::NOT_FOUND.into_response();
                    }
                    file.answer(uri.query(), &headers)
                }
            },
        )
    }
}

/// A year, never revalidated: a hashed name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A week: icons, whose names never change.
pub const WEEK: &str = "public, max-age=604800";
/// Revalidated on every use (answered 304 when unchanged).
pub const REVALIDATE: &str = "no-cache";

async fn cache_policy(req: Request, next: Next) -> Response {
    let hashed = req.uri().path().rsplit('/').next().is_some_and(is_hashed);
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        let policy = if hashed { IMMUTABLE } else { "no-cache" };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_files_are_read_line_by_line() {
        let h = parse_hashes("js: AbC-1_x\nwasm: zz9\ncss: q\nbad: ../x\n");
        assert_eq!(
            h,
            vec![
                ("js".into(), "AbC-1_x".into()),
                ("wasm".into(), "zz9".into()),
                ("css".into(), "q".into())
            ]
        );
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        assert!(is_hashed("liaison.AbC123.wasm"));
        assert!(!is_hashed("liaison.wasm"));
        assert!(!is_hashed("liaison_bg.wasm"));
    }
}
