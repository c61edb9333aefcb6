//! The `swarm` driver: each agent is a Docker Swarm service on an attachable overlay network.
//!
//! - A running agent is a service with one replica; a stopped (reaped, restarted, removed from
//!   service) agent keeps its service, scaled to zero and without its token; a system agent
//!   that is deleted, or a service without a database row, has its service removed.
//! - Services use `--endpoint-mode dnsrr`: mosaicd, itself a container on the overlay, reaches
//!   an agent by its service's name (the overlay's DNS answers the task's address), with no
//!   virtual IP (which needs IPVS in the kernel) and no published port.
//! - The gateway token (and, in `script` mode, the entrypoint) is a Swarm secret made for each
//!   start, mounted as a file only the agent's user reads; it is not in `docker service
//!   inspect` (which shows the secret's name only), and the secrets of a start are removed when
//!   its service is scaled down or replaced.
//! - The state volume is local to the node the task runs on: the first start lets the scheduler
//!   choose, and the start pipeline records the node; later starts carry a `node.id==…`
//!   constraint (`create`'s `node`).
//! - A task's death is seen in the container events of the engine mosaicd is connected to (its
//!   own node); a death on another node is found when a request cannot reach the agent (which
//!   asks again with Swarm) and by reconciliation.
//!
//! Services must be made through a manager: mosaicd talks to a manager node's engine.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bollard::Docker;
use bollard::models::{
    EndpointSettings, NetworkConnectRequest, NetworkCreateRequest, SecretSpec, Service, ServiceSpec, Task,
    TaskSpecContainerSpecFile, TaskSpecContainerSpecSecrets, TaskState,
};
use bollard::query_parameters::{
    InspectContainerOptions, ListSecretsOptionsBuilder, ListServicesOptionsBuilder, ListTasksOptionsBuilder,
    UpdateServiceOptionsBuilder,
};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::docker::{CALL_TIMEOUT, ContainerInfo, DResult, DockerClient, DockerError, NetworkInfo, network_ip};
use super::runtime::{AgentRuntime, Exits, RuntimeKind};
use super::spec::{self, AGENT_GID, AGENT_UID, ContainerSpec, ENTRYPOINT_FILE, ENTRYPOINT_SCRIPT, TOKEN_FILE};

/// Labels a secret with the service it was made for, so the service's old secrets are found.
const LABEL_SERVICE: &str = "mosaic.service";
/// How often a stop asks whether the task has stopped.
const STOP_POLL: Duration = Duration::from_millis(100);

/// Docker Swarm, through a manager's engine.
pub struct SwarmRuntime {
    engine: DockerClient,
}

impl SwarmRuntime {
    pub fn new(host: &str) -> SwarmRuntime {
        SwarmRuntime {
            engine: DockerClient::new(host),
        }
    }

    async fn client(&self) -> DResult<Docker> {
        self.engine.client().await
    }

    /// The service named or identified `name`, if it exists.
    async fn service(&self, docker: &Docker, name: &str) -> DResult<Option<Service>> {
        match self
            .engine
            .call("inspect service", CALL_TIMEOUT, docker.inspect_service(name, None))
            .await
        {
            Ok(service) => Ok(Some(service)),
            Err(DockerError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The tasks of one service (`Some(id)`), or of every service.
    async fn tasks(&self, docker: &Docker, service: Option<&str>) -> DResult<Vec<Task>> {
        let filters: HashMap<&str, Vec<&str>> = match service {
            Some(id) => HashMap::from([("service", vec![id])]),
            None => HashMap::new(),
        };
        let options = ListTasksOptionsBuilder::new().filters(&filters).build();
        self.engine
            .call("list tasks", CALL_TIMEOUT, docker.list_tasks(Some(options)))
            .await
    }

    /// Replaces the service's spec with `spec`, at the version it was read at.
    async fn update(&self, docker: &Docker, service: &Service, spec: ServiceSpec) -> DResult<()> {
        let id = service.id.clone().unwrap_or_default();
        let version = service.version.as_ref().and_then(|v| v.index).unwrap_or_default();
        let options = UpdateServiceOptionsBuilder::new().version(version as i32).build();
        self.engine
            .call(
                "update service",
                CALL_TIMEOUT,
                docker.update_service(&id, spec, options, None),
            )
            .await
            .map(|_| ())
    }

    /// Sets the service's replicas; scaling to zero also takes its secrets off it (so they can
    /// be removed: nothing that is stopped holds a token). Returns the service's name, if it
    /// exists.
    async fn scale(&self, docker: &Docker, id: &str, replicas: i64) -> DResult<Option<String>> {
        let Some(service) = self.service(docker, id).await? else {
            return Ok(None);
        };
        let mut spec = service.spec.clone().unwrap_or_default();
        let name = spec.name.clone().unwrap_or_default();
        let current = replicas_of(&spec);
        let container = spec.task_template.as_mut().and_then(|t| t.container_spec.as_mut());
        let holds_files = container
            .as_ref()
            .is_some_and(|c| c.secrets.as_ref().is_some_and(|s| !s.is_empty()));
        if current == replicas && (replicas > 0 || !holds_files) {
            return Ok(Some(name));
        }
        if replicas == 0
            && let Some(container) = container
        {
            container.secrets = Some(Vec::new());
        }
        set_replicas(&mut spec, replicas);
        self.update(docker, &service, spec).await?;
        if replicas == 0 {
            self.remove_secrets(docker, &name, &[]).await?;
        }
        Ok(Some(name))
    }

    /// Removes the secrets made for the service `name`, but those in `keep`.
    async fn remove_secrets(&self, docker: &Docker, name: &str, keep: &[String]) -> DResult<()> {
        let filter = format!("{LABEL_SERVICE}={name}");
        let filters = HashMap::from([("label", vec![filter.as_str()])]);
        let options = ListSecretsOptionsBuilder::new().filters(&filters).build();
        let secrets = self
            .engine
            .call("list secrets", CALL_TIMEOUT, docker.list_secrets(Some(options)))
            .await?;
        for secret in secrets {
            let id = secret.id.unwrap_or_default();
            if keep.contains(&id) {
                continue;
            }
            match self
                .engine
                .call("remove secret", CALL_TIMEOUT, docker.delete_secret(&id))
                .await
            {
                Ok(()) | Err(DockerError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Makes one secret for a start of the service `name`, mounted at `path`.
    async fn secret(
        &self,
        docker: &Docker,
        name: &str,
        labels: &HashMap<String, String>,
        path: &str,
        data: &[u8],
        mode: u32,
    ) -> DResult<TaskSpecContainerSpecSecrets> {
        // Swarm allows 64 characters: `mosaic-user-<uuid>` and a short tag fit.
        let tag = if path == TOKEN_FILE { "tok" } else { "ep" };
        let secret_name = format!("{name}-{tag}-{}", hex::encode(rand::random::<[u8; 4]>()));
        let mut labels = labels.clone();
        labels.insert(spec::LABEL_OBJECT.into(), "secret".into());
        labels.insert(LABEL_SERVICE.into(), name.into());
        let created = self
            .engine
            .call(
                "create secret",
                CALL_TIMEOUT,
                docker.create_secret(SecretSpec {
                    name: Some(secret_name.clone()),
                    labels: Some(labels),
                    data: Some(base64::engine::general_purpose::STANDARD.encode(data)),
                    ..Default::default()
                }),
            )
            .await?;
        Ok(TaskSpecContainerSpecSecrets {
            file: Some(TaskSpecContainerSpecFile {
                name: Some(path.to_string()),
                uid: Some(AGENT_UID.to_string()),
                gid: Some(AGENT_GID.to_string()),
                mode: Some(mode),
            }),
            secret_id: Some(created.id),
            secret_name: Some(secret_name),
        })
    }

    /// What the manager needs to know of one service, from its tasks.
    fn info(&self, service: Service, tasks: &[&Task]) -> ContainerInfo {
        let spec = service.spec.unwrap_or_default();
        let name = spec.name.clone().unwrap_or_default();
        let replicas = replicas_of(&spec);
        // The tasks of the current start are those holding its secrets (every start makes its
        // own); right after a start scaled the service up, the scheduler may not have made its
        // task yet: it is on its way.
        let current = secret_ids(spec.task_template.as_ref());
        let tasks: Vec<&Task> = tasks
            .iter()
            .copied()
            .filter(|t| current.is_empty() || secret_ids(t.spec.as_ref()) == current)
            .collect();
        let scheduling = replicas > 0 && tasks.is_empty();
        // The task of the latest start: the one Swarm wants running, else the newest (a task's
        // version moves whenever its state does, so it does not tell which is newest).
        let latest = tasks.iter().max_by_key(|t| {
            let created = t
                .created_at
                .as_deref()
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                .and_then(|at| at.timestamp_nanos_opt());
            (wanted_up(t), created)
        });
        let state = latest.and_then(|t| t.status.as_ref()).and_then(|s| s.state);
        let wanted = latest.is_some_and(|t| wanted_up(t));
        let running = replicas > 0 && wanted && state == Some(TaskState::RUNNING);
        // On its way up (scheduled, image being prepared, starting): it counts as running, with
        // no address yet, so a start waits for it.
        let coming = scheduling
            || replicas > 0
                && wanted
                && matches!(
                    state,
                    Some(
                        TaskState::NEW
                            | TaskState::ALLOCATED
                            | TaskState::PENDING
                            | TaskState::ASSIGNED
                            | TaskState::ACCEPTED
                            | TaskState::PREPARING
                            | TaskState::READY
                            | TaskState::STARTING
                    )
                );
        let status = latest.and_then(|t| t.status.clone()).unwrap_or_default();
        let container = spec.task_template.as_ref().and_then(|t| t.container_spec.as_ref());
        let word = match (replicas, state) {
            (0, _) => "stopped".to_string(),
            (_, Some(state)) => state.to_string(),
            (_, None) => "pending".to_string(),
        };
        ContainerInfo {
            id: service.id.unwrap_or_default(),
            address: running.then(|| name.clone()),
            name,
            running: running || coming,
            state: word,
            exit_code: status
                .container_status
                .and_then(|c| c.exit_code)
                .filter(|_| !running && !coming),
            oom_killed: false,
            error: status.err.filter(|e| !e.is_empty()),
            labels: spec.labels.clone().unwrap_or_default(),
            image: container.and_then(|c| c.image.clone()),
            node: latest.and_then(|t| t.node_id.clone()).filter(|n| !n.is_empty()),
            parked: replicas == 0,
        }
    }

    /// The network named `name`, once the swarm has given it its addresses (a new overlay is
    /// listed for a moment before its subnet is allocated).
    async fn find_network(&self, docker: &Docker, name: &str) -> DResult<Option<NetworkInfo>> {
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            match self.engine.find_network(docker, name).await {
                Err(DockerError::Api { status: 200, .. }) if Instant::now() < deadline => {
                    tokio::time::sleep(STOP_POLL).await;
                }
                other => return other,
            }
        }
    }

    /// mosaicd's own container: the swarm driver runs in one, on a manager.
    async fn own_container(&self, docker: &Docker) -> DResult<bollard::models::ContainerInspectResponse> {
        let hostname = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        let hostname = hostname.trim();
        let missing = || {
            DockerError::NotFound(format!(
                "under the swarm runtime mosaicd runs in a container on a manager node (the agents reach it on the \
                 overlay network), but the engine has no container {hostname:?} (this host's name); run mosaicd \
                 in a container without --hostname"
            ))
        };
        if hostname.is_empty() {
            return Err(missing());
        }
        match self
            .engine
            .call(
                "inspect container",
                CALL_TIMEOUT,
                docker.inspect_container(hostname, None::<InspectContainerOptions>),
            )
            .await
        {
            Ok(c) => Ok(c),
            Err(DockerError::NotFound(_)) => Err(missing()),
            Err(e) => Err(e),
        }
    }
}

/// Whether Swarm wants the task up: running, or ready to run (a task the orchestrator made
/// for a scale-up or a restart is "ready" until it lets it run).
fn wanted_up(task: &Task) -> bool {
    matches!(task.desired_state, Some(TaskState::RUNNING | TaskState::READY))
}

/// The ids of the secrets a task (template) mounts, sorted.
fn secret_ids(task: Option<&bollard::models::TaskSpec>) -> Vec<String> {
    let mut ids: Vec<String> = task
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.secrets.as_ref())
        .map(|s| s.iter().filter_map(|s| s.secret_id.clone()).collect())
        .unwrap_or_default();
    ids.sort();
    ids
}

fn replicas_of(spec: &ServiceSpec) -> i64 {
    spec.mode
        .as_ref()
        .and_then(|m| m.replicated.as_ref())
        .and_then(|r| r.replicas)
        .unwrap_or(0)
}

fn set_replicas(spec: &mut ServiceSpec, replicas: i64) {
    let mode = spec.mode.get_or_insert_with(Default::default);
    mode.replicated.get_or_insert_with(Default::default).replicas = Some(replicas);
}

fn own_address(c: &bollard::models::ContainerInspectResponse, network: &str) -> Option<Ipv4Addr> {
    network_ip(c.network_settings.clone().and_then(|n| n.networks), network)?
        .parse()
        .ok()
}

impl AgentRuntime for SwarmRuntime {
    fn kind(&self) -> RuntimeKind {
        RuntimeKind::Swarm
    }

    fn engine(&self) -> &DockerClient {
        &self.engine
    }

    /// Finds or creates the attachable overlay network: internal (Swarm routes nothing out of
    /// it); what an agent reaches beyond it goes through mosaicd's egress proxy.
    fn ensure_network<'a>(
        &'a self,
        name: &'a str,
        labels: &'a HashMap<String, String>,
    ) -> BoxFuture<'a, DResult<NetworkInfo>> {
        async move {
            let docker = self.client().await?;
            if let Some(found) = self.find_network(&docker, name).await? {
                if !found.internal {
                    tracing::warn!(
                        network = name,
                        "the agent network routes out of the swarm; agents on it are not confined to the egress proxy"
                    );
                }
                return Ok(found);
            }
            let request = NetworkCreateRequest {
                name: name.to_string(),
                driver: Some("overlay".into()),
                internal: Some(true),
                attachable: Some(true),
                labels: Some(labels.clone()),
                ..Default::default()
            };
            self.engine
                .call("create network", CALL_TIMEOUT, docker.create_network(request))
                .await?;
            tracing::info!(
                network = name,
                "created the agent network (an internal, attachable overlay)"
            );
            self.find_network(&docker, name)
                .await?
                .ok_or_else(|| DockerError::NotFound(format!("network {name} vanished after creation")))
        }
        .boxed()
    }

    /// mosaicd's own container's address on the overlay, joining it first if needed.
    fn mosaicd_address<'a>(&'a self, network: &'a NetworkInfo) -> BoxFuture<'a, DResult<Ipv4Addr>> {
        async move {
            let docker = self.client().await?;
            let own = self.own_container(&docker).await?;
            if let Some(ip) = own_address(&own, &network.name) {
                return Ok(ip);
            }
            let id = own.id.clone().unwrap_or_default();
            self.engine
                .call(
                    "join the agent network",
                    CALL_TIMEOUT,
                    docker.connect_network(
                        &network.id,
                        NetworkConnectRequest {
                            container: id,
                            endpoint_config: Some(EndpointSettings::default()),
                        },
                    ),
                )
                .await?;
            tracing::info!(network = %network.name, "mosaicd's container joined the agent network");
            let own = self.own_container(&docker).await?;
            own_address(&own, &network.name).ok_or_else(|| DockerError::Api {
                status: 200,
                message: format!(
                    "mosaicd's container has no address on {} after joining it",
                    network.name
                ),
            })
        }
        .boxed()
    }

    /// Nothing to do here: the volume lives on the node the task runs on, which creates it (with
    /// its labels) from the service's mount.
    fn ensure_volume<'a>(&'a self, _name: &'a str, _labels: &'a HashMap<String, String>) -> BoxFuture<'a, DResult<()>> {
        futures::future::ready(Ok(())).boxed()
    }

    /// Removes the volume from the engine mosaicd talks to; a volume on another node stays
    /// (the README says how to remove it there).
    fn remove_volume<'a>(&'a self, name: &'a str) -> BoxFuture<'a, DResult<()>> {
        async move {
            // The removed service's task containers go away shortly after it; they hold the
            // volume until then.
            let deadline = Instant::now() + CALL_TIMEOUT;
            loop {
                match self.engine.remove_volume(name).await {
                    Err(DockerError::Conflict(_)) if Instant::now() < deadline => {
                        tokio::time::sleep(STOP_POLL).await;
                    }
                    other => return other,
                }
            }
        }
        .boxed()
    }

    fn inspect<'a>(&'a self, name: &'a str, _network: &'a str) -> BoxFuture<'a, DResult<Option<ContainerInfo>>> {
        async move {
            let docker = self.client().await?;
            let Some(service) = self.service(&docker, name).await? else {
                return Ok(None);
            };
            let id = service.id.clone().unwrap_or_default();
            let tasks = self.tasks(&docker, Some(&id)).await?;
            let tasks: Vec<&Task> = tasks.iter().collect();
            Ok(Some(self.info(service, &tasks)))
        }
        .boxed()
    }

    fn list_labelled<'a>(
        &'a self,
        label: &'a str,
        value: &'a str,
        _network: &'a str,
    ) -> BoxFuture<'a, DResult<Vec<ContainerInfo>>> {
        async move {
            let docker = self.client().await?;
            let filter = format!("{label}={value}");
            let filters = HashMap::from([("label", vec![filter.as_str()])]);
            let options = ListServicesOptionsBuilder::new().filters(&filters).build();
            let services = self
                .engine
                .call("list services", CALL_TIMEOUT, docker.list_services(Some(options)))
                .await?;
            if services.is_empty() {
                return Ok(Vec::new());
            }
            let tasks = self.tasks(&docker, None).await?;
            Ok(services
                .into_iter()
                .map(|service| {
                    let id = service.id.clone().unwrap_or_default();
                    let own: Vec<&Task> = tasks
                        .iter()
                        .filter(|t| t.service_id.as_deref() == Some(id.as_str()))
                        .collect();
                    self.info(service, &own)
                })
                .collect())
        }
        .boxed()
    }

    /// Creates the service scaled to zero (or, for a stopped agent's service, replaces its
    /// spec), with fresh secrets for the token and the entrypoint; the previous start's secrets
    /// are removed.
    fn create<'a>(
        &'a self,
        name: &'a str,
        spec: &'a ContainerSpec<'a>,
        token: &'a str,
        node: Option<&'a str>,
    ) -> BoxFuture<'a, DResult<String>> {
        async move {
            let docker = self.client().await?;
            let existing = self.service(&docker, name).await?;
            if let Some(service) = &existing {
                let labels = service.spec.as_ref().and_then(|s| s.labels.as_ref());
                let instance = labels.and_then(|l| l.get(spec::LABEL_INSTANCE));
                if instance != spec.labels.get(spec::LABEL_INSTANCE) {
                    return Err(DockerError::Conflict(format!("a service named {name} exists")));
                }
            }
            let mut files = vec![
                self.secret(&docker, name, &spec.labels, TOKEN_FILE, token.as_bytes(), 0o400)
                    .await?,
            ];
            if spec.settings.entrypoint == super::settings::Entrypoint::Script {
                match self
                    .secret(
                        &docker,
                        name,
                        &spec.labels,
                        ENTRYPOINT_FILE,
                        ENTRYPOINT_SCRIPT.as_bytes(),
                        0o500,
                    )
                    .await
                {
                    Ok(file) => files.push(file),
                    Err(e) => {
                        let _ = self.remove_secrets(&docker, name, &[]).await;
                        return Err(e);
                    }
                }
            }
            let keep: Vec<String> = files.iter().filter_map(|f| f.secret_id.clone()).collect();
            let service_spec = spec.service_spec(name, files, node, 0);
            let made = match &existing {
                Some(service) => self
                    .update(&docker, service, service_spec)
                    .await
                    .map(|()| service.id.clone().unwrap_or_default()),
                None => self
                    .engine
                    .call(
                        "create service",
                        CALL_TIMEOUT,
                        docker.create_service(service_spec, None),
                    )
                    .await
                    .map(|created| created.id.unwrap_or_default()),
            };
            match made {
                Ok(id) => {
                    self.remove_secrets(&docker, name, &keep).await?;
                    Ok(id)
                }
                Err(e) => {
                    let _ = self.remove_secrets(&docker, name, &[]).await;
                    Err(e)
                }
            }
        }
        .boxed()
    }

    fn start<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>> {
        async move {
            let docker = self.client().await?;
            match self.scale(&docker, id, 1).await? {
                Some(_) => Ok(()),
                None => Err(DockerError::NotFound(format!(
                    "service {id} vanished before it started"
                ))),
            }
        }
        .boxed()
    }

    /// Scales the service to zero and waits until its task has stopped (Swarm sends the stop
    /// signal and kills it after the service's grace period).
    fn stop<'a>(&'a self, id: &'a str, grace: Duration) -> BoxFuture<'a, DResult<()>> {
        async move {
            let docker = self.client().await?;
            let Some(name) = self.scale(&docker, id, 0).await? else {
                return Ok(());
            };
            let deadline = Instant::now() + grace + CALL_TIMEOUT;
            loop {
                let tasks = self.tasks(&docker, Some(id)).await?;
                let alive = tasks.iter().any(|t| {
                    t.status
                        .as_ref()
                        .and_then(|s| s.state)
                        .is_some_and(|s| s == TaskState::RUNNING || s == TaskState::STARTING)
                });
                if !alive {
                    return Ok(());
                }
                if Instant::now() >= deadline {
                    return Err(DockerError::Api {
                        status: 200,
                        message: format!(
                            "service {name} still runs {}s after it was scaled to zero",
                            (grace + CALL_TIMEOUT).as_secs()
                        ),
                    });
                }
                tokio::time::sleep(STOP_POLL).await;
            }
        }
        .boxed()
    }

    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>> {
        async move {
            let docker = self.client().await?;
            self.scale(&docker, id, 0).await.map(|_| ())
        }
        .boxed()
    }

    fn destroy<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>> {
        async move {
            let docker = self.client().await?;
            let Some(service) = self.service(&docker, id).await? else {
                return Ok(());
            };
            let name = service.spec.as_ref().and_then(|s| s.name.clone()).unwrap_or_default();
            match self
                .engine
                .call("remove service", CALL_TIMEOUT, docker.delete_service(id))
                .await
            {
                Ok(()) | Err(DockerError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
            self.remove_secrets(&docker, &name, &[]).await
        }
        .boxed()
    }

    /// The death of a task's container on this engine's node, as the id of its service.
    fn exits<'a>(&'a self, label: &'a str, value: &'a str, since: i64) -> BoxFuture<'a, DResult<Exits>> {
        self.engine
            .exit_events(label, value, since, |actor| {
                actor.attributes.as_ref()?.get("com.docker.swarm.service.id").cloned()
            })
            .boxed()
    }

    fn logs_tail<'a>(&'a self, id: &'a str, lines: usize) -> BoxFuture<'a, DResult<String>> {
        async move {
            let docker = self.client().await?;
            let collect = super::docker::log_text(docker.service_logs(id, Some(super::docker::tail_options(lines))));
            self.engine.call("service logs", CALL_TIMEOUT, collect).await
        }
        .boxed()
    }
}
