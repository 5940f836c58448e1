//! `/admin/orgs`: the organisation tree — create, rename, move, deactivate.

use crate::components::enhance::ConfirmSubmit;
use crate::components::form::{FieldMessage, Hidden, PostForm, RequestId, SelectField, TextField};
use crate::i18n::{use_t, Strings};
use crate::orgs::api::{list_orgs, CreateOrg, MoveOrg, RenameOrg, SetOrgActive};
use crate::page::data_page;
use crate::types::Role;
use crate::types::{OrgKind, OrgNode};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn OrgsPage() -> impl IntoView {
    data_page(
        Role::SYSADMINS,
        use_t().orgs_title,
        list_orgs,
        |orgs| view! { <OrgTree orgs=orgs /> },
    )
}

/// (id, indented name) of active organisations, for parent pickers.
fn parent_options(orgs: &[OrgNode], except_below: Option<&OrgNode>) -> Vec<(String, String)> {
    let mut skipping: Option<usize> = None;
    let mut out = Vec::new();
    for o in orgs {
        if let Some(depth) = skipping {
            if o.depth > depth {
                continue;
            }
            skipping = None;
        }
        if except_below.is_some_and(|x| x.id == o.id) {
            skipping = Some(o.depth);
            continue;
        }
        if o.active {
            out.push((
                o.id.to_string(),
                format!("{}{}", "　".repeat(o.depth), o.name),
            ));
        }
    }
    out
}

fn kind_options(t: &'static Strings) -> Vec<(String, String)> {
    OrgKind::ALL
        .into_iter()
        .filter(|k| *k != OrgKind::District)
        .map(|k| (k.as_str().to_owned(), k.label(t).to_owned()))
        .collect()
}

#[component]
fn OrgTree(orgs: Vec<OrgNode>) -> impl IntoView {
    let t = use_t();
    let parents = parent_options(&orgs, None);
    let default_parent = orgs.first().map(|o| o.id.to_string()).unwrap_or_default();
    let rows = orgs
        .iter()
        .map(|o| view! { <OrgRow org=o.clone() parents=parent_options(&orgs, Some(o)) /> })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t.org_new}</h2>
            <PostForm action=CreateOrg::PATH id="new-org">
                <RequestId />
                <TextField name="name" label=t.org_name required=true maxlength=60 />
                <SelectField name="kind" label=t.org_kind options=kind_options(t) placeholder=t.choose />
                <SelectField name="parent_id" label=t.org_parent options=parents value=default_parent />
                <button type="submit" class="primary">{t.org_create}</button>
            </PostForm>
        </section>
        <ul class="tree" data-testid="org-tree">{rows}</ul>
    }
}

#[component]
fn OrgRow(org: OrgNode, parents: Vec<(String, String)>) -> impl IntoView {
    let t = use_t();
    let id = org.id.to_string();
    let is_root = org.parent_id.is_none();
    // A class per depth, not an inline style: the Content-Security-Policy allows no inline styles.
    let class = format!("org depth-{}", org.depth.min(5));
    view! {
        <li class=class class:inactive=!org.active data-org-id=org.id>
            <div class="org-line">
                <span class="org-name">{org.name.clone()}</span>
                <span class="tag">{org.kind.label(t)}</span>
                {(!org.active).then(|| view! { <span class="tag muted">{t.org_inactive}</span> })}
            </div>
            {(!is_root)
                .then(|| {
                    let key = ("id", id.clone());
                    let (rename_form, move_form, active_form) = (
                        format!("rename-{id}"),
                        format!("move-{id}"),
                        format!("active-{id}"),
                    );
                    let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
                    view! {
                        <details>
                            <summary>{t.org_manage}</summary>
                            <PostForm action=RenameOrg::PATH id=rename_form key=key.clone() class="row-form">
                                <Hidden name="id" value=id1 />
                                <TextField name="name" label=t.org_new_name value=org.name.clone() required=true maxlength=60 />
                                <button type="submit">{t.org_rename}</button>
                            </PostForm>
                            <PostForm action=MoveOrg::PATH id=move_form key=key.clone() class="row-form">
                                <Hidden name="id" value=id2 />
                                <FieldMessage name="id" />
                                <SelectField
                                    name="parent_id"
                                    label=t.org_new_parent
                                    options=parents
                                    value=org.parent_id.map(|p| p.to_string()).unwrap_or_default()
                                />
                                <button type="submit">{t.org_move}</button>
                            </PostForm>
                            <PostForm action=SetOrgActive::PATH id=active_form key=key class="row-form">
                                <Hidden name="id" value=id3 />
                                <Hidden name="active" value=(!org.active).to_string() />
                                <FieldMessage name="id" />
                                {if org.active {
                                    view! {
                                        <ConfirmSubmit
                                            label=t.org_deactivate.to_string()
                                            question=t.confirm_deactivate.to_string()
                                            class="danger".to_string()
                                        />
                                    }
                                        .into_any()
                                } else {
                                    view! { <button type="submit">{t.org_reactivate}</button> }.into_any()
                                }}
                            </PostForm>
                        </details>
                    }
                })}
        </li>
    }
}
