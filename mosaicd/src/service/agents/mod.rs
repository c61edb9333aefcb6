//! Agent containers and system agents as the admin socket (and later the admin HTTP API) offers
//! them, plus the authorization of the internal config endpoint. The lifecycle itself is the
//! container manager's (`containers`); these methods name targets, check rules and audit.

pub mod user_config;

use mosaic_shared::types::{
    ContainerDetail, ContainerStatus, DoctorReport, Page, ReapReport, RenderedAgentConfig, StartResult, SystemAgent,
    SystemAgentSpec,
};
use serde_json::json;

use crate::containers::ContainerManager;
use crate::containers::agent_config::{self, AgentConfig};
use crate::containers::{AgentRef, StopReason};
use crate::error::{Error, Result};
use crate::secrets::Keyring;
use crate::service::providers::Providers;
use crate::service::users::Users;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::containers::{self as rows, Kind, NewSystemAgent};
use crate::store::paging::PageRequest;
use crate::store::providers::{self, Owner};
use crate::store::{audit, rfc3339};
use mosaic_shared::ErrorCode;
use std::sync::Arc;

/// A system agent whose fields passed every check, with its provider resolved to an id.
#[derive(Debug, Clone)]
pub(crate) struct CheckedSystemAgent {
    pub name: String,
    pub role: String,
    pub primary_model: String,
    pub provider_id: Option<String>,
    pub personality: Option<String>,
}

/// The agents: each user's agent config, the containers as admins manage them, the system agents,
/// and the internal config endpoint's authorization.
pub struct Agents {
    db: Db,
    keyring: Arc<Keyring>,
    containers: ContainerManager,
    users: Arc<Users>,
    providers: Arc<Providers>,
}

impl Agents {
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        containers: ContainerManager,
        users: Arc<Users>,
        providers: Arc<Providers>,
    ) -> Agents {
        Agents {
            db,
            keyring,
            containers,
            users,
            providers,
        }
    }
}

impl Agents {
    /// Names a container the way an admin types it: `system/NAME`, `user/ID`, a user's email, a
    /// user id, or a breakglass username.
    pub async fn resolve_target(&self, text: &str) -> Result<AgentRef> {
        let text = text.trim();
        if let Some(target) = AgentRef::parse(text) {
            return Ok(target);
        }
        match self.users.resolve_user(text).await {
            Ok(id) => Ok(AgentRef::User(id)),
            Err(e) if e.code() == ErrorCode::NotFound => Err(Error::not_found(format!(
                "no user {text:?} (give a user id, an email, a breakglass username, or system/NAME for a system agent)"
            ))),
            Err(e) => Err(e),
        }
    }

    pub async fn containers_doctor(&self, image: Option<&str>) -> Result<DoctorReport> {
        self.containers.doctor(image).await
    }

    /// What the agent would receive at its next start, keys masked.
    pub async fn agent_config_render(&self, target: &str) -> Result<RenderedAgentConfig> {
        let target = self.resolve_target(target).await?;
        let generated = agent_config::generate(&self.db, &self.keyring, &target).await?;
        Ok(RenderedAgentConfig {
            agent: target.to_string(),
            openclaw_json: generated.redacted,
            soul: generated.soul,
        })
    }

    pub async fn containers_list(&self, request: PageRequest) -> Result<Page<ContainerStatus>> {
        self.containers.list(request).await
    }

    pub async fn container_inspect(&self, target: &str) -> Result<ContainerDetail> {
        let target = self.resolve_target(target).await?;
        self.containers.inspect(&target).await
    }

    /// Starts the container if it is not running; answers its status once it is healthy.
    pub async fn container_start(&self, actor: &Actor, target: &str) -> Result<StartResult> {
        let target = self.resolve_target(target).await?;
        let before = rows::get(&mut self.db.ex(), target.kind(), target.owner())
            .await?
            .map(|row| row.generation);
        self.containers.ensure_running_as(target.clone(), actor).await?;
        let status = self.containers.inspect(&target).await?.status;
        Ok(StartResult {
            // Every start is a new generation; the same one means it was running already.
            started: before != Some(status.generation as i64),
            status,
        })
    }

    pub async fn container_stop(&self, actor: &Actor, target: &str) -> Result<ContainerStatus> {
        let target = self.resolve_target(target).await?;
        self.containers
            .stop_as(target.clone(), StopReason::Admin, actor)
            .await?;
        Ok(self.containers.inspect(&target).await?.status)
    }

    pub async fn container_restart(&self, actor: &Actor, target: &str) -> Result<ContainerStatus> {
        let target = self.resolve_target(target).await?;
        self.containers.restart_as(target.clone(), actor).await?;
        Ok(self.containers.inspect(&target).await?.status)
    }

    pub async fn containers_reap(&self, actor: &Actor) -> Result<ReapReport> {
        self.containers.reap_idle_as(actor).await
    }

    /// The config for the internal endpoint, if `token` is the gateway token of the container
    /// named by `kind`/`id`.
    pub async fn internal_agent_config(&self, kind: &str, id: &str, token: Option<&str>) -> Result<AgentConfig> {
        let unknown = || Error::not_found(format!("no agent container {kind}/{id}"));
        if kind == crate::containers::doctor::TRIAL_OBJECT {
            let token = token.ok_or_else(|| Error::unauthenticated("a bearer token is required"))?;
            return self.containers.trial_config(id, token).ok_or_else(unknown);
        }
        let kind = Kind::parse(kind).ok_or_else(unknown)?;
        let target = AgentRef::new(kind, id);
        let mut ex = self.db.ex();
        let row = rows::get(&mut ex, kind, id).await?.ok_or_else(unknown)?;
        let token = token.ok_or_else(|| Error::unauthenticated("a bearer token is required"))?;
        match rows::by_token_hash(&mut ex, &crate::auth::tokens::hash(token)).await? {
            Some((k, r)) if k == kind && r.id == row.id => {}
            Some((k, r)) => {
                tracing::warn!(
                    requested = %target, presented_by = %AgentRef::new(k, r.owner),
                    "a container asked for another container's config"
                );
                return Err(Error::refused("this token belongs to another container"));
            }
            None => return Err(Error::unauthenticated("invalid or expired gateway token")),
        }
        agent_config::generate(&self.db, &self.keyring, &target).await
    }

    /// Checks a system agent before anything is written. Without a provider, a bare model name
    /// belongs to the default admin-level provider (`providers.systemDefault`, the one
    /// onboarding saved), so the agent keeps using it if more providers are added later.
    pub(crate) async fn check_system_agent(&self, spec: &SystemAgentSpec) -> Result<CheckedSystemAgent> {
        check_system_agent_name(&spec.name)?;
        let role = spec.role.trim();
        if role.is_empty() || role.len() > 64 {
            return Err(Error::invalid("role must be 1 to 64 characters"));
        }
        let model = spec.primary_model.trim();
        if model.is_empty() || model.len() > 200 || model.chars().any(char::is_whitespace) {
            return Err(Error::invalid(
                "primary model must be a model reference such as provider/model",
            ));
        }
        let provider_id = match spec.provider.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(name) => Some(
                providers::get_by_name(&mut self.db.ex(), &Owner::System, name)
                    .await?
                    .ok_or_else(|| Error::not_found(format!("no admin-level provider named {name:?}")))?
                    .id,
            ),
            None => self.providers.default_system_provider().await?.map(|p| p.id),
        };
        let personality = spec
            .personality
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string);
        if personality.as_ref().is_some_and(|p| p.len() > 256 * 1024) {
            return Err(Error::invalid("personality must be at most 256 KiB"));
        }
        Ok(CheckedSystemAgent {
            name: spec.name.clone(),
            role: role.to_string(),
            primary_model: model.to_string(),
            provider_id,
            personality,
        })
    }

    pub async fn system_agent_add(&self, actor: &Actor, spec: &SystemAgentSpec) -> Result<SystemAgent> {
        let checked = self.check_system_agent(spec).await?;
        self.add_checked_system_agent(actor, checked).await
    }

    /// Inserts a checked system agent and starts its container.
    pub(crate) async fn add_checked_system_agent(
        &self,
        actor: &Actor,
        agent: CheckedSystemAgent,
    ) -> Result<SystemAgent> {
        let name = agent.name.as_str();
        let mut tx = self.db.begin().await?;
        let inserted = rows::insert_system_agent(
            &mut tx.ex(),
            &NewSystemAgent {
                name,
                role: &agent.role,
                provider_id: agent.provider_id.as_deref(),
                primary_model: &agent.primary_model,
                personality: agent.personality.as_deref(),
            },
        )
        .await;
        match inserted {
            Err(e) if e.code() == ErrorCode::Conflict => {
                return Err(Error::conflict(format!("a system agent named {name} already exists")));
            }
            other => other?,
        };
        audit::record(
            &mut tx.ex(),
            actor,
            "system_agent.add",
            Some(&format!("system/{name}")),
            json!({ "role": agent.role, "primaryModel": agent.primary_model }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(name, role = %agent.role, %actor, "system agent added");
        let target = AgentRef::System(name.to_string());
        if let Err(e) = self.containers.ensure_running_as(target, actor).await {
            return Err(Error::unavailable(format!(
                "system agent {name} was added, but its container did not start (it will be retried): {e}"
            )));
        }
        self.system_agent(name).await
    }

    pub async fn system_agents_list(&self) -> Result<Vec<SystemAgent>> {
        let agents = rows::system_agents(&mut self.db.ex()).await?;
        let statuses = self.containers.system_statuses().await?;
        let mut out = Vec::new();
        for agent in agents {
            let status = statuses
                .iter()
                .find(|s| s.owner == agent.name)
                .cloned()
                .ok_or_else(|| Error::internal(format!("system agent {} has no status", agent.name)))?;
            out.push(self.system_agent_dto(agent, status).await?);
        }
        Ok(out)
    }

    async fn system_agent(&self, name: &str) -> Result<SystemAgent> {
        let agent = rows::system_agent(&mut self.db.ex(), name)
            .await?
            .ok_or_else(|| Error::not_found(format!("no system agent named {name}")))?;
        let status = self
            .containers
            .inspect(&AgentRef::System(name.to_string()))
            .await?
            .status;
        self.system_agent_dto(agent, status).await
    }

    async fn system_agent_dto(&self, agent: rows::SystemAgentRow, container: ContainerStatus) -> Result<SystemAgent> {
        let provider = match &agent.provider_id {
            Some(id) => providers::get(&mut self.db.ex(), &Owner::System, id)
                .await?
                .map(|p| p.name),
            None => None,
        };
        Ok(SystemAgent {
            name: agent.name,
            role: agent.role,
            primary_model: agent.primary_model,
            provider,
            has_personality: agent.personality.is_some_and(|p| !p.trim().is_empty()),
            active: agent.is_active,
            created_at: rfc3339(agent.created_at),
            container,
        })
    }

    /// Removes a system agent: its container and state volume, then its row.
    pub async fn system_agent_remove(&self, actor: &Actor, name: &str) -> Result<()> {
        if rows::system_agent(&mut self.db.ex(), name).await?.is_none() {
            return Err(Error::not_found(format!("no system agent named {name}")));
        }
        self.containers.remove_system(name, actor).await?;
        let mut tx = self.db.begin().await?;
        rows::delete_system_agent(&mut tx.ex(), name).await?;
        audit::record(
            &mut tx.ex(),
            actor,
            "system_agent.remove",
            Some(&format!("system/{name}")),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(name, %actor, "system agent removed");
        Ok(())
    }
}

/// System agent names become container names (`mosaic-system-<name>`) and agent ids.
pub fn check_system_agent_name(name: &str) -> Result<()> {
    let ok = (1..=40).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid system agent name {name:?}: 1 to 40 lower-case letters, digits and dashes, starting with a letter or digit"
        )))
    }
}
