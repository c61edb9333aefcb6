//! The container manager (the seed's ContainerLifecycleService): one OpenClaw container per user
//! and per system agent, on the real Docker Engine.
//!
//! # Interface (used by the HTTP API and the admin socket)
//!
//! - [`ContainerManager::ensure_running`]`(target) -> Upstream`: the container's address and
//!   gateway token. A running container answers at once (its state is checked with Docker, so one
//!   killed from outside is noticed and restarted). A cold start holds the caller until the
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
//!   admin-level providers changed). `service::agent_config::on_agent_config_changed` calls them.
//! - [`ContainerManager::stop`]`(target, reason)` / [`ContainerManager::stop_as`]: stops and removes
//!   the container (the volume stays), recording the reason in its row and in the audit log.
//! - [`ContainerManager::restart_as`], [`ContainerManager::ensure_running_as`]: the same with the
//!   actor the audit log records (admin commands).
//! - [`ContainerManager::list`], [`ContainerManager::inspect`]: status rows.
//! - [`ContainerManager::state_counts`]; every start outcome and stop reason goes to the
//!   Prometheus hooks of `crate::metrics::Metrics` ([`ContainerManager::metrics`]).
//! - [`ContainerManager::docker_ping`]: for `/readyz`.
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

pub mod agent_config;
pub mod docker;
pub mod doctor;
pub mod reaper;
pub mod reconcile;
pub mod settings;
pub mod spec;
pub mod tar;

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use mosaic_shared::types::{ContainerDetail, ContainerStatus};
use serde_json::json;

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::secrets::{Binding, Keyring};
use crate::store::audit::Actor;
use crate::store::containers::{self as rows, ContainerRow, Kind, RUNNING, STARTING, STOPPED};
use crate::store::{Db, audit, now_ms, rfc3339, users};
use agent_config::{AgentConfig, GATEWAY_PORT};
use docker::{DockerClient, DockerError, NetworkInfo};
use settings::AgentSettings;
use spec::{ContainerSpec, LABEL_INSTANCE};

/// Port of the agent-facing listener (the internal config endpoint) when none is configured.
pub const DEFAULT_INTERNAL_PORT: u16 = 4001;

/// Which agent: a user's, or a system agent's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentRef {
    User(String),
    System(String),
}

impl AgentRef {
    pub fn kind(&self) -> Kind {
        match self {
            AgentRef::User(_) => Kind::User,
            AgentRef::System(_) => Kind::System,
        }
    }

    /// The user id or the system agent's name.
    pub fn owner(&self) -> &str {
        match self {
            AgentRef::User(id) | AgentRef::System(id) => id,
        }
    }

    pub fn new(kind: Kind, owner: impl Into<String>) -> AgentRef {
        match kind {
            Kind::User => AgentRef::User(owner.into()),
            Kind::System => AgentRef::System(owner.into()),
        }
    }

    /// Parses `<containerType>/<id>` (`user/…`, `system/…`), the form of `AGENT_ID`.
    pub fn parse(text: &str) -> Option<AgentRef> {
        let (kind, owner) = text.split_once('/')?;
        (!owner.is_empty() && !owner.contains('/')).then_some(())?;
        Some(AgentRef::new(Kind::parse(kind)?, owner))
    }
}

/// `user/<id>` or `system/<name>`: the container's `AGENT_ID`.
impl fmt::Display for AgentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind().as_str(), self.owner())
    }
}

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

/// Why a container stopped. Recorded in its row and in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The reaper: idle longer than its idle timeout.
    Idle,
    /// Restarted with a new config.
    ConfigChange,
    /// An administrator stopped or restarted it.
    Admin,
    /// Its user was deactivated.
    Deactivated,
    /// It exited or vanished without Mosaic asking.
    Crash,
    /// It did not become healthy.
    StartFailed,
    /// mosaicd died while it was starting.
    Interrupted,
    /// Its system agent was removed.
    Removed,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Idle => "idle",
            StopReason::ConfigChange => "config_change",
            StopReason::Admin => "admin",
            StopReason::Deactivated => "deactivated",
            StopReason::Crash => "crash",
            StopReason::StartFailed => "start_failed",
            StopReason::Interrupted => "interrupted",
            StopReason::Removed => "removed",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The daemon-level settings of the manager (command line, environment, config file).
#[derive(Debug, Clone)]
pub struct ManagerSettings {
    /// `unix:///var/run/docker.sock` or `tcp://host:port`.
    pub docker_host: String,
    /// Labels every Docker object; names the agent network.
    pub instance: String,
    /// Added to every Docker object's labels.
    pub extra_labels: Vec<(String, String)>,
    /// The URL containers use for the internal config endpoint; default `http://<internal_listen>`.
    pub agent_api_url: Option<String>,
    /// Where the internal config endpoint listens; default the agent network's gateway address,
    /// port 4001.
    pub internal_listen: Option<SocketAddr>,
    pub reaper_interval: Duration,
    pub reconcile_interval: Duration,
}

/// The agent network and the internal listener, set up once Docker is first reachable.
#[derive(Debug)]
pub struct Runtime {
    pub network: NetworkInfo,
    pub agent_api_url: String,
}

/// A container known to run, as this process last saw it.
#[derive(Clone)]
pub(crate) struct Live {
    container_id: String,
    ip: Ipv4Addr,
    token: Secret,
}

#[derive(Default)]
struct Activity {
    /// Requests and streams in flight.
    busy: usize,
    /// Last activity (epoch ms), and what of it is already in the database.
    last_ms: i64,
    persisted_ms: i64,
}

type Flight = Shared<BoxFuture<'static, Result<Upstream>>>;

/// Per-container state in this process.
#[derive(Default)]
pub(crate) struct Target {
    /// Held by whatever changes the container (start, stop, restart, reap, reconcile), so they
    /// never interleave.
    pub(crate) op: tokio::sync::Mutex<()>,
    live: Mutex<Option<Live>>,
    flight: Mutex<Option<Flight>>,
    activity: Mutex<Activity>,
}

/// Keeps a container busy while it lives; see [`ContainerManager::activity`].
pub struct ActivityGuard {
    target: Arc<Target>,
}

impl Target {
    /// (requests in flight, last activity in epoch ms).
    pub(crate) fn activity_snapshot(&self) -> (usize, i64) {
        let a = self.activity.lock().expect("activity lock");
        (a.busy, a.last_ms)
    }

    /// Takes the container out of service: the next `ensure_running` goes through a start.
    pub(crate) fn take_live(&self) -> Option<Live> {
        self.live.lock().expect("live lock").take()
    }

    pub(crate) fn restore_live(&self, live: Option<Live>) {
        *self.live.lock().expect("live lock") = live;
    }
}

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        let mut a = self.target.activity.lock().expect("activity lock");
        a.busy = a.busy.saturating_sub(1);
        a.last_ms = a.last_ms.max(now_ms());
    }
}

#[derive(Clone)]
pub struct ContainerManager {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) db: Db,
    keyring: Arc<Keyring>,
    settings: ManagerSettings,
    docker: DockerClient,
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
                db,
                keyring,
                docker: DockerClient::new(&settings.docker_host),
                settings,
                runtime: tokio::sync::OnceCell::new(),
                targets: Mutex::new(HashMap::new()),
                http,
                internal_tx,
                internal_rx: Mutex::new(Some(internal_rx)),
                system_backoff: Mutex::new(HashMap::new()),
                prometheus,
                trials: Mutex::new(HashMap::new()),
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

    /// The receiving end for the internal listener: the manager binds it on the agent network's
    /// gateway once Docker is reachable, and the daemon serves the internal endpoint on it.
    pub fn take_internal_listeners(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<std::net::TcpListener>> {
        self.inner.internal_rx.lock().expect("lock").take()
    }

    /// Whether the Docker engine answers, for `/readyz`.
    pub async fn docker_ping(&self) -> Result<()> {
        Ok(self.inner.docker.ping().await?)
    }

    /// Returns the running container's address and token, starting it first if needed.
    pub async fn ensure_running(&self, target: AgentRef) -> Result<Upstream> {
        let actor = match &target {
            AgentRef::User(id) => Actor::User { id: id.clone() },
            AgentRef::System(_) => Actor::System,
        };
        self.inner.ensure_running(target, actor).await
    }

    /// Like [`ensure_running`](Self::ensure_running), with the actor the audit log records.
    pub async fn ensure_running_as(&self, target: AgentRef, actor: &Actor) -> Result<Upstream> {
        self.inner.ensure_running(target, actor.clone()).await
    }

    pub fn activity(&self, target: AgentRef) -> ActivityGuard {
        let t = self.inner.target(&target);
        {
            let mut a = t.activity.lock().expect("activity lock");
            a.busy += 1;
            a.last_ms = a.last_ms.max(now_ms());
        }
        ActivityGuard { target: t }
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
            let _op = t.op.lock().await;
            let running = match rows::get(&mut inner.db.ex(), target.kind(), target.owner()).await? {
                Some(row) => row.status == RUNNING || row.status == STARTING,
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
            let _op = t.op.lock().await;
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
            let _op = t.op.lock().await;
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
            let _op = t.op.lock().await;
            if rows::get(&mut inner.db.ex(), Kind::System, target.owner())
                .await?
                .is_some()
            {
                inner
                    .stop_locked(&target, &t, StopReason::Removed, &actor, None)
                    .await?;
            }
            inner.docker.remove_volume(&target.volume_name()).await?;
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

    /// Every container's status, from the database and this process's activity records.
    pub async fn list(&self) -> Result<Vec<ContainerStatus>> {
        let inner = &self.inner;
        let mut ex = inner.db.ex();
        let owners: HashMap<String, String> = rows::user_owners(&mut ex)
            .await?
            .into_iter()
            .map(|(id, email, name)| (id, email.unwrap_or(name)))
            .collect();
        let mut out = Vec::new();
        for kind in [Kind::User, Kind::System] {
            for row in rows::list(&mut ex, kind).await? {
                let target = AgentRef::new(kind, row.owner.clone());
                let label = match kind {
                    Kind::User => owners.get(&row.owner).cloned().unwrap_or_else(|| row.owner.clone()),
                    Kind::System => target.to_string(),
                };
                out.push(inner.status(&target, &row, label));
            }
        }
        Ok(out)
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
        match inner.docker.inspect(&target.container_name(), &network).await {
            Ok(Some(c)) => {
                detail.container_id = Some(c.id);
                detail.ip_address = c.ip.map(|ip| ip.to_string());
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

/// A fresh gateway token: 256 random bits, hex.
pub(crate) fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// A boolean field of a JSON object body.
fn body_flag(body: &str, field: &str) -> Option<bool> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get(field)?
        .as_bool()
}

/// At most `max` characters, for error details built from container output.
fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let tail: String = text
        .chars()
        .rev()
        .take(max)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// Why a start failed, and the container to clean up.
struct StartFailure {
    message: String,
    container_id: Option<String>,
    /// The health check did not pass in time (rather than the start failing outright).
    timed_out: bool,
}

impl Inner {
    pub(crate) fn target(&self, target: &AgentRef) -> Arc<Target> {
        self.targets
            .lock()
            .expect("targets lock")
            .entry(target.clone())
            .or_default()
            .clone()
    }

    async fn runtime(&self) -> Result<Arc<Runtime>> {
        self.runtime.get_or_try_init(|| self.init_runtime()).await.cloned()
    }

    /// The agent network: `mosaic-<instance>`. Created with the first container, not before, so
    /// a daemon that never starts an agent leaves nothing in Docker.
    pub(crate) fn network_name(&self) -> String {
        format!("mosaic-{}", self.settings.instance)
    }

    /// Creates (or finds) the agent network and binds the internal listener on its gateway.
    async fn init_runtime(&self) -> Result<Arc<Runtime>> {
        let network_name = self.network_name();
        let labels = spec::base_labels(&self.settings.instance, &self.settings.extra_labels, "network");
        let network = self.docker.ensure_network(&network_name, &labels).await?;
        let internal_addr = self
            .settings
            .internal_listen
            .unwrap_or_else(|| SocketAddr::from((network.gateway, DEFAULT_INTERNAL_PORT)));
        let listener = std::net::TcpListener::bind(internal_addr).map_err(|e| {
            Error::unavailable(format!(
                "cannot listen for agent containers on {internal_addr} (the internal config endpoint): {e}"
            ))
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io("cannot configure the internal listener", e))?;
        let internal_addr = listener.local_addr().unwrap_or(internal_addr);
        if self.internal_tx.send(listener).is_err() {
            tracing::warn!("nobody serves the internal config endpoint; agent containers cannot fetch their config");
        }
        let agent_api_url = self
            .settings
            .agent_api_url
            .clone()
            .unwrap_or_else(|| format!("http://{internal_addr}"));
        tracing::info!(
            network = %network.name, gateway = %network.gateway, internal = %internal_addr, agent_api_url,
            "agent network ready; internal config endpoint listening"
        );
        Ok(Arc::new(Runtime { network, agent_api_url }))
    }

    /// The upstream of a container this process knows to run, if Docker agrees it runs.
    async fn live_upstream(&self, target: &AgentRef, t: &Target) -> Result<Option<Upstream>> {
        let live = t.live.lock().expect("live lock").clone();
        let Some(live) = live else { return Ok(None) };
        match self.docker.inspect(&live.container_id, &self.network_name()).await? {
            Some(c) if c.running => Ok(Some(Upstream {
                base_url: format!("http://{}:{GATEWAY_PORT}", live.ip),
                token: live.token.clone(),
                started: None,
            })),
            _ => {
                tracing::warn!(container = %target.container_name(), "container is no longer running");
                *t.live.lock().expect("live lock") = None;
                Ok(None)
            }
        }
    }

    async fn ensure_running(self: &Arc<Self>, target: AgentRef, actor: Actor) -> Result<Upstream> {
        let t = self.target(&target);
        if let Some(up) = self.live_upstream(&target, &t).await? {
            return Ok(up);
        }
        let mut joined = true;
        let flight = {
            let mut slot = t.flight.lock().expect("flight lock");
            match slot.as_ref() {
                Some(flight) => flight.clone(),
                None => {
                    joined = false;
                    let inner = self.clone();
                    let (target, t2) = (target.clone(), t.clone());
                    let task = tokio::spawn(async move {
                        let result = async {
                            let _op = t2.op.lock().await;
                            if let Some(up) = inner.live_upstream(&target, &t2).await? {
                                return Ok(up);
                            }
                            inner.start_locked(&target, &t2, &actor).await
                        }
                        .await;
                        *t2.flight.lock().expect("flight lock") = None;
                        result
                    });
                    let flight: Flight = task
                        .map(|joined| {
                            joined.unwrap_or_else(|e| Err(Error::internal(format!("start task failed: {e}"))))
                        })
                        .boxed()
                        .shared();
                    *slot = Some(flight.clone());
                    flight
                }
            }
        };
        let mut upstream = flight.await?;
        if joined {
            upstream.started = None;
        }
        Ok(upstream)
    }

    /// Refuses to start an agent whose owner is gone or disabled.
    async fn check_owner(&self, target: &AgentRef) -> Result<()> {
        let mut ex = self.db.ex();
        match target {
            AgentRef::User(id) => {
                let user = users::get(&mut ex, id)
                    .await?
                    .ok_or_else(|| Error::not_found(format!("no user with id {id}")))?;
                if user.deactivated_at.is_some() {
                    return Err(Error::refused(format!(
                        "user {} is deactivated; their agent cannot start",
                        user.email.unwrap_or(user.name)
                    )));
                }
            }
            AgentRef::System(name) => {
                let agent = rows::system_agent(&mut ex, name)
                    .await?
                    .ok_or_else(|| Error::not_found(format!("no system agent named {name}")))?;
                if !agent.is_active {
                    return Err(Error::refused(format!("system agent {name} is not active")));
                }
            }
        }
        Ok(())
    }

    async fn record(&self, actor: &Actor, action: &str, target: &AgentRef, detail: serde_json::Value) {
        if let Err(e) = audit::record(&mut self.db.ex(), actor, action, Some(&target.to_string()), detail).await {
            tracing::error!(error = %e, action, "cannot write the audit log");
        }
    }

    /// Starts the container; the caller holds the target's `op` lock.
    async fn start_locked(&self, target: &AgentRef, t: &Target, actor: &Actor) -> Result<Upstream> {
        let began = Instant::now();
        let name = target.container_name();
        self.check_owner(target).await?;
        let rt = self.runtime().await?;
        let settings = settings::load(&self.db).await?;
        let row = match target {
            AgentRef::User(id) => {
                rows::ensure_user_row(&mut self.db.ex(), id, &name, settings.idle_timeout_min).await?
            }
            AgentRef::System(n) => rows::get(&mut self.db.ex(), Kind::System, n)
                .await?
                .ok_or_else(|| Error::not_found(format!("no system agent named {n}")))?,
        };
        if row.status == RUNNING {
            // Started by a previous mosaicd and still healthy: adopt it rather than restart it
            // (reconciliation at startup usually got there first).
            if let Some(up) = self.try_adopt(target, t, &row).await? {
                return Ok(up);
            }
        }
        if row.status == RUNNING || row.status == STARTING {
            // The row says it runs, but there is no healthy container: it died, was killed from
            // outside, or a previous mosaicd died while starting it.
            self.record_crash(&rt, target, &row).await?;
        }
        self.remove_leftover(&rt, target).await?;

        let config = agent_config::generate(&self.db, &self.keyring, target).await?;
        let token = new_token();
        let hash = crate::auth::tokens::hash(&token);
        let generation = row.generation + 1;
        let encrypted = self.keyring.encrypt(
            &Binding::new(target.kind().table(), row.id.clone(), "gateway_token"),
            &token,
        )?;
        let redacted = config.redacted.to_string();
        let marked = rows::mark_starting(
            &mut self.db.ex(),
            target.kind(),
            row.generation,
            &rows::Starting {
                id: &row.id,
                generation,
                gateway_token: &encrypted,
                gateway_token_hash: &hash,
                image: &settings.image,
                config_hash: &config.hash,
                config_redacted: &redacted,
                idle_timeout_min: settings.idle_timeout_min,
            },
        )
        .await?;
        if !marked {
            return Err(Error::conflict(format!(
                "{name} was changed by someone else while starting; try again"
            )));
        }
        tracing::info!(container = %name, generation, image = %settings.image, "starting agent container");

        match self
            .create_and_check(&rt, target, &settings, generation, &config, &token, began)
            .await
        {
            Ok((container_id, ip)) => {
                rows::mark_running(&mut self.db.ex(), target.kind(), &row.id, generation, &container_id).await?;
                let seconds = began.elapsed().as_secs_f64();
                self.record(
                    actor,
                    "container.start",
                    target,
                    json!({ "container": name, "generation": generation, "image": settings.image,
                            "configHash": config.hash, "seconds": (seconds * 1000.0).round() / 1000.0 }),
                )
                .await;
                self.prometheus.container_started("ok");
                tracing::info!(container = %name, %ip, seconds = format!("{seconds:.2}"), "agent container is healthy");
                let token = Secret::new(token);
                *t.live.lock().expect("live lock") = Some(Live {
                    container_id,
                    ip,
                    token: token.clone(),
                });
                {
                    // A fresh start counts as activity: the idle clock starts now.
                    let mut a = t.activity.lock().expect("activity lock");
                    a.last_ms = a.last_ms.max(now_ms());
                }
                Ok(Upstream {
                    base_url: format!("http://{ip}:{GATEWAY_PORT}"),
                    token,
                    started: Some(began.elapsed()),
                })
            }
            Err(failure) => {
                if let Some(id) = &failure.container_id {
                    let removed = self.docker.remove(id).await;
                    if let Err(e) = removed {
                        tracing::warn!(container = %name, error = %e, "cannot remove the container that failed to start");
                    }
                }
                let detail = failure.message.clone();
                rows::mark_stopped(
                    &mut self.db.ex(),
                    target.kind(),
                    &row.id,
                    rows::ERROR,
                    StopReason::StartFailed.as_str(),
                    Some(&detail),
                )
                .await?;
                self.record(
                    actor,
                    "container.start_failed",
                    target,
                    json!({ "container": name, "generation": generation, "error": detail }),
                )
                .await;
                self.prometheus
                    .container_started(if failure.timed_out { "timeout" } else { "failed" });
                tracing::error!(container = %name, error = %detail, "agent container failed to start");
                Err(Error::unavailable(format!(
                    "agent container {name} failed to start: {detail}"
                )))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn create_and_check(
        &self,
        rt: &Runtime,
        target: &AgentRef,
        settings: &AgentSettings,
        generation: i64,
        config: &AgentConfig,
        token: &str,
        began: Instant,
    ) -> std::result::Result<(String, Ipv4Addr), StartFailure> {
        let fail = |message: String, container_id: Option<String>| StartFailure {
            message,
            container_id,
            timed_out: false,
        };
        let docker_fail = |e: DockerError, id: Option<String>| fail(e.to_string(), id);
        let s = &self.settings;
        let volume_labels = spec::owner_labels(target, &s.instance, &s.extra_labels, "volume");
        self.docker
            .ensure_volume(&target.volume_name(), &volume_labels)
            .await
            .map_err(|e| docker_fail(e, None))?;
        let spec = ContainerSpec::for_agent(
            target,
            &s.instance,
            &s.extra_labels,
            &rt.network.name,
            &rt.agent_api_url,
            generation,
            &config.hash,
            settings,
        );
        let id = self
            .docker
            .create(&target.container_name(), spec.body())
            .await
            .map_err(|e| docker_fail(e, None))?;
        let files = spec::startup_files(token, settings.entrypoint);
        self.docker
            .upload(&id, "/", files)
            .await
            .map_err(|e| docker_fail(e, Some(id.clone())))?;
        self.docker
            .start(&id)
            .await
            .map_err(|e| docker_fail(e, Some(id.clone())))?;
        let deadline = began + settings.start_timeout;
        self.health_gate(rt, &id, deadline, settings.start_timeout)
            .await
            .map(|ip| (id.clone(), ip))
            .map_err(|(message, timed_out)| StartFailure {
                timed_out,
                // The agent's own output is part of the message; whatever it printed, the
                // gateway token and the provider keys do not travel on.
                ..fail(config.redact(&message).replace(token, "[redacted]"), Some(id))
            })
    }

    /// Waits until the gateway is ready (see [`Self::probe`]), the container exits, or the
    /// deadline passes; fails with the reason and whether it was the deadline.
    async fn health_gate(
        &self,
        rt: &Runtime,
        id: &str,
        deadline: Instant,
        limit: Duration,
    ) -> std::result::Result<Ipv4Addr, (String, bool)> {
        let mut last;
        loop {
            let info = self
                .docker
                .inspect(id, &rt.network.name)
                .await
                .map_err(|e| (e.to_string(), false))?;
            let Some(info) = info else {
                return Err(("the container disappeared while starting".into(), false));
            };
            if !info.running {
                let logs = self.docker.logs_tail(id, 20).await.unwrap_or_default();
                let mut message = format!(
                    "the container exited{} before it became healthy",
                    info.exit_code.map(|c| format!(" with code {c}")).unwrap_or_default()
                );
                if info.oom_killed {
                    message.push_str(" (killed: out of memory)");
                }
                if let Some(error) = info.error {
                    message.push_str(&format!("; Docker: {error}"));
                }
                // One line: the error travels in one-line CLI messages and log fields.
                let logs: Vec<&str> = logs.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                if !logs.is_empty() {
                    message.push_str(&format!("; its last output: {}", truncate(&logs.join(" | "), 1500)));
                }
                return Err((message, false));
            }
            match info.ip {
                Some(ip) => match self.probe(ip).await {
                    Ok(()) => return Ok(ip),
                    Err(e) => last = e,
                },
                None => last = "the container has no address on the agent network yet".into(),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err((
                    format!(
                        "the gateway did not pass its health check within {}s (last check: {last})",
                        limit.as_secs()
                    ),
                    true,
                ));
            }
            tokio::time::sleep((deadline - now).min(Duration::from_millis(150))).await;
        }
    }

    /// One health check. The gateway is ready when `GET /readyz` answers 200 with `{"ready":true}`
    /// (OpenClaw: `src/gateway/server-http.ts`, `handleGatewayProbeRequest`; 2026.3's first
    /// version answered `{"ok":true,"status":"ready"}`); a gateway without `/readyz` (404) is
    /// judged by its liveness, `GET /healthz` answering 200 with `{"ok":true,…}`.
    async fn probe(&self, ip: Ipv4Addr) -> std::result::Result<(), String> {
        let (status, body) = self.probe_get(ip, "/readyz").await?;
        if status == 404 {
            let (status, body) = self.probe_get(ip, "/healthz").await?;
            let ok = body_flag(&body, "ok") == Some(true);
            return if status == 200 && ok {
                Ok(())
            } else {
                Err(format!("/healthz answered HTTP {status}: {}", truncate(&body, 200)))
            };
        }
        let ready = body_flag(&body, "ready") == Some(true)
            || serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("status").and_then(|s| s.as_str().map(|s| s == "ready")))
                == Some(true);
        if status == 200 && ready {
            Ok(())
        } else {
            Err(format!("/readyz answered HTTP {status}: {}", truncate(&body, 200)))
        }
    }

    async fn probe_get(&self, ip: Ipv4Addr, path: &str) -> std::result::Result<(u16, String), String> {
        let url = format!("http://{ip}:{GATEWAY_PORT}{path}");
        let response = self.http.get(&url).send().await.map_err(|e| {
            if e.is_connect() {
                "connection refused (the gateway is not listening yet)".to_string()
            } else if e.is_timeout() {
                "no answer within 2s".to_string()
            } else {
                e.to_string()
            }
        })?;
        let status = response.status().as_u16();
        Ok((status, response.text().await.unwrap_or_default()))
    }

    /// Adopts the running container of `row`'s generation if it answers its health check.
    async fn try_adopt(&self, target: &AgentRef, t: &Target, row: &ContainerRow) -> Result<Option<Upstream>> {
        let name = target.container_name();
        let Some(c) = self.docker.inspect(&name, &self.network_name()).await? else {
            return Ok(None);
        };
        let ours = c.labels.get(LABEL_INSTANCE) == Some(&self.settings.instance)
            && c.labels.get(spec::LABEL_GENERATION) == Some(&row.generation.to_string());
        let (Some(ip), Some(stored), true, true) = (c.ip, row.gateway_token.as_ref(), c.running, ours) else {
            return Ok(None);
        };
        if self.probe(ip).await.is_err() {
            return Ok(None);
        }
        let token = self.keyring.decrypt(
            &Binding::new(target.kind().table(), row.id.clone(), "gateway_token"),
            stored,
        )?;
        if row.container_id.as_deref() != Some(c.id.as_str()) {
            rows::mark_adopted(&mut self.db.ex(), target.kind(), &row.id, &c.id).await?;
        }
        let token = Secret::new(token);
        *t.live.lock().expect("live lock") = Some(Live {
            container_id: c.id,
            ip,
            token: token.clone(),
        });
        tracing::info!(container = %name, %ip, "adopted a running agent container");
        Ok(Some(Upstream {
            base_url: format!("http://{ip}:{GATEWAY_PORT}"),
            token,
            started: None,
        }))
    }

    /// A row says running or starting but there is no live container: record what happened.
    async fn record_crash(&self, rt: &Runtime, target: &AgentRef, row: &ContainerRow) -> Result<()> {
        let name = target.container_name();
        let (reason, detail) = if row.status == STARTING {
            (
                StopReason::Interrupted,
                "mosaicd stopped while the container was starting".to_string(),
            )
        } else {
            let detail = match self.docker.inspect(&name, &rt.network.name).await? {
                Some(c) if !c.running => format!(
                    "the container exited{}{}",
                    c.exit_code.map(|c| format!(" with code {c}")).unwrap_or_default(),
                    if c.oom_killed { " (out of memory)" } else { "" }
                ),
                Some(_) => "the container runs but this mosaicd did not start it".to_string(),
                None => "the container disappeared".to_string(),
            };
            (StopReason::Crash, detail)
        };
        self.mark(target, row, reason, &detail).await
    }

    /// Removes a container of this name left from an earlier start; refuses to touch one that
    /// belongs to another instance.
    async fn remove_leftover(&self, rt: &Runtime, target: &AgentRef) -> Result<()> {
        let name = target.container_name();
        if let Some(c) = self.docker.inspect(&name, &rt.network.name).await? {
            if c.labels.get(LABEL_INSTANCE) != Some(&self.settings.instance) {
                return Err(Error::conflict(format!(
                    "a container named {name} exists but does not belong to this mosaicd (instance {}); \
                     remove it or start mosaicd with the instance name it was created by",
                    self.settings.instance
                )));
            }
            tracing::info!(container = %name, state = %c.state, "removing the previous container");
            self.docker.remove(&c.id).await?;
        }
        Ok(())
    }

    /// Stops and removes the container; the caller holds the target's `op` lock. Returns whether
    /// anything was running.
    pub(crate) async fn stop_locked(
        &self,
        target: &AgentRef,
        t: &Target,
        reason: StopReason,
        actor: &Actor,
        detail: Option<String>,
    ) -> Result<bool> {
        let name = target.container_name();
        let row = rows::get(&mut self.db.ex(), target.kind(), target.owner())
            .await?
            .ok_or_else(|| Error::not_found(format!("{target} has no container yet (it is created on first use)")))?;
        *t.live.lock().expect("live lock") = None;
        let network = self.network_name();
        let grace = settings::load(&self.db)
            .await
            .map(|s| s.stop_timeout)
            .unwrap_or(Duration::from_secs(10));
        let mut existed = false;
        if let Some(c) = self.docker.inspect(&name, &network).await? {
            if c.labels.get(LABEL_INSTANCE) != Some(&self.settings.instance) {
                return Err(Error::conflict(format!(
                    "the container named {name} does not belong to this mosaicd; not stopping it"
                )));
            }
            existed = c.running;
            self.docker.stop(&c.id, grace).await?;
            self.docker.remove(&c.id).await?;
        }
        if let AgentRef::User(id) = target {
            let last = t.activity.lock().expect("activity lock").last_ms;
            if last > 0 {
                rows::touch(&mut self.db.ex(), id, last).await?;
            }
        }
        if row.status == STOPPED && !existed {
            return Ok(false);
        }
        rows::mark_stopped(
            &mut self.db.ex(),
            target.kind(),
            &row.id,
            STOPPED,
            reason.as_str(),
            detail.as_deref(),
        )
        .await?;
        let mut audit_detail = json!({ "container": name, "reason": reason.as_str() });
        if let Some(d) = &detail {
            audit_detail["detail"] = json!(d);
        }
        self.record(actor, "container.stop", target, audit_detail).await;
        self.prometheus.container_stopped(reason.as_str());
        tracing::info!(container = %name, reason = reason.as_str(), detail = detail.as_deref().unwrap_or(""), "agent container stopped");
        Ok(existed)
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
        let running = row.status == RUNNING;
        let started = row.started_at.filter(|_| running);
        ContainerStatus {
            kind: target.kind().as_str().to_string(),
            owner: row.owner.clone(),
            owner_label,
            name: target.container_name(),
            state: row.status.clone(),
            image: row.image.clone(),
            started_at: started.map(rfc3339),
            uptime_seconds: started.map(|s| ((now_ms() - s).max(0) / 1000) as u64),
            last_activity_at: (target.kind() == Kind::User && last > 0).then(|| rfc3339(last)),
            idle_seconds: (target.kind() == Kind::User && last > 0).then(|| ((now_ms() - last).max(0) / 1000) as u64),
            idle_timeout_min: row.idle_timeout_min.map(|m| m.max(0) as u64),
            active_requests: busy,
            stop_reason: row.stop_reason.clone().filter(|_| !running),
            stopped_at: row.stopped_at.filter(|_| !running).map(rfc3339),
            detail: row.status_detail.clone(),
            generation: row.generation.max(0) as u64,
        }
    }
}

/// The `system_config` key holding the instance name generated at first start.
pub const INSTANCE_KEY: &str = "containers.instance";

/// The daemon's instance name: the configured one, else the one kept in the database, else a new
/// one (kept for the next start, so a restarted daemon finds its containers again).
pub async fn resolve_instance(db: &Db, configured: Option<&str>) -> Result<String> {
    use crate::store::system_config;
    let stored = system_config::get(&mut db.ex(), INSTANCE_KEY).await?.map(|r| r.value);
    match (configured, stored) {
        (Some(name), Some(previous)) if name != previous => {
            tracing::warn!(
                instance = name, previous = %previous,
                "instance name changed: containers labelled with the previous name are no longer managed by this daemon"
            );
            system_config::set(&mut db.ex(), INSTANCE_KEY, name, false).await?;
            Ok(name.to_string())
        }
        (Some(name), Some(_)) => Ok(name.to_string()),
        (Some(name), None) => {
            system_config::set(&mut db.ex(), INSTANCE_KEY, name, false).await?;
            Ok(name.to_string())
        }
        (None, Some(previous)) => Ok(previous),
        (None, None) => {
            let name = hex::encode(rand::random::<[u8; 4]>());
            system_config::set(&mut db.ex(), INSTANCE_KEY, &name, false).await?;
            tracing::info!(instance = %name, "generated this daemon's instance name (labels its Docker objects)");
            Ok(name)
        }
    }
}
