//! `/admin/reminders`: whether the scheduler runs (each instance's last tick), what it made and
//! mailed over the last week, the latest delivery errors, and a retry for failed emails.

use crate::components::form::{PostForm, RequestId};
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::reminders::api::{reminder_health, Health, RetryFailed};
use crate::reminders::rules::local;
use crate::types::ReminderKind;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn RemindersPage() -> impl IntoView {
    let t = use_t();
    data_page(Role::SYSADMINS, t.reminders_title, reminder_health, |h| {
        view! { <HealthView h=h /> }
    })
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

#[component]
fn HealthView(h: Health) -> impl IntoView {
    let t = use_t();
    view! {
        <p class=if h.mail_configured { "notice" } else { "hint" } data-testid="mail-status">
            {if h.mail_configured { t.mail_configured } else { t.mail_not_configured }}
        </p>
        <section class="card">
            <h2>{t.instances_title}</h2>
            {if h.instances.is_empty() {
                view! { <p class="hint">{t.no_instances}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table data-testid="instances">
                            <thead><tr>
                                <th scope="col">{t.col_instance}</th>
                                <th scope="col">{t.col_last_tick}</th>
                                <th scope="col">{t.col_as_of}</th>
                                <th scope="col">{t.col_made}</th>
                                <th scope="col">{t.col_sent}</th>
                                <th scope="col">{t.col_failed}</th>
                            </tr></thead>
                            <tbody>
                                {h.instances.iter().map(|i| view! {
                                    <tr>
                                        <th scope="row">{i.instance.clone()}<br /><span class="muted small">{i.host.clone()}</span></th>
                                        <td>{when(i.last_at)}</td>
                                        <td>{when(i.last_as_of)}</td>
                                        <td>{i.made}</td>
                                        <td>{i.sent}</td>
                                        <td>{i.failed}{i.last_error.clone().map(|e| view! { <br /><span class="small bad">{e}</span> })}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        <section class="card">
            <h2>{t.kinds_title}</h2>
            <div class="table-wrap">
                <table data-testid="kinds">
                    <thead><tr>
                        <th scope="col">{t.col_kind}</th>
                        <th scope="col">{t.col_made}</th>
                        <th scope="col">{t.col_sent}</th>
                        <th scope="col">{t.col_failed}</th>
                        <th scope="col">{t.col_pending}</th>
                    </tr></thead>
                    <tbody>
                        {h.kinds.iter().map(|k| view! {
                            <tr data-kind=k.kind.clone()>
                                <th scope="row">{ReminderKind::parse(&k.kind).map(|r| r.label(t)).unwrap_or("")}</th>
                                <td>{k.made}</td>
                                <td>{k.sent}</td>
                                <td class=(k.failed > 0).then_some("bad")>{k.failed}</td>
                                <td>{k.pending}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card">
            <h2>{t.errors_title}</h2>
            {if h.errors.is_empty() {
                view! { <p class="hint">{t.no_errors}</p> }.into_any()
            } else {
                view! {
                    <ul class="list" data-testid="delivery-errors">
                        {h.errors.iter().map(|e| view! {
                            <li>
                                <span class="full">{format!("{} · {} · {}", when(e.at), e.to, e.subject)}</span>
                                <span class="tag">{format!("{} ×{}", e.status, e.attempts)}</span>
                                <span class="small full bad">{e.error.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            {(h.failed > 0).then(|| view! {
                <PostForm action=RetryFailed::PATH id="retry">
                    <RequestId />
                    <button type="submit" class="primary">{fill(t.retry_failed, &[("n", &h.failed.to_string())])}</button>
                </PostForm>
            })}
        </section>
    }
}
