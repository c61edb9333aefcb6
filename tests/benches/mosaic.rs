//! The benchmark program: `cargo bench -p mosaic-tests --bench mosaic [-- SCENARIO]`
//! (scenarios: admin-socket, chat, cold-start, usage; `MOSAIC_BENCH_QUICK=1` or `--quick`: a short
//! run that only proves the scenarios work).
//!
//! Every scenario measures a path through the real, release-built daemon and, in the same run,
//! a reference path that does the same work without Mosaic in the way, and prints the ratio.
//! Timings are for comparison on one machine, not assertions.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::{Duration, Instant};

use futures::StreamExt;
use mosaic_tests::Daemon;
use mosaic_tests::bench::{self, Row, Summary, measure, print_table};
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, docker, images};
use mosaic_tests::http::{Api, Auth};
use serde_json::{Value, json};

/// Removes what the run created (test images, containers) however `main` ends, panics included.
struct Teardown;

impl Drop for Teardown {
    fn drop(&mut self) {
        mosaic_tests::teardown();
    }
}

fn main() {
    let _teardown = Teardown;
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-') && a != "bench");
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    if wanted("admin-socket") {
        rows.extend(runtime.block_on(admin_socket()));
    }
    if wanted("chat") {
        rows.extend(runtime.block_on(chat_proxy()));
    }
    if wanted("cold-start") {
        rows.extend(runtime.block_on(cold_start()));
    }
    if wanted("usage") {
        rows.extend(runtime.block_on(usage_accounting()));
    }
    print_table(&rows);
}

/// `status` over the admin socket (handshake done once, then tarpc + JSON + the daemon's count
/// queries) against a bare length-delimited echo of a frame of the same size on a Unix socket.
async fn admin_socket() -> Vec<Row> {
    let daemon = Daemon::start();
    let client = mosaicctl::client::connect(&daemon.socket, Duration::from_secs(30))
        .await
        .expect("connect");
    let status = measure(200, 2000, || async {
        client
            .rpc()
            .status(client.context())
            .await
            .expect("rpc")
            .expect("status");
    })
    .await;

    let frame_len = serde_json::to_vec(&client.rpc().status(client.context()).await.unwrap().unwrap())
        .unwrap()
        .len();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("echo.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 4 + frame_len];
        while conn.read_exact(&mut buf).is_ok() {
            if conn.write_all(&buf).is_err() {
                break;
            }
        }
    });
    let mut conn = UnixStream::connect(&path).unwrap();
    let mut frame = (frame_len as u32).to_be_bytes().to_vec();
    frame.extend(std::iter::repeat_n(b'x', frame_len));
    let mut reply = vec![0u8; frame.len()];
    let echo = measure(200, 2000, || {
        conn.write_all(&frame).unwrap();
        conn.read_exact(&mut reply).unwrap();
        std::future::ready(())
    })
    .await;

    vec![Row {
        scenario: "admin socket: `status` RPC".into(),
        subject: status,
        reference_name: format!("raw Unix-socket echo of a {frame_len}-byte frame"),
        reference: echo,
    }]
}

const PASSWORD: &str = "correct horse battery";

/// A daemon managing containers with the test-agent image (reconciliation slowed down so it
/// does not interfere), its data, and its Docker objects (removed when dropped, after the daemon).
struct ChatBench {
    daemon: Daemon,
    api: Api,
    admin: mosaic_tests::http::Session,
    data: Data,
    _scope: InstanceScope,
}

impl ChatBench {
    async fn start() -> ChatBench {
        let scope = InstanceScope::new();
        let daemon = Daemon::start_with(docker::daemon_options_with(&scope.instance, "60s", "1h"));
        let data = Data::open(&daemon.data_dir).await;
        data.use_image(&images().normal, 60).await;
        daemon
            .ctl_stdin(
                &["admin", "create-breakglass", "--username", "admin", "--password-stdin"],
                &format!("{PASSWORD}\n"),
            )
            .ok();
        let api = Api::new(&daemon);
        let admin = api.login("admin", PASSWORD).await;
        ChatBench {
            daemon,
            api,
            admin,
            data,
            _scope: scope,
        }
    }

    /// A new member with a provider and a personal API token; returns (user id, token).
    async fn member(&self, email: &str) -> (String, String) {
        let invite = self
            .api
            .post(
                "/api/admin/users/invite",
                Auth::Session(&self.admin),
                &json!({ "email": email }),
            )
            .await
            .expect(201);
        self.api
            .post(
                "/api/auth/invite/accept",
                Auth::None,
                &json!({ "token": invite["inviteToken"], "password": PASSWORD }),
            )
            .await
            .expect(200);
        let session = self.api.login(email, PASSWORD).await;
        self.data
            .add_provider(Some(&session.user_id), "p", "sk-bench-0000", &["m"])
            .await;
        self.data.set_agent_config(&session.user_id, Some("p/m"), None).await;
        let token = self
            .api
            .post("/api/tokens", Auth::Session(&session), &json!({ "name": "bench" }))
            .await
            .expect(201);
        (session.user_id, token["token"].as_str().unwrap().to_string())
    }
}

fn body(stream: bool) -> Value {
    json!({ "model": "openclaw", "stream": stream, "messages": [{ "role": "user", "content": "bench" }] })
}

/// Sends a chat request and reads the whole answer; returns the time to the first body bytes.
async fn chat(client: &reqwest::Client, url: &str, token: &str, stream: bool) -> Duration {
    let began = Instant::now();
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body(stream))
        .send()
        .await
        .expect("chat request");
    assert_eq!(response.status(), 200, "chat failed");
    let mut body = response.bytes_stream();
    let mut first = None;
    while let Some(chunk) = body.next().await {
        chunk.expect("chunk");
        first.get_or_insert_with(|| began.elapsed());
    }
    first.expect("a body")
}

/// Time to first chunk of `n` streaming requests, after `warmup`.
async fn first_chunks(client: &reqwest::Client, url: &str, token: &str, warmup: usize, n: usize) -> Summary {
    for _ in 0..warmup {
        chat(client, url, token, true).await;
    }
    let wall = Instant::now();
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        samples.push(chat(client, url, token, true).await);
    }
    Summary::from_samples(samples, wall.elapsed())
}

/// Warm chats through mosaicd (API token, the proxy, the user's running container), in the same
/// run against nginx as a plain reverse proxy to the same agent container (it adds the gateway
/// token, as mosaicd does) and against the agent itself:
/// - throughput under load: wrk, 50 connections, kept alive;
/// - an isolated request (a new connection each, one at a time): p50/p99;
/// - a streaming request's time to its first body bytes.
async fn chat_proxy() -> Vec<Row> {
    let quick = bench::quick();
    let (samples, load_for) = if quick {
        (20, Duration::from_secs(1))
    } else {
        (500, Duration::from_secs(10))
    };
    let bench = ChatBench::start().await;
    let (user, token) = bench.member("bench@example.com").await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let via = format!("{}/api/chat/completions", bench.daemon.base_url());
    chat(&client, &via, &token, false).await;
    let gateway = bench.data.gateway_token("user", &user).await.expect("gateway token");
    let ip = docker::container_ip(&format!("mosaic-user-{user}"), &bench._scope.network()).expect("container ip");
    let direct = format!("http://{ip}:18789/v1/chat/completions");
    let nginx = bench::Nginx::start(
        "/api/chat/completions",
        &format!("{ip}:18789"),
        "/v1/chat/completions",
        &gateway,
    );
    let proxied = format!("{}/api/chat/completions", nginx.base_url);
    chat(&client, &proxied, &token, false).await;

    // Under load: the three targets one after another, in rounds, so each sees the same machine.
    let body = body(false).to_string();
    let load = |url: &str, bearer: &str| {
        let url = url.to_string();
        let bearer = bearer.to_string();
        let body = body.clone();
        tokio::task::spawn_blocking(move || {
            bench::wrk(&bench::Load {
                url: &url,
                bearer: &bearer,
                body: &body,
                connections: 50,
                duration: load_for,
            })
        })
    };
    let rounds = if quick { 1 } else { 3 };
    let (mut via_load, mut nginx_load, mut direct_load) = (Vec::new(), Vec::new(), Vec::new());
    let (mut nginx_failed, mut direct_failed) = (0, 0);
    for _ in 0..rounds {
        let (summary, failed) = load(&via, &token).await.unwrap();
        assert_eq!(failed, 0, "chats through mosaicd failed under load");
        via_load.push(summary);
        let (summary, failed) = load(&proxied, &token).await.unwrap();
        nginx_failed += failed;
        nginx_load.push(summary);
        let (summary, failed) = load(&direct, &gateway).await.unwrap();
        direct_failed += failed;
        direct_load.push(summary);
    }
    let (via_load, nginx_load, direct_load) = (median(via_load), median(nginx_load), median(direct_load));
    // Seen with the test agent: it closes some of nginx's upstream connections before answering
    // (nginx: "upstream prematurely closed connection"), which nginx answers with a fast 502. The
    // row says so rather than pass those off as proxied chats.
    let named = |name: &str, failed: usize| match failed {
        0 => name.to_string(),
        n => format!("{name} (NOT COMPARABLE: {n} answers or connections failed)"),
    };
    let nginx_name = named("nginx, plain reverse proxy to the same agent", nginx_failed);
    let direct_name = named("straight to the agent container", direct_failed);

    // Isolated requests: a new connection for each, as a client that does not keep one.
    let fresh = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let isolated = |url: String, bearer: String| {
        let fresh = fresh.clone();
        async move {
            measure(samples / 10, samples, || async {
                chat(&fresh, &url, &bearer, false).await;
            })
            .await
        }
    };
    let via_one = isolated(via.clone(), token.clone()).await;
    let nginx_one = isolated(proxied.clone(), token.clone()).await;
    let direct_one = isolated(direct.clone(), gateway.clone()).await;

    let stream = first_chunks(&client, &via, &token, samples / 10, samples).await;
    let stream_ref = first_chunks(&client, &direct, &gateway, samples / 10, samples).await;
    drop(nginx);
    vec![
        Row {
            scenario: format!("warm chat under load (wrk, 50 connections, median of {rounds}): mosaicd"),
            subject: via_load.clone(),
            reference_name: nginx_name,
            reference: nginx_load,
        },
        Row {
            scenario: format!("warm chat under load (wrk, 50 connections, median of {rounds}): mosaicd"),
            subject: via_load,
            reference_name: direct_name,
            reference: direct_load,
        },
        Row {
            scenario: "warm chat, isolated request (new connection each): mosaicd".into(),
            subject: via_one.clone(),
            reference_name: "nginx, plain reverse proxy to the same agent".into(),
            reference: nginx_one,
        },
        Row {
            scenario: "warm chat, isolated request (new connection each): mosaicd".into(),
            subject: via_one,
            reference_name: "straight to the agent container".into(),
            reference: direct_one,
        },
        Row {
            scenario: "streaming chat through mosaicd: time to first chunk".into(),
            subject: stream,
            reference_name: "straight to the agent container".into(),
            reference: stream_ref,
        },
    ]
}

/// The run with the median throughput.
fn median(mut runs: Vec<Summary>) -> Summary {
    runs.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    runs.swap_remove(runs.len() / 2)
}

/// A new user's first chat (mosaicd creates the volume and container, writes the token, starts
/// it and waits for its health check, then forwards) against `docker start` of a prepared,
/// stopped container of the same image until its `/healthz` answers.
async fn cold_start() -> Vec<Row> {
    const N: usize = 8;
    let bench = ChatBench::start().await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let via = format!("{}/api/chat/completions", bench.daemon.base_url());
    let mut users = Vec::new();
    for i in 0..=N {
        users.push(bench.member(&format!("cold{i}@example.com")).await);
    }
    // The reference container: mosaicd made it; from here on it is only stopped and started.
    let (prepared_user, prepared_token) = users.pop().unwrap();
    chat(&client, &via, &prepared_token, false).await;
    let name = format!("mosaic-user-{prepared_user}");
    let network = bench._scope.network();

    let wall = Instant::now();
    let mut cold = Vec::new();
    for (_, token) in &users {
        let began = Instant::now();
        chat(&client, &via, token, false).await;
        cold.push(began.elapsed());
    }
    let cold = Summary::from_samples(cold, wall.elapsed());

    let probe = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let wall = Instant::now();
    let mut reference = Vec::new();
    for _ in 0..N {
        docker(&["stop", "-t", "2", &name]).ok();
        let began = Instant::now();
        docker(&["start", &name]).ok();
        let ip = docker::container_ip(&name, &network).expect("container ip");
        loop {
            let healthy = match probe.get(format!("http://{ip}:18789/healthz")).send().await {
                Ok(r) => r.json::<Value>().await.is_ok_and(|v| v["ok"] == true),
                Err(_) => false,
            };
            if healthy {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        reference.push(began.elapsed());
    }
    let reference = Summary::from_samples(reference, wall.elapsed());
    vec![Row {
        scenario: format!("a new user's first chat (cold start), {N} users one after another"),
        subject: cold,
        reference_name: "`docker start` of a prepared container + health check".into(),
        reference,
    }]
}

/// Sends a chat request and reads the whole answer; returns the time to its last byte.
async fn chat_whole(client: &reqwest::Client, url: &str, token: &str, stream: bool) -> Duration {
    let began = Instant::now();
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body(stream))
        .send()
        .await
        .expect("chat request");
    assert_eq!(response.status(), 200, "chat failed");
    response.bytes().await.expect("the answer");
    began.elapsed()
}

/// Usage accounting on the request path: warm chats through mosaicd with accounting on
/// (`usage.retentionDays` 400, the default) against accounting off (0: no ticket, no scan), in
/// the same run, in alternating blocks so both see the same machine; then the background
/// flush of a thousand users' figures.
async fn usage_accounting() -> Vec<Row> {
    const BLOCKS: usize = 10;
    const PER_BLOCK: usize = 50;
    let bench = ChatBench::start().await;
    let (_, token) = bench.member("usage@example.com").await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let via = format!("{}/api/chat/completions", bench.daemon.base_url());
    for _ in 0..50 {
        chat_whole(&client, &via, &token, false).await;
    }
    let mut rows = Vec::new();
    for stream in [false, true] {
        let (mut on, mut off) = (Vec::new(), Vec::new());
        let (mut wall_on, mut wall_off) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..BLOCKS {
            for (days, samples, wall) in [("400", &mut on, &mut wall_on), ("0", &mut off, &mut wall_off)] {
                bench
                    .daemon
                    .ctl(&["config", "set", &format!("usage.retentionDays={days}")])
                    .ok();
                let began = Instant::now();
                for _ in 0..PER_BLOCK {
                    samples.push(chat_whole(&client, &via, &token, stream).await);
                }
                *wall += began.elapsed();
            }
        }
        rows.push(Row {
            scenario: format!(
                "{} through mosaicd, usage accounting on (whole answer)",
                if stream { "streaming chat" } else { "chat completion" }
            ),
            subject: Summary::from_samples(on, wall_on),
            reference_name: "the same with accounting off (`usage.retentionDays=0`)".into(),
            reference: Summary::from_samples(off, wall_off),
        });
    }
    drop(bench);

    // The flush: what the background task writes every interval, here a thousand users' rows
    // (added to rows already there), against a flush of one row.
    let dir = tempfile::tempdir().unwrap();
    let db = mosaicd::store::Db::open(None, dir.path()).await.expect("database");
    let counts = mosaicd::usage::Counts {
        requests: 3,
        streamed: 1,
        tokens_in: 100,
        tokens_out: 200,
        usage_reported: 3,
        ..Default::default()
    };
    let day = mosaicd::usage::today();
    let many: Vec<_> = (0..1000).map(|i| (day.clone(), format!("user-{i}"), counts)).collect();
    let one = vec![(day.clone(), "user-0".to_string(), counts)];
    let flush_many = measure(3, 20, || async {
        mosaicd::store::usage::add(&db, &many).await.unwrap();
    })
    .await;
    let flush_one = measure(3, 20, || async {
        mosaicd::store::usage::add(&db, &one).await.unwrap();
    })
    .await;
    db.close().await;
    rows.push(Row {
        scenario: "usage flush (background task): 1000 users' rows in one transaction, SQLite".into(),
        subject: flush_many,
        reference_name: "a flush of one row".into(),
        reference: flush_one,
    });
    rows
}
