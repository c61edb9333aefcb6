//! `mosaicd`, the Mosaic daemon, as a library: `main.rs` parses arguments and calls [`run`].

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod metrics;
pub mod rpc;
pub mod secrets;
pub mod service;
pub mod store;

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;

use crate::app::App;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::rpc::AdminSocket;
use crate::secrets::KeySource;

/// Runs the daemon until `shutdown` resolves, then stops accepting work, removes the socket and
/// closes the database.
pub async fn run(config: Config, shutdown: impl std::future::Future<Output = ()>) -> Result<()> {
    prepare_data_dir(&config.data_dir)?;
    let _lock = lock_data_dir(&config.data_dir)?;
    let socket = AdminSocket::bind(&config.socket, config.admin_group.as_deref())?;

    let (keyring, generated) = secrets::load(config.secret_key.as_ref().map(|s| s.expose()), &config.secret_key_file)?;
    match keyring.source() {
        KeySource::File(path) if generated => tracing::info!(
            key_file = %path.display(), key_id = %keyring.current_id(),
            "generated a new secret key (mode 0600); back it up: stored secrets cannot be decrypted without it"
        ),
        KeySource::File(path) => {
            tracing::info!(key_file = %path.display(), key_id = %keyring.current_id(), "secret key loaded")
        }
        KeySource::Environment => {
            tracing::info!(key_id = %keyring.current_id(), "secret key loaded from MOSAIC_SECRET_KEY")
        }
    }

    let db = store::Db::open(config.database_url.as_ref().map(|s| s.expose()), &config.data_dir).await?;
    tracing::info!(backend = db.backend().name(), location = %db.location(), "database ready");
    let listener = http::bind(config.listen).await?;
    let app = Arc::new(App::new(config, db, keyring));
    app.check_key().await?;
    app.announce_setup_token().await?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let socket_path = socket.path().to_path_buf();
    let rpc_task = tokio::spawn(socket.serve(app.clone(), stopped()));
    let http_task = tokio::spawn(http::serve(listener, app.clone(), stopped()));

    tracing::info!(
        version = mosaic_shared::VERSION,
        http = %app.config.listen,
        socket = %socket_path.display(),
        database = app.db.backend().name(),
        "mosaicd ready"
    );
    shutdown.await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    let _ = rpc_task.await;
    // In-flight HTTP requests get a moment to finish; streams are cut after that.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), http_task).await;
    app.db.close().await;
    tracing::info!("mosaicd stopped");
    Ok(())
}

fn prepare_data_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io(format!("cannot create data directory {}", dir.display()), e))?;
        tracing::info!(data_dir = %dir.display(), "created data directory");
    }
    Ok(())
}

/// One daemon per data directory: a second one would fight the first over containers.
fn lock_data_dir(dir: &Path) -> Result<nix::fcntl::Flock<std::fs::File>> {
    use std::io::{Read, Seek, Write};
    let path = dir.join("mosaicd.lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open lock file {}", path.display()), e))?;
    match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock) {
        Ok(mut lock) => {
            let _ = lock.set_len(0);
            let _ = lock.rewind();
            let _ = write!(lock, "{}", std::process::id());
            Ok(lock)
        }
        Err((mut file, _)) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            Err(Error::Config(format!(
                "another mosaicd (pid {}) is using data directory {}",
                pid.trim(),
                dir.display()
            )))
        }
    }
}
