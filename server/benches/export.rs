//! How long the quarterly XLSX export of a large district takes, and how much memory the server
//! needs for it.
//!
//! `BENCH_DATABASE_URL=… cargo bench -p server --bench export`, against a database written by
//! `server generate` (10,000 cadres, a million youths, five million contacts by default). Without
//! `BENCH_DATABASE_URL` it generates a small district (500 cadres) into a temporary SQLite file.
//! It serves the real app in this process, signs in as `admin`, asks for this quarter's export of
//! the district root (`BENCH_FORMAT`: `xlsx` by default, or `csv`, `pdf`; `BENCH_QUARTER`: this
//! quarter by default), polls its status until
//! it is done, and prints the time, the rows, the file's size and the process's peak resident
//! memory (`VmHWM`) before and after. Figures are recorded in `docs/BENCHMARKS.md`.

#[path = "common/mod.rs"]
mod common;

use reqwest::header;
use server::config::ServeArgs;
use std::time::{Duration, Instant};

/// `VmHWM` (peak resident set) and `VmRSS` of this process, in MB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmHWM:") / 1024.0, kb("VmRSS:") / 1024.0)
}

fn main() -> anyhow::Result<()> {
    // The server's allocator settings (src/main.rs), so the figures are the server's.
    server::memory::limit_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let url = common::database("export").await?;
    let format = std::env::var("BENCH_FORMAT").unwrap_or_else(|_| "xlsx".to_owned());
    let args = ServeArgs::new("127.0.0.1:0".parse()?, url.clone());
    let export_dir = args.export_dir.clone();
    let (base, client) = common::serve_as_admin(args).await?;
    let (peak_before, rss_before) = memory();

    println!("database: {}", common::shown(&url));
    // `BENCH_QUARTER=2026Q3`: a quarter that is over (this one is only partly written).
    let quarter = std::env::var("BENCH_QUARTER")
        .unwrap_or_else(|_| app::rules::Quarter::of(app::ssr::today()).key());
    let request_id = uuid::Uuid::new_v4().to_string();
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/exports/create"))
        .header(header::ACCEPT, "application/json")
        .form(&[
            ("request_id", request_id.as_str()),
            ("org_id", ""),
            ("quarter", quarter.as_str()),
            ("format", format.as_str()),
        ])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "create: {}", res.status());
    let id: i64 = res.json().await?;
    let status = loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let s: serde_json::Value = client
            .post(format!("{base}/api/exports/status"))
            .header(header::ACCEPT, "application/json")
            .form(&[("id", id.to_string())])
            .send()
            .await?
            .json()
            .await?;
        if s["state"] != "queued" && s["state"] != "running" {
            break s;
        }
    };
    let took = started.elapsed();
    let (peak_after, _) = memory();
    anyhow::ensure!(status["state"] == "done", "export failed: {status}");
    let size: u64 = std::fs::read_dir(&export_dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{format} of the district root, {quarter}: {:.1} s, {} rows, file {:.1} MB; \
         peak RSS {peak_after:.0} MB (after start-up and sign-in: peak {peak_before:.0} MB, rss {rss_before:.0} MB)",
        took.as_secs_f64(),
        status["total"],
        size as f64 / 1024.0 / 1024.0,
    );
    Ok(())
}
