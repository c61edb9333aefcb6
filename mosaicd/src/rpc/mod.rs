//! The admin socket: tarpc over a Unix socket, for `mosaicctl`.
//!
//! Binding follows the usual daemon hygiene: a live daemon on the path means refusal, a dead
//! socket file is replaced, anything that is not a socket is left alone. The socket is 0600
//! (0660 for a configured admin group) and every connection's peer credentials are checked before
//! a single RPC is read. A handshake exchanges protocol versions; then the connection carries
//! length-delimited JSON tarpc frames. A connection that sends garbage is closed on its own.
//! Every call runs in an `rpc` span carrying its method name and a fresh request id.

mod server;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use mosaic_shared::handshake::{Hello, HelloReply, mismatch_message};
use mosaic_shared::{PROTOCOL_VERSION, VERSION};
use tarpc::server::{BaseChannel, Channel, Serve};
use tarpc::tokio_serde::formats::Json;
use tarpc::tokio_util::codec::Framed;
use tarpc::{RequestName, ServerError};
use tokio::net::{UnixListener, UnixStream};
use tracing::Instrument;

use crate::app::App;
use crate::error::{Error, Result};

/// A client must complete the handshake this quickly, or it is disconnected.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Requests one connection may have in flight.
const MAX_REQUESTS_PER_CONNECTION: usize = 32;

/// Who may use the socket besides root.
#[derive(Debug, Clone)]
pub struct AccessPolicy {
    pub daemon_uid: u32,
    pub admin_group: Option<(String, u32)>,
}

/// The bound admin socket. Removes its file when dropped.
pub struct AdminSocket {
    listener: UnixListener,
    path: PathBuf,
    policy: AccessPolicy,
}

impl AdminSocket {
    /// Binds the socket at `path`, refusing if another daemon is listening there.
    pub fn bind(path: &Path, admin_group: Option<&str>) -> Result<AdminSocket> {
        let admin_group = admin_group
            .map(|name| {
                nix::unistd::Group::from_name(name)
                    .ok()
                    .flatten()
                    .map(|g| (name.to_string(), g.gid.as_raw()))
                    .ok_or_else(|| Error::config(format!("admin group '{name}' does not exist")))
            })
            .transpose()?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            create_socket_dir(dir, admin_group.as_ref().map(|(_, gid)| *gid))?;
        }
        remove_if_stale(path)?;
        let std_listener = std::os::unix::net::UnixListener::bind(path)
            .map_err(|e| Error::io(format!("cannot bind admin socket {}", path.display()), e))?;
        let socket = AdminSocket {
            listener: {
                std_listener
                    .set_nonblocking(true)
                    .map_err(|e| Error::io("cannot configure admin socket", e))?;
                UnixListener::from_std(std_listener).map_err(|e| Error::io("cannot register admin socket", e))?
            },
            path: path.to_path_buf(),
            policy: AccessPolicy {
                daemon_uid: nix::unistd::geteuid().as_raw(),
                admin_group: admin_group.clone(),
            },
        };
        let mode = match &admin_group {
            Some((_, gid)) => {
                nix::unistd::chown(path, None, Some(nix::unistd::Gid::from_raw(*gid)))
                    .map_err(|e| Error::io(format!("cannot give {} to the admin group", path.display()), e.into()))?;
                0o660
            }
            None => 0o600,
        };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(format!("cannot set permissions on {}", path.display()), e))?;
        Ok(socket)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Accepts connections until `shutdown` resolves, each served on its own task.
    pub async fn serve(self, app: Arc<App>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let policy = Arc::new(self.policy.clone());
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        tokio::spawn(serve_connection(stream, app.clone(), policy.clone()));
                    }
                    Err(e) => {
                        // EMFILE and friends: back off instead of spinning.
                        tracing::warn!(error = %e, "admin socket accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
    }
}

impl Drop for AdminSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Creates the socket's directory. Admin-group members must be able to traverse it to reach the
/// socket (0750, owned by the group); without a group only the daemon's user needs to (0700).
/// An existing directory is the operator's and is left as it is.
fn create_socket_dir(dir: &Path, admin_gid: Option<u32>) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create socket directory {}", dir.display()), e))?;
    let mode = match admin_gid {
        Some(gid) => {
            nix::unistd::chown(dir, None, Some(nix::unistd::Gid::from_raw(gid)))
                .map_err(|e| Error::io(format!("cannot give {} to the admin group", dir.display()), e.into()))?;
            0o750
        }
        None => 0o700,
    };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(format!("cannot set permissions on {}", dir.display()), e))
}

/// A socket file nobody listens on is left by a daemon that died; one somebody listens on
/// belongs to a live daemon. Anything else at the path is not ours to delete.
fn remove_if_stale(path: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(format!("cannot inspect {}", path.display()), e)),
    };
    if !meta.file_type().is_socket() {
        return Err(Error::config(format!(
            "{} exists and is not a socket; refusing to replace it",
            path.display()
        )));
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(Error::config(format!(
            "another mosaicd is already running on socket {}",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            tracing::info!(socket = %path.display(), "removing stale socket left by a previous mosaicd");
            std::fs::remove_file(path)
                .map_err(|e| Error::io(format!("cannot remove stale socket {}", path.display()), e))
        }
        Err(e) => Err(Error::io(format!("cannot check socket {}", path.display()), e)),
    }
}

/// The credentials of a connected peer, as the kernel reports them.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
    pub pid: Option<i32>,
}

impl AccessPolicy {
    /// Root, the daemon's own user and members of the admin group may administer the daemon.
    pub fn check(&self, peer: &Peer) -> std::result::Result<(), String> {
        if peer.uid == 0 || peer.uid == self.daemon_uid {
            return Ok(());
        }
        if let Some((name, gid)) = &self.admin_group {
            if peer.gid == *gid || user_in_group(peer.uid, *gid) {
                return Ok(());
            }
            return Err(format!(
                "permission denied: uid {} may not administer mosaicd (allowed: root, uid {}, members of group '{name}')",
                peer.uid, self.daemon_uid
            ));
        }
        Err(format!(
            "permission denied: uid {} may not administer mosaicd (allowed: root and uid {})",
            peer.uid, self.daemon_uid
        ))
    }
}

fn user_in_group(uid: u32, gid: u32) -> bool {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten();
    let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
        .ok()
        .flatten();
    match (user, group) {
        (Some(user), Some(group)) => user.gid.as_raw() == gid || group.mem.contains(&user.name),
        _ => false,
    }
}

async fn serve_connection(stream: UnixStream, app: Arc<App>, policy: Arc<AccessPolicy>) {
    let peer = match stream.peer_cred() {
        Ok(cred) => Peer {
            uid: cred.uid(),
            gid: cred.gid(),
            pid: cred.pid(),
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot read admin socket peer credentials; closing");
            return;
        }
    };
    let mut framed = Framed::new(stream, mosaic_shared::frame_codec());
    let hello = match tokio::time::timeout(HANDSHAKE_TIMEOUT, framed.next()).await {
        Ok(Some(Ok(frame))) => serde_json::from_slice::<Hello>(&frame),
        Ok(Some(Err(e))) => {
            tracing::debug!(uid = peer.uid, error = %e, "admin socket: unreadable frame; closing");
            return;
        }
        Ok(None) => return,
        Err(_) => {
            tracing::debug!(uid = peer.uid, "admin socket: no handshake in time; closing");
            return;
        }
    };
    let reply = match (&hello, policy.check(&peer)) {
        (_, Err(message)) => {
            tracing::warn!(uid = peer.uid, gid = peer.gid, pid = ?peer.pid, "admin socket: connection refused");
            HelloReply::Refused { message }
        }
        (Err(e), Ok(())) => {
            tracing::debug!(uid = peer.uid, error = %e, "admin socket: malformed handshake; closing");
            return;
        }
        (Ok(hello), Ok(())) if hello.protocol != PROTOCOL_VERSION => {
            tracing::warn!(
                "admin socket: {}",
                mismatch_message(VERSION, PROTOCOL_VERSION, &hello.client_version, hello.protocol)
            );
            HelloReply::VersionMismatch {
                daemon_version: VERSION.into(),
                protocol: PROTOCOL_VERSION,
            }
        }
        (Ok(_), Ok(())) => HelloReply::Accepted {
            daemon_version: VERSION.into(),
            protocol: PROTOCOL_VERSION,
        },
    };
    let accepted = matches!(reply, HelloReply::Accepted { .. });
    let bytes = serde_json::to_vec(&reply).expect("handshake reply serializes");
    if framed.send(tarpc::tokio_util::bytes::Bytes::from(bytes)).await.is_err() || !accepted {
        return;
    }
    let transport = tarpc::serde_transport::new(framed, Json::default());
    let server = server::AdminServer::new(app, peer);
    BaseChannel::with_defaults(transport)
        .max_concurrent_requests(MAX_REQUESTS_PER_CONNECTION)
        .execute(Traced(mosaic_shared::Admin::serve(server)))
        .for_each(|request| async {
            tokio::spawn(request);
        })
        .await;
}

/// Runs each call in an `rpc` span: the method's name and a request id for its log lines.
#[derive(Clone)]
struct Traced<S>(S);

impl<S: Serve> Serve for Traced<S> {
    type Req = S::Req;
    type Resp = S::Resp;

    async fn serve(self, ctx: tarpc::context::Context, req: S::Req) -> std::result::Result<S::Resp, ServerError> {
        let span = tracing::info_span!(
            "rpc",
            request_id = %crate::spans::new_request_id(),
            method = req.name(),
        );
        async move {
            let result = self.0.serve(ctx, req).await;
            tracing::debug!(ok = result.is_ok(), "admin socket call");
            result
        }
        .instrument(span)
        .await
    }
}
