//! Logging contacts under load, against the framework's ceiling on the same machine in the same
//! run: Liaison's `POST /api/contacts/create` (signed in as `cadre01` on the demo district, a fresh
//! request id each time) and a bare axum server that does one INSERT per request on a pool opened
//! by the same `server::db::connect` (the same SQLite settings), side by side.
//!
//! `cargo bench -p server --bench contact_load` (SQLite files in the temporary directory; set
//! `BENCH_DATABASE_URL=postgres://…/db` to run Liaison on an empty PostgreSQL database instead —
//! the bare server stays on SQLite, the ceiling the budget names). Each server gets:
//!
//! - **saturated**: `BENCH_CONNECTIONS` (16) connections, each sending its next request when the
//!   last is answered, for `BENCH_SECONDS` (15): requests per second, p50, p99;
//! - **open loop**: requests sent at a fixed `BENCH_RATE` (500 per second) for `BENCH_SECONDS`,
//!   whatever the answers: each latency runs from when the request was due, so a server that
//!   falls behind pays for every request queued behind it (no coordinated omission).
//!
//! The budget (issue 20): Liaison ≥ 50 % of the bare ceiling at saturation on SQLite, and p99 ≤
//! 20 ms at 500 requests per second on SQLite and PostgreSQL. Figures in `docs/BENCHMARKS.md`.

use axum::routing::post;
use reqwest::header;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::config::{DatabaseArgs, ServeArgs};
use server::startup::Application;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn temp_sqlite(name: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "liaison-{name}-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    format!("sqlite://{}", path.display())
}

/// A request to send: its URL and form.
type MakeRequest = Arc<dyn Fn(usize) -> (String, Vec<(&'static str, String)>) + Send + Sync>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = env_or("BENCH_SECONDS", 15);
    let connections: usize = env_or("BENCH_CONNECTIONS", 16);
    let rate: u64 = env_or("BENCH_RATE", 500);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| temp_sqlite("load"));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    // The bare server: one INSERT per request, the same pool settings.
    let bare_db = server::db::connect(&DatabaseArgs {
        url: temp_sqlite("bare"),
        max_connections: ServeArgs::new("127.0.0.1:0".parse()?, "")
            .database
            .max_connections,
    })
    .await?;
    bare_db
        .execute_unprepared(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL \
             UNIQUE, youth_id INTEGER NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)",
        )
        .await?;
    let bare = bare_server(bare_db).await?;

    // Liaison on the demo district, signed in as cadre01.
    let mut args = ServeArgs::new("127.0.0.1:0".parse()?, url.clone());
    args.demo = true;
    let app = Application::build(args).await?;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(connections * 2)
        .build()?;
    let res = client
        .post(format!("{base}/api/login"))
        .header(header::ACCEPT, "application/json")
        .form(&[("login", "cadre01"), ("password", "demo-liaison")])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "sign-in: {}", res.status());
    let roster: serde_json::Value = client
        .post(format!("{base}/api/youth/roster"))
        .header(header::ACCEPT, "application/json")
        .form(&[("filter", "all"), ("q", "")])
        .send()
        .await?
        .json()
        .await?;
    let youths: Arc<Vec<String>> = Arc::new(
        roster["entries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["id"].as_i64())
                    .map(|i| i.to_string())
                    .collect()
            })
            .unwrap_or_default(),
    );
    anyhow::ensure!(!youths.is_empty(), "cadre01 has no youths");
    let today = app::ssr::today().to_string();

    let liaison: MakeRequest = {
        let youths = youths.clone();
        let base = base.clone();
        Arc::new(move |i| {
            (
                format!("{base}/api/contacts/create"),
                vec![
                    ("request_id", uuid::Uuid::new_v4().to_string()),
                    ("youth_id", youths[i % youths.len()].clone()),
                    ("contact_date", today.clone()),
                    ("channel", "face_to_face".to_owned()),
                    ("content", "面对面了解近况".to_owned()),
                    ("request", String::new()),
                    ("duration_minutes", "20".to_owned()),
                ],
            )
        })
    };
    let bare_request: MakeRequest = {
        let youths = youths.clone();
        Arc::new(move |i| {
            (
                format!("http://{bare}/insert"),
                vec![
                    ("request_id", uuid::Uuid::new_v4().to_string()),
                    ("youth_id", youths[i % youths.len()].clone()),
                    ("content", "面对面了解近况".to_owned()),
                ],
            )
        })
    };

    // A short warm-up of each, then the runs, alternating so that neither gets the cooler machine.
    let warm = Duration::from_secs(2);
    saturate(&client, &bare_request, connections, warm).await?;
    saturate(&client, &liaison, connections, warm).await?;
    let span = Duration::from_secs(seconds);
    println!(
        "contact logging under load ({backend} for Liaison; the bare server on SQLite), \
         {connections} connections, {seconds} s per run"
    );
    let b = saturate(&client, &bare_request, connections, span).await?;
    b.print("bare axum + SQLite, saturated");
    let l = saturate(&client, &liaison, connections, span).await?;
    l.print("Liaison contacts/create, saturated");
    println!(
        "Liaison at saturation: {:.0} % of the bare ceiling",
        100.0 * l.per_second / b.per_second
    );
    let o = open_loop(&client, &liaison, rate, span).await?;
    o.print(&format!("Liaison contacts/create, open loop at {rate}/s"));
    let ob = open_loop(&client, &bare_request, rate, span).await?;
    ob.print(&format!("bare axum + SQLite, open loop at {rate}/s"));
    Ok(())
}

/// The bare server: `POST /insert` with a form, one INSERT, 200.
async fn bare_server(db: DatabaseConnection) -> anyhow::Result<std::net::SocketAddr> {
    #[derive(serde::Deserialize)]
    struct Note {
        request_id: String,
        youth_id: i64,
        content: String,
    }
    let insert = |axum::extract::State(db): axum::extract::State<DatabaseConnection>,
                  axum::Form(n): axum::Form<Note>| async move {
        let backend = db.get_database_backend();
        match db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO notes (request_id, youth_id, content, created_at) VALUES (?, ?, ?, ?)",
                [
                    n.request_id.into(),
                    n.youth_id.into(),
                    n.content.into(),
                    chrono::Utc::now().to_rfc3339().into(),
                ],
            ))
            .await
        {
            Ok(r) => (axum::http::StatusCode::OK, r.last_insert_id().to_string()),
            Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    };
    let router = axum::Router::new()
        .route("/insert", post(insert))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

struct Run {
    sent: usize,
    failed: usize,
    per_second: f64,
    latencies: Vec<Duration>,
}

impl Run {
    fn new(mut latencies: Vec<Duration>, failed: usize, took: Duration) -> Run {
        latencies.sort();
        Run {
            sent: latencies.len() + failed,
            failed,
            per_second: latencies.len() as f64 / took.as_secs_f64(),
            latencies,
        }
    }

    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 * p) as usize).min(self.latencies.len() - 1);
        self.latencies[i].as_secs_f64() * 1000.0
    }

    fn print(&self, what: &str) {
        println!(
            "{what}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} sent, {} failed)",
            self.per_second,
            self.pct(0.50),
            self.pct(0.99),
            self.pct(1.0),
            self.sent,
            self.failed
        );
    }
}

/// `connections` senders, each sending its next request when the last is answered.
async fn saturate(
    client: &reqwest::Client,
    make: &MakeRequest,
    connections: usize,
    span: Duration,
) -> anyhow::Result<Run> {
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (client, make, counter) = (client.clone(), make.clone(), counter.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0;
            while started.elapsed() < span {
                let (url, form) = make(counter.fetch_add(1, Ordering::Relaxed));
                let at = Instant::now();
                match client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(at.elapsed());
                    }
                    _ => failed += 1,
                }
            }
            (latencies, failed)
        });
    }
    let mut all = Vec::new();
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        let (l, f) = done?;
        all.extend(l);
        failed += f;
    }
    Ok(Run::new(all, failed, started.elapsed()))
}

/// Requests at a fixed rate, each timed from when it was due.
async fn open_loop(
    client: &reqwest::Client,
    make: &MakeRequest,
    rate: u64,
    span: Duration,
) -> anyhow::Result<Run> {
    let total = usize::try_from(rate * span.as_secs()).unwrap_or(usize::MAX);
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let due = start + interval * u32::try_from(i).unwrap_or(u32::MAX);
        tokio::time::sleep_until(due).await;
        let (client, make) = (client.clone(), make.clone());
        tasks.spawn(async move {
            let (url, form) = make(i);
            let ok = matches!(
                client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await,
                Ok(r) if r.status().is_success()
            );
            (ok, due.elapsed())
        });
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        match done? {
            (true, took) => latencies.push(took),
            (false, _) => failed += 1,
        }
    }
    Ok(Run::new(latencies, failed, start.elapsed()))
}
