//! OpenID Connect login for the WebUI: the browser is sent to `/api/auth/oidc/login`, which
//! redirects it to the identity provider with a short-lived flow cookie; the provider sends it
//! back to `/api/auth/oidc/callback`, which sets the same session cookie as a password login and
//! redirects to the WebUI. Failures are answered in the one JSON error shape. Also the admin's
//! provisioning settings (who becomes an administrator).

use std::sync::Arc;

use mosaic_shared::types::{OidcAvailability, OidcProvisioning};
use warp::http::header::{HeaderValue, LOCATION};
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::Endpoint;
use super::error::{ApiError, reject};
use super::extract::{
    MAX_JSON_BODY, Params, admin, cookie_name, json, ok, query, query_pairs, session_cookie, set_cookie, with_app,
    with_cookie,
};
use crate::app::App;
use crate::auth::Principal;
use crate::config::HttpConfig;
use crate::service::oidc::{Callback, FLOW_TTL_MS};

fn flow_cookie_name(http: &HttpConfig) -> &'static str {
    if http.secure_cookies {
        "__Host-mosaic_oidc"
    } else {
        "mosaic_oidc"
    }
}

/// The flow cookie: HttpOnly, `SameSite=Lax` (it must come along when the identity provider
/// sends the browser back, a top-level navigation from another site), ten minutes.
fn flow_cookie(http: &HttpConfig, value: Option<&str>) -> HeaderValue {
    let (value, max_age) = match value {
        Some(v) => (v, FLOW_TTL_MS / 1000),
        None => ("", 0),
    };
    let secure = if http.secure_cookies { "; Secure" } else { "" };
    let text = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        flow_cookie_name(http)
    );
    HeaderValue::from_str(&text).expect("cookie text is ASCII")
}

fn redirect(to: &str) -> Result<Response, Rejection> {
    let location = HeaderValue::from_str(to)
        .map_err(|_| reject(ApiError::invalid("the redirect target is not a valid header value")))?;
    let mut response = warp::reply::with_status(warp::reply(), StatusCode::SEE_OTHER).into_response();
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/auth/oidc", |app, m| {
            m.and(with_app(app)).and_then(availability).boxed()
        }),
        Endpoint::new(Method::GET, "/api/auth/oidc/login", |app, m| {
            m.and(with_app(app)).and(query()).and_then(login).boxed()
        }),
        Endpoint::new(Method::GET, "/api/auth/oidc/callback", |app, m| {
            m.and(with_app(app))
                .and(warp::header::headers_cloned())
                .and(query())
                .and_then(callback)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/admin/oidc/provisioning", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and_then(|_, app: Arc<App>, _: Principal| async move {
                    Ok::<_, Rejection>(ok(&app.oidc().oidc_provisioning().await.map_err(reject)?))
                })
                .boxed()
        }),
        Endpoint::new(Method::PUT, "/api/admin/oidc/provisioning", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(json::<OidcProvisioning>(MAX_JSON_BODY))
                .and_then(|_, app: Arc<App>, p: Principal, body: OidcProvisioning| async move {
                    Ok::<_, Rejection>(ok(&app
                        .oidc()
                        .set_oidc_provisioning(&p.actor(), body)
                        .await
                        .map_err(reject)?))
                })
                .boxed()
        }),
    ]
}

async fn availability(_: Params, app: Arc<App>) -> Result<Response, Rejection> {
    let settings = app.oidc().oidc_settings().await.map_err(reject)?;
    Ok(ok(&OidcAvailability {
        enabled: settings.configured,
        login_url: "/api/auth/oidc/login".into(),
    }))
}

async fn login(_: Params, app: Arc<App>, raw: String) -> Result<Response, Rejection> {
    let pairs = query_pairs(&raw, &["returnTo"]).map_err(reject)?;
    let return_to = pairs.iter().find(|(k, _)| k == "returnTo").map(|(_, v)| v.as_str());
    let start = app.oidc().oidc_login_start(return_to).await.map_err(reject)?;
    let response = redirect(&start.authorize_url)?;
    Ok(with_cookie(
        response,
        flow_cookie(&app.config().http, Some(start.cookie.expose())),
    ))
}

async fn callback(_: Params, app: Arc<App>, headers: HeaderMap, raw: String) -> Result<Response, Rejection> {
    let http = &app.config().http;
    // Identity providers add parameters of their own (`iss`, `session_state`): only ours are read.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&raw).map_err(|_| reject(ApiError::invalid("malformed query string")))?;
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let answer = Callback {
        code: get("code"),
        state: get("state"),
        error: get("error"),
        error_description: get("error_description"),
    };
    let flow = session_cookie(&headers, flow_cookie_name(http));
    let done = match app.oidc().oidc_login_finish(flow.as_deref(), answer).await {
        Ok(done) => done,
        Err(e) => {
            // For the operator: why someone could not log in (the messages carry no secret).
            tracing::info!(code = %e.code(), reason = %e.message(), "OIDC login failed");
            return Ok(with_cookie(ApiError::from(e).response(), flow_cookie(http, None)));
        }
    };
    // A login from a browser that still holds a session replaces it.
    if let Some(old) = session_cookie(&headers, cookie_name(http)) {
        app.auth().end_session_by_token(&old).await.map_err(reject)?;
    }
    let response = redirect(&done.return_to)?;
    let response = with_cookie(response, flow_cookie(http, None));
    Ok(with_cookie(
        response,
        set_cookie(http, Some(done.session.token.expose())),
    ))
}
