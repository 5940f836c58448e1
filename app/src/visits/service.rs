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
use crate::types::{LateKind, Role};
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
            late: v.late_approved_by.is_some(),
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
    let late = crate::late::service::asked(&form.late);
    let date = v.date("visit_date", &form.visit_date);
    let locked = match date {
        Some(d) => {
            crate::model::signoff::guard(db, &mut v, "visit_date", auth.viewer.org_id, (d, d), late)
                .await?
        }
        None => false,
    };
    if let Some(d) = date {
        let taken = || async {
            visit_day::Entity::find()
                .filter(visit_day::Column::CadreId.eq(auth.viewer.id))
                .filter(visit_day::Column::VisitDate.eq(d))
                .one(db)
                .await
        };
        match (check_entry_date(d, today(), &policy), late) {
            (Err(DateProblem::InFuture), _) => {
                v.fail("visit_date", "date_in_future", t.err_date_future);
            }
            (Err(DateProblem::TooLate), false) => v.fail(
                "visit_date",
                "date_too_late",
                fill(
                    t.err_date_too_late,
                    &[("days", &policy.visit_late_entry_days.to_string())],
                ),
            ),
            (Ok(()), true) if !locked => {
                v.fail("late", "late_not_needed", t.err_late_not_needed);
            }
            (Ok(()) | Err(DateProblem::TooLate), _) => {
                if taken().await?.is_some() {
                    v.fail("visit_date", "visit_exists", t.err_visit_exists);
                } else if late
                    && crate::late::service::pending_on(db, auth.viewer.id, LateKind::VisitDay, d)
                        .await?
                {
                    v.fail("visit_date", "late_pending", t.err_late_pending);
                }
            }
        }
    }
    let org = v.id("org_id", &form.org_id);
    let paired = crate::model::pairings::open(&auth).await?;
    let org_name = org.and_then(|o| {
        paired
            .iter()
            .find(|(id, _)| *id == o)
            .map(|(_, n)| n.clone())
    });
    if org.is_some() && org_name.is_none() {
        v.fail("org_id", "not_paired", t.err_not_paired);
    }
    let hours = v.hours("hours", &form.hours, 0.5, 12.0);
    let work_done = v.lines("work_done", &form.work_done, 1000, true);
    let outcomes = v.lines("outcomes", &form.outcomes, 1000, false);
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(date), Some(org), Some(hours)) = (date, org, hours) else {
        return Err(AppError::Internal);
    };
    if let Some(reason) = reason {
        let summary = format!("{} · {hours} h · {work_done}", org_name.unwrap_or_default());
        return crate::late::service::file(
            &auth,
            &once,
            crate::late::service::Filing {
                kind: LateKind::VisitDay,
                action: crate::types::LateAction::Create,
                target: None,
                date,
                form: &form,
                summary,
                reason,
            },
        )
        .await;
    }
    let record = new_record(
        once.uuid,
        auth.viewer.id,
        ValidVisit {
            org,
            date,
            hours,
            work_done,
            outcomes,
        },
        None,
    );
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

/// A visit day's checked fields.
struct ValidVisit {
    org: i64,
    date: NaiveDate,
    hours: f64,
    work_done: String,
    outcomes: String,
}

/// A new visit day (not yet stored).
fn new_record(
    uuid: uuid::Uuid,
    cadre: i64,
    visit: ValidVisit,
    late_approved_by: Option<i64>,
) -> visit_day::ActiveModel {
    let now = Utc::now();
    let ValidVisit {
        org,
        date,
        hours,
        work_done,
        outcomes,
    } = visit;
    visit_day::ActiveModel {
        uuid: Set(uuid),
        cadre_id: Set(cadre),
        org_id: Set(org),
        visit_date: Set(date),
        week_no: Set(crate::rules::Week::of(date).number()),
        hours: Set(hours),
        work_done: Set(work_done),
        outcomes: Set(outcomes),
        late_approved_by: Set(late_approved_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Stores the visit day of an approved 补录申请, by its cadre, as of its date, marked as
/// approved by `approver`. The fields were checked when it was filed; a visit day logged for
/// the same date since then leaves it unstored (`Ok(Err(message))`).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn store_late(
    txn: &impl sea_orm::ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    use sea_orm::ActiveModelTrait;
    let form: VisitForm = crate::late::service::fields(request)?;
    let mut v = Validator::new(locale);
    let t = v.t();
    let org = v.id("org_id", &form.org_id);
    let hours = v.hours("hours", &form.hours, 0.5, 12.0);
    let work_done = v.lines("work_done", &form.work_done, 1000, true);
    let outcomes = v.lines("outcomes", &form.outcomes, 1000, false);
    let (Some(org), Some(hours), true) = (org, hours, v.is_empty()) else {
        return Ok(Err(t.err_internal.to_owned()));
    };
    let date = request.record_date;
    let taken = visit_day::Entity::find()
        .filter(visit_day::Column::CadreId.eq(request.cadre_id))
        .filter(visit_day::Column::VisitDate.eq(date))
        .one(txn)
        .await?;
    if taken.is_some() {
        return Ok(Err(t.err_visit_exists.to_owned()));
    }
    let record = new_record(
        uuid::Uuid::new_v4(),
        request.cadre_id,
        ValidVisit {
            org,
            date,
            hours,
            work_done,
            outcomes,
        },
        Some(approver),
    );
    let saved = record.insert(txn).await?;
    crate::compliance::service::reopen_weeks(txn, date).await?;
    Ok(Ok(saved.id))
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
