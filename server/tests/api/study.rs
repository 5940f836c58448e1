//! Study hours: at least 8 a month, logged in half hours.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::rules::month_bounds;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn study(cadre: &Cadre) -> Value {
    ok(&cadre.app, "/api/study/list", &[]).await
}

async fn study_hours_add_up_over_this_month(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let (first_day, _) = month_bounds(t);
    let empty = study(a).await;
    assert_eq!(empty["month"], day(first_day));
    assert_eq!(empty["total"], 0.0);
    // The cadre took up the post today: this month owes its share of the 8 hours.
    assert_eq!(
        empty["target"],
        app::compliance::rules::month_target(first_day, Some(t), 8.0)
    );
    assert_eq!(empty["rows"], json!([]));
    assert_eq!(empty["history"], json!([]));

    let form = study_form(t, "2.5");
    let first = created(&a.app, "/api/study/create", &form).await;
    let again = created(&a.app, "/api/study/create", &form).await;
    assert_eq!(first, again, "a resend stores one record");
    assert_eq!(w.admin.count("study_records").await, 1);
    let second = created(
        &a.app,
        "/api/study/create",
        &with(
            study_form(t, "4"),
            &[("kind", "youth_study"), ("topic", "青年大学习第十二期")],
        ),
    )
    .await;

    let page = study(a).await;
    assert_eq!(page["total"], 6.5);
    assert_eq!(
        page["rows"],
        json!([
            {
                "id": second,
                "date": day(t),
                "hours": 4.0,
                "topic": "青年大学习第十二期",
                "kind": "YouthStudy",
            },
            {
                "id": first,
                "date": day(t),
                "hours": 2.5,
                "topic": "学习习近平总书记关于青年工作的重要思想",
                "kind": "Thematic",
            },
        ]),
        "newest first"
    );

    // Last month may still be filled in; it counts for last month.
    let last_month = first_day - Duration::days(1);
    created(
        &a.app,
        "/api/study/create",
        &with(study_form(last_month, "3"), &[("kind", "other")]),
    )
    .await;
    let page = study(a).await;
    assert_eq!(page["total"], 6.5, "this month only");
    assert_eq!(page["rows"].as_array().unwrap().len(), 2);
    assert_eq!(
        page["history"],
        json!([[day(month_bounds(last_month).0), 3.0]])
    );
    assert_eq!(w.admin.count("study_records").await, 3);

    // The other cadre's hours are their own.
    let theirs = study(&w.b).await;
    assert_eq!(theirs["total"], 0.0);
    assert_eq!(theirs["rows"], json!([]));
}
db_test!(study_hours_add_up_over_this_month);

async fn bad_study_input_gets_field_messages(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let tomorrow = day(days_ago(-1));
    // Earlier than the first day of last month.
    let too_old = day(month_bounds(month_bounds(t).0 - Duration::days(1)).0 - Duration::days(1));
    for (field, value, code) in [
        ("study_date", "", "required"),
        ("study_date", "2026-02-29", "invalid_date"),
        ("study_date", tomorrow.as_str(), "date_in_future"),
        ("study_date", too_old.as_str(), "date_too_old"),
        ("hours", "", "required"),
        ("hours", "0", "invalid_hours"),
        ("hours", "-1", "invalid_hours"),
        ("hours", "12.5", "invalid_hours"),
        ("hours", "1.25", "invalid_hours"),
        ("hours", "two", "invalid_hours"),
        ("topic", " ", "required"),
        ("kind", "", "required"),
        ("kind", "exam", "invalid_choice"),
        ("request_id", "x", "invalid_request_id"),
    ] {
        assert_only_field_invalid(
            &a.app,
            "/api/study/create",
            study_form(t, "2"),
            (field, value, code),
        )
        .await;
    }
    let res = a
        .app
        .call(
            "/api/study/create",
            &pairs(&with(
                study_form(t, "13"),
                &[("study_date", &tomorrow), ("kind", "exam")],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("study_date", "date_in_future"),
            ("hours", "invalid_hours"),
            ("kind", "invalid_choice"),
        ],
    );
    assert_eq!(echoed(&err, "hours"), Some("13"));
    assert_eq!(w.admin.count("study_records").await, 0);

    // Half an hour and twelve hours are the bounds.
    for hours in ["0.5", "12"] {
        created(&a.app, "/api/study/create", &study_form(t, hours)).await;
    }
    assert_eq!(study(a).await["total"], 12.5);
}
db_test!(bad_study_input_gets_field_messages);

async fn another_cadres_study_request_id_stores_nothing(app: TestApp) {
    let w = setup(app).await;
    let form = study_form(today(), "3");
    created(&w.a.app, "/api/study/create", &form).await;
    let res = w.b.app.call("/api/study/create", &pairs(&form)).await;
    assert_invalid(res, "request_id", "request_reused").await;
    assert_eq!(w.admin.count("study_records").await, 1);
    assert_eq!(study(&w.b).await["total"], 0.0);
    let res = w.admin.call("/api/study/list", &[]).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    let res = w.admin.call("/api/study/create", &pairs(&form)).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
}
db_test!(another_cadres_study_request_id_stores_nothing);

async fn a_double_tap_on_log_study_stores_one_record(app: TestApp) {
    let w = setup(app).await;
    let form = study_form(today(), "1.5");
    let id = created_at_once(&w.a.app, "/api/study/create", &form).await;
    assert_eq!(w.admin.count("study_records").await, 1);
    let page = study(&w.a).await;
    assert_eq!(page["rows"][0]["id"], id);
    assert_eq!(page["total"], 1.5);
}
db_test!(a_double_tap_on_log_study_stores_one_record);

async fn a_month_without_study_reads_zero_hours_not_minus_zero(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    // Last month's hours do not count for this month: this month's sum is over no records.
    let last_month = month_bounds(today()).0 - Duration::days(1);
    created(&a.app, "/api/study/create", &study_form(last_month, "2")).await;
    let mut problems = Vec::new();
    let total = study(a).await["total"].as_f64().unwrap();
    if total != 0.0 || total.is_sign_negative() {
        problems.push(format!("/api/study/list total is {total:?}"));
    }
    let on_today = today_page(a).await["study_hours"].as_f64().unwrap();
    if on_today != 0.0 || on_today.is_sign_negative() {
        problems.push(format!("/api/today study_hours is {on_today:?}"));
    }
    let target = today_page(a).await["study_target"].as_f64().unwrap();
    let of_target = format!("0 / {target} 小时");
    for (page, shown) in [("/", of_target.as_str()), ("/study", "本月已学 0 小时")] {
        let html = a.app.page(page).await;
        let minus = shown.replacen('0', "-0", 1);
        if html.contains(&minus) || !html.contains(shown) {
            problems.push(format!("{page} shows “{minus}”, not “{shown}”"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
db_test!(a_month_without_study_reads_zero_hours_not_minus_zero);
