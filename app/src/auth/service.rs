//! Sign-in, sign-out, passwords and language, on the server.

use super::api::{LanguageForm, LoginForm, PasswordForm, TotpLoginForm};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::entities::{account, organisation};
use crate::model::second_factor;
use crate::ssr::guard::signed_in;
use crate::ssr::session::{self, request_info};
use crate::ssr::throttle::{self, ADDRESS};
use crate::ssr::validate::Validator;
use crate::ssr::{audit, password, set_cookie, state};
use crate::types::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The longest password a sign-in form takes: longer ones cannot be right (a new password has
/// at most 128 characters) and would only make the server hash megabytes.
const LOGIN_PASSWORD_MAX: usize = 1024;

/// The account a sign-in names: by username first, then by phone number. Usernames cannot look
/// like phone numbers, nor collide with another account's phone, so at most one matches.
async fn find_account(
    db: &impl sea_orm::ConnectionTrait,
    login: &str,
) -> Result<Option<account::Model>, AppError> {
    if let Some(a) = account::Entity::find()
        .filter(account::Column::Username.eq(login))
        .one(db)
        .await?
    {
        return Ok(Some(a));
    }
    Ok(account::Entity::find()
        .filter(account::Column::Phone.eq(login))
        .one(db)
        .await?)
}

/// Whether an account may be signed in to: active, in an active organisation.
async fn usable(db: &impl sea_orm::ConnectionTrait, a: &account::Model) -> Result<bool, AppError> {
    Ok(a.active
        && organisation::Entity::find_by_id(a.org_id)
            .one(db)
            .await?
            .is_some_and(|o| o.active))
}

/// Checks the credentials, starts a fresh session (a presented one is ended: the id is renewed at
/// sign-in) and returns the landing page.
///
/// Throttling counts the attempt before the password is checked, on the address and on the
/// account (whichever name it was typed by), so parallel guesses cannot slip through; unknown
/// names are counted under their own key and checked against a dummy hash, so neither the answer
/// nor its timing tells which accounts exist.
///
/// # Errors
/// `Invalid` for a missing field or wrong credentials (one message, on `password`, that does not
/// say which was wrong); `TooManyAttempts` while the account or the address is slowed down.
#[tracing::instrument(skip_all, err(level = "info"))]
/// In demo mode, the usernames that can sign in now (active accounts), by role as the sign-in
/// page lists them: admins, supervisors, cadres. Outside demo mode, none.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn demo_sign_ins() -> Result<Vec<(Role, Vec<String>)>, AppError> {
    use sea_orm::QueryOrder;
    let s = state()?;
    if !s.settings.demo {
        return Ok(Vec::new());
    }
    let active = account::Entity::find()
        .filter(account::Column::Active.eq(true))
        .order_by_asc(account::Column::Username)
        .all(&s.db)
        .await?;
    Ok(Role::ALL
        .into_iter()
        .map(|role| {
            let names = active
                .iter()
                .filter(|a| Role::parse(&a.role) == Some(role))
                .map(|a| a.username.clone())
                .collect();
            (role, names)
        })
        .collect())
}

pub async fn login(form: LoginForm) -> Result<&'static str, AppError> {
    let st = state()?;
    let db = &st.db;
    let info = request_info();
    let t = info.locale.strings();
    let mut v = Validator::new(info.locale);
    let login = v.text("login", &form.login, 50, true);
    if form.password.is_empty() {
        v.fail("password", "required", t.err_required);
    } else if form.password.chars().count() > LOGIN_PASSWORD_MAX {
        v.fail("password", "bad_credentials", t.err_bad_credentials);
    }
    v.finish(&form)?;

    let found = find_account(db, &login).await?;
    let account_key = match &found {
        Some(a) => format!("acct:{}", a.id),
        None => format!("login:{}", login.to_lowercase()),
    };
    let policy = crate::model::security::load(db).await?;
    throttle::count(db, &address_key(&info), ADDRESS, t).await?;
    let counted = match throttle::count(db, &account_key, throttle::account_limit(&policy), t).await
    {
        Ok(c) => c,
        Err(e) => {
            // Refused unchecked while locked: a failure on the record all the same.
            if let Some(a) = &found {
                on_record(
                    db,
                    &info,
                    a,
                    "login",
                    audit::Outcome::Failure,
                    format!("{} (locked)", a.username),
                )
                .await?;
            }
            return Err(e);
        }
    };

    let verified = password::verify(
        &st.metrics.password_verifications,
        &form.password,
        found.as_ref().map(|a| a.password_hash.as_str()),
    )
    .await;
    let acct = match found {
        Some(a) if verified && usable(db, &a).await? => a,
        other => {
            audit::record(
                db,
                audit::Entry {
                    actor_id: other.as_ref().map(|a| a.id),
                    role: other.as_ref().and_then(|a| Role::parse(&a.role)),
                    result: audit::Outcome::Failure,
                    action: "login",
                    entity: "account",
                    entity_id: other.as_ref().map(|a| a.id),
                    // What was typed is stored only when it names an account: a password typed
                    // into the wrong box must not end up in the log.
                    details: other
                        .as_ref()
                        .map(|a| a.username.clone())
                        .unwrap_or_default(),
                    ip: info.ip.clone(),
                },
            )
            .await?;
            // This failure locked the account: that is an event of its own.
            if let (Some(a), Some(until)) = (&other, counted.locked_until) {
                on_record(
                    db,
                    &info,
                    a,
                    "lockout",
                    audit::Outcome::Success,
                    format!(
                        "{} failures, locked until {}",
                        counted.failures,
                        until.format("%Y-%m-%dT%H:%M:%SZ")
                    ),
                )
                .await?;
            }
            let mut v = Validator::new(info.locale);
            v.fail("password", "bad_credentials", t.err_bad_credentials);
            return v.finish(&form).map(|_| "/login");
        }
    };
    throttle::clear(db, &account_key).await?;
    throttle::give_back(db, &address_key(&info), ADDRESS).await?;
    if let Some(old) = &info.session_id {
        session::end(db, old).await?;
    }
    // With a second factor, the right password opens only a pending session: the code is next.
    let pending = second_factor::confirmed(db, acct.id).await?;
    let token = session::create(db, acct.id, &st.settings, &info, pending).await?;
    set_cookie(session::session_cookie(&token, &st.settings));
    if let Some(locale) = Locale::from_tag(&acct.locale) {
        set_cookie(session::lang_cookie(locale, &st.settings));
    }
    if pending {
        return Ok(TOTP_PAGE);
    }
    signed_in_to(db, &info, &acct, &policy, String::new()).await
}

/// Where a right password on an account with a second factor goes: the code is asked for there.
pub const TOTP_PAGE: &str = "/login/totp";

/// The end of a sign-in: it is on the record, and the landing page (the password form when the
/// password has expired).
async fn signed_in_to(
    db: &sea_orm::DatabaseConnection,
    info: &session::RequestInfo,
    acct: &account::Model,
    policy: &crate::types::SecurityPolicy,
    details: String,
) -> Result<&'static str, AppError> {
    on_record(db, info, acct, "login", audit::Outcome::Success, details).await?;
    if crate::model::security::expired(
        policy,
        acct.password_changed_at,
        acct.created_at,
        chrono::Utc::now(),
    ) {
        return Ok("/settings?expired=1#password");
    }
    Ok(Role::parse(&acct.role).unwrap_or(Role::Cadre).landing())
}

/// The second step of signing in: a code from the authenticator app, or one of the recovery
/// codes, for the account whose right password opened the pending session. A code is good once;
/// guesses are throttled like passwords (and lock the same way).
///
/// # Errors
/// `Unauthenticated` without a pending session; `Invalid` for a missing or wrong code;
/// `TooManyAttempts` while locked.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn login_totp(form: TotpLoginForm) -> Result<&'static str, AppError> {
    use crate::model::entities::totp_factor;
    let st = state()?;
    let db = &st.db;
    let info = request_info();
    let t = info.locale.strings();
    let (Some(pending_id), Some(account_id)) = (info.session_id.clone(), info.pending_account)
    else {
        return Err(AppError::Unauthenticated);
    };
    let code = form.code.trim();
    let recovery = form.recovery_code.trim();
    let mut v = Validator::new(info.locale);
    if code.is_empty() && recovery.is_empty() {
        v.fail("code", "required", t.err_required);
    } else if code.chars().count() > 32 || recovery.chars().count() > 64 {
        v.fail("code", "bad_code", t.err_totp_code);
    }
    v.finish(&form)?;
    let acct = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let Some(factor) = totp_factor::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .filter(|f| f.confirmed_at.is_some())
    else {
        // Reset while this sign-in waited: start again with the password.
        session::end(db, &pending_id).await?;
        return Err(AppError::Unauthenticated);
    };
    let policy = crate::model::security::load(db).await?;
    let key = format!("totp:{account_id}");
    let counted = throttle::count(db, &key, throttle::account_limit(&policy), t).await?;
    let now = chrono::Utc::now();
    let (good, how) = if code.is_empty() {
        (
            second_factor::take_recovery_code(db, account_id, recovery, now).await?,
            "recovery_code",
        )
    } else {
        (
            second_factor::take_code(db, &factor, code, now).await?,
            "totp",
        )
    };
    if !good {
        on_record(
            db,
            &info,
            &acct,
            "totp_failed",
            audit::Outcome::Failure,
            format!("{} ({how})", acct.username),
        )
        .await?;
        if let Some(until) = counted.locked_until {
            on_record(
                db,
                &info,
                &acct,
                "lockout",
                audit::Outcome::Success,
                format!(
                    "{} wrong codes, locked until {}",
                    counted.failures,
                    until.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            )
            .await?;
        }
        let mut v = Validator::new(info.locale);
        let field = if code.is_empty() {
            "recovery_code"
        } else {
            "code"
        };
        v.fail(field, "bad_code", t.err_totp_code);
        return v.finish(&form).map(|_| TOTP_PAGE);
    }
    throttle::clear(db, &key).await?;
    // A fresh session id for the signed-in session: the pending one ends here.
    session::end(db, &pending_id).await?;
    let token = session::create(db, acct.id, &st.settings, &info, false).await?;
    set_cookie(session::session_cookie(&token, &st.settings));
    let details = if how == "recovery_code" {
        format!(
            "recovery code ({} left)",
            second_factor::recovery_codes_left(db, acct.id).await?
        )
    } else {
        "totp".to_owned()
    };
    signed_in_to(db, &info, &acct, &policy, details).await
}

/// An event of sign-in about an account, on the record as that account's own (nobody is signed
/// in yet).
async fn on_record(
    db: &sea_orm::DatabaseConnection,
    info: &session::RequestInfo,
    acct: &account::Model,
    action: &str,
    result: audit::Outcome,
    details: String,
) -> Result<(), AppError> {
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(acct.id),
            role: Role::parse(&acct.role),
            result,
            action,
            entity: "account",
            entity_id: Some(acct.id),
            details,
            ip: info.ip.clone(),
        },
    )
    .await
}

fn address_key(info: &session::RequestInfo) -> String {
    format!("ip:{}", info.ip.as_deref().unwrap_or("unknown"))
}

/// # Errors
/// A database error, as `Internal`.
pub async fn logout() -> Result<(), AppError> {
    let st = state()?;
    let info = request_info();
    if let Some(id) = &info.session_id {
        session::end(&st.db, id).await?;
    }
    if let Some(viewer) = &info.viewer {
        audit::record(
            &st.db,
            audit::Entry {
                actor_id: Some(viewer.id),
                role: Some(viewer.role),
                action: "logout",
                entity: "account",
                entity_id: Some(viewer.id),
                details: String::new(),
                ip: info.ip.clone(),
                result: audit::Outcome::Success,
            },
        )
        .await?;
    }
    set_cookie(session::clear_session_cookie(&st.settings));
    Ok(())
}

/// Changes the signed-in account's password. Guessing the current password is throttled like
/// signing in (the attempt is counted before the check).
///
/// # Errors
/// `Unauthenticated`; `Invalid` for a wrong current password, a weak or mismatched new one;
/// `TooManyAttempts`.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn change_password(form: PasswordForm) -> Result<(), AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let t = auth.viewer.locale.strings();
    let acct = account::Entity::find_by_id(auth.viewer.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let mut v = Validator::new(auth.viewer.locale);
    if form.current_password.is_empty() {
        v.fail("current_password", "required", t.err_required);
    }
    let phone = acct.phone.clone().unwrap_or_default();
    let policy = crate::model::security::load(db).await?;
    v.new_password(
        "new_password",
        &form.new_password,
        &[&acct.name, &acct.username, &phone],
        &policy,
    );
    if form.new_password != form.confirm_password {
        v.fail(
            "confirm_password",
            "password_mismatch",
            t.err_password_mismatch,
        );
    }
    let key = format!("pwd:{}", acct.id);
    if !form.current_password.is_empty() {
        throttle::count(db, &key, throttle::account_limit(&policy), t).await?;
        let right = form.current_password.chars().count() <= LOGIN_PASSWORD_MAX
            && password::verify(
                &auth.state.metrics.password_verifications,
                &form.current_password,
                Some(&acct.password_hash),
            )
            .await;
        if right {
            throttle::clear(db, &key).await?;
        } else {
            v.fail("current_password", "wrong_password", t.err_wrong_password);
        }
    }
    // Only once the current password is right: guessing it must not buy verifications.
    if !v.has("current_password") {
        password::refuse_reuse(
            &mut v,
            "new_password",
            db,
            &auth.state.metrics.password_verifications,
            &acct,
            &form.new_password,
            &policy,
        )
        .await?;
    }
    v.finish(&form)?;
    password::replace(db, acct, &form.new_password).await?;
    session::end_all_for(db, auth.viewer.id, auth.info.session_id.as_deref()).await?;
    auth.audit(
        db,
        "change_password",
        "account",
        Some(auth.viewer.id),
        String::new(),
    )
    .await
}

/// # Errors
/// `Invalid` for an unknown language.
pub async fn set_language(form: LanguageForm) -> Result<(), AppError> {
    let st = state()?;
    let info = request_info();
    let mut v = Validator::new(info.locale);
    let locale = v.choice("locale", &form.locale, Locale::from_tag);
    v.finish(&form)?;
    let Some(locale) = locale else {
        return Err(AppError::Internal);
    };
    if let Some(viewer) = &info.viewer {
        account::Entity::update_many()
            .col_expr(
                account::Column::Locale,
                sea_orm::sea_query::Expr::value(locale.tag()),
            )
            .filter(account::Column::Id.eq(viewer.id))
            .exec(&st.db)
            .await?;
    }
    set_cookie(session::lang_cookie(locale, &st.settings));
    Ok(())
}
