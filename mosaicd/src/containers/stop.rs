//! Stopping a container: why ([`StopReason`]) and how (stop, remove, record; the volume stays).

use std::fmt;
use std::time::Duration;

use serde_json::json;

use super::spec::LABEL_INSTANCE;
use super::{AgentRef, Inner, Target, settings};
use crate::error::{Error, Result};
use crate::store::audit::Actor;
use crate::store::containers::{self as rows, ContainerState};

/// Why a container stopped. Recorded in its row and in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The reaper: idle longer than its idle timeout.
    Idle,
    /// Restarted with a new config.
    ConfigChange,
    /// An administrator stopped or restarted it.
    Admin,
    /// Its user was deactivated.
    Deactivated,
    /// It exited or vanished without Mosaic asking.
    Crash,
    /// It did not become healthy.
    StartFailed,
    /// mosaicd died while it was starting.
    Interrupted,
    /// Its system agent was removed.
    Removed,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Idle => "idle",
            StopReason::ConfigChange => "config_change",
            StopReason::Admin => "admin",
            StopReason::Deactivated => "deactivated",
            StopReason::Crash => "crash",
            StopReason::StartFailed => "start_failed",
            StopReason::Interrupted => "interrupted",
            StopReason::Removed => "removed",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Inner {
    /// Stops and removes the container; the caller holds the target's `op` lock. Returns whether
    /// anything was running.
    pub(crate) async fn stop_locked(
        &self,
        target: &AgentRef,
        t: &Target,
        reason: StopReason,
        actor: &Actor,
        detail: Option<String>,
    ) -> Result<bool> {
        let name = target.container_name();
        let row = rows::get(&mut self.db.ex(), target.kind(), target.owner())
            .await?
            .ok_or_else(|| Error::not_found(format!("{target} has no container yet (it is created on first use)")))?;
        *t.live.lock().expect("live lock") = None;
        let network = self.network_name();
        let grace = settings::load(&self.db)
            .await
            .map(|s| s.stop_timeout)
            .unwrap_or(Duration::from_secs(10));
        let mut existed = false;
        if let Some(c) = self.driver.inspect(&name, &network).await? {
            if c.labels.get(LABEL_INSTANCE) != Some(&self.settings.instance) {
                return Err(Error::conflict(format!(
                    "the container named {name} does not belong to this mosaicd; not stopping it"
                )));
            }
            existed = c.running;
            self.driver.stop(&c.id, grace).await?;
            self.driver.remove(&c.id).await?;
        }
        if let AgentRef::User(id) = target {
            let last = t.activity.lock().expect("activity lock").last_ms;
            if last > 0 {
                rows::touch(&mut self.db.ex(), id, last).await?;
            }
        }
        if row.status == ContainerState::Stopped && !existed {
            return Ok(false);
        }
        rows::mark_stopped(
            &mut self.db.ex(),
            target.kind(),
            &row.id,
            ContainerState::Stopped,
            reason.as_str(),
            detail.as_deref(),
        )
        .await?;
        let mut audit_detail = json!({ "container": name, "reason": reason.as_str() });
        if let Some(d) = &detail {
            audit_detail["detail"] = json!(d);
        }
        self.record(actor, "container.stop", target, audit_detail).await;
        self.prometheus.container_stopped(reason.as_str());
        tracing::info!(container = %name, reason = reason.as_str(), detail = detail.as_deref().unwrap_or(""), "agent container stopped");
        Ok(existed)
    }
}
