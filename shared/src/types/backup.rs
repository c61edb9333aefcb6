//! Online backups: the daemon's copy of its database, read by `mosaicctl admin backup` in chunks.

use serde::{Deserialize, Serialize};

/// Where an online backup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum BackupState {
    /// Pages are being copied (SQLite) or pg_dump runs (PostgreSQL).
    Copying,
    /// The copy is checked and ready to be read.
    Ready,
    /// It failed; `message` says why. Nothing is left of it.
    Failed,
}

/// An online backup made by the daemon into its own data directory, read by `mosaicctl` in
/// chunks and removed when it is done with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    pub id: String,
    /// `sqlite` (a copy of the database file) or `postgres` (a pg_dump custom-format archive).
    pub backend: String,
    pub state: BackupState,
    /// SQLite pages copied so far, of `pages_total` (0 for PostgreSQL).
    pub pages_copied: u64,
    pub pages_total: u64,
    /// Once ready: the size, SHA-256 (hex) and schema version (the newest applied migration) of
    /// the checked copy.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub bytes: Option<u64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub sha256: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub schema_version: Option<i64>,
    /// What was checked, or why it failed.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub message: Option<String>,
    /// Where the secret key is kept, which the backup does not contain (`file PATH` or
    /// `MOSAIC_SECRET_KEY`).
    pub secret_key: String,
}

/// Up to the requested number of bytes of a ready backup from an offset, base64-encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BackupChunk {
    pub offset: u64,
    pub data: String,
    /// No bytes follow this chunk.
    pub last: bool,
}
