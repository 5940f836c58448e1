//! `/admin/import`: download a template, upload a filled-in file for a dry run, read its report
//! (every bad row with its line, column and reason; every duplicate), then import exactly that.

use crate::components::form::{FieldMessage, Hidden, PostForm, RequestId};
use crate::i18n::{fill, use_t};
use crate::imports::api::{get_import, ApplyImport, ImportReport, RunQuery};
use crate::page::data_page;
use crate::types::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Where the dry run is posted (a multipart upload, served by the server crate).
pub const DRY_RUN: &str = "/api/import/dry-run";
/// How many problems the page lists (the API answers them all).
const SHOWN: usize = 1000;

#[component]
pub fn ImportPage() -> impl IntoView {
    let t = use_t();
    let run = leptos_router::hooks::use_query_map().with_untracked(|m| m.get("run"));
    data_page(
        Role::IMPORTERS,
        t.import_title,
        move || async move {
            match run {
                Some(id) => get_import(RunQuery { id }).await.map(Some),
                None => Ok(None),
            }
        },
        |report| view! { <Import report=report /> },
    )
}

#[component]
fn Import(report: Option<ImportReport>) -> impl IntoView {
    let t = use_t();
    view! {
        <section class="card">
            <p class="hint">{t.import_hint}</p>
            <crate::components::links::WeChatHint />
            <p class="small">
                <a href="/import/template.xlsx" download="" data-testid="template-xlsx">{t.import_template_xlsx}</a>
                " · "
                <a href="/import/template.csv" download="" data-testid="template-csv">{t.import_template_csv}</a>
            </p>
            <PostForm action=DRY_RUN id="import" enctype="multipart/form-data">
                <div class="field">
                    <label for="import-file">{t.import_file}</label>
                    <input id="import-file" type="file" name="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" />
                    <FieldMessage name="file" />
                </div>
                <button type="submit" class="primary">{t.import_check}</button>
            </PostForm>
        </section>
        {report.map(|r| view! { <Report r=r /> })}
    }
}

#[component]
fn Report(r: ImportReport) -> impl IntoView {
    let t = use_t();
    let counts = fill(
        t.import_counts,
        &[
            ("rows", &r.rows.to_string()),
            ("create", &r.create.to_string()),
            ("update", &r.update.to_string()),
            ("unchanged", &r.unchanged.to_string()),
        ],
    );
    let clean = r.clean();
    let applied = r.status == "applied";
    let changes = r.create + r.update;
    view! {
        <section class="card" data-testid="import-report">
            <h2>{fill(t.import_report, &[("file", &r.file_name)])}</h2>
            <p class="lead" data-testid="import-counts">{counts}</p>
            <p class="muted small">{r.kind.clone()}</p>
            {(!r.errors.is_empty()).then(|| view! {
                <h3>{fill(t.import_errors, &[("n", &r.errors.len().to_string())])}</h3>
                <div class="table-wrap">
                    <table class="problems" data-testid="import-errors">
                        <thead><tr>
                            <th scope="col" class="num">{t.col_line}</th>
                            <th scope="col">{t.col_name}</th>
                            <th scope="col">{t.col_column}</th>
                            <th scope="col">{t.col_value}</th>
                            <th scope="col">{t.col_reason}</th>
                        </tr></thead>
                        <tbody>
                            {r.errors.iter().take(SHOWN).map(|e| view! {
                                <tr>
                                    <td class="num">{e.line}</td>
                                    <td>{e.name.clone()}</td>
                                    <td>{e.column.clone()}</td>
                                    <td class="value">{if e.value.is_empty() { t.empty_cell.to_owned() } else { e.value.clone() }}</td>
                                    <td>{e.message.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {(!r.duplicates.is_empty()).then(|| view! {
                <h3>{fill(t.import_duplicates, &[("n", &r.duplicates.len().to_string())])}</h3>
                <div class="table-wrap">
                    <table class="problems" data-testid="import-duplicates">
                        <thead><tr>
                            <th scope="col" class="num">{t.col_line}</th>
                            <th scope="col">{t.col_name}</th>
                            <th scope="col">{t.col_phone}</th>
                            <th scope="col">{t.col_reason}</th>
                        </tr></thead>
                        <tbody>
                            {r.duplicates.iter().take(SHOWN).map(|d| view! {
                                <tr>
                                    <td class="num">{d.line}</td>
                                    <td>{d.name.clone()}</td>
                                    <td class="value">{d.phone.clone()}</td>
                                    <td>{d.message.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {if applied {
                view! {
                    <p class="notice" data-testid="import-applied">
                        {fill(t.import_applied, &[
                            ("create", &r.create.to_string()),
                            ("update", &r.update.to_string()),
                            ("unchanged", &r.unchanged.to_string()),
                        ])}
                    </p>
                }.into_any()
            } else if !clean {
                view! { <p class="form-error" role="alert">{t.import_fix}</p> }.into_any()
            } else if changes == 0 {
                view! { <p class="hint" data-testid="import-nothing">{t.import_nothing}</p> }.into_any()
            } else {
                view! {
                    <PostForm action=ApplyImport::PATH id="apply">
                        <RequestId />
                        <Hidden name="id" value=r.id.to_string() />
                        <button type="submit" class="primary">
                            {fill(t.import_apply, &[("create", &r.create.to_string()), ("update", &r.update.to_string())])}
                        </button>
                    </PostForm>
                }.into_any()
            }}
        </section>
    }
}
