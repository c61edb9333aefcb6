//! A double of an LLM provider's OpenAI-compatible models endpoint (providers are outside the
//! product): `GET /v1/models` and Ollama's `GET /api/tags`, answering 200 with a model list for
//! the right bearer key and 401 otherwise, echoing the key it was sent in the error message like
//! a careless provider would (so tests can check mosaicd never passes it on). Also a server that
//! accepts connections and never answers, for timeouts.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use warp::Filter;
use warp::http::StatusCode;

pub const MODELS: &[&str] = &["fake-small", "fake-large"];

pub struct FakeProvider {
    pub addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl FakeProvider {
    /// Starts on a free loopback port, on the current runtime.
    pub async fn start(key: &str) -> FakeProvider {
        let requests = Arc::new(AtomicUsize::new(0));
        let expected = format!("Bearer {key}");
        let counter = requests.clone();
        let routes = warp::get()
            .and(warp::path::full())
            .and(warp::header::optional::<String>("authorization"))
            .map(move |path: warp::path::FullPath, auth: Option<String>| {
                counter.fetch_add(1, Ordering::SeqCst);
                if auth.as_deref() != Some(expected.as_str()) {
                    let sent = auth.unwrap_or_default();
                    let body = json!({ "error": {
                        "message": format!("Incorrect API key provided: {}", sent.trim_start_matches("Bearer ")),
                        "type": "invalid_request_error" } });
                    return warp::reply::with_status(warp::reply::json(&body), StatusCode::UNAUTHORIZED);
                }
                let body = match path.as_str() {
                    "/v1/models" => json!({ "object": "list",
                        "data": MODELS.iter().map(|id| json!({ "id": id, "object": "model" })).collect::<Vec<_>>() }),
                    "/api/tags" => {
                        json!({ "models": MODELS.iter().map(|id| json!({ "name": id })).collect::<Vec<_>>() })
                    }
                    _ => {
                        return warp::reply::with_status(
                            warp::reply::json(&json!({ "error": { "message": "not found" } })),
                            StatusCode::NOT_FOUND,
                        );
                    }
                };
                warp::reply::with_status(warp::reply::json(&body), StatusCode::OK)
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(
            warp::serve(routes)
                .incoming(listener)
                .graceful(async move {
                    let _ = stopped.await;
                })
                .run(),
        );
        FakeProvider {
            addr,
            requests,
            _stop: stop,
        }
    }

    /// The base URL a provider would be configured with.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How many requests reached this provider.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A TCP server that accepts and holds connections without ever answering.
pub async fn silent_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
        Ok::<_, Infallible>(())
    });
    addr
}
