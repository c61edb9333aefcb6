//! The web console: pages mosaicd serves itself (onboarding, login, chat, settings,
//! administration), rendered on the server from askama templates that are checked at compile
//! time, with one stylesheet and a little hand-written JavaScript, all embedded in the binary.
//!
//! Pages are not API routes: they live outside `/api`, answer HTML (never the JSON error shape)
//! and are listed by [`pages`], apart from the API's [`endpoints`](super::endpoints), so the
//! OpenAPI document describes the API alone. Every page goes through the same service methods
//! as the API, with the same scoping and the same error messages.
//!
//! Security: the same session cookie as the API; a form post must carry the session's CSRF token
//! in a hidden `csrf` field (the API takes the same token in `X-CSRF-Token`, which the chat page's
//! script sends). Every answer carries a strict Content-Security-Policy (no inline script or
//! style, nothing from another origin), `X-Frame-Options: DENY` and `frame-ancestors 'none'`.
//! No page ever contains a provider key, a session cookie or a setup token; a new API token and
//! an invite link are shown once, in the answer to the form that created them.

/// Unwraps a guard's result inside a page handler: `let p = try_page!(user(&req).await);` returns
/// the guard's answer (the login page, access denied, an error page) when it has one.
macro_rules! try_page {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(response) => return *response,
        }
    };
}

pub mod admin;
pub mod assets;
pub mod chat;
pub mod login;
pub mod onboarding;
pub mod settings;

use std::future::Future;
use std::sync::Arc;

use askama::Template;
use bytes::Bytes;
use warp::filters::BoxedFilter;
use warp::filters::path::FullPath;
use warp::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, LOCATION, REFERRER_POLICY, RETRY_AFTER, SET_COOKIE,
    X_FRAME_OPTIONS,
};
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use super::error::ApiError;
use super::extract::{Params, client, cookie_name, read_bytes, session_cookie, set_cookie, with_app};
use super::{Endpoint, Handler};
use crate::app::App;
use crate::auth::throttle::Client;
use crate::auth::{Principal, Via};
use crate::error::Error;
use mosaic_shared::ErrorCode;
use mosaic_shared::types::SystemAgentSpec;
use subtle::ConstantTimeEq;

/// The console's policy: scripts, styles, images and fetches from this origin only; no inline
/// script or style; forms post to this origin only; never framed.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Form bodies: 64 KiB, like the API's JSON bodies.
pub const MAX_FORM: usize = 64 * 1024;
/// Forms that carry a personality (SOUL.md, up to 256 KiB of text, larger once URL-encoded).
pub const MAX_LARGE_FORM: usize = 1024 * 1024;

/// Every page, area by area. The router serves them beside the API's endpoints.
pub fn pages() -> Vec<Endpoint> {
    let mut all = Vec::new();
    all.extend(assets::pages());
    all.extend(login::pages());
    all.extend(onboarding::pages());
    all.extend(chat::pages());
    all.extend(settings::pages());
    all.extend(admin::pages());
    all
}

/// A request to a page, once its route matched: what every handler may need.
pub struct Req {
    pub app: Arc<App>,
    pub params: Params,
    pub method: Method,
    pub headers: HeaderMap,
    /// The path and query, as the browser asked (for `next=` after a login).
    pub path_and_query: String,
    pub query: String,
    /// Who is asking (the TCP peer), for the throttle of failed guesses.
    pub client: Client,
    body: Bytes,
}

impl Req {
    /// The query string's value of `name`.
    pub fn query_value(&self, name: &str) -> Option<String> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&self.query)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// A one-word notice from a redirect after a form (`?done=saved`).
    pub fn notice(&self) -> Option<String> {
        self.query_value("done")
            .and_then(|code| notice_text(&code))
            .map(str::to_string)
    }
}

/// The notices a redirect after a successful form may ask for; anything else shows nothing, so
/// a link cannot put words into a page.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "Saved.",
        "created" => "Created.",
        "deleted" => "Deleted.",
        "revoked" => "Revoked.",
        "deactivated" => "The user was deactivated: their sessions and API tokens ended and their agent stopped.",
        "reactivated" => "The user can log in again.",
        "started" => "The container is running.",
        "stopped" => "The container was stopped.",
        "restarted" => "The container was restarted.",
        "removed" => "Removed.",
        "cleared" => "Cleared.",
        "onboarded" => "Onboarding is complete. Log in with the breakglass administrator.",
        "accepted" => "Your password is set. Log in with your email address and that password.",
        "expired" => "Your session has ended. Log in again.",
        "logged-out" => "You are logged out.",
        _ => return None,
    })
}

/// An error as a page shows it: the HTTP status its code decides, and the message in the
/// product's words (the same the API would send; details stay in the log).
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
    /// For a 429: how long to wait (the answer's `Retry-After`).
    pub retry_after: Option<std::time::Duration>,
}

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, message)
    }

    /// Adds the failure's `Retry-After` (a throttled attempt) to the page that shows it.
    pub fn decorate(&self, mut response: Response) -> Response {
        if let Some(wait) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(crate::error::retry_after_seconds(wait)));
        }
        response
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        e.error.log("console request failed");
        Failure {
            status: e.status(),
            message: e.error.message().to_string(),
            retry_after: e.error.retry_after(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::from(ApiError::from(e))
    }
}

/// A page handler: takes the request, answers a response (errors are pages too).
pub trait Page: Fn(Req) -> Self::Fut + Clone + Send + Sync + 'static {
    type Fut: Future<Output = Response> + Send + 'static;
}

impl<F, Fut> Page for F
where
    F: Fn(Req) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    type Fut = Fut;
}

/// Builds a page's warp handler: reads the body (at most `limit` bytes) and calls `handler`.
pub fn page<H: Page>(app: Arc<App>, m: BoxedFilter<(Params,)>, limit: usize, handler: H) -> Handler {
    m.and(with_app(app))
        .and(warp::method())
        .and(warp::header::headers_cloned())
        .and(warp::path::full())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(client())
        .and(warp::body::stream())
        .then(
            move |params: Params,
                  app: Arc<App>,
                  method: Method,
                  headers: HeaderMap,
                  path: FullPath,
                  query: String,
                  client: Client,
                  body| {
                let handler = handler.clone();
                async move {
                    let body = match read_bytes(&headers, body, limit, |_| Ok(())).await {
                        Ok(bytes) => Bytes::from(bytes),
                        Err(e) => return error_page(&Failure::from(e)),
                    };
                    let path_and_query = if query.is_empty() {
                        path.as_str().to_string()
                    } else {
                        format!("{}?{query}", path.as_str())
                    };
                    let req = Req {
                        app,
                        params,
                        method,
                        headers,
                        path_and_query,
                        query,
                        client,
                        body,
                    };
                    handler(req).await
                }
            },
        )
        .boxed()
}

// ---- Responses ---------------------------------------------------------------------------------

/// The headers every console answer carries.
pub fn harden(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
}

/// A rendered template as an HTML answer.
pub fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => {
            let mut response = warp::reply::with_status(warp::reply::html(body), status).into_response();
            harden(&mut response);
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot render a console page");
            let mut response = warp::reply::with_status(
                warp::reply::html(
                    "<!doctype html><title>Error</title><p>Internal error; the daemon's log has the details.</p>",
                ),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .into_response();
            harden(&mut response);
            response
        }
    }
}

/// `303 See Other` to a path of this console (after a form, or to the login page).
pub fn redirect(to: &str) -> Response {
    let mut response = warp::reply::with_status(warp::reply(), StatusCode::SEE_OTHER).into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, location);
    }
    harden(&mut response);
    response
}

pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

/// `next=` targets: a path of this console only (no scheme, no host, no `//`), so a link cannot
/// send a freshly logged-in browser elsewhere.
pub fn local_path(next: Option<&str>) -> Option<String> {
    let next = next?;
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.starts_with("/api/")
        && next.len() <= 1024
        && next.chars().all(|c| c.is_ascii_graphic());
    ok.then(|| next.to_string())
}

// ---- Layout ------------------------------------------------------------------------------------

/// One entry of a navigation bar.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The areas of the top navigation, for `Layout::area`.
pub const AREA_CHAT: &str = "chat";
pub const AREA_SETTINGS: &str = "settings";
pub const AREA_ADMIN: &str = "admin";

/// What the frame of every page shows: the title, who is logged in, the navigation, the CSRF
/// token for its forms, and a notice or an error.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub assets: &'static str,
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub csrf: String,
    /// `chat`, `settings`, `admin`, or empty for public pages.
    pub area: &'static str,
    pub subnav: Vec<NavLink>,
    /// Epoch milliseconds at which the session ends at the latest; the page's script returns to
    /// the login page then.
    pub session_expires_at: Option<i64>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Layout {
    /// The frame of a page for nobody in particular (login, onboarding, errors).
    pub fn public(title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            assets: assets::prefix(),
            user_name: None,
            is_admin: false,
            csrf: String::new(),
            area: "",
            subnav: Vec::new(),
            session_expires_at: None,
            notice: None,
            error: None,
        }
    }

    /// The frame of a page for a logged-in user.
    pub fn user(p: &Principal, area: &'static str, title: impl Into<String>) -> Layout {
        let (csrf, expires) = match &p.via {
            Via::Session { csrf, expires_at, .. } => (csrf.clone(), Some(*expires_at)),
            Via::Token { .. } => (String::new(), None),
        };
        Layout {
            title: title.into(),
            assets: assets::prefix(),
            user_name: Some(p.name.clone()),
            is_admin: p.is_admin(),
            csrf,
            area,
            subnav: Vec::new(),
            session_expires_at: expires,
            notice: None,
            error: None,
        }
    }

    pub fn nav(mut self, items: &[(&'static str, &'static str)], current: &str) -> Layout {
        self.subnav = items
            .iter()
            .map(|(href, label)| NavLink {
                href,
                label,
                current: *href == current,
            })
            .collect();
        self
    }

    pub fn notice(mut self, notice: Option<String>) -> Layout {
        self.notice = notice;
        self
    }

    pub fn error(mut self, error: Option<String>) -> Layout {
        self.error = error;
        self
    }

    pub fn session_expires(&self) -> String {
        self.session_expires_at.map(|ms| ms.to_string()).unwrap_or_default()
    }
}

/// A page that only says something: an error, access denied, not found.
#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

/// An error as a page, in the same words the API would use.
pub fn error_page(e: &Failure) -> Response {
    let heading = match e.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Not logged in",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::SERVICE_UNAVAILABLE => "Unavailable",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "Cannot do that",
    };
    let page = html(
        e.status,
        &MessagePage {
            layout: Layout::public(heading),
            heading: heading.into(),
            text: e.message.clone(),
            link: Some(("/".into(), "Back to the start".into())),
        },
    );
    e.decorate(page)
}

/// The page for a path that is neither a page nor an API route, asked for by a browser.
pub fn not_found_page() -> Response {
    html(
        StatusCode::NOT_FOUND,
        &MessagePage {
            layout: Layout::public("Not found"),
            heading: "Not found".into(),
            text: "There is no page at this address.".into(),
            link: Some(("/".into(), "Back to the start".into())),
        },
    )
}

/// Whether an unmatched request should get the console's HTML 404 rather than the API's JSON
/// one: a browser navigating (it accepts `text/html`) to a path outside the API.
pub fn wants_html(path: &str, headers: &HeaderMap) -> bool {
    !path.starts_with("/api/")
        && headers
            .get(warp::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

/// A guard's outcome: the value, or the answer to give instead (boxed: a response is large).
pub type Guard<T> = Result<T, Box<Response>>;

/// A guard's refusal.
pub fn refuse<T>(response: Response) -> Guard<T> {
    Err(Box::new(response))
}

// ---- Who is asking -----------------------------------------------------------------------------

/// The logged-in user of a page request: the session cookie only (pages are for browsers; an
/// API token is never a page login). `Err` is the answer to give instead: the login page (and,
/// for a dead session, a cleared cookie).
pub async fn user(req: &Req) -> Guard<Principal> {
    let http = &req.app.config().http;
    let Some(token) = session_cookie(&req.headers, cookie_name(http)) else {
        return refuse(to_login(req, None));
    };
    match req.app.auth().authenticate_session(&token).await {
        Ok(p) => Ok(p),
        Err(e) if e.code() == ErrorCode::Unauthenticated => {
            refuse(with_cookie(to_login(req, Some("expired")), set_cookie(http, None)))
        }
        Err(e) => refuse(error_page(&Failure::from(e))),
    }
}

/// The logged-in user, if any, without sending anyone anywhere.
pub async fn visitor(req: &Req) -> Option<Principal> {
    let token = session_cookie(&req.headers, cookie_name(&req.app.config().http))?;
    req.app.auth().authenticate_session(&token).await.ok()
}

fn to_login(req: &Req, done: Option<&str>) -> Response {
    let mut target = String::from("/login");
    let mut sep = '?';
    if req.method == Method::GET && req.path_and_query != "/" {
        target.push_str(&format!("{sep}next={}", urlencode(&req.path_and_query)));
        sep = '&';
    }
    if let Some(done) = done {
        target.push_str(&format!("{sep}done={done}"));
    }
    redirect(&target)
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("v", text)])
        .map(|s| s[2..].to_string())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "console/denied.html")]
pub struct DeniedPage {
    pub layout: Layout,
}

/// A logged-in administrator. Anyone else logged in gets the access-denied page (403), never an
/// empty admin page.
pub async fn admin(req: &Req) -> Guard<Principal> {
    let p = user(req).await?;
    if p.is_admin() {
        return Ok(p);
    }
    refuse(html(
        StatusCode::FORBIDDEN,
        &DeniedPage {
            layout: Layout::user(&p, AREA_ADMIN, "Access denied"),
        },
    ))
}

// ---- Forms -------------------------------------------------------------------------------------

/// A posted form's fields.
#[derive(Debug, Default)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// The first value of `name`, trimmed; absent and empty are the same.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The first value of `name` as sent (a password keeps its spaces).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A system agent from the fields the admin page and onboarding's step 4 both post (`name`,
    /// `role`, `primary_model`, `provider`, `personality`).
    pub fn system_agent(&self) -> SystemAgentSpec {
        SystemAgentSpec {
            name: self.text("name"),
            role: self.text("role"),
            primary_model: self.text("primary_model"),
            provider: self.get("provider").map(str::to_string),
            personality: self
                .raw("personality")
                .filter(|t| !t.trim().is_empty())
                .map(str::to_string),
        }
    }

    /// Lines or commas of a text field, trimmed, empty ones dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.raw(name)
            .unwrap_or_default()
            .split(['\n', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Parses a posted form (`application/x-www-form-urlencoded`).
pub fn parse_form(req: &Req) -> Guard<Form> {
    let media = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media.as_deref() != Some("application/x-www-form-urlencoded") {
        return refuse(error_page(&Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "this page takes a form (application/x-www-form-urlencoded)",
        )));
    }
    let fields = serde_urlencoded::from_bytes(&req.body)
        .map_err(|_| Box::new(error_page(&Failure::invalid("the form could not be read"))))?;
    Ok(Form { fields })
}

fn csrf_refused() -> Response {
    error_page(&Failure::new(
        StatusCode::FORBIDDEN,
        "this form has expired or did not come from this console: reload the page and try again",
    ))
}

/// Checks a form's `csrf` field against the expected token, in constant time.
pub fn check_csrf(form: &Form, expected: &str) -> Guard<()> {
    let sent = form.raw("csrf").unwrap_or_default();
    if expected.is_empty() || !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        return refuse(csrf_refused());
    }
    Ok(())
}

/// A form posted by a logged-in user, its CSRF token checked.
pub async fn user_form(req: &Req) -> Guard<(Principal, Form)> {
    let p = user(req).await?;
    let form = parse_form(req)?;
    match &p.via {
        Via::Session { csrf, .. } => check_csrf(&form, csrf)?,
        Via::Token { .. } => return refuse(csrf_refused()),
    }
    Ok((p, form))
}

/// A form posted by an administrator, its CSRF token checked.
pub async fn admin_form(req: &Req) -> Guard<(Principal, Form)> {
    let p = admin(req).await?;
    let form = parse_form(req)?;
    match &p.via {
        Via::Session { csrf, .. } => check_csrf(&form, csrf)?,
        Via::Token { .. } => return refuse(csrf_refused()),
    }
    Ok((p, form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_stay_on_the_console() {
        assert_eq!(
            local_path(Some("/settings/providers")).as_deref(),
            Some("/settings/providers")
        );
        assert_eq!(
            local_path(Some("/admin/users?page=2")).as_deref(),
            Some("/admin/users?page=2")
        );
        for bad in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil",
            "evil",
            "/api/tokens",
            "/a b",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn pages_are_not_api_routes() {
        let api: Vec<_> = super::super::endpoints();
        for page in pages() {
            assert!(!page.pattern.starts_with("/api/"), "{} is under /api", page.pattern);
            assert!(
                !api.iter().any(|e| e.pattern == page.pattern && e.method == page.method),
                "{} {} is both a page and an API route",
                page.method,
                page.pattern
            );
        }
    }

    #[test]
    fn notices_are_fixed_words() {
        assert!(notice_text("saved").is_some());
        assert!(notice_text("<script>").is_none());
    }
}
