//! Rights requests on the server: recording them with their due date, and acting on them.

use super::api::{ActForm, FoundYouth, PiForm, PiPage, PiRow};
use crate::error::AppError;
use crate::model::entities::{pi_request, youth};
use crate::model::orgtree::OrgTree;
use crate::model::paging::Paging;
use crate::model::{names, policy, privacy, youth as rules};
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::{search_text, Validator};
use crate::types::{mask_phone, mask_wechat, Gender, PiAction, PiKind, PiStatus, Role};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

const PAGE_SIZE: usize = 30;
pub const NOTE_MAX: usize = 1_000;

/// The statuses a list may be filtered by.
const FILTERS: [&str; 5] = ["", "open", "overdue", "done", "refused"];

/// # Errors
/// `Forbidden` for anyone but the system administrator.
pub async fn list(status: &str, page: &str) -> Result<PiPage, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let today = today();
    let status = FILTERS
        .into_iter()
        .find(|f| *f == status.trim())
        .unwrap_or("")
        .to_owned();
    let open_q =
        pi_request::Entity::find().filter(pi_request::Column::Status.eq(PiStatus::Open.as_str()));
    let open = open_q.clone().count(db).await?;
    let overdue = open_q
        .clone()
        .filter(pi_request::Column::DueOn.lt(today))
        .count(db)
        .await?;
    let mut q = pi_request::Entity::find();
    q = match status.as_str() {
        "open" => q.filter(pi_request::Column::Status.eq(PiStatus::Open.as_str())),
        "overdue" => q
            .filter(pi_request::Column::Status.eq(PiStatus::Open.as_str()))
            .filter(pi_request::Column::DueOn.lt(today)),
        "done" => q.filter(pi_request::Column::Status.eq(PiStatus::Done.as_str())),
        "refused" => q.filter(pi_request::Column::Status.eq(PiStatus::Refused.as_str())),
        _ => q,
    };
    let matching = usize::try_from(q.clone().count(db).await?).unwrap_or(0);
    let paging = Paging::new(page, matching, PAGE_SIZE);
    // Open requests first, the soonest due first; then the rest, newest first.
    let rows = q
        .order_by_asc(Expr::cust("CASE WHEN status = 'open' THEN 0 ELSE 1 END"))
        .order_by_asc(Expr::cust(
            "CASE WHEN status = 'open' THEN due_on ELSE NULL END",
        ))
        .order_by_desc(pi_request::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?;
    let youths: std::collections::HashMap<i64, youth::Model> = youth::Entity::find()
        .filter(youth::Column::Id.is_in(rows.iter().map(|r| r.youth_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|y| (y.id, y))
        .collect();
    Ok(PiPage {
        rows: rows
            .into_iter()
            .map(|r| {
                let y = youths.get(&r.youth_id);
                let status = PiStatus::parse(&r.status).unwrap_or(PiStatus::Open);
                let days_left = (r.due_on - today).num_days();
                PiRow {
                    id: r.id,
                    youth_id: r.youth_id,
                    youth_name: y.map(|y| y.name.clone()).unwrap_or_default(),
                    phone: y.map(|y| mask_phone(&y.phone)).unwrap_or_default(),
                    kind: PiKind::parse(&r.kind).unwrap_or(PiKind::Copy),
                    received_on: r.received_on,
                    due_on: r.due_on,
                    overdue: status == PiStatus::Open && days_left < 0,
                    days_left,
                    status,
                    action: r.action,
                    comment: r.comment,
                    note: r.note,
                    anonymised: y.is_some_and(|y| y.anonymised_at.is_some()),
                    withdrawn: y.is_some_and(|y| y.withdrawn_on.is_some()),
                }
            })
            .collect(),
        page: paging.page,
        pages: paging.pages,
        status,
        open,
        overdue,
        today,
    })
}

/// # Errors
/// `Forbidden`.
pub async fn find(q: &str) -> Result<Vec<FoundYouth>, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let q = search_text(q, 30);
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let phone = rules::phone(&q);
    let mut find = youth::Entity::find().filter(youth::Column::AnonymisedAt.is_null());
    find = if rules::is_mobile(&phone) {
        find.filter(youth::Column::Phone.eq(phone))
    } else {
        find.filter(youth::Column::Name.contains(q.as_str()))
    };
    let found = find
        .order_by_asc(youth::Column::Name)
        .order_by_asc(youth::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let tree = OrgTree::load(db).await?;
    let cadres = names::accounts(db, found.iter().filter_map(|y| y.cadre_id)).await?;
    Ok(found
        .into_iter()
        .map(|y| FoundYouth {
            id: y.id,
            phone: mask_phone(&y.phone),
            wechat: y.wechat.as_deref().map(mask_wechat),
            workplace: y
                .org_id
                .and_then(|o| tree.get(o).map(|o| o.name.clone()))
                .or(y.workplace.clone())
                .unwrap_or_default(),
            cadre: y
                .cadre_id
                .and_then(|c| cadres.get(&c).cloned())
                .unwrap_or_default(),
            withdrawn: y.withdrawn_on.is_some(),
            held: y.legal_hold.is_some(),
            name: y.name,
        })
        .collect())
}

/// The day a request received on `received` is due, by the work calendar.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn due_on(db: &impl ConnectionTrait, received: NaiveDate) -> Result<NaiveDate, AppError> {
    // Fifteen working days fit in two months whatever the holidays.
    let calendar = policy::calendar(db, received, received + Duration::days(62)).await?;
    Ok(privacy::due_on(
        received,
        privacy::DUE_WORKING_DAYS,
        &calendar,
    ))
}

/// # Errors
/// `Forbidden`; `Invalid` for an unknown youth, kind or date.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: PiForm) -> Result<i64, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "pi-requests/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let t = v.t();
    let today = today();
    let youth_id = v.id("youth_id", &form.youth_id);
    let youth = match youth_id {
        Some(id) => youth::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    if youth_id.is_some() && youth.is_none() {
        v.fail("youth_id", "not_found", t.err_not_found);
    }
    if youth.as_ref().is_some_and(|y| y.anonymised_at.is_some()) {
        v.fail("youth_id", "anonymised", t.err_pi_anonymised);
    }
    let kind = v.choice("kind", &form.kind, PiKind::parse);
    let received_on = match form.received_on.trim() {
        "" => Some(today),
        raw => v.date("received_on", raw),
    };
    if received_on.is_some_and(|d| d > today) {
        v.fail("received_on", "date_future", t.err_date_future);
    }
    let note = v.lines("note", &form.note, NOTE_MAX, false);
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (youth, kind, received_on) = (
        youth.ok_or(AppError::Internal)?,
        kind.ok_or(AppError::Internal)?,
        received_on.ok_or(AppError::Internal)?,
    );
    let due = due_on(db, received_on).await?;
    let record = pi_request::ActiveModel {
        uuid: Set(once.uuid),
        youth_id: Set(youth.id),
        kind: Set(kind.as_str().to_owned()),
        received_on: Set(received_on),
        due_on: Set(due),
        note: Set(note),
        status: Set(PiStatus::Open.as_str().to_owned()),
        created_by: Set(Some(auth.viewer.id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    match once
        .insert(
            record,
            |m| m.id,
            "pi_request",
            format!("youth={} kind={} due={due}", youth.id, kind.as_str()),
        )
        .await?
    {
        Ok(id) => Ok(id),
        Err(once::Conflict) => Err(AppError::Internal),
    }
}

/// Which actions fit which requests: a copy for access, a correction, anonymisation for
/// deletion; a refusal (with its reason) for any. A withdrawal is recorded on the youth
/// (`youth/withdraw`), which closes its request.
pub fn fits(kind: PiKind, action: PiAction) -> bool {
    matches!(
        (kind, action),
        (PiKind::Copy, PiAction::Copy)
            | (PiKind::Correct, PiAction::Correct)
            | (PiKind::Delete, PiAction::Anonymise)
            | (_, PiAction::Refuse)
    )
}

/// # Errors
/// `Forbidden`; `NotFound` for an unknown request; `Invalid` for an action that does not fit,
/// a request already dealt with, a refusal without its reason, a bad correction.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn act(form: ActForm) -> Result<i64, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "pi-requests/act", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let id = crate::ssr::record_id(&form.id)?;
    let request = pi_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let y = youth::Entity::find_by_id(request.youth_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = v.t();
    let kind = PiKind::parse(&request.kind).unwrap_or(PiKind::Copy);
    let action = v.choice("action", &form.action, PiAction::parse);
    if request.status != PiStatus::Open.as_str() {
        v.fail("action", "closed", t.err_pi_closed);
    } else if action.is_some_and(|a| !fits(kind, a)) {
        v.fail("action", "action_kind", t.err_pi_action_kind);
    } else if y.anonymised_at.is_some() && action != Some(PiAction::Refuse) {
        v.fail("action", "anonymised", t.err_pi_anonymised);
    } else if action == Some(PiAction::Anonymise) && y.legal_hold.is_some() {
        v.fail("action", "legal_hold", t.err_pi_held);
    }
    let comment = v.lines("comment", &form.comment, privacy::REASON_MAX * 5, false);
    if action == Some(PiAction::Refuse) && comment.is_empty() && !v.has("comment") {
        v.fail("comment", "reason_required", t.err_pi_refuse_reason);
    }
    let correction = if action == Some(PiAction::Correct) {
        correction(db, &mut v, &form, &y).await?
    } else {
        None
    };
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let action = action.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let mut details = format!("youth={} action={}", y.id, action.as_str());
    match action {
        PiAction::Correct => {
            let (am, changed) = correction.ok_or(AppError::Internal)?;
            am.update(&txn).await?;
            details.push_str(&format!(" fields={}", changed.join(",")));
        }
        PiAction::Anonymise => {
            privacy::anonymise(&txn, y.id, today()).await?;
        }
        PiAction::Copy | PiAction::Refuse => {}
    }
    let status = if action == PiAction::Refuse {
        PiStatus::Refused
    } else {
        PiStatus::Done
    };
    let closed = pi_request::Entity::update_many()
        .col_expr(pi_request::Column::Status, Expr::value(status.as_str()))
        .col_expr(pi_request::Column::Action, Expr::value(action.as_str()))
        .col_expr(
            pi_request::Column::Comment,
            Expr::value((!comment.is_empty()).then_some(comment)),
        )
        .col_expr(pi_request::Column::ActedBy, Expr::value(auth.viewer.id))
        .col_expr(pi_request::Column::ActedAt, Expr::value(Utc::now()))
        .filter(pi_request::Column::Id.eq(request.id))
        // Another hand on the same request at the same moment: only one closes it.
        .filter(pi_request::Column::Status.eq(PiStatus::Open.as_str()))
        .exec(&txn)
        .await?;
    if closed.rows_affected == 0 {
        txn.rollback().await?;
        let mut v = Validator::new(auth.viewer.locale);
        v.fail("action", "closed", t.err_pi_closed);
        v.finish(&form)?;
        return Err(AppError::Internal);
    }
    auth.audit(&txn, "pi_act", "pi_request", Some(request.id), details)
        .await?;
    once::finish(txn, once.uuid, request.id).await?;
    Ok(request.id)
}

/// The corrected youth and the names of the fields that change; `None` when a field failed.
async fn correction(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    form: &ActForm,
    y: &youth::Model,
) -> Result<Option<(youth::ActiveModel, Vec<&'static str>)>, AppError> {
    let t = v.t();
    let mut am: youth::ActiveModel = y.clone().into();
    let mut changed = Vec::new();
    if !form.name.trim().is_empty() {
        let name = v.text("name", &form.name, rules::NAME_MAX, true);
        if name != y.name {
            am.name = Set(name);
            changed.push("name");
        }
    }
    if !form.gender.trim().is_empty() {
        if let Some(g) = v.choice("gender", &form.gender, Gender::parse) {
            if g.as_str() != y.gender {
                am.gender = Set(g.as_str().to_owned());
                changed.push("gender");
            }
        }
    }
    let years = rules::birth_years(today().year());
    if let Some(year) = v.optional_int("birth_year", &form.birth_year, *years.start(), *years.end())
    {
        if Some(year) != y.birth_year {
            am.birth_year = Set(Some(year));
            changed.push("birth_year");
        }
    }
    if let Some(month) = v.optional_int("birth_month", &form.birth_month, 1, 12) {
        let month = i16::try_from(month).ok();
        if month != y.birth_month {
            am.birth_month = Set(month);
            changed.push("birth_month");
        }
    }
    if !form.phone.trim().is_empty() {
        if let Some(phone) = v.phone("phone", &form.phone, true) {
            if phone != y.phone {
                if !rules::holders_of(db, &phone, Some(y.id)).await?.is_empty() {
                    v.fail("phone", "phone_taken", t.err_phone_elsewhere);
                } else {
                    am.phone = Set(phone);
                    changed.push("phone");
                }
            }
        }
    }
    if let Some(wechat) = v.optional_text("wechat", &form.wechat, rules::WECHAT_MAX) {
        if Some(&wechat) != y.wechat.as_ref() {
            am.wechat = Set(Some(wechat));
            changed.push("wechat");
        }
    }
    if let Some(workplace) = v.optional_text("workplace", &form.workplace, rules::WORKPLACE_MAX) {
        if Some(&workplace) != y.workplace.as_ref() {
            am.workplace = Set(Some(workplace));
            changed.push("workplace");
        }
    }
    if changed.is_empty() && v.is_empty() {
        v.fail("name", "nothing_to_correct", t.err_nothing_to_correct);
    }
    am.updated_at = Set(Utc::now());
    Ok((v.is_empty()).then_some((am, changed)))
}

/// `GET /pi-requests/<id>/copy?format=json|xlsx`: the copy of everything held about the
/// request's youth, for the system administrator (anyone else: 404), each download audited.
/// Answers the bytes, a file name and the content type.
///
/// # Errors
/// `NotFound`; a database error as `Internal`.
pub async fn copy_file(
    db: &sea_orm::DatabaseConnection,
    viewer: &crate::types::Viewer,
    ip: Option<String>,
    id: &str,
    format: &str,
) -> Result<(Vec<u8>, String, &'static str), AppError> {
    if viewer.role != Role::Sysadmin {
        return Err(AppError::NotFound);
    }
    let id = crate::ssr::record_id(id)?;
    let request = pi_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let copy = super::copy::gather(db, request.youth_id).await?;
    let xlsx = format == "xlsx";
    let bytes = if xlsx {
        super::copy::to_xlsx(&copy).map_err(|e| {
            tracing::error!(error = %e, "copy workbook not written");
            AppError::Internal
        })?
    } else {
        super::copy::to_json(&copy)
    };
    crate::ssr::audit::record(
        db,
        crate::ssr::audit::Entry {
            actor_id: Some(viewer.id),
            role: Some(viewer.role),
            action: "pi_copy",
            entity: "pi_request",
            entity_id: Some(request.id),
            details: format!(
                "youth={} format={}",
                request.youth_id,
                if xlsx { "xlsx" } else { "json" }
            ),
            ip,
            result: crate::ssr::audit::Outcome::Success,
        },
    )
    .await?;
    let name = format!(
        "个人信息副本-{}-{}.{}",
        request.youth_id,
        today(),
        if xlsx { "xlsx" } else { "json" }
    );
    let content_type = if xlsx {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "application/json; charset=utf-8"
    };
    Ok((bytes, name, content_type))
}
