//! On-call schedules, overrides and calendar feeds in PostgreSQL: the only code that touches
//! `oncall_schedules`, `oncall_overrides` and `oncall_calendar_feeds`. Schedules and
//! overrides are found by (agency, id); a calendar feed belongs to one user.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A schedule as stored.
pub struct ScheduleRow {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub user_ids: Vec<Uuid>,
    pub shift_days: i32,
    pub handoff_time: NaiveTime,
    pub start_date: NaiveDate,
    pub version: i64,
}

/// The agency's schedules by name.
pub async fn schedules(db: &PgPool, agency: Uuid) -> sqlx::Result<Vec<ScheduleRow>> {
    sqlx::query_as!(
        ScheduleRow,
        "SELECT id, name, time_zone, user_ids, shift_days, handoff_time, start_date, version FROM oncall_schedules
          WHERE agency_id = $1 ORDER BY name, id",
        agency,
    )
    .fetch_all(db)
    .await
}

/// A schedule's rotation as stored.
pub struct RotationRow {
    pub time_zone: String,
    pub user_ids: Vec<Uuid>,
    pub shift_days: i32,
    pub handoff_time: NaiveTime,
    pub start_date: NaiveDate,
}

pub async fn rotation(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<RotationRow>> {
    sqlx::query_as!(
        RotationRow,
        "SELECT time_zone, user_ids, shift_days, handoff_time, start_date FROM oncall_schedules WHERE agency_id = $2 AND id = $1",
        id,
        agency,
    )
    .fetch_optional(conn)
    .await
}

/// A schedule to create or replace.
pub struct ScheduleInput<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub user_ids: &'a [Uuid],
    pub shift_days: i32,
    pub handoff_time: NaiveTime,
    pub start_date: NaiveDate,
}

/// Creates or replaces the agency's schedule `id`; returns its version.
pub async fn put_schedule(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    s: &ScheduleInput<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO oncall_schedules AS o (id, agency_id, name, time_zone, user_ids, shift_days, handoff_time, start_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (agency_id, id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone, user_ids = EXCLUDED.user_ids,
             shift_days = EXCLUDED.shift_days, handoff_time = EXCLUDED.handoff_time, start_date = EXCLUDED.start_date,
             version = o.version + 1, updated_at = now()
         RETURNING version",
        id,
        agency,
        s.name,
        s.time_zone,
        s.user_ids,
        s.shift_days,
        s.handoff_time,
        s.start_date,
    )
    .fetch_one(conn)
    .await
}

/// How many of `ids` are the agency's schedules (each counted once).
pub async fn count_schedules(db: &PgPool, agency: Uuid, ids: &[Uuid]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(DISTINCT id) AS "n!" FROM oncall_schedules WHERE id = ANY($1) AND agency_id = $2"#,
        ids,
        agency,
    )
    .fetch_one(db)
    .await
}

/// An override: someone covers a schedule for a while.
pub struct OverrideRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
}

/// The newest override of the schedule covering `t`: (user, start, end).
pub async fn covering(
    conn: &mut PgConnection,
    agency: Uuid,
    schedule: Uuid,
    t: DateTime<Utc>,
) -> sqlx::Result<Option<OverrideRow>> {
    sqlx::query_as!(
        OverrideRow,
        "SELECT id, user_id, start_at, end_at FROM oncall_overrides
          WHERE agency_id = $3 AND schedule_id = $1 AND start_at <= $2 AND end_at > $2
          ORDER BY created_at DESC LIMIT 1",
        schedule,
        t,
        agency,
    )
    .fetch_optional(conn)
    .await
}

/// The schedule's overrides overlapping [from, to), by start.
pub async fn overrides_by_start(
    conn: &mut PgConnection,
    agency: Uuid,
    schedule: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<OverrideRow>> {
    sqlx::query_as!(
        OverrideRow,
        "SELECT id, user_id, start_at, end_at FROM oncall_overrides
          WHERE agency_id = $4 AND schedule_id = $1 AND start_at < $3 AND end_at > $2 ORDER BY start_at",
        schedule,
        from,
        to,
        agency,
    )
    .fetch_all(conn)
    .await
}

/// The schedule's overrides overlapping [from, to), newest first.
pub async fn overrides_newest_first(
    conn: &mut PgConnection,
    agency: Uuid,
    schedule: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<OverrideRow>> {
    sqlx::query_as!(
        OverrideRow,
        "SELECT id, user_id, start_at, end_at FROM oncall_overrides
              WHERE agency_id = $4 AND schedule_id = $1 AND start_at < $3 AND end_at > $2
              ORDER BY created_at DESC, id",
        schedule,
        from,
        to,
        agency,
    )
    .fetch_all(conn)
    .await
}

/// A new override of the agency's schedule.
pub struct NewOverride {
    pub id: Uuid,
    pub schedule_id: Uuid,
    pub user_id: Uuid,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub created_by: Uuid,
}

pub async fn insert_override(
    conn: &mut PgConnection,
    agency: Uuid,
    o: &NewOverride,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO oncall_overrides (id, agency_id, schedule_id, user_id, start_at, end_at, created_by)
         VALUES ($1, $7, $2, $3, $4, $5, $6)",
        o.id,
        o.schedule_id,
        o.user_id,
        o.start_at,
        o.end_at,
        o.created_by,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the agency's override `id`; returns its schedule.
pub async fn delete_override(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "DELETE FROM oncall_overrides WHERE agency_id = $2 AND id = $1 RETURNING schedule_id",
        id,
        agency,
    )
    .fetch_optional(conn)
    .await
}

/// A schedule by name.
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// The agency's schedules `user` is in the rotation of, or covers in [from, to), by name.
pub async fn schedules_of(
    conn: &mut PgConnection,
    agency: Uuid,
    user: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Named>> {
    sqlx::query_as!(
        Named,
        "SELECT id, name FROM oncall_schedules s
          WHERE agency_id = $1
            AND ($2 = ANY(user_ids) OR EXISTS (SELECT 1 FROM oncall_overrides o
                  WHERE o.agency_id = s.agency_id AND o.schedule_id = s.id
                    AND o.user_id = $2 AND o.start_at < $4 AND o.end_at > $3))
          ORDER BY name, id",
        agency,
        user,
        from,
        to,
    )
    .fetch_all(conn)
    .await
}

/// When the user's calendar feed was made, if they have one.
pub async fn feed_created_at(db: &PgPool, user: Uuid) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        "SELECT created_at FROM oncall_calendar_feeds WHERE user_id = $1",
        user
    )
    .fetch_optional(db)
    .await
}

/// A feed made or rotated.
pub struct FeedPut {
    pub created_at: DateTime<Utc>,
    pub rotated: bool,
}

/// Sets the user's feed token (by its hash), replacing any earlier one.
pub async fn put_feed(
    conn: &mut PgConnection,
    user: Uuid,
    token_hash: &[u8],
) -> sqlx::Result<FeedPut> {
    sqlx::query_as!(
        FeedPut,
        r#"INSERT INTO oncall_calendar_feeds (user_id, token_hash) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()
           RETURNING created_at, (xmax <> 0) AS "rotated!""#,
        user,
        token_hash,
    )
    .fetch_one(conn)
    .await
}

/// Drops the user's feed; false when they had none.
pub async fn drop_feed(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<bool> {
    Ok(
        sqlx::query!("DELETE FROM oncall_calendar_feeds WHERE user_id = $1", user)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// The holder of a feed token (by its hash): (user, agency), an enabled user only.
pub async fn feed_holder(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    let holder = sqlx::query!(
        "SELECT u.id, u.agency_id FROM oncall_calendar_feeds f JOIN users u ON u.id = f.user_id
          WHERE f.token_hash = $1 AND u.disabled_at IS NULL",
        token_hash,
    )
    .fetch_optional(conn)
    .await?;
    Ok(holder.map(|h| (h.id, h.agency_id)))
}

/// The demo agency's one-person daily coordinator rotation, left as it is when present.
pub async fn seed_demo_schedule(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
    coordinator: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO oncall_schedules (id, agency_id, name, time_zone, user_ids, shift_days, handoff_time, start_date)
         VALUES ($1, $2, 'Coordinator on call', 'America/Denver', $3, 1, '08:00', '2026-01-01')
         ON CONFLICT DO NOTHING",
        id,
        agency,
        &[coordinator],
    )
    .execute(conn)
    .await?;
    Ok(())
}
