//! The facts of a set of cadres, by a fixed number of aggregate queries whatever their number:
//! the cadres, their rosters (one scan of the youths' covering index), contacts in a past
//! period, visit days, exemptions, pairings with suggestions, study per month. Then the rules.
//!
//! The cadres are named by a subquery, never by a list of ids, so a district of ten thousand
//! cadres is as many queries (and bound parameters) as one cadre.

use super::rules::{evaluate, Context, Facts};
use super::{CadreRow, Period, TrendPoint, WeekLine};
use crate::error::AppError;
use crate::i18n::Strings;
use crate::rules::{Exemption, Policy, Week};
use crate::ssr::entities::{
    account, assignment, compliance_week, contact, exemption, pairing, study_record, suggestion,
    visit_day, youth,
};
use crate::ssr::orgtree::OrgTree;
use crate::ssr::policy;
use crate::types::{Post, Role};
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, Func, JoinType, OnConflict, Query, SelectStatement,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait,
};
use std::collections::{HashMap, HashSet};

/// Where rosters are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The youths' summaries: rosters and last contacts as they are now (`today` is today).
    Now,
    /// Assignments and contacts as they were on the judging day (a past week of the trend).
    History,
}

/// Whose compliance.
#[derive(Clone, Debug)]
pub enum Cadres {
    /// The active cadres of these organisations (`None`: of every organisation).
    InOrgs(Option<HashSet<i64>>),
    /// One cadre (active or not).
    One(i64),
}

impl Cadres {
    /// `SELECT id FROM accounts WHERE …`: the cadres, as a subquery for the other queries.
    fn ids(&self) -> SelectStatement {
        let q = account::Entity::find()
            .select_only()
            .column(account::Column::Id);
        match self {
            Cadres::One(id) => q.filter(account::Column::Id.eq(*id)),
            Cadres::InOrgs(orgs) => {
                let q = q
                    .filter(account::Column::Role.eq(Role::Cadre.as_str()))
                    .filter(account::Column::Active.eq(true));
                match orgs {
                    None => q,
                    Some(orgs) => q.filter(account::Column::OrgId.is_in(orgs.iter().copied())),
                }
            }
        }
        .into_query()
    }
}

/// The figures of `cadres` for `period`, judged on `today`; each with its weeks.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn evaluate_cadres(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    t: &'static Strings,
) -> Result<Vec<(CadreRow, Vec<WeekLine>)>, AppError> {
    let policy = policy::load(db).await?;
    let (span_start, span_end) = period.span();
    let calendar = policy::calendar(db, span_start, span_end).await?;
    let facts = facts(db, tree, cadres, period, today, &policy, Source::Now).await?;
    let ctx = Context {
        period,
        today,
        policy: &policy,
        calendar: &calendar,
        t,
    };
    Ok(facts.iter().map(|f| evaluate(f, &ctx)).collect())
}

/// One cadre's figures (the today page, the drill-down).
///
/// # Errors
/// `NotFound` for an account that is not a cadre; a database error.
pub async fn evaluate_one(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadre: i64,
    period: Period,
    today: NaiveDate,
    t: &'static Strings,
) -> Result<(CadreRow, Vec<WeekLine>), AppError> {
    evaluate_cadres(db, tree, &Cadres::One(cadre), period, today, t)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Rosters now: one pass over the youths' covering index (and, for a period that is over, the
/// contacts within it).
async fn roster_now(
    db: &impl ConnectionTrait,
    ids: &SelectStatement,
    period: Period,
    today: NaiveDate,
    policy: &Policy,
    index: &HashMap<i64, usize>,
    out: &mut [Facts],
) -> Result<(), AppError> {
    let as_of = std::cmp::min(today, period.end());
    let since = || {
        Expr::from(Func::coalesce([
            Expr::col(youth::Column::LastContactOn),
            Expr::col(youth::Column::AssignedOn),
        ]))
    };
    let count_if = |cond: Expr| Expr::from(Func::sum(Expr::case(cond, 1).finally(0)));
    let overdue_cut = today - Duration::days(policy.contact_overdue_days);
    let due_cut = today - Duration::days(policy.contact_due_days);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    type RosterRow = (
        Option<i64>,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<RosterRow> = youth::Entity::find()
        .select_only()
        .column(youth::Column::CadreId)
        .column_as(Expr::cust("COUNT(*)"), "roster")
        .column_as(count_if(since().lte(overdue_cut)), "overdue")
        .column_as(
            count_if(since().lte(due_cut).and(since().gt(overdue_cut))),
            "due",
        )
        .column_as(
            count_if(Expr::col(youth::Column::LastContactOn).is_null()),
            "never",
        )
        .column_as(
            count_if(
                Expr::col(youth::Column::LastOfflineOn)
                    .is_null()
                    .or(Expr::col(youth::Column::LastOfflineOn).lt(year_start)),
            ),
            "no_offline",
        )
        .column_as(
            count_if(Expr::col(youth::Column::LastContactOn).gte(period.start())),
            "contacted",
        )
        .filter(youth::Column::CadreId.in_subquery(ids.clone()))
        .group_by(youth::Column::CadreId)
        .into_tuple()
        .all(db)
        .await?;
    for (cadre, roster, overdue, due, never, no_offline, contacted) in rows {
        if let Some(f) = cadre.and_then(|c| index.get(&c)).map(|i| &mut out[*i]) {
            f.roster = int(Some(roster));
            f.overdue = int(overdue);
            f.due = int(due);
            f.never = int(never);
            f.no_offline = int(no_offline);
            // Exact while the period runs: the last contact is then within it or before it.
            f.contacted = int(contacted);
        }
    }

    // A period that is over: the youths contacted within it, from the contacts themselves.
    if as_of < today {
        for f in out.iter_mut() {
            f.contacted = 0;
        }
        let stmt = Query::select()
            .column((youth::Entity, youth::Column::CadreId))
            .expr_as(
                Expr::cust("COUNT(DISTINCT contacts.youth_id)"),
                Alias::new("n"),
            )
            .from(contact::Entity)
            .inner_join(
                youth::Entity,
                Expr::col((youth::Entity, youth::Column::Id))
                    .equals((contact::Entity, contact::Column::YouthId)),
            )
            .and_where(
                Expr::col((contact::Entity, contact::Column::ContactDate))
                    .between(period.start(), period.end()),
            )
            .and_where(Expr::col((youth::Entity, youth::Column::CadreId)).in_subquery(ids.clone()))
            .group_by_col((youth::Entity, youth::Column::CadreId))
            .to_owned();
        for (cadre, n) in counts(db, &stmt).await? {
            if let Some(i) = index.get(&cadre) {
                out[*i].contacted = int(Some(n));
            }
        }
    }

    Ok(())
}

/// Rosters as they were on `today` (a past day): the assignments open then, and each youth's
/// contacts up to then.
async fn roster_then(
    db: &impl ConnectionTrait,
    ids: &SelectStatement,
    period: Period,
    today: NaiveDate,
    policy: &Policy,
    index: &HashMap<i64, usize>,
    out: &mut [Facts],
) -> Result<(), AppError> {
    let (a, l) = (Alias::new("a"), Alias::new("l"));
    let date = || Expr::col(contact::Column::ContactDate);
    let last = Query::select()
        .column(contact::Column::YouthId)
        .expr_as(Func::max(date()), Alias::new("last"))
        .expr_as(
            Func::max(Expr::case(
                Expr::col(contact::Column::Online).eq(false),
                date(),
            )),
            Alias::new("last_offline"),
        )
        .expr_as(
            Func::count(Expr::case(date().gte(period.start()), 1)),
            Alias::new("in_period"),
        )
        .from(contact::Entity)
        .and_where(date().lte(today))
        .group_by_col(contact::Column::YouthId)
        .to_owned();
    let since = || {
        Expr::from(Func::coalesce([
            Expr::col((l.clone(), Alias::new("last"))),
            Expr::col((a.clone(), assignment::Column::AssignedOn)),
        ]))
    };
    let count_if = |cond: Expr| Expr::from(Func::sum(Expr::case(cond, 1).finally(0)));
    let overdue_cut = today - Duration::days(policy.contact_overdue_days);
    let due_cut = today - Duration::days(policy.contact_due_days);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last_offline = || Expr::col((l.clone(), Alias::new("last_offline")));
    let stmt = Query::select()
        .expr_as(
            Expr::col((a.clone(), assignment::Column::CadreId)),
            Alias::new("cadre_id"),
        )
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("roster"))
        .expr_as(count_if(since().lte(overdue_cut)), Alias::new("overdue"))
        .expr_as(
            count_if(since().lte(due_cut).and(since().gt(overdue_cut))),
            Alias::new("due"),
        )
        .expr_as(
            count_if(Expr::col((l.clone(), Alias::new("last"))).is_null()),
            Alias::new("never"),
        )
        .expr_as(
            count_if(last_offline().is_null().or(last_offline().lt(year_start))),
            Alias::new("no_offline"),
        )
        .expr_as(
            count_if(Expr::col((l.clone(), Alias::new("in_period"))).gt(0)),
            Alias::new("contacted"),
        )
        .from_as(assignment::Entity, a.clone())
        .join_subquery(
            JoinType::LeftJoin,
            last,
            l.clone(),
            Expr::col((l.clone(), contact::Column::YouthId))
                .equals((a.clone(), assignment::Column::YouthId)),
        )
        .and_where(Expr::col((a.clone(), assignment::Column::AssignedOn)).lte(today))
        .and_where(
            Expr::col((a.clone(), assignment::Column::EndedOn))
                .is_null()
                .or(Expr::col((a.clone(), assignment::Column::EndedOn)).gt(today)),
        )
        .and_where(Expr::col((a.clone(), assignment::Column::CadreId)).in_subquery(ids.clone()))
        .group_by_col((a.clone(), assignment::Column::CadreId))
        .to_owned();
    for row in db.query_all(&stmt).await? {
        let cadre: i64 = row.try_get("", "cadre_id")?;
        let Some(f) = index.get(&cadre).map(|i| &mut out[*i]) else {
            continue;
        };
        let get =
            |col: &str| -> Result<u32, AppError> { Ok(int(row.try_get::<Option<i64>>("", col)?)) };
        f.roster = get("roster")?;
        f.overdue = get("overdue")?;
        f.due = get("due")?;
        f.never = get("never")?;
        f.no_offline = get("no_offline")?;
        f.contacted = get("contacted")?;
    }
    Ok(())
}

/// The trend: each of the `n` weeks before this one, for the active cadres of `orgs` (`None`:
/// all). A completed week is judged once, for the whole district, and kept
/// (`compliance_weeks`); later views read the kept judgement.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn trend(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    orgs: Option<HashSet<i64>>,
    today: NaiveDate,
    n: usize,
) -> Result<Vec<TrendPoint>, AppError> {
    let mut weeks = Vec::with_capacity(n);
    let mut w = Week::of(today);
    for _ in 0..n {
        w = Week::of(w.monday() - Duration::days(7));
        weeks.push(w);
    }
    weeks.reverse();
    let keys: Vec<String> = weeks.iter().map(|w| w.key()).collect();
    let kept: HashSet<String> = compliance_week::Entity::find()
        .select_only()
        .column(compliance_week::Column::WeekKey)
        .distinct()
        .filter(compliance_week::Column::WeekKey.is_in(keys.clone()))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let policy = policy::load(db).await?;
    for week in weeks.iter().filter(|w| !kept.contains(&w.key())) {
        judge_week(db, tree, *week, &policy).await?;
    }
    let ids = Cadres::InOrgs(orgs).ids();
    let light = Expr::col(compliance_week::Column::Light);
    let count_if = |cond: Expr| Expr::from(Func::sum(Expr::case(cond, 1).finally(0)));
    /// (cadres, green, required, covered) of a week.
    type Week4 = (i64, Option<i64>, Option<i64>, Option<i64>);
    type WeekRow = (String, i64, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<WeekRow> = compliance_week::Entity::find()
        .select_only()
        .column(compliance_week::Column::WeekKey)
        .column_as(Expr::cust("COUNT(*)"), "cadres")
        .column_as(count_if(light.eq("green")), "green")
        .column_as(compliance_week::Column::Required.sum(), "required")
        .column_as(compliance_week::Column::Covered.sum(), "covered")
        .filter(compliance_week::Column::WeekKey.is_in(keys))
        .filter(compliance_week::Column::CadreId.in_subquery(ids))
        .group_by(compliance_week::Column::WeekKey)
        .into_tuple()
        .all(db)
        .await?;
    let by_key: HashMap<String, Week4> = rows
        .into_iter()
        .map(|(k, c, g, r, v)| (k, (c, g, r, v)))
        .collect();
    Ok(weeks
        .into_iter()
        .map(|week| {
            let (cadres, green, required, covered) = by_key
                .get(&week.key())
                .copied()
                .unwrap_or((0, None, None, None));
            TrendPoint {
                week,
                cadres: int(Some(cadres)),
                green: int(green),
                weeks_required: int(required),
                weeks_covered: int(covered),
            }
        })
        .collect())
}

/// Judges a completed week for every active cadre, as of the Monday after it, and keeps it.
async fn judge_week(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    week: Week,
    policy: &Policy,
) -> Result<(), AppError> {
    let judged_on = week.sunday() + Duration::days(1);
    let period = Period::Week(week);
    let calendar = policy::calendar(db, week.monday(), week.sunday()).await?;
    let facts = facts(
        db,
        tree,
        &Cadres::InOrgs(None),
        period,
        judged_on,
        policy,
        Source::History,
    )
    .await?;
    let ctx = Context {
        period,
        today: judged_on,
        policy,
        calendar: &calendar,
        t: crate::i18n::Locale::default().strings(),
    };
    let now = chrono::Utc::now();
    let rows: Vec<compliance_week::ActiveModel> = facts
        .iter()
        .map(|f| {
            let (row, _) = evaluate(f, &ctx);
            compliance_week::ActiveModel {
                week_key: Set(week.key()),
                cadre_id: Set(row.cadre_id),
                light: Set(row.light.as_str().to_owned()),
                required: Set(i16::try_from(row.weeks_required).unwrap_or(0)),
                covered: Set(i16::try_from(row.weeks_covered).unwrap_or(0)),
                computed_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        compliance_week::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    compliance_week::Column::WeekKey,
                    compliance_week::Column::CadreId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// `(cadre_id, n)` rows of an aggregate query.
async fn counts(
    db: &impl ConnectionTrait,
    stmt: &SelectStatement,
) -> Result<Vec<(i64, i64)>, AppError> {
    let mut out = Vec::new();
    for row in db.query_all(stmt).await? {
        let cadre: Option<i64> = row.try_get("", "cadre_id")?;
        let n: i64 = row.try_get("", "n")?;
        if let Some(c) = cadre {
            out.push((c, n));
        }
    }
    Ok(out)
}

fn int(v: Option<i64>) -> u32 {
    u32::try_from(v.unwrap_or(0)).unwrap_or(0)
}

/// The aggregated facts.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn facts(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    policy: &Policy,
    source: Source,
) -> Result<Vec<Facts>, AppError> {
    let as_of = std::cmp::min(today, period.end());
    let ids = cadres.ids();

    // The cadres themselves.
    let mut q = account::Entity::find();
    q = match cadres {
        Cadres::One(id) => q
            .filter(account::Column::Id.eq(*id))
            .filter(account::Column::Role.eq(Role::Cadre.as_str())),
        Cadres::InOrgs(_) => q.filter(account::Column::Id.in_subquery(ids.clone())),
    };
    let accounts = q.all(db).await?;
    let mut out: Vec<Facts> = accounts
        .into_iter()
        .map(|a| Facts {
            cadre_id: a.id,
            username: a.username,
            name: a.name,
            org_id: a.org_id,
            org_name: tree
                .get(a.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            post: a.post.as_deref().and_then(Post::parse),
            joined_on: a.joined_on,
            ..Facts::default()
        })
        .collect();
    if out.is_empty() {
        return Ok(out);
    }
    let index: HashMap<i64, usize> = out
        .iter()
        .enumerate()
        .map(|(i, f)| (f.cadre_id, i))
        .collect();

    match source {
        Source::Now => roster_now(db, &ids, period, today, policy, &index, &mut out).await?,
        Source::History => {
            roster_then(db, &ids, period, today, policy, &index, &mut out).await?;
        }
    }

    // Visit days in the period's weeks.
    let weeks = period.weeks();
    if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
        let rows: Vec<(i64, NaiveDate)> = visit_day::Entity::find()
            .select_only()
            .column(visit_day::Column::CadreId)
            .column(visit_day::Column::VisitDate)
            .filter(visit_day::Column::VisitDate.between(first.monday(), last.sunday()))
            .filter(visit_day::Column::CadreId.in_subquery(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        // A week is covered with the policy's number of visit days (one per date).
        let mut days: HashMap<(i64, Week), u32> = HashMap::new();
        for (cadre, date) in rows {
            *days.entry((cadre, Week::of(date))).or_default() += 1;
        }
        for ((cadre, week), n) in days {
            if n >= policy.visit_days_per_week {
                if let Some(i) = index.get(&cadre) {
                    out[*i].visit_weeks.insert(week);
                }
            }
        }
    }

    // Approved exemptions touching the period (or its weeks).
    let (span_start, span_end) = period.span();
    for e in exemption::Entity::find()
        .filter(exemption::Column::Status.eq("approved"))
        .filter(exemption::Column::StartDate.lte(span_end))
        .filter(exemption::Column::EndDate.gte(span_start))
        .filter(exemption::Column::CadreId.in_subquery(ids.clone()))
        .all(db)
        .await?
    {
        if let Some(i) = index.get(&e.cadre_id) {
            out[*i].exemptions.push(Exemption {
                start: e.start_date,
                end: e.end_date,
            });
        }
    }

    // Pairings open on the judging day, and how many of those organisations have a suggestion
    // for the period's quarter.
    let quarter = period.quarter();
    let open_on = |q: &mut SelectStatement| {
        q.and_where(Expr::col((pairing::Entity, pairing::Column::StartedOn)).lte(as_of))
            .and_where(
                Expr::col((pairing::Entity, pairing::Column::EndedOn))
                    .is_null()
                    .or(Expr::col((pairing::Entity, pairing::Column::EndedOn)).gt(as_of)),
            )
            .and_where(
                Expr::col((pairing::Entity, pairing::Column::CadreId)).in_subquery(ids.clone()),
            )
            .group_by_col((pairing::Entity, pairing::Column::CadreId));
    };
    let mut paired = Query::select();
    paired
        .column((pairing::Entity, pairing::Column::CadreId))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(pairing::Entity);
    open_on(&mut paired);
    for (cadre, n) in counts(db, &paired).await? {
        if let Some(i) = index.get(&cadre) {
            out[*i].paired = int(Some(n));
        }
    }
    // Per paired organisation, its suggestions this quarter; it counts with the policy's number.
    let mut with_suggestion = Query::select();
    with_suggestion
        .column((pairing::Entity, pairing::Column::CadreId))
        .column((pairing::Entity, pairing::Column::OrgId))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(pairing::Entity)
        .inner_join(
            suggestion::Entity,
            Condition::all()
                .add(
                    Expr::col((suggestion::Entity, suggestion::Column::CadreId))
                        .equals((pairing::Entity, pairing::Column::CadreId)),
                )
                .add(
                    Expr::col((suggestion::Entity, suggestion::Column::OrgId))
                        .equals((pairing::Entity, pairing::Column::OrgId)),
                ),
        )
        .and_where(Expr::col((suggestion::Entity, suggestion::Column::Year)).eq(quarter.year))
        .and_where(
            Expr::col((suggestion::Entity, suggestion::Column::Quarter))
                .eq(i16::try_from(quarter.q).unwrap_or(0)),
        );
    open_on(&mut with_suggestion);
    with_suggestion.add_group_by([Expr::col((pairing::Entity, pairing::Column::OrgId))]);
    for row in db.query_all(&with_suggestion).await? {
        let cadre: i64 = row.try_get("", "cadre_id")?;
        let n: i64 = row.try_get("", "n")?;
        if n >= i64::from(policy.suggestions_per_quarter) {
            if let Some(i) = index.get(&cadre) {
                out[*i].paired_with_suggestion += 1;
            }
        }
    }

    // Study hours, month by month (at most three queries).
    for month in period.months().into_iter().filter(|m| *m <= as_of) {
        let end = crate::rules::month_bounds(month).1;
        let rows: Vec<(i64, Option<f64>)> = study_record::Entity::find()
            .select_only()
            .column(study_record::Column::CadreId)
            .column_as(study_record::Column::Hours.sum(), "hours")
            .filter(study_record::Column::StudyDate.between(month, end))
            .filter(study_record::Column::CadreId.in_subquery(ids.clone()))
            .group_by(study_record::Column::CadreId)
            .into_tuple()
            .all(db)
            .await?;
        for (cadre, hours) in rows {
            if let Some(i) = index.get(&cadre) {
                out[*i].study.push((month, hours.unwrap_or(0.0)));
            }
        }
    }
    Ok(out)
}
