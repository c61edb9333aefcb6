//! The egress proxy agents reach the world through. Their network routes nothing out (see
//! `containers::docker::ensure_network`); their `HTTP_PROXY`/`HTTPS_PROXY` name this proxy,
//! served on the internal listener beside the config endpoint.
//!
//! - `CONNECT host:port` (https): a tunnel to the destination, bytes copied both ways.
//! - Absolute-URI requests (`GET http://host:port/path`, plain http): forwarded, the answer
//!   streamed back; each forwarded request closes its connection.
//!
//! One policy for every destination: [`egress::AgentPolicy`] (the provider-URL classification,
//! plus the ranges an administrator allowed for agents, never the agent network or mosaicd's own
//! ports). The destination's name is resolved once, by mosaicd, and the connection goes to
//! exactly the addresses that passed. Only peers on the agent network may use it. Bounded:
//! connections per agent and in all, connect and lifetime deadlines. The log names the
//! destination's host and port only (never a path, query or header).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{Stream, StreamExt};
use hyper::body::Incoming;
use tokio::net::TcpStream;
use url::Host;
use warp::Reply;
use warp::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use warp::reply::Response;

use super::proxy::SyncBody;
use crate::app::App;
use crate::service::egress::{self, AgentPolicy, Refused};

/// Opening a connection to a destination.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a tunnel or a forwarded request may last (a long LLM answer fits).
const MAX_LIFETIME: Duration = Duration::from_secs(3600);
/// Proxied connections one agent may hold at once.
pub const MAX_PER_AGENT: usize = 64;

/// Whether a request is for the proxy (rather than for the config endpoint).
pub fn is_proxy_request(request: &Request<Incoming>) -> bool {
    request.method() == Method::CONNECT || request.uri().authority().is_some()
}

/// Proxied connections per agent address.
#[derive(Default)]
pub struct Limits {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One proxied connection counted against its agent until dropped.
pub struct Slot {
    limits: Arc<Limits>,
    peer: IpAddr,
}

impl Limits {
    fn acquire(self: &Arc<Self>, peer: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock().expect("proxy limits lock");
        let count = open.entry(peer).or_default();
        if *count >= MAX_PER_AGENT {
            return None;
        }
        *count += 1;
        Some(Slot {
            limits: self.clone(),
            peer,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().expect("proxy limits lock");
        if let Some(count) = open.get_mut(&self.peer) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.peer);
            }
        }
    }
}

fn answer(status: StatusCode, text: String) -> Response {
    let mut response = warp::reply::with_status(format!("{text}\n"), status).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The policy in effect now (the allowed ranges are read at each connection).
async fn policy(app: &App) -> crate::error::Result<AgentPolicy> {
    let containers = app.containers();
    let mut own = vec![app.config().listen];
    own.extend(containers.internal_addr());
    Ok(AgentPolicy {
        allowed: app.settings().agent_allowed_ranges().await?,
        agent_networks: containers.agent_networks(),
        own,
    })
}

/// Resolves and checks a destination: the addresses to connect to, or the answer refusing it.
async fn clear(app: &App, host: &str, port: u16) -> Result<(Option<String>, Vec<SocketAddr>), Response> {
    let host = Host::parse(host)
        .map_err(|_| answer(StatusCode::BAD_REQUEST, format!("{host} is not a host name or address")))?;
    let policy = policy(app).await.map_err(|e| {
        tracing::warn!(error = %e.full(), "egress proxy: cannot read the agents' allowed ranges");
        answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "mosaicd cannot read its egress policy now".into(),
        )
    })?;
    let host_ref = match &host {
        Host::Domain(name) => Host::Domain(name.as_str()),
        Host::Ipv4(ip) => Host::Ipv4(*ip),
        Host::Ipv6(ip) => Host::Ipv6(*ip),
    };
    egress::resolve_checked(host_ref, port, |what, ip, verdict| {
        policy.refusal(what, ip, port, verdict)
    })
    .await
    .map_err(|refused| match refused {
        Refused::Blocked(why) => {
            tracing::info!(destination = %format!("{host}:{port}"), "egress proxy: forbidden");
            answer(StatusCode::FORBIDDEN, format!("forbidden: {why}"))
        }
        Refused::Unresolvable(why) => answer(StatusCode::BAD_GATEWAY, format!("could not resolve: {why}")),
    })
}

async fn connect(addrs: &[SocketAddr]) -> std::io::Result<TcpStream> {
    let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
    for addr in addrs {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) => last = e,
            Err(_) => {
                last = std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()),
                )
            }
        }
    }
    Err(last)
}

/// Serves one proxy request from `peer`.
pub async fn handle(app: Arc<App>, limits: Arc<Limits>, request: Request<Incoming>, peer: SocketAddr) -> Response {
    if !app.containers().is_agent_peer(peer.ip()) {
        return answer(
            StatusCode::FORBIDDEN,
            "forbidden: mosaicd's egress proxy serves agent containers only".into(),
        );
    }
    let Some(slot) = limits.acquire(peer.ip()) else {
        return answer(
            StatusCode::TOO_MANY_REQUESTS,
            format!("this agent already has {MAX_PER_AGENT} connections through the egress proxy"),
        );
    };
    if request.method() == Method::CONNECT {
        tunnel(app, slot, request).await
    } else {
        forward(app, slot, request).await
    }
}

async fn tunnel(app: Arc<App>, slot: Slot, request: Request<Incoming>) -> Response {
    let Some(authority) = request.uri().authority().cloned() else {
        return answer(StatusCode::BAD_REQUEST, "CONNECT needs host:port".into());
    };
    let Some(port) = authority.port_u16() else {
        return answer(StatusCode::BAD_REQUEST, "CONNECT needs host:port".into());
    };
    let (_, addrs) = match clear(&app, authority.host(), port).await {
        Ok(cleared) => cleared,
        Err(refusal) => return refusal,
    };
    let upstream = match connect(&addrs).await {
        Ok(stream) => stream,
        Err(e) => {
            return answer(
                StatusCode::BAD_GATEWAY,
                format!("could not connect to {authority}: {e}"),
            );
        }
    };
    tracing::debug!(destination = %authority, "egress proxy: tunnel open");
    tokio::spawn(async move {
        let _slot = slot;
        match hyper::upgrade::on(request).await {
            Ok(upgraded) => {
                let mut agent = hyper_util::rt::TokioIo::new(upgraded);
                let mut upstream = upstream;
                let copied =
                    tokio::time::timeout(MAX_LIFETIME, tokio::io::copy_bidirectional(&mut agent, &mut upstream)).await;
                if copied.is_err() {
                    tracing::info!(destination = %authority, "egress proxy: tunnel closed at its time limit");
                }
            }
            Err(e) => tracing::debug!(error = %e, "egress proxy: the agent left before the tunnel opened"),
        }
    });
    StatusCode::OK.into_response()
}

/// Headers that belong to one hop, not to the destination.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let mut out = headers.clone();
    for name in HOP_BY_HOP {
        out.remove(*name);
    }
    out
}

async fn forward(app: Arc<App>, slot: Slot, request: Request<Incoming>) -> Response {
    let uri = request.uri().clone();
    if uri.scheme_str() != Some("http") {
        return answer(
            StatusCode::BAD_REQUEST,
            "only http:// URLs are forwarded; https goes through CONNECT".into(),
        );
    }
    let (Some(authority), Ok(url)) = (uri.authority().cloned(), reqwest::Url::parse(&uri.to_string())) else {
        return answer(
            StatusCode::BAD_REQUEST,
            "the request needs an absolute http:// URL".into(),
        );
    };
    let port = authority.port_u16().unwrap_or(80);
    let (domain, addrs) = match clear(&app, authority.host(), port).await {
        Ok(cleared) => cleared,
        Err(refusal) => return refusal,
    };
    let cleared = egress::Cleared { url, domain, addrs };
    let client = match cleared.client_with(CONNECT_TIMEOUT, MAX_LIFETIME) {
        Ok(client) => client,
        Err(e) => return answer(StatusCode::INTERNAL_SERVER_ERROR, format!("egress proxy: {e}")),
    };
    let (parts, body) = request.into_parts();
    let mut headers = end_to_end(&parts.headers);
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    let upstream = client
        .request(parts.method, cleared.url.clone())
        .headers(headers)
        .body(reqwest::Body::wrap_stream(body_stream(body)))
        .send()
        .await;
    let upstream = match upstream {
        Ok(upstream) => upstream,
        Err(e) if e.is_connect() || e.is_timeout() => {
            return answer(
                StatusCode::BAD_GATEWAY,
                format!("could not connect to {authority}: {}", crate::error::chain(&e)),
            );
        }
        Err(e) => {
            return answer(
                StatusCode::BAD_GATEWAY,
                format!("{authority} failed: {}", crate::error::chain(&e)),
            );
        }
    };
    tracing::debug!(destination = %authority, status = upstream.status().as_u16(), "egress proxy: forwarded");
    let status = upstream.status();
    let headers = end_to_end(upstream.headers());
    // The agent's connection slot is held until the answer is done.
    let body = upstream.bytes_stream().map(move |chunk| {
        let _held = &slot;
        chunk
    });
    let mut response = warp::reply::stream(SyncBody(Mutex::new(body.boxed()))).into_response();
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The agent's request body as a stream of its data frames.
fn body_stream(mut body: Incoming) -> impl Stream<Item = Result<Bytes, hyper::Error>> + Send + 'static {
    futures::stream::poll_fn(move |cx| {
        use hyper::body::Body;
        loop {
            return match Pin::new(&mut body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => Poll::Ready(Some(Ok(data))),
                    // Trailers are not forwarded.
                    Err(_) => continue,
                },
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    })
}
