//! The flow, checked: every `crate::`/`super::` path in `src/` (outside tests and the testkit)
//! is an edge from one module to another, and each edge must go down the layers written once in
//! [`LAYERS`], with the narrowings in [`allowed`]. There is no list of exceptions: the 26 edges
//! against the flow found when this test was written are gone (issue #23), and a new one fails.
//!
//! Paths inside macro invocations (`format!("{}", crate::x())`) are tokens, not paths, and are
//! not seen; everything else (`use` trees, types, calls, macro names) is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Top-level modules by layer, lowest first. A module may use its own top-level module and any
/// module of a lower layer; nothing may use a module of its own layer or a higher one.
const LAYERS: &[&[&str]] = &[
    &["tmux_call"],
    &["error"],
    &["paths", "stdout"],
    &["source"],
    &["model"],
    &["config"],
    &["collect"],
    &["jump", "restore"],
    &["reply"],
    &["drive"],
    &["notify", "companion"],
    &["effects"],
    &["tui"],
    &["interact"],
    &["statusline", "monitor", "pick"],
    &["cli"],
];

/// Where the layers are narrowed: the model sees only the sources' fact types, views see no
/// source at all (they read `model::facts`), and the one error type wraps the sources' own
/// error kinds.
fn allowed(from: &str, to: &str) -> bool {
    let (top_from, top_to) = (top(from), top(to));
    if top_from == top_to {
        return true;
    }
    if from == "error" && matches!(to, "source::db" | "source::remote") {
        return true; // Error::Db(DbError), Error::Remote(RemoteError)
    }
    let (Some(lf), Some(lt)) = (layer(top_from), layer(top_to)) else {
        return false;
    };
    if lt >= lf {
        return false;
    }
    match (top_from, top_to) {
        ("model", "source") => to.ends_with("::types"),
        ("tui" | "statusline" | "monitor" | "pick", "source") => false,
        _ => true,
    }
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// Every `.rs` file of `src/`, with its module path (`source/db/mod.rs` → `source::db`).
fn files(dir: &Path, out: &mut Vec<(PathBuf, Vec<String>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix("src")
                .expect("under src")
                .with_extension("");
            let mut module: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            out.push((path, module));
        }
    }
}

fn is_test_path(module: &[String]) -> bool {
    module.first().is_some_and(|m| m == "testkit") || module.iter().any(|m| m == "tests")
}

/// `#[cfg(test)]`, `#[cfg(any(test, feature = "testkit"))]` and the like: code the release
/// build does not have.
fn cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|l| {
                let cfg = l.tokens.to_string();
                cfg.contains("test") && !cfg.starts_with("not")
            })
    })
}

/// Collects the absolute paths (`crate::a::b::c`) a file names.
struct Paths {
    module: Vec<String>,
    found: Vec<Vec<String>>,
}

impl Paths {
    fn resolve(&mut self, segments: &[String]) {
        let mut base: Vec<String> = match segments.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("super") | Some("self") => self.module.clone(),
            _ => return,
        };
        let mut rest = &segments[1..];
        if segments[0] == "super" {
            base.pop();
        }
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        self.found.push(base);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.resolve(&full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.resolve(&full);
            }
            syn::UseTree::Glob(_) => self.resolve(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            _ => &[],
        };
        if cfg_test(attrs) {
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.content.is_some() {
            self.module.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(&segments);
        syn::visit::visit_path(self, path);
    }
}

/// Every edge from a module to another, as `(from, to)` module paths, where `to` is the longest
/// known module a path names (`crate::source::tmux::run_tmux` → `source::tmux`).
fn edges() -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut all = Vec::new();
    files(Path::new("src"), &mut all);
    let mut modules: BTreeSet<Vec<String>> = all.iter().map(|(_, m)| m.clone()).collect();
    // #[macro_export] macros live at the crate root; name them by the file that defines them.
    let mut macros: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut found = Vec::new();
    for (path, module) in &all {
        if is_test_path(module) {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read source");
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in &file.items {
            if let syn::Item::Macro(m) = item
                && let Some(ident) = &m.ident
                && m.attrs.iter().any(|a| a.path().is_ident("macro_export"))
            {
                macros.insert(ident.to_string(), module.clone());
            }
            if let syn::Item::Mod(m) = item
                && m.content.is_some()
            {
                let mut inner = module.clone();
                inner.push(m.ident.to_string());
                modules.insert(inner);
            }
        }
        let mut paths = Paths {
            module: module.clone(),
            found: Vec::new(),
        };
        paths.visit_file(&file);
        found.push((module.clone(), paths.found));
    }
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (module, paths) in found {
        for path in paths {
            let target = if path.len() == 1 && macros.contains_key(&path[0]) {
                macros[&path[0]].clone()
            } else {
                (0..=path.len())
                    .rev()
                    .map(|n| path[..n].to_vec())
                    .find(|p| modules.contains(p))
                    .unwrap_or_default()
            };
            // Paths within one top-level module are its own business.
            if target.is_empty() || target.first() == module.first() {
                continue;
            }
            let (from, to) = (module.join("::"), target.join("::"));
            edges.entry((from, to)).or_default().insert(path.join("::"));
        }
    }
    edges
}

#[test]
fn nothing_imports_against_the_flow() {
    let edges = edges();
    assert!(
        edges.len() > 50,
        "the scan found too few edges to be real: {}",
        edges.len()
    );
    let mut against = Vec::new();
    for ((from, to), paths) in &edges {
        if allowed(from, to) {
            continue;
        }
        let names: Vec<_> = paths.iter().map(String::as_str).collect();
        against.push(format!("{from} -> {to} ({})", names.join(", ")));
    }
    assert!(
        against.is_empty(),
        "imports against the flow (see LAYERS and allowed() in tests/architecture.rs):\n  {}",
        against.join("\n  ")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let mut all = Vec::new();
    files(Path::new("src"), &mut all);
    let tops: BTreeSet<String> = all
        .iter()
        .filter(|(_, m)| !m.is_empty() && !is_test_path(m))
        .map(|(_, m)| m[0].clone())
        .collect();
    let missing: Vec<_> = tops.iter().filter(|t| layer(t).is_none()).collect();
    assert!(
        missing.is_empty(),
        "give these modules a layer in LAYERS: {missing:?}"
    );
}

#[test]
fn the_rule_refuses_what_it_should() {
    assert!(!allowed("source::remote::link", "collect"));
    assert!(!allowed("source::remote", "config::hosts"));
    assert!(allowed("error", "source::remote"));
    assert!(!allowed("model::select", "source::tmux"));
    assert!(allowed("model::row", "source::db::types"));
    assert!(!allowed("monitor::clipboard", "source::tmux"));
    assert!(!allowed("collect::collector", "reply"));
    assert!(allowed("cli::status", "source::db"));
    assert!(!allowed("jump", "monitor"));
    assert!(!allowed("jump", "reply"));
    assert!(allowed("notify", "jump"));
    assert!(!allowed("monitor", "pick"));
}
