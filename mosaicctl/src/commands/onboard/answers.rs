//! `mosaicctl onboard --answers FILE`: onboarding without a terminal. The TOML file answers the
//! steps; secrets come from files it names (relative to the answers file) or from standard input
//! (`*_stdin = true`, at most one), never from the file itself, which may then be committed. The
//! whole file and every secret are read and checked before the first change. Unknown keys are
//! errors: a misspelt `skip` must not skip a step.

use std::path::{Path, PathBuf};

use mosaic_shared::types::{
    NewProvider, OidcInput, OnboardingStatus, ProviderModel, ProviderType, SkippableStep, StepState, SystemAgentSpec,
    SystemAgentsInput,
};
use mosaic_shared::{ErrorKind, Sensitive, policy};
use serde::Deserialize;

use super::{STEPS, ensure_open, print_overview};
use crate::call;
use crate::client::Client;
use crate::commands::providers::parse_model;
use crate::error::{CliError, CliResult, EXIT_TEST_FAILED};
use crate::{input, output};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    breakglass: Option<BreakglassAnswers>,
    oidc: Option<OidcAnswers>,
    provider: Option<ProviderAnswers>,
    system_agents: Option<SystemAgentsAnswers>,
}

/// A secret: the text of a file, or the first line of standard input.
struct SecretSource {
    file: Option<PathBuf>,
    stdin: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakglassAnswers {
    username: String,
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_stdin: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OidcAnswers {
    #[serde(default)]
    skip: bool,
    issuer_url: Option<String>,
    client_id: Option<String>,
    client_secret_file: Option<PathBuf>,
    #[serde(default)]
    client_secret_stdin: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderAnswers {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    display_name: Option<String>,
    base_url: Option<String>,
    api_type: Option<String>,
    api_key_file: Option<PathBuf>,
    #[serde(default)]
    api_key_stdin: bool,
    /// Model specs, as `mosaicctl providers add --model` takes them.
    #[serde(default)]
    models: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemAgentsAnswers {
    #[serde(default)]
    skip: bool,
    #[serde(default)]
    agents: Vec<AgentAnswers>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentAnswers {
    name: String,
    #[serde(default = "default_role")]
    role: String,
    model: String,
    provider: Option<String>,
    personality_file: Option<PathBuf>,
}

fn default_role() -> String {
    "operations".into()
}

/// What the file says to do with an optional step.
enum Optional<T> {
    Skip,
    Configure(T),
}

/// The answers, checked, with their secrets read.
pub struct Answers {
    breakglass: Option<(String, Sensitive)>,
    oidc: Option<Optional<OidcInput>>,
    provider: Option<NewProvider>,
    system_agents: Option<Optional<SystemAgentsInput>>,
}

fn step(n: usize) -> String {
    format!("step {n} ({})", STEPS[n - 1].to_lowercase())
}

fn invalid(n: usize, message: impl std::fmt::Display) -> CliError {
    CliError::invalid(format!("{}: {message}", step(n)))
}

impl Answers {
    pub fn load(path: &Path) -> CliResult<Answers> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::invalid(format!("cannot read the answers file {}: {e}", path.display())))?;
        let file: File = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line}, column {column}: ")
                })
                .unwrap_or_default();
            CliError::invalid(format!("{}: {at}{}", path.display(), e.message().trim_end()))
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let from_stdin: Vec<&str> = [
            (
                file.breakglass.as_ref().is_some_and(|b| b.password_stdin),
                "password_stdin",
            ),
            (
                file.oidc.as_ref().is_some_and(|o| o.client_secret_stdin),
                "client_secret_stdin",
            ),
            (file.provider.as_ref().is_some_and(|p| p.api_key_stdin), "api_key_stdin"),
        ]
        .into_iter()
        .filter_map(|(set, key)| set.then_some(key))
        .collect();
        if from_stdin.len() > 1 {
            return Err(CliError::invalid(format!(
                "{}: {} cannot all come from stdin: put all but one secret in files",
                path.display(),
                from_stdin.join(" and ")
            )));
        }
        let secrets = Secrets { base };

        let breakglass = match file.breakglass {
            Some(b) => {
                let username = b.username.trim().to_string();
                policy::check_username(&username).map_err(|e| invalid(1, e))?;
                let password = secrets
                    .read(
                        1,
                        "password",
                        SecretSource {
                            file: b.password_file,
                            stdin: b.password_stdin,
                        },
                    )?
                    .ok_or_else(|| invalid(1, "give the password as password_file or password_stdin = true"))?;
                policy::check_password(&username, password.expose()).map_err(|e| invalid(1, e))?;
                Some((username, password))
            }
            None => None,
        };

        let oidc = match file.oidc {
            Some(o) if o.skip => {
                if o.issuer_url.is_some()
                    || o.client_id.is_some()
                    || o.client_secret_file.is_some()
                    || o.client_secret_stdin
                {
                    return Err(invalid(2, "skip = true cannot go with issuer or client settings"));
                }
                Some(Optional::Skip)
            }
            Some(o) => {
                let issuer_url = o
                    .issuer_url
                    .filter(|v| !v.trim().is_empty())
                    .ok_or_else(|| invalid(2, "issuer_url is required (or skip = true)"))?;
                let client_id = o
                    .client_id
                    .filter(|v| !v.trim().is_empty())
                    .ok_or_else(|| invalid(2, "client_id is required"))?;
                let client_secret = secrets.read(
                    2,
                    "client secret",
                    SecretSource {
                        file: o.client_secret_file,
                        stdin: o.client_secret_stdin,
                    },
                )?;
                Some(Optional::Configure(OidcInput {
                    issuer_url,
                    client_id,
                    client_secret,
                }))
            }
            None => None,
        };

        let provider = match file.provider {
            Some(p) => {
                let kind = ProviderType::parse(p.kind.trim()).ok_or_else(|| {
                    invalid(
                        3,
                        format!(
                            "unknown type {:?} (one of {})",
                            p.kind,
                            crate::cli::PROVIDER_TYPES.join(", ")
                        ),
                    )
                })?;
                let models = p
                    .models
                    .iter()
                    .map(|spec| parse_model(spec).map_err(|e| invalid(3, e)))
                    .collect::<CliResult<Vec<ProviderModel>>>()?;
                let api_key = secrets.read(
                    3,
                    "API key",
                    SecretSource {
                        file: p.api_key_file,
                        stdin: p.api_key_stdin,
                    },
                )?;
                Some(NewProvider {
                    name: p.name,
                    display_name: p.display_name,
                    kind,
                    base_url: p.base_url,
                    api_key,
                    api_type: p.api_type,
                    models: (!models.is_empty()).then_some(models),
                    is_active: None,
                })
            }
            None => None,
        };

        let system_agents = match file.system_agents {
            Some(a) if a.skip => {
                if !a.agents.is_empty() {
                    return Err(invalid(4, "skip = true cannot go with agents"));
                }
                Some(Optional::Skip)
            }
            Some(a) => {
                if a.agents.is_empty() {
                    return Err(invalid(4, "list agents ([[system_agents.agents]]) or set skip = true"));
                }
                let mut agents = Vec::new();
                for agent in a.agents {
                    let personality = match &agent.personality_file {
                        Some(path) => {
                            let path = secrets.base.join(path);
                            Some(std::fs::read_to_string(&path).map_err(|e| {
                                invalid(
                                    4,
                                    format!(
                                        "cannot read the personality of {} from {}: {e}",
                                        agent.name,
                                        path.display()
                                    ),
                                )
                            })?)
                        }
                        None => None,
                    };
                    agents.push(SystemAgentSpec {
                        name: agent.name,
                        role: agent.role,
                        primary_model: agent.model,
                        provider: agent.provider,
                        personality,
                    });
                }
                Some(Optional::Configure(SystemAgentsInput { agents }))
            }
            None => None,
        };

        Ok(Answers {
            breakglass,
            oidc,
            provider,
            system_agents,
        })
    }
}

struct Secrets {
    /// Where relative paths start: the answers file's directory.
    base: PathBuf,
}

impl Secrets {
    /// The secret, if the answers name a source for it. A file's text loses one trailing line end.
    fn read(&self, n: usize, what: &str, source: SecretSource) -> CliResult<Option<Sensitive>> {
        let text = match (source.file, source.stdin) {
            (Some(_), true) => {
                return Err(invalid(
                    n,
                    format!("give the {what} from a file or from stdin, not both"),
                ));
            }
            (Some(file), false) => {
                let path = self.base.join(file);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| invalid(n, format!("cannot read the {what} from {}: {e}", path.display())))?;
                text.strip_suffix('\n')
                    .map(|t| t.strip_suffix('\r').unwrap_or(t))
                    .unwrap_or(&text)
                    .to_string()
            }
            (None, true) => {
                return input::read_stdin_line(what)
                    .map(Some)
                    .map_err(|e| invalid(n, e.message));
            }
            (None, false) => return Ok(None),
        };
        if text.is_empty() {
            return Err(invalid(n, format!("the {what} is empty")));
        }
        Ok(Some(Sensitive::new(text)))
    }
}

/// A step's failure from the daemon, naming the step; the exit code stays the daemon's.
fn failed(n: usize, e: CliError) -> CliError {
    CliError::new(e.code, format!("{}: {}", step(n), e.message))
}

/// A step left out of the answers is fine only if it is already done (or skipped).
fn require(n: usize, state: StepState, table: &str) -> CliResult {
    if state == StepState::Pending {
        return Err(invalid(
            n,
            format!("not done yet, and the answers have no [{table}] to do it with"),
        ));
    }
    Ok(())
}

pub async fn apply(client: &Client, answers: Answers, complete: bool, json: bool) -> CliResult {
    let status: OnboardingStatus = call!(client, onboarding_status())?;
    ensure_open(&status)?;
    let steps = &status.steps;
    // Everything the answers leave out must already be done before the first change.
    if answers.breakglass.is_none() {
        require(1, steps.breakglass.state, "breakglass")?;
    }
    if answers.oidc.is_none() {
        require(2, steps.oidc.state, "oidc")?;
    }
    if answers.provider.is_none() {
        require(3, steps.provider.state, "provider")?;
    }
    if answers.system_agents.is_none() {
        require(4, steps.system_agents.state, "system_agents")?;
    }
    let say = |line: String| {
        if !json {
            println!("{line}");
        }
    };

    if let Some((username, password)) = answers.breakglass {
        let existed = steps.breakglass.usernames.contains(&username);
        call!(client, onboarding_breakglass(username.clone(), password)).map_err(|e| failed(1, e))?;
        say(format!(
            "Step 1: {} breakglass admin '{username}'.",
            if existed { "set a new password for" } else { "created" }
        ));
    }
    match answers.oidc {
        Some(Optional::Skip) => {
            call!(client, onboarding_skip(SkippableStep::Oidc)).map_err(|e| failed(2, e))?;
            say("Step 2: skipped OpenID Connect (breakglass and invited users only).".into());
        }
        Some(Optional::Configure(input)) => {
            let issuer = input.issuer_url.clone();
            call!(client, onboarding_oidc(input)).map_err(|e| failed(2, e))?;
            say(format!(
                "Step 2: saved OpenID Connect with issuer {issuer} (discovery document checked)."
            ));
        }
        None => {}
    }
    if let Some(input) = answers.provider {
        let result = call!(client, onboarding_provider(input)).map_err(|e| failed(3, e))?;
        match result.saved {
            Some(provider) => say(format!(
                "Step 3: saved provider {} as the default admin-level provider ({}).",
                provider.name, result.test.message
            )),
            None => {
                return Err(CliError::new(
                    EXIT_TEST_FAILED,
                    format!(
                        "{}: the connection test failed, so nothing was saved: {}",
                        step(3),
                        result.test.message
                    ),
                ));
            }
        }
    }
    match answers.system_agents {
        Some(Optional::Skip) => {
            call!(client, onboarding_skip(SkippableStep::SystemAgents)).map_err(|e| failed(4, e))?;
            say("Step 4: skipped system agents.".into());
        }
        Some(Optional::Configure(input)) => {
            let saved = call!(client, onboarding_system_agents(input)).map_err(|e| failed(4, e))?;
            for agent in &saved.agents {
                let verb = if saved.added.contains(&agent.name) {
                    "added"
                } else {
                    "kept"
                };
                say(format!(
                    "Step 4: {verb} system agent {} ({}), container {}.",
                    agent.name, agent.container.state, agent.container.name
                ));
            }
        }
        None => {}
    }
    let status = if complete {
        let done = call!(client, onboarding_complete()).map_err(|e| {
            if e.code == ErrorKind::Conflict.exit_code() {
                failed(5, e)
            } else {
                e
            }
        })?;
        say("Step 5: onboarding complete.".into());
        done
    } else {
        say("Step 5: not completed (--no-complete); run `mosaicctl onboard` to finish.".into());
        call!(client, onboarding_status())?
    };
    if json {
        output::json(&status);
    } else {
        print_overview(&status);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in deploy/ stays a valid answers file.
    #[test]
    fn example_file_parses() {
        let text = include_str!("../../../../deploy/onboarding.example.toml");
        let file: File = toml::from_str(text).expect("the example parses");
        let provider = file.provider.expect("a provider");
        assert_eq!(provider.models.len(), 2);
        for spec in &provider.models {
            parse_model(spec).expect("a valid model spec");
        }
        assert_eq!(file.system_agents.expect("system agents").agents.len(), 1);
        assert!(file.breakglass.is_some() && file.oidc.is_some());
    }
}
