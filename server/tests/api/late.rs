//! 补录申请: a contact or visit day past its late-entry window is filed as a request, and counts
//! only once a supervisor of the cadre's organisation approves it.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{audit_log, contact, late_request, visit_day};
use reqwest::{header, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

struct Late {
    w: World,
    /// Supervisor of the street of cadres a and b.
    sup: TestApp,
    /// Supervisor of another street.
    other_sup: TestApp,
}

async fn late_world(app: TestApp) -> Late {
    let w = setup(app).await;
    let root = w.admin.root_org().await;
    let other = w
        .admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    w.admin
        .create_account("sup_a", "supervisor", w.street, PASSWORD)
        .await;
    w.admin
        .create_account("sup_b", "supervisor", other, PASSWORD)
        .await;
    let login = |u: &'static str| {
        let s = w.admin.session();
        async move {
            assert!(s.login(u, PASSWORD).await.status().is_success(), "{u}");
            s
        }
    };
    let sup = login("sup_a").await;
    let other_sup = login("sup_b").await;
    Late { w, sup, other_sup }
}

fn decision(id: i64, decision: &str, comment: &str) -> Form {
    vec![
        ("request_id", rid()),
        ("id", id.to_string()),
        ("decision", decision.to_owned()),
        ("comment", comment.to_owned()),
    ]
}

async fn late_list(app: &TestApp, status: &str) -> Value {
    ok(app, "/api/late/list", &[("status", status)]).await
}

async fn a_late_contact_is_filed_and_counts_once_approved(app: TestApp) {
    let l = late_world(app).await;
    let a = &l.w.a;
    let youth = a.youths[1];
    assigned_days_ago(&l.w.admin, youth, 120).await;
    let old = days_ago(45);
    let form = with(contact_form(youth), &[("contact_date", &day(old))]);
    // Past the 30 days: refused, pointing at the late entry.
    let err = assert_invalid(
        a.app.call("/api/contacts/create", &pairs(&form)).await,
        "contact_date",
        "date_too_old",
    )
    .await;
    let message = field_error(&err, "contact_date").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("补录申请"), "{message}");
    // A late entry needs its reason; a date within the window needs none.
    let late = with(form.clone(), &[("late", "true")]);
    assert_invalid(
        a.app.call("/api/contacts/create", &pairs(&late)).await,
        "late_reason",
        "required",
    )
    .await;
    let recent = with(
        contact_form(youth),
        &[("late", "true"), ("late_reason", "忘记了")],
    );
    assert_invalid(
        a.app.call("/api/contacts/create", &pairs(&recent)).await,
        "late",
        "late_not_needed",
    )
    .await;
    // Filed once however often it is sent; nothing is stored as a contact yet.
    let late = with(
        late,
        &[("late_reason", "当时在外培训，手机丢失，记录在纸上")],
    );
    let id = created(&a.app, "/api/contacts/create", &late).await;
    assert_eq!(created(&a.app, "/api/contacts/create", &late).await, id);
    assert_eq!(l.w.admin.count("contacts").await, 0);
    assert_eq!(l.w.admin.count("late_requests").await, 1);
    let mine = late_list(&a.app, "").await;
    assert_eq!(mine["status"], "all");
    assert_eq!(mine["items"][0]["id"], id);
    assert_eq!(mine["items"][0]["status"], "Pending");
    assert_eq!(mine["items"][0]["kind"], "Contact");
    assert_eq!(mine["items"][0]["record_date"], day(old));
    assert!(
        mine["items"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("李娜"),
        "{mine}"
    );
    let profile_before = profile(a, youth).await;
    assert_eq!(profile_before["contacts"].as_array().unwrap().len(), 0);

    // The supervisor's queue; another street's supervisor sees nothing and cannot decide; a
    // cadre cannot decide.
    let queue = late_list(&l.sup, "").await;
    assert_eq!(queue["status"], "pending");
    assert_eq!(queue["pending"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    assert_eq!(queue["items"][0]["cadre_id"], a.id);
    assert_eq!(late_list(&l.other_sup, "all").await["total"], 0);
    assert_status(
        l.other_sup
            .call("/api/late/decide", &pairs(&decision(id, "approve", "")))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_status(
        a.app
            .call("/api/late/decide", &pairs(&decision(id, "approve", "")))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_invalid(
        l.sup
            .call("/api/late/decide", &pairs(&decision(id, "", "")))
            .await,
        "decision",
        "required",
    )
    .await;
    assert_invalid(
        l.sup
            .call("/api/late/decide", &pairs(&decision(id, "decline", "")))
            .await,
        "comment",
        "required",
    )
    .await;
    // Approved (twice sent: once stored): the contact exists as of its date, by the cadre,
    // marked 补录 by the supervisor, and counts in the youth's history.
    let approve = decision(id, "approve", "同意");
    assert_status(
        l.sup.call("/api/late/decide", &pairs(&approve)).await,
        StatusCode::OK,
    )
    .await;
    assert_status(
        l.sup.call("/api/late/decide", &pairs(&approve)).await,
        StatusCode::OK,
    )
    .await;
    let stored = contact::Entity::find().all(&l.w.admin.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].contact_date, old);
    assert_eq!(stored[0].cadre_id, a.id);
    assert!(stored[0].late_approved_by.is_some());
    let profile_after = profile(a, youth).await;
    assert_eq!(profile_after["contacts"][0]["date"], day(old));
    assert_eq!(profile_after["contacts"][0]["late"], true);
    let decided = late_list(&a.app, "all").await;
    assert_eq!(decided["items"][0]["status"], "Approved");
    assert_eq!(decided["items"][0]["record_id"], stored[0].id);
    assert_eq!(decided["pending"], 0);
    // Decided once: a second decision is refused.
    assert_invalid(
        l.sup
            .call("/api/late/decide", &pairs(&decision(id, "decline", "不行")))
            .await,
        "decision",
        "decided",
    )
    .await;
    // Filed and decided are in the audit log.
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("late_request"))
        .all(&l.w.admin.db)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["request", "decide"]);
}
db_test!(a_late_contact_is_filed_and_counts_once_approved);

async fn a_late_visit_day_is_approved_or_declined_and_never_doubles_a_day(app: TestApp) {
    let l = late_world(app).await;
    let a = &l.w.a;
    // In post since long before (the weeks of an account made today owe nothing).
    use sea_orm::sea_query::Expr;
    app::model::entities::account::Entity::update_many()
        .col_expr(
            app::model::entities::account::Column::JoinedOn,
            Expr::value(days_ago(200)),
        )
        .filter(app::model::entities::account::Column::Id.eq(a.id))
        .exec(&l.w.admin.db)
        .await
        .unwrap();
    let (old, older) = (days_ago(20), days_ago(27));
    let late = |date| {
        with(
            visit_form(a.org, date),
            &[
                ("late", "true"),
                ("late_reason", "下基层当天没有信号，事后补记"),
            ],
        )
    };
    // Past the 7 days without asking: refused, pointing at the late entry.
    let err = assert_invalid(
        a.app
            .call("/api/visits/create", &pairs(&visit_form(a.org, old)))
            .await,
        "visit_date",
        "date_too_late",
    )
    .await;
    assert!(
        field_error(&err, "visit_date").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("补录申请"),
        "{err}"
    );
    let first = created(&a.app, "/api/visits/create", &late(old)).await;
    // One pending request per day.
    assert_invalid(
        a.app.call("/api/visits/create", &pairs(&late(old))).await,
        "visit_date",
        "late_pending",
    )
    .await;
    let second = created(&a.app, "/api/visits/create", &late(older)).await;
    assert_eq!(l.w.admin.count("visit_days").await, 0);
    // Declined with a comment: nothing stored, the cadre sees why.
    assert_status(
        l.sup
            .call(
                "/api/late/decide",
                &pairs(&decision(second, "decline", "那天你在区里开会")),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let mine = late_list(&a.app, "all").await;
    let declined = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == second)
        .unwrap();
    assert_eq!(declined["status"], "Declined");
    assert_eq!(declined["comment"], "那天你在区里开会");
    // Approved: the visit day is stored as of its date and the week counts it.
    assert_status(
        l.sup
            .call("/api/late/decide", &pairs(&decision(first, "approve", "")))
            .await,
        StatusCode::OK,
    )
    .await;
    let days = visit_day::Entity::find().all(&l.w.admin.db).await.unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].visit_date, old);
    assert!(days[0].late_approved_by.is_some());
    let quarter = app::rules::Quarter::of(app::rules::Week::of(old).thursday());
    let visits = ok(&a.app, "/api/visits/list", &[("quarter", &quarter.key())]).await;
    assert_eq!(visits["visits"][0]["late"], true, "{visits}");
    let week = app::rules::Week::of(old).key();
    let status = visits["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["week"] == week_json(app::rules::Week::of(old)))
        .map(|w| w["status"].clone());
    assert_eq!(status, Some(Value::from("Covered")), "{week}: {visits}");
    // A request for a day that has a visit day by the time it is decided stores nothing.
    let third = created(&a.app, "/api/visits/create", &late(days_ago(13))).await;
    // (The day is logged another way in between: directly, as the window allowed then.)
    late_request::Entity::find_by_id(third)
        .one(&l.w.admin.db)
        .await
        .unwrap()
        .unwrap();
    use sea_orm::{ActiveModelTrait, Set};
    visit_day::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        cadre_id: Set(a.id),
        org_id: Set(a.org),
        visit_date: Set(days_ago(13)),
        week_no: Set(app::rules::Week::of(days_ago(13)).number()),
        hours: Set(4.0),
        work_done: Set("走访".to_owned()),
        outcomes: Set(String::new()),
        late_approved_by: Set(None),
        created_at: Set(chrono::Utc::now()),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&l.w.admin.db)
    .await
    .unwrap();
    assert_invalid(
        l.sup
            .call("/api/late/decide", &pairs(&decision(third, "approve", "")))
            .await,
        "decision",
        "cannot_store",
    )
    .await;
    assert_eq!(late_list(&l.sup, "pending").await["pending"], 1);
}
db_test!(a_late_visit_day_is_approved_or_declined_and_never_doubles_a_day);

async fn without_javascript_a_late_entry_lands_on_the_list_that_says_it_was_filed(app: TestApp) {
    let l = late_world(app).await;
    let a = &l.w.a;
    let form = with(
        visit_form(a.org, days_ago(15)),
        &[("late", "true"), ("late_reason", "补记")],
    );
    let res = a
        .app
        .submit("/visits", "/api/visits/create", &pairs(&form))
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()[header::LOCATION], "/late?filed=1");
    let page = a.app.page("/late?filed=1").await;
    assert!(page.contains("补录申请已提交"), "the notice");
    assert!(
        page.contains("下基层当天") || page.contains("补记"),
        "the request"
    );
    // The supervisor decides on the page's form.
    let queue = l.sup.page("/supervise/late").await;
    assert!(queue.contains("data-testid=\"pending-late\""), "the queue");
    let id = late_list(&l.sup, "pending").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = l
        .sup
        .submit(
            "/supervise/late",
            "/api/late/decide",
            &pairs(&decision(id, "approve", "")),
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(l.w.admin.count("visit_days").await, 1);
}
db_test!(without_javascript_a_late_entry_lands_on_the_list_that_says_it_was_filed);
