//! System configuration as named settings, for `mosaicctl config get|set|unset|ls`.
//!
//! This is a directory, not a second rule book: every setting belongs to a group whose own
//! service method validates, stores and audits it (the runtime settings of `settings.rs`, the
//! OIDC client, the agent containers' settings of `agent_settings.rs`, the usage retention of
//! `usage.rs`). A change is applied through that method, so the admin socket refuses exactly what
//! the HTTP API refuses, with the same words. One command changes one group, so a change is
//! applied by one method in one transaction, never half.

use mosaic_shared::Sensitive;
use mosaic_shared::types::{ConfigChange, ConfigEntry, OidcInput, OidcProvisioning, SettingsPatch};
use serde_json::{Value, json};

use crate::containers::settings as agent_runtime;
use crate::error::{Error, Result};
use crate::service::agent_settings;
use crate::service::oidc::Oidc;
use crate::service::oidc::{
    OIDC_ADMIN_CLAIM, OIDC_ADMIN_CLAIM_VALUE, OIDC_ADMIN_EMAILS, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ISSUER_URL,
};
use crate::service::settings::Settings;
use crate::service::settings::{AGENT_ALLOWED_RANGES, ALLOW_PRIVATE_PROVIDER_URLS, WEBUI_ORIGINS};
use crate::service::usage::Usage;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::usage;
use std::sync::Arc;

/// WebUI origins from mosaicd's own configuration, shown beside the editable ones.
pub const DAEMON_WEBUI_ORIGINS: &str = "http.daemonWebuiOrigins";
/// The name `config unset` takes for the whole OIDC client.
pub const OIDC_GROUP: &str = "oidc";

/// Which service method owns a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// `update_system_settings`: WebUI origins, private provider URLs.
    Runtime,
    /// `set_oidc_settings` / `clear_oidc_settings`.
    Oidc,
    /// `set_oidc_provisioning`: who becomes an administrator at an OIDC login.
    OidcProvisioning,
    /// `agent_settings::update`: image, timeouts, resource limits of agent containers.
    Agent,
    /// `set_usage_retention`: how long usage figures are kept.
    Usage,
}

impl Group {
    fn describe(self) -> &'static str {
        match self {
            Group::Runtime => "http.* and providers.*",
            Group::Oidc => "oidc.* client",
            Group::OidcProvisioning => "oidc.admin*",
            Group::Agent => "agent.*",
            Group::Usage => "usage.*",
        }
    }
}

#[derive(Clone, Copy)]
struct Def {
    key: &'static str,
    group: Group,
    secret: bool,
    read_only: bool,
    description: &'static str,
}

const DEFS: &[Def] = &[
    Def {
        key: WEBUI_ORIGINS,
        group: Group::Runtime,
        secret: false,
        read_only: false,
        description: "WebUI origins allowed by CORS and used in invite links, comma-separated \
                      (e.g. https://mosaic.example.com)",
    },
    Def {
        key: DAEMON_WEBUI_ORIGINS,
        group: Group::Runtime,
        secret: false,
        read_only: true,
        description: "WebUI origins from mosaicd's --webui-origin / MOSAIC_WEBUI_ORIGINS (read-only here)",
    },
    Def {
        key: ALLOW_PRIVATE_PROVIDER_URLS,
        group: Group::Runtime,
        secret: false,
        read_only: false,
        description: "Whether provider base URLs may point at loopback and private networks (a local \
                      Ollama): true or false",
    },
    Def {
        key: AGENT_ALLOWED_RANGES,
        group: Group::Runtime,
        secret: false,
        read_only: false,
        description: "Address ranges agent containers may reach through mosaicd's egress proxy although \
                      private or the host's own (a local LLM), comma-separated CIDRs (e.g. 192.168.1.0/24)",
    },
    Def {
        key: OIDC_ISSUER_URL,
        group: Group::Oidc,
        secret: false,
        read_only: false,
        description: "OpenID Connect issuer (https, or http on a loopback host); set with oidc.clientId",
    },
    Def {
        key: OIDC_CLIENT_ID,
        group: Group::Oidc,
        secret: false,
        read_only: false,
        description: "OpenID Connect client id",
    },
    Def {
        key: OIDC_CLIENT_SECRET,
        group: Group::Oidc,
        secret: true,
        read_only: false,
        description: "OpenID Connect client secret (write-only)",
    },
    Def {
        key: OIDC_ADMIN_EMAILS,
        group: Group::OidcProvisioning,
        secret: false,
        read_only: false,
        description: "Verified emails made administrators at an OpenID Connect login, comma-separated",
    },
    Def {
        key: OIDC_ADMIN_CLAIM,
        group: Group::OidcProvisioning,
        secret: false,
        read_only: false,
        description: "An ID token claim that makes its holder an administrator at an OpenID Connect login \
                      (e.g. groups); see oidc.adminClaimValue",
    },
    Def {
        key: OIDC_ADMIN_CLAIM_VALUE,
        group: Group::OidcProvisioning,
        secret: false,
        read_only: false,
        description: "The value oidc.adminClaim must equal or (a list) contain, e.g. mosaic-admins; \
                      unset, the claim must be true",
    },
    Def {
        key: usage::RETENTION_KEY,
        group: Group::Usage,
        secret: false,
        read_only: false,
        description: "Days of chat usage figures kept (older days are deleted); 0 counts nothing",
    },
];

/// Every setting: the runtime and OIDC ones above, then the agent containers' own registry.
fn definitions() -> impl Iterator<Item = Def> {
    DEFS.iter().copied().chain(agent_runtime::SETTINGS.iter().map(|d| Def {
        key: d.key,
        group: Group::Agent,
        secret: false,
        read_only: false,
        description: d.description,
    }))
}

fn definition(key: &str) -> Result<Def> {
    definitions()
        .find(|d| d.key == key)
        .ok_or_else(|| Error::not_found(format!("no setting named {key:?} (`mosaicctl config ls` lists them)")))
}

fn writable(key: &str) -> Result<Def> {
    let def = definition(key)?;
    if def.read_only {
        return Err(Error::invalid(format!(
            "{key} comes from mosaicd's own configuration and cannot be changed here"
        )));
    }
    Ok(def)
}

/// The one group all `keys` belong to; keys given twice or from several groups are refused.
fn one_group<'a>(keys: impl Iterator<Item = (&'a str, Group)>) -> Result<Group> {
    let mut seen: Vec<&str> = Vec::new();
    let mut group = None;
    for (key, g) in keys {
        if seen.contains(&key) {
            return Err(Error::invalid(format!("{key} is given twice")));
        }
        seen.push(key);
        match group {
            None => group = Some(g),
            Some(first) if first != g => {
                return Err(Error::invalid(format!(
                    "{} settings and {} settings are changed by separate commands",
                    first.describe(),
                    g.describe()
                )));
            }
            Some(_) => {}
        }
    }
    group.ok_or_else(|| Error::invalid("no setting given"))
}

/// A list setting as text: comma-separated, blanks ignored; the empty text is the empty list.
fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// An agent setting's text as JSON: a boolean or a number where the setting is one, else a string.
fn agent_value(text: &str, default: &str) -> Value {
    if let (Ok(_), Ok(value)) = (default.parse::<bool>(), text.parse::<bool>()) {
        return json!(value);
    }
    let numeric = default.parse::<f64>().is_ok();
    match (numeric, text.parse::<i64>(), text.parse::<f64>()) {
        (true, Ok(n), _) => json!(n),
        (true, _, Ok(x)) => json!(x),
        _ => json!(text),
    }
}

fn parse_bool(key: &str, text: &str) -> Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::invalid(format!("{key} must be true or false, not {text:?}"))),
    }
}

/// `mosaicctl config`: every system setting by its key, changed through the service that owns it.
pub struct SystemConfig {
    db: Db,
    settings: Arc<Settings>,
    oidc: Arc<Oidc>,
    usage: Arc<Usage>,
}

impl SystemConfig {
    pub fn new(db: Db, settings: Arc<Settings>, oidc: Arc<Oidc>, usage: Arc<Usage>) -> SystemConfig {
        SystemConfig {
            db,
            settings,
            oidc,
            usage,
        }
    }
}

impl SystemConfig {
    /// Every setting with its value in effect.
    pub async fn config_list(&self) -> Result<Vec<ConfigEntry>> {
        let settings = self.settings.system_settings().await?;
        let oidc = self.oidc.oidc_settings().await?;
        let provisioning = &oidc.provisioning;
        let retention = self.usage.retention_days().await?;
        let entry = |def: &Def, value: Value, default: Value| ConfigEntry {
            key: def.key.to_string(),
            value,
            default,
            secret: def.secret,
            secret_set: false,
            hint: None,
            read_only: def.read_only,
            description: def.description.to_string(),
        };
        let mut entries: Vec<ConfigEntry> = DEFS
            .iter()
            .map(|def| match def.key {
                WEBUI_ORIGINS => entry(def, json!(settings.webui_origins), json!([])),
                DAEMON_WEBUI_ORIGINS => entry(def, json!(settings.daemon_webui_origins), json!([])),
                ALLOW_PRIVATE_PROVIDER_URLS => entry(def, json!(settings.allow_private_provider_urls), json!(false)),
                AGENT_ALLOWED_RANGES => entry(def, json!(settings.agent_allowed_ranges), json!([])),
                OIDC_ISSUER_URL => entry(def, json!(oidc.issuer_url), Value::Null),
                OIDC_CLIENT_ID => entry(def, json!(oidc.client_id), Value::Null),
                OIDC_CLIENT_SECRET => ConfigEntry {
                    secret_set: oidc.client_secret_set,
                    hint: oidc.client_secret_hint.clone(),
                    ..entry(def, Value::Null, Value::Null)
                },
                OIDC_ADMIN_EMAILS => entry(def, json!(provisioning.admin_emails), json!([])),
                OIDC_ADMIN_CLAIM => entry(def, json!(provisioning.admin_claim), Value::Null),
                OIDC_ADMIN_CLAIM_VALUE => entry(def, json!(provisioning.admin_claim_value), Value::Null),
                usage::RETENTION_KEY => entry(def, json!(retention), json!(usage::DEFAULT_RETENTION_DAYS)),
                other => unreachable!("setting {other} has no reader"),
            })
            .collect();
        for (def, stored) in agent_runtime::stored(&self.db).await? {
            let value = stored.as_deref().unwrap_or(def.default);
            entries.push(ConfigEntry {
                key: def.key.to_string(),
                value: agent_value(value, def.default),
                default: agent_value(def.default, def.default),
                secret: false,
                secret_set: false,
                hint: None,
                read_only: false,
                description: def.description.to_string(),
            });
        }
        Ok(entries)
    }

    pub async fn config_get(&self, key: &str) -> Result<ConfigEntry> {
        definition(key)?;
        self.config_entries(&[key]).await.map(|mut e| e.remove(0))
    }

    async fn config_entries(&self, keys: &[&str]) -> Result<Vec<ConfigEntry>> {
        let all = self.config_list().await?;
        Ok(keys
            .iter()
            .filter_map(|k| all.iter().find(|e| e.key == *k).cloned())
            .collect())
    }

    /// Sets settings of one group through that group's service method.
    pub async fn config_set(&self, actor: &Actor, changes: Vec<ConfigChange>) -> Result<Vec<ConfigEntry>> {
        let mut defs = Vec::new();
        for change in &changes {
            defs.push((change.key.as_str(), writable(&change.key)?.group));
        }
        let group = one_group(defs.into_iter())?;
        let value = |key: &str| changes.iter().find(|c| c.key == key).map(|c| c.value.expose());
        match group {
            Group::Runtime => {
                let patch = SettingsPatch {
                    webui_origins: value(WEBUI_ORIGINS).map(parse_list),
                    allow_private_provider_urls: value(ALLOW_PRIVATE_PROVIDER_URLS)
                        .map(|v| parse_bool(ALLOW_PRIVATE_PROVIDER_URLS, v))
                        .transpose()?,
                    agent_allowed_ranges: value(AGENT_ALLOWED_RANGES).map(parse_list),
                    agent: None,
                };
                self.settings.update_system_settings(actor, patch).await?;
            }
            Group::Oidc => {
                let current = self.oidc.oidc_settings().await?;
                let issuer = value(OIDC_ISSUER_URL).map(str::to_string).or(current.issuer_url);
                let client = value(OIDC_CLIENT_ID).map(str::to_string).or(current.client_id);
                let (Some(issuer_url), Some(client_id)) = (issuer, client) else {
                    return Err(Error::invalid(format!(
                        "OIDC needs both {OIDC_ISSUER_URL} and {OIDC_CLIENT_ID}; set them together, e.g. \
                         `mosaicctl config set {OIDC_ISSUER_URL}=https://id.example.com {OIDC_CLIENT_ID}=mosaic`"
                    )));
                };
                let input = OidcInput {
                    issuer_url,
                    client_id,
                    client_secret: value(OIDC_CLIENT_SECRET).map(Sensitive::new),
                };
                self.oidc.set_oidc_settings(actor, input).await?;
            }
            Group::OidcProvisioning => {
                let current = self.oidc.oidc_provisioning().await?;
                let text = |key: &str, current: Option<String>| match value(key) {
                    Some(v) => Some(v.to_string()),
                    None => current,
                };
                let input = OidcProvisioning {
                    admin_emails: value(OIDC_ADMIN_EMAILS).map(parse_list).unwrap_or(current.admin_emails),
                    admin_claim: text(OIDC_ADMIN_CLAIM, current.admin_claim),
                    admin_claim_value: text(OIDC_ADMIN_CLAIM_VALUE, current.admin_claim_value),
                };
                self.oidc.set_oidc_provisioning(actor, input).await?;
            }
            Group::Agent => {
                let changes: Vec<(&str, Option<&str>)> = changes
                    .iter()
                    .map(|c| (c.key.as_str(), Some(c.value.expose())))
                    .collect();
                let checked = agent_settings::check_changes(&changes)?;
                self.settings.check_agent_image(&checked).await?;
                agent_settings::update(&self.db, actor, &checked).await?;
            }
            Group::Usage => {
                self.usage
                    .set_usage_retention(actor, value(usage::RETENTION_KEY))
                    .await?
            }
        }
        let keys: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        self.config_entries(&keys).await
    }

    /// Returns settings to their defaults; `oidc` removes the OIDC client (its three settings go
    /// together: an issuer without a client id is no configuration).
    pub async fn config_unset(&self, actor: &Actor, keys: Vec<String>) -> Result<Vec<ConfigEntry>> {
        let mut defs = Vec::new();
        for key in &keys {
            if key == OIDC_GROUP {
                defs.push((key.as_str(), Group::Oidc));
                continue;
            }
            let def = writable(key)?;
            if def.group == Group::Oidc {
                return Err(Error::invalid(format!(
                    "the OIDC settings are removed together: `mosaicctl config unset {OIDC_GROUP}`"
                )));
            }
            defs.push((key.as_str(), def.group));
        }
        let affected: Vec<&str> = match one_group(defs.into_iter())? {
            Group::Runtime => {
                let has = |k: &str| keys.iter().any(|key| key == k);
                let patch = SettingsPatch {
                    webui_origins: has(WEBUI_ORIGINS).then(Vec::new),
                    allow_private_provider_urls: has(ALLOW_PRIVATE_PROVIDER_URLS).then_some(false),
                    agent_allowed_ranges: has(AGENT_ALLOWED_RANGES).then(Vec::new),
                    agent: None,
                };
                self.settings.update_system_settings(actor, patch).await?;
                keys.iter().map(String::as_str).collect()
            }
            Group::Oidc => {
                self.oidc.clear_oidc_settings(actor).await?;
                vec![OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET]
            }
            Group::OidcProvisioning => {
                let has = |k: &str| keys.iter().any(|key| key == k);
                let current = self.oidc.oidc_provisioning().await?;
                let input = OidcProvisioning {
                    admin_emails: if has(OIDC_ADMIN_EMAILS) {
                        Vec::new()
                    } else {
                        current.admin_emails
                    },
                    admin_claim: if has(OIDC_ADMIN_CLAIM) {
                        None
                    } else {
                        current.admin_claim
                    },
                    admin_claim_value: if has(OIDC_ADMIN_CLAIM_VALUE) {
                        None
                    } else {
                        current.admin_claim_value
                    },
                };
                self.oidc.set_oidc_provisioning(actor, input).await?;
                keys.iter().map(String::as_str).collect()
            }
            Group::Agent => {
                let defaults: Vec<(&str, Option<&str>)> = keys.iter().map(|k| (k.as_str(), None)).collect();
                agent_settings::update(&self.db, actor, &agent_settings::check_changes(&defaults)?).await?;
                keys.iter().map(String::as_str).collect()
            }
            Group::Usage => {
                self.usage.set_usage_retention(actor, None).await?;
                vec![usage::RETENTION_KEY]
            }
        };
        self.config_entries(&affected).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_named_once() {
        let all: Vec<Def> = definitions().collect();
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| b.key != a.key), "{} twice", a.key);
            assert!(a.key != OIDC_GROUP);
        }
        assert!(
            all.iter()
                .any(|d| d.key == agent_runtime::IMAGE && d.group == Group::Agent)
        );
    }

    #[test]
    fn agent_values_keep_their_kind() {
        assert_eq!(agent_value("30", "30"), json!(30));
        assert_eq!(agent_value("0.5", "1"), json!(0.5));
        assert_eq!(
            agent_value("ghcr.io/x:1", "ghcr.io/openclaw/openclaw:latest"),
            json!("ghcr.io/x:1")
        );
        assert_eq!(agent_value("garbage", "30"), json!("garbage"));
    }

    #[test]
    fn one_group_per_change() {
        assert_eq!(
            one_group([("a", Group::Runtime), ("b", Group::Runtime)].into_iter()).unwrap(),
            Group::Runtime
        );
        assert!(one_group([("a", Group::Runtime), ("b", Group::Oidc)].into_iter()).is_err());
        assert!(one_group([("a", Group::Oidc), ("a", Group::Oidc)].into_iter()).is_err());
        assert!(one_group(std::iter::empty()).is_err());
    }

    #[test]
    fn text_values() {
        assert_eq!(
            parse_list(" https://a.example , ,https://b.example"),
            ["https://a.example", "https://b.example"]
        );
        assert!(parse_list("").is_empty());
        assert!(parse_bool("k", "TRUE").unwrap());
        assert!(!parse_bool("k", "false").unwrap());
        assert!(parse_bool("k", "yes").is_err());
    }
}
