//! The check-in and duress endpoints: extract, authorize, call, respond.

use super::check::{check_end, check_location, seal_location};
use super::raise::{derived_id, duress_alert_id, raise_safety};
use super::store::{self, Owner};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path};
use crate::state::AppState;
use crate::users;
use axum::extract::State;
use axum::http::StatusCode;
use fieldline_wire::Problem;
use fieldline_wire::safety::{
    Checkin, Checkout, Duress, DuressCode, ExtendCheckin, LocationReport, StartCheckin,
};
use serde_json::json;
use sqlx::PgConnection;
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

fn owner(actor: &Actor) -> Owner {
    Owner {
        agency_id: actor.agency_id,
        advocate_id: actor.user_id,
    }
}

async fn load(conn: &mut PgConnection, id: Uuid, actor: &Actor) -> ApiResult<Checkin> {
    store::load(conn, id, owner(actor))
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
    store::insert(
        &mut tx,
        s.id,
        owner(&actor),
        s.expected_end_at,
        s.grace_minutes,
    )
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
    let extended = store::extend(&mut tx, id, owner(&actor), e.expected_end_at).await?;
    let checkin = load(&mut tx, id, &actor).await?;
    if !extended {
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
    if !store::set_location(&state.db, id, owner(&actor), &sealed).await? {
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
    let stored = users::store::duress_code_hash(&state.db, actor.user_id).await?;
    // Checked with the same work whether or not a code was set or typed.
    let turn = state.config.password_gate.enter_always();
    let under_duress = state
        .config
        .password_gate
        .verify(turn, c.code.clone().unwrap_or_default(), stored)
        .await
        && c.code.is_some();
    let mut tx = state.db.begin().await?;
    store::check_out(&mut tx, id, owner(&actor)).await?;
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
    users::store::set_duress_code(&mut tx, actor.user_id, &hash).await?;
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
    let id = match crate::alerts::store::raised_under(&mut tx, actor.agency_id, d.id).await? {
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
