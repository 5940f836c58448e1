//! Links that keep a page's query.

/// A link to `path` with the query of `current` changed by `changes`; empty values are left
/// out and every value is percent-encoded, so a search for `a&b` or `#1` stays one value.
pub fn query_link(path: &str, current: &[(&str, &str)], changes: &[(&str, &str)]) -> String {
    let mut params: Vec<(&str, &str)> = current.to_vec();
    for (k, v) in changes {
        match params.iter_mut().find(|(key, _)| key == k) {
            Some(p) => p.1 = v,
            None => params.push((k, v)),
        }
    }
    let query: Vec<String> = params
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// Percent-encodes all but the unreserved characters of RFC 3986 (UTF-8 bytes).
fn encode_component(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::query_link;

    #[test]
    fn query_links_keep_each_value_whole() {
        assert_eq!(
            query_link(
                "/a",
                &[("q", "王 a&b=#1+"), ("page", "2"), ("role", "")],
                &[]
            ),
            "/a?q=%E7%8E%8B%20a%26b%3D%231%2B&page=2"
        );
        assert_eq!(
            query_link(
                "/a",
                &[("page", "2"), ("light", "red")],
                &[("page", "3"), ("sort", "name")]
            ),
            "/a?page=3&light=red&sort=name"
        );
        assert_eq!(query_link("/a", &[("q", "")], &[]), "/a");
    }
}

/// In WeChat's in-app browser, how to get past its block on downloads and calendar links: shown
/// before such links, since tapping them there does nothing.
#[leptos::component]
pub fn WeChatHint() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let t = crate::i18n::use_t();
    crate::page::in_wechat().then(|| {
        view! { <p class="warn-note" role="note" data-testid="wechat-hint">{t.wechat_hint}</p> }
    })
}
