//! The web console in a real browser: Debian's Chromium over WebDriver (one browser for the whole
//! run, see `mosaic_tests::browser`), against the real daemon, and for the chat the real Docker
//! Engine with the test-agent image. After every page the browser's log is read: a
//! Content-Security-Policy violation or a console error fails the test. Also the console's
//! headers and refusals over plain HTTP.

use std::time::Duration;

use libtest_mimic::Trial;
use mosaic_tests::browser::{self, Session};
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, container_running, docker, images};
use mosaic_tests::fake_provider::FakeProvider;
use mosaic_tests::http::Auth;
use mosaic_tests::{Daemon, trial};
use reqwest::Method;
use serde_json::Value;

use crate::http::{Backend, PASSWORD, World};

pub fn trials() -> Vec<Trial> {
    vec![
        trial("web::headers_assets_and_refusals", headers_assets_and_refusals),
        trial("web::onboarding_to_login", onboarding_to_login),
        trial("web::login_and_streamed_chat", login_and_streamed_chat),
        trial("web::providers_agent_and_tokens", providers_agent_and_tokens),
        trial(
            "web::users_pagination_invite_and_access",
            users_pagination_invite_and_access,
        ),
        trial("web::admin_pages", admin_pages),
        trial(
            "web::admin_containers_and_system_agents",
            admin_containers_and_system_agents,
        ),
    ]
}

/// Logs in through the login page.
async fn log_in(b: &Session, username: &str, password: &str) {
    b.goto("/login").await;
    b.fill("#username", username).await;
    b.fill("#password", password).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_path("/chat").await;
    b.find("#messages").await;
}

/// Accepts the confirmation a `data-confirm` form asks for.
async fn accept_confirm(b: &Session) {
    for _ in 0..100 {
        if b.client.accept_alert().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no confirmation was asked");
}

#[track_caller]
fn assert_secret_absent(secret: &str, text: &str, place: &str) {
    assert!(!text.contains(secret), "a secret appears in {place}");
}

/// The console's security headers, its assets' caching, the HTML 404 for browsers (JSON for
/// everyone else), and its refusals: a form without its CSRF token, a login posted from another
/// site, an API token used as a page login.
async fn headers_assets_and_refusals() {
    let w = World::start(Backend::Sqlite).await;
    let api = &w.api;
    let page = api.send(api.request(Method::GET, "/login", Auth::None)).await;
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(page.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
    let csp = page.header("content-security-policy").expect("CSP");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(page.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    assert!(
        !page.body.contains("<script>") && !page.body.contains(" style="),
        "inline script or style"
    );
    // The API's answers cannot be framed either, and load nothing.
    let json = api.send(api.request(Method::GET, "/healthz", Auth::None)).await;
    assert_eq!(json.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(
        json.header("content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );

    // Assets: versioned and immutable; another version is served but not cached.
    let css_path = page
        .body
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with("/console.css"))
        .expect("the stylesheet's address")
        .to_string();
    let css = api.send(api.request(Method::GET, &css_path, Auth::None)).await;
    assert_eq!(css.status.as_u16(), 200);
    assert_eq!(css.header("content-type").as_deref(), Some("text/css; charset=utf-8"));
    assert_eq!(
        css.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let old = api
        .send(api.request(Method::GET, "/assets/000000000000/chat.js", Auth::None))
        .await;
    assert_eq!(old.status.as_u16(), 200);
    assert_eq!(old.header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(
        old.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );

    // A browser asking for a page that does not exist gets a page; an API client the JSON error.
    let html404 = api
        .send(
            api.request(Method::GET, "/no/such/page", Auth::None)
                .header("accept", "text/html"),
        )
        .await;
    assert_eq!(html404.status.as_u16(), 404);
    assert!(html404.body.contains("There is no page at this address"));
    api.get("/no/such/page", Auth::None).await.error(404, "no_route");
    api.send(
        api.request(Method::GET, "/api/nowhere", Auth::None)
            .header("accept", "text/html"),
    )
    .await
    .error(404, "no_route");

    // Pages need a session: the login page, remembering where to go.
    let r = api.send(api.request(Method::GET, "/settings/tokens", Auth::None)).await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/login?next=%2Fsettings%2Ftokens")
    );
    // An API token is not a page login.
    let token = api
        .post(
            "/api/tokens",
            Auth::Session(&w.admin),
            &serde_json::json!({ "name": "t" }),
        )
        .await
        .expect(201);
    let r = api
        .send(api.request(
            Method::GET,
            "/settings/tokens",
            Auth::Bearer(token["token"].as_str().unwrap()),
        ))
        .await;
    assert_eq!(r.status.as_u16(), 303);

    // A form without the session's CSRF token changes nothing.
    let form = |csrf: &str| format!("csrf={csrf}&name=sneaky");
    let r = api
        .send(
            api.request(Method::POST, "/settings/tokens", Auth::CookieOnly(&w.admin))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form("wrong")),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    assert!(r.body.contains("reload the page"), "{}", r.body);
    let tokens = api.get("/api/tokens", Auth::Session(&w.admin)).await.expect(200);
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    let r = api
        .send(
            api.request(Method::POST, "/settings/tokens", Auth::CookieOnly(&w.admin))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&w.admin.csrf)),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.body.contains("id=\"new-token\""));

    // A login posted from another site is refused; from this one it works.
    let login = |origin: &str| {
        api.request(Method::POST, "/login", Auth::None)
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("username=admin&password={}", PASSWORD.replace(' ', "+")))
    };
    let r = api.send(login("https://evil.example")).await;
    assert_eq!(r.status.as_u16(), 403);
    assert!(r.header("set-cookie").is_none());
    let own = w.daemon.base_url();
    let r = api.send(login(&own)).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(r.header("location").as_deref(), Some("/chat"));
    assert!(r.header("set-cookie").unwrap().contains("HttpOnly"));
}

/// From a fresh daemon to the login page: the setup token pasted once, every step with its
/// state, a failing issuer and a failing provider shown with their reasons (and without the
/// key), Back, Skip, and completion.
async fn onboarding_to_login() {
    let daemon = Daemon::start();
    // The fake provider listens on loopback, which providers may use only when allowed.
    daemon
        .ctl(&["config", "set", "providers.allowPrivateUrls", "true"])
        .ok();
    let key = format!("sk-right-{}", uuid::Uuid::new_v4().simple());
    let wrong_key = format!("sk-wrong-{}", uuid::Uuid::new_v4().simple());
    let provider = FakeProvider::start(&key).await;
    let issuer = mosaic_tests::oidc::shared().issuer();
    let token = crate::onboarding::logged_tokens(&daemon.log())
        .pop()
        .expect("a setup token in the log");
    let client_secret = format!("oidc-secret-{}", uuid::Uuid::new_v4().simple());

    let b = browser::session(&daemon.base_url()).await;
    b.goto("/").await;
    b.wait_path("/onboarding").await;
    b.find("#setup-token-form").await;
    b.assert_clean_log(&[]).await;

    // A wrong token, then the right one.
    b.fill("#setup-token", "mst_not-the-token").await;
    b.click("#setup-token-form button").await;
    b.wait_text(".error", "wrong setup token").await;
    b.assert_clean_log(&["401"]).await;
    b.fill("#setup-token", &token).await;
    b.click("#setup-token-form button").await;
    b.wait_path("/onboarding/breakglass").await;
    assert_eq!(b.count("#steps li").await, 5);
    assert!(b.text("#steps").await.contains("to do"));
    assert!(!b.exists("#back").await, "the first step has no Back");
    b.screenshot("onboarding").await;
    assert_secret_absent(&token, &b.dom().await, "the onboarding page");
    b.assert_clean_log(&[]).await;

    // Step 1, with a typo first.
    b.fill("#username", "admin").await;
    b.fill("#password", PASSWORD).await;
    b.fill("#confirm", "something else entirely").await;
    b.click("#breakglass-form button").await;
    b.wait_text(".error", "differ").await;
    b.fill("#password", PASSWORD).await;
    b.fill("#confirm", PASSWORD).await;
    b.click("#breakglass-form button").await;
    b.wait_path("/onboarding/oidc").await;
    b.assert_clean_log(&["400"]).await;

    // Step 2: an issuer nobody answers for is refused with the reason; the real one passes.
    b.fill("#issuer_url", "http://127.0.0.1:9/").await;
    b.click("button[value=check]").await;
    let why = b.wait_text(".error", "issuer could not be used").await;
    assert!(why.len() > "The issuer could not be used: ".len() + 5, "{why}");
    b.assert_clean_log(&["400"]).await;
    b.fill("#issuer_url", &issuer).await;
    b.click("button[value=check]").await;
    b.wait_text("#issuer-check", "The issuer answers").await;
    b.fill("#client_id", "mosaic-console").await;
    b.fill("#client_secret", &client_secret).await;
    b.click("button[value=save]").await;
    b.wait_path("/onboarding/provider").await;
    b.assert_clean_log(&[]).await;

    // Back to step 2: done, its values kept, its secret nowhere.
    b.click("#back").await;
    b.wait_path("/onboarding/oidc").await;
    assert!(b.text("#steps li:nth-child(2)").await.contains("done"));
    assert_eq!(
        b.find("#client_id").await.prop("value").await.unwrap().as_deref(),
        Some("mosaic-console")
    );
    assert_secret_absent(&client_secret, &b.dom().await, "the OIDC step");
    assert_secret_absent(&client_secret, &b.field_values().await, "the OIDC step's fields");
    b.click("#steps a[href='/onboarding/provider']").await;
    b.wait_path("/onboarding/provider").await;

    // Step 3: a wrong key fails the test (nothing saved; the provider's error, which repeats the
    // key, is not passed on), the right one saves.
    b.fill("#name", "main").await;
    b.select("#type", "openai").await;
    b.fill("#base_url", &format!("http://{}/v1", provider.addr)).await;
    b.fill("#api_key", &wrong_key).await;
    b.fill("#models", "fake-small").await;
    b.click("button[value=save]").await;
    b.wait_text(".error", "nothing was saved").await;
    assert_secret_absent(&wrong_key, &b.dom().await, "the provider step after a failed test");
    assert_secret_absent(&wrong_key, &b.field_values().await, "the provider step's fields");
    assert!(b.text("#steps li:nth-child(3)").await.contains("to do"));
    b.assert_clean_log(&["400"]).await;
    b.fill("#api_key", &key).await;
    b.click("button[value=test]").await;
    b.wait_text("#provider-test", "passed").await;
    b.fill("#api_key", &key).await;
    b.click("button[value=save]").await;
    b.wait_path("/onboarding/system-agents").await;
    assert_secret_absent(&key, &b.dom().await, "the system agents step");
    b.assert_clean_log(&[]).await;

    // Step 4 skipped; step 5 completes and hands over to the login page.
    b.click("button[value=skip]").await;
    b.wait_path("/onboarding/complete").await;
    assert!(b.text("#steps li:nth-child(4)").await.contains("skipped"));
    b.click("#complete-form button").await;
    b.wait_path("/login?done=onboarded").await;
    b.wait_text(".notice", "Onboarding is complete").await;
    b.assert_clean_log(&[]).await;
    // The onboarding pages are closed now.
    b.goto("/onboarding").await;
    b.wait_path("/login").await;
    log_in(&b, "admin", PASSWORD).await;
    b.assert_clean_log(&[]).await;
}

/// Login (a wrong password first), then a chat answered by the member's own agent on the real
/// Docker Engine: "starting your agent…" during the cold start, the answer appearing chunk by
/// chunk, the conversation kept by its session key, an agent error shown, a new conversation,
/// the page at 360 px, and logout.
async fn login_and_streamed_chat() {
    let scope = InstanceScope::new();
    let image = images().normal.clone();
    let options = docker::daemon_options(&scope.instance)
        .arg("--chat-heartbeat-interval")
        .arg("150ms")
        .arg("--usage-flush-interval")
        .arg("100ms");
    let w = World::start_with(Backend::Sqlite, options).await;
    let data = Data::open(&w.daemon.data_dir).await;
    data.use_image(&image, 60).await;
    let member = w.member("carol@example.com").await;
    let key = format!("sk-canary-{}", uuid::Uuid::new_v4().simple());
    data.add_provider(Some(&member.user_id), "carol", &key, &["m1"]).await;
    data.set_agent_config(&member.user_id, Some("carol/m1"), None).await;

    let b = browser::session(&w.daemon.base_url()).await;
    b.goto("/chat").await;
    b.wait_path("/login?next=%2Fchat").await;
    b.fill("#username", "carol@example.com").await;
    b.fill("#password", "not the password at all").await;
    b.click("form[action='/login'] button").await;
    b.wait_text(".error", "invalid username or password").await;
    b.assert_clean_log(&["401"]).await;
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/login'] button").await;
    b.wait_path("/chat").await;
    b.find("#empty-conversation").await;
    assert!(!b.exists("select#agent").await, "one agent: no picker");
    b.assert_clean_log(&[]).await;

    // Record every change of the status line and of the answer as it streams.
    b.run(
        "window.__seen = []; const t0 = performance.now();
         new MutationObserver(() => {
           const s = document.getElementById('chat-status');
           const a = document.getElementById('streaming-answer');
           window.__seen.push([performance.now() - t0, s.hidden ? '' : s.textContent, a ? a.textContent : null]);
         }).observe(document.getElementById('chat'), { subtree: true, childList: true, characterData: true, attributes: true });
         return true",
    )
    .await;
    b.fill("#message", "hello there mock:chunks=6 mock:interval_ms=250")
        .await;
    b.click("#send").await;
    let answer = b
        .wait_text("#messages li.assistant:not(.streaming):last-child", "echo: hello there")
        .await;
    assert!(answer.contains("[session=console-"), "{answer}");
    assert!(!b.exists("#streaming-answer").await);
    let seen = b.run("return window.__seen").await;
    let seen = seen.as_array().expect("records");
    assert!(
        seen.iter()
            .any(|r| r[1].as_str().unwrap_or("").starts_with("Starting your agent")),
        "no cold-start notice: {seen:?}"
    );
    let mut states: Vec<(f64, String)> = seen
        .iter()
        .filter_map(|r| Some((r[0].as_f64()?, r[2].as_str()?.to_string())))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    states.dedup_by(|a, b| a.1 == b.1);
    assert!(
        states.len() >= 4,
        "the answer did not appear chunk by chunk: {states:?}"
    );
    let spread = states.last().unwrap().0 - states.first().unwrap().0;
    assert!(spread >= 750.0, "the chunks arrived at once ({spread} ms): {states:?}");
    let first = &states.first().unwrap().1;
    assert!(first.len() < answer.len(), "{states:?}");
    b.assert_clean_log(&[]).await;

    // The same conversation goes on with the same session key.
    let session = answer
        .split("[session=")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("session key")
        .to_string();
    b.fill("#message", "and again").await;
    b.click("#send").await;
    let again = b
        .wait_text("#messages li.assistant:not(.streaming):last-child", "echo: and again")
        .await;
    assert!(again.contains(&format!("[session={session}]")), "{again}");
    assert_eq!(b.count("#messages li.user").await, 2);

    // An agent's error is shown, in its words.
    b.fill("#message", "too much mock:status=429").await;
    b.click("#send").await;
    b.wait_text("#chat-error", "rate limited").await;
    assert!(b.exists("#messages li.failed").await);
    b.assert_clean_log(&["429"]).await;
    b.screenshot("chat").await;

    // A new conversation, while the first is kept.
    b.click("#new-conversation").await;
    b.find("#empty-conversation").await;
    assert_eq!(b.count("#conversation-list li").await, 2);
    b.click("#conversation-list li:nth-child(2) button").await;
    b.wait_text("#messages", "echo: hello there").await;

    // 360 px wide: nothing scrolls sideways.
    b.set_width(360, 780).await;
    b.goto("/chat").await;
    b.wait_text("#messages", "echo: and again").await;
    b.assert_fits_width().await;
    b.screenshot("chat-mobile").await;
    b.set_dark(true).await;
    b.screenshot("chat-mobile-dark").await;
    b.set_dark(false).await;
    b.set_width(1280, 900).await;
    assert_secret_absent(&key, &b.dom().await, "the chat page");
    b.assert_clean_log(&[]).await;

    // Logout ends the session and forgets the conversations kept in this browser.
    b.click("form.logout button").await;
    b.wait_path("/login?done=logged-out").await;
    let kept = b.run("return Object.keys(localStorage).length").await;
    assert_eq!(kept, Value::from(0));
    b.goto("/chat").await;
    b.wait_path("/login?next=%2Fchat").await;
    b.assert_clean_log(&[]).await;

    // The administrator's usage page counts those chats (three streamed requests, the rate
    // limited one failed) and shows no word of them.
    log_in(&b, "admin", PASSWORD).await;
    let mut users = String::new();
    for _ in 0..50 {
        b.goto("/admin/usage").await;
        if b.exists("#usage-users").await {
            users = b.text("#usage-users").await;
            if users.contains("carol@example.com") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(users.contains("carol@example.com"), "{users}");
    assert_eq!(b.text("#usage-totals tbody td:nth-child(1)").await, "3");
    assert_eq!(b.text("#usage-totals tbody td:nth-child(2)").await, "3");
    assert_eq!(b.text("#usage-totals tbody td:nth-child(3)").await, "1");
    assert_eq!(b.text("#usage-totals tbody td:nth-child(4)").await, "1");
    let dom = b.dom().await;
    for said in ["hello there", "and again", "echo:"] {
        assert!(!dom.contains(said), "the usage page shows {said:?}");
    }
    assert_secret_absent(&key, &dom, "the usage page");
    b.screenshot("admin-usage").await;
    b.assert_clean_log(&[]).await;
    drop(b);
    data.close().await;
}

/// Settings as a member: provider CRUD with a key that never reaches the page, the connection
/// test, another user's provider not found, the agent config, and an API token shown once.
async fn providers_agent_and_tokens() {
    let w = World::start(Backend::Sqlite).await;
    let data = Data::open(&w.daemon.data_dir).await;
    let member = w.member("erin@example.com").await;
    let admins = data
        .add_provider(Some(&w.admin.user_id), "theirs", "sk-not-yours", &["x"])
        .await;
    let key = format!("sk-canary-{}", uuid::Uuid::new_v4().simple());
    let hint = format!("sk-…{}", &key[key.len() - 4..]);
    // A provider on loopback (allowed by the admin), so the connection test really connects.
    let provider = FakeProvider::start(&key).await;
    w.daemon
        .ctl(&["config", "set", "providers.allowPrivateUrls", "true"])
        .ok();

    let b = browser::session(&w.daemon.base_url()).await;
    log_in(&b, "erin@example.com", PASSWORD).await;
    b.goto("/settings").await;
    b.wait_path("/settings/providers").await;
    b.find("#providers-empty").await;
    b.assert_clean_log(&[]).await;

    // Add.
    b.click("a[href='/settings/providers/new']").await;
    b.fill("#name", "mine").await;
    b.select("#type", "custom").await;
    b.fill("#base_url", &format!("http://{}/v1", provider.addr)).await;
    b.fill("#api_key", &key).await;
    b.fill("#models", "m1\nm2").await;
    b.click("#provider-form button[type=submit]").await;
    b.wait_text(".notice", "Created").await;
    assert!(b.path().await.ends_with("?done=created"));
    assert_eq!(b.text("#api-key-masked").await, hint);
    assert_secret_absent(&key, &b.dom().await, "the provider page");
    assert_secret_absent(&key, &b.field_values().await, "the provider form");
    b.assert_clean_log(&[]).await;

    // The connection test, with the stored key (the provider echoes keys it refuses, never
    // this one: it is right).
    b.click("#test-connection").await;
    b.wait_text("#test-result", "passed").await;
    assert!(b.text("#test-result").await.contains("fake-small"));
    assert_secret_absent(&key, &b.dom().await, "the connection test's result");
    b.assert_clean_log(&[]).await;

    // Edit (the key kept), then the list.
    b.fill("#display_name", "My provider").await;
    b.click("#provider-form button[type=submit]").await;
    b.wait_text(".notice", "Saved").await;
    assert_eq!(b.text("#api-key-masked").await, hint);
    b.click(".sub-nav a[href='/settings/providers']").await;
    let table = b.text("#providers").await;
    assert!(table.contains("My provider") && table.contains(&hint), "{table}");
    assert_secret_absent(&key, &b.dom().await, "the provider list");
    b.screenshot("settings-providers").await;
    b.assert_clean_log(&[]).await;

    // Another user's provider is not found, exactly like a missing one.
    b.goto(&format!("/settings/providers/{admins}")).await;
    b.wait_text("main", "provider not found").await;
    b.assert_clean_log(&["404"]).await;

    // The agent: primary model and personality.
    b.goto("/settings/agent").await;
    b.fill("#primary_model", "mine/m1").await;
    b.fill("#fallbacks", "mine/m2").await;
    b.fill("#personality", "You are terse.").await;
    b.click("#agent-form button").await;
    b.wait_text(".notice", "Saved").await;
    assert_eq!(
        b.find("#primary_model").await.prop("value").await.unwrap().as_deref(),
        Some("mine/m1")
    );
    assert_eq!(
        b.find("#personality").await.prop("value").await.unwrap().as_deref(),
        Some("You are terse.")
    );
    b.fill("#primary_model", "not a model").await;
    b.click("#agent-form button").await;
    b.wait_text(".error", "model").await;
    b.assert_clean_log(&["400"]).await;
    let config = w.api.get("/api/agent-config", Auth::Session(&member)).await.expect(200);
    assert_eq!(config["primaryModel"], "mine/m1");

    // An API token: shown once, then only its name and prefix; revoked.
    b.goto("/settings/tokens").await;
    b.find("#tokens-empty").await;
    b.fill("#token-name", "laptop").await;
    b.click("form[action='/settings/tokens'] button").await;
    let token = b.text("#new-token").await;
    assert!(token.starts_with("mosaic_"), "{token}");
    let listed = w.api.get("/api/tokens", Auth::Bearer(&token)).await.expect(200);
    assert_eq!(listed[0]["name"], "laptop");
    b.goto("/settings/tokens").await;
    assert!(!b.exists("#new-token").await);
    assert_secret_absent(&token, &b.dom().await, "the token list");
    assert!(b.text("#tokens").await.contains("laptop"));
    b.click("#tokens button.danger").await;
    accept_confirm(&b).await;
    b.wait_text(".notice", "Revoked").await;
    b.find("#tokens-empty").await;
    w.api
        .get("/api/tokens", Auth::Bearer(&token))
        .await
        .error(401, "unauthenticated");

    // Delete the provider.
    b.goto("/settings/providers").await;
    b.click("#providers a").await;
    b.click("#delete-provider").await;
    accept_confirm(&b).await;
    b.wait_path("/settings/providers?done=deleted").await;
    b.find("#providers-empty").await;
    b.assert_clean_log(&[]).await;
    drop(b);
    data.close().await;
}

/// The users page: pages of `{data, meta}`, no deactivate button on the administrator's own
/// row (nor a way around it), a deactivation on the last page falling back to the last page
/// that still has users, an error shown without the empty state, an invite link shown once and
/// accepted, and a member refused every admin page.
async fn users_pagination_invite_and_access() {
    let w = World::start(Backend::Sqlite).await;
    let data = Data::open(&w.daemon.data_dir).await;
    let alice = data.add_user("alice@example.com").await;
    let bob = data.add_user("bob@example.com").await;
    let me = w.admin.user_id.clone();

    let b = browser::session(&w.daemon.base_url()).await;
    log_in(&b, "admin", PASSWORD).await;
    b.goto("/admin").await;
    b.wait_path("/admin/users").await;
    b.screenshot("admin-users").await;
    b.goto("/admin/users?limit=2").await;
    assert_eq!(b.text("#page-position").await, "Page 1 of 2");
    assert!(b.text(&format!("tr[data-user='{me}']")).await.contains("you"));
    assert!(
        !b.exists(&format!("tr[data-user='{me}'] [data-action=deactivate]"))
            .await,
        "a deactivate button on the administrator's own row"
    );
    assert!(
        b.exists(&format!("tr[data-user='{alice}'] [data-action=deactivate]"))
            .await
    );
    b.assert_clean_log(&[]).await;

    // Page 2 holds bob alone; deactivating him empties it, and the list falls back to page 1.
    b.click("a[rel=next]").await;
    b.wait_path("/admin/users?page=2&limit=2").await;
    assert_eq!(b.count("#users tbody tr").await, 1);
    b.click(&format!("tr[data-user='{bob}'] [data-action=deactivate]"))
        .await;
    b.wait_text("h1", "Deactivate").await;
    b.click("#confirm-deactivate button.danger").await;
    b.wait_path("/admin/users?page=1&limit=2&done=deactivated").await;
    b.wait_text(".notice", "deactivated").await;
    assert_eq!(b.count("#users tbody tr").await, 2);
    assert!(!b.exists("#users-empty").await, "the empty state after a deactivation");
    assert!(!b.exists(".pager").await, "one page left");
    let listed = w
        .api
        .get("/api/admin/users?includeDeactivated=false", Auth::Session(&w.admin))
        .await
        .expect(200);
    assert_eq!(listed["meta"]["total"], 2);
    // Deactivated users are listed on request, with a way back.
    b.click("#toggle-deactivated").await;
    b.wait_path("/admin/users?page=1&limit=2&show=all").await;
    b.goto("/admin/users?show=all").await;
    b.wait_text(&format!("tr[data-user='{bob}']"), "deactivated").await;
    assert!(
        b.exists(&format!("tr[data-user='{bob}'] form[action$='/reactivate']"))
            .await
    );
    b.assert_clean_log(&[]).await;

    // Not even the confirmation page offers to deactivate oneself.
    b.goto(&format!("/admin/users/{me}/deactivate")).await;
    b.wait_text(".error", "cannot deactivate your own account").await;
    assert!(!b.exists("#confirm-deactivate").await);
    b.assert_clean_log(&[]).await;

    // An error is shown as such, never as an empty list.
    b.goto("/admin/users?page=0").await;
    b.wait_text(".error", "page must be a whole number").await;
    assert!(!b.exists("#users-empty").await && !b.exists("#users").await);
    b.assert_clean_log(&["400"]).await;

    // Invite: the link is shown once.
    b.goto("/admin/users").await;
    b.fill("#invite-email", "dave@example.com").await;
    b.select("#invite-role", "member").await;
    b.click("#invite-form button").await;
    let link = b.text("#invite-link").await;
    assert!(
        link.starts_with(&format!("{}/accept-invite#token=msi_", w.daemon.base_url())),
        "{link}"
    );
    b.goto("/admin/users").await;
    assert!(!b.exists("#invite-link").await);
    b.assert_clean_log(&[]).await;

    // Dave accepts it: the token comes from the link's fragment, which leaves the address bar.
    b.click("form.logout button").await;
    b.wait_path("/login?done=logged-out").await;
    b.client.goto(&link).await.expect("open the invite link");
    b.find("form[data-invite-form]").await;
    assert!(!b.find("[data-invite-token-field]").await.is_displayed().await.unwrap());
    assert!(!b.client.current_url().await.unwrap().as_str().contains("msi_"));
    b.fill("#password", PASSWORD).await;
    b.fill("#confirm", PASSWORD).await;
    b.click("form[data-invite-form] button").await;
    b.wait_path("/login?done=accepted&user=dave%40example.com").await;
    assert_eq!(
        b.find("#username").await.prop("value").await.unwrap().as_deref(),
        Some("dave@example.com")
    );
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/login'] button").await;
    b.wait_path("/chat").await;
    assert!(
        !b.exists(".main-nav a[href='/admin/users']").await,
        "a member sees no admin link"
    );
    b.assert_clean_log(&[]).await;

    // A member gets the access-denied page on every admin page, not an empty one.
    for path in [
        "/admin/users",
        "/admin/containers",
        "/admin/system-agents",
        "/admin/oidc",
        "/admin/settings",
        "/admin/usage",
    ] {
        b.goto(path).await;
        b.wait_text("h1", "Access denied").await;
        assert!(
            !b.exists("table").await && !b.exists("form[method=post]:not(.logout)").await,
            "{path}"
        );
        b.assert_clean_log(&["403"]).await;
    }
    b.screenshot("access-denied").await;
    drop(b);
    data.close().await;
}

/// The other admin pages: containers and system agents (none yet; see
/// `admin_containers_and_system_agents`), the OIDC settings with an issuer check, and the
/// runtime settings, saved.
async fn admin_pages() {
    let w = World::start(Backend::Sqlite).await;
    let issuer = mosaic_tests::oidc::shared().issuer();
    let b = browser::session(&w.daemon.base_url()).await;
    log_in(&b, "admin", PASSWORD).await;

    b.goto("/admin/containers").await;
    b.wait_text("h1", "Containers").await;
    b.find("#containers-empty").await;
    assert_eq!(b.count(".sub-nav a").await, 6);
    assert!(
        b.exists(".sub-nav a[href='/admin/containers'][aria-current=page]")
            .await
    );
    b.assert_clean_log(&[]).await;

    b.goto("/admin/usage").await;
    b.wait_text("h1", "Usage").await;
    b.find("#usage-empty").await;
    b.find("#usage-totals").await;
    b.goto("/admin/usage?from=not-a-day").await;
    b.wait_text(".error", "The usage figures could not be read").await;
    assert!(!b.exists("#usage-empty").await, "an error never shows the empty state");
    b.assert_clean_log(&["400"]).await;

    b.goto("/admin/system-agents").await;
    b.find("#system-agents-empty").await;
    b.find("#system-agent-form").await;
    b.assert_clean_log(&[]).await;

    b.goto("/admin/oidc").await;
    b.fill("#issuer_url", &issuer).await;
    b.click("button[value=check]").await;
    b.wait_text("#issuer-check", "The issuer answers").await;
    b.fill("#client_id", "mosaic").await;
    b.fill("#client_secret", "a-client-secret-canary").await;
    b.click("button[value=save]").await;
    b.wait_text(".notice", "Saved").await;
    assert_secret_absent("a-client-secret-canary", &b.dom().await, "the OIDC page");
    b.assert_clean_log(&[]).await;
    // With OIDC configured, the login page offers it.
    let oidc = w.api.get("/api/admin/oidc", Auth::Session(&w.admin)).await.expect(200);
    assert_eq!(oidc["configured"], true);

    b.goto("/admin/settings").await;
    b.fill("#idle_timeout_min", "45").await;
    b.fill("#webui_origins", "https://webui.example.com").await;
    b.fill("#agent_allowed_ranges", "10.77.0.0/16").await;
    b.click("#settings-form button[type=submit]").await;
    b.wait_text(".notice", "Saved").await;
    assert_eq!(
        b.find("#idle_timeout_min")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("45")
    );
    b.fill("#memory_mb", "10").await;
    b.click("#settings-form button[type=submit]").await;
    b.wait_text(".error", "64").await;
    b.assert_clean_log(&["400"]).await;
    let settings = w
        .api
        .get("/api/admin/settings", Auth::Session(&w.admin))
        .await
        .expect(200);
    assert_eq!(settings["agent"]["idleTimeoutMin"], 45);
    assert_eq!(settings["webuiOrigins"][0], "https://webui.example.com");
    assert_eq!(settings["agentAllowedRanges"], serde_json::json!(["10.77.0.0/16"]));
    b.set_dark(true).await;
    b.goto("/admin/settings").await;
    b.screenshot("admin-settings-dark").await;
    b.set_dark(false).await;

    b.click("form.logout button").await;
    b.wait_path("/login?done=logged-out").await;
    b.find("#oidc-login").await;
    assert!(b.text("#oidc-login").await.starts_with("Sign in with "));
    b.screenshot("login").await;
    b.assert_clean_log(&[]).await;
}

/// An administrator's hands on the agent containers, on the real Docker Engine: a user's
/// container stopped (after a confirmation) and started again from the containers page, a
/// system agent added on an admin-level provider (a refused duplicate keeps the form's values),
/// listed as always on, and removed with its container.
async fn admin_containers_and_system_agents() {
    let scope = InstanceScope::new();
    let image = images().normal.clone();
    let w = World::start_with(Backend::Sqlite, docker::daemon_options(&scope.instance)).await;
    let data = Data::open(&w.daemon.data_dir).await;
    data.use_image(&image, 60).await;
    let member = w.member("erin@example.com").await;
    let user = member.user_id.clone();
    data.add_provider(Some(&user), "erin", "sk-erin-0001", &["m1"]).await;
    data.set_agent_config(&user, Some("erin/m1"), None).await;
    data.add_provider(None, "shared", "sk-system-0001", &["big"]).await;
    let user_container = format!("mosaic-user-{user}");
    w.daemon.ctl(&["containers", "start", &user]).ok();
    assert!(container_running(&user_container));

    let b = browser::session(&w.daemon.base_url()).await;
    log_in(&b, "admin", PASSWORD).await;
    let row = format!("#containers tr:has(input[name=target][value='user/{user}'])");
    b.goto("/admin/containers").await;
    let text = b.wait_text(&row, "running").await;
    assert!(text.contains("erin@example.com"), "{text}");
    assert!(!b.exists(&format!("{row} form[action='/admin/containers/start']")).await);
    b.assert_clean_log(&[]).await;

    // Stop, after a confirmation: the container is gone, the row says why it stopped.
    b.click(&format!("{row} form[action='/admin/containers/stop'] button"))
        .await;
    accept_confirm(&b).await;
    b.wait_path("/admin/containers?done=stopped").await;
    b.wait_text(".notice", "The container was stopped.").await;
    let text = b.wait_text(&row, "stopped").await;
    assert!(text.contains("admin"), "no stop reason: {text}");
    assert!(!container_running(&user_container));
    b.assert_clean_log(&[]).await;

    // Start: the answer comes once the agent is healthy.
    b.click(&format!("{row} form[action='/admin/containers/start'] button"))
        .await;
    b.wait_path("/admin/containers?done=started").await;
    b.wait_text(".notice", "The container is running.").await;
    b.wait_text(&row, "running").await;
    assert!(container_running(&user_container));
    let listed = w
        .api
        .get("/api/admin/containers", Auth::Session(&w.admin))
        .await
        .expect(200);
    let status = listed["data"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["owner"] == user.as_str()))
        .expect("the user's container listed")
        .clone();
    assert_eq!(status["state"], "running");
    b.assert_clean_log(&[]).await;

    // A system agent, added on an admin-level provider.
    let name = format!("ops-{}", scope.instance);
    let system_container = format!("mosaic-system-{name}");
    b.goto("/admin/usage").await;
    b.wait_text("h1", "Usage").await;
    b.find("#usage-empty").await;
    b.find("#usage-totals").await;
    b.goto("/admin/usage?from=not-a-day").await;
    b.wait_text(".error", "The usage figures could not be read").await;
    assert!(!b.exists("#usage-empty").await, "an error never shows the empty state");
    b.assert_clean_log(&["400"]).await;

    b.goto("/admin/system-agents").await;
    b.find("#system-agents-empty").await;
    assert!(b.exists("#agent-provider option[value=shared]").await);
    b.fill("#agent-name", &name).await;
    b.fill("#agent-role", "monitor").await;
    b.fill("#agent-model", "big").await;
    b.select("#agent-provider", "shared").await;
    b.fill("#agent-personality", "You watch the logs.").await;
    b.click("#system-agent-form button[type=submit]").await;
    b.wait_path("/admin/system-agents?done=created").await;
    b.wait_text(".notice", "Created.").await;
    let agent_row = format!("#system-agents tr:has(input[name=target][value='system/{name}'])");
    let text = b.wait_text(&agent_row, "running").await;
    assert!(
        text.contains(&name) && text.contains("monitor") && text.contains("big") && text.contains("shared"),
        "{text}"
    );
    assert!(container_running(&system_container));
    assert_secret_absent("sk-system-0001", &b.dom().await, "the system agents page");
    b.assert_clean_log(&[]).await;

    // The same name again is refused, and the form keeps what was typed.
    b.fill("#agent-name", &name).await;
    b.fill("#agent-role", "second").await;
    b.fill("#agent-model", "big").await;
    b.click("#system-agent-form button[type=submit]").await;
    b.wait_text(".error", "already exists").await;
    assert_eq!(
        b.find("#agent-role").await.prop("value").await.unwrap().as_deref(),
        Some("second")
    );
    assert_eq!(b.count("#system-agents tbody tr").await, 1);
    b.assert_clean_log(&["409"]).await;

    // The containers page lists it as always on, beside the user's.
    b.goto("/admin/containers").await;
    let system_row = format!("#containers tr:has(input[name=target][value='system/{name}'])");
    let text = b.wait_text(&system_row, "running").await;
    assert!(text.contains("always on"), "{text}");
    assert_eq!(b.count("#containers tbody tr").await, 2);
    b.assert_clean_log(&[]).await;

    // Removed after a confirmation, with its container.
    b.goto("/admin/system-agents").await;
    b.click(&format!(
        "{agent_row} form[action='/admin/system-agents/{name}/remove'] button"
    ))
    .await;
    accept_confirm(&b).await;
    b.wait_path("/admin/system-agents?done=removed").await;
    b.find("#system-agents-empty").await;
    assert_ne!(
        docker(&["inspect", &system_container]).code,
        0,
        "the system agent's container is left"
    );
    b.assert_clean_log(&[]).await;

    let audit = data.audit().await;
    for action in [
        "container.stop",
        "container.start",
        "system_agent.add",
        "system_agent.remove",
    ] {
        assert!(
            audit
                .iter()
                .any(|(actor, a, _, _)| a == action && *actor == format!("user:{}", w.admin.user_id)),
            "{action} audited as the administrator: {audit:?}"
        );
    }
    drop(b);
    data.close().await;
}
