//! Where mosaicd may send a request on a user's behalf: the egress policy for provider base
//! URLs (server-side request forgery).
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
//! A URL is checked when it is saved (literal addresses and names) and again before each
//! connection, on every address its name resolves to; the connection then goes to exactly those
//! addresses (no second lookup a rebinding DNS server could answer differently), through no
//! proxy, and redirects are not followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

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

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, bits: u32) -> bool {
    let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
    u128::from(ip) & mask == u128::from(net) & mask
}

pub fn classify(ip: IpAddr) -> Verdict {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Verdict {
    use Verdict::*;
    let forbidden: &[([u8; 4], u32, &'static str)] = &[
        (
            [169, 254, 0, 0],
            16,
            "a link-local address (cloud metadata services live here)",
        ),
        ([100, 100, 100, 200], 32, "a cloud metadata address"),
        ([168, 63, 129, 16], 32, "a cloud platform address"),
        ([0, 0, 0, 0], 8, "an unspecified address"),
        ([224, 0, 0, 0], 4, "a multicast address"),
        ([240, 0, 0, 0], 4, "a reserved address"),
        ([192, 0, 0, 0], 24, "a reserved protocol address"),
        ([192, 0, 2, 0], 24, "a documentation address"),
        ([198, 51, 100, 0], 24, "a documentation address"),
        ([203, 0, 113, 0], 24, "a documentation address"),
    ];
    let private: &[([u8; 4], u32, &'static str)] = &[
        ([127, 0, 0, 0], 8, "a loopback address"),
        ([10, 0, 0, 0], 8, "a private-network address"),
        ([172, 16, 0, 0], 12, "a private-network address"),
        ([192, 168, 0, 0], 16, "a private-network address"),
        ([100, 64, 0, 0], 10, "a shared (carrier-grade NAT) address"),
        ([198, 18, 0, 0], 15, "a benchmarking-network address"),
    ];
    if let Some((_, _, why)) = forbidden.iter().find(|(net, bits, _)| in_v4(ip, *net, *bits)) {
        return Forbidden(why);
    }
    if let Some((_, _, why)) = private.iter().find(|(net, bits, _)| in_v4(ip, *net, *bits)) {
        return Private(why);
    }
    Allowed
}

fn classify_v6(ip: Ipv6Addr) -> Verdict {
    use Verdict::*;
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let embedded_v4 = |ip: Ipv6Addr| Ipv4Addr::from((u128::from(ip) & 0xffff_ffff) as u32);
    // NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible form (::a.b.c.d) reach IPv4 hosts.
    if in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96) {
        return classify_v4(embedded_v4(ip));
    }
    if ip == Ipv6Addr::UNSPECIFIED {
        return Forbidden("an unspecified address");
    }
    if ip == Ipv6Addr::LOCALHOST {
        return Private("a loopback address");
    }
    if in_v6(ip, Ipv6Addr::UNSPECIFIED, 96) {
        return classify_v4(embedded_v4(ip));
    }
    if ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
        return Forbidden("a cloud metadata address");
    }
    if in_v6(ip, Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10) {
        return Forbidden("a link-local address");
    }
    if in_v6(ip, Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8) {
        return Forbidden("a multicast address");
    }
    if in_v6(ip, Ipv6Addr::new(0x2001, 0x0db8, 0, 0, 0, 0, 0, 0), 32) {
        return Forbidden("a documentation address");
    }
    if in_v6(ip, Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10) {
        return Forbidden("a deprecated site-local address");
    }
    if in_v6(ip, Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7) {
        return Private("a private-network (unique local) address");
    }
    Allowed
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
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("mosaicd/", env!("CARGO_PKG_VERSION")));
        if let Some(domain) = &self.domain {
            builder = builder.resolve_to_addrs(domain, &self.addrs);
        }
        builder.build()
    }
}

/// Resolves the URL's host and checks every address it names.
pub async fn clear(raw: &str, allow_private: bool) -> Result<Cleared, Refused> {
    let url = parse(raw).map_err(Refused::Blocked)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let (domain, addrs): (Option<String>, Vec<SocketAddr>) = match url.host() {
        Some(Host::Ipv4(ip)) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(Host::Ipv6(ip)) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(Host::Domain(name)) => {
            if let Some(why) = refusal(name, &judge(classify_name(name), allow_private)) {
                return Err(Refused::Blocked(why));
            }
            let found = tokio::net::lookup_host((name, port))
                .await
                .map_err(|e| Refused::Unresolvable(format!("cannot resolve {name}: {e}")))?
                .collect::<Vec<_>>();
            if found.is_empty() {
                return Err(Refused::Unresolvable(format!("{name} has no addresses")));
            }
            (Some(name.to_string()), found)
        }
        None => return Err(Refused::Blocked("the URL has no host".into())),
    };
    for addr in &addrs {
        let what = match &domain {
            Some(name) => format!("{name} ({})", addr.ip()),
            None => addr.ip().to_string(),
        };
        if let Some(why) = refusal(&what, &judge(classify(addr.ip()), allow_private)) {
            return Err(Refused::Blocked(why));
        }
    }
    Ok(Cleared { url, domain, addrs })
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
