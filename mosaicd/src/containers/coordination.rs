//! Coordination between mosaicd replicas on one PostgreSQL (SQLite means one daemon, and all of
//! this reduces to the process's own locks).
//!
//! - **One operation per container across replicas.** Whatever changes a container (a start,
//!   stop, restart, reap, or reconciliation of it) holds its operation lock: the process's own
//!   mutex, then a PostgreSQL advisory lock keyed by the agent, taken on the replica's lock
//!   session (`store::leases::LockSession`, one connection of its own). Concurrent first chats
//!   for one user at several replicas thus start one container: the replica that gets the lock
//!   starts it, the others wait, then find the row running and adopt the container (`try_adopt`)
//!   and proxy to it. A replica that dies mid-start loses its connection and with it the lock;
//!   the next start by any replica finds the row `starting` with nobody holding its lock, records
//!   the interruption and removes the leftover container.
//! - **One leader.** The replica holding the leader lock reaps idle containers, reconciles the
//!   database with Docker and starts the system agents; the others poll for the lock every
//!   [`LEADER_POLL`] and take over when the leader's connection goes (its process died).
//!   Reconciliation skips every container whose lock another replica holds, so a start in
//!   progress elsewhere is never taken for an interrupted one.
//! - **Shared activity.** Each replica records, per user's agent, the requests and streams it has
//!   in flight as a lease row (`container_activity`) that it refreshes every [`LEASE_REFRESH`]
//!   while they last and that expires [`LEASE_TTL`] after its last refresh (the replica died); a
//!   first request to an agent is written at once. With the leases it writes the last activity
//!   times it saw. The leader's reaper keeps any container with an unexpired lease.
//!
//! If the lock session's connection breaks, every lock it held is gone: the replica stops being
//! leader at once and reconnects on the next use or poll.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{AgentRef, ContainerManager, Inner, Target};
use crate::error::{Error, Result};
use crate::store::leases::{self, LockSession};
use crate::store::{self, Backend, Db};

/// The advisory-lock space of containers' operation locks, and of the leader lock.
const TARGET_SPACE: i32 = 0x6d6f_7301;
const LEADER_SPACE: i32 = 0x6d6f_7302;
/// How often a replica that is not the leader tries to become it (and the leader checks that its
/// lock session still answers).
pub const LEADER_POLL: Duration = Duration::from_secs(1);
/// How often a replica refreshes its activity leases, and how long one outlives its last refresh.
pub const LEASE_REFRESH: Duration = Duration::from_secs(2);
pub const LEASE_TTL: Duration = Duration::from_secs(10);
/// The least time between two writes of the leases (a burst of first requests is one write).
const LEASE_MIN_GAP: Duration = Duration::from_millis(50);
/// How long an operation waits for another replica's operation on the same container.
const WAIT_LIMIT: Duration = Duration::from_secs(300);
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// This replica's side of the coordination (see the module documentation).
pub(crate) struct Coordinator {
    db: Db,
    /// Several replicas may share the database (PostgreSQL).
    shared: bool,
    session: tokio::sync::Mutex<Option<LockSession>>,
    /// Moves on whenever the lock session is lost: a lock taken under an earlier value is gone.
    epoch: AtomicU64,
    leader: AtomicBool,
    /// Woken when this replica becomes the leader.
    pub(crate) elected: tokio::sync::Notify,
    /// This process's name in the lease rows.
    pub(crate) replica: String,
    /// Woken when an agent gets its first request or stream in flight here.
    pub(crate) activity: tokio::sync::Notify,
}

/// The advisory-lock key of an agent (FNV-1a of its kind and owner: the same in every replica).
fn key(target: &AgentRef) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in target
        .kind()
        .as_str()
        .bytes()
        .chain([b'/'])
        .chain(target.owner().bytes())
    {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as i32
}

/// A container's operation lock: held while it lives.
pub(crate) struct OpGuard<'a> {
    _local: tokio::sync::MutexGuard<'a, ()>,
    _shared: Option<SharedLock>,
}

/// An advisory lock held on the lock session; released when dropped.
struct SharedLock {
    coord: Arc<Coordinator>,
    key: i32,
    epoch: u64,
}

impl Drop for SharedLock {
    fn drop(&mut self) {
        let (coord, key, epoch) = (self.coord.clone(), self.key, self.epoch);
        tokio::spawn(async move { coord.release(key, epoch).await });
    }
}

impl Coordinator {
    pub(crate) fn new(db: Db) -> Arc<Coordinator> {
        let shared = db.backend() == Backend::Postgres;
        Arc::new(Coordinator {
            db,
            shared,
            session: tokio::sync::Mutex::new(None),
            epoch: AtomicU64::new(0),
            // A daemon alone on its database leads from the start.
            leader: AtomicBool::new(!shared),
            elected: tokio::sync::Notify::new(),
            replica: store::new_id(),
            activity: tokio::sync::Notify::new(),
        })
    }

    /// Whether this replica reaps, reconciles and starts the system agents.
    pub(crate) fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Acquire)
    }

    /// Whether other replicas may share the database.
    pub(crate) fn shared(&self) -> bool {
        self.shared
    }

    /// The lock session broke: every lock it held is gone.
    fn lost(&self, error: &Error) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if self.leader.swap(false, Ordering::AcqRel) {
            tracing::warn!(error = %error.full(), "lost the database connection holding the leader lock; no longer the leader");
        } else {
            tracing::warn!(error = %error.full(), "lost the database connection holding container locks; reconnecting");
        }
    }

    /// Tries the lock `(space, key)` once: `Some(epoch)` when taken.
    async fn try_key(&self, space: i32, key: i32) -> Result<Option<u64>> {
        let mut session = self.session.lock().await;
        if session.is_none() {
            *session = self.db.lock_session().await?;
        }
        let Some(s) = session.as_mut() else {
            return Err(Error::internal("no lock session on this database"));
        };
        match s.try_lock(space, key).await {
            Ok(got) => Ok(got.then(|| self.epoch.load(Ordering::Acquire))),
            Err(e) => {
                *session = None;
                self.lost(&e);
                Err(e)
            }
        }
    }

    async fn release(&self, key: i32, epoch: u64) {
        let mut session = self.session.lock().await;
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if let Some(s) = session.as_mut()
            && let Err(e) = s.unlock(TARGET_SPACE, key).await
        {
            *session = None;
            self.lost(&e);
        }
    }

    /// Takes the agent's shared lock if nobody else holds it: `Ok(None)` when another replica
    /// does; `Ok(Some(None))` on a database no other replica uses.
    async fn try_take(self: &Arc<Self>, target: &AgentRef) -> Result<Option<Option<SharedLock>>> {
        if !self.shared {
            return Ok(Some(None));
        }
        let key = key(target);
        Ok(self.try_key(TARGET_SPACE, key).await?.map(|epoch| {
            Some(SharedLock {
                coord: self.clone(),
                key,
                epoch,
            })
        }))
    }

    /// Takes the agent's shared lock, waiting while another replica holds it.
    async fn take(self: &Arc<Self>, target: &AgentRef) -> Result<Option<SharedLock>> {
        let began = Instant::now();
        let mut pause = FIRST_PAUSE;
        loop {
            if let Some(lock) = self.try_take(target).await? {
                return Ok(lock);
            }
            if began.elapsed() >= WAIT_LIMIT {
                return Err(Error::unavailable(format!(
                    "another mosaicd replica has been busy with {target} for {} s; try again later",
                    WAIT_LIMIT.as_secs()
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// The agents whose lock another replica holds now, by key (empty on SQLite).
    async fn held_elsewhere(&self) -> Result<HashSet<i32>> {
        if !self.shared {
            return Ok(HashSet::new());
        }
        let mut session = self.session.lock().await;
        if session.is_none() {
            *session = self.db.lock_session().await?;
        }
        let Some(s) = session.as_mut() else {
            return Ok(HashSet::new());
        };
        match s.held_elsewhere(TARGET_SPACE).await {
            Ok(held) => Ok(held),
            Err(e) => {
                *session = None;
                self.lost(&e);
                Err(e)
            }
        }
    }

    /// One leadership step: the leader checks its lock session still answers; another replica
    /// tries to take the leader lock.
    async fn lead_step(&self) {
        if !self.shared {
            return;
        }
        if self.is_leader() {
            let mut session = self.session.lock().await;
            let result = match session.as_mut() {
                Some(s) => s.ping().await,
                None => Err(Error::unavailable("the lock session is gone")),
            };
            if let Err(e) = result {
                *session = None;
                self.lost(&e);
            }
            return;
        }
        match self.try_key(LEADER_SPACE, 0).await {
            Ok(Some(epoch)) => {
                if self.epoch.load(Ordering::Acquire) == epoch {
                    self.leader.store(true, Ordering::Release);
                    tracing::info!(replica = %self.replica, "this replica is now the leader: it reaps idle containers and reconciles them with Docker");
                    self.elected.notify_one();
                }
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e.full(), "cannot try the leader lock"),
        }
    }
}

impl Inner {
    /// Takes `target`'s operation lock (see the module documentation), waiting for an operation
    /// in progress here or at another replica.
    pub(crate) async fn op_lock<'a>(&self, target: &AgentRef, t: &'a Target) -> Result<OpGuard<'a>> {
        let local = t.op.lock().await;
        let shared = self.coord.take(target).await?;
        Ok(OpGuard {
            _local: local,
            _shared: shared,
        })
    }

    /// Takes `target`'s operation lock if nobody holds it, here or elsewhere.
    pub(crate) async fn try_op_lock<'a>(&self, target: &AgentRef, t: &'a Target) -> Option<OpGuard<'a>> {
        let local = t.op.try_lock().ok()?;
        match self.coord.try_take(target).await {
            Ok(Some(shared)) => Some(OpGuard {
                _local: local,
                _shared: shared,
            }),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(agent = %target, error = %e.full(), "cannot take the container's lock in the database");
                None
            }
        }
    }

    /// Whether another replica holds the operation lock of any of these agents: the keys held.
    pub(crate) async fn held_elsewhere(&self) -> Result<HashSet<i32>> {
        self.coord.held_elsewhere().await
    }

    /// Whether `target`'s lock key is among `held` (see [`Inner::held_elsewhere`]).
    pub(crate) fn held_by_other(held: &HashSet<i32>, target: &AgentRef) -> bool {
        held.contains(&key(target))
    }

    /// A first request or stream to an agent is in flight here: write the leases now.
    pub(crate) fn activity_began(&self) {
        if self.coord.shared() {
            self.coord.activity.notify_one();
        }
    }

    /// Requests and streams other replicas hold open to the user's agent, by their leases.
    pub(crate) async fn busy_elsewhere(&self, user_id: &str) -> Result<i64> {
        if !self.coord.shared() {
            return Ok(0);
        }
        leases::busy_elsewhere(&mut self.db.ex(), user_id, &self.coord.replica, store::now_ms()).await
    }
}

impl ContainerManager {
    /// Whether this replica is the leader (on SQLite, always).
    pub fn is_leader(&self) -> bool {
        self.inner().coord.is_leader()
    }

    /// Tries to become the leader every [`LEADER_POLL`], forever (nothing to do on SQLite).
    pub(super) async fn run_leadership(self) {
        let coord = self.inner().coord.clone();
        if !coord.shared() {
            return;
        }
        loop {
            coord.lead_step().await;
            tokio::time::sleep(LEADER_POLL).await;
        }
    }

    /// Writes this replica's activity leases and last activity times: at once when an agent gets
    /// its first request in flight, and every [`LEASE_REFRESH`] (nothing to do on SQLite).
    pub(super) async fn run_leases(self) {
        let coord = self.inner().coord.clone();
        if !coord.shared() {
            return;
        }
        let mut held: HashSet<String> = HashSet::new();
        loop {
            tokio::select! {
                _ = coord.activity.notified() => {}
                _ = tokio::time::sleep(LEASE_REFRESH) => {}
            }
            if let Err(e) = self.write_leases(&mut held).await {
                tracing::warn!(error = %e.full(), "cannot record this replica's container activity");
            }
            tokio::time::sleep(LEASE_MIN_GAP).await;
        }
    }

    async fn write_leases(&self, held: &mut HashSet<String>) -> Result<()> {
        let inner = self.inner();
        let busy: Vec<(String, i64)> = {
            let targets = inner.targets.lock().expect("targets lock");
            targets
                .iter()
                .filter_map(|(target, t)| match target {
                    AgentRef::User(id) => {
                        let (n, _) = t.activity_snapshot();
                        (n > 0).then(|| (id.clone(), n as i64))
                    }
                    AgentRef::System(_) => None,
                })
                .collect()
        };
        let now = store::now_ms();
        let replica = &inner.coord.replica;
        leases::hold(&mut inner.db.ex(), replica, &busy, now + store::ms(LEASE_TTL)).await?;
        let current: HashSet<String> = busy.into_iter().map(|(id, _)| id).collect();
        let ended: Vec<String> = held.difference(&current).cloned().collect();
        leases::release(&mut inner.db.ex(), replica, &ended).await?;
        *held = current;
        self.flush_activity().await?;
        if inner.coord.is_leader() {
            leases::purge_expired(&mut inner.db.ex(), now).await?;
        }
        Ok(())
    }

    /// Drops this replica's leases (it shuts down; its streams end with it).
    pub(super) async fn release_leases(&self) {
        let inner = self.inner();
        if inner.coord.shared()
            && let Err(e) = leases::release_all(&mut inner.db.ex(), &inner.coord.replica).await
        {
            tracing::warn!(error = %e.full(), "cannot drop this replica's activity leases");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_kind_and_owner_and_are_stable() {
        let a = key(&AgentRef::User("a".into()));
        assert_eq!(a, key(&AgentRef::User("a".into())));
        assert_ne!(a, key(&AgentRef::System("a".into())));
        assert_ne!(a, key(&AgentRef::User("b".into())));
        // FNV-1a of "user/a": the same in every replica and every build.
        assert_eq!(key(&AgentRef::User("a".into())) as u32, 0x194d_a1f2);
    }
}
