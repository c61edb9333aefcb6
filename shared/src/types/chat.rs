//! The OpenAI-compatible chat API's own shapes (the completions pass through as the agent sends
//! them).

use serde::{Deserialize, Serialize};

/// `GET /api/models`: the caller's agents in OpenAI's model-list shape, as an OpenAI SDK's
/// `models.list()` reads it. Each id is a `model` the chat endpoint takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelList {
    /// Always `list`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::always_list))]
    pub object: String,
    pub data: Vec<ModelEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelEntry {
    /// `openclaw` (the default agent) or `openclaw/<agentId>`.
    #[cfg_attr(feature = "openapi", schema(examples("openclaw")))]
    pub id: String,
    /// Always `model`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::always_model))]
    pub object: String,
    /// Unix seconds; 0, as OpenClaw's own list has it.
    pub created: u64,
    pub owned_by: String,
}
