//! `/admin/policy` (every number of the policy) and `/admin/calendar` (holidays and adjusted
//! working days per year).

use crate::components::enhance::ConfirmSubmit;
use crate::components::form::{Hidden, PostForm, RequestId, SelectField, TextField};
use crate::i18n::fmt_amount as hours;
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::policy::api::{
    get_policy, list_calendar, AddCalendarDay, CalendarYear, DeleteCalendarDay, PolicyVersion,
    UpdatePolicy,
};
use crate::rules::Policy;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PolicyPage() -> impl IntoView {
    let t = use_t();
    data_page(
        Role::SYSADMINS,
        t.policy_title,
        get_policy,
        |v| view! { <PolicyForm p=v.policy.clone() in_force_from=v.in_force_from /> <PolicyHistory versions=v.versions in_force_from=v.in_force_from /> },
    )
}

#[component]
fn PolicyForm(p: Policy, in_force_from: chrono::NaiveDate) -> impl IntoView {
    let t = use_t();
    let since = (in_force_from > crate::rules::policy_epoch()).then(|| {
        view! { <p class="hint">{fill(t.policy_in_force, &[("date", &in_force_from.to_string())])}</p> }
    });
    let number = |name: &'static str, label: &'static str, value: String| {
        view! { <TextField name=name label=label inputmode="decimal" value=value required=true maxlength=6 /> }
    };
    view! {
        <section class="card">
            <PostForm action=UpdatePolicy::PATH id="policy">
                {since}
                <h2>{t.policy_contacts}</h2>
                {number("roster_target", t.p_roster_target, p.roster_target.to_string())}
                {number("contact_due_days", t.p_contact_due_days, p.contact_due_days.to_string())}
                {number("contact_overdue_days", t.p_contact_overdue_days, p.contact_overdue_days.to_string())}
                // A yes/no rule, stored as 1 or 0.
                <SelectField
                    name="offline_contacts_per_year"
                    label=t.p_offline_contacts
                    options=vec![("1".to_owned(), t.p_required_yes.to_owned()), ("0".to_owned(), t.p_required_no.to_owned())]
                    value=p.offline_contacts_per_year.min(1).to_string()
                />
                {number("contact_late_entry_days", t.p_contact_late_entry, p.contact_late_entry_days.to_string())}
                <h2>{t.policy_visits}</h2>
                {number("visit_days_per_week", t.p_visit_days, p.visit_days_per_week.to_string())}
                {number("visit_late_entry_days", t.p_late_entry, p.visit_late_entry_days.to_string())}
                {number("min_working_days_per_week", t.p_min_working_days, p.min_working_days_per_week.to_string())}
                <h2>{t.policy_suggestions_study}</h2>
                {number("suggestions_per_quarter", t.p_suggestions, p.suggestions_per_quarter.to_string())}
                {number("study_hours_per_month", t.p_study_hours, hours(p.study_hours_per_month))}
                <TextField name="effective_from" label=t.p_effective_from kind="date" />
                <p class="hint">{t.p_effective_hint}</p>
                <button type="submit" class="primary">{t.save}</button>
            </PostForm>
        </section>
    }
}

/// Every version of the policy, newest first: from when, what changed, by whom.
#[component]
fn PolicyHistory(versions: Vec<PolicyVersion>, in_force_from: chrono::NaiveDate) -> impl IntoView {
    let t = use_t();
    view! {
        <section class="card" data-testid="policy-history">
            <h2>{t.policy_history}</h2>
            <ul class="list">
                {versions.into_iter().map(|v| {
                    let when = if v.effective_from > in_force_from {
                        fill(t.policy_scheduled, &[("date", &v.effective_from.to_string())])
                    } else if v.effective_from <= crate::rules::policy_epoch() {
                        t.policy_original.to_owned()
                    } else {
                        v.effective_from.to_string()
                    };
                    let by = v.updated_by.unwrap_or_default();
                    let changes: Vec<String> = v.changes.iter().map(|c| change_words(c, t)).collect();
                    let changes = changes.join("；");
                    view! {
                        <li>
                            <strong>{when}</strong>
                            <span>{changes}</span>
                            <span class="hint">{by}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let t = use_t();
    let year = use_query_map().with_untracked(|m| m.get("year").unwrap_or_default());
    data_page(
        Role::SYSADMINS,
        t.calendar_title,
        move || list_calendar(year),
        |c| {
            view! { <Calendar c=c /> }
        },
    )
}

#[component]
fn Calendar(c: CalendarYear) -> impl IntoView {
    let t = use_t();
    let kinds = vec![
        ("holiday".to_owned(), t.cal_holiday.to_owned()),
        ("workday".to_owned(), t.cal_workday.to_owned()),
    ];
    view! {
        <nav class="tabs" aria-label=t.calendar_title>
            {c.years.iter().map(|y| {
                let here = *y == c.year;
                view! { <a href=format!("/admin/calendar?year={y}") aria-current=here.then_some("page")>{y.to_string()}</a> }
            }).collect_view()}
        </nav>
        <section class="card">
            <h2>{format!("{} · {}", c.year, t.calendar_days)}</h2>
            {if c.days.is_empty() {
                view! { <p class="hint">{t.calendar_empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="list" data-testid="calendar-days">
                        {c.days.iter().map(|d| {
                            let id = d.id.to_string();
                            let question = fill(t.confirm_delete_day, &[("day", &d.day.to_string()), ("name", &d.name)]);
                            view! {
                                <li>
                                    <span>{format!("{} {}", d.day, weekday(d.day, t))}</span>
                                    <span class=if d.kind == "holiday" { "light ok" } else { "light warn" }>
                                        {if d.kind == "holiday" { t.cal_holiday } else { t.cal_workday }}
                                    </span>
                                    <span>{d.name.clone()}</span>
                                    <PostForm action=DeleteCalendarDay::PATH id=format!("del-{id}") key=("id", id.clone()) class="inline">
                                        <Hidden name="id" value=id.clone() />
                                        <ConfirmSubmit
                                            label=t.delete.to_string()
                                            question=question
                                            class="link".to_string()
                                        />
                                    </PostForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{t.calendar_add}</h2>
            <PostForm action=AddCalendarDay::PATH id="calendar-add">
                <RequestId />
                <TextField name="day" label=t.cal_day kind="date" required=true />
                <SelectField name="kind" label=t.cal_kind options=kinds value="holiday" />
                <TextField name="name" label=t.cal_name required=true maxlength=50 />
                <button type="submit" class="primary">{t.save}</button>
            </PostForm>
        </section>
    }
}

/// A day's weekday in the viewer's language (周一 … 周日).
fn weekday(day: chrono::NaiveDate, t: &crate::i18n::Strings) -> &'static str {
    use chrono::Datelike;
    t.weekdays
        .split(',')
        .nth(day.weekday().num_days_from_monday() as usize)
        .unwrap_or_default()
}

/// `study_hours_per_month: 8 → 10` in the admin's words (每月学习小时数：8 → 10).
fn change_words(change: &str, t: &crate::i18n::Strings) -> String {
    let Some((key, values)) = change.split_once(": ") else {
        return change.to_owned();
    };
    let label = match key {
        "roster_target" => t.p_roster_target,
        "contact_due_days" => t.p_contact_due_days,
        "contact_overdue_days" => t.p_contact_overdue_days,
        "offline_contacts_per_year" => t.p_offline_contacts,
        "contact_late_entry_days" => t.p_contact_late_entry,
        "visit_days_per_week" => t.p_visit_days,
        "visit_late_entry_days" => t.p_late_entry,
        "min_working_days_per_week" => t.p_min_working_days,
        "suggestions_per_quarter" => t.p_suggestions,
        "study_hours_per_month" => t.p_study_hours,
        _ => key,
    };
    format!("{label}：{values}")
}
