//! Reading the agent's token report from an answer as it passes through the chat proxy, without
//! holding the answer back or keeping its text.
//!
//! - A JSON completion carries `usage` at its top level. Its chunks are kept by reference (no
//!   copy) up to [`MAX_JSON`]; when the answer has been sent, the kept bytes are parsed for
//!   `usage` alone and dropped. A larger answer is not read: its usage counts as missing.
//! - A stream carries `usage` in the last `data:` chunk before `[DONE]` when the client asked for
//!   `stream_options.include_usage` (other chunks have `"usage": null` or none). Each chunk is
//!   split into SSE events where it passes; only an event that mentions `"usage"` or `"error"` is
//!   parsed, and of it only those two fields. Bytes of an event that spans chunks are copied
//!   until its end (at most [`MAX_EVENT`]).
//!
//! `"usage"` with its quotes cannot occur inside a JSON string (quotes there are escaped), so the
//! mention test never mistakes message text for the field; the parse decides anyway.

use bytes::Bytes;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The largest JSON completion whose usage is read.
pub const MAX_JSON: usize = 256 * 1024;
/// The largest SSE event held while it arrives in pieces.
pub const MAX_EVENT: usize = 64 * 1024;

/// Tokens as the agent reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
}

/// What the scan found once the answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Findings {
    /// The agent's report; `None` when it sent none (or the answer was too large to read).
    pub tokens: Option<Tokens>,
    /// A stream carried an error event (the agent failed after its `200`).
    pub agent_error: bool,
}

#[derive(Deserialize)]
struct Frame {
    #[serde(default)]
    usage: Option<Report>,
    #[serde(default)]
    error: Option<IgnoredAny>,
}

/// OpenAI's names, and the `input_tokens`/`output_tokens` some providers and OpenAI's Responses
/// API use.
#[derive(Deserialize)]
struct Report {
    #[serde(default, alias = "input_tokens")]
    prompt_tokens: Option<u64>,
    #[serde(default, alias = "output_tokens")]
    completion_tokens: Option<u64>,
}

impl Report {
    fn tokens(&self) -> Option<Tokens> {
        if self.prompt_tokens.is_none() && self.completion_tokens.is_none() {
            return None;
        }
        Some(Tokens {
            input: self.prompt_tokens.unwrap_or(0),
            output: self.completion_tokens.unwrap_or(0),
        })
    }
}

/// The scan of one answer.
#[derive(Debug)]
pub enum Scan {
    Json(JsonScan),
    Sse(SseScan),
}

impl Scan {
    pub fn json() -> Scan {
        Scan::Json(JsonScan::default())
    }

    pub fn sse() -> Scan {
        Scan::Sse(SseScan::default())
    }

    /// Looks at a chunk on its way to the client.
    pub fn feed(&mut self, chunk: &Bytes) {
        match self {
            Scan::Json(s) => s.feed(chunk),
            Scan::Sse(s) => s.feed(chunk),
        }
    }

    /// What the whole answer reported.
    pub fn finish(self) -> Findings {
        match self {
            Scan::Json(s) => s.finish(),
            Scan::Sse(s) => s.finish(),
        }
    }
}

#[derive(Debug, Default)]
pub struct JsonScan {
    parts: Vec<Bytes>,
    len: usize,
    too_large: bool,
}

impl JsonScan {
    fn feed(&mut self, chunk: &Bytes) {
        if self.too_large {
            return;
        }
        self.len += chunk.len();
        if self.len > MAX_JSON {
            self.too_large = true;
            self.parts = Vec::new();
        } else {
            self.parts.push(chunk.clone());
        }
    }

    fn finish(self) -> Findings {
        if self.too_large {
            return Findings::default();
        }
        let frame = match self.parts.as_slice() {
            [one] => serde_json::from_slice::<Frame>(one),
            parts => serde_json::from_slice::<Frame>(&parts.concat()),
        };
        Findings {
            tokens: frame.ok().and_then(|f| f.usage).and_then(|u| u.tokens()),
            agent_error: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct SseScan {
    /// The start of an event whose end has not arrived yet.
    pending: Vec<u8>,
    last: Option<Tokens>,
    agent_error: bool,
}

impl SseScan {
    fn feed(&mut self, chunk: &[u8]) {
        if self.pending.is_empty() {
            self.split(chunk);
        } else {
            let mut held = std::mem::take(&mut self.pending);
            held.extend_from_slice(chunk);
            self.split(&held);
        }
    }

    /// Handles every complete event in `bytes` and keeps the unfinished rest.
    fn split(&mut self, mut bytes: &[u8]) {
        while let Some((end, next)) = boundary(bytes) {
            self.event(&bytes[..end]);
            bytes = &bytes[next..];
        }
        // An event larger than the bound is not held: its rest is read as an event of its own
        // later, which parses as nothing.
        if bytes.len() <= MAX_EVENT {
            self.pending.extend_from_slice(bytes);
        }
    }

    fn event(&mut self, event: &[u8]) {
        if !contains(event, b"\"usage\"") && !contains(event, b"\"error\"") {
            return;
        }
        let mut data = Vec::new();
        for line in event.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(value) = line.strip_prefix(b"data:") {
                if !data.is_empty() {
                    data.push(b'\n');
                }
                data.extend_from_slice(value.strip_prefix(b" ").unwrap_or(value));
            }
        }
        let Ok(frame) = serde_json::from_slice::<Frame>(&data) else {
            return;
        };
        if frame.error.is_some() {
            self.agent_error = true;
        }
        if let Some(tokens) = frame.usage.as_ref().and_then(Report::tokens) {
            self.last = Some(tokens);
        }
    }

    fn finish(mut self) -> Findings {
        // A last event without its blank line (the stream ended right after it).
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.event(&rest);
        }
        Findings {
            tokens: self.last,
            agent_error: self.agent_error,
        }
    }
}

/// The end of the first event in `bytes` and where the next one starts: a blank line, `\n\n` or
/// `\r\n\r\n`.
fn boundary(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\n' {
            if bytes[i + 1] == b'\n' {
                return Some((i, i + 2));
            }
            if bytes[i + 1] == b'\r' && bytes.get(i + 2) == Some(&b'\n') {
                return Some((i, i + 3));
            }
        }
        i += 1;
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sse(chunks: &[&str]) -> Findings {
        let mut scan = Scan::sse();
        for c in chunks {
            scan.feed(&Bytes::copy_from_slice(c.as_bytes()));
        }
        scan.finish()
    }

    const ROLE: &str = r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"openclaw","choices":[{"index":0,"delta":{"role":"assistant"}}],"usage":null}

"#;
    const CONTENT: &str = r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"openclaw","choices":[{"index":0,"delta":{"content":"The \"usage\" of error is fine"},"finish_reason":null}],"usage":null}

"#;
    const USAGE: &str = r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"openclaw","choices":[],"usage":{"prompt_tokens":17,"completion_tokens":42,"total_tokens":59}}

"#;
    const DONE: &str = "data: [DONE]\n\n";

    #[test]
    fn the_usage_chunk_of_a_stream_is_read() {
        let found = sse(&[ROLE, CONTENT, CONTENT, USAGE, DONE]);
        assert_eq!(found.tokens, Some(Tokens { input: 17, output: 42 }));
        assert!(!found.agent_error);
    }

    #[test]
    fn events_split_anywhere_across_chunks() {
        let whole = format!("{ROLE}{CONTENT}{USAGE}{DONE}").replace('\n', "\r\n");
        for cut in 1..whole.len() {
            let (a, b) = whole.split_at(cut);
            let found = sse(&[a, b]);
            assert_eq!(found.tokens, Some(Tokens { input: 17, output: 42 }), "cut at {cut}");
        }
        // One byte at a time.
        let bytes: Vec<String> = whole.chars().map(String::from).collect();
        let refs: Vec<&str> = bytes.iter().map(String::as_str).collect();
        assert_eq!(sse(&refs).tokens, Some(Tokens { input: 17, output: 42 }));
    }

    #[test]
    fn a_stream_without_usage_reports_nothing() {
        // Message text that talks about usage is not a report.
        let found = sse(&[ROLE, CONTENT, DONE]);
        assert_eq!(found.tokens, None);
        assert!(!found.agent_error);
        // Nor is a last event without its blank line.
        assert_eq!(
            sse(&[ROLE, USAGE.trim_end()]).tokens,
            Some(Tokens { input: 17, output: 42 })
        );
    }

    #[test]
    fn an_error_event_in_a_stream_is_seen() {
        let error = "data: {\"error\":{\"message\":\"boom\",\"type\":\"api_error\"}}\n\n";
        let found = sse(&[ROLE, error, DONE]);
        assert!(found.agent_error);
        // `"error"` as message text is not an error.
        let text = r#"data: {"choices":[{"delta":{"content":"error"}}]}

"#;
        assert!(!sse(&[text, DONE]).agent_error);
    }

    #[test]
    fn an_oversized_event_is_skipped_and_later_ones_are_read() {
        let huge = format!(
            "data: {{\"choices\":[{{\"delta\":{{\"content\":\"{}\"}}}}],\"usage\":null}}\n\n",
            "x".repeat(MAX_EVENT * 2)
        );
        let (a, b) = huge.split_at(MAX_EVENT + 10);
        assert_eq!(
            sse(&[ROLE, a, b, USAGE, DONE]).tokens,
            Some(Tokens { input: 17, output: 42 })
        );
    }

    #[test]
    fn a_completion_reports_its_usage() {
        let body = r#"{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"openclaw","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}"#;
        let mut scan = Scan::json();
        let (a, b) = body.split_at(40);
        scan.feed(&Bytes::copy_from_slice(a.as_bytes()));
        scan.feed(&Bytes::copy_from_slice(b.as_bytes()));
        // Zeros are a report: the agent said zero.
        assert_eq!(scan.finish().tokens, Some(Tokens { input: 0, output: 0 }));

        let mut scan = Scan::json();
        scan.feed(&Bytes::from_static(
            br#"{"usage":{"input_tokens":3,"output_tokens":5}}"#,
        ));
        assert_eq!(scan.finish().tokens, Some(Tokens { input: 3, output: 5 }));

        for missing in [
            r#"{"choices":[]}"#,
            r#"{"choices":[],"usage":null}"#,
            r#"{"usage":{}}"#,
            "not json",
        ] {
            let mut scan = Scan::json();
            scan.feed(&Bytes::copy_from_slice(missing.as_bytes()));
            assert_eq!(scan.finish().tokens, None, "{missing}");
        }
    }

    #[test]
    fn a_completion_beyond_the_bound_is_not_read() {
        let mut scan = Scan::json();
        scan.feed(&Bytes::from(vec![b' '; MAX_JSON]));
        scan.feed(&Bytes::from_static(
            br#"{"usage":{"prompt_tokens":1,"completion_tokens":1}}"#,
        ));
        assert_eq!(scan.finish().tokens, None);
    }
}
