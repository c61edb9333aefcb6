//! The daemon's layers, checked: among `src`'s top-level modules, each uses (`crate::…`) only
//! modules of lower layers, so the imports form no cycle. A newcomer finds each concept where its
//! name says, and can change a lower layer without reading the ones above it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// From the bottom up; a module may use the modules of the layers below its own (and, within a
/// layer, none of its neighbours).
const LAYERS: &[&[&str]] = &[
    // What everything may use: the command line, errors, secrets at rest, metrics, the service
    // manager's notifications, request ids, the time.
    &["cli", "secrets", "metrics", "systemd", "spans", "clock"],
    &["error"],
    // The database, and the data directory it lives in (made and locked).
    &["store", "data_dir"],
    &["config"],
    // Who is asking: passwords, tokens, the principal.
    &["auth"],
    // What runs beside the requests: the agent containers (lifecycle, their config, the reaper)
    // and the chat usage accumulator (tickets, batches, the flusher).
    &["containers", "usage"],
    // The product's rules, as narrow services.
    &["service"],
    // The services composed.
    &["app"],
    // The front ends: the HTTP API, the admin socket, and `mosaicd restore` (run with the daemon
    // stopped, on the store alone).
    &["http", "rpc", "restore"],
    // The daemon: startup and shutdown.
    &["lib", "main"],
];

/// Every `crate::<module>` a source text names (in `use` trees and paths), comments left out.
fn crate_paths(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // `crate::{a::b, c}`: the first segment of each item at the top of the group.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.extend(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            found.extend(first_segment(&item));
        } else {
            found.extend(first_segment(after));
        }
        rest = after;
    }
    found
}

fn first_segment(text: &str) -> Option<String> {
    let name: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())).then_some(name)
}

/// Top-level module → the top-level modules it uses.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src");
            let first = relative.components().next().expect("a component");
            let module = first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
            if module == "layering" {
                // This check itself (its examples name modules).
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            let used = graph.entry(module.clone()).or_default();
            used.extend(crate_paths(&text).into_iter().filter(|m| *m != module));
        }
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&src);
    let mut wrong = Vec::new();
    for (module, used) in &graph {
        let Some(own) = layer_of(module) else {
            wrong.push(format!("{module} is in no layer: add it to LAYERS"));
            continue;
        };
        for other in used {
            match layer_of(other) {
                Some(layer) if layer < own => {}
                Some(_) => wrong.push(format!("{module} uses {other}, which is not below it")),
                None => wrong.push(format!("{module} uses {other}, which is in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn reads_crate_paths() {
    let text = "use crate::store::audit::Actor;\nuse crate::{error::Error, http::{a, b}};\n\
                // crate::app is only mentioned\nlet x = crate::containers::new();";
    let found: Vec<_> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["containers", "error", "http", "store"]);
}
