//! Copies and checks of the SQLite database file with SQLite's online backup API (through
//! rusqlite: sqlx has no access to it). Blocking: call from `spawn_blocking` or a plain thread.
//!
//! A copy is consistent while the daemon keeps writing: the source connection holds one read
//! transaction for the whole copy, so every page comes from the same snapshot. In WAL mode that
//! blocks no writer (they append to the WAL; only checkpoints wait for the end), and the backup
//! never restarts, which it would after every foreign write if the read lock were dropped between
//! steps. rusqlite and sqlx use the one SQLite library of the process (one libsqlite3-sys), so
//! their locks on the same file know of each other.

use std::path::Path;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use mosaic_shared::ErrorCode;

use crate::error::{Error, Result};

/// Pages copied per step: progress is reported after each.
const PAGES_PER_STEP: i32 = 256;

fn db_error(context: &str, path: &Path, e: rusqlite::Error) -> Error {
    Error::new(ErrorCode::Internal, format!("{context} {}", path.display())).with_detail(e)
}

/// What a check of a database file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The migrations applied, by version, oldest first.
    pub migrations: Vec<i64>,
    /// The database's size in pages and the page size.
    pub pages: i64,
    pub page_size: i64,
}

impl Checked {
    /// The newest applied migration: the schema version.
    pub fn schema_version(&self) -> i64 {
        self.migrations.last().copied().unwrap_or(0)
    }
}

/// Copies the database at `source` to a new file `dest` (which must not exist), calling
/// `progress(copied, total)` in pages as it goes. The copy is a self-contained file (rollback
/// journal, no WAL beside it).
pub fn copy(source: &Path, dest: &Path, mut progress: impl FnMut(i64, i64)) -> Result<()> {
    if dest.exists() {
        return Err(Error::conflict(format!("{} exists already", dest.display())));
    }
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| db_error("cannot open", source, e))?;
    src.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| db_error("cannot configure", source, e))?;
    // One snapshot for the whole copy (see the module's comment).
    src.execute_batch("BEGIN")
        .map_err(|e| db_error("cannot read", source, e))?;
    src.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .map_err(|e| db_error("cannot read", source, e))?;
    let mut dst = Connection::open(dest).map_err(|e| db_error("cannot create", dest, e))?;
    {
        let backup = Backup::new(&src, &mut dst).map_err(|e| db_error("cannot back up", source, e))?;
        loop {
            let step = backup
                .step(PAGES_PER_STEP)
                .map_err(|e| db_error("backup of", source, e))?;
            let p = backup.progress();
            progress(i64::from(p.pagecount - p.remaining), i64::from(p.pagecount));
            match step {
                StepResult::Done => break,
                StepResult::More => {}
                // The destination is ours alone and the source is only read; a busy one is
                // another process locking the file: wait a little.
                StepResult::Busy | StepResult::Locked => std::thread::sleep(std::time::Duration::from_millis(20)),
                _ => {}
            }
        }
    }
    let _ = src.execute_batch("COMMIT");
    drop(src);
    // The source was in WAL mode and the copy says so in its header: make it a single file.
    dst.execute_batch("PRAGMA journal_mode=DELETE")
        .map_err(|e| db_error("cannot finish", dest, e))?;
    dst.close().map_err(|(_, e)| db_error("cannot close", dest, e))?;
    Ok(())
}

/// Checks a database file: SQLite's integrity check must pass, and the migrations applied must
/// be readable from sqlx's `_sqlx_migrations`. Opens it read-only (nothing is written, not even a
/// journal).
pub fn check(path: &Path) -> Result<Checked> {
    let uri = format!("file:{}?mode=ro&immutable=1", path.display());
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| db_error("cannot open", path, e))?;
    let not_db =
        |e: rusqlite::Error| Error::invalid(format!("{} is not a Mosaic SQLite database: {e}", path.display()));
    let results: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(not_db)?;
    if results != ["ok"] {
        return Err(Error::invalid(format!(
            "{} fails SQLite's integrity check: {}",
            path.display(),
            results.join("; ")
        )));
    }
    let migrations: Vec<i64> = conn
        .prepare("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, i64>(0))?.collect())
        .map_err(not_db)?;
    if migrations.is_empty() {
        return Err(Error::invalid(format!(
            "{} has no schema version (no applied migration)",
            path.display()
        )));
    }
    let pages = conn
        .query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0))
        .map_err(not_db)?;
    let page_size = conn
        .query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
        .map_err(not_db)?;
    Ok(Checked {
        migrations,
        pages,
        page_size,
    })
}

/// One value of `system_config`, read-only (for the key check of a backup before it is restored).
pub fn config_value(path: &Path, key: &str) -> Result<Option<String>> {
    let uri = format!("file:{}?mode=ro&immutable=1", path.display());
    let conn = Connection::open_with_flags(&uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)
        .map_err(|e| db_error("cannot open", path, e))?;
    match conn.query_row("SELECT value FROM system_config WHERE key = ?1", [key], |r| {
        r.get::<_, String>(0)
    }) {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(db_error("cannot read", path, e)),
    }
}

/// Folds a database's write-ahead log into it and leaves it a single file.
pub fn settle(path: &Path) -> Result<()> {
    let conn = Connection::open(path).map_err(|e| db_error("cannot open", path, e))?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(|e| db_error("cannot checkpoint", path, e))?;
    conn.execute_batch("PRAGMA journal_mode=DELETE")
        .map_err(|e| db_error("cannot finish", path, e))?;
    conn.close().map_err(|(_, e)| db_error("cannot close", path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_under_concurrent_writes_is_one_snapshot() {
        let dir = tempfile_dir();
        let source = dir.join("src.db");
        let writer = Connection::open(&source).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode=WAL;
                 CREATE TABLE _sqlx_migrations (version INTEGER PRIMARY KEY, success BOOLEAN);
                 INSERT INTO _sqlx_migrations VALUES (1, 1), (2, 1);
                 CREATE TABLE t (n INTEGER, pad TEXT);",
            )
            .unwrap();
        for i in 0..2000 {
            writer
                .execute("INSERT INTO t VALUES (?1, ?2)", rusqlite::params![i, "x".repeat(500)])
                .unwrap();
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writes = {
            let (source, stop) = (source.clone(), stop.clone());
            std::thread::spawn(move || {
                let c = Connection::open(&source).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    c.execute("INSERT INTO t VALUES (-1, 'concurrent')", []).unwrap();
                    n += 1;
                }
                n
            })
        };
        let dest = dir.join("copy.db");
        let mut steps = Vec::new();
        copy(&source, &dest, |done, total| steps.push((done, total))).unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written = writes.join().unwrap();
        assert!(written > 0);
        assert!(steps.len() > 1, "{steps:?}");
        assert_eq!(steps.last().map(|(d, t)| d == t), Some(true));
        let checked = check(&dest).unwrap();
        assert_eq!(checked.schema_version(), 2);
        assert!(!dir.join("copy.db-wal").exists());
        let c = Connection::open(&dest).unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM t WHERE n >= 0", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2000);
        assert!(
            copy(&source, &dest, |_, _| {}).is_err(),
            "an existing file is never overwritten"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn garbage_is_not_a_database() {
        let dir = tempfile_dir();
        let path = dir.join("junk.db");
        std::fs::write(&path, b"not a database at all, just some bytes").unwrap();
        assert!(check(&path).is_err_and(|e| e.code() == ErrorCode::InvalidInput));
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mosaic-copy-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
