//! `worker_failures`: the only code that touches it.

use super::{Item, MAX_ATTEMPTS};
use fieldline_wire::admin::WorkerFailure;
use sqlx::PgConnection;
use uuid::Uuid;

/// Records a failed attempt: the next one after a backoff (2 s doubling, at most 5 min), or
/// parked once `MAX_ATTEMPTS` have failed.
pub async fn record(conn: &mut PgConnection, item: Item, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO worker_failures AS f (job, item_id, agency_id, attempts, last_error, next_attempt_at)
         VALUES ($1, $2, $3, 1, $4, now() + interval '2 seconds')
         ON CONFLICT (job, agency_id, item_id) DO UPDATE SET
             attempts = f.attempts + 1, last_error = EXCLUDED.last_error, last_failed_at = now(),
             next_attempt_at = CASE WHEN f.attempts + 1 >= $5 THEN NULL
                                    ELSE now() + make_interval(secs => least(300, 2 * 2 ^ f.attempts)) END,
             parked_at = CASE WHEN f.attempts + 1 >= $5 THEN now() END",
        item.job,
        item.id,
        item.agency_id,
        error,
        MAX_ATTEMPTS,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets an item's failures once it went through.
pub async fn clear(conn: &mut PgConnection, item: Item) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM worker_failures WHERE job = $1 AND agency_id = $2 AND item_id = $3",
        item.job,
        item.agency_id,
        item.id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The agency's failed items, most recent failure first.
pub async fn list(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<WorkerFailure>> {
    sqlx::query_as!(
        WorkerFailure,
        "SELECT job, item_id, attempts, last_error, first_failed_at, last_failed_at, next_attempt_at, parked_at
           FROM worker_failures WHERE agency_id = $1
          ORDER BY last_failed_at DESC, item_id LIMIT 500",
        agency
    )
    .fetch_all(conn)
    .await
}

/// Items set aside after their last attempt, waiting for an admin, and how long the oldest has
/// waited (`ops::metrics`).
pub async fn parked(db: &sqlx::PgPool) -> sqlx::Result<crate::measure::Backlog> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "depth!",
                  coalesce(extract(epoch FROM now() - min(parked_at)), 0)::float8 AS "lag!"
             FROM worker_failures WHERE parked_at IS NOT NULL"#
    )
    .fetch_one(db)
    .await?;
    Ok(crate::measure::Backlog {
        depth: r.depth,
        lag_secs: r.lag,
    })
}
