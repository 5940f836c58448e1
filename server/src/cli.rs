//! The command line: `serve`, `migrate`, `create-admin`.

use crate::config::{DatabaseArgs, ServeArgs};
use crate::{db, demo, startup::Application};
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
    /// Create an administrator account (and the district organisation if there is none).
    CreateAdmin(CreateAdminArgs),
    /// Write a large generated district into an empty database (for benchmarks).
    Generate(GenerateArgs),
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
    #[arg(long, default_value = "admin")]
    pub username: String,
    #[arg(long, default_value = "系统管理员")]
    pub name: String,
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
        Command::CreateAdmin(args) => {
            let conn = db::connect(&args.database).await?;
            db::migrate(&conn).await?;
            let id = demo::create_admin(
                &conn,
                &args.username,
                &args.name,
                &args.password,
                &args.district,
            )
            .await?;
            println!("created admin account {} (id {id})", args.username);
            Ok(())
        }
    }
}
