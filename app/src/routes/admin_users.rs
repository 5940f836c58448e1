//! `/admin/users`: create accounts, reset passwords, deactivate, and pair cadres with grassroots
//! organisations (联系点).

use crate::components::enhance::ConfirmSubmit;
use crate::components::form::{
    failed_for, FieldMessage, Hidden, PostForm, RequestId, SelectField, TextField,
};
use crate::i18n::use_t;
use crate::page::data_page;
use crate::types::{AccountRow, AccountsPage, OrgNode, Post, Role};
use crate::users::api::{
    list_accounts, AccountsQuery, CreateAccount, DeactivateAccount, PairOrg, ResetPassword,
    ResetTotp, SetRole, UnlockAccount, UnpairOrg,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map().with_untracked(|m| AccountsQuery {
        q: m.get("q").unwrap_or_default(),
        role: m.get("role").unwrap_or_default(),
        page: m.get("page").unwrap_or_default(),
    });
    data_page(
        Role::ACCOUNT_KEEPERS,
        use_t().users_title,
        move || list_accounts(query),
        |data| view! { <Accounts data=data /> },
    )
}

fn org_options(orgs: &[OrgNode], grassroots_only: bool) -> Vec<(String, String)> {
    orgs.iter()
        .filter(|o| o.active && (!grassroots_only || o.kind.is_grassroots()))
        .map(|o| {
            let indent = if grassroots_only {
                String::new()
            } else {
                "　".repeat(o.depth)
            };
            (o.id.to_string(), format!("{indent}{}", o.name))
        })
        .collect()
}

#[component]
fn Accounts(data: AccountsPage) -> impl IntoView {
    let t = use_t();
    let viewer_role = data.viewer_role;
    let roles: Vec<(String, String)> = viewer_role
        .keeps()
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label(t).to_owned()))
        .collect();
    let first_role = viewer_role.keeps().first().map_or("", |r| r.as_str());
    // The security administrator lists everyone (it assigns roles and lifts locks).
    let listed: Vec<Role> = if viewer_role == Role::Secadmin {
        Role::ALL.to_vec()
    } else {
        viewer_role.keeps().to_vec()
    };
    let posts: Vec<(String, String)> = std::iter::once((String::new(), t.post_none.to_owned()))
        .chain(
            Post::ALL
                .into_iter()
                .map(|p| (p.as_str().to_owned(), p.label(t).to_owned())),
        )
        .collect();
    let grassroots = org_options(&data.orgs, true);
    let viewer_id = data.viewer_id;
    let cards = data
        .accounts
        .into_iter()
        .map(|a| {
            let own = a.id == viewer_id;
            view! { <AccountCard account=a grassroots=grassroots.clone() viewer_role=viewer_role own=own /> }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t.user_new}</h2>
            <PostForm action=CreateAccount::PATH id="new-user">
                <RequestId />
                <TextField name="name" label=t.user_name required=true maxlength=30 />
                <TextField name="username" label=t.user_username required=true autocomplete="off" maxlength=30 />
                <TextField name="phone" label=t.user_phone kind="tel" inputmode="numeric" maxlength=11 />
                <SelectField name="role" label=t.user_role options=roles value=first_role />
                <SelectField name="org_id" label=t.user_org options=org_options(&data.orgs, false) placeholder=t.choose />
                {(viewer_role == Role::Sysadmin).then(|| view! {
                    <SelectField name="post" label=t.user_post options=posts.clone() value="full_time" />
                })}
                <TextField name="password" label=t.user_initial_password kind="password" required=true autocomplete="new-password" />
                <button type="submit" class="primary">{t.user_create}</button>
            </PostForm>
        </section>
        <form method="get" action="/admin/users" class="pickers" role="search">
            <input type="search" name="q" value=data.q.clone() placeholder=t.search_accounts aria-label=t.search_accounts />
            <select name="role" aria-label=t.user_role>
                <option value="" selected=data.role.is_empty()>{t.filter_all}</option>
                {listed.into_iter().map(|r| {
                    let sel = data.role == r.as_str();
                    view! { <option value=r.as_str() selected=sel>{r.label(t)}</option> }
                }).collect_view()}
            </select>
            <button type="submit">{t.search}</button>
        </form>
        <p class="muted small">{crate::i18n::fill(t.matching_count, &[("n", &data.matching.to_string())])}</p>
        <ul class="accounts" data-testid="accounts">{cards}</ul>
        <crate::components::pager::Pager page=data.page pages=data.pages link=move |p| crate::components::links::query_link("/admin/users", &[("q", &data.q), ("role", &data.role), ("page", &p.to_string())], &[]) />
    }
}

#[component]
fn AccountCard(
    account: AccountRow,
    grassroots: Vec<(String, String)>,
    viewer_role: Role,
    own: bool,
) -> impl IntoView {
    let t = use_t();
    let is_secadmin = viewer_role == Role::Secadmin;
    let id = account.id.to_string();
    let key = ("id", id.clone());
    let is_cadre = account.role == Role::Cadre && viewer_role == Role::Sysadmin;
    let pairings = account
        .pairings
        .iter()
        .map(|p| {
            let pid = p.id.to_string();
            view! {
                <li>
                    <span>{p.org_name.clone()}</span>
                    <PostForm action=UnpairOrg::PATH id=format!("unpair-{pid}") key=("id", pid.clone()) class="inline">
                        <Hidden name="id" value=pid.clone() />
                        <button type="submit" class="link">{t.user_unpair}</button>
                    </PostForm>
                </li>
            }
        })
        .collect_view();
    let has_pairings = !account.pairings.is_empty();
    let (pair_form, reset_form, deactivate_form) = (
        format!("pair-{id}"),
        format!("reset-{id}"),
        format!("deactivate-{id}"),
    );
    let (id1, id2, id3, id4, id5, id6) = (
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
    );
    let role_options: Vec<(String, String)> = Role::ALL
        .into_iter()
        .map(|r| (r.as_str().to_owned(), r.label(t).to_owned()))
        .collect();
    let post_options: Vec<(String, String)> = Post::ALL
        .into_iter()
        .map(|p| (p.as_str().to_owned(), p.label(t).to_owned()))
        .collect();
    let role_open = failed_for(SetRole::PATH, "id", &id);
    // A folded form that just failed opens, showing its message.
    let pair_open = failed_for(PairOrg::PATH, "cadre_id", &id);
    let manage_open = failed_for(ResetPassword::PATH, "id", &id)
        || failed_for(DeactivateAccount::PATH, "id", &id);
    view! {
        <li class="card account" class:inactive=!account.active data-username=account.username.clone()>
            <div class="account-head">
                <strong>{account.name.clone()}</strong>
                <span class="muted">{format!(" @{}", account.username)}</span>
                <span class="tag">{account.role.label(t)}</span>
                {account.post.map(|p| view! { <span class="tag">{p.label(t)}</span> })}
                {(!account.active).then(|| view! { <span class="tag muted">{t.user_inactive}</span> })}
                {account.locked.then(|| view! { <span class="tag warn" data-testid="locked">{t.user_locked}</span> })}
                {account.factor.then(|| view! { <span class="tag" data-testid="factor-on">{t.user_totp_on}</span> })}
            </div>
            {(account.locked && is_secadmin).then(|| view! {
                <PostForm action=UnlockAccount::PATH id=format!("unlock-{id4}") key=("id", id4.clone()) class="inline">
                    <Hidden name="id" value=id4.clone() />
                    <button type="submit">{t.user_unlock}</button>
                </PostForm>
            })}
            {(account.factor && is_secadmin && !own).then(|| view! {
                <PostForm action=ResetTotp::PATH id=format!("totp-reset-{id6}") key=("account_id", id6.clone()) class="inline">
                    <Hidden name="account_id" value=id6.clone() />
                    <ConfirmSubmit label=t.user_totp_reset question=t.user_totp_reset_confirm class="" />
                </PostForm>
            })}
            {(is_secadmin && !own && account.active).then(|| view! {
                <details open=role_open>
                    <summary>{t.user_assign_role}</summary>
                    <PostForm action=SetRole::PATH id=format!("role-{id5}") key=("id", id5.clone()) class="row-form">
                        <Hidden name="id" value=id5.clone() />
                        <SelectField name="role" label=t.user_role options=role_options value=account.role.as_str() />
                        <SelectField name="post" label=t.user_post options=post_options placeholder=t.post_keep />
                        <button type="submit">{t.user_assign_role}</button>
                    </PostForm>
                </details>
            })}
            <p class="muted">{account.org_name.clone()} {account.phone.clone().map(|p| format!(" · {p}"))}</p>
            {is_cadre
                .then(|| {
                    view! {
                        <div class="pairings">
                            <h3>{t.user_pairings}</h3>
                            {if has_pairings {
                                view! { <ul>{pairings}</ul> }.into_any()
                            } else {
                                view! { <p class="muted">{t.user_no_pairings}</p> }.into_any()
                            }}
                            // Folded: a page of accounts is a list to scan, not a stack of forms.
                            <details open=pair_open>
                                <summary>{t.user_add_pairing}</summary>
                                <PostForm action=PairOrg::PATH id=pair_form key=("cadre_id", id1.clone()) class="row-form">
                                    <RequestId />
                                    <Hidden name="cadre_id" value=id1.clone() />
                                    <SelectField name="org_id" label=t.user_pair_org options=grassroots placeholder=t.choose />
                                    <button type="submit">{t.user_pair}</button>
                                </PostForm>
                            </details>
                        </div>
                    }
                })}
            {(account.active && account.kept && !own)
                .then(|| {
                    view! {
                        <details open=manage_open>
                            <summary>{t.org_manage}</summary>
                            <PostForm action=ResetPassword::PATH id=reset_form key=key.clone() class="row-form">
                                <Hidden name="id" value=id2 />
                                <TextField name="new_password" label=t.user_new_password kind="password" autocomplete="new-password" />
                                <button type="submit">{t.user_reset_password}</button>
                            </PostForm>
                            <PostForm action=DeactivateAccount::PATH id=deactivate_form key=key class="row-form">
                                <Hidden name="id" value=id3 />
                                <FieldMessage name="id" />
                                <ConfirmSubmit
                                    label=t.user_deactivate.to_string()
                                    question=t.confirm_deactivate.to_string()
                                    class="danger".to_string()
                                />
                            </PostForm>
                        </details>
                    }
                })}
        </li>
    }
}
