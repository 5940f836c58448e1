//! Rate limits for what anyone may send without an account (a youth signing in at an activity,
//! asking to join a cadre's list). Counters live in the database, one row per key and window, so
//! that every instance counts the same requests; a window's row is written with one upsert that
//! answers the count, and expired rows go as new windows open.

use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// At most `max` requests per `window` for one key.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
}

/// The window `now` falls in: its number and its end.
pub fn window_of(now: DateTime<Utc>, window: Duration) -> (i64, DateTime<Utc>) {
    let secs = window.num_seconds().max(1);
    let n = now.timestamp().div_euclid(secs);
    let end = DateTime::from_timestamp((n + 1) * secs, 0).unwrap_or(now);
    (n, end)
}

/// Counts one request for `key`; `Err(TooManyAttempts)` once the window's count is over the
/// limit (the request is not served; it still counts, so a flood stays refused).
///
/// # Errors
/// `TooManyAttempts` with the seconds until the window ends; a database error.
pub async fn hit(
    db: &impl ConnectionTrait,
    key: &str,
    limit: Limit,
    message: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    let (n, end) = window_of(now, limit.window);
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                "INSERT INTO rate_limits (key, count, expires_at) VALUES (?, 1, ?) \
                 ON CONFLICT (key) DO UPDATE SET count = rate_limits.count + 1 \
                 RETURNING count",
            ),
            [format!("{key}@{n}").into(), end.into()],
        ))
        .await?;
    let count: i32 = match row {
        Some(r) => r.try_get("", "count")?,
        None => 1,
    };
    if count == 1 {
        // A new window: the rows of windows that ended are of no more use.
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, "DELETE FROM rate_limits WHERE expires_at < ?"),
            [now.into()],
        ))
        .await?;
    }
    if count > limit.max {
        let retry = (end - now).num_seconds().max(1);
        return Err(AppError::TooManyAttempts {
            retry_after_secs: u64::try_from(retry).unwrap_or(1),
            message: message.to_owned(),
        });
    }
    Ok(())
}

/// `?` placeholders as the backend writes them.
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_numbered_and_end_on_their_boundary() {
        let at = DateTime::from_timestamp(1_000_000_123, 0).unwrap();
        let (n, end) = window_of(at, Duration::minutes(10));
        assert_eq!(n, 1_000_000_123 / 600);
        assert_eq!(end.timestamp(), (n + 1) * 600);
        assert!(end > at && end - at <= Duration::minutes(10));
    }

    #[test]
    fn postgres_gets_numbered_placeholders() {
        assert_eq!(
            placeholders(DbBackend::Postgres, "a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
