//! CORS for the WebUI's origin(s): a browser page on an allowed origin may call the API with
//! credentials; any other origin gets no CORS headers at all (and a refused preflight).
//!
//! Allowed origins come from the daemon's configuration (`--webui-origin`,
//! `MOSAIC_WEBUI_ORIGINS`, `webui_origins` in the config file) and from system config (system
//! setting `webuiOrigins`, editable by admins at runtime).

use mosaic_shared::ErrorCode;
use warp::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    HeaderValue, ORIGIN, VARY,
};
use warp::http::{HeaderMap, Method};
use warp::reply::Response;

use super::error::ApiError;
use crate::app::App;

pub const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// The request headers the WebUI sends: auth, JSON, the CSRF token, the agent session key the
/// chat proxy passes through to OpenClaw, and the setup token of the onboarding endpoints.
pub const ALLOWED_HEADERS: &str =
    "Authorization, Content-Type, X-CSRF-Token, X-OpenClaw-Session-Key, X-Mosaic-Setup-Token";
pub const EXPOSED_HEADERS: &str = "Retry-After, WWW-Authenticate";
const PREFLIGHT_MAX_AGE: &str = "600";

/// The request's `Origin` if it is an allowed WebUI origin, as the browser sent it (the answer
/// must repeat it exactly).
pub async fn allowed_origin(app: &App, headers: &HeaderMap) -> Option<HeaderValue> {
    let value = headers.get(ORIGIN)?;
    let normalized = mosaic_shared::policy::normalize_origin(value.to_str().ok()?).ok()?;
    app.settings()
        .allowed_origins()
        .await
        .contains(&normalized)
        .then(|| value.clone())
}

pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    *method == Method::OPTIONS && headers.contains_key(ORIGIN) && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a preflight: permission for an allowed origin, a refusal without CORS headers
/// for any other.
pub fn preflight(origin: Option<HeaderValue>) -> Response {
    let Some(origin) = origin else {
        return ApiError::new(
            ErrorCode::CorsOriginNotAllowed,
            "this origin is not an allowed WebUI origin",
        )
        .response();
    };
    let mut response = super::extract::no_content();
    let h = response.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOWED_METHODS));
    h.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
    response
}

/// Adds the CORS headers to an answer for an allowed origin; every answer varies by origin.
pub fn decorate(response: &mut Response, origin: Option<HeaderValue>) {
    let h = response.headers_mut();
    h.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        h.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    }
}
