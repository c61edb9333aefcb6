//! How agents and their Docker objects are named: which agent ([`AgentRef`]), the agent network, and
//! the daemon's instance name that labels everything it creates.

use std::fmt;

use super::Inner;
use crate::error::Result;
use crate::store::Db;
use crate::store::containers::Kind;

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

impl Inner {
    /// The agent network: `mosaic-<instance>`. Created with the first container, not before, so
    /// a daemon that never starts an agent leaves nothing in Docker.
    pub(crate) fn network_name(&self) -> String {
        format!("mosaic-{}", self.settings.instance)
    }
}
