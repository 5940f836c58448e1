//! Personal information as the PIPL asks: a basis and a notice per youth, a guardian's consent
//! under 14 (the form and the import), reveals with a reason on the record, withdrawal, rights
//! requests (a copy, a correction, deletion as anonymisation, a refusal) and retention.

use crate::cadre::*;
use crate::db_test;
use crate::helpers::*;
use app::model::entities::{assignment, contact, youth};
use chrono::{Datelike, Duration};
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

async fn street_supervisor(w: &World) -> TestApp {
    w.admin
        .create_account("sup_priv", "supervisor", w.street, PASSWORD)
        .await;
    signed_in(&w.admin, "sup_priv", PASSWORD).await
}

async fn youth_row(w: &World, id: i64) -> youth::Model {
    youth::Entity::find_by_id(id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .expect("the youth")
}

fn codes(err: &Value) -> Vec<(String, String)> {
    err["Invalid"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn a_youth_under_14_is_saved_only_with_a_guardians_consent(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a.app;
    let year = today().year();
    // Twelve years old: the guardian's name, relationship and date are each asked for.
    let child = with(
        youth_form("小明"),
        &[
            ("birth_year", &(year - 12).to_string()),
            ("phone", "13600000012"),
        ],
    );
    let res = a.call("/api/youth/create", &pairs(&child)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    for field in ["guardian_name", "guardian_relation", "guardian_consent_on"] {
        assert!(
            codes(&err).contains(&(field.to_owned(), "guardian_required".to_owned())),
            "{field}: {err}"
        );
        assert!(field_error(&err, field).unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("监护人同意"));
    }
    assert_eq!(w.admin.count("youths").await, 3, "nothing saved");
    // A consent dated tomorrow is no consent yet.
    let tomorrow = day(today() + Duration::days(1));
    let res = a
        .call(
            "/api/youth/create",
            &pairs(&with(
                child.clone(),
                &[
                    ("guardian_name", "王丽"),
                    ("guardian_relation", "mother"),
                    ("guardian_consent_on", &tomorrow),
                ],
            )),
        )
        .await;
    let err = error_of(res).await;
    assert_eq!(
        codes(&err),
        vec![("guardian_consent_on".to_owned(), "date_future".to_owned())]
    );
    let with_consent = with(
        child,
        &[
            ("guardian_name", "王丽"),
            ("guardian_relation", "mother"),
            ("guardian_consent_on", &day(today())),
        ],
    );
    let id = add_youth(a, &with_consent).await;
    let y = youth_row(&w, id).await;
    assert_eq!(y.guardian_name.as_deref(), Some("王丽"));
    assert_eq!(y.guardian_relation.as_deref(), Some("mother"));
    assert_eq!(y.guardian_consent_on, Some(today()));
    assert_eq!(y.notice_version, Some(1));
    assert_eq!(y.basis, "duty");
    assert_eq!(y.basis_recorded_by, Some(w.a.id));
    // The roster marks them; the profile shows the consent.
    let roster = ok(a, "/api/youth/roster", &[("filter", "all"), ("q", "")]).await;
    let marked: Vec<(i64, bool)> = roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_i64().unwrap(), e["minor"].as_bool().unwrap()))
        .collect();
    assert!(marked.contains(&(id, true)), "{marked:?}");
    assert!(marked.iter().filter(|(i, _)| *i != id).all(|(_, m)| !m));
    let page = a.page(&format!("/youth/{id}")).await;
    assert!(page.contains("王丽") && page.contains("未满14岁"), "{page}");

    // Born fourteen years ago: the month decides, so it is asked for.
    let fourteen = with(
        youth_form("小红"),
        &[
            ("birth_year", &(year - 14).to_string()),
            ("phone", "13600000014"),
        ],
    );
    let err = error_of(a.call("/api/youth/create", &pairs(&fourteen)).await).await;
    assert_eq!(
        codes(&err),
        vec![("birth_month".to_owned(), "birth_month_needed".to_owned())]
    );
    // Born in a month already past this year: 14, no guardian needed (and none kept).
    let month = today().month();
    if month > 1 {
        let past = (month - 1).to_string();
        let id = add_youth(
            a,
            &with(
                fourteen.clone(),
                &[
                    ("request_id", &rid()),
                    ("birth_month", &past),
                    ("guardian_name", "不需要"),
                ],
            ),
        )
        .await;
        let y = youth_row(&w, id).await;
        assert_eq!(y.birth_month, Some(i16::try_from(month - 1).unwrap()));
        assert_eq!(y.guardian_name, None, "what is not needed is not kept");
    }
    // Born this very month fourteen years ago: maybe not 14 yet, so the careful side.
    let err = error_of(
        a.call(
            "/api/youth/create",
            &pairs(&with(
                fourteen,
                &[
                    ("request_id", &rid()),
                    ("birth_month", &month.to_string()),
                    ("phone", "13600000015"),
                ],
            )),
        )
        .await,
    )
    .await;
    assert!(
        codes(&err).contains(&("guardian_name".to_owned(), "guardian_required".to_owned())),
        "{err}"
    );
    // A notice version that does not exist is refused.
    let err = error_of(
        a.call(
            "/api/youth/create",
            &pairs(&with(youth_form("赵六"), &[("notice_version", "99")])),
        )
        .await,
    )
    .await;
    assert_eq!(
        codes(&err),
        vec![("notice_version".to_owned(), "invalid_choice".to_owned())]
    );
}
db_test!(a_youth_under_14_is_saved_only_with_a_guardians_consent);

async fn the_import_refuses_a_youth_under_14_without_a_guardian(app: TestApp) {
    let w = setup(app).await;
    let sup = crate::imports::supervisor(&w).await;
    let year = today().year();
    let header = format!(
        "{},出生月份,监护人姓名,监护人关系,监护人同意日期",
        crate::imports::HEADER
    );
    let csv = format!(
        "{header}\n\
         小刚,男,{young},13500000001,,,河东小学,学生,群众,cadre_a,,,3,,,\n\
         小丽,女,{young},13500000002,,,河东小学,学生,群众,cadre_a,,,3,李强,父亲,{today}\n\
         小华,女,{fourteen},13500000003,,,河东中学,学生,团员,cadre_a,,,,,,\n\
         大伟,男,{adult},13500000004,,,河东中学,学生,团员,cadre_a,,,,,,\n",
        young = year - 11,
        fourteen = year - 14,
        adult = year - 20,
        today = today(),
    );
    let run = crate::imports::checked(&sup, "minors.csv", csv.into_bytes()).await;
    let errors = run["errors"].as_array().unwrap();
    let at = |line: u64| -> Vec<String> {
        errors
            .iter()
            .filter(|e| e["line"] == line)
            .map(|e| e["column"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        at(2),
        vec!["监护人姓名", "监护人关系", "监护人同意日期"],
        "{run}"
    );
    assert!(at(3).is_empty(), "{run}");
    assert_eq!(at(4), vec!["出生月份"], "{run}");
    assert!(at(5).is_empty(), "{run}");
    assert!(errors
        .iter()
        .any(|e| e["message"].as_str().unwrap().contains("监护人同意")));
    // All or nothing: the file with bad rows cannot be imported.
    assert_ne!(
        crate::imports::apply(&sup, &run).await.status(),
        StatusCode::OK
    );
    assert_eq!(w.admin.count("youths").await, 3);
    // The good rows alone import, the guardian's consent with them.
    let csv = format!(
        "{header}\n\
         小丽,女,{young},13500000002,,,河东小学,学生,群众,cadre_a,,,3,李强,父亲,{today}\n",
        young = year - 11,
        today = today(),
    );
    let run = crate::imports::checked(&sup, "minor.csv", csv.into_bytes()).await;
    assert_status(crate::imports::apply(&sup, &run).await, StatusCode::OK).await;
    let y = youth::Entity::find()
        .filter(youth::Column::Phone.eq("13500000002"))
        .one(&w.admin.db)
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(y.guardian_name.as_deref(), Some("李强"));
    assert_eq!(y.guardian_relation.as_deref(), Some("father"));
    assert_eq!(y.birth_month, Some(3));
    assert_eq!(y.basis, "duty", "the default basis");
}
db_test!(the_import_refuses_a_youth_under_14_without_a_guardian);

async fn a_reveal_needs_a_reason_reaches_the_audit_trail_and_stays_in_scope(app: TestApp) {
    let w = setup(app).await;
    let youth = w.a.youths[0];
    let id = youth.to_string();
    // A WeChat ID to reveal too.
    youth::Entity::update_many()
        .col_expr(youth::Column::Wechat, Expr::value("wxid_zhangwei88"))
        .filter(youth::Column::Id.eq(youth))
        .exec(&w.admin.db)
        .await
        .unwrap();
    let full = youth_row(&w, youth).await.phone;
    let sup = street_supervisor(&w).await;
    // Masked on the supervisor's drill-down: no full number anywhere in it.
    let detail = ok(&sup, "/api/supervise/cadre", &[("id", &w.a.id.to_string())]).await;
    let text = detail.to_string();
    assert!(
        !text.contains(&full) && !text.contains("wxid_zhangwei88"),
        "{text}"
    );
    let row = detail["roster"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == youth)
        .unwrap();
    assert_eq!(row["phone"], app::types::mask_phone(&full));
    assert_eq!(row["wechat"], "wx****88");
    let page = sup.page(&format!("/supervise/cadres/{}", w.a.id)).await;
    assert!(!page.contains(&full) && page.contains("查看完整号码"));

    // No reason, no number.
    let res = sup
        .call(
            "/api/youth/reveal",
            &[("id", &id), ("field", "phone"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    assert!(field_error(&err, "reason").is_some(), "{err}");
    let shown = ok(
        &sup,
        "/api/youth/reveal",
        &[
            ("id", &id),
            ("field", "phone"),
            ("reason", "核实后电话联系"),
        ],
    )
    .await;
    assert_eq!(shown, full);
    let wechat = ok(
        &sup,
        "/api/youth/reveal",
        &[("id", &id), ("field", "wechat"), ("reason", "加微信回访")],
    )
    .await;
    assert_eq!(wechat, "wxid_zhangwei88");
    // A plain form's answer would be lost in the redirect: refused, and not recorded.
    let res = sup
        .client
        .post(sup.url("/api/youth/reveal"))
        .header(reqwest::header::ACCEPT, "text/html")
        .form(&[
            ("id", id.as_str()),
            ("field", "phone"),
            ("reason", "无脚本"),
        ])
        .send()
        .await
        .unwrap();
    assert!(!res.text().await.unwrap().contains(&full));

    // Out of reach: another cadre's youth for a cadre, another street's for a supervisor, and
    // nothing for the security administrator or the auditor.
    let asked = [("id", id.as_str()), ("field", "phone"), ("reason", "看看")];
    assert_status(
        w.b.app.call("/api/youth/reveal", &asked).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let root = w.admin.root_org().await;
    let west = w
        .admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    w.admin
        .create_account("sup_west", "supervisor", west, PASSWORD)
        .await;
    let west_sup = signed_in(&w.admin, "sup_west", PASSWORD).await;
    assert_status(
        west_sup.call("/api/youth/reveal", &asked).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for role in ["secadmin", "auditor"] {
        let s = signed_in(&w.admin, role, ADMIN_PASSWORD).await;
        assert_status(
            s.call("/api/youth/reveal", &asked).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // The youth's own cadre may (they see it on the profile anyway).
    assert_eq!(ok(&w.a.app, "/api/youth/reveal", &asked).await, full);

    // The auditor lists the reveals of this youth: who, what and why.
    let auditor = signed_in(&w.admin, "auditor", ADMIN_PASSWORD).await;
    let object = format!("youth:{youth}");
    let page = ok(
        &auditor,
        "/api/audit/list",
        &[("event", "reveal"), ("object", &object)],
    )
    .await;
    let rows = page["rows"].as_array().unwrap();
    let details: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["actor"].as_str().unwrap(), r["details"].as_str().unwrap()))
        .collect();
    assert_eq!(
        details,
        vec![
            ("cadre_a", "field=phone; reason=看看"),
            ("sup_priv", "field=wechat; reason=加微信回访"),
            ("sup_priv", "field=phone; reason=核实后电话联系"),
        ]
    );
}
db_test!(a_reveal_needs_a_reason_reaches_the_audit_trail_and_stays_in_scope);

async fn a_withdrawn_youth_leaves_every_roster_and_nothing_new_is_recorded(app: TestApp) {
    let w = setup(app).await;
    let a = &w.a;
    let youth = a.youths[1];
    let phone = youth_row(&w, youth).await.phone;
    let form = vec![
        ("request_id", rid()),
        ("id", youth.to_string()),
        ("withdrawn_on", day(today())),
    ];
    // Not the other cadre's to record.
    assert_status(
        w.b.app.call("/api/youth/withdraw", &pairs(&form)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let first = created(&a.app, "/api/youth/withdraw", &form).await;
    assert_eq!(first, youth);
    assert_eq!(
        created(&a.app, "/api/youth/withdraw", &form).await,
        youth,
        "a resend is the same withdrawal"
    );
    let y = youth_row(&w, youth).await;
    assert_eq!(y.withdrawn_on, Some(today()));
    assert_eq!(y.cadre_id, None);
    let open = assignment::Entity::find()
        .filter(assignment::Column::YouthId.eq(youth))
        .filter(assignment::Column::EndedOn.is_null())
        .all(&w.admin.db)
        .await
        .unwrap();
    assert!(open.is_empty(), "on no roster");
    let roster = ok(&a.app, "/api/youth/roster", &[("filter", "all"), ("q", "")]).await;
    assert!(roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["id"] != youth));
    // Nothing new about them: no contact, no profile, no edit, no import.
    let err = error_of(
        a.app
            .call("/api/contacts/create", &pairs(&contact_form(youth)))
            .await,
    )
    .await;
    assert_eq!(
        codes(&err),
        vec![("youth_id".to_owned(), "not_your_youth".to_owned())]
    );
    assert_status(
        a.app
            .call("/api/youth/get", &[("id", &youth.to_string())])
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Their organisation is in the supervisor's subtree (else the row is merely out of scope).
    youth::Entity::update_many()
        .col_expr(youth::Column::OrgId, Expr::value(a.org))
        .filter(youth::Column::Id.eq(youth))
        .exec(&w.admin.db)
        .await
        .unwrap();
    let sup = crate::imports::supervisor(&w).await;
    let csv = format!(
        "{}\n回来的青年,女,,{phone},,,,学生,团员,cadre_b,,\n",
        crate::imports::HEADER
    );
    let run = crate::imports::checked(&sup, "back.csv", csv.into_bytes()).await;
    assert_eq!(run["duplicates"][0]["phone"], phone.as_str(), "{run}");
    assert!(run["duplicates"][0]["message"]
        .as_str()
        .unwrap()
        .contains("撤回同意"));
    // A supervisor cannot put them back on a roster: not listed among the unassigned of their
    // organisation, and refused by id.
    let unassigned = ok(
        &sup,
        "/api/roster/list",
        &[("org_id", &w.street.to_string()), ("cadre_id", "")],
    )
    .await;
    assert!(
        unassigned["youths"]
            .as_array()
            .unwrap()
            .iter()
            .all(|y| y["id"] != youth),
        "{unassigned}"
    );
    let res = sup
        .call(
            "/api/roster/reassign",
            &[
                ("request_id", &rid()),
                ("youth_ids", &youth.to_string()),
                ("to_cadre_id", &w.b.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The audit trail has it.
    let rows: Vec<app::model::entities::audit_log::Model> =
        app::model::entities::audit_log::Entity::find()
            .filter(app::model::entities::audit_log::Column::Action.eq("withdraw"))
            .all(&w.admin.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].entity_id, Some(youth));
}
db_test!(a_withdrawn_youth_leaves_every_roster_and_nothing_new_is_recorded);

/// A contact dated `on` for the cadre's youth, written straight in (as one logged then).
async fn contact_on(w: &World, youth: i64, on: chrono::NaiveDate, content: &str) {
    contact::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        youth_id: Set(youth),
        cadre_id: Set(w.a.id),
        contact_date: Set(on),
        channel: Set("face_to_face".to_owned()),
        online: Set(false),
        content: Set(content.to_owned()),
        request: Set(Some("想找实习岗位".to_owned())),
        request_status: Set(Some("open".to_owned())),
        resolution: Set(None),
        duration_minutes: Set(Some(30)),
        created_at: Set(chrono::Utc::now()),
        updated_at: Set(chrono::Utc::now()),
        late_approved_by: Set(None),
        ..Default::default()
    }
    .insert(&w.admin.db)
    .await
    .unwrap();
    app::model::roster::contacts_changed(&w.admin.db, youth)
        .await
        .unwrap();
}

async fn rights_requests_copy_correct_anonymise_and_refuse(app: TestApp) {
    let w = setup(app).await;
    let admin = &w.admin;
    let [zhang, li] = [w.a.youths[0], w.a.youths[1]];
    let last = app::rules::Quarter::of(today()).prev();
    // Both youths on cadre A's roster since the last quarter began, met in it.
    for y in [zhang, li] {
        assignment::Entity::update_many()
            .col_expr(assignment::Column::AssignedOn, Expr::value(last.start()))
            .filter(assignment::Column::YouthId.eq(y))
            .exec(&admin.db)
            .await
            .unwrap();
        youth::Entity::update_many()
            .col_expr(youth::Column::AssignedOn, Expr::value(last.start()))
            .filter(youth::Column::Id.eq(y))
            .exec(&admin.db)
            .await
            .unwrap();
    }
    contact_on(&w, zhang, last.start() + Duration::days(10), "聊了升学打算").await;
    contact_on(&w, li, last.start() + Duration::days(12), "李娜的实习").await;
    let sup = street_supervisor(&w).await;
    // The street signs the last quarter off: its figures are final from then on.
    ok(
        &sup,
        "/api/signoff/approve",
        &[
            ("request_id", &rid()),
            ("org_id", &w.street.to_string()),
            ("quarter", &last.key()),
            ("comment", ""),
        ],
    )
    .await;
    let figures = || async {
        let page = ok(
            &sup,
            "/api/supervise/dashboard",
            &[("org_id", &w.street.to_string()), ("period", &last.key())],
        )
        .await;
        assert!(!page["signoff"].is_null(), "{page}");
        page["cadres"].clone()
    };
    let before = figures().await;
    assert!(before.to_string().contains("\"contacted\":2"), "{before}");

    let request = |kind: &'static str| {
        vec![
            ("request_id", rid()),
            ("youth_id", zhang.to_string()),
            ("kind", kind.to_owned()),
            ("received_on", day(today())),
            ("note", "本人来电".to_owned()),
        ]
    };
    // Found by phone, masked.
    let phone = youth_row(&w, zhang).await.phone;
    let found = ok(admin, "/api/pi-requests/find", &[("q", &phone)]).await;
    assert_eq!(found[0]["id"], zhang);
    assert_eq!(found[0]["phone"], app::types::mask_phone(&phone));

    // A copy: everything held about 张伟 and nothing about 李娜.
    let copy = created(admin, "/api/pi-requests/create", &request("copy")).await;
    let stored = app::model::entities::pi_request::Entity::find_by_id(copy)
        .one(&admin.db)
        .await
        .unwrap()
        .unwrap();
    let calendar = app::model::policy::calendar(&admin.db, today(), today() + Duration::days(62))
        .await
        .unwrap();
    assert_eq!(
        stored.due_on,
        app::model::privacy::due_on(today(), 15, &calendar),
        "15 working days"
    );
    let res = admin
        .get(&format!("/pi-requests/{copy}/copy?format=json"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["个人信息"]["姓名"], "张伟");
    assert_eq!(
        json["个人信息"]["手机号"],
        phone.as_str(),
        "their own number, in full"
    );
    assert_eq!(json["联系记录"].as_array().unwrap().len(), 1);
    assert_eq!(json["联系记录"][0]["内容"], "聊了升学打算");
    assert_eq!(json["分配记录"][0]["团干部"], CADRE_NAME);
    assert_eq!(json["权利请求"][0]["类型"], "查阅复制");
    let text = json.to_string();
    assert!(!text.contains("李娜"), "nothing of another youth: {text}");
    let res = admin
        .get(&format!("/pi-requests/{copy}/copy?format=xlsx"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let sheets = {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = book.sheet_names().to_vec();
        let contacts = book.worksheet_range("联系记录").unwrap();
        let cells: Vec<String> = contacts
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        (names, cells)
    };
    assert_eq!(sheets.0, ["个人信息", "分配记录", "联系记录", "权利请求"]);
    assert!(
        sheets.1.contains(&"聊了升学打算".to_owned()),
        "{:?}",
        sheets.1
    );
    // Nobody else downloads it.
    assert_eq!(
        w.a.app
            .get(&format!("/pi-requests/{copy}/copy"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sup.get(&format!("/pi-requests/{copy}/copy")).await.status(),
        StatusCode::NOT_FOUND
    );
    // The action must fit the request; then it is done once.
    let act = |id: i64, action: &'static str, comment: &'static str| {
        vec![
            ("request_id", rid()),
            ("id", id.to_string()),
            ("action", action.to_owned()),
            ("comment", comment.to_owned()),
        ]
    };
    let err = error_of(
        admin
            .call("/api/pi-requests/act", &pairs(&act(copy, "anonymise", "")))
            .await,
    )
    .await;
    assert_eq!(
        codes(&err),
        vec![("action".to_owned(), "action_kind".to_owned())]
    );
    created(
        admin,
        "/api/pi-requests/act",
        &act(copy, "copy", "已当面交付"),
    )
    .await;
    let err = error_of(
        admin
            .call("/api/pi-requests/act", &pairs(&act(copy, "copy", "")))
            .await,
    )
    .await;
    assert_eq!(
        codes(&err),
        vec![("action".to_owned(), "closed".to_owned())]
    );

    // A correction: the workplace, with nothing else changed.
    let correct = created(admin, "/api/pi-requests/create", &request("correct")).await;
    let mut form = act(correct, "correct", "本人提供新单位");
    form.push(("workplace", "河东新材料公司".to_owned()));
    created(admin, "/api/pi-requests/act", &form).await;
    assert_eq!(
        youth_row(&w, zhang).await.workplace.as_deref(),
        Some("河东新材料公司")
    );

    // A refusal needs its reason.
    let refuse = created(admin, "/api/pi-requests/create", &request("delete")).await;
    let err = error_of(
        admin
            .call("/api/pi-requests/act", &pairs(&act(refuse, "refuse", "")))
            .await,
    )
    .await;
    assert_eq!(
        codes(&err),
        vec![("comment".to_owned(), "reason_required".to_owned())]
    );
    created(
        admin,
        "/api/pi-requests/act",
        &act(refuse, "refuse", "正在处理的诉求需保留记录"),
    )
    .await;

    // Deletion: anonymised; the closed quarter's figures stay as they were.
    let delete = created(admin, "/api/pi-requests/create", &request("delete")).await;
    created(admin, "/api/pi-requests/act", &act(delete, "anonymise", "")).await;
    let y = youth_row(&w, zhang).await;
    assert_eq!(y.name, "（已匿名）");
    assert_eq!(
        (y.phone.as_str(), y.wechat, y.workplace, y.birth_year),
        ("", None, None, None)
    );
    assert!(y.anonymised_at.is_some() && y.cadre_id.is_none());
    let kept: Vec<contact::Model> = contact::Entity::find()
        .filter(contact::Column::YouthId.eq(zhang))
        .all(&admin.db)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "the contact stays");
    assert_eq!(kept[0].contact_date, last.start() + Duration::days(10));
    assert_eq!(
        (kept[0].cadre_id, kept[0].channel.as_str()),
        (w.a.id, "face_to_face")
    );
    assert_eq!(
        (kept[0].content.as_str(), kept[0].request.as_deref()),
        ("", Some(""))
    );
    assert_eq!(
        figures().await,
        before,
        "the closed quarter's figures do not change"
    );
    let li_row = youth_row(&w, li).await;
    assert_eq!(li_row.name, "李娜", "nobody else is touched");

    // The list: four done or refused, none open; an overdue one is shown as such.
    let old = vec![
        ("request_id", rid()),
        ("youth_id", li.to_string()),
        ("kind", "copy".to_owned()),
        ("received_on", day(today() - Duration::days(40))),
        ("note", String::new()),
    ];
    let overdue = created(admin, "/api/pi-requests/create", &old).await;
    let list = ok(admin, "/api/pi-requests/list", &[("status", "overdue")]).await;
    assert_eq!(list["overdue"], 1);
    assert_eq!(list["rows"].as_array().unwrap().len(), 1);
    assert_eq!(list["rows"][0]["id"], overdue);
    assert_eq!(list["rows"][0]["overdue"], true);
    let all = ok(admin, "/api/pi-requests/list", &[("status", "")]).await;
    assert_eq!(all["rows"].as_array().unwrap().len(), 5);
    assert_eq!(all["rows"][0]["id"], overdue, "open first");
    let page = admin.page("/admin/pi-requests?status=overdue").await;
    assert!(page.contains("已超期"), "{page}");
    // Every step is on the record.
    for event in ["pi_act", "pi_copy"] {
        let n = app::model::entities::audit_log::Entity::find()
            .filter(app::model::entities::audit_log::Column::Action.eq(event))
            .all(&admin.db)
            .await
            .unwrap()
            .len();
        assert!(n >= 2, "{event}: {n}");
    }
}
db_test!(rights_requests_copy_correct_anonymise_and_refuse);

async fn retention_anonymises_once_and_respects_a_legal_hold(app: TestApp) {
    let w = setup(app).await;
    let admin = &w.admin;
    let [zhang, li] = [w.a.youths[0], w.a.youths[1]];
    // Both leave the roster; their assignments ended four years ago.
    for y in [zhang, li] {
        created(
            &w.a.app,
            "/api/youth/withdraw",
            &vec![
                ("request_id", rid()),
                ("id", y.to_string()),
                ("withdrawn_on", String::new()),
            ],
        )
        .await;
        assignment::Entity::update_many()
            .col_expr(
                assignment::Column::EndedOn,
                Expr::value(today() - Duration::days(4 * 366)),
            )
            .filter(assignment::Column::YouthId.eq(y))
            .exec(&admin.db)
            .await
            .unwrap();
    }
    // A hold on 李娜, with its reason.
    let err = error_of(
        admin
            .call(
                "/api/privacy/hold",
                &[("youth_id", &li.to_string()), ("reason", "")],
            )
            .await,
    )
    .await;
    assert!(field_error(&err, "reason").is_some());
    ok(
        admin,
        "/api/privacy/hold",
        &[
            ("youth_id", &li.to_string()),
            ("reason", "涉及信访案件，依法保留"),
        ],
    )
    .await;
    let view = ok(admin, "/api/privacy/notices", &[]).await;
    assert_eq!(view["holds"][0]["youth_id"], li);
    assert_eq!(view["retention_years"], 3);

    let swept = app::privacy::service::sweep(&admin.db, today(), "test-a")
        .await
        .unwrap();
    assert_eq!(swept, app::privacy::service::Sweep::Done { anonymised: 1 });
    assert!(youth_row(&w, zhang).await.anonymised_at.is_some());
    let held = youth_row(&w, li).await;
    assert!(held.anonymised_at.is_none() && held.name == "李娜");
    // Once a day, however many instances tick.
    let again = app::privacy::service::sweep(&admin.db, today(), "test-b")
        .await
        .unwrap();
    assert_eq!(again, app::privacy::service::Sweep::Claimed);
    let anonymised = app::model::entities::audit_log::Entity::find()
        .filter(app::model::entities::audit_log::Column::Action.eq("anonymise"))
        .all(&admin.db)
        .await
        .unwrap();
    assert_eq!(anonymised.len(), 1);
    assert_eq!(anonymised[0].entity_id, Some(zhang));
    // Released, 李娜 goes the next day; 王芳, still on a roster, stays.
    ok(
        admin,
        "/api/privacy/release",
        &[("youth_id", &li.to_string())],
    )
    .await;
    let next = app::privacy::service::sweep(&admin.db, today() + Duration::days(1), "test-a")
        .await
        .unwrap();
    assert_eq!(next, app::privacy::service::Sweep::Done { anonymised: 1 });
    assert!(youth_row(&w, li).await.anonymised_at.is_some());
    assert!(youth_row(&w, w.b.youths[0]).await.anonymised_at.is_none());
    // A shorter period in the settings; a youth off the roster for less than it stays.
    ok(
        admin,
        "/api/privacy/settings",
        &[("default_basis", "consent"), ("retention_years", "1")],
    )
    .await;
    let err = error_of(
        admin
            .call(
                "/api/privacy/settings",
                &[("default_basis", "duty"), ("retention_years", "0")],
            )
            .await,
    )
    .await;
    assert!(field_error(&err, "retention_years").is_some());
    let form = ok(&w.a.app, "/api/youth/privacy", &[]).await;
    assert_eq!(form["default_basis"], "Consent");
}
db_test!(retention_anonymises_once_and_respects_a_legal_hold);

async fn a_new_notice_is_shown_to_youths_recorded_after_it(app: TestApp) {
    let w = setup(app).await;
    let admin = &w.admin;
    let before = ok(&w.a.app, "/api/youth/privacy", &[]).await;
    assert_eq!(before["notice_version"], 1);
    assert!(before["notice"].as_str().unwrap().contains("个人信息"));
    let err = error_of(
        admin
            .call(
                "/api/privacy/notice-create",
                &[("request_id", &rid()), ("body", "  ")],
            )
            .await,
    )
    .await;
    assert!(field_error(&err, "body").is_some());
    let form = vec![
        ("request_id", rid()),
        ("body", "第二版告知：<script>x</script>".to_owned()),
    ];
    let v2 = ok(admin, "/api/privacy/notice-create", &pairs(&form)).await;
    assert_eq!(v2, 2);
    assert_eq!(
        ok(admin, "/api/privacy/notice-create", &pairs(&form)).await,
        2,
        "once"
    );
    let after = ok(&w.a.app, "/api/youth/privacy", &[]).await;
    assert_eq!(after["notice_version"], 2);
    let id = add_youth(
        &w.a.app,
        &with(youth_form("新青年"), &[("notice_version", "2")]),
    )
    .await;
    assert_eq!(youth_row(&w, id).await.notice_version, Some(2));
    // Those recorded before keep the version they were shown.
    assert_eq!(youth_row(&w, w.a.youths[0]).await.notice_version, Some(1));
    // The form shows the notice in force, as text.
    let page = w.a.app.page("/youth/new").await;
    assert!(
        page.contains("第 2 版") && page.contains("&lt;script&gt;"),
        "{page}"
    );
    let page = admin.page("/admin/privacy").await;
    assert!(
        page.contains("第 2 版") && !page.contains("<script>x"),
        "{page}"
    );
}
db_test!(a_new_notice_is_shown_to_youths_recorded_after_it);
