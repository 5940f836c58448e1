//! Activities: attendees as contacts, the public sign-in by code, new friends and the
//! enrolment link.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{activity, audit_log, contact, enrol_request, youth};
use chrono::{Datelike, Duration};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

fn activity_form(title: &str, youths: &[i64]) -> Form {
    vec![
        ("request_id", rid()),
        ("title", title.to_owned()),
        ("kind", "theme_day".to_owned()),
        ("activity_date", day(today())),
        ("start_time", String::new()),
        ("place", "河东街道团工委活动室".to_owned()),
        ("org_id", String::new()),
        ("youth_ids", join(youths)),
    ]
}

fn join(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

async fn detail(cadre: &Cadre, id: i64) -> Value {
    ok(
        &cadre.app,
        "/api/activities/get",
        &[("id", &id.to_string())],
    )
    .await
}

/// The update form of an activity: its fields as they are, with these youths ticked.
fn update_form(id: i64, title: &str, youths: &[i64]) -> Form {
    with(
        activity_form(title, youths),
        &[("id", &id.to_string()), ("request_id", "")],
    )
}

async fn attendance(app: &TestApp, activity: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = contact::Entity::find()
        .filter(contact::Column::ActivityId.eq(activity))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.youth_id)
        .collect();
    ids.sort_unstable();
    ids
}

async fn phone_of(app: &TestApp, youth_id: i64) -> String {
    youth::Entity::find_by_id(youth_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .phone
}

async fn code_of(cadre: &Cadre, id: i64) -> String {
    detail(cadre, id).await["code"].as_str().unwrap().to_owned()
}

/// A new activity today without attendees, and its sign-in code.
async fn open_activity(cadre: &Cadre, title: &str) -> (i64, String) {
    let id = created(
        &cadre.app,
        "/api/activities/create",
        &activity_form(title, &[]),
    )
    .await;
    (id, code_of(cadre, id).await)
}

fn checkin<'a>(code: &'a str, name: &'a str, phone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("name", name),
        ("phone", phone),
        ("consent", "true"),
        ("request", ""),
    ]
}

async fn pending(cadre: &Cadre) -> Vec<Value> {
    ok(&cadre.app, "/api/enrol/list", &[]).await["pending"]
        .as_array()
        .unwrap()
        .clone()
}

async fn attendees_become_one_contact_each_and_a_replay_changes_nothing(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (y1, y2) = (a.youths[0], a.youths[1]);
    let form = activity_form("“青春心向党”主题团日", &[y1, y2]);
    let id = created(&a.app, "/api/activities/create", &form).await;
    assert_eq!(
        created(&a.app, "/api/activities/create", &form).await,
        id,
        "a resend stores one activity"
    );
    assert_eq!(w.admin.count("activities").await, 1);
    assert_eq!(attendance(&w.admin, id).await, vec![y1, y2]);
    // Each attendee's profile shows one offline contact at the activity, by the cadre.
    for y in [y1, y2] {
        let p = profile(a, y).await;
        let contacts = p["contacts"].as_array().unwrap();
        assert_eq!(contacts.len(), 1, "{p}");
        assert_eq!(contacts[0]["channel"], "Activity");
        assert_eq!(contacts[0]["online"], false);
        assert_eq!(contacts[0]["content"], "“青春心向党”主题团日");
        assert_eq!(contacts[0]["date"], day(today()));
        assert_eq!(
            contacts[0]["editable"], false,
            "changed with the activity's attendees"
        );
        let r = roster(a, "all", "").await;
        assert_eq!(entry(&r, y).unwrap()["last_contact"], day(today()));
    }
    // Saved again as it is: nothing changes.
    for _ in 0..2 {
        ok(
            &a.app,
            "/api/activities/update",
            &pairs(&update_form(id, "“青春心向党”主题团日", &[y1, y2])),
        )
        .await;
    }
    assert_eq!(w.admin.count("contacts").await, 2);
    // Unticking an attendee removes that contact, and the youth's summary follows.
    ok(
        &a.app,
        "/api/activities/update",
        &pairs(&update_form(id, "“青春心向党”主题团日", &[y1])),
    )
    .await;
    assert_eq!(attendance(&w.admin, id).await, vec![y1]);
    assert!(profile(a, y2).await["contacts"]
        .as_array()
        .unwrap()
        .is_empty());
    let r = roster(a, "all", "").await;
    assert_eq!(entry(&r, y2).unwrap()["last_contact"], Value::Null);
    // An attendance is not changed or deleted as a contact.
    let c = profile(a, y1).await["contacts"][0]["id"].as_i64().unwrap();
    let res = a
        .app
        .call("/api/contacts/delete", &[("id", &c.to_string())])
        .await;
    assert_invalid(res, "id", "activity_contact").await;
    // The list counts it; the quarter's figures count it.
    let list = ok(&a.app, "/api/activities/list", &[]).await;
    assert_eq!(list["rows"][0]["attendees"], 1);
    assert_eq!(list["held"], 1);
    assert_eq!(list["attendances"], 1);
    assert_eq!(list["youths"], 1);
    // Audited.
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("activity"))
        .filter(audit_log::Column::EntityId.eq(id))
        .count(&w.admin.db)
        .await
        .unwrap();
    assert!(audited >= 4, "create and each save: {audited}");
}
db_test!(attendees_become_one_contact_each_and_a_replay_changes_nothing);

async fn attendees_come_from_the_roster_within_the_entry_window(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let form = activity_form("志愿服务", &[a.youths[0]]);
    let tomorrow = day(today() + Duration::days(1));
    let long_ago = day(today() - Duration::days(400));
    for (field, value, code) in [
        ("youth_ids", w.b.youths[0].to_string(), "not_your_youth"),
        ("youth_ids", "x".to_owned(), "invalid_choice"),
        ("activity_date", tomorrow.clone(), "activity_not_yet"),
        ("activity_date", long_ago, "date_too_old"),
        ("kind", "party".to_owned(), "invalid_choice"),
        ("start_time", "25:00".to_owned(), "invalid_time"),
        ("title", String::new(), "required"),
        ("place", String::new(), "required"),
        ("org_id", "999999".to_owned(), "invalid_choice"),
    ] {
        let res = a
            .app
            .call(
                "/api/activities/create",
                &pairs(&with(form.clone(), &[(field, &value)])),
            )
            .await;
        let field = if code == "activity_not_yet" {
            "youth_ids"
        } else {
            field
        };
        assert_invalid(res, field, code).await;
    }
    assert_eq!(w.admin.count("activities").await, 0);
    // Planned ahead without attendees: its code can be shown before the day.
    let planned = created(
        &a.app,
        "/api/activities/create",
        &with(
            activity_form("宣讲", &[]),
            &[("activity_date", &tomorrow), ("org_id", &a.org.to_string())],
        ),
    )
    .await;
    let d = detail(a, planned).await;
    assert_eq!(d["row"]["sign_in"], "NotYet");
    assert_eq!(d["row"]["org_id"], a.org);
    // Another cadre sees and changes nothing of it.
    let b = &w.b.app;
    for endpoint in [
        "/api/activities/get",
        "/api/activities/close",
        "/api/activities/update",
    ] {
        let res = b
            .call(
                endpoint,
                &pairs(&update_form(planned, "宣讲", &[w.b.youths[0]])),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{endpoint}");
    }
    let list = ok(b, "/api/activities/list", &[]).await;
    assert!(list["rows"].as_array().unwrap().is_empty());
}
db_test!(attendees_come_from_the_roster_within_the_entry_window);

async fn a_known_phone_signs_in_at_once_and_any_other_waits_with_the_same_answer(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (id, code) = open_activity(a, "联谊").await;
    let phone = phone_of(&w.admin, a.youths[0]).await;
    let public = w.admin.session();
    let known = public
        .call(
            "/api/public/checkin",
            &[
                ("code", code.as_str()),
                ("name", "张伟"),
                ("phone", phone.as_str()),
                ("consent", "true"),
                ("request", "想参加下次的志愿服务"),
            ],
        )
        .await;
    assert_eq!(known.status(), StatusCode::OK);
    let known = known.text().await.unwrap();
    let unknown = public
        .call(
            "/api/public/checkin",
            &checkin(&code, "新来的青年", "13911112222"),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    let unknown = unknown.text().await.unwrap();
    assert_eq!(known, unknown, "the answer never tells who is on a roster");
    assert!(known.contains("签到成功"), "{known}");
    // The known youth attends, with the request passed on; the other waits in the queue.
    assert_eq!(attendance(&w.admin, id).await, vec![a.youths[0]]);
    let c = &profile(a, a.youths[0]).await["contacts"][0];
    assert_eq!(c["request"], "想参加下次的志愿服务");
    assert_eq!(c["request_status"], "Open");
    let queue = pending(a).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["name"], "新来的青年");
    assert_eq!(queue[0]["phone"], "13911112222");
    assert_eq!(queue[0]["activity_id"], id);
    assert_eq!(queue[0]["notice_version"], 1);
    // A repeated sign-in counts once, either way.
    for phone in [phone.as_str(), "13911112222"] {
        ok(
            &public,
            "/api/public/checkin",
            &checkin(&code, "再签一次", phone),
        )
        .await;
    }
    assert_eq!(attendance(&w.admin, id).await, vec![a.youths[0]]);
    assert_eq!(pending(a).await.len(), 1);
    let d = detail(a, id).await;
    assert_eq!(d["row"]["attendees"], 1);
    assert_eq!(d["row"]["signed_in"], 1);
    // Every sign-in is audited, with its address, never with the phone.
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("checkin"))
        .filter(audit_log::Column::EntityId.eq(id))
        .all(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert!(r.ip.as_deref().is_some_and(|ip| !ip.is_empty()), "{r:?}");
        assert!(!r.details.contains("1391111"), "{r:?}");
        assert_eq!(r.actor_id, None);
    }
    // The other cadre's queue is not this one.
    assert!(pending(&w.b).await.is_empty());
}
db_test!(a_known_phone_signs_in_at_once_and_any_other_waits_with_the_same_answer);

async fn a_sign_in_needs_an_open_code_a_phone_and_consent(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (id, code) = open_activity(a, "培训").await;
    let public = w.admin.session();
    let call = |form: Vec<(&'static str, String)>| {
        let public = public.same_session();
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            public.call("/api/public/checkin", &pairs).await
        }
    };
    let good = |code: &str| {
        vec![
            ("code", code.to_owned()),
            ("name", "李雷".to_owned()),
            ("phone", "13922223333".to_owned()),
            ("consent", "true".to_owned()),
        ]
    };
    for (change, field, err) in [
        (("consent", ""), "consent", "consent_required"),
        (("phone", "12345"), "phone", "invalid_phone"),
        (("name", ""), "name", "required"),
        (("code", "AAAA-BBBB-CCCC"), "code", "code_invalid"),
        (("code", "../../etc"), "code", "code_invalid"),
    ] {
        let form = with(good(&code), &[change]);
        assert_invalid(call(form).await, field, err).await;
    }
    // Not yet: the activity is tomorrow (the code opens an hour before it).
    let tomorrow = created(
        &a.app,
        "/api/activities/create",
        &with(
            activity_form("明天的活动", &[]),
            &[
                ("activity_date", &day(today() + Duration::days(2))),
                ("start_time", "09:00"),
            ],
        ),
    )
    .await;
    let later = code_of(a, tomorrow).await;
    assert_invalid(call(good(&later)).await, "code", "signin_not_open").await;
    // Over: its day has passed.
    activity::Entity::update_many()
        .col_expr(
            activity::Column::ActivityDate,
            sea_orm::sea_query::Expr::value(today() - Duration::days(1)),
        )
        .filter(activity::Column::Id.eq(tomorrow))
        .exec(&w.admin.db)
        .await
        .unwrap();
    assert_invalid(call(good(&later)).await, "code", "signin_over").await;
    // Closed early by the cadre (twice is fine).
    for _ in 0..2 {
        ok(&a.app, "/api/activities/close", &[("id", &id.to_string())]).await;
    }
    assert_invalid(call(good(&code)).await, "code", "signin_closed").await;
    assert_eq!(detail(a, id).await["row"]["sign_in"], "Closed");
    assert_eq!(w.admin.count("enrol_requests").await, 0, "nothing stored");
    // The public page says so too, without JavaScript.
    let page = public.page(&format!("/a/{code}")).await;
    assert!(page.contains("组织者已结束本次活动的签到"), "{page}");
    let missing = public.get("/a/AAAABBBBCCCC").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
db_test!(a_sign_in_needs_an_open_code_a_phone_and_consent);

async fn a_flood_from_one_address_is_refused_with_429(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (_, code) = open_activity(a, "大型活动").await;
    let public = w.admin.session();
    let max = app::public::service::CHECKIN_PER_ADDRESS.max;
    let mut refused = 0;
    let mut last = None;
    for i in 0..=max {
        let phone = format!("139{:08}", 30_000_000 + i);
        let res = public
            .call("/api/public/checkin", &checkin(&code, "刷屏", &phone))
            .await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
            last = Some(res.text().await.unwrap());
        } else {
            assert_eq!(res.status(), StatusCode::OK, "sign-in {i}");
        }
    }
    assert_eq!(refused, 1, "the one over {max} is refused");
    assert!(
        last.unwrap_or_default().contains("提交太频繁"),
        "in Chinese"
    );
    assert_eq!(
        w.admin.count("enrol_requests").await,
        i64::from(max),
        "the refused one left nothing"
    );
    // Per key and window, in the database: another key has its own count.
    let limit = app::ssr::limit::Limit {
        max: 2,
        window: chrono::Duration::minutes(10),
    };
    for _ in 0..2 {
        app::ssr::limit::hit(&w.admin.db, "test:key", limit, "x")
            .await
            .unwrap();
    }
    assert!(app::ssr::limit::hit(&w.admin.db, "test:key", limit, "x")
        .await
        .is_err());
    app::ssr::limit::hit(&w.admin.db, "test:other", limit, "x")
        .await
        .unwrap();
}
db_test!(a_flood_from_one_address_is_refused_with_429);

async fn two_hundred_sign_ins_at_once_lose_nothing_and_duplicate_nothing(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (id, code) = open_activity(a, "两百人的活动").await;
    let known = phone_of(&w.admin, a.youths[0]).await;
    // 200 youths (the known one among them) from one venue's address, 20 at a time, and 60
    // of them tapping twice; all within the address's limit.
    let mut phones: Vec<String> = (0..199)
        .map(|i| format!("137{:08}", 10_000_000 + i))
        .collect();
    phones.push(known);
    let sends: Vec<String> = phones
        .iter()
        .chain(phones.iter().step_by(3).take(60))
        .cloned()
        .collect();
    assert!(sends.len() <= usize::try_from(app::public::service::CHECKIN_PER_ADDRESS.max).unwrap());
    for chunk in sends.chunks(20) {
        let mut calls = tokio::task::JoinSet::new();
        for phone in chunk {
            let s = w.admin.session();
            let code = code.clone();
            let phone = phone.clone();
            calls.spawn(async move {
                s.call("/api/public/checkin", &checkin(&code, "青年", &phone))
                    .await
                    .status()
            });
        }
        while let Some(status) = calls.join_next().await {
            assert_eq!(status.unwrap(), StatusCode::OK);
        }
    }
    let rows = enrol_request::Entity::find()
        .filter(enrol_request::Column::ActivityId.eq(id))
        .all(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 200, "one sign-in per youth");
    assert_eq!(pending(a).await.len(), 199);
    assert_eq!(attendance(&w.admin, id).await, vec![a.youths[0]]);
}
db_test!(two_hundred_sign_ins_at_once_lose_nothing_and_duplicate_nothing);

async fn accepting_a_new_friend_puts_them_on_the_roster_with_their_consent(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (id, code) = open_activity(a, "主题团日").await;
    let public = w.admin.session();
    for (name, phone) in [("赵敏", "13933334444"), ("钱多", "13933335555")] {
        ok(
            &public,
            "/api/public/checkin",
            &[
                ("code", code.as_str()),
                ("name", name),
                ("phone", phone),
                ("consent", "true"),
                ("request", "希望有就业指导"),
            ],
        )
        .await;
    }
    let queue = pending(a).await;
    let (first, second) = (queue[0]["id"].to_string(), queue[1]["id"].to_string());
    // Another cadre cannot decide what is not theirs.
    let res =
        w.b.app
            .call(
                "/api/enrol/decide",
                &[
                    ("request_id", &rid()),
                    ("id", &first),
                    ("decision", "accept"),
                ],
            )
            .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let accept = vec![
        ("request_id", rid()),
        ("id", first.clone()),
        ("decision", "accept".to_owned()),
    ];
    let youth_id = ok(&a.app, "/api/enrol/decide", &pairs(&accept)).await;
    let youth_id = youth_id.as_i64().expect("the youth's id");
    assert_eq!(
        ok(&a.app, "/api/enrol/decide", &pairs(&accept)).await,
        youth_id,
        "a resend is the same decision"
    );
    // Accepted again from another tab: nothing changes.
    let again = with(accept.clone(), &[("request_id", &rid())]);
    assert_eq!(
        ok(&a.app, "/api/enrol/decide", &pairs(&again)).await,
        youth_id
    );
    let y = youth::Entity::find_by_id(youth_id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(y.name, "赵敏");
    assert_eq!(y.phone, "13933334444");
    assert_eq!(y.cadre_id, Some(a.id));
    assert_eq!(y.basis, "consent");
    assert_eq!(y.notice_version, Some(1));
    let request = enrol_request::Entity::find_by_id(first.parse::<i64>().unwrap())
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.status, "accepted");
    assert_eq!(
        y.basis_recorded_at.map(|t| t.timestamp()),
        Some(request.consented_at.timestamp()),
        "consent is as of the sign-in"
    );
    // On the roster, and attending the activity with the request passed on.
    assert!(entry(&roster(a, "all", "").await, youth_id).is_some());
    assert!(attendance(&w.admin, id).await.contains(&youth_id));
    let c = &profile(a, youth_id).await["contacts"][0];
    assert_eq!(c["request"], "希望有就业指导");
    // Dismissed: no youth.
    ok(
        &a.app,
        "/api/enrol/decide",
        &[
            ("request_id", &rid()),
            ("id", &second),
            ("decision", "dismiss"),
        ],
    )
    .await;
    assert!(pending(a).await.is_empty());
    assert_eq!(
        youth::Entity::find()
            .filter(youth::Column::Phone.eq("13933335555"))
            .count(&w.admin.db)
            .await
            .unwrap(),
        0
    );
    // Deciding it the other way now is refused.
    let res = a
        .app
        .call(
            "/api/enrol/decide",
            &[
                ("request_id", &rid()),
                ("id", &second),
                ("decision", "accept"),
            ],
        )
        .await;
    assert_invalid(res, "id", "already_decided").await;
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.is_in(["enrol_accept", "enrol_dismiss"]))
        .count(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(audited, 2);
}
db_test!(accepting_a_new_friend_puts_them_on_the_roster_with_their_consent);

async fn a_youth_under_14_waits_for_the_guardians_consent(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let token = link_token(a).await;
    let young = (today().year() - 12).to_string();
    ok(
        &w.admin.session(),
        "/api/public/join",
        &pairs(&join_form(&token, "小明", "13944445555", &young)),
    )
    .await;
    let queue = pending(a).await;
    assert_eq!(queue[0]["minor"], true);
    let id = queue[0]["id"].to_string();
    let accept = vec![
        ("request_id", rid()),
        ("id", id.clone()),
        ("decision", "accept".to_owned()),
    ];
    let res = a.app.call("/api/enrol/decide", &pairs(&accept)).await;
    assert_invalid(res, "guardian_name", "guardian_required").await;
    assert_eq!(
        youth::Entity::find()
            .filter(youth::Column::Phone.eq("13944445555"))
            .count(&w.admin.db)
            .await
            .unwrap(),
        0,
        "not on a roster before the guardian's consent"
    );
    let with_guardian = with(
        accept,
        &[
            ("guardian_name", "王秀英"),
            ("guardian_relation", "mother"),
            ("guardian_consent_on", &day(today())),
        ],
    );
    let youth_id = ok(&a.app, "/api/enrol/decide", &pairs(&with_guardian))
        .await
        .as_i64()
        .unwrap();
    let y = youth::Entity::find_by_id(youth_id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(y.guardian_name.as_deref(), Some("王秀英"));
    assert_eq!(y.guardian_relation.as_deref(), Some("mother"));
    assert_eq!(y.birth_year, Some(today().year() - 12));
    assert_eq!(y.gender, "male");
    assert_eq!(y.sector, "student");
}
db_test!(a_youth_under_14_waits_for_the_guardians_consent);

fn join_form(token: &str, name: &str, phone: &str, birth_year: &str) -> Form {
    vec![
        ("token", token.to_owned()),
        ("name", name.to_owned()),
        ("phone", phone.to_owned()),
        ("gender", "male".to_owned()),
        ("birth_year", birth_year.to_owned()),
        ("birth_month", "3".to_owned()),
        ("sector", "student".to_owned()),
        ("workplace", "河东中学".to_owned()),
        ("consent", "true".to_owned()),
    ]
}

async fn link_token(cadre: &Cadre) -> String {
    let link = ok(&cadre.app, "/api/enrol/list", &[]).await["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let public_url = cadre
        .app
        .state
        .settings
        .public_url
        .trim_end_matches('/')
        .to_owned();
    assert!(link.starts_with(&format!("{public_url}/j/")), "{link}");
    link.rsplit('/').next().unwrap().to_owned()
}

async fn the_enrolment_link_matches_phones_and_can_be_replaced(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let token = link_token(a).await;
    assert_eq!(link_token(a).await, token, "the same link until replaced");
    let public = w.admin.session();
    let adult = (today().year() - 22).to_string();
    // A phone already on the roster asks nothing; a new one asks once, however often sent.
    let mine = phone_of(&w.admin, a.youths[0]).await;
    let answers: Vec<String> = {
        let mut out = Vec::new();
        for phone in [mine.as_str(), "13955556666", "13955556666"] {
            let res = public
                .call(
                    "/api/public/join",
                    &pairs(&join_form(&token, "周杰", phone, &adult)),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            out.push(res.text().await.unwrap());
        }
        out
    };
    assert!(answers.iter().all(|x| *x == answers[0]), "{answers:?}");
    let queue = pending(a).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["source"], "Join");
    assert_eq!(queue[0]["workplace"], "河东中学");
    // Bad fields get messages; a missing consent stores nothing.
    let res = public
        .call(
            "/api/public/join",
            &pairs(&with(
                join_form(&token, "", "123", &adult),
                &[("consent", ""), ("gender", "x"), ("birth_month", "13")],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("name", "required"),
            ("phone", "invalid_phone"),
            ("consent", "consent_required"),
            ("gender", "invalid_choice"),
            ("birth_month", "invalid_number"),
        ],
    );
    // A youth on another cadre's roster is not moved by accepting.
    let elsewhere = phone_of(&w.admin, w.b.youths[0]).await;
    ok(
        &public,
        "/api/public/join",
        &pairs(&join_form(&token, "王芳", &elsewhere, &adult)),
    )
    .await;
    let queue = pending(a).await;
    let row = queue
        .iter()
        .find(|r| r["phone"] == elsewhere.as_str())
        .unwrap();
    assert_eq!(row["holder"], "elsewhere");
    let res = a
        .app
        .call(
            "/api/enrol/decide",
            &[
                ("request_id", &rid()),
                ("id", &row["id"].to_string()),
                ("decision", "accept"),
            ],
        )
        .await;
    assert_invalid(res, "id", "youth_elsewhere").await;
    // Replaced: the old link is a 404 at once, the new one works.
    let new = ok(&a.app, "/api/enrol/regenerate", &[("request_id", &rid())]).await;
    let new_token = new.as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    assert_ne!(new_token, token);
    assert_eq!(
        public.get(&format!("/j/{token}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = public
        .call(
            "/api/public/join",
            &pairs(&join_form(&token, "周杰", "13955557777", &adult)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = public.page(&format!("/j/{new_token}")).await;
    assert!(page.contains("加入联系"), "{page}");
    // A deactivated cadre's link stops working.
    app::model::entities::account::Entity::update_many()
        .col_expr(
            app::model::entities::account::Column::Active,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(app::model::entities::account::Column::Id.eq(a.id))
        .exec(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(
        public.get(&format!("/j/{new_token}")).await.status(),
        StatusCode::NOT_FOUND
    );
}
db_test!(the_enrolment_link_matches_phones_and_can_be_replaced);

async fn the_public_pages_work_without_javascript(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let id = created(
        &a.app,
        "/api/activities/create",
        &activity_form("<script>alert(1)</script>读书会", &[]),
    )
    .await;
    let code = code_of(a, id).await.replace('-', "");
    let public = w.admin.session();
    let page = public.page(&format!("/a/{code}")).await;
    assert!(page.contains("个人信息处理告知"), "the notice is shown");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;读书会"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)"));
    // A plain form post lands on the page's success note.
    let res = public
        .submit(
            &format!("/a/{code}"),
            "/api/public/checkin",
            &checkin(&code, "韩梅梅", "13966667777"),
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/a/{code}?done=1"));
    let done = public.page(&location).await;
    assert!(done.contains("签到成功"), "{done}");
    // A failed one comes back to the form with its message and what was typed.
    let res = public
        .submit(
            &format!("/a/{code}"),
            "/api/public/checkin",
            &[
                ("code", code.as_str()),
                ("name", "韩梅梅"),
                ("phone", "139"),
                ("consent", ""),
            ],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    let again = public.page(&back).await;
    assert!(
        again.contains("请阅读并勾选同意个人信息处理告知"),
        "{again}"
    );
    assert!(again.contains("value=\"韩梅梅\""), "{again}");
    // A code typed by hand on `/a`, as shown (dashes, small letters): on to its page.
    let typed = code_of(a, id).await.to_lowercase();
    let res = public.get(&format!("/a?code={typed}")).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], format!("/a/{code}").as_str());
    let wrong = public.page("/a?code=12345").await;
    assert!(wrong.contains("签到码无效"), "{wrong}");
    assert!(public.page("/a").await.contains("前往签到"));
    // The cadre's page shows the code as an SVG QR code and the address.
    let mine = a.app.page(&format!("/activities/{id}")).await;
    assert!(mine.contains("<svg"), "a QR code");
    let public_url = a
        .app
        .state
        .settings
        .public_url
        .trim_end_matches('/')
        .to_owned();
    assert!(mine.contains(&format!("{public_url}/a/")), "the address");
}
db_test!(the_public_pages_work_without_javascript);

async fn the_ledgers_dashboard_and_drill_down_count_the_activities(app: TestApp) {
    use crate::exports::{download, exported, open_book, poppler, supervisor, table, text};
    let w = setup(app).await;
    let a = &w.a;
    let id = created(
        &a.app,
        "/api/activities/create",
        &with(
            activity_form("=HYPERLINK(\"x\")读书会", &[a.youths[0], a.youths[1]]),
            &[("kind", "lecture"), ("org_id", &a.org.to_string())],
        ),
    )
    .await;
    // A second activity reaching one of the same youths: 3 attendances, 2 youths.
    created(
        &a.app,
        "/api/activities/create",
        &activity_form("志愿服务", &[a.youths[0]]),
    )
    .await;
    let code = code_of(a, id).await;
    ok(
        &w.admin.session(),
        "/api/public/checkin",
        &checkin(&code, "新朋友", "13977778888"),
    )
    .await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = app::rules::Quarter::of(today());
    // The dashboard's period figures and the drill-down: the same numbers.
    let dash = ok(
        &sup,
        "/api/supervise/dashboard",
        &[("period", &quarter.key())],
    )
    .await;
    let reach = &dash["tiles"]["activities"];
    assert_eq!(
        (&reach["held"], &reach["attendances"], &reach["youths"]),
        (&Value::from(2), &Value::from(3), &Value::from(2)),
        "{reach}"
    );
    let drill = ok(
        &sup,
        "/api/supervise/cadre",
        &[("id", &a.id.to_string()), ("period", &quarter.key())],
    )
    .await;
    assert_eq!(drill["reach"], *reach);
    assert_eq!(drill["activities"].as_array().unwrap().len(), 2);
    let page = sup.page(&format!("/supervise/cadres/{}", a.id)).await;
    assert!(
        page.contains("活动 2 场，覆盖 3 人次、2 名青年"),
        "the drill-down"
    );
    // 活动台账, read back.
    let (_, status) = exported(&sup, &quarter, "xlsx").await;
    assert_eq!(status["state"], "done", "{status}");
    let mut book = open_book(download(&sup, status["url"].as_str().unwrap()).await);
    let t = table(&mut book, "活动台账");
    assert_eq!(
        t.headers,
        [
            "序号",
            "日期",
            "活动名称",
            "类型",
            "地点",
            "基层团组织",
            "团干部",
            "所属组织",
            "参加人次",
            "扫码签到人数"
        ]
    );
    assert_eq!(t.rows.len(), 2);
    let row = t
        .rows
        .iter()
        .find(|r| text(&r[t.col("活动名称")]).contains("读书会"))
        .expect("the lecture");
    assert_eq!(
        text(&row[t.col("活动名称")]),
        "'=HYPERLINK(\"x\")读书会",
        "formula-looking text stays text"
    );
    assert_eq!(text(&row[t.col("类型")]), "宣讲");
    assert_eq!(text(&row[t.col("基层团组织")]), SCHOOL);
    assert_eq!(text(&row[t.col("所属组织")]), STREET);
    assert_eq!(text(&row[t.col("参加人次")]), "2");
    assert_eq!(
        text(&row[t.col("扫码签到人数")]),
        "0",
        "the new friend is not yet accepted"
    );
    // The PDF's line for the street.
    let (_, status) = exported(&sup, &quarter, "pdf").await;
    assert_eq!(status["state"], "done", "{status}");
    let pdf = download(&sup, status["url"].as_str().unwrap()).await;
    let words = poppler("pdftotext", &pdf, &["-layout"], &["-"]);
    assert!(
        words.contains("活动 2 场，覆盖 3 人次、2 名青年"),
        "{words}"
    );
}
db_test!(the_ledgers_dashboard_and_drill_down_count_the_activities);
