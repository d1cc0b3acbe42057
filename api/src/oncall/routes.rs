//! `/v1/oncall/*`.

use super::store;
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path, Query};
use crate::state::AppState;
use crate::users;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use fieldline_wire::oncall::{
    OnCall, OverrideInput, Schedule, ScheduleInput, ScheduleList, ShiftList, ShiftView,
};
use fieldline_wire::{FieldError, Problem};
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_schedules))
        .routes(routes!(put_schedule))
        .routes(routes!(who_is_on_call))
        .routes(routes!(shifts))
        .routes(routes!(add_override))
        .routes(routes!(delete_override))
        .merge(super::mine::router())
}

fn may_see(actor: &Actor) -> ApiResult<()> {
    if actor.can(Permission::ManageEscalation) || actor.can(Permission::RespondToAlerts) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The agency's schedules.
#[utoipa::path(get, path = "/v1/oncall/schedules", tag = "alerts", security(("bearer" = [])), responses((status = 200, body = ScheduleList)))]
async fn list_schedules(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<ScheduleList>> {
    may_see(&actor)?;
    let rows = store::schedules(&state.db, actor.agency_id).await?;
    let schedules = rows
        .into_iter()
        .map(|r| Schedule {
            id: r.id,
            schedule: ScheduleInput {
                name: r.name,
                time_zone: r.time_zone,
                user_ids: r.user_ids,
                shift_days: r.shift_days,
                handoff_time: r.handoff_time.format("%H:%M").to_string(),
                start_date: r.start_date,
            },
            version: r.version,
        })
        .collect();
    Ok(Json(ScheduleList { schedules }))
}

/// Create or replace a schedule (coordinators, admins), under an id the client chose. Ids are
/// your agency's own: an id another agency's schedule has creates yours, as an unknown one does.
#[utoipa::path(put, path = "/v1/oncall/schedules/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ScheduleInput,
    responses((status = 200, body = Schedule),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn put_schedule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(s): Json<ScheduleInput>,
) -> ApiResult<Json<Schedule>> {
    actor.require(Permission::ManageEscalation)?;
    let mut errs = Vec::new();
    let mut err = |p: &str, m: &str| {
        errs.push(FieldError {
            pointer: p.into(),
            message: m.into(),
        })
    };
    if s.name.trim().is_empty() || s.name.chars().count() > 200 {
        err("/name", "must be 1 to 200 characters");
    }
    if s.time_zone.parse::<chrono_tz::Tz>().is_err() {
        err(
            "/time_zone",
            "must be an IANA time zone such as America/Denver",
        );
    }
    if !(1..=28).contains(&s.shift_days) {
        err("/shift_days", "must be from 1 to 28");
    }
    let handoff = super::parse_time(&s.handoff_time);
    if handoff.is_none() {
        err("/handoff_time", "must be a time HH:MM");
    }
    if s.user_ids.is_empty() || s.user_ids.len() > 100 {
        err("/user_ids", "must name 1 to 100 people");
    }
    let known = users::store::count_active(&state.db, actor.agency_id, &s.user_ids).await?;
    let mut distinct = s.user_ids.clone();
    distinct.sort();
    distinct.dedup();
    if known != distinct.len() as i64 {
        err("/user_ids", "must name only active people of your agency");
    }
    let Some(handoff) = handoff.filter(|_| errs.is_empty()) else {
        return Err(ApiError::Validation(errs));
    };
    let mut tx = state.db.begin().await?;
    let version = store::put_schedule(
        &mut tx,
        actor.agency_id,
        id,
        &store::ScheduleInput {
            name: s.name.trim(),
            time_zone: &s.time_zone,
            user_ids: &s.user_ids,
            shift_days: s.shift_days,
            handoff_time: handoff,
            start_date: s.start_date,
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "oncall.schedule",
        "oncall_schedule",
        Some(&id.to_string()),
        json!({ "people": s.user_ids.len(), "shift_days": s.shift_days }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Schedule {
        id,
        schedule: s,
        version,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AtQuery {
    /// RFC 3339; default now.
    at: Option<DateTime<Utc>>,
}

/// Who is on call now, or at `at`.
#[utoipa::path(get, path = "/v1/oncall/schedules/{id}/on-call", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path), AtQuery), responses((status = 200, body = OnCall), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn who_is_on_call(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<OnCall>> {
    may_see(&actor)?;
    let mut conn = state.db.acquire().await?;
    if super::load_rotation(&mut conn, id, actor.agency_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let found = super::on_call(
        &mut conn,
        id,
        actor.agency_id,
        q.at.unwrap_or_else(Utc::now),
    )
    .await?;
    Ok(Json(match found {
        Some((user, start, end, overridden)) => {
            let staff = crate::users::store::staff(&mut conn, actor.agency_id, &[user])
                .await?
                .remove(&user);
            OnCall {
                user_id: Some(user),
                display_name: staff.as_ref().map(|s| s.name.clone()),
                phone: staff.and_then(|s| s.phone),
                start: Some(start),
                end: Some(end),
                overridden,
            }
        }
        None => OnCall {
            user_id: None,
            display_name: None,
            phone: None,
            start: None,
            end: None,
            overridden: false,
        },
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct WindowQuery {
    from: DateTime<Utc>,
    /// At most 62 days after `from`.
    to: DateTime<Utc>,
}

/// The shifts and overrides in a window (a calendar view; "who is on next").
#[utoipa::path(get, path = "/v1/oncall/schedules/{id}/shifts", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path), WindowQuery), responses((status = 200, body = ShiftList), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours")))]
async fn shifts(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Query(q): Query<WindowQuery>,
) -> ApiResult<Json<ShiftList>> {
    may_see(&actor)?;
    if q.to <= q.from || q.to - q.from > chrono::Duration::days(62) {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/to".into(),
            message: "must be after from, by at most 62 days".into(),
        }]));
    }
    let mut conn = state.db.acquire().await?;
    let rot = super::load_rotation(&mut conn, id, actor.agency_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rotation = rot.shifts(q.from, q.to);
    let overridden =
        store::overrides_by_start(&mut conn, actor.agency_id, id, q.from, q.to).await?;
    let people: Vec<Uuid> = rotation
        .iter()
        .map(|s| s.user)
        .chain(overridden.iter().map(|o| o.user_id))
        .collect();
    let staff = crate::users::store::staff(&mut conn, actor.agency_id, &people).await?;
    // A person removed from the agency since keeps their slot, without a name.
    let name = |u: &Uuid| staff.get(u).map(|s| s.name.clone()).unwrap_or_default();
    let phone = |u: &Uuid| staff.get(u).and_then(|s| s.phone.clone());
    let shifts = rotation
        .into_iter()
        .map(|s| ShiftView {
            display_name: name(&s.user),
            phone: phone(&s.user),
            user_id: s.user,
            start: s.start,
            end: s.end,
            override_id: None,
        })
        .collect();
    let overrides = overridden
        .into_iter()
        .map(|o| ShiftView {
            display_name: name(&o.user_id),
            phone: phone(&o.user_id),
            user_id: o.user_id,
            start: o.start_at,
            end: o.end_at,
            override_id: Some(o.id),
        })
        .collect();
    Ok(Json(ShiftList { shifts, overrides }))
}

/// "I'll cover tonight": someone takes the schedule from `start_at` to `end_at`.
#[utoipa::path(post, path = "/v1/oncall/schedules/{id}/overrides", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = OverrideInput,
    responses((status = 201, body = ShiftView), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_override(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(o): Json<OverrideInput>,
) -> ApiResult<(StatusCode, Json<ShiftView>)> {
    may_see(&actor)?;
    if o.end_at <= o.start_at || o.end_at - o.start_at > chrono::Duration::days(31) {
        return Err(ApiError::field(
            "/end_at",
            "must be after start_at, by at most 31 days",
        ));
    }
    let mut tx = state.db.begin().await?;
    if super::load_rotation(&mut tx, id, actor.agency_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let Some(person) = users::store::active_staff(&mut tx, actor.agency_id, o.user_id).await?
    else {
        return Err(ApiError::field(
            "/user_id",
            "must be an active person of your agency",
        ));
    };
    let oid = Uuid::new_v4();
    store::insert_override(
        &mut tx,
        actor.agency_id,
        &store::NewOverride {
            id: oid,
            schedule_id: id,
            user_id: o.user_id,
            start_at: o.start_at,
            end_at: o.end_at,
            created_by: actor.user_id,
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "oncall.override",
        "oncall_schedule",
        Some(&id.to_string()),
        json!({ "override_id": oid }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ShiftView {
            user_id: o.user_id,
            display_name: person.name,
            phone: person.phone,
            start: o.start_at,
            end: o.end_at,
            override_id: Some(oid),
        }),
    ))
}

/// Take an override back ("undo"): the schedule is as it was without it.
#[utoipa::path(delete, path = "/v1/oncall/overrides/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Taken back"), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours")))]
async fn delete_override(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    may_see(&actor)?;
    let mut tx = state.db.begin().await?;
    let schedule = store::delete_override(&mut tx, actor.agency_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "oncall.override_delete",
        "oncall_schedule",
        Some(&schedule.to_string()),
        json!({ "override_id": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
