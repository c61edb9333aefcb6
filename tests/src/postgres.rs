//! A private PostgreSQL server for the whole test run: Debian's binaries, a throwaway cluster in a
//! temp dir, listening on loopback on a free port. Each test gets its own database. Started by the
//! harness's main thread before the tests and stopped after them.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::ci;
use crate::daemon::{free_port, wait_timeout};

pub struct Postgres {
    pub port: u16,
    bin: PathBuf,
    dir: PathBuf,
    child: Mutex<Option<Child>>,
}

static SERVER: OnceLock<Result<Postgres, String>> = OnceLock::new();

/// Starts the shared server. Call from the main thread (the server is tied to its lifetime).
pub fn start() {
    SERVER.get_or_init(launch);
}

/// The shared server; marks the test ignored (or failed under CI) when PostgreSQL is missing.
pub fn server() -> &'static Postgres {
    match SERVER.get_or_init(launch) {
        Ok(pg) => pg,
        Err(reason) => ci::missing(reason),
    }
}

pub fn teardown() {
    if let Some(Ok(pg)) = SERVER.get() {
        pg.stop();
        let _ = std::fs::remove_dir_all(&pg.dir);
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("postgres").exists());
    if on_path.is_some() {
        return on_path;
    }
    // Debian keeps the server binaries off PATH, one directory per major version.
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// The user PostgreSQL runs as: itself refuses to run as root.
fn server_user() -> Option<(u32, u32)> {
    if !ci::is_root() {
        return None;
    }
    nix::unistd::User::from_name("postgres")
        .ok()
        .flatten()
        .map(|u| (u.uid.as_raw(), u.gid.as_raw()))
}

fn as_server_user(command: &mut Command) -> &mut Command {
    if let Some((uid, gid)) = server_user() {
        command.uid(uid).gid(gid);
    }
    command
}

fn launch() -> Result<Postgres, String> {
    Postgres::launch(&format!("mosaic-test-pg-{}", std::process::id()))
}

impl Postgres {
    /// A server of the test's own, for a test that stops and starts it (the shared one serves
    /// other tests at the same time). Stopped and removed when dropped.
    pub fn private() -> Postgres {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "mosaic-test-pg-{}-own{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        Postgres::launch(&name).unwrap_or_else(|reason| ci::missing(&reason))
    }

    /// A new cluster in a temp dir named `name`, started.
    fn launch(name: &str) -> Result<Postgres, String> {
        let bin = find_bin_dir().ok_or("PostgreSQL server binaries (Debian package postgresql)")?;
        if ci::is_root() && server_user().is_none() {
            return Err("a 'postgres' system user to run PostgreSQL as (Debian package postgresql)".into());
        }
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = server_user() {
            nix::unistd::chown(
                &dir,
                Some(nix::unistd::Uid::from_raw(uid)),
                Some(nix::unistd::Gid::from_raw(gid)),
            )
            .map_err(|e| e.to_string())?;
        }
        let init = as_server_user(
            Command::new(bin.join("initdb"))
                .arg("-D")
                .arg(dir.join("data"))
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
        )
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
        if !init.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&init.stderr)));
        }
        let pg = Postgres {
            port: free_port(),
            bin,
            dir,
            child: Mutex::new(None),
        };
        pg.start_server()?;
        Ok(pg)
    }

    /// Starts the server process on the cluster and port, and waits until it answers.
    fn start_server(&self) -> Result<(), String> {
        let mut command = Command::new(self.bin.join("postgres"));
        command
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(&self.dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
            ])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=300"])
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join("server.log"))
                    .map_err(|e| e.to_string())?,
            );
        as_server_user(&mut command);
        // SAFETY: prctl is async-signal-safe. The server dies with the harness even on SIGKILL.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().map_err(|e| format!("start postgres: {e}"))?;
        *self.child.lock().expect("lock") = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.try_sql("postgres", "SELECT 1").is_err() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                return Err(format!("PostgreSQL did not start: {log}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Stops the server ("fast" shutdown: open sessions are ended, as an operator's restart
    /// does) and waits for it to exit.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().expect("lock").take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGINT,
            );
            if wait_timeout(&mut child, Duration::from_secs(20)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Starts the stopped server again on the same cluster and port.
    #[track_caller]
    pub fn start(&self) {
        self.start_server().unwrap_or_else(|e| panic!("{e}"));
    }
}

impl Postgres {
    fn try_sql(&self, database: &str, sql: &str) -> Result<String, String> {
        let psql = if self.bin.join("psql").exists() {
            self.bin.join("psql")
        } else {
            PathBuf::from("psql")
        };
        let out = Command::new(psql)
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(database)
            .arg("-c")
            .arg(sql)
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Runs SQL in `database` and returns psql's unaligned output.
    #[track_caller]
    pub fn sql(&self, database: &str, sql: &str) -> String {
        self.try_sql(database, sql)
            .unwrap_or_else(|e| panic!("SQL failed: {sql}: {e}"))
    }

    /// A fresh, empty database; returns (name, url).
    pub fn create_database(&self) -> (String, String) {
        let name = format!("t_{}", uuid_like());
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        let url = format!("postgres://postgres@127.0.0.1:{}/{name}", self.port);
        (name, url)
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}
