//! Runtime settings kept in system config: the WebUI origins CORS allows, whether provider URLs
//! may point at private networks, the ranges agents may reach although private, the agent containers' image, timeouts and limits (whose rules
//! live in `agent_settings`), and the OIDC client (whose secret is encrypted and write-only).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use mosaic_shared::policy;
use mosaic_shared::types::{SettingsPatch, SystemSettings};
use serde_json::json;

use crate::config::Config;
use crate::containers::ContainerManager;
use crate::error::{Error, Result};
use crate::service::{agent_settings, egress};
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::{audit, system_config};

pub const WEBUI_ORIGINS: &str = "http.webuiOrigins";
pub const ALLOW_PRIVATE_PROVIDER_URLS: &str = "providers.allowPrivateUrls";
pub const AGENT_ALLOWED_RANGES: &str = "agents.allowedRanges";
pub const MAX_AGENT_ALLOWED_RANGES: usize = 50;

/// How long the CORS check trusts its copy of the allowed origins before reading them again
/// (changes made through this daemon apply at once; this bounds changes made elsewhere).
const ORIGINS_CACHE_TTL: Duration = Duration::from_secs(5);
pub const MAX_WEBUI_ORIGINS: usize = 20;

/// The allowed origins as the CORS check reads them on every request.
#[derive(Debug, Default)]
pub struct OriginsCache {
    cached: RwLock<Option<(Instant, Arc<Vec<String>>)>>,
}

impl OriginsCache {
    fn get(&self) -> Option<Arc<Vec<String>>> {
        let cached = self.cached.read().expect("origins cache lock");
        cached
            .as_ref()
            .filter(|(at, _)| at.elapsed() < ORIGINS_CACHE_TTL)
            .map(|(_, origins)| origins.clone())
    }

    fn set(&self, origins: Arc<Vec<String>>) {
        *self.cached.write().expect("origins cache lock") = Some((Instant::now(), origins));
    }

    fn clear(&self) {
        *self.cached.write().expect("origins cache lock") = None;
    }
}

/// Checks a list setting: at most `max` entries (`too_many` says so otherwise), each normalized
/// (`None`: left out), duplicates dropped, the order kept.
fn check_list(
    items: &[String],
    max: usize,
    too_many: impl FnOnce() -> String,
    normalize: impl Fn(&str) -> Result<Option<String>>,
) -> Result<Vec<String>> {
    if items.len() > max {
        return Err(Error::invalid(too_many()));
    }
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if let Some(normalized) = normalize(item)?
            && !out.contains(&normalized)
        {
            out.push(normalized);
        }
    }
    Ok(out)
}

fn check_origins(origins: &[String]) -> Result<Vec<String>> {
    check_list(
        origins,
        MAX_WEBUI_ORIGINS,
        || format!("at most {MAX_WEBUI_ORIGINS} WebUI origins"),
        |origin| {
            policy::normalize_origin(origin.trim())
                .map(Some)
                .map_err(Error::invalid)
        },
    )
}

/// Checks and normalizes the ranges agents may reach (each by [`egress::parse_agent_range`]).
fn check_agent_ranges(ranges: &[String]) -> Result<Vec<String>> {
    check_list(
        ranges,
        MAX_AGENT_ALLOWED_RANGES,
        || format!("at most {MAX_AGENT_ALLOWED_RANGES} allowed ranges for agents"),
        |range| {
            if range.trim().is_empty() {
                return Ok(None);
            }
            egress::parse_agent_range(range)
                .map(|net| Some(net.to_string()))
                .map_err(|why| Error::invalid(format!("{AGENT_ALLOWED_RANGES}: {why}")))
        },
    )
}

/// System settings: the WebUI origins CORS allows, private provider URLs, the agent containers'
/// runtime settings.
pub struct Settings {
    db: Db,
    config: Arc<Config>,
    containers: ContainerManager,
    origins_cache: OriginsCache,
}

impl Settings {
    pub fn new(db: Db, config: Arc<Config>, containers: ContainerManager) -> Settings {
        Settings {
            db,
            config,
            containers,
            origins_cache: OriginsCache::default(),
        }
    }
}

impl Settings {
    /// Refuses a new `agent.image` that cannot work: not on the engine nor in its registry, or an
    /// OpenClaw older than Mosaic supports.
    pub(crate) async fn check_agent_image(&self, changes: &agent_settings::Checked) -> Result<()> {
        match changes.image() {
            Some(image) => self.containers.refuse_unusable_image(image).await,
            None => Ok(()),
        }
    }

    /// A list setting as stored (a JSON list of strings; absent: empty).
    async fn stored_list(&self, key: &str) -> Result<Vec<String>> {
        match system_config::get(&mut self.db.ex(), key).await? {
            Some(row) => serde_json::from_str(&row.value)
                .map_err(|e| Error::internal(format!("system config {key} is not a JSON list: {e}"))),
            None => Ok(Vec::new()),
        }
    }

    /// The origins CORS allows: the daemon's configured ones, then those in system config. On a
    /// database error the daemon's own list is used (and the error logged), so the API does not
    /// fail for want of CORS headers.
    pub async fn allowed_origins(&self) -> Arc<Vec<String>> {
        if let Some(origins) = self.origins_cache.get() {
            return origins;
        }
        let mut all = self.config.http.webui_origins.clone();
        match self.stored_list(WEBUI_ORIGINS).await {
            Ok(stored) => {
                for origin in stored {
                    if !all.contains(&origin) {
                        all.push(origin);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read WebUI origins from system config"),
        }
        let all = Arc::new(all);
        self.origins_cache.set(all.clone());
        all
    }

    pub async fn allow_private_provider_urls(&self) -> Result<bool> {
        system_config::flag(&mut self.db.ex(), ALLOW_PRIVATE_PROVIDER_URLS).await
    }

    /// The ranges agents may reach although private (read at each proxied connection, so a
    /// change applies at once, on every replica).
    pub async fn agent_allowed_ranges(&self) -> Result<Vec<ipnet::IpNet>> {
        Ok(self
            .stored_list(AGENT_ALLOWED_RANGES)
            .await?
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect())
    }

    pub async fn system_settings(&self) -> Result<SystemSettings> {
        Ok(SystemSettings {
            webui_origins: self.stored_list(WEBUI_ORIGINS).await?,
            daemon_webui_origins: self.config.http.webui_origins.clone(),
            allow_private_provider_urls: self.allow_private_provider_urls().await?,
            agent_allowed_ranges: self.stored_list(AGENT_ALLOWED_RANGES).await?,
            agent: crate::containers::settings::view(&self.db).await?,
        })
    }

    pub async fn update_system_settings(&self, actor: &Actor, patch: SettingsPatch) -> Result<SystemSettings> {
        let origins = patch.webui_origins.as_deref().map(check_origins).transpose()?;
        let ranges = patch
            .agent_allowed_ranges
            .as_deref()
            .map(check_agent_ranges)
            .transpose()?;
        // The agent settings' rules live with them (`mosaicctl config` applies the same); nothing
        // is written unless every value passes.
        let agent = patch
            .agent
            .as_ref()
            .map(|p| agent_settings::check_changes(&agent_settings::patch_changes(p)))
            .transpose()?
            .filter(|changes| !changes.is_empty());
        if let Some(agent) = &agent {
            self.check_agent_image(agent).await?;
        }
        let mut tx = self.db.begin().await?;
        if let Some(agent) = &agent {
            agent_settings::apply(&mut tx.ex(), actor, agent).await?;
        }
        if let Some(origins) = &origins {
            let text = serde_json::to_string(origins).map_err(|e| Error::internal(e.to_string()))?;
            system_config::set(&mut tx.ex(), WEBUI_ORIGINS, &text, false).await?;
        }
        if let Some(ranges) = &ranges {
            let text = serde_json::to_string(ranges).map_err(|e| Error::internal(e.to_string()))?;
            system_config::set(&mut tx.ex(), AGENT_ALLOWED_RANGES, &text, false).await?;
        }
        if let Some(allow) = patch.allow_private_provider_urls {
            system_config::set(
                &mut tx.ex(),
                ALLOW_PRIVATE_PROVIDER_URLS,
                if allow { "true" } else { "false" },
                false,
            )
            .await?;
        }
        if origins.is_some() || ranges.is_some() || patch.allow_private_provider_urls.is_some() || agent.is_none() {
            audit::record(
                &mut tx.ex(),
                actor,
                "settings.update",
                None,
                json!({
                    "webuiOrigins": origins,
                    "allowPrivateProviderUrls": patch.allow_private_provider_urls,
                    "agentAllowedRanges": ranges,
                }),
            )
            .await?;
        }
        tx.commit().await?;
        self.origins_cache.clear();
        self.system_settings().await
    }
}
