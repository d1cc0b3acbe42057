//! Retention: an agency keeps closed contacts for a set number of days; an admin-run purge
//! then removes them with every personal field (people with no remaining contact go too,
//! with their safety plans) and keeps only monthly counts for reports. Phones learn of the
//! removals through sync tombstones.

use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::Json;
use crate::state::AppState;
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
    let days = sqlx::query_scalar!(
        "SELECT closed_contact_retention_days FROM agencies WHERE id = $1",
        actor.agency_id
    )
    .fetch_one(&state.db)
    .await?;
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
    sqlx::query!(
        "UPDATE agencies SET closed_contact_retention_days = $2 WHERE id = $1",
        actor.agency_id,
        p.closed_contact_retention_days
    )
    .execute(&mut *tx)
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
    let days = sqlx::query_scalar!(
        "SELECT closed_contact_retention_days FROM agencies WHERE id = $1 FOR UPDATE",
        actor.agency_id
    )
    .fetch_one(&mut *tx)
    .await?
    .ok_or(ApiError::Conflict("set a retention period first"))?;
    // Count first, then delete exactly the rows counted (locked, so none changes in between).
    // Ids are the agency's own: every statement names the agency, so another agency's twin
    // of a purged contact or person is never touched.
    let expired: Vec<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT id FROM contacts WHERE agency_id = $1 AND status = 'closed'
            AND closed_at < now() - make_interval(days => $2) FOR UPDATE",
        actor.agency_id,
        days,
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO retention_counts AS r (agency_id, month, incident_type, setting, contacts, high_risk)
           SELECT c.agency_id, date_trunc('month', c.occurred_at)::date, c.incident_type, c.setting, count(*),
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM screenings s
                                                  WHERE s.agency_id = c.agency_id AND s.contact_id = c.id AND s.high_risk))
             FROM contacts c WHERE c.agency_id = $2 AND c.id = ANY($1)
            GROUP BY 1, 2, 3, 4
           ON CONFLICT (agency_id, month, incident_type, setting) DO UPDATE SET
               contacts = r.contacts + EXCLUDED.contacts, high_risk = r.high_risk + EXCLUDED.high_risk"#,
        &expired,
        actor.agency_id,
    )
    .execute(&mut *tx)
    .await?;
    let persons: Vec<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT DISTINCT person_id FROM contacts WHERE agency_id = $2 AND id = ANY($1)",
        &expired,
        actor.agency_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    let contacts_purged = sqlx::query!(
        "DELETE FROM contacts WHERE agency_id = $2 AND id = ANY($1)",
        &expired,
        actor.agency_id,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let orphans: Vec<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT id FROM persons p WHERE p.agency_id = $2 AND p.id = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.agency_id = p.agency_id AND c.person_id = p.id)",
        &persons,
        actor.agency_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    // A person's safety plan goes with them; its versions cascade, which their guard trigger
    // allows only inside a purge.
    sqlx::query("SET LOCAL fieldline.purge = 'on'")
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "DELETE FROM safety_plans WHERE agency_id = $2 AND person_id = ANY($1)",
        &orphans,
        actor.agency_id,
    )
    .execute(&mut *tx)
    .await?;
    let persons_purged = sqlx::query!(
        "DELETE FROM persons WHERE agency_id = $2 AND id = ANY($1)",
        &orphans,
        actor.agency_id,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let report = PurgeReport {
        contacts_purged: contacts_purged as i64,
        persons_purged: persons_purged as i64,
    };
    audit::record(&mut *tx, &AuditActor::from(&actor), "retention.purge", "agency", Some(&actor.agency_id.to_string()),
        json!({ "retention_days": days, "contacts_purged": report.contacts_purged, "persons_purged": report.persons_purged })).await?;
    tx.commit().await?;
    Ok(Json(report))
}
