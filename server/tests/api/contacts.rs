//! Contacts with youths: log, change, delete, and the handling of a youth's request.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn contact(cadre: &Cadre, id: i64) -> Value {
    ok(&cadre.app, "/api/contacts/get", &[("id", &id.to_string())]).await
}

async fn a_cadre_logs_a_contact_once_and_finds_it_on_the_profile(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[0];
    let form = with(
        contact_form(youth),
        &[
            ("channel", "phone"),
            ("content", "询问实习安排"),
            ("request", "想了解青年人才公寓的申请条件"),
            ("duration_minutes", "15"),
        ],
    );
    let first = created(&a.app, "/api/contacts/create", &form).await;
    let again = created(&a.app, "/api/contacts/create", &form).await;
    assert_eq!(first, again, "a resend stores one contact");
    assert_eq!(w.admin.count("contacts").await, 1);

    let p = profile(a, youth).await;
    let contacts = p["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1);
    let c = &contacts[0];
    assert_eq!(c["id"], first);
    assert_eq!(c["youth_id"], youth);
    assert_eq!(c["date"], day(today()));
    assert_eq!(c["channel"], "Phone");
    assert_eq!(c["online"], true, "a phone call is online");
    assert_eq!(c["content"], "询问实习安排");
    assert_eq!(c["request"], "想了解青年人才公寓的申请条件");
    assert_eq!(c["request_status"], "Open", "a request starts open");
    assert_eq!(c["resolution"], json!(null));
    assert_eq!(c["duration_minutes"], 15);
    assert_eq!(c["cadre_name"], CADRE_NAME);
    assert_eq!(c["editable"], true);
    assert_eq!(p["status"], "Ok");
    assert_eq!(p["days"], 0);

    let edit = contact(a, first).await;
    assert_eq!(&edit["contact"], c, "the edit form shows the same contact");
    assert_eq!(edit["youth_name"], "张伟");
    let roster = roster(a, "all", "").await;
    assert_eq!(entry(&roster, youth).unwrap()["last_contact"], day(today()));

    // Face to face is offline; no request, no status.
    let id = created(&a.app, "/api/contacts/create", &contact_form(youth)).await;
    let c = &contact(a, id).await["contact"];
    assert_eq!(c["channel"], "FaceToFace");
    assert_eq!(c["online"], false);
    assert_eq!(c["request"], json!(null));
    assert_eq!(c["request_status"], json!(null));
    assert_eq!(
        profile(a, youth).await["contacts"][0]["id"],
        id,
        "newest first"
    );
    assert_eq!(w.admin.count("contacts").await, 2);
}
db_test!(a_cadre_logs_a_contact_once_and_finds_it_on_the_profile);

async fn bad_contact_input_gets_field_messages(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[0];
    let tomorrow = day(days_ago(-1));
    let res = a
        .app
        .call(
            "/api/contacts/create",
            &pairs(&with(
                contact_form(youth),
                &[
                    ("contact_date", &tomorrow),
                    ("channel", "pigeon"),
                    ("content", "  "),
                    ("request", &"长".repeat(501)),
                    ("duration_minutes", "0"),
                ],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("contact_date", "date_in_future"),
            ("channel", "invalid_choice"),
            ("content", "required"),
            ("request", "too_long"),
            ("duration_minutes", "invalid_number"),
        ],
    );
    assert_eq!(echoed(&err, "channel"), Some("pigeon"));

    let yesterday = day(days_ago(1));
    let long_ago = day(days_ago(400));
    for (date, code) in [
        ("", "required"),
        ("2026-02-30", "invalid_date"),
        ("25/11/2026", "invalid_date"),
        (yesterday.as_str(), "before_assignment"),
        (long_ago.as_str(), "date_too_old"),
    ] {
        let res = a
            .app
            .call(
                "/api/contacts/create",
                &pairs(&with(contact_form(youth), &[("contact_date", date)])),
            )
            .await;
        assert_invalid(res, "contact_date", code).await;
    }
    for (field, value, code) in [
        ("channel", "", "required"),
        ("duration_minutes", "601", "invalid_number"),
        ("duration_minutes", "half an hour", "invalid_number"),
        ("youth_id", "", "not_your_youth"),
        ("youth_id", "abc", "not_your_youth"),
        ("youth_id", "999999", "not_your_youth"),
        ("request_id", "", "invalid_request_id"),
    ] {
        let res = a
            .app
            .call(
                "/api/contacts/create",
                &pairs(&with(contact_form(youth), &[(field, value)])),
            )
            .await;
        assert_invalid(res, field, code).await;
    }
    assert_eq!(w.admin.count("contacts").await, 0, "nothing stored");
}
db_test!(bad_contact_input_gets_field_messages);

async fn a_cadre_cannot_log_a_contact_with_another_cadres_youth(app: TestApp) {
    let w = setup(app).await;
    let (a, b) = (&w.a, &w.b);
    let theirs = b.youths[0];
    let res = a
        .app
        .call("/api/contacts/create", &pairs(&contact_form(theirs)))
        .await;
    assert_invalid(res, "youth_id", "not_your_youth").await;
    assert_eq!(w.admin.count("contacts").await, 0);
    let p = profile(b, theirs).await;
    assert_eq!(p["contacts"], json!([]));
    assert_eq!(
        entry(&roster(b, "never", "").await, theirs).unwrap()["name"],
        "王芳"
    );

    // Nor see one the other cadre logged.
    let id = created(&b.app, "/api/contacts/create", &contact_form(theirs)).await;
    let res = a
        .app
        .call("/api/contacts/get", &[("id", &id.to_string())])
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
}
db_test!(a_cadre_cannot_log_a_contact_with_another_cadres_youth);

async fn a_cadre_changes_and_deletes_their_own_contact(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[1];
    let id = created(
        &a.app,
        "/api/contacts/create",
        &with(
            contact_form(youth),
            &[("request", "希望参加技能培训"), ("duration_minutes", "20")],
        ),
    )
    .await;
    let id_s = id.to_string();
    let change = with(
        contact_form(youth),
        &[
            ("id", &id_s),
            ("channel", "wechat"),
            ("content", "改为微信联系，发送了培训报名链接"),
            ("request", ""),
            ("duration_minutes", ""),
        ],
    );
    let answered = ok(&a.app, "/api/contacts/update", &pairs(&change)).await;
    assert_eq!(answered, json!(null));
    let c = &contact(a, id).await["contact"];
    assert_eq!(c["channel"], "WeChat");
    assert_eq!(c["online"], true);
    assert_eq!(c["content"], "改为微信联系，发送了培训报名链接");
    assert_eq!(c["request"], json!(null));
    assert_eq!(
        c["request_status"],
        json!(null),
        "no request, no request status"
    );
    assert_eq!(c["duration_minutes"], json!(null));
    assert_eq!(profile(a, youth).await["contacts"][0], *c);
    assert_eq!(w.admin.count("contacts").await, 1, "a change adds nothing");

    // Adding a request later opens it.
    let with_request = with(change.clone(), &[("request", "需要租房信息")]);
    ok(&a.app, "/api/contacts/update", &pairs(&with_request)).await;
    assert_eq!(contact(a, id).await["contact"]["request_status"], "Open");

    let tomorrow = day(days_ago(-1));
    let res = a
        .app
        .call(
            "/api/contacts/update",
            &pairs(&with(
                change.clone(),
                &[("contact_date", &tomorrow), ("content", "")],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[("contact_date", "date_in_future"), ("content", "required")],
    );
    assert_eq!(
        contact(a, id).await["contact"]["content"],
        "改为微信联系，发送了培训报名链接",
        "a bad change changes nothing"
    );
    for bad_id in ["", "abc", "999999"] {
        let res = a
            .app
            .call(
                "/api/contacts/update",
                &pairs(&with(change.clone(), &[("id", bad_id)])),
            )
            .await;
        assert_status(res, StatusCode::NOT_FOUND).await;
    }

    let answered = ok(&a.app, "/api/contacts/delete", &[("id", &id_s)]).await;
    assert_eq!(answered, json!(null));
    assert_eq!(w.admin.count("contacts").await, 0);
    assert_eq!(profile(a, youth).await["contacts"], json!([]));
    assert!(
        entry(&roster(a, "never", "").await, youth).is_some(),
        "never contacted again"
    );
    let res = a.app.call("/api/contacts/delete", &[("id", &id_s)]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = a.app.call("/api/contacts/get", &[("id", &id_s)]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
}
db_test!(a_cadre_changes_and_deletes_their_own_contact);

async fn another_cadres_contact_is_not_found(app: TestApp) {
    let w = setup(app).await;
    let (a, b) = (&w.a, &w.b);
    let form = with(contact_form(a.youths[0]), &[("request", "想找兼职")]);
    let id = created(&a.app, "/api/contacts/create", &form).await;
    let id_s = id.to_string();

    let res = b.app.call("/api/contacts/get", &[("id", &id_s)]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = b
        .app
        .call(
            "/api/contacts/update",
            &pairs(&with(
                contact_form(b.youths[0]),
                &[("id", &id_s), ("content", "被改掉")],
            )),
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = b.app.call("/api/contacts/delete", &[("id", &id_s)]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = b
        .app
        .call(
            "/api/contacts/request",
            &[
                ("id", &id_s),
                ("status", "resolved"),
                ("resolution", "被关闭"),
            ],
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    // Resending the other cadre's request id (even with one's own youth) is refused and stores nothing.
    let res = b
        .app
        .call(
            "/api/contacts/create",
            &pairs(&with(form, &[("youth_id", &b.youths[0].to_string())])),
        )
        .await;
    assert_invalid(res, "request_id", "request_reused").await;

    assert_eq!(w.admin.count("contacts").await, 1);
    let c = &contact(a, id).await["contact"];
    assert_eq!(c["content"], "聊了聊近期的工作和生活", "unchanged");
    assert_eq!(c["request_status"], "Open");
    assert_eq!(c["resolution"], json!(null));
    assert_eq!(profile(b, b.youths[0]).await["contacts"], json!([]));
    let res = w.admin.call("/api/contacts/get", &[("id", &id_s)]).await;
    assert_status(res, StatusCode::FORBIDDEN).await;
}
db_test!(another_cadres_contact_is_not_found);

async fn a_request_moves_from_open_to_in_progress_to_resolved(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[0];
    let id = created(
        &a.app,
        "/api/contacts/create",
        &with(
            contact_form(youth),
            &[("request", "希望学校开放周末自习室")],
        ),
    )
    .await;
    let id_s = id.to_string();
    let request = |status: &'static str, resolution: &'static str| {
        let id = id_s.clone();
        async move {
            a.app
                .call(
                    "/api/contacts/request",
                    &[
                        ("id", id.as_str()),
                        ("status", status),
                        ("resolution", resolution),
                    ],
                )
                .await
        }
    };
    assert_eq!(contact(a, id).await["contact"]["request_status"], "Open");
    // One list of the open requests across the roster: the cadre's, not another's.
    let open = ok(&a.app, "/api/contacts/requests", &[]).await;
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!(open[0]["contact"]["id"], id);
    assert_eq!(open[0]["contact"]["request"], "希望学校开放周末自习室");
    assert!(!open[0]["youth_name"].as_str().unwrap().is_empty());
    assert_eq!(ok(&w.b.app, "/api/contacts/requests", &[]).await, json!([]));

    assert_status(request("in_progress", "").await, StatusCode::OK).await;
    assert_eq!(
        ok(&a.app, "/api/contacts/requests", &[]).await[0]["contact"]["request_status"],
        "InProgress",
        "in progress is still open"
    );
    let c = &contact(a, id).await["contact"];
    assert_eq!(c["request_status"], "InProgress");
    assert_eq!(c["resolution"], json!(null));

    let err = assert_invalid(
        request("resolved", "  ").await,
        "resolution",
        "resolution_required",
    )
    .await;
    assert_eq!(echoed(&err, "status"), Some("resolved"));
    assert_invalid(request("done", "").await, "status", "invalid_choice").await;
    assert_invalid(request("", "").await, "status", "required").await;
    assert_eq!(
        contact(a, id).await["contact"]["request_status"],
        "InProgress",
        "a refused change changes nothing"
    );

    assert_status(
        request("resolved", "已协调学校周六开放图书馆").await,
        StatusCode::OK,
    )
    .await;
    let p = profile(a, youth).await;
    let c = &p["contacts"][0];
    assert_eq!(c["request_status"], "Resolved");
    assert_eq!(c["resolution"], "已协调学校周六开放图书馆");
    assert_eq!(w.admin.count("contacts").await, 1);
    assert_eq!(ok(&a.app, "/api/contacts/requests", &[]).await, json!([]));

    // A contact without a request has no request to move.
    let plain = created(&a.app, "/api/contacts/create", &contact_form(youth)).await;
    let res = a
        .app
        .call(
            "/api/contacts/request",
            &[
                ("id", &plain.to_string()),
                ("status", "in_progress"),
                ("resolution", ""),
            ],
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    for bad_id in ["", "abc", "999999"] {
        let res = a
            .app
            .call(
                "/api/contacts/request",
                &[("id", bad_id), ("status", "open"), ("resolution", "")],
            )
            .await;
        assert_status(res, StatusCode::NOT_FOUND).await;
    }
}
db_test!(a_request_moves_from_open_to_in_progress_to_resolved);

async fn a_double_tap_on_log_contact_stores_one_contact(app: TestApp) {
    let w = setup(app).await;
    let form = with(
        contact_form(w.a.youths[0]),
        &[("request", "想参加相亲联谊活动")],
    );
    let id = created_at_once(&w.a.app, "/api/contacts/create", &form).await;
    assert_eq!(w.admin.count("contacts").await, 1);
    assert_eq!(profile(&w.a, w.a.youths[0]).await["contacts"][0]["id"], id);
}
db_test!(a_double_tap_on_log_contact_stores_one_contact);

async fn a_contact_can_be_changed_or_deleted_for_seven_days_only(app: TestApp) {
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[0];
    let id = created(&a.app, "/api/contacts/create", &contact_form(youth)).await;
    let update = |content: &'static str| {
        with(
            contact_form(youth),
            &[("id", &id.to_string()), ("content", content)],
        )
    };
    // Within the window: the change sticks.
    ok(
        &a.app,
        "/api/contacts/update",
        &pairs(&update("改过的内容")),
    )
    .await;
    let profile = ok(&a.app, "/api/youth/get", &[("id", &youth.to_string())]).await;
    assert_eq!(profile["contacts"][0]["content"], "改过的内容");
    assert_eq!(profile["contacts"][0]["editable"], true);

    // Logged eight days ago (by the Shanghai calendar): no longer changeable or deletable.
    let eight_days_ago = chrono::Utc::now() - chrono::Duration::days(8);
    app::model::entities::contact::Entity::update_many()
        .col_expr(
            app::model::entities::contact::Column::CreatedAt,
            Expr::value(eight_days_ago),
        )
        .filter(app::model::entities::contact::Column::Id.eq(id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    let profile = ok(&a.app, "/api/youth/get", &[("id", &youth.to_string())]).await;
    assert_eq!(profile["contacts"][0]["editable"], false);
    let err = invalid(
        a.app
            .call("/api/contacts/update", &pairs(&update("太晚了")))
            .await,
    )
    .await;
    assert_codes(&err, &[("id", "edit_window")]);
    let err = invalid(
        a.app
            .call("/api/contacts/delete", &[("id", &id.to_string())])
            .await,
    )
    .await;
    assert_codes(&err, &[("id", "edit_window")]);
    let profile = ok(&a.app, "/api/youth/get", &[("id", &youth.to_string())]).await;
    assert_eq!(
        profile["contacts"][0]["content"], "改过的内容",
        "nothing changed"
    );
    assert_eq!(w.admin.count("contacts").await, 1);
}
db_test!(a_contact_can_be_changed_or_deleted_for_seven_days_only);

async fn a_contact_may_be_logged_up_to_30_days_late(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[0];
    assigned_days_ago(&w.admin, youth, 200).await;
    let late = with(contact_form(youth), &[("contact_date", &day(days_ago(31)))]);
    let res = a.app.call("/api/contacts/create", &pairs(&late)).await;
    let err = assert_invalid(res, "contact_date", "date_too_old").await;
    let message = field_error(&err, "contact_date").unwrap()["message"].clone();
    assert!(message.as_str().unwrap().contains("30"), "{message}");
    let id = created(
        &a.app,
        "/api/contacts/create",
        &with(contact_form(youth), &[("contact_date", &day(days_ago(30)))]),
    )
    .await;
    // Changing a contact's date obeys the same window.
    let res = a
        .app
        .call(
            "/api/contacts/update",
            &pairs(&with(
                with(contact_form(youth), &[("contact_date", &day(days_ago(45)))]),
                &[("id", &id.to_string())],
            )),
        )
        .await;
    assert_invalid(res, "contact_date", "date_too_old").await;
}
db_test!(a_contact_may_be_logged_up_to_30_days_late);

/// The youth's summary (last contact, last offline contact) as the roster and the engine read
/// it, against what the contacts say.
async fn summary_of(
    app: &TestApp,
    youth_id: i64,
) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    use sea_orm::EntityTrait;
    let y = app::model::entities::youth::Entity::find_by_id(youth_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    (y.last_contact_on, y.last_offline_on)
}

async fn the_youths_summary_follows_a_create_an_edit_of_the_date_and_a_delete(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[0];
    // The youth was assigned a few days ago, so contacts can be dated back to then.
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        app::model::entities::assignment::Entity::update_many()
            .col_expr(
                app::model::entities::assignment::Column::AssignedOn,
                sea_orm::sea_query::Expr::value(days_ago(10)),
            )
            .filter(app::model::entities::assignment::Column::YouthId.eq(youth))
            .exec(&w.admin.db)
            .await
            .unwrap();
        app::model::entities::youth::Entity::update_many()
            .col_expr(
                app::model::entities::youth::Column::AssignedOn,
                sea_orm::sea_query::Expr::value(days_ago(10)),
            )
            .filter(app::model::entities::youth::Column::Id.eq(youth))
            .exec(&w.admin.db)
            .await
            .unwrap();
    }
    assert_eq!(summary_of(&w.admin, youth).await, (None, None));
    // An offline contact 5 days ago, then a phone call 3 days ago: the last contact moves
    // forward, the last offline one stays.
    let face = created(
        &a.app,
        "/api/contacts/create",
        &with(contact_form(youth), &[("contact_date", &day(days_ago(5)))]),
    )
    .await;
    assert_eq!(
        summary_of(&w.admin, youth).await,
        (Some(days_ago(5)), Some(days_ago(5)))
    );
    let call = created(
        &a.app,
        "/api/contacts/create",
        &with(
            contact_form(youth),
            &[("contact_date", &day(days_ago(3))), ("channel", "phone")],
        ),
    )
    .await;
    assert_eq!(
        summary_of(&w.admin, youth).await,
        (Some(days_ago(3)), Some(days_ago(5)))
    );
    // An older contact logged later moves nothing.
    created(
        &a.app,
        "/api/contacts/create",
        &with(
            contact_form(youth),
            &[("contact_date", &day(days_ago(8))), ("channel", "wechat")],
        ),
    )
    .await;
    assert_eq!(
        summary_of(&w.admin, youth).await,
        (Some(days_ago(3)), Some(days_ago(5)))
    );
    // The call's date moved back before the face-to-face one: the last contact goes back too.
    ok(
        &a.app,
        "/api/contacts/update",
        &pairs(&with(
            contact_form(youth),
            &[
                ("id", &call.to_string()),
                ("request_id", ""),
                ("contact_date", &day(days_ago(6))),
                ("channel", "phone"),
            ],
        )),
    )
    .await;
    assert_eq!(
        summary_of(&w.admin, youth).await,
        (Some(days_ago(5)), Some(days_ago(5)))
    );
    // The face-to-face contact deleted: the call is the last contact, and no offline one is left.
    ok(&a.app, "/api/contacts/delete", &[("id", &face.to_string())]).await;
    assert_eq!(summary_of(&w.admin, youth).await, (Some(days_ago(6)), None));
    let r = roster(a, "all", "").await;
    assert_eq!(entry(&r, youth).unwrap()["last_contact"], day(days_ago(6)));
}
db_test!(the_youths_summary_follows_a_create_an_edit_of_the_date_and_a_delete);
