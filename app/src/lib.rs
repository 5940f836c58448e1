//! Liaison (团干部直接联系青年管理系统): the Leptos application — pages, server functions and the
//! types they share. Built with `ssr` for the server and with `hydrate` for the browser's islands.

// A page's view is one nested type; the dashboard's is deeper than the default limit allows
// when the release build lays it out.
#![recursion_limit = "256"]

pub mod activities;
pub mod audit;
pub mod auth;
pub mod compliance;
pub mod components;
pub mod contacts;
pub mod enrol;
pub mod error;
pub mod exemptions;
pub mod exports;
pub mod i18n;
pub mod imports;
pub mod late;
pub mod markup;
pub mod model;
pub mod orgs;
pub mod page;
pub mod pirequests;
pub mod policy;
pub mod privacy;
pub mod public;
pub mod reminders;
pub mod roster;
pub mod routes;
pub mod rules;
pub mod security;
pub mod signoff;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod study;
pub mod suggestions;
pub mod supervise;
pub mod today;
pub mod totp;
pub mod types;
pub mod users;
pub mod visits;
pub mod youth;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = page::locale();
    provide_context(locale);
    // Before anything renders: leptos reads it for every inline script it writes.
    page::provide_csp_nonce();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#c8102e" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <meta name="apple-mobile-web-app-capable" content="yes" />
                <meta name="apple-mobile-web-app-title" content=locale.strings().app_short />
                <link rel="stylesheet" href=page::css_href() />
                // Before the islands' module: the enhanced forms hand it what the network refused.
                <script src=page::outbox_href() defer nonce=leptos::nonce::use_nonce()></script>
                <HydrationScripts options=options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Pages wait for their data before the first byte (SsrMode::Async): a phone without
    // JavaScript gets complete HTML, never a streamed fragment that needs a script to show.
    view! {
        <Router>
            <Routes fallback=|| view! { <components::layout::NotFound /> }>
                <Route path=path!("/login") view=routes::login::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/totp") view=routes::login::TotpPage ssr=SsrMode::Async />
                <Route path=path!("/") view=routes::home::HomePage ssr=SsrMode::Async />
                <Route path=path!("/admin/orgs") view=routes::admin_orgs::OrgsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users") view=routes::admin_users::UsersPage ssr=SsrMode::Async />
                <Route path=path!("/settings") view=routes::settings::SettingsPage ssr=SsrMode::Async />
                <Route path=path!("/youth") view=routes::youth::RosterPage ssr=SsrMode::Async />
                <Route path=path!("/youth/new") view=routes::youth::NewYouthPage ssr=SsrMode::Async />
                <Route path=path!("/youth/:id") view=routes::youth::YouthPage ssr=SsrMode::Async />
                <Route path=path!("/youth/:id/edit") view=routes::youth::EditYouthPage ssr=SsrMode::Async />
                <Route path=path!("/contacts/new") view=routes::contacts::NewContactPage ssr=SsrMode::Async />
                <Route path=path!("/contacts/:id/edit") view=routes::contacts::EditContactPage ssr=SsrMode::Async />
                <Route path=path!("/visits") view=routes::visits::VisitsPage ssr=SsrMode::Async />
                <Route path=path!("/visits/:id") view=routes::visits::VisitPage ssr=SsrMode::Async />
                <Route path=path!("/suggestions") view=routes::suggestions::SuggestionsPage ssr=SsrMode::Async />
                <Route path=path!("/suggestions/:id") view=routes::suggestions::SuggestionPage ssr=SsrMode::Async />
                <Route path=path!("/study") view=routes::study::StudyPage ssr=SsrMode::Async />
                <Route path=path!("/exemptions") view=routes::exemptions::ExemptionsPage ssr=SsrMode::Async />
                <Route path=path!("/late") view=routes::late::LatePage ssr=SsrMode::Async />
                <Route path=path!("/requests") view=routes::requests::RequestsPage ssr=SsrMode::Async />
                <Route path=path!("/outbox") view=routes::outbox::OutboxPage ssr=SsrMode::Async />
                <Route path=path!("/supervise") view=routes::supervise::DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/supervise/cadres/:id") view=routes::supervise::CadreDrillPage ssr=SsrMode::Async />
                <Route path=path!("/supervise/suggestions") view=routes::review::ReviewQueuePage ssr=SsrMode::Async />
                <Route path=path!("/supervise/exemptions") view=routes::exemptions::ExemptionReviewPage ssr=SsrMode::Async />
                <Route path=path!("/supervise/late") view=routes::late::LateReviewPage ssr=SsrMode::Async />
                <Route path=path!("/supervise/signoff") view=routes::signoff::SignoffPage ssr=SsrMode::Async />
                <Route path=path!("/supervise/roster") view=routes::roster::RosterManagementPage ssr=SsrMode::Async />
                <Route path=path!("/admin/policy") view=routes::admin_policy::PolicyPage ssr=SsrMode::Async />
                <Route path=path!("/admin/calendar") view=routes::admin_policy::CalendarPage ssr=SsrMode::Async />
                <Route path=path!("/admin/reminders") view=routes::admin_reminders::RemindersPage ssr=SsrMode::Async />
                <Route path=path!("/exports") view=routes::exports::ExportsPageView ssr=SsrMode::Async />
                <Route path=path!("/admin/import") view=routes::import::ImportPage ssr=SsrMode::Async />
                <Route path=path!("/inbox") view=routes::inbox::InboxPage ssr=SsrMode::Async />
                <Route path=path!("/audit") view=routes::audit::AuditPageView ssr=SsrMode::Async />
                <Route path=path!("/admin/security") view=routes::admin_security::SecurityPage ssr=SsrMode::Async />
                <Route path=path!("/admin/privacy") view=routes::admin_privacy::PrivacyPage ssr=SsrMode::Async />
                <Route path=path!("/admin/pi-requests") view=routes::admin_pi_requests::PiRequestsPage ssr=SsrMode::Async />
                <Route path=path!("/activities") view=routes::activities::ActivitiesListPage ssr=SsrMode::Async />
                <Route path=path!("/activities/friends") view=routes::activities::FriendsPage ssr=SsrMode::Async />
                <Route path=path!("/activities/:id") view=routes::activities::ActivityPage ssr=SsrMode::Async />
                <Route path=path!("/a") view=routes::public::CodeEntryPage ssr=SsrMode::Async />
                <Route path=path!("/a/:code") view=routes::public::SignInPage ssr=SsrMode::Async />
                <Route path=path!("/j/:token") view=routes::public::JoinPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// The browser entry: wake up the islands in the server-rendered page. (No panic hook: its
/// formatting machinery would double the bundle; a panic shows as `unreachable` in the console.)
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
