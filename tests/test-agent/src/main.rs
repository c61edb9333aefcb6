//! `test-agent`: a test double of the OpenClaw gateway container for
//! Mosaic's integration tests. Built statically and shipped in a
//! `FROM scratch` image, it plays the real image's entrypoint (fetch the
//! config from mosaicd, then run the gateway) and serves OpenClaw's HTTP
//! surface with deterministic replies.

mod bootstrap;
mod client;
mod config;
mod entrypoint;
mod escape;
mod http;
mod includes;
mod json;
mod log;
mod outbound;
mod server;
mod signal;
mod sse;
mod startup;
mod substitution;

#[cfg(test)]
mod e2e_tests;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "\
usage:
  test-agent                         run the entrypoint and gateway (configured by environment:
                                     MOSAIC_API_URL, AGENT_ID, AGENT_TOKEN or AGENT_TOKEN_FILE,
                                     OPENCLAW_STATE_DIR, MOCK_STARTUP_DELAY_MS, MOCK_READY_DELAY_MS,
                                     MOCK_FAIL_HEALTH, MOCK_PROBE; see README.md)
  test-agent probe IP:PORT [TIMEOUT_MS]
                                     connect and GET /healthz; prints reachable or unreachable
  test-agent fetch URL               GET URL as OpenClaw's provider calls do: through the proxy the
                                     environment names (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; https://
                                     through CONNECT, plain HTTP inside); prints the status, then
                                     the body
  test-agent --version";

const DEFAULT_PROBE_TIMEOUT_MS: u64 = 2000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => run_gateway(),
        Some("--version" | "-V" | "version") => {
            println!("test-agent {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("probe") => probe(&args[1..]),
        Some("fetch") => fetch(&args[1..]),
        Some(other) => {
            eprintln!("test-agent: unknown argument {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_gateway() -> ExitCode {
    signal::install_exit_handlers();
    let log = log::Logger::stdout();
    let started = entrypoint::Env::from_vars(|name| std::env::var(name).ok())
        .map(|env| env.with_process_env(std::env::vars()))
        .and_then(|env| entrypoint::start(&env, &log));
    match started {
        Ok(started) => {
            Arc::new(started.gateway).serve(started.listener);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{}", failure.message());
            ExitCode::from(failure.exit_code())
        }
    }
}

fn fetch(args: &[String]) -> ExitCode {
    let [url] = args else {
        eprintln!("test-agent: bad fetch arguments\n{USAGE}");
        return ExitCode::from(2);
    };
    match outbound::fetch(url, &|name| std::env::var(name).ok()) {
        Ok(answer) => {
            let via = if answer.proxied { "proxy" } else { "direct" };
            println!("HTTP {} ({via})", answer.status);
            println!("{}", String::from_utf8_lossy(&answer.body));
            ExitCode::SUCCESS
        }
        Err(reason) => {
            println!("unreachable: {reason}");
            ExitCode::from(1)
        }
    }
}

fn probe(args: &[String]) -> ExitCode {
    let (target, timeout) = match args {
        [target] => (target, Some(DEFAULT_PROBE_TIMEOUT_MS)),
        [target, ms] => (target, ms.parse().ok()),
        _ => (&String::new(), None),
    };
    let Some(timeout) = timeout.filter(|_| !target.is_empty()) else {
        eprintln!("test-agent: bad probe arguments\n{USAGE}");
        return ExitCode::from(2);
    };
    match client::probe(target, Duration::from_millis(timeout)) {
        Ok(client::ProbeResult::Http) => {
            println!("reachable");
            ExitCode::SUCCESS
        }
        Ok(client::ProbeResult::TcpOnly(reason)) => {
            println!("reachable (tcp only: {reason})");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            println!("unreachable: {reason}");
            ExitCode::from(1)
        }
    }
}
