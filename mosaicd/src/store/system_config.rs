//! `system_config`: the daemon's runtime settings, one row per key. Secret values (the OIDC client
//! secret, the key check value) are stored encrypted and flagged so.

use super::{Exec, Result, now_ms, q};

/// Keys the daemon itself reads. Others are added by the settings they belong to.
pub const ONBOARDING_COMPLETED: &str = "onboarding.completed";
/// An encrypted constant written at first start: decrypting it at every start proves the
/// configured key is the one the database was written with.
pub const KEY_CHECK: &str = "secrets.key_check";

/// Where the key check value is bound (see `secrets::Binding`).
pub fn key_check_binding() -> crate::secrets::Binding {
    crate::secrets::Binding::new("system_config", KEY_CHECK, "value")
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConfigRow {
    pub key: String,
    pub value: String,
    pub encrypted: bool,
    pub updated_at: i64,
}

pub async fn get(ex: &mut Exec<'_>, key: &str) -> Result<Option<ConfigRow>> {
    ex.optional(q("SELECT key, value, encrypted, updated_at FROM system_config WHERE key = $1").bind(key))
        .await
}

pub async fn list(ex: &mut Exec<'_>) -> Result<Vec<ConfigRow>> {
    ex.all(q(
        "SELECT key, value, encrypted, updated_at FROM system_config ORDER BY key",
    ))
    .await
}

pub async fn set(ex: &mut Exec<'_>, key: &str, value: &str, encrypted: bool) -> Result<()> {
    ex.execute(
        q(
            "INSERT INTO system_config (key, value, encrypted, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET value = $2, encrypted = $3, updated_at = $4",
        )
        .bind(key)
        .bind(value)
        .bind(encrypted)
        .bind(now_ms()),
    )
    .await?;
    Ok(())
}

pub async fn delete(ex: &mut Exec<'_>, key: &str) -> Result<bool> {
    Ok(ex
        .execute(q("DELETE FROM system_config WHERE key = $1").bind(key))
        .await?
        > 0)
}

/// Whether the boolean setting `key` is set to `true`.
pub async fn flag(ex: &mut Exec<'_>, key: &str) -> Result<bool> {
    Ok(get(ex, key)
        .await?
        .is_some_and(|row| !row.encrypted && row.value == "true"))
}
