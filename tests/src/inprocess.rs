//! mosaicd inside the test process, for tests that call the container manager directly (single
//! flight, activity guards, config changes) against the real Docker Engine.

use clap::Parser;

use crate::daemon::DaemonOptions;

pub struct InProcess {
    pub daemon: mosaicd::Running,
    pub dir: tempfile::TempDir,
}

impl InProcess {
    /// Starts a daemon on a fresh data directory with `options`' flags.
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
        argv.extend(options.args);
        let args = mosaicd::cli::Args::parse_from(argv);
        let config = mosaicd::config::Config::resolve_with_env(args, |_| None).expect("config");
        let daemon = mosaicd::start(config).await.expect("start mosaicd in-process");
        InProcess { daemon, dir }
    }

    pub fn app(&self) -> &std::sync::Arc<mosaicd::app::App> {
        &self.daemon.app
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub async fn stop(self) {
        self.daemon.shutdown().await;
    }
}
