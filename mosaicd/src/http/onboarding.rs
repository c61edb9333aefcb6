//! The WebUI's onboarding endpoints (first boot). Each needs the setup token mosaicd logs at
//! start (`X-Mosaic-Setup-Token`) and works only until onboarding is complete; after that every
//! one answers 409 `onboarding_complete`. The rules are in `service/onboarding.rs`, which the
//! terminal wizard reaches over the admin socket.

use mosaic_shared::ErrorCode;
use std::sync::Arc;

use mosaic_shared::types::{
    BreakglassRequest, IssuerRequest, NewProvider, OidcInput, OidcIssuerCheck, ProviderDraft, ProviderSaved,
    SkippableStep, SystemAgentsInput,
};
use warp::http::{HeaderMap, Method};
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::{ApiError, reject};
use super::extract::{MAX_JSON_BODY, Params, client, json, ok, with_app};
use crate::app::App;
use crate::auth::throttle::Client;
use crate::service::onboarding::SetupTokenRefusal;
use crate::store::audit::Actor;

/// The header the setup token travels in.
pub const SETUP_TOKEN_HEADER: &str = "x-mosaic-setup-token";

/// Step 4's body: up to sixteen agents, each personality up to 256 KiB, together at most 1 MiB.
const MAX_SYSTEM_AGENTS_BODY: usize = 1024 * 1024;

/// Who the audit log names for an onboarding step taken over HTTP.
const ACTOR: Actor = Actor::SetupToken;

/// Passes only requests that carry the valid setup token while onboarding is open.
fn setup_token(app: Arc<App>) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::header::headers_cloned()
        .and(client())
        .and(with_app(app))
        .and_then(|headers: HeaderMap, client: Client, app: Arc<App>| async move {
            let presented = headers.get(SETUP_TOKEN_HEADER).and_then(|v| v.to_str().ok());
            match app
                .onboarding()
                .check_setup_token(presented, client)
                .await
                .map_err(reject)?
            {
                Ok(()) => Ok(()),
                Err(refusal) => Err(reject(refusal_error(refusal))),
            }
        })
        .untuple_one()
}

fn refusal_error(refusal: SetupTokenRefusal) -> ApiError {
    match refusal {
        SetupTokenRefusal::Complete => crate::service::onboarding::not_open().into(),
        SetupTokenRefusal::Missing => ApiError::new(
            ErrorCode::SetupTokenRequired,
            "onboarding needs the setup token mosaicd wrote to its log (or `mosaicctl admin setup-token`), \
             sent in X-Mosaic-Setup-Token",
        ),
        SetupTokenRefusal::Invalid(why) => ApiError::new(
            ErrorCode::SetupTokenInvalid,
            format!(
                "{why}: use the latest setup token from mosaicd's log, or get a new one with \
                 `mosaicctl admin setup-token`"
            ),
        ),
    }
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/onboarding/status", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and_then(|_, app: Arc<App>| async move {
                    Ok::<_, Rejection>(ok(&app.onboarding().onboarding_status().await.map_err(reject)?))
                })
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/onboarding/breakglass", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and(json::<BreakglassRequest>(MAX_JSON_BODY))
                .and_then(breakglass)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/onboarding/oidc/check", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and(json::<IssuerRequest>(MAX_JSON_BODY))
                .and_then(check_issuer)
                .boxed()
        }),
        Endpoint::new(Method::PUT, "/api/onboarding/oidc", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and(json::<OidcInput>(MAX_JSON_BODY))
                .and_then(set_oidc)
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/onboarding/oidc/skip", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and_then(|_, app: Arc<App>| skip(app, SkippableStep::Oidc))
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/onboarding/provider/test", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and(json::<ProviderDraft>(MAX_JSON_BODY))
                .and_then(test_provider)
                .boxed()
        }),
        Endpoint::new(Method::PUT, "/api/onboarding/provider", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and(json::<NewProvider>(MAX_JSON_BODY))
                .and_then(save_provider)
                .boxed()
        }),
        Endpoint::new(Method::PUT, "/api/onboarding/system-agents", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and(json::<SystemAgentsInput>(MAX_SYSTEM_AGENTS_BODY))
                .and_then(|_, app: Arc<App>, body: SystemAgentsInput| async move {
                    let saved = app
                        .onboarding()
                        .onboarding_system_agents(&ACTOR, body)
                        .await
                        .map_err(reject)?;
                    Ok::<_, Rejection>(ok(&saved))
                })
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/onboarding/system-agents/skip", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and_then(|_, app: Arc<App>| skip(app, SkippableStep::SystemAgents))
                .boxed()
        }),
        Endpoint::new(Method::POST, "/api/onboarding/complete", |app, m| {
            m.and(setup_token(app.clone()))
                .and(with_app(app))
                .and_then(|_, app: Arc<App>| async move {
                    Ok::<_, Rejection>(ok(&app
                        .onboarding()
                        .complete_onboarding(&ACTOR)
                        .await
                        .map_err(reject)?))
                })
                .boxed()
        }),
    ]
}

async fn breakglass(_: Params, app: Arc<App>, body: BreakglassRequest) -> Result<Response, Rejection> {
    let status = app
        .onboarding()
        .onboarding_breakglass(&ACTOR, &body.username, body.password.expose())
        .await
        .map_err(reject)?;
    Ok(ok(&status))
}

async fn check_issuer(_: Params, app: Arc<App>, body: IssuerRequest) -> Result<Response, Rejection> {
    let check: OidcIssuerCheck = app
        .oidc()
        .check_oidc_issuer(body.issuer_url.trim())
        .await
        .map_err(reject)?;
    Ok(ok(&check))
}

async fn set_oidc(_: Params, app: Arc<App>, body: OidcInput) -> Result<Response, Rejection> {
    Ok(ok(&app
        .onboarding()
        .onboarding_set_oidc(&ACTOR, body)
        .await
        .map_err(reject)?))
}

async fn skip(app: Arc<App>, step: SkippableStep) -> Result<Response, Rejection> {
    Ok(ok(&app
        .onboarding()
        .onboarding_skip(&ACTOR, step)
        .await
        .map_err(reject)?))
}

async fn test_provider(_: Params, app: Arc<App>, body: ProviderDraft) -> Result<Response, Rejection> {
    Ok(ok(&app.providers().test_provider_draft(body).await.map_err(reject)?))
}

async fn save_provider(_: Params, app: Arc<App>, body: NewProvider) -> Result<Response, Rejection> {
    let result = app
        .onboarding()
        .onboarding_save_provider(&ACTOR, body)
        .await
        .map_err(reject)?;
    match result.saved {
        Some(provider) => Ok(ok(&ProviderSaved {
            provider,
            test: result.test,
        })),
        None => Err(reject(ApiError::new(
            ErrorCode::ProviderTestFailed,
            format!(
                "the connection test failed, so nothing was saved: {}",
                result.test.message
            ),
        ))),
    }
}
