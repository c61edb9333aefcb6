//! The daemon's shared state. One `App` per process, behind an `Arc`; the RPC server and the
//! HTTP server both call the service methods defined on it in `service/`, so a rule exists once.

use std::fmt;
use std::time::Instant;

use crate::auth::password::PasswordHasher;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::secrets::Keyring;
use crate::service::oidc::OidcCache;
use crate::service::settings::OriginsCache;
use crate::store::Db;

pub struct App {
    pub config: Config,
    pub db: Db,
    pub keyring: Keyring,
    pub hasher: PasswordHasher,
    pub started: Instant,
    pub metrics: Metrics,
    /// Held for the duration of a key rotation: one at a time.
    pub(crate) rotation: tokio::sync::Mutex<()>,
    pub(crate) origins_cache: OriginsCache,
    pub(crate) oidc_cache: OidcCache,
}

impl App {
    pub fn new(config: Config, db: Db, keyring: Keyring) -> App {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        App {
            config,
            db,
            keyring,
            hasher: PasswordHasher::new(cores),
            started: Instant::now(),
            metrics: Metrics::default(),
            rotation: tokio::sync::Mutex::new(()),
            origins_cache: OriginsCache::default(),
            oidc_cache: OidcCache::default(),
        }
    }
}

/// Who asked for something, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The daemon itself: the reaper, reconciliation, startup.
    System,
    /// A local administrator on the admin socket.
    Socket { uid: u32 },
    /// A logged-in user of the HTTP API.
    User { id: String },
    /// Whoever presented the setup token to the WebUI's onboarding endpoints.
    SetupToken,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str(crate::store::audit::SYSTEM),
            Actor::Socket { uid } => write!(f, "admin-socket:uid={uid}"),
            Actor::User { id } => write!(f, "user:{id}"),
            Actor::SetupToken => f.write_str("onboarding:setup-token"),
        }
    }
}
