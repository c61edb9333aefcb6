//! Admin settings: OIDC (secret write-only, encrypted at rest) and the member/admin boundary.

use mosaic_tests::http::Auth;
use mosaicd::store::q;
use serde_json::json;

use super::{Backend, World, assert_absent};

pub async fn oidc_settings(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let admin = Auth::Session(&w.admin);
    let secret = format!("oidc-canary-{}", uuid::Uuid::new_v4().simple());

    let empty = api.get("/api/admin/oidc", admin).await.expect(200);
    assert_eq!(empty["configured"], false);
    assert_eq!(empty["clientSecretSet"], false);

    let saved = api
        .put(
            "/api/admin/oidc",
            admin,
            &json!({ "issuerUrl": "https://id.example.com/realms/mosaic", "clientId": "mosaic-webui", "clientSecret": secret }),
        )
        .await
        .expect(200);
    assert_eq!(saved["configured"], true);
    assert_eq!(saved["issuerUrl"], "https://id.example.com/realms/mosaic");
    assert_eq!(saved["clientId"], "mosaic-webui");
    assert_eq!(saved["clientSecretSet"], true);
    assert_eq!(saved["clientSecretHint"], format!("…{}", &secret[secret.len() - 4..]));
    // Without a secret, the stored one is kept.
    let kept = api
        .put(
            "/api/admin/oidc",
            admin,
            &json!({ "issuerUrl": "http://localhost:9400", "clientId": "other" }),
        )
        .await
        .expect(200);
    assert_eq!(kept["clientSecretHint"], saved["clientSecretHint"]);
    assert_eq!(api.get("/api/admin/oidc", admin).await.expect(200), kept);

    for body in [
        json!({ "issuerUrl": "http://id.example.com", "clientId": "x" }),
        json!({ "issuerUrl": "not a url", "clientId": "x" }),
        json!({ "issuerUrl": "https://id.example.com", "clientId": "" }),
        json!({ "issuerUrl": "https://id.example.com", "clientId": "x", "clientSecret": "" }),
        json!({ "issuerUrl": "https://id.example.com", "clientId": "x", "enabled": true }),
    ] {
        api.put("/api/admin/oidc", admin, &body)
            .await
            .error(400, "invalid_input");
    }

    // Encrypted at rest, bound to its key; never in a response, the log or the audit log.
    let db = w.db().await;
    let (value, encrypted): (String, bool) = db
        .one(q(
            "SELECT value, encrypted FROM system_config WHERE key = 'oidc.clientSecret'",
        ))
        .await
        .unwrap();
    db.close().await;
    assert!(encrypted && value.starts_with("enc:v1:"), "{value}");
    // The login flow reads it back through the service layer, with the daemon's key.
    if backend == Backend::Sqlite {
        let data_dir = w.daemon.data_dir.to_str().unwrap().to_string();
        let config = mosaicd::config::Config::resolve_with_env(
            <mosaicd::cli::Args as clap::Parser>::parse_from(["mosaicd", "--data-dir", &data_dir]),
            |_| None,
        )
        .unwrap();
        let (keyring, _) = mosaicd::secrets::load(None, &config.secret_key_file).unwrap();
        let app = mosaicd::app::App::new(config, w.db().await, keyring);
        assert_eq!(
            app.oidc().oidc_client_secret().await.unwrap().as_deref(),
            Some(secret.as_str())
        );
        app.db().close().await;
    }
    assert_absent(&secret, &api.transcript(), "an HTTP response");
    assert_absent(&secret, &w.daemon.log(), "the daemon log");
    assert_absent(&secret, &w.audit_text().await, "the audit log");

    api.delete("/api/admin/oidc", admin).await.expect(204);
    let gone = api.get("/api/admin/oidc", admin).await.expect(200);
    assert_eq!(gone["configured"], false);
    assert_eq!(gone["clientSecretSet"], false);
    // Breakglass login is unaffected by any of it.
    api.login("admin", super::PASSWORD).await;
}

pub async fn members_are_refused(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let bob = w.member("bob@example.com").await;
    let m = Auth::Session(&bob);
    let target = format!("/api/admin/users/{}", w.admin.user_id);
    for r in [
        api.get("/api/admin/users", m).await,
        api.get(&target, m).await,
        api.patch(&target, m, &json!({ "name": "x" })).await,
        api.post_empty(&format!("{target}/deactivate"), m).await,
        api.post_empty(&format!("{target}/reactivate"), m).await,
        api.post("/api/admin/users/invite", m, &json!({ "email": "x@example.com" }))
            .await,
        api.get("/api/admin/oidc", m).await,
        api.put(
            "/api/admin/oidc",
            m,
            &json!({ "issuerUrl": "https://x.example", "clientId": "x" }),
        )
        .await,
        api.delete("/api/admin/oidc", m).await,
        api.get("/api/admin/settings", m).await,
        api.patch("/api/admin/settings", m, &json!({ "allowPrivateProviderUrls": true }))
            .await,
        api.get("/api/admin/containers", m).await,
        api.get("/api/admin/system-agents", m).await,
        api.post(
            "/api/admin/system-agents",
            m,
            &json!({ "name": "x", "role": "x", "primaryModel": "p/m" }),
        )
        .await,
        api.delete("/api/admin/system-agents/x", m).await,
    ] {
        r.error(403, "forbidden");
    }
    // Unauthenticated: 401 on every admin route.
    api.get("/api/admin/users", Auth::None)
        .await
        .error(401, "unauthenticated");
    api.get("/api/admin/settings", Auth::None)
        .await
        .error(401, "unauthenticated");
    // Nothing changed.
    let settings = api
        .get("/api/admin/settings", Auth::Session(&w.admin))
        .await
        .expect(200);
    assert_eq!(settings["allowPrivateProviderUrls"], false);
    assert_eq!(
        api.get(&target, Auth::Session(&w.admin)).await.expect(200)["name"],
        "admin"
    );
}

/// The agent containers' image, timeouts and limits in the system settings: defaults, a partial
/// change, and the rules of `mosaicctl config` (same messages), all or nothing.
pub async fn agent_runtime_settings(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let admin = Auth::Session(&w.admin);
    let settings = api.get("/api/admin/settings", admin).await.expect(200);
    assert_eq!(
        settings["agent"],
        json!({ "image": "ghcr.io/openclaw/openclaw:2026.5.22", "entrypoint": "script", "idleTimeoutMin": 30,
                "startTimeoutSec": 120, "stopTimeoutSec": 10, "memoryMb": 2048, "cpus": 1.0, "pidsLimit": 512 })
    );

    // A new image must be on the engine (or in its registry): the test-agent image is.
    let image = &mosaic_tests::docker::images().normal;
    let changed = api
        .patch(
            "/api/admin/settings",
            admin,
            &json!({ "agent": { "image": image, "idleTimeoutMin": 5, "cpus": 0.5 } }),
        )
        .await
        .expect(200);
    assert_eq!(changed["agent"]["image"], image.as_str());
    assert_eq!(changed["agent"]["idleTimeoutMin"], 5);
    assert_eq!(changed["agent"]["cpus"], 0.5);
    assert_eq!(changed["agent"]["memoryMb"], 2048, "absent fields are kept");
    assert_eq!(changed["webuiOrigins"], json!([]));

    // Refused with the rule's words; nothing of a refused patch is written.
    for (patch, words) in [
        (
            json!({ "idleTimeoutMin": -1 }),
            "agent.idle_timeout_min: must be a whole number from 0 to 10080",
        ),
        (
            json!({ "memoryMb": 1 }),
            "agent.memory_mb: must be a whole number from 64 to 1048576",
        ),
        (
            json!({ "cpus": 0 }),
            "agent.cpus: must be a number of CPUs between 0.01 and 1024",
        ),
        (
            json!({ "entrypoint": "shell" }),
            "agent.entrypoint: must be 'script' or 'image'",
        ),
        (
            json!({ "image": "not an image" }),
            "agent.image: must be a Docker image reference",
        ),
    ] {
        let m = api
            .patch(
                "/api/admin/settings",
                admin,
                &json!({ "webuiOrigins": ["https://ui.example.com"], "agent": patch }),
            )
            .await
            .error(400, "invalid_input");
        assert!(m.starts_with(words), "{m}");
    }
    api.patch("/api/admin/settings", admin, &json!({ "agent": { "imageTag": "x" } }))
        .await
        .error(400, "invalid_input");
    assert_eq!(api.get("/api/admin/settings", admin).await.expect(200), changed);

    // What the container manager reads is what the admin set.
    let db = w.db().await;
    let loaded = mosaicd::containers::settings::load(&db).await.unwrap();
    db.close().await;
    assert_eq!(&loaded.image, image);
    assert_eq!(loaded.idle_timeout_min, 5);
    assert_eq!(loaded.nano_cpus, 500_000_000);
    // Audited as `mosaicctl config set` audits it.
    assert!(w.audit_actions().await.contains(&"agent_settings.update".to_string()));

    // The ranges agents may reach through the egress proxy: normalized, and never a forbidden one.
    assert_eq!(changed["agentAllowedRanges"], json!([]));
    let ranges = api
        .patch(
            "/api/admin/settings",
            admin,
            &json!({ "agentAllowedRanges": ["10.0.0.5", "192.168.1.0/24", "10.0.0.5/32"] }),
        )
        .await
        .expect(200);
    assert_eq!(ranges["agentAllowedRanges"], json!(["10.0.0.5/32", "192.168.1.0/24"]));
    for (range, words) in [
        ("169.254.169.254/32", "link-local"),
        ("10.0.0.1/8", "host bits"),
        ("0.0.0.0/0", "every address"),
        ("nearby", "not an address range"),
    ] {
        let m = api
            .patch("/api/admin/settings", admin, &json!({ "agentAllowedRanges": [range] }))
            .await
            .error(400, "invalid_input");
        assert!(m.starts_with("agents.allowedRanges: ") && m.contains(words), "{m}");
    }
    let now = api.get("/api/admin/settings", admin).await.expect(200);
    assert_eq!(now["agentAllowedRanges"], ranges["agentAllowedRanges"]);
}
