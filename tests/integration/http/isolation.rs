//! Zero cross-user access: for every user-scoped route, user B gets exactly the answer for a
//! nonexistent object when it names one of A's objects, and A's objects are untouched.

use mosaic_tests::http::{Auth, Resp};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Backend, World, field};

pub async fn cross_user_matrix(backend: Backend) {
    let w = World::start(backend).await;
    let api = &w.api;
    let alice = w.member("alice@example.com").await;
    let bob = w.member("bob@example.com").await;
    let a = Auth::Session(&alice);
    let b = Auth::Session(&bob);

    let provider = api
        .post(
            "/api/providers",
            a,
            &json!({ "name": "alices", "type": "openai", "apiKey": "sk-alice-secret-key-1234" }),
        )
        .await
        .expect(201);
    let pid = field(&provider, "id").to_string();
    let token = api
        .post("/api/tokens", a, &json!({ "name": "alice-cli" }))
        .await
        .expect(201);
    let tid = field(&token, "id").to_string();
    let alice_token = field(&token, "token").to_string();
    let config = api
        .put(
            "/api/agent-config",
            a,
            &json!({ "primaryModel": "alices/gpt-4o", "providerId": pid, "personality": "alice's soul" }),
        )
        .await
        .expect(200);

    // Each route with A's object id and with an id that exists nowhere: identical answers.
    let patch = json!({ "displayName": "taken over" });
    let matrix: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/providers/{pid}"), None),
        (Method::PATCH, format!("/api/providers/{pid}"), Some(patch.clone())),
        (Method::DELETE, format!("/api/providers/{pid}"), None),
        (Method::POST, format!("/api/providers/{pid}/test"), None),
        (Method::DELETE, format!("/api/tokens/{tid}"), None),
        (
            Method::PUT,
            "/api/agent-config".to_string(),
            Some(json!({ "providerId": pid })),
        ),
    ];
    let bob_token = api
        .post("/api/tokens", b, &json!({ "name": "bob-cli" }))
        .await
        .expect(201);
    for who in [b, Auth::Bearer(field(&bob_token, "token"))] {
        for (method, path, body) in &matrix {
            let theirs: Resp = api.call(method.clone(), path, who, body.as_ref()).await;
            let fake_path = path
                .replace(&pid, "00000000-0000-0000-0000-000000000000")
                .replace(&tid, "00000000-0000-0000-0000-000000000000");
            let fake_body = body.as_ref().map(|b| {
                serde_json::from_str::<Value>(&b.to_string().replace(&pid, "00000000-0000-0000-0000-000000000000"))
                    .unwrap()
            });
            let missing = api.call(method.clone(), &fake_path, who, fake_body.as_ref()).await;
            theirs.error(404, "not_found");
            assert_eq!(
                theirs.body, missing.body,
                "{method} {path}: another user's object answers differently from a missing one"
            );
        }
    }

    // B's listings and config show nothing of A's.
    assert_eq!(api.get("/api/providers", b).await.expect(200), json!([]));
    let tokens = api.get("/api/tokens", b).await.expect(200);
    assert!(tokens.as_array().unwrap().iter().all(|t| t["id"] != tid.as_str()));
    let bob_config = api.get("/api/agent-config", b).await.expect(200);
    assert!(bob_config["primaryModel"].is_null() && bob_config["personality"].is_null());

    // A's objects are untouched.
    assert_eq!(api.get(&format!("/api/providers/{pid}"), a).await.expect(200), provider);
    assert_eq!(api.get("/api/agent-config", a).await.expect(200), config);
    api.get("/api/auth/session", Auth::Bearer(&alice_token))
        .await
        .expect(200);
    assert_eq!(api.get("/api/tokens", a).await.expect(200).as_array().unwrap().len(), 1);

    // An admin's own routes are scoped the same way: the admin does not see A's provider either.
    assert_eq!(
        api.get("/api/providers", Auth::Session(&w.admin)).await.expect(200),
        json!([])
    );
    api.get(&format!("/api/providers/{pid}"), Auth::Session(&w.admin))
        .await
        .error(404, "not_found");
    // And no admin route shows A's key or token.
    let users = api.get("/api/admin/users", Auth::Session(&w.admin)).await;
    let alice_admin_view = api
        .get(&format!("/api/admin/users/{}", alice.user_id), Auth::Session(&w.admin))
        .await;
    for body in [&users.body, &alice_admin_view.body] {
        assert!(
            !body.contains("sk-alice-secret-key-1234")
                && !body.contains(&alice_token)
                && !body.contains("alice's soul")
        );
    }
}
