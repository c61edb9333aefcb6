//! Where the daemon puts its socket by default. Both programs compute it the same way, so
//! `mosaicctl` finds a `mosaicd` started without flags.

use std::path::PathBuf;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `/run/mosaic/mosaicd.sock` as root; otherwise inside `$XDG_RUNTIME_DIR/mosaic`, or beside the
/// data directory when there is no runtime directory.
pub fn default_socket() -> PathBuf {
    if is_root() {
        return PathBuf::from("/run/mosaic/mosaicd.sock");
    }
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("mosaic").join("mosaicd.sock"),
        _ => default_data_dir().join("mosaicd.sock"),
    }
}

/// `/var/lib/mosaic` as root; otherwise `$XDG_DATA_HOME/mosaic` or `~/.local/share/mosaic`.
pub fn default_data_dir() -> PathBuf {
    if is_root() {
        return PathBuf::from("/var/lib/mosaic");
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("mosaic");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".local").join("share").join("mosaic")
}
