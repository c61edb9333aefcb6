//! Lists at scale, on SQLite and PostgreSQL: 10,000 users with containers, inserted straight
//! into the daemon's database, listed in full through `mosaicctl` over the real socket (more
//! than one frame's worth: the answer comes a page at a time); pages cover every row exactly
//! once and stay so while rows are added; bad page requests are a clear 400 and CLI error; the
//! reaper looks at every running row in one pass, and reconciliation at start marks 10,000
//! stale rows stopped, each audited.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use libtest_mimic::Trial;
use mosaic_tests::data::add_users_with_containers;
use mosaic_tests::docker::{self, InstanceScope};
use mosaic_tests::http::Auth;
use mosaic_tests::trial;
use mosaicd::store::{now_ms, q};
use serde_json::{Value, json};

use crate::http::{Backend, World};

const MANY: usize = 10_000;

pub fn trials() -> Vec<Trial> {
    let mut t = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let prefix = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        t.push(trial(
            &format!("lists::{prefix}::ten_thousand_over_the_socket"),
            move || ten_thousand_over_the_socket(backend),
        ));
        t.push(trial(
            &format!("lists::{prefix}::pages_stable_under_inserts"),
            move || pages_stable_under_inserts(backend),
        ));
    }
    t
}

/// A daemon whose background passes wait an hour: the test runs them when it means to.
async fn world(backend: Backend, scope: &InstanceScope) -> World {
    World::start_with(backend, docker::daemon_options_with(&scope.instance, "1h", "1h")).await
}

fn owners(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {page}"))
        .iter()
        .map(|c| c["owner"].as_str().unwrap().to_string())
        .collect()
}

async fn ten_thousand_over_the_socket(backend: Backend) {
    let scope = InstanceScope::new();
    let mut w = world(backend, &scope).await;
    let db = w.db().await;
    // A long status detail makes the whole list several frames' worth.
    let detail = "the container exited with code 137 ".repeat(10);
    let ids = add_users_with_containers(&db, "bulk", MANY, now_ms() - 1_000_000, "stopped", &detail).await;

    // Every container, a page at a time, in list order, each once.
    let all = w.daemon.ctl(&["containers", "ls", "--all", "--json"]);
    assert!(
        all.ok().len() > mosaic_shared::MAX_FRAME_BYTES,
        "the data set is meant to exceed one frame ({} bytes)",
        all.stdout.len()
    );
    let all = all.json();
    assert_eq!(owners(&all), ids);
    assert_eq!(
        all["meta"],
        json!({ "total": MANY, "page": 1, "limit": MANY, "totalPages": 1 })
    );
    assert_eq!(all["data"][0]["detail"], detail.as_str());

    // One page: the defaults, a capped limit, the last page, past the end.
    let first = w.daemon.ctl(&["containers", "ls", "--json"]).json();
    assert_eq!(
        first["meta"],
        json!({ "total": MANY, "page": 1, "limit": 50, "totalPages": 200 })
    );
    assert_eq!(owners(&first), ids[..50]);
    let capped = w.daemon.ctl(&["containers", "ls", "--limit", "1000", "--json"]).json();
    assert_eq!(capped["meta"]["limit"], 100);
    assert_eq!(owners(&capped), ids[..100]);
    let last = w
        .daemon
        .ctl(&["containers", "ls", "--page", "100", "--limit", "100", "--json"])
        .json();
    assert_eq!(owners(&last), ids[MANY - 100..]);
    let past = w.daemon.ctl(&["containers", "ls", "--page", "101", "--limit", "100"]);
    assert!(
        past.ok()
            .contains("Page 101 is past the end: 10000 containers fill 100 pages of 100"),
        "{past:?}"
    );
    let human = w.daemon.ctl(&["containers", "ls", "--limit", "3"]);
    assert!(
        human.ok().contains("Page 1 of 3334 · 10000 containers · 3 per page"),
        "{human:?}"
    );

    // The HTTP API answers the same pages.
    let admin = Auth::Session(&w.admin);
    for (query, args) in [
        ("", vec![]),
        ("?page=7&limit=20", vec!["--page", "7", "--limit", "20"]),
        ("?limit=1000", vec!["--limit", "1000"]),
    ] {
        let http = w
            .api
            .get(&format!("/api/admin/containers{query}"), admin)
            .await
            .expect(200);
        let mut cli = vec!["containers", "ls", "--json"];
        cli.extend(args);
        let socket = w.daemon.ctl(&cli).json();
        assert_eq!(owners(&http), owners(&socket), "{query}");
        assert_eq!(http["meta"], socket["meta"], "{query}");
    }

    // Bad requests: a clear 400, and the same words from the CLI.
    for (query, args) in [
        ("?page=0", vec!["--page", "0"]),
        ("?page=-3", vec!["--page", "-3"]),
        ("?limit=0", vec!["--limit", "0"]),
    ] {
        let message = w
            .api
            .get(&format!("/api/admin/containers{query}"), admin)
            .await
            .error(400, "invalid_input");
        let mut cli = vec!["containers", "ls"];
        cli.extend(args);
        w.daemon.ctl(&cli).fails(5, &message);
    }
    for (query, needle) in [
        ("?page=abc", "page must be a whole number"),
        ("?cursor=x", "unknown query parameter \"cursor\""),
        ("?page=1&page=2", "given twice"),
    ] {
        let message = w
            .api
            .get(&format!("/api/admin/containers{query}"), admin)
            .await
            .error(400, "invalid_input");
        assert!(message.contains(needle), "{query}: {message}");
    }
    let both = w.daemon.ctl(&["containers", "ls", "--all", "--page", "2"]);
    assert!(
        both.code == 2 && both.stderr.contains("'--all' cannot be used with '--page"),
        "{both:?}"
    );

    // Users: all 10,001 (the breakglass admin, created last, at the end), each once.
    let users = w.daemon.ctl(&["users", "ls", "--all", "--json"]).json();
    let listed: Vec<&str> = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), MANY + 1);
    assert_eq!(listed.iter().collect::<HashSet<_>>().len(), MANY + 1);
    assert_eq!(&listed[..MANY], ids.iter().map(String::as_str).collect::<Vec<_>>());

    // The reaper looks at every running row in one pass; none is idle, none is stopped.
    db.execute(q("UPDATE user_container SET status = 'running'"))
        .await
        .unwrap();
    db.execute(
        q("UPDATE user_container SET status = 'starting' WHERE user_id IN ($1, $2)")
            .bind(ids[0].as_str())
            .bind(ids[1].as_str()),
    )
    .await
    .unwrap();
    let reaped = w.daemon.ctl(&["containers", "reap", "--json"]).json();
    assert_eq!(reaped["checked"], MANY - 2, "{reaped}");
    assert_eq!(reaped["stopped"], json!([]));

    // Reconciliation at start: none of those containers exists, so every row says stopped,
    // `crash` (or `interrupted` for a start), each with its audit entry.
    w.daemon.restart();
    let began = Instant::now();
    let stopped = loop {
        let page = w.daemon.ctl(&["containers", "ls", "--all", "--json"]).json();
        let up = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["state"] != "stopped")
            .count();
        if up == 0 {
            break page;
        }
        assert!(began.elapsed() < Duration::from_secs(120), "{up} rows still say up");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let data = stopped["data"].as_array().unwrap();
    assert_eq!(data.len(), MANY);
    assert_eq!(data[0]["stopReason"], "interrupted");
    assert_eq!(data[1]["stopReason"], "interrupted");
    assert!(
        data[2..]
            .iter()
            .all(|c| c["stopReason"] == "crash" && c["detail"] == "the container disappeared")
    );
    let (audited,): (i64,) = db
        .ex()
        .one(q(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'container.stop' AND actor = 'system'",
        ))
        .await
        .unwrap();
    assert_eq!(audited, MANY as i64);
}

/// Walks the pages while rows are added: every row that existed at the start is listed exactly
/// once, and the new ones at the end.
async fn pages_stable_under_inserts(backend: Backend) {
    let scope = InstanceScope::new();
    let w = world(backend, &scope).await;
    let db = w.db().await;
    let start = now_ms() - 1_000_000;
    let ids = add_users_with_containers(&db, "early", 250, start, "stopped", "").await;
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let p = page.to_string();
        let answer = w
            .daemon
            .ctl(&["containers", "ls", "--page", &p, "--limit", "7", "--json"])
            .json();
        seen.extend(owners(&answer));
        if page == 3 {
            // Added while the walk is under way, later than every listed row, as a new user's
            // first chat adds one.
            add_users_with_containers(&db, "late", 20, start + 10_000, "stopped", "").await;
        }
        if page as u64 >= answer["meta"]["totalPages"].as_u64().unwrap() {
            break;
        }
        page += 1;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a row was listed twice");
    assert_eq!(seen[..250], ids[..]);
    assert_eq!(seen.len(), 270);

    // Users page the same way (the admin first, then the 270 in creation order).
    let users = w.daemon.ctl(&["users", "ls", "--all", "--limit", "9", "--json"]).json();
    assert_eq!(users["data"].as_array().unwrap().len(), 271);
    assert_eq!(users["meta"]["total"], 271);
}
