//! The scheduler's tick, run about once a minute by every app instance (and once by
//! `server remind --at`).
//!
//! A tick at an instant does three things, each safe to run in any number of app instances at
//! once:
//! 1. **make**: the reminders that fall due (`rules::due_at`) are decided from the compliance
//!    engine and inserted with `ON CONFLICT DO NOTHING` on (user, kind, period): made once.
//! 2. **compose**: reminders to be mailed are gathered into one email per user and morning (or
//!    one per remind), a row of the outbox unique per (user, slot); the row is locked while
//!    reminders join it, and a row already sent takes none (the day's one email has gone).
//! 3. **send**: due outbox rows are claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has
//!    one writer), sent, and marked sent, or retried with backoff, or failed.

use super::api::Line;
use super::rules::{self, About, Due};
use super::text::{self, Content};
use crate::compliance::service::{due_youths, evaluate_cadres, Cadres};
use crate::compliance::{CadreRow, Period, Reason};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::entities::{account, delivery, notification, scheduler_tick};
use crate::model::orgtree::OrgTree;
use crate::ssr::mail::{Mailer, SendError};
use crate::types::{ReminderKind, Role};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Reminders older than this are no longer mailed (the inbox keeps them).
const MAIL_WITHIN_DAYS: i64 = 2;
/// An outbox row claimed this long ago by an instance that never finished is claimed again.
const STALE_CLAIM_MINUTES: i64 = 10;
const CLAIM_BATCH: u64 = 20;
pub(super) const CHANNELS_INBOX: &str = "inbox";
pub(super) const CHANNELS_EMAIL: &str = "inbox,email";

/// What a tick needs besides the database.
#[derive(Clone, Debug)]
pub struct TickEnv {
    /// This instance, unique among those sharing the database (host, process, a random part).
    pub instance: String,
    pub host: String,
    pub mailer: Option<Arc<Mailer>>,
    /// The app's address as users reach it, for links in emails.
    pub public_url: String,
}

/// What one tick did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub made: u32,
    pub sent: u32,
    pub failed: u32,
}

/// Runs one tick as if at `at`: make the reminders due, compose emails, send those due. Records
/// the tick for the health page (also when it failed).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn tick(
    db: &DatabaseConnection,
    env: &TickEnv,
    at: DateTime<Utc>,
) -> Result<TickReport, AppError> {
    let started = Utc::now();
    let result = async {
        let made = make_due(db, env, at).await?;
        compose(db, env, at).await?;
        let (sent, failed) = send_due(db, env, at).await?;
        Ok::<_, AppError>(TickReport { made, sent, failed })
    }
    .await;
    let (report, error) = match &result {
        Ok(r) => (*r, None),
        Err(e) => (TickReport::default(), Some(format!("{e:?}"))),
    };
    let row = scheduler_tick::ActiveModel {
        instance: Set(env.instance.clone()),
        host: Set(env.host.clone()),
        started_at: Set(started),
        last_at: Set(Utc::now()),
        last_as_of: Set(at),
        made: Set(i32::try_from(report.made).unwrap_or(i32::MAX)),
        sent: Set(i32::try_from(report.sent).unwrap_or(i32::MAX)),
        failed: Set(i32::try_from(report.failed).unwrap_or(i32::MAX)),
        last_error: Set(error),
    };
    scheduler_tick::Entity::insert(row)
        .on_conflict(
            OnConflict::column(scheduler_tick::Column::Instance)
                .update_columns([
                    scheduler_tick::Column::Host,
                    scheduler_tick::Column::LastAt,
                    scheduler_tick::Column::LastAsOf,
                    scheduler_tick::Column::Made,
                    scheduler_tick::Column::Sent,
                    scheduler_tick::Column::Failed,
                    scheduler_tick::Column::LastError,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    result
}

/// An active account, as reminders need it.
struct Recipient {
    id: i64,
    role: Role,
    org_id: i64,
    locale: Locale,
    email: bool,
}

async fn recipients(
    db: &DatabaseConnection,
    env: &TickEnv,
) -> Result<HashMap<i64, Recipient>, AppError> {
    let rows = account::Entity::find()
        .filter(account::Column::Active.eq(true))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let email = env.mailer.is_some() && a.notify_email && has_address(&a);
            (
                a.id,
                Recipient {
                    id: a.id,
                    role: Role::parse(&a.role).unwrap_or(Role::Cadre),
                    org_id: a.org_id,
                    locale: Locale::from_tag(&a.locale).unwrap_or_default(),
                    email,
                },
            )
        })
        .collect())
}

pub(super) fn has_address(a: &account::Model) -> bool {
    a.email.as_deref().is_some_and(|e| !e.trim().is_empty())
}

fn new_notification(
    to: &Recipient,
    due: &Due,
    content: Content,
    at: DateTime<Utc>,
) -> notification::ActiveModel {
    notification::ActiveModel {
        account_id: Set(to.id),
        kind: Set(due.kind.as_str().to_owned()),
        period_key: Set(due.period_key.clone()),
        due_on: Set(Some(due.on)),
        title: Set(content.title),
        body: Set(content.body),
        link: Set(Some(content.link)),
        channels: Set(if to.email {
            CHANNELS_EMAIL
        } else {
            CHANNELS_INBOX
        }
        .to_owned()),
        created_at: Set(at),
        emailed_at: Set(None),
        read_at: Set(None),
        delivery_id: Set(None),
        sender_id: Set(None),
        details: Set(Some(
            serde_json::to_string(&content.lines).unwrap_or_else(|_| "[]".to_owned()),
        )),
        ..Default::default()
    }
}

/// Inserts reminders, each once per (user, kind, period) whatever else runs; answers how many
/// were new.
async fn insert_once(
    db: &impl ConnectionTrait,
    rows: Vec<notification::ActiveModel>,
) -> Result<u32, AppError> {
    let mut made = 0u64;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(200).collect();
        made += notification::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    notification::Column::AccountId,
                    notification::Column::Kind,
                    notification::Column::PeriodKey,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(u32::try_from(made).unwrap_or(u32::MAX))
}

/// Step 1: the reminders due at `at`, decided now from the compliance engine.
async fn make_due(
    db: &DatabaseConnection,
    env: &TickEnv,
    at: DateTime<Utc>,
) -> Result<u32, AppError> {
    let due = rules::due_at(at);
    if due.is_empty() {
        return Ok(0);
    }
    let people = recipients(db, env).await?;
    let tree = OrgTree::load(db).await?;
    let t = Locale::ZhCn.strings();
    let mut made = 0;
    for d in &due {
        // Already made for everyone? (A tick every minute from 09:00 to midnight.)
        let mut rows = Vec::new();
        match d.about {
            About::Week(week) if d.kind == ReminderKind::VisitDay => {
                for (row, weeks) in evaluate_cadres(
                    db,
                    &tree,
                    &Cadres::InOrgs(None),
                    Period::Week(week),
                    d.on,
                    t,
                )
                .await?
                {
                    if let Some(to) = people.get(&row.cadre_id) {
                        if rules::visit_day_missing(&weeks, week) {
                            rows.push(new_notification(
                                to,
                                d,
                                text::visit_day(to.locale, week),
                                at,
                            ));
                        }
                    }
                }
            }
            About::Day(day) => {
                let policy = crate::model::policy::load(db).await?;
                let mut by_cadre: BTreeMap<i64, Vec<text::DueYouth>> = BTreeMap::new();
                for y in due_youths(db, &Cadres::InOrgs(None), day, &policy).await? {
                    by_cadre
                        .entry(y.cadre_id)
                        .or_default()
                        .push(text::DueYouth {
                            id: y.youth_id,
                            name: y.name,
                            days: (day - y.since).num_days(),
                            never: y.never,
                            overdue: y.overdue,
                        });
                }
                for (cadre, youths) in by_cadre {
                    if let Some(to) = people.get(&cadre).filter(|p| p.role == Role::Cadre) {
                        rows.push(new_notification(
                            to,
                            d,
                            text::contact_digest(to.locale, &youths),
                            at,
                        ));
                    }
                }
            }
            About::Quarter { quarter, days_left } => {
                let missing_orgs = crate::compliance::service::unsuggested(
                    db,
                    &Cadres::InOrgs(None),
                    d.on,
                    quarter,
                )
                .await?;
                for (row, _) in evaluate_cadres(
                    db,
                    &tree,
                    &Cadres::InOrgs(None),
                    Period::Quarter(quarter),
                    d.on,
                    t,
                )
                .await?
                {
                    let missing = rules::suggestions_missing(&row);
                    if let (Some(to), true) = (people.get(&row.cadre_id), missing > 0) {
                        let orgs: Vec<(i64, String)> =
                            missing_orgs.get(&row.cadre_id).cloned().unwrap_or_default();
                        rows.push(new_notification(
                            to,
                            d,
                            text::suggestion_due(to.locale, quarter, days_left, missing, &orgs),
                            at,
                        ));
                    }
                }
            }
            About::Month { year, month } => {
                for (row, _) in evaluate_cadres(
                    db,
                    &tree,
                    &Cadres::InOrgs(None),
                    Period::Month { year, month },
                    d.on,
                    t,
                )
                .await?
                {
                    if let (Some(to), Some(missing)) =
                        (people.get(&row.cadre_id), rules::study_missing(&row))
                    {
                        let done = row.study_months.last().map_or(0.0, |m| m.hours);
                        rows.push(new_notification(
                            to,
                            d,
                            text::study_due(to.locale, missing, done, row.study_target),
                            at,
                        ));
                    }
                }
            }
            About::Signoff(quarter) => {
                let open = crate::signoff::service::unapproved(db, quarter).await?;
                for sup in people.values().filter(|p| p.role == Role::Supervisor) {
                    if open.contains(&sup.org_id) {
                        let org = tree
                            .get(sup.org_id)
                            .map(|o| o.name.clone())
                            .unwrap_or_default();
                        rows.push(new_notification(
                            sup,
                            d,
                            text::signoff_due(sup.locale, quarter, sup.org_id, &org),
                            at,
                        ));
                    }
                }
            }
            About::Week(week) => {
                // The supervisors' Monday digest of last week.
                let cadres: Vec<CadreRow> = evaluate_cadres(
                    db,
                    &tree,
                    &Cadres::InOrgs(None),
                    Period::Week(week),
                    d.on,
                    t,
                )
                .await?
                .into_iter()
                .map(|(row, _)| row)
                .filter(|row| !rules::misses(row).is_empty())
                .collect();
                for sup in people.values().filter(|p| p.role == Role::Supervisor) {
                    let s = sup.locale.strings();
                    let mut missed: Vec<text::Missed> = cadres
                        .iter()
                        .filter(|row| tree.is_within(row.org_id, sup.org_id))
                        .map(|row| text::Missed {
                            cadre_id: row.cadre_id,
                            name: row.name.clone(),
                            org_id: row.org_id,
                            org_name: row.org_name.clone(),
                            reasons: rules::misses(row)
                                .into_iter()
                                .map(|r| Reason::new(r.rule, r.light, r.amount, s).text)
                                .collect(),
                        })
                        .collect();
                    if missed.is_empty() {
                        continue;
                    }
                    missed.sort_by(|a, b| {
                        (a.org_name.as_str(), a.name.as_str())
                            .cmp(&(b.org_name.as_str(), b.name.as_str()))
                    });
                    rows.push(new_notification(
                        sup,
                        d,
                        text::supervisor_digest(sup.locale, week, &missed),
                        at,
                    ));
                }
            }
        }
        made += insert_once(db, rows).await?;
    }
    Ok(made)
}

/// The outbox slot of a reminder, and when its email may go.
fn slot_of(n: &notification::Model) -> (String, DateTime<Utc>) {
    if n.kind == ReminderKind::Remind.as_str() {
        (
            format!("remind:{}", n.id),
            rules::remind_send_after(n.created_at),
        )
    } else {
        let (day, after) = rules::mail_slot(n.created_at);
        (day.to_string(), after)
    }
}

fn message_id(account: i64, slot: &str, public_url: &str) -> String {
    let host = url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "liaison.invalid".to_owned());
    format!("<liaison.{account}.{}@{host}>", slot.replace(':', "."))
}

/// Step 2: reminders waiting for email join their user's email of the morning (or their own,
/// for a remind).
pub(super) async fn compose(
    db: &DatabaseConnection,
    env: &TickEnv,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let waiting = notification::Entity::find()
        .filter(notification::Column::Channels.eq(CHANNELS_EMAIL))
        .filter(notification::Column::DeliveryId.is_null())
        .filter(notification::Column::CreatedAt.gte(at - Duration::days(MAIL_WITHIN_DAYS)))
        .filter(notification::Column::CreatedAt.lte(at))
        .all(db)
        .await?;
    let mut groups: BTreeMap<(i64, String), (DateTime<Utc>, Vec<i64>)> = BTreeMap::new();
    for n in &waiting {
        let (slot, after) = slot_of(n);
        let g = groups
            .entry((n.account_id, slot))
            .or_insert((after, Vec::new()));
        g.1.push(n.id);
    }
    for ((account_id, slot), (send_after, ids)) in groups {
        compose_one(db, env, account_id, &slot, send_after, &ids).await?;
    }
    Ok(())
}

async fn compose_one(
    db: &DatabaseConnection,
    env: &TickEnv,
    account_id: i64,
    slot: &str,
    send_after: DateTime<Utc>,
    ids: &[i64],
) -> Result<(), AppError> {
    let Some(acct) = account::Entity::find_by_id(account_id).one(db).await? else {
        return Ok(());
    };
    let txn = db.begin().await?;
    if !(acct.active && acct.notify_email && has_address(&acct) && env.mailer.is_some()) {
        // Email turned off (or the address removed) since: inbox only.
        inbox_only(&txn, ids).await?;
        txn.commit().await?;
        return Ok(());
    }
    let now = Utc::now();
    delivery::Entity::insert(delivery::ActiveModel {
        account_id: Set(account_id),
        slot_key: Set(slot.to_owned()),
        to_addr: Set(acct.email.clone().unwrap_or_default()),
        subject: Set(String::new()),
        body_text: Set(String::new()),
        body_html: Set(String::new()),
        message_id: Set(message_id(account_id, slot, &env.public_url)),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        send_after: Set(send_after),
        claimed_at: Set(None),
        claimed_by: Set(None),
        sent_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::AccountId, delivery::Column::SlotKey])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let mut find = delivery::Entity::find()
        .filter(delivery::Column::AccountId.eq(account_id))
        .filter(delivery::Column::SlotKey.eq(slot));
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // Held until commit: a sender claiming this email waits, or skips it this tick.
        find = find.lock_exclusive();
    }
    let Some(d) = find.one(&txn).await? else {
        txn.rollback().await?;
        return Ok(());
    };
    if d.status != "pending" {
        // This morning's one email has gone (or is going): these stay in the inbox only.
        inbox_only(&txn, ids).await?;
        txn.commit().await?;
        return Ok(());
    }
    notification::Entity::update_many()
        .col_expr(notification::Column::DeliveryId, Expr::value(d.id))
        .filter(notification::Column::Id.is_in(ids.iter().copied()))
        .filter(notification::Column::DeliveryId.is_null())
        .exec(&txn)
        .await?;
    let all = notification::Entity::find()
        .filter(notification::Column::DeliveryId.eq(d.id))
        .order_by_asc(notification::Column::CreatedAt)
        .order_by_asc(notification::Column::Id)
        .all(&txn)
        .await?;
    let items: Vec<(String, String, String, Vec<Line>)> = all
        .into_iter()
        .map(|n| {
            let lines = lines_of(&n);
            (
                n.title,
                n.body,
                n.link.unwrap_or_else(|| "/inbox".into()),
                lines,
            )
        })
        .collect();
    let locale = Locale::from_tag(&acct.locale).unwrap_or_default();
    let (subject, body_text, body_html) = text::email(locale, &acct.name, &items, &env.public_url);
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Subject, Expr::value(subject))
        .col_expr(delivery::Column::BodyText, Expr::value(body_text))
        .col_expr(delivery::Column::BodyHtml, Expr::value(body_html))
        .col_expr(
            delivery::Column::ToAddr,
            Expr::value(acct.email.unwrap_or_default()),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(d.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

async fn inbox_only(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), AppError> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Channels, Expr::value(CHANNELS_INBOX))
        .filter(notification::Column::Id.is_in(ids.iter().copied()))
        .filter(notification::Column::DeliveryId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub(super) fn lines_of(n: &notification::Model) -> Vec<Line> {
    n.details
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default()
}

/// Step 3: claims the emails due and sends them. Nothing goes between 21:00 and 08:00.
pub(super) async fn send_due(
    db: &DatabaseConnection,
    env: &TickEnv,
    at: DateTime<Utc>,
) -> Result<(u32, u32), AppError> {
    let Some(mailer) = env.mailer.clone() else {
        return Ok((0, 0));
    };
    if rules::quiet(at) {
        return Ok((0, 0));
    }
    let (mut sent, mut failed) = (0, 0);
    loop {
        let claimed = claim(db, env, at).await?;
        if claimed.is_empty() {
            break;
        }
        for d in claimed {
            match deliver(db, &mailer, d, at).await? {
                Outcome::Sent => sent += 1,
                Outcome::Failed => failed += 1,
                Outcome::Retry => {}
            }
        }
    }
    Ok((sent, failed))
}

/// Takes a batch of due emails for this instance: pending ones whose time has come, and ones
/// another instance claimed long ago and never finished.
async fn claim(
    db: &DatabaseConnection,
    env: &TickEnv,
    at: DateTime<Utc>,
) -> Result<Vec<delivery::Model>, AppError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut q = Query::select();
    q.column(delivery::Column::Id)
        .from(delivery::Entity)
        .cond_where(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(Expr::col(delivery::Column::Status).eq("pending"))
                        .add(Expr::col(delivery::Column::SendAfter).lte(at)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(Expr::col(delivery::Column::Status).eq("sending"))
                        .add(
                            Expr::col(delivery::Column::ClaimedAt)
                                .lt(now - Duration::minutes(STALE_CLAIM_MINUTES)),
                        ),
                ),
        )
        .order_by(delivery::Column::Id, sea_orm::sea_query::Order::Asc)
        .limit(CLAIM_BATCH);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let ids: Vec<i64> = txn
        .query_all(&q)
        .await?
        .into_iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect();
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value("sending"))
        .col_expr(delivery::Column::ClaimedAt, Expr::value(now))
        .col_expr(
            delivery::Column::ClaimedBy,
            Expr::value(env.instance.clone()),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.is_in(ids.iter().copied()))
        .exec(&txn)
        .await?;
    let rows = delivery::Entity::find()
        .filter(delivery::Column::Id.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

enum Outcome {
    Sent,
    Retry,
    Failed,
}

async fn deliver(
    db: &DatabaseConnection,
    mailer: &Mailer,
    d: delivery::Model,
    at: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let name = account::Entity::find_by_id(d.account_id)
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let result = mailer
        .send(
            &d.to_addr,
            &name,
            &d.subject,
            &d.body_text,
            &d.body_html,
            &d.message_id,
        )
        .await;
    let now = Utc::now();
    let attempts = u32::try_from(d.attempts).unwrap_or(0) + 1;
    let mut update = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::Attempts,
            Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(d.id));
    let outcome = match result {
        Ok(()) => {
            update = update
                .col_expr(delivery::Column::Status, Expr::value("sent"))
                .col_expr(delivery::Column::SentAt, Expr::value(now))
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                );
            notification::Entity::update_many()
                .col_expr(notification::Column::EmailedAt, Expr::value(now))
                .filter(notification::Column::DeliveryId.eq(d.id))
                .exec(db)
                .await?;
            Outcome::Sent
        }
        Err(e) => {
            let (error, wait) = match e {
                SendError::Transient(msg) => (msg, rules::retry_after(attempts)),
                SendError::Permanent(msg) => (msg, None),
            };
            tracing::warn!(delivery = d.id, attempts, %error, "email not sent");
            update = update.col_expr(delivery::Column::LastError, Expr::value(error));
            match wait {
                Some(wait) => {
                    update = update
                        .col_expr(delivery::Column::Status, Expr::value("pending"))
                        .col_expr(delivery::Column::SendAfter, Expr::value(at + wait));
                    Outcome::Retry
                }
                None => {
                    update = update.col_expr(delivery::Column::Status, Expr::value("failed"));
                    Outcome::Failed
                }
            }
        }
    };
    update.exec(db).await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Week;
    use chrono::NaiveDate;

    #[test]
    fn message_ids_are_the_same_on_every_try() {
        assert_eq!(
            message_id(7, "remind:12", "https://liaison.example"),
            "<liaison.7.remind.12@liaison.example>"
        );
        assert_eq!(
            message_id(7, "2026-12-03", "http://127.0.0.1:3000"),
            "<liaison.7.2026-12-03@127.0.0.1>"
        );
    }

    #[test]
    fn weeks_and_days_are_named_by_their_keys() {
        // The unique key of a visit-day reminder is the ISO week, as the issue spells it.
        let due = rules::due_on(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(
            due[0].period_key,
            Week::of(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).key()
        );
        assert_eq!(due[0].period_key, "2026-W48");
    }
}
