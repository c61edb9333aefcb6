//! `mosaicctl users`: the administration's users page, over the admin socket. Pages and their
//! meta are the HTTP API's (`{data, meta:{total,page,limit,totalPages}}` with `--json`).

use mosaic_shared::types::{AdminUser, InviteRequest, Role, UserPatch, UserStatus};

use crate::call;
use crate::cli::UsersCommand;
use crate::client::Client;
use crate::commands::paging;
use crate::error::{CliError, CliResult};
use crate::output;

pub async fn run(client: &Client, command: UsersCommand, json: bool) -> CliResult {
    match command {
        UsersCommand::Ls(args) => {
            let page = paging::fetch(
                &args,
                |page, limit| async move { call!(client, users_list(page, limit)) },
            )
            .await?;
            if json {
                output::json(&page);
                return Ok(());
            }
            if let Some(text) = paging::past_the_end(&page, "user") {
                println!("{text}");
                return Ok(());
            }
            if page.data.is_empty() {
                println!("No users yet.");
                return Ok(());
            }
            let mut table = output::table(&["ID", "NAME", "EMAIL", "ROLE", "STATUS", "AUTH", "CREATED"]);
            for u in &page.data {
                table.add_row(vec![
                    u.id.clone(),
                    u.name.clone(),
                    u.email.clone().unwrap_or_else(|| "-".into()),
                    u.role.as_str().to_string(),
                    status(u.status).to_string(),
                    u.auth_source.to_string(),
                    output::time(&u.created_at),
                ]);
            }
            println!("{table}");
            if !args.all {
                println!("{}", paging::footer(&page.meta, "user"));
            }
        }
        UsersCommand::Invite(args) => {
            let request = InviteRequest {
                email: args.email,
                name: args.name,
                role: Some(role(&args.role)),
            };
            let invitation = call!(client, user_invite(request))?;
            if json {
                output::json(&invitation);
                return Ok(());
            }
            println!(
                "Invited {} as {} (user id {}).",
                invitation.email,
                invitation.role.as_str(),
                invitation.user_id
            );
            println!(
                "Invite link, shown only this once (valid until {}):",
                output::time(&invitation.expires_at)
            );
            println!("  {}", invitation.invite_url.expose());
            if invitation.invite_url.expose().starts_with('/') {
                println!(
                    "No WebUI origin is configured, so the link is relative: put the WebUI's address in front, \
                     or set one with `mosaicctl config set http.webuiOrigins https://…` before inviting."
                );
            }
        }
        UsersCommand::Show(args) => {
            let user = call!(client, user_get(args.user))?;
            if json {
                output::json(&user);
            } else {
                print_user(&user);
            }
        }
        UsersCommand::Update(args) => {
            if args.name.is_none() && args.role.is_none() {
                return Err(CliError::invalid("nothing to change: give --name or --role"));
            }
            let patch = UserPatch {
                name: args.name,
                role: args.role.as_deref().map(role),
            };
            let user = call!(client, user_update(args.user, patch))?;
            if json {
                output::json(&user);
            } else {
                println!(
                    "Updated {}: name {:?}, role {}.",
                    label(&user),
                    user.name,
                    user.role.as_str()
                );
            }
        }
        UsersCommand::Deactivate(args) => {
            let user = call!(client, user_deactivate(args.user))?;
            if json {
                output::json(&user);
            } else {
                println!(
                    "Deactivated {}: their sessions, API tokens and open invites have ended and their agent \
                     container is stopped.",
                    label(&user)
                );
            }
        }
        UsersCommand::Reactivate(args) => {
            let user = call!(client, user_reactivate(args.user))?;
            if json {
                output::json(&user);
            } else {
                println!("Reactivated {}: status {}.", label(&user), status(user.status));
            }
        }
    }
    Ok(())
}

fn role(text: &str) -> Role {
    match text {
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

fn status(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "active",
        UserStatus::Invited => "invited",
        UserStatus::Deactivated => "deactivated",
    }
}

/// `bob@example.com (0193…)`, or the name for accounts without an email.
fn label(user: &AdminUser) -> String {
    format!("{} ({})", user.email.as_deref().unwrap_or(&user.name), user.id)
}

fn print_user(u: &AdminUser) {
    let dash = |v: &Option<String>| v.as_deref().map(output::time).unwrap_or_else(|| "-".into());
    let rows = [
        ("id", u.id.clone()),
        ("name", u.name.clone()),
        ("email", u.email.clone().unwrap_or_else(|| "-".into())),
        ("role", u.role.as_str().to_string()),
        ("status", status(u.status).to_string()),
        ("auth source", u.auth_source.to_string()),
        ("invited", dash(&u.invited_at)),
        ("invited by", u.invited_by.clone().unwrap_or_else(|| "-".into())),
        ("deactivated", dash(&u.deactivated_at)),
        ("created", output::time(&u.created_at)),
        ("updated", output::time(&u.updated_at)),
    ];
    println!("{}", output::fields(&rows));
}
