//! A copy of everything Liaison holds about one youth (PIPL Art. 45), in Chinese: the record
//! itself, the assignments, the contacts and the rights requests; as JSON and as a workbook.
//! Nothing about anyone else is in it but the names of the cadres who held and met the youth.

use crate::error::AppError;
use crate::model::entities::{assignment, contact, pi_request, youth};
use crate::model::names;
use crate::model::orgtree::OrgTree;
use crate::types::{
    Basis, Channel, Gender, GuardianRelation, PiAction, PiKind, PiStatus, PoliticalStatus,
    RequestStatus, Sector,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// One part of the copy: a table with fixed headers.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub title: &'static str,
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    pub youth_id: i64,
    pub made_at: DateTime<Utc>,
    /// (项目, 内容) of the youth's record.
    pub profile: Vec<(&'static str, String)>,
    pub parts: Vec<Part>,
}

pub const NOTE: &str = "本文件是区团委“团干部直接联系青年”工作中保存的您的全部个人信息副本，依据《个人信息保护法》第四十五条提供。";
pub const ASSIGNMENT_HEADERS: &[&str] = &["团干部", "分配日期", "结束日期", "原因"];
pub const CONTACT_HEADERS: &[&str] = &[
    "日期",
    "团干部",
    "方式",
    "内容",
    "诉求",
    "办理状态",
    "办理结果",
    "时长（分钟）",
];
pub const REQUEST_HEADERS: &[&str] = &[
    "类型",
    "收到日期",
    "答复期限",
    "请求内容",
    "状态",
    "处理",
    "说明",
];

/// Gathers the copy of youth `youth_id`.
///
/// # Errors
/// `NotFound` for an unknown youth; a database error as `Internal`.
pub async fn gather(db: &impl ConnectionTrait, youth_id: i64) -> Result<Copy, AppError> {
    let zh = crate::i18n::Locale::ZhCn.strings();
    let y = youth::Entity::find_by_id(youth_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let assignments = assignment::Entity::find()
        .filter(assignment::Column::YouthId.eq(youth_id))
        .order_by_asc(assignment::Column::AssignedOn)
        .order_by_asc(assignment::Column::Id)
        .all(db)
        .await?;
    let contacts = contact::Entity::find()
        .filter(contact::Column::YouthId.eq(youth_id))
        .order_by_asc(contact::Column::ContactDate)
        .order_by_asc(contact::Column::Id)
        .all(db)
        .await?;
    let requests = pi_request::Entity::find()
        .filter(pi_request::Column::YouthId.eq(youth_id))
        .order_by_asc(pi_request::Column::Id)
        .all(db)
        .await?;
    let cadres = names::accounts(
        db,
        assignments
            .iter()
            .map(|a| a.cadre_id)
            .chain(contacts.iter().map(|c| c.cadre_id)),
    )
    .await?;
    let cadre = |id: i64| cadres.get(&id).cloned().unwrap_or_default();
    let tree = OrgTree::load(db).await?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let profile = vec![
        ("姓名", y.name.clone()),
        (
            "性别",
            Gender::parse(&y.gender)
                .map(|g| g.label(zh))
                .unwrap_or_default()
                .to_owned(),
        ),
        (
            "出生年份",
            y.birth_year.map(|b| b.to_string()).unwrap_or_default(),
        ),
        (
            "出生月份",
            y.birth_month.map(|m| m.to_string()).unwrap_or_default(),
        ),
        ("手机号", y.phone.clone()),
        ("微信号", opt(y.wechat.clone())),
        (
            "所属组织",
            y.org_id
                .and_then(|o| tree.get(o).map(|o| o.name.clone()))
                .unwrap_or_default(),
        ),
        ("单位/学校", opt(y.workplace.clone())),
        (
            "领域",
            Sector::parse(&y.sector)
                .map(|s| s.label(zh))
                .unwrap_or_default()
                .to_owned(),
        ),
        (
            "政治面貌",
            PoliticalStatus::parse(&y.political_status)
                .map(|p| p.label(zh))
                .unwrap_or_default()
                .to_owned(),
        ),
        ("标签", y.tags.clone()),
        ("备注", y.notes.clone()),
        (
            "处理依据",
            Basis::parse(&y.basis)
                .map(|b| b.label(zh))
                .unwrap_or_default()
                .to_owned(),
        ),
        (
            "出示的告知版本",
            y.notice_version
                .map(|v| format!("第 {v} 版"))
                .unwrap_or_default(),
        ),
        ("监护人姓名", opt(y.guardian_name.clone())),
        (
            "监护人关系",
            y.guardian_relation
                .as_deref()
                .and_then(GuardianRelation::parse)
                .map(|r| r.label(zh))
                .unwrap_or_default()
                .to_owned(),
        ),
        ("监护人同意日期", date(y.guardian_consent_on)),
        ("撤回同意日期", date(y.withdrawn_on)),
        (
            "登记时间",
            crate::rules::shanghai_date(y.created_at).to_string(),
        ),
        (
            "匿名化时间",
            y.anonymised_at
                .map(|a| crate::rules::shanghai_date(a).to_string())
                .unwrap_or_default(),
        ),
    ];
    let parts = vec![
        Part {
            title: "分配记录",
            headers: ASSIGNMENT_HEADERS,
            rows: assignments
                .iter()
                .map(|a| {
                    vec![
                        cadre(a.cadre_id),
                        a.assigned_on.to_string(),
                        date(a.ended_on),
                        opt(a.reason.clone()),
                    ]
                })
                .collect(),
        },
        Part {
            title: "联系记录",
            headers: CONTACT_HEADERS,
            rows: contacts
                .iter()
                .map(|c| {
                    vec![
                        c.contact_date.to_string(),
                        cadre(c.cadre_id),
                        Channel::parse(&c.channel)
                            .map(|ch| ch.label(zh))
                            .unwrap_or_default()
                            .to_owned(),
                        c.content.clone(),
                        opt(c.request.clone()),
                        c.request_status
                            .as_deref()
                            .and_then(RequestStatus::parse)
                            .map(|s| s.label(zh))
                            .unwrap_or_default()
                            .to_owned(),
                        opt(c.resolution.clone()),
                        c.duration_minutes
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        },
        Part {
            title: "权利请求",
            headers: REQUEST_HEADERS,
            rows: requests
                .iter()
                .map(|r| {
                    vec![
                        PiKind::parse(&r.kind)
                            .map(|k| k.label(zh))
                            .unwrap_or_default()
                            .to_owned(),
                        r.received_on.to_string(),
                        r.due_on.to_string(),
                        r.note.clone(),
                        PiStatus::parse(&r.status)
                            .map(|s| s.label(zh))
                            .unwrap_or_default()
                            .to_owned(),
                        r.action
                            .as_deref()
                            .map(|a| {
                                PiAction::parse(a).map_or_else(
                                    || PiKind::parse(a).map(|k| k.label(zh)).unwrap_or_default(),
                                    |a| a.label(zh),
                                )
                            })
                            .unwrap_or_default()
                            .to_owned(),
                        opt(r.comment.clone()),
                    ]
                })
                .collect(),
        },
    ];
    Ok(Copy {
        youth_id,
        made_at: Utc::now(),
        profile,
        parts,
    })
}

/// An instant as people in the district read it (Asia/Shanghai).
fn shanghai_time(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The copy as JSON, keys in Chinese, in the order the workbook has them.
pub fn to_json(copy: &Copy) -> Vec<u8> {
    serde_json::to_vec_pretty(&Root(copy)).unwrap_or_default()
}

/// Maps written in the order given (a `serde_json::Map` would sort the keys).
struct Root<'a>(&'a Copy);
struct Pairs<'a>(Vec<(&'a str, &'a str)>);
struct Rows<'a>(&'a Part);

impl serde::Serialize for Pairs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl serde::Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            let pairs = self
                .0
                .headers
                .iter()
                .zip(row)
                .map(|(h, v)| (*h, v.as_str()))
                .collect();
            seq.serialize_element(&Pairs(pairs))?;
        }
        seq.end()
    }
}

impl serde::Serialize for Root<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let copy = self.0;
        let mut m = s.serialize_map(Some(3 + copy.parts.len()))?;
        m.serialize_entry("说明", NOTE)?;
        m.serialize_entry("生成时间", &shanghai_time(copy.made_at))?;
        let profile = copy.profile.iter().map(|(k, v)| (*k, v.as_str())).collect();
        m.serialize_entry("个人信息", &Pairs(profile))?;
        for part in &copy.parts {
            m.serialize_entry(part.title, &Rows(part))?;
        }
        m.end()
    }
}

/// The copy as a workbook: 个人信息 as two columns, then a sheet per part.
///
/// # Errors
/// The workbook cannot be written.
pub fn to_xlsx(copy: &Copy) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let wrap = Format::new().set_text_wrap();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let ws = book.add_worksheet();
    ws.set_name("个人信息").map_err(e)?;
    ws.set_column_width(0, 16.0).map_err(e)?;
    ws.set_column_width(1, 60.0).map_err(e)?;
    ws.write_string(0, 0, NOTE).map_err(e)?;
    ws.write_string(1, 0, "生成时间").map_err(e)?;
    ws.write_string(1, 1, shanghai_time(copy.made_at))
        .map_err(e)?;
    ws.write_string_with_format(3, 0, "项目", &bold)
        .map_err(e)?;
    ws.write_string_with_format(3, 1, "内容", &bold)
        .map_err(e)?;
    for (i, (k, v)) in copy.profile.iter().enumerate() {
        let row = u32::try_from(i + 4).unwrap_or(u32::MAX);
        ws.write_string(row, 0, *k).map_err(e)?;
        ws.write_string_with_format(row, 1, v, &wrap).map_err(e)?;
    }
    for part in &copy.parts {
        let ws = book.add_worksheet();
        ws.set_name(part.title).map_err(e)?;
        for (c, h) in part.headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(0);
            ws.write_string_with_format(0, col, *h, &bold).map_err(e)?;
            ws.set_column_width(
                col,
                if h.contains("内容") || h.contains("结果") {
                    40.0
                } else {
                    14.0
                },
            )
            .map_err(e)?;
        }
        for (r, row) in part.rows.iter().enumerate() {
            let at = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, v) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(0);
                ws.write_string(at, col, v).map_err(e)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(e)?;
    }
    book.save_to_buffer().map_err(e)
}
