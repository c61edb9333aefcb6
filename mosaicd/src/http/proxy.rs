//! The chat proxy: `POST /api/chat/completions`, answered by the
//! caller's own agent container.
//!
//! The target is always the authenticated user's container (`AgentRef::User(principal)`); nothing
//! in the request can name another one. The request body is forwarded byte for byte to
//! `{container}/v1/chat/completions` with the container's gateway token; of the client's headers
//! only OpenClaw's own (`x-openclaw-session-key` and the agent/model selectors, which choose within
//! that container) go along: never the user's credentials, cookies, CSRF token or hop-by-hop
//! headers. The answer comes back as the agent sends it, chunk for chunk: the response body is the
//! agent's body stream ([`Relay`]), never read whole; when the client goes away hyper drops that
//! body, which drops the agent's response and closes its connection, so the agent sees the cancel.
//!
//! Cold starts: a non-streaming request simply waits for the container (a failed or timed-out
//! start is a 503 with Retry-After). A streaming request whose container is not running gets the
//! `200 text/event-stream` head at once and SSE comments (`: …`) every heartbeat interval while
//! the container starts; once that head is out, any failure becomes an SSE error event in
//! OpenClaw's shape, `data: {"error":{"message","type"}}`, followed by `data: [DONE]`. With a
//! running container the agent's own status and error bodies (401, 429 with Retry-After, 400,
//! 413, 500) come back as they are.
//!
//! The container counts as busy (never reaped) from before the start until the response body has
//! been sent or dropped.
//!
//! Usage: every request carries a `usage::Ticket` that records how it ended (failure kind, cold
//! start, and the token report the answer carried) when it is over. The answer is scanned for the
//! report as its chunks pass (`usage::Scan`), never held back. mosaicd does not add
//! `stream_options.include_usage` to streaming requests: the body goes to the agent byte for byte,
//! and the option would send the client a last chunk with empty `choices` it did not ask for
//! (which some client code indexes into). A stream's tokens are therefore counted when the client
//! asked for the usage chunk and the agent sent one, and counted as unreported otherwise.

use mosaic_shared::ErrorCode;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, Stream, StreamExt};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use warp::Reply;
use warp::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use warp::http::{HeaderMap, StatusCode};
use warp::reply::Response;

use crate::app::App;
use crate::auth::Principal;
use crate::containers::{ActivityGuard, AgentRef, Upstream};
use crate::error::Error;
use crate::http::error::ApiError;
use crate::http::extract::{check_content_type, json_error, json_object_text, read_bytes};
use crate::metrics::{Metrics, StreamGuard};
use crate::usage::{Failure, Scan, Ticket};

/// The largest chat request body: OpenClaw's own limit (20 MiB, for inline images). Anything
/// mosaicd forwards the agent accepts by size; anything larger is refused here, before a
/// container is started for it.
pub const MAX_CHAT_BODY: usize = 20 * 1024 * 1024;
/// Chat bodies are held in memory while they are read and forwarded; all requests together may
/// hold this much. Beyond it a request gets a 503 with Retry-After rather than the daemon running
/// out of memory (many users sending large images at once).
pub const BODY_BUDGET: usize = 256 * 1024 * 1024;
/// A streaming request whose container this process believes running waits this long for the
/// check before the SSE head and heartbeats go out (the container may have died and be
/// restarting).
const WARM_GRACE: Duration = Duration::from_millis(1000);
/// An agent's error body is read up to this size to become an SSE error event.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// How long mosaicd waits for a TCP connection to a running container.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pooled connections to agents are dropped before the gateway's own keep-alive timeout (Node's
/// default, 5 s) could close one just as a request goes out on it.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(4);

/// Client headers that go to the agent. They choose a session, an agent or a model *within* the
/// caller's own container; everything else (Authorization, Cookie, X-CSRF-Token, hop-by-hop and
/// forwarding headers, Accept-Encoding) stays behind.
pub const FORWARDED_REQUEST_HEADERS: &[&str] = &[
    "x-openclaw-session-key",
    "x-openclaw-agent-id",
    "x-openclaw-agent",
    "x-openclaw-model",
    "x-openclaw-message-channel",
];
/// Agent response headers that come back (the rest are hop-by-hop or the agent's own business).
const FORWARDED_RESPONSE_HEADERS: &[HeaderName] = &[CONTENT_TYPE, CACHE_CONTROL, RETRY_AFTER];

const DONE: &[u8] = b"data: [DONE]\n\n";
const X_ACCEL_BUFFERING: &str = "x-accel-buffering";

/// The proxy's own state: the HTTP client for agent containers, the heartbeat interval and the
/// body budget. The chat route owns it (one per router).
pub struct ChatProxy {
    client: reqwest::Client,
    heartbeat: Duration,
    budget: Arc<Semaphore>,
}

impl ChatProxy {
    pub fn new(heartbeat: Duration) -> ChatProxy {
        let client = reqwest::Client::builder()
            .no_proxy()
            .http1_only()
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        ChatProxy {
            client,
            heartbeat,
            budget: Arc::new(Semaphore::new(BODY_BUDGET)),
        }
    }
}

/// A request's share of [`BODY_BUDGET`], grown chunk by chunk as its body is read.
struct BodyShare {
    budget: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
}

impl BodyShare {
    fn admit(&mut self, bytes: usize) -> Result<(), ApiError> {
        let more = u32::try_from(bytes)
            .ok()
            .and_then(|n| self.budget.clone().try_acquire_many_owned(n).ok())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unavailable,
                    "too many large chat requests are in flight; try again in a moment",
                )
            })?;
        match &mut self.held {
            Some(held) => held.merge(more),
            None => self.held = Some(more),
        }
        Ok(())
    }
}

/// The fields the proxy itself looks at; the rest of the body is the agent's business.
#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    stream: Option<Value>,
    #[serde(default)]
    messages: Option<Vec<IgnoredAny>>,
}

/// What goes to the agent, kept until the agent has answered.
struct Forward {
    client: reqwest::Client,
    body: Bytes,
    headers: HeaderMap,
    metrics: Arc<Metrics>,
    /// This request's share of [`BODY_BUDGET`].
    _budget: Option<OwnedSemaphorePermit>,
}

impl Forward {
    fn send(&self, upstream: &Upstream) -> BoxFuture<'static, reqwest::Result<reqwest::Response>> {
        self.client
            .post(format!("{}/v1/chat/completions", upstream.base_url))
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .bearer_auth(upstream.token.expose())
            .body(self.body.clone())
            .send()
            .boxed()
    }

    /// Sends and waits for the response head, recording the latency.
    async fn send_timed(&self, upstream: &Upstream) -> reqwest::Result<reqwest::Response> {
        let began = Instant::now();
        let response = self.send(upstream).await?;
        self.metrics.observe_proxy_latency(began.elapsed());
        Ok(response)
    }
}

/// A failure before the agent answered, in words for the client (no address, no token, nothing
/// of the HTTP stack's own wording); what the network said goes to the log.
fn unreachable_agent(e: &reqwest::Error) -> Error {
    let what = if e.is_connect() {
        "it did not accept the connection"
    } else if e.is_timeout() {
        "it did not answer in time"
    } else {
        "the connection to it broke off"
    };
    Error::new(ErrorCode::BadGateway, format!("your agent did not answer: {what}")).with_detail(DisplayChain(e))
}

/// An error as an SSE event in OpenClaw's shape, for a stream whose head is already out.
fn failure_event(e: &Error) -> Bytes {
    e.log("chat stream failed");
    error_event(&json!({ "message": e.message(), "type": "api_error", "code": e.code().as_str() }))
}

/// A reqwest error and its sources, without the URL.
struct DisplayChain<'a>(&'a reqwest::Error);

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::error::Error as _;
        let mut first = true;
        let mut source: Option<&dyn std::error::Error> = self.0.source();
        if source.is_none() {
            return f.write_str(if self.0.is_timeout() {
                "timed out"
            } else {
                "request failed"
            });
        }
        while let Some(e) = source {
            if !first {
                f.write_str(": ")?;
            }
            write!(f, "{e}")?;
            first = false;
            source = e.source();
        }
        Ok(())
    }
}

/// `data: {"error": …}\n\n`
fn error_event(error: &Value) -> Bytes {
    Bytes::from(format!("data: {}\n\n", json!({ "error": error })))
}

/// The agent's error answer as an SSE error event: its own `error` object if it sent one in
/// OpenClaw's shape, else a description of the status.
fn agent_error_event(status: StatusCode, body: &[u8]) -> Bytes {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    match parsed.as_ref().and_then(|v| v.get("error")).filter(|e| e.is_object()) {
        Some(error) => error_event(error),
        None => error_event(&json!({
            "message": format!("your agent answered HTTP {}", status.as_u16()),
            "type": "api_error",
        })),
    }
}

/// Handles one chat request of `principal`.
pub async fn handle<S, B>(
    app: Arc<App>,
    proxy: &ChatProxy,
    principal: Principal,
    headers: HeaderMap,
    body: S,
) -> Result<Response, ApiError>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let mut ticket = app.usage().ticket(&principal.user_id);
    let rejected = |ticket: &mut Ticket| ticket.fail(Failure::Rejected);
    check_content_type(&headers).inspect_err(|_| rejected(&mut ticket))?;
    let mut share = BodyShare {
        budget: proxy.budget.clone(),
        held: None,
    };
    let bytes = read_bytes(&headers, body, MAX_CHAT_BODY, |n| share.admit(n))
        .await
        .inspect_err(|_| rejected(&mut ticket))?;
    let peek: Peek = json_object_text(&bytes)
        .and_then(|text| serde_json::from_str(text).map_err(|e| json_error(&e)))
        .inspect_err(|_| rejected(&mut ticket))?;
    if peek.messages.as_ref().is_none_or(Vec::is_empty) {
        rejected(&mut ticket);
        return Err(ApiError::invalid(
            "`messages` must be a non-empty array of chat messages",
        ));
    }
    let stream = peek.stream == Some(Value::Bool(true));
    ticket.streamed(stream);

    let mut forwarded = HeaderMap::new();
    for name in FORWARDED_REQUEST_HEADERS {
        for value in headers.get_all(*name) {
            forwarded.append(HeaderName::from_static(name), value.clone());
        }
    }
    let forward = Forward {
        client: proxy.client.clone(),
        body: Bytes::from(bytes),
        headers: forwarded,
        metrics: app.metrics().clone(),
        _budget: share.held,
    };

    // Never from the request: the caller's own container, whatever the body or headers say.
    let target = AgentRef::User(principal.user_id.clone());
    // Busy from now on (taken before the start, so the reaper cannot stop it in between).
    let activity = app.containers().activity(target.clone());
    let containers = app.containers().clone();
    let start = {
        let target = target.clone();
        move || {
            let containers = containers.clone();
            let target = target.clone();
            async move { containers.ensure_running(target).await }.boxed()
        }
    };

    let upstream = if !stream {
        // A cold start holds the request; a failed one is the manager's error (503, Retry-After).
        Some(start().await.inspect_err(|_| ticket.fail(Failure::Start))?)
    } else if app.containers().is_live(&target) {
        match tokio::time::timeout(WARM_GRACE, start()).await {
            Ok(result) => Some(result.inspect_err(|_| ticket.fail(Failure::Start))?),
            // Still not sure after the grace: tell the client to wait (the start goes on; the
            // relay below joins it).
            Err(_) => None,
        }
    } else {
        None
    };
    let Some(upstream) = upstream else {
        tracing::debug!(user = %principal.user_id, "streaming chat waits for its agent to start");
        let mut heartbeat = tokio::time::interval(proxy.heartbeat);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let relay = Relay {
            expected: None,
            sent: 0,
            phase: Phase::Start(start()),
            heartbeat: Some(heartbeat),
            began: Instant::now(),
            sse: true,
            at_boundary: true,
            forward: Some(forward),
            scan: ticket.counted().then(Scan::sse),
            ticket,
            _activity: activity,
            _stream: Some(app.metrics().stream_started()),
        };
        return Ok(sse_response(relay, None));
    };

    if let Some(took) = upstream.started {
        ticket.cold_start(took);
    }
    let response = match forward.send_timed(&upstream).await {
        // Not connected: nothing was sent, so the request can go again. The container may have
        // died without its event having arrived yet: ask Docker, restart it if so, and retry once.
        Err(e) if e.is_connect() => {
            tracing::debug!(user = %principal.user_id, "cannot connect to the agent; checking its container");
            let again = app
                .containers()
                .ensure_running_checked(target)
                .await
                .inspect_err(|_| ticket.fail(Failure::Start))?;
            if let Some(took) = again.started {
                ticket.cold_start(took);
            }
            forward.send_timed(&again).await
        }
        sent => sent,
    }
    .map_err(|e| ApiError::from(unreachable_agent(&e)))
    .inspect_err(|_| ticket.fail(Failure::Unreachable))?;
    let status = response.status();
    let is_sse = is_event_stream(response.headers());
    if !status.is_success() {
        ticket.fail(Failure::Agent);
    }
    let scan = match (ticket.counted() && status.is_success(), is_sse) {
        (false, _) => None,
        (true, true) => Some(Scan::sse()),
        (true, false) => Some(Scan::json()),
    };
    tracing::debug!(user = %principal.user_id, stream, status = status.as_u16(), "chat proxied");
    let upstream_headers = response.headers().clone();
    let relay = Relay {
        expected: response.content_length(),
        sent: 0,
        phase: Phase::Body(response.bytes_stream().boxed()),
        heartbeat: None,
        began: Instant::now(),
        sse: is_sse && status == StatusCode::OK,
        at_boundary: true,
        forward: None,
        scan,
        ticket,
        _activity: activity,
        _stream: (is_sse && status == StatusCode::OK).then(|| app.metrics().stream_started()),
    };
    if relay.sse {
        return Ok(sse_response(relay, Some(&upstream_headers)));
    }
    // Anything else (a JSON completion, an error in OpenClaw's shape) as the agent sent it.
    let mut reply = warp::reply::stream(SyncBody(Mutex::new(relay))).into_response();
    *reply.status_mut() = status;
    copy_headers(&upstream_headers, reply.headers_mut());
    if let Some(length) = upstream_headers.get(CONTENT_LENGTH) {
        reply.headers_mut().insert(CONTENT_LENGTH, length.clone());
    }
    Ok(reply)
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/event-stream"))
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for name in FORWARDED_RESPONSE_HEADERS {
        if let Some(value) = from.get(name) {
            to.insert(name.clone(), value.clone());
        }
    }
}

/// A `200 text/event-stream` answer over `relay`, with the agent's headers when it sent them.
fn sse_response(relay: Relay, upstream: Option<&HeaderMap>) -> Response {
    let mut reply = warp::reply::stream(SyncBody(Mutex::new(relay))).into_response();
    let headers = reply.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(upstream) = upstream {
        copy_headers(upstream, headers);
    }
    // Reverse proxies (nginx) must not buffer the stream either.
    headers.insert(X_ACCEL_BUFFERING, HeaderValue::from_static("no"));
    reply
}

/// Where a response body is.
enum Phase {
    /// Waiting for the container (cold start of a streaming request).
    Start(BoxFuture<'static, crate::error::Result<Upstream>>),
    /// Waiting for the agent's response head.
    Head(BoxFuture<'static, reqwest::Result<reqwest::Response>>, Instant),
    /// Reading an agent's error answer to turn it into an SSE event.
    ErrorBody(BoxFuture<'static, Bytes>),
    /// Passing the agent's body through.
    Body(BoxStream<'static, reqwest::Result<Bytes>>),
    /// Our own last events.
    Tail(Vec<Bytes>),
    Done,
}

/// A chat response body: heartbeats while the container starts, then the agent's body as it
/// arrives. Holds the container's activity guard (and, for SSE, the open-stream gauge) until it
/// ends or is dropped; dropping it drops the agent's response, which closes that connection.
pub(crate) struct Relay {
    phase: Phase,
    /// Ticks while waiting, for SSE comment heartbeats (the first tick is immediate).
    heartbeat: Option<tokio::time::Interval>,
    began: Instant,
    /// The client has an SSE head from us: failures become error events.
    sse: bool,
    /// The bytes sent so far end at an SSE event boundary (an error event may follow).
    at_boundary: bool,
    /// The request, until the agent answered.
    forward: Option<Forward>,
    /// The agent's Content-Length, if it sent one (hyper stops polling a body once that much
    /// went out), and the bytes passed on so far.
    expected: Option<u64>,
    sent: u64,
    /// Reads the agent's token report as the answer passes (`None`: usage is not counted, or the
    /// answer is an error).
    scan: Option<Scan>,
    /// Records how the request ended when the relay is dropped.
    ticket: Ticket,
    _activity: ActivityGuard,
    _stream: Option<StreamGuard>,
}

impl Relay {
    /// Ends the stream with an error event and `[DONE]`.
    fn fail(&mut self, failure: Failure, event: Bytes) {
        self.ticket.fail(failure);
        self.scan = None;
        self.forward = None;
        self.heartbeat = None;
        self.phase = Phase::Tail(vec![Bytes::from_static(DONE), event]);
    }

    fn poll_heartbeat(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        match &mut self.heartbeat {
            Some(interval) => match interval.poll_tick(cx) {
                Poll::Ready(_) => {
                    // Says what is awaited now: the start, or (once it is running) the agent's answer.
                    let waiting = match self.phase {
                        Phase::Start(_) => "waiting for your agent to start",
                        _ => "your agent is running; waiting for its answer",
                    };
                    Poll::Ready(Some(Ok(Bytes::from(format!(
                        ": {waiting} ({}s)\n\n",
                        self.began.elapsed().as_secs()
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
            None => Poll::Pending,
        }
    }
}

impl Stream for Relay {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.phase {
                Phase::Start(start) => match start.poll_unpin(cx) {
                    Poll::Ready(Ok(upstream)) => {
                        if let Some(took) = upstream.started {
                            this.ticket.cold_start(took);
                        }
                        let forward = this.forward.as_ref().expect("request kept until sent");
                        this.phase = Phase::Head(forward.send(&upstream), Instant::now());
                    }
                    Poll::Ready(Err(e)) => {
                        tracing::debug!(error = %e, "agent start failed under a streaming chat");
                        this.fail(Failure::Start, failure_event(&e));
                    }
                    Poll::Pending => return this.poll_heartbeat(cx),
                },
                Phase::Head(head, sent) => match head.poll_unpin(cx) {
                    Poll::Ready(Ok(response)) => {
                        if let Some(forward) = this.forward.take() {
                            forward.metrics.observe_proxy_latency(sent.elapsed());
                        }
                        let status = response.status();
                        if status == StatusCode::OK && is_event_stream(response.headers()) {
                            this.heartbeat = None;
                            this.phase = Phase::Body(response.bytes_stream().boxed());
                        } else {
                            this.phase = Phase::ErrorBody(read_error_body(response).boxed());
                        }
                    }
                    Poll::Ready(Err(e)) => this.fail(Failure::Unreachable, failure_event(&unreachable_agent(&e))),
                    Poll::Pending => return this.poll_heartbeat(cx),
                },
                Phase::ErrorBody(read) => match read.poll_unpin(cx) {
                    Poll::Ready(event) => this.fail(Failure::Agent, event),
                    Poll::Pending => return this.poll_heartbeat(cx),
                },
                Phase::Body(body) => {
                    return match body.poll_next_unpin(cx) {
                        Poll::Ready(Some(Ok(chunk))) => {
                            if !chunk.is_empty() {
                                this.at_boundary = chunk.ends_with(b"\n\n");
                            }
                            if let Some(scan) = &mut this.scan {
                                scan.feed(&chunk);
                            }
                            this.sent += chunk.len() as u64;
                            Poll::Ready(Some(Ok(chunk)))
                        }
                        Poll::Ready(Some(Err(e))) if this.sse && this.at_boundary => {
                            this.fail(Failure::Interrupted, failure_event(&unreachable_agent(&e)));
                            continue;
                        }
                        Poll::Ready(Some(Err(e))) => {
                            this.ticket.fail(Failure::Interrupted);
                            this.scan = None;
                            this.phase = Phase::Done;
                            tracing::warn!(error = %DisplayChain(&e), "the agent's answer broke off");
                            Poll::Ready(Some(Err(io::Error::other("the agent's answer broke off"))))
                        }
                        Poll::Ready(None) => {
                            this.phase = Phase::Done;
                            Poll::Ready(None)
                        }
                        Poll::Pending => Poll::Pending,
                    };
                }
                Phase::Tail(events) => {
                    return match events.pop() {
                        Some(event) => Poll::Ready(Some(Ok(event))),
                        None => {
                            this.phase = Phase::Done;
                            Poll::Ready(None)
                        }
                    };
                }
                Phase::Done => return Poll::Ready(None),
            }
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let complete = matches!(self.phase, Phase::Done) || self.expected.is_some_and(|n| self.sent >= n);
        if complete {
            // After the last byte went out: the parse delays nobody.
            let findings = self.scan.take().map(Scan::finish).unwrap_or_default();
            self.ticket.finish(findings);
        }
        if !complete {
            tracing::debug!("chat client went away before the answer ended; the agent's request is cancelled");
        }
    }
}

/// The agent's error answer (at most [`MAX_ERROR_BODY`] of it) as an SSE error event.
async fn read_error_body(response: reqwest::Response) -> Bytes {
    let status = response.status();
    let mut body = response.bytes_stream();
    let mut bytes = Vec::new();
    while let Some(Ok(chunk)) = body.next().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_ERROR_BODY {
            break;
        }
    }
    agent_error_event(status, &bytes)
}

/// warp wants a `Sync` body stream. A stream is only ever polled through `&mut`, so a mutex that
/// is never locked (`get_mut`) makes any `Send` stream `Sync` at no cost.
pub(crate) struct SyncBody<S>(pub(crate) Mutex<S>);

impl<S: Stream + Unpin> Stream for SyncBody<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let stream = self.get_mut().0.get_mut().unwrap_or_else(PoisonError::into_inner);
        Pin::new(stream).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_errors_become_openclaw_events() {
        let event = agent_error_event(
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"error":{"message":"rate limited","type":"rate_limited"}}"#,
        );
        assert_eq!(
            event,
            Bytes::from_static(b"data: {\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limited\"}}\n\n")
        );
        let event = agent_error_event(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        let text = std::str::from_utf8(&event).unwrap();
        let value: Value = serde_json::from_str(text.strip_prefix("data: ").unwrap().trim_end()).unwrap();
        assert_eq!(value["error"]["message"], "your agent answered HTTP 502");
        assert_eq!(value["error"]["type"], "api_error");
    }

    #[test]
    fn bodies_share_one_budget() {
        let budget = Arc::new(Semaphore::new(100));
        let mut a = BodyShare {
            budget: budget.clone(),
            held: None,
        };
        let mut b = BodyShare {
            budget: budget.clone(),
            held: None,
        };
        a.admit(40).unwrap();
        a.admit(40).unwrap();
        assert_eq!(b.admit(30).unwrap_err().status(), StatusCode::SERVICE_UNAVAILABLE);
        b.admit(20).unwrap();
        drop(a);
        // A finished request gives its share back.
        b.admit(80).unwrap();
        assert_eq!(budget.available_permits(), 0);
    }

    #[test]
    fn event_streams_are_recognized() {
        let mut headers = HeaderMap::new();
        assert!(!is_event_stream(&headers));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Text/Event-Stream; charset=utf-8"),
        );
        assert!(is_event_stream(&headers));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert!(!is_event_stream(&headers));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// What the proxy reads of a body: the JSON object check and the peek, as `handle` does.
        fn peek(bytes: &[u8]) -> Result<Peek, ApiError> {
            json_object_text(bytes).and_then(|text| serde_json::from_str(text).map_err(|e| json_error(&e)))
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            /// Any body is peeked or refused with a 400, never a panic.
            #[test]
            fn any_body_is_peeked_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                if let Err(e) = peek(&bytes) {
                    prop_assert_eq!(e.status(), StatusCode::BAD_REQUEST);
                }
            }

            /// The stream flag and the messages of a chat request are read as sent, whatever
            /// else the body carries (the rest is the agent's business).
            #[test]
            fn stream_and_messages_are_read_as_sent(
                stream in proptest::option::of(any::<bool>()),
                count in 0usize..5,
                extra in prop::collection::btree_map("[a-z_]{1,12}", any::<i64>(), 0..4),
                text in any::<String>(),
            ) {
                let mut body = serde_json::Map::new();
                for (k, v) in &extra {
                    body.insert(k.clone(), json!(v));
                }
                body.insert("model".into(), json!("openclaw"));
                body.insert(
                    "messages".into(),
                    json!(vec![json!({ "role": "user", "content": text }); count]),
                );
                if let Some(stream) = stream {
                    body.insert("stream".into(), json!(stream));
                }
                let read = peek(&serde_json::to_vec(&Value::Object(body)).unwrap()).unwrap();
                prop_assert_eq!(read.stream, stream.map(Value::Bool));
                prop_assert_eq!(read.messages.map(|m| m.len()), Some(count));
            }
        }
    }
}
