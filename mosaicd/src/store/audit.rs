//! `audit_log`: who did what, when. Details are JSON and must never hold a secret.

use std::fmt;

use super::{Exec, ROWS_PER_STATEMENT, Result, new_id, now_ms, q, q_rows};

/// The actor recorded for work the daemon does on its own (the reaper, reconciliation).
pub const SYSTEM: &str = "system";

/// Who asked for something, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The daemon itself: the reaper, reconciliation, startup.
    System,
    /// A local administrator on the admin socket.
    Socket { uid: u32 },
    /// A logged-in user of the HTTP API.
    User { id: String },
    /// Whoever presented the setup token to the WebUI's onboarding endpoints.
    SetupToken,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str(SYSTEM),
            Actor::Socket { uid } => write!(f, "admin-socket:uid={uid}"),
            Actor::User { id } => write!(f, "user:{id}"),
            Actor::SetupToken => f.write_str("onboarding:setup-token"),
        }
    }
}

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
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    detail: serde_json::Value,
) -> Result<()> {
    ex.execute(
        q("INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id())
            .bind(now_ms())
            .bind(actor.to_string())
            .bind(action)
            .bind(target)
            .bind(detail.to_string()),
    )
    .await?;
    Ok(())
}

/// Records one action on many targets, many rows per statement: `(target, detail)` each.
pub async fn record_many(
    ex: &mut Exec<'_>,
    actor: &Actor,
    action: &str,
    entries: &[(String, serde_json::Value)],
) -> Result<()> {
    let (at, actor) = (now_ms(), actor.to_string());
    for chunk in entries.chunks(ROWS_PER_STATEMENT) {
        let mut query = q_rows(
            "INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ",
            1,
            chunk.len(),
            6,
            "",
        );
        for (target, detail) in chunk {
            query = query
                .bind(new_id())
                .bind(at)
                .bind(actor.as_str())
                .bind(action)
                .bind(target.as_str())
                .bind(detail.to_string());
        }
        ex.execute(query).await?;
    }
    Ok(())
}

/// The most recent entries, newest first.
pub async fn recent(ex: &mut Exec<'_>, limit: i64) -> Result<Vec<AuditRow>> {
    ex.all(
        q("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1").bind(limit),
    )
    .await
}
