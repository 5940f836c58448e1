//! Slowing down repeated failed sign-ins, per account and per address. Counters live in the
//! database so that every app instance sees the same ones.

use super::entities::login_throttle;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

/// How many failures a key may have before it is slowed down.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub free_failures: i32,
}

/// Per account: a few typos are free.
pub const ACCOUNT: Limit = Limit { free_failures: 5 };
/// Per address: many cadres share a carrier's NAT address, so allow more.
pub const ADDRESS: Limit = Limit { free_failures: 20 };
/// Failures older than this are forgotten.
const FORGET_AFTER: Duration = Duration::minutes(15);
const MAX_LOCK: Duration = Duration::minutes(15);

/// How long a key is locked after its `failures`-th failure: nothing while free, then 15 s
/// doubling per further failure, at most 15 minutes.
pub fn lock_after(failures: i32, limit: Limit) -> Option<Duration> {
    let over = failures - limit.free_failures;
    if over < 0 {
        return None;
    }
    let secs = 15i64.saturating_mul(1i64 << over.min(20));
    Some(Duration::seconds(secs).min(MAX_LOCK))
}

/// Seconds until the key may try again, if it is locked now.
pub fn retry_after(row: &login_throttle::Model, now: DateTime<Utc>) -> Option<u64> {
    row.locked_until
        .filter(|until| *until > now)
        .map(|until| (until - now).num_seconds().max(1) as u64)
}

/// # Errors
/// A database error, as `Internal`.
pub async fn locked(db: &impl ConnectionTrait, key: &str) -> Result<Option<u64>, AppError> {
    let row = login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?;
    Ok(row.and_then(|r| retry_after(&r, Utc::now())))
}

/// Counts one failure against `key`.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn fail(db: &impl ConnectionTrait, key: &str, limit: Limit) -> Result<(), AppError> {
    let now = Utc::now();
    let row = login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?;
    let failures = match &row {
        Some(r) if now - r.last_failure_at < FORGET_AFTER => r.failures + 1,
        _ => 1,
    };
    let locked_until = lock_after(failures, limit).map(|d| now + d);
    let am = login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(failures),
        last_failure_at: Set(now),
        locked_until: Set(locked_until),
    };
    if row.is_some() {
        am.update(db).await?;
    } else {
        login_throttle::Entity::insert(am)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(login_throttle::Column::Key)
                    .update_columns([
                        login_throttle::Column::Failures,
                        login_throttle::Column::LastFailureAt,
                        login_throttle::Column::LockedUntil,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_do_not_lock() {
        for n in 0..ACCOUNT.free_failures {
            assert_eq!(lock_after(n, ACCOUNT), None, "failure {n}");
        }
    }

    #[test]
    fn locks_double_and_are_capped() {
        let f = ACCOUNT.free_failures;
        assert_eq!(lock_after(f, ACCOUNT), Some(Duration::seconds(15)));
        assert_eq!(lock_after(f + 1, ACCOUNT), Some(Duration::seconds(30)));
        assert_eq!(lock_after(f + 2, ACCOUNT), Some(Duration::seconds(60)));
        assert_eq!(lock_after(f + 40, ACCOUNT), Some(MAX_LOCK));
    }

    #[test]
    fn retry_after_counts_down_to_the_lock_end() {
        let now = Utc::now();
        let row = login_throttle::Model {
            key: "acct:x".into(),
            failures: 6,
            last_failure_at: now,
            locked_until: Some(now + Duration::seconds(30)),
        };
        assert_eq!(retry_after(&row, now), Some(30));
        assert_eq!(retry_after(&row, now + Duration::seconds(31)), None);
    }
}
