//! The tarpc service implementation: each method hands over to the service layer and converts
//! the error. No rules live here.

use std::sync::Arc;

use mosaic_shared::types::{
    Breakglass, OidcIssuerCheck, OnboardingStatus, RotationReport, SetupToken, SkippableStep, Status,
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

    async fn onboarding_status(self, _: Context) -> RpcResult<OnboardingStatus> {
        Ok(self.app.onboarding_status().await?)
    }

    async fn onboarding_setup_token(self, _: Context) -> RpcResult<SetupToken> {
        Ok(self.app.issue_setup_token(&self.actor).await?)
    }

    async fn onboarding_check_oidc_issuer(self, _: Context, issuer_url: String) -> RpcResult<OidcIssuerCheck> {
        Ok(self.app.check_oidc_issuer(issuer_url.trim()).await?)
    }

    async fn onboarding_skip(self, _: Context, step: SkippableStep) -> RpcResult<OnboardingStatus> {
        Ok(self.app.onboarding_skip(&self.actor, step).await?)
    }

    async fn onboarding_complete(self, _: Context) -> RpcResult<OnboardingStatus> {
        Ok(self.app.complete_onboarding(&self.actor).await?)
    }
}
