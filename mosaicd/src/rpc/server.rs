//! The tarpc service implementation: each method hands over to the service layer and converts
//! the error. No rules live here.

use std::sync::Arc;

use mosaic_shared::types::{
    Breakglass, ContainerDetail, ContainerStatus, ReapReport, RotationReport, StartResult, Status, SystemAgent,
    SystemAgentSpec,
};
use mosaic_shared::{Admin, RpcResult, Sensitive};
use tarpc::context::Context;

use super::Peer;
use crate::app::{Actor, App};

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
            .create_breakglass(&self.actor, &username, password.expose())
            .await?)
    }

    async fn reset_breakglass(self, _: Context, username: String, password: Sensitive) -> RpcResult<Breakglass> {
        Ok(self
            .app
            .reset_breakglass(&self.actor, &username, password.expose())
            .await?)
    }

    async fn list_breakglass(self, _: Context) -> RpcResult<Vec<Breakglass>> {
        Ok(self.app.list_breakglass().await?)
    }

    async fn rotate_key(self, _: Context, new_key: Option<Sensitive>) -> RpcResult<RotationReport> {
        Ok(self
            .app
            .rotate_key(&self.actor, new_key.as_ref().map(Sensitive::expose))
            .await?)
    }

    async fn containers_list(self, _: Context) -> RpcResult<Vec<ContainerStatus>> {
        Ok(self.app.containers_list().await?)
    }

    async fn container_inspect(self, _: Context, target: String) -> RpcResult<ContainerDetail> {
        Ok(self.app.container_inspect(&target).await?)
    }

    async fn container_start(self, _: Context, target: String) -> RpcResult<StartResult> {
        Ok(self.app.container_start(&self.actor, &target).await?)
    }

    async fn container_stop(self, _: Context, target: String) -> RpcResult<ContainerStatus> {
        Ok(self.app.container_stop(&self.actor, &target).await?)
    }

    async fn container_restart(self, _: Context, target: String) -> RpcResult<ContainerStatus> {
        Ok(self.app.container_restart(&self.actor, &target).await?)
    }

    async fn containers_reap(self, _: Context) -> RpcResult<ReapReport> {
        Ok(self.app.containers_reap(&self.actor).await?)
    }

    async fn system_agent_add(self, _: Context, spec: SystemAgentSpec) -> RpcResult<SystemAgent> {
        Ok(self.app.system_agent_add(&self.actor, &spec).await?)
    }

    async fn system_agents_list(self, _: Context) -> RpcResult<Vec<SystemAgent>> {
        Ok(self.app.system_agents_list().await?)
    }

    async fn system_agent_remove(self, _: Context, name: String) -> RpcResult<()> {
        Ok(self.app.system_agent_remove(&self.actor, &name).await?)
    }
}
