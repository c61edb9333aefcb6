//! The wire contract between `mosaicctl` and `mosaicd`: the handshake that opens every admin-socket
//! connection, the tarpc service, its data types and its error. Nothing here knows about Docker,
//! databases or HTTP servers; both programs depend on this crate and nothing else of each other.

pub mod error;
pub mod handshake;
pub mod paths;
pub mod policy;
pub mod sensitive;
pub mod types;

pub use error::{ErrorKind, RpcError};
pub use sensitive::Sensitive;

/// The version both programs are built from.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Bumped whenever the RPC surface changes incompatibly. Checked in the handshake, so a client and
/// daemon that cannot understand each other say so instead of failing on a decode error.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest frame either side accepts on the admin socket. Anything bigger is garbage or an attack;
/// the connection is closed and nothing else is affected.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// The framing used on the admin socket: a 4-byte big-endian length, then a JSON document.
pub fn frame_codec() -> tarpc::tokio_util::codec::LengthDelimitedCodec {
    tarpc::tokio_util::codec::LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME_BYTES)
        .new_codec()
}

pub type RpcResult<T> = Result<T, RpcError>;

/// The admin service `mosaicd` serves on its Unix socket.
#[tarpc::service]
pub trait Admin {
    /// Version, uptime, database backend, onboarding state and counts.
    async fn status() -> RpcResult<types::Status>;

    /// Creates a breakglass admin. Fails with `Conflict` if the name is taken.
    async fn create_breakglass(username: String, password: Sensitive) -> RpcResult<types::Breakglass>;

    /// Sets a new password for an existing breakglass admin.
    async fn reset_breakglass(username: String, password: Sensitive) -> RpcResult<types::Breakglass>;

    /// Lists breakglass admins (never their password hashes).
    async fn list_breakglass() -> RpcResult<Vec<types::Breakglass>>;

    /// Re-encrypts every stored secret under a new key. With `new_key` absent the daemon generates
    /// one and stores it in its key file; a key given from the environment must be replaced by the
    /// operator, so then the new key must be supplied.
    async fn rotate_key(new_key: Option<Sensitive>) -> RpcResult<types::RotationReport>;

    // Onboarding (first boot). The steps themselves go through the generic RPCs (breakglass
    // above, providers and config); these are the onboarding-only operations.

    /// Which onboarding steps are done, skipped or pending.
    async fn onboarding_status() -> RpcResult<types::OnboardingStatus>;

    /// Issues a fresh setup token for the WebUI's onboarding endpoints, replacing the previous
    /// one. `Conflict` once onboarding is complete.
    async fn onboarding_setup_token() -> RpcResult<types::SetupToken>;

    /// Fetches and checks an issuer's OpenID Connect discovery document and keys, as step 2 does
    /// before saving. `Unavailable` with a clear reason when the issuer cannot be used.
    async fn onboarding_check_oidc_issuer(issuer_url: String) -> RpcResult<types::OidcIssuerCheck>;

    /// Records that an optional step is skipped (skipping OIDC removes OIDC settings).
    async fn onboarding_skip(step: types::SkippableStep) -> RpcResult<types::OnboardingStatus>;

    /// Completes onboarding once every step is done or skipped; `Conflict` naming what is left.
    async fn onboarding_complete() -> RpcResult<types::OnboardingStatus>;
}
