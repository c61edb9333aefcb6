//! Logins, sessions and personal API tokens.

use serde::{Deserialize, Serialize};

use super::Role;
use crate::Sensitive;

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
