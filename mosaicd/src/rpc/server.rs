//! The tarpc service implementation: each method hands over to the service layer and converts
//! the error. No rules live here.

use std::sync::Arc;

use mosaic_shared::types::{
    AdminUser, AgentConfig, AgentConfigInput, BackupChunk, BackupStatus, Breakglass, ConfigChange, ConfigEntry,
    ConnectionTest, ContainerDetail, ContainerStatus, DoctorReport, Invitation, InviteRequest, NewProvider, OidcInput,
    OidcIssuerCheck, OnboardingStatus, Page, Provider, ProviderPatch, ProviderStepResult, ReapReport,
    RenderedAgentConfig, RotationReport, SetupToken, SkippableStep, StartResult, Status, SystemAgent, SystemAgentSpec,
    SystemAgentsInput, SystemAgentsSaved, UsageQuery, UsageReport, UserPatch,
};
use mosaic_shared::{Admin, RpcResult, Sensitive};
use tarpc::context::Context;

use super::Peer;
use crate::app::App;
use crate::service::usage::UsageRange;
use crate::service::users::DEFAULT_PAGE_SIZE;
use crate::store::audit::Actor;
use crate::store::paging::PageRequest;
use crate::store::providers::Owner;

#[derive(Clone)]
pub struct AdminServer {
    app: Arc<App>,
    actor: Actor,
}

impl AdminServer {
    pub fn new(app: Arc<App>, peer: Peer) -> Self {
        AdminServer {
            app,
            actor: Actor::Socket { uid: peer.uid },
        }
    }
}

impl Admin for AdminServer {
    async fn status(self, _: Context) -> RpcResult<Status> {
        Ok(self.app.status().await?)
    }

    async fn create_breakglass(self, _: Context, username: String, password: Sensitive) -> RpcResult<Breakglass> {
        Ok(self
            .app
            .auth()
            .create_breakglass(&self.actor, &username, password.expose())
            .await?)
    }

    async fn reset_breakglass(self, _: Context, username: String, password: Sensitive) -> RpcResult<Breakglass> {
        Ok(self
            .app
            .auth()
            .reset_breakglass(&self.actor, &username, password.expose())
            .await?)
    }

    async fn list_breakglass(self, _: Context) -> RpcResult<Vec<Breakglass>> {
        Ok(self.app.auth().list_breakglass().await?)
    }

    async fn rotate_key(self, _: Context, new_key: Option<Sensitive>) -> RpcResult<RotationReport> {
        Ok(self
            .app
            .keys()
            .rotate_key(&self.actor, new_key.as_ref().map(Sensitive::expose))
            .await?)
    }

    async fn providers_list(self, _: Context, user: Option<String>) -> RpcResult<Vec<Provider>> {
        let owner = self.app.providers().provider_owner(user.as_deref()).await?;
        Ok(self.app.providers().list_providers(&owner).await?)
    }

    async fn provider_get(self, _: Context, user: Option<String>, provider: String) -> RpcResult<Provider> {
        let owner = self.app.providers().provider_owner(user.as_deref()).await?;
        let id = self.app.providers().resolve_provider(&owner, &provider).await?;
        Ok(self.app.providers().get_provider(&owner, &id).await?)
    }

    async fn provider_create(self, _: Context, user: Option<String>, input: NewProvider) -> RpcResult<Provider> {
        let owner = self.app.providers().provider_owner(user.as_deref()).await?;
        Ok(self.app.providers().create_provider(&self.actor, &owner, input).await?)
    }

    async fn provider_update(
        self,
        _: Context,
        user: Option<String>,
        provider: String,
        patch: ProviderPatch,
    ) -> RpcResult<Provider> {
        let owner = self.app.providers().provider_owner(user.as_deref()).await?;
        let id = self.app.providers().resolve_provider(&owner, &provider).await?;
        Ok(self
            .app
            .providers()
            .update_provider(&self.actor, &owner, &id, patch)
            .await?)
    }

    async fn provider_delete(self, _: Context, user: Option<String>, provider: String) -> RpcResult<()> {
        let owner = self.app.providers().provider_owner(user.as_deref()).await?;
        let id = self.app.providers().resolve_provider(&owner, &provider).await?;
        Ok(self.app.providers().delete_provider(&self.actor, &owner, &id).await?)
    }

    async fn provider_test(self, _: Context, user: Option<String>, provider: String) -> RpcResult<ConnectionTest> {
        let owner = self.app.providers().provider_owner(user.as_deref()).await?;
        let id = self.app.providers().resolve_provider(&owner, &provider).await?;
        Ok(self.app.providers().test_provider(&owner, &id).await?)
    }

    async fn users_list(self, _: Context, page: Option<i64>, limit: Option<i64>) -> RpcResult<Page<AdminUser>> {
        Ok(self
            .app
            .users()
            .list_users(page.unwrap_or(1), limit.unwrap_or(DEFAULT_PAGE_SIZE), true)
            .await?)
    }

    async fn user_get(self, _: Context, user: String) -> RpcResult<AdminUser> {
        let id = self.app.users().resolve_user(&user).await?;
        Ok(self.app.users().get_user(&id).await?)
    }

    async fn user_invite(self, _: Context, request: InviteRequest) -> RpcResult<Invitation> {
        Ok(self.app.users().invite_user(&self.actor, request).await?)
    }

    async fn user_update(self, _: Context, user: String, patch: UserPatch) -> RpcResult<AdminUser> {
        let id = self.app.users().resolve_user(&user).await?;
        Ok(self.app.users().update_user(&self.actor, &id, patch).await?)
    }

    async fn user_deactivate(self, _: Context, user: String) -> RpcResult<AdminUser> {
        let id = self.app.users().resolve_user(&user).await?;
        Ok(self.app.users().deactivate_user(&self.actor, &id).await?)
    }

    async fn user_reactivate(self, _: Context, user: String) -> RpcResult<AdminUser> {
        let id = self.app.users().resolve_user(&user).await?;
        Ok(self.app.users().reactivate_user(&self.actor, &id).await?)
    }

    async fn agent_config_get(self, _: Context, user: String) -> RpcResult<AgentConfig> {
        let id = self.app.users().resolve_user(&user).await?;
        Ok(self.app.agents().agent_config(&id).await?)
    }

    async fn agent_config_set(self, _: Context, user: String, mut input: AgentConfigInput) -> RpcResult<AgentConfig> {
        let id = self.app.users().resolve_user(&user).await?;
        if let Some(provider) = &input.provider_id {
            let owner = Owner::User(id.clone());
            input.provider_id = Some(self.app.providers().resolve_provider(&owner, provider).await?);
        }
        Ok(self.app.agents().set_agent_config(&self.actor, &id, input).await?)
    }

    async fn config_list(self, _: Context) -> RpcResult<Vec<ConfigEntry>> {
        Ok(self.app.system_config().config_list().await?)
    }

    async fn config_get(self, _: Context, key: String) -> RpcResult<ConfigEntry> {
        Ok(self.app.system_config().config_get(&key).await?)
    }

    async fn config_set(self, _: Context, changes: Vec<ConfigChange>) -> RpcResult<Vec<ConfigEntry>> {
        Ok(self.app.system_config().config_set(&self.actor, changes).await?)
    }

    async fn config_unset(self, _: Context, keys: Vec<String>) -> RpcResult<Vec<ConfigEntry>> {
        Ok(self.app.system_config().config_unset(&self.actor, keys).await?)
    }

    async fn containers_list(
        self,
        _: Context,
        page: Option<i64>,
        limit: Option<i64>,
    ) -> RpcResult<Page<ContainerStatus>> {
        let request = PageRequest::new(page, limit)?;
        Ok(self.app.agents().containers_list(request).await?)
    }

    async fn container_inspect(self, _: Context, target: String) -> RpcResult<ContainerDetail> {
        Ok(self.app.agents().container_inspect(&target).await?)
    }

    async fn container_start(self, _: Context, target: String) -> RpcResult<StartResult> {
        Ok(self.app.agents().container_start(&self.actor, &target).await?)
    }

    async fn container_stop(self, _: Context, target: String) -> RpcResult<ContainerStatus> {
        Ok(self.app.agents().container_stop(&self.actor, &target).await?)
    }

    async fn container_restart(self, _: Context, target: String) -> RpcResult<ContainerStatus> {
        Ok(self.app.agents().container_restart(&self.actor, &target).await?)
    }

    async fn containers_reap(self, _: Context) -> RpcResult<ReapReport> {
        Ok(self.app.agents().containers_reap(&self.actor).await?)
    }

    async fn system_agent_add(self, _: Context, spec: SystemAgentSpec) -> RpcResult<SystemAgent> {
        Ok(self.app.agents().system_agent_add(&self.actor, &spec).await?)
    }

    async fn system_agents_list(self, _: Context) -> RpcResult<Vec<SystemAgent>> {
        Ok(self.app.agents().system_agents_list().await?)
    }

    async fn system_agent_remove(self, _: Context, name: String) -> RpcResult<()> {
        Ok(self.app.agents().system_agent_remove(&self.actor, &name).await?)
    }

    async fn containers_doctor(self, _: Context, image: Option<String>) -> RpcResult<DoctorReport> {
        Ok(self.app.agents().containers_doctor(image.as_deref()).await?)
    }

    async fn agent_config_render(self, _: Context, target: String) -> RpcResult<RenderedAgentConfig> {
        Ok(self.app.agents().agent_config_render(&target).await?)
    }

    async fn usage_report(self, _: Context, query: UsageQuery) -> RpcResult<UsageReport> {
        let user = match &query.user {
            Some(user) => Some(self.app.users().resolve_user(user).await?),
            None => None,
        };
        let range = UsageRange {
            from: query.from.as_deref(),
            to: query.to.as_deref(),
            user: user.as_deref(),
        };
        Ok(self
            .app
            .usage()
            .usage_report(range, query.page.unwrap_or(1), query.limit.unwrap_or(DEFAULT_PAGE_SIZE))
            .await?)
    }

    async fn backup_start(self, _: Context) -> RpcResult<BackupStatus> {
        Ok(self.app.backup().backup_start(&self.actor).await?)
    }

    async fn backup_status(self, _: Context, id: String) -> RpcResult<BackupStatus> {
        Ok(self.app.backup().backup_status(&id)?)
    }

    async fn backup_read(self, _: Context, id: String, offset: u64, len: u64) -> RpcResult<BackupChunk> {
        Ok(self.app.backup().backup_read(&id, offset, len)?)
    }

    async fn backup_finish(self, _: Context, id: String) -> RpcResult<()> {
        Ok(self.app.backup().backup_finish(&id)?)
    }

    async fn onboarding_status(self, _: Context) -> RpcResult<OnboardingStatus> {
        Ok(self.app.onboarding().onboarding_status().await?)
    }

    async fn onboarding_setup_token(self, _: Context) -> RpcResult<SetupToken> {
        Ok(self.app.onboarding().issue_setup_token(&self.actor).await?)
    }

    async fn onboarding_check_oidc_issuer(self, _: Context, issuer_url: String) -> RpcResult<OidcIssuerCheck> {
        Ok(self.app.oidc().check_oidc_issuer(issuer_url.trim()).await?)
    }

    async fn onboarding_breakglass(
        self,
        _: Context,
        username: String,
        password: Sensitive,
    ) -> RpcResult<OnboardingStatus> {
        Ok(self
            .app
            .onboarding()
            .onboarding_breakglass(&self.actor, &username, password.expose())
            .await?)
    }

    async fn onboarding_oidc(self, _: Context, input: OidcInput) -> RpcResult<OnboardingStatus> {
        Ok(self.app.onboarding().onboarding_set_oidc(&self.actor, input).await?)
    }

    async fn onboarding_provider(self, _: Context, input: NewProvider) -> RpcResult<ProviderStepResult> {
        Ok(self
            .app
            .onboarding()
            .onboarding_save_provider(&self.actor, input)
            .await?)
    }

    async fn onboarding_system_agents(self, _: Context, input: SystemAgentsInput) -> RpcResult<SystemAgentsSaved> {
        Ok(self
            .app
            .onboarding()
            .onboarding_system_agents(&self.actor, input)
            .await?)
    }

    async fn onboarding_skip(self, _: Context, step: SkippableStep) -> RpcResult<OnboardingStatus> {
        Ok(self.app.onboarding().onboarding_skip(&self.actor, step).await?)
    }

    async fn onboarding_complete(self, _: Context) -> RpcResult<OnboardingStatus> {
        Ok(self.app.onboarding().complete_onboarding(&self.actor).await?)
    }
}
