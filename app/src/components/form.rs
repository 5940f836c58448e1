//! Forms that work before (and without) JavaScript. A form posts straight to its server function
//! under `/api/`; on a validation error the server keeps the error for this browser and redirects
//! back, and these components show each message by its field and re-fill what the user typed.
//!
//! Every value goes into the markup through Leptos' escaping (text and attributes) or, inside
//! `<textarea>`, through [`crate::markup::rcdata`]: the renderer writes textarea children raw.

use crate::error::AppError;
use crate::i18n::{use_t, Strings};
use leptos::context::Provider;
use leptos::prelude::*;

/// The failed submission a form shows, if any.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    pub id: String,
    pub error: Option<AppError>,
}

impl FormState {
    pub fn value(&self, name: &str, initial: &str) -> String {
        self.error
            .as_ref()
            .and_then(|e| e.input(name))
            .unwrap_or(initial)
            .to_owned()
    }

    pub fn message(&self, name: &str) -> Option<String> {
        self.error
            .as_ref()
            .and_then(|e| e.field(name))
            .map(|f| f.message.clone())
    }
}

/// The error of the last plain submission to `path`, kept on the server for this browser (see
/// `ssr::flash`). Never read from the URL: anyone can craft a URL.
fn failed_submission(path: &str) -> Option<AppError> {
    crate::page::failed_form()
        .filter(|(p, _)| p == path)
        .map(|(_, e)| e)
}

/// Whether the last plain submission to `action` failed for the row whose `key` field is
/// `value` (a folded form opens to show its message).
pub fn failed_for(action: &str, key: &str, value: &str) -> bool {
    failed_submission(action).is_some_and(|e| e.input(key) == Some(value))
}

/// A message for errors that belong to no field.
pub fn general_message(err: &AppError, t: &Strings) -> Option<String> {
    match err {
        AppError::Invalid { .. } => None,
        AppError::TooManyAttempts { message, .. }
        | AppError::BadRequest { message }
        | AppError::TooLarge { message } => Some(message.clone()),
        AppError::Unauthenticated => Some(t.err_unauthenticated.into()),
        AppError::Forbidden => Some(t.err_forbidden.into()),
        AppError::NotFound => Some(t.err_not_found.into()),
        AppError::Internal => Some(t.err_internal.into()),
        AppError::Transport(_) => Some(t.err_transport.into()),
    }
}

/// A POST form to a server function. `id` must be unique on the page. Where one page has several
/// forms for the same function (a row each), `key` names the hidden field and value that tell
/// them apart, so only the row that failed shows its error.
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(into)] id: String,
    #[prop(optional)] key: Option<(&'static str, String)>,
    #[prop(optional)] class: &'static str,
    /// `multipart/form-data` for a file upload.
    #[prop(optional)]
    enctype: Option<&'static str>,
    /// The id of the element that shows the server's answer (see `enhance`).
    #[prop(optional, into)]
    answer: Option<String>,
    children: Children,
) -> impl IntoView {
    let t = use_t();
    let error = failed_submission(action).filter(|e| match &key {
        Some((field, value)) => e.input(field) == Some(value.as_str()),
        None => true,
    });
    let general = error.as_ref().and_then(|e| general_message(e, t));
    let state = FormState {
        id: id.clone(),
        error,
    };
    view! {
        <Provider value=state>
            <form method="post" action=action id=id class=class enctype=enctype data-answer=answer novalidate>
                {general.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                {children()}
            </form>
        </Provider>
    }
}

/// The form being drawn (its id and its last failed submission).
pub fn use_form() -> FormState {
    use_context::<FormState>().unwrap_or_default()
}

/// The message for `name`, if the last submission failed on it (for fields drawn by hand).
#[component]
pub fn FieldMessage(name: &'static str) -> impl IntoView {
    let form = use_form();
    form.message(name).map(|m| {
        view! { <p class="field-error" id=format!("{}-{name}-error", form.id) role="alert">{m}</p> }
    })
}

/// A labelled input with its error message.
#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
) -> impl IntoView {
    let form = use_form();
    let id = format!("{}-{name}", form.id);
    let message = form.message(name);
    // Passwords are never echoed back.
    let value = if kind == "password" {
        String::new()
    } else {
        form.value(name, &value)
    };
    let error_id = format!("{id}-error");
    let invalid = message.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| error_id.clone())
            />
            {message.map(|m| view! { <p class="field-error" id=error_id role="alert">{m}</p> })}
        </div>
    }
}

/// A labelled `<select>`; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional, into)] value: String,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let form = use_form();
    let id = format!("{}-{name}", form.id);
    let message = form.message(name);
    let selected = form.value(name, &value);
    let error_id = format!("{id}-error");
    let invalid = message.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| error_id.clone())
            >
                {placeholder.map(|p| view! { <option value="">{p}</option> })}
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let sel = v == selected;
                        view! { <option value=v selected=sel>{l}</option> }
                    })
                    .collect_view()}
            </select>
            {message.map(|m| view! { <p class="field-error" id=error_id role="alert">{m}</p> })}
        </div>
    }
}

#[component]
pub fn Hidden(name: &'static str, #[prop(into)] value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value /> }
}

/// The idempotency key of a create form: a fresh UUID each time the form is rendered, kept when
/// the form comes back with errors (nothing was stored, so the retry is the same request).
#[component]
pub fn RequestId() -> impl IntoView {
    let form = use_form();
    let fresh = uuid::Uuid::new_v4().to_string();
    view! { <input type="hidden" name="request_id" value=form.value("request_id", &fresh) /> }
}

/// An error that stopped a page from loading its data.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let t = use_t();
    let message = general_message(&error, t).unwrap_or_else(|| t.err_internal.to_owned());
    view! { <p class="form-error" role="alert">{message}</p> }
}

/// A labelled multi-line text with its error message.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] required: bool,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] maxlength: Option<usize>,
) -> impl IntoView {
    let form = use_form();
    let id = format!("{}-{name}", form.id);
    let message = form.message(name);
    let value = form.value(name, &value);
    let error_id = format!("{id}-error");
    let invalid = message.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                maxlength=maxlength
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| error_id.clone())
            >
                {crate::markup::rcdata(&value)}
            </textarea>
            {message.map(|m| view! { <p class="field-error" id=error_id role="alert">{m}</p> })}
        </div>
    }
}

/// A form in a card that posts to its server function; enhanced (no page load) once the wasm is
/// there. Regions marked `data-live` on the page refresh after a save.
#[component]
pub fn CardForm(
    action: &'static str,
    #[prop(into)] id: String,
    #[prop(optional)] title: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card">
            {title.map(|t| view! { <h2>{t}</h2> })}
            <Enhanced>
                <PostForm action=action id=id>
                    {children()}
                </PostForm>
            </Enhanced>
        </section>
    }
}

/// Forms inside are enhanced (no page load once the wasm is there), with the notices in the
/// viewer's language.
#[component]
pub fn Enhanced(children: Children) -> impl IntoView {
    let t = use_t();
    view! {
        <div class="enhanced" data-saved=t.saved_notice data-failed=t.err_transport>
            <crate::components::enhance::Enhance>{children()}</crate::components::enhance::Enhance>
        </div>
    }
}

/// Whether the page was reached right after a plain-form save (`?saved=1`).
#[derive(Clone, Copy, Debug)]
pub struct SavedFlag(pub bool);

/// "Saved", on a page reached right after a plain-form save: once, under the page's title (the
/// frame draws it), where the reloaded page starts. An enhanced form says it in the form itself.
#[component]
pub fn SavedNotice() -> impl IntoView {
    let t = use_t();
    let saved = use_context::<SavedFlag>().is_some_and(|s| s.0);
    saved.then(|| view! { <p class="notice" role="status">{t.saved_notice}</p> })
}
