//! Health, readiness, metrics and this document. Liveness and readiness answer shapes built in
//! place by their handlers: their schemas are written here.

use serde_json::json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

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

/// Liveness.
pub struct Health;

impl PartialSchema for Health {
    fn schema() -> RefOr<Schema> {
        hand_written(
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "status": {"type": "string"}}, "required": ["ok", "status"]}),
        )
    }
}

impl ToSchema for Health {}

/// Readiness, check by check.
pub struct Readiness;

impl PartialSchema for Readiness {
    fn schema() -> RefOr<Schema> {
        hand_written(
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "checks": {"type": "object", "additionalProperties": {"type": "object", "properties": {"ok": {"type": "boolean"}, "error": {"type": "string"}}, "required": ["ok"]}}}, "required": ["ok", "checks"]}),
        )
    }
}

impl ToSchema for Readiness {}
