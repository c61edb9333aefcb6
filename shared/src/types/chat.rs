//! The OpenAI-compatible chat API's own shapes (the completions pass through as the agent sends
//! them).

use serde::{Deserialize, Serialize};

/// `GET /api/models`: the caller's agents in OpenAI's model-list shape, as an OpenAI SDK's
/// `models.list()` reads it. Each id is a `model` the chat endpoint takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelList {
    /// Always `list`.
    pub object: String,
    pub data: Vec<ModelEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// `openclaw` (the default agent) or `openclaw/<agentId>`.
    pub id: String,
    /// Always `model`.
    pub object: String,
    /// Unix seconds; 0, as OpenClaw's own list has it.
    pub created: u64,
    pub owned_by: String,
}
