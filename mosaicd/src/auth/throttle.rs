//! Throttling of guesses: password logins, invite tokens and the setup token.
//!
//! Three keyed rate limiters (governor's GCRA, each key a bucket of failures refilled one per
//! period), all consulted for every attempt:
//!
//! - **(what is guessed, client)**, strict: `burst` failures, then one per `delay`.
//! - **client**, over everything guessed from that address: `2 × burst` failures, then one per
//!   `2 × delay` (an address trying many accounts slows down further).
//! - **what is guessed** (an account, or the invite or setup token), lenient: `4 × burst`
//!   failures, then one per `delay`. One address is held to one failure per `delay` by its own
//!   keys, the rate this bucket refills at, so it can never empty it: only several addresses at
//!   once can, and then anyone waits at most one `delay` for the next attempt.
//!
//! Only failures count. An attempt reserves a cell in each bucket before the password is checked
//! (so parallel requests cannot all slip past an almost empty bucket), and gives the cells back
//! when it succeeds. An attempt that ends otherwise (a wrong guess, an internal error, a client
//! that went away while its password was being hashed) keeps them: the hash was paid for, and its
//! result must not be had for free by hanging up. An attempt refused by a bucket reserves nothing
//! and answers 429 with the wait.
//!
//! The client is the TCP peer's address (IPv6 by its /64, the block one host usually holds).
//! The state is bounded: a key is kept only while its bucket is not full again (at most
//! `4 × burst × delay` after its last failure); the buckets are swept every [`SWEEP_EVERY`].

use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::{DashMapStateStore, ShrinkableKeyedStateStore};
use governor::{Quota, RateLimiter};

use crate::config::AuthThrottle;
use crate::error::{Error, Result};

/// How often keys whose buckets are full again are dropped.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// What a failed attempt guessed at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Guess {
    /// The password of an account, named as the login form names it (case folded).
    Password(String),
    /// An invite token (one bucket for all invites: the token is what is guessed).
    InviteToken,
    /// The setup token of the onboarding endpoints.
    SetupToken,
}

impl Guess {
    pub fn password(account: &str) -> Guess {
        Guess::Password(account.trim().to_lowercase())
    }

    /// The words for the refusal: "too many failed …".
    fn what(&self) -> &'static str {
        match self {
            Guess::Password(_) => "logins",
            Guess::InviteToken => "invite attempts",
            Guess::SetupToken => "setup token attempts",
        }
    }
}

/// The client an attempt comes from: the TCP peer's address, an IPv6 address by its /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    pub fn from_peer(ip: IpAddr) -> Client {
        match ip {
            IpAddr::V4(_) => Client(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Client(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

/// governor's DashMap store behind an `Arc`, so the throttle keeps a handle on it to give cells
/// back; the rate limiter does everything else through it.
struct Shared<K: Hash + Eq + Clone>(Arc<DashMapStateStore<K>>);

impl<K: Hash + Eq + Clone> StateStore for Shared<K> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> std::result::Result<T, E>
    where
        F: Fn(Option<Nanos>) -> std::result::Result<(T, Nanos), E>,
    {
        StateStore::measure_and_replace(&*self.0, key, f)
    }
}

impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<K> for Shared<K> {
    fn retain_recent(&self, drop_below: Nanos) {
        ShrinkableKeyedStateStore::retain_recent(&*self.0, drop_below)
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&*self.0)
    }

    fn len(&self) -> usize {
        ShrinkableKeyedStateStore::len(&*self.0)
    }

    fn is_empty(&self) -> bool {
        ShrinkableKeyedStateStore::is_empty(&*self.0)
    }
}

/// One keyed rate limiter whose cells can be given back.
struct Bucket<K: Hash + Eq + Clone, C: Clock> {
    limiter: RateLimiter<K, Shared<K>, C, NoOpMiddleware<C::Instant>>,
    store: Arc<DashMapStateStore<K>>,
    /// One cell's worth of time (the quota's period).
    cell: Nanos,
}

impl<K: Hash + Eq + Clone, C: Clock> Bucket<K, C> {
    fn new(quota: Quota, clock: C) -> Self {
        let store = Arc::new(DashMapStateStore::default());
        Bucket {
            limiter: RateLimiter::new(quota, Shared(store.clone()), clock),
            store,
            cell: quota.replenish_interval().into(),
        }
    }

    /// Takes a cell, or says how long until one is there.
    fn take(&self, key: &K) -> std::result::Result<(), Duration> {
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    /// Gives back a cell taken by [`Bucket::take`]: the bucket's theoretical arrival time moves
    /// back by one period, as if the cell had never been taken.
    fn give_back(&self, key: &K) {
        let cell = self.cell;
        let _ = StateStore::measure_and_replace(&*self.store, key, |tat| match tat {
            Some(tat) => Ok(((), tat.saturating_sub(cell))),
            // Swept meanwhile: the bucket is full already.
            None => Err(()),
        });
    }

    fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.limiter.len()
    }
}

/// The three buckets of every attempt (see the module's documentation).
pub struct Throttle<C: Clock = DefaultClock> {
    strict: Bucket<(Guess, Client), C>,
    address: Bucket<Client, C>,
    account: Bucket<Guess, C>,
    clock: C,
    last_sweep: Mutex<C::Instant>,
}

fn times(n: NonZeroU32, by: u32) -> NonZeroU32 {
    n.saturating_mul(NonZeroU32::new(by).expect("a factor above zero"))
}

impl Throttle<DefaultClock> {
    pub fn new(settings: &AuthThrottle) -> Self {
        Self::with_clock(settings, DefaultClock::default())
    }
}

impl<C: Clock + Clone> Throttle<C> {
    pub fn with_clock(settings: &AuthThrottle, clock: C) -> Self {
        let quota = |period: Duration, burst: NonZeroU32| {
            Quota::with_period(period)
                .expect("the throttle delay is not zero")
                .allow_burst(burst)
        };
        let (burst, delay) = (settings.burst, settings.delay);
        Throttle {
            strict: Bucket::new(quota(delay, burst), clock.clone()),
            address: Bucket::new(quota(delay * 2, times(burst, 2)), clock.clone()),
            account: Bucket::new(quota(delay, times(burst, 4)), clock.clone()),
            last_sweep: Mutex::new(clock.now()),
            clock,
        }
    }

    /// Reserves one attempt at `guess` from `client`, or refuses it (`RateLimited`, with the
    /// longest wait any bucket names). The attempt costs nothing if it is marked succeeded.
    pub fn attempt(&self, guess: Guess, client: Client) -> Result<Attempt<'_, C>> {
        self.sweep_if_due();
        let strict_key = (guess.clone(), client);
        let strict = self.strict.take(&strict_key);
        let address = self.address.take(&client);
        let account = self.account.take(&guess);
        let wait = [&strict, &address, &account].iter().filter_map(|r| r.err()).max();
        if let Some(wait) = wait {
            if strict.is_ok() {
                self.strict.give_back(&strict_key);
            }
            if address.is_ok() {
                self.address.give_back(&client);
            }
            if account.is_ok() {
                self.account.give_back(&guess);
            }
            tracing::info!(wait_ms = wait.as_millis() as u64, "{} throttled", guess.what());
            return Err(Error::rate_limited(guess.what(), wait));
        }
        Ok(Attempt {
            throttle: self,
            guess,
            client,
        })
    }

    fn sweep_if_due(&self) {
        let now = self.clock.now();
        let mut last = self.last_sweep.lock().unwrap_or_else(|e| e.into_inner());
        if Duration::from(now.duration_since(*last)) < SWEEP_EVERY {
            return;
        }
        *last = now;
        drop(last);
        self.sweep();
    }

    /// Drops the keys whose buckets are full again.
    pub fn sweep(&self) {
        self.strict.sweep();
        self.address.sweep();
        self.account.sweep();
    }

    /// How many keys the three buckets hold.
    pub fn keys(&self) -> usize {
        self.strict.len() + self.address.len() + self.account.len()
    }
}

/// A reserved attempt: its cells stay taken unless [`Attempt::succeeded`] gives them back.
pub struct Attempt<'a, C: Clock + Clone = DefaultClock> {
    throttle: &'a Throttle<C>,
    guess: Guess,
    client: Client,
}

impl<C: Clock + Clone> Attempt<'_, C> {
    /// The guess was wrong: the reserved cells stay taken.
    pub fn failed(self) {}

    /// The guess was right (or was no guess): the attempt costs nothing.
    pub fn succeeded(self) {
        let t = self.throttle;
        t.strict.give_back(&(self.guess.clone(), self.client));
        t.address.give_back(&self.client);
        t.account.give_back(&self.guess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use mosaic_shared::ErrorCode;

    fn throttle(burst: u32, delay_ms: u64) -> (Throttle<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let settings = AuthThrottle {
            burst: NonZeroU32::new(burst).unwrap(),
            delay: Duration::from_millis(delay_ms),
        };
        (Throttle::with_clock(&settings, clock.clone()), clock)
    }

    fn client(last: u8) -> Client {
        Client::from_peer(IpAddr::from([192, 0, 2, last]))
    }

    /// Fails `n` attempts; panics if one is refused.
    fn fail(t: &Throttle<FakeRelativeClock>, guess: &Guess, from: Client, n: usize) {
        for i in 0..n {
            t.attempt(guess.clone(), from)
                .unwrap_or_else(|e| panic!("attempt {i} refused: {e}"))
                .failed();
        }
    }

    fn refused_for(t: &Throttle<FakeRelativeClock>, guess: &Guess, from: Client) -> Duration {
        match t.attempt(guess.clone(), from) {
            Ok(_) => panic!("not refused"),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::RateLimited);
                e.retry_after().expect("a wait")
            }
        }
    }

    #[test]
    fn burst_then_one_per_delay_and_successes_are_free() {
        let (t, clock) = throttle(5, 1000);
        let admin = Guess::password("Admin");
        // Successes cost nothing, however many.
        for _ in 0..50 {
            t.attempt(admin.clone(), client(1)).unwrap().succeeded();
        }
        fail(&t, &admin, client(1), 5);
        assert_eq!(refused_for(&t, &admin, client(1)), Duration::from_secs(1));
        // A refused attempt costs nothing either: the wait does not grow by asking.
        clock.advance(Duration::from_millis(400));
        assert_eq!(refused_for(&t, &admin, client(1)), Duration::from_millis(600));
        clock.advance(Duration::from_millis(600));
        // After the wait the right password gets in (and gives its cell back) ...
        t.attempt(Guess::password("admin"), client(1)).unwrap().succeeded();
        // ... so one more failure is possible, then the next wait is a full delay.
        fail(&t, &admin, client(1), 1);
        assert_eq!(refused_for(&t, &admin, client(1)), Duration::from_secs(1));
        // Another address is not held back by this one's failures.
        t.attempt(admin.clone(), client(2)).unwrap().succeeded();
        let message = t.attempt(admin.clone(), client(1)).err().unwrap().message().to_string();
        assert_eq!(message, "too many failed logins; try again in 1 second");
    }

    #[test]
    fn one_address_cannot_empty_the_accounts_bucket_but_several_can_briefly() {
        let (t, clock) = throttle(5, 1000);
        let admin = Guess::password("admin");
        // An attacker at one address, as fast as it is allowed, for a long time.
        for _ in 0..100 {
            while let Ok(attempt) = t.attempt(admin.clone(), client(66)) {
                attempt.failed();
            }
            clock.advance(Duration::from_millis(500));
            t.attempt(admin.clone(), client(1))
                .expect("the admin is not locked out")
                .succeeded();
        }
        // Four more addresses at once empty it; the admin then waits at most one delay.
        let (t, clock) = throttle(5, 1000);
        for attacker in 10..14 {
            fail(&t, &admin, client(attacker), 5);
        }
        let wait = refused_for(&t, &admin, client(1));
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        clock.advance(wait);
        t.attempt(admin.clone(), client(1)).unwrap().succeeded();
    }

    #[test]
    fn an_address_trying_many_accounts_slows_down() {
        let (t, clock) = throttle(5, 1000);
        // The address's bucket: ten failures at once, whatever the accounts.
        for account in 0..10 {
            fail(&t, &Guess::password(&format!("user{account}")), client(9), 1);
        }
        let wait = refused_for(&t, &Guess::password("user99"), client(9));
        assert_eq!(wait, Duration::from_secs(2));
        clock.advance(wait);
        fail(&t, &Guess::password("user99"), client(9), 1);
        // The other keys kinds are their own buckets.
        fail(&t, &Guess::SetupToken, client(8), 5);
        assert_eq!(refused_for(&t, &Guess::SetupToken, client(8)), Duration::from_secs(1));
        t.attempt(Guess::InviteToken, client(8)).unwrap().succeeded();
    }

    #[test]
    fn an_attempt_that_ends_without_success_counts() {
        let (t, _) = throttle(2, 1000);
        let guess = Guess::password("admin");
        // Dropped (an internal error, or the client went away during the hash).
        drop(t.attempt(guess.clone(), client(1)).unwrap());
        t.attempt(guess.clone(), client(1)).unwrap().failed();
        refused_for(&t, &guess, client(1));
    }

    #[test]
    fn keys_are_dropped_once_their_buckets_are_full_again() {
        let (t, clock) = throttle(5, 1000);
        for n in 0..50 {
            fail(&t, &Guess::password(&format!("u{n}")), client(n), 1);
        }
        assert_eq!(t.keys(), 150);
        // governor drops a key one period after its bucket is full again (the address's period
        // is two delays).
        clock.advance(Duration::from_secs(4));
        t.sweep();
        assert_eq!(t.keys(), 0);
        // Sweeping happens by itself as attempts arrive.
        fail(&t, &Guess::SetupToken, client(1), 1);
        clock.advance(SWEEP_EVERY);
        t.attempt(Guess::InviteToken, client(2)).unwrap().succeeded();
        // Only the keys of the attempt just made are left.
        assert_eq!(t.keys(), 3);
    }

    #[test]
    fn clients_are_addresses_and_ipv6_prefixes() {
        let v6 = |s: &str| Client::from_peer(s.parse().unwrap());
        assert_eq!(v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff::9"));
        assert_ne!(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1"));
        assert_eq!(v6("::ffff:192.0.2.7"), client(7));
        assert_ne!(client(7), client(8));
    }
}
