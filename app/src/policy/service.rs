//! The policy and the work calendar on the server.

use super::api::{CalendarDay, CalendarDayForm, CalendarYear, PolicyForm};
use crate::error::AppError;
use crate::i18n::fill;
use crate::rules::{Policy, YEARS};
use crate::ssr::entities::{calendar_day, policy};
use crate::ssr::guard::require;
use crate::ssr::validate::{fmt_num, Validator};
use crate::ssr::{policy as stored, today};
use crate::types::Role;
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

const ADMINS: &[Role] = &[Role::Admin];

/// # Errors
/// `Forbidden` for anyone but admins.
pub async fn get() -> Result<Policy, AppError> {
    let auth = require(ADMINS)?;
    stored::load(auth.db()).await
}

/// A whole number in `range`, or a field message.
fn whole(v: &mut Validator, field: &str, value: &str, range: (i64, i64)) -> Option<i64> {
    let t = v.t();
    match value.trim().parse::<i64>() {
        Ok(n) if (range.0..=range.1).contains(&n) => Some(n),
        _ => {
            let msg = fill(
                t.err_number_range,
                &[("min", &range.0.to_string()), ("max", &range.1.to_string())],
            );
            v.fail(field, "invalid_number", msg);
            None
        }
    }
}

/// Checks every number; the contact thresholds must be in order.
/// `current` fills the fields a form may leave out (`contact_late_entry_days`, added after the
/// others: a client that does not send it keeps the value in force).
pub fn validate(v: &mut Validator, form: &PolicyForm, current: &Policy) -> Option<Policy> {
    let t = v.t();
    let roster_target = whole(v, "roster_target", &form.roster_target, (1, 1000));
    let due = whole(v, "contact_due_days", &form.contact_due_days, (1, 365));
    let overdue = whole(
        v,
        "contact_overdue_days",
        &form.contact_overdue_days,
        (2, 730),
    );
    // 0 turns the rule off; the engine counts youths without any offline contact this year.
    let offline = whole(
        v,
        "offline_contacts_per_year",
        &form.offline_contacts_per_year,
        (0, 1),
    );
    let visits = whole(v, "visit_days_per_week", &form.visit_days_per_week, (1, 5));
    let late = whole(
        v,
        "visit_late_entry_days",
        &form.visit_late_entry_days,
        (0, 31),
    );
    let contact_late = if form.contact_late_entry_days.trim().is_empty() {
        Some(current.contact_late_entry_days)
    } else {
        whole(
            v,
            "contact_late_entry_days",
            &form.contact_late_entry_days,
            (0, 366),
        )
    };
    let min_days = whole(
        v,
        "min_working_days_per_week",
        &form.min_working_days_per_week,
        (1, 5),
    );
    let suggestions = whole(
        v,
        "suggestions_per_quarter",
        &form.suggestions_per_quarter,
        (1, 10),
    );
    let study = v.hours(
        "study_hours_per_month",
        &form.study_hours_per_month,
        0.5,
        100.0,
    );
    if let (Some(d), Some(o)) = (due, overdue) {
        if d >= o {
            v.fail(
                "contact_overdue_days",
                "not_after_due",
                t.err_overdue_after_due,
            );
        }
    }
    Some(Policy {
        roster_target: u32::try_from(roster_target?).ok()?,
        contact_due_days: due?,
        contact_overdue_days: overdue?,
        offline_contacts_per_year: u32::try_from(offline?).ok()?,
        visit_days_per_week: u32::try_from(visits?).ok()?,
        visit_late_entry_days: late?,
        contact_late_entry_days: contact_late?,
        min_working_days_per_week: u32::try_from(min_days?).ok()?,
        suggestions_per_quarter: u32::try_from(suggestions?).ok()?,
        study_hours_per_month: study?,
    })
}

/// The policy as stored pairs.
pub fn pairs(p: &Policy) -> Vec<(&'static str, String)> {
    vec![
        ("roster_target", p.roster_target.to_string()),
        ("contact_due_days", p.contact_due_days.to_string()),
        ("contact_overdue_days", p.contact_overdue_days.to_string()),
        (
            "offline_contacts_per_year",
            p.offline_contacts_per_year.to_string(),
        ),
        ("visit_days_per_week", p.visit_days_per_week.to_string()),
        ("visit_late_entry_days", p.visit_late_entry_days.to_string()),
        (
            "contact_late_entry_days",
            p.contact_late_entry_days.to_string(),
        ),
        (
            "min_working_days_per_week",
            p.min_working_days_per_week.to_string(),
        ),
        (
            "suggestions_per_quarter",
            p.suggestions_per_quarter.to_string(),
        ),
        ("study_hours_per_month", fmt_num(p.study_hours_per_month)),
    ]
}

/// Sets every number of the policy. Setting the same numbers again changes nothing.
///
/// # Errors
/// `Forbidden` for anyone but admins; `Invalid` for a number out of range or thresholds out of
/// order.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn update(form: PolicyForm) -> Result<(), AppError> {
    let auth = require(ADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let old = stored::load(db).await?;
    let new = validate(&mut v, &form, &old);
    v.finish(&form)?;
    let new = new.ok_or(AppError::Internal)?;
    let changes: Vec<String> = pairs(&old)
        .into_iter()
        .zip(pairs(&new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| format!("{k}: {a} → {b}"))
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    for (key, value) in pairs(&new) {
        policy::Entity::insert(policy::ActiveModel {
            key: Set(key.to_owned()),
            value: Set(value),
            updated_by: Set(Some(auth.viewer.id)),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(policy::Column::Key)
                .update_columns([
                    policy::Column::Value,
                    policy::Column::UpdatedBy,
                    policy::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    auth.audit(&txn, "update", "policy", None, changes.join("; "))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// # Errors
/// `Forbidden` for anyone but admins; `NotFound` for a year outside 2000 to 2100.
pub async fn year(year: &str) -> Result<CalendarYear, AppError> {
    let auth = require(ADMINS)?;
    let db = auth.db();
    let this = today().year();
    let year = match year.trim() {
        "" => this,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| YEARS.contains(y))
            .ok_or(AppError::NotFound)?,
    };
    let (first, last) = (
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::NotFound)?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?,
    );
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.between(first, last))
        .order_by_asc(calendar_day::Column::Day)
        .all(db)
        .await?
        .into_iter()
        .map(|d| CalendarDay {
            id: d.id,
            day: d.day,
            kind: d.kind,
            name: d.name,
        })
        .collect();
    let mut years: Vec<i32> = calendar_day::Entity::find()
        .select_only()
        .column(calendar_day::Column::Day)
        .into_tuple::<NaiveDate>()
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.year())
        .chain([this - 1, this, this + 1, year])
        .collect();
    years.sort_unstable();
    years.dedup();
    Ok(CalendarYear { year, years, days })
}

/// # Errors
/// `Forbidden` for anyone but admins; `Invalid` for a bad date, kind or name, or a day already
/// in the calendar with something else.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn add(form: CalendarDayForm) -> Result<i64, AppError> {
    let auth = require(ADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let day = v.date("day", &form.day);
    let kind = v.choice("kind", &form.kind, |k| {
        ["holiday", "workday"].into_iter().find(|x| *x == k)
    });
    let name = v.text("name", &form.name, 50, true);
    v.finish(&form)?;
    let (Some(day), Some(kind)) = (day, kind) else {
        return Err(AppError::Internal);
    };
    if let Some(existing) = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.eq(day))
        .one(db)
        .await?
    {
        // The same day sent again: nothing to do.
        if existing.kind == kind && existing.name == name {
            return Ok(existing.id);
        }
        let mut v = Validator::new(auth.viewer.locale);
        v.fail("day", "day_exists", t.err_day_exists);
        return v.finish(&form).map(|()| 0);
    }
    let saved = calendar_day::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        day: Set(day),
        kind: Set(kind.to_owned()),
        name: Set(name.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) if crate::ssr::once::is_unique_violation(&e) => {
            let mut v = Validator::new(auth.viewer.locale);
            v.fail("day", "day_exists", t.err_day_exists);
            return v.finish(&form).map(|()| 0);
        }
        Err(e) => return Err(e.into()),
    };
    auth.audit(
        db,
        "add",
        "calendar_day",
        Some(saved.id),
        format!("{day} {kind} {name}"),
    )
    .await?;
    Ok(saved.id)
}

/// Removing a day twice is fine: the second time there is nothing to remove.
///
/// # Errors
/// `Forbidden` for anyone but admins.
pub async fn delete(id: &str) -> Result<(), AppError> {
    let auth = require(ADMINS)?;
    let db = auth.db();
    let id = crate::ssr::record_id(id)?;
    let Some(day) = calendar_day::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    calendar_day::Entity::delete_by_id(id).exec(db).await?;
    auth.audit(
        db,
        "delete",
        "calendar_day",
        Some(id),
        format!("{} {} {}", day.day, day.kind, day.name),
    )
    .await
}
