//! Health, readiness, metrics and this document.

use mosaic_shared::types::{Health, Readiness};
use utoipa::openapi::schema::ObjectBuilder;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get("/healthz", "health", "Liveness").ok::<Health>(200, "The daemon runs."),
        get("/readyz", "health", "Readiness: every dependency answers")
            .ok::<Readiness>(200, "Ready.")
            .ok::<Readiness>(503, "A dependency is down; its check says which."),
        get(
            "/metrics",
            "health",
            "Prometheus metrics (text exposition format 0.0.4)",
        )
        .ok_with(200, "Metrics.", vec![("text/plain", string().into())]),
        get("/api/openapi.json", "health", "This document").ok_with(
            200,
            "The OpenAPI document.",
            vec![("application/json", ObjectBuilder::new().into())],
        ),
    ]
}
