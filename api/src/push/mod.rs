//! Web Push to users' devices: registration, a durable delivery outbox and the worker that
//! sends it (RFC 8030 headers, RFC 8291 aes128gcm, RFC 8292 VAPID). Alerts queue their pushes
//! through `outbox::enqueue` in their own transaction.

pub mod egress;
pub mod outbox;
mod routes;
pub mod vapid;
pub mod worker;

pub use routes::router;

use sqlx::PgConnection;
use uuid::Uuid;

/// Removes a subscription and cancels what was still queued for it. With `owner`, only that
/// user's subscription. Returns whether one was removed.
pub async fn remove_subscription(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Option<Uuid>,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM push_subscriptions WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) FOR UPDATE",
        id,
        owner,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Ok(false);
    }
    outbox::cancel(conn, outbox::Cancel::Device(id)).await?;
    sqlx::query!("DELETE FROM push_subscriptions WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
