//! The container manager: one OpenClaw container per user and per system agent, on the real
//! Docker Engine.
//!
//! This file is the public API ([`ContainerManager`]); the rest by concern: [`naming`] (which
//! agent, the agent network, the instance name), `target` (what this process knows of each
//! container), `start` (the start pipeline and adoption), `stop`, [`reconcile`] and [`reaper`]
//! (keeping Docker and the database equal, stopping idle containers), `coordination` (locks,
//! leader and activity leases shared with other replicas), [`agent_config`] and
//! [`spec`] (what a container is given), [`settings`] (the agent runtime settings), [`doctor`].
//!
//! # Interface (used by the HTTP API and the admin socket)
//!
//! - [`ContainerManager::ensure_running`]`(target) -> Upstream`: the container's address and
//!   gateway token. A running container answers at once, without a Docker call: a container that
//!   dies (killed from outside, crashed) is taken out of service by its Docker event (`events`),
//!   and the next request restarts it; a caller that cannot connect to the agent asks again with
//!   [`ContainerManager::ensure_running_checked`], which checks with Docker (the event may still
//!   be in flight). Admin commands (`ensure_running_as`) always check with Docker. A cold start holds the caller until the
//!   gateway's `/readyz` answers `{"ready":true}` (`/healthz` for a gateway without it); concurrent callers share one start (single
//!   flight); the start runs in its own task, so a caller that gives up does not leave a
//!   half-made container; it is bounded by the `agent.start_timeout_sec` setting and fails with
//!   [`Error::Unavailable`] (HTTP 503 with Retry-After). Unknown user: `NotFound`; deactivated
//!   user or inactive system agent: `Refused`.
//! - [`ContainerManager::activity`]`(target) -> ActivityGuard`: marks activity now; while the guard
//!   lives the container counts as busy (a request or stream in flight) and is never reaped;
//!   dropping it records the last activity. Take the guard *before* `ensure_running`.
//! - [`ContainerManager::config_changed`]`(user_id)`: restarts the user's container with fresh
//!   config if it runs (the state volume is kept); nothing otherwise.
//!   [`ContainerManager::system_config_changed`] does the same for every system agent (the
//!   admin-level providers changed). The agents service calls them when
//!   a config changes.
//! - [`ContainerManager::stop`]`(target, reason)` / [`ContainerManager::stop_as`]: stops and removes
//!   the container (the volume stays), recording the reason in its row and in the audit log.
//! - [`ContainerManager::restart_as`], [`ContainerManager::ensure_running_as`]: the same with the
//!   actor the audit log records (admin commands).
//! - [`ContainerManager::list`], [`ContainerManager::inspect`]: status rows.
//! - [`ContainerManager::state_counts`]; every start outcome and stop reason goes to the
//!   Prometheus hooks of `crate::metrics::Metrics` ([`ContainerManager::metrics`]).
//! - [`ContainerManager::docker_ping`]: for `/readyz`.
//! - [`ContainerManager::warm`]`(user_id)`: starts the user's agent in the background at a login
//!   (`warm`), so the first message finds it running; returns at once.
//!
//! # Lifecycle
//!
//! A start writes the row first (status `starting`, next generation, fresh token encrypted under
//! its row binding), then creates the state volume (kept forever), creates the container, writes
//! the token into it as a file through the archive API (so it is not in `docker inspect`), starts
//! it and waits for its health check. A stop stops and *removes* the container: every start is a
//! fresh container with a fresh token and the current image; the volume carries the state.
//! Containers keep running when mosaicd stops; the next mosaicd adopts them (reconciliation).
//!
//! Docker objects carry the daemon's instance label (and any extra labels from the command line),
//! so several daemons share one engine without touching each other's containers.
//!
//! # Replicas
//!
//! Several mosaicd on one PostgreSQL share one instance label and coordinate through the database
//! only (`coordination`): every operation on a container holds its operation lock, the process's
//! mutex plus a PostgreSQL advisory lock, so one start happens across replicas and the others
//! adopt its container; one replica, the leader, reaps, reconciles and starts the system agents;
//! each replica writes activity leases for the requests and streams it has in flight, which the
//! leader's reaper honours. On SQLite there is one daemon and all of it is local.

pub mod agent_config;
mod coordination;
pub mod docker;
pub mod doctor;
mod events;
pub mod firewall;
pub mod naming;
pub mod reaper;
pub mod reconcile;
pub mod runtime;
pub mod settings;
pub mod spec;
mod start;
mod stop;
pub mod swarm;
pub mod tar;
mod target;
mod warm;

pub use naming::{AgentRef, INSTANCE_KEY, resolve_instance};
pub(crate) use start::new_token;
pub use stop::StopReason;
pub use target::ActivityGuard;
pub(crate) use target::{Live, Target};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mosaic_shared::types::{ContainerDetail, ContainerStatus, Page};

use crate::clock::Clock;
use crate::config::Secret;
use crate::error::{Error, Result};
use crate::secrets::Keyring;
use crate::store::audit::Actor;
use crate::store::containers::{self as rows, ContainerRow, ContainerState, Kind};
use crate::store::paging::PageRequest;
use crate::store::{Db, audit, rfc3339, users};
use agent_config::AgentConfig;
use docker::{DockerClient, NetworkInfo};
pub use runtime::{AgentRuntime, RuntimeKind};

/// Port of the agent-facing listener (the internal config endpoint) when none is configured.
pub const DEFAULT_INTERNAL_PORT: u16 = 4001;

/// Where to send a request for an agent.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `http://<container ip>:18789`.
    pub base_url: String,
    /// The gateway token for `Authorization: Bearer`. Redacted in `Debug`.
    pub token: Secret,
    /// How long the start took, for the one caller whose call started the container; `None`
    /// when it was running or adopted, or when the caller joined a start someone else began.
    pub started: Option<Duration>,
}

/// The daemon-level settings of the manager (command line, environment, config file).
#[derive(Debug, Clone)]
pub struct ManagerSettings {
    /// `unix:///var/run/docker.sock` or `tcp://host:port`.
    pub docker_host: String,
    /// Which driver runs the agents: containers on one engine, or services on a swarm.
    pub runtime: RuntimeKind,
    /// Labels every Docker object; names the agent network.
    pub instance: String,
    /// Added to every Docker object's labels.
    pub extra_labels: Vec<(String, String)>,
    /// The URL containers use for the internal config endpoint; default `http://<internal_listen>`.
    pub agent_api_url: Option<String>,
    /// Where the internal config endpoint listens; default the agent network's gateway address,
    /// port 4001.
    pub internal_listen: Option<SocketAddr>,
    /// Install the host firewall of the agent network (`firewall`); off only where the operator
    /// installs equivalent rules.
    pub host_firewall: bool,
    pub reaper_interval: Duration,
    pub reconcile_interval: Duration,
    /// Idle times and activity stamps read it.
    pub clock: Clock,
}

/// The agent network and the internal listener, set up once Docker is first reachable.
#[derive(Debug)]
pub struct Runtime {
    pub network: NetworkInfo,
    pub agent_api_url: String,
    /// Where the internal listener is bound: the config endpoint and the egress proxy.
    pub internal_addr: SocketAddr,
    /// The egress proxy as agents name it (`HTTP_PROXY`, `HTTPS_PROXY`): the origin of
    /// `agent_api_url`.
    pub proxy_url: String,
    /// Hosts agents reach directly (`NO_PROXY`): the internal endpoint's host.
    pub no_proxy: String,
}

#[derive(Clone)]
pub struct ContainerManager {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) db: Db,
    /// Locks, leadership and activity shared with other replicas (`coordination`).
    coord: Arc<coordination::Coordinator>,
    keyring: Arc<Keyring>,
    settings: ManagerSettings,
    /// The container runtime: the only way to the engine.
    driver: Box<dyn AgentRuntime>,
    runtime: tokio::sync::OnceCell<Arc<Runtime>>,
    targets: Mutex<HashMap<AgentRef, Arc<Target>>>,
    http: reqwest::Client,
    internal_tx: tokio::sync::mpsc::UnboundedSender<std::net::TcpListener>,
    internal_rx: Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<std::net::TcpListener>>>,
    /// System agents whose start failed: (failures in a row, not before). Keeps a broken agent
    /// from being retried (and audited) every reconcile interval.
    pub(crate) system_backoff: Mutex<HashMap<String, (u32, Instant)>>,
    pub(crate) prometheus: Arc<crate::metrics::Metrics>,
    /// Trial starts in progress (`containers doctor`): id → (gateway token hash, config).
    pub(crate) trials: Mutex<HashMap<String, (String, AgentConfig)>>,
    /// Bounds the background starts of warm-on-login (`warm`).
    warm_starts: tokio::sync::Semaphore,
    /// Set while the Docker event stream is watched and every container held as running was
    /// checked since it (re)connected: see `events`.
    exits_watched: std::sync::atomic::AtomicBool,
}

impl ContainerManager {
    /// `prometheus` gets a start outcome and a stop reason for every start and stop (for
    /// `/metrics`).
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        prometheus: Arc<crate::metrics::Metrics>,
        settings: ManagerSettings,
    ) -> ContainerManager {
        let (internal_tx, internal_rx) = tokio::sync::mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(2))
            .build()
            .expect("HTTP client");
        ContainerManager {
            inner: Arc::new(Inner {
                coord: coordination::Coordinator::new(db.clone()),
                db,
                keyring,
                driver: match settings.runtime {
                    RuntimeKind::Docker => Box::new(DockerClient::new(&settings.docker_host)),
                    RuntimeKind::Swarm => Box::new(swarm::SwarmRuntime::new(&settings.docker_host)),
                },
                settings,
                runtime: tokio::sync::OnceCell::new(),
                targets: Mutex::new(HashMap::new()),
                http,
                internal_tx,
                internal_rx: Mutex::new(Some(internal_rx)),
                system_backoff: Mutex::new(HashMap::new()),
                prometheus,
                trials: Mutex::new(HashMap::new()),
                warm_starts: tokio::sync::Semaphore::new(warm::MAX_WARM_STARTS),
                exits_watched: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    pub fn settings(&self) -> &ManagerSettings {
        &self.inner.settings
    }

    /// The counters the manager reports to.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.inner.prometheus
    }

    /// The agent network's subnet, once the network is set up: peers there are agent
    /// containers (the public API refuses them; only they may use the egress proxy).
    pub fn agent_networks(&self) -> Vec<ipnet::IpNet> {
        self.inner
            .runtime
            .get()
            .and_then(|rt| rt.network.subnet.as_deref())
            .and_then(|s| s.parse().ok())
            .into_iter()
            .collect()
    }

    /// Whether a connection from `ip` comes from an agent container.
    pub fn is_agent_peer(&self, ip: std::net::IpAddr) -> bool {
        let ip = match ip {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
            v4 => v4,
        };
        self.agent_networks().iter().any(|net| net.contains(&ip))
    }

    /// Where the internal listener is bound, once the agent network is set up.
    pub fn internal_addr(&self) -> Option<SocketAddr> {
        self.inner.runtime.get().map(|rt| rt.internal_addr)
    }

    /// The receiving end for the internal listener: the manager binds it on the agent network's
    /// gateway once Docker is reachable, and the daemon serves the internal endpoint on it.
    pub fn take_internal_listeners(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<std::net::TcpListener>> {
        self.inner.internal_rx.lock().expect("lock").take()
    }

    /// Whether the Docker engine answers, for `/readyz`.
    pub async fn docker_ping(&self) -> Result<()> {
        Ok(self.inner.driver.engine().ping().await?)
    }

    /// Returns the running container's address and token, starting it first if needed. The
    /// request path: a container this process holds as running is taken at its word while the
    /// Docker event stream is watched (no Docker call); a caller that then cannot connect to it
    /// asks again with [`ensure_running_checked`](Self::ensure_running_checked).
    pub async fn ensure_running(&self, target: AgentRef) -> Result<Upstream> {
        let actor = request_actor(&target);
        self.inner.ensure_running(target, actor, false).await
    }

    /// Like [`ensure_running`](Self::ensure_running), but Docker is asked whether the container
    /// still runs: for a caller whose connection to it failed.
    pub async fn ensure_running_checked(&self, target: AgentRef) -> Result<Upstream> {
        let actor = request_actor(&target);
        self.inner.ensure_running(target, actor, true).await
    }

    /// Like [`ensure_running_checked`](Self::ensure_running_checked), with the actor the audit
    /// log records (admin commands, system agents: never on a request's path).
    pub async fn ensure_running_as(&self, target: AgentRef, actor: &Actor) -> Result<Upstream> {
        self.inner.ensure_running(target, actor.clone(), true).await
    }

    pub fn activity(&self, target: AgentRef) -> ActivityGuard {
        self.inner.activity_guard(&target)
    }

    /// Restarts the user's container with a freshly generated config if it is running.
    pub async fn config_changed(&self, user_id: &str) -> Result<()> {
        self.config_changed_for(AgentRef::User(user_id.to_string())).await
    }

    /// The admin-level providers changed: restarts every running system agent with fresh config.
    pub async fn system_config_changed(&self) -> Result<()> {
        for agent in rows::system_agents(&mut self.inner.db.ex()).await? {
            self.config_changed_for(AgentRef::System(agent.name)).await?;
        }
        Ok(())
    }

    /// Restarts `target`'s container with a freshly generated config if it is running.
    pub async fn config_changed_for(&self, target: AgentRef) -> Result<()> {
        let inner = self.inner.clone();
        // Own task: a caller that goes away must not leave the container half restarted.
        tokio::spawn(async move {
            let t = inner.target(&target);
            let _op = inner.op_lock(&target, &t).await?;
            let running = match rows::get(&mut inner.db.ex(), target.kind(), target.owner()).await? {
                Some(row) => row.status.is_up(),
                None => false,
            };
            if !running {
                return Ok(());
            }
            inner
                .stop_locked(&target, &t, StopReason::ConfigChange, &Actor::System, None)
                .await?;
            inner.start_locked(&target, &t, &Actor::System).await.map(|_| ())
        })
        .await
        .map_err(|e| Error::internal(format!("config restart task failed: {e}")))?
    }

    /// Stops and removes the container (its volume stays), as the daemon itself.
    pub async fn stop(&self, target: AgentRef, reason: StopReason) -> Result<()> {
        self.stop_as(target, reason, &Actor::System).await
    }

    pub async fn stop_as(&self, target: AgentRef, reason: StopReason, actor: &Actor) -> Result<()> {
        let inner = self.inner.clone();
        let actor = actor.clone();
        tokio::spawn(async move {
            let t = inner.target(&target);
            let _op = inner.op_lock(&target, &t).await?;
            inner.stop_locked(&target, &t, reason, &actor, None).await.map(|_| ())
        })
        .await
        .map_err(|e| Error::internal(format!("stop task failed: {e}")))?
    }

    /// Stops and starts the container with a fresh config and token.
    pub async fn restart_as(&self, target: AgentRef, actor: &Actor) -> Result<Upstream> {
        let inner = self.inner.clone();
        let actor = actor.clone();
        tokio::spawn(async move {
            let t = inner.target(&target);
            let _op = inner.op_lock(&target, &t).await?;
            inner.check_owner(&target).await?;
            inner.stop_locked(&target, &t, StopReason::Admin, &actor, None).await?;
            inner.start_locked(&target, &t, &actor).await
        })
        .await
        .map_err(|e| Error::internal(format!("restart task failed: {e}")))?
    }

    /// Removes a system agent's container and its state volume (the agent itself is gone).
    pub async fn remove_system(&self, name: &str, actor: &Actor) -> Result<()> {
        let target = AgentRef::System(name.to_string());
        let inner = self.inner.clone();
        let actor = actor.clone();
        tokio::spawn(async move {
            let t = inner.target(&target);
            let _op = inner.op_lock(&target, &t).await?;
            if rows::get(&mut inner.db.ex(), Kind::System, target.owner())
                .await?
                .is_some()
            {
                inner
                    .stop_locked(&target, &t, StopReason::Removed, &actor, None)
                    .await?;
            }
            t.volume_ready.store(false, std::sync::atomic::Ordering::Relaxed);
            inner.driver.destroy(&target.container_name()).await?;
            inner.driver.remove_volume(&target.volume_name()).await?;
            inner
                .system_backoff
                .lock()
                .expect("backoff lock")
                .remove(target.owner());
            Ok(())
        })
        .await
        .map_err(|e| Error::internal(format!("remove task failed: {e}")))?
    }

    /// One page of container statuses, from the database and this process's activity records:
    /// system containers first (by name), then user containers oldest first.
    pub async fn list(&self, request: PageRequest) -> Result<Page<ContainerStatus>> {
        let inner = &self.inner;
        let mut ex = inner.db.ex();
        let systems = rows::count(&mut ex, Kind::System).await?;
        let total = systems + rows::count(&mut ex, Kind::User).await?;
        request
            .fetch(total, |limit, offset| async move {
                let mut out = Vec::new();
                if offset < systems {
                    for row in rows::system_page(&mut inner.db.ex(), limit, offset).await? {
                        let target = AgentRef::System(row.owner.clone());
                        out.push(inner.status(&target, &row, target.to_string()));
                    }
                }
                let left = limit - out.len() as i64;
                if left > 0 {
                    let offset = (offset - systems).max(0);
                    for owned in rows::user_page(&mut inner.db.ex(), left, offset).await? {
                        let target = AgentRef::User(owned.row.owner.clone());
                        out.push(inner.status(&target, &owned.row, owned.owner_label()));
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Every system container's status (system agents are few: their number is capped).
    pub async fn system_statuses(&self) -> Result<Vec<ContainerStatus>> {
        let inner = &self.inner;
        let rows = rows::system_page(&mut inner.db.ex(), i64::MAX, 0).await?;
        Ok(rows
            .iter()
            .map(|row| {
                let target = AgentRef::System(row.owner.clone());
                inner.status(&target, row, target.to_string())
            })
            .collect())
    }

    /// One container's status plus what Docker says about it.
    pub async fn inspect(&self, target: &AgentRef) -> Result<ContainerDetail> {
        let inner = &self.inner;
        let row = rows::get(&mut inner.db.ex(), target.kind(), target.owner())
            .await?
            .ok_or_else(|| Error::not_found(format!("{target} has no container yet (it is created on first use)")))?;
        let label = match target {
            AgentRef::User(id) => users::get(&mut inner.db.ex(), id)
                .await?
                .map(|u| u.email.unwrap_or(u.name))
                .unwrap_or_else(|| id.clone()),
            AgentRef::System(_) => target.to_string(),
        };
        let status = inner.status(target, &row, label);
        let mut detail = ContainerDetail {
            status,
            container_id: row.container_id.clone(),
            volume: target.volume_name(),
            network: None,
            ip_address: None,
            config_hash: row.config_hash.clone(),
            docker_state: None,
            exit_code: None,
        };
        let network = inner.network_name();
        match inner.driver.inspect(&target.container_name(), &network).await {
            Ok(Some(c)) => {
                detail.container_id = Some(c.id);
                detail.ip_address = c.address;
                detail.docker_state = Some(c.state);
                detail.exit_code = c.exit_code.filter(|_| !c.running);
                detail.network = Some(network);
            }
            Ok(None) => detail.docker_state = Some("absent".into()),
            Err(e) => detail.docker_state = Some(format!("unknown ({e})")),
        }
        Ok(detail)
    }

    /// How many containers of each kind are in each state: (`user`|`system`, `running`|`stopped`|
    /// `starting`|`error`, count), from the database; for `/metrics`.
    pub async fn state_counts(&self) -> Result<Vec<(String, String, i64)>> {
        rows::count_by_state(&mut self.inner.db.ex()).await
    }

    /// Whether this process holds a running container for `target` (no Docker call): `false`
    /// means the next [`ensure_running`](Self::ensure_running) starts or adopts one, so a caller
    /// that can tell its client to wait (SSE heartbeats) should do so at once.
    pub fn is_live(&self, target: &AgentRef) -> bool {
        self.inner
            .targets
            .lock()
            .expect("targets lock")
            .get(target)
            .is_some_and(|t| t.live.lock().expect("live lock").is_some())
    }

    /// Writes last-activity times seen since the previous flush to the database.
    pub async fn flush_activity(&self) -> Result<()> {
        let pending: Vec<(String, i64)> = {
            let targets = self.inner.targets.lock().expect("targets lock");
            targets
                .iter()
                .filter_map(|(target, t)| {
                    let a = t.activity.lock().expect("activity lock");
                    match target {
                        AgentRef::User(id) if a.last_ms > a.persisted_ms => Some((id.clone(), a.last_ms)),
                        _ => None,
                    }
                })
                .collect()
        };
        for (user_id, at) in pending {
            rows::touch(&mut self.inner.db.ex(), &user_id, at).await?;
            let t = self.inner.target(&AgentRef::User(user_id));
            let mut a = t.activity.lock().expect("activity lock");
            a.persisted_ms = a.persisted_ms.max(at);
        }
        Ok(())
    }
}

/// Who a start on a request's path is recorded as: the user for their own agent.
fn request_actor(target: &AgentRef) -> Actor {
    match target {
        AgentRef::User(id) => Actor::User { id: id.clone() },
        AgentRef::System(_) => Actor::System,
    }
}

impl Inner {
    /// See [`ContainerManager::activity`].
    fn activity_guard(&self, target: &AgentRef) -> ActivityGuard {
        let t = self.target(target);
        let first = {
            let mut a = t.activity.lock().expect("activity lock");
            a.busy += 1;
            a.last_ms = a.last_ms.max(self.settings.clock.now_ms());
            a.busy == 1
        };
        if first {
            self.activity_began();
        }
        ActivityGuard {
            target: t,
            clock: self.settings.clock.clone(),
        }
    }

    async fn record(&self, actor: &Actor, action: &str, target: &AgentRef, detail: serde_json::Value) {
        if let Err(e) = audit::record(&mut self.db.ex(), actor, action, Some(&target.to_string()), detail).await {
            tracing::error!(error = %e, action, "cannot write the audit log");
        }
    }

    fn status(&self, target: &AgentRef, row: &ContainerRow, owner_label: String) -> ContainerStatus {
        let (busy, last_ms) = {
            let targets = self.targets.lock().expect("targets lock");
            match targets.get(target) {
                Some(t) => {
                    let a = t.activity.lock().expect("activity lock");
                    (a.busy as u64, a.last_ms)
                }
                None => (0, 0),
            }
        };
        let last = row.last_active_at.unwrap_or(0).max(last_ms);
        let running = row.status == ContainerState::Running;
        let started = row.started_at.filter(|_| running);
        let now = self.settings.clock.now_ms();
        ContainerStatus {
            kind: target.kind(),
            owner: row.owner.clone(),
            owner_label,
            name: target.container_name(),
            state: row.status,
            image: row.image.clone(),
            started_at: started.map(rfc3339),
            uptime_seconds: started.map(|s| ((now - s).max(0) / 1000) as u64),
            last_activity_at: (target.kind() == Kind::User && last > 0).then(|| rfc3339(last)),
            idle_seconds: (target.kind() == Kind::User && last > 0).then(|| ((now - last).max(0) / 1000) as u64),
            idle_timeout_min: row.idle_timeout_min.map(|m| m.max(0) as u64),
            active_requests: busy,
            stop_reason: row.stop_reason.clone().filter(|_| !running),
            stopped_at: row.stopped_at.filter(|_| !running).map(rfc3339),
            detail: row.status_detail.clone(),
            generation: row.generation.max(0) as u64,
        }
    }
}
