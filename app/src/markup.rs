//! Writing text into markup safely, in every context.
//!
//! Text nodes and attribute values: Leptos escapes them; write values there as plain `String`s.
//! `<textarea>` and `<title>` children: Leptos 0.8's renderer (tachys 0.2) writes them raw, like
//! `<script>` (leptos-rs/leptos pull requests 4730, 4819, 4821), so a value with
//! `</textarea><script>` in it would end the element and run. In those two places values go
//! through [`rcdata`], which the form widgets (`components::form::TextArea`) and the page title
//! (`components::layout::Layout`) do; nowhere else in the app writes into them, and no raw HTML
//! is built from data (a unit test below keeps it so).

/// Text for an element whose content the browser reads as RCDATA (`<textarea>`, `<title>`):
/// character references there are decoded, so escaping shows the text exactly as it was, and no
/// end tag can appear in it.
pub fn rcdata(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rcdata;
    use std::path::Path;

    #[test]
    fn rcdata_leaves_no_markup() {
        assert_eq!(
            rcdata("</textarea><script>alert('x')</script> & \"q\""),
            "&lt;/textarea&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(rcdata("王芳 1+1"), "王芳 1+1");
    }

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }

    /// The places that write raw text are few and known: a new `<textarea>`, `<title>`,
    /// `<script>`, `<style>` or `inner_html` in a view fails this test until it is looked at.
    #[test]
    fn raw_text_elements_appear_only_in_the_safe_widgets() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let allowed: &[(&str, &str)] = &[
            ("<textarea", "components/form.rs"),
            ("<Title", "components/layout.rs"),
            ("<Title", "routes/login.rs"),
            // The public pages' frame: a fixed page name, through rcdata.
            ("<Title", "routes/public.rs"),
            ("<title", "components/chart.rs"),
            ("inner_html", "components/enhance.rs"),
            // The second factor's QR code: the server's own SVG of dark squares, no text in it.
            ("inner_html", "routes/settings.rs"),
            // Sign-in and enrolment QR codes: the same SVG, of an address the server made.
            ("inner_html", "routes/activities.rs"),
            // The outbox script's tag: an address, no content.
            ("<script", "lib.rs"),
        ];
        for (path, text) in &files {
            if path.ends_with("markup.rs") {
                continue;
            }
            for needle in [
                "<textarea",
                "<Title",
                "<title",
                "<script",
                "<style",
                "inner_html",
            ] {
                if !text.contains(needle) {
                    continue;
                }
                let ok = allowed
                    .iter()
                    .any(|(n, file)| *n == needle && path.ends_with(file));
                assert!(
                    ok,
                    "{path} writes {needle}: escape with markup::rcdata and list it here"
                );
            }
        }
    }
}
