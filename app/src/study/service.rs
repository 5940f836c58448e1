//! Study hours on the server.

use super::api::{StudyForm, StudyPage, StudyRow};
use crate::compliance::service::evaluate_one;
use crate::compliance::Period;
use crate::error::AppError;
use crate::model::entities::study_record;
use crate::rules::month_bounds;
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::Role;
use crate::types::StudyKind;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
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

/// # Errors
/// `Forbidden`; `Invalid` for a date in the future or before last month, bad hours or fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: StudyForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "study/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let today = today();
    let date = v.date("study_date", &form.study_date);
    if let Some(d) = date {
        // This month and last month can still be filled in.
        let earliest = month_bounds(month_bounds(today).0 - Duration::days(1)).0;
        if d > today {
            v.fail("study_date", "date_in_future", t.err_date_future);
        } else if d < earliest {
            v.fail("study_date", "date_too_old", t.err_date_too_old);
        }
    }
    let hours = v.hours("hours", &form.hours, 0.5, 12.0);
    let topic = v.text("topic", &form.topic, 200, true);
    let kind = v.choice("kind", &form.kind, StudyKind::parse);
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(date), Some(hours), Some(kind)) = (date, hours, kind) else {
        return Err(AppError::Internal);
    };
    let record = study_record::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(auth.viewer.id),
        study_date: Set(date),
        hours: Set(hours),
        topic: Set(topic),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let id = once
        .insert(record, |m| m.id, "study_record", String::new())
        .await?
        .map_err(|_| AppError::Internal)?;
    crate::compliance::service::reopen_weeks(auth.db(), date).await?;
    Ok(id)
}
