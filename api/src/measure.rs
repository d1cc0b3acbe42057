//! What the server counts for its operators, in one place: the metric names, their labels and
//! the closed set of values each label may take. `ops::metrics` serves them in the Prometheus
//! text format on a listener of its own.
//!
//! A label value is never an id, a name, an address or anything a client typed: it comes from
//! the sets below (anything else is counted as `other`), and a route is its template
//! (`/v1/contacts/{id}`), never the path asked for. So no metric can carry personal data or grow
//! without bound (issue #17; `tests/tests/suite/metrics.rs` checks every label of a real scrape).
//!
//! Counting happens where the step runs, before its transaction commits: a step rolled back and
//! retried is counted again. The numbers are for watching trends and paging, not for reports.
//! When no exporter is installed (no `FIELDLINE_METRICS_BIND`), every call here does nothing.

use std::time::Duration;

/// Histogram buckets in seconds, shared by every `_seconds` metric: a request takes
/// milliseconds, an acknowledgement minutes.
pub const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
    1800.0, 3600.0,
];

pub const HTTP_REQUEST_SECONDS: &str = "fieldline_http_request_duration_seconds";
pub const ALERTS_RAISED: &str = "fieldline_alerts_raised_total";
pub const ALERT_ESCALATIONS: &str = "fieldline_alert_escalations_total";
pub const ALERTS_EXHAUSTED: &str = "fieldline_alerts_exhausted_total";
pub const ALERT_DELIVERY_SECONDS: &str = "fieldline_alert_delivery_seconds";
pub const ALERT_ACKNOWLEDGE_SECONDS: &str = "fieldline_alert_acknowledge_seconds";
pub const PUSH_ATTEMPTS: &str = "fieldline_push_attempts_total";
pub const DIRECTORY_SEARCHES: &str = "fieldline_directory_searches_total";
pub const WORKER_ITEMS: &str = "fieldline_worker_items_total";
pub const QUEUE_DEPTH: &str = "fieldline_queue_depth";
pub const QUEUE_LAG_SECONDS: &str = "fieldline_queue_lag_seconds";
pub const QUEUE_READ_ERRORS: &str = "fieldline_queue_read_errors_total";
pub const DB_POOL_CONNECTIONS: &str = "fieldline_db_pool_connections";

/// Alert kinds and urgencies (the `alerts` table's CHECK constraints).
const KINDS: &[&str] = &["high_risk", "next_of_kin", "advocate_safety"];
const URGENCIES: &[&str] = &["high", "normal"];
/// What one push attempt came to (`push::worker`).
const PUSH_OUTCOMES: &[&str] = &[
    "sent", "gone", "retry", "redirect", "rejected", "timeout", "network", "blocked",
];
const SEARCHES: &[&str] = &["nearby", "within"];
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// `value` when it is one of `allowed`, else `other`.
fn closed(value: &str, allowed: &[&'static str]) -> &'static str {
    allowed
        .iter()
        .copied()
        .find(|a| *a == value)
        .unwrap_or("other")
}

/// One HTTP request. `route` is the matched route's template; `None` (nothing matched) is
/// counted as `unmatched`, so a scan of made-up paths adds one series, not one per path.
pub fn http_request(method: &str, route: Option<&str>, status: u16, took: Duration) {
    let status = match status {
        100..=599 => status.to_string(),
        _ => "other".to_owned(),
    };
    metrics::histogram!(
        HTTP_REQUEST_SECONDS,
        "method" => closed(method, METHODS),
        "route" => route.unwrap_or("unmatched").to_owned(),
        "status" => status,
    )
    .record(took);
}

pub fn alert_raised(kind: &str, urgency: &str) {
    metrics::counter!(ALERTS_RAISED, "kind" => closed(kind, KINDS), "urgency" => closed(urgency, URGENCIES))
        .increment(1);
}

/// An alert notified again: the next level, the next repeat, or after an acknowledgement
/// timed out.
pub fn alert_escalated(kind: &str, urgency: &str) {
    metrics::counter!(ALERT_ESCALATIONS, "kind" => closed(kind, KINDS), "urgency" => closed(urgency, URGENCIES))
        .increment(1);
}

/// Every level and every repeat notified, and nobody answered.
pub fn alert_exhausted(kind: &str, urgency: &str) {
    metrics::counter!(ALERTS_EXHAUSTED, "kind" => closed(kind, KINDS), "urgency" => closed(urgency, URGENCIES))
        .increment(1);
}

/// From an alert's notification being queued (when it is raised, or escalates) to a push
/// service accepting it for one device.
pub fn alert_delivered(kind: &str, urgency: &str, after: Duration) {
    metrics::histogram!(ALERT_DELIVERY_SECONDS, "kind" => closed(kind, KINDS), "urgency" => closed(urgency, URGENCIES))
        .record(after);
}

/// From raising an alert to an acknowledgement (again, after an acknowledgement timed out).
pub fn alert_acknowledged(kind: &str, urgency: &str, after: Duration) {
    metrics::histogram!(ALERT_ACKNOWLEDGE_SECONDS, "kind" => closed(kind, KINDS), "urgency" => closed(urgency, URGENCIES))
        .record(after);
}

pub fn push_attempt(outcome: &str) {
    metrics::counter!(PUSH_ATTEMPTS, "outcome" => closed(outcome, PUSH_OUTCOMES)).increment(1);
}

/// A directory search that was answered; `found`: whether it listed anything.
pub fn directory_search(kind: &str, found: bool) {
    metrics::counter!(
        DIRECTORY_SEARCHES,
        "kind" => closed(kind, SEARCHES),
        "result" => if found { "found" } else { "empty" },
    )
    .increment(1);
}

/// What one background item came to (`worker::step`): `job` is one of the worker's own job
/// names, a constant in the code.
pub fn worker_item(job: &'static str, outcome: WorkerOutcome) {
    let outcome = match outcome {
        WorkerOutcome::Done => "done",
        WorkerOutcome::Failed => "failed",
    };
    metrics::counter!(WORKER_ITEMS, "job" => job, "outcome" => outcome).increment(1);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerOutcome {
    Done,
    /// Failed: retried after a backoff, or parked after its last attempt (the `worker_parked`
    /// queue counts those).
    Failed,
}

/// What waits in one of the database's queues: how many items, and how late the most overdue
/// one is (0 when nothing is overdue). Read from PostgreSQL at a scrape, so every instance
/// reports the same figure (take `max`, not `sum`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Backlog {
    pub depth: i64,
    pub lag_secs: f64,
}

/// `queue` is a constant in the code.
pub fn queue(queue: &'static str, b: Backlog) {
    metrics::gauge!(QUEUE_DEPTH, "queue" => queue).set(b.depth as f64);
    metrics::gauge!(QUEUE_LAG_SECONDS, "queue" => queue).set(b.lag_secs.max(0.0));
}

/// A queue that could not be read at a scrape (it keeps its last figures).
pub fn queue_unread(queue: &'static str) {
    metrics::counter!(QUEUE_READ_ERRORS, "queue" => queue).increment(1);
}

/// A connection pool's connections in use and idle, and its most (`pool` is a constant in the
/// code).
pub fn pool(pool: &'static str, in_use: u32, idle: usize, max: u32) {
    metrics::gauge!(DB_POOL_CONNECTIONS, "pool" => pool, "state" => "in_use").set(in_use);
    metrics::gauge!(DB_POOL_CONNECTIONS, "pool" => pool, "state" => "idle").set(idle as f64);
    metrics::gauge!(DB_POOL_CONNECTIONS, "pool" => pool, "state" => "max").set(max);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_outside_a_set_is_other() {
        assert_eq!(closed("high_risk", KINDS), "high_risk");
        assert_eq!(closed("Jane Doe", KINDS), "other");
        assert_eq!(
            closed("d0000000-0000-4000-8000-000000000001", PUSH_OUTCOMES),
            "other"
        );
    }
}
