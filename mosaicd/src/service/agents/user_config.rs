//! A user's agent configuration: primary model, fallbacks, personality (SOUL.md) and default
//! provider. The default provider must be one of the user's own.

use mosaic_shared::policy;
use mosaic_shared::types::{AgentConfig, AgentConfigInput};
use serde_json::json;

use crate::containers::ContainerManager;
use crate::error::{Error, Result};
use crate::service::agents::Agents;
use crate::store::agent_config::{self, AgentConfigRow};
use crate::store::audit::Actor;
use crate::store::providers::{self, Owner};
use crate::store::{Tx, audit, rfc3339};

pub const MAX_FALLBACKS: usize = 10;
/// SOUL.md is a page of text, not a document store.
pub const MAX_PERSONALITY_BYTES: usize = 64 * 1024;

fn to_dto(row: Option<AgentConfigRow>) -> Result<AgentConfig> {
    let Some(row) = row else {
        return Ok(AgentConfig::default());
    };
    Ok(AgentConfig {
        fallback_models: serde_json::from_str(&row.fallback_models).map_err(|e| {
            Error::internal(format!(
                "fallback models of user {} are not valid JSON: {e}",
                row.user_id
            ))
        })?,
        primary_model: row.primary_model,
        personality: row.personality,
        provider_id: row.provider_id,
        updated_at: Some(rfc3339(row.updated_at)),
    })
}

impl Agents {
    pub async fn agent_config(&self, user_id: &str) -> Result<AgentConfig> {
        to_dto(agent_config::get(&mut self.db.ex(), user_id).await?)
    }

    /// Replaces the user's agent configuration.
    pub async fn set_agent_config(&self, actor: &Actor, user_id: &str, input: AgentConfigInput) -> Result<AgentConfig> {
        let primary = input
            .primary_model
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty());
        if let Some(model) = &primary {
            policy::check_model_ref(model).map_err(Error::invalid)?;
        }
        if input.fallback_models.len() > MAX_FALLBACKS {
            return Err(Error::invalid(format!("at most {MAX_FALLBACKS} fallback models")));
        }
        let mut fallbacks: Vec<String> = Vec::new();
        for model in &input.fallback_models {
            let model = model.trim().to_string();
            policy::check_model_ref(&model).map_err(Error::invalid)?;
            if fallbacks.contains(&model) || primary.as_ref() == Some(&model) {
                return Err(Error::invalid(format!("model {model:?} is listed twice")));
            }
            fallbacks.push(model);
        }
        let personality = input.personality.filter(|p| !p.trim().is_empty());
        if personality.as_ref().is_some_and(|p| p.len() > MAX_PERSONALITY_BYTES) {
            return Err(Error::invalid(format!(
                "the personality is too long: at most {} KiB",
                MAX_PERSONALITY_BYTES / 1024
            )));
        }
        let owner = Owner::User(user_id.to_string());
        let mut tx = self.db.begin().await?;
        if let Some(id) = &input.provider_id
            && providers::get(&mut tx.ex(), &owner, id).await?.is_none()
        {
            return Err(Error::not_found("provider not found"));
        }
        let row = agent_config::put(
            &mut tx.ex(),
            &AgentConfigRow {
                user_id: user_id.to_string(),
                primary_model: primary,
                fallback_models: serde_json::to_string(&fallbacks)
                    .map_err(|e| Error::internal(format!("cannot encode fallbacks: {e}")))?,
                personality,
                provider_id: input.provider_id,
                updated_at: 0,
            },
        )
        .await?;
        audit::record(
            &mut tx.ex(),
            actor,
            "agent_config.update",
            Some(user_id),
            json!({
                "primaryModel": row.primary_model,
                "fallbacks": fallbacks.len(),
                "personality": row.personality.is_some(),
                "providerId": row.provider_id,
            }),
        )
        .await?;
        apply_to_agents(&self.containers, tx, &owner).await?;
        to_dto(Some(row))
    }
}

/// The one place a change to what an agent is configured with (its providers, its agent
/// config) lands: commits the change, then restarts the owner's running container (for the
/// admin-level providers: every running system agent) so the agent picks up the new
/// configuration; the state volume is kept. The change stands if the restart fails (Docker
/// away): it is logged, and the next start uses the new configuration anyway.
pub(crate) async fn apply_to_agents(containers: &ContainerManager, tx: Tx, owner: &Owner) -> Result<()> {
    tx.commit().await?;
    tracing::debug!(?owner, "agent configuration changed");
    let restarted = match owner {
        Owner::User(id) => containers.config_changed(id).await,
        Owner::System => containers.system_config_changed().await,
    };
    if let Err(e) = restarted {
        tracing::warn!(?owner, error = %e.full(), "the agent configuration changed but the agent could not be restarted");
    }
    Ok(())
}
