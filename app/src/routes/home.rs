//! `/`: the start page after signing in.

use crate::components::layout::Layout;
use crate::i18n::{fill, use_t};
use crate::page::{guard, ANYONE};
use crate::types::Role;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_t();
    guard(ANYONE, move |viewer| {
        view! {
            <Layout viewer=viewer.clone() title=t.nav_today>
                <section class="card">
                    <p class="lead">{fill(t.welcome, &[("name", &viewer.name)])}</p>
                    <dl class="facts">
                        <dt>{t.your_role}</dt>
                        <dd data-testid="role">{viewer.role.label(t)}</dd>
                        <dt>{t.your_org}</dt>
                        <dd>{viewer.org_name.clone()}</dd>
                    </dl>
                    <p class="hint">
                        {match viewer.role {
                            Role::Admin => t.home_admin_hint,
                            Role::Supervisor | Role::Cadre => t.home_cadre_hint,
                        }}
                    </p>
                </section>
            </Layout>
        }
    })
}
