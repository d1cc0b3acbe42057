//! `GET /v1/sync`: everything a phone's user may see that changed since its cursor.
//!
//! The cursor is a position in `sync_changes`: (transaction id, row id). Each call reads only
//! rows from transactions older than every transaction still running, and (in a repeatable-read
//! transaction, so the snapshot is one) returns up to `limit` of them in order. Rows of a
//! transaction that was still running stay for the next call: nothing is skipped, whatever the
//! order in which concurrent writers commit. Records the user may no longer see come back as
//! tombstones.

use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::contacts::store;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Query};
use crate::state::AppState;
use axum::extract::State;
use fieldline_wire::FieldError;
use fieldline_wire::sync::{SyncChange, SyncPage};
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sync))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SyncQuery {
    /// From the previous page; absent for a first sync.
    cursor: Option<String>,
    /// Changes per page, 1 to 500, default 200.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// `v1.<txid>.<row>`; opaque to clients.
fn parse_cursor(raw: Option<&str>) -> Result<(i64, i64), ApiError> {
    let Some(raw) = raw else { return Ok((0, 0)) };
    let bad = || {
        ApiError::InvalidQuery(vec![FieldError {
            pointer: "/cursor".into(),
            message: "is not a cursor this server gave out".into(),
        }])
    };
    let mut parts = raw.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("v1"), Some(tx), Some(row), None) => Ok((
            tx.parse().map_err(|_| bad())?,
            row.parse().map_err(|_| bad())?,
        )),
        _ => Err(bad()),
    }
}

/// Changes since `cursor`: contacts (with their screenings, referrals and follow-ups), people
/// and safety plans you may see; tombstones for those deleted or no longer visible to you.
/// Audited (which records were sent, not their contents).
#[utoipa::path(get, path = "/v1/sync", tag = "contacts", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage)))]
async fn sync(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<SyncQuery>,
) -> ApiResult<Json<SyncPage>> {
    actor.require(Permission::RecordContacts)?;
    let (from_tx, from_row) = parse_cursor(q.cursor.as_deref())?;
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/limit".into(),
            message: "must be from 1 to 500".into(),
        }]));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await?;
    let rows =
        super::store::changes_after(&mut tx, actor.agency_id, from_tx, from_row, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let cursor = match rows.last() {
        Some(r) => format!("v1.{}.{}", r.txid, r.id),
        None => format!("v1.{from_tx}.{from_row}"),
    };

    // The latest state of each record, once, in the order first seen.
    let mut seen = std::collections::HashSet::new();
    let mut changes = Vec::new();
    let keys = &state.config.data_keys;
    for r in rows {
        if !seen.insert((r.record_type.clone(), r.record_id)) {
            continue;
        }
        changes.push(load_change(&mut tx, keys, &actor, &r.record_type, r.record_id).await?);
    }
    let sent: Vec<String> = changes
        .iter()
        .filter(|c| !c.deleted)
        .map(|c| format!("{}:{}", c.record_type, c.id))
        .collect();
    if !sent.is_empty() {
        audit::record(
            &mut *tx,
            &AuditActor::from(&actor),
            "sync.read",
            "sync",
            None,
            json!({ "records": sent }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Json(SyncPage {
        changes,
        cursor,
        more,
    }))
}

/// The current state of one changed record for this user, or a tombstone.
async fn load_change(
    tx: &mut sqlx::PgConnection,
    keys: &crate::encryption::DataKeys,
    actor: &Actor,
    record_type: &str,
    id: Uuid,
) -> ApiResult<SyncChange> {
    let mut change = SyncChange {
        record_type: record_type.to_owned(),
        id,
        deleted: true,
        contact: None,
        person: None,
        safety_plan: None,
    };
    match record_type {
        "contact" if store::visible(tx, id, actor.agency_id, actor.user_id).await? => {
            change.contact = Some(store::load(tx, keys, actor.agency_id, id).await?);
        }
        "person" if person_visible(tx, id, actor).await? => {
            change.person = Some(store::load_person(tx, keys, actor.agency_id, id).await?);
        }
        "safety_plan" => {
            let person = crate::plans::store::person_of(tx, actor.agency_id, id).await?;
            if let Some(person) = person {
                // `load` applies the person rule itself.
                let plan =
                    crate::plans::store::load(tx, keys, person, actor.viewer(), None).await?;
                change.safety_plan =
                    plan.map(|p| serde_json::to_value(p).expect("plain data serialises"));
            }
        }
        _ => {}
    }
    change.deleted =
        change.contact.is_none() && change.person.is_none() && change.safety_plan.is_none();
    Ok(change)
}

/// Whether the actor may see the person: the SQL rule `person_visible_to`, the same one the
/// person search, the plan store and the contact writes use.
pub(crate) async fn person_visible(
    conn: &mut sqlx::PgConnection,
    person: Uuid,
    actor: &Actor,
) -> ApiResult<bool> {
    Ok(store::person_visible(conn, person, actor.viewer()).await?)
}
