//! The start pipeline: owner check, row, volume, container, token file, start, health gate; adopting
//! a container a previous mosaicd started; one start at a time per container (single flight).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use serde_json::json;
use tracing::Instrument;

use super::agent_config::{self, AgentConfig, GATEWAY_PORT};
use super::docker::{ContainerInfo, DockerError, NetworkInfo};
use super::firewall;
use super::settings::{self, AgentSettings};
use super::spec::{self, ContainerSpec, LABEL_INSTANCE};
use super::target::Flight;
use super::{AgentRef, DEFAULT_INTERNAL_PORT, Inner, Live, Runtime, RuntimeKind, StopReason, Target, Upstream};
use crate::config::Secret;
use crate::error::{Error, Result};
use crate::secrets::Binding;
use crate::store::audit::Actor;
use crate::store::containers::{self as rows, ContainerRow, ContainerState, Kind};
use crate::store::users;

/// The health gate's first pause between checks; each pause is half as long again as the one
/// before, up to [`MAX_PAUSE`]: a gateway that is ready at once is noticed within a few
/// milliseconds, one that takes seconds is checked 40 times a second.
const FIRST_PAUSE: Duration = Duration::from_millis(2);
const MAX_PAUSE: Duration = Duration::from_millis(25);
/// How often the health gate asks Docker whether the container still runs (between those
/// questions it only knocks on the gateway's port).
const INSPECT_EVERY: Duration = Duration::from_millis(250);

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
    /// For the log only (what the engine answered).
    detail: Option<String>,
    container_id: Option<String>,
    /// The health check did not pass in time (rather than the start failing outright).
    timed_out: bool,
}

impl Inner {
    pub(super) async fn runtime(&self) -> Result<Arc<Runtime>> {
        self.runtime.get_or_try_init(|| self.init_runtime()).await.cloned()
    }

    /// Creates (or finds) the agent network and binds the internal listener on its gateway.
    async fn init_runtime(&self) -> Result<Arc<Runtime>> {
        let network_name = self.network_name();
        let labels = spec::base_labels(&self.settings.instance, &self.settings.extra_labels, "network");
        let network = self.driver.ensure_network(&network_name, &labels).await?;
        let internal_addr = match self.settings.internal_listen {
            Some(addr) => addr,
            None => SocketAddr::from((self.driver.mosaicd_address(&network).await?, DEFAULT_INTERNAL_PORT)),
        };
        let listener = std::net::TcpListener::bind(internal_addr).map_err(|e| {
            Error::unavailable(format!(
                "cannot listen for agent containers on {internal_addr} (the internal config endpoint): {e}"
            ))
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io("cannot configure the internal listener", e))?;
        let internal_addr = listener.local_addr().unwrap_or(internal_addr);
        // The firewall guards a bridge on this host. Under Swarm the agents are on an overlay
        // network with no bridge here (and mosaicd runs in a container of its own): see README,
        // "Placement on Docker Swarm".
        if self.settings.host_firewall && self.settings.runtime == RuntimeKind::Docker {
            self.install_firewall(&network, internal_addr).await?;
        }
        if self.internal_tx.send(listener).is_err() {
            tracing::warn!("nobody serves the internal config endpoint; agent containers cannot fetch their config");
        }
        let agent_api_url = self
            .settings
            .agent_api_url
            .clone()
            .unwrap_or_else(|| format!("http://{internal_addr}"));
        let (proxy_url, no_proxy) = match reqwest::Url::parse(&agent_api_url) {
            Ok(url) => (
                url.origin().ascii_serialization(),
                url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_string(),
            ),
            Err(_) => (format!("http://{internal_addr}"), internal_addr.ip().to_string()),
        };
        tracing::info!(
            network = %network.name, gateway = %network.gateway, internal = %internal_addr, agent_api_url, proxy = %proxy_url,
            "agent network ready; internal config endpoint and egress proxy listening"
        );
        Ok(Arc::new(Runtime {
            network,
            agent_api_url,
            internal_addr,
            proxy_url,
            no_proxy,
        }))
    }

    /// Lets agents reach only the internal listener among the host's own services (`firewall`).
    /// Fails, and no agent starts, when the rules cannot be installed.
    async fn install_firewall(&self, network: &NetworkInfo, internal: SocketAddr) -> Result<()> {
        let bridge = firewall::bridge_name(&network.id);
        let installed = {
            let bridge = bridge.clone();
            tokio::task::spawn_blocking(move || firewall::install(&bridge, internal))
                .await
                .map_err(|e| Error::internal(format!("firewall task failed: {e}")))?
        };
        match installed {
            Ok(()) => {
                tracing::info!(
                    bridge,
                    chain = firewall::chain_name(&bridge),
                    "host firewall installed: agents reach only the internal listener on this host"
                );
                Ok(())
            }
            Err(e) => {
                tracing::error!(bridge, error = %e, "cannot install the host firewall for the agent network");
                Err(Error::unavailable(
                    "agent containers cannot start: the host firewall that keeps agents away from the host's other \
                     services could not be installed (mosaicd needs the iptables command and CAP_NET_ADMIN; the log \
                     says what failed). An operator who installs equivalent rules can turn it off with \
                     host_firewall = off",
                ))
            }
        }
    }

    /// The upstream of a container this process knows to run. While the Docker event stream is
    /// watched (`events`), a death would already have taken it out of service, so it is trusted
    /// as it is; otherwise, or when `verify` asks for it, Docker is asked whether it still runs.
    async fn live_upstream(&self, target: &AgentRef, t: &Target, verify: bool) -> Result<Option<Upstream>> {
        let live = t.live.lock().expect("live lock").clone();
        let Some(live) = live else { return Ok(None) };
        let upstream = Upstream {
            base_url: format!("http://{}:{GATEWAY_PORT}", live.address),
            token: live.token.clone(),
            started: None,
        };
        if !verify && self.exits_watched() {
            return Ok(Some(upstream));
        }
        match self.driver.inspect(&live.container_id, &self.network_name()).await? {
            Some(c) if c.running => Ok(Some(upstream)),
            _ => {
                tracing::warn!(container = %target.container_name(), "container is no longer running");
                t.forget_live(&live.container_id);
                Ok(None)
            }
        }
    }

    pub(super) async fn ensure_running(
        self: &Arc<Self>,
        target: AgentRef,
        actor: Actor,
        verify: bool,
    ) -> Result<Upstream> {
        let t = self.target(&target);
        if let Some(up) = self.live_upstream(&target, &t, verify).await? {
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
                    // The start outlives the request that asked for it (others may join it), but
                    // its log lines carry that request's span as their parent.
                    let span = tracing::info_span!(
                        parent: tracing::Span::current(),
                        "container_start",
                        agent = %target,
                        container = %target.container_name(),
                    );
                    let task = tokio::spawn(
                        async move {
                            let result = async {
                                let _op = inner.op_lock(&target, &t2).await?;
                                if let Some(up) = inner.live_upstream(&target, &t2, verify).await? {
                                    return Ok(up);
                                }
                                inner.start_locked(&target, &t2, &actor).await
                            }
                            .await;
                            *t2.flight.lock().expect("flight lock") = None;
                            result
                        }
                        .instrument(span),
                    );
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
    pub(super) async fn check_owner(&self, target: &AgentRef) -> Result<()> {
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

    /// Starts the container; the caller holds the target's `op` lock.
    pub(super) async fn start_locked(&self, target: &AgentRef, t: &Target, actor: &Actor) -> Result<Upstream> {
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
        if row.status == ContainerState::Running {
            // Started by a previous mosaicd and still healthy: adopt it rather than restart it
            // (reconciliation at startup usually got there first).
            if let Some(up) = self.try_adopt(target, t, &row).await? {
                return Ok(up);
            }
        }
        if row.status.is_up() {
            // The row says it runs, but there is no healthy container: it died, was killed from
            // outside, or a previous mosaicd died while starting it.
            self.record_crash(&rt, target, &row).await?;
        }
        // No container of this name is looked for first: the create answers 409 if one is left
        // from an earlier start, and only then is it removed (`create_container`).

        // The state volume is made while the database work is done (only the first start makes
        // it; later ones remember it).
        let (volume, prepared) = tokio::join!(self.ensure_volume(target, t), async {
            let config = agent_config::generate(&self.db, &self.keyring, target).await?;
            let token = new_token();
            let hash = crate::auth::tokens::hash(&token);
            let generation = row.generation + 1;
            let encrypted = self.keyring.encrypt(
                &Binding::new(rows::table(target.kind()), row.id.clone(), "gateway_token"),
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
            Ok((config, token, generation))
        });
        let (config, token, generation) = prepared?;
        tracing::info!(container = %name, generation, image = %settings.image, "starting agent container");

        match self
            .create_and_check(&rt, target, &row, &settings, generation, &config, &token, volume, began)
            .await
        {
            Ok((container_id, address, node)) => {
                rows::mark_running(&mut self.db.ex(), target.kind(), &row.id, generation, &container_id).await?;
                if let Some(node) = node.filter(|n| row.node.as_ref() != Some(n)) {
                    // Where the scheduler put the first start is where the state volume now
                    // is: every later start goes there.
                    rows::record_node(&mut self.db.ex(), target.kind(), &row.id, &node).await?;
                    tracing::info!(container = %name, node, "agent placed on a node; its later starts go there");
                }
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
                tracing::info!(container = %name, %address, seconds = format!("{seconds:.2}"), "agent container is healthy");
                let token = Secret::new(token);
                let base_url = format!("http://{address}:{GATEWAY_PORT}");
                *t.live.lock().expect("live lock") = Some(Live {
                    container_id,
                    address,
                    token: token.clone(),
                });
                {
                    // A fresh start counts as activity: the idle clock starts now.
                    let mut a = t.activity.lock().expect("activity lock");
                    a.last_ms = a.last_ms.max(self.settings.clock.now_ms());
                }
                Ok(Upstream {
                    base_url,
                    token,
                    started: Some(began.elapsed()),
                })
            }
            Err(failure) => {
                if let Some(id) = &failure.container_id {
                    let removed = self.driver.remove(id).await;
                    if let Err(e) = removed {
                        tracing::warn!(container = %name, error = %e.full(), "cannot remove the container that failed to start");
                    }
                }
                let detail = failure.message.clone();
                rows::mark_stopped(
                    &mut self.db.ex(),
                    target.kind(),
                    &row.id,
                    ContainerState::Error,
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
                tracing::error!(container = %name, error = %detail, detail = failure.detail.as_deref().unwrap_or(""), "agent container failed to start");
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
        row: &ContainerRow,
        settings: &AgentSettings,
        generation: i64,
        config: &AgentConfig,
        token: &str,
        volume: std::result::Result<(), DockerError>,
        began: Instant,
    ) -> std::result::Result<(String, String, Option<String>), StartFailure> {
        let fail = |message: String, container_id: Option<String>| StartFailure {
            message,
            detail: None,
            container_id,
            timed_out: false,
        };
        let docker_fail = |e: DockerError, id: Option<String>| StartFailure {
            detail: e.detail().map(str::to_string),
            ..fail(e.to_string(), id)
        };
        let s = &self.settings;
        volume.map_err(|e| docker_fail(e, None))?;
        let spec = ContainerSpec::for_agent(
            target,
            &s.instance,
            &s.extra_labels,
            rt,
            generation,
            &config.hash,
            settings,
        );
        let id = self
            .create_container(rt, target, &spec, token, row.node.as_deref())
            .await
            .map_err(|e| match e {
                Ok(e) => docker_fail(e, None),
                Err(e) => fail(e.to_string(), None),
            })?;
        self.driver
            .start(&id)
            .await
            .map_err(|e| docker_fail(e, Some(id.clone())))?;
        let deadline = began + settings.start_timeout;
        self.health_gate(rt, &id, deadline, settings.start_timeout)
            .await
            .map(|(address, node)| (id.clone(), address, node))
            .map_err(|(message, timed_out)| StartFailure {
                timed_out,
                // The agent's own output is part of the message; whatever it printed, the
                // gateway token and the provider keys do not travel on.
                ..fail(config.redact(&message).replace(token, "[redacted]"), Some(id))
            })
    }

    /// Waits until the gateway is ready (see [`Self::probe`]), the container exits, or the
    /// deadline passes; fails with the reason and whether it was the deadline.
    pub(super) async fn health_gate(
        &self,
        rt: &Runtime,
        id: &str,
        deadline: Instant,
        limit: Duration,
    ) -> std::result::Result<(String, Option<String>), (String, bool)> {
        let mut last;
        let mut address = None;
        let mut node = None;
        let mut waiting = None;
        let mut inspected: Option<Instant> = None;
        let mut pause = FIRST_PAUSE;
        loop {
            // Docker is asked for the address once, then only every `INSPECT_EVERY`, to notice
            // a container that exited; in between, the gateway's port is all that is checked.
            if address.is_none() || inspected.is_none_or(|at| at.elapsed() >= INSPECT_EVERY) {
                let info = self.driver.inspect(id, &rt.network.name).await.map_err(|e| {
                    if let Some(detail) = e.detail() {
                        tracing::warn!(container = %id, detail, "Docker failed during the health check");
                    }
                    (e.to_string(), false)
                })?;
                inspected = Some(Instant::now());
                let Some(info) = info else {
                    return Err(("the container disappeared while starting".into(), false));
                };
                if !info.running {
                    return Err((self.exit_message(id, &info).await, false));
                }
                address = info.address;
                node = info.node;
                // Why it is not up yet, as the runtime says (a Swarm task waiting for a node).
                waiting = info.error;
            }
            match &address {
                Some(host) => match self.probe(host).await {
                    Ok(()) => return Ok((host.clone(), node)),
                    Err(e) => last = e,
                },
                None => {
                    last = match &waiting {
                        Some(why) => format!("the container has no address on the agent network yet ({why})"),
                        None => "the container has no address on the agent network yet".into(),
                    }
                }
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
            tokio::time::sleep((deadline - now).min(pause)).await;
            pause = (pause * 3 / 2).min(MAX_PAUSE);
        }
    }

    /// Why a container exited before it became healthy, with its last output, on one line (the
    /// error travels in one-line CLI messages and log fields).
    async fn exit_message(&self, id: &str, info: &ContainerInfo) -> String {
        let logs = self.driver.logs_tail(id, 20).await.unwrap_or_default();
        let mut message = format!(
            "the container exited{} before it became healthy",
            info.exit_code.map(|c| format!(" with code {c}")).unwrap_or_default()
        );
        if info.oom_killed {
            message.push_str(" (killed: out of memory)");
        }
        if let Some(error) = &info.error {
            message.push_str(&format!("; Docker: {error}"));
        }
        let logs: Vec<&str> = logs.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if !logs.is_empty() {
            message.push_str(&format!("; its last output: {}", truncate(&logs.join(" | "), 1500)));
        }
        message
    }

    /// One health check. The gateway is ready when `GET /readyz` answers 200 with `{"ready":true}`
    /// (OpenClaw: `src/gateway/server-http.ts`, `handleGatewayProbeRequest`; 2026.3's first
    /// version answered `{"ok":true,"status":"ready"}`); a gateway without `/readyz` (404) is
    /// judged by its liveness, `GET /healthz` answering 200 with `{"ok":true,…}`.
    async fn probe(&self, host: &str) -> std::result::Result<(), String> {
        let (status, body) = self.probe_get(host, "/readyz").await?;
        if status == 404 {
            let (status, body) = self.probe_get(host, "/healthz").await?;
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

    async fn probe_get(&self, host: &str, path: &str) -> std::result::Result<(u16, String), String> {
        let url = format!("http://{host}:{GATEWAY_PORT}{path}");
        let response = self.http.get(&url).send().await.map_err(|e| {
            if e.is_connect() {
                "connection refused (the gateway is not listening yet)".to_string()
            } else if e.is_timeout() {
                "no answer within 2s".to_string()
            } else {
                // The client's own wording names the container's address: for the log only.
                tracing::debug!(host, path, error = %crate::error::chain(&e), "health check failed");
                format!("{path} gave no HTTP answer (the connection broke off, or what came back was not HTTP)")
            }
        })?;
        let status = response.status().as_u16();
        Ok((status, response.text().await.unwrap_or_default()))
    }

    /// Adopts the running container of `row`'s generation if it answers its health check.
    async fn try_adopt(&self, target: &AgentRef, t: &Target, row: &ContainerRow) -> Result<Option<Upstream>> {
        let name = target.container_name();
        let Some(c) = self.driver.inspect(&name, &self.network_name()).await? else {
            return Ok(None);
        };
        let ours = c.labels.get(LABEL_INSTANCE) == Some(&self.settings.instance)
            && c.labels.get(spec::LABEL_GENERATION) == Some(&row.generation.to_string());
        let (Some(address), Some(stored), true, true) = (c.address, row.gateway_token.as_ref(), c.running, ours) else {
            return Ok(None);
        };
        if self.probe(&address).await.is_err() {
            return Ok(None);
        }
        let token = self.keyring.decrypt(
            &Binding::new(rows::table(target.kind()), row.id.clone(), "gateway_token"),
            stored,
        )?;
        if row.container_id.as_deref() != Some(c.id.as_str()) {
            rows::mark_adopted(&mut self.db.ex(), target.kind(), &row.id, &c.id).await?;
        }
        let token = Secret::new(token);
        let base_url = format!("http://{address}:{GATEWAY_PORT}");
        tracing::info!(container = %name, %address, "adopted a running agent container");
        *t.live.lock().expect("live lock") = Some(Live {
            container_id: c.id,
            address,
            token: token.clone(),
        });
        Ok(Some(Upstream {
            base_url,
            token,
            started: None,
        }))
    }

    /// A row says running or starting but there is no live container: record what happened.
    async fn record_crash(&self, rt: &Runtime, target: &AgentRef, row: &ContainerRow) -> Result<()> {
        let name = target.container_name();
        let (reason, detail) = if row.status == ContainerState::Starting {
            (
                StopReason::Interrupted,
                "mosaicd stopped while the container was starting".to_string(),
            )
        } else {
            let detail = match self.driver.inspect(&name, &rt.network.name).await? {
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

    /// Creates the container. A container of the same name left from an earlier start (a stop
    /// that failed half-way, a crash in the middle of a start) makes the create answer 409: it
    /// is removed then and the create tried once more. `Err(Err(_))`: the leftover is not ours.
    async fn create_container(
        &self,
        rt: &Runtime,
        target: &AgentRef,
        spec: &ContainerSpec<'_>,
        token: &str,
        node: Option<&str>,
    ) -> std::result::Result<String, std::result::Result<DockerError, Error>> {
        let name = target.container_name();
        match self.driver.create(&name, spec, token, node).await {
            Err(DockerError::Conflict(_)) => {
                self.remove_leftover(rt, target).await.map_err(Err)?;
                self.driver.create(&name, spec, token, node).await.map_err(Ok)
            }
            other => other.map_err(Ok),
        }
    }

    /// Creates the agent's state volume unless this process already did (creating an existing
    /// volume keeps its data; the answer is remembered to spare later starts the call).
    async fn ensure_volume(&self, target: &AgentRef, t: &Target) -> std::result::Result<(), DockerError> {
        use std::sync::atomic::Ordering;
        if t.volume_ready.load(Ordering::Relaxed) {
            return Ok(());
        }
        let s = &self.settings;
        let labels = spec::owner_labels(target, &s.instance, &s.extra_labels, "volume");
        self.driver.ensure_volume(&target.volume_name(), &labels).await?;
        t.volume_ready.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Removes a container of this name left from an earlier start; refuses to touch one that
    /// belongs to another instance.
    async fn remove_leftover(&self, rt: &Runtime, target: &AgentRef) -> Result<()> {
        let name = target.container_name();
        if let Some(c) = self.driver.inspect(&name, &rt.network.name).await? {
            if c.labels.get(LABEL_INSTANCE) != Some(&self.settings.instance) {
                return Err(Error::conflict(format!(
                    "a container named {name} exists but does not belong to this mosaicd (instance {}); \
                     remove it or start mosaicd with the instance name it was created by",
                    self.settings.instance
                )));
            }
            tracing::info!(container = %name, state = %c.state, "removing the previous container");
            self.driver.remove(&c.id).await?;
        }
        Ok(())
    }
}
