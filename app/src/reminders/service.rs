//! The inbox, the supervisor's remind, the scheduler's health, and each user's notification
//! settings and calendar link.

use super::api::{
    CalendarLink, DeliveryError, Health, Inbox, InboxItem, InboxQuery, InstanceTick, KindHealth,
    MySettings, NotificationsForm, ReadForm, RegenerateForm, RemindForm, Reminded, RetryForm,
};
use super::rules;
use super::scheduler::{
    compose, has_address, lines_of, send_due, TickEnv, CHANNELS_EMAIL, CHANNELS_INBOX,
};
use super::text;
use crate::compliance::service::evaluate_one;
use crate::compliance::Period;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::entities::{account, delivery, notification, scheduler_tick};
use crate::model::paging::Paging;
use crate::rules::Quarter;
use crate::ssr::guard::{require, signed_in};
use crate::ssr::once;
use crate::ssr::validate::Validator;
use crate::types::{ReminderKind, Role};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{HashMap, HashSet};

const INBOX_PAGE: usize = 20;

// ---- the inbox --------------------------------------------------------------------------

/// # Errors
/// `Unauthorised` when signed out.
pub async fn inbox(query: InboxQuery) -> Result<Inbox, AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let mine =
        || notification::Entity::find().filter(notification::Column::AccountId.eq(auth.viewer.id));
    let total = usize::try_from(mine().count(db).await?).unwrap_or(0);
    let unread = mine()
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?;
    let paging = Paging::new(&query.page, total, INBOX_PAGE);
    let (page, pages) = (paging.page, paging.pages);
    let items: Vec<InboxItem> = mine()
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?
        .into_iter()
        .map(|n| {
            let lines = lines_of(&n);
            InboxItem {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link.unwrap_or_else(|| "/inbox".into()),
                lines,
                status: None,
                period_key: n.period_key,
                created_at: n.created_at,
                read_at: n.read_at,
            }
        })
        .collect();
    let mut items: Vec<InboxItem> = items;
    if auth.viewer.role == Role::Cadre {
        still_open(&auth, &mut items).await?;
    }
    Ok(Inbox {
        items,
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
        page,
        pages,
    })
}

/// Says, for each line of the cadre's reminders (and for a visit-day or study reminder as a
/// whole), whether it is still open now, from the compliance engine: a youth contacted since,
/// a suggestion given since, a visit day or study hours logged since read as done.
async fn still_open(
    auth: &crate::ssr::guard::Authorised,
    items: &mut [InboxItem],
) -> Result<(), AppError> {
    use super::api::{LineStatus, Subject};
    use crate::compliance::service::{due_youths, unsuggested, Cadres};
    use crate::rules::WeekStatus;
    let db = auth.db();
    let me = auth.viewer.id;
    let today = crate::ssr::today();
    let quarter = Quarter::of(today);
    let subjects = || {
        items
            .iter()
            .flat_map(|i| i.lines.iter().filter_map(|l| l.subject.as_ref()))
    };
    let needs_youths = subjects().any(|s| matches!(s, Subject::Youth { .. }));
    let needs_orgs = subjects().any(|s| matches!(s, Subject::Organisation { .. }));
    let needs_row = subjects().any(|s| matches!(s, Subject::Reason { .. }))
        || items.iter().any(|i| {
            i.kind == ReminderKind::VisitDay.as_str() || i.kind == ReminderKind::StudyDue.as_str()
        });
    let due: HashSet<i64> = if needs_youths {
        let policy = crate::model::policy::load(db).await?;
        due_youths(db, &Cadres::One(me), today, &policy)
            .await?
            .into_iter()
            .map(|y| y.youth_id)
            .collect()
    } else {
        HashSet::new()
    };
    let unsuggested: HashSet<i64> = if needs_orgs {
        unsuggested(db, &Cadres::One(me), today, quarter)
            .await?
            .remove(&me)
            .unwrap_or_default()
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    } else {
        HashSet::new()
    };
    let engine = if needs_row {
        let (tree, _) = auth.scope().await?;
        let t = auth.viewer.locale.strings();
        Some(evaluate_one(db, &tree, me, Period::Quarter(quarter), today, t).await?)
    } else {
        None
    };
    let state = |open: bool| {
        if open {
            LineStatus::Open
        } else {
            LineStatus::Done
        }
    };
    for item in items.iter_mut() {
        for line in &mut item.lines {
            line.status = match &line.subject {
                Some(Subject::Youth { id }) => Some(state(due.contains(id))),
                // A quarter that is over cannot be acted on any more.
                Some(Subject::Organisation { id, quarter: q }) if *q == quarter.key() => {
                    Some(state(unsuggested.contains(id)))
                }
                Some(Subject::Organisation { .. }) => Some(LineStatus::Closed),
                Some(Subject::Reason { rule }) => engine
                    .as_ref()
                    .map(|(row, _)| state(row.reasons.iter().any(|r| r.rule == *rule))),
                None => None,
            };
        }
        let Some((row, weeks)) = &engine else {
            continue;
        };
        if item.kind == ReminderKind::VisitDay.as_str() {
            let week = weeks.iter().find(|w| w.week.key() == item.period_key);
            item.status = Some(match week.map(|w| w.status) {
                Some(WeekStatus::Open) => LineStatus::Open,
                Some(WeekStatus::Missing) | None => LineStatus::Closed,
                Some(_) => LineStatus::Done,
            });
        } else if item.kind == ReminderKind::StudyDue.as_str() {
            let month = row
                .study_months
                .iter()
                .find(|m| m.month.format("%Y-%m").to_string() == item.period_key);
            item.status = Some(match month {
                Some(m) if !m.owed || m.hours + 1e-9 >= m.target => LineStatus::Done,
                Some(m) if today <= crate::rules::month_bounds(m.month).1 => LineStatus::Open,
                _ => LineStatus::Closed,
            });
        }
    }
    Ok(())
}

/// Marks the viewer's reminder (or all of them) read; answers how many changed. Marking one
/// already read changes nothing; another user's is not found.
///
/// # Errors
/// `NotFound`; `Invalid` when neither `id` nor `all=true` is given.
pub async fn mark_read(form: ReadForm) -> Result<u32, AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::AccountId.eq(auth.viewer.id))
        .filter(notification::Column::ReadAt.is_null());
    if matches!(form.all.trim(), "true" | "on" | "1") {
        let n = q.exec(db).await?.rows_affected;
        return Ok(u32::try_from(n).unwrap_or(u32::MAX));
    }
    if form.id.trim().is_empty() {
        let mut v = Validator::new(auth.viewer.locale);
        let t = v.t();
        v.fail("id", "required", t.err_required);
        v.finish(&form)?;
    }
    let id = crate::ssr::record_id(&form.id)?;
    notification::Entity::find_by_id(id)
        .filter(notification::Column::AccountId.eq(auth.viewer.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    q = q.filter(notification::Column::Id.eq(id));
    let n = q.exec(db).await?.rows_affected;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

// ---- remind -----------------------------------------------------------------------------

/// The tick context of this app instance, from its settings.
pub fn env_of(state: &crate::ssr::AppState) -> TickEnv {
    TickEnv {
        instance: state.settings.instance.clone(),
        host: state.settings.host.clone(),
        mailer: state.settings.mailer.clone(),
        public_url: state.settings.public_url.clone(),
    }
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` for a cadre outside the subtree; `Invalid`
/// (`already_reminded`) when this supervisor reminded this cadre today.
pub async fn remind(form: RemindForm) -> Result<Reminded, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "supervise/remind", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return reminded(db, id).await;
    }
    let (tree, _) = auth.scope().await?;
    let cadre = auth
        .cadre_in_scope(&tree, crate::ssr::record_id(&form.cadre_id)?)
        .await?;
    // Microseconds: what PostgreSQL keeps, so a replayed press answers with the same instant.
    let now = Utc::now().trunc_subsecs(6);
    let today = crate::rules::shanghai_date(now);
    let period_key = format!("{today}:{}", auth.viewer.id);
    let earlier_today = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(cadre.id))
        .filter(notification::Column::Kind.eq(ReminderKind::Remind.as_str()))
        .filter(notification::Column::PeriodKey.eq(period_key.clone()))
        .one(db)
        .await?;
    if !cadre.active {
        v.fail("cadre_id", "inactive", t.err_inactive_cadre);
    }
    if earlier_today.is_some() {
        v.fail("cadre_id", "already_reminded", t.err_already_reminded);
    }
    if let Some(id) = once.settled(&v).await? {
        return reminded(db, id).await;
    }
    v.finish(&form)?;
    let (row, _) = evaluate_one(
        db,
        &tree,
        cadre.id,
        Period::Quarter(Quarter::of(today)),
        today,
        Locale::from_tag(&cadre.locale)
            .unwrap_or_default()
            .strings(),
    )
    .await?;
    let reasons: Vec<(crate::compliance::Rule, String)> = rules::remind_reasons(&row)
        .into_iter()
        .map(|r| (r.rule, r.text.clone()))
        .collect();
    let locale = Locale::from_tag(&cadre.locale).unwrap_or_default();
    let content = text::remind(locale, &auth.viewer.name, &reasons);
    let reasons: Vec<String> = reasons.into_iter().map(|(_, text)| text).collect();
    let email = auth.state.settings.mailer.is_some() && cadre.notify_email && has_address(&cadre);
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return reminded(db, id).await,
        once::Begun::Fresh(txn) => txn,
    };
    let inserted = notification::Entity::insert(notification::ActiveModel {
        account_id: Set(cadre.id),
        kind: Set(ReminderKind::Remind.as_str().to_owned()),
        period_key: Set(period_key),
        due_on: Set(Some(today)),
        title: Set(content.title),
        body: Set(content.body),
        link: Set(Some(content.link)),
        channels: Set(if email {
            CHANNELS_EMAIL
        } else {
            CHANNELS_INBOX
        }
        .to_owned()),
        created_at: Set(now),
        emailed_at: Set(None),
        read_at: Set(None),
        delivery_id: Set(None),
        sender_id: Set(Some(auth.viewer.id)),
        details: Set(Some(
            serde_json::to_string(&content.lines).unwrap_or_else(|_| "[]".into()),
        )),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let id = match inserted {
        Ok(r) => r.last_insert_id,
        Err(e) if once::is_unique_violation(&e) => {
            // A second press in another tab at the same moment.
            txn.rollback().await?;
            let mut v = Validator::new(auth.viewer.locale);
            v.fail("cadre_id", "already_reminded", t.err_already_reminded);
            v.finish(&form)?;
            return Err(AppError::Internal);
        }
        Err(e) => return Err(e.into()),
    };
    auth.audit(
        &txn,
        "remind",
        "account",
        Some(cadre.id),
        reasons.join("; "),
    )
    .await?;
    once::finish(txn, once.uuid, id).await?;
    if email {
        // Mailed at once (08:00 when pressed at night): compose and send it now instead of at
        // the next tick.
        let env = env_of(&auth.state);
        let db = db.clone();
        tokio::spawn(async move {
            let at = Utc::now();
            if let Err(e) = compose(&db, &env, at).await {
                tracing::warn!(error = ?e, "remind: compose failed; the next tick retries");
                return;
            }
            if let Err(e) = send_due(&db, &env, at).await {
                tracing::warn!(error = ?e, "remind: send failed; the next tick retries");
            }
        });
    }
    Ok(Reminded { id, at: now, email })
}

async fn reminded(db: &DatabaseConnection, id: i64) -> Result<Reminded, AppError> {
    let n = notification::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Reminded {
        id,
        at: n.created_at,
        email: n.channels == CHANNELS_EMAIL,
    })
}

/// When `supervisor` last reminded each of `cadres` (for the buttons).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn last_reminded(
    db: &impl ConnectionTrait,
    supervisor: i64,
    cadres: &[i64],
) -> Result<HashMap<i64, DateTime<Utc>>, AppError> {
    let rows = notification::Entity::find()
        .filter(notification::Column::Kind.eq(ReminderKind::Remind.as_str()))
        .filter(notification::Column::SenderId.eq(supervisor))
        .filter(notification::Column::AccountId.is_in(cadres.iter().copied()))
        .all(db)
        .await?;
    let mut out: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for n in rows {
        let e = out.entry(n.account_id).or_insert(n.created_at);
        if n.created_at > *e {
            *e = n.created_at;
        }
    }
    Ok(out)
}

// ---- health -----------------------------------------------------------------------------

/// # Errors
/// `Forbidden` for all but admins.
pub async fn health() -> Result<Health, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let since = Utc::now() - Duration::days(7);
    let instances = scheduler_tick::Entity::find()
        .order_by_desc(scheduler_tick::Column::LastAt)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(|t| InstanceTick {
            instance: t.instance,
            host: t.host,
            last_at: t.last_at,
            last_as_of: t.last_as_of,
            made: u32::try_from(t.made).unwrap_or(0),
            sent: u32::try_from(t.sent).unwrap_or(0),
            failed: u32::try_from(t.failed).unwrap_or(0),
            last_error: t.last_error,
        })
        .collect();
    let recent = notification::Entity::find()
        .filter(notification::Column::CreatedAt.gte(since))
        .all(db)
        .await?;
    let statuses: HashMap<i64, String> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .column(delivery::Column::Status)
        .filter(
            delivery::Column::Id.is_in(
                recent
                    .iter()
                    .filter_map(|n| n.delivery_id)
                    .collect::<HashSet<_>>(),
            ),
        )
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut kinds: Vec<KindHealth> = ReminderKind::ALL
        .iter()
        .map(|k| KindHealth {
            kind: k.as_str().to_owned(),
            made: 0,
            sent: 0,
            failed: 0,
            pending: 0,
        })
        .collect();
    for n in &recent {
        let Some(k) = kinds.iter_mut().find(|k| k.kind == n.kind) else {
            continue;
        };
        k.made += 1;
        let status = n
            .delivery_id
            .and_then(|d| statuses.get(&d))
            .map(String::as_str);
        match (n.channels == CHANNELS_EMAIL, status) {
            (true, Some("sent")) => k.sent += 1,
            (true, Some("failed")) => k.failed += 1,
            (true, _) => k.pending += 1,
            (false, _) => {}
        }
    }
    let errors = delivery::Entity::find()
        .filter(delivery::Column::LastError.is_not_null())
        .order_by_desc(delivery::Column::UpdatedAt)
        .limit(10)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DeliveryError {
            id: d.id,
            to: d.to_addr,
            subject: d.subject,
            status: d.status,
            attempts: u32::try_from(d.attempts).unwrap_or(0),
            error: d.last_error.unwrap_or_default(),
            at: d.updated_at,
        })
        .collect();
    let failed = delivery::Entity::find()
        .filter(delivery::Column::Status.eq("failed"))
        .count(db)
        .await?;
    Ok(Health {
        mail_configured: auth.state.settings.mailer.is_some(),
        instances,
        kinds,
        errors,
        failed: u32::try_from(failed).unwrap_or(u32::MAX),
    })
}

/// Puts every failed email back in the outbox, to go at the next tick.
///
/// # Errors
/// `Forbidden` for all but admins.
pub async fn retry(form: RetryForm) -> Result<u32, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "reminders/retry", &mut v, &form);
    if let Some(n) = once.earlier().await? {
        return Ok(u32::try_from(n).unwrap_or(0));
    }
    v.finish(&form)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(n) => return Ok(u32::try_from(n).unwrap_or(0)),
        once::Begun::Fresh(txn) => txn,
    };
    let now = Utc::now();
    let n = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value("pending"))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        // Due at the next tick, whatever instant it runs as (`server remind --at` may run as
        // an earlier one).
        .col_expr(
            delivery::Column::SendAfter,
            Expr::value(DateTime::<Utc>::UNIX_EPOCH),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Status.eq("failed"))
        .exec(&txn)
        .await?
        .rows_affected;
    auth.audit(&txn, "retry", "delivery", None, format!("{n} emails"))
        .await?;
    once::finish(txn, once.uuid, i64::try_from(n).unwrap_or(0)).await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

// ---- settings ---------------------------------------------------------------------------

/// 256 random bits, as 64 hex digits.
fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn calendar_link(public_url: &str, token: &str) -> CalendarLink {
    let https = format!("{}/cal/{token}.ics", public_url.trim_end_matches('/'));
    let webcal = match https.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => https.clone(),
    };
    CalendarLink { https, webcal }
}

/// # Errors
/// `Unauthorised` when signed out.
pub async fn my_settings() -> Result<MySettings, AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let acct = account::Entity::find_by_id(auth.viewer.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let token = match acct.calendar_token.clone() {
        Some(t) => t,
        None => {
            // The first visit makes the address; a parallel first visit keeps the one that won.
            let t = new_token();
            account::Entity::update_many()
                .col_expr(account::Column::CalendarToken, Expr::value(t.clone()))
                .filter(account::Column::Id.eq(acct.id))
                .filter(account::Column::CalendarToken.is_null())
                .exec(db)
                .await?;
            account::Entity::find_by_id(acct.id)
                .one(db)
                .await?
                .and_then(|a| a.calendar_token)
                .unwrap_or(t)
        }
    };
    let confirmed = acct.email.clone().unwrap_or_default();
    Ok(MySettings {
        email: acct
            .pending_email
            .clone()
            .unwrap_or_else(|| confirmed.clone()),
        pending: acct.pending_email.is_some(),
        confirmed_email: confirmed,
        notify_email: acct.notify_email,
        mail_configured: auth.state.settings.mailer.is_some(),
        calendar: calendar_link(&auth.state.settings.public_url, &token),
    })
}

/// # Errors
/// `Unauthorised` when signed out.
pub async fn regenerate(form: RegenerateForm) -> Result<CalendarLink, AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "calendar/regenerate", &mut v, &form);
    let current = || async {
        let token = account::Entity::find_by_id(auth.viewer.id)
            .one(db)
            .await?
            .and_then(|a| a.calendar_token)
            .unwrap_or_default();
        Ok::<_, AppError>(calendar_link(&auth.state.settings.public_url, &token))
    };
    if once.earlier().await?.is_some() {
        return current().await;
    }
    v.finish(&form)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(_) => return current().await,
        once::Begun::Fresh(txn) => txn,
    };
    let token = new_token();
    account::Entity::update_many()
        .col_expr(account::Column::CalendarToken, Expr::value(token.clone()))
        .filter(account::Column::Id.eq(auth.viewer.id))
        .exec(&txn)
        .await?;
    // The address is a secret: the audit says that it changed, not what it is.
    auth.audit(
        &txn,
        "regenerate",
        "calendar",
        Some(auth.viewer.id),
        String::new(),
    )
    .await?;
    once::finish(txn, once.uuid, auth.viewer.id).await?;
    Ok(calendar_link(&auth.state.settings.public_url, &token))
}

/// A plausible address: one `@`, something before it, a dotted domain after it, no spaces.
pub fn valid_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && v.len() <= 254
        && !v.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
}

/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 48;

/// Saves the reminder settings. A new or changed address is not used until its owner follows
/// the link mailed to it: it waits as pending (the confirmed one, if any, still gets the
/// reminders); clearing the field removes both.
///
/// # Errors
/// `Invalid` for an address that is not one.
pub async fn set_notifications(form: NotificationsForm) -> Result<(), AppError> {
    let auth = signed_in()?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let email = v.text("email", &form.email, 254, false);
    if !email.is_empty() && !valid_email(&email) {
        v.fail("email", "invalid_email", t.err_invalid_email);
    }
    let on = matches!(form.notify_email.trim(), "true" | "on" | "1");
    v.finish(&form)?;
    let acct = account::Entity::find_by_id(auth.viewer.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let now = Utc::now();
    let update = account::Entity::update_many()
        .col_expr(account::Column::NotifyEmail, Expr::value(on))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(auth.viewer.id));
    let confirmed = acct.email.as_deref().unwrap_or("");
    let pending = acct.pending_email.as_deref();
    let no_address: Option<String> = None;
    // Nothing waits for confirmation any more.
    let settled = update
        .clone()
        .col_expr(
            account::Column::PendingEmail,
            Expr::value(no_address.clone()),
        )
        .col_expr(
            account::Column::PendingEmailToken,
            Expr::value(no_address.clone()),
        );
    let (what, token) = if email.is_empty() {
        settled
            .col_expr(account::Column::Email, Expr::value(no_address))
            .exec(db)
            .await?;
        ("email removed".to_owned(), None)
    } else if email == confirmed {
        settled.exec(db).await?;
        (format!("email {email}"), None)
    } else if pending == Some(email.as_str())
        && acct
            .pending_email_at
            .is_some_and(|at| now - at < Duration::minutes(10))
    {
        // Saved again right away: the link already sent still works; no second mail.
        update.exec(db).await?;
        (format!("email {email} (pending)"), None)
    } else if acct
        .pending_email_at
        .is_some_and(|at| now - at < Duration::minutes(10))
    {
        // Another address within ten minutes of the last link: no mail bombing through
        // this form.
        let mut v = Validator::new(auth.viewer.locale);
        v.fail("email", "too_soon", t.email_too_soon);
        v.finish(&form)?;
        return Err(AppError::Internal);
    } else {
        let token = new_token();
        update
            .col_expr(account::Column::PendingEmail, Expr::value(email.clone()))
            .col_expr(
                account::Column::PendingEmailToken,
                Expr::value(crate::ssr::session::hash_token(&token)),
            )
            .col_expr(account::Column::PendingEmailAt, Expr::value(now))
            .exec(db)
            .await?;
        (format!("email {email} set, confirmation sent"), Some(token))
    };
    auth.audit(
        db,
        "notifications",
        "account",
        Some(auth.viewer.id),
        format!(
            "{what}; reminders by email {}",
            if on { "on" } else { "off" }
        ),
    )
    .await?;
    if let (Some(token), Some(mailer)) = (token, auth.state.settings.mailer.as_ref()) {
        let link = format!(
            "{}/settings/email/confirm?token={token}",
            auth.state.settings.public_url.trim_end_matches('/')
        );
        let text = crate::i18n::fill(
            t.email_confirm_text,
            &[("link", &link), ("hours", &CONFIRM_HOURS.to_string())],
        );
        let html = format!(
            "<p>{}</p><p><a href=\"{link}\">{link}</a></p>",
            crate::markup::rcdata(&crate::i18n::fill(
                t.email_confirm_html,
                &[("hours", &CONFIRM_HOURS.to_string())],
            ))
        );
        let id = format!(
            "liaison.confirm.{}.{}@{}",
            acct.id,
            now.timestamp(),
            auth.state.settings.host
        );
        // The address is saved either way; a mail that did not go can be asked for again by
        // saving the address once more after ten minutes.
        if let Err(e) = mailer
            .send(
                &email,
                &acct.name,
                t.email_confirm_subject,
                &text,
                &html,
                &id,
            )
            .await
        {
            tracing::warn!(account = acct.id, error = ?e, "confirmation email not sent");
        }
    }
    Ok(())
}

/// Follows a confirmation link: the pending address becomes the one reminders go to.
///
/// # Errors
/// `NotFound` for a token that names no pending address, or one older than
/// [`CONFIRM_HOURS`].
pub async fn confirm_email(
    db: &(impl ConnectionTrait + sea_orm::TransactionTrait),
    token: &str,
) -> Result<i64, AppError> {
    if !token.bytes().all(|b| b.is_ascii_hexdigit()) || token.len() != 64 {
        return Err(AppError::NotFound);
    }
    let acct = account::Entity::find()
        .filter(account::Column::PendingEmailToken.eq(crate::ssr::session::hash_token(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let fresh = acct
        .pending_email_at
        .is_some_and(|at| Utc::now() - at < Duration::hours(CONFIRM_HOURS));
    let (Some(email), true) = (acct.pending_email.clone(), fresh) else {
        return Err(AppError::NotFound);
    };
    let no_address: Option<String> = None;
    account::Entity::update_many()
        .col_expr(account::Column::Email, Expr::value(email.clone()))
        .col_expr(
            account::Column::PendingEmail,
            Expr::value(no_address.clone()),
        )
        .col_expr(account::Column::PendingEmailToken, Expr::value(no_address))
        .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(account::Column::Id.eq(acct.id))
        .exec(db)
        .await?;
    crate::ssr::audit::record(
        db,
        crate::ssr::audit::Entry {
            actor_id: Some(acct.id),
            role: crate::types::Role::parse(&acct.role),
            action: "email_confirmed",
            entity: "account",
            entity_id: Some(acct.id),
            details: format!("email {email}"),
            ip: None,
            result: crate::ssr::audit::Outcome::Success,
        },
    )
    .await?;
    Ok(acct.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked_plainly() {
        for ok in ["cadre01@example.org", "wang.fang+liaison@mail.gov.cn"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "example.org",
            "a@b",
            "a b@example.org",
            "a@@example.org",
            "<a@example.org>",
            "a@.org",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn the_calendar_link_comes_in_https_and_webcal() {
        let l = calendar_link("https://liaison.example/", "abc");
        assert_eq!(l.https, "https://liaison.example/cal/abc.ics");
        assert_eq!(l.webcal, "webcal://liaison.example/cal/abc.ics");
    }
}
