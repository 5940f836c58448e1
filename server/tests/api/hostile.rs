//! Hostile files and floods (issue 12): workbooks that would take the server down, dry runs
//! used to unmask phone numbers, plans applied after the tree changed, export floods, stored
//! runs, control characters, truncated uploads and unknown endpoints.

use crate::cadre::*;
use crate::helpers::{error_of, field_error, TestApp};
use crate::imports::{apply, checked, supervisor, upload, HEADER};
use app::model::entities::{export_job, import_run};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use std::io::Write;

#[path = "../../benches/common/xlsx.rs"]
mod xlsx;
use xlsx::{row, workbook};

fn header_and_one_youth(w: &mut dyn Write) {
    let header: Vec<&str> = HEADER.split(',').collect();
    row(w, 1, &header);
    row(
        w,
        2,
        &[
            "陈晨",
            "男",
            "",
            "13700000001",
            "",
            "",
            "",
            "学生",
            "团员",
            "cadre_a",
        ],
    );
}

fn file_message(err: &Value) -> String {
    field_error(err, "file")
        .map(|f| f["message"].as_str().unwrap_or("").to_owned())
        .unwrap_or_default()
}

async fn healthy(app: &TestApp) {
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

crate::db_test!(a_sparse_workbook_is_streamed_not_gridded_and_the_server_lives_on);
async fn a_sparse_workbook_is_streamed_not_gridded_and_the_server_lives_on(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    // One cell at XFD1048576: a grid would be 550 GB. The far column is past the template's
    // and is not read at all.
    let far = workbook(
        &|w| {
            header_and_one_youth(w);
            write!(
                w,
                "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
            )
            .unwrap();
        },
        None,
    );
    assert!(far.len() < 4096, "{}", far.len());
    let run = checked(&sup, "稀疏.xlsx", far).await;
    assert_eq!(
        (run["rows"].as_u64(), run["create"].as_u64()),
        (Some(1), Some(1)),
        "{run}"
    );
    healthy(&sup).await;
    // L1048576 is within the columns: that row is read, and named by its own line number.
    let low = workbook(
        &|w| {
            header_and_one_youth(w);
            write!(
                w,
                "<row r=\"1048576\"><c r=\"L1048576\" t=\"inlineStr\"><is><t>备注</t></is></c></row>"
            )
            .unwrap();
        },
        None,
    );
    let run = checked(&sup, "稀疏.xlsx", low).await;
    assert_eq!(run["rows"], 2, "{run}");
    assert!(
        run["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["line"] == 1_048_576 && e["column"] == "姓名"),
        "{run}"
    );
    healthy(&sup).await;
}

crate::db_test!(a_workbook_that_inflates_past_its_caps_is_refused_before_it_is_parsed);
async fn a_workbook_that_inflates_past_its_caps_is_refused_before_it_is_parsed(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    // 100 MB of shared strings (100,000 of 1,000 characters each) in a file of about 100 KB.
    let chunk = vec![b'a'; 1000];
    let bomb = workbook(
        &header_and_one_youth,
        Some(&|w| {
            for _ in 0..100_000 {
                write!(w, "<si><t>").unwrap();
                w.write_all(&chunk).unwrap();
                write!(w, "</t></si>").unwrap();
            }
        }),
    );
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let res = upload(&sup, "炸弹.xlsx", bomb).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(file_message(&error_of(res).await).contains("解压后过大"));
    // One cell longer than Excel allows, inline in the sheet.
    let long = workbook(
        &|w| {
            header_and_one_youth(w);
            write!(w, "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>").unwrap();
            w.write_all(&vec![b'x'; 300 * 1024]).unwrap();
            write!(w, "</t></is></c></row>").unwrap();
        },
        None,
    );
    let res = upload(&sup, "长.xlsx", long).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(file_message(&error_of(res).await).contains("过长"));
    // A 1 KB file whose shared strings declare a quadrillion of them (calamine would reserve
    // room for them all, and the allocation would abort the process).
    let declared = xlsx::workbook_with_sst_tag(
        &header_and_one_youth,
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1000000000000000\">",
        "<si><t>a</t></si>",
    );
    let res = upload(&sup, "谎报.xlsx", declared).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(file_message(&error_of(res).await).contains("解压后过大"));
    // One shared string of 90,000 characters in 60,000 cells: each cell within Excel's limit,
    // together far more than may be kept.
    let big = "青".repeat(30_000);
    let repeated = xlsx::workbook_with_sst_tag(
        &|w| {
            let header: Vec<&str> = HEADER.split(',').collect();
            row(w, 1, &header);
            for r in 2..5_002 {
                write!(w, "<row r=\"{r}\">").unwrap();
                for c in 0..12 {
                    write!(w, "<c r=\"{}{r}\" t=\"s\"><v>0</v></c>", xlsx::column(c)).unwrap();
                }
                write!(w, "</row>").unwrap();
            }
        },
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        &format!("<si><t>{big}</t></si>"),
    );
    let res = upload(&sup, "重复.xlsx", repeated).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(file_message(&error_of(res).await).contains("解压后过大"));
    // Nothing was kept, and the server answers.
    assert_eq!(w.admin.count("import_runs").await, 0);
    healthy(&sup).await;
}

fn csv_of(rows: &[(&str, String)]) -> Vec<u8> {
    let mut s = format!("{HEADER}\n");
    for (name, phone) in rows {
        s.push_str(&format!("{name},女,,{phone},,,,学生,团员,,,\n"));
    }
    s.into_bytes()
}

async fn audits(app: &TestApp, action: &str) -> usize {
    use app::model::entities::audit_log;
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

crate::db_test!(dry_runs_cannot_unmask_a_phone_number);
async fn dry_runs_cannot_unmask_a_phone_number(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    // The supervisor sees 139****3733 on a drill-down.
    const REAL: &str = "13912343733";
    add_youth(&w.a.app, &with(youth_form("赵敏"), &[("phone", REAL)])).await;
    // Bisection: half of 10,000 candidates in one file. Refused whole, and logged as a probe.
    let half: Vec<(&str, String)> = (0..5_000)
        .map(|i| ("候选", format!("139{i:04}3733")))
        .collect();
    let res = upload(&sup, "候选.csv", csv_of(&half)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    assert_eq!(field_error(&err, "file").unwrap()["code"], "probe", "{err}");
    assert!(!err.to_string().contains("update"), "{err}");
    assert_eq!(audits(&w.admin, "import_probe").await, 1);
    assert_eq!(w.admin.count("import_runs").await, 0);
    // Seven candidates get past the file rule; three wrong numbers are allowed…
    let wrong: Vec<(&str, String)> = ["13900003733", "13900013733", "13900023733"]
        .iter()
        .map(|p| ("候选", (*p).to_owned()))
        .collect();
    let run = checked(&sup, "三个.csv", csv_of(&wrong)).await;
    assert_eq!(run["create"], 3, "{run}");
    // …and then the masked number is held: the right number and a wrong one read alike.
    let right = checked(&sup, "对.csv", csv_of(&[("候选", REAL.to_owned())])).await;
    let other = checked(
        &sup,
        "错.csv",
        csv_of(&[("候选", "13900043733".to_owned())]),
    )
    .await;
    for r in [&right, &other] {
        assert_eq!(
            (
                r["create"].as_u64(),
                r["update"].as_u64(),
                r["unchanged"].as_u64()
            ),
            (Some(0), Some(0), Some(0)),
            "{r}"
        );
        assert_eq!(
            r["duplicates"][0]["message"],
            "这一行不能由您导入，请与上级团组织核对"
        );
    }
    assert_eq!(
        right["duplicates"],
        other["duplicates"].clone().tap_phone(REAL)
    );
    assert!(audits(&w.admin, "import_held").await >= 2);
    // Another masked number is not affected: a new youth is still a new youth.
    let fresh = checked(
        &sup,
        "新.csv",
        csv_of(&[("新人", "13655550000".to_owned())]),
    )
    .await;
    assert_eq!(fresh["create"], 1, "{fresh}");
}

/// The same duplicates with the phone shown as `phone` (the only field that differs).
trait TapPhone {
    fn tap_phone(self, phone: &str) -> Value;
}
impl TapPhone for Value {
    fn tap_phone(mut self, phone: &str) -> Value {
        if let Some(list) = self.as_array_mut() {
            for d in list {
                d["phone"] = Value::from(phone);
            }
        }
        self
    }
}

crate::db_test!(rows_outside_the_subtree_do_not_say_that_the_number_exists);
async fn rows_outside_the_subtree_do_not_say_that_the_number_exists(app: TestApp) {
    let w = setup(app).await;
    let root = w.admin.root_org().await;
    let west = w
        .admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    w.admin
        .create_account("sup_west", "supervisor", west, PASSWORD)
        .await;
    let sup = w.admin.session();
    assert!(sup.login("sup_west", PASSWORD).await.status().is_success());
    add_youth(
        &w.a.app,
        &with(youth_form("赵敏"), &[("phone", "13911112222")]),
    )
    .await;
    let run = checked(&sup, "x.csv", csv_of(&[("赵敏", "13911112222".to_owned())])).await;
    let message = run["duplicates"][0]["message"].as_str().unwrap();
    assert_eq!(message, "这一行不能由您导入，请与上级团组织核对");
    assert!(
        !message.contains("范围以外") && !message.contains("属于"),
        "{message}"
    );
}

crate::db_test!(an_importer_has_thirty_dry_runs_a_day);
async fn an_importer_has_thirty_dry_runs_a_day(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let file = csv_of(&[("陈晨", "13700000001".to_owned())]);
    for _ in 0..30 {
        checked(&sup, "x.csv", file.clone()).await;
    }
    let res = upload(&sup, "x.csv", file.clone()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let err = error_of(res).await;
    assert!(err.to_string().contains("每人每天最多预检 30 次"), "{err}");
    // Another importer is not affected.
    let admin = w.admin.session();
    admin.login_as_admin().await;
    checked(&admin, "x.csv", file).await;
}

crate::db_test!(an_import_checks_the_subtree_cadres_and_organisations_again_when_applied);
async fn an_import_checks_the_subtree_cadres_and_organisations_again_when_applied(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let root = w.admin.root_org().await;
    let west = w
        .admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    let west_cadre = w
        .admin
        .create_account("cadre_w", "cadre", west, PASSWORD)
        .await;
    let youth = add_youth(
        &w.a.app,
        &with(youth_form("赵敏"), &[("phone", "13911112222")]),
    )
    .await;
    // The street supervisor checks a renaming of 赵敏…
    let run = checked(
        &sup,
        "x.csv",
        csv_of(&[("赵敏敏", "13911112222".to_owned())]),
    )
    .await;
    assert_eq!(run["update"], 1, "{run}");
    // …the district moves 赵敏 to another street…
    let form = vec![
        ("request_id", rid()),
        ("youth_ids", youth.to_string()),
        ("to_cadre_id", west_cadre.to_string()),
    ];
    let district = crate::cadre::district_supervisor(&w).await;
    assert_eq!(
        ok(&district, "/api/roster/reassign", &pairs(&form)).await,
        1
    );
    // …and the old plan is refused: nothing written outside the street.
    assert_invalid(apply(&sup, &run).await, "id", "changed").await;
    let row = app::model::entities::youth::Entity::find_by_id(youth)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.name.as_str(), row.cadre_id),
        ("赵敏", Some(west_cadre))
    );

    // A cadre deactivated after the check receives no imported youths.
    let mut s = format!("{HEADER}\n");
    s.push_str("陈晨,男,,13700000001,,,,学生,团员,cadre_b,,\n");
    let run = checked(&sup, "x.csv", s.into_bytes()).await;
    assert_eq!(run["create"], 1, "{run}");
    let res = w
        .admin
        .call("/api/users/deactivate", &[("id", &w.b.id.to_string())])
        .await;
    assert!(res.status().is_success());
    assert_invalid(apply(&sup, &run).await, "id", "changed").await;
    assert_eq!(w.admin.count("youths").await, 4);
}

crate::db_test!(a_plan_of_many_pages_is_imported_whole_or_not_at_all);
async fn a_plan_of_many_pages_is_imported_whole_or_not_at_all(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let rows = |from: usize| -> Vec<(String, String)> {
        (from..from + 1_200)
            .map(|i| (format!("青年{i}"), format!("1370{i:07}")))
            .collect()
    };
    let file = |rows: &[(String, String)]| {
        csv_of(
            &rows
                .iter()
                .map(|(n, p)| (n.as_str(), p.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let before = w.admin.count("youths").await;
    let first = rows(0);
    let run = checked(&sup, "一.csv", file(&first)).await;
    assert_eq!(run["create"], 1_200, "{}", run["create"]);
    // 500 changes a page.
    assert_eq!(w.admin.count("import_plan_pages").await, 3);
    assert!(apply(&sup, &run).await.status().is_success());
    assert_eq!(w.admin.count("youths").await, before + 1_200);
    assert_eq!(w.admin.count("import_plan_pages").await, 0);

    // A number on the last page taken after the dry run: nothing of the plan is imported.
    let second = rows(1_200);
    let run = checked(&sup, "二.csv", file(&second)).await;
    assert_eq!(run["create"], 1_200);
    let (name, phone) = &second[1_150];
    let taken = checked(
        &w.admin,
        "抢.csv",
        csv_of(&[(name.as_str(), phone.clone())]),
    )
    .await;
    assert!(apply(&w.admin, &taken).await.status().is_success());
    assert_invalid(apply(&sup, &run).await, "id", "changed").await;
    assert_eq!(w.admin.count("youths").await, before + 1_201);
    // The run can be checked again; the taken number is then a row that cannot be imported.
    let again = checked(&sup, "二.csv", file(&second)).await;
    assert_eq!(
        (again["create"].as_u64(), again["bad"].as_u64()),
        (Some(1_199), Some(1))
    );
}

crate::db_test!(one_plan_waits_per_importer_and_old_runs_are_forgotten);
async fn one_plan_waits_per_importer_and_old_runs_are_forgotten(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    // 1,500 bad rows: the counts say 1,500, the run keeps the first 1,000 problems.
    let bad: Vec<(&str, String)> = (0..1_500).map(|i| ("", format!("1370000{i:04}"))).collect();
    let run = checked(&sup, "坏.csv", csv_of(&bad)).await;
    assert_eq!(run["bad"], 1_500, "{}", run["bad"]);
    assert_eq!(run["errors"].as_array().unwrap().len(), 1_000);
    let got = ok(&sup, "/api/import/get", &[("id", &run["id"].to_string())]).await;
    assert_eq!(got["errors"].as_array().unwrap().len(), 1_000);
    // Dry runs replace the one waiting: storage does not grow with uploads.
    for _ in 0..5 {
        checked(&sup, "坏.csv", csv_of(&bad)).await;
    }
    assert_eq!(w.admin.count("import_runs").await, 1);
    // An imported run keeps its counts; past 24 hours a waiting run is deleted.
    let good = checked(
        &sup,
        "好.csv",
        csv_of(&[("陈晨", "13700000001".to_owned())]),
    )
    .await;
    assert!(apply(&sup, &good).await.status().is_success());
    let waiting = checked(
        &sup,
        "好.csv",
        csv_of(&[("刘洋", "13700000002".to_owned())]),
    )
    .await;
    // The waiting plan is one page; the imported one's plan is gone.
    assert_eq!(w.admin.count("import_plan_pages").await, 1);
    import_run::Entity::update_many()
        .col_expr(
            import_run::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::hours(25)),
        )
        .exec(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(app::imports::service::sweep(&w.admin.db).await.unwrap(), 1);
    let left = import_run::Entity::find().all(&w.admin.db).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].status, "applied");
    assert_eq!(w.admin.count("import_plan_pages").await, 0);
    assert_eq!(left[0].to_create, 1);
    let res = sup
        .call("/api/import/get", &[("id", &waiting["id"].to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// A job of `account`, held by another (live) instance: the worker here leaves it alone.
async fn running_job(app: &TestApp, account: i64, org: i64, quarter: &str, format: &str) -> i64 {
    let now = Utc::now();
    export_job::Entity::insert(export_job::ActiveModel {
        account_id: Set(account),
        org_id: Set(org),
        quarter: Set(quarter.to_owned()),
        format: Set(format.to_owned()),
        state: Set("running".to_owned()),
        done_rows: Set(0),
        total_rows: Set(10),
        attempts: Set(1),
        claimed_by: Set(Some("elsewhere".to_owned())),
        created_at: Set(now),
        started_at: Set(Some(now)),
        heartbeat_at: Set(now),
        expires_at: Set(now + Duration::days(7)),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap()
    .last_insert_id
}

crate::db_test!(a_person_has_at_most_two_exports_on_their_way);
async fn a_person_has_at_most_two_exports_on_their_way(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let me = crate::accounts::account_row(&w.admin, "sup_street").await["id"]
        .as_i64()
        .unwrap();
    let q = app::rules::Quarter::of(today());
    let (this, last) = (q.key(), q.prev().key());
    let first = running_job(&w.admin, me, w.street, &this, "xlsx").await;
    let form = |quarter: &str, format: &str| {
        vec![
            ("request_id", rid()),
            ("org_id", w.street.to_string()),
            ("quarter", quarter.to_owned()),
            ("format", format.to_owned()),
        ]
    };
    // The same export again: the job on its way, not a second one.
    let same = created(&sup, "/api/exports/create", &form(&this, "xlsx")).await;
    assert_eq!(same, first);
    // A second one is queued; a third waits for one of them.
    created(&sup, "/api/exports/create", &form(&last, "xlsx")).await;
    running_job(&w.admin, me, w.street, &last, "pdf").await;
    let res = sup
        .call("/api/exports/create", &pairs(&form(&this, "csv")))
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(error_of(res).await.to_string().contains("2 个导出在进行中"));
}

crate::db_test!(single_line_fields_refuse_every_control_character);
async fn single_line_fields_refuse_every_control_character(app: TestApp) {
    let w = setup(app).await;
    let root = w.admin.root_org().await;
    for bad in ["河西\n街道", "河西\r街道", "河西\t街道"] {
        let res = w
            .admin
            .call(
                "/api/orgs/create",
                &[
                    ("request_id", &rid()),
                    ("name", bad),
                    ("kind", "working_committee"),
                    ("parent_id", &root.to_string()),
                ],
            )
            .await;
        assert_invalid(res, "name", "invalid_characters").await;
    }
    let res = w
        .admin
        .call(
            "/api/users/create",
            &[
                ("request_id", &rid()),
                ("name", "王\t芳"),
                ("username", "wangfang"),
                ("role", "cadre"),
                ("org_id", &w.street.to_string()),
                ("post", "full_time"),
                ("password", "a-long-enough-passphrase"),
            ],
        )
        .await;
    assert_invalid(res, "name", "invalid_characters").await;
    // Several lines stay welcome where a textarea asks for them.
    let youth = w.a.youths[0];
    let form = with(contact_form(youth), &[("content", "第一行\r\n第二行")]);
    let res = w.a.app.call("/api/contacts/create", &pairs(&form)).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

crate::db_test!(a_truncated_upload_is_a_400_and_an_unknown_endpoint_a_404);
async fn a_truncated_upload_is_a_400_and_an_unknown_endpoint_a_404(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let body = "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
                Content-Type: text/csv\r\n\r\n姓名,性别\r\n陈晨,男";
    let res = sup
        .client
        .post(sup.url("/api/import/dry-run"))
        .header(reqwest::header::ACCEPT, "application/json")
        .header(
            reqwest::header::CONTENT_TYPE,
            "multipart/form-data; boundary=XYZ",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.to_string().contains("没有上传完整"));
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let res = sup
            .client
            .request(method, sup.url("/api/no/such-function"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("没有这个接口"));
    }
}
