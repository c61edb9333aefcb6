//! `mosaicctl admin backup --output FILE`: mosaicd makes and checks the copy in its data
//! directory; this command shows its progress, reads it in chunks into FILE (created 0600 under
//! a temporary name, renamed when complete), checks size and SHA-256 against the daemon's
//! checked copy, and tells the daemon to remove its copy, whatever happened.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use mosaic_shared::types::{BackupState, BackupStatus};
use mosaic_shared::{BACKUP_CHUNK_BYTES, ErrorKind};
use sha2::{Digest, Sha256};

use crate::call;
use crate::cli::BackupArgs;
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::output;

/// How often the copy's progress is asked for.
const POLL: Duration = Duration::from_millis(100);

pub async fn run(client: &Client, args: BackupArgs, json: bool) -> CliResult {
    if args.output.exists() && !args.force {
        return Err(CliError::kind(
            ErrorKind::Conflict,
            format!("{} exists; choose another file or pass --force", args.output.display()),
        ));
    }
    let started = call!(client, backup_start())?;
    let id = started.id.clone();
    let result = fetch(client, started, &args.output).await;
    // The daemon's copy goes in every case (on success it has been read).
    let _ = call!(client, backup_finish(id.clone()));
    let status = result?;
    if json {
        output::json(&status);
        return Ok(());
    }
    let bytes = status.bytes.unwrap_or(0);
    println!(
        "Backed up the {} database to {} ({:.1} MiB, schema version {}).",
        status.backend,
        args.output.display(),
        bytes as f64 / (1024.0 * 1024.0),
        status.schema_version.unwrap_or(0)
    );
    if let Some(message) = &status.message {
        println!(
            "Checked: {message}; SHA-256 {} matches.",
            status.sha256.as_deref().unwrap_or("-")
        );
    }
    println!(
        "The secret key is not in the backup (stored secrets stay encrypted): keep a copy of the {} as well.",
        status.secret_key
    );
    Ok(())
}

async fn fetch(client: &Client, started: BackupStatus, output: &Path) -> CliResult<BackupStatus> {
    let id = started.id.clone();
    let pages = progress_bar("{spinner} copying {pos}/{len} pages {wide_bar} {elapsed}");
    let mut status = started;
    while status.state == BackupState::Copying {
        if status.pages_total > 0 {
            pages.set_length(status.pages_total);
            pages.set_position(status.pages_copied);
        }
        tokio::time::sleep(POLL).await;
        status = call!(client, backup_status(id.clone()))?;
    }
    pages.finish_and_clear();
    if status.state == BackupState::Failed {
        return Err(CliError::new(
            1,
            format!(
                "the backup failed: {}",
                status.message.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
    let (size, expected) = match (status.bytes, status.sha256.clone()) {
        (Some(size), Some(sha)) => (size, sha),
        _ => return Err(CliError::new(1, "mosaicd reported a backup without size or checksum")),
    };

    let partial = partial_name(output);
    let _ = std::fs::remove_file(&partial);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| CliError::new(1, format!("cannot create {}: {e}", partial.display())))?;
    let received = progress_bar("{spinner} receiving {bytes}/{total_bytes} {wide_bar} {elapsed}");
    received.set_length(size);
    let written = receive(client, &id, &mut file, size, &received).await;
    received.finish_and_clear();
    let checked = written.and_then(|(n, sha)| {
        if n != size || sha != expected {
            Err(CliError::new(
                1,
                format!("the backup arrived damaged ({n} of {size} bytes, SHA-256 {sha}, expected {expected})"),
            ))
        } else {
            file.sync_all()
                .map_err(|e| CliError::new(1, format!("cannot write {}: {e}", partial.display())))
        }
    });
    if let Err(e) = checked.and_then(|_| {
        std::fs::rename(&partial, output)
            .map_err(|e| CliError::new(1, format!("cannot write {}: {e}", output.display())))
    }) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    Ok(status)
}

async fn receive(
    client: &Client,
    id: &str,
    file: &mut std::fs::File,
    size: u64,
    bar: &indicatif::ProgressBar,
) -> CliResult<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut offset = 0u64;
    loop {
        let chunk = call!(client, backup_read(id.to_string(), offset, BACKUP_CHUNK_BYTES))?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(chunk.data.as_bytes())
            .map_err(|e| CliError::new(1, format!("mosaicd sent a damaged chunk: {e}")))?;
        hasher.update(&data);
        file.write_all(&data)
            .map_err(|e| CliError::new(1, format!("cannot write the backup: {e}")))?;
        offset += data.len() as u64;
        bar.set_position(offset);
        if chunk.last || data.is_empty() || offset >= size {
            break;
        }
    }
    Ok((offset, hex::encode(hasher.finalize())))
}

/// `FILE.partial` beside `FILE`.
fn partial_name(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// A bar on stderr (hidden when stderr is not a terminal).
fn progress_bar(template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .expect("valid template")
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
