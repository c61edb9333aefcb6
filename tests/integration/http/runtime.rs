//! The agents' lifecycle through the chat proxy, on both container runtimes: one suite, each test
//! registered once per driver (`containers::runtime::docker::…`, `containers::runtime::swarm::…`).
//! Under Swarm the machine is a single-node swarm and mosaicd runs in a container on the agents'
//! overlay network (as in production), built from the binary this run made; the test reaches its
//! API through a published port and its admin socket and database through the mounted temp dir.

use std::time::{Duration, Instant};

use libtest_mimic::Trial;
use mosaic_tests::docker::{self, Driver, docker, images, wait_for};
use mosaic_tests::http::Auth;
use mosaic_tests::trial;
use mosaicd::store::q;
use serde_json::json;

use super::chat::{self, Chat, body, events, reply, streamed_text};

pub fn trials() -> Vec<Trial> {
    let mut t = Vec::new();
    for driver in [Driver::Docker, Driver::Swarm] {
        let name = |test: &str| format!("containers::runtime::{}::{test}", driver.name());
        t.push(trial(&name("chat_lifecycle"), move || chat_lifecycle(driver)));
    }
    // The chat tests that take a driver: registered for Docker with the chat tests (`http::chat::…`),
    // and here for Swarm.
    let swarm = |test: &str| format!("containers::runtime::swarm::{test}");
    t.push(trial(&swarm("killed_container_restarts_on_next_chat"), || {
        chat::killed_container_restarts_on_next_chat(Driver::Swarm)
    }));
    t.push(trial(&swarm("streaming_is_unbuffered"), || {
        chat::streaming_is_unbuffered(Driver::Swarm)
    }));
    t.push(trial(&swarm("cold_start_streaming_heartbeats"), || {
        chat::cold_start_streaming_heartbeats(Driver::Swarm)
    }));
    t.push(trial(&swarm("cold_start_timeout"), || {
        chat::cold_start_timeout(Driver::Swarm)
    }));
    t.push(trial(&swarm("system_agents"), || chat::system_agents(Driver::Swarm)));
    t
}

/// What the engine shows of an agent: `docker inspect` of its container, or `docker service
/// inspect` of its service and `docker inspect` of its task's container.
fn engine_view(driver: Driver, name: &str) -> String {
    match driver {
        Driver::Docker => docker(&["inspect", name]).ok().to_string(),
        Driver::Swarm => {
            let mut view = docker(&["service", "inspect", name]).ok().to_string();
            let tasks = docker(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.swarm.service.name={name}"),
            ]);
            for id in tasks.ok().split_whitespace() {
                view.push_str(docker(&["inspect", id]).ok());
            }
            view
        }
    }
}

/// The Swarm secrets made for the agent `name` (its token, per start).
fn secrets_of(name: &str) -> usize {
    docker(&[
        "secret",
        "ls",
        "-q",
        "--filter",
        &format!("label=mosaic.service={name}"),
    ])
    .ok()
    .split_whitespace()
    .count()
}

/// First chat starts the agent and streams through it; the token is nowhere in what the engine
/// shows; the node is recorded (Swarm) or none is (Docker); a config change restarts it once
/// with its state kept; a restarted mosaicd adopts it; a stop and the reaper take it down
/// (Swarm: zero replicas, no secret left; Docker: no container).
async fn chat_lifecycle(driver: Driver) {
    let mut c = Chat::start_on(driver, "300ms", &images().normal, 60, "1s", &[]).await;
    let alice = c.member("alice@example.com").await;
    let name = format!("mosaic-user-{}", alice.id);

    // The first chat starts the agent and streams its answer.
    let response = c.stream(Auth::Bearer(&alice.token), "hello there").await;
    if response.status() != 200 {
        let status = response.status();
        let answer = response.text().await.unwrap_or_default();
        panic!("first chat: {status} {answer}\nmosaicd's log:\n{}", c.w.daemon.log());
    }
    let streamed = events(response, Instant::now()).await;
    let text = streamed_text(&streamed);
    assert!(
        text.starts_with("echo: hello there") && text.contains("[boot=1]"),
        "{streamed:#?}\nmosaicd's log:\n{}",
        c.w.daemon.log()
    );
    assert!(docker::agent_running(driver, &name), "{name} runs");

    // The gateway token is in neither the engine's inspection nor the environment.
    let token = c.data.gateway_token("user", &alice.id).await.expect("a gateway token");
    let view = engine_view(driver, &name);
    assert!(view.contains("AGENT_TOKEN_FILE=/run/mosaic/agent-token"), "{view}");
    assert!(
        !view.contains(&token),
        "the gateway token is in the engine's inspection"
    );
    if driver == Driver::Swarm {
        assert_eq!(docker::service_replicas(&name), Some(1));
        assert!(view.contains("\"Mode\": \"dnsrr\""), "{view}");
        assert_eq!(secrets_of(&name), 1, "one secret: the token");
    }

    // Where the agent's volume is: the swarm node it was placed on, recorded; none under Docker.
    let node: Option<String> = c
        .data
        .db
        .one::<(Option<String>,)>(q("SELECT node FROM user_container WHERE user_id = $1").bind(&alice.id))
        .await
        .expect("the container row")
        .0;
    match driver {
        Driver::Docker => assert_eq!(node, None),
        Driver::Swarm => assert_eq!(node.as_deref(), Some(docker::swarm_node())),
    }

    // A config change restarts the agent once; its state volume is kept.
    let service_id = docker(&["service", "inspect", "--format", "{{.ID}}", &name]).stdout;
    c.api()
        .put(
            "/api/agent-config",
            Auth::Session(&alice.session),
            &json!({ "personality": "You are terse.\n" }),
        )
        .await
        .expect(200);
    let answer = reply(&c.complete(Auth::Bearer(&alice.token), &body("again")).await.expect(200));
    assert!(answer.contains("[boot=2]"), "{answer}");
    assert_ne!(
        c.data.gateway_token("user", &alice.id).await.unwrap(),
        token,
        "a fresh token"
    );
    if driver == Driver::Swarm {
        // Started again where its volume is: the recorded node is a constraint now.
        let constraints = docker(&[
            "service",
            "inspect",
            "--format",
            "{{json .Spec.TaskTemplate.Placement.Constraints}}",
            &name,
        ]);
        assert_eq!(
            constraints.ok().trim(),
            format!("[\"node.id=={}\"]", docker::swarm_node())
        );
        // The same service, updated; the previous start's secret is gone.
        assert_eq!(
            docker(&["service", "inspect", "--format", "{{.ID}}", &name]).stdout,
            service_id
        );
        assert_eq!(secrets_of(&name), 1, "the previous token's secret is removed");
    }
    assert_eq!(starts(&c).await, 2);
    // How long each start took, as mosaicd recorded it (the README's figures).
    for (_, action, _, detail) in c.data.audit().await {
        if action == "container.start" {
            eprintln!(
                "{} start, generation {}: {}s",
                driver.name(),
                detail["generation"],
                detail["seconds"]
            );
        }
    }

    // mosaicd restarts: it adopts the running agent rather than starting it again.
    c.w.daemon.restart();
    let answer = reply(&c.complete(Auth::Bearer(&alice.token), &body("after")).await.expect(200));
    assert!(answer.contains("[boot=2]"), "adopted, not restarted: {answer}");
    assert_eq!(starts(&c).await, 2, "no start after the daemon's restart");

    // An admin stop: zero replicas and no secret (Swarm), no container (Docker).
    c.w.daemon.ctl(&["containers", "stop", &alice.id]).ok();
    assert_stopped(driver, &name);

    // The reaper stops an idle agent the same way.
    c.complete(Auth::Bearer(&alice.token), &body("back")).await.expect(200);
    assert!(docker::agent_running(driver, &name));
    c.w.daemon.advance_clock(Duration::from_secs(31 * 60));
    wait_for("the reaper's stop", Duration::from_secs(30), || async {
        c.container_status(&alice.id)
            .await
            .filter(|s| s["state"] == "stopped" && s["stopReason"] == "idle")
    })
    .await;
    assert_stopped(driver, &name);
}

/// The agent does not run, as the driver keeps a stopped agent.
#[track_caller]
fn assert_stopped(driver: Driver, name: &str) {
    match driver {
        Driver::Docker => assert_eq!(docker(&["inspect", name]).code, 1, "{name}'s container is removed"),
        Driver::Swarm => {
            assert_eq!(docker::service_replicas(name), Some(0), "{name} is scaled to zero");
            assert_eq!(secrets_of(name), 0, "a stopped agent holds no token");
        }
    }
    assert!(!docker::agent_running(driver, name));
}

/// How many starts the audit log records.
async fn starts(c: &Chat) -> usize {
    c.data
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, _, _)| action == "container.start")
        .count()
}
