//! Usage figures through the real chat proxy (the real daemon, Docker and the test-agent image):
//! what is counted per user and day, how admins and users read it over HTTP, the socket and
//! Prometheus, retention, the last figures written at shutdown, and that no content is stored.

use std::time::Duration;

use futures::StreamExt;
use mosaic_tests::docker::{images, wait_for};
use mosaic_tests::http::Auth;
use mosaicd::store::{q, usage};
use mosaicd::usage::Counts;
use serde_json::{Value, json};

use super::chat::{Chat, body, user};
use super::{Backend, World};

/// What a prompt carries so the test can look for it where it must not be.
const CANARY: &str = "canary-prompt-7f3a9c";

async fn report(c: &Chat, query: &str) -> Value {
    c.api()
        .get(&format!("/api/admin/usage{query}"), Auth::Session(&c.w.admin))
        .await
        .expect(200)
}

/// A token count of an agent's `usage` report; the test agent never reports zero.
fn tokens(usage: &Value, field: &str) -> u64 {
    let n = usage[field].as_u64().unwrap_or_else(|| panic!("no {field} in {usage}"));
    assert!(n > 0, "{field} is 0 in {usage}");
    n
}

/// The `usage` of a stream's last chunk before `[DONE]` (the one without choices).
fn stream_usage(text: &str) -> Value {
    let events: Vec<&str> = text
        .split_terminator("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"), "{text}");
    let last: Value = serde_json::from_str(events[events.len() - 2]).unwrap();
    assert_eq!(last["choices"], json!([]), "{text}");
    last["usage"].clone()
}

/// Waits until the flushed totals show `requests` requests.
async fn flushed(c: &Chat, requests: u64) -> Value {
    wait_for("the usage figures to be written", Duration::from_secs(10), || async {
        let r = report(c, "").await;
        (r["totals"]["requests"] == requests).then_some(r)
    })
    .await
}

pub async fn figures_through_the_proxy() {
    let mut c = Chat::start(&images().normal, 30, "1s", &["--usage-flush-interval", "200ms"]).await;
    let alice = c.member("alice@example.com").await;
    let bob = c.member("bob@example.com").await;
    let (a, b) = (Auth::Bearer(&alice.token), Auth::Bearer(&bob.token));

    // alice: a cold start with a whole answer (the agent reports its usage), a stream without
    // `stream_options.include_usage` (no usage chunk: unreported) and one with it (reported in its
    // last chunk), an agent error, a request mosaicd refuses, and a stream she walks away from.
    // The figures must be the tokens the agent reported to the client, whatever they are.
    let whole = c.complete(a, &body(&format!("hello {CANARY}"))).await.expect(200);
    let r = c.stream(a, CANARY).await;
    assert_eq!(r.status(), 200);
    let unreported = r.text().await.unwrap();
    assert!(!unreported.contains("\"usage\""), "{unreported}");
    let r = c
        .stream_body(
            a,
            &json!({ "model": "openclaw", "stream": true, "stream_options": { "include_usage": true },
                     "messages": [user(&format!("count {CANARY}"))] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let streamed = stream_usage(&r.text().await.unwrap());
    let alice_in = tokens(&whole["usage"], "prompt_tokens") + tokens(&streamed, "prompt_tokens");
    let alice_out = tokens(&whole["usage"], "completion_tokens") + tokens(&streamed, "completion_tokens");
    assert_eq!(c.complete(a, &body("mock:status=500")).await.status.as_u16(), 500);
    c.complete(a, &json!({ "model": "openclaw", "messages": [] }))
        .await
        .error(400, "invalid_input");
    let r = c.stream(a, "long mock:chunks=200 mock:interval_ms=50").await;
    let mut stream = r.bytes_stream();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    // bob: one cold start.
    let bobs = c.complete(b, &body("hi")).await.expect(200);
    let (bob_in, bob_out) = (
        tokens(&bobs["usage"], "prompt_tokens"),
        tokens(&bobs["usage"], "completion_tokens"),
    );

    let r = flushed(&c, 7).await;
    let today = r["to"].as_str().unwrap().to_string();
    assert_eq!(r["daily"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["daily"][0]["day"], today);
    assert_eq!(r["daily"][0]["requests"], 7);
    let totals = &r["totals"];
    assert_eq!(totals["streamed"], 3);
    assert_eq!(totals["coldStarts"], 2);
    assert_eq!(totals["failed"], 3);
    assert_eq!(totals["usageReported"], 3);
    assert_eq!(totals["usageMissing"], 1);
    assert_eq!(totals["tokensIn"], alice_in + bob_in);
    assert_eq!(totals["tokensOut"], alice_out + bob_out);
    assert_eq!(
        r["meta"],
        json!({ "total": 2, "page": 1, "limit": 50, "totalPages": 1 })
    );
    // Most requests first.
    let row = &r["data"][0];
    assert_eq!(row["userId"], alice.id.as_str());
    assert_eq!(row["email"], "alice@example.com");
    assert_eq!(row["requests"], 6);
    assert_eq!(row["streamed"], 3);
    assert_eq!(
        row["failures"],
        json!({ "rejected": 1, "start": 0, "unreachable": 0, "agent": 1, "interrupted": 0, "cancelled": 1 })
    );
    assert_eq!(row["coldStarts"], 1);
    assert!(row["coldStartMs"].as_u64().unwrap() > 0, "{row}");
    // The whole answer and the stream that asked for it reported their tokens; the other stream
    // did not (its tokens are unknown, not zero).
    assert_eq!(
        (row["usageReported"].as_u64(), row["usageMissing"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (row["tokensIn"].as_u64(), row["tokensOut"].as_u64()),
        (Some(alice_in), Some(alice_out))
    );
    assert_eq!(r["data"][1]["userId"], bob.id.as_str());

    // Paginated as the users list.
    let page = report(&c, "?limit=1&page=2").await;
    assert_eq!(
        page["meta"],
        json!({ "total": 2, "page": 2, "limit": 1, "totalPages": 2 })
    );
    assert_eq!(page["data"][0]["userId"], bob.id.as_str());
    assert_eq!(report(&c, "?page=3&limit=1").await["data"], json!([]));
    let one = report(&c, &format!("?user={}", bob.id)).await;
    assert_eq!(one["totals"]["requests"], 1);
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    c.api()
        .get("/api/admin/usage?user=nobody", Auth::Session(&c.w.admin))
        .await
        .error(404, "not_found");
    let past = report(&c, "?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(past["totals"]["requests"], 0);
    assert_eq!(
        (past["from"].as_str(), past["to"].as_str()),
        (Some("2020-01-01"), Some("2020-01-31"))
    );
    for bad in [
        "?from=2025-13-01",
        "?from=2026-02-02&to=2026-02-01",
        "?from=2020-01-01&to=2022-01-01",
        "?day=1",
    ] {
        c.api()
            .get(&format!("/api/admin/usage{bad}"), Auth::Session(&c.w.admin))
            .await
            .error(400, "invalid_input");
    }

    // A user sees their own figures, and only those; the admin view is not theirs.
    let own = c.api().get("/api/usage", Auth::Bearer(&bob.token)).await.expect(200);
    assert_eq!(own["totals"]["requests"], 1);
    assert_eq!(own["data"][0]["userId"], bob.id.as_str());
    assert!(!own.to_string().contains(&alice.id));
    c.api()
        .get(&format!("/api/usage?user={}", alice.id), Auth::Bearer(&bob.token))
        .await
        .error(400, "invalid_input");
    c.api()
        .get("/api/admin/usage", Auth::Bearer(&bob.token))
        .await
        .error(403, "forbidden");

    // The socket: the same report, and a table.
    let json_out = c.w.daemon.ctl(&["usage", "--json"]).json();
    assert_eq!(json_out["totals"], r["totals"]);
    let table = c.w.daemon.ctl(&["usage"]).ok().to_string();
    assert!(
        table.contains("alice@example.com") && table.contains("TOTAL"),
        "{table}"
    );
    assert!(
        table.contains("1 agent error") && table.contains("1 cancelled"),
        "{table}"
    );
    let days =
        c.w.daemon
            .ctl(&["usage", "--user", "alice@example.com"])
            .ok()
            .to_string();
    assert!(days.contains(&today) && !days.contains("bob@"), "{days}");
    c.w.daemon
        .ctl(&["usage", "--from", "yesterday"])
        .fails(5, "from must be a date as YYYY-MM-DD");

    // Prometheus: the same counts, no user in any label.
    let metrics = c.api().get("/metrics", Auth::None).await.body;
    assert!(
        metrics.contains("mosaic_chat_requests_total{streamed=\"true\"} 3"),
        "{metrics}"
    );
    assert!(metrics.contains("mosaic_chat_requests_total{streamed=\"false\"} 4"));
    assert!(metrics.contains("mosaic_chat_failures_total{kind=\"cancelled\"} 1"));
    assert!(metrics.contains("mosaic_chat_cold_starts_total 2"));
    assert!(metrics.contains("mosaic_chat_answers_total{usage_reported=\"false\"} 1"));
    assert!(metrics.contains("mosaic_chat_answers_total{usage_reported=\"true\"} 3"));
    assert!(metrics.contains(&format!(
        "mosaic_chat_tokens_total{{direction=\"in\"}} {}",
        alice_in + bob_in
    )));
    assert!(metrics.contains(&format!(
        "mosaic_chat_tokens_total{{direction=\"out\"}} {}",
        alice_out + bob_out
    )));
    for who in [&alice.id, &bob.id] {
        assert!(!metrics.contains(who.as_str()), "a user id in /metrics");
    }

    // Retention 0: nothing is counted; figures already kept stay.
    c.w.daemon.ctl(&["config", "set", "usage.retentionDays", "0"]).ok();
    c.complete(a, &body("not counted")).await.expect(200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(report(&c, "").await["totals"]["requests"], 7);
    // A retention deletes older days at once.
    let db = c.w.db().await;
    db.execute(q("INSERT INTO usage_daily (day, user_id, requests) VALUES ('2000-01-01', $1, 5)").bind(&alice.id))
        .await
        .unwrap();
    assert_eq!(
        report(&c, "?from=2000-01-01&to=2000-01-01").await["totals"]["requests"],
        5
    );
    let set =
        c.w.daemon
            .ctl(&["config", "set", "usage.retentionDays", "30", "--json"])
            .json();
    assert_eq!(set[0]["value"], 30);
    assert_eq!(
        report(&c, "?from=2000-01-01&to=2000-01-01").await["totals"]["requests"],
        0
    );
    c.w.daemon
        .ctl(&["config", "set", "usage.retentionDays=-1"])
        .fails(5, "usage.retentionDays must be a whole number of days");
    c.w.daemon.ctl(&["config", "unset", "usage.retentionDays"]).ok();
    assert_eq!(
        c.w.daemon
            .ctl(&["config", "get", "usage.retentionDays", "--json"])
            .json()["value"],
        400
    );
    db.close().await;

    // With an hour between flushes, the last figures are written at shutdown.
    let mut options = c.w.daemon.options.clone();
    options.args.retain(|a| a != "200ms" && a != "--usage-flush-interval");
    options = options.arg("--usage-flush-interval").arg("1h");
    c.w.daemon.restart_with(options).expect("restart");
    c.complete(a, &body("counted at shutdown")).await.expect(200);
    assert_eq!(
        report(&c, "").await["totals"]["requests"],
        7,
        "written before the flush"
    );
    c.w.daemon.stop();
    let db = c.w.db().await;
    let (n,): (i64,) = db
        .one(q("SELECT CAST(SUM(requests) AS BIGINT) FROM usage_daily WHERE day = $1").bind(&today))
        .await
        .unwrap();
    db.close().await;
    assert_eq!(n, 8);

    // No prompt or answer reached the database (nor its write-ahead log).
    for file in ["mosaic.db", "mosaic.db-wal"] {
        let bytes = std::fs::read(c.w.daemon.data_dir.join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
            "the prompt is in {file}"
        );
    }
}

/// The report's queries and the additive upsert on either backend, without containers: figures
/// written twice for the same day add up, and the report sums, orders and pages them.
pub async fn report_queries(backend: Backend) {
    let w = World::start(backend).await;
    let alice = w.member("alice@example.com").await;
    let bob = w.member("bob@example.com").await;
    let db = w.db().await;
    let counts = |requests: i64, tokens: i64| Counts {
        requests,
        streamed: 1,
        tokens_in: tokens,
        tokens_out: 2 * tokens,
        usage_reported: requests,
        ..Counts::default()
    };
    let day = |d: &str| d.to_string();
    for _ in 0..2 {
        usage::add(
            &db,
            &[
                (day("2026-01-01"), alice.user_id.clone(), counts(3, 10)),
                (day("2026-01-02"), alice.user_id.clone(), counts(1, 1)),
                (day("2026-01-02"), bob.user_id.clone(), counts(2, 5)),
            ],
        )
        .await
        .unwrap();
    }
    db.close().await;
    let get = |query: &str| {
        let query = query.to_string();
        let (api, admin) = (&w.api, &w.admin);
        async move {
            api.get(&format!("/api/admin/usage{query}"), Auth::Session(admin))
                .await
                .expect(200)
        }
    };
    let r = get("?from=2026-01-01&to=2026-01-31").await;
    assert_eq!(r["totals"]["requests"], 12);
    assert_eq!(r["totals"]["tokensIn"], 32);
    assert_eq!(r["totals"]["tokensOut"], 64);
    assert_eq!(
        r["daily"][0],
        json!({ "day": "2026-01-01", "requests": 6, "streamed": 2, "failed": 0,
        "failures": { "rejected": 0, "start": 0, "unreachable": 0, "agent": 0, "interrupted": 0, "cancelled": 0 },
        "coldStarts": 0, "coldStartMs": 0, "tokensIn": 20, "tokensOut": 40, "usageReported": 6, "usageMissing": 0 })
    );
    assert_eq!(r["daily"][1]["requests"], 6);
    assert_eq!(r["data"][0]["userId"], alice.user_id.as_str());
    assert_eq!(r["data"][0]["requests"], 8);
    assert_eq!(r["data"][1]["requests"], 4);
    assert_eq!(r["meta"]["total"], 2);
    let one_day = get("?from=2026-01-02&to=2026-01-02&limit=1").await;
    assert_eq!(one_day["totals"]["requests"], 6);
    assert_eq!(
        one_day["meta"],
        json!({ "total": 2, "page": 1, "limit": 1, "totalPages": 2 })
    );
    let bob_only = get(&format!("?from=2026-01-01&to=2026-01-31&user={}", bob.user_id)).await;
    assert_eq!(bob_only["totals"]["requests"], 4);
    assert_eq!(bob_only["daily"].as_array().unwrap().len(), 1);
    let own = w
        .api
        .get("/api/usage?from=2026-01-01&to=2026-01-31", Auth::Session(&alice))
        .await
        .expect(200);
    assert_eq!(own["totals"]["requests"], 8);
    assert_eq!(own["data"].as_array().unwrap().len(), 1);
}
