//! Confidential locations across agencies (design, "Confidential locations"; issue #16.5).
//!
//! The rule itself is the SQL function `directory_location_exact` (see `redact.rs`). This
//! module keeps the two things around it:
//! * the list of other agencies a confidential place's owner names
//!   (`/v1/directory/entries/{id}/exact-location-agencies`), kept by the owner's housing
//!   managers, every change audited;
//! * the audit of every exact read of another agency's confidential place, on every path
//!   (single read, searches, exports): one row in the reader's agency's log (who read it) and
//!   one in the owner's (which agency read it, so the owner sees its list used; not the
//!   reader's person or address). Rows name the entry and how it was read, never the location.

use super::guard::lock_for_change;
use super::redact::exact_other_agency;
use super::store;
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use fieldline_wire::directory::{Entry, ExactLocationAgencies};
use fieldline_wire::{FieldError, Problem};
use serde_json::json;
use sqlx::PgExecutor;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

/// Agencies an owner may name at most (the column's CHECK says the same).
const MAX_AGENCIES: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_agencies, put_agencies))
}

/// The other agencies that may see this place's exact location (housing managers of the
/// owning agency).
#[utoipa::path(get, path = "/v1/directory/entries/{id}/exact-location-agencies", tag = "directory",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ExactLocationAgencies),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not a housing manager, or another agency's shared place"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_agencies(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ExactLocationAgencies>> {
    actor.require(Permission::ManageDirectory)?;
    let row = store::exact_scope(&state.db, id, actor.agency_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    match (row.owned, row.retired) {
        (true, _) => Ok(Json(ExactLocationAgencies {
            agencies: row.exact_location_agencies,
        })),
        (false, true) => Err(ApiError::NotFound),
        (false, false) => Err(ApiError::Forbidden),
    }
}

/// Name the other agencies whose holders of `view_confidential_locations` may see this
/// confidential place's street and exact point (housing managers of the owning agency). The
/// list replaces the previous one; `[]` names none. Audited with what was added and removed.
#[utoipa::path(put, path = "/v1/directory/entries/{id}/exact-location-agencies", tag = "directory",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ExactLocationAgencies,
    responses(
        (status = 200, body = ExactLocationAgencies),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not a housing manager, or another agency's shared place"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`errors` names each id that is not another agency, or too many"),
    ))]
async fn put_agencies(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(change): Json<ExactLocationAgencies>,
) -> ApiResult<Json<ExactLocationAgencies>> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = state.db.begin().await?;
    lock_for_change(&mut tx, &actor, id, None).await?;
    let known = crate::users::store::existing_agencies(&mut tx, &change.agencies).await?;
    let mut errors = Vec::new();
    for (i, a) in change.agencies.iter().enumerate() {
        if *a == actor.agency_id {
            errors.push(field(i, "is your own agency, which always may"));
        } else if !known.contains(a) {
            errors.push(field(i, "is not an agency"));
        }
    }
    let mut agencies = change.agencies;
    agencies.sort();
    agencies.dedup();
    if agencies.len() > MAX_AGENCIES {
        errors.push(FieldError {
            pointer: "/agencies".into(),
            message: format!("must name at most {MAX_AGENCIES} agencies"),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let before = store::exact_location_agencies(&mut tx, id).await?;
    store::set_exact_location_agencies(&mut tx, id, &agencies).await?;
    let added: Vec<&Uuid> = agencies.iter().filter(|a| !before.contains(a)).collect();
    let removed: Vec<&Uuid> = before.iter().filter(|a| !agencies.contains(a)).collect();
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "directory.exact_location_agencies",
        "directory_entry",
        Some(&id.to_string()),
        json!({ "agencies": agencies, "added": added, "removed": removed }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(ExactLocationAgencies { agencies }))
}

fn field(i: usize, message: &str) -> FieldError {
    FieldError {
        pointer: format!("/agencies/{i}"),
        message: message.to_owned(),
    }
}

/// Audits the entries of `shown` (as they leave the server, after `redact`) that show another
/// agency's confidential place exactly: `via` says how (`read`, `nearby`, `within`, `csv`,
/// `hsds`). One statement, and none at all when there are no such entries.
pub async fn audit_reads(
    db: impl PgExecutor<'_>,
    actor: &Actor,
    via: &str,
    shown: &[Entry],
) -> sqlx::Result<()> {
    let (ids, owners): (Vec<Uuid>, Vec<Uuid>) = shown
        .iter()
        .filter(|e| exact_other_agency(e, actor.agency_id))
        .map(|e| (e.id, e.owner_agency_id))
        .unzip();
    if ids.is_empty() {
        return Ok(());
    }
    let who = AuditActor::from(actor);
    sqlx::query!(
        r#"INSERT INTO audit_log (agency_id, actor_user_id, action, record_type, record_id,
                                  request_id, client_ip, details)
           SELECT w.agency_id, w.user_id, 'directory.exact_location_read', 'directory_entry',
                  x.id::text, $5, w.client_ip, w.details
             FROM unnest($1::uuid[], $2::uuid[]) AS x (id, owner)
            CROSS JOIN LATERAL (VALUES
                ($3::uuid, $4::uuid, $6::inet,
                 jsonb_build_object('via', $7::text, 'owner_agency_id', x.owner)),
                (x.owner, NULL::uuid, NULL::inet,
                 jsonb_build_object('via', $7::text, 'reader_agency_id', $3::uuid))
            ) AS w (agency_id, user_id, client_ip, details)"#,
        &ids,
        &owners,
        actor.agency_id,
        actor.user_id,
        who.request_id,
        who.client_ip.map(ipnet::IpNet::from),
        via,
    )
    .execute(db)
    .await?;
    Ok(())
}
