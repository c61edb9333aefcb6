//! Login, session, logout, invite acceptance and personal API tokens.

use std::sync::Arc;

use mosaic_shared::types::{AcceptInviteRequest, AuthMethod, LoginRequest, NewApiToken, SessionInfo};
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::{ApiError, reject};
use super::extract::{
    MAX_JSON_BODY, Params, client, cookie_name, json, json_reply, no_content, ok, session_cookie, set_cookie, user,
    with_app, with_cookie,
};
use crate::app::App;
use crate::auth::throttle::Client;
use crate::auth::{Principal, Via};
use crate::service::auth::current_user;
use crate::store::rfc3339;

fn session_info(app: &App, p: &Principal) -> SessionInfo {
    match &p.via {
        Via::Session { csrf, expires_at, .. } => SessionInfo {
            user: current_user(p),
            auth_method: AuthMethod::Session,
            csrf_token: Some(csrf.clone()),
            expires_at: Some(rfc3339(*expires_at)),
            idle_timeout_seconds: Some(app.config().http.session_idle_timeout.as_secs()),
        },
        Via::Token { .. } => SessionInfo {
            user: current_user(p),
            auth_method: AuthMethod::Token,
            csrf_token: None,
            expires_at: None,
            idle_timeout_seconds: None,
        },
    }
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::POST, "/api/auth/login", |app, m| {
            m.and(with_app(app))
                .and(warp::header::headers_cloned())
                .and(client())
                .and(json::<LoginRequest>(MAX_JSON_BODY))
                .and_then(login)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/auth/session", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .map(|_, app: Arc<App>, p: Principal| ok(&session_info(&app, &p)))
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/auth/logout", |app, m| {
            m.and(with_app(app))
                .and(warp::header::headers_cloned())
                .and_then(logout)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/auth/invite/accept", |app, m| {
            m.and(with_app(app))
                .and(client())
                .and(json::<AcceptInviteRequest>(MAX_JSON_BODY))
                .and_then(accept_invite)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/tokens", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and_then(list_tokens)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/tokens", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and(json::<NewApiToken>(MAX_JSON_BODY))
                .and_then(create_token)
                .boxed()
        }),
        Endpoint::new(Method::DELETE, "/api/tokens/{id}", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and_then(revoke_token)
                .boxed()
        }),
    ]
}

async fn login(
    _: Params,
    app: Arc<App>,
    headers: HeaderMap,
    client: Client,
    body: LoginRequest,
) -> Result<Response, Rejection> {
    let session = app
        .auth()
        .login(body.username.trim(), body.password.expose(), client)
        .await
        .map_err(reject)?;
    // A login from a browser that still holds a session replaces it.
    if let Some(old) = session_cookie(&headers, cookie_name(&app.config().http)) {
        app.auth().end_session_by_token(&old).await.map_err(reject)?;
    }
    let response = ok(&session_info(&app, &session.principal));
    Ok(with_cookie(
        response,
        set_cookie(&app.config().http, Some(session.token.expose())),
    ))
}

/// Ends the cookie's session. Without a valid session there is nothing to end: the cookie is
/// cleared all the same.
async fn logout(_: Params, app: Arc<App>, headers: HeaderMap) -> Result<Response, Rejection> {
    let clear = set_cookie(&app.config().http, None);
    if headers.contains_key(warp::http::header::AUTHORIZATION) {
        return Err(reject(ApiError::invalid(
            "logout ends a browser session; an API token is revoked with DELETE /api/tokens/{id}",
        )));
    }
    if session_cookie(&headers, cookie_name(&app.config().http)).is_none() {
        return Ok(with_cookie(no_content(), clear));
    }
    let principal = match super::extract::authenticate(&app, &Method::POST, &headers).await {
        Ok(p) => p,
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => return Ok(with_cookie(no_content(), clear)),
        Err(e) => return Err(reject(e)),
    };
    app.auth().end_session(&principal).await.map_err(reject)?;
    Ok(with_cookie(no_content(), clear))
}

async fn accept_invite(
    _: Params,
    app: Arc<App>,
    client: Client,
    body: AcceptInviteRequest,
) -> Result<Response, Rejection> {
    let user = app
        .auth()
        .accept_invite(
            body.token.expose(),
            body.password.expose(),
            body.name.as_deref(),
            client,
        )
        .await
        .map_err(reject)?;
    Ok(ok(&user))
}

async fn list_tokens(_: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    Ok(ok(&app.auth().list_api_tokens(&p.user_id).await.map_err(reject)?))
}

async fn create_token(_: Params, app: Arc<App>, p: Principal, body: NewApiToken) -> Result<Response, Rejection> {
    if !matches!(p.via, Via::Session { .. }) {
        return Err(reject(ApiError::forbidden(
            "API tokens are created from a logged-in session, not with another API token",
        )));
    }
    let created = app
        .auth()
        .create_api_token(&p.actor(), &p.user_id, &body.name, body.expires_in_days)
        .await
        .map_err(reject)?;
    Ok(json_reply(StatusCode::CREATED, &created))
}

async fn revoke_token(params: Params, app: Arc<App>, p: Principal) -> Result<Response, Rejection> {
    app.auth()
        .revoke_api_token(&p.actor(), &p.user_id, params.id())
        .await
        .map_err(reject)?;
    Ok(no_content())
}
