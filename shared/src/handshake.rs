//! The first exchange on every admin-socket connection, before any RPC: the client says which
//! protocol it speaks, the daemon answers with its own version or with the reason it refuses the
//! connection. A refusal is a message for the person at the terminal, then the daemon hangs up.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    pub protocol: u32,
    pub client_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum HelloReply {
    /// The connection is accepted; RPC frames follow.
    Accepted { daemon_version: String, protocol: u32 },
    /// The two sides speak different protocols.
    VersionMismatch { daemon_version: String, protocol: u32 },
    /// The peer's credentials do not allow administration.
    Refused { message: String },
}

/// The message both sides show for a protocol mismatch.
pub fn mismatch_message(
    daemon_version: &str,
    daemon_protocol: u32,
    client_version: &str,
    client_protocol: u32,
) -> String {
    format!(
        "daemon is version {daemon_version} (protocol {daemon_protocol}), client is version {client_version} \
         (protocol {client_protocol}); use a mosaicctl built from the same release as mosaicd"
    )
}
