//! What handlers take from a request: path parameters, the authenticated principal (with the
//! CSRF check for cookie sessions), JSON bodies (content type, size limit, UTF-8, unknown fields)
//! and query strings; and the replies they give.

use mosaic_shared::ErrorCode;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Buf;
use futures::{Stream, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;
use warp::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderValue, SET_COOKIE};
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::error::{ApiError, reject};
use crate::app::App;
use crate::auth::throttle::Client;
use crate::auth::{Principal, Via};
use crate::config::HttpConfig;
use crate::error::{Error, chain};

/// Default limit for JSON request bodies.
pub const MAX_JSON_BODY: usize = 64 * 1024;
/// The agent config carries SOUL.md text.
pub const MAX_AGENT_CONFIG_BODY: usize = 256 * 1024;
/// The header a cookie-authenticated state-changing request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The values of a route pattern's `{…}` segments, in order.
#[derive(Debug, Clone)]
pub struct Params(pub Vec<String>);

impl Params {
    /// The route's one parameter (`{id}`).
    pub fn id(&self) -> &str {
        self.0.first().map(String::as_str).unwrap_or_default()
    }
}

/// The TCP peer of the connection a request came on, put in the request's extensions by the
/// server (`X-Forwarded-For` and the like are not trusted: a client can write them).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// Who is asking, for the throttle of failed guesses: the TCP peer's address.
pub fn client() -> impl Filter<Extract = (Client,), Error = Rejection> + Clone {
    warp::ext::get::<Peer>().map(|peer: Peer| Client::from_peer(peer.0.ip()))
}

pub fn with_app(app: Arc<App>) -> impl Filter<Extract = (Arc<App>,), Error = Infallible> + Clone {
    warp::any().map(move || app.clone())
}

/// The session cookie's name. With Secure cookies it carries the `__Host-` prefix, which makes
/// browsers insist on Secure, `Path=/` and no `Domain`.
pub fn cookie_name(http: &HttpConfig) -> &'static str {
    if http.secure_cookies {
        "__Host-mosaic_session"
    } else {
        "mosaic_session"
    }
}

/// The session cookie's value, if the request has one.
pub fn session_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session, or (with `None`) one that removes the cookie.
pub fn set_cookie(http: &HttpConfig, token: Option<&str>) -> HeaderValue {
    let (value, max_age) = match token {
        Some(token) => (token, http.session_ttl.as_secs()),
        None => ("", 0),
    };
    let secure = if http.secure_cookies { "; Secure" } else { "" };
    let text = format!(
        "{}={value}; Path=/; HttpOnly; SameSite={}; Max-Age={max_age}{secure}",
        cookie_name(http),
        http.same_site.as_str()
    );
    HeaderValue::from_str(&text).expect("cookie text is ASCII")
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Authenticates a request: `Authorization: Bearer <API token>`, else the session cookie. A
/// cookie-authenticated request that changes state must carry the session's CSRF token.
/// The user is recorded into the request's span.
pub async fn authenticate(app: &App, method: &Method, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let principal = resolve(app, method, headers).await?;
    tracing::Span::current().record("user", principal.user_id.as_str());
    Ok(principal)
}

async fn resolve(app: &App, method: &Method, headers: &HeaderMap) -> Result<Principal, ApiError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| ApiError::unauthenticated("malformed Authorization header"))?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return Err(ApiError::unauthenticated(
                    "unsupported Authorization scheme: use Bearer <API token>",
                ));
            }
        };
        return Ok(app.auth().authenticate_token(token).await?);
    }
    let Some(token) = session_cookie(headers, cookie_name(&app.config().http)) else {
        return Err(ApiError::unauthenticated(
            "not logged in: send the session cookie or an Authorization: Bearer token",
        ));
    };
    let principal = app.auth().authenticate_session(&token).await?;
    if let (false, Via::Session { csrf, .. }) = (is_safe(method), &principal.via) {
        let sent = headers.get(CSRF_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
        if !bool::from(sent.ct_eq(csrf.as_bytes())) {
            return Err(ApiError::new(
                ErrorCode::CsrfTokenInvalid,
                "missing or wrong X-CSRF-Token header: a state-changing request with the session cookie must \
                 send the csrfToken from /api/auth/login or /api/auth/session",
            ));
        }
    }
    Ok(principal)
}

/// Any logged-in user.
pub fn user(app: Arc<App>) -> impl Filter<Extract = (Principal,), Error = Rejection> + Clone {
    warp::method()
        .and(warp::header::headers_cloned())
        .and(with_app(app))
        .and_then(|method: Method, headers: HeaderMap, app: Arc<App>| async move {
            authenticate(&app, &method, &headers).await.map_err(reject)
        })
}

/// A logged-in administrator.
pub fn admin(app: Arc<App>) -> impl Filter<Extract = (Principal,), Error = Rejection> + Clone {
    user(app).and_then(|principal: Principal| async move {
        if principal.is_admin() {
            Ok(principal)
        } else {
            Err(reject(ApiError::forbidden("this needs the administrator role")))
        }
    })
}

/// Checks the request's media type: `application/json`, with at most a UTF-8 charset.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let unsupported = || {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the request body must be JSON: send Content-Type: application/json",
        )
    };
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unsupported)?;
    let mut parts = value.split(';');
    if !parts
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(unsupported());
    }
    for param in parts {
        if let Some((k, v)) = param.trim().split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
            && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(unsupported());
        }
    }
    Ok(())
}

fn too_large(limit: usize) -> ApiError {
    let size = if limit >= 1024 * 1024 && limit.is_multiple_of(1024 * 1024) {
        format!("{} MiB", limit / (1024 * 1024))
    } else {
        format!("{} KiB", limit / 1024)
    };
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the request body is larger than {size}"),
    )
}

/// A serde error as a message fit to send back: the position and what was wrong, without the
/// offending values (a misplaced field could hold a key).
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let mut text = e.to_string();
    // Quoted input values ("sk-…") are elided; field and variant names are quoted with backticks.
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    for c in text.drain(..) {
        if c == '"' {
            if !in_quote {
                out.push_str("\"…");
            }
            in_quote = !in_quote;
            if !in_quote {
                out.push('"');
            }
        } else if !in_quote {
            out.push(c);
        }
    }
    // `unknown variant `…`` quotes the input value with backticks; field names stay visible.
    if let Some(rest) = out.strip_prefix("unknown variant `") {
        out = format!(
            "unknown variant `…`{}",
            rest.split_once('`').map(|(_, tail)| tail).unwrap_or("")
        );
    }
    // An unknown field's name is shown when it looks like one (a key pasted as a name is not).
    if let Some(rest) = out.strip_prefix("unknown field `")
        && let Some((name, tail)) = rest.split_once('`')
        && !(name.len() <= 32 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        out = format!("unknown field `…`{tail}");
    }
    match e.classify() {
        Category::Syntax | Category::Eof => format!("malformed JSON: {out}"),
        Category::Data => format!("invalid request body: {out}"),
        Category::Io => "cannot read the request body".into(),
    }
}

/// An oversized body is read to its end (up to this much, for at most [`DRAIN_TIME`]) before the
/// 413 goes out: a client still sending when the server closes the connection would see a reset
/// instead of the answer.
const DRAIN_LIMIT: u64 = 1024 * 1024;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(2);

async fn drain<S, B>(mut body: std::pin::Pin<&mut S>, mut read: u64)
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while read <= DRAIN_LIMIT {
            match body.next().await {
                Some(Ok(chunk)) => read += chunk.remaining() as u64,
                _ => break,
            }
        }
    })
    .await;
}

/// A body the connection did not deliver whole, in the client's words: cut off (the connection
/// ended inside it) or malformed (its chunked framing is broken). What hyper said goes to the log.
fn unreadable_body(e: &warp::Error) -> ApiError {
    use std::error::Error as _;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = e.source();
    let mut cut_off = false;
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            cut_off = io.kind() == std::io::ErrorKind::UnexpectedEof;
        }
        if let Some(hyper) = c.downcast_ref::<hyper::Error>() {
            cut_off |= hyper.is_incomplete_message();
        }
        cause = c.source();
    }
    let message = if cut_off {
        "the request body was cut off before its end; send it again"
    } else {
        "the request body is malformed (its chunked transfer encoding is broken); send it again"
    };
    ApiError::from(Error::invalid(message).with_detail(chain(e)))
}

/// Reads a request body of at most `limit` bytes. `admit` sees each chunk's size before it is
/// kept and may refuse it (a budget shared between requests). An oversized body is answered
/// `413` in the API's shape (after draining it, see [`DRAIN_LIMIT`]).
pub async fn read_bytes<S, B>(
    headers: &HeaderMap,
    body: S,
    limit: usize,
    mut admit: impl FnMut(usize) -> Result<(), ApiError>,
) -> Result<Vec<u8>, ApiError>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let mut body = std::pin::pin!(body);
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(declared) = declared.filter(|n| *n > limit as u64) {
        if declared <= DRAIN_LIMIT {
            drain(body.as_mut(), 0).await;
        }
        return Err(too_large(limit));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| unreadable_body(&e))?;
        if bytes.len() + chunk.remaining() > limit {
            let read = (bytes.len() + chunk.remaining()) as u64;
            drain(body.as_mut(), read).await;
            return Err(too_large(limit));
        }
        admit(chunk.remaining())?;
        while chunk.has_remaining() {
            let part = chunk.chunk();
            bytes.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    Ok(bytes)
}

/// A body as UTF-8 text holding a JSON object (serde would also fill a struct from an array,
/// `[null, null]`; the API takes objects only).
pub fn json_object_text(bytes: &[u8]) -> Result<&str, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::invalid(
            "the request body is empty; a JSON object is expected",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::invalid("the request body is not valid UTF-8"))?;
    if !text.trim_start().starts_with('{') {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    }
    Ok(text)
}

/// A serde error on a request body as the client sees it.
pub fn json_error(e: &serde_json::Error) -> ApiError {
    ApiError::invalid(describe_json_error(e))
}

async fn read_json<T, S, B>(headers: HeaderMap, body: S, limit: usize) -> Result<T, ApiError>
where
    T: DeserializeOwned,
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    check_content_type(&headers)?;
    let bytes = read_bytes(&headers, body, limit, |_| Ok(())).await?;
    let text = json_object_text(&bytes)?;
    serde_json::from_str(text).map_err(|e| json_error(&e))
}

/// A JSON request body of type `T` (whose `deny_unknown_fields` refuses smuggled fields), at
/// most `limit` bytes.
pub fn json<T>(limit: usize) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
{
    warp::header::headers_cloned()
        .and(warp::body::stream())
        .and_then(move |headers: HeaderMap, body| async move { read_json(headers, body, limit).await.map_err(reject) })
}

/// The raw query string ("" when there is none).
pub fn query() -> impl Filter<Extract = (String,), Error = Infallible> + Clone {
    warp::query::raw().or(warp::any().map(String::new)).unify()
}

/// Parses a query string into its pairs, refusing names not in `allowed` and repeated names.
pub fn query_pairs(raw: &str, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw).map_err(|_| ApiError::invalid("malformed query string"))?;
    let mut seen = Vec::new();
    for (name, _) in &pairs {
        if !allowed.contains(&name.as_str()) {
            return Err(ApiError::invalid(format!(
                "unknown query parameter {name:?}; this route takes {}",
                allowed.join(", ")
            )));
        }
        if seen.contains(&name) {
            return Err(ApiError::invalid(format!("query parameter {name:?} given twice")));
        }
        seen.push(name);
    }
    Ok(pairs)
}

/// The paging parameters of a list's query string (`page`, `limit`), the same on every list.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageParams {
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

impl PageParams {
    /// The names to allow in [`query_pairs`].
    pub const NAMES: [&'static str; 2] = ["page", "limit"];

    /// Takes `name=value` if it is a paging parameter (answering whether it was).
    pub fn take(&mut self, name: &str, value: &str) -> Result<bool, ApiError> {
        let slot = match name {
            "page" => &mut self.page,
            "limit" => &mut self.limit,
            _ => return Ok(false),
        };
        *slot = Some(
            value
                .parse::<i64>()
                .map_err(|_| ApiError::invalid(format!("{name} must be a whole number, not {value:?}")))?,
        );
        Ok(true)
    }

    /// A query that holds only paging parameters.
    pub fn parse(raw: &str) -> Result<PageParams, ApiError> {
        let mut params = PageParams::default();
        for (name, value) in query_pairs(raw, &Self::NAMES)? {
            params.take(&name, &value)?;
        }
        Ok(params)
    }
}

pub fn json_reply<T: Serialize>(status: StatusCode, body: &T) -> Response {
    warp::reply::with_status(warp::reply::json(body), status).into_response()
}

pub fn ok<T: Serialize>(body: &T) -> Response {
    json_reply(StatusCode::OK, body)
}

pub fn no_content() -> Response {
    warp::reply::with_status(warp::reply(), StatusCode::NO_CONTENT).into_response()
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    /// A request body like the API's: named fields, unknown ones refused.
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Body {
        name: String,
        #[serde(default)]
        is_active: Option<bool>,
    }

    fn parse(bytes: &[u8]) -> Result<Body, ApiError> {
        let text = json_object_text(bytes)?;
        serde_json::from_str(text).map_err(|e| json_error(&e))
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes are a body or a 400, never a panic.
        #[test]
        fn any_bytes_are_parsed_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            if let Err(e) = parse(&bytes) {
                prop_assert_eq!(e.code(), ErrorCode::InvalidInput);
            }
        }

        /// Valid bodies come back as sent.
        #[test]
        fn bodies_round_trip(name in any::<String>(), is_active in proptest::option::of(any::<bool>())) {
            let sent = serde_json::json!({ "name": name, "isActive": is_active });
            let read = parse(sent.to_string().as_bytes()).unwrap();
            prop_assert_eq!(read, Body { name, is_active });
        }

        /// An unknown field is refused and named; a value in the wrong place is never echoed
        /// (it could be a key).
        #[test]
        fn unknown_fields_and_misplaced_values(field in "[a-z]{3,12}", secret in "sk-[A-Za-z0-9]{12,24}") {
            prop_assume!(field != "name");
            let sent = serde_json::json!({ "name": "p", field.clone(): 1 });
            let m = parse(sent.to_string().as_bytes()).unwrap_err().error.message().to_string();
            prop_assert!(m.contains("unknown field") && m.contains(&field), "{}", m);
            for sent in [
                serde_json::json!({ "name": "p", "isActive": secret.clone() }),
                serde_json::json!({ "name": "p", secret.clone(): true }),
                serde_json::json!({ "name": 5, "isActive": [secret.clone()] }),
            ] {
                let m = parse(sent.to_string().as_bytes()).unwrap_err().error.message().to_string();
                prop_assert!(!m.contains(&secret), "{}", m);
            }
        }

        /// A body over the limit is a 413, whether its length is declared or not; one within it
        /// is read whole, however it is split into chunks.
        #[test]
        fn sizes_and_chunking(len in 0usize..4096, limit in 1usize..4096, declare in any::<bool>(), split in 1usize..64) {
            let body: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut headers = HeaderMap::new();
            if declare {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
            }
            let chunks: Vec<Result<bytes::Bytes, warp::Error>> =
                body.chunks(split).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
            let read = run(read_bytes(&headers, futures::stream::iter(chunks), limit, |_| Ok(())));
            if len > limit {
                prop_assert_eq!(read.unwrap_err().code(), ErrorCode::PayloadTooLarge);
            } else {
                prop_assert_eq!(read.unwrap(), body);
            }
        }
    }
}
