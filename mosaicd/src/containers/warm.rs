//! Warm on login: a login (password or OpenID Connect) or opening the console's chat page starts
//! the user's agent in the background, so that their first message finds it running instead of
//! waiting for a cold start.
//!
//! Bounded: the start is the ordinary single-flight start (a chat that arrives meanwhile joins
//! it), at most [`MAX_WARM_STARTS`] run at once (a burst of logins does not crowd out the starts
//! chats are waiting for), and never for a deactivated user, before onboarding is complete, with
//! `agent.warm_on_login` off, or when the engine does not have the agent image (a registry pull
//! is the first chat's to make, where the user sees it). When Docker is down the failure is
//! logged and nothing else happens. The caller never waits.

use std::sync::Arc;

use super::{AgentRef, ContainerManager, Inner, settings};
use mosaic_shared::ErrorKind;

use crate::error::{Error, Result};
use crate::store::system_config;

/// Warm starts running at once, at most.
pub(crate) const MAX_WARM_STARTS: usize = 4;

impl ContainerManager {
    /// Starts `user_id`'s agent in the background if it is not running (see the module's
    /// documentation for when it does not); returns at once. It counts as activity: the
    /// reaper's idle clock starts now.
    pub fn warm(&self, user_id: &str) {
        let inner = self.inner.clone();
        let target = AgentRef::User(user_id.to_string());
        tokio::spawn(async move {
            match inner.warm(&target).await {
                Ok(None) => tracing::debug!(agent = %target, "agent warmed at login"),
                Ok(Some(reason)) => tracing::debug!(agent = %target, reason, "agent not warmed at login"),
                Err(e) if e.kind() == ErrorKind::Refused || e.kind() == ErrorKind::NotFound => {
                    tracing::debug!(agent = %target, reason = %e, "agent not warmed at login")
                }
                Err(e) => tracing::warn!(agent = %target, error = %e.full(), "cannot warm the agent at login"),
            }
        });
    }
}

impl Inner {
    /// Starts (or joins the start of) `target`'s agent; `Some(why not)` when it does not.
    async fn warm(self: &Arc<Self>, target: &AgentRef) -> Result<Option<&'static str>> {
        // Read without making a record: most logins are of users whose agent this process has
        // not seen.
        if self.known_target(target).and_then(|t| t.live_id()).is_some() {
            // A login is use: the idle clock starts again.
            drop(self.activity_guard(target));
            return Ok(Some("it is running"));
        }
        // One read of the settings: whether to warm, and the image to warm with.
        let settings = settings::load(&self.db).await?;
        if !settings.warm_on_login {
            return Ok(Some("agent.warm_on_login is off"));
        }
        if !system_config::flag(&mut self.db.ex(), system_config::ONBOARDING_COMPLETED).await? {
            return Ok(Some("onboarding is not complete"));
        }
        self.check_owner(target).await?;
        if self.driver.engine().image(&settings.image).await?.is_none() {
            return Ok(Some("the engine does not have the agent image yet"));
        }
        // Activity from now to the end of the start (no reap in between; the idle clock
        // starts when it is up).
        let _activity = self.activity_guard(target);
        let _permit = self
            .warm_starts
            .acquire()
            .await
            .map_err(|_| Error::internal("warm starts closed"))?;
        let actor = crate::store::audit::Actor::User {
            id: target.owner().to_string(),
        };
        self.ensure_running(target.clone(), actor, false).await?;
        Ok(None)
    }
}
