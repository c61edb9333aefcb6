//! First boot in the browser: the setup token from mosaicd's log is pasted once, kept in an
//! HttpOnly, `SameSite=Strict` cookie, and checked on every step exactly as the API's
//! `X-Mosaic-Setup-Token` is. The five steps show their state, each can be redone until the
//! end, and every step after the first has Back. Once onboarding is complete these pages send
//! the browser to the login page.

use askama::Template;
use mosaic_shared::types::{
    ConnectionTest, NewProvider, OidcInput, OidcIssuerCheck, OnboardingStatus, Provider, ProviderDraft, ProviderModel,
    ProviderType, SkippableStep, StepState, SystemAgentSpec, SystemAgentsInput,
};
use mosaic_shared::{ErrorCode, Sensitive};
use warp::http::header::HeaderValue;
use warp::http::{Method, StatusCode};
use warp::reply::Response;

use super::login::same_origin;
use super::{
    Failure, Form, Guard, Layout, MAX_FORM, MAX_LARGE_FORM, Req, check_csrf, error_page, html, page, parse_form,
    redirect, refuse, with_cookie,
};
use crate::auth::tokens::csrf_token;
use crate::config::HttpConfig;
use crate::http::Endpoint;
use crate::http::extract::session_cookie;
use crate::service::onboarding::SetupTokenRefusal;
use crate::store::audit::Actor;
use crate::store::providers::Owner;

/// Who the audit log names for a step taken in the console, as for the API's onboarding routes.
const ACTOR: Actor = Actor::SetupToken;

/// The steps, in order: (path segment, title).
const STEPS: &[(&str, &str)] = &[
    ("breakglass", "Breakglass administrator"),
    ("oidc", "OpenID Connect"),
    ("provider", "First LLM provider"),
    ("system-agents", "System agents"),
    ("complete", "Finish"),
];

const PROVIDER_TYPES: &[&str] = &["openai", "anthropic", "zai", "ollama", "custom"];

pub fn pages() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/onboarding", |app, m| page(app, m, MAX_FORM, start)),
        Endpoint::new(Method::POST, "/onboarding", |app, m| {
            page(app, m, MAX_FORM, enter_token)
        }),
        Endpoint::new(Method::GET, "/onboarding/{step}", |app, m| {
            page(app, m, MAX_FORM, show_step)
        }),
        Endpoint::new(Method::POST, "/onboarding/{step}", |app, m| {
            page(app, m, MAX_LARGE_FORM, post_step)
        }),
    ]
}

fn cookie_name(http: &HttpConfig) -> &'static str {
    if http.secure_cookies {
        "__Host-mosaic_setup"
    } else {
        "mosaic_setup"
    }
}

/// The setup token's cookie: HttpOnly (no script reads it), `SameSite=Strict` (no other site's
/// form carries it), for as long as a setup token lives; `None` removes it.
fn setup_cookie(http: &HttpConfig, token: Option<&str>) -> HeaderValue {
    let (value, max_age) = match token {
        Some(token) => (token, http.setup_token_ttl.as_secs()),
        None => ("", 0),
    };
    let secure = if http.secure_cookies { "; Secure" } else { "" };
    let text = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        cookie_name(http)
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("mosaic_setup=; Max-Age=0"))
}

#[derive(Template)]
#[template(path = "console/onboarding_token.html")]
struct TokenPage {
    layout: Layout,
}

fn token_page(status: StatusCode, error: Option<String>) -> Response {
    html(
        status,
        &TokenPage {
            layout: Layout::public("Set up Mosaic").error(error),
        },
    )
}

/// The setup token this browser holds, checked; else the answer to give (the login page once
/// onboarding is complete, the token form otherwise).
async fn setup_token(req: &Req) -> Guard<String> {
    let http = &req.app.config().http;
    let token = session_cookie(&req.headers, cookie_name(http));
    let checked = req
        .app
        .onboarding()
        .check_setup_token(token.as_deref(), req.client)
        .await;
    match checked {
        Ok(Ok(())) => Ok(token.unwrap_or_default()),
        Ok(Err(SetupTokenRefusal::Complete)) => refuse(with_cookie(redirect("/login"), setup_cookie(http, None))),
        Ok(Err(SetupTokenRefusal::Missing)) => refuse(token_page(StatusCode::OK, None)),
        Ok(Err(SetupTokenRefusal::Invalid(why))) => refuse(with_cookie(
            token_page(StatusCode::UNAUTHORIZED, Some(refusal_text(why))),
            setup_cookie(http, None),
        )),
        Err(e) => refuse(error_page(&Failure::from(e))),
    }
}

fn refusal_text(why: &str) -> String {
    format!(
        "{why}: use the latest setup token from mosaicd's log, or get a new one with `mosaicctl admin setup-token`."
    )
}

async fn start(req: Req) -> Response {
    try_page!(setup_token(&req).await);
    match req.app.onboarding().onboarding_status().await {
        Ok(status) => redirect(&format!("/onboarding/{}", first_open_step(&status))),
        Err(e) => error_page(&Failure::from(e)),
    }
}

fn first_open_step(status: &OnboardingStatus) -> &'static str {
    let s = &status.steps;
    [
        (s.breakglass.state, "breakglass"),
        (s.oidc.state, "oidc"),
        (s.provider.state, "provider"),
        (s.system_agents.state, "system-agents"),
    ]
    .iter()
    .find(|(state, _)| *state == StepState::Pending)
    .map(|(_, step)| *step)
    .unwrap_or("complete")
}

async fn enter_token(req: Req) -> Response {
    try_page!(same_origin(&req));
    let form = try_page!(parse_form(&req));
    let token = form.text("token");
    let http = &req.app.config().http;
    match req.app.onboarding().check_setup_token(Some(&token), req.client).await {
        Ok(Ok(())) => with_cookie(redirect("/onboarding"), setup_cookie(http, Some(&token))),
        Ok(Err(SetupTokenRefusal::Complete)) => redirect("/login"),
        Ok(Err(SetupTokenRefusal::Missing)) => token_page(
            StatusCode::BAD_REQUEST,
            Some("Paste the setup token from mosaicd's log.".into()),
        ),
        Ok(Err(SetupTokenRefusal::Invalid(why))) => token_page(StatusCode::UNAUTHORIZED, Some(refusal_text(why))),
        Err(e) => error_page(&Failure::from(e)),
    }
}

/// One entry of the step list.
struct StepLink {
    path: &'static str,
    title: &'static str,
    number: usize,
    state: &'static str,
    /// The state as a CSS class word.
    class: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "console/onboarding.html")]
struct StepPage {
    layout: Layout,
    step: &'static str,
    steps: Vec<StepLink>,
    back: Option<&'static str>,
    status: OnboardingStatus,
    /// Step 2: the values to show and the issuer check's result.
    issuer_url: String,
    client_id: String,
    issuer_check: Option<OidcIssuerCheck>,
    /// Step 3: the values to show and the connection test's result.
    provider: ProviderFields,
    provider_test: Option<ConnectionTest>,
    provider_types: &'static [&'static str],
    /// Step 4: the admin-level providers, and the agent form's values after a refusal.
    providers: Vec<Provider>,
    agent: SystemAgentSpec,
}

/// The provider step's fields (never the key).
#[derive(Default)]
struct ProviderFields {
    name: String,
    kind: String,
    base_url: String,
    models: String,
    hint: Option<String>,
}

fn state_word(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "to do",
        StepState::Done => "done",
        StepState::Skipped => "skipped",
    }
}

/// A step's page; `edit` changes what its form shows (values after a refusal, a check's result).
async fn step_page(
    req: &Req,
    token: &str,
    step: &'static str,
    status: StatusCode,
    error: Option<String>,
    edit: impl FnOnce(&mut StepPage),
) -> Response {
    let onboarding = match req.app.onboarding().onboarding_status().await {
        Ok(s) => s,
        Err(e) => return error_page(&Failure::from(e)),
    };
    let states = [
        onboarding.steps.breakglass.state,
        onboarding.steps.oidc.state,
        onboarding.steps.provider.state,
        onboarding.steps.system_agents.state,
        if onboarding.ready {
            StepState::Done
        } else {
            StepState::Pending
        },
    ];
    let index = STEPS.iter().position(|(p, _)| *p == step).unwrap_or(0);
    let steps = STEPS
        .iter()
        .zip(states)
        .enumerate()
        .map(|(i, ((path, title), state))| {
            let word = match (i, onboarding.ready) {
                (4, true) => "ready",
                (4, false) => "to do",
                _ => state_word(state),
            };
            StepLink {
                path,
                title,
                number: i + 1,
                state: word,
                class: if word == "to do" { "pending" } else { word },
                current: i == index,
            }
        })
        .collect();
    let mut layout = Layout::public(format!("Set up Mosaic: {}", STEPS[index].1)).error(error);
    layout.csrf = csrf_token(token);
    let provider = onboarding.steps.provider.provider.as_ref().map(|p| ProviderFields {
        name: p.name.clone(),
        kind: p.kind.as_str().to_string(),
        base_url: p.base_url.clone().unwrap_or_default(),
        models: p.models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join("\n"),
        hint: p.api_key_hint.clone(),
    });
    let providers = if step == "system-agents" {
        req.app
            .providers()
            .list_providers(&Owner::System)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut page = StepPage {
        layout,
        step,
        steps,
        back: index.checked_sub(1).map(|i| STEPS[i].0),
        issuer_url: onboarding.steps.oidc.issuer_url.clone().unwrap_or_default(),
        client_id: onboarding.steps.oidc.client_id.clone().unwrap_or_default(),
        issuer_check: None,
        provider: provider.unwrap_or_else(|| ProviderFields {
            kind: "openai".into(),
            ..ProviderFields::default()
        }),
        provider_test: None,
        provider_types: PROVIDER_TYPES,
        providers,
        agent: SystemAgentSpec {
            name: String::new(),
            role: String::new(),
            primary_model: String::new(),
            provider: None,
            personality: None,
        },
        status: onboarding,
    };
    edit(&mut page);
    html(status, &page)
}

fn step_name(req: &Req) -> Option<&'static str> {
    STEPS.iter().map(|(p, _)| *p).find(|p| *p == req.params.id())
}

async fn show_step(req: Req) -> Response {
    let token = try_page!(setup_token(&req).await);
    let Some(step) = step_name(&req) else {
        return super::not_found_page();
    };
    step_page(&req, &token, step, StatusCode::OK, None, |_| {}).await
}

fn next_step(step: &str) -> String {
    let index = STEPS.iter().position(|(p, _)| *p == step).unwrap_or(0);
    format!("/onboarding/{}", STEPS[(index + 1).min(STEPS.len() - 1)].0)
}

async fn post_step(req: Req) -> Response {
    let token = try_page!(setup_token(&req).await);
    let Some(step) = step_name(&req) else {
        return super::not_found_page();
    };
    try_page!(same_origin(&req));
    let form = try_page!(parse_form(&req));
    try_page!(check_csrf(&form, &csrf_token(&token)));
    let refused = |e: Failure| (e.status, Some(e.message));
    let app = &req.app;
    match step {
        "breakglass" => {
            let password = form.raw("password").unwrap_or_default();
            if password != form.raw("confirm").unwrap_or_default() {
                return step_page(
                    &req,
                    &token,
                    step,
                    StatusCode::BAD_REQUEST,
                    Some("The two passwords differ.".into()),
                    |_| {},
                )
                .await;
            }
            match app
                .onboarding()
                .onboarding_breakglass(&ACTOR, &form.text("username"), password)
                .await
            {
                Ok(_) => redirect(&next_step(step)),
                Err(e) => {
                    let (status, error) = refused(Failure::from(e));
                    step_page(&req, &token, step, status, error, |_| {}).await
                }
            }
        }
        "oidc" => oidc_step(&req, &token, &form).await,
        "provider" => provider_step(&req, &token, &form).await,
        "system-agents" => {
            if form.get("action") == Some("skip") {
                return match app
                    .onboarding()
                    .onboarding_skip(&ACTOR, SkippableStep::SystemAgents)
                    .await
                {
                    Ok(_) => redirect(&next_step(step)),
                    Err(e) => error_page(&Failure::from(e)),
                };
            }
            let spec = form.system_agent();
            let input = SystemAgentsInput {
                agents: vec![spec.clone()],
            };
            match app.onboarding().onboarding_system_agents(&ACTOR, input).await {
                Ok(_) => redirect("/onboarding/system-agents"),
                Err(e) => {
                    let (status, error) = refused(Failure::from(e));
                    step_page(&req, &token, step, status, error, |page| page.agent = spec).await
                }
            }
        }
        _ => match app.onboarding().complete_onboarding(&ACTOR).await {
            Ok(_) => with_cookie(
                redirect("/login?done=onboarded"),
                setup_cookie(&app.config().http, None),
            ),
            Err(e) => {
                let (status, error) = refused(Failure::from(e));
                step_page(&req, &token, step, status, error, |_| {}).await
            }
        },
    }
}

/// Step 2: check the issuer (discovery document and keys), save (checked first), or skip.
async fn oidc_step(req: &Req, token: &str, form: &Form) -> Response {
    let app = &req.app;
    let issuer = form.text("issuer_url");
    let client = form.text("client_id");
    let shown = |page: &mut StepPage| {
        page.issuer_url = issuer.clone();
        page.client_id = client.clone();
    };
    match form.get("action") {
        Some("skip") => match app.onboarding().onboarding_skip(&ACTOR, SkippableStep::Oidc).await {
            Ok(_) => redirect(&next_step("oidc")),
            Err(e) => error_page(&Failure::from(e)),
        },
        Some("check") => match app.oidc().check_oidc_issuer(&issuer).await {
            Ok(check) => {
                step_page(req, token, "oidc", StatusCode::OK, None, |page| {
                    shown(page);
                    page.issuer_check = Some(check);
                })
                .await
            }
            Err(e) => {
                let e = discovery_error(e);
                step_page(req, token, "oidc", e.status, Some(e.message), shown).await
            }
        },
        _ => {
            let input = OidcInput {
                issuer_url: issuer.clone(),
                client_id: client.clone(),
                client_secret: form.get("client_secret").map(Sensitive::new),
            };
            match app.onboarding().onboarding_set_oidc(&ACTOR, input).await {
                Ok(_) => redirect(&next_step("oidc")),
                Err(e) => {
                    let e = discovery_error(e);
                    step_page(req, token, "oidc", e.status, Some(e.message), shown).await
                }
            }
        }
    }
}

/// An issuer that cannot be used is a problem with what was typed: its reason, as a 400.
fn discovery_error(e: crate::error::Error) -> Failure {
    match e.code() {
        ErrorCode::Unavailable | ErrorCode::OidcDiscoveryFailed => Failure::new(
            StatusCode::BAD_REQUEST,
            format!("The issuer could not be used: {}", e.message()),
        ),
        _ => Failure::from(e),
    }
}

/// Step 3: test the connection, or test and save (nothing is saved unless the test passes).
async fn provider_step(req: &Req, token: &str, form: &Form) -> Response {
    let app = &req.app;
    let fields = ProviderFields {
        name: form.text("name"),
        kind: form.text("type"),
        base_url: form.text("base_url"),
        models: form.raw("models").unwrap_or_default().to_string(),
        hint: None,
    };
    let Some(kind) = ProviderType::parse(&fields.kind) else {
        let message = format!("unknown provider type {:?}", fields.kind);
        return step_page(req, token, "provider", StatusCode::BAD_REQUEST, Some(message), |page| {
            page.provider = fields
        })
        .await;
    };
    let key = form.get("api_key").map(Sensitive::new);
    let api_type = form.get("api_type").map(str::to_string);
    let keep = |page: &mut StepPage, test: Option<ConnectionTest>| {
        let hint = page.provider.hint.take();
        page.provider = ProviderFields {
            name: fields.name.clone(),
            kind: fields.kind.clone(),
            base_url: fields.base_url.clone(),
            models: fields.models.clone(),
            hint,
        };
        page.provider_test = test;
    };
    if form.get("action") == Some("test") {
        let draft = ProviderDraft {
            kind,
            base_url: fields.base_url.clone(),
            api_key: key,
            api_type,
        };
        return match app.providers().test_provider_draft(draft).await {
            Ok(test) => {
                let status = if test.ok {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                };
                step_page(req, token, "provider", status, None, |page| keep(page, Some(test))).await
            }
            Err(e) => {
                let e = Failure::from(e);
                step_page(req, token, "provider", e.status, Some(e.message), |page| {
                    keep(page, None)
                })
                .await
            }
        };
    }
    let input = NewProvider {
        name: fields.name.clone(),
        display_name: None,
        kind,
        base_url: form.get("base_url").map(str::to_string),
        api_key: key,
        api_type,
        models: Some(
            form.list("models")
                .into_iter()
                .map(|id| ProviderModel {
                    id,
                    ..ProviderModel::default()
                })
                .collect(),
        ),
        is_active: Some(true),
    };
    match app.onboarding().onboarding_save_provider(&ACTOR, input).await {
        Ok(result) if result.saved.is_some() => redirect(&next_step("provider")),
        Ok(result) => {
            let message = format!(
                "The connection test failed, so nothing was saved: {}",
                result.test.message
            );
            let test = result.test;
            step_page(req, token, "provider", StatusCode::BAD_REQUEST, Some(message), |page| {
                keep(page, Some(test))
            })
            .await
        }
        Err(e) => {
            let e = Failure::from(e);
            step_page(req, token, "provider", e.status, Some(e.message), |page| {
                keep(page, None)
            })
            .await
        }
    }
}
