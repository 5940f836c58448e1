//! Exemptions on the server.

use super::api::{DecisionForm, ExemptionForm, ExemptionQueue, ExemptionRow, MyExemptions};
use crate::error::AppError;
use crate::model::entities::{account, exemption};
use crate::model::orgtree::OrgTree;
use crate::model::signoff;
use crate::rules::{shanghai_date, Quarter, Week};
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{ExemptionReason, ExemptionStatus};
use crate::types::{LateAction, LateKind, Role};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use std::collections::HashMap;

/// The longest exemption one request may ask for.
const MAX_DAYS: i64 = 92;
/// How far ahead a request may start.
const AHEAD_DAYS: i64 = 180;

/// Rows for display, with the names they need.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn rows(
    db: &impl ConnectionTrait,
    models: Vec<exemption::Model>,
    tree: &OrgTree,
) -> Result<Vec<ExemptionRow>, AppError> {
    let mut ids: Vec<i64> = models.iter().map(|e| e.cadre_id).collect();
    ids.extend(models.iter().filter_map(|e| e.decided_by));
    let accounts: HashMap<i64, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let name = |id: i64| {
        accounts
            .get(&id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    Ok(models
        .into_iter()
        .map(|e| ExemptionRow {
            id: e.id,
            cadre_id: e.cadre_id,
            cadre_name: name(e.cadre_id),
            org_name: accounts
                .get(&e.cadre_id)
                .and_then(|a| tree.get(a.org_id))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            start_date: e.start_date,
            end_date: e.end_date,
            reason: ExemptionReason::parse(&e.reason),
            note: e.note,
            status: ExemptionStatus::parse(&e.status),
            decided_by: e.decided_by.map(name),
            decided_on: e.decided_at.map(shanghai_date),
            comment: e.decision_comment,
            requested_on: shanghai_date(e.created_at),
        })
        .collect())
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn mine() -> Result<MyExemptions, AppError> {
    let auth = require(Role::CADRES)?;
    let (tree, _) = auth.scope().await?;
    let models = exemption::Entity::find()
        .filter(exemption::Column::CadreId.eq(auth.viewer.id))
        .order_by_desc(exemption::Column::StartDate)
        .all(auth.db())
        .await?;
    Ok(MyExemptions {
        items: rows(auth.db(), models, &tree).await?,
        earliest: earliest(today()),
    })
}

/// The first day leave may still be filed for: the first day of the earliest quarter still
/// open — today's own, or the one today's week counts in when that is earlier — or the Monday
/// of that quarter's first week when earlier still (the week of 28 September counts in Q4 by
/// its Thursday, and so does leave in it). On Friday 1 January 2027 the week still counts in
/// Q4, so Q4's leave can be filed until that week ends; on Wednesday 31 March 2027 the week
/// counts in Q2 already, but Q1 is still running, so Q1's leave can be filed to its last day.
fn earliest(today: NaiveDate) -> NaiveDate {
    let from = |quarter: Quarter| {
        quarter
            .weeks()
            .first()
            .map_or(quarter.start(), |w| w.monday().min(quarter.start()))
    };
    from(Quarter::of(Week::of(today).thursday())).min(from(Quarter::of(today)))
}

/// A cadre asks for an exemption. Past dates back to the Monday of the quarter's first week are
/// allowed (sick leave is often filed afterwards); a request may not overlap another pending or approved one.
///
/// # Errors
/// `Forbidden` for anyone but cadres; `Invalid` for bad dates, an overlap or bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn request(form: ExemptionForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "exemptions/request", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let today = today();
    let earliest = earliest(today);
    let start = v.date("start_date", &form.start_date);
    let end = v.date("end_date", &form.end_date);
    if let Some(s) = start {
        if s < earliest {
            v.fail("start_date", "date_too_old", t.err_exemption_too_old);
        } else if s > today + Duration::days(AHEAD_DAYS) {
            v.fail("start_date", "date_too_far", t.err_date_too_far);
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            v.fail("end_date", "end_before_start", t.err_end_before_start);
        } else if (e - s).num_days() + 1 > MAX_DAYS {
            v.fail("end_date", "too_long", t.err_exemption_too_long);
        }
    }
    let late = crate::late::service::asked(&form.late);
    if let (Some(s), Some(e)) = (start, end) {
        let org = auth.viewer.org_id;
        let days = (s, e.max(s));
        signoff::guard_lock_only(auth.db(), &mut v, "start_date", org, days, late).await?;
    }
    let reason = v.choice("reason", &form.reason, ExemptionReason::parse);
    let note = v.lines("note", &form.note, 500, false);
    let late_reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(start), Some(end), Some(reason)) = (start, end, reason) else {
        return Err(AppError::Internal);
    };
    if let Some(late_reason) = late_reason {
        let filing = crate::late::service::Filing {
            kind: LateKind::Leave,
            action: LateAction::Create,
            target: None,
            date: start,
            form: &form,
            summary: format!("{start} – {end} · {} · {note}", reason.label(t)),
            reason: late_reason,
        };
        return crate::late::service::file(&auth, &once, filing).await;
    }
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    // One request at a time per cadre: the account's row is the lock (PostgreSQL; SQLite
    // already holds its one write lock since the request id was taken).
    account::Entity::find_by_id(auth.viewer.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let overlapping = exemption::Entity::find()
        .filter(exemption::Column::CadreId.eq(auth.viewer.id))
        .filter(exemption::Column::Status.ne(ExemptionStatus::Declined.as_str()))
        .filter(exemption::Column::StartDate.lte(end))
        .filter(exemption::Column::EndDate.gte(start))
        .one(&txn)
        .await?;
    if let Some(other) = overlapping {
        txn.rollback().await?;
        let mut v = Validator::new(auth.viewer.locale);
        v.fail(
            "start_date",
            "overlap",
            crate::i18n::fill(
                t.err_exemption_overlap,
                &[
                    ("start", &other.start_date.to_string()),
                    ("end", &other.end_date.to_string()),
                ],
            ),
        );
        return v.finish(&form).map(|()| 0);
    }
    let saved = exemption::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(auth.viewer.id),
        start_date: Set(start),
        end_date: Set(end),
        reason: Set(reason.as_str().to_owned()),
        note: Set(note),
        status: Set(ExemptionStatus::Pending.as_str().to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_comment: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    auth.audit(
        &txn,
        "request",
        "exemption",
        Some(saved.id),
        format!("{start}..{end} {}", reason.as_str()),
    )
    .await?;
    once::finish(txn, once.uuid, saved.id).await?;
    Ok(saved.id)
}

/// Stores the leave of an approved 补录申请 as approved by `approver` (deciding the 补录申请
/// decides the leave). `Ok(Err(message))` when it now overlaps another.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn store_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    let form: ExemptionForm = crate::late::service::fields(request)?;
    let mut v = Validator::new(locale);
    let t = v.t();
    let start = v.date("start_date", &form.start_date);
    let end = v.date("end_date", &form.end_date);
    let reason = v.choice("reason", &form.reason, ExemptionReason::parse);
    let note = v.lines("note", &form.note, 500, false);
    let (Some(start), Some(end), Some(reason), true) = (start, end, reason, v.is_empty()) else {
        return Ok(Err(t.err_internal.to_owned()));
    };
    let overlapping = exemption::Entity::find()
        .filter(exemption::Column::CadreId.eq(request.cadre_id))
        .filter(exemption::Column::Status.ne(ExemptionStatus::Declined.as_str()))
        .filter(exemption::Column::StartDate.lte(end))
        .filter(exemption::Column::EndDate.gte(start))
        .one(txn)
        .await?;
    if let Some(other) = overlapping {
        return Ok(Err(crate::i18n::fill(
            t.err_exemption_overlap,
            &[
                ("start", &other.start_date.to_string()),
                ("end", &other.end_date.to_string()),
            ],
        )));
    }
    let now = Utc::now();
    let saved = exemption::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        cadre_id: Set(request.cadre_id),
        start_date: Set(start),
        end_date: Set(end),
        reason: Set(reason.as_str().to_owned()),
        note: Set(note),
        status: Set(ExemptionStatus::Approved.as_str().to_owned()),
        decided_by: Set(Some(approver)),
        decided_at: Set(Some(now)),
        decision_comment: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    crate::compliance::service::reopen_weeks(txn, start).await?;
    Ok(Ok(saved.id))
}

/// A supervisor approves or declines a pending request.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` outside the subtree; `Invalid` for a decided request, an
/// unknown decision or a decline without a reason.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn decide(form: DecisionForm) -> Result<(), AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "exemptions/decide", &mut v, &form);
    if once.earlier().await?.is_some() {
        return Ok(());
    }
    let id = crate::ssr::record_id(&form.id)?;
    let e = exemption::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (tree, _) = auth.scope().await?;
    auth.cadre_in_scope(&tree, e.cadre_id).await?;
    let decision = v.choice("decision", &form.decision, |d| match d {
        "approve" => Some(ExemptionStatus::Approved),
        "decline" => Some(ExemptionStatus::Declined),
        _ => None,
    });
    let comment = v.lines("comment", &form.comment, 500, false);
    if decision == Some(ExemptionStatus::Declined) && comment.is_empty() {
        v.fail("comment", "required", t.err_review_comment);
    }
    if e.status != ExemptionStatus::Pending.as_str() {
        v.fail("decision", "decided", t.err_already_decided);
    }
    if once.settled(&v).await?.is_some() {
        return Ok(());
    }
    v.finish(&form)?;
    let decision = decision.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(_) => return Ok(()),
        once::Begun::Fresh(txn) => txn,
    };
    if decision == ExemptionStatus::Approved {
        // Leave reaching back into a closed week changes that week's judgement.
        crate::compliance::service::reopen_weeks(&txn, e.start_date).await?;
    }
    let mut am = e.into_active_model();
    am.status = Set(decision.as_str().to_owned());
    am.decided_by = Set(Some(auth.viewer.id));
    am.decided_at = Set(Some(Utc::now()));
    am.decision_comment = Set((!comment.is_empty()).then_some(comment));
    am.update(&txn).await?;
    auth.audit(
        &txn,
        "decide",
        "exemption",
        Some(id),
        decision.as_str().to_owned(),
    )
    .await?;
    once::finish(txn, once.uuid, id).await
}

/// # Errors
/// `Forbidden` for cadres.
pub async fn queue() -> Result<ExemptionQueue, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let (tree, scope) = auth.scope().await?;
    let cadres = || {
        account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::OrgId.is_in(scope.iter().copied()))
            .into_query()
    };
    let pending = exemption::Entity::find()
        .filter(exemption::Column::CadreId.in_subquery(cadres()))
        .filter(exemption::Column::Status.eq(ExemptionStatus::Pending.as_str()))
        .order_by_asc(exemption::Column::StartDate)
        .all(db)
        .await?;
    let decided = exemption::Entity::find()
        .filter(exemption::Column::CadreId.in_subquery(cadres()))
        .filter(exemption::Column::Status.ne(ExemptionStatus::Pending.as_str()))
        .order_by_desc(exemption::Column::DecidedAt)
        .limit(30)
        .all(db)
        .await?;
    Ok(ExemptionQueue {
        pending: rows(db, pending, &tree).await?,
        decided: rows(db, decided, &tree).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::earliest;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn leave_goes_back_to_the_quarters_first_week_or_its_first_day() {
        // Q4 2026's first week begins on Monday 28 September.
        assert_eq!(earliest(d("2026-12-01")), d("2026-09-28"));
        // 1 January 2027 is the Friday of a week that counts in Q4: Q4 is still open.
        assert_eq!(earliest(d("2027-01-01")), d("2026-09-28"));
        assert_eq!(earliest(d("2027-01-03")), d("2026-09-28"));
        // From the Monday after, Q1 is the quarter, and its own first days still count.
        assert_eq!(earliest(d("2027-01-04")), d("2027-01-01"));
        // 31 March 2027's week counts in Q2, but Q1 runs to its last day.
        assert_eq!(earliest(d("2027-03-31")), d("2027-01-01"));
        assert_eq!(earliest(d("2027-04-01")), d("2027-03-29"));
        assert_eq!(earliest(d("2027-02-10")), d("2027-01-01"));
    }
}
