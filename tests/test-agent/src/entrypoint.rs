//! What the container does before serving: first Mosaic's entrypoint script
//! (deploy/agent-entrypoint.sh: read the environment contract, fetch the
//! config and SOUL.md from mosaicd, write them), then `openclaw gateway run
//! --bind lan --auth token` (load and check the config, write the workspace's
//! missing template files, bind).

use std::collections::BTreeMap;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::bootstrap;
use crate::client::{self, ApiUrl, Fetched};
use crate::config::DEFAULT_GATEWAY_PORT;
use crate::log::Logger;
use crate::server::{Gateway, Options, ProbeFault};
use crate::startup::{self, Settings};

const DEFAULT_STATE_DIR: &str = "/home/node/.openclaw";
/// How long connection failures to mosaicd are retried.
const FETCH_RETRY_BUDGET: Duration = Duration::from_secs(5);
const ERROR_BODY_CHARS: usize = 300;

/// Why startup stopped; the variants map to exit codes 2 and 1.
#[derive(Debug)]
pub enum Failure {
    /// The environment contract was not met.
    Usage(String),
    /// What OpenClaw would refuse to start with (bad token, bad config, …).
    Fatal(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Fatal(_) => 1,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Usage(msg) | Failure::Fatal(msg) => msg,
        }
    }
}

pub struct Env {
    pub api: ApiUrl,
    /// `<containerType>/<id>`.
    pub agent_id: String,
    pub token: String,
    pub state_dir: PathBuf,
    pub startup_delay: Duration,
    /// Readiness follows liveness by this much (`MOCK_READY_DELAY_MS`).
    pub ready_delay: Duration,
    pub fail_health: bool,
    /// The probes misbehave this way (`MOCK_PROBE=hang|garbage`).
    pub probe_fault: Option<ProbeFault>,
    /// `OPENCLAW_GATEWAY_PORT` beats `gateway.port`, as in OpenClaw.
    pub port_override: Option<u16>,
    pub listen_ip: IpAddr,
    /// The container's environment, which the gateway inherits.
    pub process_env: BTreeMap<String, String>,
}

impl Env {
    /// `var` is `std::env::var` in production and a map in tests.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Env, Failure> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let required = |name: &str| var(name).ok_or_else(|| Failure::Usage(format!("{name} is not set")));
        let api = ApiUrl::parse(&required("MOSAIC_API_URL")?).map_err(Failure::Usage)?;
        let agent_id = required("AGENT_ID")?.trim().to_owned();
        if !is_agent_id(&agent_id) {
            return Err(Failure::Usage(format!(
                "AGENT_ID {agent_id:?} must have the form <containerType>/<id>"
            )));
        }
        let token = match var("AGENT_TOKEN_FILE") {
            Some(path) => fs::read_to_string(path.trim())
                .map_err(|err| Failure::Usage(format!("cannot read AGENT_TOKEN_FILE {path:?}: {err}")))?,
            None => var("AGENT_TOKEN").unwrap_or_default(),
        };
        let token = token.trim().to_owned();
        if token.is_empty() {
            return Err(Failure::Usage(
                "no gateway token: set AGENT_TOKEN or AGENT_TOKEN_FILE".to_owned(),
            ));
        }
        let millis = |name: &str| -> Result<Duration, Failure> {
            match var(name) {
                None => Ok(Duration::ZERO),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Duration::from_millis)
                    .map_err(|_| Failure::Usage(format!("{name} must be a number of milliseconds, got {v:?}"))),
            }
        };
        let probe_fault = match var("MOCK_PROBE").as_deref().map(str::trim) {
            None => None,
            Some("hang") => Some(ProbeFault::Hang),
            Some("garbage") => Some(ProbeFault::Garbage),
            Some(other) => {
                return Err(Failure::Usage(format!(
                    "MOCK_PROBE must be hang or garbage, got {other:?}"
                )));
            }
        };
        let port_override = match var("OPENCLAW_GATEWAY_PORT") {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse()
                    .ok()
                    .filter(|&p: &u16| p != 0)
                    .ok_or_else(|| Failure::Usage(format!("OPENCLAW_GATEWAY_PORT must be a port, got {v:?}")))?,
            ),
        };
        Ok(Env {
            api,
            agent_id,
            token,
            state_dir: PathBuf::from(var("OPENCLAW_STATE_DIR").unwrap_or_else(|| DEFAULT_STATE_DIR.to_owned())),
            startup_delay: millis("MOCK_STARTUP_DELAY_MS")?,
            ready_delay: millis("MOCK_READY_DELAY_MS")?,
            fail_health: var("MOCK_FAIL_HEALTH").is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes")),
            probe_fault,
            port_override,
            listen_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            process_env: BTreeMap::new(),
        })
    }

    pub fn with_process_env(self, vars: impl IntoIterator<Item = (String, String)>) -> Env {
        Env {
            process_env: vars.into_iter().collect(),
            ..self
        }
    }

    /// A variable as the gateway sees it: the script exports the token as
    /// `OPENCLAW_GATEWAY_TOKEN` and unsets its own token variables before
    /// `exec`, so `${OPENCLAW_GATEWAY_TOKEN}` in the config does expand.
    pub fn gateway_var(&self, name: &str) -> Option<String> {
        match name {
            "OPENCLAW_GATEWAY_TOKEN" => Some(self.token.clone()),
            "AGENT_TOKEN" | "AGENT_TOKEN_FILE" => None,
            _ => self.process_env.get(name).cloned(),
        }
    }
}

fn is_agent_id(id: &str) -> bool {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    matches!(id.split_once('/'), Some((kind, rest)) if part_ok(kind) && part_ok(rest))
}

pub struct Started {
    pub listener: TcpListener,
    pub gateway: Gateway,
}

/// Everything up to a bound listener; the caller serves it.
pub fn start(env: &Env, log: &Logger) -> Result<Started, Failure> {
    run_entrypoint_script(env, log)?;
    start_gateway(env, log)
}

/// deploy/agent-entrypoint.sh: the config is written as fetched (OpenClaw
/// judges it later), then the personality.
fn run_entrypoint_script(env: &Env, log: &Logger) -> Result<(), Failure> {
    let config_api_path = format!("/api/internal/agent-config/{}", env.agent_id);
    let fetched = fetch(env, log, "config", &config_api_path)?;
    if fetched.status != 200 {
        return Err(http_failure("config", &fetched));
    }
    create_dirs(&env.state_dir, 0o700)?;
    // The config holds provider API keys: owner-only (the script runs under umask 077).
    write_atomic(&env.state_dir.join("openclaw.json"), &fetched.body, 0o600)?;

    let mosaic_dir = env.state_dir.join("mosaic");
    create_dirs(&mosaic_dir, 0o700)?;
    let workspace = env.state_dir.join("workspace");
    create_dirs(&workspace, 0o755)?;
    let soul = fetch(env, log, "soul", &format!("{config_api_path}/soul"))?;
    match soul.status {
        200 => write_soul(&workspace, &mosaic_dir, &soul.body),
        204 | 404 => clear_soul(&workspace, &mosaic_dir),
        _ => Err(http_failure("soul", &soul)),
    }
}

/// Mosaic's personality goes into the workspace, with a copy that records
/// what Mosaic wrote there; OpenClaw's first-run ritual (BOOTSTRAP.md, which
/// has the agent write its own identity) no longer applies.
fn write_soul(workspace: &Path, mosaic_dir: &Path, body: &[u8]) -> Result<(), Failure> {
    write_atomic(&mosaic_dir.join("SOUL.md"), body, 0o600)?;
    write_atomic(&workspace.join("SOUL.md"), body, 0o644)?;
    remove_if_exists(&workspace.join("BOOTSTRAP.md"))
}

/// No personality: the workspace's SOUL.md goes only if it is still the one
/// Mosaic wrote; one the agent edited or OpenClaw's template stays.
fn clear_soul(workspace: &Path, mosaic_dir: &Path) -> Result<(), Failure> {
    let copy_path = mosaic_dir.join("SOUL.md");
    let soul_path = workspace.join("SOUL.md");
    let copy = read_if_exists(&copy_path)?;
    if copy.is_some() && read_if_exists(&soul_path)? == copy {
        remove_if_exists(&soul_path)?;
    }
    remove_if_exists(&copy_path)
}

/// `openclaw gateway run --bind lan --auth token`, up to a bound listener.
fn start_gateway(env: &Env, log: &Logger) -> Result<Started, Failure> {
    let config_path = env.state_dir.join("openclaw.json");
    let raw = fs::read(&config_path).map_err(|err| fs_failure("read", &config_path, err))?;
    let config = startup::load_config(&raw, &config_path, &|name| env.gateway_var(name)).map_err(Failure::Fatal)?;
    let settings = Settings::from_valid(&config);
    let token = settings
        .check_startup(&env.token, &env.state_dir)
        .map_err(Failure::Fatal)?;

    let workspace = settings
        .workspace
        .as_deref()
        .map_or_else(|| env.state_dir.join("workspace"), PathBuf::from);
    create_dirs(&workspace, 0o755)?;
    // OpenClaw: src/agents/workspace.ts, ensureAgentWorkspace({ensureBootstrapFiles: !skipBootstrap}).
    if !settings.skip_bootstrap {
        bootstrap::ensure_workspace_files(&workspace).map_err(|err| fs_failure("bootstrap", &workspace, err))?;
    }

    if !env.startup_delay.is_zero() {
        log.line(&format!(
            "startup delay {} ms (MOCK_STARTUP_DELAY_MS)",
            env.startup_delay.as_millis()
        ));
        std::thread::sleep(env.startup_delay);
    }

    let port = env.port_override.or(settings.port).unwrap_or(DEFAULT_GATEWAY_PORT);
    let listener = TcpListener::bind((env.listen_ip, port))
        .map_err(|err| Failure::Fatal(format!("failed to listen on {}:{port}: {err}", env.listen_ip)))?;
    let addr = listener
        .local_addr()
        .map_err(|err| Failure::Fatal(format!("listener has no address: {err}")))?;
    let boot = count_boot(&env.state_dir)?;
    log.line(&format!(
        "test-agent listening on {addr} (agent {}, boot {boot})",
        env.agent_id
    ));
    let gateway = Gateway::new(
        Options {
            token,
            chat_completions: settings.chat_completions,
            primary_model: settings.primary_model,
            boot,
            fail_health: env.fail_health,
            probe_fault: env.probe_fault,
            ready_delay: env.ready_delay,
            effective_config: startup::redacted(&config),
            workspace,
        },
        log.clone(),
    );
    Ok(Started { listener, gateway })
}

fn fetch(env: &Env, log: &Logger, what: &str, path: &str) -> Result<Fetched, Failure> {
    client::get_with_retry(&env.api, path, &env.token, FETCH_RETRY_BUDGET, |err| {
        log.line(&format!("{what} fetch: {err}; retrying"));
    })
    .map_err(|err| Failure::Fatal(format!("{what} fetch failed: {err}")))
}

fn http_failure(what: &str, fetched: &Fetched) -> Failure {
    let body: String = String::from_utf8_lossy(&fetched.body)
        .chars()
        .take(ERROR_BODY_CHARS)
        .collect();
    Failure::Fatal(format!(
        "{what} fetch failed: HTTP {}: {}",
        fetched.status,
        body.trim_end()
    ))
}

fn fs_failure(action: &str, path: &Path, err: io::Error) -> Failure {
    Failure::Fatal(format!("cannot {action} {}: {err}", path.display()))
}

fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, Failure> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(fs_failure("read", path, err)),
    }
}

fn remove_if_exists(path: &Path) -> Result<(), Failure> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(fs_failure("remove", path, err)),
        _ => Ok(()),
    }
}

fn create_dirs(path: &Path, mode: u32) -> Result<(), Failure> {
    DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(path)
        .map_err(|err| fs_failure("create", path, err))
}

/// Write-then-rename, as OpenClaw writes its config, so a reader never sees
/// a half-written file and a crash leaves the previous version intact.
fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> Result<(), Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|err| {
        let _ = fs::remove_file(&tmp);
        fs_failure("write", path, err)
    })
}

/// Increments `{"boots": N}` in `mock-state.json`, so tests can tell a
/// restart that kept the state volume from a fresh container.
fn count_boot(state_dir: &Path) -> Result<u64, Failure> {
    let path = state_dir.join("mock-state.json");
    let previous = match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|state| state.get("boots")?.as_u64())
            .unwrap_or(0),
        Err(err) if err.kind() == io::ErrorKind::NotFound => 0,
        Err(err) => return Err(fs_failure("read", &path, err)),
    };
    let boots = previous + 1;
    write_atomic(&path, format!("{}\n", json!({"boots": boots})).as_bytes(), 0o644)?;
    Ok(boots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_from(pairs: &[(&str, &str)]) -> Result<Env, Failure> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env::from_vars(|name| map.get(name).cloned())
    }

    const BASE: [(&str, &str); 3] = [
        ("MOSAIC_API_URL", "http://172.17.0.1:4000"),
        ("AGENT_ID", "user/0190abcd-ef"),
        ("AGENT_TOKEN", "secret-token"),
    ];

    #[test]
    fn reads_the_environment_contract() {
        let env = env_from(&BASE).unwrap();
        assert_eq!(env.agent_id, "user/0190abcd-ef");
        assert_eq!(env.token, "secret-token");
        assert_eq!(env.state_dir, PathBuf::from(DEFAULT_STATE_DIR));
        assert_eq!(env.startup_delay, Duration::ZERO);
        assert_eq!(env.ready_delay, Duration::ZERO);
        assert!(!env.fail_health);
        assert_eq!(env.probe_fault, None);
        assert_eq!(env.port_override, None);

        let mut vars = BASE.to_vec();
        vars.extend([
            ("MOCK_STARTUP_DELAY_MS", "1500"),
            ("MOCK_READY_DELAY_MS", "250"),
            ("MOCK_FAIL_HEALTH", "1"),
            ("MOCK_PROBE", "hang"),
            ("OPENCLAW_STATE_DIR", "/state"),
            ("OPENCLAW_GATEWAY_PORT", "9000"),
        ]);
        let env = env_from(&vars).unwrap();
        assert_eq!(env.startup_delay, Duration::from_millis(1500));
        assert_eq!(env.ready_delay, Duration::from_millis(250));
        assert!(env.fail_health);
        assert_eq!(env.probe_fault, Some(ProbeFault::Hang));
        assert_eq!(env.state_dir, PathBuf::from("/state"));
        assert_eq!(env.port_override, Some(9000));
    }

    #[test]
    fn token_file_wins_and_is_trimmed() {
        let path = std::env::temp_dir().join(format!("test-agent-token-{}", std::process::id()));
        fs::write(&path, "from-file\n").unwrap();
        let mut vars = BASE.to_vec();
        let path_str = path.to_str().unwrap().to_owned();
        vars.push(("AGENT_TOKEN_FILE", &path_str));
        assert_eq!(env_from(&vars).unwrap().token, "from-file");
        fs::remove_file(&path).unwrap();
        // A named file that cannot be read is an error, not a fallback.
        assert_eq!(env_from(&vars).err().unwrap().exit_code(), 2);
    }

    #[test]
    fn missing_or_bad_variables_are_usage_errors() {
        for drop in ["MOSAIC_API_URL", "AGENT_ID", "AGENT_TOKEN"] {
            let vars: Vec<_> = BASE.iter().copied().filter(|(k, _)| *k != drop).collect();
            let err = env_from(&vars).err().unwrap();
            assert_eq!(err.exit_code(), 2, "{drop}");
            assert!(err.message().contains(drop), "{}", err.message());
        }
        let with = |k: &'static str, v: &'static str| {
            let mut vars: Vec<_> = BASE.iter().copied().filter(|(key, _)| *key != k).collect();
            vars.push((k, v));
            env_from(&vars).err().map(|e| e.message().to_owned())
        };
        assert!(
            with("MOSAIC_API_URL", "http://mosaicd:4000")
                .unwrap()
                .contains("not an IP address")
        );
        assert!(with("AGENT_ID", "no-slash").unwrap().contains("<containerType>/<id>"));
        assert!(with("AGENT_ID", "user/a/b").is_some());
        assert!(with("AGENT_TOKEN", "  ").is_some());
        assert!(with("MOCK_STARTUP_DELAY_MS", "soon").is_some());
        assert!(with("MOCK_READY_DELAY_MS", "-1").is_some());
        assert!(with("MOCK_PROBE", "sometimes").is_some());
        assert!(with("OPENCLAW_GATEWAY_PORT", "0").is_some());
        assert!(with("AGENT_ID", "system/ops").is_none());
    }

    #[test]
    fn the_gateway_sees_the_token_under_its_own_name_only() {
        let env = env_from(&BASE).unwrap().with_process_env([
            ("HOME".to_owned(), "/home/node".to_owned()),
            ("AGENT_TOKEN".to_owned(), "secret-token".to_owned()),
            ("AGENT_TOKEN_FILE".to_owned(), "/run/token".to_owned()),
        ]);
        assert_eq!(
            env.gateway_var("OPENCLAW_GATEWAY_TOKEN").as_deref(),
            Some("secret-token")
        );
        assert_eq!(env.gateway_var("HOME").as_deref(), Some("/home/node"));
        assert_eq!(env.gateway_var("AGENT_TOKEN"), None);
        assert_eq!(env.gateway_var("AGENT_TOKEN_FILE"), None);
        assert_eq!(env.gateway_var("OPENAI_API_KEY"), None);
    }

    #[test]
    fn soul_is_removed_only_while_it_is_mosaics() {
        let dir = std::env::temp_dir().join(format!("test-agent-soul-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let (workspace, mosaic) = (dir.join("workspace"), dir.join("mosaic"));
        fs::create_dir_all(&workspace).unwrap();
        fs::create_dir_all(&mosaic).unwrap();
        let soul = workspace.join("SOUL.md");
        let copy = mosaic.join("SOUL.md");

        fs::write(workspace.join("BOOTSTRAP.md"), "# BOOTSTRAP.md - Hello, World\n").unwrap();
        write_soul(&workspace, &mosaic, b"# Mosaic soul\n").unwrap();
        assert_eq!(fs::read(&soul).unwrap(), b"# Mosaic soul\n");
        assert!(!workspace.join("BOOTSTRAP.md").exists());
        assert_eq!(fs::read(&copy).unwrap(), b"# Mosaic soul\n");
        clear_soul(&workspace, &mosaic).unwrap();
        assert!(!soul.exists() && !copy.exists());

        // The agent edited it: it stays, and the copy goes.
        write_soul(&workspace, &mosaic, b"# Mosaic soul\n").unwrap();
        fs::write(&soul, "# Mosaic soul\nplus my notes\n").unwrap();
        clear_soul(&workspace, &mosaic).unwrap();
        assert!(soul.exists() && !copy.exists());

        // OpenClaw's template (no copy at all) stays too.
        fs::write(&soul, "# SOUL.md - Who You Are\n").unwrap();
        clear_soul(&workspace, &mosaic).unwrap();
        assert_eq!(fs::read_to_string(&soul).unwrap(), "# SOUL.md - Who You Are\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
