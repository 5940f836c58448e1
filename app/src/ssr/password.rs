//! Passwords: argon2id hashing (the crate's defaults follow the OWASP recommendation), and what a
//! new password must be (ASVS 5.0 6.2): at least 8 characters, up to 128, not one of the most
//! commonly used passwords, and not made of the account's own name, username or phone number.

use crate::error::AppError;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// The most commonly used passwords of 8 characters or more, lowercased: the `passwords` list of
/// zxcvbn 4.5.0 (MIT, © 2016 Daniel Wolf; from leaked password sets) and frequent ones of
/// Chinese leaks. Shorter ones are refused by the length rule anyway.
const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Why a new password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    /// On the list of common passwords, or one character repeated.
    Common,
    /// Made of the account's own name, username or phone number, or of the app's name.
    Personal,
}

/// Checks a new password against the rules; `context` holds the account's name, username and
/// phone number (blank ones are ignored).
pub fn weakness(password: &str, context: &[&str]) -> Option<Weakness> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Some(Weakness::TooShort);
    }
    if len > MAX_LEN {
        return Some(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    let distinct: HashSet<char> = lower.chars().collect();
    if common().contains(lower.as_str()) || distinct.len() <= 2 {
        return Some(Weakness::Common);
    }
    let personal = context
        .iter()
        .map(|c| c.trim().to_lowercase())
        .filter(|c| c.chars().count() >= 3)
        .chain(["liaison".to_owned(), "联系青年".to_owned()])
        .any(|c| lower.contains(&c));
    personal.then_some(Weakness::Personal)
}

/// Hashes on a blocking thread: argon2 is deliberately slow.
///
/// # Errors
/// `Internal` if the hasher fails or the blocking task is lost.
pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

/// A hash of a password nobody knows, with the same parameters as real ones: checking a sign-in
/// for an unknown account against it takes as long as for a real one, so the time taken does not
/// tell which usernames exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut OsRng, &mut secret);
        hash_blocking(&hex::encode(secret)).unwrap_or_default()
    })
}

/// Whether `new` is the account's current password or one of the `history - 1` before it (the
/// policy's "no reuse of the last N").
///
/// # Errors
/// A database error, as `Internal`.
pub async fn reused(
    db: &impl sea_orm::ConnectionTrait,
    counter: &Verifications,
    account_id: i64,
    current_hash: &str,
    new: &str,
    history: i32,
) -> Result<bool, AppError> {
    use crate::model::entities::password_history;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    if history <= 0 {
        return Ok(false);
    }
    if verify(counter, new, Some(current_hash)).await {
        return Ok(true);
    }
    let earlier = password_history::Entity::find()
        .filter(password_history::Column::AccountId.eq(account_id))
        .order_by_desc(password_history::Column::Id)
        .limit(u64::try_from(history - 1).unwrap_or(0))
        .all(db)
        .await?;
    for e in earlier {
        if verify(counter, new, Some(&e.password_hash)).await {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Refuses on `field` (unless it already failed) a new password the account has used among the
/// policy's last `history` (`password_reused`).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn refuse_reuse(
    v: &mut super::validate::Validator,
    field: &str,
    db: &impl sea_orm::ConnectionTrait,
    counter: &Verifications,
    acct: &crate::model::entities::account::Model,
    new: &str,
    policy: &crate::types::SecurityPolicy,
) -> Result<(), AppError> {
    if !v.has(field)
        && reused(
            db,
            counter,
            acct.id,
            &acct.password_hash,
            new,
            policy.history,
        )
        .await?
    {
        let t = v.t();
        v.fail(
            field,
            "password_reused",
            crate::i18n::fill(t.err_password_reused, &[("n", &policy.history.to_string())]),
        );
    }
    Ok(())
}

/// Gives an account a new password: its hash, when it was set (expiry counts from here), and
/// the old hash kept for [`reused`].
///
/// # Errors
/// A database error, as `Internal`.
pub async fn replace(
    db: &impl sea_orm::ConnectionTrait,
    acct: crate::model::entities::account::Model,
    new: &str,
) -> Result<(), AppError> {
    use crate::model::entities::password_history;
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let hash = hash(new).await?;
    let now = chrono::Utc::now();
    password_history::ActiveModel {
        account_id: Set(acct.id),
        password_hash: Set(acct.password_hash.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut am = acct.into_active_model();
    am.password_hash = Set(hash);
    am.password_changed_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(db).await?;
    Ok(())
}

/// Counts password verifications (tests prove with it that throttling holds under concurrency).
#[derive(Debug, Default)]
pub struct Verifications(AtomicU64);

impl Verifications {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// True when `password` matches the stored PHC string; `None` verifies against a dummy hash and
/// is always false. A malformed hash never matches.
pub async fn verify(counter: &Verifications, password: &str, stored: Option<&str>) -> bool {
    counter.0.fetch_add(1, Ordering::Relaxed);
    let known = stored.is_some();
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    tokio::task::spawn_blocking(move || {
        let stored = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let ok = PasswordHash::new(stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let n = Verifications::default();
        let h = hash("demo-liaison").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&n, "demo-liaison", Some(&h)).await);
        assert!(!verify(&n, "demo-liaisom", Some(&h)).await);
        assert!(!verify(&n, "demo-liaison", Some("not a hash")).await);
        assert!(!verify(&n, "anything", None).await);
        assert_eq!(n.count(), 4);
    }

    #[test]
    fn common_and_trivial_passwords_are_refused() {
        for p in [
            "12345678",
            "password",
            "aaaaaaaa",
            "PassWord",
            "abababab",
            "woaini1314",
        ] {
            assert_eq!(weakness(p, &[]), Some(Weakness::Common), "{p}");
        }
        assert_eq!(weakness("correct horse battery", &[]), None);
    }

    #[test]
    fn length_is_at_least_eight_and_at_most_128() {
        assert_eq!(weakness("a1b2c3d", &[]), Some(Weakness::TooShort));
        assert_eq!(weakness(&"ab12".repeat(32), &[]), None);
        assert_eq!(weakness(&"ab12".repeat(33), &[]), Some(Weakness::TooLong));
        // characters, not bytes: eight Chinese characters are enough
        assert_eq!(weakness("我们的青年工作很好", &[]), None);
    }

    #[test]
    fn the_accounts_own_details_are_refused() {
        let ctx = ["王芳", "wangfang", "13812345678"];
        assert_eq!(weakness("wangfang2026", &ctx), Some(Weakness::Personal));
        assert_eq!(weakness("x13812345678", &ctx), Some(Weakness::Personal));
        assert_eq!(weakness("my-liaison-pw", &ctx), Some(Weakness::Personal));
        assert_eq!(weakness("quiet-river-73", &ctx), None);
        // blank context entries match nothing
        assert_eq!(weakness("quiet-river-73", &["", " "]), None);
    }
}
