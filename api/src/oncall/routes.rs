//! `/v1/oncall/*`.

use super::{mine, store};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path, Query};
use crate::state::AppState;
use crate::users;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use fieldline_wire::oncall::{
    CalendarFeed, CalendarFeedStatus, MyShiftList, OnCall, OverrideInput, Schedule, ScheduleInput,
    ScheduleList, ShiftList, ShiftView,
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
        .routes(routes!(my_shifts))
        .routes(routes!(feed_status, create_feed, revoke_feed))
        .routes(routes!(feed))
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MineQuery {
    /// RFC 3339; default now.
    from: Option<DateTime<Utc>>,
    /// How many days from `from` (1 to 183, default 14).
    #[param(minimum = 1, maximum = 183)]
    days: Option<i64>,
}

/// My coming on-call shifts across the agency's schedules, overrides included: whatever
/// overlaps `[from, from + days)`, each with its full start and end.
#[utoipa::path(get, path = "/v1/oncall/me/shifts", tag = "alerts", security(("bearer" = [])),
    params(MineQuery), responses((status = 200, body = MyShiftList), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn my_shifts(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<MineQuery>,
) -> ApiResult<Json<MyShiftList>> {
    let days = q.days.unwrap_or(14);
    if !(1..=mine::FEED_DAYS).contains(&days) {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/days".into(),
            message: format!("must be from 1 to {}", mine::FEED_DAYS),
        }]));
    }
    let from = q.from.unwrap_or_else(Utc::now);
    let mut conn = state.db.acquire().await?;
    let shifts = mine::shifts_of(
        &mut conn,
        actor.agency_id,
        actor.user_id,
        from,
        from + Duration::days(days),
    )
    .await?;
    Ok(Json(MyShiftList { shifts }))
}

/// Whether I have a calendar feed URL, and since when.
#[utoipa::path(get, path = "/v1/oncall/me/calendar-feed", tag = "alerts", security(("bearer" = [])),
    responses((status = 200, body = CalendarFeedStatus)))]
async fn feed_status(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<CalendarFeedStatus>> {
    let created_at = store::feed_created_at(&state.db, actor.user_id).await?;
    Ok(Json(CalendarFeedStatus {
        active: created_at.is_some(),
        created_at,
    }))
}

/// A new secret calendar URL for my shifts. Any earlier URL stops working at once, so this
/// is also how a leaked URL is rotated. The token is shown only here.
#[utoipa::path(post, path = "/v1/oncall/me/calendar-feed", tag = "alerts", security(("bearer" = [])),
    responses((status = 201, body = CalendarFeed)))]
async fn create_feed(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<(StatusCode, Json<CalendarFeed>)> {
    let token = mine::new_feed_token();
    let mut tx = state.db.begin().await?;
    let row = store::put_feed(&mut tx, actor.user_id, &mine::feed_token_hash(&token)).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        if row.rotated {
            "oncall.feed_rotate"
        } else {
            "oncall.feed_create"
        },
        "oncall_calendar_feed",
        Some(&actor.user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarFeed {
            path: format!("/v1/oncall/calendar/{token}.ics"),
            created_at: row.created_at,
        }),
    ))
}

/// Revoke my calendar URL.
#[utoipa::path(delete, path = "/v1/oncall/me/calendar-feed", tag = "alerts", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_feed(State(state): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    if !store::drop_feed(&mut tx, actor.user_id).await? {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "oncall.feed_revoke",
        "oncall_calendar_feed",
        Some(&actor.user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calendar feed (`text/calendar`): the holder's shifts from a month ago to half a year
/// ahead. No sign-in: the secret URL is the credential. The token is looked up by its hash,
/// so a wrong token costs the same as a right one and nothing about it leaks through timing;
/// unknown, rotated and revoked tokens all answer 404.
#[utoipa::path(get, path = "/v1/oncall/calendar/{file}", tag = "alerts",
    params(("file" = String, Path, description = "`<token>.ics`")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let mut conn = state.db.acquire().await?;
    let (holder_id, holder_agency) = store::feed_holder(&mut conn, &mine::feed_token_hash(token))
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = Utc::now();
    let shifts = mine::shifts_of(
        &mut conn,
        holder_agency,
        holder_id,
        now - Duration::days(mine::FEED_PAST_DAYS),
        now + Duration::days(mine::FEED_DAYS),
    )
    .await?;
    let body = mine::calendar(&shifts, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
