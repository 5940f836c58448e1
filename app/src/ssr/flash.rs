//! Form flashes: how a plain HTML form (no JavaScript) comes back with its messages and what was
//! typed, without trusting the URL.
//!
//! Leptos answers a failed form post with a redirect to the form's page carrying the error in the
//! URL (`__path` and `__err`). Re-filling a form from the URL lets anyone craft a link that puts
//! their text and their messages into the victim's page. So the server keeps the failed
//! submission here instead, for the browser that sent it only (a random cookie, and the account
//! signed in), for a few minutes, and the URL carries nothing but its random id (`__flash`).
//! A page shows a flash only when both the cookie and the account match.

use crate::error::AppError;
use crate::model::entities::form_flash;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The cookie that names the browser a flash belongs to.
pub const COOKIE: &str = "liaison_form";
/// The query parameter that names a flash.
pub const PARAM: &str = "__flash";
/// How long a flash can be shown.
const LIFETIME: Duration = Duration::minutes(15);

/// A failed submission to the server function at `path`.
#[derive(Clone, Debug, PartialEq)]
pub struct Flash {
    pub path: String,
    pub error: AppError,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn owner(cookie: &str) -> String {
    super::session::hash_token(cookie)
}

/// `Set-Cookie` for a browser's flash cookie: HttpOnly, for this browser session only.
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// Keeps a failed submission; returns its id for the URL.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn store(
    db: &impl ConnectionTrait,
    cookie: &str,
    account_id: Option<i64>,
    flash: &Flash,
) -> Result<String, AppError> {
    let now = Utc::now();
    // Old flashes go as new ones come: the table stays small without a job.
    form_flash::Entity::delete_many()
        .filter(form_flash::Column::CreatedAt.lt(now - LIFETIME))
        .exec(db)
        .await?;
    let id = random_token();
    let error = serde_json::to_string(&flash.error).map_err(|_| AppError::Internal)?;
    form_flash::ActiveModel {
        id: Set(id.clone()),
        owner: Set(owner(cookie)),
        account_id: Set(account_id),
        path: Set(flash.path.chars().take(100).collect()),
        error: Set(error),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// The flash `id`, if it belongs to this browser and account and is recent.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn load(
    db: &impl ConnectionTrait,
    id: &str,
    cookie: &str,
    account_id: Option<i64>,
) -> Result<Option<Flash>, AppError> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(row) = form_flash::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.owner != owner(cookie)
        || row.account_id != account_id
        || Utc::now() - row.created_at > LIFETIME
    {
        return Ok(None);
    }
    Ok(serde_json::from_str(&row.error).ok().map(|error| Flash {
        path: row.path,
        error,
    }))
}

/// The raw value of `name` in a URL's query string (flash ids are hex: nothing to decode).
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}
