//! How long logging a contact takes, end to end over HTTP, on the demo district.
//!
//! `cargo bench -p server --bench contact_roundtrip` (SQLite in a temporary file; set
//! `BENCH_DATABASE_URL=postgres://…/db` for an empty PostgreSQL database instead). It signs in as
//! `cadre01` and logs contacts the way the enhanced form does: `POST /api/contacts/create`, then
//! `GET` the page again to refresh its lists. Figures are recorded in `docs/BENCHMARKS.md`.

use reqwest::header;
use server::config::ServeArgs;
use server::startup::Application;
use std::time::{Duration, Instant};

const WARMUP: usize = 20;
const RUNS: usize = 300;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let path = std::env::temp_dir().join(format!(
            "liaison-bench-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        format!("sqlite://{}", path.display())
    });
    let mut args = ServeArgs::new("127.0.0.1:0".parse()?, url.clone());
    args.demo = true;
    let app = Application::build(args).await?;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let res = client
        .post(format!("{base}/api/login"))
        .header(header::ACCEPT, "application/json")
        .form(&[("login", "cadre01"), ("password", "demo-liaison")])
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "sign-in failed: {}",
        res.status()
    );
    let roster: serde_json::Value = client
        .post(format!("{base}/api/youth/roster"))
        .header(header::ACCEPT, "application/json")
        .form(&[("filter", "all"), ("q", "")])
        .send()
        .await?
        .json()
        .await?;
    let youths: Vec<i64> = roster["entries"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["id"].as_i64()).collect())
        .unwrap_or_default();
    anyhow::ensure!(!youths.is_empty(), "cadre01 has no youths");
    let today = app::ssr::today().to_string();

    let mut save = Vec::with_capacity(RUNS);
    let mut round_trip = Vec::with_capacity(RUNS);
    for i in 0..WARMUP + RUNS {
        let youth = youths[i % youths.len()].to_string();
        let request_id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let res = client
            .post(format!("{base}/api/contacts/create"))
            .header(header::ACCEPT, "application/json")
            .form(&[
                ("request_id", request_id.as_str()),
                ("youth_id", &youth),
                ("contact_date", &today),
                ("channel", "face_to_face"),
                ("content", "面对面了解近况"),
                ("request", ""),
                ("duration_minutes", "20"),
            ])
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "save failed: {}", res.status());
        let saved = started.elapsed();
        let page = client
            .get(format!("{base}/contacts/new?youth={youth}"))
            .header(header::ACCEPT, "text/html")
            .send()
            .await?;
        anyhow::ensure!(page.status().is_success(), "page failed: {}", page.status());
        page.bytes().await?;
        if i >= WARMUP {
            save.push(saved);
            round_trip.push(started.elapsed());
        }
    }
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("contact log on the demo district ({backend}, {RUNS} runs after {WARMUP} warm-up)");
    report("save (POST /api/contacts/create)", &mut save);
    report(
        "save + page refresh (what the user waits for)",
        &mut round_trip,
    );
    Ok(())
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{what}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, mean {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(mean)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
