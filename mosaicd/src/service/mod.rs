//! The rules of the product, as narrow services: each owns one area (its state and the handles it
//! needs) and is what the admin socket and the HTTP API call, so neither re-implements
//! validation, scoping or auditing. `App` (`crate::app`) composes them.

pub mod agent_settings;
pub mod agents;
pub mod auth;
pub mod backup;
pub mod config;
pub mod egress;
pub mod keys;
pub mod oidc;
pub mod onboarding;
pub mod providers;
pub mod settings;
pub mod usage;
pub mod users;
