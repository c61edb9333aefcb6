//! LLM providers: each user's own (and, for the CLI, the admin-level ones of system agents).
//! Every method takes the [`Owner`] and hands it to the store, whose queries are scoped by it:
//! another owner's provider is "not found". API keys are encrypted at rest, bound to their row,
//! and never returned; responses carry a masked hint.

use std::time::Instant;

use futures::StreamExt;
use mosaic_shared::policy;
use mosaic_shared::types::{
    ConnectionTest, NewProvider, Provider, ProviderDraft, ProviderModel, ProviderPatch, ProviderType, TestOutcome,
};
use serde_json::json;

use crate::config::Config;
use crate::containers::ContainerManager;
use crate::containers::agent_config::{api_key_binding as key_binding, open_api_key};
use crate::error::{Error, Result, root_cause};
use crate::secrets::Keyring;
use crate::secrets::hint;
use crate::service::agents::user_config::apply_to_agents;
use crate::service::egress;
use crate::service::settings::Settings;
use crate::service::users::Users;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::providers::{self, Owner, ProviderFields, ProviderRow};
use crate::store::{audit, rfc3339, system_config};
use mosaic_shared::ErrorCode;
use std::sync::Arc;

/// A provider may list this many models.
pub const MAX_MODELS: usize = 500;
pub const MAX_API_KEY_BYTES: usize = 4096;
/// A connection test reads at most this much of the provider's answer.
const MAX_TEST_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The default admin-level provider: the one onboarding saved, used by system agents unless
/// they name another.
pub const SYSTEM_DEFAULT_PROVIDER: &str = "providers.systemDefault";

fn not_found() -> Error {
    Error::not_found("provider not found")
}

fn to_dto(row: &ProviderRow) -> Result<Provider> {
    let models: Vec<ProviderModel> = serde_json::from_str(&row.models)
        .map_err(|e| Error::internal(format!("models of provider {} are not valid JSON: {e}", row.id)))?;
    Ok(Provider {
        id: row.id.clone(),
        name: row.name.clone(),
        display_name: row.display_name.clone(),
        kind: row.kind,
        base_url: row.base_url.clone(),
        api_type: row.api_type.clone(),
        models,
        is_active: row.is_active,
        has_api_key: row.api_key.is_some(),
        api_key_hint: row.api_key.as_ref().and(row.api_key_hint.clone()),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    })
}

fn check_models(models: &[ProviderModel]) -> Result<String> {
    if models.len() > MAX_MODELS {
        return Err(Error::invalid(format!("at most {MAX_MODELS} models per provider")));
    }
    let mut seen = std::collections::HashSet::new();
    for m in models {
        policy::check_model_id(&m.id).map_err(Error::invalid)?;
        if !seen.insert(m.id.as_str()) {
            return Err(Error::invalid(format!("model {:?} is listed twice", m.id)));
        }
        if let Some(name) = &m.name {
            policy::check_display_name("model name", name).map_err(Error::invalid)?;
        }
        for (what, value) in [("contextWindow", m.context_window), ("maxTokens", m.max_tokens)] {
            if value.is_some_and(|v| v == 0 || v > 100_000_000) {
                return Err(Error::invalid(format!(
                    "{what} of model {:?} must be between 1 and 100000000",
                    m.id
                )));
            }
        }
        if m.input
            .as_ref()
            .is_some_and(|input| input.is_empty() || input.iter().any(|i| i != "text" && i != "image"))
        {
            return Err(Error::invalid(format!(
                "input of model {:?} must list \"text\" and/or \"image\"",
                m.id
            )));
        }
    }
    serde_json::to_string(models).map_err(|e| Error::internal(format!("cannot encode models: {e}")))
}

fn check_api_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_API_KEY_BYTES || key.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "the API key must be 1 to {MAX_API_KEY_BYTES} bytes without control characters"
        )));
    }
    // OpenClaw reads an API key written as `${NAME}` as the name of an environment variable
    // (OpenClaw: `src/agents/model-auth.ts`, `normalizeApiKeyConfig`), escaped or not.
    if key.contains("${") {
        return Err(Error::invalid(
            "the API key must not contain \"${\": OpenClaw would read it as an environment variable",
        ));
    }
    Ok(())
}

/// The provider-level fields after validation, except the key.
struct Checked {
    name: String,
    display_name: String,
    kind: ProviderType,
    base_url: Option<String>,
    api_type: String,
    models: String,
    is_active: bool,
}

fn check_fields(c: &mut Checked, allow_private: bool) -> Result<()> {
    policy::check_provider_name(&c.name).map_err(Error::invalid)?;
    c.display_name = c.display_name.trim().to_string();
    policy::check_display_name("displayName", &c.display_name).map_err(Error::invalid)?;
    policy::check_api_type(&c.api_type).map_err(Error::invalid)?;
    c.base_url = match c.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Some(egress::check_base_url(url, allow_private).map_err(|e| Error::invalid(e.to_string()))?),
        None if c.kind.needs_base_url() => {
            return Err(Error::invalid(format!(
                "a {} provider needs a baseUrl",
                c.kind.as_str()
            )));
        }
        None => None,
    };
    match &c.base_url {
        Some(url) => check_ollama_base(&c.api_type, url),
        None => Ok(()),
    }
}

/// A base URL being saved: every address its name resolves to now must pass the egress policy,
/// as each connection's must (a name that does not resolve now is accepted, see
/// [`egress::check_base_url_resolved`]).
async fn check_resolved(base_url: Option<&str>, allow_private: bool) -> Result<()> {
    match base_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => egress::check_base_url_resolved(url, allow_private)
            .await
            .map(|_| ())
            .map_err(|e| Error::invalid(e.to_string())),
        None => Ok(()),
    }
}

/// OpenClaw's native Ollama API (`ollama`) takes the server's address; `/v1` is Ollama's
/// OpenAI-compatible endpoint, a different API.
fn check_ollama_base(api_type: &str, url: &str) -> Result<()> {
    let url = url.trim().trim_end_matches('/');
    if api_type == "ollama" && url.ends_with("/v1") {
        return Err(Error::invalid(format!(
            "the ollama API takes the Ollama server's address without /v1 (e.g. {}); /v1 is its \
             OpenAI-compatible endpoint (apiType openai-completions)",
            url.trim_end_matches("/v1")
        )));
    }
    Ok(())
}

/// Where a provider's key is sent: the origin (scheme, host, port) of its base URL, or, without
/// one, OpenClaw's built-in endpoint of its type.
#[derive(PartialEq)]
enum KeyTarget {
    Origin(url::Origin),
    BuiltIn(ProviderType),
}

fn key_target(kind: ProviderType, base_url: Option<&str>) -> KeyTarget {
    match base_url.map(url::Url::parse) {
        Some(Ok(url)) => KeyTarget::Origin(url.origin()),
        // Not reached: a stored or checked base URL parses. An opaque origin equals nothing,
        // so a stored key never follows it.
        Some(Err(_)) => KeyTarget::Origin(url::Origin::new_opaque()),
        None => KeyTarget::BuiltIn(kind),
    }
}

/// A stored key is bound to the origin it was saved for: it never follows its provider to another
/// server (scheme, host or port, or another built-in endpoint) unless the change gives a key
/// again (or clears it). `key_given`: the change names the key.
pub(crate) fn check_key_follows(
    row: &ProviderRow,
    kind: ProviderType,
    base_url: Option<&str>,
    key_given: bool,
) -> Result<()> {
    if key_given || row.api_key.is_none() || key_target(kind, base_url) == key_target(row.kind, row.base_url.as_deref())
    {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::ApiKeyRequired,
        "the stored API key is bound to the server it was saved for: a base URL on another origin \
         (scheme, host or port) or another built-in endpoint needs the API key again (or clear the key)",
    ))
}

fn name_taken(name: &str) -> impl Fn(Error) -> Error + '_ {
    move |e| match e.code() {
        ErrorCode::Conflict => Error::conflict(format!("a provider named {name:?} already exists")),
        _ => e,
    }
}

/// LLM providers, each user's own and the admin-level ones.
pub struct Providers {
    db: Db,
    keyring: Arc<Keyring>,
    config: Arc<Config>,
    settings: Arc<Settings>,
    users: Arc<Users>,
    containers: ContainerManager,
}

impl Providers {
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        config: Arc<Config>,
        settings: Arc<Settings>,
        users: Arc<Users>,
        containers: ContainerManager,
    ) -> Providers {
        Providers {
            db,
            keyring,
            config,
            settings,
            users,
            containers,
        }
    }
}

impl Providers {
    /// The default admin-level provider: the one recorded by onboarding if it still exists, else
    /// the oldest admin-level provider.
    pub async fn default_system_provider(&self) -> Result<Option<Provider>> {
        let mut ex = self.db.ex();
        if let Some(row) = system_config::get(&mut ex, SYSTEM_DEFAULT_PROVIDER).await?
            && let Ok(provider) = self.get_provider(&Owner::System, &row.value).await
        {
            return Ok(Some(provider));
        }
        let mut all = self.list_providers(&Owner::System).await?;
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok(all.into_iter().next())
    }

    /// Whose providers an admin means: `None` for the admin-level ones, else a user named as
    /// [`App::resolve_user`] takes it.
    pub async fn provider_owner(&self, user: Option<&str>) -> Result<Owner> {
        match user {
            None => Ok(Owner::System),
            Some(reference) => Ok(Owner::User(self.users.resolve_user(reference).await?)),
        }
    }

    /// Names one of the owner's providers by id or by name; returns its id. Another owner's
    /// provider is "not found", like one that does not exist.
    pub async fn resolve_provider(&self, owner: &Owner, reference: &str) -> Result<String> {
        let reference = reference.trim();
        let mut ex = self.db.ex();
        if let Some(row) = providers::get(&mut ex, owner, reference).await? {
            return Ok(row.id);
        }
        providers::get_by_name(&mut ex, owner, reference)
            .await?
            .map(|row| row.id)
            .ok_or_else(not_found)
    }

    pub async fn list_providers(&self, owner: &Owner) -> Result<Vec<Provider>> {
        providers::list(&mut self.db.ex(), owner)
            .await?
            .iter()
            .map(to_dto)
            .collect()
    }

    pub async fn get_provider(&self, owner: &Owner, id: &str) -> Result<Provider> {
        let row = providers::get(&mut self.db.ex(), owner, id)
            .await?
            .ok_or_else(not_found)?;
        to_dto(&row)
    }

    pub async fn create_provider(&self, actor: &Actor, owner: &Owner, input: NewProvider) -> Result<Provider> {
        let mut c = Checked {
            display_name: input.display_name.clone().unwrap_or_else(|| input.name.clone()),
            name: input.name,
            kind: input.kind,
            base_url: input.base_url,
            api_type: input
                .api_type
                .unwrap_or_else(|| input.kind.default_api_type().to_string()),
            models: check_models(input.models.as_deref().unwrap_or(&[]))?,
            is_active: input.is_active.unwrap_or(true),
        };
        let allow_private = self.settings.allow_private_provider_urls().await?;
        check_fields(&mut c, allow_private)?;
        check_resolved(c.base_url.as_deref(), allow_private).await?;
        let id = providers::new_provider_id();
        let (api_key, api_key_hint) = match &input.api_key {
            Some(key) => {
                check_api_key(key.expose())?;
                (
                    Some(self.keyring.encrypt(&key_binding(&id), key.expose())?),
                    Some(hint(key.expose())),
                )
            }
            None => (None, None),
        };
        let fields = ProviderFields {
            name: c.name.clone(),
            display_name: c.display_name,
            kind: c.kind,
            base_url: c.base_url,
            api_key,
            api_key_hint,
            api_type: c.api_type,
            models: c.models,
            is_active: c.is_active,
        };
        let mut tx = self.db.begin().await?;
        let row = providers::insert(&mut tx.ex(), owner, &id, &fields)
            .await
            .map_err(name_taken(&c.name))?;
        audit::record(
            &mut tx.ex(),
            actor,
            "provider.create",
            Some(&id),
            json!({ "name": row.name, "type": row.kind, "apiKey": row.api_key.is_some() }),
        )
        .await?;
        apply_to_agents(&self.containers, tx, owner).await?;
        to_dto(&row)
    }

    pub async fn update_provider(
        &self,
        actor: &Actor,
        owner: &Owner,
        id: &str,
        patch: ProviderPatch,
    ) -> Result<Provider> {
        let allow_private = self.settings.allow_private_provider_urls().await?;
        // A new base URL's name is resolved before the transaction holds a connection.
        if let Some(Some(url)) = &patch.base_url {
            check_resolved(Some(url), allow_private).await?;
        }
        let mut tx = self.db.begin().await?;
        let row = providers::get(&mut tx.ex(), owner, id).await?.ok_or_else(not_found)?;
        let current = to_dto(&row)?;
        let mut c = Checked {
            name: patch.name.clone().unwrap_or(current.name),
            display_name: patch.display_name.clone().unwrap_or(current.display_name),
            kind: patch.kind.unwrap_or(current.kind),
            base_url: patch.base_url.clone().unwrap_or(current.base_url),
            api_type: patch.api_type.clone().unwrap_or(current.api_type),
            models: match &patch.models {
                Some(models) => check_models(models)?,
                None => row.models.clone(),
            },
            is_active: patch.is_active.unwrap_or(current.is_active),
        };
        check_fields(&mut c, allow_private)?;
        check_key_follows(&row, c.kind, c.base_url.as_deref(), patch.api_key.is_some())?;
        let (api_key, api_key_hint, key_change) = match &patch.api_key {
            None => (row.api_key.clone(), row.api_key_hint.clone(), "kept"),
            Some(None) => (None, None, "cleared"),
            Some(Some(key)) => {
                check_api_key(key.expose())?;
                (
                    Some(self.keyring.encrypt(&key_binding(id), key.expose())?),
                    Some(hint(key.expose())),
                    "replaced",
                )
            }
        };
        let fields = ProviderFields {
            name: c.name.clone(),
            display_name: c.display_name,
            kind: c.kind,
            base_url: c.base_url,
            api_key,
            api_key_hint,
            api_type: c.api_type,
            models: c.models,
            is_active: c.is_active,
        };
        let updated = providers::update(&mut tx.ex(), owner, id, &fields)
            .await
            .map_err(name_taken(&c.name))?
            .ok_or_else(not_found)?;
        audit::record(
            &mut tx.ex(),
            actor,
            "provider.update",
            Some(id),
            json!({ "name": updated.name, "apiKey": key_change }),
        )
        .await?;
        apply_to_agents(&self.containers, tx, owner).await?;
        to_dto(&updated)
    }

    pub async fn delete_provider(&self, actor: &Actor, owner: &Owner, id: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let row = providers::get(&mut tx.ex(), owner, id).await?.ok_or_else(not_found)?;
        providers::delete(&mut tx.ex(), owner, id).await?;
        audit::record(
            &mut tx.ex(),
            actor,
            "provider.delete",
            Some(id),
            json!({ "name": row.name }),
        )
        .await?;
        apply_to_agents(&self.containers, tx, owner).await?;
        Ok(())
    }

    /// Tests a saved provider: lists its models with its stored key.
    pub async fn test_provider(&self, owner: &Owner, id: &str) -> Result<ConnectionTest> {
        let row = providers::get(&mut self.db.ex(), owner, id)
            .await?
            .ok_or_else(not_found)?;
        let Some(base_url) = row.base_url.clone() else {
            return Ok(untestable(
                "this provider has no baseUrl (OpenClaw's built-in endpoint); a connection test needs a base URL",
            ));
        };
        let key = open_api_key(&self.keyring, &row)?;
        self.connection_test(&base_url, &row.api_type, key.as_deref()).await
    }

    /// Tests connection settings before they are saved.
    pub async fn test_provider_draft(&self, draft: ProviderDraft) -> Result<ConnectionTest> {
        let api_type = draft
            .api_type
            .unwrap_or_else(|| draft.kind.default_api_type().to_string());
        policy::check_api_type(&api_type).map_err(Error::invalid)?;
        check_ollama_base(&api_type, &draft.base_url)?;
        if let Some(key) = &draft.api_key {
            check_api_key(key.expose())?;
        }
        let key = draft.api_key.as_ref().map(|k| k.expose());
        self.connection_test(&draft.base_url, &api_type, key).await
    }

    /// Asks the provider for its models, within the egress policy and the configured timeout.
    /// Every outcome is an answer, not an error: the caller shows it to a person.
    pub(crate) async fn connection_test(
        &self,
        base_url: &str,
        api_type: &str,
        key: Option<&str>,
    ) -> Result<ConnectionTest> {
        let allow_private = self.settings.allow_private_provider_urls().await?;
        let base = match egress::check_base_url(base_url, allow_private) {
            Ok(base) => base,
            Err(refused @ egress::UrlError::Refused(_)) => {
                return Ok(result(TestOutcome::Blocked, refused.to_string(), None));
            }
            Err(egress::UrlError::Malformed(why)) => return Err(Error::invalid(why)),
        };
        let path = match api_type {
            "openai-completions" | "openai-responses" | "anthropic-messages" | "google-generative-ai" => "/models",
            "ollama" => "/api/tags",
            other => return Ok(untestable(&format!("cannot test the {other} API"))),
        };
        let endpoint = format!("{base}{path}");
        let cleared = match egress::clear(&endpoint, allow_private).await {
            Ok(cleared) => cleared,
            Err(egress::Refused::Blocked(why)) => {
                return Ok(result(TestOutcome::Blocked, format!("refused: {why}"), Some(endpoint)));
            }
            Err(egress::Refused::Unresolvable(why)) => {
                return Ok(result(TestOutcome::Unreachable, why, Some(endpoint)));
            }
        };
        let timeout = self.config.http.provider_test_timeout;
        let client = cleared
            .client(timeout)
            .map_err(|e| Error::internal(format!("cannot build HTTP client: {e}")))?;
        let mut request = client.get(cleared.url.clone()).header("accept", "application/json");
        if let Some(key) = key {
            request = match api_type {
                "anthropic-messages" => request
                    .header("x-api-key", key)
                    .header("anthropic-version", "2023-06-01"),
                "google-generative-ai" => request.header("x-goog-api-key", key),
                _ => request.bearer_auth(key),
            };
        }
        let started = Instant::now();
        let outcome = async {
            let response = request.send().await?;
            let status = response.status();
            let mut body = Vec::new();
            let mut stream = response.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk?;
                if body.len() + chunk.len() > MAX_TEST_BODY_BYTES {
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        let latency = Some(started.elapsed().as_millis() as u64);
        let endpoint = Some(endpoint);
        let (status, body) = match outcome {
            Ok(answer) => answer,
            Err(e) => {
                let (outcome, message) = if e.is_timeout() {
                    (
                        TestOutcome::Timeout,
                        format!("no answer within {} s", timeout.as_secs_f32()),
                    )
                } else {
                    (TestOutcome::Unreachable, format!("cannot connect: {}", root_cause(&e)))
                };
                let mut r = result(outcome, redact(&message, key), endpoint);
                r.latency_ms = latency;
                return Ok(r);
            }
        };
        let code = status.as_u16();
        let upstream = upstream_message(&body)
            .map(|m| format!(": {}", redact(&m, key)))
            .unwrap_or_default();
        let (outcome, message, models) = if status.is_redirection() {
            (
                TestOutcome::HttpError,
                format!(
                    "the provider answered with a redirect (HTTP {code}); redirects are not followed, use the final URL"
                ),
                Vec::new(),
            )
        } else if code == 401 || code == 403 {
            (
                TestOutcome::Unauthorized,
                format!("the provider refused the API key (HTTP {code}){upstream}"),
                Vec::new(),
            )
        } else if code == 404 {
            let hint = if api_type == "ollama" {
                "Ollama's native API is the server's address, e.g. http://host:11434"
            } else {
                "OpenAI-compatible APIs usually end in /v1"
            };
            (
                TestOutcome::HttpError,
                format!("no models endpoint there (HTTP 404); check the base URL ({hint}){upstream}"),
                Vec::new(),
            )
        } else if !status.is_success() {
            (
                TestOutcome::HttpError,
                format!("the provider answered HTTP {code}{upstream}"),
                Vec::new(),
            )
        } else {
            match model_ids(&body, api_type) {
                Some(ids) => (
                    TestOutcome::Ok,
                    format!(
                        "reachable: {} model{} listed",
                        ids.len(),
                        if ids.len() == 1 { "" } else { "s" }
                    ),
                    ids,
                ),
                None => (
                    TestOutcome::InvalidResponse,
                    "the provider answered, but not with a model list".to_string(),
                    Vec::new(),
                ),
            }
        };
        Ok(ConnectionTest {
            ok: outcome == TestOutcome::Ok,
            outcome,
            message,
            url: endpoint,
            http_status: Some(code),
            latency_ms: latency,
            models,
        })
    }
}

fn result(outcome: TestOutcome, message: String, url: Option<String>) -> ConnectionTest {
    ConnectionTest {
        ok: false,
        outcome,
        message,
        url,
        http_status: None,
        latency_ms: None,
        models: Vec::new(),
    }
}

fn untestable(message: &str) -> ConnectionTest {
    result(TestOutcome::Untestable, message.to_string(), None)
}

/// Removes the key from text a provider (or the network stack) produced, in case it echoes it.
fn redact(text: &str, key: Option<&str>) -> String {
    match key {
        Some(key) if !key.is_empty() => text.replace(key, "[redacted]"),
        _ => text.to_string(),
    }
}

/// The error message in a provider's JSON error body, shortened.
fn upstream_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = value
        .pointer("/error/message")
        .or_else(|| value.get("error").filter(|e| e.is_string()))
        .or_else(|| value.get("message"))
        .and_then(|m| m.as_str())?;
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    (!text.is_empty()).then_some(text)
}

/// Model ids from a models listing: `{"data":[{"id"}]}` (OpenAI, Anthropic), `{"models":[{"name"}]}`
/// (Ollama's tags, Google's `models/…` names).
fn model_ids(body: &[u8], api_type: &str) -> Option<Vec<String>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let (list, field) = match api_type {
        "ollama" | "google-generative-ai" => (value.get("models")?.as_array()?, "name"),
        _ => (value.get("data")?.as_array()?, "id"),
    };
    let ids = list
        .iter()
        .filter_map(|m| m.get(field)?.as_str())
        .map(|id| id.strip_prefix("models/").unwrap_or(id).to_string())
        .take(MAX_MODELS)
        .collect();
    Some(ids)
}
