//! `/study`: log study hours; this month's total against the target.

use crate::components::form::{CardForm, RequestId, SelectField, TextField};
use crate::i18n::fmt_amount as hours;
use crate::i18n::{fill, use_t};
use crate::page::{data_page, today};
use crate::study::api::{get_study, LogStudy, StudyPage};
use crate::types::Role;
use crate::types::StudyKind;
use chrono::Datelike;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn StudyPage() -> impl IntoView {
    data_page(
        Role::CADRES,
        use_t().study_title,
        get_study,
        |data| view! { <Study data=data /> },
    )
}

#[component]
fn Study(data: StudyPage) -> impl IntoView {
    let t = use_t();
    let met = data.total + 1e-9 >= data.target;
    let month = |d: chrono::NaiveDate| {
        fill(
            t.month_label,
            &[
                ("year", &d.year().to_string()),
                ("month", &d.month().to_string()),
            ],
        )
    };
    view! {
        <CardForm action=LogStudy::PATH id="study" title=t.study_new>
            <RequestId />
            <TextField name="study_date" label=t.st_date kind="date" value=today().to_string() required=true />
            <TextField name="hours" label=t.st_hours inputmode="decimal" value="2" required=true maxlength=4 />
            <TextField name="topic" label=t.st_topic required=true maxlength=200 />
            <SelectField name="kind" label=t.st_kind options=StudyKind::options(t) value="thematic" />
            <crate::components::late::LateFields date_field="study_date" />
            <button type="submit" class="primary">{t.save}</button>
        </CardForm>
        <div data-live="study">
            <section class="card">
                <h2>{month(data.month)}</h2>
                <p data-testid="study-total">
                    <span class=if met { "light ok" } else { "light warn" }>
                        {fill(t.study_month, &[("h", &hours(data.total)), ("target", &hours(data.target))])}
                    </span>
                </p>
                {if data.rows.is_empty() {
                    view! { <p class="hint">{t.no_study}</p> }.into_any()
                } else {
                    view! {
                        <ul class="list" data-testid="study">
                            {data
                                .rows
                                .into_iter()
                                .map(|r| view! {
                                    <li>
                                        <strong>{r.date.to_string()}</strong>
                                        <span>{r.topic}</span>
                                        <span class="muted small">{format!("{} h · {}", hours(r.hours), r.kind.map(|k| k.label(t)).unwrap_or("-"))}</span>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <section class="card">
                <h2>{t.study_history}</h2>
                <ul class="list">
                    {data
                        .history
                        .into_iter()
                        .map(|(m, h)| {
                            let ok = h + 1e-9 >= data.target;
                            view! {
                                <li>
                                    <span>{month(m)}</span>
                                    <span class=if ok { "light ok" } else { "light bad" }>{format!("{} h", hours(h))}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        </div>
    }
}
