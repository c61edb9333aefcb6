//! Usage figures: what the chat proxy counts per user and UTC day (requests, how they ended,
//! cold starts, the tokens the agent reported), never a message, a prompt or an answer.
//!
//! The proxy hands each request a [`Ticket`]; when the request is over (its answer sent, or
//! dropped) the ticket adds its outcome to an in-memory accumulator, one row per (day, user): a
//! mutex and a hash map, nothing else on the request path. A background task ([`run`]) writes the
//! accumulated rows every flush interval in one transaction of additive upserts (so several
//! daemons on one PostgreSQL add up), and [`Recorder::flush`] runs once more at shutdown after the
//! last request. A crash loses at most the figures of one interval. A failed write keeps the rows
//! for the next attempt. The same task deletes days older than the retention setting.
//!
//! Prometheus gets the same counts without a user label (see `metrics`).

pub mod scan;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::Result;
use crate::metrics::Metrics;
pub use crate::store::usage::{Counts, Failure};
use crate::store::{Db, now_ms, usage as rows};
pub use scan::{Findings, Scan, Tokens};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// The system setting that says how many days of figures are kept; 0 turns counting off.
pub const RETENTION_KEY: &str = "usage.retentionDays";
pub const DEFAULT_RETENTION_DAYS: i64 = 400;
/// The longest retention that can be set (ten years).
pub const MAX_RETENTION_DAYS: i64 = 3660;
/// How often old days are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// How one request ended.
#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    streamed: bool,
    cold_start: Option<Duration>,
    failure: Option<Failure>,
    /// Ended well; with the agent's report if it sent one.
    finished: Option<Option<Tokens>>,
}

/// The accumulator and its switch.
#[derive(Debug)]
pub struct Recorder {
    pending: Mutex<HashMap<(i64, String), Counts>>,
    /// Off when the retention is 0 days: nothing is counted.
    enabled: AtomicBool,
    retention_days: AtomicI64,
    metrics: Arc<Metrics>,
}

impl Recorder {
    pub fn new(metrics: Arc<Metrics>) -> Recorder {
        Recorder {
            pending: Mutex::default(),
            enabled: AtomicBool::new(true),
            retention_days: AtomicI64::new(DEFAULT_RETENTION_DAYS),
            metrics,
        }
    }

    /// A ticket for one chat request of `user`. Dropped, it records how the request ended.
    pub fn ticket(self: &Arc<Self>, user: &str) -> Ticket {
        Ticket {
            recorder: self.enabled.load(Ordering::Relaxed).then(|| self.clone()),
            user: user.to_string(),
            outcome: Outcome::default(),
        }
    }

    /// Whether requests are counted now (the retention is more than 0 days).
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Applies the retention setting: 0 days turns counting off.
    pub fn set_retention(&self, days: i64) {
        self.retention_days.store(days, Ordering::Relaxed);
        self.enabled.store(days > 0, Ordering::Relaxed);
    }

    fn record(&self, user: String, outcome: &Outcome) {
        let mut c = Counts {
            requests: 1,
            streamed: i64::from(outcome.streamed),
            ..Counts::default()
        };
        if let Some(started) = outcome.cold_start {
            c.cold_starts = 1;
            c.cold_start_ms = crate::store::ms(started);
        }
        let failure = match (outcome.failure, outcome.finished) {
            (Some(f), _) => Some(f),
            (None, Some(_)) => None,
            (None, None) => Some(Failure::Cancelled),
        };
        let mut tokens = None;
        match failure {
            Some(f) => c.failed[f.index()] = 1,
            None => match outcome.finished.flatten() {
                Some(t) => {
                    tokens = Some(t);
                    c.usage_reported = 1;
                    c.tokens_in = i64::try_from(t.input).unwrap_or(i64::MAX);
                    c.tokens_out = i64::try_from(t.output).unwrap_or(i64::MAX);
                }
                None => c.usage_missing = 1,
            },
        }
        self.metrics.chat_recorded(
            outcome.streamed,
            failure,
            outcome.cold_start,
            tokens.map(|t| (t.input, t.output)),
        );
        let day = now_ms().div_euclid(DAY_MS);
        self.pending
            .lock()
            .expect("usage lock")
            .entry((day, user))
            .or_default()
            .add(&c);
    }

    /// Writes the accumulated rows now. On failure they stay for the next attempt.
    pub async fn flush(&self, db: &Db) -> Result<usize> {
        let batch = std::mem::take(&mut *self.pending.lock().expect("usage lock"));
        if batch.is_empty() {
            return Ok(0);
        }
        let rows: Vec<(String, String, Counts)> = batch
            .iter()
            .map(|((day, user), c)| (day_text(*day), user.clone(), *c))
            .collect();
        match rows::add(db, &rows).await {
            Ok(()) => Ok(rows.len()),
            Err(e) => {
                let mut pending = self.pending.lock().expect("usage lock");
                for (key, c) in batch {
                    pending.entry(key).or_default().add(&c);
                }
                Err(e)
            }
        }
    }

    /// Deletes days older than the retention.
    pub async fn prune(&self, db: &Db) -> Result<u64> {
        let days = self.retention_days.load(Ordering::Relaxed);
        let today = now_ms().div_euclid(DAY_MS);
        // With 0 days (counting off) the figures already kept stay until the setting changes:
        // turning counting off does not delete history.
        if days <= 0 {
            return Ok(0);
        }
        rows::delete_before(db, &day_text(today - days + 1)).await
    }
}

/// One chat request's account, carried by the proxy until the request is over.
#[derive(Debug)]
pub struct Ticket {
    /// `None` when counting is off.
    recorder: Option<Arc<Recorder>>,
    user: String,
    outcome: Outcome,
}

impl Ticket {
    /// Whether this request is counted (scanning the answer for usage is worth it).
    pub fn counted(&self) -> bool {
        self.recorder.is_some()
    }

    pub fn streamed(&mut self, streamed: bool) {
        self.outcome.streamed = streamed;
    }

    /// This request started its agent's container, which took `took`.
    pub fn cold_start(&mut self, took: Duration) {
        self.outcome.cold_start = Some(took);
    }

    /// The request failed; the first failure is the one counted.
    pub fn fail(&mut self, failure: Failure) {
        if self.outcome.failure.is_none() && self.outcome.finished.is_none() {
            self.outcome.failure = Some(failure);
        }
    }

    /// The answer was sent in full, with what the scan found.
    pub fn finish(&mut self, findings: Findings) {
        if findings.agent_error {
            self.fail(Failure::Agent);
        } else if self.outcome.failure.is_none() && self.outcome.finished.is_none() {
            self.outcome.finished = Some(findings.tokens);
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(recorder) = self.recorder.take() {
            recorder.record(std::mem::take(&mut self.user), &self.outcome);
        }
    }
}

/// The retention setting in effect.
pub async fn retention_days(db: &Db) -> Result<i64> {
    let row = crate::store::system_config::get(&mut db.ex(), RETENTION_KEY).await?;
    Ok(row
        .filter(|r| !r.encrypted)
        .and_then(|r| r.value.parse::<i64>().ok())
        .filter(|d| (0..=MAX_RETENTION_DAYS).contains(d))
        .unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01, UTC).
pub fn day_text(day: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(day * 86_400)
        .map(|t| {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default()
}

/// Today's `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    day_text(now_ms().div_euclid(DAY_MS))
}

/// Flushes every `interval`, prunes every hour, and reads the retention setting each time (so a
/// change made through another daemon arrives here too). Stops when `stop` resolves; the last
/// flush is the caller's, after the last request.
pub async fn run(recorder: Arc<Recorder>, db: Db, interval: Duration, stop: impl std::future::Future<Output = ()>) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_prune: Option<tokio::time::Instant> = None;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {}
        }
        match retention_days(&db).await {
            Ok(days) => recorder.set_retention(days),
            Err(e) => tracing::warn!(error = %e.full(), "cannot read the usage retention setting"),
        }
        if let Err(e) = recorder.flush(&db).await {
            tracing::warn!(error = %e.full(), "cannot write usage figures; they are kept for the next attempt");
        }
        if last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            last_prune = Some(tokio::time::Instant::now());
            match recorder.prune(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "deleted usage figures older than the retention"),
                Err(e) => tracing::warn!(error = %e.full(), "cannot delete old usage figures"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(day_text(0), "1970-01-01");
        assert_eq!(day_text(20_427), "2025-12-05");
    }

    #[test]
    fn tickets_count_one_outcome_each() {
        let recorder = Arc::new(Recorder::new(Arc::new(Metrics::default())));
        {
            let mut t = recorder.ticket("u1");
            t.streamed(true);
            t.cold_start(Duration::from_millis(1500));
            t.finish(Findings {
                tokens: Some(Tokens { input: 10, output: 20 }),
                agent_error: false,
            });
            // Later failures do not change a finished request.
            t.fail(Failure::Interrupted);
        }
        {
            let mut t = recorder.ticket("u1");
            t.fail(Failure::Start);
            t.fail(Failure::Cancelled);
        }
        drop(recorder.ticket("u1")); // nothing finished it: the client went away
        {
            let mut t = recorder.ticket("u1");
            t.finish(Findings::default());
        }
        {
            let mut t = recorder.ticket("u1");
            t.finish(Findings {
                tokens: None,
                agent_error: true,
            });
        }
        let pending = recorder.pending.lock().unwrap();
        let c = pending.values().next().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(c.requests, 5);
        assert_eq!(c.streamed, 1);
        assert_eq!((c.cold_starts, c.cold_start_ms), (1, 1500));
        assert_eq!(
            (c.tokens_in, c.tokens_out, c.usage_reported, c.usage_missing),
            (10, 20, 1, 1)
        );
        assert_eq!(c.failed(Failure::Start), 1);
        assert_eq!(c.failed(Failure::Cancelled), 1);
        assert_eq!(c.failed(Failure::Agent), 1);
        assert_eq!(c.failed(Failure::Interrupted), 0);
    }

    #[test]
    fn zero_retention_counts_nothing() {
        let recorder = Arc::new(Recorder::new(Arc::new(Metrics::default())));
        recorder.set_retention(0);
        let t = recorder.ticket("u1");
        assert!(!t.counted());
        drop(t);
        assert!(recorder.pending.lock().unwrap().is_empty());
        recorder.set_retention(30);
        assert!(recorder.ticket("u1").counted());
    }
}
