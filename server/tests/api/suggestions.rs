//! Quarterly suggestions (or solved problems) for each paired grassroots organisation.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::rules::Quarter;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn suggestions(cadre: &Cadre) -> Value {
    ok(&cadre.app, "/api/suggestions/list", &[]).await
}

async fn a_cadre_submits_a_suggestion_once_and_the_quarter_is_covered(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let t = today();
    let quarter = Quarter::of(t);
    let before = suggestions(a).await;
    assert_eq!(
        before["coverage"],
        json!([{ "org_id": a.org, "org_name": SCHOOL, "count": 0 }])
    );
    assert_eq!(before["suggestions"], json!([]));

    let form = suggestion_form(a.org, quarter);
    let first = created(&a.app, "/api/suggestions/create", &form).await;
    let again = created(&a.app, "/api/suggestions/create", &form).await;
    assert_eq!(first, again, "a resend stores one suggestion");
    assert_eq!(w.admin.count("suggestions").await, 1);

    let page = suggestions(a).await;
    assert_eq!(page["quarter"], quarter_json(quarter));
    assert_eq!(page["days_left"], quarter.days_left(t));
    assert_eq!(
        page["coverage"],
        json!([{ "org_id": a.org, "org_name": SCHOOL, "count": 1 }])
    );
    let row = json!({
        "id": first,
        "cadre_id": a.id,
        "cadre_name": CADRE_NAME,
        "org_id": a.org,
        "org_name": SCHOOL,
        "revision": 0,
        "reviews": [],
        "quarter": quarter_json(quarter),
        "kind": "Suggestion",
        "title": "建立团员积分制度",
        "description": "按季度公示团员参加活动的积分，激励团员参与",
        "status": "Submitted",
        "review_comment": null,
        "created_on": day(t),
    });
    assert_eq!(page["suggestions"], json!([row.clone()]));
    assert_eq!(
        ok(
            &a.app,
            "/api/suggestions/get",
            &[("id", &first.to_string())]
        )
        .await,
        row
    );

    // The last quarter may still be filled in; it does not cover this one.
    let late = created(
        &a.app,
        "/api/suggestions/create",
        &with(
            suggestion_form(a.org, quarter.prev()),
            &[("kind", "problem_solved"), ("title", "协调解决活动场地")],
        ),
    )
    .await;
    let page = suggestions(a).await;
    assert_eq!(page["coverage"][0]["count"], 1);
    let rows = page["suggestions"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let row = rows.iter().find(|s| s["id"] == late).unwrap();
    assert_eq!(row["quarter"], quarter_json(quarter.prev()));
    assert_eq!(row["kind"], "ProblemSolved");

    // The other cadre's page is their own.
    let theirs = suggestions(&w.b).await;
    assert_eq!(theirs["suggestions"], json!([]));
    assert_eq!(
        theirs["coverage"],
        json!([{ "org_id": w.b.org, "org_name": COMPANY, "count": 0 }])
    );
}
db_test!(a_cadre_submits_a_suggestion_once_and_the_quarter_is_covered);

async fn bad_suggestion_input_gets_field_messages(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let quarter = Quarter::of(today());
    let (next, older) = (quarter.next().key(), quarter.prev().prev().key());
    let (theirs, street) = (w.b.org.to_string(), w.street.to_string());
    let long = "长".repeat(101);
    for (field, value, code) in [
        ("quarter", next.as_str(), "quarter_choice"),
        ("quarter", older.as_str(), "quarter_choice"),
        ("quarter", "2026Q5", "quarter_choice"),
        ("quarter", "", "quarter_choice"),
        ("org_id", "", "required"),
        ("org_id", "abc", "invalid_choice"),
        ("org_id", theirs.as_str(), "not_paired"),
        ("org_id", street.as_str(), "not_paired"),
        ("kind", "", "required"),
        ("kind", "idea", "invalid_choice"),
        ("title", " ", "required"),
        ("title", long.as_str(), "too_long"),
        ("description", "", "required"),
        ("request_id", "", "invalid_request_id"),
    ] {
        assert_only_field_invalid(
            &a.app,
            "/api/suggestions/create",
            suggestion_form(a.org, quarter),
            (field, value, code),
        )
        .await;
    }
    let res = a
        .app
        .call(
            "/api/suggestions/create",
            &pairs(&with(
                suggestion_form(a.org, quarter),
                &[("quarter", &next), ("kind", "idea"), ("description", "")],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("quarter", "quarter_choice"),
            ("kind", "invalid_choice"),
            ("description", "required"),
        ],
    );
    assert_eq!(echoed(&err, "quarter"), Some(next.as_str()));
    assert_eq!(w.admin.count("suggestions").await, 0);
}
db_test!(bad_suggestion_input_gets_field_messages);

async fn another_cadres_suggestion_is_not_found(app: TestApp) {
    let w = setup(app).await;
    let (a, b) = (&w.a, &w.b);
    let form = suggestion_form(a.org, Quarter::of(today()));
    let id = created(&a.app, "/api/suggestions/create", &form).await;
    let res = b
        .app
        .call("/api/suggestions/get", &[("id", &id.to_string())])
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = a
        .app
        .call("/api/suggestions/get", &[("id", "999999")])
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    // Resending the other cadre's request id is refused and stores nothing.
    let res = b
        .app
        .call(
            "/api/suggestions/create",
            &pairs(&with(form, &[("org_id", &b.org.to_string())])),
        )
        .await;
    assert_invalid(res, "request_id", "request_reused").await;
    assert_eq!(w.admin.count("suggestions").await, 1);
    assert_eq!(suggestions(b).await["coverage"][0]["count"], 0);
    let res = w.admin.call("/api/suggestions/list", &[]).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
}
db_test!(another_cadres_suggestion_is_not_found);

async fn a_double_tap_on_submit_suggestion_stores_one_suggestion(app: TestApp) {
    let w = setup(app).await;
    let form = suggestion_form(w.a.org, Quarter::of(today()));
    let id = created_at_once(&w.a.app, "/api/suggestions/create", &form).await;
    assert_eq!(w.admin.count("suggestions").await, 1);
    assert_eq!(suggestions(&w.a).await["suggestions"][0]["id"], id);
}
db_test!(a_double_tap_on_submit_suggestion_stores_one_suggestion);
