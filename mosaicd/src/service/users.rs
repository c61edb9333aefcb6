//! Users administration: the list with pagination, invites, name and role changes,
//! deactivation and reactivation.

use mosaic_shared::Sensitive;
use mosaic_shared::policy;
use mosaic_shared::types::{AdminUser, AuthSource, Invitation, InviteRequest, Page, Role, UserPatch, UserStatus};
use serde_json::json;

use crate::auth::cache::CredentialCache;
use crate::auth::tokens::{self, INVITE_PREFIX};
use crate::clock::Clock;
use crate::config::Config;
use crate::containers::ContainerManager;
use crate::error::{Error, Result};
use crate::service::settings::Settings;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::{Tx, api_tokens, audit, breakglass, invites, rfc3339, sessions, users};
use mosaic_shared::ErrorCode;
use std::sync::Arc;

use crate::store::paging::PageRequest;
pub use crate::store::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

fn to_dto(row: &users::AdminRow) -> AdminUser {
    let status = if row.deactivated_at.is_some() {
        UserStatus::Deactivated
    } else if row.auth_source == AuthSource::Local && row.has_password == 0 {
        UserStatus::Invited
    } else {
        UserStatus::Active
    };
    AdminUser {
        id: row.id.clone(),
        name: row.name.clone(),
        email: row.email.clone(),
        role: row.role,
        auth_source: row.auth_source,
        is_local_auth: row.auth_source.is_local(),
        status,
        invited_at: row.invited_at.map(rfc3339),
        invited_by: row.invited_by.clone(),
        deactivated_at: row.deactivated_at.map(rfc3339),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

fn not_found() -> Error {
    Error::not_found("user not found")
}

/// What ending a user's access removed, for the log.
#[derive(Debug, Clone, Copy)]
pub struct AccessEnded {
    pub sessions: u64,
    pub tokens: u64,
}

/// Users: the admin's list, invites, role and name changes, deactivation.
pub struct Users {
    db: Db,
    config: Arc<Config>,
    /// Invite expiry and token revocation times read it.
    clock: Clock,
    settings: Arc<Settings>,
    containers: ContainerManager,
    /// Who sessions and API tokens are; every change here that can take access away empties it.
    credentials: CredentialCache,
}

impl Users {
    pub fn new(
        db: Db,
        config: Arc<Config>,
        clock: Clock,
        settings: Arc<Settings>,
        containers: ContainerManager,
    ) -> Users {
        Users {
            db,
            config,
            clock,
            settings,
            containers,
            credentials: CredentialCache::default(),
        }
    }

    /// The credentials cache the auth service reads and every access-changing write empties.
    pub fn credentials(&self) -> &CredentialCache {
        &self.credentials
    }
}

impl Users {
    /// One page of users; the deactivated ones too with `include_deactivated`. `page` counts
    /// from 1 and `limit` from 1; a limit above [`MAX_PAGE_SIZE`] is capped. A page past the end
    /// is answered with no data and the same meta, so a client can step back to `totalPages`.
    pub async fn list_users(&self, page: i64, limit: i64, include_deactivated: bool) -> Result<Page<AdminUser>> {
        let request = PageRequest::new(Some(page), Some(limit))?;
        let total = users::count_listed(&mut self.db.ex(), include_deactivated).await?;
        let rows = request
            .fetch(total, |limit, offset| async move {
                users::page(&mut self.db.ex(), include_deactivated, limit, offset).await
            })
            .await?;
        Ok(Page {
            data: rows.data.iter().map(to_dto).collect(),
            meta: rows.meta,
        })
    }

    /// Names a user the way an admin types one: a user id, an email or a breakglass username.
    /// Returns the user id.
    pub async fn resolve_user(&self, reference: &str) -> Result<String> {
        let reference = reference.trim();
        let mut ex = self.db.ex();
        if users::get(&mut ex, reference).await?.is_some() {
            return Ok(reference.to_string());
        }
        let found = if reference.contains('@') {
            users::by_email(&mut ex, reference).await?.map(|u| u.id)
        } else {
            breakglass::by_username(&mut ex, reference).await?.map(|b| b.user_id)
        };
        found.ok_or_else(|| {
            Error::not_found(format!(
                "no user {reference:?} (give a user id, an email or a breakglass username)"
            ))
        })
    }

    pub async fn get_user(&self, id: &str) -> Result<AdminUser> {
        let row = users::admin_get(&mut self.db.ex(), id).await?.ok_or_else(not_found)?;
        Ok(to_dto(&row))
    }

    /// Invites a local user by email: creates the account (without a password) and a one-time
    /// link to set one. Inviting a pending invitee again replaces their link.
    pub async fn invite_user(&self, actor: &Actor, request: InviteRequest) -> Result<Invitation> {
        let email = request.email.trim().to_lowercase();
        policy::check_email(&email).map_err(Error::invalid)?;
        let name = match request.name.as_deref().map(str::trim) {
            Some(n) => n.to_string(),
            None => email.split('@').next().unwrap_or("").to_string(),
        };
        policy::check_display_name("name", &name).map_err(Error::invalid)?;
        let role = request.role.unwrap_or(Role::Member);
        let invited_by = match actor {
            Actor::User { id } => Some(id.as_str()),
            _ => None,
        };
        let exists = || Error::conflict(format!("a user with email {email} already exists"));
        let token = tokens::generate(INVITE_PREFIX);
        let now = self.clock.now_ms();
        let expires_at = now.saturating_add(crate::store::ms(self.config.http.invite_ttl));

        let mut tx = self.db.begin().await?;
        let (user_id, action) = match users::by_email(&mut tx.ex(), &email).await? {
            Some(u) if u.deactivated_at.is_some() => {
                return Err(Error::conflict(format!(
                    "{email} belongs to a deactivated user: reactivate them instead"
                )));
            }
            Some(u) if u.auth_source != AuthSource::Local || u.has_password != 0 => return Err(exists()),
            Some(u) => {
                invites::delete_unused(&mut tx.ex(), &u.id).await?;
                users::set_name_role(&mut tx.ex(), &u.id, &name, role).await?;
                (u.id, "user.reinvite")
            }
            None => {
                let id = users::insert(
                    &mut tx.ex(),
                    users::NewUser {
                        email: Some(&email),
                        name: &name,
                        role,
                        auth_source: AuthSource::Local,
                        invited_by,
                    },
                )
                .await
                .map_err(|e| if e.code() == ErrorCode::Conflict { exists() } else { e })?;
                (id, "user.invite")
            }
        };
        invites::insert(
            &mut tx.ex(),
            &user_id,
            &tokens::hash(&token),
            invited_by,
            now,
            expires_at,
        )
        .await?;
        audit::record(
            &mut tx.ex(),
            actor,
            action,
            Some(&user_id),
            json!({ "role": role.as_str(), "expiresAt": rfc3339(expires_at) }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user = %user_id, %actor, "user invited");

        let user = self.get_user(&user_id).await?;
        let base = self
            .settings
            .allowed_origins()
            .await
            .first()
            .cloned()
            .unwrap_or_default();
        Ok(Invitation {
            user_id,
            email,
            role,
            invited_at: user.invited_at.unwrap_or_else(|| rfc3339(now)),
            expires_at: rfc3339(expires_at),
            invite_url: Sensitive::new(format!("{base}/accept-invite#token={token}")),
            invite_token: Sensitive::new(token),
        })
    }

    /// Changes a user's name and/or role. Nobody changes their own role (an admin cannot lock
    /// themselves out), and breakglass accounts stay administrators.
    pub async fn update_user(&self, actor: &Actor, id: &str, patch: UserPatch) -> Result<AdminUser> {
        let mut tx = self.db.begin().await?;
        let current = users::admin_get(&mut tx.ex(), id).await?.ok_or_else(not_found)?;
        let current_dto = to_dto(&current);
        let name = match patch.name.as_deref().map(str::trim) {
            Some(n) => {
                policy::check_display_name("name", n).map_err(Error::invalid)?;
                n.to_string()
            }
            None => current.name.clone(),
        };
        let role = patch.role.unwrap_or(current_dto.role);
        if role != current_dto.role {
            if *actor == (Actor::User { id: id.to_string() }) {
                return Err(Error::conflict("you cannot change your own role"));
            }
            if current.auth_source == AuthSource::Breakglass {
                return Err(Error::conflict("breakglass accounts are always administrators"));
            }
        }
        users::set_name_role(&mut tx.ex(), id, &name, role).await?;
        audit::record(
            &mut tx.ex(),
            actor,
            "user.update",
            Some(id),
            json!({ "nameChanged": name != current.name, "role": role.as_str() }),
        )
        .await?;
        // A cached principal carries the old name and role.
        self.credentials.commit(tx).await?;
        self.get_user(id).await
    }

    /// Deactivates a user: they can no longer log in, and their sessions, API tokens and open
    /// invites end. Nobody deactivates themselves. Deactivating an inactive user changes nothing.
    pub async fn deactivate_user(&self, actor: &Actor, id: &str) -> Result<AdminUser> {
        if *actor == (Actor::User { id: id.to_string() }) {
            return Err(Error::conflict("you cannot deactivate your own account"));
        }
        let mut tx = self.db.begin().await?;
        users::admin_get(&mut tx.ex(), id).await?.ok_or_else(not_found)?;
        if users::set_deactivated(&mut tx.ex(), id, true).await? {
            invites::delete_unused(&mut tx.ex(), id).await?;
            audit::record(&mut tx.ex(), actor, "user.deactivate", Some(id), json!({})).await?;
            let ended = self.on_user_deactivated(tx, id).await?;
            tracing::info!(user = %id, %actor, sessions = ended.sessions, tokens = ended.tokens, "user deactivated");
        }
        self.get_user(id).await
    }

    /// The one place a deactivation takes effect: ends the user's sessions and API tokens in the
    /// deactivating transaction and commits it, then stops the user's container (reason
    /// `deactivated`). If Docker is away the reaper stops it later: it stops the containers of
    /// deactivated users on every pass.
    pub async fn on_user_deactivated(&self, mut tx: Tx, user_id: &str) -> Result<AccessEnded> {
        let ended = AccessEnded {
            sessions: sessions::delete_for_user(&mut tx.ex(), user_id).await?,
            tokens: api_tokens::revoke_all(&mut tx.ex(), user_id, self.clock.now_ms()).await?,
        };
        self.credentials.commit(tx).await?;
        let target = crate::containers::AgentRef::User(user_id.to_string());
        match self
            .containers
            .stop(target, crate::containers::StopReason::Deactivated)
            .await
        {
            Ok(()) => {}
            Err(e) if e.code() == ErrorCode::NotFound => {}
            Err(e) => {
                tracing::warn!(user = %user_id, error = %e.full(), "cannot stop the deactivated user's container yet")
            }
        }
        Ok(ended)
    }

    /// Lets a deactivated user log in again. Their old sessions and tokens stay ended; an invitee
    /// who never accepted needs a new invite.
    pub async fn reactivate_user(&self, actor: &Actor, id: &str) -> Result<AdminUser> {
        let mut tx = self.db.begin().await?;
        users::admin_get(&mut tx.ex(), id).await?.ok_or_else(not_found)?;
        if users::set_deactivated(&mut tx.ex(), id, false).await? {
            audit::record(&mut tx.ex(), actor, "user.reactivate", Some(id), json!({})).await?;
        }
        tx.commit().await?;
        self.get_user(id).await
    }
}
