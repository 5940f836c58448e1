//! `/admin/privacy` (个人信息保护): the privacy notice and its versions, the default processing
//! basis, the retention period and legal holds, for the system administrator.

use crate::components::form::{Hidden, PostForm, RequestId, SelectField, TextArea, TextField};
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::privacy::api::{
    get_privacy, CreateNotice, PrivacyView, ReleaseHold, SetHold, UpdatePrivacySettings,
};
use crate::reminders::rules::local;
use crate::types::{Basis, Role};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let t = use_t();
    data_page(Role::SYSADMINS, t.privacy_title, get_privacy, |v| {
        view! { <PrivacyView v=v /> }
    })
}

#[component]
fn PrivacyView(v: PrivacyView) -> impl IntoView {
    let t = use_t();
    let when = |at: chrono::DateTime<chrono::Utc>| local(at).format("%Y-%m-%d %H:%M").to_string();
    let current = v.notices.first().cloned();
    let older: Vec<_> = v.notices.iter().skip(1).cloned().collect();
    view! {
        <section class="card" id="settings">
            <h2>{t.privacy_settings}</h2>
            <PostForm action=UpdatePrivacySettings::PATH id="privacy-settings">
                <SelectField name="default_basis" label=t.privacy_default_basis options=Basis::options(t) value=v.default_basis.as_str() />
                <TextField name="retention_years" label=t.privacy_retention inputmode="numeric" value=v.retention_years.to_string() required=true maxlength=2 />
                <button type="submit" class="primary">{t.save}</button>
            </PostForm>
            {v.last_sweep.map(|(day, n)| view! {
                <p class="hint small" data-testid="last-sweep">{fill(t.privacy_last_sweep, &[("day", &day.to_string()), ("n", &n.to_string())])}</p>
            })}
        </section>
        <section class="card" id="notices">
            <h2>{t.privacy_notices}</h2>
            {current.clone().map(|n| view! {
                <article class="notice-text" data-testid="current-notice">
                    <h3>
                        {fill(t.privacy_notice_version, &[("v", &n.version.to_string())])}
                        " "
                        <span class="tag">{t.privacy_notice_current}</span>
                    </h3>
                    <p class="muted small">{format!("{} {}", when(n.created_at), n.created_by)}</p>
                    <div class="prose">{n.body.lines().map(|l| view! { <p>{l.to_owned()}</p> }).collect_view()}</div>
                </article>
            })}
            {older.into_iter().map(|n| view! {
                <details class="notice-text">
                    <summary>{format!("{} · {}", fill(t.privacy_notice_version, &[("v", &n.version.to_string())]), when(n.created_at))}</summary>
                    <div class="prose">{n.body.lines().map(|l| view! { <p>{l.to_owned()}</p> }).collect_view()}</div>
                </details>
            }).collect_view()}
            <details>
                <summary>{t.privacy_notice_new}</summary>
                <p class="hint">{t.privacy_notice_hint}</p>
                <PostForm action=CreateNotice::PATH id="notice-new">
                    <RequestId />
                    <TextArea name="body" label=t.privacy_notice_body value=current.map(|n| n.body).unwrap_or_default() rows=12 maxlength=5000 required=true />
                    <button type="submit" class="primary">{t.privacy_notice_publish}</button>
                </PostForm>
            </details>
        </section>
        <section class="card" id="holds">
            <h2>{t.privacy_holds}</h2>
            <p class="hint">{t.privacy_hold_hint}</p>
            {if v.holds.is_empty() {
                view! { <p class="hint" data-testid="no-holds">{t.privacy_hold_none}</p> }.into_any()
            } else {
                view! {
                    <ul class="list" data-testid="holds">
                        {v.holds.into_iter().map(|h| view! {
                            <li>
                                <span class="name">{format!("{} (#{})", h.name, h.youth_id)}</span>
                                <span class="muted small">{format!("{} · {} {}", h.reason, h.set_by, h.set_at.map(when).unwrap_or_default())}</span>
                                <PostForm action=ReleaseHold::PATH id=format!("release-{}", h.youth_id) key=("youth_id", h.youth_id.to_string())>
                                    <Hidden name="youth_id" value=h.youth_id.to_string() />
                                    <button type="submit" class="link">{t.privacy_hold_release}</button>
                                </PostForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <PostForm action=SetHold::PATH id="hold-new">
                <TextField name="youth_id" label=t.privacy_hold_youth inputmode="numeric" required=true maxlength=12 />
                <TextField name="reason" label=t.privacy_hold_reason required=true maxlength=200 />
                <button type="submit">{t.privacy_hold_set}</button>
            </PostForm>
        </section>
    }
}
