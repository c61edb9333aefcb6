//! `mosaicd`'s command line. Kept in the library so the man page and shell completions are generated
//! from the same definition the binary parses.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use mosaic_shared::duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "mosaicd",
    version,
    about = "Mosaic daemon: per-user AI agent containers behind one authenticated API",
    long_about = "Mosaic daemon: gives every user of the platform their own OpenClaw agent container, \
created on their first chat and stopped when idle, reachable only through mosaicd.\n\n\
With no configuration it keeps its data in SQLite in the data directory and generates its secret \
key file there. Set DATABASE_URL=postgres://... to keep data in PostgreSQL, and MOSAIC_SECRET_KEY \
to an age identity (AGE-SECRET-KEY-1...) to provide the key.\n\n\
Settings are read from built-in defaults, then the config file, then MOSAIC_* environment \
variables, then flags; a later source wins.\n\n\
A DURATION is a number with a unit (500ms, 30s, 5m, 12h, 7days; combined as in 1h 30m) or a bare \
number of seconds."
)]
pub struct Args {
    /// Without a command, mosaicd runs the daemon.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format,
    /// webui_origins, session_ttl, session_idle_timeout, invite_ttl, insecure_cookies, cookie_same_site,
    /// provider_test_timeout, chat_heartbeat_interval, docker_host, runtime, instance, docker_labels, agent_api_url,
    /// internal_listen, host_firewall, reaper_interval, reconcile_interval, usage_flush_interval, public_url, oidc_clock_skew,
    /// setup_token_ttl, auth_throttle_burst, auth_throttle_delay). Durations are written as on the command line ("30s", "7days") or as a number of
    /// seconds.
    #[arg(long, env = "MOSAIC_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Directory for the SQLite database, the generated key file and the lock file
    /// [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]
    #[arg(long, env = "MOSAIC_DATA_DIR", value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]
    #[arg(long, env = "MOSAIC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,

    /// HTTP API address [default: 127.0.0.1:4000]
    #[arg(long, env = "MOSAIC_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Group whose members may use the admin socket (the socket becomes mode 0660 for it).
    #[arg(long, env = "MOSAIC_ADMIN_GROUP", value_name = "GROUP")]
    pub admin_group: Option<String>,

    /// Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing
    /// [default: DATA_DIR/secret.key]
    #[arg(long, env = "MOSAIC_SECRET_KEY_FILE", value_name = "FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,

    /// Log format
    #[arg(long, env = "MOSAIC_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    /// Origin of the WebUI (scheme://host[:port]) that may call the API from a browser with
    /// credentials (CORS); repeat the flag or separate with commas. Admins can add more at runtime
    /// (system setting webuiOrigins).
    #[arg(
        long = "webui-origin",
        env = "MOSAIC_WEBUI_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub webui_origins: Vec<String>,

    /// Lifetime of a browser session however active, at least 1s, e.g. 7days, 12h, 3600 (a bare
    /// number is seconds) [default: 7days]
    #[arg(long, env = "MOSAIC_SESSION_TTL", value_name = "DURATION", value_parser = duration::parse)]
    pub session_ttl: Option<Duration>,

    /// A browser session unused this long ends, at least 1s, e.g. 12h, 30m [default: 12h]
    #[arg(long, env = "MOSAIC_SESSION_IDLE_TIMEOUT", value_name = "DURATION", value_parser = duration::parse)]
    pub session_idle_timeout: Option<Duration>,

    /// How long an invite link stays valid, at least 1s, e.g. 7days, 48h [default: 7days]
    #[arg(long, env = "MOSAIC_INVITE_TTL", value_name = "DURATION", value_parser = duration::parse)]
    pub invite_ttl: Option<Duration>,

    /// Send the session cookie without the Secure attribute. Only for a deployment reached over
    /// plain HTTP on a host other than localhost; browsers keep Secure cookies for localhost.
    #[arg(long, env = "MOSAIC_INSECURE_COOKIES")]
    pub insecure_cookies: bool,

    /// SameSite attribute of the session cookie; `none` (WebUI on another site) needs Secure
    /// [default: lax]
    #[arg(long, env = "MOSAIC_COOKIE_SAME_SITE", value_enum)]
    pub cookie_same_site: Option<SameSite>,

    /// How long a provider connection test waits for the provider, at least 1s, e.g. 10s, 1m
    /// [default: 10s]
    #[arg(long, env = "MOSAIC_PROVIDER_TEST_TIMEOUT", value_name = "DURATION", value_parser = duration::parse)]
    pub provider_test_timeout: Option<Duration>,

    /// The URL browsers and the identity provider reach this API at (scheme://host[:port]); the
    /// OpenID Connect redirect URI is PUBLIC_URL/api/auth/oidc/callback [default: http:// and the
    /// listen address, localhost for an unspecified address]
    #[arg(long, env = "MOSAIC_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// How long an OpenID Connect ID token may be past its expiry, for clocks that disagree; 0
    /// allows none, e.g. 60s, 2m [default: 60s]
    #[arg(long, env = "MOSAIC_OIDC_CLOCK_SKEW", value_name = "DURATION", value_parser = duration::parse)]
    pub oidc_clock_skew: Option<Duration>,

    /// How long the setup token for the WebUI's onboarding endpoints stays valid, at least 1s,
    /// e.g. 24h, 30m [default: 24h]
    #[arg(long, env = "MOSAIC_SETUP_TOKEN_TTL", value_name = "DURATION", value_parser = duration::parse)]
    pub setup_token_ttl: Option<Duration>,

    /// How often a streaming chat client gets an SSE comment (`: …`) while its agent container
    /// starts, not 0, e.g. 5s, 500ms [default: 5s]
    #[arg(long, env = "MOSAIC_CHAT_HEARTBEAT_INTERVAL", value_name = "DURATION", value_parser = duration::parse)]
    pub chat_heartbeat_interval: Option<Duration>,

    /// Docker Engine API address: unix://PATH or tcp://HOST:PORT [default: unix:///var/run/docker.sock]
    #[arg(long, env = "DOCKER_HOST", value_name = "URL")]
    pub docker_host: Option<String>,

    /// What runs the agents: `docker` (containers on the one engine) or `swarm` (services on a
    /// Docker Swarm; mosaicd then runs in a container on a manager node) [default: docker]
    #[arg(long, env = "MOSAIC_RUNTIME", value_name = "DRIVER")]
    pub runtime: Option<RuntimeKind>,

    /// This daemon's name on the Docker engine: every container, volume and network it creates is
    /// labelled with it, and it touches no other (lower-case letters, digits, dashes)
    /// [default: generated at first start and kept in the database]
    #[arg(long, env = "MOSAIC_INSTANCE", value_name = "NAME")]
    pub instance: Option<String>,

    /// An extra label for every Docker object this daemon creates; repeatable (the environment
    /// variable takes a comma-separated list)
    #[arg(
        long = "docker-label",
        env = "MOSAIC_DOCKER_LABELS",
        value_name = "KEY=VALUE",
        value_delimiter = ','
    )]
    pub docker_labels: Vec<String>,

    /// URL agent containers use to reach mosaicd's internal config endpoint; its origin is also their
    /// egress proxy (HTTP_PROXY, HTTPS_PROXY) [default: http://INTERNAL_LISTEN]
    #[arg(long, env = "MOSAIC_AGENT_API_URL", value_name = "URL")]
    pub agent_api_url: Option<String>,

    /// Address of the internal config endpoint and the agents' egress proxy, which only agent
    /// containers use [default: the agent network's gateway address, port 4001]
    #[arg(long, env = "MOSAIC_INTERNAL_LISTEN", value_name = "ADDR")]
    pub internal_listen: Option<SocketAddr>,

    /// Install the host firewall rules that let agent containers reach only the internal listener
    /// among this host's own services (needs the iptables command and CAP_NET_ADMIN); `off` only
    /// where the operator installs equivalent rules [default: on]
    #[arg(long, env = "MOSAIC_HOST_FIREWALL", value_enum, value_name = "on|off")]
    pub host_firewall: Option<Switch>,

    /// How often the reaper looks for idle containers, not 0, e.g. 30s, 500ms, 2m [default: 60s]
    #[arg(long, env = "MOSAIC_REAPER_INTERVAL", value_name = "DURATION", value_parser = duration::parse)]
    pub reaper_interval: Option<Duration>,

    /// How often containers are reconciled with Docker and system agents restarted if they died,
    /// not 0, e.g. 30s, 5m [default: 30s]
    #[arg(long, env = "MOSAIC_RECONCILE_INTERVAL", value_name = "DURATION", value_parser = duration::parse)]
    pub reconcile_interval: Option<Duration>,

    /// How often chat usage figures are written to the database; a crash loses at most this
    /// interval's figures; not 0, e.g. 5s, 1m [default: 5s]
    #[arg(long, env = "MOSAIC_USAGE_FLUSH_INTERVAL", value_name = "DURATION", value_parser = duration::parse)]
    pub usage_flush_interval: Option<Duration>,

    /// Failed logins (and invite or setup token attempts) one client may make for one account at
    /// once before it must wait; an address gets twice as many over all accounts, an account
    /// four times as many over all addresses (1 to 10000) [default: 5]
    #[arg(long, env = "MOSAIC_AUTH_THROTTLE_BURST", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub auth_throttle_burst: Option<u32>,

    /// After the burst, one more failure per this delay (twice the delay for an address over all
    /// accounts); the answer is 429 with Retry-After meanwhile; not 0, e.g. 1s, 200ms [default: 1s]
    #[arg(long, env = "MOSAIC_AUTH_THROTTLE_DELAY", value_name = "DURATION", value_parser = duration::parse)]
    pub auth_throttle_delay: Option<Duration>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Put a backup made by `mosaicctl admin backup` back in place of the SQLite database, with
    /// the daemon stopped
    #[command(long_about = RESTORE_HELP)]
    Restore(RestoreArgs),
}

const RESTORE_HELP: &str = "\
Put a backup made by `mosaicctl admin backup` back in place of the SQLite database in the data \
directory. mosaicd must be stopped: a running daemon holds the data directory and restore refuses.

The backup is checked first (SQLite's integrity check, its schema version) and refused if it comes \
from a newer mosaicd; one from an older mosaicd is migrated to this version's schema. Its secrets \
(provider keys, tokens) are encrypted with the secret key of the time it was made, which the backup \
does not contain: the configured key (the key file or MOSAIC_SECRET_KEY) must open them, or restore \
refuses. The database it replaces is kept beside it as mosaic.db.before-restore-TIME.

On PostgreSQL, restore the pg_dump archive with pg_restore instead; restore says how.";

#[derive(Debug, Clone, clap::Args)]
pub struct RestoreArgs {
    /// The backup file (SQLite) to restore
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// A setting that is on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

/// Which driver runs the agents (`--runtime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeKind {
    /// One Docker Engine: each agent is a container.
    #[default]
    Docker,
    /// A Docker Swarm: each agent is a service; mosaicd runs in a container on a manager.
    Swarm,
}

impl RuntimeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeKind::Docker => "docker",
            RuntimeKind::Swarm => "swarm",
        }
    }
}

impl std::fmt::Display for RuntimeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}
