//! The real Docker Engine for container tests: the agent images built once per run from the
//! test-agent program (no registry: a static binary imported as a root filesystem), daemons that
//! label everything they create with this run's id and their own instance name, per-test cleanup
//! of everything an instance made, a final cleanup of everything this run made, and a sweep of
//! what dead earlier runs left behind.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::bins::workspace_root;
use crate::ci;
use crate::daemon::{DaemonOptions, Out};

/// Every Docker object a test run creates carries `mosaic.test.run=<run id>`.
pub const RUN_LABEL: &str = "mosaic.test.run";
/// …and the pid of the test process, so a later run can tell a dead run's leftovers.
pub const PID_LABEL: &str = "mosaic.test.pid";
/// The label mosaicd puts on everything it creates.
pub const INSTANCE_LABEL: &str = "mosaic.instance";

/// This run's id: the process id and a random suffix.
pub fn run_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!(
            "{}-{:08x}",
            std::process::id(),
            nanos ^ std::process::id().rotate_left(16)
        )
    })
}

/// Runs the docker CLI.
pub fn docker(args: &[&str]) -> Out {
    docker_stdin(args, None)
}

pub fn docker_stdin(args: &[&str], stdin: Option<&[u8]>) -> Out {
    use std::io::Write;
    let mut child = Command::new("docker")
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run docker");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write to docker");
    }
    let output = child.wait_with_output().expect("docker output");
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Whether the engine answers (checked once).
pub fn available() -> bool {
    static UP: OnceLock<bool> = OnceLock::new();
    *UP.get_or_init(|| {
        Command::new("docker")
            .args(["version", "--format", "{{.Server.APIVersion}}"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Stops the test (ignored locally, failed under CI) when there is no Docker Engine.
pub fn require() {
    if !available() {
        ci::missing("Docker Engine (docker CLI and a running dockerd)");
    }
}

/// The agent images of this run, all from the test-agent program.
pub struct Images {
    /// Starts at once and stays healthy.
    pub normal: String,
    /// Listens only after 2 s (`MOCK_STARTUP_DELAY_MS=2000`).
    pub slow: String,
    /// `/healthz` answers 503 forever (`MOCK_FAIL_HEALTH=1`).
    pub failing: String,
    /// `/healthz` and `/readyz` read the request and never answer (`MOCK_PROBE=hang`).
    pub hanging: String,
    /// `/healthz` and `/readyz` answer bytes that are not HTTP (`MOCK_PROBE=garbage`).
    pub garbage: String,
    /// Live at once, ready only after [`READY_DELAY`] (`MOCK_READY_DELAY_MS`).
    pub late_ready: String,
    /// Labelled as an OpenClaw older than Mosaic supports (`org.opencontainers.image.version`).
    pub outdated: String,
    /// For Mosaic's entrypoint script (`agent.entrypoint=script`): BusyBox's shell and wget, and
    /// an `openclaw` command that records what the script handed over, then runs the gateway
    /// double. `None` without BusyBox on the host (Debian package busybox-static).
    pub script: Option<String>,
}

/// Stands in for OpenClaw's CLI in the script image.
const OPENCLAW_STANDIN: &str = r#"#!/bin/sh
# Records what Mosaic's entrypoint script handed over, then runs the gateway double.
set -eu
out=/tmp/handover
mkdir -p "$out"
echo "$*" > "$out/args"
[ -n "${OPENCLAW_GATEWAY_TOKEN:-}" ] && echo set > "$out/gateway-token"
[ -z "${AGENT_TOKEN:-}${AGENT_TOKEN_FILE:-}" ] && echo clean > "$out/agent-token-env"
cp "$OPENCLAW_STATE_DIR/openclaw.json" "$out/openclaw.json"
if [ -f "$OPENCLAW_STATE_DIR/workspace/SOUL.md" ]; then
    cp "$OPENCLAW_STATE_DIR/workspace/SOUL.md" "$out/SOUL.md"
else
    echo absent > "$out/soul-absent"
fi
ls -a /tmp > "$out/tmp-listing"
exec env AGENT_TOKEN="$OPENCLAW_GATEWAY_TOKEN" /test-agent
"#;

/// BusyBox applets the entrypoint script and the stand-in use.
const APPLETS: &[&str] = &[
    "sh", "wget", "httpd", "mktemp", "tr", "head", "mv", "rm", "mkdir", "cat", "cp", "ls", "env", "sleep", "printf",
    "cmp",
];

/// The readiness delay of the late-ready image.
pub const READY_DELAY: Duration = Duration::from_millis(1500);

/// The slow image's startup delay.
pub const SLOW_START: Duration = Duration::from_millis(2000);

/// Builds the images once per run; a failure fails every test that needs them.
pub fn images() -> &'static Images {
    static IMAGES: OnceLock<Result<Images, String>> = OnceLock::new();
    require();
    match IMAGES.get_or_init(build_images) {
        Ok(images) => images,
        Err(e) => panic!("cannot build the test-agent images: {e}"),
    }
}

fn test_agent_binary() -> Result<PathBuf, String> {
    let root = workspace_root();
    let target_dir = root.join("target").join("test-agent");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = crate::bins::nested_cargo(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "mosaic-test-agent",
            "--target",
            "x86_64-unknown-linux-gnu",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err("building the static test-agent failed".into());
    }
    Ok(target_dir
        .join("x86_64-unknown-linux-gnu")
        .join("release")
        .join("mosaic-test-agent"))
}

fn build_images() -> Result<Images, String> {
    sweep_dead_runs();
    let binary = std::fs::read(test_agent_binary()?).map_err(|e| format!("read test-agent: {e}"))?;
    // The image: the binary at /test-agent, OpenClaw's state directory owned by its user (uid
    // 1000; a new named volume copies this ownership), /tmp.
    let mut tar = mosaicd::containers::tar::Tar::new();
    tar.file("test-agent", &binary, 0o755, 0, 0)
        .dir("home", 0o755, 0, 0)
        .dir("home/node", 0o755, 1000, 1000)
        .dir("home/node/.openclaw", 0o755, 1000, 1000)
        .dir("run", 0o755, 0, 0)
        .dir("tmp", 0o1777, 0, 0);
    let rootfs = tar.finish();
    let run = run_id();
    let import = |suffix: &str, env: Option<&str>| -> Result<String, String> {
        let tag = format!("mosaic-test-agent:{run}{suffix}");
        let mut args = vec![
            "import".to_string(),
            "--change".into(),
            "USER 1000:1000".into(),
            "--change".into(),
            r#"ENTRYPOINT ["/test-agent"]"#.into(),
            "--change".into(),
            format!("LABEL {RUN_LABEL}={run} {PID_LABEL}={}", std::process::id()),
        ];
        if let Some(env) = env {
            args.extend(["--change".into(), format!("ENV {env}")]);
        }
        args.extend(["-".into(), tag.clone()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = docker_stdin(&args, Some(&rootfs));
        if out.code != 0 {
            return Err(format!("docker import {tag}: {}", out.stderr));
        }
        Ok(tag)
    };
    let script = match std::fs::read("/bin/busybox") {
        Ok(busybox) if is_static_elf(&busybox) => {
            let mut tar = mosaicd::containers::tar::Tar::new();
            tar.file("test-agent", &binary, 0o755, 0, 0)
                .dir("bin", 0o755, 0, 0)
                .file("bin/busybox", &busybox, 0o755, 0, 0)
                .dir("usr", 0o755, 0, 0)
                .dir("usr/local", 0o755, 0, 0)
                .dir("usr/local/bin", 0o755, 0, 0)
                .file("usr/local/bin/openclaw", OPENCLAW_STANDIN.as_bytes(), 0o755, 0, 0)
                .dir("home", 0o755, 0, 0)
                .dir("home/node", 0o755, 1000, 1000)
                .dir("home/node/.openclaw", 0o755, 1000, 1000)
                .dir("run", 0o755, 0, 0)
                .dir("tmp", 0o1777, 0, 0);
            for applet in APPLETS {
                tar.symlink(&format!("bin/{applet}"), "busybox");
            }
            let rootfs = tar.finish();
            let tag = format!("mosaic-test-agent:{run}-script");
            let label = format!("LABEL {RUN_LABEL}={run} {PID_LABEL}={}", std::process::id());
            let out = docker_stdin(
                &["import", "--change", "USER 1000:1000", "--change", &label, "-", &tag],
                Some(&rootfs),
            );
            if out.code != 0 {
                return Err(format!("docker import {tag}: {}", out.stderr));
            }
            Some(tag)
        }
        _ => None,
    };
    Ok(Images {
        script,
        normal: import("", None)?,
        slow: import(
            "-slow",
            Some(&format!("MOCK_STARTUP_DELAY_MS={}", SLOW_START.as_millis())),
        )?,
        failing: import("-failhealth", Some("MOCK_FAIL_HEALTH=1"))?,
        hanging: import("-hangprobe", Some("MOCK_PROBE=hang"))?,
        garbage: import("-garbageprobe", Some("MOCK_PROBE=garbage"))?,
        late_ready: import(
            "-lateready",
            Some(&format!("MOCK_READY_DELAY_MS={}", READY_DELAY.as_millis())),
        )?,
        outdated: import_with(
            &rootfs,
            &format!("mosaic-test-agent:{run}-outdated"),
            &["LABEL org.opencontainers.image.version=2026.4.1".to_string()],
        )?,
    })
}

/// Imports a root filesystem as an image of this run (labelled, running as uid 1000, the
/// test-agent as its entrypoint), with further Dockerfile `changes`.
fn import_with(rootfs: &[u8], tag: &str, changes: &[String]) -> Result<String, String> {
    let mut args = vec![
        "import".to_string(),
        "--change".into(),
        "USER 1000:1000".into(),
        "--change".into(),
        r#"ENTRYPOINT ["/test-agent"]"#.into(),
        "--change".into(),
        format!("LABEL {RUN_LABEL}={} {PID_LABEL}={}", run_id(), std::process::id()),
    ];
    for change in changes {
        args.extend(["--change".into(), change.clone()]);
    }
    args.extend(["-".into(), tag.to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = docker_stdin(&args, Some(rootfs));
    if out.code != 0 {
        return Err(format!("docker import {tag}: {}", out.stderr));
    }
    Ok(tag.to_string())
}

/// An image like OpenClaw's slim one as far as Mosaic's entrypoint script can tell: a shell and
/// the usual tools, `node`, and neither curl nor wget. Built on first use from the host's BusyBox
/// and Node.js (with the shared libraries it loads); `None` without them.
pub fn slim_node_image() -> Option<&'static str> {
    static IMAGE: OnceLock<Option<String>> = OnceLock::new();
    require();
    IMAGE
        .get_or_init(|| match build_slim_node() {
            Ok(image) => image,
            Err(e) => panic!("cannot build the slim node image: {e}"),
        })
        .as_deref()
}

fn build_slim_node() -> Result<Option<String>, String> {
    let Ok(busybox) = std::fs::read("/bin/busybox") else {
        return Ok(None);
    };
    let Some(node) = which("node") else { return Ok(None) };
    if !is_static_elf(&busybox) {
        return Ok(None);
    }
    let binary = std::fs::read(test_agent_binary()?).map_err(|e| format!("read test-agent: {e}"))?;
    let node = std::fs::canonicalize(&node).map_err(|e| format!("node: {e}"))?;
    let mut tar = mosaicd::containers::tar::Tar::new();
    let mut dirs = BTreeSet::new();
    // Each file at the path the loader looks for it (the bytes of what that path resolves to).
    let mut add_file = |tar: &mut mosaicd::containers::tar::Tar, path: &std::path::Path| -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
        let relative = path.to_string_lossy().trim_start_matches('/').to_string();
        let mut parent = std::path::Path::new(&relative).parent();
        let mut chain = Vec::new();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            chain.push(p.to_string_lossy().to_string());
            parent = p.parent();
        }
        for dir in chain.into_iter().rev() {
            if dirs.insert(dir.clone()) {
                tar.dir(&dir, 0o755, 0, 0);
            }
        }
        tar.file(&relative, &bytes, 0o755, 0, 0);
        Ok(())
    };
    add_file(&mut tar, std::path::Path::new("/usr/bin/node")).or_else(|_| add_file(&mut tar, &node))?;
    let ldd = Command::new("ldd")
        .arg(&node)
        .output()
        .map_err(|e| format!("ldd: {e}"))?;
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` or `/lib64/ld-linux-x86-64.so.2 (0x…)`
        let path = line
            .split("=>")
            .last()
            .and_then(|rest| rest.split_whitespace().next())
            .filter(|p| p.starts_with('/'));
        if let Some(path) = path {
            add_file(&mut tar, std::path::Path::new(path))?;
        }
    }
    for dir in ["usr", "usr/local", "usr/local/bin"] {
        if dirs.insert(dir.to_string()) {
            tar.dir(dir, 0o755, 0, 0);
        }
    }
    tar.dir("bin", 0o755, 0, 0)
        .file("bin/busybox", &busybox, 0o755, 0, 0)
        .file("test-agent", &binary, 0o755, 0, 0)
        .file("usr/local/bin/openclaw", OPENCLAW_STANDIN.as_bytes(), 0o755, 0, 0)
        .dir("home", 0o755, 0, 0)
        .dir("home/node", 0o755, 1000, 1000)
        .dir("home/node/.openclaw", 0o755, 1000, 1000)
        .dir("run", 0o755, 0, 0)
        .dir("tmp", 0o1777, 0, 0);
    for applet in APPLETS.iter().filter(|a| **a != "wget") {
        tar.symlink(&format!("bin/{applet}"), "busybox");
    }
    let tag = format!("mosaic-test-agent:{}-slimnode", run_id());
    let label = format!("LABEL {RUN_LABEL}={} {PID_LABEL}={}", run_id(), std::process::id());
    let out = docker_stdin(
        &["import", "--change", "USER 1000:1000", "--change", &label, "-", &tag],
        Some(&tar.finish()),
    );
    if out.code != 0 {
        return Err(format!("docker import {tag}: {}", out.stderr));
    }
    Ok(Some(tag))
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| PathBuf::from(dir).join(program))
        .find(|p| p.is_file())
}

/// Whether an ELF64 executable has no program interpreter (runs in an image without libc).
fn is_static_elf(bytes: &[u8]) -> bool {
    let read = |at: usize, len: usize| bytes.get(at..at + len);
    if read(0, 4) != Some(b"\x7fELF") || bytes.get(4) != Some(&2) {
        return false;
    }
    let u = |at: usize, len: usize| read(at, len).map(|b| b.iter().rev().fold(0u64, |acc, x| acc << 8 | *x as u64));
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u(0x20, 8), u(0x36, 2), u(0x38, 2)) else {
        return false;
    };
    (0..phnum).all(|i| u((phoff + i * phentsize) as usize, 4).is_some_and(|kind| kind != 3))
}

/// Whether Docker says the container is running.
pub fn container_running(name: &str) -> bool {
    docker(&["inspect", "--format", "{{.State.Running}}", name])
        .stdout
        .trim()
        == "true"
}

/// A fresh instance name for one daemon: tests run daemons in parallel on one engine.
pub fn new_instance() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("t{pid:x}-{n}-{:04x}", nanos & 0xffff)
}

/// Options for a daemon that manages containers in this run: the run labels, its own instance,
/// and short reaper and reconcile intervals.
pub fn daemon_options(instance: &str) -> DaemonOptions {
    daemon_options_with(instance, "300ms", "1s")
}

/// [`daemon_options`] with other reaper and reconcile intervals.
pub fn daemon_options_with(instance: &str, reaper_interval: &str, reconcile_interval: &str) -> DaemonOptions {
    DaemonOptions::default()
        .arg("--instance")
        .arg(instance)
        .arg("--docker-label")
        .arg(format!("{RUN_LABEL}={}", run_id()))
        .arg("--docker-label")
        .arg(format!("{PID_LABEL}={}", std::process::id()))
        .arg("--reaper-interval")
        .arg(reaper_interval)
        .arg("--reconcile-interval")
        .arg(reconcile_interval)
}

/// The ids of every object of `kind` (`ps -a`, `volume ls`, `network ls`, `images`) with a label.
fn ids(kind: &str, filter: &str) -> Vec<String> {
    let args: Vec<&str> = match kind {
        "container" => vec!["ps", "-aq", "--filter", filter],
        "volume" => vec!["volume", "ls", "-q", "--filter", filter],
        "network" => vec!["network", "ls", "-q", "--filter", filter],
        // Swarm objects: without an active swarm there are none (the command fails).
        "service" => vec!["service", "ls", "-q", "--filter", filter],
        "secret" => vec!["secret", "ls", "-q", "--filter", filter],
        _ => vec!["images", "-q", "--filter", filter],
    };
    let out = docker(&args);
    let mut seen = HashSet::new();
    out.stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && seen.insert(l.to_string()))
        .map(str::to_string)
        .collect()
}

/// Removes every container, volume, network and image carrying `label=value` (or just `label`).
pub fn remove_labelled(filter: &str) {
    if !available() {
        return;
    }
    let filter = format!("label={filter}");
    // Services first: their tasks' containers go with them (and are removed below if not yet).
    let services = ids("service", &filter);
    if !services.is_empty() {
        let mut args = vec!["service", "rm"];
        args.extend(services.iter().map(String::as_str));
        docker(&args);
    }
    let containers = ids("container", &filter);
    if !containers.is_empty() {
        let mut args = vec!["rm", "-f", "-v"];
        args.extend(containers.iter().map(String::as_str));
        docker(&args);
    }
    for kind in ["secret", "network", "volume"] {
        // An overlay network or a volume stays in use for a moment after the service that used
        // it is removed: asked again until it is gone (or ten seconds have passed).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = ids(kind, &filter);
            if found.is_empty() {
                break;
            }
            let mut args = vec![kind, "rm"];
            args.extend(found.iter().map(String::as_str));
            if docker(&args).code == 0 || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if kind == "network" {
            // The host firewall chains of the agent networks just removed.
            if let Err(e) = mosaicd::containers::firewall::sweep_stale() {
                eprintln!("cannot remove the firewall chains of removed networks: {e}");
            }
        }
    }
    let images = ids("image", &filter);
    if !images.is_empty() {
        let mut args = vec!["rmi", "-f"];
        args.extend(images.iter().map(String::as_str));
        docker(&args);
    }
}

/// Everything one daemon instance created; removed when dropped, even if the test failed.
pub struct InstanceScope {
    pub instance: String,
}

impl InstanceScope {
    pub fn new() -> InstanceScope {
        InstanceScope {
            instance: new_instance(),
        }
    }

    /// The agent network's name.
    pub fn network(&self) -> String {
        format!("mosaic-{}", self.instance)
    }

    /// The instance's containers by name, with their state (`docker ps -a`).
    pub fn containers(&self) -> Vec<(String, String)> {
        let out = docker(&[
            "ps",
            "-a",
            "--filter",
            &format!("label={INSTANCE_LABEL}={}", self.instance),
            "--format",
            "{{.Names}}\t{{.State}}",
        ]);
        out.stdout
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect()
    }

    /// The instance's volumes by name.
    pub fn volumes(&self) -> Vec<String> {
        let out = docker(&[
            "volume",
            "ls",
            "-q",
            "--filter",
            &format!("label={INSTANCE_LABEL}={}", self.instance),
        ]);
        out.stdout.lines().map(str::to_string).collect()
    }
}

impl Default for InstanceScope {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for InstanceScope {
    fn drop(&mut self) {
        remove_labelled(&format!("{INSTANCE_LABEL}={}", self.instance));
    }
}

/// The address of a container on a network.
pub fn container_ip(name: &str, network: &str) -> Option<String> {
    let out = docker(&[
        "inspect",
        name,
        "--format",
        &format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}"),
    ]);
    (out.code == 0)
        .then(|| out.stdout.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Removes leftovers of earlier runs whose test process is gone.
pub fn sweep_dead_runs() {
    if !available() {
        return;
    }
    let mut dead = HashSet::new();
    for kind in ["service", "secret", "container", "volume", "network", "image"] {
        for id in ids(kind, &format!("label={PID_LABEL}")) {
            let verb = if kind == "image" { "image" } else { kind };
            let format = match kind {
                "container" | "image" => "{{ index .Config.Labels \"mosaic.test.pid\" }}",
                "service" | "secret" => "{{ index .Spec.Labels \"mosaic.test.pid\" }}",
                _ => "{{ index .Labels \"mosaic.test.pid\" }}",
            };
            let out = docker(&[verb, "inspect", "--format", format, &id]);
            let Ok(pid) = out.stdout.trim().parse::<i32>() else {
                continue;
            };
            let alive = pid == std::process::id() as i32
                || nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
            if !alive {
                dead.insert(pid);
            }
        }
    }
    for pid in dead {
        eprintln!("removing Docker objects left by an earlier test run (pid {pid})");
        remove_labelled(&format!("{PID_LABEL}={pid}"));
    }
}

/// Removes everything this run created. Called once, after the last test. A swarm this run
/// made for its tests is left again.
pub fn teardown() {
    if available() {
        remove_labelled(&format!("{RUN_LABEL}={}", run_id()));
        if SWARM_MADE.load(std::sync::atomic::Ordering::SeqCst) {
            docker(&["swarm", "leave", "--force"]);
            // Docker leaves the bridge the swarm made for its tasks behind: it was not here.
            if !GWBRIDGE_FOUND.load(std::sync::atomic::Ordering::SeqCst) {
                docker(&["network", "rm", "docker_gwbridge"]);
            }
        }
    }
}

/// Which container runtime a daemon drives (`--runtime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// Containers on this engine; mosaicd runs as a process on the host.
    Docker,
    /// Services on a single-node swarm; mosaicd runs in a container on the agents' overlay.
    Swarm,
}

impl Driver {
    pub fn name(self) -> &'static str {
        match self {
            Driver::Docker => "docker",
            Driver::Swarm => "swarm",
        }
    }
}

/// Set when this run made the machine a swarm (it leaves it again in [`teardown`]).
static SWARM_MADE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Whether `docker_gwbridge` existed before this run made the swarm.
static GWBRIDGE_FOUND: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// This engine's swarm node id, making the machine a single-node swarm if it is none (left again
/// at the end of the run). A machine that cannot be made one fails the test under CI.
pub fn swarm_node() -> &'static str {
    static NODE: OnceLock<Result<String, String>> = OnceLock::new();
    require();
    let node = NODE.get_or_init(|| {
        let state = |field: &str| {
            docker(&["info", "--format", &format!("{{{{.Swarm.{field}}}}}")])
                .stdout
                .trim()
                .to_string()
        };
        if state("LocalNodeState") != "active" {
            let found = docker(&["network", "inspect", "docker_gwbridge"]).code == 0;
            GWBRIDGE_FOUND.store(found, std::sync::atomic::Ordering::SeqCst);
            let init = docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
            if init.code != 0 {
                return Err(format!(
                    "a single-node Docker swarm (docker swarm init: {})",
                    init.stderr.trim()
                ));
            }
            SWARM_MADE.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        if state("ControlAvailable") != "true" {
            return Err("a Docker swarm whose local node is a manager".into());
        }
        Ok(state("NodeID"))
    });
    match node {
        Ok(id) => id,
        Err(what) => ci::missing(what),
    }
}

/// The network the containerised mosaicd's API port is published from: a user-defined bridge
/// (so the engine's DNS serves it, and names on the overlay it joins resolve), one per run.
pub fn front_network() -> &'static str {
    static NETWORK: OnceLock<Result<String, String>> = OnceLock::new();
    let network = NETWORK.get_or_init(|| {
        let name = format!("mosaic-test-front-{}", run_id());
        let out = docker(&[
            "network",
            "create",
            "--driver",
            "bridge",
            "--label",
            &format!("{RUN_LABEL}={}", run_id()),
            "--label",
            &format!("{PID_LABEL}={}", std::process::id()),
            &name,
        ]);
        if out.code != 0 {
            return Err(format!("docker network create {name}: {}", out.stderr));
        }
        Ok(name)
    });
    match network {
        Ok(name) => name,
        Err(e) => panic!("{e}"),
    }
}

/// An image holding the mosaicd binary this run built, with the shared libraries `ldd` lists
/// (imported as a root filesystem: no registry, no base image). Built once per run.
pub fn mosaicd_image() -> &'static str {
    static IMAGE: OnceLock<Result<String, String>> = OnceLock::new();
    require();
    match IMAGE.get_or_init(build_mosaicd_image) {
        Ok(tag) => tag,
        Err(e) => panic!("cannot build the mosaicd image: {e}"),
    }
}

fn build_mosaicd_image() -> Result<String, String> {
    let binary_path = crate::bins::mosaicd();
    let binary = std::fs::read(&binary_path).map_err(|e| format!("read mosaicd: {e}"))?;
    let ldd = Command::new("ldd")
        .arg(&binary_path)
        .output()
        .map_err(|e| format!("ldd: {e}"))?;
    let mut tar = mosaicd::containers::tar::Tar::new();
    tar.dir("usr", 0o755, 0, 0)
        .dir("usr/local", 0o755, 0, 0)
        .dir("usr/local/bin", 0o755, 0, 0)
        .file("usr/local/bin/mosaicd", &binary, 0o755, 0, 0)
        .dir("tmp", 0o1777, 0, 0)
        .dir("run", 0o755, 0, 0)
        .dir("etc", 0o755, 0, 0);
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    let mut libs = Vec::new();
    // Lines like `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` and
    // `/lib64/ld-linux-x86-64.so.2 (0x…)`.
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        let Some(path) = path.filter(|p| p.starts_with('/')) else {
            continue;
        };
        let bytes = std::fs::read(path).map_err(|e| format!("read {path}: {e}"))?;
        let inside = path.trim_start_matches('/').to_string();
        let mut parent = std::path::Path::new(&inside).parent();
        while let Some(dir) = parent.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(dir.to_string_lossy().into_owned());
            parent = dir.parent();
        }
        libs.push((inside, bytes));
    }
    for dir in &dirs {
        tar.dir(dir, 0o755, 0, 0);
    }
    for (path, bytes) in &libs {
        tar.file(path, bytes, 0o755, 0, 0);
    }
    let rootfs = tar.finish();
    let tag = format!("mosaic-test-mosaicd:{}", run_id());
    let label = format!("LABEL {RUN_LABEL}={} {PID_LABEL}={}", run_id(), std::process::id());
    let out = docker_stdin(
        &[
            "import",
            "--change",
            &label,
            "--change",
            r#"ENTRYPOINT ["/usr/local/bin/mosaicd"]"#,
            "-",
            &tag,
        ],
        Some(&rootfs),
    );
    if out.code != 0 {
        return Err(format!("docker import {tag}: {}", out.stderr));
    }
    Ok(tag)
}

/// [`daemon_options`] for `driver`: under Swarm, mosaicd runs in a container of
/// [`mosaicd_image`] with the engine's socket, on [`front_network`], and drives services.
pub fn daemon_options_on(
    driver: Driver,
    instance: &str,
    reaper_interval: &str,
    reconcile_interval: &str,
) -> DaemonOptions {
    let options = daemon_options_with(instance, reaper_interval, reconcile_interval);
    match driver {
        Driver::Docker => options,
        Driver::Swarm => {
            swarm_node();
            let mut options = options.arg("--runtime").arg("swarm");
            options.container = Some(crate::daemon::InContainer {
                image: mosaicd_image().to_string(),
                network: front_network().to_string(),
                labels: vec![
                    (RUN_LABEL.to_string(), run_id().to_string()),
                    (PID_LABEL.to_string(), std::process::id().to_string()),
                ],
            });
            options
        }
    }
}

/// Whether the agent `name` runs, as the engine says: its container runs (Docker), or its
/// service has one replica with a running task (Swarm).
pub fn agent_running(driver: Driver, name: &str) -> bool {
    match driver {
        Driver::Docker => container_running(name),
        Driver::Swarm => {
            service_replicas(name) == Some(1)
                && docker(&[
                    "service",
                    "ps",
                    "--filter",
                    "desired-state=running",
                    "--format",
                    "{{.CurrentState}}",
                    name,
                ])
                .stdout
                .lines()
                .any(|l| l.starts_with("Running"))
        }
    }
}

/// Kills the agent `name` from outside: its container (Docker), or its service's task
/// container (Swarm, whose restart policy leaves it dead).
pub fn kill_agent(driver: Driver, name: &str) {
    let id = match driver {
        Driver::Docker => name.to_string(),
        Driver::Swarm => docker(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.swarm.service.name={name}"),
        ])
        .ok()
        .trim()
        .to_string(),
    };
    assert!(!id.is_empty(), "{name} has a running container");
    docker(&["kill", &id]).ok();
}

/// A service's replicas, if the service exists.
pub fn service_replicas(name: &str) -> Option<u64> {
    let out = docker(&[
        "service",
        "inspect",
        "--format",
        "{{.Spec.Mode.Replicated.Replicas}}",
        name,
    ]);
    (out.code == 0).then(|| out.stdout.trim().parse().ok()).flatten()
}

/// Polls `check` until it returns `Some`, or panics with `what` after `limit`.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A Unix socket in front of the Docker Engine's socket that a test can cut and restore: Docker
/// "going away" without touching the real engine.
pub struct SocketProxy {
    pub path: PathBuf,
    _dir: tempfile::TempDir,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

const ENGINE_SOCKET: &str = "/var/run/docker.sock";

impl SocketProxy {
    pub async fn start() -> SocketProxy {
        require();
        let dir = tempfile::Builder::new()
            .prefix("mosaic-dockerproxy-")
            .tempdir()
            .expect("temp dir");
        let proxy = SocketProxy {
            path: dir.path().join("docker.sock"),
            _dir: dir,
            tasks: Default::default(),
        };
        proxy.listen();
        proxy
    }

    fn listen(&self) {
        let listener = tokio::net::UnixListener::bind(&self.path).expect("bind proxy socket");
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    break;
                };
                let conn = tokio::spawn(async move {
                    if let Ok(mut engine) = tokio::net::UnixStream::connect(ENGINE_SOCKET).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                    }
                });
                tasks.lock().expect("lock").push(conn.abort_handle());
            }
        });
        self.tasks.lock().expect("lock").push(accept.abort_handle());
    }

    /// Docker goes away: open connections are cut and the socket disappears.
    pub fn cut(&self) {
        for task in self.tasks.lock().expect("lock").drain(..) {
            task.abort();
        }
        let _ = std::fs::remove_file(&self.path);
    }

    /// Docker is back at the same address.
    pub async fn restore(&self) {
        self.listen();
    }
}

impl Drop for SocketProxy {
    fn drop(&mut self) {
        self.cut();
    }
}
