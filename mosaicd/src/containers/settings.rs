//! The agent containers' runtime settings, kept in `system_config` so an admin changes them without
//! restarting mosaicd: the image, how the container is started, the idle timeout, the start timeout
//! and the resource limits. Each setting's definition carries its default and its rule; one typed
//! accessor, [`load`], reads them all as a container is started with them. Changing them is the
//! service layer's (`service::agent_settings`).

use std::time::Duration;

use mosaic_shared::types::AgentRuntimeSettings;

use crate::error::{Error, Result};
use crate::store::{Db, system_config};

pub const IMAGE: &str = "agent.image";
pub const ENTRYPOINT: &str = "agent.entrypoint";
pub const IDLE_TIMEOUT_MIN: &str = "agent.idle_timeout_min";
pub const START_TIMEOUT_SEC: &str = "agent.start_timeout_sec";
pub const STOP_TIMEOUT_SEC: &str = "agent.stop_timeout_sec";
pub const MEMORY_MB: &str = "agent.memory_mb";
pub const CPUS: &str = "agent.cpus";
pub const PIDS_LIMIT: &str = "agent.pids_limit";
pub const WARM_ON_LOGIN: &str = "agent.warm_on_login";

/// A pinned OpenClaw release (`:latest` is not a version): the oldest one Mosaic supports,
/// `containers::doctor::MIN_OPENCLAW_VERSION`.
pub const DEFAULT_IMAGE: &str = "ghcr.io/openclaw/openclaw:2026.5.22";

/// One setting: its key, default and rule, as `config ls` will show them.
pub struct SettingDef {
    pub key: &'static str,
    pub default: &'static str,
    pub description: &'static str,
    check: fn(&str) -> std::result::Result<(), String>,
}

impl SettingDef {
    pub fn check(&self, value: &str) -> std::result::Result<(), String> {
        (self.check)(value)
    }
}

pub const SETTINGS: &[SettingDef] = &[
    SettingDef {
        key: IMAGE,
        default: DEFAULT_IMAGE,
        description: "Docker image of the agent containers (OpenClaw's gateway)",
        check: check_image,
    },
    SettingDef {
        key: ENTRYPOINT,
        default: "script",
        description: "How the container starts: 'script' runs Mosaic's agent entrypoint script (written into \
                      the container; needs /bin/sh and curl, node or wget, as OpenClaw's images have), 'image' runs the \
                      image's own entrypoint, which must follow Mosaic's entrypoint contract",
        check: |v| match v {
            "script" | "image" => Ok(()),
            _ => Err("must be 'script' or 'image'".into()),
        },
    },
    SettingDef {
        key: IDLE_TIMEOUT_MIN,
        default: "30",
        description: "Minutes without a request or open stream after which a user's container is stopped \
                      (0: at the next reaper pass)",
        check: |v| int_in(v, 0, 7 * 24 * 60),
    },
    SettingDef {
        key: START_TIMEOUT_SEC,
        default: "120",
        description: "Seconds a container may take to pass its health check before the start fails",
        check: |v| int_in(v, 1, 3600),
    },
    SettingDef {
        key: STOP_TIMEOUT_SEC,
        default: "10",
        description: "Seconds a container gets to exit after SIGTERM before it is killed",
        check: |v| int_in(v, 0, 300),
    },
    SettingDef {
        key: MEMORY_MB,
        default: "2048",
        description: "Memory limit per container, in MiB (no swap beyond it)",
        check: |v| int_in(v, 64, 1024 * 1024),
    },
    SettingDef {
        key: CPUS,
        default: "1",
        description: "CPU limit per container, in CPUs (fractions allowed, e.g. 0.5)",
        check: |v| match v.parse::<f64>() {
            Ok(n) if (0.01..=1024.0).contains(&n) => Ok(()),
            _ => Err("must be a number of CPUs between 0.01 and 1024".into()),
        },
    },
    SettingDef {
        key: PIDS_LIMIT,
        default: "512",
        description: "Maximum number of processes and threads per container",
        check: |v| int_in(v, 16, 1_000_000),
    },
    SettingDef {
        key: WARM_ON_LOGIN,
        default: "true",
        description: "Whether a login (password, OpenID Connect) or opening the console's chat page starts the \
                      user's agent container in the background, so the first message finds it running: true or \
                      false (false: the first chat starts it)",
        check: |v| match v {
            "true" | "false" => Ok(()),
            _ => Err("must be true or false".into()),
        },
    },
];

fn int_in(v: &str, min: i64, max: i64) -> std::result::Result<(), String> {
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(()),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}

fn check_image(v: &str) -> std::result::Result<(), String> {
    let ok = !v.is_empty()
        && v.len() <= 255
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':' | '@'));
    if ok {
        Ok(())
    } else {
        Err("must be a Docker image reference such as ghcr.io/openclaw/openclaw:2026.5.22".into())
    }
}

pub fn definition(key: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|d| d.key == key)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entrypoint {
    /// Mosaic's entrypoint script, written into the container, runs first.
    Script,
    /// The image's own entrypoint follows the contract.
    Image,
}

/// The settings a container is started with.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub image: String,
    pub entrypoint: Entrypoint,
    pub idle_timeout_min: i64,
    pub start_timeout: Duration,
    pub stop_timeout: Duration,
    pub memory_bytes: i64,
    pub nano_cpus: i64,
    pub pids_limit: i64,
    /// A login starts the user's agent in the background (`agent.warm_on_login`).
    pub warm_on_login: bool,
}

/// The stored `agent.*` values; a missing key takes its default.
struct Stored(std::collections::HashMap<String, String>);

impl Stored {
    async fn read(db: &Db) -> Result<Stored> {
        let mut values = std::collections::HashMap::new();
        for row in system_config::list(&mut db.ex()).await? {
            if row.key.starts_with("agent.") && !row.encrypted {
                values.insert(row.key, row.value);
            }
        }
        Ok(Stored(values))
    }

    /// A stored value that no longer passes its rule (written by hand into the database) is
    /// reported, not silently replaced.
    fn get(&self, key: &str) -> Result<String> {
        let def = definition(key).expect("known setting");
        let value = self.0.get(key).cloned().unwrap_or_else(|| def.default.to_string());
        def.check(&value)
            .map_err(|e| Error::invalid(format!("system setting {key} = {value:?} is invalid: {e}")))?;
        Ok(value)
    }

    fn int(&self, key: &str) -> Result<i64> {
        Ok(self.get(key)?.parse().expect("checked"))
    }

    fn float(&self, key: &str) -> Result<f64> {
        Ok(self.get(key)?.parse().expect("checked"))
    }
}

/// Reads every agent setting, as a container is started with them.
pub async fn load(db: &Db) -> Result<AgentSettings> {
    let stored = Stored::read(db).await?;
    Ok(AgentSettings {
        image: stored.get(IMAGE)?,
        entrypoint: if stored.get(ENTRYPOINT)? == "image" {
            Entrypoint::Image
        } else {
            Entrypoint::Script
        },
        idle_timeout_min: stored.int(IDLE_TIMEOUT_MIN)?,
        start_timeout: Duration::from_secs(stored.int(START_TIMEOUT_SEC)? as u64),
        stop_timeout: Duration::from_secs(stored.int(STOP_TIMEOUT_SEC)? as u64),
        memory_bytes: stored.int(MEMORY_MB)? * 1024 * 1024,
        nano_cpus: (stored.float(CPUS)? * 1e9) as i64,
        pids_limit: stored.int(PIDS_LIMIT)?,
        warm_on_login: stored.get(WARM_ON_LOGIN)? == "true",
    })
}

/// Every agent setting in effect, as the admin system settings API shows them.
pub async fn view(db: &Db) -> Result<AgentRuntimeSettings> {
    let stored = Stored::read(db).await?;
    let unsigned = |key: &str| -> Result<u64> { Ok(stored.int(key)?.max(0) as u64) };
    Ok(AgentRuntimeSettings {
        image: stored.get(IMAGE)?,
        entrypoint: stored.get(ENTRYPOINT)?,
        idle_timeout_min: unsigned(IDLE_TIMEOUT_MIN)?,
        start_timeout_sec: unsigned(START_TIMEOUT_SEC)?,
        stop_timeout_sec: unsigned(STOP_TIMEOUT_SEC)?,
        memory_mb: unsigned(MEMORY_MB)?,
        cpus: stored.float(CPUS)?,
        pids_limit: unsigned(PIDS_LIMIT)?,
    })
}

/// Every setting with its stored value (`None`: the default applies). A stored value is shown as
/// it is, even one that no longer passes its rule, so an admin can see and replace it.
pub async fn stored(db: &Db) -> Result<Vec<(&'static SettingDef, Option<String>)>> {
    let rows = system_config::list(&mut db.ex()).await?;
    Ok(SETTINGS
        .iter()
        .map(|def| {
            let value = rows
                .iter()
                .find(|r| r.key == def.key && !r.encrypted)
                .map(|r| r.value.clone());
            (def, value)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_their_own_rules() {
        for def in SETTINGS {
            def.check(def.default).unwrap_or_else(|e| panic!("{}: {e}", def.key));
        }
    }

    #[test]
    fn rules_refuse_nonsense() {
        assert!(definition(IMAGE).unwrap().check("bad image name").is_err());
        assert!(definition(IDLE_TIMEOUT_MIN).unwrap().check("-1").is_err());
        assert!(definition(CPUS).unwrap().check("0").is_err());
        assert!(definition(CPUS).unwrap().check("0.5").is_ok());
        assert!(definition(ENTRYPOINT).unwrap().check("shell").is_err());
        assert!(definition(WARM_ON_LOGIN).unwrap().check("yes").is_err());
    }
}
