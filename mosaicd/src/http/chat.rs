//! `POST /api/chat/completions`: OpenAI's chat completions API, answered by the caller's own agent
//! container through the chat proxy (`super::proxy`). Authenticated like every other route
//! (session cookie with X-CSRF-Token, or a personal API token as bearer, which is what an OpenAI
//! SDK sends as its API key). `GET /api/models` lists the agents a client can name in `model`.

use std::sync::Arc;

use bytes::Buf;
use futures::Stream;
use mosaic_shared::types::{ModelEntry, ModelList};
use warp::http::{HeaderMap, Method};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::reject;
use super::extract::{Params, ok, user, with_app};
use super::proxy::{self, ChatProxy};
use crate::app::App;
use crate::auth::Principal;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::POST, "/api/chat/completions", |app, m| {
            let proxy = Arc::new(ChatProxy::new(app.config().http.chat_heartbeat_interval));
            m.and(with_app(app.clone()))
                .and(warp::any().map(move || proxy.clone()))
                .and(user(app))
                .and(warp::header::headers_cloned())
                .and(warp::body::stream())
                .and_then(completions)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/models", |app, m| {
            m.and(user(app)).map(|_: Params, _: Principal| ok(&models())).boxed()
        }),
    ]
}

/// The caller's agents as OpenAI models. Mosaic configures one agent per container, OpenClaw's
/// default, which the chat endpoint answers for `model: "openclaw"`; listing it needs no
/// container, so `models.list()` never starts one.
fn models() -> ModelList {
    ModelList {
        object: "list".into(),
        data: vec![ModelEntry {
            id: "openclaw".into(),
            object: "model".into(),
            created: 0,
            owned_by: "openclaw".into(),
        }],
    }
}

async fn completions<S, B>(
    _: Params,
    app: Arc<App>,
    proxy: Arc<ChatProxy>,
    p: Principal,
    headers: HeaderMap,
    body: S,
) -> Result<Response, Rejection>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    proxy::handle(app, &proxy, p, headers, body).await.map_err(reject)
}
