//! The HTTP server: hyper-util's connection builder driving the warp router, with what warp's
//! own `serve` cannot configure. Around every request: a header size limit, CORS (preflights are
//! answered here, before routing), response hardening headers (`nosniff`, no framing, a
//! Content-Security-Policy that loads nothing unless a console page sets its own) and the request
//! metrics. Every request runs in a `request` span (request id, method, route pattern, and the
//! user once authenticated); its id is answered in `X-Request-Id` (see [`crate::spans`]).
//!
//! Header limits: hyper's HTTP/1 read buffer is capped at [`MAX_HEADER_BUFFER`] (beyond it hyper
//! itself answers `431` with an empty body and closes the connection), the HTTP/2 header list at
//! the same size, and headers must arrive within [`HEADER_READ_TIMEOUT`]. Below that hard cap,
//! requests whose headers exceed [`MAX_HEADER_BYTES`] get a `431` in the JSON error shape.

use mosaic_shared::ErrorCode;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower_service::Service;
use tracing::Instrument;
use warp::http::Request;
use warp::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use warp::reply::Response;

use super::error::ApiError;
use super::extract::Peer;
use super::{Found, RouteTable, Router, cors, routes};
use crate::app::App;
use crate::metrics::method_label;
use crate::spans::{REQUEST_ID_HEADER, request_id};

/// Requests whose request line and headers exceed this get a JSON `431`.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// hyper's hard cap on buffered request headers (above it: a bare `431` from hyper).
pub const MAX_HEADER_BUFFER: usize = 64 * 1024;
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

struct Context {
    app: Arc<App>,
    table: Arc<RouteTable>,
    router: Router,
}

/// Serves the API on `listener` until `shutdown` resolves, then lets open connections finish.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let routes = routes();
    let table = Arc::new(RouteTable::new(&routes));
    let context = Arc::new(Context {
        router: Router::new(app.clone(), &routes, table.clone()),
        app,
        table,
    });
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some((stream, peer)) = accept(&listener, &mut shutdown, "HTTP").await {
        // Agent containers reach the host's addresses (their gateway is one): the public API is
        // not theirs, whatever address it listens on.
        if context.app.containers().is_agent_peer(peer.ip()) {
            tracing::debug!(peer = %peer, "refused a connection from an agent container to the public API");
            drop(stream);
            continue;
        }
        // Streamed answers are many small writes (SSE events); without this, Nagle's algorithm
        // holds each one back until the client acknowledges the previous (up to its delayed-ACK
        // timer, 40 ms on Linux).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let context = context.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(Peer(peer));
            let context = context.clone();
            async move { Ok::<_, Infallible>(handle(&context, request).await) }
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_buf_size(MAX_HEADER_BUFFER);
        builder.http2().max_header_list_size(MAX_HEADER_BUFFER as u32);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The next connection, or `None` once `shutdown` resolves. `what` names the listener in the log.
pub(super) async fn accept(
    listener: &TcpListener,
    shutdown: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    what: &str,
) -> Option<(tokio::net::TcpStream, std::net::SocketAddr)> {
    loop {
        tokio::select! {
            _ = shutdown.as_mut() => return None,
            accepted = listener.accept() => match accepted {
                Ok(pair) => return Some(pair),
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "{what} accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}

fn header_bytes(request: &Request<Incoming>) -> usize {
    request.uri().to_string().len()
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>()
}

async fn handle(context: &Context, request: Request<Incoming>) -> Response {
    let method = method_label(request.method().as_str());
    let found = context.table.find(request.method(), request.uri().path());
    let route = found.label;
    let id = request_id(request.headers().get(REQUEST_ID_HEADER).map(HeaderValue::as_bytes));
    // `user` is recorded once the session or API token is resolved (`extract::authenticate`).
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method,
        route,
        user = tracing::field::Empty
    );
    let mut response = respond(context, request, method, found).instrument(span).await;
    response.headers_mut().insert(
        REQUEST_ID_HEADER,
        HeaderValue::from_str(&id).expect("request ids are visible ASCII"),
    );
    response
}

async fn respond(context: &Context, request: Request<Incoming>, method: &'static str, found: Found) -> Response {
    let route = found.label;
    let started = Instant::now();
    let origin = cors::allowed_origin(&context.app, request.headers()).await;
    let mut response = if header_bytes(&request) > MAX_HEADER_BYTES {
        ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!("the request line and headers exceed {} KiB", MAX_HEADER_BYTES / 1024),
        )
        .response()
    } else if cors::is_preflight(request.method(), request.headers()) {
        cors::preflight(origin.clone())
    } else {
        let mut service = warp::service(context.router.handler(found.endpoint).clone());
        match service.call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    };
    cors::decorate(&mut response, origin);
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Nothing mosaicd answers may be framed; an answer that is not a console page (JSON, the
    // metrics, a stream) loads nothing either.
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    context
        .app
        .metrics()
        .observe_request(method, route, response.status().as_u16(), started.elapsed());
    tracing::debug!(
        method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "HTTP request"
    );
    response
}
