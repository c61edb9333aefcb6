//! What `openclaw gateway run --bind lan --auth token` does with
//! `openclaw.json` before it listens: load it (includes, substitution,
//! schema), then the start guards. The double also refuses at start what the
//! real gateway only fails at the first turn that needs it (a provider without
//! a key, a model reference it cannot resolve), so tests catch it early.

use std::path::Path;

use serde_json::Value;

use crate::config::{self, Issue};
use crate::includes;
use crate::substitution;

/// How OpenClaw's CLI prints an error thrown while the server starts.
// OpenClaw: src/cli/gateway-cli/run.ts, runGatewayCommand: `Gateway failed to start: ${String(err)}`.
fn failed_to_start(message: &str) -> String {
    format!("Gateway failed to start: Error: {message}")
}

/// The effective config: `raw` parsed, includes resolved, `${…}` substituted
/// from `env`, validated. The error is what OpenClaw prints.
// OpenClaw: src/config/io.ts, readConfigFileSnapshot (parse, then resolveConfigIncludes, then
// resolveConfigEnvVars, then validation; each failure is one issue at <root>).
pub fn load_config(raw: &[u8], config_path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Value, String> {
    let invalid = |issues: Vec<Issue>| config::format_issues(&config_path.display().to_string(), &issues);
    let parsed: Value = serde_json::from_slice(raw)
        .map_err(|err| invalid(vec![Issue::root(format!("JSON5 parse failed: SyntaxError: {err}"))]))?;
    let included = includes::resolve_includes(parsed, config_path).map_err(|msg| invalid(vec![Issue::root(msg)]))?;
    let substituted = substitution::resolve_config_env_vars(&included, env)
        .map_err(|err| invalid(vec![Issue::root(err.message())]))?;
    config::validate(&substituted).map_err(invalid)?;
    Ok(substituted)
}

/// A copy of the effective config safe to echo to a chat client.
pub fn redacted(config: &Value) -> Value {
    let mut copy = config.clone();
    if let Some(Value::Object(providers)) = copy.pointer_mut("/models/providers") {
        for provider in providers.values_mut() {
            if let Some(key) = provider.get_mut("apiKey") {
                *key = Value::from("***");
            }
        }
    }
    if let Some(token) = copy.pointer_mut("/gateway/auth/token") {
        *token = Value::from("***");
    }
    copy
}

/// The settings the gateway needs, read from a config that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    pub mode: Option<String>,
    pub port: Option<u16>,
    pub auth_token: Option<String>,
    pub chat_completions: bool,
    pub workspace: Option<String>,
    pub skip_bootstrap: bool,
    pub primary_model: Option<String>,
    pub fallback_models: Vec<String>,
    pub control_ui: ControlUi,
    /// Provider id and its `apiKey`, if any.
    pub providers: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlUi {
    pub enabled: bool,
    pub allowed_origins: Vec<String>,
    pub host_header_origin_fallback: bool,
}

impl Default for ControlUi {
    fn default() -> ControlUi {
        ControlUi {
            enabled: true,
            allowed_origins: Vec::new(),
            host_header_origin_fallback: false,
        }
    }
}

impl Settings {
    pub fn from_valid(config: &Value) -> Settings {
        let str_at = |ptr: &str| config.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
        let bool_at = |ptr: &str| config.pointer(ptr).and_then(Value::as_bool);
        let strings_at = |ptr: &str| -> Vec<String> {
            config
                .pointer(ptr)
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let model = config.pointer("/agents/defaults/model");
        let providers = config
            .pointer("/models/providers")
            .and_then(Value::as_object)
            .map(|providers| {
                providers
                    .iter()
                    .map(|(id, p)| (id.clone(), p.get("apiKey").and_then(Value::as_str).map(str::to_owned)))
                    .collect()
            })
            .unwrap_or_default();
        Settings {
            mode: str_at("/gateway/mode"),
            port: config
                .pointer("/gateway/port")
                .and_then(Value::as_f64)
                .map(|p| p as u16),
            auth_token: str_at("/gateway/auth/token"),
            chat_completions: bool_at("/gateway/http/endpoints/chatCompletions/enabled").unwrap_or(false),
            workspace: str_at("/agents/defaults/workspace"),
            skip_bootstrap: bool_at("/agents/defaults/skipBootstrap").unwrap_or(false),
            primary_model: match model {
                Some(Value::String(s)) => Some(s.clone()),
                Some(m) => m.get("primary").and_then(Value::as_str).map(str::to_owned),
                None => None,
            },
            fallback_models: strings_at("/agents/defaults/model/fallbacks"),
            control_ui: ControlUi {
                // OpenClaw: src/gateway/server-runtime-config.ts, resolveGatewayRuntimeConfig:
                // `gateway.controlUi.enabled ?? true`, origins trimmed with blanks dropped,
                // the fallback only when exactly `true`.
                enabled: bool_at("/gateway/controlUi/enabled").unwrap_or(true),
                allowed_origins: strings_at("/gateway/controlUi/allowedOrigins")
                    .into_iter()
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect(),
                host_header_origin_fallback: bool_at("/gateway/controlUi/dangerouslyAllowHostHeaderOriginFallback")
                    == Some(true),
            },
            providers,
        }
    }

    /// OpenClaw's start guards, in the order it meets them. The entrypoint
    /// runs `gateway run --bind lan --auth token` with the token in
    /// `OPENCLAW_GATEWAY_TOKEN` (`env_token`): auth is always token mode and
    /// the bind always non-loopback, whatever the config says. Returns the
    /// gateway token.
    pub fn check_startup(&self, env_token: &str, state_dir: &Path) -> Result<String, String> {
        self.check_mode()?;
        let token = self.resolve_token(env_token)?;
        check_token_not_weak(&token)?;
        self.check_control_ui()?;
        self.check_provider_keys(state_dir)?;
        self.check_model_refs()?;
        Ok(token)
    }

    // OpenClaw: src/cli/gateway-cli/run.ts, runGatewayCommand (without --allow-unconfigured).
    fn check_mode(&self) -> Result<(), String> {
        match self.mode.as_deref() {
            Some("local") => Ok(()),
            mode => Err(format!(
                "Gateway start blocked: set gateway.mode=local (current: {}) or pass --allow-unconfigured.",
                mode.unwrap_or("unset")
            )),
        }
    }

    /// `gateway.auth.token` wins over the environment; blank counts as unset.
    // OpenClaw: src/gateway/auth.ts, resolveGatewayAuth; src/cli/gateway-cli/run.ts,
    // runGatewayCommand (token mode without a token).
    fn resolve_token(&self, env_token: &str) -> Result<String, String> {
        let configured = self.auth_token.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let env = Some(env_token.trim()).filter(|t| !t.is_empty());
        configured.or(env).map(str::to_owned).ok_or_else(|| {
            "Gateway auth is set to token, but no token is configured.\n\
             Set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or pass --token."
                .to_owned()
        })
    }

    /// A non-loopback bind with the Control UI on needs explicit origins.
    /// `--bind lan` (the CLI flag wins over `gateway.bind`) binds 0.0.0.0.
    // OpenClaw: src/gateway/server-runtime-config.ts, resolveGatewayRuntimeConfig /
    // inspectGatewayStartupRuntimePolicy ("gateway-control-ui-origins-required").
    fn check_control_ui(&self) -> Result<(), String> {
        let ui = &self.control_ui;
        if ui.enabled && ui.allowed_origins.is_empty() && !ui.host_header_origin_fallback {
            return Err(failed_to_start(
                "non-loopback Control UI requires gateway.controlUi.allowedOrigins (set explicit \
                 origins), or set gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true \
                 to use Host-header origin fallback mode",
            ));
        }
        Ok(())
    }

    /// Every configured provider needs a key: the container has no provider
    /// variables and no auth profiles, so the config's `apiKey` is all there is.
    /// The non-secret markers `ollama-local` and `custom-local`
    /// (src/agents/model-auth-markers.ts) are keys like any other here.
    // OpenClaw: src/agents/model-auth.ts, resolveApiKeyForProvider (thrown at the first turn
    // that uses the provider); the key goes through normalizeOptionalSecretInput first.
    fn check_provider_keys(&self, state_dir: &Path) -> Result<(), String> {
        let Some((provider, _)) = self
            .providers
            .iter()
            .find(|(_, key)| key.as_deref().is_none_or(|k| normalize_secret_input(k).is_empty()))
        else {
            return Ok(());
        };
        let agent_dir = state_dir.join("agents/main/agent");
        Err(format!(
            "No API key found for provider \"{provider}\". Auth store: {} (agentDir: {}). \
             Configure auth for this agent (openclaw agents add <id>) or copy only portable \
             static auth profiles from the main agentDir.",
            agent_dir.join("auth-profiles.json").display(),
            agent_dir.display()
        ))
    }

    /// Each model reference must name a configured provider; a bare model id
    /// is read against OpenClaw's default provider, which has no key here.
    // OpenClaw: src/agents/model-selection.ts, parseModelRef (DEFAULT_PROVIDER "anthropic" from
    // src/agents/defaults.ts); src/agents/pi-embedded-runner/model.ts, resolveModel and
    // pi-embedded-runner/run.ts, runEmbeddedPiAgent: `Unknown model: ${provider}/${modelId}`.
    fn check_model_refs(&self) -> Result<(), String> {
        for reference in self.primary_model.iter().chain(&self.fallback_models) {
            let (provider, model) = split_model_ref(reference);
            let known = self.providers.iter().any(|(id, _)| *id == provider);
            if provider.is_empty() || model.is_empty() || !known {
                return Err(format!("Unknown model: {provider}/{model}"));
            }
        }
        Ok(())
    }
}

/// `provider/model`, split at the first slash; a bare id gets the default provider.
fn split_model_ref(reference: &str) -> (&str, &str) {
    let reference = reference.trim();
    match reference.split_once('/') {
        Some((provider, model)) => (provider.trim(), model.trim()),
        None => ("anthropic", reference),
    }
}

/// What is left of a key once OpenClaw has normalised it: printable
/// Latin-1 only (so line breaks, controls and emoji go), trimmed. An empty
/// result is no key at all.
// OpenClaw: src/utils/normalize-secret-input.ts, normalizeSecretInput (newest; older versions
// only strip \r \n U+2028 U+2029) and normalizeOptionalSecretInput.
fn normalize_secret_input(value: &str) -> String {
    value
        .chars()
        .filter(|c| matches!(u32::from(*c), 0x20..=0x7e | 0xa0..=0xff))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A token copied from the docs is as good as none, and refused outright.
// OpenClaw: src/gateway/known-weak-gateway-secrets.ts, assertGatewayAuthNotKnownWeak (newest):
// the published placeholders, blank and the literal strings undefined/null; and the config
// redaction sentinel.
fn check_token_not_weak(token: &str) -> Result<(), String> {
    let token = token.trim();
    if token == "__OPENCLAW_REDACTED__" {
        return Err(failed_to_start(
            "Gateway auth token is a known redaction sentinel, not a credential. Run `openclaw \
             doctor --fix` to repair the Gateway token or replace the external secret, then \
             restart and re-pair devices.",
        ));
    }
    let weak = [
        "change-me-to-a-long-random-token",
        "change-me-now",
        "",
        "undefined",
        "null",
    ];
    if weak.contains(&token) {
        return Err(failed_to_start(
            "Invalid config: gateway auth token is blank, a published example placeholder, or the \
             literal string undefined/null. Generate a real secret (for example, `openssl rand \
             -hex 32`) and update gateway.auth.token or its external source. For blank or \
             undefined/null inline tokens, `openclaw doctor --fix --generate-gateway-token` can \
             generate one.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{minimal, with, without};
    use serde_json::json;

    const STATE: &str = "/home/node/.openclaw";

    fn env(name: &str) -> Option<String> {
        match name {
            "MODE" => Some("local".to_owned()),
            "OPENCLAW_GATEWAY_TOKEN" => Some("gw-token".to_owned()),
            _ => None,
        }
    }

    fn load(config: &Value) -> Result<Value, String> {
        load_config(config.to_string().as_bytes(), Path::new("/state/openclaw.json"), &env)
    }

    fn start(config: &Value) -> Result<String, String> {
        Settings::from_valid(config).check_startup("env-token", Path::new(STATE))
    }

    #[test]
    fn loads_by_substituting_before_validating() {
        let config = with(minimal(), "/gateway/mode", json!("${MODE}"));
        assert_eq!(load(&config), Ok(minimal()));
        let escaped = with(
            minimal(),
            "/models/providers/mosaic/baseUrl",
            json!("http://h/$${MODE}"),
        );
        assert_eq!(
            load(&escaped).unwrap()["models"]["providers"]["mosaic"]["baseUrl"],
            "http://h/${MODE}"
        );
        // The variable's value is validated, not the placeholder.
        let config = with(minimal(), "/gateway/mode", json!("${OPENCLAW_GATEWAY_TOKEN}"));
        assert_eq!(
            load(&config),
            Err("Invalid config at /state/openclaw.json:\n- gateway.mode: Invalid input (allowed: \"local\", \"remote\")"
                .to_owned())
        );
    }

    #[test]
    fn load_failures_are_root_issues() {
        let missing = with(minimal(), "/models/providers/mosaic/apiKey", json!("${PROVIDER_KEY}"));
        assert_eq!(
            load(&missing),
            Err(
                "Invalid config at /state/openclaw.json:\n- <root>: Missing env var \"PROVIDER_KEY\" \
                 referenced at config path: models.providers.mosaic.apiKey"
                    .to_owned()
            )
        );
        // Includes come first: a placeholder in the directive is not substituted.
        let include = with(minimal(), "/models/providers/mosaic/$include", json!("${MODE}.json"));
        assert_eq!(
            load(&include),
            Err(
                "Invalid config at /state/openclaw.json:\n- <root>: Failed to read include file: \
                 ${MODE}.json (resolved: /state/${MODE}.json)"
                    .to_owned()
            )
        );
        let garbage = load_config(b"{nope", Path::new("/c.json"), &env).unwrap_err();
        assert!(
            garbage.starts_with("Invalid config at /c.json:\n- <root>: JSON5 parse failed: SyntaxError: "),
            "{garbage}"
        );
    }

    #[test]
    fn redaction_hides_keys_only() {
        let config = with(minimal(), "/gateway/auth/token", json!("t"));
        let shown = redacted(&config);
        assert_eq!(shown["models"]["providers"]["mosaic"]["apiKey"], "***");
        assert_eq!(shown["gateway"]["auth"]["token"], "***");
        assert_eq!(shown["models"]["providers"]["mosaic"]["baseUrl"], "http://llm:8080/v1");
        assert_eq!(redacted(&json!({})), json!({}));
    }

    #[test]
    fn settings_from_config() {
        let settings = Settings::from_valid(&minimal());
        assert_eq!(settings.port, Some(18789));
        assert!(settings.chat_completions);
        assert!(!settings.skip_bootstrap);
        assert!(!settings.control_ui.enabled);
        assert_eq!(settings.primary_model.as_deref(), Some("mosaic/my-model"));
        assert_eq!(settings.workspace.as_deref(), Some("/home/node/.openclaw/workspace"));
        assert_eq!(
            settings.providers,
            vec![("mosaic".to_owned(), Some("sk-secret".to_owned()))]
        );
        let string_model = Settings::from_valid(&with(minimal(), "/agents/defaults/model", json!("p/m")));
        assert_eq!(string_model.primary_model.as_deref(), Some("p/m"));
        let unset = Settings::from_valid(&json!({}));
        assert!(!unset.chat_completions && unset.control_ui.enabled);
    }

    #[test]
    fn mode_must_be_local() {
        let blocked = |mode: &str| {
            format!("Gateway start blocked: set gateway.mode=local (current: {mode}) or pass --allow-unconfigured.")
        };
        assert_eq!(
            start(&with(minimal(), "/gateway/mode", json!("remote"))),
            Err(blocked("remote"))
        );
        assert_eq!(start(&without(minimal(), "/gateway/mode")), Err(blocked("unset")));
    }

    #[test]
    fn token_comes_from_config_then_environment() {
        assert_eq!(start(&minimal()), Ok("env-token".to_owned()));
        assert_eq!(
            start(&with(minimal(), "/gateway/auth/token", json!(" cfg "))),
            Ok("cfg".to_owned())
        );
        assert_eq!(
            start(&with(minimal(), "/gateway/auth/token", json!(" "))),
            Ok("env-token".to_owned())
        );
        let none = Settings::from_valid(&minimal()).check_startup(" ", Path::new(STATE));
        assert_eq!(
            none,
            Err("Gateway auth is set to token, but no token is configured.\n\
                 Set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or pass --token."
                .to_owned())
        );
    }

    #[test]
    fn published_placeholders_are_refused_not_ignored() {
        for weak in ["change-me-to-a-long-random-token", "change-me-now", "undefined", "null"] {
            let from_config = start(&with(minimal(), "/gateway/auth/token", json!(weak))).unwrap_err();
            let from_env = Settings::from_valid(&minimal())
                .check_startup(weak, Path::new(STATE))
                .unwrap_err();
            assert_eq!(from_config, from_env);
            assert!(
                from_config.starts_with(
                    "Gateway failed to start: Error: Invalid config: gateway auth token is blank, a \
                     published example placeholder, or the literal string undefined/null. "
                ),
                "{from_config}"
            );
        }
        let sentinel = start(&with(minimal(), "/gateway/auth/token", json!("__OPENCLAW_REDACTED__")));
        assert!(sentinel.unwrap_err().contains("is a known redaction sentinel"));
    }

    #[test]
    fn control_ui_on_a_lan_bind_needs_origins() {
        let refused = Err("Gateway failed to start: Error: non-loopback Control UI requires \
                           gateway.controlUi.allowedOrigins (set explicit origins), or set \
                           gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true to use \
                           Host-header origin fallback mode"
            .to_owned());
        // `--bind lan` wins over gateway.bind, and the UI is on unless disabled.
        let unset = without(
            with(minimal(), "/gateway/bind", json!("loopback")),
            "/gateway/controlUi",
        );
        assert_eq!(start(&unset), refused);
        let ui = |value: Value| start(&with(minimal(), "/gateway/controlUi", value));
        assert_eq!(ui(json!({"enabled": true, "allowedOrigins": [" ", ""]})), refused);
        assert_eq!(ui(json!({"dangerouslyAllowHostHeaderOriginFallback": false})), refused);
        assert!(ui(json!({"enabled": true, "allowedOrigins": ["http://127.0.0.1:18789"]})).is_ok());
        assert!(ui(json!({"dangerouslyAllowHostHeaderOriginFallback": true})).is_ok());
        assert!(ui(json!({"enabled": false})).is_ok());
    }

    #[test]
    fn every_provider_needs_a_key() {
        let no_key = |name: &str| {
            Err(format!(
                "No API key found for provider \"{name}\". Auth store: \
                 /home/node/.openclaw/agents/main/agent/auth-profiles.json (agentDir: \
                 /home/node/.openclaw/agents/main/agent). Configure auth for this agent (openclaw \
                 agents add <id>) or copy only portable static auth profiles from the main agentDir."
            ))
        };
        assert_eq!(
            start(&without(minimal(), "/models/providers/mosaic/apiKey")),
            no_key("mosaic")
        );
        for blank in ["", "  ", "\r\n", "\u{1F511}"] {
            let config = with(minimal(), "/models/providers/mosaic/apiKey", json!(blank));
            assert_eq!(start(&config), no_key("mosaic"), "{blank:?}");
        }
        for marker in ["ollama-local", "custom-local"] {
            let config = with(minimal(), "/models/providers/mosaic/apiKey", json!(marker));
            assert!(start(&config).is_ok(), "{marker}");
        }
    }

    #[test]
    fn model_references_name_configured_providers() {
        let with_model = |primary: &str, fallbacks: Value| {
            start(&with(
                minimal(),
                "/agents/defaults/model",
                json!({"primary": primary, "fallbacks": fallbacks}),
            ))
        };
        let unknown = |reference: &str| Err(format!("Unknown model: {reference}"));
        assert!(with_model("mosaic/my-model", json!(["mosaic/other", " mosaic/x "])).is_ok());
        assert_eq!(with_model("other/my-model", json!([])), unknown("other/my-model"));
        assert_eq!(with_model("my-model", json!([])), unknown("anthropic/my-model"));
        assert_eq!(with_model("mosaic/", json!([])), unknown("mosaic/"));
        assert_eq!(with_model("/my-model", json!([])), unknown("/my-model"));
        assert_eq!(with_model("mosaic/m", json!(["gone/m"])), unknown("gone/m"));
        // No model at all is fine: an agent without providers still starts.
        let bare = without(without(minimal(), "/agents/defaults/model"), "/models/providers/mosaic");
        assert!(start(&bare).is_ok());
    }
}
