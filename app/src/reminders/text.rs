//! What reminders and their emails say, in the recipient's language. Server-only, so these texts
//! stay out of the browser bundle.

use super::api::{Line, Subject};
use crate::compliance::Rule;
use crate::i18n::{fmt_amount, Locale};
use crate::rules::{contact_words, ContactStatus, Quarter, Week};

/// A reminder as the inbox keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub link: String,
    pub lines: Vec<Line>,
}

/// At most this many lines in one reminder; the rest are counted.
pub const MAX_LINES: usize = 30;

fn zh(l: Locale) -> bool {
    l == Locale::ZhCn
}

fn line(text: String, link: impl Into<String>) -> Line {
    Line {
        text,
        link: Some(link.into()),
        subject: None,
        status: None,
    }
}

fn about(mut line: Line, subject: Subject) -> Line {
    line.subject = Some(subject);
    line
}

/// Keeps the first `MAX_LINES` lines and says how many more there are.
fn capped(mut lines: Vec<Line>, l: Locale, more_link: &str) -> Vec<Line> {
    if lines.len() > MAX_LINES {
        let more = lines.len() - MAX_LINES;
        lines.truncate(MAX_LINES);
        lines.push(line(
            if zh(l) {
                format!("……还有 {more} 项")
            } else {
                format!("… and {more} more")
            },
            more_link,
        ));
    }
    lines
}

pub fn visit_day(l: Locale, week: Week) -> Content {
    let (mon, sun) = (week.monday().format("%m-%d"), week.sunday().format("%m-%d"));
    if zh(l) {
        Content {
            title: "本周还没有下基层".into(),
            body: format!(
                "第 {} 周（{mon} 至 {sun}）还没有记录下基层。专职团干部每周要有一天到基层团组织（4+1）。",
                week.week
            ),
            link: "/visits".into(),
            lines: vec![],
        }
    } else {
        Content {
            title: "No visit day logged this week".into(),
            body: format!(
                "Week {} ({mon} to {sun}) has no visit day yet. Full-time cadres spend one day a week at a grassroots organisation (4+1).",
                week.week
            ),
            link: "/visits".into(),
            lines: vec![],
        }
    }
}

/// A youth of the contact digest.
pub struct DueYouth {
    pub id: i64,
    pub name: String,
    /// Days since the last contact (or since assignment, when never contacted).
    pub days: i64,
    pub never: bool,
    pub overdue: bool,
}

pub fn contact_digest(l: Locale, youths: &[DueYouth]) -> Content {
    let t = l.strings();
    let overdue = youths.iter().filter(|y| y.overdue).count();
    let due = youths.len() - overdue;
    let lines = youths
        .iter()
        .map(|y| {
            let status = if y.overdue {
                ContactStatus::Overdue
            } else {
                ContactStatus::Due
            };
            let text = format!(
                "{} · {} · {}",
                y.name,
                status.label(t),
                contact_words(status, y.never, y.days, t)
            );
            about(
                line(text, format!("/youth/{}", y.id)),
                Subject::Youth { id: y.id },
            )
        })
        .collect();
    // The today page's words: 待联系 (due, not yet overdue) and 已逾期, counted apart.
    let title = if zh(l) {
        match (due, overdue) {
            (d, 0) => format!("{d} 名青年待联系"),
            (0, o) => format!("{o} 名青年已逾期未联系"),
            (d, o) => format!("{o} 名青年已逾期未联系，另有 {d} 名待联系"),
        }
    } else {
        match (due, overdue) {
            (d, 0) => format!("{d} youths due for contact"),
            (0, o) => format!("{o} youths overdue for contact"),
            (d, o) => format!("{o} youths overdue for contact, {d} more due"),
        }
    };
    let body = if zh(l) {
        "按未联系天数排列，点名字记一次联系。"
    } else {
        "Longest without contact first; open a name to log a contact."
    };
    Content {
        title,
        body: body.into(),
        link: "/youth?filter=due".into(),
        lines: capped(lines, l, "/youth?filter=due"),
    }
}

pub fn suggestion_due(
    l: Locale,
    quarter: Quarter,
    days_left: i64,
    missing: u32,
    orgs: &[(i64, String)],
) -> Content {
    let lines = orgs
        .iter()
        .map(|(id, name)| {
            about(
                line(name.clone(), "/suggestions"),
                Subject::Organisation {
                    id: *id,
                    quarter: quarter.key(),
                },
            )
        })
        .collect();
    if zh(l) {
        Content {
            title: format!("还有 {missing} 个结对组织本季度没有建议"),
            body: format!(
                "{}年第{}季度还剩 {days_left} 天。每个结对的基层团组织每季度至少一条工作建议或解决一个困难。",
                quarter.year, quarter.q
            ),
            link: "/suggestions".into(),
            lines,
        }
    } else {
        Content {
            title: format!("{missing} paired organisations without a suggestion this quarter"),
            body: format!(
                "{} Q{} ends in {days_left} days. Each paired grassroots organisation needs a suggestion or a solved problem every quarter.",
                quarter.year, quarter.q
            ),
            link: "/suggestions".into(),
            lines,
        }
    }
}

pub fn study_due(l: Locale, missing: f64, done: f64, target: f64) -> Content {
    let (missing, done, target) = (fmt_amount(missing), fmt_amount(done), fmt_amount(target));
    if zh(l) {
        Content {
            title: format!("本月学习还差 {missing} 小时"),
            body: format!("本月已学习 {done} 小时，每月目标 {target} 小时。"),
            link: "/study".into(),
            lines: vec![],
        }
    } else {
        Content {
            title: format!("{missing} hours of study to go this month"),
            body: format!("{done} hours studied this month; the target is {target} hours."),
            link: "/study".into(),
            lines: vec![],
        }
    }
}

/// A quarter ended a week ago and `org` has not approved it.
pub fn signoff_due(l: Locale, quarter: Quarter, org_id: i64, org: &str) -> Content {
    let t = l.strings();
    let q = quarter.label(t);
    Content {
        title: crate::i18n::fill(t.signoff_remind_title, &[("quarter", &q)]),
        body: crate::i18n::fill(t.signoff_remind_body, &[("quarter", &q), ("org", org)]),
        link: format!("/supervise/signoff?org={org_id}&quarter={}", quarter.key()),
        lines: vec![],
    }
}

/// One cadre's misses for the supervisor's digest.
pub struct Missed {
    pub cadre_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub reasons: Vec<String>,
}

/// Last week's misses, grouped by organisation (the caller sorts them).
pub fn supervisor_digest(l: Locale, week: Week, missed: &[Missed]) -> Content {
    let mut lines = Vec::new();
    let mut last_org = None;
    for m in missed {
        if last_org != Some(m.org_id) {
            last_org = Some(m.org_id);
            lines.push(line(
                m.org_name.clone(),
                format!(
                    "/supervise?org_id={}&period={}&light=red",
                    m.org_id,
                    week.key()
                ),
            ));
        }
        let sep = if zh(l) { "；" } else { "; " };
        lines.push(line(
            format!("· {}：{}", m.name, m.reasons.join(sep)),
            format!("/supervise/cadres/{}?period={}", m.cadre_id, week.key()),
        ));
    }
    let n = missed.len();
    if zh(l) {
        Content {
            title: format!("上周（第 {} 周）{n} 名团干部有未完成事项", week.week),
            body: "按组织列出，点开可看详情。".into(),
            link: format!("/supervise?period={}&light=red", week.key()),
            lines: capped(lines, l, "/supervise?light=red"),
        }
    } else {
        Content {
            title: format!(
                "Last week (week {}): {n} cadres missed something",
                week.week
            ),
            body: "Grouped by organisation; open one for the details.".into(),
            link: format!("/supervise?period={}&light=red", week.key()),
            lines: capped(lines, l, "/supervise?light=red"),
        }
    }
}

pub fn remind(l: Locale, supervisor: &str, reasons: &[(Rule, String)]) -> Content {
    let lines = reasons
        .iter()
        .map(|(rule, text)| Line {
            text: text.clone(),
            link: None,
            subject: Some(Subject::Reason { rule: *rule }),
            status: None,
        })
        .collect();
    if zh(l) {
        Content {
            title: format!("{supervisor} 提醒您跟进履职事项"),
            body: if reasons.is_empty() {
                "请查看本周的联系、下基层、建议和学习情况。".into()
            } else {
                "以下事项需要尽快完成：".into()
            },
            link: "/".into(),
            lines,
        }
    } else {
        Content {
            title: format!("{supervisor} reminds you of your duties"),
            body: if reasons.is_empty() {
                "Please look at this week's contacts, visit day, suggestions and study.".into()
            } else {
                "These need doing soon:".into()
            },
            link: "/".into(),
            lines,
        }
    }
}

/// The email of one or more reminders: (subject, plain text, HTML). Links are made absolute
/// with `base` (the app's public address).
pub fn email(
    l: Locale,
    name: &str,
    items: &[(String, String, String, Vec<Line>)],
    base: &str,
) -> (String, String, String) {
    let subject = match items {
        [(title, ..)] => title.clone(),
        _ if zh(l) => format!("今日提醒（{} 项）", items.len()),
        _ => format!("Today's reminders ({})", items.len()),
    };
    let abs = |link: &str| format!("{}{}", base.trim_end_matches('/'), link);
    let greeting = if zh(l) {
        format!("{name}，您好：")
    } else {
        format!("Hello {name},")
    };
    let footer = if zh(l) {
        format!(
            "全部提醒：{}\n不想收到邮件？在 {} 关闭邮件提醒。",
            abs("/inbox"),
            abs("/settings")
        )
    } else {
        format!(
            "All reminders: {}\nNo more email? Turn it off at {}.",
            abs("/inbox"),
            abs("/settings")
        )
    };
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif;line-height:1.5\"><p>{}</p>",
        l.tag(),
        esc(&greeting)
    );
    for (title, body, link, lines) in items {
        text.push_str(&format!("■ {title}\n{body}\n"));
        html.push_str(&format!(
            "<h2 style=\"font-size:1.05em\"><a href=\"{}\">{}</a></h2><p>{}</p>",
            esc(&abs(link)),
            esc(title),
            esc(body)
        ));
        if !lines.is_empty() {
            html.push_str("<ul>");
        }
        for ln in lines {
            match &ln.link {
                Some(to) => {
                    text.push_str(&format!("  - {}  {}\n", ln.text, abs(to)));
                    html.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>",
                        esc(&abs(to)),
                        esc(&ln.text)
                    ));
                }
                None => {
                    text.push_str(&format!("  - {}\n", ln.text));
                    html.push_str(&format!("<li>{}</li>", esc(&ln.text)));
                }
            }
        }
        if !lines.is_empty() {
            html.push_str("</ul>");
        }
        text.push_str(&format!("{}\n\n", abs(link)));
    }
    text.push_str(&format!("--\n{footer}\n"));
    html.push_str(&format!(
        "<hr><p style=\"color:#666;font-size:.9em\">{}</p></body></html>",
        esc(&footer).replace('\n', "<br>")
    ));
    (subject, text, html)
}

/// Text for HTML: an email's HTML body is built here by hand, so every value is escaped.
fn esc(s: &str) -> String {
    crate::markup::rcdata(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_escapes_what_users_typed_and_links_absolutely() {
        let items = vec![(
            "标题 <b>".to_owned(),
            "正文 & 更多".to_owned(),
            "/inbox".to_owned(),
            vec![line("王<芳>".to_owned(), "/youth/7")],
        )];
        let (subject, text, html) =
            email(Locale::ZhCn, "李<雷>", &items, "https://liaison.example/");
        assert_eq!(subject, "标题 <b>");
        assert!(text.contains("王<芳>  https://liaison.example/youth/7"));
        assert!(html.contains("<a href=\"https://liaison.example/youth/7\">王&lt;芳&gt;</a>"));
        assert!(html.contains("李&lt;雷&gt;"));
        assert!(!html.contains("<b>"));
        // Two reminders: a subject that counts them.
        let two = [items[0].clone(), items[0].clone()];
        assert_eq!(email(Locale::En, "x", &two, "").0, "Today's reminders (2)");
    }

    #[test]
    fn long_digests_are_capped_and_counted() {
        let youths: Vec<DueYouth> = (0..45)
            .map(|i| DueYouth {
                id: i,
                name: format!("青年{i}"),
                days: 70,
                never: false,
                overdue: i % 2 == 0,
            })
            .collect();
        let c = contact_digest(Locale::ZhCn, &youths);
        assert_eq!(c.title, "23 名青年已逾期未联系，另有 22 名待联系");
        assert_eq!(c.lines.len(), MAX_LINES + 1);
        assert_eq!(c.lines.last().unwrap().text, "……还有 15 项");
    }
}
