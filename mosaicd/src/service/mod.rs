//! The rules of the product, as methods on [`App`](crate::app::App). Both the admin socket and
//! the HTTP API call these; neither re-implements validation, scoping or auditing.

pub mod agent_config;
pub mod agent_settings;
pub mod auth;
pub mod backup;
pub mod breakglass;
pub mod config;
pub mod containers;
pub mod egress;
pub mod keys;
pub mod oidc;
pub mod onboarding;
pub mod providers;
pub mod settings;
pub mod status;
pub mod usage;
pub mod users;
