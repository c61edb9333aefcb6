//! System settings: the OIDC client and who becomes an administrator, runtime settings, and
//! named settings as `mosaicctl config` sees them (secrets write-only).

use serde::{Deserialize, Serialize};

use crate::Sensitive;

/// OIDC settings as an admin sees them: the client secret is write-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OidcSettings {
    pub configured: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub issuer_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub client_id: Option<String>,
    pub client_secret_set: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub client_secret_hint: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub updated_at: Option<String>,
    /// The redirect URI to register with the identity provider for this client: `--public-url` +
    /// `/api/auth/oidc/callback`.
    pub redirect_uri: String,
    /// Who becomes an administrator at an OpenID Connect login.
    pub provisioning: OidcProvisioning,
}

/// Replaces the OIDC settings. An absent `clientSecret` keeps the stored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcInput {
    /// https (http only for a loopback host).
    #[cfg_attr(feature = "openapi", schema(format = Uri))]
    pub issuer_url: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\S{1,255}$"))]
    pub client_id: String,
    /// Absent (or `null`) keeps the stored secret.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Password, min_length = 1, max_length = 4096, write_only))]
    pub client_secret: Option<Sensitive>,
}

/// Runtime settings kept in system config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemSettings {
    /// WebUI origins allowed by CORS, from system config (editable).
    pub webui_origins: Vec<String>,
    /// WebUI origins from the daemon's flags or environment (`--webui-origin`,
    /// `MOSAIC_WEBUI_ORIGINS`; read-only here).
    pub daemon_webui_origins: Vec<String>,
    /// Whether provider base URLs may point at loopback and private networks (local Ollama).
    pub allow_private_provider_urls: bool,
    /// Address ranges (CIDR) agent containers may reach through mosaicd's egress proxy although
    /// they are private or the host's own (a local LLM); everything else private stays closed.
    pub agent_allowed_ranges: Vec<String>,
    /// The agent containers' image, timeouts and limits.
    pub agent: AgentRuntimeSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    /// WebUI origins, each `scheme://host[:port]`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub webui_origins: Option<Vec<String>>,
    #[serde(default)]
    pub allow_private_provider_urls: Option<bool>,
    /// Address ranges agents may reach although private, each a CIDR (`192.168.1.0/24`) or an
    /// address; the list replaces the stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub agent_allowed_ranges: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentRuntimePatch>,
}

/// The agent containers' runtime settings (system config keys `agent.*`), in effect for
/// containers started from now on; running containers keep theirs until they restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentRuntimeSettings {
    /// Docker image of the agent containers (`agent.image`).
    pub image: String,
    /// `script` (Mosaic's entrypoint script runs first) or `image` (the image's own entrypoint
    /// follows Mosaic's contract) (`agent.entrypoint`).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Entrypoint))]
    pub entrypoint: String,
    /// Default idle timeout of user containers, in minutes; 0 stops them at the next reaper pass
    /// (`agent.idle_timeout_min`).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10080))]
    pub idle_timeout_min: u64,
    /// How long a start may take to pass the health check (`agent.start_timeout_sec`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3600))]
    pub start_timeout_sec: u64,
    /// Grace between SIGTERM and SIGKILL at a stop (`agent.stop_timeout_sec`).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 300))]
    pub stop_timeout_sec: u64,
    /// Memory limit per container, MiB (`agent.memory_mb`).
    #[cfg_attr(feature = "openapi", schema(minimum = 64, maximum = 1048576))]
    pub memory_mb: u64,
    /// CPU limit per container (`agent.cpus`).
    #[cfg_attr(feature = "openapi", schema(minimum = 0.01, maximum = 1024))]
    pub cpus: f64,
    /// Process and thread limit per container (`agent.pids_limit`).
    #[cfg_attr(feature = "openapi", schema(minimum = 16, maximum = 1000000))]
    pub pids_limit: u64,
}

/// Changes to [`AgentRuntimeSettings`]; absent fields are kept. Numbers are taken as given and
/// checked by the same rules as `mosaicctl config set` (a negative or out-of-range value is
/// refused with the range; error messages name the `agent.*` key).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentRuntimePatch {
    /// `agent.image`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub image: Option<String>,
    /// `agent.entrypoint`: `script` runs Mosaic's entrypoint script first; `image` runs the image's own entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Entrypoint>))]
    pub entrypoint: Option<String>,
    /// `agent.idle_timeout_min`: default idle timeout of user containers; 0 stops them at the next reaper pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10080))]
    pub idle_timeout_min: Option<i64>,
    /// `agent.start_timeout_sec`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3600))]
    pub start_timeout_sec: Option<i64>,
    /// `agent.stop_timeout_sec`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 300))]
    pub stop_timeout_sec: Option<i64>,
    /// `agent.memory_mb`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 64, maximum = 1048576))]
    pub memory_mb: Option<i64>,
    /// `agent.cpus`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.01, maximum = 1024))]
    pub cpus: Option<f64>,
    /// `agent.pids_limit`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 16, maximum = 1000000))]
    pub pids_limit: Option<i64>,
}

/// Who becomes an administrator when they log in with OpenID Connect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcProvisioning {
    /// Verified email addresses made administrators (lower-cased).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::admin_emails))]
    pub admin_emails: Vec<String>,
    /// An ID token claim that makes its holder an administrator (e.g. `groups`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub admin_claim: Option<String>,
    /// The value `adminClaim` must equal or, for a list, contain (e.g. `mosaic-admins`); absent,
    /// the claim must be `true`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub admin_claim_value: Option<String>,
}

/// One system setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub hint: Option<String>,
    /// Set by mosaicd's flags or environment; `config set` cannot change it.
    pub read_only: bool,
    pub description: String,
}

/// A new value for one setting, as text (`true`, `30`, `https://a.example,https://b.example`).
/// The value travels as [`Sensitive`], since some settings are secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigChange {
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, write_only))]
    pub value: Sensitive,
}
