//! Several mosaicd replicas on one PostgreSQL: three real `mosaicd` processes sharing one
//! database, one Docker engine and one instance label, as behind a load balancer. Each test
//! sends its requests to chosen replicas. Figures (stampede time, takeover time) are printed
//! for the README, never asserted.
//!
//! The replicas share the first one's key file; the first one makes the agent network (its
//! internal endpoint listens on the network's gateway, port 4001) and the others listen on ports
//! of their own there (`--internal-listen`), as replicas on one host must.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libtest_mimic::Trial;
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, docker, images, wait_for};
use mosaic_tests::http::{Api, Auth};
use mosaic_tests::{Daemon, DaemonOptions, daemon::free_port, trial};
use serde_json::{Value, json};

use crate::containers::inconsistency_of;

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "replicas::sqlite_refuses_a_second_daemon",
            sqlite_refuses_a_second_daemon,
        ),
        trial(
            "replicas::stampede_config_change_and_credentials",
            stampede_config_change_and_credentials,
        ),
        trial(
            "replicas::shared_activity_and_leader_takeover",
            shared_activity_and_leader_takeover,
        ),
        trial(
            "replicas::sigkill_mid_stream_and_mid_start",
            sigkill_mid_stream_and_mid_start,
        ),
    ]
}

const CHAT: &str = "/api/chat/completions";
const LEADER: &str = "this replica is now the leader";

/// Three replicas on one fresh PostgreSQL database; dropped in field order: the daemons stop,
/// then everything the instance made in Docker is removed.
struct Replicas {
    r: Vec<Daemon>,
    /// The PostgreSQL database's name.
    database: String,
    data: Data,
    scope: InstanceScope,
}

impl Replicas {
    async fn start(reaper_interval: &str) -> Replicas {
        let scope = InstanceScope::new();
        let (database, url) = mosaic_tests::postgres::server().create_database();
        let base = docker::daemon_options_with(&scope.instance, reaper_interval, "1s").env("DATABASE_URL", &url);
        let first = Daemon::start_with(base.clone());
        let data = Data::open_with(Some(&url), &first.data_dir).await;
        data.use_image(&images().normal, 60).await;
        // The agent network exists once a container started: one start at the first replica
        // makes it (and binds its internal endpoint on the gateway), then that agent is stopped.
        let warm = data.add_user("warmup@example.com").await;
        first.ctl(&["containers", "start", &warm]).ok();
        first.ctl(&["containers", "stop", &warm]).ok();
        let gateway = docker(&[
            "network",
            "inspect",
            "--format",
            "{{(index .IPAM.Config 0).Gateway}}",
            &scope.network(),
        ]);
        assert_eq!(gateway.code, 0, "{gateway:?}");
        let gateway = gateway.stdout.trim().to_string();
        let key = first.data_dir.join("secret.key");
        let mut r = vec![first];
        for _ in 0..2 {
            let options: DaemonOptions = base
                .clone()
                .arg("--secret-key-file")
                .arg(key.display().to_string())
                .arg("--internal-listen")
                .arg(format!("{gateway}:{}", free_port()));
            r.push(Daemon::start_with(options));
        }
        Replicas {
            r,
            database,
            data,
            scope,
        }
    }

    fn api(&self, i: usize) -> Api {
        Api::at(self.r[i].base_url())
    }

    /// A member with a provider, a primary model and an API token: (user id, token).
    async fn member(&self, email: &str) -> (String, String) {
        let id = self.data.add_user(email).await;
        self.data
            .add_provider(
                Some(&id),
                "p",
                &format!("sk-replica-{}", uuid::Uuid::new_v4().simple()),
                &["m1", "m2"],
            )
            .await;
        self.data.set_agent_config(&id, Some("p/m1"), None).await;
        let token = self.data.add_api_token(&id).await;
        (id, token)
    }

    /// A chat completion through replica `i`: the reply text.
    async fn chat(&self, i: usize, token: &str, text: &str) -> String {
        let answer = self
            .api(i)
            .post(
                CHAT,
                Auth::Bearer(token),
                &json!({ "model": "openclaw", "messages": [{ "role": "user", "content": text }] }),
            )
            .await
            .expect(200);
        answer["choices"][0]["message"]["content"].as_str().unwrap().to_string()
    }

    /// The container starts audited for `user`.
    async fn starts(&self, user: &str) -> usize {
        let target = format!("user/{user}");
        self.data
            .audit()
            .await
            .iter()
            .filter(|(_, action, t, _)| action == "container.start" && t.as_deref() == Some(target.as_str()))
            .count()
    }

    /// The user's container row as a replica lists it.
    fn row(&self, i: usize, user: &str) -> Value {
        crate::containers::rows(&self.r[i])
            .into_iter()
            .find(|c| c["owner"] == user)
            .unwrap_or_else(|| panic!("no container row for {user}"))
    }

    /// Which replica logged that it leads (the one still running that did last).
    fn leader(&self) -> Option<usize> {
        (0..self.r.len()).find(|&i| self.r[i].pid().is_some() && self.r[i].log().contains(LEADER))
    }

    #[track_caller]
    fn assert_consistent(&self, i: usize) {
        if let Some(problem) = inconsistency_of(&self.r[i], &self.scope) {
            panic!("{problem}");
        }
    }
}

/// A streaming chat through replica `i`: the response, once its head arrived.
async fn stream(api: &Api, token: &str, text: &str) -> reqwest::Response {
    api.request(reqwest::Method::POST, CHAT, Auth::Bearer(token))
        .json(&json!({ "model": "openclaw", "stream": true, "messages": [{ "role": "user", "content": text }] }))
        .send()
        .await
        .expect("chat request")
}

/// Reads a stream to its end: the body, and whether it ended with `[DONE]` (false when it broke
/// off).
async fn read_stream(response: reqwest::Response) -> (String, bool) {
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut text = String::new();
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(bytes) => text.push_str(&String::from_utf8_lossy(&bytes)),
            Err(_) => return (text, false),
        }
    }
    let done = text.contains("data: [DONE]");
    (text, done)
}

/// SQLite serves one daemon: a second mosaicd on the same database file (another data
/// directory) is refused with what to do; once the first stops, it starts.
async fn sqlite_refuses_a_second_daemon() {
    let mut first = Daemon::start();
    let database = first.data_dir.join("mosaic.db");
    let second = DaemonOptions::default()
        .env("DATABASE_URL", format!("sqlite:{}", database.display()))
        .arg("--secret-key-file")
        .arg(first.data_dir.join("secret.key").display().to_string());
    match Daemon::try_start(second.clone()) {
        Ok(_) => panic!("a second mosaicd started on the first one's SQLite database"),
        Err((status, log)) => {
            assert!(status.is_some_and(|s| !s.success()), "{status:?}\n{log}");
            let pid = first.pid().unwrap();
            assert!(
                log.contains(&format!("another mosaicd (pid {pid}) is using the SQLite database"))
                    && log.contains("SQLite serves one mosaicd only")
                    && log.contains("PostgreSQL"),
                "{log}"
            );
        }
    }
    first.stop();
    let mut second = Daemon::start_with(second);
    second.ctl(&["status"]).ok();
    second.stop();
}

/// Concurrent first chats for one user at three replicas start one container, which all of them
/// use; a config change made through one replica restarts it once, and every replica then
/// reaches the new container; credentials taken away through one replica stop working at the
/// others at once.
async fn stampede_config_change_and_credentials() {
    let set = Replicas::start("1h").await;
    let (user, token) = set.member("stampede@example.com").await;
    const PER_REPLICA: usize = 8;
    let began = Instant::now();
    let calls: Vec<_> = (0..3 * PER_REPLICA)
        .map(|n| {
            let (api, token) = (set.api(n % 3), token.clone());
            tokio::spawn(async move {
                let answer = api
                    .post(
                        CHAT,
                        Auth::Bearer(&token),
                        &json!({ "model": "openclaw", "messages": [{ "role": "user", "content": format!("hi {n}") }] }),
                    )
                    .await
                    .expect(200);
                answer["choices"][0]["message"]["content"].as_str().unwrap().to_string()
            })
        })
        .collect();
    for call in calls {
        let reply = call.await.unwrap();
        assert!(
            reply.contains("[boot=1]") && reply.contains("[primary=p/m1]"),
            "{reply}"
        );
    }
    let took = began.elapsed();
    let name = format!("mosaic-user-{user}");
    let running: Vec<_> = set.scope.containers().into_iter().filter(|(n, _)| *n == name).collect();
    assert_eq!(running, vec![(name.clone(), "running".to_string())]);
    assert_eq!(set.starts(&user).await, 1, "one start audited");
    println!(
        "replicas: {} concurrent first chats for one user at 3 replicas: one container, all answered in {took:?}",
        3 * PER_REPLICA
    );
    let first_id = set.row(0, &user)["generation"].clone();

    // A config change through replica 0 restarts the agent once; replicas 1 and 2 held the old
    // container as running and reach the new one (new address and token) on their next chat.
    set.r[0]
        .ctl(&["agent-config", "set", "--user", &user, "--primary-model", "p/m2"])
        .ok();
    for i in [1, 2, 0] {
        let reply = set.chat(i, &token, "after the change").await;
        assert!(
            reply.contains("[primary=p/m2]") && reply.contains("[boot=2]"),
            "{reply}"
        );
    }
    assert_eq!(set.starts(&user).await, 2, "one restart for the change");
    assert_ne!(set.row(1, &user)["generation"], first_id);

    // Credentials: replica 1 caches the token; it is revoked through replica 0; replica 1
    // refuses it on the very next request.
    let tokens = set.api(1).get("/api/tokens", Auth::Bearer(&token)).await.expect(200);
    let token_id = tokens["data"]
        .as_array()
        .or_else(|| tokens.as_array())
        .and_then(|list| list.first())
        .map(|t| t["id"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no token listed: {tokens:#}"));
    set.api(1).get("/api/tokens", Auth::Bearer(&token)).await.expect(200);
    let revoked = set
        .api(0)
        .delete(&format!("/api/tokens/{token_id}"), Auth::Bearer(&token))
        .await;
    assert!(revoked.status.is_success(), "{revoked:?}");
    set.api(1).get("/api/tokens", Auth::Bearer(&token)).await.expect(401);
    set.api(2).get("/api/tokens", Auth::Bearer(&token)).await.expect(401);

    // Every replica's listening connection is cut by the server: each stops caching, listens
    // again, and hears the next change.
    let cut = mosaic_tests::postgres::server().sql(
        &set.database,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    assert_eq!(cut.trim(), "3", "one listener per replica");
    for i in 0..3 {
        wait_for("the replica to listen again", Duration::from_secs(20), || {
            let log = set.r[i].log();
            let back = log
                .rfind("lost the connection that listens for credential changes")
                .is_some_and(|at| log[at..].contains("listening for credential changes again"));
            async move { back.then_some(()) }
        })
        .await;
    }

    // A user deactivated through replica 0 is refused at replica 2, which had them cached.
    let (other, other_token) = set.member("deactivated@example.com").await;
    set.api(2)
        .get("/api/tokens", Auth::Bearer(&other_token))
        .await
        .expect(200);
    set.api(2)
        .get("/api/tokens", Auth::Bearer(&other_token))
        .await
        .expect(200);
    set.r[0].ctl(&["users", "deactivate", &other]).ok();
    set.api(2)
        .get("/api/tokens", Auth::Bearer(&other_token))
        .await
        .expect(401);
    set.assert_consistent(1);
}

/// A stream open through one replica keeps the container busy for the leader's reaper (idle
/// timeout 0); once it ends, the leader reaps it. The leader is SIGKILLed: another replica takes
/// over and reaps in its place.
async fn shared_activity_and_leader_takeover() {
    let mut set = Replicas::start("300ms").await;
    let leader = wait_for("a leader", Duration::from_secs(10), || async { set.leader() }).await;
    assert_eq!(leader, 0, "the first replica leads");
    set.data.set("agent.idle_timeout_min", "0").await;
    let (user, token) = set.member("streamer@example.com").await;

    // Through replica 2 (not the leader): a 4-second stream that starts the container. The
    // leader's reaper passes every 300 ms and would stop an idle container at once.
    let response = stream(&set.api(2), &token, "long mock:chunks=10 mock:interval_ms=400").await;
    let (text, done) = read_stream(response).await;
    assert!(done && text.contains("chunk 10"), "the stream broke off: {text}");
    let row = wait_for(
        "the leader to reap the idle container",
        Duration::from_secs(20),
        || async {
            let row = set.row(0, &user);
            (row["state"] == "stopped").then_some(row)
        },
    )
    .await;
    assert_eq!(row["stopReason"], "idle", "{row:#}");
    let stop = set
        .data
        .audit()
        .await
        .into_iter()
        .find(|(_, action, target, _)| action == "container.stop" && target.as_deref() == Some(&format!("user/{user}")))
        .expect("the stop is audited");
    assert_eq!(stop.3["reason"], "idle");

    // The leader dies; another replica takes the leader lock.
    let killed_at = Instant::now();
    set.r[0].kill();
    let next = wait_for("another replica to lead", Duration::from_secs(30), || async {
        (1..3).find(|&i| set.r[i].log().contains(LEADER))
    })
    .await;
    let takeover = killed_at.elapsed();
    println!("replicas: leader SIGKILLed; replica {next} took over in {takeover:?}");
    // The new leader reaps: a chat through the other replica starts the container, and once
    // the chat is over it is stopped as idle.
    let other = if next == 1 { 2 } else { 1 };
    let reply = set.chat(other, &token, "again").await;
    assert!(reply.contains("[boot=2]"), "{reply}");
    wait_for("the new leader to reap", Duration::from_secs(20), || async {
        let row = set.row(next, &user);
        (row["state"] == "stopped" && row["stopReason"] == "idle").then_some(())
    })
    .await;
    set.assert_consistent(next);
}

/// A replica SIGKILLed mid-stream loses only its own stream: the same agent's stream through
/// another replica goes on to its end, and the others keep serving. A replica SIGKILLed while it
/// starts a container leaves nothing half-started: the next chat at another replica cleans up
/// and starts it.
async fn sigkill_mid_stream_and_mid_start() {
    let mut set = Replicas::start("1h").await;
    let (user, token) = set.member("killed@example.com").await;
    set.chat(0, &token, "warm").await;
    let doomed = stream(&set.api(2), &token, "doomed mock:chunks=20 mock:interval_ms=300").await;
    let surviving = stream(&set.api(1), &token, "surviving mock:chunks=10 mock:interval_ms=300").await;
    let doomed = tokio::spawn(read_stream(doomed));
    let surviving = tokio::spawn(read_stream(surviving));
    tokio::time::sleep(Duration::from_millis(700)).await;
    set.r[2].kill();
    let (text, done) = doomed.await.unwrap();
    assert!(!done, "the killed replica's stream cannot have ended: {text}");
    let (text, done) = surviving.await.unwrap();
    assert!(
        done && text.contains("chunk 10"),
        "the other replica's stream broke off: {text}"
    );
    for i in [0, 1] {
        let reply = set.chat(i, &token, "still here").await;
        assert!(reply.contains("[boot=1]"), "{reply}");
    }
    assert_eq!(set.starts(&user).await, 1, "the agent kept running throughout");

    // A start killed half-way: a slow agent (listening after 2 s) for a new user, started
    // through replica 2, which is killed while the row says starting.
    set.r[2].restart();
    set.data.use_image(&images().slow, 60).await;
    let (late, late_token) = set.member("halfway@example.com").await;
    // Its answer never comes: the replica dies under it.
    let first = set
        .api(2)
        .request(reqwest::Method::POST, CHAT, Auth::Bearer(&late_token))
        .json(&json!({ "model": "openclaw", "messages": [{ "role": "user", "content": "x" }] }))
        .send();
    let first = tokio::spawn(async move { first.await.map(|r| r.status()) });
    wait_for("the start to begin", Duration::from_secs(20), || async {
        let rows = crate::containers::rows(&set.r[0]);
        rows.into_iter()
            .find(|c| c["owner"] == late.as_str() && c["state"] == "starting")
            .map(|_| ())
    })
    .await;
    set.r[2].kill();
    let lost = first.await.unwrap();
    assert!(lost.is_err(), "the killed replica answered: {lost:?}");
    let reply = set.chat(0, &late_token, "after the crash").await;
    assert!(reply.contains("echo: after the crash"), "{reply}");
    let audit = set.data.audit().await;
    assert!(
        audit
            .iter()
            .any(|(_, action, target, detail)| action == "container.stop"
                && target.as_deref() == Some(&format!("user/{late}"))
                && detail["reason"] == "interrupted"),
        "the interrupted start is recorded: {audit:#?}"
    );
    set.assert_consistent(1);
}
