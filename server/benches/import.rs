//! How long the dry run of a 50,000-row roster import takes.
//!
//! `BENCH_DATABASE_URL=… cargo bench -p server --bench import`, against a database written by
//! `server generate` (its cadres are `g00001` …); without it, a small generated district (500
//! cadres) in a temporary SQLite file. It serves the real app in this process, signs in as
//! `admin`, uploads a CSV of 50,000 youths (new phone numbers, each assigned to one of the first
//! 100 cadres) to `POST /api/import/dry-run` five times, and prints the times. Figures are
//! recorded in `docs/BENCHMARKS.md`.

#[path = "common/mod.rs"]
mod common;

use reqwest::header;
use server::config::ServeArgs;
use std::time::Instant;

const ROWS: usize = 50_000;
const RUNS: usize = 5;

fn main() -> anyhow::Result<()> {
    // The server's allocator settings (src/main.rs), so the figures are the server's.
    server::memory::limit_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let url = common::database("import").await?;
    let (base, client) =
        common::serve_as_admin(ServeArgs::new("127.0.0.1:0".parse()?, url.clone())).await?;

    let mut csv = String::from(
        "姓名,性别,出生年份,手机号,微信号,所属组织,单位/学校,领域,政治面貌,团干部,标签,备注\n",
    );
    for i in 0..ROWS {
        csv.push_str(&format!(
            "导入青年{i},{},2000,199{i:08},,,滨江街道,务工青年,团员,g{:05},,\n",
            if i % 2 == 0 { "男" } else { "女" },
            i % 100 + 1
        ));
    }
    let bytes = csv.into_bytes();
    println!(
        "database: {}; file: {ROWS} rows, {:.1} MB",
        common::shown(&url),
        bytes.len() as f64 / 1024.0 / 1024.0
    );
    let mut times = Vec::new();
    let mut last = String::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let res = client
            .post(format!("{base}/api/import/dry-run"))
            .header(header::ACCEPT, "application/json")
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name("bench.csv"),
            ))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "dry run: {}", res.status());
        let report: serde_json::Value = res.json().await?;
        times.push(started.elapsed());
        let counted: u64 = ["create", "update", "unchanged"]
            .iter()
            .filter_map(|k| report[*k].as_u64())
            .sum();
        anyhow::ensure!(
            counted + report["duplicates"].as_array().map_or(0, Vec::len) as u64 == ROWS as u64
                && report["errors"].as_array().is_some_and(Vec::is_empty),
            "unexpected report: {} new, {} changed, {} errors, {} duplicates",
            report["create"],
            report["update"],
            report["errors"].as_array().map_or(0, Vec::len),
            report["duplicates"].as_array().map_or(0, Vec::len)
        );
        last = format!(
            "{} new, {} changed, {} duplicates (phones the generator gave several youths)",
            report["create"],
            report["update"],
            report["duplicates"].as_array().map_or(0, Vec::len)
        );
    }
    times.sort();
    println!(
        "dry run of {ROWS} rows ({last}): min {:.2} s, median {:.2} s, max {:.2} s ({RUNS} runs)",
        times[0].as_secs_f64(),
        times[RUNS / 2].as_secs_f64(),
        times[RUNS - 1].as_secs_f64()
    );
    Ok(())
}
