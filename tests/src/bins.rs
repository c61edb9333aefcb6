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
        let status = Command::new(cargo)
            .current_dir(workspace_root())
            .args([
                "build",
                "--quiet",
                "-p",
                "mosaicd",
                "-p",
                "mosaicctl",
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

pub fn mosaicd() -> PathBuf {
    built().join("mosaicd")
}

pub fn mosaicctl() -> PathBuf {
    built().join("mosaicctl")
}
