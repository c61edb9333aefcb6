//! Onboarding (first boot): the shapes the HTTP onboarding endpoints and the admin socket share,
//! so the WebUI's wizard and `mosaicctl onboard` see one vocabulary.

use serde::{Deserialize, Serialize};

use super::{ConnectionTest, Provider, SystemAgent, SystemAgentSpec};
use crate::Sensitive;

/// Where one onboarding step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    Pending,
    Done,
    /// An optional step the operator chose to skip (OIDC, system agents).
    Skipped,
}

crate::words! {
    /// The steps that may be skipped.
    pub enum SkippableStep("onboarding step") {
        /// Step 2: no OpenID Connect; breakglass and invited local users only.
        Oidc = "oidc",
        /// Step 4: no always-on system agents.
        SystemAgents = "systemAgents",
    }
}

/// Step 1: the breakglass admin(s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BreakglassStep {
    pub state: StepState,
    pub usernames: Vec<String>,
}

/// Step 2: OpenID Connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OidcStep {
    pub state: StepState,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub issuer_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub client_id: Option<String>,
    pub client_secret_set: bool,
}

/// Step 3: the first LLM provider, admin-level (used by system agents) and the default one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderStep {
    pub state: StepState,
    /// The default admin-level provider (never its key: a masked hint at most).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub provider: Option<Provider>,
}

/// Step 4: always-on system agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemAgentsStep {
    pub state: StepState,
    /// Active system agents configured so far.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OnboardingSteps {
    pub breakglass: BreakglassStep,
    pub oidc: OidcStep,
    pub provider: ProviderStep,
    pub system_agents: SystemAgentsStep,
}

/// Which onboarding steps are done. Steps stay editable until onboarding is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OnboardingStatus {
    pub complete: bool,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub completed_at: Option<String>,
    pub steps: OnboardingSteps,
    /// Every step is done or skipped: `complete` would succeed.
    pub ready: bool,
    /// When the current setup token expires (none once onboarding is complete, or before one
    /// was issued).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub setup_token_expires_at: Option<String>,
}

/// Step 3's answer: the provider saved after a passing connection test, or nothing saved and
/// the test that failed (the terminal wizard then offers to edit the answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderStepResult {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub saved: Option<Provider>,
    pub test: ConnectionTest,
}

/// Step 4: the system agents to have. Agents already present by the same name are kept as they
/// are, so the step can be repeated after a partial failure; none is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SystemAgentsInput {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 16))]
    pub agents: Vec<SystemAgentSpec>,
}

/// Step 4's answer: every listed agent, whether added now or already present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemAgentsSaved {
    pub agents: Vec<SystemAgent>,
    /// Names of the agents added by this request.
    pub added: Vec<String>,
}

/// A fresh setup token for the WebUI's onboarding endpoints. Shown once; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SetupToken {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub token: Sensitive,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: String,
}

/// What an issuer's OpenID Connect discovery document says, once fetched and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OidcIssuerCheck {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    /// Signing keys published at `jwksUri`.
    pub signing_keys: u64,
    pub id_token_signing_algs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BreakglassRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Password, min_length = 12, write_only))]
    pub password: Sensitive,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuerRequest {
    #[cfg_attr(feature = "openapi", schema(format = Uri))]
    pub issuer_url: String,
}

/// Step 3's answer: the saved provider and the connection test that let it be saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderSaved {
    pub provider: Provider,
    pub test: ConnectionTest,
}
