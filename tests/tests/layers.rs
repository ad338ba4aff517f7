//! The shape of the source tree, checked: no circle of imports between the files of a crate (nor between
//! the page's script modules), and no hand-written source file over 700 lines outside tests and migrations.
//! A circle means two files can only be understood together; these tests keep each layer readable on its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use company_access_tests::binary::workspace_dir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates whose files must not import each other in a circle. The entity crate is left out (SeaORM's
/// relations name each other by design), and so are the migrations (frozen once released).
const CRATES: &[&str] = &["api", "cli", "openapi", "tests"];

const MAX_LINES: usize = 700;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module path of a file below `src`: `src/db/store.rs` → `["db", "store"]`, `src/db/mod.rs` → `["db"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without its `#[cfg(test)]` module (tests sit at the end and may reach anywhere)
/// and without comments.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `use a::{b, c::{d, e}};` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let close = tree
        .rfind('}')
        .filter(|close| *close > open)
        .unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .flat_map(|part| expand(&format!("{prefix}{part}")))
        .collect()
}

/// Every path a file names: its `use` trees and the `crate::…`/`super::…` paths in its code.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let lines: Vec<&str> = code.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        let line = line.trim_start();
        let Some(tree) = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|start| line.strip_prefix(start))
        else {
            continue;
        };
        let mut statement = tree.to_owned();
        let mut next = at + 1;
        while !statement.contains(';') && next < lines.len() {
            statement.push_str(lines[next]);
            next += 1;
        }
        let end = statement.find(';').unwrap_or(statement.len());
        paths.extend(expand(&statement[..end]));
    }
    for anchor in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(anchor) {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            paths.push(tail[..end].to_owned());
            rest = &tail[end..];
        }
    }
    paths
}

/// Which file a path leads into: the longest prefix of it that is a module of the crate.
fn resolve(
    path: &str,
    here: &[String],
    children: &BTreeSet<String>,
    modules: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<PathBuf> {
    let segments: Vec<&str> = path
        .split("::")
        .filter(|s| !s.is_empty() && *s != "self")
        .collect();
    let (mut module, rest): (Vec<String>, &[&str]) = match segments.first() {
        Some(&"crate") => (Vec::new(), &segments[1..]),
        Some(&"super") => {
            let mut parent = here.to_vec();
            let mut rest = &segments[..];
            while rest.first() == Some(&"super") {
                parent.pop();
                rest = &rest[1..];
            }
            (parent, rest)
        }
        Some(first) if children.contains(*first) => (here.to_vec(), &segments[..]),
        _ => return None,
    };
    let mut found = None;
    for segment in rest {
        module.push((*segment).to_owned());
        match modules.get(&module) {
            Some(file) => found = Some(file.clone()),
            None => break,
        }
    }
    found
}

/// A circle among the files, as the list of files around it, if there is one.
fn find_circle(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Option<Vec<PathBuf>> {
    fn visit(
        node: &PathBuf,
        edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        done: &mut BTreeSet<PathBuf>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut circle = stack[at..].to_vec();
            circle.push(node.clone());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, done, stack) {
                return Some(circle);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut done, &mut Vec::new()))
}

fn crate_edges(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files = rust_files(src);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|file| (module_of(src, file), file.clone()))
        .collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let text = std::fs::read_to_string(file).unwrap();
        let code = code_of(&text);
        let children: BTreeSet<String> = code
            .lines()
            .filter_map(|line| {
                let line = line.trim().trim_start_matches("pub ");
                line.strip_prefix("mod ")
                    .and_then(|rest| rest.strip_suffix(';'))
                    .map(str::to_owned)
            })
            .collect();
        // A child module's items used in place (`page::asset`) are an import of the child too.
        let inline_children = children.iter().filter_map(|child| {
            let token = format!("{child}::");
            code.match_indices(&token)
                .find(|(at, _)| {
                    !code[..*at]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                })
                .map(|_| child.clone())
        });
        let mut paths = named_paths(&code);
        paths.extend(inline_children);
        let targets: BTreeSet<PathBuf> = paths
            .iter()
            .filter_map(|path| resolve(path, &here, &children, &modules))
            .filter(|target| target != file)
            .collect();
        edges.insert(file.clone(), targets);
    }
    edges
}

fn relative(files: &[PathBuf]) -> String {
    let root = workspace_dir();
    files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
        .collect::<Vec<_>>()
        .join(" → ")
}

#[test]
fn no_crate_has_a_circle_of_imports_between_its_files() {
    for name in CRATES {
        let src = workspace_dir().join(name).join("src");
        let edges = crate_edges(&src);
        assert!(
            edges.len() > 1,
            "no source files found in {}",
            src.display()
        );
        if let Some(circle) = find_circle(&edges) {
            panic!(
                "a circle of imports in {name}: {}; move what both need below them",
                relative(&circle)
            );
        }
    }
}

#[test]
fn the_page_modules_import_each_other_in_one_direction() {
    let static_dir = workspace_dir().join("api").join("static");
    let mut files = Vec::new();
    let mut dirs = vec![static_dir.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                files.push(path);
            }
        }
    }
    let mut edges = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let targets: BTreeSet<PathBuf> = text
            .lines()
            .filter(|line| line.trim_start().starts_with("import ") || line.contains("} from "))
            .filter_map(|line| {
                let quote = line.rfind(['\'', '"'])?;
                let open = line[..quote].rfind(['\'', '"'])?;
                let target = &line[open + 1..quote];
                target
                    .starts_with('.')
                    .then(|| file.parent().unwrap().join(target))
            })
            .map(|path| std::fs::canonicalize(&path).unwrap_or(path))
            .collect();
        edges.insert(std::fs::canonicalize(file).unwrap_or(file.clone()), targets);
    }
    if let Some(circle) = find_circle(&edges) {
        panic!("a circle of imports in the page: {}", relative(&circle));
    }
}

/// Hand-written source: code and scripts, not data, generated documents or lock files.
fn is_source(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("rs" | "js" | "ts" | "css" | "html" | "py" | "sh" | "lua" | "c")
    ) || name == "run"
}

/// Code a generator writes (the TypeScript client's types from the OpenAPI document) says so at its top;
/// it is made again, never split by hand.
fn is_generated(text: &str) -> bool {
    text.lines()
        .take(5)
        .any(|line| line.contains("auto-generated"))
}

#[test]
fn no_hand_written_source_file_outside_tests_and_migrations_is_over_700_lines() {
    let root = workspace_dir();
    let skipped = [
        "target",
        "tests",
        "migration",
        "node_modules",
        ".git",
        "data",
    ];
    let mut long = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !skipped.contains(&name.as_str()) && !name.starts_with('.') {
                    dirs.push(path);
                }
            } else if is_source(&path) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let lines = text.lines().count();
                if lines > MAX_LINES && !is_generated(&text) {
                    long.push(format!(
                        "{} ({lines} lines)",
                        path.strip_prefix(&root).unwrap_or(&path).display()
                    ));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "split these where their own sections are: {long:?}"
    );
}

#[test]
fn the_checker_sees_a_circle_and_expands_use_trees() {
    assert_eq!(
        expand("crate::db::{store::Store, lookups::{lock_user, require_users}}"),
        [
            "crate::db::store::Store",
            "crate::db::lookups::lock_user",
            "crate::db::lookups::require_users"
        ]
    );
    let (a, b) = (PathBuf::from("a.rs"), PathBuf::from("b.rs"));
    let mut edges = BTreeMap::new();
    edges.insert(a.clone(), BTreeSet::from([b.clone()]));
    edges.insert(b.clone(), BTreeSet::new());
    assert_eq!(find_circle(&edges), None);
    edges.insert(b.clone(), BTreeSet::from([a.clone()]));
    assert!(find_circle(&edges).is_some());
}
