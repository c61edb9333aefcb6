//! `llm_provider`: a user's LLM providers, or admin-level ones (no owner) for system agents.
//!
//! Every function takes the owner and puts it in the WHERE clause, so no query can reach another
//! owner's row: another user's provider is simply not found.

use mosaic_shared::types::ProviderType;

use super::{Exec, Result, new_id, now_ms, q};

/// Whose providers: a user's, or the admin-level set used by system agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    User(String),
    System,
}

impl Owner {
    /// The value compared with `COALESCE(user_id, '')`: the empty string means admin-level.
    fn scope(&self) -> String {
        match self {
            Owner::User(id) => id.clone(),
            Owner::System => String::new(),
        }
    }

    fn user_id(&self) -> Option<String> {
        match self {
            Owner::User(id) => Some(id.clone()),
            Owner::System => None,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub display_name: String,
    #[sqlx(rename = "type", try_from = "String")]
    pub kind: ProviderType,
    pub base_url: Option<String>,
    /// `enc:v1:…`, bound to (llm_provider, id, api_key).
    pub api_key: Option<String>,
    pub api_key_hint: Option<String>,
    pub api_type: String,
    /// JSON array of models.
    pub models: String,
    pub is_active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A provider's fields as written. The API key arrives already encrypted (its binding needs the
/// row id, so callers take the id from [`new_provider_id`] first).
#[derive(Debug, Clone)]
pub struct ProviderFields {
    pub name: String,
    pub display_name: String,
    pub kind: ProviderType,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub api_key_hint: Option<String>,
    pub api_type: String,
    pub models: String,
    pub is_active: bool,
}

pub fn new_provider_id() -> String {
    new_id()
}

pub async fn insert(ex: &mut Exec<'_>, owner: &Owner, id: &str, p: &ProviderFields) -> Result<ProviderRow> {
    let now = now_ms();
    ex.one(
        q(
            "INSERT INTO llm_provider (id, user_id, name, display_name, type, base_url, api_key, api_key_hint,
                                     api_type, models, is_active, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
           RETURNING id, user_id, name, display_name, type, base_url, api_key, api_key_hint, api_type, models,
                     is_active, created_at, updated_at",
        )
        .bind(id)
        .bind(owner.user_id())
        .bind(&p.name)
        .bind(&p.display_name)
        .bind(p.kind.as_str())
        .bind(p.base_url.clone())
        .bind(p.api_key.clone())
        .bind(p.api_key_hint.clone())
        .bind(&p.api_type)
        .bind(&p.models)
        .bind(p.is_active)
        .bind(now),
    )
    .await
}

pub async fn list(ex: &mut Exec<'_>, owner: &Owner) -> Result<Vec<ProviderRow>> {
    ex.all(
        q(
            "SELECT id, user_id, name, display_name, type, base_url, api_key, api_key_hint, api_type, models,
                  is_active, created_at, updated_at
           FROM llm_provider WHERE COALESCE(user_id, '') = $1 ORDER BY name",
        )
        .bind(owner.scope()),
    )
    .await
}

pub async fn get(ex: &mut Exec<'_>, owner: &Owner, id: &str) -> Result<Option<ProviderRow>> {
    ex.optional(
        q(
            "SELECT id, user_id, name, display_name, type, base_url, api_key, api_key_hint, api_type, models,
                  is_active, created_at, updated_at
           FROM llm_provider WHERE id = $1 AND COALESCE(user_id, '') = $2",
        )
        .bind(id)
        .bind(owner.scope()),
    )
    .await
}

pub async fn get_by_name(ex: &mut Exec<'_>, owner: &Owner, name: &str) -> Result<Option<ProviderRow>> {
    ex.optional(
        q(
            "SELECT id, user_id, name, display_name, type, base_url, api_key, api_key_hint, api_type, models,
                  is_active, created_at, updated_at
           FROM llm_provider WHERE name = $1 AND COALESCE(user_id, '') = $2",
        )
        .bind(name)
        .bind(owner.scope()),
    )
    .await
}

/// Replaces every field of the owner's provider `id`; `None` if there is no such provider.
pub async fn update(ex: &mut Exec<'_>, owner: &Owner, id: &str, p: &ProviderFields) -> Result<Option<ProviderRow>> {
    ex.optional(
        q(
            "UPDATE llm_provider SET name = $3, display_name = $4, type = $5, base_url = $6, api_key = $7,
                  api_key_hint = $8, api_type = $9, models = $10, is_active = $11, updated_at = $12
           WHERE id = $1 AND COALESCE(user_id, '') = $2
           RETURNING id, user_id, name, display_name, type, base_url, api_key, api_key_hint, api_type, models,
                     is_active, created_at, updated_at",
        )
        .bind(id)
        .bind(owner.scope())
        .bind(&p.name)
        .bind(&p.display_name)
        .bind(p.kind.as_str())
        .bind(p.base_url.clone())
        .bind(p.api_key.clone())
        .bind(p.api_key_hint.clone())
        .bind(&p.api_type)
        .bind(&p.models)
        .bind(p.is_active)
        .bind(now_ms()),
    )
    .await
}

pub async fn delete(ex: &mut Exec<'_>, owner: &Owner, id: &str) -> Result<bool> {
    Ok(ex
        .execute(
            q("DELETE FROM llm_provider WHERE id = $1 AND COALESCE(user_id, '') = $2")
                .bind(id)
                .bind(owner.scope()),
        )
        .await?
        == 1)
}
