//! `/exports`: choose an organisation, a quarter and a format; the export runs in the
//! background and its progress bar moves (with JavaScript the list refreshes in place; without,
//! the page refreshes itself); then a download link. Jobs are kept 7 days.

use crate::components::form::{PostForm, RequestId, SelectField};
use crate::components::progress::ExportProgress;
use crate::exports::api::{list_exports, CreateExport, ExportJob, ExportsPage};
use crate::exports::ExportFormat;
use crate::i18n::{fill, use_t, Strings};
use crate::page::data_page;
use crate::reminders::rules::local;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ExportsPageView() -> impl IntoView {
    let t = use_t();
    data_page(Role::SUPERVISORS, t.exports_title, list_exports, |d| {
        view! { <Exports d=d /> }
    })
}

fn quarter_label(key: &str, t: &Strings) -> String {
    crate::rules::Quarter::parse(key).map_or_else(|| key.to_owned(), |q| q.label(t))
}

fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (b / 1024.0).max(1.0))
    }
}

#[component]
fn Exports(d: ExportsPage) -> impl IntoView {
    let t = use_t();
    let working = d.jobs.iter().any(|j| j.status.state.active());
    let orgs: Vec<(String, String)> = d
        .orgs
        .iter()
        .map(|o| {
            (
                o.id.to_string(),
                format!("{}{}", "　".repeat(o.depth), o.name),
            )
        })
        .collect();
    let quarters: Vec<(String, String)> = d
        .quarters
        .iter()
        .map(|q| (q.clone(), quarter_label(q, t)))
        .collect();
    let this_quarter = d.quarters.first().cloned().unwrap_or_default();
    // `/exports?org_id=…` (the dashboard's link) chooses the organisation it came from.
    let org = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("org_id"))
        .filter(|id| d.orgs.iter().any(|o| o.id.to_string() == *id))
        .unwrap_or_else(|| d.own_org.to_string());
    view! {
        // Without JavaScript the page refreshes itself while an export runs; with it, the
        // progress bars move by themselves.
        {working.then(|| view! { <noscript><meta http-equiv="refresh" content="2" /></noscript> })}
        <section class="card">
            <h2>{t.export_new}</h2>
            <p class="hint">{t.export_hint}</p>
            <crate::components::links::WeChatHint />
            <PostForm action=CreateExport::PATH id="export">
                <RequestId />
                <SelectField name="org_id" label=t.pick_org options=orgs value=org />
                <SelectField name="quarter" label=t.pick_quarter options=quarters value=this_quarter />
                <fieldset class="field choices">
                    <legend>{t.export_format}</legend>
                    {ExportFormat::ALL.into_iter().enumerate().map(|(i, f)| view! {
                        <label class="choice">
                            <input type="radio" name="format" value=f.as_str() checked=i == 0 />
                            {f.label()}
                        </label>
                    }).collect_view()}
                    <crate::components::form::FieldMessage name="format" />
                </fieldset>
                <button type="submit" class="primary">{t.export_start}</button>
            </PostForm>
        </section>
        <section class="card">
            <h2>{t.export_mine}</h2>
            // Refreshed in place while a job runs (`data-poll` in its progress).
            <crate::components::form::Enhanced>
                <div data-live="exports">
                    {if d.jobs.is_empty() {
                        view! { <p class="hint">{t.export_none}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="list exports" data-testid="exports">
                                {d.jobs.into_iter().map(|j| view! { <JobItem j=j /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                </div>
            </crate::components::form::Enhanced>
        </section>
    }
}

#[component]
fn JobItem(j: ExportJob) -> impl IntoView {
    let t = use_t();
    let s = j.status.clone();
    let title = format!(
        "{} · {} · {}",
        j.org_name,
        &quarter_label(&j.quarter, t),
        j.format.label()
    );
    let when = local(j.created_at).format("%m-%d %H:%M").to_string();
    let expires = local(j.expires_at).format("%Y-%m-%d").to_string();
    let counts = (!j.counts.is_empty()).then(|| {
        j.counts
            .iter()
            .map(|(sheet, n)| format!("{sheet} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    });
    view! {
        <li class="export-job" data-job=s.id.to_string() data-state=s.state.as_str()>
            <span class="full"><strong>{title}</strong></span>
            <span class="small muted full">{format!("{when} · {}", fill(t.export_expires, &[("date", &expires)]))}</span>
            <ExportProgress
                state=s.state.as_str()
                done=s.done
                total=s.total
                url=s.url.clone().unwrap_or_default()
                size=j.file_size.map(size).unwrap_or_default()
            />
            {counts.map(|c| view! { <span class="small muted full" data-testid="counts">{c}</span> })}
        </li>
    }
}
