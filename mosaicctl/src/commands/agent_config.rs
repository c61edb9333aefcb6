//! `mosaicctl agent-config`: a user's agent (primary model, fallbacks, personality, default
//! provider). `set` changes what its flags name and keeps the rest; the daemon replaces the whole
//! config and applies the HTTP API's rules.

use mosaic_shared::types::{AgentConfig, AgentConfigInput};

use crate::call;
use crate::cli::AgentConfigCommand;
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::{input, output};

pub async fn run(client: &Client, command: AgentConfigCommand, json: bool) -> CliResult {
    match command {
        AgentConfigCommand::Render { target } => {
            let rendered = call!(client, agent_config_render(target))?;
            if json {
                output::json(&rendered);
            } else {
                println!("# openclaw.json for {} (API keys masked)", rendered.agent);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rendered.openclaw_json).expect("JSON serializes")
                );
                match &rendered.soul {
                    Some(soul) => println!("\n# SOUL.md\n{soul}"),
                    None => println!("\n# SOUL.md: none (OpenClaw's first-run templates apply)"),
                }
            }
        }
        AgentConfigCommand::Show(args) => {
            let config = call!(client, agent_config_get(args.user.clone()))?;
            if json {
                output::json(&config);
            } else {
                print_config(client, &args.user, &config).await?;
            }
        }
        AgentConfigCommand::Set(args) => {
            let user = args.user.user;
            let personality = match &args.personality_file {
                Some(path) => Some(Some(input::read_text(path, "the personality")?)),
                None if args.clear_personality => Some(None),
                None => None,
            };
            if args.primary_model.is_none()
                && args.fallbacks.is_none()
                && personality.is_none()
                && args.provider.is_none()
            {
                return Err(CliError::invalid(
                    "nothing to change: give --primary-model, --fallbacks, --personality-file, --clear-personality \
                     or --provider",
                ));
            }
            let current = call!(client, agent_config_get(user.clone()))?;
            let input = AgentConfigInput {
                primary_model: match args.primary_model {
                    Some(model) => Some(model).filter(|m| !m.trim().is_empty()),
                    None => current.primary_model,
                },
                fallback_models: match &args.fallbacks {
                    Some(list) => list
                        .split(',')
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .map(str::to_string)
                        .collect(),
                    None => current.fallback_models,
                },
                personality: personality.unwrap_or(current.personality),
                provider_id: match args.provider {
                    Some(provider) => Some(provider).filter(|p| !p.trim().is_empty()),
                    None => current.provider_id,
                },
            };
            let saved = call!(client, agent_config_set(user.clone(), input))?;
            if json {
                output::json(&saved);
            } else {
                println!("Saved the agent config of {user}; a running agent container restarts with it.");
                print_config(client, &user, &saved).await?;
            }
        }
    }
    Ok(())
}

async fn print_config(client: &Client, user: &str, config: &AgentConfig) -> CliResult {
    let provider = match &config.provider_id {
        Some(id) => {
            // Name the provider for people; the id stays visible for scripts.
            let providers = call!(client, providers_list(Some(user.to_string())))?;
            match providers.iter().find(|p| &p.id == id) {
                Some(p) => format!("{} ({id})", p.name),
                None => id.clone(),
            }
        }
        None => "-".into(),
    };
    let personality = match &config.personality {
        Some(text) => {
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
            let first: String = first.chars().take(60).collect();
            format!("{} bytes: {first}…", text.len())
        }
        None => "-".into(),
    };
    let rows = [
        (
            "primary model",
            config.primary_model.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "fallbacks",
            if config.fallback_models.is_empty() {
                "-".into()
            } else {
                config.fallback_models.join(", ")
            },
        ),
        ("default provider", provider),
        ("personality", personality),
        (
            "updated",
            config
                .updated_at
                .as_deref()
                .map(output::time)
                .unwrap_or_else(|| "never".into()),
        ),
    ];
    println!("{}", output::fields(&rows));
    Ok(())
}
