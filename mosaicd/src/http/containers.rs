//! Admin views of the agent containers: every container's status (never a token, a key or chat
//! content) and the system agents (always-on agents with the admin-level providers).

use std::sync::Arc;

use mosaic_shared::types::SystemAgentSpec;
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::reject;
use super::extract::{
    MAX_AGENT_CONFIG_BODY, PageParams, Params, admin, json, json_reply, no_content, ok, query, with_app,
};
use crate::app::App;
use crate::auth::Principal;
use crate::store::paging::PageRequest;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/admin/containers", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(query())
                .and_then(list)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/admin/system-agents", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(list_system_agents)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/admin/system-agents", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                // A system agent may carry a personality (SOUL.md), as an agent config does.
                .and(json::<SystemAgentSpec>(MAX_AGENT_CONFIG_BODY))
                .and_then(add_system_agent)
                .boxed()
        }),
        Endpoint::new(Method::DELETE, "/api/admin/system-agents/{name}", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(remove_system_agent)
                .boxed()
        }),
    ]
}

async fn list(_: Params, app: Arc<App>, _: Principal, raw: String) -> Result<Response, Rejection> {
    let paging = PageParams::parse(&raw).map_err(reject)?;
    let request = PageRequest::new(paging.page, paging.limit).map_err(reject)?;
    Ok(ok(&app.agents().containers_list(request).await.map_err(reject)?))
}

async fn list_system_agents(_: Params, app: Arc<App>, _: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.agents().system_agents_list().await.map_err(reject)?))
}

async fn add_system_agent(
    _: Params,
    app: Arc<App>,
    p: Principal,
    spec: SystemAgentSpec,
) -> Result<Response, Rejection> {
    let agent = app.agents().system_agent_add(&p.actor(), &spec).await.map_err(reject)?;
    Ok(json_reply(StatusCode::CREATED, &agent))
}

async fn remove_system_agent(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    app.agents()
        .system_agent_remove(&p.actor(), params.id())
        .await
        .map_err(reject)?;
    Ok(no_content())
}
