//! Users as administrators see them, invites and pages of lists. Request types reject unknown
//! fields: a body cannot smuggle an owner, a role or an id.

use serde::{Deserialize, Serialize};

use crate::Sensitive;

crate::words! {
    pub enum Role("role") {
        Admin = "admin",
        Member = "member",
    }
}

crate::words! {
    /// Where an account's identity comes from.
    pub enum AuthSource("auth source") {
        /// A breakglass admin: username and password held by mosaicd, created at onboarding or by
        /// `mosaicctl`.
        Breakglass = "breakglass",
        /// An invited user with a password held by mosaicd.
        Local = "local",
        /// A user provisioned by an OpenID Connect login.
        Oidc = "oidc",
    }
}

impl AuthSource {
    /// Whether the account logs in with a password held by mosaicd.
    pub fn is_local(self) -> bool {
        matches!(self, AuthSource::Breakglass | AuthSource::Local)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdminUser {
    pub id: String,
    pub name: String,
    /// `None` for breakglass accounts, which log in by username.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub email: Option<String>,
    pub role: Role,
    pub auth_source: AuthSource,
    /// Whether the account logs in with a password held by mosaicd (breakglass or local).
    pub is_local_auth: bool,
    pub status: UserStatus,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub invited_at: Option<String>,
    /// Id of the user who sent the invite.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub invited_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub deactivated_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    pub total: u64,
    /// The page that was asked for, even past the end (then `data` is empty).
    pub page: u64,
    /// The page size used, after capping (at most 100).
    pub limit: u64,
    /// `ceil(total / limit)`; 0 when there is nothing.
    pub total_pages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteRequest {
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// Defaults to the part of the email before `@`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// Defaults to `member`.
    #[serde(default)]
    pub role: Option<Role>,
}

/// The answer to an invite. The token (and the link that carries it) is shown this once; only
/// its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub invited_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: String,
    /// Shown this once; the invitee sends it to `/api/auth/invite/accept`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub invite_token: Sensitive,
    /// The WebUI's accept page with the token in the fragment (never sent to a server by a
    /// browser): `<first WebUI origin>/accept-invite#token=…`, or a relative link when no WebUI
    /// origin is configured.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub invite_url: Sensitive,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
}
