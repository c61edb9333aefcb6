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
        trial("containers::fence::host_firewall", host_firewall),
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

/// A daemon listening on every address (with `extra` flags) and the running agent of a new user:
/// (env, agent container, agent network gateway).
async fn fenced_agent(extra: &[&str], email: &str) -> (crate::containers::Env, String, String) {
    let env = env_with(&images().normal, 30, extra, |o| mosaic_tests::DaemonOptions {
        listen_everywhere: true,
        ..o
    })
    .await;
    let user = env.data.add_user(email).await;
    env.daemon.ctl(&["containers", "start", &user]).ok();
    let gateway = gateway_of(&env.scope.network());
    (env, format!("mosaic-user-{user}"), gateway)
}

/// The host bridge of a Docker network: `br-` and the first 12 characters of its id.
fn bridge_of(network: &str) -> String {
    let id = docker(&["network", "inspect", network, "--format", "{{.Id}}"]);
    format!("br-{}", &id.ok().trim()[..12])
}

async fn agent_network() {
    let script = images()
        .script
        .clone()
        .expect("the private server needs BusyBox (Debian package busybox-static)");
    let (env, agent, gateway) = fenced_agent(&[], "alice@example.com").await;
    let alice = agent.trim_start_matches("mosaic-user-").to_string();
    let network = env.scope.network();
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
    // mosaicd's public API listens on every address here, yet no agent reaches it: at the
    // gateway and at the host's address on Docker's bridge the host firewall drops the packets
    // (`host_firewall` test: without it, mosaicd itself drops the connection).
    for host in [&gateway, &bridge_gateway] {
        let out = exec(&agent, &[], &["probe", &format!("{host}:{public_port}"), "1500"]);
        assert!(out.starts_with("unreachable"), "{host}:{public_port}: {out}");
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

/// A service on the host listening on every address, answering HTTP; stops when dropped.
struct HostService {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl HostService {
    fn start() -> HostService {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("0.0.0.0:0").expect("a host service port");
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let _ = stream.read(&mut [0; 1024]);
                let _ = stream.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhost-service");
            }
        });
        HostService { port, stop }
    }
}

impl Drop for HostService {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The rules of `chain` in iptables' own words, and INPUT's.
fn iptables(args: &[&str]) -> String {
    let out = std::process::Command::new("iptables")
        .args(args)
        .output()
        .expect("iptables (the host firewall test runs as root, as CI does)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The host's addresses an agent could try: the agent network's gateway, the host's address on
/// Docker's default bridge, and the address of its default route.
fn host_addresses(gateway: &str) -> Vec<String> {
    let mut found = vec![gateway.to_string()];
    let bridge = docker(&[
        "network",
        "inspect",
        "bridge",
        "--format",
        "{{(index .IPAM.Config 0).Gateway}}",
    ]);
    found.extend(bridge.stdout.split_whitespace().map(str::to_string));
    let route = std::process::Command::new("ip")
        .args(["-4", "route", "get", "1.1.1.1"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut words = route.split_whitespace();
    while let Some(word) = words.next() {
        if word == "src" {
            found.extend(words.next().map(str::to_string));
        }
    }
    found.dedup();
    found
}

/// The host firewall: with it (the default) an agent reaches no service of the host but the
/// internal listener, at any of the host's addresses; its rules are first in INPUT, renewed
/// without a copy at a restart, and removed with the network. Without it (`--host-firewall off`)
/// the same service answers the agent, which is what the rules close; mosaicd's public API still
/// drops the agent's connection itself.
async fn host_firewall() {
    let service = HostService::start();
    let (env, agent, gateway) = fenced_agent(&[], "alice@example.com").await;
    let alice = agent.trim_start_matches("mosaic-user-").to_string();
    let bridge = bridge_of(&env.scope.network());
    let chain = format!("MOSAIC-{bridge}");
    let jump = format!("-A INPUT -i {bridge} -j {chain}");

    let rules = iptables(&["-S", &chain]);
    assert!(rules.contains(&format!("-A {chain} -j DROP")), "{rules}");
    assert!(
        rules.contains(&format!("-d {gateway}/32 -p tcp -m tcp --dport 4001 -j ACCEPT")),
        "{rules}"
    );
    // First in INPUT but for the jumps of other daemons' agent networks (tests run side by side;
    // each jump matches only its own bridge).
    let first_rule = |input: &str| {
        input
            .lines()
            .filter(|l| l.starts_with("-A ") && (*l == jump || !l.contains(" -j MOSAIC-br-")))
            .map(str::to_string)
            .next()
    };
    assert_eq!(first_rule(&iptables(&["-S", "INPUT"])), Some(jump.clone()));

    for host in host_addresses(&gateway) {
        let out = exec(&agent, &[], &["probe", &format!("{host}:{}", service.port), "1500"]);
        assert!(out.starts_with("unreachable"), "{host}:{}: {out}", service.port);
    }
    // The host itself still reaches the service, and the agent its internal endpoint.
    assert!(std::net::TcpStream::connect(("127.0.0.1", service.port)).is_ok());
    let out = exec(&agent, &[], &["probe", &format!("{gateway}:4001"), "1500"]);
    assert_eq!(out.trim(), "reachable", "{out}");

    // A rule put before it is overtaken at the next start; the jump is never doubled.
    std::process::Command::new("iptables")
        .args([
            "-I", "INPUT", "1", "-i", &bridge, "-p", "udp", "--dport", "9", "-j", "ACCEPT",
        ])
        .status()
        .unwrap();
    let mut daemon = env.daemon;
    daemon.restart();
    daemon.ctl(&["containers", "restart", &alice]).ok();
    let input = iptables(&["-S", "INPUT"]);
    assert_eq!(first_rule(&input), Some(jump.clone()), "{input}");
    assert_eq!(input.lines().filter(|l| *l == jump).count(), 1, "{input}");
    std::process::Command::new("iptables")
        .args([
            "-D", "INPUT", "-i", &bridge, "-p", "udp", "--dport", "9", "-j", "ACCEPT",
        ])
        .status()
        .unwrap();
    let out = exec(&agent, &[], &["probe", &format!("{gateway}:{}", service.port), "1500"]);
    assert!(out.starts_with("unreachable"), "{out}");

    // Without the firewall the service answers the agent; the public API drops it itself.
    let (open, open_agent, open_gateway) = fenced_agent(&["--host-firewall", "off"], "bob@example.com").await;
    let out = exec(
        &open_agent,
        &[],
        &["probe", &format!("{open_gateway}:{}", service.port), "1500"],
    );
    assert_eq!(out.trim(), "reachable", "{out}");
    let public = open.daemon.http.port();
    let out = exec(
        &open_agent,
        &[],
        &["probe", &format!("{open_gateway}:{public}"), "1500"],
    );
    assert!(out.starts_with("reachable (tcp only"), "{out}");
    assert!(
        !iptables(&["-S"]).contains(&format!("MOSAIC-{}", bridge_of(&open.scope.network()))),
        "no chain without the firewall"
    );

    // Where the rules cannot be installed (no iptables on the daemon's PATH), no agent starts,
    // and the reason speaks of the firewall, not of iptables' own words.
    let closed = env_with(&images().normal, 30, &[], |o| o.env("PATH", "/nonexistent")).await;
    let carol = closed.data.add_user("carol@example.com").await;
    let out = closed.daemon.ctl(&["containers", "start", &carol]);
    out.fails(8, "host firewall");
    assert!(!out.stderr.contains("iptables -w"), "{out:?}");
    assert!(closed.scope.containers().is_empty(), "{:?}", closed.scope.containers());

    // Removing the network (the instance's clean-up) removes its chain.
    drop(daemon);
    drop(env.data);
    drop(env.scope);
    assert!(!iptables(&["-S"]).contains(&chain), "the chain outlived its network");
}
