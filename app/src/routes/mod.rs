//! One module per page.

pub mod admin_orgs;
pub mod admin_policy;
pub mod admin_users;
pub mod contacts;
pub mod exemptions;
pub mod home;
pub mod login;
pub mod review;
pub mod roster;
pub mod settings;
pub mod study;
pub mod suggestions;
pub mod supervise;
pub mod visits;
pub mod youth;

use crate::auth::api::SetLanguage;
use crate::i18n::{use_locale, Locale};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Buttons to switch the UI language (a plain form: works without JavaScript).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = use_locale();
    view! {
        <div class="lang-switch">
            {Locale::ALL
                .into_iter()
                .filter(|l| *l != current)
                .map(|l| {
                    view! {
                        <form method="post" action=SetLanguage::PATH class="inline">
                            <input type="hidden" name="locale" value=l.tag() />
                            <button type="submit" class="link" lang=l.tag()>{l.native_name()}</button>
                        </form>
                    }
                })
                .collect_view()}
        </div>
    }
}
