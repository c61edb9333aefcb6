//! What an agent container looks like: its name, volume, labels, environment and hardening. The
//! one place to read to know what Mosaic asks Docker for.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointSpec, EndpointSpecModeEnum, HostConfig, Limit, Mount, MountType, MountVolumeOptions,
    NetworkAttachmentConfig, RestartPolicy, RestartPolicyNameEnum, ServiceSpec, ServiceSpecMode,
    ServiceSpecModeReplicated, TaskSpec, TaskSpecContainerSpec, TaskSpecContainerSpecPrivileges,
    TaskSpecContainerSpecSecrets, TaskSpecPlacement, TaskSpecResources, TaskSpecRestartPolicy,
    TaskSpecRestartPolicyConditionEnum,
};

use super::agent_config::STATE_DIR;
use super::settings::{AgentSettings, Entrypoint};
use super::{AgentRef, Runtime};

/// The daemon instance that owns the object (every object carries it).
pub const LABEL_INSTANCE: &str = "mosaic.instance";
/// `container`, `volume` or `network`.
pub const LABEL_OBJECT: &str = "mosaic.object";
/// `user` or `system`.
pub const LABEL_KIND: &str = "mosaic.kind";
/// The user id, or the system agent's name.
pub const LABEL_OWNER: &str = "mosaic.owner";
/// The row's generation when the container was created; a container of an older generation is stale.
pub const LABEL_GENERATION: &str = "mosaic.generation";
/// Short hash of the config the container was started with.
pub const LABEL_CONFIG_HASH: &str = "mosaic.config-hash";

/// Where the gateway token is written inside the container, outside the state volume (the
/// volume outlives the token; the container's own layer does not).
pub const TOKEN_DIR: &str = "/run/mosaic";
pub const TOKEN_FILE: &str = "/run/mosaic/agent-token";
pub const ENTRYPOINT_FILE: &str = "/run/mosaic/entrypoint.sh";

/// The agent's user in OpenClaw's image (`node`).
pub const AGENT_UID: u32 = 1000;
pub const AGENT_GID: u32 = 1000;

/// The entrypoint written into containers started in `script` mode.
pub const ENTRYPOINT_SCRIPT: &str = include_str!("../../../deploy/agent-entrypoint.sh");

impl AgentRef {
    /// `mosaic-user-<id>` or `mosaic-system-<name>`.
    pub fn container_name(&self) -> String {
        match self {
            AgentRef::User(id) => format!("mosaic-user-{id}"),
            AgentRef::System(name) => format!("mosaic-system-{name}"),
        }
    }

    /// The state volume, mounted at OpenClaw's state directory; kept across stop, restart and
    /// re-create.
    pub fn volume_name(&self) -> String {
        format!("{}-state", self.container_name())
    }
}

/// The labels every Docker object of this daemon carries.
pub fn base_labels(instance: &str, extra: &[(String, String)], object: &str) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = extra.iter().cloned().collect();
    labels.insert(LABEL_INSTANCE.into(), instance.into());
    labels.insert(LABEL_OBJECT.into(), object.into());
    labels
}

pub fn owner_labels(
    target: &AgentRef,
    instance: &str,
    extra: &[(String, String)],
    object: &str,
) -> HashMap<String, String> {
    let mut labels = base_labels(instance, extra, object);
    labels.insert(LABEL_KIND.into(), target.kind().as_str().into());
    labels.insert(LABEL_OWNER.into(), target.owner().into());
    labels
}

/// Everything that decides one container.
pub struct ContainerSpec<'a> {
    /// `AGENT_ID`: `<containerType>/<id>`, the path of its config on the internal endpoint.
    pub agent_id: String,
    /// The state volume mounted at OpenClaw's state directory.
    pub volume: String,
    pub labels: HashMap<String, String>,
    /// The agent network, the internal endpoint and the egress proxy.
    pub runtime: &'a Runtime,
    pub settings: &'a AgentSettings,
}

impl<'a> ContainerSpec<'a> {
    /// An agent's container: named, labelled and mounted for its owner.
    #[allow(clippy::too_many_arguments)]
    pub fn for_agent(
        target: &AgentRef,
        instance: &str,
        extra_labels: &[(String, String)],
        runtime: &'a Runtime,
        generation: i64,
        config_hash: &str,
        settings: &'a AgentSettings,
    ) -> ContainerSpec<'a> {
        let mut labels = owner_labels(target, instance, extra_labels, "container");
        labels.insert(LABEL_GENERATION.into(), generation.to_string());
        labels.insert(LABEL_CONFIG_HASH.into(), config_hash.into());
        ContainerSpec {
            agent_id: target.to_string(),
            volume: target.volume_name(),
            labels,
            runtime,
            settings,
        }
    }

    /// The agent's environment, under either driver. No secret appears in it: the token is a
    /// file, and the config is fetched by the entrypoint.
    fn env(&self) -> Vec<String> {
        let rt = self.runtime;
        let mut env = vec![
            format!("MOSAIC_API_URL={}", rt.agent_api_url),
            format!("AGENT_ID={}", self.agent_id),
            format!("AGENT_TOKEN_FILE={TOKEN_FILE}"),
            format!("OPENCLAW_STATE_DIR={STATE_DIR}"),
            // No mDNS advertising from inside a container, as OpenClaw's Docker guide sets it
            // (OpenClaw: docs/install/docker.md).
            "OPENCLAW_DISABLE_BONJOUR=1".to_string(),
        ];
        // The agent network routes nothing out; what an agent may reach beyond it (LLM
        // providers, ranges an administrator allowed), it reaches through mosaicd's egress
        // proxy. OpenClaw's provider calls go through undici's EnvHttpProxyAgent, which reads
        // these, lower case first, and NO_PROXY (OpenClaw: src/infra/net/proxy-env.ts,
        // resolveEnvHttpProxyUrl; src/infra/net/provider-proxy-dispatcher.ts, the env fallback).
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
            env.push(format!("{name}={}", rt.proxy_url));
        }
        for name in ["NO_PROXY", "no_proxy"] {
            env.push(format!("{name}={}", rt.no_proxy));
        }
        env
    }

    /// The command replacing the image's entrypoint in `script` mode.
    fn entrypoint(&self) -> Option<Vec<String>> {
        match self.settings.entrypoint {
            Entrypoint::Script => Some(vec!["/bin/sh".to_string(), ENTRYPOINT_FILE.to_string()]),
            Entrypoint::Image => None,
        }
    }

    /// The state volume at OpenClaw's state directory; `labels` are given to it where the
    /// mount itself creates it (a Swarm node).
    fn state_mount(&self, labels: Option<HashMap<String, String>>) -> Mount {
        Mount {
            target: Some(STATE_DIR.into()),
            source: Some(self.volume.clone()),
            typ: Some(MountType::VOLUME),
            read_only: Some(false),
            volume_options: labels.map(|labels| MountVolumeOptions {
                labels: Some(labels),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// The create request (the `docker` driver). The token is written into the container as a
    /// file before it starts ([`startup_files`]).
    pub fn body(&self) -> ContainerCreateBody {
        let s = self.settings;
        let rt = self.runtime;
        ContainerCreateBody {
            image: Some(s.image.clone()),
            user: Some(format!("{AGENT_UID}:{AGENT_GID}")),
            env: Some(self.env()),
            entrypoint: self.entrypoint(),
            labels: Some(self.labels.clone()),
            stop_timeout: Some(s.stop_timeout.as_secs() as i64),
            host_config: Some(HostConfig {
                network_mode: Some(rt.network.name.clone()),
                mounts: Some(vec![self.state_mount(None)]),
                // As OpenClaw's multi-tenant guidance has it: no capabilities, no privilege
                // escalation, bounded processes, memory and CPU.
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                pids_limit: Some(s.pids_limit),
                memory: Some(s.memory_bytes),
                memory_swap: Some(s.memory_bytes),
                nano_cpus: Some(s.nano_cpus),
                // OpenClaw's image runs tini as PID 1 (OpenClaw: Dockerfile); Mosaic's entrypoint
                // replaces the image's, so Docker's own init takes that place: it reaps the
                // gateway's child processes and forwards the stop signal.
                init: Some(true),
                // Mosaic decides when a container runs; Docker must not restart it behind its back.
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyNameEnum::NO),
                    maximum_retry_count: None,
                }),
                // The gateway port is not published: mosaicd reaches the container on the
                // agent network.
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

/// The service (the `swarm` driver): the container of [`ContainerSpec::body`] as a task, with
/// what Swarm services support of its hardening and limits. `files` are the Swarm secrets that
/// stand for [`startup_files`] (the token, the entrypoint), `node` the node the state volume is
/// on, `replicas` 1 to run, 0 to keep it stopped.
///
/// What differs from the container: the memory limit has no separate swap limit (a service
/// cannot set one), `no-new-privileges` is applied only by engines of API 1.46 and later (the
/// agent runs as an unprivileged user with every capability dropped either way), and
/// `/run/mosaic` itself is the engine's (the files in it are the agent's user's, as in a container).
impl ContainerSpec<'_> {
    pub fn service_spec(
        &self,
        name: &str,
        files: Vec<TaskSpecContainerSpecSecrets>,
        node: Option<&str>,
        replicas: i64,
    ) -> ServiceSpec {
        let s = self.settings;
        let rt = self.runtime;
        let mut volume_labels = self.labels.clone();
        volume_labels.insert(LABEL_OBJECT.into(), "volume".into());
        volume_labels.remove(LABEL_GENERATION);
        volume_labels.remove(LABEL_CONFIG_HASH);
        ServiceSpec {
            name: Some(name.to_string()),
            labels: Some(self.labels.clone()),
            task_template: Some(TaskSpec {
                container_spec: Some(TaskSpecContainerSpec {
                    image: Some(s.image.clone()),
                    // The task's container carries the labels too: its exit events are found by
                    // the instance label, as a container's are.
                    labels: Some(self.labels.clone()),
                    command: self.entrypoint(),
                    hostname: Some(name.to_string()),
                    env: Some(self.env()),
                    user: Some(format!("{AGENT_UID}:{AGENT_GID}")),
                    mounts: Some(vec![self.state_mount(Some(volume_labels))]),
                    stop_grace_period: Some(s.stop_timeout.as_nanos() as i64),
                    secrets: Some(files),
                    init: Some(true),
                    capability_drop: Some(vec!["ALL".into()]),
                    // Engines from API 1.46 apply it; older ones (Docker 20.10 speaks 1.41)
                    // do not know the field and run the task without it.
                    privileges: Some(TaskSpecContainerSpecPrivileges {
                        no_new_privileges: Some(true),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                resources: Some(TaskSpecResources {
                    limits: Some(Limit {
                        nano_cpus: Some(s.nano_cpus),
                        memory_bytes: Some(s.memory_bytes),
                        pids: Some(s.pids_limit),
                    }),
                    ..Default::default()
                }),
                // Mosaic decides when an agent runs; Swarm must not restart it behind its back.
                restart_policy: Some(TaskSpecRestartPolicy {
                    condition: Some(TaskSpecRestartPolicyConditionEnum::NONE),
                    ..Default::default()
                }),
                placement: node.map(|node| TaskSpecPlacement {
                    constraints: Some(vec![format!("node.id=={node}")]),
                    ..Default::default()
                }),
                networks: Some(vec![NetworkAttachmentConfig {
                    target: Some(rt.network.name.clone()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            mode: Some(ServiceSpecMode {
                replicated: Some(ServiceSpecModeReplicated {
                    replicas: Some(replicas),
                }),
                ..Default::default()
            }),
            // mosaicd resolves the service's name to its task's address on the overlay: no
            // virtual IP (which needs IPVS), no published port.
            endpoint_spec: Some(EndpointSpec {
                mode: Some(EndpointSpecModeEnum::DNSRR),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

/// The archive written into a created container before it starts: the gateway token (readable
/// by the agent's user only) and, in script mode, the entrypoint.
pub fn startup_files(token: &str, entrypoint: Entrypoint) -> Vec<u8> {
    let mut tar = super::tar::Tar::new();
    let dir = TOKEN_DIR.trim_start_matches('/');
    tar.dir(dir, 0o700, AGENT_UID, AGENT_GID).file(
        TOKEN_FILE.trim_start_matches('/'),
        token.as_bytes(),
        0o400,
        AGENT_UID,
        AGENT_GID,
    );
    if entrypoint == Entrypoint::Script {
        tar.file(
            ENTRYPOINT_FILE.trim_start_matches('/'),
            ENTRYPOINT_SCRIPT.as_bytes(),
            0o500,
            AGENT_UID,
            AGENT_GID,
        );
    }
    tar.finish()
}
