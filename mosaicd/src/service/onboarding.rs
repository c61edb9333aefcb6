//! First boot: the five onboarding steps and the setup token that guards them over HTTP.
//!
//! Onboarding is complete once `onboarding.completed` is set. Until then:
//! - at every start mosaicd issues a fresh setup token, logs it, and keeps only its SHA-256 and
//!   expiry (`onboarding.setupToken`); issuing one (also `mosaicctl admin setup-token`) replaces
//!   the previous one, and completing onboarding deletes it;
//! - the WebUI's onboarding endpoints work only with that token; the admin socket needs none
//!   (its peers are already checked);
//! - every step can be redone: step 1 sets the password of an existing breakglass name, step 2
//!   replaces the OIDC settings, step 3 edits the provider it saved before.
//!
//! What counts as done is read from the data itself, so the terminal wizard may reach a step
//! through the generic RPCs (`providers add`, `config set`) and the status still says so:
//! - breakglass: an active breakglass admin exists;
//! - OIDC: an issuer and client id are set, or the step was skipped;
//! - provider: an admin-level provider exists;
//! - system agents: an active system agent exists, or the step was skipped.

use mosaic_shared::Sensitive;
use mosaic_shared::types::{
    BreakglassStep, ConnectionTest, NewProvider, OidcInput, OidcSettings, OidcStep, OnboardingStatus, OnboardingSteps,
    ProviderPatch, ProviderStep, ProviderStepResult, SetupToken, SkippableStep, StepState, SystemAgentsInput,
    SystemAgentsSaved, SystemAgentsStep, TestOutcome,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::auth::throttle::{Client, Guess};
use crate::auth::tokens;
use crate::clock::Clock;
use crate::config::Config;
use crate::containers::agent_config::open_api_key;
use crate::error::{Error, Result};
use crate::secrets::Keyring;
use crate::service::agents::Agents;
use crate::service::auth::Auth;
use crate::service::oidc::Oidc;
use crate::service::providers::Providers;
use crate::service::providers::SYSTEM_DEFAULT_PROVIDER;
use crate::service::providers::check_key_follows;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::providers::{self, Owner};
use crate::store::{audit, breakglass, containers as agent_rows, rfc3339, system_config};
use mosaic_shared::ErrorCode;
use std::sync::Arc;

/// At most this many system agents in one request of step 4.
pub const MAX_SYSTEM_AGENTS: usize = 16;

/// The hash and expiry of the current setup token.
pub const SETUP_TOKEN: &str = "onboarding.setupToken";
/// When onboarding was completed (epoch milliseconds), beside the `onboarding.completed` flag.
pub const COMPLETED_AT: &str = "onboarding.completedAt";
pub const OIDC_SKIPPED: &str = "onboarding.oidcSkipped";
pub const SYSTEM_AGENTS_SKIPPED: &str = "onboarding.systemAgentsSkipped";

/// Setup tokens carry this prefix, so a leaked one is recognisable.
pub const SETUP_TOKEN_PREFIX: &str = "mst_";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredToken {
    hash: String,
    expires_at: i64,
}

/// Why a setup token was not accepted. The HTTP layer turns each into its own error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupTokenRefusal {
    /// Onboarding is complete: the onboarding endpoints are closed for good.
    Complete,
    Missing,
    /// Wrong, replaced by a newer one, or expired.
    Invalid(&'static str),
}

/// Onboarding is over: its steps and the setup token are refused from now on.
pub fn not_open() -> Error {
    Error::new(
        ErrorCode::OnboardingComplete,
        "onboarding is already complete: log in, and change settings as an administrator",
    )
}

/// First boot: the setup token and the five steps.
pub struct Onboarding {
    db: Db,
    keyring: Arc<Keyring>,
    config: Arc<Config>,
    /// The setup token's expiry reads it (the clock of the sign-in rules).
    clock: Clock,
    auth: Arc<Auth>,
    oidc: Arc<Oidc>,
    providers: Arc<Providers>,
    agents: Arc<Agents>,
}

impl Onboarding {
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        config: Arc<Config>,
        auth: Arc<Auth>,
        oidc: Arc<Oidc>,
        providers: Arc<Providers>,
        agents: Arc<Agents>,
    ) -> Onboarding {
        Onboarding {
            db,
            keyring,
            config,
            clock: auth.clock().clone(),
            auth,
            oidc,
            providers,
            agents,
        }
    }
}

impl Onboarding {
    pub async fn onboarding_complete(&self) -> Result<bool> {
        system_config::flag(&mut self.db.ex(), system_config::ONBOARDING_COMPLETED).await
    }

    async fn ensure_onboarding_open(&self) -> Result<()> {
        if self.onboarding_complete().await? {
            return Err(not_open());
        }
        Ok(())
    }

    /// Issues a new setup token, replacing any earlier one. Refused once onboarding is complete.
    pub async fn issue_setup_token(&self, actor: &Actor) -> Result<SetupToken> {
        let token = tokens::generate(SETUP_TOKEN_PREFIX);
        let ttl = crate::store::ms(self.config.http.setup_token_ttl);
        let expires_at = self.clock.now_ms().saturating_add(ttl);
        let stored = serde_json::to_string(&StoredToken {
            hash: tokens::hash(&token),
            expires_at,
        })
        .map_err(|e| Error::internal(format!("cannot encode the setup token record: {e}")))?;
        let mut tx = self.db.begin().await?;
        if system_config::flag(&mut tx.ex(), system_config::ONBOARDING_COMPLETED).await? {
            return Err(not_open());
        }
        system_config::set(&mut tx.ex(), SETUP_TOKEN, &stored, false).await?;
        audit::record(
            &mut tx.ex(),
            actor,
            "onboarding.setup_token",
            None,
            json!({ "expiresAt": rfc3339(expires_at) }),
        )
        .await?;
        tx.commit().await?;
        Ok(SetupToken {
            token: Sensitive::new(token),
            expires_at: rfc3339(expires_at),
        })
    }

    /// At startup: while onboarding is incomplete, a fresh setup token goes to the log (the
    /// previous one cannot be shown again: only its hash is kept).
    pub async fn announce_setup_token(&self) -> Result<()> {
        if self.onboarding_complete().await? {
            return Ok(());
        }
        let issued = self.issue_setup_token(&Actor::System).await?;
        tracing::warn!(
            setup_token = %issued.token.expose(),
            expires_at = %issued.expires_at,
            "onboarding is not complete: finish it in the WebUI with this setup token \
             (or run `mosaicctl onboard`); `mosaicctl admin setup-token` issues a new one"
        );
        Ok(())
    }

    /// Checks a setup token presented to an onboarding endpoint by `client`. A wrong token is a
    /// failed guess for the throttle: too many answer `RateLimited` before the token is compared.
    pub async fn check_setup_token(
        &self,
        presented: Option<&str>,
        client: Client,
    ) -> Result<Result<(), SetupTokenRefusal>> {
        let mut ex = self.db.ex();
        if system_config::flag(&mut ex, system_config::ONBOARDING_COMPLETED).await? {
            return Ok(Err(SetupTokenRefusal::Complete));
        }
        let Some(presented) = presented.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Err(SetupTokenRefusal::Missing));
        };
        let attempt = self.auth.throttle().attempt(Guess::SetupToken, client)?;
        let stored = match system_config::get(&mut ex, SETUP_TOKEN).await? {
            Some(row) => serde_json::from_str::<StoredToken>(&row.value)
                .map_err(|e| Error::internal(format!("system config {SETUP_TOKEN} is not valid: {e}")))?,
            None => {
                attempt.failed();
                return Ok(Err(SetupTokenRefusal::Invalid("no setup token has been issued")));
            }
        };
        if !bool::from(tokens::hash(presented).as_bytes().ct_eq(stored.hash.as_bytes())) {
            attempt.failed();
            return Ok(Err(SetupTokenRefusal::Invalid(
                "wrong setup token, or one replaced by a newer one",
            )));
        }
        // The right token, even an expired one, is no guess: the attempt costs nothing.
        attempt.succeeded();
        if stored.expires_at <= self.clock.now_ms() {
            return Ok(Err(SetupTokenRefusal::Invalid("the setup token has expired")));
        }
        Ok(Ok(()))
    }

    async fn setup_token_expiry(&self) -> Result<Option<i64>> {
        Ok(match system_config::get(&mut self.db.ex(), SETUP_TOKEN).await? {
            Some(row) => serde_json::from_str::<StoredToken>(&row.value)
                .ok()
                .map(|t| t.expires_at),
            None => None,
        })
    }

    pub async fn onboarding_status(&self) -> Result<OnboardingStatus> {
        let mut ex = self.db.ex();
        let complete = system_config::flag(&mut ex, system_config::ONBOARDING_COMPLETED).await?;
        let completed_at = system_config::get(&mut ex, COMPLETED_AT)
            .await?
            .and_then(|row| row.value.parse::<i64>().ok())
            .map(rfc3339);
        let usernames: Vec<String> = breakglass::list(&mut ex)
            .await?
            .into_iter()
            .filter(|b| b.is_active)
            .map(|b| b.username)
            .collect();
        let oidc_skipped = system_config::flag(&mut ex, OIDC_SKIPPED).await?;
        let agents_skipped = system_config::flag(&mut ex, SYSTEM_AGENTS_SKIPPED).await?;
        let oidc: OidcSettings = self.oidc.oidc_settings().await?;
        let provider = self.providers.default_system_provider().await?;
        let agents = agent_rows::active_system_agents(&mut ex).await?;
        let state = |done: bool, skipped: bool| match (done, skipped) {
            (true, _) => StepState::Done,
            (false, true) => StepState::Skipped,
            (false, false) => StepState::Pending,
        };
        let steps = OnboardingSteps {
            breakglass: BreakglassStep {
                state: state(!usernames.is_empty(), false),
                usernames,
            },
            oidc: OidcStep {
                state: state(oidc.configured, oidc_skipped),
                issuer_url: oidc.issuer_url,
                client_id: oidc.client_id,
                client_secret_set: oidc.client_secret_set,
            },
            provider: ProviderStep {
                state: state(provider.is_some(), false),
                provider,
            },
            system_agents: SystemAgentsStep {
                state: state(agents > 0, agents_skipped),
                count: agents,
            },
        };
        let ready = [
            steps.breakglass.state,
            steps.oidc.state,
            steps.provider.state,
            steps.system_agents.state,
        ]
        .iter()
        .all(|s| *s != StepState::Pending);
        Ok(OnboardingStatus {
            complete,
            completed_at,
            ready,
            setup_token_expires_at: if complete {
                None
            } else {
                self.setup_token_expiry().await?.map(rfc3339)
            },
            steps,
        })
    }

    /// Step 1: creates the breakglass admin, or sets a new password for one of that name.
    pub async fn onboarding_breakglass(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
    ) -> Result<OnboardingStatus> {
        self.ensure_onboarding_open().await?;
        let username = username.trim();
        if breakglass::by_username(&mut self.db.ex(), username).await?.is_some() {
            self.auth.reset_breakglass(actor, username, password).await?;
        } else {
            self.auth.create_breakglass(actor, username, password).await?;
        }
        self.onboarding_status().await
    }

    /// Step 2: checks the issuer's discovery document, then saves the OIDC client settings.
    pub async fn onboarding_set_oidc(&self, actor: &Actor, input: OidcInput) -> Result<OnboardingStatus> {
        self.ensure_onboarding_open().await?;
        self.oidc.check_oidc_issuer(input.issuer_url.trim()).await?;
        self.oidc.set_oidc_settings(actor, input).await?;
        system_config::delete(&mut self.db.ex(), OIDC_SKIPPED).await?;
        self.onboarding_status().await
    }

    /// Records that an optional step is skipped. Skipping OIDC removes OIDC settings saved
    /// earlier in this onboarding: "skip" means breakglass and invited users only.
    pub async fn onboarding_skip(&self, actor: &Actor, step: SkippableStep) -> Result<OnboardingStatus> {
        self.ensure_onboarding_open().await?;
        match step {
            SkippableStep::Oidc => {
                if self.oidc.oidc_settings().await?.configured {
                    self.oidc.clear_oidc_settings(actor).await?;
                }
                system_config::set(&mut self.db.ex(), OIDC_SKIPPED, "true", false).await?;
            }
            SkippableStep::SystemAgents => {
                system_config::set(&mut self.db.ex(), SYSTEM_AGENTS_SKIPPED, "true", false).await?;
            }
        }
        audit::record(
            &mut self.db.ex(),
            actor,
            "onboarding.skip",
            Some(step.as_str()),
            json!({}),
        )
        .await?;
        self.onboarding_status().await
    }

    /// Step 3: tests the provider's connection with the given settings and, if the test passes,
    /// saves it as an admin-level provider and the default one. Run again, it edits that
    /// provider (an absent API key keeps the stored one). A provider without a base URL
    /// (OpenClaw's built-in endpoint for its type) cannot be tested and is saved with that said.
    pub async fn onboarding_save_provider(&self, actor: &Actor, input: NewProvider) -> Result<ProviderStepResult> {
        self.ensure_onboarding_open().await?;
        let owner = Owner::System;
        let existing = match system_config::get(&mut self.db.ex(), SYSTEM_DEFAULT_PROVIDER).await? {
            Some(row) => providers::get(&mut self.db.ex(), &owner, &row.value).await?,
            None => None,
        };
        let existing = match existing {
            Some(row) => Some(row),
            None => providers::get_by_name(&mut self.db.ex(), &owner, input.name.trim()).await?,
        };
        let api_type = input
            .api_type
            .clone()
            .unwrap_or_else(|| input.kind.default_api_type().to_string());
        mosaic_shared::policy::check_api_type(&api_type).map_err(Error::invalid)?;
        let base_url = input.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        if let Some(row) = &existing {
            // The stored key is tested (and kept) only on the origin it was saved for.
            check_key_follows(row, input.kind, base_url, input.api_key.is_some())?;
        }
        let stored_key = match (&input.api_key, &existing) {
            (None, Some(row)) => open_api_key(&self.keyring, row)?,
            _ => None,
        };
        let key = input.api_key.as_ref().map(|k| k.expose().to_string()).or(stored_key);
        let test = match base_url {
            Some(base_url) => {
                self.providers
                    .connection_test(base_url, &api_type, key.as_deref())
                    .await?
            }
            None => ConnectionTest {
                ok: false,
                outcome: TestOutcome::Untestable,
                message: format!(
                    "saved without a connection test: a {} provider without a base URL uses OpenClaw's \
                     built-in endpoint, which mosaicd does not call",
                    input.kind.as_str()
                ),
                url: None,
                http_status: None,
                latency_ms: None,
                models: Vec::new(),
            },
        };
        if base_url.is_some() && !test.ok {
            return Ok(ProviderStepResult { saved: None, test });
        }
        let provider = match existing {
            Some(row) => {
                let patch = ProviderPatch {
                    name: Some(input.name),
                    display_name: input.display_name,
                    kind: Some(input.kind),
                    base_url: Some(input.base_url),
                    api_key: input.api_key.map(Some),
                    api_type: Some(api_type),
                    models: input.models,
                    is_active: input.is_active,
                };
                self.providers.update_provider(actor, &owner, &row.id, patch).await?
            }
            None => self.providers.create_provider(actor, &owner, input).await?,
        };
        system_config::set(&mut self.db.ex(), SYSTEM_DEFAULT_PROVIDER, &provider.id, false).await?;
        Ok(ProviderStepResult {
            saved: Some(provider),
            test,
        })
    }

    /// Step 4: adds the listed system agents that do not exist yet and starts their containers.
    /// Every new agent is checked before the first is added, so a bad entry writes nothing; an
    /// agent already present by name is kept as it is (repeating the step after a container
    /// failed to start adds only what is missing). No agent is removed here.
    pub async fn onboarding_system_agents(&self, actor: &Actor, input: SystemAgentsInput) -> Result<SystemAgentsSaved> {
        self.ensure_onboarding_open().await?;
        if input.agents.is_empty() {
            return Err(Error::invalid(
                "agents is empty: list at least one system agent, or skip step 4",
            ));
        }
        if input.agents.len() > MAX_SYSTEM_AGENTS {
            return Err(Error::invalid(format!(
                "at most {MAX_SYSTEM_AGENTS} system agents at once"
            )));
        }
        let existing: Vec<String> = agent_rows::system_agents(&mut self.db.ex())
            .await?
            .into_iter()
            .map(|a| a.name)
            .collect();
        let mut names = Vec::new();
        let mut new = Vec::new();
        for spec in &input.agents {
            if names.contains(&spec.name) {
                return Err(Error::invalid(format!("system agent {} is listed twice", spec.name)));
            }
            names.push(spec.name.clone());
            if !existing.contains(&spec.name) {
                new.push(
                    self.agents
                        .check_system_agent(spec)
                        .await
                        .map_err(|e| about_agent(&spec.name, e))?,
                );
            }
        }
        let mut added = Vec::new();
        for agent in new {
            let name = agent.name.clone();
            self.agents.add_checked_system_agent(actor, agent).await?;
            added.push(name);
        }
        system_config::delete(&mut self.db.ex(), SYSTEM_AGENTS_SKIPPED).await?;
        let agents = self
            .agents
            .system_agents_list()
            .await?
            .into_iter()
            .filter(|a| names.contains(&a.name))
            .collect();
        Ok(SystemAgentsSaved { agents, added })
    }

    /// Step 5: marks onboarding complete once every step is done or skipped, and retires the
    /// setup token. The onboarding endpoints answer 409 from then on.
    pub async fn complete_onboarding(&self, actor: &Actor) -> Result<OnboardingStatus> {
        let status = self.onboarding_status().await?;
        if status.complete {
            return Err(not_open());
        }
        let s = &status.steps;
        let missing: Vec<&str> = [
            (s.breakglass.state, "1 (breakglass admin)"),
            (s.oidc.state, "2 (OpenID Connect: configure or skip)"),
            (s.provider.state, "3 (first LLM provider)"),
            (s.system_agents.state, "4 (system agents: configure or skip)"),
        ]
        .iter()
        .filter(|(state, _)| *state == StepState::Pending)
        .map(|(_, name)| *name)
        .collect();
        if !missing.is_empty() {
            return Err(Error::conflict(format!(
                "onboarding cannot be completed yet: step {} still to do",
                missing.join(", step ")
            )));
        }
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        if system_config::flag(&mut tx.ex(), system_config::ONBOARDING_COMPLETED).await? {
            return Err(not_open());
        }
        system_config::set(&mut tx.ex(), system_config::ONBOARDING_COMPLETED, "true", false).await?;
        system_config::set(&mut tx.ex(), COMPLETED_AT, &now.to_string(), false).await?;
        system_config::delete(&mut tx.ex(), SETUP_TOKEN).await?;
        if let Some(provider) = &s.provider.provider {
            system_config::set(&mut tx.ex(), SYSTEM_DEFAULT_PROVIDER, &provider.id, false).await?;
        }
        audit::record(
            &mut tx.ex(),
            actor,
            "onboarding.complete",
            None,
            json!({
                "oidc": s.oidc.state,
                "systemAgents": s.system_agents.state,
                "provider": s.provider.provider.as_ref().map(|p| &p.id),
            }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(%actor, "onboarding complete");
        self.onboarding_status().await
    }
}

/// Names the system agent an input error is about.
fn about_agent(name: &str, e: Error) -> Error {
    match e.code() {
        ErrorCode::InvalidInput | ErrorCode::NotFound => {
            let message = format!("system agent {name}: {}", e.message());
            e.with_message(message)
        }
        _ => e,
    }
}
