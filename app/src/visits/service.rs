//! Visit days on the server.

use super::api::{VisitForm, VisitRow, VisitsPage, WeekRow};
use crate::compliance::service::evaluate_one;
use crate::compliance::Period;
use crate::error::AppError;
use crate::i18n::fill;
use crate::model::entities::visit_day;
use crate::model::policy;
use crate::rules::{check_entry_date, DateProblem, Quarter, Week, WeekStatus};
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::Role;
use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

fn rows(visits: Vec<visit_day::Model>, tree: &crate::model::orgtree::OrgTree) -> Vec<VisitRow> {
    visits
        .into_iter()
        .map(|v| VisitRow {
            id: v.id,
            date: v.visit_date,
            org_name: tree
                .get(v.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            hours: v.hours,
            work_done: v.work_done,
            outcomes: v.outcomes,
        })
        .collect()
}

/// The status of every week of a quarter for the cadre, newest first: the compliance engine's
/// for the weeks begun (the drill-down, the today page and the dashboard read the same), and
/// `Upcoming` for the rest.
///
/// # Errors
/// A database error, as `Internal`.
async fn week_rows(
    auth: &Authorised,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<Vec<WeekRow>, AppError> {
    let (tree, _) = auth.scope().await?;
    let t = auth.viewer.locale.strings();
    let (_, lines) = evaluate_one(
        auth.db(),
        &tree,
        auth.viewer.id,
        Period::Quarter(quarter),
        today,
        t,
    )
    .await?;
    let mut out: Vec<WeekRow> = quarter
        .weeks()
        .into_iter()
        .map(|w| WeekRow {
            week: w,
            monday: w.monday(),
            sunday: w.sunday(),
            status: lines
                .iter()
                .find(|l| l.week == w)
                .map_or(WeekStatus::Upcoming, |l| l.status),
        })
        .collect();
    out.reverse();
    Ok(out)
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn page(quarter: &str) -> Result<VisitsPage, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let today = today();
    // By default the quarter this week counts in (its Thursday's): around New Year that can
    // differ from today's own quarter.
    let quarter =
        Quarter::parse(quarter).unwrap_or_else(|| Quarter::of(Week::of(today).thursday()));
    let weeks = quarter.weeks();
    let (from, to) = (
        weeks.first().map_or(quarter.start(), |w| w.monday()),
        weeks.last().map_or(quarter.end(), |w| w.sunday()),
    );
    let visits = visit_day::Entity::find()
        .filter(visit_day::Column::CadreId.eq(auth.viewer.id))
        .filter(visit_day::Column::VisitDate.between(from, to))
        .order_by_desc(visit_day::Column::VisitDate)
        .all(db)
        .await?;
    let (tree, _) = auth.scope().await?;
    Ok(VisitsPage {
        quarter,
        today,
        weeks: week_rows(&auth, quarter, today).await?,
        visits: rows(visits, &tree),
        paired: crate::model::pairings::open(&auth).await?,
        late_entry_days: policy::load(db).await?.visit_late_entry_days,
    })
}

/// # Errors
/// `Forbidden`; `Invalid` for a date outside the window, an organisation not paired, bad hours,
/// or a date already logged.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: VisitForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "visits/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let policy = policy::load(db).await?;
    let date = v.date("visit_date", &form.visit_date);
    if let Some(d) = date {
        match check_entry_date(d, today(), &policy) {
            Err(DateProblem::InFuture) => v.fail("visit_date", "date_in_future", t.err_date_future),
            Err(DateProblem::TooLate) => v.fail(
                "visit_date",
                "date_too_late",
                fill(
                    t.err_date_too_late,
                    &[("days", &policy.visit_late_entry_days.to_string())],
                ),
            ),
            Ok(()) => {
                let taken = visit_day::Entity::find()
                    .filter(visit_day::Column::CadreId.eq(auth.viewer.id))
                    .filter(visit_day::Column::VisitDate.eq(d))
                    .one(db)
                    .await?;
                if taken.is_some() {
                    v.fail("visit_date", "visit_exists", t.err_visit_exists);
                }
            }
        }
    }
    let org = v.id("org_id", &form.org_id);
    let paired = crate::model::pairings::open(&auth).await?;
    if org.is_some_and(|o| !paired.iter().any(|(id, _)| *id == o)) {
        v.fail("org_id", "not_paired", t.err_not_paired);
    }
    let hours = v.hours("hours", &form.hours, 0.5, 12.0);
    let work_done = v.lines("work_done", &form.work_done, 1000, true);
    let outcomes = v.lines("outcomes", &form.outcomes, 1000, false);
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(date), Some(org), Some(hours)) = (date, org, hours) else {
        return Err(AppError::Internal);
    };
    let now = Utc::now();
    let record = visit_day::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(auth.viewer.id),
        org_id: Set(org),
        visit_date: Set(date),
        week_no: Set(crate::rules::Week::of(date).number()),
        hours: Set(hours),
        work_done: Set(work_done),
        outcomes: Set(outcomes),
        late_approved_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match once
        .insert(record, |m| m.id, "visit_day", date.to_string())
        .await?
    {
        Ok(id) => {
            crate::compliance::service::reopen_weeks(db, date).await?;
            Ok(id)
        }
        // Another visit day for this date was saved in parallel (one per date): the message the
        // check above gives.
        Err(once::Conflict) => {
            let mut v = Validator::new(auth.viewer.locale);
            v.fail("visit_date", "visit_exists", t.err_visit_exists);
            v.finish(&form).map(|()| 0)
        }
    }
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's visit day.
pub async fn get(id: i64) -> Result<VisitRow, AppError> {
    let auth = require(Role::CADRES)?;
    let v = visit_day::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .filter(|v| v.cadre_id == auth.viewer.id)
        .ok_or(AppError::NotFound)?;
    let (tree, _) = auth.scope().await?;
    Ok(rows(vec![v], &tree).remove(0))
}
