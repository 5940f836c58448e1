//! `/admin/privacy` on the server, and the retention sweep the scheduler runs once a day.

use super::api::{HoldForm, HoldRow, NoticeForm, NoticeRow, PrivacySettingsForm, PrivacyView};
use crate::error::AppError;
use crate::model::entities::{assignment, privacy_notice, privacy_setting, privacy_sweep, youth};
use crate::model::names;
use crate::model::privacy;
use crate::ssr::audit::{self, Outcome};
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::validate::Validator;
use crate::types::{Basis, Role};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;

/// # Errors
/// `Forbidden` for anyone but the system administrator.
pub async fn view() -> Result<PrivacyView, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let settings = privacy::settings(db).await?;
    let notices = privacy_notice::Entity::find()
        .order_by_desc(privacy_notice::Column::Version)
        .all(db)
        .await?;
    let held = youth::Entity::find()
        .filter(youth::Column::LegalHold.is_not_null())
        .order_by_asc(youth::Column::Id)
        .all(db)
        .await?;
    let people = names::accounts(
        db,
        notices
            .iter()
            .filter_map(|n| n.created_by)
            .chain(held.iter().filter_map(|y| y.legal_hold_by)),
    )
    .await?;
    let name = |id: Option<i64>| {
        id.and_then(|id| people.get(&id).cloned())
            .unwrap_or_default()
    };
    let last_sweep = privacy_sweep::Entity::find()
        .order_by_desc(privacy_sweep::Column::Day)
        .one(db)
        .await?
        .map(|s| (s.day, s.anonymised));
    Ok(PrivacyView {
        notices: notices
            .into_iter()
            .map(|n| NoticeRow {
                version: n.version,
                created_by: name(n.created_by),
                body: n.body,
                created_at: n.created_at,
            })
            .collect(),
        default_basis: settings.default_basis,
        retention_years: settings.retention_years,
        holds: held
            .into_iter()
            .map(|y| HoldRow {
                youth_id: y.id,
                set_by: name(y.legal_hold_by),
                name: y.name,
                reason: y.legal_hold.unwrap_or_default(),
                set_at: y.legal_hold_at,
            })
            .collect(),
        last_sweep,
    })
}

/// # Errors
/// `Forbidden`; `Invalid` for an empty or overlong text.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create_notice(form: NoticeForm) -> Result<i32, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "privacy/notice-create", &mut v, &form);
    if let Some(version) = once.earlier().await? {
        return Ok(i32::try_from(version).unwrap_or_default());
    }
    let body = v.lines("body", &form.body, privacy::NOTICE_MAX, true);
    v.finish(&form)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(version) => return Ok(i32::try_from(version).unwrap_or_default()),
        once::Begun::Fresh(txn) => txn,
    };
    let newest = privacy::current_notice(&txn)
        .await?
        .map_or(0, |n| n.version);
    let version = newest + 1;
    let saved = privacy_notice::ActiveModel {
        version: Set(version),
        uuid: Set(Some(once.uuid)),
        body: Set(body),
        created_at: Set(Utc::now()),
        created_by: Set(Some(auth.viewer.id)),
    }
    .insert(&txn)
    .await;
    if let Err(e) = saved {
        // Two publications at once: the second is told to look again.
        if once::is_unique_violation(&e) {
            txn.rollback().await?;
            let mut v = Validator::new(auth.viewer.locale);
            let t = v.t();
            v.fail("body", "changed", t.err_notice_race);
            v.finish(&form)?;
        }
        return Err(e.into());
    }
    auth.audit(
        &txn,
        "notice_publish",
        "privacy_notice",
        Some(i64::from(version)),
        String::new(),
    )
    .await?;
    once::finish(txn, once.uuid, i64::from(version)).await?;
    Ok(version)
}

/// # Errors
/// `Forbidden`; `Invalid` for an unknown basis or a period out of range.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn update_settings(form: PrivacySettingsForm) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let basis = v.choice("default_basis", &form.default_basis, Basis::parse);
    let years = match form.retention_years.trim() {
        "" => {
            let t = v.t();
            v.fail("retention_years", "required", t.err_required);
            None
        }
        raw => v.optional_int("retention_years", raw, 1, privacy::RETENTION_YEARS_MAX),
    };
    v.finish(&form)?;
    let (basis, years) = (
        basis.ok_or(AppError::Internal)?,
        years.ok_or(AppError::Internal)?,
    );
    let db = auth.db();
    let txn = db.begin().await?;
    privacy_setting::Entity::insert(privacy_setting::ActiveModel {
        id: Set(1),
        default_basis: Set(basis.as_str().to_owned()),
        retention_years: Set(years),
        updated_at: Set(Some(Utc::now())),
        updated_by: Set(Some(auth.viewer.id)),
    })
    .on_conflict(
        OnConflict::column(privacy_setting::Column::Id)
            .update_columns([
                privacy_setting::Column::DefaultBasis,
                privacy_setting::Column::RetentionYears,
                privacy_setting::Column::UpdatedAt,
                privacy_setting::Column::UpdatedBy,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    auth.audit(
        &txn,
        "privacy_settings",
        "privacy_settings",
        None,
        format!("default_basis={} retention_years={years}", basis.as_str()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// # Errors
/// `Forbidden`; `Invalid` for an unknown (or anonymised) youth or no reason.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn hold(form: HoldForm) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let id = v.id("youth_id", &form.youth_id);
    let reason = v.text("reason", &form.reason, privacy::REASON_MAX, false);
    if reason.is_empty() && !v.has("reason") {
        v.fail("reason", "required", t.err_hold_reason);
    }
    let found = match id {
        Some(id) => youth::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|y| y.anonymised_at.is_none()),
        None => None,
    };
    if id.is_some() && found.is_none() {
        v.fail("youth_id", "not_found", t.err_not_found);
    }
    v.finish(&form)?;
    let y = found.ok_or(AppError::Internal)?;
    let txn = db.begin().await?;
    youth::Entity::update_many()
        .col_expr(youth::Column::LegalHold, Expr::value(reason.clone()))
        .col_expr(youth::Column::LegalHoldBy, Expr::value(auth.viewer.id))
        .col_expr(youth::Column::LegalHoldAt, Expr::value(Utc::now()))
        .filter(youth::Column::Id.eq(y.id))
        .exec(&txn)
        .await?;
    auth.audit(
        &txn,
        "legal_hold",
        "youth",
        Some(y.id),
        format!("reason={reason}"),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// # Errors
/// `Forbidden`; `NotFound` for a youth without a hold.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn release(youth_id: &str) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let id = crate::ssr::record_id(youth_id)?;
    let txn = db.begin().await?;
    let released = youth::Entity::update_many()
        .col_expr(youth::Column::LegalHold, Expr::value(None::<String>))
        .col_expr(youth::Column::LegalHoldBy, Expr::value(None::<i64>))
        .col_expr(
            youth::Column::LegalHoldAt,
            Expr::value(None::<chrono::DateTime<Utc>>),
        )
        .filter(youth::Column::Id.eq(id))
        .filter(youth::Column::LegalHold.is_not_null())
        .exec(&txn)
        .await?;
    if released.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    auth.audit(&txn, "legal_release", "youth", Some(id), String::new())
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The youths the retention rule reaches on `today`: on no roster since `years` ago or longer
/// (never assigned: since they were recorded), not anonymised, not under a legal hold.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn due_for_anonymisation(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    years: i32,
) -> Result<Vec<i64>, AppError> {
    let cutoff = privacy::retention_cutoff(today, years);
    let off: Vec<(i64, chrono::DateTime<Utc>)> = youth::Entity::find()
        .select_only()
        .column(youth::Column::Id)
        .column(youth::Column::CreatedAt)
        .filter(youth::Column::CadreId.is_null())
        .filter(youth::Column::AnonymisedAt.is_null())
        .filter(youth::Column::LegalHold.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut due = Vec::new();
    for chunk in off.chunks(500) {
        let ended: HashMap<i64, Option<NaiveDate>> = assignment::Entity::find()
            .select_only()
            .column(assignment::Column::YouthId)
            .column_as(assignment::Column::EndedOn.max(), "ended")
            .filter(assignment::Column::YouthId.is_in(chunk.iter().map(|(id, _)| *id)))
            .group_by(assignment::Column::YouthId)
            .into_tuple::<(i64, Option<NaiveDate>)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (id, created) in chunk {
            let since = ended
                .get(id)
                .copied()
                .flatten()
                .unwrap_or_else(|| crate::rules::shanghai_date(*created));
            if since <= cutoff {
                due.push(*id);
            }
        }
    }
    Ok(due)
}

/// What a sweep did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sweep {
    /// Another instance claimed the day.
    Claimed,
    Done {
        anonymised: u32,
    },
}

/// The retention sweep of `today`: claims the day (one instance sweeps, however many tick) and
/// anonymises every youth the rule reaches, each in its own transaction with its audit entry.
///
/// # Errors
/// A database error, as `Internal` (the day stays claimed, with the error noted).
pub async fn sweep(
    db: &DatabaseConnection,
    today: NaiveDate,
    instance: &str,
) -> Result<Sweep, AppError> {
    let claimed = privacy_sweep::Entity::insert(privacy_sweep::ActiveModel {
        day: Set(today),
        instance: Set(instance.chars().take(200).collect()),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
        anonymised: Set(0),
        error: Set(None),
    })
    .on_conflict(
        OnConflict::column(privacy_sweep::Column::Day)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if claimed == 0 {
        return Ok(Sweep::Claimed);
    }
    let outcome = anonymise_due(db, today).await;
    let (count, error) = match &outcome {
        Ok(n) => (*n, None),
        Err(e) => (0, Some(format!("{e:?}"))),
    };
    privacy_sweep::Entity::update_many()
        .col_expr(privacy_sweep::Column::FinishedAt, Expr::value(Utc::now()))
        .col_expr(
            privacy_sweep::Column::Anonymised,
            Expr::value(i32::try_from(count).unwrap_or(i32::MAX)),
        )
        .col_expr(privacy_sweep::Column::Error, Expr::value(error))
        .filter(privacy_sweep::Column::Day.eq(today))
        .exec(db)
        .await?;
    outcome.map(|anonymised| Sweep::Done { anonymised })
}

async fn anonymise_due(db: &DatabaseConnection, today: NaiveDate) -> Result<u32, AppError> {
    let years = privacy::settings(db).await?.retention_years;
    let mut count = 0;
    for id in due_for_anonymisation(db, today, years).await? {
        let txn = db.begin().await?;
        // Checked again inside: a hold set or an assignment made since the list was read wins.
        let still = youth::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .is_some_and(|y| y.cadre_id.is_none() && y.legal_hold.is_none());
        if still && privacy::anonymise(&txn, id, today).await? {
            audit::record(
                &txn,
                audit::Entry {
                    actor_id: None,
                    role: None,
                    action: "anonymise",
                    entity: "youth",
                    entity_id: Some(id),
                    details: format!("retention={years}y"),
                    ip: None,
                    result: Outcome::Success,
                },
            )
            .await?;
            count += 1;
        }
        txn.commit().await?;
    }
    Ok(count)
}
