//! One engine, fair numbers (issue 13): every page reads the compliance engine, a policy change
//! holds from its date, the trend's past weeks come out the same whenever they are judged, one
//! vocabulary for youths to contact, and reminders that say whether each line is still open.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use crate::reminders::posted_long_ago;
use app::model::entities::{account, audit_log, compliance_week, study_record};
use app::rules::{Quarter, Week};
use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::Value;

async fn supervisor_of(w: &World) -> TestApp {
    w.admin
        .create_account("sup_street", "supervisor", w.street, PASSWORD)
        .await;
    let s = w.admin.session();
    assert!(s.login("sup_street", PASSWORD).await.status().is_success());
    s
}

async fn dashboard(sup: &TestApp, period: &str) -> Value {
    ok(sup, "/api/supervise/dashboard", &[("period", period)]).await
}

fn row<'a>(d: &'a Value, username: &str) -> &'a Value {
    d["cadres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {d}"))
}

fn rules_of(r: &Value) -> Vec<String> {
    r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The drill-down's weeks and `/visits`' weeks, as (week key, status) pairs.
async fn weeks_both_ways(
    sup: &TestApp,
    cadre: &Cadre,
) -> (Vec<(String, Value)>, Vec<(String, Value)>) {
    let quarter = Quarter::of(Week::of(today()).thursday());
    let detail = ok(
        sup,
        "/api/supervise/cadre",
        &[("id", &cadre.id.to_string()), ("period", &quarter.key())],
    )
    .await;
    let key = |w: &Value| format!("{}-W{:02}", w["year"], w["week"].as_u64().unwrap());
    let engine: Vec<(String, Value)> = detail["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (key(&l["week"]), l["status"].clone()))
        .collect();
    let visits = ok(
        &cadre.app,
        "/api/visits/list",
        &[("quarter", &quarter.key())],
    )
    .await;
    let page: Vec<(String, Value)> = visits["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (key(&l["week"]), l["status"].clone()))
        .filter(|(k, _)| engine.iter().any(|(e, _)| e == k))
        .collect();
    (engine, page)
}

fn sorted(mut v: Vec<(String, Value)>) -> Vec<(String, Value)> {
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

async fn one_week_has_one_status_on_every_page(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor_of(&w).await;
    // Made today: the weeks before this one are not owed, on /visits as on the drill-down.
    let (engine, page) = weeks_both_ways(&sup, &w.a).await;
    assert_eq!(sorted(engine.clone()), sorted(page.clone()));
    for (week, status) in &page {
        if *week != Week::of(today()).key() {
            assert_eq!(status["NotRequired"], "NotYetInPost", "{week}: {status}");
        }
    }
    // In post long since: a visit day today with leave for the whole week is not "covered".
    posted_long_ago(&w.admin).await;
    created(
        &w.a.app,
        "/api/visits/create",
        &visit_form(w.a.org, today()),
    )
    .await;
    let this = Week::of(today());
    // Leave is filed within today's quarter; around New Year this week counts in the one before.
    if Quarter::of(this.thursday()) == Quarter::of(today()) {
        let leave = created(
            &w.a.app,
            "/api/exemptions/request",
            &vec![
                ("request_id", rid()),
                ("start_date", day(this.monday())),
                ("end_date", day(this.sunday())),
                ("reason", "training".to_owned()),
                ("note", "区委党校培训".to_owned()),
            ],
        )
        .await;
        ok(
            &sup,
            "/api/exemptions/decide",
            &[
                ("request_id", &rid()),
                ("id", &leave.to_string()),
                ("decision", "approve"),
                ("comment", ""),
            ],
        )
        .await;
        let (engine, page) = weeks_both_ways(&sup, &w.a).await;
        assert_eq!(sorted(engine), sorted(page.clone()));
        let this_week = page
            .iter()
            .find(|(k, _)| *k == this.key())
            .map(|(_, s)| s.clone());
        if let Some(status) = this_week {
            assert_ne!(status, "Covered", "leave all week: exempt, not covered");
            // The today page says the same of this week.
            assert_eq!(today_page(&w.a).await["week_status"], status);
        }
    }
    // A part-time cadre's week with a visit day: not required, on both pages.
    account::Entity::update_many()
        .col_expr(account::Column::Post, Expr::value("part_time"))
        .filter(account::Column::Id.eq(w.b.id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    created(
        &w.b.app,
        "/api/visits/create",
        &visit_form(w.b.org, today()),
    )
    .await;
    let (engine, page) = weeks_both_ways(&sup, &w.b).await;
    assert_eq!(sorted(engine), sorted(page.clone()));
    for (week, status) in &page {
        assert_eq!(status["NotRequired"], "NotFullTime", "{week}: {status}");
    }
}
db_test!(one_week_has_one_status_on_every_page);

async fn study(cadre: i64, on: chrono::NaiveDate, hours: f64) -> study_record::ActiveModel {
    study_record::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        cadre_id: Set(cadre),
        study_date: Set(on),
        hours: Set(hours),
        topic: Set("理论学习".to_owned()),
        kind: Set("thematic".to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

fn policy_form(study: &str, roster: &str, from: &str) -> Vec<(&'static str, String)> {
    vec![
        ("roster_target", roster.to_owned()),
        ("contact_due_days", "60".to_owned()),
        ("contact_overdue_days", "90".to_owned()),
        ("offline_contacts_per_year", "1".to_owned()),
        ("visit_days_per_week", "1".to_owned()),
        ("visit_late_entry_days", "7".to_owned()),
        ("contact_late_entry_days", "30".to_owned()),
        ("min_working_days_per_week", "3".to_owned()),
        ("suggestions_per_quarter", "1".to_owned()),
        ("study_hours_per_month", study.to_owned()),
        ("effective_from", from.to_owned()),
    ]
}

async fn a_policy_change_holds_from_its_date_and_keeps_the_past(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor_of(&w).await;
    posted_long_ago(&w.admin).await;
    // Eight hours in every month of this quarter and the last.
    let last = Quarter::of(today()).prev();
    let mut month = last.start();
    while month <= today() {
        study_record::Entity::insert(study(w.a.id, month, 8.0).await)
            .exec(&w.admin.db)
            .await
            .unwrap();
        month = app::rules::month_bounds(month).1 + Duration::days(1);
    }
    let before = row(&dashboard(&sup, &last.key()).await, "cadre_a").clone();
    assert!(
        !rules_of(&before).contains(&"study_missed".to_owned()),
        "{before}"
    );

    // Refused: from a past day, or more than a year ahead; only admins.
    let yesterday = day(today() - Duration::days(1));
    let res = w
        .admin
        .call(
            "/api/policy/update",
            &pairs(&policy_form("10", "100", &yesterday)),
        )
        .await;
    assert_invalid(res, "effective_from", "date_in_past").await;
    let far = day(today() + Duration::days(400));
    let res = w
        .admin
        .call(
            "/api/policy/update",
            &pairs(&policy_form("10", "100", &far)),
        )
        .await;
    assert_invalid(res, "effective_from", "date_too_far").await;

    // Ten hours from today: the months that ended keep eight.
    ok(
        &w.admin,
        "/api/policy/update",
        &pairs(&policy_form("10", "100", "")),
    )
    .await;
    let after = row(&dashboard(&sup, &last.key()).await, "cadre_a").clone();
    assert!(
        !rules_of(&after).contains(&"study_missed".to_owned()),
        "{after}"
    );
    assert_eq!(
        after["study_months"], before["study_months"],
        "last quarter unchanged"
    );
    let now = row(
        &dashboard(&sup, &Quarter::of(today()).key()).await,
        "cadre_a",
    )
    .clone();
    for m in now["study_months"].as_array().unwrap() {
        let first: chrono::NaiveDate = m["month"].as_str().unwrap().parse().unwrap();
        let ended = app::rules::month_bounds(first).1 < today();
        let target = if ended { 8.0 } else { 10.0 };
        assert_eq!(m["target"].as_f64(), Some(target), "{m}");
    }
    assert!(
        !rules_of(&now).contains(&"study_missed".to_owned()),
        "{now}"
    );
    assert_eq!(now["study_target"].as_f64(), Some(10.0));

    // A change from tomorrow is kept for then: today still reads the values in force.
    let tomorrow = today() + Duration::days(1);
    ok(
        &w.admin,
        "/api/policy/update",
        &pairs(&policy_form("10", "90", &day(tomorrow))),
    )
    .await;
    let policy = ok(&w.admin, "/api/policy/get", &[]).await;
    assert_eq!(policy["roster_target"], 100, "{policy}");
    assert_eq!(policy["study_hours_per_month"], 10.0);
    assert_eq!(policy["in_force_from"], day(today()));
    let versions = policy["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3, "{policy}");
    assert_eq!(versions[0]["effective_from"], day(tomorrow));
    assert_eq!(versions[0]["changes"][0], "roster_target: 100 → 90");
    assert_eq!(versions[1]["changes"][0], "study_hours_per_month: 8 → 10");
    assert!(versions[1]["updated_by"].is_string(), "{policy}");
    assert_eq!(
        versions[2]["changes"],
        serde_json::json!([]),
        "the first version"
    );
    let page = w.admin.page("/admin/policy").await;
    assert!(page.contains("从何时起"), "the form asks from when");
    assert!(page.contains(&format!("已定于 {} 起执行", day(tomorrow))));
    // Each change audit-logged with its date.
    let logged: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("policy"))
        .all(&w.admin.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.details)
        .collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged
        .iter()
        .any(|d| d.starts_with(&format!("from {}", day(tomorrow)))));
    // Sending the same again changes nothing.
    ok(
        &w.admin,
        "/api/policy/update",
        &pairs(&policy_form("10", "90", &day(tomorrow))),
    )
    .await;
    assert_eq!(
        audit_log::Entity::find()
            .filter(audit_log::Column::Entity.eq("policy"))
            .count(&w.admin.db)
            .await
            .unwrap(),
        2
    );
}
db_test!(a_policy_change_holds_from_its_date_and_keeps_the_past);

fn last_point(d: &Value) -> Value {
    d["trend"].as_array().unwrap().last().cloned().unwrap()
}

async fn the_trend_counts_who_was_in_post_and_late_entries_update_closed_weeks(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor_of(&w).await;
    posted_long_ago(&w.admin).await;
    // A cadre made today, before anyone opened the dashboard: not in last week's count.
    w.admin
        .create_account("cadre_new", "cadre", w.street, PASSWORD)
        .await;
    let first = dashboard(&sup, "").await;
    let point = last_point(&first);
    assert_eq!(point["cadres"], 2, "{point}");
    assert!(
        compliance_week::Entity::find()
            .count(&w.admin.db)
            .await
            .unwrap()
            > 0
    );
    // Forgetting the kept judgements and judging again gives the same weeks.
    compliance_week::Entity::delete_many()
        .exec(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(dashboard(&sup, "").await["trend"], first["trend"]);
    // A visit day logged late for last week: last week is judged again.
    let late = today() - Duration::days(7);
    created(&w.a.app, "/api/visits/create", &visit_form(w.a.org, late)).await;
    let after = last_point(&dashboard(&sup, "").await);
    if point["weeks_required"].as_u64().unwrap() > 0 {
        assert_eq!(
            after["weeks_covered"].as_u64().unwrap(),
            point["weeks_covered"].as_u64().unwrap() + 1,
            "{point} → {after}"
        );
    }
}
db_test!(the_trend_counts_who_was_in_post_and_late_entries_update_closed_weeks);

async fn one_vocabulary_for_youths_to_contact_on_every_page_and_reminder(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    // Never contacted: one overdue (100 days), one due (70 days); a third added today.
    assigned_days_ago(&w.admin, a.youths[0], 100).await;
    assigned_days_ago(&w.admin, a.youths[1], 70).await;
    let fresh = add_youth(&a.app, &youth_form("赵敏")).await;
    let today_page = today_page(a).await;
    assert_eq!(
        (today_page["due"].as_u64(), today_page["overdue"].as_u64()),
        (Some(1), Some(1))
    );
    // Named as never contacted, never as "N 天未联系"; the new youth is newly assigned.
    let html = a.app.page("/youth").await;
    assert!(html.contains("从未联系（分配 100 天）"), "{html}");
    assert!(html.contains("从未联系（分配 70 天）"));
    assert!(html.contains("今日新分配"));
    assert!(
        !html.contains("100 天未联系") && !html.contains("0 天未联系"),
        "{html}"
    );
    let profile = a.app.page(&format!("/youth/{fresh}")).await;
    assert!(profile.contains("今日新分配") && !profile.contains("0 天未联系"));
    let home = a.app.page("/").await;
    assert!(home.contains("从未联系（分配 100 天）"));

    // The morning digest counts as the today page does, each line with its state.
    let at = app::rules::shanghai_midnight(today()) + Duration::hours(9) + Duration::minutes(5);
    app::reminders::scheduler::tick(
        &w.admin.db,
        &app::reminders::service::env_of(&w.admin.state),
        at,
    )
    .await
    .expect("the tick runs");
    let inbox = ok(&a.app, "/api/inbox/list", &[]).await;
    let digest = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "contact_digest")
        .cloned()
        .unwrap_or_else(|| panic!("a digest in {inbox}"));
    assert_eq!(
        digest["title"], "1 名青年已逾期未联系，另有 1 名待联系",
        "{digest}"
    );
    let status_of = |d: &Value, youth: i64| {
        d["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["link"] == format!("/youth/{youth}"))
            .map(|l| (l["text"].as_str().unwrap().to_owned(), l["status"].clone()))
            .unwrap()
    };
    let (text, status) = status_of(&digest, a.youths[0]);
    assert!(text.contains("已逾期 · 从未联系（分配 100 天）"), "{text}");
    assert_eq!(status, "open");
    // Contacted since: read again, the line says done; the other is still open.
    created(&a.app, "/api/contacts/create", &contact_form(a.youths[0])).await;
    let inbox = ok(&a.app, "/api/inbox/list", &[]).await;
    let digest = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "contact_digest")
        .cloned()
        .unwrap();
    assert_eq!(status_of(&digest, a.youths[0]).1, "done");
    assert_eq!(status_of(&digest, a.youths[1]).1, "open");
    let html = a.app.page("/inbox").await;
    assert!(html.contains("已完成") && html.contains("仍待处理"));
}
db_test!(one_vocabulary_for_youths_to_contact_on_every_page_and_reminder);

/// Every number of every demo cadre, for a week, a month and the quarter, read from the
/// dashboard, the drill-down, the today page, `/visits`, `/study`, the morning digest and the
/// export's 汇总 row: they agree, so none of them computes a number of its own.
async fn every_page_digest_and_export_reads_the_same_numbers(backend: Backend) {
    use crate::exports::{download, export_form, finished, open_book, table, text};
    use calamine::Data;
    let Some(app) = spawn_with(backend, |a| a.demo = true).await else {
        return;
    };
    let sup = app.session();
    sup.login("supervisor", "demo-liaison").await;
    let today = today();
    let this_week = Week::of(today);
    // Today's quarter (the one the today page, the digest and the export choices are about).
    let quarter = Quarter::of(today);
    let periods = [
        this_week.key(),
        format!("{}", today.format("%Y-%m")),
        quarter.key(),
    ];
    // Every cadre's dashboard row, per period (every page of the table).
    let mut rows: Vec<std::collections::HashMap<String, Value>> = Vec::new();
    for period in &periods {
        let mut by_user = std::collections::HashMap::new();
        let mut page = 1;
        loop {
            let d = ok(
                &sup,
                "/api/supervise/dashboard",
                &[("period", period), ("page", &page.to_string())],
            )
            .await;
            for r in d["cadres"].as_array().unwrap() {
                by_user.insert(r["username"].as_str().unwrap().to_owned(), r.clone());
            }
            if page >= d["pages"].as_u64().unwrap() as usize {
                break;
            }
            page += 1;
        }
        rows.push(by_user);
    }
    let users: Vec<String> = rows[2].keys().cloned().collect();
    assert!(users.len() >= 10, "{users:?}");

    // The morning digest, made for everyone at once.
    let at = app::rules::shanghai_midnight(today) + Duration::hours(9) + Duration::minutes(5);
    app::reminders::scheduler::tick(&app.db, &app::reminders::service::env_of(&app.state), at)
        .await
        .expect("the tick runs");

    // The export's summary of the quarter.
    let id = created(
        &sup,
        "/api/exports/create",
        &export_form("", &quarter.key(), "xlsx"),
    )
    .await;
    let status = finished(&sup, id).await;
    assert_eq!(status["state"], "done", "{status}");
    let bytes = download(&sup, &format!("/exports/{id}/download")).await;
    let summary = table(&mut open_book(bytes), "汇总");
    let col = |name: &str| summary.col(name);
    let num = |d: &Data| match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("a number, not {other:?}"),
    };

    for user in &users {
        let quarter_row = &rows[2][user];
        let id = quarter_row["cadre_id"].as_i64().unwrap();
        // The drill-down's row is the dashboard's, for every period kind.
        for (period, by_user) in periods.iter().zip(&rows) {
            let detail = ok(
                &sup,
                "/api/supervise/cadre",
                &[("id", &id.to_string()), ("period", period)],
            )
            .await;
            assert_eq!(&detail["row"], &by_user[user], "{user} {period}");
        }
        // The export's summary row.
        let line = summary
            .rows
            .iter()
            .find(|r| r.last().map(text).as_deref() == Some(user.as_str()))
            .unwrap_or_else(|| panic!("{user} in the summary"));
        for (header, field) in [
            ("名单人数", "roster"),
            ("本季联系人数", "contacted"),
            ("逾期人数", "overdue"),
            ("4+1应下", "weeks_required"),
            ("4+1已下", "weeks_covered"),
            ("4+1请假", "weeks_exempt"),
            ("联系点建议已提", "suggestions_given"),
            ("联系点建议应提", "suggestions_due"),
        ] {
            assert_eq!(
                num(&line[col(header)]),
                quarter_row[field].as_f64().unwrap(),
                "{user} {header}"
            );
        }
        for m in quarter_row["study_months"].as_array().unwrap() {
            let month: chrono::NaiveDate = m["month"].as_str().unwrap().parse().unwrap();
            let header = format!("{}月学习时长（小时）", month.format("%-m"));
            assert_eq!(
                num(&line[col(&header)]),
                m["hours"].as_f64().unwrap(),
                "{user} {header}"
            );
        }

        // The cadre's own pages.
        let me = app.session();
        if me.login(user, "demo-liaison").await.status() != reqwest::StatusCode::OK {
            continue;
        }
        let cadre = Cadre {
            id,
            app: me,
            org: 0,
            org_name: "",
            pairing: 0,
            youths: vec![],
        };
        let today_page = today_page(&cadre).await;
        let now = &rows[2][user];
        {
            for (mine, theirs) in [
                ("due", "due"),
                ("overdue", "overdue"),
                ("roster_total", "roster"),
                ("study_hours", "study_hours"),
                ("study_target", "study_target"),
            ] {
                assert_eq!(
                    today_page[mine].as_f64(),
                    now[theirs].as_f64(),
                    "{user}: today's {mine}"
                );
            }
        }
        let week_detail = ok(
            &sup,
            "/api/supervise/cadre",
            &[("id", &id.to_string()), ("period", &periods[0])],
        )
        .await;
        assert_eq!(
            today_page["week_status"], week_detail["weeks"][0]["status"],
            "{user}: this week"
        );
        let (engine, visits) = weeks_both_ways(&sup, &cadre).await;
        assert_eq!(sorted(engine), sorted(visits), "{user}: /visits");
        let study = ok(&cadre.app, "/api/study/list", &[]).await;
        let month_row = &rows[1][user];
        assert_eq!(study["total"], month_row["study_hours"], "{user}: /study");
        assert_eq!(study["target"], month_row["study_target"], "{user}: /study");
        // The digest counts what the figures count.
        let (due, overdue) = (
            now["due"].as_u64().unwrap(),
            now["overdue"].as_u64().unwrap(),
        );
        let inbox = ok(&cadre.app, "/api/inbox/list", &[]).await;
        let digest = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "contact_digest");
        let expected = match (due, overdue) {
            (0, 0) => None,
            (d, 0) => Some(format!("{d} 名青年待联系")),
            (0, o) => Some(format!("{o} 名青年已逾期未联系")),
            (d, o) => Some(format!("{o} 名青年已逾期未联系，另有 {d} 名待联系")),
        };
        {
            assert_eq!(
                digest.map(|d| d["title"].as_str().unwrap().to_owned()),
                expected,
                "{user}: the digest"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_digest_and_export_reads_the_same_numbers_on_sqlite() {
    every_page_digest_and_export_reads_the_same_numbers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_digest_and_export_reads_the_same_numbers_on_postgres() {
    every_page_digest_and_export_reads_the_same_numbers(Backend::Postgres).await;
}

/// The dashboard's row of a cadre (kept facts) and the drill-down's (read afresh) for a period.
async fn both_ways(sup: &TestApp, cadre: &Cadre, period: &str) -> (Value, Value) {
    let d = dashboard(sup, period).await;
    let kept = row(&d, "cadre_a").clone();
    let detail = ok(
        sup,
        "/api/supervise/cadre",
        &[("id", &cadre.id.to_string()), ("period", period)],
    )
    .await;
    (kept, detail["row"].clone())
}

async fn kept_facts_follow_every_kind_of_write(app: TestApp) {
    use app::model::entities::cadre_fact;
    let w = setup(app).await;
    let sup = supervisor_of(&w).await;
    let a = &w.a;
    // Today's quarter: today's contact counts in it (around New Year, this week's may be the
    // one before).
    let quarter = Quarter::of(today()).key();
    let last_month =
        app::rules::month_bounds(app::rules::month_bounds(today()).0 - Duration::days(1)).0;
    let month = format!("{}", last_month.format("%Y-%m"));
    // In post long since, so past weeks and months count.
    account::Entity::update_many()
        .col_expr(
            account::Column::JoinedOn,
            Expr::value(today() - Duration::days(200)),
        )
        .filter(account::Column::Id.eq(a.id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    assigned_days_ago(&w.admin, a.youths[0], 90).await;
    assigned_days_ago(&w.admin, a.youths[1], 90).await;
    let first = both_ways(&sup, a, &quarter).await;
    assert_eq!(first.0, first.1);
    both_ways(&sup, a, &month).await;
    // The views kept their facts.
    assert!(
        cadre_fact::Entity::find().count(&w.admin.db).await.unwrap() >= 2,
        "kept"
    );
    let stamp = || async {
        account::Entity::find_by_id(a.id)
            .one(&w.admin.db)
            .await
            .unwrap()
            .unwrap()
            .facts_stamp
    };
    let mut before = stamp().await;
    // Each kind of write moves the cadre's stamp and the next view shows it, for this quarter
    // and for last month (a closed period, read from the contacts themselves).
    let writes: Vec<(&str, Form)> = vec![
        ("/api/contacts/create", contact_form(a.youths[0])),
        ("/api/visits/create", visit_form(a.org, days_ago(1))),
        ("/api/study/create", study_form(days_ago(0), "2")),
        (
            "/api/suggestions/create",
            suggestion_form(a.org, Quarter::of(today())),
        ),
        ("/api/youth/create", youth_form("赵敏")),
    ];
    for (endpoint, form) in &writes {
        let res = a.app.call(endpoint, &pairs(form)).await;
        assert!(
            res.status().is_success(),
            "{endpoint}: {}",
            res.text().await.unwrap()
        );
        let now = stamp().await;
        assert!(now > before, "{endpoint} moves the stamp");
        before = now;
        for period in [&quarter, &month] {
            let (kept, fresh) = both_ways(&sup, a, period).await;
            assert_eq!(kept, fresh, "after {endpoint}, {period}");
        }
    }
    // Today's contact counts in the quarter, the new youth in the roster.
    let (kept, _) = both_ways(&sup, a, &quarter).await;
    assert_eq!(kept["roster"], 3, "{kept}");
    assert!(kept["contacted"].as_u64().unwrap() >= 1, "{kept}");
    // A youth moved to another cadre leaves this roster at once (both stamps move).
    let b_before = account::Entity::find_by_id(w.b.id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap()
        .facts_stamp;
    ok(
        &sup,
        "/api/roster/reassign",
        &[
            ("request_id", &rid()),
            ("youth_ids", &a.youths[1].to_string()),
            ("to_cadre_id", &w.b.id.to_string()),
        ],
    )
    .await;
    let b_after = account::Entity::find_by_id(w.b.id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap()
        .facts_stamp;
    assert!(b_after > b_before);
    let (kept, fresh) = both_ways(&sup, a, &quarter).await;
    assert_eq!(kept, fresh);
    assert_eq!(kept["roster"], 2, "{kept}");
    // Writes that go around the app (straight into the database) are seen too: study and a
    // contact in last month, a closed period read from the contacts themselves.
    study_record::Entity::insert(study(a.id, last_month + Duration::days(5), 3.0).await)
        .exec(&w.admin.db)
        .await
        .unwrap();
    app::model::entities::contact::Entity::insert(app::model::entities::contact::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        youth_id: Set(a.youths[0]),
        cadre_id: Set(a.id),
        contact_date: Set(last_month + Duration::days(2)),
        channel: Set("phone".to_owned()),
        online: Set(true),
        content: Set("电话回访".to_owned()),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(&w.admin.db)
    .await
    .unwrap();
    let (kept, fresh) = both_ways(&sup, a, &month).await;
    assert_eq!(kept, fresh);
    assert_eq!(kept["study_hours"], 3.0, "{kept}");
    assert_eq!(kept["contacted"], 1, "{kept}");
    // So is a policy change from today (a new fingerprint): the roster target moves.
    ok(
        &w.admin,
        "/api/policy/update",
        &pairs(&policy_form("8", "120", "")),
    )
    .await;
    let (kept, fresh) = both_ways(&sup, a, &quarter).await;
    assert_eq!(kept, fresh);
    assert_eq!(kept["roster_target"], 120, "{kept}");
}
db_test!(kept_facts_follow_every_kind_of_write);
