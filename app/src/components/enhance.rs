//! Progressive enhancement of plain HTML: the one island of the app. Every page is server-rendered
//! and works without JavaScript. Once the wasm has loaded, [`Enhance`] takes over what is inside
//! it:
//!
//! - **forms**: it submits them with `fetch` (no page load), shows each error message by its
//!   field and keeps what was typed; on success it clears the form with a fresh request id, says
//!   "saved", and refreshes the page's `data-live` regions from the server, so lists show the new
//!   record. A server function that redirects (sign-in, edits) is followed. Without signal a
//!   cadre's record goes to the outbox (`public/outbox.js`). Forms inside a `data-plain`
//!   wrapper post as plain HTML.
//! - **answers**: a form with `data-answer="element id"` shows what the server answered (a
//!   text, such as a revealed number) in that element, as text, and unhides it (and what
//!   around it is hidden).
//! - **buttons**: `data-confirm="question"` asks first; `data-toggle-password="input id"` shows or
//!   hides a password (its words in `data-show` / `data-hide`).
//! - **lists**: typing in `<input data-filter="list id">` hides the list's `<li>` whose
//!   `data-text` lacks what was typed; `<button data-check-all="list id">` ticks the checkboxes of
//!   the list's visible items (without JavaScript the search is a plain GET form).
//! - **progress**: while an element with `data-poll="ms"` is on the page, the `data-live` regions
//!   are refreshed every that many milliseconds (an export's progress bar).
//!
//! The island takes no props: what it says comes from the markup around it (`data-saved`,
//! `data-failed`), so the browser bundle carries no deserializer and no strings of its own.

use leptos::prelude::*;

/// Wraps server-rendered markup to enhance (see the module). Use it through
/// [`crate::components::form::Enhanced`] (forms, notices) or [`Behave`] (buttons only).
#[island]
pub fn Enhance(children: Children) -> impl IntoView {
    browser::poll_while_asked();
    view! { <div class="enhance" on:submit=browser::submit on:click=browser::click on:input=browser::input>{children()}</div> }
}

/// Enhances the buttons inside (confirmation, password toggle); forms inside post plainly.
#[component]
pub fn Behave(children: Children) -> impl IntoView {
    view! { <div class="enhance-plain" data-plain=""><Enhance>{children()}</Enhance></div> }
}

/// A submit button that asks first. Without JavaScript it submits straight away.
#[component]
pub fn ConfirmSubmit(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    #[prop(into)] class: String,
) -> impl IntoView {
    view! {
        <Behave>
            <button type="submit" class=class data-confirm=question>{label}</button>
        </Behave>
    }
}

/// Shows or hides the password typed into the input with id `target` (without JavaScript it
/// does nothing).
#[component]
pub fn PasswordToggle(
    target: &'static str,
    show: &'static str,
    hide: &'static str,
) -> impl IntoView {
    view! {
        <Behave>
            <button type="button" class="link toggle" data-toggle-password=target data-show=show data-hide=hide aria-pressed="false">
                {show}
            </button>
        </Behave>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Array, Reflect, JSON};
    use leptos::ev::{MouseEvent, SubmitEvent};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Document, DomParser, Element, FormData, HtmlFormElement, HtmlInputElement, RequestInit,
        Response, SupportedType, UrlSearchParams,
    };

    /// The notices of the enhanced region around `form`, in the viewer's language.
    fn notices(form: &HtmlFormElement) -> (String, String) {
        let holder = form.closest("[data-saved]").ok().flatten();
        let text = |name: &str| {
            holder
                .as_ref()
                .and_then(|h| h.get_attribute(name))
                .unwrap_or_default()
        };
        (text("data-saved"), text("data-failed"))
    }

    pub fn submit(ev: SubmitEvent) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if form.closest("[data-plain]").ok().flatten().is_some() {
            return;
        }
        ev.prevent_default();
        let (saved, failed) = notices(&form);
        // A second tap while the first is on its way does nothing (the request id guards the rest).
        if form.get_attribute("aria-busy").as_deref() == Some("true") {
            return;
        }
        let _ = form.set_attribute("aria-busy", "true");
        leptos::task::spawn_local(async move {
            let outcome = post(&form).await;
            let _ = form.remove_attribute("aria-busy");
            clear_messages(&form);
            match outcome {
                Ok(Outcome::Redirect(to)) => {
                    let _ = leptos::prelude::window().location().assign(&to);
                }
                Ok(Outcome::Answer(text)) => {
                    form.reset();
                    if let Some(el) = form
                        .get_attribute("data-answer")
                        .and_then(|id| document().get_element_by_id(&id))
                    {
                        el.set_text_content(Some(&text));
                        // The element, and whatever hides it, comes into view.
                        while let Ok(Some(hidden)) = el.closest("[hidden]") {
                            let _ = hidden.remove_attribute("hidden");
                        }
                    }
                }
                Ok(Outcome::Saved) => {
                    outbox(&form, "saved").await;
                    form.reset();
                    renew_request_id(&form);
                    notice(&form, "notice", "status", &saved);
                    let _ = refresh_live_regions().await;
                }
                Ok(Outcome::Invalid(error)) => show_error(&form, &error, &failed),
                // No signal, or no answer in time: a cadre's record waits in the outbox
                // (`outbox.js`) and is sent when the signal returns.
                Err(_) => match outbox(&form, "keep").await.as_string() {
                    Some(kept) => {
                        form.reset();
                        renew_request_id(&form);
                        notice(&form, "notice", "status", &kept);
                    }
                    None => notice(&form, "form-error", "alert", &failed),
                },
            }
        });
    }

    /// Calls `liaisonOutbox[name](form)` from `outbox.js` and waits for it; `undefined` where the
    /// script is missing or failed.
    async fn outbox(form: &HtmlFormElement, name: &str) -> JsValue {
        let window = leptos::prelude::window();
        let call = Reflect::get(&window, &"liaisonOutbox".into())
            .and_then(|o| Ok((Reflect::get(&o, &name.into())?, o)))
            .and_then(|(f, o)| f.dyn_into::<js_sys::Function>()?.call1(&o, form));
        match call {
            Ok(promise) => JsFuture::from(js_sys::Promise::resolve(&promise))
                .await
                .unwrap_or(JsValue::UNDEFINED),
            Err(_) => JsValue::UNDEFINED,
        }
    }

    /// How long a save may take before it counts as lost (its record then waits in the outbox;
    /// if the server did get it, the request id makes the resend a no-op).
    const TIMEOUT_MS: i32 = 20_000;

    /// A button that asks first, or shows the password.
    pub fn click(ev: MouseEvent) {
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if let Ok(Some(button)) = target.closest("[data-confirm]") {
            // Asked once, here: an enhanced region around this one does not ask again.
            ev.stop_propagation();
            let question = button.get_attribute("data-confirm").unwrap_or_default();
            if !leptos::prelude::window()
                .confirm_with_message(&question)
                .unwrap_or(true)
            {
                ev.prevent_default();
            }
        }
        if let Ok(Some(button)) = target.closest("[data-check-all]") {
            ev.prevent_default();
            ev.stop_propagation();
            let list = button.get_attribute("data-check-all").unwrap_or_default();
            if let Ok(boxes) = document()
                .query_selector_all(&format!("#{list} li:not([hidden]) input[type=checkbox]"))
            {
                for i in 0..boxes.length() {
                    if let Some(b) = boxes
                        .item(i)
                        .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
                    {
                        b.set_checked(true);
                    }
                }
            }
        }
        if let Ok(Some(button)) = target.closest("[data-toggle-password]") {
            ev.stop_propagation();
            let id = button
                .get_attribute("data-toggle-password")
                .unwrap_or_default();
            let Some(input) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let show = input.type_() == "password";
            input.set_type(if show { "text" } else { "password" });
            let words = button.get_attribute(if show { "data-hide" } else { "data-show" });
            button.set_text_content(words.as_deref());
            let _ = button.set_attribute("aria-pressed", if show { "true" } else { "false" });
        }
    }

    /// Typing in a list's search box hides the items that do not match.
    pub fn input(ev: leptos::ev::Event) {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.get_attribute("data-filter") else {
            return;
        };
        let typed = input.value().trim().to_lowercase();
        let Ok(items) = document().query_selector_all(&format!("#{list} li[data-text]")) else {
            return;
        };
        for i in 0..items.length() {
            if let Some(item) = items.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let text = item
                    .get_attribute("data-text")
                    .unwrap_or_default()
                    .to_lowercase();
                if typed.is_empty() || text.contains(&typed) {
                    let _ = item.remove_attribute("hidden");
                } else {
                    let _ = item.set_attribute("hidden", "");
                }
            }
        }
    }

    /// While the page has an element with `data-poll="ms"`, refreshes its `data-live` regions
    /// every that many milliseconds (once per page, however many regions hydrate).
    pub fn poll_while_asked() {
        let Some(root) = document().document_element() else {
            return;
        };
        if root.has_attribute("data-polling") {
            return;
        }
        let _ = root.set_attribute("data-polling", "");
        leptos::task::spawn_local(async move {
            let mut failures = 0;
            loop {
                let every = document()
                    .query_selector("[data-poll]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.get_attribute("data-poll"))
                    .and_then(|ms| ms.parse::<i32>().ok());
                let Some(every) = every else { break };
                sleep(every.max(250)).await;
                if refresh_live_regions().await.is_ok() {
                    failures = 0;
                } else {
                    failures += 1;
                    if failures > 30 {
                        break;
                    }
                }
            }
            let _ = root.remove_attribute("data-polling");
        });
    }

    async fn sleep(ms: i32) {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            let _ = leptos::prelude::window()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = JsFuture::from(p).await;
    }

    enum Outcome {
        Saved,
        /// The text the server answered, for a form that shows it (`data-answer`).
        Answer(String),
        Redirect(String),
        Invalid(JsValue),
    }

    async fn post(form: &HtmlFormElement) -> Result<Outcome, JsValue> {
        let data = FormData::new_with_form(form)?;
        let body = UrlSearchParams::new_with_str_sequence_sequence(&data)?.to_string();
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&body.into());
        let headers = web_sys::Headers::new()?;
        headers.set("Content-Type", "application/x-www-form-urlencoded")?;
        headers.set("Accept", "application/json")?;
        init.set_headers(&headers);
        let window = leptos::prelude::window();
        let abort = web_sys::AbortController::new()?;
        init.set_signal(Some(&abort.signal()));
        let timer = {
            let abort = abort.clone();
            let cb = wasm_bindgen::closure::Closure::once_into_js(move || abort.abort());
            window.set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.unchecked_ref(),
                TIMEOUT_MS,
            )?
        };
        let answer = JsFuture::from(window.fetch_with_str_and_init(&form.action(), &init)).await;
        window.clear_timeout_with_handle(timer);
        let res: Response = answer?.dyn_into()?;
        if res.ok() {
            let redirect = res.headers().get("serverfnredirect")?.is_some();
            if let Some(to) = res.headers().get("location")?.filter(|_| redirect) {
                return Ok(Outcome::Redirect(to));
            }
            if form.has_attribute("data-answer") {
                let text = JsFuture::from(res.text()?).await?.as_string();
                let answer = text
                    .and_then(|t| JSON::parse(&t).ok())
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                return Ok(Outcome::Answer(answer));
            }
            return Ok(Outcome::Saved);
        }
        let text = JsFuture::from(res.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        Ok(Outcome::Invalid(
            JSON::parse(&text).unwrap_or(JsValue::NULL),
        ))
    }

    fn get(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    }

    /// Puts each field's message by its field; anything else on top of the form.
    fn show_error(form: &HtmlFormElement, error: &JsValue, failed: &str) {
        let fields = get(&get(error, "Invalid"), "fields");
        if let Ok(fields) = fields.dyn_into::<Array>() {
            let mut first: Option<Element> = None;
            for f in fields.iter() {
                let name = get(&f, "field").as_string().unwrap_or_default();
                let message = get(&f, "message").as_string().unwrap_or_default();
                let input = form
                    .query_selector(&format!("[name=\"{name}\"]"))
                    .ok()
                    .flatten();
                // A field folded away in a <details> (the late entry's reason) is unfolded.
                if let Some(folded) = input
                    .as_ref()
                    .and_then(|i| i.closest("details").ok().flatten())
                {
                    let _ = folded.set_attribute("open", "");
                }
                match input
                    .as_ref()
                    .and_then(|i| i.closest(".field").ok().flatten())
                {
                    Some(field) => {
                        let _ = field.class_list().add_1("invalid");
                        if let Some(i) = &input {
                            let _ = i.set_attribute("aria-invalid", "true");
                        }
                        append_message(&field, "field-error", "alert", &message);
                        first.get_or_insert(field);
                    }
                    None => notice(form, "form-error", "alert", &message),
                }
            }
            if let Some(field) = first {
                field.scroll_into_view();
            }
            return;
        }
        // `{"TooManyAttempts": {"message": …}}`, `{"BadRequest": {"message": …}}`, …
        let message = error.dyn_ref::<js_sys::Object>().and_then(|o| {
            js_sys::Object::values(o)
                .iter()
                .find_map(|v| get(&v, "message").as_string())
        });
        notice(
            form,
            "form-error",
            "alert",
            message.as_deref().unwrap_or(failed),
        );
    }

    fn document() -> Document {
        leptos::prelude::document()
    }

    fn append_message(parent: &Element, class: &str, role: &str, text: &str) {
        if let Ok(p) = document().create_element("p") {
            p.set_class_name(class);
            let _ = p.set_attribute("role", role);
            let _ = p.set_attribute("data-enhance", "");
            p.set_text_content(Some(text));
            let _ = parent.append_child(&p);
        }
    }

    fn notice(form: &HtmlFormElement, class: &str, role: &str, text: &str) {
        if let Ok(p) = document().create_element("p") {
            p.set_class_name(class);
            let _ = p.set_attribute("role", role);
            let _ = p.set_attribute("data-enhance", "");
            p.set_text_content(Some(text));
            let _ = form.prepend_with_node_1(&p);
        }
    }

    /// Removes what the last submission showed (ours and the server-rendered ones).
    fn clear_messages(form: &HtmlFormElement) {
        if let Ok(list) = form.query_selector_all(".field-error, .form-error, .notice") {
            for i in 0..list.length() {
                if let Some(n) = list.item(i) {
                    if let Some(el) = n.dyn_ref::<Element>() {
                        el.remove();
                    }
                }
            }
        }
        if let Ok(list) = form.query_selector_all(".field.invalid") {
            for i in 0..list.length() {
                if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = el.class_list().remove_1("invalid");
                    if let Ok(Some(input)) = el.query_selector("[aria-invalid]") {
                        let _ = input.remove_attribute("aria-invalid");
                    }
                }
            }
        }
    }

    fn renew_request_id(form: &HtmlFormElement) {
        let input = form
            .query_selector("input[name=\"request_id\"]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let (Some(input), Ok(crypto)) = (input, leptos::prelude::window().crypto()) {
            let id = crypto.random_uuid();
            input.set_value(&id);
            input.set_default_value(&id);
        }
    }

    /// Fetches this page again and swaps in its `data-live` regions.
    async fn refresh_live_regions() -> Result<(), JsValue> {
        let html = fetch_page().await?;
        let fresh = DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)?;
        let regions = document().query_selector_all("[data-live]")?;
        for i in 0..regions.length() {
            let Some(old) = regions.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let key = old.get_attribute("data-live").unwrap_or_default();
            if let Ok(Some(new)) = fresh.query_selector(&format!("[data-live=\"{key}\"]")) {
                old.set_inner_html(&new.inner_html());
            }
        }
        Ok(())
    }

    async fn fetch_page() -> Result<String, JsValue> {
        let window = leptos::prelude::window();
        let href = window.location().href()?;
        let init = RequestInit::new();
        let headers = web_sys::Headers::new()?;
        headers.set("Accept", "text/html")?;
        init.set_headers(&headers);
        let res: Response = JsFuture::from(window.fetch_with_str_and_init(&href, &init))
            .await?
            .dyn_into()?;
        JsFuture::from(res.text()?)
            .await?
            .as_string()
            .ok_or(JsValue::NULL)
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    //! Islands render on the server too, where nothing is ever submitted or clicked.
    pub fn submit(_ev: leptos::ev::SubmitEvent) {}
    pub fn click(_ev: leptos::ev::MouseEvent) {}
    pub fn input(_ev: leptos::ev::Event) {}
    pub fn poll_while_asked() {}
}
