//! The policy and the work calendar on the server.

use super::api::{
    CalendarDay, CalendarDayForm, CalendarYear, PolicyForm, PolicyVersion, PolicyView,
};
use crate::error::AppError;
use crate::i18n::fill;
use crate::model::entities::{calendar_day, policy};
use crate::model::names;
use crate::model::policy as stored;
use crate::rules::{Policy, YEARS};
use crate::ssr::guard::require;
use crate::ssr::today;
use crate::ssr::validate::{fmt_num, Validator};
use crate::types::Role;
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::collections::HashMap;

/// The policy in force today, since when, and every version newest first.
///
/// # Errors
/// `Forbidden` for anyone but admins.
pub async fn get() -> Result<PolicyView, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let history = stored::history(db).await?;
    let today = today();
    // Who set each version, and when (the latest row of the day's values).
    let mut set_by: HashMap<NaiveDate, (Option<i64>, chrono::DateTime<Utc>)> = HashMap::new();
    for row in policy::Entity::find().all(db).await? {
        let e = set_by
            .entry(row.effective_from)
            .or_insert((row.updated_by, row.updated_at));
        if row.updated_at > e.1 {
            *e = (row.updated_by, row.updated_at);
        }
    }
    let names = names::accounts(db, set_by.values().filter_map(|(by, _)| *by)).await?;
    let mut versions: Vec<PolicyVersion> = Vec::new();
    let mut before: Option<&Policy> = None;
    for (from, values) in history.versions() {
        let stored = set_by.get(from);
        let changes = before.map_or_else(Vec::new, |b| diff(b, values));
        // A day stored with nothing changed (the epoch's defaults) is not a version of its own.
        if before.is_none() || !changes.is_empty() {
            versions.push(PolicyVersion {
                effective_from: *from,
                values: values.clone(),
                changes,
                updated_by: stored.and_then(|(by, _)| by.and_then(|id| names.get(&id).cloned())),
                updated_at: stored.map(|(_, at)| *at),
            });
        }
        before = Some(values);
    }
    let in_force_from = versions
        .iter()
        .rev()
        .find(|v| v.effective_from <= today)
        .map_or_else(crate::rules::policy_epoch, |v| v.effective_from);
    versions.reverse();
    Ok(PolicyView {
        policy: history.at(today).clone(),
        in_force_from,
        versions,
    })
}

/// `key: old → new` for each value that differs.
fn diff(old: &Policy, new: &Policy) -> Vec<String> {
    pairs(old)
        .into_iter()
        .zip(pairs(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| format!("{k}: {a} → {b}"))
        .collect()
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
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let today = today();
    let from = match form.effective_from.trim() {
        "" => Some(today),
        d => v.date("effective_from", d),
    };
    if let Some(d) = from {
        if d < today {
            v.fail("effective_from", "date_in_past", t.err_policy_past);
        } else if d > today + chrono::Duration::days(366) {
            v.fail("effective_from", "date_too_far", t.err_policy_far);
        }
    }
    let history = stored::history(db).await?;
    let old = history.at(from.unwrap_or(today)).clone();
    let new = validate(&mut v, &form, &old);
    v.finish(&form)?;
    let (Some(new), Some(from)) = (new, from) else {
        return Err(AppError::Internal);
    };
    let changes = diff(&old, &new);
    if changes.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    for (key, value) in pairs(&new) {
        policy::Entity::insert(policy::ActiveModel {
            key: Set(key.to_owned()),
            effective_from: Set(from),
            value: Set(value),
            updated_by: Set(Some(auth.viewer.id)),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([policy::Column::Key, policy::Column::EffectiveFrom])
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
    auth.audit(
        &txn,
        "update",
        "policy",
        None,
        format!("from {from}: {}", changes.join("; ")),
    )
    .await?;
    txn.commit().await?;
    auth.state.cache.clear();
    Ok(())
}

/// # Errors
/// `Forbidden` for anyone but admins; `NotFound` for a year outside 2000 to 2100.
pub async fn year(year: &str) -> Result<CalendarYear, AppError> {
    let auth = require(Role::SYSADMINS)?;
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
    let auth = require(Role::SYSADMINS)?;
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
    crate::compliance::service::reopen_weeks(db, day).await?;
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
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let id = crate::ssr::record_id(id)?;
    let Some(day) = calendar_day::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    calendar_day::Entity::delete_by_id(id).exec(db).await?;
    crate::compliance::service::reopen_weeks(db, day.day).await?;
    auth.audit(
        db,
        "delete",
        "calendar_day",
        Some(id),
        format!("{} {} {}", day.day, day.kind, day.name),
    )
    .await
}
