//! `mosaicctl`'s command line. In the library so the man pages and completions are generated from
//! the same definition the binary parses.

use std::path::PathBuf;
use std::time::Duration;

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
  8  a dependency of mosaicd (Docker, the database) is unavailable
  9  a provider connection test ran and did not succeed (the output says why)";

#[derive(Debug, Parser)]
#[command(
    name = "mosaicctl",
    version,
    about = "Administer a Mosaic daemon (mosaicd) over its admin socket",
    long_about = "Administer a Mosaic daemon (mosaicd) over its local admin socket: breakglass \
accounts, status, keys. Every command that reads has --json for scripts, and every prompt can be \
answered with a flag or stdin, so mosaicctl works without a terminal. Agent containers and \
system agents are managed with `containers` and `system-agents`; first boot with `onboard`.",
    after_long_help = EXIT_STATUS_HELP
)]
pub struct Cli {
    /// Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]
    #[arg(long, global = true, env = "MOSAIC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables and sentences
    #[arg(long, global = true)]
    pub json: bool,

    /// How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is
    /// seconds) [default: 30s, or 5m for slow operations]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    #[command(subcommand)]
    pub command: Command,
}

/// `--timeout`: any duration mosaicd reads, but not zero (no answer could come in time).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let timeout = mosaic_shared::duration::parse(text)?;
    if timeout.is_zero() {
        return Err("the timeout must not be zero".into());
    }
    Ok(timeout)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the daemon's version, uptime, database, onboarding state and counts
    Status,
    /// Breakglass accounts and the secret key
    #[command(subcommand)]
    Admin(AdminCommand),
    /// LLM providers: the admin-level ones system agents use, or a user's with --user
    #[command(subcommand)]
    Providers(ProvidersCommand),
    /// Users: list, invite, show, update, deactivate, reactivate
    #[command(subcommand)]
    Users(UsersCommand),
    /// A user's agent: primary model, fallbacks, personality, default provider
    #[command(subcommand, name = "agent-config")]
    AgentConfig(AgentConfigCommand),
    /// System settings: WebUI origins, provider URL policy, OIDC
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Agent containers: list, inspect, start, stop, restart, reap idle ones
    #[command(subcommand)]
    Containers(ContainersCommand),
    /// Always-on system agents (admin-provisioned, using the admin-level providers)
    #[command(subcommand, name = "system-agents")]
    SystemAgents(SystemAgentsCommand),
    /// First-boot onboarding: a guided wizard on a terminal, or an answers file for scripts
    #[command(long_about = ONBOARD_HELP)]
    Onboard(OnboardArgs),
    /// Chat usage figures per user and day (never contents): requests, failures, cold starts,
    /// tokens as the agents reported them
    #[command(long_about = USAGE_HELP)]
    Usage(UsageArgs),
}

const USAGE_HELP: &str = "\
Chat usage figures per user and day, as mosaicd's chat proxy counts them: requests (streamed or \
not), failures by kind, cold starts and the time they took, and tokens in and out as the agents \
reported them. Never a message, a prompt or an answer.

Without --user: one row per user (most requests first, a page at a time) and the totals. With \
--user: that user's figures day by day. Days are UTC dates (YYYY-MM-DD); the default range is the \
last 30 days. Figures of the last few seconds may not be written yet.

NO REPORT counts whole answers that carried no token report (their tokens are unknown and not in \
the sums): a stream reports tokens only when its client asked for stream_options.include_usage.";

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Only this user: a user id, an email or a breakglass username
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// First day, YYYY-MM-DD (UTC) [default: 29 days before --to]
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (UTC) [default: today]
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Page number of the per-user rows, from 1
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub page: Option<i64>,
    /// Users per page [default: 50, at most 100]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub limit: Option<i64>,
}

const ONBOARD_HELP: &str = "\
First-boot onboarding, in five steps: 1) the breakglass admin, 2) OpenID Connect (optional: \
the issuer's discovery document is checked before saving), 3) the first LLM provider (its connection \
is tested before it is saved), 4) system agents (optional), 5) complete.

On a terminal it is a wizard. Every step is saved as soon as it is answered, so an interrupted \
onboarding (Ctrl-C) is taken up again by running `mosaicctl onboard` again: finished steps are shown \
and can be kept, edited, or (steps 2 and 4) skipped; Back returns to the step before.

With --answers FILE it asks nothing: the TOML file answers every step (see \
deploy/onboarding.example.toml); secrets come from files it names or from standard input, never from \
the file itself. The whole file is read and checked before anything is changed. A step the file \
leaves out is kept if it is already done and an error if it is not.

The exit status says what failed: 5 the answers or a step's input were refused, 9 the provider's \
connection test failed, 8 the OIDC issuer could not be used or Docker failed a system agent, 7 \
onboarding is already complete.";

#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// Answer every step from this TOML file instead of prompting
    #[arg(long, value_name = "FILE", conflicts_with = "status")]
    pub answers: Option<PathBuf>,
    /// Take the steps but do not complete onboarding (step 5)
    #[arg(long, conflicts_with = "status")]
    pub no_complete: bool,
    /// Only show which steps are done, skipped or still to do
    #[arg(long)]
    pub status: bool,
}

#[derive(Debug, Subcommand)]
pub enum ContainersCommand {
    /// List the user and system containers, one page at a time (or --all): owner, state, image,
    /// uptime, last activity, idle timeout, and why and when stopped ones stopped
    Ls(PageArgs),
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
    /// Check an agent image step by step: the Docker engine, the image on the engine or in its
    /// registry, its OpenClaw version, and a trial start of a throwaway container (removed
    /// afterwards). Exit status 8 when a step fails
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The image to check instead of the configured agent.image
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
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
    /// Issue a new setup token for the WebUI's onboarding (replaces the one in mosaicd's log)
    SetupToken,
    /// Back up the database while mosaicd serves, into FILE (checked before it is reported)
    #[command(long_about = BACKUP_HELP)]
    Backup(BackupArgs),
}

const BACKUP_HELP: &str = "\
Back up the database while mosaicd serves. On SQLite, mosaicd copies the database with SQLite's \
online backup API (one consistent snapshot; writes go on meanwhile) into its data directory, checks \
the copy (integrity check, schema version), and mosaicctl reads it over the socket into FILE \
(mode 0600) and checks its SHA-256. On PostgreSQL, mosaicd runs pg_dump (custom format) if it is \
installed on its host and checks the archive with pg_restore --list; otherwise the error gives the \
pg_dump command to run. A progress bar shows the pages copied, then the bytes received.

The secret key is not in the backup: provider keys, gateway tokens and the OIDC client secret stay \
encrypted in it. Back up the key file (or MOSAIC_SECRET_KEY) separately: without that key nothing \
can decrypt them, and mosaicd (and mosaicd restore) refuse a database whose secrets the configured \
key cannot open. Restore with `mosaicd restore FILE`, mosaicd stopped.";

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the backup; refused if it exists (unless --force)
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
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

// ---------------------------------------------------------------------------------------------
// Settings: providers, users, agent config and system config.
// ---------------------------------------------------------------------------------------------

/// The provider types Mosaic knows.
pub const PROVIDER_TYPES: [&str; 5] = ["zai", "openai", "anthropic", "ollama", "custom"];

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// List providers (admin-level ones by default, a user's with --user)
    Ls(OwnerArgs),
    /// Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin
    Add(ProviderAddArgs),
    /// Show one provider and its models
    Show(ProviderRefArgs),
    /// Change a provider; what is not given keeps its value
    Update(ProviderUpdateArgs),
    /// Delete a provider
    Rm(ProviderRefArgs),
    /// Test the connection: ask the provider for its models with the stored key
    Test(ProviderRefArgs),
}

#[derive(Debug, Args)]
pub struct OwnerArgs {
    /// Whose providers: a user id, email or breakglass username [default: the admin-level
    /// providers, used by system agents]
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProviderRefArgs {
    /// The provider's name or id
    #[arg(value_name = "PROVIDER")]
    pub provider: String,
    #[command(flatten)]
    pub owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    /// A model: ID[,name=NAME][,context=TOKENS][,max-tokens=TOKENS][,reasoning][,input=text+image].
    /// Repeat for each model; together they replace the provider's model list
    #[arg(long = "model", value_name = "SPEC")]
    pub models: Vec<String>,
    /// The models as a JSON array of {"id","name","contextWindow","maxTokens","reasoning","input"}
    /// objects, like the `models` field of `providers show --json`; - reads standard input
    #[arg(long, value_name = "FILE", conflicts_with = "models")]
    pub models_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProviderAddArgs {
    /// Name: a lower-case slug, unique per owner; the first half of model references (NAME/MODEL)
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Provider type
    #[arg(long = "type", value_name = "TYPE", value_parser = PROVIDER_TYPES)]
    pub kind: String,
    /// Name shown to people [default: NAME]
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// Base URL of the provider's API, e.g. https://api.openai.com/v1 (required for ollama and custom)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// API the provider speaks [default: anthropic-messages for anthropic, else openai-completions]
    #[arg(long, value_name = "API")]
    pub api_type: Option<String>,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Read the API key from standard input (first line) instead of prompting
    #[arg(long)]
    pub api_key_stdin: bool,
    /// Save the provider without an API key (no prompt)
    #[arg(long, conflicts_with = "api_key_stdin")]
    pub no_api_key: bool,
    /// Save the provider as inactive
    #[arg(long)]
    pub inactive: bool,
    #[command(flatten)]
    pub owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub struct ProviderUpdateArgs {
    /// The provider's name or id
    #[arg(value_name = "PROVIDER")]
    pub provider: String,
    /// New name
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    #[arg(long = "type", value_name = "TYPE", value_parser = PROVIDER_TYPES)]
    pub kind: Option<String>,
    /// New base URL; an empty value removes it
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, value_name = "API")]
    pub api_type: Option<String>,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Read a new API key from standard input (first line)
    #[arg(long, group = "key")]
    pub api_key_stdin: bool,
    /// Prompt (hidden) for a new API key
    #[arg(long, group = "key")]
    pub replace_api_key: bool,
    /// Remove the stored API key
    #[arg(long, group = "key")]
    pub clear_api_key: bool,
    /// Mark the provider active
    #[arg(long, conflicts_with = "inactive")]
    pub active: bool,
    /// Mark the provider inactive
    #[arg(long)]
    pub inactive: bool,
    #[command(flatten)]
    pub owner: OwnerArgs,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users, one page at a time (or --all), oldest first
    Ls(PageArgs),
    /// Invite a user by email; prints the one-time invite link (shown only this once)
    Invite(InviteArgs),
    /// Show one user
    Show(UserRefArgs),
    /// Change a user's name or role
    Update(UserUpdateArgs),
    /// Deactivate a user: ends their sessions, API tokens and open invites, stops their container
    Deactivate(UserRefArgs),
    /// Let a deactivated user log in again
    Reactivate(UserRefArgs),
}

/// Which page of a list: one page (`--page`, `--limit`) or all of them (`--all`).
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Page number, from 1
    #[arg(long, value_name = "N", allow_negative_numbers = true, conflicts_with = "all")]
    pub page: Option<i64>,
    /// Rows per page [default: 50, at most 100; 100 with --all]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub limit: Option<i64>,
    /// Every page, one after the other, as one list
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[arg(value_name = "EMAIL")]
    pub email: String,
    /// Display name [default: the part of EMAIL before @]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_name = "ROLE", value_parser = ["admin", "member"], default_value = "member")]
    pub role: String,
}

#[derive(Debug, Args)]
pub struct UserRefArgs {
    /// A user id, email or breakglass username
    #[arg(value_name = "USER")]
    pub user: String,
}

#[derive(Debug, Args)]
pub struct UserUpdateArgs {
    /// A user id, email or breakglass username
    #[arg(value_name = "USER")]
    pub user: String,
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_name = "ROLE", value_parser = ["admin", "member"])]
    pub role: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AgentConfigCommand {
    /// Show a user's agent config
    Show(AgentUserArgs),
    /// Change a user's agent config; what is not given keeps its value. A running agent
    /// container restarts with the new config
    Set(AgentConfigSetArgs),
    /// Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys
    /// masked (--json: both in one document)
    Render {
        /// A user id, email or breakglass username; system/NAME for a system agent
        #[arg(value_name = "USER")]
        target: String,
    },
}

#[derive(Debug, Args)]
pub struct AgentUserArgs {
    /// Whose agent: a user id, email or breakglass username
    #[arg(long, value_name = "USER", required = true)]
    pub user: String,
}

#[derive(Debug, Args)]
pub struct AgentConfigSetArgs {
    #[command(flatten)]
    pub user: AgentUserArgs,
    /// Primary model as PROVIDER/MODEL (e.g. my-openai/gpt-4o); an empty value removes it
    #[arg(long, value_name = "MODEL")]
    pub primary_model: Option<String>,
    /// Fallback models, comma-separated, in order; an empty value removes them all
    #[arg(long, value_name = "MODELS")]
    pub fallbacks: Option<String>,
    /// The personality (the agent's SOUL.md) from this file; - reads standard input
    #[arg(long, value_name = "FILE", conflicts_with = "clear_personality")]
    pub personality_file: Option<PathBuf>,
    /// Remove the personality
    #[arg(long)]
    pub clear_personality: bool,
    /// Default provider: the name or id of one of the user's providers; an empty value removes it
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List the system settings, their values and what they do
    Ls {
        /// Only settings whose name starts with this (e.g. oidc)
        #[arg(value_name = "PREFIX")]
        prefix: Option<String>,
    },
    /// Print one setting's value (a secret prints only whether it is set)
    Get {
        #[arg(value_name = "KEY")]
        key: String,
    },
    /// Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret
    /// is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin
    Set(ConfigSetArgs),
    /// Return settings to their defaults; `oidc` removes the whole OIDC client
    Unset {
        #[arg(value_name = "KEY", required = true)]
        keys: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ConfigSetArgs {
    /// KEY VALUE, or KEY=VALUE pairs (split at the first =); lists are comma-separated
    #[arg(value_name = "SETTING", required = true)]
    pub settings: Vec<String>,
    /// Read the secret setting's value from standard input (first line) instead of prompting
    #[arg(long)]
    pub value_stdin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_takes_durations_and_bare_seconds_but_not_zero() {
        let timeout = |args: &[&str]| Cli::try_parse_from(args).map(|cli| cli.timeout);
        assert_eq!(timeout(&["mosaicctl", "status"]).unwrap(), None);
        for (text, expected) in [("120", 120), ("90s", 90), ("10m", 600), ("1h 30m", 5400)] {
            assert_eq!(
                timeout(&["mosaicctl", "--timeout", text, "status"]).unwrap(),
                Some(Duration::from_secs(expected)),
                "{text}"
            );
        }
        for (text, why) in [
            ("0", "must not be zero"),
            ("0s", "must not be zero"),
            ("soon", "e.g. 500ms"),
        ] {
            let err = timeout(&["mosaicctl", "status", "--timeout", text])
                .unwrap_err()
                .to_string();
            assert!(err.contains("--timeout") && err.contains(why), "{text}: {err}");
        }
    }
}
