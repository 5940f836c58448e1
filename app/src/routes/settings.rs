//! `/settings`: password, language, email reminders and the calendar link.

use crate::auth::api::ChangePassword;
use crate::components::form::{FieldMessage, PostForm, RequestId, TextField};
use crate::components::lang::LanguageSwitch;
use crate::i18n::use_t;
use crate::page::data_page;
use crate::reminders::api::{get_my_settings, MySettings, RegenerateCalendar, SetNotifications};
use crate::totp::api::{totp_status, BeginTotp, ConfirmTotp, FactorStatus};
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
    let load = || async move { Ok((get_my_settings().await?, totp_status().await?)) };
    data_page(Role::ANYONE, t.settings_title, load, move |(s, totp)| {
        view! {
            <Settings s=s done=done />
            <SecondFactor status=totp />
        }
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

/// The second factor: set it up (a QR code to scan, a code to confirm), or that it is on, with
/// the recovery codes the once they are shown.
#[component]
fn SecondFactor(status: FactorStatus) -> impl IntoView {
    let t = use_t();
    let body = if status.enrolled {
        let left = crate::i18n::fill(
            t.totp_recovery_left,
            &[("n", &status.recovery_left.to_string())],
        );
        view! {
            <p class="notice" role="status" data-testid="totp-on">{t.totp_on}</p>
            {(!status.reveal.is_empty()).then(|| view! {
                <h3>{t.totp_recovery_title}</h3>
                <p class="hint">{t.totp_recovery_hint}</p>
                <ol class="codes" data-testid="recovery-codes">
                    {status.reveal.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
                </ol>
            })}
            <p class="hint" data-testid="recovery-left">{left}</p>
        }
        .into_any()
    } else if let Some(p) = status.pending {
        // Four-letter groups read and type more easily.
        let grouped = p
            .secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        view! {
            <p class="hint">{t.totp_scan}</p>
            // The server's own SVG: squares only, no text from anyone.
            <div class="qr" data-testid="totp-qr" inner_html=p.svg.clone()></div>
            <p>{t.totp_secret_label} "："<code class="break" data-testid="totp-secret" data-secret=p.secret.clone()>{grouped}</code></p>
            <p><a href=p.otpauth_url.clone() class="small">{t.totp_open_app}</a></p>
            // A plain post: the page it lands on shows the recovery codes, and only it.
            <div data-plain="">
                <PostForm action=ConfirmTotp::PATH id="totp-confirm">
                    <TextField name="code" label=t.totp_code_label autocomplete="one-time-code" inputmode="numeric" maxlength=7 required=true />
                    <button type="submit" class="primary">{t.totp_confirm}</button>
                </PostForm>
            </div>
            <PostForm action=BeginTotp::PATH id="totp-restart">
                <button type="submit" class="small">{t.totp_restart}</button>
            </PostForm>
        }
        .into_any()
    } else {
        view! {
            <p class="hint">{t.totp_intro}</p>
            <PostForm action=BeginTotp::PATH id="totp-begin">
                <button type="submit" class="primary">{t.totp_start}</button>
            </PostForm>
        }
        .into_any()
    };
    view! {
        <section class="card" id="totp">
            <h2>{t.totp_title}</h2>
            {(status.required && !status.enrolled).then(|| view! {
                <p class="notice warn" role="alert" data-testid="totp-required">{t.totp_required}</p>
            })}
            {body}
        </section>
    }
}
