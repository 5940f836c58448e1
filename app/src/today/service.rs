//! The today summary on the server. Its figures come from the compliance engine, like every
//! supervisor's page: the same numbers everywhere.

use super::api::TodayPage;
use crate::compliance::service::evaluate_one;
use crate::compliance::Period;
use crate::error::AppError;
use crate::rules::{ContactStatus, Quarter, Week};
use crate::ssr::guard::require;
use crate::ssr::today;
use crate::suggestions;
use crate::types::Role;
use crate::youth::service::full_roster;

/// How many youths to list on the start page.
const FIRST_FEW: usize = 5;

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn page() -> Result<TodayPage, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let t = auth.viewer.locale.strings();
    let today = today();
    let week = Week::of(today);
    let (tree, _) = auth.scope().await?;
    let quarter = Quarter::of(today);
    let (row, weeks) = evaluate_one(
        db,
        &tree,
        auth.viewer.id,
        Period::Quarter(quarter),
        today,
        t,
    )
    .await?;
    // Around New Year this week can count in the quarter next door (by its Thursday).
    let week_status = match weeks.iter().find(|w| w.week == week) {
        Some(line) => line.status,
        None => evaluate_one(db, &tree, auth.viewer.id, Period::Week(week), today, t)
            .await?
            .1
            .into_iter()
            .next()
            .map(|l| l.status)
            .ok_or(AppError::Internal)?,
    };
    let (roster, _) = full_roster(&auth).await?;
    let sug = suggestions::service::page().await?;
    Ok(TodayPage {
        week,
        week_status,
        roster_total: row.roster as usize,
        roster_target: row.roster_target,
        due: row.due as usize,
        overdue: row.overdue as usize,
        to_contact: roster
            .into_iter()
            .filter(|e| e.status != ContactStatus::Ok)
            .take(FIRST_FEW)
            .collect(),
        quarter: sug.quarter,
        quarter_days_left: sug.days_left,
        suggestions: sug.coverage,
        study_hours: row.study_hours,
        study_target: row.study_target,
    })
}
