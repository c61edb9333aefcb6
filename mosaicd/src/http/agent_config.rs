//! The authenticated user's agent configuration.

use std::sync::Arc;

use mosaic_shared::types::AgentConfigInput;
use warp::http::Method;
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::reject;
use super::extract::{MAX_AGENT_CONFIG_BODY, Params, json, ok, user, with_app};
use crate::app::App;
use crate::auth::Principal;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/agent-config", |app, m| {
            m.and(with_app(app.clone())).and(user(app)).and_then(show).boxed()
        }),
        Endpoint::new(Method::PUT, "/api/agent-config", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and(json::<AgentConfigInput>(MAX_AGENT_CONFIG_BODY))
                .and_then(replace)
                .boxed()
        }),
    ]
}

async fn show(_: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.agents().agent_config(&p.user_id).await.map_err(reject)?))
}

async fn replace(_: Params, app: Arc<App>, p: Principal, body: AgentConfigInput) -> Result<Response, Rejection> {
    Ok(ok(&app
        .agents()
        .set_agent_config(&p.actor(), &p.user_id, body)
        .await
        .map_err(reject)?))
}
