//! What an agent container looks like: its name, volume, labels, environment and hardening. The
//! one place to read to know what Mosaic asks Docker for.

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType, RestartPolicy, RestartPolicyNameEnum};

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

    /// The create request. No secret appears in it: the token is written into the container as
    /// a file before it starts, and the config is fetched by the entrypoint.
    pub fn body(&self) -> ContainerCreateBody {
        let s = self.settings;
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
        let entrypoint = match s.entrypoint {
            Entrypoint::Script => Some(vec!["/bin/sh".to_string(), ENTRYPOINT_FILE.to_string()]),
            Entrypoint::Image => None,
        };
        ContainerCreateBody {
            image: Some(s.image.clone()),
            user: Some(format!("{AGENT_UID}:{AGENT_GID}")),
            env: Some(env),
            entrypoint,
            labels: Some(self.labels.clone()),
            stop_timeout: Some(s.stop_timeout.as_secs() as i64),
            host_config: Some(HostConfig {
                network_mode: Some(rt.network.name.clone()),
                mounts: Some(vec![Mount {
                    target: Some(STATE_DIR.into()),
                    source: Some(self.volume.clone()),
                    typ: Some(MountType::VOLUME),
                    read_only: Some(false),
                    ..Default::default()
                }]),
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
