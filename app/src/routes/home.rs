//! `/`: a cadre's today page; a welcome for the other roles.

use crate::components::form::ErrorNote;
use crate::components::layout::Layout;
use crate::i18n::fmt_amount as hours;
use crate::i18n::{fill, use_t};
use crate::page::guard;
use crate::rules::contact_words;
use crate::today::api::{get_today, TodayPage};
use crate::types::Role;
use crate::youth::api::RosterEntry;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_t();
    guard(Role::ANYONE, move |viewer| {
        // A supervisor's start page is the dashboard.
        if viewer.role == Role::Supervisor {
            crate::page::redirect("/supervise");
        }
        let is_cadre = viewer.role == Role::Cadre;
        view! {
            <Layout viewer=viewer.clone() title=t.nav_today>
                {if is_cadre {
                    view! {
                        <Suspense>
                            {Suspend::new(async move {
                                match get_today().await {
                                    Ok(data) => view! { <Today data=data /> }.into_any(),
                                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                                }
                            })}
                        </Suspense>
                    }
                        .into_any()
                } else {
                    view! {
                        <section class="card">
                            <p class="lead">{fill(t.welcome, &[("name", &viewer.name)])}</p>
                            <dl class="facts">
                                <dt>{t.your_role}</dt>
                                <dd data-testid="role">{viewer.role.label(t)}</dd>
                                <dt>{t.your_org}</dt>
                                <dd>{viewer.org_name.clone()}</dd>
                            </dl>
                            <p class="hint">
                                {match viewer.role {
                                    Role::Sysadmin => t.home_sysadmin_hint,
                                    Role::Secadmin => t.home_secadmin_hint,
                                    Role::Auditor => t.home_auditor_hint,
                                    Role::Supervisor | Role::Cadre => t.home_cadre_hint,
                                }}
                            </p>
                        </section>
                    }
                        .into_any()
                }}
            </Layout>
        }
    })
}

#[component]
fn Today(data: TodayPage) -> impl IntoView {
    let t = use_t();
    let study_ok = data.study_hours + 1e-9 >= data.study_target;
    let to_contact = data.to_contact.clone();
    view! {
        <nav class="actions" aria-label=t.quick_actions>
            <a class="action" href="/contacts/new">{t.act_contact}</a>
            <a class="action" href="/visits#new">{t.act_visit}</a>
            <a class="action" href="/suggestions#new">{t.act_suggest}</a>
            <a class="action" href="/exemptions" data-testid="leave-link">{t.exemption_new}</a>
        </nav>
        <section class="card" data-testid="today-week">
            <h2>{t.today_week}</h2>
            <p>
                <span class=format!("light {}", data.week_status.class())>{data.week_status.label(t)}</span>
                " "
                <span class="muted" data-testid="week-span">{week_span(data.week, t)}</span>
            </p>
            {(data.week_status != crate::rules::WeekStatus::Covered).then(|| view! {
                <a class="button primary" href="/visits#new" data-testid="log-visit">{t.act_visit}</a>
            })}
        </section>
        <section class="card" data-testid="today-contacts">
            <h2>{t.today_contacts}</h2>
            <p>
                <span class="muted">
                    {fill(t.roster_count, &[("n", &data.roster_total.to_string()), ("target", &data.roster_target.to_string())])}
                </span>
                " · "
                <a href="/youth?filter=due" class="light warn">{fill(t.due_count, &[("n", &data.due.to_string())])}</a>
                " · "
                <a href="/youth?filter=overdue" class="light bad">{fill(t.overdue_count, &[("n", &data.overdue.to_string())])}</a>
            </p>
            {if to_contact.is_empty() {
                view! { <p class="hint">{t.all_contacted}</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {to_contact.into_iter().map(|e| view! { <DueYouth entry=e /> }).collect_view()}
                    </ul>
                    <p><a href="/youth?filter=due">{t.see_all}</a></p>
                }
                    .into_any()
            }}
        </section>
        <p><a class="button" href="/requests" data-testid="requests-link">{t.open_requests}</a></p>
        <section class="card" data-testid="today-suggestions">
            <h2>
                {fill(
                    t.today_suggestions,
                    &[("quarter", &data.quarter.label(t)), ("days", &data.quarter_days_left.to_string())],
                )}
            </h2>
            {if data.suggestions.is_empty() {
                view! { <p class="hint">{t.no_pairings}</p> }.into_any()
            } else {
                view! { <crate::components::suggestions::CoverageList coverage=data.suggestions testid="today-coverage" /> }
                    .into_any()
            }}
        </section>
        <section class="card" data-testid="today-study">
            <h2>{t.today_study}</h2>
            <p>
                <span class=if study_ok { "light ok" } else { "light warn" }>
                    {fill(t.hours_of, &[("h", &hours(data.study_hours)), ("target", &hours(data.study_target))])}
                </span>
                " "
                <a href="/study">{t.act_study}</a>
            </p>
        </section>
    }
}

/// "本周（11月30日–12月6日）": the week as a person reads it.
fn week_span(week: crate::rules::Week, t: &crate::i18n::Strings) -> String {
    fill(
        t.week_span,
        &[
            ("from", &week.monday().format(t.day_month).to_string()),
            ("to", &week.sunday().format(t.day_month).to_string()),
        ],
    )
}

/// A youth to contact, with the one-tap way to log it.
#[component]
fn DueYouth(entry: RosterEntry) -> impl IntoView {
    let t = use_t();
    view! {
        <li class="due-youth">
            <a href=format!("/youth/{}", entry.id) class="name">{entry.name.clone()}</a>
            <span class=format!("light {}", entry.status.class())>
                {contact_words(entry.status, entry.last_contact.is_none(), entry.days, t)}
            </span>
            <a class="button small" href=format!("/contacts/new?youth={}", entry.id)>{t.act_contact}</a>
        </li>
    }
}
