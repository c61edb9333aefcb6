//! Providers: CRUD, masking (a canary key never leaves in a response, the log, the audit log or
//! the database in plain text), connection tests against a fake OpenAI-compatible provider, the
//! egress policy; and the agent config's validation.

use mosaic_tests::DaemonOptions;
use mosaic_tests::fake_provider::{FakeProvider, MODELS, silent_server};
use mosaic_tests::http::{Api, Auth, Session};
use mosaicd::store::q;
use serde_json::{Value, json};

use super::{Backend, World, assert_absent, field};

fn canary() -> String {
    format!("sk-canary-{}", uuid::Uuid::new_v4().simple())
}

async fn create(api: &Api, who: &Session, body: Value) -> Value {
    api.post("/api/providers", Auth::Session(who), &body).await.expect(201)
}

async fn allow_private(w: &World, allow: bool) {
    let settings = w
        .api
        .patch(
            "/api/admin/settings",
            Auth::Session(&w.admin),
            &json!({ "allowPrivateProviderUrls": allow }),
        )
        .await
        .expect(200);
    assert_eq!(settings["allowPrivateProviderUrls"], allow);
}

pub async fn crud_and_masking(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let me = Auth::Session(&w.admin);
    let key = canary();
    let second_key = canary();

    let created = create(
        api,
        &w.admin,
        json!({
            "name": "my-openai", "displayName": "OpenAI (work)", "type": "openai",
            "baseUrl": "https://api.openai.example/v1/", "apiKey": key,
            "models": [{ "id": "gpt-4o", "name": "GPT-4o", "contextWindow": 128000, "maxTokens": 16384, "input": ["text", "image"] }]
        }),
    )
    .await;
    let id = field(&created, "id").to_string();
    assert_eq!(created["hasApiKey"], true);
    assert_eq!(created["apiKeyHint"], format!("sk-…{}", &key[key.len() - 4..]));
    assert_eq!(created["baseUrl"], "https://api.openai.example/v1");
    assert_eq!(created["apiType"], "openai-completions");
    assert_eq!(created["models"][0]["contextWindow"], 128000);
    assert!(created.get("apiKey").is_none() && created.get("userId").is_none());

    let list = api.get("/api/providers", me).await.expect(200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    let url = format!("/api/providers/{id}");
    assert_eq!(api.get(&url, me).await.expect(200), created);

    // Partial update keeps the key; a new key replaces it; null clears it.
    let renamed = api
        .patch(&url, me, &json!({ "displayName": "OpenAI" }))
        .await
        .expect(200);
    assert_eq!(renamed["displayName"], "OpenAI");
    assert_eq!(renamed["apiKeyHint"], created["apiKeyHint"]);
    let rekeyed = api.patch(&url, me, &json!({ "apiKey": second_key })).await.expect(200);
    assert_eq!(
        rekeyed["apiKeyHint"],
        format!("sk-…{}", &second_key[second_key.len() - 4..])
    );
    let cleared = api.patch(&url, me, &json!({ "apiKey": null })).await.expect(200);
    assert_eq!(cleared["hasApiKey"], false);
    assert!(cleared["apiKeyHint"].is_null());
    api.patch(&url, me, &json!({ "apiKey": key })).await.expect(200);

    // Validation.
    create(api, &w.admin, json!({ "name": "second", "type": "anthropic" })).await;
    let taken = api
        .patch(&url, me, &json!({ "name": "second" }))
        .await
        .error(409, "conflict");
    assert!(taken.contains("second"), "{taken}");
    api.post("/api/providers", me, &json!({ "name": "my-openai", "type": "openai" }))
        .await
        .error(409, "conflict");
    for (body, needle) in [
        (json!({ "name": "Bad Name", "type": "openai" }), "provider name"),
        (json!({ "name": "ok", "type": "custom" }), "baseUrl"),
        (json!({ "name": "ok", "type": "telepathy" }), "unknown variant"),
        (
            json!({ "name": "ok", "type": "openai", "apiType": "smoke-signals" }),
            "apiType",
        ),
        (
            json!({ "name": "ok", "type": "openai", "baseUrl": "ftp://x.example" }),
            "http or https",
        ),
        (json!({ "name": "ok", "type": "openai", "apiKey": "" }), "API key"),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "a" }, { "id": "a" }] }),
            "twice",
        ),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "a", "secret": 1 }] }),
            "unknown field",
        ),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "a", "maxTokens": 0 }] }),
            "maxTokens",
        ),
    ] {
        let message = api.post("/api/providers", me, &body).await.error(400, "invalid_input");
        assert!(message.contains(needle), "{body}: {message}");
    }
    // A failed request leaves nothing behind.
    assert_eq!(
        api.get("/api/providers", me)
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let anthropic = api
        .get("/api/providers", me)
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "second")
        .cloned()
        .unwrap();
    assert_eq!(anthropic["apiType"], "anthropic-messages");
    api.delete(&format!("/api/providers/{}", anthropic["id"].as_str().unwrap()), me)
        .await
        .expect(204);
    api.delete(&format!("/api/providers/{}", anthropic["id"].as_str().unwrap()), me)
        .await
        .error(404, "not_found");

    // The canaries: nowhere in responses, the log, the audit log, or the database in plain text.
    for canary in [&key, &second_key] {
        assert_absent(canary, &api.transcript(), "an HTTP response");
        assert_absent(canary, &w.daemon.log(), "the daemon log");
        assert_absent(canary, &w.audit_text().await, "the audit log");
    }
    let db = w.db().await;
    let stored: Vec<(Option<String>,)> = db.all(q("SELECT api_key FROM llm_provider")).await.unwrap();
    db.close().await;
    assert!(
        stored
            .iter()
            .all(|(k,)| k.as_deref().is_none_or(|k| k.starts_with("enc:v1:")))
    );
    if backend == Backend::Sqlite {
        for entry in std::fs::read_dir(&w.daemon.data_dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with("mosaic.db") {
                let bytes = std::fs::read(&path).unwrap();
                let text = String::from_utf8_lossy(&bytes);
                assert_absent(&key, &text, "the SQLite files");
                assert_absent(&second_key, &text, "the SQLite files");
            }
        }
    }
    let actions = w.audit_actions().await;
    for action in ["provider.create", "provider.update", "provider.delete"] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited");
    }
}

pub async fn connection_test(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let key = canary();
    let fake = FakeProvider::start(&key).await;
    let bob = w.member("bob@example.com").await;
    let me = Auth::Session(&bob);

    // Loopback is refused until an admin allows private provider URLs.
    let refused = api
        .post(
            "/api/providers",
            me,
            &json!({ "name": "local", "type": "custom", "baseUrl": fake.base_url(), "apiKey": key }),
        )
        .await
        .error(400, "invalid_input");
    assert!(
        refused.contains("loopback") && refused.contains("allowPrivateProviderUrls"),
        "{refused}"
    );
    allow_private(&w, true).await;

    let good = create(
        api,
        &bob,
        json!({ "name": "local", "type": "custom", "baseUrl": fake.base_url(), "apiKey": key }),
    )
    .await;
    let result = api
        .post_empty(&format!("/api/providers/{}/test", field(&good, "id")), me)
        .await
        .expect(200);
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(result["outcome"], "ok");
    assert_eq!(result["httpStatus"], 200);
    assert_eq!(result["models"], json!(MODELS));
    assert!(result["latencyMs"].as_u64().is_some(), "{result}");
    assert_eq!(result["url"], format!("{}/models", fake.base_url()));

    // A wrong key: a clear answer, and the provider's echo of the key is not passed on.
    let wrong_key = canary();
    let wrong = create(
        api,
        &bob,
        json!({ "name": "wrong", "type": "custom", "baseUrl": fake.base_url(), "apiKey": wrong_key }),
    )
    .await;
    let result = api
        .post_empty(&format!("/api/providers/{}/test", field(&wrong, "id")), me)
        .await
        .expect(200);
    assert_eq!(result["ok"], false);
    assert_eq!(result["outcome"], "unauthorized");
    assert_eq!(result["httpStatus"], 401);
    let message = field(&result, "message");
    assert!(
        message.contains("refused the API key (HTTP 401)") && message.contains("[redacted]"),
        "{message}"
    );

    // Ollama's native API lists its tags.
    let ollama = create(
        api,
        &bob,
        json!({ "name": "ollama", "type": "ollama", "baseUrl": format!("http://{}", fake.addr), "apiType": "ollama", "apiKey": key }),
    )
    .await;
    let result = api
        .post_empty(&format!("/api/providers/{}/test", field(&ollama, "id")), me)
        .await
        .expect(200);
    assert_eq!(result["models"], json!(MODELS), "{result}");

    // Nobody listening.
    let closed = mosaic_tests::daemon::free_port();
    let result = api
        .post(
            "/api/providers/test",
            me,
            &json!({ "type": "custom", "baseUrl": format!("http://127.0.0.1:{closed}/v1") }),
        )
        .await
        .expect(200);
    assert_eq!(result["outcome"], "unreachable", "{result}");
    assert!(field(&result, "message").contains("cannot connect"), "{result}");
    // A draft with the right key works before saving.
    let result = api
        .post(
            "/api/providers/test",
            me,
            &json!({ "type": "custom", "baseUrl": fake.base_url(), "apiKey": key }),
        )
        .await
        .expect(200);
    assert_eq!(result["ok"], true, "{result}");
    // A base URL that is not a models API.
    let result = api
        .post(
            "/api/providers/test",
            me,
            &json!({ "type": "custom", "baseUrl": format!("http://{}/elsewhere", fake.addr), "apiKey": key }),
        )
        .await
        .expect(200);
    assert_eq!(result["outcome"], "http_error");
    assert_eq!(result["httpStatus"], 404);
    // A provider without a base URL cannot be tested.
    let builtin = create(api, &bob, json!({ "name": "builtin", "type": "openai" })).await;
    let result = api
        .post_empty(&format!("/api/providers/{}/test", field(&builtin, "id")), me)
        .await
        .expect(200);
    assert_eq!(result["outcome"], "untestable");

    // Metadata and link-local addresses: never, whatever the admin setting.
    for url in [
        "http://169.254.169.254/latest",
        "http://[fe80::1]/v1",
        "http://metadata.google.internal/v1",
        "http://0xa9fea9fe/",
    ] {
        let message = api
            .post(
                "/api/providers",
                me,
                &json!({ "name": "meta", "type": "custom", "baseUrl": url }),
            )
            .await
            .error(400, "invalid_input");
        assert!(message.contains("never connects"), "{url}: {message}");
        let result = api
            .post("/api/providers/test", me, &json!({ "type": "custom", "baseUrl": url }))
            .await
            .expect(200);
        assert_eq!(result["outcome"], "blocked", "{url}: {result}");
    }

    // Withdrawing the setting blocks tests of saved loopback providers; nothing reaches them.
    allow_private(&w, false).await;
    let before = fake.requests();
    let result = api
        .post_empty(&format!("/api/providers/{}/test", field(&good, "id")), me)
        .await
        .expect(200);
    assert_eq!(result["outcome"], "blocked", "{result}");
    assert!(field(&result, "message").contains("loopback"), "{result}");
    assert_eq!(fake.requests(), before, "a blocked test reached the provider");

    for canary in [&key, &wrong_key] {
        assert_absent(canary, &api.transcript(), "an HTTP response");
        assert_absent(canary, &w.daemon.log(), "the daemon log");
        assert_absent(canary, &w.audit_text().await, "the audit log");
    }
}

pub async fn connection_timeout(backend: Backend) {
    let w = World::start_with(
        backend,
        DaemonOptions::default().arg("--provider-test-timeout").arg("1"),
    )
    .await;
    allow_private(&w, true).await;
    let silent = silent_server().await;
    let started = std::time::Instant::now();
    let result = w
        .api
        .post(
            "/api/providers/test",
            Auth::Session(&w.admin),
            &json!({ "type": "custom", "baseUrl": format!("http://{silent}/v1"), "apiKey": "sk-whatever-123456" }),
        )
        .await
        .expect(200);
    assert_eq!(result["outcome"], "timeout", "{result}");
    assert_eq!(result["ok"], false);
    assert!(field(&result, "message").contains("no answer within 1 s"), "{result}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

pub async fn agent_config(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let bob = w.member("bob@example.com").await;
    let carol = w.member("carol@example.com").await;
    let me = Auth::Session(&bob);
    let mine = create(api, &bob, json!({ "name": "mine", "type": "openai" })).await;
    let theirs = create(api, &carol, json!({ "name": "theirs", "type": "openai" })).await;

    let empty = api.get("/api/agent-config", me).await.expect(200);
    assert_eq!(
        empty,
        json!({ "primaryModel": null, "fallbackModels": [], "personality": null, "providerId": null, "updatedAt": null })
    );
    let config = json!({
        "primaryModel": "mine/gpt-4o",
        "fallbackModels": ["mine/gpt-4o-mini", "zai/glm-5"],
        "personality": "# SOUL\nYou are terse.",
        "providerId": mine["id"],
    });
    let saved = api.put("/api/agent-config", me, &config).await.expect(200);
    assert_eq!(saved["primaryModel"], "mine/gpt-4o");
    assert_eq!(saved["fallbackModels"], json!(["mine/gpt-4o-mini", "zai/glm-5"]));
    assert_eq!(saved["providerId"], mine["id"]);
    assert!(saved["updatedAt"].is_string());

    // Someone else's provider is "not found", and nothing changes.
    let mut foreign = config.clone();
    foreign["providerId"] = theirs["id"].clone();
    foreign["personality"] = json!("changed");
    let message = api.put("/api/agent-config", me, &foreign).await.error(404, "not_found");
    assert_eq!(message, "provider not found");
    assert_eq!(api.get("/api/agent-config", me).await.expect(200), saved);

    for (body, needle) in [
        (json!({ "primaryModel": "gpt-4o" }), "<provider>/<model>"),
        (json!({ "primaryModel": "a/b", "fallbackModels": ["a/b"] }), "twice"),
        (
            json!({ "fallbackModels": ["x/1","x/2","x/3","x/4","x/5","x/6","x/7","x/8","x/9","x/10","x/11"] }),
            "at most 10",
        ),
        (json!({ "userId": carol.user_id }), "unknown field `userId`"),
        (json!({ "personality": "x".repeat(70 * 1024) }), "too long"),
    ] {
        let message = api
            .put("/api/agent-config", me, &body)
            .await
            .error(400, "invalid_input");
        assert!(message.contains(needle), "{needle}: {message}");
    }
    api.put(
        "/api/agent-config",
        me,
        &json!({ "personality": "x".repeat(300 * 1024) }),
    )
    .await
    .error(413, "payload_too_large");
    assert_eq!(api.get("/api/agent-config", me).await.expect(200), saved);

    // Deleting the default provider unsets it.
    api.delete(&format!("/api/providers/{}", field(&mine, "id")), me)
        .await
        .expect(204);
    assert!(api.get("/api/agent-config", me).await.expect(200)["providerId"].is_null());
    // The full replacement clears what is absent.
    let minimal = api.put("/api/agent-config", me, &json!({})).await.expect(200);
    assert!(minimal["primaryModel"].is_null() && minimal["personality"].is_null());
    assert!(w.audit_actions().await.iter().any(|a| a == "agent_config.update"));
    // The personality is not audited.
    assert_absent("You are terse.", &w.audit_text().await, "the audit log");
}

/// A stored key is bound to the origin it was saved for: moving the base URL to another origin
/// without the key is refused (and nothing reaches the new origin); a new path on the same origin
/// keeps the key; the key given again moves it.
pub async fn key_bound_to_origin(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    allow_private(&w, true).await;
    let key = canary();
    let saved_for = FakeProvider::start(&key).await;
    let elsewhere = FakeProvider::start(&key).await;
    let me = Auth::Session(&w.admin);
    let created = create(
        api,
        &w.admin,
        json!({ "name": "bound", "type": "custom", "baseUrl": saved_for.base_url(), "apiKey": key }),
    )
    .await;
    let url = format!("/api/providers/{}", field(&created, "id"));

    let message = api
        .patch(&url, me, &json!({ "baseUrl": elsewhere.base_url() }))
        .await
        .error(400, "api_key_required");
    assert!(message.contains("API key again"), "{message}");
    // Another port on the same host is another origin; so is the built-in endpoint.
    let other_port = format!("http://{}:1/v1", saved_for.addr.ip());
    api.patch(&url, me, &json!({ "baseUrl": other_port }))
        .await
        .error(400, "api_key_required");
    api.patch(&url, me, &json!({ "type": "openai", "baseUrl": null }))
        .await
        .error(400, "api_key_required");
    assert_eq!(api.get(&url, me).await.expect(200)["baseUrl"], saved_for.base_url());
    let result = api.post_empty(&format!("{url}/test"), me).await.expect(200);
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(elsewhere.requests(), 0, "the stored key reached another origin");

    // Another path on the same origin keeps the key.
    let moved = api
        .patch(
            &url,
            me,
            &json!({ "baseUrl": format!("http://{}/elsewhere/v1", saved_for.addr) }),
        )
        .await
        .expect(200);
    assert_eq!(moved["hasApiKey"], true);
    // With the key given again, or cleared, the origin may change.
    let moved = api
        .patch(&url, me, &json!({ "baseUrl": elsewhere.base_url(), "apiKey": key }))
        .await
        .expect(200);
    assert_eq!(moved["baseUrl"], elsewhere.base_url());
    let result = api.post_empty(&format!("{url}/test"), me).await.expect(200);
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(elsewhere.requests(), 1);
    let cleared = api
        .patch(&url, me, &json!({ "baseUrl": saved_for.base_url(), "apiKey": null }))
        .await
        .expect(200);
    assert_eq!(cleared["hasApiKey"], false);
    assert_eq!(
        api.patch(&url, me, &json!({ "baseUrl": elsewhere.base_url() }))
            .await
            .expect(200)["baseUrl"],
        elsewhere.base_url()
    );
}

/// A base URL whose host name resolves to a refused address is refused when it is saved (created
/// or patched), with the connection test's own sentence, unless an administrator allows private
/// provider URLs. A name that does not resolve at save time is saved; each connection checks it
/// again. The name used is this machine's own, which resolves to a loopback or private address.
pub async fn base_url_name_checked_at_save(backend: Backend) {
    use std::net::{IpAddr, ToSocketAddrs};
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let found: Vec<IpAddr> = (name.as_str(), 80)
        .to_socket_addrs()
        .unwrap_or_else(|e| panic!("this machine's name {name} does not resolve: {e}"))
        .map(|a| a.ip())
        .collect();
    let non_public = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    assert!(
        !found.is_empty() && found.iter().all(non_public),
        "this test needs the machine's name to resolve to loopback or private addresses: {name} is {found:?}"
    );

    let w = World::start(backend).await;
    let api = &w.api;
    let bob = w.member("bob@example.com").await;
    let me = Auth::Session(&bob);
    let named = format!("http://{name}:11434/v1");

    let test = api
        .post(
            "/api/providers/test",
            me,
            &json!({ "type": "custom", "baseUrl": named }),
        )
        .await
        .expect(200);
    assert_eq!(test["outcome"], "blocked", "{test}");
    let refused = api
        .post(
            "/api/providers",
            me,
            &json!({ "name": "named", "type": "custom", "baseUrl": named }),
        )
        .await
        .error(400, "invalid_input");
    // The same rule and sentence as the connection test, the same code as a literal address.
    assert_eq!(refused, format!("base URL {}", field(&test, "message")), "{test}");
    assert!(
        refused.contains(&name) && refused.contains("allowPrivateProviderUrls"),
        "{refused}"
    );

    // A patch to such a name is refused too, and changes nothing.
    let public = create(
        api,
        &bob,
        json!({ "name": "public", "type": "custom", "baseUrl": "https://api.example.com/v1" }),
    )
    .await;
    let url = format!("/api/providers/{}", field(&public, "id"));
    let patched = api
        .patch(&url, me, &json!({ "baseUrl": named }))
        .await
        .error(400, "invalid_input");
    assert_eq!(patched, refused);
    assert_eq!(
        api.get(&url, me).await.expect(200)["baseUrl"],
        "https://api.example.com/v1"
    );

    // A name that does not resolve now is saved; its connection test says it cannot be reached.
    let unresolved = create(
        api,
        &bob,
        json!({ "name": "later", "type": "custom", "baseUrl": "http://mosaic-no-such-host.invalid/v1" }),
    )
    .await;
    let test = api
        .post_empty(&format!("/api/providers/{}/test", field(&unresolved, "id")), me)
        .await
        .expect(200);
    assert_eq!(test["outcome"], "unreachable", "{test}");

    // With private provider URLs allowed (a local LLM), the name saves.
    allow_private(&w, true).await;
    create(
        api,
        &bob,
        json!({ "name": "named", "type": "custom", "baseUrl": named }),
    )
    .await;
}
