//! A user's own settings: LLM providers (keys write-only: a masked hint at most), the agent
//! configuration, and personal API tokens (a new one shown once). Every page is scoped to the
//! logged-in user exactly as the API is: another user's provider is "not found".

use askama::Template;
use mosaic_shared::Sensitive;
use mosaic_shared::policy::API_TYPES;
use mosaic_shared::types::{
    AgentConfig, AgentConfigInput, ApiToken, ConnectionTest, CreatedApiToken, NewProvider, Provider, ProviderModel,
    ProviderPatch, ProviderType,
};
use warp::http::{Method, StatusCode};
use warp::reply::Response;

use super::{
    AREA_SETTINGS, Failure, Form, Layout, MAX_FORM, MAX_LARGE_FORM, Req, error_page, html, page, redirect, user,
    user_form,
};
use crate::auth::Principal;
use crate::http::Endpoint;

/// The settings area's sections.
pub const SECTIONS: &[(&str, &str)] = &[
    ("/settings/providers", "Providers"),
    ("/settings/agent", "Agent"),
    ("/settings/tokens", "API tokens"),
];

const PROVIDER_TYPES: &[&str] = &["openai", "anthropic", "zai", "ollama", "custom"];

pub fn pages() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/settings", |app, m| {
            page(app, m, MAX_FORM, |_| async { redirect("/settings/providers") })
        }),
        Endpoint::new(Method::GET, "/settings/providers", |app, m| {
            page(app, m, MAX_FORM, list_providers)
        }),
        Endpoint::new(Method::POST, "/settings/providers", |app, m| {
            page(app, m, MAX_FORM, create_provider)
        }),
        Endpoint::new(Method::GET, "/settings/providers/new", |app, m| {
            page(app, m, MAX_FORM, new_provider)
        }),
        Endpoint::new(Method::GET, "/settings/providers/{id}", |app, m| {
            page(app, m, MAX_FORM, edit_provider)
        }),
        Endpoint::new(Method::POST, "/settings/providers/{id}", |app, m| {
            page(app, m, MAX_FORM, update_provider)
        }),
        Endpoint::new(Method::POST, "/settings/providers/{id}/test", |app, m| {
            page(app, m, MAX_FORM, test_provider)
        }),
        Endpoint::new(Method::POST, "/settings/providers/{id}/delete", |app, m| {
            page(app, m, MAX_FORM, delete_provider)
        }),
        Endpoint::new(Method::GET, "/settings/agent", |app, m| {
            page(app, m, MAX_FORM, show_agent)
        }),
        Endpoint::new(Method::POST, "/settings/agent", |app, m| {
            page(app, m, MAX_LARGE_FORM, save_agent)
        }),
        Endpoint::new(Method::GET, "/settings/tokens", |app, m| {
            page(app, m, MAX_FORM, list_tokens)
        }),
        Endpoint::new(Method::POST, "/settings/tokens", |app, m| {
            page(app, m, MAX_FORM, create_token)
        }),
        Endpoint::new(Method::POST, "/settings/tokens/{id}/revoke", |app, m| {
            page(app, m, MAX_FORM, revoke_token)
        }),
    ]
}

fn layout(p: &Principal, current: &str, title: &str) -> Layout {
    Layout::user(p, AREA_SETTINGS, title).nav(SECTIONS, current)
}

// ---- Providers ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/providers.html")]
struct ProvidersPage {
    layout: Layout,
    providers: Vec<Provider>,
}

async fn list_providers(req: Req) -> Response {
    let p = try_page!(user(&req).await);
    let layout = layout(&p, "/settings/providers", "Providers").notice(req.notice());
    match req.app.providers().list_providers(&p.owner()).await {
        Ok(providers) => html(StatusCode::OK, &ProvidersPage { layout, providers }),
        Err(e) => {
            let e = Failure::from(e);
            html(
                e.status,
                &ProvidersPage {
                    layout: layout.error(Some(e.message)),
                    providers: Vec::new(),
                },
            )
        }
    }
}

/// What the provider form shows: the values to edit (never a key).
struct ProviderForm {
    id: Option<String>,
    name: String,
    display_name: String,
    kind: String,
    base_url: String,
    api_type: String,
    models: String,
    is_active: bool,
    has_api_key: bool,
    api_key_hint: String,
}

impl ProviderForm {
    fn blank() -> ProviderForm {
        ProviderForm {
            id: None,
            name: String::new(),
            display_name: String::new(),
            kind: "openai".into(),
            base_url: String::new(),
            api_type: String::new(),
            models: String::new(),
            is_active: true,
            has_api_key: false,
            api_key_hint: String::new(),
        }
    }

    fn of(p: &Provider) -> ProviderForm {
        ProviderForm {
            id: Some(p.id.clone()),
            name: p.name.clone(),
            display_name: p.display_name.clone(),
            kind: p.kind.as_str().into(),
            base_url: p.base_url.clone().unwrap_or_default(),
            api_type: p.api_type.clone(),
            models: p.models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join("\n"),
            is_active: p.is_active,
            has_api_key: p.has_api_key,
            api_key_hint: p.api_key_hint.clone().unwrap_or_default(),
        }
    }

    /// The posted values, to show again after a refusal (the key is not among them).
    fn posted(form: &Form, existing: Option<&Provider>) -> ProviderForm {
        ProviderForm {
            id: existing.map(|p| p.id.clone()),
            name: form.text("name"),
            display_name: form.text("display_name"),
            kind: form.text("type"),
            base_url: form.text("base_url"),
            api_type: form.text("api_type"),
            models: form.raw("models").unwrap_or_default().to_string(),
            is_active: form.checked("is_active"),
            has_api_key: existing.is_some_and(|p| p.has_api_key),
            api_key_hint: existing.and_then(|p| p.api_key_hint.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/provider_form.html")]
struct ProviderPage {
    layout: Layout,
    form: ProviderForm,
    types: &'static [&'static str],
    api_types: &'static [&'static str],
    test: Option<ConnectionTest>,
}

fn provider_page(layout: Layout, form: ProviderForm, test: Option<ConnectionTest>, status: StatusCode) -> Response {
    html(
        status,
        &ProviderPage {
            layout,
            form,
            types: PROVIDER_TYPES,
            api_types: API_TYPES,
            test,
        },
    )
}

async fn new_provider(req: Req) -> Response {
    let p = try_page!(user(&req).await);
    provider_page(
        layout(&p, "/settings/providers", "Add a provider"),
        ProviderForm::blank(),
        None,
        StatusCode::OK,
    )
}

async fn edit_provider(req: Req) -> Response {
    let p = try_page!(user(&req).await);
    match req.app.providers().get_provider(&p.owner(), req.params.id()).await {
        Ok(provider) => provider_page(
            layout(&p, "/settings/providers", &provider.display_name).notice(req.notice()),
            ProviderForm::of(&provider),
            None,
            StatusCode::OK,
        ),
        Err(e) => error_page(&Failure::from(e)),
    }
}

fn provider_type(form: &Form) -> Result<ProviderType, String> {
    let text = form.text("type");
    ProviderType::parse(&text).ok_or_else(|| format!("unknown provider type {text:?}"))
}

/// The model list of the form: one model id per line. Models that stay keep the details they
/// had (name, context window, …); new ones get an id only.
fn models(form: &Form, existing: Option<&Provider>) -> Vec<ProviderModel> {
    form.list("models")
        .into_iter()
        .map(|id| {
            existing
                .and_then(|p| p.models.iter().find(|m| m.id == id).cloned())
                .unwrap_or(ProviderModel {
                    id,
                    ..ProviderModel::default()
                })
        })
        .collect()
}

async fn create_provider(req: Req) -> Response {
    let (p, form) = try_page!(user_form(&req).await);
    let refused = |message: String, status: StatusCode| {
        provider_page(
            layout(&p, "/settings/providers", "Add a provider").error(Some(message)),
            ProviderForm::posted(&form, None),
            None,
            status,
        )
    };
    let kind = match provider_type(&form) {
        Ok(kind) => kind,
        Err(m) => return refused(m, StatusCode::BAD_REQUEST),
    };
    let input = NewProvider {
        name: form.text("name"),
        display_name: form.get("display_name").map(str::to_string),
        kind,
        base_url: form.get("base_url").map(str::to_string),
        api_key: form.get("api_key").map(Sensitive::new),
        api_type: form.get("api_type").map(str::to_string),
        models: Some(models(&form, None)),
        is_active: Some(form.checked("is_active")),
    };
    match req.app.providers().create_provider(&p.actor(), &p.owner(), input).await {
        Ok(provider) => redirect(&format!("/settings/providers/{}?done=created", provider.id)),
        Err(e) => {
            let e = Failure::from(e);
            refused(e.message, e.status)
        }
    }
}

async fn update_provider(req: Req) -> Response {
    let (p, form) = try_page!(user_form(&req).await);
    let existing = match req.app.providers().get_provider(&p.owner(), req.params.id()).await {
        Ok(existing) => existing,
        Err(e) => return error_page(&Failure::from(e)),
    };
    let refused = |message: String, status: StatusCode| {
        provider_page(
            layout(&p, "/settings/providers", &existing.display_name).error(Some(message)),
            ProviderForm::posted(&form, Some(&existing)),
            None,
            status,
        )
    };
    let kind = match provider_type(&form) {
        Ok(kind) => kind,
        Err(m) => return refused(m, StatusCode::BAD_REQUEST),
    };
    // The key is write-only: empty keeps the stored one, "remove" clears it.
    let api_key = match (form.checked("clear_api_key"), form.get("api_key")) {
        (true, _) => Some(None),
        (false, Some(key)) => Some(Some(Sensitive::new(key))),
        (false, None) => None,
    };
    let patch = ProviderPatch {
        name: Some(form.text("name")),
        display_name: Some(
            form.get("display_name")
                .unwrap_or(form.text("name").as_str())
                .to_string(),
        ),
        kind: Some(kind),
        base_url: Some(form.get("base_url").map(str::to_string)),
        api_key,
        api_type: form.get("api_type").map(str::to_string),
        models: Some(models(&form, Some(&existing))),
        is_active: Some(form.checked("is_active")),
    };
    match req
        .app
        .providers()
        .update_provider(&p.actor(), &p.owner(), &existing.id, patch)
        .await
    {
        Ok(provider) => redirect(&format!("/settings/providers/{}?done=saved", provider.id)),
        Err(e) => {
            let e = Failure::from(e);
            refused(e.message, e.status)
        }
    }
}

async fn test_provider(req: Req) -> Response {
    let (p, _) = try_page!(user_form(&req).await);
    let provider = match req.app.providers().get_provider(&p.owner(), req.params.id()).await {
        Ok(provider) => provider,
        Err(e) => return error_page(&Failure::from(e)),
    };
    let layout = layout(&p, "/settings/providers", &provider.display_name);
    match req.app.providers().test_provider(&p.owner(), &provider.id).await {
        Ok(test) => provider_page(layout, ProviderForm::of(&provider), Some(test), StatusCode::OK),
        Err(e) => {
            let e = Failure::from(e);
            provider_page(
                layout.error(Some(e.message)),
                ProviderForm::of(&provider),
                None,
                e.status,
            )
        }
    }
}

async fn delete_provider(req: Req) -> Response {
    let (p, _) = try_page!(user_form(&req).await);
    match req
        .app
        .providers()
        .delete_provider(&p.actor(), &p.owner(), req.params.id())
        .await
    {
        Ok(()) => redirect("/settings/providers?done=deleted"),
        Err(e) => error_page(&Failure::from(e)),
    }
}

// ---- Agent configuration -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/agent.html")]
struct AgentPage {
    layout: Layout,
    primary_model: String,
    fallbacks: String,
    personality: String,
    provider_id: String,
    providers: Vec<Provider>,
    /// `provider/model` of every model of the user's providers, for suggestions.
    model_refs: Vec<String>,
}

fn model_refs(providers: &[Provider]) -> Vec<String> {
    providers
        .iter()
        .flat_map(|p| p.models.iter().map(move |m| format!("{}/{}", p.name, m.id)))
        .collect()
}

async fn show_agent(req: Req) -> Response {
    let p = try_page!(user(&req).await);
    let layout = layout(&p, "/settings/agent", "Agent").notice(req.notice());
    let (config, providers) = match (
        req.app.agents().agent_config(&p.user_id).await,
        req.app.providers().list_providers(&p.owner()).await,
    ) {
        (Ok(config), Ok(providers)) => (config, providers),
        (Err(e), _) | (_, Err(e)) => return error_page(&Failure::from(e)),
    };
    html(StatusCode::OK, &agent_page(layout, &config, providers))
}

fn agent_page(layout: Layout, config: &AgentConfig, providers: Vec<Provider>) -> AgentPage {
    AgentPage {
        layout,
        primary_model: config.primary_model.clone().unwrap_or_default(),
        fallbacks: config.fallback_models.join("\n"),
        personality: config.personality.clone().unwrap_or_default(),
        provider_id: config.provider_id.clone().unwrap_or_default(),
        model_refs: model_refs(&providers),
        providers,
    }
}

async fn save_agent(req: Req) -> Response {
    let (p, form) = try_page!(user_form(&req).await);
    let input = AgentConfigInput {
        primary_model: form.get("primary_model").map(str::to_string),
        fallback_models: form.list("fallbacks"),
        personality: form
            .raw("personality")
            .filter(|t| !t.trim().is_empty())
            .map(str::to_string),
        provider_id: form.get("provider_id").map(str::to_string),
    };
    match req
        .app
        .agents()
        .set_agent_config(&p.actor(), &p.user_id, input.clone())
        .await
    {
        Ok(_) => redirect("/settings/agent?done=saved"),
        Err(e) => {
            let e = Failure::from(e);
            let providers = req.app.providers().list_providers(&p.owner()).await.unwrap_or_default();
            let shown = AgentConfig {
                primary_model: input.primary_model,
                fallback_models: input.fallback_models,
                personality: input.personality,
                provider_id: input.provider_id,
                updated_at: None,
            };
            let layout = layout(&p, "/settings/agent", "Agent").error(Some(e.message));
            html(e.status, &agent_page(layout, &shown, providers))
        }
    }
}

// ---- API tokens --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiToken>,
    /// A token just created: shown this once.
    created: Option<CreatedApiToken>,
    name: String,
}

async fn tokens_page(req: &Req, p: &Principal, created: Option<CreatedApiToken>, error: Option<Failure>) -> Response {
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    let mut layout = layout(p, "/settings/tokens", "API tokens").notice(req.notice());
    let tokens = match req.app.auth().list_api_tokens(&p.user_id).await {
        Ok(tokens) => tokens,
        Err(e) => return error_page(&Failure::from(e)),
    };
    layout = layout.error(error.map(|e| e.message));
    html(
        status,
        &TokensPage {
            layout,
            tokens,
            created,
            name: String::new(),
        },
    )
}

async fn list_tokens(req: Req) -> Response {
    let p = try_page!(user(&req).await);
    tokens_page(&req, &p, None, None).await
}

async fn create_token(req: Req) -> Response {
    let (p, form) = try_page!(user_form(&req).await);
    let days = match form.get("expires_in_days").map(str::parse::<u32>) {
        None => None,
        Some(Ok(days)) => Some(days),
        Some(Err(_)) => {
            let e = Failure::invalid("the expiry must be a whole number of days");
            return tokens_page(&req, &p, None, Some(e)).await;
        }
    };
    match req
        .app
        .auth()
        .create_api_token(&p.actor(), &p.user_id, &form.text("name"), days)
        .await
    {
        Ok(created) => tokens_page(&req, &p, Some(created), None).await,
        Err(e) => tokens_page(&req, &p, None, Some(Failure::from(e))).await,
    }
}

async fn revoke_token(req: Req) -> Response {
    let (p, _) = try_page!(user_form(&req).await);
    match req
        .app
        .auth()
        .revoke_api_token(&p.actor(), &p.user_id, req.params.id())
        .await
    {
        Ok(()) => redirect("/settings/tokens?done=revoked"),
        Err(e) => error_page(&Failure::from(e)),
    }
}
