//! Export jobs: a supervisor queues one, follows its progress and downloads the file for 7 days.
//! The worker that writes it is `worker.rs`.

use super::api::{ExportForm, ExportJob, ExportsPage, JobStatus, StatusQuery};
use super::{percent, ExportFormat, JobState};
use crate::error::AppError;
use crate::model::entities::export_job;
use crate::model::orgtree::OrgTree;
use crate::rules::Quarter;
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::validate::Validator;
use crate::ssr::{today, Settings};
use crate::types::Role;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::path::PathBuf;

/// How long a finished export can be downloaded.
pub const KEEP_DAYS: i64 = 7;
/// A running job whose progress has not moved for this long lost its instance: it is queued
/// again (and failed after [`MAX_ATTEMPTS`]).
pub const STALE_SECONDS: i64 = 120;
pub const MAX_ATTEMPTS: i32 = 3;
/// Exports one person may have queued or running at once.
pub const MAX_UNFINISHED: usize = 2;
/// How many quarters back one may export.
const QUARTERS_BACK: usize = 8;

fn quarters(today: chrono::NaiveDate) -> Vec<Quarter> {
    let mut q = Quarter::of(today);
    let mut out = Vec::with_capacity(QUARTERS_BACK);
    for _ in 0..QUARTERS_BACK {
        out.push(q);
        q = q.prev();
    }
    out
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` for an organisation outside the subtree; `Invalid` for a
/// quarter or format that cannot be exported.
pub async fn create(form: ExportForm) -> Result<i64, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "exports/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let tree = OrgTree::load(db).await?;
    let org = auth.org_in_scope(&tree, &form.org_id)?;
    let quarter = match Quarter::parse(form.quarter.trim()) {
        Some(q) if quarters(today()).contains(&q) => Some(q),
        Some(_) => {
            v.fail("quarter", "quarter_out_of_range", t.err_export_quarter);
            None
        }
        None => {
            v.fail("quarter", "invalid_choice", t.err_invalid_choice);
            None
        }
    };
    let format = v.choice("format", &form.format, ExportFormat::parse);
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(quarter), Some(format)) = (quarter, format) else {
        return Err(AppError::Internal);
    };
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    // The same export already on its way for this person: that job. Otherwise at most
    // [`MAX_UNFINISHED`] at a time per person, so one person cannot fill the queue.
    let unfinished = export_job::Entity::find()
        .filter(export_job::Column::AccountId.eq(auth.viewer.id))
        .filter(
            export_job::Column::State
                .is_in([JobState::Queued.as_str(), JobState::Running.as_str()]),
        )
        .all(&txn)
        .await?;
    if let Some(same) = unfinished
        .iter()
        .find(|j| j.org_id == org && j.quarter == quarter.key() && j.format == format.as_str())
    {
        let id = same.id;
        once::finish(txn, once.uuid, id).await?;
        return Ok(id);
    }
    if unfinished.len() >= MAX_UNFINISHED {
        txn.rollback().await?;
        return Err(AppError::TooManyAttempts {
            retry_after_secs: 60,
            message: crate::i18n::fill(t.err_export_limit, &[("max", &MAX_UNFINISHED.to_string())]),
        });
    }
    let now = Utc::now();
    let id = export_job::Entity::insert(export_job::ActiveModel {
        account_id: Set(auth.viewer.id),
        org_id: Set(org),
        quarter: Set(quarter.key()),
        format: Set(format.as_str().to_owned()),
        state: Set(JobState::Queued.as_str().to_owned()),
        done_rows: Set(0),
        total_rows: Set(0),
        attempts: Set(0),
        claimed_by: Set(None),
        file_name: Set(None),
        file_size: Set(None),
        counts: Set(None),
        error: Set(None),
        created_at: Set(now),
        started_at: Set(None),
        heartbeat_at: Set(now),
        finished_at: Set(None),
        expires_at: Set(now + Duration::days(KEEP_DAYS)),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    let org_name = tree.get(org).map(|o| o.name.clone()).unwrap_or_default();
    auth.audit(
        &txn,
        "export_request",
        "export_job",
        Some(id),
        format!("{org_name} (#{org}) {} {}", quarter.key(), format.as_str()),
    )
    .await?;
    once::finish(txn, once.uuid, id).await?;
    auth.state.settings.jobs.notify_one();
    Ok(id)
}

/// A job the viewer may see: their own, or any in an admin's subtree. Anyone else's is a 404.
async fn visible(auth: &Authorised, id: i64) -> Result<export_job::Model, AppError> {
    let job = export_job::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .ok_or(AppError::NotFound)?;
    if job.account_id == auth.viewer.id {
        return Ok(job);
    }
    Err(AppError::NotFound)
}

fn status_of(job: &export_job::Model) -> JobStatus {
    let state = JobState::parse(&job.state).unwrap_or(JobState::Failed);
    let done = u64::try_from(job.done_rows).unwrap_or(0);
    let total = u64::try_from(job.total_rows).unwrap_or(0);
    JobStatus {
        id: job.id,
        state,
        done,
        total,
        percent: percent(done, total, state),
        url: (state == JobState::Done).then(|| download_url(job.id)),
    }
}

pub fn download_url(id: i64) -> String {
    format!("/exports/{id}/download")
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` for another person's job.
pub async fn status(query: StatusQuery) -> Result<JobStatus, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let id = crate::ssr::record_id(&query.id)?;
    Ok(status_of(&visible(&auth, id).await?))
}

/// # Errors
/// `Forbidden` for cadres; a database error.
pub async fn page() -> Result<ExportsPage, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let tree = OrgTree::load(db).await?;
    let jobs = export_job::Entity::find()
        .filter(export_job::Column::AccountId.eq(auth.viewer.id))
        .order_by_desc(export_job::Column::CreatedAt)
        .order_by_desc(export_job::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    Ok(ExportsPage {
        orgs: tree.listing(auth.viewer.org_id),
        own_org: auth.viewer.org_id,
        quarters: quarters(today()).iter().map(|q| q.key()).collect(),
        jobs: jobs
            .iter()
            .map(|j| ExportJob {
                status: status_of(j),
                org_name: tree
                    .get(j.org_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                quarter: j.quarter.clone(),
                format: ExportFormat::parse(&j.format).unwrap_or(ExportFormat::Xlsx),
                created_at: j.created_at,
                finished_at: j.finished_at,
                expires_at: j.expires_at,
                file_size: j.file_size.and_then(|s| u64::try_from(s).ok()),
                counts: j
                    .counts
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}

/// The file to send for `GET /exports/<id>/download`: its path, the name to save it under and
/// its content type. `NotFound` unless the viewer may see the job and it is done.
///
/// # Errors
/// `NotFound`; a database error.
pub async fn download(
    db: &DatabaseConnection,
    settings: &Settings,
    viewer: &crate::types::Viewer,
    ip: Option<String>,
    id: &str,
) -> Result<(PathBuf, String, &'static str), AppError> {
    let id = crate::ssr::record_id(id)?;
    if viewer.role != Role::Supervisor {
        return Err(AppError::NotFound);
    }
    let job = export_job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = job.account_id == viewer.id;
    let (true, Some(file), Some(format)) = (
        allowed && job.state == JobState::Done.as_str(),
        job.file_name.as_deref(),
        ExportFormat::parse(&job.format),
    ) else {
        return Err(AppError::NotFound);
    };
    crate::ssr::audit::record(
        db,
        crate::ssr::audit::Entry {
            actor_id: Some(viewer.id),
            role: Some(viewer.role),
            action: "export_download",
            entity: "export_job",
            entity_id: Some(job.id),
            details: format!("{} {}", job.quarter, job.format),
            ip,
            result: crate::ssr::audit::Outcome::Success,
        },
    )
    .await?;
    let tree = OrgTree::load(db).await?;
    let org = tree.get(job.org_id).map(|o| o.name.as_str()).unwrap_or("");
    let name = format!("台账-{org}-{}.{}", job.quarter, format.extension());
    Ok((settings.export_dir.join(file), name, format.content_type()))
}

// ---- the worker ---------------------------------------------------------------------------
