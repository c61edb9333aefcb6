//! Online backup (`mosaicctl admin backup`) of the real daemon while real writes go on over HTTP,
//! and `mosaicd restore`: its refusals (daemon running, newer schema, wrong or missing key) and
//! the migration of an older backup. PostgreSQL: pg_dump, or the exact command without it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use libtest_mimic::Trial;
use mosaic_tests::daemon::Out;
use mosaic_tests::http::Auth;
use mosaic_tests::{DaemonOptions, bins, postgres, trial};
use mosaicd::store::q;
use serde_json::json;

use crate::foundation::new_identity;
use crate::http::{Backend, PASSWORD, World};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "backup::sqlite_online_under_writes_and_restore",
            sqlite_online_and_restore,
        ),
        trial(
            "backup::restore_refusals_and_older_schema",
            restore_refusals_and_older_schema,
        ),
        trial("backup::postgres_pg_dump", postgres_pg_dump),
    ]
}

/// Runs `mosaicd ARGS` (the restore subcommand) to completion.
fn mosaicd(args: &[&str], env: &[(&str, &str)]) -> Out {
    let out = Command::new(bins::mosaicd())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("MOSAIC_SECRET_KEY")
        .env_remove("MOSAIC_CONFIG")
        .envs(env.iter().copied())
        .output()
        .expect("run mosaicd");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Invited users in a SQLite file (the writes of the test's concurrent writer).
fn invited_in(path: &Path) -> i64 {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("SELECT count(*) FROM users WHERE email LIKE 'writer-%'", [], |r| {
        r.get(0)
    })
    .unwrap()
}

/// Makes the database large enough (~17 MB) that a backup takes many steps.
async fn bulk(w: &World) {
    let db = w.db().await;
    let pad = "x".repeat(1000);
    let mut tx = db.begin().await.unwrap();
    for i in 0..15_000 {
        tx.ex()
            .execute(
                q("INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ($1, $2, 'test', 'bulk', NULL, $3)")
                    .bind(format!("bulk-{i}"))
                    .bind(i as i64)
                    .bind(format!("{{\"pad\":\"{pad}\"}}")),
            )
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db.close().await;
}

async fn sqlite_online_and_restore() {
    let mut w = World::start(Backend::Sqlite).await;
    bulk(&w).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mosaic-backup.db");

    // A writer invites users over HTTP as fast as it can while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (api, admin, stop, written) = (w.api.clone(), w.admin.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed);
                let email = format!("writer-{n}@example.com");
                api.post(
                    "/api/admin/users/invite",
                    Auth::Session(&admin),
                    &json!({ "email": email }),
                )
                .await
                .expect(201);
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = written.load(Ordering::Relaxed);
    let daemon_socket = w.daemon.socket.clone();
    let out_arg = out.to_str().unwrap().to_string();
    let result = tokio::task::spawn_blocking(move || {
        mosaic_tests::daemon::ctl_command(
            {
                let mut c = Command::new(bins::mosaicctl());
                c.arg("--socket")
                    .arg(&daemon_socket)
                    .args(["admin", "backup", "--output", &out_arg]);
                c
            },
            None,
            None,
        )
    })
    .await
    .unwrap();
    let during = written.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let text = result.ok().to_string();
    assert!(during > 0, "no write went on during the backup");
    assert!(
        text.contains("integrity check ok") && text.contains("schema version"),
        "{text}"
    );
    assert!(text.contains("secret.key"), "the key file is named: {text}");
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    // A consistent snapshot: the users invited before it, not all invited after.
    let total = written.load(Ordering::Relaxed) as i64;
    let in_backup = invited_in(&out);
    assert!(
        in_backup >= before as i64 && in_backup <= total,
        "{before} <= {in_backup} <= {total}"
    );
    let c = rusqlite::Connection::open(&out).unwrap();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(c);
    // Nothing of it is left in the daemon's data directory.
    let left = std::fs::read_dir(w.daemon.data_dir.join("backups"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 0);
    // --json, and an existing file is not overwritten.
    w.daemon
        .ctl(&["admin", "backup", "--output", out.to_str().unwrap()])
        .fails(7, "exists");
    let status = w
        .daemon
        .ctl(&[
            "admin",
            "backup",
            "--output",
            out.to_str().unwrap(),
            "--force",
            "--json",
        ])
        .json();
    assert_eq!(status["state"], "ready");
    assert!(status["pagesTotal"].as_u64().unwrap() > 1000);
    assert_eq!(status["pagesCopied"], status["pagesTotal"]);
    assert_eq!(status["sha256"].as_str().unwrap().len(), 64);
    let restored_users = invited_in(&out);

    // Restore refuses while the daemon runs.
    let data_dir = w.daemon.data_dir.to_str().unwrap().to_string();
    let refused = mosaicd(&["restore", out.to_str().unwrap(), "--data-dir", &data_dir], &[]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("stop it before restoring"), "{refused:?}");

    // Stopped, it puts the backup back and keeps what it replaced.
    w.daemon.stop();
    let done = mosaicd(&["restore", out.to_str().unwrap(), "--data-dir", &data_dir], &[]);
    assert_eq!(done.code, 0, "{done:?}");
    assert!(done.stdout.contains("kept as"), "{done:?}");
    let kept: Vec<_> = std::fs::read_dir(&w.daemon.data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("mosaic.db.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(invited_in(&w.daemon.data_dir.join("mosaic.db")), restored_users);
    w.daemon.restart();
    let admin = w.api.login("admin", PASSWORD).await;
    let users = w
        .api
        .get("/api/admin/users?limit=1", Auth::Session(&admin))
        .await
        .expect(200);
    // The writers, the admin.
    assert_eq!(users["meta"]["total"].as_i64().unwrap(), restored_users + 1);
}

async fn restore_refusals_and_older_schema() {
    let mut w = World::start(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("b.db");
    w.daemon
        .ctl(&["admin", "backup", "--output", backup.to_str().unwrap()])
        .ok();
    w.daemon.stop();
    let data_dir = w.daemon.data_dir.to_str().unwrap().to_string();
    let restore =
        |file: &Path, env: &[(&str, &str)]| mosaicd(&["restore", file.to_str().unwrap(), "--data-dir", &data_dir], env);

    // Not a database.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "hello").unwrap();
    let out = restore(&junk, &[]);
    assert!(
        out.code == 1 && out.stderr.contains("not a Mosaic SQLite database"),
        "{out:?}"
    );

    // From a newer mosaicd.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    let c = rusqlite::Connection::open(&newer).unwrap();
    c.execute(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (99991231000000, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        [],
    )
    .unwrap();
    drop(c);
    let out = restore(&newer, &[]);
    assert!(
        out.code == 1 && out.stderr.contains("newer than this mosaicd"),
        "{out:?}"
    );

    // A key that does not open the backup's secrets, and no key at all.
    let out = restore(&backup, &[("MOSAIC_SECRET_KEY", &new_identity())]);
    assert!(out.code == 1 && out.stderr.contains("put back the key file"), "{out:?}");
    let key = w.daemon.data_dir.join("secret.key");
    let aside = dir.path().join("secret.key");
    std::fs::rename(&key, &aside).unwrap();
    let out = restore(&backup, &[]);
    assert!(out.code == 1 && out.stderr.contains("no secret key"), "{out:?}");
    assert!(!key.exists(), "restore must not generate a key");
    std::fs::rename(&aside, &key).unwrap();

    // From an older mosaicd: the schema before usage figures existed.
    let older = dir.path().join("older.db");
    std::fs::copy(&backup, &older).unwrap();
    let c = rusqlite::Connection::open(&older).unwrap();
    c.execute_batch(
        "DROP INDEX user_container_listed; DROP INDEX user_container_status; DROP INDEX system_container_status;
         DROP INDEX users_listed; DROP TABLE usage_daily; DROP TABLE container_activity;
         ALTER TABLE user_container DROP COLUMN node; ALTER TABLE system_container DROP COLUMN node;
         DELETE FROM _sqlx_migrations WHERE version >= 20261205000100;",
    )
    .unwrap();
    drop(c);
    let out = restore(&older, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let latest = mosaicd::store::known_migrations(mosaicd::store::Backend::Sqlite)
        .into_iter()
        .max()
        .unwrap();
    assert!(out.stdout.contains(&format!("migrated to {latest}")), "{out:?}");
    w.daemon.restart();
    let admin = w.api.login("admin", PASSWORD).await;
    w.api.get("/api/admin/usage", Auth::Session(&admin)).await.expect(200);
    // Every refusal left the data directory as it was: one kept database, from the one restore.
    let kept = std::fs::read_dir(&w.daemon.data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .count();
    assert_eq!(kept, 1);
    let staged = std::fs::read_dir(&w.daemon.data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mosaic-restore"))
        .count();
    assert_eq!(staged, 0);
}

async fn postgres_pg_dump() {
    let server = postgres::server();
    let (_, url) = server.create_database();
    // The harness's server trusts loopback; the password is there to be kept out of sight.
    let url = url.replace("postgres@", "postgres:hunter2-canary@");
    let w = World::start_with(Backend::Sqlite, DaemonOptions::default().env("DATABASE_URL", &url)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mosaic.dump");
    let text = w
        .daemon
        .ctl(&["admin", "backup", "--output", out.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(text.contains("pg_restore --list reads it"), "{text}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PGDMP"), "not a pg_dump custom archive");
    assert!(!text.contains("hunter2-canary"));

    // Without pg_dump on the daemon's host: the command to run, without the password.
    let empty = tempfile::tempdir().unwrap();
    let mut options = w.daemon.options.clone();
    options = options.env("PATH", empty.path().to_str().unwrap());
    let mut daemon = w.daemon;
    daemon.restart_with(options).expect("restart");
    let out = daemon.ctl(&["admin", "backup", "--output", dir.path().join("x").to_str().unwrap()]);
    out.fails(8, "pg_dump is not installed");
    assert!(
        out.stderr
            .contains("pg_dump --format=custom --file=mosaic.dump 'postgres://postgres@127.0.0.1:")
    );
    assert!(!out.stderr.contains("hunter2-canary"));
    assert!(!daemon.log().contains("hunter2-canary"));
    let refused = mosaicd(&["restore", "/dev/null"], &[("DATABASE_URL", &url)]);
    assert!(
        refused.stderr.contains("pg_restore") && !refused.stderr.contains("hunter2-canary"),
        "{refused:?}"
    );
}
