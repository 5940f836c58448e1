//! Study hours on the server.

use super::api::{StudyForm, StudyPage, StudyRow};
use crate::compliance::service::evaluate_one;
use crate::compliance::Period;
use crate::error::AppError;
use crate::model::entities::study_record;
use crate::model::signoff;
use crate::rules::month_bounds;
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{LateAction, LateKind, Role, StudyKind};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::BTreeMap;

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn page() -> Result<StudyPage, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let today = today();
    let (first, _) = month_bounds(today);
    let since = month_bounds(first - Duration::days(150)).0;
    let records = study_record::Entity::find()
        .filter(study_record::Column::CadreId.eq(auth.viewer.id))
        .filter(study_record::Column::StudyDate.gte(since))
        .order_by_desc(study_record::Column::StudyDate)
        .order_by_desc(study_record::Column::Id)
        .all(db)
        .await?;
    // This month's hours and target from the compliance engine (the target is the month's
    // share for a cadre who took up the post in it), as the today page and the dashboard.
    let (tree, _) = auth.scope().await?;
    let (row, _) = evaluate_one(
        db,
        &tree,
        auth.viewer.id,
        Period::Month {
            year: today.year(),
            month: today.month(),
        },
        today,
        auth.viewer.locale.strings(),
    )
    .await?;
    let mut months: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for r in records.iter().filter(|r| r.study_date < first) {
        *months.entry(month_bounds(r.study_date).0).or_default() += r.hours;
    }
    Ok(StudyPage {
        month: first,
        total: row.study_hours,
        target: row.study_target,
        rows: records
            .into_iter()
            .filter(|r| r.study_date >= first)
            .map(|r| StudyRow {
                id: r.id,
                date: r.study_date,
                hours: r.hours,
                topic: r.topic,
                kind: StudyKind::parse(&r.kind),
            })
            .collect(),
        history: months.into_iter().rev().collect(),
    })
}

/// A study record's checked fields.
struct ValidStudy {
    date: NaiveDate,
    hours: f64,
    topic: String,
    kind: StudyKind,
}

/// Checks the fields but the date's window.
fn validate(v: &mut Validator, form: &StudyForm, date: Option<NaiveDate>) -> Option<ValidStudy> {
    let hours = v.hours("hours", &form.hours, 0.5, 12.0);
    let topic = v.text("topic", &form.topic, 200, true);
    let kind = v.choice("kind", &form.kind, StudyKind::parse);
    Some(ValidStudy {
        date: date?,
        hours: hours?,
        topic,
        kind: kind?,
    })
}

fn new_record(
    uuid: uuid::Uuid,
    cadre: i64,
    s: ValidStudy,
    late_approved_by: Option<i64>,
) -> study_record::ActiveModel {
    study_record::ActiveModel {
        uuid: Set(uuid),
        cadre_id: Set(cadre),
        study_date: Set(s.date),
        hours: Set(s.hours),
        topic: Set(s.topic),
        kind: Set(s.kind.as_str().to_owned()),
        created_at: Set(Utc::now()),
        late_approved_by: Set(late_approved_by),
        ..Default::default()
    }
}

/// Logs study hours; in a locked quarter, with `late=true`, files them as a 补录申请.
///
/// # Errors
/// `Forbidden`; `Invalid` for a date in the future or before last month, bad hours or fields,
/// or a locked quarter without `late`.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: StudyForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "study/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let today = today();
    let late = crate::late::service::asked(&form.late);
    let date = v.date("study_date", &form.study_date);
    if let Some(d) = date {
        // This month and last month can still be filled in.
        let earliest = month_bounds(month_bounds(today).0 - Duration::days(1)).0;
        if d > today {
            v.fail("study_date", "date_in_future", t.err_date_future);
        } else if d < earliest {
            v.fail("study_date", "date_too_old", t.err_date_too_old);
        }
        let org = auth.viewer.org_id;
        signoff::guard_lock_only(db, &mut v, "study_date", org, (d, d), late).await?;
    }
    let valid = validate(&mut v, &form, date);
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let valid = valid.ok_or(AppError::Internal)?;
    if let Some(reason) = reason {
        let summary = format!(
            "{} h · {} · {}",
            valid.hours,
            valid.kind.label(t),
            valid.topic
        );
        let filing = crate::late::service::Filing {
            kind: LateKind::Study,
            action: LateAction::Create,
            target: None,
            date: valid.date,
            form: &form,
            summary,
            reason,
        };
        return crate::late::service::file(&auth, &once, filing).await;
    }
    let date = valid.date;
    let record = new_record(once.uuid, auth.viewer.id, valid, None);
    let id = once
        .insert(record, |m| m.id, "study_record", String::new())
        .await?
        .map_err(|_| AppError::Internal)?;
    crate::compliance::service::reopen_weeks(db, date).await?;
    Ok(id)
}

/// Stores the study of an approved 补录申请, by its cadre, as of its date, marked as approved
/// by `approver`.
///
/// # Errors
/// A database error, as `Internal`; `Ok(Err(message))` for fields that no longer pass.
pub async fn store_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    use sea_orm::ActiveModelTrait;
    let form: StudyForm = crate::late::service::fields(request)?;
    let mut v = Validator::new(locale);
    let valid = validate(&mut v, &form, Some(request.record_date));
    let (Some(valid), true) = (valid, v.is_empty()) else {
        return Ok(Err(v.t().err_internal.to_owned()));
    };
    let saved = new_record(
        uuid::Uuid::new_v4(),
        request.cadre_id,
        valid,
        Some(approver),
    )
    .insert(txn)
    .await?;
    crate::compliance::service::reopen_weeks(txn, request.record_date).await?;
    Ok(Ok(saved.id))
}
