//! Database-backed sessions. The cookie holds a random token; the table holds only its SHA-256, so
//! several app instances behind one PostgreSQL share sessions and a leaked table opens nothing.

use super::entities::{account, organisation, session};
use super::{AppState, Settings};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::types::{Post, Role, Viewer};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::Response,
};
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const COOKIE: &str = "liaison_session";
pub const LANG_COOKIE: &str = "liaison_lang";
/// Writing `last_seen_at` on every request would turn reads into writes; once a while is enough.
const TOUCH_EVERY: Duration = Duration::minutes(5);

/// What the session middleware learnt about a request, kept in its extensions.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub viewer: Option<Viewer>,
    /// Hash of the presented session token, when it named a live session.
    pub session_id: Option<String>,
    pub locale: Locale,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure when configured.
pub fn session_cookie(token: &str, settings: &Settings) -> String {
    let max_age = settings.session_days * 24 * 3600;
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn clear_session_cookie(settings: &Settings) -> String {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

pub fn lang_cookie(locale: Locale, settings: &Settings) -> String {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{secure}",
        locale.tag()
    )
}

/// Starts a session and returns the token for the cookie.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn create(
    db: &impl ConnectionTrait,
    account_id: i64,
    settings: &Settings,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = Utc::now();
    session::ActiveModel {
        id: Set(hash_token(&token)),
        account_id: Set(account_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(settings.session_days)),
        last_seen_at: Set(now),
        ip: Set(ip),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(255).collect())),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// # Errors
/// A database error, as `Internal`.
pub async fn end(db: &impl ConnectionTrait, session_id: &str) -> Result<(), AppError> {
    session::Entity::delete_by_id(session_id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of an account, except `keep` (the caller's own, on a password change).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn end_all_for(
    db: &impl ConnectionTrait,
    account_id: i64,
    keep: Option<&str>,
) -> Result<(), AppError> {
    let mut q = session::Entity::delete_many().filter(session::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep));
    }
    q.exec(db).await?;
    Ok(())
}

/// The viewer behind a session token, if the session is live and its account active.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(String, Viewer)>, AppError> {
    let id = hash_token(token);
    let now = Utc::now();
    let Some(s) = session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Ok(None);
    };
    if s.expires_at <= now {
        end(db, &id).await?;
        return Ok(None);
    }
    let Some(acct) = account::Entity::find_by_id(s.account_id).one(db).await? else {
        return Ok(None);
    };
    if !acct.active {
        return Ok(None);
    }
    let org_name = organisation::Entity::find_by_id(acct.org_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    if now - s.last_seen_at > TOUCH_EVERY {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::Id.eq(id.clone()))
            .exec(db)
            .await?;
    }
    Ok(Some((id, viewer_from(acct, org_name))))
}

pub fn viewer_from(acct: account::Model, org_name: String) -> Viewer {
    Viewer {
        id: acct.id,
        name: acct.name,
        username: acct.username,
        role: Role::parse(&acct.role).unwrap_or(Role::Cadre),
        org_id: acct.org_id,
        org_name,
        post: acct.post.as_deref().and_then(Post::parse),
        locale: Locale::from_tag(&acct.locale).unwrap_or_default(),
    }
}

fn client_ip(req: &Request, settings: &Settings) -> Option<String> {
    if settings.trust_proxy {
        if let Some(fwd) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return Some(fwd.trim().to_owned());
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// Axum middleware: resolves the session once per request and stores a [`RequestInfo`] in the
/// request's extensions, where pages and server functions find it.
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut info = RequestInfo {
        ip: client_ip(&req, &state.settings),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        locale: cookie_value(req.headers(), LANG_COOKIE)
            .and_then(|v| Locale::from_tag(&v))
            .unwrap_or_default(),
        ..Default::default()
    };
    if let Some(token) = cookie_value(req.headers(), COOKIE).filter(|t| !t.is_empty()) {
        match resolve(&state.db, &token).await {
            Ok(Some((id, viewer))) => {
                info.locale = viewer.locale;
                info.session_id = Some(id);
                info.viewer = Some(viewer);
            }
            Ok(None) => {}
            Err(_) => {} // logged by the From<DbErr>; the request goes on signed out
        }
    }
    req.extensions_mut().insert(info);
    next.run(req).await
}

/// The [`RequestInfo`] of the request being handled (page or server function).
pub fn request_info() -> RequestInfo {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<RequestInfo>().cloned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookie_values_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; liaison_session=abc; liaison_lang=en"),
        );
        assert_eq!(cookie_value(&h, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&h, LANG_COOKIE).as_deref(), Some("en"));
        assert_eq!(cookie_value(&h, "missing"), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_lax() {
        let mut s = Settings::default();
        let c = session_cookie("tok", &s);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        s.secure_cookies = true;
        assert!(session_cookie("tok", &s).ends_with("; Secure"));
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let h = hash_token("secret");
        assert_eq!(h.len(), 64);
        assert_ne!(h, "secret");
        assert_eq!(h, hash_token("secret"));
    }
}
