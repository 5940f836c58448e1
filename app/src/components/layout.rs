//! The mobile-first page frame: a header, the page, and a bottom navigation on phones.

use crate::auth::api::Logout;
use crate::i18n::{fill, use_t};
use crate::types::{Role, Viewer};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// The signed-in frame around a page.
#[component]
pub fn Layout(viewer: Viewer, #[prop(into)] title: String, children: Children) -> impl IntoView {
    let t = use_t();
    let nav: Vec<(&'static str, &'static str)> = match viewer.role {
        Role::Admin => vec![
            ("/supervise", t.nav_dashboard),
            ("/admin/orgs", t.nav_orgs),
            ("/admin/users", t.nav_users),
            ("/admin/policy", t.nav_policy),
            ("/admin/calendar", t.nav_calendar),
            ("/admin/reminders", t.nav_reminders),
        ],
        Role::Cadre => vec![
            ("/", t.nav_today),
            ("/youth", t.nav_youth),
            ("/visits", t.nav_visits),
            ("/suggestions", t.nav_suggestions),
            ("/study", t.nav_study),
        ],
        Role::Supervisor => vec![
            ("/supervise", t.nav_dashboard),
            ("/supervise/suggestions", t.nav_review),
            ("/supervise/exemptions", t.nav_exemptions_review),
            ("/supervise/roster", t.nav_roster),
            ("/exports", t.nav_exports),
        ],
    };
    let inbox_label = if viewer.unread > 0 {
        fill(t.unread_badge, &[("n", &viewer.unread.to_string())])
    } else {
        t.nav_inbox.to_owned()
    };
    let nav_hrefs: Vec<&'static str> = nav.iter().map(|(h, _)| *h).collect();
    let current = current_path();
    let section = format!(
        "/{}",
        current
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
    );
    let saved = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("saved").is_some());
    provide_context(crate::components::form::SavedFlag(saved));
    view! {
        <Title text=crate::markup::rcdata(&format!("{title} · {}", t.app_short)) />
        <header class="top">
            <a class="brand" href="/">{t.app_short}</a>
            <a class="inbox-link" href="/inbox" data-testid="inbox-link"
                aria-label=inbox_label>
                {t.nav_inbox}
                {(viewer.unread > 0).then(|| view! {
                    <span class="badge" data-testid="unread-badge">{if viewer.unread > 99 { "99+".to_owned() } else { viewer.unread.to_string() }}</span>
                })}
            </a>
            <a class="who" href="/settings" title=t.nav_settings>{viewer.name.clone()}</a>
            <form method="post" action=Logout::PATH class="inline">
                <button type="submit" class="link">{t.sign_out}</button>
            </form>
        </header>
        <main class="page">
            <h1>{title}</h1>
            {children()}
        </main>
        <nav class="bottom" aria-label=t.main_nav>
            {nav
                .into_iter()
                .map(|(href, label)| {
                    // The longest matching entry is the current one (/supervise/roster, not /supervise).
                    let here = section == href
                        || (href != "/"
                            && current.starts_with(href)
                            && !nav_hrefs.iter().any(|o| o.len() > href.len() && current.starts_with(o)));
                    view! {
                        <a href=href aria-current=here.then_some("page")>{label}</a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

fn current_path() -> String {
    leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
}

/// A 404 page (also what another person's record looks like: not found, whether or not it exists).
#[component]
pub fn NotFound() -> impl IntoView {
    let t = use_t();
    crate::page::set_status(404);
    view! {
        <Title text=crate::markup::rcdata(t.not_found_title) />
        <main class="page narrow">
            <h1>{t.not_found_title}</h1>
            <p>{t.not_found_body}</p>
            <p><a href="/">{t.back_home}</a></p>
        </main>
    }
}
