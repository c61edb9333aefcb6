//! The daemon's status, the breakglass admins and key rotation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DatabaseInfo {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Where the data lives, without any password.
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub users: u64,
    pub providers: u64,
    pub running_containers: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Breakglass {
    pub username: String,
    pub active: bool,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RotationReport {
    /// Key id of the key everything is now encrypted under.
    pub new_key_id: String,
    /// Key ids that no longer protect anything.
    pub retired_key_ids: Vec<String>,
    /// How many stored values were re-encrypted.
    pub reencrypted: u64,
    /// Where the new key was stored, when the daemon keeps it in a file.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub key_file: Option<String>,
}

/// `GET /healthz`: the daemon runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub ok: bool,
    /// `live`.
    pub status: String,
}

/// `GET /readyz`: ready when every dependency answers; each check reports on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub ok: bool,
    /// By dependency: `database`, `docker`.
    pub checks: BTreeMap<String, ReadinessCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadinessCheck {
    pub ok: bool,
    /// Why the dependency does not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub error: Option<String>,
}
