//! The security review's findings (issue #6), each replayed against the real app as an attacker
//! would, on SQLite and PostgreSQL. Each of these failed before its fix.

use crate::cadre::*;
use crate::helpers::*;
use crate::{db_test, db_test_with};
use app::error::{AppError, FieldError};
use app::model::entities::{account, audit_log, login_throttle, session};
use chrono::{Duration, Utc};
use leptos::server_fn::error::ServerFnUrlError;
use reqwest::{header, StatusCode};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

/// Breaks out of `<textarea>` and `<title>` and runs a script, if written raw.
const XSS: &str =
    "</textarea></title><script>window.__pwned=1</script><img src=x onerror=alert(1)>";
/// The same for fields of at most 30 characters.
const XSS_SHORT: &str = "</title><script>p()</script>";

/// Nothing of the payloads is live markup in `page`.
fn assert_inert(page: &str, what: &str) {
    for live in [
        "<script>window.__pwned",
        "<script>p()",
        "<img src=x",
        "</textarea></title>",
    ] {
        assert!(!page.contains(live), "{what}: `{live}` is live markup");
    }
}

/// The payload is on the page, as text.
fn assert_shown_as_text(page: &str, what: &str) {
    assert!(
        page.contains("&lt;script&gt;"),
        "{what}: the text typed is shown (escaped)"
    );
}

// ---- script injection -------------------------------------------------------------------------

async fn a_crafted_error_link_puts_nothing_from_the_url_on_the_page(app: TestApp) {
    let w = setup(app).await;
    let youth = w.a.youths[0];
    let contact = created(&w.a.app, "/api/contacts/create", &contact_form(youth)).await;
    let err = AppError::Invalid {
        fields: vec![FieldError {
            field: "notes".into(),
            code: "x".into(),
            message: "请拨打 110-CALL-ME".into(),
        }],
        input: ["notes", "name", "content", "request", "resolution", "id"]
            .iter()
            .map(|f| ((*f).to_owned(), XSS.to_owned()))
            .collect(),
    };
    let pages = [
        ("/youth/new".to_owned(), "/api/youth/create"),
        (format!("/youth/{youth}/edit"), "/api/youth/update"),
        (
            format!("/contacts/new?youth={youth}"),
            "/api/contacts/create",
        ),
        (format!("/contacts/{contact}/edit"), "/api/contacts/update"),
        (format!("/youth/{youth}"), "/api/contacts/request"),
    ];
    for (page, path) in pages {
        let url = ServerFnUrlError::new(path, err.clone())
            .to_url(&w.a.app.url(&page))
            .unwrap();
        let res = w.a.app.client.get(url.as_str()).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        let html = res.text().await.unwrap();
        assert!(
            !html.contains("__pwned"),
            "{page}: the URL's input is not shown"
        );
        assert!(!html.contains("110-CALL-ME"), "{page}: nor its messages");
    }
}
db_test!(a_crafted_error_link_puts_nothing_from_the_url_on_the_page);

/// Submits `form` to `endpoint` as a browser without JavaScript, from `page`; expects the
/// redirect back with a flash id (never leptos' `__err`) and returns the page it leads to.
async fn failed_plain_submit(app: &TestApp, page: &str, endpoint: &str, form: &Form) -> String {
    let res = app.submit(page, endpoint, &pairs(form)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{endpoint}");
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.contains("__flash=") && !location.contains("__err"),
        "{location}"
    );
    assert!(location.starts_with('/'), "stays on the site: {location}");
    app.page(&location).await + "\n<!--location:" + &location + "-->"
}

async fn a_failed_plain_form_comes_back_refilled_and_inert(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a.app;
    let youth = w.a.youths[0];
    let with_request = with(contact_form(youth), &[("request", "想找实习")]);
    let contact = created(a, "/api/contacts/create", &with_request).await;

    // Adding a youth: a bad phone, the payloads in every text field.
    let form = with(
        youth_form(XSS_SHORT),
        &[
            ("phone", "12345"),
            ("notes", XSS),
            ("tags", XSS),
            ("workplace", XSS),
        ],
    );
    let page = failed_plain_submit(a, "/youth/new", "/api/youth/create", &form).await;
    assert_inert(&page, "/youth/new");
    assert_shown_as_text(&page, "/youth/new");
    assert!(page.contains("请输入 11 位手机号"), "the message shows");
    assert!(
        page.contains("&lt;/textarea&gt;&lt;/title&gt;&lt;script&gt;window.__pwned=1"),
        "the notes come back in their textarea, escaped once"
    );

    // The same flash, opened by another browser of the same cadre: nothing is re-filled.
    let location = page
        .rsplit("<!--location:")
        .next()
        .unwrap()
        .trim_end_matches("-->");
    let other = w.a.app.session();
    other.login("cadre_a", PASSWORD).await;
    let theirs = other.page(location).await;
    assert!(!theirs.contains("__pwned") && !theirs.contains("请输入 11 位手机号"));

    // Editing a youth, a contact, the request box on the profile, a new contact.
    let cases: Vec<(String, &str, Form)> = vec![
        (
            format!("/youth/{youth}/edit"),
            "/api/youth/update",
            with(
                youth_form("张伟"),
                &[("id", &youth.to_string()), ("phone", "1"), ("notes", XSS)],
            ),
        ),
        (
            format!("/contacts/new?youth={youth}"),
            "/api/contacts/create",
            with(
                contact_form(youth),
                &[
                    ("content", XSS),
                    ("request", XSS),
                    ("duration_minutes", "x"),
                ],
            ),
        ),
        (
            format!("/contacts/{contact}/edit"),
            "/api/contacts/update",
            with(
                contact_form(youth),
                &[
                    ("id", &contact.to_string()),
                    ("content", XSS),
                    ("duration_minutes", "x"),
                ],
            ),
        ),
        (
            format!("/youth/{youth}"),
            "/api/contacts/request",
            vec![
                ("id", contact.to_string()),
                ("status", "bogus".to_owned()),
                ("resolution", XSS.to_owned()),
            ],
        ),
    ];
    for (page, endpoint, form) in cases {
        let html = failed_plain_submit(a, &page, endpoint, &form).await;
        assert_inert(&html, &page);
        assert_shown_as_text(&html, &page);
    }
}
db_test!(a_failed_plain_form_comes_back_refilled_and_inert);

async fn stored_text_comes_back_inert_on_every_page(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a.app;
    let youth = add_youth(
        a,
        &with(
            youth_form(XSS_SHORT),
            &[
                ("notes", XSS),
                ("tags", XSS),
                ("workplace", XSS),
                ("wechat", XSS_SHORT),
            ],
        ),
    )
    .await;
    let contact = created(
        a,
        "/api/contacts/create",
        &with(contact_form(youth), &[("content", XSS), ("request", XSS)]),
    )
    .await;
    ok(
        a,
        "/api/contacts/request",
        &[
            ("id", &contact.to_string()),
            ("status", "in_progress"),
            ("resolution", XSS),
        ],
    )
    .await;
    let visit = created(
        a,
        "/api/visits/create",
        &with(
            visit_form(w.a.org, today()),
            &[("work_done", XSS), ("outcomes", XSS)],
        ),
    )
    .await;
    let suggestion = created(
        a,
        "/api/suggestions/create",
        &with(
            suggestion_form(w.a.org, app::rules::Quarter::of(today())),
            &[("title", XSS), ("description", XSS)],
        ),
    )
    .await;
    created(
        a,
        "/api/study/create",
        &with(study_form(today(), "2"), &[("topic", XSS)]),
    )
    .await;
    w.admin.create_org(XSS_SHORT, "school", w.street).await;

    let cadre_pages = [
        "/".to_owned(),
        "/youth".to_owned(),
        format!("/youth/{youth}"),
        format!("/youth/{youth}/edit"),
        "/contacts/new".to_owned(),
        format!("/contacts/new?youth={youth}"),
        format!("/contacts/{contact}/edit"),
        "/visits".to_owned(),
        format!("/visits/{visit}"),
        "/suggestions".to_owned(),
        format!("/suggestions/{suggestion}"),
        "/study".to_owned(),
    ];
    for page in &cadre_pages {
        let html = a.page(page).await;
        assert_inert(&html, page);
    }
    for page in [
        format!("/youth/{youth}"),
        format!("/youth/{youth}/edit"),
        format!("/contacts/{contact}/edit"),
        format!("/suggestions/{suggestion}"),
        "/study".to_owned(),
    ] {
        assert_shown_as_text(&a.page(&page).await, &page);
    }
    let profile = a.page(&format!("/youth/{youth}")).await;
    assert!(
        profile.contains("<title>&lt;/title&gt;&lt;script&gt;p()&lt;/script&gt; ·"),
        "the page title is escaped"
    );
    for page in ["/admin/orgs", "/admin/users"] {
        let html = w.admin.page(page).await;
        assert_inert(&html, page);
    }
}
db_test!(stored_text_comes_back_inert_on_every_page);

async fn pages_carry_a_csp_whose_nonce_is_on_every_inline_script(app: TestApp) {
    app.login_as_admin().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = app.get("/admin/orgs").await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        for d in [
            "script-src 'self' 'nonce-",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(d), "{d} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .unwrap()
            .to_owned();
        let html = res.text().await.unwrap();
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "the hydration script is there");
        for s in scripts {
            let tag = s.split('>').next().unwrap();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "every inline script carries the nonce: <script{tag}>"
            );
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce for every response");
}
db_test!(pages_carry_a_csp_whose_nonce_is_on_every_inline_script);

async fn signed_in_answers_are_never_stored_and_features_are_off(app: TestApp) {
    app.login_as_admin().await;
    for res in [
        app.get("/admin/orgs").await,
        app.call("/api/orgs/list", &[]).await,
    ] {
        let h = res.headers();
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        let pp = h["permissions-policy"].to_str().unwrap();
        for f in ["camera=()", "microphone=()", "geolocation=()"] {
            assert!(pp.contains(f), "{f} in {pp}");
        }
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
    }
}
db_test!(signed_in_answers_are_never_stored_and_features_are_off);

// ---- sign-in and passwords -------------------------------------------------------------------

async fn parallel_guesses_get_at_most_five_verifications(app: TestApp) {
    let before = app.state.metrics.password_verifications.count();
    let sends: Vec<_> = (0..25)
        .map(|_| {
            let (client, url) = (app.client.clone(), app.url("/api/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&[("login", "admin"), ("password", "wrong-password")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for s in sends {
        statuses.push(s.await.unwrap());
    }
    let verified = app.state.metrics.password_verifications.count() - before;
    assert!(verified <= 5, "{verified} passwords checked: {statuses:?}");
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(refused, 25 - verified as usize, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY || *s == StatusCode::TOO_MANY_REQUESTS));
}
db_test!(parallel_guesses_get_at_most_five_verifications);

async fn account_with_phone(app: &TestApp, username: &str, phone: &str, password: &str) -> i64 {
    ok(
        app,
        "/api/users/create",
        &[
            ("request_id", &rid()),
            ("name", "王芳"),
            ("username", username),
            ("phone", phone),
            ("role", "cadre"),
            ("org_id", &app.root_org().await.to_string()),
            ("post", "full_time"),
            ("password", password),
        ],
    )
    .await
    .as_i64()
    .unwrap()
}

async fn a_lock_holds_whichever_name_the_account_is_typed_by(app: TestApp) {
    app.login_as_admin().await;
    account_with_phone(&app, "wangfang", "13812345678", "quiet-river-73").await;
    let guesser = app.session();
    for _ in 0..5 {
        assert_status(
            guesser.login("wangfang", "wrong-password").await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let res = app.session().login("13812345678", "quiet-river-73").await;
    assert_status(res, StatusCode::TOO_MANY_REQUESTS).await;
}
db_test!(a_lock_holds_whichever_name_the_account_is_typed_by);

pub(crate) async fn account_id(app: &TestApp, username: &str) -> i64 {
    account::Entity::find()
        .filter(account::Column::Username.eq(username))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn failures_keep_escalating_after_a_lock_expires(app: TestApp) {
    for _ in 0..5 {
        app.login("admin", "wrong-password").await;
    }
    // Twenty minutes later (as if time had passed): the policy's 15-minute lock is over …
    let key = format!("acct:{}", account_id(&app, "admin").await);
    let earlier = |minutes: i64| {
        let key = key.clone();
        let db = app.db.clone();
        async move {
            login_throttle::Entity::update_many()
                .col_expr(
                    login_throttle::Column::LockedUntil,
                    Expr::value(Utc::now() - Duration::seconds(1)),
                )
                .col_expr(
                    login_throttle::Column::LastFailureAt,
                    Expr::value(Utc::now() - Duration::minutes(minutes)),
                )
                .filter(login_throttle::Column::Key.eq(key))
                .exec(&db)
                .await
                .unwrap();
        }
    };
    earlier(20).await;
    // … but the count is not: the next failure locks for 30 minutes, not 15.
    assert_status(
        app.login("admin", "wrong-password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let res = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let secs = error_of(res).await["TooManyAttempts"]["retry_after_secs"]
        .as_u64()
        .unwrap();
    assert!((901..=1800).contains(&secs), "{secs}");
    // After a quiet day the count starts over: a wrong password is a plain 422 again, and the
    // right one gets in.
    earlier(25 * 60).await;
    assert_status(
        app.login("admin", "wrong-password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_status(app.login("admin", ADMIN_PASSWORD).await, StatusCode::OK).await;
}
db_test!(failures_keep_escalating_after_a_lock_expires);

async fn unknown_and_inactive_accounts_cost_a_verification_too(app: TestApp) {
    let count = || app.state.metrics.password_verifications.count();
    let n = count();
    assert_status(
        app.login("nobody_here", "wrong-password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        count(),
        n + 1,
        "an unknown name is checked against a dummy hash"
    );

    let admin = app.session();
    admin.login_as_admin().await;
    let id = account_with_phone(&admin, "leaver", "13912345678", "quiet-river-73").await;
    ok(&admin, "/api/users/deactivate", &[("id", &id.to_string())]).await;
    let n = count();
    assert_status(
        app.login("leaver", "quiet-river-73").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(count(), n + 1, "an inactive account is checked too");
}
db_test!(unknown_and_inactive_accounts_cost_a_verification_too);

async fn guessing_the_current_password_is_throttled(app: TestApp) {
    app.login_as_admin().await;
    let change = |current: &'static str| {
        let app = &app;
        async move {
            app.call(
                "/api/password",
                &[
                    ("current_password", current),
                    ("new_password", "quiet-river-73"),
                    ("confirm_password", "quiet-river-73"),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_invalid(change("guess").await, "current_password", "wrong_password").await;
    }
    assert_status(change(ADMIN_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS).await;
}
db_test!(guessing_the_current_password_is_throttled);

async fn weak_passwords_are_refused_everywhere(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await.to_string();
    let create = |username: &str, password: &str| {
        vec![
            ("request_id", rid()),
            ("name", "王芳".to_owned()),
            ("username", username.to_owned()),
            ("phone", String::new()),
            ("role", "cadre".to_owned()),
            ("org_id", root.clone()),
            ("post", "full_time".to_owned()),
            ("password", password.to_owned()),
        ]
    };
    for (pw, code) in [
        ("12345678", "password_common"),
        ("password", "password_common"),
        ("aaaaaaaa", "password_common"),
        ("Password1", "password_common"),
        ("wangfang-2026", "password_personal"),
        ("short", "password_too_short"),
    ] {
        let res = app
            .call("/api/users/create", &pairs(&create("wangfang", pw)))
            .await;
        assert_invalid(res, "password", code).await;
    }
    let long = "ab12".repeat(33);
    let res = app
        .call("/api/users/create", &pairs(&create("wangfang", &long)))
        .await;
    assert_invalid(res, "password", "password_too_long").await;
    let ok_len = "ab12-cd34".repeat(7); // 63 characters: long passphrases are welcome
    let id = created(&app, "/api/users/create", &create("wangfang", &ok_len)).await;

    let res = app
        .call(
            "/api/users/reset-password",
            &[("id", &id.to_string()), ("new_password", "iloveyou")],
        )
        .await;
    assert_invalid(res, "new_password", "password_common").await;
    let res = app
        .call(
            "/api/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "qwerty123"),
                ("confirm_password", "qwerty123"),
            ],
        )
        .await;
    assert_invalid(res, "new_password", "password_common").await;
}
db_test!(weak_passwords_are_refused_everywhere);

async fn usernames_cannot_look_like_or_collide_with_phone_numbers(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let res = app
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid()),
                ("name", "冒名"),
                ("username", "13812345678"),
                ("phone", ""),
                ("role", "cadre"),
                ("org_id", &root.to_string()),
                ("post", "full_time"),
                ("password", "quiet-river-73"),
            ],
        )
        .await;
    assert_invalid(res, "username", "invalid_username").await;

    // An older account whose username is all digits: nobody may take it as a phone number.
    use sea_orm::{ActiveModelTrait, Set};
    account::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        name: Set("旧账号".into()),
        username: Set("13900001111".into()),
        phone: Set(None),
        email: Set(None),
        password_hash: Set("x".into()),
        role: Set("cadre".into()),
        org_id: Set(root),
        post: Set(Some("full_time".into())),
        active: Set(true),
        locale: Set("zh-CN".into()),
        joined_on: Set(None),
        left_on: Set(None),
        calendar_token: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let res = app
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid()),
                ("name", "新人"),
                ("username", "xinren"),
                ("phone", "13900001111"),
                ("role", "cadre"),
                ("org_id", &root.to_string()),
                ("post", "full_time"),
                ("password", "quiet-river-73"),
            ],
        )
        .await;
    assert_invalid(res, "phone", "phone_taken").await;
}
db_test!(usernames_cannot_look_like_or_collide_with_phone_numbers);

async fn failed_sign_ins_log_the_login_only_when_it_names_an_account(app: TestApp) {
    app.login("my-secret-pw-9", "x").await;
    app.login("admin", "wrong-password").await;
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("login"))
        .filter(audit_log::Column::Result.eq("failure"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| !r.details.contains("my-secret")));
    let admin = account_id(&app, "admin").await;
    assert!(rows
        .iter()
        .any(|r| r.details == "admin" && r.actor_id == Some(admin)));
    assert!(rows
        .iter()
        .any(|r| r.details.is_empty() && r.actor_id.is_none()));
}
db_test!(failed_sign_ins_log_the_login_only_when_it_names_an_account);

// ---- sessions --------------------------------------------------------------------------------

async fn unused_for(app: &TestApp, account: i64, idle: Duration) {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(Utc::now() - idle))
        .filter(session::Column::AccountId.eq(account))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn sessions_end_after_a_week_unused_and_admins_after_twelve_hours(app: TestApp) {
    let w = setup(app).await;
    let admin = account_id(&w.admin, "admin").await;
    unused_for(&w.admin, w.a.id, Duration::hours(13)).await;
    unused_for(&w.admin, admin, Duration::hours(13)).await;
    assert_status(w.a.app.call("/api/today", &[]).await, StatusCode::OK).await;
    assert_status(
        w.admin.call("/api/orgs/list", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    unused_for(&w.admin, w.a.id, Duration::days(8)).await;
    assert_status(
        w.a.app.call("/api/today", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
db_test!(sessions_end_after_a_week_unused_and_admins_after_twelve_hours);

async fn deactivating_an_organisation_suspends_its_accounts(app: TestApp) {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let school = app.create_org("河西小学团队", "school", root).await;
    app.create_account("teacher", "cadre", school, PASSWORD)
        .await;
    let teacher = app.session();
    assert_status(teacher.login("teacher", PASSWORD).await, StatusCode::OK).await;
    let set = |active: &'static str| {
        let app = &app;
        async move {
            ok(
                app,
                "/api/orgs/active",
                &[("id", &school.to_string()), ("active", active)],
            )
            .await
        }
    };
    set("false").await;
    assert_status(
        teacher.call("/api/today", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_status(
        app.session().login("teacher", PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    set("true").await;
    assert_status(
        app.session().login("teacher", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
}
db_test!(deactivating_an_organisation_suspends_its_accounts);

async fn behind_a_proxy_the_address_is_the_rightmost_entry(app: TestApp) {
    let login = |forwarded: String, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/login"))
                .header(header::ACCEPT, "application/json")
                .header("x-forwarded-for", forwarded)
                .form(&[("login", "admin"), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    // Twenty failures from one client that forges a new leftmost address each time (over
    // different accounts, so that only the address counter fills up).
    for i in 0..20 {
        let res = app
            .client
            .post(app.url("/api/login"))
            .header(header::ACCEPT, "application/json")
            .header("x-forwarded-for", format!("10.9.{i}.1, 203.0.113.7"))
            .form(&[("login", format!("guess{i}").as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{i}");
    }
    let res = login("6.6.6.6, 203.0.113.7".into(), ADMIN_PASSWORD).await;
    assert_status(res, StatusCode::TOO_MANY_REQUESTS).await;
    let res = login("203.0.113.7, 198.51.100.1".into(), ADMIN_PASSWORD).await;
    assert_status(res, StatusCode::OK).await;
}
db_test_with!(behind_a_proxy_the_address_is_the_rightmost_entry, |args| {
    args.trust_proxy = true
});

async fn admins_cannot_reset_themselves_or_their_peers(app: TestApp) {
    app.login_as_admin().await;
    let me = account_id(&app, "admin").await;
    let res = app
        .call(
            "/api/users/reset-password",
            &[("id", &me.to_string()), ("new_password", "quiet-river-73")],
        )
        .await;
    assert_invalid(res, "new_password", "self_reset").await;

    // Administrators' accounts are the security administrator's to make: a street's own
    // system administrator.
    let root = app.root_org().await;
    let street = app
        .create_org("河东街道团工委", "working_committee", root)
        .await;
    let sec = app.session();
    assert_status(sec.login("secadmin", ADMIN_PASSWORD).await, StatusCode::OK).await;
    let s1 = sec
        .create_account("street_admin1", "sysadmin", street, PASSWORD)
        .await;
    let s2 = sec
        .create_account("street_admin2", "sysadmin", street, PASSWORD)
        .await;
    let peer = app.session();
    assert_status(peer.login("street_admin1", PASSWORD).await, StatusCode::OK).await;
    let res = peer
        .call(
            "/api/users/reset-password",
            &[("id", &s2.to_string()), ("new_password", "quiet-river-73")],
        )
        .await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    let res = peer
        .call("/api/users/deactivate", &[("id", &s2.to_string())])
        .await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    // Nor rename the organisation that scopes them …
    let res = peer
        .call(
            "/api/orgs/rename",
            &[("id", &street.to_string()), ("name", "新名字")],
        )
        .await;
    assert_invalid(res, "id", "root_immovable").await;
    // … but what lies below, yes; and the security administrator may reset them, while the
    // district's system administrator may not.
    let below = peer.create_org("河东小学", "school", street).await;
    ok(
        &peer,
        "/api/orgs/rename",
        &[("id", &below.to_string()), ("name", "河东第一小学")],
    )
    .await;
    let res = app
        .call(
            "/api/users/reset-password",
            &[("id", &s1.to_string()), ("new_password", "quiet-river-73")],
        )
        .await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    ok(
        &sec,
        "/api/users/reset-password",
        &[("id", &s1.to_string()), ("new_password", "quiet-river-73")],
    )
    .await;
}
db_test!(admins_cannot_reset_themselves_or_their_peers);

// ---- bad input -------------------------------------------------------------------------------

async fn bad_request_message(res: reqwest::Response, status: StatusCode) -> String {
    let got = res.status();
    let body: Value = res.json().await.expect("a JSON error");
    assert_eq!(got, status, "{body}");
    let key = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "TooLarge"
    } else {
        "BadRequest"
    };
    body[key]["message"].as_str().expect("a message").to_owned()
}

async fn unreadable_requests_are_client_errors_in_the_users_language(app: TestApp) {
    app.login_as_admin().await;
    let post = |endpoint: &str, body: Vec<u8>| {
        app.client
            .post(app.url(endpoint))
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
    };
    let unreadable = "请求格式不正确，请刷新页面后重试";
    for (endpoint, body) in [
        ("/api/login", b"login=admin&login=other&password=x".to_vec()),
        ("/api/users/deactivate", b"id[]=1".to_vec()),
        ("/api/users/deactivate", b"id[0]=1&id[1]=2".to_vec()),
        ("/api/login", b"login=\xff\xfe&password=x".to_vec()),
    ] {
        let res = post(endpoint, body.clone()).send().await.unwrap();
        let message = bad_request_message(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(message, unreadable, "{endpoint} {body:?}");
    }
    // Percent-encoded bytes that are not UTF-8 decode to U+FFFD: an unknown login, a 422.
    let res = post("/api/login", b"login=%FF%FE&password=x".to_vec())
        .send()
        .await
        .unwrap();
    assert_invalid(res, "password", "bad_credentials").await;
    let big = format!("login=admin&password={}", "x".repeat(70 * 1024));
    let res = post("/api/login", big.into_bytes()).send().await.unwrap();
    let message = bad_request_message(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(message.contains("64 KB"), "{message}");

    // The same from a plain form: back to the page, with the message shown there.
    let res = app
        .submit(
            "/admin/users",
            "/api/users/deactivate",
            &[("id", "1"), ("id", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/admin/users?__flash="), "{location}");
}
db_test!(unreadable_requests_are_client_errors_in_the_users_language);

async fn far_off_periods_and_dates_are_refused_not_crashed(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a.app;
    let res = a.call("/api/visits/list", &[("quarter", "300000Q1")]).await;
    assert_status(res, StatusCode::OK).await;
    let form = with(
        visit_form(w.a.org, today()),
        &[("visit_date", "300000-01-01")],
    );
    let res = a.call("/api/visits/create", &pairs(&form)).await;
    assert_invalid(res, "visit_date", "invalid_date").await;
    // A date chrono reads but the app does not take: before 2000.
    let form = with(
        visit_form(w.a.org, today()),
        &[("visit_date", "1999-12-31")],
    );
    let res = a.call("/api/visits/create", &pairs(&form)).await;
    assert_invalid(res, "visit_date", "invalid_date").await;
    let form = with(study_form(today(), "1"), &[("study_date", "+262142-01-01")]);
    let res = a.call("/api/study/create", &pairs(&form)).await;
    assert_invalid(res, "study_date", "invalid_date").await;
}
db_test!(far_off_periods_and_dates_are_refused_not_crashed);

async fn control_characters_are_refused_on_both_databases(app: TestApp) {
    let res = app.login("adm\u{0}in", "x").await;
    assert_invalid(res, "login", "invalid_characters").await;
    let w = setup(app).await;
    let a = &w.a.app;
    let form = with(youth_form("张三"), &[("notes", "a\u{0}b")]);
    let res = a.call("/api/youth/create", &pairs(&form)).await;
    assert_invalid(res, "notes", "invalid_characters").await;
    let form = with(
        contact_form(w.a.youths[0]),
        &[("content", "bell\u{7}"), ("request", "nul\u{0}")],
    );
    let err = invalid(a.call("/api/contacts/create", &pairs(&form)).await).await;
    assert_codes(
        &err,
        &[
            ("content", "invalid_characters"),
            ("request", "invalid_characters"),
        ],
    );
    // Line breaks and tabs are text.
    let form = with(
        contact_form(w.a.youths[0]),
        &[("content", "第一行\r\n第二行\t完")],
    );
    created(a, "/api/contacts/create", &form).await;
}
db_test!(control_characters_are_refused_on_both_databases);

/// Sends every form at once; returns each answer's status and body.
async fn each_at_once(app: &TestApp, endpoint: &str, forms: Vec<Form>) -> Vec<(StatusCode, Value)> {
    let sends: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let (client, url) = (app.client.clone(), app.url(endpoint));
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                (
                    res.status(),
                    res.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for s in sends {
        out.push(s.await.unwrap());
    }
    out
}

/// Exactly one answer is 200, every other a 422 with `code` on `field`.
fn one_wins(answers: &[(StatusCode, Value)], field: &str, code: &str) {
    let wins = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(wins, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(field_error(body, field).unwrap()["code"], code, "{body}");
    }
}

async fn parallel_creates_keep_every_only_one_rule(app: TestApp) {
    let w = setup(app).await;
    let date = days_ago(1);
    let forms = (0..10).map(|_| visit_form(w.a.org, date)).collect();
    let answers = each_at_once(&w.a.app, "/api/visits/create", forms).await;
    one_wins(&answers, "visit_date", "visit_exists");
    assert_eq!(w.admin.count("visit_days").await, 1);

    let pairings = w.admin.count("pairings").await;
    let forms = (0..8)
        .map(|_| {
            vec![
                ("request_id", rid()),
                ("cadre_id", w.a.id.to_string()),
                ("org_id", w.b.org.to_string()),
            ]
        })
        .collect();
    let answers = each_at_once(&w.admin, "/api/users/pair", forms).await;
    one_wins(&answers, "org_id", "already_paired");
    assert_eq!(w.admin.count("pairings").await, pairings + 1);

    let forms = (0..8)
        .map(|_| {
            vec![
                ("request_id", rid()),
                ("name", "同名".to_owned()),
                ("username", "same_name".to_owned()),
                ("phone", String::new()),
                ("role", "cadre".to_owned()),
                ("org_id", w.street.to_string()),
                ("post", "full_time".to_owned()),
                ("password", "quiet-river-73".to_owned()),
            ]
        })
        .collect();
    let answers = each_at_once(&w.admin, "/api/users/create", forms).await;
    one_wins(&answers, "username", "username_taken");
}
db_test!(parallel_creates_keep_every_only_one_rule);

async fn request_ids_must_be_real_and_mean_one_payload(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a.app;
    let form = with(
        study_form(today(), "1"),
        &[("request_id", "00000000-0000-0000-0000-000000000000")],
    );
    let res = a.call("/api/study/create", &pairs(&form)).await;
    assert_invalid(res, "request_id", "invalid_request_id").await;

    let form = study_form(today(), "1");
    let first = created(a, "/api/study/create", &form).await;
    assert_eq!(created(a, "/api/study/create", &form).await, first);
    let changed = with(form.clone(), &[("topic", "另一个主题")]);
    let res = a.call("/api/study/create", &pairs(&changed)).await;
    assert_invalid(res, "request_id", "request_reused").await;
    // Another cadre sending the very same request gets no record of someone else's.
    let res = w.b.app.call("/api/study/create", &pairs(&form)).await;
    assert_invalid(res, "request_id", "request_reused").await;
    assert_eq!(w.admin.count("study_records").await, 1);
}
db_test!(request_ids_must_be_real_and_mean_one_payload);
