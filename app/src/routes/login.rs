//! `/login`: sign in with a phone number or username and a password; `/login/totp`: then the
//! second factor's code, where the account has one.

use crate::auth::api::{Login, LoginTotp};
use crate::components::enhance::PasswordToggle;
use crate::components::form::{PostForm, TextField};
use crate::components::lang::LanguageSwitch;
use crate::i18n::use_t;
use crate::page;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_t();
    if let Some(v) = page::viewer() {
        page::redirect(v.role.landing());
    }
    view! {
        <Title text=crate::markup::rcdata(&format!("{} · {}", t.login_title, t.app_name)) />
        <main class="page narrow login">
            <h1 class="app-title">{t.app_name}</h1>
            <h2>{t.login_title}</h2>
            <PostForm action=Login::PATH id="login">
                <TextField name="login" label=t.login_field required=true autocomplete="username" maxlength=50 />
                <TextField name="password" label=t.password kind="password" required=true autocomplete="current-password" />
                <PasswordToggle target="login-password" show=t.show_password hide=t.hide_password />
                <button type="submit" class="primary">{t.sign_in}</button>
            </PostForm>
            <p class="hint" data-testid="forgot-hint">{t.forgot_password_hint}</p>
            {page::demo_mode().then(|| view! {
                <Suspense>
                    {Suspend::new(async move {
                        let groups = page::demo_sign_ins()
                            .await
                            .into_iter()
                            .filter(|(_, names)| !names.is_empty())
                            .map(|(role, names)| format!("{}（{}）", crate::i18n::runs(&names).join("、"), role.label(t)))
                            .collect::<Vec<_>>()
                            .join("；");
                        view! {
                            <p class="hint demo" data-testid="demo-hint">{crate::i18n::fill(t.demo_hint, &[("accounts", &groups)])}</p>
                        }
                    })}
                </Suspense>
            })}
            <LanguageSwitch />
        </main>
    }
}

/// The second step of signing in, for a right password on an account with a second factor.
#[component]
pub fn TotpPage() -> impl IntoView {
    let t = use_t();
    if let Some(v) = page::viewer() {
        page::redirect(v.role.landing());
    } else if !page::factor_pending() {
        page::redirect("/login");
    }
    let recovery_open = crate::components::form::failed_for(LoginTotp::PATH, "code", "");
    view! {
        <Title text=crate::markup::rcdata(&format!("{} · {}", t.login_totp_title, t.app_name)) />
        <main class="page narrow login">
            <h1 class="app-title">{t.app_name}</h1>
            <h2>{t.login_totp_title}</h2>
            <p class="hint">{t.login_totp_hint}</p>
            <PostForm action=LoginTotp::PATH id="login-totp">
                <TextField name="code" label=t.totp_code_label autocomplete="one-time-code" maxlength=7 inputmode="numeric" />
                <details open=recovery_open>
                    <summary>{t.use_recovery_code}</summary>
                    <TextField name="recovery_code" label=t.recovery_code_label autocomplete="off" maxlength=20 />
                </details>
                <button type="submit" class="primary">{t.sign_in}</button>
            </PostForm>
            <p class="hint"><a href="/login">{t.login_totp_again}</a></p>
            <LanguageSwitch />
        </main>
    }
}
