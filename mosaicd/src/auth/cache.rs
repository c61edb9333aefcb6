//! The credentials cache: who a session cookie or an API token is, kept in memory so that a
//! request does not read the database to learn it.
//!
//! Entries are keyed by the credential's hash (never the credential itself) and hold the
//! principal as the database last said. An entry is used only
//! - while the credential has not expired (checked on every use, by the injected clock);
//! - until its next `last used` write is due (at most a minute: the write goes through the
//!   database path, which reads the row again), so an entry never lives longer than that;
//! - while nothing that can take access away has happened since it was read.
//!
//! That last rule is the epoch: every change that can take access away or change who a
//! principal is (logout, a revoked token, a deactivated user, a role or name change, a password
//! set, a breakglass reset; a reactivation needs none: deactivating revoked every credential) calls [`CredentialCache::invalidate`] *after* its
//! transaction committed, which bumps the epoch and empties the cache. A lookup that missed
//! takes the epoch *before* it reads the database and stores its entry only if the epoch is still
//! the same, so a read that raced a revocation can never put the old answer back. The very next
//! request after the change therefore reads the database.
//!
//! Across replicas on one PostgreSQL, each such change also sends `NOTIFY mosaic_credentials` in
//! its own transaction (delivered only if it commits: `store::leases::credentials_changed`), and
//! every replica listens ([`follow_changes`]) and calls `invalidate` on each notification.
//! PostgreSQL signals every listener when the change commits and delivers to each on its own
//! time, so the replica that made the change waits (at most [`ECHO_WAIT`]) until its own
//! listener has heard the announcement ([`CredentialCache::invalidate_everywhere`]) before it
//! reports the change done: the others were signalled with it. While a replica's listening connection is down (not yet connected, lost,
//! reconnecting) notifications can be missed, so the cache is [suspended](CredentialCache::suspend):
//! emptied, and nothing is cached until the listener is back (every request reads the
//! database meanwhile).
//!
//! The cache is bounded ([`CAPACITY`] entries); when full, stale entries are dropped, and if
//! none are, everything is (the next requests refill it).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::Principal;
use crate::error::Result;
use crate::store::leases::{self, CREDENTIALS_CHANNEL};
use crate::store::{Db, Exec, Tx};

/// At most this many credentials are cached.
pub const CAPACITY: usize = 10_000;

struct Entry {
    principal: Principal,
    epoch: u64,
    limits: Limits,
}

impl Entry {
    /// Whether the entry may answer at `now`, the cache being at `epoch`.
    fn usable(&self, epoch: u64, now: i64) -> bool {
        self.epoch == epoch && now < self.limits.fresh_until && self.limits.expires_at.is_none_or(|at| now < at)
    }
}

/// How long an entry may be used (epoch ms).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The credential's own expiry, if it has one.
    pub expires_at: Option<i64>,
    /// When its next `last used` write is due.
    pub fresh_until: i64,
}

/// See the module documentation.
pub struct CredentialCache {
    entries: RwLock<HashMap<String, Entry>>,
    epoch: AtomicU64,
    capacity: usize,
    /// Nothing is cached (see [`CredentialCache::suspend`]).
    suspended: AtomicBool,
    /// The listener is connected ([`follow_changes`]): announcements come back.
    listening: AtomicBool,
    /// Announcements of changes: this process's name in them, the last number given, and the
    /// last one the listener heard back.
    origin: String,
    announced: AtomicU64,
    heard: tokio::sync::watch::Sender<u64>,
}

/// How long a change waits for its announcement to come back (the listener may be slow, or its
/// connection lost just then).
pub const ECHO_WAIT: Duration = Duration::from_secs(2);

/// A change's announcement to the other replicas (see [`CredentialCache::announce`]).
#[must_use = "pass it to invalidate_everywhere once the change committed"]
pub struct Notice(u64);

impl Default for CredentialCache {
    fn default() -> CredentialCache {
        CredentialCache::with_capacity(CAPACITY)
    }
}

impl CredentialCache {
    pub fn with_capacity(capacity: usize) -> CredentialCache {
        CredentialCache {
            entries: RwLock::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            capacity: capacity.max(1),
            suspended: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            origin: hex::encode(rand::random::<[u8; 8]>()),
            announced: AtomicU64::new(0),
            heard: tokio::sync::watch::channel(0).0,
        }
    }

    /// Take this before reading the database; give it to [`put`](Self::put).
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The principal of the credential with this hash, if cached and usable at `now`.
    pub fn get(&self, hash: &str, now: i64) -> Option<Principal> {
        let epoch = self.epoch();
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(hash)?;
        entry.usable(epoch, now).then(|| entry.principal.clone())
    }

    /// Remembers what the database said at `now`, unless something was invalidated since
    /// `epoch`.
    pub fn put(&self, hash: String, principal: Principal, epoch: u64, now: i64, limits: Limits) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        // Compared under the lock `invalidate` empties the map under: an entry is never stored
        // after an invalidation its read did not see.
        if self.epoch() != epoch || self.suspended.load(Ordering::Acquire) {
            return;
        }
        if entries.len() >= self.capacity && !entries.contains_key(&hash) {
            entries.retain(|_, e| e.usable(epoch, now));
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            hash,
            Entry {
                principal,
                epoch,
                limits,
            },
        );
    }

    /// Something that can take access away changed: every later request reads the database.
    pub fn invalidate(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Announces a change that takes access away to the other replicas, in the change's
    /// transaction (`ex`); after it committed, pass the notice to
    /// [`invalidate_everywhere`](Self::invalidate_everywhere).
    pub async fn announce(&self, ex: &mut Exec<'_>) -> Result<Notice> {
        let n = self.announced.fetch_add(1, Ordering::AcqRel) + 1;
        leases::credentials_changed(ex, &format!("{}:{n}", self.origin)).await?;
        Ok(Notice(n))
    }

    /// Announces the change in `tx`, commits it, then forgets the credentials everywhere: what
    /// a change that takes access away does last.
    pub async fn commit(&self, mut tx: Tx) -> Result<()> {
        let notice = self.announce(&mut tx.ex()).await?;
        tx.commit().await?;
        self.invalidate_everywhere(notice).await;
        Ok(())
    }

    /// The announced change committed: forgets every credential here, and, while listening,
    /// waits until the announcement came back to this replica (see the module documentation).
    /// Without a listener (SQLite, or while it is down) there is nobody to wait for.
    pub async fn invalidate_everywhere(&self, notice: Notice) {
        self.invalidate();
        if !self.listening.load(Ordering::Acquire) {
            return;
        }
        let mut heard = self.heard.subscribe();
        let echoed = tokio::time::timeout(ECHO_WAIT, heard.wait_for(|n| *n >= notice.0)).await;
        if echoed.is_err() {
            tracing::warn!(
                "a credential change was not heard back within {}s; other replicas may use the old credentials a moment longer",
                ECHO_WAIT.as_secs()
            );
        }
    }

    /// A notification arrived: forgets every credential, and notes an echo of this process's own
    /// announcement.
    fn heard(&self, payload: &str) {
        self.invalidate();
        if let Some(n) = payload
            .strip_prefix(self.origin.as_str())
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|n| n.parse::<u64>().ok())
        {
            self.heard.send_if_modified(|last| {
                let newer = n > *last;
                *last = (*last).max(n);
                newer
            });
        }
    }

    /// Changes made elsewhere may go unnoticed (the listener is down): empties the cache and
    /// caches nothing until [`resume`](Self::resume).
    pub fn suspend(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.suspended.store(true, Ordering::Release);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Changes made elsewhere are heard again: caching resumes (from empty).
    pub fn resume(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
        self.suspended.store(false, Ordering::Release);
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How long the listener waits before connecting again after it failed.
const RELISTEN: Duration = Duration::from_secs(1);

/// Keeps `cache` in step with changes made through other replicas until `stop` resolves: listens
/// on PostgreSQL for their notifications and empties the cache on each; while the listening
/// connection is down, caching is suspended. Returns at once on SQLite (one daemon). On
/// PostgreSQL, call [`CredentialCache::suspend`] before serving requests: caching starts once the
/// listener is connected.
pub async fn follow_changes(db: &Db, cache: &CredentialCache, stop: impl std::future::Future<Output = ()>) {
    if db.backend() != crate::store::Backend::Postgres {
        return;
    }
    tokio::pin!(stop);
    let mut failures = 0u32;
    loop {
        let listener = tokio::select! {
            _ = &mut stop => return,
            listener = db.listener(CREDENTIALS_CHANNEL) => listener,
        };
        let mut listener = match listener {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                if failures == 0 {
                    tracing::warn!(error = %e.full(), "cannot listen for credential changes made through other replicas; not caching credentials until it can");
                }
                failures += 1;
                tokio::select! {
                    _ = &mut stop => return,
                    _ = tokio::time::sleep(RELISTEN) => continue,
                }
            }
        };
        if failures > 0 {
            tracing::info!("listening for credential changes again; caching credentials again");
        }
        cache.resume();
        cache.listening.store(true, Ordering::Release);
        loop {
            let next = tokio::select! {
                _ = &mut stop => return,
                next = listener.try_recv() => next,
            };
            match next {
                Ok(Some(notification)) => cache.heard(notification.payload()),
                Ok(None) => {
                    cache.listening.store(false, Ordering::Release);
                    cache.suspend();
                    tracing::warn!(
                        "lost the connection that listens for credential changes; not caching credentials until it is back"
                    );
                    failures = 1;
                    break;
                }
                Err(e) => {
                    cache.listening.store(false, Ordering::Release);
                    cache.suspend();
                    tracing::warn!(error = %crate::error::chain(&e), "lost the connection that listens for credential changes; not caching credentials until it is back");
                    failures = 1;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Via;
    use mosaic_shared::types::{AuthSource, Role};

    fn principal(id: &str) -> Principal {
        Principal {
            user_id: id.into(),
            name: id.into(),
            email: None,
            role: Role::Member,
            auth_source: AuthSource::Local,
            via: Via::Token { id: format!("t-{id}") },
        }
    }

    fn limits(expires_at: Option<i64>, fresh_until: i64) -> Limits {
        Limits {
            expires_at,
            fresh_until,
        }
    }

    #[test]
    fn entries_expire_go_stale_and_are_invalidated() {
        let cache = CredentialCache::default();
        let epoch = cache.epoch();
        cache.put("h".into(), principal("a"), epoch, 0, limits(Some(2_000), 1_500));
        assert_eq!(cache.get("h", 1_000).unwrap().user_id, "a");
        assert!(cache.get("h", 1_500).is_none(), "its last-used write is due");
        cache.put("x".into(), principal("b"), epoch, 0, limits(Some(1_200), 5_000));
        assert!(cache.get("x", 1_200).is_none(), "expired");
        cache.invalidate();
        assert!(cache.get("h", 1_000).is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_stored() {
        let cache = CredentialCache::default();
        let before = cache.epoch();
        cache.invalidate();
        cache.put("h".into(), principal("a"), before, 0, limits(None, 10_000));
        assert!(cache.get("h", 0).is_none());
        cache.put("h".into(), principal("a"), cache.epoch(), 0, limits(None, 10_000));
        assert!(cache.get("h", 0).is_some());
    }

    #[test]
    fn a_suspended_cache_caches_nothing_until_resumed() {
        let cache = CredentialCache::default();
        cache.put("h".into(), principal("a"), cache.epoch(), 0, limits(None, 10_000));
        cache.suspend();
        assert!(cache.get("h", 0).is_none() && cache.is_empty());
        cache.put("h".into(), principal("a"), cache.epoch(), 0, limits(None, 10_000));
        assert!(cache.get("h", 0).is_none(), "stored while suspended");
        cache.resume();
        cache.put("h".into(), principal("a"), cache.epoch(), 0, limits(None, 10_000));
        assert!(cache.get("h", 0).is_some());
    }

    #[tokio::test]
    async fn a_change_waits_for_its_own_announcement_only() {
        let cache = CredentialCache::default();
        cache.listening.store(true, Ordering::Release);
        let waiting = cache.invalidate_everywhere(Notice(2));
        tokio::pin!(waiting);
        // Another process's announcement, and an earlier one of ours, do not end the wait.
        cache.heard("0123456789abcdef:9");
        cache.heard(&format!("{}:1", cache.origin));
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut waiting)
                .await
                .is_err(),
            "ended before its echo"
        );
        cache.heard(&format!("{}:2", cache.origin));
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("its echo ends the wait");
        // Without a listener (SQLite, or while it is down) nothing is waited for.
        cache.listening.store(false, Ordering::Release);
        tokio::time::timeout(Duration::from_millis(100), cache.invalidate_everywhere(Notice(3)))
            .await
            .expect("no wait while not listening");
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = CredentialCache::with_capacity(3);
        for i in 0..10 {
            cache.put(format!("h{i}"), principal("a"), cache.epoch(), i, limits(None, 100_000));
            assert!(cache.len() <= 3);
        }
        assert!(cache.get("h9", 0).is_some());
    }
}
