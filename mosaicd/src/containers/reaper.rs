//! The idle reaper: stops user containers nobody has used for longer than their idle timeout
//! (`idleTimeoutMin`, default 30; the `agent.idle_timeout_min` setting at their last start).
//!
//! Activity is every request and open stream through mosaicd ([`ContainerManager::activity`]).
//! A container with a request or stream in flight is never reaped, however long it has been
//! running. System containers are always on and never reaped. Each stop is recorded in the
//! container's row and in the audit log with reason `idle`. A running container whose user was
//! deactivated (and whose stop at deactivation failed, Docker being away) is stopped too, with
//! reason `deactivated`. A pass that finds the Docker engine away fails with that error rather
//! than report nothing stopped.
//!
//! The database picks the candidates (`reap_candidates`): a pass over thousands of containers in
//! use reads none of them. With several replicas, activity is what every replica recorded (last
//! activity times, and leases for requests and streams in flight: `coordination`), and only the
//! leader reaps on its interval (`containers reap` runs a pass at any replica).

use mosaic_shared::ErrorCode;
use mosaic_shared::types::{ReapReport, ReapedContainer};

use crate::containers::{AgentRef, ContainerManager, StopReason};
use crate::error::Result;
use crate::store::audit::Actor;
use crate::store::containers as rows;

impl ContainerManager {
    /// One pass: stops every idle user container; reports what it stopped and why.
    pub async fn reap_idle(&self) -> Result<ReapReport> {
        self.reap_idle_as(&Actor::System).await
    }

    pub async fn reap_idle_as(&self, actor: &Actor) -> Result<ReapReport> {
        let inner = self.inner();
        let now = inner.settings.clock.now_ms();
        let checked = rows::count_running_users(&mut inner.db.ex()).await?;
        // Only the candidates come back: owners gone or deactivated, and containers idle by the
        // database (last activity as every replica recorded it, no replica's lease unexpired).
        let candidates = rows::reap_candidates(&mut inner.db.ex(), now, crate::store::now_ms()).await?;
        let mut report = ReapReport {
            checked: checked.max(0) as u64,
            stopped: Vec::new(),
            kept_busy: 0,
        };
        for owned in candidates {
            let row = &owned.row;
            let target = AgentRef::User(row.owner.clone());
            if owned.owner_inactive() {
                let t = inner.target(&target);
                let Some(_op) = inner.try_op_lock(&target, &t).await else {
                    continue;
                };
                match inner
                    .stop_locked(&target, &t, StopReason::Deactivated, actor, None)
                    .await
                {
                    Ok(_) => report.stopped.push(ReapedContainer {
                        owner: row.owner.clone(),
                        owner_label: owned.owner_label(),
                        name: target.container_name(),
                        reason: StopReason::Deactivated.as_str().to_string(),
                        idle_seconds: 0,
                        idle_timeout_min: row.idle_timeout_min.unwrap_or(30).max(0) as u64,
                    }),
                    Err(e) if e.code() == ErrorCode::Unavailable => return Err(e),
                    Err(e) => {
                        tracing::warn!(container = %target.container_name(), error = %e.full(), "cannot stop a deactivated user's container")
                    }
                }
                continue;
            }
            let timeout_ms = row.idle_timeout_min.unwrap_or(30).max(0) * 60_000;
            let idle_ms = |last_seen: i64| {
                let last = row
                    .last_active_at
                    .unwrap_or(0)
                    .max(row.started_at.unwrap_or(0))
                    .max(last_seen);
                (now - last).max(0)
            };
            // Most running containers are in use: decide from the row and this process's
            // activity record without creating one (a container nobody used since this process
            // started has none).
            let (busy, last_seen) = inner.known_target(&target).map_or((0, 0), |t| t.activity_snapshot());
            if idle_ms(last_seen) < timeout_ms {
                continue;
            }
            let t = inner.target(&target);
            if busy > 0 {
                report.kept_busy += 1;
                continue;
            }
            // A start, stop or restart in progress, here or at another replica: not idle in any
            // sense that matters now.
            let Some(_op) = inner.try_op_lock(&target, &t).await else {
                continue;
            };
            // Take the container out of service before the last check: a request that arrives
            // from now on starts it again instead of using the one being stopped; a request that
            // got it earlier took its activity guard earlier, and is seen here (or, at another
            // replica, in its lease).
            let live = t.take_live();
            let elsewhere = match inner.busy_elsewhere(&row.owner).await {
                Ok(n) => n,
                Err(e) => {
                    t.restore_live(live);
                    return Err(e);
                }
            };
            let (busy, last_seen) = t.activity_snapshot();
            let busy = busy + elsewhere.max(0) as usize;
            let idle = idle_ms(last_seen);
            if busy > 0 || idle < timeout_ms {
                t.restore_live(live);
                report.kept_busy += u64::from(busy > 0);
                continue;
            }
            let detail = format!(
                "idle for {}s (idle timeout {} min)",
                idle / 1000,
                row.idle_timeout_min.unwrap_or(30)
            );
            match inner
                .stop_locked(&target, &t, StopReason::Idle, actor, Some(detail))
                .await
            {
                Ok(_) => {
                    report.stopped.push(ReapedContainer {
                        owner: row.owner.clone(),
                        owner_label: owned.owner_label(),
                        name: target.container_name(),
                        reason: StopReason::Idle.as_str().to_string(),
                        idle_seconds: (idle / 1000) as u64,
                        idle_timeout_min: row.idle_timeout_min.unwrap_or(30).max(0) as u64,
                    });
                }
                // Docker is away: every further stop would fail the same way, and a report of
                // nothing stopped would read as nothing idle.
                Err(e) if e.code() == ErrorCode::Unavailable => return Err(e),
                Err(e) => {
                    tracing::warn!(container = %target.container_name(), error = %e.full(), "reaper could not stop an idle container")
                }
            }
        }
        Ok(report)
    }

    /// Runs [`reap_idle`](Self::reap_idle) every reaper interval, forever.
    pub(crate) async fn run_reaper(&self) {
        let every = self.settings().reaper_interval;
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            // With replicas, only the leader reaps.
            if !self.is_leader() {
                continue;
            }
            match self.reap_idle().await {
                Ok(report) if !report.stopped.is_empty() => {
                    tracing::info!(stopped = report.stopped.len(), "reaper stopped idle containers")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.full(), "reaper pass failed"),
            }
        }
    }
}
