//! Setting up a second factor, on the server. The secret is made here and kept with the account
//! (an authenticator app needs the same one); confirming it with a code proves the app has it.

use super::api::{FactorStatus, TotpBegin, TotpCodeForm, TotpConfirmed};
use crate::error::AppError;
use crate::model::entities::{totp_factor, totp_recovery_code};
use crate::model::second_factor;
use crate::ssr::guard::{signed_in, Authorised};
use crate::ssr::validate::Validator;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

/// What an authenticator app lists the entry under.
const ISSUER: &str = "Liaison";

fn shown(auth: &Authorised, secret: &str) -> TotpBegin {
    let otpauth_url = second_factor::otpauth_url(ISSUER, &auth.viewer.username, secret);
    TotpBegin {
        secret: secret.to_owned(),
        svg: second_factor::qr_svg(&otpauth_url),
        otpauth_url,
    }
}

/// # Errors
/// `Unauthenticated`; `BadRequest` when the account already has a factor.
pub async fn begin() -> Result<TotpBegin, AppError> {
    let auth = signed_in()?;
    let t = auth.viewer.locale.strings();
    let db = auth.db();
    if second_factor::confirmed(db, auth.viewer.id).await? {
        return Err(AppError::BadRequest {
            message: t.totp_already_on.into(),
        });
    }
    let secret = second_factor::new_secret();
    let txn = db.begin().await?;
    totp_factor::Entity::delete_by_id(auth.viewer.id)
        .exec(&txn)
        .await?;
    totp_factor::ActiveModel {
        account_id: Set(auth.viewer.id),
        secret: Set(secret.clone()),
        created_at: Set(Utc::now()),
        confirmed_at: Set(None),
        last_step: Set(None),
        reveal: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(shown(&auth, &secret))
}

/// # Errors
/// `Unauthenticated`; `BadRequest` with nothing being set up; `Invalid` for a wrong code.
pub async fn confirm(form: TotpCodeForm) -> Result<TotpConfirmed, AppError> {
    let auth = signed_in()?;
    let t = auth.viewer.locale.strings();
    let db = auth.db();
    let Some(factor) = totp_factor::Entity::find_by_id(auth.viewer.id)
        .one(db)
        .await?
        .filter(|f| f.confirmed_at.is_none())
    else {
        return Err(AppError::BadRequest {
            message: t.totp_not_begun.into(),
        });
    };
    let mut v = Validator::new(auth.viewer.locale);
    let step = second_factor::secret_bytes(&factor.secret).and_then(|secret| {
        second_factor::matching_step(&secret, &form.code, Utc::now().timestamp(), None)
    });
    if form.code.trim().is_empty() {
        v.fail("code", "required", t.err_required);
    } else if step.is_none() {
        v.fail("code", "bad_code", t.err_totp_code);
    }
    v.finish(&form)?;
    let codes = second_factor::new_recovery_codes();
    // A browser's plain form is redirected to `/settings`, which shows the codes once; an API
    // caller has them in the answer, and nothing of them stays but their hashes.
    let reveal = crate::ssr::plain_form().then(|| codes.join("\n"));
    let txn = db.begin().await?;
    let confirmed = totp_factor::Entity::update_many()
        .col_expr(
            totp_factor::Column::ConfirmedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .col_expr(
            totp_factor::Column::LastStep,
            sea_orm::sea_query::Expr::value(step),
        )
        .col_expr(
            totp_factor::Column::Reveal,
            sea_orm::sea_query::Expr::value(reveal),
        )
        .filter(totp_factor::Column::AccountId.eq(auth.viewer.id))
        .filter(totp_factor::Column::ConfirmedAt.is_null())
        .filter(totp_factor::Column::Secret.eq(factor.secret.clone()))
        .exec(&txn)
        .await?;
    if confirmed.rows_affected != 1 {
        // Confirmed meanwhile (a second tap), or begun again with another secret.
        return Err(AppError::BadRequest {
            message: t.totp_not_begun.into(),
        });
    }
    totp_recovery_code::Entity::delete_many()
        .filter(totp_recovery_code::Column::AccountId.eq(auth.viewer.id))
        .exec(&txn)
        .await?;
    totp_recovery_code::Entity::insert_many(codes.iter().map(|c| {
        totp_recovery_code::ActiveModel {
            account_id: Set(auth.viewer.id),
            code_hash: Set(second_factor::recovery_hash(c)),
            used_at: Set(None),
            ..Default::default()
        }
    }))
    .exec(&txn)
    .await?;
    auth.audit(
        &txn,
        "totp_enrol",
        "account",
        Some(auth.viewer.id),
        String::new(),
    )
    .await?;
    txn.commit().await?;
    Ok(TotpConfirmed {
        recovery_codes: codes,
    })
}

/// The account's factor for `/settings`. The recovery codes of a factor just confirmed are in
/// it this once: reading them clears them.
///
/// # Errors
/// `Unauthenticated`.
pub async fn status() -> Result<FactorStatus, AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let policy = crate::model::security::load(db).await?;
    let required = crate::model::security::needs_second_factor(&policy, auth.viewer.role);
    let factor = totp_factor::Entity::find_by_id(auth.viewer.id)
        .one(db)
        .await?;
    let Some(factor) = factor else {
        return Ok(FactorStatus {
            enrolled: false,
            required,
            recovery_left: 0,
            pending: None,
            reveal: Vec::new(),
        });
    };
    if factor.confirmed_at.is_none() {
        return Ok(FactorStatus {
            enrolled: false,
            required,
            recovery_left: 0,
            pending: Some(shown(&auth, &factor.secret)),
            reveal: Vec::new(),
        });
    }
    let mut reveal = Vec::new();
    if let Some(codes) = &factor.reveal {
        // Only the request that clears them shows them.
        let cleared = totp_factor::Entity::update_many()
            .col_expr(
                totp_factor::Column::Reveal,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(totp_factor::Column::AccountId.eq(auth.viewer.id))
            .filter(totp_factor::Column::Reveal.is_not_null())
            .exec(db)
            .await?;
        if cleared.rows_affected == 1 {
            reveal = codes.lines().map(str::to_owned).collect();
        }
    }
    Ok(FactorStatus {
        enrolled: true,
        required,
        recovery_left: second_factor::recovery_codes_left(db, auth.viewer.id).await?,
        pending: None,
        reveal,
    })
}
