//! A small builder for the document's operations over utoipa's types: the answers every route of a
//! kind shares (authentication, JSON bodies, onboarding's setup token) are said once here, and each
//! operation adds or replaces what is its own. Every schema an operation names is derived from its
//! type and collected into the document's components.

use std::collections::BTreeMap;

use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, Required, ResponseBuilder};

use mosaic_shared::ErrorBody;
use mosaic_shared::types::Page;

/// Named schemas an operation refers to, by name.
pub type Schemas = BTreeMap<String, RefOr<Schema>>;

pub const UNAUTHENTICATED: &str = "Not logged in, or the session/token is invalid, expired or revoked.";
pub const CSRF: &str = "Cookie request without a valid X-CSRF-Token (csrf_token_invalid).";
pub const NOT_LOGGED_IN: &str = "Not logged in.";
pub const NOT_ADMIN: &str = "Not an administrator, or a cookie request without a valid X-CSRF-Token.";
pub const SETUP_TOKEN: &str =
    "No setup token (setup_token_required), or a wrong, replaced or expired one (setup_token_invalid).";
pub const ONBOARDING_COMPLETE: &str =
    "Onboarding is already complete (onboarding_complete): these endpoints are closed.";
pub const MALFORMED: &str = "Malformed JSON, invalid UTF-8, unknown fields (an owner, role or id cannot be smuggled \
                             in) or an invalid value.";
pub const TOO_LARGE: &str = "Body larger than the limit (64 KiB; 256 KiB for the agent config).";
pub const NOT_JSON: &str = "Content-Type is not application/json.";
pub const RATE_LIMITED: &str = "Too many attempts from this client or for this account (rate_limited): try again \
                                after Retry-After seconds.";

/// What one response says: its description, bodies by media type and headers.
struct Answer {
    description: String,
    content: Vec<(&'static str, RefOr<Schema>)>,
    headers: Vec<(&'static str, &'static str, Schema)>,
}

/// One operation of the document, built from a method, a path pattern, a tag and a summary.
pub struct Op {
    pub method: HttpMethod,
    pub path: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: Option<&'static str>,
    security: Vec<SecurityRequirement>,
    parameters: Vec<Parameter>,
    body: Option<(&'static str, RefOr<Schema>)>,
    answers: BTreeMap<u16, Answer>,
    pub schemas: Schemas,
}

fn op(method: HttpMethod, path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    let mut op = Op {
        method,
        path,
        tag,
        summary,
        description: None,
        security: Vec::new(),
        parameters: Vec::new(),
        body: None,
        answers: BTreeMap::new(),
        schemas: Schemas::new(),
    };
    // Path parameters are ids (or names): unreserved URL characters only.
    for name in path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    {
        op.parameters.push(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(string()))
                .build(),
        );
    }
    op
}

pub fn get(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op(HttpMethod::Get, path, tag, summary)
}
pub fn post(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op(HttpMethod::Post, path, tag, summary)
}
pub fn put(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op(HttpMethod::Put, path, tag, summary)
}
pub fn patch(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op(HttpMethod::Patch, path, tag, summary)
}
pub fn delete(path: &'static str, tag: &'static str, summary: &'static str) -> Op {
    op(HttpMethod::Delete, path, tag, summary)
}

pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A reference to `T`'s schema, collecting it and the schemas it refers to.
pub fn schema_of<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    named::<T>(T::name().into_owned(), schemas)
}

/// As [`schema_of`], under a name of the document's own (for a generic type such as `Page<T>`).
pub fn named<T: ToSchema>(name: String, schemas: &mut Schemas) -> RefOr<Schema> {
    let mut more = Vec::new();
    T::schemas(&mut more);
    more.push((name.clone(), T::schema()));
    add(schemas, more);
    Ref::from_schema_name(name).into()
}

/// Adds named schemas; two different schemas under one name are a bug in the document.
pub fn add(schemas: &mut Schemas, more: impl IntoIterator<Item = (String, RefOr<Schema>)>) {
    for (name, schema) in more {
        if let Some(known) = schemas.get(&name) {
            assert!(*known == schema, "two different schemas are named {name}");
        }
        schemas.insert(name, schema);
    }
}

fn error_schema(schemas: &mut Schemas) -> RefOr<Schema> {
    schema_of::<ErrorBody>(schemas)
}

fn requirement(scheme: &str) -> SecurityRequirement {
    SecurityRequirement::new(scheme, Vec::<String>::new())
}

impl Op {
    pub fn describe(mut self, description: &'static str) -> Op {
        self.description = Some(description);
        self
    }

    /// A session cookie or a bearer token of any user.
    pub fn signed_in(mut self) -> Op {
        self.security = vec![requirement("sessionCookie"), requirement("bearerToken")];
        self.error(401, UNAUTHENTICATED).error(403, CSRF)
    }

    /// A session cookie or a bearer token of any user, on a read (no CSRF token asked for).
    pub fn signed_in_read(mut self) -> Op {
        self.security = vec![requirement("sessionCookie"), requirement("bearerToken")];
        self.error(401, UNAUTHENTICATED)
    }

    /// A session cookie or a bearer token of an administrator.
    pub fn admin(mut self) -> Op {
        self.security = vec![requirement("sessionCookie"), requirement("bearerToken")];
        self.error(401, NOT_LOGGED_IN).error(403, NOT_ADMIN)
    }

    /// A session cookie if there is one (logging out answers the same without).
    pub fn optional_cookie(mut self) -> Op {
        self.security = vec![requirement("sessionCookie"), SecurityRequirement::default()];
        self
    }

    /// Onboarding's setup token, while onboarding is not complete. Guesses are throttled.
    pub fn setup(mut self) -> Op {
        self.security = vec![requirement("setupToken")];
        self.error(401, SETUP_TOKEN)
            .error(409, ONBOARDING_COMPLETE)
            .rate_limited()
    }

    /// A required JSON body of type `T`, and the answers to a body that is not one.
    pub fn body<T: ToSchema>(mut self) -> Op {
        let schema = schema_of::<T>(&mut self.schemas);
        self.body = Some(("application/json", schema));
        self.error(400, MALFORMED).error(413, TOO_LARGE).error(415, NOT_JSON)
    }

    /// A query parameter (never required).
    pub fn query(mut self, name: &str, schema: impl Into<RefOr<Schema>>, description: Option<&str>) -> Op {
        self.parameters.push(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(description)
                .schema(Some(schema))
                .build(),
        );
        self
    }

    /// An optional request header.
    pub fn header_param(mut self, name: &str, description: &str) -> Op {
        self.parameters.push(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(string()))
                .build(),
        );
        self
    }

    fn answer(mut self, status: u16, description: &str, content: Vec<(&'static str, RefOr<Schema>)>) -> Op {
        self.answers.insert(
            status,
            Answer {
                description: description.to_string(),
                content,
                headers: Vec::new(),
            },
        );
        self
    }

    /// A success with a JSON body of type `T`.
    pub fn ok<T: ToSchema>(mut self, status: u16, description: &str) -> Op {
        let schema = schema_of::<T>(&mut self.schemas);
        self.answer(status, description, vec![("application/json", schema)])
    }

    /// A success with a JSON array of `T`.
    pub fn ok_list<T: ToSchema>(mut self, status: u16, description: &str) -> Op {
        let item = schema_of::<T>(&mut self.schemas);
        let schema = ArrayBuilder::new().items(item).build();
        self.answer(
            status,
            description,
            vec![("application/json", Schema::Array(schema).into())],
        )
    }

    /// A success with a page of `T` (`{data, meta}`), named `<T>Page`.
    pub fn ok_page<T: ToSchema>(mut self, status: u16, description: &str) -> Op {
        let name = format!("{}Page", T::name());
        let schema = named::<Page<T>>(name, &mut self.schemas);
        self.answer(status, description, vec![("application/json", schema)])
    }

    /// Another media type for an answer already described.
    pub fn also(mut self, status: u16, media: &'static str, schema: impl Into<RefOr<Schema>>) -> Op {
        let answer = self.answers.get_mut(&status).expect("an answer to add a media type to");
        answer.content.push((media, schema.into()));
        self
    }

    /// An answer with bodies of the document's own schemas, by media type.
    pub fn ok_with(self, status: u16, description: &str, content: Vec<(&'static str, RefOr<Schema>)>) -> Op {
        self.answer(status, description, content)
    }

    /// An answer without a body (204, a redirect).
    pub fn empty(self, status: u16, description: &str) -> Op {
        self.answer(status, description, Vec::new())
    }

    /// An error answer with the error body; replaces what a shared rule said for the status.
    pub fn error(mut self, status: u16, description: &str) -> Op {
        let schema = error_schema(&mut self.schemas);
        self.answer(status, description, vec![("application/json", schema)])
    }

    /// An error answer that is either mosaicd's error body or one of the agent's own (`AgentError`).
    pub fn error_or_agent<A: ToSchema>(mut self, status: u16, description: &str) -> Op {
        let ours = error_schema(&mut self.schemas);
        let agent = schema_of::<A>(&mut self.schemas);
        let either = OneOfBuilder::new().item(ours).item(agent).build();
        self.answer(
            status,
            description,
            vec![("application/json", Schema::OneOf(either).into())],
        )
    }

    /// Too many attempts: 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(self) -> Op {
        let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1));
        self.error(429, RATE_LIMITED)
            .header_of(429, "Retry-After", "Seconds to wait before the next attempt.", seconds)
    }

    /// A header of an answer already described (a string).
    pub fn header(self, status: u16, name: &'static str, description: &'static str) -> Op {
        self.header_of(status, name, description, string())
    }

    /// A header of an answer already described, with its schema.
    pub fn header_of(
        mut self,
        status: u16,
        name: &'static str,
        description: &'static str,
        schema: ObjectBuilder,
    ) -> Op {
        let (method, path) = (self.method_str(), self.path);
        let answer = self
            .answers
            .get_mut(&status)
            .unwrap_or_else(|| panic!("{method} {path}: no {status} answer to add {name} to"));
        answer.headers.push((name, description, schema.into()));
        self
    }

    fn method_str(&self) -> &'static str {
        match self.method {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            _ => "?",
        }
    }

    pub fn operation(&self) -> Operation {
        let mut builder = OperationBuilder::new()
            .tag(self.tag)
            .summary(Some(self.summary))
            .description(self.description)
            .securities(Some(self.security.clone()));
        if !self.parameters.is_empty() {
            builder = builder.parameters(Some(self.parameters.clone()));
        }
        if let Some((media, schema)) = &self.body {
            builder = builder.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(*media, ContentBuilder::new().schema(Some(schema.clone())).build())
                    .build(),
            ));
        }
        for (status, answer) in &self.answers {
            let mut response = ResponseBuilder::new().description(&answer.description);
            for (media, schema) in &answer.content {
                response = response.content(*media, ContentBuilder::new().schema(Some(schema.clone())).build());
            }
            for (name, description, schema) in &answer.headers {
                response = response.header(
                    *name,
                    HeaderBuilder::new()
                        .schema(schema.clone())
                        .description(Some(*description))
                        .build(),
                );
            }
            builder = builder.response(status.to_string(), response.build());
        }
        builder.build()
    }
}

/// `page`: 1 and up, 1 by default.
pub fn page_number() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .default(Some(1.into()))
}

/// `limit`: 1 and up, 50 by default.
pub fn page_size() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .default(Some(50.into()))
}

pub fn flag(default: bool) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .default(Some(default.into()))
}

/// A day, `YYYY-MM-DD`.
pub fn date() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
}

/// A schema written by hand, for a shape mosaicd has no type of.
pub fn hand_written(schema: serde_json::Value) -> RefOr<Schema> {
    serde_json::from_value(schema).expect("a hand-written schema is a schema")
}
