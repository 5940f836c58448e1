//! Export jobs: a supervisor queues one; any app instance claims it (a conditional update, so
//! two instances never run the same job), streams the ledgers into a file in the export
//! directory with its progress in the database, and the requester downloads it for 7 days.

use super::api::{ExportForm, ExportJob, ExportsPage, JobStatus, StatusQuery};
use super::ledger::{self, Cursor, Ledger, Scope};
use super::sheets::{self, Cell};
use super::writer::{CsvZip, Sink, Xlsx};
use super::{percent, ExportFormat, JobState};
use crate::compliance::service::{evaluate_cadres, Cadres};
use crate::compliance::Period;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::rules::Quarter;
use crate::ssr::audit;
use crate::ssr::entities::export_job;
use crate::ssr::guard::{require, Authorised, SUPERVISORS};
use crate::ssr::once;
use crate::ssr::orgtree::OrgTree;
use crate::ssr::validate::Validator;
use crate::ssr::{today, Settings};
use crate::types::Role;
use chrono::{Datelike, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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
    let auth = require(SUPERVISORS)?;
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
    if auth.viewer.role == Role::Admin {
        let tree = OrgTree::load(auth.db()).await?;
        if tree.is_within(job.org_id, auth.viewer.org_id) {
            return Ok(job);
        }
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
    let auth = require(SUPERVISORS)?;
    let id = crate::ssr::record_id(&query.id)?;
    Ok(status_of(&visible(&auth, id).await?))
}

/// # Errors
/// `Forbidden` for cadres; a database error.
pub async fn page() -> Result<ExportsPage, AppError> {
    let auth = require(SUPERVISORS)?;
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
    id: &str,
) -> Result<(PathBuf, String, &'static str), AppError> {
    let id = crate::ssr::record_id(id)?;
    if !matches!(viewer.role, Role::Supervisor | Role::Admin) {
        return Err(AppError::NotFound);
    }
    let job = export_job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tree = OrgTree::load(db).await?;
    let allowed = job.account_id == viewer.id
        || (viewer.role == Role::Admin && tree.is_within(job.org_id, viewer.org_id));
    let (true, Some(file), Some(format)) = (
        allowed && job.state == JobState::Done.as_str(),
        job.file_name.as_deref(),
        ExportFormat::parse(&job.format),
    ) else {
        return Err(AppError::NotFound);
    };
    let org = tree.get(job.org_id).map(|o| o.name.as_str()).unwrap_or("");
    let name = format!("台账-{org}-{}.{}", job.quarter, format.extension());
    Ok((settings.export_dir.join(file), name, format.content_type()))
}

// ---- the worker ---------------------------------------------------------------------------

/// Runs queued jobs until none is left: first puts back jobs whose instance went quiet and
/// removes expired ones. Answers how many jobs this call ran.
///
/// # Errors
/// A database error, as `Internal` (a job's own failure is recorded on the job).
pub async fn work(db: &DatabaseConnection, settings: &Settings) -> Result<usize, AppError> {
    requeue_stale(db).await?;
    expire(db, &settings.export_dir).await?;
    let mut ran = 0;
    while let Some(job) = claim(db, &settings.instance).await? {
        ran += 1;
        let id = job.id;
        if let Err(e) = run(db, settings, &job).await {
            tracing::warn!(job = id, error = %e, "export failed");
            export_job::Entity::update_many()
                .col_expr(
                    export_job::Column::State,
                    Expr::value(JobState::Failed.as_str()),
                )
                .col_expr(export_job::Column::Error, Expr::value(e.to_string()))
                .col_expr(export_job::Column::FinishedAt, Expr::value(Utc::now()))
                .filter(export_job::Column::Id.eq(id))
                .filter(export_job::Column::ClaimedBy.eq(settings.instance.clone()))
                .filter(export_job::Column::State.eq(JobState::Running.as_str()))
                .exec(db)
                .await?;
        }
    }
    Ok(ran)
}

async fn requeue_stale(db: &DatabaseConnection) -> Result<(), AppError> {
    let cutoff = Utc::now() - Duration::seconds(STALE_SECONDS);
    let stale = || {
        export_job::Entity::update_many()
            .filter(export_job::Column::State.eq(JobState::Running.as_str()))
            .filter(export_job::Column::HeartbeatAt.lt(cutoff))
    };
    stale()
        .col_expr(
            export_job::Column::State,
            Expr::value(JobState::Failed.as_str()),
        )
        .col_expr(
            export_job::Column::Error,
            Expr::value("the instance running it stopped too often"),
        )
        .filter(export_job::Column::Attempts.gte(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    stale()
        .col_expr(
            export_job::Column::State,
            Expr::value(JobState::Queued.as_str()),
        )
        .col_expr(
            export_job::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(export_job::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    Ok(())
}

async fn expire(db: &DatabaseConnection, dir: &Path) -> Result<(), AppError> {
    let old = export_job::Entity::find()
        .filter(export_job::Column::ExpiresAt.lt(Utc::now()))
        .all(db)
        .await?;
    for job in old {
        if let Some(file) = &job.file_name {
            if let Err(e) = tokio::fs::remove_file(dir.join(file)).await {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(job = job.id, error = %e, "expired export file not removed");
                    continue;
                }
            }
        }
        export_job::Entity::delete_by_id(job.id).exec(db).await?;
    }
    Ok(())
}

/// Takes the next queued job, fairly: the oldest job of the person served longest ago (each
/// person's own jobs in order), so one person's queue never starves another's. A conditional
/// update that only one instance can win.
async fn claim(
    db: &DatabaseConnection,
    instance: &str,
) -> Result<Option<export_job::Model>, AppError> {
    for _ in 0..5 {
        // At most [`MAX_UNFINISHED`] per person are queued, so this list stays short.
        let queued = export_job::Entity::find()
            .filter(export_job::Column::State.eq(JobState::Queued.as_str()))
            .order_by_asc(export_job::Column::CreatedAt)
            .order_by_asc(export_job::Column::Id)
            .all(db)
            .await?;
        let accounts: HashSet<i64> = queued.iter().map(|j| j.account_id).collect();
        let mut served: std::collections::HashMap<i64, chrono::DateTime<Utc>> =
            std::collections::HashMap::new();
        for j in export_job::Entity::find()
            .filter(export_job::Column::AccountId.is_in(accounts.iter().copied()))
            .filter(export_job::Column::StartedAt.is_not_null())
            .all(db)
            .await?
        {
            if let Some(at) = j.started_at {
                let e = served.entry(j.account_id).or_insert(at);
                *e = std::cmp::Ord::max(*e, at);
            }
        }
        let Some(next) = next_fair(&queued, &served) else {
            return Ok(None);
        };
        let now = Utc::now();
        let won = export_job::Entity::update_many()
            .col_expr(
                export_job::Column::State,
                Expr::value(JobState::Running.as_str()),
            )
            .col_expr(export_job::Column::ClaimedBy, Expr::value(instance))
            .col_expr(export_job::Column::StartedAt, Expr::value(now))
            .col_expr(export_job::Column::HeartbeatAt, Expr::value(now))
            .col_expr(export_job::Column::DoneRows, Expr::value(0i64))
            .col_expr(
                export_job::Column::Attempts,
                Expr::col(export_job::Column::Attempts).add(1),
            )
            .filter(export_job::Column::Id.eq(next))
            .filter(export_job::Column::State.eq(JobState::Queued.as_str()))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if won {
            return Ok(export_job::Entity::find_by_id(next).one(db).await?);
        }
    }
    Ok(None)
}

/// The job to run next from `queued` (oldest first): the first job of the person whose last
/// job started longest ago (never served first). Pure, for the unit test.
fn next_fair(
    queued: &[export_job::Model],
    served: &std::collections::HashMap<i64, chrono::DateTime<Utc>>,
) -> Option<i64> {
    queued
        .iter()
        .enumerate()
        .min_by_key(|(i, j)| (served.get(&j.account_id).copied(), *i))
        .map(|(_, j)| j.id)
}

#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error("{0}")]
    App(#[from] AppError),
    #[error("{0}")]
    Write(#[from] super::writer::WriteError),
    #[error("the job was taken over or removed")]
    Lost,
    #[error("{0}")]
    Other(String),
}

/// Writes rows and keeps the job's progress (and heartbeat) in the database.
struct Progress<'a> {
    db: &'a DatabaseConnection,
    id: i64,
    instance: &'a str,
    done: u64,
}

impl Progress<'_> {
    async fn save(&self) -> Result<(), RunError> {
        let n = export_job::Entity::update_many()
            .col_expr(
                export_job::Column::DoneRows,
                Expr::value(i64::try_from(self.done).unwrap_or(i64::MAX)),
            )
            .col_expr(export_job::Column::HeartbeatAt, Expr::value(Utc::now()))
            .filter(export_job::Column::Id.eq(self.id))
            .filter(export_job::Column::ClaimedBy.eq(self.instance))
            .filter(export_job::Column::State.eq(JobState::Running.as_str()))
            .exec(self.db)
            .await
            .map_err(AppError::from)?
            .rows_affected;
        if n == 1 {
            Ok(())
        } else {
            Err(RunError::Lost)
        }
    }
}

async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    job: &export_job::Model,
) -> Result<(), RunError> {
    let format = ExportFormat::parse(&job.format)
        .ok_or_else(|| RunError::Other(format!("format {}", job.format)))?;
    let quarter = Quarter::parse(&job.quarter)
        .ok_or_else(|| RunError::Other(format!("quarter {}", job.quarter)))?;
    let tree = OrgTree::load(db).await?;
    let orgs: Option<HashSet<i64>> = if tree.root() == Some(job.org_id) {
        None
    } else {
        Some(tree.subtree(job.org_id))
    };
    let scope = Scope {
        orgs: orgs.clone(),
        quarter,
    };

    // The summary comes from the compliance engine, as on the dashboard.
    let t = Locale::ZhCn.strings();
    let mut summary: Vec<_> = evaluate_cadres(
        db,
        &tree,
        &Cadres::InOrgs(orgs),
        Period::Quarter(quarter),
        today(),
        t,
    )
    .await?
    .into_iter()
    .map(|(row, _)| row)
    .collect();
    summary.sort_by(|a, b| a.org_name.cmp(&b.org_name).then(a.name.cmp(&b.name)));

    let mut counts: Vec<(String, u64)> = vec![(sheets::SUMMARY.to_owned(), summary.len() as u64)];
    // The PDF is the summary alone; the spreadsheets carry every ledger.
    if format != ExportFormat::Pdf {
        for l in Ledger::ALL {
            counts.push((
                l.sheet().name.to_owned(),
                ledger::count(db, l, &scope).await?,
            ));
        }
    }
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    export_job::Entity::update_many()
        .col_expr(
            export_job::Column::TotalRows,
            Expr::value(i64::try_from(total).unwrap_or(i64::MAX)),
        )
        .filter(export_job::Column::Id.eq(job.id))
        .exec(db)
        .await
        .map_err(AppError::from)?;

    std::fs::create_dir_all(&settings.export_dir)
        .map_err(|e| RunError::Other(format!("export directory: {e}")))?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let file_name = format!("{}-{}.{}", job.id, &token[..12], format.extension());
    let part = settings.export_dir.join(format!("{file_name}.part"));
    let result = if format == ExportFormat::Pdf {
        let heading = super::pdf::Heading {
            org: tree
                .get(job.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            quarter: crate::i18n::fill(
                t.quarter_label,
                &[
                    ("year", &quarter.year.to_string()),
                    ("q", &quarter.q.to_string()),
                ],
            ),
            generated: crate::reminders::rules::local(Utc::now())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        };
        write_pdf(settings, heading, summary.clone(), part.clone()).await
    } else {
        write(db, job, format, quarter, &scope, &summary, &part, settings).await
    };
    if let Err(e) = result {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    let final_path = settings.export_dir.join(&file_name);
    std::fs::rename(&part, &final_path).map_err(|e| RunError::Other(format!("rename: {e}")))?;
    let size = std::fs::metadata(&final_path).map(|m| m.len()).unwrap_or(0);

    let done = export_job::Entity::update_many()
        .col_expr(
            export_job::Column::State,
            Expr::value(JobState::Done.as_str()),
        )
        .col_expr(
            export_job::Column::DoneRows,
            Expr::value(i64::try_from(total).unwrap_or(i64::MAX)),
        )
        .col_expr(export_job::Column::FileName, Expr::value(file_name.clone()))
        .col_expr(
            export_job::Column::FileSize,
            Expr::value(i64::try_from(size).unwrap_or(i64::MAX)),
        )
        .col_expr(
            export_job::Column::Counts,
            Expr::value(serde_json::to_string(&counts).unwrap_or_default()),
        )
        .col_expr(export_job::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(export_job::Column::Id.eq(job.id))
        .filter(export_job::Column::ClaimedBy.eq(settings.instance.clone()))
        .filter(export_job::Column::State.eq(JobState::Running.as_str()))
        .exec(db)
        .await
        .map_err(AppError::from)?
        .rows_affected;
    if done != 1 {
        let _ = std::fs::remove_file(&final_path);
        return Err(RunError::Lost);
    }
    let org_name = tree
        .get(job.org_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(job.account_id),
            action: "export",
            entity: "export_job",
            entity_id: Some(job.id),
            details: format!(
                "{org_name} (#{}) {} {}: {}",
                job.org_id,
                job.quarter,
                job.format,
                counts
                    .iter()
                    .map(|(s, n)| format!("{s} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ip: None,
        },
    )
    .await?;
    Ok(())
}

/// Lays out and writes the PDF off the async threads (the font is read and measured there too).
async fn write_pdf(
    settings: &Settings,
    heading: super::pdf::Heading,
    rows: Vec<crate::compliance::CadreRow>,
    path: PathBuf,
) -> Result<(), RunError> {
    let font_path = settings.pdf_font.clone();
    let index = settings.pdf_font_index;
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        let font = super::pdf::PdfFont::load(&font_path, index)?;
        let bytes = super::pdf::summary(&font, &heading, &rows, Locale::ZhCn.strings())?;
        std::fs::write(&path, bytes).map_err(|e| format!("write: {e}"))
    })
    .await
    .map_err(|e| RunError::Other(format!("pdf: {e}")))?
    .map_err(RunError::Other)
}

#[allow(clippy::too_many_arguments)]
async fn write(
    db: &DatabaseConnection,
    job: &export_job::Model,
    format: ExportFormat,
    quarter: Quarter,
    scope: &Scope,
    summary: &[crate::compliance::CadreRow],
    path: &Path,
    settings: &Settings,
) -> Result<(), RunError> {
    let mut sink: Box<dyn Sink> = match format {
        ExportFormat::Xlsx => Box::new(Xlsx::create(path)?),
        ExportFormat::Csv => Box::new(CsvZip::create(path)?),
        ExportFormat::Pdf => return Err(RunError::Other("a PDF has no sheets".to_owned())),
    };
    let mut progress = Progress {
        db,
        id: job.id,
        instance: &settings.instance,
        done: 0,
    };
    let months: Vec<chrono::NaiveDate> = (0..3)
        .filter_map(|i| quarter.start().checked_add_months(chrono::Months::new(i)))
        .collect();
    let t = Locale::ZhCn.strings();
    sink.sheet(&sheets::summary(
        &months.iter().map(Datelike::month).collect::<Vec<_>>(),
    ))?;
    for r in summary {
        sink.row(&summary_row(r, &months, t))?;
    }
    progress.done += summary.len() as u64;
    progress.save().await?;
    for l in Ledger::ALL {
        sink.sheet(&l.sheet())?;
        let mut after = Cursor::start();
        loop {
            let rows = ledger::page(db, l, scope, after).await?;
            let Some((last, _)) = rows.last() else {
                break;
            };
            after = *last;
            let n = rows.len();
            for (_, cells) in &rows {
                sink.row(cells)?;
            }
            progress.done += n as u64;
            progress.save().await?;
            if (n as u64) < ledger::PAGE {
                break;
            }
        }
    }
    // Packing the workbook compresses every sheet: off the async threads.
    tokio::task::spawn_blocking(move || sink.finish())
        .await
        .map_err(|e| RunError::Other(format!("writer: {e}")))??;
    Ok(())
}

fn summary_row(
    r: &crate::compliance::CadreRow,
    months: &[chrono::NaiveDate],
    t: &crate::i18n::Strings,
) -> Vec<Cell> {
    let mut cells = vec![
        Cell::text(r.name.clone()),
        Cell::text(r.org_name.clone()),
        Cell::opt_text(r.post.map(|p| p.label(t))),
        Cell::Int(i64::from(r.roster)),
        Cell::Int(i64::from(r.roster_target)),
        Cell::Int(i64::from(r.contacted)),
        Cell::Num((r.contacted_share() * 1000.0).round() / 10.0),
        Cell::Int(i64::from(r.overdue)),
        Cell::Int(i64::from(r.weeks_required)),
        Cell::Int(i64::from(r.weeks_covered)),
        Cell::Int(i64::from(r.weeks_exempt)),
        Cell::Int(i64::from(r.suggestions_given)),
        Cell::Int(i64::from(r.suggestions_due)),
    ];
    for m in months {
        cells.push(
            r.study_months
                .iter()
                .find(|h| h.month == *m)
                .map_or(Cell::Blank, |h| Cell::Num(h.hours)),
        );
    }
    cells.push(Cell::text(sheets::rating(r.light, t)));
    cells.push(Cell::text(
        r.reasons
            .iter()
            .map(|x| x.text.clone())
            .collect::<Vec<_>>()
            .join("；"),
    ));
    cells.push(Cell::text(r.username.clone()));
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn queued(id: i64, account_id: i64) -> export_job::Model {
        let at = Utc::now();
        export_job::Model {
            id,
            account_id,
            org_id: 1,
            quarter: "2026Q4".to_owned(),
            format: "xlsx".to_owned(),
            state: "queued".to_owned(),
            done_rows: 0,
            total_rows: 0,
            attempts: 0,
            claimed_by: None,
            file_name: None,
            file_size: None,
            counts: None,
            error: None,
            created_at: at,
            started_at: None,
            heartbeat_at: at,
            finished_at: None,
            expires_at: at,
        }
    }

    #[test]
    fn the_person_served_longest_ago_goes_next_and_a_new_person_first() {
        // Person 1 queued two jobs before person 2 queued one.
        let jobs = [queued(10, 1), queued(11, 1), queued(12, 2)];
        let now = Utc::now();
        // Nobody served yet: oldest first.
        assert_eq!(next_fair(&jobs, &HashMap::new()), Some(10));
        // Person 1 was just served: person 2 goes before person 1's second job.
        let served = HashMap::from([(1, now)]);
        assert_eq!(next_fair(&jobs[1..], &served), Some(12));
        // Both served: whoever was served longer ago.
        let served = HashMap::from([(1, now - Duration::minutes(5)), (2, now)]);
        assert_eq!(next_fair(&jobs[1..], &served), Some(11));
        assert_eq!(next_fair(&[], &served), None);
    }
}
