//! `mosaicctl`, the Mosaic admin CLI, as a library: the command-line definition (also used to
//! generate man pages and completions) and the commands.

pub mod cli;
pub mod client;
pub mod commands;
pub mod error;
pub mod input;
pub mod output;

use std::time::Duration;

use cli::{Cli, Command};
use error::CliResult;

/// Default deadline for quick requests; slow ones (Docker work, key rotation) get more.
const QUICK: Duration = Duration::from_secs(30);
const SLOW: Duration = Duration::from_secs(300);

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return 1;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}", e.message);
            e.code
        }
    }
}

async fn dispatch(cli: Cli) -> CliResult {
    let socket = cli.socket.clone().unwrap_or_else(mosaic_shared::paths::default_socket);
    let timeout = cli.timeout.unwrap_or(match &cli.command {
        // A connection test waits for the provider; a change to what an agent runs with restarts
        // its container, and a deactivation stops it.
        Command::Providers(
            cli::ProvidersCommand::Test(_)
            | cli::ProvidersCommand::Add(_)
            | cli::ProvidersCommand::Update(_)
            | cli::ProvidersCommand::Rm(_),
        )
        | Command::Users(cli::UsersCommand::Deactivate(_))
        | Command::AgentConfig(cli::AgentConfigCommand::Set(_)) => SLOW,
        Command::Admin(cli::AdminCommand::RotateKey(_))
        | Command::Containers(
            cli::ContainersCommand::Start(_)
            | cli::ContainersCommand::Restart(_)
            | cli::ContainersCommand::Stop(_)
            | cli::ContainersCommand::Reap
            | cli::ContainersCommand::Doctor(_),
        )
        // A new agent.image is looked up on the engine and in its registry.
        | Command::Config(cli::ConfigCommand::Set(_))
        | Command::SystemAgents(cli::SystemAgentsCommand::Add(_) | cli::SystemAgentsCommand::Rm { .. }) => SLOW,
        // Step 3 tests a provider and step 4 starts containers.
        Command::Onboard(_) => SLOW,
        _ => QUICK,
    });
    let client = client::connect(&socket, timeout).await?;
    match cli.command {
        Command::Status => commands::status::run(&client, cli.json).await,
        Command::Admin(command) => commands::admin::run(&client, command, cli.json).await,
        Command::Providers(command) => commands::providers::run(&client, command, cli.json).await,
        Command::Users(command) => commands::users::run(&client, command, cli.json).await,
        Command::AgentConfig(command) => commands::agent_config::run(&client, command, cli.json).await,
        Command::Config(command) => commands::config::run(&client, command, cli.json).await,
        Command::Containers(command) => commands::containers::run(&client, command, cli.json).await,
        Command::SystemAgents(command) => commands::system_agents::run(&client, command, cli.json).await,
        Command::Onboard(args) => commands::onboard::run(&client, args, cli.json).await,
        Command::Usage(args) => commands::usage::run(&client, args, cli.json).await,
    }
}
