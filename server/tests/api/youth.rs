//! The roster and youth profiles: add, edit, list, filter, search; a cadre sees only their own.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::json;

async fn a_cadre_adds_a_youth_once_and_finds_them_on_the_roster_and_profile(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let org = a.org.to_string();
    let birth_year = (today().year() - 22).to_string();
    let form = with(
        youth_form("赵敏"),
        &[
            ("gender", "male"),
            ("birth_year", &birth_year),
            ("phone", "139 1234-5678"),
            ("wechat", "zhaomin88"),
            ("org_id", &org),
            ("workplace", "高三（2）班"),
            ("sector", "student"),
            ("political_status", "party_member"),
            ("tags", "志愿者"),
            ("notes", "喜欢篮球"),
        ],
    );
    let first = add_youth(&a.app, &form).await;
    let again = add_youth(&a.app, &form).await;
    assert_eq!(first, again, "a resend stores one youth");
    assert_eq!(w.admin.count("youths").await, 4);
    assert_eq!(w.admin.count("assignments").await, 4);

    let roster = roster(a, "all", "").await;
    assert_eq!(roster["total"], 3);
    assert_eq!(roster["target"], 100);
    let e = entry(&roster, first).expect("the new youth is on the roster");
    assert_eq!(e["name"], "赵敏");
    assert_eq!(e["gender"], "Male");
    assert_eq!(e["sector"], "Student");
    assert_eq!(e["workplace"], SCHOOL, "the organisation's name");
    assert_eq!(e["last_contact"], json!(null));
    assert_eq!(e["days"], 0);
    assert_eq!(e["status"], "Ok");

    let p = profile(a, first).await;
    let y = &p["youth"];
    assert_eq!(y["id"], first);
    assert_eq!(y["name"], "赵敏");
    assert_eq!(
        y["phone"], "13912345678",
        "stored without spaces and dashes"
    );
    assert_eq!(y["wechat"], "zhaomin88");
    assert_eq!(y["birth_year"], today().year() - 22);
    assert_eq!(y["org_id"], a.org);
    assert_eq!(y["workplace"], SCHOOL);
    assert_eq!(y["workplace_other"], "高三（2）班");
    assert_eq!(y["political_status"], "PartyMember");
    assert_eq!(y["tags"], "志愿者");
    assert_eq!(y["notes"], "喜欢篮球");
    assert_eq!(y["assigned_on"], day(today()));
    assert_eq!(p["status"], "Ok");
    assert_eq!(p["days"], 0);
    assert_eq!(p["contacts"], json!([]));

    // A youth with a workplace only shows the workplace typed in.
    let market = entry(&roster, a.youths[1]).unwrap();
    assert_eq!(market["workplace"], "河东菜市场");
    // The other cadre's roster is their own.
    let theirs = crate::cadre::roster(&w.b, "all", "").await;
    assert_eq!(names(&theirs), ["王芳"]);
    assert_eq!(theirs["total"], 1);
}
db_test!(a_cadre_adds_a_youth_once_and_finds_them_on_the_roster_and_profile);

async fn bad_youth_input_gets_field_messages(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let street = w.street.to_string();
    let res = a
        .app
        .call(
            "/api/youth/create",
            &pairs(&with(
                youth_form(" "),
                &[
                    ("request_id", "not-a-uuid"),
                    ("gender", "unknown"),
                    ("birth_year", "1900"),
                    ("phone", "12345"),
                    ("org_id", &street),
                    ("sector", ""),
                    ("political_status", "king"),
                    ("notes", &"长".repeat(1001)),
                ],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("request_id", "invalid_request_id"),
            ("name", "required"),
            ("gender", "invalid_choice"),
            ("birth_year", "invalid_number"),
            ("phone", "invalid_phone"),
            ("org_id", "invalid_choice"),
            ("sector", "required"),
            ("political_status", "invalid_choice"),
            ("notes", "too_long"),
        ],
    );
    assert_eq!(
        field_error(&err, "name").unwrap()["message"],
        "请填写此项",
        "messages in the cadre's language"
    );
    assert_eq!(echoed(&err, "phone"), Some("12345"), "what was typed stays");
    assert_eq!(echoed(&err, "political_status"), Some("king"));

    for (phone, code) in [
        ("", "required"),
        ("23800138000", "invalid_phone"),
        ("1380013800", "invalid_phone"),
        ("138001380001", "invalid_phone"),
    ] {
        let res = a
            .app
            .call(
                "/api/youth/create",
                &pairs(&with(youth_form("陈晨"), &[("phone", phone)])),
            )
            .await;
        assert_invalid(res, "phone", code).await;
    }
    let res = a
        .app
        .call(
            "/api/youth/create",
            &pairs(&with(
                youth_form("陈晨"),
                &[
                    ("org_id", "abc"),
                    ("gender", ""),
                    ("birth_year", "nineteen"),
                ],
            )),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(
        &err,
        &[
            ("org_id", "invalid_choice"),
            ("gender", "required"),
            ("birth_year", "invalid_number"),
        ],
    );
    assert_eq!(w.admin.count("youths").await, 3, "nothing stored");
    assert_eq!(w.admin.count("assignments").await, 3);
}
db_test!(bad_youth_input_gets_field_messages);

async fn a_cadre_edits_their_youth_and_the_profile_shows_it(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let id = a.youths[1];
    let (id_s, org) = (id.to_string(), a.org.to_string());
    let form = with(
        youth_form("李娜娜"),
        &[
            ("id", &id_s),
            ("org_id", &org),
            ("phone", "137-0013-7000"),
            ("sector", "enterprise"),
            ("notes", "已转到学校工作"),
        ],
    );
    let answered = ok(&a.app, "/api/youth/update", &pairs(&form)).await;
    assert_eq!(answered, id);
    let p = profile(a, id).await;
    assert_eq!(p["youth"]["name"], "李娜娜");
    assert_eq!(p["youth"]["phone"], "13700137000");
    assert_eq!(p["youth"]["org_id"], a.org);
    assert_eq!(p["youth"]["workplace"], SCHOOL);
    assert_eq!(p["youth"]["sector"], "Enterprise");
    assert_eq!(p["youth"]["notes"], "已转到学校工作");
    assert_eq!(
        p["youth"]["assigned_on"],
        day(today()),
        "an edit keeps the assignment"
    );
    let roster = roster(a, "all", "").await;
    assert_eq!(entry(&roster, id).unwrap()["name"], "李娜娜");
    assert_eq!(roster["total"], 2, "an edit adds no youth");
    assert_eq!(w.admin.count("youths").await, 3);

    let res = a
        .app
        .call(
            "/api/youth/update",
            &pairs(&with(form.clone(), &[("phone", "abc"), ("name", "")])),
        )
        .await;
    let err = invalid(res).await;
    assert_codes(&err, &[("phone", "invalid_phone"), ("name", "required")]);
    assert_eq!(
        profile(a, id).await["youth"]["name"],
        "李娜娜",
        "a bad edit changes nothing"
    );
    for bad_id in ["", "abc", "999999"] {
        let res = a
            .app
            .call(
                "/api/youth/update",
                &pairs(&with(form.clone(), &[("id", bad_id)])),
            )
            .await;
        assert_status(res, StatusCode::NOT_FOUND).await;
    }
}
db_test!(a_cadre_edits_their_youth_and_the_profile_shows_it);

async fn another_cadres_youth_is_not_found(app: TestApp) {
    let w = setup(app).await;
    let (a, b) = (&w.a, &w.b);
    let theirs = b.youths[0];
    let id = theirs.to_string();
    let res = a.app.call("/api/youth/get", &[("id", &id)]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    let res = a
        .app
        .call(
            "/api/youth/update",
            &pairs(&with(youth_form("被改掉"), &[("id", &id)])),
        )
        .await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    assert_eq!(
        profile(b, theirs).await["youth"]["name"],
        "王芳",
        "unchanged"
    );
    let res = a.app.call("/api/youth/get", &[("id", "999999")]).await;
    assert_status(res, StatusCode::NOT_FOUND).await;
    assert!(entry(&roster(a, "all", "王").await, theirs).is_none());

    // Resending another cadre's request id is refused: it neither adds a youth nor reveals theirs.
    let form = youth_form("孙悦");
    let mine = add_youth(&b.app, &form).await;
    let res = a.app.call("/api/youth/create", &pairs(&form)).await;
    assert_invalid(res, "request_id", "request_reused").await;
    assert_eq!(w.admin.count("youths").await, 4);
    assert!(entry(&roster(a, "all", "").await, mine).is_none());
}
db_test!(another_cadres_youth_is_not_found);

async fn only_cadres_have_a_roster(app: TestApp) {
    let w = setup(app).await;
    let admin = &w.admin;
    let youth = w.a.youths[0].to_string();
    for (endpoint, form) in [
        ("/api/youth/roster", vec![("filter", "all"), ("q", "")]),
        ("/api/youth/get", vec![("id", youth.as_str())]),
        ("/api/youth/orgs", vec![]),
    ] {
        let res = admin.call(endpoint, &form).await;
        assert_status(res, StatusCode::FORBIDDEN).await;
    }
    let res = admin
        .call("/api/youth/create", &pairs(&youth_form("管理员的青年")))
        .await;
    assert_status(res, StatusCode::FORBIDDEN).await;
    assert_eq!(admin.count("youths").await, 3);
    let stranger = admin.session();
    let res = stranger.call("/api/youth/roster", &[]).await;
    assert_status(res, StatusCode::UNAUTHORIZED).await;
}
db_test!(only_cadres_have_a_roster);

async fn the_roster_filters_by_contact_status_and_searches_by_name(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let (zhang, li) = (a.youths[0], a.youths[1]);
    let never = roster(a, "never", "").await;
    assert_eq!(never["never"], 2);
    assert_eq!(never["due"], 0);
    assert_eq!(never["overdue"], 0);
    assert_eq!(names(&never).len(), 2, "nobody was contacted yet");
    for id in [zhang, li] {
        let e = entry(&never, id).unwrap();
        assert_eq!(e["status"], "Ok", "assigned today: not due yet");
        assert_eq!(e["days"], 0);
    }
    for filter in ["due", "overdue"] {
        let r = roster(a, filter, "").await;
        assert_eq!(r["entries"], json!([]), "{filter}");
        assert_eq!(r["total"], 2, "counts are over the whole roster");
    }
    assert_eq!(names(&roster(a, "bogus", "").await).len(), 2, "as `all`");

    assert_eq!(names(&roster(a, "all", "张").await), ["张伟"]);
    assert_eq!(names(&roster(a, "all", " 李娜 ").await), ["李娜"]);
    let none = roster(a, "all", "王芳").await;
    assert_eq!(none["entries"], json!([]), "another cadre's youth");
    assert_eq!(none["total"], 2);

    created(&a.app, "/api/contacts/create", &contact_form(zhang)).await;
    let never = roster(a, "never", "").await;
    assert_eq!(names(&never), ["李娜"]);
    assert_eq!(never["never"], 1);
    let all = roster(a, "all", "").await;
    let e = entry(&all, zhang).unwrap();
    assert_eq!(e["last_contact"], day(today()));
    assert_eq!(e["status"], "Ok");
    assert_eq!(e["days"], 0);
    assert_eq!(names(&roster(a, "never", "张").await).len(), 0);
}
db_test!(the_roster_filters_by_contact_status_and_searches_by_name);

async fn a_youth_may_belong_to_any_grassroots_organisation_of_the_district(app: TestApp) {
    let w = setup(app).await;
    let choices = ok(&w.a.app, "/api/youth/orgs", &[]).await;
    let listed: Vec<(i64, String)> = serde_json::from_value(choices).unwrap();
    assert!(
        listed.contains(&(w.a.org, format!("{SCHOOL}（我的联系点）"))),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(w.b.org, COMPANY.to_owned())),
        "not only the paired ones"
    );
    assert!(
        listed.iter().all(|(id, _)| *id != w.street),
        "a working committee is no grassroots organisation"
    );
    assert_eq!(listed.len(), 2);
    // A youth of the other cadre's organisation is fine.
    let org = w.b.org.to_string();
    let id = add_youth(&w.a.app, &with(youth_form("周杰"), &[("org_id", &org)])).await;
    assert_eq!(profile(&w.a, id).await["youth"]["workplace"], COMPANY);
}
db_test!(a_youth_may_belong_to_any_grassroots_organisation_of_the_district);

async fn a_double_tap_on_add_youth_stores_one_youth_and_answers_every_send(app: TestApp) {
    let w = setup(app).await;
    for name in ["钱多多", "孙小美", "阿土仔"] {
        let form = youth_form(name);
        let id = created_at_once(&w.a.app, "/api/youth/create", &form).await;
        assert_eq!(
            entry(&roster(&w.a, "all", name).await, id).unwrap()["name"],
            name
        );
    }
    assert_eq!(w.admin.count("youths").await, 6);
    assert_eq!(w.admin.count("assignments").await, 6);
}
db_test!(a_double_tap_on_add_youth_stores_one_youth_and_answers_every_send);

async fn a_malformed_record_id_is_a_client_error_not_a_server_error(app: TestApp) {
    let w = setup(app).await;
    let mut answers = Vec::new();
    for endpoint in [
        "/api/youth/get",
        "/api/contacts/get",
        "/api/visits/get",
        "/api/suggestions/get",
    ] {
        for form in [vec![("id", "abc")], vec![("id", "")], vec![]] {
            let res = w.a.app.call(endpoint, &form).await;
            answers.push((endpoint, form, res.status()));
        }
    }
    // The edit endpoints answer 404 for an id that is no number; the read endpoints must not
    // answer 500, which says the server failed.
    assert!(
        answers
            .iter()
            .all(|(_, _, status)| status.is_client_error()),
        "{answers:?}"
    );
}
db_test!(a_malformed_record_id_is_a_client_error_not_a_server_error);

async fn one_youth_per_phone_number_and_the_own_paired_organisations_come_first(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let first = add_youth(
        &a.app,
        &with(youth_form("林一"), &[("phone", "13912345678")]),
    )
    .await;
    // The same number again, typed another way: refused by the field, naming who has it.
    let res = a
        .app
        .call(
            "/api/youth/create",
            &pairs(&with(youth_form("林二"), &[("phone", "139-1234-5678")])),
        )
        .await;
    let err = assert_invalid(res, "phone", "phone_taken").await;
    assert!(err.to_string().contains("林一"), "{err}");
    // On another cadre's roster: refused without naming anyone.
    let res =
        w.b.app
            .call(
                "/api/youth/create",
                &pairs(&with(youth_form("林三"), &[("phone", "13912345678")])),
            )
            .await;
    let err = assert_invalid(res, "phone", "phone_taken").await;
    assert!(!err.to_string().contains("林一"), "{err}");
    assert_eq!(w.admin.count("youths").await, 4, "no second copy");
    // Editing a youth keeps its own number.
    let id = first.to_string();
    let res = a
        .app
        .call(
            "/api/youth/update",
            &pairs(&with(
                youth_form("林一一"),
                &[("id", &id), ("phone", "13912345678")],
            )),
        )
        .await;
    assert_status(res, StatusCode::OK).await;
    // Moving the number onto another youth of the roster is refused too.
    let other = a.youths[0].to_string();
    let res = a
        .app
        .call(
            "/api/youth/update",
            &pairs(&with(
                youth_form("张伟"),
                &[("id", &other), ("phone", "13912345678")],
            )),
        )
        .await;
    assert_invalid(res, "phone", "phone_taken").await;

    // The organisations a youth may belong to: the cadre's paired one first, marked.
    let orgs = ok(&a.app, "/api/youth/orgs", &[]).await;
    assert_eq!(orgs[0][0], a.org, "{orgs}");
    assert!(
        orgs[0][1].as_str().unwrap().contains("我的联系点"),
        "{orgs}"
    );
    assert!(orgs.as_array().unwrap().len() > 1);
}
db_test!(one_youth_per_phone_number_and_the_own_paired_organisations_come_first);
