//! One person's on-call shifts across the agency's schedules, and the secret calendar feed a
//! phone subscribes to.

use super::ical;
use super::store;
use crate::audit::{self, AuditActor};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use fieldline_wire::oncall::{CalendarFeed, CalendarFeedStatus, MyShift, MyShiftList};
use fieldline_wire::{FieldError, Problem};
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_shifts))
        .routes(routes!(feed_status, create_feed, revoke_feed))
        .routes(routes!(feed))
}

/// Overrides last at most 31 days and shifts 28: looking this far back and ahead finds every
/// piece that reaches into a window, with its true start and end.
const LOOKBACK_DAYS: i64 = 62;
/// The feed shows the past month and the coming half year.
const FEED_PAST_DAYS: i64 = 30;
const FEED_DAYS: i64 = 183;

/// Who holds a schedule over a stretch: a rotation shift (by its start) or an override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Rotation(DateTime<Utc>),
    Override(Uuid),
}

/// `user`'s stretches on call in the agency's schedules that overlap `[from, to)`, oldest
/// first, each with its full extent (not clipped to the window). The newest override covering
/// an instant wins over the rotation, as in `on_call`.
pub async fn shifts_of(
    conn: &mut PgConnection,
    agency: Uuid,
    user: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<MyShift>> {
    let lo = from - Duration::days(LOOKBACK_DAYS);
    let hi = to + Duration::days(LOOKBACK_DAYS);
    let schedules = store::schedules_of(conn, agency, user, from, to).await?;
    let mut out = Vec::new();
    for s in schedules {
        let Some(rot) = super::load_rotation(conn, s.id, agency).await? else {
            continue;
        };
        // Newest first: the first covering an instant wins.
        let overrides = store::overrides_newest_first(conn, agency, s.id, lo, hi).await?;
        let rotation = rot.shifts(lo, hi);
        let mut points: Vec<DateTime<Utc>> = rotation
            .iter()
            .flat_map(|r| [r.start, r.end])
            .chain(overrides.iter().flat_map(|o| [o.start_at, o.end_at]))
            .chain([lo, hi])
            .filter(|t| *t >= lo && *t <= hi)
            .collect();
        points.sort();
        points.dedup();
        // Elementary intervals between consecutive points have one holder each; runs of the
        // same holder join into one stretch.
        let mut runs: Vec<(Source, Uuid, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for w in points.windows(2) {
            let (a, b) = (w[0], w[1]);
            let holder = match overrides.iter().find(|o| o.start_at <= a && a < o.end_at) {
                Some(o) => Some((Source::Override(o.id), o.user_id)),
                None => rot.at(a).map(|r| (Source::Rotation(r.start), r.user)),
            };
            let Some((source, who)) = holder else {
                continue;
            };
            match runs.last_mut() {
                Some(last) if last.0 == source && last.3 == a => last.3 = b,
                _ => runs.push((source, who, a, b)),
            }
        }
        for (source, who, start, end) in runs {
            if who != user || end <= from || start >= to {
                continue;
            }
            let uid = match source {
                Source::Rotation(_) => {
                    format!("shift-{}-{}@fieldline", s.id.simple(), start.timestamp())
                }
                Source::Override(id) => {
                    format!("override-{}-{}@fieldline", id.simple(), start.timestamp())
                }
            };
            out.push(MyShift {
                schedule_id: s.id,
                schedule_name: s.name.clone(),
                start,
                end,
                overridden: matches!(source, Source::Override(_)),
                uid,
            });
        }
    }
    out.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    Ok(out)
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
    if !(1..=FEED_DAYS).contains(&days) {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/days".into(),
            message: format!("must be from 1 to {FEED_DAYS}"),
        }]));
    }
    let from = q.from.unwrap_or_else(Utc::now);
    let mut conn = state.db.acquire().await?;
    let shifts = shifts_of(
        &mut conn,
        actor.agency_id,
        actor.user_id,
        from,
        from + Duration::days(days),
    )
    .await?;
    Ok(Json(MyShiftList { shifts }))
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
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
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let mut tx = state.db.begin().await?;
    let row = store::put_feed(&mut tx, actor.user_id, &hash(&token)).await?;
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
    let (holder_id, holder_agency) = store::feed_holder(&mut conn, &hash(token))
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = Utc::now();
    let shifts = shifts_of(
        &mut conn,
        holder_agency,
        holder_id,
        now - Duration::days(FEED_PAST_DAYS),
        now + Duration::days(FEED_DAYS),
    )
    .await?;
    let summaries: Vec<String> = shifts
        .iter()
        .map(|s| format!("On call: {}", s.schedule_name))
        .collect();
    let events: Vec<ical::Event<'_>> = shifts
        .iter()
        .zip(&summaries)
        .map(|(s, summary)| ical::Event {
            uid: &s.uid,
            start: s.start,
            end: s.end,
            summary,
        })
        .collect();
    let body = ical::calendar("Fieldline on call", &events, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
