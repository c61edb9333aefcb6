//! OpenAI-compatible `chat.completion.chunk` events, framed the way the
//! newest OpenClaw frames them: role chunk, content chunks, finish chunk,
//! the usage chunk when the client asked for it, then `[DONE]`.

use crate::json::{object, opt_string, string};

pub const DONE: &str = "data: [DONE]\n\n";

/// One server-sent event carrying a JSON payload. JSON text has no raw
/// newlines (they are escaped), so a payload can never end an event early.
pub fn event(json: &str) -> String {
    format!("data: {json}\n\n")
}

/// What every chunk of one completion repeats.
pub struct ChunkMeta<'a> {
    pub id: &'a str,
    pub created: u64,
    pub model: &'a str,
}

impl ChunkMeta<'_> {
    fn chunk(&self, delta: String, finish_reason: Option<&str>) -> String {
        let choice = object(&[
            ("index", "0".to_owned()),
            ("delta", delta),
            ("finish_reason", opt_string(finish_reason)),
        ]);
        object(&[
            ("id", string(self.id)),
            ("object", string("chat.completion.chunk")),
            ("created", self.created.to_string()),
            ("model", string(self.model)),
            ("choices", format!("[{choice}]")),
        ])
    }

    pub fn role(&self) -> String {
        self.chunk(object(&[("role", string("assistant"))]), None)
    }

    pub fn content(&self, text: &str) -> String {
        self.chunk(object(&[("content", string(text))]), None)
    }

    pub fn finish(&self) -> String {
        self.chunk(object(&[]), Some("stop"))
    }

    /// The last chunk before `[DONE]` when the request set `stream_options.include_usage`:
    /// no choices, the run's `usage`.
    // OpenClaw: src/gateway/openai-http.ts, writeUsageChunk / writeChatCompletionChunk.
    pub fn usage(&self, usage: &str) -> String {
        object(&[
            ("id", string(self.id)),
            ("object", string("chat.completion.chunk")),
            ("created", self.created.to_string()),
            ("model", string(self.model)),
            ("choices", "[]".to_owned()),
            ("usage", usage.to_owned()),
        ])
    }
}

/// Splits text into one piece per word. Each piece keeps the whitespace in
/// front of its word, so the deltas concatenate back to exactly `text` and a
/// client that reassembles the stream sees the non-streaming content.
pub fn word_pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut prev_is_space = true;
    for (i, c) in text.char_indices() {
        let is_space = c.is_whitespace();
        if is_space && !prev_is_space {
            pieces.push(&text[start..i]);
            start = i;
        }
        prev_is_space = is_space;
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse(text: String) -> Value {
        serde_json::from_str(&text).unwrap()
    }

    const META: ChunkMeta<'static> = ChunkMeta {
        id: "chatcmpl_ab",
        created: 7,
        model: "openclaw",
    };

    #[test]
    fn event_framing() {
        assert_eq!(event("{\"a\":1}"), "data: {\"a\":1}\n\n");
        assert_eq!(DONE, "data: [DONE]\n\n");
        // serde_json escapes newlines, so a payload can never split an event.
        let framed = event(&META.content("two\n\nlines"));
        assert_eq!(framed.matches("\n\n").count(), 1);
        assert!(framed.ends_with("\n\n"));
    }

    #[test]
    fn chunk_shapes() {
        assert_eq!(
            META.role(),
            r#"{"id":"chatcmpl_ab","object":"chat.completion.chunk","created":7,"model":"openclaw","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#
        );
        let role = parse(META.role());
        assert_eq!(role["object"], "chat.completion.chunk");
        assert_eq!(role["id"], "chatcmpl_ab");
        assert_eq!(role["created"], 7);
        assert_eq!(role["model"], "openclaw");
        assert_eq!(role["choices"][0]["delta"], json!({"role": "assistant"}));
        assert!(role["choices"][0]["finish_reason"].is_null());
        assert!(role["choices"][0].as_object().unwrap().contains_key("finish_reason"));

        let content = parse(META.content("hi"));
        assert_eq!(content["choices"][0]["delta"], json!({"content": "hi"}));
        assert!(content["choices"][0]["finish_reason"].is_null());

        let finish = parse(META.finish());
        assert_eq!(finish["choices"][0]["delta"], json!({}));
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
        assert_eq!(finish["choices"][0]["index"], 0);

        assert_eq!(
            META.usage(r#"{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}"#),
            r#"{"id":"chatcmpl_ab","object":"chat.completion.chunk","created":7,"model":"openclaw","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#
        );
    }

    #[test]
    fn words_reassemble() {
        assert_eq!(word_pieces("echo: hi  there"), vec!["echo:", " hi", "  there"]);
        assert_eq!(word_pieces(" lead\ntrail "), vec![" lead", "\ntrail", " "]);
        assert_eq!(word_pieces("one"), vec!["one"]);
        assert!(word_pieces("").is_empty());
        let text = "echo: ünï code  words\tand\n lines";
        assert_eq!(word_pieces(text).concat(), text);
    }
}
