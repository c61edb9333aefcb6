//! What this process knows of each container: whether it runs and where, the start in flight,
//! the requests in flight and the last activity.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, Shared};

use super::{AgentRef, Inner, Upstream};
use crate::clock::Clock;
use crate::config::Secret;
use crate::error::Result;

/// A container known to run, as this process last saw it.
#[derive(Clone)]
pub(crate) struct Live {
    pub(super) container_id: String,
    /// Where mosaicd reaches it: an address, or a name the agent network's DNS resolves.
    pub(super) address: String,
    pub(super) token: Secret,
}

#[derive(Default)]
pub(super) struct Activity {
    /// Requests and streams in flight.
    pub(super) busy: usize,
    /// Last activity (epoch ms), and what of it is already in the database.
    pub(super) last_ms: i64,
    pub(super) persisted_ms: i64,
}

pub(super) type Flight = Shared<BoxFuture<'static, Result<Upstream>>>;

/// Per-container state in this process.
#[derive(Default)]
pub(crate) struct Target {
    /// Held by whatever changes the container (start, stop, restart, reap, reconcile), so they
    /// never interleave.
    pub(crate) op: tokio::sync::Mutex<()>,
    pub(super) live: Mutex<Option<Live>>,
    pub(super) flight: Mutex<Option<Flight>>,
    pub(super) activity: Mutex<Activity>,
    /// The state volume is known to exist (this process made it), so a start need not ask.
    pub(crate) volume_ready: AtomicBool,
}

/// Keeps a container busy while it lives; see [`ContainerManager::activity`].
pub struct ActivityGuard {
    pub(super) target: Arc<Target>,
    pub(super) clock: Clock,
}

impl Target {
    /// (requests in flight, last activity in epoch ms).
    pub(crate) fn activity_snapshot(&self) -> (usize, i64) {
        let a = self.activity.lock().expect("activity lock");
        (a.busy, a.last_ms)
    }

    /// Takes the container out of service: the next `ensure_running` goes through a start.
    pub(crate) fn take_live(&self) -> Option<Live> {
        self.live.lock().expect("live lock").take()
    }

    /// Takes the container out of service if it is still the one with this id (a later start
    /// has its own id, and stays).
    pub(crate) fn forget_live(&self, container_id: &str) -> bool {
        let mut live = self.live.lock().expect("live lock");
        if live.as_ref().is_some_and(|l| l.container_id == container_id) {
            *live = None;
            return true;
        }
        false
    }

    /// The id of the container this process holds as running, if any.
    pub(crate) fn live_id(&self) -> Option<String> {
        self.live
            .lock()
            .expect("live lock")
            .as_ref()
            .map(|l| l.container_id.clone())
    }

    pub(crate) fn restore_live(&self, live: Option<Live>) {
        *self.live.lock().expect("live lock") = live;
    }
}

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        let mut a = self.target.activity.lock().expect("activity lock");
        a.busy = a.busy.saturating_sub(1);
        a.last_ms = a.last_ms.max(self.clock.now_ms());
    }
}

impl Inner {
    /// This process's record of the container, if it has one (never creates it).
    pub(crate) fn known_target(&self, target: &AgentRef) -> Option<Arc<Target>> {
        self.targets.lock().expect("targets lock").get(target).cloned()
    }

    pub(crate) fn target(&self, target: &AgentRef) -> Arc<Target> {
        self.targets
            .lock()
            .expect("targets lock")
            .entry(target.clone())
            .or_default()
            .clone()
    }
}
