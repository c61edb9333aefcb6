//! `mosaicd restore FILE`: puts a backup of the SQLite database back, with the daemon stopped.
//!
//! In order, stopping at the first refusal: the data directory's lock must be free (no daemon
//! runs); the backup must pass SQLite's integrity check and carry no migration this build does
//! not know (a newer schema); the configured secret key must open the backup's secrets. Then the
//! backup is copied next to the database, migrated to this build's schema if it is older, checked
//! again, and swapped in; the database it replaces is renamed, not deleted.

use std::path::{Path, PathBuf};

use mosaic_shared::ErrorCode;

use crate::config::Config;
use crate::data_dir;
use crate::error::{Error, Result};
use crate::secrets::{self, KeySource};
use crate::store::{self, Backend, sqlite_copy, system_config};

/// What a restore did, for the operator.
#[derive(Debug)]
pub struct Restored {
    pub database: PathBuf,
    pub from_schema: i64,
    pub to_schema: i64,
    /// The replaced database's new name, if there was one.
    pub previous: Option<PathBuf>,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Restores `file` as the database `config` names.
pub fn run(config: &Config, file: &Path) -> Result<Restored> {
    let url = config.database_url.as_ref().map(|s| s.expose());
    let Some(database) = store::sqlite_file(url, &config.data_dir)? else {
        return Err(Error::invalid(format!(
            "mosaicd keeps its data in PostgreSQL ({}): restore a pg_dump archive with pg_restore \
             --clean --if-exists --no-owner --dbname='{}' FILE, then start mosaicd (it migrates an older schema)",
            store::redact_url(url.unwrap_or_default()),
            store::redact_url(url.unwrap_or_default()),
        )));
    };
    if !file.is_file() {
        return Err(Error::not_found(format!("no backup file {}", file.display())));
    }
    data_dir::prepare(&config.data_dir)?;
    // Held until the end: a daemon starting meanwhile is refused, as restore is while one runs.
    let _lock = data_dir::lock(&config.data_dir).map_err(|e| match e.code() {
        ErrorCode::Conflict => {
            let message = format!(
                "{}; stop it before restoring (e.g. systemctl stop mosaicd)",
                e.message()
            );
            e.with_message(message)
        }
        _ => e,
    })?;

    let checked = sqlite_copy::check(file)?;
    let known = store::known_migrations(Backend::Sqlite);
    let latest = known.last().copied().unwrap_or(0);
    if let Some(unknown) = checked.migrations.iter().find(|v| !known.contains(v)) {
        return Err(Error::refused(format!(
            "{} has schema version {} (migration {unknown} is unknown here), newer than this mosaicd's {latest}: \
             restore it with the mosaicd version that made it",
            file.display(),
            checked.schema_version()
        )));
    }
    check_key(config, file)?;

    let dir = database
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staged = dir.join(format!(".mosaic-restore-{}.db", std::process::id()));
    for leftover in [
        staged.clone(),
        with_suffix(&staged, "-wal"),
        with_suffix(&staged, "-shm"),
    ] {
        let _ = std::fs::remove_file(leftover);
    }
    let result = stage(file, &staged, config, latest);
    if let Err(e) = result {
        for leftover in [
            staged.clone(),
            with_suffix(&staged, "-wal"),
            with_suffix(&staged, "-shm"),
        ] {
            let _ = std::fs::remove_file(leftover);
        }
        return Err(e);
    }

    // Swap: the current database (with its WAL, which belongs to it) moves aside, the staged one
    // takes its name.
    let previous = database.exists().then(|| {
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        with_suffix(&database, &format!(".before-restore-{stamp}"))
    });
    if let Some(previous) = &previous {
        for suffix in ["", "-wal", "-shm"] {
            let from = with_suffix(&database, suffix);
            if from.exists() {
                std::fs::rename(&from, with_suffix(previous, suffix))
                    .map_err(|e| Error::io(format!("cannot move {} aside", from.display()), e))?;
            }
        }
    }
    std::fs::rename(&staged, &database).map_err(|e| {
        Error::io(
            format!("cannot move the restored database to {}", database.display()),
            e,
        )
    })?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(format!("cannot sync {}", dir.display()), e))?;
    Ok(Restored {
        database,
        from_schema: checked.schema_version(),
        to_schema: latest,
        previous,
    })
}

/// Copies the backup to `staged`, migrates it to this build's schema and checks the result.
fn stage(file: &Path, staged: &Path, config: &Config, latest: i64) -> Result<()> {
    sqlite_copy::copy(file, staged, |_, _| {})?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start a runtime", e))?;
    runtime.block_on(async {
        let url = format!("sqlite:{}", staged.display());
        let db = store::Db::open(Some(&url), &config.data_dir).await?;
        db.close().await;
        Ok::<_, Error>(())
    })?;
    sqlite_copy::settle(staged)?;
    let after = sqlite_copy::check(staged)?;
    if after.schema_version() != latest {
        return Err(Error::new(
            ErrorCode::Internal,
            format!(
                "the restored database has schema version {} after migrating, not {latest}",
                after.schema_version()
            ),
        ));
    }
    Ok(())
}

/// The configured key must open the backup's secrets. The key is never generated here: without
/// a key file and without `MOSAIC_SECRET_KEY` there is nothing to open them with.
fn check_key(config: &Config, file: &Path) -> Result<()> {
    let env_key = config.secret_key.as_ref().map(|s| s.expose());
    if env_key.is_none() && !config.secret_key_file.exists() {
        return Err(Error::config(format!(
            "no secret key: {} does not exist and MOSAIC_SECRET_KEY is not set. The backup's secrets are \
             encrypted with the key of the time it was made: put that key file back first",
            config.secret_key_file.display()
        )));
    }
    let (keyring, _) = secrets::load(env_key, &config.secret_key_file)?;
    let Some(check) = sqlite_copy::config_value(file, system_config::KEY_CHECK)? else {
        return Ok(());
    };
    keyring
        .decrypt(&system_config::key_check_binding(), &check)
        .map_err(|_| {
            let from = match keyring.source() {
                KeySource::File(path) => format!("the key file {}", path.display()),
                KeySource::Environment => "MOSAIC_SECRET_KEY".into(),
            };
            Error::refused(format!(
                "the backup's secrets were encrypted with key {}, which {from} (key {}) does not hold: put back the \
             key file from when the backup was made",
                secrets::Keyring::key_id_of(&check).unwrap_or("?"),
                keyring.current_id()
            ))
        })?;
    Ok(())
}
