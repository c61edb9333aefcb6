//! Faults injected into a real mosaicd with real Docker, real databases and the test-agent
//! images: the Docker Engine cut and restored, PostgreSQL restarted under load, SQLite under many
//! writers, agents that hang, answer garbage or are killed mid-stream, clients that go away, and
//! 200 concurrent streams. Each test ends with nothing lost, the database equal to Docker (no
//! orphan, no duplicate, nothing left starting) and, where it counts, the daemon's descriptors,
//! threads, tasks and memory back near where they were. Every run is bounded: a few seconds of
//! load, never "until it breaks".

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use libtest_mimic::Trial;
use mosaic_tests::docker::{InstanceScope, SocketProxy, docker, images, wait_for};
use mosaic_tests::{Daemon, trial};
use serde_json::{Value, json};

use crate::containers::{Env, env, env_with, inconsistency_of};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "faults::docker_cut_during_starts_stops_reaps",
            docker_cut_during_starts_stops_reaps,
        ),
        trial("faults::postgres_restart_under_load", postgres_restart_under_load),
        trial("faults::sqlite_concurrent_writers", sqlite_concurrent_writers),
        trial("faults::agent_hangs_on_health_check", agent_hangs_on_health_check),
        trial("faults::agent_answers_garbage", agent_answers_garbage),
        trial("faults::agent_killed_mid_stream", agent_killed_mid_stream),
        trial(
            "faults::client_disconnects_leak_nothing",
            client_disconnects_leak_nothing,
        ),
        trial("faults::load_200_streams", load_200_streams),
    ]
}

const CHAT: &str = "/api/chat/completions";

/// A user who chats with an API token (written straight into the database: no password hashing).
#[derive(Clone)]
struct Member {
    id: String,
    token: String,
}

/// `n` members `<prefix><i>@example.com`, each with a provider, a primary model and a token.
async fn members(env: &Env, prefix: &str, n: usize) -> Vec<Member> {
    let mut out = Vec::new();
    for i in 0..n {
        let id = env.data.add_user(&format!("{prefix}{i}@example.com")).await;
        let name = format!("{prefix}{i}");
        env.data
            .add_provider(Some(&id), &name, &format!("sk-fault-{name}-0001"), &["m1"])
            .await;
        env.data.set_agent_config(&id, Some(&format!("{name}/m1")), None).await;
        let token = env.data.add_api_token(&id).await;
        out.push(Member { id, token });
    }
    out
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// An answer, read whole.
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// The error message of a `{"error":{"code","message"}}` answer with this status and code.
    #[track_caller]
    fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{self:?}");
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "{self:?}");
        v["error"]["message"].as_str().unwrap().to_string()
    }
}

async fn read(response: reqwest::Response) -> Answer {
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string()),
        body: response.text().await.unwrap_or_default(),
    }
}

/// A whole (non-streaming) chat.
async fn chat(http: &reqwest::Client, base: &str, m: &Member, text: &str) -> Answer {
    let response = http
        .post(format!("{base}{CHAT}"))
        .bearer_auth(&m.token)
        .json(&json!({ "model": "openclaw", "messages": [{ "role": "user", "content": text }] }))
        .send()
        .await
        .expect("chat request");
    read(response).await
}

/// A streaming chat, once its head arrived.
async fn stream(http: &reqwest::Client, base: &str, m: &Member, text: &str) -> reqwest::Response {
    http.post(format!("{base}{CHAT}"))
        .bearer_auth(&m.token)
        .json(&json!({
            "model": "openclaw", "stream": true,
            "messages": [{ "role": "user", "content": text }],
        }))
        .send()
        .await
        .expect("chat request")
}

/// The events of a stream (without their blank lines), to its end; `Err` with what arrived if
/// the stream broke off.
async fn events(response: reqwest::Response) -> Result<Vec<String>, Vec<String>> {
    let mut out = Vec::new();
    let mut buffer: Vec<u8> = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { return Err(out) };
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            out.push(String::from_utf8_lossy(&buffer[..end]).into_owned());
            buffer.drain(..end + 2);
        }
    }
    if buffer.is_empty() { Ok(out) } else { Err(out) }
}

/// A stream's body once `n` events arrived, and the bytes read so far: the stream is under way.
pub(crate) async fn under_way(
    response: reqwest::Response,
    n: usize,
) -> (
    futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    Vec<u8>,
) {
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream().boxed();
    let mut seen = Vec::new();
    while seen.windows(2).filter(|w| w == b"\n\n").count() < n {
        seen.extend_from_slice(&body.next().await.expect("more events").expect("chunk"));
    }
    (body, seen)
}

/// The content deltas of a stream's events, concatenated.
fn text_of(events: &[String]) -> String {
    events
        .iter()
        .filter_map(|e| e.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|v| v["choices"][0]["delta"]["content"].as_str().map(str::to_string))
        .collect()
}

/// The `error` object of a stream's error event, if it has one.
fn error_event(events: &[String]) -> Option<Value> {
    events
        .iter()
        .filter_map(|e| e.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .find_map(|v| v.get("error").cloned())
}

/// One series of the daemon's `/metrics` (0 when absent).
async fn metric(http: &reqwest::Client, base: &str, series: &str) -> f64 {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    mosaic_tests::http::metric_value(&text, series)
}

/// Whether `text` holds a dotted-quad IPv4 address.
fn has_ip_address(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .any(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.parse::<u8>().is_ok())
        })
}

/// What a message shown to a user must not carry: addresses, the HTTP stack's or the
/// database's own wording.
#[track_caller]
fn in_product_words(message: &str) {
    assert!(!has_ip_address(message), "an address in {message:?}");
    for internal in [
        "error sending request",
        "hyper",
        "reqwest",
        "sqlx",
        "database is locked",
        "SQLSTATE",
        "http://",
        "unix://",
        "/var/run",
    ] {
        assert!(!message.contains(internal), "{internal:?} in {message:?}");
    }
}

/// No request or background pass failed as a fault of the daemon itself (a 500, `code=internal`).
#[track_caller]
fn no_internal_errors(daemon: &Daemon) {
    let log = daemon.log();
    let internal: Vec<&str> = log.lines().filter(|l| l.contains("code=internal")).collect();
    assert!(internal.is_empty(), "internal errors in the log: {internal:#?}");
}

/// Waits until the database and Docker agree (reconciliation runs every second in these tests).
async fn settle(daemon: &Daemon, scope: &InstanceScope) {
    let mut last = None;
    let agreed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match inconsistency_of(daemon, scope) {
                None => return,
                Some(problem) => last = Some(problem),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    if agreed.is_err() {
        panic!("the database and Docker still disagree after 30 s: {last:?}");
    }
}

/// The daemon process as the kernel sees it, and its runtime's task count.
#[derive(Debug, Clone, Copy)]
struct Figures {
    fds: usize,
    threads: usize,
    rss_kib: u64,
    tasks: u64,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} fds, {} threads, {} tasks, {:.1} MiB RSS",
            self.fds,
            self.threads,
            self.tasks,
            self.rss_kib as f64 / 1024.0
        )
    }
}

async fn figures(pid: u32, base: &str) -> Figures {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/{pid}/status"))
    };
    // A fresh client, so the scrape leaves no connection behind in the daemon.
    let scraper = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let tasks = metric(&scraper, base, "mosaic_runtime_tasks").await as u64;
    Figures {
        fds,
        threads: field("Threads:") as usize,
        rss_kib: field("VmRSS:"),
        tasks,
    }
}

/// How far above the baseline descriptors and tasks may stay once the load is gone: pooled
/// connections, the odd timer.
const FD_SLACK: usize = 16;
const TASK_SLACK: u64 = 16;
/// Memory the allocator may keep after a load (freed memory is not always returned to the kernel).
const RSS_SLACK_KIB: u64 = 64 * 1024;

/// Waits until descriptors and tasks are back within the slack of `baseline` (connections and
/// tasks end asynchronously once the clients are gone); returns the figures then.
async fn back_to(baseline: Figures, pid: u32, base: &str) -> Figures {
    let mut now = figures(pid, base).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while (now.fds > baseline.fds + FD_SLACK || now.tasks > baseline.tasks + TASK_SLACK) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        now = figures(pid, base).await;
    }
    assert!(
        now.fds <= baseline.fds + FD_SLACK,
        "descriptors leaked: {now} after, {baseline} before"
    );
    assert!(
        now.tasks <= baseline.tasks + TASK_SLACK,
        "tasks leaked: {now} after, {baseline} before"
    );
    assert!(
        now.rss_kib <= baseline.rss_kib + RSS_SLACK_KIB,
        "memory kept: {now} after, {baseline} before"
    );
    now
}

/// The Docker Engine goes away (its socket cut, connections dropped) while containers are being
/// started, stopped and reaped, and comes back; mosaicd is never restarted.
async fn docker_cut_during_starts_stops_reaps() {
    let t0 = Instant::now();
    let proxy = SocketProxy::start().await;
    let env = env(
        &images().slow,
        30,
        &[
            "--docker-host",
            &format!("unix://{}", proxy.path.display()),
            "--reaper-interval",
            "1h",
        ],
    )
    .await;
    let pid = env.daemon.pid().unwrap();
    let base = env.daemon.base_url();
    let http = client();
    let users = members(&env, "dock", 4).await;
    let (a, b, c, d) = (&users[0], &users[1], &users[2], &users[3]);

    // Starts: two cold starts under way (the slow gateway listens after 2 s) when Docker goes.
    let starting: Vec<_> = [a, b]
        .into_iter()
        .map(|m| {
            let (http, base, m) = (http.clone(), base.clone(), m.clone());
            tokio::spawn(async move { chat(&http, &base, &m, "hello").await })
        })
        .collect();
    wait_for("both containers created", Duration::from_secs(20), || async {
        (env.scope.containers().len() == 2).then_some(())
    })
    .await;
    proxy.cut();
    for start in starting {
        let answer = start.await.unwrap();
        let message = answer.error(503, "unavailable");
        assert!(answer.retry_after.is_some(), "{answer:?}");
        in_product_words(&message);
    }
    // Meanwhile: every chat is a quick, clear 503, streaming ones an error event.
    let began = Instant::now();
    let answer = chat(&http, &base, c, "while Docker is away").await;
    let message = answer.error(503, "unavailable");
    assert!(message.contains("Docker"), "{message}");
    in_product_words(&message);
    assert!(answer.retry_after.is_some(), "{answer:?}");
    assert!(began.elapsed() < Duration::from_secs(5), "{:?}", began.elapsed());
    let events = events(stream(&http, &base, c, "streaming while Docker is away").await)
        .await
        .expect("a whole stream");
    let error = error_event(&events).unwrap_or_else(|| panic!("no error event: {events:#?}"));
    assert_eq!(error["code"], "unavailable", "{error}");
    in_product_words(error["message"].as_str().unwrap());
    assert_eq!(events.last().map(String::as_str), Some("data: [DONE]"));
    let readyz = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(readyz.status(), 503);

    // Back: the interrupted starts are settled by reconciliation, and the next chats start them
    // (with the quick image from here on).
    proxy.restore().await;
    settle(&env.daemon, &env.scope).await;
    env.data.set("agent.image", &images().normal).await;
    chat_each(&base, &users).await;
    assert_eq!(env.scope.containers().len(), 4);

    // Stops: Docker goes while a stop may be under way.
    let socket = env.daemon.socket.clone();
    let a_id = a.id.clone();
    let stopping = std::thread::spawn(move || {
        let mut command = std::process::Command::new(mosaic_tests::bins::mosaicctl());
        command.arg("--socket").arg(&socket).args(["containers", "stop", &a_id]);
        mosaic_tests::daemon::ctl_command(command, None, None)
    });
    std::thread::sleep(Duration::from_millis(100));
    proxy.cut();
    let out = stopping.join().unwrap();
    // Either the engine finished the stop before the cut, or the CLI says Docker is away.
    assert!(
        out.code == 0 || (out.code == 8 && out.stderr.contains("Docker engine unreachable")),
        "{out:?}"
    );
    env.daemon
        .ctl(&["containers", "stop", &b.id])
        .fails(8, "Docker engine unreachable");

    // Reaps: every container idle past its timeout (30 min) by the daemon's clock, Docker away:
    // the pass fails, nothing changes.
    env.daemon.advance_clock(Duration::from_secs(31 * 60));
    let reap = env.daemon.ctl(&["containers", "reap"]);
    assert_eq!(reap.code, 8, "{reap:?}");
    assert!(reap.stderr.contains("Docker engine unreachable"), "{reap:?}");

    // The background reconciliation notices too, and says where it looked; then sees Docker back.
    wait_for("reconciliation to fail", Duration::from_secs(10), || async {
        env.daemon.log().contains("cannot reconcile containers").then_some(())
    })
    .await;
    assert!(
        env.daemon
            .log()
            .contains(&format!("at unix://{}", proxy.path.display()))
    );
    proxy.restore().await;
    wait_for("Docker to be seen back", Duration::from_secs(10), || async {
        env.daemon.log().contains("Docker engine reachable again").then_some(())
    })
    .await;
    settle(&env.daemon, &env.scope).await;
    let report = env.daemon.ctl(&["containers", "reap", "--json"]).json();
    let reaped: BTreeSet<String> = report["stopped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["owner"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(reaped.len() >= 3, "{report:#}");
    settle(&env.daemon, &env.scope).await;
    assert!(env.scope.containers().is_empty(), "{:?}", env.scope.containers());
    // Every stop is on record with its reason; the volumes (the users' state) are all there.
    let audit = env.data.audit().await;
    let stops = audit
        .iter()
        .filter(|(_, action, _, _)| action == "container.stop")
        .count();
    assert!(stops >= 4, "{audit:#?}");
    assert_eq!(env.scope.volumes().len(), 4);
    // And chats work again, on the same daemon process.
    let answer = chat(&http, &base, d, "the end").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(env.daemon.pid(), Some(pid));
    no_internal_errors(&env.daemon);
    eprintln!("docker cut and restored twice in {:?}", t0.elapsed());
    drop(env);
    drop(proxy);
}

/// What one client request came back as.
#[derive(Debug, Clone)]
struct Outcome {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    retry_after: bool,
    /// The id of what a write created.
    created: Option<String>,
}

fn outcome(answer: &Answer) -> Outcome {
    let v: Option<Value> = serde_json::from_str(&answer.body).ok();
    let error = v.as_ref().and_then(|v| v.get("error"));
    Outcome {
        status: answer.status,
        code: error.and_then(|e| e["code"].as_str()).map(str::to_string),
        message: error.and_then(|e| e["message"].as_str()).map(str::to_string),
        retry_after: answer.retry_after.is_some(),
        created: v.as_ref().and_then(|v| v["id"].as_str()).map(str::to_string),
    }
}

/// Requests answered while a dependency was away are refused clearly: 503, `unavailable`,
/// Retry-After, a message in the product's words. Nothing else fails.
#[track_caller]
fn only_clear_refusals(outcomes: &[Outcome], ok: &[u16]) {
    for o in outcomes {
        if ok.contains(&o.status) {
            continue;
        }
        assert_eq!(o.status, 503, "{o:?}");
        assert_eq!(o.code.as_deref(), Some("unavailable"), "{o:?}");
        assert!(o.retry_after, "no Retry-After: {o:?}");
        in_product_words(o.message.as_deref().unwrap_or_default());
    }
}

/// A provider to add over HTTP. Its base URL is an address, so adding it resolves no name (the
/// test machines have no DNS for the outside world).
fn provider(name: &str, key: &str) -> Value {
    json!({ "name": name, "type": "openai", "baseUrl": "https://1.1.1.1/v1", "apiKey": key })
}

async fn post(http: &reqwest::Client, base: &str, m: &Member, path: &str, body: &Value) -> Answer {
    read(
        http.post(format!("{base}{path}"))
            .bearer_auth(&m.token)
            .json(body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// mosaicd's PostgreSQL server (one of the test's own) is restarted while clients chat with
/// their running agents and add providers. Meanwhile requests are refused with 503s; after,
/// every request succeeds without restarting mosaicd, every write that was acknowledged is
/// there, every chat answered is counted, and the database still equals Docker.
async fn postgres_restart_under_load() {
    let t0 = Instant::now();
    let pg = mosaic_tests::postgres::Postgres::private();
    let (_, url) = pg.create_database();
    let env = env_with(&images().normal, 30, &["--usage-flush-interval", "300ms"], |o| {
        o.env("DATABASE_URL", url.clone())
    })
    .await;
    let pid = env.daemon.pid().unwrap();
    let base = env.daemon.base_url();
    let http = client();
    let users = members(&env, "pg", 4).await;
    for m in &users {
        assert_eq!(chat(&http, &base, m, "warm up").await.status, 200);
    }

    // Providers are added by members who do not chat: a provider change restarts a running agent
    // (its config lists the providers), which is not the fault under test.
    let writers = members(&env, "pgw", 4).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let recovered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = users
        .iter()
        .zip(&writers)
        .flat_map(|(m, writer)| [(m.clone(), writer.clone()), (m.clone(), writer.clone())])
        .enumerate()
        .map(|(w, (m, writer))| {
            let (http, base, stop, recovered) = (http.clone(), base.clone(), stop.clone(), recovered.clone());
            tokio::spawn(async move {
                let mut chats = Vec::new();
                let mut writes = Vec::new();
                // Until told to stop, and at least once after PostgreSQL is back.
                let mut after = 0;
                for i in 0..45 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) && after > 0 {
                        break;
                    }
                    let back = recovered.load(std::sync::atomic::Ordering::Relaxed);
                    chats.push(outcome(&chat(&http, &base, &m, &format!("load {w}.{i}")).await));
                    let body = provider(&format!("load-{w}-{i}"), "sk-pg-load-0001");
                    writes.push(outcome(&post(&http, &base, &writer, "/api/providers", &body).await));
                    if back && chats.last().unwrap().status == 200 && writes.last().unwrap().status == 201 {
                        after += 1;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                (writer, chats, writes)
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(800)).await;
    let t_stop = t0.elapsed();
    tokio::task::block_in_place(|| pg.stop());
    // The daemon says the database is away.
    wait_for("/readyz to report the database", Duration::from_secs(10), || async {
        let r = http.get(format!("{base}/readyz")).send().await.unwrap();
        (r.status() == 503).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    tokio::task::block_in_place(|| pg.start());
    let outage = t0.elapsed() - t_stop;
    recovered.store(true, std::sync::atomic::Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);

    let mut chats = Vec::new();
    let mut created: Vec<(String, String)> = Vec::new();
    let mut results = Vec::new();
    for worker in workers {
        results.push(worker.await.unwrap());
    }
    // First what the log says of any failure of the daemon's own, then what clients saw.
    no_internal_errors(&env.daemon);
    for (m, c, w) in results {
        only_clear_refusals(&c, &[200]);
        only_clear_refusals(&w, &[201]);
        created.extend(
            w.iter()
                .filter_map(|o| o.created.clone())
                .map(|id| (m.token.clone(), id)),
        );
        chats.extend(c);
    }
    let answered = chats.iter().filter(|o| o.status == 200).count();
    let refused = chats.len() - answered;
    eprintln!(
        "postgres restart ({outage:?} away): {} chats ({answered} answered, {refused} refused with 503), {} providers added",
        chats.len(),
        created.len()
    );
    assert_eq!(env.daemon.pid(), Some(pid), "mosaicd was not restarted");
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);
    // Nothing acknowledged was lost: each created provider is in its owner's list.
    for m in &writers {
        let listed = http
            .get(format!("{base}/api/providers"))
            .bearer_auth(&m.token)
            .send()
            .await
            .unwrap();
        let listed: Value = listed.json().await.unwrap();
        let ids: BTreeSet<&str> = listed
            .as_array()
            .unwrap_or_else(|| panic!("{listed}"))
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        for (_, id) in created.iter().filter(|(t, _)| *t == m.token) {
            assert!(ids.contains(id.as_str()), "provider {id} acknowledged but gone");
        }
    }
    // Every answered chat is counted (the figures wait in memory while the database is away).
    wait_for(
        "the usage figures of every answered chat",
        Duration::from_secs(10),
        || async {
            let mut whole = 0;
            for m in &users {
                let r = http
                    .get(format!("{base}/api/usage"))
                    .bearer_auth(&m.token)
                    .send()
                    .await
                    .ok()?;
                let v: Value = r.json().await.ok()?;
                whole += v["totals"]["requests"].as_u64()? - v["totals"]["failed"].as_u64()?;
            }
            // The warm-up chats count too.
            (whole as usize == answered + users.len()).then_some(())
        },
    )
    .await;
    settle(&env.daemon, &env.scope).await;
    eprintln!("postgres restart under load in {:?}", t0.elapsed());
}

/// SQLite (the embedded default) under many concurrent writers: members creating, renaming
/// and re-keying providers over HTTP, the admin changing settings over the socket, the
/// daemon's own background writes. Every write succeeds; "database is locked" reaches nobody.
async fn sqlite_concurrent_writers() {
    let t0 = Instant::now();
    let env = env(&images().normal, 30, &["--usage-flush-interval", "100ms"]).await;
    let base = env.daemon.base_url();
    let http = client();
    let users = members(&env, "lite", 12).await;
    const ROUNDS: usize = 12;
    let writers: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(w, m)| {
            let (http, base, m) = (http.clone(), base.clone(), m.clone());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for i in 0..ROUNDS {
                    let created = post(
                        &http,
                        &base,
                        &m,
                        "/api/providers",
                        &provider(&format!("w{w}-{i}"), &format!("sk-lite-{w}-{i}-0001")),
                    )
                    .await;
                    let o = outcome(&created);
                    if let Some(id) = &o.created {
                        let patched = http
                            .patch(format!("{base}/api/providers/{id}"))
                            .bearer_auth(&m.token)
                            .json(&json!({ "displayName": format!("Writer {w} round {i}") }))
                            .send()
                            .await
                            .unwrap();
                        outcomes.push(outcome(&read(patched).await));
                        let rekeyed = http
                            .patch(format!("{base}/api/providers/{id}"))
                            .bearer_auth(&m.token)
                            .json(&json!({ "apiKey": format!("sk-lite-{w}-{i}-0002") }))
                            .send()
                            .await
                            .unwrap();
                        outcomes.push(outcome(&read(rekeyed).await));
                    }
                    outcomes.push(o);
                }
                outcomes
            })
        })
        .collect();
    // The admin writes settings over the socket at the same time.
    let socket = env.daemon.socket.clone();
    let admin = std::thread::spawn(move || {
        (0..ROUNDS)
            .map(|i| {
                let mut command = std::process::Command::new(mosaic_tests::bins::mosaicctl());
                command.arg("--socket").arg(&socket).args([
                    "config",
                    "set",
                    "agent.idle_timeout_min",
                    &(30 + i).to_string(),
                ]);
                mosaic_tests::daemon::ctl_command(command, None, None)
            })
            .collect::<Vec<_>>()
    });
    let mut outcomes = Vec::new();
    for w in writers {
        outcomes.extend(w.await.unwrap());
    }
    for out in admin.join().unwrap() {
        out.ok();
    }
    let failed: Vec<_> = outcomes.iter().filter(|o| !(200..300).contains(&o.status)).collect();
    assert!(failed.is_empty(), "{} writes failed: {failed:#?}", failed.len());
    assert_eq!(outcomes.len(), users.len() * ROUNDS * 3);
    // Every write is there.
    for m in &users {
        let list: Value = http
            .get(format!("{base}/api/providers"))
            .bearer_auth(&m.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Each member's own provider from the fixture, plus one per round.
        assert_eq!(list.as_array().unwrap().len(), ROUNDS + 1, "{list:#}");
    }
    no_internal_errors(&env.daemon);
    let log = env.daemon.log();
    for word in ["database is locked", "SQLITE_BUSY", "database table is locked"] {
        assert!(!log.contains(word), "{word:?} in the log");
    }
    eprintln!(
        "sqlite: {} concurrent writes over HTTP and {ROUNDS} over the socket, none failed, in {:?}",
        outcomes.len(),
        t0.elapsed()
    );
}

/// An agent whose health endpoints take the connection and never answer: the start gives up at
/// its timeout with a clear 503, the container is removed, and a good image starts at once.
async fn agent_hangs_on_health_check() {
    let env = env(&images().hanging, 3, &[]).await;
    let base = env.daemon.base_url();
    let http = client();
    let alice = &members(&env, "hang", 1).await[0];

    let began = Instant::now();
    let answer = chat(&http, &base, alice, "hello").await;
    let took = began.elapsed();
    let message = answer.error(503, "unavailable");
    assert!(answer.retry_after.is_some(), "{answer:?}");
    assert!(
        message.contains("did not pass its health check within 3s") && message.contains("no answer within 2s"),
        "{message}"
    );
    in_product_words(&message);
    assert!(took < Duration::from_secs(15), "{took:?}");
    // A streaming chat: heartbeats, then the same failure as an event.
    let events = events(stream(&http, &base, alice, "hello").await)
        .await
        .expect("a whole stream");
    let error = error_event(&events).unwrap_or_else(|| panic!("{events:#?}"));
    assert_eq!(error["code"], "unavailable");
    assert!(events.iter().any(|e| e.starts_with(": ")), "no heartbeat: {events:#?}");
    assert!(env.scope.containers().is_empty(), "{:?}", env.scope.containers());
    assert_eq!(env.status(&alice.id)["state"], "error");
    assert_eq!(metric(&http, &base, "mosaic_proxy_active_streams").await, 0.0);
    crate::containers::assert_consistent(&env);

    env.data.set("agent.image", &images().normal).await;
    assert_eq!(chat(&http, &base, alice, "again").await.status, 200);
    crate::containers::assert_consistent(&env);
}

/// Garbage where HTTP should be: from the health endpoints (the start fails clearly), instead of
/// a chat answer (502), and in the middle of a stream (an error event and `[DONE]`). The daemon
/// serves the next request as if nothing happened.
async fn agent_answers_garbage() {
    let env = env(&images().garbage, 3, &[]).await;
    let base = env.daemon.base_url();
    let http = client();
    let alice = &members(&env, "junk", 1).await[0];

    let answer = chat(&http, &base, alice, "hello").await;
    let message = answer.error(503, "unavailable");
    assert!(message.contains("did not pass its health check within 3s"), "{message}");
    in_product_words(&message);
    assert!(env.scope.containers().is_empty());

    env.data.set("agent.image", &images().normal).await;
    assert_eq!(chat(&http, &base, alice, "warm").await.status, 200);
    let answer = chat(&http, &base, alice, "x mock:garbage=1").await;
    let message = answer.error(502, "bad_gateway");
    assert!(message.starts_with("your agent did not answer"), "{message}");
    in_product_words(&message);

    let events = events(stream(&http, &base, alice, "x mock:garbage=1 mock:chunks=3").await)
        .await
        .expect("the stream ends cleanly");
    assert!(text_of(&events).ends_with("chunk 3"), "{events:#?}");
    let error = error_event(&events).unwrap_or_else(|| panic!("no error event: {events:#?}"));
    in_product_words(error["message"].as_str().unwrap());
    assert_eq!(events.last().map(String::as_str), Some("data: [DONE]"));

    let answer = chat(&http, &base, alice, "still here").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(metric(&http, &base, "mosaic_proxy_active_streams").await, 0.0);
    assert_eq!(env.status(&alice.id)["activeRequests"], 0);
    crate::containers::assert_consistent(&env);
}

/// The agent's container is killed while it streams: the client gets what was sent, an error
/// event and `[DONE]`; nothing stays counted as open; the next chat starts the agent again.
async fn agent_killed_mid_stream() {
    let env = env(&images().normal, 30, &["--reconcile-interval", "1h"]).await;
    let base = env.daemon.base_url();
    let http = client();
    let alice = &members(&env, "kill", 1).await[0];
    assert_eq!(chat(&http, &base, alice, "warm").await.status, 200);

    let response = stream(&http, &base, alice, "long mock:chunks=200 mock:interval_ms=50").await;
    let (mut body, mut seen) = under_way(response, 3).await;
    docker(&["kill", &format!("mosaic-user-{}", alice.id)]).ok();
    while let Some(chunk) = body.next().await {
        seen.extend_from_slice(&chunk.expect("the stream ends cleanly"));
    }
    let text = String::from_utf8_lossy(&seen).into_owned();
    let events: Vec<String> = text
        .split("\n\n")
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect();
    let error = error_event(&events).unwrap_or_else(|| panic!("no error event: {events:#?}"));
    in_product_words(error["message"].as_str().unwrap());
    assert_eq!(events.last().map(String::as_str), Some("data: [DONE]"));
    assert!(!text.contains("chunk 200"), "the stream was not cut");

    wait_for("the stream gauge back at 0", Duration::from_secs(5), || async {
        (metric(&http, &base, "mosaic_proxy_active_streams").await == 0.0).then_some(())
    })
    .await;
    assert_eq!(env.status(&alice.id)["activeRequests"], 0);
    let answer = chat(&http, &base, alice, "again").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body.contains("[boot=2]"), "{answer:?}");
    crate::containers::assert_consistent(&env);
}

/// Fifty clients go away in the middle of their streams: every agent request is cancelled, no
/// stream stays counted, and the daemon's descriptors and tasks return to where they were.
async fn client_disconnects_leak_nothing() {
    let env = env(&images().normal, 30, &[]).await;
    let base = env.daemon.base_url();
    let pid = env.daemon.pid().unwrap();
    let users = members(&env, "gone", 5).await;
    chat_each(&base, &users).await;
    let baseline = figures(pid, &base).await;

    let http = client();
    let mut open = Vec::new();
    for m in &users {
        for _ in 0..10 {
            let (http, base, m) = (http.clone(), base.clone(), m.clone());
            open.push(tokio::spawn(async move {
                let response = stream(&http, &base, &m, "long mock:chunks=400 mock:interval_ms=50").await;
                under_way(response, 2).await.0
            }));
        }
    }
    let mut bodies = Vec::new();
    for o in open {
        bodies.push(o.await.unwrap());
    }
    let during = figures(pid, &base).await;
    assert_eq!(metric(&http, &base, "mosaic_proxy_active_streams").await, 50.0);
    drop(bodies);
    drop(http);

    wait_for(
        "every agent to log its cancelled streams",
        Duration::from_secs(20),
        || async {
            let cancelled: usize = users
                .iter()
                .map(|m| {
                    docker(&["logs", &format!("mosaic-user-{}", m.id)])
                        .stdout
                        .lines()
                        .filter(|l| l.starts_with("stream ") && l.contains(" cancelled after "))
                        .count()
                })
                .sum();
            (cancelled == 50).then_some(())
        },
    )
    .await;
    let scraper = client();
    wait_for("the stream gauge back at 0", Duration::from_secs(10), || async {
        (metric(&scraper, &base, "mosaic_proxy_active_streams").await == 0.0).then_some(())
    })
    .await;
    for m in &users {
        assert_eq!(env.status(&m.id)["activeRequests"], 0);
    }
    let after = back_to(baseline, pid, &base).await;
    eprintln!("50 clients gone mid-stream: before {baseline}; during {during}; after {after}");
    crate::containers::assert_consistent(&env);
}

/// One whole chat per member at once, each answered, with a client of its own dropped after.
/// Starts the containers; before a baseline, lets the daemon make whatever it makes once (pools,
/// lazies).
async fn chat_each(base: &str, users: &[Member]) {
    let http = client();
    let chats: Vec<_> = users
        .iter()
        .map(|m| {
            let (http, base, m) = (http.clone(), base.to_string(), m.clone());
            tokio::spawn(async move { chat(&http, &base, &m, "warm up").await })
        })
        .collect();
    for c in chats {
        let answer = c.await.unwrap();
        assert_eq!(answer.status, 200, "{answer:?}");
    }
}

/// 200 concurrent streaming chats across 20 users, each six seconds long (so all 200 are open at
/// once even on a loaded machine): every one answered whole; descriptors, threads, tasks and memory back near the baseline after.
async fn load_200_streams() {
    let t0 = Instant::now();
    let env = env(&images().normal, 60, &[]).await;
    let base = env.daemon.base_url();
    let pid = env.daemon.pid().unwrap();
    let users = members(&env, "load", 20).await;
    chat_each(&base, &users).await;
    let warmed = t0.elapsed();
    let baseline = figures(pid, &base).await;

    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let began = Instant::now();
    let streams: Vec<_> = users
        .iter()
        .flat_map(|m| std::iter::repeat_n(m.clone(), 10))
        .enumerate()
        .map(|(i, m)| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                let response = stream(
                    &http,
                    &base,
                    &m,
                    &format!("load {i} mock:chunks=30 mock:interval_ms=200"),
                )
                .await;
                if response.status() != 200 {
                    return Err(format!(
                        "HTTP {}: {}",
                        response.status(),
                        response.text().await.unwrap_or_default()
                    ));
                }
                let events = events(response).await.map_err(|e| format!("broke off after {e:?}"))?;
                let text = text_of(&events);
                if events.last().map(String::as_str) != Some("data: [DONE]") || !text.ends_with("chunk 30") {
                    return Err(format!("incomplete: {events:?}"));
                }
                if !text.starts_with(&format!("echo: load {i} ")) {
                    return Err(format!("someone else's answer: {text}"));
                }
                Ok(())
            })
        })
        .collect();
    let scraper = client();
    let peak = wait_for("200 streams open at once", Duration::from_secs(30), || async {
        (metric(&scraper, &base, "mosaic_proxy_active_streams").await == 200.0).then_some(())
    })
    .await;
    let () = peak;
    let during = figures(pid, &base).await;
    let mut failures = Vec::new();
    for s in streams {
        if let Err(e) = s.await.unwrap() {
            failures.push(e);
        }
    }
    let took = began.elapsed();
    assert!(
        failures.is_empty(),
        "{} of 200 streams failed: {failures:#?}",
        failures.len()
    );
    drop(http);
    let after = back_to(baseline, pid, &base).await;
    wait_for("the stream gauge back at 0", Duration::from_secs(10), || async {
        (metric(&scraper, &base, "mosaic_proxy_active_streams").await == 0.0).then_some(())
    })
    .await;
    crate::containers::assert_consistent(&env);
    no_internal_errors(&env.daemon);
    eprintln!(
        "200 streams x 30 chunks over 20 users: 0 failed, {took:?} (warm-up {warmed:?})\n  \
         before {baseline}\n  during {during}\n  after  {after}"
    );
}
