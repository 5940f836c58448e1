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
        Role::Sysadmin => vec![
            ("/admin/orgs", t.nav_orgs),
            ("/admin/users", t.nav_users),
            ("/admin/import", t.nav_import),
            ("/admin/policy", t.nav_policy),
            ("/admin/calendar", t.nav_calendar),
            ("/admin/reminders", t.nav_reminders),
            ("/admin/privacy", t.nav_privacy),
            ("/admin/pi-requests", t.nav_pi_requests),
        ],
        Role::Secadmin => vec![
            ("/admin/security", t.nav_security),
            ("/admin/users", t.nav_users),
        ],
        Role::Auditor => vec![("/audit", t.nav_audit)],
        Role::Cadre => vec![
            ("/", t.nav_today),
            ("/youth", t.nav_youth),
            ("/activities", t.nav_activities),
            ("/visits", t.nav_visits),
            ("/suggestions", t.nav_suggestions),
            ("/study", t.nav_study),
            ("/exemptions", t.nav_exemptions),
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
    let here = current_tab(&nav, &current_path());
    // A refused submission after a save shows its error alone, not also the save's 已保存.
    let saved = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("saved").is_some())
        && crate::page::failed_form().is_none();
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
            <crate::components::outbox::OutboxBadge />
            <a class="who" href="/settings" title=t.nav_settings>{viewer.name.clone()}</a>
            <form method="post" action=Logout::PATH class="inline">
                <button type="submit" class="link">{t.sign_out}</button>
            </form>
        </header>
        <crate::components::outbox::OutboxFrame viewer=viewer.clone() t=t />
        <main class="page">
            <h1>{title}</h1>
            <crate::components::form::SavedNotice />
            {viewer.password_expired.then(|| view! {
                <p class="notice warn" role="alert" data-testid="password-expired">
                    {t.password_expired_banner} " " <a href="/settings#password">{t.password_expired_link}</a>
                </p>
            })}
            {viewer.factor_missing.then(|| view! {
                <p class="notice warn" role="alert" data-testid="factor-missing">
                    {t.factor_missing_banner} " " <a href="/settings?factor=required#totp">{t.factor_missing_link}</a>
                </p>
            })}
            {(viewer.role == Role::Cadre).then(|| view! { <crate::components::signoff::LockBanner /> })}
            {children()}
        </main>
        <nav class="bottom" aria-label=t.main_nav>
            {nav
                .into_iter()
                .map(|(href, label)| {
                    view! { <a href=href aria-current=(Some(href) == here).then_some("page")>{label}</a> }
                })
                .collect_view()}
        </nav>
    }
}

/// The tab of the page at `path`: the longest entry that is `path` or a folder above it (one tab
/// at most: `/supervise/roster` is 名单, not also 看板); pages reached from a tab count as it.
fn current_tab(nav: &[(&'static str, &'static str)], path: &str) -> Option<&'static str> {
    // Pages that belong to a tab without living under it.
    const UNDER: [(&str, &str); 4] = [
        ("/contacts", "/youth"),
        ("/outbox", "/"),
        ("/late", "/"),
        ("/supervise/late", "/supervise"),
    ];
    let path = UNDER
        .iter()
        .find(|(from, _)| within(path, from))
        .map_or(path, |(_, to)| *to);
    nav.iter()
        .map(|(href, _)| *href)
        .filter(|href| {
            if *href == "/" {
                path == "/"
            } else {
                within(path, href)
            }
        })
        .max_by_key(|href| href.len())
}

/// Whether `path` is `folder` or below it.
fn within(path: &str, folder: &str) -> bool {
    path.strip_prefix(folder)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
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

/// Not found, inside the frame of a page whose address named something that is not there or
/// not the viewer's (`/supervise?org_id=` of another street): 404, and the way back to the page
/// as it opens.
#[component]
pub fn NotFoundNote(page: &'static str) -> impl IntoView {
    let t = use_t();
    crate::page::set_status(404);
    view! {
        <section class="card" data-testid="not-found">
            <h2>{t.not_found_title}</h2>
            <p>{t.not_found_body}</p>
            <p><a class="button" href=current_path()>{fill(t.back_to_page, &[("page", page)])}</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::current_tab;

    #[test]
    fn exactly_one_tab_is_current() {
        let supervisor = [
            ("/supervise", "看板"),
            ("/supervise/suggestions", "建议审核"),
            ("/supervise/roster", "名单"),
        ];
        assert_eq!(current_tab(&supervisor, "/supervise"), Some("/supervise"));
        assert_eq!(
            current_tab(&supervisor, "/supervise/roster"),
            Some("/supervise/roster")
        );
        assert_eq!(
            current_tab(&supervisor, "/supervise/cadres/7"),
            Some("/supervise")
        );
        assert_eq!(
            current_tab(&supervisor, "/supervise/late"),
            Some("/supervise")
        );
        assert_eq!(current_tab(&supervisor, "/supervisex"), None);
        let cadre = [("/", "今天"), ("/youth", "青年"), ("/exemptions", "请假")];
        assert_eq!(current_tab(&cadre, "/"), Some("/"));
        assert_eq!(current_tab(&cadre, "/youth/3"), Some("/youth"));
        assert_eq!(current_tab(&cadre, "/contacts/new"), Some("/youth"));
        assert_eq!(current_tab(&cadre, "/late"), Some("/"));
        assert_eq!(current_tab(&cadre, "/inbox"), None);
    }
}
