//! Operations: liveness, readiness, and the API's own description; metrics for Prometheus.

pub mod metrics;

use crate::db::MIGRATOR;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use fieldline_wire::Problem;
use serde::Serialize;
use std::collections::HashSet;
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Status {
    status: &'static str,
}

/// The process is up. Says nothing about the database: use it for restarts, not for routing.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Status)))]
async fn healthz() -> axum::Json<Status> {
    axum::Json(Status { status: "ok" })
}

/// Ready for traffic: the database answers within two seconds and every migration this build
/// knows has been applied.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Status), (status = 503, body = Problem, content_type = "application/problem+json")))]
async fn readyz(State(state): State<AppState>) -> ApiResult<axum::Json<Status>> {
    let applied = tokio::time::timeout(Duration::from_secs(2), async {
        // A database never migrated has no bookkeeping table yet: nothing applied.
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&state.db)
            .await?;
        if !exists {
            return Ok(Vec::new());
        }
        sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&state.db)
            .await
    })
    .await;
    let applied: HashSet<i64> = match applied {
        Ok(Ok(v)) => v.into_iter().collect(),
        Ok(Err(e)) => {
            tracing::warn!(error = %crate::telemetry::redacted(&e.into()), "readiness: database check failed");
            return Err(ApiError::Unavailable("the database is not reachable"));
        }
        Err(_) => return Err(ApiError::Unavailable("the database did not answer in time")),
    };
    if MIGRATOR.iter().any(|m| !applied.contains(&m.version)) {
        return Err(ApiError::Unavailable("database migrations are pending"));
    }
    Ok(axum::Json(Status { status: "ready" }))
}
