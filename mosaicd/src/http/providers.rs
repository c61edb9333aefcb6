//! A user's own LLM providers. Every call is scoped to the authenticated user: another user's
//! provider answers 404, exactly like one that does not exist.

use std::sync::Arc;

use mosaic_shared::types::{NewProvider, ProviderDraft, ProviderPatch};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::reject;
use super::extract::{MAX_JSON_BODY, Params, json, json_reply, no_content, ok, user, with_app};
use crate::app::App;
use crate::auth::Principal;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/providers", |app, m| {
            m.and(with_app(app.clone())).and(user(app)).and_then(list).boxed()
        }),
        Endpoint::new(Method::POST, "/api/providers", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and(json::<NewProvider>(MAX_JSON_BODY))
                .and_then(create)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/providers/test", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and(json::<ProviderDraft>(MAX_JSON_BODY))
                .and_then(test_draft)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/providers/{id}", |app, m| {
            m.and(with_app(app.clone())).and(user(app)).and_then(show).boxed()
        }),
        Endpoint::new(Method::PATCH, "/api/providers/{id}", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and(json::<ProviderPatch>(MAX_JSON_BODY))
                .and_then(update)
                .boxed()
        }),
        Endpoint::new(Method::DELETE, "/api/providers/{id}", |app, m| {
            m.and(with_app(app.clone())).and(user(app)).and_then(delete).boxed()
        }),
        Endpoint::new(Method::POST, "/api/providers/{id}/test", |app, m| {
            m.and(with_app(app.clone())).and(user(app)).and_then(test).boxed()
        }),
    ]
}

async fn list(_: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.providers().list_providers(&p.owner()).await.map_err(reject)?))
}

async fn create(_: Params, app: Arc<App>, p: Principal, body: NewProvider) -> Result<Response, Rejection> {
    let provider = app
        .providers()
        .create_provider(&p.actor(), &p.owner(), body)
        .await
        .map_err(reject)?;
    Ok(json_reply(StatusCode::CREATED, &provider))
}

async fn show(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app
        .providers()
        .get_provider(&p.owner(), params.id())
        .await
        .map_err(reject)?))
}

async fn update(params: Params, app: Arc<App>, p: Principal, body: ProviderPatch) -> Result<Response, Rejection> {
    let provider = app
        .providers()
        .update_provider(&p.actor(), &p.owner(), params.id(), body)
        .await
        .map_err(reject)?;
    Ok(ok(&provider))
}

async fn delete(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    app.providers()
        .delete_provider(&p.actor(), &p.owner(), params.id())
        .await
        .map_err(reject)?;
    Ok(no_content())
}

async fn test(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app
        .providers()
        .test_provider(&p.owner(), params.id())
        .await
        .map_err(reject)?))
}

async fn test_draft(_: Params, app: Arc<App>, _: Principal, body: ProviderDraft) -> Result<Response, Rejection> {
    Ok(ok(&app.providers().test_provider_draft(body).await.map_err(reject)?))
}
