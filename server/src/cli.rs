//! The command line: `serve`, `migrate`, `create-admin`, `generate`, `remind`, `audit`, `backup`,
//! `restore`.

use crate::config::{DatabaseArgs, ServeArgs};
use crate::{bootstrap, db, startup::Application};
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "server",
    version,
    about = "Liaison (团干部直接联系青年管理系统): the web server and its tools"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (migrates the database first).
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate(DatabaseArgs),
    /// Create an administrator account (`--role sysadmin|secadmin|auditor`; and the district
    /// organisation if there is none). A fresh installation needs all three.
    CreateAdmin(CreateAdminArgs),
    /// Write a large generated district into an empty database (for benchmarks).
    Generate(GenerateArgs),
    /// Run one reminder tick as if at the given instant: make the reminders due, compose and
    /// send the emails due (for operators and tests; `serve` ticks every minute by itself).
    Remind(RemindArgs),
    /// The audit trail: verify its hash chain, or archive its oldest rows.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent backup of the database into `--to` while it serves (and a manifest
    /// beside it), or `verify` one.
    Backup(BackupArgs),
    /// Restore a backup into an empty database (one that holds any table is refused and left
    /// as it was).
    Restore(RestoreArgs),
}

/// `server backup --to DIR [--database URL]`, or `server backup verify FILE`.
#[derive(Args, Debug)]
#[command(subcommand_negates_reqs = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// The directory to write into (created when missing): `liaison-<UTC time>.db` (SQLite) or
    /// `.dump` (PostgreSQL, with `pg_dump` from the PATH), and `<file>.manifest.json`.
    #[arg(long, required = true)]
    pub to: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// Check a backup on its own against its manifest: checksum, database integrity, row
    /// counts and the audit chain (exit code 1 naming the check that failed).
    Verify { file: std::path::PathBuf },
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file (its manifest beside it).
    #[arg(long)]
    pub from: std::path::PathBuf,
    /// Where to restore: `sqlite://path` (a file not there yet, or an empty database) or
    /// `postgres://…/db` (an empty database, created beforehand). Never taken from the
    /// environment: a restore goes where it is told.
    #[arg(long)]
    pub database: String,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the hash chain and name the first row that does not hold (exit code 1 when one
    /// does not). With `--file`, walk an archive file on its own instead.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
    /// Move the rows older than `--before` (YYYY-MM-DD, at least 180 days ago) into `--to`, a
    /// new file that verifies on its own; the chain continues from an anchor.
    Archive {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        before: String,
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct RemindArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub mail: crate::config::MailArgs,
    /// The instant, RFC 3339 (`2026-12-03T09:00:00+08:00`); default: now.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long, default_value_t = 10_000)]
    pub cadres: usize,
    #[arg(long, default_value_t = 100)]
    pub youths_per_cadre: usize,
    #[arg(long, default_value_t = 5)]
    pub contacts_per_youth: usize,
    /// The password of every generated account (admin, supervisor, g00001 …).
    #[arg(
        long,
        env = "LIAISON_GENERATE_PASSWORD",
        default_value = "demo-liaison",
        hide_env_values = true
    )]
    pub password: String,
}

#[derive(Args, Debug)]
pub struct CreateAdminArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Which of the three administrators: sysadmin (系统管理员), secadmin (安全管理员), auditor
    /// (审计员).
    #[arg(long, default_value = "sysadmin", value_parser = ["sysadmin", "secadmin", "auditor"])]
    pub role: String,
    /// Default: the role's name (sysadmin, secadmin, auditor).
    #[arg(long)]
    pub username: Option<String>,
    /// Default: the role's label (系统管理员, 安全管理员, 审计员).
    #[arg(long)]
    pub name: Option<String>,
    /// The password (at least 8 characters); read from the environment so it stays out of shell history.
    #[arg(long, env = "LIAISON_ADMIN_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Name of the district organisation to create when the tree is empty.
    #[arg(long, default_value = "区团委")]
    pub district: String,
}

/// Parses the command line and runs the command.
///
/// # Errors
/// Whatever the command failed with.
pub async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(args) => Application::build(args).await?.run_until_stopped().await,
        Command::Migrate(args) => {
            let conn = db::connect(&args).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Generate(args) => {
            let conn = db::connect(&args.database).await?;
            db::migrate(&conn).await?;
            crate::generate::generate(
                &conn,
                crate::generate::Size {
                    cadres: args.cadres,
                    youths_per_cadre: args.youths_per_cadre,
                    contacts_per_youth: args.contacts_per_youth,
                },
                &args.password,
            )
            .await
        }
        Command::Audit { command } => audit(command).await,
        Command::Backup(args) => backup(args).await,
        Command::Restore(args) => {
            let restored = crate::backup::restore(&args.from, &args.database).await?;
            if let Some(b) = &restored.chain.broken {
                println!(
                    "restored {} into {}, but its audit chain is BROKEN at {b} (it was so in \
                     the backup)",
                    args.from.display(),
                    crate::backup::shown(&args.database)
                );
                std::process::exit(1);
            }
            println!("{}", restored.summary(&args.from, &args.database));
            Ok(())
        }
        Command::Remind(args) => {
            let at = match args.at.as_deref() {
                None => chrono::Utc::now(),
                Some(s) => chrono::DateTime::parse_from_rfc3339(s)
                    .map_err(|e| {
                        anyhow::anyhow!("--at {s:?}: {e} (e.g. 2026-12-03T09:00:00+08:00)")
                    })?
                    .with_timezone(&chrono::Utc),
            };
            let conn = db::connect(&args.database).await?;
            db::migrate(&conn).await?;
            let host = crate::scheduler::host_name();
            let env = app::reminders::scheduler::TickEnv {
                instance: crate::scheduler::instance_name(&host),
                host,
                mailer: args.mail.mailer()?,
                public_url: args.mail.public_url.trim_end_matches('/').to_owned(),
            };
            let r = app::reminders::scheduler::tick(&conn, &env, at)
                .await
                .map_err(|e| anyhow::anyhow!("reminder tick failed: {e:?}"))?;
            println!(
                "reminders at {}: {} made, {} emails sent, {} failed",
                at.to_rfc3339(),
                r.made,
                r.sent,
                r.failed
            );
            Ok(())
        }
        Command::CreateAdmin(args) => {
            let conn = db::connect(&args.database).await?;
            db::migrate(&conn).await?;
            let role = app::types::Role::parse(&args.role)
                .filter(|r| r.is_administrator())
                .ok_or_else(|| anyhow::anyhow!("--role: sysadmin, secadmin or auditor"))?;
            let username = args.username.unwrap_or_else(|| role.as_str().to_owned());
            let name = args
                .name
                .unwrap_or_else(|| role.label(app::i18n::Locale::ZhCn.strings()).to_owned());
            let id = bootstrap::create_admin(
                &conn,
                role,
                &username,
                &name,
                &args.password,
                &args.district,
            )
            .await?;
            println!("created {} account {username} (id {id})", role.as_str());
            Ok(())
        }
    }
}

async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    match (args.command, args.to) {
        (Some(BackupCommand::Verify { file }), None) => {
            let v = crate::backup::verify(&file).await?;
            match &v.failure {
                None => {
                    println!("{}", v.summary(&file));
                    Ok(())
                }
                Some(f) => {
                    println!("backup BROKEN: {} — {f}", file.display());
                    std::process::exit(1);
                }
            }
        }
        (Some(_), Some(_)) => anyhow::bail!(
            "--to goes with `server backup --to DIR`; `server backup verify FILE` reads only the file"
        ),
        (None, Some(dir)) => {
            let conn = crate::backup::open_source(&args.database).await?;
            let made = crate::backup::make(&conn, &args.database.url, &dir).await?;
            conn.close().await?;
            println!("{}", made.summary());
            Ok(())
        }
        (None, None) => anyhow::bail!("say where to write the backup: --to DIR"),
    }
}

async fn audit(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify {
            file: Some(file), ..
        } => {
            let v = crate::archive::verify_file(&file)?;
            match v.broken {
                None => {
                    println!(
                        "archive intact: {} rows, seq {}..={}",
                        v.rows, v.first_seq, v.last_seq
                    );
                    Ok(())
                }
                Some(b) => {
                    println!("archive BROKEN: {b}");
                    std::process::exit(1);
                }
            }
        }
        AuditCommand::Verify {
            database,
            file: None,
        } => {
            let conn = db::connect(&database).await?;
            db::migrate(&conn).await?;
            let v = app::ssr::audit::verify(&conn)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let from = v
                .anchored_at
                .map(|s| format!(" (continuing from the archive anchor at seq {s})"))
                .unwrap_or_default();
            match v.broken {
                None => {
                    println!("audit chain intact: {} rows{from}", v.rows);
                    Ok(())
                }
                Some(b) => {
                    println!("audit chain BROKEN at {b}{from}");
                    std::process::exit(1);
                }
            }
        }
        AuditCommand::Archive {
            database,
            before,
            to,
        } => {
            let before = chrono::NaiveDate::parse_from_str(&before, "%Y-%m-%d")
                .map_err(|e| anyhow::anyhow!("--before {before:?}: {e} (e.g. 2026-06-01)"))?;
            let conn = db::connect(&database).await?;
            db::migrate(&conn).await?;
            let a = crate::archive::archive(&conn, before, app::ssr::today(), &to).await?;
            println!(
                "archived {} audit rows (seq {}..={}) to {}",
                a.rows,
                a.first_seq,
                a.last_seq,
                to.display()
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(args).map(|c| c.command)
    }

    #[test]
    fn backup_takes_a_directory_or_verifies_a_file() {
        match parse(&["server", "backup", "--to", "/var/backups/liaison"]) {
            Ok(Command::Backup(BackupArgs {
                command: None,
                to: Some(to),
                ..
            })) => assert_eq!(to, std::path::PathBuf::from("/var/backups/liaison")),
            other => panic!("{other:?}"),
        }
        match parse(&["server", "backup", "verify", "liaison-20261203T020000Z.db"]) {
            Ok(Command::Backup(BackupArgs {
                command: Some(BackupCommand::Verify { file }),
                to: None,
                ..
            })) => assert_eq!(
                file,
                std::path::PathBuf::from("liaison-20261203T020000Z.db")
            ),
            other => panic!("{other:?}"),
        }
        assert!(parse(&["server", "backup"]).is_err(), "--to is required");
        assert!(
            parse(&["server", "backup", "verify"]).is_err(),
            "a file to verify"
        );
    }

    #[test]
    fn restore_needs_a_file_and_a_database_given_on_the_line() {
        match parse(&[
            "server",
            "restore",
            "--from",
            "b.dump",
            "--database",
            "postgres://localhost/new",
        ]) {
            Ok(Command::Restore(r)) => assert_eq!(r.database, "postgres://localhost/new"),
            other => panic!("{other:?}"),
        }
        assert!(parse(&["server", "restore", "--from", "b.dump"]).is_err());
    }

    #[test]
    fn serve_keeps_fourteen_backups_unless_told() {
        let keep = |args: &[&str]| match parse(args) {
            Ok(Command::Serve(s)) => Some((s.backup_dir, s.backup_keep)),
            _ => None,
        };
        assert_eq!(keep(&["server", "serve"]).map(|k| k.1), Some(14));
        assert_eq!(
            keep(&[
                "server",
                "serve",
                "--backup-dir",
                "/b",
                "--backup-keep",
                "3"
            ]),
            Some((Some("/b".into()), 3))
        );
        assert_eq!(keep(&["server", "serve", "--backup-keep", "0"]), None);
    }
}
