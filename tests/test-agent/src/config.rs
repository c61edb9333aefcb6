//! Validation of `openclaw.json` (after `$include` and substitution) for the
//! subset of OpenClaw's zod schema that Mosaic generates.
//!
//! OpenClaw's schema is strict at every object level: an unknown key makes the
//! gateway refuse to start. Keys OpenClaw accepts but Mosaic never emits are
//! rejected here too, so that the double flags anything the generator emits
//! beyond what has been checked against the real schema. Messages are zod 4's
//! English messages with the hints OpenClaw appends, printed as
//! `- <path>: <message>`.
//!
//! OpenClaw: src/config/zod-schema.ts (root), zod-schema.gateway.ts
//! (GatewayConfigSchema), zod-schema.agent-defaults.ts, zod-schema.agent-model.ts
//! (AgentModelSchema), zod-schema.core.ts (ModelsConfigSchema); messages from
//! src/config/validation-issues.ts, mapZodIssueToConfigIssue, and
//! src/config/allowed-values.ts, appendAllowedValuesHint.

use serde_json::{Map, Value};

pub const DEFAULT_GATEWAY_PORT: u16 = 18789;

// OpenClaw: packages/llm-core/src/model-data.ts, MODEL_DATA_APIS (re-exported as MODEL_APIS by
// src/config/model-config-vocabulary.ts), newest version seen.
const MODEL_APIS: &[&str] = &[
    "openai-completions",
    "openai-responses",
    "openai-chatgpt-responses",
    "anthropic-messages",
    "google-generative-ai",
    "google-vertex",
    "github-copilot",
    "bedrock-converse-stream",
    "ollama",
    "pi-messages",
    "azure-openai-responses",
];

/// Provider ids OpenClaw merges onto a bundled provider instead of treating
/// as custom providers.
// OpenClaw: src/config/model-provider-overlay-ids.ts (earlier in zod-schema.core.ts),
// BUILT_IN_MODEL_PROVIDER_OVERLAY_IDS.
const OVERLAY_PROVIDER_IDS: &[&str] = &[
    "amazon-bedrock",
    "amazon-bedrock-mantle",
    "anthropic",
    "anthropic-vertex",
    "arcee",
    "azure-openai-responses",
    "byteplus",
    "byteplus-plan",
    "cerebras",
    "chutes",
    "claude-cli",
    "clawrouter",
    "cloudflare-ai-gateway",
    "codex",
    "comfy",
    "copilot-proxy",
    "dashscope",
    "deepinfra",
    "deepseek",
    "fal",
    "fireworks",
    "github-copilot",
    "gmi",
    "gmi-cloud",
    "gmicloud",
    "google",
    "google-antigravity",
    "google-gemini-cli",
    "google-vertex",
    "groq",
    "huggingface",
    "kilocode",
    "kimi",
    "kimi-coding",
    "litellm",
    "lmstudio",
    "meta",
    "microsoft-foundry",
    "minimax",
    "minimax-portal",
    "mistral",
    "modelstudio",
    "moonshot",
    "moonshot-ai",
    "moonshotai",
    "nvidia",
    "novita",
    "novita-ai",
    "novitaai",
    "ollama",
    "ollama-cloud",
    "openai",
    "opencode",
    "opencode-go",
    "openrouter",
    "qianfan",
    "qwen",
    "qwen-token-plan",
    "qwencloud",
    "sglang",
    "stepfun",
    "stepfun-plan",
    "synthetic",
    "tencent-tokenhub",
    "tencent-tokenplan",
    "together",
    "venice",
    "vercel-ai-gateway",
    "vllm",
    "volcengine",
    "volcengine-plan",
    "vydra",
    "x-ai",
    "xai",
    "xiaomi",
    "xiaomi-token-plan",
    "z.ai",
    "z-ai",
    "zai",
];

// OpenClaw: src/config/zod-schema.core.ts, ModelProvidersSchema.superRefine.
const CUSTOM_BASE_URL_REQUIRED: &str = "custom model providers must declare baseUrl; \
     provider overlays without baseUrl are only supported for bundled providers";
const CUSTOM_MODELS_REQUIRED: &str = "custom model providers must declare models; \
     provider overlays without models are only supported for bundled providers";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
}

impl Issue {
    /// An issue about the file as a whole (parse, include or substitution failures).
    pub fn root(message: impl Into<String>) -> Issue {
        Issue {
            path: String::new(),
            message: message.into(),
        }
    }
}

/// `- path: message` lines under OpenClaw's heading.
// OpenClaw: src/config/io.ts, loadConfig (commit 6bd094c2): `Invalid config at <path>:` and
// `- ${iss.path || "<root>"}: ${iss.message}`.
pub fn format_issues(config_path: &str, issues: &[Issue]) -> String {
    let mut out = format!("Invalid config at {config_path}:");
    for issue in issues {
        let path = if issue.path.is_empty() { "<root>" } else { &issue.path };
        out.push_str(&format!("\n- {path}: {}", issue.message));
    }
    out
}

pub fn validate(config: &Value) -> Result<(), Vec<Issue>> {
    let mut v = Validator::default();
    // OpenClaw: src/config/zod-schema.ts, OpenClawSchema: `$schema` is a root-only string.
    if let Some(root) = v.object("", config, &["$schema", "gateway", "agents", "models"]) {
        if let Some(schema) = root.get("$schema") {
            v.string("$schema", schema);
        }
        if let Some(gateway) = root.get("gateway") {
            v.gateway("gateway", gateway);
        }
        if let Some(agents) = root.get("agents") {
            v.agents("agents", agents);
        }
        if let Some(models) = root.get("models") {
            v.models("models", models);
        }
    }
    if v.issues.is_empty() { Ok(()) } else { Err(v.issues) }
}

/// Provider ids are compared the way OpenClaw's normalizeProviderId does for
/// the ids Mosaic can produce: trimmed and lowercased.
fn is_overlay_provider_id(id: &str) -> bool {
    OVERLAY_PROVIDER_IDS.contains(&id.trim().to_ascii_lowercase().as_str())
}

/// zod joins issue path segments with dots (array indices included).
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// zod's name for the type it received.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn quoted_list(items: &[&str], sep: &str) -> String {
    items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(sep)
}

#[derive(Default)]
struct Validator {
    issues: Vec<Issue>,
    /// Per issue: whether zod would stop refinements on its account. Type
    /// errors and unknown keys abort; failed checks (min, max, positive) don't.
    aborting: Vec<bool>,
}

impl Validator {
    fn push(&mut self, path: &str, message: impl Into<String>, aborts: bool) {
        self.issues.push(Issue {
            path: path.to_owned(),
            message: message.into(),
        });
        self.aborting.push(aborts);
    }

    fn issue(&mut self, path: &str, message: impl Into<String>) {
        self.push(path, message, true);
    }

    fn check_failed(&mut self, path: &str, message: impl Into<String>) {
        self.push(path, message, false);
    }

    /// Whether an aborting issue was added since `mark` (an `issues.len()`).
    fn aborted_since(&self, mark: usize) -> bool {
        self.aborting[mark..].iter().any(|&aborts| aborts)
    }

    fn expected(&mut self, path: &str, expected: &str, got: Option<&Value>) {
        let received = got.map_or("undefined", type_name);
        self.issue(path, format!("Invalid input: expected {expected}, received {received}"));
    }

    /// A strict object: reports unknown keys and hands back the map so the
    /// caller can check the known ones.
    fn object<'a>(&mut self, path: &str, value: &'a Value, allowed: &[&str]) -> Option<&'a Map<String, Value>> {
        let Value::Object(map) = value else {
            self.expected(path, "object", Some(value));
            return None;
        };
        let unknown: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        match unknown.len() {
            0 => {}
            1 => self.issue(path, format!("Unrecognized key: \"{}\"", unknown[0])),
            _ => self.issue(path, format!("Unrecognized keys: {}", quoted_list(&unknown, ", "))),
        }
        Some(map)
    }

    fn string<'a>(&mut self, path: &str, value: &'a Value) -> Option<&'a str> {
        match value {
            Value::String(s) => Some(s),
            other => {
                self.expected(path, "string", Some(other));
                None
            }
        }
    }

    /// `z.string().min(1)`: a required field when `value` is `None`.
    fn non_empty_string(&mut self, path: &str, value: Option<&Value>) {
        match value {
            Some(Value::String(s)) if s.is_empty() => {
                // The string origin gets no bound hint, unlike numbers.
                self.check_failed(path, "Too small: expected string to have >=1 characters")
            }
            Some(Value::String(_)) => {}
            other => self.expected(path, "string", other),
        }
    }

    /// OpenClaw's SecretInput: a string or a SecretRef object. Mosaic only
    /// writes strings; anything else fails both union branches.
    // OpenClaw: src/config/zod-schema.secret-input.ts, SecretInputSchema = z.union([z.string(), SecretRefSchema]).
    fn secret_input(&mut self, path: &str, value: &Value) {
        if !value.is_string() {
            self.issue(path, "Invalid input");
        }
    }

    // OpenClaw: src/config/validation-issues.ts, collectAllowedValuesFromIssue: a boolean's
    // type error lists `true, false`.
    fn boolean(&mut self, path: &str, value: &Value) {
        if !value.is_boolean() {
            let received = type_name(value);
            self.issue(
                path,
                format!("Invalid input: expected boolean, received {received} (allowed: true, false)"),
            );
        }
    }

    /// `z.union([z.literal(…), …])`: zod says only "Invalid input"; OpenClaw
    /// appends the literals it collects from the union's branches.
    // OpenClaw: src/config/allowed-values.ts, summarizeAllowedValues / appendAllowedValuesHint.
    fn literal_union(&mut self, path: &str, value: &Value, options: &[&str]) {
        if !value.as_str().is_some_and(|s| options.contains(&s)) {
            self.issue(path, format!("Invalid input (allowed: {})", quoted_list(options, ", ")));
        }
    }

    /// `z.enum([…])`: zod's message already lists the options, so OpenClaw adds no hint.
    fn enumeration(&mut self, path: &str, value: &Value, options: &[&str]) {
        if !value.as_str().is_some_and(|s| options.contains(&s)) {
            self.issue(
                path,
                format!("Invalid option: expected one of {}", quoted_list(options, "|")),
            );
        }
    }

    fn number(&mut self, path: &str, value: &Value) -> Option<f64> {
        match value.as_f64() {
            Some(n) => Some(n),
            None => {
                self.expected(path, "number", Some(value));
                None
            }
        }
    }

    // OpenClaw: src/config/validation-issues.ts, appendNumericBoundHint (exclusive bound).
    fn positive(&mut self, path: &str, value: &Value) {
        if self.number(path, value).is_some_and(|n| n <= 0.0) {
            self.check_failed(path, "Too small: expected number to be >0 (must be greater than 0)");
        }
    }

    // OpenClaw: src/config/validation-issues.ts, appendNumericBoundHint (inclusive bounds).
    fn int_between(&mut self, path: &str, value: &Value, min: f64, max: f64) {
        let Some(n) = self.number(path, value) else {
            return;
        };
        if n.fract() != 0.0 {
            self.expected(path, "int", Some(value));
        } else if n < min {
            self.check_failed(
                path,
                format!("Too small: expected number to be >={min} (minimum: {min})"),
            );
        } else if n > max {
            self.check_failed(path, format!("Too big: expected number to be <={max} (maximum: {max})"));
        }
    }

    fn array<'a>(&mut self, path: &str, value: &'a Value) -> Option<&'a Vec<Value>> {
        match value {
            Value::Array(items) => Some(items),
            other => {
                self.expected(path, "array", Some(other));
                None
            }
        }
    }

    fn string_array(&mut self, path: &str, value: &Value) {
        if let Some(items) = self.array(path, value) {
            for (i, item) in items.iter().enumerate() {
                self.string(&join(path, &i.to_string()), item);
            }
        }
    }

    // OpenClaw: src/config/zod-schema.gateway.ts, GatewayConfigSchema.
    fn gateway(&mut self, path: &str, value: &Value) {
        let allowed = ["mode", "port", "bind", "auth", "http", "controlUi"];
        let Some(gw) = self.object(path, value, &allowed) else {
            return;
        };
        if let Some(mode) = gw.get("mode") {
            self.literal_union(&join(path, "mode"), mode, &["local", "remote"]);
        }
        if let Some(port) = gw.get("port") {
            self.int_between(&join(path, "port"), port, 1.0, 65535.0);
        }
        if let Some(bind) = gw.get("bind") {
            let options = ["auto", "lan", "loopback", "custom", "tailnet"];
            self.literal_union(&join(path, "bind"), bind, &options);
        }
        if let Some(auth) = gw.get("auth") {
            self.gateway_auth(&join(path, "auth"), auth);
        }
        if let Some(http) = gw.get("http") {
            self.gateway_http(&join(path, "http"), http);
        }
        if let Some(control_ui) = gw.get("controlUi") {
            self.control_ui(&join(path, "controlUi"), control_ui);
        }
    }

    fn gateway_auth(&mut self, path: &str, value: &Value) {
        let Some(auth) = self.object(path, value, &["mode", "token"]) else {
            return;
        };
        if let Some(mode) = auth.get("mode") {
            let options = ["none", "token", "password", "trusted-proxy"];
            self.literal_union(&join(path, "mode"), mode, &options);
        }
        if let Some(token) = auth.get("token") {
            self.secret_input(&join(path, "token"), token);
        }
    }

    fn gateway_http(&mut self, path: &str, value: &Value) {
        let endpoints = self
            .object(path, value, &["endpoints"])
            .and_then(|http| http.get("endpoints"));
        let Some(endpoints) = endpoints else { return };
        let endpoints_path = join(path, "endpoints");
        let chat = self
            .object(&endpoints_path, endpoints, &["chatCompletions"])
            .and_then(|e| e.get("chatCompletions"));
        let Some(chat) = chat else { return };
        let chat_path = join(&endpoints_path, "chatCompletions");
        if let Some(enabled) = self
            .object(&chat_path, chat, &["enabled"])
            .and_then(|c| c.get("enabled"))
        {
            self.boolean(&join(&chat_path, "enabled"), enabled);
        }
    }

    /// The keys the start guard reads. OpenClaw also accepts basePath, root,
    /// toolTitles, sessionObserver, embedSandbox, allowExternalEmbedUrls and
    /// the legacy dangerouslyDisableDeviceAuth; Mosaic emits none of them, so
    /// they are unknown here.
    fn control_ui(&mut self, path: &str, value: &Value) {
        let allowed = ["enabled", "allowedOrigins", "dangerouslyAllowHostHeaderOriginFallback"];
        let Some(ui) = self.object(path, value, &allowed) else {
            return;
        };
        for flag in ["enabled", "dangerouslyAllowHostHeaderOriginFallback"] {
            if let Some(value) = ui.get(flag) {
                self.boolean(&join(path, flag), value);
            }
        }
        if let Some(origins) = ui.get("allowedOrigins") {
            self.string_array(&join(path, "allowedOrigins"), origins);
        }
    }

    // OpenClaw: src/config/zod-schema.agent-defaults.ts, AgentDefaultsSchema.
    fn agents(&mut self, path: &str, value: &Value) {
        let Some(defaults) = self.object(path, value, &["defaults"]).and_then(|a| a.get("defaults")) else {
            return;
        };
        let path = join(path, "defaults");
        let Some(defaults) = self.object(&path, defaults, &["workspace", "skipBootstrap", "model"]) else {
            return;
        };
        if let Some(workspace) = defaults.get("workspace") {
            self.string(&join(&path, "workspace"), workspace);
        }
        if let Some(skip) = defaults.get("skipBootstrap") {
            self.boolean(&join(&path, "skipBootstrap"), skip);
        }
        if let Some(model) = defaults.get("model") {
            self.agent_model(&join(&path, "model"), model);
        }
    }

    /// `z.union([z.string(), z.strictObject({primary, fallbacks, …})])`. zod
    /// reports a branch's own issues only when that branch did not abort, and
    /// every issue the object branch can raise here (a wrong type, an unknown
    /// key) aborts it: so any failure is the union's bare "Invalid input".
    // OpenClaw: src/config/zod-schema.agent-model.ts, AgentModelSchema; zod 4 handleUnionResults.
    fn agent_model(&mut self, path: &str, value: &Value) {
        if value.is_string() {
            return;
        }
        let mut branch = Validator::default();
        if let Some(model) = branch.object(path, value, &["primary", "fallbacks"]) {
            if let Some(primary) = model.get("primary") {
                branch.string(&join(path, "primary"), primary);
            }
            if let Some(fallbacks) = model.get("fallbacks") {
                branch.string_array(&join(path, "fallbacks"), fallbacks);
            }
        }
        if !branch.issues.is_empty() {
            self.issue(path, "Invalid input");
        }
    }

    // OpenClaw: src/config/zod-schema.core.ts, ModelsConfigSchema / ModelProvidersSchema.
    fn models(&mut self, path: &str, value: &Value) {
        let Some(models) = self.object(path, value, &["mode", "providers"]) else {
            return;
        };
        if let Some(mode) = models.get("mode") {
            self.literal_union(&join(path, "mode"), mode, &["merge", "replace"]);
        }
        let Some(providers) = models.get("providers") else {
            return;
        };
        let providers_path = join(path, "providers");
        let Value::Object(providers) = providers else {
            self.expected(&providers_path, "record", Some(providers));
            return;
        };
        let mark = self.issues.len();
        for (name, provider) in providers {
            self.provider(&join(&providers_path, name), name, provider);
        }
        // zod runs the record's refinement only when nothing in it aborted.
        if !self.aborted_since(mark) {
            self.custom_providers_declare_everything(&providers_path, providers);
        }
    }

    /// A custom provider (not a bundled overlay id) must bring its base URL
    /// and model list.
    // OpenClaw: src/config/zod-schema.core.ts, ModelProvidersSchema.superRefine.
    fn custom_providers_declare_everything(&mut self, path: &str, providers: &Map<String, Value>) {
        for (name, provider) in providers {
            if is_overlay_provider_id(name) {
                continue;
            }
            let base_url_missing = provider.get("baseUrl").is_none_or(|url| url.as_str() == Some(""));
            if base_url_missing {
                self.check_failed(&join(&join(path, name), "baseUrl"), CUSTOM_BASE_URL_REQUIRED);
            }
            if !provider.get("models").is_some_and(Value::is_array) {
                self.check_failed(&join(&join(path, name), "models"), CUSTOM_MODELS_REQUIRED);
            }
        }
    }

    /// Mosaic's subset of ModelProviderSchema. OpenClaw also accepts auth,
    /// contextWindow, contextTokens, maxTokens, timeoutSeconds, region,
    /// injectNumCtxForOpenAICompat, params, agentRuntime, localService,
    /// authHeader and request; Mosaic emits none of them.
    fn provider(&mut self, path: &str, name: &str, value: &Value) {
        let allowed = ["baseUrl", "apiKey", "api", "headers", "models"];
        let Some(provider) = self.object(path, value, &allowed) else {
            return;
        };
        let base_url = provider.get("baseUrl");
        // An overlay id would be merged onto a bundled provider and may omit both. Mosaic always
        // sends both, so the double still requires them there, with the plain required-field
        // messages of the older schema (baseUrl and models were required for every provider).
        // OpenClaw: src/config/zod-schema.core.ts, ModelProviderSchema (commit eb3d7fc).
        let overlay = is_overlay_provider_id(name);
        if base_url.is_some() || overlay {
            self.non_empty_string(&join(path, "baseUrl"), base_url);
        }
        if let Some(api_key) = provider.get("apiKey") {
            self.secret_input(&join(path, "apiKey"), api_key);
        }
        if let Some(api) = provider.get("api") {
            self.model_api(&join(path, "api"), api);
        }
        if let Some(headers) = provider.get("headers") {
            let headers_path = join(path, "headers");
            match headers {
                Value::Object(map) => {
                    for (name, value) in map {
                        self.secret_input(&join(&headers_path, name), value);
                    }
                }
                other => self.expected(&headers_path, "record", Some(other)),
            }
        }
        let models_path = join(path, "models");
        match provider.get("models") {
            Some(models) => {
                if let Some(models) = self.array(&models_path, models) {
                    for (i, model) in models.iter().enumerate() {
                        self.model_definition(&join(&models_path, &i.to_string()), model);
                    }
                }
            }
            None if overlay => self.expected(&models_path, "array", None),
            None => {}
        }
    }

    // OpenClaw: src/config/zod-schema.core.ts, ModelApiSchema (z.enum with a custom message for
    // the removed id).
    fn model_api(&mut self, path: &str, api: &Value) {
        if api.as_str() == Some("openai-codex-responses") {
            self.issue(
                path,
                "\"openai-codex-responses\" is a removed api id; use \"openai-chatgpt-responses\"",
            );
        } else {
            self.enumeration(path, api, MODEL_APIS);
        }
    }

    /// Mosaic's subset of ModelDefinitionSchema.
    // OpenClaw: src/config/zod-schema.core.ts, ModelDefinitionSchema.
    fn model_definition(&mut self, path: &str, value: &Value) {
        let allowed = ["id", "name", "reasoning", "input", "cost", "contextWindow", "maxTokens"];
        let Some(model) = self.object(path, value, &allowed) else {
            return;
        };
        self.non_empty_string(&join(path, "id"), model.get("id"));
        self.non_empty_string(&join(path, "name"), model.get("name"));
        if let Some(reasoning) = model.get("reasoning") {
            self.boolean(&join(path, "reasoning"), reasoning);
        }
        if let Some(input) = model.get("input") {
            let input_path = join(path, "input");
            if let Some(items) = self.array(&input_path, input) {
                for (i, item) in items.iter().enumerate() {
                    let options = ["text", "image", "video", "audio"];
                    self.literal_union(&join(&input_path, &i.to_string()), item, &options);
                }
            }
        }
        if let Some(cost) = model.get("cost") {
            let cost_path = join(path, "cost");
            let fields = ["input", "output", "cacheRead", "cacheWrite"];
            if let Some(cost) = self.object(&cost_path, cost, &fields) {
                for field in fields {
                    if let Some(n) = cost.get(field) {
                        self.number(&join(&cost_path, field), n);
                    }
                }
            }
        }
        for field in ["contextWindow", "maxTokens"] {
            if let Some(n) = model.get(field) {
                self.positive(&join(path, field), n);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// The config Mosaic generates.
    pub(crate) fn minimal() -> Value {
        json!({
            "gateway": {
                "mode": "local", "port": 18789, "bind": "lan",
                "auth": {"mode": "token"},
                "http": {"endpoints": {"chatCompletions": {"enabled": true}}},
                "controlUi": {"enabled": false}
            },
            "agents": {"defaults": {
                "workspace": "/home/node/.openclaw/workspace",
                "skipBootstrap": false,
                "model": {"primary": "mosaic/my-model", "fallbacks": []}
            }},
            "models": {"mode": "merge", "providers": {"mosaic": {
                "baseUrl": "http://llm:8080/v1", "apiKey": "sk-secret", "api": "openai-completions",
                "models": [{
                    "id": "my-model", "name": "My Model", "reasoning": false, "input": ["text"],
                    "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                    "contextWindow": 128000, "maxTokens": 8192
                }]
            }}}
        })
    }

    fn issues_of(config: &Value) -> Vec<(String, String)> {
        validate(config)
            .expect_err("config should be rejected")
            .into_iter()
            .map(|i| (i.path, i.message))
            .collect()
    }

    fn one(path: &str, message: &str) -> Vec<(String, String)> {
        vec![(path.to_owned(), message.to_owned())]
    }

    pub(crate) fn with(mut config: Value, pointer: &str, value: Value) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = if parent.is_empty() {
            &mut config
        } else {
            config.pointer_mut(parent).unwrap()
        };
        target.as_object_mut().unwrap().insert(key.to_owned(), value);
        config
    }

    pub(crate) fn without(mut config: Value, pointer: &str) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        config.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key);
        config
    }

    #[test]
    fn accepts_what_mosaic_generates_and_what_openclaw_allows_of_it() {
        assert_eq!(validate(&minimal()), Ok(()));
        assert_eq!(validate(&json!({})), Ok(()));
        let accepted = [
            ("/agents/defaults/model", json!("mosaic/my-model")),
            ("/gateway/auth/token", json!("t0k")),
            ("/$schema", json!("https://openclaw.ai/schema.json")),
            ("/agents/defaults/skipBootstrap", json!(true)),
            (
                "/gateway/controlUi",
                json!({"enabled": true, "allowedOrigins": ["http://127.0.0.1:18789"],
                       "dangerouslyAllowHostHeaderOriginFallback": false}),
            ),
            (
                "/models/providers/mosaic/models/0/input",
                json!(["text", "image", "video", "audio"]),
            ),
            ("/models/providers/mosaic/api", json!("pi-messages")),
            ("/models/providers/mosaic/headers", json!({"X-Org": "mosaic"})),
        ];
        for (pointer, value) in accepted {
            assert_eq!(validate(&with(minimal(), pointer, value)), Ok(()), "{pointer}");
        }
    }

    #[test]
    fn rejects_unknown_keys_at_every_level() {
        let levels = [
            ("", ""),
            ("/gateway", "gateway"),
            ("/gateway/auth", "gateway.auth"),
            ("/gateway/http", "gateway.http"),
            ("/gateway/http/endpoints", "gateway.http.endpoints"),
            (
                "/gateway/http/endpoints/chatCompletions",
                "gateway.http.endpoints.chatCompletions",
            ),
            ("/gateway/controlUi", "gateway.controlUi"),
            ("/agents", "agents"),
            ("/agents/defaults", "agents.defaults"),
            ("/models", "models"),
            ("/models/providers/mosaic", "models.providers.mosaic"),
            ("/models/providers/mosaic/models/0", "models.providers.mosaic.models.0"),
            (
                "/models/providers/mosaic/models/0/cost",
                "models.providers.mosaic.models.0.cost",
            ),
        ];
        for (pointer, path) in levels {
            for key in ["maxBodyBytes", "$schema"] {
                if pointer.is_empty() && key == "$schema" {
                    continue;
                }
                let config = with(minimal(), &format!("{pointer}/{key}"), json!("x"));
                assert_eq!(
                    issues_of(&config),
                    one(path, &format!("Unrecognized key: \"{key}\"")),
                    "at {path}"
                );
            }
        }
        let config = with(
            with(minimal(), "/models/proxy", json!("x")),
            "/models/bedrockDiscovery",
            json!({}),
        );
        assert_eq!(
            issues_of(&config),
            one("models", "Unrecognized keys: \"bedrockDiscovery\", \"proxy\"")
        );
        // Keys OpenClaw knows but Mosaic never writes are unknown to the double.
        let config = with(minimal(), "/gateway/controlUi/basePath", json!("/ui"));
        assert_eq!(
            issues_of(&config),
            one("gateway.controlUi", "Unrecognized key: \"basePath\"")
        );
    }

    #[test]
    fn formats_like_openclaw() {
        let config = with(
            minimal(),
            "/gateway/http/endpoints/chatCompletions/maxBodyBytes",
            json!(1),
        );
        let text = format_issues("/state/openclaw.json", &validate(&config).unwrap_err());
        assert_eq!(
            text,
            "Invalid config at /state/openclaw.json:\n\
             - gateway.http.endpoints.chatCompletions: Unrecognized key: \"maxBodyBytes\""
        );
        let text = format_issues("/c.json", &validate(&json!({"x": 1})).unwrap_err());
        assert_eq!(text, "Invalid config at /c.json:\n- <root>: Unrecognized key: \"x\"");
    }

    #[test]
    fn rejects_wrong_types_and_values() {
        let cases = [
            (
                "/gateway",
                json!("x"),
                "gateway",
                "Invalid input: expected object, received string",
            ),
            (
                "/$schema",
                json!(1),
                "$schema",
                "Invalid input: expected string, received number",
            ),
            (
                "/gateway/mode",
                json!("cloud"),
                "gateway.mode",
                "Invalid input (allowed: \"local\", \"remote\")",
            ),
            (
                "/gateway/mode",
                json!(1),
                "gateway.mode",
                "Invalid input (allowed: \"local\", \"remote\")",
            ),
            (
                "/gateway/port",
                json!("18789"),
                "gateway.port",
                "Invalid input: expected number, received string",
            ),
            (
                "/gateway/port",
                json!(0),
                "gateway.port",
                "Too small: expected number to be >=1 (minimum: 1)",
            ),
            (
                "/gateway/port",
                json!(70000),
                "gateway.port",
                "Too big: expected number to be <=65535 (maximum: 65535)",
            ),
            (
                "/gateway/port",
                json!(1.5),
                "gateway.port",
                "Invalid input: expected int, received number",
            ),
            (
                "/gateway/bind",
                json!("all"),
                "gateway.bind",
                "Invalid input (allowed: \"auto\", \"lan\", \"loopback\", \"custom\", \"tailnet\")",
            ),
            (
                "/gateway/auth/mode",
                json!("oauth"),
                "gateway.auth.mode",
                "Invalid input (allowed: \"none\", \"token\", \"password\", \"trusted-proxy\")",
            ),
            ("/gateway/auth/token", json!(5), "gateway.auth.token", "Invalid input"),
            (
                "/gateway/http/endpoints/chatCompletions/enabled",
                json!("true"),
                "gateway.http.endpoints.chatCompletions.enabled",
                "Invalid input: expected boolean, received string (allowed: true, false)",
            ),
            (
                "/gateway/controlUi/enabled",
                json!(0),
                "gateway.controlUi.enabled",
                "Invalid input: expected boolean, received number (allowed: true, false)",
            ),
            (
                "/gateway/controlUi/allowedOrigins",
                json!("http://a"),
                "gateway.controlUi.allowedOrigins",
                "Invalid input: expected array, received string",
            ),
            (
                "/gateway/controlUi/allowedOrigins",
                json!([1]),
                "gateway.controlUi.allowedOrigins.0",
                "Invalid input: expected string, received number",
            ),
            (
                "/gateway/controlUi/dangerouslyAllowHostHeaderOriginFallback",
                json!("yes"),
                "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback",
                "Invalid input: expected boolean, received string (allowed: true, false)",
            ),
            (
                "/agents/defaults/workspace",
                json!(null),
                "agents.defaults.workspace",
                "Invalid input: expected string, received null",
            ),
            (
                "/agents/defaults/skipBootstrap",
                json!("true"),
                "agents.defaults.skipBootstrap",
                "Invalid input: expected boolean, received string (allowed: true, false)",
            ),
            (
                "/models/mode",
                json!("union"),
                "models.mode",
                "Invalid input (allowed: \"merge\", \"replace\")",
            ),
            (
                "/models/providers",
                json!([]),
                "models.providers",
                "Invalid input: expected record, received array",
            ),
            (
                "/models/providers/mosaic/apiKey",
                json!(7),
                "models.providers.mosaic.apiKey",
                "Invalid input",
            ),
            (
                "/models/providers/mosaic/api",
                json!("openai-codex-responses"),
                "models.providers.mosaic.api",
                "\"openai-codex-responses\" is a removed api id; use \"openai-chatgpt-responses\"",
            ),
            (
                "/models/providers/mosaic/headers",
                json!({"X-A": 1}),
                "models.providers.mosaic.headers.X-A",
                "Invalid input",
            ),
            (
                "/models/providers/mosaic/headers",
                json!(["x"]),
                "models.providers.mosaic.headers",
                "Invalid input: expected record, received array",
            ),
            (
                "/models/providers/mosaic/models",
                json!({}),
                "models.providers.mosaic.models",
                "Invalid input: expected array, received object",
            ),
            (
                "/models/providers/mosaic/models/0/input",
                json!(["text", "pdf"]),
                "models.providers.mosaic.models.0.input.1",
                "Invalid input (allowed: \"text\", \"image\", \"video\", \"audio\")",
            ),
            (
                "/models/providers/mosaic/models/0/reasoning",
                json!(1),
                "models.providers.mosaic.models.0.reasoning",
                "Invalid input: expected boolean, received number (allowed: true, false)",
            ),
            (
                "/models/providers/mosaic/models/0/cost/output",
                json!("0"),
                "models.providers.mosaic.models.0.cost.output",
                "Invalid input: expected number, received string",
            ),
            (
                "/models/providers/mosaic/models/0/contextWindow",
                json!(0),
                "models.providers.mosaic.models.0.contextWindow",
                "Too small: expected number to be >0 (must be greater than 0)",
            ),
            (
                "/models/providers/mosaic/models/0/maxTokens",
                json!(-1),
                "models.providers.mosaic.models.0.maxTokens",
                "Too small: expected number to be >0 (must be greater than 0)",
            ),
            (
                "/models/providers/mosaic/models/0/id",
                json!(""),
                "models.providers.mosaic.models.0.id",
                "Too small: expected string to have >=1 characters",
            ),
        ];
        for (pointer, value, path, message) in cases {
            let config = with(minimal(), pointer, value);
            assert_eq!(issues_of(&config), one(path, message), "{pointer}");
        }
    }

    #[test]
    fn unknown_api_lists_every_model_api() {
        let config = with(minimal(), "/models/providers/mosaic/api", json!("openai"));
        assert_eq!(
            issues_of(&config),
            one(
                "models.providers.mosaic.api",
                "Invalid option: expected one of \"openai-completions\"|\"openai-responses\"|\
                 \"openai-chatgpt-responses\"|\"anthropic-messages\"|\"google-generative-ai\"|\
                 \"google-vertex\"|\"github-copilot\"|\"bedrock-converse-stream\"|\"ollama\"|\
                 \"pi-messages\"|\"azure-openai-responses\""
            )
        );
    }

    #[test]
    fn a_failing_model_object_is_the_unions_invalid_input() {
        for model in [
            json!(3),
            json!(["mosaic/my-model"]),
            json!({"primary": 5}),
            json!({"primary": "mosaic/my-model", "fallbacks": ["a", 2]}),
            json!({"primary": "mosaic/my-model", "timeoutSeconds": 1}),
        ] {
            let config = with(minimal(), "/agents/defaults/model", model.clone());
            assert_eq!(
                issues_of(&config),
                one("agents.defaults.model", "Invalid input"),
                "{model}"
            );
        }
    }

    #[test]
    fn custom_providers_must_declare_base_url_and_models() {
        let base_url = "models.providers.mosaic.baseUrl";
        let models = "models.providers.mosaic.models";
        assert_eq!(
            issues_of(&without(minimal(), "/models/providers/mosaic/baseUrl")),
            one(base_url, CUSTOM_BASE_URL_REQUIRED)
        );
        assert_eq!(
            issues_of(&without(minimal(), "/models/providers/mosaic/models")),
            one(models, CUSTOM_MODELS_REQUIRED)
        );
        // A failed length check does not stop the refinement: both are reported.
        assert_eq!(
            issues_of(&with(minimal(), "/models/providers/mosaic/baseUrl", json!(""))),
            vec![
                (
                    base_url.to_owned(),
                    "Too small: expected string to have >=1 characters".to_owned()
                ),
                (base_url.to_owned(), CUSTOM_BASE_URL_REQUIRED.to_owned()),
            ]
        );
        // An aborting issue anywhere among the providers skips the refinement.
        let config = with(
            without(minimal(), "/models/providers/mosaic/baseUrl"),
            "/models/providers/other",
            json!({"baseUrl": 1, "models": []}),
        );
        assert_eq!(
            issues_of(&config),
            one(
                "models.providers.other.baseUrl",
                "Invalid input: expected string, received number"
            )
        );
    }

    #[test]
    fn overlay_ids_still_need_base_url_and_models() {
        let provider = minimal()["models"]["providers"]["mosaic"].clone();
        let as_openai = with(minimal(), "/models/providers", json!({"openai": provider}));
        assert_eq!(validate(&as_openai), Ok(()));
        assert_eq!(
            issues_of(&without(as_openai.clone(), "/models/providers/openai/baseUrl")),
            one(
                "models.providers.openai.baseUrl",
                "Invalid input: expected string, received undefined"
            )
        );
        assert_eq!(
            issues_of(&without(as_openai, "/models/providers/openai/models")),
            one(
                "models.providers.openai.models",
                "Invalid input: expected array, received undefined"
            )
        );
    }

    #[test]
    fn rejects_missing_model_fields() {
        for field in ["id", "name"] {
            let pointer = format!("/models/providers/mosaic/models/0/{field}");
            assert_eq!(
                issues_of(&without(minimal(), &pointer)),
                one(
                    &format!("models.providers.mosaic.models.0.{field}"),
                    "Invalid input: expected string, received undefined"
                ),
            );
        }
    }

    #[test]
    fn reports_every_issue() {
        let config = json!({"gateway": {"mode": 1, "extra": true}, "other": {}});
        assert_eq!(validate(&config).unwrap_err().len(), 3);
    }
}
