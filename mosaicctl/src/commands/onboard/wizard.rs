//! The interactive onboarding wizard. Each step is saved on the daemon as soon as it is
//! answered, and the wizard reads the state back before every step, so Ctrl-C loses at most the
//! step being typed and a rerun shows what is done. Steps 2 and 4 can be skipped, every step
//! after the first can go back, and a finished step can be kept or edited.

use dialoguer::{Confirm, Input, Select};
use mosaic_shared::types::{
    NewProvider, OidcInput, OnboardingStatus, Provider, ProviderModel, ProviderType, SkippableStep, StepState,
    SystemAgentSpec, SystemAgentsInput,
};
use mosaic_shared::{Sensitive, policy};

use super::{STEPS, ensure_open, print_overview};
use crate::call;
use crate::client::Client;
use crate::error::CliResult;
use crate::input::{self, prompt_error};
use crate::output;

/// Where the wizard goes after a step.
enum Nav {
    Next,
    Back,
    /// The same step again, with the state read anew.
    Again,
    Quit,
}

pub async fn run(client: &Client, complete: bool) -> CliResult {
    interrupt::install();
    let status = call!(client, onboarding_status())?;
    ensure_open(&status)?;
    println!("Mosaic onboarding. Each step is saved as soon as it is answered; Ctrl-C stops, and");
    println!("`mosaicctl onboard` takes it up again.\n");
    print_overview(&status);
    let mut step = 0;
    while step < STEPS.len() {
        let status = call!(client, onboarding_status())?;
        ensure_open(&status)?;
        println!("\nStep {} of {}: {}", step + 1, STEPS.len(), STEPS[step]);
        let nav = match step {
            0 => breakglass(client, &status).await?,
            1 => oidc(client, &status).await?,
            2 => provider(client, &status).await?,
            3 => system_agents(client, &status).await?,
            _ => finish(client, &status, complete).await?,
        };
        match nav {
            Nav::Next => step += 1,
            Nav::Back => step = step.saturating_sub(1),
            Nav::Again => {}
            Nav::Quit => return Ok(()),
        }
    }
    Ok(())
}

/// A menu; returns the index of the chosen item.
fn choose(prompt: &str, items: &[&str]) -> CliResult<usize> {
    Select::new()
        .with_prompt(prompt)
        .items(items)
        .default(0)
        .interact()
        .map_err(prompt_error)
}

/// A menu of (label, result) pairs.
fn menu<T: Copy>(prompt: &str, items: &[(&str, T)]) -> CliResult<T> {
    let labels: Vec<&str> = items.iter().map(|(label, _)| *label).collect();
    Ok(items[choose(prompt, &labels)?].1)
}

fn text(prompt: &str, default: Option<&str>, allow_empty: bool) -> CliResult<String> {
    let mut input = Input::<String>::new().with_prompt(prompt).allow_empty(allow_empty);
    if let Some(default) = default.filter(|d| !d.is_empty()) {
        input = input.default(default.to_string());
    }
    input
        .interact_text()
        .map(|t| t.trim().to_string())
        .map_err(prompt_error)
}

fn failure(message: &str) {
    println!("✗ {message}");
}

#[derive(Clone, Copy, PartialEq)]
enum Action {
    Keep,
    Edit,
    Skip,
    Back,
}

/// The menu for a step that is done or skipped (or, for an optional step, still to do).
fn step_menu(state: StepState, optional: bool, can_go_back: bool, skip_label: &str) -> CliResult<Action> {
    let mut items: Vec<(&str, Action)> = match state {
        StepState::Done => vec![("Keep it and continue", Action::Keep), ("Edit it", Action::Edit)],
        StepState::Skipped => vec![
            ("Keep it skipped and continue", Action::Keep),
            ("Set it up", Action::Edit),
        ],
        StepState::Pending => vec![("Set it up", Action::Edit)],
    };
    if optional && state != StepState::Skipped {
        items.push((skip_label, Action::Skip));
    }
    if can_go_back {
        items.push(("Back", Action::Back));
    }
    if items.len() == 1 {
        return Ok(items[0].1);
    }
    menu("What now?", &items)
}

// ---- Step 1 ---------------------------------------------------------------------------------

async fn breakglass(client: &Client, status: &OnboardingStatus) -> CliResult<Nav> {
    let step = &status.steps.breakglass;
    println!("An account that can always log in, even when OpenID Connect is misconfigured.");
    if step.state == StepState::Done {
        println!("Done: breakglass admin {}.", step.usernames.join(", "));
        if step_menu(step.state, false, false, "")? == Action::Keep {
            return Ok(Nav::Next);
        }
    }
    let default = step.usernames.first().map(String::as_str).unwrap_or("admin");
    loop {
        let username = Input::<String>::new()
            .with_prompt("Username")
            .default(default.to_string())
            .validate_with(|u: &String| policy::check_username(u.trim()))
            .interact_text()
            .map_err(prompt_error)?
            .trim()
            .to_string();
        let password = input::new_password(&username, false)?;
        match call!(client, onboarding_breakglass(username.clone(), password)) {
            Ok(_) => {
                println!("✓ Breakglass admin '{username}' is ready.");
                return Ok(Nav::Next);
            }
            Err(e) => failure(&e.message),
        }
    }
}

// ---- Step 2 ---------------------------------------------------------------------------------

async fn oidc(client: &Client, status: &OnboardingStatus) -> CliResult<Nav> {
    let step = &status.steps.oidc;
    println!("Optional: let users log in with an OpenID Connect provider (Keycloak, Authentik, …).");
    match step.state {
        StepState::Done => println!(
            "Done: issuer {}, client {}{}.",
            step.issuer_url.as_deref().unwrap_or("-"),
            step.client_id.as_deref().unwrap_or("-"),
            if step.client_secret_set {
                ", client secret set"
            } else {
                ""
            }
        ),
        StepState::Skipped => println!("Skipped: breakglass and invited users only."),
        StepState::Pending => {}
    }
    let skip_label = "Skip: breakglass and invited users only (OIDC can be added later with `mosaicctl config`)";
    let mut action = step_menu(step.state, true, true, skip_label)?;
    let mut draft = OidcInput {
        issuer_url: step.issuer_url.clone().unwrap_or_default(),
        client_id: step.client_id.clone().unwrap_or_default(),
        client_secret: None,
    };
    loop {
        match action {
            Action::Keep => return Ok(Nav::Next),
            Action::Back => return Ok(Nav::Back),
            Action::Skip => {
                call!(client, onboarding_skip(SkippableStep::Oidc))?;
                println!("✓ OpenID Connect skipped.");
                return Ok(Nav::Next);
            }
            Action::Edit => {}
        }
        draft.issuer_url = text("Issuer URL", Some(&draft.issuer_url), false)?;
        draft.client_id = text("Client ID", Some(&draft.client_id), false)?;
        let keeps = if draft.client_secret.is_some() {
            "empty keeps the one typed before"
        } else if step.client_secret_set {
            "empty keeps the stored one"
        } else {
            "empty for a public client"
        };
        if let Some(secret) = input::hidden(&format!("Client secret (input hidden; {keeps})"), true)? {
            draft.client_secret = Some(secret);
        }
        let checked = output::waiting(format!("Fetching {}'s discovery document…", draft.issuer_url), async {
            call!(client, onboarding_check_oidc_issuer(draft.issuer_url.clone()))
        })
        .await;
        let problem = match checked {
            Ok(check) => {
                println!(
                    "✓ Issuer {}: {} signing key(s), {}.",
                    check.issuer,
                    check.signing_keys,
                    check.id_token_signing_algs.join(", ")
                );
                match call!(client, onboarding_oidc(draft.clone())) {
                    Ok(_) => {
                        println!("✓ OpenID Connect saved.");
                        return Ok(Nav::Next);
                    }
                    Err(e) => e.message,
                }
            }
            Err(e) => e.message,
        };
        failure(&problem);
        action = menu(
            "What now?",
            &[
                ("Enter the settings again", Action::Edit),
                ("Skip OpenID Connect for now", Action::Skip),
                ("Back", Action::Back),
            ],
        )?;
    }
}

// ---- Step 3 ---------------------------------------------------------------------------------

const TYPES: [ProviderType; 5] = [
    ProviderType::Openai,
    ProviderType::Anthropic,
    ProviderType::Zai,
    ProviderType::Ollama,
    ProviderType::Custom,
];

/// A base URL to offer for a type (a local Ollama as the agent containers reach the host).
fn suggested_base_url(kind: ProviderType) -> &'static str {
    match kind {
        ProviderType::Openai => "https://api.openai.com/v1",
        ProviderType::Anthropic => "https://api.anthropic.com",
        ProviderType::Zai => "https://api.z.ai/api/paas/v4",
        ProviderType::Ollama => "http://host.docker.internal:11434/v1",
        ProviderType::Custom => "",
    }
}

/// The provider typed so far, kept across attempts so a failed test is corrected, not retyped.
struct ProviderDraft {
    kind: ProviderType,
    name: String,
    base_url: String,
    models: Vec<ProviderModel>,
    /// A key typed in an earlier attempt of this run.
    api_key: Option<Sensitive>,
    /// The daemon holds a key for this provider already.
    stored_key: bool,
}

impl ProviderDraft {
    fn from(saved: Option<&Provider>) -> Self {
        match saved {
            Some(p) => ProviderDraft {
                kind: p.kind,
                name: p.name.clone(),
                base_url: p.base_url.clone().unwrap_or_default(),
                models: p.models.clone(),
                api_key: None,
                stored_key: p.has_api_key,
            },
            None => ProviderDraft {
                kind: ProviderType::Openai,
                name: String::new(),
                base_url: String::new(),
                models: Vec::new(),
                api_key: None,
                stored_key: false,
            },
        }
    }

    fn ask(&mut self) -> CliResult {
        let labels: Vec<&str> = TYPES.iter().map(|t| t.as_str()).collect();
        let current = TYPES.iter().position(|t| *t == self.kind).unwrap_or(0);
        let chosen = Select::new()
            .with_prompt("Provider type")
            .items(&labels)
            .default(current)
            .interact()
            .map_err(prompt_error)?;
        if TYPES[chosen] != self.kind || self.base_url.is_empty() {
            self.base_url = suggested_base_url(TYPES[chosen]).to_string();
        }
        self.kind = TYPES[chosen];
        let name_default = if self.name.is_empty() {
            self.kind.as_str()
        } else {
            &self.name
        };
        self.name = Input::<String>::new()
            .with_prompt("Name (the NAME in NAME/MODEL)")
            .default(name_default.to_string())
            .validate_with(|n: &String| policy::check_provider_name(n.trim()))
            .interact_text()
            .map_err(prompt_error)?
            .trim()
            .to_string();
        let optional = !self.kind.needs_base_url();
        self.base_url = text(
            if optional {
                "Base URL (empty for OpenClaw's built-in endpoint, which cannot be tested)"
            } else {
                "Base URL"
            },
            Some(&self.base_url),
            optional,
        )?;
        let keeps = if self.api_key.is_some() {
            "empty keeps the one typed before"
        } else if self.stored_key {
            "empty keeps the stored key"
        } else {
            "empty for none"
        };
        if let Some(key) = input::hidden(&format!("API key (input hidden; {keeps})"), true)? {
            self.api_key = Some(key);
        }
        let ids: Vec<&str> = self.models.iter().map(|m| m.id.as_str()).collect();
        let typed = text("Models (ids separated by spaces or commas)", Some(&ids.join(" ")), true)?;
        let previous = std::mem::take(&mut self.models);
        for id in typed.split([' ', ',']).filter(|id| !id.is_empty()) {
            let model = previous
                .iter()
                .find(|m| m.id == id)
                .cloned()
                .unwrap_or_else(|| ProviderModel {
                    id: id.to_string(),
                    ..ProviderModel::default()
                });
            self.models.push(model);
        }
        Ok(())
    }

    fn input(&self) -> NewProvider {
        NewProvider {
            name: self.name.clone(),
            display_name: None,
            kind: self.kind,
            base_url: (!self.base_url.is_empty()).then(|| self.base_url.clone()),
            api_key: self.api_key.clone(),
            api_type: None,
            models: Some(self.models.clone()),
            is_active: None,
        }
    }
}

async fn provider(client: &Client, status: &OnboardingStatus) -> CliResult<Nav> {
    let step = &status.steps.provider;
    println!("The LLM provider system agents use, and the default one; its connection is tested before it is saved.");
    if let Some(p) = &step.provider {
        println!(
            "Done: {} ({}, {}, key {}), models: {}.",
            p.name,
            p.kind.as_str(),
            p.base_url.as_deref().unwrap_or("built-in endpoint"),
            p.api_key_hint
                .as_deref()
                .unwrap_or(if p.has_api_key { "set" } else { "none" }),
            if p.models.is_empty() {
                "none".to_string()
            } else {
                p.models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
            }
        );
        match step_menu(step.state, false, true, "")? {
            Action::Keep => return Ok(Nav::Next),
            Action::Back => return Ok(Nav::Back),
            _ => {}
        }
    }
    let mut draft = ProviderDraft::from(step.provider.as_ref());
    loop {
        draft.ask()?;
        let result = output::waiting(format!("Testing the connection to {}…", draft.name), async {
            call!(client, onboarding_provider(draft.input()))
        })
        .await;
        let problem = match result {
            Ok(result) => match result.saved {
                Some(saved) => {
                    println!("✓ {}", result.test.message);
                    println!("✓ Saved provider {} as the default admin-level provider.", saved.name);
                    if saved.models.is_empty() && !result.test.models.is_empty() {
                        println!(
                            "  It lists {} models; none were saved. Add some with \
                             `mosaicctl providers update {} --model ID`.",
                            result.test.models.len(),
                            saved.name
                        );
                    }
                    return Ok(Nav::Next);
                }
                None => format!(
                    "the connection test failed, so nothing was saved: {}",
                    result.test.message
                ),
            },
            Err(e) => e.message,
        };
        failure(&problem);
        if menu(
            "What now?",
            &[("Edit the answers and test again", false), ("Back", true)],
        )? {
            return Ok(Nav::Back);
        }
    }
}

// ---- Step 4 ---------------------------------------------------------------------------------

async fn system_agents(client: &Client, status: &OnboardingStatus) -> CliResult<Nav> {
    let step = &status.steps.system_agents;
    println!("Optional: always-on agents for operations or monitoring, using the admin-level providers.");
    match step.state {
        StepState::Done => println!("Done: {} system agent(s).", step.count),
        StepState::Skipped => println!("Skipped: users chat with their own agents only."),
        StepState::Pending => {}
    }
    let skip_label =
        "Skip: users chat with their own agents (add system agents later with `mosaicctl system-agents add`)";
    match step_menu(step.state, true, true, skip_label)? {
        Action::Keep => return Ok(Nav::Next),
        Action::Back => return Ok(Nav::Back),
        Action::Skip => {
            call!(client, onboarding_skip(SkippableStep::SystemAgents))?;
            println!("✓ System agents skipped.");
            return Ok(Nav::Next);
        }
        Action::Edit => {}
    }
    let default_model = status
        .steps
        .provider
        .provider
        .as_ref()
        .and_then(|p| p.models.first())
        .map(|m| m.id.clone())
        .unwrap_or_default();
    let name = Input::<String>::new()
        .with_prompt("Name (the container is mosaic-system-NAME)")
        .default("ops".into())
        .interact_text()
        .map_err(prompt_error)?;
    let role = text("Role", Some("operations"), false)?;
    let model = text(
        "Model (a model of the default provider, or PROVIDER/MODEL)",
        Some(&default_model),
        false,
    )?;
    let spec = SystemAgentSpec {
        name: name.trim().to_string(),
        role,
        primary_model: model,
        provider: None,
        personality: None,
    };
    let result = output::waiting(format!("Adding {} and starting its container…", spec.name), async {
        call!(
            client,
            onboarding_system_agents(SystemAgentsInput { agents: vec![spec] })
        )
    })
    .await;
    match result {
        Ok(saved) => {
            for agent in saved.agents {
                println!(
                    "✓ System agent {} is {} ({}).",
                    agent.name, agent.container.state, agent.container.name
                );
            }
            Ok(Nav::Next)
        }
        Err(e) => {
            failure(&e.message);
            // Shown again with the state as it is now (an agent may exist although its
            // container did not start).
            Ok(Nav::Again)
        }
    }
}

// ---- Step 5 ---------------------------------------------------------------------------------

async fn finish(client: &Client, status: &OnboardingStatus, complete: bool) -> CliResult<Nav> {
    print_overview(status);
    if !complete {
        println!("Not completing onboarding (--no-complete); run `mosaicctl onboard` again to finish.");
        return Ok(Nav::Quit);
    }
    if !status.ready {
        println!("Some steps are still to do.");
        return Ok(Nav::Back);
    }
    if !Confirm::new()
        .with_prompt("Complete onboarding now? The setup token stops working and these steps close")
        .default(true)
        .interact()
        .map_err(prompt_error)?
    {
        return Ok(
            if menu("What now?", &[("Back", true), ("Quit without completing", false)])? {
                Nav::Back
            } else {
                println!("Not completed; run `mosaicctl onboard` again to finish.");
                Nav::Quit
            },
        );
    }
    let done = call!(client, onboarding_complete())?;
    println!(
        "✓ Onboarding complete. Log in to the WebUI as {}.",
        done.steps.breakglass.usernames.join(" or ")
    );
    Ok(Nav::Next)
}

/// Ctrl-C: the terminal is put back as it was (a hidden prompt turns echo off, a menu hides the
/// cursor) and the process says how to go on, then exits with 130 as an interrupted program does.
mod interrupt {
    use std::os::fd::AsRawFd;
    use std::sync::OnceLock;

    static TERMIOS: OnceLock<libc::termios> = OnceLock::new();

    extern "C" fn on_interrupt(_: libc::c_int) {
        const MESSAGE: &[u8] = b"\x1b[?25h\r\nInterrupted. The steps answered so far are saved; \
run `mosaicctl onboard` again to go on.\r\n";
        // SAFETY: only async-signal-safe calls (tcsetattr, write, _exit) on data set up before
        // the handler was installed.
        unsafe {
            if let Some(saved) = TERMIOS.get() {
                libc::tcsetattr(0, libc::TCSANOW, saved);
            }
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(130);
        }
    }

    pub fn install() {
        let fd = std::io::stdin().as_raw_fd();
        // SAFETY: tcgetattr fills the struct; sigaction installs a handler that is
        // async-signal-safe.
        unsafe {
            let mut termios: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut termios) == 0 {
                let _ = TERMIOS.set(termios);
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        }
    }
}
