//! The rules of the product, as methods on [`App`](crate::app::App). Both the admin socket and
//! the HTTP API call these; neither re-implements validation, scoping or auditing.

pub mod agent_settings;
pub mod breakglass;
pub mod containers;
pub mod keys;
pub mod status;
