//! Schemas of wire values that are plain strings in Rust but a closed set or a union on the wire,
//! for the OpenAPI document (the `openapi` feature). Every other schema is derived from its type.

use std::borrow::Cow;

use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::policy::API_TYPES;

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn word_set(words: &[&str]) -> ObjectBuilder {
    string().enum_values(Some(words.iter().copied()))
}

/// A string enum of `words`: the schema of a [`crate::words!`] enum.
pub fn words(words: &[&str]) -> RefOr<Schema> {
    Schema::from(word_set(words)).into()
}

/// A string that is always `word` (a one-word enum: utoipa has no `const`).
fn always(word: &str) -> Schema {
    word_set(&[word]).into()
}

/// `object` of a model list: always `list`.
pub fn always_list() -> Schema {
    always("list")
}

/// `object` of a model list's entry: always `model`.
pub fn always_model() -> Schema {
    always("model")
}

/// The API a provider speaks (`apiType`): one of [`API_TYPES`].
pub struct ApiType;

impl PartialSchema for ApiType {
    fn schema() -> RefOr<Schema> {
        words(API_TYPES)
    }
}

impl ToSchema for ApiType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ApiType")
    }
}

/// How an agent container starts (`agent.entrypoint`): `script` runs Mosaic's entrypoint script
/// first; `image` runs the image's own entrypoint.
pub struct Entrypoint;

impl PartialSchema for Entrypoint {
    fn schema() -> RefOr<Schema> {
        words(&["script", "image"])
    }
}

impl ToSchema for Entrypoint {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Entrypoint")
    }
}

/// A provider model's inputs: `text` and/or `image`.
pub fn model_inputs() -> Schema {
    ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Array,
            Type::Null,
        ]))
        .min_items(Some(1))
        .items(word_set(&["text", "image"]))
        .description(Some("`text` and/or `image`."))
        .into()
}

fn empty_or_null(first: Schema, description: &str) -> Schema {
    AnyOfBuilder::new()
        .item(first)
        .item(string().max_length(Some(0)))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(description))
        .into()
}

/// A provider's base URL on input: a URL, or empty or null for none.
pub fn base_url_input() -> Schema {
    empty_or_null(
        string()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uri)))
            .into(),
        "Required for ollama and custom. http(s) only; see the egress policy in the API description; \
         empty or null means none; absent in a change keeps it.",
    )
}

const MODEL_REF: &str = r"^[A-Za-z0-9._-]+/[^\s]{1,200}$";

/// `<provider>/<model>`, or empty or null for none.
pub fn model_ref_or_none() -> Schema {
    empty_or_null(
        string().pattern(Some(MODEL_REF)).into(),
        "`<provider>/<model>`; empty or null means none.",
    )
}

/// Up to 10 distinct `<provider>/<model>` references.
pub fn fallback_models() -> Schema {
    ArrayBuilder::new()
        .max_items(Some(10))
        .unique_items(true)
        .items(string().pattern(Some(MODEL_REF)))
        .into()
}

/// Verified email addresses made administrators (lower-cased).
pub fn admin_emails() -> Schema {
    ArrayBuilder::new()
        .max_items(Some(200))
        .items(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Email))))
        .description(Some("Verified email addresses made administrators (lower-cased)."))
        .into()
}
