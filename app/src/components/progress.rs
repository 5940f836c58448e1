//! An export's progress: a bar and "rows written of rows expected", then the download link.
//! Drawn by the server where the job is; while it runs, `data-poll` asks the enhancing island
//! to refresh the page's `data-live` regions every second (without JavaScript the page
//! refreshes itself), so the bar moves until the job is done or failed.

use crate::i18n::{fill, use_t};
use leptos::prelude::*;

/// How often a running export's page is asked again, in milliseconds.
const POLL_MS: &str = "1000";

#[component]
pub fn ExportProgress(
    state: &'static str,
    done: u64,
    total: u64,
    url: String,
    size: String,
) -> impl IntoView {
    let t = use_t();
    let percent = if state == "done" {
        100
    } else {
        done.saturating_mul(100)
            .checked_div(total)
            .unwrap_or(0)
            .min(99)
    };
    let state_text = match state {
        "queued" => t.job_queued,
        "running" => t.job_running,
        "done" => t.job_done,
        _ => t.job_failed,
    };
    let rows = fill(
        t.export_rows,
        &[
            ("done", &done.to_string()),
            ("total", &total.to_string()),
            ("percent", &percent.to_string()),
        ],
    );
    let working = matches!(state, "queued" | "running");
    let download = (state == "done" && !url.is_empty()).then(|| {
        let text = if size.is_empty() {
            t.export_download.to_owned()
        } else {
            format!("{} ({size})", t.export_download)
        };
        view! { <a class="button primary" href=url download="" data-testid="download">{text}</a> }
    });
    view! {
        <div class="export-progress" data-testid="progress" data-state=state data-poll=working.then_some(POLL_MS)>
            <progress max="100" value=percent.to_string() aria-label=state_text></progress>
            <span class="small">
                <span class="state">{state_text}</span>
                " · "
                <span data-testid="rows">{rows}</span>
            </span>
            {download}
        </div>
    }
}
