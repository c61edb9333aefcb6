//! Login, sessions (cookie attributes, expiry, idle timeout), logout, API tokens, invites, CSRF.

use std::time::Duration;

use mosaic_tests::DaemonOptions;
use mosaic_tests::http::{Auth, Session};
use serde_json::json;

use super::{Backend, PASSWORD, World, field};

pub async fn login_session_logout(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;

    let r = api
        .post(
            "/api/auth/login",
            Auth::None,
            &json!({ "username": "admin", "password": PASSWORD }),
        )
        .await;
    let body = r.expect(200);
    let cookie = r.header("set-cookie").expect("Set-Cookie");
    for attribute in [
        "__Host-mosaic_session=mss_",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Secure",
        "Max-Age=604800",
    ] {
        assert!(cookie.contains(attribute), "cookie lacks {attribute}: {cookie}");
    }
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["authSource"], "breakglass");
    assert_eq!(body["authMethod"], "session");
    assert_eq!(body["idleTimeoutSeconds"], 43200);
    let session = Session {
        cookie: mosaic_tests::http::session_cookie(&r.headers).unwrap(),
        csrf: field(&body, "csrfToken").to_string(),
        user_id: body["user"]["id"].as_str().unwrap().to_string(),
    };

    let who = api
        .get("/api/auth/session", Auth::CookieOnly(&session))
        .await
        .expect(200);
    assert_eq!(who["user"]["id"], session.user_id.as_str());
    assert_eq!(who["csrfToken"], session.csrf.as_str());

    // Wrong password, unknown user, unknown email: one status, one message.
    let wrong = api
        .post(
            "/api/auth/login",
            Auth::None,
            &json!({ "username": "admin", "password": "not the password 1" }),
        )
        .await
        .error(401, "unauthenticated");
    let unknown = api
        .post(
            "/api/auth/login",
            Auth::None,
            &json!({ "username": "nobody", "password": PASSWORD }),
        )
        .await
        .error(401, "unauthenticated");
    let unknown_email = api
        .post(
            "/api/auth/login",
            Auth::None,
            &json!({ "username": "nobody@example.com", "password": PASSWORD }),
        )
        .await
        .error(401, "unauthenticated");
    assert_eq!(wrong, "invalid username or password");
    assert_eq!(unknown, wrong);
    assert_eq!(unknown_email, wrong);
    let r = api.get("/api/auth/session", Auth::None).await;
    r.error(401, "unauthenticated");
    assert!(r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));

    // Logout ends the session and clears the cookie.
    let r = api.post_empty("/api/auth/logout", Auth::Session(&session)).await;
    r.expect(204);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    api.get("/api/auth/session", Auth::CookieOnly(&session))
        .await
        .error(401, "unauthenticated");
    // Logging out again (no valid session) is harmless.
    api.post_empty("/api/auth/logout", Auth::Session(&session))
        .await
        .expect(204);

    // A new login replaces the session the browser still held.
    let first = api.login("admin", PASSWORD).await;
    let r = api
        .request(reqwest::Method::POST, "/api/auth/login", Auth::CookieOnly(&first))
        .json(&json!({ "username": "admin", "password": PASSWORD }));
    api.send(r).await.expect(200);
    api.get("/api/auth/session", Auth::CookieOnly(&first))
        .await
        .error(401, "unauthenticated");

    let actions = w.audit_actions().await;
    for action in ["auth.login", "auth.login_failed", "auth.logout"] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited: {actions:?}");
    }
    super::assert_absent(PASSWORD, &w.daemon.log(), "the daemon log");
    super::assert_absent(PASSWORD, &w.audit_text().await, "the audit log");
}

/// Each half fails on its own: the idle session is refused only after the idle timeout, and the
/// busy one, never idle for long, only after the absolute lifetime. The daemon's clock is moved.
pub async fn session_expiry(backend: Backend) {
    let w = World::start_with(
        backend,
        DaemonOptions::default()
            .arg("--session-ttl")
            .arg("1h")
            .arg("--session-idle-timeout")
            .arg("10m"),
    )
    .await;
    let api = &w.api;
    let session = |s| api.get("/api/auth/session", Auth::CookieOnly(s));
    // Idle: still valid just inside the idle timeout, refused once it has passed unused.
    let idle = api.login("admin", PASSWORD).await;
    w.daemon.advance_clock(Duration::from_secs(9 * 60));
    session(&idle).await.expect(200);
    w.daemon.advance_clock(Duration::from_secs(10 * 60 + 30));
    session(&idle).await.error(401, "unauthenticated");

    // Absolute: used every nine minutes, valid up to the hour, refused after it.
    let busy = api.login("admin", PASSWORD).await;
    for _ in 0..6 {
        w.daemon.advance_clock(Duration::from_secs(9 * 60));
        session(&busy).await.expect(200);
    }
    w.daemon.advance_clock(Duration::from_secs(9 * 60));
    session(&busy).await.error(401, "unauthenticated");
}

pub async fn api_tokens(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let bob = w.member("bob@example.com").await;

    let created = api
        .post(
            "/api/tokens",
            Auth::Session(&bob),
            &json!({ "name": "laptop", "expiresInDays": 30 }),
        )
        .await
        .expect(201);
    let token = field(&created, "token").to_string();
    let id = field(&created, "id").to_string();
    assert!(token.starts_with("mosaic_"));
    assert!(token.starts_with(field(&created, "prefix")));
    assert!(created["expiresAt"].is_string());

    let list = api.get("/api/tokens", Auth::Session(&bob)).await;
    assert!(!list.body.contains(&token), "a listing shows the token");
    let list = list.expect(200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert!(list[0].get("token").is_none());

    // The bearer token authenticates, needs no CSRF token, and cannot mint more tokens.
    let who = api.get("/api/auth/session", Auth::Bearer(&token)).await.expect(200);
    assert_eq!(who["authMethod"], "token");
    assert_eq!(who["user"]["id"], bob.user_id.as_str());
    assert!(who["csrfToken"].is_null());
    api.post(
        "/api/providers",
        Auth::Bearer(&token),
        &json!({ "name": "via-token", "type": "openai" }),
    )
    .await
    .expect(201);
    api.post("/api/tokens", Auth::Bearer(&token), &json!({ "name": "more" }))
        .await
        .error(403, "forbidden");
    api.post_empty("/api/auth/logout", Auth::Bearer(&token))
        .await
        .error(400, "invalid_input");

    api.post(
        "/api/tokens",
        Auth::Session(&bob),
        &json!({ "name": "x", "expiresInDays": 0 }),
    )
    .await
    .error(400, "invalid_input");
    api.post("/api/tokens", Auth::Session(&bob), &json!({ "name": " " }))
        .await
        .error(400, "invalid_input");

    // Someone else cannot revoke it; its owner can, once, and it stops working on the very next
    // request (it was just used, so the daemon holds it in memory).
    api.get("/api/auth/session", Auth::Bearer(&token)).await.expect(200);
    api.delete(&format!("/api/tokens/{id}"), Auth::Session(&w.admin))
        .await
        .error(404, "not_found");
    api.delete(&format!("/api/tokens/{id}"), Auth::Session(&bob))
        .await
        .expect(204);
    api.get("/api/auth/session", Auth::Bearer(&token))
        .await
        .error(401, "unauthenticated");
    api.delete(&format!("/api/tokens/{id}"), Auth::Session(&bob))
        .await
        .error(404, "not_found");
    assert_eq!(api.get("/api/tokens", Auth::Session(&bob)).await.expect(200), json!([]));

    // Garbage and foreign schemes.
    api.get("/api/auth/session", Auth::Bearer("mosaic_not-a-token"))
        .await
        .error(401, "unauthenticated");
    let basic = api
        .request(reqwest::Method::GET, "/api/auth/session", Auth::None)
        .header("authorization", "Basic YWRtaW46eA==");
    api.send(basic).await.error(401, "unauthenticated");

    super::assert_absent(&token, &w.daemon.log(), "the daemon log");
    super::assert_absent(&token, &w.audit_text().await, "the audit log");
}

pub async fn invite_accept_login(backend: Backend) {
    let w = World::start_with(
        backend,
        DaemonOptions::default()
            .arg("--webui-origin")
            .arg("https://app.example.com"),
    )
    .await;
    let api = &w.api;
    let invite = api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": "Bob@Example.com", "name": "Bob", "role": "member" }),
        )
        .await
        .expect(201);
    let token = field(&invite, "inviteToken").to_string();
    assert_eq!(invite["email"], "bob@example.com");
    assert_eq!(
        invite["inviteUrl"],
        format!("https://app.example.com/accept-invite#token={token}")
    );
    let bob_id = field(&invite, "userId").to_string();
    let shown = api
        .get(&format!("/api/admin/users/{bob_id}"), Auth::Session(&w.admin))
        .await
        .expect(200);
    assert_eq!(shown["status"], "invited");
    assert_eq!(shown["invitedBy"], w.admin.user_id.as_str());
    assert_eq!(shown["isLocalAuth"], true);
    // Listing users never shows invite tokens.
    let list = api.get("/api/admin/users", Auth::Session(&w.admin)).await;
    super::assert_absent(&token, &list.body, "the users list");

    // No password yet: no login.
    api.post(
        "/api/auth/login",
        Auth::None,
        &json!({ "username": "bob@example.com", "password": PASSWORD }),
    )
    .await
    .error(401, "unauthenticated");
    // A weak password is refused and the invite stays usable.
    let weak = api
        .post(
            "/api/auth/invite/accept",
            Auth::None,
            &json!({ "token": token, "password": "short" }),
        )
        .await
        .error(400, "invalid_input");
    assert!(weak.contains("at least 12 characters"), "{weak}");
    let accepted = api
        .post(
            "/api/auth/invite/accept",
            Auth::None,
            &json!({ "token": token, "password": PASSWORD, "name": "Bob B." }),
        )
        .await
        .expect(200);
    assert_eq!(accepted["status"], "active");
    assert_eq!(accepted["name"], "Bob B.");

    // Email login is case-insensitive; the invitee is a member.
    let bob = api.login("BOB@example.com", PASSWORD).await;
    let who = api.get("/api/auth/session", Auth::Session(&bob)).await.expect(200);
    assert_eq!(who["user"]["role"], "member");
    assert_eq!(who["user"]["authSource"], "local");

    // The link works once.
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": token, "password": "another good pw 2" }),
    )
    .await
    .error(409, "conflict");
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": "msi_nope", "password": PASSWORD }),
    )
    .await
    .error(404, "not_found");
    // An existing user cannot be invited again.
    api.post(
        "/api/admin/users/invite",
        Auth::Session(&w.admin),
        &json!({ "email": "bob@example.com" }),
    )
    .await
    .error(409, "conflict");

    // Inviting a pending invitee again replaces their link.
    let first = api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": "carol@example.com" }),
        )
        .await
        .expect(201);
    let second = api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": "carol@example.com" }),
        )
        .await
        .expect(201);
    assert_eq!(first["userId"], second["userId"]);
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": first["inviteToken"], "password": PASSWORD }),
    )
    .await
    .error(404, "not_found");
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": second["inviteToken"], "password": PASSWORD }),
    )
    .await
    .expect(200);

    api.post(
        "/api/admin/users/invite",
        Auth::Session(&w.admin),
        &json!({ "email": "not-an-email" }),
    )
    .await
    .error(400, "invalid_input");
    super::assert_absent(&token, &w.daemon.log(), "the daemon log");
    super::assert_absent(&token, &w.audit_text().await, "the audit log");
    super::assert_absent(PASSWORD, &w.daemon.log(), "the daemon log");
}

pub async fn invite_expiry(backend: Backend) {
    let w = World::start_with(backend, DaemonOptions::default().arg("--invite-ttl").arg("1h")).await;
    let invite = w
        .api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": "late@example.com" }),
        )
        .await
        .expect(201);
    assert!(
        invite["inviteUrl"]
            .as_str()
            .unwrap()
            .starts_with("/accept-invite#token=msi_")
    );
    w.daemon.advance_clock(Duration::from_secs(3601));
    let message = w
        .api
        .post(
            "/api/auth/invite/accept",
            Auth::None,
            &json!({ "token": invite["inviteToken"], "password": PASSWORD }),
        )
        .await
        .error(400, "invalid_input");
    assert!(message.contains("expired"), "{message}");
    w.api
        .post(
            "/api/auth/login",
            Auth::None,
            &json!({ "username": "late@example.com", "password": PASSWORD }),
        )
        .await
        .error(401, "unauthenticated");
}

pub async fn csrf(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let body = json!({ "name": "p1", "type": "openai" });
    // Cookie without the header: refused, nothing written.
    let message = api
        .post("/api/providers", Auth::CookieOnly(&w.admin), &body)
        .await
        .error(403, "csrf_token_invalid");
    assert!(message.contains("X-CSRF-Token"), "{message}");
    let wrong = api
        .request(reqwest::Method::POST, "/api/providers", Auth::CookieOnly(&w.admin))
        .header("x-csrf-token", "wrong")
        .json(&body);
    api.send(wrong).await.error(403, "csrf_token_invalid");
    api.delete("/api/tokens/x", Auth::CookieOnly(&w.admin))
        .await
        .error(403, "csrf_token_invalid");
    api.post_empty("/api/auth/logout", Auth::CookieOnly(&w.admin))
        .await
        .error(403, "csrf_token_invalid");
    assert_eq!(
        api.get("/api/providers", Auth::CookieOnly(&w.admin)).await.expect(200),
        json!([])
    );
    // With it: accepted.
    api.post("/api/providers", Auth::Session(&w.admin), &body)
        .await
        .expect(201);
    // Another session's token does not fit this session.
    let other = api.login("admin", PASSWORD).await;
    let crossed = api
        .request(reqwest::Method::POST, "/api/providers", Auth::CookieOnly(&w.admin))
        .header("x-csrf-token", &other.csrf)
        .json(&json!({ "name": "p2", "type": "openai" }));
    api.send(crossed).await.error(403, "csrf_token_invalid");
}
