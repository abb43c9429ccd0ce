//! Prometheus metrics through the `metrics` facade. The recorder is process-global (that
//! is how the facade works), so it is installed once and shared by every server in the
//! process — tests that start several servers see one registry.

use std::{sync::OnceLock, time::Duration};

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "anjoman_http_requests_total";
pub const HTTP_DURATION: &str = "anjoman_http_request_duration_seconds";
pub const WS_CONNECTIONS: &str = "anjoman_ws_connections";
pub const WS_CLOSES: &str = "anjoman_ws_closes_total";
pub const BUILD_INFO: &str = "anjoman_build_info";
pub const HTTP_CONNECTIONS: &str = "anjoman_http_connections";
pub const CONNECTIONS_REFUSED: &str = "anjoman_connections_refused_total";
pub const CONNECTIONS_TIMED_OUT: &str = "anjoman_connections_timed_out_total";
pub const FAULTS: &str = "anjoman_faults_total";

/// Installed at most once per process; concurrent callers wait for the one doing it.
static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Latency buckets from 1 ms to 10 s, so histograms render as real Prometheus histograms.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the recorder on first call and returns the handle that renders it.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), LATENCY_BUCKETS)
                .map_err(|e| e.to_string())?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
            describe();
            Ok(handle)
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests served, by method, route pattern and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "HTTP request latency, by method and route pattern."
    );
    describe_gauge!(WS_CONNECTIONS, "Open WebSocket connections on this node.");
    describe_counter!(
        WS_CLOSES,
        "WebSocket connections ended, by reason: client, idle, resume (queue overflow), revoked."
    );
    describe_gauge!(
        HTTP_CONNECTIONS,
        "Open TCP connections on this node, WebSockets included."
    );
    describe_counter!(
        CONNECTIONS_REFUSED,
        "Connections closed unread because a cap was reached, by reason: per_ip, total."
    );
    describe_counter!(
        CONNECTIONS_TIMED_OUT,
        "Connections closed for being too slow, by phase: header, idle, body."
    );
    describe_counter!(
        FAULTS,
        "Requests and socket ops refused for a fault, by kind: database_unavailable, \
         password_queue_full, storage_full."
    );
    describe_gauge!(BUILD_INFO, "Always 1; labels carry the running version.");
    gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    // Present from the start so dashboards see 0 rather than a missing series.
    gauge!(WS_CONNECTIONS).set(0.0);
    gauge!(HTTP_CONNECTIONS).set(0.0);
}

/// One more (+1) or one fewer (-1) open connection. Moved by steps, not set, so several
/// servers in one process (tests) add up instead of overwriting each other.
pub fn http_connections_add(delta: f64) {
    gauge!(HTTP_CONNECTIONS).increment(delta);
}

/// A connection closed unread because of a cap (`per_ip` or `total`).
pub fn connection_refused(reason: &'static str) {
    counter!(CONNECTIONS_REFUSED, "reason" => reason).increment(1);
}

/// A connection closed for being too slow in `phase` (`header`, `idle` or `body`).
pub fn connection_timed_out(phase: &'static str) {
    counter!(CONNECTIONS_TIMED_OUT, "phase" => phase).increment(1);
}

/// Records one finished HTTP request.
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let (method, route) = (method.to_owned(), route.to_owned());
    counter!(HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    histogram!(HTTP_DURATION, "method" => method, "route" => route).record(elapsed.as_secs_f64());
}

/// Counts one fault answered with 503 or 507 (see `faults`).
pub fn record_fault(kind: &'static str) {
    counter!(FAULTS, "kind" => kind).increment(1);
}
