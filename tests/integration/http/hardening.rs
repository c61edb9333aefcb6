//! What a careless or hostile client gets: the one error shape for malformed JSON, smuggled
//! fields, wrong content types, invalid UTF-8, oversized bodies and headers, unknown routes and
//! methods; and CORS for the WebUI origin only.

use mosaic_tests::DaemonOptions;
use mosaic_tests::http::Auth;
use reqwest::Method;
use serde_json::json;

use super::{Backend, World};

pub async fn error_shapes(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let me = Auth::Session(&w.admin);
    let raw = |method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>| {
        let mut r = api.request(method, path, me).body(body);
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        r
    };

    let m = api
        .send(raw(
            Method::POST,
            "/api/providers",
            Some("application/json"),
            b"{\"name\":".to_vec(),
        ))
        .await
        .error(400, "invalid_input");
    assert!(m.starts_with("malformed JSON"), "{m}");
    let m = api
        .send(raw(
            Method::POST,
            "/api/providers",
            Some("application/json"),
            b"{\"name\":1}".to_vec(),
        ))
        .await
        .error(400, "invalid_input");
    assert!(m.starts_with("invalid request body"), "{m}");
    // serde could fill a struct from an array; the API takes objects only.
    let m = api
        .send(raw(
            Method::PATCH,
            &format!("/api/admin/users/{}", w.admin.user_id),
            Some("application/json"),
            b"[\"x\", null]".to_vec(),
        ))
        .await
        .error(400, "invalid_input");
    assert_eq!(m, "the request body must be a JSON object");
    let m = api
        .send(raw(
            Method::POST,
            "/api/providers",
            Some("application/json"),
            Vec::new(),
        ))
        .await
        .error(400, "invalid_input");
    assert!(m.contains("empty"), "{m}");
    let m = api
        .send(raw(
            Method::POST,
            "/api/providers",
            Some("application/json"),
            b"{\"name\":\"\xff\xfe\",\"type\":\"openai\"}".to_vec(),
        ))
        .await
        .error(400, "invalid_input");
    assert!(m.contains("UTF-8"), "{m}");
    // A misplaced value is not echoed (it could be a key).
    for body in [
        json!({ "name": "p", "type": "sk-should-not-echo-999" }),
        json!({ "name": "p", "type": "openai", "isActive": "sk-should-not-echo-999" }),
    ] {
        let m = api.post("/api/providers", me, &body).await.error(400, "invalid_input");
        assert!(!m.contains("sk-should-not-echo-999") && m.contains("line 1"), "{m}");
    }

    // Smuggling an owner, a role or an id.
    for (path, body) in [
        (
            "/api/providers",
            json!({ "name": "p", "type": "openai", "userId": w.admin.user_id }),
        ),
        (
            "/api/providers",
            json!({ "name": "p", "type": "openai", "id": "chosen-id" }),
        ),
        (
            "/api/providers",
            json!({ "name": "p", "type": "openai", "ownerId": "x" }),
        ),
        (
            "/api/auth/login",
            json!({ "username": "admin", "password": super::PASSWORD, "role": "admin" }),
        ),
        (
            "/api/auth/invite/accept",
            json!({ "token": "msi_x", "password": super::PASSWORD, "role": "admin" }),
        ),
        (
            "/api/admin/users/invite",
            json!({ "email": "x@example.com", "id": "chosen" }),
        ),
        ("/api/tokens", json!({ "name": "t", "userId": "someone" })),
    ] {
        let m = api.post(path, me, &body).await.error(400, "invalid_input");
        assert!(m.contains("unknown field"), "{path}: {m}");
    }
    assert_eq!(api.get("/api/providers", me).await.expect(200), json!([]));
    assert_eq!(api.get("/api/tokens", me).await.expect(200), json!([]));
    assert_eq!(api.get("/api/admin/users", me).await.expect(200)["meta"]["total"], 1);

    // Content types.
    let body = b"{\"name\":\"p\",\"type\":\"openai\"}".to_vec();
    for ct in [
        Some("text/plain"),
        None,
        Some("application/json; charset=latin1"),
        Some("application/x-www-form-urlencoded"),
    ] {
        api.send(raw(Method::POST, "/api/providers", ct, body.clone()))
            .await
            .error(415, "unsupported_media_type");
    }
    api.send(raw(
        Method::POST,
        "/api/providers",
        Some("Application/JSON; charset=UTF-8"),
        body.clone(),
    ))
    .await
    .expect(201);

    // Routes and methods.
    let m = api.get("/api/nowhere", me).await.error(404, "no_route");
    assert!(m.contains("/api/nowhere"), "{m}");
    let r = api.call(Method::PUT, "/api/providers", me, Some(&json!({}))).await;
    r.error(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    api.get("/api/providers/has%2Fslash", me).await.error(404, "no_route");
    // Unauthenticated requests are refused before their body is looked at.
    api.send(
        api.request(Method::POST, "/api/providers", Auth::None)
            .body("{")
            .header("content-type", "application/json"),
    )
    .await
    .error(401, "unauthenticated");
    // Every answer carries the hardening headers.
    let r = api.get("/healthz", Auth::None).await;
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
}

pub async fn limits(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let me = Auth::Session(&w.admin);

    // Oversized bodies: declared, and streamed without a length.
    let big = format!(
        "{{\"name\":\"p\",\"type\":\"openai\",\"displayName\":\"{}\"}}",
        "x".repeat(100 * 1024)
    );
    let m = api
        .send(
            api.request(Method::POST, "/api/providers", me)
                .header("content-type", "application/json")
                .body(big.clone()),
        )
        .await
        .error(413, "payload_too_large");
    assert!(m.contains("64 KiB"), "{m}");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.into_bytes().chunks(8192).map(|c| Ok(c.to_vec())).collect();
    let streamed = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    api.send(
        api.request(Method::POST, "/api/providers", me)
            .header("content-type", "application/json")
            .body(streamed),
    )
    .await
    .error(413, "payload_too_large");
    assert_eq!(api.get("/api/providers", me).await.expect(200), json!([]));

    // Headers over 16 KiB: the JSON error; far over: hyper's own 431 before any routing.
    let m = api
        .send(
            api.request(Method::GET, "/api/auth/session", me)
                .header("x-padding", "a".repeat(20 * 1024)),
        )
        .await
        .error(431, "headers_too_large");
    assert!(m.contains("16 KiB"), "{m}");
    let huge = api
        .client
        .get(format!("{}/healthz", api.base))
        .header("x-padding", "a".repeat(100 * 1024))
        .send()
        .await;
    match huge {
        Ok(r) => assert_eq!(r.status().as_u16(), 431),
        // hyper may close the connection while the client is still writing the request.
        Err(e) => assert!(e.is_request() || e.is_connect(), "{e}"),
    }
    // The server is unaffected.
    api.get("/healthz", Auth::None).await.expect(200);
    // A header value that is not text.
    let r = api.request(Method::GET, "/api/auth/session", Auth::None).header(
        "authorization",
        reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
    );
    api.send(r).await.error(401, "unauthenticated");
}

pub async fn cors(backend: Backend) {
    const APP: &str = "https://app.example.com";
    const SECOND: &str = "https://second.example.com";
    const EVIL: &str = "https://evil.example.com";
    let w = World::start_with(backend, DaemonOptions::default().arg("--webui-origin").arg(APP)).await;
    let api = &w.api;
    let preflight = |origin: &'static str| {
        api.request(Method::OPTIONS, "/api/providers", Auth::None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, x-csrf-token")
    };

    let ok = api.send(preflight(APP)).await;
    assert_eq!(ok.status.as_u16(), 204, "{ok:?}");
    assert_eq!(ok.header("access-control-allow-origin").as_deref(), Some(APP));
    assert_eq!(ok.header("access-control-allow-credentials").as_deref(), Some("true"));
    assert!(ok.header("access-control-allow-methods").unwrap().contains("PATCH"));
    let allowed_headers = ok.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    assert!(allowed_headers.contains("x-csrf-token") && allowed_headers.contains("content-type"));

    let evil = api.send(preflight(EVIL)).await;
    evil.error(403, "cors_origin_not_allowed");
    for h in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
    ] {
        assert!(evil.header(h).is_none(), "{h} sent to another origin");
    }

    // Actual requests: credentials headers for the WebUI, none for others; caches vary by origin.
    let with_origin = |origin: &'static str| {
        api.request(Method::GET, "/api/auth/session", Auth::Session(&w.admin))
            .header("origin", origin)
    };
    let r = api.send(with_origin(APP)).await;
    r.expect(200);
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some(APP));
    assert_eq!(r.header("access-control-allow-credentials").as_deref(), Some("true"));
    assert!(r.header("vary").unwrap().contains("Origin"));
    let r = api.send(with_origin(EVIL)).await;
    assert!(
        r.header("access-control-allow-origin").is_none() && r.header("access-control-allow-credentials").is_none()
    );
    assert!(r.header("vary").unwrap().contains("Origin"));
    // Errors get the headers too, so the WebUI can read them.
    let r = api
        .send(
            api.request(Method::GET, "/api/providers", Auth::None)
                .header("origin", APP),
        )
        .await;
    r.error(401, "unauthenticated");
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some(APP));

    // An admin adds a second origin at runtime; it applies at once.
    assert!(
        api.send(preflight(SECOND))
            .await
            .header("access-control-allow-origin")
            .is_none()
    );
    let settings = api
        .patch(
            "/api/admin/settings",
            Auth::Session(&w.admin),
            &json!({ "webuiOrigins": ["https://Second.example.com/"] }),
        )
        .await
        .expect(200);
    assert_eq!(settings["webuiOrigins"], json!([SECOND]));
    assert_eq!(settings["daemonWebuiOrigins"], json!([APP]));
    let r = api.send(preflight(SECOND)).await;
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some(SECOND));
    api.patch(
        "/api/admin/settings",
        Auth::Session(&w.admin),
        &json!({ "webuiOrigins": ["https://x/path"] }),
    )
    .await
    .error(400, "invalid_input");
    // Invites link to the first WebUI origin.
    let invite = api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": "o@example.com" }),
        )
        .await
        .expect(201);
    assert!(
        invite["inviteUrl"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{APP}/accept-invite#token="))
    );
}
