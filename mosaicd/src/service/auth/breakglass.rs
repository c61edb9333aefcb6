//! Breakglass admins: local accounts that always work, even when OIDC is misconfigured.

use mosaic_shared::policy;
use mosaic_shared::types::{AuthSource, Breakglass, Role};
use serde_json::json;

use crate::error::{Error, Result};
use crate::service::auth::Auth;
use crate::store::audit::Actor;
use crate::store::{audit, breakglass, rfc3339, sessions, users};
use mosaic_shared::ErrorCode;

fn to_dto(row: &breakglass::BreakglassRow) -> Breakglass {
    Breakglass {
        username: row.username.clone(),
        active: row.is_active,
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

impl Auth {
    pub async fn create_breakglass(&self, actor: &Actor, username: &str, password: &str) -> Result<Breakglass> {
        policy::check_username(username).map_err(Error::invalid)?;
        policy::check_password(username, password).map_err(Error::invalid)?;
        let exists = || {
            Error::conflict(format!(
                "breakglass user '{username}' already exists; use `mosaicctl admin reset-breakglass` to set a new password"
            ))
        };
        if breakglass::by_username(&mut self.db.ex(), username).await?.is_some() {
            return Err(exists());
        }
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.db.begin().await?;
        let user_id = users::insert(
            &mut tx.ex(),
            users::NewUser {
                email: None,
                name: username,
                role: Role::Admin,
                auth_source: AuthSource::Breakglass,
                invited_by: None,
            },
        )
        .await?;
        let row = match breakglass::insert(&mut tx.ex(), &user_id, username, &hash).await {
            Err(e) if e.code() == ErrorCode::Conflict => return Err(exists()),
            other => other?,
        };
        audit::record(&mut tx.ex(), actor, "breakglass.create", Some(username), json!({})).await?;
        tx.commit().await?;
        tracing::info!(username, %actor, "breakglass admin created");
        Ok(to_dto(&row))
    }

    /// Sets a new password, reactivates the account (also when deactivated as a user) and ends its
    /// sessions.
    pub async fn reset_breakglass(&self, actor: &Actor, username: &str, password: &str) -> Result<Breakglass> {
        policy::check_password(username, password).map_err(Error::invalid)?;
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.db.begin().await?;
        let row = breakglass::set_password(&mut tx.ex(), username, &hash)
            .await?
            .ok_or_else(|| Error::not_found(format!("no breakglass user named '{username}'")))?;
        sessions::delete_for_user(&mut tx.ex(), &row.user_id).await?;
        // Host-local recovery: a breakglass admin deactivated over the HTTP API gets back in.
        users::set_deactivated(&mut tx.ex(), &row.user_id, false).await?;
        audit::record(&mut tx.ex(), actor, "breakglass.reset", Some(username), json!({})).await?;
        self.credentials().commit(tx).await?;
        tracing::info!(username, %actor, "breakglass password reset");
        Ok(to_dto(&row))
    }

    pub async fn list_breakglass(&self) -> Result<Vec<Breakglass>> {
        Ok(breakglass::list(&mut self.db.ex()).await?.iter().map(to_dto).collect())
    }
}
