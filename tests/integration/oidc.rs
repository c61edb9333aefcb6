//! OpenID Connect login against a real OpenID provider (oidc-provider-mock), through real HTTP:
//! linking and provisioning, and each check mosaicd makes, exercised by a provider (or a proxy
//! in front of it) that gets exactly that one thing wrong.

use std::time::Duration;

use libtest_mimic::Trial;
use mosaic_tests::http::{Api, Auth, Session};
use mosaic_tests::oidc::{Browser, Hop, Mischief, OidcProvider, OidcProxy, set_cookie, shared};
use mosaic_tests::{DaemonOptions, trial};
use mosaicd::store::q;
use serde_json::{Value, json};

use crate::http::{Backend, PASSWORD, World};

const CLIENT: &str = "mosaic-webui";
const WEBUI: &str = "http://webui.test";

pub fn trials() -> Vec<Trial> {
    vec![
        trial("oidc::link_provision_and_admins", || {
            link_and_provision(Backend::Sqlite)
        }),
        trial("oidc::postgres::link_provision_and_admins", || {
            link_and_provision(Backend::Postgres)
        }),
        trial("oidc::never_merges_into_breakglass", never_breakglass),
        trial("oidc::unverified_email_is_refused", unverified_email),
        trial("oidc::token_for_another_client_is_refused", wrong_audience),
        trial("oidc::wrong_nonce_is_refused", wrong_nonce),
        trial("oidc::forged_signature_is_refused", forged_signature),
        trial("oidc::other_issuer_is_refused", other_issuer),
        trial("oidc::expired_token_is_refused", expired_token),
        trial("oidc::state_mismatch_and_replay", state_and_replay),
        trial("oidc::issuer_down_keeps_breakglass_working", issuer_down),
        trial("oidc::pending_logins_are_capped", pending_cap),
        trial("oidc::provisioning_settings_over_http_and_cli", provisioning_settings),
    ]
}

/// A world whose daemon knows the WebUI origin, with OIDC pointed at `issuer`.
async fn world(backend: Backend, issuer: &str, extra: &[&str]) -> World {
    let mut options = DaemonOptions::default().arg("--webui-origin").arg(WEBUI);
    for a in extra {
        options = options.arg(*a);
    }
    let w = World::start_with(backend, options).await;
    configure(&w, issuer).await;
    w
}

async fn configure(w: &World, issuer: &str) {
    w.api
        .put(
            "/api/admin/oidc",
            Auth::Session(&w.admin),
            &json!({ "issuerUrl": issuer, "clientId": CLIENT, "clientSecret": "oidc-client-secret-canary" }),
        )
        .await
        .expect(200);
}

/// A unique subject for this test's users at the shared provider.
fn sub(name: &str) -> String {
    format!("{name}-{}", uuid::Uuid::new_v4().simple())
}

/// The session a successful callback established; checks the redirect and the cookies.
#[track_caller]
fn logged_in(hop: &Hop, expect_location: &str) -> String {
    assert_eq!(hop.status.as_u16(), 303, "the login did not succeed: {hop:?}");
    assert_eq!(hop.location(), expect_location);
    let cookies: Vec<&str> = hop
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-mosaic_oidc=;") && c.contains("Max-Age=0")),
        "the flow cookie is not cleared: {cookies:?}"
    );
    let session = set_cookie(&hop.headers, "mosaic_session").expect("session cookie");
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with(&session) && c.contains("HttpOnly"))
    );
    session
}

/// `/api/auth/session` with a cookie from an OIDC login.
async fn whoami(api: &Api, cookie: &str) -> Value {
    let r = api
        .send(
            api.request(reqwest::Method::GET, "/api/auth/session", Auth::None)
                .header("cookie", cookie),
        )
        .await;
    r.expect(200)
}

fn session_of(cookie: &str, info: &Value) -> Session {
    Session {
        cookie: cookie.to_string(),
        csrf: info["csrfToken"].as_str().unwrap().to_string(),
        user_id: info["user"]["id"].as_str().unwrap().to_string(),
    }
}

async fn link_and_provision(backend: Backend) {
    let idp = shared();
    let w = world(backend, &idp.issuer(), &[]).await;
    let api = &w.api;
    let browser = Browser::new(&w.daemon.base_url());
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let email = |who: &str| format!("{who}.{tag}@example.com");

    // The login page can tell OIDC is on.
    assert_eq!(
        api.get("/api/auth/oidc", Auth::None).await.expect(200),
        json!({ "enabled": true, "loginUrl": "/api/auth/oidc/login" })
    );
    // The authorization request carries PKCE (S256), state, nonce, this client and redirect URI.
    let start = browser.start("?returnTo=/chat").await;
    assert_eq!(start.status.as_u16(), 303, "{start:?}");
    let url = reqwest::Url::parse(&start.location()).unwrap();
    let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(
        url.as_str().starts_with(&format!("{}/oauth2/authorize", idp.issuer())),
        "{url}"
    );
    assert_eq!(params["client_id"], CLIENT);
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["response_type"], "code");
    assert!(params["scope"].contains("openid") && params["scope"].contains("email"));
    assert_eq!(
        params["redirect_uri"],
        format!("{}/api/auth/oidc/callback", w.daemon.base_url())
    );
    for p in ["state", "nonce", "code_challenge"] {
        assert!(params[p].len() >= 43, "{p} too short");
    }
    let flow = start.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        flow.contains("HttpOnly") && flow.contains("SameSite=Lax") && flow.contains("Max-Age=600"),
        "{flow}"
    );
    // Only paths and WebUI origins are accepted as return targets (no open redirect).
    for bad in ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)"] {
        let r = browser.start(&format!("?returnTo={}", urlencode(bad))).await;
        assert_eq!(r.status.as_u16(), 400, "{bad}: {r:?}");
    }

    // An invited user with a verified email: linked to the invitation's account.
    let alice = sub("alice");
    idp.set_user(
        &alice,
        json!({ "email": email("alice"), "email_verified": true, "name": "Alice A" }),
    )
    .await;
    let invite = api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": email("alice") }),
        )
        .await
        .expect(201);
    let invited_id = invite["userId"].as_str().unwrap().to_string();
    let r = browser.to_provider(&alice, |u| u).await;
    let hop = browser.back(&r.callback, Some(&r.flow_cookie)).await;
    let cookie = logged_in(&hop, &format!("{WEBUI}/"));
    let me = whoami(api, &cookie).await;
    assert_eq!(me["user"]["id"], invited_id.as_str());
    assert_eq!(me["user"]["authSource"], "oidc");
    assert_eq!(me["user"]["role"], "member");
    assert_eq!(me["authMethod"], "session");
    // The session works like a password login's, CSRF included.
    let alice_session = session_of(&cookie, &me);
    api.post(
        "/api/tokens",
        Auth::Session(&alice_session),
        &json!({ "name": "laptop" }),
    )
    .await
    .expect(201);
    api.post("/api/tokens", Auth::CookieOnly(&alice_session), &json!({ "name": "x" }))
        .await
        .error(403, "csrf_token_invalid");
    // The pending invite link died with the link.
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": invite["inviteToken"], "password": PASSWORD }),
    )
    .await
    .error(404, "not_found");
    // The next login finds the account by its identity, even with another email now.
    idp.set_user(&alice, json!({ "email": email("alice2"), "email_verified": true }))
        .await;
    let again = whoami(api, &logged_in(&browser.login(&alice).await, &format!("{WEBUI}/"))).await;
    assert_eq!(again["user"]["id"], invited_id.as_str());
    // returnTo is honoured.
    let r = browser.start("?returnTo=/chat%3Fx%3D1").await;
    let flow_cookie = set_cookie(&r.headers, "mosaic_oidc").unwrap();
    let page = browser
        .client
        .post(r.location())
        .form(&[("sub", alice.as_str())])
        .send()
        .await
        .unwrap();
    let callback = page.headers()["location"].to_str().unwrap().to_string();
    logged_in(
        &browser.back(&callback, Some(&flow_cookie)).await,
        &format!("{WEBUI}/chat?x=1"),
    );

    // Someone new: a member account.
    let bob = sub("bob");
    idp.set_user(
        &bob,
        json!({ "email": email("bob"), "email_verified": true, "preferred_username": "bobby" }),
    )
    .await;
    let me = whoami(api, &logged_in(&browser.login(&bob).await, &format!("{WEBUI}/"))).await;
    assert_eq!(me["user"]["role"], "member");
    assert_eq!(me["user"]["authSource"], "oidc");
    assert_eq!(me["user"]["email"], email("bob"));
    assert_eq!(me["user"]["name"], "bobby");
    let bob_id = me["user"]["id"].as_str().unwrap().to_string();

    // Administrators by allow-list and by claim; others stay members.
    api.put(
        "/api/admin/oidc/provisioning",
        Auth::Session(&w.admin),
        &json!({ "adminEmails": [email("carol").to_uppercase()], "adminClaim": "groups", "adminClaimValue": "mosaic-admins" }),
    )
    .await
    .expect(200);
    let settings = api.get("/api/admin/oidc", Auth::Session(&w.admin)).await.expect(200);
    assert_eq!(settings["provisioning"]["adminEmails"], json!([email("carol")]));
    assert_eq!(
        settings["redirectUri"],
        format!("{}/api/auth/oidc/callback", w.daemon.base_url())
    );
    let carol = sub("carol");
    idp.set_user(&carol, json!({ "email": email("carol"), "email_verified": true }))
        .await;
    let dave = sub("dave");
    idp.set_user(
        &dave,
        json!({ "email": email("dave"), "email_verified": true, "groups": ["staff", "mosaic-admins"] }),
    )
    .await;
    let erin = sub("erin");
    idp.set_user(
        &erin,
        json!({ "email": email("erin"), "email_verified": true, "groups": ["staff"] }),
    )
    .await;
    for (who, role) in [(&carol, "admin"), (&dave, "admin"), (&erin, "member")] {
        let me = whoami(api, &logged_in(&browser.login(who).await, &format!("{WEBUI}/"))).await;
        assert_eq!(me["user"]["role"], role, "{who}");
    }
    // A member who joins the admin group is promoted at the next login.
    idp.set_user(
        &bob,
        json!({ "email": email("bob"), "email_verified": true, "groups": ["mosaic-admins"] }),
    )
    .await;
    let me = whoami(api, &logged_in(&browser.login(&bob).await, &format!("{WEBUI}/"))).await;
    assert_eq!(
        (me["user"]["id"].as_str(), me["user"]["role"].as_str()),
        (Some(bob_id.as_str()), Some("admin"))
    );

    // A deactivated account stays out.
    api.post_empty(
        &format!("/api/admin/users/{invited_id}/deactivate"),
        Auth::Session(&w.admin),
    )
    .await
    .expect(200);
    let m = browser.login(&alice).await.error(403, "oidc_refused");
    assert!(m.contains("deactivated"), "{m}");

    // The client secret never shows; the audit log tells links from new accounts.
    assert!(!api.transcript().contains("oidc-client-secret-canary"));
    assert!(!w.daemon.log().contains("oidc-client-secret-canary"));
    let actions = w.audit_actions().await;
    for action in ["user.oidc_link", "user.oidc_provision", "user.oidc_promote"] {
        assert!(actions.iter().any(|a| a == action), "no {action} in {actions:?}");
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

async fn never_breakglass() {
    let idp = shared();
    let w = world(Backend::Sqlite, &idp.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    // Everything an identity provider could say to look like the breakglass admin.
    let admin_sub = sub("admin");
    idp.set_user(
        &admin_sub,
        json!({ "email": "admin@example.com", "email_verified": true, "name": "admin",
                "preferred_username": "admin", "groups": ["admin"] }),
    )
    .await;
    let before = w
        .api
        .get(
            &format!("/api/admin/users/{}", w.admin.user_id),
            Auth::Session(&w.admin),
        )
        .await
        .expect(200);
    let me = whoami(
        &w.api,
        &logged_in(&browser.login(&admin_sub).await, &format!("{WEBUI}/")),
    )
    .await;
    assert_ne!(
        me["user"]["id"],
        w.admin.user_id.as_str(),
        "OIDC logged into the breakglass account"
    );
    assert_eq!(me["user"]["role"], "member");
    assert_eq!(me["user"]["authSource"], "oidc");
    let after = w
        .api
        .get(
            &format!("/api/admin/users/{}", w.admin.user_id),
            Auth::Session(&w.admin),
        )
        .await
        .expect(200);
    assert_eq!(before, after, "the breakglass account changed");
    let db = w.db().await;
    let (source, subject): (String, Option<String>) = db
        .one(q("SELECT auth_source, oidc_subject FROM users WHERE id = $1").bind(&w.admin.user_id))
        .await
        .unwrap();
    db.close().await;
    assert_eq!((source.as_str(), subject), ("breakglass", None));
    w.api.login("admin", PASSWORD).await;
}

async fn unverified_email() {
    let idp = shared();
    let w = world(Backend::Sqlite, &idp.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let email = format!("frank.{}@example.com", uuid::Uuid::new_v4().simple());
    let invite = w
        .api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": email }),
        )
        .await
        .expect(201);
    let frank = sub("frank");
    idp.set_user(&frank, json!({ "email": email, "email_verified": false }))
        .await;
    let m = browser.login(&frank).await.error(403, "oidc_refused");
    assert!(m.contains("not verified") && m.contains(&email), "{m}");
    // Nothing was linked or created: the invitation is still pending and usable.
    let user = w
        .api
        .get(
            &format!("/api/admin/users/{}", invite["userId"].as_str().unwrap()),
            Auth::Session(&w.admin),
        )
        .await
        .expect(200);
    assert_eq!(
        (user["status"].as_str(), user["authSource"].as_str()),
        (Some("invited"), Some("local"))
    );
    let users = w.api.get("/api/admin/users", Auth::Session(&w.admin)).await.expect(200);
    assert_eq!(users["meta"]["total"], 2);
    // No email claim at all: refused as well.
    let nobody = sub("nobody");
    idp.set_user(&nobody, json!({ "name": "No Email" })).await;
    let m = browser.login(&nobody).await.error(403, "oidc_refused");
    assert!(m.contains("no email"), "{m}");
    // Verified at the provider, the same person gets in and the invitation is used.
    idp.set_user(&frank, json!({ "email": email, "email_verified": true }))
        .await;
    let me = whoami(&w.api, &logged_in(&browser.login(&frank).await, &format!("{WEBUI}/"))).await;
    assert_eq!(me["user"]["id"], invite["userId"]);
}

/// An ID token minted for another client (audience) must not log anyone in here.
async fn wrong_audience() {
    let idp = shared();
    let proxy = OidcProxy::start(idp.port, Mischief::None).await;
    let w = world(Backend::Sqlite, &proxy.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let grace = sub("grace");
    idp.set_user(
        &grace,
        json!({ "email": format!("{grace}@example.com"), "email_verified": true }),
    )
    .await;
    // Through the proxy untouched, the login works.
    logged_in(&browser.login(&grace).await, &format!("{WEBUI}/"));
    proxy.set(Mischief::ForeignClient("another-app".into()));
    let m = browser.login(&grace).await.error(401, "oidc_token_invalid");
    assert!(
        m.contains("another-app") || m.to_lowercase().contains("audience"),
        "{m}"
    );
}

async fn wrong_nonce() {
    let idp = shared();
    let w = world(Backend::Sqlite, &idp.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let heidi = sub("heidi");
    idp.set_user(
        &heidi,
        json!({ "email": format!("{heidi}@example.com"), "email_verified": true }),
    )
    .await;
    // The browser (or an attacker replaying another login's token) changes the nonce the
    // provider puts into the ID token.
    let r = browser
        .to_provider(&heidi, |url| {
            let mut u = reqwest::Url::parse(&url).unwrap();
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k == "nonce" { format!("{v}x") } else { v.into_owned() };
                    (k.into_owned(), v)
                })
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            u.to_string()
        })
        .await;
    let m = browser
        .back(&r.callback, Some(&r.flow_cookie))
        .await
        .error(401, "oidc_token_invalid");
    assert!(m.to_lowercase().contains("nonce"), "{m}");
}

async fn forged_signature() {
    let idp = shared();
    let proxy = OidcProxy::start(idp.port, Mischief::ForgeSignature).await;
    let w = world(Backend::Sqlite, &proxy.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let ivan = sub("ivan");
    idp.set_user(
        &ivan,
        json!({ "email": format!("{ivan}@example.com"), "email_verified": true }),
    )
    .await;
    let m = browser.login(&ivan).await.error(401, "oidc_token_invalid");
    assert!(m.to_lowercase().contains("signature"), "{m}");
    proxy.set(Mischief::None);
    logged_in(&browser.login(&ivan).await, &format!("{WEBUI}/"));
}

async fn other_issuer() {
    let idp = shared();
    let proxy = OidcProxy::start(idp.port, Mischief::None).await;
    let w = world(Backend::Sqlite, &proxy.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let judy = sub("judy");
    idp.set_user(
        &judy,
        json!({ "email": format!("{judy}@example.com"), "email_verified": true }),
    )
    .await;
    // The provider signs the token as `http://localhost:PORT`, not the configured issuer.
    proxy.set(Mischief::OtherIssuerHost(format!("localhost:{}", proxy.port)));
    let m = browser.login(&judy).await.error(401, "oidc_token_invalid");
    assert!(m.to_lowercase().contains("issuer"), "{m}");
}

async fn expired_token() {
    // Tokens valid for a minute, checked by a daemon whose clock is two minutes ahead of the
    // provider's; no clock skew allowed.
    let idp = OidcProvider::start_own(&["--require-nonce", "--token-max-age", "60"]);
    let proxy = OidcProxy::start(idp.port, Mischief::None).await;
    let w = world(Backend::Sqlite, &proxy.issuer(), &["--oidc-clock-skew", "0"]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let kim = sub("kim");
    idp.set_user(
        &kim,
        json!({ "email": format!("{kim}@example.com"), "email_verified": true }),
    )
    .await;
    logged_in(&browser.login(&kim).await, &format!("{WEBUI}/"));
    w.daemon.advance_clock(Duration::from_secs(120));
    let m = browser.login(&kim).await.error(401, "oidc_token_invalid");
    assert!(m.to_lowercase().contains("expired"), "{m}");
}

async fn state_and_replay() {
    let idp = shared();
    let w = world(Backend::Sqlite, &idp.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let leo = sub("leo");
    idp.set_user(
        &leo,
        json!({ "email": format!("{leo}@example.com"), "email_verified": true }),
    )
    .await;
    let with_state = |callback: &str, state: &str| {
        let mut u = reqwest::Url::parse(callback).unwrap();
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    if k == "state" { state.to_string() } else { v.to_string() },
                )
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    };

    // A wrong state is refused, and burns the flow: the right one no longer works either.
    let r = browser.to_provider(&leo, |u| u).await;
    let m = browser
        .back(&with_state(&r.callback, "forged-state"), Some(&r.flow_cookie))
        .await
        .error(400, "oidc_state_invalid");
    assert!(m.contains("state"), "{m}");
    browser
        .back(&r.callback, Some(&r.flow_cookie))
        .await
        .error(400, "oidc_state_invalid");

    // Login B's answer in a browser holding login A's cookie (a login CSRF): refused.
    let a = browser.to_provider(&leo, |u| u).await;
    let b = browser.to_provider(&leo, |u| u).await;
    browser
        .back(&b.callback, Some(&a.flow_cookie))
        .await
        .error(400, "oidc_state_invalid");
    // Without the flow cookie at all.
    let m = browser.back(&b.callback, None).await.error(400, "oidc_state_invalid");
    assert!(m.contains("start the login again"), "{m}");

    // A finished login cannot be replayed.
    let c = browser.to_provider(&leo, |u| u).await;
    logged_in(
        &browser.back(&c.callback, Some(&c.flow_cookie)).await,
        &format!("{WEBUI}/"),
    );
    browser
        .back(&c.callback, Some(&c.flow_cookie))
        .await
        .error(400, "oidc_state_invalid");

    // The provider's own refusal is passed on, and the flow ends.
    let d = browser.to_provider(&leo, |u| u).await;
    let state = reqwest::Url::parse(&d.callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let denied = format!(
        "{}/api/auth/oidc/callback?error=access_denied&error_description=user%20said%20no&state={state}",
        w.daemon.base_url()
    );
    let m = browser
        .back(&denied, Some(&d.flow_cookie))
        .await
        .error(403, "oidc_refused");
    assert!(m.contains("access_denied") && m.contains("user said no"), "{m}");
}

async fn issuer_down() {
    let dead = format!("http://127.0.0.1:{}", mosaic_tests::daemon::free_port());
    let w = world(Backend::Sqlite, &dead, &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let m = browser.start("").await.error(503, "oidc_unavailable");
    assert!(m.contains(&dead) && m.contains("cannot connect"), "{m}");
    w.api.login("admin", PASSWORD).await;
    // A broken one (no discovery document there) fails as clearly.
    let fake = mosaic_tests::fake_provider::FakeProvider::start("k").await;
    configure(&w, &format!("http://{}", fake.addr)).await;
    let m = browser.start("").await.error(503, "oidc_unavailable");
    assert!(m.contains("openid-configuration") && m.contains("HTTP 401"), "{m}");
    w.api.login("admin", PASSWORD).await;
    // Without OIDC settings there is nothing to start.
    w.api
        .delete("/api/admin/oidc", Auth::Session(&w.admin))
        .await
        .expect(204);
    browser.start("").await.error(404, "oidc_not_configured");
    assert_eq!(
        w.api.get("/api/auth/oidc", Auth::None).await.expect(200)["enabled"],
        false
    );
}

/// A flood of login starts cannot grow the flow table without bound, nor touch password logins.
async fn pending_cap() {
    let idp = shared();
    let w = world(Backend::Sqlite, &idp.issuer(), &[]).await;
    let browser = Browser::new(&w.daemon.base_url());
    let db = w.db().await;
    let far = 4_000_000_000_000_i64;
    db.execute(
        q(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
           INSERT INTO oidc_login (id, cookie_hash, issuer, client_id, created_at, expires_at)
           SELECT 'f' || i, 'h' || i, 'x', 'x', 0, $2 FROM n",
        )
        .bind(mosaicd::service::oidc::MAX_PENDING_FLOWS)
        .bind(far),
    )
    .await
    .unwrap();
    let m = browser.start("").await.error(503, "oidc_unavailable");
    assert!(m.contains("too many"), "{m}");
    w.api.login("admin", PASSWORD).await;
    // Expired flows are swept by the next start.
    db.execute(q("UPDATE oidc_login SET expires_at = 1 WHERE id = 'f1'"))
        .await
        .unwrap();
    assert_eq!(browser.start("").await.status.as_u16(), 303);
    db.close().await;
}

/// Who becomes an administrator: the same rules over HTTP and `mosaicctl config`.
async fn provisioning_settings() {
    let w = World::start(Backend::Sqlite).await;
    let admin = Auth::Session(&w.admin);
    let empty = w.api.get("/api/admin/oidc/provisioning", admin).await.expect(200);
    assert_eq!(
        empty,
        json!({ "adminEmails": [], "adminClaim": null, "adminClaimValue": null })
    );
    let http = w
        .api
        .put(
            "/api/admin/oidc/provisioning",
            admin,
            &json!({ "adminEmails": ["not-an-email"] }),
        )
        .await
        .error(400, "invalid_input");
    let cli = w.daemon.ctl(&["config", "set", "oidc.adminEmails=not-an-email"]);
    cli.fails(5, &http);
    w.api
        .put(
            "/api/admin/oidc/provisioning",
            admin,
            &json!({ "adminClaimValue": "x" }),
        )
        .await
        .error(400, "invalid_input");
    w.api
        .put(
            "/api/admin/oidc/provisioning",
            admin,
            &json!({ "adminEmails": [], "role": "admin" }),
        )
        .await
        .error(400, "invalid_input");

    w.daemon
        .ctl(&[
            "config",
            "set",
            "oidc.adminEmails=Boss@Example.com, ops@example.com",
            "oidc.adminClaim=groups",
        ])
        .ok();
    w.daemon
        .ctl(&["config", "set", "oidc.adminClaimValue=mosaic-admins"])
        .ok();
    let shown = w.api.get("/api/admin/oidc", admin).await.expect(200);
    assert_eq!(
        shown["provisioning"],
        json!({ "adminEmails": ["boss@example.com", "ops@example.com"], "adminClaim": "groups",
                "adminClaimValue": "mosaic-admins" })
    );
    let entry = w.daemon.ctl(&["config", "get", "oidc.adminEmails", "--json"]).json();
    assert_eq!(entry["value"], json!(["boss@example.com", "ops@example.com"]));
    w.daemon.ctl(&["config", "unset", "oidc.adminEmails"]).ok();
    assert_eq!(
        w.api.get("/api/admin/oidc/provisioning", admin).await.expect(200)["adminEmails"],
        json!([])
    );
    // Members may neither read nor change it.
    let bob = w.member("bob@example.com").await;
    w.api
        .get("/api/admin/oidc/provisioning", Auth::Session(&bob))
        .await
        .error(403, "forbidden");
    w.api
        .put(
            "/api/admin/oidc/provisioning",
            Auth::Session(&bob),
            &json!({ "adminEmails": ["bob@example.com"] }),
        )
        .await
        .error(403, "forbidden");
    let actions = w.audit_actions().await;
    assert!(
        actions.iter().filter(|a| *a == "oidc.provisioning").count() >= 3,
        "{actions:?}"
    );
}
