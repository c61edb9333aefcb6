//! The HTTP API through real HTTP against the real daemon: auth, users, providers, agent config,
//! admin settings, isolation between users, hardening (errors, CORS, CSRF, limits), metrics and
//! the OpenAPI document. A representative subset also runs on PostgreSQL.

mod admin;
mod auth;
mod chat;
mod errors;
mod hardening;
mod isolation;
mod meta;
mod providers;
mod runtime;
mod throttle;
mod usage;
mod users;

use libtest_mimic::Trial;
use mosaic_tests::docker::Driver;
use mosaic_tests::http::{Api, Auth, Session};
use mosaic_tests::{Daemon, DaemonOptions, postgres, trial};
use mosaicd::store::{Db, q};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Registers `body` as `http::<name>` (SQLite), and also as `http::postgres::<name>` when
/// `both` is set.
fn add<F, Fut>(trials: &mut Vec<Trial>, name: &str, both: bool, body: F)
where
    F: Fn(Backend) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let sqlite = body.clone();
    trials.push(trial(&format!("http::{name}"), move || sqlite(Backend::Sqlite)));
    if both {
        trials.push(trial(&format!("http::postgres::{name}"), move || {
            body(Backend::Postgres)
        }));
    }
}

pub fn trials() -> Vec<Trial> {
    let mut t = Vec::new();
    add(&mut t, "auth::login_session_logout", true, auth::login_session_logout);
    add(
        &mut t,
        "auth::session_expiry_and_idle_timeout",
        false,
        auth::session_expiry,
    );
    add(&mut t, "auth::api_tokens", false, auth::api_tokens);
    add(&mut t, "auth::invite_accept_login", true, auth::invite_accept_login);
    add(&mut t, "auth::invite_expiry", false, auth::invite_expiry);
    add(&mut t, "auth::csrf", false, auth::csrf);
    add(
        &mut t,
        "throttle::brute_force_is_throttled",
        false,
        throttle::brute_force_is_throttled,
    );
    add(
        &mut t,
        "throttle::invite_and_setup_tokens_are_throttled",
        false,
        throttle::invite_and_setup_tokens_are_throttled,
    );
    add(
        &mut t,
        "throttle::login_flood_memory_is_bounded",
        false,
        throttle::login_flood_memory_is_bounded,
    );
    add(&mut t, "users::pagination_edge_cases", true, users::pagination);
    add(
        &mut t,
        "users::update_deactivate_reactivate",
        false,
        users::update_deactivate_reactivate,
    );
    add(&mut t, "providers::crud_and_masking", true, providers::crud_and_masking);
    add(&mut t, "providers::connection_test", false, providers::connection_test);
    add(
        &mut t,
        "providers::key_bound_to_origin",
        false,
        providers::key_bound_to_origin,
    );
    add(
        &mut t,
        "providers::base_url_name_checked_at_save",
        true,
        providers::base_url_name_checked_at_save,
    );
    add(
        &mut t,
        "providers::connection_timeout",
        false,
        providers::connection_timeout,
    );
    add(
        &mut t,
        "providers::agent_config_validation",
        false,
        providers::agent_config,
    );
    add(
        &mut t,
        "isolation::cross_user_matrix",
        true,
        isolation::cross_user_matrix,
    );
    add(&mut t, "admin::oidc_settings", false, admin::oidc_settings);
    add(&mut t, "admin::members_are_refused", false, admin::members_are_refused);
    add(&mut t, "hardening::error_shapes", false, hardening::error_shapes);
    add(&mut t, "hardening::limits", false, hardening::limits);
    add(&mut t, "errors::cut_off_body", false, errors::cut_off_body);
    add(
        &mut t,
        "errors::stored_key_of_another_provider",
        true,
        errors::stored_key_of_another_provider,
    );
    add(&mut t, "hardening::cors", false, hardening::cors);
    add(&mut t, "meta::health_and_readiness", false, meta::health);
    add(&mut t, "meta::metrics_exposition", true, meta::metrics);
    add(&mut t, "meta::openapi_matches_routes", false, meta::openapi);
    add(
        &mut t,
        "meta::answers_match_documented_schemas",
        false,
        meta::answers_match_schemas,
    );
    add(&mut t, "meta::request_ids", false, meta::request_ids);
    add(&mut t, "usage::report_queries", true, usage::report_queries);
    add(
        &mut t,
        "admin::agent_runtime_settings",
        false,
        admin::agent_runtime_settings,
    );
    // The chat proxy and the container views: real containers, so SQLite only (the store is
    // covered on both backends elsewhere).
    t.push(trial(
        "http::chat::non_streaming_and_passthrough",
        chat::non_streaming_and_passthrough,
    ));
    t.push(trial("http::chat::streaming_is_unbuffered", || {
        chat::streaming_is_unbuffered(Driver::Docker)
    }));
    t.push(trial("http::chat::cold_start_streaming_heartbeats", || {
        chat::cold_start_streaming_heartbeats(Driver::Docker)
    }));
    t.push(trial("http::chat::cold_start_timeout", || {
        chat::cold_start_timeout(Driver::Docker)
    }));
    t.push(trial(
        "http::chat::disconnect_cancels_upstream",
        chat::disconnect_cancels_upstream,
    ));
    t.push(trial(
        "http::chat::no_reap_while_streaming",
        chat::no_reap_while_streaming,
    ));
    t.push(trial(
        "http::chat::agent_errors_pass_through",
        chat::agent_errors_pass_through,
    ));
    t.push(trial(
        "http::chat::cannot_reach_another_users_container",
        chat::cannot_reach_another_users_container,
    ));
    t.push(trial("http::chat::killed_container_restarts_on_next_chat", || {
        chat::killed_container_restarts_on_next_chat(Driver::Docker)
    }));
    t.push(trial("http::chat::openai_sdk", chat::openai_sdk));
    t.push(trial(
        "http::chat::requests_refused_before_the_agent",
        chat::requests_refused_before_the_agent,
    ));
    t.push(trial("http::chat::system_agents", || {
        chat::system_agents(Driver::Docker)
    }));
    t.push(trial(
        "http::usage::figures_through_the_proxy",
        usage::figures_through_the_proxy,
    ));
    t.extend(runtime::trials());
    t
}

/// A running daemon with a breakglass admin logged in over HTTP.
pub struct World {
    pub daemon: Daemon,
    pub api: Api,
    pub admin: Session,
    database_url: Option<String>,
}

impl World {
    pub async fn start(backend: Backend) -> World {
        Self::start_with(backend, DaemonOptions::default()).await
    }

    pub async fn start_with(backend: Backend, mut options: DaemonOptions) -> World {
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let (_, url) = postgres::server().create_database();
                options = options.env("DATABASE_URL", &url);
                Some(url)
            }
        };
        let daemon = Daemon::start_with(options);
        daemon
            .ctl_stdin(
                &["admin", "create-breakglass", "--username", "admin", "--password-stdin"],
                &format!("{PASSWORD}\n"),
            )
            .ok();
        let api = Api::new(&daemon);
        let admin = api.login("admin", PASSWORD).await;
        World {
            daemon,
            api,
            admin,
            database_url,
        }
    }

    /// Invites `email` as a member, accepts the invite and logs them in.
    pub async fn member(&self, email: &str) -> Session {
        let invite = self
            .api
            .post(
                "/api/admin/users/invite",
                Auth::Session(&self.admin),
                &json!({ "email": email }),
            )
            .await
            .expect(201);
        self.api
            .post(
                "/api/auth/invite/accept",
                Auth::None,
                &json!({ "token": invite["inviteToken"], "password": PASSWORD }),
            )
            .await
            .expect(200);
        self.api.login(email, PASSWORD).await
    }

    /// The daemon's database, opened beside it.
    pub async fn db(&self) -> Db {
        Db::open(self.database_url.as_deref(), &self.daemon.data_dir)
            .await
            .expect("open the daemon's database")
    }

    /// Every audit row, as text.
    pub async fn audit_text(&self) -> String {
        let db = self.db().await;
        let rows: Vec<(String, String, Option<String>, String)> = db
            .all(q("SELECT actor, action, target, detail FROM audit_log ORDER BY at"))
            .await
            .expect("audit rows");
        db.close().await;
        rows.iter()
            .map(|(a, b, c, d)| format!("{a} {b} {} {d}", c.as_deref().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every audit action recorded so far, in order.
    pub async fn audit_actions(&self) -> Vec<String> {
        let db = self.db().await;
        let rows: Vec<(String,)> = db
            .all(q("SELECT action FROM audit_log ORDER BY at, id"))
            .await
            .expect("audit rows");
        db.close().await;
        rows.into_iter().map(|(a,)| a).collect()
    }
}

/// Asserts that `needle` appears nowhere in `haystack`, naming where.
#[track_caller]
pub fn assert_absent(needle: &str, haystack: &str, place: &str) {
    assert!(!haystack.contains(needle), "the secret appears in {place}");
}

pub fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("no string field {name} in {v}"))
}
