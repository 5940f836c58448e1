//! The duties' rules as plain functions of dates and records: no database, no clock. Callers pass
//! `today` (a Shanghai date, see [`shanghai_date`]) and the [`Policy`] stored in the database.

use crate::i18n::Strings;
use crate::types::Post;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The numbers of the work plan, editable by admins (table `policies`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub roster_target: u32,
    pub contact_due_days: i64,
    pub contact_overdue_days: i64,
    pub offline_contacts_per_year: u32,
    pub visit_days_per_week: u32,
    pub visit_late_entry_days: i64,
    /// A contact may be logged up to this many days after its date.
    pub contact_late_entry_days: i64,
    pub min_working_days_per_week: u32,
    pub suggestions_per_quarter: u32,
    pub study_hours_per_month: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            roster_target: 100,
            contact_due_days: 60,
            contact_overdue_days: 90,
            offline_contacts_per_year: 1,
            visit_days_per_week: 1,
            visit_late_entry_days: 7,
            contact_late_entry_days: 30,
            min_working_days_per_week: 3,
            suggestions_per_quarter: 1,
            study_hours_per_month: 8.0,
        }
    }
}

impl Policy {
    /// Reads stored `(key, value)` pairs over the defaults; an unknown key or unreadable value
    /// leaves the default in place.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Policy {
        Policy::default().with_pairs(pairs)
    }

    /// These values with stored `(key, value)` pairs over them.
    pub fn with_pairs<'a>(self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Policy {
        let mut p = self;
        for (key, value) in pairs {
            let v = value.trim();
            match key {
                "roster_target" => set(&mut p.roster_target, v),
                "contact_due_days" => set(&mut p.contact_due_days, v),
                "contact_overdue_days" => set(&mut p.contact_overdue_days, v),
                "offline_contacts_per_year" => set(&mut p.offline_contacts_per_year, v),
                "visit_days_per_week" => set(&mut p.visit_days_per_week, v),
                "visit_late_entry_days" => set(&mut p.visit_late_entry_days, v),
                "contact_late_entry_days" => set(&mut p.contact_late_entry_days, v),
                "min_working_days_per_week" => set(&mut p.min_working_days_per_week, v),
                "suggestions_per_quarter" => set(&mut p.suggestions_per_quarter, v),
                "study_hours_per_month" => set(&mut p.study_hours_per_month, v),
                _ => {}
            }
        }
        p
    }
}

/// The first day a policy can be in force from: the values stored before policies had dates
/// hold from it.
pub fn policy_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// The policy with the dates its values took effect (SPEC: closed weeks, months and quarters keep
/// the policy of their time). Each version holds every value: a change starts from the version
/// before it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyHistory {
    /// Oldest first; never empty (the defaults hold from [`policy_epoch`] when nothing is stored).
    versions: Vec<(NaiveDate, Policy)>,
}

impl Default for PolicyHistory {
    fn default() -> Self {
        PolicyHistory::from(Policy::default())
    }
}

impl From<Policy> for PolicyHistory {
    fn from(p: Policy) -> Self {
        PolicyHistory {
            versions: vec![(policy_epoch(), p)],
        }
    }
}

impl PolicyHistory {
    /// Stored `(effective_from, key, value)` rows, in any order: each date's pairs over the
    /// version before it (over the defaults for the first).
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (NaiveDate, &'a str, &'a str)>) -> Self {
        let mut by_date: std::collections::BTreeMap<NaiveDate, Vec<(&'a str, &'a str)>> =
            std::collections::BTreeMap::new();
        for (from, key, value) in rows {
            by_date.entry(from).or_default().push((key, value));
        }
        let mut versions: Vec<(NaiveDate, Policy)> = Vec::with_capacity(by_date.len() + 1);
        for (from, pairs) in by_date {
            let base = versions
                .last()
                .map_or_else(Policy::default, |(_, p)| p.clone());
            versions.push((from, base.with_pairs(pairs)));
        }
        match versions.first() {
            Some((first, _)) if *first <= policy_epoch() => {}
            _ => versions.insert(0, (policy_epoch(), Policy::default())),
        }
        PolicyHistory { versions }
    }

    /// The policy in force on `day`.
    pub fn at(&self, day: NaiveDate) -> &Policy {
        let i = self.versions.partition_point(|(from, _)| *from <= day);
        &self.versions[i.saturating_sub(1)].1
    }

    /// Every version, oldest first, with the day it took effect.
    pub fn versions(&self) -> &[(NaiveDate, Policy)] {
        &self.versions
    }
}

fn set<T: std::str::FromStr>(slot: &mut T, value: &str) {
    if let Ok(v) = value.parse() {
        *slot = v;
    }
}

/// The years a date or period from a request may fall in: anything else is a typo or an attack,
/// and far-off years would only reach date arithmetic's limits.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A calendar date `YYYY-MM-DD` in [`YEARS`].
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

/// The calendar date in Asia/Shanghai (UTC+8, no daylight saving) of an instant.
pub fn shanghai_date(instant: DateTime<Utc>) -> NaiveDate {
    (instant + Duration::hours(8)).date_naive()
}

/// The instant a Shanghai day begins (00:00 at UTC+8).
pub fn shanghai_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::hours(8)
}

/// An ISO week (Monday to Sunday). Week 1 holds the year's first Thursday, so a year has 52 or 53
/// weeks and the first days of January may belong to the previous year's last week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    pub fn of(date: NaiveDate) -> Week {
        let w = date.iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).expect("a valid ISO week")
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let monday = self.monday();
        (0..7).map(move |d| monday + Duration::days(d))
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Week::of(date) == self
    }

    pub fn next(self) -> Week {
        Week::of(self.monday() + Duration::days(7))
    }

    /// `2026-W48`
    pub fn key(self) -> String {
        format!("{}-W{:02}", self.year, self.week)
    }

    /// Weeks since the one of Monday 3 January 2000 (kept with visit days, so a week is an
    /// integer in SQL on every database).
    pub fn number(self) -> i32 {
        let epoch = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
        i32::try_from((self.monday() - epoch).num_days().div_euclid(7)).unwrap_or(0)
    }

    /// The Thursday decides which month, quarter and year a week counts in.
    pub fn thursday(self) -> NaiveDate {
        self.monday() + Duration::days(3)
    }
}

/// A calendar quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4
    pub q: u32,
}

impl Quarter {
    /// `2026 年第 4 季度`.
    pub fn label(self, t: &Strings) -> String {
        crate::i18n::fill(
            t.quarter_label,
            &[("year", &self.year.to_string()), ("q", &self.q.to_string())],
        )
    }

    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            q: (date.month() - 1) / 3 + 1,
        }
    }

    pub fn new(year: i32, q: u32) -> Option<Quarter> {
        (1..=4).contains(&q).then_some(Quarter { year, q })
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).expect("a valid quarter")
    }

    pub fn end(self) -> NaiveDate {
        self.next().start() - Duration::days(1)
    }

    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    pub fn prev(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Quarter::of(date) == self
    }

    /// `2026Q4`
    pub fn key(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }

    /// `2026Q4` back into a quarter (years 2000 to 2100 only).
    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.trim().split_once(['Q', 'q'])?;
        let year: i32 = y.parse().ok()?;
        if !YEARS.contains(&year) {
            return None;
        }
        Quarter::new(year, q.parse().ok()?)
    }

    /// The ISO weeks that count in this quarter: those whose Thursday falls in it, so that every
    /// week counts in exactly one quarter.
    pub fn weeks(self) -> Vec<Week> {
        let mut week = Week::of(self.start());
        if !self.contains(week.thursday()) {
            week = week.next();
        }
        let mut out = Vec::new();
        while self.contains(week.thursday()) {
            out.push(week);
            week = week.next();
        }
        out
    }

    /// Days from `today` to the quarter's last day (0 on the last day).
    pub fn days_left(self, today: NaiveDate) -> i64 {
        (self.end() - today).num_days()
    }
}

/// First and last day of the month holding `date`.
pub fn month_bounds(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = date.with_day(1).expect("day 1 exists");
    let next = if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    }
    .expect("a valid month");
    (first, next - Duration::days(1))
}

/// Where a youth stands for contact (1+100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ContactStatus {
    Ok,
    /// Contact due: `contact_due_days` since the last contact (yellow).
    Due,
    /// `contact_overdue_days` or more (red).
    Overdue,
}

/// Days since the last logged contact, or since the assignment if there was none yet.
pub fn days_without_contact(
    last_contact: Option<NaiveDate>,
    assigned_on: NaiveDate,
    today: NaiveDate,
) -> i64 {
    // The history stays with the youth: a contact by a previous cadre counts too.
    let since = last_contact.unwrap_or(assigned_on);
    (today - since).num_days().max(0)
}

pub fn contact_status(
    last_contact: Option<NaiveDate>,
    assigned_on: NaiveDate,
    today: NaiveDate,
    policy: &Policy,
) -> ContactStatus {
    let days = days_without_contact(last_contact, assigned_on, today);
    if days >= policy.contact_overdue_days {
        ContactStatus::Overdue
    } else if days >= policy.contact_due_days {
        ContactStatus::Due
    } else {
        ContactStatus::Ok
    }
}

impl ContactStatus {
    /// The word for the status (正常 / 待联系 / 已逾期).
    pub fn label(self, t: &Strings) -> &'static str {
        match self {
            ContactStatus::Ok => t.status_ok,
            ContactStatus::Due => t.status_due,
            ContactStatus::Overdue => t.status_overdue,
        }
    }

    /// The light's CSS class.
    pub fn class(self) -> &'static str {
        match self {
            ContactStatus::Ok => "ok",
            ContactStatus::Due => "warn",
            ContactStatus::Overdue => "bad",
        }
    }
}

/// How long a youth has gone without contact, in the one vocabulary of every page, digest and
/// export (SPEC): "N 天未联系" after a contact; a youth never contacted is "新分配" while not
/// due yet and "从未联系（分配 N 天）" once due, never "N 天未联系".
pub fn contact_words(status: ContactStatus, never: bool, days: i64, t: &Strings) -> String {
    let n = days.to_string();
    let template = match (never, status) {
        (false, _) => t.days_ago,
        (true, ContactStatus::Ok) if days == 0 => t.assigned_today,
        (true, ContactStatus::Ok) => t.newly_assigned,
        (true, _) => t.never_contacted_days,
    };
    crate::i18n::fill(template, &[("n", &n)])
}

/// Public holidays and adjusted working days (调休).
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        !self.holidays.contains(&date) && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    pub fn working_days(&self, week: Week) -> u32 {
        week.days().filter(|d| self.is_working_day(*d)).count() as u32
    }
}

/// An approved absence (请假/出差), both days included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Exemption {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// Why a week asks for no visit day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotRequired {
    /// 4+1 applies to full-time cadres only.
    NotFullTime,
    /// Approved leave or travel left too few working days.
    Exempt,
    /// Fewer working days than the policy's minimum (holidays).
    ShortWeek,
    /// The week ended before the cadre took up the post.
    NotYetInPost,
}

/// Whether a week requires a visit day (4+1) of a cadre with this post.
pub fn week_requirement(
    post: Option<Post>,
    week: Week,
    exemptions: &[Exemption],
    calendar: &WorkCalendar,
    policy: &Policy,
) -> Result<(), NotRequired> {
    if post != Some(Post::FullTime) {
        return Err(NotRequired::NotFullTime);
    }
    let working: Vec<NaiveDate> = week
        .days()
        .filter(|d| calendar.is_working_day(*d))
        .collect();
    if (working.len() as u32) < policy.min_working_days_per_week {
        return Err(NotRequired::ShortWeek);
    }
    let available = working
        .iter()
        .filter(|d| !exemptions.iter().any(|e| e.covers(**d)))
        .count() as u32;
    if available < policy.min_working_days_per_week {
        return Err(NotRequired::Exempt);
    }
    Ok(())
}

/// A week as the visit-day list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WeekStatus {
    Covered,
    /// The week is running and has no visit day yet.
    Open,
    /// The week has not started.
    Upcoming,
    Missing,
    NotRequired(NotRequired),
}

impl WeekStatus {
    /// The status in words (已记录, 未下基层, 无需（请假）…).
    pub fn label(self, t: &Strings) -> String {
        match self {
            WeekStatus::Covered => t.week_logged.to_string(),
            WeekStatus::Open => t.week_not_yet.to_string(),
            WeekStatus::Upcoming => t.week_upcoming.to_string(),
            WeekStatus::Missing => t.week_missing.to_string(),
            WeekStatus::NotRequired(why) => format!(
                "{}（{}）",
                t.week_not_required,
                match why {
                    NotRequired::NotFullTime => t.why_not_full_time,
                    NotRequired::Exempt => t.why_exempt,
                    NotRequired::ShortWeek => t.why_short_week,
                    NotRequired::NotYetInPost => t.why_not_in_post,
                }
            ),
        }
    }

    /// The light's CSS class.
    pub fn class(self) -> &'static str {
        match self {
            WeekStatus::Covered => "ok",
            WeekStatus::Open => "warn",
            WeekStatus::Missing => "bad",
            WeekStatus::NotRequired(_) | WeekStatus::Upcoming => "muted",
        }
    }
}

/// Why a date cannot be logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateProblem {
    InFuture,
    /// Older than the late-entry window: a supervisor has to enter it.
    TooLate,
}

/// A visit day may be logged up to `visit_late_entry_days` after its date, never ahead.
pub fn check_entry_date(
    date: NaiveDate,
    today: NaiveDate,
    policy: &Policy,
) -> Result<(), DateProblem> {
    if date > today {
        Err(DateProblem::InFuture)
    } else if (today - date).num_days() > policy.visit_late_entry_days {
        Err(DateProblem::TooLate)
    } else {
        Ok(())
    }
}

/// A cadre may change or delete their own record within this many days of creating it.
pub const EDIT_WINDOW_DAYS: i64 = 7;

pub fn editable(created_on: NaiveDate, today: NaiveDate) -> bool {
    (today - created_on).num_days() <= EDIT_WINDOW_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn shanghai_dates_turn_at_sixteen_hundred_utc() {
        let before = Utc.with_ymd_and_hms(2026, 12, 31, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 0).unwrap();
        assert_eq!(shanghai_date(before), d("2026-12-31"));
        assert_eq!(shanghai_date(after), d("2027-01-01"));
        // A Sunday night in UTC is already Monday, a new ISO week, in Shanghai.
        let sunday_utc = Utc.with_ymd_and_hms(2026, 11, 29, 17, 0, 0).unwrap();
        assert_eq!(
            Week::of(shanghai_date(sunday_utc)),
            Week {
                year: 2026,
                week: 49
            }
        );
    }

    #[test]
    fn iso_weeks_cross_the_year_boundary_and_reach_53() {
        // 2026 starts on a Thursday: it has 53 ISO weeks.
        assert_eq!(
            Week::of(d("2026-01-01")),
            Week {
                year: 2026,
                week: 1
            }
        );
        assert_eq!(
            Week::of(d("2026-12-31")),
            Week {
                year: 2026,
                week: 53
            }
        );
        assert_eq!(
            Week::of(d("2027-01-03")),
            Week {
                year: 2026,
                week: 53
            }
        );
        assert_eq!(
            Week::of(d("2027-01-04")),
            Week {
                year: 2027,
                week: 1
            }
        );
        // 2025-12-29 (Monday) already belongs to 2026-W01.
        assert_eq!(
            Week::of(d("2025-12-29")),
            Week {
                year: 2026,
                week: 1
            }
        );
        let w53 = Week {
            year: 2026,
            week: 53,
        };
        assert_eq!(
            (w53.monday(), w53.sunday()),
            (d("2026-12-28"), d("2027-01-03"))
        );
        assert_eq!(
            w53.next(),
            Week {
                year: 2027,
                week: 1
            }
        );
        assert_eq!(w53.key(), "2026-W53");
    }

    #[test]
    fn weeks_start_on_monday() {
        let w = Week::of(d("2026-11-25")); // a Wednesday
        assert_eq!(w.monday(), d("2026-11-23"));
        assert_eq!(w.sunday(), d("2026-11-29"));
        assert!(w.contains(d("2026-11-29")) && !w.contains(d("2026-11-30")));
    }

    #[test]
    fn weeks_are_numbered_from_january_2000() {
        assert_eq!(Week::of(d("2000-01-03")).number(), 0);
        assert_eq!(Week::of(d("2000-01-09")).number(), 0);
        assert_eq!(Week::of(d("2000-01-10")).number(), 1);
        let w = Week::of(d("2026-11-26"));
        assert_eq!(w.next().number(), w.number() + 1);
    }

    #[test]
    fn periods_and_dates_from_requests_stay_within_2000_to_2100() {
        assert_eq!(Quarter::parse("2026Q4"), Quarter::new(2026, 4));
        assert_eq!(Quarter::parse("300000Q1"), None);
        assert_eq!(Quarter::parse("-5Q1"), None);
        assert_eq!(Quarter::parse("2101Q1"), None);
        assert_eq!(Quarter::parse("2026Q5"), None);
        assert_eq!(parse_date("2100-12-31"), Some(d("2100-12-31")));
        assert_eq!(parse_date("+262142-01-01"), None);
        assert_eq!(parse_date("1999-12-31"), None);
    }

    #[test]
    fn quarters_end_where_the_calendar_says() {
        assert_eq!(Quarter::of(d("2026-03-31")), Quarter { year: 2026, q: 1 });
        assert_eq!(Quarter::of(d("2026-04-01")), Quarter { year: 2026, q: 2 });
        assert_eq!(Quarter::of(d("2026-12-31")), Quarter { year: 2026, q: 4 });
        let q4 = Quarter { year: 2026, q: 4 };
        assert_eq!((q4.start(), q4.end()), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(q4.next(), Quarter { year: 2027, q: 1 });
        assert_eq!(Quarter { year: 2027, q: 1 }.prev(), q4);
        assert_eq!(Quarter::parse("2026Q4"), Some(q4));
        assert_eq!(Quarter::parse("2026Q5"), None);
        assert_eq!(q4.days_left(d("2026-12-31")), 0);
        assert_eq!(q4.days_left(d("2026-12-01")), 30);
        // Leap year: Q1 2028 ends on 31 March, and February has 29 days.
        assert_eq!(Quarter { year: 2028, q: 1 }.end(), d("2028-03-31"));
        assert_eq!(
            month_bounds(d("2028-02-10")),
            (d("2028-02-01"), d("2028-02-29"))
        );
        assert_eq!(
            month_bounds(d("2026-12-31")),
            (d("2026-12-01"), d("2026-12-31"))
        );
    }

    #[test]
    fn every_week_counts_in_exactly_one_quarter() {
        let q4 = Quarter { year: 2026, q: 4 };
        let weeks = q4.weeks();
        // 2026-W40 (28 Sep – 4 Oct) has its Thursday on 1 Oct; W53 has its Thursday on 31 Dec.
        assert_eq!(
            weeks.first(),
            Some(&Week {
                year: 2026,
                week: 40
            })
        );
        assert_eq!(
            weeks.last(),
            Some(&Week {
                year: 2026,
                week: 53
            })
        );
        assert_eq!(weeks.len(), 14);
        let q3 = Quarter { year: 2026, q: 3 }.weeks();
        assert!(!q3.contains(&Week {
            year: 2026,
            week: 40
        }));
        let q1_2027 = Quarter { year: 2027, q: 1 }.weeks();
        assert_eq!(
            q1_2027.first(),
            Some(&Week {
                year: 2027,
                week: 1
            })
        );
    }

    #[test]
    fn contact_status_counts_from_the_last_contact_or_the_assignment() {
        let p = Policy::default();
        let assigned = d("2026-01-01");
        assert_eq!(
            contact_status(None, assigned, d("2026-03-01"), &p),
            ContactStatus::Ok
        ); // 59 days
        assert_eq!(
            contact_status(None, assigned, d("2026-03-02"), &p),
            ContactStatus::Due
        ); // 60
        assert_eq!(
            contact_status(None, assigned, d("2026-03-31"), &p),
            ContactStatus::Due
        ); // 89
        assert_eq!(
            contact_status(None, assigned, d("2026-04-01"), &p),
            ContactStatus::Overdue
        ); // 90
        let last = Some(d("2026-03-20"));
        assert_eq!(
            contact_status(last, assigned, d("2026-04-01"), &p),
            ContactStatus::Ok
        );
        assert_eq!(days_without_contact(last, assigned, d("2026-04-01")), 12);
    }

    #[test]
    fn the_leap_day_counts() {
        let p = Policy::default();
        // 1 Jan + 60 days is 1 March in a leap year (29 Feb exists), 2 March otherwise.
        assert_eq!(
            contact_status(Some(d("2028-01-01")), d("2027-06-01"), d("2028-03-01"), &p),
            ContactStatus::Due
        );
        assert_eq!(
            contact_status(Some(d("2027-01-01")), d("2026-06-01"), d("2027-03-01"), &p),
            ContactStatus::Ok
        );
        assert_eq!(
            contact_status(Some(d("2027-01-01")), d("2026-06-01"), d("2027-03-02"), &p),
            ContactStatus::Due
        );
    }

    #[test]
    fn thresholds_come_from_the_policy() {
        let p = Policy::from_pairs([
            ("contact_due_days", "30"),
            ("contact_overdue_days", "45"),
            ("nonsense", "1"),
            ("roster_target", "x"),
        ]);
        assert_eq!(p.roster_target, 100, "unreadable values keep the default");
        assert_eq!(
            contact_status(None, d("2026-01-01"), d("2026-01-31"), &p),
            ContactStatus::Due
        );
        assert_eq!(
            contact_status(None, d("2026-01-01"), d("2026-02-15"), &p),
            ContactStatus::Overdue
        );
    }

    fn calendar_2026() -> WorkCalendar {
        WorkCalendar::new(
            [
                "2026-10-01",
                "2026-10-02",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07",
            ]
            .map(d),
            ["2026-09-20", "2026-10-10"].map(d),
        )
    }

    #[test]
    fn only_full_time_cadres_owe_a_visit_day() {
        let (cal, p) = (calendar_2026(), Policy::default());
        let week = Week::of(d("2026-11-25"));
        assert_eq!(
            week_requirement(Some(Post::FullTime), week, &[], &cal, &p),
            Ok(())
        );
        for post in [Some(Post::Seconded), Some(Post::PartTime), None] {
            assert_eq!(
                week_requirement(post, week, &[], &cal, &p),
                Err(NotRequired::NotFullTime)
            );
        }
    }

    #[test]
    fn holiday_weeks_with_fewer_than_three_working_days_are_not_required() {
        let (cal, p) = (calendar_2026(), Policy::default());
        // National Day week: Mon 28 Sep – Wed 30 Sep work, 1–2 Oct off: 3 days, required.
        let w40 = Week::of(d("2026-10-01"));
        assert_eq!(cal.working_days(w40), 3);
        assert_eq!(
            week_requirement(Some(Post::FullTime), w40, &[], &cal, &p),
            Ok(())
        );
        // 5–7 Oct off, Thu–Fri work, Saturday 10 Oct an adjusted working day: 3 days.
        let w41 = Week::of(d("2026-10-05"));
        assert_eq!(cal.working_days(w41), 3);
        let short = WorkCalendar::new(["2026-10-05", "2026-10-06", "2026-10-07"].map(d), []);
        assert_eq!(short.working_days(w41), 2);
        assert_eq!(
            week_requirement(Some(Post::FullTime), w41, &[], &short, &p),
            Err(NotRequired::ShortWeek)
        );
    }

    #[test]
    fn exemptions_that_leave_too_few_days_free_the_week() {
        let (cal, p) = (calendar_2026(), Policy::default());
        let week = Week::of(d("2026-11-25"));
        let three_days = [Exemption {
            start: d("2026-11-23"),
            end: d("2026-11-25"),
        }];
        assert_eq!(
            week_requirement(Some(Post::FullTime), week, &three_days, &cal, &p),
            Err(NotRequired::Exempt)
        );
        let one_day = [Exemption {
            start: d("2026-11-27"),
            end: d("2026-11-27"),
        }];
        assert_eq!(
            week_requirement(Some(Post::FullTime), week, &one_day, &cal, &p),
            Ok(())
        );
    }

    #[test]
    fn visit_days_may_be_entered_up_to_seven_days_late() {
        let p = Policy::default();
        let today = d("2027-01-03");
        assert_eq!(check_entry_date(d("2027-01-03"), today, &p), Ok(()));
        assert_eq!(
            check_entry_date(d("2026-12-27"), today, &p),
            Ok(()),
            "seven days back, across the year"
        );
        assert_eq!(
            check_entry_date(d("2026-12-26"), today, &p),
            Err(DateProblem::TooLate)
        );
        assert_eq!(
            check_entry_date(d("2027-01-04"), today, &p),
            Err(DateProblem::InFuture)
        );
        assert!(editable(d("2026-12-27"), today));
        assert!(!editable(d("2026-12-26"), today));
    }

    #[test]
    fn a_policy_holds_from_its_date_and_keeps_what_it_does_not_change() {
        let h = PolicyHistory::from_rows([
            (d("2026-12-15"), "study_hours_per_month", "10"),
            (policy_epoch(), "study_hours_per_month", "8"),
            (policy_epoch(), "roster_target", "90"),
        ]);
        assert_eq!(h.versions().len(), 2);
        assert_eq!(h.at(d("2026-10-31")).study_hours_per_month, 8.0);
        assert_eq!(h.at(d("2026-12-14")).study_hours_per_month, 8.0);
        assert_eq!(h.at(d("2026-12-15")).study_hours_per_month, 10.0);
        // The later version starts from the one before it.
        assert_eq!(h.at(d("2027-01-01")).roster_target, 90);
        // Nothing stored: the defaults, from the epoch on.
        let none = PolicyHistory::from_rows([]);
        assert_eq!(none.at(d("2026-12-01")), &Policy::default());
        // Only a later version stored: the defaults before it.
        let later = PolicyHistory::from_rows([(d("2026-12-15"), "roster_target", "80")]);
        assert_eq!(later.at(d("2026-12-01")).roster_target, 100);
        assert_eq!(later.at(d("2026-12-15")).roster_target, 80);
    }

    #[test]
    fn a_youth_never_contacted_is_named_so() {
        let t = crate::i18n::Locale::ZhCn.strings();
        assert_eq!(
            contact_words(ContactStatus::Overdue, false, 95, t),
            "95 天未联系"
        );
        assert_eq!(
            contact_words(ContactStatus::Overdue, true, 198, t),
            "从未联系（分配 198 天）"
        );
        assert_eq!(
            contact_words(ContactStatus::Ok, true, 12, t),
            "新分配（12 天）"
        );
        assert_eq!(contact_words(ContactStatus::Ok, true, 0, t), "今日新分配");
        let en = crate::i18n::Locale::En.strings();
        assert_eq!(
            contact_words(ContactStatus::Due, true, 61, en),
            "never contacted (assigned 61 days ago)"
        );
    }
}
