//! Agents: a user's agent config, the containers as administrators see them, system agents and
//! image checks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    /// `provider/model`, as OpenClaw's `agents.defaults.model.primary`.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub primary_model: Option<String>,
    pub fallback_models: Vec<String>,
    /// The agent's SOUL.md.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub personality: Option<String>,
    /// The default provider, one of the user's own.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub provider_id: Option<String>,
    /// `None` until the first save.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub updated_at: Option<String>,
}

/// The whole agent configuration; absent fields are cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentConfigInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::model_ref_or_none))]
    pub primary_model: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::fallback_models))]
    pub fallback_models: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 65536))]
    pub personality: Option<String>,
    /// One of the caller's own providers; another user's answers 404.
    #[serde(default)]
    pub provider_id: Option<String>,
}

crate::words! {
    /// Whose agent a container runs.
    pub enum ContainerKind("container kind") {
        /// A person's own agent.
        User = "user",
        /// An always-on system agent an admin provisioned.
        System = "system",
    }
}

crate::words! {
    /// What mosaicd last recorded of an agent container.
    pub enum ContainerState("container state") {
        Running = "running",
        Stopped = "stopped",
        /// Being created or started; its agent is not ready yet.
        Starting = "starting",
        /// The last start failed (the detail says why).
        Error = "error",
    }
}

impl ContainerState {
    /// Running, or on its way there: what the reaper, reconciliation and the proxy treat as up.
    pub fn is_up(self) -> bool {
        matches!(self, ContainerState::Running | ContainerState::Starting)
    }
}

/// One agent container as `containers ls` and the admin containers page show it: never a token, a
/// key or chat content. Times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub kind: ContainerKind,
    /// The user id, or the system agent's name.
    pub owner: String,
    /// For people: the user's email (or name), or `system/<name>`.
    pub owner_label: String,
    /// The Docker container name (`mosaic-user-<id>`, `mosaic-system-<name>`).
    pub name: String,
    pub state: ContainerState,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub image: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub started_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub uptime_seconds: Option<u64>,
    /// User containers: the last request or stream through mosaicd.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_activity_at: Option<String>,
    /// Seconds since the last activity.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub idle_seconds: Option<u64>,
    /// User containers only: system containers are always on.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub idle_timeout_min: Option<u64>,
    /// Requests and streams in flight through mosaicd right now; such a container is never reaped.
    pub active_requests: u64,
    /// Why the container last stopped: `idle`, `config_change`, `admin`, `deactivated`, `crash`,
    /// `start_failed`, `interrupted`, `removed`.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub stop_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub stopped_at: Option<String>,
    /// The last error (e.g. why a start failed), or what is happening now.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub detail: Option<String>,
    /// Incremented at every start.
    pub generation: u64,
}

/// `containers start`: the status, and whether this call started the container (`false`: it was
/// already running).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StartResult {
    pub started: bool,
    #[serde(flatten)]
    pub status: ContainerStatus,
}

/// `containers inspect`: the status plus what Docker says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContainerDetail {
    #[serde(flatten)]
    pub status: ContainerStatus,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub container_id: Option<String>,
    pub volume: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub network: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub ip_address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub config_hash: Option<String>,
    /// Docker's own state word (`running`, `exited`, …), or why it could not be read.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub docker_state: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub exit_code: Option<i64>,
}

/// What one reaper pass stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReapReport {
    /// Running user containers looked at.
    pub checked: u64,
    pub stopped: Vec<ReapedContainer>,
    /// Idle containers left running because a request or stream is in flight.
    pub kept_busy: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SystemAgentSpec {
    /// Lower-case letters, digits and dashes; the container is `mosaic-system-<name>`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"))]
    pub name: String,
    /// What it is for, e.g. `operations`, `monitor`, `scheduler`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub role: String,
    /// `provider/model`, or a model of `provider` (of the default admin-level provider when none
    /// is given).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub primary_model: String,
    /// Name of the admin-level provider used for bare model names.
    pub provider: Option<String>,
    /// SOUL.md content.
    #[cfg_attr(feature = "openapi", schema(max_length = 262144))]
    pub personality: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemAgent {
    pub name: String,
    pub role: String,
    pub primary_model: String,
    /// Name of the admin-level provider for bare model names.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub provider: Option<String>,
    /// Whether a SOUL.md is set; its text is not shown.
    pub has_personality: bool,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    pub container: ContainerStatus,
}

/// One step of an agent image check (`mosaicctl containers doctor`, and the checks run when an
/// admin sets `agent.image`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    pub image: String,
    /// Every step passed.
    pub ok: bool,
    pub steps: Vec<DoctorStep>,
}

/// What an agent would receive at its next start, keys masked (`mosaicctl agent-config render`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RenderedAgentConfig {
    /// `user/<id>` or `system/<name>`.
    pub agent: String,
    /// `openclaw.json`, with every provider API key replaced by its masked hint.
    pub openclaw_json: serde_json::Value,
    /// `SOUL.md`, if the agent has a personality.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub soul: Option<String>,
}
