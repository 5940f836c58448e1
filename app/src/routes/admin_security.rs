//! `/admin/security`: the security policy (安全策略), for the security administrator.

use crate::components::form::{FieldMessage, PostForm, TextField};
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::reminders::rules::local;
use crate::security::api::{get_security, SecurityView, UpdateSecurity};
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let t = use_t();
    data_page(Role::SECADMINS, t.security_title, get_security, |v| {
        view! { <SecurityFormView v=v /> }
    })
}

#[component]
fn SecurityFormView(v: SecurityView) -> impl IntoView {
    let t = use_t();
    let p = v.policy;
    let number = |name: &'static str, label: &'static str, value: i32| {
        view! { <TextField name=name label=label inputmode="numeric" value=value.to_string() required=true maxlength=5 /> }
    };
    let check = |name: &'static str, label: &'static str, on: bool| {
        view! { <label class="check"><input type="checkbox" name=name value="true" checked=on />{label}</label> }
    };
    let since = v.updated_at.map(|at| {
        let who = v.updated_by.clone().unwrap_or_default();
        view! { <p class="hint">{fill(t.security_updated, &[("at", &local(at).format("%Y-%m-%d %H:%M").to_string()), ("who", &who)])}</p> }
    });
    view! {
        {since}
        <PostForm action=UpdateSecurity::PATH id="security">
            <section class="card">
                <h2>{t.security_passwords}</h2>
                {number("min_length", t.sec_min_length, p.min_length)}
                {number("char_classes", t.sec_char_classes, p.char_classes)}
                <p class="hint small">{t.sec_char_classes_hint}</p>
                {number("expiry_days", t.sec_expiry_days, p.expiry_days)}
                {number("history", t.sec_history, p.history)}
            </section>
            <section class="card">
                <h2>{t.security_lockout}</h2>
                {number("lockout_attempts", t.sec_lockout_attempts, p.lockout_attempts)}
                {number("lockout_minutes", t.sec_lockout_minutes, p.lockout_minutes)}
            </section>
            <section class="card">
                <h2>{t.security_idle}</h2>
                {number("idle_minutes_admin", t.sec_idle_admin, p.idle_minutes_admin)}
                {number("idle_minutes_supervisor", t.sec_idle_supervisor, p.idle_minutes_supervisor)}
                {number("idle_minutes_cadre", t.sec_idle_cadre, p.idle_minutes_cadre)}
            </section>
            <section class="card">
                <h2>{t.security_second_factor}</h2>
                {check("totp_admins", t.sec_totp_admins, p.totp_admins)}
                {check("totp_supervisors", t.sec_totp_supervisors, p.totp_supervisors)}
                {check("totp_everyone", t.sec_totp_everyone, p.totp_everyone)}
                <FieldMessage name="totp_admins" />
                <FieldMessage name="totp_everyone" />
            </section>
            <button type="submit" class="primary">{t.save}</button>
        </PostForm>
    }
}
