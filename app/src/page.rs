//! What a page needs from the request while it renders on the server. Pages render only there
//! (islands mode), so the browser build gets inert stand-ins; this is the one place for that cfg.

use crate::types::{Role, Viewer};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod imp {
    pub fn viewer() -> Option<crate::types::Viewer> {
        crate::ssr::session::request_info().viewer
    }
    pub fn locale() -> crate::i18n::Locale {
        crate::ssr::session::request_info().locale
    }
    /// A real 302 for a page request, whatever its `Accept` header says.
    pub fn redirect(path: &str) {
        if let (Some(res), Ok(location)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(path),
        ) {
            res.set_status(axum::http::StatusCode::FOUND);
            res.insert_header(axum::http::header::LOCATION, location);
        }
    }
    pub fn set_status(code: u16) {
        if let (Some(res), Ok(code)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(code),
        ) {
            res.set_status(code);
        }
    }
    pub fn demo_mode() -> bool {
        crate::ssr::state().is_ok_and(|s| s.settings.demo)
    }
    /// In demo mode, who can sign in, by role; outside it, nobody is listed.
    pub async fn demo_sign_ins() -> Vec<(crate::types::Role, Vec<String>)> {
        crate::auth::service::demo_sign_ins()
            .await
            .unwrap_or_default()
    }
    /// Whether the page is open in WeChat's in-app browser, which blocks downloads and
    /// `webcal://` links.
    pub fn in_wechat() -> bool {
        leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|p| {
            p.headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ua| ua.contains("MicroMessenger"))
        })
    }
    pub fn today() -> chrono::NaiveDate {
        crate::ssr::today()
    }
    /// Whether a right password waits for its second factor (the `/login/totp` page).
    pub fn factor_pending() -> bool {
        crate::ssr::session::request_info()
            .pending_account
            .is_some()
    }
    /// Whether this request is for a page a viewer without a required second factor may open.
    pub fn open_without_factor() -> bool {
        let path = crate::ssr::session::request_info().path;
        crate::ssr::guard::OPEN_WITHOUT_FACTOR.contains(&path.as_str())
    }
    /// The failed plain-form submission this page was sent back with: (server function, error).
    pub fn failed_form() -> Option<(String, crate::error::AppError)> {
        crate::ssr::session::request_info()
            .flash
            .map(|f| (f.path, f.error))
    }
    /// Makes the response's CSP nonce the one leptos puts on its inline scripts.
    pub fn provide_csp_nonce() {
        if let Some(n) = crate::ssr::session::request_info().csp_nonce {
            leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(n));
        }
    }
    pub fn css_href() -> String {
        crate::ssr::state()
            .map(|s| s.settings.css_href.clone())
            .unwrap_or_else(|_| "/pkg/liaison.css".to_owned())
    }
    pub fn outbox_href() -> String {
        crate::ssr::state()
            .map(|s| s.settings.outbox_href.clone())
            .unwrap_or_else(|_| "/outbox.js".to_owned())
    }
}

#[cfg(not(feature = "ssr"))]
mod imp {
    pub fn viewer() -> Option<crate::types::Viewer> {
        None
    }
    pub fn locale() -> crate::i18n::Locale {
        crate::i18n::Locale::default()
    }
    pub fn redirect(_path: &str) {}
    pub fn set_status(_code: u16) {}
    pub fn demo_mode() -> bool {
        false
    }
    pub fn today() -> chrono::NaiveDate {
        crate::rules::shanghai_date(chrono::Utc::now())
    }
    pub fn open_without_factor() -> bool {
        true
    }
    pub fn factor_pending() -> bool {
        false
    }
    pub async fn demo_sign_ins() -> Vec<(crate::types::Role, Vec<String>)> {
        Vec::new()
    }
    pub fn in_wechat() -> bool {
        false
    }
    pub fn failed_form() -> Option<(String, crate::error::AppError)> {
        None
    }
    pub fn provide_csp_nonce() {}
    pub fn css_href() -> String {
        String::new()
    }
    pub fn outbox_href() -> String {
        String::new()
    }
}

pub use imp::{
    css_href, demo_mode, demo_sign_ins, factor_pending, failed_form, in_wechat, locale,
    open_without_factor, outbox_href, provide_csp_nonce, redirect, set_status, today, viewer,
};

/// Renders a page for a signed-in viewer with one of `roles`; sends everyone else to sign in, and
/// shows a wrong role the same 404 as a page that does not exist.
pub fn guard<V: IntoView + 'static>(
    roles: &'static [Role],
    page: impl FnOnce(Viewer) -> V,
) -> AnyView {
    match viewer() {
        None => {
            redirect("/login");
            ().into_any()
        }
        // The policy asks for a second factor this account has not set up: that comes first.
        Some(v) if v.factor_missing && !open_without_factor() => {
            redirect("/settings?factor=required#totp");
            ().into_any()
        }
        Some(v) if !roles.contains(&v.role) => {
            view! { <crate::components::layout::NotFound /> }.into_any()
        }
        Some(v) => page(v).into_any(),
    }
}

/// A page that loads its data before the first byte, inside the layout; an error note if loading
/// failed.
pub fn data_page<T, Fut, V>(
    roles: &'static [Role],
    title: &'static str,
    load: impl FnOnce() -> Fut + Send + 'static,
    render: impl FnOnce(T) -> V + Send + 'static,
) -> AnyView
where
    T: Send + 'static,
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    use crate::components::{
        form::ErrorNote,
        layout::{Layout, NotFoundNote},
    };
    guard(roles, move |viewer| {
        view! {
            <Layout viewer=viewer title=title>
                <Suspense>
                    {Suspend::new(async move {
                        match load().await {
                            Ok(data) => render(data).into_any(),
                            // A record (an organisation, a cadre) outside the viewer's subtree.
                            Err(crate::error::AppError::NotFound) => view! { <NotFoundNote page=title /> }.into_any(),
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        }
                    })}
                </Suspense>
            </Layout>
        }
    })
}

/// A page about the record named by the route's `:id`. It is the same 404 whether the record does
/// not exist or is not the viewer's. `render` draws the layout itself (its title may come from
/// the record).
pub fn record_page<T, Fut, V>(
    roles: &'static [Role],
    load: impl FnOnce(String) -> Fut + Send + 'static,
    render: impl FnOnce(Viewer, T) -> V + Send + 'static,
) -> AnyView
where
    T: Send + 'static,
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    use crate::components::{
        form::ErrorNote,
        layout::{Layout, NotFound},
    };
    use crate::error::AppError;
    // The raw `:id`: the server function answers a malformed one as not found.
    let id = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let title = crate::i18n::use_t().app_short;
    guard(roles, move |viewer| {
        view! {
            <Suspense>
                {Suspend::new(async move {
                    match load(id).await {
                        Ok(data) => render(viewer, data).into_any(),
                        Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFound /> }.into_any(),
                        Err(e) => view! { <Layout viewer=viewer title=title><ErrorNote error=e /></Layout> }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}
