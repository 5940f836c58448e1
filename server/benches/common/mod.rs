//! What the district-scale benchmarks share: the database (`BENCH_DATABASE_URL`, or a small
//! generated district in a temporary SQLite file) and the real app served in this process with
//! a signed-in admin.

use reqwest::header;
use server::config::ServeArgs;
use server::startup::Application;

/// `BENCH_DATABASE_URL`, or a new SQLite file with a generated district of 500 cadres.
pub async fn database(name: &str) -> anyhow::Result<String> {
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        return Ok(url);
    }
    let path = std::env::temp_dir().join(format!(
        "liaison-{name}-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let url = format!("sqlite://{}", path.display());
    let args = server::config::DatabaseArgs {
        url: url.clone(),
        max_connections: 8,
    };
    let db = server::db::connect(&args).await?;
    server::db::migrate(&db).await?;
    server::generate::generate(
        &db,
        server::generate::Size {
            cadres: 500,
            youths_per_cadre: 100,
            contacts_per_youth: 5,
        },
        "demo-liaison",
    )
    .await?;
    Ok(url)
}

/// The app on `args`, served in this process: its address and a client signed in as `admin`.
pub async fn serve_as_admin(args: ServeArgs) -> anyhow::Result<(String, reqwest::Client)> {
    let password =
        std::env::var("LIAISON_GENERATE_PASSWORD").unwrap_or_else(|_| "demo-liaison".to_owned());
    let app = Application::build(args).await?;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let res = client
        .post(format!("{base}/api/login"))
        .header(header::ACCEPT, "application/json")
        .form(&[("login", "admin"), ("password", password.as_str())])
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "sign-in failed: {}",
        res.status()
    );
    Ok((base, client))
}

/// The database's address without its password, for the report.
pub fn shown(url: &str) -> &str {
    url.split('@').next_back().unwrap_or(url)
}
