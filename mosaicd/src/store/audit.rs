//! `audit_log`: who did what, when. Details are JSON and must never hold a secret.

use super::{Exec, Result, new_id, now_ms, q};

/// The actor recorded for work the daemon does on its own (the reaper, reconciliation).
pub const SYSTEM: &str = "system";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
}

pub async fn record(
    ex: &mut Exec<'_>,
    actor: &str,
    action: &str,
    target: Option<&str>,
    detail: serde_json::Value,
) -> Result<()> {
    ex.execute(
        q("INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id())
            .bind(now_ms())
            .bind(actor)
            .bind(action)
            .bind(target)
            .bind(detail.to_string()),
    )
    .await?;
    Ok(())
}

/// The most recent entries, newest first.
pub async fn recent(ex: &mut Exec<'_>, limit: i64) -> Result<Vec<AuditRow>> {
    ex.all(
        q("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1").bind(limit),
    )
    .await
}
