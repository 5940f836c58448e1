//! Backups that restore: `server backup --to DIR`, `server backup verify FILE`,
//! `server restore --from FILE --database URL`, and the nightly backup of `serve --backup-dir`
//! ([`nightly`]).
//!
//! A backup is one file — a SQLite copy made by `VACUUM INTO` (`liaison-<UTC>.db`) or a
//! `pg_dump --format=custom` archive (`liaison-<UTC>.dump`) — and a manifest beside it
//! (`<file>.manifest.json`): when it was taken, the backend, the schema version, the rows of
//! every table, the file's SHA-256 and the audit chain's head. Both describe one snapshot: the
//! counts are read from the written copy (SQLite) or inside the very snapshot `pg_dump` is handed
//! (PostgreSQL, `pg_export_snapshot()`), so a backup taken while the app writes is consistent and
//! its manifest tells the truth about it.
//!
//! Nothing is written under a backup's final name until it is whole: the file and the manifest
//! are written under hidden `.partial` names and renamed, the manifest last. A failed backup
//! (a full disk, a missing `pg_dump`) leaves nothing behind.

pub mod nightly;
mod postgres;
mod sqlite;

use anyhow::{bail, Context};
use app::ssr::audit::Broken;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, SubsecRound, Timelike, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

const FORMAT: &str = "liaison-backup/1";
const PREFIX: &str = "liaison-";
/// The UTC time in a backup's name: sorts as it reads.
const STAMP: &str = "%Y%m%dT%H%M%SZ";
/// What a manifest's name adds to its backup's.
pub const MANIFEST_SUFFIX: &str = ".manifest.json";
/// The nightly backup is made once 02:00 has struck in Asia/Shanghai.
pub const NIGHTLY_HOUR: u32 = 2;
/// Nightly backups kept in the directory when `--backup-keep` is not given.
pub const DEFAULT_KEEP: u32 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    ///
    /// # Errors
    /// A URL that is neither `sqlite:` nor `postgres://` / `postgresql://`.
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            bail!("the database URL must start with sqlite:// or postgres:// (it was {url:?})")
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The extension of its backup files.
    fn extension(self) -> &'static str {
        match self {
            Backend::Sqlite => "db",
            Backend::Postgres => "dump",
        }
    }
}

/// The newest audit row of a snapshot: where its chain ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for AuditHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seq {} (hash {})", self.seq, short(&self.hash))
    }
}

/// What is kept beside a backup file, as `<file>.manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `liaison-backup/1`.
    pub format: String,
    /// The backup file's name (the manifest sits beside it).
    pub file: String,
    /// When the snapshot was taken (UTC, RFC 3339).
    pub taken_at: DateTime<Utc>,
    pub backend: Backend,
    /// The newest migration applied in the snapshot (`seaql_migrations`).
    pub schema_version: Option<String>,
    /// Rows in each table of the snapshot.
    pub tables: BTreeMap<String, u64>,
    /// The snapshot's newest audit row (none in a database without audit rows).
    pub audit_head: Option<AuditHead>,
    /// The file's size and SHA-256 (lower-case hex).
    pub bytes: u64,
    pub sha256: String,
    /// How long the backup took.
    pub took_ms: u64,
}

impl Manifest {
    pub fn rows(&self) -> u64 {
        self.tables.values().sum()
    }

    /// "41 tables, 123,456 rows, schema m20261207_000002_backups".
    fn describe(&self) -> String {
        format!(
            "{} tables, {} rows, schema {}",
            self.tables.len(),
            thousands(self.rows()),
            self.schema_version.as_deref().unwrap_or("(none)"),
        )
    }

    /// "audit chain to seq 789", or "no audit rows".
    fn chain_end(&self) -> String {
        self.audit_head
            .as_ref()
            .map_or("no audit rows".to_owned(), |h| {
                format!("audit chain to seq {}", h.seq)
            })
    }

    fn taken(&self) -> String {
        self.taken_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// The manifest of a backup file: `<file>.manifest.json`.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(MANIFEST_SUFFIX);
    PathBuf::from(name)
}

/// Reads the manifest beside `file`.
///
/// # Errors
/// No manifest there, or one that is not a Liaison backup manifest.
pub fn read_manifest(file: &Path) -> anyhow::Result<Manifest> {
    let path = manifest_path(file);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: the manifest cannot be read (every backup has one beside it)",
            path.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a Liaison backup manifest", path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{}: a {} manifest, not {FORMAT}",
            path.display(),
            manifest.format
        );
    }
    Ok(manifest)
}

/// What a snapshot holds, as the manifest records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Contents {
    schema_version: Option<String>,
    tables: BTreeMap<String, u64>,
    audit_head: Option<AuditHead>,
}

/// Reads a snapshot's contents: on the written copy (SQLite) or inside the dump's transaction
/// (PostgreSQL). Every table of the schema is counted.
async fn contents(db: &impl ConnectionTrait) -> Result<Contents, DbErr> {
    let backend = db.get_database_backend();
    let list = match backend {
        DatabaseBackend::Postgres => {
            "SELECT tablename::text AS name FROM pg_tables \
             WHERE schemaname = current_schema() ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"
        }
    };
    let mut out = Contents::default();
    for row in db
        .query_all_raw(Statement::from_string(backend, list))
        .await?
    {
        let name: String = row.try_get("", "name")?;
        let count = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {}", quoted(&name)),
            ))
            .await?
            .ok_or_else(|| DbErr::Custom(format!("no count of {name}")))?;
        let n: i64 = count.try_get("", "n")?;
        out.tables.insert(name, u64::try_from(n).unwrap_or(0));
    }
    if out.tables.contains_key("seaql_migrations") {
        out.schema_version = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
            ))
            .await?
            .map(|r| r.try_get("", "version"))
            .transpose()?;
    }
    if out.tables.contains_key("audit_log") {
        out.audit_head = match db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            ))
            .await?
        {
            Some(r) => Some(AuditHead {
                seq: r.try_get("", "seq")?,
                hash: r.try_get("", "hash")?,
            }),
            None => None,
        };
    }
    Ok(out)
}

/// A table's name as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A backup just written.
#[derive(Clone, Debug)]
pub struct Made {
    pub path: PathBuf,
    pub manifest: Manifest,
}

impl Made {
    /// The one line `server backup` prints.
    pub fn summary(&self) -> String {
        let m = &self.manifest;
        format!(
            "backup written: {} — {}, {}, {}; {}, sha256 {}…, in {:.1} s",
            self.path.display(),
            m.backend.label(),
            m.describe(),
            m.chain_end(),
            megabytes(m.bytes),
            short(&m.sha256),
            m.took_ms as f64 / 1e3
        )
    }
}

/// Opens the database to back up. Unlike [`crate::db::connect`], a SQLite file that does not
/// exist is an error, not a new empty database.
///
/// # Errors
/// No SQLite file at the URL's path, or the database cannot be reached.
pub async fn open_source(args: &crate::config::DatabaseArgs) -> anyhow::Result<DatabaseConnection> {
    if Backend::of_url(&args.url)? == Backend::Sqlite {
        let path = crate::db::sqlite_path(&args.url).context(
            "the SQLite URL names no file (an in-memory database has nothing to back up)",
        )?;
        if !path.is_file() {
            bail!("there is no database at {}", path.display());
        }
    }
    Ok(crate::db::connect(args).await?)
}

/// Writes a consistent backup of `db` (at `url`) into `dir`, created if missing, while the app
/// keeps serving and writing: the file, then its manifest.
///
/// # Errors
/// The directory cannot be created or written (nothing is left under a backup's name then);
/// `pg_dump` is not on PATH or failed; a database error.
pub async fn make(db: &DatabaseConnection, url: &str, dir: &Path) -> anyhow::Result<Made> {
    let backend = Backend::of_url(url)?;
    let started = Instant::now();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: the backup directory cannot be created", dir.display()))?;
    let taken_at = Utc::now().trunc_subsecs(0);
    let name = file_name(taken_at, backend);
    let path = dir.join(&name);
    let manifest_at = manifest_path(&path);
    if path.exists() || manifest_at.exists() {
        bail!(
            "{}: a backup of that name exists already (at most one a second)",
            path.display()
        );
    }
    // Reserved first: a second backup in the same second (another process) cannot write into
    // this one. VACUUM INTO takes an empty file; pg_dump overwrites it.
    let partial_at = dir.join(format!(".{name}.partial"));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial_at)
        .with_context(|| {
            format!(
                "{}: cannot be created (another backup may be under way)",
                partial_at.display()
            )
        })?;
    let partial = Partial::new(partial_at);
    let contents = match backend {
        Backend::Sqlite => sqlite::snapshot(db, partial.path()).await?,
        Backend::Postgres => postgres::snapshot(db, url, partial.path()).await?,
    };
    let (bytes, sha256) = hash_file(partial.path().to_owned(), true).await?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        file: name.clone(),
        taken_at,
        backend,
        schema_version: contents.schema_version,
        tables: contents.tables,
        audit_head: contents.audit_head,
        bytes,
        sha256,
        took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let manifest_partial = Partial::new(dir.join(format!(".{name}{MANIFEST_SUFFIX}.partial")));
    write_synced(
        manifest_partial.path(),
        &serde_json::to_vec_pretty(&manifest)?,
    )
    .with_context(|| format!("{}: the manifest cannot be written", dir.display()))?;
    // The file first, the manifest last: a backup with a manifest is whole.
    partial.keep_as(&path)?;
    manifest_partial.keep_as(&manifest_at)?;
    sync_dir(dir);
    Ok(Made { path, manifest })
}

/// What `server backup verify` found in a backup.
#[derive(Clone, Debug)]
pub struct Verified {
    pub manifest: Manifest,
    /// Audit rows walked (when the walk was reached).
    pub audit_rows: u64,
    /// The first check that failed.
    pub failure: Option<Failure>,
}

impl Verified {
    /// The line `server backup verify` prints when every check held.
    pub fn summary(&self, file: &Path) -> String {
        let m = &self.manifest;
        format!(
            "backup intact: {} — {} taken {}; checksum and integrity hold, {} as its manifest \
             says, and the audit chain holds ({} rows, {})",
            file.display(),
            m.backend.label(),
            m.taken(),
            m.describe(),
            thousands(self.audit_rows),
            m.chain_end()
        )
    }
}

/// A check of [`verify`] that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The file is not what the manifest's checksum says: it changed after it was written.
    Checksum { manifest: String, file: String },
    /// The database in the file is damaged or unreadable.
    Integrity(String),
    /// The audit chain in the file does not hold.
    Chain(Broken),
    /// A table holds other rows than the manifest says.
    Count {
        table: String,
        manifest: u64,
        file: u64,
    },
    /// The audit chain ends elsewhere than the manifest says.
    Head {
        manifest: Option<AuditHead>,
        file: Option<AuditHead>,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head =
            |h: &Option<AuditHead>| h.as_ref().map_or("no row".to_owned(), |h| h.to_string());
        match self {
            Failure::Checksum { manifest, file } => write!(
                f,
                "checksum: the file's SHA-256 is {file}, its manifest says {manifest} (the file \
                 changed after it was written)"
            ),
            Failure::Integrity(why) => write!(f, "integrity: {why}"),
            Failure::Chain(b) => write!(f, "audit chain at seq {}: {b}", b.seq),
            Failure::Count {
                table,
                manifest,
                file,
            } => write!(
                f,
                "row counts: table {table} holds {file} rows, its manifest says {manifest}"
            ),
            Failure::Head { manifest, file } => write!(
                f,
                "audit chain: it ends at {}, its manifest says {}",
                head(file),
                head(manifest)
            ),
        }
    }
}

/// What a backup file was found to hold.
struct Found {
    tables: BTreeMap<String, u64>,
    chain: app::ssr::audit::Verified,
    audit_head: Option<AuditHead>,
}

/// Checks a backup on its own (no running Liaison, no database): its checksum against the
/// manifest, the database's integrity (SQLite `PRAGMA integrity_check`; PostgreSQL
/// `pg_restore --list`), the audit chain walked as `app::ssr::audit::verify` walks it, and the
/// row counts and chain head against the manifest. The first check that fails is named.
///
/// # Errors
/// The file or its manifest cannot be read; `pg_restore` is not on PATH; the file's audit rows
/// cannot be read.
pub async fn verify(file: &Path) -> anyhow::Result<Verified> {
    let manifest = read_manifest(file)?;
    let failed = |failure| Verified {
        manifest: manifest.clone(),
        audit_rows: 0,
        failure: Some(failure),
    };
    let (_, sha256) = hash_file(file.to_owned(), false).await?;
    if sha256 != manifest.sha256 {
        return Ok(failed(Failure::Checksum {
            manifest: manifest.sha256.clone(),
            file: sha256,
        }));
    }
    let found = match manifest.backend {
        Backend::Sqlite => sqlite::examine(file).await?,
        Backend::Postgres => postgres::examine(file).await?,
    };
    let found = match found {
        Ok(found) => found,
        Err(failure) => return Ok(failed(failure)),
    };
    let failure = compare(&manifest, &found);
    Ok(Verified {
        audit_rows: found.chain.rows,
        manifest,
        failure,
    })
}

/// The first way the file's contents differ from its manifest, the chain first.
fn compare(manifest: &Manifest, found: &Found) -> Option<Failure> {
    if let Some(b) = &found.chain.broken {
        return Some(Failure::Chain(b.clone()));
    }
    let tables: std::collections::BTreeSet<&String> =
        manifest.tables.keys().chain(found.tables.keys()).collect();
    for table in tables {
        let (m, f) = (
            manifest.tables.get(table).copied().unwrap_or(0),
            found.tables.get(table).copied().unwrap_or(0),
        );
        if m != f {
            return Some(Failure::Count {
                table: table.clone(),
                manifest: m,
                file: f,
            });
        }
    }
    (found.audit_head != manifest.audit_head).then(|| Failure::Head {
        manifest: manifest.audit_head.clone(),
        file: found.audit_head.clone(),
    })
}

/// A restore that refused its target: it holds tables already.
#[derive(Debug, thiserror::Error)]
#[error(
    "refused: {target} is not empty (it holds {tables} tables, such as {example}); a backup is \
     restored only into an empty database, so nothing was changed"
)]
pub struct NotEmpty {
    pub target: String,
    pub tables: usize,
    pub example: String,
}

/// What `server restore` did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// The restored database's audit chain, walked.
    pub chain: app::ssr::audit::Verified,
    /// The backup's schema has a migration this build does not know: a newer Liaison made it,
    /// and only that version serves it.
    pub newer_schema: bool,
}

impl Restored {
    pub fn summary(&self, file: &Path, url: &str) -> String {
        let next = if self.newer_schema {
            format!(
                "A newer Liaison made this backup (schema {}, unknown to this build): serve it \
                 with that version.",
                self.manifest.schema_version.as_deref().unwrap_or_default()
            )
        } else {
            "`server serve` on it applies any newer migrations first.".to_owned()
        };
        format!(
            "restored {} (taken {}) into {}: {}; its audit chain holds ({} rows). {next}",
            file.display(),
            self.manifest.taken(),
            shown(url),
            self.manifest.describe(),
            thousands(self.chain.rows)
        )
    }
}

/// Restores a backup into an empty database: a SQLite file that is absent or holds no table, or
/// a PostgreSQL database that exists and holds no table. The checksum is checked first; a
/// database holding anything is refused ([`NotEmpty`]) and left as it was. The restored
/// database's audit chain is walked afterwards.
///
/// # Errors
/// [`NotEmpty`]; a bad checksum; a backup of the other backend; `pg_restore` not on PATH or
/// failed (it runs in one transaction: nothing is left half-restored); the file cannot be
/// copied.
pub async fn restore(file: &Path, url: &str) -> anyhow::Result<Restored> {
    let manifest = read_manifest(file)?;
    let backend = Backend::of_url(url)?;
    if manifest.backend != backend {
        bail!(
            "{} is a {} backup: it restores into a {} database only",
            file.display(),
            manifest.backend.label(),
            manifest.backend.label()
        );
    }
    let (_, sha256) = hash_file(file.to_owned(), false).await?;
    if sha256 != manifest.sha256 {
        let failure = Failure::Checksum {
            manifest: manifest.sha256.clone(),
            file: sha256,
        };
        bail!("{failure}; nothing was restored");
    }
    match backend {
        Backend::Sqlite => {
            let target = crate::db::sqlite_path(url)
                .context("the SQLite URL names no file to restore into")?;
            sqlite::restore(file, &target).await?;
        }
        Backend::Postgres => postgres::restore(file, url).await?,
    }
    let db = crate::db::connect(&crate::config::DatabaseArgs {
        url: url.to_owned(),
        max_connections: 2,
    })
    .await?;
    let chain = app::ssr::audit::verify(&db)
        .await
        .map_err(|e| anyhow::anyhow!("the restored audit chain cannot be walked: {e:?}"));
    db.close().await?;
    use migrations::MigratorTrait;
    let newer_schema = manifest.schema_version.as_deref().is_some_and(|v| {
        !migrations::Migrator::migrations()
            .iter()
            .any(|m| m.name() == v)
    });
    Ok(Restored {
        manifest,
        chain: chain?,
        newer_schema,
    })
}

/// A file being written under a temporary name: removed when dropped, unless kept.
struct Partial {
    path: PathBuf,
    kept: bool,
}

impl Partial {
    fn new(path: PathBuf) -> Self {
        Partial { path, kept: false }
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Renames it into place; it is no longer removed.
    fn keep_as(mut self, to: &Path) -> anyhow::Result<()> {
        std::fs::rename(&self.path, to)
            .with_context(|| format!("{}: cannot be renamed into place", to.display()))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            // Nothing may be there (the backup failed before writing): that is fine.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes the renames in `dir` durable (best effort: not every filesystem syncs directories).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A file's size and SHA-256, read off the async threads; synced to disk first when asked.
async fn hash_file(path: PathBuf, sync: bool) -> anyhow::Result<(u64, String)> {
    tokio::task::spawn_blocking(move || {
        let mut f = std::fs::File::open(&path)
            .with_context(|| format!("{}: cannot be read", path.display()))?;
        if sync {
            f.sync_all()
                .with_context(|| format!("{}: cannot be synced to disk", path.display()))?;
        }
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut bytes = 0u64;
        loop {
            let n = f
                .read(&mut buf)
                .with_context(|| format!("{}: cannot be read", path.display()))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            bytes += n as u64;
        }
        Ok((bytes, hex::encode(h.finalize())))
    })
    .await?
}

/// The name of a backup taken at `at`: `liaison-20261203T020000Z.db` (or `.dump`).
pub fn file_name(at: DateTime<Utc>, backend: Backend) -> String {
    format!("{PREFIX}{}.{}", at.format(STAMP), backend.extension())
}

/// When a backup of this tool's naming was taken; `None` for any other name (manifests,
/// partial files, what else lives in the directory).
pub fn taken_at(name: &str) -> Option<NaiveDateTime> {
    let rest = name.strip_prefix(PREFIX)?;
    let stamp = rest
        .strip_suffix(".db")
        .or_else(|| rest.strip_suffix(".dump"))?;
    // Exactly the stamp: chrono alone would also read `2026…Z-copy` up to where it fits.
    (stamp.len() == 16)
        .then(|| NaiveDateTime::parse_from_str(stamp, STAMP).ok())
        .flatten()
}

/// Of the names in a backup directory, the backups to delete so that the newest `keep` remain,
/// oldest first. Only names this tool gives count; anything else is left alone.
pub fn to_prune<'a>(names: impl IntoIterator<Item = &'a str>, keep: usize) -> Vec<&'a str> {
    let mut ours: Vec<(NaiveDateTime, &str)> = names
        .into_iter()
        .filter_map(|n| taken_at(n).map(|t| (t, n)))
        .collect();
    ours.sort();
    let extra = ours.len().saturating_sub(keep);
    ours.into_iter().take(extra).map(|(_, n)| n).collect()
}

/// Whether `name` is the temporary file of a backup that began over a day before `now` (a
/// process killed while writing it): `.liaison-<stamp>.db.partial` and its manifest's.
pub fn stale_partial(name: &str, now: NaiveDateTime) -> bool {
    let Some(inner) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".partial"))
    else {
        return false;
    };
    let inner = inner.strip_suffix(MANIFEST_SUFFIX).unwrap_or(inner);
    taken_at(inner).is_some_and(|t| t < now - chrono::Duration::days(1))
}

/// The night whose backup is due at `at`, given the newest night known to be claimed: the
/// Shanghai date of `at` once 02:00 has struck there and until it is claimed. Before 02:00
/// nothing is due; an instance that was down at 02:00 makes the night's backup when it starts
/// later that day.
pub fn due_night(at: DateTime<Utc>, last_claimed: Option<NaiveDate>) -> Option<NaiveDate> {
    let local = app::reminders::rules::local(at);
    let night = local.date();
    (local.hour() >= NIGHTLY_HOUR && last_claimed.is_none_or(|last| last < night)).then_some(night)
}

/// The URL without its password, for messages.
pub fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// 123456 as "123,456".
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A Shanghai wall-clock time as an instant.
    fn shanghai(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn before_two_in_shanghai_no_backup_is_due() {
        assert_eq!(due_night(shanghai(2026, 12, 3, 0, 0), None), None);
        assert_eq!(due_night(shanghai(2026, 12, 3, 1, 59), None), None);
        // Even when yesterday's night was missed: the next chance is tonight.
        assert_eq!(
            due_night(shanghai(2026, 12, 3, 1, 59), Some(day(2026, 12, 1))),
            None
        );
    }

    #[test]
    fn from_two_the_nights_backup_is_due_once() {
        let at = shanghai(2026, 12, 3, 2, 0);
        assert_eq!(due_night(at, None), Some(day(2026, 12, 3)));
        assert_eq!(
            due_night(at, Some(day(2026, 12, 2))),
            Some(day(2026, 12, 3))
        );
        // Claimed: not again that day, nor at 23:59.
        assert_eq!(due_night(at, Some(day(2026, 12, 3))), None);
        assert_eq!(
            due_night(shanghai(2026, 12, 3, 23, 59), Some(day(2026, 12, 3))),
            None
        );
        // The next night.
        assert_eq!(
            due_night(shanghai(2026, 12, 4, 2, 1), Some(day(2026, 12, 3))),
            Some(day(2026, 12, 4))
        );
    }

    #[test]
    fn a_server_down_at_two_catches_up_later_that_day() {
        // Started at 15:00 with last night's backup made the day before.
        assert_eq!(
            due_night(shanghai(2026, 12, 3, 15, 0), Some(day(2026, 12, 2))),
            Some(day(2026, 12, 3))
        );
        assert_eq!(
            due_night(shanghai(2026, 12, 3, 15, 0), None),
            Some(day(2026, 12, 3))
        );
    }

    #[test]
    fn the_night_is_the_shanghai_date_not_the_utc_one() {
        // 02:30 in Shanghai is 18:30 UTC the day before.
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 18, 30, 0).unwrap();
        assert_eq!(due_night(at, None), Some(day(2026, 12, 3)));
        // 17:59 UTC is 01:59 in Shanghai: nothing yet.
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 17, 59, 0).unwrap();
        assert_eq!(due_night(at, Some(day(2026, 12, 2))), None);
    }

    #[test]
    fn backup_names_sort_by_time_and_read_back() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        assert_eq!(
            file_name(at, Backend::Sqlite),
            "liaison-20261203T020000Z.db"
        );
        assert_eq!(
            file_name(at, Backend::Postgres),
            "liaison-20261203T020000Z.dump"
        );
        assert_eq!(
            taken_at("liaison-20261203T020000Z.dump"),
            Some(at.naive_utc())
        );
        for other in [
            "liaison-20261203T020000Z.db.manifest.json",
            ".liaison-20261203T020000Z.db.partial",
            "liaison-20261203T020000Z-copy.db",
            "liaison-2026.db",
            "notes.txt",
            "liaison.db",
        ] {
            assert_eq!(taken_at(other), None, "{other}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_and_touches_nothing_else() {
        let names = [
            "liaison-20261203T020000Z.db",
            "liaison-20261201T020000Z.db",
            "liaison-20261201T020000Z.db.manifest.json",
            "liaison-20261202T020000Z.dump",
            "liaison-20261130T020000Z.db",
            "readme.txt",
            ".liaison-20261129T020000Z.db.partial",
        ];
        assert_eq!(
            to_prune(names, 2),
            vec!["liaison-20261130T020000Z.db", "liaison-20261201T020000Z.db"]
        );
        assert!(to_prune(names, 4).is_empty());
        assert!(to_prune(names, 14).is_empty());
        assert_eq!(to_prune(names, 0).len(), 4);
    }

    #[test]
    fn only_partial_files_over_a_day_old_are_stale() {
        let now = NaiveDateTime::parse_from_str("20261203T020000Z", STAMP).unwrap();
        assert!(stale_partial(".liaison-20261201T180000Z.db.partial", now));
        assert!(stale_partial(
            ".liaison-20261201T180000Z.dump.manifest.json.partial",
            now
        ));
        // Under way, perhaps in another process.
        assert!(!stale_partial(".liaison-20261202T180000Z.db.partial", now));
        assert!(!stale_partial("liaison-20261201T180000Z.db", now));
        assert!(!stale_partial(
            ".liaison-20261201T180000Z.db.restoring",
            now
        ));
        assert!(!stale_partial(".bashrc.partial", now));
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(
            shown("postgres://liaison:s3cret@db.internal/liaison"),
            "postgres://liaison:***@db.internal/liaison"
        );
        assert_eq!(
            shown("sqlite://data/liaison.db"),
            "sqlite://data/liaison.db"
        );
    }

    #[test]
    fn numbers_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            file: "liaison-20261203T020000Z.db".to_owned(),
            taken_at: Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap(),
            backend: Backend::Sqlite,
            schema_version: Some("m20261207_000002_backups".to_owned()),
            tables: [("accounts".to_owned(), 3), ("audit_log".to_owned(), 5)].into(),
            audit_head: Some(AuditHead {
                seq: 5,
                hash: "ab".repeat(32),
            }),
            bytes: 4096,
            sha256: "cd".repeat(32),
            took_ms: 12,
        }
    }

    #[test]
    fn manifests_keep_the_time_in_rfc_3339_utc() {
        let json = serde_json::to_value(manifest()).unwrap();
        assert_eq!(json["taken_at"], "2026-12-03T02:00:00Z");
        assert_eq!(json["backend"], "sqlite");
        assert_eq!(json["tables"]["audit_log"], 5);
        assert_eq!(json["audit_head"]["seq"], 5);
        let back: Manifest = serde_json::from_value(json).unwrap();
        assert_eq!(back, manifest());
    }

    #[test]
    fn the_file_is_compared_with_its_manifest_chain_first() {
        let m = manifest();
        let found = |tables: BTreeMap<String, u64>, head: Option<AuditHead>, broken| Found {
            tables,
            chain: app::ssr::audit::Verified {
                rows: 5,
                anchored_at: None,
                broken,
            },
            audit_head: head,
        };
        assert_eq!(
            compare(&m, &found(m.tables.clone(), m.audit_head.clone(), None)),
            None
        );
        let mut fewer = m.tables.clone();
        fewer.insert("accounts".to_owned(), 2);
        assert_eq!(
            compare(&m, &found(fewer, m.audit_head.clone(), None)),
            Some(Failure::Count {
                table: "accounts".to_owned(),
                manifest: 3,
                file: 2
            })
        );
        let mut more = m.tables.clone();
        more.insert("youths".to_owned(), 1);
        assert!(matches!(
            compare(&m, &found(more, m.audit_head.clone(), None)),
            Some(Failure::Count { table, .. }) if table == "youths"
        ));
        let broken = Broken {
            id: Some(9),
            seq: 4,
            why: app::ssr::audit::Break::Changed,
        };
        let f = compare(&m, &found(m.tables.clone(), None, Some(broken.clone())));
        assert_eq!(f, Some(Failure::Chain(broken)));
        assert!(f.unwrap().to_string().starts_with("audit chain at seq 4"));
        assert!(matches!(
            compare(&m, &found(m.tables.clone(), None, None)),
            Some(Failure::Head { .. })
        ));
    }

    #[test]
    fn a_partial_file_is_removed_unless_kept() {
        let dir = std::env::temp_dir().join(format!("liaison-partial-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let gone = dir.join(".a.partial");
        std::fs::write(&gone, b"half").unwrap();
        drop(Partial::new(gone.clone()));
        assert!(!gone.exists());
        let kept = dir.join(".b.partial");
        std::fs::write(&kept, b"whole").unwrap();
        Partial::new(kept.clone()).keep_as(&dir.join("b")).unwrap();
        assert!(!kept.exists());
        assert_eq!(std::fs::read(dir.join("b")).unwrap(), b"whole");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
