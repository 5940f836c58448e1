//! Connecting to the database and bringing its schema up to date.

use crate::config::DatabaseArgs;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens the pool. SQLite: the file (and its folder) are created on first start, in WAL mode with
/// foreign keys on and a busy timeout, and with a real pool (sea-orm's default is one connection).
///
/// # Errors
/// The database cannot be reached or the SQLite file cannot be created.
pub async fn connect(args: &DatabaseArgs) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(args)?).await
}

/// How [`connect`] opens connections (the writer's own connection is opened alike).
///
/// # Errors
/// The SQLite file's folder cannot be created.
pub fn options(args: &DatabaseArgs) -> Result<ConnectOptions, DbErr> {
    let mut opts = ConnectOptions::new(args.url.clone());
    opts.max_connections(args.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if args.url.starts_with("sqlite:") {
        if let Some(dir) = sqlite_path(&args.url).and_then(|p| p.parent().map(|d| d.to_owned())) {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| DbErr::Custom(format!("{}: {e}", dir.display())))?;
            }
        }
        opts.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    }
    Ok(opts)
}

/// Starts the instance's writer (see [`app::ssr::writer`]) on a connection of its own.
///
/// # Errors
/// The database cannot be reached.
pub async fn writer(args: &DatabaseArgs) -> Result<app::ssr::writer::Writer, DbErr> {
    app::ssr::writer::Writer::start(options(args)?).await
}

/// The file behind a `sqlite://` URL, if it names one.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// Applies every pending migration.
///
/// # Errors
/// A migration failed.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/liaison.db"),
            Some("data/liaison.db".into())
        );
        assert_eq!(
            sqlite_path("sqlite://data/x.db?mode=rwc"),
            Some("data/x.db".into())
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
