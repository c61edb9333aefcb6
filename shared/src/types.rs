//! Data carried by the admin RPCs. Field names are camelCase in JSON, the same as `--json` output
//! and the HTTP API, so a script sees one vocabulary everywhere.

use serde::{Deserialize, Serialize};

use crate::Sensitive;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub version: String,
    pub protocol: u32,
    pub uptime_seconds: u64,
    pub database: DatabaseInfo,
    pub onboarding_complete: bool,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseInfo {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Where the data lives, without any password.
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub users: u64,
    pub providers: u64,
    pub running_containers: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakglass {
    pub username: String,
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationReport {
    /// Key id of the key everything is now encrypted under.
    pub new_key_id: String,
    /// Key ids that no longer protect anything.
    pub retired_key_ids: Vec<String>,
    /// How many stored values were re-encrypted.
    pub reencrypted: u64,
    /// Where the new key was stored, when the daemon keeps it in a file.
    pub key_file: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Users, providers, agent config and system settings: the shapes the HTTP API serves and the
// admin socket will carry, so the WebUI, scripts and `mosaicctl --json` read one vocabulary.
// Request types reject unknown fields: a body cannot smuggle an owner, a role or an id.
// ---------------------------------------------------------------------------------------------

/// Deserializes a field that distinguishes "absent" (`None`, keep) from `null` (`Some(None)`,
/// clear). Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Can log in.
    Active,
    /// Invited, has not set a password yet.
    Invited,
    Deactivated,
}

/// A user as the admin users page shows it. Never carries a password hash, a token or a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminUser {
    pub id: String,
    pub name: String,
    /// `None` for breakglass accounts, which log in by username.
    pub email: Option<String>,
    pub role: Role,
    /// `breakglass`, `local` (invited, password) or `oidc`.
    pub auth_source: String,
    /// Whether the account logs in with a password held by mosaicd (breakglass or local).
    pub is_local_auth: bool,
    pub status: UserStatus,
    pub invited_at: Option<String>,
    /// Id of the user who sent the invite.
    pub invited_by: Option<String>,
    pub deactivated_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    pub total: u64,
    /// The page that was asked for, even past the end (then `data` is empty).
    pub page: u64,
    /// The page size used, after capping.
    pub limit: u64,
    /// `ceil(total / limit)`; 0 when there is nothing.
    pub total_pages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteRequest {
    pub email: String,
    /// Defaults to the part of the email before `@`.
    #[serde(default)]
    pub name: Option<String>,
    /// Defaults to `member`.
    #[serde(default)]
    pub role: Option<Role>,
}

/// The answer to an invite. The token (and the link that carries it) is shown this once; only
/// its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    pub invited_at: String,
    pub expires_at: String,
    pub invite_token: Sensitive,
    /// The WebUI's accept page with the token in the fragment (never sent to a server by a
    /// browser): `<first WebUI origin>/accept-invite#token=…`, or a relative link when no WebUI
    /// origin is configured.
    pub invite_url: Sensitive,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
}

/// The provider types of the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderType {
    Zai,
    Openai,
    Anthropic,
    Ollama,
    Custom,
}

impl ProviderType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderType::Zai => "zai",
            ProviderType::Openai => "openai",
            ProviderType::Anthropic => "anthropic",
            ProviderType::Ollama => "ollama",
            ProviderType::Custom => "custom",
        }
    }

    pub fn parse(text: &str) -> Option<ProviderType> {
        Some(match text {
            "zai" => ProviderType::Zai,
            "openai" => ProviderType::Openai,
            "anthropic" => ProviderType::Anthropic,
            "ollama" => ProviderType::Ollama,
            "custom" => ProviderType::Custom,
            _ => return None,
        })
    }

    /// Types without a built-in endpoint in OpenClaw need a base URL.
    pub fn needs_base_url(self) -> bool {
        matches!(self, ProviderType::Ollama | ProviderType::Custom)
    }

    /// The API a provider of this type speaks unless told otherwise. Ollama's is its native API
    /// (`ollama`, base URL without `/v1`), as OpenClaw's Ollama guide has it: through its
    /// OpenAI-compatible endpoint tool calls break.
    pub fn default_api_type(self) -> &'static str {
        match self {
            ProviderType::Anthropic => "anthropic-messages",
            ProviderType::Ollama => "ollama",
            _ => "openai-completions",
        }
    }
}

/// One model of a provider, with the keys OpenClaw's `models.providers.<name>.models[]` accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderModel {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<bool>,
    /// `text` and/or `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<String>>,
}

/// A provider as its owner sees it. The API key is write-only: only whether one is set and a
/// masked hint (`sk-…a1b2`) come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: ProviderType,
    pub base_url: Option<String>,
    pub api_type: String,
    pub models: Vec<ProviderModel>,
    pub is_active: bool,
    pub has_api_key: bool,
    pub api_key_hint: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProvider {
    /// Lower-case slug, unique per owner; OpenClaw's provider key (`<name>/<model>`).
    pub name: String,
    /// Defaults to `name`.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: ProviderType,
    /// Required for `ollama` and `custom`.
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub api_key: Option<Sensitive>,
    /// Defaults by type (`anthropic-messages` for anthropic, else `openai-completions`).
    #[serde(default)]
    pub api_type: Option<String>,
    #[serde(default)]
    pub models: Option<Vec<ProviderModel>>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// A partial update. Absent fields are kept; `baseUrl: null` and `apiKey: null` clear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<ProviderType>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub base_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Option<Sensitive>>,
    #[serde(default)]
    pub api_type: Option<String>,
    #[serde(default)]
    pub models: Option<Vec<ProviderModel>>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// Connection settings to test before saving a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderDraft {
    #[serde(rename = "type")]
    pub kind: ProviderType,
    pub base_url: String,
    #[serde(default)]
    pub api_key: Option<Sensitive>,
    #[serde(default)]
    pub api_type: Option<String>,
}

/// How a connection test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// The models endpoint answered with a model list.
    Ok,
    /// The provider refused the credentials (401/403).
    Unauthorized,
    /// No connection (DNS, refused, reset, TLS).
    Unreachable,
    /// No answer in time.
    Timeout,
    /// The address is not allowed by the egress policy; nothing was sent.
    Blocked,
    /// The provider answered with another error status (or a redirect, which is not followed).
    HttpError,
    /// The answer was not a model list.
    InvalidResponse,
    /// The provider has no base URL or an API mosaicd cannot test.
    Untestable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    pub ok: bool,
    pub outcome: TestOutcome,
    /// One sentence for a person; never contains the key.
    pub message: String,
    /// What was requested (no credentials in it).
    pub url: Option<String>,
    pub http_status: Option<u16>,
    pub latency_ms: Option<u64>,
    /// Model ids the provider listed (at most 500).
    pub models: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    /// `provider/model`, as OpenClaw's `agents.defaults.model.primary`.
    pub primary_model: Option<String>,
    pub fallback_models: Vec<String>,
    /// The agent's SOUL.md.
    pub personality: Option<String>,
    /// The default provider, one of the user's own.
    pub provider_id: Option<String>,
    /// `None` until the first save.
    pub updated_at: Option<String>,
}

/// The whole agent configuration; absent fields are cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentConfigInput {
    #[serde(default)]
    pub primary_model: Option<String>,
    #[serde(default)]
    pub fallback_models: Vec<String>,
    #[serde(default)]
    pub personality: Option<String>,
    #[serde(default)]
    pub provider_id: Option<String>,
}

/// OIDC settings as an admin sees them: the client secret is write-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcSettings {
    pub configured: bool,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_set: bool,
    pub client_secret_hint: Option<String>,
    pub updated_at: Option<String>,
    /// The redirect URI to register with the identity provider for this client.
    pub redirect_uri: String,
    /// Who becomes an administrator at an OpenID Connect login.
    pub provisioning: OidcProvisioning,
}

/// Replaces the OIDC settings. An absent `clientSecret` keeps the stored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcInput {
    pub issuer_url: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Sensitive>,
}

/// Runtime settings kept in system config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemSettings {
    /// WebUI origins allowed by CORS, from system config (editable).
    pub webui_origins: Vec<String>,
    /// WebUI origins from the daemon's flags or environment (read-only here).
    pub daemon_webui_origins: Vec<String>,
    /// Whether provider base URLs may point at loopback and private networks (local Ollama).
    pub allow_private_provider_urls: bool,
    /// The agent containers' image, timeouts and limits.
    pub agent: AgentRuntimeSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default)]
    pub webui_origins: Option<Vec<String>>,
    #[serde(default)]
    pub allow_private_provider_urls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentRuntimePatch>,
}

/// The agent containers' runtime settings (system config keys `agent.*`), in effect for
/// containers started from now on; running containers keep theirs until they restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRuntimeSettings {
    /// Docker image of the agent containers (`agent.image`).
    pub image: String,
    /// `script` (Mosaic's entrypoint script runs first) or `image` (the image's own entrypoint
    /// follows Mosaic's contract) (`agent.entrypoint`).
    pub entrypoint: String,
    /// Default idle timeout of user containers, in minutes; 0 stops them at the next reaper pass
    /// (`agent.idle_timeout_min`).
    pub idle_timeout_min: u64,
    /// How long a start may take to pass the health check (`agent.start_timeout_sec`).
    pub start_timeout_sec: u64,
    /// Grace between SIGTERM and SIGKILL at a stop (`agent.stop_timeout_sec`).
    pub stop_timeout_sec: u64,
    /// Memory limit per container, MiB (`agent.memory_mb`).
    pub memory_mb: u64,
    /// CPU limit per container (`agent.cpus`).
    pub cpus: f64,
    /// Process and thread limit per container (`agent.pids_limit`).
    pub pids_limit: u64,
}

/// Changes to [`AgentRuntimeSettings`]; absent fields are kept. Numbers are taken as given and
/// checked by the same rules as `mosaicctl config set` (a negative or out-of-range value is
/// refused with the range).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentRuntimePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timeout_sec: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_timeout_sec: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
}

/// The logged-in user, as `/api/auth/session` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentUser {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub auth_source: String,
}

/// A personal API token as its owner's list shows it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The first characters of the token, to tell tokens apart (`mosaic_AbCd`).
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiToken {
    pub name: String,
    /// 1 to 3650; absent means the token does not expire.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A token just created: the only time the token itself is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub info: ApiToken,
    pub token: Sensitive,
}

// ---------------------------------------------------------------------------------------------
// Onboarding (first boot) and OpenID Connect login: the shapes the HTTP onboarding endpoints and
// the admin socket share, so the WebUI's wizard and `mosaicctl onboard` see one vocabulary.
// ---------------------------------------------------------------------------------------------

/// Where one onboarding step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    Pending,
    Done,
    /// An optional step the operator chose to skip (OIDC, system agents).
    Skipped,
}

/// The steps that may be skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SkippableStep {
    /// Step 2: no OpenID Connect; breakglass and invited local users only.
    Oidc,
    /// Step 4: no always-on system agents.
    SystemAgents,
}

impl SkippableStep {
    pub fn as_str(self) -> &'static str {
        match self {
            SkippableStep::Oidc => "oidc",
            SkippableStep::SystemAgents => "systemAgents",
        }
    }
}

/// Step 1: the breakglass admin(s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakglassStep {
    pub state: StepState,
    pub usernames: Vec<String>,
}

/// Step 2: OpenID Connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcStep {
    pub state: StepState,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_set: bool,
}

/// Step 3: the first LLM provider, admin-level (used by system agents) and the default one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStep {
    pub state: StepState,
    /// The default admin-level provider (never its key: a masked hint at most).
    pub provider: Option<Provider>,
}

/// Step 4: always-on system agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemAgentsStep {
    pub state: StepState,
    /// Active system agents configured so far.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnboardingSteps {
    pub breakglass: BreakglassStep,
    pub oidc: OidcStep,
    pub provider: ProviderStep,
    pub system_agents: SystemAgentsStep,
}

/// Which onboarding steps are done. Steps stay editable until onboarding is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnboardingStatus {
    pub complete: bool,
    pub completed_at: Option<String>,
    pub steps: OnboardingSteps,
    /// Every step is done or skipped: `complete` would succeed.
    pub ready: bool,
    /// When the current setup token expires (none once onboarding is complete, or before one
    /// was issued).
    pub setup_token_expires_at: Option<String>,
}

/// Step 3's answer: the provider saved after a passing connection test, or nothing saved and
/// the test that failed (the terminal wizard then offers to edit the answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStepResult {
    pub saved: Option<Provider>,
    pub test: ConnectionTest,
}

/// Step 4: the system agents to have. Agents already present by the same name are kept as they
/// are, so the step can be repeated after a partial failure; none is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SystemAgentsInput {
    pub agents: Vec<SystemAgentSpec>,
}

/// Step 4's answer: every listed agent, whether added now or already present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemAgentsSaved {
    pub agents: Vec<SystemAgent>,
    pub added: Vec<String>,
}

/// A fresh setup token for the WebUI's onboarding endpoints. Shown once; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupToken {
    pub token: Sensitive,
    pub expires_at: String,
}

/// What an issuer's OpenID Connect discovery document says, once fetched and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Who becomes an administrator when they log in with OpenID Connect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcProvisioning {
    /// Verified email addresses made administrators (lower-cased).
    #[serde(default)]
    pub admin_emails: Vec<String>,
    /// An ID token claim that makes its holder an administrator (e.g. `groups`).
    #[serde(default)]
    pub admin_claim: Option<String>,
    /// The value `adminClaim` must equal or, for a list, contain (e.g. `mosaic-admins`); absent,
    /// the claim must be `true`.
    #[serde(default)]
    pub admin_claim_value: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// System configuration as `mosaicctl config` sees it: named settings with a value, a default and
// a description. Secrets among them are write-only: only whether one is set and a masked hint.
// ---------------------------------------------------------------------------------------------

/// One system setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigEntry {
    /// The setting's name, e.g. `http.webuiOrigins`.
    pub key: String,
    /// The value in effect, as JSON (string, number, boolean or list); `null` for a secret and
    /// for a setting without a value.
    pub value: serde_json::Value,
    /// The value in effect when none is stored; `null` when there is none.
    pub default: serde_json::Value,
    /// Write-only: the value never leaves the daemon.
    pub secret: bool,
    /// For a secret: whether one is stored.
    pub secret_set: bool,
    /// For a stored secret: a masked hint (`…a1b2`).
    pub hint: Option<String>,
    /// Set by mosaicd's flags or environment; `config set` cannot change it.
    pub read_only: bool,
    pub description: String,
}

/// A new value for one setting, as text (`true`, `30`, `https://a.example,https://b.example`).
/// The value travels as [`Sensitive`], since some settings are secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigChange {
    pub key: String,
    pub value: Sensitive,
}

// ---- Agent containers -------------------------------------------------------------------------

/// One agent container as `containers ls` shows it. Times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// `user` or `system`.
    pub kind: String,
    /// The user id, or the system agent's name.
    pub owner: String,
    /// For people: the user's email (or name), or `system/<name>`.
    pub owner_label: String,
    /// The Docker container name (`mosaic-user-<id>`, `mosaic-system-<name>`).
    pub name: String,
    /// `running`, `stopped`, `starting` or `error`.
    pub state: String,
    pub image: Option<String>,
    pub started_at: Option<String>,
    pub uptime_seconds: Option<u64>,
    pub last_activity_at: Option<String>,
    /// Seconds since the last activity.
    pub idle_seconds: Option<u64>,
    /// User containers only: system containers are always on.
    pub idle_timeout_min: Option<u64>,
    /// Requests and streams in flight through mosaicd right now.
    pub active_requests: u64,
    /// Why the container last stopped: `idle`, `config_change`, `admin`, `deactivated`, `crash`,
    /// `start_failed`, `interrupted`, `removed`.
    pub stop_reason: Option<String>,
    pub stopped_at: Option<String>,
    /// The last error, or what is happening now.
    pub detail: Option<String>,
    /// Incremented at every start.
    pub generation: u64,
}

/// `containers start`: the status, and whether this call started the container (`false`: it was
/// already running).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartResult {
    pub started: bool,
    #[serde(flatten)]
    pub status: ContainerStatus,
}

/// `containers inspect`: the status plus what Docker says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDetail {
    #[serde(flatten)]
    pub status: ContainerStatus,
    pub container_id: Option<String>,
    pub volume: String,
    pub network: Option<String>,
    pub ip_address: Option<String>,
    pub config_hash: Option<String>,
    /// Docker's own state word (`running`, `exited`, …), or why it could not be read.
    pub docker_state: Option<String>,
    pub exit_code: Option<i64>,
}

/// What one reaper pass stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReapReport {
    /// Running user containers looked at.
    pub checked: u64,
    pub stopped: Vec<ReapedContainer>,
    /// Idle containers left running because a request or stream is in flight.
    pub kept_busy: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReapedContainer {
    pub owner: String,
    pub owner_label: String,
    pub name: String,
    /// `idle`, or `deactivated` for a container whose user was deactivated.
    pub reason: String,
    pub idle_seconds: u64,
    pub idle_timeout_min: u64,
}

/// A new system agent: an always-on agent container with the admin-level providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SystemAgentSpec {
    /// Lower-case letters, digits and dashes; the container is `mosaic-system-<name>`.
    pub name: String,
    /// What it is for, e.g. `operations`, `monitor`, `scheduler`.
    pub role: String,
    /// `provider/model`, or a model of the default provider.
    pub primary_model: String,
    /// Name of the admin-level provider used for bare model names.
    pub provider: Option<String>,
    /// SOUL.md content.
    pub personality: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemAgent {
    pub name: String,
    pub role: String,
    pub primary_model: String,
    pub provider: Option<String>,
    pub has_personality: bool,
    pub active: bool,
    pub created_at: String,
    pub container: ContainerStatus,
}

/// One step of an agent image check (`mosaicctl containers doctor`, and the checks run when an
/// admin sets `agent.image`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorStep {
    /// `docker`, `image`, `version` or `trial start`.
    pub name: String,
    pub ok: bool,
    /// What was found, or what is wrong.
    pub detail: String,
    pub millis: u64,
}

/// What `mosaicctl containers doctor` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    pub image: String,
    /// Every step passed.
    pub ok: bool,
    pub steps: Vec<DoctorStep>,
}

/// What an agent would receive at its next start, keys masked (`mosaicctl agent-config render`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedAgentConfig {
    /// `user/<id>` or `system/<name>`.
    pub agent: String,
    /// `openclaw.json`, with every provider API key replaced by its masked hint.
    pub openclaw_json: serde_json::Value,
    /// `SOUL.md`, if the agent has a personality.
    pub soul: Option<String>,
}

/// `GET /api/models`: the caller's agents in OpenAI's model-list shape, as an OpenAI SDK's
/// `models.list()` reads it. Each id is a `model` the chat endpoint takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelList {
    /// Always `list`.
    pub object: String,
    pub data: Vec<ModelEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// `openclaw` (the default agent) or `openclaw/<agentId>`.
    pub id: String,
    /// Always `model`.
    pub object: String,
    /// Unix seconds; 0, as OpenClaw's own list has it.
    pub created: u64,
    pub owned_by: String,
}

/// Chat usage figures over some users and days: counts only, never a message, a prompt or an
/// answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageFigures {
    /// Chat requests, whatever became of them.
    pub requests: u64,
    /// Of those, streaming ones (`stream: true`).
    pub streamed: u64,
    /// Requests that did not end with a whole answer (the sum of `failures`).
    pub failed: u64,
    pub failures: UsageFailures,
    /// Requests that started their agent's container, and the time those starts took.
    pub cold_starts: u64,
    pub cold_start_ms: u64,
    /// Tokens in (prompt) and out (completion), as the agent reported them.
    pub tokens_in: u64,
    pub tokens_out: u64,
    /// Whole answers that carried the agent's token report.
    pub usage_reported: u64,
    /// Whole answers without a token report: their tokens are unknown and not in the sums.
    pub usage_missing: u64,
}

/// Failed chat requests by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageFailures {
    /// Refused by mosaicd before the agent saw it (not JSON, no messages, too large, too busy).
    pub rejected: u64,
    /// The agent's container did not start.
    pub start: u64,
    /// The agent did not answer.
    pub unreachable: u64,
    /// The agent answered with an error.
    pub agent: u64,
    /// The answer broke off.
    pub interrupted: u64,
    /// The client went away first.
    pub cancelled: u64,
}

/// One user's figures over the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserUsage {
    pub user_id: String,
    /// `None` for a user that no longer exists.
    pub email: Option<String>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: UsageFigures,
}

/// One day's figures (of every user in the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayUsage {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    #[serde(flatten)]
    pub figures: UsageFigures,
}

/// Usage over a range of days: totals, per day, and one page of per-user rows (most requests
/// first), paginated as the users list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// First and last day, inclusive (`YYYY-MM-DD`, UTC).
    pub from: String,
    pub to: String,
    pub totals: UsageFigures,
    /// Days with figures, oldest first.
    pub daily: Vec<DayUsage>,
    pub data: Vec<UserUsage>,
    pub meta: PageMeta,
}

/// What a usage report covers; absent fields take the defaults (the last 30 days, every user,
/// page 1 of 50).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageQuery {
    /// A user id, an email or a breakglass username.
    pub user: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

/// Where an online backup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BackupState {
    /// Pages are being copied (SQLite) or pg_dump runs (PostgreSQL).
    Copying,
    /// The copy is checked and ready to be read.
    Ready,
    /// It failed; `message` says why. Nothing is left of it.
    Failed,
}

/// An online backup made by the daemon into its own data directory, read by `mosaicctl` in
/// chunks and removed when it is done with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    pub id: String,
    /// `sqlite` (a copy of the database file) or `postgres` (a pg_dump custom-format archive).
    pub backend: String,
    pub state: BackupState,
    /// SQLite pages copied so far, of `pages_total` (0 for PostgreSQL).
    pub pages_copied: u64,
    pub pages_total: u64,
    /// Once ready: the size, SHA-256 (hex) and schema version (the newest applied migration) of
    /// the checked copy.
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
    pub schema_version: Option<i64>,
    /// What was checked, or why it failed.
    pub message: Option<String>,
    /// Where the secret key is kept, which the backup does not contain (`file PATH` or
    /// `MOSAIC_SECRET_KEY`).
    pub secret_key: String,
}

/// Up to the requested number of bytes of a ready backup from an offset, base64-encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupChunk {
    pub offset: u64,
    pub data: String,
    /// No bytes follow this chunk.
    pub last: bool,
}
