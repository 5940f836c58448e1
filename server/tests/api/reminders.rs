//! Reminders: made from the compliance engine when they fall due, once per user, kind and
//! period; in the inbox; mailed at most once a morning through a real SMTP server on a local
//! port; retried and failed visibly; the supervisor's remind; the calendar feed, read by a real
//! iCalendar parser; and two server processes ticking against one PostgreSQL.

use crate::cadre::*;
use crate::helpers::*;
use crate::smtp::{Mode, SmtpSink};
use crate::{db_test, smtp_test};
use app::model::entities::{calendar_day, delivery, notification};
use app::reminders::rules::instant;
use app::reminders::scheduler::{tick, TickReport};
use app::reminders::service::env_of;
use app::rules::{Quarter, Week};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

/// A Shanghai wall-clock time as an instant.
fn sh(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    instant(date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap()))
}

/// Every week a normal working week, whatever holidays the official calendar has around the
/// day the tests run.
async fn normal_weeks(app: &TestApp) {
    calendar_day::Entity::delete_many()
        .exec(&app.db)
        .await
        .unwrap();
}

/// Sets the address and confirms it by the link mailed to it, as its owner would; the sink
/// then forgets the confirmation, so tests count reminders only.
async fn set_email(app: &TestApp, sink: &SmtpSink, email: &str) {
    ok(
        app,
        "/api/settings/notifications",
        &[("email", email), ("notify_email", "true")],
    )
    .await;
    let to = redirected(app, &confirmation_link(sink, email)).await;
    assert!(to.contains("email=confirmed"), "{to}");
    sink.forget();
}

/// Where following `path` sends the browser.
async fn redirected(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).send().await.unwrap();
    res.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The path of the confirmation link in the last mail to `email`.
fn confirmation_link(sink: &SmtpSink, email: &str) -> String {
    let mail = sink.to(email).pop().expect("a confirmation mail");
    let text = mail.text();
    let at = text.find("/settings/email/confirm?token=").expect("a link");
    text[at..].split_whitespace().next().unwrap().to_owned()
}

/// How many reminders a cadre who has done nothing gets on `date`: the Thursday's visit day and
/// digest, and more when that day is also a quarter-end lead day or the 20th. From the same
/// schedule the app is given, so a test holds whatever day it runs on.
fn cadre_kinds_on(date: NaiveDate) -> usize {
    app::reminders::rules::due_on(date)
        .iter()
        .filter(|d| d.kind != app::types::ReminderKind::SupervisorDigest)
        .count()
}

/// The cadres took up their posts (and their pairings) long ago, so that a reminder at an
/// instant before today (a quarter's lead day, the 20th) judges people who were there then.
pub async fn posted_long_ago(app: &TestApp) {
    use app::model::entities::{account, pairing};
    use sea_orm::sea_query::Expr;
    pairing::Entity::update_many()
        .col_expr(
            pairing::Column::StartedOn,
            Expr::value(today() - Duration::days(200)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    account::Entity::update_many()
        .col_expr(
            account::Column::JoinedOn,
            Expr::value(today() - Duration::days(200)),
        )
        .col_expr(
            account::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(200)),
        )
        .filter(account::Column::Role.eq("cadre"))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn run(app: &TestApp, at: DateTime<Utc>) -> TickReport {
    tick(&app.db, &env_of(&app.state), at)
        .await
        .expect("the tick runs")
}

async fn inbox(app: &TestApp) -> Value {
    ok(app, "/api/inbox/list", &[]).await
}

fn kinds(inbox: &Value) -> Vec<String> {
    let mut k: Vec<String> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_owned())
        .collect();
    k.sort();
    k
}

fn item<'a>(inbox: &'a Value, kind: &str) -> &'a Value {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("a {kind} in {inbox}"))
}

async fn deliveries(app: &TestApp) -> Vec<delivery::Model> {
    delivery::Entity::find()
        .order_by_asc(delivery::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

const MAIL_A: &str = "cadre_a@example.org";

async fn a_thursday_brings_the_visit_day_and_the_digest_in_one_email_once(
    app: TestApp,
    sink: SmtpSink,
) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let (a, b) = (&w.a, &w.b);
    set_email(&a.app, &sink, MAIL_A).await;
    // 李娜 has waited 100 days: overdue. cadre_b logs this week's visit day before Thursday.
    assigned_days_ago(&w.admin, a.youths[1], 100).await;
    created(&b.app, "/api/visits/create", &visit_form(b.org, today())).await;
    let thursday = Week::of(today()).thursday();
    let at = sh(thursday, 9, 0);

    let r = run(&w.admin, at).await;
    let mine = inbox(&a.app).await;
    let k = kinds(&mine);
    assert!(
        k.contains(&"visit_day".to_owned()) && k.contains(&"contact_digest".to_owned()),
        "{k:?}"
    );
    assert_eq!(mine["unread"], k.len());
    let digest = item(&mine, "contact_digest");
    let lina = digest["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["text"].as_str().unwrap().starts_with("李娜"))
        .expect("李娜 in the digest");
    assert_eq!(lina["link"], format!("/youth/{}", a.youths[1]));
    // Judged on Thursday, not on the day the test runs: the days waited count to Thursday.
    let waited = 100 + (thursday - today()).num_days();
    assert!(
        lina["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{waited} 天")),
        "{lina}"
    );
    // The reminder follows state: cadre_b logged the week's visit day, so none for them.
    let theirs = inbox(&b.app).await;
    assert!(
        !kinds(&theirs).contains(&"visit_day".to_owned()),
        "{theirs}"
    );
    assert_eq!(
        i64::from(r.made),
        w.admin.count("notifications").await,
        "every reminder made was counted"
    );

    // One email for cadre_a with everything of the morning; cadre_b has no address: none.
    let mails = sink.to(MAIL_A);
    assert_eq!(mails.len(), 1, "one email");
    assert_eq!(sink.received().len(), 1);
    let m = &mails[0];
    assert_eq!(m.subject(), format!("今日提醒（{} 项）", k.len()));
    assert_eq!(
        m.to_name(),
        CADRE_NAME,
        "a Chinese name, decoded from the header"
    );
    assert_eq!(m.from, "noreply@liaison.test");
    assert_eq!(
        m.message_id(),
        format!("liaison.{}.{thursday}@liaison.test", a.id)
    );
    let text = m.text();
    assert!(text.contains("李娜"), "{text}");
    assert!(
        text.contains(&format!("{PUBLIC_URL}/youth/{}", a.youths[1])),
        "an absolute link each: {text}"
    );
    assert!(m
        .html()
        .contains(&format!("href=\"{PUBLIC_URL}/youth/{}\"", a.youths[1])));
    assert_eq!(r.sent, 1);

    // The same instant again, and a minute later: nothing new, nothing sent.
    for again in [at, at + Duration::minutes(1)] {
        let r = run(&w.admin, again).await;
        assert_eq!(r, TickReport::default(), "{again}");
    }
    assert_eq!(sink.received().len(), 1);
    assert_eq!(inbox(&a.app).await["items"], mine["items"]);
    // Reading the email marks nothing read: the inbox is the record.
    assert_eq!(inbox(&a.app).await["unread"], k.len());

    // Logging a contact takes 李娜 out of tomorrow's digest (and 张伟 is not due): no digest.
    created(&a.app, "/api/contacts/create", &contact_form(a.youths[1])).await;
    run(&w.admin, sh(thursday + Duration::days(1), 9, 0)).await;
    let friday = (thursday + Duration::days(1)).to_string();
    let digests = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(a.id))
        .filter(notification::Column::Kind.eq("contact_digest"))
        .filter(notification::Column::PeriodKey.eq(friday))
        .count(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(digests, 0);
}
smtp_test!(a_thursday_brings_the_visit_day_and_the_digest_in_one_email_once);

async fn reminders_made_at_night_join_the_next_mornings_one_email(app: TestApp, sink: SmtpSink) {
    let w = setup(app).await;
    posted_long_ago(&w.admin).await;
    normal_weeks(&w.admin).await;
    let a = &w.a;
    set_email(&a.app, &sink, MAIL_A).await;
    assigned_days_ago(&w.admin, a.youths[1], 100).await;
    let thursday = Week::of(today()).thursday();
    let friday = thursday + Duration::days(1);
    // The server was down at nine: the 21:30 tick catches up the day's reminders, but mails
    // nothing at night.
    let r = run(&w.admin, sh(thursday, 21, 30)).await;
    assert!(r.made >= 2 && r.sent == 0, "{r:?}");
    assert_eq!(kinds(&inbox(&a.app).await).len(), cadre_kinds_on(thursday));
    let d = deliveries(&w.admin).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].slot_key, friday.to_string());
    assert_eq!(d[0].send_after, sh(friday, 9, 0));
    // 08:30: not yet.
    assert_eq!(run(&w.admin, sh(friday, 8, 30)).await.sent, 0);
    assert!(sink.received().is_empty());
    // 09:00: Friday's digest joins the same email, and the one email goes.
    let r = run(&w.admin, sh(friday, 9, 0)).await;
    assert_eq!(r.sent, 1);
    let mails = sink.to(MAIL_A);
    assert_eq!(mails.len(), 1);
    let total = kinds(&inbox(&a.app).await).len();
    assert_eq!(
        total,
        cadre_kinds_on(thursday) + cadre_kinds_on(friday),
        "Thursday's and Friday's"
    );
    assert_eq!(mails[0].subject(), format!("今日提醒（{total} 项）"));
    // A reminder made after the morning's email has gone stays in the inbox only: a remind
    // is the one exception, with its own email.
    assert_eq!(deliveries(&w.admin).await.len(), 1);
}
smtp_test!(reminders_made_at_night_join_the_next_mornings_one_email);

async fn a_refusing_mail_server_is_retried_then_failed_and_health_shows_it(
    app: TestApp,
    sink: SmtpSink,
) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let a = &w.a;
    set_email(&a.app, &sink, MAIL_A).await;
    sink.set_mode(Mode::Temporary);
    let at = sh(Week::of(today()).thursday(), 9, 0);
    let r = run(&w.admin, at).await;
    assert_eq!((r.sent, r.failed), (0, 0));
    let d = &deliveries(&w.admin).await[0];
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert!(
        d.last_error.as_deref().unwrap_or("").contains("451"),
        "{d:?}"
    );
    assert_eq!(d.send_after, at + Duration::minutes(1));
    let health = ok(&w.admin, "/api/reminders/health", &[]).await;
    assert_eq!(health["errors"][0]["to"], MAIL_A);
    let visit = health["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "visit_day")
        .unwrap();
    // Both cadres got one; only cadre_a's is mailed.
    assert_eq!(
        (visit["made"].as_u64(), visit["pending"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(health["instances"][0]["made"], r.made);

    // Before its time nothing is tried; then it backs off: 1, 5, 30 minutes, 2 hours, failed.
    run(&w.admin, at + Duration::seconds(30)).await;
    assert_eq!(sink.attempts(), 1);
    let mut t = at;
    for (wait, attempts) in [(1, 2), (5, 3), (30, 4), (120, 5)] {
        t += Duration::minutes(wait);
        let r = run(&w.admin, t).await;
        let d = &deliveries(&w.admin).await[0];
        assert_eq!(d.attempts, attempts);
        if attempts < 5 {
            assert_eq!(d.status, "pending");
        } else {
            assert_eq!((d.status.as_str(), r.failed), ("failed", 1));
        }
    }
    assert_eq!(sink.attempts(), 5);
    assert!(sink.received().is_empty());
    let health = ok(&w.admin, "/api/reminders/health", &[]).await;
    assert_eq!(health["failed"], 1);
    // A failed email stays failed at the next tick.
    run(&w.admin, t + Duration::minutes(5)).await;
    assert_eq!(sink.attempts(), 5);

    // The admin retries once the server is back: it goes at the next tick, once.
    sink.set_mode(Mode::Accept);
    let request = rid();
    let n = ok(
        &w.admin,
        "/api/reminders/retry",
        &[("request_id", &request)],
    )
    .await;
    assert_eq!(n, 1);
    assert_eq!(
        ok(
            &w.admin,
            "/api/reminders/retry",
            &[("request_id", &request)]
        )
        .await,
        1,
        "the same request again: the same answer"
    );
    let r = run(&w.admin, t + Duration::minutes(10)).await;
    assert_eq!(r.sent, 1);
    assert_eq!(sink.to(MAIL_A).len(), 1);
    assert_eq!(deliveries(&w.admin).await[0].status, "sent");

    // A permanent refusal (550) fails at once.
    sink.set_mode(Mode::Permanent);
    assigned_days_ago(&w.admin, a.youths[1], 100).await;
    let next = at + Duration::days(1);
    let r = run(&w.admin, next).await;
    assert_eq!(r.failed, 1);
    let d = deliveries(&w.admin).await;
    let last = d.last().unwrap();
    assert_eq!((last.status.as_str(), last.attempts), ("failed", 1));
    assert!(last.last_error.as_deref().unwrap_or("").contains("550"));
}
smtp_test!(a_refusing_mail_server_is_retried_then_failed_and_health_shows_it);

async fn quarter_ends_and_study_days_are_reminded_from_state(app: TestApp) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let (a, b) = (&w.a, &w.b);
    let admin = &w.admin;
    // The cadres were in post on the instants below, even those before today.
    posted_long_ago(admin).await;
    // 14 days before the quarter ends: cadre_a has made the quarter's suggestion, cadre_b not.
    let q = Quarter::of(today());
    created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, q),
    )
    .await;
    run(admin, sh(q.end() - Duration::days(14), 9, 0)).await;
    assert!(!kinds(&inbox(&a.app).await).contains(&"suggestion_due".to_owned()));
    let theirs = inbox(&b.app).await;
    let due = item(&theirs, "suggestion_due");
    assert_eq!(due["lines"][0]["text"], COMPANY);
    assert_eq!(due["link"], "/suggestions");
    assert!(due["body"].as_str().unwrap().contains("14 天"), "{due}");

    // The 20th: cadre_a has studied 8 hours this month, cadre_b nothing.
    created(&a.app, "/api/study/create", &study_form(today(), "8")).await;
    let twentieth = NaiveDate::from_ymd_opt(today().year(), today().month(), 20).unwrap();
    run(admin, sh(twentieth, 9, 0)).await;
    assert!(!kinds(&inbox(&a.app).await).contains(&"study_due".to_owned()));
    let study = item(&inbox(&b.app).await, "study_due").clone();
    assert_eq!(study["title"], "本月学习还差 8 小时");
    assert_eq!(study["link"], "/study");
}
db_test!(quarter_ends_and_study_days_are_reminded_from_state);

async fn mondays_tell_supervisors_of_last_weeks_misses(app: TestApp) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let (a, b) = (&w.a, &w.b);
    let admin = &w.admin;
    admin
        .create_account("sup_a", "supervisor", w.street, PASSWORD)
        .await;
    let root = admin.root_org().await;
    let west = admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    admin
        .create_account("sup_west", "supervisor", west, PASSWORD)
        .await;
    let sup = admin.session();
    assert!(sup.login("sup_a", PASSWORD).await.status().is_success());
    let west_sup = admin.session();
    assert!(west_sup
        .login("sup_west", PASSWORD)
        .await
        .status()
        .is_success());

    // Both studied their hours in the months last week touches: only contacts are judged here.
    let monday = Week::of(today()).monday();
    for cadre in [a, b] {
        for day in [monday - Duration::days(7), monday - Duration::days(1)] {
            created(&cadre.app, "/api/study/create", &study_form(day, "8")).await;
        }
    }
    // Monday: the street's supervisor hears of last week's misses (cadre_a's overdue youth);
    // the other street's supervisor, with nothing missed below them, hears nothing.
    assigned_days_ago(admin, a.youths[1], 100).await;
    run(admin, sh(monday, 9, 0)).await;
    let digest = item(&inbox(&sup).await, "supervisor_digest").clone();
    let lines: Vec<&str> = digest["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(lines[0], STREET, "grouped by organisation: {lines:?}");
    assert!(
        lines[1].contains(CADRE_NAME) && lines[1].contains("逾期"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 2, "cadre_b missed nothing: {lines:?}");
    assert_eq!(
        digest["lines"][1]["link"],
        format!(
            "/supervise/cadres/{}?period={}",
            a.id,
            Week::of(monday - Duration::days(7)).key()
        )
    );
    assert!(inbox(&west_sup).await["items"]
        .as_array()
        .unwrap()
        .is_empty());
    // Cadres get no supervisor digest.
    assert!(!kinds(&inbox(&a.app).await).contains(&"supervisor_digest".to_owned()));
}
db_test!(mondays_tell_supervisors_of_last_weeks_misses);

async fn the_inbox_is_marked_read_one_or_all_and_only_ones_own(app: TestApp) {
    let w = setup(app).await;
    posted_long_ago(&w.admin).await;
    normal_weeks(&w.admin).await;
    let (a, b) = (&w.a, &w.b);
    assigned_days_ago(&w.admin, a.youths[1], 100).await;
    let thursday = Week::of(today()).thursday();
    run(&w.admin, sh(thursday, 9, 0)).await;
    let mine = inbox(&a.app).await;
    let n = cadre_kinds_on(thursday);
    assert_eq!(mine["unread"], n);
    let first = mine["items"][0]["id"].as_i64().unwrap();
    // Another's reminder is not found; nothing changes.
    let res = b
        .app
        .call("/api/inbox/read", &[("id", &first.to_string())])
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    assert_invalid(a.app.call("/api/inbox/read", &[]).await, "id", "required").await;
    assert_eq!(
        ok(&a.app, "/api/inbox/read", &[("id", &first.to_string())]).await,
        1
    );
    // Twice is harmless.
    assert_eq!(
        ok(&a.app, "/api/inbox/read", &[("id", &first.to_string())]).await,
        0
    );
    let mine = inbox(&a.app).await;
    assert_eq!(mine["unread"], n - 1);
    assert!(mine["items"][0]["read_at"].is_string());
    // The header of every page shows the unread count.
    let page = a.app.page("/visits").await;
    let badge = page
        .split("data-testid=\"unread-badge\"")
        .nth(1)
        .unwrap_or_else(|| panic!("a badge: {page}"));
    assert!(
        badge
            .split_once('>')
            .is_some_and(|(_, rest)| rest.starts_with(&format!("{}<", n - 1))),
        "the badge says {}: {}",
        n - 1,
        badge.chars().take(60).collect::<String>()
    );
    assert_eq!(
        ok(&a.app, "/api/inbox/read", &[("all", "true")]).await,
        n - 1
    );
    assert_eq!(inbox(&a.app).await["unread"], 0);
    assert!(!a.app.page("/visits").await.contains("unread-badge"));
    // The inbox page lists them, each linking to where to act.
    let html = a.app.page("/inbox").await;
    assert!(html.contains("href=\"/visits\"") && html.contains("李娜"));
}
db_test!(the_inbox_is_marked_read_one_or_all_and_only_ones_own);

async fn a_supervisor_reminds_a_cadre_once_a_day_by_inbox_and_email(app: TestApp, sink: SmtpSink) {
    let w = setup(app).await;
    let (a, admin) = (&w.a, &w.admin);
    set_email(&a.app, &sink, MAIL_A).await;
    assigned_days_ago(admin, a.youths[1], 100).await;
    admin
        .create_account("sup_a", "supervisor", w.street, PASSWORD)
        .await;
    let sup = admin.session();
    assert!(sup.login("sup_a", PASSWORD).await.status().is_success());
    let root = admin.root_org().await;
    let west = admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    admin
        .create_account("sup_west", "supervisor", west, PASSWORD)
        .await;
    let west_sup = admin.session();
    assert!(west_sup
        .login("sup_west", PASSWORD)
        .await
        .status()
        .is_success());

    let request = rid();
    let form = [
        ("request_id", request.as_str()),
        ("cadre_id", &a.id.to_string()),
    ];
    let r = ok(&sup, "/api/supervise/remind", &form).await;
    assert_eq!(r["email"], true);
    // The same press again (a double tap): the same answer, nothing new.
    assert_eq!(ok(&sup, "/api/supervise/remind", &form).await, r);
    let item = item(&inbox(&a.app).await, "remind").clone();
    assert!(
        item["title"].as_str().unwrap().contains("测试用户"),
        "{item}"
    );
    assert!(
        item["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["text"].as_str().unwrap().contains("逾期")),
        "names what is missing: {item}"
    );
    // A second press the same day is refused, in words.
    let again = sup
        .call(
            "/api/supervise/remind",
            &[("request_id", &rid()), ("cadre_id", &a.id.to_string())],
        )
        .await;
    assert_invalid(again, "cadre_id", "already_reminded").await;
    // Outside the subtree: not found.
    let res = west_sup
        .call(
            "/api/supervise/remind",
            &[("request_id", &rid()), ("cadre_id", &a.id.to_string())],
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    // Audit-logged; the dashboard and the drill-down say when it was pressed.
    let logged = app::model::entities::audit_log::Entity::find()
        .filter(app::model::entities::audit_log::Column::Action.eq("remind"))
        .count(&admin.db)
        .await
        .unwrap();
    assert_eq!(logged, 1);
    let d = ok(&sup, "/api/supervise/dashboard", &[]).await;
    assert_eq!(d["reminded"][0][0], a.id);
    let detail = ok(&sup, "/api/supervise/cadre", &[("id", &a.id.to_string())]).await;
    assert!(detail["last_reminded"].is_string());
    // The dashboard's row says so in words, where the button was.
    let html = sup.page("/supervise").await;
    assert!(
        html.contains(&format!(r#"id="remind-{}""#, a.id)),
        "the row's anchor"
    );
    assert!(
        html.contains("今天") && html.contains("已提醒"),
        "when it was sent"
    );
    // Mailed at once in the day; pressed at night it waits for 08:00.
    let d = deliveries(admin).await;
    assert_eq!(d.len(), 1);
    let created_at: DateTime<Utc> = serde_json::from_value(r["at"].clone()).unwrap();
    assert_eq!(
        d[0].send_after,
        app::reminders::rules::remind_send_after(created_at)
    );
    if app::reminders::rules::quiet(Utc::now()) {
        assert!(sink.received().is_empty());
    } else {
        let mut waited = 0;
        while sink.to(MAIL_A).is_empty() && waited < 100 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            waited += 1;
        }
        let mails = sink.to(MAIL_A);
        assert_eq!(mails.len(), 1, "mailed at once");
        assert!(mails[0].subject().contains("测试用户"));
    }
    // Without JavaScript, a press lands back on the row, not the top of the page.
    let b = &w.b;
    let res = sup
        .submit(
            "/supervise?period=2026Q4",
            "/api/supervise/remind",
            &[("request_id", &rid()), ("cadre_id", &b.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        res.headers()[reqwest::header::LOCATION],
        sup.url(&format!("/supervise?period=2026Q4&saved=1#remind-{}", b.id))
    );
}
smtp_test!(a_supervisor_reminds_a_cadre_once_a_day_by_inbox_and_email);

async fn email_settings_are_validated_and_turn_mail_off(app: TestApp, sink: SmtpSink) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let a = &w.a;
    let res = a
        .app
        .call(
            "/api/settings/notifications",
            &[("email", "not an address"), ("notify_email", "true")],
        )
        .await;
    assert_invalid(res, "email", "invalid_email").await;
    // Email off: reminders stay in the inbox.
    ok(
        &a.app,
        "/api/settings/notifications",
        &[("email", MAIL_A), ("notify_email", "")],
    )
    .await;
    // The new address gets its confirmation link, and nothing else.
    assert_eq!(sink.to(MAIL_A).len(), 1);
    sink.forget();
    let s = ok(&a.app, "/api/settings/get", &[]).await;
    assert_eq!(
        (s["email"].as_str(), s["notify_email"].as_bool()),
        (Some(MAIL_A), Some(false))
    );
    assert_eq!(s["mail_configured"], true);
    run(&w.admin, sh(Week::of(today()).thursday(), 9, 0)).await;
    assert!(!inbox(&a.app).await["items"].as_array().unwrap().is_empty());
    assert!(sink.received().is_empty());
    assert!(deliveries(&w.admin).await.is_empty());
}
smtp_test!(email_settings_are_validated_and_turn_mail_off);

/// Parses a feed with a real iCalendar parser: (UID, SUMMARY, SEQUENCE) of each event.
fn events(body: &str) -> Vec<(String, String, String, String)> {
    let mut parser = ical::IcalParser::new(body.as_bytes());
    let cal = parser.next().expect("a calendar").expect("it parses");
    let tz = cal
        .properties
        .iter()
        .find(|p| p.name == "X-WR-TIMEZONE")
        .and_then(|p| p.value.clone());
    assert_eq!(tz.as_deref(), Some("Asia/Shanghai"));
    cal.events
        .iter()
        .map(|e| {
            let get = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (get("UID"), get("SUMMARY"), get("SEQUENCE"), get("DTSTART"))
        })
        .collect()
}

async fn the_calendar_feed_has_stable_events_that_change_in_place(app: TestApp, _sink: SmtpSink) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let a = &w.a;
    let s = ok(&a.app, "/api/settings/get", &[]).await;
    let https = s["calendar"]["https"].as_str().unwrap().to_owned();
    assert!(https.starts_with(&format!("{PUBLIC_URL}/cal/")) && https.ends_with(".ics"));
    assert_eq!(
        s["calendar"]["webcal"],
        https.replacen("https://", "webcal://", 1)
    );
    let path = https.trim_start_matches(PUBLIC_URL).to_owned();
    // Anyone with the address may fetch it (a phone's calendar has no session).
    let outsider = client();
    let fetch = |etag: Option<String>| {
        let (outsider, url) = (outsider.clone(), a.app.url(&path));
        async move {
            let mut req = outsider.get(url);
            if let Some(e) = etag {
                req = req.header("If-None-Match", e);
            }
            req.send().await.unwrap()
        }
    };
    let res = fetch(None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body = res.text().await.unwrap();
    assert!(
        body.contains("REFRESH-INTERVAL;VALUE=DURATION:PT3600S"),
        "{body}"
    );
    let first = events(&body);
    let uids: Vec<&str> = first.iter().map(|e| e.0.as_str()).collect();
    assert!(uids.iter().any(|u| u.starts_with("visit-")), "{uids:?}");
    assert!(uids.iter().any(|u| u.starts_with("study-")), "{uids:?}");
    let suggestion_uid = format!("-{}-{}@liaison", Quarter::of(today()).key(), a.org);
    let deadline = first
        .iter()
        .find(|e| e.0.starts_with("suggestion-") && e.0.ends_with(&suggestion_uid))
        .expect("this quarter's deadline for the paired organisation")
        .clone();
    assert_eq!(deadline.1, format!("季度建议截止：{SCHOOL}"));
    assert_eq!(deadline.2, "0");
    assert!(deadline.3.ends_with('Z'), "UTC times: {}", deadline.3);
    // Fetched again: the same events, the same validator, and a 304 for a calendar that has it.
    let res = fetch(None).await;
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(events(&res.text().await.unwrap()), first);
    assert_eq!(
        fetch(Some(etag.clone())).await.status(),
        StatusCode::NOT_MODIFIED
    );

    // The suggestion is made: its event says so, with a higher SEQUENCE, the same UID.
    created(
        &a.app,
        "/api/suggestions/create",
        &suggestion_form(a.org, Quarter::of(today())),
    )
    .await;
    let res = fetch(Some(etag.clone())).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = events(&res.text().await.unwrap());
    let changed = second.iter().find(|e| e.0 == deadline.0).unwrap();
    assert_eq!(changed.2, "1");
    assert_eq!(second.len(), first.len());
    // This week's visit day logged: its slot leaves the feed.
    created(&a.app, "/api/visits/create", &visit_form(a.org, today())).await;
    let this_week = format!("-{}@liaison", Week::of(today()).key());
    let third = events(&fetch(None).await.text().await.unwrap());
    assert!(!third
        .iter()
        .any(|e| e.0.starts_with("visit-") && e.0.ends_with(&this_week)));

    // A new address: the old one is gone.
    let link = ok(
        &a.app,
        "/api/calendar/regenerate",
        &[("request_id", &rid())],
    )
    .await;
    let new_path = link["https"]
        .as_str()
        .unwrap()
        .trim_start_matches(PUBLIC_URL)
        .to_owned();
    assert_ne!(new_path, path);
    assert_eq!(fetch(None).await.status(), StatusCode::NOT_FOUND);
    let res = outsider.get(a.app.url(&new_path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Made-up and malformed tokens: not found.
    for bad in ["/cal/0123.ics", "/cal/nothing", &format!("{new_path}x")] {
        let res = outsider.get(a.app.url(bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }
}
smtp_test!(the_calendar_feed_has_stable_events_that_change_in_place);

/// Two server processes (`server remind --at`) against one PostgreSQL database and one SMTP
/// server, ticking over the same instants at the same time: every reminder is made once and
/// every email sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_make_and_send_each_reminder_once() {
    let Some((app, sink)) = spawn_with_smtp(Backend::Postgres).await else {
        return;
    };
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let (a, b) = (&w.a, &w.b);
    set_email(&a.app, &sink, MAIL_A).await;
    set_email(&b.app, &sink, "cadre_b@example.org").await;
    assigned_days_ago(&w.admin, a.youths[1], 100).await;
    assigned_days_ago(&w.admin, b.youths[0], 70).await;
    let database = database_url(&w.admin).await;
    let thursday = Week::of(today()).thursday();
    let instants = [
        sh(thursday, 9, 0),
        sh(thursday, 9, 1),
        sh(thursday, 14, 0),
        sh(thursday + Duration::days(1), 9, 0),
    ];
    for at in instants {
        let run = || {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
                .args([
                    "remind",
                    "--at",
                    &at.to_rfc3339(),
                    "--database",
                    &database,
                    "--smtp-url",
                    &sink.url(),
                    "--mail-from",
                    "Liaison <noreply@liaison.test>",
                    "--public-url",
                    PUBLIC_URL,
                ])
                .env("RUST_LOG", "warn")
                .output()
        };
        let (one, two) = tokio::join!(run(), run());
        for out in [one.unwrap(), two.unwrap()] {
            assert!(
                out.status.success(),
                "server remind --at {at}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // Thursday: a visit day and a digest each; Friday: a digest each. One email per person
    // and morning.
    let rows = w.admin.count("notifications").await;
    assert_eq!(rows, 6, "each reminder made once");
    assert_eq!(sink.to(MAIL_A).len(), 2, "Thursday's and Friday's");
    assert_eq!(sink.to("cadre_b@example.org").len(), 2);
    assert_eq!(sink.received().len(), 4, "each email sent once");
    let ids: std::collections::HashSet<String> =
        sink.received().iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), 4);
    // Both instances are on the health page.
    let health = ok(&w.admin, "/api/reminders/health", &[]).await;
    assert!(health["instances"].as_array().unwrap().len() >= 2);
}

/// The URL of the test's own database (the app's connection knows it only as a pool).
async fn database_url(app: &TestApp) -> String {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    let n = Name::find_by_statement(Statement::from_string(
        app.db.get_database_backend(),
        "SELECT current_database() AS name",
    ))
    .one(&app.db)
    .await
    .unwrap()
    .unwrap();
    let base = std::env::var("TEST_DATABASE_URL").unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    format!("{prefix}/{}", n.name)
}

async fn a_new_address_gets_reminders_only_once_confirmed(app: TestApp, sink: SmtpSink) {
    let w = setup(app).await;
    normal_weeks(&w.admin).await;
    let a = &w.a;
    assigned_days_ago(&w.admin, a.youths[1], 100).await;
    ok(
        &a.app,
        "/api/settings/notifications",
        &[("email", MAIL_A), ("notify_email", "true")],
    )
    .await;
    // Pending: the settings say so, and the only mail is the confirmation.
    let mine = ok(&a.app, "/api/settings/get", &[]).await;
    assert_eq!(
        (mine["email"].as_str(), mine["pending"].as_bool()),
        (Some(MAIL_A), Some(true))
    );
    assert!(a.app.page("/settings").await.contains("待确认"));
    let confirmation = sink.to(MAIL_A);
    assert_eq!(confirmation.len(), 1);
    assert_eq!(confirmation[0].subject(), "请确认接收提醒的邮箱");
    // Saving the same address again right away sends no second link.
    ok(
        &a.app,
        "/api/settings/notifications",
        &[("email", MAIL_A), ("notify_email", "true")],
    )
    .await;
    assert_eq!(sink.to(MAIL_A).len(), 1);
    let r = run(&w.admin, sh(Week::of(today()).thursday(), 9, 0)).await;
    assert!(r.made >= 2, "{r:?}");
    assert_eq!(r.sent, 0, "no reminder to an unconfirmed address");
    assert_eq!(sink.to(MAIL_A).len(), 1);
    // A wrong token confirms nothing.
    let wrong = format!("/settings/email/confirm?token={}", "0".repeat(64));
    let to = redirected(&a.app, &wrong).await;
    assert!(to.contains("email=invalid"), "{to}");
    // The link confirms it, once; the audit log says who set it and that it was confirmed.
    let link = confirmation_link(&sink, MAIL_A);
    let signed_out = w.admin.session();
    let to = redirected(&signed_out, &link).await;
    assert!(to.contains("email=confirmed"), "{to}");
    let mine = ok(&a.app, "/api/settings/get", &[]).await;
    assert_eq!(mine["pending"], false);
    assert_eq!(mine["confirmed_email"], MAIL_A);
    let to = redirected(&signed_out, &link).await;
    assert!(to.contains("email=invalid"), "a link works once: {to}");
    {
        use app::model::entities::audit_log;
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::ActorId.eq(a.id))
            .filter(audit_log::Column::Action.is_in(["notifications", "email_confirmed"]))
            .all(&w.admin.db)
            .await
            .unwrap();
        assert!(rows
            .iter()
            .any(|r| r.action == "notifications" && r.details.contains(MAIL_A)));
        assert!(rows.iter().any(|r| r.action == "email_confirmed"));
    }
    // From now on reminders are mailed.
    sink.forget();
    let friday = Week::of(today()).thursday() + Duration::days(1);
    let r = run(&w.admin, sh(friday, 9, 0)).await;
    assert_eq!(r.sent, 1, "{r:?}");
    assert_eq!(sink.to(MAIL_A).len(), 1);
}
smtp_test!(a_new_address_gets_reminders_only_once_confirmed);
