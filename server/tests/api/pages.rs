//! Pages as a browser without JavaScript gets them; health; demo data.

use crate::db_test;
use crate::helpers::*;
use reqwest::{header, StatusCode};

async fn health_answers_when_the_database_does(app: TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
}
db_test!(health_answers_when_the_database_does);

async fn the_sign_in_page_is_chinese_and_hides_demo_accounts_outside_demo_mode(app: TestApp) {
    let page = app.page("/login").await;
    assert!(page.contains(r#"<html lang="zh-CN""#));
    assert!(page.contains(r#"action="/api/login""#));
    assert!(page.contains(r#"name="login""#) && page.contains(r#"name="password""#));
    assert!(page.contains("手机号或用户名"));
    assert!(!page.contains("demo-liaison"));
}
db_test!(the_sign_in_page_is_chinese_and_hides_demo_accounts_outside_demo_mode);

async fn pages_send_strangers_to_sign_in_and_hide_admin_pages_from_others(app: TestApp) {
    for path in ["/", "/admin/orgs", "/admin/users", "/settings"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::FOUND, "{path}");
        assert_eq!(res.headers()[header::LOCATION], "/login", "{path}");
    }
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("页面不存在"));
}
db_test!(pages_send_strangers_to_sign_in_and_hide_admin_pages_from_others);

async fn in_wechat_the_pages_with_downloads_say_how_to_open_them(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    app.create_account("sup_w", "supervisor", root, "password-123")
        .await;
    let sup = app.session();
    sup.login("sup_w", "password-123").await;
    const WECHAT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
    for (who, path) in [
        (&app, "/settings"),
        (&sup, "/exports"),
        (&app, "/admin/import"),
    ] {
        let page = |ua: &'static str| {
            let req = who.client.get(who.url(path)).header(header::USER_AGENT, ua);
            async move { req.send().await.unwrap().text().await.unwrap() }
        };
        let inside = page(WECHAT).await;
        assert!(inside.contains("data-testid=\"wechat-hint\""), "{path}");
        assert!(inside.contains("在浏览器打开"), "{path}");
        let outside =
            page("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1").await;
        assert!(!outside.contains("wechat-hint"), "{path}");
    }
}
db_test!(in_wechat_the_pages_with_downloads_say_how_to_open_them);

async fn a_failed_plain_form_keeps_what_was_typed(app: TestApp) {
    app.login_as_admin().await;
    let rid = uuid::Uuid::new_v4().to_string();
    let res = app
        .submit(
            "/admin/orgs",
            "/api/orgs/create",
            &[
                ("request_id", &rid),
                ("name", "新的学校团委"),
                ("kind", ""),
                ("parent_id", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let page = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"value="新的学校团委""#), "the name is kept");
    assert!(
        page.contains(&format!(r#"value="{rid}""#)),
        "the same request id is kept"
    );
    assert!(
        page.contains("请从列表中选择") || page.contains("请填写此项"),
        "the kind has a message"
    );
    assert_eq!(app.count("organisations").await, 1);

    // Corrected and sent from the page the error came back to: saved, said so, and the old
    // message is gone.
    let res = app
        .submit(
            &location,
            "/api/orgs/create",
            &[
                ("request_id", &rid),
                ("name", "新的学校团委"),
                ("kind", "school"),
                ("parent_id", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, app.url("/admin/orgs?saved=1"), "back to the page");
    let path = |l: &str| l.strip_prefix(&app.url("")).unwrap_or(l).to_owned();
    let back = path(&back);
    let page = app.page(&back).await;
    assert!(page.contains("新的学校团委"));
    assert!(
        page.contains(r#"class="notice">已保存</p>"#),
        "confirmed: {page}"
    );
    assert!(
        !page.contains("请从列表中选择") && !page.contains("field-error"),
        "the old error is gone"
    );
    assert_eq!(app.count("organisations").await, 2);
    // An empty form sent after the save: its error alone, not also 已保存.
    let res = app
        .submit(
            &back,
            "/api/orgs/create",
            &[
                ("request_id", &uuid::Uuid::new_v4().to_string()),
                ("name", ""),
                ("kind", ""),
                ("parent_id", "1"),
            ],
        )
        .await;
    let location = path(res.headers()[header::LOCATION].to_str().unwrap());
    let page = app.page(&location).await;
    assert!(page.contains("请填写此项"), "{location}");
    // (The enhanced regions carry the word for their own notices, `data-saved="已保存"`.)
    assert!(!page.contains(">已保存</p>"), "one message, not two");
}
db_test!(a_failed_plain_form_keeps_what_was_typed);

async fn demo_mode_loads_a_realistic_district(backend: Backend) {
    let Some(app) = spawn_with(backend, |a| a.demo = true).await else {
        return;
    };
    assert_eq!(app.count("organisations").await, 25);
    assert_eq!(
        app.count("accounts").await,
        17,
        "the three administrators, 2 supervisors, 12 cadres"
    );
    let youths = app.count("youths").await;
    assert!((1000..=1100).contains(&youths), "{youths}");
    assert_eq!(app.count("assignments").await, youths);
    assert_eq!(app.count("policies").await, 9);
    // The sign-in page lists who can sign in: not cadre12, who has left; supervisor2 too.
    let login = app.page("/login").await;
    assert!(login.contains("cadre01…cadre11（团干部）"), "{login}");
    assert!(login.contains("supervisor2"));
    assert!(!login.contains("cadre12"));
    assert!(login.contains("忘记密码"));

    // About two quarters of history.
    let contacts = app.count("contacts").await;
    let visit_days = app.count("visit_days").await;
    let suggestions = app.count("suggestions").await;
    let study_records = app.count("study_records").await;
    let exemptions = app.count("exemptions").await;
    eprintln!(
        "demo history: {contacts} contacts, {visit_days} visit days, {suggestions} suggestions, \
         {study_records} study records, {exemptions} exemptions"
    );
    assert!(contacts > 1500, "{contacts} contacts");
    assert!(visit_days > 100, "{visit_days} visit days");
    assert!(suggestions > 20, "{suggestions} suggestions");
    assert!(study_records > 100, "{study_records} study records");
    assert!(exemptions >= 2, "{exemptions} exemptions");

    // cadre01, the account the demo is shown with, has youths due and overdue for contact.
    {
        use app::rules::{contact_status, ContactStatus, Policy};
        use chrono::NaiveDate;
        use sea_orm::{FromQueryResult, Statement};
        #[derive(FromQueryResult)]
        struct Standing {
            assigned_on: NaiveDate,
            first_contact: Option<NaiveDate>,
            last_contact: Option<NaiveDate>,
        }
        let standings = Standing::find_by_statement(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT a.assigned_on AS assigned_on, MIN(c.contact_date) AS first_contact, \
             MAX(c.contact_date) AS last_contact \
             FROM assignments a \
             JOIN accounts u ON u.id = a.cadre_id \
             LEFT JOIN contacts c ON c.youth_id = a.youth_id \
             WHERE u.username = 'cadre01' AND a.ended_on IS NULL \
             GROUP BY a.id, a.assigned_on",
        ))
        .all(&app.db)
        .await
        .expect("standings query");
        let (today, policy) = (app::ssr::today(), Policy::default());
        let count = |status| {
            standings
                .iter()
                .filter(|s| contact_status(s.last_contact, s.assigned_on, today, &policy) == status)
                .count()
        };
        let (due, overdue) = (count(ContactStatus::Due), count(ContactStatus::Overdue));
        let never = standings
            .iter()
            .filter(|s| s.last_contact.is_none())
            .count();
        eprintln!(
            "cadre01: {} youths, {due} due, {overdue} overdue, {never} never contacted",
            standings.len()
        );
        assert!(due >= 5, "{due} due");
        assert!(overdue >= 3, "{overdue} overdue");
        assert!(never > 0, "some youths were never contacted");
        assert!(
            standings.iter().all(|s| {
                s.first_contact.is_none_or(|d| s.assigned_on <= d)
                    && s.last_contact.is_none_or(|d| d <= today)
            }),
            "contacts fall between the assignment and today"
        );
    }

    let page = app.page("/login").await;
    assert!(
        page.contains("demo-liaison"),
        "the sign-in page tells the demo password"
    );
    for user in [
        "sysadmin",
        "secadmin",
        "auditor",
        "supervisor",
        "supervisor2",
        "cadre01",
    ] {
        let s = app.session();
        assert_eq!(
            s.login(user, "demo-liaison").await.status(),
            StatusCode::OK,
            "{user}"
        );
    }

    // What a supervisor finds: a real mix of lights, a queue, a pending leave request, a cadre
    // who left (cadre12, who can no longer sign in) with an unhandled roster.
    let sup = app.session();
    sup.login("supervisor", "demo-liaison").await;
    let d = crate::cadre::ok(&sup, "/api/supervise/dashboard", &[]).await;
    for light in ["green", "yellow", "red"] {
        assert!(
            d["tiles"][light].as_u64().unwrap() > 0,
            "{light}: {}",
            d["tiles"]
        );
    }
    assert_eq!(d["left_with_roster"][0]["name"], "孙浩");
    assert!(d["trend"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["green"].as_u64().unwrap() > 0));
    // The contact-coverage line: youths on the rosters, and those not overdue among them.
    for w in d["trend"].as_array().unwrap() {
        let (roster, in_touch) = (
            w["roster"].as_u64().unwrap(),
            w["in_touch"].as_u64().unwrap(),
        );
        assert!(roster > 0 && in_touch <= roster, "{w}");
    }
    let queue = crate::cadre::ok(&sup, "/api/suggestions/queue", &[]).await;
    assert!(
        queue["matching"].as_u64().unwrap() >= 5,
        "{}",
        queue["matching"]
    );
    let leave = crate::cadre::ok(&sup, "/api/exemptions/queue", &[]).await;
    assert_eq!(leave["pending"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.session()
            .login("cadre12", "demo-liaison")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // supervisor2 oversees one street committee only.
    let sup2 = app.session();
    sup2.login("supervisor2", "demo-liaison").await;
    let d2 = crate::cadre::ok(&sup2, "/api/supervise/dashboard", &[]).await;
    assert!(d2["tiles"]["cadres"].as_u64().unwrap() < d["tiles"]["cadres"].as_u64().unwrap());
    assert_eq!(d2["org_name"], "河东街道团工委");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_loads_a_realistic_district_on_sqlite() {
    demo_mode_loads_a_realistic_district(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_loads_a_realistic_district_on_postgres() {
    demo_mode_loads_a_realistic_district(Backend::Postgres).await;
}
