//! The admin users page: list with pagination, invite, show, update, deactivate, reactivate.

use std::sync::Arc;

use mosaic_shared::types::{InviteRequest, UserPatch};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::{ApiError, reject};
use super::extract::{MAX_JSON_BODY, Params, admin, json, json_reply, ok, query, query_pairs, with_app};
use crate::app::App;
use crate::auth::Principal;
use crate::service::users::DEFAULT_PAGE_SIZE;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/admin/users", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(query())
                .and_then(list)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/admin/users/invite", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(json::<InviteRequest>(MAX_JSON_BODY))
                .and_then(invite)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/admin/users/{id}", |app, m| {
            m.and(with_app(app.clone())).and(admin(app)).and_then(show).boxed()
        }),
        Endpoint::new(Method::PATCH, "/api/admin/users/{id}", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(json::<UserPatch>(MAX_JSON_BODY))
                .and_then(update)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/admin/users/{id}/deactivate", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(deactivate)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/admin/users/{id}/reactivate", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(reactivate)
                .boxed()
        }),
    ]
}

fn whole_number(name: &str, value: &str) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .map_err(|_| ApiError::invalid(format!("{name} must be a whole number, not {value:?}")))
}

async fn list(_: Params, app: Arc<App>, _: Principal, raw: String) -> Result<Response, Rejection> {
    let (mut page, mut limit) = (1, DEFAULT_PAGE_SIZE);
    for (name, value) in query_pairs(&raw, &["page", "limit"]).map_err(reject)? {
        match name.as_str() {
            "page" => page = whole_number("page", &value).map_err(reject)?,
            _ => limit = whole_number("limit", &value).map_err(reject)?,
        }
    }
    Ok(ok(&app.users().list_users(page, limit).await.map_err(reject)?))
}

async fn invite(_: Params, app: Arc<App>, p: Principal, body: InviteRequest) -> Result<Response, Rejection> {
    let invitation = app.users().invite_user(&p.actor(), body).await.map_err(reject)?;
    Ok(json_reply(StatusCode::CREATED, &invitation))
}

async fn show(params: Params, app: Arc<App>, _: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.users().get_user(params.id()).await.map_err(reject)?))
}

async fn update(params: Params, app: Arc<App>, p: Principal, body: UserPatch) -> Result<Response, Rejection> {
    Ok(ok(&app
        .users()
        .update_user(&p.actor(), params.id(), body)
        .await
        .map_err(reject)?))
}

async fn deactivate(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app
        .users()
        .deactivate_user(&p.actor(), params.id())
        .await
        .map_err(reject)?))
}

async fn reactivate(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app
        .users()
        .reactivate_user(&p.actor(), params.id())
        .await
        .map_err(reject)?))
}
