//! Writing a running daemon's data from the test, through mosaicd's own store: users, providers
//! (with API keys encrypted under the daemon's key), agent configs and system settings. The
//! daemon keeps its SQLite database in WAL mode, so the test writes beside it safely.

use std::path::Path;

use mosaicd::containers::settings as agent_settings;
use mosaicd::secrets::{Binding, Keyring};
use mosaicd::store::{Db, agent_config, providers, users};

pub struct Data {
    pub db: Db,
    pub keyring: Keyring,
}

impl Data {
    /// Opens the database and key file in `data_dir` (the daemon's `--data-dir`).
    pub async fn open(data_dir: &Path) -> Data {
        Self::open_with(None, data_dir).await
    }

    /// As [`open`](Self::open), for a daemon whose database is at `database_url`.
    pub async fn open_with(database_url: Option<&str>, data_dir: &Path) -> Data {
        let db = Db::open(database_url, data_dir)
            .await
            .expect("open the daemon's database");
        let (keyring, generated) =
            mosaicd::secrets::load(None, &data_dir.join("secret.key")).expect("load the daemon's key");
        assert!(!generated, "the daemon must have created its key first");
        Data { db, keyring }
    }

    /// A member with this email; returns the user id.
    pub async fn add_user(&self, email: &str) -> String {
        users::insert(
            &mut self.db.ex(),
            users::NewUser {
                email: Some(email),
                name: email.split('@').next().unwrap_or(email),
                role: mosaic_shared::types::Role::Member,
                auth_source: mosaic_shared::types::AuthSource::Local,
                invited_by: None,
            },
        )
        .await
        .expect("insert user")
    }

    /// A personal API token for `user_id` (no expiry); returns the token.
    pub async fn add_api_token(&self, user_id: &str) -> String {
        use mosaicd::auth::tokens;
        let token = tokens::generate(tokens::API_TOKEN_PREFIX);
        mosaicd::store::api_tokens::insert(
            &mut self.db.ex(),
            mosaicd::store::api_tokens::NewToken {
                user_id,
                name: "test",
                token_hash: &tokens::hash(&token),
                token_prefix: &token[..tokens::SHOWN_PREFIX_CHARS],
                now: mosaicd::store::now_ms(),
                expires_at: None,
            },
        )
        .await
        .expect("insert API token");
        token
    }

    pub async fn deactivate(&self, user_id: &str) {
        self.db
            .execute(
                mosaicd::store::q("UPDATE users SET deactivated_at = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(mosaicd::store::now_ms()),
            )
            .await
            .expect("deactivate");
    }

    /// A provider of `owner` (a user id, or `None` for an admin-level one) with an encrypted key
    /// and models `[{id}]`; returns its id.
    pub async fn add_provider(&self, owner: Option<&str>, name: &str, api_key: &str, models: &[&str]) -> String {
        let owner = match owner {
            Some(id) => providers::Owner::User(id.to_string()),
            None => providers::Owner::System,
        };
        let id = providers::new_provider_id();
        let encrypted = self
            .keyring
            .encrypt(&Binding::new("llm_provider", id.clone(), "api_key"), api_key)
            .expect("encrypt");
        let models: Vec<_> = models
            .iter()
            .map(|m| serde_json::json!({"id": m, "name": m.to_uppercase(), "contextWindow": 64000}))
            .collect();
        providers::insert(
            &mut self.db.ex(),
            &owner,
            &id,
            &providers::ProviderFields {
                name: name.to_string(),
                display_name: name.to_string(),
                kind: mosaic_shared::types::ProviderType::Custom,
                base_url: Some("http://192.0.2.10:8080/v1".into()),
                api_key: Some(encrypted),
                api_key_hint: Some(format!("…{}", &api_key[api_key.len().saturating_sub(4)..])),
                api_type: "openai-completions".into(),
                models: serde_json::Value::Array(models).to_string(),
                is_active: true,
            },
        )
        .await
        .expect("insert provider");
        id
    }

    pub async fn set_agent_config(&self, user_id: &str, primary: Option<&str>, personality: Option<&str>) {
        agent_config::put(
            &mut self.db.ex(),
            &agent_config::AgentConfigRow {
                user_id: user_id.to_string(),
                primary_model: primary.map(str::to_string),
                fallback_models: "[]".into(),
                personality: personality.map(str::to_string),
                provider_id: None,
                updated_at: 0,
            },
        )
        .await
        .expect("put agent config");
    }

    /// A validated system setting (`agent.image`, …).
    pub async fn set(&self, key: &str, value: &str) {
        mosaicd::service::agent_settings::set(&self.db, key, value)
            .await
            .unwrap_or_else(|e| panic!("set {key}={value}: {e}"));
    }

    /// Marks onboarding complete, as its last step does.
    pub async fn complete_onboarding(&self) {
        mosaicd::store::system_config::set(
            &mut self.db.ex(),
            mosaicd::store::system_config::ONBOARDING_COMPLETED,
            "true",
            false,
        )
        .await
        .expect("complete onboarding");
    }

    /// Settings for the test-agent images: `image` entrypoint mode, small limits, a start timeout.
    pub async fn use_image(&self, image: &str, start_timeout_sec: u32) {
        self.set(agent_settings::IMAGE, image).await;
        self.set(agent_settings::ENTRYPOINT, "image").await;
        self.set(agent_settings::MEMORY_MB, "128").await;
        self.set(agent_settings::CPUS, "0.5").await;
        self.set(agent_settings::PIDS_LIMIT, "64").await;
        self.set(agent_settings::STOP_TIMEOUT_SEC, "2").await;
        self.set(agent_settings::START_TIMEOUT_SEC, &start_timeout_sec.to_string())
            .await;
    }

    /// The audit log, oldest first: (actor, action, target, detail).
    pub async fn audit(&self) -> Vec<(String, String, Option<String>, serde_json::Value)> {
        let mut rows = mosaicd::store::audit::recent(&mut self.db.ex(), 10_000)
            .await
            .expect("audit log");
        rows.reverse();
        rows.into_iter()
            .map(|r| {
                (
                    r.actor,
                    r.action,
                    r.target,
                    serde_json::from_str(&r.detail).unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The decrypted gateway token of a running user container, as mosaicd holds it.
    pub async fn gateway_token(&self, kind: &str, owner: &str) -> Option<String> {
        use mosaicd::store::containers::{self, Kind};
        let kind = Kind::parse(kind).expect("kind");
        let row = containers::get(&mut self.db.ex(), kind, owner).await.expect("row")?;
        let stored = row.gateway_token?;
        Some(
            self.keyring
                .decrypt(
                    &Binding::new(mosaicd::store::containers::table(kind), row.id, "gateway_token"),
                    &stored,
                )
                .expect("decrypt token"),
        )
    }

    pub async fn close(self) {
        self.db.close().await;
    }
}

/// Inserts `n` members named `<prefix>-<i>@example.com`, each with a user container row in
/// `status` (generation 1, `detail` as its status detail, last active now), created at
/// `first_at`, `first_at + 1`, … (epoch ms), many rows per statement, as a large installation
/// would have them. Returns the user ids, in list order (oldest first).
pub async fn add_users_with_containers(
    db: &Db,
    prefix: &str,
    n: usize,
    first_at: i64,
    status: &str,
    detail: &str,
) -> Vec<String> {
    use mosaicd::store::{ROWS_PER_STATEMENT, now_ms, q_rows};
    let now = now_ms();
    let ids: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:06}")).collect();
    for (c, chunk) in ids.chunks(ROWS_PER_STATEMENT).enumerate() {
        let base = (c * ROWS_PER_STATEMENT) as i64;
        let mut users = q_rows(
            "INSERT INTO users (id, email, name, role, auth_source, created_at, updated_at) VALUES ",
            1,
            chunk.len(),
            7,
            "",
        );
        let mut containers = q_rows(
            "INSERT INTO user_container (id, user_id, container_name, status, status_detail, generation,
                 started_at, last_active_at, idle_timeout_min, image, created_at, updated_at) VALUES ",
            1,
            chunk.len(),
            12,
            "",
        );
        for (i, id) in chunk.iter().enumerate() {
            let at = first_at + base + i as i64;
            users = users
                .bind(id.as_str())
                .bind(format!("{id}@example.com"))
                .bind(id.as_str())
                .bind("member")
                .bind("local")
                .bind(at)
                .bind(at);
            containers = containers
                .bind(format!("c-{id}"))
                .bind(id.as_str())
                .bind(format!("mosaic-user-{id}"))
                .bind(status)
                .bind(detail)
                .bind(1i64)
                .bind(now)
                .bind(now)
                .bind(30i64)
                .bind("ghcr.io/openclaw/openclaw:latest")
                .bind(at)
                .bind(at);
        }
        db.execute(users).await.expect("insert users");
        db.execute(containers).await.expect("insert containers");
    }
    ids
}
