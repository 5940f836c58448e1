//! The security policy on the server.

use super::api::{SecurityForm, SecurityView};
use crate::error::AppError;
use crate::model::entities::security_policy;
use crate::model::{names, security};
use crate::ssr::guard::require;
use crate::ssr::validate::Validator;
use crate::types::{Role, SecurityPolicy};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set, TransactionTrait};

/// # Errors
/// `Forbidden` for anyone but the security administrator.
pub async fn get() -> Result<SecurityView, AppError> {
    let auth = require(Role::SECADMINS)?;
    let db = auth.db();
    let row = security_policy::Entity::find_by_id(1).one(db).await?;
    let by = row.as_ref().and_then(|r| r.updated_by);
    let names = names::accounts(db, by).await?;
    Ok(SecurityView {
        policy: row
            .as_ref()
            .map_or_else(SecurityPolicy::default, security::from_model),
        updated_at: row.and_then(|r| r.updated_at),
        updated_by: by.and_then(|id| names.get(&id).cloned()),
    })
}

fn required_int(v: &mut Validator, field: &str, value: &str, min: i32, max: i32) -> Option<i32> {
    if value.trim().is_empty() {
        let t = v.t();
        v.fail(field, "required", t.err_required);
        return None;
    }
    v.optional_int(field, value, min, max)
}

fn ticked(value: &str) -> bool {
    matches!(value.trim(), "true" | "on" | "1")
}

/// The settings as `key: old → new`.
pub fn diff(old: &SecurityPolicy, new: &SecurityPolicy) -> Vec<String> {
    let pairs = |p: &SecurityPolicy| {
        [
            ("min_length", p.min_length.to_string()),
            ("char_classes", p.char_classes.to_string()),
            ("expiry_days", p.expiry_days.to_string()),
            ("history", p.history.to_string()),
            ("lockout_attempts", p.lockout_attempts.to_string()),
            ("lockout_minutes", p.lockout_minutes.to_string()),
            ("idle_minutes_admin", p.idle_minutes_admin.to_string()),
            (
                "idle_minutes_supervisor",
                p.idle_minutes_supervisor.to_string(),
            ),
            ("idle_minutes_cadre", p.idle_minutes_cadre.to_string()),
            ("totp_admins", p.totp_admins.to_string()),
            ("totp_supervisors", p.totp_supervisors.to_string()),
            ("totp_everyone", p.totp_everyone.to_string()),
        ]
    };
    pairs(old)
        .into_iter()
        .zip(pairs(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| format!("{k}: {a} → {b}"))
        .collect()
}

/// Sets the policy. The same values again change nothing.
///
/// # Errors
/// `Forbidden` for anyone but the security administrator; `Invalid` for a value out of range.
pub async fn update(form: SecurityForm) -> Result<(), AppError> {
    let auth = require(Role::SECADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let int = |v: &mut Validator, f: &str, s: &str, min, max| required_int(v, f, s, min, max);
    let min_length = int(&mut v, "min_length", &form.min_length, 8, 64);
    let char_classes = int(&mut v, "char_classes", &form.char_classes, 1, 4);
    let expiry_days = int(&mut v, "expiry_days", &form.expiry_days, 0, 365);
    let history = int(&mut v, "history", &form.history, 0, 24);
    let lockout_attempts = int(&mut v, "lockout_attempts", &form.lockout_attempts, 3, 20);
    let lockout_minutes = int(&mut v, "lockout_minutes", &form.lockout_minutes, 1, 1440);
    let idle_admin = int(
        &mut v,
        "idle_minutes_admin",
        &form.idle_minutes_admin,
        5,
        1440,
    );
    let idle_sup = int(
        &mut v,
        "idle_minutes_supervisor",
        &form.idle_minutes_supervisor,
        5,
        43_200,
    );
    let idle_cadre = int(
        &mut v,
        "idle_minutes_cadre",
        &form.idle_minutes_cadre,
        5,
        43_200,
    );
    v.finish(&form)?;
    let (
        Some(min_length),
        Some(char_classes),
        Some(expiry_days),
        Some(history),
        Some(lockout_attempts),
        Some(lockout_minutes),
        Some(idle_minutes_admin),
        Some(idle_minutes_supervisor),
        Some(idle_minutes_cadre),
    ) = (
        min_length,
        char_classes,
        expiry_days,
        history,
        lockout_attempts,
        lockout_minutes,
        idle_admin,
        idle_sup,
        idle_cadre,
    )
    else {
        return Err(AppError::Internal);
    };
    let new = SecurityPolicy {
        min_length,
        char_classes,
        expiry_days,
        history,
        lockout_attempts,
        lockout_minutes,
        idle_minutes_admin,
        idle_minutes_supervisor,
        idle_minutes_cadre,
        totp_admins: ticked(&form.totp_admins),
        totp_supervisors: ticked(&form.totp_supervisors),
        totp_everyone: ticked(&form.totp_everyone),
    };
    // Asking one's own role for a second factor one has not set up would shut one out of this
    // very page: set up one's own first (as the security administrator, at /settings).
    if security::needs_second_factor(&new, auth.viewer.role)
        && !crate::model::second_factor::confirmed(db, auth.viewer.id).await?
    {
        let mut v = Validator::new(auth.viewer.locale);
        let field = if new.totp_admins {
            "totp_admins"
        } else {
            "totp_everyone"
        };
        v.fail(
            field,
            "totp_self_first",
            auth.viewer.locale.strings().err_totp_self_first,
        );
        v.finish(&form)?;
    }
    let txn = db.begin().await?;
    let row = security_policy::Entity::find_by_id(1)
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    let old = security::from_model(&row);
    let changes = diff(&old, &new);
    if changes.is_empty() {
        return Ok(());
    }
    let mut am = row.into_active_model();
    am.min_length = Set(new.min_length);
    am.char_classes = Set(new.char_classes);
    am.expiry_days = Set(new.expiry_days);
    am.history = Set(new.history);
    am.lockout_attempts = Set(new.lockout_attempts);
    am.lockout_minutes = Set(new.lockout_minutes);
    am.idle_minutes_admin = Set(new.idle_minutes_admin);
    am.idle_minutes_supervisor = Set(new.idle_minutes_supervisor);
    am.idle_minutes_cadre = Set(new.idle_minutes_cadre);
    am.totp_admins = Set(new.totp_admins);
    am.totp_supervisors = Set(new.totp_supervisors);
    am.totp_everyone = Set(new.totp_everyone);
    am.updated_at = Set(Some(Utc::now()));
    am.updated_by = Set(Some(auth.viewer.id));
    am.update(&txn).await?;
    auth.audit(
        &txn,
        "security_policy",
        "security_policy",
        None,
        changes.join("; "),
    )
    .await?;
    txn.commit().await?;
    auth.state.cache.clear();
    Ok(())
}
