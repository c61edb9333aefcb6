//! `oidc_login`: OpenID Connect logins in progress, one row per browser that went to the
//! identity provider. Keyed by the SHA-256 of the browser's flow cookie; taken (deleted) by the
//! callback, so a flow finishes at most once.

use super::{Exec, Result, new_id, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowRow {
    pub id: String,
    pub issuer: String,
    pub client_id: String,
    pub return_to: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

pub struct NewFlow<'a> {
    pub cookie_hash: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub return_to: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert(ex: &mut Exec<'_>, flow: NewFlow<'_>) -> Result<()> {
    ex.execute(
        q(
            "INSERT INTO oidc_login (id, cookie_hash, issuer, client_id, return_to, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(flow.cookie_hash)
        .bind(flow.issuer)
        .bind(flow.client_id)
        .bind(flow.return_to)
        .bind(flow.now)
        .bind(flow.expires_at),
    )
    .await?;
    Ok(())
}

/// Removes the flow with this cookie hash and returns it: whoever takes it first finishes it.
pub async fn take(ex: &mut Exec<'_>, cookie_hash: &str) -> Result<Option<FlowRow>> {
    ex.optional(
        q("DELETE FROM oidc_login WHERE cookie_hash = $1
           RETURNING id, issuer, client_id, return_to, created_at, expires_at")
        .bind(cookie_hash),
    )
    .await
}

/// Forgets flows that can no longer finish.
pub async fn delete_expired(ex: &mut Exec<'_>, now: i64) -> Result<u64> {
    ex.execute(q("DELETE FROM oidc_login WHERE expires_at <= $1").bind(now))
        .await
}

/// Flows in progress.
pub async fn count(ex: &mut Exec<'_>) -> Result<i64> {
    let (n,): (i64,) = ex.one(q("SELECT COUNT(*) FROM oidc_login")).await?;
    Ok(n)
}
