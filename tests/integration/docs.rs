//! The committed man pages and shell completions must match the clap definitions, and the committed
//! OpenAPI document the one mosaicd derives from its types and serves.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;
use libtest_mimic::Trial;
use mosaic_tests::bins::workspace_root;
use mosaic_tests::trial;

pub fn trials() -> Vec<Trial> {
    vec![
        trial("docs::generated_files_are_fresh", || async {
            generated_files_are_fresh()
        }),
        trial("docs::openapi_document_is_fresh", || async {
            openapi_document_is_fresh()
        }),
    ]
}

/// Every generated file, by path relative to the workspace root.
fn generate() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for (name, command, section) in [
        ("mosaicctl", mosaicctl::cli::Cli::command(), "1"),
        ("mosaicd", mosaicd::cli::Args::command(), "8"),
    ] {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command.clone(), name, &mut out);
            let file = match shell {
                Shell::Bash => format!("{name}.bash"),
                Shell::Zsh => format!("_{name}"),
                Shell::Fish => format!("{name}.fish"),
                _ => format!("{name}.elv"),
            };
            files.insert(PathBuf::from("completions").join(file), out);
        }
        man_pages(&mut files, command.clone(), name, section);
    }
    files
}

/// One page for the command and one for each subcommand (`mosaicctl-admin-rotate-key.1`).
fn man_pages(files: &mut BTreeMap<PathBuf, Vec<u8>>, command: clap::Command, name: &str, section: &str) {
    let command = command.name(name.to_string()).bin_name(name.replace('-', " "));
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone())
        .section(section)
        .render(&mut out)
        .expect("render man page");
    files.insert(PathBuf::from("man").join(format!("{name}.{section}")), out);
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        man_pages(files, sub.clone(), &format!("{name}-{}", sub.get_name()), section);
    }
}

fn generated_files_are_fresh() {
    let root = workspace_root();
    let expected = generate();
    if std::env::var("MOSAIC_REGENERATE").as_deref() == Ok("1") {
        // Regenerating proves nothing: under CI the files must be checked as committed.
        assert!(!mosaic_tests::ci::under_ci(), "MOSAIC_REGENERATE=1 under CI");
        for dir in ["completions", "man"] {
            let _ = std::fs::remove_dir_all(root.join(dir));
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for (path, bytes) in &expected {
            std::fs::write(root.join(path), bytes).unwrap();
        }
        return;
    }
    let mut actual = BTreeMap::new();
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            actual.insert(
                path.strip_prefix(&root).unwrap().to_path_buf(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
    let stale: Vec<_> = expected
        .keys()
        .chain(actual.keys())
        .filter(|p| expected.get(*p) != actual.get(*p))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        stale.is_empty(),
        "man pages or completions are stale: {stale:?}\nregenerate with: MOSAIC_REGENERATE=1 cargo test --test integration docs::"
    );
}

/// `mosaicd/openapi.json` is a snapshot of the document mosaicd builds from its DTOs and routes (and
/// serves at `/api/openapi.json`): a change to the API shows in review as a change to this file.
fn openapi_document_is_fresh() {
    let path = workspace_root().join("mosaicd/openapi.json");
    let generated = mosaicd::http::openapi::json();
    if std::env::var("MOSAIC_REGENERATE").as_deref() == Ok("1") {
        assert!(!mosaic_tests::ci::under_ci(), "MOSAIC_REGENERATE=1 under CI");
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == generated {
        return;
    }
    let (old, new): (Vec<&str>, Vec<&str>) = (committed.lines().collect(), generated.lines().collect());
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let around = |lines: &[&str]| {
        let from = first.saturating_sub(3);
        lines[from.min(lines.len())..(first + 4).min(lines.len())]
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{:>6} {l}", from + i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "mosaicd/openapi.json is not the document mosaicd generates ({} lines committed, {} generated); \
         first difference at line {}:\n--- committed\n{}\n+++ generated\n{}\n\
         regenerate with: MOSAIC_REGENERATE=1 cargo test -p mosaic-tests --test integration -- docs::",
        old.len(),
        new.len(),
        first + 1,
        around(&old),
        around(&new),
    );
}
