//! The pages youths open without an account: `/a/<code>` (sign in at an activity) and
//! `/j/<token>` (ask to join a cadre's contact list). Chinese by default, phone-first, plain
//! forms that work without JavaScript; each shows the privacy notice its consent is given to.

use crate::activities::rules::SignIn;
use crate::components::form::{FieldMessage, Hidden, PostForm, SelectField, TextArea, TextField};
use crate::components::lang::LanguageSwitch;
use crate::error::AppError;
use crate::i18n::{fill, use_t};
use crate::public::api::{public_activity, public_cadre, Checkin, Join, JoinCadre, SignInActivity};
use crate::types::{Gender, Sector};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn param(name: &'static str) -> String {
    use_params_map()
        .with_untracked(|p| p.get(name))
        .unwrap_or_default()
}

fn done() -> bool {
    use_query_map().with_untracked(|q| q.get("done").is_some())
}

/// A public page's frame: no navigation, no account.
#[component]
fn PublicFrame(title: String, children: Children) -> impl IntoView {
    let t = use_t();
    view! {
        <Title text=crate::markup::rcdata(&format!("{title} · {}", t.app_name)) />
        <main class="page narrow public">
            <p class="app-title small">{t.app_name}</p>
            {children()}
            <LanguageSwitch />
        </main>
    }
}

/// The privacy notice and the consent box.
#[component]
fn Consent(notice: String, version: i32) -> impl IntoView {
    let t = use_t();
    view! {
        <details class="notice-text" open=true>
            <summary>{fill(t.public_notice_title, &[("version", &version.to_string())])}</summary>
            // It scrolls in its box: reachable by keyboard too.
            <div class="prose" data-testid="privacy-notice" tabindex="0" role="region" aria-label=t.public_notice_region>
                {notice.lines().map(|l| view! { <p>{l.to_owned()}</p> }).collect_view()}
            </div>
        </details>
        <div class="field">
            <label class="check">
                <input type="checkbox" name="consent" value="true" required=true />
                <span>{t.public_consent}</span>
            </label>
            <FieldMessage name="consent" />
        </div>
    }
}

fn not_found(t: &'static crate::i18n::Strings, message: &'static str) -> AnyView {
    crate::page::set_status(404);
    view! {
        <PublicFrame title=t.public_not_found.to_owned()>
            <h1>{t.public_not_found}</h1>
            <p class="hint">{message}</p>
        </PublicFrame>
    }
    .into_any()
}

/// `/a`: the code typed by hand (for a phone that cannot scan). A plain GET form: a valid code
/// goes on to its page, anything else is asked again.
#[component]
pub fn CodeEntryPage() -> impl IntoView {
    let t = use_t();
    let typed = use_query_map().with_untracked(|q| q.get("code"));
    let wrong = match typed
        .as_deref()
        .map(crate::activities::rules::normalise_code)
    {
        Some(Some(code)) => {
            crate::page::redirect(&format!("/a/{code}"));
            false
        }
        Some(None) => true,
        None => false,
    };
    view! {
        <PublicFrame title=t.signin_title.to_owned()>
            <h1>{t.signin_title}</h1>
            <form method="get" action="/a" id="code-entry">
                <div class="field" class:invalid=wrong>
                    <label for="code-entry-code">{t.signin_code_label}</label>
                    <input id="code-entry-code" name="code" type="text" autocomplete="off" autocapitalize="characters" maxlength=20 value=typed.clone().unwrap_or_default() aria-invalid=wrong.then_some("true") />
                    {wrong.then(|| view! { <p class="field-error" role="alert">{t.err_code_invalid}</p> })}
                </div>
                <button type="submit" class="primary big">{t.signin_go}</button>
            </form>
        </PublicFrame>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let t = use_t();
    let code = param("code");
    let done = done();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match public_activity(code).await {
                    Ok(a) => view! { <SignInView a=a done=done /> }.into_any(),
                    Err(AppError::NotFound) => not_found(t, t.err_code_invalid),
                    Err(e) => view! { <PublicFrame title=t.signin_title.to_owned()><crate::components::form::ErrorNote error=e /></PublicFrame> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInView(a: SignInActivity, done: bool) -> impl IntoView {
    let t = use_t();
    let when = format!("{} {}", a.date, a.start_time.clone().unwrap_or_default());
    let closed = match a.sign_in {
        SignIn::Open => None,
        SignIn::NotYet => Some(t.err_signin_not_open),
        SignIn::Over => Some(t.err_signin_over),
        SignIn::Closed => Some(t.err_signin_closed),
    };
    view! {
        <PublicFrame title=t.signin_title.to_owned()>
            <h1>{t.signin_title}</h1>
            <section class="card">
                <h2 data-testid="activity-title">{a.title.clone()}</h2>
                <p class="muted">{format!("{when} · {}", a.place)}</p>
                {(!a.organiser.is_empty()).then(|| view! { <p class="muted small">{fill(t.public_organiser, &[("org", &a.organiser)])}</p> })}
            </section>
            {if done {
                view! {
                    <section class="card done" role="status">
                        <h2 data-testid="signin-done">{t.signin_done}</h2>
                        <p>{t.signin_done_hint}</p>
                    </section>
                }.into_any()
            } else if let Some(message) = closed {
                view! { <p class="form-error" role="alert" data-testid="signin-closed">{message}</p> }.into_any()
            } else {
                view! {
                    <PostForm action=Checkin::PATH id="checkin">
                        <Hidden name="code" value=a.code.clone() />
                        <FieldMessage name="code" />
                        <TextField name="name" label=t.y_name required=true autocomplete="name" maxlength=30 />
                        <TextField name="phone" label=t.y_phone kind="tel" required=true autocomplete="tel" inputmode="tel" maxlength=20 />
                        <TextArea name="request" label=t.public_request rows=2 maxlength=500 />
                        <Consent notice=a.notice.clone() version=a.notice_version />
                        <button type="submit" class="primary big">{t.signin_button}</button>
                    </PostForm>
                }.into_any()
            }}
        </PublicFrame>
    }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let t = use_t();
    let token = param("token");
    let done = done();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match public_cadre(token).await {
                    Ok(c) => view! { <JoinView c=c done=done /> }.into_any(),
                    Err(AppError::NotFound) => not_found(t, t.public_link_invalid),
                    Err(e) => view! { <PublicFrame title=t.join_title.to_owned()><crate::components::form::ErrorNote error=e /></PublicFrame> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn JoinView(c: JoinCadre, done: bool) -> impl IntoView {
    let t = use_t();
    let months: Vec<(String, String)> = (1..=12).map(|m| (m.to_string(), m.to_string())).collect();
    view! {
        <PublicFrame title=t.join_title.to_owned()>
            <h1>{t.join_title}</h1>
            <p data-testid="join-cadre">{fill(t.join_intro, &[("name", &c.name), ("org", &c.organisation)])}</p>
            {if done {
                view! {
                    <section class="card done" role="status">
                        <h2 data-testid="join-done">{t.join_done}</h2>
                    </section>
                }.into_any()
            } else {
                view! {
                    <PostForm action=Join::PATH id="join">
                        <Hidden name="token" value=c.token.clone() />
                        <TextField name="name" label=t.y_name required=true autocomplete="name" maxlength=30 />
                        <TextField name="phone" label=t.y_phone kind="tel" required=true autocomplete="tel" inputmode="tel" maxlength=20 />
                        <SelectField name="gender" label=t.y_gender options=Gender::options(t) placeholder=t.choose />
                        <TextField name="birth_year" label=t.y_birth_year required=true inputmode="numeric" maxlength=4 />
                        <SelectField name="birth_month" label=t.y_birth_month options=months placeholder=t.choose />
                        <SelectField name="sector" label=t.y_sector options=Sector::options(t) placeholder=t.choose />
                        <TextField name="workplace" label=t.y_workplace autocomplete="organization" maxlength=100 />
                        <p class="hint">{t.join_minor_hint}</p>
                        <Consent notice=c.notice.clone() version=c.notice_version />
                        <button type="submit" class="primary big">{t.join_button}</button>
                    </PostForm>
                }.into_any()
            }}
        </PublicFrame>
    }
}
