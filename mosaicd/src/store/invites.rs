//! `invites`: one-time links that let an invited user set a password. Only the token's SHA-256
//! is stored.

use super::{Exec, Result, new_id, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRow {
    pub id: String,
    pub user_id: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert(
    ex: &mut Exec<'_>,
    user_id: &str,
    token_hash: &str,
    created_by: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<InviteRow> {
    ex.one(
        q(
            "INSERT INTO invites (id, user_id, token_hash, created_by, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, user_id, created_by, created_at, expires_at, used_at",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(token_hash)
        .bind(created_by)
        .bind(now)
        .bind(expires_at),
    )
    .await
}

pub async fn by_token_hash(ex: &mut Exec<'_>, token_hash: &str) -> Result<Option<InviteRow>> {
    ex.optional(
        q("SELECT id, user_id, created_by, created_at, expires_at, used_at FROM invites WHERE token_hash = $1")
            .bind(token_hash),
    )
    .await
}

/// Marks the invite used if nobody did so first; returns whether this call did.
pub async fn mark_used(ex: &mut Exec<'_>, id: &str, now: i64) -> Result<bool> {
    Ok(ex
        .execute(
            q("UPDATE invites SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
                .bind(id)
                .bind(now),
        )
        .await?
        == 1)
}

/// Withdraws the user's outstanding invites (a new invite replaces them; deactivation ends them).
pub async fn delete_unused(ex: &mut Exec<'_>, user_id: &str) -> Result<u64> {
    ex.execute(q("DELETE FROM invites WHERE user_id = $1 AND used_at IS NULL").bind(user_id))
        .await
}
