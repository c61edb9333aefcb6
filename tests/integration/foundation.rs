//! The foundation, through the real binaries: first start, both database backends, the secret
//! key, breakglass over the admin socket, socket hygiene, peer credentials, the handshake,
//! garbage on the socket, key rotation and shutdown.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use libtest_mimic::Trial;
use mosaic_shared::handshake::{Hello, HelloReply};
use mosaic_tests::daemon::{ctl_command, wait_for_path};
use mosaic_tests::pty::Pty;
use mosaic_tests::{Daemon, DaemonOptions, bins, ci, postgres, trial};
use mosaicd::secrets::{Binding, KeySource, Keyring};
use mosaicd::store::{Db, providers};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "foundation::first_start_uses_embedded_defaults",
            first_start_uses_embedded_defaults,
        ),
        trial("foundation::postgres_from_environment", postgres_from_environment),
        trial(
            "foundation::key_file_readable_by_others_is_refused",
            key_file_readable_by_others_is_refused,
        ),
        trial(
            "foundation::wrong_or_malformed_key_is_refused",
            wrong_or_malformed_key_is_refused,
        ),
        trial("foundation::refused_start_writes_nothing", refused_start_writes_nothing),
        trial(
            "foundation::tampered_key_check_is_refused",
            tampered_key_check_is_refused,
        ),
        trial("foundation::breakglass_over_the_socket", breakglass_over_the_socket),
        trial(
            "foundation::breakglass_interactive_prompt",
            breakglass_interactive_prompt,
        ),
        trial("foundation::peer_credentials_are_checked", peer_credentials_are_checked),
        trial("foundation::stale_and_live_sockets", stale_and_live_sockets),
        trial(
            "foundation::version_mismatch_is_explained",
            version_mismatch_is_explained,
        ),
        trial(
            "foundation::garbage_on_the_socket_closes_only_that_connection",
            garbage_on_the_socket,
        ),
        trial("foundation::random_frames_on_the_socket", random_frames_on_the_socket),
        trial("foundation::key_rotation_with_key_file", key_rotation_with_key_file),
        trial(
            "foundation::key_rotation_with_environment_key",
            key_rotation_with_environment_key,
        ),
        trial("foundation::graceful_shutdown", graceful_shutdown),
        trial(
            "foundation::bad_configuration_is_explained",
            bad_configuration_is_explained,
        ),
    ]
}

const PASSWORD: &str = "correct horse battery";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn new_identity() -> String {
    use age::secrecy::ExposeSecret;
    age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_string()
}

/// Opens the daemon's SQLite database from the test, beside the running daemon.
async fn open_sqlite(daemon: &Daemon) -> Db {
    Db::open(None, &daemon.data_dir)
        .await
        .expect("open the daemon's database")
}

async fn first_start_uses_embedded_defaults() {
    let mut daemon = Daemon::start();
    let key_file = daemon.data_dir.join("secret.key");
    let log = daemon.log();
    assert!(log.contains("generated a new secret key"), "{log}");
    assert!(log.contains(&key_file.display().to_string()), "{log}");
    assert!(log.contains("database ready") && log.contains("mosaic.db"), "{log}");
    assert_eq!(log.matches("mosaicd ready").count(), 1, "{log}");
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(mode(&daemon.data_dir), 0o700);
    assert_eq!(mode(&daemon.data_dir.join("mosaic.db")), 0o600);

    let status = daemon.ctl(&["status", "--json"]).json();
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["database"]["backend"], "sqlite");
    assert_eq!(status["onboardingComplete"], false);
    assert_eq!(
        status["counts"],
        serde_json::json!({"users": 0, "providers": 0, "runningContainers": 0})
    );
    let human = daemon.ctl(&["status"]);
    assert!(
        human.ok().contains("sqlite") && human.stdout.contains("running containers"),
        "{human:?}"
    );

    // The second start reuses the key instead of generating another.
    let key = std::fs::read_to_string(&key_file).unwrap();
    daemon.restart();
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    assert!(daemon.log().contains("secret key loaded"));
}

async fn postgres_from_environment() {
    let pg = postgres::server();
    let (name, url) = pg.create_database();
    // PostgreSQL here trusts loopback, so the password is never checked: it is a canary that
    // must not appear anywhere the daemon writes.
    let url = url.replace("postgres@", "postgres:pw-canary-7731@");
    let daemon = Daemon::start_with(
        DaemonOptions::default()
            .env("DATABASE_URL", &url)
            .env("MOSAIC_SECRET_KEY", new_identity()),
    );
    assert!(
        !daemon.data_dir.join("secret.key").exists(),
        "no key file when the key comes from the environment"
    );
    assert!(
        !daemon.data_dir.join("mosaic.db").exists(),
        "no SQLite file with DATABASE_URL"
    );
    let status = daemon.ctl(&["status", "--json"]);
    let json = status.json();
    assert_eq!(json["database"]["backend"], "postgres");
    assert!(json["database"]["location"].as_str().unwrap().ends_with(&name));

    daemon
        .ctl_stdin(
            &["admin", "create-breakglass", "--username", "admin", "--password-stdin"],
            PASSWORD,
        )
        .ok();
    assert_eq!(pg.sql(&name, "SELECT count(*) FROM breakglass_user"), "1");
    assert_eq!(
        pg.sql(
            &name,
            "SELECT count(*) FROM breakglass_user WHERE password_hash LIKE '$argon2id$v=19$%'"
        ),
        "1"
    );
    assert_eq!(daemon.ctl(&["status", "--json"]).json()["counts"]["users"], 1);
    for text in [daemon.log(), status.stdout.clone(), status.stderr.clone()] {
        assert!(!text.contains("pw-canary-7731"), "database password leaked: {text}");
    }
}

async fn key_file_readable_by_others_is_refused() {
    let mut daemon = Daemon::start();
    daemon.stop();
    let key_file = daemon.data_dir.join("secret.key");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (status, log) = daemon
        .restart_with(daemon.options.clone())
        .expect_err("must refuse the key file");
    assert_eq!(status.and_then(|s| s.code()), Some(1));
    assert!(
        log.contains("accessible by group or others (mode 0640)") && log.contains("chmod 600"),
        "{log}"
    );
}

async fn wrong_or_malformed_key_is_refused() {
    let mut daemon = Daemon::start();
    daemon.stop();
    let key_file = daemon.data_dir.join("secret.key");
    std::fs::remove_file(&key_file).unwrap();
    let other = new_identity();
    std::fs::write(&key_file, format!("{other}\n")).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_, log) = daemon
        .restart_with(daemon.options.clone())
        .expect_err("must refuse a foreign key");
    assert!(log.contains("cannot open this database's secrets"), "{log}");

    let malformed = DaemonOptions::default().env("MOSAIC_SECRET_KEY", "AGE-SECRET-KEY-1CANARYNOTAKEY");
    let (_, log) = daemon.restart_with(malformed).expect_err("must refuse a malformed key");
    assert!(
        log.contains("MOSAIC_SECRET_KEY") && log.contains("not an age X25519 identity"),
        "{log}"
    );
    assert!(!log.contains("CANARYNOTAKEY"), "the key was echoed: {log}");
}

/// What a start could write: the data directory's listing, the key file, `system_config`.
async fn snapshot(daemon: &Daemon) -> (Vec<String>, String, Vec<(String, String)>) {
    let db = open_sqlite(daemon).await;
    let rows: Vec<(String, String)> = db
        .all(mosaicd::store::q("SELECT key, value FROM system_config ORDER BY key"))
        .await
        .unwrap();
    db.close().await;
    // Listed after the test's own connection closed, so that its SQLite files are the same each time.
    let mut names: Vec<String> = std::fs::read_dir(&daemon.data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let key = std::fs::read_to_string(daemon.data_dir.join("secret.key")).unwrap_or_default();
    (names, key, rows)
}

/// A start that is refused writes nothing: not another instance name with a wrong key, not a
/// new key file beside a database whose secrets need the old one.
async fn refused_start_writes_nothing() {
    let mut daemon = Daemon::start();
    daemon.stop();
    let before = snapshot(&daemon).await;
    assert!(before.2.iter().any(|(k, _)| k == "containers.instance"), "{before:?}");

    let wrong = DaemonOptions::default()
        .env("MOSAIC_SECRET_KEY", new_identity())
        .env("MOSAIC_INSTANCE", "elsewhere");
    let (_, log) = daemon.restart_with(wrong).expect_err("must refuse a wrong key");
    assert!(log.contains("cannot open this database's secrets"), "{log}");
    assert_eq!(snapshot(&daemon).await, before, "a refused start changed things");

    let key_file = daemon.data_dir.join("secret.key");
    let aside = daemon.dir.path().join("secret.key.aside");
    std::fs::rename(&key_file, &aside).unwrap();
    let (_, log) = daemon
        .restart_with(DaemonOptions::default())
        .expect_err("must refuse to generate a key beside a database with secrets");
    assert!(
        log.contains("no secret key") && log.contains(&key_file.display().to_string()),
        "{log}"
    );
    assert!(!key_file.exists(), "a refused start generated a key file");
    std::fs::rename(&aside, &key_file).unwrap();
    assert_eq!(snapshot(&daemon).await, before, "a refused start changed things");
    daemon
        .restart_with(DaemonOptions::default())
        .expect("the right key starts");
}

async fn tampered_key_check_is_refused() {
    let mut daemon = Daemon::start();
    daemon.stop();
    let db = open_sqlite(&daemon).await;
    let (value,): (String,) = db
        .one(mosaicd::store::q(
            "SELECT value FROM system_config WHERE key = 'secrets.key_check'",
        ))
        .await
        .unwrap();
    let tampered = flip_last_byte(&value);
    db.execute(mosaicd::store::q("UPDATE system_config SET value = $1 WHERE key = 'secrets.key_check'").bind(tampered))
        .await
        .unwrap();
    db.close().await;
    let (_, log) = daemon.restart_with(daemon.options.clone()).expect_err("must refuse");
    assert!(log.contains("was altered"), "{log}");
}

/// Flips one bit of the ciphertext inside an `enc:v1:<id>:<base64>` value.
pub fn flip_last_byte(stored: &str) -> String {
    use base64::Engine;
    let (head, body) = stored.rsplit_once(':').unwrap();
    let mut raw = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x01;
    format!("{head}:{}", base64::engine::general_purpose::STANDARD.encode(raw))
}

async fn breakglass_over_the_socket() {
    let daemon = Daemon::start();
    let create = ["admin", "create-breakglass", "--username", "admin", "--password-stdin"];
    let out = daemon.ctl_stdin(&create, &format!("{PASSWORD}\n"));
    assert!(out.ok().contains("Created breakglass admin 'admin'"), "{out:?}");
    assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));

    daemon
        .ctl_stdin(&create, PASSWORD)
        .fails(7, "breakglass user 'admin' already exists");
    daemon
        .ctl_stdin(
            &["admin", "create-breakglass", "--username", "ops", "--password-stdin"],
            "short1!",
        )
        .fails(5, "password too short");
    daemon
        .ctl_stdin(
            &[
                "admin",
                "create-breakglass",
                "--username",
                "bad name",
                "--password-stdin",
            ],
            PASSWORD,
        )
        .fails(5, "invalid username");
    daemon
        .ctl(&["admin", "create-breakglass", "--username", "ops"])
        .fails(5, "pass --password-stdin");
    daemon
        .ctl(&["admin", "create-breakglass"])
        .fails(5, "--username is required");

    let list = daemon.ctl(&["admin", "list-breakglass", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["username"], "admin");
    assert!(list[0].get("passwordHash").is_none());

    let reset = ["admin", "reset-breakglass", "--username", "admin", "--password-stdin"];
    daemon.ctl_stdin(&reset, "another good pass 1").ok();
    daemon
        .ctl_stdin(
            &["admin", "reset-breakglass", "--username", "nobody", "--password-stdin"],
            PASSWORD,
        )
        .fails(4, "no breakglass user named 'nobody'");

    let db = open_sqlite(&daemon).await;
    let (hash,): (String,) = db
        .one(mosaicd::store::q(
            "SELECT password_hash FROM breakglass_user WHERE username = 'admin'",
        ))
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    let hasher = mosaicd::auth::password::PasswordHasher::new(1);
    assert!(hasher.verify("another good pass 1", &hash).await.unwrap());
    assert!(!hasher.verify(PASSWORD, &hash).await.unwrap());
    let audit: Vec<(String,)> = db
        .all(mosaicd::store::q(
            "SELECT action FROM audit_log WHERE action LIKE 'breakglass.%' ORDER BY at",
        ))
        .await
        .unwrap();
    assert_eq!(
        audit,
        vec![("breakglass.create".to_string(),), ("breakglass.reset".to_string(),)]
    );
    assert!(!daemon.log().contains(PASSWORD));
}

async fn breakglass_interactive_prompt() {
    let daemon = Daemon::start();
    let mut command = Command::new(bins::mosaicctl());
    command
        .arg("--socket")
        .arg(&daemon.socket)
        .args(["admin", "create-breakglass"]);
    let mut pty = Pty::spawn(command);
    pty.expect("Breakglass username");
    pty.send_line("ops");
    pty.expect("Password rule: at least 12 characters");
    pty.expect("Password");
    pty.send_line("short");
    pty.expect("password too short");
    pty.expect("Password");
    pty.send_line(PASSWORD);
    pty.expect("Repeat password");
    pty.send_line("correct horse batterx");
    pty.expect("do not match");
    pty.expect("Password");
    pty.send_line(PASSWORD);
    pty.expect("Repeat password");
    pty.send_line(PASSWORD);
    pty.expect("Created breakglass admin 'ops'.");
    let (status, transcript) = pty.finish();
    assert!(status.success(), "{transcript}");
    assert!(!transcript.contains(PASSWORD), "the password was echoed:\n{transcript}");
}

async fn peer_credentials_are_checked() {
    ci::require_root();
    // Default: only the daemon's user (root here) may connect, and the socket says so.
    let top = tempfile::tempdir().unwrap();
    let plain = Daemon::start_with(DaemonOptions {
        socket: Some(top.path().join("run").join("mosaicd.sock")),
        ..Default::default()
    });
    assert_eq!(mode(&plain.socket), 0o600);
    assert_eq!(mode(plain.socket.parent().unwrap()), 0o700);
    drop(plain);

    let group = nix::unistd::Group::from_name("users")
        .unwrap()
        .expect("group 'users' exists");
    let gid = group.gid.as_raw();
    // The daemon creates the socket's directory itself, as it does for /run/mosaic.
    let top = tempfile::tempdir().unwrap();
    std::fs::set_permissions(top.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = top.path().join("run").join("mosaicd.sock");
    let daemon = Daemon::start_with(DaemonOptions {
        socket: Some(socket.clone()),
        ..DaemonOptions::default().arg("--admin-group").arg("users")
    });
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&socket).unwrap();
    assert_eq!((meta.mode() & 0o777, meta.gid()), (0o660, gid));
    let dir = std::fs::metadata(socket.parent().unwrap()).unwrap();
    assert_eq!((dir.mode() & 0o777, dir.gid()), (0o750, gid));

    let nobody = 65534;
    // The filesystem lets this process in (supplementary group), but the kernel-reported peer
    // credentials show a uid that is neither root, the daemon's uid nor in the admin group.
    let refused = daemon.ctl_as(&["status"], None, Some((nobody, nobody, vec![gid])));
    refused.fails(
        6,
        &format!("permission denied: uid {nobody} may not administer mosaicd"),
    );
    assert!(refused.stderr.contains("members of group 'users'"), "{refused:?}");
    assert!(daemon.log().contains("connection refused"));

    // A member of the admin group (primary gid) is let in.
    let allowed = daemon.ctl_as(&["status", "--json"], None, Some((nobody, gid, vec![gid])));
    assert_eq!(allowed.json()["database"]["backend"], "sqlite");
}

async fn stale_and_live_sockets() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("mosaicd.sock");
    // A socket file with no listener: what a crashed daemon leaves.
    drop(UnixListener::bind(&socket).unwrap());
    assert!(socket.exists());
    let daemon = Daemon::start_with(DaemonOptions {
        socket: Some(socket.clone()),
        ..Default::default()
    });
    assert!(daemon.log().contains("removing stale socket"), "{}", daemon.log());
    daemon.ctl(&["status"]).ok();

    // A second daemon on the live socket refuses to start and leaves the first alone.
    let second = Daemon::try_start(DaemonOptions {
        socket: Some(socket.clone()),
        ..Default::default()
    });
    let (_, log) = second.err().expect("second daemon must refuse");
    assert!(
        log.contains(&format!(
            "another mosaicd is already running on socket {}",
            socket.display()
        )),
        "{log}"
    );
    daemon.ctl(&["status"]).ok();
    drop(daemon);

    // Something that is not a socket is never deleted.
    let file = dir.path().join("not-a-socket");
    std::fs::write(&file, "precious").unwrap();
    let third = Daemon::try_start(DaemonOptions {
        socket: Some(file.clone()),
        ..Default::default()
    });
    let (_, log) = third.err().expect("must refuse a regular file");
    assert!(
        log.contains("exists and is not a socket; refusing to replace it"),
        "{log}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
}

fn write_frame(stream: &mut UnixStream, bytes: &[u8]) {
    stream.write_all(&(bytes.len() as u32).to_be_bytes()).unwrap();
    stream.write_all(bytes).unwrap();
}

fn read_frame(stream: &mut UnixStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).ok()?;
    Some(body)
}

fn hello(stream: &mut UnixStream, protocol: u32) -> HelloReply {
    let hello = Hello {
        protocol,
        client_version: "9.9.9".into(),
    };
    write_frame(stream, &serde_json::to_vec(&hello).unwrap());
    serde_json::from_slice(&read_frame(stream).expect("handshake reply")).unwrap()
}

/// Reads until the daemon closes the connection; true if it did within the limit.
fn closed_by_peer(stream: &mut UnixStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

async fn version_mismatch_is_explained() {
    // The daemon's side: a client speaking another protocol is told which versions meet.
    let daemon = Daemon::start();
    let mut stream = UnixStream::connect(&daemon.socket).unwrap();
    let reply = hello(&mut stream, 999);
    assert_eq!(
        reply,
        HelloReply::VersionMismatch {
            daemon_version: env!("CARGO_PKG_VERSION").into(),
            protocol: mosaic_shared::PROTOCOL_VERSION
        }
    );
    assert!(closed_by_peer(&mut stream, Duration::from_secs(5)));
    assert!(
        daemon.log().contains("client is version 9.9.9 (protocol 999)"),
        "{}",
        daemon.log()
    );

    // The client's side: mosaicctl against a daemon from another release.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("future.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let _hello = read_frame(&mut conn).unwrap();
        let reply = HelloReply::VersionMismatch {
            daemon_version: "9.9.9".into(),
            protocol: 999,
        };
        write_frame(&mut conn, &serde_json::to_vec(&reply).unwrap());
    });
    let mut command = Command::new(bins::mosaicctl());
    command.arg("--socket").arg(&socket).arg("status");
    let out = ctl_command(command, None, None);
    out.fails(
        6,
        &format!(
            "daemon is version 9.9.9 (protocol 999), client is version {} (protocol {})",
            env!("CARGO_PKG_VERSION"),
            mosaic_shared::PROTOCOL_VERSION
        ),
    );
    server.join().unwrap();
}

async fn garbage_on_the_socket() {
    let daemon = Daemon::start();
    // A connection that never says hello does not block anyone, and is dropped after a while.
    let mut silent = UnixStream::connect(&daemon.socket).unwrap();
    daemon.ctl(&["status"]).ok();

    // A frame length far over the limit.
    let mut huge = UnixStream::connect(&daemon.socket).unwrap();
    // The daemon may hang up as soon as it has read the length, so later writes can fail.
    let _ = huge
        .write_all(&u32::MAX.to_be_bytes())
        .and_then(|_| huge.write_all(b"garbage"));
    assert!(
        closed_by_peer(&mut huge, Duration::from_secs(5)),
        "oversized frame not closed"
    );

    // Random bytes instead of a handshake.
    let mut noise = UnixStream::connect(&daemon.socket).unwrap();
    noise
        .write_all(&[0, 0, 0, 9, 0xff, 0xfe, 0x00, 0x01, 0x02, 0x7b, 0x7b, 0x7d, 0x00])
        .unwrap();
    assert!(
        closed_by_peer(&mut noise, Duration::from_secs(5)),
        "garbage handshake not closed"
    );

    // A good handshake followed by frames that are not RPC requests.
    let mut rude = UnixStream::connect(&daemon.socket).unwrap();
    assert!(matches!(
        hello(&mut rude, mosaic_shared::PROTOCOL_VERSION),
        HelloReply::Accepted { .. }
    ));
    let frame = b"{\"this is\": not json";
    let _ = rude
        .write_all(&(frame.len() as u32).to_be_bytes())
        .and_then(|_| rude.write_all(frame));
    assert!(
        closed_by_peer(&mut rude, Duration::from_secs(5)),
        "garbage RPC frame not closed"
    );

    assert!(
        closed_by_peer(&mut silent, Duration::from_secs(10)),
        "silent connection never closed"
    );
    // Nothing else was affected.
    let status = daemon.ctl(&["status", "--json"]).json();
    assert_eq!(status["database"]["backend"], "sqlite");
}

/// A random JSON value, a few levels deep: the shapes a confused or hostile client might send.
fn random_json(rng: &mut impl rand::Rng, depth: u32) -> serde_json::Value {
    use serde_json::Value;
    let words = [
        "Request", "Cancel", "context", "id", "message", "deadline", "status", "protocol", "",
    ];
    match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => serde_json::json!(rng.random::<i64>()),
        3 => serde_json::json!(rng.random::<f64>() * 1e12),
        4 => Value::String(if rng.random() {
            words[rng.random_range(0..words.len())].to_string()
        } else {
            (0..rng.random_range(0..40)).map(|_| rng.random::<char>()).collect()
        }),
        5 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.random_range(0..4))
                .map(|_| {
                    let key = words[rng.random_range(0..words.len())].to_string();
                    (key, random_json(rng, depth - 1))
                })
                .collect(),
        ),
    }
}

/// Random frames at both stages of a connection (instead of the handshake, and after a good one):
/// random bytes, flipped bits of a real handshake, random JSON, random frame lengths. Each connection
/// is answered or closed, the daemon never panics, and it keeps serving. The seed is printed so a
/// failure can be replayed (`MOSAIC_FUZZ_SEED`).
async fn random_frames_on_the_socket() {
    use rand::{Rng, SeedableRng};
    let daemon = Daemon::start();
    let seed = std::env::var("MOSAIC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("random_frames_on_the_socket: seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let good_hello = serde_json::to_vec(&Hello {
        protocol: mosaic_shared::PROTOCOL_VERSION,
        client_version: "9.9.9".into(),
    })
    .unwrap();
    for round in 0..150 {
        let after_handshake = round % 2 == 1;
        let body: Vec<u8> = match rng.random_range(0..3) {
            0 => (0..rng.random_range(0..300)).map(|_| rng.random()).collect(),
            1 => {
                let mut bytes = good_hello.clone();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] ^= 1 << rng.random_range(0..8);
                }
                bytes
            }
            _ => serde_json::to_vec(&random_json(&mut rng, 4)).unwrap(),
        };
        let mut stream = UnixStream::connect(&daemon.socket).unwrap();
        if after_handshake {
            assert!(matches!(
                hello(&mut stream, mosaic_shared::PROTOCOL_VERSION),
                HelloReply::Accepted { .. }
            ));
        }
        // Mostly the true length; sometimes a wrong one, shorter or longer than what follows.
        let length = match rng.random_range(0..6) {
            0 => rng.random::<u32>(),
            1 => (body.len() as u32).saturating_sub(1),
            _ => body.len() as u32,
        };
        let _ = stream
            .write_all(&length.to_be_bytes())
            .and_then(|_| stream.write_all(&body));
        let _ = stream.shutdown(std::net::Shutdown::Write);
        assert!(
            closed_by_peer(&mut stream, Duration::from_secs(15)),
            "round {round} (seed {seed}): the daemon neither answered nor closed the connection"
        );
    }
    let log = daemon.log();
    assert!(!log.contains("panicked"), "seed {seed}: the daemon panicked:\n{log}");
    let status = daemon.ctl(&["status", "--json"]).json();
    assert_eq!(status["database"]["backend"], "sqlite");
}

/// Puts `n` providers with encrypted API keys straight into the daemon's database.
async fn seed_provider_secrets(db: &Db, ring: &Keyring, n: usize) -> Vec<(String, String)> {
    let mut seeded = Vec::new();
    for i in 0..n {
        let id = providers::new_provider_id();
        let key = format!("sk-canary-{i}-{}", uuid_ish());
        let fields = providers::ProviderFields {
            name: format!("p{i}"),
            display_name: format!("Provider {i}"),
            kind: mosaic_shared::types::ProviderType::Openai,
            base_url: Some("https://api.example.test/v1".into()),
            api_key: Some(
                ring.encrypt(&Binding::new("llm_provider", id.clone(), "api_key"), &key)
                    .unwrap(),
            ),
            api_key_hint: None,
            api_type: "openai-completions".into(),
            models: "[]".into(),
            is_active: true,
        };
        providers::insert(&mut db.ex(), &providers::Owner::System, &id, &fields)
            .await
            .unwrap();
        seeded.push((id, key));
    }
    seeded
}

fn uuid_ish() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Every provider key decrypts to what was seeded, under the given keyring and key id.
async fn assert_secrets_under(db: &Db, ring: &Keyring, seeded: &[(String, String)]) {
    for (id, key) in seeded {
        let row = providers::get(&mut db.ex(), &providers::Owner::System, id)
            .await
            .unwrap()
            .unwrap();
        let stored = row.api_key.unwrap();
        assert_eq!(Keyring::key_id_of(&stored), Some(ring.current_id().as_str()));
        assert_eq!(
            ring.decrypt(&Binding::new("llm_provider", id.clone(), "api_key"), &stored)
                .unwrap(),
            *key
        );
    }
}

async fn key_rotation_with_key_file() {
    let mut daemon = Daemon::start();
    let key_file = daemon.data_dir.join("secret.key");
    let (ring, _) = mosaicd::secrets::load(None, &key_file).unwrap();
    let old_id = ring.current_id();
    let db = open_sqlite(&daemon).await;
    let seeded = seed_provider_secrets(&db, &ring, 20).await;

    // The daemon keeps answering while it rotates.
    let socket = daemon.socket.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poller = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut calls = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut command = Command::new(bins::mosaicctl());
                command.arg("--socket").arg(&socket).arg("status");
                let out = ctl_command(command, None, None);
                assert_eq!(out.code, 0, "status failed during rotation: {out:?}");
                calls += 1;
            }
            calls
        })
    };
    let report = daemon.ctl(&["admin", "rotate-key", "--json"]).json();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(poller.join().unwrap() >= 1);

    // 20 provider keys and the key check value.
    assert_eq!(report["reencrypted"], 21);
    assert_eq!(report["retiredKeyIds"], serde_json::json!([old_id]));
    assert_eq!(report["keyFile"], key_file.display().to_string());
    let new_id = report["newKeyId"].as_str().unwrap().to_string();
    assert_ne!(new_id, old_id);
    assert_eq!(mode(&key_file), 0o600);
    let (new_ring, _) = mosaicd::secrets::load(None, &key_file).unwrap();
    assert_eq!(new_ring.key_ids(), vec![new_id.clone()], "old key kept in the key file");
    assert_secrets_under(&db, &new_ring, &seeded).await;
    assert!(!daemon.log().contains("sk-canary-"), "a secret reached the log");

    // A human-readable run reports the count too, and the daemon restarts on the new key.
    let human = daemon.ctl(&["admin", "rotate-key"]);
    assert!(
        human.ok().contains("Re-encrypted 21 stored secrets under key"),
        "{human:?}"
    );
    daemon.restart();
    daemon.ctl(&["status"]).ok();
}

async fn key_rotation_with_environment_key() {
    let old_key = new_identity();
    let mut daemon = Daemon::start_with(DaemonOptions::default().env("MOSAIC_SECRET_KEY", &old_key));
    let old_ring = Keyring::new(mosaicd::secrets::parse_keys(&old_key).unwrap(), KeySource::Environment);
    let db = open_sqlite(&daemon).await;
    let seeded = seed_provider_secrets(&db, &old_ring, 3).await;

    daemon.ctl(&["admin", "rotate-key"]).fails(5, "MOSAIC_SECRET_KEY");
    daemon
        .ctl_stdin(
            &["admin", "rotate-key", "--new-key-stdin"],
            "AGE-SECRET-KEY-1CANARYBROKEN\n",
        )
        .fails(5, "not an age X25519 identity");
    let new_key = new_identity();
    let out = daemon.ctl_stdin(&["admin", "rotate-key", "--new-key-stdin"], &format!("{new_key}\n"));
    assert!(out.ok().contains("Re-encrypted 4 stored secrets"), "{out:?}");
    assert!(out.stdout.contains("Set MOSAIC_SECRET_KEY to the new key"), "{out:?}");
    let new_ring = Keyring::new(mosaicd::secrets::parse_keys(&new_key).unwrap(), KeySource::Environment);
    assert_secrets_under(&db, &new_ring, &seeded).await;
    let log = daemon.log();
    assert!(!log.contains(&new_key) && !log.contains(&old_key) && !log.contains("CANARYBROKEN"));

    // Restarted with the old key only, it refuses clearly; with the new key it starts.
    let (_, log) = daemon
        .restart_with(DaemonOptions::default().env("MOSAIC_SECRET_KEY", &old_key))
        .expect_err("the old key no longer opens anything");
    assert!(log.contains("cannot open this database's secrets"), "{log}");
    daemon
        .restart_with(DaemonOptions::default().env("MOSAIC_SECRET_KEY", &new_key))
        .expect("starts on the new key");
}

async fn graceful_shutdown() {
    use nix::sys::signal::Signal;
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        let mut daemon = Daemon::start();
        daemon.ctl(&["status"]).ok();
        let status = daemon.stop_with(signal);
        assert_eq!(status.code(), Some(0), "exit after {signal}: {}", daemon.log());
        assert!(
            wait_for_path(&daemon.socket, false, Duration::from_secs(1)),
            "socket left behind"
        );
        let log = daemon.log();
        assert!(
            log.contains("shutting down") && log.contains("mosaicd stopped"),
            "{log}"
        );
        // SQLite folds its write-ahead log back when the last connection closes cleanly.
        assert!(
            !daemon.data_dir.join("mosaic.db-wal").exists(),
            "database not closed cleanly"
        );
        daemon.ctl(&["status"]).fails(3, "cannot reach mosaicd: no socket at");
    }
}

async fn bad_configuration_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mosaicd.toml");
    std::fs::write(&file, "listn = \"127.0.0.1:1\"\n").unwrap();
    let (status, log) = Daemon::try_start(DaemonOptions::default().arg("--config").arg(file.to_str().unwrap()))
        .err()
        .expect("unknown config key must fail");
    assert_eq!(status.and_then(|s| s.code()), Some(1));
    assert!(log.contains("unknown field `listn`"), "{log}");

    // Durations: the same notation in the file, the environment and flags, refused with the reason.
    std::fs::write(&file, "session_ttl = \"a week\"\n").unwrap();
    let (_, log) = Daemon::try_start(DaemonOptions::default().arg("--config").arg(file.to_str().unwrap()))
        .err()
        .expect("a duration that is none must fail");
    assert!(
        log.contains("config file session_ttl: invalid duration \"a week\"") && log.contains("e.g. 500ms, 30s"),
        "{log}"
    );
    let (_, log) = Daemon::try_start(DaemonOptions::default().env("MOSAIC_REAPER_INTERVAL", "0s"))
        .err()
        .expect("a reaper interval of zero must fail");
    assert!(
        log.contains("--reaper-interval (MOSAIC_REAPER_INTERVAL): must not be zero"),
        "{log}"
    );

    let (_, log) = Daemon::try_start(DaemonOptions::default().env("DATABASE_URL", "mysql://u:secretpw@h/db"))
        .err()
        .expect("unsupported database must fail");
    assert!(log.contains("DATABASE_URL must start with postgres://"), "{log}");
    assert!(!log.contains("secretpw"));
}
