//! The HTTP API on warp. Every rejection and error leaves through one `recover`, in one JSON shape:
//! `{"error":{"code":…,"message":…}}`.

pub mod internal;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::json;
use tokio::net::TcpListener;
use warp::http::StatusCode;
use warp::{Filter, Rejection, Reply};

use crate::app::App;
use crate::error::{Error, Result};

/// Binds the API address now, so a busy port fails startup with a clear message.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::io(format!("cannot listen on {addr}"), e))
}

pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    warp::serve(routes(app))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
}

pub fn routes(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| warp::reply::json(&json!({ "ok": true, "status": "live" })));
    let readyz = warp::path!("readyz")
        .and(warp::get())
        .and(with_app(app))
        .then(|app: Arc<App>| async move {
            // Both checks at once: a down Docker engine must not hide a down database.
            let (database, docker) = tokio::join!(app.db.ping(), app.containers.docker_ping());
            let ok = database.is_ok() && docker.is_ok();
            let describe = |r: &Result<()>| match r {
                Ok(()) => "ok".to_string(),
                Err(e) => e.to_string(),
            };
            warp::reply::with_status(
                warp::reply::json(&json!({ "ok": ok, "database": describe(&database), "docker": describe(&docker) })),
                if ok {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                },
            )
        });
    healthz.or(readyz).recover(recover)
}

pub(crate) fn with_app(app: Arc<App>) -> impl Filter<Extract = (Arc<App>,), Error = Infallible> + Clone {
    warp::any().map(move || app.clone())
}

/// The one place errors become responses.
pub(crate) async fn recover(rejection: Rejection) -> std::result::Result<impl Reply, Infallible> {
    let (status, code, message) = if rejection.is_not_found() {
        (StatusCode::NOT_FOUND, "not_found", "no such route".to_string())
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method not allowed on this route".to_string(),
        )
    } else {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error".to_string(),
        )
    };
    Ok(error_reply(status, code, &message))
}

pub fn error_reply(status: StatusCode, code: &str, message: &str) -> warp::reply::Response {
    warp::reply::with_status(
        warp::reply::json(&json!({ "error": { "code": code, "message": message } })),
        status,
    )
    .into_response()
}

/// The response for a service error: its status, the JSON error shape, and `Retry-After` when
/// retrying later may work (Docker or the database unavailable, a container still starting).
pub fn error_response(e: &Error) -> warp::reply::Response {
    let (status, code) = match e {
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        Error::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
        Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        Error::Refused(_) => (StatusCode::FORBIDDEN, "forbidden"),
        Error::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "request failed");
        return error_reply(status, code, "internal error");
    }
    let mut response = error_reply(status, code, &e.to_string());
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert("retry-after", warp::http::HeaderValue::from_static("5"));
    }
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert("www-authenticate", warp::http::HeaderValue::from_static("Bearer"));
    }
    response
}
