//! `mosaicctl`'s command line. In the library so the man pages and completions are generated from
//! the same definition the binary parses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success
  1  internal error in mosaicd or mosaicctl
  2  usage error (bad flags or arguments)
  3  mosaicd unreachable (no socket, nobody listening, no answer in time)
  4  not found
  5  invalid input
  6  refused (permission denied, protocol version mismatch)
  7  conflict with existing state (e.g. the name is taken)
  8  a dependency of mosaicd (Docker, the database) is unavailable";

#[derive(Debug, Parser)]
#[command(
    name = "mosaicctl",
    version,
    about = "Administer a Mosaic daemon (mosaicd) over its admin socket",
    long_about = "Administer a Mosaic daemon (mosaicd) over its local admin socket: breakglass \
accounts, status, keys. Every command that reads has --json for scripts, and every prompt can be \
answered with a flag or stdin, so mosaicctl works without a terminal. Agent containers and \
system agents are managed with `containers` and `system-agents`.",
    after_long_help = EXIT_STATUS_HELP
)]
pub struct Cli {
    /// Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]
    #[arg(long, global = true, env = "MOSAIC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables and sentences
    #[arg(long, global = true)]
    pub json: bool,

    /// Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the daemon's version, uptime, database, onboarding state and counts
    Status,
    /// Breakglass accounts and the secret key
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Agent containers: list, inspect, start, stop, restart, reap idle ones
    #[command(subcommand)]
    Containers(ContainersCommand),
    /// Always-on system agents (admin-provisioned, using the admin-level providers)
    #[command(subcommand, name = "system-agents")]
    SystemAgents(SystemAgentsCommand),
}

#[derive(Debug, Subcommand)]
pub enum ContainersCommand {
    /// List every user and system container: owner, state, image, uptime, last activity, idle
    /// timeout, and why and when stopped ones stopped
    Ls,
    /// Show one container in detail, including what Docker says about it
    Inspect(TargetArgs),
    /// Start a container (if it is not running) and wait until it is healthy
    Start(TargetArgs),
    /// Stop and remove a container; its state volume is kept
    Stop(TargetArgs),
    /// Restart a container with a freshly generated config and token
    Restart(TargetArgs),
    /// Stop every user container idle longer than its idle timeout, now (one reaper pass)
    Reap,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// A user id, email or breakglass username; system/NAME for a system agent
    #[arg(value_name = "USER")]
    pub target: String,
}

#[derive(Debug, Subcommand)]
pub enum SystemAgentsCommand {
    /// Add a system agent and start its container
    Add(SystemAgentAddArgs),
    /// List system agents and their containers
    Ls,
    /// Remove a system agent, its container and its state volume
    Rm {
        /// The system agent's name
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct SystemAgentAddArgs {
    /// Name: lower-case letters, digits and dashes; the container is mosaic-system-NAME
    #[arg(value_name = "NAME")]
    pub name: String,
    /// What the agent is for (e.g. operations, monitor, scheduler)
    #[arg(long, default_value = "operations")]
    pub role: String,
    /// Primary model: provider/model, or a model of --provider
    #[arg(long, value_name = "MODEL")]
    pub model: String,
    /// Admin-level provider used for a bare model name
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Personality (SOUL.md) from this file
    #[arg(long, value_name = "FILE")]
    pub personality_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a breakglass admin (prompts for the password, or reads it with --password-stdin)
    CreateBreakglass(BreakglassArgs),
    /// Set a new password for a breakglass admin and end its sessions
    ResetBreakglass(BreakglassArgs),
    /// List breakglass admins
    ListBreakglass,
    /// Re-encrypt every stored secret under a new key and report how many values moved
    RotateKey(RotateKeyArgs),
}

#[derive(Debug, Args)]
pub struct BreakglassArgs {
    /// Account name (prompted for on a terminal when absent)
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Read the password from standard input (first line) instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct RotateKeyArgs {
    /// Read the new age identity (AGE-SECRET-KEY-1...) from standard input; required when the key
    /// comes from MOSAIC_SECRET_KEY, otherwise mosaicd generates one and stores it in its key file
    #[arg(long)]
    pub new_key_stdin: bool,
}
