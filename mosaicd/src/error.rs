//! The daemon's one error type. Every variant's message is fit to show to the person who made the
//! request: it names what went wrong and never carries a secret. The RPC layer turns it into an
//! `RpcError`, the HTTP layer into the JSON error shape; neither adds wording of its own.

use mosaic_shared::{ErrorKind, RpcError};

use crate::secrets::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Refused(String),
    /// The caller is not known (no or bad credentials).
    #[error("{0}")]
    Unauthenticated(String),
    /// A dependency (Docker, the database) cannot be reached now; retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// Startup configuration that cannot work.
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The error kind a client sees; also decides the HTTP status and the CLI exit code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Invalid(_) => ErrorKind::InvalidInput,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Refused(_) | Error::Unauthenticated(_) => ErrorKind::Refused,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Config(_) | Error::Secret(_) | Error::Database(_) | Error::Io { .. } | Error::Internal(_) => {
                ErrorKind::Internal
            }
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound("not found".into()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Error::Conflict("an object with that name already exists".into())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                Error::Invalid("a referenced object does not exist".into())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                Error::Unavailable(format!("database unavailable: {e}"))
            }
            _ => Error::Database(e),
        }
    }
}

impl From<Error> for RpcError {
    fn from(e: Error) -> Self {
        let kind = e.kind();
        if kind == ErrorKind::Internal {
            // Internal details go to the daemon's log; the client gets the message, which is
            // written to be safe to show.
            tracing::error!(error = %e, "request failed");
        }
        RpcError::new(kind, e.to_string())
    }
}
