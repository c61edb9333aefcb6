//! `mosaicctl providers`: admin-level LLM providers (used by system agents), or a user's with
//! `--user`. The daemon validates everything (the same rules as the HTTP API); this module turns
//! flags into requests and answers into tables. API keys go in from stdin or a hidden prompt and
//! never come back: only a masked hint.

use mosaic_shared::types::{ConnectionTest, NewProvider, Provider, ProviderModel, ProviderPatch, ProviderType};

use crate::call;
use crate::cli::{ModelArgs, OwnerArgs, ProviderAddArgs, ProviderUpdateArgs, ProvidersCommand};
use crate::client::Client;
use crate::error::{CliError, CliResult, EXIT_TEST_FAILED};
use crate::{input, output};

pub async fn run(client: &Client, command: ProvidersCommand, json: bool) -> CliResult {
    match command {
        ProvidersCommand::Ls(owner) => {
            let list = call!(client, providers_list(owner.user.clone()))?;
            if json {
                output::json(&list);
            } else if list.is_empty() {
                match &owner.user {
                    Some(user) => println!("User {user} has no providers."),
                    None => println!("No admin-level providers yet: add one with `mosaicctl providers add`."),
                }
            } else {
                let mut table = output::table(&["NAME", "TYPE", "BASE URL", "API TYPE", "MODELS", "API KEY", "ACTIVE"]);
                for p in &list {
                    table.add_row(vec![
                        p.name.clone(),
                        p.kind.as_str().to_string(),
                        p.base_url.clone().unwrap_or_else(|| "(built in)".into()),
                        p.api_type.clone(),
                        model_ids(&p.models),
                        key_hint(p),
                        yes_no(p.is_active),
                    ]);
                }
                println!("{table}");
            }
        }
        ProvidersCommand::Add(args) => add(client, args, json).await?,
        ProvidersCommand::Show(args) => {
            let provider = call!(client, provider_get(args.owner.user, args.provider))?;
            if json {
                output::json(&provider);
            } else {
                print_provider(&provider);
            }
        }
        ProvidersCommand::Update(args) => update(client, args, json).await?,
        ProvidersCommand::Rm(args) => {
            call!(client, provider_delete(args.owner.user.clone(), args.provider.clone()))?;
            if json {
                output::json(&serde_json::json!({ "deleted": args.provider }));
            } else {
                println!("Deleted provider {} ({}).", args.provider, owner_label(&args.owner));
            }
        }
        ProvidersCommand::Test(args) => {
            let result = output::waiting(format!("Testing provider {}…", args.provider), async {
                call!(client, provider_test(args.owner.user, args.provider.clone()))
            })
            .await;
            let result = result?;
            if json {
                output::json(&result);
            } else {
                print_test(&result);
            }
            if !result.ok {
                return Err(CliError::new(
                    EXIT_TEST_FAILED,
                    format!(
                        "connection test of {} failed ({}): {}",
                        args.provider,
                        outcome(&result),
                        result.message
                    ),
                ));
            }
        }
    }
    Ok(())
}

async fn add(client: &Client, args: ProviderAddArgs, json: bool) -> CliResult {
    let models = models(&args.models, args.api_key_stdin)?;
    let api_key = if args.no_api_key {
        None
    } else {
        input::secret(
            "API key",
            args.api_key_stdin,
            "--api-key-stdin",
            Some("--no-api-key"),
            true,
        )?
    };
    let input = NewProvider {
        name: args.name,
        display_name: args.display_name,
        kind: provider_type(&args.kind),
        base_url: args.base_url,
        api_key,
        api_type: args.api_type,
        models,
        is_active: Some(!args.inactive),
    };
    let created = call!(client, provider_create(args.owner.user.clone(), input))?;
    if json {
        output::json(&created);
    } else {
        println!(
            "Added provider {} ({}, {}); API key: {}.",
            created.name,
            created.kind.as_str(),
            owner_label(&args.owner),
            key_hint(&created)
        );
        if created.base_url.is_some() {
            let user = args
                .owner
                .user
                .as_ref()
                .map(|u| format!(" --user {u}"))
                .unwrap_or_default();
            println!("Test it with `mosaicctl providers test {}{user}`.", created.name);
        }
    }
    Ok(())
}

async fn update(client: &Client, args: ProviderUpdateArgs, json: bool) -> CliResult {
    let models = models(&args.models, args.api_key_stdin)?;
    let api_key = if args.clear_api_key {
        Some(None)
    } else if args.api_key_stdin || args.replace_api_key {
        Some(input::secret(
            "new API key",
            args.api_key_stdin,
            "--api-key-stdin",
            None,
            false,
        )?)
    } else {
        None
    };
    let patch = ProviderPatch {
        name: args.name,
        display_name: args.display_name,
        kind: args.kind.as_deref().map(provider_type),
        base_url: args.base_url.map(|url| Some(url).filter(|u| !u.trim().is_empty())),
        api_key,
        api_type: args.api_type,
        models,
        is_active: match (args.active, args.inactive) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    if patch == ProviderPatch::default() {
        return Err(CliError::invalid(
            "nothing to change: give at least one of --name, --display-name, --type, --base-url, --api-type, \
             --model, --models-file, --api-key-stdin, --replace-api-key, --clear-api-key, --active, --inactive",
        ));
    }
    let updated = call!(client, provider_update(args.owner.user.clone(), args.provider, patch))?;
    if json {
        output::json(&updated);
    } else {
        println!(
            "Updated provider {} ({}); API key: {}.",
            updated.name,
            owner_label(&args.owner),
            key_hint(&updated)
        );
    }
    Ok(())
}

/// The model list the flags give, if they give one.
fn models(args: &ModelArgs, key_from_stdin: bool) -> CliResult<Option<Vec<ProviderModel>>> {
    if let Some(path) = &args.models_file {
        if key_from_stdin && path.as_os_str() == "-" {
            return Err(CliError::invalid(
                "--models-file - and --api-key-stdin cannot both read standard input: put the models in a file",
            ));
        }
        let text = input::read_text(path, "the models")?;
        let models: Vec<ProviderModel> = serde_json::from_str(&text).map_err(|e| {
            CliError::invalid(format!(
                "{} is not a JSON array of models ({{\"id\", \"name\", \"contextWindow\", \"maxTokens\", \
                 \"reasoning\", \"input\"}}): {e}",
                path.display()
            ))
        })?;
        return Ok(Some(models));
    }
    if args.models.is_empty() {
        return Ok(None);
    }
    args.models
        .iter()
        .map(|spec| parse_model(spec).map_err(CliError::invalid))
        .collect::<CliResult<Vec<_>>>()
        .map(Some)
}

/// `ID[,name=NAME][,context=TOKENS][,max-tokens=TOKENS][,reasoning][,input=text+image]`. Only the
/// syntax is checked here; the daemon checks the values.
pub fn parse_model(spec: &str) -> Result<ProviderModel, String> {
    let mut parts = spec.split(',');
    let id = parts.next().unwrap_or("").trim();
    if id.is_empty() || id.contains('=') {
        return Err(format!(
            "invalid --model {spec:?}: start with the model id, e.g. gpt-4o,name=GPT-4o,context=128000"
        ));
    }
    let mut model = ProviderModel {
        id: id.to_string(),
        ..ProviderModel::default()
    };
    let number = |key: &str, value: Option<&str>| -> Result<u64, String> {
        value
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("invalid --model {spec:?}: {key} takes a whole number of tokens"))
    };
    for part in parts {
        let (key, value) = match part.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v)),
            None => (part.trim(), None),
        };
        match key {
            "name" => {
                model.name = Some(
                    value
                        .ok_or_else(|| format!("invalid --model {spec:?}: name=NAME"))?
                        .to_string(),
                )
            }
            "context" | "context-window" => model.context_window = Some(number(key, value)?),
            "max-tokens" => model.max_tokens = Some(number(key, value)?),
            "reasoning" => {
                model.reasoning = Some(match value.map(str::trim) {
                    None | Some("true") => true,
                    Some("false") => false,
                    Some(_) => return Err(format!("invalid --model {spec:?}: reasoning or reasoning=false")),
                })
            }
            "input" => {
                model.input = Some(
                    value
                        .ok_or_else(|| {
                            format!("invalid --model {spec:?}: input=text, input=image or input=text+image")
                        })?
                        .split('+')
                        .map(|i| i.trim().to_string())
                        .collect(),
                )
            }
            other => {
                return Err(format!(
                    "invalid --model {spec:?}: unknown attribute {other:?} (name, context, max-tokens, reasoning, input)"
                ));
            }
        }
    }
    Ok(model)
}

fn provider_type(text: &str) -> ProviderType {
    ProviderType::parse(text).expect("clap allows only the provider types")
}

fn owner_label(owner: &OwnerArgs) -> String {
    match &owner.user {
        Some(user) => format!("user {user}"),
        None => "admin-level".into(),
    }
}

fn key_hint(p: &Provider) -> String {
    match (&p.api_key_hint, p.has_api_key) {
        (Some(hint), _) => hint.clone(),
        (None, true) => "set".into(),
        (None, false) => "none".into(),
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.into()
}

fn model_ids(models: &[ProviderModel]) -> String {
    if models.is_empty() {
        return "-".into();
    }
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    ids.join(", ")
}

fn print_provider(p: &Provider) {
    let rows = [
        ("name", p.name.clone()),
        ("display name", p.display_name.clone()),
        ("id", p.id.clone()),
        ("type", p.kind.as_str().to_string()),
        ("base URL", p.base_url.clone().unwrap_or_else(|| "(built in)".into())),
        ("API type", p.api_type.clone()),
        ("API key", key_hint(p)),
        ("active", yes_no(p.is_active)),
        ("created", output::time(&p.created_at)),
        ("updated", output::time(&p.updated_at)),
    ];
    println!("{}", output::fields(&rows));
    if p.models.is_empty() {
        println!("No models listed.");
        return;
    }
    let mut table = output::table(&["MODEL", "NAME", "CONTEXT WINDOW", "MAX TOKENS", "REASONING", "INPUT"]);
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    for m in &p.models {
        table.add_row(vec![
            m.id.clone(),
            dash(m.name.clone()),
            dash(m.context_window.map(|n| n.to_string())),
            dash(m.max_tokens.map(|n| n.to_string())),
            dash(m.reasoning.map(yes_no)),
            dash(m.input.as_ref().map(|i| i.join("+"))),
        ]);
    }
    println!("{table}");
}

fn outcome(result: &ConnectionTest) -> String {
    serde_json::to_value(result.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
        .replace('_', " ")
}

fn print_test(result: &ConnectionTest) {
    let mut rows = vec![
        ("result", if result.ok { "ok".to_string() } else { outcome(result) }),
        ("message", result.message.clone()),
    ];
    if let Some(url) = &result.url {
        rows.push(("URL", url.clone()));
    }
    if let Some(status) = result.http_status {
        rows.push(("HTTP status", status.to_string()));
    }
    if let Some(ms) = result.latency_ms {
        rows.push(("latency", format!("{ms} ms")));
    }
    if !result.models.is_empty() {
        rows.push(("models", result.models.join(", ")));
    }
    println!("{}", output::fields(&rows));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_specs() {
        let m = parse_model("gpt-4o,name=GPT-4o,context=128000,max-tokens=16384,reasoning,input=text+image").unwrap();
        assert_eq!(m.id, "gpt-4o");
        assert_eq!(m.name.as_deref(), Some("GPT-4o"));
        assert_eq!(m.context_window, Some(128000));
        assert_eq!(m.max_tokens, Some(16384));
        assert_eq!(m.reasoning, Some(true));
        assert_eq!(m.input, Some(vec!["text".to_string(), "image".to_string()]));
        let bare = parse_model("qwen2.5-coder:7b").unwrap();
        assert_eq!(bare.id, "qwen2.5-coder:7b");
        assert!(bare.name.is_none() && bare.context_window.is_none());
        assert_eq!(parse_model("x,reasoning=false").unwrap().reasoning, Some(false));
        for bad in [
            "",
            ",name=x",
            "name=x",
            "x,context=lots",
            "x,colour=blue",
            "x,name",
            "x,reasoning=maybe",
        ] {
            assert!(parse_model(bad).is_err(), "{bad}");
        }
    }
}
