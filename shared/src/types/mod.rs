//! Data carried by the admin RPCs and the HTTP API. Field names are camelCase in JSON, the same as
//! `--json` output and the HTTP API, so a script sees one vocabulary everywhere. One module per
//! area; everything is re-exported here.

mod agents;
mod auth;
mod backup;
mod chat;
mod onboarding;
mod providers;
mod settings;
mod status;
mod usage;
mod users;

pub use agents::*;
pub use auth::*;
pub use backup::*;
pub use chat::*;
pub use onboarding::*;
pub use providers::*;
pub use settings::*;
pub use status::*;
pub use usage::*;
pub use users::*;

use serde::Deserialize;

/// Deserializes a field that distinguishes "absent" (`None`, keep) from `null` (`Some(None)`,
/// clear). Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
