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

/// Real answers, successes and errors, checked against the schemas the document gives for their
/// route and status: every key documented, every required key present, types, enums and bounds
/// as documented. The document is derived from the DTOs; this shows the derivation (and the hand
/// annotations on it: nullability, formats, limits) says what the daemon really sends.
pub async fn answers_match_schemas(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let me = Auth::Session(&w.admin);
    let doc: Value = serde_json::from_str(mosaicd::http::openapi::json()).unwrap();
    let check = |method: &str, pattern: &str, r: &mosaic_tests::http::Resp| {
        let status = r.status.as_u16().to_string();
        let answer = doc
            .pointer(&format!(
                "/paths/{}/{method}/responses/{status}",
                pattern.replace('/', "~1")
            ))
            .unwrap_or_else(|| panic!("{method} {pattern}: status {status} is not documented: {r:?}"));
        if let Some(schema) = answer.pointer("/content/application~1json/schema") {
            let mut errors = Vec::new();
            conforms(&doc, schema, &r.json(), "$", &mut errors);
            assert!(
                errors.is_empty(),
                "{method} {pattern} {status}: {errors:#?}\n{}",
                r.body
            );
        }
    };

    let provider = json!({
        "name": "p", "type": "openai", "baseUrl": "https://api.openai.example/v1",
        "apiKey": "sk-test-0123456789", "models": [{ "id": "gpt-x", "contextWindow": 1000 }],
    });
    let r = api.post("/api/providers", me, &provider).await;
    check("post", "/api/providers", &r);
    let id = r.json()["id"].as_str().unwrap().to_string();
    check(
        "get",
        "/api/providers/{id}",
        &api.get(&format!("/api/providers/{id}"), me).await,
    );
    check("get", "/api/providers", &api.get("/api/providers", me).await);
    check(
        "post",
        "/api/providers",
        &api.post("/api/providers", me, &provider).await,
    );
    check("get", "/api/auth/session", &api.get("/api/auth/session", me).await);
    check(
        "get",
        "/api/auth/session",
        &api.get("/api/auth/session", Auth::None).await,
    );
    let r = api
        .post("/api/tokens", me, &json!({ "name": "t", "expiresInDays": 3 }))
        .await;
    check("post", "/api/tokens", &r);
    check("get", "/api/tokens", &api.get("/api/tokens", me).await);
    let r = api
        .post("/api/admin/users/invite", me, &json!({ "email": "a@example.com" }))
        .await;
    check("post", "/api/admin/users/invite", &r);
    check("get", "/api/admin/users", &api.get("/api/admin/users", me).await);
    check("get", "/api/admin/users", &api.get("/api/admin/users?page=x", me).await);
    check("get", "/api/agent-config", &api.get("/api/agent-config", me).await);
    let r = api
        .put(
            "/api/agent-config",
            me,
            &json!({ "primaryModel": "p/gpt-x", "providerId": id }),
        )
        .await;
    check("put", "/api/agent-config", &r);
    check("get", "/api/admin/settings", &api.get("/api/admin/settings", me).await);
    check("get", "/api/admin/oidc", &api.get("/api/admin/oidc", me).await);
    check("get", "/api/auth/oidc", &api.get("/api/auth/oidc", Auth::None).await);
    check(
        "get",
        "/api/admin/oidc/provisioning",
        &api.get("/api/admin/oidc/provisioning", me).await,
    );
    check(
        "get",
        "/api/admin/containers",
        &api.get("/api/admin/containers", me).await,
    );
    check(
        "get",
        "/api/admin/system-agents",
        &api.get("/api/admin/system-agents", me).await,
    );
    check("get", "/api/usage", &api.get("/api/usage", me).await);
    check("get", "/api/admin/usage", &api.get("/api/admin/usage", me).await);
    check("get", "/api/models", &api.get("/api/models", me).await);
    check("get", "/healthz", &api.get("/healthz", Auth::None).await);
    let r = api
        .post(
            "/api/auth/login",
            Auth::None,
            &json!({ "username": "admin", "password": "wrong" }),
        )
        .await;
    check("post", "/api/auth/login", &r);

    // And the check itself refuses what the schemas do not say.
    let provider_ref = json!({ "$ref": "#/components/schemas/Provider" });
    let mut errors = Vec::new();
    conforms(
        &doc,
        &provider_ref,
        &json!({ "id": 1, "extra": true }),
        "$",
        &mut errors,
    );
    let text = format!("{errors:?}");
    for expected in [
        "$.id: 1 is not of type",
        "required name missing",
        "$.extra: not documented",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

/// Whether `value` conforms to `schema` (the subset of JSON Schema the document uses; patterns
/// and formats are not checked). Undocumented keys count as errors unless the schema allows any.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(Value::String(r)) = schema.get("$ref") {
        return conforms(doc, resolve(doc, r), value, at, errors);
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for part in parts {
            conforms_open(doc, part, value, at, errors);
        }
        let known: BTreeSet<String> = parts.iter().flat_map(|p| property_names(doc, p)).collect();
        if let Value::Object(map) = value {
            for key in map.keys().filter(|k| !known.contains(*k)) {
                errors.push(format!("{at}.{key}: not documented"));
            }
        }
        return;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(choices)) = schema.get(key) {
            let fits = choices.iter().any(|c| {
                let mut e = Vec::new();
                conforms(doc, c, value, at, &mut e);
                e.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: fits none of {key} {choices:?}: {value}"));
            }
            return;
        }
    }
    conforms_open(doc, schema, value, at, errors);
    if let (Value::Object(map), Some(Value::Object(props))) = (value, schema.get("properties"))
        && !schema.get("additionalProperties").is_some_and(Value::is_object)
    {
        for key in map.keys().filter(|k| !props.contains_key(*k)) {
            errors.push(format!("{at}.{key}: not documented"));
        }
    }
}

fn property_names(doc: &Value, schema: &Value) -> Vec<String> {
    match schema.get("$ref") {
        Some(Value::String(r)) => property_names(doc, resolve(doc, r)),
        _ => {
            let mut names: Vec<String> = schema["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            if let Some(Value::Array(parts)) = schema.get("allOf") {
                names.extend(parts.iter().flat_map(|p| property_names(doc, p)));
            }
            names
        }
    }
}

/// The checks of one schema that do not depend on the keys it leaves undocumented.
fn conforms_open(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if schema.get("$ref").is_some() || schema.get("allOf").is_some() {
        let mut inner = Vec::new();
        conforms(doc, schema, value, at, &mut inner);
        errors.extend(inner.into_iter().filter(|e| !e.ends_with(": not documented")));
        return;
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !fits {
            errors.push(format!("{at}: {value} is not of type {types:?}"));
            return;
        }
    }
    if let Some(Value::Array(words)) = schema.get("enum")
        && !words.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {words:?}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), value.as_f64())
        && n < min
    {
        errors.push(format!("{at}: {n} < minimum {min}"));
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(Value::as_f64), value.as_f64())
        && n > max
    {
        errors.push(format!("{at}: {n} > maximum {max}"));
    }
    if let Value::Object(map) = value {
        for key in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(key) {
                errors.push(format!("{at}: required {key} missing"));
            }
        }
        for (key, v) in map {
            let sub = schema
                .pointer(&format!("/properties/{key}"))
                .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
            if let Some(sub) = sub {
                conforms(doc, sub, v, &format!("{at}.{key}"), errors);
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            conforms(doc, item, v, &format!("{at}[{i}]"), errors);
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
