//! Prometheus metrics, rendered in the text exposition format (version 0.0.4) at `/metrics`.
//!
//! HTTP requests are counted and timed by the HTTP server for every request, labelled by route
//! pattern (`/api/providers/{id}`, never a concrete id) so the label set stays bounded. The chat
//! proxy and the container manager report through the hooks below (`observe_proxy_latency`,
//! `stream_started`, `container_started`, `container_stopped`, and `chat_recorded` from the usage
//! accounting, which counts chat requests, failures, cold starts and reported tokens here without
//! any per-user label); containers by state are counted from the database at scrape time.
//!
//! The series live in `prometheus-client` families: counters and gauges are atomics, and a
//! family only takes its write lock the first time a label set appears, so requests on
//! different routes never wait on one another.

use mosaic_shared::types::ChatFailure;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, prometheus_text};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

const REQUEST_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const PROXY_BUCKETS: [f64; 11] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// Container states as the database records them.
pub const CONTAINER_STATES: &[&str] = &["running", "starting", "stopped", "error"];
/// The `Content-Type` of what [`Metrics::render`] writes.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StreamedLabels {
    streamed: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DirectionLabels {
    direction: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReportedLabels {
    usage_reported: &'static str,
}

/// Chat requests as the usage accounting counts them, summed over all users. Every label set
/// exists from the start, so a scraper sees the zeros.
#[derive(Debug, Default)]
struct ChatSeries {
    requests: Family<StreamedLabels, Counter>,
    failures: Family<KindLabels, Counter>,
    cold_starts: Counter,
    cold_start_seconds: Counter<f64, std::sync::atomic::AtomicU64>,
    tokens: Family<DirectionLabels, Counter>,
    answers: Family<ReportedLabels, Counter>,
}

impl ChatSeries {
    fn register(&self, registry: &mut Registry) {
        for streamed in ["false", "true"] {
            drop(self.requests.get_or_create(&StreamedLabels { streamed }));
            drop(self.answers.get_or_create(&ReportedLabels {
                usage_reported: streamed,
            }));
        }
        for failure in ChatFailure::ALL {
            drop(self.failures.get_or_create(&KindLabels { kind: failure.as_str() }));
        }
        for direction in ["in", "out"] {
            drop(self.tokens.get_or_create(&DirectionLabels { direction }));
        }
        registry.register(
            "mosaic_chat_requests",
            "Chat requests of all users, streamed or not (usage accounting)",
            self.requests.clone(),
        );
        registry.register(
            "mosaic_chat_failures",
            "Chat requests that failed, by kind",
            self.failures.clone(),
        );
        registry.register(
            "mosaic_chat_cold_starts",
            "Chat requests that started their agent's container",
            self.cold_starts.clone(),
        );
        registry.register(
            "mosaic_chat_cold_start_seconds",
            "Time those container starts took",
            self.cold_start_seconds.clone(),
        );
        registry.register(
            "mosaic_chat_tokens",
            "Tokens as the agents reported them, in (prompt) and out (completion)",
            self.tokens.clone(),
        );
        registry.register(
            "mosaic_chat_answers",
            "Chat answers that ended well, by whether the agent reported its tokens",
            self.answers.clone(),
        );
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ContainerLabels {
    kind: &'static str,
    state: &'static str,
}

/// A family that is described (`# HELP`, `# TYPE`) even before its first series: the encoder
/// leaves empty families out, and a scraper should learn that a counter exists (and is at
/// zero) before the first container start or reap happens.
#[derive(Debug, Clone)]
struct Described<M>(M);

impl<M: EncodeMetric> EncodeMetric for Described<M> {
    fn encode(&self, encoder: MetricEncoder) -> Result<(), fmt::Error> {
        self.0.encode(encoder)
    }

    fn metric_type(&self) -> MetricType {
        self.0.metric_type()
    }
}

type HistogramFamily<S> = Family<S, Histogram, fn() -> Histogram>;

#[derive(Debug)]
pub struct Metrics {
    /// What lives as long as the process; the scrape-time series get a registry of their own
    /// in [`Metrics::render`].
    registry: Registry,
    http_requests: Family<RequestLabels, Counter>,
    http_durations: HistogramFamily<RouteLabels>,
    proxy_latency: Histogram,
    active_streams: Gauge,
    container_starts: Family<OutcomeLabels, Counter>,
    container_reaps: Family<ReasonLabels, Counter>,
    chat: ChatSeries,
}

impl Default for Metrics {
    fn default() -> Self {
        let http_requests = Family::<RequestLabels, Counter>::default();
        let http_durations: HistogramFamily<RouteLabels> =
            Family::new_with_constructor(|| Histogram::new(REQUEST_BUCKETS));
        let proxy_latency = Histogram::new(PROXY_BUCKETS);
        let active_streams = Gauge::default();
        let container_starts = Family::<OutcomeLabels, Counter>::default();
        let container_reaps = Family::<ReasonLabels, Counter>::default();
        let build_info = Family::<VersionLabels, Gauge>::default();
        build_info
            .get_or_create(&VersionLabels {
                version: mosaic_shared::VERSION,
            })
            .set(1);

        // The encoder adds the final full stop to each help text, and `_total` to counters.
        let mut registry = Registry::default();
        registry.register("mosaic_build_info", "The running mosaicd version", build_info);
        registry.register(
            "mosaic_http_requests",
            "HTTP requests by method, route pattern and status",
            Described(http_requests.clone()),
        );
        registry.register(
            "mosaic_http_request_duration_seconds",
            "Time to answer an HTTP request (for streams: to the response head)",
            Described(http_durations.clone()),
        );
        registry.register(
            "mosaic_proxy_upstream_latency_seconds",
            "Time from forwarding a chat request to the agent's response head",
            proxy_latency.clone(),
        );
        registry.register(
            "mosaic_proxy_active_streams",
            "Streaming chat responses open now",
            active_streams.clone(),
        );
        registry.register(
            "mosaic_container_starts",
            "Container starts by outcome",
            Described(container_starts.clone()),
        );
        registry.register(
            "mosaic_container_reaps",
            "Agent containers stopped, by reason (idle: by the reaper)",
            Described(container_reaps.clone()),
        );
        let chat = ChatSeries::default();
        chat.register(&mut registry);
        Metrics {
            registry,
            http_requests,
            http_durations,
            proxy_latency,
            active_streams,
            container_starts,
            container_reaps,
            chat,
        }
    }
}

/// Counts one open stream while it lives. Owned, so it can travel inside a response body.
#[derive(Debug)]
pub struct StreamGuard(Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.active_streams.dec();
    }
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
        self.http_requests
            .get_or_create(&RequestLabels { method, route, status })
            .inc();
        self.http_durations
            .get_or_create(&RouteLabels { method, route })
            .observe(elapsed.as_secs_f64());
    }

    /// Chat proxy hook: time from forwarding a request to the agent until its response head.
    pub fn observe_proxy_latency(&self, elapsed: Duration) {
        self.proxy_latency.observe(elapsed.as_secs_f64());
    }

    /// Chat proxy hook: a streaming response is open until the guard is dropped.
    pub fn stream_started(self: &Arc<Self>) -> StreamGuard {
        self.active_streams.inc();
        StreamGuard(self.clone())
    }

    /// How many container starts ended with `outcome` so far.
    pub fn container_starts(&self, outcome: &'static str) -> u64 {
        self.container_starts
            .get(&OutcomeLabels { outcome })
            .map_or(0, |counter| counter.get())
    }

    /// Container manager hook: a container start finished (`ok`, `failed`, `timeout`).
    pub fn container_started(&self, outcome: &'static str) {
        self.container_starts.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Container manager hook: a container stopped (reaped, stopped by an admin, crashed…), for `reason`.
    pub fn container_stopped(&self, reason: &'static str) {
        self.container_reaps.get_or_create(&ReasonLabels { reason }).inc();
    }

    /// Usage accounting hook: one chat request ended, failed as `failure` if it did;
    /// `tokens` (in, out) when the agent reported them.
    pub fn chat_recorded(
        &self,
        streamed: bool,
        failure: Option<ChatFailure>,
        cold_start: Option<Duration>,
        tokens: Option<(u64, u64)>,
    ) {
        let c = &self.chat;
        let yes_no = |b: bool| if b { "true" } else { "false" };
        c.requests
            .get_or_create(&StreamedLabels {
                streamed: yes_no(streamed),
            })
            .inc();
        if let Some(failure) = failure {
            c.failures.get_or_create(&KindLabels { kind: failure.as_str() }).inc();
        }
        if let Some(took) = cold_start {
            c.cold_starts.inc();
            c.cold_start_seconds.inc_by(took.as_secs_f64());
        }
        if failure.is_none() {
            c.answers
                .get_or_create(&ReportedLabels {
                    usage_reported: yes_no(tokens.is_some()),
                })
                .inc();
        }
        if let Some((input, output)) = tokens {
            c.tokens
                .get_or_create(&DirectionLabels { direction: "in" })
                .inc_by(input);
            c.tokens
                .get_or_create(&DirectionLabels { direction: "out" })
                .inc_by(output);
        }
    }

    /// The exposition text. `containers` holds (kind, state, count) rows from the database.
    pub fn render(&self, uptime: Duration, containers: &[(String, String, i64)]) -> String {
        // The scrape-time series are built for this scrape alone, so concurrent scrapes never
        // write over each other's values.
        let mut scrape = Registry::default();
        let uptime_gauge = Gauge::<i64>::default();
        uptime_gauge.set(i64::try_from(uptime.as_secs()).unwrap_or(i64::MAX));
        scrape.register("mosaic_uptime_seconds", "Seconds since mosaicd started", uptime_gauge);
        let by_state = Family::<ContainerLabels, Gauge>::default();
        for kind in ["user", "system"] {
            for &state in CONTAINER_STATES {
                let n: i64 = containers
                    .iter()
                    .filter(|(k, s, _)| k == kind && s == state)
                    .map(|(_, _, n)| n)
                    .sum();
                by_state.get_or_create(&ContainerLabels { kind, state }).set(n);
            }
        }
        scrape.register("mosaic_containers", "Agent containers by kind and state", by_state);
        // Outside a runtime (unit tests) there is nothing to count.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let tasks = Gauge::<i64>::default();
            tasks.set(i64::try_from(runtime.metrics().num_alive_tasks()).unwrap_or(i64::MAX));
            scrape.register(
                "mosaic_runtime_tasks",
                "Tasks alive in mosaicd's async runtime (a leak shows as growth)",
                tasks,
            );
        }

        let mut out = String::new();
        for registry in [&self.registry, &scrape] {
            // Only a native-only histogram makes the text encoder fail, and there is none.
            prometheus_text::encode(&mut out, registry).expect("classic metrics encode as text");
        }
        out
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
        assert!(text.contains("mosaic_uptime_seconds 5"));
        assert!(text.contains("mosaic_containers{kind=\"user\",state=\"running\"} 2"));
        assert!(text.contains("mosaic_containers{kind=\"system\",state=\"error\"} 0"));
        assert!(text.contains("mosaic_container_starts_total{outcome=\"ok\"} 1"));
        assert!(text.contains("mosaic_container_reaps_total{reason=\"idle \\\"30 min\\\"\"} 1"));
        assert!(text.contains(&format!(
            "mosaic_build_info{{version=\"{}\"}} 1",
            mosaic_shared::VERSION
        )));
        assert_eq!(m.container_starts("ok"), 1);
        assert_eq!(m.container_starts("timeout"), 0);
        m.chat_recorded(true, None, Some(Duration::from_millis(1500)), Some((10, 20)));
        m.chat_recorded(false, Some(ChatFailure::Start), None, None);
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

    #[tokio::test]
    async fn counts_the_runtimes_tasks() {
        let text = Metrics::default().render(Duration::ZERO, &[]);
        assert!(
            text.contains("# TYPE mosaic_runtime_tasks gauge\nmosaic_runtime_tasks "),
            "{text}"
        );
    }

    #[test]
    fn every_family_is_described_before_its_first_series() {
        let text = Metrics::default().render(Duration::ZERO, &[]);
        for (family, kind, help) in [
            ("mosaic_build_info", "gauge", "The running mosaicd version."),
            ("mosaic_uptime_seconds", "gauge", "Seconds since mosaicd started."),
            (
                "mosaic_http_requests_total",
                "counter",
                "HTTP requests by method, route pattern and status.",
            ),
            (
                "mosaic_http_request_duration_seconds",
                "histogram",
                "Time to answer an HTTP request (for streams: to the response head).",
            ),
            (
                "mosaic_proxy_upstream_latency_seconds",
                "histogram",
                "Time from forwarding a chat request to the agent's response head.",
            ),
            (
                "mosaic_proxy_active_streams",
                "gauge",
                "Streaming chat responses open now.",
            ),
            ("mosaic_containers", "gauge", "Agent containers by kind and state."),
            (
                "mosaic_container_starts_total",
                "counter",
                "Container starts by outcome.",
            ),
            (
                "mosaic_container_reaps_total",
                "counter",
                "Agent containers stopped, by reason (idle: by the reaper).",
            ),
        ] {
            assert!(
                text.contains(&format!("# HELP {family} {help}\n")),
                "{family} help in:\n{text}"
            );
            assert!(
                text.contains(&format!("# TYPE {family} {kind}\n")),
                "{family} type in:\n{text}"
            );
        }
        assert!(text.contains("mosaic_proxy_upstream_latency_seconds_count 0\n"));
        assert!(!text.contains("mosaic_runtime_tasks"), "no runtime here");
        assert!(!text.contains("# EOF"), "the 0.0.4 text format has no end marker");
    }
}
