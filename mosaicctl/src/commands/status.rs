use mosaic_shared::types::Status;

use crate::call;
use crate::client::Client;
use crate::error::CliResult;
use crate::output;

pub async fn run(client: &Client, json: bool) -> CliResult {
    let status: Status = call!(client, status())?;
    if json {
        output::json(&status);
        return Ok(());
    }
    let rows = [
        ("version", format!("{} (protocol {})", status.version, status.protocol)),
        ("uptime", output::duration(status.uptime_seconds)),
        (
            "database",
            format!("{} ({})", status.database.backend, status.database.location),
        ),
        (
            "onboarding",
            if status.onboarding_complete {
                "complete"
            } else {
                "not complete (run `mosaicctl onboard`)"
            }
            .to_string(),
        ),
        ("users", status.counts.users.to_string()),
        ("providers", status.counts.providers.to_string()),
        ("running containers", status.counts.running_containers.to_string()),
    ];
    println!("{}", output::fields(&rows));
    Ok(())
}
