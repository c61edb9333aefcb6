//! The HTTP client every request to the identity provider goes through: the egress policy with
//! private networks allowed (an administrator chose the issuer), https except on a loopback host,
//! a timeout, no redirects, no proxy, a bounded answer.

use std::future::Future;
use std::pin::Pin;

use futures::StreamExt;
use openidconnect::http;
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use super::{MAX_RESPONSE_BYTES, REQUEST_TIMEOUT, sanitize};
use crate::error::root_cause;
use crate::service::egress;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OidcHttpError(String);

/// The HTTP client openidconnect uses: the egress policy on every request (see the module
/// comment), a timeout, no redirects, no proxy, a bounded answer.
pub struct OidcHttp;

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = OidcHttpError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<HttpResponse, OidcHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(request))
    }
}

/// Whether a URL may be used to reach an identity provider: https, or http on a loopback host.
fn transport_allowed(url: &reqwest::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

async fn send(request: HttpRequest) -> std::result::Result<HttpResponse, OidcHttpError> {
    let fail = |m: String| OidcHttpError(m);
    let target = request.uri().to_string();
    let url = reqwest::Url::parse(&target).map_err(|e| fail(format!("invalid URL {target}: {e}")))?;
    if !transport_allowed(&url) {
        return Err(fail(format!(
            "refused {target}: an identity provider must use https (http only on a loopback host)"
        )));
    }
    let cleared = egress::clear(url.as_str(), true).await.map_err(|e| match e {
        egress::Refused::Blocked(why) => fail(format!("refused {target}: {why}")),
        egress::Refused::Unresolvable(why) => fail(why),
    })?;
    let client = cleared
        .client(REQUEST_TIMEOUT)
        .map_err(|e| fail(format!("cannot build HTTP client: {e}")))?;
    let (parts, body) = request.into_parts();
    let mut outgoing = client.request(parts.method, cleared.url).body(body);
    for (name, value) in &parts.headers {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing.send().await.map_err(|e| {
        if e.is_timeout() {
            fail(format!(
                "no answer from {target} within {} s",
                REQUEST_TIMEOUT.as_secs()
            ))
        } else {
            fail(format!("cannot connect to {target}: {}", root_cause(&e)))
        }
    })?;
    let mut answer = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| fail(format!("reading the answer of {target}: {}", root_cause(&e))))?;
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(fail(format!(
                "the answer of {target} is larger than {} KiB",
                MAX_RESPONSE_BYTES / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    answer
        .body(body)
        .map_err(|e| fail(format!("invalid answer from {target}: {e}")))
}

/// An error and its causes in one line, without URL query strings.
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    sanitize(&crate::error::chain(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports() {
        let ok = |u: &str| transport_allowed(&reqwest::Url::parse(u).unwrap());
        assert!(ok("https://id.example.com"));
        assert!(ok("http://127.0.0.1:9400"));
        assert!(ok("http://localhost:9400"));
        assert!(ok("http://[::1]:9400"));
        assert!(!ok("http://id.example.com"));
        assert!(!ok("ftp://id.example.com"));
    }
}
