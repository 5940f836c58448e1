//! The facts of a set of cadres, by a fixed number of aggregate queries whatever their number,
//! run side by side: the cadres; their rosters (one pass over the youths' covering index); the
//! youths contacted in a past period; the weeks with visit days (one bit mask per cadre); approved
//! exemptions; pairings and the suggestions for them; study hours per month. Then the rules.
//!
//! The cadres are named by a subquery (or not at all, for the whole district), so ten thousand
//! cadres are as many queries and bound parameters as one; only the cadres whose kept facts are
//! stale (at most a quarter of a view's, see `kept.rs`) are named by a list of ids.

use super::rules::{evaluate, Context, Facts, DAYS_HELD};
use super::{CadreRow, Period, TrendPoint, WeekLine};
use crate::error::AppError;
use crate::i18n::Strings;
use crate::model::entities::{
    account, assignment, compliance_week, contact, exemption, organisation, pairing,
    quarter_signoff, study_record, suggestion, visit_day, youth,
};
use crate::model::orgtree::OrgTree;
use crate::model::policy;
use crate::rules::{month_bounds, Exemption, Policy, PolicyHistory, Week};
use crate::types::{Post, Role};
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, Func, IntoColumnRef, JoinType, OnConflict, Query,
    SelectStatement,
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
    /// These cadres (active or not): the ones whose kept facts are stale.
    Ids(Vec<i64>),
}

impl Cadres {
    /// The condition narrowing a query's cadre column to these cadres, if any is needed (the
    /// whole district needs none: rows of other accounts are dropped when the facts are put
    /// together).
    pub(super) fn narrow(&self, col: impl IntoColumnRef) -> Option<Condition> {
        let col = Expr::col(col);
        match self {
            Cadres::One(id) => Some(Condition::all().add(col.eq(*id))),
            Cadres::Ids(ids) => Some(Condition::all().add(col.is_in(ids.iter().copied()))),
            Cadres::InOrgs(None) => None,
            Cadres::InOrgs(Some(orgs)) => {
                let ids = account::Entity::find()
                    .select_only()
                    .column(account::Column::Id)
                    .filter(account::Column::Role.eq(Role::Cadre.as_str()))
                    .filter(account::Column::Active.eq(true))
                    .filter(account::Column::OrgId.is_in(orgs.iter().copied()))
                    .into_query();
                Some(Condition::all().add(col.in_subquery(ids)))
            }
        }
    }

    fn apply(&self, q: &mut SelectStatement, col: impl IntoColumnRef) {
        if let Some(c) = self.narrow(col) {
            q.cond_where(c);
        }
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
    let history = policy::history(db).await?;
    let (span_start, span_end) = period.span();
    let calendar = policy::calendar(db, span_start, span_end).await?;
    let ctx = Context::new(period, today, &history, &calendar, t);
    // Due and overdue are today's figures: by today's thresholds, whatever the period.
    let policies = Policies {
        period: ctx.policy,
        contacts: history.at(today),
    };
    let facts = facts(db, tree, cadres, period, today, policies, Source::Now).await?;
    Ok(facts.iter().map(|f| evaluate(f, &ctx)).collect())
}

/// The figures of every active cadre in `org`'s subtree for `quarter`, judged on `today`: what
/// a quarter's approval stores, as JSON.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn freeze(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    org: i64,
    quarter: crate::rules::Quarter,
    today: NaiveDate,
) -> Result<String, AppError> {
    let orgs = (tree.root() != Some(org)).then(|| tree.subtree(org));
    let rows: Vec<CadreRow> = evaluate_cadres(
        db,
        tree,
        &Cadres::InOrgs(orgs),
        Period::Quarter(quarter),
        today,
        crate::i18n::Locale::ZhCn.strings(),
    )
    .await?
    .into_iter()
    .map(|(row, _)| row)
    .collect();
    serde_json::to_string(&rows).map_err(|_| AppError::Internal)
}

/// The figures an approval stored ([`freeze`]), their reasons put in the viewer's language.
///
/// # Errors
/// `Internal` for figures that do not read back (never written so).
pub fn frozen(figures: &str, t: &'static Strings) -> Result<Vec<CadreRow>, AppError> {
    let mut rows: Vec<CadreRow> = serde_json::from_str(figures).map_err(|e| {
        tracing::error!(error = %e, "frozen figures do not read back");
        AppError::Internal
    })?;
    for r in &mut rows {
        for reason in &mut r.reasons {
            *reason = super::Reason::new(reason.rule, reason.light, reason.amount, t);
        }
    }
    Ok(rows)
}

/// The figures of `org`'s subtree for `period` (`orgs`: the subtree, `None` for the district):
/// for a quarter approved for `org`, those stored at its approval, with the approval; else
/// judged on `today`. The dashboard and the export read them here, so an approved quarter shows
/// the same frozen figures everywhere.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn subtree_rows(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    org: i64,
    orgs: Option<HashSet<i64>>,
    period: Period,
    today: NaiveDate,
    t: &'static Strings,
) -> Result<(Vec<CadreRow>, Option<quarter_signoff::Model>), AppError> {
    if let Period::Quarter(q) = period {
        if let Some(approval) = crate::model::signoff::approval(db, org, q).await? {
            return Ok((frozen(&approval.figures, t)?, Some(approval)));
        }
    }
    let rows = evaluate_cadres(db, tree, &Cadres::InOrgs(orgs), period, today, t)
        .await?
        .into_iter()
        .map(|(row, _)| row)
        .collect();
    Ok((rows, None))
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

fn int(v: Option<i64>) -> u32 {
    u32::try_from(v.unwrap_or(0)).unwrap_or(0)
}

fn count_if(cond: Expr) -> Expr {
    Expr::from(Func::sum(Expr::case(cond, 1).finally(0)))
}

/// Rows of an aggregate query by column name, with the cadre first.
async fn rows(
    db: &impl ConnectionTrait,
    stmt: &SelectStatement,
    columns: &[&str],
) -> Result<Vec<(i64, Vec<i64>)>, AppError> {
    let mut out = Vec::new();
    for row in db.query_all(stmt).await? {
        let Some(cadre) = row.try_get::<Option<i64>>("", "cadre_id")? else {
            continue;
        };
        let mut values = Vec::with_capacity(columns.len());
        for c in columns {
            values.push(row.try_get::<Option<i64>>("", c)?.unwrap_or(0));
        }
        out.push((cadre, values));
    }
    Ok(out)
}

const ROSTER: &[&str] = &[
    "roster",
    "overdue",
    "due",
    "never",
    "no_offline",
    "contacted",
    "contacted_quarter",
];

/// Rosters now, from the youths' summaries. While the period runs, "contacted in the period" is
/// exact from the last contact too (it is within the period or before it).
fn roster_now(
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    policy: &Policy,
) -> SelectStatement {
    let since = || {
        Expr::from(Func::coalesce([
            Expr::col(youth::Column::LastContactOn),
            Expr::col(youth::Column::AssignedOn),
        ]))
    };
    let overdue_cut = today - Duration::days(policy.contact_overdue_days);
    let due_cut = today - Duration::days(policy.contact_due_days);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let offline = || Expr::col(youth::Column::LastOfflineOn);
    let mut q = Query::select();
    q.expr_as(Expr::col(youth::Column::CadreId), Alias::new("cadre_id"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("roster"))
        .expr_as(count_if(since().lte(overdue_cut)), Alias::new("overdue"))
        .expr_as(
            count_if(since().lte(due_cut).and(since().gt(overdue_cut))),
            Alias::new("due"),
        )
        .expr_as(
            count_if(Expr::col(youth::Column::LastContactOn).is_null()),
            Alias::new("never"),
        )
        .expr_as(
            count_if(offline().is_null().or(offline().lt(year_start))),
            Alias::new("no_offline"),
        )
        .expr_as(
            count_if(Expr::col(youth::Column::LastContactOn).gte(period.start())),
            Alias::new("contacted"),
        )
        .expr_as(
            count_if(Expr::col(youth::Column::LastContactOn).gte(period.quarter().start())),
            Alias::new("contacted_quarter"),
        )
        .from(youth::Entity)
        .and_where(Expr::col(youth::Column::CadreId).is_not_null())
        .group_by_col(youth::Column::CadreId);
    cadres.apply(&mut q, youth::Column::CadreId);
    q
}

/// Rosters as they were on `today` (a past day): the assignments open then, and each youth's
/// contacts up to then.
fn roster_then(
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    policy: &Policy,
) -> SelectStatement {
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
        .expr_as(
            Func::count(Expr::case(date().gte(period.quarter().start()), 1)),
            Alias::new("in_quarter"),
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
    let overdue_cut = today - Duration::days(policy.contact_overdue_days);
    let due_cut = today - Duration::days(policy.contact_due_days);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last_offline = || Expr::col((l.clone(), Alias::new("last_offline")));
    let mut q = Query::select();
    q.expr_as(
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
    .expr_as(
        count_if(Expr::col((l.clone(), Alias::new("in_quarter"))).gt(0)),
        Alias::new("contacted_quarter"),
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
    .group_by_col((a.clone(), assignment::Column::CadreId));
    cadres.apply(&mut q, (a, assignment::Column::CadreId));
    q
}

/// For a period that is over: the youths of each roster contacted from `from` to `to`.
fn contacted_within(cadres: &Cadres, from: NaiveDate, to: NaiveDate) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(
        Expr::col((youth::Entity, youth::Column::CadreId)),
        Alias::new("cadre_id"),
    )
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
    .and_where(Expr::col((contact::Entity, contact::Column::ContactDate)).between(from, to))
    .group_by_col((youth::Entity, youth::Column::CadreId));
    cadres.apply(&mut q, (youth::Entity, youth::Column::CadreId));
    q
}

/// The weeks of the period with a visit day, as one bit mask per cadre (bit `i`: the `i`-th
/// week from `first`).
fn visit_masks(cadres: &Cadres, first: Week, last: Week) -> SelectStatement {
    let mut weeks = Query::select();
    weeks
        .distinct()
        .column(visit_day::Column::CadreId)
        .column(visit_day::Column::WeekNo)
        .from(visit_day::Entity)
        .and_where(Expr::col(visit_day::Column::WeekNo).between(first.number(), last.number()));
    cadres.apply(&mut weeks, visit_day::Column::CadreId);
    let w = Alias::new("w");
    // int4 bits: PostgreSQL sums int4 to bigint (bigint would sum to numeric); a period has at
    // most 14 weeks.
    let bit = Expr::val(1i32)
        .left_shift(Expr::col((w.clone(), Alias::new("week_no"))).sub(first.number()));
    Query::select()
        .expr_as(
            Expr::col((w.clone(), Alias::new("cadre_id"))),
            Alias::new("cadre_id"),
        )
        .expr_as(Func::sum(bit), Alias::new("mask"))
        .from_subquery(weeks, w.clone())
        .group_by_col((w, Alias::new("cadre_id")))
        .to_owned()
}

/// Visit days per cadre and week (when the policy asks for more than one a week).
fn visit_counts(cadres: &Cadres, first: Week, last: Week) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(
        Expr::col(visit_day::Column::CadreId),
        Alias::new("cadre_id"),
    )
    .expr_as(Expr::col(visit_day::Column::WeekNo), Alias::new("week_no"))
    .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
    .from(visit_day::Entity)
    .and_where(Expr::col(visit_day::Column::WeekNo).between(first.number(), last.number()))
    .group_by_col(visit_day::Column::CadreId)
    .group_by_col(visit_day::Column::WeekNo);
    cadres.apply(&mut q, visit_day::Column::CadreId);
    q
}

/// Pairings open on `as_of` (the quarter's last day, or today while it runs).
fn open_pairings(as_of: NaiveDate) -> Condition {
    Condition::all()
        .add(Expr::col((pairing::Entity, pairing::Column::StartedOn)).lte(as_of))
        .add(
            Expr::col((pairing::Entity, pairing::Column::EndedOn))
                .is_null()
                .or(Expr::col((pairing::Entity, pairing::Column::EndedOn)).gt(as_of)),
        )
}

/// The latest start of a pairing that owes `quarter`'s suggestion: paired for at least
/// [`DAYS_HELD`] days of the quarter (from the later of the pairing's start and the quarter's,
/// to the quarter's end). A pairing made, or a post taken up, in the quarter's last 29 days
/// owes nothing for it.
fn latest_owing_start(as_of: NaiveDate, quarter: crate::rules::Quarter) -> NaiveDate {
    std::cmp::min(as_of, quarter.end() - Duration::days(DAYS_HELD - 1))
}

/// The pairings that owe the quarter's suggestion on `as_of`: open then, and started early
/// enough (see [`latest_owing_start`]). The one definition: the engine's counts, the reminders
/// and the calendar feed read it.
pub fn owed_pairings(as_of: NaiveDate, quarter: crate::rules::Quarter) -> Condition {
    open_pairings(as_of).add(
        Expr::col((pairing::Entity, pairing::Column::StartedOn))
            .lte(latest_owing_start(as_of, quarter)),
    )
}

/// Suggestions that count as given for `quarter`: submitted, whatever the review said since,
/// except one returned for revision (it counts again once resubmitted).
pub fn given_suggestions(quarter: crate::rules::Quarter) -> Condition {
    Condition::all()
        .add(Expr::col((suggestion::Entity, suggestion::Column::Year)).eq(quarter.year))
        .add(
            Expr::col((suggestion::Entity, suggestion::Column::Quarter))
                .eq(i16::try_from(quarter.q).unwrap_or(0)),
        )
        .add(
            Expr::col((suggestion::Entity, suggestion::Column::Status))
                .ne(crate::types::SuggestionStatus::Returned.as_str()),
        )
}

/// Per open pairing, the suggestions given for it this quarter and whether it owes one (see
/// [`owed_pairings`]).
fn pairings(
    cadres: &Cadres,
    as_of: NaiveDate,
    quarter: crate::rules::Quarter,
    source: Source,
) -> SelectStatement {
    let mut on = Condition::all()
        .add(
            Expr::col((suggestion::Entity, suggestion::Column::CadreId))
                .equals((pairing::Entity, pairing::Column::CadreId)),
        )
        .add(
            Expr::col((suggestion::Entity, suggestion::Column::OrgId))
                .equals((pairing::Entity, pairing::Column::OrgId)),
        )
        .add(given_suggestions(quarter));
    if source == Source::History {
        // A past week: the suggestions given by the day it is judged on, not since.
        on = on.add(
            Expr::col((suggestion::Entity, suggestion::Column::CreatedAt))
                .lt(crate::rules::shanghai_midnight(as_of + Duration::days(1))),
        );
    }
    let mut q = Query::select();
    q.expr_as(
        Expr::col((pairing::Entity, pairing::Column::CadreId)),
        Alias::new("cadre_id"),
    )
    .expr_as(
        Func::count(Expr::col((suggestion::Entity, suggestion::Column::Id))),
        Alias::new("n"),
    )
    // A sum, not a max: PostgreSQL sums int4 to bigint, which is what the rows are read as.
    .expr_as(
        count_if(
            Expr::col((pairing::Entity, pairing::Column::StartedOn))
                .lte(latest_owing_start(as_of, quarter)),
        ),
        Alias::new("owed"),
    )
    .from(pairing::Entity)
    .join(JoinType::LeftJoin, suggestion::Entity, on)
    .cond_where(open_pairings(as_of))
    .group_by_col((pairing::Entity, pairing::Column::CadreId))
    .group_by_col((pairing::Entity, pairing::Column::OrgId));
    cadres.apply(&mut q, (pairing::Entity, pairing::Column::CadreId));
    q
}

/// Per cadre of `cadres`, the organisations whose pairing owes a suggestion for `quarter` on
/// `as_of` and has none given yet, with their names (the reminders and the calendar feed).
///
/// # Errors
/// A database error.
pub async fn unsuggested(
    db: &impl ConnectionTrait,
    cadres: &Cadres,
    as_of: NaiveDate,
    quarter: crate::rules::Quarter,
) -> Result<HashMap<i64, Vec<(i64, String)>>, AppError> {
    let given = Query::select()
        .expr(Expr::val(1))
        .from(suggestion::Entity)
        .cond_where(
            Condition::all()
                .add(
                    Expr::col((suggestion::Entity, suggestion::Column::CadreId))
                        .equals((pairing::Entity, pairing::Column::CadreId)),
                )
                .add(
                    Expr::col((suggestion::Entity, suggestion::Column::OrgId))
                        .equals((pairing::Entity, pairing::Column::OrgId)),
                )
                .add(given_suggestions(quarter)),
        )
        .to_owned();
    let mut q = Query::select();
    q.expr_as(
        Expr::col((pairing::Entity, pairing::Column::CadreId)),
        Alias::new("cadre_id"),
    )
    .expr_as(
        Expr::col((pairing::Entity, pairing::Column::OrgId)),
        Alias::new("org_id"),
    )
    .expr_as(
        Expr::col((organisation::Entity, organisation::Column::Name)),
        Alias::new("name"),
    )
    .from(pairing::Entity)
    .inner_join(
        organisation::Entity,
        Expr::col((organisation::Entity, organisation::Column::Id))
            .equals((pairing::Entity, pairing::Column::OrgId)),
    )
    .cond_where(owed_pairings(as_of, quarter))
    .and_where(Expr::exists(given).not());
    cadres.apply(&mut q, (pairing::Entity, pairing::Column::CadreId));
    let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for row in db.query_all(&q).await? {
        let cadre: i64 = row.try_get("", "cadre_id")?;
        out.entry(cadre)
            .or_default()
            .push((row.try_get("", "org_id")?, row.try_get("", "name")?));
    }
    for orgs in out.values_mut() {
        orgs.sort();
    }
    Ok(out)
}

/// Study hours of each month (`m0`, `m1`, …) up to `as_of`, in one pass over the months'
/// records (a past week judges its month's hours by the week's end).
fn study(cadres: &Cadres, months: &[NaiveDate], as_of: NaiveDate) -> SelectStatement {
    let date = || Expr::col(study_record::Column::StudyDate);
    let mut q = Query::select();
    q.expr_as(
        Expr::col(study_record::Column::CadreId),
        Alias::new("cadre_id"),
    );
    for (i, m) in months.iter().enumerate() {
        let end = std::cmp::min(month_bounds(*m).1, as_of);
        q.expr_as(
            Func::sum(
                Expr::case(
                    date().between(*m, end),
                    Expr::col(study_record::Column::Hours),
                )
                .finally(0.0),
            ),
            Alias::new(format!("m{i}")),
        );
    }
    let (first, last) = (
        months.first().copied().unwrap_or_default(),
        months.last().map_or(NaiveDate::default(), |m| {
            std::cmp::min(month_bounds(*m).1, as_of)
        }),
    );
    q.from(study_record::Entity)
        .and_where(date().between(first, last))
        .group_by_col(study_record::Column::CadreId);
    cadres.apply(&mut q, study_record::Column::CadreId);
    q
}

/// The policies the facts are read with.
#[derive(Clone, Copy)]
pub struct Policies<'a> {
    /// In force on the period's last day (or today): visit days a week, suggestions a pairing.
    pub period: &'a Policy,
    /// The contact thresholds of the day the rosters are read on.
    pub contacts: &'a Policy,
}

/// The aggregated facts. Those of the cadres of organisations as they are now (the dashboard,
/// the exports, the reminders) are kept between views (see [`super::kept`]).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn facts(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    policies: Policies<'_>,
    source: Source,
) -> Result<Vec<Facts>, AppError> {
    match (cadres, source) {
        (Cadres::InOrgs(_), Source::Now) => {
            super::kept::facts(db, tree, cadres, period, today, policies).await
        }
        _ => read(db, tree, cadres, period, today, policies, source).await,
    }
}

/// What the facts need of a cadre's account.
#[derive(Debug, sea_orm::FromQueryResult)]
pub(super) struct Cadre {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub post: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub facts_stamp: i64,
}

/// The cadres' accounts: those in post now, or (a past week of the trend) at some time of the
/// period, or the ones named.
pub(super) async fn accounts(
    db: &impl ConnectionTrait,
    cadres: &Cadres,
    period: Period,
    source: Source,
) -> Result<Vec<Cadre>, AppError> {
    let mut q = account::Entity::find();
    q = match cadres {
        Cadres::One(id) => q
            .filter(account::Column::Id.eq(*id))
            .filter(account::Column::Role.eq(Role::Cadre.as_str())),
        Cadres::Ids(ids) => q
            .filter(account::Column::Id.is_in(ids.iter().copied()))
            .filter(account::Column::Role.eq(Role::Cadre.as_str())),
        // A past week of the trend: the cadres in post at some time of it, whatever they
        // are now, so the week comes out the same whenever it is judged.
        Cadres::InOrgs(orgs) if source == Source::History => {
            let q = q
                .filter(account::Column::Role.eq(Role::Cadre.as_str()))
                .filter(
                    Condition::any()
                        .add(account::Column::JoinedOn.is_null())
                        .add(account::Column::JoinedOn.lte(period.end())),
                )
                .filter(
                    Condition::any()
                        .add(account::Column::LeftOn.is_null())
                        .add(account::Column::LeftOn.gt(period.start())),
                )
                .filter(
                    Condition::any()
                        .add(account::Column::LeftOn.is_not_null())
                        .add(account::Column::Active.eq(true)),
                );
            match orgs {
                Some(o) => q.filter(account::Column::OrgId.is_in(o.iter().copied())),
                None => q,
            }
        }
        Cadres::InOrgs(orgs) => {
            let q = q
                .filter(account::Column::Role.eq(Role::Cadre.as_str()))
                .filter(account::Column::Active.eq(true));
            match orgs {
                Some(o) => q.filter(account::Column::OrgId.is_in(o.iter().copied())),
                None => q,
            }
        }
    };
    Ok(q.select_only()
        .columns([
            account::Column::Id,
            account::Column::Username,
            account::Column::Name,
            account::Column::OrgId,
            account::Column::Post,
            account::Column::JoinedOn,
            account::Column::FactsStamp,
        ])
        .into_model::<Cadre>()
        .all(db)
        .await?)
}

/// Who a cadre is: the facts of the account, before any figure.
pub(super) fn who(a: Cadre, tree: &OrgTree) -> Facts {
    Facts {
        cadre_id: a.id,
        org_name: tree
            .get(a.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        org_id: a.org_id,
        username: a.username,
        name: a.name,
        post: a.post.as_deref().and_then(Post::parse),
        joined_on: a.joined_on,
        ..Facts::default()
    }
}

/// The facts as the database has them now, by the aggregate queries.
pub(super) async fn read(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    policies: Policies<'_>,
    source: Source,
) -> Result<Vec<Facts>, AppError> {
    let policy = policies.period;
    let as_of = std::cmp::min(today, period.end());
    let weeks = period.weeks();
    let (first, last) = (
        weeks
            .first()
            .copied()
            .unwrap_or_else(|| Week::of(period.start())),
        weeks
            .last()
            .copied()
            .unwrap_or_else(|| Week::of(period.end())),
    );
    let months: Vec<NaiveDate> = period
        .months()
        .into_iter()
        .filter(|m| *m <= as_of)
        .collect();
    let (span_start, span_end) = period.span();

    let accounts = accounts(db, cadres, period, source);
    let roster = async {
        let stmt = match source {
            Source::Now => roster_now(cadres, period, today, policies.contacts),
            Source::History => roster_then(cadres, period, today, policies.contacts),
        };
        rows(db, &stmt, ROSTER).await
    };
    // A period that is over, judged from today's summaries: its contacts (and its quarter's up
    // to its end) from the contacts themselves.
    let past = async {
        if source == Source::Now && as_of < today {
            let quarter = period.quarter();
            let stmts = (
                contacted_within(cadres, period.start(), period.end()),
                contacted_within(cadres, quarter.start(), std::cmp::min(as_of, quarter.end())),
            );
            let (in_period, in_quarter) =
                tokio::try_join!(rows(db, &stmts.0, &["n"]), rows(db, &stmts.1, &["n"]))?;
            Ok(Some((in_period, in_quarter)))
        } else {
            Ok(None)
        }
    };
    let visits = async {
        if policy.visit_days_per_week <= 1 {
            rows(db, &visit_masks(cadres, first, last), &["mask"])
                .await
                .map(|r| (r, true))
        } else {
            let stmt = visit_counts(cadres, first, last);
            let mut out = Vec::new();
            for row in db.query_all(&stmt).await? {
                let cadre: i64 = row.try_get("", "cadre_id")?;
                let week: i32 = row.try_get("", "week_no")?;
                let n: i64 = row.try_get("", "n")?;
                out.push((cadre, vec![i64::from(week), n]));
            }
            Ok((out, false))
        }
    };
    let exemptions = async {
        let mut q = exemption::Entity::find()
            .filter(exemption::Column::Status.eq("approved"))
            .filter(exemption::Column::StartDate.lte(span_end))
            .filter(exemption::Column::EndDate.gte(span_start));
        if let Some(c) = cadres.narrow((exemption::Entity, exemption::Column::CadreId)) {
            q = q.filter(c);
        }
        Ok::<_, AppError>(q.all(db).await?)
    };
    let paired = async {
        let stmt = pairings(cadres, as_of, period.quarter(), source);
        rows(db, &stmt, &["n", "owed"]).await
    };
    let hours = async {
        if months.is_empty() {
            return Ok(Vec::new());
        }
        let stmt = study(cadres, &months, as_of);
        let mut out = Vec::new();
        for row in db.query_all(&stmt).await? {
            let cadre: i64 = row.try_get("", "cadre_id")?;
            let mut h = Vec::with_capacity(months.len());
            for i in 0..months.len() {
                h.push(
                    row.try_get::<Option<f64>>("", &format!("m{i}"))?
                        .unwrap_or(0.0),
                );
            }
            out.push((cadre, h));
        }
        Ok::<_, AppError>(out)
    };
    let (accounts, roster, past, (visits, masks), exemptions, paired, hours) =
        tokio::try_join!(accounts, roster, past, visits, exemptions, paired, hours)?;

    let mut out: Vec<Facts> = accounts.into_iter().map(|a| who(a, tree)).collect();
    let index: HashMap<i64, usize> = out
        .iter()
        .enumerate()
        .map(|(i, f)| (f.cadre_id, i))
        .collect();
    let at = |cadre: i64| index.get(&cadre).copied();

    for (cadre, v) in roster {
        if let Some(i) = at(cadre) {
            let f = &mut out[i];
            f.roster = int(Some(v[0]));
            f.overdue = int(Some(v[1]));
            f.due = int(Some(v[2]));
            f.never = int(Some(v[3]));
            f.no_offline = int(Some(v[4]));
            f.contacted = int(Some(v[5]));
            f.contacted_quarter = int(Some(v[6]));
        }
    }
    if let Some((in_period, in_quarter)) = past {
        for f in &mut out {
            f.contacted = 0;
            f.contacted_quarter = 0;
        }
        for (cadre, v) in in_period {
            if let Some(i) = at(cadre) {
                out[i].contacted = int(Some(v[0]));
            }
        }
        for (cadre, v) in in_quarter {
            if let Some(i) = at(cadre) {
                out[i].contacted_quarter = int(Some(v[0]));
            }
        }
    }
    let span: Vec<Week> = {
        let mut w = first;
        let mut all = Vec::new();
        while w <= last {
            all.push(w);
            w = w.next();
        }
        all
    };
    for (cadre, v) in visits {
        let Some(i) = at(cadre) else { continue };
        if masks {
            for (bit, week) in span.iter().enumerate() {
                if bit < 63 && v[0] & (1i64 << bit) != 0 {
                    out[i].visit_weeks.insert(*week);
                }
            }
        } else if v[1] >= i64::from(policy.visit_days_per_week) {
            if let Some(week) = span.iter().find(|w| i64::from(w.number()) == v[0]) {
                out[i].visit_weeks.insert(*week);
            }
        }
    }
    for e in exemptions {
        if let Some(i) = at(e.cadre_id) {
            out[i].exemptions.push(Exemption {
                start: e.start_date,
                end: e.end_date,
            });
        }
    }
    // A pairing counts as covered with the policy's number of suggestions.
    for (cadre, v) in paired {
        if let Some(i) = at(cadre) {
            let given = v[0] >= i64::from(policy.suggestions_per_quarter);
            if given {
                out[i].suggested += 1;
            }
            if v[1] > 0 {
                out[i].paired += 1;
                if given {
                    out[i].paired_with_suggestion += 1;
                }
            }
        }
    }
    for (cadre, h) in hours {
        if let Some(i) = at(cadre) {
            out[i].study = months.iter().copied().zip(h).collect();
        }
    }
    Ok(out)
}

/// The trend: each of the `n` weeks before this one, for the active cadres of `orgs` (`None`:
/// all). A completed week is judged once, for the whole district, and kept per organisation
/// (`compliance_weeks`); later views add up the kept judgements.
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
    let missing: Vec<Week> = weeks
        .iter()
        .copied()
        .filter(|w| !kept.contains(&w.key()))
        .collect();
    if !missing.is_empty() {
        let history = policy::history(db).await?;
        for week in missing {
            judge_week(db, tree, week, &history).await?;
        }
    }
    type WeekSums = (
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let mut q = compliance_week::Entity::find()
        .select_only()
        .column(compliance_week::Column::WeekKey)
        .column_as(compliance_week::Column::Cadres.sum(), "cadres")
        .column_as(compliance_week::Column::Green.sum(), "green")
        .column_as(compliance_week::Column::Required.sum(), "required")
        .column_as(compliance_week::Column::Covered.sum(), "covered")
        .column_as(compliance_week::Column::Roster.sum(), "roster")
        .column_as(compliance_week::Column::InTouch.sum(), "in_touch")
        .filter(compliance_week::Column::WeekKey.is_in(keys))
        .group_by(compliance_week::Column::WeekKey);
    if let Some(orgs) = &orgs {
        q = q.filter(compliance_week::Column::OrgId.is_in(orgs.iter().copied()));
    }
    let by_key: HashMap<String, [Option<i64>; 6]> = q
        .into_tuple::<WeekSums>()
        .all(db)
        .await?
        .into_iter()
        .map(|(k, c, g, r, v, y, t)| (k, [c, g, r, v, y, t]))
        .collect();
    Ok(weeks
        .into_iter()
        .map(|week| {
            let [cadres, green, required, covered, roster, in_touch] =
                by_key.get(&week.key()).copied().unwrap_or([None; 6]);
            TrendPoint {
                week,
                cadres: int(cadres),
                green: int(green),
                weeks_required: int(required),
                weeks_covered: int(covered),
                roster: int(roster),
                in_touch: int(in_touch),
            }
        })
        .collect())
}

/// Forgets the kept judgements of the trend's weeks from the one holding `day` on, when that
/// week is closed: a late entry, an approved leave or a handover dated back into a closed week
/// has it judged again at the next view, so the trend reads as if it had been known all along.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn reopen_weeks(db: &impl ConnectionTrait, day: NaiveDate) -> Result<(), AppError> {
    let week = Week::of(day);
    if week >= Week::of(crate::ssr::today()) {
        return Ok(());
    }
    compliance_week::Entity::delete_many()
        .filter(compliance_week::Column::WeekKey.gte(week.key()))
        .exec(db)
        .await?;
    Ok(())
}

/// Judges a completed week for every cadre in post during it, as of the Monday after it, and keeps the
/// sums per organisation. An organisation without cadres gets a zero row, so the week counts as
/// judged.
async fn judge_week(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    week: Week,
    history: &PolicyHistory,
) -> Result<(), AppError> {
    let judged_on = week.sunday() + Duration::days(1);
    let period = Period::Week(week);
    let calendar = policy::calendar(db, week.monday(), week.sunday()).await?;
    let ctx = Context::new(
        period,
        judged_on,
        history,
        &calendar,
        crate::i18n::Locale::default().strings(),
    );
    let facts = facts(
        db,
        tree,
        &Cadres::InOrgs(None),
        period,
        judged_on,
        Policies {
            period: ctx.policy,
            contacts: ctx.policy,
        },
        Source::History,
    )
    .await?;
    let mut sums: HashMap<i64, [i32; 6]> = HashMap::new();
    if let Some(root) = tree.root() {
        sums.insert(root, [0; 6]);
    }
    let n = |x: u32| i32::try_from(x).unwrap_or(0);
    for f in &facts {
        let (row, _) = evaluate(f, &ctx);
        let s = sums.entry(row.org_id).or_insert([0; 6]);
        s[0] += 1;
        s[1] += i32::from(row.light == super::Light::Green);
        s[2] += n(row.weeks_required);
        s[3] += n(row.weeks_covered);
        s[4] += n(row.roster);
        s[5] += n(row.roster.saturating_sub(row.overdue));
    }
    let now = chrono::Utc::now();
    let rows: Vec<compliance_week::ActiveModel> = sums
        .into_iter()
        .map(
            |(org, [cadres, green, required, covered, roster, in_touch])| {
                compliance_week::ActiveModel {
                    week_key: Set(week.key()),
                    org_id: Set(org),
                    cadres: Set(cadres),
                    green: Set(green),
                    required: Set(required),
                    covered: Set(covered),
                    roster: Set(roster),
                    in_touch: Set(in_touch),
                    computed_at: Set(now),
                    ..Default::default()
                }
            },
        )
        .collect();
    for chunk in rows.chunks(500) {
        compliance_week::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    compliance_week::Column::WeekKey,
                    compliance_week::Column::OrgId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A youth due or overdue for contact now.
#[derive(Clone, Debug, PartialEq)]
pub struct DueYouth {
    pub cadre_id: i64,
    pub youth_id: i64,
    pub name: String,
    /// The last contact, or the assignment when never contacted.
    pub since: NaiveDate,
    pub never: bool,
    pub overdue: bool,
}

/// The youths behind the `due` and `overdue` figures of `cadres` on `today`, longest without
/// contact first: the same summaries and cut-offs as the figures, so a digest lists exactly the
/// youths the figures count.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn due_youths(
    db: &impl ConnectionTrait,
    cadres: &Cadres,
    today: NaiveDate,
    policy: &Policy,
) -> Result<Vec<DueYouth>, AppError> {
    let since = || {
        Expr::from(Func::coalesce([
            Expr::col(youth::Column::LastContactOn),
            Expr::col(youth::Column::AssignedOn),
        ]))
    };
    let overdue_cut = today - Duration::days(policy.contact_overdue_days);
    let due_cut = today - Duration::days(policy.contact_due_days);
    let mut q = Query::select();
    q.column(youth::Column::CadreId)
        .column(youth::Column::Id)
        .column(youth::Column::Name)
        .column(youth::Column::LastContactOn)
        .column(youth::Column::AssignedOn)
        .from(youth::Entity)
        .and_where(Expr::col(youth::Column::CadreId).is_not_null())
        .and_where(since().lte(due_cut))
        .order_by_expr(since(), sea_orm::sea_query::Order::Asc)
        .order_by(youth::Column::Id, sea_orm::sea_query::Order::Asc);
    cadres.apply(&mut q, youth::Column::CadreId);
    let rows = db.query_all(&q).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(cadre_id), youth_id, name, last, assigned): (
            Option<i64>,
            i64,
            String,
            Option<NaiveDate>,
            Option<NaiveDate>,
        ) = (
            r.try_get("", "cadre_id")?,
            r.try_get("", "id")?,
            r.try_get("", "name")?,
            r.try_get("", "last_contact_on")?,
            r.try_get("", "assigned_on")?,
        ) else {
            continue;
        };
        let Some(since) = last.or(assigned) else {
            continue;
        };
        out.push(DueYouth {
            cadre_id,
            youth_id,
            name,
            since,
            never: last.is_none(),
            overdue: since <= overdue_cut,
        });
    }
    Ok(out)
}

/// The activities of `cadres` in `span` and what they reached (the figures of the activities
/// page, the dashboard, the drill-down and the ledgers).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn activity_reach(
    db: &impl ConnectionTrait,
    cadres: &[i64],
    span: (NaiveDate, NaiveDate),
) -> Result<super::Reach, AppError> {
    let (held, attendance) = activity_attendance(db, cadres, span).await?;
    let ids: Vec<i64> = held.iter().map(|(id, _)| *id).collect();
    Ok(super::rules::reach(&ids, &attendance))
}

/// The activities of `cadres` in `span` as (activity, cadre), and their attendance as
/// (activity, youth).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn activity_attendance(
    db: &impl ConnectionTrait,
    cadres: &[i64],
    span: (NaiveDate, NaiveDate),
) -> Result<(Vec<(i64, i64)>, Vec<(i64, i64)>), AppError> {
    use crate::model::entities::activity;
    let mut held = Vec::new();
    let mut attendance = Vec::new();
    for chunk in cadres.chunks(500) {
        let of = || {
            activity::Entity::find()
                .select_only()
                .column(activity::Column::Id)
                .filter(activity::Column::CadreId.is_in(chunk.iter().copied()))
                .filter(activity::Column::ActivityDate.between(span.0, span.1))
        };
        held.extend(
            of().column(activity::Column::CadreId)
                .into_tuple::<(i64, i64)>()
                .all(db)
                .await?,
        );
        attendance.extend(
            contact::Entity::find()
                .select_only()
                .column(contact::Column::ActivityId)
                .column(contact::Column::YouthId)
                .filter(contact::Column::ActivityId.in_subquery(of().into_query()))
                .into_tuple::<(Option<i64>, i64)>()
                .all(db)
                .await?
                .into_iter()
                .filter_map(|(a, y)| Some((a?, y))),
        );
    }
    Ok((held, attendance))
}
