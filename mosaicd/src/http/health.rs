//! Liveness, readiness and metrics: unauthenticated, for load balancers and Prometheus.

use std::sync::Arc;

use std::collections::BTreeMap;

use mosaic_shared::types::{Health, Readiness, ReadinessCheck};
use warp::http::header::{CONTENT_TYPE, HeaderValue};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::reject;
use super::extract::{json_reply, ok, with_app};
use crate::app::App;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/healthz", |_, m| {
            m.map(|_| {
                ok(&Health {
                    ok: true,
                    status: "live".into(),
                })
            })
            .boxed()
        }),
        Endpoint::new(Method::GET, "/readyz", |app, m| {
            m.and(with_app(app)).then(|_, app: Arc<App>| readyz(app)).boxed()
        }),
        Endpoint::new(Method::GET, "/metrics", |app, m| {
            m.and(with_app(app)).and_then(|_, app: Arc<App>| metrics(app)).boxed()
        }),
    ]
}

/// Ready when every dependency answers. Each check reports on its own, so a failing one is named.
async fn readyz(app: Arc<App>) -> Response {
    let mut checks = BTreeMap::new();
    // Both at once: a Docker engine that does not answer must not delay the database's answer.
    let (database, docker) = tokio::join!(app.db().ping(), app.containers().docker_ping());
    let mut ready = true;
    for (name, result) in [("database", database), ("docker", docker)] {
        let check = match result {
            Ok(()) => ReadinessCheck { ok: true, error: None },
            Err(e) => {
                ready = false;
                ReadinessCheck {
                    ok: false,
                    error: Some(e.to_string()),
                }
            }
        };
        checks.insert(name.into(), check);
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_reply(status, &Readiness { ok: ready, checks })
}

async fn metrics(app: Arc<App>) -> Result<Response, Rejection> {
    let containers = app.containers().state_counts().await.map_err(reject)?;
    let text = app.metrics().render(app.started().elapsed(), &containers);
    let mut response = Response::new(text.into());
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(crate::metrics::CONTENT_TYPE));
    Ok(response)
}
