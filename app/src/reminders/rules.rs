//! When reminders fall due and when their email may go: pure functions of an instant in
//! Asia/Shanghai (UTC+8, no daylight saving). Whether a reminder is *needed* is decided from the
//! compliance engine's figures when it falls due (`decide_*` below): reminders follow state, not
//! the calendar.

use crate::compliance::{CadreRow, Light, WeekLine};
use crate::rules::{Quarter, Week, WeekStatus};
use crate::types::ReminderKind;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
    Weekday,
};

/// Scheduled reminders are made at 09:00, and each user's email of the morning goes then.
pub const SEND_HOUR: u32 = 9;
/// Nothing is mailed from 21:00 …
pub const QUIET_FROM: u32 = 21;
/// … to 08:00 (a supervisor's remind pressed at night goes at 08:00).
pub const QUIET_UNTIL: u32 = 8;
/// Days before the quarter's end when paired organisations without a suggestion are reminded.
pub const SUGGESTION_LEADS: [i64; 3] = [30, 14, 7];
/// A supervisor is reminded of a quarter's sign-off this many days after it ended.
pub const SIGNOFF_AFTER_DAYS: i64 = 7;
/// The day of the month when study below the target is reminded.
pub const STUDY_DAY: u32 = 20;

const SHANGHAI_OFFSET_HOURS: i64 = 8;

/// An instant as a Shanghai wall-clock time.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    (at + Duration::hours(SHANGHAI_OFFSET_HOURS)).naive_utc()
}

/// A Shanghai wall-clock time as an instant.
pub fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(local - Duration::hours(SHANGHAI_OFFSET_HOURS)))
}

fn at_hour(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default())
}

/// A scheduled reminder: its kind, the period it is about (part of its unique key) and the
/// period's dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub kind: ReminderKind,
    /// `2026-W48`, `2026-12-03`, `2026Q4-30`, `2026-12`.
    pub period_key: String,
    pub on: NaiveDate,
    pub about: About,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About {
    Week(Week),
    Day(NaiveDate),
    Quarter {
        quarter: Quarter,
        days_left: i64,
    },
    Month {
        year: i32,
        month: u32,
    },
    /// A quarter that ended a week ago, for the supervisors who have not approved it.
    Signoff(Quarter),
}

/// The scheduled reminders of a Shanghai calendar day, each due at 09:00 that day.
pub fn due_on(date: NaiveDate) -> Vec<Due> {
    let mut out = Vec::new();
    let week = Week::of(date);
    if date.weekday() == Weekday::Thu {
        out.push(Due {
            kind: ReminderKind::VisitDay,
            period_key: week.key(),
            on: date,
            about: About::Week(week),
        });
    }
    out.push(Due {
        kind: ReminderKind::ContactDigest,
        period_key: date.to_string(),
        on: date,
        about: About::Day(date),
    });
    let quarter = Quarter::of(date);
    let days_left = (quarter.end() - date).num_days();
    if SUGGESTION_LEADS.contains(&days_left) {
        out.push(Due {
            kind: ReminderKind::SuggestionDue,
            period_key: format!("{}-{days_left}", quarter.key()),
            on: date,
            about: About::Quarter { quarter, days_left },
        });
    }
    if date.day() == STUDY_DAY {
        out.push(Due {
            kind: ReminderKind::StudyDue,
            period_key: format!("{}-{:02}", date.year(), date.month()),
            on: date,
            about: About::Month {
                year: date.year(),
                month: date.month(),
            },
        });
    }
    let ended = quarter.prev();
    if date == ended.end() + Duration::days(SIGNOFF_AFTER_DAYS) {
        out.push(Due {
            kind: ReminderKind::SignoffDue,
            period_key: ended.key(),
            on: date,
            about: About::Signoff(ended),
        });
    }
    if date.weekday() == Weekday::Mon {
        let last = Week::of(date - Duration::days(7));
        out.push(Due {
            kind: ReminderKind::SupervisorDigest,
            period_key: last.key(),
            on: date,
            about: About::Week(last),
        });
    }
    out
}

/// The scheduled reminders to make at an instant: from 09:00 to the end of the day those of
/// the day (a tick missed at 09:00 is caught up by the next one the same day); none before.
pub fn due_at(at: DateTime<Utc>) -> Vec<Due> {
    let now = local(at);
    if now.hour() < SEND_HOUR {
        return Vec::new();
    }
    due_on(now.date())
}

/// Which morning's email a scheduled reminder made at `at` goes into, and when that email may
/// go: the same day's (at once, from 09:00) before 21:00, else the next morning's at 09:00.
/// Each user gets one such email a day.
pub fn mail_slot(at: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>) {
    let now = local(at);
    if now.hour() >= QUIET_FROM {
        let next = now.date() + Duration::days(1);
        (next, instant(at_hour(next, SEND_HOUR)))
    } else if now.hour() < SEND_HOUR {
        (now.date(), instant(at_hour(now.date(), SEND_HOUR)))
    } else {
        (now.date(), at)
    }
}

/// When a supervisor's remind pressed at `at` is mailed: at once, or at 08:00 when pressed
/// between 21:00 and 08:00.
pub fn remind_send_after(at: DateTime<Utc>) -> DateTime<Utc> {
    let now = local(at);
    if now.hour() >= QUIET_FROM {
        instant(at_hour(now.date() + Duration::days(1), QUIET_UNTIL))
    } else if now.hour() < QUIET_UNTIL {
        instant(at_hour(now.date(), QUIET_UNTIL))
    } else {
        at
    }
}

/// Nothing leaves the outbox between 21:00 and 08:00 (a retry that falls due at night waits).
pub fn quiet(at: DateTime<Utc>) -> bool {
    let h = local(at).hour();
    !(QUIET_UNTIL..QUIET_FROM).contains(&h)
}

/// How long a failed email waits before its next try; `None` after the last try.
pub fn retry_after(attempts: u32) -> Option<Duration> {
    match attempts {
        1 => Some(Duration::minutes(1)),
        2 => Some(Duration::minutes(5)),
        3 => Some(Duration::minutes(30)),
        4 => Some(Duration::hours(2)),
        _ => None,
    }
}

/// Thursday: this week's visit day is still missing in a week that requires one (a full-time
/// post, enough working days, not exempt).
pub fn visit_day_missing(weeks: &[WeekLine], week: Week) -> bool {
    weeks
        .iter()
        .any(|w| w.week == week && w.status == WeekStatus::Open)
}

/// The quarter's paired organisations still without a suggestion, as the engine counts them.
pub fn suggestions_missing(row: &CadreRow) -> u32 {
    row.suggestions_missing
}

/// Hours of study missing this month, when the month is owed (not spent entirely away).
pub fn study_missing(row: &CadreRow) -> Option<f64> {
    let month = row.study_months.last()?;
    let missing = month.target - month.hours;
    (month.owed && missing > 0.0).then_some(missing)
}

/// Last week's misses of a cadre, for the supervisor's Monday digest: the red reasons of the
/// week (a required visit day not logged, youths overdue, a month or quarter that ended short).
pub fn misses(row: &CadreRow) -> Vec<&crate::compliance::Reason> {
    row.reasons
        .iter()
        .filter(|r| r.light == Light::Red)
        .collect()
}

/// What a supervisor's remind names: what the cadre can still act on now, worst first — not a
/// past week or a closed month (`Rule::actionable`); a cadre with nothing to do gets a plain
/// nudge.
pub fn remind_reasons(row: &CadreRow) -> Vec<&crate::compliance::Reason> {
    let mut out: Vec<_> = row
        .reasons
        .iter()
        .filter(|r| r.light != Light::Green && r.rule.actionable())
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.light));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::{MonthHours, Pace, Reason, Rule};
    use crate::rules::NotRequired;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A Shanghai wall-clock time as an instant.
    fn sh(s: &str) -> DateTime<Utc> {
        instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }

    fn kinds(at: &str) -> Vec<(ReminderKind, String)> {
        due_at(sh(at))
            .into_iter()
            .map(|d| (d.kind, d.period_key))
            .collect()
    }

    #[test]
    fn thursday_at_nine_brings_the_visit_day_and_the_digest() {
        // 2026-12-03 is a Thursday (ISO week 49).
        assert_eq!(
            kinds("2026-12-03 09:00"),
            vec![
                (ReminderKind::VisitDay, "2026-W49".to_owned()),
                (ReminderKind::ContactDigest, "2026-12-03".to_owned()),
            ]
        );
        // Before nine nothing; a tick missed at nine is caught up the same day.
        assert!(kinds("2026-12-03 08:59").is_empty());
        assert_eq!(kinds("2026-12-03 23:30").len(), 2);
        // 01:00 UTC is 09:00 in Shanghai.
        let utc = Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap();
        assert_eq!(due_at(utc).len(), 2);
        assert!(due_at(utc - Duration::minutes(1)).is_empty());
    }

    #[test]
    fn the_quarter_end_is_reminded_30_14_and_7_days_before() {
        // Q4 ends on 31 December.
        for (day, left) in [("2026-12-01", 30), ("2026-12-17", 14), ("2026-12-24", 7)] {
            let due = due_on(d(day));
            let s = due
                .iter()
                .find(|x| x.kind == ReminderKind::SuggestionDue)
                .unwrap_or_else(|| panic!("{day}"));
            assert_eq!(s.period_key, format!("2026Q4-{left}"));
        }
        for day in ["2026-12-02", "2026-12-25", "2026-12-31", "2026-11-30"] {
            assert!(
                !due_on(d(day))
                    .iter()
                    .any(|x| x.kind == ReminderKind::SuggestionDue),
                "{day}"
            );
        }
        // Q1 of a leap year ends on 31 March: 30 days before is 1 March.
        assert!(due_on(d("2028-03-01"))
            .iter()
            .any(|x| x.period_key == "2028Q1-30"));
    }

    #[test]
    fn study_is_reminded_on_the_twentieth_even_of_february() {
        let due = due_on(d("2027-02-20"));
        assert!(due
            .iter()
            .any(|x| x.kind == ReminderKind::StudyDue && x.period_key == "2027-02"));
        assert!(!due_on(d("2027-02-19"))
            .iter()
            .any(|x| x.kind == ReminderKind::StudyDue));
    }

    #[test]
    fn supervisors_hear_of_last_week_on_monday() {
        let due = due_on(d("2026-11-30"));
        let digest = due
            .iter()
            .find(|x| x.kind == ReminderKind::SupervisorDigest)
            .unwrap();
        assert_eq!(digest.period_key, "2026-W48");
        // Across the year: Monday 4 January 2027 looks back at 2026-W53.
        let jan = due_on(d("2027-01-04"));
        assert!(jan
            .iter()
            .any(|x| x.kind == ReminderKind::SupervisorDigest && x.period_key == "2026-W53"));
    }

    #[test]
    fn supervisors_hear_of_a_sign_off_a_week_after_the_quarter_ended() {
        let signoff = |day: &str| {
            due_on(d(day))
                .into_iter()
                .filter(|x| x.kind == ReminderKind::SignoffDue)
                .map(|x| x.period_key)
                .collect::<Vec<_>>()
        };
        assert_eq!(signoff("2026-10-07"), ["2026Q3"]);
        assert_eq!(signoff("2027-01-07"), ["2026Q4"]);
        assert!(signoff("2026-10-06").is_empty());
        assert!(signoff("2026-10-08").is_empty());
    }

    #[test]
    fn one_email_a_morning_and_nothing_at_night() {
        // Made at 09:00: that morning's email, at once.
        let at = sh("2026-12-03 09:00");
        assert_eq!(mail_slot(at), (d("2026-12-03"), at));
        // Caught up at 20:59: still that day's.
        let late = sh("2026-12-03 20:59");
        assert_eq!(mail_slot(late), (d("2026-12-03"), late));
        // Caught up at 21:30: the next morning's email, at nine.
        assert_eq!(
            mail_slot(sh("2026-12-03 21:30")),
            (d("2026-12-04"), sh("2026-12-04 09:00"))
        );
        // A remind pressed at night waits for eight; in the day it goes at once.
        assert_eq!(
            remind_send_after(sh("2026-12-03 22:10")),
            sh("2026-12-04 08:00")
        );
        assert_eq!(
            remind_send_after(sh("2026-12-04 06:00")),
            sh("2026-12-04 08:00")
        );
        let day = sh("2026-12-04 14:00");
        assert_eq!(remind_send_after(day), day);
        assert!(quiet(sh("2026-12-03 21:00")) && quiet(sh("2026-12-04 07:59")));
        assert!(!quiet(sh("2026-12-04 08:00")) && !quiet(sh("2026-12-04 20:59")));
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_after(1), Some(Duration::minutes(1)));
        assert!(retry_after(4) > retry_after(3));
        assert_eq!(retry_after(5), None);
    }

    fn week_line(week: Week, status: WeekStatus) -> WeekLine {
        WeekLine { week, status }
    }

    #[test]
    fn the_visit_day_reminder_follows_the_week_status() {
        let w = Week::of(d("2026-12-03"));
        // Not logged yet in a required week: remind.
        assert!(visit_day_missing(&[week_line(w, WeekStatus::Open)], w));
        // Logged on Wednesday: no reminder on Thursday.
        assert!(!visit_day_missing(&[week_line(w, WeekStatus::Covered)], w));
        // An exempt week, a holiday week, a part-time post: no reminder.
        for why in [
            NotRequired::Exempt,
            NotRequired::ShortWeek,
            NotRequired::NotFullTime,
        ] {
            assert!(!visit_day_missing(
                &[week_line(w, WeekStatus::NotRequired(why))],
                w
            ));
        }
        // Another week's status says nothing about this one.
        assert!(!visit_day_missing(
            &[week_line(w.next(), WeekStatus::Open)],
            w
        ));
    }

    fn row() -> CadreRow {
        CadreRow {
            cadre_id: 1,
            username: "cadre01".into(),
            name: "王芳".into(),
            org_id: 1,
            org_name: "河东街道团工委".into(),
            post: Some(crate::types::Post::FullTime),
            light: Light::Green,
            reasons: vec![],
            roster: 100,
            roster_target: 100,
            contacted: 0,
            due: 0,
            overdue: 0,
            never: 0,
            no_offline: 0,
            weeks_required: 0,
            weeks_covered: 0,
            weeks_missed: 0,
            weeks_exempt: 0,
            weeks_not_required: 0,
            suggestions_given: 1,
            suggestions_due: 3,
            suggestions_missing: 2,
            study_hours: 5.5,
            study_target: 8.0,
            study_months: vec![MonthHours {
                month: d("2026-12-01"),
                hours: 5.5,
                owed: true,
                target: 8.0,
            }],
            study_month: Some(d("2026-12-01")),
            pace: Pace {
                elapsed: 0.0,
                contacted: 0.0,
            },
        }
    }

    #[test]
    fn study_and_suggestions_say_how_much_is_missing() {
        let mut r = row();
        assert_eq!(suggestions_missing(&r), 2);
        assert_eq!(study_missing(&r), Some(2.5));
        // A month spent entirely away owes nothing; a month met owes nothing.
        r.study_months[0].owed = false;
        assert_eq!(study_missing(&r), None);
        r.study_months[0] = MonthHours {
            month: d("2026-12-01"),
            hours: 8.0,
            owed: true,
            target: 8.0,
        };
        assert_eq!(study_missing(&r), None);
        r.suggestions_given = 3;
        r.suggestions_missing = 0;
        assert_eq!(suggestions_missing(&r), 0);
    }

    #[test]
    fn a_remind_names_what_can_still_be_done_red_first_and_misses_are_the_red_ones() {
        let t = crate::i18n::Locale::ZhCn.strings();
        let mut r = row();
        r.reasons = vec![
            Reason::new(Rule::ContactDue, Light::Yellow, 3.0, t),
            Reason::new(Rule::BehindPace, Light::Yellow, 20.0, t),
            Reason::new(Rule::VisitMissed, Light::Red, 1.0, t),
            Reason::new(Rule::StudyMissed, Light::Red, 2.0, t),
            Reason::new(Rule::ContactOverdue, Light::Red, 1.0, t),
        ];
        // A past week and a closed month cannot be acted on any more: not in the remind.
        let named: Vec<Rule> = remind_reasons(&r).iter().map(|x| x.rule).collect();
        assert_eq!(named, vec![Rule::ContactOverdue, Rule::ContactDue]);
        let missed: Vec<Rule> = misses(&r).iter().map(|x| x.rule).collect();
        assert_eq!(
            missed,
            vec![Rule::VisitMissed, Rule::StudyMissed, Rule::ContactOverdue]
        );
    }
}
