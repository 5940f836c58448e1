//! The ledgers' rows, read from the database a page at a time in a stable order (keyset
//! pagination), so an export of any size holds one page in memory. The cadres are those whose
//! organisation lies in the chosen subtree (active or not: a cadre who left mid-quarter still
//! has their contacts in the quarter's ledger).

use super::sheets::Cell;
use crate::error::AppError;
use crate::i18n::{Locale, Strings};
use crate::model::entities::{
    account, activity, contact, exemption, organisation, study_record, suggestion, visit_day, youth,
};
use crate::rules::{Quarter, Week};
use crate::types::{
    mask_phone, ActivityKind, Channel, ExemptionReason, ExemptionStatus, Gender, PoliticalStatus,
    RequestStatus, Sector, StudyKind, SuggestionKind, SuggestionStatus,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, EntityName, QueryResult};
use std::collections::HashSet;

/// Rows read per query.
pub const PAGE: u64 = 2000;

/// The ledgers after the summary, in sheet order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ledger {
    Contacts,
    Visits,
    Suggestions,
    Study,
    Exemptions,
    Activities,
}

impl Ledger {
    pub const ALL: [Ledger; 6] = [
        Ledger::Contacts,
        Ledger::Visits,
        Ledger::Suggestions,
        Ledger::Study,
        Ledger::Exemptions,
        Ledger::Activities,
    ];

    pub fn sheet(self) -> super::sheets::Sheet {
        use super::sheets as s;
        match self {
            Ledger::Contacts => s::contacts(),
            Ledger::Visits => s::visits(),
            Ledger::Suggestions => s::suggestions(),
            Ledger::Study => s::study(),
            Ledger::Exemptions => s::exemptions(),
            Ledger::Activities => s::activities(),
        }
    }
}

/// Where a page ends: the next page starts after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub date: NaiveDate,
    pub id: i64,
}

impl Cursor {
    /// Before every row (a date PostgreSQL can hold, unlike `NaiveDate::MIN`).
    pub fn start() -> Cursor {
        Cursor {
            date: NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
            id: 0,
        }
    }
}

/// Whose rows and which quarter.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The organisations whose cadres are exported (`None`: every organisation).
    pub orgs: Option<HashSet<i64>>,
    pub quarter: Quarter,
}

fn cadre() -> Alias {
    Alias::new("cadre")
}

fn reviewer() -> Alias {
    Alias::new("reviewer")
}

/// The organisation a youth belongs to (`organisations AS youth_org`), for 单位/学校.
fn youth_org() -> Alias {
    Alias::new("youth_org")
}

/// Joins the cadre who owns the rows (`accounts AS cadre`) and keeps the scope's.
fn join_cadre(
    q: &mut SelectStatement,
    scope: &Scope,
    owner: (impl EntityName + 'static, impl sea_orm::IdenStatic),
) {
    q.join_as(
        JoinType::InnerJoin,
        account::Entity,
        cadre(),
        Expr::col((cadre(), account::Column::Id)).equals(owner),
    );
    if let Some(orgs) = &scope.orgs {
        let mut ids: Vec<i64> = orgs.iter().copied().collect();
        ids.sort_unstable();
        q.and_where(Expr::col((cadre(), account::Column::OrgId)).is_in(ids));
    }
}

/// Selects `table.column AS alias` for each pair.
fn columns<T, C>(q: &mut SelectStatement, table: T, cols: &[(C, &str)])
where
    T: sea_orm::sea_query::IntoIden + Clone,
    C: sea_orm::sea_query::IntoIden + Copy,
{
    for (col, alias) in cols {
        q.expr_as(Expr::col((table.clone(), *col)), Alias::new(*alias));
    }
}

/// The ledger's base query: its tables, the scope and the quarter, without columns.
fn base(ledger: Ledger, scope: &Scope) -> SelectStatement {
    let (start, end) = (scope.quarter.start(), scope.quarter.end());
    // The days of every week that counts in the quarter (by its Thursday): the 4+1 ledger and the
    // leave behind it hold what the summary counts, 28 September to 3 January for 2026 Q4
    // (SPEC: a quarter's ledgers hold the records of every week that counts in it).
    let weeks = scope.quarter.weeks();
    let (week_start, week_end) = (
        weeks.first().map_or(start, |w| w.monday()),
        weeks.last().map_or(end, |w| w.sunday()),
    );
    let mut q = Query::select();
    match ledger {
        Ledger::Contacts => {
            q.from(contact::Entity)
                .inner_join(
                    youth::Entity,
                    Expr::col((youth::Entity, youth::Column::Id))
                        .equals((contact::Entity, contact::Column::YouthId)),
                )
                .join_as(
                    JoinType::LeftJoin,
                    organisation::Entity,
                    youth_org(),
                    Expr::col((youth_org(), organisation::Column::Id))
                        .equals((youth::Entity, youth::Column::OrgId)),
                )
                .and_where(
                    Expr::col((contact::Entity, contact::Column::ContactDate)).between(start, end),
                );
            join_cadre(&mut q, scope, (contact::Entity, contact::Column::CadreId));
        }
        Ledger::Visits => {
            q.from(visit_day::Entity)
                .inner_join(
                    organisation::Entity,
                    Expr::col((organisation::Entity, organisation::Column::Id))
                        .equals((visit_day::Entity, visit_day::Column::OrgId)),
                )
                .and_where(
                    Expr::col((visit_day::Entity, visit_day::Column::VisitDate))
                        .between(week_start, week_end),
                );
            join_cadre(
                &mut q,
                scope,
                (visit_day::Entity, visit_day::Column::CadreId),
            );
        }
        Ledger::Suggestions => {
            q.from(suggestion::Entity)
                .inner_join(
                    organisation::Entity,
                    Expr::col((organisation::Entity, organisation::Column::Id))
                        .equals((suggestion::Entity, suggestion::Column::OrgId)),
                )
                .join_as(
                    JoinType::LeftJoin,
                    account::Entity,
                    reviewer(),
                    Expr::col((reviewer(), account::Column::Id))
                        .equals((suggestion::Entity, suggestion::Column::ReviewerId)),
                )
                .and_where(
                    Expr::col((suggestion::Entity, suggestion::Column::Year))
                        .eq(scope.quarter.year),
                )
                .and_where(
                    Expr::col((suggestion::Entity, suggestion::Column::Quarter))
                        .eq(i16::try_from(scope.quarter.q).unwrap_or(0)),
                );
            join_cadre(
                &mut q,
                scope,
                (suggestion::Entity, suggestion::Column::CadreId),
            );
        }
        Ledger::Study => {
            q.from(study_record::Entity).and_where(
                Expr::col((study_record::Entity, study_record::Column::StudyDate))
                    .between(start, end),
            );
            join_cadre(
                &mut q,
                scope,
                (study_record::Entity, study_record::Column::CadreId),
            );
        }
        Ledger::Exemptions => {
            q.from(exemption::Entity)
                .and_where(
                    Expr::col((exemption::Entity, exemption::Column::StartDate)).lte(week_end),
                )
                .and_where(
                    Expr::col((exemption::Entity, exemption::Column::EndDate)).gte(week_start),
                )
                .join_as(
                    JoinType::LeftJoin,
                    account::Entity,
                    reviewer(),
                    Expr::col((reviewer(), account::Column::Id))
                        .equals((exemption::Entity, exemption::Column::DecidedBy)),
                );
            join_cadre(
                &mut q,
                scope,
                (exemption::Entity, exemption::Column::CadreId),
            );
            q.inner_join(
                organisation::Entity,
                Expr::col((organisation::Entity, organisation::Column::Id))
                    .equals((cadre(), account::Column::OrgId)),
            );
        }
        Ledger::Activities => {
            q.from(activity::Entity)
                .and_where(
                    Expr::col((activity::Entity, activity::Column::ActivityDate))
                        .between(start, end),
                )
                .join_as(
                    JoinType::LeftJoin,
                    organisation::Entity,
                    activity_org(),
                    Expr::col((activity_org(), organisation::Column::Id))
                        .equals((activity::Entity, activity::Column::OrgId)),
                );
            join_cadre(&mut q, scope, (activity::Entity, activity::Column::CadreId));
            q.inner_join(
                organisation::Entity,
                Expr::col((organisation::Entity, organisation::Column::Id))
                    .equals((cadre(), account::Column::OrgId)),
            );
        }
    }
    q
}

/// The organisation an activity was held at (`organisations AS activity_org`).
fn activity_org() -> Alias {
    Alias::new("activity_org")
}

/// How many rows the ledger has (the job's progress counts against the sum).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn count(
    db: &impl ConnectionTrait,
    ledger: Ledger,
    scope: &Scope,
) -> Result<u64, AppError> {
    let mut q = base(ledger, scope);
    q.expr_as(Expr::cust("COUNT(*)"), Alias::new("n"));
    let n: i64 = match db.query_one(&q).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The (date, id) columns a ledger is ordered by.
fn order_cols(ledger: Ledger) -> (Expr, Expr) {
    match ledger {
        Ledger::Contacts => (
            Expr::col((contact::Entity, contact::Column::ContactDate)),
            Expr::col((contact::Entity, contact::Column::Id)),
        ),
        Ledger::Visits => (
            Expr::col((visit_day::Entity, visit_day::Column::VisitDate)),
            Expr::col((visit_day::Entity, visit_day::Column::Id)),
        ),
        // Suggestions have no date of their own in the quarter: by id (the order they came).
        Ledger::Suggestions => (
            Expr::val(Cursor::start().date),
            Expr::col((suggestion::Entity, suggestion::Column::Id)),
        ),
        Ledger::Study => (
            Expr::col((study_record::Entity, study_record::Column::StudyDate)),
            Expr::col((study_record::Entity, study_record::Column::Id)),
        ),
        Ledger::Exemptions => (
            Expr::col((exemption::Entity, exemption::Column::StartDate)),
            Expr::col((exemption::Entity, exemption::Column::Id)),
        ),
        Ledger::Activities => (
            Expr::col((activity::Entity, activity::Column::ActivityDate)),
            Expr::col((activity::Entity, activity::Column::Id)),
        ),
    }
}

/// The next page of a ledger after `after`, each row with its cursor.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn page(
    db: &impl ConnectionTrait,
    ledger: Ledger,
    scope: &Scope,
    after: Cursor,
) -> Result<Vec<(Cursor, Vec<Cell>)>, AppError> {
    let mut q = base(ledger, scope);
    let (date_col, id_col) = order_cols(ledger);
    if ledger == Ledger::Suggestions {
        q.and_where(id_col.clone().gt(after.id));
    } else {
        q.and_where(
            Expr::tuple([date_col.clone(), id_col.clone()])
                .gt(Expr::tuple([Expr::val(after.date), Expr::val(after.id)])),
        );
        q.order_by_expr(date_col, Order::Asc);
    }
    q.order_by_expr(id_col, Order::Asc).limit(PAGE);
    q.expr_as(
        Expr::col((cadre(), account::Column::Name)),
        Alias::new("cadre_name"),
    );
    let t = Locale::ZhCn.strings();
    match ledger {
        Ledger::Contacts => {
            use contact::Column as C;
            use youth::Column as Y;
            columns(
                &mut q,
                contact::Entity,
                &[
                    (C::Id, "id"),
                    (C::ContactDate, "day"),
                    (C::Channel, "channel"),
                    (C::Content, "content"),
                    (C::Request, "request"),
                    (C::RequestStatus, "request_status"),
                    (C::Resolution, "resolution"),
                    (C::DurationMinutes, "minutes"),
                ],
            );
            columns(
                &mut q,
                youth::Entity,
                &[
                    (Y::Name, "youth_name"),
                    (Y::Gender, "gender"),
                    (Y::BirthYear, "birth_year"),
                    (Y::PoliticalStatus, "political_status"),
                    (Y::Sector, "sector"),
                    (Y::Workplace, "workplace"),
                    (Y::Phone, "phone"),
                ],
            );
            columns(
                &mut q,
                youth_org(),
                &[(organisation::Column::Name, "youth_org_name")],
            );
        }
        Ledger::Visits => {
            use visit_day::Column as V;
            columns(
                &mut q,
                visit_day::Entity,
                &[
                    (V::Id, "id"),
                    (V::VisitDate, "day"),
                    (V::Hours, "hours"),
                    (V::WorkDone, "work_done"),
                    (V::Outcomes, "outcomes"),
                ],
            );
            columns(
                &mut q,
                organisation::Entity,
                &[(organisation::Column::Name, "org_name")],
            );
        }
        Ledger::Suggestions => {
            use suggestion::Column as S;
            columns(
                &mut q,
                suggestion::Entity,
                &[
                    (S::Id, "id"),
                    (S::Kind, "kind"),
                    (S::Title, "title"),
                    (S::Description, "description"),
                    (S::Status, "status"),
                    (S::ReviewComment, "comment"),
                    (S::ReviewedAt, "reviewed_at"),
                ],
            );
            columns(
                &mut q,
                reviewer(),
                &[(account::Column::Name, "reviewer_name")],
            );
            columns(
                &mut q,
                organisation::Entity,
                &[(organisation::Column::Name, "org_name")],
            );
        }
        Ledger::Study => {
            use study_record::Column as S;
            columns(
                &mut q,
                study_record::Entity,
                &[
                    (S::Id, "id"),
                    (S::StudyDate, "day"),
                    (S::Hours, "hours"),
                    (S::Topic, "topic"),
                    (S::Kind, "kind"),
                ],
            );
        }
        Ledger::Exemptions => {
            use exemption::Column as E;
            columns(
                &mut q,
                exemption::Entity,
                &[
                    (E::Id, "id"),
                    (E::StartDate, "day"),
                    (E::EndDate, "end_day"),
                    (E::Reason, "reason"),
                    (E::Note, "note"),
                    (E::Status, "status"),
                    (E::DecidedAt, "decided_at"),
                    (E::DecisionComment, "comment"),
                ],
            );
            columns(
                &mut q,
                reviewer(),
                &[(account::Column::Name, "reviewer_name")],
            );
            columns(
                &mut q,
                organisation::Entity,
                &[(organisation::Column::Name, "org_name")],
            );
        }
        Ledger::Activities => {
            use activity::Column as A;
            columns(
                &mut q,
                activity::Entity,
                &[
                    (A::Id, "id"),
                    (A::ActivityDate, "day"),
                    (A::Title, "title"),
                    (A::Kind, "kind"),
                    (A::Place, "place"),
                ],
            );
            columns(
                &mut q,
                activity_org(),
                &[(organisation::Column::Name, "activity_org_name")],
            );
            columns(
                &mut q,
                organisation::Entity,
                &[(organisation::Column::Name, "org_name")],
            );
            // Each attendee is one contact naming the activity; those who signed in themselves
            // have a sign-in that names them.
            q.expr_as(
                Expr::cust(
                    "(SELECT COUNT(*) FROM contacts AS attendance \
                     WHERE attendance.activity_id = activities.id)",
                ),
                Alias::new("attendees"),
            );
            q.expr_as(
                Expr::cust(
                    "(SELECT COUNT(*) FROM enrol_requests AS signin \
                     WHERE signin.activity_id = activities.id AND signin.youth_id IS NOT NULL)",
                ),
                Alias::new("signed_in"),
            );
        }
    }
    let quarter = scope.quarter.key();
    let rows = db.query_all(&q).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("", "id")?;
        let day: NaiveDate = if ledger == Ledger::Suggestions {
            Cursor::start().date
        } else {
            r.try_get("", "day")?
        };
        out.push((
            Cursor { date: day, id },
            cells(ledger, &r, day, t, &quarter)?,
        ));
    }
    Ok(out)
}

fn s(r: &QueryResult, col: &str) -> Result<String, AppError> {
    Ok(r.try_get::<String>("", col)?)
}

fn opt(r: &QueryResult, col: &str) -> Result<Option<String>, AppError> {
    Ok(r.try_get::<Option<String>>("", col)?
        .filter(|s| !s.is_empty()))
}

fn label<T: Copy>(
    code: &str,
    parse: fn(&str) -> Option<T>,
    label: fn(T, &Strings) -> &'static str,
    t: &Strings,
) -> Cell {
    match parse(code) {
        Some(v) => Cell::text(label(v, t)),
        None => Cell::text(code),
    }
}

fn local_date(at: Option<DateTime<Utc>>) -> Cell {
    at.map_or(Cell::Blank, |a| Cell::Date(crate::rules::shanghai_date(a)))
}

fn cells(
    ledger: Ledger,
    r: &QueryResult,
    day: NaiveDate,
    t: &Strings,
    quarter: &str,
) -> Result<Vec<Cell>, AppError> {
    let cadre = Cell::text(s(r, "cadre_name")?);
    Ok(match ledger {
        Ledger::Contacts => vec![
            cadre,
            Cell::text(s(r, "youth_name")?),
            label(&s(r, "gender")?, Gender::parse, Gender::label, t),
            r.try_get::<Option<i32>>("", "birth_year")?
                .map_or(Cell::Blank, |y| Cell::Int(i64::from(y))),
            label(
                &s(r, "political_status")?,
                PoliticalStatus::parse,
                PoliticalStatus::label,
                t,
            ),
            label(&s(r, "sector")?, Sector::parse, Sector::label, t),
            // 单位/学校 as the roster and the youth's page show it: the organisation the youth
            // belongs to, or else the workplace typed in for a youth outside the listed ones.
            Cell::opt_text(opt(r, "youth_org_name")?.or(opt(r, "workplace")?)),
            Cell::text(mask_phone(&s(r, "phone")?)),
            Cell::Date(day),
            label(&s(r, "channel")?, Channel::parse, Channel::label, t),
            Cell::text(s(r, "content")?),
            Cell::opt_text(opt(r, "request")?),
            match opt(r, "request_status")? {
                Some(code) => label(&code, RequestStatus::parse, RequestStatus::label, t),
                None => Cell::Blank,
            },
            Cell::opt_text(opt(r, "resolution")?),
            r.try_get::<Option<i32>>("", "minutes")?
                .map_or(Cell::Blank, |m| Cell::Int(i64::from(m))),
        ],
        Ledger::Visits => vec![
            Cell::Date(day),
            cadre,
            Cell::text(s(r, "org_name")?),
            Cell::Num(r.try_get::<f64>("", "hours")?),
            Cell::text(s(r, "work_done")?),
            Cell::text(s(r, "outcomes")?),
            Cell::text(Week::of(day).key()),
        ],
        Ledger::Suggestions => vec![
            Cell::text(quarter),
            cadre,
            Cell::text(s(r, "org_name")?),
            label(
                &s(r, "kind")?,
                SuggestionKind::parse,
                SuggestionKind::label,
                t,
            ),
            Cell::text(s(r, "title")?),
            Cell::text(s(r, "description")?),
            label(
                &s(r, "status")?,
                SuggestionStatus::parse,
                SuggestionStatus::label,
                t,
            ),
            Cell::opt_text(opt(r, "comment")?),
            Cell::opt_text(opt(r, "reviewer_name")?),
            local_date(r.try_get::<Option<DateTime<Utc>>>("", "reviewed_at")?),
        ],
        Ledger::Study => vec![
            Cell::text(day.format("%Y-%m").to_string()),
            cadre,
            Cell::Date(day),
            Cell::Num(r.try_get::<f64>("", "hours")?),
            Cell::text(s(r, "topic")?),
            label(&s(r, "kind")?, StudyKind::parse, StudyKind::label, t),
        ],
        Ledger::Exemptions => {
            let end: NaiveDate = r.try_get("", "end_day")?;
            vec![
                cadre,
                Cell::text(s(r, "org_name")?),
                Cell::Date(day),
                Cell::Date(end),
                Cell::Int((end - day).num_days() + 1),
                label(
                    &s(r, "reason")?,
                    ExemptionReason::parse,
                    ExemptionReason::label,
                    t,
                ),
                Cell::opt_text(opt(r, "note")?),
                label(
                    &s(r, "status")?,
                    ExemptionStatus::parse,
                    ExemptionStatus::label,
                    t,
                ),
                Cell::opt_text(opt(r, "reviewer_name")?),
                local_date(r.try_get::<Option<DateTime<Utc>>>("", "decided_at")?),
                Cell::opt_text(opt(r, "comment")?),
            ]
        }
        Ledger::Activities => vec![
            Cell::Date(day),
            Cell::text(s(r, "title")?),
            label(&s(r, "kind")?, ActivityKind::parse, ActivityKind::label, t),
            Cell::text(s(r, "place")?),
            Cell::opt_text(opt(r, "activity_org_name")?),
            cadre,
            Cell::text(s(r, "org_name")?),
            Cell::Int(r.try_get::<i64>("", "attendees")?),
            Cell::Int(r.try_get::<i64>("", "signed_in")?),
        ],
    })
}
