//! `mosaicctl onboard`: the first-boot steps, as a dialoguer wizard on a terminal or from
//! an answers file. Both take each step through the onboarding RPCs, which apply the same rules
//! as the WebUI's onboarding endpoints; what is done is always read back from the daemon, so the
//! two modes, the WebUI and a rerun after an interruption all agree on it.

mod answers;
mod wizard;

use mosaic_shared::types::{OnboardingStatus, StepState};

use crate::call;
use crate::cli::OnboardArgs;
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::{input, output};

/// The steps' names, as both modes print them.
pub const STEPS: [&str; 5] = [
    "Breakglass admin",
    "OpenID Connect",
    "First LLM provider",
    "System agents",
    "Complete",
];

pub async fn run(client: &Client, args: OnboardArgs, json: bool) -> CliResult {
    if args.status {
        let status = call!(client, onboarding_status())?;
        if json {
            output::json(&status);
        } else {
            print_overview(&status);
        }
        return Ok(());
    }
    if let Some(path) = &args.answers {
        // Everything is read and checked before the first change.
        let answers = answers::Answers::load(path)?;
        return answers::apply(client, answers, !args.no_complete, json).await;
    }
    if !input::stdin_is_terminal() {
        return Err(CliError::invalid(
            "no terminal for the onboarding wizard: pass --answers FILE (see deploy/onboarding.example.toml)",
        ));
    }
    wizard::run(client, !args.no_complete).await
}

/// Refuses to go on once onboarding is complete.
fn ensure_open(status: &OnboardingStatus) -> CliResult {
    if status.complete {
        return Err(CliError::kind(
            mosaic_shared::ErrorKind::Conflict,
            format!(
                "onboarding is already complete (since {}); change settings with `mosaicctl config`, \
                 `mosaicctl providers` and `mosaicctl system-agents`",
                status.completed_at.as_deref().map(output::time).unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

fn state_word(state: StepState) -> &'static str {
    match state {
        StepState::Done => "done",
        StepState::Skipped => "skipped",
        StepState::Pending => "to do",
    }
}

/// One line per step: its state and what it holds.
pub fn overview_rows(status: &OnboardingStatus) -> Vec<[String; 3]> {
    let s = &status.steps;
    let oidc = match (&s.oidc.issuer_url, &s.oidc.client_id) {
        (Some(issuer), Some(client)) => format!(
            "{issuer}, client {client}{}",
            if s.oidc.client_secret_set { ", secret set" } else { "" }
        ),
        _ => String::new(),
    };
    let provider = s
        .provider
        .provider
        .as_ref()
        .map(|p| {
            format!(
                "{} ({}{})",
                p.name,
                p.kind.as_str(),
                p.base_url.as_deref().map(|u| format!(", {u}")).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let agents = match s.system_agents.count {
        0 => String::new(),
        1 => "1 system agent".into(),
        n => format!("{n} system agents"),
    };
    let complete = if status.complete {
        "done"
    } else if status.ready {
        "ready"
    } else {
        "to do"
    };
    vec![
        [
            STEPS[0].into(),
            state_word(s.breakglass.state).into(),
            s.breakglass.usernames.join(", "),
        ],
        [STEPS[1].into(), state_word(s.oidc.state).into(), oidc],
        [STEPS[2].into(), state_word(s.provider.state).into(), provider],
        [STEPS[3].into(), state_word(s.system_agents.state).into(), agents],
        [STEPS[4].into(), complete.into(), String::new()],
    ]
}

pub fn print_overview(status: &OnboardingStatus) {
    for (i, [name, state, detail]) in overview_rows(status).iter().enumerate() {
        println!("  {}. {name:<20} {state:<8} {detail}", i + 1);
    }
}
