//! Changing the agent containers' runtime settings (`containers::settings` defines and reads
//! them): every value judged by its setting's rule before anything is stored, one audit record per
//! change. A change applies to containers started after it.

use mosaic_shared::types::AgentRuntimePatch;

use crate::containers::settings::{
    CPUS, ENTRYPOINT, IDLE_TIMEOUT_MIN, IMAGE, MEMORY_MB, PIDS_LIMIT, SETTINGS, START_TIMEOUT_SEC, STOP_TIMEOUT_SEC,
    SettingDef, definition,
};
use crate::error::{Error, Result};
use crate::store::audit::Actor;
use crate::store::{Db, Exec, audit, system_config};

/// The changes a system settings patch makes, as [`update`] takes them (keys and text values,
/// judged by the same rules as `mosaicctl config set`).
pub fn patch_changes(patch: &AgentRuntimePatch) -> Vec<(&'static str, Option<String>)> {
    [
        (IMAGE, patch.image.clone()),
        (ENTRYPOINT, patch.entrypoint.clone()),
        (IDLE_TIMEOUT_MIN, patch.idle_timeout_min.map(|n| n.to_string())),
        (START_TIMEOUT_SEC, patch.start_timeout_sec.map(|n| n.to_string())),
        (STOP_TIMEOUT_SEC, patch.stop_timeout_sec.map(|n| n.to_string())),
        (MEMORY_MB, patch.memory_mb.map(|n| n.to_string())),
        (CPUS, patch.cpus.map(|n| n.to_string())),
        (PIDS_LIMIT, patch.pids_limit.map(|n| n.to_string())),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|v| (key, Some(v))))
    .collect()
}

fn known(key: &str) -> Result<&'static SettingDef> {
    definition(key).ok_or_else(|| {
        let known: Vec<_> = SETTINGS.iter().map(|d| d.key).collect();
        Error::invalid(format!("unknown agent setting {key:?} (known: {})", known.join(", ")))
    })
}

/// Checks a value for `key` against its rule; returns it trimmed.
fn checked(key: &str, value: &str) -> Result<String> {
    let def = known(key)?;
    let value = value.trim();
    def.check(value).map_err(|e| Error::invalid(format!("{key}: {e}")))?;
    Ok(value.to_string())
}

/// Validates and stores one setting.
pub async fn set(db: &Db, key: &str, value: &str) -> Result<()> {
    let value = checked(key, value)?;
    system_config::set(&mut db.ex(), key, &value, false).await
}

/// Changes judged by their rules, ready for [`apply`].
pub struct Checked(Vec<(String, Option<String>)>);

impl Checked {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The new `agent.image`, if these changes set one.
    pub fn image(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == IMAGE)
            .and_then(|(_, value)| value.as_deref())
    }
}

/// Validates every change (`None` returns a setting to its default); nothing is stored.
pub fn check_changes<K: AsRef<str>, V: AsRef<str>>(changes: &[(K, Option<V>)]) -> Result<Checked> {
    let mut out = Vec::new();
    for (key, value) in changes {
        let key = key.as_ref();
        let value = match value {
            Some(value) => Some(checked(key, value.as_ref())?),
            None => {
                known(key)?;
                None
            }
        };
        out.push((key.to_string(), value));
    }
    Ok(Checked(out))
}

/// Stores checked changes with one audit record, inside the caller's transaction.
pub async fn apply(ex: &mut Exec<'_>, actor: &Actor, changes: &Checked) -> Result<()> {
    let mut detail = serde_json::Map::new();
    for (key, value) in &changes.0 {
        match value {
            Some(value) => system_config::set(ex, key, value, false).await?,
            None => {
                system_config::delete(ex, key).await?;
            }
        }
        detail.insert(key.clone(), serde_json::json!(value));
    }
    audit::record(
        ex,
        actor,
        "agent_settings.update",
        None,
        serde_json::Value::Object(detail),
    )
    .await
}

/// Stores checked changes in one transaction with one audit record (`None` returns a setting to
/// its default). A change applies to containers started after it.
pub async fn update(db: &Db, actor: &Actor, checked: &Checked) -> Result<()> {
    let mut tx = db.begin().await?;
    apply(&mut tx.ex(), actor, checked).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_judged_by_the_same_rules() {
        let patch = AgentRuntimePatch {
            idle_timeout_min: Some(5),
            cpus: Some(0.5),
            image: Some(" mosaic/agent:1 ".into()),
            ..Default::default()
        };
        let changes = patch_changes(&patch);
        assert_eq!(
            check_changes(&changes).unwrap().0,
            vec![
                (IMAGE.to_string(), Some("mosaic/agent:1".to_string())),
                (IDLE_TIMEOUT_MIN.to_string(), Some("5".to_string())),
                (CPUS.to_string(), Some("0.5".to_string()))
            ]
        );
        let bad = AgentRuntimePatch {
            idle_timeout_min: Some(-1),
            ..Default::default()
        };
        assert_eq!(
            check_changes(&patch_changes(&bad)).err().unwrap().to_string(),
            "agent.idle_timeout_min: must be a whole number from 0 to 10080"
        );
        assert!(patch_changes(&AgentRuntimePatch::default()).is_empty());
    }
}
