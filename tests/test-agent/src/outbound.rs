//! Outbound HTTP the way OpenClaw makes it: its provider calls go through the process-wide undici
//! dispatcher, an `EnvHttpProxyAgent`, which takes its proxy from the environment (OpenClaw:
//! src/infra/net/provider-proxy-dispatcher.ts, "Everything else falls back to the system env proxy
//! (EnvHttpProxyAgent)"; src/infra/net/proxy-env.ts, resolveEnvHttpProxyUrl):
//!
//! * lower-case variables win over upper-case ones;
//! * `https:` requests use `https_proxy`/`HTTPS_PROXY`, then fall back to `http_proxy`/`HTTP_PROXY`;
//!   `http:` requests use `http_proxy`/`HTTP_PROXY` only; `ALL_PROXY` is ignored;
//! * hosts in `no_proxy`/`NO_PROXY` are reached directly (undici's EnvHttpProxyAgent: entries
//!   separated by commas or spaces, `*` for all, an optional `:port`, a leading `.` or `*.` for
//!   subdomains);
//! * through a proxy, `http:` is an absolute-URI request and `https:` a `CONNECT` tunnel.
//!
//! The double has no TLS: after a `CONNECT` it speaks plain HTTP inside the tunnel, so tests point
//! `https://` URLs at plain-HTTP servers to exercise the tunnel. Hosts are IP literals (a static
//! binary cannot resolve names).

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::client::ApiUrl;
use crate::http;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const IO_TIMEOUT: Duration = Duration::from_secs(15);
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// What came back: a status and a body (from the destination, or the proxy's refusal).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// Whether the request went through a proxy.
    pub proxied: bool,
}

/// The proxy for a request, as `resolveEnvHttpProxyUrl` picks it.
pub fn env_proxy(https: bool, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let var = |name: &str| env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let http_proxy = var("http_proxy").or_else(|| var("HTTP_PROXY"));
    if https {
        var("https_proxy").or_else(|| var("HTTPS_PROXY")).or(http_proxy)
    } else {
        http_proxy
    }
}

/// Whether `no_proxy` exempts `host:port`, by the rules of undici's `EnvHttpProxyAgent`, the
/// dispatcher OpenClaw's provider calls go through (undici `lib/dispatcher/env-http-proxy-agent.js`,
/// `#shouldProxy` and `#parseNoProxy`):
/// - the whole value `*` exempts everything; a `*` among other entries is only a name;
/// - entries are separated by commas or whitespace: `host`, `host:port`, `[v6]` or `[v6]:port`;
///   a leading `.` or `*.` and a trailing `.` are dropped, names compare in lower case;
/// - an entry with a port (not 0) applies to that port only;
/// - an entry matches its own host and every subdomain of it.
pub fn no_proxy_exempts(no_proxy: &str, host: &str, port: u16) -> bool {
    if no_proxy == "*" {
        return true;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = if host.len() > 1 {
        host.strip_suffix('.').unwrap_or(host)
    } else {
        host
    }
    .to_ascii_lowercase();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    no_proxy
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .any(|entry| {
            let bracketed_with_port = entry
                .strip_prefix('[')
                .and_then(|rest| rest.split_once("]:"))
                .filter(|(name, p)| !name.is_empty() && digits(p));
            let (name, entry_port) = match bracketed_with_port {
                Some((name, p)) => (name, p.parse::<u64>().ok()),
                None => {
                    let bare = entry
                        .strip_prefix('[')
                        .and_then(|rest| rest.strip_suffix(']'))
                        .filter(|name| !name.is_empty())
                        .unwrap_or(entry);
                    match bare.split_once(':') {
                        Some((name, p)) if bare.matches(':').count() == 1 && !name.is_empty() && digits(p) => {
                            (name, p.parse::<u64>().ok())
                        }
                        _ => (bare, None),
                    }
                }
            };
            if entry_port.is_some_and(|p| p != 0 && p != u64::from(port)) {
                return false;
            }
            let name = name
                .strip_prefix("*.")
                .or_else(|| name.strip_prefix('.'))
                .unwrap_or(name);
            let name = if name.len() > 1 {
                name.strip_suffix('.').unwrap_or(name)
            } else {
                name
            };
            let name = name.to_ascii_lowercase();
            host == name || host.ends_with(&format!(".{name}"))
        })
}

/// `GET url`, through the environment's proxy unless exempt.
pub fn fetch(url: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Answer, String> {
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(format!("{url:?}: only http:// and https:// URLs"));
    };
    let target = ApiUrl::parse(&format!("http://{rest}")).map_err(|e| e.replace("MOSAIC_API_URL ", ""))?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let explicit_port = match authority.strip_prefix('[') {
        Some(v6) => v6.contains("]:"),
        None => authority.contains(':'),
    };
    let port = if https && !explicit_port {
        443
    } else {
        target.addr.port()
    };
    let addr = SocketAddr::new(target.addr.ip(), port);
    let path = match rest.find('/') {
        Some(i) => &rest[i..],
        None => "/",
    };
    let exempt = env("no_proxy")
        .or_else(|| env("NO_PROXY"))
        .is_some_and(|n| no_proxy_exempts(&n, &addr.ip().to_string(), port));
    let proxy = env_proxy(https, env).filter(|_| !exempt);
    let Some(proxy) = proxy else {
        let stream = open(addr)?;
        return exchange(&stream, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n"), false);
    };
    let proxy = ApiUrl::parse(&proxy).map_err(|e| e.replace("MOSAIC_API_URL", "proxy"))?;
    let stream = open(proxy.addr)?;
    if !https {
        return exchange(
            &stream,
            &format!("GET http://{addr}{path} HTTP/1.1\r\nHost: {addr}\r\n"),
            true,
        );
    }
    (&stream)
        .write_all(format!("CONNECT {addr} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .map_err(|e| format!("proxy: {e}"))?;
    let mut reader = BufReader::new(&stream);
    let head = http::read_response_head(&mut reader).map_err(|e| format!("proxy: {e}"))?;
    if head.status != 200 {
        let body = http::read_body(&mut reader, head.framing, MAX_RESPONSE_BYTES).unwrap_or_default();
        return Ok(Answer {
            status: head.status,
            body,
            proxied: true,
        });
    }
    // The tunnel is open; what the reader buffered past the head would be the destination's,
    // and it has sent nothing yet.
    drop(reader);
    exchange(&stream, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n"), true)
}

fn open(addr: SocketAddr) -> Result<TcpStream, String> {
    let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_read_timeout(Some(IO_TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(IO_TIMEOUT)).map_err(|e| e.to_string())?;
    Ok(stream)
}

fn exchange(stream: &TcpStream, head: &str, proxied: bool) -> Result<Answer, String> {
    let request = format!(
        "{head}User-Agent: mosaic-test-agent/{}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut writer = stream;
    writer.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let head = http::read_response_head(&mut reader).map_err(|e| e.to_string())?;
    let body = http::read_body(&mut reader, head.framing, MAX_RESPONSE_BYTES).map_err(|e| e.to_string())?;
    Ok(Answer {
        status: head.status,
        body,
        proxied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_proxy_as_undici_does() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let both = env(&[("HTTP_PROXY", "http://1.1.1.1:1"), ("http_proxy", "http://2.2.2.2:2")]);
        assert_eq!(env_proxy(false, &both).as_deref(), Some("http://2.2.2.2:2"));
        assert_eq!(env_proxy(true, &both).as_deref(), Some("http://2.2.2.2:2"));
        let https = env(&[("HTTPS_PROXY", "http://3.3.3.3:3"), ("HTTP_PROXY", "http://1.1.1.1:1")]);
        assert_eq!(env_proxy(true, &https).as_deref(), Some("http://3.3.3.3:3"));
        assert_eq!(env_proxy(false, &https).as_deref(), Some("http://1.1.1.1:1"));
        let all = env(&[("ALL_PROXY", "http://4.4.4.4:4")]);
        assert_eq!(env_proxy(true, &all), None);
    }

    #[test]
    fn no_proxy_entries() {
        assert!(no_proxy_exempts("172.18.0.1", "172.18.0.1", 4001));
        assert!(no_proxy_exempts("a, 172.18.0.1:4001", "172.18.0.1", 4001));
        assert!(!no_proxy_exempts("172.18.0.1:4002", "172.18.0.1", 4001));
        assert!(!no_proxy_exempts("172.18.0.10", "172.18.0.1", 4001));
        assert!(no_proxy_exempts("*", "10.0.0.1", 80));
        assert!(!no_proxy_exempts("a,*", "10.0.0.1", 80));
        assert!(no_proxy_exempts(".example.com", "api.example.com", 443));
        assert!(no_proxy_exempts(".example.com", "example.com", 443));
        assert!(no_proxy_exempts("*.Example.com.", "api.example.com", 443));
        assert!(no_proxy_exempts("example.com", "api.example.com", 443));
        assert!(!no_proxy_exempts("example.com", "badexample.com", 443));
        assert!(!no_proxy_exempts(".example.com", "example.org", 443));
        assert!(no_proxy_exempts("[::1]:4001", "::1", 4001));
        assert!(!no_proxy_exempts("[::1]:4001", "::1", 4002));
        assert!(no_proxy_exempts("::1", "::1", 4002));
    }
}
