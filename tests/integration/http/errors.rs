//! What users and clients read when something goes wrong: the product's words, never the HTTP
//! stack's, the network's or the database's; the detail is in the daemon's log.

use std::io::{Read, Write};
use std::net::TcpStream;

use mosaic_tests::http::Auth;
use serde_json::{Value, json};

use super::{Backend, World};

/// Sends `head` and `body` over a fresh connection, half-closes it, and reads the answer: status
/// and JSON body.
fn raw_exchange(base: &str, head: &str, body: &[u8]) -> (u16, Value) {
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text:?}"));
    let (_, rest) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no head end: {text:?}"));
    // A chunked answer: the JSON object between the first `{` and the last `}`.
    let json = match (rest.find('{'), rest.rfind('}')) {
        (Some(a), Some(b)) => serde_json::from_str(&rest[a..=b]).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, json)
}

/// A chunked body that breaks off in the middle of a chunk, and one whose chunk-size line is
/// garbage, to a JSON route and to the chat route: a 400 that says the body was cut off or
/// malformed, nothing of hyper's wording; the log has what hyper said.
pub async fn cut_off_body(backend: Backend) {
    let w = World::start(backend).await;
    let s = &w.admin;
    for path in ["/api/providers", "/api/chat/completions"] {
        for (what, body) in [
            ("cut mid-chunk", &b"20\r\n{\"name\":\"p\",\"type\""[..]),
            ("garbage chunk size", &b"zz\r\n{}\r\n0\r\n\r\n"[..]),
        ] {
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: mosaic\r\nContent-Type: application/json\r\nCookie: {}\r\n\
                 X-CSRF-Token: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                s.cookie, s.csrf
            );
            let (status, answer) = raw_exchange(&w.api.base, &head, body);
            assert_eq!(status, 400, "{path} {what}: {answer}");
            assert_eq!(answer["error"]["code"], "invalid_input", "{path} {what}: {answer}");
            let message = answer["error"]["message"].as_str().unwrap().to_string();
            assert!(
                message.contains("request body") && (message.contains("cut off") || message.contains("malformed")),
                "{path} {what}: {message}"
            );
            for internal in ["hyper", "chunk size", "EOF", "connection", "error reading"] {
                assert!(!message.contains(internal), "{path} {what}: {message}");
            }
        }
    }
    let log = w.daemon.log();
    assert!(log.contains("chunk size"), "the log keeps hyper's words: {log}");
    // Nothing was created from half a body.
    assert_eq!(
        w.api.get("/api/providers", Auth::Session(s)).await.expect(200),
        json!([])
    );
}
