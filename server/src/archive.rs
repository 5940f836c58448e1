//! `server audit verify` and `server audit archive`: the audit trail's chain walked from the
//! command line, and its oldest rows (at least 180 days old: the Cybersecurity Law's six months)
//! moved into a file that verifies on its own, leaving an anchor the chain continues from.
//!
//! The file is JSON Lines: a header (`format`, `before`, `prev_hash`, `first_seq`), one line per
//! row (every column, both hashes), and a trailer (`last_seq`, `last_hash`, `rows`).

use anyhow::{bail, Context};
use app::model::entities::{audit_anchor, audit_head, audit_log};
use app::ssr::audit::{self, check_rows, Broken, Outcome};
use chrono::{DateTime, NaiveDate, Utc};
use migrations::audit_chain::GENESIS;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};
use std::path::Path;

/// Rows younger than this stay in the database.
pub const KEEP_DAYS: i64 = 180;
const FORMAT: &str = "liaison-audit-archive/1";
const BATCH: u64 = 5_000;

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    before: NaiveDate,
    prev_hash: String,
    first_seq: i64,
}

#[derive(Serialize, Deserialize)]
struct Trailer {
    last_seq: i64,
    last_hash: String,
    rows: u64,
}

/// A row as the file keeps it.
#[derive(Serialize, Deserialize)]
struct Row {
    id: i64,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    role: String,
    ip: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    result: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<audit_log::Model> for Row {
    fn from(m: audit_log::Model) -> Self {
        Row {
            id: m.id,
            seq: m.seq,
            at: m.at,
            actor_id: m.actor_id,
            role: m.role,
            ip: m.ip,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            result: m.result,
            details: m.details,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

impl From<Row> for audit_log::Model {
    fn from(r: Row) -> Self {
        audit_log::Model {
            id: r.id,
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            role: r.role,
            ip: r.ip,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            result: r.result,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// What an archive did.
#[derive(Debug, PartialEq, Eq)]
pub struct Archived {
    pub rows: u64,
    pub first_seq: i64,
    pub last_seq: i64,
}

/// The latest day `archive` accepts on `today`: 180 days back.
pub fn latest_before(today: NaiveDate) -> NaiveDate {
    today - chrono::Duration::days(KEEP_DAYS)
}

/// Moves the rows older than `before` (a Shanghai day) into `to`, then removes them from the
/// database under an anchor, in one transaction. The chain is walked first: a broken chain is
/// not archived (the file would carry the break away from where it can be seen).
///
/// # Errors
/// `before` later than 180 days before `today`; a broken chain; the file exists or cannot be
/// written; a database error.
pub async fn archive(
    db: &DatabaseConnection,
    before: NaiveDate,
    today: NaiveDate,
    to: &Path,
) -> anyhow::Result<Archived> {
    let latest = latest_before(today);
    if before > latest {
        bail!(
            "--before {before} is less than {KEEP_DAYS} days ago: audit rows are kept at least \
             {KEEP_DAYS} days (the latest day allowed today is {latest})"
        );
    }
    let walked = audit::verify(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if let Some(b) = walked.broken {
        bail!("the audit chain is broken ({b}): not archiving");
    }
    let cutoff = app::rules::shanghai_midnight(before);
    let anchor = audit_anchor::Entity::find()
        .order_by_desc(audit_anchor::Column::LastSeq)
        .one(db)
        .await?;
    let (from_seq, prev) = anchor.as_ref().map_or((0, GENESIS.to_owned()), |a| {
        (a.last_seq, a.last_hash.clone())
    });
    // The rows before the first one on or after the cutoff (the chain's order is the order of
    // writing; a row's time is taken just before, so the two agree but for ties).
    let first_kept = audit_log::Entity::find()
        .filter(audit_log::Column::At.gte(cutoff))
        .order_by_asc(audit_log::Column::Seq)
        .one(db)
        .await?;
    let last_seq = match first_kept {
        Some(r) => r.seq - 1,
        None => audit_head::Entity::find_by_id(1)
            .one(db)
            .await?
            .map_or(0, |h| h.seq),
    };
    if last_seq <= from_seq {
        bail!("no audit rows older than {before} are left to archive");
    }

    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .with_context(|| {
            format!(
                "{}: cannot create (an existing file is never overwritten)",
                to.display()
            )
        })?;
    let mut out = std::io::BufWriter::new(&mut file);
    serde_json::to_writer(
        &mut out,
        &Header {
            format: FORMAT.to_owned(),
            before,
            prev_hash: prev.clone(),
            first_seq: from_seq + 1,
        },
    )?;
    out.write_all(b"\n")?;
    let (mut seq, mut hash, mut rows) = (from_seq, prev, 0u64);
    while seq < last_seq {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(seq))
            .filter(audit_log::Column::Seq.lte(last_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            bail!("audit rows after seq {seq} vanished while archiving");
        };
        (seq, hash) = (last.seq, last.hash.clone());
        for m in batch {
            serde_json::to_writer(&mut out, &Row::from(m))?;
            out.write_all(b"\n")?;
            rows += 1;
        }
    }
    serde_json::to_writer(
        &mut out,
        &Trailer {
            last_seq,
            last_hash: hash.clone(),
            rows,
        },
    )?;
    out.write_all(b"\n")?;
    out.flush()?;
    drop(out);
    file.sync_all()?;
    let sha = hex::encode(Sha256::digest(std::fs::read(to)?));

    let txn = db.begin().await?;
    audit_anchor::ActiveModel {
        created_at: Set(Utc::now()),
        before: Set(before),
        first_seq: Set(from_seq + 1),
        last_seq: Set(last_seq),
        last_hash: Set(hash),
        rows: Set(i64::try_from(rows).unwrap_or(i64::MAX)),
        file: Set(to.display().to_string()),
        file_sha256: Set(sha.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit_log::Entity::delete_many()
        .filter(audit_log::Column::Seq.lte(last_seq))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor_id: None,
            role: None,
            action: "audit_archive",
            entity: "audit_log",
            entity_id: None,
            details: format!(
                "seq {}..={last_seq} ({rows} rows, before {before}) to {} sha256 {sha}",
                from_seq + 1,
                to.display()
            ),
            ip: None,
            result: Outcome::Success,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.commit().await?;
    Ok(Archived {
        rows,
        first_seq: from_seq + 1,
        last_seq,
    })
}

/// What a file's walk found.
#[derive(Debug, PartialEq, Eq)]
pub struct FileVerified {
    pub rows: u64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub broken: Option<Broken>,
}

/// Walks an archive file's chain on its own: from its header's hash through every row to its
/// trailer.
///
/// # Errors
/// The file cannot be read, or is no archive (no header, no trailer, a line that is not JSON).
pub fn verify_file(path: &Path) -> anyhow::Result<FileVerified> {
    let file = std::fs::File::open(path).with_context(|| path.display().to_string())?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header: Header = serde_json::from_str(&lines.next().context("an empty file")??)
        .context("no archive header on the first line")?;
    if header.format != FORMAT {
        bail!("not a {FORMAT} file: {}", header.format);
    }
    let (mut seq, mut prev) = (header.first_seq - 1, header.prev_hash);
    let mut rows = 0u64;
    let mut pending: Option<String> = lines.next().transpose()?;
    while let Some(line) = pending {
        let next = lines.next().transpose()?;
        if next.is_none() {
            let trailer: Trailer =
                serde_json::from_str(&line).context("no archive trailer on the last line")?;
            let broken =
                (trailer.last_seq != seq || trailer.last_hash != prev || trailer.rows != rows)
                    .then_some(Broken {
                        id: None,
                        seq,
                        why: app::ssr::audit::Break::Truncated,
                    });
            return Ok(FileVerified {
                rows,
                first_seq: header.first_seq,
                last_seq: seq,
                broken,
            });
        }
        let row: Row = serde_json::from_str(&line)
            .with_context(|| format!("line {}: not an audit row", rows + 2))?;
        let model = audit_log::Model::from(row);
        if let Some(b) = check_rows([&model], &mut seq, &mut prev) {
            return Ok(FileVerified {
                rows,
                first_seq: header.first_seq,
                last_seq: seq,
                broken: Some(b),
            });
        }
        rows += 1;
        pending = next;
    }
    bail!("no archive trailer: the file ends early")
}
