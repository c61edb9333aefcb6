//! The daemon's settings: built-in defaults, then the config file, then `MOSAIC_*` environment,
//! then flags. Clap already merges flags over environment, so only the file sits in between.
//! The two bootstrap secrets (`DATABASE_URL`, `MOSAIC_SECRET_KEY`) come from the environment or
//! the file and are kept in `Secret` so `Debug` never prints them.

use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mosaic_shared::duration;
use serde::Deserialize;

use crate::cli::{Args, LogFormat, RuntimeKind, SameSite, Switch};
use crate::error::{Error, Result};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:4000";
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";
pub const DEFAULT_REAPER_INTERVAL: Duration = Duration::from_secs(60);
pub const DEFAULT_RECONCILE_INTERVAL: Duration = Duration::from_secs(30);
/// The largest `auth_throttle_burst`: more failures at once than this is no throttle.
pub const MAX_AUTH_THROTTLE_BURST: u32 = 10_000;
pub const DEFAULT_USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(5);

/// A configuration value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub socket: PathBuf,
    pub listen: SocketAddr,
    pub admin_group: Option<String>,
    /// `None` means the embedded SQLite database in the data directory.
    pub database_url: Option<Secret>,
    /// From `MOSAIC_SECRET_KEY`; `None` means the key file.
    pub secret_key: Option<Secret>,
    pub secret_key_file: PathBuf,
    pub log_format: LogFormat,
    pub docker_host: String,
    pub runtime: RuntimeKind,
    /// `None`: the name kept in the database, generated at first start.
    pub instance: Option<String>,
    pub docker_labels: Vec<(String, String)>,
    pub agent_api_url: Option<String>,
    pub internal_listen: Option<SocketAddr>,
    /// Install the agent network's host firewall.
    pub host_firewall: bool,
    pub reaper_interval: Duration,
    pub reconcile_interval: Duration,
    /// How often usage figures are written to the database (a crash loses at most this much).
    pub usage_flush_interval: Duration,
    pub http: HttpConfig,
}

/// Settings of the HTTP API that belong to the deployment rather than to runtime system config.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Normalized origins (`https://app.example.com`) allowed by CORS, beside those in system config.
    pub webui_origins: Vec<String>,
    pub session_ttl: Duration,
    pub session_idle_timeout: Duration,
    pub invite_ttl: Duration,
    pub secure_cookies: bool,
    pub same_site: SameSite,
    pub provider_test_timeout: Duration,
    /// The URL browsers reach this API at (scheme://host[:port][/prefix], no trailing `/`): the
    /// OpenID Connect redirect URI is built from it.
    pub public_url: String,
    /// How far an ID token's expiry may lie in the past, for clocks that disagree a little.
    pub oidc_clock_skew: Duration,
    /// How long a setup token for the onboarding endpoints stays valid.
    pub setup_token_ttl: Duration,
    /// How often a streaming chat client gets an SSE comment while its agent starts.
    pub chat_heartbeat_interval: Duration,
    /// Throttling of failed logins, invite and setup token attempts.
    pub auth_throttle: AuthThrottle,
}

/// How failed guesses (passwords, invite and setup tokens) are throttled: `burst` failures at
/// once, then one per `delay` (see `auth::throttle` for the three keys built from these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthThrottle {
    pub burst: NonZeroU32,
    pub delay: Duration,
}

impl Default for AuthThrottle {
    fn default() -> Self {
        AuthThrottle {
            burst: NonZeroU32::new(5).expect("not zero"),
            delay: Duration::from_secs(1),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            webui_origins: Vec::new(),
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            session_idle_timeout: Duration::from_secs(12 * 3600),
            invite_ttl: Duration::from_secs(7 * 24 * 3600),
            secure_cookies: true,
            same_site: SameSite::Lax,
            provider_test_timeout: Duration::from_secs(10),
            public_url: default_public_url(DEFAULT_LISTEN.parse().expect("valid default address")),
            oidc_clock_skew: Duration::from_secs(60),
            setup_token_ttl: Duration::from_secs(24 * 3600),
            chat_heartbeat_interval: Duration::from_secs(5),
            auth_throttle: AuthThrottle::default(),
        }
    }
}

/// The API's URL when none is configured: the listen address, with an unspecified address
/// (0.0.0.0, ::) read as `localhost`.
pub fn default_public_url(listen: SocketAddr) -> String {
    if listen.ip().is_unspecified() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

/// Checks a configured public URL: http(s), a host, no credentials, query or fragment.
fn check_public_url(raw: &str) -> Result<String> {
    // The URL is refused when it carries credentials, so they must not be repeated in the error.
    let shown = if raw.contains('@') {
        crate::store::redact_url(raw.trim())
    } else {
        raw.to_string()
    };
    let bad = |why: &str| Error::config(format!("public_url {shown:?}: {why}"));
    let url = url::Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad("must be an http or https URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not carry credentials, a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The config file's keys. Unknown keys are an error: a typo must not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    socket: Option<PathBuf>,
    listen: Option<SocketAddr>,
    admin_group: Option<String>,
    database_url: Option<String>,
    secret_key_file: Option<PathBuf>,
    log_format: Option<LogFormat>,
    docker_host: Option<String>,
    runtime: Option<RuntimeKind>,
    instance: Option<String>,
    docker_labels: Option<Vec<String>>,
    agent_api_url: Option<String>,
    internal_listen: Option<SocketAddr>,
    host_firewall: Option<Switch>,
    reaper_interval: Option<FileDuration>,
    reconcile_interval: Option<FileDuration>,
    usage_flush_interval: Option<FileDuration>,
    webui_origins: Option<Vec<String>>,
    session_ttl: Option<FileDuration>,
    session_idle_timeout: Option<FileDuration>,
    invite_ttl: Option<FileDuration>,
    insecure_cookies: Option<bool>,
    cookie_same_site: Option<SameSite>,
    provider_test_timeout: Option<FileDuration>,
    public_url: Option<String>,
    oidc_clock_skew: Option<FileDuration>,
    setup_token_ttl: Option<FileDuration>,
    chat_heartbeat_interval: Option<FileDuration>,
    auth_throttle_burst: Option<u32>,
    auth_throttle_delay: Option<FileDuration>,
}

/// A duration in the config file, read by the same parser as a flag: a string (`"30s"`,
/// `"7days"`) or an integer number of seconds, the form the keys that once took only seconds had.
#[derive(Debug)]
struct FileDuration(String);

impl<'de> Deserialize<'de> for FileDuration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = FileDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\" or \"7days\", or a number of seconds")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> std::result::Result<FileDuration, E> {
                Ok(FileDuration(n.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> std::result::Result<FileDuration, E> {
                Ok(FileDuration(n.to_string()))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<FileDuration, E> {
                Ok(FileDuration(text.to_string()))
            }
        }
        deserializer.deserialize_any(Text)
    }
}

/// The shortest value a duration setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Least {
    /// Zero is meaningful (no clock skew allowed).
    Zero,
    /// Anything but zero: an interval of zero would spin.
    NotZero,
    /// Whole seconds at least: the session cookie's Max-Age and the API's idle timeout count
    /// seconds, so a shorter setting would end at once.
    OneSecond,
}

/// A duration setting: the flag (or its `MOSAIC_*` variable, which clap reads with the same
/// parser), else the file, else the default; refused when shorter than `least`, in an error that
/// names where the value came from.
fn duration_setting(
    key: &str,
    flag: Option<Duration>,
    file: Option<FileDuration>,
    default: Duration,
    least: Least,
) -> Result<Duration> {
    let (value, source) = match (flag, file) {
        (Some(value), _) => (
            value,
            format!("--{} (MOSAIC_{})", key.replace('_', "-"), key.to_ascii_uppercase()),
        ),
        (None, Some(FileDuration(text))) => (
            duration::parse(&text).map_err(|e| Error::config(format!("config file {key}: {e}")))?,
            format!("config file {key}"),
        ),
        (None, None) => return Ok(default),
    };
    match least {
        Least::NotZero if value.is_zero() => Err(Error::config(format!("{source}: must not be zero"))),
        Least::OneSecond if value < Duration::from_secs(1) => Err(Error::config(format!(
            "{source}: must be at least 1s, not {}",
            duration::format(value)
        ))),
        _ => Ok(value),
    }
}

impl Config {
    /// Resolves the settings from parsed flags, the process environment and the config file.
    pub fn resolve(args: Args) -> Result<Config> {
        Self::resolve_with_env(args, |name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn resolve_with_env(args: Args, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let file = match &args.config {
            Some(path) => read_file_config(path)?,
            None => FileConfig::default(),
        };
        let data_dir = args
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(mosaic_shared::paths::default_data_dir);
        let socket = args
            .socket
            .or(file.socket)
            .unwrap_or_else(mosaic_shared::paths::default_socket);
        let listen = args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address"));
        let secret_key_file = args
            .secret_key_file
            .or(file.secret_key_file)
            .unwrap_or_else(|| data_dir.join("secret.key"));
        let docker_labels = if args.docker_labels.is_empty() {
            file.docker_labels.unwrap_or_default()
        } else {
            args.docker_labels
        };
        let docker_labels = docker_labels
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_label(l))
            .collect::<Result<Vec<_>>>()?;
        let instance = args.instance.or(file.instance);
        if let Some(name) = &instance {
            check_instance(name)?;
        }
        let reaper_interval = duration_setting(
            "reaper_interval",
            args.reaper_interval,
            file.reaper_interval,
            DEFAULT_REAPER_INTERVAL,
            Least::NotZero,
        )?;
        let reconcile_interval = duration_setting(
            "reconcile_interval",
            args.reconcile_interval,
            file.reconcile_interval,
            DEFAULT_RECONCILE_INTERVAL,
            Least::NotZero,
        )?;
        let usage_flush_interval = duration_setting(
            "usage_flush_interval",
            args.usage_flush_interval,
            file.usage_flush_interval,
            DEFAULT_USAGE_FLUSH_INTERVAL,
            Least::NotZero,
        )?;
        let defaults = HttpConfig::default();
        let origins = if args.webui_origins.is_empty() {
            file.webui_origins.unwrap_or_default()
        } else {
            args.webui_origins
        };
        let webui_origins = origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(|o| {
                mosaic_shared::policy::normalize_origin(o).map_err(|e| Error::config(format!("webui origin: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let secure_cookies = !(args.insecure_cookies || file.insecure_cookies.unwrap_or(false));
        let same_site = args
            .cookie_same_site
            .or(file.cookie_same_site)
            .unwrap_or(defaults.same_site);
        if same_site == SameSite::None && !secure_cookies {
            return Err(Error::config(
                "cookie_same_site = none needs Secure cookies: browsers drop SameSite=None cookies without Secure",
            ));
        }
        let http = HttpConfig {
            webui_origins,
            session_ttl: duration_setting(
                "session_ttl",
                args.session_ttl,
                file.session_ttl,
                defaults.session_ttl,
                Least::OneSecond,
            )?,
            session_idle_timeout: duration_setting(
                "session_idle_timeout",
                args.session_idle_timeout,
                file.session_idle_timeout,
                defaults.session_idle_timeout,
                Least::OneSecond,
            )?,
            invite_ttl: duration_setting(
                "invite_ttl",
                args.invite_ttl,
                file.invite_ttl,
                defaults.invite_ttl,
                Least::OneSecond,
            )?,
            secure_cookies,
            same_site,
            provider_test_timeout: duration_setting(
                "provider_test_timeout",
                args.provider_test_timeout,
                file.provider_test_timeout,
                defaults.provider_test_timeout,
                Least::OneSecond,
            )?,
            public_url: match args.public_url.or(file.public_url) {
                Some(url) => check_public_url(&url)?,
                None => default_public_url(listen),
            },
            oidc_clock_skew: duration_setting(
                "oidc_clock_skew",
                args.oidc_clock_skew,
                file.oidc_clock_skew,
                defaults.oidc_clock_skew,
                Least::Zero,
            )?,
            setup_token_ttl: duration_setting(
                "setup_token_ttl",
                args.setup_token_ttl,
                file.setup_token_ttl,
                defaults.setup_token_ttl,
                Least::OneSecond,
            )?,
            chat_heartbeat_interval: duration_setting(
                "chat_heartbeat_interval",
                args.chat_heartbeat_interval,
                file.chat_heartbeat_interval,
                defaults.chat_heartbeat_interval,
                Least::NotZero,
            )?,
            auth_throttle: AuthThrottle {
                burst: match args.auth_throttle_burst.or(file.auth_throttle_burst) {
                    Some(n) => NonZeroU32::new(n)
                        .filter(|n| n.get() <= MAX_AUTH_THROTTLE_BURST)
                        .ok_or_else(|| {
                            Error::config(format!(
                                "auth_throttle_burst must be between 1 and {MAX_AUTH_THROTTLE_BURST}, not {n}"
                            ))
                        })?,
                    None => defaults.auth_throttle.burst,
                },
                delay: duration_setting(
                    "auth_throttle_delay",
                    args.auth_throttle_delay,
                    file.auth_throttle_delay,
                    defaults.auth_throttle.delay,
                    Least::NotZero,
                )?,
            },
        };
        Ok(Config {
            docker_host: args
                .docker_host
                .or(file.docker_host)
                .unwrap_or_else(|| DEFAULT_DOCKER_HOST.to_string()),
            runtime: args.runtime.or(file.runtime).unwrap_or_default(),
            instance,
            docker_labels,
            agent_api_url: args.agent_api_url.or(file.agent_api_url),
            internal_listen: args.internal_listen.or(file.internal_listen),
            host_firewall: args.host_firewall.or(file.host_firewall) != Some(Switch::Off),
            reaper_interval,
            reconcile_interval,
            usage_flush_interval,
            http,
            socket,
            listen,
            admin_group: args.admin_group.or(file.admin_group),
            database_url: env("DATABASE_URL").or(file.database_url).map(Secret),
            secret_key: env("MOSAIC_SECRET_KEY").map(Secret),
            secret_key_file,
            log_format: args.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            data_dir,
        })
    }
}

/// `KEY=VALUE`; keys of Mosaic's own labels are refused (they would confuse reconciliation).
fn parse_label(text: &str) -> Result<(String, String)> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| Error::config(format!("docker label {text:?} must have the form KEY=VALUE")))?;
    let key = key.trim();
    if key.is_empty() || key.chars().any(|c| c.is_whitespace()) {
        return Err(Error::config(format!("docker label {text:?} has an invalid key")));
    }
    if key == "mosaic" || key.starts_with("mosaic.") && !key.starts_with("mosaic.test.") {
        return Err(Error::config(format!(
            "docker label {key:?} is reserved for mosaicd's own labels"
        )));
    }
    Ok((key.to_string(), value.to_string()))
}

/// Instance names label Docker objects and name the agent network (`mosaic-<instance>`).
pub fn check_instance(name: &str) -> Result<()> {
    let ok = (1..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::config(format!(
            "instance name {name:?} must be 1 to 32 lower-case letters, digits and dashes, not starting or ending with a dash"
        )))
    }
}

fn read_file_config(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read config file {}", path.display()), e))?;
    // The message and line only: the file's own text may hold DATABASE_URL and its password.
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .and_then(|span| text.get(..span.start))
            .map(|before| format!(", line {}", before.matches('\n').count() + 1))
            .unwrap_or_default();
        Error::config(format!("config file {}{line}: {}", path.display(), e.message()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn precedence_is_defaults_file_env_flags() {
        let dir = tempfile_dir();
        let file = dir.join("mosaicd.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:5000\"\nsocket = \"/tmp/from-file.sock\"\n").unwrap();
        let args = Args::parse_from([
            "mosaicd",
            "--config",
            file.to_str().unwrap(),
            "--socket",
            "/tmp/flag.sock",
        ]);
        let config = Config::resolve_with_env(args, |_| None).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:5000");
        assert_eq!(config.socket, PathBuf::from("/tmp/flag.sock"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile_dir();
        let file = dir.join("mosaicd.toml");
        std::fs::write(&file, "listn = \"127.0.0.1:5000\"\n").unwrap();
        let args = Args::parse_from(["mosaicd", "--config", file.to_str().unwrap()]);
        let err = Config::resolve_with_env(args, |_| None).unwrap_err().to_string();
        assert!(err.contains("unknown field `listn`"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let args = Args::parse_from(["mosaicd"]);
        let config = Config::resolve_with_env(args, |name| match name {
            "DATABASE_URL" => Some("postgres://u:hunter2-canary@h/db".into()),
            "MOSAIC_SECRET_KEY" => Some("AGE-SECRET-KEY-1CANARY".into()),
            _ => None,
        })
        .unwrap();
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("hunter2-canary") && !printed.contains("CANARY"),
            "{printed}"
        );
    }

    #[test]
    fn docker_settings() {
        let args = Args::parse_from([
            "mosaicd",
            "--docker-label",
            "mosaic.test.run=r1",
            "--docker-label",
            "team=ops",
            "--instance",
            "test-1",
            "--reaper-interval",
            "250ms",
        ]);
        let config = Config::resolve_with_env(args, |_| None).unwrap();
        assert_eq!(config.docker_host, DEFAULT_DOCKER_HOST);
        assert_eq!(
            config.docker_labels,
            vec![("mosaic.test.run".into(), "r1".into()), ("team".into(), "ops".into())]
        );
        assert_eq!(config.instance.as_deref(), Some("test-1"));
        assert_eq!(config.reaper_interval, Duration::from_millis(250));
        assert_eq!(config.reconcile_interval, DEFAULT_RECONCILE_INTERVAL);

        let bad = Args::parse_from(["mosaicd", "--docker-label", "mosaic.instance=x"]);
        assert!(Config::resolve_with_env(bad, |_| None).is_err());
        let bad = Args::parse_from(["mosaicd", "--instance", "Not_Valid"]);
        assert!(Config::resolve_with_env(bad, |_| None).is_err());
        assert!(Args::try_parse_from(["mosaicd", "--reaper-interval", "soon"]).is_err());
    }

    #[test]
    fn http_settings_resolve_and_validate() {
        let args = Args::parse_from([
            "mosaicd",
            "--webui-origin",
            "https://App.example.com/,http://localhost:3000",
            "--session-ttl",
            "5",
        ]);
        let config = Config::resolve_with_env(args, |_| None).unwrap();
        assert_eq!(
            config.http.webui_origins,
            vec![
                "https://app.example.com".to_string(),
                "http://localhost:3000".to_string()
            ]
        );
        assert_eq!(config.http.session_ttl, Duration::from_secs(5));
        assert!(config.http.secure_cookies);

        let bad = Args::parse_from(["mosaicd", "--webui-origin", "https://x/path"]);
        assert!(Config::resolve_with_env(bad, |_| None).is_err());
        let zero = Args::parse_from(["mosaicd", "--invite-ttl", "0"]);
        assert!(Config::resolve_with_env(zero, |_| None).is_err());
        let none_insecure = Args::parse_from(["mosaicd", "--insecure-cookies", "--cookie-same-site", "none"]);
        assert!(Config::resolve_with_env(none_insecure, |_| None).is_err());
    }

    #[test]
    fn public_url_defaults_and_checks() {
        let config =
            Config::resolve_with_env(Args::parse_from(["mosaicd", "--listen", "0.0.0.0:4000"]), |_| None).unwrap();
        assert_eq!(config.http.public_url, "http://localhost:4000");
        let config =
            Config::resolve_with_env(Args::parse_from(["mosaicd", "--listen", "127.0.0.1:5000"]), |_| None).unwrap();
        assert_eq!(config.http.public_url, "http://127.0.0.1:5000");
        let args = Args::parse_from(["mosaicd", "--public-url", "https://mosaic.example.com/api-root/"]);
        let config = Config::resolve_with_env(args, |_| None).unwrap();
        assert_eq!(config.http.public_url, "https://mosaic.example.com/api-root");
        for bad in ["ftp://x", "https://u:p@x", "https://x/?q=1", "not a url"] {
            let args = Args::parse_from(["mosaicd", "--public-url", bad]);
            assert!(Config::resolve_with_env(args, |_| None).is_err(), "{bad}");
        }
        let args = Args::parse_from(["mosaicd", "--public-url", "https://u:canary-s3cret@x"]);
        let refused = Config::resolve_with_env(args, |_| None).unwrap_err().to_string();
        assert!(
            refused.contains("credentials") && !refused.contains("canary-s3cret"),
            "{refused}"
        );
        let args = Args::parse_from(["mosaicd", "--oidc-clock-skew", "0"]);
        assert_eq!(
            Config::resolve_with_env(args, |_| None).unwrap().http.oidc_clock_skew,
            Duration::ZERO
        );
    }

    /// Resolves a config file with these contents and these flags.
    fn with_file(contents: &str, flags: &[&str]) -> Result<Config> {
        let dir = tempfile_dir();
        let file = dir.join("mosaicd.toml");
        std::fs::write(&file, contents).unwrap();
        let mut argv = vec!["mosaicd", "--config", file.to_str().unwrap()];
        argv.extend(flags);
        let resolved = Config::resolve_with_env(Args::parse_from(argv), |_| None);
        std::fs::remove_dir_all(dir).unwrap();
        resolved
    }

    #[test]
    fn file_durations_are_strings_or_integer_seconds() {
        let config = with_file(
            "session_ttl = 3600\ninvite_ttl = \"2days\"\nsession_idle_timeout = \"1h 30m\"\n\
             reaper_interval = \"500ms\"\nreconcile_interval = 45\nprovider_test_timeout = \"15\"\n\
             oidc_clock_skew = 0\nsetup_token_ttl = \"30m\"\nchat_heartbeat_interval = \"250ms\"\n\
             auth_throttle_burst = 8\nauth_throttle_delay = \"200ms\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(config.http.session_ttl, Duration::from_secs(3600));
        assert_eq!(config.http.invite_ttl, Duration::from_secs(2 * 86400));
        assert_eq!(config.http.session_idle_timeout, Duration::from_secs(5400));
        assert_eq!(config.reaper_interval, Duration::from_millis(500));
        assert_eq!(config.reconcile_interval, Duration::from_secs(45));
        assert_eq!(config.http.provider_test_timeout, Duration::from_secs(15));
        assert_eq!(config.http.oidc_clock_skew, Duration::ZERO);
        assert_eq!(config.http.setup_token_ttl, Duration::from_secs(1800));
        assert_eq!(config.http.chat_heartbeat_interval, Duration::from_millis(250));
        assert_eq!(config.http.auth_throttle.burst.get(), 8);
        assert_eq!(config.http.auth_throttle.delay, Duration::from_millis(200));

        // A flag (or its variable) wins over the file, in the same notation.
        let config = with_file("session_ttl = 3600\n", &["--session-ttl", "7days"]).unwrap();
        assert_eq!(config.http.session_ttl, Duration::from_secs(7 * 86400));
    }

    #[test]
    fn runtime_from_default_file_and_flag() {
        assert_eq!(with_file("", &[]).unwrap().runtime, RuntimeKind::Docker);
        assert_eq!(
            with_file("runtime = \"swarm\"\n", &[]).unwrap().runtime,
            RuntimeKind::Swarm
        );
        let config = with_file("runtime = \"swarm\"\n", &["--runtime", "docker"]).unwrap();
        assert_eq!(config.runtime, RuntimeKind::Docker);
        let err = with_file("runtime = \"kubernetes\"\n", &[]).unwrap_err().to_string();
        assert!(err.contains("kubernetes"), "{err}");
        assert!(Args::try_parse_from(["mosaicd", "--runtime", "nomad"]).is_err());
    }

    #[test]
    fn durations_are_refused_with_their_source_and_reason() {
        let refused = |contents: &str, flags: &[&str]| with_file(contents, flags).unwrap_err().to_string();
        let err = refused("invite_ttl = \"soon\"\n", &[]);
        assert!(
            err.contains("config file invite_ttl: invalid duration \"soon\"") && err.contains("e.g. 500ms"),
            "{err}"
        );
        let err = refused("reaper_interval = 0\n", &[]);
        assert_eq!(err, "config file reaper_interval: must not be zero");
        let err = refused("session_ttl = \"500ms\"\n", &[]);
        assert_eq!(err, "config file session_ttl: must be at least 1s, not 500ms");
        let err = refused("", &["--chat-heartbeat-interval", "0s"]);
        assert_eq!(
            err,
            "--chat-heartbeat-interval (MOSAIC_CHAT_HEARTBEAT_INTERVAL): must not be zero"
        );
        let err = refused("", &["--setup-token-ttl", "0"]);
        assert!(
            err.starts_with("--setup-token-ttl (MOSAIC_SETUP_TOKEN_TTL): must be at least 1s"),
            "{err}"
        );
        let err = refused("", &["--auth-throttle-delay", "0"]);
        assert_eq!(
            err,
            "--auth-throttle-delay (MOSAIC_AUTH_THROTTLE_DELAY): must not be zero"
        );
        let err = refused("auth_throttle_burst = 0\n", &[]);
        assert_eq!(err, "auth_throttle_burst must be between 1 and 10000, not 0");
        let config = with_file("auth_throttle_burst = 3\n", &["--auth-throttle-burst", "7"]).unwrap();
        assert_eq!(config.http.auth_throttle.burst.get(), 7);
        let config = with_file("", &[]).unwrap();
        assert_eq!(config.http.auth_throttle, AuthThrottle::default());
        let err = refused("session_ttl = -5\n", &[]);
        assert!(
            err.starts_with("config file session_ttl: invalid duration \"-5\""),
            "{err}"
        );
        // Neither a string nor an integer: the file's line is named, not its text.
        let err = refused(
            "database_url = \"postgres://u:canary-s3cret@h/db\"\nsession_ttl = 1.5\n",
            &[],
        );
        assert!(
            err.contains("line 2") && err.contains("a duration such as \"30s\"") && !err.contains("canary-s3cret"),
            "{err}"
        );
    }

    #[test]
    fn every_duration_flag_has_its_variable_and_the_notation() {
        // clap reads a flag's MOSAIC_* variable with the flag's own parser.
        let command = <Args as clap::CommandFactory>::command();
        let durations: Vec<_> = command
            .get_arguments()
            .filter(|a| a.get_value_names().is_some_and(|n| n == ["DURATION"]))
            .collect();
        assert_eq!(durations.len(), 11);
        for arg in durations {
            let id = arg.get_id().as_str();
            let env = format!("MOSAIC_{}", id.to_ascii_uppercase());
            assert_eq!(arg.get_env(), Some(std::ffi::OsStr::new(&env)), "{id}");
            let flag = format!("--{}", arg.get_long().unwrap());
            for text in ["7days", "1h 30m", "90"] {
                assert!(Args::try_parse_from(["mosaicd", &flag, text]).is_ok(), "{flag} {text}");
            }
            assert!(Args::try_parse_from(["mosaicd", &flag, "soon"]).is_err(), "{flag}");
        }
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mosaicd-config-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
