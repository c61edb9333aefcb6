//! `breakglass_user`: local admin accounts that work even when OIDC is broken.

use super::{Exec, Result, new_id, now_ms, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BreakglassRow {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub password_hash: String,
    pub is_active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn insert(ex: &mut Exec<'_>, user_id: &str, username: &str, password_hash: &str) -> Result<BreakglassRow> {
    let now = now_ms();
    ex.one(
        q(
            "INSERT INTO breakglass_user (id, user_id, username, password_hash, is_active, created_at, updated_at)
           VALUES ($1, $2, $3, $4, TRUE, $5, $5)
           RETURNING id, user_id, username, password_hash, is_active, created_at, updated_at",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(username)
        .bind(password_hash)
        .bind(now),
    )
    .await
}

pub async fn by_username(ex: &mut Exec<'_>, username: &str) -> Result<Option<BreakglassRow>> {
    ex.optional(
        q(
            "SELECT id, user_id, username, password_hash, is_active, created_at, updated_at
           FROM breakglass_user WHERE username = $1",
        )
        .bind(username),
    )
    .await
}

pub async fn list(ex: &mut Exec<'_>) -> Result<Vec<BreakglassRow>> {
    ex.all(q(
        "SELECT id, user_id, username, password_hash, is_active, created_at, updated_at
              FROM breakglass_user ORDER BY username",
    ))
    .await
}

/// Sets a new password hash and reactivates the account; returns the updated row.
pub async fn set_password(ex: &mut Exec<'_>, username: &str, password_hash: &str) -> Result<Option<BreakglassRow>> {
    ex.optional(
        q(
            "UPDATE breakglass_user SET password_hash = $2, is_active = TRUE, updated_at = $3 WHERE username = $1
           RETURNING id, user_id, username, password_hash, is_active, created_at, updated_at",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now_ms()),
    )
    .await
}
