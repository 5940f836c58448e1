//! The export worker that runs in every app instance (`server` spawns its loop, as it does the
//! reminders' `scheduler`): puts back jobs whose instance went quiet, removes expired ones,
//! claims the next queued job fairly (a conditional update, so two instances never run the same
//! job) and streams its ledgers into a file with its progress in the database.

use super::ledger::{self, Cursor, Ledger, Scope};
use super::service::{MAX_ATTEMPTS, STALE_SECONDS};
use super::sheets::{self, Cell, Title};
use super::writer::{CsvZip, Sink, Xlsx};
use super::{ExportFormat, JobState};
use crate::compliance::service::subtree_rows;
use crate::compliance::Period;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::entities::{account, export_job};
use crate::model::orgtree::OrgTree;
use crate::rules::Quarter;
use crate::ssr::audit;
use crate::ssr::{today, Settings};
use chrono::{Datelike, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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

    // The summary comes from the compliance engine, as on the dashboard: for an approved
    // quarter, the figures frozen at its approval.
    let t = Locale::ZhCn.strings();
    let (mut summary, approval) = subtree_rows(
        db,
        &tree,
        job.org_id,
        orgs,
        Period::Quarter(quarter),
        today(),
        t,
    )
    .await?;
    let stamp = match &approval {
        Some(a) => Some(crate::signoff::service::stamp(db, &tree, a).await?),
        None => None,
    };
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
    // What approved late entries changed since the quarter's approval: its own sheet, last.
    let changes = stamp
        .as_ref()
        .map(|s| s.changes.clone())
        .unwrap_or_default();
    if format != ExportFormat::Pdf && !changes.is_empty() {
        counts.push((sheets::CHANGES.to_owned(), changes.len() as u64));
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
    let requester = account::Entity::find_by_id(job.account_id)
        .one(db)
        .await
        .map_err(AppError::from)?;
    let title = Title {
        org: tree
            .get(job.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        quarter: match &stamp {
            // 2026 年第 3 季度（已审核 · 王芳 · 2027-01-05 · 审核后变更 1 项）
            Some(s) if s.changes.is_empty() => format!("{}（{}）", quarter.label(t), s.line(t)),
            Some(s) => format!(
                "{}（{} · {}）",
                quarter.label(t),
                s.line(t),
                crate::i18n::fill(t.signoff_changes, &[("n", &s.changes.len().to_string())])
            ),
            None => quarter.label(t),
        },
        generated: crate::reminders::rules::local(Utc::now())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        by: requester.map_or_else(String::new, |a| format!("{}（{}）", a.name, a.username)),
    };
    let result = if format == ExportFormat::Pdf {
        let reach = org_reach(db, &summary, quarter).await?;
        write_pdf(settings, title, summary.clone(), reach, part.clone()).await
    } else {
        let out = Output {
            format,
            title,
            path: &part,
        };
        let tables = Tables {
            summary: &summary,
            changes: &changes,
        };
        write(db, job, out, quarter, &scope, tables, settings).await
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
            // Only supervisors ask for exports.
            role: Some(crate::types::Role::Supervisor),
            result: audit::Outcome::Success,
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

/// What each organisation's cadres' activities reached in the quarter (a youth at activities of
/// two of its cadres counts once among its youths).
async fn org_reach(
    db: &DatabaseConnection,
    rows: &[crate::compliance::CadreRow],
    quarter: Quarter,
) -> Result<std::collections::HashMap<i64, crate::compliance::Reach>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.cadre_id).collect();
    let (held, attendance) =
        crate::compliance::service::activity_attendance(db, &ids, (quarter.start(), quarter.end()))
            .await?;
    let org_of: std::collections::HashMap<i64, i64> =
        rows.iter().map(|r| (r.cadre_id, r.org_id)).collect();
    let mut out = std::collections::HashMap::new();
    for org in rows.iter().map(|r| r.org_id) {
        if out.contains_key(&org) {
            continue;
        }
        let activities: Vec<i64> = held
            .iter()
            .filter(|(_, cadre)| org_of.get(cadre) == Some(&org))
            .map(|(a, _)| *a)
            .collect();
        out.insert(
            org,
            crate::compliance::rules::reach(&activities, &attendance),
        );
    }
    Ok(out)
}

/// Lays out and writes the PDF off the async threads (the font is read and measured there too).
async fn write_pdf(
    settings: &Settings,
    title: Title,
    rows: Vec<crate::compliance::CadreRow>,
    reach: std::collections::HashMap<i64, crate::compliance::Reach>,
    path: PathBuf,
) -> Result<(), RunError> {
    let font_path = settings.pdf_font.clone();
    let index = settings.pdf_font_index;
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        let font = super::pdf::PdfFont::load(&font_path, index)?;
        let bytes = super::pdf::summary(&font, &title, &rows, &reach, Locale::ZhCn.strings())?;
        std::fs::write(&path, bytes).map_err(|e| format!("write: {e}"))
    })
    .await
    .map_err(|e| RunError::Other(format!("pdf: {e}")))?
    .map_err(RunError::Other)
}

/// What a spreadsheet export writes and where.
struct Output<'a> {
    format: ExportFormat,
    /// The workbook's title block.
    title: Title,
    path: &'a Path,
}

/// What a spreadsheet holds besides the ledgers: the summary rows, and the changes since the
/// quarter's approval (none for a quarter not approved).
struct Tables<'a> {
    summary: &'a [crate::compliance::CadreRow],
    changes: &'a [crate::late::api::LateRow],
}

async fn write(
    db: &DatabaseConnection,
    job: &export_job::Model,
    out: Output<'_>,
    quarter: Quarter,
    scope: &Scope,
    tables: Tables<'_>,
    settings: &Settings,
) -> Result<(), RunError> {
    let summary = tables.summary;
    let mut sink: Box<dyn Sink> = match out.format {
        ExportFormat::Xlsx => Box::new(Xlsx::create(out.path, out.title)?),
        ExportFormat::Csv => Box::new(CsvZip::create(out.path)?),
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
    for (serial, r) in (1..).zip(summary) {
        sink.row(serial, &summary_row(r, &months, t))?;
    }
    progress.done += summary.len() as u64;
    progress.save().await?;
    for l in Ledger::ALL {
        sink.sheet(&l.sheet())?;
        let mut after = Cursor::start();
        let mut serial = 0;
        loop {
            let rows = ledger::page(db, l, scope, after).await?;
            let Some((last, _)) = rows.last() else {
                break;
            };
            after = *last;
            let n = rows.len();
            for (_, cells) in &rows {
                serial += 1;
                sink.row(serial, cells)?;
            }
            progress.done += n as u64;
            progress.save().await?;
            if (n as u64) < ledger::PAGE {
                break;
            }
        }
    }
    if !tables.changes.is_empty() {
        sink.sheet(&sheets::changes())?;
        for (serial, r) in (1..).zip(tables.changes) {
            sink.row(serial, &change_row(r, t))?;
        }
        progress.done += tables.changes.len() as u64;
        progress.save().await?;
    }
    // Packing the workbook compresses every sheet: off the async threads.
    tokio::task::spawn_blocking(move || sink.finish())
        .await
        .map_err(|e| RunError::Other(format!("writer: {e}")))??;
    Ok(())
}

fn change_row(r: &crate::late::api::LateRow, t: &crate::i18n::Strings) -> Vec<Cell> {
    let kind = r.kind.map_or("", |k| k.label(t));
    let kind = match r.action {
        Some(a) if a != crate::types::LateAction::Create => format!("{kind}（{}）", a.label(t)),
        _ => kind.to_owned(),
    };
    vec![
        Cell::Date(r.record_date),
        Cell::text(r.cadre_name.clone()),
        Cell::text(r.org_name.clone()),
        Cell::text(kind),
        Cell::text(r.summary.clone()),
        Cell::text(r.reason.clone()),
        Cell::opt_text(r.decided_by.clone()),
        r.decided_on.map_or(Cell::Blank, Cell::Date),
    ]
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
