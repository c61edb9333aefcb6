//! The daemon's one error type. An error carries its stable [`ErrorCode`] (which decides the HTTP
//! status and the RPC error kind, in one table in the `shared` crate), a message fit to show to
//! the person who made the request (it names what went wrong in the product's words and never
//! carries a secret), and optionally a detail for the operator's log only (a database error, a
//! network error). The RPC layer turns it into an `RpcError`, the HTTP layer into the JSON error
//! shape; neither adds wording or status mapping of its own.

use std::sync::Arc;
use std::time::Duration;

use mosaic_shared::{ErrorCode, ErrorKind, RpcError};

use crate::secrets::SecretError;

#[derive(Debug, Clone)]
pub struct Error {
    code: ErrorCode,
    message: String,
    /// For the log only: what a person using Mosaic need not (or must not) read.
    detail: Option<Arc<str>>,
    /// For [`ErrorCode::RateLimited`]: how long until another attempt may succeed (the HTTP
    /// answer's `Retry-After`).
    retry_after: Option<Duration>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// What an internal failure tells the person who asked: that it failed, not how.
pub const INTERNAL_MESSAGE: &str = "internal error; the daemon's log has the details";

/// A wait in whole seconds, rounded up and at least 1: the value of a `Retry-After` header.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

/// An error and its causes in one line, each cause once (`a: b: c`).
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(next) = cause {
        let part = next.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = next.source();
    }
    text
}

/// The innermost cause of an error: for a failed request, what the network said.
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            detail: None,
            retry_after: None,
        }
    }

    /// Adds what only the operator's log shows.
    pub fn with_detail(mut self, detail: impl std::fmt::Display) -> Error {
        self.detail = Some(detail.to_string().into());
        self
    }

    /// The same error under another code (its message and detail kept).
    pub fn with_code(mut self, code: ErrorCode) -> Error {
        self.code = code;
        self
    }

    /// The same error with another message (its code and detail kept).
    pub fn with_message(mut self, message: impl Into<String>) -> Error {
        self.message = message.into();
        self
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn conflict(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::Conflict, message)
    }

    /// The caller is known but may not do this.
    pub fn refused(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// The caller is not known (no or bad credentials).
    pub fn unauthenticated(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// A dependency (Docker, the database, an agent) cannot be reached now; retrying later may
    /// work.
    pub fn unavailable(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::Unavailable, message)
    }

    /// Too many failed attempts: the next may be made after `wait`, which the message names in
    /// whole seconds (rounded up, as `Retry-After` does).
    pub fn rate_limited(what: &str, wait: Duration) -> Error {
        let seconds = retry_after_seconds(wait);
        let unit = if seconds == 1 { "second" } else { "seconds" };
        let mut e = Self::new(
            ErrorCode::RateLimited,
            format!("too many failed {what}; try again in {seconds} {unit}"),
        );
        e.retry_after = Some(wait);
        e
    }

    /// Startup configuration that cannot work: the message is for the operator starting mosaicd.
    pub fn config(message: impl Into<String>) -> Error {
        Self::new(ErrorCode::Internal, message)
    }

    /// A failure inside the daemon: the person who asked reads only that it failed; `detail` is
    /// for the log.
    pub fn internal(detail: impl std::fmt::Display) -> Error {
        Self::new(ErrorCode::Internal, INTERNAL_MESSAGE).with_detail(detail)
    }

    /// An I/O failure at startup or in the daemon's own files: `context` says what was being
    /// done, the detail what the system said.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Self::new(ErrorCode::Internal, context).with_detail(source)
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The error kind a client sees; decides the CLI exit code.
    pub fn kind(&self) -> ErrorKind {
        self.code.kind()
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// How long to wait before trying again, for a rate-limited request.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// Message and detail in one line, for the operator (startup failures, logs).
    pub fn full(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{}: {detail}", self.message),
            None => self.message.clone(),
        }
    }

    /// Whether this is a failure of the daemon (HTTP 500) rather than of the request.
    pub fn is_internal(&self) -> bool {
        self.code == ErrorCode::Internal
    }

    /// Writes the error to the log as the boundary (HTTP or RPC) answers it: internal failures
    /// as errors with their detail, others only when they carry a detail.
    pub fn log(&self, context: &str) {
        match (self.is_internal(), self.detail()) {
            (true, detail) => {
                tracing::error!(code = %self.code, error = %self.message, detail = detail.unwrap_or(""), "{context}")
            }
            (false, Some(detail)) => {
                tracing::warn!(code = %self.code, error = %self.message, detail, "{context}")
            }
            (false, None) => {}
        }
    }
}

/// Whether a database's error code says it is away or busy for now rather than that the query
/// is wrong: PostgreSQL's connection exceptions (class 08), a server shutting down or starting
/// (`57P01` an operator's restart, `57P02`, `57P03`) and too many connections (`53300`); SQLite's
/// busy and locked (primary codes 5 and 6, in any extended form) once its busy timeout ran out.
fn database_away(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    if code.len() == 5 {
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300");
    }
    code.parse::<u32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::not_found("not found"),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Error::conflict("an object with that name already exists").with_detail(chain(&e))
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                Error::invalid("a referenced object does not exist").with_detail(chain(&e))
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                Error::unavailable("the database cannot be reached right now; try again in a moment")
                    .with_detail(chain(&e))
            }
            sqlx::Error::Database(db) if database_away(db.code().as_deref()) => {
                Error::unavailable("the database cannot be reached right now; try again in a moment")
                    .with_detail(chain(&e))
            }
            _ => Error::internal(format!("database error: {}", chain(&e))),
        }
    }
}

impl From<SecretError> for Error {
    fn from(e: SecretError) -> Self {
        match e {
            // A startup key problem is the operator's to read in full.
            SecretError::Key(_) => Error::config(e.to_string()),
            _ => Error::new(
                ErrorCode::Internal,
                "a stored secret cannot be read (it was altered, copied from elsewhere, or written under a key \
                 this daemon does not have); the daemon's log has the details",
            )
            .with_detail(e),
        }
    }
}

impl From<Error> for RpcError {
    fn from(e: Error) -> Self {
        e.log("admin request failed");
        RpcError::new(e.code, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_away_or_busy_are_unavailable() {
        for code in [
            "57P01", "57P02", "57P03", "08006", "08001", "53300", "5", "6", "261", "517", "262",
        ] {
            assert!(database_away(Some(code)), "{code}");
        }
        for code in ["23505", "42P01", "22001", "19", "1", "2067", "787"] {
            assert!(!database_away(Some(code)), "{code}");
        }
        assert!(!database_away(None));
    }
}
