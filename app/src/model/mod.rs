//! The shared model every feature area stands on: the database entities, the organisation tree,
//! the policy with its history, each youth's assignment and contact summary, paging and names by
//! id. It names no feature area (CI checks it), so any area can use it and none reaches into
//! another's service for it.

pub mod paging;
pub mod privacy;
pub mod youth;

#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod names;
#[cfg(feature = "ssr")]
pub mod notifications;
#[cfg(feature = "ssr")]
pub mod orgtree;
#[cfg(feature = "ssr")]
pub mod pairings;
#[cfg(feature = "ssr")]
pub mod policy;
#[cfg(feature = "ssr")]
pub mod roster;
#[cfg(feature = "ssr")]
pub mod second_factor;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod signoff;

#[cfg(test)]
mod tests {
    /// What the floors (`model/` and `ssr/`) may use besides each other: the pure shared
    /// modules. Naming anything else (a feature area, a page, a widget) fails this test.
    const FLOORS: &[&str] = &["error", "i18n", "markup", "model", "rules", "ssr", "types"];

    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The modules a source text names through `crate::` (also in `crate::{a, b}`) that are not
    /// floors, and whether it climbs out with `super::super`. Its unit tests are not read.
    fn strangers(source: &str) -> Vec<String> {
        let code = source.split("\n#[cfg(test)]").next().unwrap_or("");
        let mut found = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or(""))
                    .collect()
            } else {
                vec![rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")]
            };
            for name in names {
                if !name.is_empty() && !FLOORS.contains(&name) {
                    found.push(name.to_owned());
                }
            }
        }
        if code.contains(concat!("super", "::super")) {
            found.push("super::super".to_owned());
        }
        found
    }

    #[test]
    fn a_floor_naming_an_area_is_caught() {
        // Put together here, so that this file does not itself name the areas it makes up.
        let source = [
            "use crate::model::entities::youth;\n",
            "use crate::{i18n::Strings, ",
            "remind",
            "ers::service};\nfn f() { crate::",
            "supervise::x(); }\n#[cfg(test)]\nmod tests { use crate::",
            "routes::home; }\n",
        ]
        .concat();
        let source = source.as_str();
        assert_eq!(strangers(source), vec!["reminders", "supervise"]);
        assert_eq!(strangers("use super::super::visits;"), vec!["super::super"]);
        assert!(strangers("use crate::ssr::guard::require;").is_empty());
    }

    #[test]
    fn the_floors_name_no_feature_area() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for floor in ["model", "ssr"] {
            sources(&src.join(floor), &mut files);
        }
        assert!(files.len() > 20, "{files:?}");
        let found: Vec<String> = files
            .iter()
            .flat_map(|file| {
                let text = std::fs::read_to_string(file).expect("a source file");
                strangers(&text)
                    .into_iter()
                    .map(move |name| format!("{}: {name}", file.display()))
            })
            .collect();
        assert!(
            found.is_empty(),
            "the floors name a feature area: {found:#?}"
        );
    }

    /// No page imports another: what two pages share lives in `components/`.
    #[test]
    fn no_page_imports_another() {
        let routes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
        let mut files = Vec::new();
        sources(&routes, &mut files);
        assert!(files.len() > 10, "{files:?}");
        let found: Vec<String> = files
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| n != "mod.rs"))
            .filter(|f| {
                let text = std::fs::read_to_string(f).expect("a source file");
                text.contains("super::") || text.contains("crate::routes::")
            })
            .map(|f| f.display().to_string())
            .collect();
        assert!(found.is_empty(), "pages importing pages: {found:#?}");
    }
}
