//! Logins, sessions and personal API tokens.

use serde::{Deserialize, Serialize};

use super::{AuthSource, Role};
use crate::Sensitive;

/// The logged-in user, as `/api/auth/session` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CurrentUser {
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub email: Option<String>,
    pub role: Role,
    pub auth_source: AuthSource,
}

/// A personal API token as its owner's list shows it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The first characters of the token, to tell tokens apart (`mosaic_AbCd`).
    pub prefix: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_used_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiToken {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// 1 to 3650; absent means the token does not expire.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub expires_in_days: Option<u32>,
}

/// A token just created: the only time the token itself is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub info: ApiToken,
    /// Shown this once; use as `Authorization: Bearer <token>`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub token: Sensitive,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// A breakglass username, or the email of an invited user.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Password, min_length = 1, write_only))]
    pub password: Sensitive,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptInviteRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, write_only))]
    pub token: Sensitive,
    /// At least 12 characters of at least two kinds, not containing the email's local part.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Password, min_length = 12, write_only))]
    pub password: Sensitive,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: Option<String>,
}

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// The session cookie of a browser login.
    Session,
    /// A personal API token (`Authorization: Bearer`).
    Token,
}

/// Who is logged in, and what a browser needs to make state-changing requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub user: CurrentUser,
    pub auth_method: AuthMethod,
    /// Send it back in `X-CSRF-Token` on every state-changing request made with the cookie.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub csrf_token: Option<String>,
    /// When the session ends at the latest (it ends earlier after `idleTimeoutSeconds` unused).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expires_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub idle_timeout_seconds: Option<u64>,
}

/// Whether OIDC login is offered, for the WebUI's login page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OidcAvailability {
    pub enabled: bool,
    pub login_url: String,
}
