//! A real OpenID provider for the tests: `oidc-provider-mock` from PyPI (`python3 -m
//! oidc_provider_mock`, installed by `.ci/run`), on a free loopback port. One instance is shared
//! by the whole run (started from the main thread, stopped at teardown); tests that need other
//! options start their own, stopped when dropped. Each test registers users of its own
//! (`PUT /users/{sub}`), so tests do not see each other's people.
//!
//! [`OidcProxy`] sits in front of a provider to make it misbehave in one precise way (an ID token
//! for another client, a forged signature, a late answer, another issuer), so a test exercises
//! exactly one of mosaicd's checks. And [`Browser`] follows a login the way a browser would.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use warp::Filter;

use crate::ci;
use crate::daemon::{free_port, wait_timeout};

pub struct OidcProvider {
    pub port: u16,
    child: Mutex<Option<Child>>,
    log: tempfile::NamedTempFile,
}

static SHARED: OnceLock<Result<OidcProvider, String>> = OnceLock::new();

/// Starts the shared provider (call from the main thread; `--require-nonce`, tokens valid 1 h).
pub fn start() {
    SHARED.get_or_init(|| OidcProvider::launch(&["--require-nonce"]));
}

/// The shared provider; the test is ignored (failed under CI) when the mock is not installed.
pub fn shared() -> &'static OidcProvider {
    match SHARED.get_or_init(|| OidcProvider::launch(&["--require-nonce"])) {
        Ok(p) => p,
        Err(reason) => ci::missing(reason),
    }
}

pub fn teardown() {
    if let Some(Ok(p)) = SHARED.get() {
        p.stop();
    }
}

impl OidcProvider {
    /// A provider of this test's own, with extra command-line options.
    pub fn start_own(args: &[&str]) -> OidcProvider {
        match Self::launch(args) {
            Ok(p) => p,
            Err(reason) => ci::missing(&reason),
        }
    }

    fn launch(args: &[&str]) -> Result<OidcProvider, String> {
        let probe = Command::new("python3")
            .args(["-c", "import oidc_provider_mock"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !matches!(probe, Ok(s) if s.success()) {
            return Err("oidc-provider-mock (python3 -m pip install oidc-provider-mock)".into());
        }
        let port = free_port();
        let log = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let mut command = Command::new("python3");
        command
            .args([
                "-m",
                "oidc_provider_mock",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .args(args)
            .env("NO_COLOR", "1")
            .env("PYTHONWARNINGS", "ignore")
            .stdin(Stdio::null())
            .stdout(log.reopen().map_err(|e| e.to_string())?)
            .stderr(log.reopen().map_err(|e| e.to_string())?);
        // SAFETY: prctl is async-signal-safe. The provider dies with the harness even on SIGKILL.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().map_err(|e| format!("start oidc-provider-mock: {e}"))?;
        let provider = OidcProvider {
            port,
            child: Mutex::new(Some(child)),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("{}/.well-known/openid-configuration", provider.issuer());
        loop {
            let ready = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && blocking_get_ok(&url);
            if ready {
                return Ok(provider);
            }
            if let Some(status) = provider
                .child
                .lock()
                .unwrap()
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!("oidc-provider-mock exited ({status}): {}", provider.log_text()));
            }
            if Instant::now() > deadline {
                let text = provider.log_text();
                provider.stop();
                return Err(format!("oidc-provider-mock did not start: {text}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The issuer URL (the mock names itself after the host it is reached at).
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Registers (or replaces) a user and the claims their ID tokens carry.
    pub async fn set_user(&self, sub: &str, claims: Value) {
        let r = reqwest::Client::new()
            .put(format!("{}/users/{sub}", self.issuer()))
            .json(&claims)
            .send()
            .await
            .expect("reach the OIDC provider");
        assert_eq!(
            r.status(),
            StatusCode::NO_CONTENT,
            "set user {sub}: {:?}",
            r.text().await
        );
    }

    fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            if wait_timeout(&mut child, Duration::from_secs(10)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A minimal blocking GET (the shared provider starts before any runtime exists).
fn blocking_get_ok(url: &str) -> bool {
    use std::io::{Read, Write};
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// How an [`OidcProxy`] misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mischief {
    /// Forwards everything untouched.
    None,
    /// Makes the provider issue the code, and so the ID token, to another client: `client_id`
    /// is replaced in the authorization request and in the token request's credentials.
    ForeignClient(String),
    /// Changes one character of the ID token's signature in the token answer.
    ForgeSignature,
    /// Asks the provider for the token under another host name, so it signs another issuer.
    OtherIssuerHost(String),
}

/// A reverse proxy in front of an OpenID provider. It keeps the `Host` header the client sent,
/// so the provider (which names itself after it) advertises the proxy as issuer and endpoints.
pub struct OidcProxy {
    pub port: u16,
    mischief: Arc<Mutex<Mischief>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl OidcProxy {
    /// Starts on a free loopback port on the current runtime.
    pub async fn start(upstream: u16, mischief: Mischief) -> OidcProxy {
        let state = Arc::new(Mutex::new(mischief));
        let shared = state.clone();
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let route = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .then(move |method, path: warp::path::FullPath, query: String, headers: HeaderMap, body: bytes::Bytes| {
                let mischief = shared.lock().unwrap().clone();
                let client = client.clone();
                async move { forward(client, upstream, mischief, method, path.as_str(), query, headers, body).await }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(
            warp::serve(route)
                .incoming(listener)
                .graceful(async move {
                    let _ = stopped.await;
                })
                .run(),
        );
        OidcProxy {
            port,
            mischief: state,
            _stop: stop,
        }
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, mischief: Mischief) {
        *self.mischief.lock().unwrap() = mischief;
    }
}

fn replace_param(query: &str, name: &str, value: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| if k == name { (k, value.to_string()) } else { (k, v) })
        .collect();
    serde_urlencoded::to_string(pairs).expect("encode query")
}

#[allow(clippy::too_many_arguments)]
async fn forward(
    client: reqwest::Client,
    upstream: u16,
    mischief: Mischief,
    method: warp::http::Method,
    path: &str,
    mut query: String,
    headers: HeaderMap,
    mut body: bytes::Bytes,
) -> warp::http::Response<Vec<u8>> {
    let is_token = path == "/oauth2/token";
    let mut headers = headers;
    match &mischief {
        Mischief::ForeignClient(other) if path == "/oauth2/authorize" => {
            query = replace_param(&query, "client_id", other);
        }
        Mischief::ForeignClient(other) if is_token => {
            if let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok())
                && let Some(encoded) = value.strip_prefix("Basic ")
            {
                let decoded = String::from_utf8(B64.decode(encoded).expect("basic auth")).expect("utf-8");
                let (_, secret) = decoded.split_once(':').expect("id:secret");
                let replaced = format!("Basic {}", B64.encode(format!("{other}:{secret}")));
                headers.insert("authorization", replaced.parse().expect("header"));
            }
            let form = String::from_utf8_lossy(&body).into_owned();
            if form.contains("client_id=") {
                body = bytes::Bytes::from(replace_param(&form, "client_id", other));
            }
        }
        Mischief::OtherIssuerHost(host) if is_token => {
            headers.insert("host", host.parse().expect("host header"));
        }
        _ => {}
    }
    let url = if query.is_empty() {
        format!("http://127.0.0.1:{upstream}{path}")
    } else {
        format!("http://127.0.0.1:{upstream}{path}?{query}")
    };
    let mut request = client.request(method, url).body(body);
    for (name, value) in &headers {
        if name != "content-length" {
            request = request.header(name, value);
        }
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            return warp::http::Response::builder()
                .status(502)
                .body(format!("proxy: {e}").into_bytes())
                .expect("response");
        }
    };
    let status = response.status();
    let response_headers = response.headers().clone();
    let mut bytes = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    if is_token && status.is_success() && matches!(mischief, Mischief::ForgeSignature) {
        let mut token: Value = serde_json::from_slice(&bytes).expect("token answer is JSON");
        let jwt = token["id_token"].as_str().expect("id_token").to_string();
        let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
        let mut signature = B64URL.decode(&parts[2]).expect("signature");
        signature[10] ^= 0x01;
        parts[2] = B64URL.encode(signature);
        token["id_token"] = Value::String(parts.join("."));
        bytes = serde_json::to_vec(&token).expect("encode");
    }
    let mut answer = warp::http::Response::builder().status(status.as_u16());
    for (name, value) in &response_headers {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            answer = answer.header(name.as_str(), value.as_bytes());
        }
    }
    answer.body(bytes).expect("response")
}

/// The `name=value` of a cookie a response sets, when it sets a non-empty one whose name ends
/// with `suffix`.
pub fn set_cookie(headers: &HeaderMap, suffix: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .find(|c| {
            c.split_once('=')
                .is_some_and(|(name, value)| name.ends_with(suffix) && !value.is_empty())
        })
}

/// One step of a login as a browser sees it.
#[derive(Debug, Clone)]
pub struct Hop {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Hop {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .unwrap_or_else(|| panic!("no Location: {self:?}"))
            .to_str()
            .unwrap()
            .to_string()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// Asserts a JSON error with `status` and `code`, and that no session was started; returns
    /// its message.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {self:?}");
        assert!(
            set_cookie(&self.headers, "mosaic_session").is_none(),
            "a refused login set a session cookie: {self:?}"
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "unexpected error: {self:?}");
        body["error"]["message"].as_str().unwrap().to_string()
    }
}

/// A browser going through an OIDC login: mosaicd's login route, the provider's authorization
/// page (answered as the user `sub`), mosaicd's callback.
pub struct Browser {
    pub client: reqwest::Client,
    pub mosaicd: String,
}

/// A login stopped just before the browser returns to mosaicd.
#[derive(Debug, Clone)]
pub struct Returning {
    /// The flow cookie mosaicd set (`name=value`).
    pub flow_cookie: String,
    /// Where the provider sends the browser: mosaicd's callback with code and state.
    pub callback: String,
}

impl Browser {
    pub fn new(mosaicd: &str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("client"),
            mosaicd: mosaicd.to_string(),
        }
    }

    async fn hop(&self, request: reqwest::RequestBuilder) -> Hop {
        let r = request.send().await.expect("HTTP request");
        Hop {
            status: r.status(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap_or_default(),
        }
    }

    /// `GET /api/auth/oidc/login`.
    pub async fn start(&self, query: &str) -> Hop {
        self.hop(self.client.get(format!("{}/api/auth/oidc/login{query}", self.mosaicd)))
            .await
    }

    /// Starts a login and signs in at the provider as `sub`; `tamper` may change the
    /// authorization URL first.
    pub async fn to_provider(&self, sub: &str, tamper: impl Fn(String) -> String) -> Returning {
        let start = self.start("").await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "login start: {start:?}");
        let flow_cookie = set_cookie(&start.headers, "mosaic_oidc").expect("flow cookie");
        let authorize = tamper(start.location());
        let page = self.hop(self.client.post(&authorize).form(&[("sub", sub)])).await;
        assert_eq!(page.status, StatusCode::FOUND, "the provider's authorization: {page:?}");
        Returning {
            flow_cookie,
            callback: page.location(),
        }
    }

    /// Brings the browser back to mosaicd's callback, with `cookie` as the flow cookie.
    pub async fn back(&self, callback: &str, cookie: Option<&str>) -> Hop {
        let mut request = self.client.get(callback);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.hop(request).await
    }

    /// A whole login as `sub`; returns the callback's answer.
    pub async fn login(&self, sub: &str) -> Hop {
        let r = self.to_provider(sub, |u| u).await;
        self.back(&r.callback, Some(&r.flow_cookie)).await
    }
}
