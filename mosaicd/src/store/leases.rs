//! What several mosaicd replicas on one PostgreSQL share beyond the tables of record:
//! - [`LockSession`]: one connection of its own per replica that holds PostgreSQL session-level
//!   advisory locks (one agent container's start, stop or restart at a time across replicas;
//!   the leader that reaps and reconciles). A lock dies with its connection, so a replica that
//!   dies (SIGKILL, a lost network) lets go of everything at once;
//! - activity leases (`container_activity`): the requests and streams a replica has in flight to
//!   a user's agent, refreshed while they last and expiring when the replica stops refreshing;
//! - `NOTIFY` on [`CREDENTIALS_CHANNEL`] when access is taken away, so that every replica's
//!   credentials cache forgets what it held (see `auth::cache`).
//!
//! On SQLite there is one daemon: no lock session, no leases, no notifications.

use std::collections::HashSet;

use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgListener};

use super::{Db, Exec, Pool, ROWS_PER_STATEMENT, Result, q, q_rows};
use crate::error::Error;

/// The channel a change that takes access away is announced on.
pub const CREDENTIALS_CHANNEL: &str = "mosaic_credentials";

/// A connection that holds advisory locks, each named by two 32-bit keys (a space, a key in it).
pub struct LockSession {
    conn: PgConnection,
}

impl Db {
    /// A new connection for advisory locks; `None` on SQLite.
    pub async fn lock_session(&self) -> Result<Option<LockSession>> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        let options = pool.connect_options();
        let conn = PgConnection::connect_with(&options)
            .await
            .map_err(|e| Error::unavailable(format!("cannot connect to database {}: {e}", self.location)))?;
        Ok(Some(LockSession { conn }))
    }

    /// A listener for notifications on `channel`; `None` on SQLite.
    pub async fn listener(&self, channel: &str) -> Result<Option<PgListener>> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        let mut listener = PgListener::connect_with(pool).await?;
        // A lost connection is reported (`try_recv` answers `None`) rather than mended quietly:
        // notifications sent meanwhile are lost, and the caller must know.
        listener.eager_reconnect(false);
        listener.listen(channel).await?;
        Ok(Some(listener))
    }
}

impl LockSession {
    /// Takes the lock if nobody else holds it; a lock this session holds already is taken again
    /// (and must be released as many times).
    pub async fn try_lock(&mut self, space: i32, key: i32) -> Result<bool> {
        let (got,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1, $2)")
            .bind(space)
            .bind(key)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(got)
    }

    pub async fn unlock(&mut self, space: i32, key: i32) -> Result<()> {
        sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(space)
            .bind(key)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    /// The keys of `space` that other sessions hold.
    pub async fn held_elsewhere(&mut self, space: i32) -> Result<HashSet<i32>> {
        // `pg_locks` shows the two keys as `oid`s (unsigned); `objsubid` 2 marks the two-key form.
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT objid::bigint FROM pg_locks
             WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND pid <> pg_backend_pid()
               AND classid = ($1::bigint & 4294967295)::oid",
        )
        .bind(i64::from(space))
        .fetch_all(&mut self.conn)
        .await?;
        Ok(rows.into_iter().map(|(k,)| k as u32 as i32).collect())
    }

    /// Whether the connection still answers.
    pub async fn ping(&mut self) -> Result<()> {
        Ok(self.conn.ping().await?)
    }
}

/// Announces, in the caller's transaction (delivered only if it commits), that access was taken
/// away; `payload` names the announcement. Nothing on SQLite.
pub async fn credentials_changed(ex: &mut Exec<'_>, payload: &str) -> Result<()> {
    if matches!(ex, Exec::PgPool(_) | Exec::PgConn(_)) {
        ex.execute(
            q("SELECT CAST(pg_notify($1, $2) AS TEXT)")
                .bind(CREDENTIALS_CHANNEL)
                .bind(payload),
        )
        .await?;
    }
    Ok(())
}

/// Records that `replica` has `busy` requests or streams in flight to each user's agent, until
/// `expires_at` (epoch ms); replaces what it recorded before.
pub async fn hold(ex: &mut Exec<'_>, replica: &str, busy: &[(String, i64)], expires_at: i64) -> Result<()> {
    for chunk in busy.chunks(ROWS_PER_STATEMENT) {
        let mut query = q_rows(
            "INSERT INTO container_activity (user_id, replica, busy, expires_at) VALUES ",
            1,
            chunk.len(),
            4,
            " ON CONFLICT (user_id, replica) DO UPDATE SET busy = excluded.busy, expires_at = excluded.expires_at",
        );
        for (user_id, n) in chunk {
            query = query.bind(user_id.as_str()).bind(replica).bind(*n).bind(expires_at);
        }
        ex.execute(query).await?;
    }
    Ok(())
}

/// Drops `replica`'s leases on these users' agents (nothing in flight there any more).
pub async fn release(ex: &mut Exec<'_>, replica: &str, users: &[String]) -> Result<()> {
    for chunk in users.chunks(ROWS_PER_STATEMENT) {
        let mut query = q_rows(
            "DELETE FROM container_activity WHERE user_id IN ",
            2,
            1,
            chunk.len(),
            " AND replica = $1",
        )
        .bind(replica);
        for user_id in chunk {
            query = query.bind(user_id.as_str());
        }
        ex.execute(query).await?;
    }
    Ok(())
}

/// Drops every lease of `replica` (it shuts down).
pub async fn release_all(ex: &mut Exec<'_>, replica: &str) -> Result<()> {
    ex.execute(q("DELETE FROM container_activity WHERE replica = $1").bind(replica))
        .await?;
    Ok(())
}

/// Removes leases that expired before `now` (their replicas died).
pub async fn purge_expired(ex: &mut Exec<'_>, now: i64) -> Result<u64> {
    ex.execute(q("DELETE FROM container_activity WHERE expires_at <= $1").bind(now))
        .await
}

/// How many requests and streams other replicas than `replica` hold open to the user's agent,
/// by their unexpired leases.
pub async fn busy_elsewhere(ex: &mut Exec<'_>, user_id: &str, replica: &str, now: i64) -> Result<i64> {
    let (n,): (Option<i64>,) = ex
        .one(
            q("SELECT CAST(SUM(busy) AS BIGINT) FROM container_activity
               WHERE user_id = $1 AND replica <> $2 AND expires_at > $3")
            .bind(user_id)
            .bind(replica)
            .bind(now),
        )
        .await?;
    Ok(n.unwrap_or(0))
}
