//! Sign-in, sign-out, passwords and language, on the server.

use super::api::{LanguageForm, LoginForm, PasswordForm};
use crate::error::AppError;
use crate::i18n::{fill, Locale};
use crate::ssr::entities::account;
use crate::ssr::guard::signed_in;
use crate::ssr::session::{self, request_info};
use crate::ssr::throttle::{self, ACCOUNT, ADDRESS};
use crate::ssr::validate::Validator;
use crate::ssr::{audit, password, set_cookie, state};
use crate::types::Role;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

/// Checks the credentials, starts a fresh session (a presented one is ended: the id is renewed at
/// sign-in) and returns the landing page.
///
/// # Errors
/// `Invalid` for a missing field or wrong credentials (one message, on `password`, that does not
/// say which was wrong); `TooManyAttempts` while the account or the address is slowed down.
#[tracing::instrument(skip_all, fields(login = %form.login), err)]
pub async fn login(form: LoginForm) -> Result<&'static str, AppError> {
    let st = state()?;
    let db = &st.db;
    let info = request_info();
    let t = info.locale.strings();
    let mut v = Validator::new(info.locale);
    let login = v.text("login", &form.login, 50, true);
    if form.password.is_empty() {
        v.fail("password", "required", t.err_required);
    }
    v.finish(&form)?;

    let account_key = format!("acct:{}", login.to_lowercase());
    let address_key = format!("ip:{}", info.ip.as_deref().unwrap_or("unknown"));
    for key in [&account_key, &address_key] {
        if let Some(secs) = throttle::locked(db, key).await? {
            return Err(AppError::TooManyAttempts {
                retry_after_secs: secs,
                message: fill(t.err_throttled, &[("secs", &secs.to_string())]),
            });
        }
    }

    let found = account::Entity::find()
        .filter(
            Condition::any()
                .add(account::Column::Username.eq(login.as_str()))
                .add(account::Column::Phone.eq(login.as_str())),
        )
        .one(db)
        .await?;
    let acct = match found {
        Some(a) if a.active && password::verify(&form.password, &a.password_hash).await => a,
        other => {
            throttle::fail(db, &account_key, ACCOUNT).await?;
            throttle::fail(db, &address_key, ADDRESS).await?;
            audit::record(
                db,
                audit::Entry {
                    actor_id: other.map(|a| a.id),
                    action: "login_failed",
                    entity: "account",
                    entity_id: None,
                    details: login.clone(),
                    ip: info.ip.clone(),
                },
            )
            .await?;
            let mut v = Validator::new(info.locale);
            v.fail("password", "bad_credentials", t.err_bad_credentials);
            return v.finish(&form).map(|_| "/login");
        }
    };
    throttle::clear(db, &account_key).await?;
    if let Some(old) = &info.session_id {
        session::end(db, old).await?;
    }
    let token = session::create(
        db,
        acct.id,
        &st.settings,
        info.ip.clone(),
        info.user_agent.clone(),
    )
    .await?;
    set_cookie(session::session_cookie(&token, &st.settings));
    if let Some(locale) = Locale::from_tag(&acct.locale) {
        set_cookie(session::lang_cookie(locale, &st.settings));
    }
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(acct.id),
            action: "login",
            entity: "account",
            entity_id: Some(acct.id),
            details: String::new(),
            ip: info.ip.clone(),
        },
    )
    .await?;
    Ok(Role::parse(&acct.role).unwrap_or(Role::Cadre).landing())
}

/// # Errors
/// A database error, as `Internal`.
pub async fn logout() -> Result<(), AppError> {
    let st = state()?;
    let info = request_info();
    if let Some(id) = &info.session_id {
        session::end(&st.db, id).await?;
    }
    set_cookie(session::clear_session_cookie(&st.settings));
    Ok(())
}

/// # Errors
/// `Unauthenticated`; `Invalid` for a wrong current password, a short or mismatched new one.
#[tracing::instrument(skip_all, err)]
pub async fn change_password(form: PasswordForm) -> Result<(), AppError> {
    let auth = signed_in()?;
    let t = auth.viewer.locale.strings();
    let mut v = Validator::new(auth.viewer.locale);
    if form.current_password.is_empty() {
        v.fail("current_password", "required", t.err_required);
    }
    v.new_password("new_password", &form.new_password);
    if form.new_password != form.confirm_password {
        v.fail(
            "confirm_password",
            "password_mismatch",
            t.err_password_mismatch,
        );
    }
    let acct = account::Entity::find_by_id(auth.viewer.id)
        .one(auth.db())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !form.current_password.is_empty()
        && !password::verify(&form.current_password, &acct.password_hash).await
    {
        v.fail("current_password", "wrong_password", t.err_wrong_password);
    }
    v.finish(&form)?;
    let hash = password::hash(&form.new_password).await?;
    let mut am = acct.into_active_model();
    am.password_hash = Set(hash);
    am.updated_at = Set(chrono::Utc::now());
    am.update(auth.db()).await?;
    session::end_all_for(auth.db(), auth.viewer.id, auth.info.session_id.as_deref()).await?;
    auth.audit(
        auth.db(),
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
