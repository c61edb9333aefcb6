//! `api_tokens`: personal bearer tokens for API clients. Only a SHA-256 of the token and its
//! first characters (to tell tokens apart in a list) are stored.

use super::users::UserRow;
use super::{Exec, Result, new_id, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A live token and its active user. Token columns are aliased, since both tables have `id`,
/// `name` and `created_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenWithUser {
    pub token_id: String,
    pub token_last_used_at: Option<i64>,
    pub token_expires_at: Option<i64>,
    #[sqlx(flatten)]
    pub user: UserRow,
}

pub struct NewToken<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    pub now: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(ex: &mut Exec<'_>, t: NewToken<'_>) -> Result<TokenRow> {
    ex.one(
        q(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, token_prefix, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, user_id, name, token_prefix, created_at, last_used_at, expires_at, revoked_at",
        )
        .bind(new_id())
        .bind(t.user_id)
        .bind(t.name)
        .bind(t.token_hash)
        .bind(t.token_prefix)
        .bind(t.now)
        .bind(t.expires_at),
    )
    .await
}

/// The user's tokens that are not revoked, newest first.
pub async fn list(ex: &mut Exec<'_>, user_id: &str) -> Result<Vec<TokenRow>> {
    ex.all(
        q(
            "SELECT id, user_id, name, token_prefix, created_at, last_used_at, expires_at, revoked_at
           FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id),
    )
    .await
}

/// The live token with this hash and its active user. Expiry is the caller's to judge.
pub async fn by_token_hash(ex: &mut Exec<'_>, token_hash: &str) -> Result<Option<TokenWithUser>> {
    ex.optional(
        q(
            "SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, t.expires_at AS token_expires_at,
                  u.id, u.email, u.name, u.role, u.auth_source, u.invited_at, u.invited_by, u.deactivated_at,
                  u.created_at, u.updated_at
           FROM api_tokens t JOIN users u ON u.id = t.user_id
           WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.deactivated_at IS NULL",
        )
        .bind(token_hash),
    )
    .await
}

pub async fn touch(ex: &mut Exec<'_>, id: &str, now: i64) -> Result<()> {
    ex.execute(
        q("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Revokes the user's token `id`; `false` if the user has no such live token.
pub async fn revoke(ex: &mut Exec<'_>, user_id: &str, id: &str, now: i64) -> Result<bool> {
    Ok(ex
        .execute(
            q("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
                .bind(id)
                .bind(user_id)
                .bind(now),
        )
        .await?
        == 1)
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_all(ex: &mut Exec<'_>, user_id: &str, now: i64) -> Result<u64> {
    ex.execute(
        q("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id)
            .bind(now),
    )
    .await
}
