//! `mosaicctl onboard` through the real binaries against a real daemon over the real socket: the
//! wizard on a pseudo-terminal as a person drives it (a full run with a failing OIDC discovery
//! then skip, a failing provider test then edit, back; Ctrl-C and resume), the answers file as
//! CI uses it (refusals that change nothing, exit codes, a full run with a system agent on the
//! real Docker Engine), and the WebUI's step 4 over HTTP. Canary secrets must appear nowhere.

use std::process::Command;

use libtest_mimic::Trial;
use mosaic_tests::daemon::free_port;
use mosaic_tests::data::Data;
use mosaic_tests::docker::{self, InstanceScope, images};
use mosaic_tests::fake_provider::FakeProvider;
use mosaic_tests::http::{Api, Auth};
use mosaic_tests::pty::Pty;
use mosaic_tests::{Daemon, Out, bins, oidc, trial};
use reqwest::Method;
use serde_json::{Value, json};

use crate::onboarding::{Setup, logged_tokens};

const PASSWORD: &str = "correct horse battery";

pub fn trials() -> Vec<Trial> {
    vec![
        trial("onboard_cli::wizard_full_run", wizard_full_run),
        trial("onboard_cli::wizard_interrupted_and_resumed", wizard_resumed),
        trial("onboard_cli::answers_refusals_change_nothing", answers_refusals),
        trial("onboard_cli::answers_full_run_with_system_agent", answers_full_run),
        trial("onboard_cli::http_system_agents_step", http_system_agents),
    ]
}

fn canary(what: &str) -> String {
    format!("{what}-canary-{}", uuid::Uuid::new_v4().simple())
}

fn wizard(daemon: &Daemon, args: &[&str]) -> Pty {
    let mut command = Command::new(bins::mosaicctl());
    command
        .arg("--socket")
        .arg(&daemon.socket)
        .arg("onboard")
        .args(args)
        .env_remove("MOSAIC_SOCKET");
    Pty::spawn(command)
}

#[track_caller]
fn assert_absent(haystack: &str, secrets: &[&str], place: &str) {
    for secret in secrets {
        crate::http::assert_absent(secret, haystack, place);
    }
}

fn status(daemon: &Daemon) -> Value {
    daemon.ctl(&["onboard", "--status", "--json"]).json()
}

fn allow_private_provider_urls(daemon: &Daemon) {
    daemon
        .ctl(&["config", "set", "providers.allowPrivateUrls", "true"])
        .ok();
}

/// The whole wizard: step 1; step 2 with an issuer that does not answer, then skip; step 3 with a
/// wrong key, then edited with the right one; back from step 4 to a kept step 3; step 4 skipped,
/// then from step 5 back to it to add a system agent (a refused name first) on the real Docker
/// Engine; complete. Then it refuses to run again.
async fn wizard_full_run() {
    docker::require();
    let scope = InstanceScope::new();
    let daemon = Daemon::start_with(docker::daemon_options(&scope.instance));
    Data::open(&daemon.data_dir).await.use_image(&images().normal, 30).await;
    let agent = format!("ops-{}", scope.instance);
    let right_key = canary("sk-right");
    let wrong_key = canary("sk-wrong");
    let oidc_secret = canary("oidc-secret");
    let fake = FakeProvider::start(&right_key).await;
    allow_private_provider_urls(&daemon);
    let dead = format!("http://127.0.0.1:{}", free_port());

    let mut w = wizard(&daemon, &[]);
    w.expect("Step 1 of 5: Breakglass admin");
    w.expect("Username");
    w.send_line(""); // the default, admin
    w.expect("Password");
    w.send_secret(PASSWORD);
    w.expect("Repeat password");
    w.send_secret(PASSWORD);
    w.expect("✓ Breakglass admin 'admin' is ready.");

    w.expect("Step 2 of 5: OpenID Connect");
    w.expect("What now?");
    w.send("\r"); // Set it up
    w.expect("Issuer URL");
    w.send_line(&dead);
    w.expect("Client ID");
    w.send_line("mosaic");
    w.expect("Client secret (input hidden; empty for a public client)");
    w.send_secret(&oidc_secret);
    w.expect("✗ cannot use the OpenID provider");
    w.expect(&dead);
    w.expect("What now?");
    w.send("j\r"); // Skip OpenID Connect for now
    w.expect("✓ OpenID Connect skipped.");

    w.expect("Step 3 of 5: First LLM provider");
    w.expect("Provider type");
    w.send("jjjj\r"); // custom
    w.expect("Name (the NAME in NAME/MODEL)");
    w.send_line("main");
    w.expect("Base URL");
    w.send_line(&fake.base_url());
    w.expect("API key (input hidden; empty for none)");
    w.send_secret(&wrong_key);
    w.expect("Models");
    w.send_line("fake-small fake-large");
    w.expect("the connection test failed, so nothing was saved");
    w.expect("What now?");
    w.send("\r"); // Edit the answers and test again
    w.expect("Provider type");
    w.send("\r"); // still custom
    w.expect("Name (the NAME in NAME/MODEL)");
    w.send_line("");
    w.expect("Base URL");
    w.send_line("");
    w.expect("API key (input hidden; empty keeps the one typed before)");
    w.send_secret(&right_key);
    w.expect("Models");
    w.send_line("");
    w.expect("✓ Saved provider main as the default admin-level provider.");

    w.expect("Step 4 of 5: System agents");
    w.expect("What now?");
    w.send("jj\r"); // Back
    w.expect("Step 3 of 5: First LLM provider");
    w.expect("Done: main (custom");
    w.expect("fake-small, fake-large");
    w.expect("What now?");
    w.send("\r"); // Keep it
    w.expect("Step 4 of 5: System agents");
    w.expect("What now?");
    w.send("j\r"); // Skip
    w.expect("✓ System agents skipped.");
    // Back to step 4 from step 5, to add an agent after all; a refused name shows the step again.
    w.expect("Complete onboarding now?");
    w.send("n");
    w.expect("What now?");
    w.send("\r"); // Back
    w.expect("Skipped: users chat with their own agents only.");
    w.expect("What now?");
    w.send("j\r"); // Set it up
    w.expect("Name (the container is mosaic-system-NAME)");
    w.send_line("Bad_Name");
    w.expect("Role");
    w.send_line("");
    w.expect("Model");
    w.send_line("");
    w.expect("✗ system agent Bad_Name: invalid system agent name");
    w.expect("Step 4 of 5: System agents");
    w.expect("What now?");
    w.send("j\r"); // Set it up
    w.expect("Name (the container is mosaic-system-NAME)");
    w.send_line(&agent);
    w.expect("Role [operations]");
    w.send_line("");
    w.expect("Model (a model of the default provider, or PROVIDER/MODEL) [fake-small]");
    w.send_line("");
    w.expect_within(
        &format!("✓ System agent {agent} is running (mosaic-system-{agent})."),
        std::time::Duration::from_secs(60),
    );

    w.expect("Step 5 of 5: Complete");
    w.expect("Complete onboarding now?");
    w.send("y");
    w.expect("✓ Onboarding complete. Log in to the WebUI as admin.");
    let (exit, transcript) = w.finish();
    assert!(exit.success(), "{exit:?}\n{transcript}");
    let secrets = [right_key.as_str(), wrong_key.as_str(), oidc_secret.as_str(), PASSWORD];
    assert_absent(&transcript, &secrets, "the wizard");
    assert_absent(&daemon.log(), &secrets, "mosaicd's log");

    let s = status(&daemon);
    assert_eq!(s["complete"], true, "{s}");
    assert_eq!(s["steps"]["oidc"]["state"], "skipped");
    assert_eq!(s["steps"]["systemAgents"]["state"], "done");
    assert_eq!(s["steps"]["systemAgents"]["count"], 1);
    let agents = daemon.ctl(&["system-agents", "ls", "--json"]).json();
    assert_eq!(agents[0]["provider"], "main", "{agents}");
    assert_eq!(agents[0]["primaryModel"], "fake-small", "{agents}");
    let provider = &s["steps"]["provider"]["provider"];
    assert_eq!(provider["name"], "main");
    assert_eq!(provider["models"].as_array().map(Vec::len), Some(2), "{s}");
    // The corrected key is the one saved: the provider's test passes with it.
    assert!(daemon.ctl(&["providers", "test", "main"]).ok().contains("ok"));
    // The breakglass admin logs in over HTTP.
    Api::new(&daemon).login("admin", PASSWORD).await;

    // Nothing is left to do: a rerun says so and exits with the conflict status.
    let again = daemon.ctl(&["onboard", "--answers", "/nonexistent"]);
    again.fails(5, "cannot read the answers file");
    let mut w = wizard(&daemon, &[]);
    w.expect("onboarding is already complete");
    let (exit, _) = w.finish();
    assert_eq!(exit.code(), Some(7));
    daemon.ctl(&["system-agents", "rm", &agent]).ok();
}

/// Ctrl-C at a menu and at a hidden prompt: the terminal gets its echo back, the exit status is
/// 130, and a rerun shows the finished steps and goes on from there.
async fn wizard_resumed() {
    let daemon = Daemon::start();
    let issuer = oidc::shared().issuer();
    let oidc_secret = canary("oidc-secret");

    let mut w = wizard(&daemon, &[]);
    w.expect("Username");
    w.send_line("root-admin");
    w.expect("Password");
    w.send_secret(PASSWORD);
    w.expect("Repeat password");
    w.send_secret(PASSWORD);
    w.expect("✓ Breakglass admin 'root-admin' is ready.");
    w.expect("Step 2 of 5: OpenID Connect");
    w.expect("What now?");
    w.interrupt();
    w.expect("Interrupted. The steps answered so far are saved");
    let (exit, _) = w.finish();
    assert_eq!(exit.code(), Some(130));

    let mut w = wizard(&daemon, &[]);
    // The overview, then step 1 shown as done and kept.
    w.expect("Breakglass admin     done     root-admin");
    w.expect("OpenID Connect       to do");
    w.expect("Done: breakglass admin root-admin.");
    w.expect("What now?");
    w.send("\r"); // Keep it
    w.expect("Step 2 of 5: OpenID Connect");
    w.expect("What now?");
    w.send("\r"); // Set it up
    w.expect("Issuer URL");
    w.send_line(&issuer);
    w.expect("Client ID");
    w.send_line("mosaic");
    w.expect("Client secret");
    w.send_secret(&oidc_secret);
    w.expect("signing key(s)");
    w.expect("✓ OpenID Connect saved.");
    w.expect("Step 3 of 5: First LLM provider");
    w.expect("Provider type");
    w.send("\r"); // openai
    w.expect("Name (the NAME in NAME/MODEL)");
    w.send_line("");
    w.expect("Base URL");
    w.send_line("");
    w.expect("API key (input hidden; empty for none)");
    // Interrupted at a hidden prompt: echo must come back.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while w.echoes() {
        assert!(std::time::Instant::now() < deadline, "echo never went off");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    w.interrupt();
    w.expect("Interrupted.");
    assert!(w.echoes(), "the terminal was left without echo");
    let (exit, transcript) = w.finish();
    assert_eq!(exit.code(), Some(130), "{transcript}");
    assert_absent(&transcript, &[&oidc_secret, PASSWORD], "the wizard");

    let s = status(&daemon);
    assert_eq!(s["steps"]["breakglass"]["state"], "done");
    assert_eq!(s["steps"]["oidc"]["state"], "done");
    assert_eq!(s["steps"]["oidc"]["issuerUrl"], issuer.as_str());
    assert_eq!(s["steps"]["oidc"]["clientSecretSet"], true);
    assert_eq!(s["steps"]["provider"]["state"], "pending");

    // The third run shows step 2 as done, with its secret kept when left empty on edit.
    let mut w = wizard(&daemon, &[]);
    w.expect("What now?");
    w.send("\r"); // keep step 1
    w.expect(&format!("Done: issuer {issuer}, client mosaic, client secret set."));
    w.expect("What now?");
    w.send("j\r"); // Edit it
    w.expect("Issuer URL");
    w.send_line("");
    w.expect("Client ID");
    w.send_line("mosaic-2");
    w.expect("Client secret (input hidden; empty keeps the stored one)");
    w.send_secret("");
    w.expect("✓ OpenID Connect saved.");
    w.expect("Provider type");
    w.interrupt();
    let (exit, _) = w.finish();
    assert_eq!(exit.code(), Some(130));
    let s = status(&daemon);
    assert_eq!(s["steps"]["oidc"]["clientId"], "mosaic-2");
    assert_eq!(s["steps"]["oidc"]["clientSecretSet"], true);
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn answers(daemon: &Daemon, file: &str, extra: &[&str], stdin: Option<&str>) -> Out {
    let mut args = vec!["onboard", "--answers", file];
    args.extend_from_slice(extra);
    match stdin {
        Some(input) => daemon.ctl_stdin(&args, input),
        None => daemon.ctl(&args),
    }
}

/// Refused answers: each with its exit status and a message naming the problem, and none of
/// them changes anything.
async fn answers_refusals() {
    let daemon = Daemon::start();
    let key = canary("sk-key");
    let fake = FakeProvider::start(&key).await;
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "password", &format!("{PASSWORD}\n"));
    write(&dir, "wrong-key", &canary("sk-wrong"));
    let base = format!(
        "[breakglass]\nusername = \"admin\"\npassword_file = \"password\"\n\
         [provider]\nname = \"main\"\ntype = \"custom\"\nbase_url = \"{}\"\napi_key_file = \"wrong-key\"\n\
         models = [\"fake-small\"]\n[system_agents]\nskip = true\n",
        fake.base_url()
    );
    let nothing_done = |daemon: &Daemon| {
        let s = status(daemon);
        for step in ["breakglass", "oidc", "provider", "systemAgents"] {
            assert_eq!(s["steps"][step]["state"], "pending", "{step}: {s}");
        }
    };

    // No terminal and no answers.
    daemon
        .ctl(&["onboard"])
        .fails(5, "no terminal for the onboarding wizard: pass --answers FILE");
    // Every refusal of the answers: the text of the file, stdin, and what the one-line error
    // must say. None of them changes anything.
    write(&dir, "empty", "");
    write(&dir, "short", "short");
    let oidc = "[oidc]\nskip = true\n";
    let with = |extra: &str| format!("{base}{extra}");
    let refused: Vec<(String, Option<&str>, &str)> = vec![
        // Misspelt keys, at every level, with where they are.
        (
            base.replace("[system_agents]\nskip", "[system_agents]\nskipp"),
            None,
            "line 11, column 1: unknown field `skipp`",
        ),
        (with("[oidc]\nissuer = \"x\"\n"), None, "unknown field `issuer`"),
        (
            format!("complete = false\n{base}{oidc}"),
            None,
            "unknown field `complete`",
        ),
        // Not TOML at all.
        ("[breakglass\n\u{0}".into(), None, "answers.toml: line 1"),
        // Secrets: missing or empty files, both sources, two on one stdin, none at all.
        (
            with(oidc).replace("\"wrong-key\"", "\"no-such-file\""),
            None,
            "step 3 (first llm provider): cannot read the API key from",
        ),
        (
            with(oidc).replace("\"wrong-key\"", "\"empty\""),
            None,
            "step 3 (first llm provider): the API key is empty",
        ),
        (
            with(oidc).replace(
                "api_key_file = \"wrong-key\"",
                "api_key_file = \"wrong-key\"\napi_key_stdin = true",
            ),
            Some("x\n"),
            "give the API key from a file or from stdin, not both",
        ),
        (
            with(oidc)
                .replace("password_file = \"password\"", "password_stdin = true")
                .replace("api_key_file = \"wrong-key\"", "api_key_stdin = true"),
            Some("x\n"),
            "password_stdin and api_key_stdin cannot all come from stdin",
        ),
        (
            with(oidc).replace("password_file = \"password\"", "password_stdin = true"),
            Some(""),
            "step 1 (breakglass admin): no password on stdin",
        ),
        (
            with(oidc).replace("password_file = \"password\"\n", ""),
            None,
            "step 1 (breakglass admin): give the password as password_file or password_stdin = true",
        ),
        // The password rule, checked before anything is sent.
        (
            with(oidc).replace("\"password\"", "\"short\""),
            None,
            "step 1 (breakglass admin): password too short",
        ),
        // Step 2.
        (
            with("[oidc]\nskip = true\nclient_id = \"mosaic\"\n"),
            None,
            "skip = true cannot go with issuer or client settings",
        ),
        (
            with("[oidc]\nclient_id = \"mosaic\"\n"),
            None,
            "step 2 (openid connect): issuer_url is required (or skip = true)",
        ),
        (
            with("[oidc]\nissuer_url = \"https://id.example.com\"\n"),
            None,
            "step 2 (openid connect): client_id is required",
        ),
        (
            base.clone(),
            None,
            "step 2 (openid connect): not done yet, and the answers have no [oidc] to do it with",
        ),
        // Step 3.
        (
            with(oidc).replace("type = \"custom\"", "type = \"telepathy\""),
            None,
            "step 3 (first llm provider): unknown type \"telepathy\"",
        ),
        (
            with(oidc).replace("[\"fake-small\"]", "[\"fake-small,colour=blue\"]"),
            None,
            "step 3 (first llm provider): invalid --model",
        ),
        // Step 4.
        (
            with(oidc).replace(
                "skip = true\n[oidc]",
                "skip = true\n[[system_agents.agents]]\nname = \"ops\"\nmodel = \"m\"\n[oidc]",
            ),
            None,
            "step 4 (system agents): skip = true cannot go with agents",
        ),
        (
            with(oidc).replace("[system_agents]\nskip = true\n", "[system_agents]\n"),
            None,
            "step 4 (system agents): list agents",
        ),
        (
            with(oidc).replace(
                "[system_agents]\nskip = true\n",
                "[[system_agents.agents]]\nname = \"ops\"\nmodel = \"m\"\npersonality_file = \"no-soul.md\"\n",
            ),
            None,
            "step 4 (system agents): cannot read the personality of ops from",
        ),
    ];
    for (text, stdin, needle) in &refused {
        let file = write(&dir, "answers.toml", text);
        answers(&daemon, &file, &[], *stdin).fails(5, needle);
    }
    nothing_done(&daemon);

    // The issuer cannot be used: exit 8, naming step 2. Step 1 before it stays done, so a
    // corrected file goes on from there.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let bad_issuer = write(
        &dir,
        "bad-issuer.toml",
        &format!("{base}[oidc]\nissuer_url = \"{dead}\"\nclient_id = \"mosaic\"\n"),
    );
    let out = answers(&daemon, &bad_issuer, &[], None);
    out.fails(8, "step 2 (openid connect)");
    assert!(out.stderr.contains(&dead), "{out:?}");
    // The provider test fails with the wrong key: exit 9, nothing saved, and the key the
    // provider echoed back is not shown.
    allow_private_provider_urls(&daemon);
    let wrong = write(&dir, "wrong.toml", &format!("{base}[oidc]\nskip = true\n"));
    let out = answers(&daemon, &wrong, &[], None);
    out.fails(
        9,
        "step 3 (first llm provider): the connection test failed, so nothing was saved",
    );
    let wrong_key = std::fs::read_to_string(dir.path().join("wrong-key")).unwrap();
    assert_absent(&format!("{}{}", out.stdout, out.stderr), &[&wrong_key], "mosaicctl");
    assert_absent(&daemon.log(), &[&wrong_key, PASSWORD], "mosaicd's log");
    let s = status(&daemon);
    assert_eq!(s["steps"]["breakglass"]["state"], "done");
    assert_eq!(s["steps"]["oidc"]["state"], "skipped");
    assert_eq!(s["steps"]["provider"]["state"], "pending");
    assert_eq!(s["complete"], false);
}

/// The CI path: a full answers file (password on stdin, the other secrets in files, a real
/// issuer, a system agent started on the real Docker Engine), first without completing, then
/// again (idempotent) to completion, then refused.
async fn answers_full_run() {
    docker::require();
    let scope = InstanceScope::new();
    let daemon = Daemon::start_with(docker::daemon_options(&scope.instance));
    Data::open(&daemon.data_dir).await.use_image(&images().normal, 30).await;
    let key = canary("sk-key");
    let oidc_secret = canary("oidc-secret");
    let fake = FakeProvider::start(&key).await;
    allow_private_provider_urls(&daemon);
    let issuer = oidc::shared().issuer();
    let agent = format!("ops-{}", scope.instance);
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "api-key", &format!("{key}\n"));
    write(&dir, "oidc-secret", &format!("{oidc_secret}\r\n"));
    write(&dir, "soul.md", "You watch the platform.");
    let file = write(
        &dir,
        "onboarding.toml",
        &format!(
            "[breakglass]\nusername = \"admin\"\npassword_stdin = true\n\
             [oidc]\nissuer_url = \"{issuer}\"\nclient_id = \"mosaic\"\nclient_secret_file = \"oidc-secret\"\n\
             [provider]\nname = \"main\"\ntype = \"custom\"\nbase_url = \"{}\"\napi_key_file = \"api-key\"\n\
             models = [\"fake-small,context=32000\", \"fake-large\"]\n\
             [[system_agents.agents]]\nname = \"{agent}\"\nmodel = \"fake-small\"\npersonality_file = \"soul.md\"\n",
            fake.base_url()
        ),
    );
    let stdin = format!("{PASSWORD}\n");

    let first = answers(&daemon, &file, &["--no-complete"], Some(&stdin));
    let text = first.ok().to_string();
    assert!(text.contains("Step 1: created breakglass admin 'admin'."), "{first:?}");
    assert!(
        text.contains(&format!("Step 2: saved OpenID Connect with issuer {issuer}")),
        "{first:?}"
    );
    assert!(text.contains("Step 3: saved provider main"), "{first:?}");
    assert!(
        text.contains(&format!("Step 4: added system agent {agent} (running)")),
        "{first:?}"
    );
    assert!(text.contains("Step 5: not completed (--no-complete)"), "{first:?}");
    let s = status(&daemon);
    assert_eq!(s["ready"], true, "{s}");
    assert_eq!(s["complete"], false, "{s}");
    assert_eq!(s["steps"]["oidc"]["clientSecretSet"], true);
    // The agent's bare model belongs to the default provider, the one step 3 saved.
    let agents = daemon.ctl(&["system-agents", "ls", "--json"]).json();
    assert_eq!(agents[0]["name"], agent.as_str(), "{agents}");
    assert_eq!(agents[0]["provider"], "main", "{agents}");
    assert_eq!(agents[0]["hasPersonality"], true, "{agents}");
    assert!(docker::container_running(&format!("mosaic-system-{agent}")));

    // Again, to completion: the agent is kept, not added twice; JSON for the script.
    let second = answers(&daemon, &file, &["--json"], Some(&stdin));
    let done: Value = second.json();
    assert_eq!(done["complete"], true, "{second:?}");
    assert_eq!(done["steps"]["systemAgents"]["count"], 1);
    let third = answers(&daemon, &file, &[], Some(&stdin));
    third.fails(7, "onboarding is already complete");

    let everything = format!(
        "{}{}{}{}{}{}{}",
        first.stdout,
        first.stderr,
        second.stdout,
        second.stderr,
        third.stdout,
        third.stderr,
        daemon.log()
    );
    assert_absent(&everything, &[&key, &oidc_secret, PASSWORD], "mosaicctl or mosaicd");
    let inspect = docker::docker(&["inspect", &format!("mosaic-system-{agent}")]);
    assert_absent(&inspect.stdout, &[&key, &oidc_secret], "docker inspect");
    Api::new(&daemon).login("admin", PASSWORD).await;
    daemon.ctl(&["system-agents", "rm", &agent]).ok();
}

/// The WebUI's step 4: `PUT /api/onboarding/system-agents` with the setup token.
async fn http_system_agents() {
    docker::require();
    let scope = InstanceScope::new();
    let daemon = Daemon::start_with(docker::daemon_options(&scope.instance));
    let data = Data::open(&daemon.data_dir).await;
    data.use_image(&images().normal, 30).await;
    data.add_provider(None, "shared", &canary("sk-system"), &["big"]).await;
    let token = logged_tokens(&daemon.log()).pop().expect("a setup token in the log");
    let setup = Setup {
        api: Api::new(&daemon),
        token: Some(token),
    };
    let path = "/api/onboarding/system-agents";
    let one = format!("ops-{}", scope.instance);
    let two = format!("mon-{}", scope.instance);
    let agent = |name: &str| json!({ "name": name, "role": "monitor", "primaryModel": "big" });

    // Without the token, nothing.
    Setup {
        api: Api::new(&daemon),
        token: None,
    }
    .call(Method::PUT, path, Some(&json!({ "agents": [agent(&one)] })))
    .await
    .error(401, "setup_token_required");
    // Refusals write nothing: an empty list, too many, an unknown field, one bad agent among
    // good ones, a name twice, a provider that does not exist.
    let many: Vec<Value> = (0..17).map(|i| agent(&format!("a{i}"))).collect();
    let refused = [
        (
            json!({ "agents": [] }),
            400,
            "invalid_input",
            "list at least one system agent, or skip step 4",
        ),
        (
            json!({ "agents": many }),
            400,
            "invalid_input",
            "at most 16 system agents at once",
        ),
        (
            json!({ "agents": [agent(&one)], "owner": "x" }),
            400,
            "invalid_input",
            "owner",
        ),
        (
            json!({ "agents": [agent(&one), { "name": "Bad_Name", "role": "x", "primaryModel": "big" }] }),
            400,
            "invalid_input",
            "system agent Bad_Name: invalid system agent name",
        ),
        (
            json!({ "agents": [agent(&one), agent(&one)] }),
            400,
            "invalid_input",
            "is listed twice",
        ),
        (
            json!({ "agents": [agent(&one), { "name": two, "role": "x", "primaryModel": "big", "provider": "nope" }] }),
            404,
            "not_found",
            "no admin-level provider named \"nope\"",
        ),
    ];
    for (body, status, code, needle) in refused {
        let m = setup.call(Method::PUT, path, Some(&body)).await.error(status, code);
        assert!(m.contains(needle), "{m}");
    }
    let s = setup.status().await;
    assert_eq!(s["steps"]["systemAgents"]["count"], 0, "{s}");
    assert!(scope.containers().is_empty(), "{:?}", scope.containers());

    // Skipped first, then configured: configuring wins.
    setup
        .call(Method::POST, "/api/onboarding/system-agents/skip", None)
        .await
        .expect(200);
    let saved = setup
        .call(Method::PUT, path, Some(&json!({ "agents": [agent(&one)] })))
        .await
        .expect(200);
    assert_eq!(saved["added"], json!([one]));
    assert_eq!(saved["agents"][0]["container"]["state"], "running", "{saved}");
    // Without a provider the bare model belongs to the default admin-level provider.
    assert_eq!(saved["agents"][0]["provider"], "shared", "{saved}");
    // Repeated with one more: the first is kept, the second added.
    let saved = setup
        .call(
            Method::PUT,
            path,
            Some(&json!({ "agents": [agent(&one), agent(&two)] })),
        )
        .await
        .expect(200);
    assert_eq!(saved["added"], json!([two]), "{saved}");
    assert_eq!(saved["agents"].as_array().map(Vec::len), Some(2));
    let s = setup.status().await;
    assert_eq!(s["steps"]["systemAgents"]["state"], "done");
    assert_eq!(s["steps"]["systemAgents"]["count"], 2);

    // Step 3 with a provider that has no base URL (OpenClaw's built-in endpoint for its type):
    // mosaicd cannot test it, so it is saved with that said.
    let saved = setup
        .call(
            Method::PUT,
            "/api/onboarding/provider",
            Some(&json!({ "name": "cloud", "type": "openai", "apiKey": canary("sk-cloud") })),
        )
        .await
        .expect(200);
    assert_eq!(saved["test"]["outcome"], "untestable", "{saved}");
    assert!(
        saved["test"]["message"]
            .as_str()
            .unwrap()
            .contains("saved without a connection test"),
        "{saved}"
    );
    assert_eq!(setup.status().await["steps"]["provider"]["provider"]["name"], "cloud");

    // After completion: 409.
    daemon
        .ctl_stdin(
            &["admin", "create-breakglass", "--username", "admin", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    setup
        .call(Method::POST, "/api/onboarding/oidc/skip", None)
        .await
        .expect(200);
    setup
        .call(Method::POST, "/api/onboarding/complete", None)
        .await
        .expect(200);
    setup
        .call(Method::PUT, path, Some(&json!({ "agents": [agent(&one)] })))
        .await
        .error(409, "onboarding_complete");
    let api = Api::new(&daemon);
    let admin = api.login("admin", PASSWORD).await;
    for name in [&one, &two] {
        api.delete(&format!("/api/admin/system-agents/{name}"), Auth::Session(&admin))
            .await
            .expect(204);
    }
}
