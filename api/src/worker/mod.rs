//! What every background worker shares: items taken one at a time, each under a savepoint of
//! its own (issue #16, finding 4; design.md "Trust rules: Workers"). An item that fails is
//! rolled back alone and recorded; the round goes on with the next one, so one bad row delays
//! no other agency's escalation. A recorded item is passed by (`worker_item_held` in each
//! worker's pick query) until its retry is due, and parked after `MAX_ATTEMPTS`, listed for
//! the agency's admins.

pub mod routes;
pub mod runtime;
pub mod store;

use crate::measure::{self, WorkerOutcome};
use sqlx::PgConnection;
use uuid::Uuid;

/// Attempts before an item is parked: with backoff from 2 s doubling to at most 5 min, about
/// 13 minutes of retrying.
pub const MAX_ATTEMPTS: i32 = 10;

/// One item of a worker round.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// `checkin_overdue`, `alert_request` or `alert_escalation` (the table's CHECK).
    pub job: &'static str,
    /// The item's id within its agency (ids are scoped per agency).
    pub id: Uuid,
    pub agency_id: Uuid,
}

/// Runs `work` for `item` under a savepoint of the caller's transaction (which holds the
/// item's row lock). Its success clears any failure recorded for the item; its failure is
/// rolled back to the savepoint, recorded for retry or parking, and answered `None`. `Err`
/// only when the transaction itself is unusable (the database went away): the round stops,
/// and the item is picked again by the next one.
pub async fn step<T>(
    conn: &mut PgConnection,
    item: Item,
    work: impl AsyncFnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> sqlx::Result<Option<T>> {
    let mut savepoint = sqlx::Connection::begin(&mut *conn).await?;
    match work(&mut savepoint).await {
        Ok(v) => {
            savepoint.commit().await?;
            store::clear(conn, item).await?;
            measure::worker_item(item.job, WorkerOutcome::Done);
            Ok(Some(v))
        }
        Err(e) => {
            savepoint.rollback().await?;
            let error = crate::telemetry::redacted(&e);
            tracing::warn!(job = item.job, item = %item.id, error = %error, "worker item failed; the round goes on");
            store::record(conn, item, &error).await?;
            measure::worker_item(item.job, WorkerOutcome::Failed);
            Ok(None)
        }
    }
}
