//! `mosaicctl` settings through the real binaries against a real daemon over the real socket:
//! providers (CRUD, masking, scoping by `--user`, connection tests against a fake provider, the
//! hidden key prompt on a pseudo-terminal), users, agent config and system config. Where a rule
//! is broken, the CLI must say exactly what the HTTP API says for the same input. A
//! representative subset also runs on PostgreSQL.

use std::cell::RefCell;
use std::process::Command;

use libtest_mimic::Trial;
use mosaic_tests::daemon::{ctl_command, free_port};
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, docker};
use mosaic_tests::fake_provider::{FakeProvider, MODELS};
use mosaic_tests::http::{Api, Auth, Session};
use mosaic_tests::pty::Pty;
use mosaic_tests::{Daemon, DaemonOptions, Out, bins, trial};
use mosaicd::store::q;
use serde_json::{Value, json};

use crate::http::{Backend, PASSWORD, World, assert_absent, field};

/// Registers `body` as `cli::<name>` (SQLite), and also as `cli::postgres::<name>` when `both`.
fn add<F, Fut>(trials: &mut Vec<Trial>, name: &str, both: bool, body: F)
where
    F: Fn(Backend) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let sqlite = body.clone();
    trials.push(trial(&format!("cli::{name}"), move || sqlite(Backend::Sqlite)));
    if both {
        trials.push(trial(&format!("cli::postgres::{name}"), move || {
            body(Backend::Postgres)
        }));
    }
}

pub fn trials() -> Vec<Trial> {
    let mut t = Vec::new();
    add(&mut t, "providers::crud_and_masking", true, providers_crud_and_masking);
    add(&mut t, "providers::rules_match_http", false, providers_rules_match_http);
    add(&mut t, "providers::scoped_by_user", true, providers_scoped_by_user);
    add(&mut t, "providers::connection_test", false, providers_connection_test);
    add(
        &mut t,
        "providers::hidden_key_prompt",
        false,
        providers_hidden_key_prompt,
    );
    add(&mut t, "users::lifecycle", true, users_lifecycle);
    add(&mut t, "users::rules_match_http", false, users_rules_match_http);
    add(&mut t, "agent_config::show_and_set", true, agent_config);
    add(&mut t, "config::get_set_unset_ls", true, config);
    add(&mut t, "exit_codes::unreachable_usage_no_terminal", false, exit_codes);
    add(
        &mut t,
        "containers::settings_reach_running_agents",
        false,
        settings_reach_running_agents,
    );
    t
}

fn canary() -> String {
    format!("sk-canary-{}", uuid::Uuid::new_v4().simple())
}

fn hint(key: &str) -> String {
    format!("sk-…{}", &key[key.len() - 4..])
}

/// `mosaicctl` against one daemon, keeping everything it printed for leak checks.
struct Ctl<'a> {
    daemon: &'a Daemon,
    seen: RefCell<Vec<String>>,
}

impl<'a> Ctl<'a> {
    fn new(daemon: &'a Daemon) -> Self {
        Ctl {
            daemon,
            seen: RefCell::default(),
        }
    }

    fn keep(&self, out: Out) -> Out {
        self.seen.borrow_mut().push(format!("{}\n{}", out.stdout, out.stderr));
        out
    }

    fn run(&self, args: &[&str]) -> Out {
        self.keep(self.daemon.ctl(args))
    }

    fn stdin(&self, args: &[&str], input: &str) -> Out {
        self.keep(self.daemon.ctl_stdin(args, input))
    }

    /// Runs the command with `--json` and parses its output.
    #[track_caller]
    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        self.run(&args).json()
    }

    fn transcript(&self) -> String {
        self.seen.borrow().join("\n")
    }

    fn pty(&self, args: &[&str]) -> Pty {
        let mut command = Command::new(bins::mosaicctl());
        command
            .arg("--socket")
            .arg(&self.daemon.socket)
            .args(args)
            .env_remove("MOSAIC_SOCKET");
        Pty::spawn(command)
    }
}

/// Asserts that the CLI failed with `code` and printed exactly the HTTP API's message.
#[track_caller]
fn same_message(out: &Out, code: i32, http_message: &str) {
    out.fails(code, http_message);
    assert_eq!(
        out.stderr.trim_end(),
        format!("error: {http_message}"),
        "the CLI and the HTTP API word this differently"
    );
}

async fn http_create(api: &Api, who: &Session, body: Value) -> Value {
    api.post("/api/providers", Auth::Session(who), &body).await.expect(201)
}

fn temp_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Every canary must be absent from what the CLI printed, the daemon log, the audit log, and the
/// database in plain text.
async fn assert_never_leaked(w: &World, ctl: &Ctl<'_>, canaries: &[&str]) {
    let audit = w.audit_text().await;
    for canary in canaries {
        assert_absent(canary, &ctl.transcript(), "mosaicctl's output");
        assert_absent(canary, &w.daemon.log(), "the daemon log");
        assert_absent(canary, &audit, "the audit log");
    }
    let db = w.db().await;
    let keys: Vec<(Option<String>,)> = db.all(q("SELECT api_key FROM llm_provider")).await.unwrap();
    let config: Vec<(String,)> = db.all(q("SELECT value FROM system_config")).await.unwrap();
    db.close().await;
    for canary in canaries {
        assert!(
            keys.iter().all(|(k,)| k.as_deref().is_none_or(|k| !k.contains(canary))),
            "a provider key is stored in plain text"
        );
        assert!(
            config.iter().all(|(v,)| !v.contains(canary)),
            "a setting is stored in plain text"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Providers
// ---------------------------------------------------------------------------------------------

async fn providers_crud_and_masking(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let key = canary();
    let second_key = canary();
    let files = tempfile::tempdir().unwrap();

    let created = ctl
        .stdin(
            &[
                "providers",
                "add",
                "my-openai",
                "--type",
                "openai",
                "--display-name",
                "OpenAI (work)",
                "--base-url",
                "https://api.openai.example/v1/",
                "--model",
                "gpt-4o,name=GPT-4o,context=128000,max-tokens=16384,input=text+image",
                "--model",
                "gpt-4o-mini,reasoning",
                "--api-key-stdin",
                "--json",
            ],
            &format!("{key}\n"),
        )
        .json();
    let id = field(&created, "id").to_string();
    assert_eq!(created["hasApiKey"], true);
    assert_eq!(created["apiKeyHint"], hint(&key));
    assert_eq!(created["displayName"], "OpenAI (work)");
    assert_eq!(created["baseUrl"], "https://api.openai.example/v1");
    assert_eq!(created["apiType"], "openai-completions");
    assert_eq!(
        created["models"],
        json!([
            { "id": "gpt-4o", "name": "GPT-4o", "contextWindow": 128000, "maxTokens": 16384, "input": ["text", "image"] },
            { "id": "gpt-4o-mini", "reasoning": true }
        ])
    );
    assert!(created.get("apiKey").is_none());

    // Listed and shown, by name and by id; the human forms show the hint.
    let list = ctl.json(&["providers", "ls"]);
    assert_eq!(list, json!([created.clone()]));
    assert_eq!(ctl.json(&["providers", "show", "my-openai"]), created);
    assert_eq!(ctl.json(&["providers", "show", &id]), created);
    let table = ctl.run(&["providers", "ls"]);
    assert!(
        table.ok().contains("my-openai") && table.stdout.contains(&hint(&key)),
        "{table:?}"
    );
    let shown = ctl.run(&["providers", "show", "my-openai"]);
    assert!(
        shown.ok().contains("OpenAI (work)") && shown.stdout.contains("128000") && shown.stdout.contains("GPT-4o"),
        "{shown:?}"
    );
    let added = ctl.stdin(
        &["providers", "add", "second", "--type", "anthropic", "--api-key-stdin"],
        &format!("{second_key}\n"),
    );
    assert!(
        added.ok().contains("Added provider second") && added.stdout.contains(&hint(&second_key)),
        "{added:?}"
    );

    // Updates keep what they do not name; a new key replaces the old; --clear-api-key removes it.
    let renamed = ctl.json(&["providers", "update", "my-openai", "--display-name", "OpenAI"]);
    assert_eq!(renamed["displayName"], "OpenAI");
    assert_eq!(renamed["apiKeyHint"], hint(&key));
    assert_eq!(renamed["models"], created["models"]);
    let rekeyed = ctl
        .stdin(
            &["providers", "update", &id, "--api-key-stdin", "--json"],
            &format!("{second_key}\n"),
        )
        .json();
    assert_eq!(rekeyed["apiKeyHint"], hint(&second_key));
    let cleared = ctl.json(&["providers", "update", "my-openai", "--clear-api-key"]);
    assert_eq!(cleared["hasApiKey"], false);
    assert!(cleared["apiKeyHint"].is_null());
    let models = temp_file(
        &files,
        "models.json",
        r#"[{"id": "o3", "name": "o3", "contextWindow": 200000, "maxTokens": 100000, "reasoning": true}]"#,
    );
    let remodelled = ctl.json(&[
        "providers",
        "update",
        "my-openai",
        "--models-file",
        &models,
        "--inactive",
    ]);
    assert_eq!(
        remodelled["models"],
        json!([{ "id": "o3", "name": "o3", "contextWindow": 200000, "maxTokens": 100000, "reasoning": true }])
    );
    assert_eq!(remodelled["isActive"], false);
    let unbased = ctl.json(&["providers", "update", "my-openai", "--base-url", "", "--active"]);
    assert!(unbased["baseUrl"].is_null());
    assert_eq!(unbased["isActive"], true);
    ctl.run(&["providers", "update", "my-openai"])
        .fails(5, "nothing to change");
    let bad_file = temp_file(&files, "bad.json", r#"[{"id": "a", "secret": 1}]"#);
    ctl.run(&["providers", "update", "my-openai", "--models-file", &bad_file])
        .fails(5, "unknown field `secret`");
    ctl.run(&["providers", "update", "my-openai", "--model", "x,colour=blue"])
        .fails(5, "unknown attribute \"colour\"");

    // Conflicts and deletion.
    ctl.run(&["providers", "add", "second", "--type", "openai", "--no-api-key"])
        .fails(7, "a provider named \"second\" already exists");
    ctl.run(&["providers", "update", "my-openai", "--name", "second"])
        .fails(7, "a provider named \"second\" already exists");
    let removed = ctl.run(&["providers", "rm", "second"]);
    assert!(removed.ok().contains("Deleted provider second"), "{removed:?}");
    ctl.run(&["providers", "rm", "second"]).fails(4, "provider not found");
    ctl.run(&["providers", "show", "second"]).fails(4, "provider not found");
    assert_eq!(ctl.json(&["providers", "ls"]).as_array().unwrap().len(), 1);

    // Admin-level providers are nobody's own: the admin's HTTP provider list stays empty.
    let mine = w.api.get("/api/providers", Auth::Session(&w.admin)).await.expect(200);
    assert_eq!(mine, json!([]));
    let status = ctl.json(&["status"]);
    assert_eq!(status["counts"]["providers"], 1);

    let audit = w.audit_text().await;
    for action in ["provider.create", "provider.update", "provider.delete"] {
        assert!(
            audit
                .lines()
                .any(|l| l.starts_with("admin-socket:uid=") && l.contains(action)),
            "{action} not audited as the socket's user:\n{audit}"
        );
    }
    assert_never_leaked(&w, &ctl, &[&key, &second_key]).await;
}

async fn providers_rules_match_http(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let me = Auth::Session(&w.admin);

    // (HTTP body, CLI arguments after `providers add`): the same provider both ways.
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({ "name": "Bad Name", "type": "openai" }),
            vec!["Bad Name", "--type", "openai"],
        ),
        (
            json!({ "name": "ok", "type": "custom" }),
            vec!["ok", "--type", "custom"],
        ),
        (
            json!({ "name": "ok", "type": "openai", "baseUrl": "ftp://x.example" }),
            vec!["ok", "--type", "openai", "--base-url", "ftp://x.example"],
        ),
        (
            json!({ "name": "ok", "type": "custom", "baseUrl": "http://169.254.169.254/latest" }),
            vec!["ok", "--type", "custom", "--base-url", "http://169.254.169.254/latest"],
        ),
        (
            json!({ "name": "ok", "type": "custom", "baseUrl": "http://metadata.google.internal/v1" }),
            vec![
                "ok",
                "--type",
                "custom",
                "--base-url",
                "http://metadata.google.internal/v1",
            ],
        ),
        (
            json!({ "name": "ok", "type": "custom", "baseUrl": "http://127.0.0.1:11434/v1" }),
            vec!["ok", "--type", "custom", "--base-url", "http://127.0.0.1:11434/v1"],
        ),
        (
            json!({ "name": "ok", "type": "openai", "apiType": "smoke-signals" }),
            vec!["ok", "--type", "openai", "--api-type", "smoke-signals"],
        ),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "a" }, { "id": "a" }] }),
            vec!["ok", "--type", "openai", "--model", "a", "--model", "a"],
        ),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "a", "maxTokens": 0 }] }),
            vec!["ok", "--type", "openai", "--model", "a,max-tokens=0"],
        ),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "has space" }] }),
            vec!["ok", "--type", "openai", "--model", "has space"],
        ),
        (
            json!({ "name": "ok", "type": "openai", "models": [{ "id": "a", "input": ["smell"] }] }),
            vec!["ok", "--type", "openai", "--model", "a,input=smell"],
        ),
    ];
    for (body, args) in &cases {
        let message = w.api.post("/api/providers", me, body).await.error(400, "invalid_input");
        let mut cli = vec!["providers", "add"];
        cli.extend(args);
        cli.push("--no-api-key");
        same_message(&ctl.run(&cli), 5, &message);
    }
    // The egress refusals say why, on both sides.
    let loopback = w
        .api
        .post("/api/providers", me, &cases[5].0)
        .await
        .error(400, "invalid_input");
    assert!(loopback.contains("allowPrivateProviderUrls"), "{loopback}");

    // A duplicate name, and a rename onto a taken name.
    http_create(&w.api, &w.admin, json!({ "name": "dup", "type": "openai" })).await;
    http_create(&w.api, &w.admin, json!({ "name": "other", "type": "openai" })).await;
    ctl.run(&["providers", "add", "dup", "--type", "openai", "--no-api-key"])
        .ok();
    ctl.run(&["providers", "add", "other", "--type", "openai", "--no-api-key"])
        .ok();
    let message = w
        .api
        .post("/api/providers", me, &json!({ "name": "dup", "type": "openai" }))
        .await
        .error(409, "conflict");
    same_message(
        &ctl.run(&["providers", "add", "dup", "--type", "openai", "--no-api-key"]),
        7,
        &message,
    );
    let own = w.api.get("/api/providers", me).await.expect(200);
    let other_id = own.as_array().unwrap().iter().find(|p| p["name"] == "other").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let message = w
        .api
        .patch(&format!("/api/providers/{other_id}"), me, &json!({ "name": "dup" }))
        .await
        .error(409, "conflict");
    same_message(
        &ctl.run(&["providers", "update", "other", "--name", "dup"]),
        7,
        &message,
    );
    // An update breaking a rule changes nothing.
    let message = w
        .api
        .patch(
            &format!("/api/providers/{other_id}"),
            me,
            &json!({ "baseUrl": "http://[fe80::1]/v1" }),
        )
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&["providers", "update", "other", "--base-url", "http://[fe80::1]/v1"]),
        5,
        &message,
    );
    assert!(ctl.json(&["providers", "show", "other"])["baseUrl"].is_null());

    // The agent config's model references, both ways, for the same (breakglass) user.
    let message = w
        .api
        .put("/api/agent-config", me, &json!({ "primaryModel": "gpt-4o" }))
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&["agent-config", "set", "--user", "admin", "--primary-model", "gpt-4o"]),
        5,
        &message,
    );
    let message = w
        .api
        .put(
            "/api/agent-config",
            me,
            &json!({ "primaryModel": "dup/a", "fallbackModels": ["dup/a"] }),
        )
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&[
            "agent-config",
            "set",
            "--user",
            "admin",
            "--primary-model",
            "dup/a",
            "--fallbacks",
            "dup/a",
        ]),
        5,
        &message,
    );
}

async fn providers_scoped_by_user(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let alice = w.member("alice@example.com").await;
    let bob = w.member("bob@example.com").await;
    let key = canary();
    let theirs = http_create(
        &w.api,
        &alice,
        json!({ "name": "alices", "type": "openai", "apiKey": key }),
    )
    .await;
    let id = field(&theirs, "id").to_string();

    // Without --user, and with the wrong user, alice's provider does not exist.
    assert_eq!(ctl.json(&["providers", "ls"]), json!([]));
    for user in [None, Some("bob@example.com"), Some(bob.user_id.as_str()), Some("admin")] {
        let with_user = |args: &[&str]| {
            let mut args = args.to_vec();
            if let Some(user) = user {
                args.extend(["--user", user]);
            }
            args.into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        for args in [
            with_user(&["providers", "show", &id]),
            with_user(&["providers", "show", "alices"]),
            with_user(&["providers", "test", &id]),
            with_user(&["providers", "update", &id, "--display-name", "mine now"]),
            with_user(&["providers", "rm", &id]),
        ] {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ctl.run(&args).fails(4, "provider not found");
        }
    }
    let untouched = w
        .api
        .get(&format!("/api/providers/{id}"), Auth::Session(&alice))
        .await
        .expect(200);
    assert_eq!(untouched, theirs);

    // With the right user, by email or id, it is there (masked).
    for user in ["alice@example.com", "ALICE@example.com", alice.user_id.as_str()] {
        let shown = ctl.json(&["providers", "show", "alices", "--user", user]);
        assert_eq!(shown, theirs);
        assert_eq!(shown["apiKeyHint"], hint(&key));
    }
    assert_eq!(
        ctl.json(&["providers", "ls", "--user", "alice@example.com"]),
        json!([theirs.clone()])
    );
    ctl.run(&["providers", "ls", "--user", "nobody@example.com"])
        .fails(4, "no user \"nobody@example.com\"");
    ctl.run(&["providers", "ls", "--user", "no-such-id"])
        .fails(4, "no user \"no-such-id\"");

    // A provider added for bob is bob's alone.
    let for_bob = ctl.json(&[
        "providers",
        "add",
        "bobs",
        "--type",
        "openai",
        "--no-api-key",
        "--user",
        "bob@example.com",
    ]);
    let bobs_id = field(&for_bob, "id");
    assert_eq!(
        w.api.get("/api/providers", Auth::Session(&bob)).await.expect(200),
        json!([for_bob.clone()])
    );
    w.api
        .get(&format!("/api/providers/{bobs_id}"), Auth::Session(&alice))
        .await
        .error(404, "not_found");
    // The same name may exist once per owner.
    ctl.json(&["providers", "add", "bobs", "--type", "openai", "--no-api-key"]);
    ctl.json(&[
        "providers",
        "add",
        "bobs",
        "--type",
        "openai",
        "--no-api-key",
        "--user",
        "alice@example.com",
    ]);

    // The breakglass admin's own providers are reached by the breakglass username.
    let admins = http_create(&w.api, &w.admin, json!({ "name": "admins", "type": "zai" })).await;
    assert_eq!(ctl.json(&["providers", "ls", "--user", "admin"]), json!([admins]));

    ctl.run(&["providers", "rm", "alices", "--user", &alice.user_id]).ok();
    w.api
        .get(&format!("/api/providers/{id}"), Auth::Session(&alice))
        .await
        .error(404, "not_found");
    assert_never_leaked(&w, &ctl, &[&key]).await;
}

async fn providers_connection_test(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let key = canary();
    let wrong_key = canary();
    let fake = FakeProvider::start(&key).await;
    let base = fake.base_url();

    let add = |name: &str, url: &str, secret: Option<&str>, user: Option<&str>| {
        let mut args = vec!["providers", "add", name, "--type", "custom", "--base-url", url];
        if let Some(user) = user {
            args.extend(["--user", user]);
        }
        match secret {
            Some(secret) => {
                args.push("--api-key-stdin");
                ctl.stdin(&args, &format!("{secret}\n"))
            }
            None => {
                args.push("--no-api-key");
                ctl.run(&args)
            }
        }
    };
    // Loopback is refused until an admin allows private provider URLs.
    add("local", &base, Some(&key), None).fails(5, "allowPrivateProviderUrls");
    ctl.run(&["config", "set", "providers.allowPrivateUrls", "true"]).ok();
    add("local", &base, Some(&key), None).ok();
    add("wrong", &base, Some(&wrong_key), None).ok();
    let closed = format!("http://127.0.0.1:{}/v1", free_port());
    add("gone", &closed, None, None).ok();

    let ok = ctl.json(&["providers", "test", "local"]);
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["outcome"], "ok");
    assert_eq!(ok["httpStatus"], 200);
    assert_eq!(ok["models"], json!(MODELS));
    assert_eq!(ok["url"], format!("{base}/models"));
    assert!(ok["latencyMs"].as_u64().is_some(), "{ok}");
    let human = ctl.run(&["providers", "test", "local"]);
    let text = human.ok();
    assert!(
        text.contains("reachable: 2 models listed") && text.contains("fake-small, fake-large") && text.contains(" ms"),
        "{human:?}"
    );
    assert!(human.stderr.is_empty(), "no spinner without a terminal: {human:?}");

    // The stored key is bound to its origin: moving the base URL elsewhere without it is refused,
    // and the next test still goes where the key was saved for; a new path on the origin is fine.
    let elsewhere = FakeProvider::start(&key).await;
    ctl.run(&["providers", "update", "local", "--base-url", &elsewhere.base_url()])
        .fails(5, "API key again");
    assert_eq!(ctl.json(&["providers", "show", "local"])["baseUrl"], base.as_str());
    assert_eq!(ctl.json(&["providers", "test", "local"])["ok"], true);
    assert_eq!(elsewhere.requests(), 0, "the stored key reached another origin");
    let repathed = format!("http://{}/v1/", fake.addr);
    ctl.run(&["providers", "update", "local", "--base-url", &repathed]).ok();
    let moved = ctl
        .stdin(
            &[
                "providers",
                "update",
                "local",
                "--base-url",
                &elsewhere.base_url(),
                "--api-key-stdin",
                "--json",
            ],
            &format!("{key}\n"),
        )
        .json();
    assert_eq!(moved["baseUrl"], elsewhere.base_url());
    ctl.stdin(
        &["providers", "update", "local", "--base-url", &base, "--api-key-stdin"],
        &format!("{key}\n"),
    )
    .ok();

    // A wrong key: exit 9, the reason on stderr, the details on stdout, the echoed key redacted.
    let wrong = ctl.run(&["providers", "test", "wrong", "--json"]);
    wrong.fails(9, "connection test of wrong failed (unauthorized)");
    assert!(wrong.stderr.contains("refused the API key (HTTP 401)"), "{wrong:?}");
    let result: Value = serde_json::from_str(&wrong.stdout).unwrap();
    assert_eq!(result["outcome"], "unauthorized");
    assert!(field(&result, "message").contains("[redacted]"), "{result}");
    let human = ctl.run(&["providers", "test", "wrong"]);
    human.fails(9, "refused the API key");
    assert!(
        human.stdout.contains("HTTP status:") && human.stdout.contains("401"),
        "{human:?}"
    );

    // Nobody listening.
    let gone = ctl.run(&["providers", "test", "gone", "--json"]);
    gone.fails(9, "(unreachable): cannot connect");
    assert_eq!(
        serde_json::from_str::<Value>(&gone.stdout).unwrap()["outcome"],
        "unreachable"
    );

    // A user's provider is tested with --user, with their key.
    let carol = w.member("carol@example.com").await;
    add("carols", &base, Some(&key), Some("carol@example.com")).ok();
    ctl.run(&["providers", "test", "carols"]).fails(4, "provider not found");
    assert_eq!(
        ctl.json(&["providers", "test", "carols", "--user", &carol.user_id])["ok"],
        true
    );

    // Withdrawing the setting blocks the test before anything is sent.
    ctl.run(&["config", "set", "providers.allowPrivateUrls=false"]).ok();
    let before = fake.requests();
    let blocked = ctl.run(&["providers", "test", "local"]);
    blocked.fails(9, "(blocked)");
    assert!(blocked.stderr.contains("loopback"), "{blocked:?}");
    assert_eq!(fake.requests(), before, "a blocked test reached the provider");

    assert_never_leaked(&w, &ctl, &[&key, &wrong_key]).await;
}

async fn providers_hidden_key_prompt(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let key = canary();
    let second_key = canary();

    // Typed at a hidden prompt: not echoed, stored, shown back as a hint only.
    let mut pty = ctl.pty(&["providers", "add", "typed", "--type", "openai"]);
    pty.expect("API key (input hidden; empty for none)");
    pty.send_line(&key);
    pty.expect("Added provider typed");
    let (status, transcript) = pty.finish();
    assert!(status.success(), "{transcript}");
    assert!(transcript.contains(&hint(&key)), "{transcript}");
    assert_absent(&key, &transcript, "the terminal");
    assert_eq!(ctl.json(&["providers", "show", "typed"])["apiKeyHint"], hint(&key));

    // A new key at the prompt of `update --replace-api-key`.
    let mut pty = ctl.pty(&["providers", "update", "typed", "--replace-api-key"]);
    pty.expect("New API key (input hidden)");
    pty.send_line(&second_key);
    pty.expect("Updated provider typed");
    let (status, transcript) = pty.finish();
    assert!(status.success(), "{transcript}");
    assert_absent(&second_key, &transcript, "the terminal");
    assert_eq!(
        ctl.json(&["providers", "show", "typed"])["apiKeyHint"],
        hint(&second_key)
    );

    // An empty answer means no key.
    let mut pty = ctl.pty(&[
        "providers",
        "add",
        "keyless",
        "--type",
        "ollama",
        "--base-url",
        "https://ollama.example",
    ]);
    pty.expect("API key (input hidden; empty for none)");
    pty.send_line("");
    pty.expect("API key: none");
    assert!(pty.finish().0.success());
    assert_eq!(ctl.json(&["providers", "show", "keyless"])["hasApiKey"], false);

    // The OIDC client secret at its prompt.
    let secret = format!("oidc-canary-{}", uuid::Uuid::new_v4().simple());
    let mut pty = ctl.pty(&[
        "config",
        "set",
        "oidc.issuerUrl=https://id.example.com",
        "oidc.clientId=mosaic",
        "oidc.clientSecret",
    ]);
    pty.expect("Value of oidc.clientSecret (input hidden)");
    pty.send_line(&secret);
    pty.expect("oidc.clientSecret = set (…");
    let (status, transcript) = pty.finish();
    assert!(status.success(), "{transcript}");
    assert_absent(&secret, &transcript, "the terminal");
    let stored = ctl.json(&["config", "get", "oidc.clientSecret"]);
    assert_eq!(stored["secretSet"], true);
    assert_eq!(stored["hint"], format!("…{}", &secret[secret.len() - 4..]));

    // Without a terminal, the prompts name the flags that answer them.
    ctl.run(&["providers", "add", "x", "--type", "openai"]).fails(
        5,
        "no terminal to prompt for the API key: pass --api-key-stdin and write it to stdin, or --no-api-key",
    );
    ctl.run(&["providers", "update", "typed", "--replace-api-key"])
        .fails(5, "no terminal to prompt for the new API key: pass --api-key-stdin");
    ctl.run(&["config", "set", "oidc.clientSecret"]).fails(
        5,
        "no terminal to prompt for the value of oidc.clientSecret: pass --value-stdin",
    );
    assert_never_leaked(&w, &ctl, &[&key, &second_key, &secret]).await;
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// The invite token in the link `users invite` printed.
fn token_in(output: &str) -> String {
    let at = output
        .find("#token=")
        .unwrap_or_else(|| panic!("no invite link in {output}"));
    output[at + "#token=".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

async fn users_lifecycle(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let api = &w.api;
    let admin = Auth::Session(&w.admin);

    // Without a WebUI origin the link is relative, and the output says so.
    let first = ctl.run(&["users", "invite", "u0@example.com"]);
    let text = first.ok();
    assert!(
        text.contains("Invited u0@example.com as member")
            && text.contains("shown only this once")
            && text.contains("  /accept-invite#token=")
            && text.contains("No WebUI origin is configured"),
        "{first:?}"
    );
    api.post(
        "/api/auth/invite/accept",
        Auth::None,
        &json!({ "token": token_in(text), "password": PASSWORD }),
    )
    .await
    .expect(200);
    let u0 = api.login("u0@example.com", PASSWORD).await;

    ctl.run(&["config", "set", "http.webuiOrigins", "https://webui.example.com"])
        .ok();
    let second = ctl.json(&["users", "invite", "u1@example.com", "--role", "admin", "--name", "Una"]);
    assert_eq!(second["role"], "admin");
    assert!(
        field(&second, "inviteUrl").starts_with("https://webui.example.com/accept-invite#token="),
        "{second}"
    );
    assert!(field(&second, "inviteUrl").ends_with(field(&second, "inviteToken")));
    for i in 2..4 {
        ctl.run(&["users", "invite", &format!("u{i}@example.com")]).ok();
    }

    // Pages are the HTTP API's, data and meta, including past the end and a capped limit.
    for (query, args) in [
        ("", vec![]),
        ("?page=1&limit=2", vec!["--page", "1", "--limit", "2"]),
        ("?page=3&limit=2", vec!["--page", "3", "--limit", "2"]),
        ("?page=4&limit=2", vec!["--page", "4", "--limit", "2"]),
        ("?limit=1000", vec!["--limit", "1000"]),
    ] {
        let http = api.get(&format!("/api/admin/users{query}"), admin).await.expect(200);
        let mut cli = vec!["users", "ls"];
        cli.extend(args);
        assert_eq!(ctl.json(&cli), http, "users ls {query}");
    }
    let page = ctl.json(&["users", "ls", "--page", "1", "--limit", "2"]);
    assert_eq!(
        page["meta"],
        json!({ "total": 5, "page": 1, "limit": 2, "totalPages": 3 })
    );
    let human = ctl.run(&["users", "ls", "--limit", "2"]);
    assert!(
        human.ok().contains("Page 1 of 3 · 5 users · 2 per page") && human.stdout.contains("u0@example.com"),
        "{human:?}"
    );
    let past = ctl.run(&["users", "ls", "--page", "9", "--limit", "2"]);
    assert!(
        past.ok().contains("Page 9 is past the end: 5 users fill 3 pages of 2"),
        "{past:?}"
    );
    for (query, args) in [
        ("?page=0", vec!["--page", "0"]),
        ("?page=-1", vec!["--page", "-1"]),
        ("?limit=0", vec!["--limit", "0"]),
    ] {
        let message = api
            .get(&format!("/api/admin/users{query}"), admin)
            .await
            .error(400, "invalid_input");
        let mut cli = vec!["users", "ls"];
        cli.extend(args);
        same_message(&ctl.run(&cli), 5, &message);
    }

    // Show by email, id or breakglass username: the HTTP API's user.
    let http_u0 = api
        .get(&format!("/api/admin/users/{}", u0.user_id), admin)
        .await
        .expect(200);
    assert_eq!(ctl.json(&["users", "show", "u0@example.com"]), http_u0);
    assert_eq!(ctl.json(&["users", "show", &u0.user_id]), http_u0);
    assert_eq!(ctl.json(&["users", "show", "admin"])["authSource"], "breakglass");
    let shown = ctl.run(&["users", "show", "u1@example.com"]);
    assert!(
        shown.ok().contains("Una") && shown.stdout.contains("invited"),
        "{shown:?}"
    );
    ctl.run(&["users", "show", "nobody@example.com"])
        .fails(4, "no user \"nobody@example.com\"");

    // Update: the new role applies to u0's session at once.
    api.get("/api/admin/users", Auth::Session(&u0))
        .await
        .error(403, "forbidden");
    let updated = ctl.json(&["users", "update", "u0@example.com", "--name", "Uno", "--role", "admin"]);
    assert_eq!(updated["name"], "Uno");
    assert_eq!(updated["role"], "admin");
    api.get("/api/admin/users", Auth::Session(&u0)).await.expect(200);
    ctl.run(&["users", "update", "u0@example.com"])
        .fails(5, "nothing to change");
    let message = api
        .patch(
            &format!("/api/admin/users/{}", u0.user_id),
            admin,
            &json!({ "name": " " }),
        )
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&["users", "update", "u0@example.com", "--name", " "]),
        5,
        &message,
    );

    // Deactivation ends the session; again changes nothing; reactivation lets u0 back in.
    let deactivated = ctl.run(&["users", "deactivate", "u0@example.com"]);
    assert!(
        deactivated.ok().contains("Deactivated u0@example.com"),
        "{deactivated:?}"
    );
    api.get("/api/auth/session", Auth::CookieOnly(&u0))
        .await
        .error(401, "unauthenticated");
    let again = ctl.json(&["users", "deactivate", &u0.user_id]);
    assert_eq!(again["status"], "deactivated");
    let reactivated = ctl.json(&["users", "reactivate", "u0@example.com"]);
    assert_eq!(reactivated["status"], "active");
    assert!(reactivated["deactivatedAt"].is_null());
    api.login("u0@example.com", PASSWORD).await;
    ctl.run(&["users", "reactivate", "nobody@example.com"])
        .fails(4, "no user");

    let audit = w.audit_text().await;
    for action in [
        "user.invite",
        "user.update",
        "user.deactivate",
        "user.reactivate",
        "settings.update",
    ] {
        assert!(
            audit
                .lines()
                .any(|l| l.starts_with("admin-socket:uid=") && l.contains(action)),
            "{action} not audited as the socket's user:\n{audit}"
        );
    }
}

async fn users_rules_match_http(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let api = &w.api;
    let admin = Auth::Session(&w.admin);
    w.member("bob@example.com").await;

    for email in ["bob@example.com", "not-an-email", "a b@example.com"] {
        let r = api
            .post("/api/admin/users/invite", admin, &json!({ "email": email }))
            .await;
        let (status, code, exit) = if email.starts_with("bob") {
            (409, "conflict", 7)
        } else {
            (400, "invalid_input", 5)
        };
        let message = r.error(status, code);
        same_message(&ctl.run(&["users", "invite", email]), exit, &message);
    }

    // Breakglass accounts stay administrators, whoever asks.
    let carol = w.member("carol@example.com").await;
    ctl.run(&["users", "update", "carol@example.com", "--role", "admin"])
        .ok();
    let message = api
        .patch(
            &format!("/api/admin/users/{}", w.admin.user_id),
            Auth::Session(&carol),
            &json!({ "role": "member" }),
        )
        .await
        .error(409, "conflict");
    assert!(message.contains("breakglass"), "{message}");
    same_message(&ctl.run(&["users", "update", "admin", "--role", "member"]), 7, &message);

    // Nobody deactivates themselves over HTTP. The socket acts for the host's administrator, who
    // is no Mosaic user, so it may deactivate any account, the breakglass admin's included:
    // `admin reset-breakglass` is the way back in.
    let message = api
        .post_empty(&format!("/api/admin/users/{}/deactivate", w.admin.user_id), admin)
        .await
        .error(409, "conflict");
    assert_eq!(message, "you cannot deactivate your own account");
    assert_eq!(ctl.json(&["users", "deactivate", "admin"])["status"], "deactivated");
    api.get("/api/auth/session", Auth::CookieOnly(&w.admin))
        .await
        .error(401, "unauthenticated");
    ctl.stdin(
        &["admin", "reset-breakglass", "--username", "admin", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    )
    .ok();
    let admin_again = api.login("admin", PASSWORD).await;

    // A deactivated user's email cannot be invited again.
    ctl.run(&["users", "deactivate", "bob@example.com"]).ok();
    let message = api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&admin_again),
            &json!({ "email": "bob@example.com" }),
        )
        .await
        .error(409, "conflict");
    assert!(message.contains("reactivate"), "{message}");
    same_message(&ctl.run(&["users", "invite", "bob@example.com"]), 7, &message);
}

// ---------------------------------------------------------------------------------------------
// Agent config
// ---------------------------------------------------------------------------------------------

async fn agent_config(backend: Backend) {
    let w = World::start(backend).await;
    let ctl = Ctl::new(&w.daemon);
    let api = &w.api;
    let bob = w.member("bob@example.com").await;
    let carol = w.member("carol@example.com").await;
    let me = Auth::Session(&bob);
    let mine = http_create(api, &bob, json!({ "name": "mine", "type": "openai" })).await;
    let theirs = http_create(api, &carol, json!({ "name": "theirs", "type": "openai" })).await;
    let files = tempfile::tempdir().unwrap();
    let soul = temp_file(&files, "SOUL.md", "# SOUL\n\nYou are terse.\n");

    let empty = ctl.json(&["agent-config", "show", "--user", "bob@example.com"]);
    assert_eq!(empty, api.get("/api/agent-config", me).await.expect(200));
    assert!(empty["updatedAt"].is_null());

    let saved = ctl.json(&[
        "agent-config",
        "set",
        "--user",
        "bob@example.com",
        "--primary-model",
        "mine/gpt-4o",
        "--fallbacks",
        "mine/gpt-4o-mini, zai/glm-5",
        "--personality-file",
        &soul,
        "--provider",
        "mine",
    ]);
    assert_eq!(saved["primaryModel"], "mine/gpt-4o");
    assert_eq!(saved["fallbackModels"], json!(["mine/gpt-4o-mini", "zai/glm-5"]));
    assert_eq!(saved["personality"], "# SOUL\n\nYou are terse.\n");
    assert_eq!(saved["providerId"], mine["id"]);
    assert_eq!(api.get("/api/agent-config", me).await.expect(200), saved);
    let human = ctl.run(&["agent-config", "show", "--user", &bob.user_id]);
    assert!(
        human.ok().contains("mine/gpt-4o")
            && human.stdout.contains(&format!("mine ({})", field(&mine, "id")))
            && human.stdout.contains("# SOUL"),
        "{human:?}"
    );

    // Flags not given keep their value.
    let changed = ctl.json(&[
        "agent-config",
        "set",
        "--user",
        "bob@example.com",
        "--primary-model",
        "mine/o3",
    ]);
    assert_eq!(changed["primaryModel"], "mine/o3");
    assert_eq!(changed["fallbackModels"], saved["fallbackModels"]);
    assert_eq!(changed["personality"], saved["personality"]);
    assert_eq!(changed["providerId"], saved["providerId"]);
    let from_stdin = ctl
        .stdin(
            &[
                "agent-config",
                "set",
                "--user",
                "bob@example.com",
                "--personality-file",
                "-",
                "--json",
            ],
            "Be kind.",
        )
        .json();
    assert_eq!(from_stdin["personality"], "Be kind.");

    // Someone else's provider is not found, by id or name, and nothing changes.
    for foreign in [field(&theirs, "id"), "theirs"] {
        ctl.run(&[
            "agent-config",
            "set",
            "--user",
            "bob@example.com",
            "--provider",
            foreign,
        ])
        .fails(4, "provider not found");
    }
    let mut body = json!({ "providerId": theirs["id"] });
    let message = api.put("/api/agent-config", me, &body).await.error(404, "not_found");
    same_message(
        &ctl.run(&[
            "agent-config",
            "set",
            "--user",
            "bob@example.com",
            "--provider",
            field(&theirs, "id"),
        ]),
        4,
        &message,
    );
    body = json!({ "primaryModel": "x/a", "fallbackModels": ["x/1","x/2","x/3","x/4","x/5","x/6","x/7","x/8","x/9","x/10","x/11"] });
    let message = api
        .put("/api/agent-config", me, &body)
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&[
            "agent-config",
            "set",
            "--user",
            "bob@example.com",
            "--fallbacks",
            "x/1,x/2,x/3,x/4,x/5,x/6,x/7,x/8,x/9,x/10,x/11",
        ]),
        5,
        &message,
    );
    assert_eq!(
        ctl.json(&["agent-config", "show", "--user", "bob@example.com"]),
        from_stdin
    );

    // Empty values and --clear-personality remove.
    let cleared = ctl.json(&[
        "agent-config",
        "set",
        "--user",
        "bob@example.com",
        "--fallbacks",
        "",
        "--provider",
        "",
        "--clear-personality",
        "--primary-model",
        "",
    ]);
    assert_eq!(
        (
            &cleared["primaryModel"],
            &cleared["fallbackModels"],
            &cleared["personality"],
            &cleared["providerId"]
        ),
        (&Value::Null, &json!([]), &Value::Null, &Value::Null)
    );

    ctl.run(&["agent-config", "set", "--user", "bob@example.com"])
        .fails(5, "nothing to change");
    ctl.run(&[
        "agent-config",
        "set",
        "--user",
        "nobody@example.com",
        "--primary-model",
        "a/b",
    ])
    .fails(4, "no user");
    for usage in [
        vec![
            "agent-config",
            "show",
            "--user",
            "bob@example.com",
            "--personality-file",
            "x",
        ],
        vec!["agent-config", "show"],
        vec!["agent-config", "set", "--primary-model", "a/b"],
    ] {
        let out = ctl.run(&usage);
        assert_eq!(out.code, 2, "{usage:?}: {out:?}");
    }
    ctl.run(&[
        "agent-config",
        "set",
        "--user",
        "bob@example.com",
        "--personality-file",
        "/nonexistent/SOUL.md",
    ])
    .fails(5, "cannot read the personality from /nonexistent/SOUL.md");

    let audit = w.audit_text().await;
    assert!(
        audit
            .lines()
            .any(|l| l.starts_with("admin-socket:uid=") && l.contains("agent_config.update")),
        "{audit}"
    );
    assert_absent("You are terse.", &audit, "the audit log");
}

// ---------------------------------------------------------------------------------------------
// System config
// ---------------------------------------------------------------------------------------------

async fn config(backend: Backend) {
    let w = World::start_with(
        backend,
        DaemonOptions::default()
            .arg("--webui-origin")
            .arg("https://flag.example.com"),
    )
    .await;
    let ctl = Ctl::new(&w.daemon);
    let api = &w.api;
    let admin = Auth::Session(&w.admin);
    let secret = format!("oidc-canary-{}", uuid::Uuid::new_v4().simple());

    let all = ctl.json(&["config", "ls"]);
    let keys: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    for key in [
        "http.webuiOrigins",
        "http.daemonWebuiOrigins",
        "providers.allowPrivateUrls",
        "oidc.issuerUrl",
        "oidc.clientId",
        "oidc.clientSecret",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    let entry = |key: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(entry("providers.allowPrivateUrls")["value"], false);
    assert_eq!(
        entry("http.daemonWebuiOrigins")["value"],
        json!(["https://flag.example.com"])
    );
    assert_eq!(entry("http.daemonWebuiOrigins")["readOnly"], true);
    assert_eq!(entry("oidc.clientSecret")["secret"], true);
    let table = ctl.run(&["config", "ls"]);
    assert!(
        table.ok().contains("https://flag.example.com (read-only)") && table.stdout.contains("false (default)"),
        "{table:?}"
    );
    // The OIDC client's three settings and who becomes an administrator at an OIDC login.
    assert_eq!(ctl.json(&["config", "ls", "oidc"]).as_array().unwrap().len(), 6);
    ctl.run(&["config", "ls", "nothing"])
        .fails(4, "no setting starts with \"nothing\"");

    // Runtime settings: normalized by the service, the same as over HTTP.
    let set = ctl.json(&[
        "config",
        "set",
        "http.webuiOrigins",
        "https://A.example.com, https://b.example.com:443/",
    ]);
    assert_eq!(
        set[0]["value"],
        json!(["https://a.example.com", "https://b.example.com"])
    );
    assert_eq!(
        api.get("/api/admin/settings", admin).await.expect(200)["webuiOrigins"],
        set[0]["value"]
    );
    let got = ctl.run(&["config", "get", "http.webuiOrigins"]);
    assert_eq!(got.ok(), "https://a.example.com,https://b.example.com\n");
    let both = ctl.run(&[
        "config",
        "set",
        "providers.allowPrivateUrls=true",
        "http.webuiOrigins=https://c.example.com",
    ]);
    assert_eq!(
        both.ok(),
        "providers.allowPrivateUrls = true\nhttp.webuiOrigins = https://c.example.com\n"
    );
    assert_eq!(ctl.run(&["config", "get", "providers.allowPrivateUrls"]).ok(), "true\n");
    let message = api
        .patch(
            "/api/admin/settings",
            admin,
            &json!({ "webuiOrigins": ["ftp://x.example"] }),
        )
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&["config", "set", "http.webuiOrigins", "ftp://x.example"]),
        5,
        &message,
    );
    ctl.run(&["config", "set", "providers.allowPrivateUrls", "maybe"])
        .fails(5, "providers.allowPrivateUrls must be true or false, not \"maybe\"");
    ctl.run(&["config", "set", "http.daemonWebuiOrigins", "https://x.example"])
        .fails(5, "cannot be changed here");
    ctl.run(&["config", "get", "no.such.key"])
        .fails(4, "no setting named \"no.such.key\"");
    ctl.run(&["config", "set", "no.such.key", "1"])
        .fails(4, "no setting named \"no.such.key\"");
    ctl.run(&[
        "config",
        "set",
        "http.webuiOrigins=https://d.example.com",
        "oidc.clientId=x",
    ])
    .fails(5, "are changed by separate commands");
    ctl.run(&[
        "config",
        "set",
        "http.webuiOrigins=https://d.example.com",
        "http.webuiOrigins=https://e.example.com",
    ])
    .fails(5, "given twice");
    ctl.run(&["config", "set", "http.webuiOrigins"])
        .fails(5, "no value for http.webuiOrigins");
    // A failed change leaves everything as it was.
    assert_eq!(
        ctl.run(&["config", "get", "http.webuiOrigins"]).ok(),
        "https://c.example.com\n"
    );

    // OIDC: the issuer and client id go together; the secret is write-only.
    ctl.run(&["config", "set", "oidc.clientId", "mosaic"])
        .fails(5, "OIDC needs both oidc.issuerUrl and oidc.clientId");
    ctl.run(&["config", "set", "oidc.clientSecret", &secret])
        .fails(5, "oidc.clientSecret is a secret and is not taken on the command line");
    ctl.run(&["config", "set", &format!("oidc.clientSecret={secret}")])
        .fails(5, "oidc.clientSecret is a secret");
    let saved = ctl
        .stdin(
            &[
                "config",
                "set",
                "oidc.issuerUrl=https://id.example.com/realms/mosaic",
                "oidc.clientId=mosaic-webui",
                "oidc.clientSecret",
                "--value-stdin",
                "--json",
            ],
            &format!("{secret}\n"),
        )
        .json();
    assert_eq!(saved.as_array().unwrap().len(), 3);
    let stored = ctl.json(&["config", "get", "oidc.clientSecret"]);
    assert_eq!(stored["secretSet"], true);
    assert!(stored["value"].is_null());
    let masked = format!("…{}", &secret[secret.len() - 4..]);
    assert_eq!(stored["hint"], masked.as_str());
    assert_eq!(
        ctl.run(&["config", "get", "oidc.clientSecret"]).ok(),
        format!("set ({masked})\n")
    );
    let http = api.get("/api/admin/oidc", admin).await.expect(200);
    assert_eq!(http["issuerUrl"], "https://id.example.com/realms/mosaic");
    assert_eq!(http["clientId"], "mosaic-webui");
    assert_eq!(http["clientSecretHint"], masked.as_str());
    // Changing the client id alone keeps the issuer and the secret.
    ctl.run(&["config", "set", "oidc.clientId", "other"]).ok();
    let http = api.get("/api/admin/oidc", admin).await.expect(200);
    assert_eq!(
        (&http["issuerUrl"], &http["clientId"], &http["clientSecretHint"]),
        (
            &json!("https://id.example.com/realms/mosaic"),
            &json!("other"),
            &json!(masked)
        )
    );
    let message = api
        .put(
            "/api/admin/oidc",
            admin,
            &json!({ "issuerUrl": "http://id.example.com", "clientId": "other" }),
        )
        .await
        .error(400, "invalid_input");
    same_message(
        &ctl.run(&["config", "set", "oidc.issuerUrl", "http://id.example.com"]),
        5,
        &message,
    );
    ctl.stdin(&["config", "set", "oidc.clientId", "x", "--value-stdin"], "ignored\n")
        .fails(5, "--value-stdin reads the value of a secret setting");

    // Unset returns defaults; OIDC goes as a whole.
    ctl.run(&["config", "unset", "oidc.clientSecret"])
        .fails(5, "the OIDC settings are removed together");
    let unset = ctl.run(&["config", "unset", "oidc"]);
    assert!(unset.ok().contains("oidc.clientSecret = not set"), "{unset:?}");
    assert_eq!(api.get("/api/admin/oidc", admin).await.expect(200)["configured"], false);
    let reset = ctl.json(&["config", "unset", "http.webuiOrigins", "providers.allowPrivateUrls"]);
    assert_eq!(reset[0]["value"], json!([]));
    assert_eq!(reset[1]["value"], false);
    ctl.run(&["config", "unset", "http.daemonWebuiOrigins"])
        .fails(5, "cannot be changed here");

    // The agent containers' settings: numbers as numbers, checked by their own rules, all of a
    // command's changes or none.
    let agent = ctl.json(&["config", "ls", "agent."]);
    let image = agent
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "agent.image")
        .unwrap()
        .clone();
    assert_eq!(image["value"], "ghcr.io/openclaw/openclaw:2026.5.22");
    assert_eq!(image["default"], image["value"]);
    assert_eq!(ctl.json(&["config", "get", "agent.idle_timeout_min"])["value"], 30);
    let set = ctl.json(&[
        "config",
        "set",
        "agent.idle_timeout_min=45",
        "agent.memory_mb=512",
        "agent.cpus=0.5",
    ]);
    assert_eq!(
        set.as_array()
            .unwrap()
            .iter()
            .map(|e| e["value"].clone())
            .collect::<Vec<_>>(),
        vec![json!(45), json!(512), json!(0.5)]
    );
    // A new image must be on the engine (or in its registry): the test-agent image is.
    let image = &mosaic_tests::docker::images().normal;
    ctl.run(&["config", "set", "agent.image", image]).ok();
    assert_eq!(ctl.run(&["config", "get", "agent.image"]).ok(), format!("{image}\n"));
    ctl.run(&["config", "set", "agent.memory_mb=256", "agent.idle_timeout_min=-1"])
        .fails(5, "agent.idle_timeout_min: must be a whole number from 0 to 10080");
    assert_eq!(ctl.json(&["config", "get", "agent.memory_mb"])["value"], 512);
    ctl.run(&["config", "set", "agent.image", "not an image"])
        .fails(5, "agent.image: must be a Docker image reference");
    ctl.run(&["config", "set", "agent.cpus=1", "http.webuiOrigins="])
        .fails(5, "are changed by separate commands");
    let reset = ctl.json(&["config", "unset", "agent.image", "agent.memory_mb"]);
    assert_eq!(reset[0]["value"], "ghcr.io/openclaw/openclaw:2026.5.22");
    assert_eq!(reset[1]["value"], 2048);
    assert_eq!(ctl.json(&["config", "get", "agent.idle_timeout_min"])["value"], 45);

    let audit = w.audit_text().await;
    for action in ["settings.update", "oidc.update", "oidc.clear", "agent_settings.update"] {
        assert!(
            audit
                .lines()
                .any(|l| l.starts_with("admin-socket:uid=") && l.contains(action)),
            "{action} not audited as the socket's user:\n{audit}"
        );
    }
    assert_never_leaked(&w, &ctl, &[&secret]).await;
}

// ---------------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------------

async fn exit_codes(_: Backend) {
    // No daemon: every command group says so with exit code 3.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("nobody.sock");
    for args in [
        vec!["providers", "ls"],
        vec!["providers", "test", "x"],
        vec!["users", "ls"],
        vec!["agent-config", "show", "--user", "x@example.com"],
        vec!["config", "ls"],
    ] {
        let mut command = Command::new(bins::mosaicctl());
        command.arg("--socket").arg(&socket).args(&args);
        ctl_command(command, None, None).fails(3, "cannot reach mosaicd: no socket at");
    }

    let w = World::start(Backend::Sqlite).await;
    let ctl = Ctl::new(&w.daemon);
    // Usage errors are clap's (exit 2), before anything is sent.
    for args in [
        vec!["providers", "add", "x", "--type", "telepathy"],
        vec!["providers", "add", "x", "--type", "openai", "--api-key", "sk-in-argv"],
        vec![
            "providers",
            "add",
            "x",
            "--type",
            "openai",
            "--api-key-stdin",
            "--no-api-key",
        ],
        vec!["providers", "update", "x", "--api-key-stdin", "--clear-api-key"],
        vec!["users", "invite", "a@example.com", "--role", "root"],
        vec!["users", "ls", "--page", "abc"],
        vec!["config", "unset"],
        vec!["--timeout", "0", "status"],
        vec!["--timeout", "soon", "status"],
    ] {
        let out = ctl.run(&args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
    }
    assert_absent("sk-in-argv", &ctl.transcript(), "mosaicctl's refusal");
    // Both the models and the key cannot come from stdin.
    ctl.stdin(
        &[
            "providers",
            "add",
            "x",
            "--type",
            "openai",
            "--models-file",
            "-",
            "--api-key-stdin",
        ],
        "[]\n",
    )
    .fails(5, "cannot both read standard input");
    ctl.stdin(&["providers", "add", "x", "--type", "openai", "--api-key-stdin"], "")
        .fails(5, "no API key on stdin");
}

// ---------------------------------------------------------------------------------------------
// Agent containers on the real Docker Engine, configured from the CLI
// ---------------------------------------------------------------------------------------------

fn container_id(name: &str) -> Option<String> {
    let out = docker(&["inspect", "--format", "{{.Id}}", name]);
    (out.code == 0).then(|| out.stdout.trim().to_string())
}

/// One chat through the agent container's gateway, as mosaicd would send it; returns the reply.
async fn chat(data: &Data, scope: &InstanceScope, user: &str) -> String {
    let name = format!("mosaic-user-{user}");
    let ip = docker::container_ip(&name, &scope.network()).expect("container address");
    let token = data.gateway_token("user", user).await.expect("gateway token");
    let reply: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("http://{ip}:18789/v1/chat/completions"))
        .bearer_auth(token)
        .json(&json!({ "model": "openclaw", "messages": [{ "role": "user", "content": "hi" }] }))
        .send()
        .await
        .expect("chat")
        .json()
        .await
        .expect("chat answer");
    reply["choices"][0]["message"]["content"].as_str().unwrap().to_string()
}

/// The agent image, its limits, a user's providers and agent config, all set with mosaicd's CLI,
/// reach the user's container; a change to the agent config or a provider restarts it with the
/// new config; deactivating the user stops it.
async fn settings_reach_running_agents(_: Backend) {
    let image = &docker::images().normal;
    let scope = InstanceScope::new();
    let daemon = Daemon::start_with(docker::daemon_options_with(&scope.instance, "1h", "1s"));
    let ctl = Ctl::new(&daemon);
    let key = canary();

    ctl.run(&[
        "config",
        "set",
        &format!("agent.image={image}"),
        "agent.entrypoint=image",
        "agent.memory_mb=128",
        "agent.cpus=0.5",
        "agent.pids_limit=64",
        "agent.stop_timeout_sec=2",
        "agent.start_timeout_sec=30",
    ])
    .ok();
    let bob = ctl.json(&["users", "invite", "bob@example.com"])["userId"]
        .as_str()
        .unwrap()
        .to_string();
    ctl.stdin(
        &[
            "providers",
            "add",
            "p1",
            "--type",
            "custom",
            "--base-url",
            "https://llm.example.com/v1",
            "--model",
            "m1,context=64000",
            "--model",
            "m2,context=64000",
            "--user",
            "bob@example.com",
            "--api-key-stdin",
        ],
        &format!("{key}\n"),
    )
    .ok();
    ctl.run(&[
        "agent-config",
        "set",
        "--user",
        "bob@example.com",
        "--primary-model",
        "p1/m1",
    ])
    .ok();
    ctl.run(&["containers", "start", "bob@example.com"]).ok();
    let name = format!("mosaic-user-{bob}");
    let limits = docker(&[
        "inspect",
        "--format",
        "{{.Config.Image}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}",
        &name,
    ]);
    assert_eq!(
        limits.stdout.trim(),
        format!("{image} {} 500000000 64", 128 * 1024 * 1024),
        "{limits:?}"
    );
    let data = Data::open(&daemon.data_dir).await;
    assert!(chat(&data, &scope, &bob).await.contains("[primary=p1/m1]"));
    let status = || {
        ctl.json(&["containers", "ls"])["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["owner"] == bob.as_str())
            .cloned()
            .expect("bob's container")
    };
    let first = container_id(&name).expect("running");
    assert_eq!(status()["generation"], 1);

    // The agent config changes: the running container restarts with it before the CLI returns.
    ctl.run(&[
        "agent-config",
        "set",
        "--user",
        "bob@example.com",
        "--primary-model",
        "p1/m2",
    ])
    .ok();
    let second = container_id(&name).expect("restarted");
    assert_ne!(second, first);
    assert_eq!(
        (status()["state"].clone(), status()["generation"].clone()),
        (json!("running"), json!(2))
    );
    assert!(chat(&data, &scope, &bob).await.contains("[primary=p1/m2]"));

    // So does a change to one of the user's providers; an admin-level provider is not theirs.
    ctl.run(&[
        "providers",
        "update",
        "p1",
        "--user",
        "bob@example.com",
        "--display-name",
        "P one",
    ])
    .ok();
    let third = container_id(&name).expect("restarted");
    assert_ne!(third, second);
    assert_eq!(status()["generation"], 3);
    ctl.run(&["providers", "add", "shared", "--type", "openai", "--no-api-key"])
        .ok();
    assert_eq!(container_id(&name).as_deref(), Some(third.as_str()));
    let inspect = docker(&["inspect", &name]);
    assert_absent(&key, &inspect.stdout, "docker inspect");

    // Deactivation stops the container, with its reason.
    ctl.run(&["users", "deactivate", "bob@example.com"]).ok();
    assert!(
        container_id(&name).is_none(),
        "the deactivated user's container still exists"
    );
    let stopped = status();
    assert_eq!(
        (stopped["state"].clone(), stopped["stopReason"].clone()),
        (json!("stopped"), json!("deactivated"))
    );
    let reasons: Vec<Value> = data
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, _, _)| action == "container.stop")
        .map(|(_, _, _, detail)| detail["reason"].clone())
        .collect();
    assert_eq!(
        reasons,
        vec![json!("config_change"), json!("config_change"), json!("deactivated")]
    );
    assert_absent(&key, &daemon.log(), "the daemon log");
    assert_absent(&key, &ctl.transcript(), "mosaicctl's output");
    data.close().await;
}
