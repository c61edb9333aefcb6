//! A real `mosaicd` process on a temporary data directory, socket and port, and `mosaicctl`
//! invocations against it. The process is killed when the fixture is dropped, so a failing test
//! leaves no daemon behind.
//!
//! The harness knows the daemon is ready the way systemd does: it passes a Unix datagram socket
//! of its own as `NOTIFY_SOCKET` and waits for `READY=1` on it.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::net::UnixDatagram;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::bins;

/// How a daemon is started. The defaults give the embedded SQLite and a generated key.
#[derive(Debug, Clone, Default)]
pub struct DaemonOptions {
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    /// Use this data directory instead of a fresh one inside the fixture's temp dir.
    pub data_dir: Option<PathBuf>,
    pub socket: Option<PathBuf>,
    /// Listen on every address (`0.0.0.0`) instead of loopback only.
    pub listen_everywhere: bool,
    /// Run the daemon in a container instead of as a process (the swarm driver's tests).
    pub container: Option<InContainer>,
}

/// How a daemon runs in a container: `docker run` of `image` (the binary this run built) on the
/// user-defined bridge `network`, with the engine's socket and the fixture's temp dir mounted at
/// their own paths (so data dir, admin socket, notify socket and clock file are where they would
/// be), its API port published on loopback at the port the fixture chose. Attached, so its log
/// goes to the fixture's log file and a SIGTERM to the `docker run` reaches mosaicd.
#[derive(Debug, Clone)]
pub struct InContainer {
    pub image: String,
    pub network: String,
    pub labels: Vec<(String, String)>,
}

impl DaemonOptions {
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }
}

pub struct Daemon {
    /// Holds the data directory, socket and log unless given other paths.
    pub dir: tempfile::TempDir,
    pub data_dir: PathBuf,
    pub socket: PathBuf,
    pub http: SocketAddr,
    pub options: DaemonOptions,
    log_path: PathBuf,
    child: Option<Child>,
    /// The container the current process runs in, when it runs in one.
    container_name: Option<String>,
    /// The notify socket of the current process (a new one per start).
    notify: Option<UnixDatagram>,
    /// The notifications the current process sent so far, one `KEY=VALUE` line each.
    notices: Vec<String>,
}

/// The result of a finished command.
#[derive(Debug, Clone)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "command failed: {self:?}");
        &self.stdout
    }

    /// Asserts success and parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Asserts failure with `code` and a one-line reason on stderr containing `needle`.
    #[track_caller]
    pub fn fails(&self, code: i32, needle: &str) {
        assert_eq!(self.code, code, "unexpected exit code: {self:?}");
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}: {self:?}");
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "reason is not one line: {self:?}"
        );
    }
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl Daemon {
    /// Starts a daemon with default options and waits until it is ready.
    pub fn start() -> Daemon {
        Self::start_with(DaemonOptions::default())
    }

    #[track_caller]
    pub fn start_with(options: DaemonOptions) -> Daemon {
        match Self::try_start(options) {
            Ok(daemon) => daemon,
            Err((status, log)) => panic!("mosaicd did not become ready ({status:?}):\n{log}"),
        }
    }

    /// Starts a daemon; if it exits before becoming ready, returns its exit status and log.
    pub fn try_start(options: DaemonOptions) -> Result<Daemon, (Option<ExitStatus>, String)> {
        let dir = tempfile::Builder::new()
            .prefix("mosaic-test-")
            .tempdir()
            .expect("temp dir");
        let data_dir = options.data_dir.clone().unwrap_or_else(|| dir.path().join("data"));
        let socket = options
            .socket
            .clone()
            .unwrap_or_else(|| dir.path().join("mosaicd.sock"));
        let ip = if options.listen_everywhere {
            [0, 0, 0, 0]
        } else {
            [127, 0, 0, 1]
        };
        let http = SocketAddr::from((ip, free_port()));
        let mut daemon = Daemon {
            log_path: dir.path().join("mosaicd.log"),
            dir,
            data_dir,
            socket,
            http,
            options,
            child: None,
            container_name: None,
            notify: None,
            notices: Vec::new(),
        };
        daemon.spawn()?;
        Ok(daemon)
    }

    fn spawn(&mut self) -> Result<(), (Option<ExitStatus>, String)> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("log file");
        let start_offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        self.notices.clear();
        let notify = self.bind_notify_socket();
        let mut command = Command::new(bins::mosaicd());
        command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--socket")
            .arg(&self.socket)
            .arg("--listen")
            .arg(self.http.to_string())
            .args(&self.options.args)
            // The developer's own settings must not leak into a test daemon.
            .env_remove("DATABASE_URL")
            .env_remove("MOSAIC_SECRET_KEY")
            .env_remove("MOSAIC_CONFIG")
            .env_remove("MOSAIC_ADMIN_GROUP")
            .env_remove("DOCKER_HOST")
            .env_remove("MOSAIC_INSTANCE")
            .env_remove("MOSAIC_DOCKER_LABELS")
            .env_remove("MOSAIC_AGENT_API_URL")
            .env_remove("MOSAIC_INTERNAL_LISTEN")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env("NOTIFY_SOCKET", &notify)
            .env("MOSAIC_LOG", "info,mosaicd=debug")
            .env("MOSAIC_TEST_CLOCK_OFFSET_FILE", self.clock_file())
            .envs(self.options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        // SAFETY: prctl is async-signal-safe. If the harness is killed, the daemon shuts down
        // with it (its reaper and reconciler must not outlive the run). Daemons are started on
        // the thread of the test that owns them, which outlives them.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        if let Some(container) = self.options.container.clone() {
            command = self.in_container(&command, &container);
        }
        let mut child = command.spawn().expect("spawn mosaicd");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.wait_notice("READY=1", Duration::from_millis(25)) {
                self.child = Some(child);
                return Ok(());
            }
            if let Some(status) = child.try_wait().expect("wait") {
                return Err((Some(status), self.log_since(start_offset)));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err((None, self.log_since(start_offset)));
            }
        }
    }

    /// `command` (mosaicd, its arguments and environment) as a `docker run` of `container`.
    fn in_container(&mut self, command: &Command, container: &InContainer) -> Command {
        let name = format!("mosaicd-test-{}", uuid::Uuid::new_v4().simple());
        let mut run = Command::new("docker");
        run.args(["run", "--rm", "--name", &name, "--network", &container.network]);
        for (key, value) in &container.labels {
            run.arg("--label").arg(format!("{key}={value}"));
        }
        run.arg("--publish")
            .arg(format!("127.0.0.1:{port}:{port}", port = self.http.port()))
            .arg("--volume")
            .arg("/var/run/docker.sock:/var/run/docker.sock");
        let mut mounts = vec![self.dir.path().to_path_buf(), self.data_dir.clone()];
        mounts.extend(self.socket.parent().map(Path::to_path_buf));
        let mut mounted: Vec<PathBuf> = Vec::new();
        for dir in mounts {
            let _ = std::fs::create_dir_all(&dir);
            if mounted.iter().any(|m| dir.starts_with(m)) {
                continue;
            }
            run.arg("--volume").arg(format!("{0}:{0}", dir.display()));
            mounted.push(dir);
        }
        for (key, value) in command.get_envs() {
            if let Some(value) = value {
                run.arg("--env")
                    .arg(format!("{}={}", key.to_string_lossy(), value.to_string_lossy()));
            }
        }
        run.arg(&container.image);
        // The API listens on every address inside the container; the host reaches it through
        // the published port.
        let mut args = command.get_args().map(|a| a.to_os_string()).collect::<Vec<_>>();
        if let Some(at) = args.iter().position(|a| a == "--listen") {
            args[at + 1] = format!("0.0.0.0:{}", self.http.port()).into();
        }
        run.args(args);
        run.stdin(Stdio::null());
        let log = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log_path)
            .expect("log file");
        run.stdout(log.try_clone().expect("log")).stderr(log);
        // SAFETY: as for the process itself: the `docker run` dies with the harness, and passes
        // the SIGTERM on to mosaicd.
        unsafe {
            run.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        self.container_name = Some(name);
        run
    }

    /// Removes the container the daemon ran in, if it still exists.
    fn remove_container(&mut self) {
        if let Some(name) = self.container_name.take() {
            let _ = Command::new("docker")
                .args(["rm", "-f", &name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    /// Binds a fresh notify socket for the next process; returns its path.
    fn bind_notify_socket(&mut self) -> PathBuf {
        let path = self.dir.path().join("notify.sock");
        let _ = std::fs::remove_file(&path);
        let socket = UnixDatagram::bind(&path).expect("bind the notify socket");
        self.notify = Some(socket);
        path
    }

    /// Reads notifications until one line equals `line` (true) or `limit` passes (false).
    /// Lines already received count.
    pub fn wait_notice(&mut self, line: &str, limit: Duration) -> bool {
        if self.notices.iter().any(|n| n == line) {
            return true;
        }
        let Some(socket) = &self.notify else { return false };
        let deadline = Instant::now() + limit;
        let mut buf = vec![0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            socket.set_read_timeout(Some(left)).expect("timeout");
            match socket.recv(&mut buf) {
                Ok(n) => {
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    self.notices.extend(text.lines().map(str::to_string));
                    if self.notices.iter().any(|n| n == line) {
                        return true;
                    }
                }
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return false;
                }
                Err(e) => panic!("notify socket: {e}"),
            }
        }
    }

    /// The notification lines the current process sent so far (`READY=1`, `STATUS=…`, `STOPPING=1`, …).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    fn log_since(&self, offset: u64) -> String {
        let bytes = std::fs::read(&self.log_path).unwrap_or_default();
        String::from_utf8_lossy(&bytes[(offset as usize).min(bytes.len())..]).into_owned()
    }

    /// Where this daemon reads how far its clock is moved (the binaries are built with the
    /// `test-clock` feature; see `mosaicd::clock`).
    fn clock_file(&self) -> PathBuf {
        self.dir.path().join("clock-offset-ms")
    }

    /// Moves the daemon's clock forward: sessions, tokens, invites, the setup token, OIDC flows
    /// and idle times see the time pass at once (timers and latencies do not).
    pub fn advance_clock(&self, by: Duration) {
        let path = self.clock_file();
        let now: i64 = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        let next = now + i64::try_from(by.as_millis()).expect("a sane duration");
        // Written beside and renamed, so the daemon never reads half a number.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, next.to_string()).expect("write the clock offset");
        std::fs::rename(&partial, &path).expect("move the clock offset in place");
    }

    /// Everything the daemon logged, across restarts.
    pub fn log(&self) -> String {
        self.log_since(0)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// Sends `signal` and waits for the process to exit.
    pub fn stop_with(&mut self, signal: nix::sys::signal::Signal) -> ExitStatus {
        let mut child = self.child.take().expect("daemon is running");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).expect("signal");
        wait_timeout(&mut child, Duration::from_secs(30)).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("mosaicd did not exit within 30 s of {signal}:\n{}", self.log())
        })
    }

    /// SIGTERM and wait.
    pub fn stop(&mut self) -> ExitStatus {
        self.stop_with(nix::sys::signal::Signal::SIGTERM)
    }

    /// SIGKILL and wait: a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // In a container, killing `docker run` leaves mosaicd running: remove it (a kill).
        self.remove_container();
    }

    /// Starts the daemon again on the same directories, socket and port.
    #[track_caller]
    pub fn restart(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
        if let Err((status, log)) = self.spawn() {
            panic!("mosaicd did not restart ({status:?}):\n{log}");
        }
    }

    /// Starts the daemon again with changed options; returns the failure if it does not start.
    pub fn restart_with(&mut self, options: DaemonOptions) -> Result<(), (Option<ExitStatus>, String)> {
        if self.child.is_some() {
            self.stop();
        }
        self.options = options;
        self.spawn()
    }

    /// Runs `mosaicctl --socket <this daemon's socket> ARGS`.
    pub fn ctl(&self, args: &[&str]) -> Out {
        self.ctl_as(args, None, None)
    }

    /// Runs `mosaicctl` with `stdin` written to its standard input.
    pub fn ctl_stdin(&self, args: &[&str], stdin: &str) -> Out {
        self.ctl_as(args, Some(stdin), None)
    }

    /// Runs `mosaicctl` as another user: (uid, primary gid, supplementary groups).
    pub fn ctl_as(&self, args: &[&str], stdin: Option<&str>, user: Option<(u32, u32, Vec<u32>)>) -> Out {
        let mut command = Command::new(bins::mosaicctl());
        command.arg("--socket").arg(&self.socket).args(args);
        ctl_command(command, stdin, user)
    }
}

/// Runs a prepared `mosaicctl` command and collects its output (30 s limit).
pub fn ctl_command(mut command: Command, stdin: Option<&str>, user: Option<(u32, u32, Vec<u32>)>) -> Out {
    command
        .env_remove("MOSAIC_SOCKET")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some((uid, gid, groups)) = user {
        // std would run pre_exec after its own setuid, too late for setgroups: do all three
        // here, in the order the kernel requires. Only async-signal-safe calls.
        // SAFETY: setgroups, setgid and setuid are async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                if libc::setgroups(groups.len(), groups.as_ptr()) != 0
                    || libc::setgid(gid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command.spawn().expect("spawn mosaicctl");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // A command that refuses its arguments exits without reading stdin: not our failure.
        let _ = pipe.write_all(text.as_bytes());
    }
    let output = wait_output(child, Duration::from_secs(60));
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn wait_output(child: Child, limit: Duration) -> std::process::Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => output.expect("collect output"),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("command did not finish within {limit:?}");
        }
    }
}

pub fn wait_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            if wait_timeout(&mut child, Duration::from_secs(15)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        self.remove_container();
    }
}

/// Waits until `path` exists (or not), for up to `limit`.
pub fn wait_for_path(path: &Path, exists: bool, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if path.exists() == exists {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
