//! Online backup while the daemon serves (`mosaicctl admin backup`).
//!
//! The daemon makes the copy, into `DATA_DIR/backups/`, and `mosaicctl` reads it over the admin
//! socket in chunks and writes the output file itself:
//! - any peer the socket admits can back up (root, the daemon's user, the admin group), though
//!   only the daemon's user can read the data directory (0700);
//! - the daemon writes only inside its own data directory (which is all a sandboxed unit lets it
//!   write), so a socket peer can never make it write a path of the peer's choosing;
//! - the output file belongs to whoever ran `mosaicctl`, created with mode 0600;
//! - on PostgreSQL the daemon holds the password pg_dump needs; it never leaves the daemon.
//!
//! SQLite: SQLite's online backup API from one read snapshot (see `store::sqlite_copy`), then an
//! integrity check and the schema version of the copy, then its SHA-256, which the client checks
//! against what it received. PostgreSQL: `pg_dump --format=custom` if it is installed on the
//! daemon's host, checked with `pg_restore --list`; otherwise the error gives the exact command.
//! One backup at a time; a copy nobody reads for ten minutes is removed, as are leftovers at
//! start.

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use mosaic_shared::types::{BackupChunk, BackupState, BackupStatus};
use mosaic_shared::{BACKUP_CHUNK_BYTES, ErrorCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::secrets::{KeySource, Keyring};
use crate::store::audit::Actor;
use crate::store::{Backend, Db, audit, known_migrations, new_id, q, sqlite_copy};

/// A finished copy nobody has read for this long is removed.
const ABANDONED_AFTER: Duration = Duration::from_secs(600);

/// Online backups: the one in progress or waiting to be read.
pub struct Backup {
    db: Db,
    config: Arc<Config>,
    /// Where the secret key is kept, which every backup's status names (the backup does not
    /// contain the key); the keyring itself is not needed here.
    key_location: String,
    job: Mutex<Option<Job>>,
}

struct Job {
    id: String,
    path: PathBuf,
    status: Arc<Mutex<BackupStatus>>,
    touched: Instant,
}

impl Job {
    fn status(&self) -> BackupStatus {
        self.status.lock().expect("backup lock").clone()
    }
}

/// Where backups are made: `DATA_DIR/backups`.
pub fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// Removes copies a previous daemon left (it stopped or crashed before they were read).
pub fn remove_leftovers(data_dir: &Path) {
    let dir = backup_dir(data_dir);
    if dir.exists()
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot remove leftover backups");
    }
}

fn sha256_of(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// `%XX` decoded (a URL's password may be percent-encoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A program on the daemon's `PATH`.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `DATABASE_URL` split for pg_dump: the URL without its password (safe to show and to pass on
/// the command line) and the password (for `PGPASSWORD`).
fn pg_target(url: &str) -> Result<(String, Option<String>)> {
    let mut parsed = url::Url::parse(url).map_err(|_| Error::config("DATABASE_URL is not a valid URL"))?;
    let password = parsed.password().map(percent_decode);
    let _ = parsed.set_password(None);
    Ok((parsed.to_string(), password))
}

fn pg_dump_command(url: &str) -> String {
    format!("pg_dump --format=custom --file=mosaic.dump '{url}'")
}

impl Backup {
    pub fn new(db: Db, config: Arc<Config>, keyring: &Keyring) -> Backup {
        let key_location = match keyring.source() {
            KeySource::File(path) => format!("file {}", path.display()),
            KeySource::Environment => "MOSAIC_SECRET_KEY".into(),
        };
        Backup {
            db,
            config,
            key_location,
            job: Mutex::default(),
        }
    }

    fn backup_job<T>(&self, id: &str, f: impl FnOnce(&mut Job) -> Result<T>) -> Result<T> {
        let mut slot = self.job.lock().expect("backup lock");
        match slot.as_mut() {
            Some(job) if job.id == id => {
                job.touched = Instant::now();
                f(job)
            }
            _ => Err(Error::not_found(format!(
                "no backup {id} (finished, abandoned or never started)"
            ))),
        }
    }

    /// Starts a backup (see the module's comment) and answers at once with its status.
    pub async fn backup_start(&self, actor: &Actor) -> Result<BackupStatus> {
        let backend = self.db.backend();
        let dir = backup_dir(&self.config.data_dir);
        let id = new_id();
        let path = dir.join(format!(
            "{id}.{}",
            if backend == Backend::Sqlite { "db" } else { "dump" }
        ));
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let url = self
                    .config
                    .database_url
                    .as_ref()
                    .map(|s| s.expose())
                    .unwrap_or_default();
                let (shown, password) = pg_target(url)?;
                let (Some(pg_dump), Some(pg_restore)) = (on_path("pg_dump"), on_path("pg_restore")) else {
                    return Err(Error::unavailable(format!(
                        "mosaicd keeps its data in PostgreSQL and pg_dump is not installed on its host; back it up \
                         with: {} (the password from PGPASSWORD or ~/.pgpass)",
                        pg_dump_command(&shown)
                    )));
                };
                Some((pg_dump, pg_restore, shown, password))
            }
        };
        let status = BackupStatus {
            id: id.clone(),
            backend: backend.name().into(),
            state: BackupState::Copying,
            pages_copied: 0,
            pages_total: 0,
            bytes: None,
            sha256: None,
            schema_version: None,
            message: None,
            secret_key: self.key_location.clone(),
        };
        {
            let mut slot = self.job.lock().expect("backup lock");
            if let Some(job) = slot.as_ref() {
                let abandoned = job.touched.elapsed() > ABANDONED_AFTER;
                if !abandoned {
                    return Err(Error::conflict(
                        "another backup is in progress; try again when it is done",
                    ));
                }
                let _ = std::fs::remove_file(&job.path);
            }
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            *slot = Some(Job {
                id: id.clone(),
                path: path.clone(),
                status: Arc::new(Mutex::new(status.clone())),
                touched: Instant::now(),
            });
        }
        audit::record(
            &mut self.db.ex(),
            actor,
            "backup.start",
            None,
            json!({ "id": id, "backend": backend.name() }),
        )
        .await?;
        let shared = self.job.lock().expect("backup lock").as_ref().map(|j| j.status.clone());
        let shared = shared.expect("job just stored");
        let db = self.db.clone();
        tokio::spawn(async move {
            let outcome = match pg {
                None => copy_sqlite(&db, &path, &shared).await,
                Some((pg_dump, pg_restore, url, password)) => {
                    dump_postgres(&db, &path, &pg_dump, &pg_restore, &url, password.as_deref()).await
                }
            };
            let mut status = shared.lock().expect("backup lock");
            match outcome {
                Ok((bytes, sha256, schema, message)) => {
                    tracing::info!(id = %status.id, bytes, schema_version = schema, "backup ready");
                    status.state = BackupState::Ready;
                    status.bytes = Some(bytes);
                    status.sha256 = Some(sha256);
                    status.schema_version = Some(schema);
                    status.message = Some(message);
                }
                Err(e) => {
                    tracing::warn!(id = %status.id, code = %e.code(), error = %e.full(), "backup failed");
                    let _ = std::fs::remove_file(&path);
                    status.state = BackupState::Failed;
                    status.message = Some(e.message().to_string());
                }
            }
        });
        Ok(status)
    }

    pub fn backup_status(&self, id: &str) -> Result<BackupStatus> {
        self.backup_job(id, |job| Ok(job.status()))
    }

    pub fn backup_read(&self, id: &str, offset: u64, len: u64) -> Result<BackupChunk> {
        let path = self.backup_job(id, |job| match job.status().state {
            BackupState::Ready => Ok(job.path.clone()),
            _ => Err(Error::conflict(format!("backup {id} is not ready"))),
        })?;
        let fail = |e| Error::io(format!("cannot read {}", path.display()), e);
        let mut file = std::fs::File::open(&path).map_err(fail)?;
        let size = file.metadata().map_err(fail)?.len();
        file.seek(SeekFrom::Start(offset.min(size))).map_err(fail)?;
        let mut buf = Vec::new();
        file.take(len.min(BACKUP_CHUNK_BYTES))
            .read_to_end(&mut buf)
            .map_err(fail)?;
        Ok(BackupChunk {
            offset,
            last: offset + buf.len() as u64 >= size,
            data: base64::engine::general_purpose::STANDARD.encode(&buf),
        })
    }

    pub fn backup_finish(&self, id: &str) -> Result<()> {
        let mut slot = self.job.lock().expect("backup lock");
        match slot.as_ref() {
            Some(job) if job.id == id => {
                if job.status().state == BackupState::Copying {
                    return Err(Error::conflict(format!(
                        "backup {id} is still being copied; finish it when it is ready"
                    )));
                }
                let _ = std::fs::remove_file(&job.path);
                *slot = None;
                Ok(())
            }
            _ => Err(Error::not_found(format!("no backup {id}"))),
        }
    }
}

/// SQLite: copy, check, hash. Answers (bytes, sha256, schema version, what was checked).
async fn copy_sqlite(db: &Db, path: &Path, status: &Arc<Mutex<BackupStatus>>) -> Result<(u64, String, i64, String)> {
    let source = db
        .sqlite_path()
        .ok_or_else(|| Error::internal("no SQLite file to back up"))?
        .to_path_buf();
    let (path, status) = (path.to_path_buf(), status.clone());
    let latest = known_migrations(Backend::Sqlite).last().copied().unwrap_or(0);
    tokio::task::spawn_blocking(move || {
        let progress = |done: i64, total: i64| {
            let mut s = status.lock().expect("backup lock");
            s.pages_copied = done as u64;
            s.pages_total = total as u64;
        };
        sqlite_copy::copy(&source, &path, progress)?;
        let checked = sqlite_copy::check(&path)?;
        if checked.schema_version() != latest {
            return Err(Error::new(
                ErrorCode::Internal,
                format!(
                    "the copy has schema version {}, the database {latest}",
                    checked.schema_version()
                ),
            ));
        }
        let (bytes, sha) = sha256_of(&path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        let message = format!(
            "integrity check ok; schema version {}; {} pages of {} bytes",
            checked.schema_version(),
            checked.pages,
            checked.page_size
        );
        Ok((bytes, sha, checked.schema_version(), message))
    })
    .await
    .map_err(|e| Error::internal(format!("backup task failed: {e}")))?
}

/// PostgreSQL: pg_dump, then pg_restore --list must read the archive back.
async fn dump_postgres(
    db: &Db,
    path: &Path,
    pg_dump: &Path,
    pg_restore: &Path,
    url: &str,
    password: Option<&str>,
) -> Result<(u64, String, i64, String)> {
    let (schema,): (i64,) = db
        .one(q(
            "SELECT CAST(MAX(version) AS BIGINT) FROM _sqlx_migrations WHERE success",
        ))
        .await?;
    let mut dump = tokio::process::Command::new(pg_dump);
    dump.arg("--format=custom")
        .arg("--no-password")
        .arg(format!("--file={}", path.display()))
        .arg(format!("--dbname={url}"))
        .env_remove("NOTIFY_SOCKET")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(password) = password {
        dump.env("PGPASSWORD", password);
    }
    let out = dump
        .output()
        .await
        .map_err(|e| Error::io(format!("cannot run {}", pg_dump.display()), e))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        return Err(Error::unavailable(format!(
            "pg_dump failed ({}): {}",
            out.status,
            said.trim().lines().last().unwrap_or("")
        )));
    }
    let list = tokio::process::Command::new(pg_restore)
        .arg("--list")
        .arg(path)
        .env_remove("NOTIFY_SOCKET")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| Error::io(format!("cannot run {}", pg_restore.display()), e))?;
    let toc = String::from_utf8_lossy(&list.stdout);
    if !list.status.success() || !toc.contains("TABLE DATA public _sqlx_migrations") {
        return Err(Error::new(
            ErrorCode::Internal,
            "pg_restore --list cannot read the archive pg_dump wrote",
        ));
    }
    let (bytes, sha) = sha256_of(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let entries = toc
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .count();
    Ok((
        bytes,
        sha,
        schema,
        format!("pg_restore --list reads it ({entries} entries); schema version {schema}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_stays_out_of_the_command() {
        let (url, password) = pg_target("postgres://mosaic:p%40ss%2Fw@db.example:5432/mosaic?sslmode=require").unwrap();
        assert_eq!(url, "postgres://mosaic@db.example:5432/mosaic?sslmode=require");
        assert_eq!(password.as_deref(), Some("p@ss/w"));
        assert_eq!(
            pg_dump_command(&url),
            "pg_dump --format=custom --file=mosaic.dump 'postgres://mosaic@db.example:5432/mosaic?sslmode=require'"
        );
        assert_eq!(pg_target("postgres://db/x").unwrap().1, None);
    }
}
