//! What Mosaic hands the real OpenClaw gateway, checked against the test double, which refuses
//! at start everything the real gateway refuses (`tests/test-agent/README.md` lists each rule,
//! where in OpenClaw's source it comes from, and the tests that cover it). Every test here runs
//! a real container on the real Docker Engine.

use libtest_mimic::Trial;
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, container_ip, docker, images};
use mosaic_tests::http::{Api, Auth, Session};
use mosaic_tests::trial;
use serde_json::{Value, json};

use crate::http::{Backend, World, field};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "openclaw::config_the_strict_double_accepts",
            config_the_strict_double_accepts,
        ),
        trial(
            "openclaw::user_text_reaches_the_agent_literally",
            user_text_reaches_the_agent_literally,
        ),
        trial("openclaw::personality_and_first_run", personality_and_first_run),
        trial("openclaw::readiness_gates_the_start", readiness_gates_the_start),
        trial("openclaw::entrypoint_on_a_slim_image", entrypoint_on_a_slim_image),
        trial("openclaw::agent_image_checks_and_doctor", agent_image_checks_and_doctor),
        trial("openclaw::render_and_models", render_and_models),
    ]
}

/// A daemon with a breakglass admin on HTTP and the test images; dropped in field order (the
/// daemon stops, then the instance's Docker objects are removed).
struct Agents {
    w: World,
    data: Data,
    scope: InstanceScope,
}

impl Agents {
    async fn start(image: &str, start_timeout_sec: u32) -> Agents {
        let scope = InstanceScope::new();
        let w = World::start_with(Backend::Sqlite, docker::daemon_options(&scope.instance)).await;
        let data = Data::open(&w.daemon.data_dir).await;
        data.use_image(image, start_timeout_sec).await;
        Agents { w, data, scope }
    }

    fn api(&self) -> &Api {
        &self.w.api
    }

    /// Lets providers live on private addresses (a local Ollama).
    async fn allow_private_urls(&self) {
        self.api()
            .patch(
                "/api/admin/settings",
                Auth::Session(&self.w.admin),
                &json!({ "allowPrivateProviderUrls": true }),
            )
            .await
            .expect(200);
    }

    /// A chat through mosaicd, answered by the member's agent; the reply text.
    async fn chat(&self, member: &Session, text: &str) -> String {
        let reply = self
            .api()
            .post(
                "/api/chat/completions",
                Auth::Session(member),
                &json!({ "model": "openclaw", "messages": [{ "role": "user", "content": text }] }),
            )
            .await
            .expect(200);
        reply["choices"][0]["message"]["content"]
            .as_str()
            .expect("reply text")
            .to_string()
    }

    /// The config the gateway runs with after its own `${…}` substitution (keys shown as ***).
    async fn effective_config(&self, member: &Session) -> Value {
        let reply = self.chat(member, "show mock:config=1").await;
        bracketed_json(&reply, "config")
    }

    /// The workspace's markdown files and their first lines.
    async fn workspace(&self, member: &Session) -> Value {
        let reply = self.chat(member, "show mock:workspace=1").await;
        bracketed_json(&reply, "workspace")
    }

    fn restart(&self, member: &Session) {
        self.w.daemon.ctl(&["containers", "restart", &member.user_id]).ok();
    }
}

/// The JSON after ` [name=` in a reply of the double, up to its closing bracket.
fn bracketed_json(reply: &str, name: &str) -> Value {
    let start = reply
        .find(&format!("[{name}="))
        .unwrap_or_else(|| panic!("no [{name}=…] in the reply: {reply}"))
        + name.len()
        + 2;
    let text = &reply[start..reply.len() - 1];
    serde_json::from_str(text).unwrap_or_else(|e| panic!("[{name}=…] is not JSON ({e}): {reply}"))
}

/// The `openclaw.json` the container received, as written into its state directory.
fn written_config(container: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    docker(&[
        "cp",
        &format!("{container}:/home/node/.openclaw/openclaw.json"),
        dir.path().to_str().unwrap(),
    ])
    .ok();
    serde_json::from_str(&std::fs::read_to_string(dir.path().join("openclaw.json")).unwrap()).unwrap()
}

/// Keyed and keyless providers of every kind, the Control UI switch, Docker's init and the
/// environment: the double starts with the config (it refuses a non-loopback Control UI without
/// allowed origins, a provider without a key, an unknown `api`, an unknown key, a bad model
/// reference), and the container is made as OpenClaw's Docker guide has it.
async fn config_the_strict_double_accepts() {
    let a = Agents::start(&images().normal, 30).await;
    a.allow_private_urls().await;
    let alice = a.w.member("alice@example.com").await;
    let me = Auth::Session(&alice);
    let canary = "sk-canary-keyed-8f14e45fceea167a5a36dedd4bea2543";
    for body in [
        json!({ "name": "keyed", "type": "openai", "apiKey": canary, "models": [{ "id": "gpt-x" }] }),
        // No apiType: Ollama's own API is the default. No key: OpenClaw gets its marker.
        json!({ "name": "local", "type": "ollama", "baseUrl": "http://10.0.0.5:11434", "models": [{ "id": "llama3" }] }),
        json!({ "name": "gateway", "type": "custom", "baseUrl": "http://10.0.0.6:8000/v1", "models": [{ "id": "m" }] }),
    ] {
        a.api().post("/api/providers", me, &body).await.expect(201);
    }
    let listed = a.api().get("/api/providers", me).await.expect(200);
    let local = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "local")
        .unwrap();
    assert_eq!(local["apiType"], "ollama");
    // Ollama's native API takes the server's address; /v1 is its OpenAI-compatible one.
    let refused = a
        .api()
        .patch(
            &format!("/api/providers/{}", field(local, "id")),
            me,
            &json!({ "baseUrl": "http://10.0.0.5:11434/v1" }),
        )
        .await
        .error(400, "invalid_input");
    assert!(refused.contains("without /v1"), "{refused}");
    a.api()
        .put(
            "/api/agent-config",
            me,
            &json!({ "primaryModel": "keyed/gpt-x", "fallbackModels": ["local/llama3", "gateway/m"] }),
        )
        .await
        .expect(200);

    // The double starts with this config (it refuses what OpenClaw refuses) and answers.
    let effective = a.effective_config(&alice).await;
    assert_eq!(effective["models"]["providers"]["local"]["api"], "ollama");
    let name = format!("mosaic-user-{}", alice.user_id);
    let written = written_config(&name);
    assert_eq!(written["gateway"]["controlUi"], json!({ "enabled": false }));
    let providers = &written["models"]["providers"];
    assert_eq!(providers["keyed"]["apiKey"], canary);
    assert_eq!(providers["local"]["apiKey"], "ollama-local");
    assert_eq!(providers["gateway"]["apiKey"], "custom-local");
    assert_eq!(providers["local"]["baseUrl"], "http://10.0.0.5:11434");
    assert_eq!(written["agents"]["defaults"]["skipBootstrap"], false);

    let inspect: Value = serde_json::from_str(docker(&["inspect", &name]).ok()).unwrap();
    assert_eq!(inspect[0]["HostConfig"]["Init"], true, "Docker's init is PID 1");
    let env: Vec<&str> = inspect[0]["Config"]["Env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(env.contains(&"OPENCLAW_DISABLE_BONJOUR=1"), "{env:?}");
}

/// `${VAR}` typed by a user (a base URL, a model id and name) reaches the gateway as typed, and
/// neither expands (the gateway's own token is in its environment) nor stops the gateway (a
/// variable that is not set). Placeholders OpenClaw versions read differently are refused.
async fn user_text_reaches_the_agent_literally() {
    let a = Agents::start(&images().normal, 30).await;
    a.allow_private_urls().await;
    let alice = a.w.member("alice@example.com").await;
    let me = Auth::Session(&alice);
    let created = a
        .api()
        .post(
            "/api/providers",
            me,
            &json!({
                "name": "p", "type": "custom", "apiKey": "sk-literal-0001",
                "baseUrl": "http://10.0.0.7:8080/${OPENCLAW_GATEWAY_TOKEN}/v1",
                "models": [{ "id": "m${NOT_SET}", "name": "${NOT_SET} and $${HOME}" }]
            }),
        )
        .await
        .expect(201);
    let base_url = field(&created, "baseUrl").to_string();
    a.api()
        .put("/api/agent-config", me, &json!({ "primaryModel": "p/m${NOT_SET}" }))
        .await
        .expect(200);
    for model in ["m${A:-b}", "m${pass:team/key}"] {
        let message = a
            .api()
            .post(
                "/api/providers",
                me,
                &json!({ "name": "q", "type": "custom", "baseUrl": "http://10.0.0.7:8080/v1", "models": [{ "id": model }] }),
            )
            .await
            .error(400, "invalid_input");
        assert!(message.contains("OpenClaw would replace it"), "{message}");
    }
    // OpenClaw reads an API key of the form ${NAME} as an environment variable's name.
    let message = a
        .api()
        .post(
            "/api/providers",
            me,
            &json!({ "name": "q", "type": "openai", "apiKey": "${OPENAI_API_KEY}", "models": [{ "id": "m" }] }),
        )
        .await
        .error(400, "invalid_input");
    assert!(message.contains("environment variable"), "{message}");

    let effective = a.effective_config(&alice).await;
    let provider = &effective["models"]["providers"]["p"];
    assert_eq!(provider["baseUrl"], base_url.as_str());
    assert_eq!(provider["models"][0]["id"], "m${NOT_SET}");
    assert_eq!(provider["models"][0]["name"], "${NOT_SET} and $${HOME}");
    assert_eq!(effective["agents"]["defaults"]["model"]["primary"], "p/m${NOT_SET}");
    let token = a.data.gateway_token("user", &alice.user_id).await.unwrap();
    assert!(
        !effective.to_string().contains(&token),
        "the gateway token was substituted"
    );
}

/// With a personality Mosaic's SOUL.md is the agent's and OpenClaw's first-run files are not
/// written; without one the agent gets OpenClaw's own first run, and a personality removed later
/// gives way to OpenClaw's template again.
async fn personality_and_first_run() {
    let a = Agents::start(&images().normal, 30).await;
    let alice = a.w.member("alice@example.com").await;
    let me = Auth::Session(&alice);
    a.data
        .add_provider(Some(&alice.user_id), "p", "sk-soul-0001", &["m"])
        .await;
    a.api()
        .put("/api/agent-config", me, &json!({ "primaryModel": "p/m" }))
        .await
        .expect(200);
    let first = a.workspace(&alice).await;
    let template = first["SOUL.md"]
        .as_str()
        .expect("OpenClaw's template SOUL.md")
        .to_string();
    assert!(
        first.get("BOOTSTRAP.md").is_some(),
        "a new workspace gets the ritual: {first}"
    );

    a.api()
        .put(
            "/api/agent-config",
            me,
            &json!({ "primaryModel": "p/m", "personality": "# Ada\nPrecise and kind.\n" }),
        )
        .await
        .expect(200);
    let with_soul = a.workspace(&alice).await;
    assert_eq!(with_soul["SOUL.md"], "# Ada", "{with_soul}");
    assert!(
        with_soul.get("BOOTSTRAP.md").is_none(),
        "a personality replaces the ritual: {with_soul}"
    );
    assert_eq!(
        written_config(&format!("mosaic-user-{}", alice.user_id))["agents"]["defaults"]["skipBootstrap"],
        true
    );

    a.api()
        .put(
            "/api/agent-config",
            me,
            &json!({ "primaryModel": "p/m", "personality": null }),
        )
        .await
        .expect(200);
    a.restart(&alice);
    let cleared = a.workspace(&alice).await;
    assert_eq!(cleared["SOUL.md"], template.as_str(), "{cleared}");
}

/// A start waits for `/readyz`, not only for liveness: the late-ready image is live at once and
/// ready only later, and the start answers when it is ready.
async fn readiness_gates_the_start() {
    let a = Agents::start(&images().late_ready, 30).await;
    let alice = a.data.add_user("alice@example.com").await;
    a.w.daemon.ctl(&["containers", "start", &alice]).ok();
    let ip = container_ip(&format!("mosaic-user-{alice}"), &a.scope.network()).unwrap();
    let ready = reqwest::get(format!("http://{ip}:18789/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap(), json!({ "ready": true }));
}

/// Mosaic's entrypoint script on an image like OpenClaw's slim one: no curl, no wget, but node.
async fn entrypoint_on_a_slim_image() {
    let Some(image) = docker::slim_node_image() else {
        mosaic_tests::ci::missing("BusyBox at /bin/busybox and Node.js (node) on the host");
    };
    let a = Agents::start(image, 60).await;
    a.data.set("agent.entrypoint", "script").await;
    let alice = a.w.member("alice@example.com").await;
    a.data
        .add_provider(Some(&alice.user_id), "p", "sk-slim-0001", &["m"])
        .await;
    a.data
        .set_agent_config(&alice.user_id, Some("p/m"), Some("# Slim\n"))
        .await;
    let reply = a.chat(&alice, "hello").await;
    assert!(reply.contains("[primary=p/m]"), "{reply}");
    let soul = a.workspace(&alice).await;
    assert_eq!(soul["SOUL.md"], "# Slim", "{soul}");
}

/// `agent.image` is checked when it is set (on the engine or in its registry, not older than
/// Mosaic supports), the default is a pinned release, and `containers doctor` runs the checks
/// and a trial start, leaving nothing behind.
async fn agent_image_checks_and_doctor() {
    let a = Agents::start(&images().normal, 10).await;
    let ctl = |args: &[&str]| a.w.daemon.ctl(args);
    // What a fresh daemon would use: a pinned OpenClaw release, not :latest.
    let unset = ctl(&["config", "unset", "agent.image"]);
    unset.ok();
    let default = ctl(&["config", "get", "agent.image"]).ok().trim().to_string();
    assert_eq!(default, "ghcr.io/openclaw/openclaw:2026.5.22");

    ctl(&[
        "config",
        "set",
        "agent.image",
        "registry.invalid/openclaw/openclaw:2026.9.1",
    ])
    .fails(5, "is not on the Docker engine and its registry cannot be asked");
    ctl(&["config", "set", "agent.image", &images().outdated]).fails(5, "OpenClaw 2026.4.1 is older than 2026.5.22");
    let refused = a
        .api()
        .patch(
            "/api/admin/settings",
            Auth::Session(&a.w.admin),
            &json!({ "agent": { "image": images().outdated } }),
        )
        .await
        .error(400, "invalid_input");
    assert!(refused.contains("older than 2026.5.22"), "{refused}");
    ctl(&["config", "set", "agent.image", &images().normal]).ok();

    let report = ctl(&["containers", "doctor", "--json"]).json();
    let steps: Vec<(&str, bool)> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("docker", true),
            ("image", true),
            ("version", true),
            ("trial start", true)
        ],
        "{report}"
    );
    let failing = ctl(&["containers", "doctor", "--image", &images().failing]);
    failing.fails(8, "failed the trial start check");
    assert!(failing.stdout.contains("FAILED"), "{failing:?}");
    let leftovers = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=mosaic.instance={}", a.scope.instance),
        "--filter",
        "label=mosaic.object=trial",
    ]);
    assert_eq!(leftovers.ok().trim(), "", "trial containers are removed");
    let volumes = docker(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=mosaic.instance={}", a.scope.instance),
        "--filter",
        "label=mosaic.object=trial",
    ]);
    assert_eq!(volumes.ok().trim(), "", "trial volumes are removed");
}

/// `mosaicctl agent-config render` shows what an agent would get, keys masked; `GET /api/models`
/// lists the agents in OpenAI's shape without starting a container.
async fn render_and_models() {
    let a = Agents::start(&images().normal, 30).await;
    let alice = a.w.member("alice@example.com").await;
    let canary = "sk-canary-render-c4ca4238a0b923820dcc509a6f75849b";
    a.data.add_provider(Some(&alice.user_id), "p", canary, &["m"]).await;
    a.data
        .set_agent_config(&alice.user_id, Some("p/m"), Some("# Render\n"))
        .await;
    let text = a.w.daemon.ctl(&["agent-config", "render", "alice@example.com"]);
    let out = text.ok();
    assert!(
        out.contains("\"controlUi\"") && out.contains("# SOUL.md\n# Render"),
        "{out}"
    );
    assert!(!out.contains(canary), "the key is masked");
    let rendered =
        a.w.daemon
            .ctl(&["agent-config", "render", &alice.user_id, "--json"])
            .json();
    assert_eq!(rendered["agent"], format!("user/{}", alice.user_id));
    assert_eq!(rendered["openclawJson"]["models"]["providers"]["p"]["apiKey"], "…849b");
    assert_eq!(rendered["soul"], "# Render\n");

    let token = a
        .api()
        .post("/api/tokens", Auth::Session(&alice), &json!({ "name": "sdk" }))
        .await
        .expect(201);
    let models = a
        .api()
        .get("/api/models", Auth::Bearer(field(&token, "token")))
        .await
        .expect(200);
    assert_eq!(
        models,
        json!({ "object": "list", "data": [{ "id": "openclaw", "object": "model", "created": 0, "owned_by": "openclaw" }] })
    );
    assert!(a.scope.containers().is_empty(), "listing models starts no container");
}
