//! Late entries on the server. A cadre's record is filed here instead of stored when its date is
//! past its late-entry window (contacts, visit days) or its quarter is approved and locked (every
//! kind, and changes and deletions too). The area validates the form as usual, apart from the
//! window or the lock, and files it with [`file`]; approving hands the stored fields back to the
//! area (`store_late` and friends), which stores the record as of its date.

use super::api::{LateDecision, LatePage, LateQuery, LateRow};
use crate::error::AppError;
use crate::model::entities::{account, late_request};
use crate::model::orgtree::OrgTree;
use crate::model::paging::Paging;
use crate::rules::{shanghai_date, Quarter};
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::validate::Validator;
use crate::types::{LateAction, LateKind, LateStatus, Role};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use serde::Serialize;

/// Rows a page of the list holds.
const PAGE_SIZE: usize = 20;

/// Whether a form asks to be filed as a late entry (`late=true`; a ticked box sends `true`).
pub fn asked(value: &str) -> bool {
    matches!(value.trim(), "true" | "on" | "1")
}

/// The reason a late entry gives (required, up to 500 characters).
pub fn reason(v: &mut Validator, value: &str) -> String {
    let t = v.t();
    let reason = v.lines("late_reason", value, 500, false);
    if reason.is_empty() && !v.has("late_reason") {
        v.fail("late_reason", "required", t.err_late_reason);
    }
    reason
}

/// Whether the cadre already has a pending late entry of this kind for this day.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn pending_on(
    db: &impl ConnectionTrait,
    cadre: i64,
    kind: LateKind,
    date: NaiveDate,
) -> Result<bool, AppError> {
    Ok(late_request::Entity::find()
        .filter(late_request::Column::CadreId.eq(cadre))
        .filter(late_request::Column::Kind.eq(kind.as_str()))
        .filter(late_request::Column::RecordDate.eq(date))
        .filter(late_request::Column::Status.eq(LateStatus::Pending.as_str()))
        .count(db)
        .await?
        > 0)
}

/// A validated late form, ready to be filed.
pub struct Filing<'f, F: Serialize> {
    pub kind: LateKind,
    pub action: LateAction,
    /// The record a change or a deletion is about.
    pub target: Option<i64>,
    pub date: NaiveDate,
    /// The form as sent (its fields are stored as they are, and read back on approval).
    pub form: &'f F,
    pub summary: String,
    pub reason: String,
}

/// Files a late entry for this request exactly once; returns its id.
///
/// # Errors
/// As [`once::Request::begin`]; a database error.
pub async fn file<F: Serialize>(
    auth: &Authorised,
    once: &once::Request<'_>,
    filing: Filing<'_, F>,
) -> Result<i64, AppError> {
    let fields = serde_json::to_string(filing.form).map_err(|_| AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let saved = late_request::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(auth.viewer.id),
        kind: Set(filing.kind.as_str().to_owned()),
        record_date: Set(filing.date),
        fields: Set(fields),
        summary: Set(filing.summary),
        reason: Set(filing.reason),
        status: Set(LateStatus::Pending.as_str().to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_comment: Set(None),
        record_id: Set(None),
        created_at: Set(Utc::now()),
        action: Set(filing.action.as_str().to_owned()),
        target_id: Set(filing.target),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    auth.audit(
        &txn,
        "request",
        "late_request",
        Some(saved.id),
        format!(
            "{} {} {}",
            filing.action.as_str(),
            filing.kind.as_str(),
            filing.date
        ),
    )
    .await?;
    once::finish(txn, once.uuid, saved.id).await?;
    Ok(saved.id)
}

/// What a change or a deletion came to: done, or filed as a 补录申请 (the quarter is locked).
pub enum Outcome {
    /// Done; the id is what the area's answer points to (the record, or its youth).
    Done(i64),
    /// Filed as this late entry.
    Filed(i64),
}

/// The late-entry part of a change or a deletion: the request (when the form is a late entry),
/// and the lock on the days it touches.
pub struct LateEdit<'a> {
    pub once: Option<once::Request<'a>>,
    pub locked: bool,
}

impl<'a> LateEdit<'a> {
    pub fn new(
        auth: &'a Authorised,
        endpoint: &'static str,
        v: &mut Validator,
        form: &(impl serde::Serialize + once::HasRequestId),
        late: bool,
    ) -> Self {
        let once = late.then(|| once::Request::new(auth, endpoint, v, form));
        LateEdit {
            once,
            locked: false,
        }
    }

    /// The late entry an earlier send of this request filed.
    ///
    /// # Errors
    /// As [`once::Request::earlier`].
    pub async fn earlier(&self) -> Result<Option<i64>, AppError> {
        match &self.once {
            Some(once) => once.earlier().await,
            None => Ok(None),
        }
    }

    /// Checks the lock on `days`; a late form where nothing is locked is refused.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn guard(
        &mut self,
        auth: &Authorised,
        v: &mut Validator,
        field: &str,
        days: (NaiveDate, NaiveDate),
    ) -> Result<(), AppError> {
        let late = self.once.is_some();
        let org = auth.viewer.org_id;
        self.locked =
            crate::model::signoff::guard_lock_only(auth.db(), v, field, org, days, late).await?;
        Ok(())
    }
}

/// Late entries whose cadre the viewer may see: a cadre's own, a supervisor's subtree.
fn visible(
    auth: &Authorised,
    scope: &std::collections::HashSet<i64>,
) -> Select<late_request::Entity> {
    let find = late_request::Entity::find();
    if auth.viewer.role == Role::Cadre {
        find.filter(late_request::Column::CadreId.eq(auth.viewer.id))
    } else {
        let cadres = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::OrgId.is_in(scope.iter().copied()))
            .into_query();
        find.filter(late_request::Column::CadreId.in_subquery(cadres))
    }
}

/// # Errors
/// `Unauthenticated`; `Invalid` for an unreadable quarter or status.
pub async fn list(query: LateQuery) -> Result<LatePage, AppError> {
    let auth = require(Role::ANYONE)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let quarter = match query.quarter.trim() {
        "" => None,
        q => {
            let parsed = Quarter::parse(q);
            if parsed.is_none() {
                v.fail("quarter", "invalid_choice", t.err_invalid_choice);
            }
            parsed
        }
    };
    let status = match query.status.trim() {
        "" if auth.viewer.role == Role::Cadre => "all",
        "" => "pending",
        s @ ("pending" | "all") => s,
        _ => {
            v.fail("status", "invalid_choice", t.err_invalid_choice);
            "all"
        }
    };
    v.finish(&query)?;
    let (tree, scope) = auth.scope().await?;
    let mut find = visible(&auth, &scope);
    if let Some(q) = quarter {
        find = find.filter(late_request::Column::RecordDate.between(q.start(), q.end()));
    }
    let pending = find
        .clone()
        .filter(late_request::Column::Status.eq(LateStatus::Pending.as_str()))
        .count(db)
        .await?;
    let find = if status == "pending" {
        find.filter(late_request::Column::Status.eq(LateStatus::Pending.as_str()))
            .order_by_asc(late_request::Column::CreatedAt)
    } else {
        find.order_by_desc(late_request::Column::CreatedAt)
    }
    .order_by_asc(late_request::Column::Id);
    let total = find.clone().count(db).await?;
    let paging = Paging::new(
        &query.page,
        usize::try_from(total).unwrap_or(usize::MAX),
        PAGE_SIZE,
    );
    let models = find
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?;
    Ok(LatePage {
        items: rows(db, models, &tree).await?,
        page: paging.page,
        pages: paging.pages,
        total,
        pending,
        status: status.to_owned(),
        quarter: quarter.map(|q| q.key()).unwrap_or_default(),
    })
}

async fn rows(
    db: &impl ConnectionTrait,
    models: Vec<late_request::Model>,
    tree: &OrgTree,
) -> Result<Vec<LateRow>, AppError> {
    let mut ids: Vec<i64> = models.iter().map(|r| r.cadre_id).collect();
    ids.extend(models.iter().filter_map(|r| r.decided_by));
    let accounts: std::collections::HashMap<i64, account::Model> = account::Entity::find()
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
        .map(|r| LateRow {
            id: r.id,
            kind: LateKind::parse(&r.kind),
            action: LateAction::parse(&r.action),
            target_id: r.target_id,
            cadre_id: r.cadre_id,
            cadre_name: name(r.cadre_id),
            org_name: accounts
                .get(&r.cadre_id)
                .and_then(|a| tree.get(a.org_id))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            record_date: r.record_date,
            summary: r.summary,
            reason: r.reason,
            status: LateStatus::parse(&r.status),
            decided_by: r.decided_by.map(name),
            decided_on: r.decided_at.map(shanghai_date),
            comment: r.decision_comment,
            filed_on: shanghai_date(r.created_at),
            record_id: r.record_id,
        })
        .collect())
}

/// The records of `quarter` by cadres of `orgs` that approved late entries changed after
/// `since` (an approval of the quarter): newest first.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn changes(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    orgs: &std::collections::HashSet<i64>,
    quarter: Quarter,
    since: chrono::DateTime<Utc>,
) -> Result<Vec<LateRow>, AppError> {
    let cadres = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::OrgId.is_in(orgs.iter().copied()))
        .into_query();
    let models = late_request::Entity::find()
        .filter(late_request::Column::CadreId.in_subquery(cadres))
        .filter(late_request::Column::Status.eq(LateStatus::Approved.as_str()))
        .filter(late_request::Column::RecordDate.between(quarter.start(), quarter.end()))
        .filter(late_request::Column::DecidedAt.gt(since))
        .order_by_desc(late_request::Column::DecidedAt)
        .order_by_desc(late_request::Column::Id)
        .all(db)
        .await?;
    rows(db, models, tree).await
}

/// A supervisor of the cadre's organisation (or above) approves or declines a pending late
/// entry. Approving stores the record through its area, as of its date; if it can no longer be
/// stored (a visit day for that date has been logged since), nothing changes and the decision
/// says why.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` outside the subtree; `Invalid` for a decided request, an
/// unknown decision, a decline without a comment, or a record that cannot be stored.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn decide(form: LateDecision) -> Result<(), AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "late/decide", &mut v, &form);
    if once.earlier().await?.is_some() {
        return Ok(());
    }
    let id = crate::ssr::record_id(&form.id)?;
    let request = late_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (tree, _) = auth.scope().await?;
    auth.cadre_in_scope(&tree, request.cadre_id).await?;
    let decision = v.choice("decision", &form.decision, |d| match d {
        "approve" => Some(LateStatus::Approved),
        "decline" => Some(LateStatus::Declined),
        _ => None,
    });
    let comment = v.lines("comment", &form.comment, 500, false);
    if decision == Some(LateStatus::Declined) && comment.is_empty() {
        v.fail("comment", "required", t.err_review_comment);
    }
    if request.status != LateStatus::Pending.as_str() {
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
    // Decided once: of two supervisors deciding at the same moment, the second finds it taken.
    let taken = late_request::Entity::update_many()
        .col_expr(late_request::Column::Status, Expr::value(decision.as_str()))
        .col_expr(late_request::Column::DecidedBy, Expr::value(auth.viewer.id))
        .col_expr(late_request::Column::DecidedAt, Expr::value(Utc::now()))
        .col_expr(
            late_request::Column::DecisionComment,
            Expr::value((!comment.is_empty()).then_some(comment)),
        )
        .filter(late_request::Column::Id.eq(id))
        .filter(late_request::Column::Status.eq(LateStatus::Pending.as_str()))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        txn.rollback().await?;
        return refuse(&auth, &form, t.err_already_decided.to_owned());
    }
    let mut details = decision.as_str().to_owned();
    if decision == LateStatus::Approved {
        let stored = store(&txn, &request, auth.viewer.id, auth.viewer.locale).await?;
        let record = match stored {
            Ok(record) => record,
            Err(message) => {
                txn.rollback().await?;
                return refuse(&auth, &form, message);
            }
        };
        late_request::Entity::update_many()
            .col_expr(late_request::Column::RecordId, Expr::value(record))
            .filter(late_request::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        details = format!(
            "approve {} {} {} → {record}",
            request.action, request.kind, request.record_date
        );
    }
    auth.audit(&txn, "decide", "late_request", Some(id), details)
        .await?;
    once::finish(txn, once.uuid, id).await
}

/// Carries out an approved request through its record's area: `Ok(Err(message))` when it can
/// no longer be (the record was deleted since, or the day has a visit logged since).
async fn store(
    txn: &impl ConnectionTrait,
    request: &late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    use crate::{contacts, exemptions, study, suggestions, visits};
    let (Some(kind), Some(action)) = (
        LateKind::parse(&request.kind),
        LateAction::parse(&request.action),
    ) else {
        return Err(AppError::Internal);
    };
    match (kind, action) {
        (LateKind::Contact, LateAction::Create) => {
            contacts::service::store_late(txn, request, approver, locale).await
        }
        (LateKind::Contact, LateAction::Update) => {
            contacts::service::update_late(txn, request, approver, locale).await
        }
        (LateKind::Contact, LateAction::Delete) => {
            contacts::service::delete_late(txn, request, locale).await
        }
        (LateKind::VisitDay, LateAction::Create) => {
            visits::service::store_late(txn, request, approver, locale).await
        }
        (LateKind::Study, LateAction::Create) => {
            study::service::store_late(txn, request, approver, locale).await
        }
        (LateKind::Suggestion, LateAction::Create) => {
            suggestions::service::store_late(txn, request, approver, locale).await
        }
        (LateKind::Suggestion, LateAction::Update) => {
            suggestions::service::revise_late(txn, request, approver, locale).await
        }
        (LateKind::Leave, LateAction::Create) => {
            exemptions::service::store_late(txn, request, approver, locale).await
        }
        // Never filed: the areas file only the pairs above.
        _ => Err(AppError::Internal),
    }
}

/// The 422 for a decision that cannot be carried out, on the `decision` field.
fn refuse(auth: &Authorised, form: &LateDecision, message: String) -> Result<(), AppError> {
    let mut v = Validator::new(auth.viewer.locale);
    v.fail("decision", "cannot_store", message);
    v.finish(form)
}

/// The fields of a filed late entry, as its area's form.
///
/// # Errors
/// `Internal` for fields that no longer read as the form (never written so).
pub fn fields<F: serde::de::DeserializeOwned>(
    request: &late_request::Model,
) -> Result<F, AppError> {
    serde_json::from_str(&request.fields).map_err(|_| AppError::Internal)
}
