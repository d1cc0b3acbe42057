//! The delivery worker. Claims due deliveries in a short transaction (`FOR UPDATE SKIP LOCKED`,
//! a lease and a claim token, committed before any HTTP call), sends each on its own task so a
//! slow push service holds up nobody else, and writes each result only under its claim token.
//! Any number of API instances run one; a crash leaves leases that expire and are claimed again.

use super::outbox::WAKE_CHANNEL;
use crate::config::{Config, PushSettings};
use anyhow::Context;
use serde_json::Value;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use uuid::Uuid;
use web_push_native::WebPushBuilder;

/// Deliveries claimed per round.
const BATCH: i64 = 64;

#[derive(Clone)]
pub struct Worker {
    db: PgPool,
    config: Arc<Config>,
    http: reqwest::Client,
}

struct Claimed {
    id: Uuid,
    token: Uuid,
    attempt: i32,
    subscription_id: Uuid,
    endpoint: String,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
    payload: Value,
    topic: String,
    urgency: String,
    ttl_secs: i32,
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// 404/410: the subscription is gone; remove it.
    Gone,
    /// 429, 5xx, timeouts, network errors: try again later (after `Retry-After` if given).
    Retry {
        after: Option<Duration>,
    },
    /// Any other refusal: retrying would not help.
    Rejected,
}

impl Worker {
    pub fn new(db: PgPool, config: Arc<Config>) -> anyhow::Result<Worker> {
        let http = reqwest::Client::builder()
            .timeout(config.push.timeout)
            .connect_timeout(config.push.timeout)
            .build()
            .context("building the push HTTP client")?;
        Ok(Worker { db, config, http })
    }

    /// Runs until `shutdown` resolves: woken by `NOTIFY` when deliveries are queued, and every
    /// second regardless (retries fall due, leases expire, a notification may be missed while
    /// reconnecting).
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut listener = None;
        let mut in_flight = JoinSet::new();
        loop {
            if listener.is_none() {
                listener = crate::listen(&self.db, WAKE_CHANNEL).await.ok();
            }
            if let Err(e) = self.start_due(&mut in_flight).await {
                tracing::warn!(error = %crate::telemetry::redacted(&e), "push worker round failed");
            }
            while in_flight.try_join_next().is_some() {}
            let wake = async {
                match listener.as_mut() {
                    Some(l) => {
                        if l.recv().await.is_err() {
                            listener = None;
                        }
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut shutdown => break,
                _ = wake => {}
                _ = tokio::time::sleep(self.config.worker_poll) => {}
            }
        }
        // Let sends in flight record their results; unfinished leases are retried elsewhere.
        let _ = tokio::time::timeout(self.config.push.timeout, async {
            while in_flight.join_next().await.is_some() {}
        })
        .await;
    }

    /// One round, waiting for every send it started: what tests call to be deterministic.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let mut set = JoinSet::new();
        let n = self.start_due(&mut set).await?;
        while set.join_next().await.is_some() {}
        Ok(n)
    }

    /// Claims due deliveries and starts a send for each.
    async fn start_due(&self, set: &mut JoinSet<()>) -> anyhow::Result<usize> {
        let token = Uuid::new_v4();
        let claimed = sqlx::query_as!(
            Claimed,
            r#"WITH due AS (
                   SELECT id FROM push_deliveries
                    WHERE (state IN ('pending', 'retry_wait') AND next_attempt_at <= now())
                       OR (state = 'claimed' AND lease_until < now())
                    ORDER BY next_attempt_at
                    LIMIT $2
                      FOR UPDATE SKIP LOCKED)
               UPDATE push_deliveries d
                  SET state = 'claimed', claim_token = $1, attempt = d.attempt + 1,
                      lease_until = now() + make_interval(secs => $3)
                 FROM due, push_subscriptions s
                WHERE d.id = due.id AND s.id = d.subscription_id
            RETURNING d.id, d.claim_token AS "token!", d.attempt, s.id AS subscription_id, s.endpoint,
                      s.p256dh, s.auth, d.payload, d.topic, d.urgency, d.ttl_secs"#,
            token,
            BATCH,
            lease_secs(&self.config.push),
        )
        .fetch_all(&self.db)
        .await?;
        let n = claimed.len();
        for c in claimed {
            let worker = self.clone();
            set.spawn(async move {
                if let Err(e) = worker.deliver(c).await {
                    tracing::warn!(error = %crate::telemetry::redacted(&e), "recording a push result failed");
                }
            });
        }
        Ok(n)
    }

    async fn deliver(&self, c: Claimed) -> anyhow::Result<()> {
        let started = Instant::now();
        let (outcome, status, kind) = match self.send(&c).await {
            Ok((status, retry_after)) => classify(status, retry_after),
            Err(SendError::Timeout) => (Outcome::Retry { after: None }, None, "timeout"),
            Err(SendError::Network) => (Outcome::Retry { after: None }, None, "network"),
            Err(SendError::Build(e)) => {
                tracing::warn!(error = %e, "push message could not be built");
                (Outcome::Rejected, None, "rejected")
            }
        };
        let ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        record(&self.db, &self.config.push, &c, outcome, status, kind, ms).await
    }

    async fn send(&self, c: &Claimed) -> Result<(u16, Option<Duration>), SendError> {
        let uri: axum::http::Uri = c
            .endpoint
            .parse()
            .map_err(|e| SendError::Build(format!("endpoint: {e}")))?;
        // The origin the push service checks `aud` against: scheme, host and any port.
        let origin = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
            _ => return Err(SendError::Build("endpoint without origin".into())),
        };
        let public = p256::PublicKey::from_sec1_bytes(&c.p256dh)
            .map_err(|_| SendError::Build("p256dh".into()))?;
        let auth: [u8; 16] = c
            .auth
            .as_slice()
            .try_into()
            .map_err(|_| SendError::Build("auth".into()))?;
        let ttl = Duration::from_secs(c.ttl_secs.max(0) as u64);
        let body = serde_json::to_vec(&c.payload).map_err(|e| SendError::Build(e.to_string()))?;
        let mut request = WebPushBuilder::new(uri, public, auth.into())
            .with_valid_duration(ttl)
            .build(body)
            .map_err(|e| SendError::Build(e.to_string()))?;
        let vapid = self
            .config
            .vapid
            .authorization(
                &origin,
                &self.config.vapid_subject,
                Duration::from_secs(12 * 3600),
            )
            .map_err(|e| SendError::Build(e.to_string()))?;
        let headers = request.headers_mut();
        for (name, value) in [
            ("authorization", vapid.as_str()),
            ("urgency", c.urgency.as_str()),
            ("topic", c.topic.as_str()),
        ] {
            headers.insert(
                name,
                value
                    .parse()
                    .map_err(|_| SendError::Build(format!("header {name}")))?,
            );
        }
        let request =
            reqwest::Request::try_from(request).map_err(|e| SendError::Build(e.to_string()))?;
        let response = self.http.execute(request).await.map_err(|e| {
            if e.is_timeout() {
                SendError::Timeout
            } else {
                SendError::Network
            }
        })?;
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Ok((response.status().as_u16(), retry_after))
    }
}

enum SendError {
    Timeout,
    Network,
    Build(String),
}

fn classify(status: u16, retry_after: Option<Duration>) -> (Outcome, Option<i32>, &'static str) {
    let outcome = match status {
        200..=299 => Outcome::Sent,
        404 | 410 => Outcome::Gone,
        429 | 500..=599 => Outcome::Retry { after: retry_after },
        _ => Outcome::Rejected,
    };
    let kind = match outcome {
        Outcome::Sent => "sent",
        Outcome::Gone => "gone",
        Outcome::Retry { .. } => "retry",
        Outcome::Rejected => "rejected",
    };
    (outcome, Some(status as i32), kind)
}

/// Exponential backoff from `retry_base`, doubling per attempt, at most five minutes; a
/// `Retry-After` from the push service wins when it asks for longer.
fn backoff(settings: &PushSettings, attempt: i32, retry_after: Option<Duration>) -> Duration {
    let exp = settings
        .retry_base
        .saturating_mul(1u32 << (attempt.clamp(1, 20) - 1) as u32);
    let own = exp.min(Duration::from_secs(300));
    retry_after.map_or(own, |r| r.max(own).min(Duration::from_secs(3600)))
}

async fn record(
    db: &PgPool,
    settings: &PushSettings,
    c: &Claimed,
    outcome: Outcome,
    status: Option<i32>,
    kind: &str,
    ms: i32,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let (state, delay) = match outcome {
        Outcome::Sent => ("sent", Duration::ZERO),
        Outcome::Gone | Outcome::Rejected => ("failed", Duration::ZERO),
        Outcome::Retry { .. } if c.attempt >= settings.max_attempts => ("failed", Duration::ZERO),
        Outcome::Retry { after } => ("retry_wait", backoff(settings, c.attempt, after)),
    };
    // Only the holder of the claim writes the result: a lease that expired and was claimed
    // again belongs to the new claim.
    let mine = sqlx::query!(
        "UPDATE push_deliveries
            SET state = $3, last_status = $4, claim_token = NULL, lease_until = NULL,
                sent_at = CASE WHEN $3 = 'sent' THEN now() END,
                next_attempt_at = now() + make_interval(secs => $5)
          WHERE id = $1 AND claim_token = $2",
        c.id,
        c.token,
        state,
        status,
        delay.as_secs_f64(),
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if mine {
        sqlx::query!(
            "INSERT INTO push_attempts (delivery_id, attempt, status, outcome, duration_ms) VALUES ($1, $2, $3, $4, $5)",
            c.id,
            c.attempt,
            status,
            kind,
            ms,
        )
        .execute(&mut *tx)
        .await?;
        match outcome {
            Outcome::Sent => {
                sqlx::query!(
                    "UPDATE push_subscriptions SET last_success_at = now() WHERE id = $1",
                    c.subscription_id
                )
                .execute(&mut *tx)
                .await?;
            }
            Outcome::Gone => {
                super::remove_subscription(&mut tx, c.subscription_id, None).await?;
            }
            _ => {
                sqlx::query!(
                    "UPDATE push_subscriptions SET last_failure_at = now() WHERE id = $1",
                    c.subscription_id
                )
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The claim's length: as configured, but always outliving the push request itself.
fn lease_secs(s: &PushSettings) -> f64 {
    s.lease
        .max(s.timeout + Duration::from_secs(1))
        .as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_by_status() {
        assert_eq!(classify(201, None).0, Outcome::Sent);
        assert_eq!(classify(410, None).0, Outcome::Gone);
        assert_eq!(classify(404, None).0, Outcome::Gone);
        assert_eq!(
            classify(429, Some(Duration::from_secs(7))).0,
            Outcome::Retry {
                after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(classify(503, None).0, Outcome::Retry { after: None });
        assert_eq!(classify(400, None).0, Outcome::Rejected);
        assert_eq!(classify(413, None).0, Outcome::Rejected);
    }

    #[test]
    fn backoff_doubles_caps_and_honours_retry_after() {
        let s = PushSettings {
            allow_http_loopback: false,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(1),
            max_attempts: 10,
            lease: Duration::from_secs(60),
        };
        assert_eq!(backoff(&s, 1, None), Duration::from_secs(1));
        assert_eq!(backoff(&s, 4, None), Duration::from_secs(8));
        assert_eq!(backoff(&s, 20, None), Duration::from_secs(300));
        assert_eq!(
            backoff(&s, 1, Some(Duration::from_secs(30))),
            Duration::from_secs(30)
        );
        assert_eq!(
            backoff(&s, 4, Some(Duration::from_secs(2))),
            Duration::from_secs(8)
        );
    }
}
