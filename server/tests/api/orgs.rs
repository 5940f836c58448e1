//! The organisation tree: create, rename, move, deactivate; idempotency and scoping.

use crate::db_test;
use crate::helpers::*;
use reqwest::StatusCode;

async fn an_admin_creates_an_organisation_once_however_often_it_is_sent(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await.to_string();
    let rid = uuid::Uuid::new_v4().to_string();
    let form = [
        ("request_id", rid.as_str()),
        ("name", "河东街道团工委"),
        ("kind", "working_committee"),
        ("parent_id", root.as_str()),
    ];
    let first = app
        .call("/api/orgs/create", &form)
        .await
        .json::<i64>()
        .await
        .unwrap();
    let again = app
        .call("/api/orgs/create", &form)
        .await
        .json::<i64>()
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(app.count("organisations").await, 2);
    let orgs = app.orgs().await;
    assert_eq!(orgs[1]["name"], "河东街道团工委");
    assert_eq!(orgs[1]["depth"], 1);
    assert!(
        app.count("audit_log").await >= 2,
        "sign-in and create are audited"
    );
}
db_test!(an_admin_creates_an_organisation_once_however_often_it_is_sent);

async fn bad_organisation_input_gets_field_messages(app: TestApp) {
    app.login_as_admin().await;
    let rid = uuid::Uuid::new_v4().to_string();
    let long = "长".repeat(61);
    let res = app
        .call(
            "/api/orgs/create",
            &[
                ("request_id", &rid),
                ("name", &long),
                ("kind", "castle"),
                ("parent_id", "999"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    assert_eq!(field_error(&err, "name").unwrap()["code"], "too_long");
    assert_eq!(field_error(&err, "kind").unwrap()["code"], "invalid_choice");
    assert_eq!(
        field_error(&err, "parent_id").unwrap()["code"],
        "invalid_choice"
    );
    let res = app
        .call(
            "/api/orgs/create",
            &[
                ("request_id", &rid),
                ("name", " "),
                ("kind", "school"),
                ("parent_id", "1"),
            ],
        )
        .await;
    let err = error_of(res).await;
    assert_eq!(field_error(&err, "name").unwrap()["message"], "请填写此项");
    assert_eq!(app.count("organisations").await, 1);
}
db_test!(bad_organisation_input_gets_field_messages);

async fn organisations_are_renamed_moved_and_deactivated(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let a = app
        .create_org("A街道团工委", "working_committee", root)
        .await;
    let b = app
        .create_org("B园区团工委", "working_committee", root)
        .await;
    let school = app.create_org("A中学团委", "school", a).await;

    let res = app
        .call(
            "/api/orgs/rename",
            &[("id", &school.to_string()), ("name", "A第一中学团委")],
        )
        .await;
    assert!(res.status().is_success());
    let res = app
        .call(
            "/api/orgs/move",
            &[("id", &school.to_string()), ("parent_id", &b.to_string())],
        )
        .await;
    assert!(res.status().is_success());
    let orgs = app.orgs().await;
    let moved = orgs.iter().find(|o| o["id"] == school).unwrap();
    assert_eq!(moved["name"], "A第一中学团委");
    assert_eq!(moved["parent_id"], b);

    // Not under itself or its own descendants.
    let res = app
        .call(
            "/api/orgs/move",
            &[("id", &b.to_string()), ("parent_id", &school.to_string())],
        )
        .await;
    assert_eq!(
        field_error(&error_of(res).await, "parent_id").unwrap()["code"],
        "cycle"
    );
    // Not while a child is active.
    let res = app
        .call(
            "/api/orgs/active",
            &[("id", &b.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(
        field_error(&error_of(res).await, "id").unwrap()["code"],
        "has_active_children"
    );
    // The district root stays.
    let res = app
        .call(
            "/api/orgs/active",
            &[("id", &root.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(
        field_error(&error_of(res).await, "id").unwrap()["code"],
        "root_immovable"
    );

    for _ in 0..2 {
        let res = app
            .call(
                "/api/orgs/active",
                &[("id", &school.to_string()), ("active", "false")],
            )
            .await;
        assert!(res.status().is_success(), "deactivating twice is fine");
    }
    let orgs = app.orgs().await;
    assert_eq!(
        orgs.iter().find(|o| o["id"] == school).unwrap()["active"],
        false
    );
}
db_test!(organisations_are_renamed_moved_and_deactivated);

async fn only_admins_change_the_tree_and_only_inside_their_subtree(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let a = app
        .create_org("A街道团工委", "working_committee", root)
        .await;
    let b = app
        .create_org("B街道团工委", "working_committee", root)
        .await;
    app.create_account("cadre_a", "cadre", a, "password-123")
        .await;
    let sec = app.session();
    sec.login("secadmin", ADMIN_PASSWORD).await;
    sec.create_account("admin_a", "sysadmin", a, "password-123")
        .await;

    let cadre = app.session();
    cadre.login("cadre_a", "password-123").await;
    let rid = uuid::Uuid::new_v4().to_string();
    let res = cadre
        .call(
            "/api/orgs/create",
            &[
                ("request_id", &rid),
                ("name", "X"),
                ("kind", "school"),
                ("parent_id", &a.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let sub_admin = app.session();
    sub_admin.login("admin_a", "password-123").await;
    let seen: Vec<i64> = sub_admin
        .orgs()
        .await
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(seen, vec![a], "a street admin sees only its street");
    let res = sub_admin
        .call(
            "/api/orgs/rename",
            &[("id", &b.to_string()), ("name", "改名")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = sub_admin
        .call(
            "/api/orgs/create",
            &[
                ("request_id", &rid),
                ("name", "X"),
                ("kind", "school"),
                ("parent_id", &b.to_string()),
            ],
        )
        .await;
    assert_eq!(
        field_error(&error_of(res).await, "parent_id").unwrap()["code"],
        "invalid_choice"
    );
    let res = sub_admin.call("/api/orgs/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
}
db_test!(only_admins_change_the_tree_and_only_inside_their_subtree);
