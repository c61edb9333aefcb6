//! Authentication: passwords, the opaque credentials (sessions, API tokens, invites) and the
//! principal a request acts as. The rules that use them (login, expiry, revocation) are service
//! methods in `service/auth.rs`.

pub mod cache;
pub mod password;
pub mod throttle;
pub mod tokens;

use mosaic_shared::types::{AuthSource, Role};

use crate::store::audit::Actor;
use crate::store::providers::Owner;

/// The logged-in user a request acts as, and how it proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub auth_source: AuthSource,
    pub via: Via,
}

#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session cookie. State-changing requests must carry `csrf`.
    Session { id: String, csrf: String, expires_at: i64 },
    /// A personal API token (`Authorization: Bearer`); not subject to CSRF, since a browser never
    /// attaches it on its own.
    Token { id: String },
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.user_id.clone(),
        }
    }

    /// The scope of every user-facing query this principal makes.
    pub fn owner(&self) -> Owner {
        Owner::User(self.user_id.clone())
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
