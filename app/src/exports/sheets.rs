//! The export's sheets: names, fixed Chinese headers (documented in the README; a change here is
//! a change of contract) and column widths set for Chinese text (spreadsheet autofit undercounts
//! CJK characters); the title block above each table. What a cell holds, and how formula-looking
//! text is neutralised.

use chrono::NaiveDate;
use std::borrow::Cow;

/// Excel's rows per sheet; the title block and the header take the first, so a ledger longer
/// than the rest continues on a sheet named `联系青年台账(2)`.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Date(NaiveDate),
    Blank,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Blank, |s| Cell::Text(s.into()))
    }

    /// The cell as CSV text (dates ISO, numbers plain).
    pub fn csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => neutralise(s),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Num(x) => Cow::Owned(number(*x)),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::Blank => Cow::Borrowed(""),
        }
    }
}

/// A number without a trailing `.0`, at most two decimals.
pub fn number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Text that a spreadsheet would read as a formula (`= + - @`, or a tab or carriage return
/// first) gets a leading apostrophe, so it stays text when the file is opened or re-saved
/// (OWASP's CSV injection advice).
pub fn neutralise(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// A column: its header and width in Excel character units.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub header: String,
    pub width: f64,
}

/// A sheet and its columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: &'static str,
    pub columns: Vec<Column>,
}

fn cols(list: &[(&str, f64)]) -> Vec<Column> {
    list.iter()
        .map(|(h, w)| Column {
            header: (*h).to_owned(),
            width: *w,
        })
        .collect()
}

/// The first column of every sheet: the row's number in its ledger (1, 2, …; it goes on across
/// `联系青年台账(2)`), written by the sink, so a printed page can be referred to by line.
pub const SERIAL: &str = "序号";

/// A table's columns: [`SERIAL`], then `list`.
fn table(list: &[(&str, f64)]) -> Vec<Column> {
    let mut columns = cols(&[(SERIAL, 6.0)]);
    columns.extend(cols(list));
    columns
}

pub const SUMMARY: &str = "汇总";
pub const CONTACTS: &str = "联系青年台账";
pub const VISITS: &str = "下基层台账";
pub const SUGGESTIONS: &str = "建议台账";
pub const STUDY: &str = "学习台账";
pub const EXEMPTIONS: &str = "请假记录";
pub const ACTIVITIES: &str = "活动台账";
/// After an approved quarter's ledgers, when late entries changed it since.
pub const CHANGES: &str = "审核后变更";

/// 汇总: a row per cadre from the compliance engine; a study column per month of the quarter
/// (`10月学习时长（小时）`).
pub fn summary(months: &[u32]) -> Sheet {
    let mut columns = table(&[
        ("团干部", 12.0),
        ("所属组织", 24.0),
        ("岗位", 8.0),
        ("名单人数", 10.0),
        ("名单目标", 10.0),
        ("本季联系人数", 14.0),
        ("联系覆盖率（%）", 14.0),
        ("逾期人数", 10.0),
        ("4+1应下", 10.0),
        ("4+1已下", 10.0),
        ("4+1请假", 10.0),
        ("联系点建议已提", 16.0),
        ("联系点建议应提", 16.0),
    ]);
    for m in months {
        columns.push(Column {
            header: format!("{m}月学习时长（小时）"),
            width: 20.0,
        });
    }
    // The account's username last: the columns the review meeting reads come first.
    columns.extend(cols(&[("评定", 8.0), ("原因", 60.0), ("账号", 12.0)]));
    Sheet {
        name: SUMMARY,
        columns,
    }
}

/// 审核后变更: the records approved late entries added, changed or deleted after the quarter's
/// approval (汇总 keeps the figures as approved).
pub fn changes() -> Sheet {
    Sheet {
        name: CHANGES,
        columns: table(&[
            ("记录日期", 12.0),
            ("团干部", 12.0),
            ("所属组织", 24.0),
            ("类型", 16.0),
            ("内容", 50.0),
            ("补录原因", 30.0),
            ("批准人", 12.0),
            ("批准日期", 12.0),
        ]),
    }
}

pub fn contacts() -> Sheet {
    Sheet {
        name: CONTACTS,
        columns: table(&[
            ("团干部", 12.0),
            ("青年姓名", 12.0),
            ("性别", 6.0),
            ("出生年份", 10.0),
            ("政治面貌", 10.0),
            ("领域", 12.0),
            ("单位/学校", 24.0),
            ("联系电话", 14.0),
            ("联系日期", 12.0),
            ("方式", 10.0),
            ("内容", 40.0),
            ("诉求", 30.0),
            ("办理状态", 10.0),
            ("办理结果", 30.0),
            ("时长（分钟）", 13.0),
        ]),
    }
}

pub fn visits() -> Sheet {
    Sheet {
        name: VISITS,
        columns: table(&[
            ("日期", 12.0),
            ("团干部", 12.0),
            ("基层组织", 24.0),
            ("时长（小时）", 13.0),
            ("工作内容", 40.0),
            ("工作成效", 40.0),
            ("周次", 10.0),
        ]),
    }
}

pub fn suggestions() -> Sheet {
    Sheet {
        name: SUGGESTIONS,
        columns: table(&[
            ("季度", 8.0),
            ("团干部", 12.0),
            ("基层组织", 24.0),
            ("类型", 10.0),
            ("标题", 30.0),
            ("内容", 50.0),
            ("状态", 10.0),
            ("审核意见", 30.0),
            ("审核人", 12.0),
            ("审核日期", 12.0),
        ]),
    }
}

pub fn study() -> Sheet {
    Sheet {
        name: STUDY,
        columns: table(&[
            ("月份", 10.0),
            ("团干部", 12.0),
            ("日期", 12.0),
            ("时长（小时）", 13.0),
            ("主题", 40.0),
            ("类型", 12.0),
        ]),
    }
}

pub fn exemptions() -> Sheet {
    Sheet {
        name: EXEMPTIONS,
        columns: table(&[
            ("团干部", 12.0),
            ("所属组织", 24.0),
            ("开始日期", 12.0),
            ("结束日期", 12.0),
            ("天数", 6.0),
            ("事由", 8.0),
            ("说明", 30.0),
            ("状态", 8.0),
            ("审批人", 12.0),
            ("审批日期", 12.0),
            ("审批意见", 30.0),
        ]),
    }
}

/// 活动台账: one row per activity, with its attendees (人次) and how many signed in themselves.
pub fn activities() -> Sheet {
    Sheet {
        name: ACTIVITIES,
        columns: table(&[
            ("日期", 12.0),
            ("活动名称", 30.0),
            ("类型", 10.0),
            ("地点", 24.0),
            ("基层团组织", 24.0),
            ("团干部", 12.0),
            ("所属组织", 24.0),
            ("参加人次", 10.0),
            ("扫码签到人数", 14.0),
        ]),
    }
}

/// What the title block above each sheet's table says: the export's organisation, quarter, when
/// and by whom it was made. The PDF's heading says the same.
#[derive(Clone, Debug, PartialEq)]
pub struct Title {
    pub org: String,
    /// As people say it, `2026 年第 4 季度`.
    pub quarter: String,
    /// Beijing time, `2026-11-26 14:03`.
    pub generated: String,
    /// The requester, `王芳（wangfang）`.
    pub by: String,
}

impl Title {
    /// The block's lines above a sheet named `sheet`: its name, then one fact a line. The table's
    /// header follows after a blank row (see [`Title::ROWS`]).
    pub fn lines(&self, sheet: &str) -> [String; 5] {
        [
            sheet.to_owned(),
            format!("组织：{}", self.org),
            format!("季度：{}", self.quarter),
            format!("生成时间：{}（北京时间）", self.generated),
            format!("导出人：{}", self.by),
        ]
    }

    /// The rows above the table's header: the lines and a blank row.
    pub const ROWS: u32 = 6;
}

/// 评定 as the ledgers write it: the colour and what it means, `红（未完成）`.
pub fn rating(light: crate::compliance::Light, t: &crate::i18n::Strings) -> String {
    use crate::compliance::Light;
    let colour = match light {
        Light::Green => "绿",
        Light::Yellow => "黄",
        Light::Red => "红",
    };
    format!("{colour}（{}）", light.label(t))
}

/// The name of the `part`-th sheet of a ledger (`联系青年台账`, `联系青年台账(2)`, …).
pub fn part_name(name: &str, part: u32) -> String {
    if part <= 1 {
        name.to_owned()
    } else {
        format!("{name}({part})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_looking_text_is_neutralised_and_the_rest_kept() {
        for bad in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\r=x"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for fine in ["王芳", "1+1", "a=b", "", "'quoted"] {
            assert_eq!(neutralise(fine), fine);
        }
        assert_eq!(Cell::text("=HYPERLINK(\"x\")").csv(), "'=HYPERLINK(\"x\")");
    }

    #[test]
    fn numbers_and_dates_read_plainly() {
        assert_eq!(Cell::Num(8.0).csv(), "8");
        assert_eq!(Cell::Num(1.5).csv(), "1.5");
        assert_eq!(Cell::Num(0.333).csv(), "0.33");
        assert_eq!(Cell::Int(-3).csv(), "-3");
        let d = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        assert_eq!(Cell::Date(d).csv(), "2026-11-03");
        assert_eq!(Cell::Blank.csv(), "");
    }

    #[test]
    fn sheet_names_fit_excel() {
        let sheets = [
            summary(&[10, 11, 12]),
            contacts(),
            visits(),
            suggestions(),
            study(),
            exemptions(),
        ];
        for s in &sheets {
            let long = part_name(s.name, 12);
            assert!(long.chars().count() <= 31, "{long}");
            assert!(!long.contains(['[', ']', ':', '*', '?', '/', '\\']));
            assert!(s.columns.iter().all(|c| c.width >= 6.0));
        }
        assert_eq!(part_name(CONTACTS, 1), "联系青年台账");
        assert_eq!(part_name(CONTACTS, 2), "联系青年台账(2)");
        let s = summary(&[10, 11, 12]);
        assert_eq!(s.columns.len(), 1 + 13 + 3 + 3);
        assert_eq!(s.columns[14].header, "10月学习时长（小时）");
        for s in &sheets {
            assert_eq!(s.columns[0].header, SERIAL, "{}", s.name);
        }
    }

    #[test]
    fn every_duration_names_its_unit() {
        let header = |s: &Sheet, i: usize| s.columns[i].header.clone();
        assert_eq!(header(&contacts(), 15), "时长（分钟）");
        assert_eq!(header(&visits(), 4), "时长（小时）");
        assert_eq!(header(&study(), 4), "时长（小时）");
        for s in [
            summary(&[1, 2, 3]),
            contacts(),
            visits(),
            suggestions(),
            study(),
            exemptions(),
        ] {
            for c in &s.columns {
                if c.header.contains("时长") {
                    assert!(
                        c.header.ends_with("（小时）") || c.header.ends_with("（分钟）"),
                        "{}: {}",
                        s.name,
                        c.header
                    );
                }
            }
        }
    }

    #[test]
    fn the_title_block_names_organisation_quarter_time_and_requester() {
        let title = Title {
            org: "河东街道团工委".to_owned(),
            quarter: "2026 年第 4 季度".to_owned(),
            generated: "2026-11-26 14:03".to_owned(),
            by: "王芳（wangfang）".to_owned(),
        };
        assert_eq!(
            title.lines("联系青年台账(2)"),
            [
                "联系青年台账(2)",
                "组织：河东街道团工委",
                "季度：2026 年第 4 季度",
                "生成时间：2026-11-26 14:03（北京时间）",
                "导出人：王芳（wangfang）",
            ]
        );
        assert!(
            title.lines("汇总").len() < Title::ROWS as usize,
            "a blank row before the header"
        );
    }
}
