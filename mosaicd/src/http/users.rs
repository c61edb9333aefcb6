//! The admin users page: list with pagination, invite, show, update, deactivate, reactivate.

use std::sync::Arc;

use mosaic_shared::types::{InviteRequest, UserPatch};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::{ApiError, reject};
use super::extract::{MAX_JSON_BODY, PageParams, Params, admin, json, json_reply, ok, query, query_pairs, with_app};
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

async fn list(_: Params, app: Arc<App>, _: Principal, raw: String) -> Result<Response, Rejection> {
    let (mut paging, mut include_deactivated) = (PageParams::default(), true);
    for (name, value) in query_pairs(&raw, &["page", "limit", "includeDeactivated"]).map_err(reject)? {
        if paging.take(&name, &value).map_err(reject)? {
            continue;
        }
        include_deactivated = match value.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(reject(ApiError::invalid("includeDeactivated must be true or false"))),
        }
    }
    Ok(ok(&app
        .users()
        .list_users(
            paging.page.unwrap_or(1),
            paging.limit.unwrap_or(DEFAULT_PAGE_SIZE),
            include_deactivated,
        )
        .await
        .map_err(reject)?))
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
