//! `/supervise` (the compliance dashboard of a subtree) and `/supervise/cadres/:id` (one cadre).

use crate::compliance::{CadreRow, Light, Period, Rule};
use crate::components::chart::TrendChart;
use crate::components::layout::Layout;
use crate::components::pager::Pager;
use crate::i18n::fmt_amount as hours;
use crate::i18n::{fill, use_t};
use crate::page::{data_page, record_page, today};
use crate::rules::{contact_words, ContactStatus};
use crate::supervise::api::{cadre, dashboard, CadreDetail, DashboardPage, DashboardQuery};
use crate::types::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub fn light_class(l: Light) -> &'static str {
    match l {
        Light::Green => "ok",
        Light::Yellow => "warn",
        Light::Red => "bad",
    }
}

/// The figures of a cadre's row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Figure {
    Roster,
    Contacted,
    Overdue,
    Weeks,
    Suggestions,
    Study,
}

impl Figure {
    /// The figure a reason is about.
    fn of(rule: Rule) -> Figure {
        match rule {
            Rule::RosterShort => Figure::Roster,
            Rule::BehindPace => Figure::Contacted,
            Rule::ContactOverdue | Rule::ContactDue => Figure::Overdue,
            Rule::VisitMissed | Rule::VisitDueSoon => Figure::Weeks,
            Rule::SuggestionMissed | Rule::SuggestionDueSoon => Figure::Suggestions,
            Rule::StudyMissed | Rule::StudyDueSoon => Figure::Study,
        }
    }
}

/// A figure cell's class: `decides` for the figures that decide the light (those its reasons are
/// about; for a cadre on track, contacts and 4+1), which a phone's card shows; the others only
/// in the table.
fn figure(r: &CadreRow, f: Figure) -> &'static str {
    let key = if r.reasons.is_empty() {
        matches!(f, Figure::Contacted | Figure::Weeks)
    } else {
        r.reasons
            .iter()
            .take(3)
            .any(|why| Figure::of(why.rule) == f)
    };
    if key {
        "figure decides"
    } else {
        "figure"
    }
}

fn bad_if(bad: bool) -> &'static str {
    if bad {
        "light bad"
    } else {
        ""
    }
}

fn study_class(owed: bool, hours: f64, target: f64) -> &'static str {
    if !owed || hours + 1e-9 >= target {
        "light ok"
    } else {
        "light warn"
    }
}

fn pct(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The dashboard's address with some of its parameters changed.
fn href(d: &DashboardPage, changes: &[(&str, &str)]) -> String {
    let org = d.org_id.to_string();
    crate::components::links::query_link(
        "/supervise",
        &[
            ("org_id", &org),
            ("period", &d.period_key),
            ("q", &d.q),
            ("sort", &d.sort),
            ("dir", &d.dir),
            ("light", &d.light),
        ],
        changes,
    )
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_t();
    let query = use_query_map().with_untracked(|m| DashboardQuery {
        org_id: m.get("org_id").unwrap_or_default(),
        period: m.get("period").unwrap_or_default(),
        sort: m.get("sort").unwrap_or_default(),
        dir: m.get("dir").unwrap_or_default(),
        light: m.get("light").unwrap_or_default(),
        q: m.get("q").unwrap_or_default(),
        page: m.get("page").unwrap_or_default(),
    });
    data_page(
        Role::SUPERVISORS,
        t.dashboard_title,
        move || dashboard(query),
        |d| {
            view! { <Dashboard d=d /> }
        },
    )
}

#[component]
fn Dashboard(d: DashboardPage) -> impl IntoView {
    let t = use_t();
    let periods: Vec<(String, String)> = Period::choices(d.today)
        .into_iter()
        .map(|p| (p.key(), p.label(t)))
        .collect();
    let tiles = &d.tiles;
    let tile = |label: &'static str, n: u32, link: String, class: &'static str| {
        view! {
            <a class=format!("tile {class}") href=link>
                <span class="n">{n}</span>
                <span class="small">{label}</span>
            </a>
        }
    };
    view! {
        <form method="get" action="/supervise" class="pickers" role="search">
            <label>
                <span class="small muted">{t.pick_org}</span>
                <select name="org_id" aria-label=t.pick_org>
                    {d.orgs.iter().map(|o| {
                        let indent = "　".repeat(o.depth);
                        view! { <option value=o.id.to_string() selected=o.id == d.org_id>{format!("{indent}{}", o.name)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span class="small muted">{t.pick_period}</span>
                <select name="period" aria-label=t.pick_period>
                    {periods.into_iter().map(|(k, l)| {
                        let sel = k == d.period_key;
                        view! { <option value=k selected=sel>{l}</option> }
                    }).collect_view()}
                </select>
            </label>
            <input type="hidden" name="light" value=d.light.clone() />
            <input type="search" name="q" value=d.q.clone() placeholder=t.search_cadres aria-label=t.search_cadres />
            <button type="submit">{t.show}</button>
        </form>
        <p class="muted small">
            {format!("{} · {}", d.org_name, d.period.label(t))}
            " · "
            <a href=format!("/exports?org_id={}", d.org_id) data-testid="export-link">{t.export_link}</a>
        </p>
        {d.signoff.clone().map(|s| {
            let n = s.changes.len();
            view! {
                <section class="card" data-testid="dashboard-signoff">
                    <p>
                        <span class="light ok" data-testid="dashboard-stamp">{s.line(t)}</span>
                        " "
                        <span class="small muted">{t.signoff_frozen}</span>
                    </p>
                    {(n > 0).then(|| view! {
                        <details>
                            <summary data-testid="dashboard-changes">{fill(t.signoff_changes, &[("n", &n.to_string())])}</summary>
                            <crate::components::late::LateList items=s.changes.clone() cadres=true />
                        </details>
                    })}
                </section>
            }
        })}
        <nav class="tiles" aria-label=t.tiles_label data-testid="tiles">
            {tile(t.tile_cadres, tiles.cadres, href(&d, &[("light", ""), ("page", "1")]), "")}
            {tile(t.light_red, tiles.red, href(&d, &[("light", "red"), ("page", "1")]), "bad")}
            {tile(t.light_yellow, tiles.yellow, href(&d, &[("light", "yellow"), ("page", "1")]), "warn")}
            {tile(t.light_green, tiles.green, href(&d, &[("light", "green"), ("page", "1")]), "ok")}
            {tile(t.tile_overdue, tiles.overdue, href(&d, &[("sort", "overdue"), ("dir", "desc"), ("page", "1")]), "bad")}
            {tile(t.tile_weeks_missed, tiles.weeks_missed, href(&d, &[("sort", "weeks"), ("dir", "desc"), ("page", "1")]), "bad")}
            {tile(t.tile_suggestions_missing, tiles.suggestions_missing, href(&d, &[("sort", "suggestions"), ("dir", "desc"), ("page", "1")]), "warn")}
        </nav>
        <p class="muted" data-testid="dashboard-activities">{fill(t.dashboard_activities, &[("line", &crate::components::activities::reach_line(t, &tiles.activities))])}</p>
        <nav class="actions-row">
            <a class="button small" href="/supervise/suggestions">{t.nav_review}</a>
            <a class="button small" href="/supervise/exemptions">{t.nav_exemptions_review}</a>
            <a class="button small" href="/supervise/late">{t.nav_late_review}</a>
            <a class="button small" href=format!("/supervise/signoff?org={}", d.org_id)>{t.nav_signoff}</a>
            <a class="button small" href=format!("/supervise/roster?org_id={}", d.org_id)>{t.nav_roster}</a>
        </nav>
        {(!d.left_with_roster.is_empty()).then(|| view! {
            <section class="card warn-card" data-testid="left-with-roster">
                <h2>{t.left_with_roster_title}</h2>
                <ul class="list">
                    {d.left_with_roster.iter().map(|l| view! {
                        <li>
                            <span>{fill(t.left_with_roster, &[("name", &l.name), ("n", &l.youths.to_string())])}</span>
                            <a class="button small" href=format!("/supervise/roster?org_id={}&cadre_id={}", d.org_id, l.cadre_id)>{t.handover_action}</a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!d.rollup.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t.rollup_title}</h2>
                <ul class="list" data-testid="rollup">
                    {d.rollup.iter().map(|r| {
                        let on_track = fill(t.on_track, &[("green", &r.green.to_string()), ("n", &r.cadres.to_string())]);
                        let name = if r.child { r.org_name.clone() } else { fill(t.own_cadres, &[("org", &r.org_name)]) };
                        let link = if r.child { href(&d, &[("org_id", &r.org_id.to_string()), ("page", "1"), ("light", "")]) } else { href(&d, &[("page", "1")]) };
                        view! {
                            <li>
                                <a class="row-link" href=link>
                                    <span class="name">{name}</span>
                                    <span class="light ok">{on_track}</span>
                                    {(r.red > 0).then(|| view! { <span class="light bad">{format!("{} {}", t.light_red, r.red)}</span> })}
                                    {r.signoff.as_deref().and_then(crate::types::SignoffState::parse).map(|s| {
                                        let class = if s == crate::types::SignoffState::Open { "tag" } else { "tag ok" };
                                        view! { <span class=class data-testid="rollup-signoff">{s.label(t)}</span> }
                                    })}
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section class="card">
            <h2>{t.trend_title}</h2>
            <TrendChart points_of=d.trend.clone() current=crate::rules::Week::of(d.today) />
        </section>
        <CadreTable d=d />
    }
}

/// The cadre table: one page, sorted and filtered, every number linking to the list behind it.
#[component]
fn CadreTable(d: DashboardPage) -> impl IntoView {
    let t = use_t();
    let cadre_link = |r: &CadreRow, anchor: &str| {
        format!(
            "/supervise/cadres/{}?period={}#{anchor}",
            r.cadre_id, d.period_key
        )
    };
    // Built first: the remind forms inside it are enhanced (the page stays where it is).
    let table = view! {
            <div class="table-wrap">
                <table class="cadres" data-testid="cadre-table">
                    <thead>
                        <tr>
                            {[("name", t.col_name), ("org", t.col_org), ("roster", t.col_roster), ("contacted", t.col_contacted), ("overdue", t.col_overdue), ("weeks", t.col_weeks), ("suggestions", t.col_suggestions), ("study", t.col_study), ("light", t.col_light)]
                                .into_iter()
                                .map(|(key, label)| {
                                    let active = d.sort == key;
                                    let dir = if active && d.dir == "desc" { "asc" } else { "desc" };
                                    let arrow = if active { if d.dir == "desc" { " ↓" } else { " ↑" } } else { "" };
                                    view! {
                                        <th scope="col" aria-sort=active.then(|| if d.dir == "desc" { "descending" } else { "ascending" })>
                                            <a href=href(&d, &[("sort", key), ("dir", dir), ("page", "1")])>{format!("{label}{arrow}")}</a>
                                        </th>
                                    }
                                })
                                .collect_view()}
                            <th scope="col">{t.remind_button}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.cadres.iter().map(|r| view! {
                            <tr data-cadre=r.username.clone() data-light=r.light.as_str()>
                                <th scope="row"><a href=cadre_link(r, "figures")>{r.name.clone()}</a></th>
                                <td class="org">{r.org_name.clone()}<br /><span class="muted small">{r.post.map(|p| p.label(t)).unwrap_or("-")}</span></td>
                                <td class=figure(r, Figure::Roster) data-label=t.col_roster><a href=cadre_link(r, "roster")>{format!("{}/{}", r.roster, r.roster_target)}</a></td>
                                <td class=figure(r, Figure::Contacted) data-label=t.col_contacted><a href=cadre_link(r, "contacts")>{pct(r.contacted_share())}</a></td>
                                <td class=figure(r, Figure::Overdue) data-label=t.col_overdue><a href=cadre_link(r, "roster") class=bad_if(r.overdue > 0)>{r.overdue}</a></td>
                                <td class=figure(r, Figure::Weeks) data-label=t.col_weeks><a href=cadre_link(r, "weeks") class=bad_if(r.weeks_missed > 0)>{format!("{}/{}", r.weeks_covered, r.weeks_required)}</a></td>
                                <td class=figure(r, Figure::Suggestions) data-label=t.col_suggestions><a href=cadre_link(r, "suggestions")>{format!("{}/{}", r.suggestions_given, r.suggestions_due)}</a></td>
                                <td class=figure(r, Figure::Study) data-label=t.col_study>{match r.study_shown() {
                                    // The month the cell speaks of, and its target: the month a red reason is about.
                                    Some(m) => view! {
                                        <a href=cadre_link(r, "study") class=study_class(m.owed, m.hours, m.target)>
                                            {fill(t.study_cell, &[("m", &m.month.format("%-m").to_string()), ("h", &hours(m.hours)), ("target", &hours(m.target))])}
                                        </a>
                                    }.into_any(),
                                    None => view! { <a href=cadre_link(r, "study")>{hours(r.study_hours)}</a> }.into_any(),
                                }}</td>
                                <td class="verdict">
                                    <span class=format!("light {}", light_class(r.light))>{r.light.label(t)}</span>
                                    // The worst reason at once, the others a tap away.
                                    {r.reasons.first().map(|why| view! { <span class="small reason">{why.text.clone()}</span> })}
                                    {(r.reasons.len() > 1).then(|| view! {
                                        <details class="small">
                                            <summary>{fill(t.more_reasons, &[("n", &(r.reasons.len() - 1).to_string())])}</summary>
                                            <ul class="reasons">
                                                {r.reasons.iter().skip(1).map(|why| view! { <li>{why.text.clone()}</li> }).collect_view()}
                                            </ul>
                                        </details>
                                    })}
                                </td>
                                <td class="act">
                                    <RemindButton cadre_id=r.cadre_id last=d.reminded.iter().find(|(c, _)| *c == r.cadre_id).map(|(_, at)| *at) />
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
    };
    view! {
        <section class="card">
            <h2>{fill(t.cadre_table_title, &[("n", &d.matching.to_string())])}</h2>
            <nav class="tabs" aria-label=t.filter_light>
                <a href=href(&d, &[("light", ""), ("page", "1")]) aria-current=d.light.is_empty().then_some("page")>{t.filter_all}</a>
                {Light::ALL.into_iter().map(|l| {
                    let here = d.light == l.as_str();
                    view! { <a href=href(&d, &[("light", l.as_str()), ("page", "1")]) aria-current=here.then_some("page")>{l.label(t)}</a> }
                }).collect_view()}
            </nav>
            <crate::components::form::Enhanced>
                {table}
            </crate::components::form::Enhanced>
            {(d.cadres.is_empty()).then(|| view! { <p class="hint">{t.no_cadres}</p> })}
            <Pager page=d.page pages=d.pages link=move |p| href(&d, &[("page", &p.to_string())]) />
        </section>
    }
}

/// The remind button of a cadre: an inbox item and an email naming what is missing, once a day.
/// Pressed today, it gives way to when it was sent; otherwise it says when it was last pressed.
/// Its `data-live` region is redrawn after an enhanced press, so the page stays where it is.
#[component]
pub fn RemindButton(cadre_id: i64, last: Option<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    use crate::components::form::{FieldMessage, Hidden, PostForm, RequestId};
    use crate::reminders::api::Remind;
    use crate::reminders::rules::local;
    use leptos::server_fn::ServerFn;
    let t = use_t();
    let pressed_today = last.is_some_and(|l| local(l).date() == crate::page::today());
    let id = cadre_id.to_string();
    let anchor = format!("remind-{id}");
    let live = anchor.clone();
    view! {
        <div class="remind" data-live=live>
            {if let (true, Some(at)) = (pressed_today, last) {
                view! {
                    <p class="small reminded" id=anchor>
                        {fill(t.reminded_at, &[("time", &local(at).format("%H:%M").to_string())])}
                    </p>
                }.into_any()
            } else {
                view! {
                    <PostForm action=Remind::PATH id=anchor key=("cadre_id", id.clone()) class="inline">
                        <RequestId />
                        <Hidden name="cadre_id" value=id.clone() />
                        <button type="submit" class="small">{t.remind_button}</button>
                        {last.map(|l| view! {
                            <span class="small muted reminded">{fill(t.last_reminded, &[("time", &local(l).format("%m-%d %H:%M").to_string())])}</span>
                        })}
                        <FieldMessage name="cadre_id" />
                    </PostForm>
                }.into_any()
            }}
        </div>
    }
}

#[component]
pub fn CadreDrillPage() -> impl IntoView {
    let period = use_query_map().with_untracked(|m| m.get("period").unwrap_or_default());
    record_page(
        Role::SUPERVISORS,
        move |id| cadre(id, period),
        |viewer, c| view! { <Layout viewer=viewer title=c.row.name.clone()><Drill c=c /></Layout> },
    )
}

#[component]
fn Drill(c: CadreDetail) -> impl IntoView {
    let t = use_t();
    let r = c.row.clone();
    let periods: Vec<(String, String)> = Period::choices(today())
        .into_iter()
        .map(|p| (p.key(), p.label(t)))
        .collect();
    view! {
        <form method="get" class="pickers" role="search">
            <select name="period" aria-label=t.pick_period>
                {periods.into_iter().map(|(k, l)| {
                    let sel = k == c.period_key;
                    view! { <option value=k selected=sel>{l}</option> }
                }).collect_view()}
            </select>
            <button type="submit">{t.show}</button>
        </form>
        <section class="card" id="figures" data-testid="figures">
            <p>
                <span class=format!("light {}", light_class(r.light))>{r.light.label(t)}</span>
                " "
                <span class="muted">{format!("{} · {}", r.org_name, r.post.map(|p| p.label(t)).unwrap_or("-"))}</span>
                {(!c.active).then(|| view! { <span class="tag">{t.inactive_account}</span> })}
            </p>
            <ul class="reasons">
                {r.reasons.iter().map(|why| view! { <li class=format!("light {}", light_class(why.light))>{why.text.clone()}</li> }).collect_view()}
            </ul>
            <dl class="facts">
                <dt>{t.col_roster}</dt><dd>{format!("{}/{}", r.roster, r.roster_target)}</dd>
                <dt>{t.col_contacted}</dt><dd>{format!("{} ({})", r.contacted, pct(r.contacted_share()))}</dd>
                <dt>{t.pace_label}</dt><dd>{fill(t.pace_text, &[("contacted", &pct(r.pace.contacted)), ("elapsed", &pct(r.pace.elapsed))])}</dd>
                <dt>{t.status_due}</dt><dd>{r.due}</dd>
                <dt>{t.status_overdue}</dt><dd>{r.overdue}</dd>
                <dt>{t.never_contacted}</dt><dd>{r.never}</dd>
                <dt>{t.no_offline_label}</dt><dd>{r.no_offline}</dd>
                <dt>{t.col_weeks}</dt><dd>{fill(t.weeks_figures, &[("covered", &r.weeks_covered.to_string()), ("required", &r.weeks_required.to_string()), ("missed", &r.weeks_missed.to_string()), ("exempt", &r.weeks_exempt.to_string())])}</dd>
                <dt>{t.col_suggestions}</dt><dd>{format!("{}/{}", r.suggestions_given, r.suggestions_due)}</dd>
                <dt>{t.col_study}</dt><dd>{fill(t.hours_of, &[("h", &hours(r.study_hours)), ("target", &hours(r.study_target))])}</dd>
            </dl>
        </section>
        {c.active.then(|| view! {
            <section class="card" id="remind" data-testid="remind">
                <h2>{t.remind_title}</h2>
                <p class="hint">{t.remind_hint}</p>
                <crate::components::form::Enhanced>
                    <RemindButton cadre_id=r.cadre_id last=c.last_reminded />
                </crate::components::form::Enhanced>
            </section>
        })}
        <section class="card" id="weeks">
            <h2>{t.drill_weeks}</h2>
            <ul class="list" data-testid="weeks">
                {c.weeks.iter().rev().map(|w| view! {
                    <li data-monday=w.week.monday().to_string() data-status=w.status.class()>
                        <span>{format!("{} ({} – {})", w.week.key(), w.week.monday().format("%m-%d"), w.week.sunday().format("%m-%d"))}</span>
                        <span class=format!("light {}", w.status.class())>{w.status.label(t)}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" id="roster">
            <h2>{fill(t.roster_of, &[("n", &c.roster.len().to_string())])}</h2>
            <ul class="list" data-testid="supervised-roster">
                {c.roster.iter().map(|y| {
                    let since = match y.last_contact {
                        Some(d) => fill(t.last_contact, &[("date", &d.to_string())]),
                        None => t.never_contacted.to_owned(),
                    };
                    view! {
                        <li>
                            <span class="name">{y.name.clone()}</span>
                            <crate::components::reveal::Reveal id=y.id phone=y.phone.clone() wechat=y.wechat.clone() />
                            <span class=format!("light {}", y.status.class())>
                                {match (y.status, y.last_contact) {
                                    (ContactStatus::Ok, Some(_)) => since,
                                    (ContactStatus::Ok, None) => contact_words(y.status, true, y.days, t),
                                    (s, last) => format!("{} · {}", s.label(t), contact_words(s, last.is_none(), y.days, t)),
                                }}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section class="card" id="contacts">
            <h2>{t.recent_contacts}</h2>
            <ul class="list">
                {c.contacts.iter().map(|x| view! {
                    <li>
                        <strong>{x.date.to_string()}</strong>
                        <span>{x.youth_name.clone()}</span>
                        <span class="tag">{x.channel.map(|ch| ch.label(t)).unwrap_or("-")}</span>
                        <span class="small full">{x.content.clone()}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" id="activities">
            <h2>{t.activities_title}</h2>
            <p data-testid="drill-reach">{crate::components::activities::reach_line(t, &c.reach)}</p>
            <crate::components::activities::ActivityList rows=c.activities.clone() links=false />
        </section>
        <section class="card" id="suggestions">
            <h2>{t.suggestions_title}</h2>
            {if c.suggestions.is_empty() {
                view! { <p class="hint">{t.no_suggestions}</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {c.suggestions.iter().map(|s| view! {
                            <li class="suggestion">
                                <strong>{s.title.clone()}</strong>
                                <span class="tag">{s.status.map(|st| st.label(t)).unwrap_or("-")}</span>
                                <span class="muted small">{format!("{} · {}", s.quarter.label(t), s.org_name)}</span>
                                <crate::components::suggestions::ReviewHistory reviews=s.reviews.clone() />
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" id="study">
            <h2>{t.study_by_month}</h2>
            <ul class="list">
                {r.study_months.iter().map(|m| view! {
                    <li>
                        <span>{m.month.format("%Y-%m").to_string()}</span>
                        <span class=study_class(m.owed, m.hours, m.target)>
                            {if m.owed { fill(t.hours_of, &[("h", &hours(m.hours)), ("target", &hours(m.target))]) } else { t.month_exempt.to_owned() }}
                        </span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" id="exemptions">
            <h2>{t.exemptions_title}</h2>
            <crate::components::exemptions::ExemptionList items=c.exemptions.clone() />
        </section>
        <section class="card" id="assignments">
            <h2>{t.assignment_history}</h2>
            <ul class="list">
                {c.assignments.iter().map(|a| view! {
                    <li>
                        <span>{a.youth_name.clone()}</span>
                        <span class="muted small">
                            {match a.ended_on {
                                Some(end) => format!("{} – {} {}", a.assigned_on, end, a.reason),
                                None => format!("{} – {}", a.assigned_on, a.reason),
                            }}
                        </span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
