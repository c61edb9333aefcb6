use serde::{Deserialize, Serialize};

/// What kind of failure an RPC reports. `mosaicctl` maps each kind to its own exit code, so scripts
/// can tell "not found" from "invalid input" from "refused" without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The named object does not exist (or is not visible to the caller).
    NotFound,
    /// The request itself is wrong: a bad name, a weak password, a malformed value.
    InvalidInput,
    /// The request collides with existing state: a duplicate name, a state that forbids it.
    Conflict,
    /// The caller may not do this.
    Refused,
    /// Something the daemon depends on (Docker, the database) is unreachable right now.
    Unavailable,
    /// A bug or an unexpected failure inside the daemon.
    Internal,
}

impl ErrorKind {
    /// The process exit code `mosaicctl` uses for this kind. Documented in the man page.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::NotFound => 4,
            ErrorKind::InvalidInput => 5,
            ErrorKind::Refused => 6,
            ErrorKind::Conflict => 7,
            ErrorKind::Unavailable => 8,
        }
    }
}

/// The error every RPC returns. The message is meant for a person and never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RpcError {
    pub kind: ErrorKind,
    pub message: String,
}

impl RpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        RpcError {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
}
