//! The one JSON error shape, `{"error":{"code":…,"message":…}}`, and the one place rejections
//! become responses ([`recover`]).

use std::convert::Infallible;

use warp::http::header::{ALLOW, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Rejection, Reply};

use mosaic_shared::{ErrorBody, ErrorCode, ErrorDetail};

use crate::error::Error;

/// An error on its way to the client: the daemon's [`Error`] (whose code decides the status)
/// and, for a 405, the methods the route does accept.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub error: Error,
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
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::new(code, message).into()
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn code(&self) -> ErrorCode {
        self.error.code()
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.error.code().http_status()).expect("a valid status")
    }

    /// The response, in the one JSON shape; the error's detail goes to the log, not the client.
    pub fn response(&self) -> Response {
        self.error.log("request failed");
        let status = self.status();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.error.code(),
                message: self.error.message().to_string(),
            },
        };
        let mut response = warp::reply::with_status(warp::reply::json(&body), status).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"mosaic\""));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // Docker or the database is away, or an agent is still starting: worth a retry.
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if let Some(wait) = self.error.retry_after() {
            // The wait the throttle named, in whole seconds rounded up.
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(crate::error::retry_after_seconds(wait)));
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
    fn from(error: Error) -> Self {
        ApiError {
            error,
            allow: Vec::new(),
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
        ApiError::new(ErrorCode::NoRoute, "no such route")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed on this route")
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        ApiError::new(ErrorCode::PayloadTooLarge, "request body too large")
    } else if rejection.find::<warp::reject::UnsupportedMediaType>().is_some() {
        ApiError::new(ErrorCode::UnsupportedMediaType, "unsupported Content-Type")
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        ApiError::new(ErrorCode::LengthRequired, "Content-Length required")
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        ApiError::invalid("malformed query string")
    } else if let Some(h) = rejection.find::<warp::reject::InvalidHeader>() {
        ApiError::invalid(format!("invalid header {}", h.name()))
    } else if let Some(h) = rejection.find::<warp::reject::MissingHeader>() {
        ApiError::invalid(format!("missing header {}", h.name()))
    } else {
        ApiError::from(Error::internal(format!("unhandled rejection: {rejection:?}")))
    };
    Ok(e.response())
}
