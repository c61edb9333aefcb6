//! Runtime settings kept in system config: the WebUI origins CORS allows, whether provider URLs
//! may point at private networks, the agent containers' image, timeouts and limits (whose rules
//! live in `agent_settings`), and the OIDC client (whose secret is encrypted and write-only).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use mosaic_shared::policy;
use mosaic_shared::types::{OidcInput, OidcSettings, SettingsPatch, SystemSettings};
use serde_json::json;

use crate::app::App;
use crate::error::{Error, Result};
use crate::secrets::{Binding, hint};
use crate::service::agent_settings;
use crate::store::audit::Actor;
use crate::store::{audit, rfc3339, system_config};

pub const WEBUI_ORIGINS: &str = "http.webuiOrigins";
pub const ALLOW_PRIVATE_PROVIDER_URLS: &str = "providers.allowPrivateUrls";
pub const OIDC_ISSUER_URL: &str = "oidc.issuerUrl";
pub const OIDC_CLIENT_ID: &str = "oidc.clientId";
pub const OIDC_CLIENT_SECRET: &str = "oidc.clientSecret";

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

fn secret_binding() -> Binding {
    Binding::new("system_config", OIDC_CLIENT_SECRET, "value")
}

fn check_origins(origins: &[String]) -> Result<Vec<String>> {
    if origins.len() > MAX_WEBUI_ORIGINS {
        return Err(Error::invalid(format!("at most {MAX_WEBUI_ORIGINS} WebUI origins")));
    }
    let mut out: Vec<String> = Vec::new();
    for origin in origins {
        let normalized = policy::normalize_origin(origin.trim()).map_err(Error::invalid)?;
        if !out.contains(&normalized) {
            out.push(normalized);
        }
    }
    Ok(out)
}

/// An OIDC issuer: https, or http on a loopback host (a provider on the same machine).
pub(crate) fn check_issuer(issuer: &str) -> Result<()> {
    let url = reqwest::Url::parse(issuer).map_err(|e| Error::invalid(format!("invalid issuerUrl: {e}")))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok {
        return Err(Error::invalid(
            "issuerUrl must use https (http only for a loopback host)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "issuerUrl must not carry credentials, a query or a fragment",
        ));
    }
    if issuer.len() > 2048 {
        return Err(Error::invalid("issuerUrl is too long"));
    }
    Ok(())
}

impl App {
    async fn stored_origins(&self) -> Result<Vec<String>> {
        match system_config::get(&mut self.db.ex(), WEBUI_ORIGINS).await? {
            Some(row) => serde_json::from_str(&row.value)
                .map_err(|e| Error::internal(format!("system config {WEBUI_ORIGINS} is not a JSON list: {e}"))),
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
        match self.stored_origins().await {
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

    pub async fn system_settings(&self) -> Result<SystemSettings> {
        Ok(SystemSettings {
            webui_origins: self.stored_origins().await?,
            daemon_webui_origins: self.config.http.webui_origins.clone(),
            allow_private_provider_urls: self.allow_private_provider_urls().await?,
            agent: crate::containers::settings::view(&self.db).await?,
        })
    }

    pub async fn update_system_settings(&self, actor: &Actor, patch: SettingsPatch) -> Result<SystemSettings> {
        let origins = patch.webui_origins.as_deref().map(check_origins).transpose()?;
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
        if let Some(allow) = patch.allow_private_provider_urls {
            system_config::set(
                &mut tx.ex(),
                ALLOW_PRIVATE_PROVIDER_URLS,
                if allow { "true" } else { "false" },
                false,
            )
            .await?;
        }
        if origins.is_some() || patch.allow_private_provider_urls.is_some() || agent.is_none() {
            audit::record(
                &mut tx.ex(),
                actor,
                "settings.update",
                None,
                json!({ "webuiOrigins": origins, "allowPrivateProviderUrls": patch.allow_private_provider_urls }),
            )
            .await?;
        }
        tx.commit().await?;
        self.origins_cache.clear();
        self.system_settings().await
    }

    pub async fn oidc_settings(&self) -> Result<OidcSettings> {
        let mut ex = self.db.ex();
        let issuer = system_config::get(&mut ex, OIDC_ISSUER_URL).await?;
        let client = system_config::get(&mut ex, OIDC_CLIENT_ID).await?;
        let secret = system_config::get(&mut ex, OIDC_CLIENT_SECRET).await?;
        let secret_hint = match &secret {
            Some(row) => Some(hint(&self.keyring.decrypt(&secret_binding(), &row.value)?)),
            None => None,
        };
        let updated_at = [&issuer, &client, &secret]
            .iter()
            .filter_map(|r| r.as_ref().map(|r| r.updated_at))
            .max();
        Ok(OidcSettings {
            configured: issuer.is_some() && client.is_some(),
            issuer_url: issuer.map(|r| r.value),
            client_id: client.map(|r| r.value),
            client_secret_set: secret.is_some(),
            client_secret_hint: secret_hint,
            updated_at: updated_at.map(rfc3339),
            redirect_uri: self.oidc_redirect_uri(),
            provisioning: self.oidc_provisioning().await?,
        })
    }

    /// Replaces the OIDC client settings; an absent client secret keeps the stored one.
    pub async fn set_oidc_settings(&self, actor: &Actor, input: OidcInput) -> Result<OidcSettings> {
        let issuer = input.issuer_url.trim();
        check_issuer(issuer)?;
        let client_id = input.client_id.trim();
        if client_id.is_empty()
            || client_id.len() > 255
            || client_id.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid("clientId must be 1 to 255 characters without spaces"));
        }
        let secret = match &input.client_secret {
            Some(secret) => {
                let secret = secret.expose();
                if secret.is_empty() || secret.len() > 4096 || secret.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        "clientSecret must be 1 to 4096 bytes without control characters",
                    ));
                }
                Some(self.keyring.encrypt(&secret_binding(), secret)?)
            }
            None => None,
        };
        let mut tx = self.db.begin().await?;
        system_config::set(&mut tx.ex(), OIDC_ISSUER_URL, issuer, false).await?;
        system_config::set(&mut tx.ex(), OIDC_CLIENT_ID, client_id, false).await?;
        if let Some(secret) = &secret {
            system_config::set(&mut tx.ex(), OIDC_CLIENT_SECRET, secret, true).await?;
        }
        audit::record(
            &mut tx.ex(),
            actor,
            "oidc.update",
            None,
            json!({ "issuerUrl": issuer, "clientId": client_id, "clientSecret": if secret.is_some() { "replaced" } else { "kept" } }),
        )
        .await?;
        tx.commit().await?;
        self.forget_oidc_metadata();
        self.oidc_settings().await
    }

    /// Removes the OIDC settings: only breakglass and local logins remain.
    pub async fn clear_oidc_settings(&self, actor: &Actor) -> Result<()> {
        let mut tx = self.db.begin().await?;
        for key in [OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET] {
            system_config::delete(&mut tx.ex(), key).await?;
        }
        audit::record(&mut tx.ex(), actor, "oidc.clear", None, json!({})).await?;
        tx.commit().await?;
        self.forget_oidc_metadata();
        Ok(())
    }

    /// The OIDC client secret in plain text, for the login flow (never for a response).
    pub async fn oidc_client_secret(&self) -> Result<Option<String>> {
        match system_config::get(&mut self.db.ex(), OIDC_CLIENT_SECRET).await? {
            Some(row) => Ok(Some(self.keyring.decrypt(&secret_binding(), &row.value)?)),
            None => Ok(None),
        }
    }
}
