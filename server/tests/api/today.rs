//! The today page: this week's visit day, youths to contact, the quarter's suggestions and the
//! month's study hours, in one call.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::rules::{month_bounds, Quarter, Week};
use chrono::{Datelike, Duration};
use reqwest::StatusCode;
use serde_json::json;

async fn todays_week_is_covered_once_a_visit_day_is_logged_this_week(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let quarter = Quarter::of(t);
    let page = today_page(a).await;
    assert_eq!(page["week"], week_json(Week::of(t)));
    assert_eq!(page["week_status"], "Open", "no visit day yet this week");
    assert_eq!(page["roster_total"], 2);
    assert_eq!(page["roster_target"], 100);
    assert_eq!(page["due"], 0);
    assert_eq!(page["overdue"], 0);
    assert_eq!(page["to_contact"], json!([]), "new youths are not due");
    assert_eq!(page["quarter"], quarter_json(quarter));
    assert_eq!(page["quarter_days_left"], quarter.days_left(t));
    assert_eq!(
        page["suggestions"],
        json!([{ "org_id": a.org, "org_name": SCHOOL, "count": 0 }])
    );
    assert_eq!(page["study_hours"], 0.0);
    // In post from today: this month asks its share of the 8 hours.
    assert_eq!(page["study_target"], new_cadres_study_target());

    // Seven days ago is always last week: it does not cover this one.
    created(
        &a.app,
        "/api/visits/create",
        &visit_form(a.org, days_ago(7)),
    )
    .await;
    assert_eq!(today_page(a).await["week_status"], "Open");
    created(&a.app, "/api/visits/create", &visit_form(a.org, t)).await;
    assert_eq!(today_page(a).await["week_status"], "Covered");
    assert_eq!(
        today_page(&w.b).await["week_status"],
        "Open",
        "the other cadre's week is theirs"
    );
}
db_test!(todays_week_is_covered_once_a_visit_day_is_logged_this_week);

async fn a_cadre_who_is_not_full_time_owes_no_visit_day(app: TestApp) {
    let w = setup(app).await;
    let res = w
        .admin
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid()),
                ("name", "兼职团干部"),
                ("username", "part_timer"),
                ("phone", ""),
                ("role", "cadre"),
                ("org_id", &w.street.to_string()),
                ("post", "part_time"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_status(res, StatusCode::OK).await;
    let part_timer = w.admin.session();
    assert_status(
        part_timer.login("part_timer", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let page = ok(&part_timer, "/api/today", &[]).await;
    assert_eq!(
        page["week_status"],
        json!({ "NotRequired": "NotFullTime" }),
        "4+1 is for full-time cadres"
    );
    assert_eq!(page["roster_total"], 0);
    assert_eq!(page["suggestions"], json!([]), "no paired organisations");
    assert_eq!(
        page["study_target"],
        new_cadres_study_target(),
        "study is for every cadre"
    );
}
db_test!(a_cadre_who_is_not_full_time_owes_no_visit_day);

async fn today_counts_this_quarters_suggestions_and_this_months_study(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let quarter = Quarter::of(t);
    created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, quarter.prev()),
    )
    .await;
    assert_eq!(today_page(a).await["suggestions"][0]["count"], 0);
    created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, quarter),
    )
    .await;
    assert_eq!(
        today_page(a).await["suggestions"],
        json!([{ "org_id": a.org, "org_name": SCHOOL, "count": 1 }])
    );

    let last_month = month_bounds(t).0 - Duration::days(1);
    created(&a.app, "/api/study/create", &study_form(last_month, "6")).await;
    assert_eq!(today_page(a).await["study_hours"], 0.0);
    for hours in ["1.5", "5", "2"] {
        created(&a.app, "/api/study/create", &study_form(t, hours)).await;
    }
    let page = today_page(a).await;
    assert_eq!(page["study_hours"], 8.5);
    assert_eq!(today_page(&w.b).await["study_hours"], 0.0);

    // A contact keeps the roster as it was: nobody is due.
    created(&a.app, "/api/contacts/create", &contact_form(a.youths[0])).await;
    let page = today_page(a).await;
    assert_eq!(page["roster_total"], 2);
    assert_eq!(page["to_contact"], json!([]));
}
db_test!(today_counts_this_quarters_suggestions_and_this_months_study);

async fn only_cadres_have_a_today_page(app: TestApp) {
    let w = setup(app).await;
    let res = w.admin.call("/api/today", &[]).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    let res = w.admin.session().call("/api/today", &[]).await;
    assert_status(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(today_page(&w.a).await["roster_total"], 2);
    assert_eq!(today_page(&w.b).await["roster_total"], 1);
}
db_test!(only_cadres_have_a_today_page);

/// What this month asks of a cadre whose account was made today (in post from today).
fn new_cadres_study_target() -> f64 {
    let first = today().with_day(1).unwrap();
    app::compliance::rules::month_target(first, Some(today()), 8.0)
}
