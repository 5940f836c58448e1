//! Database-backed sessions. The cookie holds a random token; the table holds only its SHA-256, so
//! several app instances behind one PostgreSQL share sessions and a leaked table opens nothing.

use super::{AppState, Settings};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::entities::{account, organisation, session};
use crate::types::{Post, Role, Viewer};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::Response,
};
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QuerySelect, Set,
};
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
    /// The failed form submission this page was redirected back with (see `flash`).
    pub flash: Option<super::flash::Flash>,
    /// The nonce of this response's Content-Security-Policy, for the inline scripts.
    pub csp_nonce: Option<String>,
    /// The account whose right password waits for its second factor (a pending session).
    pub pending_account: Option<i64>,
    /// The request's path (a viewer who must set up a second factor reaches only that).
    pub path: String,
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

/// How long a right password waits for its second factor.
const PENDING_FOR: Duration = Duration::minutes(10);

/// Starts a session and returns the token for the cookie. A `pending` session (a right password,
/// the second factor still to come) lasts minutes and signs nobody in.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn create(
    db: &impl ConnectionTrait,
    account_id: i64,
    settings: &Settings,
    request: &RequestInfo,
    pending: bool,
) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = Utc::now();
    let lifetime = if pending {
        PENDING_FOR
    } else {
        Duration::days(settings.session_days)
    };
    session::ActiveModel {
        id: Set(hash_token(&token)),
        account_id: Set(account_id),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        last_seen_at: Set(now),
        ip: Set(request.ip.clone()),
        user_agent: Set(request
            .user_agent
            .as_ref()
            .map(|ua| ua.chars().take(255).collect())),
        factor_pending: Set(pending),
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

/// Ends the sessions of every account of an organisation (when it is deactivated).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn end_all_in_org(db: &impl ConnectionTrait, org_id: i64) -> Result<u64, AppError> {
    use sea_orm::{QuerySelect, QueryTrait};
    let accounts = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::OrgId.eq(org_id))
        .into_query();
    Ok(session::Entity::delete_many()
        .filter(session::Column::AccountId.in_subquery(accounts))
        .exec(db)
        .await?
        .rows_affected)
}

/// What a presented session token stands for.
#[derive(Clone, Debug)]
pub enum Presented {
    /// A signed-in viewer (the session's id is the token's hash).
    Viewer(String, Viewer),
    /// A right password waiting for its second factor: nobody is signed in yet.
    Pending { id: String, account_id: i64 },
}

/// What a session token stands for, if the session is live (within its lifetime and used
/// recently enough) and its account and organisation active.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn resolve(
    db: &impl ConnectionTrait,
    cache: &super::cache::Cache,
    token: &str,
) -> Result<Option<Presented>, AppError> {
    let id = hash_token(token);
    let now = Utc::now();
    // The session with its account, in one query.
    let to_account = session::Entity::belongs_to(account::Entity)
        .from(session::Column::AccountId)
        .to(account::Column::Id)
        .into();
    let Some((s, acct)) = session::Entity::find_by_id(id.clone())
        .join(JoinType::InnerJoin, to_account)
        .select_two_required(account::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let role = Role::parse(&acct.role).unwrap_or(Role::Cadre);
    // How long a session may go unused is the security policy's, per role.
    let policy = *cache.security(db).await?;
    if s.expires_at <= now
        || now - s.last_seen_at > crate::model::security::idle_limit(role, &policy)
    {
        end(db, &id).await?;
        return Ok(None);
    }
    if !acct.active {
        return Ok(None);
    }
    let Some(org) = organisation::Entity::find_by_id(acct.org_id)
        .one(db)
        .await?
        .filter(|o| o.active)
    else {
        return Ok(None);
    };
    if s.factor_pending {
        return Ok(Some(Presented::Pending {
            id,
            account_id: acct.id,
        }));
    }
    let org_name = org.name;
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
    let expired =
        crate::model::security::expired(&policy, acct.password_changed_at, acct.created_at, now);
    // The policy asks this role for a second factor it has not set up: until it does, only
    // setting one up is open (see `guard`).
    let factor_missing = crate::model::security::needs_second_factor(&policy, role)
        && !crate::model::second_factor::confirmed(db, acct.id).await?;
    let mut viewer = viewer_from(acct, org_name);
    viewer.password_expired = expired;
    viewer.factor_missing = factor_missing;
    Ok(Some(Presented::Viewer(id, viewer)))
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
        unread: 0,
        password_expired: false,
        factor_missing: false,
    }
}

/// The client's address. Behind `hops` trusted proxies, each appends the address it received the
/// request from to `X-Forwarded-For`, so the client's is `hops` entries from the right; whatever
/// stands further left was sent by the client and proves nothing.
pub fn forwarded_client(headers: &HeaderMap, hops: usize) -> Option<std::net::IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let index = entries.len().checked_sub(hops.max(1))?;
    entries.get(index)?.parse().ok()
}

fn client_ip(req: &Request, settings: &Settings) -> Option<String> {
    if settings.trust_proxy {
        if let Some(ip) = forwarded_client(req.headers(), settings.proxy_hops) {
            return Some(ip.to_string());
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// The account a request says it belongs to (`outbox.js` names it on every replay).
pub const ACCOUNT_HEADER: &str = "x-liaison-account";

/// Axum middleware: resolves the session once per request and stores a [`RequestInfo`] in the
/// request's extensions, where pages and server functions find it.
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut info = RequestInfo {
        ip: client_ip(&req, &state.settings),
        path: req.uri().path().to_owned(),
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
        // A request that names its account (a record replayed from a phone's outbox) runs
        // only under that account: under any other session it is signed out.
        let named = req
            .headers()
            .get(ACCOUNT_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match resolve(&state.db, &state.cache, &token).await {
            Ok(Some(Presented::Viewer(_, viewer)))
                if named.as_deref().is_some_and(|a| a != viewer.id.to_string()) =>
            {
                tracing::info!(
                    user = viewer.id,
                    "request for another account refused (signed out)"
                );
            }
            Ok(Some(Presented::Pending { id, account_id })) => {
                info.session_id = Some(id);
                info.pending_account = Some(account_id);
            }
            Ok(Some(Presented::Viewer(id, mut viewer))) => {
                // Pages show the unread count in the header; API calls and files need none.
                let path = req.uri().path();
                if req.method() == axum::http::Method::GET
                    && !path.starts_with("/api/")
                    && !path.starts_with("/pkg/")
                    && !path.starts_with("/cal/")
                {
                    viewer.unread = crate::model::notifications::unread(&state.db, viewer.id)
                        .await
                        .unwrap_or(0);
                }
                info.locale = viewer.locale;
                info.session_id = Some(id);
                info.viewer = Some(viewer);
            }
            Ok(None) => {}
            Err(_) => {} // logged by the From<DbErr>; the request goes on signed out
        }
    }
    // A page that a failed plain-form post redirected back to: its flash, if it is this
    // browser's and this account's.
    let flash_id = req
        .uri()
        .query()
        .and_then(|q| super::flash::query_param(q, super::flash::PARAM));
    if let (Some(id), Some(cookie)) = (flash_id, cookie_value(req.headers(), super::flash::COOKIE))
    {
        let account = info.viewer.as_ref().map(|v| v.id);
        info.flash = super::flash::load(&state.db, &id, &cookie, account)
            .await
            .ok()
            .flatten();
    }
    info.csp_nonce = req.extensions().get::<CspNonce>().map(|n| n.0.clone());
    req.extensions_mut().insert(info);
    next.run(req).await
}

/// The nonce of the response's Content-Security-Policy, put in the request by the header
/// middleware.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

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
    fn the_client_address_is_counted_from_the_right() {
        let mut h = HeaderMap::new();
        assert_eq!(forwarded_client(&h, 1), None);
        // The client claims 1.2.3.4; the proxy appends the address it saw.
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 203.0.113.7"),
        );
        assert_eq!(forwarded_client(&h, 1), "203.0.113.7".parse().ok());
        assert_eq!(forwarded_client(&h, 2), "1.2.3.4".parse().ok());
        assert_eq!(forwarded_client(&h, 3), None);
        // Several headers count as one list, in order.
        h.append("x-forwarded-for", HeaderValue::from_static("10.0.0.2"));
        assert_eq!(forwarded_client(&h, 1), "10.0.0.2".parse().ok());
        // Garbage is not an address.
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not-an-address"),
        );
        assert_eq!(forwarded_client(&h, 1), None);
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let h = hash_token("secret");
        assert_eq!(h.len(), 64);
        assert_ne!(h, "secret");
        assert_eq!(h, hash_token("secret"));
    }
}
