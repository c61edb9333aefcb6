//! The one JSON error shape, `{"error":{"code":…,"message":…}}`, and the one place rejections
//! become responses ([`recover`]).

use std::convert::Infallible;

use serde_json::json;
use warp::http::header::{ALLOW, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Rejection, Reply};

use crate::error::Error;

/// An error on its way to the client. The message is written for the person who made the
/// request and never carries a secret.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// For a 405: the methods the route does accept.
    pub allow: Vec<Method>,
}

impl warp::reject::Reject for ApiError {}

/// The router's answer when no endpoint took a request (404, or 405 with `Allow`). A separate
/// type, because warp combines the rejections of all routes and `recover` must prefer the error
/// of the endpoint that did match over this one.
#[derive(Debug, Clone)]
pub struct NoRoute(pub ApiError);

impl warp::reject::Reject for NoRoute {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            allow: Vec::new(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn response(&self) -> Response {
        let mut response = warp::reply::with_status(
            warp::reply::json(&json!({ "error": { "code": self.code, "message": self.message } })),
            self.status,
        )
        .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"mosaic\""));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Docker or the database is away, or an agent is still starting: worth a retry.
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if !self.allow.is_empty() {
            let allow = self.allow.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            if let Ok(value) = HeaderValue::from_str(&allow) {
                response.headers_mut().insert(ALLOW, value);
            }
        }
        response
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
            Error::Invalid(m) => ApiError::invalid(m),
            Error::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            Error::Refused(m) => ApiError::forbidden(m),
            Error::Unauthenticated(m) => ApiError::unauthenticated(m),
            Error::Unavailable(m) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", m),
            other => {
                // The details are for the operator's log; the client learns only that it failed.
                tracing::error!(error = %other, "request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; the daemon's log has the details",
                )
            }
        }
    }
}

/// Wraps an error as a warp rejection, for `and_then` handlers.
pub fn reject(e: impl Into<ApiError>) -> Rejection {
    warp::reject::custom(e.into())
}

/// The one place errors become responses. Handlers and filters reject with [`ApiError`]; the
/// route table's fallback rejects unmatched requests with [`NoRoute`]; warp's own rejections only
/// remain for filters used outside those (mapped here all the same).
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    if let Some(e) = rejection.find::<ApiError>() {
        return Ok(e.response());
    }
    if let Some(NoRoute(e)) = rejection.find::<NoRoute>() {
        return Ok(e.response());
    }
    let e = if rejection.is_not_found() {
        ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method not allowed on this route",
        )
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "request body too large",
        )
    } else if rejection.find::<warp::reject::UnsupportedMediaType>().is_some() {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "unsupported Content-Type",
        )
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        ApiError::new(
            StatusCode::LENGTH_REQUIRED,
            "length_required",
            "Content-Length required",
        )
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        ApiError::invalid("malformed query string")
    } else if let Some(h) = rejection.find::<warp::reject::InvalidHeader>() {
        ApiError::invalid(format!("invalid header {}", h.name()))
    } else if let Some(h) = rejection.find::<warp::reject::MissingHeader>() {
        ApiError::invalid(format!("missing header {}", h.name()))
    } else {
        tracing::error!(?rejection, "unhandled rejection");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
    };
    Ok(e.response())
}
