//! The daemon as one value: the narrow services of `service/`, composed, and the handles the
//! servers themselves need (config, container manager, metrics). One `App` per process, behind an
//! `Arc`; a handler names the service it uses (`app.providers().create_provider(…)`), and a test
//! can build any one service without the rest.

use std::sync::Arc;
use std::time::Instant;

use mosaic_shared::types::{Counts, DatabaseInfo, Status};

use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::containers::{ContainerManager, ManagerSettings};
use crate::error::Result;
use crate::metrics::Metrics;
use crate::secrets::Keyring;
use crate::service::agents::Agents;
use crate::service::auth::Auth;
use crate::service::backup::Backup;
use crate::service::config::SystemConfig;
use crate::service::keys::Keys;
use crate::service::oidc::Oidc;
use crate::service::onboarding::Onboarding;
use crate::service::providers::Providers;
use crate::service::settings::Settings;
use crate::service::usage::Usage;
use crate::service::users::Users;
use crate::store::{Db, counts, system_config};

/// At most this many password hashes run at once (fewer on a machine with fewer cores).
const MAX_CONCURRENT_HASHES: usize = 4;

pub struct App {
    config: Arc<Config>,
    db: Db,
    containers: ContainerManager,
    metrics: Arc<Metrics>,
    started: Instant,
    settings: Arc<Settings>,
    users: Arc<Users>,
    auth: Arc<Auth>,
    providers: Arc<Providers>,
    agents: Arc<Agents>,
    oidc: Arc<Oidc>,
    onboarding: Arc<Onboarding>,
    keys: Arc<Keys>,
    system_config: Arc<SystemConfig>,
    usage: Arc<Usage>,
    backup: Arc<Backup>,
}

impl App {
    /// `config.instance` should be the resolved instance name (see `containers::resolve_instance`,
    /// which `mosaicd::start` calls); without one a random name is used.
    pub fn new(config: Config, db: Db, keyring: Keyring) -> App {
        App::with_clock(config, db, keyring, Clock::system())
    }

    /// As [`App::new`], with the clock every expiry and idle time reads (an adjustable one in
    /// tests).
    pub fn with_clock(config: Config, db: Db, keyring: Keyring, clock: Clock) -> App {
        let instance = config
            .instance
            .clone()
            .unwrap_or_else(|| hex::encode(rand::random::<[u8; 4]>()));
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let config = Arc::new(config);
        let keyring = Arc::new(keyring);
        let metrics = Arc::new(Metrics::default());
        let containers = ContainerManager::new(
            db.clone(),
            keyring.clone(),
            metrics.clone(),
            ManagerSettings {
                docker_host: config.docker_host.clone(),
                runtime: config.runtime,
                instance,
                extra_labels: config.docker_labels.clone(),
                agent_api_url: config.agent_api_url.clone(),
                internal_listen: config.internal_listen,
                host_firewall: config.host_firewall,
                reaper_interval: config.reaper_interval,
                reconcile_interval: config.reconcile_interval,
                clock: clock.clone(),
            },
        );
        // Each hash holds 19 MiB of pooled argon2 memory: four at once bound that at 76 MiB.
        let hasher = Arc::new(PasswordHasher::new(cores.min(MAX_CONCURRENT_HASHES)));
        let settings = Arc::new(Settings::new(db.clone(), config.clone(), containers.clone()));
        let users = Arc::new(Users::new(
            db.clone(),
            config.clone(),
            clock.clone(),
            settings.clone(),
            containers.clone(),
        ));
        let auth = Arc::new(Auth::new(
            db.clone(),
            config.clone(),
            clock.clone(),
            hasher,
            users.clone(),
            containers.clone(),
        ));
        let providers = Arc::new(Providers::new(
            db.clone(),
            keyring.clone(),
            config.clone(),
            settings.clone(),
            users.clone(),
            containers.clone(),
        ));
        let agents = Arc::new(Agents::new(
            db.clone(),
            keyring.clone(),
            containers.clone(),
            users.clone(),
            providers.clone(),
        ));
        let oidc = Arc::new(Oidc::new(
            db.clone(),
            keyring.clone(),
            config.clone(),
            clock.clone(),
            auth.clone(),
            settings.clone(),
        ));
        let onboarding = Arc::new(Onboarding::new(
            db.clone(),
            keyring.clone(),
            config.clone(),
            auth.clone(),
            oidc.clone(),
            providers.clone(),
            agents.clone(),
        ));
        let usage = Arc::new(Usage::new(db.clone(), metrics.clone()));
        let backup = Arc::new(Backup::new(db.clone(), config.clone(), &keyring));
        let keys = Arc::new(Keys::new(db.clone(), keyring));
        let system_config = Arc::new(SystemConfig::new(
            db.clone(),
            settings.clone(),
            oidc.clone(),
            usage.clone(),
        ));
        App {
            config,
            db,
            containers,
            metrics,
            started: Instant::now(),
            settings,
            users,
            auth,
            providers,
            agents,
            oidc,
            onboarding,
            keys,
            system_config,
            usage,
            backup,
        }
    }

    /// When the daemon started, for its uptime.
    pub fn started(&self) -> Instant {
        self.started
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The database, for what the servers do themselves (readiness, shutdown).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The agent containers' lifecycle (see `containers`).
    pub fn containers(&self) -> &ContainerManager {
        &self.containers
    }

    /// Prometheus metrics; shared with the container manager, which reports starts and stops.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn users(&self) -> &Users {
        &self.users
    }

    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    pub fn agents(&self) -> &Agents {
        &self.agents
    }

    pub fn oidc(&self) -> &Oidc {
        &self.oidc
    }

    pub fn onboarding(&self) -> &Onboarding {
        &self.onboarding
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn system_config(&self) -> &SystemConfig {
        &self.system_config
    }

    /// Chat usage figures: the proxy's tickets, their flusher, reports and retention.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// Online backups (`mosaicctl admin backup`).
    pub fn backup(&self) -> &Backup {
        &self.backup
    }

    /// Version, uptime, database, onboarding state and counts (`mosaicctl status`).
    pub async fn status(&self) -> Result<Status> {
        let mut ex = self.db.ex();
        let counts = counts::counts(&mut ex).await?;
        let onboarding_complete = system_config::flag(&mut ex, system_config::ONBOARDING_COMPLETED).await?;
        Ok(Status {
            version: mosaic_shared::VERSION.to_string(),
            protocol: mosaic_shared::PROTOCOL_VERSION,
            uptime_seconds: self.started.elapsed().as_secs(),
            database: DatabaseInfo {
                backend: self.db.backend().name().to_string(),
                location: self.db.location().to_string(),
            },
            onboarding_complete,
            counts: Counts {
                users: counts.users as u64,
                providers: counts.providers as u64,
                running_containers: counts.running_containers as u64,
            },
        })
    }
}
