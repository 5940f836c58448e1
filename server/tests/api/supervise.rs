//! The supervisor's side: the dashboard and drill-down, suggestion review, exemptions, roster
//! management, policy and calendar.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{assignment, audit_log, suggestion_review};
use chrono::Duration;
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

/// The world of the cadre tests, plus a supervisor of its street, a second street with its own
/// supervisor and cadre.
struct Sup {
    w: World,
    /// Supervisor of the street of cadres a and b.
    sup: TestApp,
    /// Supervisor of the other street.
    other_sup: TestApp,
    other_street: i64,
    /// A cadre of the other street.
    c: i64,
}

async fn sup_world(app: TestApp) -> Sup {
    let w = setup(app).await;
    let admin = &w.admin;
    let root = admin.root_org().await;
    let other_street = admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    admin
        .create_account("sup_a", "supervisor", w.street, PASSWORD)
        .await;
    admin
        .create_account("sup_b", "supervisor", other_street, PASSWORD)
        .await;
    let c = admin
        .create_account("cadre_c", "cadre", other_street, PASSWORD)
        .await;
    let login = |u: &'static str| {
        let s = admin.session();
        async move {
            assert!(s.login(u, PASSWORD).await.status().is_success(), "{u}");
            s
        }
    };
    let sup = login("sup_a").await;
    let other_sup = login("sup_b").await;
    Sup {
        w,
        sup,
        other_sup,
        other_street,
        c,
    }
}

async fn dashboard(app: &TestApp, form: &[(&str, &str)]) -> Value {
    ok(app, "/api/supervise/dashboard", form).await
}

/// The dashboard row of a cadre.
fn row<'a>(d: &'a Value, username: &str) -> &'a Value {
    d["cadres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == username)
        .unwrap_or_else(|| panic!("{username} on the dashboard: {d}"))
}

async fn the_dashboard_shows_the_same_numbers_as_the_cadres_today_page(app: TestApp) {
    let s = sup_world(app).await;
    let a = &s.w.a;
    // One youth due (70 days), one overdue (100 days); a contact, a visit, study hours.
    assigned_days_ago(&s.w.admin, a.youths[0], 70).await;
    assigned_days_ago(&s.w.admin, a.youths[1], 100).await;
    let extra = add_youth(&a.app, &youth_form("周敏")).await;
    created(&a.app, "/api/contacts/create", &contact_form(extra)).await;
    created(&a.app, "/api/visits/create", &visit_form(a.org, today())).await;
    created(&a.app, "/api/study/create", &study_form(today(), "3.5")).await;

    let mine = today_page(a).await;
    let d = dashboard(&s.sup, &[]).await;
    let r = row(&d, "cadre_a");
    assert_eq!(r["roster"], mine["roster_total"]);
    assert_eq!(r["due"], mine["due"]);
    assert_eq!(r["overdue"], mine["overdue"]);
    assert_eq!(r["study_hours"], mine["study_hours"]);
    assert_eq!(
        (r["due"].as_u64(), r["overdue"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["study_hours"], 3.5);
    assert_eq!(r["never"], 2, "the two backdated youths");
    assert_eq!(r["contacted"], 1);
    assert_eq!(r["light"], "red");
    let rules: Vec<&str> = r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"contact_overdue") && rules.contains(&"contact_due"),
        "{rules:?}"
    );
    assert_eq!(mine["week_status"], "Covered");
    // The drill-down says the same as the dashboard's row.
    let detail = ok(&s.sup, "/api/supervise/cadre", &[("id", &a.id.to_string())]).await;
    assert_eq!(&detail["row"], r);
    // Phones are masked for supervisors.
    let phone = detail["roster"][0]["phone"].as_str().unwrap();
    assert!(phone.contains("****"), "{phone}");
}
db_test!(the_dashboard_shows_the_same_numbers_as_the_cadres_today_page);

async fn supervisors_see_only_their_subtree(app: TestApp) {
    let s = sup_world(app).await;
    let d = dashboard(&s.sup, &[]).await;
    let names: Vec<&str> = d["cadres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"cadre_a") && names.contains(&"cadre_b"));
    let theirs = dashboard(&s.other_sup, &[]).await;
    assert_eq!(theirs["cadres"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["cadres"][0]["username"], "cadre_c");
    // Another subtree by id: not found; a cadre: forbidden.
    let res = s
        .sup
        .call(
            "/api/supervise/dashboard",
            &[("org_id", &s.other_street.to_string())],
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    // The page for it: not found, with the way back to the viewer's own dashboard.
    let res = s
        .sup
        .get(&format!("/supervise?org_id={}", s.other_street))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-testid=\"not-found\""), "{page}");
    assert!(
        page.contains(r#"href="/supervise" class="button">返回履职看板</a>"#),
        "{page}"
    );
    let res = s
        .sup
        .call("/api/supervise/cadre", &[("id", &s.c.to_string())])
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = s.w.a.app.call("/api/supervise/dashboard", &[]).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    // The district's supervisor sees everyone, with a line per street.
    let district = district_supervisor(&s.w).await;
    let all = dashboard(&district, &[]).await;
    assert_eq!(all["tiles"]["cadres"], 3);
    let rollup = all["rollup"].as_array().unwrap();
    assert!(rollup
        .iter()
        .any(|r| r["org_name"] == STREET && r["cadres"] == 2));
    // An organisation without cadres has no line.
    assert!(rollup.iter().all(|r| r["cadres"].as_u64() > Some(0)));
    // A search narrows the table, never the tiles; it cannot reach past the subtree.
    let found = dashboard(&district, &[("q", "CADRE_B")]).await;
    assert_eq!(found["tiles"]["cadres"], 3);
    assert_eq!(found["matching"], 1);
    assert_eq!(found["cadres"][0]["username"], "cadre_b");
    assert_eq!(found["q"], "CADRE_B");
    let by_org = dashboard(&district, &[("q", "河西")]).await;
    assert_eq!(by_org["cadres"][0]["username"], "cadre_c");
    assert_eq!(by_org["matching"], 1);
    assert_eq!(dashboard(&s.sup, &[("q", "cadre_c")]).await["matching"], 0);
    // Filters and periods.
    let red = dashboard(&district, &[("light", "red")]).await;
    assert!(red["cadres"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["light"] == "red"));
    for period in ["2026-11", "2026-W48", "2026Q3"] {
        let d = dashboard(&s.sup, &[("period", period)]).await;
        assert_eq!(d["period_key"], period);
    }
    let res = s
        .sup
        .call("/api/supervise/dashboard", &[("period", "2026-13")])
        .await;
    assert_invalid(res, "period", "invalid_choice").await;
    assert_eq!(d["trend"].as_array().unwrap().len(), 13);
}
db_test!(supervisors_see_only_their_subtree);

async fn review(app: &TestApp, id: i64, action: &str, comment: &str) -> reqwest::Response {
    app.call(
        "/api/suggestions/review",
        &[
            ("request_id", &rid()),
            ("id", &id.to_string()),
            ("action", action),
            ("comment", comment),
        ],
    )
    .await
}

async fn a_suggestion_is_reviewed_returned_revised_and_adopted(app: TestApp) {
    let s = sup_world(app).await;
    let a = &s.w.a;
    let id = created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, app::rules::Quarter::of(today())),
    )
    .await;
    let queue = ok(&s.sup, "/api/suggestions/queue", &[]).await;
    assert_eq!(queue["items"][0]["id"], id);
    let theirs = ok(&s.other_sup, "/api/suggestions/queue", &[]).await;
    assert_eq!(theirs["matching"], 0);
    // Searched by a word of the title or by the cadre, and nothing else.
    for (q, n) in [("积分", 1), ("cadre_a", 1), ("cadre_b", 0), ("a&b", 0)] {
        let found = ok(&s.sup, "/api/suggestions/queue", &[("q", q)]).await;
        assert_eq!(found["matching"], n, "{q}");
        assert_eq!(found["q"], q);
    }
    // Resolving is for problems solved; returning needs a reason; another subtree cannot.
    assert_invalid(
        review(&s.sup, id, "resolve", "").await,
        "action",
        "action_kind",
    )
    .await;
    assert_invalid(
        review(&s.sup, id, "return", "").await,
        "comment",
        "required",
    )
    .await;
    assert_status(
        review(&s.other_sup, id, "acknowledge", "").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_status(
        review(&a.app, id, "acknowledge", "").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Returned, with a comment the cadre sees.
    let form = [
        ("request_id", rid()),
        ("id", id.to_string()),
        ("action", "return".to_owned()),
        ("comment", "请补充具体措施".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(&s.sup, "/api/suggestions/review", &form).await;
    ok(&s.sup, "/api/suggestions/review", &form).await; // sent twice: one review
    let mine = ok(&a.app, "/api/suggestions/get", &[("id", &id.to_string())]).await;
    assert_eq!(mine["status"], "Returned");
    assert_eq!(mine["review_comment"], "请补充具体措施");
    assert_eq!(mine["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(
        ok(&s.sup, "/api/suggestions/queue", &[]).await["matching"],
        0
    );
    // Revised: back in the queue.
    ok(
        &a.app,
        "/api/suggestions/revise",
        &[
            ("id", &id.to_string()),
            ("title", "建立团员积分制度（修改稿）"),
            ("description", "按季度公示积分，设立团员先锋岗，每月评议"),
        ],
    )
    .await;
    let queue = ok(&s.sup, "/api/suggestions/queue", &[]).await;
    assert_eq!(queue["items"][0]["revision"], 1);
    assert_eq!(queue["items"][0]["status"], "Submitted");
    // Adopted; the history keeps both reviews; a decided suggestion is not reviewed again.
    ok(
        &s.sup,
        "/api/suggestions/review",
        &[
            ("request_id", &rid()),
            ("id", &id.to_string()),
            ("action", "adopt"),
            ("comment", "很好，全街道推广"),
        ],
    )
    .await;
    let mine = ok(&a.app, "/api/suggestions/get", &[("id", &id.to_string())]).await;
    assert_eq!(mine["status"], "Adopted");
    assert_eq!(mine["reviews"].as_array().unwrap().len(), 2);
    assert_eq!(
        suggestion_review::Entity::find()
            .count(&s.w.admin.db)
            .await
            .unwrap(),
        2
    );
    assert_invalid(
        review(&s.sup, id, "decline", "晚了").await,
        "action",
        "not_open",
    )
    .await;
    // The page shows the comment to the cadre.
    let page = a.app.page(&format!("/suggestions/{id}")).await;
    assert!(page.contains("很好，全街道推广"));
}
db_test!(a_suggestion_is_reviewed_returned_revised_and_adopted);

fn exemption_form(start: chrono::NaiveDate, end: chrono::NaiveDate) -> Form {
    vec![
        ("request_id", rid()),
        ("start_date", day(start)),
        ("end_date", day(end)),
        ("reason", "training".to_owned()),
        ("note", "区委党校培训".to_owned()),
    ]
}

async fn an_approved_exemption_makes_its_week_exempt(app: TestApp) {
    let s = sup_world(app).await;
    let a = &s.w.a;
    let quarter = app::rules::Quarter::of(today());
    // A week earlier in the quarter, left without a visit day: missed (in the quarter's first
    // week there is none: this week, still open, then).
    let last_week = app::rules::Week::of(today() - Duration::days(7));
    let week = if last_week.monday() >= quarter.weeks()[0].monday() {
        last_week
    } else {
        app::rules::Week::of(today())
    };
    // In post since long before (an account made today owes nothing for past weeks).
    app::model::entities::account::Entity::update_many()
        .col_expr(
            app::model::entities::account::Column::JoinedOn,
            Expr::value(today() - Duration::days(200)),
        )
        .filter(app::model::entities::account::Column::Id.eq(a.id))
        .exec(&s.w.admin.db)
        .await
        .unwrap();
    let before = row(&dashboard(&s.sup, &[]).await, "cadre_a").clone();
    // The first day leave may be filed for: never later than this week's Monday, and the first
    // day (or first week's Monday) of the earlier of today's quarter and this week's.
    let mine = ok(&a.app, "/api/exemptions/list", &[]).await;
    let earliest: chrono::NaiveDate = mine["earliest"].as_str().unwrap().parse().unwrap();
    let from = |q: app::rules::Quarter| q.weeks()[0].monday().min(q.start());
    let counted_in = app::rules::Quarter::of(app::rules::Week::of(today()).thursday());
    assert!(
        earliest <= app::rules::Week::of(today()).monday(),
        "{earliest}"
    );
    assert_eq!(earliest, from(counted_in).min(from(quarter)));
    // Validation: too early, end before start, a bad reason.
    let res = a
        .app
        .call(
            "/api/exemptions/request",
            &pairs(&exemption_form(earliest - Duration::days(1), earliest)),
        )
        .await;
    assert_invalid(res, "start_date", "date_too_old").await;
    let res = a
        .app
        .call(
            "/api/exemptions/request",
            &pairs(&exemption_form(week.sunday(), week.monday())),
        )
        .await;
    assert_invalid(res, "end_date", "end_before_start").await;
    let form = exemption_form(week.monday(), week.sunday());
    let id = created(&a.app, "/api/exemptions/request", &form).await;
    assert_eq!(created(&a.app, "/api/exemptions/request", &form).await, id);
    let overlapping = exemption_form(week.sunday(), week.sunday() + Duration::days(2));
    let res = a
        .app
        .call("/api/exemptions/request", &pairs(&overlapping))
        .await;
    assert_invalid(res, "start_date", "overlap").await;
    // Pending: nothing changes yet. Another subtree cannot decide; a cadre may not.
    let queue = ok(&s.sup, "/api/exemptions/queue", &[]).await;
    assert_eq!(queue["pending"][0]["id"], id);
    let decide = |app: &TestApp, decision: &'static str, comment: &'static str| {
        let app = app.same_session();
        async move {
            app.call(
                "/api/exemptions/decide",
                &[
                    ("request_id", &rid()),
                    ("id", &id.to_string()),
                    ("decision", decision),
                    ("comment", comment),
                ],
            )
            .await
        }
    };
    assert_status(
        decide(&s.other_sup, "approve", "").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_status(decide(&a.app, "approve", "").await, StatusCode::FORBIDDEN).await;
    assert_invalid(decide(&s.sup, "decline", "").await, "comment", "required").await;
    assert_status(decide(&s.sup, "approve", "").await, StatusCode::OK).await;
    assert_invalid(
        decide(&s.sup, "decline", "不行").await,
        "decision",
        "decided",
    )
    .await;
    let after = row(&dashboard(&s.sup, &[]).await, "cadre_a").clone();
    if quarter.weeks().contains(&week) && week.sunday() < today() {
        assert_eq!(
            after["weeks_exempt"].as_u64().unwrap(),
            before["weeks_exempt"].as_u64().unwrap() + 1
        );
        assert_eq!(
            after["weeks_missed"].as_u64().unwrap() + 1,
            before["weeks_missed"].as_u64().unwrap()
        );
    }
    let mine = ok(&a.app, "/api/exemptions/list", &[]).await;
    assert_eq!(mine["items"][0]["status"], "Approved");
}
db_test!(an_approved_exemption_makes_its_week_exempt);

async fn youths_are_reassigned_and_a_roster_handed_over_once(app: TestApp) {
    let s = sup_world(app).await;
    let (a, b) = (&s.w.a, &s.w.b);
    let youth = a.youths[0];
    let contact = created(&a.app, "/api/contacts/create", &contact_form(youth)).await;
    // Reassign one youth to b: it leaves a's roster, keeps its history and its author.
    let form = vec![
        ("request_id", rid()),
        ("youth_ids", youth.to_string()),
        ("to_cadre_id", b.id.to_string()),
    ];
    assert_eq!(ok(&s.sup, "/api/roster/reassign", &pairs(&form)).await, 1);
    assert_eq!(ok(&s.sup, "/api/roster/reassign", &pairs(&form)).await, 1);
    assert!(entry(&roster(b, "all", "").await, youth).is_some());
    assert!(entry(&roster(a, "all", "").await, youth).is_none());
    let history = profile(b, youth).await;
    assert_eq!(history["contacts"][0]["id"], contact);
    assert_eq!(history["contacts"][0]["cadre_name"], CADRE_NAME);
    let closed = assignment::Entity::find()
        .filter(assignment::Column::YouthId.eq(youth))
        .all(&s.w.admin.db)
        .await
        .unwrap();
    assert_eq!(
        closed.len(),
        2,
        "the old assignment closed, a new one opened"
    );
    assert!(closed.iter().any(|x| x.ended_on.is_some()));
    assert!(closed
        .iter()
        .any(|x| x.ended_on.is_none() && x.reason.as_deref() == Some("调整")));
    // Not to someone of another street; not a youth of another street.
    let res = s
        .sup
        .call(
            "/api/roster/reassign",
            &[
                ("request_id", &rid()),
                ("youth_ids", &a.youths[1].to_string()),
                ("to_cadre_id", &s.c.to_string()),
            ],
        )
        .await;
    assert_invalid(res, "to_cadre_id", "invalid_choice").await;
    let res = s
        .other_sup
        .call(
            "/api/roster/reassign",
            &[
                ("request_id", &rid()),
                ("youth_ids", &a.youths[1].to_string()),
                ("to_cadre_id", &s.c.to_string()),
            ],
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;

    // Hand a's whole roster (and pairing) to b, deactivating a.
    let handover = |request_id: &str| {
        vec![
            ("request_id", request_id.to_owned()),
            ("from_cadre_id", a.id.to_string()),
            ("to_cadre_id", b.id.to_string()),
            ("effective_on", day(today())),
            ("pairings", "true".to_owned()),
            ("deactivate", "true".to_owned()),
        ]
    };
    let preview = ok(
        &s.sup,
        "/api/roster/handover-preview",
        &pairs(&handover("")),
    )
    .await;
    assert_eq!(preview["youths"], 1);
    assert_eq!(preview["pairings"], serde_json::json!([SCHOOL]));
    assert!(preview["summary"]
        .as_str()
        .unwrap()
        .starts_with("1 名青年、0 件未办结诉求、1 个联系点 → "));
    let rid = rid();
    let done = ok(&s.sup, "/api/roster/handover", &pairs(&handover(&rid))).await;
    assert_eq!(done["youths"], 1);
    let assignments = assignment::Entity::find()
        .count(&s.w.admin.db)
        .await
        .unwrap();
    ok(&s.sup, "/api/roster/handover", &pairs(&handover(&rid))).await;
    assert_eq!(
        assignment::Entity::find()
            .count(&s.w.admin.db)
            .await
            .unwrap(),
        assignments,
        "sent twice, it moves nothing twice"
    );
    assert_eq!(roster(b, "all", "").await["total"], 3);
    assert_status(
        a.app.call("/api/today", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let logged = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("handover"))
        .count(&s.w.admin.db)
        .await
        .unwrap();
    assert_eq!(logged, 1);
}
db_test!(youths_are_reassigned_and_a_roster_handed_over_once);

fn policy_form(due: &str, overdue: &str) -> Vec<(&'static str, String)> {
    vec![
        ("roster_target", "100".to_owned()),
        ("contact_due_days", due.to_owned()),
        ("contact_overdue_days", overdue.to_owned()),
        ("offline_contacts_per_year", "1".to_owned()),
        ("visit_days_per_week", "1".to_owned()),
        ("visit_late_entry_days", "7".to_owned()),
        ("contact_late_entry_days", "30".to_owned()),
        ("min_working_days_per_week", "3".to_owned()),
        ("suggestions_per_quarter", "1".to_owned()),
        ("study_hours_per_month", "8".to_owned()),
    ]
}

async fn a_policy_change_applies_at_once_everywhere(app: TestApp) {
    let s = sup_world(app).await;
    let a = &s.w.a;
    assigned_days_ago(&s.w.admin, a.youths[0], 40).await;
    assert_eq!(today_page(a).await["due"], 0);
    let res =
        s.w.admin
            .call("/api/policy/update", &pairs(&policy_form("90", "60")))
            .await;
    assert_invalid(res, "contact_overdue_days", "not_after_due").await;
    let res =
        s.w.admin
            .call("/api/policy/update", &pairs(&policy_form("0", "60")))
            .await;
    assert_invalid(res, "contact_due_days", "invalid_number").await;
    assert_status(
        s.sup
            .call("/api/policy/update", &pairs(&policy_form("30", "60")))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    ok(
        &s.w.admin,
        "/api/policy/update",
        &pairs(&policy_form("30", "60")),
    )
    .await;
    assert_eq!(today_page(a).await["due"], 1, "due after 30 days now");
    assert_eq!(row(&dashboard(&s.sup, &[]).await, "cadre_a")["due"], 1);
    let policy = ok(&s.w.admin, "/api/policy/get", &[]).await;
    assert_eq!(policy["contact_due_days"], 30);
    assert_eq!(
        audit_log::Entity::find()
            .filter(audit_log::Column::Entity.eq("policy"))
            .count(&s.w.admin.db)
            .await
            .unwrap(),
        1
    );
}
db_test!(a_policy_change_applies_at_once_everywhere);

async fn the_official_calendars_are_loaded_and_admins_add_years(app: TestApp) {
    app.login_as_admin().await;
    let y2026 = ok(&app, "/api/calendar/list", &[("year", "2026")]).await;
    let days = y2026["days"].as_array().unwrap();
    assert!(days
        .iter()
        .any(|d| d["day"] == "2026-10-01" && d["kind"] == "holiday"));
    assert!(days
        .iter()
        .any(|d| d["day"] == "2026-10-10" && d["kind"] == "workday"));
    let y2025 = ok(&app, "/api/calendar/list", &[("year", "2025")]).await;
    assert!(y2025["days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["day"] == "2025-01-28"));
    let form = vec![
        ("request_id", rid()),
        ("day", "2027-01-01".to_owned()),
        ("kind", "holiday".to_owned()),
        ("name", "元旦".to_owned()),
    ];
    let id = created(&app, "/api/calendar/add", &form).await;
    assert_eq!(created(&app, "/api/calendar/add", &form).await, id);
    let other = with(form.clone(), &[("kind", "workday")]);
    assert_invalid(
        app.call("/api/calendar/add", &pairs(&other)).await,
        "day",
        "day_exists",
    )
    .await;
    ok(&app, "/api/calendar/delete", &[("id", &id.to_string())]).await;
    ok(&app, "/api/calendar/delete", &[("id", &id.to_string())]).await;
    let y2027 = ok(&app, "/api/calendar/list", &[("year", "2027")]).await;
    assert_eq!(y2027["days"], serde_json::json!([]));
}
db_test!(the_official_calendars_are_loaded_and_admins_add_years);

async fn the_supervisor_pages_render_for_supervisors_only(app: TestApp) {
    let s = sup_world(app).await;
    let a_id = s.w.a.id.to_string();
    for page in [
        "/supervise".to_owned(),
        format!("/supervise/cadres/{a_id}"),
        "/supervise/suggestions".to_owned(),
        "/supervise/exemptions".to_owned(),
        "/supervise/late".to_owned(),
        "/supervise/roster".to_owned(),
        format!("/supervise/roster?cadre_id={a_id}&to_cadre_id={}", s.w.b.id),
    ] {
        let html = s.sup.page(&page).await;
        assert!(html.contains("<h1>"), "{page}");
        let res = s.w.a.app.get(&page).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "a cadre on {page}");
    }
    let html = s.sup.page("/supervise").await;
    assert!(html.contains("data-testid=\"trend\"") && html.contains("<polyline"));
    let res = s.other_sup.get(&format!("/supervise/cadres/{a_id}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for page in ["/admin/policy", "/admin/calendar"] {
        s.w.admin.page(page).await;
    }
    // No administrator supervises: the dashboard reads youths' personal data.
    let res = s.w.admin.get("/supervise").await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the system administrator on /supervise"
    );
    assert_status(
        s.w.admin.call("/api/supervise/dashboard", &[]).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let html = s.w.a.app.page("/exemptions").await;
    assert!(html.contains("name=\"start_date\""));
    let html = s.w.a.app.page("/late").await;
    assert!(html.contains("<h1>"), "a cadre's late entries");
}
db_test!(the_supervisor_pages_render_for_supervisors_only);

/// The reasons' rules of a dashboard row.
fn rules_of(r: &Value) -> Vec<String> {
    r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_cadre_who_took_up_the_post_today_owes_nothing_from_before(app: TestApp) {
    let s = sup_world(app).await;
    // cadre_a's account was made today: in post from today.
    let dash = dashboard(&s.sup, &[]).await;
    let r = row(&dash, "cadre_a");
    let rules = rules_of(r);
    for never in [
        "study_missed",
        "behind_pace",
        "visit_missed",
        "suggestion_missed",
    ] {
        assert!(!rules.contains(&never.to_owned()), "{never}: {r}");
    }
    assert_ne!(r["light"], "red", "{r}");
    // Months that ended before today owe nothing; this month owes at most the whole target.
    for m in r["study_months"].as_array().unwrap() {
        let month: chrono::NaiveDate = m["month"].as_str().unwrap().parse().unwrap();
        if app::rules::month_bounds(month).1 < today() {
            assert_eq!(
                (m["owed"].as_bool(), m["target"].as_f64()),
                (Some(false), Some(0.0))
            );
        } else {
            assert!(m["target"].as_f64().unwrap() <= 8.0, "{m}");
        }
    }
    // The pace runs from today: at most one day of the quarter has elapsed for them.
    let quarter = app::rules::Quarter::of(today());
    let left = (quarter.end() - today()).num_days() + 1;
    let elapsed = r["pace"]["elapsed"].as_f64().unwrap();
    if left >= 30 {
        assert!((elapsed - 1.0 / left as f64).abs() < 1e-9, "{elapsed}");
    } else {
        assert_eq!(elapsed, 0.0, "fewer than 30 days in post: no pace yet");
    }
    // The drill-down says the same.
    let detail = ok(
        &s.sup,
        "/api/supervise/cadre",
        &[("id", &s.w.a.id.to_string())],
    )
    .await;
    assert_eq!(detail["row"]["reasons"], r["reasons"], "{detail}");
    assert_eq!(detail["row"]["pace"], r["pace"]);
    // Long in post, the same cadre owes the months before (the weeks too).
    crate::reminders::posted_long_ago(&s.w.admin).await;
    let r = row(&dashboard(&s.sup, &[]).await, "cadre_a").clone();
    let past_months = r["study_months"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            let month: chrono::NaiveDate = m["month"].as_str().unwrap().parse().unwrap();
            app::rules::month_bounds(month).1 < today()
        })
        .count();
    let missed = rules_of(&r).iter().filter(|x| *x == "study_missed").count();
    assert_eq!(missed, past_months, "{r}");
}
db_test!(a_cadre_who_took_up_the_post_today_owes_nothing_from_before);

async fn leave_may_be_filed_from_the_monday_of_the_quarters_first_week(app: TestApp) {
    let s = sup_world(app).await;
    let a = &s.w.a;
    let quarter = app::rules::Quarter::of(today());
    // The Monday of the quarter's first week, or its first day when that is earlier.
    let first = quarter.weeks()[0].monday().min(quarter.start());
    let res = a
        .app
        .call(
            "/api/exemptions/request",
            &pairs(&exemption_form(first - Duration::days(1), first)),
        )
        .await;
    assert_invalid(res, "start_date", "date_too_old").await;
    // The week of 28 September counts in Q4 by its Thursday: leave for its first days too.
    created(
        &a.app,
        "/api/exemptions/request",
        &exemption_form(first, first + Duration::days(2)),
    )
    .await;
    let mine = ok(&a.app, "/api/exemptions/list", &[]).await;
    assert_eq!(mine["earliest"], first.to_string());
}
db_test!(leave_may_be_filed_from_the_monday_of_the_quarters_first_week);

async fn a_returned_suggestion_counts_again_only_once_resubmitted(app: TestApp) {
    let s = sup_world(app).await;
    let a = &s.w.a;
    crate::reminders::posted_long_ago(&s.w.admin).await;
    let counts = || async {
        let d = dashboard(&s.sup, &[]).await;
        let r = row(&d, "cadre_a");
        (
            r["suggestions_given"].as_u64().unwrap(),
            r["suggestions_due"].as_u64().unwrap(),
            r["suggestions_missing"].as_u64().unwrap(),
        )
    };
    assert_eq!(counts().await, (0, 1, 1));
    let id = created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, app::rules::Quarter::of(today())),
    )
    .await;
    assert_eq!(counts().await, (1, 1, 0));
    let form = [
        ("request_id", rid()),
        ("id", id.to_string()),
        ("action", "return".to_owned()),
        ("comment", "请补充具体措施".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(&s.sup, "/api/suggestions/review", &form).await;
    assert_eq!(counts().await, (0, 1, 1), "returned: not given");
    ok(
        &a.app,
        "/api/suggestions/revise",
        &[
            ("id", &id.to_string()),
            ("title", "建立团员积分制度（修改稿）"),
            ("description", "按季度公示积分，设立团员先锋岗，每月评议"),
        ],
    )
    .await;
    assert_eq!(counts().await, (1, 1, 0), "resubmitted: given again");
    // Declined still counts as given.
    ok(
        &s.sup,
        "/api/suggestions/review",
        &[
            ("request_id", &rid()),
            ("id", &id.to_string()),
            ("action", "decline"),
            ("comment", "暂不采纳"),
        ],
    )
    .await;
    assert_eq!(counts().await, (1, 1, 0), "declined: still given");
}
db_test!(a_returned_suggestion_counts_again_only_once_resubmitted);

async fn a_pairing_made_in_the_quarters_last_29_days_owes_nothing_for_it(app: TestApp) {
    let s = sup_world(app).await;
    crate::reminders::posted_long_ago(&s.w.admin).await;
    let quarter = app::rules::Quarter::of(today());
    use app::model::entities::pairing;
    let set_start = |on: chrono::NaiveDate| {
        pairing::Entity::update_many()
            .col_expr(pairing::Column::StartedOn, Expr::value(on))
            .filter(pairing::Column::Id.eq(s.w.a.pairing))
            .exec(&s.w.admin.db)
    };
    // Paired 30 days before the quarter's end (or earlier): owed; 29 days: not owed.
    let latest = std::cmp::min(today(), quarter.end() - Duration::days(29));
    set_start(latest).await.unwrap();
    let r = row(&dashboard(&s.sup, &[]).await, "cadre_a").clone();
    assert_eq!(r["suggestions_due"], 1, "{r}");
    if latest < today() {
        set_start(latest + Duration::days(1)).await.unwrap();
        let r = row(&dashboard(&s.sup, &[]).await, "cadre_a").clone();
        assert_eq!(r["suggestions_due"], 0, "{r}");
    }
}
db_test!(a_pairing_made_in_the_quarters_last_29_days_owes_nothing_for_it);
