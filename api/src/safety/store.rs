//! Check-ins in PostgreSQL: the only code that touches `checkins`. Every query is keyed by
//! (agency, id); a check-in is its advocate's own.

use fieldline_wire::safety::Checkin;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Whose check-in: the advocate and their agency.
#[derive(Clone, Copy)]
pub struct Owner {
    pub agency_id: Uuid,
    pub advocate_id: Uuid,
}

/// The advocate's check-in `id`, if it is theirs.
pub async fn load(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Owner,
) -> sqlx::Result<Option<Checkin>> {
    sqlx::query_as!(
        Checkin,
        "SELECT id, started_at, expected_end_at, grace_minutes, state, checked_out_at FROM checkins
          WHERE agency_id = $3 AND id = $1 AND advocate_id = $2",
        id,
        owner.advocate_id,
        owner.agency_id,
    )
    .fetch_optional(conn)
    .await
}

/// Starts a check-in; an id the agency holds already is left as it is.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Owner,
    expected_end_at: chrono::DateTime<chrono::Utc>,
    grace_minutes: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO checkins (id, agency_id, advocate_id, expected_end_at, grace_minutes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (agency_id, id) DO NOTHING",
        id,
        owner.agency_id,
        owner.advocate_id,
        expected_end_at,
        grace_minutes,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the expected end of an active check-in; false when none is active under `id`.
pub async fn extend(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Owner,
    expected_end_at: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "UPDATE checkins SET expected_end_at = $3
          WHERE agency_id = $4 AND id = $1 AND advocate_id = $2 AND state = 'active'",
        id,
        owner.advocate_id,
        expected_end_at,
        owner.agency_id,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Keeps the phone's last location (sealed); false when the check-in is not the advocate's.
pub async fn set_location(
    db: &PgPool,
    id: Uuid,
    owner: Owner,
    sealed: &[u8],
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "UPDATE checkins SET last_location_sealed = $3 WHERE agency_id = $4 AND id = $1 AND advocate_id = $2",
        id,
        owner.advocate_id,
        sealed,
        owner.agency_id,
    )
    .execute(db)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Checks out an active check-in (nothing when it is not active).
pub async fn check_out(conn: &mut PgConnection, id: Uuid, owner: Owner) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE checkins SET state = 'checked_out', checked_out_at = now()
          WHERE agency_id = $3 AND id = $1 AND advocate_id = $2 AND state = 'active'",
        id,
        owner.advocate_id,
        owner.agency_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Links the check-in to `alert` when it has no alert yet.
pub async fn link_alert(
    conn: &mut PgConnection,
    agency: Uuid,
    checkin: Uuid,
    alert: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE checkins SET alert_id = coalesce(alert_id, $2) WHERE agency_id = $3 AND id = $1",
        checkin,
        alert,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A check-in past its end and grace, for the escalation worker.
pub struct Overdue {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub advocate_id: Uuid,
    pub last_location_sealed: Option<Vec<u8>>,
}

/// The longest-overdue active check-in not held by a worker failure, locked (skipping locked
/// ones).
pub async fn next_overdue(conn: &mut PgConnection) -> sqlx::Result<Option<Overdue>> {
    sqlx::query_as!(
        Overdue,
        "SELECT id, agency_id, advocate_id, last_location_sealed FROM checkins
          WHERE state = 'active' AND expected_end_at + make_interval(mins => grace_minutes) <= now()
            AND NOT worker_item_held('checkin_overdue', agency_id, id)
          ORDER BY expected_end_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    .fetch_optional(conn)
    .await
}

pub async fn mark_overdue(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE checkins SET state = 'overdue' WHERE agency_id = $2 AND id = $1",
        id,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
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
