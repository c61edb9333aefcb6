//! Agent containers on the real Docker Engine, with the test-agent images (a faithful double of
//! OpenClaw's gateway that fetches its config from mosaicd's internal endpoint and validates it
//! strictly). Every Docker object is labelled with the run and the daemon's instance and removed
//! at the end of each test, failed or not.

use mosaicd::store::paging::PageRequest;
use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use libtest_mimic::Trial;
use mosaic_shared::types::AgentConfigInput;
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, container_running, docker, images, wait_for};
use mosaic_tests::inprocess::InProcess;
use mosaic_tests::{Daemon, DaemonOptions, trial};
use mosaicd::containers::{AgentRef, StopReason};
use mosaicd::store::audit::Actor;
use serde_json::{Value, json};

pub fn trials() -> Vec<Trial> {
    vec![
        trial("containers::single_flight_start", || single_flight_start(false)),
        trial("containers::postgres::single_flight_start", || {
            single_flight_start(true)
        }),
        trial(
            "containers::health_gate_and_start_failures",
            health_gate_and_start_failures,
        ),
        trial("containers::cli_commands", cli_commands),
        trial("containers::reaper_stops_idle_containers", reaper_stops_idle_containers),
        trial("containers::activity_guard_prevents_reap", activity_guard_prevents_reap),
        trial(
            "containers::config_change_restarts_with_state_kept",
            config_change_restarts_with_state_kept,
        ),
        trial(
            "containers::reconcile_after_sigkill_mid_creation",
            reconcile_after_sigkill_mid_creation,
        ),
        trial(
            "containers::external_kill_restarts_on_next_request",
            external_kill_restarts_on_next_request,
        ),
        trial(
            "containers::event_stream_reconnects_after_docker_returns",
            event_stream_reconnects_after_docker_returns,
        ),
        trial("containers::isolation_and_hardening", isolation_and_hardening),
        trial("containers::internal_endpoint_tokens", internal_endpoint_tokens),
        trial(
            "containers::secrets_absent_from_docker_and_logs",
            secrets_absent_from_docker_and_logs,
        ),
        trial("containers::docker_unreachable", docker_unreachable),
        trial("containers::system_agents", system_agents),
        trial("containers::owner_rules", owner_rules),
        trial("containers::entrypoint_script", entrypoint_script),
        trial("containers::warm_on_login", warm_on_login),
        trial(
            "containers::adopted_across_daemon_restarts",
            adopted_across_daemon_restarts,
        ),
    ]
}

/// A daemon managing containers with the test images; dropped in field order: the daemon stops,
/// then everything its instance created in Docker is removed.
pub(crate) struct Env {
    pub(crate) daemon: Daemon,
    pub(crate) data: Data,
    pub(crate) scope: InstanceScope,
}

/// `extra` are more mosaicd flags; `--reaper-interval X` and `--reconcile-interval X` replace
/// the short test defaults.
pub(crate) async fn env(image: &str, start_timeout_sec: u32, extra: &[&str]) -> Env {
    env_with(image, start_timeout_sec, extra, |o| o).await
}

/// [`env`] with the daemon's options changed by `adjust`.
pub(crate) async fn env_with(
    image: &str,
    start_timeout_sec: u32,
    extra: &[&str],
    adjust: impl FnOnce(DaemonOptions) -> DaemonOptions,
) -> Env {
    let scope = InstanceScope::new();
    let interval = |flag: &str, default: &'static str| {
        extra
            .iter()
            .position(|a| *a == flag)
            .map(|i| extra[i + 1].to_string())
            .unwrap_or_else(|| default.to_string())
    };
    let mut options = docker::daemon_options_with(
        &scope.instance,
        &interval("--reaper-interval", "300ms"),
        &interval("--reconcile-interval", "1s"),
    );
    let mut rest = extra.iter();
    while let Some(arg) = rest.next() {
        if *arg == "--reaper-interval" || *arg == "--reconcile-interval" {
            rest.next();
            continue;
        }
        options = options.arg(*arg);
    }
    let options = adjust(options);
    let database_url = options
        .env
        .iter()
        .find(|(k, _)| k == "DATABASE_URL")
        .map(|(_, v)| v.clone());
    let daemon = Daemon::start_with(options);
    let data = Data::open_with(database_url.as_deref(), &daemon.data_dir).await;
    data.use_image(image, start_timeout_sec).await;
    Env { daemon, data, scope }
}

impl Env {
    pub(crate) fn ls(&self) -> Vec<Value> {
        rows(&self.daemon)
    }

    pub(crate) fn status(&self, owner: &str) -> Value {
        self.ls()
            .into_iter()
            .find(|c| c["owner"] == owner)
            .unwrap_or_else(|| panic!("no container row for {owner}"))
    }
}

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// One chat completion against an agent container; returns the reply text.
async fn chat(base_url: &str, token: &str, text: &str) -> String {
    let response = http()
        .post(format!("{base_url}/v1/chat/completions"))
        .bearer_auth(token)
        .json(&json!({"model": "openclaw", "messages": [{"role": "user", "content": text}]}))
        .send()
        .await
        .expect("chat request");
    assert_eq!(response.status(), 200, "chat failed");
    let body: Value = response.json().await.unwrap();
    body["choices"][0]["message"]["content"].as_str().unwrap().to_string()
}

fn container_id(name: &str) -> Option<String> {
    let out = docker(&["inspect", "--format", "{{.Id}}", name]);
    (out.code == 0).then(|| out.stdout.trim().to_string())
}

/// The container rows `mosaicctl containers ls --json` shows.
pub(crate) fn rows(daemon: &Daemon) -> Vec<Value> {
    daemon.ctl(&["containers", "ls", "--all", "--json"]).json()["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// Every container of the instance has a row; every row that says running has a running
/// container; nothing is left half made.
#[track_caller]
pub(crate) fn assert_consistent(env: &Env) {
    if let Some(problem) = inconsistency(env) {
        panic!("{problem}");
    }
}

/// What disagrees between Docker and the rows `containers ls` shows, if anything.
pub(crate) fn inconsistency(env: &Env) -> Option<String> {
    inconsistency_of(&env.daemon, &env.scope)
}

/// [`inconsistency`] for any daemon and the Docker objects of its instance.
pub(crate) fn inconsistency_of(daemon: &Daemon, scope: &InstanceScope) -> Option<String> {
    let rows = rows(daemon);
    let names: HashSet<String> = rows.iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    let containers = scope.containers();
    for (name, state) in &containers {
        if !names.contains(name) {
            return Some(format!("orphan container {name} ({state}); rows: {rows:#?}"));
        }
        if state != "running" {
            return Some(format!("container {name} left in state {state}"));
        }
    }
    let running: HashSet<String> = containers.into_iter().map(|(n, _)| n).collect();
    for row in &rows {
        let name = row["name"].as_str().unwrap();
        match row["state"].as_str().unwrap() {
            "running" if !running.contains(name) => {
                return Some(format!("row says running but {name} is not: {row:#}"));
            }
            "starting" => return Some(format!("row left starting: {row:#}")),
            "running" => {}
            other if running.contains(name) => return Some(format!("{name} runs but its row says {other}")),
            _ => {}
        }
    }
    None
}

async fn single_flight_start(on_postgres: bool) {
    let image = &images().normal;
    let scope = InstanceScope::new();
    let mut options = docker::daemon_options(&scope.instance);
    if on_postgres {
        options = options.env("DATABASE_URL", mosaic_tests::postgres::server().create_database().1);
    }
    let daemon = InProcess::start(options).await;
    let data = daemon.data().await;
    data.use_image(image, 60).await;
    let user = data.add_user("flight@example.com").await;
    data.add_provider(Some(&user), "p1", "sk-flight-0001", &["m1"]).await;

    let manager = daemon.app().containers().clone();
    // A caller that gives up mid-start does not abort the start: it runs in its own task, and
    // the callers below join it or find its container running.
    let impatient = tokio::time::timeout(
        Duration::from_millis(50),
        manager.ensure_running(AgentRef::User(user.clone())),
    )
    .await;
    assert!(impatient.is_err(), "the start cannot be that fast: {impatient:?}");
    let began = Instant::now();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let manager = manager.clone();
            let user = user.clone();
            tokio::spawn(async move { manager.ensure_running(AgentRef::User(user)).await })
        })
        .collect();
    let mut upstreams = Vec::new();
    for call in calls {
        upstreams.push(call.await.unwrap().expect("every caller succeeds"));
    }
    let took = began.elapsed();
    let urls: BTreeSet<_> = upstreams.iter().map(|u| u.base_url.clone()).collect();
    let tokens: BTreeSet<_> = upstreams.iter().map(|u| u.token.expose().to_string()).collect();
    assert_eq!(urls.len(), 1, "{urls:?}");
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        scope.containers(),
        vec![(format!("mosaic-user-{user}"), "running".to_string())]
    );
    let starts: Vec<_> = data
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, _, _)| action == "container.start")
        .collect();
    assert_eq!(starts.len(), 1, "{starts:?}");
    assert_eq!(manager.metrics().container_starts("ok"), 1);
    // The container answers with the token every caller got.
    let reply = chat(&upstreams[0].base_url, upstreams[0].token.expose(), "hello").await;
    assert!(
        reply.contains("echo: hello") && reply.contains("[primary=p1/m1]"),
        "{reply}"
    );
    eprintln!("100 concurrent first requests: one container, {took:?}");
    // A warm call is answered without a start.
    let again = manager.ensure_running(AgentRef::User(user.clone())).await.unwrap();
    assert_eq!(again.base_url, upstreams[0].base_url);
    assert_eq!(manager.metrics().container_starts("ok"), 1);
    data.close().await;
    daemon.stop().await;
}

async fn health_gate_and_start_failures() {
    let imgs = images();
    let env = env(&imgs.slow, 30, &[]).await;
    let alice = env.data.add_user("alice@example.com").await;
    let bob = env.data.add_user("bob@example.com").await;
    let carol = env.data.add_user("carol@example.com").await;
    let dave = env.data.add_user("dave@example.com").await;

    // Slow gateway: the start holds the caller until /healthz answers, and no longer.
    let began = Instant::now();
    let out = env
        .daemon
        .ctl(&["--timeout", "60", "containers", "start", "alice@example.com"]);
    out.ok();
    let took = began.elapsed();
    assert!(
        took >= docker::SLOW_START,
        "returned before the gateway listened: {took:?}"
    );
    let ip = docker::container_ip(&format!("mosaic-user-{alice}"), &env.scope.network()).unwrap();
    let health = http().get(format!("http://{ip}:18789/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(env.status(&alice)["state"], "running");

    // Slower than the start timeout: a clear error for the caller, in the status and in the log.
    env.data.set("agent.start_timeout_sec", "1").await;
    let began = Instant::now();
    let out = env.daemon.ctl(&["containers", "start", &bob]);
    out.fails(8, "did not pass its health check within 1s");
    assert!(began.elapsed() < Duration::from_secs(10), "{:?}", began.elapsed());
    let status = env.status(&bob);
    assert_eq!(status["state"], "error", "{status:#}");
    assert_eq!(status["stopReason"], "start_failed");
    assert!(
        status["detail"]
            .as_str()
            .unwrap()
            .contains("did not pass its health check within 1s"),
        "{status:#}"
    );
    let log = env.daemon.log();
    assert!(
        log.contains("agent container failed to start") && log.contains(&format!("mosaic-user-{bob}")),
        "{log}"
    );
    // The failed container is gone; its volume stays for the next attempt.
    assert!(container_id(&format!("mosaic-user-{bob}")).is_none());

    // A gateway whose /healthz fails: the status says what it answered.
    env.data.set("agent.image", &imgs.failing).await;
    env.data.set("agent.start_timeout_sec", "2").await;
    env.daemon
        .ctl(&["containers", "start", &carol])
        .fails(8, "/readyz answered HTTP 503");

    // A config the gateway refuses (an API type OpenClaw removed): the container exits at once
    // and the error carries its own explanation.
    env.data.set("agent.image", &imgs.normal).await;
    env.data.set("agent.start_timeout_sec", "30").await;
    let provider = env.data.add_provider(Some(&dave), "p1", "sk-dave-0001", &["m1"]).await;
    env.data
        .db
        .execute(
            mosaicd::store::q("UPDATE llm_provider SET api_type = 'openai-codex-responses' WHERE id = $1")
                .bind(&provider),
        )
        .await
        .unwrap();
    let began = Instant::now();
    let out = env.daemon.ctl(&["containers", "start", &dave]);
    out.fails(8, "exited with code 1 before it became healthy");
    assert!(out.stderr.contains("openai-codex-responses"), "{out:?}");
    assert!(began.elapsed() < Duration::from_secs(15), "{:?}", began.elapsed());

    // An image the engine does not have and cannot pull (no registry here).
    let missing = format!("mosaic-test-missing-{}:none", env.scope.instance);
    env.data.set("agent.image", &missing).await;
    env.daemon.ctl(&["containers", "restart", &alice]).fails(
        8,
        &format!("agent image {missing} is not on the Docker engine and pulling it failed"),
    );
    assert_eq!(env.status(&alice)["state"], "error");

    // An image whose registry's name does not resolve: the caller reads that the registry cannot
    // be reached, in Mosaic's words, with no address of the network (the engine names its DNS
    // server); the engine's own answer is in the log.
    let unreachable = format!("mosaic-missing-{}.invalid/agent:none", env.scope.instance);
    env.data.set("agent.image", &unreachable).await;
    let out = env.daemon.ctl(&["containers", "restart", &alice]);
    out.fails(
        8,
        &format!("agent image {unreachable} is not on the Docker engine and pulling it failed: the engine cannot reach its registry"),
    );
    let detail = env.status(&alice)["detail"].as_str().unwrap().to_string();
    for text in [&out.stderr, &detail] {
        assert!(ip_address_in(text).is_none(), "an address in {text:?}");
        assert!(!text.contains("dial tcp") && !text.contains("lookup"), "{text}");
    }
    let log = env.daemon.log();
    assert!(
        log.contains("no such host") || log.contains("server misbehaving"),
        "the engine's answer is not in the log: {log}"
    );
    assert_consistent(&env);
}

/// The first dotted-quad IPv4 address in `text`, if any.
fn ip_address_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|word| word.trim_matches('.'))
        .find(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 4
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
        })
        .map(str::to_string)
}

async fn cli_commands() {
    let env = env(&images().normal, 30, &["--reaper-interval", "1h"]).await;
    let d = &env.daemon;
    let out = d.ctl(&["containers", "ls"]);
    assert!(out.ok().contains("No agent containers yet"), "{out:?}");
    assert_eq!(d.ctl(&["containers", "ls", "--json"]).json()["data"], json!([]));

    let alice = env.data.add_user("alice@example.com").await;
    let out = d.ctl(&["containers", "start", "alice@example.com"]);
    let text = out.ok();
    assert!(
        text.starts_with(&format!("Started mosaic-user-{alice} (alice@example.com) in ")),
        "{out:?}"
    );
    // Starting a running container changes nothing.
    let out = d.ctl(&["containers", "start", &alice]);
    assert!(out.ok().contains("is already running"), "{out:?}");
    let again = d.ctl(&["containers", "start", &alice, "--json"]).json();
    assert_eq!(
        (again["started"].as_bool(), again["generation"].as_u64()),
        (Some(false), Some(1))
    );

    let table = d.ctl(&["containers", "ls"]);
    let text = table.ok();
    for needle in [
        "OWNER",
        "STATE",
        "IDLE TIMEOUT",
        "alice@example.com",
        "running",
        "30 min",
        &images().normal,
    ] {
        assert!(text.contains(needle), "{needle:?} missing: {text}");
    }
    let row = env.status(&alice);
    assert_eq!(row["kind"], "user");
    assert_eq!(row["name"], format!("mosaic-user-{alice}"));
    assert_eq!(row["state"], "running");
    assert_eq!(row["image"], images().normal.as_str());
    assert_eq!(row["idleTimeoutMin"], 30);
    assert_eq!(row["generation"], 1);
    assert!(
        row["uptimeSeconds"].as_u64().is_some() && row["lastActivityAt"].is_string(),
        "{row:#}"
    );

    let detail = d.ctl(&["containers", "inspect", "alice@example.com", "--json"]).json();
    assert_eq!(detail["dockerState"], "running");
    assert_eq!(detail["volume"], format!("mosaic-user-{alice}-state"));
    assert_eq!(detail["network"], env.scope.network());
    assert!(detail["ipAddress"].as_str().unwrap().contains('.'));
    let human = d.ctl(&["containers", "inspect", &format!("user/{alice}")]);
    assert!(
        human.ok().contains("docker state:") && human.stdout.contains("running"),
        "{human:?}"
    );

    let out = d.ctl(&["containers", "stop", &alice]);
    assert!(out.ok().contains("its state volume is kept"), "{out:?}");
    let row = env.status(&alice);
    assert_eq!(row["state"], "stopped");
    assert_eq!(row["stopReason"], "admin");
    assert!(row["stoppedAt"].is_string());
    assert!(
        d.ctl(&["containers", "ls"]).ok().contains("admin, 20"),
        "stop reason and time shown"
    );
    assert_eq!(env.scope.volumes(), vec![format!("mosaic-user-{alice}-state")]);
    assert!(env.scope.containers().is_empty());

    let out = d.ctl(&["containers", "restart", &alice]);
    assert!(out.ok().starts_with("Restarted mosaic-user-"), "{out:?}");
    assert_eq!(env.status(&alice)["generation"], 2);

    // One reaper pass on demand: nothing idle yet, then (idle timeout 0) the container.
    let out = d.ctl(&["containers", "reap"]);
    assert!(
        out.ok().contains("No idle containers to stop (1 running checked"),
        "{out:?}"
    );
    env.data.set("agent.idle_timeout_min", "0").await;
    d.ctl(&["containers", "restart", &alice]).ok();
    let out = d.ctl(&["containers", "reap"]);
    let text = out.ok();
    assert!(
        text.contains("Stopped 1 idle container(s)") && text.contains("idle reap"),
        "{out:?}"
    );
    assert!(text.contains("alice@example.com") && text.contains("0 min"), "{out:?}");
    assert_eq!(env.status(&alice)["stopReason"], "idle");
    let report = d.ctl(&["containers", "reap", "--json"]).json();
    assert_eq!(report["stopped"], json!([]));

    // Errors: exit codes scripts can rely on, one-line reasons.
    d.ctl(&["containers", "start", "nobody@example.com"])
        .fails(4, "no user");
    d.ctl(&["containers", "inspect", "system/nope"])
        .fails(4, "has no container");
    assert_consistent(&env);
}

async fn reaper_stops_idle_containers() {
    let env = env(&images().normal, 30, &[]).await;
    let alice = env.data.add_user("alice@example.com").await;
    let bob = env.data.add_user("bob@example.com").await;
    // Bob started under the default idle timeout (30 min), Alice under 0.
    env.daemon.ctl(&["containers", "start", &bob]).ok();
    env.data.set("agent.idle_timeout_min", "0").await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    wait_for(
        "the reaper to stop alice's idle container",
        Duration::from_secs(20),
        || async { (env.status(&alice)["state"] == "stopped").then_some(()) },
    )
    .await;
    let row = env.status(&alice);
    assert_eq!(row["stopReason"], "idle");
    assert!(row["detail"].as_str().unwrap().starts_with("idle for "), "{row:#}");
    assert!(container_id(&format!("mosaic-user-{alice}")).is_none());
    let audit = env.data.audit().await;
    let stop = audit
        .iter()
        .find(|(_, action, target, _)| {
            action == "container.stop" && target.as_deref() == Some(&format!("user/{alice}"))
        })
        .unwrap_or_else(|| panic!("no audit row: {audit:#?}"));
    assert_eq!(stop.0, "system");
    assert_eq!(stop.3["reason"], "idle");
    // Bob's timeout has not passed: still running.
    assert_eq!(env.status(&bob)["state"], "running");
    assert!(container_running(&format!("mosaic-user-{bob}")));
    assert_consistent(&env);
}

async fn activity_guard_prevents_reap() {
    let scope = InstanceScope::new();
    let daemon = InProcess::start(docker::daemon_options(&scope.instance)).await;
    let data = daemon.data().await;
    data.use_image(&images().normal, 30).await;
    data.set("agent.idle_timeout_min", "0").await;
    let user = data.add_user("streamer@example.com").await;
    let manager = daemon.app().containers().clone();
    let target = AgentRef::User(user.clone());
    let name = format!("mosaic-user-{user}");

    // A stream in flight: taken before ensure_running, as the proxy does.
    let guard = manager.activity(target.clone());
    manager.ensure_running(target.clone()).await.unwrap();
    // Many reaper passes (every 300 ms) go by; the container stays.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(container_running(&name));
    let report = manager.reap_idle().await.unwrap();
    assert!(report.stopped.is_empty() && report.kept_busy == 1, "{report:?}");
    let listed = manager.list(PageRequest::new(None, None).unwrap()).await.unwrap();
    assert_eq!(listed.data[0].active_requests, 1);

    // The stream ends: the next pass stops it, as idle.
    drop(guard);
    let status = wait_for("the reaper after the stream ended", Duration::from_secs(10), || async {
        manager
            .list(PageRequest::new(None, None).unwrap())
            .await
            .unwrap()
            .data
            .pop()
            .filter(|s| s.state == mosaic_shared::types::ContainerState::Stopped)
    })
    .await;
    assert!(!container_running(&name));
    assert_eq!(status.stop_reason.as_deref(), Some(StopReason::Idle.as_str()));
    assert_eq!(status.active_requests, 0);
    assert!(status.last_activity_at.is_some());
    data.close().await;
    daemon.stop().await;
}

async fn config_change_restarts_with_state_kept() {
    let scope = InstanceScope::new();
    let daemon = InProcess::start(docker::daemon_options(&scope.instance)).await;
    let data = daemon.data().await;
    data.use_image(&images().normal, 30).await;
    let user = data.add_user("changer@example.com").await;
    let provider = data
        .add_provider(Some(&user), "p1", "sk-change-0001", &["m1", "m2"])
        .await;
    data.set_agent_config(&user, Some("p1/m1"), None).await;
    let manager = daemon.app().containers().clone();
    let target = AgentRef::User(user.clone());
    let name = format!("mosaic-user-{user}");

    let up = manager.ensure_running(target.clone()).await.unwrap();
    let reply = chat(&up.base_url, up.token.expose(), "one").await;
    assert!(
        reply.contains("[primary=p1/m1]") && reply.contains("[boot=1]"),
        "{reply}"
    );
    let first_id = container_id(&name).unwrap();

    // The change goes through the service the HTTP API and the CLI use; it restarts the running
    // container before it returns.
    let app = daemon.app().clone();
    app.agents()
        .set_agent_config(
            &Actor::User { id: user.clone() },
            &user,
            AgentConfigInput {
                primary_model: Some("p1/m2".into()),
                fallback_models: vec![],
                personality: Some("You are terse.\n".into()),
                provider_id: Some(provider.clone()),
            },
        )
        .await
        .unwrap();
    assert_ne!(container_id(&name).unwrap(), first_id, "restarted by the change");
    let up = manager.ensure_running(target.clone()).await.unwrap();
    let reply = chat(&up.base_url, up.token.expose(), "two").await;
    // The new config is in force; the volume kept the boot counter.
    assert!(
        reply.contains("[primary=p1/m2]") && reply.contains("[boot=2]"),
        "{reply}"
    );
    assert_ne!(container_id(&name).unwrap(), first_id, "a fresh container");
    assert_eq!(scope.volumes(), vec![format!("{name}-state")]);
    // The personality reached the workspace as SOUL.md.
    let copy = tempfile::tempdir().unwrap();
    let dest = copy.path().join("SOUL.md");
    docker(&[
        "cp",
        &format!("{name}:/home/node/.openclaw/workspace/SOUL.md"),
        dest.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "You are terse.\n");
    let stop = data
        .audit()
        .await
        .into_iter()
        .find(|(_, action, _, detail)| action == "container.stop" && detail["reason"] == "config_change");
    assert!(stop.is_some(), "config change recorded");
    let status = &manager.list(PageRequest::new(None, None).unwrap()).await.unwrap().data[0];
    assert_eq!(status.generation, 2);

    // Not running: a config change leaves it stopped.
    manager.stop(target.clone(), StopReason::Admin).await.unwrap();
    manager.config_changed(&user).await.unwrap();
    assert!(container_id(&name).is_none());

    // Deactivation (the admin service) stops the user's container, with its reason.
    manager.ensure_running(target.clone()).await.unwrap();
    app.users().deactivate_user(&Actor::System, &user).await.unwrap();
    assert!(container_id(&name).is_none());
    let status = &manager.list(PageRequest::new(None, None).unwrap()).await.unwrap().data[0];
    assert_eq!(
        (status.state, status.stop_reason.as_deref()),
        (mosaic_shared::types::ContainerState::Stopped, Some("deactivated"))
    );
    let refused = manager.ensure_running(target.clone()).await.unwrap_err();
    assert_eq!(refused.code(), mosaic_shared::ErrorCode::Forbidden, "{refused}");
    data.close().await;
    daemon.stop().await;
}

async fn reconcile_after_sigkill_mid_creation() {
    let began = Instant::now();
    let mut env = env(&images().slow, 60, &[]).await;
    eprintln!("daemon up in {:?}", began.elapsed());
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(env.data.add_user(&format!("u{i}@example.com")).await);
    }
    // Twenty first starts at once; mosaicd is killed while they are being created.
    let starters: Vec<_> = users
        .iter()
        .map(|u| {
            let socket = env.daemon.socket.clone();
            let u = u.clone();
            std::thread::spawn(move || {
                let mut command = std::process::Command::new(mosaic_tests::bins::mosaicctl());
                command
                    .arg("--socket")
                    .arg(&socket)
                    .args(["--timeout", "120", "containers", "start", &u]);
                mosaic_tests::daemon::ctl_command(command, None, None)
            })
        })
        .collect();
    wait_for("some containers to be created", Duration::from_secs(60), || async {
        (env.scope.containers().len() >= 3).then_some(())
    })
    .await;
    env.daemon.kill();
    let created_before_kill = env.scope.containers().len();
    for s in starters {
        let out = s.join().unwrap();
        assert_ne!(out.code, 0, "a start cannot succeed once mosaicd is killed: {out:?}");
    }
    eprintln!("killed mosaicd with {created_before_kill} of 20 containers created");

    let began = Instant::now();
    env.daemon.restart();
    eprintln!("restarted in {:?}", began.elapsed());
    // Reconciliation at startup settles every row.
    // Reconciliation at startup and the periodic passes (1 s here) settle every row. A create
    // that Docker was still carrying out when mosaicd died may finish after the first pass; a
    // later pass removes it, so wait for agreement instead of judging the first pass alone.
    wait_for("reconciliation after the restart", Duration::from_secs(30), || async {
        inconsistency(&env).is_none().then_some(())
    })
    .await;
    let interrupted = env.ls().iter().filter(|r| r["stopReason"] == "interrupted").count();
    assert!(interrupted > 0, "interrupted starts are recorded: {:#?}", env.ls());

    eprintln!("reconciled in {:?}", began.elapsed());
    // Every user's container starts again: one each, no duplicate, no orphan.
    env.data.set("agent.image", &images().normal).await;
    let began = Instant::now();
    let starters: Vec<_> = users
        .iter()
        .map(|u| {
            let socket = env.daemon.socket.clone();
            let u = u.clone();
            std::thread::spawn(move || {
                let mut command = std::process::Command::new(mosaic_tests::bins::mosaicctl());
                command
                    .arg("--socket")
                    .arg(&socket)
                    .args(["--timeout", "120", "containers", "start", &u]);
                mosaic_tests::daemon::ctl_command(command, None, None)
            })
        })
        .collect();
    for s in starters {
        s.join().unwrap().ok();
    }
    eprintln!("20 concurrent starts in {:?}", began.elapsed());
    let names: BTreeSet<String> = env.scope.containers().into_iter().map(|(n, _)| n).collect();
    let expected: BTreeSet<String> = users.iter().map(|u| format!("mosaic-user-{u}")).collect();
    assert_eq!(names, expected);
    assert_eq!(env.scope.volumes().len(), 20);
    assert_consistent(&env);
}

async fn external_kill_restarts_on_next_request() {
    // Long reconcile interval: the next request, not reconciliation, must notice.
    let env = env(&images().normal, 30, &["--reconcile-interval", "1h"]).await;
    let alice = env.data.add_user("alice@example.com").await;
    let name = format!("mosaic-user-{alice}");
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let first = container_id(&name).unwrap();
    docker(&["kill", &name]).ok();

    let out = env.daemon.ctl(&["containers", "start", &alice]);
    assert!(
        out.ok().starts_with("Started "),
        "restarted, not 'already running': {out:?}"
    );
    let second = container_id(&name).unwrap();
    assert_ne!(first, second);
    assert!(container_running(&name));
    let row = env.status(&alice);
    assert_eq!(row["generation"], 2);
    let audit = env.data.audit().await;
    assert!(
        audit
            .iter()
            .any(|(_, action, _, detail)| action == "container.stop" && detail["reason"] == "crash"),
        "the crash is recorded: {audit:#?}"
    );
    assert_consistent(&env);
}

/// A container killed from outside is taken out of service by its Docker event, with no request
/// and no reconciliation to notice it; when Docker is cut and restored, the daemon subscribes
/// again and the next death is noticed the same way.
async fn event_stream_reconnects_after_docker_returns() {
    let proxy = mosaic_tests::docker::SocketProxy::start().await;
    let env = env(
        &images().normal,
        30,
        &[
            "--docker-host",
            &format!("unix://{}", proxy.path.display()),
            "--reconcile-interval",
            "1h",
        ],
    )
    .await;
    let alice = env.data.add_user("alice@example.com").await;
    let name = format!("mosaic-user-{alice}");
    let noticed = |n: usize| {
        let log = env.daemon.log();
        let count = log
            .lines()
            .filter(|l| l.contains("(Docker event)") && l.contains(&name))
            .count();
        (count >= n).then_some(())
    };

    env.daemon.ctl(&["containers", "start", &alice]).ok();
    docker(&["kill", &name]).ok();
    wait_for(
        "the kill to be noticed from its event",
        Duration::from_secs(20),
        || async { noticed(1) },
    )
    .await;

    proxy.cut();
    wait_for("the event stream to be lost", Duration::from_secs(20), || async {
        env.daemon.log().contains("lost the Docker event stream").then_some(())
    })
    .await;
    proxy.restore().await;
    wait_for("the event stream to come back", Duration::from_secs(20), || async {
        env.daemon.log().contains("watching Docker events again").then_some(())
    })
    .await;
    let out = env.daemon.ctl(&["containers", "start", &alice]);
    assert!(out.ok().starts_with("Started "), "{out:?}");
    docker(&["kill", &name]).ok();
    wait_for(
        "the second kill to be noticed from its event",
        Duration::from_secs(20),
        || async { noticed(2) },
    )
    .await;
    let out = env.daemon.ctl(&["containers", "start", &alice]);
    assert!(out.ok().starts_with("Started "), "{out:?}");
    assert_consistent(&env);
}

async fn isolation_and_hardening() {
    let env = env(&images().normal, 30, &[]).await;
    let alice = env.data.add_user("alice@example.com").await;
    let bob = env.data.add_user("bob@example.com").await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    env.daemon.ctl(&["containers", "start", &bob]).ok();
    let (a, b) = (format!("mosaic-user-{alice}"), format!("mosaic-user-{bob}"));
    let network = env.scope.network();
    let (a_ip, b_ip) = (
        docker::container_ip(&a, &network).unwrap(),
        docker::container_ip(&b, &network).unwrap(),
    );

    // mosaicd's host reaches both gateways…
    for ip in [&a_ip, &b_ip] {
        let body: Value = http()
            .get(format!("http://{ip}:18789/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["ok"], true);
    }
    // …but neither container reaches the other.
    for (from, to) in [(&a, &b_ip), (&b, &a_ip)] {
        let out = docker(&["exec", from, "/test-agent", "probe", &format!("{to}:18789"), "1500"]);
        assert!(out.stdout.starts_with("unreachable"), "{from} reached {to}: {out:?}");
    }
    // The internal endpoint on the network's gateway is reachable from a container; the public
    // API does not serve it.
    let gateway = docker(&[
        "network",
        "inspect",
        &network,
        "--format",
        "{{(index .IPAM.Config 0).Gateway}}",
    ])
    .ok()
    .trim()
    .to_string();
    let out = docker(&["exec", &a, "/test-agent", "probe", &format!("{gateway}:4001"), "1500"]);
    assert!(out.stdout.starts_with("reachable"), "{out:?}");
    let public = http()
        .get(format!(
            "{}/api/internal/agent-config/user/{alice}",
            env.daemon.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);

    // Hardening as asked for, and the labels reconciliation relies on.
    let inspect: Value = serde_json::from_str(docker(&["inspect", &a]).ok()).unwrap();
    let c = &inspect[0];
    let host = &c["HostConfig"];
    assert_eq!(host["CapDrop"], json!(["ALL"]));
    assert_eq!(host["SecurityOpt"], json!(["no-new-privileges"]));
    assert_eq!(host["PidsLimit"], 64);
    assert_eq!(host["Memory"], 128 * 1024 * 1024);
    assert_eq!(host["NanoCpus"], 500_000_000);
    assert_eq!(host["Privileged"], false);
    assert_eq!(host["NetworkMode"], network.as_str());
    assert!(
        host["PortBindings"].as_object().is_none_or(|p| p.is_empty()),
        "{host:#}"
    );
    assert_eq!(c["Config"]["User"], "1000:1000");
    let labels = &c["Config"]["Labels"];
    assert_eq!(labels["mosaic.instance"], env.scope.instance.as_str());
    assert_eq!(labels["mosaic.kind"], "user");
    assert_eq!(labels["mosaic.owner"], alice.as_str());
    assert_eq!(labels["mosaic.generation"], "1");
    assert_eq!(labels["mosaic.config-hash"].as_str().unwrap().len(), 16);
    assert_eq!(labels[docker::RUN_LABEL], docker::run_id());
    let net: Value = serde_json::from_str(docker(&["network", "inspect", &network]).ok()).unwrap();
    assert_eq!(net[0]["Options"]["com.docker.network.bridge.enable_icc"], "false");
    assert_eq!(net[0]["Labels"][docker::RUN_LABEL], docker::run_id());
    let vol: Value = serde_json::from_str(docker(&["volume", "inspect", &format!("{a}-state")]).ok()).unwrap();
    assert_eq!(vol[0]["Labels"]["mosaic.owner"], alice.as_str());
}

async fn internal_endpoint_tokens() {
    let env = env(&images().normal, 30, &[]).await;
    let alice = env.data.add_user("alice@example.com").await;
    let bob = env.data.add_user("bob@example.com").await;
    env.data
        .add_provider(Some(&alice), "work", "sk-alice-key-0001", &["gpt-x"])
        .await;
    env.data
        .set_agent_config(&alice, Some("work/gpt-x"), Some("Be kind."))
        .await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    env.daemon.ctl(&["containers", "start", &bob]).ok();
    let alice_token = env.data.gateway_token("user", &alice).await.unwrap();
    let bob_token = env.data.gateway_token("user", &bob).await.unwrap();
    let gateway = docker(&[
        "network",
        "inspect",
        &env.scope.network(),
        "--format",
        "{{(index .IPAM.Config 0).Gateway}}",
    ])
    .ok()
    .trim()
    .to_string();
    let base = format!("http://{gateway}:4001/api/internal/agent-config");
    let get = |path: String, token: Option<String>| async move {
        let mut request = http().get(path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, text)
    };

    let (status, body) = get(format!("{base}/user/{alice}"), None).await;
    assert_eq!(status, 401, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "unauthenticated");
    assert_eq!(get(format!("{base}/user/{alice}"), Some("wrong".into())).await.0, 401);
    let (status, body) = get(format!("{base}/user/{alice}"), Some(bob_token.clone())).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("sk-alice"), "{body}");
    assert_eq!(
        get(format!("{base}/user/no-such-user"), Some(alice_token.clone()))
            .await
            .0,
        404
    );
    assert_eq!(
        get(format!("{base}/robot/{alice}"), Some(alice_token.clone())).await.0,
        404
    );

    let (status, body) = get(format!("{base}/user/{alice}"), Some(alice_token.clone())).await;
    assert_eq!(status, 200, "{body}");
    let config: Value = serde_json::from_str(&body).unwrap();
    // Only keys OpenClaw accepts (the double validates strictly and started with this config).
    assert_eq!(
        config,
        json!({
            "gateway": {"mode": "local", "port": 18789, "bind": "lan", "auth": {"mode": "token"},
                        "http": {"endpoints": {"chatCompletions": {"enabled": true}}},
                        "controlUi": {"enabled": false}},
            "agents": {"defaults": {"workspace": "/home/node/.openclaw/workspace", "skipBootstrap": true,
                                    "model": {"primary": "work/gpt-x", "fallbacks": []}}},
            "models": {"mode": "merge", "providers": {"work": {
                "baseUrl": "http://192.0.2.10:8080/v1", "apiKey": "sk-alice-key-0001",
                "api": "openai-completions",
                "models": [{"id": "gpt-x", "name": "GPT-X", "reasoning": false, "input": ["text"],
                            "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                            "contextWindow": 64000, "maxTokens": 8192}]}}}
        })
    );
    let (status, soul) = get(format!("{base}/user/{alice}/soul"), Some(alice_token.clone())).await;
    assert_eq!((status, soul.as_str()), (200, "Be kind."));
    assert_eq!(
        get(format!("{base}/user/{bob}/soul"), Some(bob_token.clone())).await.0,
        204
    );
    assert_eq!(
        get(format!("{base}/user/{bob}/soul"), Some(alice_token.clone()))
            .await
            .0,
        403
    );

    // A stopped container's token opens nothing; a restart issues a new one.
    env.daemon.ctl(&["containers", "stop", &bob]).ok();
    assert_eq!(get(format!("{base}/user/{bob}"), Some(bob_token.clone())).await.0, 401);
    env.daemon.ctl(&["containers", "restart", &alice]).ok();
    assert_eq!(
        get(format!("{base}/user/{alice}"), Some(alice_token.clone())).await.0,
        401
    );
    let fresh = env.data.gateway_token("user", &alice).await.unwrap();
    assert_ne!(fresh, alice_token);
    assert_eq!(get(format!("{base}/user/{alice}"), Some(fresh)).await.0, 200);
}

async fn secrets_absent_from_docker_and_logs() {
    // At the most verbose level: no level or filter may put a secret in the log (HTTP and Docker
    // client crates dump bodies and headers at trace).
    let env = env_with(&images().normal, 30, &[], |o| o.env("MOSAIC_LOG", "trace")).await;
    let alice = env.data.add_user("alice@example.com").await;
    let canary = "sk-canary-5d41402abc4b2a76b9719d911017c592";
    env.data.add_provider(Some(&alice), "p1", canary, &["m1"]).await;
    let system_canary = "sk-canary-system-7c6a180b36896a0a8c02787eeafb0e4c";
    env.data.add_provider(None, "shared", system_canary, &["big"]).await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let name = format!("mosaic-user-{alice}");
    let token = env.data.gateway_token("user", &alice).await.unwrap();
    let agent = format!("sec-{}", env.scope.instance);
    env.daemon
        .ctl(&["system-agents", "add", &agent, "--model", "shared/big"])
        .ok();
    let system_token = env.data.gateway_token("system", &agent).await.unwrap();
    // The agent got its key: the config it wrote holds it (the double stores it 0600).
    let copy = tempfile::tempdir().unwrap();
    docker(&[
        "cp",
        &format!("{name}:/home/node/.openclaw/openclaw.json"),
        copy.path().to_str().unwrap(),
    ])
    .ok();
    let written = std::fs::read_to_string(copy.path().join("openclaw.json")).unwrap();
    assert!(written.contains(canary), "the key reached the agent");

    let mut haystacks = vec![
        ("docker inspect", docker(&["inspect", &name]).ok().to_string()),
        (
            "docker inspect system",
            docker(&["inspect", &format!("mosaic-system-{agent}")]).ok().to_string(),
        ),
        (
            "docker volume inspect",
            docker(&["volume", "inspect", &format!("{name}-state")])
                .ok()
                .to_string(),
        ),
        (
            "docker network inspect",
            docker(&["network", "inspect", &env.scope.network()]).ok().to_string(),
        ),
        ("daemon log", env.daemon.log()),
        (
            "containers ls",
            env.daemon.ctl(&["containers", "ls", "--json"]).ok().to_string(),
        ),
        (
            "containers inspect",
            env.daemon
                .ctl(&["containers", "inspect", &alice, "--json"])
                .ok()
                .to_string(),
        ),
        (
            "system-agents ls",
            env.daemon.ctl(&["system-agents", "ls", "--json"]).ok().to_string(),
        ),
    ];
    haystacks.push(("audit log", format!("{:?}", env.data.audit().await)));
    let config_cache: Vec<(String,)> = env
        .data
        .db
        .all(mosaicd::store::q(
            "SELECT config FROM user_container UNION ALL SELECT config FROM system_container",
        ))
        .await
        .unwrap();
    haystacks.push(("stored config", format!("{config_cache:?}")));
    assert!(
        haystacks[4].1.contains("TRACE"),
        "the daemon did not log at trace level"
    );
    for (what, text) in &haystacks {
        for secret in [canary, system_canary, token.as_str(), system_token.as_str()] {
            assert!(!text.contains(secret), "{what} contains a secret");
        }
    }
    // The token reached the container as a file, not through the environment.
    let env_vars: Value = serde_json::from_str(&haystacks[0].1).unwrap();
    let vars = env_vars[0]["Config"]["Env"].as_array().unwrap();
    assert!(
        vars.iter().any(|v| v == "AGENT_TOKEN_FILE=/run/mosaic/agent-token"),
        "{vars:?}"
    );
    assert!(!vars.iter().any(|v| v.as_str().unwrap().starts_with("AGENT_TOKEN=")));
}

async fn docker_unreachable() {
    let proxy = mosaic_tests::docker::SocketProxy::start().await;
    let env = env(
        &images().normal,
        30,
        &["--docker-host", &format!("unix://{}", proxy.path.display())],
    )
    .await;
    let alice = env.data.add_user("alice@example.com").await;
    let bob = env.data.add_user("bob@example.com").await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let readyz = |url: String| async move {
        let response = http().get(url).send().await.unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(readyz(format!("{}/readyz", env.daemon.base_url())).await.0, 200);

    proxy.cut();
    wait_for(
        "the daemon to notice (reconciliation fails)",
        Duration::from_secs(10),
        || async { env.daemon.log().contains("cannot reconcile containers").then_some(()) },
    )
    .await;
    let began = Instant::now();
    let out = env.daemon.ctl(&["containers", "start", &bob]);
    let took = began.elapsed();
    out.fails(8, "Docker engine unreachable; try again in a moment");
    // Where the engine was looked for is the operator's: in the log, not in the message.
    assert!(!out.stderr.contains("unix://"), "{out:?}");
    assert!(
        env.daemon
            .log()
            .contains(&format!("at unix://{}", proxy.path.display())),
        "the log says where Docker was looked for"
    );
    assert!(took < Duration::from_secs(5), "not fast: {took:?}");
    // A running container's request path checks Docker too: it fails the same way.
    env.daemon
        .ctl(&["containers", "start", &alice])
        .fails(8, "Docker engine unreachable");
    // The daemon itself is fine.
    assert_eq!(env.daemon.ctl(&["status", "--json"]).json()["counts"]["users"], 2);
    let (status, body) = readyz(format!("{}/readyz", env.daemon.base_url())).await;
    assert_eq!(status, 503, "{body:#}");
    assert_eq!(body["checks"]["database"]["ok"], true, "{body:#}");
    assert_eq!(body["checks"]["docker"]["ok"], false, "{body:#}");
    assert!(
        body["checks"]["docker"]["error"]
            .as_str()
            .unwrap()
            .contains("Docker engine unreachable"),
        "{body:#}"
    );

    proxy.restore().await;
    let out = env.daemon.ctl(&["containers", "start", &bob]);
    assert!(out.ok().starts_with("Started "), "{out:?}");
    assert_eq!(readyz(format!("{}/readyz", env.daemon.base_url())).await.0, 200);
    wait_for(
        "the daemon to notice Docker is back",
        Duration::from_secs(10),
        || async { env.daemon.log().contains("Docker engine reachable again").then_some(()) },
    )
    .await;
    assert_consistent(&env);
    drop(env);
    drop(proxy);
}

async fn system_agents() {
    let mut env = env(&images().normal, 30, &[]).await;
    env.data.add_provider(None, "shared", "sk-system-0001", &["big"]).await;
    let name = format!("ops-{}", env.scope.instance);
    let container = format!("mosaic-system-{name}");
    let d = &env.daemon;
    d.ctl(&[
        "system-agents",
        "add",
        &name,
        "--model",
        "nope",
        "--provider",
        "missing",
    ])
    .fails(4, "no admin-level provider named \"missing\"");
    d.ctl(&["system-agents", "add", "Bad_Name", "--model", "x"])
        .fails(5, "invalid system agent name");
    let out = d.ctl(&[
        "system-agents",
        "add",
        &name,
        "--role",
        "monitor",
        "--model",
        "big",
        "--provider",
        "shared",
    ]);
    assert!(out.ok().contains(&format!("Added system agent {name}")), "{out:?}");
    d.ctl(&["system-agents", "add", &name, "--model", "big"])
        .fails(7, "already exists");
    let list = d.ctl(&["system-agents", "ls", "--json"]).json();
    assert_eq!(list[0]["name"], name.as_str());
    assert_eq!(list[0]["role"], "monitor");
    assert_eq!(list[0]["provider"], "shared");
    assert_eq!(list[0]["container"]["state"], "running");
    let table = d.ctl(&["system-agents", "ls"]);
    assert!(
        table.ok().contains("monitor") && table.stdout.contains("running"),
        "{table:?}"
    );
    let row = env.status(&name);
    assert_eq!(row["kind"], "system");
    assert_eq!(row["idleTimeoutMin"], Value::Null);
    assert!(d.ctl(&["containers", "ls"]).ok().contains("always on"));

    // Always on: killed from outside, it comes back by itself (reconciliation every second).
    let first = container_id(&container).unwrap();
    docker(&["kill", &container]).ok();
    wait_for("the system agent to come back", Duration::from_secs(30), || async {
        container_id(&container)
            .filter(|id| *id != first && container_running(&container))
            .map(|_| ())
    })
    .await;
    // Never reaped, even with an idle timeout of 0.
    env.data.set("agent.idle_timeout_min", "0").await;
    let report = d.ctl(&["containers", "reap", "--json"]).json();
    assert_eq!(report["stopped"], json!([]));

    // Started at daemon start: gone while mosaicd was down, there again once it is up.
    env.daemon.stop();
    docker(&["rm", "-f", &container]).ok();
    env.daemon.restart();
    wait_for("the system agent at daemon start", Duration::from_secs(30), || async {
        // Healthy, not merely running: the row says so once the health check passed.
        (container_running(&container) && env.status(&name)["state"] == "running").then_some(())
    })
    .await;
    // Its config came from the admin-level providers.
    let token = env.data.gateway_token("system", &name).await.unwrap();
    let ip = docker::container_ip(&container, &env.scope.network()).unwrap();
    let reply = chat(&format!("http://{ip}:18789"), &token, "status?").await;
    assert!(reply.contains("[primary=shared/big]"), "{reply}");

    let out = env.daemon.ctl(&["system-agents", "rm", &name]);
    assert!(out.ok().contains("Removed system agent"), "{out:?}");
    assert!(container_id(&container).is_none());
    assert!(env.scope.volumes().is_empty(), "{:?}", env.scope.volumes());
    assert_eq!(env.daemon.ctl(&["system-agents", "ls", "--json"]).json(), json!([]));
    env.daemon
        .ctl(&["system-agents", "rm", &name])
        .fails(4, "no system agent");
    let audit = env.data.audit().await;
    for action in ["system_agent.add", "system_agent.remove"] {
        assert!(audit.iter().any(|(_, a, _, _)| a == action), "{action} audited");
    }
}

async fn owner_rules() {
    let env = env(&images().normal, 30, &[]).await;
    let alice = env.data.add_user("alice@example.com").await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    env.data.deactivate(&alice).await;
    env.daemon
        .ctl(&["containers", "restart", &alice])
        .fails(6, "is deactivated");
    env.daemon.ctl(&["containers", "stop", &alice]).ok();
    env.daemon
        .ctl(&["containers", "start", &alice])
        .fails(6, "is deactivated");
    env.daemon
        .ctl(&["containers", "start", "user/00000000-0000-0000-0000-000000000000"])
        .fails(4, "no user");
    assert_consistent(&env);
}

/// Mosaic's agent entrypoint script (`deploy/agent-entrypoint.sh`, written into the container in
/// the default `script` mode), run by BusyBox's shell with wget (OpenClaw's image has curl).
async fn entrypoint_script() {
    let Some(image) = images().script.clone() else {
        mosaic_tests::ci::missing("BusyBox at /bin/busybox (Debian package busybox-static)");
    };
    let env = env(&image, 30, &[]).await;
    env.data.set("agent.entrypoint", "script").await;
    let alice = env.data.add_user("alice@example.com").await;
    env.data
        .add_provider(Some(&alice), "p1", "sk-script-0001", &["m1"])
        .await;
    env.data
        .set_agent_config(&alice, Some("p1/m1"), Some("# Soul\nCalm.\n"))
        .await;
    let name = format!("mosaic-user-{alice}");
    env.daemon.ctl(&["containers", "start", &alice]).ok();

    // What the script handed to `openclaw`, as the stand-in recorded it.
    let handover = || {
        let dir = tempfile::tempdir().unwrap();
        docker(&["cp", &format!("{name}:/tmp/handover"), dir.path().to_str().unwrap()]).ok();
        move |file: &str| std::fs::read_to_string(dir.path().join("handover").join(file)).ok()
    };
    let read = handover();
    assert_eq!(read("args").as_deref(), Some("gateway run --bind lan --auth token\n"));
    assert_eq!(
        read("gateway-token").as_deref(),
        Some("set\n"),
        "OPENCLAW_GATEWAY_TOKEN is exported"
    );
    assert_eq!(
        read("agent-token-env").as_deref(),
        Some("clean\n"),
        "AGENT_TOKEN* is not passed on"
    );
    let config: Value = serde_json::from_str(&read("openclaw.json").unwrap()).unwrap();
    assert_eq!(config["agents"]["defaults"]["model"]["primary"], "p1/m1");
    assert_eq!(config["models"]["providers"]["p1"]["apiKey"], "sk-script-0001");
    assert_eq!(read("SOUL.md").as_deref(), Some("# Soul\nCalm.\n"));
    let listing = read("tmp-listing").unwrap();
    assert!(
        !listing.contains("mosaic."),
        "the script's work directory (with the token) is removed: {listing}"
    );
    // The gateway runs with the token the script handed over.
    let token = env.data.gateway_token("user", &alice).await.unwrap();
    let ip = docker::container_ip(&name, &env.scope.network()).unwrap();
    let reply = chat(&format!("http://{ip}:18789"), &token, "hi").await;
    assert!(reply.contains("[primary=p1/m1]"), "{reply}");

    // Personality removed: the restart removes SOUL.md from the kept volume.
    env.data.set_agent_config(&alice, Some("p1/m1"), None).await;
    env.daemon.ctl(&["containers", "restart", &alice]).ok();
    let read = handover();
    assert_eq!(read("soul-absent").as_deref(), Some("absent\n"));
    assert!(read("SOUL.md").is_none());

    // A token mosaicd does not know: the script stops with the endpoint's answer.
    docker(&["rm", "-f", &name]).ok();
    let bad = docker(&[
        "run",
        "--rm",
        "--network",
        &env.scope.network(),
        "--label",
        &format!("mosaic.instance={}", env.scope.instance),
        "-e",
        &format!("MOSAIC_API_URL=http://{}", gateway_addr(&env)),
        "-e",
        &format!("AGENT_ID=user/{alice}"),
        "-e",
        "AGENT_TOKEN=not-a-token",
        "-v",
        &format!("{}:/run/mosaic/entrypoint.sh:ro", entrypoint_path().display()),
        "--entrypoint",
        "/bin/sh",
        &image,
        "/run/mosaic/entrypoint.sh",
    ]);
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(
        bad.stderr.contains("config fetch from") && bad.stderr.contains("failed"),
        "{bad:?}"
    );
}

fn gateway_addr(env: &Env) -> String {
    let gateway = docker(&[
        "network",
        "inspect",
        &env.scope.network(),
        "--format",
        "{{(index .IPAM.Config 0).Gateway}}",
    ])
    .ok()
    .trim()
    .to_string();
    format!("{gateway}:4001")
}

fn entrypoint_path() -> std::path::PathBuf {
    mosaic_tests::bins::workspace_root()
        .join("deploy")
        .join("agent-entrypoint.sh")
}

/// Containers keep running while mosaicd restarts; the next mosaicd adopts them instead of
/// starting them again.
async fn adopted_across_daemon_restarts() {
    let mut env = env(&images().normal, 30, &[]).await;
    let alice = env.data.add_user("alice@example.com").await;
    let name = format!("mosaic-user-{alice}");
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let id = container_id(&name).unwrap();
    let token = env.data.gateway_token("user", &alice).await.unwrap();

    env.daemon.stop();
    assert!(container_running(&name), "mosaicd's shutdown leaves agents running");
    env.daemon.restart();
    let out = env.daemon.ctl(&["containers", "start", &alice]);
    assert!(out.ok().contains("is already running"), "{out:?}");
    assert_eq!(container_id(&name).unwrap(), id);
    let row = env.status(&alice);
    assert_eq!(
        (row["state"].as_str(), row["generation"].as_u64()),
        (Some("running"), Some(1))
    );
    assert_eq!(env.data.gateway_token("user", &alice).await.unwrap(), token);
    let starts = env
        .data
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, _, _)| action == "container.start")
        .count();
    assert_eq!(starts, 1);
    // The adopted container is managed as any other: a stop stops it.
    env.daemon.ctl(&["containers", "stop", &alice]).ok();
    assert!(container_id(&name).is_none());
    assert_consistent(&env);
}

/// A login starts the user's agent in the background (no chat needed), and so does opening the
/// console's chat page; with `agent.warm_on_login` off a login starts nothing; before onboarding
/// is complete nothing is warmed; with Docker unreachable the login is answered all the same.
async fn warm_on_login() {
    const PASSWORD: &str = "correct horse battery";
    let env = env(&images().normal, 60, &[]).await;
    for name in ["alice", "bob", "carol"] {
        env.daemon
            .ctl_stdin(
                &["admin", "create-breakglass", "--username", name, "--password-stdin"],
                &format!("{PASSWORD}\n"),
            )
            .ok();
    }
    let api = mosaic_tests::http::Api::new(&env.daemon);
    let running = |user: String| {
        let env = &env;
        async move {
            wait_for("the agent to start without a chat", Duration::from_secs(60), || async {
                let up = env
                    .ls()
                    .into_iter()
                    .any(|c| c["owner"] == user.as_str() && c["state"] == "running");
                up.then_some(())
            })
            .await;
            assert!(container_running(&format!("mosaic-user-{user}")));
        }
    };
    let has_row = |user: &str| env.ls().into_iter().any(|c| c["owner"] == user);
    // The decision is made after the login is answered; the daemon logs it.
    let not_warmed = |user: String, reason: &'static str| {
        let env = &env;
        async move {
            wait_for("the decision not to warm", Duration::from_secs(30), || async {
                env.daemon
                    .log()
                    .lines()
                    .any(|l| l.contains("agent not warmed at login") && l.contains(&user) && l.contains(reason))
                    .then_some(())
            })
            .await
        }
    };

    // Before onboarding is complete a login warms nothing.
    let carol = api.login("carol", PASSWORD).await;
    not_warmed(carol.user_id.clone(), "onboarding is not complete").await;
    // Off: a login starts nothing.
    env.data.complete_onboarding().await;
    env.daemon.ctl(&["config", "set", "agent.warm_on_login=false"]).ok();
    assert_eq!(
        env.daemon.ctl(&["config", "get", "agent.warm_on_login"]).ok(),
        "false\n"
    );
    let alice = api.login("alice", PASSWORD).await;
    not_warmed(alice.user_id.clone(), "agent.warm_on_login is off").await;

    // On (the default): a login starts the agent.
    env.daemon.ctl(&["config", "unset", "agent.warm_on_login"]).ok();
    let bob = api.login("bob", PASSWORD).await;
    running(bob.user_id.clone()).await;
    let status = env.status(&bob.user_id);
    assert!(
        status["lastActivityAt"].is_string(),
        "the warm start counts as activity: {status}"
    );
    let starts: Vec<_> = env
        .data
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, target, _)| {
            action == "container.start" && target.as_deref() == Some(format!("user/{}", bob.user_id).as_str())
        })
        .collect();
    assert_eq!(starts.len(), 1, "one start for bob: {starts:?}");
    // The first message finds it running: no second start.
    env.daemon.ctl(&["containers", "start", &bob.user_id]).ok();

    // The earlier logins (the setting off, onboarding incomplete) started nothing.
    assert!(
        !has_row(&alice.user_id),
        "warm-on-login off must not start alice's agent"
    );
    assert!(!has_row(&carol.user_id), "no warm start before onboarding is complete");
    assert!(
        docker(&["ps", "-aq", "--filter", &format!("name=mosaic-user-{}", alice.user_id)])
            .stdout
            .trim()
            .is_empty()
    );

    // Opening the chat page warms too.
    let page = api.get("/chat", mosaic_tests::http::Auth::CookieOnly(&alice)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    running(alice.user_id.clone()).await;
}
