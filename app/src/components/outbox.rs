//! The outbox's contract between the server, the pages and the service worker (`public/outbox.js`,
//! `public/sw.js`): which forms may wait on a phone without signal, where they are replayed, and
//! the words the browser shows, in the viewer's language.

use crate::i18n::Strings;
use crate::types::Viewer;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Where a phone sends the records that waited in its outbox (a batch in one request).
pub const REPLAY_PATH: &str = "/api/outbox/replay";
/// The service worker: from the site root, so its scope is the whole site.
pub const WORKER_PATH: &str = "/sw.js";
/// The page's outbox script (also loaded by the worker).
pub const SCRIPT_PATH: &str = "/outbox.js";
/// The most records one replay carries.
pub const BATCH: usize = 25;

/// The cadre's writes that may wait in the outbox, each with what the outbox list calls it.
/// Every one carries a request id, so a record sent twice (its answer lost) is stored once.
pub fn queued(t: &Strings) -> [(&'static str, &'static str); 7] {
    [
        (crate::contacts::api::LogContact::PATH, t.contact_title),
        (crate::visits::api::LogVisit::PATH, t.visit_new),
        (
            crate::suggestions::api::SubmitSuggestion::PATH,
            t.suggestion_new,
        ),
        (crate::study::api::LogStudy::PATH, t.study_new),
        (
            crate::exemptions::api::RequestExemption::PATH,
            t.exemption_new,
        ),
        (crate::youth::api::CreateYouth::PATH, t.add_youth),
        (crate::activities::api::CreateActivity::PATH, t.activity_new),
    ]
}

/// Whether `path` is a write that may wait in the outbox.
pub fn is_queued(path: &str) -> bool {
    queued(crate::i18n::Locale::default().strings())
        .iter()
        .any(|(p, _)| *p == path)
}

/// What `outbox.js` reads from the page: the account, the queued forms, the words.
fn config(viewer: &Viewer, t: &Strings) -> String {
    let queued: serde_json::Map<String, serde_json::Value> = queued(t)
        .iter()
        .map(|(p, l)| ((*p).to_owned(), (*l).into()))
        .collect();
    let text = serde_json::json!({
        "kept": t.outbox_kept,
        "badge": t.outbox_badge,
        "empty": t.outbox_empty,
        "state_pending": t.outbox_state_pending,
        "state_invalid": t.outbox_state_invalid,
        "state_held": t.outbox_state_held,
        "refused": t.outbox_refused,
        "fix": t.outbox_fix,
        "fixing": t.outbox_fixing,
        "delete": t.outbox_delete,
        "delete_confirm": t.outbox_delete_confirm,
        "stale": t.outbox_stale,
        "age_now": t.outbox_age_now,
        "age_minutes": t.outbox_age_minutes,
        "age_hours": t.outbox_age_hours,
        "age_days": t.outbox_age_days,
        "signout_title": t.outbox_signout_title,
        "signout_pending": t.outbox_signout_pending,
        "signout_note": t.outbox_signout_note,
        "signout_send": t.outbox_signout_send,
        "signout_keep": t.outbox_signout_keep,
        "signout_delete": t.outbox_signout_delete,
        "signout_delete_confirm": t.outbox_signout_delete_confirm,
        "signout_left": t.outbox_signout_left,
        "signout_offline": t.outbox_signout_offline,
        "signout_needs_signal": t.outbox_signout_needs_signal,
        "cancel": t.cancel,
    });
    serde_json::json!({
        "account": viewer.id.to_string(),
        "worker": WORKER_PATH,
        "logout": crate::auth::api::Logout::PATH,
        "queued": queued,
        "text": text,
    })
    .to_string()
}

/// The header's part of the outbox: 待发送 N, drawn by the script from the phone's store (hidden
/// while nothing waits).
#[component]
pub fn OutboxBadge() -> impl IntoView {
    view! { <a id="outbox-badge" class="outbox-badge" href="/outbox" data-testid="outbox-badge" hidden></a> }
}

/// Under the header: the 离线 note (shown by the script without signal, or on a page the worker
/// served from its cache) and the script's configuration. On every signed-in page: whoever signs
/// in next on this phone makes the script drop the last account's pages from the cache.
#[component]
pub fn OutboxFrame(viewer: Viewer, t: &'static Strings) -> impl IntoView {
    let config = config(&viewer, t);
    view! {
        <p id="offline-note" class="offline-note" data-testid="offline-note" role="status" hidden>{t.outbox_offline_note}</p>
        <div id="outbox-config" data-config=config hidden></div>
    }
}
