//! What an import file holds and what a good row is: pure functions over the cells, with the
//! organisations and cadres the importer may use passed in.

use crate::i18n::{fill, Strings};
use crate::model::privacy;
use crate::model::youth;
use crate::types::{Basis, Gender, GuardianRelation, PoliticalStatus, Sector};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The template's columns, in order. 团干部 holds the cadre's username, phone number or name
/// (a name only when one active cadre of the importer's subtree has it).
/// The last five came with the PIPL work: 出生月份 (a youth born 14 years ago is under 14 or
/// not by the month), the guardian's consent for a youth under 14, and 处理依据 (本人同意 or
/// 履行法定职责或义务; empty: the default the system administrator set).
pub const COLUMNS: [&str; 17] = [
    "姓名",
    "性别",
    "出生年份",
    "手机号",
    "微信号",
    "所属组织",
    "单位/学校",
    "领域",
    "政治面貌",
    "团干部",
    "标签",
    "备注",
    "出生月份",
    "监护人姓名",
    "监护人关系",
    "监护人同意日期",
    "处理依据",
];
/// Columns a file must have (the others may be left out).
pub const REQUIRED_COLUMNS: [&str; 5] = ["姓名", "性别", "手机号", "领域", "政治面貌"];
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 50_000;

/// A CSV file's text: UTF-8 after a byte-order mark, UTF-8 when it is valid UTF-8, else GB18030
/// (a superset of GBK, which Excel on Chinese Windows writes). Answers the encoding's name too.
pub fn decode(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str) {
    // UTF-8 is borrowed, not copied: a 10 MB file stays 10 MB.
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest), "UTF-8");
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text, "GB18030")
        }
    }
}

pub use super::api::RowError;

/// A row that passed its checks: what the youth will be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Youth {
    pub line: usize,
    pub name: String,
    pub gender: String,
    pub birth_year: Option<i32>,
    pub phone: String,
    pub wechat: Option<String>,
    pub org_id: Option<i64>,
    pub workplace: Option<String>,
    pub sector: String,
    pub political_status: String,
    /// `None`: leave the youth's cadre as it is (a new youth stays unassigned).
    pub cadre_id: Option<i64>,
    pub tags: String,
    pub notes: String,
    #[serde(default)]
    pub birth_month: Option<u32>,
    /// Given for a youth under 14 (and only then kept).
    #[serde(default)]
    pub guardian: Option<youth::Guardian>,
    /// `None`: the default basis (a new youth), the basis on record (a youth already there).
    #[serde(default)]
    pub basis: Option<String>,
}

/// What a row may name: grassroots organisations by name, active cadres by username, phone or
/// unique name, each within the importer's subtree.
pub struct Context<'a> {
    pub t: &'a Strings,
    pub this_year: i32,
    /// The day of the import: who is under 14 is decided on it.
    pub today: chrono::NaiveDate,
    pub orgs: HashMap<String, Vec<i64>>,
    /// By username, phone number, and name where the name is unique.
    pub cadres: HashMap<String, i64>,
    /// Names several active cadres share, and how many.
    pub same_name: HashMap<String, usize>,
}

/// Which column of the file holds each template column, from the header row.
///
/// # Errors
/// The message naming the required columns that are missing.
pub fn columns(header: &[String], t: &Strings) -> Result<HashMap<&'static str, usize>, String> {
    let mut at = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if let Some(c) = COLUMNS.iter().find(|c| **c == h) {
            at.entry(*c).or_insert(i);
        }
    }
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .filter(|c| !at.contains_key(*c))
        .copied()
        .collect();
    if missing.is_empty() {
        Ok(at)
    } else {
        Err(fill(
            t.imp_missing_columns,
            &[("columns", &missing.join("、"))],
        ))
    }
}

/// A cell's value as a message repeats it: at most 40 characters (a report of 1,000 problems
/// stays small whatever the cells hold).
fn shown(v: &str) -> String {
    if v.chars().count() <= 40 {
        v.to_owned()
    } else {
        format!("{}…", v.chars().take(40).collect::<String>())
    }
}

fn has_control(v: &str) -> bool {
    v.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A date as people and spreadsheets write it: 2026-11-30, 2026/11/30, 2026-11-30 00:00:00, or
/// Excel's serial number of days since 1899-12-30 (a date cell read raw).
fn sheet_date(v: &str) -> Option<chrono::NaiveDate> {
    let v = v.trim();
    let day = v.split([' ', 'T']).next().unwrap_or(v).replace('/', "-");
    if let Some(d) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .ok()
        .and_then(|d| crate::rules::parse_date(&d.to_string()))
    {
        return Some(d);
    }
    let days: i64 = v.strip_suffix(".0").unwrap_or(v).parse().ok()?;
    if !(20_000..=80_000).contains(&days) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(days))
}

/// A value from a closed list, by its Chinese label, its English label or its code.
fn choice<T: Copy>(
    value: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T, &Strings) -> &'static str,
) -> Option<T> {
    let zh = crate::i18n::Locale::ZhCn.strings();
    let en = crate::i18n::Locale::En.strings();
    all.iter().copied().find(|v| {
        value == label(*v, zh) || value.eq_ignore_ascii_case(label(*v, en)) || value == code(*v)
    })
}

/// Checks one data row (`line` as the spreadsheet numbers it).
///
/// # Errors
/// Every problem of the row, a message each in the importer's language.
pub fn check(
    line: usize,
    cells: &[String],
    at: &HashMap<&'static str, usize>,
    ctx: &Context<'_>,
) -> Result<Youth, Vec<RowError>> {
    let t = ctx.t;
    let mut errors = Vec::new();
    let cell = |col: &str| -> String {
        at.get(col)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut fail = |col: &str, message: String| {
        errors.push(RowError {
            line,
            name: String::new(),
            column: col.to_owned(),
            value: String::new(),
            message,
        });
    };
    // One-line columns refuse every control character; 备注 may hold line breaks.
    let text =
        |col: &str, max: usize, required: bool, fail: &mut dyn FnMut(&str, String)| -> String {
            // A line break typed in a cell (Alt+Enter) or a tab is a space in a one-line
            // column; any other control character is refused. 备注 keeps its lines.
            let v = if col == "备注" {
                cell(col)
            } else {
                cell(col)
                    .replace("\r\n", " ")
                    .replace(['\r', '\n', '\t'], " ")
            };
            let bad = if col == "备注" {
                has_control(&v)
            } else {
                v.chars().any(char::is_control)
            };
            if required && v.is_empty() {
                fail(col, t.imp_required.to_owned());
            } else if bad {
                fail(col, t.err_invalid_characters.to_owned());
            } else if v.chars().count() > max {
                fail(col, fill(t.err_too_long, &[("max", &max.to_string())]));
            }
            v
        };
    let name = text("姓名", youth::NAME_MAX, true, &mut fail);
    let wechat = text("微信号", youth::WECHAT_MAX, false, &mut fail);
    let workplace = text("单位/学校", youth::WORKPLACE_MAX, false, &mut fail);
    let tags = text("标签", youth::TAGS_MAX, false, &mut fail);
    let notes = text("备注", youth::NOTES_MAX, false, &mut fail);

    let pick = |col: &str,
                value: String,
                options: Vec<&'static str>,
                found: bool,
                fail: &mut dyn FnMut(&str, String)| {
        if value.is_empty() {
            fail(col, t.imp_required.to_owned());
        } else if !found {
            fail(
                col,
                fill(
                    t.imp_not_in_list,
                    &[("value", &shown(&value)), ("choices", &options.join("、"))],
                ),
            );
        }
    };
    let zh = crate::i18n::Locale::ZhCn.strings();
    let gender_v = cell("性别");
    let gender = choice(&gender_v, Gender::ALL, Gender::as_str, Gender::label);
    pick(
        "性别",
        gender_v,
        Gender::ALL.iter().map(|g| g.label(zh)).collect(),
        gender.is_some(),
        &mut fail,
    );
    let sector_v = cell("领域");
    let sector = choice(&sector_v, Sector::ALL, Sector::as_str, Sector::label);
    pick(
        "领域",
        sector_v,
        Sector::ALL.iter().map(|s| s.label(zh)).collect(),
        sector.is_some(),
        &mut fail,
    );
    let ps_v = cell("政治面貌");
    let political = choice(
        &ps_v,
        PoliticalStatus::ALL,
        PoliticalStatus::as_str,
        PoliticalStatus::label,
    );
    pick(
        "政治面貌",
        ps_v,
        PoliticalStatus::ALL.iter().map(|p| p.label(zh)).collect(),
        political.is_some(),
        &mut fail,
    );

    let phone = youth::phone(&cell("手机号"));
    if phone.is_empty() {
        fail("手机号", t.imp_required.to_owned());
    } else if !youth::is_mobile(&phone) {
        fail("手机号", t.err_invalid_phone.to_owned());
    }

    let years = youth::birth_years(ctx.this_year);
    let (min, max) = (*years.start(), *years.end());
    let year_v = cell("出生年份");
    // Spreadsheets write whole numbers as `1998.0` when they read them back.
    let year_v = year_v.strip_suffix(".0").unwrap_or(&year_v).to_owned();
    let birth_year = if year_v.is_empty() {
        None
    } else {
        match year_v.parse::<i32>() {
            Ok(y) if (min..=max).contains(&y) => Some(y),
            _ => {
                fail(
                    "出生年份",
                    fill(
                        t.imp_birth_year,
                        &[
                            ("value", &shown(&year_v)),
                            ("min", &min.to_string()),
                            ("max", &max.to_string()),
                        ],
                    ),
                );
                None
            }
        }
    };

    let month_v = cell("出生月份");
    let month_v = month_v.strip_suffix(".0").unwrap_or(&month_v).to_owned();
    let birth_month = match month_v.trim_end_matches('月') {
        "" => None,
        m => match m.parse::<u32>() {
            Ok(m) if (1..=12).contains(&m) => Some(m),
            _ => {
                fail(
                    "出生月份",
                    fill(t.imp_birth_month, &[("value", &shown(&month_v))]),
                );
                None
            }
        },
    };
    let guardian_name = text("监护人姓名", privacy::GUARDIAN_NAME_MAX, false, &mut fail);
    let relation_v = cell("监护人关系");
    let consent_v = cell("监护人同意日期");
    let guardian = match birth_year.map(|y| privacy::under_14(y, birth_month, ctx.today)) {
        Some(None) if month_v.is_empty() => {
            fail(
                "出生月份",
                fill(
                    t.err_birth_month_needed,
                    &[("year", &birth_year.unwrap_or_default().to_string())],
                ),
            );
            None
        }
        Some(Some(true)) => {
            let relation = choice(
                &relation_v,
                GuardianRelation::ALL,
                GuardianRelation::as_str,
                GuardianRelation::label,
            );
            // Excel dates come back as 2026-12-01, 2026/12/1 or a serial number.
            let consent_on = sheet_date(&consent_v);
            if guardian_name.is_empty() {
                fail("监护人姓名", t.imp_guardian_required.to_owned());
            }
            if relation_v.is_empty() {
                fail("监护人关系", t.imp_guardian_required.to_owned());
            } else if relation.is_none() {
                let options: Vec<&str> =
                    GuardianRelation::ALL.iter().map(|r| r.label(zh)).collect();
                fail(
                    "监护人关系",
                    fill(
                        t.imp_not_in_list,
                        &[
                            ("value", &shown(&relation_v)),
                            ("choices", &options.join("、")),
                        ],
                    ),
                );
            }
            if consent_v.is_empty() {
                fail("监护人同意日期", t.imp_guardian_required.to_owned());
            } else if consent_on.is_none_or(|d| d > ctx.today) {
                fail("监护人同意日期", t.imp_consent_date.to_owned());
            }
            match (relation, consent_on) {
                (Some(relation), Some(consent_on)) if !guardian_name.is_empty() => {
                    Some(youth::Guardian {
                        name: guardian_name.clone(),
                        relation: relation.as_str().to_owned(),
                        consent_on,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    };
    let basis_v = cell("处理依据");
    let basis = if basis_v.is_empty() {
        None
    } else {
        match choice(&basis_v, Basis::ALL, Basis::as_str, Basis::label) {
            Some(b) => Some(b.as_str().to_owned()),
            None => {
                let options: Vec<&str> = Basis::ALL.iter().map(|b| b.label(zh)).collect();
                fail(
                    "处理依据",
                    fill(
                        t.imp_not_in_list,
                        &[
                            ("value", &shown(&basis_v)),
                            ("choices", &options.join("、")),
                        ],
                    ),
                );
                None
            }
        }
    };

    let org_v = cell("所属组织");
    let org_id = if org_v.is_empty() {
        None
    } else {
        match ctx.orgs.get(&org_v).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            Some([_, _, ..]) => {
                fail(
                    "所属组织",
                    fill(t.imp_ambiguous_org, &[("value", &shown(&org_v))]),
                );
                None
            }
            _ => {
                fail(
                    "所属组织",
                    fill(t.imp_unknown_org, &[("value", &shown(&org_v))]),
                );
                None
            }
        }
    };
    let cadre_v = cell("团干部");
    let cadre_id = if cadre_v.is_empty() {
        None
    } else {
        let found = ctx.cadres.get(&cadre_v).copied();
        match (found, ctx.same_name.get(&cadre_v)) {
            (Some(_), _) => {}
            (None, Some(n)) => fail(
                "团干部",
                fill(
                    t.imp_ambiguous_cadre,
                    &[("value", &shown(&cadre_v)), ("n", &n.to_string())],
                ),
            ),
            (None, None) => fail(
                "团干部",
                fill(t.imp_unknown_cadre, &[("value", &shown(&cadre_v))]),
            ),
        }
        found
    };
    // Each problem with the row's name and what its cell holds.
    for e in &mut errors {
        e.name = shown(&name);
        e.value = shown(&cell(&e.column));
    }

    match (gender, sector, political) {
        (Some(gender), Some(sector), Some(political)) if errors.is_empty() => Ok(Youth {
            line,
            name,
            gender: gender.as_str().to_owned(),
            birth_year,
            phone,
            wechat: (!wechat.is_empty()).then_some(wechat),
            org_id,
            workplace: (!workplace.is_empty()).then_some(workplace),
            sector: sector.as_str().to_owned(),
            political_status: political.as_str().to_owned(),
            cadre_id,
            tags,
            notes,
            birth_month,
            guardian,
            basis,
        }),
        _ => Err(errors),
    }
}

/// A real roster almost never has this many numbers behind one masked form (`138****1234`):
/// a file that does is trying candidates for a number it was shown masked.
pub const SAME_MASK_IN_FILE: usize = 8;
/// Wrong numbers one importer may try at one masked number within [`GUESS_DAYS`] (a number
/// that has since become a youth's is no longer wrong): after that, every row with that masked
/// form is held back, whether its number is right or wrong.
pub const GUESSES_PER_MASK: usize = 3;
pub const GUESS_DAYS: i64 = 30;
/// Dry runs one importer may make within a day.
pub const DRY_RUNS_PER_DAY: u64 = 30;

/// The masked form with [`SAME_MASK_IN_FILE`] or more different numbers in the file, if any.
pub fn crowded_mask<'a>(phones: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut by_mask: HashMap<String, std::collections::HashSet<&'a str>> = HashMap::new();
    for p in phones {
        by_mask
            .entry(crate::types::mask_phone(p))
            .or_default()
            .insert(p);
    }
    let mut crowded: Vec<(String, usize)> = by_mask
        .into_iter()
        .map(|(m, s)| (m, s.len()))
        .filter(|(_, n)| *n >= SAME_MASK_IN_FILE)
        .collect();
    crowded.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    crowded.into_iter().next().map(|(m, _)| m)
}

/// Whether a file's rows with one masked form may be checked, given the wrong numbers the
/// importer tried at it before (`earlier`) and the ones this file adds (`new`, not among
/// `earlier`). Refused once the wrong numbers would pass [`GUESSES_PER_MASK`], or when they
/// already reached it (then even a right number is refused: otherwise each try still says
/// right or wrong).
pub fn guesses_allowed(earlier: usize, new: usize) -> bool {
    earlier < GUESSES_PER_MASK && earlier + new <= GUESSES_PER_MASK
}

#[cfg(test)]
mod tests {

    #[test]
    fn eight_numbers_behind_one_mask_are_a_probe_and_seven_are_not() {
        let seven: Vec<String> = (0..7).map(|i| format!("138000{i}0123")).collect();
        let mut phones: Vec<&str> = seven.iter().map(String::as_str).collect();
        phones.push("13900001111");
        // The same number twice is one number.
        phones.push("13800000123");
        assert_eq!(crowded_mask(phones.iter().copied()), None);
        let eighth = "13800070123".to_owned();
        phones.push(&eighth);
        assert_eq!(
            crowded_mask(phones.iter().copied()).as_deref(),
            Some("138****0123")
        );
    }

    #[test]
    fn three_wrong_numbers_per_mask_then_none_at_all() {
        assert!(guesses_allowed(0, 0));
        assert!(guesses_allowed(0, 3));
        assert!(!guesses_allowed(0, 4));
        assert!(guesses_allowed(2, 1));
        assert!(!guesses_allowed(2, 2));
        // Used up: even a file with no wrong number for it (a right one) is refused.
        assert!(!guesses_allowed(3, 0));
    }
    use super::*;
    use crate::i18n::Locale;

    fn ctx() -> Context<'static> {
        Context {
            t: Locale::ZhCn.strings(),
            this_year: 2026,
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            orgs: HashMap::from([
                ("河东中学团委".to_owned(), vec![3]),
                ("团支部".to_owned(), vec![4, 5]),
            ]),
            cadres: HashMap::from([
                ("cadre01".to_owned(), 7),
                ("13900000001".to_owned(), 7),
                ("李明".to_owned(), 7),
            ]),
            same_name: HashMap::from([("王芳".to_owned(), 2)]),
        }
    }

    fn header() -> Vec<String> {
        COLUMNS.iter().map(|c| (*c).to_owned()).collect()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn a_good_row_reads_labels_and_names() {
        let at = columns(&header(), Locale::ZhCn.strings()).unwrap();
        let y = check(
            2,
            &row(&[
                "王芳",
                "女",
                "1998",
                "138 0013 8000",
                "",
                "河东中学团委",
                "河东中学",
                "学生",
                "团员",
                "cadre01",
                "",
                "",
            ]),
            &at,
            &ctx(),
        )
        .unwrap();
        assert_eq!(y.gender, "female");
        assert_eq!(y.phone, "13800138000");
        assert_eq!(y.org_id, Some(3));
        assert_eq!(y.cadre_id, Some(7));
        assert_eq!(y.sector, "student");
        assert_eq!(y.political_status, "league_member");
        // A cadre named by phone; English labels and codes too; a spreadsheet's 1998.0.
        let y = check(
            3,
            &row(&[
                "李娜",
                "Female",
                "1998.0",
                "13800138001",
                "",
                "",
                "",
                "enterprise",
                "群众",
                "13900000001",
                "",
                "",
            ]),
            &at,
            &ctx(),
        )
        .unwrap();
        assert_eq!(
            (y.gender.as_str(), y.birth_year, y.cadre_id),
            ("female", Some(1998), Some(7))
        );
        // A cadre named by name, when only one cadre has it; a shared name is refused.
        let by_name = |cadre: &str| {
            check(
                4,
                &row(&[
                    "赵六",
                    "男",
                    "",
                    "13800138002",
                    "",
                    "",
                    "",
                    "学生",
                    "团员",
                    cadre,
                    "",
                    "",
                ]),
                &at,
                &ctx(),
            )
        };
        assert_eq!(by_name("李明").unwrap().cadre_id, Some(7));
        let err = by_name("王芳").unwrap_err();
        assert_eq!(
            (
                err[0].column.as_str(),
                err[0].name.as_str(),
                err[0].value.as_str()
            ),
            ("团干部", "赵六", "王芳")
        );
        assert!(
            err[0].message.contains("2 位") && err[0].message.contains("用户名"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn every_problem_of_a_row_is_named_by_its_column() {
        let at = columns(&header(), Locale::ZhCn.strings()).unwrap();
        let errors = check(
            5,
            &row(&[
                "",
                "未知",
                "1950",
                "12345",
                "",
                "团支部",
                "",
                "农民",
                "团员",
                "nobody",
                "",
                "",
            ]),
            &at,
            &ctx(),
        )
        .unwrap_err();
        let cols: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            [
                "姓名",
                "性别",
                "领域",
                "手机号",
                "出生年份",
                "所属组织",
                "团干部"
            ]
        );
        assert!(errors.iter().all(|e| e.line == 5));
        // Each with what the cell holds; the row's name (here left empty) with every one.
        let values: Vec<&str> = errors.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(
            values,
            ["", "未知", "农民", "12345", "1950", "团支部", "nobody"]
        );
        assert!(errors.iter().all(|e| e.name.is_empty()));
        assert!(
            errors[1].message.contains("男、女"),
            "{}",
            errors[1].message
        );
        assert!(errors[4].message.contains("1986"), "{}", errors[4].message);
        assert!(errors[5].message.contains("多个"), "{}", errors[5].message);
    }

    #[test]
    fn a_youth_under_14_needs_the_guardians_consent_in_the_file() {
        let at = columns(&header(), Locale::ZhCn.strings()).unwrap();
        let cells = |month: &str, guardian: [&str; 3]| {
            let mut r = row(&[
                "小刚",
                "男",
                "2015",
                "13500000001",
                "",
                "",
                "",
                "学生",
                "群众",
                "",
                "",
                "",
            ]);
            r.extend([month, guardian[0], guardian[1], guardian[2], ""].map(str::to_owned));
            r
        };
        let errors = check(2, &cells("3", ["", "", ""]), &at, &ctx()).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["监护人姓名", "监护人关系", "监护人同意日期"]);
        // A date in the future, or a relationship not on the list, is no consent.
        let errors =
            check(2, &cells("3", ["李强", "叔叔", "2026-12-04"]), &at, &ctx()).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["监护人关系", "监护人同意日期"]);
        // Excel's date serial (46,000 days after 1899-12-30 is 2025-12-09) and the labels.
        let ok = check(2, &cells("3", ["李强", "父亲", "46000"]), &at, &ctx()).unwrap();
        assert_eq!(
            ok.guardian,
            Some(youth::Guardian {
                name: "李强".to_owned(),
                relation: "father".to_owned(),
                consent_on: chrono::NaiveDate::from_ymd_opt(2025, 12, 9).unwrap(),
            })
        );
        // Born in 2012, the month decides: needed, and then December 2012 is under 14 on the
        // third of December.
        let mut r = cells("", ["", "", ""]);
        r[2] = "2012".to_owned();
        let errors = check(2, &r, &at, &ctx()).unwrap_err();
        assert_eq!(errors[0].column, "出生月份");
        r[12] = "12月".to_owned();
        let errors = check(2, &r, &at, &ctx()).unwrap_err();
        assert_eq!(errors[0].column, "监护人姓名");
        r[12] = "11".to_owned();
        let ok = check(2, &r, &at, &ctx()).unwrap();
        assert_eq!((ok.birth_month, ok.guardian), (Some(11), None));
    }

    #[test]
    fn a_header_without_the_required_columns_says_which() {
        let err = columns(&row(&["姓名", "电话"]), Locale::ZhCn.strings()).unwrap_err();
        assert!(err.contains("性别") && err.contains("手机号"), "{err}");
        // Columns may come in any order, with a BOM before the first.
        let mut h = header();
        h.reverse();
        h[0] = format!("\u{feff}{}", h[0]);
        let at = columns(&h, Locale::ZhCn.strings()).unwrap();
        assert_eq!(at["处理依据"], 0);
        assert_eq!(at["备注"], COLUMNS.len() - 12);
        assert_eq!(at["姓名"], COLUMNS.len() - 1);
    }

    #[test]
    fn csv_bytes_are_utf8_with_or_without_bom_else_gb18030() {
        let plain = |b: &[u8]| {
            let (text, encoding) = decode(b);
            (text.into_owned(), encoding)
        };
        assert_eq!(
            plain("\u{feff}姓名".as_bytes()),
            ("姓名".to_owned(), "UTF-8")
        );
        assert_eq!(plain("姓名".as_bytes()), ("姓名".to_owned(), "UTF-8"));
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,王芳");
        assert_eq!(plain(&gbk), ("姓名,王芳".to_owned(), "GB18030"));
    }
}
