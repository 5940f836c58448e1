//! 季度审核: a quarter is approved bottom up once it has ended; approving freezes the figures and
//! locks the quarter's records on the server; late records come in as 补录申请 that the approver
//! decides; a level above reopens.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{audit_log, contact, quarter_signoff};
use app::rules::Quarter;
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::{header, StatusCode};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

const OTHER_STREET: &str = "河西街道团工委";

struct Signoff {
    w: World,
    /// The district's supervisor.
    district: TestApp,
    /// Two supervisors of the street of cadres a and b.
    sup: TestApp,
    sup2: TestApp,
    /// The supervisor of another street, which has a cadre of its own.
    other_sup: TestApp,
    other_street: i64,
    root: i64,
}

async fn world(app: TestApp) -> Signoff {
    let w = setup(app).await;
    let root = w.admin.root_org().await;
    let other_street = w
        .admin
        .create_org(OTHER_STREET, "working_committee", root)
        .await;
    w.admin
        .create_account("cadre_c", "cadre", other_street, PASSWORD)
        .await;
    for (username, org) in [
        ("sup_d", root),
        ("sup_a", w.street),
        ("sup_a2", w.street),
        ("sup_b", other_street),
    ] {
        w.admin
            .create_account(username, "supervisor", org, PASSWORD)
            .await;
    }
    let login = |u: &'static str| {
        let s = w.admin.session();
        async move {
            assert!(s.login(u, PASSWORD).await.status().is_success(), "{u}");
            s
        }
    };
    Signoff {
        district: login("sup_d").await,
        sup: login("sup_a").await,
        sup2: login("sup_a2").await,
        other_sup: login("sup_b").await,
        other_street,
        root,
        w,
    }
}

/// The last quarter that has ended.
fn last() -> Quarter {
    Quarter::of(today()).prev()
}

/// A weekday in `q`'s last week.
fn late_weekday(q: Quarter) -> NaiveDate {
    let mut d = q.end();
    while d.weekday().num_days_from_monday() > 4 {
        d -= Duration::days(1);
    }
    d
}

fn approve_form(org: i64, quarter: &str, comment: &str) -> Form {
    vec![
        ("request_id", rid()),
        ("org_id", org.to_string()),
        ("quarter", quarter.to_owned()),
        ("comment", comment.to_owned()),
    ]
}

fn reopen_form(org: i64, quarter: &str, reason: &str) -> Form {
    vec![
        ("request_id", rid()),
        ("org_id", org.to_string()),
        ("quarter", quarter.to_owned()),
        ("reason", reason.to_owned()),
    ]
}

async fn status(app: &TestApp, org: i64, quarter: Quarter) -> Value {
    ok(
        app,
        "/api/signoff/status",
        &[("org_id", &org.to_string()), ("quarter", &quarter.key())],
    )
    .await
}

async fn approve(app: &TestApp, org: i64, quarter: Quarter) -> i64 {
    created(
        app,
        "/api/signoff/approve",
        &approve_form(org, &quarter.key(), "已核对"),
    )
    .await
}

/// A contact by `cadre` with `youth`, logged today and dated `date` (as if logged then, within
/// the days it could still be changed).
async fn contact_on(w: &World, cadre: &Cadre, youth: i64, date: NaiveDate) -> i64 {
    assigned_days_ago(&w.admin, youth, 400).await;
    let id = created(&cadre.app, "/api/contacts/create", &contact_form(youth)).await;
    contact::Entity::update_many()
        .col_expr(contact::Column::ContactDate, Expr::value(date))
        .filter(contact::Column::Id.eq(id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    id
}

/// Cadre a's row on the street's dashboard for `quarter`, with the dashboard.
async fn dashboard_row(sup: &TestApp, cadre: i64, quarter: Quarter) -> (Value, Value) {
    let d = ok(
        sup,
        "/api/supervise/dashboard",
        &[("period", &quarter.key())],
    )
    .await;
    let row = d["cadres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cadre_id"] == cadre)
        .cloned()
        .unwrap_or_else(|| panic!("cadre {cadre} on {d}"));
    (row, d)
}

async fn a_quarter_is_approved_bottom_up_once_it_has_ended(app: TestApp) {
    let s = world(app).await;
    let (street, q) = (s.w.street, last());
    // Not before the quarter ends.
    let now = Quarter::of(today());
    assert_invalid(
        s.sup
            .call(
                "/api/signoff/approve",
                &pairs(&approve_form(street, &now.key(), "")),
            )
            .await,
        "quarter",
        "quarter_not_ended",
    )
    .await;
    // Not the district before its streets: the message names them.
    let err = assert_invalid(
        s.district
            .call(
                "/api/signoff/approve",
                &pairs(&approve_form(s.root, &q.key(), "")),
            )
            .await,
        "org_id",
        "children_open",
    )
    .await;
    let message = field_error(&err, "org_id").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(STREET) && message.contains(OTHER_STREET),
        "{message}"
    );
    let before = status(&s.district, s.root, q).await;
    assert_eq!(before["state"], "open");
    assert_eq!(before["org_id"], s.root);
    let blocking: Vec<&str> = before["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["org_name"].as_str().unwrap())
        .collect();
    assert_eq!(blocking.len(), 2, "{before}");
    assert!(blocking.contains(&STREET) && blocking.contains(&OTHER_STREET));
    assert_eq!(before["changes_since"], 0);

    // The street approves; its status says who and when.
    approve(&s.sup, street, q).await;
    let mine = ok(
        &s.sup,
        "/api/signoff/status",
        &[("org_id", ""), ("quarter", &q.key())],
    )
    .await;
    assert_eq!(mine["org_id"], street, "empty org_id: the viewer's own");
    let mine = status(&s.sup, street, q).await;
    assert_eq!(mine["state"], "approved");
    assert_eq!(mine["approved_by"], CADRE_NAME);
    assert_eq!(mine["comment"], "已核对");
    assert!(mine["approved_at"].is_string(), "{mine}");
    assert!(mine["children"].as_array().unwrap().is_empty());
    let district = status(&s.district, s.root, q).await;
    assert_eq!(
        district["blocking"],
        json!([{ "org_id": s.other_street, "org_name": OTHER_STREET, "state": "open" }])
    );
    let children = district["children"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    assert!(children
        .iter()
        .any(|c| c["org_id"] == street && c["state"] == "approved"));
    // The dashboard says each child's sign-off for the quarter.
    let d = ok(
        &s.district,
        "/api/supervise/dashboard",
        &[("period", &q.key())],
    )
    .await;
    let line = d["rollup"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org_id"] == street)
        .cloned()
        .unwrap();
    assert_eq!(line["signoff"], "approved", "{d}");

    // Approved again: refused; the other street, then the district (已审定).
    assert_invalid(
        s.sup2
            .call(
                "/api/signoff/approve",
                &pairs(&approve_form(street, &q.key(), "")),
            )
            .await,
        "org_id",
        "already_approved",
    )
    .await;
    approve(&s.other_sup, s.other_street, q).await;
    approve(&s.district, s.root, q).await;
    assert_eq!(status(&s.district, s.root, q).await["state"], "accepted");

    // Another subtree is 404 however it is asked; cadres are 403.
    assert_status(
        s.other_sup
            .call(
                "/api/signoff/status",
                &[("org_id", &street.to_string()), ("quarter", &q.key())],
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_status(
        s.other_sup
            .call(
                "/api/signoff/reopen",
                &pairs(&reopen_form(street, &q.key(), "重新核对")),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_status(
        s.w.a
            .app
            .call("/api/signoff/status", &[("quarter", &q.key())])
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Audit-logged.
    let approvals = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("approve"))
        .filter(audit_log::Column::Entity.eq("signoff"))
        .count(&s.w.admin.db)
        .await
        .unwrap();
    assert_eq!(approvals, 3);
}
db_test!(a_quarter_is_approved_bottom_up_once_it_has_ended);

async fn a_locked_quarter_refuses_every_write_and_files_late_ones(app: TestApp) {
    let s = world(app).await;
    let (w, q) = (&s.w, last());
    let a = &w.a;
    let on = late_weekday(q);
    let logged = contact_on(w, a, a.youths[0], on).await;
    // A suggestion of the quarter, returned for more detail before the quarter is approved.
    let suggestion = created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, q),
    )
    .await;
    ok(
        &s.sup,
        "/api/suggestions/review",
        &[
            ("request_id", &rid()),
            ("id", &suggestion.to_string()),
            ("action", "return"),
            ("comment", "请补充具体做法"),
        ],
    )
    .await;
    approve(&s.sup, w.street, q).await;

    let locked = |field: &'static str| {
        move |err: Value| {
            let f = field_error(&err, field)
                .unwrap_or_else(|| panic!("{field} in {err}"))
                .clone();
            assert_eq!(f["code"], "quarter_locked", "{err}");
            assert_eq!(f["message"], "本季度已审核，如需补录请提交补录申请");
        }
    };
    let refused = |res: reqwest::Response| async move {
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        res.json::<Value>().await.unwrap()
    };
    // Logging, changing and deleting a contact of the quarter.
    let new = with(contact_form(a.youths[1]), &[("contact_date", &day(on))]);
    assigned_days_ago(&w.admin, a.youths[1], 400).await;
    locked("contact_date")(refused(a.app.call("/api/contacts/create", &pairs(&new)).await).await);
    let change = with(
        contact_form(a.youths[0]),
        &[
            ("id", &logged.to_string()),
            ("contact_date", &day(on)),
            ("content", "改过的内容"),
        ],
    );
    locked("contact_date")(
        refused(a.app.call("/api/contacts/update", &pairs(&change)).await).await,
    );
    locked("id")(
        refused(
            a.app
                .call("/api/contacts/delete", &[("id", &logged.to_string())])
                .await,
        )
        .await,
    );
    // A visit day, a suggestion and its revision.
    locked("visit_date")(
        refused(
            a.app
                .call("/api/visits/create", &pairs(&visit_form(a.org, on)))
                .await,
        )
        .await,
    );
    locked("quarter")(
        refused(
            a.app
                .call(
                    "/api/suggestions/create",
                    &pairs(&suggestion_form(a.org, q)),
                )
                .await,
        )
        .await,
    );
    let revise = [
        ("id", suggestion.to_string()),
        ("title", "建立团员积分制度（修改）".to_owned()),
        ("description", "每月公示".to_owned()),
    ];
    let revise: Vec<(&str, &str)> = revise.iter().map(|(k, v)| (*k, v.as_str())).collect();
    locked("id")(refused(a.app.call("/api/suggestions/revise", &revise).await).await);
    // Study and leave of the quarter, when their own windows still reach it (early in a
    // quarter: study of last month, leave from the first week's Monday).
    let last_month = (today().with_day(1).unwrap() - Duration::days(1))
        .with_day(1)
        .unwrap();
    if q.contains(last_month) {
        locked("study_date")(
            refused(
                a.app
                    .call("/api/study/create", &pairs(&study_form(q.end(), "2")))
                    .await,
            )
            .await,
        );
    }
    let first_monday = app::rules::Week::of(Quarter::of(today()).start()).monday();
    if first_monday <= q.end() {
        let leave = [
            ("request_id", rid()),
            ("start_date", day(first_monday)),
            ("end_date", day(first_monday)),
            ("reason", "leave".to_owned()),
            ("note", String::new()),
        ];
        let leave: Vec<(&str, &str)> = leave.iter().map(|(k, v)| (*k, v.as_str())).collect();
        locked("start_date")(refused(a.app.call("/api/exemptions/request", &leave).await).await);
    }
    // Replayed later from the phone's outbox: refused the same way (the outbox shows it as
    // 需修改 with the message).
    let (_, answer) = crate::outbox::replay(
        &a.app,
        a.id,
        &crate::outbox::batch(&[("/api/contacts/create", &new)]),
    )
    .await;
    assert_eq!(answer["results"][0]["status"], 422, "{answer}");
    locked("contact_date")(answer["results"][0]["error"].clone());
    // Nothing was stored.
    assert_eq!(w.admin.count("contacts").await, 1);
    assert_eq!(w.admin.count("visit_days").await, 0);

    // Without JavaScript: back to the form, with the message.
    let form_page = format!("/contacts/new?youth={}", a.youths[1]);
    let res = a
        .app
        .submit(&form_page, "/api/contacts/create", &pairs(&new))
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let page = a.app.page(&back).await;
    assert!(
        page.contains("本季度已审核，如需补录请提交补录申请"),
        "{back}"
    );
    assert!(
        page.contains("data-testid=\"locked-banner\""),
        "the banner on a cadre page"
    );
    assert_eq!(w.admin.count("contacts").await, 1);

    // The frozen figures: one youth contacted in the quarter.
    let (row, d) = dashboard_row(&s.sup, a.id, q).await;
    assert_eq!(row["contacted"], 1, "{row}");
    assert_eq!(d["signoff"]["approved_by"], CADRE_NAME);
    assert!(d["signoff"]["changes"].as_array().unwrap().is_empty());

    // Late: the new contact and the change are filed, not stored.
    let late = with(
        new,
        &[
            ("late", "true"),
            ("late_reason", "季度末走访，纸质记录漏登"),
        ],
    );
    let filed = created(&a.app, "/api/contacts/create", &late).await;
    assert_eq!(
        created(&a.app, "/api/contacts/create", &late).await,
        filed,
        "filed once"
    );
    let change = with(
        change,
        &[
            ("request_id", &rid()),
            ("late", "true"),
            ("late_reason", "内容记错了"),
        ],
    );
    let filed_change = ok(&a.app, "/api/contacts/update", &pairs(&change)).await;
    assert!(
        filed_change.as_i64().is_some(),
        "the late entry's id: {filed_change}"
    );
    assert_eq!(w.admin.count("contacts").await, 1);
    let mine = ok(&a.app, "/api/late/list", &[]).await;
    let kinds: Vec<(&str, &str)> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["action"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("Contact", "Create")) && kinds.contains(&("Contact", "Update")),
        "{mine}"
    );
    // The approver decides: approved, the record is stored as of its date, marked 补录.
    let pending = ok(&s.sup, "/api/late/list", &[("status", "pending")]).await;
    assert_eq!(pending["total"], 2, "{pending}");
    for item in pending["items"].as_array().unwrap() {
        ok(
            &s.sup,
            "/api/late/decide",
            &[
                ("request_id", &rid()),
                ("id", &item["id"].to_string()),
                ("decision", "approve"),
                ("comment", ""),
            ],
        )
        .await;
    }
    assert_eq!(w.admin.count("contacts").await, 2);
    let changed = contact::Entity::find_by_id(logged)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.content, "改过的内容");
    assert!(changed.late_approved_by.is_some());
    // The frozen figures do not move; what changed is listed.
    let (row, d) = dashboard_row(&s.sup, a.id, q).await;
    assert_eq!(row["contacted"], 1, "frozen: {row}");
    assert_eq!(d["signoff"]["changes"].as_array().unwrap().len(), 2, "{d}");
    let st = status(&s.sup, w.street, q).await;
    assert_eq!(st["changes_since"], 2);
    // Reopened, the live figures count the late contact.
    ok(
        &s.sup,
        "/api/signoff/reopen",
        &pairs(&reopen_form(w.street, &q.key(), "补录后重新核对")),
    )
    .await;
    let (row, d) = dashboard_row(&s.sup, a.id, q).await;
    assert_eq!(row["contacted"], 2, "live: {row}");
    assert!(d["signoff"].is_null());
    // And the records unlock.
    let res = a
        .app
        .call("/api/contacts/delete", &[("id", &logged.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
db_test!(a_locked_quarter_refuses_every_write_and_files_late_ones);

async fn a_late_form_where_nothing_is_locked_is_refused(app: TestApp) {
    let s = world(app).await;
    let a = &s.w.a;
    let id = created(&a.app, "/api/contacts/create", &contact_form(a.youths[0])).await;
    let change = with(
        contact_form(a.youths[0]),
        &[
            ("id", &id.to_string()),
            ("late", "true"),
            ("late_reason", "改"),
        ],
    );
    assert_invalid(
        a.app.call("/api/contacts/update", &pairs(&change)).await,
        "late",
        "late_not_needed",
    )
    .await;
    let study = with(
        study_form(today(), "1"),
        &[("late", "true"), ("late_reason", "补")],
    );
    assert_invalid(
        a.app.call("/api/study/create", &pairs(&study)).await,
        "late",
        "late_not_needed",
    )
    .await;
    assert_eq!(s.w.admin.count("late_requests").await, 0);
}
db_test!(a_late_form_where_nothing_is_locked_is_refused);

async fn a_level_above_reopens_and_so_does_every_level_above_it(app: TestApp) {
    let s = world(app).await;
    let (street, q) = (s.w.street, last());
    approve(&s.sup, street, q).await;
    approve(&s.other_sup, s.other_street, q).await;
    approve(&s.district, s.root, q).await;
    // Another supervisor of the same street did not approve and is not above: refused.
    assert_invalid(
        s.sup2
            .call(
                "/api/signoff/reopen",
                &pairs(&reopen_form(street, &q.key(), "重新核对")),
            )
            .await,
        "org_id",
        "not_allowed",
    )
    .await;
    // A reason is required.
    assert_invalid(
        s.district
            .call(
                "/api/signoff/reopen",
                &pairs(&reopen_form(street, &q.key(), " ")),
            )
            .await,
        "reason",
        "required",
    )
    .await;
    let form = reopen_form(street, &q.key(), "发现漏报，退回重新核对");
    ok(&s.district, "/api/signoff/reopen", &pairs(&form)).await;
    // Sent again: the same answer, nothing more.
    ok(&s.district, "/api/signoff/reopen", &pairs(&form)).await;
    assert_eq!(status(&s.district, street, q).await["state"], "open");
    assert_eq!(status(&s.district, s.root, q).await["state"], "open");
    assert_eq!(
        status(&s.district, s.other_street, q).await["state"],
        "approved"
    );
    let reopened = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("reopen"))
        .count(&s.w.admin.db)
        .await
        .unwrap();
    assert_eq!(reopened, 2, "the street and the district");
    // Not approved: nothing to reopen.
    assert_invalid(
        s.sup
            .call(
                "/api/signoff/reopen",
                &pairs(&reopen_form(street, &q.key(), "再次")),
            )
            .await,
        "org_id",
        "not_approved",
    )
    .await;
    // The approver reopens their own.
    approve(&s.sup, street, q).await;
    ok(
        &s.sup,
        "/api/signoff/reopen",
        &pairs(&reopen_form(street, &q.key(), "自己撤销")),
    )
    .await;
    assert_eq!(status(&s.sup, street, q).await["state"], "open");
}
db_test!(a_level_above_reopens_and_so_does_every_level_above_it);

async fn two_supervisors_approving_at_once_store_one_approval(app: TestApp) {
    let s = world(app).await;
    let (street, q) = (s.w.street, last());
    let (one, two) = (
        approve_form(street, &q.key(), "一"),
        approve_form(street, &q.key(), "二"),
    );
    let (one, two) = (pairs(&one), pairs(&two));
    let (r1, r2) = tokio::join!(
        s.sup.call("/api/signoff/approve", &one),
        s.sup2.call("/api/signoff/approve", &two),
    );
    let statuses = [r1.status(), r2.status()];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    for r in [r1, r2] {
        if r.status() != StatusCode::OK {
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let err = r.json::<Value>().await.unwrap();
            assert_eq!(
                field_error(&err, "org_id").unwrap()["code"],
                "already_approved"
            );
        }
    }
    let rows = quarter_signoff::Entity::find()
        .count(&s.w.admin.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}
db_test!(two_supervisors_approving_at_once_store_one_approval);

async fn the_export_of_an_approved_quarter_carries_its_frozen_figures_and_stamp(app: TestApp) {
    use crate::exports::{download, export_form, finished, open_book, table};
    use calamine::Reader;
    let s = world(app).await;
    let (w, q) = (&s.w, last());
    let a = &w.a;
    contact_on(w, a, a.youths[0], late_weekday(q)).await;
    approve(&s.sup, w.street, q).await;
    // A late contact approved after: the ledger lists it, the frozen summary does not count it.
    assigned_days_ago(&w.admin, a.youths[1], 400).await;
    let late = with(
        contact_form(a.youths[1]),
        &[
            ("contact_date", &day(late_weekday(q))),
            ("late", "true"),
            ("late_reason", "漏登"),
        ],
    );
    let filed = created(&a.app, "/api/contacts/create", &late).await;
    ok(
        &s.sup,
        "/api/late/decide",
        &[
            ("request_id", &rid()),
            ("id", &filed.to_string()),
            ("decision", "approve"),
            ("comment", ""),
        ],
    )
    .await;
    let id = created(
        &s.sup,
        "/api/exports/create",
        &export_form("", &q.key(), "xlsx"),
    )
    .await;
    let job = finished(&s.sup, id).await;
    assert_eq!(job["state"], "done", "{job}");
    let bytes = download(&s.sup, job["url"].as_str().unwrap()).await;
    let mut book = open_book(bytes);
    let summary = table(&mut book, "汇总");
    // 季度：2026 年第 3 季度（已审核 · 测试用户 · 2026-12-02 · 审核后变更 1 项）
    let stamp = &summary.title[2];
    assert!(
        stamp.contains("已审核") && stamp.contains(CADRE_NAME),
        "{stamp}"
    );
    assert!(stamp.contains(&crate::cadre::day(today())), "{stamp}");
    assert!(stamp.contains("审核后变更 1 项"), "{stamp}");
    let account = summary.col("账号");
    let contacted = summary.col("本季联系人数");
    let row = summary
        .rows
        .iter()
        .find(|r| crate::exports::text(&r[account]) == "cadre_a")
        .unwrap_or_else(|| panic!("cadre_a in the summary"));
    assert_eq!(
        crate::exports::text(&row[contacted]),
        "1",
        "the frozen figure"
    );
    // The contact ledger lists both contacts, the late one as it is now stored.
    let ledger = table(&mut book, "联系青年台账");
    assert_eq!(ledger.rows.len(), 2);
    // And the change has its own sheet, last.
    assert_eq!(
        book.sheet_names().last().map(String::as_str),
        Some("审核后变更")
    );
    let changes = table(&mut book, "审核后变更");
    assert_eq!(changes.rows.len(), 1);
    let reason = changes.col("补录原因");
    assert_eq!(crate::exports::text(&changes.rows[0][reason]), "漏登");
    assert_eq!(
        crate::exports::text(&changes.rows[0][changes.col("类型")]),
        "联系青年"
    );
}
db_test!(the_export_of_an_approved_quarter_carries_its_frozen_figures_and_stamp);

async fn supervisors_not_signed_off_a_week_after_the_quarter_are_reminded_once(app: TestApp) {
    use app::reminders::{rules::instant, scheduler::tick, service::env_of};
    let s = world(app).await;
    let q = last();
    approve(&s.sup, s.w.street, q).await;
    let day = q.end() + Duration::days(7);
    let at = instant(day.and_hms_opt(9, 0, 0).unwrap());
    let env = env_of(&s.w.admin.state);
    tick(&s.w.admin.db, &env, at).await.expect("a tick");
    tick(&s.w.admin.db, &env, at).await.expect("a tick");
    let signoffs = |inbox: Value| -> Vec<Value> {
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "signoff_due")
            .cloned()
            .collect()
    };
    // The street approved: nothing. The other street and the district have not: once each.
    assert!(signoffs(ok(&s.sup, "/api/inbox/list", &[]).await).is_empty());
    let other = signoffs(ok(&s.other_sup, "/api/inbox/list", &[]).await);
    assert_eq!(other.len(), 1, "{other:?}");
    assert!(
        other[0]["body"].as_str().unwrap().contains(OTHER_STREET),
        "{other:?}"
    );
    assert_eq!(
        other[0]["link"],
        format!(
            "/supervise/signoff?org={}&quarter={}",
            s.other_street,
            q.key()
        )
    );
    assert_eq!(
        signoffs(ok(&s.district, "/api/inbox/list", &[]).await).len(),
        1
    );
    // Cadres are not asked to sign off.
    assert!(signoffs(ok(&s.w.a.app, "/api/inbox/list", &[]).await).is_empty());
}
db_test!(supervisors_not_signed_off_a_week_after_the_quarter_are_reminded_once);
