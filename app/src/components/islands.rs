//! The few interactive pieces that ship to the browser (Leptos islands). Everything else is
//! server-rendered HTML, so the wasm stays small and every page works before it arrives.

use leptos::prelude::*;

/// Shows or hides the password typed into the input with id `target`.
#[island]
pub fn PasswordToggle(target: String, show: String, hide: String) -> impl IntoView {
    let (visible, set_visible) = signal(false);
    let toggle = move |_| {
        use leptos::wasm_bindgen::JsCast;
        let input = document()
            .get_element_by_id(&target)
            .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            let now_visible = !visible.get_untracked();
            input.set_type(if now_visible { "text" } else { "password" });
            set_visible.set(now_visible);
        }
    };
    view! {
        <button type="button" class="link toggle" on:click=toggle aria-pressed=move || visible.get().to_string()>
            {move || if visible.get() { hide.clone() } else { show.clone() }}
        </button>
    }
}

/// A submit button that asks first. Without JavaScript it submits straight away.
#[island]
pub fn ConfirmSubmit(label: String, question: String, class: String) -> impl IntoView {
    let ask = move |ev: leptos::ev::MouseEvent| {
        if !window().confirm_with_message(&question).unwrap_or(true) {
            ev.prevent_default();
        }
    };
    view! {
        <button type="submit" class=class on:click=ask>
            {label}
        </button>
    }
}
