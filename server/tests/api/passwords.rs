//! The security policy (安全策略) and where it applies: new passwords (length, character
//! classes, history), expiry with a prompt at sign-in, lockout, idle timeouts per role.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{account, audit_log, session};
use chrono::{Duration, Utc};
use reqwest::{header, StatusCode};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

const DEFAULTS: [(&str, &str); 9] = [
    ("min_length", "8"),
    ("char_classes", "2"),
    ("expiry_days", "90"),
    ("history", "5"),
    ("lockout_attempts", "5"),
    ("lockout_minutes", "15"),
    ("idle_minutes_admin", "720"),
    ("idle_minutes_supervisor", "10080"),
    ("idle_minutes_cadre", "10080"),
];

async fn secadmin(app: &TestApp) -> TestApp {
    let s = app.session();
    assert_status(s.login("secadmin", ADMIN_PASSWORD).await, StatusCode::OK).await;
    s
}

/// The policy with `changes` over the defaults.
async fn set_policy(sec: &TestApp, changes: &[(&str, &str)]) {
    let mut form: Vec<(&str, &str)> = DEFAULTS
        .iter()
        .map(|(k, v)| {
            (
                *k,
                changes.iter().find(|(c, _)| c == k).map_or(*v, |(_, v)| *v),
            )
        })
        .collect();
    form.extend(changes.iter().filter(|(k, _)| k.starts_with("totp_")));
    ok(sec, "/api/security/update", &form).await;
}

async fn change_password(app: &TestApp, current: &str, new: &str) -> reqwest::Response {
    app.call(
        "/api/password",
        &[
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", new),
        ],
    )
    .await
}

async fn the_security_policy_is_the_security_administrators(app: TestApp) {
    let w = setup(app).await;
    let sec = secadmin(&w.admin).await;
    let p = ok(&sec, "/api/security/get", &[]).await;
    assert_eq!(
        (
            &p["min_length"],
            &p["expiry_days"],
            &p["lockout_attempts"],
            &p["totp_admins"]
        ),
        (
            &Value::from(8),
            &Value::from(90),
            &Value::from(5),
            &Value::from(false)
        ),
        "defaults that meet level 2: {p}"
    );
    // Out of range, or missing: the field says so, nothing changes.
    let mut bad: Vec<(&str, &str)> = DEFAULTS.to_vec();
    bad[0].1 = "4";
    bad[1].1 = "5";
    bad.retain(|(k, _)| *k != "history");
    let err = invalid(sec.call("/api/security/update", &bad).await).await;
    assert_codes(
        &err,
        &[
            ("min_length", "invalid_number"),
            ("char_classes", "invalid_number"),
            ("history", "required"),
        ],
    );
    set_policy(
        &sec,
        &[
            ("min_length", "10"),
            ("char_classes", "3"),
            // (Supervisors: an administrator without a factor would be sent to set one up.)
            ("totp_supervisors", "true"),
        ],
    )
    .await;
    let p = ok(&sec, "/api/security/get", &[]).await;
    assert_eq!(
        (&p["min_length"], &p["totp_supervisors"]),
        (&Value::from(10), &Value::from(true))
    );
    assert!(
        p["updated_by"].is_string() && p["updated_at"].is_string(),
        "{p}"
    );
    let row = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("security_policy"))
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.details.contains("min_length: 8 → 10"),
        "{}",
        row.details
    );
    assert!(
        row.details.contains("totp_supervisors: false → true"),
        "{}",
        row.details
    );
    assert_eq!(row.role, "secadmin");

    // New passwords follow it, whoever sets them.
    let res = change_password(&w.a.app, PASSWORD, "short-pw1").await;
    assert_invalid(res, "new_password", "password_too_short").await;
    let res = change_password(&w.a.app, PASSWORD, "quietriverlake").await;
    let err = assert_invalid(res, "new_password", "password_classes").await;
    assert!(err.to_string().contains("3"), "{err}");
    assert_status(
        change_password(&w.a.app, PASSWORD, "Quiet-river-73").await,
        StatusCode::OK,
    )
    .await;
    let res = w
        .admin
        .call(
            "/api/users/reset-password",
            &[
                ("id", &w.b.id.to_string()),
                ("new_password", "quietriver7373"),
            ],
        )
        .await;
    assert_invalid(res, "new_password", "password_classes").await;
    // The page shows every setting to the security administrator, and to nobody else.
    let page = sec.page("/admin/security").await;
    assert!(page.contains("name=\"lockout_minutes\"") && page.contains("checked"));
    assert_eq!(
        w.admin.get("/admin/security").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_status(
        w.admin.call("/api/security/get", &[]).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
db_test!(the_security_policy_is_the_security_administrators);

async fn earlier_passwords_cannot_come_back(app: TestApp) {
    let w = setup(app).await;
    let sec = secadmin(&w.admin).await;
    set_policy(&sec, &[("history", "3")]).await;
    let a = &w.a.app;
    let mut current = PASSWORD.to_owned();
    for next in ["quiet-river-74", "quiet-river-75"] {
        assert_status(change_password(a, &current, next).await, StatusCode::OK).await;
        a.login("cadre_a", next).await;
        current = next.to_owned();
    }
    // The current one and the two before it are the last three.
    for old in ["quiet-river-75", "quiet-river-74", PASSWORD] {
        let res = change_password(a, &current, old).await;
        assert_invalid(res, "new_password", "password_reused").await;
    }
    assert_status(
        change_password(a, &current, "quiet-river-76").await,
        StatusCode::OK,
    )
    .await;
    a.login("cadre_a", "quiet-river-76").await;
    // Now the first one has dropped out of the last three.
    assert_status(
        change_password(a, "quiet-river-76", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    // An administrator's reset is held to it too.
    let res = w
        .admin
        .call(
            "/api/users/reset-password",
            &[
                ("id", &w.a.id.to_string()),
                ("new_password", "quiet-river-76"),
            ],
        )
        .await;
    assert_invalid(res, "new_password", "password_reused").await;
}
db_test!(earlier_passwords_cannot_come_back);

async fn an_expired_password_is_asked_for_at_sign_in(app: TestApp) {
    let w = setup(app).await;
    let sec = secadmin(&w.admin).await;
    set_policy(&sec, &[("expiry_days", "30")]).await;
    account::Entity::update_many()
        .col_expr(
            account::Column::PasswordChangedAt,
            Expr::value(Utc::now() - Duration::days(31)),
        )
        .filter(account::Column::Id.eq(w.a.id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    let s = w.admin.session();
    let res = s
        .submit(
            "/login",
            "/api/login",
            &[("login", "cadre_a"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/settings?expired=1#password"
    );
    // Every page asks, until it is changed.
    for page in ["/", "/settings"] {
        assert!(
            s.page(page)
                .await
                .contains("data-testid=\"password-expired\""),
            "{page}"
        );
    }
    assert_status(
        change_password(&s, PASSWORD, "quiet-river-74").await,
        StatusCode::OK,
    )
    .await;
    assert!(!s.page("/").await.contains("password-expired"));
    // 0 turns expiry off.
    set_policy(&sec, &[("expiry_days", "0")]).await;
    account::Entity::update_many()
        .col_expr(
            account::Column::PasswordChangedAt,
            Expr::value(Utc::now() - Duration::days(3000)),
        )
        .filter(account::Column::Id.eq(w.b.id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    assert!(!w.b.app.page("/").await.contains("password-expired"));
}
db_test!(an_expired_password_is_asked_for_at_sign_in);

async fn lockout_and_idle_timeouts_follow_the_policy(app: TestApp) {
    let w = setup(app).await;
    let sec = secadmin(&w.admin).await;
    set_policy(
        &sec,
        &[
            ("lockout_attempts", "3"),
            ("lockout_minutes", "2"),
            ("idle_minutes_cadre", "30"),
        ],
    )
    .await;
    let s = w.admin.session();
    for _ in 0..3 {
        assert_status(
            s.login("cadre_b", "wrong-password").await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let res = s.login("cadre_b", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let secs = error_of(res).await["TooManyAttempts"]["retry_after_secs"]
        .as_u64()
        .unwrap();
    assert!(
        (100..=120).contains(&secs),
        "locked for the policy's 2 minutes: {secs}"
    );
    let events: Vec<(String, String)> = audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.eq(w.b.id))
        .all(&w.admin.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.result))
        .collect();
    assert!(
        events.contains(&("lockout".into(), "success".into())),
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|(a, r)| a == "login" && r == "failure")
            .count(),
        4,
        "three wrong passwords and one refused while locked: {events:?}"
    );

    // A cadre's session unused for 31 minutes ends; an administrator's (12 hours) does not.
    for id in [w.a.id, crate::security::account_id(&w.admin, "admin").await] {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                Expr::value(Utc::now() - Duration::minutes(31)),
            )
            .filter(session::Column::AccountId.eq(id))
            .exec(&w.admin.db)
            .await
            .unwrap();
    }
    assert_status(
        w.a.app.call("/api/today", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_status(w.admin.call("/api/orgs/list", &[]).await, StatusCode::OK).await;
}
db_test!(lockout_and_idle_timeouts_follow_the_policy);
