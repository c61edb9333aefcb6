//! `mosaicctl system-agents`: always-on agents with the admin-level providers.

use std::time::Instant;

use mosaic_shared::types::SystemAgentSpec;

use crate::call;
use crate::cli::SystemAgentsCommand;
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::output;

pub async fn run(client: &Client, command: SystemAgentsCommand, json: bool) -> CliResult {
    match command {
        SystemAgentsCommand::Add(args) => {
            let personality =
                match &args.personality_file {
                    Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                        CliError::invalid(format!("cannot read personality file {}: {e}", path.display()))
                    })?),
                    None => None,
                };
            let spec = SystemAgentSpec {
                name: args.name.clone(),
                role: args.role,
                primary_model: args.model,
                provider: args.provider,
                personality,
            };
            let began = Instant::now();
            let result = output::waiting(
                format!("Adding system agent {} and starting its container…", args.name),
                async { call!(client, system_agent_add(spec)) },
            )
            .await;
            let agent = result?;
            if json {
                output::json(&agent);
            } else {
                println!(
                    "Added system agent {}; {} started in {:.1}s.",
                    agent.name,
                    agent.container.name,
                    began.elapsed().as_secs_f64()
                );
            }
        }
        SystemAgentsCommand::Ls => {
            let agents = call!(client, system_agents_list())?;
            if json {
                output::json(&agents);
            } else if agents.is_empty() {
                println!("No system agents.");
            } else {
                let mut table = output::table(&["NAME", "ROLE", "MODEL", "PROVIDER", "STATE", "UPTIME", "CONTAINER"]);
                for a in &agents {
                    table.add_row(vec![
                        a.name.clone(),
                        a.role.clone(),
                        a.primary_model.clone(),
                        a.provider.clone().unwrap_or_else(|| "-".into()),
                        a.container.state.to_string(),
                        a.container
                            .uptime_seconds
                            .map(output::duration)
                            .unwrap_or_else(|| "-".into()),
                        a.container.name.clone(),
                    ]);
                }
                println!("{table}");
            }
        }
        SystemAgentsCommand::Rm { name } => {
            call!(client, system_agent_remove(name.clone()))?;
            if json {
                output::json(&serde_json::json!({ "removed": name }));
            } else {
                println!("Removed system agent {name}, its container and its state volume.");
            }
        }
    }
    Ok(())
}
