//! A small HTTP client for the daemon's API: JSON in and out, the session cookie and CSRF token
//! handled by hand (so tests can leave them out on purpose), bearer tokens, raw requests.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::Daemon;

/// A logged-in browser: the session cookie (`name=value`) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub user_id: String,
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    /// Cookie and CSRF header, as the WebUI sends them.
    Session(&'a Session),
    /// Cookie without the CSRF header.
    CookieOnly(&'a Session),
    Bearer(&'a str),
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status: {self:?}");
        if self.body.is_empty() { Value::Null } else { self.json() }
    }

    /// Asserts an error answer in the one error shape, with `status` and `code`; returns the message.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "unexpected status: {self:?}");
        let body = self.json();
        let error = body.get("error").unwrap_or_else(|| panic!("no error object: {self:?}"));
        assert_eq!(
            body.as_object().unwrap().len(),
            1,
            "extra fields beside error: {self:?}"
        );
        assert_eq!(
            error.as_object().unwrap().len(),
            2,
            "error has other fields than code and message: {self:?}"
        );
        assert_eq!(error["code"], code, "unexpected error code: {self:?}");
        error["message"].as_str().expect("message").to_string()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("<binary>").to_string())
    }
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    /// Every response body this client received, for leak checks.
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Api {
    pub fn new(daemon: &Daemon) -> Api {
        Self::client(daemon.base_url(), None)
    }

    /// A client of the daemon whose HTTP API is at `base` (`http://host:port`), e.g. one running
    /// in the test's own process.
    pub fn at(base: String) -> Api {
        Self::client(base, None)
    }

    /// A client whose connections come from `address` (any of 127.0.0.0/8 reaches a daemon on
    /// 127.0.0.1 from the same host), so one test can play several clients.
    pub fn from_address(daemon: &Daemon, address: std::net::IpAddr) -> Api {
        Self::client(daemon.base_url(), Some(address))
    }

    fn client(base: String, address: Option<std::net::IpAddr>) -> Api {
        Api {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .local_address(address)
                .build()
                .expect("HTTP client"),
            seen: Default::default(),
        }
    }

    /// Everything the API answered so far, bodies and headers.
    pub fn transcript(&self) -> String {
        self.seen.lock().unwrap().join("\n")
    }

    pub fn request(&self, method: Method, path: &str, auth: Auth<'_>) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        match auth {
            Auth::None => {}
            Auth::Session(s) => r = r.header("cookie", &s.cookie).header("x-csrf-token", &s.csrf),
            Auth::CookieOnly(s) => r = r.header("cookie", &s.cookie),
            Auth::Bearer(t) => r = r.bearer_auth(t),
        }
        r
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Resp {
        let response = request.send().await.expect("HTTP request");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("response body");
        self.seen.lock().unwrap().push(format!("{status} {headers:?} {body}"));
        Resp { status, headers, body }
    }

    pub async fn call(&self, method: Method, path: &str, auth: Auth<'_>, body: Option<&Value>) -> Resp {
        let mut r = self.request(method, path, auth);
        if let Some(body) = body {
            r = r.json(body);
        }
        self.send(r).await
    }

    pub async fn get(&self, path: &str, auth: Auth<'_>) -> Resp {
        self.call(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: Auth<'_>, body: &Value) -> Resp {
        self.call(Method::POST, path, auth, Some(body)).await
    }

    /// POST without a body.
    pub async fn post_empty(&self, path: &str, auth: Auth<'_>) -> Resp {
        self.call(Method::POST, path, auth, None).await
    }

    pub async fn put(&self, path: &str, auth: Auth<'_>, body: &Value) -> Resp {
        self.call(Method::PUT, path, auth, Some(body)).await
    }

    pub async fn patch(&self, path: &str, auth: Auth<'_>, body: &Value) -> Resp {
        self.call(Method::PATCH, path, auth, Some(body)).await
    }

    pub async fn delete(&self, path: &str, auth: Auth<'_>) -> Resp {
        self.call(Method::DELETE, path, auth, None).await
    }

    /// Logs in and returns the session; fails the test if the login fails.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let r = self
            .post(
                "/api/auth/login",
                Auth::None,
                &serde_json::json!({ "username": username, "password": password }),
            )
            .await;
        let body = r.expect(200);
        Session {
            cookie: session_cookie(&r.headers).expect("login sets the session cookie"),
            csrf: body["csrfToken"].as_str().expect("csrfToken").to_string(),
            user_id: body["user"]["id"].as_str().expect("user id").to_string(),
        }
    }
}

/// The `name=value` part of the session cookie a response sets.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v: &HeaderValue| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .find(|c| c.contains("mosaic_session=") && !c.ends_with('='))
}

/// The value of one series in a Prometheus text exposition (`/metrics`): the line that starts
/// with `series` (name and labels); a missing series fails the test (a renamed or dropped metric
/// must not read as 0).
pub fn metric_value(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no series {series} in /metrics:\n{exposition}"))
}
