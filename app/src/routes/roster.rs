//! `/supervise/roster`: assign unassigned youths, reassign selected ones, hand a whole roster
//! over (with a preview first).

use crate::components::form::{FieldMessage, Hidden, PostForm, RequestId, SelectField, TextField};
use crate::components::pager::Pager;
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::roster::api::{
    handover_preview, manage_roster, Handover, HandoverForm, Reassign, RosterPage, RosterQuery,
};
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RosterManagementPage() -> impl IntoView {
    let t = use_t();
    let (query, preview) = use_query_map().with_untracked(|m| {
        let q = RosterQuery {
            org_id: m.get("org_id").unwrap_or_default(),
            cadre_id: m.get("cadre_id").unwrap_or_default(),
            q: m.get("q").unwrap_or_default(),
            page: m.get("page").unwrap_or_default(),
        };
        // A preview asked for with the handover form (GET).
        let preview = m.get("to_cadre_id").map(|to| HandoverForm {
            request_id: String::new(),
            from_cadre_id: m.get("cadre_id").unwrap_or_default(),
            to_cadre_id: to,
            effective_on: m.get("effective_on").unwrap_or_default(),
            pairings: m.get("pairings").unwrap_or_default(),
            deactivate: m.get("deactivate").unwrap_or_default(),
        });
        (q, preview)
    });
    data_page(
        Role::SUPERVISORS,
        t.roster_admin_title,
        move || async move {
            let page = manage_roster(query).await?;
            let plan = match preview {
                Some(form) => Some((handover_preview(form.clone()).await, form)),
                None => None,
            };
            Ok((page, plan))
        },
        |(page, plan)| view! { <Roster r=page plan=plan /> },
    )
}

type Preview = Option<(
    Result<crate::roster::api::HandoverPlan, crate::error::AppError>,
    HandoverForm,
)>;

#[component]
fn Roster(r: RosterPage, plan: Preview) -> impl IntoView {
    let t = use_t();
    let whose = r
        .cadre
        .as_ref()
        .map(|c| c.id.to_string())
        .unwrap_or_default();
    let targets: Vec<(String, String)> = r
        .cadres
        .iter()
        .filter(|c| c.active && Some(c.id) != r.cadre.as_ref().map(|x| x.id))
        .map(|c| {
            (
                c.id.to_string(),
                format!("{} · {} ({})", c.name, c.org_name, c.youths),
            )
        })
        .collect();
    let link = {
        let (org, whose, q) = (r.org_id.to_string(), whose.clone(), r.q.clone());
        move |p: usize| {
            crate::components::links::query_link(
                "/supervise/roster",
                &[
                    ("org_id", &org),
                    ("cadre_id", &whose),
                    ("q", &q),
                    ("page", &p.to_string()),
                ],
                &[],
            )
        }
    };
    view! {
        <p class="small"><a href="/admin/import" data-testid="import-link">{t.import_link}</a></p>
        <form method="get" action="/supervise/roster" class="pickers" role="search">
            <select name="org_id" aria-label=t.pick_org>
                {r.orgs.iter().map(|o| {
                    let indent = "　".repeat(o.depth);
                    view! { <option value=o.id.to_string() selected=o.id == r.org_id>{format!("{indent}{}", o.name)}</option> }
                }).collect_view()}
            </select>
            <select name="cadre_id" aria-label=t.pick_cadre>
                <option value="" selected=r.cadre.is_none()>{t.unassigned_youths}</option>
                {r.cadres.iter().map(|c| {
                    let sel = r.cadre.as_ref().is_some_and(|x| x.id == c.id);
                    let label = if c.active {
                        format!("{} · {} ({})", c.name, c.org_name, c.youths)
                    } else {
                        format!("{} · {} ({}) {}", c.name, c.org_name, c.youths, t.inactive_account)
                    };
                    view! { <option value=c.id.to_string() selected=sel>{label}</option> }
                }).collect_view()}
            </select>
            <input type="search" name="q" value=r.q.clone() placeholder=t.search_name aria-label=t.search_name />
            <button type="submit">{t.show}</button>
        </form>
        {r.too_many_cadres.then(|| view! { <p class="hint">{t.too_many_cadres}</p> })}
        <section class="card">
            <h2>{match &r.cadre {
                Some(c) => fill(t.roster_of_cadre, &[("name", &c.name), ("n", &r.matching.to_string())]),
                None => fill(t.unassigned_count, &[("n", &r.matching.to_string())]),
            }}</h2>
            {let targets = targets.clone(); if r.youths.is_empty() {
                view! { <p class="hint">{t.no_youths}</p> }.into_any()
            } else {
                view! {
                    <PostForm action=Reassign::PATH id="reassign">
                        <RequestId />
                        <FieldMessage name="youth_ids" />
                        <ul class="list" data-testid="managed-youths">
                            {r.youths.iter().map(|y| view! {
                                <li>
                                    <label class="check">
                                        <input type="checkbox" name="youth_ids" value=y.id.to_string() />
                                        <span class="name">{y.name.clone()}</span>
                                    </label>
                                    <span class="muted small">{format!("{} · {}", y.phone, y.workplace)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        <SelectField name="to_cadre_id" label=t.move_to options=targets.clone() placeholder=t.choose />
                        <button type="submit" class="primary">{t.reassign_submit}</button>
                    </PostForm>
                }.into_any()
            }}
            <Pager page=r.page pages=r.pages link=link />
        </section>
        {r.cadre.clone().map(|c| {
            let from = c.id.to_string();
            // What the preview was asked with stays chosen under it.
            let asked = plan.as_ref().map(|(_, f)| f.clone());
            let successor = asked.as_ref().map(|f| f.to_cadre_id.clone()).unwrap_or_default();
            let effective_on = asked
                .as_ref()
                .map(|f| f.effective_on.clone())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| r.today.to_string());
            let pairings = asked.as_ref().is_none_or(|f| f.pairings == "true");
            let deactivate = asked.as_ref().is_some_and(|f| f.deactivate == "true");
            view! {
                <section class="card" id="handover" data-testid="handover">
                    <h2>{fill(t.handover_title, &[("name", &c.name)])}</h2>
                    <form method="get" action="/supervise/roster">
                        <Hidden name="org_id" value=r.org_id.to_string() />
                        <Hidden name="cadre_id" value=from.clone() />
                        <SelectField name="to_cadre_id" label=t.successor options=targets.clone() placeholder=t.choose value=successor />
                        <TextField name="effective_on" label=t.effective_on kind="date" value=effective_on />
                        <label class="check"><input type="checkbox" name="pairings" value="true" checked=pairings />{t.handover_pairings}</label>
                        // An account already deactivated has nothing left to deactivate.
                        {c.active.then(|| view! {
                            <label class="check"><input type="checkbox" name="deactivate" value="true" checked=deactivate />{t.handover_deactivate}</label>
                        })}
                        <button type="submit">{t.preview}</button>
                    </form>
                    {plan.clone().map(|(result, form)| match result {
                        Ok(p) => view! {
                            <div class="preview" data-testid="handover-preview">
                                <p class="lead">{p.summary.clone()}</p>
                                {(p.successor_roster > p.roster_target).then(|| view! {
                                    <p class="warn-note" role="alert" data-testid="over-target">
                                        {fill(t.handover_over_target, &[("name", &p.to_name), ("n", &p.successor_roster.to_string()), ("target", &p.roster_target.to_string())])}
                                    </p>
                                })}
                                {p.deactivate.then(|| view! { <p class="hint">{fill(t.will_deactivate, &[("name", &p.from_name)])}</p> })}
                                <PostForm action=Handover::PATH id="handover-form">
                                    <RequestId />
                                    <Hidden name="from_cadre_id" value=form.from_cadre_id.clone() />
                                    <Hidden name="to_cadre_id" value=form.to_cadre_id.clone() />
                                    <Hidden name="effective_on" value=p.effective_on.to_string() />
                                    <Hidden name="pairings" value=form.pairings.clone() />
                                    <Hidden name="deactivate" value=form.deactivate.clone() />
                                    <button type="submit" class="primary">{t.handover_confirm}</button>
                                </PostForm>
                            </div>
                        }.into_any(),
                        Err(crate::error::AppError::Invalid { fields, .. }) => view! {
                            <ul class="form-error" role="alert">
                                {fields.into_iter().map(|f| view! { <li>{f.message}</li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <crate::components::form::ErrorNote error=e /> }.into_any(),
                    })}
                </section>
            }
        })}
    }
}
