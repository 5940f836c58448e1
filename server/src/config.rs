//! Typed configuration, loaded once from flags with environment fallbacks.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

use app::ssr::defaults;

pub const DEFAULT_DATABASE: &str = "sqlite://data/liaison.db";
pub const DEFAULT_MAX_CONNECTIONS: u32 = 8;
pub const DEFAULT_MAIL_FROM: &str = "Liaison <noreply@localhost>";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
pub const DEFAULT_SITE_ROOT: &str = "target/site";

#[derive(Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://path/to/file.db` (created on first start) or
    /// `postgres://user@host/db`.
    #[arg(long = "database", env = "LIAISON_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub url: String,
    /// Most connections in the pool.
    #[arg(long, env = "LIAISON_DB_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: u32,
}

/// Email for reminders (off when `--smtp-url` is not given).
#[derive(Args, Clone, Debug, Default)]
pub struct MailArgs {
    /// SMTP server for reminder emails: `smtps://user:pass@host:465` (TLS) or
    /// `smtp://user:pass@host:587` (STARTTLS required except to this machine). Not given: no email.
    #[arg(long, env = "LIAISON_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of reminder emails, e.g. `团干部联系青年 <noreply@example.org>`.
    #[arg(
        long,
        env = "LIAISON_MAIL_FROM",
        default_value = DEFAULT_MAIL_FROM
    )]
    pub mail_from: String,
    /// The app's address as users reach it: links in emails and the calendar feed's address.
    #[arg(
        long,
        env = "LIAISON_PUBLIC_URL",
        default_value = defaults::PUBLIC_URL
    )]
    pub public_url: String,
}

impl MailArgs {
    /// The mailer, when configured.
    ///
    /// # Errors
    /// A URL or sender address that cannot be used.
    pub fn mailer(&self) -> anyhow::Result<Option<std::sync::Arc<app::ssr::mail::Mailer>>> {
        match self.smtp_url.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(url) => app::ssr::mail::Mailer::new(url, &self.mail_from)
                .map(|m| Some(std::sync::Arc::new(m)))
                .map_err(anyhow::Error::msg),
        }
    }
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LIAISON_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Load the demo district into an empty database and show the demo accounts at sign-in.
    #[arg(long, env = "LIAISON_DEMO")]
    pub demo: bool,
    /// Where the built site (`pkg/` with wasm, JS and CSS) lives; cargo-leptos writes it here.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = DEFAULT_SITE_ROOT)]
    pub site_root: PathBuf,
    /// Mark the session cookie Secure (serve behind HTTPS).
    #[arg(long, env = "LIAISON_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Take the client address from X-Forwarded-For (behind a reverse proxy).
    #[arg(long, env = "LIAISON_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// How many proxies in front of the app append to X-Forwarded-For: the client address is
    /// taken that many entries from the right.
    #[arg(long, env = "LIAISON_PROXY_HOPS", default_value_t = defaults::PROXY_HOPS)]
    pub proxy_hops: usize,
    /// Days a session lasts without signing in again.
    #[arg(long, env = "LIAISON_SESSION_DAYS", default_value_t = defaults::SESSION_DAYS)]
    pub session_days: i64,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Seconds between reminder ticks (every instance runs them; each reminder and email
    /// still happens once). 0 turns the scheduler off in this instance.
    #[arg(long, env = "LIAISON_TICK_SECONDS", default_value_t = 60)]
    pub tick_seconds: u64,
    /// Where finished exports are kept for 7 days. With several instances, a directory they
    /// all share (for example an NFS mount): any instance may write a job's file and any may
    /// serve it.
    #[arg(long, env = "LIAISON_EXPORT_DIR", default_value = defaults::EXPORT_DIR)]
    pub export_dir: PathBuf,
    /// The CJK font of PDF exports (an OpenType file or collection; never a variable CJK font).
    #[arg(long, env = "LIAISON_PDF_FONT", default_value = defaults::PDF_FONT)]
    pub pdf_font: PathBuf,
    /// The face in that collection: 2 is Simplified Chinese in Noto Sans CJK.
    #[arg(long, env = "LIAISON_PDF_FONT_INDEX", default_value_t = defaults::PDF_FONT_INDEX)]
    pub pdf_font_index: u32,
    /// Uploaded files parsed at once in this instance (off the async threads; others wait
    /// up to 15 s, then are told to try again).
    #[arg(long, env = "LIAISON_UPLOAD_PARSERS", default_value_t = defaults::UPLOAD_PARSERS)]
    pub upload_parsers: usize,
    /// Back the database up into this directory every night at 02:00 (Asia/Shanghai); no
    /// backups when not given. With several instances one makes each night's backup, into its
    /// own `--backup-dir`: give them all the same directory (shared storage).
    #[arg(long, env = "LIAISON_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Nightly backups kept in `--backup-dir`: the oldest beyond these are deleted.
    #[arg(
        long,
        env = "LIAISON_BACKUP_KEEP",
        default_value_t = crate::backup::DEFAULT_KEEP,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub backup_keep: u32,
}

impl ServeArgs {
    /// Settings for tests and tools: an address, a database and defaults for the rest.
    pub fn new(listen: SocketAddr, database_url: impl Into<String>) -> Self {
        ServeArgs {
            listen,
            database: DatabaseArgs {
                url: database_url.into(),
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
            demo: false,
            site_root: PathBuf::from(DEFAULT_SITE_ROOT),
            secure_cookies: false,
            trust_proxy: false,
            proxy_hops: defaults::PROXY_HOPS,
            session_days: defaults::SESSION_DAYS,
            mail: MailArgs {
                smtp_url: None,
                mail_from: DEFAULT_MAIL_FROM.to_owned(),
                public_url: defaults::PUBLIC_URL.to_owned(),
            },
            // Tests and benchmarks drive reminders explicitly (`server remind --at`).
            tick_seconds: 0,
            // A directory of its own for each app a test starts.
            export_dir: std::env::temp_dir().join(format!(
                "liaison-exports-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            )),
            pdf_font: PathBuf::from(defaults::PDF_FONT),
            pdf_font_index: defaults::PDF_FONT_INDEX,
            upload_parsers: defaults::UPLOAD_PARSERS,
            backup_dir: None,
            backup_keep: crate::backup::DEFAULT_KEEP,
        }
    }
}
