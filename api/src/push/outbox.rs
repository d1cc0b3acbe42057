//! Queuing pushes. Callers add deliveries in their own transaction (an alert and its pushes
//! commit together, or neither does); `NOTIFY` wakes a delivery worker when it commits.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// A message for users' devices. Never personal data: ids, a kind, a generic line.
pub struct Message<'a> {
    pub agency_id: Uuid,
    /// The alert this notifies of: acknowledging it cancels what is still queued.
    pub alert_id: Option<Uuid>,
    /// One delivery per device per key: queuing the same key twice adds nothing.
    pub dedup_key: &'a str,
    pub payload: Value,
    /// Lets the push service replace an undelivered older message with this one.
    pub topic: &'a str,
    pub urgency: &'a str,
    pub ttl_secs: i32,
}

pub const WAKE_CHANNEL: &str = "fieldline_push";

/// Queues `message` for every device of `users` registered in the message's agency; returns
/// how many deliveries were added.
pub async fn enqueue(
    conn: &mut PgConnection,
    users: &[Uuid],
    message: &Message<'_>,
) -> sqlx::Result<i64> {
    let added = sqlx::query!(
        "INSERT INTO push_deliveries (id, subscription_id, agency_id, dedup_key, payload, topic, urgency, ttl_secs, alert_id)
         SELECT gen_random_uuid(), s.id, $2, $3, $4, $5, $6, $7, $8
           FROM push_subscriptions s WHERE s.user_id = ANY($1) AND s.agency_id = $2
         ON CONFLICT (subscription_id, dedup_key) DO NOTHING",
        users,
        message.agency_id,
        message.dedup_key,
        message.payload,
        message.topic,
        message.urgency,
        message.ttl_secs,
        message.alert_id,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added > 0 {
        sqlx::query!("SELECT pg_notify($1, '')", WAKE_CHANNEL)
            .execute(&mut *conn)
            .await?;
    }
    Ok(added as i64)
}

/// Deliveries waiting to be sent (queued, waiting to retry, or being sent), and how late the
/// most overdue one is (`ops::metrics`).
pub async fn backlog(db: &sqlx::PgPool) -> sqlx::Result<crate::measure::Backlog> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "depth!",
                  coalesce(extract(epoch FROM now() - min(next_attempt_at)
                                   FILTER (WHERE state <> 'claimed' AND next_attempt_at <= now())), 0)::float8 AS "lag!"
             FROM push_deliveries WHERE state IN ('pending', 'retry_wait', 'claimed')"#
    )
    .fetch_one(db)
    .await?;
    Ok(crate::measure::Backlog {
        depth: r.depth,
        lag_secs: r.lag,
    })
}

/// Deliveries no longer wanted.
pub enum Cancel {
    /// Someone answered the alert: what still waits to be sent to anyone's device is dropped.
    /// A send already under way finishes (the message is on its way) and records its result.
    Alert { agency: Uuid, alert: Uuid },
    /// The device is gone: everything for it is dropped, a send under way included (its
    /// claim is cleared, so its result is not recorded against a device that no longer
    /// exists).
    Device(Uuid),
}

/// The one place queued pushes are cancelled (`alerts` on acknowledge and resolve, `push`
/// when a device is removed).
pub async fn cancel(conn: &mut PgConnection, which: Cancel) -> sqlx::Result<u64> {
    let done = match which {
        Cancel::Alert { agency, alert } => {
            sqlx::query!(
                "UPDATE push_deliveries SET state = 'cancelled'
              WHERE agency_id = $2 AND alert_id = $1 AND state IN ('pending', 'retry_wait')",
                alert,
                agency,
            )
            .execute(conn)
            .await?
        }
        Cancel::Device(subscription) => {
            sqlx::query!(
            "UPDATE push_deliveries SET state = 'cancelled', claim_token = NULL, lease_until = NULL
              WHERE subscription_id = $1 AND state IN ('pending', 'retry_wait', 'claimed')",
            subscription,
        )
            .execute(conn)
            .await?
        }
    };
    Ok(done.rows_affected())
}
