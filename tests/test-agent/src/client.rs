//! Minimal HTTP/1.1 client for the config fetch and the `probe` subcommand.
//!
//! The binary is linked statically, and glibc's name lookup does not work in
//! a static binary, so only IP-literal hosts are accepted.

use std::io::{BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::http::{self, HttpError};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const IO_TIMEOUT: Duration = Duration::from_secs(15);
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// `http://<ip>[:port][/base]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUrl {
    pub addr: SocketAddr,
    /// Any path prefix, without a trailing slash.
    pub base_path: String,
}

impl ApiUrl {
    pub fn parse(url: &str) -> Result<ApiUrl, String> {
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "MOSAIC_API_URL {url:?}: scheme {scheme:?} is not supported, use http://"
                ));
            }
            None => return Err(format!("MOSAIC_API_URL {url:?} must start with http://")),
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(format!("MOSAIC_API_URL {url:?} must not contain credentials"));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| format!("MOSAIC_API_URL {url:?} has an invalid host or port"))?;
        let ip: IpAddr = host.parse().map_err(|_| {
            format!(
                "MOSAIC_API_URL {url:?}: host {host:?} is not an IP address; this static \
                 binary cannot resolve host names, pass an IP literal such as \
                 http://172.17.0.1:4000"
            )
        })?;
        let base_path = path.split(['?', '#']).next().unwrap_or_default();
        Ok(ApiUrl {
            addr: SocketAddr::new(ip, port.unwrap_or(80)),
            base_path: base_path.trim_end_matches('/').to_owned(),
        })
    }
}

/// Splits `host[:port]`, with IPv6 hosts in brackets.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|&p| p != 0)?),
        None => None,
    };
    Some((host, port))
}

#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
}

/// One `GET` with bearer auth on a fresh connection. Errors are transport
/// failures only; any HTTP status is a successful fetch.
pub fn get(api: &ApiUrl, path: &str, token: &str) -> Result<Fetched, HttpError> {
    let stream = TcpStream::connect_timeout(&api.addr, CONNECT_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let request = format!(
        "GET {}{path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Accept: application/json\r\nUser-Agent: mosaic-test-agent/{}\r\nConnection: close\r\n\r\n",
        api.base_path,
        api.addr,
        env!("CARGO_PKG_VERSION"),
    );
    (&stream).write_all(request.as_bytes())?;
    let mut reader = BufReader::new(stream);
    let head = http::read_response_head(&mut reader)?;
    let body = http::read_body(&mut reader, head.framing, MAX_RESPONSE_BYTES)?;
    Ok(Fetched {
        status: head.status,
        body,
    })
}

/// Retries transport failures until `budget` is spent, so a momentarily busy
/// or restarting mosaicd does not fail the container. HTTP errors are final.
pub fn get_with_retry(
    api: &ApiUrl,
    path: &str,
    token: &str,
    budget: Duration,
    mut on_retry: impl FnMut(&HttpError),
) -> Result<Fetched, HttpError> {
    let deadline = Instant::now() + budget;
    loop {
        match get(api, path, token) {
            Ok(fetched) => return Ok(fetched),
            Err(err) if Instant::now() + RETRY_PAUSE < deadline => {
                on_retry(&err);
                std::thread::sleep(RETRY_PAUSE);
            }
            Err(err) => return Err(err),
        }
    }
}

const RETRY_PAUSE: Duration = Duration::from_millis(500);

pub enum ProbeResult {
    /// The peer answered `GET /healthz` (with any status).
    Http,
    /// TCP connected but no HTTP answer came back: still reachable, which is
    /// what an isolation test must not miss.
    TcpOnly(String),
}

/// TCP connect plus `GET /healthz`, all within `timeout`.
pub fn probe(target: &str, timeout: Duration) -> Result<ProbeResult, String> {
    let addr: SocketAddr = target
        .parse()
        .map_err(|_| format!("invalid address {target:?} (expected IP:PORT)"))?;
    let deadline = Instant::now() + timeout;
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    let exchange = || -> Result<(), HttpError> {
        stream.set_read_timeout(Some(remaining))?;
        stream.set_write_timeout(Some(remaining))?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        (&stream).write_all(request.as_bytes())?;
        let mut reader = BufReader::new(&stream);
        http::read_response_head(&mut reader)?;
        Ok(())
    };
    match exchange() {
        Ok(()) => Ok(ProbeResult::Http),
        Err(err) => Ok(ProbeResult::TcpOnly(err.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ip_literal_urls() {
        let url = ApiUrl::parse("http://172.17.0.1:4000").unwrap();
        assert_eq!(url.addr, "172.17.0.1:4000".parse().unwrap());
        assert_eq!(url.base_path, "");

        let url = ApiUrl::parse("HTTP://10.0.0.1/prefix/").unwrap();
        assert_eq!(url.addr, "10.0.0.1:80".parse().unwrap());
        assert_eq!(url.base_path, "/prefix");

        let url = ApiUrl::parse("http://[fd00::1]:4000/").unwrap();
        assert_eq!(url.addr, "[fd00::1]:4000".parse().unwrap());
    }

    #[test]
    fn rejects_host_names_and_other_schemes() {
        let err = ApiUrl::parse("http://mosaicd:4000").unwrap_err();
        assert!(err.contains("not an IP address"), "{err}");
        assert!(ApiUrl::parse("https://10.0.0.1").unwrap_err().contains("not supported"));
        assert!(ApiUrl::parse("10.0.0.1:4000").is_err());
        assert!(ApiUrl::parse("http://10.0.0.1:0").is_err());
        assert!(ApiUrl::parse("http://10.0.0.1:x").is_err());
        assert!(ApiUrl::parse("http://u:p@10.0.0.1").is_err());
        assert!(ApiUrl::parse("http://[fd00::1]x").is_err());
    }

    #[test]
    fn probe_reports_refused_connections() {
        // Bind then drop to get a port that is very likely closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = probe(&format!("127.0.0.1:{port}"), Duration::from_millis(500))
            .err()
            .unwrap();
        assert!(err.starts_with("connect: "), "{err}");
        assert!(probe("localhost:80", Duration::from_millis(10)).is_err());
    }
}
