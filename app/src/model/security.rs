//! The security policy (安全策略), read wherever it applies: new passwords (length, character
//! classes, history), sign-in (expiry, lockout, second factor) and sessions (idle timeouts per
//! role). One row; the security administrator changes it on `/admin/security`.

use crate::error::AppError;
use crate::model::entities::security_policy;
use crate::types::{Role, SecurityPolicy};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};

/// The policy in force (the defaults when the row is missing, which only a broken database is).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn load(db: &impl ConnectionTrait) -> Result<SecurityPolicy, AppError> {
    Ok(security_policy::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or_else(SecurityPolicy::default, |m| from_model(&m)))
}

pub fn from_model(m: &security_policy::Model) -> SecurityPolicy {
    SecurityPolicy {
        min_length: m.min_length,
        char_classes: m.char_classes,
        expiry_days: m.expiry_days,
        history: m.history,
        lockout_attempts: m.lockout_attempts,
        lockout_minutes: m.lockout_minutes,
        idle_minutes_admin: m.idle_minutes_admin,
        idle_minutes_supervisor: m.idle_minutes_supervisor,
        idle_minutes_cadre: m.idle_minutes_cadre,
        totp_admins: m.totp_admins,
        totp_supervisors: m.totp_supervisors,
        totp_everyone: m.totp_everyone,
    }
}

/// How long a session of `role` may go unused.
pub fn idle_limit(role: Role, p: &SecurityPolicy) -> Duration {
    let minutes = match role {
        Role::Sysadmin | Role::Secadmin | Role::Auditor => p.idle_minutes_admin,
        Role::Supervisor => p.idle_minutes_supervisor,
        Role::Cadre => p.idle_minutes_cadre,
    };
    Duration::minutes(i64::from(minutes.max(1)))
}

/// Whether a password set at `changed_at` has expired at `now` (never when expiry is off; a
/// password of unknown age counts from `fallback`, the account's creation).
pub fn expired(
    p: &SecurityPolicy,
    changed_at: Option<DateTime<Utc>>,
    fallback: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    p.expiry_days > 0
        && now - changed_at.unwrap_or(fallback) >= Duration::days(i64::from(p.expiry_days))
}

/// Whether `role` must sign in with a second factor.
pub fn needs_second_factor(p: &SecurityPolicy, role: Role) -> bool {
    p.totp_everyone
        || (p.totp_admins && role.is_administrator())
        || (p.totp_supervisors && role == Role::Supervisor)
}

/// How many of the four character classes (lower case, upper case, digits, anything else) a
/// password uses.
pub fn char_classes(password: &str) -> i32 {
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
    ];
    classes.into_iter().filter(|c| *c).count() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_count_lower_upper_digits_and_the_rest() {
        assert_eq!(char_classes("abcdefgh"), 1);
        assert_eq!(char_classes("abcd1234"), 2);
        assert_eq!(char_classes("Abcd1234"), 3);
        assert_eq!(char_classes("Abcd-1234"), 4);
        // Chinese characters have no case: they count with the symbols.
        assert_eq!(char_classes("春天abc"), 2);
    }

    #[test]
    fn a_password_expires_after_its_days_and_never_when_off() {
        let p = SecurityPolicy::default();
        let set = DateTime::from_timestamp(1_764_000_000, 0).unwrap();
        assert!(!expired(&p, Some(set), set, set + Duration::days(89)));
        assert!(expired(&p, Some(set), set, set + Duration::days(90)));
        assert!(
            expired(&p, None, set, set + Duration::days(91)),
            "from the account's start"
        );
        let off = SecurityPolicy {
            expiry_days: 0,
            ..p
        };
        assert!(!expired(&off, Some(set), set, set + Duration::days(4000)));
    }

    #[test]
    fn idle_limits_and_second_factors_follow_the_role() {
        let p = SecurityPolicy::default();
        assert_eq!(idle_limit(Role::Auditor, &p), Duration::hours(12));
        assert_eq!(idle_limit(Role::Cadre, &p), Duration::days(7));
        assert!(!needs_second_factor(&p, Role::Sysadmin));
        let admins = SecurityPolicy {
            totp_admins: true,
            ..p
        };
        assert!(needs_second_factor(&admins, Role::Secadmin));
        assert!(!needs_second_factor(&admins, Role::Supervisor));
        let all = SecurityPolicy {
            totp_everyone: true,
            ..p
        };
        assert!(needs_second_factor(&all, Role::Cadre));
    }
}
