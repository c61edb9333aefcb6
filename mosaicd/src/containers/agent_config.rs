//! The agent's configuration, generated from the database: `openclaw.json` and the personality
//! (`SOUL.md`, which OpenClaw reads from the agent workspace, not from the config).
//!
//! OpenClaw validates its config strictly (OpenClaw: `src/config/zod-schema*.ts`, every object
//! `.strict()`): one unknown key stops the gateway. Only keys checked against OpenClaw's schema
//! are emitted: `gateway.{mode,port,bind,auth.mode,http.endpoints.chatCompletions.enabled,
//! controlUi.enabled}`, `agents.defaults.{workspace,skipBootstrap,model.{primary,fallbacks}}` and
//! `models.{mode,providers.<name>.{baseUrl,apiKey,api,models[{id,name,reasoning,input,cost,
//! contextWindow,maxTokens}]}}`. What the real gateway refuses and the test double therefore
//! refuses too is listed in `tests/test-agent/README.md`. The gateway token is not in the config:
//! the entrypoint passes it as `OPENCLAW_GATEWAY_TOKEN`.
//!
//! - `gateway.controlUi.enabled: false`: with a non-loopback bind (`--bind lan`) OpenClaw refuses
//!   to start a Control UI without `allowedOrigins` (OpenClaw: `src/gateway/server-runtime-config.ts`,
//!   `resolveGatewayRuntimeConfig`); Mosaic never serves it.
//! - Every provider has a non-empty `apiKey`: OpenClaw fails a turn with "No API key found for
//!   provider" when it has none (OpenClaw: `src/agents/model-auth.ts`, `resolveApiKeyForProvider`;
//!   an empty key counts as none). A provider without a key (a local Ollama, a keyless gateway) gets
//!   OpenClaw's own non-secret marker, `ollama-local` or `custom-local`
//!   (OpenClaw: `src/agents/model-auth-markers.ts`).
//! - Every string goes through `mosaic_shared::openclaw_text::escape`: OpenClaw substitutes `${VAR}` in config strings.
//!   Provider names become object keys; they are lower-case slugs (`policy::check_provider_name`),
//!   so none can be `$include` or `$schema`, the keys OpenClaw gives a meaning to.
//! - `agents.defaults.skipBootstrap` is true when the agent has a personality: Mosaic's `SOUL.md`
//!   is the agent's, and OpenClaw writes none of its first-run templates (nor the `BOOTSTRAP.md`
//!   ritual, which has the agent rewrite its identity). Without a personality it is false: the
//!   agent gets OpenClaw's own first run (template `SOUL.md`, `BOOTSTRAP.md`), and what the agent
//!   then writes into its workspace is kept across restarts (OpenClaw: `src/agents/workspace.ts`,
//!   `ensureAgentWorkspace`, never overwrites an existing file).

use mosaic_shared::ErrorCode;
use mosaic_shared::openclaw_text as literal;
use mosaic_shared::types::ProviderType;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::containers::AgentRef;
use crate::error::{Error, Result};
use crate::secrets::{Binding, Keyring, SecretError};
use crate::store::providers::{Owner, ProviderRow};
use crate::store::{Db, agent_config, containers, providers, users};

/// The gateway's port inside the container (OpenClaw's default).
pub const GATEWAY_PORT: u16 = 18789;
/// OpenClaw's state directory in its image (HOME is /home/node): the state volume's mount point.
pub const STATE_DIR: &str = "/home/node/.openclaw";
pub const WORKSPACE_DIR: &str = "/home/node/.openclaw/workspace";

const DEFAULT_CONTEXT_WINDOW: u64 = 128_000;
const DEFAULT_MAX_TOKENS: u64 = 8_192;

/// A generated configuration.
#[derive(Clone)]
pub struct AgentConfig {
    /// `openclaw.json`, with API keys: only for the container, never stored or logged.
    pub config: Value,
    /// The same with API keys masked, fit to store and show.
    pub redacted: Value,
    /// Short hash of the redacted config, for the container's config-hash label (`docker
    /// inspect` shows it: a hash over the keys would let anyone confirm a guessed key).
    pub hash: String,
    /// `SOUL.md`, if the agent has a personality.
    pub soul: Option<String>,
    /// The provider API keys in the config, as stored (before escaping), for [`Self::redact`].
    keys: Vec<String>,
}

impl AgentConfig {
    /// `text` with every provider API key of this config replaced by `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for key in &self.keys {
            for form in [key.clone(), literal::escape(key)] {
                if !form.is_empty() {
                    text = text.replace(&form, "[redacted]");
                }
            }
        }
        text
    }
}

/// Never the keys: `Debug` shows the redacted config.
impl std::fmt::Debug for AgentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentConfig")
            .field("redacted", &self.redacted)
            .field("hash", &self.hash)
            .field("soul", &self.soul.as_ref().map(|s| s.len()))
            .finish()
    }
}

/// Where the agent's model settings come from: a user's agent config or a system agent's row.
struct ModelPrefs {
    primary: Option<String>,
    fallbacks: Vec<String>,
    default_provider: Option<String>,
    soul: Option<String>,
}

/// Where a provider's API key is stored: the binding its ciphertext names.
pub fn api_key_binding(id: &str) -> Binding {
    Binding::new("llm_provider", id, "api_key")
}

/// A provider's stored API key, decrypted. A stored value that cannot be read is the provider's
/// problem, said in the product's words with the remedy (`api_key_required`: the key must be
/// entered again); which row or key the value names goes to the log only.
pub fn open_api_key(keyring: &Keyring, row: &ProviderRow) -> Result<Option<String>> {
    let Some(stored) = &row.api_key else {
        return Ok(None);
    };
    keyring
        .decrypt(&api_key_binding(&row.id), stored)
        .map(Some)
        .map_err(|e| {
            let why = match &e {
                SecretError::WrongPlace { .. } => "it was saved for another provider",
                SecretError::UnknownKey { .. } => "it was encrypted under a secret key this daemon does not have",
                SecretError::Malformed { .. } | SecretError::Corrupt { .. } => "the stored value is damaged",
                // Key problems stop the daemon at startup; the general mapping applies.
                SecretError::Key(_) => return Error::from(e),
            };
            Error::new(
                ErrorCode::ApiKeyRequired,
                format!(
                    "the stored API key of provider {} cannot be used: {why}; whoever manages the provider must \
                     enter its key again",
                    row.name
                ),
            )
            .with_detail(e)
        })
}

pub async fn generate(db: &Db, keyring: &Keyring, target: &AgentRef) -> Result<AgentConfig> {
    let mut ex = db.ex();
    let (owner, prefs) = match target {
        AgentRef::User(user_id) => {
            users::get(&mut ex, user_id)
                .await?
                .ok_or_else(|| Error::not_found(format!("no user with id {user_id}")))?;
            let prefs = agent_config::get(&mut ex, user_id).await?.unwrap_or_default();
            let fallbacks: Vec<String> = serde_json::from_str(&prefs.fallback_models).unwrap_or_default();
            (
                Owner::User(user_id.clone()),
                ModelPrefs {
                    primary: prefs.primary_model.filter(|m| !m.trim().is_empty()),
                    fallbacks,
                    default_provider: prefs.provider_id,
                    soul: prefs.personality,
                },
            )
        }
        AgentRef::System(name) => {
            let agent = containers::system_agent(&mut ex, name)
                .await?
                .ok_or_else(|| Error::not_found(format!("no system agent named {name}")))?;
            (
                Owner::System,
                ModelPrefs {
                    primary: Some(agent.primary_model).filter(|m| !m.trim().is_empty()),
                    fallbacks: Vec::new(),
                    default_provider: agent.provider_id,
                    soul: agent.personality,
                },
            )
        }
    };
    let rows: Vec<ProviderRow> = providers::list(&mut ex, &owner)
        .await?
        .into_iter()
        .filter(|p| p.is_active)
        .collect();

    let mut providers_json = Map::new();
    let mut redacted_json = Map::new();
    let mut keys = Vec::new();
    for row in &rows {
        let Some(base_url) = row
            .base_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| default_base_url(row.kind).map(str::to_string))
        else {
            tracing::warn!(provider = %row.name, kind = %row.kind, "provider has no base URL; left out of the agent config");
            continue;
        };
        let api_key = open_api_key(keyring, row)?;
        keys.extend(api_key.clone());
        let models = models_json(&row.models);
        let mut entry = Map::new();
        entry.insert("baseUrl".into(), json!(base_url));
        entry.insert(
            "apiKey".into(),
            json!(api_key.as_deref().unwrap_or(keyless_marker(&row.api_type))),
        );
        entry.insert("api".into(), json!(row.api_type));
        entry.insert("models".into(), Value::Array(models));
        let mut masked = entry.clone();
        if api_key.is_some() {
            let hint = row.api_key_hint.clone().unwrap_or_else(|| "<redacted>".into());
            masked.insert("apiKey".into(), json!(hint));
        }
        providers_json.insert(row.name.clone(), Value::Object(entry));
        redacted_json.insert(row.name.clone(), Value::Object(masked));
    }

    let default_provider = prefs
        .default_provider
        .as_ref()
        .and_then(|id| rows.iter().find(|r| &r.id == id))
        .map(|r| r.name.clone());
    let primary = prefs
        .primary
        .as_deref()
        .map(|m| qualify(m, default_provider.as_deref()))
        .or_else(|| first_model(&rows, default_provider.as_deref()));
    let fallbacks: Vec<String> = prefs
        .fallbacks
        .iter()
        .filter(|m| !m.trim().is_empty())
        .map(|m| qualify(m, default_provider.as_deref()))
        .collect();

    Ok(assemble(Parts {
        providers: providers_json,
        redacted_providers: redacted_json,
        keys,
        primary,
        fallbacks,
        soul: prefs.soul.filter(|s| !s.trim().is_empty()),
    }))
}

/// The config of a throwaway agent with no provider, for a trial start of an image.
pub fn trial() -> AgentConfig {
    assemble(Parts::default())
}

/// What one agent's config is made of.
#[derive(Default)]
struct Parts {
    providers: Map<String, Value>,
    /// The same with masked keys.
    redacted_providers: Map<String, Value>,
    keys: Vec<String>,
    primary: Option<String>,
    fallbacks: Vec<String>,
    soul: Option<String>,
}

fn assemble(parts: Parts) -> AgentConfig {
    let build = |providers: Map<String, Value>| {
        let mut model = Map::new();
        if let Some(primary) = &parts.primary {
            model.insert("primary".into(), json!(primary));
        }
        model.insert("fallbacks".into(), json!(parts.fallbacks));
        let mut config = json!({
            "gateway": {
                "mode": "local",
                "port": GATEWAY_PORT,
                "bind": "lan",
                "auth": { "mode": "token" },
                "http": { "endpoints": { "chatCompletions": { "enabled": true } } },
                "controlUi": { "enabled": false }
            },
            "agents": {
                "defaults": {
                    "workspace": WORKSPACE_DIR,
                    "skipBootstrap": parts.soul.is_some(),
                    "model": Value::Object(model)
                }
            },
            "models": {
                "mode": "merge",
                "providers": Value::Object(providers)
            }
        });
        escape_strings(&mut config);
        config
    };
    let config = build(parts.providers.clone());
    let redacted = build(parts.redacted_providers.clone());
    let digest = Sha256::digest(serde_json::to_vec(&redacted).expect("JSON serializes"));
    AgentConfig {
        hash: hex::encode(&digest[..8]),
        config,
        redacted,
        soul: parts.soul,
        keys: parts.keys,
    }
}

/// The API key OpenClaw is given for a provider without one: its own marker for "no secret".
fn keyless_marker(api_type: &str) -> &'static str {
    if api_type == "ollama" {
        "ollama-local"
    } else {
        "custom-local"
    }
}

/// Every string value of the config, escaped so OpenClaw reads it literally.
fn escape_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = literal::escape(s),
        Value::Array(items) => items.iter_mut().for_each(escape_strings),
        Value::Object(map) => map.values_mut().for_each(escape_strings),
        _ => {}
    }
}

/// Base URLs for provider types that have a well-known one. Ollama and custom providers must
/// name theirs (inside a container, `localhost` is the container itself).
fn default_base_url(kind: ProviderType) -> Option<&'static str> {
    match kind {
        ProviderType::Openai => Some("https://api.openai.com/v1"),
        ProviderType::Anthropic => Some("https://api.anthropic.com"),
        ProviderType::Zai => Some("https://api.z.ai/api/paas/v4"),
        ProviderType::Ollama | ProviderType::Custom => None,
    }
}

/// A model reference is `provider/model`; a bare model id is taken from the default provider.
fn qualify(model: &str, default_provider: Option<&str>) -> String {
    let model = model.trim();
    match default_provider {
        Some(provider) if !model.contains('/') => format!("{provider}/{model}"),
        _ => model.to_string(),
    }
}

/// With no primary model chosen: the default provider's first model, else the first provider's.
fn first_model(rows: &[ProviderRow], default_provider: Option<&str>) -> Option<String> {
    let ordered = rows
        .iter()
        .filter(|r| Some(r.name.as_str()) == default_provider)
        .chain(rows.iter());
    for row in ordered {
        if let Some(id) = models_json(&row.models)
            .first()
            .and_then(|m| m.get("id"))
            .and_then(Value::as_str)
        {
            return Some(format!("{}/{id}", row.name));
        }
    }
    None
}

/// The provider's stored model list (`[{id, name, contextWindow, maxTokens, …}]`) in OpenClaw's
/// model-definition shape, every field present (OpenClaw's own type marks them required).
/// Entries without an id are skipped.
fn models_json(stored: &str) -> Vec<Value> {
    let parsed: Vec<Value> = serde_json::from_str(stored).unwrap_or_default();
    parsed
        .iter()
        .filter_map(|m| {
            let id = m
                .get("id")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())?;
            let name = m
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(id);
            let positive =
                |key: &str, default: u64| m.get(key).and_then(Value::as_u64).filter(|n| *n > 0).unwrap_or(default);
            let input: Vec<&str> = m
                .get("input")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|s| matches!(*s, "text" | "image"))
                        .collect()
                })
                .filter(|v: &Vec<&str>| !v.is_empty())
                .unwrap_or_else(|| vec!["text"]);
            Some(json!({
                "id": id,
                "name": name,
                "reasoning": m.get("reasoning").and_then(Value::as_bool).unwrap_or(false),
                "input": input,
                "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 },
                "contextWindow": positive("contextWindow", DEFAULT_CONTEXT_WINDOW),
                "maxTokens": positive("maxTokens", DEFAULT_MAX_TOKENS),
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_provider_key() {
        let generated = AgentConfig {
            config: json!({}),
            redacted: json!({}),
            hash: String::new(),
            soul: None,
            keys: vec!["sk-canary-one".into(), "sk-${CANARY}".into()],
        };
        assert_eq!(
            generated.redact("failed: sk-canary-one | sk-$${CANARY} | sk-${CANARY} | fine"),
            "failed: [redacted] | [redacted] | [redacted] | fine"
        );
    }

    #[test]
    fn model_definitions_have_every_field() {
        let models = models_json(
            r#"[{"id":"glm-5","contextWindow":200000},{"name":"no id"},{"id":"x","name":"X","input":["image","video"]}]"#,
        );
        assert_eq!(models.len(), 2);
        assert_eq!(
            models[0],
            json!({"id":"glm-5","name":"glm-5","reasoning":false,"input":["text"],
                   "cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0},
                   "contextWindow":200000,"maxTokens":8192})
        );
        assert_eq!(models[1]["input"], json!(["image"]));
        assert!(models_json("not json").is_empty());
    }

    #[test]
    fn model_references_are_qualified() {
        assert_eq!(qualify("glm-5", Some("zai")), "zai/glm-5");
        assert_eq!(qualify("openai/gpt-5", Some("zai")), "openai/gpt-5");
        assert_eq!(qualify("glm-5", None), "glm-5");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Every string in a JSON value.
        fn strings(value: &Value, out: &mut Vec<String>) {
            match value {
                Value::String(s) => out.push(s.clone()),
                Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
                Value::Object(map) => map.iter().for_each(|(k, v)| {
                    out.push(k.clone());
                    strings(v, out)
                }),
                _ => {}
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

            /// Any stored model list gives definitions with every field OpenClaw requires, or
            /// none; never a panic.
            #[test]
            fn any_model_list_gives_complete_definitions(stored in any::<String>(), ids in prop::collection::vec(any::<String>(), 0..4), window in any::<i64>()) {
                let _ = models_json(&stored);
                let list: Vec<Value> = ids.iter().map(|id| json!({ "id": id, "contextWindow": window })).collect();
                for m in models_json(&serde_json::to_string(&list).unwrap()) {
                    prop_assert!(!m["id"].as_str().unwrap().trim().is_empty());
                    prop_assert!(m["contextWindow"].as_u64().unwrap() > 0);
                    prop_assert!(m["maxTokens"].as_u64().unwrap() > 0);
                    prop_assert!(!m["input"].as_array().unwrap().is_empty());
                }
            }

            /// Whatever the user typed (personality, model references) and whatever the keys
            /// are: the redacted config and its hash never hold a key, every string is escaped
            /// for OpenClaw, and the same inputs give the same hash.
            #[test]
            fn generated_configs_keep_keys_out(
                keys in prop::collection::vec("[A-Za-z0-9_-]{16,40}", 1..3),
                primary in proptest::option::of(any::<String>()),
                fallbacks in prop::collection::vec(any::<String>(), 0..3),
                soul in proptest::option::of(any::<String>()),
                base in any::<String>(),
            ) {
                let parts = || {
                    let mut providers = Map::new();
                    let mut redacted = Map::new();
                    for (i, key) in keys.iter().enumerate() {
                        let name = format!("p{i}");
                        providers.insert(name.clone(), json!({ "baseUrl": base, "apiKey": key, "api": "openai-completions", "models": [] }));
                        redacted.insert(name, json!({ "baseUrl": base, "apiKey": "sk-…", "api": "openai-completions", "models": [] }));
                    }
                    Parts {
                        providers,
                        redacted_providers: redacted,
                        keys: keys.clone(),
                        primary: primary.clone(),
                        fallbacks: fallbacks.clone(),
                        soul: soul.clone(),
                    }
                };
                let config = assemble(parts());
                prop_assert_eq!(&config.hash, &assemble(parts()).hash);
                let redacted = serde_json::to_string(&config.redacted).unwrap();
                let mut texts = Vec::new();
                strings(&config.config, &mut texts);
                for key in &keys {
                    prop_assert!(!redacted.contains(key.as_str()));
                    let debug = format!("{:?}", config);
                    prop_assert!(!debug.contains(key.as_str()));
                    prop_assert_eq!(config.redact(&format!("x {key} y")), "x [redacted] y");
                }
                if let Some(primary) = &primary {
                    prop_assert!(texts.contains(&literal::escape(primary)));
                }
                prop_assert!(texts.contains(&literal::escape(&base)));
            }
        }
    }
}
