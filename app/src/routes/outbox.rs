//! `/outbox`: the records waiting on this phone to be sent (drawn by `outbox.js` from the
//! phone's own store: the server never has them until they are sent).

use crate::i18n::use_t;
use crate::page::guard;
use crate::types::Role;
use leptos::prelude::*;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let t = use_t();
    guard(Role::ANYONE, move |viewer| {
        view! {
            <crate::components::layout::Layout viewer=viewer title=t.outbox_title>
                <p class="hint">{t.outbox_intro}</p>
                <div id="outbox-list" class="outbox-list" data-testid="outbox-list">
                    <noscript><p class="hint">{t.outbox_no_script}</p></noscript>
                </div>
                <p><button type="button" id="outbox-send" class="button" data-testid="outbox-send">{t.outbox_send_now}</button></p>
            </crate::components::layout::Layout>
        }
    })
}
