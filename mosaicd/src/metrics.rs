//! Prometheus metrics, rendered in the text exposition format at `/metrics`.
//!
//! HTTP requests are counted and timed by the HTTP server for every request, labelled by route
//! pattern (`/api/providers/{id}`, never a concrete id) so the label set stays bounded. The chat
//! proxy and the container manager report through the hooks below (`observe_proxy_latency`,
//! `stream_started`, `container_started`, `container_stopped`, and `chat_recorded` from the usage
//! accounting, which counts chat requests, failures, cold starts and reported tokens here without
//! any per-user label); containers by state are counted from the database at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const REQUEST_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const PROXY_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// Container states as the database records them.
pub const CONTAINER_STATES: &[&str] = &["running", "starting", "stopped", "error"];

#[derive(Debug, Clone)]
struct Histogram {
    bounds: &'static [f64],
    /// Per bucket, not cumulative; the last slot is +Inf.
    counts: Vec<u64>,
    sum: f64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
        }
    }

    fn observe(&mut self, seconds: f64) {
        let slot = self
            .bounds
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(self.bounds.len());
        self.counts[slot] += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, bound) in self.bounds.iter().enumerate() {
            cumulative += self.counts[i];
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.counts[self.bounds.len()];
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {cumulative}");
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

#[derive(Debug, Default)]
struct HttpSeries {
    requests: BTreeMap<(&'static str, &'static str, u16), u64>,
    durations: BTreeMap<(&'static str, &'static str), Histogram>,
}

/// Chat requests as the usage accounting counts them, summed over all users.
#[derive(Debug, Default)]
struct ChatSeries {
    /// By streamed (`false`, `true`).
    requests: [AtomicU64; 2],
    /// By failure kind, in the order of `FAILURE_KINDS`.
    failures: [AtomicU64; 6],
    cold_starts: AtomicU64,
    cold_start_ms: AtomicU64,
    tokens_in: AtomicU64,
    tokens_out: AtomicU64,
    /// By whether the answer carried the agent's token report (`false`, `true`).
    reports: [AtomicU64; 2],
}

/// Failure kinds of chat requests, as `crate::usage::Failure` names them.
const FAILURE_KINDS: [&str; 6] = ["rejected", "start", "unreachable", "agent", "interrupted", "cancelled"];

#[derive(Debug)]
pub struct Metrics {
    http: Mutex<HttpSeries>,
    proxy_latency: Mutex<Histogram>,
    active_streams: AtomicI64,
    container_starts: Mutex<BTreeMap<&'static str, u64>>,
    container_reaps: Mutex<BTreeMap<String, u64>>,
    chat: ChatSeries,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            http: Mutex::default(),
            proxy_latency: Mutex::new(Histogram::new(PROXY_BUCKETS)),
            active_streams: AtomicI64::new(0),
            container_starts: Mutex::default(),
            container_reaps: Mutex::default(),
            chat: ChatSeries::default(),
        }
    }
}

/// Counts one open stream while it lives. Owned, so it can travel inside a response body.
#[derive(Debug)]
pub struct StreamGuard(Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.active_streams.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A label value in the exposition format: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The method label: the standard methods by name, anything else as `OTHER` (bounded labels).
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

impl Metrics {
    /// One finished HTTP request (for a streamed response: until its head was sent).
    pub fn observe_request(&self, method: &'static str, route: &'static str, status: u16, elapsed: Duration) {
        let mut http = self.http.lock().expect("metrics lock");
        *http.requests.entry((method, route, status)).or_default() += 1;
        http.durations
            .entry((method, route))
            .or_insert_with(|| Histogram::new(REQUEST_BUCKETS))
            .observe(elapsed.as_secs_f64());
    }

    /// Chat proxy hook: time from forwarding a request to the agent until its response head.
    pub fn observe_proxy_latency(&self, elapsed: Duration) {
        self.proxy_latency
            .lock()
            .expect("metrics lock")
            .observe(elapsed.as_secs_f64());
    }

    /// Chat proxy hook: a streaming response is open until the guard is dropped.
    pub fn stream_started(self: &Arc<Self>) -> StreamGuard {
        self.active_streams.fetch_add(1, Ordering::Relaxed);
        StreamGuard(self.clone())
    }

    /// How many container starts ended with `outcome` so far.
    pub fn container_starts(&self, outcome: &str) -> u64 {
        self.container_starts
            .lock()
            .expect("metrics lock")
            .get(outcome)
            .copied()
            .unwrap_or(0)
    }

    /// Container manager hook: a container start finished (`ok`, `failed`, `timeout`).
    pub fn container_started(&self, outcome: &'static str) {
        *self
            .container_starts
            .lock()
            .expect("metrics lock")
            .entry(outcome)
            .or_default() += 1;
    }

    /// Container manager hook: a container stopped (reaped, stopped by an admin, crashed…), for `reason`.
    pub fn container_stopped(&self, reason: &str) {
        *self
            .container_reaps
            .lock()
            .expect("metrics lock")
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// Usage accounting hook: one chat request ended. `failure` is a kind of `FAILURE_KINDS`;
    /// `tokens` (in, out) when the agent reported them.
    pub fn chat_recorded(
        &self,
        streamed: bool,
        failure: Option<&str>,
        cold_start: Option<Duration>,
        tokens: Option<(u64, u64)>,
    ) {
        let c = &self.chat;
        c.requests[usize::from(streamed)].fetch_add(1, Ordering::Relaxed);
        if let Some(i) = failure.and_then(|f| FAILURE_KINDS.iter().position(|k| *k == f)) {
            c.failures[i].fetch_add(1, Ordering::Relaxed);
        }
        if let Some(took) = cold_start {
            c.cold_starts.fetch_add(1, Ordering::Relaxed);
            c.cold_start_ms
                .fetch_add(u64::try_from(took.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
        }
        if failure.is_none() {
            c.reports[usize::from(tokens.is_some())].fetch_add(1, Ordering::Relaxed);
        }
        if let Some((input, output)) = tokens {
            c.tokens_in.fetch_add(input, Ordering::Relaxed);
            c.tokens_out.fetch_add(output, Ordering::Relaxed);
        }
    }

    /// The exposition text. `containers` holds (kind, state, count) rows from the database.
    pub fn render(&self, uptime: Duration, containers: &[(String, String, i64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP mosaic_build_info The running mosaicd version.");
        let _ = writeln!(out, "# TYPE mosaic_build_info gauge");
        let _ = writeln!(
            out,
            "mosaic_build_info{{version=\"{}\"}} 1",
            escape(mosaic_shared::VERSION)
        );
        let _ = writeln!(out, "# HELP mosaic_uptime_seconds Seconds since mosaicd started.");
        let _ = writeln!(out, "# TYPE mosaic_uptime_seconds gauge");
        let _ = writeln!(out, "mosaic_uptime_seconds {}", uptime.as_secs());

        {
            let http = self.http.lock().expect("metrics lock");
            let _ = writeln!(
                out,
                "# HELP mosaic_http_requests_total HTTP requests by method, route pattern and status."
            );
            let _ = writeln!(out, "# TYPE mosaic_http_requests_total counter");
            for ((method, route, status), n) in &http.requests {
                let _ = writeln!(
                    out,
                    "mosaic_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
            let _ = writeln!(
                out,
                "# HELP mosaic_http_request_duration_seconds Time to answer an HTTP request (for streams: to the response head)."
            );
            let _ = writeln!(out, "# TYPE mosaic_http_request_duration_seconds histogram");
            for ((method, route), histogram) in &http.durations {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                histogram.render(&mut out, "mosaic_http_request_duration_seconds", &labels);
            }
        }

        let _ = writeln!(
            out,
            "# HELP mosaic_proxy_upstream_latency_seconds Time from forwarding a chat request to the agent's response head."
        );
        let _ = writeln!(out, "# TYPE mosaic_proxy_upstream_latency_seconds histogram");
        self.proxy_latency
            .lock()
            .expect("metrics lock")
            .render(&mut out, "mosaic_proxy_upstream_latency_seconds", "");
        let _ = writeln!(
            out,
            "# HELP mosaic_proxy_active_streams Streaming chat responses open now."
        );
        let _ = writeln!(out, "# TYPE mosaic_proxy_active_streams gauge");
        let _ = writeln!(
            out,
            "mosaic_proxy_active_streams {}",
            self.active_streams.load(Ordering::Relaxed)
        );

        let _ = writeln!(out, "# HELP mosaic_containers Agent containers by kind and state.");
        let _ = writeln!(out, "# TYPE mosaic_containers gauge");
        for kind in ["user", "system"] {
            for state in CONTAINER_STATES {
                let n: i64 = containers
                    .iter()
                    .filter(|(k, s, _)| k == kind && s == state)
                    .map(|(_, _, n)| n)
                    .sum();
                let _ = writeln!(out, "mosaic_containers{{kind=\"{kind}\",state=\"{state}\"}} {n}");
            }
        }
        let _ = writeln!(out, "# HELP mosaic_container_starts_total Container starts by outcome.");
        let _ = writeln!(out, "# TYPE mosaic_container_starts_total counter");
        for (outcome, n) in self.container_starts.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "mosaic_container_starts_total{{outcome=\"{}\"}} {n}",
                escape(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP mosaic_container_reaps_total Agent containers stopped, by reason (idle: by the reaper)."
        );
        let _ = writeln!(out, "# TYPE mosaic_container_reaps_total counter");
        for (reason, n) in self.container_reaps.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "mosaic_container_reaps_total{{reason=\"{}\"}} {n}", escape(reason));
        }
        self.render_chat(&mut out);
        out
    }

    fn render_chat(&self, out: &mut String) {
        let c = &self.chat;
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP mosaic_chat_requests_total Chat requests of all users, streamed or not (usage accounting)."
        );
        let _ = writeln!(out, "# TYPE mosaic_chat_requests_total counter");
        for (i, streamed) in ["false", "true"].iter().enumerate() {
            let _ = writeln!(
                out,
                "mosaic_chat_requests_total{{streamed=\"{streamed}\"}} {}",
                n(&c.requests[i])
            );
        }
        let _ = writeln!(
            out,
            "# HELP mosaic_chat_failures_total Chat requests that failed, by kind."
        );
        let _ = writeln!(out, "# TYPE mosaic_chat_failures_total counter");
        for (i, kind) in FAILURE_KINDS.iter().enumerate() {
            let _ = writeln!(
                out,
                "mosaic_chat_failures_total{{kind=\"{kind}\"}} {}",
                n(&c.failures[i])
            );
        }
        let _ = writeln!(
            out,
            "# HELP mosaic_chat_cold_starts_total Chat requests that started their agent's container."
        );
        let _ = writeln!(out, "# TYPE mosaic_chat_cold_starts_total counter");
        let _ = writeln!(out, "mosaic_chat_cold_starts_total {}", n(&c.cold_starts));
        let _ = writeln!(
            out,
            "# HELP mosaic_chat_cold_start_seconds_total Time those container starts took."
        );
        let _ = writeln!(out, "# TYPE mosaic_chat_cold_start_seconds_total counter");
        let _ = writeln!(
            out,
            "mosaic_chat_cold_start_seconds_total {}",
            n(&c.cold_start_ms) as f64 / 1000.0
        );
        let _ = writeln!(
            out,
            "# HELP mosaic_chat_tokens_total Tokens as the agents reported them, in (prompt) and out (completion)."
        );
        let _ = writeln!(out, "# TYPE mosaic_chat_tokens_total counter");
        let _ = writeln!(out, "mosaic_chat_tokens_total{{direction=\"in\"}} {}", n(&c.tokens_in));
        let _ = writeln!(
            out,
            "mosaic_chat_tokens_total{{direction=\"out\"}} {}",
            n(&c.tokens_out)
        );
        let _ = writeln!(
            out,
            "# HELP mosaic_chat_answers_total Chat answers that ended well, by whether the agent reported its tokens."
        );
        let _ = writeln!(out, "# TYPE mosaic_chat_answers_total counter");
        for (i, reported) in ["false", "true"].iter().enumerate() {
            let _ = writeln!(
                out,
                "mosaic_chat_answers_total{{usage_reported=\"{reported}\"}} {}",
                n(&c.reports[i])
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_hooks() {
        let m = Arc::new(Metrics::default());
        m.observe_request("GET", "/api/providers/{id}", 404, Duration::from_millis(3));
        m.observe_request("GET", "/api/providers/{id}", 404, Duration::from_millis(300));
        m.observe_proxy_latency(Duration::from_millis(20));
        let guard = m.stream_started();
        m.container_started("ok");
        m.container_stopped("idle \"30 min\"");
        let text = m.render(Duration::from_secs(5), &[("user".into(), "running".into(), 2)]);
        assert!(
            text.contains("mosaic_http_requests_total{method=\"GET\",route=\"/api/providers/{id}\",status=\"404\"} 2")
        );
        assert!(text.contains(
            "mosaic_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/providers/{id}\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "mosaic_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/providers/{id}\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("mosaic_proxy_upstream_latency_seconds_count 1"));
        assert!(text.contains("mosaic_proxy_active_streams 1"));
        assert!(text.contains("mosaic_containers{kind=\"user\",state=\"running\"} 2"));
        assert!(text.contains("mosaic_containers{kind=\"system\",state=\"error\"} 0"));
        assert!(text.contains("mosaic_container_starts_total{outcome=\"ok\"} 1"));
        assert!(text.contains("mosaic_container_reaps_total{reason=\"idle \\\"30 min\\\"\"} 1"));
        m.chat_recorded(true, None, Some(Duration::from_millis(1500)), Some((10, 20)));
        m.chat_recorded(false, Some("start"), None, None);
        m.chat_recorded(false, None, None, None);
        let text = m.render(Duration::ZERO, &[]);
        assert!(text.contains("mosaic_chat_requests_total{streamed=\"true\"} 1"));
        assert!(text.contains("mosaic_chat_requests_total{streamed=\"false\"} 2"));
        assert!(text.contains("mosaic_chat_failures_total{kind=\"start\"} 1"));
        assert!(text.contains("mosaic_chat_failures_total{kind=\"cancelled\"} 0"));
        assert!(text.contains("mosaic_chat_cold_starts_total 1"));
        assert!(text.contains("mosaic_chat_cold_start_seconds_total 1.5"));
        assert!(text.contains("mosaic_chat_tokens_total{direction=\"out\"} 20"));
        assert!(text.contains("mosaic_chat_answers_total{usage_reported=\"false\"} 1"));
        assert!(text.contains("mosaic_chat_answers_total{usage_reported=\"true\"} 1"));
        drop(guard);
        assert!(m.render(Duration::ZERO, &[]).contains("mosaic_proxy_active_streams 0"));
    }
}
