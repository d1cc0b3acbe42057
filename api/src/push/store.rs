//! Web Push in PostgreSQL: the only code that touches `push_subscriptions`,
//! `push_deliveries`, `push_attempts` and `push_test_sends`. Subscriptions belong to a user
//! (and their agency); deliveries are queued in the caller's transaction and written back by
//! the worker only under its claim token.

use fieldline_wire::push::{ParkedPush, Subscription};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub const WAKE_CHANNEL: &str = "fieldline_push";

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

/// Adds a delivery of `message` for every device of `users` registered in the message's
/// agency; returns how many were added.
pub async fn insert_deliveries(
    conn: &mut PgConnection,
    users: &[Uuid],
    message: &Message<'_>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
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
    .execute(conn)
    .await?
    .rows_affected())
}

/// Wakes a delivery worker when the transaction commits.
pub async fn wake(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_notify($1, '')", WAKE_CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deliveries waiting to be sent (queued, waiting to retry, or being sent), and how late the
/// most overdue one is (`ops::metrics`).
pub async fn backlog(db: &PgPool) -> sqlx::Result<crate::measure::Backlog> {
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
    /// The device is gone (or has a new owner): everything for it is dropped, a send under way
    /// included (its claim is cleared, so its result is not recorded against it).
    Device(Uuid),
}

/// The one place queued pushes are cancelled (`alerts` on acknowledge and resolve, `push`
/// when a device is removed or moves to another person).
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
    cancel(conn, Cancel::Device(id)).await?;
    sqlx::query!("DELETE FROM push_subscriptions WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Waits (until the transaction ends) for any other registration by `user`, so the device cap
/// holds under concurrency.
pub async fn lock_registrations(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        r#"SELECT true AS "locked!" FROM (SELECT pg_advisory_xact_lock(hashtextextended(
               'fieldline.push.subscribe:' || $1::uuid::text, 0))) AS l"#,
        user,
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Who holds an endpoint now, locked.
pub struct Holder {
    pub id: Uuid,
    pub user_id: Uuid,
    pub agency_id: Uuid,
}

pub async fn lock_endpoint(
    conn: &mut PgConnection,
    endpoint: &str,
) -> sqlx::Result<Option<Holder>> {
    sqlx::query_as!(
        Holder,
        "SELECT id, user_id, agency_id FROM push_subscriptions WHERE endpoint = $1 FOR UPDATE",
        endpoint,
    )
    .fetch_optional(conn)
    .await
}

/// How many devices `user` has registered.
pub async fn devices_of(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM push_subscriptions WHERE user_id = $1"#,
        user,
    )
    .fetch_one(conn)
    .await
}

/// A device to register.
pub struct NewSubscription<'a> {
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub endpoint: &'a str,
    pub p256dh: &'a [u8],
    pub auth: &'a [u8],
}

/// Registers the endpoint for the user, or moves it to them with new keys; `None` when it is
/// registered in another agency.
pub async fn put_subscription(
    conn: &mut PgConnection,
    s: &NewSubscription<'_>,
) -> sqlx::Result<Option<Subscription>> {
    sqlx::query_as!(
        Subscription,
        "INSERT INTO push_subscriptions (id, user_id, agency_id, endpoint, p256dh, auth)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id,
             p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth
          WHERE push_subscriptions.agency_id = EXCLUDED.agency_id
         RETURNING id, endpoint, created_at",
        Uuid::new_v4(),
        s.user_id,
        s.agency_id,
        s.endpoint,
        s.p256dh,
        s.auth,
    )
    .fetch_optional(conn)
    .await
}

/// The user's devices, oldest first.
pub async fn subscriptions_of(db: &PgPool, user: Uuid) -> sqlx::Result<Vec<Subscription>> {
    sqlx::query_as!(
        Subscription,
        "SELECT id, endpoint, created_at FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at",
        user,
    )
    .fetch_all(db)
    .await
}

/// Counts a test push for `user`, unless `limit` were sent in the window already (`None`).
pub async fn count_test_send(
    conn: &mut PgConnection,
    user: Uuid,
    window_secs: f64,
    limit: i32,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "INSERT INTO push_test_sends AS t (user_id, window_started_at, sent) VALUES ($1, now(), 1)
         ON CONFLICT (user_id) DO UPDATE SET
             sent = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2)
                         THEN 1 ELSE t.sent + 1 END,
             window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2)
                         THEN now() ELSE t.window_started_at END
          WHERE t.window_started_at <= now() - make_interval(secs => $2) OR t.sent < $3
         RETURNING sent",
        user,
        window_secs,
        limit,
    )
    .fetch_optional(conn)
    .await
}

/// Seconds until the user's test-push window ends.
pub async fn test_window_left(
    conn: &mut PgConnection,
    user: Uuid,
    window_secs: f64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::bigint AS "s!"
             FROM push_test_sends WHERE user_id = $1"#,
        user,
        window_secs,
    )
    .fetch_one(conn)
    .await
}

/// The agency's parked deliveries, newest first, at most 200.
pub async fn parked(db: &PgPool, agency: Uuid) -> sqlx::Result<Vec<ParkedPush>> {
    sqlx::query_as!(
        ParkedPush,
        r#"SELECT d.id, d.subscription_id, s.user_id AS "user_id?", d.alert_id, d.attempt AS attempts,
                  d.last_status, d.failure_reason AS "reason!", d.created_at
             FROM push_deliveries d LEFT JOIN push_subscriptions s ON s.id = d.subscription_id
            WHERE d.agency_id = $1 AND d.state = 'failed'
            ORDER BY d.created_at DESC, d.id
            LIMIT 200"#,
        agency,
    )
    .fetch_all(db)
    .await
}

/// A delivery claimed by a worker, with what sending it needs.
pub struct Claimed {
    pub id: Uuid,
    pub token: Uuid,
    pub attempt: i32,
    pub subscription_id: Uuid,
    pub endpoint: String,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
    pub payload: Value,
    pub topic: String,
    pub urgency: String,
    pub ttl_secs: i32,
    pub queued_at: chrono::DateTime<chrono::Utc>,
}

/// Claims up to `batch` due deliveries (or only `only`) under a new claim token, with a lease
/// of `lease_secs`.
pub async fn claim(
    db: &PgPool,
    batch: i64,
    lease_secs: f64,
    only: Option<Uuid>,
) -> sqlx::Result<Vec<Claimed>> {
    let token = Uuid::new_v4();
    sqlx::query_as!(
        Claimed,
        r#"WITH due AS (
               SELECT id FROM push_deliveries
                WHERE ((state IN ('pending', 'retry_wait') AND next_attempt_at <= now())
                       OR (state = 'claimed' AND lease_until < now()))
                  AND ($4::uuid IS NULL OR id = $4)
                ORDER BY next_attempt_at
                LIMIT $2
                  FOR UPDATE SKIP LOCKED)
           UPDATE push_deliveries d
              SET state = 'claimed', claim_token = $1, attempt = d.attempt + 1,
                  lease_until = now() + make_interval(secs => $3)
             FROM due, push_subscriptions s
            WHERE d.id = due.id AND s.id = d.subscription_id
        RETURNING d.id, d.claim_token AS "token!", d.attempt, s.id AS subscription_id, s.endpoint,
                  s.p256dh, s.auth, d.payload, d.topic, d.urgency, d.ttl_secs, d.created_at AS queued_at"#,
        token,
        batch,
        lease_secs,
        only,
    )
    .fetch_all(db)
    .await
}

/// The ids of up to `batch` due deliveries (unlocked: each is then claimed alone).
pub async fn due(db: &PgPool, batch: i64) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM push_deliveries
          WHERE (state IN ('pending', 'retry_wait') AND next_attempt_at <= now())
             OR (state = 'claimed' AND lease_until < now())
          ORDER BY next_attempt_at
          LIMIT $1",
        batch,
    )
    .fetch_all(db)
    .await
}

/// Parks deliveries whose attempt `max_attempts` ran out of lease without a result.
pub async fn park_abandoned(db: &PgPool, max_attempts: i32) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "UPDATE push_deliveries
            SET state = 'failed', claim_token = NULL, lease_until = NULL,
                failure_reason = 'no result recorded after ' || attempt || ' attempts'
          WHERE state = 'claimed' AND lease_until < now() AND attempt >= $1
         RETURNING id",
        max_attempts,
    )
    .fetch_all(db)
    .await
}

/// An attempt's result, to be written under its claim.
pub struct AttemptResult<'a> {
    pub state: &'a str,
    pub status: Option<i32>,
    pub delay_secs: f64,
    pub reason: &'a str,
}

/// Writes the result of claim `token` on delivery `id`; false when the claim is no longer
/// held (its lease ran out and it was claimed again).
pub async fn record_result(
    conn: &mut PgConnection,
    id: Uuid,
    token: Uuid,
    r: &AttemptResult<'_>,
) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "UPDATE push_deliveries
            SET state = $3, last_status = $4, claim_token = NULL, lease_until = NULL,
                sent_at = CASE WHEN $3 = 'sent' THEN now() END,
                next_attempt_at = now() + make_interval(secs => $5),
                failure_reason = CASE WHEN $3 = 'failed' THEN $6 END
          WHERE id = $1 AND claim_token = $2",
        id,
        token,
        r.state,
        r.status,
        r.delay_secs,
        r.reason,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Logs one attempt.
pub async fn insert_attempt(
    conn: &mut PgConnection,
    delivery: Uuid,
    attempt: i32,
    status: Option<i32>,
    outcome: &str,
    duration_ms: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO push_attempts (delivery_id, attempt, status, outcome, duration_ms) VALUES ($1, $2, $3, $4, $5)",
        delivery,
        attempt,
        status,
        outcome,
        duration_ms,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The device took a push now.
pub async fn mark_success(conn: &mut PgConnection, subscription: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE push_subscriptions SET last_success_at = now() WHERE id = $1",
        subscription
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A push to the device failed now.
pub async fn mark_failure(conn: &mut PgConnection, subscription: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE push_subscriptions SET last_failure_at = now() WHERE id = $1",
        subscription
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Releases claim `token` on delivery `id` without a result: retried after `delay_secs`, or
/// parked when it was the `last` attempt.
pub async fn release(
    db: &PgPool,
    id: Uuid,
    token: Uuid,
    last: bool,
    delay_secs: f64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE push_deliveries
            SET state = CASE WHEN $3 THEN 'failed' ELSE 'retry_wait' END,
                claim_token = NULL, lease_until = NULL,
                next_attempt_at = now() + make_interval(secs => $4),
                failure_reason = CASE WHEN $3 THEN 'recording the result failed ' || attempt || ' times' END
          WHERE id = $1 AND claim_token = $2",
        id,
        token,
        last,
        delay_secs,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Parks one delivery that cannot be worked on (only one still waiting or claimed).
pub async fn park(db: &PgPool, id: Uuid, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE push_deliveries
            SET state = 'failed', claim_token = NULL, lease_until = NULL, failure_reason = $2
          WHERE id = $1 AND state IN ('pending', 'retry_wait', 'claimed')",
        id,
        reason,
    )
    .execute(db)
    .await?;
    Ok(())
}
