//! Activities on the server. An attendee is a contact that names the activity; the unique key
//! on (activity, youth) keeps it to one however the attendee came in (ticked, signed in, both,
//! a replay), and every way in goes through [`attend`].

use super::api::{
    ActivitiesPage, ActivityDetail, ActivityForm, ActivityId, ActivityQuery, ActivityRow, Pick,
    VisitOffer,
};
use super::rules::{self, SignIn};
use crate::error::AppError;
use crate::model::entities::{activity, assignment, contact, visit_day, youth};
use crate::model::paging::Paging;
use crate::model::roster;
use crate::rules::Quarter;
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{ActivityKind, Channel, OrgKind, Post, RequestStatus, Role};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

const PAGE_SIZE: usize = 20;
/// How far ahead an activity can be planned (its code shown before the day).
const PLAN_AHEAD_DAYS: i64 = 92;

/// A fresh sign-in code.
pub fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..rules::CODE_LEN)
        .map(|_| char::from(rules::CODE_ALPHABET[rng.gen_range(0..rules::CODE_ALPHABET.len())]))
        .collect()
}

/// The public address of a sign-in code.
pub fn code_url(public_url: &str, code: &str) -> String {
    format!("{}/a/{code}", public_url.trim_end_matches('/'))
}

/// Where the activity's sign-in stands now.
pub fn sign_in_now(a: &activity::Model) -> SignIn {
    rules::sign_in(
        Utc::now(),
        a.activity_date,
        a.start_time.as_deref().and_then(rules::parse_start),
        a.closed_at.is_some(),
    )
}

/// Makes `youth_ids` attendees of `a` (one offline contact each, by the activity's cadre),
/// leaving those who already are; a request (诉求) left at sign-in goes on the contact. Answers
/// the youths newly added.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn attend(
    db: &impl ConnectionTrait,
    a: &activity::Model,
    youth_ids: &[i64],
    request: Option<&str>,
) -> Result<Vec<i64>, AppError> {
    if youth_ids.is_empty() {
        return Ok(Vec::new());
    }
    let before: HashSet<i64> = attendee_ids(db, a.id).await?.into_iter().collect();
    let fresh: Vec<i64> = youth_ids
        .iter()
        .copied()
        .filter(|y| !before.contains(y))
        .collect();
    if fresh.is_empty() {
        return Ok(fresh);
    }
    let now = Utc::now();
    let records: Vec<contact::ActiveModel> = fresh
        .iter()
        .map(|&y| contact::ActiveModel {
            uuid: Set(uuid::Uuid::new_v4()),
            youth_id: Set(y),
            cadre_id: Set(a.cadre_id),
            contact_date: Set(a.activity_date),
            channel: Set(Channel::Activity.as_str().to_owned()),
            online: Set(Channel::Activity.online()),
            content: Set(a.title.clone()),
            request: Set(request.map(str::to_owned)),
            request_status: Set(request.map(|_| RequestStatus::Open.as_str().to_owned())),
            resolution: Set(None),
            duration_minutes: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            late_approved_by: Set(None),
            activity_id: Set(Some(a.id)),
            ..Default::default()
        })
        .collect();
    // A parallel sign-in of the same youth is left to the unique key.
    for chunk in records.chunks(200) {
        contact::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([contact::Column::ActivityId, contact::Column::YouthId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    roster::contacts_added(db, &fresh, a.activity_date, Channel::Activity.online()).await?;
    crate::compliance::service::reopen_weeks(db, a.activity_date).await?;
    Ok(fresh)
}

/// Removes attendees (their contacts) from `a`.
async fn unattend(
    db: &impl ConnectionTrait,
    a: &activity::Model,
    youth_ids: &[i64],
) -> Result<(), AppError> {
    if youth_ids.is_empty() {
        return Ok(());
    }
    contact::Entity::delete_many()
        .filter(contact::Column::ActivityId.eq(a.id))
        .filter(contact::Column::YouthId.is_in(youth_ids.iter().copied()))
        .exec(db)
        .await?;
    // A removal can move a summary back: those youths are read again.
    for &y in youth_ids {
        roster::contacts_changed(db, y).await?;
    }
    crate::compliance::service::reopen_weeks(db, a.activity_date).await
}

async fn attendee_ids(db: &impl ConnectionTrait, activity_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(contact::Entity::find()
        .select_only()
        .column(contact::Column::YouthId)
        .filter(contact::Column::ActivityId.eq(activity_id))
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// The cadre's own activity, or `NotFound`.
async fn own(auth: &Authorised, id: &str) -> Result<activity::Model, AppError> {
    let id = id.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    activity::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .filter(|a| a.cadre_id == auth.viewer.id)
        .ok_or(AppError::NotFound)
}

struct Valid {
    title: String,
    kind: ActivityKind,
    date: NaiveDate,
    start_time: Option<String>,
    place: String,
    org_id: Option<i64>,
    ticked: Vec<i64>,
}

/// Organisations an activity may name: the cadre's paired ones first, then the active
/// grassroots organisations of the cadre's subtree.
async fn org_choices(auth: &Authorised) -> Result<Vec<(i64, String)>, AppError> {
    let (tree, scope) = auth.scope().await?;
    let mut out = crate::model::pairings::open_in(auth, &tree).await?;
    let mut rest: Vec<(i64, String)> = scope
        .iter()
        .filter_map(|&id| tree.get(id))
        .filter(|o| o.active && OrgKind::parse(&o.kind).is_some_and(OrgKind::is_grassroots))
        .filter(|o| !out.iter().any(|(id, _)| *id == o.id))
        .map(|o| (o.id, o.name.clone()))
        .collect();
    rest.sort_by(|a, b| a.1.cmp(&b.1));
    out.extend(rest);
    Ok(out)
}

/// The ids of a comma-separated list (checkboxes send one field each, joined by commas).
fn ids(v: &mut Validator, field: &str, raw: &str) -> Vec<i64> {
    let t = v.t();
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(id) if id > 0 => out.push(id),
            _ => {
                if !v.has(field) {
                    v.fail(field, "invalid_choice", t.err_invalid_choice);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Checks an activity's fields and its ticked youths (on the viewer's roster now).
async fn validate(
    auth: &Authorised,
    v: &mut Validator,
    form: &ActivityForm,
    locked_field: bool,
    already: &[i64],
) -> Result<Option<Valid>, AppError> {
    let db = auth.db();
    let t = v.t();
    let today = today();
    let title = v.text("title", &form.title, rules::TITLE_MAX, true);
    let kind = v.choice("kind", &form.kind, ActivityKind::parse);
    let late_days = crate::model::policy::load(db)
        .await?
        .contact_late_entry_days;
    let date = v.date("activity_date", &form.activity_date);
    if let Some(d) = date {
        if d < today - Duration::days(late_days) {
            let msg =
                crate::i18n::fill(t.err_activity_too_old, &[("days", &late_days.to_string())]);
            v.fail("activity_date", "date_too_old", msg);
        } else if d > today + Duration::days(PLAN_AHEAD_DAYS) {
            v.fail("activity_date", "date_too_far", t.err_date_too_far);
        } else if locked_field {
            crate::model::signoff::guard(db, v, "activity_date", auth.viewer.org_id, (d, d), false)
                .await?;
        }
    }
    let start_time = match form.start_time.trim() {
        "" => None,
        raw => match rules::parse_start(raw) {
            Some(s) => Some(s.format("%H:%M").to_string()),
            None => {
                v.fail("start_time", "invalid_time", t.err_invalid_time);
                None
            }
        },
    };
    let place = v.text("place", &form.place, rules::PLACE_MAX, true);
    let org_id = match form.org_id.trim() {
        "" => None,
        raw => {
            let id = v.id("org_id", raw);
            if let Some(id) = id {
                if !org_choices(auth).await?.iter().any(|(o, _)| *o == id) {
                    v.fail("org_id", "invalid_choice", t.err_invalid_choice);
                }
            }
            id
        }
    };
    let ticked = ids(v, "youth_ids", &form.youth_ids);
    if ticked.len() > rules::ATTENDEES_MAX {
        let max = rules::ATTENDEES_MAX.to_string();
        v.fail(
            "youth_ids",
            "too_many",
            crate::i18n::fill(t.err_too_many_youths, &[("max", &max)]),
        );
    } else if ticked.iter().any(|y| !already.contains(y)) {
        // Attendees stay attendees when they leave the roster; new ones come from it.
        let new: Vec<i64> = ticked
            .iter()
            .copied()
            .filter(|y| !already.contains(y))
            .collect();
        let mine = on_roster(db, auth.viewer.id, &new).await?;
        if new.iter().any(|y| !mine.contains(y)) {
            v.fail("youth_ids", "not_your_youth", t.err_not_your_youth);
        } else if date.is_some_and(|d| d > today) {
            v.fail("youth_ids", "activity_not_yet", t.err_activity_not_yet);
        }
    }
    Ok(match (kind, date) {
        (Some(kind), Some(date)) => Some(Valid {
            title,
            kind,
            date,
            start_time,
            place,
            org_id,
            ticked,
        }),
        _ => None,
    })
}

/// Which of `ids` are on the cadre's roster now.
async fn on_roster(
    db: &impl ConnectionTrait,
    cadre: i64,
    ids: &[i64],
) -> Result<HashSet<i64>, AppError> {
    let mut out = HashSet::new();
    for chunk in ids.chunks(500) {
        out.extend(
            assignment::Entity::find()
                .select_only()
                .column(assignment::Column::YouthId)
                .filter(assignment::Column::CadreId.eq(cadre))
                .filter(assignment::Column::EndedOn.is_null())
                .filter(assignment::Column::YouthId.is_in(chunk.iter().copied()))
                .into_tuple::<i64>()
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// # Errors
/// `Forbidden`; `Invalid` for bad fields or youths not on the roster.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: ActivityForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "activities/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let valid = validate(&auth, &mut v, &form, true, &[]).await?;
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let a = valid.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let now = Utc::now();
    let saved = activity::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(auth.viewer.id),
        title: Set(a.title),
        kind: Set(a.kind.as_str().to_owned()),
        activity_date: Set(a.date),
        start_time: Set(a.start_time),
        place: Set(a.place),
        org_id: Set(a.org_id),
        code: Set(new_code()),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let added = attend(&txn, &saved, &a.ticked, None).await?;
    auth.audit(
        &txn,
        "create",
        "activity",
        Some(saved.id),
        format!("attendees={}", added.len()),
    )
    .await?;
    once::finish(txn, once.uuid, saved.id).await?;
    Ok(saved.id)
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's activity; `Invalid` for bad fields, a date past
/// the late-entry window, or a locked quarter.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn update(form: ActivityForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let a = own(&auth, &form.id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    // The day it was and the day it becomes must both be open to changes.
    crate::model::signoff::guard(
        db,
        &mut v,
        "activity_date",
        auth.viewer.org_id,
        (a.activity_date, a.activity_date),
        false,
    )
    .await?;
    let check_lock = !v.has("activity_date");
    let already = attendee_ids(db, a.id).await?;
    let valid = validate(&auth, &mut v, &form, check_lock, &already).await?;
    let t = v.t();
    let late_days = crate::model::policy::load(db)
        .await?
        .contact_late_entry_days;
    let today = today();
    if a.activity_date < today - Duration::days(late_days) {
        // Its attendees' contacts are past the window for changes, like any contact.
        let msg = crate::i18n::fill(t.err_activity_too_old, &[("days", &late_days.to_string())]);
        v.fail("activity_date", "date_too_old", msg);
    } else if !already.is_empty() && valid.as_ref().is_some_and(|n| n.date > today) {
        v.fail("activity_date", "activity_not_yet", t.err_activity_not_yet);
    }
    v.finish(&form)?;
    let new = valid.ok_or(AppError::Internal)?;
    let loaded_at = DateTime::parse_from_rfc3339(form.loaded_at.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc));
    let txn = db.begin().await?;
    let current = attendee_ids(&txn, a.id).await?;
    let arrived: Vec<i64> = match loaded_at {
        Some(at) => {
            contact::Entity::find()
                .select_only()
                .column(contact::Column::YouthId)
                .filter(contact::Column::ActivityId.eq(a.id))
                .filter(contact::Column::CreatedAt.gt(at))
                .into_tuple::<i64>()
                .all(&txn)
                .await?
        }
        None => Vec::new(),
    };
    let (add, remove) = rules::attendee_changes(&current, &new.ticked, &arrived);
    let moved = new.date != a.activity_date || new.title != a.title;
    let mut am = a.clone().into_active_model();
    am.title = Set(new.title.clone());
    am.kind = Set(new.kind.as_str().to_owned());
    am.activity_date = Set(new.date);
    am.start_time = Set(new.start_time.clone());
    am.place = Set(new.place.clone());
    am.org_id = Set(new.org_id);
    am.updated_at = Set(Utc::now());
    let saved = am.update(&txn).await?;
    unattend(&txn, &saved, &remove).await?;
    if moved {
        // The attendees' contacts follow the activity's date and title.
        contact::Entity::update_many()
            .col_expr(
                contact::Column::ContactDate,
                sea_orm::sea_query::Expr::value(saved.activity_date),
            )
            .col_expr(
                contact::Column::Content,
                sea_orm::sea_query::Expr::value(saved.title.clone()),
            )
            .filter(contact::Column::ActivityId.eq(saved.id))
            .exec(&txn)
            .await?;
        for y in current.iter().filter(|y| !remove.contains(y)) {
            roster::contacts_changed(&txn, *y).await?;
        }
        crate::compliance::service::reopen_weeks(&txn, a.activity_date.min(saved.activity_date))
            .await?;
    }
    let added = attend(&txn, &saved, &add, None).await?;
    auth.audit(
        &txn,
        "update",
        "activity",
        Some(saved.id),
        format!("added={}; removed={}", added.len(), remove.len()),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// # Errors
/// `Forbidden`, `NotFound`.
pub async fn close(form: ActivityId) -> Result<(), AppError> {
    let auth = require(Role::CADRES)?;
    let a = own(&auth, &form.id).await?;
    if a.closed_at.is_some() {
        return Ok(());
    }
    let txn = auth.db().begin().await?;
    let id = a.id;
    let mut am = a.into_active_model();
    am.closed_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    auth.audit(&txn, "close", "activity", Some(id), String::new())
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Rows for a list of activities: their attendee counts and organisation names.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn rows(
    db: &impl ConnectionTrait,
    list: Vec<activity::Model>,
) -> Result<Vec<ActivityRow>, AppError> {
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let mut counts: HashMap<i64, (u32, u32)> = HashMap::new();
    if !ids.is_empty() {
        let attendance: Vec<(Option<i64>, i64)> = contact::Entity::find()
            .select_only()
            .column(contact::Column::ActivityId)
            .column(contact::Column::YouthId)
            .filter(contact::Column::ActivityId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let signed = signed_in(db, &ids).await?;
        for (a, y) in attendance {
            let Some(a) = a else { continue };
            let e = counts.entry(a).or_default();
            e.0 += 1;
            if signed.contains(&(a, y)) {
                e.1 += 1;
            }
        }
    }
    let tree = crate::model::orgtree::OrgTree::load(db).await?;
    Ok(list
        .into_iter()
        .map(|a| {
            let (attendees, signed_in) = counts.get(&a.id).copied().unwrap_or_default();
            ActivityRow {
                id: a.id,
                sign_in: sign_in_now(&a),
                title: a.title,
                kind: ActivityKind::parse(&a.kind).unwrap_or(ActivityKind::Other),
                date: a.activity_date,
                start_time: a.start_time,
                place: a.place,
                org_id: a.org_id,
                org_name: a.org_id.and_then(|o| tree.get(o)).map(|o| o.name.clone()),
                attendees,
                signed_in,
            }
        })
        .collect())
}

/// The attendees who came in by their own sign-in (recorded at once, or accepted as new
/// friends): (activity, youth).
async fn signed_in(
    db: &impl ConnectionTrait,
    activity_ids: &[i64],
) -> Result<HashSet<(i64, i64)>, AppError> {
    use crate::model::entities::enrol_request;
    let rows = enrol_request::Entity::find()
        .select_only()
        .column(enrol_request::Column::ActivityId)
        .column(enrol_request::Column::YouthId)
        .filter(enrol_request::Column::ActivityId.is_in(activity_ids.iter().copied()))
        .filter(enrol_request::Column::YouthId.is_not_null())
        .into_tuple::<(Option<i64>, Option<i64>)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, y)| Some((a?, y?)))
        .collect())
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn list(query: ActivityQuery) -> Result<ActivitiesPage, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let today = today();
    let this = Quarter::of(today);
    let quarter = Quarter::parse(query.quarter.trim()).unwrap_or(this);
    let mine = || {
        activity::Entity::find()
            .filter(activity::Column::CadreId.eq(auth.viewer.id))
            .filter(activity::Column::ActivityDate.between(quarter.start(), quarter.end()))
    };
    let matching = usize::try_from(mine().count(db).await?).unwrap_or(0);
    let paging = Paging::new(&query.page, matching, PAGE_SIZE);
    let list = mine()
        .order_by_desc(activity::Column::ActivityDate)
        .order_by_desc(activity::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?;
    let reach = crate::compliance::service::activity_reach(
        db,
        &[auth.viewer.id],
        (quarter.start(), quarter.end()),
    )
    .await?;
    let pending = crate::enrol::service::pending_count(db, auth.viewer.id).await?;
    let roster = crate::youth::service::full_roster(&auth)
        .await?
        .0
        .into_iter()
        .map(|e| Pick {
            youth_id: e.id,
            name: e.name,
            workplace: e.workplace,
            attending: false,
            signed_in: false,
            request: None,
        })
        .collect();
    let quarters = [
        this,
        this.prev(),
        this.prev().prev(),
        this.prev().prev().prev(),
    ]
    .iter()
    .map(|q| q.key())
    .collect();
    Ok(ActivitiesPage {
        quarter: quarter.key(),
        quarters,
        rows: rows(db, list).await?,
        page: paging.page,
        pages: paging.pages,
        held: reach.held,
        attendances: reach.attendances,
        youths: reach.youths,
        pending,
        roster,
        orgs: org_choices(&auth).await?,
        today,
        late_entry_days: crate::model::policy::load(db)
            .await?
            .contact_late_entry_days,
    })
}

/// The activities of a cadre in a period, newest first (the drill-down's list).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn of_cadre(
    db: &impl ConnectionTrait,
    cadre: i64,
    span: (NaiveDate, NaiveDate),
) -> Result<Vec<ActivityRow>, AppError> {
    let list = activity::Entity::find()
        .filter(activity::Column::CadreId.eq(cadre))
        .filter(activity::Column::ActivityDate.between(span.0, span.1))
        .order_by_desc(activity::Column::ActivityDate)
        .order_by_desc(activity::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    rows(db, list).await
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's activity.
pub async fn get(id: i64) -> Result<ActivityDetail, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let loaded_at = Utc::now();
    let a = own(&auth, &id.to_string()).await?;
    let today = today();
    let late_days = crate::model::policy::load(db)
        .await?
        .contact_late_entry_days;
    let locked = crate::model::signoff::locked_quarter(
        db,
        auth.viewer.org_id,
        a.activity_date,
        a.activity_date,
    )
    .await?
    .is_some();
    let editable = !locked && a.activity_date >= today - Duration::days(late_days);
    let attendance = contact::Entity::find()
        .filter(contact::Column::ActivityId.eq(a.id))
        .all(db)
        .await?;
    let signed = signed_in(db, &[a.id]).await?;
    let (roster, _) = crate::youth::service::full_roster(&auth).await?;
    let attending: HashMap<i64, &contact::Model> =
        attendance.iter().map(|c| (c.youth_id, c)).collect();
    let pick = |youth_id: i64, name: String, workplace: String| {
        let c = attending.get(&youth_id);
        Pick {
            youth_id,
            name,
            workplace,
            attending: c.is_some(),
            signed_in: signed.contains(&(a.id, youth_id)),
            request: c.and_then(|c| c.request.clone()),
        }
    };
    let mut picks: Vec<Pick> = roster
        .iter()
        .map(|e| pick(e.id, e.name.clone(), e.workplace.clone()))
        .collect();
    // Attendees first, each group by name.
    picks.sort_by_key(|p| std::cmp::Reverse(p.attending));
    let on_roster: HashSet<i64> = roster.iter().map(|e| e.id).collect();
    let gone: Vec<i64> = attendance
        .iter()
        .map(|c| c.youth_id)
        .filter(|y| !on_roster.contains(y))
        .collect();
    let names = crate::model::names::youths(db, gone.iter().copied()).await?;
    let former = gone
        .iter()
        .map(|&y| pick(y, names.get(&y).cloned().unwrap_or_default(), String::new()))
        .collect();
    let visit_offer = visit_offer(&auth, &a, today, locked).await?;
    let url = code_url(&auth.state.settings.public_url, &a.code);
    let orgs = org_choices(&auth).await?;
    let row = rows(db, vec![a.clone()])
        .await?
        .pop()
        .ok_or(AppError::Internal)?;
    Ok(ActivityDetail {
        row,
        code: rules::show_code(&a.code),
        qr_svg: crate::model::second_factor::qr_svg(&url),
        url,
        picks,
        former,
        visit_offer,
        editable,
        orgs,
        loaded_at: loaded_at.to_rfc3339(),
        today,
    })
}

/// An activity at one of the cadre's paired organisations, on a working day that has come, in
/// a week without a visit day yet, can be the week's visit day too (full-time cadres).
async fn visit_offer(
    auth: &Authorised,
    a: &activity::Model,
    today: NaiveDate,
    locked: bool,
) -> Result<Option<VisitOffer>, AppError> {
    let db = auth.db();
    let Some(org) = a.org_id else {
        return Ok(None);
    };
    if auth.viewer.post != Some(Post::FullTime) || a.activity_date > today || locked {
        return Ok(None);
    }
    let policy = crate::model::policy::load(db).await?;
    if a.activity_date < today - Duration::days(policy.visit_late_entry_days) {
        return Ok(None);
    }
    let Some((_, org_name)) = crate::model::pairings::open(auth)
        .await?
        .into_iter()
        .find(|(id, _)| *id == org)
    else {
        return Ok(None);
    };
    let calendar = crate::model::policy::calendar(db, a.activity_date, a.activity_date).await?;
    if !calendar.is_working_day(a.activity_date) {
        return Ok(None);
    }
    let week = crate::rules::Week::of(a.activity_date);
    let logged = visit_day::Entity::find()
        .filter(visit_day::Column::CadreId.eq(auth.viewer.id))
        .filter(visit_day::Column::VisitDate.between(week.monday(), week.sunday()))
        .count(db)
        .await?;
    Ok((logged == 0).then_some(VisitOffer {
        org_id: org,
        org_name,
        date: a.activity_date,
    }))
}

/// The open activity of a sign-in code, with its state now; `None` for no such code.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn by_code(
    db: &impl ConnectionTrait,
    raw: &str,
) -> Result<Option<(activity::Model, SignIn)>, AppError> {
    let Some(code) = rules::normalise_code(raw) else {
        return Ok(None);
    };
    Ok(activity::Entity::find()
        .filter(activity::Column::Code.eq(code))
        .one(db)
        .await?
        .map(|a| {
            let s = sign_in_now(&a);
            (a, s)
        }))
}

/// Whether a youth is on a cadre's roster, not withdrawn: the attendee a sign-in can record.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn roster_youth_by_phone(
    db: &impl ConnectionTrait,
    cadre: i64,
    phone: &str,
) -> Result<Option<youth::Model>, AppError> {
    Ok(youth::Entity::find()
        .filter(youth::Column::Phone.eq(phone))
        .filter(youth::Column::CadreId.eq(cadre))
        .filter(youth::Column::WithdrawnOn.is_null())
        .filter(youth::Column::AnonymisedAt.is_null())
        .one(db)
        .await?)
}
