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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderModel {
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\S{1,200}$"))]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000000))]
    pub context_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000000))]
    pub max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<bool>,
    /// `text` and/or `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::model_inputs))]
    pub input: Option<Vec<String>>,
}

/// A provider as its owner sees it. The API key is write-only: only whether one is set and a
/// masked hint (`sk-…a1b2`) come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: ProviderType,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub base_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::ApiType))]
    pub api_type: String,
    pub models: Vec<ProviderModel>,
    pub is_active: bool,
    pub has_api_key: bool,
    /// Masked (`sk-…a1b2`); the key itself is write-only.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub api_key_hint: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProvider {
    /// Lower-case slug, unique per owner; OpenClaw's provider key (`<name>/<model>`).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9_-]{0,62}$"))]
    pub name: String,
    /// Defaults to `name`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: ProviderType,
    /// Required for `ollama` and `custom`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::base_url_input))]
    pub base_url: Option<String>,
    /// Write-only: never shown again, only whether one is set and a masked hint.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Password, min_length = 1, max_length = 4096, write_only))]
    pub api_key: Option<Sensitive>,
    /// Defaults by type (`anthropic-messages` for anthropic, else `openai-completions`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::ApiType>))]
    pub api_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub models: Option<Vec<ProviderModel>>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// A partial update. Absent fields are kept; `baseUrl: null` and `apiKey: null` clear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderPatch {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9_-]{0,62}$"))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub display_name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<ProviderType>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::base_url_input))]
    pub base_url: Option<Option<String>>,
    /// `null` clears it; absent keeps it.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Password, min_length = 1, max_length = 4096, write_only))]
    pub api_key: Option<Option<Sensitive>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::ApiType>))]
    pub api_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub models: Option<Vec<ProviderModel>>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// Connection settings to test before saving a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderDraft {
    #[serde(rename = "type")]
    pub kind: ProviderType,
    #[cfg_attr(feature = "openapi", schema(format = Uri))]
    pub base_url: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Password, min_length = 1, max_length = 4096, write_only))]
    pub api_key: Option<Sensitive>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::ApiType>))]
    pub api_type: Option<String>,
}

/// How a connection test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    pub ok: bool,
    pub outcome: TestOutcome,
    /// One sentence for a person; never contains the key.
    pub message: String,
    /// What was requested (no credentials in it).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub http_status: Option<u16>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub latency_ms: Option<u64>,
    /// Model ids the provider listed (at most 500).
    pub models: Vec<String>,
}
