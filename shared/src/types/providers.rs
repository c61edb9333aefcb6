//! LLM providers and their connection tests. The API key is write-only.

use serde::{Deserialize, Serialize};

use super::double_option;
use crate::Sensitive;

crate::words! {
    /// The provider types Mosaic knows.
    pub enum ProviderType("provider type") {
        Zai = "zai",
        Openai = "openai",
        Anthropic = "anthropic",
        Ollama = "ollama",
        Custom = "custom",
    }
}

impl ProviderType {
    /// Types without a built-in endpoint in OpenClaw need a base URL.
    pub fn needs_base_url(self) -> bool {
        matches!(self, ProviderType::Ollama | ProviderType::Custom)
    }

    /// The API a provider of this type speaks unless told otherwise. Ollama's is its native API
    /// (`ollama`, base URL without `/v1`), as OpenClaw's Ollama guide has it: through its
    /// OpenAI-compatible endpoint tool calls break.
    pub fn default_api_type(self) -> &'static str {
        match self {
            ProviderType::Anthropic => "anthropic-messages",
            ProviderType::Ollama => "ollama",
            _ => "openai-completions",
        }
    }
}

/// One model of a provider, with the keys OpenClaw's `models.providers.<name>.models[]` accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderModel {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<bool>,
    /// `text` and/or `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<String>>,
}

/// A provider as its owner sees it. The API key is write-only: only whether one is set and a
/// masked hint (`sk-…a1b2`) come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: ProviderType,
    pub base_url: Option<String>,
    pub api_type: String,
    pub models: Vec<ProviderModel>,
    pub is_active: bool,
    pub has_api_key: bool,
    pub api_key_hint: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProvider {
    /// Lower-case slug, unique per owner; OpenClaw's provider key (`<name>/<model>`).
    pub name: String,
    /// Defaults to `name`.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: ProviderType,
    /// Required for `ollama` and `custom`.
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub api_key: Option<Sensitive>,
    /// Defaults by type (`anthropic-messages` for anthropic, else `openai-completions`).
    #[serde(default)]
    pub api_type: Option<String>,
    #[serde(default)]
    pub models: Option<Vec<ProviderModel>>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// A partial update. Absent fields are kept; `baseUrl: null` and `apiKey: null` clear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<ProviderType>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub base_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Option<Sensitive>>,
    #[serde(default)]
    pub api_type: Option<String>,
    #[serde(default)]
    pub models: Option<Vec<ProviderModel>>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// Connection settings to test before saving a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderDraft {
    #[serde(rename = "type")]
    pub kind: ProviderType,
    pub base_url: String,
    #[serde(default)]
    pub api_key: Option<Sensitive>,
    #[serde(default)]
    pub api_type: Option<String>,
}

/// How a connection test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// The models endpoint answered with a model list.
    Ok,
    /// The provider refused the credentials (401/403).
    Unauthorized,
    /// No connection (DNS, refused, reset, TLS).
    Unreachable,
    /// No answer in time.
    Timeout,
    /// The address is not allowed by the egress policy; nothing was sent.
    Blocked,
    /// The provider answered with another error status (or a redirect, which is not followed).
    HttpError,
    /// The answer was not a model list.
    InvalidResponse,
    /// The provider has no base URL or an API mosaicd cannot test.
    Untestable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    pub ok: bool,
    pub outcome: TestOutcome,
    /// One sentence for a person; never contains the key.
    pub message: String,
    /// What was requested (no credentials in it).
    pub url: Option<String>,
    pub http_status: Option<u16>,
    pub latency_ms: Option<u64>,
    /// Model ids the provider listed (at most 500).
    pub models: Vec<String>,
}
