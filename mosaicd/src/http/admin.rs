//! Admin settings: the OIDC client (secret write-only) and the runtime system settings.

use std::sync::Arc;

use mosaic_shared::types::{OidcInput, SettingsPatch};
use warp::http::Method;
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::reject;
use super::extract::{MAX_JSON_BODY, Params, admin, json, no_content, ok, with_app};
use crate::app::App;
use crate::auth::Principal;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/admin/oidc", |app, m| {
            m.and(with_app(app.clone())).and(admin(app)).and_then(show_oidc).boxed()
        }),
        Endpoint::new(Method::PUT, "/api/admin/oidc", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(json::<OidcInput>(MAX_JSON_BODY))
                .and_then(set_oidc)
                .boxed()
        }),
        Endpoint::new(Method::DELETE, "/api/admin/oidc", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(clear_oidc)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/admin/settings", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(show_settings)
                .boxed()
        }),
        Endpoint::new(Method::PATCH, "/api/admin/settings", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(json::<SettingsPatch>(MAX_JSON_BODY))
                .and_then(update_settings)
                .boxed()
        }),
    ]
}

async fn show_oidc(_: Params, app: Arc<App>, _: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.oidc().oidc_settings().await.map_err(reject)?))
}

async fn set_oidc(_: Params, app: Arc<App>, p: Principal, body: OidcInput) -> Result<Response, Rejection> {
    Ok(ok(&app
        .oidc()
        .set_oidc_settings(&p.actor(), body)
        .await
        .map_err(reject)?))
}

async fn clear_oidc(_: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    app.oidc().clear_oidc_settings(&p.actor()).await.map_err(reject)?;
    Ok(no_content())
}

async fn show_settings(_: Params, app: Arc<App>, _: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.settings().system_settings().await.map_err(reject)?))
}

async fn update_settings(_: Params, app: Arc<App>, p: Principal, body: SettingsPatch) -> Result<Response, Rejection> {
    Ok(ok(&app
        .settings()
        .update_system_settings(&p.actor(), body)
        .await
        .map_err(reject)?))
}
