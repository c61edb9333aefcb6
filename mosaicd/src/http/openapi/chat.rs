//! The chat operations. The completions are OpenAI's shapes, which mosaicd forwards without a type
//! of its own: their schemas are written here.

use mosaic_shared::types::*;
use serde_json::json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        post(
            "/api/chat/completions",
            "chat",
            "Chat with your agent (OpenAI chat completions)",
        )
        .describe(
            "Answered by your own agent container (never another user's: nothing in \
            the request selects the container). A stopped container is started \
            first: a plain request waits for it; a streaming request gets the 200 \
            text/event-stream head at once and SSE comments (': waiting for your \
            agent to start (Ns)') every heartbeat interval \
            (--chat-heartbeat-interval, 5 s) until the agent answers; once that \
            head is out, failures arrive as an SSE error event (AgentError) \
            followed by data: [DONE]. Otherwise the agent's status, headers \
            (Content-Type, Cache-Control, Retry-After) and body come back as the \
            agent sends them, chunk for chunk. Of the request headers only \
            x-openclaw-session-key, x-openclaw-agent-id, x-openclaw-agent, \
            x-openclaw-model and x-openclaw-message-channel reach the agent. A \
            client that disconnects cancels the agent's request.",
        )
        .signed_in()
        .header_param(
            "x-openclaw-session-key",
            "Continues an OpenClaw session (wins over user).",
        )
        .body::<ChatCompletionRequest>()
        .ok::<ChatCompletion>(200, "The completion; with stream: true an SSE stream.")
        .also(
            200,
            "text/event-stream",
            string().description(Some(
                "data: {chat.completion.chunk}\\n\\n … data: [DONE]\\n\\n; comments (': \
                …') while the container starts.",
            )),
        )
        .error_or_agent::<AgentError>(
            400,
            "mosaicd: malformed JSON, not an object, no messages (Error). The \
            agent: an invalid model, unknown agent or other invalid field \
            (AgentError).",
        )
        .error_or_agent::<AgentError>(
            401,
            "Not logged in (Error); the agent refused its token (AgentError, should \
            not happen).",
        )
        .error_or_agent::<AgentError>(408, "The agent timed out reading the body (AgentError).")
        .error_or_agent::<AgentError>(413, "Body larger than 20 MiB, OpenClaw's own limit (Error).")
        .error_or_agent::<AgentError>(429, "The agent is rate limited (AgentError, with Retry-After).")
        .error_or_agent::<AgentError>(500, "The agent failed (AgentError), or mosaicd did (Error).")
        .error(502, "The agent's container did not answer (bad_gateway).")
        .error(
            503,
            "The agent container did not start (Docker unreachable, start failed or \
            timed out), or too many large requests are being buffered; with \
            Retry-After.",
        ),
        get(
            "/api/models",
            "chat",
            "List the agents you can chat with (OpenAI models)",
        )
        .describe(
            "OpenAI's model list (an OpenAI SDK's models.list()): the agents a chat \
            request can name in model. Mosaic configures one agent per container, \
            OpenClaw's default, named openclaw. Listing starts no container.",
        )
        .signed_in_read()
        .ok::<ModelList>(200, "The caller's agents."),
    ]
}

/// One message of a chat request.
pub struct ChatMessage;

impl PartialSchema for ChatMessage {
    fn schema() -> RefOr<Schema> {
        hand_written(
            json!({"type": "object", "properties": {"role": {"type": "string", "description": "system, developer, user, assistant, tool"}, "content": {"description": "Text, or an array of content parts ({type:text|input_text, text} or image_url).", "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}, {"type": "null"}]}}, "required": ["role"]}),
        )
    }
}

impl ToSchema for ChatMessage {}

/// OpenAI's chat completions request.
pub struct ChatCompletionRequest;

impl PartialSchema for ChatCompletionRequest {
    fn schema() -> RefOr<Schema> {
        hand_written(
            json!({"type": "object", "description": "OpenAI's chat completions request, forwarded to the agent byte for byte. mosaicd itself only checks that it is a JSON object with a non-empty messages array and reads stream; the agent validates the rest.", "properties": {"model": {"type": "string", "description": "Selects an agent inside your own container: openclaw (the default agent), openclaw:<agentId> or openclaw/<agentId>. Never another user's container."}, "messages": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/ChatMessage"}}, "stream": {"type": "boolean", "description": "true: an SSE stream of chat.completion.chunk events ending with data: [DONE]."}, "user": {"type": "string", "description": "Keeps a conversation (OpenClaw session agent:<agent>:openai-user:<user>)."}}, "required": ["messages"]}),
        )
    }
}

impl ToSchema for ChatCompletionRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        ChatMessage::schemas(schemas);
        schemas.push((ChatMessage::name().into_owned(), ChatMessage::schema()));
    }
}

/// OpenAI's chat.completion object.
pub struct ChatCompletion;

impl PartialSchema for ChatCompletion {
    fn schema() -> RefOr<Schema> {
        hand_written(
            json!({"type": "object", "description": "OpenAI's chat.completion object, as the agent answered it.", "properties": {"id": {"type": "string"}, "object": {"type": "string", "enum": ["chat.completion"]}, "created": {"type": "integer"}, "model": {"type": "string"}, "choices": {"type": "array", "items": {"type": "object", "properties": {"index": {"type": "integer"}, "message": {"type": "object", "properties": {"role": {"type": "string"}, "content": {"type": ["string", "null"]}}}, "finish_reason": {"type": ["string", "null"]}}}}, "usage": {"type": "object"}}, "required": ["id", "object", "choices"]}),
        )
    }
}

impl ToSchema for ChatCompletion {}

/// An agent's own error answer.
pub struct AgentError;

impl PartialSchema for AgentError {
    fn schema() -> RefOr<Schema> {
        hand_written(
            json!({"type": "object", "description": "An agent's own error answer (OpenClaw's shape), passed through with its status; as an SSE event (data: {\"error\":…}) once a stream has begun, where mosaicd's own failures also add a code.", "properties": {"error": {"type": "object", "properties": {"message": {"type": "string"}, "type": {"type": "string", "description": "invalid_request_error, unauthorized, rate_limited, api_error"}, "code": {"type": "string"}}, "required": ["message", "type"]}}, "required": ["error"]}),
        )
    }
}

impl ToSchema for AgentError {}
