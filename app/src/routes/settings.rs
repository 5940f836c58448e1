//! `/settings`: password and language.

use super::LanguageSwitch;
use crate::auth::api::ChangePassword;
use crate::components::form::{PostForm, TextField};
use crate::components::layout::Layout;
use crate::i18n::use_t;
use crate::page::{guard, ANYONE};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_t();
    let done = use_query_map().with_untracked(|q| q.get("done"));
    guard(ANYONE, move |viewer| {
        view! {
            <Layout viewer=viewer title=t.settings_title>
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
            </Layout>
        }
    })
}
