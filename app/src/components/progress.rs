//! An export's progress: a bar and "rows written of rows expected", then the download link.
//! The server renders where the job is; in the browser the island asks
//! `/api/exports/status` every second until the job is done or failed.

use leptos::prelude::*;

/// `labels`: queued, running, done, failed, the rows template (`{done}`, `{total}`,
/// `{percent}`), the download link's text.
#[island]
pub fn ExportProgress(
    id: i64,
    state: String,
    done: u64,
    total: u64,
    url: String,
    size: String,
    labels: Vec<String>,
) -> impl IntoView {
    let (state, set_state) = signal(state);
    let (done, set_done) = signal(done);
    let (total, set_total) = signal(total);
    let (url, set_url) = signal(url);
    let label = move |i: usize| labels.get(i).cloned().unwrap_or_default();
    let percent = move || {
        let s = state.get();
        if s == "done" {
            100
        } else if total.get() == 0 {
            0
        } else {
            (done.get().saturating_mul(100) / total.get()).min(99)
        }
    };
    #[cfg(feature = "hydrate")]
    {
        if matches!(state.get_untracked().as_str(), "queued" | "running") {
            leptos::task::spawn_local(browser::poll(id, set_state, set_done, set_total, set_url));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, set_state, set_done, set_total, set_url);
    let labels_for_state = label.clone();
    let state_text = move || {
        let i = match state.get().as_str() {
            "queued" => 0,
            "running" => 1,
            "done" => 2,
            _ => 3,
        };
        labels_for_state(i)
    };
    let rows_template = label(4);
    let download = label(5);
    let rows = move || {
        rows_template
            .replace("{done}", &done.get().to_string())
            .replace("{total}", &total.get().to_string())
            .replace("{percent}", &percent().to_string())
    };
    view! {
        <div class="export-progress" data-testid="progress" data-state=move || state.get()>
            <progress max="100" value=move || percent().to_string() aria-label=state_text.clone()></progress>
            <span class="small">
                <span class="state">{state_text}</span>
                " · "
                <span data-testid="rows">{rows}</span>
            </span>
            {move || {
                let u = url.get();
                (state.get() == "done" && !u.is_empty()).then(|| {
                    let text = if size.is_empty() { download.clone() } else { format!("{download} ({size})") };
                    view! { <a class="button primary" href=u download="" data-testid="download">{text}</a> }
                })
            }}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Promise, Reflect, JSON};
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{RequestInit, Response};

    async fn sleep(ms: i32) {
        let p = Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = JsFuture::from(p).await;
    }

    async fn status(id: i64) -> Result<JsValue, JsValue> {
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&format!("id={id}").into());
        let headers = web_sys::Headers::new()?;
        headers.set("Content-Type", "application/x-www-form-urlencoded")?;
        headers.set("Accept", "application/json")?;
        init.set_headers(&headers);
        let res: Response =
            JsFuture::from(window().fetch_with_str_and_init("/api/exports/status", &init))
                .await?
                .dyn_into()?;
        if !res.ok() {
            return Err(JsValue::NULL);
        }
        let text = JsFuture::from(res.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        JSON::parse(&text)
    }

    fn get(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    }

    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub async fn poll(
        id: i64,
        set_state: WriteSignal<String>,
        set_done: WriteSignal<u64>,
        set_total: WriteSignal<u64>,
        set_url: WriteSignal<String>,
    ) {
        let mut failures = 0;
        loop {
            sleep(1000).await;
            match status(id).await {
                Ok(s) => {
                    failures = 0;
                    let state = get(&s, "state").as_string().unwrap_or_default();
                    set_done.set(get(&s, "done").as_f64().unwrap_or(0.0) as u64);
                    set_total.set(get(&s, "total").as_f64().unwrap_or(0.0) as u64);
                    if let Some(u) = get(&s, "url").as_string() {
                        set_url.set(u);
                    }
                    let finished = !matches!(state.as_str(), "queued" | "running");
                    set_state.set(state);
                    if finished {
                        return;
                    }
                }
                Err(_) => {
                    failures += 1;
                    if failures > 30 {
                        return;
                    }
                }
            }
        }
    }
}
