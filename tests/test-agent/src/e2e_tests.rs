//! End to end on loopback: the entrypoint against a fake mosaicd, then real
//! HTTP exchanges with the gateway it starts.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::ApiUrl;
use crate::entrypoint::{self, Env, Failure};
use crate::http::{self, Framing, Headers};
use crate::log::Logger;

const TOKEN: &str = "good-token";
const AGENT: &str = "user/0190abcd";

/// What Mosaic generates (without a workspace: the default one is used).
fn config() -> Value {
    json!({
        "gateway": {
            "mode": "local", "port": 18789, "bind": "lan",
            "auth": {"mode": "token"},
            "http": {"endpoints": {"chatCompletions": {"enabled": true}}},
            "controlUi": {"enabled": false}
        },
        "agents": {"defaults": {"model": {"primary": "mosaic/my-model", "fallbacks": []}}},
        "models": {"mode": "merge", "providers": {"mosaic": {
            "baseUrl": "http://10.0.0.9:8080/v1", "apiKey": "sk-never-logged",
            "api": "openai-completions",
            "models": [{"id": "my-model", "name": "My Model", "reasoning": false, "input": ["text"],
                        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                        "contextWindow": 128000, "maxTokens": 8192}]
        }}}
    })
}

/// A stand-in for mosaicd's internal config API.
struct FakeMosaicd {
    config: Value,
    soul: (u16, &'static str),
}

impl FakeMosaicd {
    fn spawn(self) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let this = Arc::new(self);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let this = Arc::clone(&this);
                thread::spawn(move || this.answer(stream));
            }
        });
        addr
    }

    fn answer(&self, stream: TcpStream) {
        let mut reader = BufReader::new(&stream);
        let Ok(Some(req)) = http::read_request_head(&mut reader) else {
            return;
        };
        let config_path = format!("/api/internal/agent-config/{AGENT}");
        let (status, body) = if req.headers.get("authorization") != Some(&format!("Bearer {TOKEN}")) {
            (401, r#"{"error":"invalid agent token"}"#.to_owned())
        } else if req.path() == config_path {
            (200, self.config.to_string())
        } else if req.path() == format!("{config_path}/soul") {
            (self.soul.0, self.soul.1.to_owned())
        } else {
            (404, "not found".to_owned())
        };
        let response = format!(
            "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            http::reason_phrase(status),
            body.len()
        );
        let _ = (&stream).write_all(response.as_bytes());
    }
}

/// A state directory under the system temp dir, removed even if the test panics.
struct StateDir(PathBuf);

impl StateDir {
    fn new() -> StateDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "test-agent-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        StateDir(dir)
    }
}

impl std::ops::Deref for StateDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env(mosaicd: SocketAddr, token: &str, state_dir: &Path) -> Env {
    Env {
        api: ApiUrl {
            addr: mosaicd,
            base_path: String::new(),
        },
        agent_id: AGENT.to_owned(),
        token: token.to_owned(),
        state_dir: state_dir.to_owned(),
        startup_delay: Duration::ZERO,
        ready_delay: Duration::ZERO,
        fail_health: false,
        probe_fault: None,
        port_override: Some(0),
        listen_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        process_env: BTreeMap::from([("HOME".to_owned(), "/home/node".to_owned())]),
    }
}

struct Running {
    addr: SocketAddr,
    logs: Receiver<String>,
}

impl Running {
    /// Waits for a log line satisfying `pred`, skipping others.
    fn wait_log(&self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("timed out waiting for a log line"),
            }
        }
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }
}

fn start(env: &Env) -> Result<Running, Failure> {
    let (tx, logs) = mpsc::channel();
    let log = Logger::from_fn(move |line| {
        let _ = tx.send(line.to_owned());
    });
    let started = entrypoint::start(env, &log)?;
    let addr = started.listener.local_addr().unwrap();
    let gateway = Arc::new(started.gateway);
    thread::spawn(move || gateway.serve(started.listener));
    Ok(Running { addr, logs })
}

struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

struct Resp {
    status: u16,
    headers: Headers,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

impl Client {
    fn send(&mut self, raw: &[u8]) {
        self.writer.write_all(raw).unwrap();
    }

    fn read(&mut self, head_only: bool) -> Resp {
        let head = http::read_response_head(&mut self.reader).unwrap();
        let framing = if head_only { Framing::Empty } else { head.framing };
        let body = http::read_body(&mut self.reader, framing, 64 << 20).unwrap();
        Resp {
            status: head.status,
            headers: head.headers,
            body,
        }
    }

    fn request(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n");
        for (k, v) in headers {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        raw.push_str("\r\n");
        raw.push_str(body);
        self.send(raw.as_bytes());
        self.read(method == "HEAD")
    }

    fn chat(&mut self, body: &Value) -> Resp {
        let auth = format!("Bearer {TOKEN}");
        let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        self.request("POST", "/v1/chat/completions", &headers, &body.to_string())
    }

    /// Whether the server closes the connection within a moment.
    fn at_eof(&mut self) -> bool {
        let socket = self.reader.get_ref();
        socket.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        let eof = matches!(self.reader.fill_buf(), Ok([]));
        let socket = self.reader.get_ref();
        socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        eof
    }
}

fn user(text: &str) -> Value {
    json!([{"role": "user", "content": text}])
}

/// SSE payloads (`data: …`) of a complete stream body.
fn sse_data(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.ends_with("\n\n"));
    text.split_terminator("\n\n")
        .map(|event| event.strip_prefix("data: ").expect("every event is data").to_owned())
        .collect()
}

#[test]
fn gateway_serves_openclaw_http_contract() {
    let mosaicd = FakeMosaicd {
        config: config(),
        soul: (200, "# Soul\nBe kind.\n"),
    }
    .spawn();
    let state = StateDir::new();
    let gw = start(&env(mosaicd, TOKEN, &state)).unwrap_or_else(|f| panic!("{}", f.message()));
    let listening = gw.wait_log(|l| l.starts_with("test-agent listening"));
    assert_eq!(
        listening,
        format!("test-agent listening on {} (agent {AGENT}, boot 1)", gw.addr)
    );

    // Persisted files.
    use std::os::unix::fs::PermissionsExt;
    let written = std::fs::read(state.join("openclaw.json")).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&written).unwrap(), config());
    let mode = std::fs::metadata(state.join("openclaw.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let soul = std::fs::read_to_string(state.join("workspace/SOUL.md")).unwrap();
    assert_eq!(soul, "# Soul\nBe kind.\n");
    let copy = std::fs::read_to_string(state.join("mosaic/SOUL.md")).unwrap();
    assert_eq!(copy, soul);
    let mosaic_dir = std::fs::metadata(state.join("mosaic")).unwrap().permissions().mode();
    assert_eq!(mosaic_dir & 0o777, 0o700);
    let boots = std::fs::read_to_string(state.join("mock-state.json")).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&boots).unwrap(), json!({"boots": 1}));

    // Everything below shares one keep-alive connection.
    let mut c = gw.connect();
    let health = c.request("GET", "/healthz", &[], "");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, br#"{"ok":true,"status":"live"}"#);
    assert_eq!(health.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(health.header("cache-control"), Some("no-store"));
    assert_eq!(health.header("connection"), Some("keep-alive"));
    let head = c.request("HEAD", "/health?x=1", &[], "");
    assert_eq!((head.status, head.body.len()), (200, 0));
    let ready = c.request("GET", "/readyz", &[], "");
    assert_eq!((ready.status, ready.json()), (200, json!({"ready": true})));
    let wrong_method = c.request("POST", "/healthz", &[], "{}");
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("GET, HEAD"));
    assert_eq!(wrong_method.body, b"Method Not Allowed");
    assert_eq!(c.request("GET", "/v1/models", &[], "").status, 404);
    let get_chat = c.request("GET", "/v1/chat/completions", &[], "");
    assert_eq!((get_chat.status, get_chat.header("allow")), (405, Some("POST")));

    // Auth failures leave the (unread) body drained and the connection usable.
    let body = json!({"messages": user("hi")}).to_string();
    for auth in [None, Some("Bearer wrong"), Some("Basic Z29vZC10b2tlbg==")] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        let denied = c.request("POST", "/v1/chat/completions", &headers, &body);
        assert_eq!(denied.status, 401);
        assert_eq!(
            denied.json(),
            json!({"error": {"message": "Unauthorized", "type": "unauthorized"}})
        );
    }
    let lower = format!("bearer   {TOKEN} ");
    let ok = c.request("POST", "/v1/chat/completions", &[("authorization", &lower)], &body);
    assert_eq!(ok.status, 200);

    // Non-streaming completion.
    let resp = c.chat(&json!({"model": "openclaw", "user": "alice", "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "earlier"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "hello there"}]},
    ]}));
    assert_eq!(resp.status, 200);
    // Key order as Node's JSON.stringify emits it.
    let raw = String::from_utf8(resp.body.clone()).unwrap();
    assert!(raw.starts_with(r#"{"id":"chatcmpl_"#), "{raw}");
    assert!(raw.contains(r#","object":"chat.completion","created":"#), "{raw}");
    let value = resp.json();
    assert!(value["id"].as_str().unwrap().starts_with("chatcmpl_"));
    assert_eq!(value["object"], "chat.completion");
    assert_eq!(value["model"], "openclaw");
    assert!(value["created"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(value["choices"][0]["finish_reason"], "stop");
    assert_eq!(value["choices"][0]["message"]["role"], "assistant");
    assert_eq!(
        value["choices"][0]["message"]["content"],
        "echo: hello there [session=agent:main:openai-user:alice] [primary=mosaic/my-model] [boot=1]"
    );
    // One token per word of every message in, one per content piece out (six words each).
    assert!(
        raw.ends_with(r#","usage":{"prompt_tokens":6,"completion_tokens":6,"total_tokens":12}}"#),
        "{raw}"
    );
    gw.wait_log(|l| l == "request POST /v1/chat/completions stream=false session=agent:main:openai-user:alice");

    // `mock:headers=1` lists the header names the gateway received.
    let listed = c.chat(&json!({"messages": user("which mock:headers=1")}));
    let content = listed.json()["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        content.ends_with("[headers=authorization,content-length,content-type,host]"),
        "{content}"
    );

    // `mock:config=1` shows the effective config, keys redacted; `mock:workspace=1` the
    // workspace's Markdown files: Mosaic's SOUL.md and OpenClaw's templates, no BOOTSTRAP.md.
    let shown = c.chat(&json!({"messages": user("mock:config=1 mock:workspace=1")}));
    let content = shown.json()["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, config_part) = content.split_once(" [config=").unwrap();
    let (config_json, workspace_part) = config_part.split_once("] [workspace=").unwrap();
    let mut expected = config();
    expected["models"]["providers"]["mosaic"]["apiKey"] = json!("***");
    assert_eq!(serde_json::from_str::<Value>(config_json).unwrap(), expected);
    let listing: Value = serde_json::from_str(workspace_part.strip_suffix(']').unwrap()).unwrap();
    assert_eq!(
        listing,
        json!({
            "AGENTS.md": "# AGENTS.md - Your Workspace",
            "HEARTBEAT.md": "# HEARTBEAT.md Template",
            "IDENTITY.md": "# IDENTITY.md - Who Am I?",
            "SOUL.md": "# Soul",
            "TOOLS.md": "# TOOLS.md - Local Notes",
            "USER.md": "# USER.md - About Your Human",
        })
    );

    // Streaming completion with a chunked request body and a session header.
    let body = json!({"model": "openclaw/default", "stream": true,
                      "messages": user("stream me mock:chunks=2")})
    .to_string();
    let (first, second) = body.split_at(10);
    let raw = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\n\
         x-openclaw-session-key: mosaic:conv-7\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        first.len(),
        second.len()
    );
    c.send(raw.as_bytes());
    let stream = c.read(false);
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("content-type"), Some("text/event-stream; charset=utf-8"));
    assert_eq!(stream.header("cache-control"), Some("no-cache"));
    assert_eq!(stream.header("connection"), Some("keep-alive"));
    assert_eq!(stream.header("transfer-encoding"), Some("chunked"));
    assert!(stream.body.starts_with(br#"data: {"id":"chatcmpl_"#));
    let events = sse_data(&stream.body);
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    let id = chunks[0]["id"].as_str().unwrap().to_owned();
    assert!(
        chunks.iter().all(|c| c["id"] == id.as_str()
            && c["object"] == "chat.completion.chunk"
            && c["model"] == "openclaw/default")
    );
    assert_eq!(chunks[0]["choices"][0]["delta"], json!({"role": "assistant"}));
    let finish = chunks.last().unwrap();
    assert_eq!(finish["choices"][0]["delta"], json!({}));
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    let content: Vec<&str> = chunks[1..chunks.len() - 1]
        .iter()
        .map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap())
        .collect();
    let expected = "echo: stream me mock:chunks=2 [session=mosaic:conv-7] \
                    [primary=mosaic/my-model] [boot=1] chunk 1 chunk 2";
    assert_eq!(content.concat(), expected);
    assert_eq!(content.len(), expected.split(' ').count() - 2);
    // Without `stream_options.include_usage` no chunk carries usage.
    assert!(chunks.iter().all(|c| c.get("usage").is_none()), "{chunks:?}");
    gw.wait_log(|l| l == "request POST /v1/chat/completions stream=true session=mosaic:conv-7");
    gw.wait_log(|l| l == format!("stream {id} completed {} chunks", content.len()));

    // With it, a last chunk without choices carries the usage, after the finish chunk.
    let counted = c.chat(&json!({"stream": true, "stream_options": {"include_usage": true},
                                 "messages": user("count me")}));
    let events = sse_data(&counted.body);
    let n = events.len();
    assert_eq!(events[n - 1], "[DONE]");
    let finish: Value = serde_json::from_str(&events[n - 3]).unwrap();
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(finish.get("usage").is_none());
    let last: Value = serde_json::from_str(&events[n - 2]).unwrap();
    assert_eq!(last["object"], "chat.completion.chunk");
    assert_eq!(last["id"], finish["id"]);
    assert_eq!(last["choices"], json!([]));
    // "count me"; "echo: count me [session=…] [primary=…] [boot=1]" in six content chunks.
    assert_eq!(
        last["usage"],
        json!({"prompt_tokens": 2, "completion_tokens": 6, "total_tokens": 8})
    );
    assert_eq!(n, 1 + 6 + 1 + 1 + 1);
    // `include_usage` must be `true` itself.
    let not_true = c.chat(&json!({"stream": true, "stream_options": {"include_usage": "yes"},
                                  "messages": user("count me")}));
    assert!(!String::from_utf8_lossy(&not_true.body).contains("\"usage\""));

    // Request errors, still on the same connection.
    let bad_json = c.request(
        "POST",
        "/v1/chat/completions",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        "{not json",
    );
    assert_eq!(bad_json.status, 400);
    assert_eq!(bad_json.json()["error"]["type"], "invalid_request_error");
    let bad_model = c.chat(&json!({"model": "gpt-4o", "messages": user("x")}));
    assert_eq!(
        bad_model.json()["error"]["message"],
        "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`."
    );
    let no_user = c.chat(&json!({"messages": [{"role": "system", "content": "x"}]}));
    assert_eq!(no_user.status, 400);
    assert_eq!(
        no_user.json()["error"]["message"],
        "Missing user message in `messages`."
    );
    let empty = c.request(
        "POST",
        "/v1/chat/completions",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        "",
    );
    assert_eq!(empty.json()["error"]["message"], "Missing user message in `messages`.");
    let limited = c.chat(&json!({"stream": true, "messages": user("mock:status=429")}));
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(
        limited.json(),
        json!({"error": {"message": "rate limited", "type": "rate_limited"}})
    );
    let started = Instant::now();
    let failed = c.chat(&json!({"messages": user("mock:status=500 mock:delay_ms=150")}));
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(
        failed.json(),
        json!({"error": {"message": "internal error", "type": "api_error"}})
    );
    let fresh = c.chat(&json!({"messages": user("no user field")}));
    let content = fresh.json()["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(content.contains("[session=agent:main:openai:"), "{content}");
    assert!(!c.at_eof());

    // Over the 20 MiB limit: refused from the declared length, then closed.
    let raw = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Length: {}\r\n\r\n",
        20 * 1024 * 1024 + 1
    );
    c.send(raw.as_bytes());
    let too_large = c.read(false);
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.json(),
        json!({"error": {"message": "Payload too large", "type": "invalid_request_error"}})
    );
    assert_eq!(too_large.header("connection"), Some("close"));
    drop(c);

    // A chunked body that grows past the limit is refused as it arrives.
    let mut c = gw.connect();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    );
    c.send(head.as_bytes());
    let block = vec![b'x'; 1 << 20];
    let mut frame = format!("{:x}\r\n", block.len()).into_bytes();
    frame.extend_from_slice(&block);
    frame.extend_from_slice(b"\r\n");
    for _ in 0..21 {
        c.send(&frame);
    }
    assert_eq!(c.read(false).status, 413);
    assert!(c.at_eof());

    // The client goes away mid-stream.
    let mut c = gw.connect();
    let body = json!({"stream": true, "user": "bob",
                      "messages": user("cancel mock:chunks=200 mock:interval_ms=20")})
    .to_string();
    let raw = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    c.send(raw.as_bytes());
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while seen.windows(6).filter(|w| w == b"data: ").count() < 4 {
        let n = c.reader.read(&mut buf).unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }
    drop(c);
    let cancelled = gw.wait_log(|l| l.starts_with("stream ") && !l.contains("completed"));
    let sent: u64 = cancelled
        .strip_suffix(" chunks")
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected line {cancelled:?}"));
    assert!(cancelled.contains(" cancelled after "), "{cancelled}");
    assert!((3..50).contains(&sent), "{cancelled}");
}

#[test]
fn secrets_never_reach_the_log() {
    let mosaicd = FakeMosaicd {
        config: config(),
        soul: (204, ""),
    }
    .spawn();
    let state = StateDir::new();
    let gw = start(&env(mosaicd, TOKEN, &state)).unwrap_or_else(|f| panic!("{}", f.message()));
    let mut c = gw.connect();
    assert_eq!(c.chat(&json!({"messages": user("hi")})).status, 200);
    gw.wait_log(|l| l.starts_with("request POST"));
    let lines: Vec<String> = gw.logs.try_iter().collect();
    for line in lines {
        assert!(!line.contains(TOKEN) && !line.contains("sk-never-logged"), "{line}");
    }
}

/// The text of a non-streaming reply to `text`.
fn reply(gw: &Running, text: &str) -> String {
    let mut c = gw.connect();
    let resp = c.chat(&json!({"messages": user(text)}));
    resp.json()["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The `[workspace=…]` listing of a reply.
fn workspace_of(gw: &Running) -> Value {
    let text = reply(gw, "mock:workspace=1");
    let (_, listing) = text.split_once(" [workspace=").unwrap();
    serde_json::from_str(listing.strip_suffix(']').unwrap()).unwrap()
}

#[test]
fn restart_keeps_state_and_follows_soul() {
    let state = StateDir::new();
    let soul = state.join("workspace/SOUL.md");
    let boot = |soul: (u16, &'static str), cfg: Value| {
        let mosaicd = FakeMosaicd { config: cfg, soul }.spawn();
        start(&env(mosaicd, TOKEN, &state)).unwrap_or_else(|f| panic!("{}", f.message()))
    };

    // A brand-new workspace without a personality: every template, and BOOTSTRAP.md.
    let gw = boot((204, ""), config());
    let listing = workspace_of(&gw);
    assert_eq!(listing["SOUL.md"], "# SOUL.md - Who You Are");
    assert_eq!(listing["BOOTSTRAP.md"], "# BOOTSTRAP.md - Hello, World");
    assert!(reply(&gw, "hi").ends_with("[boot=1]"));

    // A personality replaces the template; the copy records it.
    let gw = boot((200, "soul v1"), config());
    assert_eq!(std::fs::read_to_string(&soul).unwrap(), "soul v1");
    assert_eq!(
        std::fs::read_to_string(state.join("mosaic/SOUL.md")).unwrap(),
        "soul v1"
    );
    assert!(reply(&gw, "again").ends_with("[boot=2]"));

    // Cleared while still Mosaic's: removed, and with skipBootstrap nothing comes back.
    let mut skip = config();
    skip["agents"]["defaults"]["skipBootstrap"] = json!(true);
    let gw = boot((404, "no soul"), skip.clone());
    assert!(!soul.exists() && !state.join("mosaic/SOUL.md").exists());
    assert!(workspace_of(&gw).get("SOUL.md").is_none());

    // Without skipBootstrap OpenClaw writes its template back, which a later clear keeps.
    boot((200, "soul v2"), config());
    let gw = boot((204, ""), config());
    assert_eq!(workspace_of(&gw)["SOUL.md"], "# SOUL.md - Who You Are");
    let gw = boot((204, ""), config());
    assert_eq!(workspace_of(&gw)["SOUL.md"], "# SOUL.md - Who You Are");

    // The agent's own edits survive a cleared personality.
    boot((200, "soul v3"), skip.clone());
    std::fs::write(&soul, "soul v3, edited by the agent").unwrap();
    boot((204, ""), skip);
    assert_eq!(std::fs::read_to_string(&soul).unwrap(), "soul v3, edited by the agent");
}

#[test]
fn startup_failures() {
    let state = StateDir::new();
    let good = FakeMosaicd {
        config: config(),
        soul: (204, ""),
    }
    .spawn();

    let err = start(&env(good, "wrong-token", &state)).err().unwrap();
    assert_eq!(err.exit_code(), 1);
    assert_eq!(
        err.message(),
        r#"config fetch failed: HTTP 401: {"error":"invalid agent token"}"#
    );

    let refused = |cfg: Value| {
        let mosaicd = FakeMosaicd {
            config: cfg,
            soul: (204, ""),
        }
        .spawn();
        let err = start(&env(mosaicd, TOKEN, &state)).err().unwrap();
        assert_eq!(err.exit_code(), 1);
        err.message().to_owned()
    };

    // The entrypoint writes whatever it fetched; the gateway then refuses it.
    let mut cfg = config();
    cfg["gateway"]["http"]["endpoints"]["chatCompletions"]["maxBodyBytes"] = json!(1);
    assert_eq!(
        refused(cfg.clone()),
        format!(
            "Invalid config at {}:\n- gateway.http.endpoints.chatCompletions: \
             Unrecognized key: \"maxBodyBytes\"",
            state.join("openclaw.json").display()
        )
    );
    let written: Value = serde_json::from_slice(&std::fs::read(state.join("openclaw.json")).unwrap()).unwrap();
    assert_eq!(written, cfg);

    let mut cfg = config();
    cfg["gateway"]["mode"] = json!("remote");
    assert_eq!(
        refused(cfg),
        "Gateway start blocked: set gateway.mode=local (current: remote) or pass --allow-unconfigured."
    );

    let mut cfg = config();
    cfg["gateway"]["controlUi"] = json!({"enabled": true});
    assert!(refused(cfg).starts_with("Gateway failed to start: Error: non-loopback Control UI requires"));

    let mut cfg = config();
    cfg["gateway"]["auth"]["token"] = json!("change-me-now");
    assert!(refused(cfg).starts_with("Gateway failed to start: Error: Invalid config: gateway auth token is blank"));

    let mut cfg = config();
    cfg["models"]["providers"]["mosaic"]["apiKey"] = json!(" ");
    assert!(refused(cfg).starts_with("No API key found for provider \"mosaic\". Auth store: "));

    let mut cfg = config();
    cfg["agents"]["defaults"]["model"]["fallbacks"] = json!(["openai/gpt-4o"]);
    assert_eq!(refused(cfg), "Unknown model: openai/gpt-4o");

    // Nothing is bootstrapped for a gateway that did not start.
    assert!(!state.join("workspace/AGENTS.md").exists());

    let soul_error = FakeMosaicd {
        config: config(),
        soul: (500, "boom"),
    }
    .spawn();
    let err = start(&env(soul_error, TOKEN, &state)).err().unwrap();
    assert_eq!(err.message(), "soul fetch failed: HTTP 500: boom");

    // Nothing listens: connection errors are retried, then reported.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let started = Instant::now();
    let err = start(&env(closed, TOKEN, &state)).err().unwrap();
    assert!(started.elapsed() >= Duration::from_secs(4));
    assert!(err.message().starts_with("config fetch failed: "), "{}", err.message());
}

#[test]
fn substitution_uses_the_gateway_environment() {
    let state = StateDir::new();
    let mut cfg = config();
    cfg["models"]["providers"]["mosaic"]["models"][0]["name"] = json!("${HOME} $${HOME}");
    let mosaicd = FakeMosaicd {
        config: cfg.clone(),
        soul: (204, ""),
    }
    .spawn();
    let gw = start(&env(mosaicd, TOKEN, &state)).unwrap_or_else(|f| panic!("{}", f.message()));
    let text = reply(&gw, "mock:config=1");
    assert!(text.contains(r#""name":"/home/node ${HOME}""#), "{text}");

    // The gateway token is in that environment: unescaped, it would reach the provider.
    cfg["models"]["providers"]["mosaic"]["baseUrl"] = json!("http://h/${OPENCLAW_GATEWAY_TOKEN}");
    let mosaicd = FakeMosaicd {
        config: cfg.clone(),
        soul: (204, ""),
    }
    .spawn();
    let gw = start(&env(mosaicd, TOKEN, &state)).unwrap_or_else(|f| panic!("{}", f.message()));
    assert!(reply(&gw, "mock:config=1").contains(&format!("http://h/{TOKEN}")));

    cfg["models"]["providers"]["mosaic"]["baseUrl"] = json!("http://h/${AGENT_TOKEN}");
    let mosaicd = FakeMosaicd {
        config: cfg,
        soul: (204, ""),
    }
    .spawn();
    let err = start(&env(mosaicd, TOKEN, &state)).err().unwrap();
    assert_eq!(
        err.message(),
        format!(
            "Invalid config at {}:\n- <root>: Missing env var \"AGENT_TOKEN\" referenced at config \
             path: models.providers.mosaic.baseUrl",
            state.join("openclaw.json").display()
        )
    );
}

#[test]
fn readiness_lags_liveness_by_the_ready_delay() {
    let mosaicd = FakeMosaicd {
        config: config(),
        soul: (204, ""),
    }
    .spawn();
    let state = StateDir::new();
    let mut e = env(mosaicd, TOKEN, &state);
    e.ready_delay = Duration::from_millis(400);
    let gw = start(&e).unwrap_or_else(|f| panic!("{}", f.message()));
    let up = Instant::now();
    let mut c = gw.connect();
    assert_eq!(c.request("GET", "/healthz", &[], "").status, 200);
    let early = c.request("GET", "/ready", &[], "");
    assert!(
        up.elapsed() < Duration::from_millis(400),
        "the check itself was too slow"
    );
    assert_eq!((early.status, early.json()), (503, json!({"ready": false})));
    thread::sleep(Duration::from_millis(450));
    let later = c.request("GET", "/readyz", &[], "");
    assert_eq!((later.status, later.json()), (200, json!({"ready": true})));
}

#[test]
fn disabled_endpoint_and_failing_health() {
    let mut cfg = config();
    cfg["gateway"]["http"] = json!({"endpoints": {"chatCompletions": {"enabled": false}}});
    let mosaicd = FakeMosaicd {
        config: cfg,
        soul: (204, ""),
    }
    .spawn();
    let state = StateDir::new();
    let mut e = env(mosaicd, TOKEN, &state);
    e.fail_health = true;
    let gw = start(&e).unwrap_or_else(|f| panic!("{}", f.message()));
    let mut c = gw.connect();
    let missing = c.chat(&json!({"messages": user("hi")}));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, b"Not Found");
    assert_eq!(missing.header("content-type"), Some("text/plain; charset=utf-8"));
    let health = c.request("GET", "/healthz", &[], "");
    assert_eq!((health.status, health.json()), (503, json!({"ok": false})));
    let ready = c.request("GET", "/readyz", &[], "");
    assert_eq!((ready.status, ready.json()), (503, json!({"ready": false})));
}
