//! `user_agent_config`: a user's agent preferences (primary model, fallbacks, personality,
//! default provider). One row per user, created on first write.

use super::{Exec, Result, new_id, now_ms, q};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct AgentConfigRow {
    pub user_id: String,
    pub primary_model: Option<String>,
    /// JSON array of model references.
    pub fallback_models: String,
    /// SOUL.md content.
    pub personality: Option<String>,
    pub provider_id: Option<String>,
    pub updated_at: i64,
}

pub async fn get(ex: &mut Exec<'_>, user_id: &str) -> Result<Option<AgentConfigRow>> {
    ex.optional(
        q(
            "SELECT user_id, primary_model, fallback_models, personality, provider_id, updated_at
           FROM user_agent_config WHERE user_id = $1",
        )
        .bind(user_id),
    )
    .await
}

/// Writes the whole configuration of `user_id`.
pub async fn put(ex: &mut Exec<'_>, row: &AgentConfigRow) -> Result<AgentConfigRow> {
    let now = now_ms();
    ex.one(
        q(
            "INSERT INTO user_agent_config (id, user_id, primary_model, fallback_models, personality, provider_id,
                                          created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
           ON CONFLICT (user_id) DO UPDATE SET primary_model = $3, fallback_models = $4, personality = $5,
                                               provider_id = $6, updated_at = $7
           RETURNING user_id, primary_model, fallback_models, personality, provider_id, updated_at",
        )
        .bind(new_id())
        .bind(&row.user_id)
        .bind(row.primary_model.clone())
        .bind(&row.fallback_models)
        .bind(row.personality.clone())
        .bind(row.provider_id.clone())
        .bind(now),
    )
    .await
}
