//! The Docker Engine, through bollard: only the calls the container manager needs, each bounded by a
//! timeout and each failure turned into a [`DockerError`] that says what it means for Mosaic.
//!
//! The client is made on first use and kept: over a Unix socket bollard opens a connection per
//! request, so a kept client works again as soon as the engine is back. The API version is
//! negotiated with the engine (bollard 0.21 speaks 1.53; Docker 20.10 speaks 1.41).

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as BollardError;
use bollard::models::{
    ContainerCreateBody, ContainerSummary, EndpointSettings, NetworkCreateRequest, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, EventsOptionsBuilder, InspectContainerOptions,
    ListContainersOptionsBuilder, ListNetworksOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveVolumeOptions, StopContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};

use super::runtime::{AgentRuntime, Exits, RuntimeKind};
use super::spec::ContainerSpec;

use crate::error::{Error, chain};

/// How long one ordinary API call may take before the engine counts as unresponsive.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Connecting and negotiating the API version: a live engine answers at once.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Pulling an image can take long on a slow link.
const PULL_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// Where the engine was looked for and what the connection said are for the log (and
    /// `mosaicctl doctor`) only: a person reading the error learns that Docker is away, not the
    /// daemon's socket paths or the client library's wording.
    #[error("Docker engine unreachable; try again in a moment")]
    Unreachable { cause: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Docker engine error (HTTP {status}): {message}")]
    Api { status: u16, message: String },
    /// An image the engine does not have and could not pull: `reason` in Mosaic's words, the
    /// engine's own answer (which can name registries, addresses and the DNS server) for the log.
    #[error("agent image {image} is not on the Docker engine and pulling it failed: {reason}")]
    Pull {
        image: String,
        reason: &'static str,
        answer: String,
    },
}

impl DockerError {
    /// Message and detail in one line, for the log.
    pub fn full(&self) -> String {
        match self.detail() {
            Some(detail) => format!("{self} ({detail})"),
            None => self.to_string(),
        }
    }

    /// What only the operator's log shows.
    pub fn detail(&self) -> Option<&str> {
        match self {
            DockerError::Pull { answer, .. } => Some(answer),
            DockerError::Unreachable { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

impl From<DockerError> for Error {
    fn from(e: DockerError) -> Self {
        match e {
            DockerError::Unreachable { ref cause, .. } => Error::unavailable(e.to_string()).with_detail(cause),
            DockerError::NotFound(m) => Error::not_found(m),
            DockerError::Conflict(m) => Error::conflict(m),
            DockerError::Api { .. } => Error::unavailable(e.to_string()),
            DockerError::Pull { ref answer, .. } => Error::not_found(e.to_string()).with_detail(answer),
        }
    }
}

pub type DResult<T> = std::result::Result<T, DockerError>;

/// What the manager needs to know about one container.
#[derive(Debug, Clone)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub running: bool,
    /// Docker's state word: created, running, exited, dead, …
    pub state: String,
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
    pub error: Option<String>,
    pub labels: HashMap<String, String>,
    /// Where mosaicd reaches it on the given network, when attached and running: its address
    /// (Docker), or its service's name, which the overlay's DNS resolves (Swarm).
    pub address: Option<String>,
    pub image: Option<String>,
    /// The Swarm node it runs (or last ran) on; `None` under the Docker driver.
    pub node: Option<String>,
    /// A Swarm service scaled to zero: a stopped agent, kept as a service. Never set under the
    /// Docker driver, whose stopped agents have no container.
    pub parked: bool,
}

const REGISTRY_REFUSED: &str = "its registry does not have it, or refuses the engine access";

/// Why a pull failed, in Mosaic's words, from the engine's answer (the engine reports pull
/// failures as text only). The answer itself goes to the log.
fn pull_reason(answer: &str) -> &'static str {
    let answer = answer.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| answer.contains(w));
    if has(&[
        "no such host",
        "dial tcp",
        "server misbehaving",
        "i/o timeout",
        "connection refused",
        "network is unreachable",
        "tls handshake",
        "x509",
    ]) {
        "the engine cannot reach its registry"
    } else if has(&[
        "not found",
        "manifest unknown",
        "does not exist",
        "denied",
        "unauthorized",
    ]) {
        REGISTRY_REFUSED
    } else {
        "the engine refused to pull it (the daemon's log has its answer)"
    }
}

/// What Mosaic checks of an image before using it.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    pub id: String,
    pub labels: HashMap<String, String>,
    /// The user the image runs as, if it names one.
    pub user: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NetworkInfo {
    pub id: String,
    pub name: String,
    pub gateway: Ipv4Addr,
    pub subnet: Option<String>,
    /// No route out of it (`Internal`): only its own subnet, the gateway included, is reachable.
    pub internal: bool,
}

/// The engine at one address.
pub struct DockerClient {
    host: String,
    client: tokio::sync::Mutex<Option<Docker>>,
    /// Set while the engine is unreachable: calls then get the short connect timeout instead of
    /// the full one, so an outage answers fast even where connecting hangs (a TCP host whose
    /// packets are dropped).
    down: std::sync::atomic::AtomicBool,
}

impl DockerClient {
    pub fn new(host: &str) -> DockerClient {
        DockerClient {
            host: host.to_string(),
            client: tokio::sync::Mutex::new(None),
            down: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    fn unreachable(&self, cause: impl std::fmt::Display) -> DockerError {
        DockerError::Unreachable {
            cause: format!("at {}: {cause}", self.host),
        }
    }

    /// The connected client, connecting (and negotiating the API version) if needed.
    pub(super) async fn client(&self) -> DResult<Docker> {
        let mut cached = self.client.lock().await;
        if let Some(docker) = cached.as_ref() {
            return Ok(docker.clone());
        }
        let docker = if let Some(path) = self.host.strip_prefix("unix://") {
            Docker::connect_with_unix(path, CALL_TIMEOUT.as_secs(), bollard::API_DEFAULT_VERSION)
        } else if self.host.starts_with("tcp://") || self.host.starts_with("http://") {
            Docker::connect_with_http(&self.host, CALL_TIMEOUT.as_secs(), bollard::API_DEFAULT_VERSION)
        } else {
            return Err(self.unreachable("unsupported address (expected unix://PATH or tcp://HOST:PORT)"));
        }
        .map_err(|e| self.unreachable(chain(&e)))?;
        let docker = tokio::time::timeout(CONNECT_TIMEOUT, docker.negotiate_version())
            .await
            .map_err(|_| self.unreachable(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| self.unreachable(chain(&e)))?;
        let version = docker.client_version();
        tracing::info!(docker = %self.host, api = %format!("{}.{}", version.major_version, version.minor_version), "connected to the Docker engine");
        *cached = Some(docker.clone());
        Ok(docker)
    }

    /// Runs one call with a deadline and translates its failure.
    pub(super) async fn call<T>(
        &self,
        what: &str,
        limit: Duration,
        fut: impl std::future::Future<Output = Result<T, BollardError>>,
    ) -> DResult<T> {
        use std::sync::atomic::Ordering;
        let limit = if self.down.load(Ordering::Relaxed) {
            limit.min(CONNECT_TIMEOUT)
        } else {
            limit
        };
        let result = match tokio::time::timeout(limit, fut).await {
            Err(_) => Err(self.unreachable(format!("{what}: no answer within {}s", limit.as_secs()))),
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.translate(what, e)),
        };
        let unreachable = matches!(result, Err(DockerError::Unreachable { .. }));
        self.down.store(unreachable, Ordering::Relaxed);
        result
    }

    fn translate(&self, what: &str, e: BollardError) -> DockerError {
        match e {
            BollardError::DockerResponseServerError { status_code, message } => match status_code {
                404 => DockerError::NotFound(message),
                409 => DockerError::Conflict(message),
                _ => DockerError::Api {
                    status: status_code,
                    message: format!("{what}: {message}"),
                },
            },
            BollardError::JsonDataError { .. } | BollardError::JsonSerdeError { .. } => DockerError::Api {
                status: 200,
                message: format!("{what}: unexpected answer: {e}"),
            },
            other => self.unreachable(chain(&other)),
        }
    }

    pub async fn ping(&self) -> DResult<()> {
        let docker = self.client().await?;
        self.call("ping", CONNECT_TIMEOUT, docker.ping()).await.map(|_| ())
    }

    /// The engine's version, for logs and `inspect`.
    pub async fn version(&self) -> DResult<String> {
        let docker = self.client().await?;
        let v = self.call("version", CONNECT_TIMEOUT, docker.version()).await?;
        Ok(format!(
            "{} (API {})",
            v.version.unwrap_or_default(),
            v.api_version.unwrap_or_default()
        ))
    }

    /// Finds the network named `name`, or creates it: an internal bridge (the engine routes
    /// nothing out of it: no internet, no private network, no cloud metadata) with
    /// inter-container communication disabled (containers do not reach each other). What leaves
    /// goes through mosaicd's egress proxy on the gateway address.
    ///
    /// A network of an earlier version that is not internal is replaced: the containers of this
    /// instance attached to it are removed (their state volumes stay; each starts again on
    /// demand, on the new network), then the network itself.
    pub async fn ensure_network(&self, name: &str, labels: &HashMap<String, String>) -> DResult<NetworkInfo> {
        let docker = self.client().await?;
        if let Some(found) = self.find_network(&docker, name).await? {
            if found.internal {
                return Ok(found);
            }
            self.replace_open_network(&docker, &found, labels).await?;
        }
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("bridge".into()),
            internal: Some(true),
            attachable: Some(false),
            options: Some(HashMap::from([(
                "com.docker.network.bridge.enable_icc".to_string(),
                "false".to_string(),
            )])),
            labels: Some(labels.clone()),
            ..Default::default()
        };
        self.call("create network", CALL_TIMEOUT, docker.create_network(request))
            .await?;
        tracing::info!(
            network = name,
            "created the agent network (internal: no route out; inter-container traffic disabled)"
        );
        self.find_network(&docker, name)
            .await?
            .ok_or_else(|| DockerError::NotFound(format!("network {name} vanished after creation")))
    }

    async fn replace_open_network(
        &self,
        docker: &Docker,
        network: &NetworkInfo,
        labels: &HashMap<String, String>,
    ) -> DResult<()> {
        let name = network.name.as_str();
        tracing::warn!(
            network = name,
            "the agent network routes out of the host (made by an earlier version); replacing it by an internal one \
             (its agent containers are removed and start again on demand; their state is kept)"
        );
        let filters = HashMap::from([("network", vec![name])]);
        let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
        let attached = self
            .call("list containers", CALL_TIMEOUT, docker.list_containers(Some(options)))
            .await?;
        let instance = labels.get(super::spec::LABEL_INSTANCE);
        let mut foreign = Vec::new();
        for c in attached.into_iter().map(|c| summary_info(c, name)) {
            if instance.is_some() && c.labels.get(super::spec::LABEL_INSTANCE) == instance {
                self.remove(&c.id).await?;
            } else {
                foreign.push(c.name);
            }
        }
        if !foreign.is_empty() {
            return Err(DockerError::Conflict(format!(
                "the agent network {name} must be replaced by an internal one, but containers Mosaic does not own are \
                 attached to it: {}; disconnect them (docker network disconnect {name} NAME)",
                foreign.join(", ")
            )));
        }
        self.call("remove network", CALL_TIMEOUT, docker.remove_network(&network.id))
            .await
    }

    pub(super) async fn find_network(&self, docker: &Docker, name: &str) -> DResult<Option<NetworkInfo>> {
        let filters = HashMap::from([("name", vec![name])]);
        let options = ListNetworksOptionsBuilder::new().filters(&filters).build();
        let mut found: Vec<_> = self
            .call("list networks", CALL_TIMEOUT, docker.list_networks(Some(options)))
            .await?
            .into_iter()
            // The name filter matches substrings.
            .filter(|n| n.name.as_deref() == Some(name))
            .collect();
        // Older engines allow duplicate names; the oldest wins and the others are removed.
        found.sort_by_key(|n| n.created.clone().map(|c| format!("{c:?}")));
        let Some(network) = found.first().cloned() else {
            return Ok(None);
        };
        for extra in found.iter().skip(1) {
            if let Some(id) = &extra.id {
                tracing::warn!(network = name, id, "removing a duplicate agent network");
                let _ = self
                    .call("remove network", CALL_TIMEOUT, docker.remove_network(id))
                    .await;
            }
        }
        let config = network.ipam.and_then(|i| i.config).unwrap_or_default();
        let ipv4 = config
            .iter()
            .find(|c| c.gateway.as_deref().is_some_and(|g| g.parse::<Ipv4Addr>().is_ok()));
        let Some(ipv4) = ipv4 else {
            return Err(DockerError::Api {
                status: 200,
                message: format!("network {name} has no IPv4 gateway"),
            });
        };
        Ok(Some(NetworkInfo {
            id: network.id.unwrap_or_default(),
            name: name.to_string(),
            gateway: ipv4
                .gateway
                .as_deref()
                .unwrap_or_default()
                .parse()
                .expect("checked above"),
            subnet: ipv4.subnet.clone(),
            internal: network.internal.unwrap_or(false),
        }))
    }

    /// Creates the named volume if it does not exist (creating an existing volume is a no-op in
    /// Docker, which keeps the data).
    pub async fn ensure_volume(&self, name: &str, labels: &HashMap<String, String>) -> DResult<()> {
        let docker = self.client().await?;
        let request = VolumeCreateRequest {
            name: Some(name.to_string()),
            driver: Some("local".into()),
            labels: Some(labels.clone()),
            ..Default::default()
        };
        self.call("create volume", CALL_TIMEOUT, docker.create_volume(request))
            .await
            .map(|_| ())
    }

    pub async fn remove_volume(&self, name: &str) -> DResult<()> {
        let docker = self.client().await?;
        match self
            .call(
                "remove volume",
                CALL_TIMEOUT,
                docker.remove_volume(name, None::<RemoveVolumeOptions>),
            )
            .await
        {
            Ok(()) | Err(DockerError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The image named `name` as the engine has it, if it has it.
    pub async fn image(&self, name: &str) -> DResult<Option<ImageInfo>> {
        let docker = self.client().await?;
        match self
            .call("inspect image", CALL_TIMEOUT, docker.inspect_image(name))
            .await
        {
            Ok(image) => {
                let config = image.config.unwrap_or_default();
                Ok(Some(ImageInfo {
                    id: image.id.unwrap_or_default(),
                    labels: config.labels.unwrap_or_default(),
                    user: config.user.filter(|u| !u.is_empty()),
                }))
            }
            Err(DockerError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Asks the image's registry (through the engine, with the engine's credentials) for its
    /// digest, without pulling it.
    pub async fn registry_digest(&self, name: &str) -> DResult<String> {
        let docker = self.client().await?;
        let found = self
            .call(
                "ask the registry",
                CALL_TIMEOUT,
                docker.inspect_registry_image(name, None),
            )
            .await?;
        Ok(found.descriptor.digest.unwrap_or_default())
    }

    /// The container named or identified `name`, if it exists; its address on `network`.
    pub async fn inspect(&self, name: &str, network: &str) -> DResult<Option<ContainerInfo>> {
        let docker = self.client().await?;
        let found = self
            .call(
                "inspect container",
                CALL_TIMEOUT,
                docker.inspect_container(name, None::<InspectContainerOptions>),
            )
            .await;
        let c = match found {
            Ok(c) => c,
            Err(DockerError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let state = c.state.unwrap_or_default();
        let address = network_ip(c.network_settings.and_then(|n| n.networks), network);
        let config = c.config.unwrap_or_default();
        Ok(Some(ContainerInfo {
            id: c.id.unwrap_or_default(),
            name: c.name.unwrap_or_default().trim_start_matches('/').to_string(),
            running: state.running.unwrap_or(false),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            exit_code: state.exit_code,
            oom_killed: state.oom_killed.unwrap_or(false),
            error: state.error.filter(|e| !e.is_empty()),
            labels: config.labels.unwrap_or_default(),
            address,
            image: config.image,
            node: None,
            parked: false,
        }))
    }

    /// Every container (running or not) carrying `label=value`.
    pub async fn list_labelled(&self, label: &str, value: &str, network: &str) -> DResult<Vec<ContainerInfo>> {
        let docker = self.client().await?;
        let filter = format!("{label}={value}");
        let filters = HashMap::from([("label", vec![filter.as_str()])]);
        let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
        let list = self
            .call("list containers", CALL_TIMEOUT, docker.list_containers(Some(options)))
            .await?;
        Ok(list.into_iter().map(|c| summary_info(c, network)).collect())
    }

    /// Creates a container; a missing image is pulled once first.
    pub async fn create(&self, name: &str, body: ContainerCreateBody) -> DResult<String> {
        let docker = self.client().await?;
        let options = CreateContainerOptionsBuilder::new().name(name).build();
        let created = self
            .call(
                "create container",
                CALL_TIMEOUT,
                docker.create_container(Some(options.clone()), body.clone()),
            )
            .await;
        let created = match created {
            Err(DockerError::NotFound(message)) if message.to_lowercase().contains("image") => {
                let image = body.image.clone().unwrap_or_default();
                self.pull(&docker, &image).await?;
                self.call(
                    "create container",
                    CALL_TIMEOUT,
                    docker.create_container(Some(options), body),
                )
                .await?
            }
            other => other?,
        };
        Ok(created.id)
    }

    pub(super) async fn pull(&self, docker: &Docker, image: &str) -> DResult<()> {
        tracing::info!(image, "agent image not present; pulling it");
        let (repo, tag) = split_image(image);
        let options = CreateImageOptionsBuilder::new().from_image(repo).tag(tag).build();
        let pulling = async {
            let mut stream = docker.create_image(Some(options), None, None);
            while let Some(item) = stream.next().await {
                item?;
            }
            Ok::<_, BollardError>(())
        };
        match tokio::time::timeout(PULL_TIMEOUT, pulling).await {
            Ok(Ok(())) => {
                tracing::info!(image, "pulled the agent image");
                Ok(())
            }
            Ok(Err(e)) => {
                let answer = chain(&e);
                let reason = match &e {
                    BollardError::DockerResponseServerError { status_code: 404, .. } => REGISTRY_REFUSED,
                    BollardError::DockerResponseServerError { .. } | BollardError::DockerStreamError { .. } => {
                        pull_reason(&answer)
                    }
                    // The engine itself went away: that is the error, not the image.
                    _ => return Err(self.translate("pull", e)),
                };
                tracing::warn!(image, answer = %answer, "the Docker engine could not pull the agent image");
                Err(DockerError::Pull {
                    image: image.to_string(),
                    reason,
                    answer,
                })
            }
            Err(_) => Err(DockerError::NotFound(format!(
                "agent image {image} is not on the Docker engine and pulling it took longer than {}s",
                PULL_TIMEOUT.as_secs()
            ))),
        }
    }

    /// Extracts a tar archive into a container (which may be created but not started).
    pub async fn upload(&self, id: &str, path: &str, tar: Vec<u8>) -> DResult<()> {
        let docker = self.client().await?;
        let options = UploadToContainerOptionsBuilder::new().path(path).build();
        self.call(
            "upload into container",
            CALL_TIMEOUT,
            docker.upload_to_container(id, Some(options), bollard::body_full(tar.into())),
        )
        .await
    }

    pub async fn start(&self, id: &str) -> DResult<()> {
        let docker = self.client().await?;
        self.call("start container", CALL_TIMEOUT, docker.start_container(id, None))
            .await
    }

    /// Stops a container (SIGTERM, then SIGKILL after `grace`); an absent or already stopped
    /// container is fine.
    pub async fn stop(&self, id: &str, grace: Duration) -> DResult<()> {
        let docker = self.client().await?;
        let options = StopContainerOptionsBuilder::new().t(grace.as_secs() as i32).build();
        match self
            .call(
                "stop container",
                grace + CALL_TIMEOUT,
                docker.stop_container(id, Some(options)),
            )
            .await
        {
            Ok(()) | Err(DockerError::NotFound(_)) => Ok(()),
            // 304: already stopped.
            Err(DockerError::Api { status: 304, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Removes a container, killing it if it runs; an absent container is fine.
    pub async fn remove(&self, id: &str) -> DResult<()> {
        let docker = self.client().await?;
        let options = RemoveContainerOptionsBuilder::new().force(true).build();
        match self
            .call(
                "remove container",
                CALL_TIMEOUT,
                docker.remove_container(id, Some(options)),
            )
            .await
        {
            Ok(()) | Err(DockerError::NotFound(_)) => Ok(()),
            // 409 "removal already in progress": someone else is removing it.
            Err(DockerError::Conflict(m)) if m.contains("already in progress") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The engine's container events for containers carrying `label=value` that mean a container
    /// stopped running (`die`, `destroy`), as (container id, action), from `since` (Unix seconds,
    /// on the engine's clock: events between then and the subscription are replayed). The stream
    /// ends or yields an error when the engine goes away.
    pub async fn container_exits(&self, label: &str, value: &str, since: i64) -> DResult<Exits> {
        self.exit_events(label, value, since, |actor| actor.id.clone()).await
    }

    /// [`DockerClient::container_exits`], each event's id chosen by `id_of` from its actor (the
    /// container, with its labels as attributes); events it gives none for are passed over.
    pub(super) async fn exit_events(
        &self,
        label: &str,
        value: &str,
        since: i64,
        id_of: fn(&bollard::models::EventActor) -> Option<String>,
    ) -> DResult<Exits> {
        let docker = self.client().await?;
        let filter = format!("{label}={value}");
        let filters = HashMap::from([
            ("type", vec!["container"]),
            ("label", vec![filter.as_str()]),
            ("event", vec!["die", "destroy"]),
        ]);
        let options = EventsOptionsBuilder::new()
            .since(&since.to_string())
            .filters(&filters)
            .build();
        let host = self.host.clone();
        Ok(docker
            .events(Some(options))
            .filter_map(move |event| {
                futures::future::ready(match event {
                    Ok(e) => e
                        .actor
                        .as_ref()
                        .and_then(id_of)
                        .map(|id| Ok((id, e.action.unwrap_or_default()))),
                    Err(e) => Some(Err(DockerError::Unreachable {
                        cause: format!("at {host}: {}", chain(&e)),
                    })),
                })
            })
            .boxed())
    }

    /// The last `lines` lines of a container's output, for error messages.
    pub async fn logs_tail(&self, id: &str, lines: usize) -> DResult<String> {
        let docker = self.client().await?;
        let collect = log_text(docker.logs(id, Some(tail_options(lines))));
        self.call("container logs", CALL_TIMEOUT, collect).await
    }
}

/// The `docker` driver: each agent is a container on this engine, on an internal bridge whose
/// gateway is mosaicd's host.
impl AgentRuntime for DockerClient {
    fn kind(&self) -> RuntimeKind {
        RuntimeKind::Docker
    }

    fn engine(&self) -> &DockerClient {
        self
    }

    fn ensure_network<'a>(
        &'a self,
        name: &'a str,
        labels: &'a HashMap<String, String>,
    ) -> BoxFuture<'a, DResult<NetworkInfo>> {
        DockerClient::ensure_network(self, name, labels).boxed()
    }

    fn mosaicd_address<'a>(&'a self, network: &'a NetworkInfo) -> BoxFuture<'a, DResult<Ipv4Addr>> {
        futures::future::ready(Ok(network.gateway)).boxed()
    }

    fn ensure_volume<'a>(&'a self, name: &'a str, labels: &'a HashMap<String, String>) -> BoxFuture<'a, DResult<()>> {
        DockerClient::ensure_volume(self, name, labels).boxed()
    }

    fn remove_volume<'a>(&'a self, name: &'a str) -> BoxFuture<'a, DResult<()>> {
        DockerClient::remove_volume(self, name).boxed()
    }

    fn inspect<'a>(&'a self, name: &'a str, network: &'a str) -> BoxFuture<'a, DResult<Option<ContainerInfo>>> {
        DockerClient::inspect(self, name, network).boxed()
    }

    fn list_labelled<'a>(
        &'a self,
        label: &'a str,
        value: &'a str,
        network: &'a str,
    ) -> BoxFuture<'a, DResult<Vec<ContainerInfo>>> {
        DockerClient::list_labelled(self, label, value, network).boxed()
    }

    fn create<'a>(
        &'a self,
        name: &'a str,
        spec: &'a ContainerSpec<'a>,
        token: &'a str,
        _node: Option<&'a str>,
    ) -> BoxFuture<'a, DResult<String>> {
        async move {
            let id = DockerClient::create(self, name, spec.body()).await?;
            // The token goes in as a file through the archive API, so it is not in `docker
            // inspect`; a container that cannot get it is of no use.
            let files = super::spec::startup_files(token, spec.settings.entrypoint);
            if let Err(e) = self.upload(&id, "/", files).await {
                if let Err(removing) = DockerClient::remove(self, &id).await {
                    tracing::warn!(container = name, error = %removing.full(), "cannot remove a container that did not get its token");
                }
                return Err(e);
            }
            Ok(id)
        }
        .boxed()
    }

    fn start<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>> {
        DockerClient::start(self, id).boxed()
    }

    fn stop<'a>(&'a self, id: &'a str, grace: Duration) -> BoxFuture<'a, DResult<()>> {
        DockerClient::stop(self, id, grace).boxed()
    }

    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>> {
        DockerClient::remove(self, id).boxed()
    }

    fn destroy<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>> {
        DockerClient::remove(self, id).boxed()
    }

    fn exits<'a>(&'a self, label: &'a str, value: &'a str, since: i64) -> BoxFuture<'a, DResult<Exits>> {
        self.container_exits(label, value, since).boxed()
    }

    fn logs_tail<'a>(&'a self, id: &'a str, lines: usize) -> BoxFuture<'a, DResult<String>> {
        DockerClient::logs_tail(self, id, lines).boxed()
    }
}

/// The container's address on `network`, as Docker lists its networks.
pub(super) fn network_ip(networks: Option<HashMap<String, EndpointSettings>>, network: &str) -> Option<String> {
    let ip: Ipv4Addr = networks?.remove(network)?.ip_address?.parse().ok()?;
    Some(ip.to_string())
}

fn summary_info(c: ContainerSummary, network: &str) -> ContainerInfo {
    let state = c.state.map(|s| s.to_string()).unwrap_or_default();
    let address = network_ip(c.network_settings.and_then(|n| n.networks), network);
    ContainerInfo {
        id: c.id.unwrap_or_default(),
        name: c
            .names
            .and_then(|n| n.into_iter().next())
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        running: state == "running",
        state,
        exit_code: None,
        oom_killed: false,
        error: None,
        labels: c.labels.unwrap_or_default(),
        address,
        image: c.image,
        node: None,
        parked: false,
    }
}

/// `registry:5000/name:tag` → (`registry:5000/name`, `tag`); no tag means `latest`. A digest
/// reference is passed whole.
fn split_image(image: &str) -> (&str, &str) {
    if image.contains('@') {
        return (image, "");
    }
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, "latest"),
    }
}

/// Both output streams, the last `lines` lines (a container's or a service's logs).
pub(super) fn tail_options(lines: usize) -> bollard::query_parameters::LogsOptions {
    LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .tail(&lines.to_string())
        .build()
}

/// The text of a log stream.
pub(super) async fn log_text(
    stream: impl futures::Stream<Item = Result<bollard::container::LogOutput, BollardError>>,
) -> Result<String, BollardError> {
    let mut stream = std::pin::pin!(stream);
    let mut out = String::new();
    while let Some(chunk) = stream.next().await {
        out.push_str(&chunk?.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_failures_in_mosaics_words() {
        let unresolvable = "Docker responded with status code 500: Get \"https://r.invalid/v2/\": dial tcp: lookup \
                            r.invalid on 10.255.255.53:53: no such host";
        assert_eq!(pull_reason(unresolvable), "the engine cannot reach its registry");
        assert_eq!(
            pull_reason("pull access denied for x, repository does not exist or may require 'docker login'"),
            REGISTRY_REFUSED
        );
        assert_eq!(
            pull_reason("manifest for x:1 not found: manifest unknown"),
            REGISTRY_REFUSED
        );
        assert!(pull_reason("something else").contains("refused to pull"));
        let e = DockerError::Pull {
            image: "r.invalid/agent:1".into(),
            reason: pull_reason(unresolvable),
            answer: unresolvable.into(),
        };
        assert!(!e.to_string().contains("10.255"), "{e}");
        assert_eq!(e.detail(), Some(unresolvable));
        let e = Error::from(e);
        assert!(!e.message().contains("10.255") && e.detail().unwrap().contains("10.255"));
    }

    #[test]
    fn splits_image_references() {
        assert_eq!(
            split_image("ghcr.io/openclaw/openclaw:latest"),
            ("ghcr.io/openclaw/openclaw", "latest")
        );
        assert_eq!(split_image("localhost:5000/agent"), ("localhost:5000/agent", "latest"));
        assert_eq!(split_image("agent:1.2"), ("agent", "1.2"));
        assert_eq!(split_image("agent@sha256:abc"), ("agent@sha256:abc", ""));
    }
}
