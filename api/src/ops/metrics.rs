//! `/metrics` in the Prometheus text format, served on a listener of its own
//! (`FIELDLINE_METRICS_BIND`, e.g. a loopback or cluster-internal address) rather than beside
//! the API, so the API's public address never shows it and no token is needed.
//!
//! Counters and histograms are counted where things happen (`measure`); the queues and pools
//! are read when Prometheus scrapes. The recorder is the process's: every server in one process
//! (the tests start many) counts into it.

use crate::measure;
use crate::state::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder, once; later calls get the same handle.
pub fn install() -> anyhow::Result<&'static PrometheusHandle> {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(h) = HANDLE.get() {
        return Ok(h);
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), measure::BUCKETS)?
        .install_recorder()?;
    // Histograms keep their samples until upkeep folds them in: done at each scrape, and
    // every few seconds for when nobody scrapes.
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        })?;
    Ok(HANDLE.get_or_init(|| handle))
}

/// The metrics listener's router: `GET /metrics`, nothing else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

/// Serves [`router`] on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn scrape(State(state): State<AppState>) -> Response {
    let Some(handle) = HANDLE.get() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not installed").into_response();
    };
    read_queues(&state).await;
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The queues' depths and lags and the pools' use, as they are now. A queue that cannot be
/// read keeps its last figures, and the scrape still answers (`fieldline_queue_read_errors`).
async fn read_queues(state: &AppState) {
    let db = &state.db;
    let mut read = Vec::new();
    match crate::alerts::store::backlogs(db).await {
        Ok((requests, escalations)) => {
            read.push(("alert_requests", Ok(requests)));
            read.push(("alert_escalations", Ok(escalations)));
        }
        Err(e) => read.push(("alert_requests", Err(e))),
    }
    read.push(("push_deliveries", crate::push::outbox::backlog(db).await));
    read.push(("checkins_overdue", crate::safety::overdue_backlog(db).await));
    read.push(("worker_parked", crate::worker::store::parked(db).await));
    for (queue, backlog) in read {
        match backlog {
            Ok(b) => measure::queue(queue, b),
            Err(e) => {
                tracing::warn!(queue, error = %crate::telemetry::redacted(&e.into()), "metrics: a queue could not be read");
                measure::queue_unread(queue);
            }
        }
    }
    let main = &state.db;
    measure::pool(
        "main",
        main.size().saturating_sub(main.num_idle() as u32),
        main.num_idle(),
        main.options().get_max_connections(),
    );
    let (on_loan, idle, max) = state.search.usage();
    measure::pool("search", on_loan, idle, max);
}

/// Times every request of the API router by its route template (`Router::layer`, so the
/// matched route is known).
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let res = next.run(req).await;
    measure::http_request(
        method.as_str(),
        route.as_ref().map(MatchedPath::as_str),
        res.status().as_u16(),
        started.elapsed(),
    );
    res
}
