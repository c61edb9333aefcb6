//! mosaicd inside the test process, for tests that call the container manager directly (single
//! flight, activity guards, config changes) against the real Docker Engine.

use clap::Parser;

use crate::daemon::DaemonOptions;

pub struct InProcess {
    pub daemon: mosaicd::Running,
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
}

impl InProcess {
    /// Starts a daemon on a fresh data directory with `options`' flags (and `DATABASE_URL` from
    /// `options`' environment, if set).
    pub async fn start(options: DaemonOptions) -> InProcess {
        let dir = tempfile::Builder::new()
            .prefix("mosaic-inproc-")
            .tempdir()
            .expect("temp dir");
        let mut argv = vec![
            "mosaicd".to_string(),
            "--data-dir".into(),
            dir.path().join("data").display().to_string(),
            "--socket".into(),
            dir.path().join("mosaicd.sock").display().to_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
        ];
        argv.extend(options.args.iter().cloned());
        let args = mosaicd::cli::Args::parse_from(argv);
        let env = options.env.clone();
        let config = mosaicd::config::Config::resolve_with_env(args, |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .expect("config");
        let daemon = mosaicd::start(config).await.expect("start mosaicd in-process");
        let database_url = options
            .env
            .iter()
            .find(|(k, _)| k == "DATABASE_URL")
            .map(|(_, v)| v.clone());
        InProcess {
            daemon,
            dir,
            database_url,
        }
    }

    pub fn app(&self) -> &std::sync::Arc<mosaicd::app::App> {
        &self.daemon.app
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// The daemon's data, opened from the test.
    pub async fn data(&self) -> crate::data::Data {
        crate::data::Data::open_with(self.database_url.as_deref(), &self.data_dir()).await
    }

    pub async fn stop(self) {
        self.daemon.shutdown().await;
    }
}
