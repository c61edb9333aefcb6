//! The benchmark program still works: its chat scenarios run in quick mode (a second of load
//! each, a few samples) against the real daemon, nginx and the agent, and print their table. No
//! figure is checked: timings are the benchmark's business, not a test's.

use libtest_mimic::Trial;
use mosaic_tests::bins::{nested_cargo, workspace_root};
use mosaic_tests::{ci, trial};

pub fn trials() -> Vec<Trial> {
    vec![trial("bench::chat_scenarios_run_in_quick_mode", || async {
        chat_scenarios_run_in_quick_mode()
    })]
}

fn chat_scenarios_run_in_quick_mode() {
    for (tool, package) in [("wrk", "wrk"), ("nginx", "nginx")] {
        let found = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"]
            .iter()
            .any(|dir| std::path::Path::new(dir).join(tool).is_file());
        if !found {
            ci::missing(&format!("`{tool}` for the benchmark (Debian package {package})"));
        }
    }
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/integration-… → target
    let target = exe.ancestors().nth(3).expect("the target directory").to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = nested_cargo(&cargo)
        .current_dir(workspace_root())
        .args([
            "bench",
            "--quiet",
            "-p",
            "mosaic-tests",
            "--bench",
            "mosaic",
            "--profile",
            "dev",
            "--",
            "chat",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env("MOSAIC_BENCH_QUICK", "1")
        .output()
        .expect("run cargo bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the benchmark failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "warm chat under load",
        "nginx, plain reverse proxy to the same agent",
        "isolated request (new connection each)",
        "time to first chunk",
        "open streams through mosaicd, each",
    ] {
        assert!(stdout.contains(row), "the table has `{row}`:\n{stdout}");
    }
}
