//! The wire contract between `mosaicctl` and `mosaicd`: the handshake that opens every admin-socket
//! connection, the tarpc service, its data types and its error. Nothing here knows about Docker,
//! databases or HTTP servers; both programs depend on this crate and nothing else of each other.

pub mod duration;
pub mod error;
pub mod handshake;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod openclaw_text;
pub mod paths;
pub mod policy;
pub mod sensitive;
pub mod types;
pub mod words;

pub use error::{ErrorBody, ErrorCode, ErrorDetail, ErrorKind, RpcError};
pub use sensitive::Sensitive;

/// The version both programs are built from.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Bumped whenever the RPC surface changes incompatibly. Checked in the handshake, so a client and
/// daemon that cannot understand each other say so instead of failing on a decode error.
pub const PROTOCOL_VERSION: u32 = 2;

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

    // Onboarding (first boot): the terminal wizard's side of the steps the WebUI takes over HTTP
    // with the setup token. Each works only until onboarding is complete (`Conflict` after).

    /// Which onboarding steps are done, skipped or pending.
    async fn onboarding_status() -> RpcResult<types::OnboardingStatus>;

    /// Issues a fresh setup token for the WebUI's onboarding endpoints, replacing the previous
    /// one. `Conflict` once onboarding is complete.
    async fn onboarding_setup_token() -> RpcResult<types::SetupToken>;

    /// Fetches and checks an issuer's OpenID Connect discovery document and keys, as step 2 does
    /// before saving. `Unavailable` with a clear reason when the issuer cannot be used.
    async fn onboarding_check_oidc_issuer(issuer_url: String) -> RpcResult<types::OidcIssuerCheck>;

    /// Step 1: creates the breakglass admin, or sets a new password for one of that name.
    async fn onboarding_breakglass(username: String, password: Sensitive) -> RpcResult<types::OnboardingStatus>;

    /// Step 2: checks the issuer's discovery document, then saves the OIDC client settings.
    /// An absent client secret keeps a stored one.
    async fn onboarding_oidc(input: types::OidcInput) -> RpcResult<types::OnboardingStatus>;

    /// Step 3: tests the provider's connection and saves it (as the default admin-level
    /// provider) only if the test passes; run again, it edits that provider.
    async fn onboarding_provider(input: types::NewProvider) -> RpcResult<types::ProviderStepResult>;

    /// Step 4: adds the listed system agents that do not exist yet and starts their containers
    /// (slow: use a long deadline).
    async fn onboarding_system_agents(input: types::SystemAgentsInput) -> RpcResult<types::SystemAgentsSaved>;

    /// Records that an optional step is skipped (skipping OIDC removes OIDC settings).
    async fn onboarding_skip(step: types::SkippableStep) -> RpcResult<types::OnboardingStatus>;

    /// Completes onboarding once every step is done or skipped; `Conflict` naming what is left.
    async fn onboarding_complete() -> RpcResult<types::OnboardingStatus>;

    // ---- Settings: providers, users, agent config and system config, sharing the HTTP API's
    // rules. A USER is a user id, an email or a breakglass username; the daemon resolves it.

    /// A user's providers (`user` given) or the admin-level ones system agents use (`None`).
    async fn providers_list(user: Option<String>) -> RpcResult<Vec<types::Provider>>;

    /// One provider, by id or name, among that owner's providers.
    async fn provider_get(user: Option<String>, provider: String) -> RpcResult<types::Provider>;

    async fn provider_create(user: Option<String>, input: types::NewProvider) -> RpcResult<types::Provider>;

    async fn provider_update(
        user: Option<String>,
        provider: String,
        patch: types::ProviderPatch,
    ) -> RpcResult<types::Provider>;

    async fn provider_delete(user: Option<String>, provider: String) -> RpcResult<()>;

    /// Lists the provider's models with its stored key (slow: use a long deadline).
    async fn provider_test(user: Option<String>, provider: String) -> RpcResult<types::ConnectionTest>;

    /// One page of users; `None` takes the HTTP API's defaults (page 1, 50 per page; at most
    /// 100 per page, so no answer grows with the number of users).
    async fn users_list(page: Option<i64>, limit: Option<i64>) -> RpcResult<types::Page<types::AdminUser>>;

    async fn user_get(user: String) -> RpcResult<types::AdminUser>;

    /// Invites a user; the answer carries the one-time invite link.
    async fn user_invite(request: types::InviteRequest) -> RpcResult<types::Invitation>;

    async fn user_update(user: String, patch: types::UserPatch) -> RpcResult<types::AdminUser>;

    /// Ends the user's access (sessions, tokens, invites) and stops their container.
    async fn user_deactivate(user: String) -> RpcResult<types::AdminUser>;

    async fn user_reactivate(user: String) -> RpcResult<types::AdminUser>;

    async fn agent_config_get(user: String) -> RpcResult<types::AgentConfig>;

    /// Replaces the user's agent config; `providerId` may be the id or the name of one of the
    /// user's providers.
    async fn agent_config_set(user: String, input: types::AgentConfigInput) -> RpcResult<types::AgentConfig>;

    /// Every system setting.
    async fn config_list() -> RpcResult<Vec<types::ConfigEntry>>;

    async fn config_get(key: String) -> RpcResult<types::ConfigEntry>;

    /// Sets one or more settings of one group (`http.*` and `providers.*`, `oidc.*`, `agent.*`)
    /// together; answers the changed settings.
    async fn config_set(changes: Vec<types::ConfigChange>) -> RpcResult<Vec<types::ConfigEntry>>;

    /// Returns settings to their defaults (`oidc` removes the whole OIDC client).
    async fn config_unset(keys: Vec<String>) -> RpcResult<Vec<types::ConfigEntry>>;

    // ---- Agent containers. A target is a user id, a user's email, a breakglass username,
    // `user/<id>` or `system/<name>`.

    /// One page of container statuses (system containers first, then user containers oldest
    /// first), paginated as `users_list`.
    async fn containers_list(page: Option<i64>, limit: Option<i64>) -> RpcResult<types::Page<types::ContainerStatus>>;

    /// One container's status and what Docker says about it.
    async fn container_inspect(target: String) -> RpcResult<types::ContainerDetail>;

    /// Starts the container unless it runs; answers once it is healthy (slow: use a long deadline).
    async fn container_start(target: String) -> RpcResult<types::StartResult>;

    /// Stops and removes the container; its state volume stays.
    async fn container_stop(target: String) -> RpcResult<types::ContainerStatus>;

    /// Stops and starts the container with a fresh config.
    async fn container_restart(target: String) -> RpcResult<types::ContainerStatus>;

    /// One reaper pass now: stops every idle user container.
    async fn containers_reap() -> RpcResult<types::ReapReport>;

    /// Adds an always-on system agent and starts its container.
    async fn system_agent_add(spec: types::SystemAgentSpec) -> RpcResult<types::SystemAgent>;

    async fn system_agents_list() -> RpcResult<Vec<types::SystemAgent>>;

    /// Removes a system agent, its container and its state volume.
    async fn system_agent_remove(name: String) -> RpcResult<()>;

    /// Checks an agent image (the configured one when `None`): the Docker engine, the image on
    /// the engine or in its registry, its OpenClaw version, and a trial start of a throwaway
    /// container that is removed afterwards (slow: use a long deadline).
    async fn containers_doctor(image: Option<String>) -> RpcResult<types::DoctorReport>;

    /// The `openclaw.json` and `SOUL.md` the agent (a user, or `system/<name>`) would receive at
    /// its next start, keys masked.
    async fn agent_config_render(target: String) -> RpcResult<types::RenderedAgentConfig>;

    /// Chat usage figures (never contents) over a range of days, for every user or one, as
    /// `GET /api/admin/usage` answers them.
    async fn usage_report(query: types::UsageQuery) -> RpcResult<types::UsageReport>;

    // ---- Online backup. The daemon copies the database into its own data directory (SQLite's
    // online backup API, or pg_dump), checks the copy, and the client reads it in chunks of at
    // most `BACKUP_CHUNK_BYTES` and then finishes it, which removes the daemon's copy.

    /// Starts a backup; one at a time (`Conflict` while another runs). On PostgreSQL without
    /// pg_dump on the daemon's host: `Unavailable`, with the pg_dump command to run instead.
    async fn backup_start() -> RpcResult<types::BackupStatus>;

    async fn backup_status(id: String) -> RpcResult<types::BackupStatus>;

    async fn backup_read(id: String, offset: u64, len: u64) -> RpcResult<types::BackupChunk>;

    /// Removes the daemon's copy (also when the client gives up midway).
    async fn backup_finish(id: String) -> RpcResult<()>;
}

/// The most one `backup_read` returns: base64 of it fits a frame with room to spare.
pub const BACKUP_CHUNK_BYTES: u64 = 1024 * 1024;
