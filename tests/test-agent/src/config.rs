//! Validation of `openclaw.json` for the subset of OpenClaw's zod schema that
//! Mosaic generates.
//!
//! OpenClaw's schema is strict at every object level: an unknown key makes the
//! gateway refuse to start. Keys OpenClaw accepts but Mosaic never emits are
//! rejected here too, so that the double flags anything the generator emits
//! beyond what has been checked against the real schema. Messages imitate
//! zod 4's English messages, which OpenClaw prints as `- <path>: <message>`.

use serde_json::{Map, Value};

pub const DEFAULT_GATEWAY_PORT: u16 = 18789;

/// OpenClaw treats the sample token from its docs as "no token".
const PLACEHOLDER_TOKEN: &str = "change-me-to-a-long-random-token";

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
    "azure-openai-responses",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
}

/// `- path: message` lines under OpenClaw's heading.
pub fn format_issues(config_path: &str, issues: &[Issue]) -> String {
    let mut out = format!("Invalid config at {config_path}:");
    for issue in issues {
        let path = if issue.path.is_empty() { "<root>" } else { &issue.path };
        out.push_str(&format!("\n- {path}: {}", issue.message));
    }
    out
}

/// The settings the gateway needs, read from a config that passed `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    pub mode: Option<String>,
    pub port: Option<u16>,
    pub auth_token: Option<String>,
    pub chat_completions: bool,
    pub workspace: Option<String>,
    pub primary_model: Option<String>,
}

impl Settings {
    pub fn from_valid(config: &Value) -> Settings {
        let str_at = |ptr: &str| config.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
        let model = config.pointer("/agents/defaults/model");
        Settings {
            mode: str_at("/gateway/mode"),
            port: config
                .pointer("/gateway/port")
                .and_then(Value::as_f64)
                .map(|p| p as u16),
            auth_token: str_at("/gateway/auth/token"),
            chat_completions: config
                .pointer("/gateway/http/endpoints/chatCompletions/enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            workspace: str_at("/agents/defaults/workspace"),
            primary_model: match model {
                Some(Value::String(s)) => Some(s.clone()),
                Some(m) => m.get("primary").and_then(Value::as_str).map(str::to_owned),
                None => None,
            },
        }
    }

    /// OpenClaw's startup rules beyond the schema. The entrypoint runs
    /// `gateway run --bind lan --auth token`, so auth is always token mode,
    /// and the token is resolved config-first, then from the environment.
    pub fn check_startup(&self, env_token: &str) -> Result<String, String> {
        if self.mode.as_deref() != Some("local") {
            return Err("Gateway start blocked: set gateway.mode=local".to_owned());
        }
        let token = self
            .auth_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty() && *t != PLACEHOLDER_TOKEN)
            .or(Some(env_token.trim()).filter(|t| !t.is_empty() && *t != PLACEHOLDER_TOKEN));
        match token {
            Some(token) => Ok(token.to_owned()),
            None => Err("gateway auth mode is token, but no token was configured \
                 (set gateway.auth.token or OPENCLAW_GATEWAY_TOKEN)."
                .to_owned()),
        }
    }
}

pub fn validate(config: &Value) -> Result<(), Vec<Issue>> {
    let mut v = Validator::default();
    if let Some(root) = v.object("", config, &["gateway", "agents", "models"]) {
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
}

impl Validator {
    fn issue(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.to_owned(),
            message: message.into(),
        });
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

    fn non_empty_string(&mut self, path: &str, value: Option<&Value>) {
        match value {
            Some(Value::String(s)) if s.is_empty() => {
                self.issue(path, "Too small: expected string to have >=1 characters")
            }
            Some(Value::String(_)) => {}
            other => self.expected(path, "string", other),
        }
    }

    fn boolean(&mut self, path: &str, value: &Value) {
        if !value.is_boolean() {
            self.expected(path, "boolean", Some(value));
        }
    }

    fn one_of(&mut self, path: &str, value: &Value, options: &[&str]) {
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

    fn positive(&mut self, path: &str, value: &Value) {
        if self.number(path, value).is_some_and(|n| n <= 0.0) {
            self.issue(path, "Too small: expected number to be >0");
        }
    }

    fn int_between(&mut self, path: &str, value: &Value, min: f64, max: f64) {
        let Some(n) = self.number(path, value) else {
            return;
        };
        if n.fract() != 0.0 {
            self.expected(path, "int", Some(value));
        } else if n < min {
            self.issue(path, format!("Too small: expected number to be >={min}"));
        } else if n > max {
            self.issue(path, format!("Too big: expected number to be <={max}"));
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

    fn gateway(&mut self, path: &str, value: &Value) {
        let Some(gw) = self.object(path, value, &["mode", "port", "bind", "auth", "http"]) else {
            return;
        };
        if let Some(mode) = gw.get("mode") {
            self.one_of(&join(path, "mode"), mode, &["local", "remote"]);
        }
        if let Some(port) = gw.get("port") {
            self.int_between(&join(path, "port"), port, 1.0, 65535.0);
        }
        if let Some(bind) = gw.get("bind") {
            let options = ["auto", "lan", "loopback", "custom", "tailnet"];
            self.one_of(&join(path, "bind"), bind, &options);
        }
        if let Some(auth) = gw.get("auth") {
            let auth_path = join(path, "auth");
            if let Some(auth) = self.object(&auth_path, auth, &["mode", "token"]) {
                if let Some(mode) = auth.get("mode") {
                    let options = ["none", "token", "password", "trusted-proxy"];
                    self.one_of(&join(&auth_path, "mode"), mode, &options);
                }
                if let Some(token) = auth.get("token") {
                    self.string(&join(&auth_path, "token"), token);
                }
            }
        }
        if let Some(http) = gw.get("http") {
            let http_path = join(path, "http");
            let endpoints = self
                .object(&http_path, http, &["endpoints"])
                .and_then(|http| http.get("endpoints"));
            let Some(endpoints) = endpoints else { return };
            let endpoints_path = join(&http_path, "endpoints");
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
    }

    fn agents(&mut self, path: &str, value: &Value) {
        let Some(defaults) = self.object(path, value, &["defaults"]).and_then(|a| a.get("defaults")) else {
            return;
        };
        let path = join(path, "defaults");
        let Some(defaults) = self.object(&path, defaults, &["workspace", "model"]) else {
            return;
        };
        if let Some(workspace) = defaults.get("workspace") {
            self.string(&join(&path, "workspace"), workspace);
        }
        if let Some(model) = defaults.get("model") {
            let model_path = join(&path, "model");
            match model {
                Value::String(_) => {}
                // zod would only say "Invalid input" for a failed union; the
                // object branch's own issues are more useful and still fail.
                Value::Object(_) => {
                    if let Some(m) = self.object(&model_path, model, &["primary", "fallbacks"]) {
                        if let Some(primary) = m.get("primary") {
                            self.string(&join(&model_path, "primary"), primary);
                        }
                        if let Some(fallbacks) = m.get("fallbacks") {
                            self.string_array(&join(&model_path, "fallbacks"), fallbacks);
                        }
                    }
                }
                _ => self.issue(&model_path, "Invalid input"),
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

    fn models(&mut self, path: &str, value: &Value) {
        let Some(models) = self.object(path, value, &["mode", "providers"]) else {
            return;
        };
        if let Some(mode) = models.get("mode") {
            self.one_of(&join(path, "mode"), mode, &["merge", "replace"]);
        }
        let Some(providers) = models.get("providers") else {
            return;
        };
        let providers_path = join(path, "providers");
        let Value::Object(providers) = providers else {
            self.expected(&providers_path, "record", Some(providers));
            return;
        };
        for (name, provider) in providers {
            self.provider(&join(&providers_path, name), provider);
        }
    }

    fn provider(&mut self, path: &str, value: &Value) {
        let allowed = ["baseUrl", "apiKey", "api", "headers", "models"];
        let Some(provider) = self.object(path, value, &allowed) else {
            return;
        };
        self.non_empty_string(&join(path, "baseUrl"), provider.get("baseUrl"));
        if let Some(api_key) = provider.get("apiKey") {
            self.string(&join(path, "apiKey"), api_key);
        }
        if let Some(api) = provider.get("api") {
            let api_path = join(path, "api");
            if api.as_str() == Some("openai-codex-responses") {
                self.issue(
                    &api_path,
                    "\"openai-codex-responses\" is a removed api id; use \"openai-chatgpt-responses\"",
                );
            } else {
                self.one_of(&api_path, api, MODEL_APIS);
            }
        }
        if let Some(headers) = provider.get("headers") {
            let headers_path = join(path, "headers");
            match headers {
                Value::Object(map) => {
                    for (name, value) in map {
                        self.string(&join(&headers_path, name), value);
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
            None => self.expected(&models_path, "array", None),
        }
    }

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
                    self.one_of(&join(&input_path, &i.to_string()), item, &["text", "image"]);
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
mod tests {
    use super::*;
    use serde_json::json;

    /// The minimal config from the OpenClaw contract notes.
    fn minimal() -> Value {
        json!({
            "gateway": {
                "mode": "local", "port": 18789, "bind": "lan",
                "auth": {"mode": "token"},
                "http": {"endpoints": {"chatCompletions": {"enabled": true}}}
            },
            "agents": {"defaults": {
                "workspace": "/home/node/.openclaw/workspace",
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

    fn with(mut config: Value, pointer: &str, value: Value) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = if parent.is_empty() {
            &mut config
        } else {
            config.pointer_mut(parent).unwrap()
        };
        target.as_object_mut().unwrap().insert(key.to_owned(), value);
        config
    }

    fn without(mut config: Value, pointer: &str) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        config.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key);
        config
    }

    #[test]
    fn accepts_minimal_and_empty_configs() {
        assert_eq!(validate(&minimal()), Ok(()));
        assert_eq!(validate(&json!({})), Ok(()));
        let string_model = with(minimal(), "/agents/defaults/model", json!("mosaic/my-model"));
        assert_eq!(validate(&string_model), Ok(()));
        let with_token = with(minimal(), "/gateway/auth/token", json!("t0k"));
        assert_eq!(validate(&with_token), Ok(()));
    }

    #[test]
    fn rejects_unknown_keys_at_every_level() {
        let levels = [
            ("", "<root>"),
            ("/gateway", "gateway"),
            ("/gateway/auth", "gateway.auth"),
            ("/gateway/http", "gateway.http"),
            ("/gateway/http/endpoints", "gateway.http.endpoints"),
            (
                "/gateway/http/endpoints/chatCompletions",
                "gateway.http.endpoints.chatCompletions",
            ),
            ("/agents", "agents"),
            ("/agents/defaults", "agents.defaults"),
            ("/agents/defaults/model", "agents.defaults.model"),
            ("/models", "models"),
            ("/models/providers/mosaic", "models.providers.mosaic"),
            ("/models/providers/mosaic/models/0", "models.providers.mosaic.models.0"),
            (
                "/models/providers/mosaic/models/0/cost",
                "models.providers.mosaic.models.0.cost",
            ),
        ];
        for (pointer, path) in levels {
            let config = with(minimal(), &format!("{pointer}/maxBodyBytes"), json!(1));
            let issues = issues_of(&config);
            let expected_path = if path == "<root>" { "" } else { path };
            assert_eq!(
                issues,
                vec![(
                    expected_path.to_owned(),
                    "Unrecognized key: \"maxBodyBytes\"".to_owned()
                )],
                "at {path}"
            );
        }
        let config = with(
            with(minimal(), "/models/proxy", json!("x")),
            "/models/bedrockDiscovery",
            json!({}),
        );
        assert_eq!(
            issues_of(&config),
            vec![(
                "models".to_owned(),
                "Unrecognized keys: \"bedrockDiscovery\", \"proxy\"".to_owned()
            )]
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
                "/gateway/mode",
                json!("cloud"),
                "gateway.mode",
                "Invalid option: expected one of \"local\"|\"remote\"",
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
                "Too small: expected number to be >=1",
            ),
            (
                "/gateway/port",
                json!(70000),
                "gateway.port",
                "Too big: expected number to be <=65535",
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
                "Invalid option: expected one of \"auto\"|\"lan\"|\"loopback\"|\"custom\"|\"tailnet\"",
            ),
            (
                "/gateway/auth/mode",
                json!("oauth"),
                "gateway.auth.mode",
                "Invalid option: expected one of \"none\"|\"token\"|\"password\"|\"trusted-proxy\"",
            ),
            (
                "/gateway/auth/token",
                json!(5),
                "gateway.auth.token",
                "Invalid input: expected string, received number",
            ),
            (
                "/gateway/http/endpoints/chatCompletions/enabled",
                json!("true"),
                "gateway.http.endpoints.chatCompletions.enabled",
                "Invalid input: expected boolean, received string",
            ),
            (
                "/agents/defaults/workspace",
                json!(null),
                "agents.defaults.workspace",
                "Invalid input: expected string, received null",
            ),
            (
                "/agents/defaults/model",
                json!(3),
                "agents.defaults.model",
                "Invalid input",
            ),
            (
                "/agents/defaults/model/fallbacks",
                json!(["a", 2]),
                "agents.defaults.model.fallbacks.1",
                "Invalid input: expected string, received number",
            ),
            (
                "/models/mode",
                json!("union"),
                "models.mode",
                "Invalid option: expected one of \"merge\"|\"replace\"",
            ),
            (
                "/models/providers",
                json!([]),
                "models.providers",
                "Invalid input: expected record, received array",
            ),
            (
                "/models/providers/mosaic/baseUrl",
                json!(""),
                "models.providers.mosaic.baseUrl",
                "Too small: expected string to have >=1 characters",
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
                "Invalid input: expected string, received number",
            ),
            (
                "/models/providers/mosaic/models",
                json!({}),
                "models.providers.mosaic.models",
                "Invalid input: expected array, received object",
            ),
            (
                "/models/providers/mosaic/models/0/input",
                json!(["text", "audio"]),
                "models.providers.mosaic.models.0.input.1",
                "Invalid option: expected one of \"text\"|\"image\"",
            ),
            (
                "/models/providers/mosaic/models/0/reasoning",
                json!(1),
                "models.providers.mosaic.models.0.reasoning",
                "Invalid input: expected boolean, received number",
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
                "Too small: expected number to be >0",
            ),
            (
                "/models/providers/mosaic/models/0/maxTokens",
                json!(-1),
                "models.providers.mosaic.models.0.maxTokens",
                "Too small: expected number to be >0",
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
            assert_eq!(
                issues_of(&config),
                vec![(path.to_owned(), message.to_owned())],
                "{pointer}"
            );
        }
    }

    #[test]
    fn rejects_missing_required_fields() {
        let cases = [
            (
                "/models/providers/mosaic/baseUrl",
                "models.providers.mosaic.baseUrl",
                "string",
            ),
            (
                "/models/providers/mosaic/models",
                "models.providers.mosaic.models",
                "array",
            ),
            (
                "/models/providers/mosaic/models/0/id",
                "models.providers.mosaic.models.0.id",
                "string",
            ),
            (
                "/models/providers/mosaic/models/0/name",
                "models.providers.mosaic.models.0.name",
                "string",
            ),
        ];
        for (pointer, path, expected) in cases {
            assert_eq!(
                issues_of(&without(minimal(), pointer)),
                vec![(
                    path.to_owned(),
                    format!("Invalid input: expected {expected}, received undefined")
                )],
            );
        }
    }

    #[test]
    fn reports_every_issue() {
        let config = json!({"gateway": {"mode": 1, "extra": true}, "other": {}});
        assert_eq!(validate(&config).unwrap_err().len(), 3);
    }

    #[test]
    fn settings_and_startup_rules() {
        let settings = Settings::from_valid(&minimal());
        assert_eq!(settings.port, Some(18789));
        assert!(settings.chat_completions);
        assert_eq!(settings.primary_model.as_deref(), Some("mosaic/my-model"));
        assert_eq!(settings.workspace.as_deref(), Some("/home/node/.openclaw/workspace"));
        assert_eq!(settings.check_startup("env-token"), Ok("env-token".to_owned()));

        let configured = Settings::from_valid(&with(minimal(), "/gateway/auth/token", json!("cfg")));
        assert_eq!(configured.check_startup("env-token"), Ok("cfg".to_owned()));

        let placeholder = Settings::from_valid(&with(minimal(), "/gateway/auth/token", json!(PLACEHOLDER_TOKEN)));
        assert_eq!(placeholder.check_startup("env"), Ok("env".to_owned()));
        assert!(
            placeholder
                .check_startup("")
                .unwrap_err()
                .contains("no token was configured")
        );

        let remote = Settings::from_valid(&with(minimal(), "/gateway/mode", json!("remote")));
        assert_eq!(
            remote.check_startup("t"),
            Err("Gateway start blocked: set gateway.mode=local".to_owned())
        );
        let unset = Settings::from_valid(&json!({}));
        assert!(unset.check_startup("t").is_err());
        assert!(!unset.chat_completions);

        let string_model = with(minimal(), "/agents/defaults/model", json!("p/m"));
        assert_eq!(
            Settings::from_valid(&string_model).primary_model.as_deref(),
            Some("p/m")
        );
    }
}
