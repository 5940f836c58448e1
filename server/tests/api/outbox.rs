//! The outbox's server half: a batch of records that waited on a phone, replayed in order
//! through the app, each stored once however often it is sent, refused ones answered with their
//! field messages, and never under another account.

use crate::cadre::*;
use crate::helpers::*;
use crate::{db_test, db_test_with};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

/// The body `outbox.js` sends: each record's form, urlencoded, under its request id.
pub fn batch(records: &[(&str, &Form)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(action, form)| {
            let body = form
                .iter()
                .map(|(k, v)| format!("{k}={}", url_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let id = form
                .iter()
                .find(|(k, _)| *k == "request_id")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            json!({ "id": id, "action": action, "body": body })
        })
        .collect();
    json!({ "records": records })
}

fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends a replay from the browser signed in as `session`, for the records of `account`.
pub async fn replay(session: &TestApp, account: i64, body: &Value) -> (StatusCode, Value) {
    let res = session
        .client
        .post(session.url("/api/outbox/replay"))
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, session.url(""))
        .header("x-liaison-account", account.to_string())
        .json(body)
        .send()
        .await
        .expect("replay");
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text })),
    )
}

fn statuses(answer: &Value) -> Vec<i64> {
    answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect()
}

async fn a_batch_is_stored_once_in_order_even_sent_twice(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let contacts: Vec<Form> = a.youths.iter().map(|y| contact_form(*y)).collect();
    let visit = visit_form(a.org, days_ago(1));
    let body = batch(&[
        ("/api/contacts/create", &contacts[0]),
        ("/api/contacts/create", &contacts[1]),
        ("/api/visits/create", &visit),
    ]);
    let audited = w.admin.count("audit_log").await;
    let (status, first) = replay(&a.app, a.id, &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(statuses(&first), vec![200, 200, 200], "{first}");
    // The answer was lost on the way: the phone sends the same batch again.
    let (_, again) = replay(&a.app, a.id, &body).await;
    assert_eq!(statuses(&again), vec![200, 200, 200], "{again}");
    assert_eq!(
        w.admin.count("contacts").await,
        2,
        "each contact stored once"
    );
    assert_eq!(
        w.admin.count("visit_days").await,
        1,
        "the visit stored once"
    );
    // A record replayed is audited like a form sent online, once.
    assert_eq!(w.admin.count("audit_log").await, audited + 3);
}
db_test!(a_batch_is_stored_once_in_order_even_sent_twice);

async fn a_refused_record_carries_its_field_messages_and_the_rest_go_on(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let tomorrow = with(
        contact_form(a.youths[0]),
        &[("contact_date", &day(days_ago(-1)))],
    );
    let good = contact_form(a.youths[1]);
    let (_, answer) = replay(
        &a.app,
        a.id,
        &batch(&[
            ("/api/contacts/create", &tomorrow),
            ("/api/contacts/create", &good),
        ]),
    )
    .await;
    assert_eq!(statuses(&answer), vec![422, 200], "{answer}");
    let err = &answer["results"][0]["error"];
    assert!(
        field_error(err, "contact_date").is_some(),
        "the field's message comes back: {err}"
    );
    assert_eq!(w.admin.count("contacts").await, 1);
    // Fixed on the phone and sent again with the same request id: stored.
    let fixed = with(tomorrow.clone(), &[("contact_date", &day(today()))]);
    let (_, answer) = replay(&a.app, a.id, &batch(&[("/api/contacts/create", &fixed)])).await;
    assert_eq!(statuses(&answer), vec![200], "{answer}");
    assert_eq!(w.admin.count("contacts").await, 2);
}
db_test!(a_refused_record_carries_its_field_messages_and_the_rest_go_on);

async fn a_record_never_goes_in_under_another_account(app: TestApp) {
    let w = setup(app).await;
    let (a, b) = (&w.a, &w.b);
    // cadre_b is signed in on the phone; the records are cadre_a's.
    let body = batch(&[
        ("/api/contacts/create", &contact_form(a.youths[0])),
        ("/api/contacts/create", &contact_form(a.youths[1])),
    ]);
    let (_, answer) = replay(&b.app, a.id, &body).await;
    assert_eq!(
        statuses(&answer),
        vec![401, 0],
        "refused as signed out; the rest not tried: {answer}"
    );
    assert_eq!(w.admin.count("contacts").await, 0);
    // Signed out altogether: the same.
    let (_, answer) = replay(&a.app.session(), a.id, &body).await;
    assert_eq!(statuses(&answer)[0], 401, "{answer}");
    assert_eq!(w.admin.count("contacts").await, 0);
    // The account's own session takes them.
    let (_, answer) = replay(&a.app, a.id, &body).await;
    assert_eq!(statuses(&answer), vec![200, 200], "{answer}");
}
db_test!(a_record_never_goes_in_under_another_account);

async fn only_the_queued_forms_are_replayed(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let form: Form = vec![("request_id", rid()), ("name", "x".to_owned())];
    let (_, answer) = replay(
        &a.app,
        a.id,
        &batch(&[("/api/users/create", &form), ("/api/logout", &form)]),
    )
    .await;
    assert_eq!(statuses(&answer), vec![404, 404], "{answer}");
    // More than a batch holds, or not JSON: refused whole, a clear status, nothing stored.
    let many: Vec<Form> = (0..26).map(|_| contact_form(a.youths[0])).collect();
    let refs: Vec<(&str, &Form)> = many.iter().map(|f| ("/api/contacts/create", f)).collect();
    let (status, _) = replay(&a.app, a.id, &batch(&refs)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let res = a
        .app
        .client
        .post(a.app.url("/api/outbox/replay"))
        .header(header::ORIGIN, a.app.url(""))
        .body("records=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // From another site: refused before anything runs.
    let res = a
        .app
        .client
        .post(a.app.url("/api/outbox/replay"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&batch(&[(
            "/api/contacts/create",
            &contact_form(a.youths[0]),
        )]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(w.admin.count("contacts").await, 0);
}
db_test!(only_the_queued_forms_are_replayed);

async fn the_worker_and_the_manifest_are_served_from_the_root(app: TestApp) {
    let res = app.get("/sw.js").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let sw = res.text().await.unwrap();
    assert!(
        !sw.contains("__BUILD__") && !sw.contains("__PRECACHE__"),
        "filled in"
    );
    assert!(sw.contains("\"/api/contacts/create\""), "the queued forms");
    // Pages and the worker name the outbox script by its content: cached for a year.
    let login = app.page("/login").await;
    let href = login
        .split("src=\"")
        .find_map(|rest| {
            rest.split('"')
                .next()
                .filter(|h| h.starts_with("/outbox.js?v="))
        })
        .expect("the page loads the outbox script by its versioned address")
        .to_owned();
    assert!(sw.contains(&format!("importScripts(\"{href}\")")), "{sw}");
    let res = app.get(&href).await;
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let res = app.get("/manifest.webmanifest").await;
    assert_eq!(res.status(), StatusCode::OK);
    let manifest: Value = res.json().await.unwrap();
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["short_name"], "联系青年");
    for icon in manifest["icons"].as_array().unwrap() {
        let res = app.get(icon["src"].as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK, "{icon}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    }
    // Compressed once at start-up; a revalidation of the unchanged script is a 304.
    let res = app
        .client
        .get(app.url("/outbox.js"))
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    let etag = res.headers()[header::ETAG].clone();
    let res = app
        .client
        .get(app.url("/outbox.js"))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let plain = app.get("/outbox.js").await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().contains("liaisonOutboxStore"));
    assert_eq!(
        app.get("/icons/apple-touch-icon.png").await.status(),
        StatusCode::OK
    );
}
db_test_with!(
    the_worker_and_the_manifest_are_served_from_the_root,
    |args| {
        // The site root as cargo-leptos makes it: `public/` copied in.
        args.site_root =
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../public"));
    }
);
