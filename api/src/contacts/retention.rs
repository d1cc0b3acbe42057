//! Retention: an agency keeps closed contacts for a set number of days; an admin-run purge
//! then removes them with every personal field (people with no remaining contact go too,
//! with their safety plans) and keeps only monthly counts for reports. Phones learn of the
//! removals through sync tombstones.

use super::store;
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::Json;
use crate::state::AppState;
use crate::users;
use axum::extract::State;
use fieldline_wire::retention::{PurgeReport, RetentionPolicy};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_policy, set_policy))
        .routes(routes!(purge))
}

/// The agency's retention of closed contacts.
#[utoipa::path(get, path = "/v1/admin/retention", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = RetentionPolicy)))]
async fn get_policy(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<RetentionPolicy>> {
    actor.require(Permission::ManageUsers)?;
    let days = users::store::retention_days(&state.db, actor.agency_id).await?;
    Ok(Json(RetentionPolicy {
        closed_contact_retention_days: days,
    }))
}

/// Set how long closed contacts are kept.
#[utoipa::path(put, path = "/v1/admin/retention", tag = "admin", security(("bearer" = [])), request_body = RetentionPolicy,
    responses((status = 200, body = RetentionPolicy)))]
async fn set_policy(
    State(state): State<AppState>,
    actor: Actor,
    Json(p): Json<RetentionPolicy>,
) -> ApiResult<Json<RetentionPolicy>> {
    actor.require(Permission::ManageUsers)?;
    if p.closed_contact_retention_days
        .is_some_and(|d| !(30..=36_500).contains(&d))
    {
        return Err(ApiError::field(
            "/closed_contact_retention_days",
            "must be from 30 to 36500 days, or null",
        ));
    }
    let mut tx = state.db.begin().await?;
    users::store::set_retention_days(&mut tx, actor.agency_id, p.closed_contact_retention_days)
        .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "retention.set",
        "agency",
        Some(&actor.agency_id.to_string()),
        json!({ "closed_contact_retention_days": p.closed_contact_retention_days }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(p))
}

/// Remove closed contacts past the agency's retention, keeping only counts. Idempotent: a
/// second run finds nothing more. Audited with the counts.
#[utoipa::path(post, path = "/v1/admin/retention/purge", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = PurgeReport), (status = 409, body = fieldline_wire::Problem, content_type = "application/problem+json")))]
async fn purge(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<PurgeReport>> {
    actor.require(Permission::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    let days = users::store::lock_retention_days(&mut tx, actor.agency_id)
        .await?
        .ok_or(ApiError::Conflict("set a retention period first"))?;
    // Count first, then delete exactly the rows counted (locked, so none changes in between).
    // Ids are the agency's own: every statement names the agency, so another agency's twin
    // of a purged contact or person is never touched.
    let expired = store::lock_expired(&mut tx, actor.agency_id, days).await?;
    store::count_for_reports(&mut tx, actor.agency_id, &expired).await?;
    let persons = store::persons_of(&mut tx, actor.agency_id, &expired).await?;
    let contacts_purged = store::delete_contacts(&mut tx, actor.agency_id, &expired).await?;
    let orphans = store::orphans(&mut tx, actor.agency_id, &persons).await?;
    // A person's safety plan goes with them; its versions cascade, which their guard trigger
    // allows only inside a purge.
    crate::plans::store::purge_for_persons(&mut tx, actor.agency_id, &orphans).await?;
    let persons_purged = store::delete_persons(&mut tx, actor.agency_id, &orphans).await?;
    let report = PurgeReport {
        contacts_purged: contacts_purged as i64,
        persons_purged: persons_purged as i64,
    };
    audit::record(&mut *tx, &AuditActor::from(&actor), "retention.purge", "agency", Some(&actor.agency_id.to_string()),
        json!({ "retention_days": days, "contacts_purged": report.contacts_purged, "persons_purged": report.persons_purged })).await?;
    tx.commit().await?;
    Ok(Json(report))
}
