//! Connecting to mosaicd: the socket, the handshake, then a tarpc client with explicit deadlines.

use std::path::Path;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use mosaic_shared::handshake::{Hello, HelloReply, mismatch_message};
use mosaic_shared::{AdminClient, ErrorKind, PROTOCOL_VERSION, RpcResult, VERSION};
use tarpc::tokio_serde::formats::Json;
use tarpc::tokio_util::codec::Framed;
use tokio::net::UnixStream;

use crate::error::{CliError, CliResult};

/// A connected, version-checked client.
pub struct Client {
    inner: AdminClient,
    timeout: Duration,
}

pub async fn connect(socket: &Path, timeout: Duration) -> CliResult<Client> {
    let stream = UnixStream::connect(socket).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CliError::unreachable(format!(
            "cannot reach mosaicd: no socket at {} (is mosaicd running? set --socket or MOSAIC_SOCKET)",
            socket.display()
        )),
        std::io::ErrorKind::ConnectionRefused => CliError::unreachable(format!(
            "cannot reach mosaicd: nothing is listening on {} (stale socket; is mosaicd running?)",
            socket.display()
        )),
        std::io::ErrorKind::PermissionDenied => CliError::kind(
            ErrorKind::Refused,
            format!(
                "permission denied on {}: run as root, as mosaicd's user or as a member of its admin group",
                socket.display()
            ),
        ),
        _ => CliError::unreachable(format!("cannot reach mosaicd at {}: {e}", socket.display())),
    })?;
    let mut framed = Framed::new(stream, mosaic_shared::frame_codec());
    let hello = Hello {
        protocol: PROTOCOL_VERSION,
        client_version: VERSION.to_string(),
    };
    let lost = |e: &dyn std::fmt::Display| {
        CliError::unreachable(format!("lost connection to mosaicd during the handshake: {e}"))
    };
    let bytes = serde_json::to_vec(&hello).expect("hello serializes");
    framed
        .send(tarpc::tokio_util::bytes::Bytes::from(bytes))
        .await
        .map_err(|e| lost(&e))?;
    let frame = match tokio::time::timeout(timeout, framed.next()).await {
        Err(_) => {
            return Err(CliError::unreachable(format!(
                "mosaicd did not answer within {}",
                mosaic_shared::duration::format(timeout)
            )));
        }
        Ok(None) => return Err(lost(&"connection closed")),
        Ok(Some(Err(e))) => return Err(lost(&e)),
        Ok(Some(Ok(frame))) => frame,
    };
    let reply: HelloReply = serde_json::from_slice(&frame)
        .map_err(|e| CliError::new(1, format!("unexpected handshake from mosaicd: {e}")))?;
    match reply {
        HelloReply::Accepted { .. } => {}
        HelloReply::VersionMismatch {
            daemon_version,
            protocol,
        } => {
            return Err(CliError::kind(
                ErrorKind::Refused,
                mismatch_message(&daemon_version, protocol, VERSION, PROTOCOL_VERSION),
            ));
        }
        HelloReply::Refused { message } => return Err(CliError::kind(ErrorKind::Refused, message)),
    }
    let transport = tarpc::serde_transport::new(framed, Json::default());
    let inner = AdminClient::new(tarpc::client::Config::default(), transport).spawn();
    Ok(Client { inner, timeout })
}

impl Client {
    /// A context whose deadline is this client's timeout from now.
    pub fn context(&self) -> tarpc::context::Context {
        let mut ctx = tarpc::context::current();
        ctx.deadline = Instant::now() + self.timeout;
        ctx
    }

    pub fn rpc(&self) -> &AdminClient {
        &self.inner
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Unwraps the two layers of an RPC result: transport, then the daemon's own answer.
pub fn answer<T>(result: Result<RpcResult<T>, tarpc::client::RpcError>, timeout: Duration) -> CliResult<T> {
    match result {
        Ok(inner) => inner.map_err(CliError::from),
        Err(tarpc::client::RpcError::DeadlineExceeded) => Err(CliError::unreachable(format!(
            "mosaicd did not answer within {} (raise --timeout for slow operations)",
            mosaic_shared::duration::format(timeout)
        ))),
        Err(e) => Err(CliError::unreachable(format!("lost connection to mosaicd: {e}"))),
    }
}

/// Calls one RPC method with the client's deadline and unwraps its answer:
/// `call!(client, status())`.
#[macro_export]
macro_rules! call {
    ($client:expr, $method:ident ( $($arg:expr),* $(,)? )) => {{
        let client = &$client;
        $crate::client::answer(client.rpc().$method(client.context() $(, $arg)*).await, client.timeout())
    }};
}
