//! Loading the rules' inputs that live in the database: policy, work calendar, exemptions.

use crate::error::AppError;
use crate::model::entities::{calendar_day, exemption, policy};
use crate::rules::{Exemption, Policy, PolicyHistory, WorkCalendar};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// The policy in force today.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn load(db: &impl ConnectionTrait) -> Result<Policy, AppError> {
    Ok(history(db).await?.at(crate::ssr::today()).clone())
}

/// Every version of the policy with the day it holds from (a few dozen rows at most).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn history(db: &impl ConnectionTrait) -> Result<PolicyHistory, AppError> {
    let rows = policy::Entity::find().all(db).await?;
    Ok(PolicyHistory::from_rows(rows.iter().map(|r| {
        (r.effective_from, r.key.as_str(), r.value.as_str())
    })))
}

/// The calendar between two dates.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn calendar(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<WorkCalendar, AppError> {
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.between(from, to))
        .all(db)
        .await?;
    let (holidays, workdays): (Vec<_>, Vec<_>) =
        days.into_iter().partition(|d| d.kind == "holiday");
    Ok(WorkCalendar::new(
        holidays.into_iter().map(|d| d.day),
        workdays.into_iter().map(|d| d.day),
    ))
}

/// A cadre's approved exemptions overlapping a period.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn exemptions(
    db: &impl ConnectionTrait,
    cadre_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Exemption>, AppError> {
    Ok(exemption::Entity::find()
        .filter(exemption::Column::CadreId.eq(cadre_id))
        .filter(exemption::Column::Status.eq("approved"))
        .filter(exemption::Column::StartDate.lte(to))
        .filter(exemption::Column::EndDate.gte(from))
        .all(db)
        .await?
        .into_iter()
        .map(|e| Exemption {
            start: e.start_date,
            end: e.end_date,
        })
        .collect())
}
