//! Accounts: create, reset password, deactivate, pair with grassroots organisations.

use crate::db_test;
use crate::helpers::*;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

async fn an_admin_creates_a_cadre_who_can_sign_in(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let rid = uuid::Uuid::new_v4().to_string();
    let form = [
        ("request_id", rid.as_str()),
        ("name", "李明"),
        ("username", "liming"),
        ("phone", "139 1234 5678"),
        ("role", "cadre"),
        ("org_id", &root.to_string()),
        ("post", "full_time"),
        ("password", "password-123"),
    ];
    let id = app
        .call("/api/users/create", &form)
        .await
        .json::<i64>()
        .await
        .unwrap();
    let again = app
        .call("/api/users/create", &form)
        .await
        .json::<i64>()
        .await
        .unwrap();
    assert_eq!(id, again, "a resend stores one account");
    assert_eq!(
        app.count("accounts").await,
        4,
        "the three administrators and 李明"
    );

    let row = account_row(&app, "liming").await;
    assert_eq!(
        row["phone"], "139****5678",
        "no administrator sees a full number"
    );
    let full: Option<String> = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT phone FROM accounts WHERE username = 'liming'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "phone")
        .unwrap();
    assert_eq!(full.as_deref(), Some("13912345678"), "stored in full");
    assert_eq!(row["post"], "FullTime");

    let cadre = app.session();
    let res = cadre.login("liming", "password-123").await;
    assert_eq!(res.status(), StatusCode::OK);
    let home = cadre.page("/").await;
    assert!(home.contains("李明"), "the cadre's name is in the header");
    assert!(
        home.contains("联系青年（1+100）"),
        "a cadre starts on the today page"
    );
    // Admin pages are not for cadres, nor is the accounts API.
    assert_eq!(
        cadre.get("/admin/users").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cadre.call("/api/users/list", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}
db_test!(an_admin_creates_a_cadre_who_can_sign_in);

async fn bad_account_input_gets_field_messages(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await.to_string();
    let rid = uuid::Uuid::new_v4().to_string();
    let res = app
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid),
                ("name", ""),
                ("username", "admin"),
                ("phone", "12345"),
                ("role", "king"),
                ("org_id", &root),
                ("post", ""),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    for (field, code) in [
        ("name", "required"),
        ("username", "username_taken"),
        ("phone", "invalid_phone"),
        ("role", "invalid_choice"),
        ("password", "password_too_short"),
    ] {
        assert_eq!(
            field_error(&err, field).unwrap_or_else(|| panic!("{field}"))["code"],
            code,
            "{field}"
        );
    }
    let res = app
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid),
                ("name", "张三"),
                ("username", "zhang san"),
                ("phone", ""),
                ("role", "cadre"),
                ("org_id", &root),
                ("post", ""),
                ("password", "password-123"),
            ],
        )
        .await;
    let err = error_of(res).await;
    assert_eq!(
        field_error(&err, "username").unwrap()["code"],
        "invalid_username"
    );
    assert_eq!(
        field_error(&err, "post").unwrap()["code"],
        "required",
        "cadres need a post"
    );
    assert_eq!(
        app.count("accounts").await,
        3,
        "only the three administrators"
    );
}
db_test!(bad_account_input_gets_field_messages);

async fn deactivating_an_account_ends_its_sessions_at_once(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let id = app
        .create_account("leaver", "cadre", root, "password-123")
        .await;
    let cadre = app.session();
    cadre.login("leaver", "password-123").await;
    assert_eq!(cadre.get("/").await.status(), StatusCode::OK);

    let res = app
        .call("/api/users/deactivate", &[("id", &id.to_string())])
        .await;
    assert!(res.status().is_success());
    let res = cadre.get("/").await;
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "signed out: sent to /login"
    );
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(
        cadre.login("leaver", "password-123").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // One's own account stays.
    let admin_id = crate::security::account_id(&app, "admin").await;
    let res = app
        .call("/api/users/deactivate", &[("id", &admin_id.to_string())])
        .await;
    assert_eq!(
        field_error(&error_of(res).await, "id").unwrap()["code"],
        "self_deactivate"
    );
}
db_test!(deactivating_an_account_ends_its_sessions_at_once);

async fn a_password_reset_ends_sessions_and_sets_the_new_password(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let id = app
        .create_account("forgetful", "cadre", root, "password-123")
        .await;
    let cadre = app.session();
    cadre.login("forgetful", "password-123").await;
    let res = app
        .call(
            "/api/users/reset-password",
            &[("id", &id.to_string()), ("new_password", "short")],
        )
        .await;
    assert_eq!(
        field_error(&error_of(res).await, "new_password").unwrap()["code"],
        "password_too_short"
    );
    let res = app
        .call(
            "/api/users/reset-password",
            &[("id", &id.to_string()), ("new_password", "fresh-password")],
        )
        .await;
    assert!(res.status().is_success());
    assert_eq!(cadre.get("/").await.status(), StatusCode::FOUND);
    assert_eq!(
        cadre.login("forgetful", "fresh-password").await.status(),
        StatusCode::OK
    );
}
db_test!(a_password_reset_ends_sessions_and_sets_the_new_password);

async fn cadres_are_paired_with_grassroots_organisations(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let street = app
        .create_org("A街道团工委", "working_committee", root)
        .await;
    let school = app.create_org("A中学团委", "school", street).await;
    let cadre = app
        .create_account("pairme", "cadre", street, "password-123")
        .await;
    let boss = app
        .create_account("boss", "supervisor", street, "password-123")
        .await;

    let rid = uuid::Uuid::new_v4().to_string();
    let form = [
        ("request_id", rid.as_str()),
        ("cadre_id", &cadre.to_string()),
        ("org_id", &school.to_string()),
    ];
    let first = app
        .call("/api/users/pair", &form)
        .await
        .json::<i64>()
        .await
        .unwrap();
    let again = app
        .call("/api/users/pair", &form)
        .await
        .json::<i64>()
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(app.count("pairings").await, 1);

    assert_eq!(
        pairing_error(&app, cadre, school, "org_id").await,
        "already_paired"
    );
    assert_eq!(
        pairing_error(&app, cadre, street, "org_id").await,
        "not_grassroots"
    );
    assert_eq!(
        pairing_error(&app, boss, school, "cadre_id").await,
        "not_cadre"
    );

    let row = account_row(&app, "pairme").await;
    assert_eq!(row["pairings"][0]["org_name"], "A中学团委");

    let res = app
        .call("/api/users/unpair", &[("id", &first.to_string())])
        .await;
    assert!(res.status().is_success());
    let row = account_row(&app, "pairme").await;
    assert!(row["pairings"].as_array().unwrap().is_empty());
    assert_eq!(
        app.count("pairings").await,
        1,
        "ended pairings are kept for the ledgers"
    );
}
db_test!(cadres_are_paired_with_grassroots_organisations);

/// The code of the error on `field` when pairing `cadre` with `org` is refused.
async fn pairing_error(app: &TestApp, cadre: i64, org: i64, field: &str) -> serde_json::Value {
    let rid = uuid::Uuid::new_v4().to_string();
    let res = app
        .call(
            "/api/users/pair",
            &[
                ("request_id", &rid),
                ("cadre_id", &cadre.to_string()),
                ("org_id", &org.to_string()),
            ],
        )
        .await;
    field_error(&error_of(res).await, field).unwrap()["code"].clone()
}

/// An account's row on the accounts page, as the signed-in admin sees it.
pub async fn account_row(app: &TestApp, username: &str) -> serde_json::Value {
    let page = app
        .call("/api/users/list", &[])
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    page["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("{username} is listed"))
        .clone()
}

async fn the_accounts_list_is_searched_filtered_and_paged(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    for i in 1..=32 {
        app.create_account(&format!("bulk{i:02}"), "cadre", root, "quiet-river-73")
            .await;
    }
    let list = |q: &'static str, role: &'static str, page: &'static str| {
        let app = app.same_session();
        async move {
            let res = app
                .call(
                    "/api/users/list",
                    &[("q", q), ("role", role), ("page", page)],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    // The system administrator lists the accounts it keeps: cadres and supervisors.
    let first = list("", "", "").await;
    assert_eq!(first["matching"], 32);
    assert_eq!(first["pages"], 2);
    assert_eq!(first["accounts"].as_array().unwrap().len(), 30);
    let second = list("", "", "2").await;
    assert_eq!(second["accounts"].as_array().unwrap().len(), 2);
    let one = list("bulk05", "", "").await;
    assert_eq!(one["matching"], 1);
    assert_eq!(one["accounts"][0]["username"], "bulk05");
    let supervisors = list("", "supervisor", "").await;
    assert_eq!(supervisors["matching"], 0);
    for role in ["root", "sysadmin", "auditor"] {
        let res = app.call("/api/users/list", &[("role", role)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{role}");
    }
    assert!(app.page("/admin/users?q=bulk1").await.contains("bulk12"));
}
db_test!(the_accounts_list_is_searched_filtered_and_paged);
