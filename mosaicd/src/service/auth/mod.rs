//! Login, sessions, personal API tokens and invite acceptance.
//!
//! Password checks go through the argon2 semaphore (`app.hasher`). An unknown or deactivated
//! account is checked against a dummy hash, so it costs the same time as a wrong password, and
//! every failure has the same message: the API does not tell which accounts exist.
//!
//! Every password check and invite acceptance first reserves an attempt with the throttle
//! (`auth::throttle`): too many failures answer 429 before any password is checked, for unknown
//! accounts just as for real ones.

mod breakglass;

use mosaic_shared::Sensitive;
use mosaic_shared::policy;
use mosaic_shared::types::{AdminUser, ApiToken, AuthSource, CreatedApiToken, CurrentUser};
use serde_json::json;
use tokio::sync::OnceCell;

use crate::auth::cache::{CredentialCache, Limits};
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::{Client, Guess, Throttle};
use crate::auth::tokens::{self, API_TOKEN_PREFIX, INVITE_PREFIX, SESSION_PREFIX};
use crate::auth::{Principal, Via};
use crate::clock::Clock;
use crate::config::Config;
use crate::containers::ContainerManager;
use crate::error::{Error, Result};
use crate::service::users::Users;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::{api_tokens, audit, invites, rfc3339, sessions, users};
use std::sync::Arc;

pub const LOGIN_FAILED: &str = "invalid username or password";
const SESSION_INVALID: &str = "not logged in, or the session has expired: log in again";
const TOKEN_INVALID: &str = "invalid, expired or revoked API token";
/// A user may hold this many live API tokens.
pub const MAX_API_TOKENS: usize = 100;
/// `last_used_at` of an API token is written at most this often (milliseconds).
const TOKEN_TOUCH_INTERVAL_MS: i64 = 60_000;

/// A session just started. `token` goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct NewSession {
    pub token: Sensitive,
    pub principal: Principal,
}

fn principal(user: &users::UserRow, via: Via) -> Principal {
    Principal {
        user_id: user.id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role,
        auth_source: user.auth_source,
        via,
    }
}

pub fn current_user(p: &Principal) -> CurrentUser {
    CurrentUser {
        id: p.user_id.clone(),
        name: p.name.clone(),
        email: p.email.clone(),
        role: p.role,
        auth_source: p.auth_source,
    }
}

fn token_dto(row: &api_tokens::TokenRow) -> ApiToken {
    ApiToken {
        id: row.id.clone(),
        name: row.name.clone(),
        prefix: row.token_prefix.clone(),
        created_at: rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(rfc3339),
        expires_at: row.expires_at.map(rfc3339),
    }
}

/// A hash of a random password, verified when the account does not exist so that the answer
/// takes as long as for a real account.
static DUMMY_HASH: OnceCell<String> = OnceCell::const_new();

/// Who is asking: password logins and sessions, personal API tokens, invite acceptance, and the
/// breakglass admins.
pub struct Auth {
    db: Db,
    config: Arc<Config>,
    /// Session, token and invite expiry read it.
    clock: Clock,
    hasher: Arc<PasswordHasher>,
    users: Arc<Users>,
    throttle: Throttle,
    /// Warms the user's agent at each login.
    containers: ContainerManager,
}

impl Auth {
    pub fn new(
        db: Db,
        config: Arc<Config>,
        clock: Clock,
        hasher: Arc<PasswordHasher>,
        users: Arc<Users>,
        containers: ContainerManager,
    ) -> Auth {
        let throttle = Throttle::new(&config.http.auth_throttle);
        Auth {
            db,
            config,
            clock,
            hasher,
            users,
            throttle,
            containers,
        }
    }

    /// The clock sessions, tokens and invites expire by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The password hasher (bounded concurrency), shared with whoever checks passwords.
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// Who sessions and API tokens are, kept so that requests do not read the database for it.
    pub fn credentials(&self) -> &CredentialCache {
        self.users.credentials()
    }

    /// The throttle of failed guesses (passwords, invite and setup tokens), per client address.
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }
}

impl Auth {
    /// Checks a breakglass username, or an invited local user's email, and the password; on
    /// success starts a browser session. `client` is who asks (for the throttle).
    pub async fn login(&self, username: &str, password: &str, client: Client) -> Result<NewSession> {
        let failed = || Error::unauthenticated(LOGIN_FAILED);
        // Overlong input is refused before hashing; its length says nothing about any account.
        if password.len() > policy::MAX_PASSWORD_BYTES || username.len() > 320 || username.is_empty() {
            return Err(failed());
        }
        let attempt = self.throttle.attempt(Guess::password(username), client)?;
        let account = if username.contains('@') {
            users::local_login(&mut self.db.ex(), username).await?
        } else {
            match crate::store::breakglass::by_username(&mut self.db.ex(), username).await? {
                Some(bg) if bg.is_active => users::get(&mut self.db.ex(), &bg.user_id)
                    .await?
                    .filter(|u| u.deactivated_at.is_none())
                    .map(|u| (u, bg.password_hash)),
                _ => None,
            }
        };
        let Some((user, hash)) = account else {
            let dummy = DUMMY_HASH
                .get_or_try_init(|| async {
                    let random = tokens::generate("dummy-");
                    self.hasher.hash(&random).await
                })
                .await?;
            let _ = self.hasher.verify(password, dummy).await?;
            attempt.failed();
            tracing::info!("login failed: unknown or inactive account");
            return Err(failed());
        };
        if !self.hasher.verify(password, &hash).await? {
            attempt.failed();
            audit::record(
                &mut self.db.ex(),
                &Actor::User { id: user.id.clone() },
                "auth.login_failed",
                Some(&user.id),
                json!({}),
            )
            .await?;
            tracing::info!(user = %user.id, "login failed: wrong password");
            return Err(failed());
        }
        attempt.succeeded();
        self.start_session(&user).await
    }

    pub(crate) async fn start_session(&self, user: &users::UserRow) -> Result<NewSession> {
        let token = tokens::generate(SESSION_PREFIX);
        let now = self.clock.now_ms();
        let http = &self.config.http;
        let expires_at = now.saturating_add(crate::store::ms(http.session_ttl));
        let mut tx = self.db.begin().await?;
        sessions::delete_stale(&mut tx.ex(), now, now - crate::store::ms(http.session_idle_timeout)).await?;
        let row = sessions::insert(&mut tx.ex(), &user.id, &tokens::hash(&token), now, expires_at).await?;
        audit::record(
            &mut tx.ex(),
            &Actor::User { id: user.id.clone() },
            "auth.login",
            Some(&user.id),
            json!({ "session": row.id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user = %user.id, session = %row.id, "login");
        // The user is likely to chat soon: their agent starts now, in the background.
        self.containers.warm(&user.id);
        let via = Via::Session {
            id: row.id,
            csrf: tokens::csrf_token(&token),
            expires_at,
        };
        Ok(NewSession {
            principal: principal(user, via),
            token: Sensitive::new(token),
        })
    }

    /// The principal of a session cookie. An expired or idle session is removed and refused.
    pub async fn authenticate_session(&self, token: &str) -> Result<Principal> {
        let refused = || Error::unauthenticated(SESSION_INVALID);
        if !token.starts_with(SESSION_PREFIX) {
            return Err(refused());
        }
        let hash = tokens::hash(token);
        let now = self.clock.now_ms();
        if let Some(principal) = self.credentials().get(&hash, now) {
            return Ok(principal);
        }
        let epoch = self.credentials().epoch();
        let Some(row) = sessions::by_token_hash(&mut self.db.ex(), &hash).await? else {
            return Err(refused());
        };
        let idle = crate::store::ms(self.config.http.session_idle_timeout);
        if row.session_expires_at <= now || row.session_last_seen_at.saturating_add(idle) <= now {
            sessions::delete(&mut self.db.ex(), &row.session_id).await?;
            return Err(refused());
        }
        // Keep the idle clock running without a write per request.
        let touch_every = (idle / 4).min(60_000);
        let mut last_seen = row.session_last_seen_at;
        if now - last_seen >= touch_every {
            sessions::touch(&mut self.db.ex(), &row.session_id, now).await?;
            last_seen = now;
        }
        let via = Via::Session {
            id: row.session_id,
            csrf: tokens::csrf_token(token),
            expires_at: row.session_expires_at,
        };
        let principal = principal(&row.user, via);
        let limits = Limits {
            expires_at: Some(row.session_expires_at),
            fresh_until: last_seen.saturating_add(touch_every),
        };
        self.credentials().put(hash, principal.clone(), epoch, now, limits);
        Ok(principal)
    }

    /// The principal of a personal API token (`Authorization: Bearer`).
    pub async fn authenticate_token(&self, token: &str) -> Result<Principal> {
        let refused = || Error::unauthenticated(TOKEN_INVALID);
        if !token.starts_with(API_TOKEN_PREFIX) {
            return Err(refused());
        }
        let hash = tokens::hash(token);
        let now = self.clock.now_ms();
        if let Some(principal) = self.credentials().get(&hash, now) {
            return Ok(principal);
        }
        let epoch = self.credentials().epoch();
        let Some(row) = api_tokens::by_token_hash(&mut self.db.ex(), &hash).await? else {
            return Err(refused());
        };
        if row.token_expires_at.is_some_and(|at| at <= now) {
            return Err(refused());
        }
        let last_used = match row.token_last_used_at {
            Some(at) if now - at < TOKEN_TOUCH_INTERVAL_MS => at,
            _ => {
                api_tokens::touch(&mut self.db.ex(), &row.token_id, now).await?;
                now
            }
        };
        let principal = principal(&row.user, Via::Token { id: row.token_id });
        let limits = Limits {
            expires_at: row.token_expires_at,
            fresh_until: last_used.saturating_add(TOKEN_TOUCH_INTERVAL_MS),
        };
        self.credentials().put(hash, principal.clone(), epoch, now, limits);
        Ok(principal)
    }

    /// Ends one session (logout).
    pub async fn end_session(&self, principal: &Principal) -> Result<()> {
        let Via::Session { id, .. } = &principal.via else {
            return Err(Error::invalid(
                "logout ends a browser session; an API token is revoked with DELETE /api/tokens/{id}",
            ));
        };
        let mut tx = self.db.begin().await?;
        sessions::delete(&mut tx.ex(), id).await?;
        audit::record(
            &mut tx.ex(),
            &principal.actor(),
            "auth.logout",
            Some(&principal.user_id),
            json!({ "session": id }),
        )
        .await?;
        self.credentials().commit(tx).await?;
        Ok(())
    }

    /// Forgets the session a cookie names, if any (a new login replaces the old session).
    pub async fn end_session_by_token(&self, token: &str) -> Result<()> {
        if sessions::delete_by_token_hash(&mut self.db.ex(), &tokens::hash(token)).await? {
            let notice = self.credentials().announce(&mut self.db.ex()).await?;
            self.credentials().invalidate_everywhere(notice).await;
        }
        Ok(())
    }

    pub async fn list_api_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        Ok(api_tokens::list(&mut self.db.ex(), user_id)
            .await?
            .iter()
            .map(token_dto)
            .collect())
    }

    /// Creates a personal API token for `user_id`; the token is in the answer and nowhere else.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: &str,
        name: &str,
        expires_in_days: Option<u32>,
    ) -> Result<CreatedApiToken> {
        policy::check_display_name("token name", name).map_err(Error::invalid)?;
        if expires_in_days.is_some_and(|days| !(1..=3650).contains(&days)) {
            return Err(Error::invalid("expiresInDays must be between 1 and 3650"));
        }
        let token = tokens::generate(API_TOKEN_PREFIX);
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        if api_tokens::list(&mut tx.ex(), user_id).await?.len() >= MAX_API_TOKENS {
            return Err(Error::conflict(format!(
                "you already have {MAX_API_TOKENS} API tokens: revoke one first"
            )));
        }
        let row = api_tokens::insert(
            &mut tx.ex(),
            api_tokens::NewToken {
                user_id,
                name: name.trim(),
                token_hash: &tokens::hash(&token),
                token_prefix: &token[..tokens::SHOWN_PREFIX_CHARS],
                now,
                expires_at: expires_in_days.map(|d| now + i64::from(d) * 86_400_000),
            },
        )
        .await?;
        audit::record(
            &mut tx.ex(),
            actor,
            "token.create",
            Some(&row.id),
            json!({ "user": user_id, "name": row.name }),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedApiToken {
            info: token_dto(&row),
            token: Sensitive::new(token),
        })
    }

    /// Revokes one of `user_id`'s tokens. Another user's token is "not found".
    pub async fn revoke_api_token(&self, actor: &Actor, user_id: &str, id: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        if !api_tokens::revoke(&mut tx.ex(), user_id, id, self.clock.now_ms()).await? {
            return Err(Error::not_found("API token not found"));
        }
        audit::record(
            &mut tx.ex(),
            actor,
            "token.revoke",
            Some(id),
            json!({ "user": user_id }),
        )
        .await?;
        self.credentials().commit(tx).await?;
        Ok(())
    }

    /// Sets the password of an invited user from the one-time invite token. The invitee then
    /// logs in with their email and this password.
    /// An unknown token counts as a failed guess for the throttle.
    pub async fn accept_invite(
        &self,
        token: &str,
        password: &str,
        name: Option<&str>,
        client: Client,
    ) -> Result<AdminUser> {
        let not_found = || Error::not_found("this invite link is not valid; ask an administrator for a new one");
        let attempt = self.throttle.attempt(Guess::InviteToken, client)?;
        let invite = if token.starts_with(INVITE_PREFIX) {
            invites::by_token_hash(&mut self.db.ex(), &tokens::hash(token)).await?
        } else {
            None
        };
        let Some(invite) = invite else {
            attempt.failed();
            return Err(not_found());
        };
        // The token is a real one: whatever follows is no guess.
        attempt.succeeded();
        let used = || Error::conflict("this invite link has already been used");
        if invite.used_at.is_some() {
            return Err(used());
        }
        let now = self.clock.now_ms();
        if invite.expires_at <= now {
            return Err(Error::invalid(
                "this invite link has expired; ask an administrator for a new one",
            ));
        }
        let user = users::admin_get(&mut self.db.ex(), &invite.user_id)
            .await?
            .filter(|u| u.deactivated_at.is_none() && u.auth_source == AuthSource::Local)
            .ok_or_else(not_found)?;
        if user.has_password != 0 {
            return Err(used());
        }
        let email = user.email.clone().unwrap_or_default();
        let local_part = email.split('@').next().unwrap_or("");
        policy::check_password(local_part, password).map_err(Error::invalid)?;
        let name = match name.map(str::trim) {
            Some(n) => {
                policy::check_display_name("name", n).map_err(Error::invalid)?;
                n.to_string()
            }
            None => user.name.clone(),
        };
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.db.begin().await?;
        if !invites::mark_used(&mut tx.ex(), &invite.id, now).await? {
            return Err(used());
        }
        users::set_password(&mut tx.ex(), &user.id, &hash, &name).await?;
        audit::record(
            &mut tx.ex(),
            &Actor::User { id: user.id.clone() },
            "invite.accept",
            Some(&user.id),
            json!({ "invite": invite.id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user = %user.id, "invite accepted");
        self.users.get_user(&user.id).await
    }
}
