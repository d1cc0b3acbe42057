//! Queuing pushes. Callers add deliveries in their own transaction (an alert and its pushes
//! commit together, or neither does); `NOTIFY` wakes a delivery worker when it commits. The
//! statements are in `push::store`; what other domains use of it is re-exported here.

use super::store;
use sqlx::PgConnection;
use uuid::Uuid;

pub use super::store::{Cancel, Message, WAKE_CHANNEL, backlog, cancel};

/// Queues `message` for every device of `users` registered in the message's agency; returns
/// how many deliveries were added.
pub async fn enqueue(
    conn: &mut PgConnection,
    users: &[Uuid],
    message: &Message<'_>,
) -> sqlx::Result<i64> {
    let added = store::insert_deliveries(conn, users, message).await?;
    if added > 0 {
        store::wake(conn).await?;
    }
    Ok(added as i64)
}
