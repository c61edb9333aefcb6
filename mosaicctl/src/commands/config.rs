//! `mosaicctl config`: system settings by name. The daemon owns the list of settings, their rules
//! and which of them are secrets; secrets are written from a hidden prompt or stdin and read back
//! only as "set" with a masked hint.

use mosaic_shared::types::{ConfigChange, ConfigEntry};
use serde_json::Value;

use crate::call;
use crate::cli::{ConfigCommand, ConfigSetArgs};
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::{input, output};

pub async fn run(client: &Client, command: ConfigCommand, json: bool) -> CliResult {
    match command {
        ConfigCommand::Ls { prefix } => {
            let mut entries = call!(client, config_list())?;
            if let Some(prefix) = &prefix {
                entries.retain(|e| e.key.starts_with(prefix.as_str()));
                if entries.is_empty() {
                    return Err(CliError::kind(
                        mosaic_shared::ErrorKind::NotFound,
                        format!("no setting starts with {prefix:?} (`mosaicctl config ls` lists them)"),
                    ));
                }
            }
            if json {
                output::json(&entries);
            } else {
                let mut table = output::table(&["KEY", "VALUE", "DESCRIPTION"]);
                for e in &entries {
                    let mut value = listed(e);
                    if e.read_only {
                        value.push_str(" (read-only)");
                    } else if !e.secret && !e.default.is_null() && e.value == e.default {
                        value.push_str(" (default)");
                    }
                    table.add_row(vec![e.key.clone(), value, e.description.clone()]);
                }
                println!("{table}");
            }
        }
        ConfigCommand::Get { key } => {
            let entry = call!(client, config_get(key))?;
            if json {
                output::json(&entry);
            } else {
                println!("{}", plain(&entry));
            }
        }
        ConfigCommand::Set(args) => {
            let entries = call!(client, config_list())?;
            let changes = changes(&args, &entries)?;
            let changed = call!(client, config_set(changes))?;
            print_changed(&changed, json);
        }
        ConfigCommand::Unset { keys } => {
            let changed = call!(client, config_unset(keys))?;
            print_changed(&changed, json);
        }
    }
    Ok(())
}

fn print_changed(entries: &[ConfigEntry], json: bool) {
    if json {
        output::json(&entries);
        return;
    }
    for e in entries {
        println!("{} = {}", e.key, listed(e));
    }
}

fn is_secret(entries: &[ConfigEntry], key: &str) -> bool {
    entries.iter().any(|e| e.key == key && e.secret)
}

fn secret_on_command_line(key: &str) -> CliError {
    CliError::invalid(format!(
        "{key} is a secret and is not taken on the command line (it would show in ps and shell history): \
         name it without a value and type it at the prompt, or pass --value-stdin and write it to stdin"
    ))
}

/// The changes the arguments ask for: `KEY VALUE`, or `KEY=VALUE` pairs and bare secret keys.
fn changes(args: &ConfigSetArgs, entries: &[ConfigEntry]) -> CliResult<Vec<ConfigChange>> {
    let settings = &args.settings;
    if settings.len() == 2 && !settings[0].contains('=') {
        let (key, value) = (&settings[0], &settings[1]);
        if is_secret(entries, key) && !value.contains('=') {
            return Err(secret_on_command_line(key));
        }
        if !is_secret(entries, key) {
            if args.value_stdin {
                return Err(value_stdin_unused());
            }
            return Ok(vec![ConfigChange {
                key: key.clone(),
                value: value.clone().into(),
            }]);
        }
    }
    let mut changes = Vec::new();
    let mut read_secret = false;
    for setting in settings {
        match setting.split_once('=') {
            Some((key, _)) if is_secret(entries, key) => return Err(secret_on_command_line(key)),
            Some((key, value)) => changes.push(ConfigChange {
                key: key.to_string(),
                value: value.to_string().into(),
            }),
            None if is_secret(entries, setting) => {
                if read_secret && args.value_stdin {
                    return Err(CliError::invalid(
                        "--value-stdin reads one secret: set the other secret in a command of its own",
                    ));
                }
                read_secret = true;
                let value = input::secret(
                    &format!("value of {setting}"),
                    args.value_stdin,
                    "--value-stdin",
                    None,
                    false,
                )?
                .ok_or_else(|| CliError::invalid(format!("no value for {setting}")))?;
                changes.push(ConfigChange {
                    key: setting.clone(),
                    value,
                });
            }
            None if settings.len() == 1 => {
                return Err(CliError::invalid(format!(
                    "no value for {setting}: `mosaicctl config set {setting} VALUE` (or {setting}=VALUE)"
                )));
            }
            None => {
                return Err(CliError::invalid(format!(
                    "{setting:?}: expected KEY=VALUE (only a secret setting is named without its value)"
                )));
            }
        }
    }
    if args.value_stdin && !read_secret {
        return Err(value_stdin_unused());
    }
    Ok(changes)
}

fn value_stdin_unused() -> CliError {
    CliError::invalid("--value-stdin reads the value of a secret setting: name the secret setting without a value")
}

/// A value as `config get` prints it: lists comma-separated (as `config set` takes them), nothing
/// for no value, a secret as "set (hint)" or "not set".
fn plain(e: &ConfigEntry) -> String {
    if e.secret {
        return secret_state(e);
    }
    match &e.value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// A value as the tables show it.
fn listed(e: &ConfigEntry) -> String {
    if e.secret {
        return secret_state(e);
    }
    match &e.value {
        Value::Null => "(not set)".into(),
        Value::Array(items) if items.is_empty() => "(none)".into(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        _ => plain(e),
    }
}

fn secret_state(e: &ConfigEntry) -> String {
    match (e.secret_set, &e.hint) {
        (true, Some(hint)) => format!("set ({hint})"),
        (true, None) => "set".into(),
        (false, _) => "not set".into(),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
