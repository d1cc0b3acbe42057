//! Advocate safety at a scene: a check-in with an expected end; a missed check-out (end plus
//! grace) raises an `advocate_safety` alert with the last location the phone sent; duress
//! raises one at once; a duress code at check-out raises one silently while the screen shows an
//! ordinary check-out.

use crate::alerts::engine::{self, Raise};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::encryption::{DataKeys, Field};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path};
use crate::state::AppState;
use crate::worker::{self, Item};
use axum::extract::State;
use axum::http::StatusCode;
use fieldline_wire::Problem;
use fieldline_wire::safety::{
    Checkin, Checkout, Duress, DuressCode, ExtendCheckin, LocationReport, StartCheckin,
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(extend))
        .routes(routes!(report_location))
        .routes(routes!(checkout))
        .routes(routes!(set_duress_code))
        .routes(routes!(duress))
}

async fn load(conn: &mut PgConnection, id: Uuid, actor: &Actor) -> ApiResult<Checkin> {
    sqlx::query_as!(
        Checkin,
        "SELECT id, started_at, expected_end_at, grace_minutes, state, checked_out_at FROM checkins
          WHERE agency_id = $3 AND id = $1 AND advocate_id = $2",
        id,
        actor.user_id,
        actor.agency_id,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(ApiError::NotFound)
}

/// Start a check-in for a scene (idempotent by id). Ids are your agency's own: an id another
/// agency's check-in has is answered exactly as an unknown one (a new check-in).
#[utoipa::path(post, path = "/v1/safety/checkins", tag = "alerts", security(("bearer" = [])), request_body = StartCheckin,
    responses((status = 201, body = Checkin),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "the id is another advocate's check-in in your agency"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn start(
    State(state): State<AppState>,
    actor: Actor,
    Json(s): Json<StartCheckin>,
) -> ApiResult<(StatusCode, Json<Checkin>)> {
    actor.require(Permission::RaiseAlerts)?;
    check_end(s.expected_end_at)?;
    if !(0..=120).contains(&s.grace_minutes) {
        return Err(ApiError::field("/grace_minutes", "must be from 0 to 120"));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "INSERT INTO checkins (id, agency_id, advocate_id, expected_end_at, grace_minutes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (agency_id, id) DO NOTHING",
        s.id,
        actor.agency_id,
        actor.user_id,
        s.expected_end_at,
        s.grace_minutes,
    )
    .execute(&mut *tx)
    .await?;
    let checkin = load(&mut tx, s.id, &actor).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "safety.checkin",
        "checkin",
        Some(&s.id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(checkin)))
}

/// Push the expected end later (or earlier) while the check-in is active.
#[utoipa::path(post, path = "/v1/safety/checkins/{id}/extend", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ExtendCheckin,
    responses((status = 200, body = Checkin), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the check-in is not active"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn extend(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(e): Json<ExtendCheckin>,
) -> ApiResult<Json<Checkin>> {
    actor.require(Permission::RaiseAlerts)?;
    check_end(e.expected_end_at)?;
    let mut tx = state.db.begin().await?;
    let n = sqlx::query!(
        "UPDATE checkins SET expected_end_at = $3
          WHERE agency_id = $4 AND id = $1 AND advocate_id = $2 AND state = 'active'",
        id,
        actor.user_id,
        e.expected_end_at,
        actor.agency_id,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let checkin = load(&mut tx, id, &actor).await?;
    if n == 0 {
        return Err(ApiError::Conflict("the check-in is not active"));
    }
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "safety.extend",
        "checkin",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(checkin))
}

/// A scene's expected end: later than now, within a day.
fn check_end(end: chrono::DateTime<chrono::Utc>) -> ApiResult<()> {
    let now = chrono::Utc::now();
    if end > now && end <= now + chrono::Duration::hours(24) {
        Ok(())
    } else {
        Err(ApiError::field(
            "/expected_end_at",
            "must be in the next 24 hours",
        ))
    }
}

fn check_location(l: &LocationReport) -> ApiResult<()> {
    if l.latitude.is_finite()
        && l.latitude.abs() <= 90.0
        && l.longitude.is_finite()
        && l.longitude.abs() <= 180.0
    {
        Ok(())
    } else {
        Err(ApiError::field("/latitude", "must be a WGS 84 position"))
    }
}

fn seal_location(keys: &DataKeys, id: Uuid, l: &LocationReport) -> ApiResult<Vec<u8>> {
    check_location(l)?;
    let doc = json!({ "latitude": l.latitude, "longitude": l.longitude, "precision_m": l.precision_m, "at": chrono::Utc::now() });
    Ok(keys.seal(
        &Field {
            name: "checkin.location",
            record: id,
        },
        &doc.to_string(),
    ))
}

/// Where the phone is now; kept sealed and shown to a coordinator only with an alert.
#[utoipa::path(post, path = "/v1/safety/checkins/{id}/location", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = LocationReport,
    responses((status = 204, description = "Kept"), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn report_location(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(l): Json<LocationReport>,
) -> ApiResult<StatusCode> {
    actor.require(Permission::RaiseAlerts)?;
    let sealed = seal_location(&state.config.data_keys, id, &l)?;
    let n = sqlx::query!(
        "UPDATE checkins SET last_location_sealed = $3 WHERE agency_id = $4 AND id = $1 AND advocate_id = $2",
        id,
        actor.user_id,
        sealed,
        actor.agency_id,
    )
    .execute(&state.db)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Check out. With the advocate's duress code, the answer is exactly that of an ordinary
/// check-out, and an advocate-safety alert is raised at the highest urgency.
#[utoipa::path(post, path = "/v1/safety/checkins/{id}/checkout", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Checkout, responses((status = 200, body = Checkin), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours")))]
async fn checkout(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(c): Json<Checkout>,
) -> ApiResult<Json<Checkin>> {
    actor.require(Permission::RaiseAlerts)?;
    let stored = sqlx::query_scalar!(
        "SELECT duress_code_hash FROM users WHERE id = $1",
        actor.user_id
    )
    .fetch_one(&state.db)
    .await?;
    // Checked with the same work whether or not a code was set or typed.
    let turn = state.config.password_gate.enter_always();
    let under_duress = state
        .config
        .password_gate
        .verify(turn, c.code.clone().unwrap_or_default(), stored)
        .await
        && c.code.is_some();
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "UPDATE checkins SET state = 'checked_out', checked_out_at = now()
          WHERE agency_id = $3 AND id = $1 AND advocate_id = $2 AND state = 'active'",
        id,
        actor.user_id,
        actor.agency_id,
    )
    .execute(&mut *tx)
    .await?;
    let checkin = load(&mut tx, id, &actor).await?;
    if under_duress {
        // An alert of its own, never joined to the check-in's missed check-out alert: it
        // reaches the first level at once, at the highest urgency. Its id comes from the
        // check-in, so a check-out sent again (its answer lost) raises it once.
        raise_safety(
            &mut tx,
            &state.config.data_keys,
            duress_alert_id(id),
            actor.agency_id,
            actor.user_id,
            Some(id),
            None,
            "Duress code entered at check-out",
        )
        .await?;
    }
    // The audit row does not say which: it is read by admins, and the alert says enough.
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "safety.checkout",
        "checkin",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(checkin))
}

/// Set (or change) your duress code.
#[utoipa::path(put, path = "/v1/safety/duress-code", tag = "alerts", security(("bearer" = [])), request_body = DuressCode,
    responses((status = 204, description = "Set"), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json",
         description = "the server is hashing as many secrets as it may at once: try again after `Retry-After` seconds",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
async fn set_duress_code(
    State(state): State<AppState>,
    actor: Actor,
    Json(d): Json<DuressCode>,
) -> ApiResult<StatusCode> {
    actor.require(Permission::RaiseAlerts)?;
    if !(4..=32).contains(&d.code.chars().count()) {
        return Err(ApiError::field("/code", "must be 4 to 32 characters"));
    }
    let turn = state.config.password_gate.enter()?;
    let hash = state.config.password_gate.hash(turn, d.code).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "UPDATE users SET duress_code_hash = $2 WHERE id = $1",
        actor.user_id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "safety.duress_code",
        "user",
        Some(&actor.user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Duress: raise an advocate-safety alert now (idempotent by id). Ids are your agency's own:
/// an id another agency's alert has raises yours all the same, and so does an id a colleague
/// raised under: duress is never swallowed.
#[utoipa::path(post, path = "/v1/safety/duress", tag = "alerts", security(("bearer" = [])), request_body = Duress,
    responses((status = 202, description = "Raised")))]
async fn duress(
    State(state): State<AppState>,
    actor: Actor,
    Json(d): Json<Duress>,
) -> ApiResult<StatusCode> {
    actor.require(Permission::RaiseAlerts)?;
    let mut tx = state.db.begin().await?;
    let mut line = "Duress raised by an advocate".to_owned();
    if let Some(l) = &d.location {
        check_location(l)?;
        line = format!(
            "{line}; location {:.5}, {:.5} (±{} m)",
            l.latitude, l.longitude, l.precision_m
        );
    }
    // An id a colleague raised under (a client bug, or a copied id) would find their alert
    // and raise nothing: this advocate's duress goes under an id derived from theirs instead,
    // the same on every replay.
    let id = match engine::raised_under(&mut tx, actor.agency_id, d.id).await? {
        Some(who) if who != actor.user_id => derived_id("duress-of", d.id, actor.user_id),
        _ => d.id,
    };
    raise_safety(
        &mut tx,
        &state.config.data_keys,
        id,
        actor.agency_id,
        actor.user_id,
        None,
        None,
        &line,
    )
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "safety.duress",
        "alert",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::ACCEPTED)
}

/// The alert id for a duress code entered at the check-out of `checkin`: derived from it
/// (SHA-256, shaped as a version-8 UUID), so a repeated check-out finds the same alert.
fn duress_alert_id(checkin: Uuid) -> Uuid {
    derived_v8(&format!("fieldline:duress-at-checkout:{checkin}"))
}

/// An alert id derived from another id and a user (see [`duress_alert_id`]).
fn derived_id(what: &str, id: Uuid, user: Uuid) -> Uuid {
    derived_v8(&format!("fieldline:{what}:{id}:{user}"))
}

/// SHA-256 of `text`, shaped as a version-8 UUID.
fn derived_v8(text: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    Uuid::from_bytes(b)
}

/// Raises (or, by `dedup_key`, joins) an advocate-safety alert at the highest urgency and
/// links the check-in to it when it has no alert yet. Returns the alert's id. Ids are the
/// agency's own: another agency's alert with the same id is neither found nor in the way.
#[allow(clippy::too_many_arguments)]
async fn raise_safety(
    conn: &mut PgConnection,
    keys: &DataKeys,
    alert: Uuid,
    agency: Uuid,
    advocate: Uuid,
    checkin: Option<Uuid>,
    dedup_key: Option<&str>,
    details: &str,
) -> ApiResult<Uuid> {
    let sealed = keys.seal(
        &Field {
            name: "alert.details",
            record: alert,
        },
        details,
    );
    let raised = engine::raise(
        conn,
        &Raise {
            id: alert,
            agency_id: agency,
            kind: "advocate_safety",
            // Duress and missed check-outs: the highest there is.
            urgency: Some("high"),
            dedup_key,
            raised_by: Some(advocate),
            contact_id: None,
            details_sealed: Some(sealed),
        },
    )
    .await?;
    let id = raised.id();
    if let Some(c) = checkin {
        sqlx::query!(
            "UPDATE checkins SET alert_id = coalesce(alert_id, $2) WHERE agency_id = $3 AND id = $1",
            c,
            id,
            agency,
        )
        .execute(conn)
        .await?;
    }
    Ok(id)
}

/// For the escalation worker: raise an alert for each check-in past its end plus grace, once
/// (the check-in turns `overdue` in the same transaction). The alert carries the last location
/// the phone sent; one that cannot be opened is left out rather than holding the alert back.
/// Each check-in is one `worker::step`: one that fails is retried later, and the others go on.
pub async fn raise_overdue(db: &PgPool, keys: &DataKeys) -> anyhow::Result<usize> {
    let mut n = 0;
    loop {
        let mut tx = db.begin().await?;
        let Some(c) = sqlx::query!(
            "SELECT id, agency_id, advocate_id, last_location_sealed FROM checkins
              WHERE state = 'active' AND expected_end_at + make_interval(mins => grace_minutes) <= now()
                AND NOT worker_item_held('checkin_overdue', agency_id, id)
              ORDER BY expected_end_at LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        let item = Item {
            job: "checkin_overdue",
            id: c.id,
            agency_id: c.agency_id,
        };
        let line = overdue_line(keys, c.id, c.last_location_sealed.as_deref());
        let done = worker::step(&mut tx, item, async |conn: &mut PgConnection| {
            // A fresh id, found again through the check-in's dedup key: the check-in's own id
            // is chosen by the phone and could be anything, an alert's of the agency too.
            let key = format!("checkin:{}", c.id);
            raise_safety(
                conn,
                keys,
                Uuid::new_v4(),
                c.agency_id,
                c.advocate_id,
                Some(c.id),
                Some(&key),
                &line,
            )
            .await
            .map_err(|e| anyhow::anyhow!("raising the alert: {e}"))?;
            sqlx::query!(
                "UPDATE checkins SET state = 'overdue' WHERE agency_id = $2 AND id = $1",
                c.id,
                c.agency_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        })
        .await?;
        tx.commit().await?;
        n += usize::from(done.is_some());
    }
    Ok(n)
}

/// What a missed check-out's alert says: the last location the phone sent, when it can be read.
fn overdue_line(keys: &DataKeys, checkin: Uuid, sealed: Option<&[u8]>) -> String {
    let field = Field {
        name: "checkin.location",
        record: checkin,
    };
    let location = keys
        .open_opt(&field, sealed)
        .ok()
        .flatten()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    match (sealed, location) {
        (_, Some(l)) => format!(
            "Missed check-out; last location {}, {} (±{} m) at {}",
            l["latitude"], l["longitude"], l["precision_m"], l["at"]
        ),
        (Some(_), None) => "Missed check-out; the last location could not be read".to_owned(),
        (None, None) => "Missed check-out".to_owned(),
    }
}

/// Check-ins past their end and grace, not yet raised as missed (`ops::metrics`).
pub async fn overdue_backlog(db: &PgPool) -> sqlx::Result<crate::measure::Backlog> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "depth!",
                  coalesce(extract(epoch FROM now() - min(expected_end_at + make_interval(mins => grace_minutes))), 0)::float8 AS "lag!"
             FROM checkins
            WHERE state = 'active' AND expected_end_at + make_interval(mins => grace_minutes) <= now()"#
    )
    .fetch_one(db)
    .await?;
    Ok(crate::measure::Backlog {
        depth: r.depth,
        lag_secs: r.lag,
    })
}
