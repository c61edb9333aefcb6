use mosaic_shared::{ErrorKind, RpcError};

/// Exit code for "mosaicd cannot be reached". The other codes come from [`ErrorKind::exit_code`].
pub const EXIT_UNREACHABLE: i32 = 3;
/// Exit code for a provider connection test that ran and did not succeed: the daemon answered,
/// the provider did not (or refused the key).
pub const EXIT_TEST_FAILED: i32 = 9;

/// A failure with the exit code it ends the process with and the one line that explains it.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(EXIT_UNREACHABLE, message)
    }

    pub fn kind(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind.exit_code(), message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::kind(ErrorKind::InvalidInput, message)
    }
}

impl From<RpcError> for CliError {
    fn from(e: RpcError) -> Self {
        CliError::kind(e.kind, e.message)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::new(1, e.to_string())
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
