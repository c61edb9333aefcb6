//! System settings: the OIDC client and who becomes an administrator, runtime settings, and
//! named settings as `mosaicctl config` sees them (secrets write-only).

use serde::{Deserialize, Serialize};

use crate::Sensitive;

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
