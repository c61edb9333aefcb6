//! Throttling of failed guesses: password logins (API and console form), invite tokens and the
//! setup token; and the daemon's memory after a flood of logins.
//!
//! Each test plays several clients from different loopback addresses (127.0.0.N), because the
//! throttle keys on the TCP peer's address. The throttle's delay is a second: its buckets refill
//! on the daemon's real clock, and a burst of parallel requests is all reserved within a few
//! milliseconds of that second, so "refused right after the burst" holds with a wide margin.

use std::net::IpAddr;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use mosaic_tests::DaemonOptions;
use mosaic_tests::http::{Api, Auth, Resp};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Backend, PASSWORD, World};

fn throttled() -> DaemonOptions {
    DaemonOptions::default().arg("--auth-throttle-delay").arg("1s")
}

fn from(w: &World, last: u8) -> Api {
    Api::from_address(&w.daemon, IpAddr::from([127, 0, 0, last]))
}

/// A 429 in the error shape, with its `Retry-After` in whole seconds; returns that.
#[track_caller]
fn retry_after(r: &Resp, message: &str) -> u64 {
    assert_eq!(r.error(429, "rate_limited"), message);
    let seconds: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("Retry-After in seconds");
    // The delay is one second: no wait is longer, and a wait rounds up to at least 1.
    assert_eq!(seconds, 1, "{r:?}");
    seconds
}

/// Sends `n` copies of a request at once from `api`; once the first answer with status 429
/// arrives, runs `then` (before the other answers are awaited), and returns every answer.
async fn burst<F, Fut>(api: &Api, n: usize, request: impl Fn() -> reqwest::RequestBuilder, then: F) -> Vec<Resp>
where
    F: FnOnce(Resp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut pending: FuturesUnordered<_> = (0..n).map(|_| api.send(request())).collect();
    let mut answers = Vec::new();
    let mut then = Some(then);
    while let Some(r) = pending.next().await {
        if r.status.as_u16() == 429
            && let Some(then) = then.take()
        {
            then(r.clone()).await;
        }
        answers.push(r);
    }
    assert!(then.is_none(), "no request of the burst was throttled: {answers:?}");
    answers
}

fn count(answers: &[Resp], status: u16) -> usize {
    answers.iter().filter(|r| r.status.as_u16() == status).count()
}

const LOGINS: &str = "too many failed logins; try again in 1 second";

pub async fn brute_force_is_throttled(_: Backend) {
    let w = World::start_with(Backend::Sqlite, throttled()).await;
    let login = |api: &Api, password: &str| {
        api.request(Method::POST, "/api/auth/login", Auth::None)
            .json(&json!({ "username": "admin", "password": password }))
    };

    // An attacker at 127.0.0.2: eight wrong passwords at once. Five (the burst) are checked and
    // answer 401; the rest answer 429 without being checked.
    let attacker = &from(&w, 2);
    let bystander = &from(&w, 3);
    let answers = burst(
        attacker,
        8,
        || login(attacker, "not the password 1"),
        |first| async move {
            let wait = retry_after(&first, LOGINS);
            // While the wait lasts the right password from the attacker's address is refused
            // too, before it is checked: the answer says nothing about the password.
            let r = attacker.send(login(attacker, PASSWORD)).await;
            retry_after(&r, LOGINS);
            // The admin at another address is not held back.
            bystander.send(login(bystander, PASSWORD)).await.expect(200);
            // After the wait, the right password from the attacker's address works.
            tokio::time::sleep(Duration::from_secs(wait)).await;
            attacker.send(login(attacker, PASSWORD)).await.expect(200);
        },
    )
    .await;
    assert!(count(&answers, 401) >= 5, "{answers:?}");
    assert!(count(&answers, 429) >= 1, "{answers:?}");
    assert_eq!(count(&answers, 401) + count(&answers, 429), 8, "{answers:?}");
    for r in answers.iter().filter(|r| r.status.as_u16() == 401) {
        assert_eq!(r.error(401, "unauthenticated"), "invalid username or password");
    }

    // An unknown account is throttled exactly like a real one (no oracle for which exists).
    let prober = &from(&w, 4);
    let answers = burst(
        prober,
        8,
        || {
            prober
                .request(Method::POST, "/api/auth/login", Auth::None)
                .json(&json!({ "username": "nobody", "password": "not the password 1" }))
        },
        |first| async move {
            retry_after(&first, LOGINS);
        },
    )
    .await;
    assert!(count(&answers, 401) >= 5, "{answers:?}");

    // The console's login form: the same throttle, a page with the same words and Retry-After.
    let browser = &from(&w, 5);
    let form = |password: &str| {
        browser
            .request(Method::POST, "/login", Auth::None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("username=admin&password={}", password.replace(' ', "+")))
    };
    let answers = burst(
        browser,
        8,
        || form("not the password 1"),
        |first| async move {
            assert!(first.body.contains(LOGINS), "{}", first.body);
            assert_eq!(first.header("retry-after").as_deref(), Some("1"));
            let r = browser.send(form(PASSWORD)).await;
            assert_eq!(r.status.as_u16(), 429, "{}", r.body);
            tokio::time::sleep(Duration::from_secs(1)).await;
            let r = browser.send(form(PASSWORD)).await;
            assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        },
    )
    .await;
    assert!(count(&answers, 401) >= 5, "{answers:?}");

    // Several addresses at once can empty the account's own bucket (four times the burst, one
    // more per delay); then anyone waits, but never longer than one delay.
    w.daemon
        .ctl_stdin(
            &["admin", "create-breakglass", "--username", "ops", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    let ops = |api: &Api, password: &str| {
        api.request(Method::POST, "/api/auth/login", Auth::None)
            .json(&json!({ "username": "ops", "password": password }))
    };
    let attackers: Vec<Api> = (10..15).map(|n| from(&w, n)).collect();
    let admin = &from(&w, 20);
    // Five addresses, five wrong passwords each: within every address's own budget, 25 in all
    // against the account's 20, so every 429 here is the account's.
    let mut pending: FuturesUnordered<_> = attackers
        .iter()
        .flat_map(|a| (0..5).map(move |_| a.send(ops(a, "not the password 1"))))
        .collect();
    let mut checked = false;
    let mut refused = 0;
    while let Some(r) = pending.next().await {
        if r.status.as_u16() == 429 {
            refused += 1;
            if !checked {
                checked = true;
                let r = admin.send(ops(admin, PASSWORD)).await;
                let wait = retry_after(&r, LOGINS);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                admin.send(ops(admin, PASSWORD)).await.expect(200);
            }
        }
    }
    assert!(refused >= 5, "the account's bucket held more than 20 failures");
    assert!(checked);
    super::assert_absent(PASSWORD, &w.daemon.log(), "the daemon log");
}

pub async fn invite_and_setup_tokens_are_throttled(_: Backend) {
    let w = World::start_with(Backend::Sqlite, throttled()).await;

    // Invite tokens: unknown ones are failed guesses.
    let invite = w
        .api
        .post(
            "/api/admin/users/invite",
            Auth::Session(&w.admin),
            &json!({ "email": "bob@example.com" }),
        )
        .await
        .expect(201);
    let token = &invite["inviteToken"].as_str().unwrap().to_string();
    let accept = |api: &Api, token: &str| {
        api.request(Method::POST, "/api/auth/invite/accept", Auth::None)
            .json(&json!({ "token": token, "password": PASSWORD }))
    };
    let guesser = &from(&w, 2);
    let invitee = &from(&w, 3);
    let invites = "too many failed invite attempts; try again in 1 second";
    let answers = burst(
        guesser,
        8,
        || accept(guesser, &format!("inv_{}", uuid::Uuid::new_v4().simple())),
        |first| async move {
            let wait = retry_after(&first, invites);
            // Even the real token is refused from that address meanwhile ...
            retry_after(&guesser.send(accept(guesser, token)).await, invites);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            // ... and accepted after the wait (here from the invitee's own address).
            invitee.send(accept(invitee, token)).await.expect(200);
        },
    )
    .await;
    assert!(count(&answers, 404) >= 5, "{answers:?}");
    w.api.login("bob@example.com", PASSWORD).await;

    // The setup token of the onboarding endpoints.
    let setup = &w.daemon.ctl(&["admin", "setup-token"]).ok().trim().to_string();
    let status = |api: &Api, token: &str| {
        api.request(Method::GET, "/api/onboarding/status", Auth::None)
            .header("x-mosaic-setup-token", token)
    };
    let tokens = "too many failed setup token attempts; try again in 1 second";
    let guesser = &from(&w, 4);
    let operator = &from(&w, 5);
    let answers = burst(
        guesser,
        8,
        || status(guesser, "mst_not-the-token"),
        |first| async move {
            let wait = retry_after(&first, tokens);
            retry_after(&guesser.send(status(guesser, setup)).await, tokens);
            // The operator at another address goes on with onboarding.
            operator.send(status(operator, setup)).await.expect(200);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            guesser.send(status(guesser, setup)).await.expect(200);
        },
    )
    .await;
    assert!(count(&answers, 401) >= 5, "{answers:?}");
    for r in answers.iter().filter(|r| r.status.as_u16() == 401) {
        r.error(401, "setup_token_invalid");
    }
    // A request without a token guesses nothing and is never throttled.
    for _ in 0..10 {
        guesser
            .send(guesser.request(Method::GET, "/api/onboarding/status", Auth::None))
            .await
            .error(401, "setup_token_required");
    }
    // The right token costs nothing, however often it is used.
    for _ in 0..20 {
        operator.send(status(operator, setup)).await.expect(200);
    }
}

/// The resident set of a process, in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

const FLOOD: usize = 200;

pub async fn login_flood_memory_is_bounded(_: Backend) {
    // A burst large enough that the throttle lets every login of the flood be checked: this is
    // about the memory of password hashing.
    let w = World::start_with(
        Backend::Sqlite,
        DaemonOptions::default().arg("--auth-throttle-burst").arg("10000"),
    )
    .await;
    let pid = w.daemon.pid().expect("the daemon's pid");
    let before = rss_kib(pid);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_kib(pid));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        })
    };
    let api = &w.api;
    let wrong: Value = json!({ "username": "admin", "password": "not the password 1" });
    let answers: Vec<Resp> = futures::future::join_all(
        (0..FLOOD).map(|_| api.send(api.request(Method::POST, "/api/auth/login", Auth::None).json(&wrong))),
    )
    .await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = sampler.await.unwrap();
    assert_eq!(count(&answers, 401), FLOOD, "every login of the flood was checked");
    // The daemon has answered everything; what it still holds now is what stays.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib(pid);
    println!(
        "mosaicd RSS around {FLOOD} parallel logins: before {} MiB, peak during {} MiB, after {} MiB",
        before / 1024,
        during / 1024,
        after / 1024
    );
    assert!(
        after < before + 150 * 1024,
        "RSS grew from {before} KiB to {after} KiB after the flood (peak {during} KiB)"
    );
    // The daemon still answers the right password.
    api.login("admin", PASSWORD).await;
}
