//! `/visits` (log a visit day; the quarter's weeks) and `/visits/:id`.

use crate::components::form::{CardForm, RequestId, SelectField, TextArea, TextField};
use crate::components::layout::Layout;
use crate::i18n::fmt_amount as hours;
use crate::i18n::{fill, use_t};
use crate::page::{data_page, record_page, today};
use crate::types::Role;
use crate::visits::api::{get_visits, visit, LogVisit, VisitRow, VisitsPage};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn VisitsPage() -> impl IntoView {
    data_page(
        Role::CADRES,
        use_t().visits_title,
        || get_visits(String::new()),
        |data| view! { <Visits data=data /> },
    )
}

#[component]
fn Visits(data: VisitsPage) -> impl IntoView {
    let t = use_t();
    let today = today();
    let earliest = today - chrono::Duration::days(data.late_entry_days);
    let paired: Vec<(String, String)> = data
        .paired
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let first = paired.first().map(|(id, _)| id.clone()).unwrap_or_default();
    view! {
        <div id="new">
            <CardForm action=LogVisit::PATH id="visit" title=t.visit_new>
                <RequestId />
                <TextField name="visit_date" label=t.v_date kind="date" value=today.to_string() required=true />
                <p class="hint">{fill(t.v_late_hint, &[("days", &data.late_entry_days.to_string())])} {format!(" ({earliest} – {today})")}</p>
                <SelectField name="org_id" label=t.v_org options=paired value=first placeholder=t.choose />
                <TextField name="hours" label=t.v_hours inputmode="decimal" value="8" required=true maxlength=4 />
                <TextArea name="work_done" label=t.v_work required=true maxlength=1000 />
                <TextArea name="outcomes" label=t.v_outcomes rows=2 maxlength=1000 />
                <crate::components::late::LateFields date_field="visit_date" />
                <button type="submit" class="primary">{t.save}</button>
            </CardForm>
        </div>
        <div data-live="visits">
            <section class="card">
                <h2>{fill(t.weeks_title, &[("quarter", &data.quarter.label(t))])}</h2>
                <ul class="list weeks" data-testid="weeks">
                    {data
                        .weeks
                        .into_iter()
                        .map(|w| {
                            view! {
                                <li data-week=w.week.key()>
                                    <span>
                                        {fill(
                                            t.week_range,
                                            &[
                                                ("week", &w.week.week.to_string()),
                                                ("from", &w.monday.format("%m-%d").to_string()),
                                                ("to", &w.sunday.format("%m-%d").to_string()),
                                            ],
                                        )}
                                    </span>
                                    <span class=format!("light {}", w.status.class())>{w.status.label(t)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section class="card">
                <h2>{t.visits_list}</h2>
                <VisitList visits=data.visits />
            </section>
        </div>
    }
}

#[component]
fn VisitList(visits: Vec<VisitRow>) -> impl IntoView {
    let t = use_t();
    if visits.is_empty() {
        return view! { <p class="hint">{t.no_visits}</p> }.into_any();
    }
    view! {
        <ul class="list" data-testid="visits">
            {visits
                .into_iter()
                .map(|v| {
                    view! {
                        <li>
                            <a class="row-link" href=format!("/visits/{}", v.id)>
                                <strong>{v.date.to_string()}</strong>
                                <span>{v.org_name.clone()}</span>
                                {v.late.then(|| view! { <span class="tag warn" data-testid="late-mark">{t.late_mark}</span> })}
                                <span class="muted small">{format!("{} h · {}", hours(v.hours), v.work_done)}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn VisitPage() -> impl IntoView {
    let t = use_t();
    record_page(Role::CADRES, visit, move |viewer, v| {
        view! {
            <Layout viewer=viewer title=t.visit_detail>
                <section class="card">
                    <dl class="facts">
                        <dt>{t.v_date}</dt><dd>{v.date.to_string()}</dd>
                        <dt>{t.v_org}</dt><dd>{v.org_name.clone()}</dd>
                        <dt>{t.v_hours}</dt><dd>{hours(v.hours)}</dd>
                        <dt>{t.v_work}</dt><dd>{v.work_done.clone()}</dd>
                        <dt>{t.v_outcomes}</dt><dd>{v.outcomes.clone()}</dd>
                    </dl>
                    <p><a href="/visits">{t.visits_title}</a></p>
                </section>
            </Layout>
        }
    })
}
