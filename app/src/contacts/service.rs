//! Contacts on the server. A cadre logs contacts with the youths on their roster; the record stays
//! with the youth when the roster changes hands.

use super::api::{ContactEdit, ContactForm, ContactId, ContactRow, OpenRequest, RequestForm};
use crate::compliance::service::reopen_weeks;
use crate::error::AppError;
use crate::late::service::Outcome;
use crate::model::entities::{contact, youth};
use crate::model::roster;
use crate::model::roster::own_youth;
use crate::model::signoff;
use crate::rules::{editable, shanghai_date};
use crate::ssr::guard::Actor;
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::ssr::writer::{Kept, Txn};
use crate::types::{Channel, RequestStatus};
use crate::types::{LateAction, LateKind, Role};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set, TransactionTrait, TryInsertResult,
};
use std::collections::HashMap;

/// Rows for display; `viewer` may edit their own within the window.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn contact_rows(
    db: &impl ConnectionTrait,
    contacts: Vec<contact::Model>,
    viewer: i64,
    today: NaiveDate,
) -> Result<Vec<ContactRow>, AppError> {
    let names = crate::model::names::accounts(db, contacts.iter().map(|c| c.cadre_id)).await?;
    Ok(contacts
        .into_iter()
        .map(|c| row(c, viewer, today, &names))
        .collect())
}

fn row(
    c: contact::Model,
    viewer: i64,
    today: NaiveDate,
    names: &HashMap<i64, String>,
) -> ContactRow {
    ContactRow {
        id: c.id,
        youth_id: c.youth_id,
        date: c.contact_date,
        channel: Channel::parse(&c.channel),
        online: c.online,
        content: c.content,
        request: c.request,
        request_status: c.request_status.as_deref().and_then(RequestStatus::parse),
        resolution: c.resolution,
        duration_minutes: c.duration_minutes,
        cadre_name: names.get(&c.cadre_id).cloned().unwrap_or_default(),
        // An activity's attendance changes with the activity's attendees, not here.
        editable: c.cadre_id == viewer
            && c.activity_id.is_none()
            && editable(shanghai_date(c.created_at), today),
        late: c.late_approved_by.is_some(),
    }
}

struct ValidContact {
    date: NaiveDate,
    channel: Channel,
    content: String,
    request: Option<String>,
    duration: Option<i32>,
}

/// How a contact's date meets the late-entry window.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Window {
    /// Logging: a date past the window, or in a locked quarter, asks for a 补录申请; `late`
    /// when the form is one, `locked` when the quarter is approved.
    Logging { late: bool, locked: bool },
    /// Changing a contact: the date stays within the window, unless the change is a 补录申请
    /// (its quarter is locked; the approver judges the date).
    Editing { late: bool },
    /// Storing an approved 补录申请: the window was met by asking.
    Approved,
}

/// Checks the fields shared by logging and changing. `assigned_on` bounds the date from below.
fn validate(
    v: &mut Validator,
    form: &ContactForm,
    assigned_on: Option<NaiveDate>,
    late_days: i64,
    window: Window,
) -> Option<ValidContact> {
    let t = v.t();
    let today = today();
    let date = v.date("contact_date", &form.contact_date);
    if let Some(d) = date {
        let past_window = d < today - Duration::days(late_days);
        let days = late_days.to_string();
        if d > today {
            v.fail("contact_date", "date_in_future", t.err_date_future);
        } else if past_window && matches!(window, Window::Logging { late: false, .. }) {
            let msg = crate::i18n::fill(t.err_contact_too_late, &[("days", &days)]);
            v.fail("contact_date", "date_too_old", msg);
        } else if past_window && window == (Window::Editing { late: false }) {
            let msg = crate::i18n::fill(t.err_contact_too_late_edit, &[("days", &days)]);
            v.fail("contact_date", "date_too_old", msg);
        } else if assigned_on.is_some_and(|a| d < a) {
            v.fail("contact_date", "before_assignment", t.err_before_assignment);
        } else if !past_window
            && window
                == (Window::Logging {
                    late: true,
                    locked: false,
                })
        {
            v.fail("late", "late_not_needed", t.err_late_not_needed);
        }
    }
    let channel = v.choice("channel", &form.channel, Channel::parse);
    let content = v.lines("content", &form.content, 1000, true);
    let request = Some(v.lines("request", &form.request, 500, false)).filter(|r| !r.is_empty());
    let duration = v.optional_int("duration_minutes", &form.duration_minutes, 1, 600);
    Some(ValidContact {
        date: date?,
        channel: channel?,
        content,
        request,
        duration,
    })
}

/// A new contact record by `cadre` (not yet stored).
fn new_record(
    uuid: uuid::Uuid,
    youth: i64,
    cadre: i64,
    c: ValidContact,
    late_approved_by: Option<i64>,
) -> contact::ActiveModel {
    let now = Utc::now();
    contact::ActiveModel {
        uuid: Set(uuid),
        youth_id: Set(youth),
        cadre_id: Set(cadre),
        contact_date: Set(c.date),
        channel: Set(c.channel.as_str().to_owned()),
        online: Set(c.channel.online()),
        content: Set(c.content),
        request_status: Set(c
            .request
            .as_ref()
            .map(|_| RequestStatus::Open.as_str().to_owned())),
        request: Set(c.request),
        resolution: Set(None),
        duration_minutes: Set(c.duration),
        created_at: Set(now),
        updated_at: Set(now),
        late_approved_by: Set(late_approved_by),
        ..Default::default()
    }
}

/// Stores a new contact and what follows from it: the youth's summary, the weeks it reaches
/// back into.
async fn store(
    txn: &impl ConnectionTrait,
    record: contact::ActiveModel,
) -> Result<contact::Model, AppError> {
    let saved = record.insert(txn).await?;
    after_insert(txn, saved.youth_id, saved.contact_date, saved.online).await?;
    Ok(saved)
}

/// What follows from a new contact: the youth's summary, the weeks it reaches back into.
async fn after_insert(
    txn: &impl ConnectionTrait,
    youth_id: i64,
    date: NaiveDate,
    online: bool,
) -> Result<(), AppError> {
    // A new contact can only move the summary forward: no need to read the contacts again.
    roster::contacts_added(txn, &[youth_id], date, online).await?;
    reopen_weeks(txn, date).await
}

/// Stores the contact of an approved 补录申请, by its cadre, as of its date, marked as approved
/// by `approver`. The fields were checked when it was filed (the youth was on the cadre's
/// roster then; the record stays with the youth's history whoever holds the roster now).
///
/// # Errors
/// A database error, as `Internal`; `Ok(Err(message))` for fields that no longer pass.
pub async fn store_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    let form: ContactForm = crate::late::service::fields(request)?;
    let mut v = Validator::new(locale);
    let t = v.t();
    let youth = form.youth_id.trim().parse::<i64>().ok();
    let late_days = crate::model::policy::load(txn)
        .await?
        .contact_late_entry_days;
    let valid = validate(&mut v, &form, None, late_days, Window::Approved);
    let (Some(youth), Some(c), true) = (youth, valid, v.is_empty()) else {
        return Ok(Err(t.err_internal.to_owned()));
    };
    let saved = store(
        txn,
        new_record(
            uuid::Uuid::new_v4(),
            youth,
            request.cadre_id,
            c,
            Some(approver),
        ),
    )
    .await?;
    Ok(Ok(saved.id))
}

/// # Errors
/// `Forbidden`; `Invalid` for a youth not on the roster or bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: ContactForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    // A resend is found when the request id is taken (`begin`), or by `settled` when the fields
    // no longer pass: no lookup up front.
    let once = once::Request::new(&auth, "contacts/create", &mut v, &form);
    let youth = match form.youth_id.trim().parse::<i64>() {
        Ok(id) => own_youth(db, auth.viewer.id, id).await.ok(),
        Err(_) => None,
    };
    if youth.is_none() {
        v.fail("youth_id", "not_your_youth", t.err_not_your_youth);
    }
    let late_days = auth
        .state
        .cache
        .policy(db)
        .await?
        .at(today())
        .contact_late_entry_days;
    let late = crate::late::service::asked(&form.late);
    let locked = match crate::rules::parse_date(&form.contact_date) {
        Some(d) => {
            signoff::guard(db, &mut v, "contact_date", auth.viewer.org_id, (d, d), late).await?
        }
        None => false,
    };
    let valid = validate(
        &mut v,
        &form,
        youth.as_ref().map(|(a, _)| a.assigned_on),
        late_days,
        Window::Logging { late, locked },
    );
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some((_, youth)), Some(c)) = (youth, valid) else {
        return Err(AppError::Internal);
    };
    if let Some(reason) = reason {
        let summary = format!("{} · {} · {}", youth.name, c.channel.label(t), c.content);
        return crate::late::service::file(
            &auth,
            &once,
            crate::late::service::Filing {
                kind: LateKind::Contact,
                action: LateAction::Create,
                target: None,
                date: c.date,
                form: &form,
                summary,
                reason,
            },
        )
        .await;
    }
    let summary = (youth.id, c.date, c.channel.online());
    let record = new_record(once.uuid, youth.id, auth.viewer.id, c, None);
    // Logging a contact is the write everyone makes at once: it queues on the writer, which
    // commits the contacts that arrive together in one transaction.
    let (key, actor) = (once.key(), auth.actor());
    auth.state
        .writer
        .write(move |txn| {
            let (record, key, actor) = (record.clone(), key.clone(), actor.clone());
            contact_write(txn, record, summary, key, actor)
        })
        .await
}

/// The write of a new contact, on the writer.
async fn contact_write(
    txn: Txn,
    record: contact::ActiveModel,
    (youth_id, date, online): (i64, NaiveDate, bool),
    key: once::Key,
    actor: Actor,
) -> Result<Kept<i64>, AppError> {
    // The contact's uuid is the request id: a resend finds its contact there.
    let id = match contact::Entity::insert(record)
        .on_conflict_do_nothing_on([contact::Column::Uuid])
        .exec(&*txn)
        .await?
    {
        TryInsertResult::Inserted(r) => r.last_insert_id,
        _ => return Ok(Kept::Undo(key.earlier(&*txn).await?)),
    };
    if let Some(id) = key.claim(&*txn, id).await? {
        return Ok(Kept::Undo(id));
    }
    after_insert(&*txn, youth_id, date, online).await?;
    txn.audit(actor.row("create", "contact", Some(id), String::new()));
    Ok(Kept::Commit(id))
}

/// One's own contact, or `NotFound`.
async fn own_contact(auth: &Authorised, id: &str) -> Result<contact::Model, AppError> {
    let id = id.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    contact::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .filter(|c| c.cadre_id == auth.viewer.id)
        .ok_or(AppError::NotFound)
}

fn check_window(v: &mut Validator, c: &contact::Model) {
    let t = v.t();
    if c.activity_id.is_some() {
        v.fail("id", "activity_contact", t.err_activity_contact);
    } else if !editable(shanghai_date(c.created_at), today()) {
        v.fail("id", "edit_window", t.err_edit_window);
    }
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's contact.
pub async fn for_edit(id: i64) -> Result<ContactEdit, AppError> {
    let auth = require(Role::CADRES)?;
    let c = own_contact(&auth, &id.to_string()).await?;
    let youth_name = crate::model::entities::youth::Entity::find_by_id(c.youth_id)
        .one(auth.db())
        .await?
        .map(|y| y.name)
        .unwrap_or_default();
    let mut rows = contact_rows(auth.db(), vec![c], auth.viewer.id, today()).await?;
    Ok(ContactEdit {
        contact: rows.remove(0),
        youth_name,
    })
}

/// The contact with its changed fields (not yet stored).
fn changed(c: contact::Model, new: ValidContact) -> contact::ActiveModel {
    let had_request = c.request.is_some();
    let mut am = c.into_active_model();
    am.contact_date = Set(new.date);
    am.channel = Set(new.channel.as_str().to_owned());
    am.online = Set(new.channel.online());
    am.content = Set(new.content);
    if new.request.is_none() {
        am.request_status = Set(None);
        am.resolution = Set(None);
    } else if !had_request {
        am.request_status = Set(Some(RequestStatus::Open.as_str().to_owned()));
    }
    am.request = Set(new.request);
    am.duration_minutes = Set(new.duration);
    am.updated_at = Set(Utc::now());
    am
}

/// Changes one's own contact within 7 days; in a locked quarter, with `late=true`, files the
/// change as a 补录申请.
///
/// # Errors
/// `Forbidden`, `NotFound`; `Invalid` for bad fields, after 7 days, or in a locked quarter
/// without `late`.
/// Returns the youth's id when done.
pub async fn update(form: ContactForm) -> Result<Outcome, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let late = crate::late::service::asked(&form.late);
    let mut edit =
        crate::late::service::LateEdit::new(&auth, "contacts/update", &mut v, &form, late);
    if let Some(id) = edit.earlier().await? {
        return Ok(Outcome::Filed(id));
    }
    let c = own_contact(&auth, &form.id).await?;
    check_window(&mut v, &c);
    let new_date = crate::rules::parse_date(&form.contact_date).unwrap_or(c.contact_date);
    let days = (c.contact_date.min(new_date), c.contact_date.max(new_date));
    edit.guard(&auth, &mut v, "contact_date", days).await?;
    // While the youth is still on the roster, the date cannot go before the assignment.
    let assigned_on = own_youth(auth.db(), auth.viewer.id, c.youth_id)
        .await
        .ok()
        .map(|(a, _)| a.assigned_on);
    let late_days = crate::model::policy::load(auth.db())
        .await?
        .contact_late_entry_days;
    let valid = validate(
        &mut v,
        &form,
        assigned_on,
        late_days,
        Window::Editing { late },
    );
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    v.finish(&form)?;
    let new = valid.ok_or(AppError::Internal)?;
    if let (Some(once), Some(reason)) = (&edit.once, reason) {
        let t = auth.viewer.locale.strings();
        let youth_name = youth::Entity::find_by_id(c.youth_id)
            .one(auth.db())
            .await?
            .map(|y| y.name)
            .unwrap_or_default();
        let summary = format!("{youth_name} · {} · {}", new.channel.label(t), new.content);
        let filing = crate::late::service::Filing {
            kind: LateKind::Contact,
            action: LateAction::Update,
            target: Some(c.id),
            date: days.0,
            form: &form,
            summary,
            reason,
        };
        return Ok(Outcome::Filed(
            crate::late::service::file(&auth, once, filing).await?,
        ));
    }
    let (id, youth, old_date) = (c.id, c.youth_id, c.contact_date);
    let txn = auth.db().begin().await?;
    changed(c, new).update(&txn).await?;
    roster::contacts_changed(&txn, youth).await?;
    reopen_weeks(&txn, old_date.min(new_date)).await?;
    auth.audit(&txn, "update", "contact", Some(id), String::new())
        .await?;
    txn.commit().await?;
    Ok(Outcome::Done(youth))
}

/// The change of an approved 补录申请 to its contact, marked as approved by `approver`.
/// `Ok(Err(message))` when the contact is gone or the fields no longer pass.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn update_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    let form: ContactForm = crate::late::service::fields(request)?;
    let t = locale.strings();
    let target = match request.target_id {
        Some(id) => contact::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let Some(c) = target else {
        return Ok(Err(t.err_late_target_gone.to_owned()));
    };
    let mut v = Validator::new(locale);
    let late_days = crate::model::policy::load(txn)
        .await?
        .contact_late_entry_days;
    let valid = validate(&mut v, &form, None, late_days, Window::Approved);
    let (Some(new), true) = (valid, v.is_empty()) else {
        return Ok(Err(t.err_internal.to_owned()));
    };
    let (id, youth, old_date, new_date) = (c.id, c.youth_id, c.contact_date, new.date);
    let mut am = changed(c, new);
    am.late_approved_by = Set(Some(approver));
    am.update(txn).await?;
    roster::contacts_changed(txn, youth).await?;
    reopen_weeks(txn, old_date.min(new_date)).await?;
    Ok(Ok(id))
}

/// Deletes one's own contact within 7 days; in a locked quarter, with `late=true`, files the
/// deletion as a 补录申请. Deleting twice is fine (the second is `NotFound`, nothing changes).
///
/// # Errors
/// `Forbidden`, `NotFound`; `Invalid` after 7 days, or in a locked quarter without `late`.
/// Returns the youth's id when done.
pub async fn delete(form: ContactId) -> Result<Outcome, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let late = crate::late::service::asked(&form.late);
    let mut edit =
        crate::late::service::LateEdit::new(&auth, "contacts/delete", &mut v, &form, late);
    if let Some(id) = edit.earlier().await? {
        return Ok(Outcome::Filed(id));
    }
    let c = own_contact(&auth, &form.id).await?;
    check_window(&mut v, &c);
    edit.guard(&auth, &mut v, "id", (c.contact_date, c.contact_date))
        .await?;
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    v.finish(&form)?;
    let (id, youth, date) = (c.id, c.youth_id, c.contact_date);
    if let (Some(once), Some(reason)) = (&edit.once, reason) {
        let t = auth.viewer.locale.strings();
        let youth_name = youth::Entity::find_by_id(youth)
            .one(auth.db())
            .await?
            .map(|y| y.name)
            .unwrap_or_default();
        let channel = Channel::parse(&c.channel).map_or("", |ch| ch.label(t));
        let filing = crate::late::service::Filing {
            kind: LateKind::Contact,
            action: LateAction::Delete,
            target: Some(id),
            date,
            form: &form,
            summary: format!("{youth_name} · {channel} · {}", c.content),
            reason,
        };
        return Ok(Outcome::Filed(
            crate::late::service::file(&auth, once, filing).await?,
        ));
    }
    let txn = auth.db().begin().await?;
    contact::Entity::delete_by_id(id).exec(&txn).await?;
    roster::contacts_changed(&txn, youth).await?;
    reopen_weeks(&txn, date).await?;
    auth.audit(&txn, "delete", "contact", Some(id), String::new())
        .await?;
    txn.commit().await?;
    Ok(Outcome::Done(youth))
}

/// The deletion of an approved 补录申请. `Ok(Err(message))` when the contact is gone already.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn delete_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    let target = match request.target_id {
        Some(id) => contact::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let Some(c) = target else {
        return Ok(Err(locale.strings().err_late_target_gone.to_owned()));
    };
    contact::Entity::delete_by_id(c.id).exec(txn).await?;
    roster::contacts_changed(txn, c.youth_id).await?;
    reopen_weeks(txn, c.contact_date).await?;
    Ok(Ok(c.id))
}

/// The requests not yet resolved across the viewer's roster (the youths now theirs, whoever
/// logged the request), oldest first.
///
/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn open_requests() -> Result<Vec<OpenRequest>, AppError> {
    const MAX: u64 = 500;
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mine = youth::Entity::find()
        .select_only()
        .column(youth::Column::Id)
        .filter(youth::Column::CadreId.eq(auth.viewer.id));
    let open = contact::Entity::find()
        .filter(contact::Column::YouthId.in_subquery(mine.into_query()))
        .filter(contact::Column::Request.is_not_null())
        .filter(contact::Column::RequestStatus.ne(RequestStatus::Resolved.as_str()))
        .order_by_asc(contact::Column::ContactDate)
        .order_by_asc(contact::Column::Id)
        .limit(MAX)
        .all(db)
        .await?;
    let names: HashMap<i64, String> = youth::Entity::find()
        .select_only()
        .column(youth::Column::Id)
        .column(youth::Column::Name)
        .filter(youth::Column::Id.is_in(open.iter().map(|c| c.youth_id)))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(contact_rows(db, open, auth.viewer.id, today())
        .await?
        .into_iter()
        .map(|c| OpenRequest {
            youth_name: names.get(&c.youth_id).cloned().unwrap_or_default(),
            contact: c,
        })
        .collect())
}

/// The youth's current cadre handles the request, whoever logged it.
///
/// # Errors
/// `Forbidden`, `NotFound`; `Invalid` for an unknown status or a resolution missing.
pub async fn update_request(form: RequestForm) -> Result<(), AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let id = form
        .id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    let c = contact::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.request.is_some())
        .ok_or(AppError::NotFound)?;
    own_youth(db, auth.viewer.id, c.youth_id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let status = v.choice("status", &form.status, RequestStatus::parse);
    let resolution =
        Some(v.lines("resolution", &form.resolution, 500, false)).filter(|r| !r.is_empty());
    if status == Some(RequestStatus::Resolved) && resolution.is_none() {
        v.fail(
            "resolution",
            "resolution_required",
            t.err_resolution_required,
        );
    }
    v.finish(&form)?;
    let status = status.ok_or(AppError::Internal)?;
    let mut am = c.into_active_model();
    am.request_status = Set(Some(status.as_str().to_owned()));
    if resolution.is_some() {
        am.resolution = Set(resolution);
    }
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    auth.audit(
        db,
        "request_status",
        "contact",
        Some(id),
        status.as_str().to_owned(),
    )
    .await
}
