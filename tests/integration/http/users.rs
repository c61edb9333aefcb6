//! The admin users API: pagination, update, self-protection, deactivation ending access,
//! reactivation.

use mosaic_tests::http::Auth;
use serde_json::json;

use super::{Backend, PASSWORD, World, field};

pub async fn pagination(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let admin = Auth::Session(&w.admin);
    for i in 0..4 {
        api.post(
            "/api/admin/users/invite",
            admin,
            &json!({ "email": format!("u{i}@example.com") }),
        )
        .await
        .expect(201);
    }
    let page = |q: &'static str| async move { api.get(&format!("/api/admin/users{q}"), admin).await };

    let all = page("").await.expect(200);
    assert_eq!(
        all["meta"],
        json!({ "total": 5, "page": 1, "limit": 50, "totalPages": 1 })
    );
    assert_eq!(all["data"].as_array().unwrap().len(), 5);
    // Oldest first: the breakglass admin, then the invitees in order.
    assert_eq!(all["data"][0]["id"], w.admin.user_id.as_str());
    assert_eq!(all["data"][1]["email"], "u0@example.com");
    let user = &all["data"][1];
    for key in [
        "id",
        "name",
        "email",
        "role",
        "authSource",
        "isLocalAuth",
        "status",
        "invitedAt",
        "invitedBy",
        "deactivatedAt",
        "createdAt",
        "updatedAt",
    ] {
        assert!(user.get(key).is_some(), "AdminUser lacks {key}: {user}");
    }

    let p1 = page("?page=1&limit=2").await.expect(200);
    assert_eq!(
        p1["meta"],
        json!({ "total": 5, "page": 1, "limit": 2, "totalPages": 3 })
    );
    assert_eq!(p1["data"].as_array().unwrap().len(), 2);
    let p3 = page("?page=3&limit=2").await.expect(200);
    assert_eq!(p3["data"].as_array().unwrap().len(), 1);
    assert_eq!(p3["data"][0]["email"], "u3@example.com");
    // Past the end: no data, the same meta, the page asked for.
    let p4 = page("?page=4&limit=2").await.expect(200);
    assert_eq!(
        p4,
        json!({ "data": [], "meta": { "total": 5, "page": 4, "limit": 2, "totalPages": 3 } })
    );
    let far = page("?page=9223372036854775807&limit=100").await.expect(200);
    assert_eq!(far["data"], json!([]));
    // The limit is capped.
    let capped = page("?limit=1000").await.expect(200);
    assert_eq!(capped["meta"]["limit"], 100);
    assert_eq!(capped["meta"]["totalPages"], 1);

    for (q, needle) in [
        ("?page=0", "page"),
        ("?page=-1", "page"),
        ("?page=abc", "page"),
        ("?page=1.5", "page"),
        ("?limit=0", "limit"),
        ("?limit=-5", "limit"),
        ("?limit=ten", "limit"),
        ("?sort=name", "unknown query parameter"),
        ("?page=1&page=2", "twice"),
        ("?page=99999999999999999999", "page"),
    ] {
        let message = page(q).await.error(400, "invalid_input");
        assert!(message.contains(needle), "{q}: {message}");
    }
}

pub async fn update_deactivate_reactivate(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let admin = Auth::Session(&w.admin);
    let bob = w.member("bob@example.com").await;
    let bob_url = format!("/api/admin/users/{}", bob.user_id);
    let token = api
        .post("/api/tokens", Auth::Session(&bob), &json!({ "name": "cli" }))
        .await
        .expect(201)["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Update name and role.
    let updated = api
        .patch(&bob_url, admin, &json!({ "name": "Robert", "role": "admin" }))
        .await
        .expect(200);
    assert_eq!(updated["name"], "Robert");
    assert_eq!(updated["role"], "admin");
    // The new role applies to bob's existing session at once.
    api.get("/api/admin/users", Auth::Session(&bob)).await.expect(200);
    api.patch(&bob_url, admin, &json!({ "role": "member" }))
        .await
        .expect(200);
    api.get("/api/admin/users", Auth::Session(&bob))
        .await
        .error(403, "forbidden");
    // Bodies cannot smuggle other fields.
    for smuggled in [
        json!({ "id": "x" }),
        json!({ "email": "x@example.com" }),
        json!({ "role": "root" }),
    ] {
        api.patch(&bob_url, admin, &smuggled).await.error(400, "invalid_input");
    }
    api.patch(&bob_url, admin, &json!({ "name": "" }))
        .await
        .error(400, "invalid_input");
    // Self-protection.
    let own = format!("/api/admin/users/{}", w.admin.user_id);
    let message = api
        .patch(&own, admin, &json!({ "role": "member" }))
        .await
        .error(409, "conflict");
    assert!(message.contains("your own role"), "{message}");
    let carol = w.member("carol@example.com").await;
    api.patch(
        &format!("/api/admin/users/{}", carol.user_id),
        admin,
        &json!({ "role": "admin" }),
    )
    .await
    .expect(200);
    let breakglass = api
        .patch(&own, Auth::Session(&carol), &json!({ "role": "member" }))
        .await
        .error(409, "conflict");
    assert!(breakglass.contains("breakglass"), "{breakglass}");
    let message = api
        .post_empty(&format!("{own}/deactivate"), admin)
        .await
        .error(409, "conflict");
    assert_eq!(message, "you cannot deactivate your own account");

    // Deactivation ends bob's session, token and password login, on the very next request (both
    // were just used, so the daemon holds them in memory).
    api.get("/api/auth/session", Auth::CookieOnly(&bob)).await.expect(200);
    api.get("/api/auth/session", Auth::Bearer(&token)).await.expect(200);
    let deactivated = api
        .post_empty(&format!("{bob_url}/deactivate"), admin)
        .await
        .expect(200);
    assert_eq!(deactivated["status"], "deactivated");
    assert!(deactivated["deactivatedAt"].is_string());
    api.get("/api/auth/session", Auth::CookieOnly(&bob))
        .await
        .error(401, "unauthenticated");
    api.get("/api/auth/session", Auth::Bearer(&token))
        .await
        .error(401, "unauthenticated");
    api.post(
        "/api/auth/login",
        Auth::None,
        &json!({ "username": "bob@example.com", "password": PASSWORD }),
    )
    .await
    .error(401, "unauthenticated");
    // Again: nothing changes.
    api.post_empty(&format!("{bob_url}/deactivate"), admin)
        .await
        .expect(200);
    // Inviting a deactivated user's email is refused with a hint.
    let message = api
        .post("/api/admin/users/invite", admin, &json!({ "email": "bob@example.com" }))
        .await
        .error(409, "conflict");
    assert!(message.contains("reactivate"), "{message}");

    // Reactivation lets bob log in again; the old token stays revoked.
    let reactivated = api
        .post_empty(&format!("{bob_url}/reactivate"), admin)
        .await
        .expect(200);
    assert_eq!(reactivated["status"], "active");
    assert!(reactivated["deactivatedAt"].is_null());
    api.login("bob@example.com", PASSWORD).await;
    api.get("/api/auth/session", Auth::Bearer(&token))
        .await
        .error(401, "unauthenticated");

    // Deactivating a pending invitee withdraws their link.
    let dave = api
        .post(
            "/api/admin/users/invite",
            admin,
            &json!({ "email": "dave@example.com" }),
        )
        .await
        .expect(201);
    api.post_empty(
        &format!("/api/admin/users/{}/deactivate", field(&dave, "userId")),
        admin,
    )
    .await
    .expect(200);
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": dave["inviteToken"], "password": PASSWORD }),
    )
    .await
    .error(404, "not_found");

    for path in [
        "/api/admin/users/nope",
        "/api/admin/users/nope/deactivate",
        "/api/admin/users/nope/reactivate",
    ] {
        let r = if path.ends_with("activate") {
            api.post_empty(path, admin).await
        } else {
            api.get(path, admin).await
        };
        r.error(404, "not_found");
    }
    let actions = w.audit_actions().await;
    for action in [
        "user.invite",
        "invite.accept",
        "user.update",
        "user.deactivate",
        "user.reactivate",
        "token.create",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited: {actions:?}");
    }
}
