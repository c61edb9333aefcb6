//! The internal config endpoint, for agent containers only: served on its own listener on the
//! agent network's gateway address, never on the public API address.
//!
//! `GET /api/internal/agent-config/:containerType/:id` answers the generated `openclaw.json`;
//! `GET /api/internal/agent-config/:containerType/:id/soul` answers the personality as `SOUL.md`
//! (200 `text/markdown`) or 204 when there is none. The bearer token must be that container's
//! current gateway token: no or an unknown token is 401, another container's token is 403, an
//! unknown container is 404.
//!
//! The same listener is the agents' egress proxy ([`super::egress_proxy`]): a `CONNECT` or an
//! absolute-URI request goes there, unless it names this listener itself (a client that ignores
//! `NO_PROXY`, such as BusyBox's wget, then still reaches the config endpoint).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower_service::Service;
use warp::http::{Request, StatusCode, Uri};
use warp::{Filter, Reply};

use super::egress_proxy;
use super::error::{ApiError, recover};
use super::extract::with_app;
use crate::app::App;

/// Connections the internal listener holds at once, all agents together.
const MAX_CONNECTIONS: usize = 4096;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let routes = routes(app.clone()).boxed();
    let limits = Arc::new(egress_proxy::Limits::default());
    let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let own = listener.local_addr().ok();
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some((stream, peer)) = super::server::accept(&listener, &mut shutdown, "internal listener").await {
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!("internal listener: {MAX_CONNECTIONS} connections open; refusing more");
            continue;
        };
        let (app, routes, limits) = (app.clone(), routes.clone(), limits.clone());
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let (app, routes, limits) = (app.clone(), routes.clone(), limits.clone());
            async move { Ok::<_, Infallible>(dispatch(app, routes, limits, own, request, peer).await) }
        });
        // HTTP/1 only: what proxy clients speak.
        let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "internal connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

async fn dispatch(
    app: Arc<App>,
    routes: warp::filters::BoxedFilter<(warp::reply::Response,)>,
    limits: Arc<egress_proxy::Limits>,
    own: Option<SocketAddr>,
    mut request: Request<Incoming>,
    peer: SocketAddr,
) -> warp::reply::Response {
    if egress_proxy::is_proxy_request(&request) {
        if !names_this_listener(request.uri(), own) || request.method() == warp::http::Method::CONNECT {
            return egress_proxy::handle(app, limits, request, peer).await;
        }
        // An absolute URI naming this listener: the config endpoint, asked through the proxy.
        let path = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
        *request.uri_mut() = path.parse::<Uri>().unwrap_or_default();
    }
    match warp::service(routes).call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn names_this_listener(uri: &Uri, own: Option<SocketAddr>) -> bool {
    let (Some(own), Some(authority)) = (own, uri.authority()) else {
        return false;
    };
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    host.parse::<std::net::IpAddr>().ok() == Some(own.ip()) && authority.port_u16().unwrap_or(80) == own.port()
}

pub fn routes(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Infallible> + Clone {
    let bearer = warp::header::optional::<String>("authorization");
    let config = warp::path!("api" / "internal" / "agent-config" / String / String)
        .and(warp::get())
        .and(bearer)
        .and(with_app(app.clone()))
        .then(
            |kind: String, id: String, auth: Option<String>, app: Arc<App>| async move {
                match app
                    .agents()
                    .internal_agent_config(&kind, &id, bearer_token(auth.as_deref()))
                    .await
                {
                    Ok(generated) => {
                        warp::reply::with_header(warp::reply::json(&generated.config), "cache-control", "no-store")
                            .into_response()
                    }
                    Err(e) => ApiError::from(e).response(),
                }
            },
        );
    let soul = warp::path!("api" / "internal" / "agent-config" / String / String / "soul")
        .and(warp::get())
        .and(bearer)
        .and(with_app(app))
        .then(
            |kind: String, id: String, auth: Option<String>, app: Arc<App>| async move {
                match app
                    .agents()
                    .internal_agent_config(&kind, &id, bearer_token(auth.as_deref()))
                    .await
                {
                    Ok(generated) => match generated.soul {
                        Some(soul) => warp::reply::with_header(
                            warp::reply::with_header(soul, "content-type", "text/markdown; charset=utf-8"),
                            "cache-control",
                            "no-store",
                        )
                        .into_response(),
                        None => StatusCode::NO_CONTENT.into_response(),
                    },
                    Err(e) => ApiError::from(e).response(),
                }
            },
        );
    soul.or(config).recover(recover).map(Reply::into_response)
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer_token(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, token) = header.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(Some("Bearer ")), None);
        assert_eq!(bearer_token(None), None);
    }
}
