//! `sessions`: browser sessions. The cookie holds a random token; only its SHA-256 is stored, so
//! a copy of the database does not let anyone in.

use super::users::UserRow;
use super::{Exec, Result, new_id, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

/// A session together with its (active) user. Session columns are aliased, since both tables
/// have `id` and `created_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionWithUser {
    pub session_id: String,
    pub session_expires_at: i64,
    pub session_last_seen_at: i64,
    #[sqlx(flatten)]
    pub user: UserRow,
}

pub async fn insert(
    ex: &mut Exec<'_>,
    user_id: &str,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<SessionRow> {
    ex.one(
        q(
            "INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $4)
           RETURNING id, user_id, created_at, expires_at, last_seen_at",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at),
    )
    .await
}

/// The session with this token hash, if its user is active. Expiry is the caller's to judge.
pub async fn by_token_hash(ex: &mut Exec<'_>, token_hash: &str) -> Result<Option<SessionWithUser>> {
    ex.optional(
        q(
            "SELECT s.id AS session_id, s.expires_at AS session_expires_at, s.last_seen_at AS session_last_seen_at,
                  u.id, u.email, u.name, u.role, u.auth_source, u.invited_at, u.invited_by, u.deactivated_at,
                  u.created_at, u.updated_at
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = $1 AND u.deactivated_at IS NULL",
        )
        .bind(token_hash),
    )
    .await
}

pub async fn touch(ex: &mut Exec<'_>, id: &str, now: i64) -> Result<()> {
    ex.execute(
        q("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn delete(ex: &mut Exec<'_>, id: &str) -> Result<bool> {
    Ok(ex.execute(q("DELETE FROM sessions WHERE id = $1").bind(id)).await? == 1)
}

pub async fn delete_by_token_hash(ex: &mut Exec<'_>, token_hash: &str) -> Result<bool> {
    Ok(ex
        .execute(q("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash))
        .await?
        == 1)
}

/// Ends every session of a user; returns how many there were.
pub async fn delete_for_user(ex: &mut Exec<'_>, user_id: &str) -> Result<u64> {
    ex.execute(q("DELETE FROM sessions WHERE user_id = $1").bind(user_id))
        .await
}

/// Removes sessions past their absolute expiry or idle for longer than allowed.
pub async fn delete_stale(ex: &mut Exec<'_>, now: i64, idle_cutoff: i64) -> Result<u64> {
    ex.execute(
        q("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff),
    )
    .await
}
