//! `mosaicd`'s command line. Kept in the library so the man page and shell completions are generated
//! from the same definition the binary parses.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "mosaicd",
    version,
    about = "Mosaic daemon: per-user AI agent containers behind one authenticated API",
    long_about = "Mosaic daemon: gives every user of the platform their own OpenClaw agent container, \
created on their first chat and stopped when idle, reachable only through mosaicd.\n\n\
With no configuration it keeps its data in SQLite in the data directory and generates its secret \
key file there. Set DATABASE_URL=postgres://... to keep data in PostgreSQL, and MOSAIC_SECRET_KEY \
to an age identity (AGE-SECRET-KEY-1...) to provide the key.\n\n\
Settings are read from built-in defaults, then the config file, then MOSAIC_* environment \
variables, then flags; a later source wins."
)]
pub struct Args {
    /// TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format).
    #[arg(long, env = "MOSAIC_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Directory for the SQLite database, the generated key file and the lock file
    /// [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]
    #[arg(long, env = "MOSAIC_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]
    #[arg(long, env = "MOSAIC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,

    /// HTTP API address [default: 127.0.0.1:4000]
    #[arg(long, env = "MOSAIC_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Group whose members may use the admin socket (the socket becomes mode 0660 for it).
    #[arg(long, env = "MOSAIC_ADMIN_GROUP", value_name = "GROUP")]
    pub admin_group: Option<String>,

    /// Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing
    /// [default: DATA_DIR/secret.key]
    #[arg(long, env = "MOSAIC_SECRET_KEY_FILE", value_name = "FILE")]
    pub secret_key_file: Option<PathBuf>,

    /// Log format
    #[arg(long, env = "MOSAIC_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}
