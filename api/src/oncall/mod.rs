//! On-call schedules: rotations computed in the agency's time zone, overrides, and "who is on
//! call at T", which escalation levels use to find whom to notify.

mod ical;
pub mod mine;
pub mod rotation;
mod routes;

pub use routes::router;

use chrono::{DateTime, NaiveTime, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// A schedule's rotation as stored.
pub async fn load_rotation(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
) -> anyhow::Result<Option<rotation::Rotation>> {
    let Some(s) = sqlx::query!(
        "SELECT time_zone, user_ids, shift_days, handoff_time, start_date FROM oncall_schedules WHERE agency_id = $2 AND id = $1",
        id,
        agency,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(rotation::Rotation {
        tz: s
            .time_zone
            .parse()
            .map_err(|_| anyhow::anyhow!("stored time zone invalid"))?,
        users: s.user_ids,
        shift_days: s.shift_days as i64,
        handoff: s.handoff_time,
        start: s.start_date,
    }))
}

/// Who is on call on schedule `id` at `t`: the newest override covering `t`, else the
/// rotation. `None` for an unknown schedule or before the rotation starts.
pub async fn on_call(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
    t: DateTime<Utc>,
) -> anyhow::Result<Option<(Uuid, DateTime<Utc>, DateTime<Utc>, bool)>> {
    let Some(rot) = load_rotation(conn, id, agency).await? else {
        return Ok(None);
    };
    let cover = sqlx::query!(
        "SELECT user_id, start_at, end_at FROM oncall_overrides
          WHERE agency_id = $3 AND schedule_id = $1 AND start_at <= $2 AND end_at > $2
          ORDER BY created_at DESC LIMIT 1",
        id,
        t,
        agency,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(o) = cover {
        return Ok(Some((o.user_id, o.start_at, o.end_at, true)));
    }
    Ok(rot.at(t).map(|s| (s.user, s.start, s.end, false)))
}

/// Display names of the agency's people among `ids`, so on-call screens show names rather
/// than ids. Staff names are not victim data.
pub async fn display_names(
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> anyhow::Result<HashMap<Uuid, String>> {
    let rows = sqlx::query!(
        "SELECT id, display_name FROM users WHERE id = ANY($1) AND agency_id = $2",
        ids,
        agency,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

/// Parses `HH:MM`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .ok()
        .filter(|_| s.len() == 5)
}

/// How many of `ids` are the agency's schedules (each counted once).
pub async fn count_schedules(db: &sqlx::PgPool, agency: Uuid, ids: &[Uuid]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(DISTINCT id) AS "n!" FROM oncall_schedules WHERE id = ANY($1) AND agency_id = $2"#,
        ids,
        agency,
    )
    .fetch_one(db)
    .await
}
