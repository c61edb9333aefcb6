//! The agents' own network, tested from inside real agent containers: what an agent cannot reach
//! (cloud metadata, private networks, mosaicd's public API), what it can (the internal endpoint,
//! and through mosaicd's egress proxy whatever the one egress policy allows), and how an
//! administrator opens a range for a local LLM.

use libtest_mimic::Trial;
use mosaic_tests::docker::{self, INSTANCE_LABEL, RUN_LABEL, docker, images};
use mosaic_tests::trial;
use serde_json::Value;

use crate::containers::{env_with, http};

pub fn trials() -> Vec<Trial> {
    vec![
        trial("containers::fence::agent_network", agent_network),
        trial("containers::fence::open_network_replaced", open_network_replaced),
    ]
}

/// `test-agent ARGS…` inside `container` (with `env` added to its environment); stdout.
fn exec(container: &str, env: &[&str], args: &[&str]) -> String {
    let mut command = vec!["exec"];
    for e in env {
        command.extend(["-e", e]);
    }
    command.push(container);
    command.push("/test-agent");
    command.extend(args);
    docker(&command).stdout
}

/// `docker run -d ARGS…` with the labels that have the container removed with the instance.
fn run_labelled(instance: &str, args: &[&str]) {
    let labels = [
        format!("{INSTANCE_LABEL}={instance}"),
        format!("{RUN_LABEL}={}", docker::run_id()),
    ];
    let mut command = vec!["run", "-d", "--label", &labels[0], "--label", &labels[1]];
    command.extend(args);
    docker(&command).ok();
}

fn gateway_of(network: &str) -> String {
    docker(&[
        "network",
        "inspect",
        network,
        "--format",
        "{{(index .IPAM.Config 0).Gateway}}",
    ])
    .ok()
    .trim()
    .to_string()
}

async fn agent_network() {
    let script = images()
        .script
        .clone()
        .expect("the private server needs BusyBox (Debian package busybox-static)");
    let env = env_with(&images().normal, 30, &[], |o| mosaic_tests::DaemonOptions {
        listen_everywhere: true,
        ..o
    })
    .await;
    let alice = env.data.add_user("alice@example.com").await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let agent = format!("mosaic-user-{alice}");
    let network = env.scope.network();
    let gateway = gateway_of(&network);
    let public_port = env.daemon.http.port();

    // The engine's own fence: the network is internal, containers do not talk to each other.
    let net: Value = serde_json::from_str(docker(&["network", "inspect", &network]).ok()).unwrap();
    assert_eq!(net[0]["Internal"], true, "{net:#}");
    assert_eq!(net[0]["Options"]["com.docker.network.bridge.enable_icc"], "false");

    // The agent is told where the proxy is, in the variables OpenClaw's undici dispatcher reads.
    let inspect: Value = serde_json::from_str(docker(&["inspect", &agent]).ok()).unwrap();
    let vars: Vec<String> = serde_json::from_value(inspect[0]["Config"]["Env"].clone()).unwrap();
    let proxy = format!("http://{gateway}:4001");
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
        assert!(vars.contains(&format!("{name}={proxy}")), "{name}: {vars:?}");
    }
    assert!(vars.contains(&format!("NO_PROXY={gateway}")), "{vars:?}");

    // A server on a private network that is not the agents' (a container on Docker's default
    // bridge), standing for a local LLM.
    let private = format!("mosaic-fence-{}", env.scope.instance);
    run_labelled(
        &env.scope.instance,
        &[
            "--name",
            &private,
            "--entrypoint",
            "/bin/sh",
            &script,
            "-c",
            "mkdir -p /tmp/www && echo private-server > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www",
        ],
    );
    let private_ip = docker::container_ip(&private, "bridge").expect("the private server's address");
    // The host's address on Docker's default bridge (the engine leaves it out of the bridge's
    // IPAM config; the container's gateway is it).
    let bridge_gateway = docker(&["inspect", &private, "--format", "{{.NetworkSettings.Gateway}}"])
        .ok()
        .trim()
        .to_string();
    let bridge_subnet = docker(&[
        "network",
        "inspect",
        "bridge",
        "--format",
        "{{(index .IPAM.Config 0).Subnet}}",
    ])
    .ok()
    .trim()
    .to_string();
    // The host reaches it (so the proxy can, once allowed).
    docker::wait_for("the private server", std::time::Duration::from_secs(10), || async {
        http()
            .get(format!("http://{private_ip}:8080/"))
            .send()
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;

    // Directly, the agent reaches nothing beyond its network: no metadata service, no private
    // network.
    for target in ["169.254.169.254:80", &format!("{private_ip}:8080")] {
        let out = exec(&agent, &[], &["probe", target, "1500"]);
        assert!(out.starts_with("unreachable"), "{target}: {out}");
    }
    // The internal endpoint answers.
    let out = exec(&agent, &[], &["probe", &format!("{gateway}:4001"), "1500"]);
    assert_eq!(out.trim(), "reachable", "{out}");
    // mosaicd's public API listens on every address here, yet answers no agent: at the gateway
    // and at the host's address on Docker's bridge the connection is dropped without an answer.
    for host in [&gateway, &bridge_gateway] {
        let out = exec(&agent, &[], &["probe", &format!("{host}:{public_port}"), "1500"]);
        assert!(out.starts_with("reachable (tcp only"), "{host}:{public_port}: {out}");
    }
    let health = http()
        .get(format!("http://127.0.0.1:{public_port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the host itself is still served");

    // Through the proxy, as OpenClaw's provider calls go: the private server is refused until an
    // administrator allows its range; https goes through CONNECT.
    let plain = format!("http://{private_ip}:8080/");
    let tls = format!("https://{private_ip}:8080/");
    for url in [&plain, &tls] {
        let out = exec(&agent, &[], &["fetch", url]);
        assert!(out.starts_with("HTTP 403 (proxy)"), "{url}: {out}");
        assert!(out.contains("agentAllowedRanges"), "{out}");
    }
    env.daemon
        .ctl(&["config", "set", "agents.allowedRanges", "169.254.0.0/16"])
        .fails(5, "link-local");
    env.daemon
        .ctl(&["config", "set", "agents.allowedRanges", &bridge_subnet])
        .ok();
    for url in [&plain, &tls] {
        let out = exec(&agent, &[], &["fetch", url]);
        assert!(out.starts_with("HTTP 200 (proxy)"), "{url}: {out}");
        assert!(out.contains("private-server"), "{out}");
    }
    // Still never: the metadata service, mosaicd's own public port (the host's address is in
    // the allowed range), the agent network itself (an agent's gateway port).
    for (url, why) in [
        ("http://169.254.169.254/latest/meta-data/".to_string(), "link-local"),
        (
            format!("http://{bridge_gateway}:{public_port}/healthz"),
            "mosaicd itself",
        ),
        (
            format!("https://{}:18789/", docker::container_ip(&agent, &network).unwrap()),
            "agent network",
        ),
    ] {
        let out = exec(&agent, &[], &["fetch", &url]);
        assert!(out.starts_with("HTTP 403 (proxy)") && out.contains(why), "{url}: {out}");
    }
    // A public address is allowed: the proxy connects (whatever answers, or "could not connect"
    // where nothing does) rather than refusing.
    let out = exec(&agent, &[], &["fetch", "http://1.1.1.1/"]);
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("HTTP ") && first.ends_with("(proxy)") && !first.starts_with("HTTP 403"),
        "{out}"
    );
    assert!(
        !first.starts_with("HTTP 502") || out.contains("could not connect"),
        "{out}"
    );

    // A client that ignores NO_PROXY (BusyBox's wget does) still reaches the config endpoint:
    // an absolute URI naming the internal listener is served there (401: no token).
    let out = exec(
        &agent,
        &["NO_PROXY=", "no_proxy="],
        &[
            "fetch",
            &format!("http://{gateway}:4001/api/internal/agent-config/user/{alice}"),
        ],
    );
    assert!(out.starts_with("HTTP 401 (proxy)"), "{out}");

    // The proxy serves agents only: a container elsewhere that finds it is refused.
    let out = docker(&[
        "exec",
        "-e",
        &format!("http_proxy=http://{gateway}:4001"),
        &private,
        "wget",
        "-q",
        "-O",
        "-",
        &plain,
    ]);
    assert!(out.code != 0 && !out.stdout.contains("private-server"), "{out:?}");

    // Unsetting the range closes it again.
    env.daemon.ctl(&["config", "unset", "agents.allowedRanges"]).ok();
    let out = exec(&agent, &[], &["fetch", &plain]);
    assert!(out.starts_with("HTTP 403 (proxy)"), "{out}");
}

/// A daemon of an earlier version made the agent network routable: it is replaced by an internal
/// one, the containers on it removed (their state volumes kept) and started again on demand.
async fn open_network_replaced() {
    let mut env = env_with(&images().normal, 30, &[], |o| o).await;
    let alice = env.data.add_user("alice@example.com").await;
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let network = env.scope.network();
    let agent = format!("mosaic-user-{alice}");
    // What an earlier version left: the same network, routable, with the agent attached.
    env.daemon.stop();
    docker(&["rm", "-f", &agent]).ok();
    docker(&["network", "rm", &network]).ok();
    docker(&[
        "network",
        "create",
        "--label",
        &format!("{INSTANCE_LABEL}={}", env.scope.instance),
        "--label",
        &format!("{RUN_LABEL}={}", docker::run_id()),
        "-o",
        "com.docker.network.bridge.enable_icc=false",
        &network,
    ])
    .ok();
    run_labelled(
        &env.scope.instance,
        &[
            "--name",
            &agent,
            "--network",
            &network,
            "--entrypoint",
            "/test-agent",
            &images().normal,
            "--version",
        ],
    );
    let old = docker(&["network", "inspect", &network, "--format", "{{.Id}}"])
        .ok()
        .trim()
        .to_string();
    env.daemon.restart();
    env.daemon.ctl(&["containers", "start", &alice]).ok();
    let net: Value = serde_json::from_str(docker(&["network", "inspect", &network]).ok()).unwrap();
    assert_eq!(net[0]["Internal"], true, "{net:#}");
    assert_ne!(net[0]["Id"].as_str().unwrap(), old);
    assert!(
        docker::container_ip(&agent, &network).is_some(),
        "the agent runs again on the new network"
    );
}
