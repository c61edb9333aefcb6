use mosaic_shared::policy;

use crate::call;
use crate::cli::{AdminCommand, BreakglassArgs};
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::{input, output};

pub async fn run(client: &Client, command: AdminCommand, json: bool) -> CliResult {
    match command {
        AdminCommand::CreateBreakglass(args) => {
            let (username, password) = credentials(args)?;
            let created = call!(client, create_breakglass(username, password))?;
            if json {
                output::json(&created);
            } else {
                println!("Created breakglass admin '{}'.", created.username);
            }
        }
        AdminCommand::ResetBreakglass(args) => {
            let (username, password) = credentials(args)?;
            let reset = call!(client, reset_breakglass(username, password))?;
            if json {
                output::json(&reset);
            } else {
                println!(
                    "Set a new password for breakglass admin '{}'; its sessions were ended.",
                    reset.username
                );
            }
        }
        AdminCommand::ListBreakglass => {
            let list = call!(client, list_breakglass())?;
            if json {
                output::json(&list);
            } else {
                let mut table = output::table(&["USERNAME", "ACTIVE", "CREATED", "UPDATED"]);
                for b in &list {
                    table.add_row(vec![
                        b.username.clone(),
                        b.active.to_string(),
                        b.created_at.clone(),
                        b.updated_at.clone(),
                    ]);
                }
                println!("{table}");
            }
        }
        AdminCommand::RotateKey(args) => {
            let new_key = if args.new_key_stdin {
                Some(input::read_stdin_line("new key")?)
            } else {
                None
            };
            let report = call!(client, rotate_key(new_key))?;
            if json {
                output::json(&report);
            } else {
                println!(
                    "Re-encrypted {} stored secrets under key {}.",
                    report.reencrypted, report.new_key_id
                );
                if !report.retired_key_ids.is_empty() {
                    println!("Retired keys: {}.", report.retired_key_ids.join(", "));
                }
                match &report.key_file {
                    Some(path) => println!("The new key is in {path}; back it up."),
                    None => println!("Set MOSAIC_SECRET_KEY to the new key before mosaicd next starts."),
                }
            }
        }
        AdminCommand::Backup(args) => super::backup::run(client, args, json).await?,
        AdminCommand::SetupToken => {
            let issued = call!(client, onboarding_setup_token())?;
            if json {
                output::json(&issued);
            } else {
                println!("{}", issued.token.expose());
                eprintln!(
                    "Setup token for the WebUI's onboarding, valid until {}; it replaces any earlier one.",
                    issued.expires_at
                );
            }
        }
    }
    Ok(())
}

fn credentials(args: BreakglassArgs) -> CliResult<(String, mosaic_shared::Sensitive)> {
    let username = input::required(args.username, "--username", "Breakglass username", Some("admin"))?;
    policy::check_username(&username).map_err(CliError::invalid)?;
    let password = input::new_password(&username, args.password_stdin)?;
    Ok((username, password))
}
