//! The data directory: created for the daemon's user only, and held by one process at a time (the
//! daemon while it runs, `mosaicd restore` while it puts a backup back).

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use crate::error::{Error, Result};

/// Creates the data directory (mode 0700) if it does not exist.
pub fn prepare(dir: &Path) -> Result<()> {
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

/// One daemon per data directory: a second one would fight the first over containers. Held until
/// the returned lock is dropped; a directory another process holds is a `Conflict`.
pub fn lock(dir: &Path) -> Result<nix::fcntl::Flock<std::fs::File>> {
    lock_file(&dir.join("mosaicd.lock"), |pid| {
        format!("another mosaicd (pid {pid}) is using data directory {}", dir.display())
    })
}

/// One daemon per SQLite database, wherever its data directory is: SQLite serves one mosaicd
/// only (several replicas need PostgreSQL). An exclusive lock on `<database>.lock`, beside the
/// database file, held until the returned lock is dropped; a database another process holds is
/// a `Conflict` that says what to do.
pub fn lock_sqlite(database: &Path) -> Result<nix::fcntl::Flock<std::fs::File>> {
    let mut path = database.as_os_str().to_owned();
    path.push(".lock");
    lock_file(Path::new(&path), |pid| {
        format!(
            "another mosaicd (pid {pid}) is using the SQLite database {}; SQLite serves one mosaicd only: \
             stop the other one first, or run several replicas on PostgreSQL (DATABASE_URL=postgres://…)",
            database.display()
        )
    })
}

/// Takes an exclusive lock on `path` (created, mode 0600) and writes this process's id into it;
/// `held(pid of the holder)` words the `Conflict` when another process holds it.
fn lock_file(path: &Path, held: impl FnOnce(&str) -> String) -> Result<nix::fcntl::Flock<std::fs::File>> {
    use std::io::{Read, Seek, Write};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
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
            Err(Error::conflict(held(pid.trim())))
        }
    }
}
