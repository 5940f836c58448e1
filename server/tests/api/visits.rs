//! Visit days (4+1): log one a week at a paired grassroots organisation, up to 7 days late.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::rules::{Quarter, Week};
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn visits(cadre: &Cadre, quarter: &str) -> Value {
    ok(&cadre.app, "/api/visits/list", &[("quarter", quarter)]).await
}

/// The row of the week holding `date` on a visits page.
fn week_row(page: &Value, date: NaiveDate) -> &Value {
    let week = week_json(Week::of(date));
    page["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["week"] == week)
        .unwrap_or_else(|| panic!("the week of {date} is listed: {page}"))
}

async fn a_cadre_logs_a_visit_day_once_and_the_week_is_covered(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let form = with(
        visit_form(a.org, t),
        &[("hours", "7.5"), ("outcomes", "帮助支部制定季度活动计划")],
    );
    let first = created(&a.app, "/api/visits/create", &form).await;
    let again = created(&a.app, "/api/visits/create", &form).await;
    assert_eq!(first, again, "a resend stores one visit day");
    assert_eq!(w.admin.count("visit_days").await, 1);

    let quarter = week_quarter(t);
    let page = visits(a, &quarter.key()).await;
    assert_eq!(page["quarter"], quarter_json(quarter));
    assert_eq!(page["today"], day(t));
    assert_eq!(page["late_entry_days"], 7);
    assert_eq!(page["paired"], json!([[a.org, a.org_name]]));
    let row = json!({
        "id": first,
        "date": day(t),
        "org_name": SCHOOL,
        "hours": 7.5,
        "work_done": "参加团支部组织生活会，走访团员青年",
        "outcomes": "帮助支部制定季度活动计划",
        "late": false,
    });
    assert_eq!(page["visits"], json!([row.clone()]));
    let this_week = week_row(&page, t);
    assert_eq!(this_week["status"], "Covered");
    assert_eq!(this_week["monday"], day(Week::of(t).monday()));
    assert_eq!(this_week["sunday"], day(Week::of(t).sunday()));
    let weeks = page["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), quarter.weeks().len());
    assert_eq!(
        weeks[0]["week"],
        week_json(*quarter.weeks().last().unwrap()),
        "newest first"
    );
    assert_eq!(
        ok(&a.app, "/api/visits/get", &[("id", &first.to_string())]).await,
        row
    );

    // The current quarter is the default, and a quarter can be asked for in lower case.
    let default = visits(a, "").await;
    assert_eq!(default["quarter"], quarter_json(Quarter::of(t)));
    let lower = visits(a, &quarter.key().to_lowercase()).await;
    assert_eq!(lower["visits"], page["visits"]);
    // Another quarter has none of it.
    let earlier = visits(a, &quarter.prev().key()).await;
    assert_eq!(earlier["quarter"], quarter_json(quarter.prev()));
    assert_eq!(earlier["visits"], json!([]));

    // The other cadre's week is still open.
    let theirs = visits(&w.b, &quarter.key()).await;
    assert_eq!(theirs["visits"], json!([]));
    assert_eq!(week_row(&theirs, t)["status"], "Open");
    assert_eq!(theirs["paired"], json!([[w.b.org, w.b.org_name]]));
}
db_test!(a_cadre_logs_a_visit_day_once_and_the_week_is_covered);

async fn a_visit_day_may_be_logged_up_to_seven_days_late_and_once_a_day(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    // In post since long before: a week before taking up the post is not owed (nor "covered").
    crate::reminders::posted_long_ago(&w.admin).await;
    let res = a
        .app
        .call(
            "/api/visits/create",
            &pairs(&visit_form(a.org, days_ago(-1))),
        )
        .await;
    assert_invalid(res, "visit_date", "date_in_future").await;
    let res = a
        .app
        .call(
            "/api/visits/create",
            &pairs(&visit_form(a.org, days_ago(8))),
        )
        .await;
    let err = assert_invalid(res, "visit_date", "date_too_late").await;
    let message = field_error(&err, "visit_date").unwrap()["message"]
        .as_str()
        .unwrap();
    assert!(message.contains('7'), "the window is named: {message}");
    assert_eq!(w.admin.count("visit_days").await, 0);

    let late = days_ago(7);
    let id = created(&a.app, "/api/visits/create", &visit_form(a.org, late)).await;
    let page = visits(a, &week_quarter(late).key()).await;
    assert_eq!(week_row(&page, late)["status"], "Covered");
    assert!(page["visits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == id));

    let res = a
        .app
        .call("/api/visits/create", &pairs(&visit_form(a.org, late)))
        .await;
    assert_invalid(res, "visit_date", "visit_exists").await;
    assert_eq!(w.admin.count("visit_days").await, 1);
    // Another cadre may visit on the same day.
    created(&w.b.app, "/api/visits/create", &visit_form(w.b.org, late)).await;
    assert_eq!(w.admin.count("visit_days").await, 2);
}
db_test!(a_visit_day_may_be_logged_up_to_seven_days_late_and_once_a_day);

async fn bad_visit_input_gets_field_messages(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let (theirs, street) = (w.b.org.to_string(), w.street.to_string());
    let long = "长".repeat(1001);
    for (field, value, code) in [
        ("visit_date", "", "required"),
        ("visit_date", "2026-13-01", "invalid_date"),
        ("org_id", "", "required"),
        ("org_id", "abc", "invalid_choice"),
        ("org_id", theirs.as_str(), "not_paired"),
        ("org_id", street.as_str(), "not_paired"),
        ("hours", "", "required"),
        ("hours", "0", "invalid_hours"),
        ("hours", "12.5", "invalid_hours"),
        ("hours", "2.25", "invalid_hours"),
        ("hours", "eight", "invalid_hours"),
        ("work_done", " ", "required"),
        ("outcomes", long.as_str(), "too_long"),
        ("request_id", "nope", "invalid_request_id"),
    ] {
        assert_only_field_invalid(
            &a.app,
            "/api/visits/create",
            visit_form(a.org, t),
            (field, value, code),
        )
        .await;
    }
    let res = a
        .app
        .call(
            "/api/visits/create",
            &pairs(&with(
                visit_form(a.org, t),
                &[("org_id", &theirs), ("hours", "13"), ("work_done", "")],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("org_id", "not_paired"),
            ("hours", "invalid_hours"),
            ("work_done", "required"),
        ],
    );
    assert_eq!(echoed(&err, "hours"), Some("13"));
    assert_eq!(w.admin.count("visit_days").await, 0);

    // Half hours from 0.5 to 12 are fine.
    for (n, hours) in ["0.5", "12"].into_iter().enumerate() {
        let date = days_ago(n as i64);
        let id = created(
            &a.app,
            "/api/visits/create",
            &with(visit_form(a.org, date), &[("hours", hours)]),
        )
        .await;
        let row = ok(&a.app, "/api/visits/get", &[("id", &id.to_string())]).await;
        assert_eq!(row["hours"].as_f64(), hours.parse::<f64>().ok());
    }

    // Once the pairing ends, the organisation takes no more visit days from this cadre.
    ok(
        &w.admin,
        "/api/users/unpair",
        &[("id", &a.pairing.to_string())],
    )
    .await;
    let res = a
        .app
        .call(
            "/api/visits/create",
            &pairs(&visit_form(a.org, days_ago(2))),
        )
        .await;
    assert_invalid(res, "org_id", "not_paired").await;
    assert_eq!(visits(a, "").await["paired"], json!([]));
    let accounts = ok(&w.admin, "/api/users/list", &[]).await;
    let mine = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == a.id)
        .unwrap();
    assert_eq!(mine["pairings"], json!([]));
    assert_eq!(w.admin.count("visit_days").await, 2);
}
db_test!(bad_visit_input_gets_field_messages);

async fn another_cadres_visit_day_is_not_found(app: TestApp) {
    let w = setup(app).await;
    let (a, b) = (&w.a, &w.b);
    let form = visit_form(a.org, today());
    let id = created(&a.app, "/api/visits/create", &form).await;
    let res = b
        .app
        .call("/api/visits/get", &[("id", &id.to_string())])
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = a.app.call("/api/visits/get", &[("id", "999999")]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    // Resending the other cadre's request id is refused and stores nothing.
    let res = b
        .app
        .call(
            "/api/visits/create",
            &pairs(&with(form, &[("org_id", &b.org.to_string())])),
        )
        .await;
    assert_invalid(res, "request_id", "request_reused").await;
    assert_eq!(w.admin.count("visit_days").await, 1);
    assert_eq!(visits(b, "").await["visits"], json!([]));
    let res = w.admin.call("/api/visits/list", &[("quarter", "")]).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
}
db_test!(another_cadres_visit_day_is_not_found);

async fn a_double_tap_on_log_visit_day_stores_one_visit_day(app: TestApp) {
    let w = setup(app).await;
    // A few days, each sent several times at once: the race is narrow.
    for n in 0..5 {
        let date = days_ago(n);
        let form = visit_form(w.a.org, date);
        let id = created_at_once(&w.a.app, "/api/visits/create", &form).await;
        let row = ok(&w.a.app, "/api/visits/get", &[("id", &id.to_string())]).await;
        assert_eq!(row["date"], day(date));
    }
    assert_eq!(w.admin.count("visit_days").await, 5);
}
db_test!(a_double_tap_on_log_visit_day_stores_one_visit_day);

async fn a_visit_day_saved_by_a_plain_form_comes_back_to_its_page_with_a_notice(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let form = with(
        visit_form(a.org, today()),
        &[("work_done", "无脚本提交的下基层记录")],
    );
    let res = a
        .app
        .submit("/visits", "/api/visits/create", &pairs(&form))
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/visits?saved=1"), "{location}");
    let page = a.app.page("/visits?saved=1").await;
    assert!(
        page.contains(r#"class="notice">已保存</p>"#),
        "the page says it was saved"
    );
    assert!(
        page.contains("无脚本提交的下基层记录"),
        "and lists the visit day"
    );

    // A bad field brings the form back with its message and what was typed.
    let form = with(
        visit_form(a.org, today()),
        &[("hours", "30"), ("work_done", "再记一次")],
    );
    let res = a
        .app
        .submit("/visits", "/api/visits/create", &pairs(&form))
        .await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__flash="), "{location}");
    let page = a
        .app
        .client
        .get(a.app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("请输入 0.5 到 12 之间的小时数"),
        "the hours get a message"
    );
    assert!(page.contains("再记一次"), "the work done is kept");
    assert_eq!(w.admin.count("visit_days").await, 1);
}
db_test!(a_visit_day_saved_by_a_plain_form_comes_back_to_its_page_with_a_notice);
