//! `mosaicctl containers`: the agent containers.

use std::time::Instant;

use mosaic_shared::types::{ContainerDetail, ContainerKind, ContainerState, ContainerStatus};

use crate::call;
use crate::cli::ContainersCommand;
use crate::client::Client;
use crate::commands::paging;
use crate::error::{CliError, CliResult};
use crate::output;

pub async fn run(client: &Client, command: ContainersCommand, json: bool) -> CliResult {
    match command {
        ContainersCommand::Doctor(args) => {
            let what = args
                .image
                .clone()
                .unwrap_or_else(|| "the configured agent image".into());
            let report = output::waiting(format!("Checking {what}…"), async {
                call!(client, containers_doctor(args.image))
            })
            .await?;
            if json {
                output::json(&report);
            } else {
                println!("Agent image {}:", report.image);
                let mut table = output::table(&["STEP", "RESULT", "TIME", "DETAIL"]);
                for step in &report.steps {
                    table.add_row(vec![
                        step.name.clone(),
                        if step.ok { "ok" } else { "FAILED" }.to_string(),
                        format!("{:.1}s", step.millis as f64 / 1000.0),
                        step.detail.clone(),
                    ]);
                }
                println!("{table}");
            }
            if !report.ok {
                let failed = report
                    .steps
                    .iter()
                    .find(|s| !s.ok)
                    .map(|s| s.name.as_str())
                    .unwrap_or("a step");
                return Err(CliError::kind(
                    mosaic_shared::ErrorKind::Unavailable,
                    format!("the agent image failed the {failed} check"),
                ));
            }
        }
        ContainersCommand::Ls(args) => {
            let page = paging::fetch(&args, |page, limit| async move {
                call!(client, containers_list(page, limit))
            })
            .await?;
            if json {
                output::json(&page);
            } else if let Some(text) = paging::past_the_end(&page, "container") {
                println!("{text}");
            } else if page.data.is_empty() {
                println!("No agent containers yet: a user's container is created at their first chat.");
            } else {
                let mut table = output::table(&[
                    "OWNER",
                    "KIND",
                    "STATE",
                    "IMAGE",
                    "UPTIME",
                    "LAST ACTIVITY",
                    "IDLE TIMEOUT",
                    "STOPPED",
                ]);
                for c in &page.data {
                    table.add_row(row(c));
                }
                println!("{table}");
                if !args.all {
                    println!("{}", paging::footer(&page.meta, "container"));
                }
            }
        }
        ContainersCommand::Inspect(args) => {
            let detail = call!(client, container_inspect(args.target))?;
            if json {
                output::json(&detail);
            } else {
                println!("{}", output::fields(&inspect_rows(&detail)));
            }
        }
        ContainersCommand::Start(args) => {
            let began = Instant::now();
            let result = output::waiting(format!("Starting the agent container of {}…", args.target), async {
                call!(client, container_start(args.target))
            })
            .await;
            let result = result?;
            if json {
                output::json(&result);
            } else {
                let status = &result.status;
                if result.started {
                    println!(
                        "Started {} ({}) in {:.1}s.",
                        status.name,
                        status.owner_label,
                        began.elapsed().as_secs_f64()
                    );
                } else {
                    println!(
                        "{} ({}) is already running (up {}).",
                        status.name,
                        status.owner_label,
                        output::duration(status.uptime_seconds.unwrap_or(0))
                    );
                }
            }
        }
        ContainersCommand::Stop(args) => {
            let result = output::waiting(format!("Stopping the agent container of {}…", args.target), async {
                call!(client, container_stop(args.target))
            })
            .await;
            let status = result?;
            if json {
                output::json(&status);
            } else {
                println!(
                    "Stopped {} ({}); its state volume is kept.",
                    status.name, status.owner_label
                );
            }
        }
        ContainersCommand::Restart(args) => {
            let began = Instant::now();
            let result = output::waiting(format!("Restarting the agent container of {}…", args.target), async {
                call!(client, container_restart(args.target))
            })
            .await;
            let status = result?;
            if json {
                output::json(&status);
            } else {
                println!(
                    "Restarted {} ({}) in {:.1}s.",
                    status.name,
                    status.owner_label,
                    began.elapsed().as_secs_f64()
                );
            }
        }
        ContainersCommand::Reap => {
            let report = call!(client, containers_reap())?;
            if json {
                output::json(&report);
            } else if report.stopped.is_empty() {
                println!(
                    "No idle containers to stop ({} running checked, {} busy).",
                    report.checked, report.kept_busy
                );
            } else {
                println!("Stopped {} idle container(s):", report.stopped.len());
                let mut table = output::table(&["OWNER", "CONTAINER", "REASON", "IDLE FOR", "IDLE TIMEOUT"]);
                for r in &report.stopped {
                    table.add_row(vec![
                        r.owner_label.clone(),
                        r.name.clone(),
                        reason(&r.reason).to_string(),
                        output::duration(r.idle_seconds),
                        format!("{} min", r.idle_timeout_min),
                    ]);
                }
                println!("{table}");
            }
        }
    }
    Ok(())
}

/// Stop reasons in words.
pub fn reason(code: &str) -> &str {
    match code {
        "idle" => "idle reap",
        "config_change" => "config change",
        "admin" => "admin",
        "deactivated" => "user deactivated",
        "crash" => "crash",
        "start_failed" => "start failed",
        "interrupted" => "start interrupted",
        "removed" => "removed",
        other => other,
    }
}

fn dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "-".into())
}

pub fn row(c: &ContainerStatus) -> Vec<String> {
    let stopped = match (&c.stop_reason, &c.stopped_at) {
        _ if c.state.is_up() => "-".to_string(),
        (Some(r), Some(at)) => format!("{}, {}", reason(r), output::time(at)),
        (Some(r), None) => reason(r).to_string(),
        _ => "-".to_string(),
    };
    let stopped = match (&c.detail, c.state) {
        (Some(detail), ContainerState::Error) => format!("{stopped}: {}", shorten(detail, 80)),
        _ => stopped,
    };
    vec![
        c.owner_label.clone(),
        c.kind.to_string(),
        c.state.to_string(),
        dash(c.image.clone()),
        dash(c.uptime_seconds.map(output::duration)),
        dash(c.idle_seconds.map(|s| format!("{} ago", output::duration(s)))),
        match c.idle_timeout_min {
            _ if c.kind == ContainerKind::System => "always on".into(),
            Some(m) => format!("{m} min"),
            None => "-".into(),
        },
        stopped,
    ]
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

fn inspect_rows(d: &ContainerDetail) -> Vec<(&'static str, String)> {
    let c = &d.status;
    let mut rows = vec![
        ("owner", format!("{} ({} {})", c.owner_label, c.kind, c.owner)),
        ("container", c.name.clone()),
        ("state", c.state.to_string()),
        ("docker state", dash(d.docker_state.clone())),
        ("image", dash(c.image.clone())),
        ("started", dash(c.started_at.as_deref().map(output::time))),
        ("uptime", dash(c.uptime_seconds.map(output::duration))),
        (
            "last activity",
            dash(c.last_activity_at.as_deref().map(|t| {
                format!(
                    "{} ({} ago)",
                    output::time(t),
                    output::duration(c.idle_seconds.unwrap_or(0))
                )
            })),
        ),
        (
            "idle timeout",
            if c.kind == ContainerKind::System {
                "always on".into()
            } else {
                dash(c.idle_timeout_min.map(|m| format!("{m} min")))
            },
        ),
        ("requests in flight", c.active_requests.to_string()),
        ("generation", c.generation.to_string()),
        (
            "container id",
            dash(d.container_id.as_ref().map(|id| id.chars().take(12).collect())),
        ),
        ("address", dash(d.ip_address.clone())),
        ("network", dash(d.network.clone())),
        ("volume", d.volume.clone()),
        ("config hash", dash(d.config_hash.clone())),
    ];
    if c.state != ContainerState::Running {
        rows.push(("stopped", dash(c.stopped_at.as_deref().map(output::time))));
        rows.push((
            "stop reason",
            dash(c.stop_reason.as_deref().map(|r| reason(r).to_string())),
        ));
        if let Some(code) = d.exit_code {
            rows.push(("exit code", code.to_string()));
        }
    }
    if let Some(detail) = &c.detail {
        rows.push(("detail", detail.clone()));
    }
    rows
}
