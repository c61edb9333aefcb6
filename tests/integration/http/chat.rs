//! The chat proxy (`POST /api/chat/completions`) through real HTTP: the real daemon, the real
//! Docker Engine and the test-agent images, which answer with OpenClaw's chat completions contract
//! (`echo: <text> [session=…] [primary=…] [boot=N]`, SSE chunks, `mock:` controls in the message).
//! Also the admin views of containers and system agents, which need containers to show.

use std::time::{Duration, Instant};

use futures::StreamExt;
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, Driver, InstanceScope, docker, images, wait_for};
use mosaic_tests::http::{Api, Auth, Resp, Session};
use mosaic_tests::{DaemonOptions, ci};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Backend, World, assert_absent, field};

const CHAT: &str = "/api/chat/completions";

/// A daemon that runs agent containers (this run's labels, its own instance, reaper every
/// 300 ms); dropped in field order: the daemon stops, then its Docker objects are removed.
pub(super) struct Chat {
    pub(super) w: World,
    pub(super) data: Data,
    pub(super) scope: InstanceScope,
}

/// A logged-in member with a provider (its key a canary), a primary model and an API token.
pub(super) struct Member {
    pub(super) session: Session,
    pub(super) id: String,
    pub(super) token: String,
    primary: String,
    key: String,
}

impl Chat {
    /// `reconcile`: the reconcile interval; `extra`: more mosaicd flags.
    pub(super) async fn start(image: &str, start_timeout_sec: u32, reconcile: &str, extra: &[&str]) -> Chat {
        Chat::start_reaping_every("300ms", image, start_timeout_sec, reconcile, extra).await
    }

    pub(super) async fn start_reaping_every(
        reaper: &str,
        image: &str,
        start_timeout_sec: u32,
        reconcile: &str,
        extra: &[&str],
    ) -> Chat {
        Chat::start_on(Driver::Docker, reaper, image, start_timeout_sec, reconcile, extra).await
    }

    /// [`Chat::start_reaping_every`] with the agents on `driver`.
    pub(super) async fn start_on(
        driver: Driver,
        reaper: &str,
        image: &str,
        start_timeout_sec: u32,
        reconcile: &str,
        extra: &[&str],
    ) -> Chat {
        let scope = InstanceScope::new();
        let mut options = docker::daemon_options_on(driver, &scope.instance, reaper, reconcile);
        for arg in extra {
            options = options.arg(*arg);
        }
        let w = World::start_with(Backend::Sqlite, options).await;
        let data = Data::open(&w.daemon.data_dir).await;
        data.use_image(image, start_timeout_sec).await;
        Chat { w, data, scope }
    }

    pub(super) fn api(&self) -> &Api {
        &self.w.api
    }

    pub(super) async fn member(&self, email: &str) -> Member {
        let session = self.w.member(email).await;
        let name = email.split('@').next().unwrap().to_string();
        let key = format!("sk-canary-{name}-{}", uuid::Uuid::new_v4().simple());
        self.data
            .add_provider(Some(&session.user_id), &name, &key, &["m1"])
            .await;
        let primary = format!("{name}/m1");
        self.data.set_agent_config(&session.user_id, Some(&primary), None).await;
        let token = self
            .api()
            .post("/api/tokens", Auth::Session(&session), &json!({ "name": "chat" }))
            .await
            .expect(201);
        Member {
            id: session.user_id.clone(),
            token: field(&token, "token").to_string(),
            session,
            primary,
            key,
        }
    }

    pub(super) async fn complete(&self, auth: Auth<'_>, body: &Value) -> Resp {
        self.api().post(CHAT, auth, body).await
    }

    /// A streaming request's response, once its head arrived.
    pub(super) async fn stream(&self, auth: Auth<'_>, text: &str) -> reqwest::Response {
        self.stream_body(
            auth,
            &json!({ "model": "openclaw", "stream": true, "messages": [user(text)] }),
        )
        .await
    }

    /// A streaming request with this body, once the response head arrived.
    pub(super) async fn stream_body(&self, auth: Auth<'_>, body: &Value) -> reqwest::Response {
        self.api()
            .request(Method::POST, CHAT, auth)
            .json(body)
            .send()
            .await
            .expect("chat request")
    }

    /// The admin's view of one user's container.
    pub(super) async fn container_status(&self, user_id: &str) -> Option<Value> {
        let list = self
            .api()
            .get("/api/admin/containers", Auth::Session(&self.w.admin))
            .await
            .expect(200);
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "user" && c["owner"] == user_id)
            .cloned()
    }

    /// One series of `/metrics` (0 when absent).
    pub(super) async fn metric(&self, series: &str) -> f64 {
        mosaic_tests::http::metric_value(&self.api().get("/metrics", Auth::None).await.body, series)
    }
}

pub(super) fn user(text: &str) -> Value {
    json!({ "role": "user", "content": text })
}

pub(super) fn body(text: &str) -> Value {
    json!({ "model": "openclaw", "messages": [user(text)] })
}

pub(super) fn reply(v: &Value) -> String {
    v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_else(|| panic!("no completion in {v}"))
        .to_string()
}

fn container(m: &Member) -> String {
    format!("mosaic-user-{}", m.id)
}

/// The SSE events of a response as they arrive: (time since `t0`, the event without its blank
/// line). Fails if the stream ends in the middle of an event.
pub(super) async fn events(response: reqwest::Response, t0: Instant) -> Vec<(Duration, String)> {
    let mut out = Vec::new();
    let mut buffer: Vec<u8> = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("the stream broke off");
        let at = t0.elapsed();
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let event = String::from_utf8(buffer[..end].to_vec()).expect("UTF-8 event");
            buffer.drain(..end + 2);
            out.push((at, event));
        }
    }
    assert!(
        buffer.is_empty(),
        "the stream ended mid-event: {:?}",
        String::from_utf8_lossy(&buffer)
    );
    out
}

/// The JSON of a `data:` event (not `[DONE]`).
fn data(event: &str) -> Option<Value> {
    event
        .strip_prefix("data: ")
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap_or_else(|e| panic!("bad event {d:?}: {e}")))
}

/// The content deltas of a completed stream, concatenated; checks it ends with `[DONE]`.
pub(super) fn streamed_text(events: &[(Duration, String)]) -> String {
    assert_eq!(
        events.last().map(|(_, e)| e.as_str()),
        Some("data: [DONE]"),
        "{events:#?}"
    );
    events
        .iter()
        .filter_map(|(_, e)| data(e))
        .filter_map(|v| v["choices"][0]["delta"]["content"].as_str().map(str::to_string))
        .collect()
}

fn agent_log(name: &str) -> String {
    docker(&["logs", name]).stdout
}

fn requests_logged(name: &str) -> usize {
    agent_log(name)
        .lines()
        .filter(|l| l.starts_with("request POST /v1/chat/completions"))
        .count()
}

/// Non-streaming chat with an API token and with a session; authentication, CSRF, what reaches
/// the agent, and the canaries.
pub async fn non_streaming_and_passthrough() {
    let c = Chat::start(&images().normal, 30, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    let api = c.api();

    // Refused before anything starts: no credentials, or the cookie without its CSRF token.
    c.complete(Auth::None, &body("hi")).await.error(401, "unauthenticated");
    c.complete(Auth::CookieOnly(&alice.session), &body("hi"))
        .await
        .error(403, "csrf_token_invalid");
    assert!(c.scope.containers().is_empty(), "{:?}", c.scope.containers());

    // An API token as bearer (what an OpenAI SDK sends); `user` keeps a session. The first
    // request starts the container and waits for it.
    let canary = format!("marmalade-{}", uuid::Uuid::new_v4().simple());
    let r = c
        .complete(
            Auth::Bearer(&alice.token),
            &json!({ "model": "openclaw", "user": "alice-web", "messages": [user(&canary)] }),
        )
        .await;
    let v = r.expect(200);
    assert_eq!(
        reply(&v),
        format!(
            "echo: {canary} [session=agent:main:openai-user:alice-web] [primary={}] [boot=1]",
            alice.primary
        )
    );
    assert_eq!(v["object"], "chat.completion");
    assert!(field(&v, "id").starts_with("chatcmpl_"));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.header("content-length"), Some(r.body.len().to_string()));
    assert_eq!(r.header("connection"), None, "hop-by-hop headers stay behind");

    // The session cookie with its CSRF token; `x-openclaw-session-key` goes through; the user's
    // cookie, CSRF token, Authorization and other headers do not reach the agent.
    let r = api
        .send(
            api.request(Method::POST, CHAT, Auth::Session(&alice.session))
                .header("x-openclaw-session-key", "conv-42")
                .header("x-forwarded-for", "203.0.113.9")
                .header("accept-encoding", "gzip")
                .header("user-agent", "mosaic-test")
                .json(&body("which mock:headers=1")),
        )
        .await;
    let text = reply(&r.expect(200));
    assert!(text.contains("[session=conv-42]"), "{text}");
    assert!(
        text.ends_with("[headers=accept,authorization,content-length,content-type,host,x-openclaw-session-key]"),
        "{text}"
    );
    assert_eq!(r.header("content-encoding"), None);

    // The admin sees the container's status, and nothing of the chat, the token or the key.
    let status = c.container_status(&alice.id).await.expect("alice's container");
    assert_eq!(status["state"], "running");
    assert_eq!(status["ownerLabel"], "alice@example.com");
    assert_eq!(status["idleTimeoutMin"], 30);
    assert_eq!(status["activeRequests"], 0);
    assert!(status["uptimeSeconds"].is_u64() && status["lastActivityAt"].is_string() && status["image"].is_string());
    api.get("/api/admin/containers", Auth::Session(&alice.session))
        .await
        .error(403, "forbidden");

    // Canaries: the gateway token and the provider key appear in no response and not in
    // mosaicd's log; the API token not in the log.
    let gateway = c.data.gateway_token("user", &alice.id).await.expect("gateway token");
    let log = c.w.daemon.log();
    let transcript = api.transcript();
    for (secret, what) in [(&gateway, "gateway token"), (&alice.key, "provider key")] {
        assert_absent(secret, &transcript, &format!("a response ({what})"));
        assert_absent(secret, &log, &format!("mosaicd's log ({what})"));
    }
    assert_absent(&alice.token, &log, "mosaicd's log (API token)");
    assert!(
        !log.contains("chat client went away"),
        "complete answers are not cancels:\n{log}"
    );
    assert_absent(&canary, &log, "mosaicd's log (chat content)");
    let admin_view = api.get("/api/admin/containers", Auth::Session(&c.w.admin)).await.body;
    assert_absent(&canary, &admin_view, "the admin's container list (chat content)");
}

/// Chunks reach the client as the agent sends them, not all at once at the end.
pub async fn streaming_is_unbuffered(driver: Driver) {
    let c = Chat::start_on(driver, "300ms", &images().normal, 30, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    c.complete(Auth::Bearer(&alice.token), &body("warm up"))
        .await
        .expect(200);

    let t0 = Instant::now();
    let response = c
        .stream(Auth::Bearer(&alice.token), "mock:chunks=5 mock:interval_ms=300")
        .await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/event-stream; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert!(headers.get("content-length").is_none());
    let events = events(response, t0).await;
    assert_eq!(
        streamed_text(&events),
        format!(
            "echo: mock:chunks=5 mock:interval_ms=300 [session={}] [primary={}] [boot=1] chunk 1 chunk 2 chunk 3 chunk 4 chunk 5",
            session_of(&events),
            alice.primary
        )
    );
    // The agent pauses 300 ms before each content chunk after the first: the client sees the
    // same pauses, and the first event long before the agent sends its last.
    let content: Vec<Duration> = events
        .iter()
        .filter(|(_, e)| data(e).is_some_and(|v| v["choices"][0]["delta"]["content"].is_string()))
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(content.len(), 11, "{events:#?}");
    for pair in content.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(150),
            "two chunks arrived together: {content:?}"
        );
    }
    let first = events.first().unwrap().0;
    let last = *content.last().unwrap();
    assert!(last - first >= Duration::from_millis(2500), "{content:?}");
    assert!(c.metric("mosaic_proxy_active_streams").await == 0.0);
}

/// The session key of a streamed echo.
fn session_of(events: &[(Duration, String)]) -> String {
    let text: String = events
        .iter()
        .filter_map(|(_, e)| data(e))
        .filter_map(|v| v["choices"][0]["delta"]["content"].as_str().map(str::to_string))
        .collect();
    let start = text.find("[session=").expect("session in echo") + "[session=".len();
    text[start..start + text[start..].find(']').unwrap()].to_string()
}

/// A streaming request that starts the container: the SSE head at once, heartbeat comments while
/// the (slow) gateway starts, then the agent's chunks.
pub async fn cold_start_streaming_heartbeats(driver: Driver) {
    let c = Chat::start_on(
        driver,
        "300ms",
        &images().slow,
        30,
        "1s",
        &["--chat-heartbeat-interval", "300ms"],
    )
    .await;
    let alice = c.member("alice@example.com").await;

    let t0 = Instant::now();
    let response = c.stream(Auth::Bearer(&alice.token), "cold mock:chunks=2").await;
    let head = t0.elapsed();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream; charset=utf-8");
    let events = events(response, t0).await;
    let first_data = events
        .iter()
        .position(|(_, e)| e.starts_with("data: "))
        .expect("data events");
    let comments = &events[..first_data];
    assert!(
        comments
            .iter()
            .all(|(_, e)| e.starts_with(": waiting for your agent to start")),
        "{comments:#?}"
    );
    // The gateway listens only after 2 s: several heartbeats go out meanwhile, the first with
    // the head.
    assert!(comments.len() >= 3, "{events:#?}");
    assert!(head < docker::SLOW_START, "the head waited for the start: {head:?}");
    assert!(comments[0].0 < docker::SLOW_START, "{comments:?}");
    assert!(events[first_data].0 >= docker::SLOW_START, "{events:#?}");
    assert!(
        comments.last().unwrap().0 - comments[0].0 >= Duration::from_millis(600),
        "{comments:?}"
    );
    assert!(
        streamed_text(&events).ends_with("[boot=1] chunk 1 chunk 2"),
        "{events:#?}"
    );

    assert_eq!(c.metric("mosaic_container_starts_total{outcome=\"ok\"}").await, 1.0);
    assert!(c.metric("mosaic_proxy_upstream_latency_seconds_count").await >= 1.0);

    // An agent that started but takes its time to answer: the heartbeats stop saying it is
    // starting once it runs, and say that its answer is awaited.
    let bob = c.member("bob@example.com").await;
    let t0 = Instant::now();
    let response = c
        .stream(Auth::Bearer(&bob.token), "slow answer mock:delay_ms=1500 mock:chunks=1")
        .await;
    assert_eq!(response.status(), 200);
    let answer = self::events(response, t0).await;
    let first_data = answer
        .iter()
        .position(|(_, e)| e.starts_with("data: "))
        .expect("data events");
    let comments: Vec<&str> = answer[..first_data].iter().map(|(_, e)| e.as_str()).collect();
    let starting = comments
        .iter()
        .take_while(|e| e.starts_with(": waiting for your agent to start"))
        .count();
    let answering = &comments[starting..];
    assert!(starting >= 1 && !answering.is_empty(), "{comments:#?}");
    assert!(
        answering
            .iter()
            .all(|e| e.starts_with(": your agent is running; waiting for its answer")),
        "{comments:#?}"
    );
    assert!(streamed_text(&answer).ends_with("chunk 1"), "{answer:#?}");
    wait_for("the stream gauge back at 0", Duration::from_secs(5), || async {
        (c.metric("mosaic_proxy_active_streams").await == 0.0).then_some(())
    })
    .await;
}

/// A container that does not become healthy in time: 503 with Retry-After for a plain request;
/// an SSE error event and `[DONE]` once a streaming client has its head.
pub async fn cold_start_timeout(driver: Driver) {
    // The slow gateway listens after 2 s; the start timeout is 1 s.
    let c = Chat::start_on(
        driver,
        "300ms",
        &images().slow,
        1,
        "1s",
        &["--chat-heartbeat-interval", "300ms"],
    )
    .await;
    let alice = c.member("alice@example.com").await;

    let r = c.complete(Auth::Bearer(&alice.token), &body("hello")).await;
    let message = r.error(503, "unavailable");
    assert!(message.contains("did not pass its health check within 1s"), "{message}");
    assert_eq!(r.header("retry-after").as_deref(), Some("5"));

    let t0 = Instant::now();
    let response = c.stream(Auth::Bearer(&alice.token), "hello").await;
    assert_eq!(response.status(), 200);
    let events = events(response, t0).await;
    let (last, rest) = events.split_last().unwrap();
    assert_eq!(last.1, "data: [DONE]");
    let (error, comments) = rest.split_last().unwrap();
    assert!(
        !comments.is_empty() && comments.iter().all(|(_, e)| e.starts_with(": ")),
        "{events:#?}"
    );
    let error = data(&error.1).expect("an error event");
    assert_eq!(error["error"]["type"], "api_error", "{error}");
    assert_eq!(error["error"]["code"], "unavailable", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not pass its health check within 1s"),
        "{error}"
    );
    assert_eq!(
        c.metric("mosaic_container_starts_total{outcome=\"timeout\"}").await,
        2.0
    );
    assert_eq!(c.metric("mosaic_proxy_active_streams").await, 0.0);
}

/// A client that goes away mid-stream cancels the agent's request: the agent sees its
/// connection close and logs the stream as cancelled.
pub async fn disconnect_cancels_upstream() {
    let c = Chat::start(&images().normal, 30, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    c.complete(Auth::Bearer(&alice.token), &body("warm up"))
        .await
        .expect(200);

    let response = c
        .stream(Auth::Bearer(&alice.token), "long mock:chunks=200 mock:interval_ms=50")
        .await;
    let (body, _) = crate::faults::under_way(response, 3).await;
    assert_eq!(c.metric("mosaic_proxy_active_streams").await, 1.0);
    drop(body);

    let name = container(&alice);
    let line = wait_for(
        "the agent to log the cancelled stream",
        Duration::from_secs(10),
        || async {
            agent_log(&name)
                .lines()
                .find(|l| l.starts_with("stream ") && l.contains(" cancelled after "))
                .map(str::to_string)
        },
    )
    .await;
    let id = line.split(' ').nth(1).unwrap();
    assert!(!agent_log(&name).contains(&format!("stream {id} completed")));
    assert!(
        c.w.daemon
            .log()
            .contains("chat client went away before the answer ended")
    );
    wait_for("the stream gauge back at 0", Duration::from_secs(5), || async {
        (c.metric("mosaic_proxy_active_streams").await == 0.0).then_some(())
    })
    .await;
}

/// A container with an open stream is not reaped however long it has been idle by the clock; once
/// the stream ends, it is reaped when its idle timeout has passed, not before. The daemon's clock
/// is moved and the reaper passes are run by hand (`mosaicctl containers reap`; the timer is an
/// hour), so nothing depends on timing. Metrics show the start, the reap, the latency.
pub async fn no_reap_while_streaming() {
    let c = Chat::start_reaping_every("1h", &images().normal, 30, "1s", &[]).await;
    c.data.set("agent.idle_timeout_min", "1").await;
    let alice = c.member("alice@example.com").await;
    let reap = || {
        let out = c.w.daemon.ctl(&["containers", "reap", "--json"]);
        out.json()
    };

    // The stream holds until it is told to finish (the double answers a chunk every 300 ms).
    let t0 = Instant::now();
    let response = c
        .stream(Auth::Bearer(&alice.token), "keep mock:chunks=20 mock:interval_ms=300")
        .await;
    let reading = tokio::spawn(events(response, t0));
    wait_for("the stream under way", Duration::from_secs(10), || async {
        c.container_status(&alice.id)
            .await
            .filter(|s| s["state"] == "running" && s["activeRequests"] == 1)
    })
    .await;
    // Two idle timeouts pass by the clock while the stream is open: kept, as busy.
    c.w.daemon.advance_clock(Duration::from_secs(120));
    let report = reap();
    assert_eq!(report["keptBusy"], 1, "{report:#}");
    assert_eq!(report["stopped"], json!([]), "{report:#}");
    let status = c.container_status(&alice.id).await.unwrap();
    assert_eq!(status["state"], "running", "reaped under an open stream: {status:#}");
    assert!(
        !reading.is_finished(),
        "the stream ended before the reaper pass proved anything"
    );

    let events = reading.await.unwrap();
    assert!(streamed_text(&events).ends_with("chunk 20"), "{events:#?}");
    // The stream just ended: its end is the last activity, so the container is not idle yet.
    let report = reap();
    assert_eq!(
        (report["keptBusy"].clone(), report["stopped"].clone()),
        (json!(0), json!([])),
        "{report:#}"
    );
    assert_eq!(c.container_status(&alice.id).await.unwrap()["state"], "running");
    // A minute and a bit later by the clock, it is.
    c.w.daemon.advance_clock(Duration::from_secs(61));
    let report = reap();
    assert_eq!(report["stopped"][0]["reason"], "idle", "{report:#}");
    let status = c.container_status(&alice.id).await.unwrap();
    assert_eq!(status["state"], "stopped", "{status:#}");
    assert_eq!(status["stopReason"], "idle", "{status:#}");
    assert!(c.scope.containers().is_empty());

    assert_eq!(c.metric("mosaic_container_starts_total{outcome=\"ok\"}").await, 1.0);
    assert_eq!(c.metric("mosaic_container_reaps_total{reason=\"idle\"}").await, 1.0);
    assert_eq!(
        c.metric("mosaic_containers{kind=\"user\",state=\"stopped\"}").await,
        1.0
    );
    assert!(c.metric("mosaic_proxy_upstream_latency_seconds_count").await >= 1.0);
    assert_eq!(c.metric("mosaic_proxy_active_streams").await, 0.0);
    assert_eq!(
        c.metric("mosaic_http_requests_total{method=\"POST\",route=\"/api/chat/completions\",status=\"200\"}")
            .await,
        1.0
    );
}

/// The agent's errors come back with their status, headers and OpenClaw's body.
pub async fn agent_errors_pass_through() {
    let c = Chat::start(&images().normal, 30, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    let me = Auth::Bearer(&alice.token);

    let r = c.complete(me, &body("slow down mock:status=429")).await;
    assert_eq!(r.status.as_u16(), 429, "{r:?}");
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        r.json(),
        json!({ "error": { "message": "rate limited", "type": "rate_limited" } })
    );
    let r = c.complete(me, &body("break mock:status=500")).await;
    assert_eq!(r.status.as_u16(), 500);
    assert_eq!(
        r.json(),
        json!({ "error": { "message": "internal error", "type": "api_error" } })
    );
    let r = c
        .complete(me, &json!({ "model": "gpt-4o", "messages": [user("x")] }))
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(
        r.json(),
        json!({ "error": { "message": "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.", "type": "invalid_request_error" } })
    );
    // A streaming request to a running container gets the agent's status too (OpenClaw refuses
    // before it starts its stream).
    let response = c.stream(me, "slow down mock:status=429").await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let v: Value = response.json().await.unwrap();
    assert_eq!(v["error"]["type"], "rate_limited");
}

/// Nothing in a request reaches another user's container: not the model, not OpenClaw's agent
/// header, not `user`, not made-up headers or fields, not the other user's cookie.
pub async fn cannot_reach_another_users_container() {
    let c = Chat::start(&images().normal, 30, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    let bob = c.member("bob@example.com").await;
    for m in [&alice, &bob] {
        c.complete(Auth::Bearer(&m.token), &body("hello")).await.expect(200);
    }
    let bobs = container(&bob);
    let alices = container(&alice);
    let bob_before = requests_logged(&bobs);
    let alice_before = requests_logged(&alices);
    let api = c.api();
    let me = Auth::Bearer(&alice.token);
    let mine = format!("[primary={}]", alice.primary);

    // Agent selectors address agents inside alice's own container, where bob is unknown.
    let unknown = format!("Unknown agent '{}'.", bob.id);
    for model in [format!("openclaw:{}", bob.id), format!("openclaw/{}", bob.id)] {
        let r = c
            .complete(me, &json!({ "model": model, "messages": [user("x")] }))
            .await;
        assert_eq!(r.status.as_u16(), 400, "{r:?}");
        assert_eq!(r.json()["error"]["message"], unknown.as_str());
    }
    let r = api
        .send(
            api.request(Method::POST, CHAT, me)
                .header("x-openclaw-agent-id", &bob.id)
                .json(&body("x")),
        )
        .await;
    assert_eq!(r.json()["error"]["message"], unknown.as_str());

    // Everything else lands in alice's container.
    let attempts = vec![
        api.request(Method::POST, CHAT, me).json(&json!({
            "model": "openclaw", "user": bob.id, "messages": [user("x")],
            "container": bobs, "owner": bob.id, "userId": bob.id, "agentId": bob.id,
        })),
        api.request(Method::POST, CHAT, me)
            .header("x-openclaw-session-key", format!("agent:main:openai-user:{}", bob.id))
            .header("x-mosaic-user", &bob.id)
            .header("x-user-id", &bob.id)
            .header("x-forwarded-user", &bob.id)
            .header("x-agent-container", &bobs)
            .json(&body("x")),
        // Alice's token and bob's session cookie: the token decides.
        api.request(Method::POST, CHAT, me)
            .header("cookie", &bob.session.cookie)
            .header("x-csrf-token", &bob.session.csrf)
            .json(&body("x")),
    ];
    for request in attempts {
        let text = reply(&api.send(request).await.expect(200));
        assert!(text.contains(&mine), "{text}");
    }
    assert_eq!(requests_logged(&bobs), bob_before, "a request reached bob's container");
    assert_eq!(requests_logged(&alices), alice_before + 6);
}

/// A container killed from outside between two requests is started again by the next one.
/// On `driver`: under Swarm it is the service's task container that is killed.
pub async fn killed_container_restarts_on_next_chat(driver: Driver) {
    // Reconciliation is slow here: the request itself must notice.
    let c = Chat::start_on(driver, "300ms", &images().normal, 30, "1h", &[]).await;
    let alice = c.member("alice@example.com").await;
    let me = Auth::Bearer(&alice.token);
    assert!(reply(&c.complete(me, &body("one")).await.expect(200)).ends_with("[boot=1]"));
    docker::kill_agent(driver, &container(&alice));

    let text = reply(&c.complete(me, &body("two")).await.expect(200));
    // The state volume survived; the gateway booted a second time.
    assert!(text.ends_with("[boot=2]"), "{text}");
    let status = c.container_status(&alice.id).await.unwrap();
    assert_eq!(status["state"], "running");
    assert_eq!(status["generation"], 2);
    assert!(
        c.w.audit_text().await.contains("\"reason\":\"crash\""),
        "the crash is recorded"
    );
    assert_eq!(c.metric("mosaic_container_starts_total{outcome=\"ok\"}").await, 2.0);
}

/// The official OpenAI Python SDK, pointed at mosaicd with a personal API token.
pub async fn openai_sdk() {
    let has_sdk = std::process::Command::new("python3")
        .args(["-c", "import openai"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_sdk {
        ci::missing("the OpenAI Python SDK (python3 -m pip install openai)");
    }
    let c = Chat::start(&images().normal, 30, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    let script = mosaic_tests::bins::workspace_root().join("tests/fixtures/openai_sdk_chat.py");
    let base = format!("{}/api", c.w.daemon.base_url());
    let token = alice.token.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .env("MOSAIC_BASE_URL", base)
            .env("MOSAIC_API_TOKEN", token)
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .output()
            .expect("run python3")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "the SDK script failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    assert_eq!(
        v["completion"],
        format!(
            "echo: sdk hello [session=agent:main:openai-user:sdk-user] [primary={}] [boot=1]",
            alice.primary
        )
    );
    assert_eq!(v["model"], "openclaw");
    assert_eq!(v["models"], json!(["openclaw"]), "models.list() names the agent");
    assert_eq!(
        v["streamed"],
        format!(
            "echo: sdk stream mock:chunks=3 [session=sdk-conv] [primary={}] [boot=1] chunk 1 chunk 2 chunk 3",
            alice.primary
        )
    );
    assert!(v["chunks"].as_u64().unwrap() >= 5, "{v}");
    assert_eq!(v["rateLimited"]["status"], 429);
    assert_eq!(v["rateLimited"]["retryAfter"], "7");
    assert_eq!(v["badKey"]["status"], 401);
}

/// Requests mosaicd refuses itself, in its own error shape, without starting anything (this
/// daemon cannot even reach Docker).
pub async fn requests_refused_before_the_agent() {
    let w = World::start_with(
        Backend::Sqlite,
        DaemonOptions::default()
            .arg("--docker-host")
            .arg("unix:///nonexistent/docker.sock"),
    )
    .await;
    let api = &w.api;
    let me = Auth::Session(&w.admin);
    let raw = |content_type: &'static str, text: &'static str| {
        api.request(Method::POST, CHAT, me)
            .header("content-type", content_type)
            .body(text)
    };
    api.send(raw("text/plain", "{}"))
        .await
        .error(415, "unsupported_media_type");
    let m = api
        .send(raw("application/json", "{not json"))
        .await
        .error(400, "invalid_input");
    assert!(m.contains("malformed JSON"), "{m}");
    api.send(raw("application/json", "[1]"))
        .await
        .error(400, "invalid_input");
    for bad in [json!({}), json!({ "messages": [] }), json!({ "model": "openclaw" })] {
        let m = api.post(CHAT, me, &bad).await.error(400, "invalid_input");
        assert!(m.contains("`messages` must be a non-empty array"), "{m}");
    }
    api.post(CHAT, me, &json!({ "messages": "hi" }))
        .await
        .error(400, "invalid_input");
    // OpenClaw's own limit, 20 MiB, answered here in mosaicd's shape.
    let big = format!(
        "{{\"messages\":[{{\"role\":\"user\",\"content\":\"{}\"}}]}}",
        "a".repeat(20 * 1024 * 1024)
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.into_bytes().chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let m = api
        .send(
            api.request(Method::POST, CHAT, me)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks))),
        )
        .await
        .error(413, "payload_too_large");
    assert!(m.contains("20 MiB"), "{m}");
    let r = api.get(CHAT, me).await;
    r.error(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("POST"));
    assert!(!w.daemon.log().contains("starting agent container"));
}

/// System agents over HTTP: add (its container starts), list, remove; members are refused; the
/// admin-level provider's key never comes back.
/// On `driver`: under Swarm the agent is a service, and its removal removes the service.
pub async fn system_agents(driver: Driver) {
    let c = Chat::start_on(driver, "300ms", &images().normal, 30, "1s", &[]).await;
    let api = c.api();
    let admin = Auth::Session(&c.w.admin);
    let key = format!("sk-admin-canary-{}", uuid::Uuid::new_v4().simple());
    c.data.add_provider(None, "ops", &key, &["m1"]).await;
    let member = c.w.member("carol@example.com").await;

    let spec = json!({ "name": "ops-bot", "role": "operations", "primaryModel": "ops/m1",
                       "provider": "ops", "personality": "You watch the fleet." });
    api.post("/api/admin/system-agents", Auth::Session(&member), &spec)
        .await
        .error(403, "forbidden");
    api.get("/api/admin/system-agents", Auth::Session(&member))
        .await
        .error(403, "forbidden");
    let mut smuggled = spec.clone();
    smuggled["owner"] = json!(member.user_id);
    api.post("/api/admin/system-agents", admin, &smuggled)
        .await
        .error(400, "invalid_input");

    let added = api.post("/api/admin/system-agents", admin, &spec).await.expect(201);
    assert_eq!(added["name"], "ops-bot");
    assert_eq!(added["provider"], "ops");
    assert_eq!(added["hasPersonality"], true);
    assert_eq!(added["container"]["kind"], "system");
    assert_eq!(added["container"]["state"], "running");
    assert!(docker::agent_running(driver, "mosaic-system-ops-bot"));
    api.post("/api/admin/system-agents", admin, &spec)
        .await
        .error(409, "conflict");

    let listed = api.get("/api/admin/system-agents", admin).await.expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "ops-bot");
    let containers = api.get("/api/admin/containers", admin).await.expect(200);
    assert!(
        containers["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "system" && c["owner"] == "ops-bot" && c["state"] == "running"),
        "{containers:#}"
    );

    api.delete("/api/admin/system-agents/ops-bot", Auth::Session(&member))
        .await
        .error(403, "forbidden");
    api.delete("/api/admin/system-agents/ops-bot", admin).await.expect(204);
    assert_eq!(api.get("/api/admin/system-agents", admin).await.expect(200), json!([]));
    // Its container (or service, and the service's task container) and its state volume go.
    assert_eq!(docker::service_replicas("mosaic-system-ops-bot"), None);
    wait_for(
        "the agent's container and volume gone",
        Duration::from_secs(10),
        || async { (c.scope.containers().is_empty() && c.scope.volumes().is_empty()).then_some(()) },
    )
    .await;
    api.delete("/api/admin/system-agents/ops-bot", admin)
        .await
        .error(404, "not_found");
    assert_absent(&key, &api.transcript(), "a response (admin provider key)");
    assert_absent(&key, &c.w.daemon.log(), "mosaicd's log (admin provider key)");
}
