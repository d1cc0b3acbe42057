//! `GET /v1/admin/worker-failures`: what background work could not do, for the agency's admins.

use super::store;
use crate::auth::{Actor, Permission};
use crate::error::ApiResult;
use crate::http::Json;
use crate::state::AppState;
use axum::extract::State;
use fieldline_wire::Problem;
use fieldline_wire::admin::WorkerFailureList;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_failures))
}

/// Your agency's background items that failed (at most 500, most recent first): those waiting
/// for a retry and those parked after their last attempt. Admins, like the audit log.
#[utoipa::path(get, path = "/v1/admin/worker-failures", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = WorkerFailureList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_failures(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<WorkerFailureList>> {
    actor.require(Permission::ReadAuditLog)?;
    let mut conn = state.db.acquire().await?;
    let failures = store::list(&mut conn, actor.agency_id).await?;
    Ok(Json(WorkerFailureList { failures }))
}
