//! First boot and the WebUI's onboarding endpoints, over real HTTP and the real socket: the setup
//! token in the log, its refusals, each step's validation, status, an interrupted onboarding
//! resumed after a restart, 409 after completion; and the onboarding RPCs the terminal wizard
//! uses.

use std::time::Duration;

use libtest_mimic::Trial;
use mosaic_shared::ErrorKind;
use mosaic_shared::types::{SkippableStep, StepState};
use mosaic_tests::fake_provider::FakeProvider;
use mosaic_tests::http::{Api, Auth, Resp};
use mosaic_tests::{Daemon, DaemonOptions, oidc, postgres, trial};
use mosaicd::store::{Db, q};
use reqwest::Method;
use serde_json::{Value, json};

const HEADER: &str = "x-mosaic-setup-token";
const PASSWORD: &str = "correct horse battery";

pub fn trials() -> Vec<Trial> {
    vec![
        trial("onboarding::first_boot_prints_setup_token", first_boot_token),
        trial("onboarding::setup_token_is_required", token_required),
        trial("onboarding::steps_resume_and_complete", || steps(false)),
        trial("onboarding::postgres::steps_resume_and_complete", || steps(true)),
        trial("onboarding::setup_token_expires", token_expires),
        trial("onboarding::rpc_for_the_wizard", rpc),
        trial("onboarding::webui_origin_may_send_the_token", cors),
    ]
}

/// Every setup token the daemon logged, oldest first.
pub fn logged_tokens(log: &str) -> Vec<String> {
    log.match_indices("setup_token=")
        .map(|(i, m)| {
            log[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                .collect::<String>()
        })
        .collect()
}

#[track_caller]
fn last_token(daemon: &Daemon) -> String {
    logged_tokens(&daemon.log())
        .pop()
        .unwrap_or_else(|| panic!("no setup token in the log:\n{}", daemon.log()))
}

/// The WebUI's side of onboarding: requests with (or without) the setup token.
pub struct Setup {
    pub api: Api,
    pub token: Option<String>,
}

impl Setup {
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        let mut r = self.api.request(method, path, Auth::None);
        if let Some(token) = &self.token {
            r = r.header(HEADER, token);
        }
        if let Some(body) = body {
            r = r.json(body);
        }
        self.api.send(r).await
    }

    pub async fn status(&self) -> Value {
        self.call(Method::GET, "/api/onboarding/status", None).await.expect(200)
    }
}

/// Every onboarding route with a body it would accept.
fn routes(fake_url: &str) -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/api/onboarding/status", None),
        (
            Method::POST,
            "/api/onboarding/breakglass",
            Some(json!({ "username": "admin", "password": PASSWORD })),
        ),
        (
            Method::POST,
            "/api/onboarding/oidc/check",
            Some(json!({ "issuerUrl": "http://127.0.0.1:9" })),
        ),
        (
            Method::PUT,
            "/api/onboarding/oidc",
            Some(json!({ "issuerUrl": "http://127.0.0.1:9", "clientId": "x" })),
        ),
        (Method::POST, "/api/onboarding/oidc/skip", None),
        (
            Method::POST,
            "/api/onboarding/provider/test",
            Some(json!({ "type": "custom", "baseUrl": fake_url })),
        ),
        (
            Method::PUT,
            "/api/onboarding/provider",
            Some(json!({ "name": "p", "type": "custom", "baseUrl": fake_url })),
        ),
        (Method::POST, "/api/onboarding/system-agents/skip", None),
        (Method::POST, "/api/onboarding/complete", None),
    ]
}

async fn first_boot_token() {
    let mut daemon = Daemon::start();
    let first = last_token(&daemon);
    assert!(first.starts_with("mst_") && first.len() > 40, "{first}");
    assert!(
        daemon.log().contains("onboarding is not complete"),
        "the log says why there is a token"
    );
    assert_eq!(daemon.ctl(&["status", "--json"]).json()["onboardingComplete"], false);
    let api = Api::new(&daemon);
    let with = |token: &str| Setup {
        api: api.clone(),
        token: Some(token.to_string()),
    };
    with(&first).status().await;

    // Only a hash is kept, so each start issues a new token and the old one stops working.
    daemon.restart();
    let second = last_token(&daemon);
    assert_ne!(first, second);
    assert_eq!(logged_tokens(&daemon.log()).len(), 2);
    with(&first)
        .call(Method::GET, "/api/onboarding/status", None)
        .await
        .error(401, "setup_token_invalid");
    with(&second).status().await;

    // A local admin gets a fresh one over the socket; it replaces the logged one.
    let out = daemon.ctl(&["admin", "setup-token"]);
    let third = out.ok().trim().to_string();
    assert!(third.starts_with("mst_"), "{out:?}");
    assert!(out.stderr.contains("valid until"), "{out:?}");
    with(&second)
        .call(Method::GET, "/api/onboarding/status", None)
        .await
        .error(401, "setup_token_invalid");
    with(&third).status().await;
    let json = daemon.ctl(&["admin", "setup-token", "--json"]).json();
    let fourth = json["token"].as_str().unwrap().to_string();
    assert!(json["expiresAt"].as_str().is_some());
    with(&fourth).status().await;
    with(&third)
        .call(Method::GET, "/api/onboarding/status", None)
        .await
        .error(401, "setup_token_invalid");

    // The database holds the hash, never the token.
    let db = Db::open(None, &daemon.data_dir).await.unwrap();
    let rows: Vec<(String, String)> = db.all(q("SELECT key, value FROM system_config")).await.unwrap();
    db.close().await;
    let stored = rows
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(stored.contains("onboarding.setupToken"), "{stored}");
    for token in [&first, &second, &third, &fourth] {
        assert!(
            !stored.contains(token.as_str()),
            "a setup token is stored in plain text"
        );
    }
}

async fn token_required() {
    // Every route is tried with a wrong token: more failed guesses from one address than the
    // throttle lets through at once (its own test is `http::throttle`).
    let daemon = Daemon::start_with(DaemonOptions::default().arg("--auth-throttle-burst").arg("100"));
    let fake = FakeProvider::start("sk-onboarding").await;
    let api = Api::new(&daemon);
    let none = Setup {
        api: api.clone(),
        token: None,
    };
    let wrong = Setup {
        api: api.clone(),
        token: Some(format!("mst_{}", "A".repeat(43))),
    };
    for (method, path, body) in routes(&fake.base_url()) {
        let m = none
            .call(method.clone(), path, body.as_ref())
            .await
            .error(401, "setup_token_required");
        assert!(m.contains("X-Mosaic-Setup-Token"), "{m}");
        let m = wrong
            .call(method, path, body.as_ref())
            .await
            .error(401, "setup_token_invalid");
        assert!(m.contains("mosaicctl admin setup-token"), "{m}");
    }
    // A session is no substitute: an admin's cookie does not open onboarding.
    daemon
        .ctl_stdin(
            &["admin", "create-breakglass", "--username", "ops", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    let admin = api.login("ops", PASSWORD).await;
    api.get("/api/onboarding/status", Auth::Session(&admin))
        .await
        .error(401, "setup_token_required");
    // Nothing was done by any refused request.
    assert_eq!(fake.requests(), 0, "a refused request reached the provider");
    let status = Setup {
        api,
        token: Some(last_token(&daemon)),
    }
    .status()
    .await;
    assert_eq!(status["steps"]["breakglass"]["usernames"], json!(["ops"]));
    assert_eq!(status["steps"]["oidc"]["state"], "pending");
    assert_eq!(status["steps"]["provider"]["state"], "pending");
    assert_eq!(status["steps"]["systemAgents"]["state"], "pending");
}

async fn steps(on_postgres: bool) {
    let mut options = DaemonOptions::default();
    let database_url = if on_postgres {
        let (_, url) = postgres::server().create_database();
        options = options.env("DATABASE_URL", &url);
        Some(url)
    } else {
        None
    };
    let mut daemon = Daemon::start_with(options);
    let key = "sk-onboarding-canary-7f3a";
    let fake = FakeProvider::start(key).await;
    let api = Api::new(&daemon);
    let mut s = Setup {
        api: api.clone(),
        token: Some(last_token(&daemon)),
    };

    let status = s.status().await;
    assert_eq!(status["complete"], false);
    assert_eq!(status["ready"], false);
    for step in ["breakglass", "oidc", "provider", "systemAgents"] {
        assert_eq!(status["steps"][step]["state"], "pending", "{status}");
    }
    assert!(status["setupTokenExpiresAt"].as_str().is_some());
    // Completing too early names what is left.
    let m = s
        .call(Method::POST, "/api/onboarding/complete", None)
        .await
        .error(409, "conflict");
    assert!(m.contains("step 1") && m.contains("step 3"), "{m}");

    // Step 1: the password rule holds; a second run with the same name sets a new password.
    let weak = s
        .call(
            Method::POST,
            "/api/onboarding/breakglass",
            Some(&json!({ "username": "admin", "password": "short" })),
        )
        .await
        .error(400, "invalid_input");
    assert!(weak.contains("12"), "{weak}");
    assert_eq!(s.status().await["steps"]["breakglass"]["state"], "pending");
    let after = s
        .call(
            Method::POST,
            "/api/onboarding/breakglass",
            Some(&json!({ "username": "admin", "password": "first password 1" })),
        )
        .await
        .expect(200);
    assert_eq!(after["steps"]["breakglass"]["state"], "done");
    assert_eq!(after["steps"]["breakglass"]["usernames"], json!(["admin"]));
    s.call(
        Method::POST,
        "/api/onboarding/breakglass",
        Some(&json!({ "username": "admin", "password": PASSWORD })),
    )
    .await
    .expect(200);
    api.post(
        "/api/auth/login",
        Auth::None,
        &json!({ "username": "admin", "password": "first password 1" }),
    )
    .await
    .error(401, "unauthenticated");
    let admin = api.login("admin", PASSWORD).await;

    // Step 2: the issuer is checked before anything is saved.
    let dead = format!("http://127.0.0.1:{}", mosaic_tests::daemon::free_port());
    let m = s
        .call(
            Method::PUT,
            "/api/onboarding/oidc",
            Some(&json!({ "issuerUrl": dead, "clientId": "mosaic" })),
        )
        .await
        .error(400, "oidc_discovery_failed");
    assert!(m.contains(&dead) && m.contains("cannot connect"), "{m}");
    let broken = format!("http://{}", fake.addr);
    let m = s
        .call(
            Method::PUT,
            "/api/onboarding/oidc",
            Some(&json!({ "issuerUrl": broken, "clientId": "mosaic" })),
        )
        .await
        .error(400, "oidc_discovery_failed");
    assert!(
        m.contains(".well-known/openid-configuration") && m.contains("401"),
        "{m}"
    );
    s.call(
        Method::PUT,
        "/api/onboarding/oidc",
        Some(&json!({ "issuerUrl": "http://id.example.com", "clientId": "mosaic" })),
    )
    .await
    .error(400, "invalid_input");
    assert_eq!(s.status().await["steps"]["oidc"]["state"], "pending");
    assert_eq!(
        api.get("/api/admin/oidc", Auth::Session(&admin)).await.expect(200)["configured"],
        false,
        "a refused issuer was saved"
    );
    let issuer = oidc::shared().issuer();
    let check = s
        .call(
            Method::POST,
            "/api/onboarding/oidc/check",
            Some(&json!({ "issuerUrl": issuer })),
        )
        .await
        .expect(200);
    assert_eq!(check["issuer"], issuer);
    assert!(check["signingKeys"].as_u64().unwrap() >= 1);
    let after = s
        .call(
            Method::PUT,
            "/api/onboarding/oidc",
            Some(&json!({ "issuerUrl": issuer, "clientId": "mosaic", "clientSecret": "oidc-secret-canary" })),
        )
        .await
        .expect(200);
    assert_eq!(after["steps"]["oidc"]["state"], "done");
    assert_eq!(after["steps"]["oidc"]["issuerUrl"], issuer);
    assert_eq!(after["steps"]["oidc"]["clientSecretSet"], true);

    // Step 3: a failing connection test saves nothing.
    api.patch(
        "/api/admin/settings",
        Auth::Session(&admin),
        &json!({ "allowPrivateProviderUrls": true }),
    )
    .await
    .expect(200);
    let provider = json!({
        "name": "main", "displayName": "Main", "type": "custom", "baseUrl": fake.base_url(),
        "apiKey": "sk-wrong-key", "models": [{ "id": "fake-small" }],
    });
    let m = s
        .call(Method::PUT, "/api/onboarding/provider", Some(&provider))
        .await
        .error(400, "provider_test_failed");
    assert!(m.contains("nothing was saved") && m.contains("401"), "{m}");
    // The fake provider echoes the wrong key back; the answer does not pass it on.
    assert!(!m.contains("sk-wrong-key"), "{m}");
    assert_eq!(s.status().await["steps"]["provider"]["state"], "pending");
    let tested = s
        .call(
            Method::POST,
            "/api/onboarding/provider/test",
            Some(&json!({ "type": "custom", "baseUrl": fake.base_url(), "apiKey": key })),
        )
        .await
        .expect(200);
    assert_eq!(tested["ok"], true, "{tested}");
    let mut good = provider.clone();
    good["apiKey"] = json!(key);
    let saved = s
        .call(Method::PUT, "/api/onboarding/provider", Some(&good))
        .await
        .expect(200);
    assert_eq!(saved["test"]["ok"], true);
    assert_eq!(saved["provider"]["hasApiKey"], true);
    assert_eq!(saved["provider"]["apiKeyHint"], "sk-…7f3a");
    let provider_id = saved["provider"]["id"].as_str().unwrap().to_string();
    // Admin-level: not among the admin's own providers.
    assert_eq!(
        api.get("/api/providers", Auth::Session(&admin)).await.expect(200),
        json!([])
    );

    // Interrupted: the daemon restarts. The old token is gone, the new one is in the log, and
    // the steps done so far are reported.
    daemon.restart();
    s.call(Method::GET, "/api/onboarding/status", None)
        .await
        .error(401, "setup_token_invalid");
    s.token = Some(last_token(&daemon));
    let status = s.status().await;
    assert_eq!(status["steps"]["breakglass"]["state"], "done");
    assert_eq!(status["steps"]["oidc"]["state"], "done");
    assert_eq!(status["steps"]["provider"]["state"], "done");
    assert_eq!(status["steps"]["provider"]["provider"]["id"], provider_id.as_str());
    assert_eq!(status["steps"]["systemAgents"]["state"], "pending");
    assert_eq!(status["ready"], false);

    // Steps are editable: the provider again without a key keeps the stored one (the test uses
    // it), under the same id.
    let mut edited = provider.clone();
    edited.as_object_mut().unwrap().remove("apiKey");
    edited["displayName"] = json!("Main (edited)");
    let saved = s
        .call(Method::PUT, "/api/onboarding/provider", Some(&edited))
        .await
        .expect(200);
    assert_eq!(saved["provider"]["id"], provider_id.as_str());
    assert_eq!(saved["provider"]["displayName"], "Main (edited)");
    assert_eq!(saved["provider"]["apiKeyHint"], "sk-…7f3a");
    // Skipping OIDC now removes what step 2 saved.
    let after = s
        .call(Method::POST, "/api/onboarding/oidc/skip", None)
        .await
        .expect(200);
    assert_eq!(after["steps"]["oidc"]["state"], "skipped");
    assert_eq!(after["steps"]["oidc"]["issuerUrl"], Value::Null);
    let after = s
        .call(Method::POST, "/api/onboarding/system-agents/skip", None)
        .await
        .expect(200);
    assert_eq!(after["steps"]["systemAgents"]["state"], "skipped");
    assert_eq!(after["ready"], true);

    // Step 5.
    let done = s.call(Method::POST, "/api/onboarding/complete", None).await.expect(200);
    assert_eq!(done["complete"], true);
    assert!(done["completedAt"].as_str().is_some());
    assert_eq!(done["setupTokenExpiresAt"], Value::Null);
    assert_eq!(daemon.ctl(&["status", "--json"]).json()["onboardingComplete"], true);
    for (method, path, body) in routes(&fake.base_url()) {
        let m = s
            .call(method, path, body.as_ref())
            .await
            .error(409, "onboarding_complete");
        assert!(m.contains("already complete"), "{m}");
    }
    daemon.ctl(&["admin", "setup-token"]).fails(7, "already complete");
    let db = Db::open(database_url.as_deref(), &daemon.data_dir).await.unwrap();
    let (owner, default): (Option<String>, String) = db
        .one(
            q("SELECT p.user_id, c.value FROM llm_provider p JOIN system_config c ON c.key = 'providers.systemDefault'
               WHERE p.id = $1")
            .bind(&provider_id),
        )
        .await
        .unwrap();
    let tokens: Vec<(String,)> = db
        .all(q("SELECT key FROM system_config WHERE key = 'onboarding.setupToken'"))
        .await
        .unwrap();
    let audit: Vec<(String, String)> = db
        .all(q(
            "SELECT actor, action FROM audit_log WHERE action LIKE 'onboarding.%' ORDER BY at, id",
        ))
        .await
        .unwrap();
    db.close().await;
    assert_eq!(owner, None, "the onboarding provider is admin-level");
    assert_eq!(default, provider_id);
    assert!(tokens.is_empty(), "the setup token outlived onboarding");
    assert!(
        audit.contains(&("onboarding:setup-token".into(), "onboarding.complete".into())),
        "{audit:?}"
    );
    // No more tokens at start once onboarding is complete.
    let before = logged_tokens(&daemon.log()).len();
    daemon.restart();
    assert_eq!(logged_tokens(&daemon.log()).len(), before);
    // Secrets stayed out of answers and the log.
    for secret in [key, "oidc-secret-canary", "sk-wrong-key"] {
        assert!(!api.transcript().contains(secret), "{secret} in an answer");
        assert!(!daemon.log().contains(secret), "{secret} in the log");
    }
}

async fn token_expires() {
    let daemon = Daemon::start_with(DaemonOptions::default().arg("--setup-token-ttl").arg("1h"));
    let s = Setup {
        api: Api::new(&daemon),
        token: Some(last_token(&daemon)),
    };
    // Valid until the hour is up, by the daemon's clock.
    daemon.advance_clock(Duration::from_secs(3500));
    s.status().await;
    daemon.advance_clock(Duration::from_secs(101));
    let m = s
        .call(Method::GET, "/api/onboarding/status", None)
        .await
        .error(401, "setup_token_invalid");
    assert!(m.contains("expired"), "{m}");
    let fresh = daemon.ctl(&["admin", "setup-token"]).ok().trim().to_string();
    let s = Setup {
        token: Some(fresh),
        ..s
    };
    s.status().await;
}

/// The onboarding RPCs `mosaicctl onboard` is built on.
async fn rpc() {
    let daemon = Daemon::start();
    let client = mosaicctl::client::connect(&daemon.socket, Duration::from_secs(30))
        .await
        .expect("connect");
    let ctx = || client.context();
    let rpc = client.rpc();
    let status = rpc.onboarding_status(ctx()).await.unwrap().unwrap();
    assert!(!status.complete && !status.ready);
    assert_eq!(status.steps.breakglass.state, StepState::Pending);

    let dead = format!("http://127.0.0.1:{}", mosaic_tests::daemon::free_port());
    let e = rpc
        .onboarding_check_oidc_issuer(ctx(), dead.clone())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unavailable, "{e:?}");
    assert!(e.message.contains(&dead), "{e:?}");
    let issuer = oidc::shared().issuer();
    let check = rpc
        .onboarding_check_oidc_issuer(ctx(), issuer.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.issuer, issuer);
    assert!(check.token_endpoint.ends_with("/oauth2/token"), "{check:?}");

    let e = rpc.onboarding_complete(ctx()).await.unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    let s = rpc.onboarding_skip(ctx(), SkippableStep::Oidc).await.unwrap().unwrap();
    assert_eq!(s.steps.oidc.state, StepState::Skipped);
    let s = rpc
        .onboarding_skip(ctx(), SkippableStep::SystemAgents)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.steps.system_agents.state, StepState::Skipped);
    daemon
        .ctl_stdin(
            &["admin", "create-breakglass", "--username", "admin", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    // The provider step done the generic way (an admin-level provider, as `providers add`
    // makes one) counts as done too.
    let db = Db::open(None, &daemon.data_dir).await.unwrap();
    db.execute(q(
        "INSERT INTO llm_provider (id, user_id, name, display_name, type, created_at, updated_at)
         VALUES ('p-cli', NULL, 'cli', 'CLI', 'openai', 1, 1)",
    ))
    .await
    .unwrap();
    db.close().await;
    let token = rpc.onboarding_setup_token(ctx()).await.unwrap().unwrap();
    assert!(token.token.expose().starts_with("mst_"));
    let done = rpc.onboarding_complete(ctx()).await.unwrap().unwrap();
    assert!(done.complete);
    assert_eq!(
        done.steps.provider.provider.as_ref().map(|p| p.id.as_str()),
        Some("p-cli")
    );
    let e = rpc.onboarding_setup_token(ctx()).await.unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    let e = rpc
        .onboarding_skip(ctx(), SkippableStep::Oidc)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    // The token issued before completion no longer opens anything.
    Setup {
        api: Api::new(&daemon),
        token: Some(token.token.expose().to_string()),
    }
    .call(Method::GET, "/api/onboarding/status", None)
    .await
    .error(409, "onboarding_complete");
}

/// The WebUI on its own origin can send the setup token (CORS lets the header through); another
/// origin gets nothing.
async fn cors() {
    const WEBUI: &str = "https://webui.example.com";
    let daemon = Daemon::start_with(DaemonOptions::default().arg("--webui-origin").arg(WEBUI));
    let api = Api::new(&daemon);
    let preflight = |origin: &str| {
        api.request(Method::OPTIONS, "/api/onboarding/breakglass", Auth::None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, x-mosaic-setup-token")
    };
    let ok = api.send(preflight(WEBUI)).await;
    assert_eq!(ok.status.as_u16(), 204, "{ok:?}");
    let allowed = ok.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    assert!(allowed.contains("x-mosaic-setup-token"), "{allowed}");
    api.send(preflight("https://evil.example.com"))
        .await
        .error(403, "cors_origin_not_allowed");
    let r = api
        .send(
            api.request(Method::GET, "/api/onboarding/status", Auth::None)
                .header("origin", WEBUI)
                .header(HEADER, last_token(&daemon)),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{r:?}");
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some(WEBUI));
}
