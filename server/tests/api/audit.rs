//! The audit trail (等保 2.0): one hash chain, append-only in the database, verified by the
//! auditor and by `server audit verify`, archived after 180 days into a file that verifies on its
//! own; the auditor's filters, pages and CSV; the three administrators keeping to their work.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{account, audit_log};
use migrations::audit_chain::GENESIS;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

async fn rows(app: &TestApp) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Seq)
        .all(&app.db)
        .await
        .unwrap()
}

/// `server <args>` on the test's database: (exit code, stdout + stderr).
async fn cli(app: &TestApp, args: &[&str]) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("LIAISON_DATABASE_URL", &app.database_url)
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

/// Drops the trigger that refuses `op` (`UPDATE` or `DELETE`), as someone with the database's
/// keys could.
async fn drop_guard(app: &TestApp, op: &str) {
    let sql = match (app.db.get_database_backend(), op) {
        (DbBackend::Postgres, _) => "DROP TRIGGER audit_log_append_only ON audit_log",
        (_, "UPDATE") => "DROP TRIGGER audit_log_no_update",
        _ => "DROP TRIGGER audit_log_no_delete",
    };
    app.db.execute_unprepared(sql).await.unwrap();
}

async fn audit_rows_form_one_chain_that_verify_walks(app: TestApp) {
    let w = setup(app).await;
    assert!(w
        .a
        .app
        .login("cadre_a", "wrong-password")
        .await
        .status()
        .is_client_error());
    let all = rows(&w.admin).await;
    assert!(all.len() > 10, "{} rows", all.len());
    let mut prev = GENESIS.to_owned();
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.seq, i as i64 + 1, "seq without gaps");
        assert_eq!(r.prev_hash, prev, "row {} follows the one before", r.id);
        assert_eq!(r.hash, app::ssr::audit::row_hash(r, &prev), "row {}", r.id);
        prev.clone_from(&r.hash);
    }
    let cadre_login = all
        .iter()
        .find(|r| r.action == "login" && r.actor_id == Some(w.a.id) && r.result == "success")
        .expect("the cadre's sign-in");
    assert_eq!(cadre_login.role, "cadre");
    let failed = all
        .iter()
        .find(|r| r.action == "login" && r.result == "failure")
        .expect("the failed sign-in");
    assert_eq!(failed.actor_id, Some(w.a.id));
    let created = all
        .iter()
        .find(|r| r.action == "create" && r.entity == "account")
        .unwrap();
    assert_eq!(created.role, "sysadmin");

    let v = app::ssr::audit::verify(&w.admin.db).await.unwrap();
    assert_eq!(v.broken, None);
    assert_eq!(v.rows, all.len() as u64);
    let (code, out) = cli(&w.admin, &["audit", "verify"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");
}
db_test!(audit_rows_form_one_chain_that_verify_walks);

async fn the_database_refuses_to_change_or_remove_audit_rows(app: TestApp) {
    app.login_as_admin().await;
    let db = &app.db;
    assert!(app.count("audit_log").await > 0);
    for sql in [
        "UPDATE audit_log SET details = 'rewritten'",
        "DELETE FROM audit_log",
        "UPDATE audit_head SET seq = seq",
    ] {
        let res = db.execute_unprepared(sql).await;
        if sql.contains("audit_head") {
            // The head moves on with every row: it is no log, and verify checks it.
            assert!(res.is_ok(), "{sql}");
        } else {
            let err = res.expect_err(sql).to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let err = db
            .execute_unprepared("TRUNCATE audit_log")
            .await
            .expect_err("TRUNCATE")
            .to_string();
        assert!(err.contains("append-only"), "{err}");
    }
    // Through the ORM too: there is no code path around the trigger.
    let res = audit_log::Entity::delete_many().exec(db).await;
    assert!(res.is_err());
    assert!(rows(&app).await.iter().all(|r| r.details != "rewritten"));
}
db_test!(the_database_refuses_to_change_or_remove_audit_rows);

async fn verify_names_the_first_row_that_was_tampered_with(app: TestApp) {
    let w = setup(app).await;
    let auditor = signed_in(&w.admin, "auditor", ADMIN_PASSWORD).await;
    let report = ok(&auditor, "/api/audit/verify", &[]).await;
    assert_eq!(report["ok"], true, "{report}");

    // Someone with the database's keys rewrites a row in the middle.
    drop_guard(&w.admin, "UPDATE").await;
    let all = rows(&w.admin).await;
    let victim = &all[all.len() / 2];
    w.admin
        .db
        .execute_unprepared(&format!(
            "UPDATE audit_log SET details = 'nothing happened' WHERE id = {}",
            victim.id
        ))
        .await
        .unwrap();
    let (code, out) = cli(&w.admin, &["audit", "verify"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("row id {} (seq {})", victim.id, victim.seq)),
        "{out}"
    );
    assert!(out.contains("changed"), "{out}");
    let report = ok(&auditor, "/api/audit/verify", &[]).await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken_id"], victim.id);
    // The page says so too.
    let page = auditor.page("/audit?verify=1").await;
    assert!(
        page.contains("data-ok=\"false\""),
        "the page shows the break"
    );
    assert!(page.contains(&format!("row id {}", victim.id)));
}
db_test!(verify_names_the_first_row_that_was_tampered_with);

async fn verify_sees_rows_removed_from_the_middle_and_the_end(app: TestApp) {
    let w = setup(app).await;
    drop_guard(&w.admin, "DELETE").await;
    let all = rows(&w.admin).await;
    let (gone, next) = (&all[3], &all[4]);
    w.admin
        .db
        .execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {}", gone.id))
        .await
        .unwrap();
    let v = app::ssr::audit::verify(&w.admin.db).await.unwrap();
    let b = v.broken.expect("a gap");
    assert_eq!((b.id, b.why), (Some(next.id), app::ssr::audit::Break::Gap));
    assert_eq!(v.rows, 3, "the rows before it held");

    // On a fresh chain: the newest row removed.
    let other = spawn_app(match w.admin.db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    })
    .await
    .unwrap();
    other.login_as_admin().await;
    drop_guard(&other, "DELETE").await;
    other
        .db
        .execute_unprepared("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
        .await
        .unwrap();
    let v = app::ssr::audit::verify(&other.db).await.unwrap();
    assert_eq!(
        v.broken.map(|b| b.why),
        Some(app::ssr::audit::Break::Truncated)
    );
}
db_test!(verify_sees_rows_removed_from_the_middle_and_the_end);

async fn archives_keep_six_months_and_leave_a_file_that_verifies(app: TestApp) {
    let w = setup(app).await;
    let dir = std::env::temp_dir().join(format!("liaison-archive-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("audit-2026.jsonl");
    let today = app::ssr::today();

    // Rows younger than 180 days stay: refused, from the library and from the command line.
    let err = server::archive::archive(&w.admin.db, today, today, &file)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("180"), "{err}");
    let recent = (today - chrono::Duration::days(179)).to_string();
    let (code, out) = cli(
        &w.admin,
        &[
            "audit",
            "archive",
            "--before",
            &recent,
            "--to",
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("180 days"), "{out}");
    assert!(!file.exists(), "nothing written");
    let oldest = (today - chrono::Duration::days(180)).to_string();
    let (code, out) = cli(
        &w.admin,
        &[
            "audit",
            "archive",
            "--before",
            &oldest,
            "--to",
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert_ne!(
        code, 0,
        "a day 180 days back is allowed, but nothing is that old: {out}"
    );
    assert!(out.contains("no audit rows older than"), "{out}");

    // Half a year on, today's rows may go.
    let before = rows(&w.admin).await;
    let later = today + chrono::Duration::days(200);
    let done =
        server::archive::archive(&w.admin.db, today + chrono::Duration::days(1), later, &file)
            .await
            .unwrap();
    assert_eq!(done.rows, before.len() as u64);
    assert_eq!((done.first_seq, done.last_seq), (1, before.len() as i64));
    let after = rows(&w.admin).await;
    assert_eq!(after.len(), 1, "only the archive's own row is left");
    assert_eq!(after[0].action, "audit_archive");
    assert_eq!(
        after[0].prev_hash,
        before.last().unwrap().hash,
        "the chain goes on"
    );
    let v = app::ssr::audit::verify(&w.admin.db).await.unwrap();
    assert_eq!(v.broken, None);
    assert_eq!(v.anchored_at, Some(before.len() as i64));
    // The anchor's rows cannot come back to be deleted or changed either.
    let err = w
        .admin
        .db
        .execute_unprepared("DELETE FROM audit_anchors")
        .await
        .expect_err("anchors stay")
        .to_string();
    assert!(err.contains("append-only"), "{err}");

    // The file verifies on its own …
    let f = server::archive::verify_file(&file).unwrap();
    assert_eq!((f.rows, f.broken), (before.len() as u64, None));
    let (code, out) = cli(
        &w.admin,
        &["audit", "verify", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("archive intact"), "{out}");
    // … and an edit to it shows.
    let text = std::fs::read_to_string(&file).unwrap();
    let victim = &before[2];
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if v["seq"] == victim.seq {
                v["details"] = Value::from("edited");
            }
            v.to_string()
        })
        .collect();
    let edited = edited.join("\n") + "\n";
    assert_ne!(edited, text);
    std::fs::write(&file, edited).unwrap();
    let f = server::archive::verify_file(&file).unwrap();
    assert_eq!(f.broken.and_then(|b| b.id), Some(victim.id));
    let (code, out) = cli(
        &w.admin,
        &["audit", "verify", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    // An archive is never written over.
    let err = server::archive::archive(
        &w.admin.db,
        later,
        later + chrono::Duration::days(200),
        &file,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("never overwritten"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
db_test!(archives_keep_six_months_and_leave_a_file_that_verifies);

async fn list(auditor: &TestApp, form: &[(&str, &str)]) -> Value {
    ok(auditor, "/api/audit/list", form).await
}

fn events(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap().to_owned())
        .collect()
}

async fn auditors_filter_page_and_export_the_trail(app: TestApp) {
    let w = setup(app).await;
    let auditor = signed_in(&w.admin, "auditor", ADMIN_PASSWORD).await;
    let youth = w.a.youths[0];
    // Each look at the profile shows the full number: each is on the record.
    for _ in 0..55 {
        ok(&w.a.app, "/api/youth/get", &[("id", &youth.to_string())]).await;
    }
    assert!(w
        .b
        .app
        .login("cadre_b", "wrong-password")
        .await
        .status()
        .is_client_error());

    let first = list(&auditor, &[("event", "phone_view")]).await;
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["has_next"], true);
    assert!(
        first["rows"][0]["seq"].as_i64() > first["rows"][49]["seq"].as_i64(),
        "newest first"
    );
    let row = &first["rows"][0];
    assert_eq!(row["actor"], "cadre_a");
    assert_eq!(row["role"], "cadre");
    assert_eq!(row["object"], format!("youth:{youth}"));
    let second = list(&auditor, &[("event", "phone_view"), ("page", "2")]).await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 5);
    assert_eq!(second["has_next"], false);

    let failures = list(&auditor, &[("result", "failure")]).await;
    assert_eq!(events(&failures), ["login"]);
    assert_eq!(failures["rows"][0]["actor"], "cadre_b");
    let by_actor = list(&auditor, &[("actor", "cadre_b")]).await;
    assert!(by_actor["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["actor"] == "cadre_b"));
    let nobody = list(&auditor, &[("actor", "no_such_user")]).await;
    assert_eq!(nobody["rows"], serde_json::json!([]));
    let object = format!("account:{}", w.b.id);
    let on_b = list(&auditor, &[("object", object.as_str())]).await;
    assert!(!on_b["rows"].as_array().unwrap().is_empty());
    assert!(on_b["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["object"] == object.as_str()));
    let today = app::ssr::today();
    let (t, y) = (
        today.to_string(),
        (today - chrono::Duration::days(1)).to_string(),
    );
    let todays = list(
        &auditor,
        &[("event", "phone_view"), ("from", &t), ("to", &t)],
    )
    .await;
    assert_eq!(todays["rows"].as_array().unwrap().len(), 50);
    let yesterdays = list(&auditor, &[("from", &y), ("to", &y)]).await;
    assert_eq!(yesterdays["rows"], serde_json::json!([]));

    for (field, value, code) in [
        ("object", "account:x", "invalid_object"),
        ("result", "maybe", "invalid_choice"),
        ("from", "2026-13-01", "invalid_date"),
    ] {
        let res = auditor.call("/api/audit/list", &[(field, value)]).await;
        assert_invalid(res, field, code).await;
    }
    let res = auditor
        .call("/api/audit/list", &[("from", &t), ("to", &y)])
        .await;
    assert_invalid(res, "to", "date_order").await;

    // The CSV: the filtered rows, every one, with the export itself on the record.
    let res = auditor.get("/audit/export.csv?event=phone_view").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = res.text().await.unwrap();
    assert!(
        body.starts_with('\u{feff}'),
        "a BOM for spreadsheet programs"
    );
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let recs: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 55);
    assert!(recs
        .iter()
        .all(|r| &r[7] == "phone_view" && &r[4] == "cadre_a"));
    // Compressed as browsers ask for it, the stream still ends as it should.
    let res = auditor
        .client
        .get(auditor.url("/audit/export.csv?event=phone_view"))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let zipped = res.bytes().await.expect("the whole compressed body");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut text)
        .unwrap();
    assert_eq!(
        text.trim_end().lines().count(),
        56,
        "the header and 55 rows"
    );
    let exported = list(&auditor, &[("event", "audit_export")]).await;
    assert_eq!(exported["rows"][0]["actor"], "auditor");
    assert_eq!(exported["rows"][0]["details"], "event=phone_view");
    assert_eq!(exported["rows"].as_array().unwrap().len(), 2);
    // Nobody else reads the trail.
    for who in [&w.admin, &w.a.app] {
        assert_eq!(
            who.get("/audit/export.csv").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_status(
            who.call("/api/audit/list", &[]).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_eq!(who.get("/audit").await.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(
        w.admin.session().get("/audit/export.csv").await.status(),
        StatusCode::SEE_OTHER
    );
    let page = auditor.page("/audit?event=phone_view").await;
    assert!(page.contains("data-testid=\"audit-rows\""));
    assert!(
        page.contains("data-testid=\"audit-older\""),
        "a link to the next page"
    );
    // An auditor changes nothing: no page of theirs offers it, and the matrix refuses the rest.
    assert_eq!(
        auditor.get("/admin/users").await.status(),
        StatusCode::NOT_FOUND
    );
}
db_test!(auditors_filter_page_and_export_the_trail);

async fn create(app: &TestApp, username: &str, role: &str, org: i64) -> reqwest::Response {
    app.call(
        "/api/users/create",
        &[
            ("request_id", &uuid::Uuid::new_v4().to_string()),
            ("name", "新账号"),
            ("username", username),
            ("phone", ""),
            ("role", role),
            ("org_id", &org.to_string()),
            ("post", if role == "cadre" { "full_time" } else { "" }),
            ("password", "quiet-river-73"),
        ],
    )
    .await
}

async fn the_three_administrators_keep_to_their_work(app: TestApp) {
    let w = setup(app).await;
    let root = w.admin.root_org().await;
    let sec = signed_in(&w.admin, "secadmin", ADMIN_PASSWORD).await;
    // Administrators' accounts are the security administrator's; the others' the system
    // administrator's.
    assert_status(
        create(&sec, "auditor2", "auditor", root).await,
        StatusCode::OK,
    )
    .await;
    assert_invalid(
        create(&sec, "cadre_x", "cadre", root).await,
        "role",
        "invalid_choice",
    )
    .await;
    assert_invalid(
        create(&w.admin, "sec2", "secadmin", root).await,
        "role",
        "invalid_choice",
    )
    .await;
    let sec_id = crate::security::account_id(&w.admin, "secadmin").await;
    let res = w
        .admin
        .call(
            "/api/users/reset-password",
            &[
                ("id", &sec_id.to_string()),
                ("new_password", "quiet-river-73"),
            ],
        )
        .await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    let res = sec
        .call(
            "/api/users/reset-password",
            &[
                ("id", &w.a.id.to_string()),
                ("new_password", "quiet-river-73"),
            ],
        )
        .await;
    assert_status(res, StatusCode::FORBIDDEN).await;

    // Roles: assigned by the security administrator; the account's sessions end.
    let res = sec
        .call(
            "/api/users/role",
            &[("id", &sec_id.to_string()), ("role", "sysadmin")],
        )
        .await;
    assert_invalid(res, "role", "self_role").await;
    ok(
        &sec,
        "/api/users/role",
        &[("id", &w.b.id.to_string()), ("role", "supervisor")],
    )
    .await;
    assert_status(
        w.b.app.call("/api/today", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let b = account::Entity::find_by_id(w.b.id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.role, "supervisor");
    let changed = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("role_change"))
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.details.as_str(), changed.role.as_str()),
        ("cadre -> supervisor", "secadmin")
    );

    // A locked account: the security administrator sees it and lifts the lock.
    for _ in 0..7 {
        w.a.app.login("cadre_a", "wrong-password").await;
    }
    assert_eq!(
        w.a.app.login("cadre_a", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let listed = ok(&sec, "/api/users/list", &[("q", "cadre_a")]).await;
    assert_eq!(listed["accounts"][0]["locked"], true, "{listed}");
    assert_eq!(
        listed["accounts"][0]["kept"], false,
        "a cadre is not the secadmin's to keep"
    );
    ok(&sec, "/api/users/unlock", &[("id", &w.a.id.to_string())]).await;
    let listed = ok(&sec, "/api/users/list", &[("q", "cadre_a")]).await;
    assert_eq!(listed["accounts"][0]["locked"], false);
    assert_status(w.a.app.login("cadre_a", PASSWORD).await, StatusCode::OK).await;
    assert!(audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("unlock"))
        .filter(audit_log::Column::EntityId.eq(w.a.id))
        .one(&w.admin.db)
        .await
        .unwrap()
        .is_some());

    // Each has its own pages.
    let page = sec.page("/admin/users").await;
    assert!(
        page.contains("分配角色"),
        "the security administrator assigns roles"
    );
    assert_eq!(sec.get("/admin/orgs").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(sec.get("/audit").await.status(), StatusCode::NOT_FOUND);
    let page = w.admin.page("/admin/users").await;
    assert!(!page.contains("分配角色"));
}
db_test!(the_three_administrators_keep_to_their_work);

async fn create_admin_makes_each_of_the_three(app: TestApp) {
    let (code, out) = cli(
        &app,
        &[
            "create-admin",
            "--role",
            "auditor",
            "--username",
            "auditor_two",
        ],
    )
    .await;
    // The password comes from the environment only.
    assert_ne!(code, 0, "{out}");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "create-admin",
            "--role",
            "auditor",
            "--username",
            "auditor_two",
        ])
        .env("LIAISON_DATABASE_URL", &app.database_url)
        .env("LIAISON_ADMIN_PASSWORD", "quiet-river-73")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = account::Entity::find()
        .filter(account::Column::Username.eq("auditor_two"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.role, "auditor");
    let (code, out) = cli(&app, &["create-admin", "--role", "admin"]).await;
    assert_ne!(code, 0, "{out}");
    let s = signed_in(&app, "auditor_two", "quiet-river-73").await;
    assert!(s.page("/audit").await.contains("审计记录"));
}
db_test!(create_admin_makes_each_of_the_three);
