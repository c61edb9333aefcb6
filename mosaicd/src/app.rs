//! The daemon's shared state. One `App` per process, behind an `Arc`; the RPC server and the
//! HTTP server both call the service methods defined on it in `service/`, so a rule exists once.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::auth::password::PasswordHasher;
use crate::config::Config;
use crate::containers::{ContainerManager, ManagerSettings};
use crate::metrics::Metrics;
use crate::proxy::ChatProxy;
use crate::secrets::Keyring;
use crate::service::backup::Backups;
use crate::service::oidc::OidcCache;
use crate::service::settings::OriginsCache;
use crate::store::Db;
use crate::usage::Recorder;

pub struct App {
    pub config: Config,
    pub db: Db,
    pub keyring: Arc<Keyring>,
    pub hasher: PasswordHasher,
    /// The agent containers (see `containers`).
    pub containers: ContainerManager,
    pub started: Instant,
    /// Prometheus metrics; shared with the container manager, which reports starts and stops.
    pub metrics: Arc<Metrics>,
    /// The chat proxy's client and limits (see `proxy`).
    pub proxy: ChatProxy,
    /// Chat usage figures not yet written (see `usage`).
    pub usage: Arc<Recorder>,
    /// The online backup in progress (see `service::backup`).
    pub(crate) backups: Backups,
    /// Held for the duration of a key rotation: one at a time.
    pub(crate) rotation: tokio::sync::Mutex<()>,
    pub(crate) origins_cache: OriginsCache,
    pub(crate) oidc_cache: OidcCache,
}

impl App {
    /// `config.instance` should be the resolved instance name (see `containers::resolve_instance`,
    /// which `mosaicd::start` calls); without one a random name is used.
    pub fn new(config: Config, db: Db, keyring: Keyring) -> App {
        let instance = config
            .instance
            .clone()
            .unwrap_or_else(|| hex::encode(rand::random::<[u8; 4]>()));
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let keyring = Arc::new(keyring);
        let metrics = Arc::new(Metrics::default());
        let containers = ContainerManager::new(
            db.clone(),
            keyring.clone(),
            metrics.clone(),
            ManagerSettings {
                docker_host: config.docker_host.clone(),
                instance,
                extra_labels: config.docker_labels.clone(),
                agent_api_url: config.agent_api_url.clone(),
                internal_listen: config.internal_listen,
                reaper_interval: config.reaper_interval,
                reconcile_interval: config.reconcile_interval,
            },
        );
        App {
            proxy: ChatProxy::new(config.http.chat_heartbeat_interval),
            usage: Arc::new(Recorder::new(metrics.clone())),
            backups: Backups::default(),
            config,
            db,
            keyring,
            hasher: PasswordHasher::new(cores),
            containers,
            started: Instant::now(),
            metrics,
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
