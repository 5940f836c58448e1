//! How long the supervisor's dashboard takes on a large district, end to end over HTTP.
//!
//! `BENCH_DATABASE_URL=… cargo bench -p server --bench dashboard`, against a database written by
//! `server generate` (10,000 cadres, a million youths, five million contacts by default). Without
//! `BENCH_DATABASE_URL` it generates a small district (500 cadres) into a temporary SQLite file.
//! It signs in as `admin` and asks for this quarter's dashboard of the district root and of one
//! street committee (500 cadres), three ways: the first view of a day (nothing kept: every
//! cadre's facts read and kept), views in a row (all kept), and views with 2 % of the cadres
//! written in between (their stamps moved, as any write of theirs moves them). Figures are
//! recorded in `docs/BENCHMARKS.md`.

#[path = "common/mod.rs"]
mod common;

use reqwest::header;
use server::config::ServeArgs;
use std::time::{Duration, Instant};

const WARMUP: usize = 3;
const RUNS: usize = 30;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
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
    let url = common::database("dashboard").await?;
    let (base, client) =
        common::serve_as_admin(ServeArgs::new("127.0.0.1:0".parse()?, url.clone())).await?;

    println!("database: {}", common::shown(&url));
    let db = sea_orm::Database::connect(&url).await?;
    use sea_orm::ConnectionTrait;
    for (label, org) in [("district root", ""), ("one street committee", "2")] {
        for way in [
            "first view of the day",
            "views in a row",
            "2 % of cadres written between",
        ] {
            let mut times = Vec::with_capacity(RUNS);
            let mut cadres = 0;
            for i in 0..WARMUP + RUNS {
                match way {
                    "first view of the day" => {
                        db.execute_unprepared("DELETE FROM cadre_facts").await?;
                    }
                    "2 % of cadres written between" => {
                        db.execute_unprepared(&format!(
                            "UPDATE accounts SET facts_stamp = facts_stamp + 1 \
                             WHERE role = 'cadre' AND id % 50 = {}",
                            i % 50
                        ))
                        .await?;
                    }
                    _ => {}
                }
                let started = Instant::now();
                let res = client
                    .post(format!("{base}/api/supervise/dashboard"))
                    .header(header::ACCEPT, "application/json")
                    .form(&[("org_id", org)])
                    .send()
                    .await?;
                anyhow::ensure!(res.status().is_success(), "dashboard: {}", res.status());
                let body: serde_json::Value = res.json().await?;
                let took = started.elapsed();
                cadres = body["tiles"]["cadres"].as_u64().unwrap_or(0);
                if i >= WARMUP {
                    times.push(took);
                }
            }
            times.sort();
            let mean = times.iter().sum::<Duration>() / times.len() as u32;
            println!(
                "{label} ({cadres} cadres), {way}: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms, mean {:.0} ms ({RUNS} runs)",
                percentile(&times, 0.5).as_secs_f64() * 1000.0,
                percentile(&times, 0.95).as_secs_f64() * 1000.0,
                times[times.len() - 1].as_secs_f64() * 1000.0,
                mean.as_secs_f64() * 1000.0,
            );
        }
    }
    Ok(())
}
