//! `usage_daily`: chat usage figures per user and UTC day (`YYYY-MM-DD`, which sorts as text),
//! and the counts of one row as the usage accounting (`crate::usage`) accumulates them.

use super::{Db, Exec, Result, q};

pub use mosaic_shared::types::ChatFailure as Failure;

/// One (day, user) row's counts, as accumulated and as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: i64,
    pub streamed: i64,
    /// By [`Failure::index`].
    pub failed: [i64; 6],
    pub cold_starts: i64,
    pub cold_start_ms: i64,
    pub tokens_in: i64,
    pub tokens_out: i64,
    /// Answers that carried the agent's token report.
    pub usage_reported: i64,
    /// Answers that ended well without a token report: their tokens are unknown, not zero.
    pub usage_missing: i64,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.requests += other.requests;
        self.streamed += other.streamed;
        for (a, b) in self.failed.iter_mut().zip(other.failed) {
            *a += b;
        }
        self.cold_starts += other.cold_starts;
        self.cold_start_ms += other.cold_start_ms;
        self.tokens_in += other.tokens_in;
        self.tokens_out += other.tokens_out;
        self.usage_reported += other.usage_reported;
        self.usage_missing += other.usage_missing;
    }

    pub fn failed(&self, failure: Failure) -> i64 {
        self.failed[failure.index()]
    }
}

/// Adds `rows` (day, user id, counts) to the stored figures in one transaction. The upsert adds,
/// so daemons sharing the database never overwrite each other's counts.
pub async fn add(db: &Db, rows: &[(String, String, Counts)]) -> Result<()> {
    let mut tx = db.begin().await?;
    for (day, user, c) in rows {
        tx.ex()
            .execute(
                q(
                    "INSERT INTO usage_daily (day, user_id, requests, streamed, failed_rejected, failed_start,
                       failed_unreachable, failed_agent, failed_interrupted, cancelled, cold_starts, cold_start_ms,
                       tokens_in, tokens_out, usage_reported, usage_missing)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                   ON CONFLICT (day, user_id) DO UPDATE SET
                       requests = usage_daily.requests + excluded.requests,
                       streamed = usage_daily.streamed + excluded.streamed,
                       failed_rejected = usage_daily.failed_rejected + excluded.failed_rejected,
                       failed_start = usage_daily.failed_start + excluded.failed_start,
                       failed_unreachable = usage_daily.failed_unreachable + excluded.failed_unreachable,
                       failed_agent = usage_daily.failed_agent + excluded.failed_agent,
                       failed_interrupted = usage_daily.failed_interrupted + excluded.failed_interrupted,
                       cancelled = usage_daily.cancelled + excluded.cancelled,
                       cold_starts = usage_daily.cold_starts + excluded.cold_starts,
                       cold_start_ms = usage_daily.cold_start_ms + excluded.cold_start_ms,
                       tokens_in = usage_daily.tokens_in + excluded.tokens_in,
                       tokens_out = usage_daily.tokens_out + excluded.tokens_out,
                       usage_reported = usage_daily.usage_reported + excluded.usage_reported,
                       usage_missing = usage_daily.usage_missing + excluded.usage_missing",
                )
                .bind(day)
                .bind(user)
                .bind(c.requests)
                .bind(c.streamed)
                .bind(c.failed(Failure::Rejected))
                .bind(c.failed(Failure::Start))
                .bind(c.failed(Failure::Unreachable))
                .bind(c.failed(Failure::Agent))
                .bind(c.failed(Failure::Interrupted))
                .bind(c.failed(Failure::Cancelled))
                .bind(c.cold_starts)
                .bind(c.cold_start_ms)
                .bind(c.tokens_in)
                .bind(c.tokens_out)
                .bind(c.usage_reported)
                .bind(c.usage_missing),
            )
            .await?;
    }
    tx.commit().await
}

/// Deletes the days before `day`.
pub async fn delete_before(db: &Db, day: &str) -> Result<u64> {
    db.execute(q("DELETE FROM usage_daily WHERE day < $1").bind(day)).await
}

/// Summed figures: of one user over the range, or of one day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sums {
    /// The user id (per-user rows) or the day (daily rows).
    pub key: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub requests: i64,
    pub streamed: i64,
    pub failed_rejected: i64,
    pub failed_start: i64,
    pub failed_unreachable: i64,
    pub failed_agent: i64,
    pub failed_interrupted: i64,
    pub cancelled: i64,
    pub cold_starts: i64,
    pub cold_start_ms: i64,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub usage_reported: i64,
    pub usage_missing: i64,
}

impl Sums {
    pub fn counts(&self) -> Counts {
        let mut failed = [0; 6];
        for (slot, n) in Failure::ALL.iter().zip([
            self.failed_rejected,
            self.failed_start,
            self.failed_unreachable,
            self.failed_agent,
            self.failed_interrupted,
            self.cancelled,
        ]) {
            failed[*slot as usize] = n;
        }
        Counts {
            requests: self.requests,
            streamed: self.streamed,
            failed,
            cold_starts: self.cold_starts,
            cold_start_ms: self.cold_start_ms,
            tokens_in: self.tokens_in,
            tokens_out: self.tokens_out,
            usage_reported: self.usage_reported,
            usage_missing: self.usage_missing,
        }
    }
}

/// The summed columns; `SUM` of BIGINT is NUMERIC on PostgreSQL, hence the casts.
macro_rules! sums {
    () => {
        "CAST(SUM(u.requests) AS BIGINT) AS requests, CAST(SUM(u.streamed) AS BIGINT) AS streamed,
         CAST(SUM(u.failed_rejected) AS BIGINT) AS failed_rejected,
         CAST(SUM(u.failed_start) AS BIGINT) AS failed_start,
         CAST(SUM(u.failed_unreachable) AS BIGINT) AS failed_unreachable,
         CAST(SUM(u.failed_agent) AS BIGINT) AS failed_agent,
         CAST(SUM(u.failed_interrupted) AS BIGINT) AS failed_interrupted,
         CAST(SUM(u.cancelled) AS BIGINT) AS cancelled,
         CAST(SUM(u.cold_starts) AS BIGINT) AS cold_starts,
         CAST(SUM(u.cold_start_ms) AS BIGINT) AS cold_start_ms,
         CAST(SUM(u.tokens_in) AS BIGINT) AS tokens_in, CAST(SUM(u.tokens_out) AS BIGINT) AS tokens_out,
         CAST(SUM(u.usage_reported) AS BIGINT) AS usage_reported,
         CAST(SUM(u.usage_missing) AS BIGINT) AS usage_missing"
    };
}

/// How many users have figures in the range (of `user` only, if given).
pub async fn count_users(ex: &mut Exec<'_>, from: &str, to: &str, user: Option<&str>) -> Result<i64> {
    let (n,): (i64,) = ex
        .one(
            q("SELECT CAST(COUNT(DISTINCT user_id) AS BIGINT) FROM usage_daily
               WHERE day >= $1 AND day <= $2 AND ($3 IS NULL OR user_id = $3)")
            .bind(from)
            .bind(to)
            .bind(user),
        )
        .await?;
    Ok(n)
}

/// One page of per-user sums over the range, most requests first.
pub async fn per_user(
    ex: &mut Exec<'_>,
    from: &str,
    to: &str,
    user: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Sums>> {
    ex.all(
        q(concat!(
            "SELECT u.user_id AS key, us.email AS email, us.name AS name, ",
            sums!(),
            " FROM usage_daily u LEFT JOIN users us ON us.id = u.user_id
              WHERE u.day >= $1 AND u.day <= $2 AND ($3 IS NULL OR u.user_id = $3)
              GROUP BY u.user_id, us.email, us.name
              ORDER BY SUM(u.requests) DESC, u.user_id
              LIMIT $4 OFFSET $5"
        ))
        .bind(from)
        .bind(to)
        .bind(user)
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// Sums per day over the range (of `user` only, if given), oldest first.
pub async fn daily(ex: &mut Exec<'_>, from: &str, to: &str, user: Option<&str>) -> Result<Vec<Sums>> {
    ex.all(
        q(concat!(
            "SELECT u.day AS key, CAST(NULL AS TEXT) AS email, CAST(NULL AS TEXT) AS name, ",
            sums!(),
            " FROM usage_daily u
              WHERE u.day >= $1 AND u.day <= $2 AND ($3 IS NULL OR u.user_id = $3)
              GROUP BY u.day ORDER BY u.day"
        ))
        .bind(from)
        .bind(to)
        .bind(user),
    )
    .await
}
