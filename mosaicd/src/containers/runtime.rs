//! The container runtime: one trait for the lifecycle of an agent's container, with two drivers.
//!
//! - `docker` ([`DockerClient`]): one Docker Engine; each agent is a container on an internal
//!   bridge network whose gateway is mosaicd's host.
//! - `swarm` ([`super::swarm::SwarmRuntime`]): a Docker Swarm; each agent is a service (one
//!   replica while it runs, none while it is stopped) on an attachable overlay network that
//!   mosaicd's own container joins, its state volume on one node, the service pinned there.
//!
//! Everything above this trait (start, stop, reaper, reconciliation, the event watch, `inspect`)
//! speaks of "the agent's container" and does not know which driver it talks to. Image checks
//! and the engine's version (`containers doctor`, warm-on-login) go to the engine itself
//! ([`AgentRuntime::engine`]): under either driver it is the engine mosaicd is connected to.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::docker::{ContainerInfo, DResult, DockerClient, NetworkInfo};
use super::spec::ContainerSpec;
pub use crate::cli::RuntimeKind;

/// (container id, what happened): a container stopped running.
pub type Exits = BoxStream<'static, DResult<(String, String)>>;

/// The lifecycle of agent containers on one driver. Ids are what [`AgentRuntime::create`]
/// returned (a container id, or a service id); names are the agent's container name.
pub trait AgentRuntime: Send + Sync {
    fn kind(&self) -> RuntimeKind;

    /// The engine mosaicd is connected to: its version, its images, whether it answers.
    fn engine(&self) -> &DockerClient;

    /// Finds or creates the agent network.
    fn ensure_network<'a>(
        &'a self,
        name: &'a str,
        labels: &'a HashMap<String, String>,
    ) -> BoxFuture<'a, DResult<NetworkInfo>>;

    /// The address on `network` where agents reach mosaicd (its internal listener): the bridge's
    /// gateway (the host), or mosaicd's own container on the overlay (joined first if needed).
    fn mosaicd_address<'a>(&'a self, network: &'a NetworkInfo) -> BoxFuture<'a, DResult<Ipv4Addr>>;

    /// Creates the state volume if it does not exist (an existing one keeps its data).
    fn ensure_volume<'a>(&'a self, name: &'a str, labels: &'a HashMap<String, String>) -> BoxFuture<'a, DResult<()>>;

    /// Removes the state volume; an absent one is fine.
    fn remove_volume<'a>(&'a self, name: &'a str) -> BoxFuture<'a, DResult<()>>;

    /// The agent container named or identified `name`, if it exists; its address on `network`.
    fn inspect<'a>(&'a self, name: &'a str, network: &'a str) -> BoxFuture<'a, DResult<Option<ContainerInfo>>>;

    /// Every agent container carrying `label=value`, running or not.
    fn list_labelled<'a>(
        &'a self,
        label: &'a str,
        value: &'a str,
        network: &'a str,
    ) -> BoxFuture<'a, DResult<Vec<ContainerInfo>>>;

    /// Creates the container, not yet started, with the gateway token (and, in script mode, the
    /// entrypoint) as files only the agent's user reads: never in its environment or in what
    /// the engine's inspection shows. `node` pins it to a node (Swarm). A container of that
    /// name left from an earlier start answers [`super::docker::DockerError::Conflict`].
    fn create<'a>(
        &'a self,
        name: &'a str,
        spec: &'a ContainerSpec<'a>,
        token: &'a str,
        node: Option<&'a str>,
    ) -> BoxFuture<'a, DResult<String>>;

    fn start<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>>;

    /// Stops it (the stop signal, then a kill after `grace`); an absent or stopped one is fine.
    fn stop<'a>(&'a self, id: &'a str, grace: Duration) -> BoxFuture<'a, DResult<()>>;

    /// Takes it out of existence as a running agent, killing it if it runs; an absent one is
    /// fine. Docker removes the container; Swarm scales the service to zero and removes its
    /// token (the service stays, as the agent's stopped state).
    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>>;

    /// Removes it and everything it holds but the volume: the agent itself is gone (an orphan,
    /// a removed system agent). Docker: as [`AgentRuntime::remove`]; Swarm removes the service.
    fn destroy<'a>(&'a self, id: &'a str) -> BoxFuture<'a, DResult<()>>;

    /// The ids of containers carrying `label=value` that stop running, from `since` (Unix
    /// seconds on the engine's clock, replayed). Ends or fails when the engine goes away.
    fn exits<'a>(&'a self, label: &'a str, value: &'a str, since: i64) -> BoxFuture<'a, DResult<Exits>>;

    /// The last `lines` lines of its output, for error messages.
    fn logs_tail<'a>(&'a self, id: &'a str, lines: usize) -> BoxFuture<'a, DResult<String>>;
}
