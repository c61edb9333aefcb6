//! The store and the services on it, in process, run once against SQLite and once against the
//! real PostgreSQL server: the same suite, so the two backends cannot drift apart.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use libtest_mimic::Trial;
use mosaic_shared::ErrorCode;
use mosaic_tests::{postgres, trial};
use mosaicd::app::App;
use mosaicd::auth::throttle::Client;
use mosaicd::clock::Clock;
use mosaicd::secrets::{Binding, Key, KeySource, Keyring, SecretError};
use mosaicd::store::audit::Actor;
use mosaicd::store::{Db, audit, providers, q, system_config};

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        pub fn trials() -> Vec<Trial> {
            let mut trials = Vec::new();
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let prefix = match backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" };
                $(
                    trials.push(trial(&format!("store::{prefix}::{}", stringify!($name)), move || async move {
                        let fixture = Fixture::open(backend).await;
                        $name(&fixture).await;
                    }));
                )*
            }
            trials
        }
    };
}

suite!(
    migrations_are_idempotent,
    breakglass_rules,
    sessions_expire_by_the_services_clock,
    secrets_fail_closed,
    rotation_reencrypts_every_secret_column,
    rotation_during_concurrent_writes,
    providers_are_scoped_to_their_owner,
    system_config_and_audit,
    transactions_roll_back,
    container_rows,
    system_agent_rows_and_internal_auth,
);

struct Fixture {
    app: Arc<App>,
    /// The services' clock, moved by the tests that expire something.
    clock: Clock,
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Fixture {
    async fn open(backend: Backend) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(postgres::server().create_database().1),
        };
        let db = Db::open(database_url.as_deref(), dir.path()).await.unwrap();
        let args = mosaicd::cli::Args::parse_from(["mosaicd", "--data-dir", dir.path().to_str().unwrap()]);
        let config = mosaicd::config::Config::resolve_with_env(args, |_| None).unwrap();
        let keyring = Keyring::new(vec![Key::generate()], KeySource::File(dir.path().join("secret.key")));
        keyring.persist().unwrap();
        let clock = Clock::adjustable();
        let app = Arc::new(App::with_clock(config, db, keyring, clock.clone()));
        app.keys().check_key().await.unwrap();
        Fixture {
            app,
            clock,
            dir,
            database_url,
        }
    }

    fn db(&self) -> &Db {
        self.app.db()
    }
}

fn fields(name: &str, api_key: Option<String>) -> providers::ProviderFields {
    providers::ProviderFields {
        name: name.into(),
        display_name: name.to_uppercase(),
        kind: mosaic_shared::types::ProviderType::Openai,
        base_url: Some("https://api.example.test/v1".into()),
        api_key,
        api_key_hint: None,
        api_type: "openai-completions".into(),
        models: "[]".into(),
        is_active: true,
    }
}

async fn user(f: &Fixture, email: &str) -> String {
    mosaicd::store::users::insert(
        &mut f.db().ex(),
        mosaicd::store::users::NewUser {
            email: Some(email),
            name: email,
            role: mosaic_shared::types::Role::Member,
            auth_source: mosaic_shared::types::AuthSource::Local,
            invited_by: None,
        },
    )
    .await
    .unwrap()
}

/// Inserts a provider for `owner` with an encrypted API key; returns its id.
async fn provider_with_key(f: &Fixture, owner: &providers::Owner, name: &str, key: &str) -> String {
    let id = providers::new_provider_id();
    let enc = f
        .app
        .keys()
        .keyring()
        .encrypt(&Binding::new("llm_provider", id.clone(), "api_key"), key)
        .unwrap();
    providers::insert(&mut f.db().ex(), owner, &id, &fields(name, Some(enc)))
        .await
        .unwrap();
    id
}

async fn migrations_are_idempotent(f: &Fixture) {
    // Every migration this build holds was applied exactly once, in order, when the fixture
    // opened the fresh database.
    let applied = |db: Db| async move {
        let rows: Vec<(i64, bool, String)> = db
            .all(q(
                "SELECT version, success, CAST(installed_on AS TEXT) FROM _sqlx_migrations ORDER BY version",
            ))
            .await
            .unwrap();
        rows
    };
    let before = applied(f.db().clone()).await;
    let versions: Vec<i64> = before.iter().map(|(v, _, _)| *v).collect();
    assert_eq!(versions, mosaicd::store::known_migrations(f.db().backend()));
    assert!(before.iter().all(|(_, ok, _)| *ok), "{before:?}");
    // Opening again runs the migrator against an up-to-date schema: nothing is applied again.
    let again = Db::open(f.database_url.as_deref(), f.dir.path()).await.unwrap();
    again.ping().await.unwrap();
    assert_eq!(applied(again).await, before);
}

/// The service reads the clock it was given: a session ends when that clock passes its idle
/// timeout, whatever the wall clock says.
async fn sessions_expire_by_the_services_clock(f: &Fixture) {
    let auth = f.app.auth();
    auth.create_breakglass(&Actor::Socket { uid: 0 }, "admin", "correct horse battery")
        .await
        .unwrap();
    let client = Client::from_peer(std::net::Ipv4Addr::LOCALHOST.into());
    let session = auth.login("admin", "correct horse battery", client).await.unwrap();
    let token = session.token.expose();
    let idle = f.app.config().http.session_idle_timeout;
    f.clock.advance(idle - Duration::from_secs(60));
    auth.authenticate_session(token).await.unwrap();
    f.clock.advance(idle + Duration::from_secs(60));
    let refused = auth.authenticate_session(token).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Unauthenticated);
}

async fn breakglass_rules(f: &Fixture) {
    let actor = Actor::Socket { uid: 0 };
    let created = f
        .app
        .auth()
        .create_breakglass(&actor, "admin", "correct horse battery")
        .await
        .unwrap();
    assert_eq!(created.username, "admin");
    assert!(matches!(
        f.app.auth().create_breakglass(&actor, "admin", "correct horse battery").await,
        Err(e) if e.code() == ErrorCode::Conflict && e.message().contains("already exists")
    ));
    assert!(matches!(
        f.app.auth().create_breakglass(&actor, "x", "weak").await,
        Err(e) if e.code() == ErrorCode::InvalidInput
    ));
    assert!(matches!(
        f.app.auth().reset_breakglass(&actor, "ghost", "correct horse battery").await,
        Err(e) if e.code() == ErrorCode::NotFound
    ));
    f.app
        .auth()
        .reset_breakglass(&actor, "admin", "a different pass 2")
        .await
        .unwrap();
    let (hash,): (String,) = f
        .db()
        .one(q("SELECT password_hash FROM breakglass_user WHERE username = $1").bind("admin"))
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(f.app.auth().hasher().verify("a different pass 2", &hash).await.unwrap());
    let (role, source): (String, String) = f
        .db()
        .one(q("SELECT role, auth_source FROM users WHERE name = 'admin'"))
        .await
        .unwrap();
    assert_eq!((role.as_str(), source.as_str()), ("admin", "breakglass"));
}

async fn secrets_fail_closed(f: &Fixture) {
    let owner = providers::Owner::System;
    let a = provider_with_key(f, &owner, "a", "sk-alpha-secret").await;
    let b = provider_with_key(f, &owner, "b", "sk-bravo-secret").await;
    let stored = |id: String| async move {
        providers::get(&mut f.db().ex(), &providers::Owner::System, &id)
            .await
            .unwrap()
            .unwrap()
            .api_key
            .unwrap()
    };
    let (sa, sb) = (stored(a.clone()).await, stored(b.clone()).await);
    let ring = &f.app.keys().keyring();
    let bind = |id: &str| Binding::new("llm_provider", id.to_string(), "api_key");
    assert_eq!(ring.decrypt(&bind(&a), &sa).unwrap(), "sk-alpha-secret");

    // Swapped: b's ciphertext put into a's row.
    f.db()
        .execute(
            q("UPDATE llm_provider SET api_key = $1 WHERE id = $2")
                .bind(sb.clone())
                .bind(a.clone()),
        )
        .await
        .unwrap();
    let err = ring.decrypt(&bind(&a), &stored(a.clone()).await).unwrap_err();
    assert!(matches!(err, SecretError::WrongPlace { .. }), "{err}");
    assert!(!err.to_string().contains("bravo"));

    // Tampered: one flipped bit.
    let tampered = crate::foundation::flip_last_byte(&sa);
    f.db()
        .execute(
            q("UPDATE llm_provider SET api_key = $1 WHERE id = $2")
                .bind(tampered)
                .bind(a.clone()),
        )
        .await
        .unwrap();
    let err = ring.decrypt(&bind(&a), &stored(a.clone()).await).unwrap_err();
    assert!(matches!(err, SecretError::Corrupt { .. }), "{err}");

    // Wrong key.
    let other = Keyring::new(vec![Key::generate()], KeySource::Environment);
    assert!(matches!(
        other.decrypt(&bind(&b), &sb),
        Err(SecretError::UnknownKey { .. })
    ));
}

async fn rotation_reencrypts_every_secret_column(f: &Fixture) {
    let alice = user(f, "alice@example.test").await;
    let owner = providers::Owner::User(alice.clone());
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(provider_with_key(f, &owner, &format!("p{i}"), &format!("sk-{i}")).await);
    }
    // A container gateway token and an encrypted system setting.
    let token = f
        .app
        .keys()
        .keyring()
        .encrypt(&Binding::new("user_container", "c1", "gateway_token"), "gw-token")
        .unwrap();
    f.db()
        .execute(
            q(
                "INSERT INTO user_container (id, user_id, container_name, gateway_token, created_at, updated_at)
               VALUES ('c1', $1, 'mosaic-user-x', $2, 0, 0)",
            )
            .bind(alice.clone())
            .bind(token),
        )
        .await
        .unwrap();
    let secret = f
        .app
        .keys()
        .keyring()
        .encrypt(
            &Binding::new("system_config", "oidc.clientSecret", "value"),
            "oidc-secret",
        )
        .unwrap();
    system_config::set(&mut f.db().ex(), "oidc.clientSecret", &secret, true)
        .await
        .unwrap();

    let report = f.app.keys().rotate_key(&Actor::System, None).await.unwrap();
    // 5 provider keys, 1 gateway token, 1 OIDC secret, 1 key check value.
    assert_eq!(report.reencrypted, 8);
    assert_eq!(f.app.keys().keyring().key_ids(), vec![report.new_key_id.clone()]);
    for column in mosaicd::store::secrets::SECRET_COLUMNS {
        for row in mosaicd::store::secrets::list(&mut f.db().ex(), column).await.unwrap() {
            assert_eq!(
                Keyring::key_id_of(&row.value),
                Some(report.new_key_id.as_str()),
                "{}",
                column.table
            );
            f.app
                .keys()
                .keyring()
                .decrypt(&Binding::new(column.table, row.id.clone(), column.field), &row.value)
                .unwrap();
        }
    }
    let (n,): (i64,) = f
        .db()
        .one(q("SELECT COUNT(*) FROM audit_log WHERE action = 'secrets.rotate'"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    // The key file holds exactly the new key.
    let (reloaded, _) = mosaicd::secrets::load(None, &f.dir.path().join("secret.key")).unwrap();
    assert_eq!(reloaded.key_ids(), vec![report.new_key_id]);
}

async fn rotation_during_concurrent_writes(f: &Fixture) {
    let owner = providers::Owner::System;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(provider_with_key(f, &owner, &format!("p{i}"), &format!("sk-{i}")).await);
    }
    // A writer keeps replacing keys while the rotation runs.
    let writer = {
        let app = f.app.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            for round in 0..5 {
                for id in &ids {
                    let row = providers::get(&mut app.db().ex(), &providers::Owner::System, id)
                        .await
                        .unwrap()
                        .unwrap();
                    let enc = app
                        .keys()
                        .keyring()
                        .encrypt(
                            &Binding::new("llm_provider", id.clone(), "api_key"),
                            &format!("sk-{round}-{id}"),
                        )
                        .unwrap();
                    let mut fields = fields(&row.name, Some(enc));
                    fields.display_name = row.display_name;
                    providers::update(&mut app.db().ex(), &providers::Owner::System, id, &fields)
                        .await
                        .unwrap();
                }
            }
        })
    };
    let report = f.app.keys().rotate_key(&Actor::System, None).await.unwrap();
    writer.await.unwrap();
    // Writes after the rotation use the new key; nothing is left under the old one.
    for id in &ids {
        let row = providers::get(&mut f.db().ex(), &owner, id).await.unwrap().unwrap();
        let stored = row.api_key.unwrap();
        assert_eq!(Keyring::key_id_of(&stored), Some(report.new_key_id.as_str()));
        assert_eq!(
            f.app
                .keys()
                .keyring()
                .decrypt(&Binding::new("llm_provider", id.clone(), "api_key"), &stored)
                .unwrap(),
            format!("sk-4-{id}")
        );
    }
}

async fn providers_are_scoped_to_their_owner(f: &Fixture) {
    let alice = providers::Owner::User(user(f, "alice@example.test").await);
    let bob = providers::Owner::User(user(f, "bob@example.test").await);
    let a = provider_with_key(f, &alice, "work", "sk-a").await;
    let b = provider_with_key(f, &bob, "work", "sk-b").await;
    let s = provider_with_key(f, &providers::Owner::System, "work", "sk-s").await;

    let names = |rows: Vec<providers::ProviderRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        names(providers::list(&mut f.db().ex(), &alice).await.unwrap()),
        vec![a.clone()]
    );
    assert_eq!(
        names(
            providers::list(&mut f.db().ex(), &providers::Owner::System)
                .await
                .unwrap()
        ),
        vec![s.clone()]
    );
    assert!(providers::get(&mut f.db().ex(), &alice, &b).await.unwrap().is_none());
    assert!(providers::get(&mut f.db().ex(), &alice, &s).await.unwrap().is_none());
    assert!(
        providers::get(&mut f.db().ex(), &providers::Owner::System, &a)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        providers::update(&mut f.db().ex(), &alice, &b, &fields("stolen", None))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!providers::delete(&mut f.db().ex(), &alice, &b).await.unwrap());
    assert!(providers::get(&mut f.db().ex(), &bob, &b).await.unwrap().is_some());

    // Names are unique per owner, including among admin-level providers.
    let dup = providers::insert(
        &mut f.db().ex(),
        &alice,
        &providers::new_provider_id(),
        &fields("work", None),
    )
    .await;
    assert!(matches!(dup, Err(ref e) if e.code() == ErrorCode::Conflict), "{dup:?}");
    let dup = providers::insert(
        &mut f.db().ex(),
        &providers::Owner::System,
        &providers::new_provider_id(),
        &fields("work", None),
    )
    .await;
    assert!(matches!(dup, Err(ref e) if e.code() == ErrorCode::Conflict), "{dup:?}");
}

async fn system_config_and_audit(f: &Fixture) {
    let mut ex = f.db().ex();
    assert!(
        !system_config::flag(&mut ex, system_config::ONBOARDING_COMPLETED)
            .await
            .unwrap()
    );
    system_config::set(&mut ex, system_config::ONBOARDING_COMPLETED, "true", false)
        .await
        .unwrap();
    assert!(
        system_config::flag(&mut ex, system_config::ONBOARDING_COMPLETED)
            .await
            .unwrap()
    );
    system_config::set(&mut ex, "agent.image", "a:1", false).await.unwrap();
    system_config::set(&mut ex, "agent.image", "a:2", false).await.unwrap();
    assert_eq!(
        system_config::get(&mut ex, "agent.image").await.unwrap().unwrap().value,
        "a:2"
    );
    assert!(system_config::delete(&mut ex, "agent.image").await.unwrap());
    assert!(system_config::get(&mut ex, "agent.image").await.unwrap().is_none());

    audit::record(
        &mut ex,
        &Actor::System,
        "container.reap",
        Some("u1"),
        serde_json::json!({"reason": "idle"}),
    )
    .await
    .unwrap();
    let recent = audit::recent(&mut ex, 10).await.unwrap();
    assert_eq!(recent[0].action, "container.reap");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&recent[0].detail).unwrap()["reason"],
        "idle"
    );
    assert!(f.app.status().await.unwrap().onboarding_complete);
}

async fn transactions_roll_back(f: &Fixture) {
    {
        let mut tx = f.db().begin().await.unwrap();
        system_config::set(&mut tx.ex(), "x", "1", false).await.unwrap();
        // Dropped without commit.
    }
    assert!(system_config::get(&mut f.db().ex(), "x").await.unwrap().is_none());
    let mut tx = f.db().begin().await.unwrap();
    system_config::set(&mut tx.ex(), "x", "2", false).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        system_config::get(&mut f.db().ex(), "x").await.unwrap().unwrap().value,
        "2"
    );
}

/// The container manager's statements, on both backends.
async fn container_rows(f: &Fixture) {
    use mosaicd::store::containers::{self as rows, Kind, Starting};
    let alice = user(f, "alice@example.test").await;
    let bob = user(f, "bob@example.test").await;
    let mut ex = f.db().ex();
    let row = rows::ensure_user_row(&mut ex, &alice, "mosaic-user-a", 30)
        .await
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.generation, row.idle_timeout_min),
        ("stopped", 0, Some(30))
    );
    // Idempotent: the same row comes back.
    let again = rows::ensure_user_row(&mut ex, &alice, "mosaic-user-a", 45)
        .await
        .unwrap();
    assert_eq!(again.id, row.id);
    rows::ensure_user_row(&mut ex, &bob, "mosaic-user-b", 30).await.unwrap();

    let starting = Starting {
        id: &row.id,
        generation: 1,
        gateway_token: "enc:v1:x:y",
        gateway_token_hash: "hash-a",
        image: "img:1",
        config_hash: "0123456789abcdef",
        config_redacted: "{}",
        idle_timeout_min: 5,
    };
    assert!(rows::mark_starting(&mut ex, Kind::User, 0, &starting).await.unwrap());
    // A second writer that saw generation 0 loses.
    assert!(!rows::mark_starting(&mut ex, Kind::User, 0, &starting).await.unwrap());
    let (kind, found) = rows::by_token_hash(&mut ex, "hash-a").await.unwrap().unwrap();
    assert_eq!((kind, found.owner.as_str()), (Kind::User, alice.as_str()));
    assert!(rows::by_token_hash(&mut ex, "nope").await.unwrap().is_none());
    rows::mark_running(&mut ex, Kind::User, &row.id, 1, "cid-1")
        .await
        .unwrap();
    let running = rows::with_status(&mut ex, Kind::User, rows::ContainerState::Running)
        .await
        .unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].container_id.as_deref(), Some("cid-1"));
    assert_eq!(running[0].idle_timeout_min, Some(5));
    assert_eq!(running[0].generation, 1);
    rows::touch(&mut ex, &alice, 1_000).await.unwrap();
    rows::touch(&mut ex, &alice, 500).await.unwrap();
    let got = rows::get(&mut ex, Kind::User, &alice).await.unwrap().unwrap();
    assert!(got.last_active_at.unwrap() >= 1_000);
    rows::mark_adopted(&mut ex, Kind::User, &row.id, "cid-2").await.unwrap();
    rows::mark_stopped(
        &mut ex,
        Kind::User,
        &row.id,
        rows::ContainerState::Stopped,
        "idle",
        Some("idle for 60s"),
    )
    .await
    .unwrap();
    let got = rows::get(&mut ex, Kind::User, &alice).await.unwrap().unwrap();
    assert_eq!(got.status, rows::ContainerState::Stopped);
    assert_eq!(got.stop_reason.as_deref(), Some("idle"));
    assert!(got.gateway_token.is_none() && got.gateway_token_hash.is_none() && got.container_id.is_none());
    assert!(got.stopped_at.is_some());
    let owned = rows::user_page(&mut ex, 10, 0).await.unwrap();
    assert_eq!(owned.len(), 2);
    assert!(
        owned
            .iter()
            .any(|o| o.row.owner == alice && o.owner_label() == "alice@example.test" && !o.owner_inactive())
    );
    assert_eq!(rows::count(&mut ex, Kind::User).await.unwrap(), 2);
}

async fn system_agent_rows_and_internal_auth(f: &Fixture) {
    use mosaicd::store::containers::{self as rows, Kind, NewSystemAgent, Starting};
    let mut ex = f.db().ex();
    let agent = rows::insert_system_agent(
        &mut ex,
        &NewSystemAgent {
            name: "ops",
            role: "operations",
            provider_id: None,
            primary_model: "shared/big",
            personality: Some("Watch."),
        },
    )
    .await
    .unwrap();
    assert!(agent.is_active);
    let dup = rows::insert_system_agent(
        &mut ex,
        &NewSystemAgent {
            name: "ops",
            role: "x",
            provider_id: None,
            primary_model: "y",
            personality: None,
        },
    )
    .await;
    assert!(matches!(dup, Err(ref e) if e.code() == ErrorCode::Conflict), "{dup:?}");
    let row = rows::get(&mut ex, Kind::System, "ops").await.unwrap().unwrap();
    assert_eq!((row.last_active_at, row.idle_timeout_min), (None, None));
    // A token for the system agent opens its config and nothing else.
    let token = "system-token-0001";
    let encrypted = f
        .app
        .keys()
        .keyring()
        .encrypt(
            &Binding::new("system_container", row.id.clone(), "gateway_token"),
            token,
        )
        .unwrap();
    let hash = mosaicd::auth::tokens::hash(token);
    let starting = Starting {
        id: &row.id,
        generation: 1,
        gateway_token: &encrypted,
        gateway_token_hash: &hash,
        image: "img:1",
        config_hash: "h",
        config_redacted: "{}",
        idle_timeout_min: 30,
    };
    assert!(rows::mark_starting(&mut ex, Kind::System, 0, &starting).await.unwrap());
    let config = f
        .app
        .agents()
        .internal_agent_config("system", "ops", Some(token))
        .await
        .unwrap();
    assert_eq!(config.config["agents"]["defaults"]["model"]["primary"], "shared/big");
    assert_eq!(config.soul.as_deref(), Some("Watch."));
    let alice = user(f, "alice@example.test").await;
    rows::ensure_user_row(&mut ex, &alice, "mosaic-user-a", 30)
        .await
        .unwrap();
    let refused = f.app.agents().internal_agent_config("user", &alice, Some(token)).await;
    assert!(
        matches!(refused, Err(ref e) if e.code() == ErrorCode::Forbidden),
        "{refused:?}"
    );
    let unknown = f
        .app
        .agents()
        .internal_agent_config("system", "ops", Some("wrong"))
        .await;
    assert!(
        matches!(unknown, Err(ref e) if e.code() == ErrorCode::Unauthenticated),
        "{unknown:?}"
    );
    let missing = f
        .app
        .agents()
        .internal_agent_config("system", "nope", Some(token))
        .await;
    assert!(
        matches!(missing, Err(ref e) if e.code() == ErrorCode::NotFound),
        "{missing:?}"
    );
    // Key rotation carries the system gateway token along.
    let report = f.app.keys().rotate_key(&Actor::System, None).await.unwrap();
    assert!(report.reencrypted >= 2);
    let stored = rows::get(&mut ex, Kind::System, "ops")
        .await
        .unwrap()
        .unwrap()
        .gateway_token
        .unwrap();
    assert_eq!(
        f.app
            .keys()
            .keyring()
            .decrypt(
                &Binding::new("system_container", row.id.clone(), "gateway_token"),
                &stored
            )
            .unwrap(),
        token
    );
    assert_eq!(rows::system_agents(&mut ex).await.unwrap().len(), 1);
    assert!(rows::delete_system_agent(&mut ex, "ops").await.unwrap());
    assert!(rows::system_agent(&mut ex, "ops").await.unwrap().is_none());
}
