//! What users and clients read when something goes wrong: the product's words, never the HTTP
//! stack's, the network's or the database's; the detail is in the daemon's log.

use std::io::{Read, Write};
use std::net::TcpStream;

use mosaic_tests::http::Auth;
use mosaicd::store::q;
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

/// A provider whose stored key is another provider's (copied into its row in the database): its
/// connection test answers `api_key_required` with what happened and what to do, in the product's
/// words; which row the value came from is in the log only.
pub async fn stored_key_of_another_provider(backend: Backend) {
    let w = World::start(backend).await;
    let me = Auth::Session(&w.admin);
    let mut ids = Vec::new();
    for name in ["first", "second"] {
        let created = w
            .api
            .post(
                "/api/providers",
                me,
                &json!({ "name": name, "type": "custom", "baseUrl": "https://api.example.com/v1",
                         "apiKey": format!("sk-{name}-canary-0123456789") }),
            )
            .await
            .expect(201);
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let db = w.db().await;
    db.execute(
        q("UPDATE llm_provider SET api_key = (SELECT api_key FROM llm_provider WHERE id = $1) WHERE id = $2")
            .bind(&ids[1])
            .bind(&ids[0]),
    )
    .await
    .unwrap();
    db.close().await;

    let message = w
        .api
        .post_empty(&format!("/api/providers/{}/test", ids[0]), me)
        .await
        .error(400, "api_key_required");
    assert!(
        message.contains("first") && message.contains("another provider") && message.contains("enter"),
        "{message}"
    );
    for internal in ["internal", "llm_provider", &ids[0], &ids[1], "secret at"] {
        assert!(!message.contains(internal), "{internal:?} in {message}");
    }
    let log = w.daemon.log();
    assert!(
        log.contains(&format!("belongs to llm_provider/{}/api_key", ids[1])),
        "{log}"
    );
    for key in ["sk-first-canary-0123456789", "sk-second-canary-0123456789"] {
        assert!(!log.contains(key) && !w.api.transcript().contains(key));
    }
    // The remedy works: a key entered again is used.
    w.api
        .patch(
            &format!("/api/providers/{}", ids[0]),
            me,
            &json!({ "apiKey": "sk-first-again-0123456789" }),
        )
        .await
        .expect(200);
    let test = w
        .api
        .post_empty(&format!("/api/providers/{}/test", ids[0]), me)
        .await
        .expect(200);
    assert_eq!(test["outcome"], "unreachable", "{test}");
}
