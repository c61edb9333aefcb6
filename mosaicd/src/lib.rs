//! `mosaicd`, the Mosaic daemon, as a library: `main.rs` parses arguments and calls [`run`].

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod containers;
pub mod data_dir;
pub mod error;
pub mod http;
#[cfg(test)]
mod layering;
pub mod metrics;
pub mod restore;
pub mod rpc;
pub mod secrets;
pub mod service;
pub mod spans;
pub mod store;
pub mod systemd;
pub mod usage;

use std::sync::Arc;

use crate::app::App;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::rpc::AdminSocket;
use crate::secrets::KeySource;

/// Runs the daemon until `shutdown` resolves, then stops accepting work, removes the socket and
/// closes the database.
pub async fn run(config: Config, shutdown: impl std::future::Future<Output = ()>) -> Result<()> {
    let daemon = start(config).await?;
    shutdown.await;
    tracing::info!("shutting down");
    daemon.shutdown().await;
    Ok(())
}

/// A started daemon: its state, for tests that drive it in-process, and its tasks.
pub struct Running {
    pub app: Arc<App>,
    /// The HTTP API's address (useful when the configured port was 0).
    pub http_addr: std::net::SocketAddr,
    stop_tx: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    http_task: tokio::task::JoinHandle<()>,
    _lock: nix::fcntl::Flock<std::fs::File>,
    _sqlite_lock: Option<nix::fcntl::Flock<std::fs::File>>,
}

impl Running {
    /// Stops the servers and background work (agent containers keep running), then closes the
    /// database.
    pub async fn shutdown(self) {
        systemd::stopping();
        let _ = self.stop_tx.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        // In-flight HTTP requests get a moment to finish; streams are cut after that.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.http_task).await;
        // The last requests' usage figures, now that no request is left.
        if let Err(e) = self.app.usage().flush().await {
            tracing::warn!(error = %e.full(), "cannot write the last usage figures");
        }
        self.app.db().close().await;
        tracing::info!("mosaicd stopped");
    }
}

/// Starts the daemon: socket, database, HTTP API, container manager. Returns once it is ready.
pub async fn start(config: Config) -> Result<Running> {
    data_dir::prepare(&config.data_dir)?;
    let lock = data_dir::lock(&config.data_dir)?;
    let socket = AdminSocket::bind(&config.socket, config.admin_group.as_deref())?;

    let (keyring, generated) = secrets::load(config.secret_key.as_ref().map(|s| s.expose()), &config.secret_key_file)?;

    service::backup::remove_leftovers(&config.data_dir);
    // SQLite serves one daemon: a second one on the same database file is refused here.
    let sqlite_lock = match store::sqlite_file(config.database_url.as_ref().map(|s| s.expose()), &config.data_dir)? {
        Some(file) => Some(data_dir::lock_sqlite(&file)?),
        None => None,
    };
    let db = store::Db::open(config.database_url.as_ref().map(|s| s.expose()), &config.data_dir).await?;
    // A start that is refused writes nothing: the key is proved against the database (and a new
    // key file written only for a database without secrets) before anything else is written.
    let verified = service::keys::Keys::verify_before_start(&db, &keyring, generated).await;
    if let Err(e) = verified {
        db.close().await;
        return Err(e);
    }
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

    tracing::info!(backend = db.backend().name(), location = %db.location(), "database ready");
    let listener = http::bind(config.listen).await?;
    let http_addr = listener
        .local_addr()
        .map_err(|e| Error::io("cannot read the HTTP listener's address", e))?;
    let mut config = config;
    // The port really bound (the egress proxy never lets agents reach it).
    config.listen = http_addr;
    config.instance = Some(containers::resolve_instance(&db, config.instance.as_deref()).await?);
    let app = Arc::new(App::new(config, db, keyring));
    if app.db().backend() == store::Backend::Postgres {
        // Other replicas may revoke access: nothing is cached until their changes are heard.
        app.users().credentials().suspend();
    }
    app.keys().check_key().await?;
    app.onboarding().announce_setup_token().await?;
    app.usage().load_retention().await?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let socket_path = socket.path().to_path_buf();
    let mut tasks = vec![tokio::spawn(socket.serve(app.clone(), stopped()))];
    let http_task = tokio::spawn(http::serve(listener, app.clone(), stopped()));

    // The internal config endpoint listens on the agent network, which exists once Docker has
    // been reached; the container manager hands over the listener then.
    if let Some(mut listeners) = app.containers().take_internal_listeners() {
        let (app, stop) = (app.clone(), stopped());
        let stop_each = stopped.clone();
        tasks.push(tokio::spawn(async move {
            tokio::pin!(stop);
            let mut servers = Vec::new();
            loop {
                tokio::select! {
                    _ = &mut stop => break,
                    listener = listeners.recv() => match listener {
                        Some(listener) => match tokio::net::TcpListener::from_std(listener) {
                            Ok(listener) => servers.push(tokio::spawn(http::internal::serve(listener, app.clone(), stop_each()))),
                            Err(e) => tracing::error!(error = %e, "cannot serve the internal config endpoint"),
                        },
                        None => break,
                    },
                }
            }
            for server in servers {
                let _ = server.await;
            }
        }));
    }
    tasks.push(tokio::spawn(app.containers().clone().supervise(stopped())));
    {
        let (app, stop) = (app.clone(), stopped());
        tasks.push(tokio::spawn(async move {
            auth::cache::follow_changes(app.db(), app.users().credentials(), stop).await
        }));
    }
    tasks.push(tokio::spawn(
        app.usage().flusher(app.config().usage_flush_interval, stopped()),
    ));
    if let Some(interval) = systemd::watchdog_interval() {
        tasks.push(tokio::spawn(systemd::watchdog(interval, stopped())));
    }

    tracing::info!(
        version = mosaic_shared::VERSION,
        http = %http_addr,
        socket = %socket_path.display(),
        database = app.db().backend().name(),
        instance = %app.containers().settings().instance,
        docker = %app.config().docker_host,
        "mosaicd ready"
    );
    systemd::ready(&format!("serving HTTP on {http_addr}"));
    Ok(Running {
        app,
        http_addr,
        stop_tx,
        tasks,
        http_task,
        _lock: lock,
        _sqlite_lock: sqlite_lock,
    })
}
