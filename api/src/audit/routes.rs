//! `GET /v1/admin/audit`: an admin reads their agency's audit log, newest first.

use super::store;
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Query};
use crate::state::AppState;
use axum::extract::State;
use fieldline_wire::Problem;
use fieldline_wire::admin::AuditPage;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read_audit_log))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// e.g. `user`, `session`, `contact`.
    record_type: Option<String>,
    record_id: Option<String>,
    /// Entries where this user acted.
    actor_user_id: Option<Uuid>,
    /// e.g. `user.update`.
    action: Option<String>,
    /// Only entries older than this id (from `next_before`).
    before: Option<i64>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// Your agency's audit log, filtered by record, by acting user, or by action.
#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn read_audit_log(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    actor.require(Permission::ReadAuditLog)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::InvalidQuery(vec![fieldline_wire::FieldError {
            pointer: "/limit".into(),
            message: "must be from 1 to 500".into(),
        }]));
    }
    let filter = store::Filter {
        record_type: q.record_type.as_deref(),
        record_id: q.record_id.as_deref(),
        actor_user_id: q.actor_user_id,
        action: q.action.as_deref(),
        before: q.before,
    };
    let entries = store::page(&state.db, actor.agency_id, &filter, limit).await?;
    let next_before = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}
