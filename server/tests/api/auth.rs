//! Signing in and out, sessions, throttling, passwords, cross-origin refusal.

use crate::db_test;
use crate::helpers::*;
use reqwest::{header, StatusCode};

async fn admin_signs_in_with_username_and_with_phone(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let id = app
        .create_account("lihua", "cadre", root, "password-123")
        .await;
    assert!(id > 0);
    let phone_user = app.session();
    // give the cadre a phone number through the API
    let rid = uuid::Uuid::new_v4().to_string();
    let res = app
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid),
                ("name", "王芳"),
                ("username", "wangfang"),
                ("phone", "13812345678"),
                ("role", "cadre"),
                ("org_id", &root.to_string()),
                ("post", "part_time"),
                ("password", "password-456"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = phone_user.login("13812345678", "password-456").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::LOCATION], "/");
}
db_test!(admin_signs_in_with_username_and_with_phone);

async fn a_wrong_password_gets_a_message_by_the_field_and_keeps_the_login(app: TestApp) {
    let res = app.login("admin", "not-the-password").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    let field = field_error(&err, "password").expect("an error on password");
    assert_eq!(field["code"], "bad_credentials");
    assert_eq!(field["message"], "账号或密码错误");
    let input = err["Invalid"]["input"].to_string();
    assert!(input.contains("admin"), "the login is echoed: {input}");
    assert!(
        !input.contains("not-the-password"),
        "the password never is: {input}"
    );
}
db_test!(a_wrong_password_gets_a_message_by_the_field_and_keeps_the_login);

async fn a_plain_form_sign_in_redirects_back_with_the_error_shown(app: TestApp) {
    let res = app
        .submit(
            "/login",
            "/api/login",
            &[("login", "admin"), ("password", "wrong-password")],
        )
        .await;
    // Back to the page with a flash id; the error itself stays on the server.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/login?__flash=") && !location.contains("__err"),
        "{location}"
    );
    let page = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("账号或密码错误"), "the message shows");
    assert!(
        page.contains(r#"name="login" type="text" value="admin""#),
        "the login is kept"
    );

    let res = app
        .submit(
            "/login",
            "/api/login",
            &[("login", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/admin/orgs");
    let page = app.page("/admin/orgs").await;
    assert!(page.contains("区团委"), "the admin sees the tree");
}
db_test!(a_plain_form_sign_in_redirects_back_with_the_error_shown);

async fn the_session_cookie_is_http_only_lax_and_renewed_at_sign_in(app: TestApp) {
    let res = app.login("admin", ADMIN_PASSWORD).await;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("liaison_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let first = cookie.split(';').next().unwrap().to_owned();

    let res = app.login("admin", ADMIN_PASSWORD).await;
    let second = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("liaison_session="))
        .unwrap();
    assert_ne!(
        first,
        second.split(';').next().unwrap(),
        "a new session id at sign-in"
    );
    // The old session is gone.
    let old = client()
        .post(app.url("/api/orgs/list"))
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, &first)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("sessions").await, 1);
}
db_test!(the_session_cookie_is_http_only_lax_and_renewed_at_sign_in);

async fn signing_out_ends_the_session(app: TestApp) {
    app.login_as_admin().await;
    assert_eq!(
        app.call("/api/orgs/list", &[]).await.status(),
        StatusCode::OK
    );
    let res = app.call("/api/logout", &[]).await;
    assert!(res.status().is_success());
    assert_eq!(
        app.call("/api/orgs/list", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("sessions").await, 0);
}
db_test!(signing_out_ends_the_session);

async fn repeated_failures_slow_the_account_down(app: TestApp) {
    for _ in 0..5 {
        assert_eq!(
            app.login("admin", "wrong-password").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    // Locked now: even the right password waits.
    let res = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let err = error_of(res).await;
    let secs = err["TooManyAttempts"]["retry_after_secs"].as_u64().unwrap();
    // The security policy's first lock: 15 minutes.
    assert!((840..=900).contains(&secs), "{secs}");
    assert!(err["TooManyAttempts"]["message"]
        .as_str()
        .unwrap()
        .contains("15 分钟后再试"));
}
db_test!(repeated_failures_slow_the_account_down);

async fn a_password_change_needs_the_current_one_and_takes_effect(app: TestApp) {
    app.login_as_admin().await;
    let other = app.session();
    other.login_as_admin().await;

    let res = app
        .call(
            "/api/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "new-password-1"),
                ("confirm_password", "new-password-2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    assert_eq!(
        field_error(&err, "current_password").unwrap()["code"],
        "wrong_password"
    );
    assert_eq!(
        field_error(&err, "confirm_password").unwrap()["code"],
        "password_mismatch"
    );

    let res = app
        .call(
            "/api/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "new-password-1"),
                ("confirm_password", "new-password-1"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    // This session goes on; the other one ended.
    assert_eq!(
        app.call("/api/orgs/list", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        other.call("/api/orgs/list", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.session();
    assert_eq!(
        fresh.login("admin", ADMIN_PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        fresh.login("admin", "new-password-1").await.status(),
        StatusCode::OK
    );
}
db_test!(a_password_change_needs_the_current_one_and_takes_effect);

async fn a_state_change_from_another_origin_is_refused(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await.to_string();
    let rid = uuid::Uuid::new_v4().to_string();
    let res = app
        .client
        .post(app.url("/api/orgs/create"))
        .header(header::ORIGIN, "http://evil.example")
        .form(&[
            ("request_id", rid.as_str()),
            ("name", "钓鱼组织"),
            ("kind", "school"),
            ("parent_id", root.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("organisations").await, 1, "nothing was created");
}
db_test!(a_state_change_from_another_origin_is_refused);

async fn the_language_choice_is_kept_per_user(app: TestApp) {
    app.login_as_admin().await;
    assert!(app
        .page("/settings")
        .await
        .contains(r#"<html lang="zh-CN""#));
    let res = app.call("/api/language", &[("locale", "en")]).await;
    assert!(res.status().is_success());
    let page = app.page("/settings").await;
    assert!(page.contains(r#"<html lang="en""#) && page.contains("Change password"));
    // Another device of the same user, with no language cookie, gets English too.
    let phone = app.session();
    phone.login_as_admin().await;
    let page = phone.page("/admin/orgs").await;
    assert!(page.contains(r#"<html lang="en""#) && page.contains("Organisation tree"));
    let res = app.call("/api/language", &[("locale", "fr")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
db_test!(the_language_choice_is_kept_per_user);

async fn many_failures_from_one_address_slow_every_account_down(app: TestApp) {
    // Twenty failures over twenty different (unknown) accounts: each account is fine on its own,
    // but the address has used up its free attempts.
    for i in 0..20 {
        let res = app.login(&format!("guess{i}"), "wrong-password").await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    let res = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        error_of(res).await["TooManyAttempts"]["retry_after_secs"]
            .as_u64()
            .unwrap()
            >= 1
    );
}
db_test!(many_failures_from_one_address_slow_every_account_down);
