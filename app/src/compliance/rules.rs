//! The compliance rules on aggregated facts: no database, no clock (`Context::today`).
//!
//! The light (SPEC, Rules): **red** when a rule was missed — youths overdue for contact, a
//! required week ended without a visit day, a month ended below the study target, the quarter
//! ended with a paired organisation lacking a suggestion. **Yellow** when a threshold is crossed
//! or something falls due within days — youths due for contact, a roster below target, contacts
//! well behind pace, this week's visit day not logged by Thursday, the quarter's or the month's
//! end within 7 days with a suggestion or study hours missing. **Green** otherwise.

use super::{CadreRow, Light, MonthHours, Pace, Period, Reason, Rule, WeekLine};
use crate::i18n::Strings;
use crate::rules::{
    month_bounds, week_requirement, Exemption, NotRequired, Policy, PolicyHistory, Week,
    WeekStatus, WorkCalendar,
};
use crate::types::Post;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::HashSet;

/// How far behind pace (share of the roster contacted against share of the quarter elapsed)
/// turns a cadre yellow.
pub const PACE_TOLERANCE: f64 = 0.15;
/// "Falls due within" this many days.
pub const DUE_SOON_DAYS: i64 = 7;
/// Days of a quarter in post (or paired) before the quarter asks for its suggestion (per
/// pairing) and judges the pace: a cadre who takes up the post in the quarter's last 29 days
/// owes neither for it.
pub const DAYS_HELD: i64 = 30;

/// What the database says about one cadre (already aggregated).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub cadre_id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub post: Option<Post>,
    pub joined_on: Option<NaiveDate>,
    pub roster: u32,
    /// Youths of the roster contacted in the period, and in its quarter up to the period's
    /// end (pace is always the quarter's).
    pub contacted: u32,
    pub contacted_quarter: u32,
    pub due: u32,
    pub overdue: u32,
    pub never: u32,
    pub no_offline: u32,
    /// Weeks of the period with at least one visit day.
    pub visit_weeks: HashSet<Week>,
    /// Approved exemptions touching the period.
    pub exemptions: Vec<Exemption>,
    /// Pairings that owe the quarter's suggestion, and how many of them have it; open
    /// pairings (owed or not) with the suggestion.
    pub paired: u32,
    pub paired_with_suggestion: u32,
    pub suggested: u32,
    /// Hours per month (first day of the month).
    pub study: Vec<(NaiveDate, f64)>,
}

/// What the facts are judged against, with what is the same for every cadre worked out once.
pub struct Context<'a> {
    pub period: Period,
    /// Today (Shanghai). Figures are "so far": up to today, or to the period's end if it is over.
    pub today: NaiveDate,
    /// The policy in force on the day the period is judged up to ([`Context::as_of`]): the
    /// contact thresholds, the roster target, the suggestions a pairing owes.
    pub policy: &'a Policy,
    pub calendar: &'a WorkCalendar,
    pub t: &'static Strings,
    /// The period's weeks that have started, each with its number of working days and the
    /// policy of its last day (or today's, while it runs).
    weeks: Vec<(Week, u32, &'a Policy)>,
    /// The period's months that have started, each with the policy of its last day (or today's).
    months: Vec<(NaiveDate, &'a Policy)>,
}

impl<'a> Context<'a> {
    /// Judges `period` on `today` by the policy of each day: a closed week or month keeps the
    /// policy in force when it ended (SPEC: policy by date).
    pub fn new(
        period: Period,
        today: NaiveDate,
        history: &'a PolicyHistory,
        calendar: &'a WorkCalendar,
        t: &'static Strings,
    ) -> Self {
        let as_of = today.min(period.end());
        Context {
            weeks: period
                .weeks()
                .into_iter()
                .filter(|w| w.monday() <= as_of)
                .map(|w| {
                    let policy = history.at(w.sunday().min(today));
                    (w, calendar.working_days(w), policy)
                })
                .collect(),
            months: period
                .months()
                .into_iter()
                .filter(|m| *m <= as_of)
                .map(|m| (m, history.at(month_bounds(m).1.min(today))))
                .collect(),
            period,
            today,
            policy: history.at(as_of),
            calendar,
            t,
        }
    }

    /// The last day the period is judged up to.
    pub fn as_of(&self) -> NaiveDate {
        self.today.min(self.period.end())
    }
}

/// Whether `exemptions` cover every working day of the month starting at `first`.
pub fn month_exempt(first: NaiveDate, exemptions: &[Exemption], calendar: &WorkCalendar) -> bool {
    let (start, end) = month_bounds(first);
    let mut day = start;
    let mut any_working = false;
    while day <= end {
        if calendar.is_working_day(day) {
            any_working = true;
            if !exemptions.iter().any(|e| e.covers(day)) {
                return false;
            }
        }
        day += Duration::days(1);
    }
    any_working
}

/// The status of each week of the period that has started.
pub fn week_lines(f: &Facts, ctx: &Context) -> Vec<WeekLine> {
    ctx.weeks
        .iter()
        .map(|&(w, working, policy)| {
            let logged = f.visit_weeks.contains(&w);
            let before_joining = f.joined_on.is_some_and(|j| w.sunday() < j);
            let requirement = if before_joining {
                Err(NotRequired::NotYetInPost)
            } else if f.exemptions.is_empty() {
                // Without exemptions a week asks the same of every cadre of a post.
                if f.post != Some(Post::FullTime) {
                    Err(NotRequired::NotFullTime)
                } else if working < policy.min_working_days_per_week {
                    Err(NotRequired::ShortWeek)
                } else {
                    Ok(())
                }
            } else {
                week_requirement(f.post, w, &f.exemptions, ctx.calendar, policy)
            };
            let status = match requirement {
                Ok(()) if logged => WeekStatus::Covered,
                // Still running (on the real calendar): not missed yet.
                Ok(()) if ctx.today <= w.sunday() => WeekStatus::Open,
                Ok(()) => WeekStatus::Missing,
                Err(why) => WeekStatus::NotRequired(why),
            };
            WeekLine { week: w, status }
        })
        .collect()
}

/// The hours of study the month starting at `first` asks of a cadre who took up the post on
/// `joined_on`: nothing for a month that ended before, the whole `target` for a month begun in
/// post, and for the month of taking up the post its share of the month's days, rounded up to
/// the half hour (joining on 16 November: 15 of 30 days, 4 of 8 hours).
pub fn month_target(first: NaiveDate, joined_on: Option<NaiveDate>, target: f64) -> f64 {
    let (start, end) = month_bounds(first);
    match joined_on {
        Some(j) if j > end => 0.0,
        Some(j) if j > start => {
            let days = (end - start).num_days() + 1;
            let held = (end - j).num_days() + 1;
            (target * held as f64 / days as f64 * 2.0).ceil() / 2.0
        }
        _ => target,
    }
}

/// Where the cadre should be: the share of the roster contacted in the quarter against the
/// share of the quarter elapsed, both counted from the day the cadre took up the post when that
/// was within the quarter, and up to the period's end (or today). The same for a week, a month
/// or the quarter: a week is too short to contact a roster. With fewer than [`DAYS_HELD`] days
/// of the quarter in post, nothing has elapsed: the pace starts next quarter.
pub fn pace(f: &Facts, ctx: &Context) -> Pace {
    let quarter = ctx.period.quarter();
    let from = f
        .joined_on
        .map_or(quarter.start(), |j| j.max(quarter.start()));
    let to = ctx.as_of().min(quarter.end());
    let length = (quarter.end() - from).num_days() + 1;
    let elapsed = if length < DAYS_HELD {
        0.0
    } else {
        ((to - from).num_days() + 1).clamp(0, length) as f64 / length as f64
    };
    let contacted = if f.roster == 0 {
        0.0
    } else {
        f64::from(f.contacted_quarter.min(f.roster)) / f64::from(f.roster)
    };
    Pace { elapsed, contacted }
}

/// Judges one cadre.
pub fn evaluate(f: &Facts, ctx: &Context) -> (CadreRow, Vec<WeekLine>) {
    let t = ctx.t;
    let policy = ctx.policy;
    let full_time = f.post == Some(Post::FullTime);
    let mut reasons: Vec<Reason> = Vec::new();
    let mut reason = |rule: Rule, light: Light, amount: f64| {
        reasons.push(Reason::new(rule, light, amount, t));
    };

    // 1+100: contacts now, and the pace over the period.
    if f.overdue > 0 {
        reason(Rule::ContactOverdue, Light::Red, f64::from(f.overdue));
    }
    if f.due > 0 {
        reason(Rule::ContactDue, Light::Yellow, f64::from(f.due));
    }
    if f.roster < policy.roster_target {
        reason(
            Rule::RosterShort,
            Light::Yellow,
            f64::from(policy.roster_target - f.roster),
        );
    }
    let pace = pace(f, ctx);
    if f.roster > 0 && pace.contacted + PACE_TOLERANCE < pace.elapsed {
        let behind = ((pace.elapsed - pace.contacted) * 100.0).round();
        reason(Rule::BehindPace, Light::Yellow, behind);
    }

    // 4+1.
    let weeks = week_lines(f, ctx);
    let count = |pred: &dyn Fn(&WeekStatus) -> bool| {
        weeks.iter().filter(|w| pred(&w.status)).count() as u32
    };
    let weeks_covered = count(&|s| *s == WeekStatus::Covered);
    let weeks_missed = count(&|s| *s == WeekStatus::Missing);
    let weeks_open = count(&|s| *s == WeekStatus::Open);
    let weeks_exempt = count(&|s| *s == WeekStatus::NotRequired(NotRequired::Exempt));
    let weeks_not_required =
        count(&|s| matches!(s, WeekStatus::NotRequired(why) if *why != NotRequired::Exempt));
    let weeks_required = weeks_covered + weeks_missed + weeks_open;
    if weeks_missed > 0 {
        reason(Rule::VisitMissed, Light::Red, f64::from(weeks_missed));
    }
    if weeks_open > 0
        && ctx.today.weekday().num_days_from_monday() >= Weekday::Thu.num_days_from_monday()
    {
        reason(Rule::VisitDueSoon, Light::Yellow, 1.0);
    }

    // The quarterly suggestion, per paired organisation: owed by full-time cadres, counted for
    // every cadre (which pairings are owed is decided by `service::pairings`).
    let quarter = ctx.period.quarter();
    let suggestions_due = if full_time { f.paired } else { 0 };
    let suggestions_given = f.suggested.max(f.paired_with_suggestion);
    let missing = if full_time {
        f.paired.saturating_sub(f.paired_with_suggestion)
    } else {
        0
    };
    if missing > 0 {
        if ctx.today > quarter.end() {
            reason(Rule::SuggestionMissed, Light::Red, f64::from(missing));
        } else if quarter.days_left(ctx.today) < DUE_SOON_DAYS {
            reason(Rule::SuggestionDueSoon, Light::Yellow, f64::from(missing));
        }
    }

    // Study, month by month: a month spent entirely on leave owes nothing, and the month of
    // taking up the post owes its share of the target.
    let study_months: Vec<MonthHours> = ctx
        .months
        .iter()
        .map(|&(m, month_policy)| {
            let exempt = !f.exemptions.is_empty() && month_exempt(m, &f.exemptions, ctx.calendar);
            let owes = if exempt {
                0.0
            } else {
                month_target(m, f.joined_on, month_policy.study_hours_per_month)
            };
            MonthHours {
                month: m,
                hours: f
                    .study
                    .iter()
                    .filter(|(month, _)| *month == m)
                    .fold(0.0, |sum, (_, h)| sum + h),
                owed: owes > 0.0,
                target: owes,
            }
        })
        .collect();
    let mut study_month = study_months.last().map(|m| m.month);
    let mut first_missed = None;
    for m in &study_months {
        if !m.owed || m.hours + 1e-9 >= m.target {
            continue;
        }
        let short = m.target - m.hours;
        let month_end = month_bounds(m.month).1;
        if ctx.today > month_end {
            first_missed = first_missed.or(Some(m.month));
            reason(Rule::StudyMissed, Light::Red, short);
        } else if (month_end - ctx.today).num_days() < DUE_SOON_DAYS {
            reason(Rule::StudyDueSoon, Light::Yellow, short);
        }
    }
    if first_missed.is_some() {
        study_month = first_missed;
    }
    let study_hours = study_months.last().map_or(0.0, |m| m.hours);
    // The target of that month (its share, in the month of taking up the post).
    let study_target = study_months
        .last()
        .filter(|m| m.owed)
        .map_or(policy.study_hours_per_month, |m| m.target);

    let light = reasons
        .iter()
        .map(|r| r.light)
        .max()
        .unwrap_or(Light::Green);
    // Worst first, as a supervisor reads them.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.light));
    let row = CadreRow {
        cadre_id: f.cadre_id,
        username: f.username.clone(),
        name: f.name.clone(),
        org_id: f.org_id,
        org_name: f.org_name.clone(),
        post: f.post,
        light,
        reasons,
        roster: f.roster,
        roster_target: policy.roster_target,
        contacted: f.contacted,
        due: f.due,
        overdue: f.overdue,
        never: f.never,
        no_offline: f.no_offline,
        weeks_required,
        weeks_covered,
        weeks_missed,
        weeks_exempt,
        weeks_not_required,
        suggestions_given,
        suggestions_due,
        suggestions_missing: missing,
        study_hours,
        study_target,
        study_months,
        study_month,
        pace,
    };
    (row, weeks)
}

/// The reach of `activities` given their attendance (activity, youth) pairs: attendances of
/// other activities are not counted.
pub fn reach(activities: &[i64], attendance: &[(i64, i64)]) -> super::Reach {
    let held: HashSet<i64> = activities.iter().copied().collect();
    let mine: HashSet<(i64, i64)> = attendance
        .iter()
        .copied()
        .filter(|(a, _)| held.contains(a))
        .collect();
    let youths: HashSet<i64> = mine.iter().map(|(_, y)| *y).collect();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    super::Reach {
        held: count(held.len()),
        attendances: count(mine.len()),
        youths: count(youths.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::rules::Quarter;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A full-time cadre with a full roster, all contacted, every week covered, a suggestion for
    /// their one pairing and 8 hours each month: green.
    fn model(period: Period, today: NaiveDate) -> Facts {
        let weeks = period
            .weeks()
            .into_iter()
            .filter(|w| w.monday() <= today)
            .collect();
        Facts {
            cadre_id: 1,
            post: Some(Post::FullTime),
            roster: 100,
            contacted: 100,
            contacted_quarter: 100,
            visit_weeks: weeks,
            paired: 1,
            paired_with_suggestion: 1,
            suggested: 1,
            study: period.months().into_iter().map(|m| (m, 8.0)).collect(),
            ..Facts::default()
        }
    }

    fn judge(f: &Facts, period: Period, today: NaiveDate, calendar: &WorkCalendar) -> CadreRow {
        let policy = PolicyHistory::default();
        let ctx = Context::new(period, today, &policy, calendar, Locale::En.strings());
        evaluate(f, &ctx).0
    }

    fn q4() -> Period {
        Period::Quarter(Quarter::new(2026, 4).unwrap())
    }

    fn rules(row: &CadreRow) -> Vec<Rule> {
        row.reasons.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn a_cadre_who_meets_everything_is_green() {
        let today = d("2026-11-24"); // a Tuesday
        let row = judge(&model(q4(), today), q4(), today, &WorkCalendar::default());
        assert_eq!(row.light, Light::Green, "{:?}", row.reasons);
        assert!(row.reasons.is_empty());
        assert_eq!(row.weeks_missed, 0);
        assert_eq!(row.weeks_required, row.weeks_covered);
        assert_eq!(
            row.weeks_required, 9,
            "the weeks of Q4 begun by 24 November"
        );
    }

    #[test]
    fn contact_thresholds_turn_yellow_then_red() {
        let today = d("2026-11-24");
        let cal = WorkCalendar::default();
        let mut f = model(q4(), today);
        f.due = 2;
        let row = judge(&f, q4(), today, &cal);
        assert_eq!(row.light, Light::Yellow);
        assert_eq!(rules(&row), vec![Rule::ContactDue]);
        assert_eq!(row.reasons[0].amount, 2.0);
        assert_eq!(row.reasons[0].text, "2 youths due for contact");
        f.overdue = 1;
        let row = judge(&f, q4(), today, &cal);
        assert_eq!(row.light, Light::Red);
        assert_eq!(rules(&row), vec![Rule::ContactOverdue, Rule::ContactDue]);
    }

    #[test]
    fn a_missed_week_is_red_and_this_weeks_visit_is_due_from_thursday() {
        let cal = WorkCalendar::default();
        let tuesday = d("2026-11-24");
        let mut f = model(q4(), tuesday);
        f.visit_weeks.remove(&Week::of(d("2026-11-17")));
        let row = judge(&f, q4(), tuesday, &cal);
        assert_eq!(row.light, Light::Red);
        assert_eq!(row.weeks_missed, 1);
        // This week, not yet logged: nothing on Tuesday, yellow on Thursday.
        let mut f = model(q4(), tuesday);
        f.visit_weeks.remove(&Week::of(tuesday));
        assert_eq!(judge(&f, q4(), tuesday, &cal).light, Light::Green);
        let thursday = d("2026-11-26");
        let row = judge(&f, q4(), thursday, &cal);
        assert_eq!(rules(&row), vec![Rule::VisitDueSoon]);
    }

    #[test]
    fn exempt_and_holiday_weeks_are_not_required() {
        let today = d("2026-11-24");
        let mut f = model(q4(), today);
        // Away the whole week of 16 November, with nothing logged: exempt, not missed.
        let away = Week::of(d("2026-11-16"));
        f.visit_weeks.remove(&away);
        f.exemptions = vec![Exemption {
            start: away.monday(),
            end: away.sunday(),
        }];
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(row.weeks_exempt, 1);
        assert_eq!(row.weeks_missed, 0);
        assert_eq!(row.light, Light::Green);
        // The Spring Festival week (16 to 22 February 2026: no working day) asks for none.
        let cal = WorkCalendar::new(
            [
                "2026-02-16",
                "2026-02-17",
                "2026-02-18",
                "2026-02-19",
                "2026-02-20",
            ]
            .map(d),
            ["2026-02-14", "2026-02-28"].map(d),
        );
        let q1 = Period::Quarter(Quarter::new(2026, 1).unwrap());
        let today = d("2026-03-10");
        let mut f = model(q1, today);
        f.visit_weeks.remove(&Week::of(d("2026-02-16")));
        let row = judge(&f, q1, today, &cal);
        assert_eq!(row.weeks_missed, 0);
        assert_eq!(row.weeks_not_required, 1);
        assert_eq!(row.light, Light::Green, "{:?}", row.reasons);
    }

    #[test]
    fn part_time_cadres_owe_no_visit_days_and_no_suggestions() {
        let today = d("2026-11-24");
        let mut f = model(q4(), today);
        f.post = Some(Post::PartTime);
        f.visit_weeks.clear();
        f.paired_with_suggestion = 0;
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(row.weeks_required, 0);
        assert_eq!(row.weeks_missed, 0);
        assert_eq!(row.suggestions_due, 0);
        assert_eq!(row.light, Light::Green);
    }

    #[test]
    fn a_cadre_who_joined_mid_quarter_owes_only_the_weeks_since() {
        let today = d("2026-11-24");
        let mut f = model(q4(), today);
        f.joined_on = Some(d("2026-11-10"));
        f.visit_weeks.retain(|w| w.monday() >= d("2026-11-09"));
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(row.weeks_missed, 0, "{:?}", row.reasons);
        // The weeks of 9, 16 and 23 November (the first holds the joining day).
        assert_eq!(row.weeks_covered, 3);
        assert_eq!(row.weeks_not_required, 6);
    }

    #[test]
    fn pace_compares_the_share_contacted_with_the_share_elapsed() {
        // 24 November is day 55 of the 92 days of Q4: 60 % elapsed.
        let today = d("2026-11-24");
        let mut f = model(q4(), today);
        f.contacted_quarter = 45; // 45 %: within 15 points
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert!((row.pace.elapsed - 55.0 / 92.0).abs() < 1e-9);
        assert_eq!(row.light, Light::Green);
        f.contacted_quarter = 40; // 20 points behind
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(rules(&row), vec![Rule::BehindPace]);
        assert_eq!(row.reasons[0].amount, 20.0);
    }

    #[test]
    fn pace_is_the_quarters_in_a_week_and_a_month_view() {
        let today = d("2026-11-29"); // a Sunday: day 60 of Q4's 92
        for period in [
            Period::Week(Week::of(today)),
            Period::parse("2026-11").unwrap(),
        ] {
            let mut f = model(period, today);
            // 5 % of the roster this week, 40 % in the quarter: judged by the quarter's.
            f.contacted = 5;
            f.contacted_quarter = 40;
            let row = judge(&f, period, today, &WorkCalendar::default());
            assert!((row.pace.elapsed - 60.0 / 92.0).abs() < 1e-9, "{period:?}");
            assert!((row.pace.contacted - 0.40).abs() < 1e-9);
            assert_eq!(rules(&row), vec![Rule::BehindPace], "{period:?}");
            assert_eq!(row.reasons[0].amount, 25.0);
            f.contacted_quarter = 60;
            let row = judge(&f, period, today, &WorkCalendar::default());
            assert!(!rules(&row).contains(&Rule::BehindPace), "{period:?}");
        }
    }

    #[test]
    fn a_cadre_who_took_up_the_post_today_owes_nothing_yet() {
        let today = d("2026-12-01");
        let mut f = model(q4(), today);
        f.joined_on = Some(today);
        f.study.clear();
        f.contacted = 0;
        f.contacted_quarter = 0;
        f.visit_weeks.clear();
        f.paired_with_suggestion = 0;
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(row.reasons, vec![], "{:?}", row.reasons);
        assert_eq!(row.light, Light::Green);
        // October and November ended before: nothing owed; December from its first day.
        let owed: Vec<(bool, f64)> = row
            .study_months
            .iter()
            .map(|m| (m.owed, m.target))
            .collect();
        assert_eq!(owed, vec![(false, 0.0), (false, 0.0), (true, 8.0)]);
        // Pace runs from today: one day of the 31 left.
        assert!((row.pace.elapsed - 1.0 / 31.0).abs() < 1e-9);
        // Three weeks on, with nobody contacted: behind the pace that began on 1 December.
        let later = d("2026-12-22");
        let row = judge(&f, q4(), later, &WorkCalendar::default());
        assert!((row.pace.elapsed - 22.0 / 31.0).abs() < 1e-9);
        assert!(rules(&row).contains(&Rule::BehindPace));
    }

    #[test]
    fn the_month_of_taking_up_the_post_owes_its_share_of_the_hours() {
        let nov = d("2026-11-01");
        assert_eq!(month_target(nov, None, 8.0), 8.0);
        assert_eq!(month_target(nov, Some(d("2026-10-20")), 8.0), 8.0);
        assert_eq!(month_target(nov, Some(nov), 8.0), 8.0);
        // 15 of November's 30 days: 4 hours.
        assert_eq!(month_target(nov, Some(d("2026-11-16")), 8.0), 4.0);
        // 10 of 30 days: 2.67 hours, asked as 3.
        assert_eq!(month_target(nov, Some(d("2026-11-21")), 8.0), 3.0);
        assert_eq!(month_target(nov, Some(d("2026-11-30")), 8.0), 0.5);
        assert_eq!(month_target(nov, Some(d("2026-12-01")), 8.0), 0.0);
        // Judged: a cadre who joined on 16 November with 4 hours owes nothing more.
        let today = d("2026-12-03");
        let mut f = model(q4(), today);
        f.joined_on = Some(d("2026-11-16"));
        f.study = vec![(nov, 4.0)];
        f.visit_weeks.retain(|w| w.sunday() >= d("2026-11-16"));
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert!(
            !rules(&row).contains(&Rule::StudyMissed),
            "{:?}",
            row.reasons
        );
        f.study = vec![(nov, 3.5)];
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        let missed = row.reasons.iter().find(|r| r.rule == Rule::StudyMissed);
        assert_eq!(missed.map(|r| r.amount), Some(0.5));
    }

    #[test]
    fn suggestions_are_counted_for_every_post_and_owed_by_full_time_cadres() {
        let today = d("2026-12-29");
        let mut f = model(q4(), today);
        f.post = Some(Post::PartTime);
        f.paired = 2;
        f.paired_with_suggestion = 1;
        f.suggested = 1;
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(
            (
                row.suggestions_given,
                row.suggestions_due,
                row.suggestions_missing
            ),
            (1, 0, 0)
        );
        // A full-time cadre with a suggestion for a pairing not owed yet still misses the other.
        f.post = Some(Post::FullTime);
        f.paired = 1;
        f.paired_with_suggestion = 0;
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(
            (
                row.suggestions_given,
                row.suggestions_due,
                row.suggestions_missing
            ),
            (1, 1, 1)
        );
        assert!(rules(&row).contains(&Rule::SuggestionDueSoon));
    }

    #[test]
    fn suggestions_fall_due_in_the_last_week_and_are_missed_after_the_quarter() {
        let cal = WorkCalendar::default();
        let mut f = model(q4(), d("2027-01-05"));
        f.paired = 2;
        f.paired_with_suggestion = 1;
        assert_eq!(judge(&f, q4(), d("2026-12-20"), &cal).light, Light::Green);
        let row = judge(&f, q4(), d("2026-12-26"), &cal);
        assert_eq!(rules(&row), vec![Rule::SuggestionDueSoon]);
        // Judged after the quarter (last quarter, seen in January): missed.
        let row = judge(&f, q4(), d("2027-01-05"), &cal);
        assert!(rules(&row).contains(&Rule::SuggestionMissed));
        assert_eq!(row.light, Light::Red);
    }

    #[test]
    fn study_is_judged_month_by_month_and_a_month_on_leave_owes_nothing() {
        let cal = WorkCalendar::default();
        let today = d("2026-11-24");
        let mut f = model(q4(), today);
        f.study = vec![(d("2026-10-01"), 5.0), (d("2026-11-01"), 6.0)];
        let row = judge(&f, q4(), today, &cal);
        assert_eq!(rules(&row), vec![Rule::StudyMissed, Rule::StudyDueSoon]);
        assert_eq!(row.reasons[0].amount, 3.0);
        assert_eq!(row.study_hours, 6.0, "this month");
        // The table shows October, the month the red reason is about.
        assert_eq!(row.study_month, Some(d("2026-10-01")));
        assert_eq!(row.study_shown().map(|m| m.hours), Some(5.0));
        // Away all October: October owes nothing.
        f.exemptions = vec![Exemption {
            start: d("2026-09-28"),
            end: d("2026-11-01"),
        }];
        f.visit_weeks = f.visit_weeks.iter().copied().collect();
        let row = judge(&f, q4(), today, &cal);
        assert!(!row.study_months[0].owed);
        assert!(!rules(&row).contains(&Rule::StudyMissed));
    }

    #[test]
    fn closed_months_and_weeks_keep_the_policy_of_their_time() {
        let today = d("2026-12-20");
        let mut f = model(q4(), today);
        f.study = vec![
            (d("2026-10-01"), 8.0),
            (d("2026-11-01"), 8.0),
            (d("2026-12-01"), 8.0),
        ];
        // From 15 December ten hours a month, and four working days make a week that owes.
        let history = PolicyHistory::from_rows([
            (d("2026-12-15"), "study_hours_per_month", "10"),
            (d("2026-12-15"), "min_working_days_per_week", "4"),
        ]);
        let cal = WorkCalendar::new(
            ["2026-11-19", "2026-11-20", "2026-12-17", "2026-12-18"].map(d),
            [],
        );
        // Three working days in the weeks of 16 November and of 14 December: 3 < 4 only counts
        // from 15 December on.
        f.visit_weeks.remove(&Week::of(d("2026-11-16")));
        f.visit_weeks.remove(&Week::of(d("2026-12-14")));
        let ctx = Context::new(q4(), today, &history, &cal, Locale::En.strings());
        let (row, weeks) = evaluate(&f, &ctx);
        let targets: Vec<f64> = row.study_months.iter().map(|m| m.target).collect();
        assert_eq!(
            targets,
            vec![8.0, 8.0, 10.0],
            "October and November keep 8 hours"
        );
        assert_eq!(row.study_target, 10.0);
        let status = |day: &str| {
            weeks
                .iter()
                .find(|l| l.week == Week::of(d(day)))
                .map(|l| l.status)
        };
        // The week of 16 November was judged by the old minimum (3 working days owe a visit).
        assert_eq!(status("2026-11-16"), Some(WeekStatus::Missing));
        assert_eq!(
            status("2026-12-14"),
            Some(WeekStatus::NotRequired(NotRequired::ShortWeek))
        );
        assert!(
            !rules(&row).contains(&Rule::StudyMissed),
            "{:?}",
            row.reasons
        );
    }

    #[test]
    fn a_week_view_judges_the_study_of_its_thursdays_month() {
        // The week of 30 November to 6 December counts in December (its Thursday, 3 December).
        let w = Week::of(d("2026-11-30"));
        assert_eq!(Period::Week(w).months(), vec![d("2026-12-01")]);
        let today = d("2026-12-04");
        let mut f = model(Period::Week(w), today);
        f.study = vec![(d("2026-12-01"), 2.5)];
        let row = judge(&f, Period::Week(w), today, &WorkCalendar::default());
        assert_eq!(row.study_months.len(), 1);
        assert_eq!((row.study_hours, row.study_target), (2.5, 8.0));
        // November, short, is not this week's business.
        assert!(!rules(&row).contains(&Rule::StudyMissed));
    }

    #[test]
    fn a_week_has_one_status_whatever_was_logged_in_it() {
        let today = d("2026-11-24");
        let away = Week::of(d("2026-11-16"));
        // A visit day on Monday, leave from Tuesday to Friday: exempt, not covered.
        let mut f = model(q4(), today);
        f.exemptions = vec![Exemption {
            start: d("2026-11-17"),
            end: d("2026-11-20"),
        }];
        let (row, weeks) = evaluate(
            &f,
            &Context::new(
                q4(),
                today,
                &PolicyHistory::default(),
                &WorkCalendar::default(),
                Locale::En.strings(),
            ),
        );
        let line = weeks.iter().find(|l| l.week == away).map(|l| l.status);
        assert_eq!(line, Some(WeekStatus::NotRequired(NotRequired::Exempt)));
        assert_eq!((row.weeks_exempt, row.weeks_covered), (1, 8));
        // A part-time cadre's week with a visit day: not required, not covered.
        f.exemptions.clear();
        f.post = Some(Post::PartTime);
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!((row.weeks_covered, row.weeks_required), (0, 0));
        assert_eq!(row.weeks_not_required, 9);
    }

    #[test]
    fn a_short_roster_is_yellow() {
        let today = d("2026-11-24");
        let mut f = model(q4(), today);
        f.roster = 87;
        f.contacted = 87;
        let row = judge(&f, q4(), today, &WorkCalendar::default());
        assert_eq!(rules(&row), vec![Rule::RosterShort]);
        assert_eq!(row.reasons[0].amount, 13.0);
    }

    #[test]
    fn periods_parse_and_know_their_weeks_and_months() {
        let w = Period::parse("2026-W48").unwrap();
        assert_eq!((w.start(), w.end()), (d("2026-11-23"), d("2026-11-29")));
        let m = Period::parse("2026-11").unwrap();
        assert_eq!((m.start(), m.end()), (d("2026-11-01"), d("2026-11-30")));
        // November 2026's weeks: those whose Thursday is in November.
        assert_eq!(m.weeks().len(), 4);
        assert_eq!(m.weeks()[0].monday(), d("2026-11-02"));
        let q = Period::parse("2026Q4").unwrap();
        assert_eq!(q.months().len(), 3);
        assert_eq!(Period::parse("2026-W54"), None);
        assert_eq!(Period::parse("2026-13"), None);
        assert_eq!(Period::parse("300000-01"), None);
        // Week 53 of 2026 counts in 2026's last quarter; its suggestion quarter is Q4.
        let w53 = Period::parse("2026-W53").unwrap();
        assert_eq!(w53.quarter(), Quarter::new(2026, 4).unwrap());
    }
    #[test]
    fn reach_counts_each_youth_once_per_activity_and_once_overall() {
        let r = reach(&[1, 2, 3], &[(1, 10), (1, 11), (2, 10), (2, 10), (9, 12)]);
        assert_eq!(
            r,
            super::super::Reach {
                held: 3,
                attendances: 3,
                youths: 2
            }
        );
        assert_eq!(reach(&[], &[(1, 10)]), super::super::Reach::default());
    }
}
