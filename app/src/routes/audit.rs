//! `/audit`: the audit trail for auditors — filters (actor, event, object, result, dates), pages
//! of 50 newest first, the CSV export of the filtered rows, and the chain's verification.

use crate::audit::api::{list_audit, verify_audit, AuditPage, AuditQuery, AuditRow, ChainReport};
use crate::components::links::query_link;
use crate::i18n::{fill, use_t};
use crate::page::data_page;
use crate::reminders::rules::local;
use crate::types::Role;
use leptos::prelude::*;

#[component]
pub fn AuditPageView() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map().with_untracked(|m| AuditQuery {
        actor: m.get("actor").unwrap_or_default(),
        event: m.get("event").unwrap_or_default(),
        object: m.get("object").unwrap_or_default(),
        result: m.get("result").unwrap_or_default(),
        from: m.get("from").unwrap_or_default(),
        to: m.get("to").unwrap_or_default(),
        page: m.get("page").unwrap_or_default(),
    });
    // `?verify=1` (the verify button) walks the chain as the page loads.
    let verify =
        leptos_router::hooks::use_query_map().with_untracked(|m| m.get("verify").is_some());
    data_page(
        Role::AUDITORS,
        use_t().audit_title,
        move || async move {
            let page = list_audit(query).await?;
            let report = if verify {
                Some(verify_audit().await?)
            } else {
                None
            };
            Ok((page, report))
        },
        move |(data, report)| view! { <Trail data=data report=report /> },
    )
}

#[component]
fn Trail(data: AuditPage, report: Option<ChainReport>) -> impl IntoView {
    let t = use_t();
    let q = data.query.clone();
    let pairs = q.pairs();
    let current: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let csv = query_link("/audit/export.csv", &current, &[]);
    let newer = (data.page > 1).then(|| {
        query_link(
            "/audit",
            &current,
            &[("page", &(data.page - 1).to_string())],
        )
    });
    let older = data.has_next.then(|| {
        query_link(
            "/audit",
            &current,
            &[("page", &(data.page + 1).to_string())],
        )
    });
    let result_options = [
        ("", t.audit_any),
        ("success", t.audit_success),
        ("failure", t.audit_failure),
    ];
    let rows = data.rows.clone();
    view! {
        {report.map(|r| view! { <VerifiedNote report=r /> })}
        <form method="get" action="/audit" class="card filters" role="search" data-testid="audit-filters">
            <div class="field">
                <label for="audit-actor">{t.audit_actor}</label>
                <input id="audit-actor" name="actor" value=q.actor.clone() autocomplete="off" maxlength=30 />
            </div>
            <div class="field">
                <label for="audit-event">{t.audit_event}</label>
                <input id="audit-event" name="event" value=q.event.clone() list="audit-events" autocomplete="off" maxlength=64 />
                <datalist id="audit-events">
                    {data.events.iter().map(|e| view! { <option value=e.clone()></option> }).collect_view()}
                </datalist>
            </div>
            <div class="field">
                <label for="audit-object">{t.audit_object}</label>
                <input id="audit-object" name="object" value=q.object.clone() placeholder="account:12" autocomplete="off" maxlength=64 />
            </div>
            <div class="field">
                <label for="audit-result">{t.audit_result}</label>
                <select id="audit-result" name="result">
                    {result_options.into_iter().map(|(v, label)| {
                        let sel = q.result == v;
                        view! { <option value=v selected=sel>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">{t.audit_from}</label>
                <input id="audit-from" type="date" name="from" value=q.from.clone() />
            </div>
            <div class="field">
                <label for="audit-to">{t.audit_to}</label>
                <input id="audit-to" type="date" name="to" value=q.to.clone() />
            </div>
            <div class="row-actions">
                <button type="submit" class="primary">{t.audit_filter}</button>
                <a class="button" href=csv data-testid="audit-csv">{t.audit_export_csv}</a>
            </div>
        </form>
        {if rows.is_empty() {
            view! { <p class="hint" data-testid="audit-empty">{t.audit_none}</p> }.into_any()
        } else {
            view! {
                <ul class="audit-rows" data-testid="audit-rows">
                    {rows.into_iter().map(|r| view! { <Line r=r /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <nav class="pager" aria-label=t.pages>
            {newer.map(|h| view! { <a href=h rel="prev">{t.audit_newer}</a> })}
            <span>{fill(t.audit_page_of, &[("page", &data.page.to_string())])}</span>
            {older.map(|h| view! { <a href=h rel="next" data-testid="audit-older">{t.audit_older}</a> })}
        </nav>
        <section class="card">
            <h2>{t.audit_verify}</h2>
            <p class="hint">{t.audit_verify_hint}</p>
            <form method="get" action="/audit">
                <input type="hidden" name="verify" value="1" />
                <button type="submit" data-testid="audit-verify">{t.audit_verify}</button>
            </form>
        </section>
    }
}

/// What walking the chain found.
#[component]
fn VerifiedNote(report: ChainReport) -> impl IntoView {
    let t = use_t();
    match report.broken {
        None => view! { <p class="notice" role="status" data-testid="audit-chain" data-ok="true">{fill(t.audit_chain_ok, &[("n", &report.rows.to_string())])}</p> }
            .into_any(),
        Some(what) => view! { <p class="notice warn" role="alert" data-testid="audit-chain" data-ok="false">{fill(t.audit_chain_broken, &[("what", &what)])}</p> }
            .into_any(),
    }
}

#[component]
fn Line(r: AuditRow) -> impl IntoView {
    let t = use_t();
    let failed = r.result == "failure";
    let role = Role::parse(&r.role).map_or(r.role.clone(), |x| x.label(t).to_owned());
    view! {
        <li class="card audit-row" data-seq=r.seq data-event=r.event.clone() data-result=r.result.clone()>
            <div class="audit-head">
                <time datetime=r.at.to_rfc3339()>{local(r.at).format("%Y-%m-%d %H:%M:%S").to_string()}</time>
                <strong>{r.event.clone()}</strong>
                <span class="tag" class:bad=failed>{if failed { t.audit_failure } else { t.audit_success }}</span>
            </div>
            <p class="small">
                {if r.actor.is_empty() { "—".to_owned() } else { format!("{} · {role}", r.actor) }}
                {(!r.ip.is_empty()).then(|| format!(" · {}", r.ip))}
            </p>
            <p class="small muted">
                // One record's trail of the same event (every reveal of one youth) is a tap away.
                {if r.object.contains(':') {
                    let href = format!("/audit?event={}&object={}", r.event, r.object);
                    view! { <a href=href data-testid="audit-object">{r.object.clone()}</a> }.into_any()
                } else {
                    view! { <span data-testid="audit-object">{r.object.clone()}</span> }.into_any()
                }}
                {(!r.details.is_empty()).then(|| format!(" · {}", r.details))}
            </p>
        </li>
    }
}
