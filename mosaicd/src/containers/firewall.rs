//! The host firewall of the agent network.
//!
//! Docker's `Internal` flag gives the agent network no route out, but a packet from an agent to
//! one of the host's *own* addresses (the network's gateway, the host's other interfaces) is
//! delivered locally rather than routed, and the flag does not filter it: a host service
//! listening on every address (a database, an SSH daemon, a metrics exporter) would answer
//! agents. mosaicd closes that with a chain of its own, jumped to first thing in the host's
//! `INPUT` chain for every packet that arrives on the agent network's bridge:
//!
//! ```text
//! -I INPUT 1 -i br-0123456789ab -j MOSAIC-br-0123456789ab
//! -A MOSAIC-br-0123456789ab -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
//! -A MOSAIC-br-0123456789ab -p tcp -d 172.18.0.1 --dport 4001 -j ACCEPT
//! -A MOSAIC-br-0123456789ab -j DROP
//! ```
//!
//! The first rule lets the answers to mosaicd's own connections in (health checks and chats go
//! from the host to the agents' gateways); the second is the internal listener (config endpoint
//! and egress proxy; replicas sharing the network each add their own port); everything else an
//! agent sends to the host is dropped. Rules are only added, never flushed, so a restart never
//! leaves the chain open. The agent network has no IPv6, so there is no `ip6tables` chain.
//!
//! It needs the `iptables` command (whichever backend Docker uses) and `CAP_NET_ADMIN`; the
//! `host_firewall` setting turns it off for hosts whose operator installs equivalent rules.
//! Chains of bridges that no longer exist (a network removed or replaced) are removed whenever
//! a chain is installed, and by [`sweep_stale`].

use std::net::SocketAddr;
use std::process::{Command, Stdio};

/// Prefix of every chain mosaicd owns.
const PREFIX: &str = "MOSAIC-";

/// The bridge interface Docker makes for a bridge network: `br-` and the first 12 characters of
/// the network's id.
pub fn bridge_name(network_id: &str) -> String {
    format!("br-{}", network_id.get(..12).unwrap_or(network_id))
}

/// The chain for a bridge.
pub fn chain_name(bridge: &str) -> String {
    format!("{PREFIX}{bridge}")
}

/// Why the firewall could not be installed: what `iptables` said, for the log.
#[derive(Debug)]
pub struct FirewallError(pub String);

impl std::fmt::Display for FirewallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type FResult<T> = std::result::Result<T, FirewallError>;

/// `iptables -w 5 ARGS…`; its output on success, what it said otherwise.
fn iptables(args: &[&str]) -> FResult<String> {
    let out = Command::new("iptables")
        .args(["-w", "5"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| FirewallError(format!("cannot run iptables: {e}")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(FirewallError(format!(
            "iptables {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// The rule that lets agents reach the internal listener at `internal`.
fn accept_args(internal: SocketAddr) -> Vec<String> {
    let mut args = vec!["-p".to_string(), "tcp".to_string()];
    if !internal.ip().is_unspecified() {
        args.extend(["-d".to_string(), internal.ip().to_string()]);
    }
    args.extend(["--dport", &internal.port().to_string(), "-j", "ACCEPT"].map(str::to_string));
    args
}

/// The jump rule, as `iptables -S` prints it.
fn jump_rule(bridge: &str) -> String {
    format!("-A INPUT -i {bridge} -j {}", chain_name(bridge))
}

/// Puts `rule` into `chain` unless it is there: first (`insert`) or last.
fn ensure_rule(chain: &str, rule: &[String], insert: bool) -> FResult<()> {
    let with = |verb: &str| {
        let mut args = vec![verb, chain];
        if verb == "-I" {
            args.push("1");
        }
        args.extend(rule.iter().map(String::as_str));
        iptables(&args)
    };
    if with("-C").is_err() {
        with(if insert { "-I" } else { "-A" })?;
    }
    Ok(())
}

/// Installs (or renews) the chain for `bridge`, letting agents reach `internal` on the host, and
/// makes its jump the first rule of `INPUT`. Rules are only ever added, never flushed, so a
/// renewal leaves no moment open, and several mosaicd replicas sharing the agent network (each
/// with its own internal port) each add their own port to the one chain. Removes the chains of
/// bridges that are gone.
pub fn install(bridge: &str, internal: SocketAddr) -> FResult<()> {
    if internal.is_ipv6() {
        return Err(FirewallError(format!(
            "the internal listener {internal} is not an IPv4 address; the agent network is IPv4 only"
        )));
    }
    let chain = chain_name(bridge);
    let established: Vec<String> = ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]
        .map(str::to_string)
        .to_vec();
    let drop = vec!["-j".to_string(), "DROP".to_string()];
    // A new chain is complete before its jump exists; an existing one gets what it lacks (the
    // accepts go first, the drop stays last).
    let _ = iptables(&["-N", &chain]);
    ensure_rule(&chain, &established, true)?;
    ensure_rule(&chain, &accept_args(internal), true)?;
    ensure_rule(&chain, &drop, false)?;
    let input = iptables(&["-S", "INPUT"])?;
    let rules: Vec<&str> = input.lines().filter(|l| l.starts_with("-A ")).collect();
    let jump = jump_rule(bridge);
    if rules.first() != Some(&jump.as_str()) {
        // Missing, or not first (a rule inserted before it would be seen first): put it first,
        // then take out any later copy, by position, from the last.
        iptables(&["-I", "INPUT", "1", "-i", bridge, "-j", &chain])?;
        let input = iptables(&["-S", "INPUT"])?;
        let later: Vec<usize> = input
            .lines()
            .filter(|l| l.starts_with("-A "))
            .enumerate()
            .skip(1)
            .filter(|(_, rule)| *rule == jump)
            .map(|(i, _)| i + 1)
            .collect();
        for position in later.into_iter().rev() {
            iptables(&["-D", "INPUT", &position.to_string()])?;
        }
    }
    // Another daemon on this host may be removing the same stale chain: a failure here is
    // logged, never the install's.
    if let Err(e) = sweep_stale() {
        tracing::warn!(error = %e, "cannot remove the firewall chains of removed agent networks");
    }
    Ok(())
}

/// Removes the chain for `bridge` and its jump, if present.
pub fn remove(bridge: &str) -> FResult<()> {
    let chain = chain_name(bridge);
    while iptables(&["-D", "INPUT", "-i", bridge, "-j", &chain]).is_ok() {}
    if iptables(&["-S", &chain]).is_ok() {
        iptables(&["-F", &chain])?;
        iptables(&["-X", &chain])?;
    }
    Ok(())
}

/// The bridges mosaicd has a chain for.
pub fn chains() -> FResult<Vec<String>> {
    let all = iptables(&["-S"])?;
    Ok(all
        .lines()
        .filter_map(|l| l.strip_prefix("-N "))
        .filter_map(|chain| chain.strip_prefix(PREFIX))
        .map(str::to_string)
        .collect())
}

/// Removes the chains of bridges that no longer exist; how many. Nothing to do (and no error)
/// where `iptables` is missing.
pub fn sweep_stale() -> FResult<usize> {
    let found = match chains() {
        Ok(found) => found,
        Err(e) if e.0.starts_with("cannot run") => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for bridge in found {
        if !std::path::Path::new("/sys/class/net").join(&bridge).exists() {
            remove(&bridge)?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(bridge_name("0123456789abcdef0123"), "br-0123456789ab");
        assert_eq!(chain_name("br-0123456789ab"), "MOSAIC-br-0123456789ab");
        // iptables caps chain names at 28 characters.
        assert!(chain_name(&bridge_name(&"f".repeat(64))).len() <= 28);
    }

    #[test]
    fn rules() {
        let accept = accept_args("172.18.0.1:4001".parse().unwrap()).join(" ");
        assert_eq!(accept, "-p tcp -d 172.18.0.1 --dport 4001 -j ACCEPT");
        let any = accept_args("0.0.0.0:4001".parse().unwrap()).join(" ");
        assert_eq!(any, "-p tcp --dport 4001 -j ACCEPT");
    }
}
