//! The daemon's shared state. One `App` per process, behind an `Arc`; the RPC server and the
//! HTTP server both call the service methods defined on it in `service/`, so a rule exists once.

use std::sync::Arc;
use std::time::Instant;

use crate::auth::password::PasswordHasher;
use crate::config::Config;
use crate::containers::{ContainerManager, ManagerSettings};
use crate::http::proxy::ChatProxy;
use crate::metrics::Metrics;
use crate::secrets::Keyring;
use crate::service::oidc::OidcCache;
use crate::service::settings::OriginsCache;
use crate::store::Db;

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
