//! The personal iCalendar feed (`GET /cal/<token>.ics`): a cadre's duties this quarter and
//! next, as events a phone's calendar subscribes to. Each event has a stable UID; when what it
//! says changes its SEQUENCE goes up and its LAST-MODIFIED moves, so calendars update it in
//! place. Times are UTC with `X-WR-TIMEZONE:Asia/Shanghai` (no VTIMEZONE needed).

use crate::compliance::service::evaluate_one;
use crate::compliance::{CadreRow, Period, WeekLine};
use crate::error::AppError;
use crate::i18n::{fmt_amount, Locale};
use crate::model::entities::{account, calendar_event, organisation, pairing, suggestion};
use crate::model::orgtree::OrgTree;
use crate::rules::{month_bounds, Quarter, WeekStatus};
use crate::types::Role;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A feed ready to serve.
pub struct Feed {
    pub body: String,
    /// A strong validator of the body.
    pub etag: String,
}

/// One duty as an event, before SEQUENCE and LAST-MODIFIED are known.
#[derive(Debug, Clone, PartialEq)]
struct Duty {
    uid: String,
    summary: String,
    description: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    url: String,
}

impl Duty {
    fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.summary.as_str(),
            self.description.as_str(),
            &self.start.to_rfc3339(),
            &self.end.to_rfc3339(),
            self.url.as_str(),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex::encode(h.finalize())
    }
}

/// A Shanghai wall-clock time on `date` as an instant.
fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    super::rules::instant(
        date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()),
    )
}

/// The feed behind a secret token, or `None` (an unknown or replaced token, an inactive
/// account): the caller answers 404 either way.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn for_token(
    db: &DatabaseConnection,
    token: &str,
    public_url: &str,
) -> Result<Option<Feed>, AppError> {
    // Tokens are 64 hex digits (256 bits; addresses made before were 48 and keep working until
    // regenerated); anything else names no feed and never reaches the database.
    if !matches!(token.len(), 48 | 64) || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(acct) = account::Entity::find()
        .filter(account::Column::CalendarToken.eq(token))
        .filter(account::Column::Active.eq(true))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let locale = Locale::from_tag(&acct.locale).unwrap_or_default();
    let today = crate::ssr::today();
    let duties = if acct.role == Role::Cadre.as_str() {
        duties(db, &acct, locale, today, public_url).await?
    } else {
        Vec::new()
    };
    let known = remember(db, acct.id, &duties).await?;
    let mut cal = Calendar::new();
    cal.name(if locale == Locale::ZhCn {
        "团干部履职提醒"
    } else {
        "Liaison duties"
    });
    cal.timezone("Asia/Shanghai");
    cal.ttl(&Duration::hours(1));
    for d in &duties {
        let (sequence, modified) = known.get(&d.uid).copied().unwrap_or((0, Utc::now()));
        cal.push(
            Event::new()
                .uid(&d.uid)
                .summary(&d.summary)
                .description(&d.description)
                .starts(d.start)
                .ends(d.end)
                .url(&d.url)
                .timestamp(modified)
                .last_modified(modified)
                .sequence(sequence)
                .done(),
        );
    }
    let body = cal.done().to_string();
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..32]
    );
    Ok(Some(Feed { body, etag }))
}

/// This quarter's and next quarter's duties of a cadre, from the compliance engine.
async fn duties(
    db: &DatabaseConnection,
    acct: &account::Model,
    l: Locale,
    today: NaiveDate,
    public_url: &str,
) -> Result<Vec<Duty>, AppError> {
    let zh = l == Locale::ZhCn;
    let base = public_url.trim_end_matches('/');
    let tree = OrgTree::load(db).await?;
    let this = Quarter::of(today);
    let mut out = Vec::new();
    let paired = paired_orgs(db, acct.id, today).await?;
    for q in [this, this.next()] {
        let (row, weeks): (CadreRow, Vec<WeekLine>) =
            evaluate_one(db, &tree, acct.id, Period::Quarter(q), today, l.strings()).await?;
        // The visit-day slot, each Thursday while the week is still to be covered.
        for w in &weeks {
            if matches!(w.status, WeekStatus::Open | WeekStatus::Upcoming) {
                let thu = w.week.thursday();
                out.push(Duty {
                    uid: format!("visit-{}-{}@liaison", acct.uuid, w.week.key()),
                    summary: if zh {
                        "下基层（4+1）".into()
                    } else {
                        "Visit day (4+1)".into()
                    },
                    description: if zh {
                        format!(
                            "第 {} 周还没有记录下基层：到结对的基层团组织工作一天，并在“下基层”里记录。",
                            w.week.week
                        )
                    } else {
                        format!(
                            "Week {} has no visit day yet: spend a day at a paired grassroots organisation and log it under Visits.",
                            w.week.week
                        )
                    },
                    start: at(thu, 9, 0),
                    end: at(thu, 17, 0),
                    url: format!("{base}/visits"),
                });
            }
        }
        // The quarter's suggestion deadline, per paired organisation.
        let given = suggestions_by_org(db, acct.id, q).await?;
        for (org_id, name) in &paired {
            let n = given.get(org_id).copied().unwrap_or(0);
            out.push(Duty {
                uid: format!("suggestion-{}-{}-{org_id}@liaison", acct.uuid, q.key()),
                summary: if zh {
                    format!("季度建议截止：{name}")
                } else {
                    format!("Quarterly suggestion due: {name}")
                },
                description: match (zh, n) {
                    (true, 0) => format!(
                        "{}年第{}季度还没有为{name}提交建议或解决困难。",
                        q.year, q.q
                    ),
                    (true, n) => format!("{}年第{}季度已为{name}提交 {n} 条。", q.year, q.q),
                    (false, 0) => format!(
                        "No suggestion or solved problem for {name} in {} Q{} yet.",
                        q.year, q.q
                    ),
                    (false, n) => format!("{n} submitted for {name} in {} Q{}.", q.year, q.q),
                },
                start: at(q.end(), 9, 0),
                end: at(q.end(), 9, 30),
                url: format!("{base}/suggestions"),
            });
        }
        // Each month's study deadline.
        for m in &row.study_months {
            let end = month_bounds(m.month).1;
            let (hours, target) = (fmt_amount(m.hours), fmt_amount(m.target));
            out.push(Duty {
                uid: format!("study-{}-{}@liaison", acct.uuid, m.month.format("%Y-%m")),
                summary: if zh {
                    format!("本月学习截止（目标 {target} 小时）")
                } else {
                    format!("Study month ends ({target} hours)")
                },
                description: match (zh, m.owed) {
                    (true, true) => format!(
                        "{} 已学习 {hours} 小时，目标 {target} 小时。",
                        m.month.format("%Y-%m")
                    ),
                    (true, false) => {
                        format!(
                            "{} 不计学习时长（全月请假或尚未任职）。",
                            m.month.format("%Y-%m")
                        )
                    }
                    (false, true) => format!(
                        "{}: {hours} of {target} hours studied.",
                        m.month.format("%Y-%m")
                    ),
                    (false, false) => format!(
                        "{}: no study hours owed (away all month, or not yet in post).",
                        m.month.format("%Y-%m")
                    ),
                },
                start: at(end, 9, 0),
                end: at(end, 9, 30),
                url: format!("{base}/study"),
            });
        }
    }
    Ok(out)
}

async fn paired_orgs(
    db: &DatabaseConnection,
    cadre: i64,
    day: NaiveDate,
) -> Result<Vec<(i64, String)>, AppError> {
    let ids: Vec<i64> = pairing::Entity::find()
        .filter(pairing::Column::CadreId.eq(cadre))
        .filter(pairing::Column::StartedOn.lte(day))
        .filter(
            pairing::Column::EndedOn
                .is_null()
                .or(pairing::Column::EndedOn.gt(day)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.org_id)
        .collect();
    let mut orgs: Vec<(i64, String)> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    orgs.sort();
    Ok(orgs)
}

async fn suggestions_by_org(
    db: &DatabaseConnection,
    cadre: i64,
    q: Quarter,
) -> Result<HashMap<i64, u32>, AppError> {
    let mut out = HashMap::new();
    for s in suggestion::Entity::find()
        .filter(suggestion::Column::CadreId.eq(cadre))
        .filter(crate::compliance::service::given_suggestions(q))
        .all(db)
        .await?
    {
        *out.entry(s.org_id).or_insert(0) += 1;
    }
    Ok(out)
}

/// Each event's SEQUENCE and LAST-MODIFIED: new events start at 0; an event whose content
/// changed since it was last served goes up by one.
async fn remember(
    db: &impl ConnectionTrait,
    account: i64,
    duties: &[Duty],
) -> Result<HashMap<String, (u32, DateTime<Utc>)>, AppError> {
    let now = Utc::now();
    let known: HashMap<String, calendar_event::Model> = calendar_event::Entity::find()
        .filter(calendar_event::Column::AccountId.eq(account))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.uid.clone(), e))
        .collect();
    let mut out = HashMap::new();
    for d in duties {
        let fp = d.fingerprint();
        match known.get(&d.uid) {
            Some(e) if e.fingerprint == fp => {
                out.insert(
                    d.uid.clone(),
                    (u32::try_from(e.sequence).unwrap_or(0), e.modified_at),
                );
            }
            Some(e) => {
                let sequence = e.sequence + 1;
                // Only from the fingerprint read: a parallel fetch that bumped it first wins.
                calendar_event::Entity::update_many()
                    .col_expr(calendar_event::Column::Fingerprint, Expr::value(fp.clone()))
                    .col_expr(calendar_event::Column::Sequence, Expr::value(sequence))
                    .col_expr(calendar_event::Column::ModifiedAt, Expr::value(now))
                    .filter(calendar_event::Column::Id.eq(e.id))
                    .filter(calendar_event::Column::Fingerprint.eq(e.fingerprint.clone()))
                    .exec(db)
                    .await?;
                out.insert(d.uid.clone(), (u32::try_from(sequence).unwrap_or(0), now));
            }
            None => {
                calendar_event::Entity::insert(calendar_event::ActiveModel {
                    account_id: Set(account),
                    uid: Set(d.uid.clone()),
                    fingerprint: Set(fp),
                    sequence: Set(0),
                    modified_at: Set(now),
                    ..Default::default()
                })
                .on_conflict(
                    OnConflict::columns([
                        calendar_event::Column::AccountId,
                        calendar_event::Column::Uid,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
                out.insert(d.uid.clone(), (0, now));
            }
        }
    }
    Ok(out)
}
