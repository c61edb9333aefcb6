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

/// Every error's stable machine code: the `code` of the HTTP API's error body
/// (`{"error":{"code","message"}}`) and of [`RpcError`]. A client decides by the code, never by
/// the message. Each code has one HTTP status and one [`ErrorKind`], in [`ErrorCode::http_status`]
/// and [`ErrorCode::kind`]: the only place either is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    Conflict,
    /// Known caller, not allowed.
    Forbidden,
    /// No or bad credentials.
    Unauthenticated,
    /// Docker, the database or an agent cannot be reached now; retrying later may work.
    Unavailable,
    Internal,
    /// Too many attempts: wait for the time the answer names.
    RateLimited,
    // The HTTP layer's own refusals.
    NoRoute,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    LengthRequired,
    HeadersTooLarge,
    CsrfTokenInvalid,
    CorsOriginNotAllowed,
    /// The chat proxy could not reach the caller's agent.
    BadGateway,
    // Onboarding.
    SetupTokenRequired,
    SetupTokenInvalid,
    OnboardingComplete,
    ProviderTestFailed,
    OidcDiscoveryFailed,
    /// A provider's API key must be given again: its base URL moves to another origin (scheme,
    /// host, port) while it keeps its stored key (the key is bound to the origin it was saved
    /// for), or its stored key cannot be read (saved for another provider, damaged, or encrypted
    /// under a secret key this daemon does not have).
    ApiKeyRequired,
    // OpenID Connect logins.
    OidcNotConfigured,
    OidcUnavailable,
    OidcStateInvalid,
    OidcTokenInvalid,
    OidcRefused,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::NoRoute => "no_route",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::LengthRequired => "length_required",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::CsrfTokenInvalid => "csrf_token_invalid",
            ErrorCode::CorsOriginNotAllowed => "cors_origin_not_allowed",
            ErrorCode::BadGateway => "bad_gateway",
            ErrorCode::SetupTokenRequired => "setup_token_required",
            ErrorCode::SetupTokenInvalid => "setup_token_invalid",
            ErrorCode::OnboardingComplete => "onboarding_complete",
            ErrorCode::ProviderTestFailed => "provider_test_failed",
            ErrorCode::OidcDiscoveryFailed => "oidc_discovery_failed",
            ErrorCode::ApiKeyRequired => "api_key_required",
            ErrorCode::OidcNotConfigured => "oidc_not_configured",
            ErrorCode::OidcUnavailable => "oidc_unavailable",
            ErrorCode::OidcStateInvalid => "oidc_state_invalid",
            ErrorCode::OidcTokenInvalid => "oidc_token_invalid",
            ErrorCode::OidcRefused => "oidc_refused",
        }
    }

    /// The HTTP status of an answer with this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::NotFound | ErrorCode::NoRoute | ErrorCode::OidcNotConfigured => 404,
            ErrorCode::InvalidInput
            | ErrorCode::ProviderTestFailed
            | ErrorCode::OidcDiscoveryFailed
            | ErrorCode::ApiKeyRequired
            | ErrorCode::OidcStateInvalid => 400,
            ErrorCode::Conflict | ErrorCode::OnboardingComplete => 409,
            ErrorCode::Forbidden
            | ErrorCode::CsrfTokenInvalid
            | ErrorCode::CorsOriginNotAllowed
            | ErrorCode::OidcRefused => 403,
            ErrorCode::Unauthenticated
            | ErrorCode::SetupTokenRequired
            | ErrorCode::SetupTokenInvalid
            | ErrorCode::OidcTokenInvalid => 401,
            ErrorCode::Unavailable | ErrorCode::OidcUnavailable => 503,
            ErrorCode::Internal => 500,
            ErrorCode::RateLimited => 429,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::LengthRequired => 411,
            ErrorCode::HeadersTooLarge => 431,
            ErrorCode::BadGateway => 502,
        }
    }

    /// The kind an RPC error of this code has (and so `mosaicctl`'s exit code).
    pub fn kind(self) -> ErrorKind {
        // An issuer that cannot be used is the request's problem over HTTP (400), and for a
        // script an unavailable dependency (exit status 8).
        if self == ErrorCode::OidcDiscoveryFailed {
            return ErrorKind::Unavailable;
        }
        match self.http_status() {
            404 => ErrorKind::NotFound,
            400 | 405 | 411 | 413 | 415 | 431 => ErrorKind::InvalidInput,
            409 => ErrorKind::Conflict,
            401 | 403 | 429 => ErrorKind::Refused,
            502 | 503 => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer of the HTTP API: `{"error":{"code":…,"message":…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Error))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Machine-readable and stable: a client decides by it.
    pub code: ErrorCode,
    /// For a person; never contains a secret.
    pub message: String,
}

/// The error every RPC returns. The message is meant for a person and never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RpcError {
    pub kind: ErrorKind,
    pub code: ErrorCode,
    pub message: String,
}

impl RpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        RpcError {
            kind: code.kind(),
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_names_of_themselves() {
        for code in [ErrorCode::NotFound, ErrorCode::OidcRefused, ErrorCode::RateLimited] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        assert_eq!(ErrorCode::SetupTokenInvalid.kind(), ErrorKind::Refused);
        assert_eq!(ErrorCode::OnboardingComplete.kind(), ErrorKind::Conflict);
    }
}
