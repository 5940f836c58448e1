//! Shared setup for the cadre pages' tests (roster, contacts, visit days, suggestions, study,
//! today): a street committee with two grassroots organisations, two full-time cadres each paired
//! with one of them, and a few youths on each roster. Plus form builders and small assertions.

use crate::helpers::*;
use app::model::entities::{assignment, youth};
use app::rules::{Quarter, Week};
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::{Response, StatusCode};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

pub const PASSWORD: &str = "password-123";
pub const STREET: &str = "河东街道团工委";
pub const SCHOOL: &str = "河东中学团委";
pub const COMPANY: &str = "河东科技公司团支部";
/// The name every account made by `TestApp::create_account` carries.
pub const CADRE_NAME: &str = "测试用户";

pub struct Cadre {
    pub id: i64,
    /// A session signed in as this cadre.
    pub app: TestApp,
    /// The grassroots organisation this cadre is paired with, and the pairing.
    pub org: i64,
    pub org_name: &'static str,
    pub pairing: i64,
    /// The youths this cadre added, in order.
    pub youths: Vec<i64>,
}

pub struct World {
    /// Signed in as the admin.
    pub admin: TestApp,
    pub street: i64,
    /// `cadre_a`, paired with [`SCHOOL`], with youths 张伟 (a pupil of the school) and 李娜.
    pub a: Cadre,
    /// `cadre_b`, paired with [`COMPANY`], with youth 王芳.
    pub b: Cadre,
}

/// Signed in as admin: the organisations, both cadres, their pairings and their youths.
pub async fn setup(app: TestApp) -> World {
    app.login_as_admin().await;
    let root = app.root_org().await;
    let street = app.create_org(STREET, "working_committee", root).await;
    let school = app.create_org(SCHOOL, "school", street).await;
    let company = app.create_org(COMPANY, "enterprise", street).await;
    let a = cadre(&app, "cadre_a", street, (school, SCHOOL), &["张伟", "李娜"]).await;
    let b = cadre(&app, "cadre_b", street, (company, COMPANY), &["王芳"]).await;
    World {
        admin: app,
        street,
        a,
        b,
    }
}

/// A supervisor of the whole district (`district_sup`, at the root), signed in: no
/// administrator supervises.
pub async fn district_supervisor(w: &World) -> TestApp {
    let root = w.admin.root_org().await;
    w.admin
        .create_account("district_sup", "supervisor", root, PASSWORD)
        .await;
    let s = w.admin.session();
    assert_status(s.login("district_sup", PASSWORD).await, StatusCode::OK).await;
    s
}

async fn cadre(
    admin: &TestApp,
    username: &'static str,
    street: i64,
    (org, org_name): (i64, &'static str),
    youths: &[&str],
) -> Cadre {
    let id = admin
        .create_account(username, "cadre", street, PASSWORD)
        .await;
    let pairing = pair(admin, id, org).await;
    let app = admin.session();
    let res = app.login(username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
    let mut ids = Vec::new();
    for (i, name) in youths.iter().enumerate() {
        // The first youth belongs to the paired organisation; the others only have a workplace.
        let form = if i == 0 {
            with(youth_form(name), &[("org_id", &org.to_string())])
        } else {
            youth_form(name)
        };
        ids.push(add_youth(&app, &form).await);
    }
    Cadre {
        id,
        app,
        org,
        org_name,
        pairing,
        youths: ids,
    }
}

/// Pairs a cadre with a grassroots organisation as the signed-in admin; returns the pairing's id.
pub async fn pair(admin: &TestApp, cadre: i64, org: i64) -> i64 {
    ok(
        admin,
        "/api/users/pair",
        &[
            ("request_id", &rid()),
            ("cadre_id", &cadre.to_string()),
            ("org_id", &org.to_string()),
        ],
    )
    .await
    .as_i64()
    .expect("a pairing id")
}

// ---- forms ----------------------------------------------------------------------------------

/// A form as owned pairs, so that tests can change a field or two of a valid one.
pub type Form = Vec<(&'static str, String)>;

pub fn rid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `form` with some fields replaced (or added).
pub fn with(mut form: Form, changes: &[(&'static str, &str)]) -> Form {
    for (key, value) in changes {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = (*value).to_owned(),
            None => form.push((key, (*value).to_owned())),
        }
    }
    form
}

/// Borrowed pairs for `TestApp::call`.
pub fn pairs(form: &Form) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A valid youth form: a league member aged 25 working at a market, no organisation.
/// A valid new youth; each with a number of their own (one youth per phone number), all shown
/// masked as 138****8000.
pub fn youth_form(name: &str) -> Form {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10_000;
    vec![
        ("request_id", rid()),
        ("name", name.to_owned()),
        ("gender", "female".to_owned()),
        ("birth_year", (today().year() - 25).to_string()),
        ("phone", format!("138{n:04}8000")),
        ("wechat", String::new()),
        ("org_id", String::new()),
        ("workplace", "河东菜市场".to_owned()),
        ("sector", "migrant".to_owned()),
        ("political_status", "league_member".to_owned()),
        ("tags", String::new()),
        ("notes", String::new()),
        // The notice the migration writes: shown to every youth recorded until another.
        ("notice_version", "1".to_owned()),
        ("basis", "duty".to_owned()),
    ]
}

/// A valid contact today, face to face, without a request.
pub fn contact_form(youth: i64) -> Form {
    vec![
        ("request_id", rid()),
        ("youth_id", youth.to_string()),
        ("contact_date", day(today())),
        ("channel", "face_to_face".to_owned()),
        ("content", "聊了聊近期的工作和生活".to_owned()),
        ("request", String::new()),
        ("duration_minutes", "30".to_owned()),
    ]
}

/// A valid visit day of 8 hours.
pub fn visit_form(org: i64, date: NaiveDate) -> Form {
    vec![
        ("request_id", rid()),
        ("visit_date", day(date)),
        ("org_id", org.to_string()),
        ("hours", "8".to_owned()),
        ("work_done", "参加团支部组织生活会，走访团员青年".to_owned()),
        ("outcomes", String::new()),
    ]
}

/// A valid work suggestion.
pub fn suggestion_form(org: i64, quarter: Quarter) -> Form {
    vec![
        ("request_id", rid()),
        ("org_id", org.to_string()),
        ("quarter", quarter.key()),
        ("kind", "suggestion".to_owned()),
        ("title", "建立团员积分制度".to_owned()),
        (
            "description",
            "按季度公示团员参加活动的积分，激励团员参与".to_owned(),
        ),
    ]
}

/// A valid thematic study record.
pub fn study_form(date: NaiveDate, hours: &str) -> Form {
    vec![
        ("request_id", rid()),
        ("study_date", day(date)),
        ("hours", hours.to_owned()),
        ("topic", "学习习近平总书记关于青年工作的重要思想".to_owned()),
        ("kind", "thematic".to_owned()),
    ]
}

// ---- dates ----------------------------------------------------------------------------------

/// The server's today: the date in Asia/Shanghai.
pub fn today() -> NaiveDate {
    app::ssr::today()
}

pub fn days_ago(n: i64) -> NaiveDate {
    today() - Duration::days(n)
}

/// `YYYY-MM-DD`, as a date field sends it.
pub fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The quarter a week counts in (its Thursday's), as the visit-day list groups weeks.
pub fn week_quarter(date: NaiveDate) -> Quarter {
    Quarter::of(Week::of(date).thursday())
}

/// A week as its JSON: `{"year":2026,"week":48}`.
pub fn week_json(week: Week) -> Value {
    serde_json::json!({ "year": week.year, "week": week.week })
}

/// A quarter as its JSON: `{"year":2026,"q":4}`.
pub fn quarter_json(quarter: Quarter) -> Value {
    serde_json::json!({ "year": quarter.year, "q": quarter.q })
}

// ---- calls and assertions -------------------------------------------------------------------

/// Calls a server function that must succeed; returns its JSON answer.
pub async fn ok(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let res = app.call(endpoint, form).await;
    let status = res.status();
    let body = res.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "{endpoint} answers 200: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint}: {e}: {body}"))
}

/// The id a create answers with.
pub async fn created(app: &TestApp, endpoint: &str, form: &Form) -> i64 {
    ok(app, endpoint, &pairs(form))
        .await
        .as_i64()
        .unwrap_or_else(|| panic!("{endpoint} answers an id"))
}

pub async fn add_youth(app: &TestApp, form: &Form) -> i64 {
    created(app, "/api/youth/create", form).await
}

/// A new session signed in as `username`.
pub async fn signed_in(app: &TestApp, username: &str, password: &str) -> TestApp {
    let s = app.session();
    assert_status(s.login(username, password).await, StatusCode::OK).await;
    s
}

/// Asserts the status of an answer (with its body in the message).
pub async fn assert_status(res: Response, status: StatusCode) {
    let got = res.status();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "{body}");
}

/// Asserts a 422 answer; returns its `Invalid` error body.
pub async fn invalid(res: Response) -> Value {
    let status = res.status();
    let err = error_of(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    err
}

/// Asserts that each field carries its code.
pub fn assert_codes(err: &Value, expected: &[(&str, &str)]) {
    for (field, code) in expected {
        let got = field_error(err, field).unwrap_or_else(|| panic!("no error on {field}: {err}"));
        assert_eq!(got["code"], *code, "{field}: {err}");
    }
}

/// Asserts a 422 answer with `code` on `field`.
pub async fn assert_invalid(res: Response, field: &str, code: &str) -> Value {
    let err = invalid(res).await;
    assert_codes(&err, &[(field, code)]);
    err
}

/// Sends `form` with one field changed to a bad value: the error names that field alone, with
/// `code`.
pub async fn assert_only_field_invalid(
    app: &TestApp,
    endpoint: &str,
    form: Form,
    (field, value, code): (&'static str, &str, &str),
) {
    let res = app
        .call(endpoint, &pairs(&with(form, &[(field, value)])))
        .await;
    let err = assert_invalid(res, field, code).await;
    assert_eq!(
        err["Invalid"]["fields"].as_array().unwrap().len(),
        1,
        "only {field} is wrong: {err}"
    );
}

/// What the user had typed into `field`, echoed back in an `Invalid` error.
pub fn echoed<'a>(err: &'a Value, field: &str) -> Option<&'a str> {
    err["Invalid"]["input"]
        .as_array()?
        .iter()
        .find(|pair| pair[0] == field)
        .and_then(|pair| pair[1].as_str())
}

// ---- what a cadre sees ----------------------------------------------------------------------

pub async fn roster(cadre: &Cadre, filter: &str, q: &str) -> Value {
    ok(
        &cadre.app,
        "/api/youth/roster",
        &[("filter", filter), ("q", q)],
    )
    .await
}

/// A youth's roster entry, if listed.
pub fn entry(roster: &Value, youth: i64) -> Option<&Value> {
    roster["entries"]
        .as_array()
        .expect("roster entries")
        .iter()
        .find(|e| e["id"] == youth)
}

/// The names a roster lists, in its order.
pub fn names(roster: &Value) -> Vec<&str> {
    roster["entries"]
        .as_array()
        .expect("roster entries")
        .iter()
        .map(|e| e["name"].as_str().expect("a name"))
        .collect()
}

pub async fn profile(cadre: &Cadre, youth: i64) -> Value {
    ok(&cadre.app, "/api/youth/get", &[("id", &youth.to_string())]).await
}

pub async fn today_page(cadre: &Cadre) -> Value {
    ok(&cadre.app, "/api/today", &[]).await
}

/// Sends the same form `n` times at once, as a double tap on a flaky network does; returns each
/// answer's status and body.
pub async fn at_once(
    app: &TestApp,
    endpoint: &str,
    form: &Form,
    n: usize,
) -> Vec<(StatusCode, String)> {
    let sends: Vec<_> = (0..n)
        .map(|_| {
            let (client, url, form) = (app.client.clone(), app.url(endpoint), form.clone());
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await
                    .expect("request");
                (res.status(), res.text().await.unwrap_or_default())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.expect("a send"));
    }
    answers
}

/// Sends a create form several times at once; asserts that every send answers with the same id.
pub async fn created_at_once(app: &TestApp, endpoint: &str, form: &Form) -> i64 {
    let answers = at_once(app, endpoint, form, 6).await;
    let ids: Vec<Option<i64>> = answers
        .iter()
        .map(|(status, body)| {
            (*status == StatusCode::OK)
                .then(|| body.parse().ok())
                .flatten()
        })
        .collect();
    assert!(
        ids.iter().all(|id| id.is_some() && *id == ids[0]),
        "{endpoint}: every send answers with the one record: {answers:?}"
    );
    ids[0].expect("an id")
}

/// Moves a youth's assignment (and its summary) `days` back, as if assigned then.
pub async fn assigned_days_ago(app: &TestApp, youth_id: i64, days: i64) {
    let on = today() - Duration::days(days);
    assignment::Entity::update_many()
        .col_expr(assignment::Column::AssignedOn, Expr::value(on))
        .filter(assignment::Column::YouthId.eq(youth_id))
        .exec(&app.db)
        .await
        .unwrap();
    youth::Entity::update_many()
        .col_expr(youth::Column::AssignedOn, Expr::value(on))
        .filter(youth::Column::Id.eq(youth_id))
        .exec(&app.db)
        .await
        .unwrap();
}
