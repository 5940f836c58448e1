//! The today summary on the server: the same rules and queries as the feature pages.

use super::api::TodayPage;
use crate::error::AppError;
use crate::rules::{ContactStatus, Quarter, Week};
use crate::ssr::entities::visit_day;
use crate::ssr::guard::require;
use crate::ssr::today;
use crate::study;
use crate::suggestions;
use crate::visits::service::week_rows;
use crate::youth::service::{full_roster, CADRES};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashSet;

/// How many youths to list on the start page.
const FIRST_FEW: usize = 5;

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn page() -> Result<TodayPage, AppError> {
    let auth = require(CADRES)?;
    let db = auth.db();
    let today = today();
    let week = Week::of(today);
    let (roster, target) = full_roster(&auth).await?;
    let due = roster
        .iter()
        .filter(|e| e.status == ContactStatus::Due)
        .count();
    let overdue = roster
        .iter()
        .filter(|e| e.status == ContactStatus::Overdue)
        .count();
    let logged = visit_day::Entity::find()
        .filter(visit_day::Column::CadreId.eq(auth.viewer.id))
        .filter(visit_day::Column::VisitDate.between(week.monday(), week.sunday()))
        .one(db)
        .await?
        .is_some();
    let covered: HashSet<Week> = if logged {
        HashSet::from([week])
    } else {
        HashSet::new()
    };
    let quarter = Quarter::of(week.thursday());
    let week_status = week_rows(db, &auth.viewer, quarter, &covered)
        .await?
        .into_iter()
        .find(|w| w.week == week)
        .map(|w| w.status)
        .ok_or(AppError::Internal)?;
    let sug = suggestions::service::page().await?;
    let study = study::service::page().await?;
    Ok(TodayPage {
        week,
        week_status,
        roster_total: roster.len(),
        roster_target: target,
        due,
        overdue,
        to_contact: roster
            .into_iter()
            .filter(|e| e.status != ContactStatus::Ok)
            .take(FIRST_FEW)
            .collect(),
        quarter: sug.quarter,
        quarter_days_left: sug.days_left,
        suggestions: sug.coverage,
        study_hours: study.total,
        study_target: study.target,
    })
}
