//! `/supervise/signoff`: a quarter's sign-off across the viewer's subtree. Each organisation
//! that signs off, with its state, who approved it and when, what still blocks it, and the
//! actions (approve with a comment; reopen with a reason).

use crate::components::enhance::ConfirmSubmit;
use crate::components::form::{Hidden, PostForm, RequestId, TextArea};
use crate::components::late::LateList;
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::signoff::api::{
    signoff_board, ApproveQuarter, OrgLine, ReopenQuarter, SignoffStatus, StatusQuery,
};
use crate::types::{Role, SignoffState};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn state_class(state: &str) -> &'static str {
    match SignoffState::parse(state) {
        Some(SignoffState::Open) | None => "light warn",
        Some(_) => "light ok",
    }
}

fn state_label(state: &str, t: &crate::i18n::Strings) -> &'static str {
    SignoffState::parse(state).map_or("-", |s| s.label(t))
}

#[component]
pub fn SignoffPage() -> impl IntoView {
    let t = use_t();
    let query = use_query_map().with_untracked(|m| StatusQuery {
        org_id: m.get("org").unwrap_or_default(),
        quarter: m.get("quarter").unwrap_or_default(),
    });
    data_page(
        Role::SUPERVISORS,
        t.signoff_title,
        move || signoff_board(query),
        |s| view! { <Board status=s /> },
    )
}

#[component]
fn Board(status: SignoffStatus) -> impl IntoView {
    let t = use_t();
    let quarter = status.quarter.clone();
    let choices = status.quarters.clone();
    let chosen = status.quarter.clone();
    let org_id = status.org_id.to_string();
    let stamp = status.approved_by.clone().map(|name| {
        let date = status
            .approved_at
            .map(|a| crate::rules::shanghai_date(a).to_string())
            .unwrap_or_default();
        fill(
            t.signoff_stamp,
            &[
                ("state", state_label(&status.state, t)),
                ("name", &name),
                ("date", &date),
            ],
        )
    });
    let blocking: Vec<String> = status.blocking.iter().map(|o| o.org_name.clone()).collect();
    view! {
        <form method="get" action="/supervise/signoff" class="search" role="search">
            <input type="hidden" name="org" value=org_id />
            <label class="inline">
                {t.signoff_quarter}
                <select name="quarter">
                    {choices.into_iter().map(|q| {
                        let selected = q == chosen;
                        view! { <option value=q.clone() selected=selected>{q.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">{t.show}</button>
        </form>
        <section class="card" data-testid="signoff-summary">
            <h2>{format!("{} · {}", status.org_name, status.quarter)}</h2>
            <p>
                <span class=state_class(&status.state) data-testid="signoff-state">{state_label(&status.state, t)}</span>
                {stamp.map(|s| view! { " " <span class="small" data-testid="signoff-stamp">{s}</span> })}
            </p>
            {status.comment.clone().filter(|c| !c.is_empty()).map(|c| view! { <p class="small muted">{format!("{}：{c}", t.signoff_comment)}</p> })}
            {(!status.ended).then(|| view! { <p class="hint">{t.signoff_not_ended}</p> })}
            {(!blocking.is_empty()).then(|| view! {
                <p class="hint" data-testid="signoff-blocking">{fill(t.signoff_blocking, &[("names", &blocking.join("、"))])}</p>
            })}
            {(status.approved_by.is_some()).then(|| {
                let n = status.changes_since;
                view! {
                    <h3 data-testid="signoff-changes">{fill(t.signoff_changes, &[("n", &n.to_string())])}</h3>
                    {(n > 0).then(|| view! { <LateList items=status.changes.clone() cadres=true /> })}
                }
            })}
        </section>
        {if status.orgs.is_empty() {
            view! { <p class="hint">{t.signoff_none}</p> }.into_any()
        } else {
            view! {
                <ul class="list" data-testid="signoff-orgs">
                    {status.orgs.into_iter().map(|o| view! { <Line line=o quarter=quarter.clone() /> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn Line(line: OrgLine, quarter: String) -> impl IntoView {
    let t = use_t();
    let id = line.org_id.to_string();
    let blocking: Vec<String> = line.blocking.iter().map(|o| o.org_name.clone()).collect();
    let by = match (&line.approved_by, line.approved_on) {
        (Some(name), Some(on)) => Some(format!("{name} · {on}")),
        _ => None,
    };
    let depth = format!("org depth-{}", line.depth.min(5));
    view! {
        <li class=depth data-org=line.org_id data-state=line.state.clone()>
            <a href=format!("/supervise/signoff?org={}&quarter={}", line.org_id, quarter)><strong>{line.org_name.clone()}</strong></a>
            " "
            <span class=state_class(&line.state)>{state_label(&line.state, t)}</span>
            {by.map(|b| view! { <span class="small full muted">{format!("{}：{b}", t.signoff_by)}</span> })}
            {line.comment.clone().map(|c| view! { <span class="small full muted">{format!("{}：{c}", t.signoff_comment)}</span> })}
            {(!blocking.is_empty()).then(|| view! {
                <span class="small full">{fill(t.signoff_blocking, &[("names", &blocking.join("、"))])}</span>
            })}
            {line.can_approve.then(|| {
                let (id, q) = (id.clone(), quarter.clone());
                view! {
                    <PostForm action=ApproveQuarter::PATH id=format!("approve-{id}") key=("org_id", id.clone()) class="row-form full">
                        <RequestId />
                        <Hidden name="org_id" value=id.clone() />
                        <Hidden name="quarter" value=q />
                        <TextArea name="comment" label=t.signoff_comment rows=2 maxlength=500 />
                        <button type="submit" class="primary">{t.signoff_approve}</button>
                    </PostForm>
                }
            })}
            {line.can_reopen.then(|| {
                let (id, q) = (id.clone(), quarter.clone());
                view! {
                    <details class="full">
                        <summary>{t.signoff_reopen}</summary>
                        <PostForm action=ReopenQuarter::PATH id=format!("reopen-{id}") key=("org_id", id.clone()) class="row-form">
                            <RequestId />
                            <Hidden name="org_id" value=id.clone() />
                            <Hidden name="quarter" value=q />
                            <TextArea name="reason" label=t.signoff_reopen_reason rows=2 maxlength=500 />
                            <ConfirmSubmit label=t.signoff_reopen.to_string() question=t.signoff_reopen_confirm.to_string() class="danger".to_string() />
                        </PostForm>
                    </details>
                }
            })}
        </li>
    }
}
