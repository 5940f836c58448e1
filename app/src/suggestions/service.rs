//! Suggestions on the server.

use super::api::{Coverage, SuggestionForm, SuggestionRow, SuggestionsPage};
use crate::error::AppError;
use crate::rules::{shanghai_date, Quarter};
use crate::ssr::entities::suggestion;
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{SuggestionKind, SuggestionStatus};
use crate::visits::service::paired;
use crate::youth::service::CADRES;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

fn row(s: suggestion::Model, tree: &crate::ssr::orgtree::OrgTree) -> SuggestionRow {
    SuggestionRow {
        id: s.id,
        org_name: tree
            .get(s.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        quarter: Quarter::new(s.year, s.quarter as u32).unwrap_or(Quarter { year: s.year, q: 1 }),
        kind: SuggestionKind::parse(&s.kind),
        title: s.title,
        description: s.description,
        status: SuggestionStatus::parse(&s.status),
        review_comment: s.review_comment,
        created_on: shanghai_date(s.created_at),
    }
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn page() -> Result<SuggestionsPage, AppError> {
    let auth = require(CADRES)?;
    let (tree, _) = auth.scope().await?;
    let quarter = Quarter::of(today());
    let mine = suggestion::Entity::find()
        .filter(suggestion::Column::CadreId.eq(auth.viewer.id))
        .order_by_desc(suggestion::Column::CreatedAt)
        .all(auth.db())
        .await?;
    let coverage = paired(&auth)
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
        suggestions: mine.into_iter().map(|s| row(s, &tree)).collect(),
    })
}

/// # Errors
/// `Forbidden`; `Invalid` for an organisation not paired, a quarter other than this or the last,
/// or bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: SuggestionForm) -> Result<i64, AppError> {
    let auth = require(CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "suggestions/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let org = v.id("org_id", &form.org_id);
    if let Some(o) = org {
        if !paired(&auth).await?.iter().any(|(id, _)| *id == o) {
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
    let kind = v.choice("kind", &form.kind, SuggestionKind::parse);
    let title = v.text("title", &form.title, 100, true);
    let description = v.text("description", &form.description, 2000, true);
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(org), Some(quarter), Some(kind)) = (org, quarter, kind) else {
        return Err(AppError::Internal);
    };
    let now = Utc::now();
    let record = suggestion::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(auth.viewer.id),
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
    };
    once.insert(record, |m| m.id, "suggestion", quarter.key())
        .await?
        .map_err(|_| AppError::Internal)
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's suggestion.
pub async fn get(id: i64) -> Result<SuggestionRow, AppError> {
    let auth = require(CADRES)?;
    let s = suggestion::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .filter(|s| s.cadre_id == auth.viewer.id)
        .ok_or(AppError::NotFound)?;
    let (tree, _) = auth.scope().await?;
    Ok(row(s, &tree))
}
