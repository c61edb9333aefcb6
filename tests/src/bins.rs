//! The real binaries under test, built from this checkout before the first test uses them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (the directory holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `target/<profile>` of the running test binary (`target/<profile>/deps/integration-…`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let deps = exe.parent().expect("exe dir");
    let dir = if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().expect("profile dir")
    } else {
        deps
    };
    dir.to_path_buf()
}

fn built() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = profile_dir();
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev".to_string(),
            Some(other) => other.to_string(),
            None => "dev".to_string(),
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = nested_cargo(&cargo)
            .current_dir(workspace_root())
            .args([
                "build",
                "--quiet",
                "-p",
                "mosaicd",
                "-p",
                "mosaicctl",
                "--features",
                "mosaicd/test-clock",
                "--profile",
                &profile,
            ])
            .env("CARGO_TARGET_DIR", dir.parent().expect("target dir"))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building mosaicd and mosaicctl failed");
        dir
    })
}

/// A cargo command without the variables `cargo test` gives the test process
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, …): build scripts such as ring's rerun when they
/// change, so inheriting them would rebuild half the tree on every test run, alternately with the
/// outer build.
pub fn nested_cargo(cargo: &str) -> Command {
    let mut command = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let from_cargo_test = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || matches!(
                name,
                "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "CARGO_TARGET_TMPDIR" | "CARGO_BIN_NAME" | "OUT_DIR"
            );
        if from_cargo_test {
            command.env_remove(name);
        }
    }
    command
}

pub fn mosaicd() -> PathBuf {
    built().join("mosaicd")
}

pub fn mosaicctl() -> PathBuf {
    built().join("mosaicctl")
}
