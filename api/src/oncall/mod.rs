//! On-call schedules: rotations computed in the agency's time zone, overrides, and "who is on
//! call at T", which escalation levels use to find whom to notify.

mod ical;
pub mod mine;
pub mod rotation;
mod routes;
pub mod store;

pub use routes::router;

use chrono::{DateTime, NaiveTime, Utc};

use sqlx::PgConnection;
use uuid::Uuid;

/// A schedule's rotation as stored.
pub async fn load_rotation(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
) -> anyhow::Result<Option<rotation::Rotation>> {
    let Some(s) = store::rotation(conn, agency, id).await? else {
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
    let cover = store::covering(conn, agency, id, t).await?;
    if let Some(o) = cover {
        return Ok(Some((o.user_id, o.start_at, o.end_at, true)));
    }
    Ok(rot.at(t).map(|s| (s.user, s.start, s.end, false)))
}

/// Parses `HH:MM`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .ok()
        .filter(|_| s.len() == 5)
}

pub use store::count_schedules;
