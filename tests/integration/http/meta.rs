//! Health, readiness, metrics and the OpenAPI document checked against the routes.

use std::collections::BTreeSet;

use mosaic_tests::bins::workspace_root;
use mosaic_tests::http::Auth;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Backend, World};

pub async fn health(backend: Backend) {
    // Readiness includes the Docker engine.
    mosaic_tests::docker::require();
    let w = World::start(backend).await;
    assert_eq!(
        w.api.get("/healthz", Auth::None).await.expect(200),
        json!({ "ok": true, "status": "live" })
    );
    assert_eq!(
        w.api.get("/readyz", Auth::None).await.expect(200),
        json!({ "ok": true, "checks": { "database": { "ok": true }, "docker": { "ok": true } } })
    );
    w.api
        .call(Method::POST, "/healthz", Auth::None, None)
        .await
        .error(405, "method_not_allowed");
}

pub async fn metrics(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let provider = api
        .post(
            "/api/providers",
            Auth::Session(&w.admin),
            &json!({ "name": "p", "type": "openai" }),
        )
        .await
        .expect(201);
    let id = provider["id"].as_str().unwrap();
    api.get(&format!("/api/providers/{id}"), Auth::Session(&w.admin))
        .await
        .expect(200);
    api.get("/api/auth/session", Auth::None)
        .await
        .error(401, "unauthenticated");
    api.get("/api/auth/session", Auth::None)
        .await
        .error(401, "unauthenticated");
    api.get("/no/such/route", Auth::None).await.error(404, "no_route");

    let r = api.get("/metrics", Auth::None).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = &r.body;
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
    };
    assert_eq!(
        value("mosaic_http_requests_total{method=\"GET\",route=\"/api/auth/session\",status=\"401\"}"),
        2.0
    );
    assert_eq!(
        value("mosaic_http_requests_total{method=\"POST\",route=\"/api/providers\",status=\"201\"}"),
        1.0
    );
    assert_eq!(
        value("mosaic_http_requests_total{method=\"GET\",route=\"/api/providers/{id}\",status=\"200\"}"),
        1.0
    );
    assert_eq!(
        value("mosaic_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"),
        1.0
    );
    assert_eq!(
        value("mosaic_http_request_duration_seconds_count{method=\"GET\",route=\"/api/auth/session\"}"),
        2.0
    );
    assert_eq!(
        value("mosaic_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/auth/session\",le=\"+Inf\"}"),
        2.0
    );
    assert!(!text.contains(id), "a concrete id became a label");
    // The hooks the chat proxy and the container manager report through.
    assert_eq!(value("mosaic_proxy_active_streams"), 0.0);
    assert_eq!(value("mosaic_proxy_upstream_latency_seconds_count"), 0.0);
    assert_eq!(value("mosaic_containers{kind=\"user\",state=\"running\"}"), 0.0);
    assert_eq!(value("mosaic_containers{kind=\"system\",state=\"stopped\"}"), 0.0);
    for family in [
        "mosaic_container_starts_total counter",
        "mosaic_container_reaps_total counter",
        "mosaic_build_info gauge",
    ] {
        assert!(text.contains(&format!("# TYPE {family}")), "no {family}");
    }
    // Every line is a comment or `name{labels} value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, number) = line.rsplit_once(' ').unwrap_or_else(|| panic!("bad line {line:?}"));
        assert!(number.parse::<f64>().is_ok(), "bad value in {line:?}");
    }
}

/// Follows a local `$ref` to its target.
fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference
        .strip_prefix('#')
        .unwrap_or_else(|| panic!("non-local $ref {reference}"));
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("dangling $ref {reference}"))
}

fn check_refs(doc: &Value, node: &Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                resolve(doc, r);
            }
            map.values().for_each(|v| check_refs(doc, v));
        }
        Value::Array(items) => items.iter().for_each(|v| check_refs(doc, v)),
        _ => {}
    }
}

pub async fn openapi(backend: Backend) {
    let w = World::start(backend).await;
    let committed = std::fs::read_to_string(workspace_root().join("mosaicd/openapi.json")).expect("committed document");
    let served = w.api.get("/api/openapi.json", Auth::None).await;
    assert_eq!(served.status.as_u16(), 200);
    assert_eq!(served.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(served.body, committed, "the served document is not the committed one");
    let doc: Value = serde_json::from_str(&committed).expect("the document is JSON");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    check_refs(&doc, &doc);

    let methods = ["get", "put", "post", "patch", "delete"];
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().unwrap() {
            assert!(methods.contains(&method.as_str()), "{path}: unexpected key {method}");
            let responses = operation["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path}: no responses"));
            // A browser route may succeed with a redirect (the OIDC login).
            assert!(
                responses.keys().any(|s| s.starts_with('2') || s.starts_with('3')),
                "{method} {path}: no success response"
            );
            for (status, response) in responses {
                // Readiness reports each check, failing or not, in its own shape; the chat proxy
                // passes the agent's own errors (OpenClaw's shape) through beside mosaicd's;
                // redirects have no body.
                let error = !status.starts_with('2') && !status.starts_with('3');
                if error && path != "/readyz" {
                    let schema = response.pointer("/content/application~1json/schema");
                    let either = json!({ "oneOf": [
                        { "$ref": "#/components/schemas/Error" },
                        { "$ref": "#/components/schemas/AgentError" },
                    ] });
                    assert!(
                        schema == Some(&json!({ "$ref": "#/components/schemas/Error" }))
                            || (path == "/api/chat/completions" && schema == Some(&either)),
                        "{method} {path} {status}: errors use the Error schema"
                    );
                }
            }
            for param in path_params(path) {
                let params = operation["parameters"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {path}: no parameters"));
                assert!(
                    params.iter().any(|p| p["name"] == param && p["in"] == "path"),
                    "{method} {path}: parameter {param} undocumented"
                );
            }
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let served_routes: BTreeSet<(String, String)> = mosaicd::http::endpoints()
        .iter()
        .map(|e| (e.method.to_string(), e.pattern.to_string()))
        .collect();
    let undocumented: Vec<_> = served_routes.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served_routes).collect();
    assert!(undocumented.is_empty(), "served but not documented: {undocumented:?}");
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");

    // And over the wire: every documented operation reaches a handler (no 404/405 from the router).
    for (method, path) in &documented {
        let concrete = path_params(path).iter().fold(path.clone(), |p, name| {
            p.replace(&format!("{{{name}}}"), "00000000-0000-0000-0000-000000000000")
        });
        let r = w
            .api
            .call(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &concrete,
                Auth::Session(&w.admin),
                Some(&json!({})),
            )
            .await;
        if r.header("content-type").as_deref() == Some("application/json") && r.status.is_client_error() {
            let code = r.json()["error"]["code"].as_str().unwrap_or_default().to_string();
            assert!(
                code != "no_route" && code != "method_not_allowed",
                "{method} {path}: {r:?}"
            );
        }
    }
}

/// The `{…}` parameters of a path pattern.
fn path_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}

/// Every answer carries an `X-Request-Id`: a fresh one, or the client's when well formed; the
/// daemon's log lines for the request carry it with the route pattern and the user.
pub async fn request_ids(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let me = Auth::Session(&w.admin);
    let id_of = |r: &mosaic_tests::http::Resp| {
        r.header("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id: {r:?}"))
    };

    // Successes, errors (401, 404, 405) and a metrics scrape: each its own id.
    let mut ids = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let r = api.get("/api/auth/session", me).await;
        r.expect(200);
        ids.insert(id_of(&r));
    }
    let r = api.get("/api/auth/session", Auth::None).await;
    r.error(401, "unauthenticated");
    ids.insert(id_of(&r));
    let r = api.get("/no/such/route", Auth::None).await;
    r.error(404, "no_route");
    ids.insert(id_of(&r));
    let r = api.call(Method::POST, "/healthz", Auth::None, None).await;
    r.error(405, "method_not_allowed");
    ids.insert(id_of(&r));
    let r = api.get("/metrics", Auth::None).await;
    ids.insert(id_of(&r));
    assert_eq!(ids.len(), 7, "request ids repeat: {ids:?}");
    for id in &ids {
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }

    // A well-formed id from the client is kept, on a route with a parameter.
    let provider = api
        .post("/api/providers", me, &json!({ "name": "p", "type": "openai" }))
        .await
        .expect(201);
    let path = format!("/api/providers/{}", provider["id"].as_str().unwrap());
    let r = api
        .send(
            api.request(Method::GET, &path, me)
                .header("x-request-id", "client-req.42:a_b"),
        )
        .await;
    r.expect(200);
    assert_eq!(id_of(&r).as_str(), "client-req.42:a_b");

    // Malformed ones are replaced: too long, a control character, other punctuation.
    for bad in [
        "a".repeat(65),
        "a\tb".to_string(),
        "a b".to_string(),
        "a\"b".to_string(),
    ] {
        let r = api
            .send(api.request(Method::GET, &path, me).header("x-request-id", bad.as_str()))
            .await;
        r.expect(200);
        let id = id_of(&r);
        assert_ne!(id, bad);
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }

    // The daemon's log ties the request's line to its id, route and user.
    let log = w.daemon.log();
    let line = log
        .lines()
        .find(|l| l.contains("client-req.42:a_b") && l.contains("HTTP request"))
        .unwrap_or_else(|| panic!("no log line for the request id:\n{log}"));
    assert!(line.contains("/api/providers/{id}"), "{line}");
    assert!(line.contains(&w.admin.user_id), "{line}");
    assert!(line.contains("GET"), "{line}");
    // A generated id is in the log too.
    assert!(
        ids.iter().all(|id| log.contains(id.as_str())),
        "a generated request id is missing from the log:\n{log}"
    );

    // Admin socket calls run in a span too.
    w.daemon.ctl(&["status"]).ok();
    let log = w.daemon.log();
    assert!(
        log.lines()
            .any(|l| l.contains("rpc{request_id=") && l.contains("admin socket call")),
        "no rpc span in the log:\n{log}"
    );
}
