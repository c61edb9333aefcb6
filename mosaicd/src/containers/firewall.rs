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
//! and egress proxy); everything else an agent sends to the host is dropped. The chain is
//! written in one `iptables-restore` transaction, so replacing it at a restart never leaves it
//! open. The agent network has no IPv6, so there is no `ip6tables` chain.
//!
//! It needs the `iptables` command (whichever backend Docker uses) and `CAP_NET_ADMIN`; the
//! `host_firewall` setting turns it off for hosts whose operator installs equivalent rules.
//! Chains of bridges that no longer exist (a network removed or replaced) are removed whenever
//! a chain is installed, and by [`sweep_stale`].

use std::io::Write;
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

/// Runs `program args…` with `stdin` written to it; stdout on success.
fn run(program: &str, args: &[&str], stdin: Option<&str>) -> FResult<String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| FirewallError(format!("cannot run {program}: {e}")))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())
            .map_err(|e| FirewallError(format!("cannot write to {program}: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| FirewallError(format!("{program} failed: {e}")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(FirewallError(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn iptables(args: &[&str]) -> FResult<String> {
    let mut all = vec!["-w", "5"];
    all.extend(args);
    run("iptables", &all, None)
}

/// The rules of the chain for `bridge`, as `iptables-restore --noflush` input: declaring the
/// chain creates it or empties it, and the table is committed at once.
fn restore_input(bridge: &str, internal: SocketAddr) -> String {
    let chain = chain_name(bridge);
    let destination = if internal.ip().is_unspecified() {
        String::new()
    } else {
        format!(" -d {}", internal.ip())
    };
    format!(
        "*filter\n\
         :{chain} - [0:0]\n\
         -A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n\
         -A {chain} -p tcp{destination} --dport {port} -j ACCEPT\n\
         -A {chain} -j DROP\n\
         COMMIT\n",
        port = internal.port()
    )
}

/// The jump rule, as `iptables -S` prints it.
fn jump_rule(bridge: &str) -> String {
    format!("-A INPUT -i {bridge} -j {}", chain_name(bridge))
}

/// Installs (or renews) the chain for `bridge`, letting agents reach only `internal` on the host,
/// and makes its jump the first rule of `INPUT`. Removes the chains of bridges that are gone.
pub fn install(bridge: &str, internal: SocketAddr) -> FResult<()> {
    if internal.is_ipv6() {
        return Err(FirewallError(format!(
            "the internal listener {internal} is not an IPv4 address; the agent network is IPv4 only"
        )));
    }
    run(
        "iptables-restore",
        &["-w", "5", "--noflush"],
        Some(&restore_input(bridge, internal)),
    )?;
    let chain = chain_name(bridge);
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
        let text = restore_input("br-0123456789ab", "172.18.0.1:4001".parse().unwrap());
        assert_eq!(
            text,
            "*filter\n:MOSAIC-br-0123456789ab - [0:0]\n\
             -A MOSAIC-br-0123456789ab -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n\
             -A MOSAIC-br-0123456789ab -p tcp -d 172.18.0.1 --dport 4001 -j ACCEPT\n\
             -A MOSAIC-br-0123456789ab -j DROP\nCOMMIT\n"
        );
        let any = restore_input("br-0123456789ab", "0.0.0.0:4001".parse().unwrap());
        assert!(any.contains("-p tcp --dport 4001 -j ACCEPT"), "{any}");
    }
}
