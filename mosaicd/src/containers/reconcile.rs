//! Reconciliation: making the database and Docker agree, at startup and periodically.
//!
//! Docker is the truth about what runs; the database is the truth about what should exist.
//! Only containers labelled with this daemon's instance are looked at. For each of them:
//! - no row for its owner: an orphan, removed;
//! - running, of the row's current generation, and the row holds a token: adopted (the row says
//!   running, this process learns its address and token);
//! - running but its row says `starting` with no start in progress here: mosaicd died during the
//!   start; removed, the row says `stopped` (interrupted) and the next request starts it afresh;
//! - running but of another generation: stale, removed;
//! - not running: removed (containers never stay stopped); if its row said running, the row now
//!   says `stopped` with reason `crash`.
//!
//! Rows that say running or starting without any container get `stopped` (crash or interrupted).
//! A container whose start, stop or restart is in progress in this process is skipped (its
//! operation lock is held); the next pass looks again.

use std::collections::HashSet;

use serde_json::json;

use super::docker::ContainerInfo;
use super::spec::{LABEL_GENERATION, LABEL_INSTANCE, LABEL_KIND, LABEL_OWNER};
use super::{AgentRef, ContainerManager, Inner, Live, StopReason};
use crate::config::Secret;
use crate::error::Result;
use crate::secrets::Binding;
use crate::store::audit::{self, Actor};
use crate::store::containers::{self as rows, ContainerRow, ContainerState, Kind};

/// What one reconciliation pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    pub adopted: Vec<String>,
    pub removed: Vec<String>,
    /// Rows set to stopped because their container was gone or dead.
    pub marked_stopped: Vec<String>,
    /// Skipped because an operation on them was in progress.
    pub busy: Vec<String>,
}

impl ContainerManager {
    /// One reconciliation pass. Fails only if Docker or the database cannot be reached.
    pub async fn reconcile(&self) -> Result<ReconcileReport> {
        self.inner.reconcile().await
    }
}

impl Inner {
    async fn reconcile(&self) -> Result<ReconcileReport> {
        let network = self.network_name();
        let mut report = ReconcileReport::default();
        // The rows that say up are read before Docker is listed: a row that said running then
        // had its container already, so if the listing lacks it, it is gone. One query, whose
        // cost grows with the containers that should run, not with every user.
        let up = rows::up(&mut self.db.ex()).await?;
        let found = self
            .driver
            .list_labelled(LABEL_INSTANCE, &self.settings.instance, &network)
            .await?;

        let mut seen: HashSet<AgentRef> = HashSet::new();
        for listed in found {
            if self.stale_trial(&listed.labels, &listed.name) {
                // A trial start (`containers doctor`) that a dead mosaicd left behind.
                let name = listed.name.trim_start_matches('/').to_string();
                self.driver.destroy(&listed.id).await?;
                self.driver.remove_volume(&format!("{name}-state")).await?;
                report.removed.push(name);
                continue;
            }
            let target = match labelled_target(&listed) {
                Some(target) => target,
                None => {
                    // Labelled with our instance but not as an agent container: not ours to judge
                    // unless it claims to be one.
                    continue;
                }
            };
            if listed.parked && self.has_row(&target).await? {
                // A stopped agent kept as a service scaled to zero (Swarm): nothing runs, which
                // is what its row says or what `mark_vanished` makes it say.
                continue;
            }
            seen.insert(target.clone());
            let t = self.target(&target);
            // Held here or at another replica: a start, stop or restart is in progress.
            let Some(_op) = self.try_op_lock(&target, &t).await else {
                report.busy.push(listed.name.clone());
                continue;
            };
            // Both listings may predate a start that finished just before the lock was free: judge
            // the container and its row as they are now, or a healthy new container would be
            // taken for an interrupted one.
            let Some(container) = self.driver.inspect(&listed.id, &network).await? else {
                continue;
            };
            let row = rows::get(&mut self.db.ex(), target.kind(), target.owner()).await?;
            let row = row.as_ref();
            let generation: Option<i64> = container.labels.get(LABEL_GENERATION).and_then(|g| g.parse().ok());
            match row {
                None => {
                    tracing::warn!(container = %container.name, "removing an orphan container (no database row)");
                    self.driver.destroy(&container.id).await?;
                    self.record(
                        &Actor::System,
                        "container.orphan_removed",
                        &target,
                        json!({ "container": container.name, "state": container.state }),
                    )
                    .await;
                    report.removed.push(container.name.clone());
                }
                Some(row)
                    if container.running
                        && row.status == ContainerState::Running
                        && generation == Some(row.generation) =>
                {
                    let Some(address) = container.address.clone() else {
                        tracing::warn!(container = %container.name, "running container has no address on the agent network; removing it");
                        self.driver.remove(&container.id).await?;
                        self.mark(
                            &target,
                            row,
                            StopReason::Crash,
                            "the container had no address on the agent network",
                        )
                        .await?;
                        report.removed.push(container.name.clone());
                        continue;
                    };
                    let token = match &row.gateway_token {
                        Some(stored) => self.keyring.decrypt(
                            &Binding::new(rows::table(target.kind()), row.id.clone(), "gateway_token"),
                            stored,
                        )?,
                        None => {
                            self.driver.remove(&container.id).await?;
                            self.mark(&target, row, StopReason::Crash, "the container's token was lost")
                                .await?;
                            report.removed.push(container.name.clone());
                            continue;
                        }
                    };
                    let known = t
                        .live
                        .lock()
                        .expect("live lock")
                        .as_ref()
                        .map(|l| l.container_id.clone());
                    if known.as_deref() != Some(container.id.as_str()) {
                        if row.container_id.as_deref() != Some(container.id.as_str()) {
                            rows::mark_adopted(&mut self.db.ex(), target.kind(), &row.id, &container.id).await?;
                        }
                        tracing::info!(container = %container.name, %address, "adopted a running agent container");
                        *t.live.lock().expect("live lock") = Some(Live {
                            container_id: container.id.clone(),
                            address,
                            token: Secret::new(token),
                        });
                        report.adopted.push(container.name.clone());
                    }
                }
                Some(row) if container.running && row.status == ContainerState::Starting => {
                    tracing::warn!(container = %container.name, "removing a container whose start was interrupted");
                    self.driver.remove(&container.id).await?;
                    self.mark(
                        &target,
                        row,
                        StopReason::Interrupted,
                        "mosaicd stopped while the container was starting",
                    )
                    .await?;
                    report.removed.push(container.name.clone());
                }
                Some(row) if container.running => {
                    tracing::warn!(
                        container = %container.name, generation = ?generation, row_generation = row.generation, status = %row.status,
                        "removing a stale container"
                    );
                    self.driver.remove(&container.id).await?;
                    *t.live.lock().expect("live lock") = None;
                    report.removed.push(container.name.clone());
                }
                Some(row) if container.parked => {
                    // Scaled to zero since it was listed: a stop that just finished.
                    if row.status.is_up() {
                        *t.live.lock().expect("live lock") = None;
                    }
                }
                Some(row) => {
                    *t.live.lock().expect("live lock") = None;
                    self.driver.remove(&container.id).await?;
                    report.removed.push(container.name.clone());
                    if row.status.is_up() {
                        let detail = format!("the container was found {}", container.state);
                        let reason = if row.status == ContainerState::Starting {
                            StopReason::Interrupted
                        } else {
                            StopReason::Crash
                        };
                        self.mark(&target, row, reason, &detail).await?;
                        report.marked_stopped.push(container.name.clone());
                    }
                }
            }
        }

        self.mark_vanished(&up, &seen, &mut report).await?;
        if !report.adopted.is_empty() || !report.removed.is_empty() || !report.marked_stopped.is_empty() {
            tracing::info!(
                adopted = report.adopted.len(),
                removed = report.removed.len(),
                marked_stopped = report.marked_stopped.len(),
                "reconciled containers with Docker"
            );
        }
        Ok(report)
    }

    /// Rows that say up with no container in Docker: marked stopped together (a few statements
    /// however many there are), each audited, the stop counter moved. A row a start, stop or
    /// restart moved since it was read is left alone (the update checks its generation and
    /// status), and so is one whose operation is in progress here (reported busy).
    async fn mark_vanished(
        &self,
        up: &[(Kind, ContainerRow)],
        seen: &HashSet<AgentRef>,
        report: &mut ReconcileReport,
    ) -> Result<()> {
        const DETAIL: &str = "the container disappeared";
        // Containers another replica is starting, stopping or restarting right now.
        let held = self.held_elsewhere().await?;
        for kind in [Kind::User, Kind::System] {
            let mut gone = Vec::new();
            for (_, row) in up.iter().filter(|(k, _)| *k == kind) {
                let target = AgentRef::new(kind, row.owner.clone());
                if seen.contains(&target) {
                    continue;
                }
                if Inner::held_by_other(&held, &target)
                    || self.known_target(&target).is_some_and(|t| t.op.try_lock().is_err())
                {
                    report.busy.push(target.container_name());
                    continue;
                }
                gone.push(row);
            }
            if gone.is_empty() {
                continue;
            }
            let marked = rows::mark_vanished(&mut self.db.ex(), kind, &gone, DETAIL).await?;
            let mut entries = Vec::with_capacity(marked.len());
            for (_, owner, reason) in &marked {
                let target = AgentRef::new(kind, owner.clone());
                if let Some(t) = self.known_target(&target)
                    && let Ok(_op) = t.op.try_lock()
                {
                    *t.live.lock().expect("live lock") = None;
                }
                let reason = if reason == StopReason::Interrupted.as_str() {
                    StopReason::Interrupted
                } else {
                    StopReason::Crash
                };
                self.prometheus.container_stopped(reason.as_str());
                entries.push((
                    target.to_string(),
                    json!({ "container": target.container_name(), "reason": reason.as_str(), "detail": DETAIL }),
                ));
                report.marked_stopped.push(target.container_name());
            }
            if let Err(e) = audit::record_many(&mut self.db.ex(), &Actor::System, "container.stop", &entries).await {
                tracing::error!(error = %e, "cannot write the audit log");
            }
            if !marked.is_empty() {
                let first: Vec<&str> = marked.iter().take(5).map(|(_, owner, _)| owner.as_str()).collect();
                tracing::warn!(
                    kind = %kind, count = marked.len(), first = ?first, detail = DETAIL,
                    "agent containers are not running; their rows now say stopped"
                );
            }
        }
        Ok(())
    }

    /// Records that a container stopped without Mosaic stopping it: its row, the stop counter,
    /// the audit log and a warning.
    pub(super) async fn mark(
        &self,
        target: &AgentRef,
        row: &ContainerRow,
        reason: StopReason,
        detail: &str,
    ) -> Result<()> {
        rows::mark_stopped(
            &mut self.db.ex(),
            target.kind(),
            &row.id,
            ContainerState::Stopped,
            reason.as_str(),
            Some(detail),
        )
        .await?;
        self.prometheus.container_stopped(reason.as_str());
        self.record(
            &Actor::System,
            "container.stop",
            target,
            json!({ "container": target.container_name(), "reason": reason.as_str(), "detail": detail }),
        )
        .await;
        tracing::warn!(container = %target.container_name(), reason = reason.as_str(), detail, "agent container is not running");
        Ok(())
    }
}

impl Inner {
    async fn has_row(&self, target: &AgentRef) -> Result<bool> {
        Ok(rows::get(&mut self.db.ex(), target.kind(), target.owner())
            .await?
            .is_some())
    }
}

fn labelled_target(c: &ContainerInfo) -> Option<AgentRef> {
    let kind = Kind::parse(c.labels.get(LABEL_KIND)?)?;
    let owner = c.labels.get(LABEL_OWNER)?;
    Some(AgentRef::new(kind, owner.clone()))
}

impl ContainerManager {
    /// Starts every active system agent that is not running (they are always on). An agent whose
    /// start failed is retried after a delay that doubles with each failure, up to ten minutes.
    pub async fn ensure_system_agents(&self) -> Result<()> {
        let agents = rows::system_agents(&mut self.inner.db.ex()).await?;
        let now = std::time::Instant::now();
        let starts = agents.into_iter().filter(|a| a.is_active).filter_map(|agent| {
            let waiting = self
                .inner
                .system_backoff
                .lock()
                .expect("backoff lock")
                .get(&agent.name)
                .is_some_and(|(_, not_before)| now < *not_before);
            if waiting {
                return None;
            }
            let manager = self.clone();
            Some(async move {
                let target = AgentRef::System(agent.name.clone());
                let result = manager.ensure_running_as(target, &Actor::System).await;
                let mut backoff = manager.inner.system_backoff.lock().expect("backoff lock");
                match result {
                    Ok(_) => {
                        backoff.remove(&agent.name);
                    }
                    Err(e) => {
                        let failures = backoff.get(&agent.name).map_or(0, |(n, _)| *n) + 1;
                        let delay = (manager.settings().reconcile_interval * 2u32.saturating_pow(failures.min(16)))
                            .min(std::time::Duration::from_secs(600));
                        backoff.insert(agent.name.clone(), (failures, std::time::Instant::now() + delay));
                        tracing::warn!(
                            system_agent = %agent.name, error = %e.full(), retry_in_seconds = delay.as_secs(),
                            "system agent is not running"
                        );
                    }
                }
            })
        });
        futures::future::join_all(starts).await;
        Ok(())
    }

    /// The background work of the manager until `stop` resolves: once Docker is reachable,
    /// reconcile and start the system agents, then do so again every reconcile interval; the
    /// reaper runs on its own interval, and Docker's events are watched for containers that die. Docker being away is logged once, and retried.
    pub async fn supervise(self, stop: impl std::future::Future<Output = ()> + Send) {
        tokio::pin!(stop);
        let reconcile_every = self.settings().reconcile_interval;
        let reaper = {
            let manager = self.clone();
            tokio::spawn(async move { manager.run_reaper().await })
        };
        let exits = tokio::spawn(self.clone().watch_exits());
        let leadership = tokio::spawn(self.clone().run_leadership());
        let leases = tokio::spawn(self.clone().run_leases());
        let mut docker_down = false;
        loop {
            // With replicas, only the leader reconciles and starts the system agents.
            let leading = self.is_leader();
            match self.reconcile_if(leading).await {
                Ok(None) => {}
                Ok(Some(_)) => {
                    if docker_down {
                        tracing::info!(docker = %self.inner.driver.engine().host(), "Docker engine reachable again");
                        docker_down = false;
                    }
                    if let Err(e) = self.ensure_system_agents().await {
                        tracing::warn!(error = %e.full(), "cannot start system agents");
                    }
                }
                Err(e) if !docker_down => {
                    tracing::warn!(error = %e.full(), "cannot reconcile containers; retrying");
                    docker_down = true;
                }
                Err(_) => {}
            }
            if let Err(e) = self.flush_activity().await {
                tracing::warn!(error = %e.full(), "cannot record container activity");
            }
            // While Docker is away, look again soon.
            let wait = if docker_down {
                reconcile_every.min(std::time::Duration::from_secs(2))
            } else {
                reconcile_every
            };
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(wait) => {}
                // A replica that takes over reconciles at once.
                _ = self.inner.coord.elected.notified() => {}
            }
        }
        reaper.abort();
        exits.abort();
        leadership.abort();
        leases.abort();
        self.release_leases().await;
    }

    /// A reconciliation pass if `leading`; nothing otherwise.
    async fn reconcile_if(&self, leading: bool) -> Result<Option<ReconcileReport>> {
        if !leading {
            return Ok(None);
        }
        self.reconcile().await.map(Some)
    }
}
