//! Backups that restore: taken while the app writes, restored into an empty database only,
//! verified on their own (a flipped byte, a tampered audit row), made once a night however many
//! instances share the database.

use crate::db_test;
use crate::helpers::*;
use app::model::entities::audit_log;
use chrono::TimeZone;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryOrder, Statement};
use server::backup::nightly::{self, Night, Nightly};
use server::backup::{self, Failure, Manifest};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn backend(app: &TestApp) -> Backend {
    match app.db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A path of the test's own under the temporary directory, removed (file or directory) when the
/// test is done with it.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Self {
        Scratch(
            std::env::temp_dir().join(format!("liaison-{what}-{}", uuid::Uuid::new_v4().simple())),
        )
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn connect(url: &str) -> DatabaseConnection {
    server::db::connect(&server::config::DatabaseArgs {
        url: url.to_owned(),
        max_connections: 4,
    })
    .await
    .expect("the database opens")
}

/// Rows in each of the tables a manifest names, counted here.
async fn counts(db: &DatabaseConnection, manifest: &Manifest) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for table in manifest.tables.keys() {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM \"{table}\""),
            ))
            .await
            .expect("a count")
            .expect("a count row");
        let n: i64 = row.try_get("", "n").unwrap();
        out.insert(table.clone(), u64::try_from(n).unwrap());
    }
    out
}

async fn org_ids(db: &DatabaseConnection) -> HashSet<i64> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT id FROM organisations",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<i64>("", "id").unwrap())
    .collect()
}

/// `server <args>`: (exit code, stdout + stderr).
async fn cli(args: &[&str]) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env_remove("LIAISON_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("the server binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Keeps creating organisations over HTTP until told to stop: each id the app acknowledged, and
/// when (since `t0`).
fn writer(
    app: TestApp,
    w: usize,
    root: i64,
    t0: Instant,
    (stop, written): (Arc<AtomicBool>, Arc<AtomicUsize>),
) -> tokio::task::JoinHandle<Vec<(i64, Duration)>> {
    tokio::spawn(async move {
        let mut acked = Vec::new();
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            let rid = uuid::Uuid::new_v4().to_string();
            let res = app
                .call(
                    "/api/orgs/create",
                    &[
                        ("request_id", &rid),
                        ("name", &format!("并发团支部{w}-{i}")),
                        ("kind", "school"),
                        ("parent_id", &root.to_string()),
                    ],
                )
                .await;
            if res.status() == StatusCode::OK {
                if let Ok(id) = res.json::<i64>().await {
                    acked.push((id, t0.elapsed()));
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        acked
    })
}

async fn a_backup_taken_while_writers_write_restores_every_acknowledged_row_and_nothing_else(
    app: TestApp,
) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let initial = org_ids(&app.db).await;
    let dir = Scratch::new("backups");
    let (t0, stop) = (Instant::now(), Arc::new(AtomicBool::new(false)));
    let written = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            writer(
                app.same_session(),
                w,
                root,
                t0,
                (stop.clone(), written.clone()),
            )
        })
        .collect();
    // However busy the machine: writes acknowledged before the backup, and after it.
    let until = |n: usize| {
        let written = written.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while written.load(Ordering::Relaxed) < n && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    until(20).await;
    let backup_started = t0.elapsed();
    let made = backup::make(&app.db, &app.database_url, &dir)
        .await
        .expect("the backup is written");
    let backup_ended = t0.elapsed();
    until(written.load(Ordering::Relaxed) + 12).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    let before = acked.iter().filter(|(_, at)| *at < backup_started).count();
    let after = acked.iter().filter(|(_, at)| *at > backup_ended).count();
    assert!(
        before >= 20 && after > 0,
        "writers wrote before ({before}) and after ({after}) the backup"
    );
    assert_eq!(
        made.path.file_name().and_then(|n| n.to_str()),
        Some(made.manifest.file.as_str())
    );
    assert!(backup::manifest_path(&made.path).exists());

    let (url, _drop) = fresh_database(backend(&app)).await.unwrap();
    let restored = backup::restore(&made.path, &url)
        .await
        .expect("the backup restores");
    assert_eq!(restored.chain.broken, None);
    let db = connect(&url).await;
    let ids = org_ids(&db).await;
    for (id, at) in &acked {
        if *at < backup_started {
            assert!(
                ids.contains(id),
                "organisation {id}, acknowledged at {at:?}, before the backup began at \
                 {backup_started:?}, is restored"
            );
        }
    }
    let acked_ids: HashSet<i64> = acked.iter().map(|(id, _)| *id).collect();
    for id in &ids {
        assert!(
            initial.contains(id) || acked_ids.contains(id),
            "organisation {id} in the restore was acknowledged to a writer"
        );
    }
    // The restored chain holds, and ends where the manifest says.
    let chain = app::ssr::audit::verify(&db).await.unwrap();
    assert_eq!(chain.broken, None);
    assert!(chain.rows > 10, "{} audit rows", chain.rows);
    let last = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Seq)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let head = made.manifest.audit_head.clone().unwrap();
    assert_eq!((head.seq, head.hash), (last.seq, last.hash));
    // The manifest counted what the file holds.
    assert_eq!(counts(&db, &made.manifest).await, made.manifest.tables);
    assert_eq!(
        made.manifest.tables["organisations"],
        ids.len() as u64,
        "organisations"
    );
    use migrations::MigratorTrait;
    let newest = migrations::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .max();
    assert_eq!(made.manifest.schema_version, newest);
    db.close().await.unwrap();

    // `server audit verify` holds on it, and `server serve` serves it: the admin signs in.
    let (code, out) = cli(&["audit", "verify", "--database", &url]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");
    let served = server::startup::Application::build(server::config::ServeArgs::new(
        "127.0.0.1:0".parse().unwrap(),
        url.clone(),
    ))
    .await
    .expect("the restored database serves");
    let addr = served.local_addr();
    tokio::spawn(served.run_until_stopped());
    let res = client()
        .post(format!("http://{addr}/api/login"))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("login", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the admin signs in on the restore"
    );
}
db_test!(a_backup_taken_while_writers_write_restores_every_acknowledged_row_and_nothing_else);

async fn restore_refuses_a_database_that_holds_anything_and_changes_nothing(app: TestApp) {
    app.login_as_admin().await;
    let dir = Scratch::new("backups");
    let made = backup::make(&app.db, &app.database_url, &dir)
        .await
        .unwrap();
    app.create_org("备份之后", "school", app.root_org().await)
        .await;

    // Into the live database itself: refused, as the command line says.
    let before = counts(&app.db, &made.manifest).await;
    let err = backup::restore(&made.path, &app.database_url)
        .await
        .expect_err("a database with tables is refused");
    let not_empty = err
        .downcast_ref::<backup::NotEmpty>()
        .unwrap_or_else(|| panic!("NotEmpty: {err:#}"));
    assert!(not_empty.tables > 10, "{not_empty}");
    let said = err.to_string();
    assert!(
        said.contains("is not empty") && said.contains("nothing was changed"),
        "{said}"
    );
    let (code, out) = cli(&[
        "restore",
        "--from",
        made.path.to_str().unwrap(),
        "--database",
        &app.database_url,
    ])
    .await;
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("refused") && out.contains("is not empty"),
        "{out}"
    );
    assert_eq!(
        counts(&app.db, &made.manifest).await,
        before,
        "nothing changed"
    );
    assert_eq!(app::ssr::audit::verify(&app.db).await.unwrap().broken, None);

    // A database with one table of someone else's is not empty either.
    let (url, _drop) = fresh_database(backend(&app)).await.unwrap();
    let other = connect(&url).await;
    other
        .execute_unprepared("CREATE TABLE notes (body TEXT)")
        .await
        .unwrap();
    other
        .execute_unprepared("INSERT INTO notes VALUES ('keep me')")
        .await
        .unwrap();
    let err = backup::restore(&made.path, &url).await.unwrap_err();
    assert!(err.downcast_ref::<backup::NotEmpty>().is_some(), "{err:#}");
    let kept = other
        .query_all_raw(Statement::from_string(
            other.get_database_backend(),
            "SELECT body FROM notes",
        ))
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    other.close().await.unwrap();

    // An empty SQLite file is empty: it takes the restore.
    if matches!(backend(&app), Backend::Sqlite) {
        let empty = Scratch::new("empty");
        std::fs::create_dir_all(&*empty).unwrap();
        let file = empty.join("liaison.db");
        std::fs::write(&file, b"").unwrap();
        let url = format!("sqlite://{}", file.display());
        let r = backup::restore(&made.path, &url).await.expect("restored");
        assert_eq!(r.chain.broken, None);
        assert_eq!(
            std::fs::read(&file).unwrap().len() as u64,
            made.manifest.bytes
        );
    }
}
db_test!(restore_refuses_a_database_that_holds_anything_and_changes_nothing);

/// A copy of a backup and its manifest under a new name in `dir` (as `backup verify` reads it).
fn copy_backup(from: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let to = dir.join(from.file_name().unwrap());
    std::fs::copy(from, &to).unwrap();
    std::fs::copy(backup::manifest_path(from), backup::manifest_path(&to)).unwrap();
    to
}

async fn verify_names_a_flipped_byte_a_tampered_audit_row_and_a_wrong_count(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    for i in 0..6 {
        app.create_org(&format!("核对{i}"), "school", root).await;
    }
    let dir = Scratch::new("backups");
    let made = backup::make(&app.db, &app.database_url, &dir)
        .await
        .unwrap();
    let file = made.path.to_str().unwrap();
    let v = backup::verify(&made.path).await.unwrap();
    assert_eq!(v.failure, None, "a fresh backup verifies");
    assert!(v.audit_rows > 6, "{} audit rows walked", v.audit_rows);
    let (code, out) = cli(&["backup", "verify", file]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("backup intact"), "{out}");

    // One byte flipped in the middle: the checksum says so.
    let flipped_dir = Scratch::new("flipped");
    let flipped = copy_backup(&made.path, &flipped_dir);
    let mut bytes = std::fs::read(&flipped).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&flipped, &bytes).unwrap();
    let v = backup::verify(&flipped).await.unwrap();
    assert!(
        matches!(v.failure, Some(Failure::Checksum { .. })),
        "{:?}",
        v.failure
    );
    let (code, out) = cli(&["backup", "verify", flipped.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("checksum"), "{out}");
    assert!(
        backup::restore(&flipped, &fresh_database(backend(&app)).await.unwrap().0)
            .await
            .unwrap_err()
            .to_string()
            .contains("checksum"),
        "restore checks the checksum first"
    );

    // A manifest that says other counts than the file holds.
    let recounted_dir = Scratch::new("recounted");
    let recounted = copy_backup(&made.path, &recounted_dir);
    let mut m = backup::read_manifest(&recounted).unwrap();
    *m.tables.get_mut("organisations").unwrap() += 1;
    std::fs::write(
        backup::manifest_path(&recounted),
        serde_json::to_vec(&m).unwrap(),
    )
    .unwrap();
    let v = backup::verify(&recounted).await.unwrap();
    assert!(
        matches!(&v.failure, Some(Failure::Count { table, .. }) if table == "organisations"),
        "{:?}",
        v.failure
    );

    // Someone with the database's keys cuts the newest audit row, then rewrites one in the
    // middle; tonight's backups carry it, their checksums true to the files: the chain check
    // itself finds the rows.
    let drop_guards: &[&str] = match backend(&app) {
        Backend::Postgres => &["DROP TRIGGER audit_log_append_only ON audit_log"],
        Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
    };
    for sql in drop_guards {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    app.db
        .execute_unprepared("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
        .await
        .unwrap();
    let cut_dir = Scratch::new("cut");
    let cut = backup::make(&app.db, &app.database_url, &cut_dir)
        .await
        .unwrap();
    match backup::verify(&cut.path).await.unwrap().failure {
        Some(Failure::Chain(b)) => {
            assert_eq!((b.id, b.why), (None, app::ssr::audit::Break::Truncated));
        }
        other => panic!("the chain check sees the end cut off: {other:?}"),
    }
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Seq)
        .all(&app.db)
        .await
        .unwrap();
    let victim = &rows[rows.len() / 2];
    app.db
        .execute_unprepared(&format!(
            "UPDATE audit_log SET details = 'nothing happened\ton\\this day' WHERE id = {}",
            victim.id
        ))
        .await
        .unwrap();
    let tampered_dir = Scratch::new("tampered");
    let tampered = backup::make(&app.db, &app.database_url, &tampered_dir)
        .await
        .unwrap();
    let v = backup::verify(&tampered.path).await.unwrap();
    match &v.failure {
        Some(Failure::Chain(b)) => {
            assert_eq!((b.id, b.seq), (Some(victim.id), victim.seq));
            assert_eq!(b.why, app::ssr::audit::Break::Changed);
        }
        other => panic!("the chain check names the row: {other:?}"),
    }
    let (code, out) = cli(&["backup", "verify", tampered.path.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("audit chain at seq {}", victim.seq)),
        "{out}"
    );
}
db_test!(verify_names_a_flipped_byte_a_tampered_audit_row_and_a_wrong_count);

async fn one_instance_makes_the_nights_backup_however_many_claim_it(app: TestApp) {
    // Two claims of one night at once, on connections of their own: one wins.
    let night = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let other = connect(&app.database_url).await;
    let (a, b) = tokio::join!(
        nightly::claim(&app.db, night, "host-a:1:aaaaaa"),
        nightly::claim(&other, night, "host-b:2:bbbbbb"),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a ^ b, "exactly one claim wins: {a} {b}");
    assert!(!nightly::claim(&app.db, night, "host-c:3:cccccc")
        .await
        .unwrap());

    // Two instances ticking at 02:30 the next night into one shared directory: one backup.
    let dir = Scratch::new("nightly");
    std::fs::create_dir_all(&dir).unwrap();
    let old = "liaison-20200101T180000Z.db";
    std::fs::write(dir.join(old), b"old").unwrap();
    std::fs::write(dir.join(format!("{old}.manifest.json")), b"{}").unwrap();
    let instance = |name: &str| Nightly {
        dir: dir.to_path_buf(),
        keep: 1,
        database_url: app.database_url.clone(),
        instance: name.to_owned(),
    };
    let (na, nb) = (instance("host-a:1:aaaaaa"), instance("host-b:2:bbbbbb"));
    let at = chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 12, 4, 2, 30, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (mut ka, mut kb) = (None, None);
    let (ra, rb) = tokio::join!(
        nightly::tick(&app.db, &na, at, &mut ka),
        nightly::tick(&other, &nb, at, &mut kb),
    );
    let tonight = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let (made, taken): (Vec<Night>, Vec<Night>) = [ra.unwrap(), rb.unwrap()]
        .into_iter()
        .partition(|n| matches!(n, Night::Made { .. }));
    assert_eq!((made.len(), taken.len()), (1, 1), "{made:?} {taken:?}");
    assert!(matches!(taken[0], Night::Taken(n) if n == tonight));
    let Night::Made {
        night,
        made,
        pruned,
    } = &made[0]
    else {
        unreachable!()
    };
    assert_eq!(*night, tonight);
    assert_eq!(pruned, &vec![dir.join(old)], "the oldest beyond keep=1");
    assert_eq!(backup::verify(&made.path).await.unwrap().failure, None);
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec![
            made.manifest.file.clone(),
            format!("{}.manifest.json", made.manifest.file)
        ]
    );
    let run = nightly::backup_run::Entity::find_by_id(tonight)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the night's row");
    assert!(run.finished_at.is_some() && run.error.is_none(), "{run:?}");
    assert_eq!(run.file.as_deref(), made.path.to_str());

    // Later that night nothing more; an instance started at 15:00 finds the night taken.
    let later = at + chrono::Duration::hours(1);
    assert!(matches!(
        nightly::tick(&app.db, &na, later, &mut ka).await.unwrap(),
        Night::NotDue
    ));
    let mut fresh = None;
    assert!(matches!(
        nightly::tick(&other, &instance("host-d:4:dddddd"), at + chrono::Duration::hours(12), &mut fresh)
            .await
            .unwrap(),
        Night::Taken(n) if n == tonight
    ));

    // A backup that fails is recorded in its night's row; serving goes on.
    let blocked = Scratch::new("blocked");
    std::fs::write(&blocked, b"a file where the directory should be").unwrap();
    let mut k = None;
    let next = at + chrono::Duration::days(1);
    match nightly::tick(
        &app.db,
        &Nightly {
            dir: blocked.to_path_buf(),
            ..instance("host-a:1:aaaaaa")
        },
        next,
        &mut k,
    )
    .await
    .unwrap()
    {
        Night::Failed { error, .. } => assert!(error.contains("cannot be created"), "{error}"),
        other => panic!("{other:?}"),
    }
    let run = nightly::backup_run::Entity::find_by_id(tonight + chrono::Duration::days(1))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(run.finished_at.is_some() && run.file.is_none());
    assert!(run.error.unwrap_or_default().contains("cannot be created"));
    other.close().await.unwrap();
}
db_test!(one_instance_makes_the_nights_backup_however_many_claim_it);

async fn a_failed_backup_leaves_nothing_under_a_backups_name(app: TestApp) {
    // The directory is created when missing.
    let base = Scratch::new("fresh");
    let dir = base.join("nested").join("backups");
    let made = backup::make(&app.db, &app.database_url, &dir)
        .await
        .unwrap();
    assert!(made.path.starts_with(&dir));

    // The copy cannot be written (its temporary name is taken by a directory, for each of the
    // next seconds): an error, and nothing under a backup's name.
    let dir = Scratch::new("failing");
    std::fs::create_dir_all(&dir).unwrap();
    let ext = match backend(&app) {
        Backend::Sqlite => "db",
        Backend::Postgres => "dump",
    };
    let now = chrono::Utc::now();
    for s in 0..10 {
        let at = now + chrono::Duration::seconds(s);
        std::fs::create_dir(dir.join(format!(
            ".liaison-{}.{ext}.partial",
            at.format("%Y%m%dT%H%M%SZ")
        )))
        .unwrap();
    }
    let err = backup::make(&app.db, &app.database_url, &dir)
        .await
        .expect_err("the copy cannot be written");
    assert!(!format!("{err:#}").is_empty());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| n.ends_with(".partial")),
        "no backup and no manifest: {names:?}"
    );
}
db_test!(a_failed_backup_leaves_nothing_under_a_backups_name);
