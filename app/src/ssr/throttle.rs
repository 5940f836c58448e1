//! Slowing down password guessing, per account and per address (and per account on the
//! change-password form). Counters live in the database so that every app instance sees the same
//! ones.
//!
//! An attempt is counted **before** the password is checked, in one transaction that holds the
//! counter's row: parallel guesses queue on that row, and once the free attempts are used up the
//! next one is refused without a verification. A successful sign-in gives its attempt back.
//! Locks escalate (15 s doubling, up to an hour) for as long as failures continue within a day,
//! so waiting out a lock does not buy a fresh set of guesses.

use crate::error::AppError;
use crate::i18n::{fill, Strings};
use crate::model::entities::login_throttle;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait,
    IntoActiveModel, TransactionTrait,
};

/// How many attempts a key may make before it is locked, and for how long.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Failures that lock: the last of them locks (the policy's lockout threshold).
    pub free_attempts: i32,
    /// The first lock; each further failure doubles it, up to `max_lock`.
    pub first_lock: Duration,
    pub max_lock: Duration,
}

/// Per account, before the security policy is read (the policy's defaults): a few typos are
/// free.
pub const ACCOUNT: Limit = Limit {
    free_attempts: 5,
    first_lock: Duration::seconds(15),
    max_lock: Duration::hours(1),
};
/// Per address: many cadres share a carrier's NAT address, so allow more, and lock briefly.
pub const ADDRESS: Limit = Limit {
    free_attempts: 20,
    first_lock: Duration::seconds(15),
    max_lock: Duration::hours(1),
};
/// Failures are forgotten after a day without any.
const FORGET_AFTER: Duration = Duration::hours(24);

/// An account's limit under the security policy: locked at the threshold for the policy's
/// minutes, doubling with each further failure, at most a day.
pub fn account_limit(p: &crate::types::SecurityPolicy) -> Limit {
    Limit {
        free_attempts: p.lockout_attempts.max(1),
        first_lock: Duration::minutes(i64::from(p.lockout_minutes.max(1))),
        max_lock: Duration::hours(24),
    }
}

/// A counter's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    pub failures: i32,
    pub last_failure_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// How long a key is locked once it has counted `failures` attempts: nothing below the
/// threshold, then the first lock doubling per further attempt, at most `max_lock`.
pub fn lock_after(failures: i32, limit: Limit) -> Option<Duration> {
    let over = failures - limit.free_attempts;
    if over < 0 {
        return None;
    }
    let secs = limit
        .first_lock
        .num_seconds()
        .saturating_mul(1i64 << over.min(20));
    Some(Duration::seconds(secs).min(limit.max_lock))
}

/// What one more attempt on a counter means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Locked: no verification, try again in this many seconds.
    Refused { retry_after_secs: u64 },
    /// Go ahead; the counter as it stands with this attempt counted.
    Counted(Counter),
}

/// Counts an attempt (pure: the rule, without the database).
pub fn attempt(current: Option<Counter>, now: DateTime<Utc>, limit: Limit) -> Attempt {
    if let Some(until) = current.and_then(|c| c.locked_until).filter(|u| *u > now) {
        return Attempt::Refused {
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
        };
    }
    let failures = match current {
        Some(c) if now - c.last_failure_at < FORGET_AFTER => c.failures + 1,
        _ => 1,
    };
    Attempt::Counted(Counter {
        failures,
        last_failure_at: now,
        locked_until: lock_after(failures, limit).map(|d| now + d),
    })
}

/// Gives back an attempt that turned out to be a success (used for addresses, which many people
/// share: their successful sign-ins should not lock the others out).
pub fn refund(current: Counter, limit: Limit) -> Counter {
    let failures = (current.failures - 1).max(0);
    Counter {
        failures,
        locked_until: if lock_after(failures, limit).is_none() {
            None
        } else {
            current.locked_until
        },
        ..current
    }
}

/// Runs `change` on the counter of `key` in a transaction that holds its row: the first
/// statement writes (so SQLite takes its write lock and PostgreSQL the row lock at once), and
/// concurrent attempts on the same key wait for this one to commit.
async fn with_counter<T>(
    db: &DatabaseConnection,
    key: &str,
    change: impl FnOnce(Option<Counter>) -> (Option<Counter>, T),
) -> Result<T, AppError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        last_failure_at: Set(now - FORGET_AFTER - Duration::seconds(1)),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .update_column(login_throttle::Column::Key)
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let row = login_throttle::Entity::find_by_id(key.to_owned())
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    let current = (row.failures > 0).then_some(Counter {
        failures: row.failures,
        last_failure_at: row.last_failure_at,
        locked_until: row.locked_until,
    });
    let (next, out) = change(current);
    match next {
        Some(c) => {
            let mut am = row.into_active_model();
            am.failures = Set(c.failures);
            am.last_failure_at = Set(c.last_failure_at);
            am.locked_until = Set(c.locked_until);
            am.update(&txn).await?;
        }
        None => {
            login_throttle::Entity::delete_by_id(key.to_owned())
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(out)
}

/// Counts an attempt on `key`; refused while the key is locked. Answers the counter with this
/// attempt counted (a failure then leaves it as it is).
///
/// # Errors
/// `TooManyAttempts` while locked; a database error as `Internal`.
pub async fn count(
    db: &DatabaseConnection,
    key: &str,
    limit: Limit,
    t: &Strings,
) -> Result<Counter, AppError> {
    let now = Utc::now();
    let outcome = with_counter(db, key, |current| match attempt(current, now, limit) {
        refused @ Attempt::Refused { .. } => (current, refused),
        counted @ Attempt::Counted(c) => (Some(c), counted),
    })
    .await?;
    match outcome {
        Attempt::Counted(c) => Ok(c),
        Attempt::Refused { retry_after_secs } => Err(AppError::TooManyAttempts {
            retry_after_secs,
            message: if retry_after_secs >= 120 {
                fill(
                    t.err_throttled_minutes,
                    &[("min", &retry_after_secs.div_ceil(60).to_string())],
                )
            } else {
                fill(t.err_throttled, &[("secs", &retry_after_secs.to_string())])
            },
        }),
    }
}

/// Forgets the failures of `key` (after a successful sign-in or password change).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn clear(db: &DatabaseConnection, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Which of `keys` are locked now.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn locked(
    db: &impl sea_orm::ConnectionTrait,
    keys: Vec<String>,
) -> Result<std::collections::HashSet<String>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(login_throttle::Entity::find()
        .filter(login_throttle::Column::Key.is_in(keys))
        .filter(login_throttle::Column::LockedUntil.gt(Utc::now()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.key)
        .collect())
}

/// Gives back the attempt counted on `key` (see [`refund`]).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn give_back(db: &DatabaseConnection, key: &str, limit: Limit) -> Result<(), AppError> {
    with_counter(db, key, |current| {
        (
            current.map(|c| refund(c, limit)).filter(|c| c.failures > 0),
            (),
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize, start: DateTime<Utc>, limit: Limit) -> (Option<Counter>, Vec<Attempt>) {
        let mut c = None;
        let mut out = Vec::new();
        for _ in 0..n {
            let a = attempt(c, start, limit);
            if let Attempt::Counted(next) = a {
                c = Some(next);
            }
            out.push(a);
        }
        (c, out)
    }

    #[test]
    fn free_attempts_pass_then_the_next_is_refused_at_once() {
        let now = Utc::now();
        let (_, out) = run(8, now, ACCOUNT);
        let counted = out
            .iter()
            .filter(|a| matches!(a, Attempt::Counted(_)))
            .count();
        assert_eq!(counted, 5, "{out:?}");
        assert!(matches!(
            out[5],
            Attempt::Refused {
                retry_after_secs: 15
            }
        ));
    }

    #[test]
    fn locks_double_and_are_capped_at_an_hour() {
        let f = ACCOUNT.free_attempts;
        assert_eq!(lock_after(f - 1, ACCOUNT), None);
        assert_eq!(lock_after(f, ACCOUNT), Some(Duration::seconds(15)));
        assert_eq!(lock_after(f + 1, ACCOUNT), Some(Duration::seconds(30)));
        assert_eq!(lock_after(f + 2, ACCOUNT), Some(Duration::seconds(60)));
        assert_eq!(lock_after(f + 40, ACCOUNT), Some(ACCOUNT.max_lock));
    }

    #[test]
    fn waiting_out_a_lock_does_not_reset_the_count_within_a_day() {
        let t0 = Utc::now();
        let (c, _) = run(5, t0, ACCOUNT);
        let c = c.unwrap();
        assert_eq!(c.failures, 5);
        // Twenty minutes later (the lock is long over) the next failure escalates.
        let later = t0 + Duration::minutes(20);
        let Attempt::Counted(next) = attempt(Some(c), later, ACCOUNT) else {
            panic!("the lock has expired");
        };
        assert_eq!(next.failures, 6);
        assert_eq!(next.locked_until, Some(later + Duration::seconds(30)));
        // After a quiet day it starts over.
        let Attempt::Counted(fresh) = attempt(Some(next), later + Duration::hours(25), ACCOUNT)
        else {
            panic!("a day later");
        };
        assert_eq!(fresh.failures, 1);
        assert_eq!(fresh.locked_until, None);
    }

    #[test]
    fn a_refund_takes_back_one_attempt_and_its_lock() {
        let now = Utc::now();
        let (c, _) = run(20, now, ADDRESS);
        let c = c.unwrap();
        assert!(c.locked_until.is_some());
        let r = refund(c, ADDRESS);
        assert_eq!(r.failures, 19);
        assert_eq!(r.locked_until, None);
    }
}
