//! `/settings`: password, language, email reminders and the calendar link.

use crate::auth::api::ChangePassword;
use crate::components::form::{FieldMessage, PostForm, RequestId, TextField};
use crate::components::lang::LanguageSwitch;
use crate::i18n::use_t;
use crate::page::data_page;
use crate::reminders::api::{get_my_settings, MySettings, RegenerateCalendar, SetNotifications};
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_t();
    let done = use_query_map().with_untracked(|q| {
        q.get("done")
            .or_else(|| q.get("email").map(|e| format!("email_{e}")))
    });
    data_page(Role::ANYONE, t.settings_title, get_my_settings, move |s| {
        view! { <Settings s=s done=done /> }
    })
}

#[component]
fn Settings(s: MySettings, done: Option<String>) -> impl IntoView {
    let t = use_t();
    view! {
        <section class="card">
            <h2>{t.change_password}</h2>
            {(done.as_deref() == Some("password"))
                .then(|| view! { <p class="notice" role="status">{t.password_changed}</p> })}
            <PostForm action=ChangePassword::PATH id="password">
                <TextField name="current_password" label=t.current_password kind="password" required=true autocomplete="current-password" />
                <TextField name="new_password" label=t.new_password kind="password" required=true autocomplete="new-password" />
                <TextField name="confirm_password" label=t.confirm_password kind="password" required=true autocomplete="new-password" />
                <button type="submit" class="primary">{t.save}</button>
            </PostForm>
        </section>
        <section class="card">
            <h2>{t.language}</h2>
            <LanguageSwitch />
        </section>
        <section class="card" id="notifications">
            <h2>{t.notifications_title}</h2>
            <p class="hint">{if s.mail_configured { t.mail_configured } else { t.mail_not_configured }}</p>
            <PostForm action=SetNotifications::PATH id="notifications-form">
                {(done.as_deref() == Some("email_confirmed"))
                    .then(|| view! { <p class="notice" role="status">{t.email_confirmed}</p> })}
                {(done.as_deref() == Some("email_invalid"))
                    .then(|| view! { <p class="notice warn" role="alert">{t.email_confirm_invalid}</p> })}
                <TextField name="email" label=t.email_label kind="email" value=s.email.clone() autocomplete="email" />
                {s.pending.then(|| view! {
                    <p class="hint" data-testid="email-pending"><strong>{t.email_pending_tag}</strong>" · "{t.email_pending}</p>
                    {(!s.confirmed_email.is_empty()).then(|| view! {
                        <p class="hint">{crate::i18n::fill(t.email_pending_old, &[("email", &s.confirmed_email)])}</p>
                    })}
                })}
                <label class="check">
                    <input type="checkbox" name="notify_email" value="true" checked=s.notify_email />
                    <span>{t.notify_email_label}</span>
                </label>
                <FieldMessage name="notify_email" />
                <button type="submit" class="primary">{t.save}</button>
            </PostForm>
        </section>
        <section class="card" id="calendar">
            <h2>{t.feed_title}</h2>
            <p class="hint">{t.calendar_hint}</p>
            <crate::components::links::WeChatHint />
            <p><a class="button" href=s.calendar.webcal.clone() data-testid="webcal-link">{t.calendar_subscribe}</a></p>
            <p class="small break" data-testid="calendar-url">{s.calendar.https.clone()}</p>
            <PostForm action=RegenerateCalendar::PATH id="calendar-regenerate">
                <RequestId />
                <button type="submit" class="small">{t.calendar_regenerate}</button>
            </PostForm>
        </section>
    }
}
