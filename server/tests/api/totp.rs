//! The second factor (TOTP, RFC 6238): setting it up, signing in with a code or a recovery
//! code, the replay of a code refused within its window, the policy that requires one, and the
//! security administrator's reset. Codes are computed from the secret the app hands out, as an
//! authenticator app on a phone computes them.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{audit_log, session, totp_factor};
use reqwest::{header, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

/// The events on an account, oldest first: (event, result, details).
async fn events(app: &TestApp, account: i64) -> Vec<(String, String, String)> {
    audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.eq(account))
        .order_by_asc(audit_log::Column::Seq)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.result, r.details))
        .collect()
}

/// Sets up a factor for the signed-in `who` through the API; returns the recovery codes.
async fn enrol(who: &TestApp, account: i64) -> Vec<String> {
    ok(who, "/api/totp/begin", &[]).await;
    let code = totp_code(&who.db, account, 0).await;
    let done = ok(who, "/api/totp/confirm", &[("code", &code)]).await;
    done["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

/// A right password for `login`: the answer sends to `/login/totp`.
async fn password_step(app: &TestApp, login: &str) -> TestApp {
    let s = app.session();
    let res = s.login(login, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::LOCATION], "/login/totp");
    s
}

async fn a_second_factor_is_set_up_and_asked_for_at_sign_in(app: TestApp) {
    let w = setup(app).await;
    let cadre = &w.a.app;
    early_in_a_step(12).await;
    let begun = ok(cadre, "/api/totp/begin", &[]).await;
    let secret = begun["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32, "160 bits in Base32: {begun}");
    assert_eq!(
        begun["otpauth_url"],
        format!(
            "otpauth://totp/Liaison:cadre_a?secret={secret}&issuer=Liaison&algorithm=SHA1&digits=6&period=30"
        )
    );
    let svg = begun["svg"].as_str().unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<path"), "{svg}");
    // Not yet on: signing in still takes the password alone.
    let s = w.admin.session();
    assert_eq!(
        s.login("cadre_a", PASSWORD).await.headers()[header::LOCATION],
        "/"
    );

    // A wrong code, or two steps old, does not turn it on.
    let err = invalid(cadre.call("/api/totp/confirm", &[("code", "000000")]).await).await;
    assert_eq!(
        field_error(&err, "code").unwrap()["code"],
        "bad_code",
        "{err}"
    );
    let old = totp_for(&secret, -2);
    invalid(cadre.call("/api/totp/confirm", &[("code", &old)]).await).await;
    let now_code = totp_for(&secret, 0);
    let done = ok(cadre, "/api/totp/confirm", &[("code", &now_code)]).await;
    let codes: Vec<String> = done["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    // Given to the API caller only: nothing of them is kept but their hashes.
    let factor = totp_factor::Entity::find_by_id(w.a.id)
        .one(&cadre.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(factor.reveal, None);
    let status = ok(cadre, "/api/totp/status", &[]).await;
    assert_eq!(
        (
            &status["enrolled"],
            &status["recovery_left"],
            &status["reveal"]
        ),
        (&Value::from(true), &Value::from(10), &serde_json::json!([])),
        "{status}"
    );
    // Once on, it can only be reset, not begun again over it.
    assert_status(
        cadre.call("/api/totp/begin", &[]).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // The password alone now opens a pending session, which signs nobody in.
    let s = password_step(&w.admin, "cadre_a").await;
    assert_status(s.call("/api/today", &[]).await, StatusCode::UNAUTHORIZED).await;
    let res = s.get("/").await;
    assert_eq!(res.headers()[header::LOCATION], "/login");
    assert!(s.page("/login/totp").await.contains("one-time-code"));
    // The code just used to confirm is refused: within its window it is good once.
    let err = invalid(s.call("/api/login/totp", &[("code", &now_code)]).await).await;
    assert_eq!(field_error(&err, "code").unwrap()["code"], "bad_code");
    // Two steps away either side is outside the window.
    for steps in [-2, 2] {
        let code = totp_for(&secret, steps);
        invalid(s.call("/api/login/totp", &[("code", &code)]).await).await;
    }
    // The next step's code (a phone a little ahead) signs in, with a fresh session id.
    let pending_cookie_sessions = session::Entity::find()
        .filter(session::Column::AccountId.eq(w.a.id))
        .filter(session::Column::FactorPending.eq(true))
        .count(&s.db)
        .await
        .unwrap();
    assert_eq!(pending_cookie_sessions, 1);
    let next = totp_for(&secret, 1);
    let res = s.call("/api/login/totp", &[("code", &next)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::LOCATION], "/");
    ok(&s, "/api/today", &[]).await;
    assert_eq!(
        session::Entity::find()
            .filter(session::Column::AccountId.eq(w.a.id))
            .filter(session::Column::FactorPending.eq(true))
            .count(&s.db)
            .await
            .unwrap(),
        0,
        "the pending session ended"
    );
    // And it cannot be replayed by someone who saw it, in its window.
    let thief = password_step(&w.admin, "cadre_a").await;
    invalid(thief.call("/api/login/totp", &[("code", &next)]).await).await;

    // A recovery code stands in for the code once, however it is typed.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let res = thief
        .call("/api/login/totp", &[("recovery_code", &typed)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let again = password_step(&w.admin, "cadre_a").await;
    let err = invalid(
        again
            .call("/api/login/totp", &[("recovery_code", &codes[3])])
            .await,
    )
    .await;
    assert!(field_error(&err, "recovery_code").is_some(), "{err}");
    assert_eq!(ok(&s, "/api/totp/status", &[]).await["recovery_left"], 9);

    let ev = events(&w.admin, w.a.id).await;
    let has =
        |e: &str, r: &str, d: &str| ev.iter().any(|(a, b, c)| a == e && b == r && c.contains(d));
    assert!(has("totp_enrol", "success", ""), "{ev:?}");
    assert!(has("totp_failed", "failure", "cadre_a (totp)"), "{ev:?}");
    assert!(has("totp_failed", "failure", "(recovery_code)"), "{ev:?}");
    assert!(has("login", "success", "totp"), "{ev:?}");
    assert!(has("login", "success", "recovery code (9 left)"), "{ev:?}");
}
db_test!(a_second_factor_is_set_up_and_asked_for_at_sign_in);

async fn wrong_codes_lock_like_wrong_passwords(app: TestApp) {
    let w = setup(app).await;
    enrol(&w.a.app, w.a.id).await;
    let s = password_step(&w.admin, "cadre_a").await;
    // Without a pending session there is nothing to finish.
    assert_status(
        w.admin
            .session()
            .call("/api/login/totp", &[("code", "123456")])
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let err = invalid(s.call("/api/login/totp", &[]).await).await;
    assert_eq!(field_error(&err, "code").unwrap()["code"], "required");
    for _ in 0..5 {
        invalid(s.call("/api/login/totp", &[("code", "000000")]).await).await;
    }
    let code = totp_code(&w.admin.db, w.a.id, 1).await;
    let res = s.call("/api/login/totp", &[("code", &code)]).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "locked, even for the right code"
    );
    let ev = events(&w.admin, w.a.id).await;
    assert!(
        ev.iter()
            .any(|(a, _, d)| a == "lockout" && d.contains("wrong codes")),
        "{ev:?}"
    );
}
db_test!(wrong_codes_lock_like_wrong_passwords);

async fn the_policy_can_require_a_second_factor(app: TestApp) {
    let w = setup(app).await;
    let sec = w.admin.session();
    assert_status(sec.login("secadmin", ADMIN_PASSWORD).await, StatusCode::OK).await;
    let policy = [
        ("min_length", "8"),
        ("char_classes", "2"),
        ("expiry_days", "90"),
        ("history", "5"),
        ("lockout_attempts", "5"),
        ("lockout_minutes", "15"),
        ("idle_minutes_admin", "720"),
        ("idle_minutes_supervisor", "10080"),
        ("idle_minutes_cadre", "10080"),
        ("totp_everyone", "true"),
    ];
    // Not before the security administrator has a factor: the policy would shut them out.
    let err = invalid(sec.call("/api/security/update", &policy).await).await;
    assert_eq!(
        field_error(&err, "totp_everyone").unwrap()["code"],
        "totp_self_first",
        "{err}"
    );
    let secadmin = crate::security::account_id(&w.admin, "secadmin").await;
    enrol(&sec, secadmin).await;
    ok(&sec, "/api/security/update", &policy).await;
    // The cadre's open session: every page sends to the set-up, every other call is refused.
    let cadre = &w.b.app;
    let res = cadre.get("/").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/settings?factor=required#totp"
    );
    assert_status(cadre.call("/api/today", &[]).await, StatusCode::FORBIDDEN).await;
    let page = cadre.page("/settings").await;
    assert!(page.contains("data-testid=\"totp-required\""), "{page}");
    // Set up the way a browser without JavaScript does: the plain form lands on /settings,
    // which shows the recovery codes once.
    let res = cadre.submit("/settings", "/api/totp/begin", &[]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let page = cadre.page("/settings?factor=begin").await;
    assert!(
        page.contains("data-testid=\"totp-qr\"") && page.contains("<svg"),
        "{page}"
    );
    let code = totp_code(&cadre.db, w.b.id, 0).await;
    let res = cadre
        .submit("/settings", "/api/totp/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/settings?factor=on#totp");
    let page = cadre.page("/settings?factor=on").await;
    assert!(
        page.contains("data-testid=\"recovery-codes\""),
        "shown once"
    );
    assert_eq!(page.matches("<li><code>").count(), 10, "{page}");
    let page = cadre.page("/settings?factor=on").await;
    assert!(
        !page.contains("data-testid=\"recovery-codes\""),
        "and only once"
    );
    assert!(page.contains("data-testid=\"totp-on\""));
    // Everything is open again.
    ok(cadre, "/api/today", &[]).await;
    assert_eq!(cadre.get("/").await.status(), StatusCode::OK);
    // Administrators are asked too (the policy says everyone); the auditor has no factor yet.
    let auditor = w.admin.session();
    assert_status(
        auditor.login("auditor", ADMIN_PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    assert_status(
        auditor.call("/api/audit/list", &[]).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    ok(&auditor, "/api/totp/status", &[]).await;
}
db_test!(the_policy_can_require_a_second_factor);

async fn the_security_administrator_resets_a_lost_factor(app: TestApp) {
    let w = setup(app).await;
    enrol(&w.a.app, w.a.id).await;
    let sec = w.admin.session();
    assert_status(sec.login("secadmin", ADMIN_PASSWORD).await, StatusCode::OK).await;
    let listed = ok(&sec, "/api/users/list", &[("q", "cadre_a")]).await;
    assert_eq!(listed["accounts"][0]["factor"], true, "{listed}");
    let id = w.a.id.to_string();
    // Not the system administrator's work, and not one's own.
    assert_status(
        w.admin
            .call("/api/totp/reset", &[("account_id", &id)])
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let own = crate::security::account_id(&w.admin, "secadmin")
        .await
        .to_string();
    assert_status(
        sec.call("/api/totp/reset", &[("account_id", &own)]).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    ok(&sec, "/api/totp/reset", &[("account_id", &id)]).await;
    // Its sessions ended; the password alone signs in again.
    assert_status(
        w.a.app.call("/api/today", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let s = w.admin.session();
    assert_eq!(
        s.login("cadre_a", PASSWORD).await.headers()[header::LOCATION],
        "/"
    );
    assert_eq!(ok(&s, "/api/totp/status", &[]).await["enrolled"], false);
    let ev = events(&w.admin, w.a.id).await;
    assert!(
        ev.iter()
            .any(|(a, r, d)| a == "totp_reset" && r == "success" && d == "cadre_a"),
        "{ev:?}"
    );
}
db_test!(the_security_administrator_resets_a_lost_factor);
