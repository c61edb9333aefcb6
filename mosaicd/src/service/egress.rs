//! Where mosaicd may send a request on a user's behalf: the egress policy for provider base
//! URLs (server-side request forgery), and the same classification for what agent containers
//! reach through mosaicd's egress proxy ([`AgentPolicy`]).
//!
//! - Only `http` and `https`, no credentials in the URL, no query or fragment.
//! - Never: link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata services live at
//!   169.254.169.254), other known metadata addresses (100.100.100.200, 168.63.129.16,
//!   fd00:ec2::254) and names (metadata.google.internal), unspecified, multicast, broadcast,
//!   reserved and documentation ranges.
//! - Only when an administrator allows it (system setting `allowPrivateProviderUrls`, for a local
//!   Ollama): loopback (127.0.0.0/8, ::1, `localhost`), private networks (10/8, 172.16/12,
//!   192.168/16, fc00::/7), shared address space (100.64/10) and benchmarking (198.18/15).
//! - Everything else is allowed.
//!
//! IPv4-mapped, IPv4-compatible and NAT64 IPv6 addresses are judged by the IPv4 address inside.
//! A URL is checked when it is saved (literal addresses and names, and every address a name
//! resolves to then) and again before each connection, on every address its name resolves to; the connection then goes to exactly those
//! addresses (no second lookup a rebinding DNS server could answer differently), through no
//! proxy, and redirects are not followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{Ipv4Net, Ipv6Net};
use reqwest::Url;
use url::Host;

/// What the policy says about an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed only with `allowPrivateProviderUrls`; says what kind of address it is.
    Private(&'static str),
    /// Never allowed; says what kind of address it is.
    Forbidden(&'static str),
}

pub fn classify(ip: IpAddr) -> Verdict {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn v6(segments: [u16; 8], prefix: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), prefix)
}

/// IPv4 ranges and what they are, first match wins: the forbidden ones before the private ones.
const V4_RANGES: &[(Ipv4Net, Verdict)] = &[
    (
        v4(169, 254, 0, 0, 16),
        Verdict::Forbidden("a link-local address (cloud metadata services live here)"),
    ),
    (
        v4(100, 100, 100, 200, 32),
        Verdict::Forbidden("a cloud metadata address"),
    ),
    (v4(168, 63, 129, 16, 32), Verdict::Forbidden("a cloud platform address")),
    (v4(0, 0, 0, 0, 8), Verdict::Forbidden("an unspecified address")),
    (v4(224, 0, 0, 0, 4), Verdict::Forbidden("a multicast address")),
    (v4(240, 0, 0, 0, 4), Verdict::Forbidden("a reserved address")),
    (v4(192, 0, 0, 0, 24), Verdict::Forbidden("a reserved protocol address")),
    (v4(192, 0, 2, 0, 24), Verdict::Forbidden("a documentation address")),
    (v4(198, 51, 100, 0, 24), Verdict::Forbidden("a documentation address")),
    (v4(203, 0, 113, 0, 24), Verdict::Forbidden("a documentation address")),
    (v4(127, 0, 0, 0, 8), Verdict::Private("a loopback address")),
    (v4(10, 0, 0, 0, 8), Verdict::Private("a private-network address")),
    (v4(172, 16, 0, 0, 12), Verdict::Private("a private-network address")),
    (v4(192, 168, 0, 0, 16), Verdict::Private("a private-network address")),
    (
        v4(100, 64, 0, 0, 10),
        Verdict::Private("a shared (carrier-grade NAT) address"),
    ),
    (
        v4(198, 18, 0, 0, 15),
        Verdict::Private("a benchmarking-network address"),
    ),
];

/// NAT64 (64:ff9b::/96) reaches IPv4 hosts.
const NAT64: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
/// The deprecated IPv4-compatible form (::a.b.c.d) reaches IPv4 hosts too.
const IPV4_COMPATIBLE: Ipv6Net = v6([0; 8], 96);

/// IPv6 ranges and what they are, first match wins; checked after the forms that embed an
/// IPv4 address.
const V6_RANGES: &[(Ipv6Net, Verdict)] = &[
    (
        v6([0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254], 128),
        Verdict::Forbidden("a cloud metadata address"),
    ),
    (
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        Verdict::Forbidden("a link-local address"),
    ),
    (
        v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
        Verdict::Forbidden("a multicast address"),
    ),
    (
        v6([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32),
        Verdict::Forbidden("a documentation address"),
    ),
    (
        v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        Verdict::Forbidden("a deprecated site-local address"),
    ),
    (
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        Verdict::Private("a private-network (unique local) address"),
    ),
];

fn classify_v4(ip: Ipv4Addr) -> Verdict {
    V4_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map_or(Verdict::Allowed, |(_, verdict)| verdict.clone())
}

fn classify_v6(ip: Ipv6Addr) -> Verdict {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let embedded_v4 = |ip: Ipv6Addr| Ipv4Addr::from((u128::from(ip) & 0xffff_ffff) as u32);
    if NAT64.contains(&ip) {
        return classify_v4(embedded_v4(ip));
    }
    // Inside ::/96 but not IPv4 hosts.
    if ip == Ipv6Addr::UNSPECIFIED {
        return Verdict::Forbidden("an unspecified address");
    }
    if ip == Ipv6Addr::LOCALHOST {
        return Verdict::Private("a loopback address");
    }
    if IPV4_COMPATIBLE.contains(&ip) {
        return classify_v4(embedded_v4(ip));
    }
    V6_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map_or(Verdict::Allowed, |(_, verdict)| verdict.clone())
}

/// Host names judged without a lookup.
fn classify_name(host: &str) -> Verdict {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host == "localhost.localdomain" {
        return Verdict::Private("a loopback name");
    }
    if matches!(host.as_str(), "metadata.google.internal" | "metadata.goog" | "metadata") {
        return Verdict::Forbidden("a cloud metadata name");
    }
    Verdict::Allowed
}

/// Why a URL or address was refused: one sentence for the person who entered it.
pub fn refusal(what: &str, verdict: &Verdict) -> Option<String> {
    match verdict {
        Verdict::Allowed => None,
        Verdict::Forbidden(why) => Some(format!("{what} is {why}; mosaicd never connects there")),
        Verdict::Private(why) => Some(format!(
            "{what} is {why}; an administrator can allow loopback and private-network provider URLs \
             (system setting allowPrivateProviderUrls; `mosaicctl config set providers.allowPrivateUrls true`), e.g. \
             for a local Ollama"
        )),
    }
}

fn judge(verdict: Verdict, allow_private: bool) -> Verdict {
    match verdict {
        Verdict::Private(_) if allow_private => Verdict::Allowed,
        other => other,
    }
}

/// Why a base URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Not a usable base URL at all.
    Malformed(String),
    /// A fine URL whose host the policy refuses.
    Refused(String),
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlError::Malformed(why) => f.write_str(why),
            UrlError::Refused(why) => write!(f, "base URL refused: {why}"),
        }
    }
}

/// Checks a base URL's form and, without any lookup, its host; returns the normalized URL text
/// (no trailing `/`).
pub fn check_base_url(raw: &str, allow_private: bool) -> Result<String, UrlError> {
    let url = parse(raw).map_err(UrlError::Malformed)?;
    let host = url
        .host()
        .ok_or_else(|| UrlError::Malformed("invalid base URL: no host".into()))?;
    let verdict = match host {
        Host::Domain(name) => classify_name(name),
        Host::Ipv4(ip) => classify(IpAddr::V4(ip)),
        Host::Ipv6(ip) => classify(IpAddr::V6(ip)),
    };
    if let Some(why) = refusal(&host.to_string(), &judge(verdict, allow_private)) {
        return Err(UrlError::Refused(why));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn parse(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    if raw.len() > 2048 {
        return Err("the base URL is too long (at most 2048 characters)".into());
    }
    let url = Url::parse(raw).map_err(|e| format!("invalid base URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid base URL: the scheme must be http or https, not {}",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("invalid base URL: credentials belong in the API key, not in the URL".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("invalid base URL: no query string or fragment".into());
    }
    if url.host().is_none() {
        return Err("invalid base URL: no host".into());
    }
    Ok(url)
}

/// Why a connection may not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The policy refuses the address (nothing was sent).
    Blocked(String),
    /// The name does not resolve.
    Unresolvable(String),
}

/// A URL cleared for one connection: the addresses to connect to, all checked.
#[derive(Debug, Clone)]
pub struct Cleared {
    pub url: Url,
    /// The host name to pin to `addrs`; `None` when the URL holds an address.
    pub domain: Option<String>,
    pub addrs: Vec<SocketAddr>,
}

impl Cleared {
    /// A client that reaches only the checked addresses: the host is pinned to them (no second
    /// DNS answer can swap in a private address), and it follows no proxy and no redirect.
    pub fn client(&self, timeout: std::time::Duration) -> reqwest::Result<reqwest::Client> {
        self.client_with(timeout, timeout)
    }

    /// [`Cleared::client`] with its own deadline for connecting and for the whole request.
    pub fn client_with(
        &self,
        connect_timeout: std::time::Duration,
        timeout: std::time::Duration,
    ) -> reqwest::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .user_agent(concat!("mosaicd/", env!("CARGO_PKG_VERSION")));
        if let Some(domain) = &self.domain {
            builder = builder.resolve_to_addrs(domain, &self.addrs);
        }
        builder.build()
    }
}

/// Checks a base URL as it is saved: its form and host ([`check_base_url`]), then every address
/// its host name resolves to now, by the same lookup and rules as each connection ([`clear`]).
/// A name that does not resolve now is accepted: DNS may be down for a moment, or the name may
/// only be published later, and every connection checks again. Returns the normalized URL.
pub async fn check_base_url_resolved(raw: &str, allow_private: bool) -> Result<String, UrlError> {
    let base = check_base_url(raw, allow_private)?;
    match clear(&base, allow_private).await {
        Ok(_) => Ok(base),
        Err(Refused::Blocked(why)) => Err(UrlError::Refused(why)),
        Err(Refused::Unresolvable(why)) => {
            tracing::info!(reason = %why, "a provider base URL whose name does not resolve now was saved; each connection checks it again");
            Ok(base)
        }
    }
}

/// How long a name may take to resolve before it counts as unresolvable.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Resolves the URL's host and checks every address it names.
pub async fn clear(raw: &str, allow_private: bool) -> Result<Cleared, Refused> {
    let url = parse(raw).map_err(Refused::Blocked)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let host = url
        .host()
        .ok_or_else(|| Refused::Blocked("the URL has no host".into()))?;
    let (domain, addrs) = resolve_checked(host, port, |what, _, verdict| {
        refusal(what, &judge(verdict.clone(), allow_private))
    })
    .await?;
    Ok(Cleared { url, domain, addrs })
}

/// Resolves `host` once and checks it by one policy: a name first without a lookup, then every
/// address it resolves to. `refuse(what, address, verdict)` says why a name (address `None`) or
/// an address may not be reached, or `None` when it may. Returns the name to pin (`None` for an
/// address) and exactly the addresses to connect to.
pub async fn resolve_checked(
    host: Host<&str>,
    port: u16,
    refuse: impl Fn(&str, Option<IpAddr>, &Verdict) -> Option<String>,
) -> Result<(Option<String>, Vec<SocketAddr>), Refused> {
    let (domain, addrs): (Option<String>, Vec<SocketAddr>) = match host {
        Host::Ipv4(ip) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Host::Ipv6(ip) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Host::Domain(name) => {
            if let Some(why) = refuse(name, None, &classify_name(name)) {
                return Err(Refused::Blocked(why));
            }
            let found = tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((name, port)))
                .await
                .map_err(|_| {
                    Refused::Unresolvable(format!(
                        "cannot resolve {name}: no answer within {}s",
                        LOOKUP_TIMEOUT.as_secs()
                    ))
                })?
                .map_err(|e| Refused::Unresolvable(format!("cannot resolve {name}: {e}")))?
                .collect::<Vec<_>>();
            if found.is_empty() {
                return Err(Refused::Unresolvable(format!("{name} has no addresses")));
            }
            (Some(name.to_string()), found)
        }
    };
    for addr in &addrs {
        let what = match &domain {
            Some(name) => format!("{name} ({})", addr.ip()),
            None => addr.ip().to_string(),
        };
        if let Some(why) = refuse(&what, Some(addr.ip()), &classify(addr.ip())) {
            return Err(Refused::Blocked(why));
        }
    }
    Ok((domain, addrs))
}

/// The agent containers' egress policy, applied by mosaicd's egress proxy: the same
/// classification as provider URLs ([`classify`]), with the private ranges an administrator
/// allowed for agents (system setting `agentAllowedRanges`, e.g. a local LLM) in place of
/// `allowPrivateProviderUrls`. Never, whatever is allowed: the forbidden ranges, the agent
/// network itself (another agent's container), and mosaicd's own listening ports. The host's
/// own addresses count as private even when public.
#[derive(Debug, Clone, Default)]
pub struct AgentPolicy {
    /// Ranges an administrator allowed (`agentAllowedRanges`).
    pub allowed: Vec<ipnet::IpNet>,
    /// The agent network's subnets.
    pub agent_networks: Vec<ipnet::IpNet>,
    /// mosaicd's own listening addresses (an unspecified address means every address of the host).
    pub own: Vec<SocketAddr>,
}

impl AgentPolicy {
    /// Why an agent may not reach `ip:port` (or the name `what`, when `ip` is `None`).
    pub fn refusal(&self, what: &str, ip: Option<IpAddr>, port: u16, verdict: &Verdict) -> Option<String> {
        let Some(ip) = ip else {
            // Names: only the forbidden ones are refused before the lookup; a loopback name is
            // judged by the addresses it resolves to.
            return match verdict {
                Verdict::Forbidden(why) => Some(format!("{what} is {why}; agents never reach it")),
                _ => None,
            };
        };
        let why = match verdict {
            Verdict::Forbidden(why) => return Some(format!("{what} is {why}; agents never reach it")),
            _ if self.agent_networks.iter().any(|net| net.contains(&ip)) => {
                return Some(format!("{what} is on the agent network; agents never reach each other"));
            }
            _ if self.is_own_listener(ip, port) => {
                return Some(format!(
                    "{what} port {port} is mosaicd itself; agents reach it only at MOSAIC_API_URL"
                ));
            }
            _ if self.allowed.iter().any(|net| net.contains(&ip)) => return None,
            Verdict::Private(why) => why,
            Verdict::Allowed if is_local_address(ip) => "an address of mosaicd's host",
            Verdict::Allowed => return None,
        };
        Some(format!(
            "{what} is {why}; an administrator can allow a range for agents (system setting agentAllowedRanges; \
             `mosaicctl config set agents.allowedRanges 10.0.0.0/24`), e.g. for a local LLM"
        ))
    }

    fn is_own_listener(&self, ip: IpAddr, port: u16) -> bool {
        self.own.iter().any(|own| {
            own.port() == port
                && (own.ip() == ip || (own.ip().is_unspecified() && (ip.is_loopback() || is_local_address(ip))))
        })
    }
}

/// Whether `ip` is one of this host's own addresses (binding to it succeeds only then).
pub fn is_local_address(ip: IpAddr) -> bool {
    ip.is_loopback() || std::net::UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

/// Parses an allowed range for agents: a CIDR (`10.0.0.0/24`, `fd00::/64`) or a single address.
/// Ranges the policy forbids anyway (link-local, metadata, …) are refused, so the setting never
/// claims to allow what it cannot.
pub fn parse_agent_range(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    let net: ipnet::IpNet = match text.parse::<ipnet::IpNet>() {
        Ok(net) => net,
        Err(_) => match text.parse::<IpAddr>() {
            Ok(ip) => ipnet::IpNet::from(ip),
            Err(_) => {
                return Err(format!(
                    "{text:?} is not an address range; write a CIDR such as 192.168.1.0/24 or an address"
                ));
            }
        },
    };
    if net.trunc() != net {
        return Err(format!("{text} has host bits set; the range is {}", net.trunc()));
    }
    if net.prefix_len() == 0 {
        return Err(format!(
            "{text} is every address; allow the ranges a local service needs"
        ));
    }
    // Two CIDR ranges overlap exactly when one holds the other's first address.
    let forbidden = match net {
        ipnet::IpNet::V4(net) => V4_RANGES
            .iter()
            .find(|(r, v)| {
                matches!(v, Verdict::Forbidden(_)) && (r.contains(&net.network()) || net.contains(&r.network()))
            })
            .map(|(_, v)| v),
        ipnet::IpNet::V6(net) => V6_RANGES
            .iter()
            .find(|(r, v)| {
                matches!(v, Verdict::Forbidden(_)) && (r.contains(&net.network()) || net.contains(&r.network()))
            })
            .map(|(_, v)| v),
    };
    match forbidden.or(Some(&classify(net.network())).filter(|v| matches!(v, Verdict::Forbidden(_)))) {
        Some(Verdict::Forbidden(why)) => Err(format!("{text} contains {why}; agents never reach it")),
        _ => Ok(net),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Verdict {
        classify(s.parse().unwrap())
    }

    #[test]
    fn addresses() {
        assert!(matches!(v("169.254.169.254"), Verdict::Forbidden(_)));
        assert!(matches!(v("100.100.100.200"), Verdict::Forbidden(_)));
        assert!(matches!(v("0.0.0.0"), Verdict::Forbidden(_)));
        assert!(matches!(v("255.255.255.255"), Verdict::Forbidden(_)));
        assert!(matches!(v("fe80::1"), Verdict::Forbidden(_)));
        assert!(matches!(v("fd00:ec2::254"), Verdict::Forbidden(_)));
        assert!(matches!(v("::ffff:169.254.169.254"), Verdict::Forbidden(_)));
        assert!(matches!(v("64:ff9b::a9fe:a9fe"), Verdict::Forbidden(_)));
        assert!(matches!(v("127.0.0.1"), Verdict::Private(_)));
        assert!(matches!(v("::1"), Verdict::Private(_)));
        assert!(matches!(v("::ffff:127.0.0.1"), Verdict::Private(_)));
        assert!(matches!(v("::127.0.0.1"), Verdict::Private(_)));
        assert!(matches!(v("10.1.2.3"), Verdict::Private(_)));
        assert!(matches!(v("172.31.0.1"), Verdict::Private(_)));
        assert!(matches!(v("192.168.1.1"), Verdict::Private(_)));
        assert!(matches!(v("fd12::1"), Verdict::Private(_)));
        assert_eq!(v("8.8.8.8"), Verdict::Allowed);
        assert_eq!(v("172.32.0.1"), Verdict::Allowed);
        assert_eq!(v("2606:4700::1111"), Verdict::Allowed);
    }

    #[test]
    fn range_edges() {
        for (ip, expected) in [
            ("172.15.255.255", "allowed"),
            ("172.16.0.0", "private"),
            ("100.63.255.255", "allowed"),
            ("100.64.0.0", "private"),
            ("100.127.255.255", "private"),
            ("100.128.0.0", "allowed"),
            ("198.17.255.255", "allowed"),
            ("198.19.255.255", "private"),
            ("198.20.0.0", "allowed"),
            ("192.0.0.255", "forbidden"),
            ("192.0.1.0", "allowed"),
            ("192.0.3.0", "allowed"),
            ("223.255.255.255", "allowed"),
            ("224.0.0.1", "forbidden"),
            ("100.100.100.201", "private"),
            ("::2", "forbidden"),
            ("::ffff:8.8.8.8", "allowed"),
            ("64:ff9b::1:0:0", "allowed"),
            ("fd00:ec2::253", "private"),
            ("febf:ffff::1", "forbidden"),
            ("ff02::1", "forbidden"),
            ("2001:db9::1", "allowed"),
            ("fec0::1", "forbidden"),
            ("fbff::1", "allowed"),
            ("fe00::1", "allowed"),
        ] {
            let got = match v(ip) {
                Verdict::Allowed => "allowed",
                Verdict::Private(_) => "private",
                Verdict::Forbidden(_) => "forbidden",
            };
            assert_eq!(got, expected, "{ip}");
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://api.example.com/v1/", false).unwrap(),
            "https://api.example.com/v1"
        );
        assert!(check_base_url("http://169.254.169.254/latest", true).is_err());
        assert!(check_base_url("http://metadata.google.internal/", true).is_err());
        // Numeric forms of a forbidden address are normalized by the URL parser first.
        assert!(check_base_url("http://0xa9fea9fe/", true).is_err());
        assert!(check_base_url("http://2852039166/", true).is_err());
        assert!(check_base_url("http://127.0.0.1:11434", false).is_err());
        assert!(check_base_url("http://127.0.0.1:11434", true).is_ok());
        assert!(check_base_url("http://localhost:11434", false).is_err());
        assert!(check_base_url("http://[::1]:11434", false).is_err());
        assert!(check_base_url("ftp://example.com", true).is_err());
        assert!(check_base_url("https://user:pw@example.com", true).is_err());
        assert!(check_base_url("https://example.com/v1?x=1", true).is_err());
        let err = check_base_url("http://10.0.0.5", false).unwrap_err();
        assert!(
            matches!(&err, UrlError::Refused(why) if why.contains("allowPrivateProviderUrls")),
            "{err}"
        );
        assert!(matches!(check_base_url("nonsense", true), Err(UrlError::Malformed(_))));
    }

    #[test]
    fn agent_ranges() {
        assert_eq!(parse_agent_range("10.0.0.0/24").unwrap().to_string(), "10.0.0.0/24");
        assert_eq!(
            parse_agent_range(" 192.168.1.7 ").unwrap().to_string(),
            "192.168.1.7/32"
        );
        assert!(parse_agent_range("10.0.0.1/24").unwrap_err().contains("10.0.0.0/24"));
        assert!(parse_agent_range("169.254.169.254").unwrap_err().contains("link-local"));
        assert!(parse_agent_range("169.0.0.0/8").unwrap_err().contains("link-local"));
        assert!(parse_agent_range("0.0.0.0/0").is_err());
        assert!(parse_agent_range("ten").is_err());
        assert!(parse_agent_range("fd00::/64").is_ok());
    }

    #[test]
    fn agent_policy() {
        let policy = AgentPolicy {
            allowed: vec!["10.9.0.0/16".parse().unwrap(), "172.16.0.0/12".parse().unwrap()],
            agent_networks: vec!["172.30.0.0/16".parse().unwrap()],
            own: vec!["0.0.0.0:8080".parse().unwrap(), "172.30.0.1:4001".parse().unwrap()],
        };
        let check = |ip: &str, port: u16| {
            let ip: IpAddr = ip.parse().unwrap();
            policy.refusal(&ip.to_string(), Some(ip), port, &classify(ip))
        };
        assert!(check("169.254.169.254", 80).unwrap().contains("never"));
        assert_eq!(check("10.9.1.2", 11434), None);
        assert!(check("10.8.1.2", 11434).unwrap().contains("agentAllowedRanges"));
        assert!(check("172.30.0.5", 18789).unwrap().contains("agent network"));
        assert!(check("172.30.0.1", 4001).unwrap().contains("agent network"));
        assert!(check("127.0.0.1", 8080).unwrap().contains("mosaicd itself"));
        assert!(check("127.0.0.1", 5432).unwrap().contains("loopback"));
        assert_eq!(check("8.8.8.8", 443), None);
        assert!(
            policy
                .refusal(
                    "metadata.google.internal",
                    None,
                    80,
                    &classify_name("metadata.google.internal")
                )
                .is_some()
        );
        assert_eq!(policy.refusal("localhost", None, 80, &classify_name("localhost")), None);
    }

    #[tokio::test]
    async fn lookups_are_checked() {
        assert!(matches!(
            clear("http://localhost:1/", false).await,
            Err(Refused::Blocked(_))
        ));
        let ok = clear("http://localhost:1/", true).await.unwrap();
        assert!(ok.addrs.iter().all(|a| a.ip().is_loopback()));
        assert_eq!(ok.domain.as_deref(), Some("localhost"));
    }
}
