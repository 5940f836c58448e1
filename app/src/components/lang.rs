//! The language switch.

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
