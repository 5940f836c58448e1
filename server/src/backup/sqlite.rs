//! SQLite: `VACUUM INTO` writes the copy inside one read transaction (WAL mode lets the app go on
//! writing meanwhile), and the manifest is read from the copy itself, opened read-only. A restore
//! copies the file into place.

use super::{contents, Contents, Failure, Found, NotEmpty, Partial};
use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, SqlxSqliteConnector, Statement,
};
use std::path::Path;

/// The first 16 bytes of every SQLite database file.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Writes the consistent copy of `db` to `to` (which must not exist) and reads what it holds.
pub(super) async fn snapshot(db: &DatabaseConnection, to: &Path) -> anyhow::Result<Contents> {
    let target = to
        .to_str()
        .context("the backup directory's path is not valid UTF-8, which SQLite needs")?;
    db.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Sqlite,
        "VACUUM INTO ?",
        [target.into()],
    ))
    .await
    .with_context(|| format!("{}: SQLite could not write the copy", to.display()))?;
    let copy = open_read_only(to).await?;
    let read = contents(&copy).await;
    copy.close().await?;
    Ok(read?)
}

/// A written SQLite file, opened so that nothing can change it (no journal, no WAL, no lock).
async fn open_read_only(path: &Path) -> anyhow::Result<DatabaseConnection> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .with_context(|| format!("{}: cannot be opened as a SQLite database", path.display()))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Checks a backup file: `PRAGMA integrity_check`, then its contents and its audit chain.
pub(super) async fn examine(file: &Path) -> anyhow::Result<Result<Found, Failure>> {
    let mut head = [0u8; 16];
    let magic = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == MAGIC;
    if !magic {
        return Ok(Err(Failure::Integrity(format!(
            "{} is not a SQLite database (it does not begin as one)",
            file.display()
        ))));
    }
    let db = match open_read_only(file).await {
        Ok(db) => db,
        Err(e) => return Ok(Err(Failure::Integrity(format!("{e:#}")))),
    };
    let found = check(&db).await;
    db.close().await?;
    found
}

async fn check(db: &DatabaseConnection) -> anyhow::Result<Result<Found, Failure>> {
    let rows = match db
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            return Ok(Err(Failure::Integrity(format!(
                "SQLite cannot check the file: {e}"
            ))))
        }
    };
    let said: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if said != ["ok"] {
        let shown: Vec<&str> = said.iter().take(5).map(String::as_str).collect();
        return Ok(Err(Failure::Integrity(format!(
            "SQLite's integrity check found problems: {}",
            shown.join("; ")
        ))));
    }
    let read = contents(db)
        .await
        .context("the backup's tables cannot be read")?;
    let chain = app::ssr::audit::verify(db)
        .await
        .map_err(|e| anyhow::anyhow!("the backup's audit chain cannot be read: {e:?}"))?;
    Ok(Ok(Found {
        tables: read.tables,
        chain,
        audit_head: read.audit_head,
    }))
}

/// Copies a backup into place at `target`: a file that does not exist yet, or a database that
/// holds no table and that nothing has open.
pub(super) async fn restore(file: &Path, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        refuse_unless_empty(target).await?;
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: the directory cannot be created", dir.display()))?;
    let name = target
        .file_name()
        .context("the SQLite URL names no file")?
        .to_string_lossy()
        .into_owned();
    let partial = Partial::new(dir.join(format!(".{name}.restoring")));
    let (from, to) = (file.to_owned(), partial.path().to_owned());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut src = std::fs::File::open(&from)?;
        let mut dst = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&to)?;
        std::io::copy(&mut src, &mut dst)?;
        dst.sync_all()
    })
    .await?
    .with_context(|| format!("{}: the backup cannot be copied here", dir.display()))?;
    // An empty database's leftovers: its WAL (empty, or the check above refused) and the
    // shared-memory index would be taken for the restored file's.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(side));
    }
    partial.keep_as(target)?;
    super::sync_dir(&dir);
    Ok(())
}

async fn refuse_unless_empty(target: &Path) -> anyhow::Result<()> {
    let shown = target.display().to_string();
    if std::fs::metadata(target)
        .with_context(|| format!("{shown}: cannot be read"))?
        .len()
        == 0
    {
        return Ok(());
    }
    let opts = SqliteConnectOptions::new()
        .filename(target)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .with_context(|| {
            format!("refused: {shown} is not a SQLite database; nothing was changed")
        })?;
    let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let tables = db
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        ))
        .await;
    db.close().await?;
    let tables: Vec<String> = tables
        .with_context(|| format!("refused: {shown} cannot be read as a SQLite database"))?
        .iter()
        .filter_map(|r| r.try_get::<String>("", "name").ok())
        .collect();
    if let Some(first) = tables.first() {
        return Err(NotEmpty {
            target: shown,
            tables: tables.len(),
            example: first.clone(),
        }
        .into());
    }
    // Closed above: a WAL left behind now belongs to someone who still has the file open.
    let mut wal = target.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(std::path::PathBuf::from(wal)).is_ok_and(|m| m.len() > 0) {
        anyhow::bail!(
            "refused: {shown} is open in another program (its write-ahead log is not empty); \
             stop it first. Nothing was changed"
        );
    }
    Ok(())
}
