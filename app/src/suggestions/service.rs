//! Suggestions on the server.

use super::api::{
    Coverage, Queue, QueueQuery, ReviewForm, ReviewLine, ReviseForm, SuggestionForm, SuggestionRow,
    SuggestionsPage,
};
use crate::error::AppError;
use crate::late::service::Outcome;
use crate::model::entities::{account, suggestion, suggestion_review};
use crate::model::orgtree::OrgTree;
use crate::model::paging::Paging;
use crate::model::signoff;
use crate::rules::{shanghai_date, Quarter};
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{LateAction, LateKind, Role};
use crate::types::{ReviewAction, SuggestionKind, SuggestionStatus};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use std::collections::{HashMap, HashSet};

/// Rows for display, with each one's review history and the names it needs (three queries
/// whatever the number of suggestions).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn rows(
    db: &impl ConnectionTrait,
    models: Vec<suggestion::Model>,
    tree: &OrgTree,
) -> Result<Vec<SuggestionRow>, AppError> {
    let ids: Vec<i64> = models.iter().map(|s| s.id).collect();
    let mut reviews: HashMap<i64, Vec<suggestion_review::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for r in suggestion_review::Entity::find()
            .filter(suggestion_review::Column::SuggestionId.is_in(chunk.iter().copied()))
            .order_by_asc(suggestion_review::Column::Id)
            .all(db)
            .await?
        {
            reviews.entry(r.suggestion_id).or_default().push(r);
        }
    }
    let mut people: HashSet<i64> = models.iter().map(|s| s.cadre_id).collect();
    people.extend(reviews.values().flatten().map(|r| r.reviewer_id));
    let people: Vec<i64> = people.into_iter().collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in people.chunks(500) {
        names.extend(crate::model::names::accounts(db, chunk.iter().copied()).await?);
    }
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(models
        .into_iter()
        .map(|s| SuggestionRow {
            id: s.id,
            cadre_id: s.cadre_id,
            cadre_name: name(s.cadre_id),
            org_id: s.org_id,
            org_name: tree
                .get(s.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            quarter: Quarter::new(s.year, u32::try_from(s.quarter).unwrap_or(1))
                .unwrap_or(Quarter { year: s.year, q: 1 }),
            kind: SuggestionKind::parse(&s.kind),
            title: s.title,
            description: s.description,
            status: SuggestionStatus::parse(&s.status),
            review_comment: s.review_comment,
            created_on: shanghai_date(s.created_at),
            revision: s.revision,
            reviews: reviews
                .remove(&s.id)
                .unwrap_or_default()
                .into_iter()
                .map(|r| ReviewLine {
                    on: shanghai_date(r.created_at),
                    reviewer_name: name(r.reviewer_id),
                    action: ReviewAction::parse(&r.action),
                    status_after: SuggestionStatus::parse(&r.status_after),
                    comment: r.comment,
                })
                .collect(),
        })
        .collect())
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn page() -> Result<SuggestionsPage, AppError> {
    let auth = require(Role::CADRES)?;
    let (tree, _) = auth.scope().await?;
    let quarter = Quarter::of(today());
    let mine = suggestion::Entity::find()
        .filter(suggestion::Column::CadreId.eq(auth.viewer.id))
        .order_by_desc(suggestion::Column::CreatedAt)
        .all(auth.db())
        .await?;
    let coverage = crate::model::pairings::open(&auth)
        .await?
        .into_iter()
        .map(|(org_id, org_name)| Coverage {
            count: mine
                .iter()
                .filter(|s| {
                    s.org_id == org_id && s.year == quarter.year && s.quarter as u32 == quarter.q
                })
                .count(),
            org_id,
            org_name,
        })
        .collect();
    Ok(SuggestionsPage {
        quarter,
        days_left: quarter.days_left(today()),
        coverage,
        suggestions: rows(auth.db(), mine, &tree).await?,
    })
}

/// # Errors
/// `Forbidden`; `Invalid` for an organisation not paired, a quarter other than this or the last,
/// or bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: SuggestionForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "suggestions/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let org = v.id("org_id", &form.org_id);
    if let Some(o) = org {
        if !crate::model::pairings::open(&auth)
            .await?
            .iter()
            .any(|(id, _)| *id == o)
        {
            v.fail("org_id", "not_paired", t.err_not_paired);
        }
    }
    let current = Quarter::of(today());
    let quarter = match Quarter::parse(&form.quarter) {
        Some(q) if q == current || q == current.prev() => Some(q),
        _ => {
            v.fail("quarter", "quarter_choice", t.err_quarter_choice);
            None
        }
    };
    let late = crate::late::service::asked(&form.late);
    if let Some(q) = quarter {
        let org = auth.viewer.org_id;
        let days = (q.start(), q.end());
        signoff::guard_lock_only(auth.db(), &mut v, "quarter", org, days, late).await?;
    }
    let kind = v.choice("kind", &form.kind, SuggestionKind::parse);
    let title = v.text("title", &form.title, 100, true);
    let description = v.lines("description", &form.description, 2000, true);
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(org), Some(quarter), Some(kind)) = (org, quarter, kind) else {
        return Err(AppError::Internal);
    };
    if let Some(reason) = reason {
        let org_name = crate::model::pairings::open(&auth)
            .await?
            .into_iter()
            .find(|(id, _)| *id == org)
            .map(|(_, n)| n)
            .unwrap_or_default();
        let filing = crate::late::service::Filing {
            kind: LateKind::Suggestion,
            action: LateAction::Create,
            target: None,
            date: quarter.end(),
            form: &form,
            summary: format!("{org_name} · {} · {title}", kind.label(t)),
            reason,
        };
        return crate::late::service::file(&auth, &once, filing).await;
    }
    let record = new_record(
        once.uuid,
        auth.viewer.id,
        (org, quarter, kind),
        (title, description),
    );
    once.insert(record, |m| m.id, "suggestion", quarter.key())
        .await?
        .map_err(|_| AppError::Internal)
}

/// A new suggestion, submitted (not yet stored).
fn new_record(
    uuid: uuid::Uuid,
    cadre: i64,
    (org, quarter, kind): (i64, Quarter, SuggestionKind),
    (title, description): (String, String),
) -> suggestion::ActiveModel {
    let now = Utc::now();
    suggestion::ActiveModel {
        uuid: Set(uuid),
        cadre_id: Set(cadre),
        org_id: Set(org),
        year: Set(quarter.year),
        quarter: Set(quarter.q as i16),
        kind: Set(kind.as_str().to_owned()),
        title: Set(title),
        description: Set(description),
        status: Set(SuggestionStatus::Submitted.as_str().to_owned()),
        reviewer_id: Set(None),
        review_comment: Set(None),
        reviewed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Stores the suggestion of an approved 补录申请, by its cadre, for its quarter, submitted for
/// review and marked as approved by `approver`.
///
/// # Errors
/// A database error, as `Internal`; `Ok(Err(message))` for fields that no longer pass.
pub async fn store_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    let form: SuggestionForm = crate::late::service::fields(request)?;
    let mut v = Validator::new(locale);
    let org = v.id("org_id", &form.org_id);
    let kind = v.choice("kind", &form.kind, SuggestionKind::parse);
    let title = v.text("title", &form.title, 100, true);
    let description = v.lines("description", &form.description, 2000, true);
    let (Some(org), Some(kind), true) = (org, kind, v.is_empty()) else {
        return Ok(Err(v.t().err_internal.to_owned()));
    };
    let quarter = Quarter::of(request.record_date);
    let mut record = new_record(
        uuid::Uuid::new_v4(),
        request.cadre_id,
        (org, quarter, kind),
        (title, description),
    );
    record.late_approved_by = Set(Some(approver));
    Ok(Ok(record.insert(txn).await?.id))
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's suggestion.
pub async fn get(id: i64) -> Result<SuggestionRow, AppError> {
    let auth = require(Role::CADRES)?;
    let s = suggestion::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .filter(|s| s.cadre_id == auth.viewer.id)
        .ok_or(AppError::NotFound)?;
    let (tree, _) = auth.scope().await?;
    rows(auth.db(), vec![s], &tree)
        .await?
        .pop()
        .ok_or(AppError::Internal)
}

/// Writes the review history of suggestions reviewed without one (bulk loads: the demo, the
/// generated district), from their status and latest review.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn reviews_from_status(db: &impl ConnectionTrait) -> Result<(), AppError> {
    db.execute_unprepared(
        "INSERT INTO suggestion_reviews \
           (uuid, suggestion_id, reviewer_id, action, status_after, comment, created_at) \
         SELECT s.uuid, s.id, s.reviewer_id, \
           CASE s.status WHEN 'acknowledged' THEN 'acknowledge' WHEN 'adopted' THEN 'adopt' \
             WHEN 'resolved' THEN 'resolve' WHEN 'returned' THEN 'return' ELSE 'decline' END, \
           s.status, COALESCE(s.review_comment, ''), s.reviewed_at \
         FROM suggestions s WHERE s.reviewer_id IS NOT NULL AND s.reviewed_at IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM suggestion_reviews r WHERE r.suggestion_id = s.id)",
    )
    .await?;
    Ok(())
}

/// Records a supervisor's review.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` outside the viewer's subtree; `Invalid` for an action that
/// does not fit (adopt a solved problem, review a decided or returned one) or a missing comment.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn review(form: ReviewForm) -> Result<(), AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "suggestions/review", &mut v, &form);
    if once.earlier().await?.is_some() {
        return Ok(());
    }
    let id = crate::ssr::record_id(&form.id)?;
    let s = suggestion::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (tree, _) = auth.scope().await?;
    auth.cadre_in_scope(&tree, s.cadre_id).await?;
    let action = v.choice("action", &form.action, ReviewAction::parse);
    let comment = v.lines("comment", &form.comment, 500, false);
    let kind = SuggestionKind::parse(&s.kind).unwrap_or(SuggestionKind::Suggestion);
    let status = SuggestionStatus::parse(&s.status);
    let outcome = action.and_then(|a| a.outcome(kind));
    if action.is_some() && outcome.is_none() {
        v.fail("action", "action_kind", t.err_review_kind);
    }
    if !status.is_some_and(SuggestionStatus::open) {
        v.fail("action", "not_open", t.err_review_closed);
    }
    if action.is_some_and(ReviewAction::needs_comment) && comment.is_empty() {
        v.fail("comment", "required", t.err_review_comment);
    }
    if once.settled(&v).await?.is_some() {
        return Ok(());
    }
    v.finish(&form)?;
    let (Some(action), Some(outcome)) = (action, outcome) else {
        return Err(AppError::Internal);
    };
    let txn = match once.begin().await? {
        once::Begun::Earlier(_) => return Ok(()),
        once::Begun::Fresh(txn) => txn,
    };
    let now = Utc::now();
    let review = suggestion_review::ActiveModel {
        uuid: Set(once.uuid),
        suggestion_id: Set(id),
        reviewer_id: Set(auth.viewer.id),
        action: Set(action.as_str().to_owned()),
        status_after: Set(outcome.as_str().to_owned()),
        comment: Set(comment.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut am = s.into_active_model();
    am.status = Set(outcome.as_str().to_owned());
    am.reviewer_id = Set(Some(auth.viewer.id));
    am.review_comment = Set((!comment.is_empty()).then_some(comment));
    am.reviewed_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(&txn).await?;
    auth.audit(
        &txn,
        "review",
        "suggestion",
        Some(id),
        format!("{} → {}", action.as_str(), outcome.as_str()),
    )
    .await?;
    once::finish(txn, once.uuid, review.id).await
}

/// The cadre revises a returned suggestion: it goes back to the queue as submitted.
///
/// # Errors
/// `Forbidden` for anyone but cadres, `NotFound` for another's, `Invalid` for bad fields or a
/// suggestion that was not returned.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn revise(form: ReviseForm) -> Result<Outcome, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let late = crate::late::service::asked(&form.late);
    let mut edit =
        crate::late::service::LateEdit::new(&auth, "suggestions/revise", &mut v, &form, late);
    if let Some(filed) = edit.earlier().await? {
        return Ok(Outcome::Filed(filed));
    }
    let id = crate::ssr::record_id(&form.id)?;
    let s = suggestion::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| s.cadre_id == auth.viewer.id)
        .ok_or(AppError::NotFound)?;
    let title = v.text("title", &form.title, 100, true);
    let description = v.lines("description", &form.description, 2000, true);
    if s.status != SuggestionStatus::Returned.as_str() {
        // Sent twice: the first send already put it back in the queue with this text.
        if s.title == title && s.description == description {
            return Ok(Outcome::Done(id));
        }
        v.fail("id", "not_returned", t.err_not_returned);
    }
    let quarter =
        Quarter::new(s.year, u32::try_from(s.quarter).unwrap_or(0)).ok_or(AppError::Internal)?;
    edit.guard(&auth, &mut v, "id", (quarter.start(), quarter.end()))
        .await?;
    let reason = late.then(|| crate::late::service::reason(&mut v, &form.late_reason));
    v.finish(&form)?;
    if let (Some(once), Some(reason)) = (&edit.once, reason) {
        let filing = crate::late::service::Filing {
            kind: LateKind::Suggestion,
            action: LateAction::Update,
            target: Some(id),
            date: quarter.end(),
            form: &form,
            summary: title,
            reason,
        };
        return Ok(Outcome::Filed(
            crate::late::service::file(&auth, once, filing).await?,
        ));
    }
    let revision = s.revision + 1;
    let mut am = s.into_active_model();
    am.title = Set(title);
    am.description = Set(description);
    am.status = Set(SuggestionStatus::Submitted.as_str().to_owned());
    am.revision = Set(revision);
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    auth.audit(db, "revise", "suggestion", Some(id), revision.to_string())
        .await?;
    Ok(Outcome::Done(id))
}

/// The revision of an approved 补录申请, marked as approved by `approver`. `Ok(Err(message))`
/// when the suggestion is gone or no longer returned.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn revise_late(
    txn: &impl ConnectionTrait,
    request: &crate::model::entities::late_request::Model,
    approver: i64,
    locale: crate::i18n::Locale,
) -> Result<Result<i64, String>, AppError> {
    let form: ReviseForm = crate::late::service::fields(request)?;
    let t = locale.strings();
    let target = match request.target_id {
        Some(id) => suggestion::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let Some(s) = target else {
        return Ok(Err(t.err_late_target_gone.to_owned()));
    };
    if s.status != SuggestionStatus::Returned.as_str() {
        return Ok(Err(t.err_not_returned.to_owned()));
    }
    let mut v = Validator::new(locale);
    let title = v.text("title", &form.title, 100, true);
    let description = v.lines("description", &form.description, 2000, true);
    if !v.is_empty() {
        return Ok(Err(t.err_internal.to_owned()));
    }
    let (id, revision) = (s.id, s.revision + 1);
    let mut am = s.into_active_model();
    am.title = Set(title);
    am.description = Set(description);
    am.status = Set(SuggestionStatus::Submitted.as_str().to_owned());
    am.revision = Set(revision);
    am.updated_at = Set(Utc::now());
    am.late_approved_by = Set(Some(approver));
    am.update(txn).await?;
    Ok(Ok(id))
}

const PAGE_SIZE: usize = 30;

/// The suggestions of the viewer's subtree, newest first.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` for a cadre outside the subtree; `Invalid` for a bad
/// quarter or status.
pub async fn queue(query: QueueQuery) -> Result<Queue, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let (tree, scope) = auth.scope().await?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let quarter = match query.quarter.trim() {
        "" => None,
        q => match Quarter::parse(q) {
            Some(q) => Some(q),
            None => {
                v.fail("quarter", "invalid_choice", t.err_invalid_choice);
                None
            }
        },
    };
    let status = query.status.trim();
    let statuses: Vec<&'static str> = match status {
        "" | "open" => vec![
            SuggestionStatus::Submitted.as_str(),
            SuggestionStatus::Acknowledged.as_str(),
        ],
        "all" => SuggestionStatus::ALL.iter().map(|s| s.as_str()).collect(),
        other => match SuggestionStatus::parse(other) {
            Some(s) => vec![s.as_str()],
            None => {
                v.fail("status", "invalid_choice", t.err_invalid_choice);
                vec![]
            }
        },
    };
    let cadre = match query.cadre_id.trim() {
        "" => None,
        c => Some(
            auth.cadre_in_scope(&tree, crate::ssr::record_id(c)?)
                .await?
                .id,
        ),
    };
    v.finish(&query)?;
    let cadres = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::OrgId.is_in(scope.iter().copied()))
        .into_query();
    let mut q = suggestion::Entity::find()
        .filter(suggestion::Column::CadreId.in_subquery(cadres))
        .filter(suggestion::Column::Status.is_in(statuses));
    if let Some(qr) = quarter {
        q = q
            .filter(suggestion::Column::Year.eq(qr.year))
            .filter(suggestion::Column::Quarter.eq(i16::try_from(qr.q).unwrap_or(0)));
    }
    if let Some(c) = cadre {
        q = q.filter(suggestion::Column::CadreId.eq(c));
    }
    // A word of the title, or the cadre's name or username.
    let search = crate::ssr::validate::search_text(&query.q, 30);
    if !search.is_empty() {
        let authors = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::OrgId.is_in(scope.iter().copied()))
            .filter(
                Condition::any()
                    .add(account::Column::Name.contains(search.as_str()))
                    .add(account::Column::Username.contains(search.as_str())),
            )
            .into_query();
        q = q.filter(
            Condition::any()
                .add(suggestion::Column::Title.contains(search.as_str()))
                .add(suggestion::Column::CadreId.in_subquery(authors)),
        );
    }
    let matching = usize::try_from(q.clone().count(db).await?).unwrap_or(0);
    let paging = Paging::new(&query.page, matching, PAGE_SIZE);
    let (page, pages) = (paging.page, paging.pages);
    let models = q
        .order_by_desc(suggestion::Column::UpdatedAt)
        .order_by_desc(suggestion::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?;
    Ok(Queue {
        items: rows(db, models, &tree).await?,
        matching,
        page,
        pages,
        quarter: quarter.map(Quarter::key).unwrap_or_default(),
        status: if status.is_empty() {
            "open".to_owned()
        } else {
            status.to_owned()
        },
        q: search,
        cadre_id: cadre.map(|c| c.to_string()).unwrap_or_default(),
    })
}
