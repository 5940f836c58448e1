//! Roster imports: a GBK CSV and an XLSX checked and imported once; a bad row changes nothing
//! and is named; duplicates in the file and in the database; files that are not spreadsheets,
//! too large or too long get clear messages; another person's dry run is a 404.

use crate::cadre::*;
use crate::helpers::{error_of, field_error, TestApp};
use reqwest::multipart::{Form as Multipart, Part};
use reqwest::{header, StatusCode};
use serde_json::Value;

pub const HEADER: &str =
    "姓名,性别,出生年份,手机号,微信号,所属组织,单位/学校,领域,政治面貌,团干部,标签,备注";

pub async fn supervisor(w: &World) -> TestApp {
    w.admin
        .create_account("sup_street", "supervisor", w.street, PASSWORD)
        .await;
    let s = w.admin.session();
    assert!(s.login("sup_street", PASSWORD).await.status().is_success());
    s
}

/// Uploads a file for a dry run, as an API client.
pub async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/api/import/dry-run"))
        .header(header::ACCEPT, "application/json")
        .multipart(Multipart::new().part("file", Part::bytes(bytes).file_name(name.to_owned())))
        .send()
        .await
        .expect("request")
}

pub async fn checked(app: &TestApp, name: &str, bytes: Vec<u8>) -> Value {
    let res = upload(app, name, bytes).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn apply(app: &TestApp, run: &Value) -> reqwest::Response {
    app.call(
        "/api/import/apply",
        &[("request_id", &rid()), ("id", &run["id"].to_string())],
    )
    .await
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// A youth of cadre A with a phone number of its own (the world's youths share one).
async fn youth_with_phone(w: &World, name: &str, phone: &str) -> i64 {
    add_youth(&w.a.app, &with(youth_form(name), &[("phone", phone)])).await
}

async fn youth_named(w: &World, name: &str) -> app::model::entities::youth::Model {
    use app::model::entities::youth;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    youth::Entity::find()
        .filter(youth::Column::Name.eq(name))
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{name} is there"))
}

crate::db_test!(a_gbk_csv_is_checked_then_imported_once);
async fn a_gbk_csv_is_checked_then_imported_once(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    youth_with_phone(&w, "赵敏", "13911112222").await;
    let year = chrono::Datelike::year(&today()) - 20;
    let csv = format!(
        "{HEADER}\r\n\
         陈晨,男,{year},13700000001,,{SCHOOL},河东中学,学生,团员,cadre_a,新生,\r\n\
         刘洋,女,,137-0000-0002,,,河东科技,企业青年,群众,cadre_b,,夜班\r\n\
         赵敏,女,{year},13911112222,,,河东菜市场,务工青年,团员,cadre_a,,已转岗\r\n"
    );
    let youths = w.admin.count("youths").await;
    let run = checked(&sup, "名单.csv", gbk(&csv)).await;
    assert_eq!(run["kind"], "CSV (GB18030)");
    assert_eq!(
        (
            run["rows"].as_u64(),
            run["create"].as_u64(),
            run["update"].as_u64(),
            run["unchanged"].as_u64()
        ),
        (Some(3), Some(2), Some(1), Some(0)),
        "{run}"
    );
    assert_eq!(run["errors"], serde_json::json!([]));
    assert_eq!(run["duplicates"], serde_json::json!([]));
    // The dry run changed nothing.
    assert_eq!(w.admin.count("youths").await, youths);

    let res = apply(&sup, &run).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["created"].as_u64(), body["updated"].as_u64()),
        (Some(2), Some(1)),
        "{body}"
    );
    assert_eq!(w.admin.count("youths").await, youths + 2);
    let chen = youth_named(&w, "陈晨").await;
    assert_eq!(chen.cadre_id, Some(w.a.id));
    assert_eq!(chen.gender, "male");
    assert_eq!(chen.sector, "student");
    assert_eq!(chen.tags, "新生");
    let liu = youth_named(&w, "刘洋").await;
    assert_eq!(liu.phone, "13700000002");
    assert_eq!(liu.cadre_id, Some(w.b.id));
    assert_eq!(liu.notes, "夜班");
    assert_eq!(youth_named(&w, "赵敏").await.notes, "已转岗");
    // The assignments the import made say so.
    {
        use app::model::entities::assignment;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let a = assignment::Entity::find()
            .filter(assignment::Column::YouthId.eq(chen.id))
            .one(&w.admin.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.reason.as_deref(), Some("导入"));
    }
    // Applying the same run again changes nothing more.
    let again: Value = apply(&sup, &run).await.json().await.unwrap();
    assert_eq!(again["created"], 2);
    assert_eq!(w.admin.count("youths").await, youths + 2);
    // The same file again: everything unchanged, nothing to import.
    let second = checked(&sup, "名单.csv", gbk(&csv)).await;
    assert_eq!(
        (
            second["create"].as_u64(),
            second["update"].as_u64(),
            second["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{second}"
    );
    let res: Value = apply(&sup, &second).await.json().await.unwrap();
    assert_eq!(
        (res["created"].as_u64(), res["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(w.admin.count("youths").await, youths + 2);
    // Audit-logged: each check and the import.
    {
        use app::model::entities::audit_log;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Action.is_in(["import_check", "import"]))
            .all(&w.admin.db)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().filter(|r| r.action == "import_check").count(),
            2
        );
        assert!(rows
            .iter()
            .any(|r| r.action == "import" && r.details.contains("2 created")));
    }
}

crate::db_test!(a_file_with_bad_rows_changes_nothing_and_names_each);
async fn a_file_with_bad_rows_changes_nothing_and_names_each(app: TestApp) {
    use rust_xlsxwriter::Workbook;
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let rows: [[&str; 12]; 5] = [
        [
            "陈晨",
            "男",
            "2004",
            "13700000001",
            "",
            "",
            "",
            "学生",
            "团员",
            "cadre_a",
            "",
            "",
        ],
        [
            "刘洋",
            "女",
            "",
            "12345",
            "",
            "",
            "",
            "企业青年",
            "群众",
            "cadre_a",
            "",
            "",
        ],
        [
            "王五",
            "男",
            "",
            "13700000003",
            "",
            "不存在的支部",
            "",
            "农民",
            "团员",
            "nobody",
            "",
            "",
        ],
        [
            "陈晨",
            "男",
            "",
            "13700000001",
            "",
            "",
            "",
            "学生",
            "团员",
            "",
            "",
            "",
        ],
        // The world's youths share 13800138000: which one would this update?
        [
            "张伟",
            "男",
            "",
            "13800138000",
            "",
            "",
            "",
            "学生",
            "团员",
            "",
            "",
            "",
        ],
    ];
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (i, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, u16::try_from(i).unwrap(), h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r + 1).unwrap(), u16::try_from(c).unwrap());
            if c == 2 && !v.is_empty() {
                ws.write_number(r, c, v.parse::<f64>().unwrap()).unwrap();
            } else if !v.is_empty() {
                ws.write_string(r, c, *v).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    // Records from before one youth per phone number: the world's youths share 13800138000.
    {
        use app::model::entities::youth;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        youth::Entity::update_many()
            .col_expr(
                youth::Column::Phone,
                sea_orm::sea_query::Expr::value("13800138000"),
            )
            .filter(youth::Column::Id.is_in(w.a.youths.iter().chain(&w.b.youths).copied()))
            .exec(&w.admin.db)
            .await
            .unwrap();
    }
    let youths = w.admin.count("youths").await;
    let run = checked(&sup, "名单.xlsx", bytes).await;
    assert_eq!(run["kind"], "XLSX");
    let errors: Vec<(u64, String)> = run["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "手机号".to_owned()),
            (4, "领域".to_owned()),
            (4, "所属组织".to_owned()),
            (4, "团干部".to_owned()),
        ],
        "{run}"
    );
    assert!(run["errors"][2]["message"]
        .as_str()
        .unwrap()
        .contains("不存在的支部"));
    let dups = run["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 2, "{run}");
    assert_eq!(
        (dups[0]["line"].as_u64(), dups[0]["with_line"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(dups[1]["line"], 6);
    assert!(
        dups[1]["message"].as_str().unwrap().contains('3'),
        "{}",
        dups[1]["message"]
    );
    // The good row is not imported either: all or nothing.
    assert_invalid(apply(&sup, &run).await, "id", "has_errors").await;
    assert_eq!(w.admin.count("youths").await, youths);
}

crate::db_test!(files_that_cannot_be_imported_get_clear_messages);
async fn files_that_cannot_be_imported_get_clear_messages(app: TestApp) {
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let message = |err: &Value| {
        field_error(err, "file")
            .map(|f| f["message"].as_str().unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    // Not a spreadsheet.
    let res = upload(&sup, "报告.pdf", b"%PDF-1.7\n\x00\x01binary".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&error_of(res).await).contains("Excel"));
    // A ZIP that is no workbook.
    let res = upload(&sup, "x.xlsx", b"PK\x03\x04garbage".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // No template header.
    let res = upload(
        &sup,
        "x.csv",
        "名字,电话\n王芳,13800000000\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&error_of(res).await).contains("手机号"));
    // Nothing but the header; no file at all.
    assert_eq!(
        upload(&sup, "x.csv", format!("{HEADER}\n").into_bytes())
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        upload(&sup, "x.csv", Vec::new()).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Too many rows.
    let mut many = format!("{HEADER}\n");
    for i in 0..50_001 {
        many.push_str(&format!("青年{i},男,,1370{i:07},,,,学生,团员,,,\n"));
    }
    let res = upload(&sup, "many.csv", many.into_bytes()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&error_of(res).await).contains("50000"));
    // Too large.
    let res = upload(&sup, "big.csv", vec![b'a'; 11 * 1024 * 1024]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_of(res).await.to_string().contains("10 MB"));
    // Cadres import nothing; another person's dry run is a 404.
    let ok_file = format!("{HEADER}\n陈晨,男,,13700000001,,,,学生,团员,cadre_a,,\n").into_bytes();
    assert_eq!(
        upload(&w.a.app, "x.csv", ok_file.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    let run = checked(&sup, "x.csv", ok_file.clone()).await;
    let other = w.admin.session();
    other.login_as_admin().await;
    assert_eq!(
        other
            .call("/api/import/get", &[("id", &run["id"].to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(apply(&other, &run).await.status(), StatusCode::NOT_FOUND);
    // The rosters changed between the check and the import: nothing happens.
    youth_with_phone(&w, "抢先", "13700000001").await;
    let youths = w.admin.count("youths").await;
    assert_invalid(apply(&sup, &run).await, "id", "changed").await;
    assert_eq!(w.admin.count("youths").await, youths);
}

crate::db_test!(the_import_page_and_templates_work_without_javascript);
async fn the_import_page_and_templates_work_without_javascript(app: TestApp) {
    use calamine::Reader;
    let w = setup(app).await;
    let sup = supervisor(&w).await;
    let html = sup.page("/admin/import").await;
    assert!(
        html.contains("enctype=\"multipart/form-data\""),
        "the upload form"
    );
    assert!(sup
        .page("/supervise/roster")
        .await
        .contains("data-testid=\"import-link\""));
    assert_eq!(
        w.a.app.get("/admin/import").await.status(),
        StatusCode::NOT_FOUND
    );
    // Templates: the columns, a CSV with a BOM and an XLSX.
    let csv = sup.get("/import/template.csv").await.bytes().await.unwrap();
    assert_eq!(
        &csv[..],
        format!("\u{feff}{HEADER},出生月份,监护人姓名,监护人关系,监护人同意日期,处理依据\r\n")
            .as_bytes()
    );
    let xlsx = sup
        .get("/import/template.xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    // The coded columns carry drop-downs of their choices (性别 is column B).
    let sheet = {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.clone())).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    };
    // 性别, 领域, 政治面貌, 监护人关系, 处理依据.
    assert_eq!(sheet.matches("<dataValidation ").count(), 5, "{sheet}");
    assert!(
        sheet.contains(r#"sqref="B2:B50001""#) && sheet.contains("男,女"),
        "{sheet}"
    );
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let first = book.sheet_names()[0].clone();
    let header: Vec<String> = book
        .worksheet_range(&first)
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        header.join(","),
        format!("{HEADER},出生月份,监护人姓名,监护人关系,监护人同意日期,处理依据")
    );
    assert_eq!(
        w.a.app.get("/import/template.csv").await.status(),
        StatusCode::NOT_FOUND
    );

    // A browser without JavaScript posts the form: to the report, then imports.
    let file = format!("{HEADER}\n陈晨,男,,13700000001,,,,学生,团员,cadre_a,,\n").into_bytes();
    let res = sup
        .client
        .post(sup.url("/api/import/dry-run"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, sup.url("/admin/import"))
        .header(header::ORIGIN, sup.url(""))
        .multipart(Multipart::new().part("file", Part::bytes(file).file_name("名单.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/admin/import?run="), "{location}");
    let html = sup.page(&location).await;
    assert!(html.contains("data-testid=\"import-counts\""), "the report");
    assert!(
        html.contains("action=\"/api/import/apply\""),
        "the import button"
    );
    // A bad file comes back to the form with its message.
    let res = sup
        .client
        .post(sup.url("/api/import/dry-run"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, sup.url("/admin/import"))
        .header(header::ORIGIN, sup.url(""))
        .multipart(
            Multipart::new().part("file", Part::bytes(b"%PDF\x00".to_vec()).file_name("x.pdf")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.starts_with("/admin/import?__flash="), "{back}");
    let html = sup.page(&back).await;
    assert!(
        html.contains("无法读取这个文件"),
        "the message by the field"
    );
}
