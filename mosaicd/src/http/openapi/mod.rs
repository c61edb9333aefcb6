//! The OpenAPI 3.1 document of the API, built once from the types: every schema is derived from
//! its DTO (`ToSchema`, the `openapi` feature of `mosaic_shared`), every operation is declared in
//! this module's areas with the answers it gives. `mosaicd/openapi.json` is a snapshot of it that a
//! test compares, and a unit test checks that every route of [`super::endpoints`] is in it.

mod admin;
mod agent;
mod auth;
mod chat;
mod containers;
mod health;
mod onboarding;
mod op;
mod providers;
mod usage;
mod users;

use std::sync::LazyLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, Paths, Tag};
use warp::Filter;
use warp::http::Method;
use warp::http::header::{CONTENT_TYPE, HeaderValue};
use warp::reply::Response;

use super::Endpoint;
use op::{Op, Schemas};

const DESCRIPTION: &str = "mosaicd's HTTP API for the WebUI and API clients.\n\n\
    Authentication: a browser logs in with POST /api/auth/login and holds an HttpOnly session cookie; \
    every state-changing request made with the cookie must carry the session's CSRF token (csrfToken \
    from login or /api/auth/session) in X-CSRF-Token. API clients send a personal token as \
    Authorization: Bearer (no CSRF token needed).\n\n\
    Isolation: every user-facing route is scoped to the caller; another user's object answers 404, never \
    403.\n\n\
    Errors: always {\"error\":{\"code\",\"message\"}} with the HTTP status; request headers over 16 KiB \
    get 431. The one exception is what the chat proxy passes through from an agent: OpenClaw's own \
    {\"error\":{\"message\",\"type\"}}.\n\n\
    Chat: POST /api/chat/completions is OpenAI's chat completions API (point an OpenAI SDK at \
    <mosaicd>/api with a personal API token as its key). It is answered by the caller's own agent \
    container, started on demand; the answer is streamed through unbuffered.\n\n\
    CORS: only the configured WebUI origins (--webui-origin, MOSAIC_WEBUI_ORIGINS, system setting \
    webuiOrigins) get CORS headers, with credentials.\n\n\
    Egress policy for provider base URLs: http/https only, no credentials/query/fragment; link-local \
    (169.254.0.0/16, fe80::/10), metadata addresses and names, unspecified, multicast, reserved and \
    documentation ranges are always refused; loopback and private ranges only with the admin setting \
    allowPrivateProviderUrls. Names are resolved and every address checked before connecting; redirects \
    are not followed.\n\n\
    Throttling: password logins, invite acceptance and setup-token guesses are limited per account and \
    per client address; past the limit they answer 429 rate_limited with Retry-After.\n\n\
    Onboarding: until onboarding is complete, mosaicd logs a setup token at every start; the \
    /api/onboarding/* endpoints need it in X-Mosaic-Setup-Token and answer 409 once onboarding is \
    complete.\n\n\
    OpenID Connect: GET /api/auth/oidc/login starts an authorization code login (PKCE, state, nonce) and \
    GET /api/auth/oidc/callback finishes it with the same session cookie as a password login.";

/// The areas' operations, in the order the document lists them.
fn operations() -> Vec<Op> {
    let mut all = Vec::new();
    all.extend(health::operations());
    all.extend(auth::operations());
    all.extend(users::operations());
    all.extend(providers::operations());
    all.extend(agent::operations());
    all.extend(admin::operations());
    all.extend(onboarding::operations());
    all.extend(chat::operations());
    all.extend(containers::operations());
    all.extend(usage::operations());
    all
}

/// The document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas = Schemas::new();
    for op in operations() {
        match paths.paths.get_mut(op.path) {
            Some(item) => item.merge_operations(PathItem::new(op.method.clone(), op.operation())),
            None => {
                paths
                    .paths
                    .insert(op.path.to_string(), PathItem::new(op.method.clone(), op.operation()));
            }
        }
        op::add(&mut schemas, op.schemas);
    }
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            "sessionCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-mosaic_session",
                "From POST /api/auth/login (named mosaic_session with --insecure-cookies).",
            ))),
        )
        .security_scheme(
            "bearerToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token (mosaic_…) from POST /api/tokens."))
                    .build(),
            ),
        )
        .security_scheme(
            "setupToken",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Mosaic-Setup-Token",
                "The setup token mosaicd logs at start while onboarding is incomplete (or from `mosaicctl admin setup-token`).",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Mosaic API")
                .version(mosaic_shared::VERSION)
                .description(Some(DESCRIPTION))
                .build(),
        )
        .tags(Some(
            [
                "health",
                "auth",
                "users",
                "providers",
                "agent",
                "admin",
                "onboarding",
                "chat",
                "containers",
                "usage",
            ]
            .map(Tag::new),
        ))
        .paths(paths)
        .components(Some(components))
        .build()
}

/// The document as served and committed: pretty JSON with a final newline.
pub fn json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        let mut text = document().to_pretty_json().expect("the document serializes");
        text.push('\n');
        text
    });
    &JSON
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![Endpoint::new(Method::GET, "/api/openapi.json", |_, m| {
        m.map(|_| {
            let mut response = Response::new(json().into());
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        })
        .boxed()
    })]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    /// Every route the router serves under `/api` (and every other API route: health, metrics) is
    /// an operation of the document, and the document has no operation the router does not serve.
    /// The router is built from [`crate::http::endpoints`], so this is the router's own list.
    #[test]
    fn every_route_is_documented() {
        let doc: Value = serde_json::from_str(super::json()).unwrap();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = crate::http::endpoints()
            .iter()
            .map(|e| (e.method.to_string(), e.pattern.to_string()))
            .collect();
        assert!(served.iter().any(|(_, p)| p.starts_with("/api/")));
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(
            undocumented.is_empty(),
            "served but not in the document: {undocumented:?}"
        );
        assert!(unserved.is_empty(), "in the document but not served: {unserved:?}");
    }
}
