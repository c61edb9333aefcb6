//! OpenAI-compatible `chat.completion.chunk` events, framed the way the
//! newest OpenClaw frames them: role chunk, content chunks, finish chunk,
//! then `[DONE]`.

use serde_json::{Value, json};

pub const DONE: &str = "data: [DONE]\n\n";

/// One server-sent event carrying a JSON payload.
pub fn event(data: &Value) -> String {
    format!("data: {data}\n\n")
}

/// What every chunk of one completion repeats.
pub struct ChunkMeta<'a> {
    pub id: &'a str,
    pub created: u64,
    pub model: &'a str,
}

impl ChunkMeta<'_> {
    fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        })
    }

    pub fn role(&self) -> Value {
        self.chunk(json!({"role": "assistant"}), None)
    }

    pub fn content(&self, text: &str) -> Value {
        self.chunk(json!({"content": text}), None)
    }

    pub fn finish(&self) -> Value {
        self.chunk(json!({}), Some("stop"))
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

    const META: ChunkMeta<'static> = ChunkMeta {
        id: "chatcmpl_ab",
        created: 7,
        model: "openclaw",
    };

    #[test]
    fn event_framing() {
        assert_eq!(event(&json!({"a": 1})), "data: {\"a\":1}\n\n");
        assert_eq!(DONE, "data: [DONE]\n\n");
        // serde_json escapes newlines, so a payload can never split an event.
        let framed = event(&META.content("two\n\nlines"));
        assert_eq!(framed.matches("\n\n").count(), 1);
        assert!(framed.ends_with("\n\n"));
    }

    #[test]
    fn chunk_shapes() {
        let role = META.role();
        assert_eq!(role["object"], "chat.completion.chunk");
        assert_eq!(role["id"], "chatcmpl_ab");
        assert_eq!(role["created"], 7);
        assert_eq!(role["model"], "openclaw");
        assert_eq!(role["choices"][0]["delta"], json!({"role": "assistant"}));
        assert!(role["choices"][0]["finish_reason"].is_null());
        assert!(role["choices"][0].as_object().unwrap().contains_key("finish_reason"));

        let content = META.content("hi");
        assert_eq!(content["choices"][0]["delta"], json!({"content": "hi"}));
        assert!(content["choices"][0]["finish_reason"].is_null());

        let finish = META.finish();
        assert_eq!(finish["choices"][0]["delta"], json!({}));
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
        assert_eq!(finish["choices"][0]["index"], 0);
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
