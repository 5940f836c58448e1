//! How `/audit` pages at district scale: a million audit rows (a district's year), end to end
//! over HTTP as the auditor, for each filter, at the first page and deep pages; and the CSV
//! export of one filter.
//!
//! `cargo bench -p server --bench audit` writes the rows into a temporary SQLite file;
//! `BENCH_DATABASE_URL=postgres://…/empty_db` into a PostgreSQL database (migrated here; it must be
//! empty). `BENCH_AUDIT_ROWS` changes the count (default 1,000,000). The rows are chained as the
//! app chains them, so `server audit verify` holds on the result. Figures are recorded in
//! `docs/BENCHMARKS.md`.

use app::types::Role;
use migrations::audit_chain::{digest, Link, GENESIS};
use reqwest::header;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::config::ServeArgs;
use server::startup::Application;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-audit-2026x";
const ACTORS: i64 = 200;
const RUNS: usize = 15;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> anyhow::Result<()> {
    server::memory::limit_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// One of the events a district's year is made of, by row number: mostly sign-ins and records.
fn event(n: i64) -> (&'static str, &'static str, &'static str) {
    match n % 20 {
        0 => ("login", "account", "failure"),
        1 => ("phone_view", "youth", "success"),
        2..=9 => ("login", "account", "success"),
        10..=16 => ("contact_create", "contact", "success"),
        17 => ("visit_create", "visit_day", "success"),
        18 => ("logout", "account", "success"),
        _ => ("study_create", "study_record", "success"),
    }
}

async fn fill(db: &DatabaseConnection, rows: i64, first_actor: i64) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let now = chrono::Utc::now();
    let span = chrono::Duration::days(365).num_seconds();
    // The chain goes on from its end (the accounts made above are on it already).
    let head = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT seq, last_hash FROM audit_head WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no audit_head"))?;
    let mut seq: i64 = head.try_get("", "seq")?;
    let mut prev: String = head.try_get("", "last_hash")?;
    if prev.is_empty() {
        prev = GENESIS.to_owned();
    }
    let (first, last) = (seq, seq + rows);
    let batch = 2_000;
    while seq < last {
        let mut values = Vec::with_capacity(batch);
        for _ in 0..batch.min(usize::try_from(last - seq)?) {
            seq += 1;
            let (action, entity, result) = event(seq);
            let actor = first_actor + seq % ACTORS;
            // Spread over the year, oldest first, to the microsecond (what PostgreSQL keeps).
            let at = now - chrono::Duration::seconds(span - span * (seq - first) / rows);
            let at = chrono::DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap();
            let ip = format!("10.0.{}.{}", seq % 200, seq % 250);
            let details = format!("row {seq}");
            let link = Link {
                seq,
                at,
                actor_id: Some(actor),
                role: "sysadmin",
                ip: Some(&ip),
                action,
                entity,
                entity_id: Some(seq % 50_000),
                result,
                details: &details,
            };
            let hash = digest(&prev, &link);
            values.push(format!(
                "('{}', {actor}, 'sysadmin', '{ip}', '{action}', '{entity}', {}, '{result}', '{details}', {seq}, '{prev}', '{hash}')",
                at.format("%Y-%m-%d %H:%M:%S%.6f+00:00"),
                seq % 50_000,
            ));
            prev = hash;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO audit_log (at, actor_id, role, ip, action, entity, entity_id, result, details, seq, prev_hash, hash) VALUES {}",
            values.join(", ")
        ))
        .await?;
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1"
            }
            _ => "UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1",
        },
        [seq.into(), prev.into()],
    ))
    .await?;
    Ok(())
}

async fn run() -> anyhow::Result<()> {
    let rows: i64 = std::env::var("BENCH_AUDIT_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let path = std::env::temp_dir().join(format!(
            "liaison-audit-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        format!("sqlite://{}", path.display())
    });
    let db = server::db::connect(&server::config::DatabaseArgs {
        url: url.clone(),
        max_connections: 8,
    })
    .await?;
    server::db::migrate(&db).await?;
    let auditor = server::bootstrap::create_admin(
        &db,
        Role::Auditor,
        "auditor",
        "审计员",
        PASSWORD,
        "区团委",
    )
    .await?;
    // The actors: accounts the rows name (the auditor's id is first; the rest follow it).
    let mut first_actor = i64::MAX;
    for i in 0..ACTORS {
        let id = server::bootstrap::create_admin(
            &db,
            Role::Sysadmin,
            &format!("sys{i:03}"),
            &format!("管理员{i}"),
            PASSWORD,
            "区团委",
        )
        .await?;
        first_actor = first_actor.min(id);
    }
    let started = Instant::now();
    fill(&db, rows, first_actor).await?;
    println!(
        "database: {} — {rows} audit rows written in {:.1} s (auditor {auditor})",
        url.split('@').next_back().unwrap_or(&url),
        started.elapsed().as_secs_f64()
    );

    let app = Application::build(ServeArgs::new("127.0.0.1:0".parse()?, url.clone())).await?;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let res = client
        .post(format!("{base}/api/login"))
        .header(header::ACCEPT, "application/json")
        .form(&[("login", "auditor"), ("password", PASSWORD)])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "sign-in: {}", res.status());

    let day = (chrono::Utc::now() - chrono::Duration::days(100))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let actor = "sys040".to_owned();
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("everything", vec![]),
        ("one actor", vec![("actor", actor.clone())]),
        (
            "one event (phone_view)",
            vec![("event", "phone_view".into())],
        ),
        ("failures", vec![("result", "failure".into())]),
        (
            "one object (account:7)",
            vec![("object", "account:7".into())],
        ),
        ("one day", vec![("from", day.clone()), ("to", day.clone())]),
        (
            "actor + event + result",
            vec![
                ("actor", actor.clone()),
                ("event", "login".into()),
                ("result", "failure".into()),
            ],
        ),
    ];
    println!("\n| filter | page | rows on it | median | p95 |\n|---|---|---|---|---|");
    for (label, query) in &cases {
        for page in [1u32, 10, 100, 1000, 10000] {
            let mut times = Vec::with_capacity(RUNS);
            let mut shown = 0;
            let mut form: Vec<(&str, String)> = query.clone();
            form.push(("page", page.to_string()));
            for _ in 0..RUNS + 2 {
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/api/audit/list"))
                    .header(header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await?;
                anyhow::ensure!(res.status().is_success(), "{label}: {}", res.status());
                let body: serde_json::Value = res.json().await?;
                times.push(t.elapsed());
                shown = body["rows"].as_array().map_or(0, Vec::len);
            }
            let mut times = times.split_off(2);
            times.sort();
            println!(
                "| {label} | {page} | {shown} | {:.1} ms | {:.1} ms |",
                percentile(&times, 0.5).as_secs_f64() * 1e3,
                percentile(&times, 0.95).as_secs_f64() * 1e3
            );
            if shown == 0 {
                break;
            }
        }
    }
    // The CSV of one day's rows and of one actor's, streamed.
    for (label, query) in [
        ("one day", format!("from={day}&to={day}")),
        ("one actor", format!("actor={actor}")),
    ] {
        let t = Instant::now();
        let res = client
            .get(format!("{base}/audit/export.csv?{query}"))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "csv: {}", res.status());
        let body = res.bytes().await?;
        let lines = body.iter().filter(|b| **b == b'\n').count();
        println!(
            "CSV of {label}: {} lines, {:.1} MB in {:.2} s",
            lines,
            body.len() as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
