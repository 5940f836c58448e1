//! What a backup costs for a generated district: the time `server backup`, `server backup
//! verify` and `server restore` take, and the file's size.
//!
//! `cargo bench -p server --bench backup` generates the district into a temporary SQLite file;
//! `BENCH_DATABASE_URL=postgres://…/empty_db` into a PostgreSQL database (migrated here; it must
//! be empty), and each restore goes into a new database beside it, dropped afterwards.
//! `BENCH_BACKUP_CADRES` changes the size (default 1,000 cadres × 100 youths × 5 contacts), and
//! `BENCH_BACKUP_AUDIT_ROWS` the audit rows chained onto it (default 100,000: the generator
//! writes none, and verify's walk of the chain is part of what is measured).
//! Each step runs `RUNS` times; the figures are recorded in `docs/BENCHMARKS.md`.

use migrations::audit_chain::{digest, Link, GENESIS};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn main() -> anyhow::Result<()> {
    server::memory::limit_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The database's own size on disk, as its backend counts it.
async fn size_on_disk(db: &DatabaseConnection, url: &str) -> anyhow::Result<u64> {
    Ok(match server::backup::Backend::of_url(url)? {
        server::backup::Backend::Sqlite => {
            let path = server::db::sqlite_path(url).unwrap_or_default();
            std::fs::metadata(&path)?.len()
        }
        server::backup::Backend::Postgres => {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    "SELECT pg_database_size(current_database()) AS n",
                ))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no size"))?;
            u64::try_from(row.try_get::<i64>("", "n")?)?
        }
    })
}

/// Chains `rows` audit rows onto the trail, as the app would have written them over a few
/// months (sign-ins and contacts, with Chinese in their details).
async fn audit_rows(db: &DatabaseConnection, rows: i64) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
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
    // The actors: the district's accounts (the rows' foreign key).
    let actors: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id FROM accounts ORDER BY id LIMIT 1000",
        ))
        .await?
        .iter()
        .map(|r| r.try_get("", "id"))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(!actors.is_empty(), "no accounts to act");
    let (first, last) = (seq, seq + rows);
    let start = chrono::Utc::now() - chrono::Duration::days(90);
    while seq < last {
        let mut values = Vec::with_capacity(1_000);
        for _ in 0..1_000.min(last - seq) {
            seq += 1;
            let (action, entity) = if seq % 3 == 0 {
                ("login", "account")
            } else {
                ("contact_create", "contact")
            };
            let at = start + chrono::Duration::seconds((seq - first) * 77);
            let at = chrono::DateTime::from_timestamp_micros(at.timestamp_micros())
                .ok_or_else(|| anyhow::anyhow!("a time out of range"))?;
            let ip = format!("10.0.{}.{}", seq % 200, seq % 250);
            let details = format!("联系青年 #{seq}");
            let actor = actors[usize::try_from(seq)? % actors.len()];
            let hash = digest(
                &prev,
                &Link {
                    seq,
                    at,
                    actor_id: Some(actor),
                    role: "cadre",
                    ip: Some(&ip),
                    action,
                    entity,
                    entity_id: Some(seq),
                    result: "success",
                    details: &details,
                },
            );
            values.push(format!(
                "('{}', {actor}, 'cadre', '{ip}', '{action}', '{entity}', {seq}, 'success', \
                 '{details}', {seq}, '{prev}', '{hash}')",
                at.format("%Y-%m-%d %H:%M:%S%.6f+00:00"),
            ));
            prev = hash;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO audit_log (at, actor_id, role, ip, action, entity, entity_id, result, \
             details, seq, prev_hash, hash) VALUES {}",
            values.join(", ")
        ))
        .await?;
    }
    db.execute_unprepared(&format!(
        "UPDATE audit_head SET seq = {seq}, last_hash = '{prev}' WHERE id = 1"
    ))
    .await?;
    Ok(())
}

/// A new, empty database to restore into, and how to drop it.
async fn restore_target(base: &str, run: usize) -> anyhow::Result<(String, Option<String>)> {
    match server::backup::Backend::of_url(base)? {
        server::backup::Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!(
                "liaison-restore-{}.db",
                uuid::Uuid::new_v4().simple()
            ));
            Ok((format!("sqlite://{}", path.display()), None))
        }
        server::backup::Backend::Postgres => {
            let (prefix, name) = base
                .rsplit_once('/')
                .ok_or_else(|| anyhow::anyhow!("BENCH_DATABASE_URL names no database"))?;
            let name = format!("{}_restore_{run}", name.split('?').next().unwrap_or(name));
            let admin = Database::connect(base).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            Ok((format!("{prefix}/{name}"), Some(name)))
        }
    }
}

async fn drop_target(base: &str, url: &str, name: Option<String>) -> anyhow::Result<()> {
    match name {
        Some(name) => {
            let admin = Database::connect(base).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await?;
            admin.close().await?;
        }
        None => {
            if let Some(path) = server::db::sqlite_path(url) {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
        }
    }
    Ok(())
}

async fn run() -> anyhow::Result<()> {
    let cadres: usize = std::env::var("BENCH_BACKUP_CADRES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1_000);
    let given = std::env::var("BENCH_DATABASE_URL").ok();
    let url = given.clone().unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!(
            "liaison-backup-{}.db",
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
    let started = Instant::now();
    server::generate::generate(
        &db,
        server::generate::Size {
            cadres,
            youths_per_cadre: 100,
            contacts_per_youth: 5,
        },
        "demo-liaison",
    )
    .await?;
    let audit: i64 = std::env::var("BENCH_BACKUP_AUDIT_ROWS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000);
    audit_rows(&db, audit).await?;
    if url.starts_with("postgres") {
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    let on_disk = size_on_disk(&db, &url).await?;
    println!(
        "database: {} — {cadres} cadres × 100 youths × 5 contacts and {audit} audit rows written \
         in {:.1} s, {:.1} MB on disk",
        server::backup::shown(&url),
        started.elapsed().as_secs_f64(),
        on_disk as f64 / 1e6
    );

    let dir = std::env::temp_dir().join(format!(
        "liaison-backup-bench-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let (mut backups, mut verifies, mut restores) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for run in 0..RUNS {
        let t = Instant::now();
        let made = server::backup::make(&db, &url, &dir).await?;
        backups.push(t.elapsed());

        let t = Instant::now();
        let v = server::backup::verify(&made.path).await?;
        verifies.push(t.elapsed());
        anyhow::ensure!(v.failure.is_none(), "verify: {:?}", v.failure);

        let (target, name) = restore_target(&url, run).await?;
        let t = Instant::now();
        let r = server::backup::restore(&made.path, &target).await?;
        restores.push(t.elapsed());
        anyhow::ensure!(
            r.chain.broken.is_none(),
            "restored chain: {:?}",
            r.chain.broken
        );
        drop_target(&url, &target, name).await?;

        println!(
            "run {}: backup {}, verify {}, restore {}",
            run + 1,
            secs(backups[run]),
            secs(verifies[run]),
            secs(restores[run])
        );
        let _ = std::fs::remove_file(&made.path);
        let _ = std::fs::remove_file(server::backup::manifest_path(&made.path));
        last = Some((made, v.audit_rows));
        // One backup a second at most: the next run takes a new name.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
    }
    let _ = std::fs::remove_dir(&dir);
    let (made, walked) = last.ok_or_else(|| anyhow::anyhow!("no run"))?;
    let m = &made.manifest;
    let top: Vec<String> = {
        let mut t: Vec<(&String, &u64)> = m.tables.iter().collect();
        t.sort_by(|a, b| b.1.cmp(a.1));
        t.iter().take(5).map(|(k, v)| format!("{k} {v}")).collect()
    };
    println!(
        "\n{} tables, {} rows ({}), {walked} audit rows walked",
        m.tables.len(),
        m.rows(),
        top.join(", ")
    );
    println!(
        "\n| step | median of {RUNS} |\n|---|---|\n| backup | {} |\n| verify | {} |\n| restore | {} |\n| file | {:.1} MB ({} bytes) |",
        secs(median(backups)),
        secs(median(verifies)),
        secs(median(restores)),
        m.bytes as f64 / 1e6,
        m.bytes
    );
    db.close().await?;
    if given.is_none() {
        // The district written for this run only.
        drop_target(&url, &url, None).await?;
    }
    Ok(())
}
