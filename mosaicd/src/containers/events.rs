//! Learning of a container's death from Docker's event stream, so that the request path does not
//! ask Docker about the container on every request.
//!
//! The manager subscribes to the engine's `die` and `destroy` events of its own containers (its
//! instance label). Each one takes the container with that id out of service: the next request
//! goes through a start (which records the crash). While the stream is down (the engine went
//! away, the connection broke) nothing is trusted: the request path inspects the container as
//! before, and the subscription is retried. A new subscription asks the engine to replay the
//! events of the last [`REPLAY`] (whatever happened while it connected), then every container
//! held as running is checked once with Docker before the stream is trusted again.
//!
//! A death the stream has not delivered yet (the event is in flight) is caught by the caller: a
//! connection to the agent that fails asks again with Docker
//! (`ContainerManager::ensure_running_checked`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;

use super::spec::LABEL_INSTANCE;
use super::{ContainerManager, Inner};
use crate::error::Result;

/// How far back a new subscription replays events.
const REPLAY: Duration = Duration::from_secs(10);
/// How long to wait before subscribing again after the stream failed.
const RETRY: Duration = Duration::from_secs(1);

impl Inner {
    /// Whether a container held as running can be trusted without asking Docker.
    pub(super) fn exits_watched(&self) -> bool {
        self.exits_watched.load(Ordering::Acquire)
    }

    /// A container stopped running: takes it out of service if this process holds it.
    fn container_exited(&self, id: &str, action: &str) {
        let targets: Vec<_> = {
            let targets = self.targets.lock().expect("targets lock");
            targets.iter().map(|(r, t)| (r.clone(), t.clone())).collect()
        };
        for (target, t) in targets {
            if t.forget_live(id) {
                tracing::warn!(container = %target.container_name(), event = action, "container is no longer running (Docker event)");
            }
        }
    }

    /// Asks Docker about every container held as running; those that no longer run are taken
    /// out of service.
    async fn check_live(&self) -> Result<()> {
        let held: Vec<_> = {
            let targets = self.targets.lock().expect("targets lock");
            targets
                .iter()
                .filter_map(|(r, t)| t.live_id().map(|id| (r.clone(), t.clone(), id)))
                .collect()
        };
        let network = self.network_name();
        for (target, t, id) in held {
            let running = self.driver.inspect(&id, &network).await?.is_some_and(|c| c.running);
            if !running && t.forget_live(&id) {
                tracing::warn!(container = %target.container_name(), "container is no longer running");
            }
        }
        Ok(())
    }

    /// One subscription: returns when the stream ends or fails.
    async fn watch_once(self: &Arc<Self>, lost_before: &mut bool) -> Result<()> {
        let since = SystemTime::now()
            .checked_sub(REPLAY)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        let mut events = self
            .driver
            .exits(LABEL_INSTANCE, &self.settings.instance, since)
            .await?;
        self.check_live().await?;
        self.exits_watched.store(true, Ordering::Release);
        if std::mem::take(lost_before) {
            tracing::info!(docker = %self.driver.engine().host(), "watching Docker events again");
        } else {
            tracing::debug!(docker = %self.driver.engine().host(), "watching Docker events");
        }
        while let Some(event) = events.next().await {
            let (id, action) = event?;
            self.container_exited(&id, &action);
        }
        Ok(())
    }
}

impl ContainerManager {
    /// Watches Docker's events for container deaths until the task is dropped (see the module
    /// documentation); resubscribes whenever the stream ends.
    pub(super) async fn watch_exits(self) {
        let inner = self.inner;
        let mut lost = false;
        loop {
            let result = inner.watch_once(&mut lost).await;
            let was_watched = inner.exits_watched.swap(false, Ordering::AcqRel);
            if was_watched {
                match result {
                    Ok(()) => tracing::warn!(
                        "the Docker event stream ended; checking containers with Docker until it is back"
                    ),
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the Docker event stream; checking containers with Docker until it is back")
                    }
                }
                lost = true;
            }
            tokio::time::sleep(RETRY).await;
        }
    }
}
