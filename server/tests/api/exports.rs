//! Quarterly exports: the workbook and the CSV files hold the sheets, the fixed headers and as
//! many rows as the database; the workbook has a title block, a filter and a print set-up, and
//! LibreOffice reads it; the PDF is landscape with whole numbers and labels; a supervisor exports
//! only their subtree; another person's job is a 404; jobs left by a stopped instance run again,
//! and expired ones go.

use crate::cadre::*;
use crate::helpers::TestApp;
use calamine::{Data, Reader};
use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::{Cursor, Read};
use std::time::Duration;

const SHEETS: [&str; 7] = [
    "汇总",
    "联系青年台账",
    "下基层台账",
    "建议台账",
    "学习台账",
    "请假记录",
    "活动台账",
];

/// The contact ledger's headers, as the README lists them.
const CONTACT_HEADERS: [&str; 16] = [
    "序号",
    "团干部",
    "青年姓名",
    "性别",
    "出生年份",
    "政治面貌",
    "领域",
    "单位/学校",
    "联系电话",
    "联系日期",
    "方式",
    "内容",
    "诉求",
    "办理状态",
    "办理结果",
    "时长（分钟）",
];

/// The rows above a sheet's table: its name, 组织, 季度, 生成时间, 导出人 and a blank row.
const TITLE_ROWS: usize = 6;

/// A sheet of an exported workbook: the title block's lines, the table's header and its rows.
pub struct Table {
    pub title: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Data>>,
}

impl Table {
    /// The column named `header`.
    pub fn col(&self, header: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("{header} in {:?}", self.headers))
    }
}

pub fn open_book(bytes: Vec<u8>) -> calamine::Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

/// `sheet` read back: the title block from A1 down, a blank row, the header on row 7.
pub fn table(book: &mut calamine::Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Table {
    let range = book.worksheet_range(sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "{sheet} starts at A1");
    let all: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let title: Vec<String> = all[..TITLE_ROWS - 1].iter().map(|r| text(&r[0])).collect();
    for r in &all[..TITLE_ROWS] {
        assert!(
            r[1..].iter().all(|d| *d == Data::Empty),
            "{sheet}: the title block is in column A only: {r:?}"
        );
    }
    assert!(
        all[TITLE_ROWS - 1].iter().all(|d| *d == Data::Empty),
        "{sheet}: a blank row above the header"
    );
    Table {
        title,
        headers: all[TITLE_ROWS].iter().map(text).collect(),
        rows: all[TITLE_ROWS + 1..].to_vec(),
    }
}

/// The title block of an export of [`STREET`] by `sup_street` for `quarter`, above `sheet`.
fn assert_title(title: &[String], sheet: &str, quarter: app::rules::Quarter) {
    assert_eq!(title[0], sheet);
    assert_eq!(title[1], format!("组织：{STREET}"));
    assert_eq!(
        title[2],
        format!("季度：{} 年第 {} 季度", quarter.year, quarter.q)
    );
    let at = title[3]
        .strip_prefix("生成时间：")
        .and_then(|s| s.strip_suffix("（北京时间）"))
        .unwrap_or_else(|| panic!("{:?}", title[3]));
    let at = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
    let now = chrono::Utc::now().naive_utc() + chrono::Duration::hours(8);
    assert!(
        (now - at).num_minutes().abs() <= 2,
        "generated just now, Beijing time: {at}"
    );
    assert_eq!(title[4], format!("导出人：{CADRE_NAME}（sup_street）"));
}

/// A file inside the workbook's ZIP, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// Signs in a new supervisor of `org`.
pub async fn supervisor(w: &World, username: &str, org: i64) -> TestApp {
    w.admin
        .create_account(username, "supervisor", org, PASSWORD)
        .await;
    let s = w.admin.session();
    assert!(s.login(username, PASSWORD).await.status().is_success());
    s
}

pub fn export_form(org: &str, quarter: &str, format: &str) -> Form {
    vec![
        ("request_id", rid()),
        ("org_id", org.to_owned()),
        ("quarter", quarter.to_owned()),
        ("format", format.to_owned()),
    ]
}

/// Polls the job until it is no longer queued or running.
pub async fn finished(app: &TestApp, id: i64) -> Value {
    for _ in 0..600 {
        let s = ok(app, "/api/exports/status", &[("id", &id.to_string())]).await;
        if s["state"] != "queued" && s["state"] != "running" {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("export {id} did not finish");
}

pub async fn download(app: &TestApp, url: &str) -> Vec<u8> {
    let res = app.get(url).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {url}");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    res.bytes().await.unwrap().to_vec()
}

/// Everything a quarter's ledgers hold, for cadre A (and a contact by B): a contact whose
/// content looks like a formula, a plain one, a visit day, a suggestion, study and leave.
async fn a_quarters_work(w: &World) {
    let a = &w.a.app;
    let formula = "=HYPERLINK(\"http://evil.example\",\"点击\")";
    created(
        a,
        "/api/contacts/create",
        &with(
            contact_form(w.a.youths[0]),
            &[("content", formula), ("request", "想找实习")],
        ),
    )
    .await;
    created(a, "/api/contacts/create", &contact_form(w.a.youths[1])).await;
    created(
        &w.b.app,
        "/api/contacts/create",
        &contact_form(w.b.youths[0]),
    )
    .await;
    created(a, "/api/visits/create", &visit_form(w.a.org, today())).await;
    created(
        a,
        "/api/suggestions/create",
        &suggestion_form(w.a.org, app::rules::Quarter::of(today())),
    )
    .await;
    created(a, "/api/study/create", &study_form(today(), "2.5")).await;
    created(
        a,
        "/api/exemptions/request",
        &vec![
            ("request_id", rid()),
            ("start_date", day(today())),
            ("end_date", day(today())),
            ("reason", "training".to_owned()),
            ("note", "区团委培训".to_owned()),
        ],
    )
    .await;
}

pub fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

crate::db_test!(a_supervisor_exports_the_quarter_as_a_workbook_with_every_ledger);
async fn a_supervisor_exports_the_quarter_as_a_workbook_with_every_ledger(app: TestApp) {
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = app::rules::Quarter::of(today()).key();
    // Empty org_id: the supervisor's own organisation.
    let id = created(
        &sup,
        "/api/exports/create",
        &export_form("", &quarter, "xlsx"),
    )
    .await;
    let status = finished(&sup, id).await;
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["done"], status["total"], "{status}");
    assert_eq!(status["percent"], 100);
    let url = format!("/exports/{id}/download");
    assert_eq!(status["url"], url.as_str());
    // 2 cadres + 3 contacts + a visit, a suggestion, a study record and a leave request. The
    // visit and the leave of today are in the ledgers of the quarter today's week counts in
    // (around New Year, the quarter before).
    let this_week = app::rules::Week::of(today());
    let in_week = i64::from(app::rules::Quarter::of(this_week.thursday()).key() == quarter);
    assert_eq!(status["total"], 2 + 3 + 1 + 1 + 2 * in_week, "{status}");

    let bytes = download(&sup, &url).await;
    let mut book = open_book(bytes.clone());
    assert_eq!(book.sheet_names(), SHEETS.map(str::to_owned).to_vec());
    let q = app::rules::Quarter::of(today());
    for sheet in SHEETS {
        let t = table(&mut book, sheet);
        assert_title(&t.title, sheet, q);
        assert_eq!(t.headers[0], "序号", "{sheet}");
        let serials: Vec<Data> = t.rows.iter().map(|r| r[0].clone()).collect();
        let expected: Vec<Data> = (1..=t.rows.len()).map(|n| Data::Float(n as f64)).collect();
        assert_eq!(serials, expected, "{sheet}: 序号 counts the rows");
    }

    let summary = table(&mut book, "汇总");
    let headers = &summary.headers;
    assert_eq!(
        &headers[..6],
        ["序号", "团干部", "所属组织", "岗位", "名单人数", "名单目标"]
    );
    let month = format!("{}月学习时长（小时）", today().month());
    assert!(headers.contains(&month), "{headers:?}");
    assert!(headers[14].ends_with("月学习时长（小时）"), "{headers:?}");
    assert_eq!(
        headers[headers.len() - 3..],
        ["评定".to_owned(), "原因".to_owned(), "账号".to_owned()]
    );
    assert_eq!(summary.rows.len(), 2, "one row per cadre");
    let row_a = summary
        .rows
        .iter()
        .find(|r| r.last().map(text).as_deref() == Some("cadre_a"))
        .expect("cadre_a's row");
    assert_eq!(row_a[4], Data::Float(2.0), "roster size is a number");
    assert_eq!(
        row_a[6],
        Data::Float(2.0),
        "both youths contacted this quarter"
    );
    assert_eq!(row_a[12], Data::Float(1.0), "one suggestion given");
    assert_eq!(
        row_a[summary.col(&month)],
        Data::Float(2.5),
        "this month's study"
    );
    let rating = text(&row_a[row_a.len() - 3]);
    assert!(
        ["绿（", "黄（", "红（"]
            .iter()
            .any(|c| rating.starts_with(c)),
        "{rating}"
    );

    let contacts = table(&mut book, "联系青年台账");
    assert_eq!(contacts.headers, CONTACT_HEADERS);
    assert_eq!(
        contacts.rows.len(),
        usize::try_from(w.admin.count("contacts").await).unwrap()
    );
    let risky = contacts
        .rows
        .iter()
        .find(|r| text(&r[12]) == "想找实习")
        .expect("the contact with a request");
    assert!(
        text(&risky[11]).starts_with("'=HYPERLINK"),
        "formula neutralised: {:?}",
        risky[11]
    );
    assert_eq!(text(&risky[8]), "138****8000", "phones masked");
    assert!(
        matches!(risky[9], Data::DateTime(_)),
        "a real date: {:?}",
        risky[9]
    );
    assert_eq!(risky[15], Data::Float(30.0));
    assert_eq!(text(&risky[3]), "女");
    // 单位/学校: the organisation a youth belongs to (张伟, a pupil of the school, and 王芳 of
    // the company), else the workplace typed in (李娜).
    let unit = contacts.col("单位/学校");
    let mut units: Vec<(String, String)> = contacts
        .rows
        .iter()
        .map(|r| (text(&r[2]), text(&r[unit])))
        .collect();
    units.sort();
    assert_eq!(
        units,
        [
            ("张伟".to_owned(), SCHOOL.to_owned()),
            ("李娜".to_owned(), "河东菜市场".to_owned()),
            ("王芳".to_owned(), COMPANY.to_owned()),
        ]
    );

    // Suggestions and study by their date; visit days and leave by the week they count in.
    for (sheet, table_name, listed) in [
        ("下基层台账", "visit_days", in_week == 1),
        ("建议台账", "suggestions", true),
        ("学习台账", "study_records", true),
        ("请假记录", "exemptions", in_week == 1),
    ] {
        let r = table(&mut book, sheet);
        let stored = usize::try_from(w.admin.count(table_name).await).unwrap();
        assert_eq!(r.rows.len(), if listed { stored } else { 0 }, "{sheet}");
    }
    let visits = table(&mut book, "下基层台账");
    assert_eq!(
        visits.headers,
        [
            "序号",
            "日期",
            "团干部",
            "基层组织",
            "时长（小时）",
            "工作内容",
            "工作成效",
            "周次"
        ]
    );
    if in_week == 1 {
        assert_eq!(text(&visits.rows[0][3]), SCHOOL);
        assert_eq!(visits.rows[0][4], Data::Float(8.0));
    }
    let study = table(&mut book, "学习台账");
    assert_eq!(
        study.headers,
        [
            "序号",
            "月份",
            "团干部",
            "日期",
            "时长（小时）",
            "主题",
            "类型"
        ]
    );
    assert_eq!(study.rows[0][4], Data::Float(2.5));

    // Print set-up and filter, as Excel reads them from the workbook's parts: every sheet
    // landscape on A4, one page wide, its header row repeated on each printed page, and an
    // autofilter from the header over every row (联系青年台账: A7 to P10, three contacts).
    let workbook = part(&bytes, "xl/workbook.xml").replace('\'', "");
    for (i, sheet) in SHEETS.iter().enumerate() {
        let xml = part(&bytes, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(
            xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
            "{sheet}: {xml}"
        );
        let setup = xml
            .split("<pageSetup ")
            .nth(1)
            .and_then(|s| s.split("/>").next())
            .unwrap_or_else(|| panic!("{sheet}: no pageSetup in {xml}"));
        for attribute in [
            r#"paperSize="9""#,
            r#"orientation="landscape""#,
            r#"fitToHeight="0""#,
        ] {
            assert!(setup.contains(attribute), "{sheet}: {setup}");
        }
        assert!(xml.contains("<autoFilter ref=\"A7:"), "{sheet}: {xml}");
        assert!(
            workbook.contains(&format!(
                r#"<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{sheet}!$7:$7</definedName>"#
            )),
            "{sheet}: {workbook}"
        );
    }
    let xml = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(xml.contains(r#"<autoFilter ref="A7:P10"/>"#), "{xml}");
    assert!(
        workbook.contains("联系青年台账!$A$7:$P$10</definedName>"),
        "{workbook}"
    );

    // Audit-logged with the row counts.
    use app::model::entities::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("export"))
        .all(&w.admin.db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].details.contains("联系青年台账 3"),
        "{}",
        audit[0].details
    );
}

crate::db_test!(the_csv_export_is_a_zip_of_csv_files_with_a_bom);
async fn the_csv_export_is_a_zip_of_csv_files_with_a_bom(app: TestApp) {
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = app::rules::Quarter::of(today()).key();
    let id = created(
        &sup,
        "/api/exports/create",
        &export_form(&w.street.to_string(), &quarter, "csv"),
    )
    .await;
    let status = finished(&sup, id).await;
    assert_eq!(status["state"], "done", "{status}");
    let bytes = download(&sup, status["url"].as_str().unwrap()).await;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    names.sort();
    let mut expected: Vec<String> = SHEETS.iter().map(|s| format!("{s}.csv")).collect();
    expected.sort();
    assert_eq!(names, expected);
    let mut contacts = String::new();
    for sheet in SHEETS {
        let mut raw = Vec::new();
        zip.by_name(&format!("{sheet}.csv"))
            .unwrap()
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(&raw[..3], b"\xEF\xBB\xBF", "{sheet} starts with a BOM");
        if sheet == "联系青年台账" {
            contacts = String::from_utf8(raw[3..].to_vec()).unwrap();
        }
    }
    let mut reader = csv::Reader::from_reader(contacts.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        CONTACT_HEADERS
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    let serials: Vec<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(serials, ["1", "2", "3"], "序号 as in the workbook");
    let risky = records.iter().find(|r| &r[12] == "想找实习").unwrap();
    assert!(risky[11].starts_with("'=HYPERLINK"), "{:?}", &risky[11]);
    assert_eq!(&risky[9], day(today()));
    assert_eq!(&risky[7], SCHOOL, "单位/学校");
    assert_eq!(&risky[15], "30", "minutes");
    assert!(records.iter().all(|r| !r[7].is_empty()), "{records:?}");
}

crate::db_test!(exports_are_scoped_private_and_checked);
async fn exports_are_scoped_private_and_checked(app: TestApp) {
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let root = w.admin.root_org().await;
    let west = w
        .admin
        .create_org("河西街道团工委", "working_committee", root)
        .await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let sup_west = supervisor(&w, "sup_west", west).await;
    let quarter = app::rules::Quarter::of(today()).key();

    let form = export_form("", &quarter, "xlsx");
    let id = created(&sup, "/api/exports/create", &form).await;
    // The same request again: the same job.
    assert_eq!(created(&sup, "/api/exports/create", &form).await, id);
    finished(&sup, id).await;

    // Another supervisor's job: a 404, whether asking its status or downloading it.
    let url = format!("/exports/{id}/download");
    assert_status(
        sup_west
            .call("/api/exports/status", &[("id", &id.to_string())])
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(sup_west.get(&url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(w.a.app.get(&url).await.status(), StatusCode::NOT_FOUND);
    // Signed out: to the sign-in page.
    let anonymous = w.admin.session();
    assert_eq!(anonymous.get(&url).await.status(), StatusCode::SEE_OTHER);
    // No administrator may fetch it: a ledger holds youths' personal data.
    assert_eq!(w.admin.get(&url).await.status(), StatusCode::NOT_FOUND);

    // The west supervisor's own export holds their subtree only: nobody there.
    let west_id = created(
        &sup_west,
        "/api/exports/create",
        &export_form("", &quarter, "csv"),
    )
    .await;
    let status = finished(&sup_west, west_id).await;
    assert_eq!(status["state"], "done");
    assert_eq!(status["total"], 0, "nothing of the other street: {status}");
    // … and may not ask for the other street.
    assert_status(
        sup_west
            .call(
                "/api/exports/create",
                &pairs(&export_form(&w.street.to_string(), &quarter, "csv")),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Cadres export nothing.
    assert_status(
        w.a.app
            .call(
                "/api/exports/create",
                &pairs(&export_form("", &quarter, "csv")),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Bad input: a message on the field, nothing queued.
    let jobs = w.admin.count("export_jobs").await;
    for bad in [
        ("quarter", "2040Q1", "quarter_out_of_range"),
        ("quarter", "去年", "invalid_choice"),
        ("format", "doc", "invalid_choice"),
    ] {
        let form = export_form("", &quarter, "xlsx");
        assert_only_field_invalid(&sup, "/api/exports/create", form, bad).await;
    }
    assert_eq!(w.admin.count("export_jobs").await, jobs);
    // The page lists the supervisor's own jobs only.
    let page = ok(&sup, "/api/exports/list", &[]).await;
    let listed: Vec<i64> = page["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![id]);
}

crate::db_test!(a_job_left_running_runs_again_and_expired_ones_go);
async fn a_job_left_running_runs_again_and_expired_ones_go(app: TestApp) {
    use app::model::entities::export_job;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = app::rules::Quarter::of(today()).key();
    let id = created(
        &sup,
        "/api/exports/create",
        &export_form("", &quarter, "csv"),
    )
    .await;
    finished(&sup, id).await;

    // An instance that stopped mid-job: running, claimed by it, silent for ten minutes.
    let job = export_job::Entity::find_by_id(id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    let old = chrono::Utc::now() - chrono::Duration::minutes(10);
    let mut stuck: export_job::ActiveModel = job.clone().into();
    stuck.state = Set("running".to_owned());
    stuck.claimed_by = Set(Some("gone:1:abc".to_owned()));
    stuck.heartbeat_at = Set(old);
    stuck.done_rows = Set(1);
    stuck.update(&w.admin.db).await.unwrap();
    let state = &w.admin.state;
    // This call (or the app's own worker, whichever comes first) puts it back and runs it.
    app::exports::worker::work(&w.admin.db, &state.settings)
        .await
        .unwrap();
    let status = finished(&sup, id).await;
    assert_eq!(status["state"], "done", "{status}");
    let job = export_job::Entity::find_by_id(id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        job.claimed_by.as_deref(),
        Some(state.settings.instance.as_str())
    );
    assert_eq!(job.attempts, 2);
    let file = state
        .settings
        .export_dir
        .join(job.file_name.clone().unwrap());
    assert!(file.exists());

    // Seven days on: the job and its file are gone.
    let mut expired: export_job::ActiveModel = job.into();
    expired.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
    expired.update(&w.admin.db).await.unwrap();
    app::exports::worker::work(&w.admin.db, &state.settings)
        .await
        .unwrap();
    assert!(!file.exists(), "the file is removed");
    assert_eq!(
        sup.get(&format!("/exports/{id}/download")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_status(
        sup.call("/api/exports/status", &[("id", &id.to_string())])
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

crate::db_test!(the_exports_page_works_without_javascript);
async fn the_exports_page_works_without_javascript(app: TestApp) {
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let html = sup.page("/exports").await;
    assert!(html.contains("action=\"/api/exports/create\""), "the form");
    assert!(
        html.contains(&format!("value=\"{}\"", w.street)),
        "the organisation picker"
    );
    assert!(
        !html.contains("http-equiv=\"refresh\""),
        "nothing running, no refresh"
    );
    assert_eq!(
        w.a.app.get("/exports").await.status(),
        StatusCode::NOT_FOUND
    );
    // The dashboard links here.
    assert!(sup
        .page("/supervise")
        .await
        .contains("data-testid=\"export-link\""));

    let quarter = app::rules::Quarter::of(today()).key();
    let form = export_form("", &quarter, "xlsx");
    let res = sup
        .submit("/exports", "/api/exports/create", &pairs(&form))
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/exports?saved=1"), "{location}");
    use app::model::entities::export_job;
    use sea_orm::EntityTrait;
    let job = export_job::Entity::find()
        .one(&w.admin.db)
        .await
        .unwrap()
        .expect("a job");
    let status = finished(&sup, job.id).await;
    assert_eq!(status["state"], "done");
    let html = sup.page("/exports").await;
    assert!(
        html.contains(&format!("href=\"/exports/{}/download\"", job.id)),
        "the download link"
    );
    assert!(html.contains("data-state=\"done\""));
    assert!(
        !html.contains("http-equiv=\"refresh\""),
        "done: no more refreshing"
    );
    // While a job waits, the page refreshes itself for browsers without JavaScript.
    use sea_orm::{ActiveModelTrait, Set};
    let mut waiting: export_job::ActiveModel = export_job::Entity::find_by_id(job.id)
        .one(&w.admin.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    waiting.state = Set("queued".to_owned());
    waiting.expires_at = Set(chrono::Utc::now() + chrono::Duration::days(1));
    waiting.update(&w.admin.db).await.unwrap();
    let html = sup.page("/exports").await;
    assert!(
        html.contains("<noscript><meta http-equiv=\"refresh\" content=\"2\""),
        "refresh while queued"
    );
}

/// LibreOffice's `soffice`, or `None` (after saying so) where it is missing and the run may skip
/// it: CI sets `LIAISON_REQUIRE_POSTGRES` and must run the test (`./dev.sh test` installs
/// Debian's libreoffice-calc-nogui).
fn soffice() -> Option<&'static str> {
    let found = std::process::Command::new("soffice")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("soffice");
    }
    assert!(
        std::env::var_os("LIAISON_REQUIRE_POSTGRES").is_none(),
        "soffice (libreoffice-calc-nogui) is missing; ./dev.sh test installs it"
    );
    eprintln!("SKIPPED: soffice is not installed (apt-get install libreoffice-calc-nogui)");
    None
}

/// Every sheet of `xlsx` as LibreOffice Calc reads it, converted headless to CSV (UTF-8, dates
/// as shown): the sheets' names and their rows.
fn calc_csv(soffice: &str, xlsx: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let dir = std::env::temp_dir().join(format!("liaison-calc-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ledgers.xlsx");
    std::fs::write(&file, xlsx).unwrap();
    // A profile of its own: LibreOffice needs a writable one, and two runs must not share it.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    // Comma, double quotes, UTF-8 (76), from line 1, …, save cell contents as shown, every
    // sheet to its own file (-1: `ledgers-<sheet>.csv`).
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";
    let out = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
        ])
        .arg("--outdir")
        .arg(&dir)
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "soffice: {stderr}");
    assert!(!stderr.contains("Error"), "soffice: {stderr}");
    let mut sheets = Vec::new();
    for sheet in SHEETS {
        let path = dir.join(format!("ledgers-{sheet}.csv"));
        let raw = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; soffice said: {}{stderr}",
                path.display(),
                String::from_utf8_lossy(&out.stdout)
            )
        });
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&raw[..]);
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        sheets.push((sheet.to_owned(), rows));
    }
    let _ = std::fs::remove_dir_all(&dir);
    sheets
}

/// `quarter` of the supervisor's own subtree exported as `format`, waited for: the job's id and
/// its finished status.
pub async fn exported(sup: &TestApp, quarter: &app::rules::Quarter, format: &str) -> (i64, Value) {
    let id = created(
        sup,
        "/api/exports/create",
        &export_form("", &quarter.key(), format),
    )
    .await;
    (id, finished(sup, id).await)
}

crate::db_test!(libreoffice_calc_opens_the_workbook_and_reads_every_ledger);
async fn libreoffice_calc_opens_the_workbook_and_reads_every_ledger(app: TestApp) {
    let Some(soffice) = soffice() else {
        return;
    };
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = app::rules::Quarter::of(today());
    let (id, status) = exported(&sup, &quarter, "xlsx").await;
    assert_eq!(status["state"], "done", "{status}");
    let bytes = download(&sup, &format!("/exports/{id}/download")).await;
    let sheets = calc_csv(soffice, &bytes);
    assert_eq!(
        sheets.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        SHEETS
    );
    for (sheet, rows) in &sheets {
        // The title block, a blank row, the header.
        assert_title(
            &rows[..TITLE_ROWS - 1]
                .iter()
                .map(|r| r[0].clone())
                .collect::<Vec<_>>(),
            sheet,
            quarter,
        );
        assert!(
            rows[TITLE_ROWS - 1].iter().all(String::is_empty),
            "{rows:?}"
        );
        assert_eq!(rows[TITLE_ROWS][0], "序号", "{sheet}");
    }
    let (_, contacts) = &sheets[1];
    assert_eq!(contacts[TITLE_ROWS], CONTACT_HEADERS);
    let records = &contacts[TITLE_ROWS + 1..];
    assert_eq!(records.len(), 3, "{records:?}");
    let serials: Vec<&str> = records.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(serials, ["1", "2", "3"]);
    let risky = records
        .iter()
        .find(|r| r[12] == "想找实习")
        .expect("the contact with a request");
    // Text stays text: the neutralised formula is not evaluated, the masked phone is as written.
    assert!(risky[11].starts_with("'=HYPERLINK"), "{risky:?}");
    assert_eq!(risky[8], "138****8000");
    assert_eq!(risky[9], day(today()), "a date, shown as written");
    assert_eq!(risky[7], SCHOOL);
    assert_eq!(risky[15], "30");
    assert_eq!(risky[2], "张伟");

    let (_, summary) = &sheets[0];
    let headers = &summary[TITLE_ROWS];
    assert_eq!(&headers[..3], ["序号", "团干部", "所属组织"]);
    assert_eq!(&headers[headers.len() - 3..], ["评定", "原因", "账号"]);
    let rows = &summary[TITLE_ROWS + 1..];
    let mut users: Vec<&str> = rows.iter().map(|r| r[r.len() - 1].as_str()).collect();
    users.sort_unstable();
    assert_eq!(users, ["cadre_a", "cadre_b"]);
    let month = headers
        .iter()
        .position(|h| *h == format!("{}月学习时长（小时）", today().month()))
        .unwrap_or_else(|| panic!("{headers:?}"));
    let row_a = rows.iter().find(|r| r[r.len() - 1] == "cadre_a").unwrap();
    assert_eq!(row_a[month], "2.5", "{row_a:?}");
    assert_eq!(row_a[1], CADRE_NAME);
    assert_eq!(row_a[2], STREET);
}

/// Runs a poppler tool on a PDF; answers what it printed.
pub fn poppler(tool: &str, pdf: &[u8], args: &[&str], after: &[&str]) -> String {
    let path = std::env::temp_dir().join(format!("liaison-test-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&path)
        .args(after)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils, installed by ./dev.sh test): {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

crate::db_test!(the_pdf_summary_holds_chinese_text_in_an_embedded_subset_font);
async fn the_pdf_summary_holds_chinese_text_in_an_embedded_subset_font(app: TestApp) {
    let w = setup(app).await;
    a_quarters_work(&w).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = app::rules::Quarter::of(today());
    let (_, status) = exported(&sup, &quarter, "pdf").await;
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["total"], 2, "the summary: one row per cadre");
    let res = sup.get(status["url"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf.len() < 1_000_000, "{} bytes", pdf.len());

    let text = poppler("pdftotext", &pdf, &["-layout"], &["-"]);
    for expected in [
        "团干部直接联系青年工作季度汇总",
        STREET,
        CADRE_NAME,
        &format!("{} 年第 {} 季度", quarter.year, quarter.q),
        "第 1 页 / 共 1 页",
        "审核人",
    ] {
        // pdftotext keeps or drops narrow spaces between CJK glyphs as it sees fit.
        let squeezed = text.replace(' ', "");
        assert!(
            squeezed.contains(&expected.replace(' ', "")),
            "{expected:?} in:\n{text}"
        );
    }
    // Landscape A4.
    let info = poppler("pdfinfo", &pdf, &[], &[]);
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap_or_else(|| panic!("{info}"));
    assert!(size.trim().starts_with("841.89 x 595.28 pts"), "{size}");
    // The table's cells whole on their line: the study hours named by month, the rating with
    // its label, the contacts with their share.
    let lines: Vec<String> = text.lines().map(|l| l.replace(' ', "")).collect();
    let on_a_line = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(on_a_line("学习（小时）"), "{text}");
    assert!(on_a_line(&format!("{}月2.5", today().month())), "{text}");
    assert!(
        ["绿（正常）", "黄（需关注）", "红（未完成）"]
            .iter()
            .any(|r| on_a_line(r)),
        "{text}"
    );
    assert!(
        on_a_line("2(100%)"),
        "cadre_a contacted both youths: {text}"
    );
    assert!(
        on_a_line(&format!("导出人：{CADRE_NAME}（sup_street）")),
        "{text}"
    );
    let fonts = poppler("pdffonts", &pdf, &[], &[]);
    let line = fonts
        .lines()
        .find(|l| l.contains("NotoSansCJK"))
        .unwrap_or_else(|| panic!("the CJK font:\n{fonts}"));
    // `emb` and `sub` columns: embedded, as a subset.
    assert!(line.contains("yes yes"), "{line}");
}

crate::db_test!(a_quarters_summary_counts_what_its_visit_ledger_lists);
/// The quarter's first ISO week can begin in the quarter before (2026 Q4's on 28 September): its
/// visit days count in the quarter's 4+1 and are listed in the quarter's 下基层台账, named by
/// their week, and not in the quarter before's.
async fn a_quarters_summary_counts_what_its_visit_ledger_lists(app: TestApp) {
    use app::model::entities::visit_day;
    use app::rules::{Quarter, Week};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let w = setup(app).await;
    crate::reminders::posted_long_ago(&w.admin).await;
    let sup = supervisor(&w, "sup_street", w.street).await;
    let quarter = Quarter::of(today()).prev();
    let weeks = quarter.weeks();
    // A visit day on the Monday of the quarter's first week, another in its second week, and
    // one in the last week of the quarter before (which is not this quarter's).
    let days = [
        weeks[0].monday(),
        weeks[1].monday() + chrono::Duration::days(1),
        weeks[0].monday() - chrono::Duration::days(3),
    ];
    for d in days {
        visit_day::Entity::insert(visit_day::ActiveModel {
            uuid: Set(uuid::Uuid::new_v4()),
            cadre_id: Set(w.a.id),
            org_id: Set(w.a.org),
            visit_date: Set(d),
            week_no: Set(Week::of(d).number()),
            hours: Set(8.0),
            work_done: Set("走访团支部".to_owned()),
            outcomes: Set(String::new()),
            late_approved_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        })
        .exec(&w.admin.db)
        .await
        .unwrap();
    }
    let (id, status) = exported(&sup, &quarter, "xlsx").await;
    assert_eq!(status["state"], "done", "{status}");
    let bytes = download(&sup, &format!("/exports/{id}/download")).await;
    let mut book = open_book(bytes);
    let ledger = table(&mut book, "下基层台账");
    let week = ledger.col("周次");
    let visits: Vec<Vec<String>> = ledger
        .rows
        .iter()
        .map(|r| r.iter().map(text).collect())
        .collect();
    let weeks_listed: Vec<String> = visits.iter().map(|r| r[week].clone()).collect();
    assert_eq!(
        weeks_listed,
        vec![weeks[0].key(), weeks[1].key()],
        "the quarter's two weeks, not the one before: {visits:?}"
    );
    let summary = table(&mut book, "汇总");
    let covered = summary.col("4+1已下");
    let row_a = summary
        .rows
        .iter()
        .find(|r| r.last().map(text).as_deref() == Some("cadre_a"))
        .unwrap();
    assert_eq!(
        row_a[covered],
        Data::Float(2.0),
        "the summary counts what the ledger lists"
    );
}
