//! The one compliance engine. For a set of cadres and a period it says, per cadre, where each duty
//! stands (1+100 contacts, 4+1 visit days, the quarterly suggestion, monthly study), a traffic
//! light with its reasons, and the pace. Every page, digest and export that shows compliance reads
//! it here: the same number everywhere.
//!
//! - [`rules`]: pure functions from aggregated facts to figures (unit-tested, no database).
//! - `service` (server only): the facts of a whole subtree by a fixed number of aggregate queries.

#[cfg(feature = "ssr")]
pub mod kept;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

use crate::i18n::{fill, Strings};
use crate::rules::{month_bounds, Quarter, Week, WeekStatus, YEARS};
use crate::types::Post;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// What compliance is computed over: an ISO week, a calendar month or a calendar quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    Week(Week),
    Month { year: i32, month: u32 },
    Quarter(Quarter),
}

impl Period {
    /// `2026Q4`, `2026-11` or `2026-W48` (years 2000 to 2100).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some(q) = Quarter::parse(s) {
            return Some(Period::Quarter(q));
        }
        let (y, rest) = s.split_once('-')?;
        let year: i32 = y.parse().ok().filter(|y| YEARS.contains(y))?;
        if let Some(w) = rest.strip_prefix('W').or_else(|| rest.strip_prefix('w')) {
            let week: u32 = w.parse().ok()?;
            NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
            return Some(Period::Week(Week { year, week }));
        }
        let month: u32 = rest.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Period::Month { year, month })
    }

    pub fn key(self) -> String {
        match self {
            Period::Week(w) => w.key(),
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter(q) => q.key(),
        }
    }

    pub fn start(self) -> NaiveDate {
        match self {
            Period::Week(w) => w.monday(),
            // `parse` keeps months within 1 to 12.
            Period::Month { year, month } => {
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
            }
            Period::Quarter(q) => q.start(),
        }
    }

    pub fn end(self) -> NaiveDate {
        match self {
            Period::Week(w) => w.sunday(),
            Period::Month { .. } => month_bounds(self.start()).1,
            Period::Quarter(q) => q.end(),
        }
    }

    /// The ISO weeks that count in the period: a week counts where its Thursday falls.
    pub fn weeks(self) -> Vec<Week> {
        match self {
            Period::Week(w) => vec![w],
            Period::Quarter(q) => q.weeks(),
            Period::Month { .. } => {
                let (start, end) = (self.start(), self.end());
                let mut w = Week::of(start);
                let mut out = Vec::new();
                while w.monday() <= end {
                    if (start..=end).contains(&w.thursday()) {
                        out.push(w);
                    }
                    w = w.next();
                }
                out
            }
        }
    }

    /// The days of the period and of its weeks together (a quarter's first week can start in
    /// the quarter before).
    pub fn span(self) -> (NaiveDate, NaiveDate) {
        let weeks = self.weeks();
        let start = weeks.first().map_or(self.start(), |w| w.monday());
        let end = weeks.last().map_or(self.end(), |w| w.sunday());
        (start.min(self.start()), end.max(self.end()))
    }

    /// The first days of the months whose study the period judges: those it touches, and for a
    /// week the month of its Thursday (SPEC).
    pub fn months(self) -> Vec<NaiveDate> {
        if let Period::Week(w) = self {
            return vec![month_bounds(w.thursday()).0];
        }
        let mut m = month_bounds(self.start()).0;
        let mut out = Vec::new();
        while m <= self.end() {
            out.push(m);
            m = month_bounds(m).1 + Duration::days(1);
        }
        out
    }

    /// The quarter the period's suggestions count in: a week's by its Thursday, a month's by its
    /// first day.
    pub fn quarter(self) -> Quarter {
        match self {
            Period::Week(w) => Quarter::of(w.thursday()),
            Period::Month { .. } => Quarter::of(self.start()),
            Period::Quarter(q) => q,
        }
    }

    /// The periods a supervisor picks from: this week, this month, this quarter, last quarter.
    pub fn choices(today: NaiveDate) -> [Period; 4] {
        let q = Quarter::of(today);
        [
            Period::Week(Week::of(today)),
            Period::Month {
                year: today.year(),
                month: today.month(),
            },
            Period::Quarter(q),
            Period::Quarter(q.prev()),
        ]
    }

    pub fn label(self, t: &Strings) -> String {
        match self {
            Period::Week(w) => fill(
                t.period_week,
                &[("year", &w.year.to_string()), ("week", &w.week.to_string())],
            ),
            Period::Month { year, month } => fill(
                t.period_month,
                &[("year", &year.to_string()), ("month", &month.to_string())],
            ),
            Period::Quarter(q) => fill(
                t.period_quarter,
                &[("year", &q.year.to_string()), ("q", &q.q.to_string())],
            ),
        }
    }
}

/// Green: every rule met or on track. Yellow: something falls due soon or a threshold is
/// crossed. Red: a rule was missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub const ALL: [Light; 3] = [Light::Red, Light::Yellow, Light::Green];

    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Light> {
        Light::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label(self, t: &Strings) -> &'static str {
        match self {
            Light::Green => t.light_green,
            Light::Yellow => t.light_yellow,
            Light::Red => t.light_red,
        }
    }
}

/// Which rule a reason is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Youths not contacted for `contact_overdue_days` (red).
    ContactOverdue,
    /// Youths not contacted for `contact_due_days` (yellow).
    ContactDue,
    /// Fewer youths on the roster than the target (yellow).
    RosterShort,
    /// Share of the roster contacted well behind the share of the period elapsed (yellow).
    BehindPace,
    /// Required weeks that ended without a visit day (red).
    VisitMissed,
    /// This week's visit day not logged, and the week nearly over (yellow).
    VisitDueSoon,
    /// Paired organisations without a suggestion when the quarter ended (red).
    SuggestionMissed,
    /// … with the quarter's end within 7 days (yellow).
    SuggestionDueSoon,
    /// A month that ended below the study target (red).
    StudyMissed,
    /// This month below the study target, with its end within 7 days (yellow).
    StudyDueSoon,
}

impl Rule {
    /// Whether the cadre can still do something about it now: youths to contact, the roster
    /// to fill, this week's visit day, this quarter's suggestions, this month's study. A past
    /// week, a closed month or quarter, and the pace (a measure, not a task) are not.
    pub fn actionable(self) -> bool {
        matches!(
            self,
            Rule::ContactOverdue
                | Rule::ContactDue
                | Rule::RosterShort
                | Rule::VisitDueSoon
                | Rule::SuggestionDueSoon
                | Rule::StudyDueSoon
        )
    }
}

/// One reason for a light: the rule, its colour and by how much.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: Rule,
    pub light: Light,
    /// How many (youths, weeks, organisations) or how much (hours, percentage points).
    pub amount: f64,
    /// The sentence, in the viewer's language.
    pub text: String,
}

impl Reason {
    pub fn new(rule: Rule, light: Light, amount: f64, t: &Strings) -> Reason {
        let n = crate::i18n::fmt_amount(amount);
        let template = match rule {
            Rule::ContactOverdue => t.why_contact_overdue,
            Rule::ContactDue => t.why_contact_due,
            Rule::RosterShort => t.why_roster_short,
            Rule::BehindPace => t.why_behind_pace,
            Rule::VisitMissed => t.why_visit_missed,
            Rule::VisitDueSoon => t.why_visit_due_soon,
            Rule::SuggestionMissed => t.why_suggestion_missed,
            Rule::SuggestionDueSoon => t.why_suggestion_due_soon,
            Rule::StudyMissed => t.why_study_missed,
            Rule::StudyDueSoon => t.why_study_due_soon,
        };
        Reason {
            rule,
            light,
            amount,
            text: fill(template, &[("n", &n)]),
        }
    }
}

/// Study hours of one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthHours {
    /// The month's first day.
    pub month: NaiveDate,
    pub hours: f64,
    /// False for a month that owes nothing: spent entirely on leave, or ended before the cadre
    /// took up the post.
    pub owed: bool,
    /// The hours the month asks for: the policy's, or the share of it from the day the cadre
    /// took up the post (see [`rules::month_target`]); 0 when not owed.
    pub target: f64,
}

/// Where the cadre should be by today: the share of the roster contacted in the quarter against
/// the share of the quarter elapsed, both from the day the cadre took up the post when that was
/// within the quarter (see [`rules::pace`]); the quarter's in every period view.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pace {
    pub elapsed: f64,
    pub contacted: f64,
}

/// One cadre's figures for a period: the row of every compliance table (dashboard, drill-down,
/// export), in the field names of the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadreRow {
    pub cadre_id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub post: Option<Post>,
    pub light: Light,
    pub reasons: Vec<Reason>,
    pub roster: u32,
    pub roster_target: u32,
    /// Youths on the roster contacted in the period (each once).
    pub contacted: u32,
    pub due: u32,
    pub overdue: u32,
    pub never: u32,
    /// Youths without an offline contact this calendar year.
    pub no_offline: u32,
    pub weeks_required: u32,
    pub weeks_covered: u32,
    pub weeks_missed: u32,
    pub weeks_exempt: u32,
    pub weeks_not_required: u32,
    /// Paired organisations with the quarter's suggestion given (whether owed or not), the
    /// pairings that owe one (full-time cadres), and those of them still without.
    pub suggestions_given: u32,
    pub suggestions_due: u32,
    pub suggestions_missing: u32,
    /// Hours in the month of the period's last day so far, and what that month asks for.
    pub study_hours: f64,
    pub study_target: f64,
    pub study_months: Vec<MonthHours>,
    /// The month a table's 学习 cell speaks of: the first month that ended short of its target
    /// (the one a red reason is about), else the month of `study_hours`.
    pub study_month: Option<NaiveDate>,
    pub pace: Pace,
}

impl CadreRow {
    /// The hours of [`CadreRow::study_month`].
    pub fn study_shown(&self) -> Option<&MonthHours> {
        let month = self.study_month?;
        self.study_months.iter().find(|m| m.month == month)
    }

    /// Share of the roster contacted in the period, 0 to 1.
    pub fn contacted_share(&self) -> f64 {
        if self.roster == 0 {
            0.0
        } else {
            f64::from(self.contacted) / f64::from(self.roster)
        }
    }
}

/// A cadre's weeks in the period, for the drill-down and the today page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekLine {
    pub week: Week,
    pub status: WeekStatus,
}

/// One week of the trend: how many cadres were green, the 4+1 coverage, and the contact
/// coverage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub week: Week,
    pub cadres: u32,
    pub green: u32,
    pub weeks_required: u32,
    pub weeks_covered: u32,
    /// Youths on the rosters at the week's end, and those of them not overdue for contact.
    pub roster: u32,
    pub in_touch: u32,
}

impl TrendPoint {
    /// Share of cadres green, 0 to 1.
    pub fn green_share(&self) -> f64 {
        if self.cadres == 0 {
            0.0
        } else {
            f64::from(self.green) / f64::from(self.cadres)
        }
    }

    /// Share of the rosters' youths not overdue for contact, 0 to 1 (0 without youths).
    pub fn contact_coverage(&self) -> f64 {
        if self.roster == 0 {
            0.0
        } else {
            f64::from(self.in_touch) / f64::from(self.roster)
        }
    }

    /// Share of required visit days logged, 0 to 1 (1 when none was required).
    pub fn coverage(&self) -> f64 {
        if self.weeks_required == 0 {
            1.0
        } else {
            f64::from(self.weeks_covered) / f64::from(self.weeks_required)
        }
    }
}

/// What activities reached in a period: activities held, attendances (人次: each youth at each
/// activity once) and the distinct youths among them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub held: u32,
    pub attendances: u32,
    pub youths: u32,
}
