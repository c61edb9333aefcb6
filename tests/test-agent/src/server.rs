//! The gateway's HTTP surface: the probe endpoints and
//! `POST /v1/chat/completions`, answered the way the newest OpenClaw answers
//! them, with deterministic replies and test controls in place of an agent.
//!
//! One thread per connection; connections are HTTP/1.1 keep-alive, idle ones closed after Node's
//! default keep-alive timeout. OpenClaw's gateway is a Node `http.createServer(handler)` with no
//! timeouts or connection limits of its own (OpenClaw: src/gateway/server-http.ts,
//! createGatewayHttpServer), so Node's defaults hold: `keepAliveTimeout` 5 s, `headersTimeout`
//! 60 s, no `maxConnections`, any number of connections on one event loop. Here each connection
//! costs a thread, and so a process of the container's pids limit: a connection it cannot spawn
//! a thread for is closed unanswered (and logged), which a client sees as a reset. Where a run
//! keeps more connections open than the limit allows (load runs, many open streams), the
//! container needs a higher limit than the test suite's; the gateway itself would not.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::http::{self, ChunkedWriter, Framing, Headers, HttpError, Request};
use crate::json::{object, string};
use crate::log::Logger;
use crate::sse;

/// OpenClaw's fixed chat-completions body limit in its newest versions.
pub const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;
/// Node's default `keepAliveTimeout`, which OpenClaw's gateway keeps (src/gateway/server-http.ts
/// sets none).
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// OpenClaw's `DEFAULT_WEBHOOK_BODY_TIMEOUT_MS`.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 64 * 1024 * 1024;
/// Granularity at which a paused stream notices that its client went away.
const PEER_CHECK_INTERVAL: Duration = Duration::from_millis(20);

const DEFAULT_AGENT: &str = "main";
const INVALID_MODEL: &str = "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.";
const MISSING_USER_MESSAGE: &str = "Missing user message in `messages`.";

pub struct Options {
    /// The shared secret clients present as `Authorization: Bearer …`.
    pub token: String,
    pub chat_completions: bool,
    pub primary_model: Option<String>,
    pub boot: u64,
    /// Test control: live and ready probes fail forever.
    pub fail_health: bool,
    /// Test control: the probes hang or answer garbage instead.
    pub probe_fault: Option<ProbeFault>,
    /// Test control: readiness lags liveness by this much.
    pub ready_delay: Duration,
    /// The config after includes and substitution, keys redacted, for `mock:config=1`.
    pub effective_config: Value,
    /// The agent's workspace, listed by `mock:workspace=1`.
    pub workspace: PathBuf,
}

/// How the probes misbehave under `MOCK_PROBE`: not rules of OpenClaw, failures of a gateway
/// process that a caller must survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeFault {
    /// Accept the connection, read the request, never answer (a wedged event loop).
    Hang,
    /// Answer bytes that are not HTTP, then close.
    Garbage,
}

/// What a misbehaving gateway sends instead of an HTTP answer.
const GARBAGE: &[u8] = b"\x00\xff\xfe garbage, not HTTP \x1b[31m\r\n\r\n\xc3\x28";

pub struct Gateway {
    opts: Options,
    log: Logger,
    /// When readiness starts answering 200.
    ready_at: Instant,
}

impl Gateway {
    /// Called once the listener is bound: liveness is up from here on,
    /// readiness after `ready_delay`.
    pub fn new(opts: Options, log: Logger) -> Gateway {
        let ready_at = Instant::now() + opts.ready_delay;
        Gateway { opts, log, ready_at }
    }

    pub fn serve(self: Arc<Self>, listener: TcpListener) {
        for conn in listener.incoming() {
            match conn {
                Ok(stream) => {
                    let gateway = Arc::clone(&self);
                    let spawned = thread::Builder::new()
                        .name("conn".into())
                        .spawn(move || gateway.connection(stream));
                    if let Err(err) = spawned {
                        self.log.line(&format!("cannot spawn connection thread: {err}"));
                    }
                }
                Err(err) => {
                    self.log.line(&format!("accept failed: {err}"));
                    // Out of descriptors or similar: don't spin.
                    thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    fn connection(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        let Ok(writer) = stream.try_clone() else {
            return;
        };
        let mut conn = Conn {
            reader: BufReader::new(stream),
            writer,
        };
        loop {
            let _ = conn.socket().set_read_timeout(Some(KEEP_ALIVE_TIMEOUT));
            match conn.reader.fill_buf() {
                Ok(buf) if !buf.is_empty() => {}
                // Idle timeout or the client closed between requests.
                _ => return,
            }
            let _ = conn.socket().set_read_timeout(Some(BODY_TIMEOUT));
            let req = match http::read_request_head(&mut conn.reader) {
                Ok(Some(req)) => req,
                Err(HttpError::HeadTooLarge) => {
                    let resp = Response::text(431, "Request Header Fields Too Large");
                    let _ = conn.send(&resp, false, false);
                    return conn.close();
                }
                Err(HttpError::Malformed(_)) => {
                    let _ = conn.send(&Response::text(400, "Bad Request"), false, false);
                    return conn.close();
                }
                Ok(None) | Err(_) => return,
            };
            if !self.exchange(&mut conn, &req) {
                return conn.close();
            }
        }
    }

    /// Answers one request; returns whether the connection stays open.
    fn exchange(&self, conn: &mut Conn, req: &Request) -> bool {
        let mut body = BodyState::Unread;
        let plan = self.route(conn, req, &mut body);
        self.log.line(&format!(
            "request {} {} stream={} session={}",
            req.method,
            req.path(),
            plan.stream,
            plan.session.as_deref().unwrap_or("-")
        ));
        if !plan.delay.is_zero() {
            thread::sleep(plan.delay);
        }
        // A body the handler did not need must be consumed before the next
        // request can be read. A client waiting for `100 Continue` never
        // sends it, so that connection cannot be reused.
        let body_consumed = match body {
            BodyState::Read => true,
            BodyState::Failed => false,
            BodyState::Unread if req.expects_continue() => false,
            BodyState::Unread => {
                let drained = http::read_body(&mut conn.reader, req.framing, MAX_BODY_BYTES);
                drained.is_ok()
            }
        };
        let keep_alive = req.wants_keep_alive() && body_consumed && !plan.close;
        match plan.reply {
            Reply::Full(resp) => {
                let head_only = req.method == "HEAD";
                conn.send(&resp, keep_alive, head_only).is_ok() && keep_alive
            }
            Reply::Stream(stream) => self.stream(conn, &stream, keep_alive),
            Reply::Hangup => false,
            Reply::Garbage => {
                let _ = conn.writer.write_all(GARBAGE);
                false
            }
            Reply::Hang => {
                // Until the client gives up; nothing is ever sent.
                while pause_unless_peer_gone(conn.socket(), Duration::from_secs(1)).is_ok() {}
                false
            }
        }
    }

    fn route(&self, conn: &mut Conn, req: &Request, body: &mut BodyState) -> Plan {
        match req.path() {
            "/healthz" | "/health" => self.probe(req, Probe::Live),
            "/readyz" | "/ready" => self.probe(req, Probe::Ready),
            "/v1/chat/completions" if self.opts.chat_completions => self.chat(conn, req, body),
            _ => Plan::reply(Response::text(404, "Not Found")),
        }
    }

    // OpenClaw: src/gateway/server-http.ts, handleGatewayProbeRequest. Unauthenticated
    // remote callers get the readiness verdict alone, `{"ready":bool}`.
    fn probe(&self, req: &Request, probe: Probe) -> Plan {
        if req.method != "GET" && req.method != "HEAD" {
            let resp = Response::text(405, "Method Not Allowed").header("Allow", "GET, HEAD");
            return Plan::reply(resp);
        }
        match self.opts.probe_fault {
            Some(ProbeFault::Hang) => return Plan::misbehave(Reply::Hang),
            Some(ProbeFault::Garbage) => return Plan::misbehave(Reply::Garbage),
            None => {}
        }
        let resp = match probe {
            Probe::Live if self.opts.fail_health => Response::json(503, object(&[("ok", "false".into())])),
            Probe::Live => Response::json(200, object(&[("ok", "true".into()), ("status", string("live"))])),
            Probe::Ready if self.ready() => Response::json(200, object(&[("ready", "true".into())])),
            Probe::Ready => Response::json(503, object(&[("ready", "false".into())])),
        };
        Plan::reply(resp.header("Cache-Control", "no-store"))
    }

    fn ready(&self) -> bool {
        !self.opts.fail_health && Instant::now() >= self.ready_at
    }

    fn chat(&self, conn: &mut Conn, req: &Request, body: &mut BodyState) -> Plan {
        if req.method != "POST" {
            return Plan::reply(Response::text(405, "Method Not Allowed").header("Allow", "POST"));
        }
        if !self.authorized(&req.headers) {
            return Plan::reply(openai_error(401, "Unauthorized", "unauthorized"));
        }
        let raw = match conn.read_request_body(req, body) {
            Ok(raw) => raw,
            Err(HttpError::BodyTooLarge) => {
                let resp = openai_error(413, "Payload too large", "invalid_request_error");
                return Plan::reply(resp).closing();
            }
            Err(HttpError::Timeout) => {
                let resp = openai_error(408, "Request body timeout", "invalid_request_error");
                return Plan::reply(resp).closing();
            }
            Err(HttpError::Malformed(msg)) => {
                return Plan::reply(openai_error(400, &msg, "invalid_request_error")).closing();
            }
            Err(_) => return Plan::hangup(),
        };
        // OpenClaw reads an empty body as `{}`.
        let payload: Value = if raw.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            match serde_json::from_slice(&raw) {
                Ok(payload) => payload,
                Err(err) => {
                    let resp = openai_error(400, &err.to_string(), "invalid_request_error");
                    return Plan::reply(resp);
                }
            }
        };
        let stream = payload.get("stream") == Some(&Value::Bool(true));
        let invalid = |message: &str, session: Option<String>| Plan {
            stream,
            session,
            ..Plan::reply(openai_error(400, message, "invalid_request_error"))
        };

        let model = match payload.get("model") {
            None | Some(Value::Null) => "openclaw".to_owned(),
            Some(Value::String(m)) if m.trim().is_empty() => "openclaw".to_owned(),
            Some(Value::String(m)) => m.trim().to_owned(),
            Some(_) => return invalid(INVALID_MODEL, None),
        };
        let agent = match resolve_agent(&req.headers, &model) {
            Ok(agent) => agent,
            Err(message) => return invalid(&message, None),
        };
        let session = session_key(&req.headers, payload.get("user"), &agent);
        let Some(text) = last_user_text(payload.get("messages")) else {
            return invalid(MISSING_USER_MESSAGE, Some(session));
        };

        let mock = MockControls::parse(&text);
        let plan = |reply: Reply| Plan {
            stream,
            session: Some(session.clone()),
            delay: mock.delay,
            close: false,
            reply,
        };
        if let Some(status) = mock.status {
            return plan(Reply::Full(mock_error(status)));
        }
        if mock.garbage && !stream {
            return plan(Reply::Garbage);
        }
        let mut reply_text = format!(
            "echo: {text} [session={session}] [primary={}] [boot={}]",
            self.opts.primary_model.as_deref().unwrap_or("-"),
            self.opts.boot
        );
        if mock.headers {
            reply_text.push_str(&format!(" [headers={}]", req.headers.names().join(",")));
        }
        if mock.config {
            reply_text.push_str(&format!(" [config={}]", self.opts.effective_config));
        }
        if mock.workspace {
            reply_text.push_str(&format!(" [workspace={}]", workspace_listing(&self.opts.workspace)));
        }
        let mut pieces: Vec<String> = sse::word_pieces(&reply_text).into_iter().map(str::to_owned).collect();
        pieces.extend((1..=mock.chunks).map(|i| format!(" chunk {i}")));
        let id = format!("chatcmpl_{:016x}{:016x}", random_u64(), random_u64());
        let created = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let usage = Usage {
            prompt: prompt_tokens(payload.get("messages")),
            completion: pieces.len() as u64,
        };
        if stream {
            return plan(Reply::Stream(StreamReply {
                id,
                created,
                model,
                pieces,
                interval: mock.interval,
                usage: include_usage(&payload).then_some(usage),
                garbage: mock.garbage,
            }));
        }
        let message = object(&[("role", string("assistant")), ("content", string(&pieces.concat()))]);
        let choice = object(&[
            ("index", "0".into()),
            ("message", message),
            ("finish_reason", string("stop")),
        ]);
        let body = object(&[
            ("id", string(&id)),
            ("object", string("chat.completion")),
            ("created", created.to_string()),
            ("model", string(&model)),
            ("choices", format!("[{choice}]")),
            ("usage", usage.json()),
        ]);
        plan(Reply::Full(Response::json(200, body)))
    }

    fn authorized(&self, headers: &Headers) -> bool {
        let Some(value) = headers.get("authorization") else {
            return false;
        };
        let Some(scheme) = value.get(..7) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("bearer ") {
            return false;
        }
        let presented = value[7..].trim();
        !presented.is_empty() && constant_time_eq(presented.as_bytes(), self.opts.token.as_bytes())
    }

    fn stream(&self, conn: &mut Conn, reply: &StreamReply, keep_alive: bool) -> bool {
        let mut sent = 0;
        match write_stream(conn, reply, keep_alive, &mut sent) {
            Ok(()) => {
                self.log.line(&format!("stream {} completed {sent} chunks", reply.id));
                keep_alive
            }
            Err(err) if err.kind() == io::ErrorKind::InvalidData => {
                self.log.line(&format!(
                    "stream {} broke off into garbage after {sent} chunks",
                    reply.id
                ));
                false
            }
            Err(_) => {
                self.log
                    .line(&format!("stream {} cancelled after {sent} chunks", reply.id));
                false
            }
        }
    }
}

/// Writes the SSE response; `sent` counts content chunks that were written.
fn write_stream(conn: &mut Conn, reply: &StreamReply, keep_alive: bool, sent: &mut u64) -> io::Result<()> {
    let date = http::http_date(SystemTime::now());
    let head = http::format_head(
        200,
        &[
            ("Date", &date),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("Connection", if keep_alive { "keep-alive" } else { "close" }),
            ("Transfer-Encoding", "chunked"),
        ],
    );
    conn.writer.write_all(head.as_bytes())?;
    let socket = conn.reader.get_ref();
    let mut body = ChunkedWriter::new(&mut conn.writer);
    let meta = sse::ChunkMeta {
        id: &reply.id,
        created: reply.created,
        model: &reply.model,
    };
    body.chunk(sse::event(&meta.role()).as_bytes())?;
    for (i, piece) in reply.pieces.iter().enumerate() {
        // A write to a socket whose peer has gone usually still succeeds
        // (the kernel buffers it), so look for the peer's FIN as well.
        if i > 0 && !reply.interval.is_zero() {
            pause_unless_peer_gone(socket, reply.interval)?;
        } else if peer_gone(socket) {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        body.chunk(sse::event(&meta.content(piece)).as_bytes())?;
        *sent += 1;
    }
    if reply.garbage {
        // Breaks the chunked framing: the client cannot read past it.
        conn.writer.write_all(GARBAGE)?;
        return Err(io::ErrorKind::InvalidData.into());
    }
    body.chunk(sse::event(&meta.finish()).as_bytes())?;
    if let Some(usage) = &reply.usage {
        body.chunk(sse::event(&meta.usage(&usage.json())).as_bytes())?;
    }
    body.chunk(sse::DONE.as_bytes())?;
    body.finish()?;
    Ok(())
}

fn pause_unless_peer_gone(socket: &TcpStream, pause: Duration) -> io::Result<()> {
    let until = Instant::now() + pause;
    loop {
        if peer_gone(socket) {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        thread::sleep(left.min(PEER_CHECK_INTERVAL));
    }
}

/// True once the client has closed its side (EOF) or reset the connection.
fn peer_gone(socket: &TcpStream) -> bool {
    if socket.set_nonblocking(true).is_err() {
        return false;
    }
    let gone = match socket.peek(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(err) => err.kind() != io::ErrorKind::WouldBlock,
    };
    let _ = socket.set_nonblocking(false);
    gone
}

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyState {
    Unread,
    Read,
    Failed,
}

impl Conn {
    fn socket(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    fn read_request_body(&mut self, req: &Request, state: &mut BodyState) -> Result<Vec<u8>, HttpError> {
        *state = BodyState::Failed;
        if let Framing::Length(n) = req.framing {
            // Refuse before inviting the client to send it.
            if n > MAX_BODY_BYTES as u64 {
                return Err(HttpError::BodyTooLarge);
            }
        }
        if req.expects_continue() && req.framing != Framing::Empty {
            self.writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let body = http::read_body(&mut self.reader, req.framing, MAX_BODY_BYTES)?;
        *state = BodyState::Read;
        Ok(body)
    }

    fn send(&mut self, resp: &Response, keep_alive: bool, head_only: bool) -> io::Result<()> {
        let date = http::http_date(SystemTime::now());
        let length = resp.body.len().to_string();
        let keep_alive_param = format!("timeout={}", KEEP_ALIVE_TIMEOUT.as_secs());
        let mut headers: Vec<(&str, &str)> = vec![
            ("Date", &date),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ];
        headers.extend(resp.headers.iter().map(|(k, v)| (*k, v.as_str())));
        headers.push(("Content-Length", &length));
        if keep_alive {
            headers.push(("Connection", "keep-alive"));
            headers.push(("Keep-Alive", &keep_alive_param));
        } else {
            headers.push(("Connection", "close"));
        }
        let mut out = http::format_head(resp.status, &headers).into_bytes();
        if !head_only {
            out.extend_from_slice(&resp.body);
        }
        self.writer.write_all(&out)?;
        self.writer.flush()
    }

    /// Closes after reading whatever the client is still sending. Closing a
    /// socket with unread input makes the kernel send a reset, which can
    /// destroy a response the client has not read yet (a 413 sent before the
    /// body arrived, say).
    fn close(self) {
        let _ = self.writer.shutdown(Shutdown::Write);
        let mut socket = self.reader.into_inner();
        let deadline = Instant::now() + LINGER_TIME;
        let mut sink = [0u8; 16 * 1024];
        let mut drained = 0;
        while drained < LINGER_BYTES {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
                break;
            }
            match socket.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn json(status: u16, body: String) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "application/json; charset=utf-8".into())],
            body: body.into_bytes(),
        }
    }

    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

fn openai_error(status: u16, message: &str, kind: &str) -> Response {
    let error = object(&[("message", string(message)), ("type", string(kind))]);
    Response::json(status, object(&[("error", error)]))
}

/// The error a real backend failure would surface as, for `mock:status=`.
fn mock_error(status: u16) -> Response {
    let (message, kind) = match status {
        401 => ("Unauthorized", "unauthorized"),
        429 => ("rate limited", "rate_limited"),
        500.. => ("internal error", "api_error"),
        _ => ("mock error", "invalid_request_error"),
    };
    let resp = openai_error(status, message, kind);
    if status == 429 {
        resp.header("Retry-After", "7")
    } else {
        resp
    }
}

/// How one request is answered, plus what its log line says.
struct Plan {
    stream: bool,
    session: Option<String>,
    delay: Duration,
    /// Close after answering because the request was not fully read.
    close: bool,
    reply: Reply,
}

impl Plan {
    fn reply(resp: Response) -> Plan {
        Plan {
            stream: false,
            session: None,
            delay: Duration::ZERO,
            close: false,
            reply: Reply::Full(resp),
        }
    }

    fn closing(self) -> Plan {
        Plan { close: true, ..self }
    }

    /// A reply that is not HTTP (`Reply::Hang`, `Reply::Garbage`); the connection ends after it.
    fn misbehave(reply: Reply) -> Plan {
        Plan {
            stream: false,
            session: None,
            delay: Duration::ZERO,
            close: true,
            reply,
        }
    }

    /// The client went away while sending; there is no one to answer.
    fn hangup() -> Plan {
        Plan {
            stream: false,
            session: None,
            delay: Duration::ZERO,
            close: true,
            reply: Reply::Hangup,
        }
    }
}

enum Reply {
    Full(Response),
    Stream(StreamReply),
    Hangup,
    /// Bytes that are not HTTP, then close.
    Garbage,
    /// Nothing, until the client goes away.
    Hang,
}

struct StreamReply {
    id: String,
    created: u64,
    model: String,
    pieces: Vec<String>,
    interval: Duration,
    /// Sent as the last chunk when the request asked for it (`stream_options.include_usage`).
    usage: Option<Usage>,
    /// `mock:garbage=1`: after the content chunks, bytes that break the chunked framing.
    garbage: bool,
}

/// The run's token usage, as OpenClaw reports it on its OpenAI-compatible endpoint: `usage` of
/// every whole answer, and of a stream's last chunk when the client set
/// `stream_options.include_usage: true` (none otherwise).
// OpenClaw: src/gateway/openai-http.ts, resolveChatCompletionUsage / resolveIncludeUsageForStreaming
// / writeUsageChunk; src/agents/usage.ts, toOpenAiChatCompletionsUsage. (Older versions answered
// `{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}` and never a usage chunk.)
//
// The double has no model to count for it: one token per word of every message's text in, one
// per content chunk of the reply out, so a test can predict the figures and never sees zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Usage {
    prompt: u64,
    completion: u64,
}

impl Usage {
    /// `{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…}`, in OpenClaw's key order.
    fn json(&self) -> String {
        object(&[
            ("prompt_tokens", self.prompt.to_string()),
            ("completion_tokens", self.completion.to_string()),
            ("total_tokens", (self.prompt + self.completion).to_string()),
        ])
    }
}

/// Words in the text of every message, whatever its role (what the gateway turns into the
/// agent's prompt).
fn prompt_tokens(messages: Option<&Value>) -> u64 {
    let messages = messages
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    messages
        .iter()
        .map(|m| content_text(m.get("content")).split_whitespace().count() as u64)
        .sum()
}

/// `stream_options.include_usage` is exactly `true`.
// OpenClaw: src/gateway/openai-http.ts, resolveIncludeUsageForStreaming.
fn include_usage(payload: &Value) -> bool {
    payload
        .get("stream_options")
        .and_then(|options| options.get("include_usage"))
        == Some(&Value::Bool(true))
}

#[derive(Debug, Clone, Copy)]
enum Probe {
    Live,
    Ready,
}

/// `{"AGENTS.md":"# AGENTS.md - Your Workspace",…}`: each Markdown file in
/// the workspace with its first line, so a test can tell Mosaic's SOUL.md
/// from OpenClaw's template and see whether BOOTSTRAP.md was written.
fn workspace_listing(dir: &Path) -> Value {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".md") || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let text = std::fs::read(entry.path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let first = text.lines().next().unwrap_or_default().to_owned();
        files.insert(name, Value::String(first));
    }
    Value::Object(files.into_iter().collect())
}

/// Test controls embedded in the last user message.
#[derive(Debug, Default, PartialEq, Eq)]
struct MockControls {
    chunks: u64,
    interval: Duration,
    status: Option<u16>,
    delay: Duration,
    /// `mock:headers=1`: the reply lists the request's header names, so a test can see what a
    /// proxy in front of the gateway forwarded.
    headers: bool,
    /// `mock:config=1`: the reply ends with the effective config, keys redacted.
    config: bool,
    /// `mock:workspace=1`: the reply ends with the workspace's Markdown files.
    workspace: bool,
    /// `mock:garbage=1`: bytes that are not HTTP instead of the answer, or (streaming) after the
    /// content chunks instead of the stream's end.
    garbage: bool,
}

impl MockControls {
    fn parse(text: &str) -> MockControls {
        // Caps keep a typo from hanging a test run for days.
        let ms = |name| Duration::from_millis(control(text, name).unwrap_or(0).min(600_000));
        MockControls {
            chunks: control(text, "chunks").unwrap_or(0).min(100_000),
            interval: ms("interval_ms"),
            status: control(text, "status")
                .filter(|s| (400..600).contains(s))
                .map(|s| s as u16),
            delay: ms("delay_ms"),
            headers: control(text, "headers") == Some(1),
            config: control(text, "config") == Some(1),
            workspace: control(text, "workspace") == Some(1),
            garbage: control(text, "garbage") == Some(1),
        }
    }
}

fn control(text: &str, name: &str) -> Option<u64> {
    let key = format!("mock:{name}=");
    let start = text.find(&key)? + key.len();
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .take(12)
        .collect();
    digits.parse().ok()
}

/// Which agent a request addresses: the `x-openclaw-agent-id` header wins,
/// else the `model`. Only the default agent exists in configs Mosaic writes.
fn resolve_agent(headers: &Headers, model: &str) -> Result<String, String> {
    let explicit = headers
        .get("x-openclaw-agent-id")
        .or_else(|| headers.get("x-openclaw-agent"))
        .map(str::trim)
        .filter(|id| !id.is_empty());
    let agent = match explicit {
        Some(id) => id.to_ascii_lowercase(),
        None => agent_from_model(model).ok_or_else(|| INVALID_MODEL.to_owned())?,
    };
    if agent != DEFAULT_AGENT {
        return Err(format!("Unknown agent '{agent}'."));
    }
    Ok(agent)
}

fn agent_from_model(model: &str) -> Option<String> {
    let model = model.to_ascii_lowercase();
    if model == "openclaw" || model == "openclaw/default" {
        return Some(DEFAULT_AGENT.to_owned());
    }
    let id = ["openclaw:", "openclaw/", "agent:"]
        .iter()
        .find_map(|prefix| model.strip_prefix(prefix))?;
    is_agent_id(id).then(|| id.to_owned())
}

/// `[a-z0-9][a-z0-9_-]{0,63}` on an already lowercased id.
fn is_agent_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty()
        && bytes.len() <= 64
        && allowed(&bytes[0])
        && bytes[1..].iter().all(|b| allowed(b) || *b == b'_' || *b == b'-')
}

fn session_key(headers: &Headers, user: Option<&Value>, agent: &str) -> String {
    let explicit = headers
        .get("x-openclaw-session-key")
        .map(str::trim)
        .filter(|key| !key.is_empty());
    if let Some(key) = explicit {
        return key.to_owned();
    }
    match user.and_then(Value::as_str).map(str::trim).filter(|u| !u.is_empty()) {
        Some(user) => format!("agent:{agent}:openai-user:{user}"),
        // Without `user` every request gets a fresh session, as in OpenClaw.
        None => format!("agent:{agent}:openai:{}", random_uuid()),
    }
}

/// Text of the last user message that has any, as OpenClaw picks the prompt.
fn last_user_text(messages: Option<&Value>) -> Option<String> {
    messages?
        .as_array()?
        .iter()
        .rev()
        .filter(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(|m| content_text(m.get("content")))
        .find(|text| !text.is_empty())
}

fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter(|p| matches!(p.get("type").and_then(Value::as_str), Some("text" | "input_text")))
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned(),
        _ => String::new(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Unpredictable ids without a `rand` dependency: `RandomState` is seeded
/// from the OS, and the counter keeps values distinct within the process.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

fn random_uuid() -> String {
    let hi = (random_u64() & !0xf000) | 0x4000;
    let lo = (random_u64() & !(0xc << 60)) | (0x8 << 60);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        let mut raw = String::from("GET / HTTP/1.1\r\n");
        for (k, v) in pairs {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        raw.push_str("\r\n");
        let mut reader = std::io::Cursor::new(raw.into_bytes());
        http::read_request_head(&mut reader).unwrap().unwrap().headers
    }

    #[test]
    fn models_and_agents() {
        let none = headers(&[]);
        for model in [
            "openclaw",
            "OpenClaw",
            "openclaw/default",
            "openclaw:main",
            "openclaw/main",
            "agent:main",
        ] {
            assert_eq!(resolve_agent(&none, model), Ok("main".to_owned()), "{model}");
        }
        for model in ["gpt-4o", "openclaw:", "openclaw/-x", "agent:a b", "mosaic/my-model"] {
            assert_eq!(resolve_agent(&none, model), Err(INVALID_MODEL.to_owned()), "{model}");
        }
        assert_eq!(
            resolve_agent(&none, "openclaw/ops"),
            Err("Unknown agent 'ops'.".to_owned())
        );
        let header = headers(&[("X-OpenClaw-Agent-Id", "Main")]);
        assert_eq!(resolve_agent(&header, "whatever"), Ok("main".to_owned()));
        assert!(is_agent_id(&"a".repeat(64)));
        assert!(!is_agent_id(&"a".repeat(65)));
    }

    #[test]
    fn session_keys() {
        let none = headers(&[]);
        assert_eq!(
            session_key(&none, Some(&json!("alice")), "main"),
            "agent:main:openai-user:alice"
        );
        let explicit = headers(&[("x-openclaw-session-key", "mosaic:conv-1")]);
        assert_eq!(session_key(&explicit, Some(&json!("alice")), "main"), "mosaic:conv-1");
        let a = session_key(&none, None, "main");
        let b = session_key(&none, Some(&json!(5)), "main");
        assert!(a.starts_with("agent:main:openai:") && b.starts_with("agent:main:openai:"));
        assert_ne!(a, b);
        let uuid = a.rsplit(':').next().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
    }

    #[test]
    fn user_text_extraction() {
        let messages = json!([
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "reply"},
            {"role": "user", "content": [
                {"type": "text", "text": "part one"},
                {"type": "image_url", "image_url": {"url": "x"}},
                {"type": "input_text", "text": "part two"}
            ]},
            {"role": "user", "content": "   "},
        ]);
        assert_eq!(last_user_text(Some(&messages)).as_deref(), Some("part one\npart two"));
        assert_eq!(
            last_user_text(Some(&json!([{"role": "assistant", "content": "x"}]))),
            None
        );
        assert_eq!(last_user_text(Some(&json!("nope"))), None);
        assert_eq!(last_user_text(None), None);
    }

    #[test]
    fn usage_counts_words_and_asks_for_true() {
        let messages = json!([
            {"role": "system", "content": "be  brief"},
            {"role": "user", "content": [{"type": "text", "text": "one two"}, {"type": "image_url"}]},
            {"role": "assistant", "content": null},
        ]);
        assert_eq!(prompt_tokens(Some(&messages)), 4);
        assert_eq!(prompt_tokens(Some(&json!("nope"))), 0);
        assert_eq!(
            Usage {
                prompt: 4,
                completion: 3
            }
            .json(),
            r#"{"prompt_tokens":4,"completion_tokens":3,"total_tokens":7}"#
        );
        assert!(include_usage(&json!({"stream_options": {"include_usage": true}})));
        for no in [
            json!({}),
            json!({"stream_options": null}),
            json!({"stream_options": {"include_usage": "true"}}),
            json!({"stream_options": {"include_usage": false}}),
            json!({"stream_options": [true]}),
        ] {
            assert!(!include_usage(&no), "{no}");
        }
    }

    #[test]
    fn mock_controls() {
        let m = MockControls::parse("hi mock:chunks=3 mock:interval_ms=25 mock:delay_ms=7 mock:status=429");
        assert_eq!(
            m,
            MockControls {
                chunks: 3,
                interval: Duration::from_millis(25),
                status: Some(429),
                delay: Duration::from_millis(7),
                ..MockControls::default()
            }
        );
        assert_eq!(MockControls::parse("plain"), MockControls::default());
        assert!(MockControls::parse("show mock:headers=1").headers);
        assert!(MockControls::parse("x mock:garbage=1").garbage);
        assert!(!MockControls::parse("show mock:headers=0").headers);
        let both = MockControls::parse("mock:config=1 mock:workspace=1");
        assert!(both.config && both.workspace && !both.headers);
        assert_eq!(MockControls::parse("mock:status=200 mock:chunks=x").status, None);
        assert_eq!(
            mock_error(429).headers.last().unwrap(),
            &("Retry-After", "7".to_owned())
        );
        let body: Value = serde_json::from_slice(&mock_error(503).body).unwrap();
        assert_eq!(
            body,
            json!({"error": {"message": "internal error", "type": "api_error"}})
        );
        let body: Value = serde_json::from_slice(&mock_error(400).body).unwrap();
        assert_eq!(body["error"]["type"], "invalid_request_error");
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn workspace_listing_shows_first_lines_of_markdown() {
        let dir = std::env::temp_dir().join(format!("test-agent-listing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("memory.md")).unwrap();
        std::fs::write(dir.join("SOUL.md"), "# Mosaic\r\nmore").unwrap();
        std::fs::write(dir.join("EMPTY.md"), "").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        assert_eq!(workspace_listing(&dir), json!({"EMPTY.md": "", "SOUL.md": "# Mosaic"}));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(workspace_listing(&dir), json!({}));
    }
}
