//! The delivery worker. Claims due deliveries in a short transaction (`FOR UPDATE SKIP LOCKED`,
//! a lease and a claim token, committed before any HTTP call), sends each on its own task so a
//! slow push service holds up nobody else, and writes each result only under its claim token.
//! Any number of API instances run one; a crash leaves leases that expire and are claimed again.
//!
//! One bad delivery never holds up the others. Each is sent on its own task and its result
//! recorded in its own transaction; a result that cannot be recorded falls back to a plain
//! retry with backoff; a claim that cannot be made falls back to claiming one delivery at a
//! time, parking the one that fails; and a delivery whose lease keeps running out without a
//! result is parked after the last attempt. Parked deliveries are `failed` with a reason.
//!
//! Pushes go only to public addresses (`egress`): the client resolves through the egress
//! guard, follows no redirects and uses no proxy.

use super::egress::{self, Guard, Released, SystemResolver};
use super::outbox::WAKE_CHANNEL;
use super::store::{self, Claimed};
use crate::config::{Config, PushSettings};
use anyhow::Context;
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
    released: Released,
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
    /// Any other refusal (including a redirect, which is not followed), a message that could
    /// not be built, or an endpoint whose address is not allowed: retrying would not help.
    Rejected,
}

impl Worker {
    pub fn new(db: PgPool, config: Arc<Config>) -> anyhow::Result<Worker> {
        Worker::build(db, config, Arc::new(SystemResolver), Released::default())
    }

    /// A worker whose host names are resolved by `resolver` (behind the egress guard, as
    /// always), recording every address it connects to ([`Worker::released`]): tests map
    /// names to internal addresses without any DNS query.
    pub fn with_resolver(
        db: PgPool,
        config: Arc<Config>,
        resolver: Arc<dyn reqwest::dns::Resolve>,
    ) -> anyhow::Result<Worker> {
        Worker::build(db, config, resolver, Released::recording())
    }

    fn build(
        db: PgPool,
        config: Arc<Config>,
        resolver: Arc<dyn reqwest::dns::Resolve>,
        released: Released,
    ) -> anyhow::Result<Worker> {
        let guard = Guard::new(resolver, config.push.allow_http_loopback, released.clone());
        // reqwest brings no crypto provider (Cargo.toml): ring, kept if one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.push.timeout)
            .connect_timeout(config.push.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(guard))
            .build()
            .context("building the push HTTP client")?;
        Ok(Worker {
            db,
            config,
            http,
            released,
        })
    }

    /// Every address this worker's pushes were allowed to connect to, resolved or literal
    /// (recorded only by a worker made `with_resolver`).
    pub fn released(&self) -> Vec<std::net::SocketAddr> {
        self.released.addresses()
    }

    /// Runs until `shutdown` resolves, in the background jobs' loop (`worker::runtime`): woken
    /// by `NOTIFY` when deliveries are queued, and every poll regardless (retries fall due,
    /// leases expire, a notification may be missed while reconnecting).
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send) {
        let (db, poll) = (self.db.clone(), self.config.worker_poll);
        let job = Delivering {
            worker: self,
            in_flight: JoinSet::new(),
        };
        crate::worker::runtime::run(db, poll, job, shutdown).await;
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
        if let Err(e) = self.park_abandoned().await {
            tracing::warn!(error = %crate::telemetry::redacted(&e.into()), "parking abandoned push deliveries failed");
        }
        let claimed = match self.claim(None).await {
            Ok(claimed) => claimed,
            Err(e) => {
                // One row can make the whole batch fail: claim them one at a time, parking
                // any that cannot be claimed, so the others still go out in this round.
                tracing::warn!(error = %crate::telemetry::redacted(&e.into()), "claiming push deliveries failed; claiming one at a time");
                self.claim_one_by_one().await?
            }
        };
        let n = claimed.len();
        for c in claimed {
            let worker = self.clone();
            set.spawn(async move {
                worker.deliver(c).await;
            });
        }
        Ok(n)
    }

    /// Claims due deliveries (all of a batch, or only `only`), committing before any send.
    async fn claim(&self, only: Option<Uuid>) -> sqlx::Result<Vec<Claimed>> {
        store::claim(&self.db, BATCH, lease_secs(&self.config.push), only).await
    }

    async fn claim_one_by_one(&self) -> anyhow::Result<Vec<Claimed>> {
        let due = store::due(&self.db, BATCH).await?;
        let mut claimed = Vec::new();
        for id in due {
            match self.claim(Some(id)).await {
                Ok(c) => claimed.extend(c),
                Err(e) => {
                    tracing::warn!(delivery = %id, error = %crate::telemetry::redacted(&e.into()), "a push delivery cannot be claimed: parked");
                    if let Err(e) = store::park(&self.db, id, "could not be claimed").await {
                        tracing::error!(delivery = %id, error = %crate::telemetry::redacted(&e.into()), "parking a push delivery failed");
                    }
                }
            }
        }
        Ok(claimed)
    }

    /// Parks deliveries whose last allowed attempt ran out of lease without a result (the
    /// sender died, or recording its result kept failing), instead of claiming them forever.
    async fn park_abandoned(&self) -> sqlx::Result<()> {
        let parked = store::park_abandoned(&self.db, self.config.push.max_attempts).await?;
        for id in parked {
            tracing::warn!(delivery = %id, "push delivery parked: no result recorded");
        }
        Ok(())
    }

    /// Sends one claimed delivery and records the result. Never fails: a result that cannot be
    /// recorded is replaced by a plain retry with backoff (or parking after the last attempt);
    /// if even that fails, the lease runs out and the delivery is claimed again or parked.
    async fn deliver(&self, c: Claimed) {
        let started = Instant::now();
        let (outcome, status, kind) = match self.send(&c).await {
            Ok((status, retry_after)) => classify(status, retry_after),
            Err(SendError::Timeout) => (Outcome::Retry { after: None }, None, "timeout"),
            Err(SendError::Network) => (Outcome::Retry { after: None }, None, "network"),
            Err(SendError::Blocked(why)) => {
                tracing::warn!(delivery = %c.id, why, "push endpoint refused by the egress guard");
                (Outcome::Rejected, None, "blocked")
            }
            Err(SendError::Build(e)) => {
                tracing::warn!(delivery = %c.id, error = %e, "push message could not be built");
                (Outcome::Rejected, None, "rejected")
            }
        };
        crate::measure::push_attempt(kind);
        if outcome == Outcome::Sent && c.payload["type"] == "alert" {
            let text = |k: &str| c.payload[k].as_str().unwrap_or_default().to_owned();
            let waited = (chrono::Utc::now() - c.queued_at)
                .to_std()
                .unwrap_or_default();
            crate::measure::alert_delivered(&text("kind"), &text("urgency"), waited);
        }
        let ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let reason = failure_reason(outcome, status, kind, c.attempt);
        if let Err(e) = record(
            &self.db,
            &self.config.push,
            &c,
            outcome,
            status,
            kind,
            &reason,
            ms,
        )
        .await
        {
            tracing::warn!(delivery = %c.id, error = %crate::telemetry::redacted(&e), "recording a push result failed; retrying later");
            if let Err(e) = release(&self.db, &self.config.push, &c).await {
                tracing::error!(delivery = %c.id, error = %crate::telemetry::redacted(&e.into()), "releasing a push delivery failed; its lease will run out");
            }
        }
    }

    async fn send(&self, c: &Claimed) -> Result<(u16, Option<Duration>), SendError> {
        // Checked again at send time (it may have been registered before these rules); a name
        // is checked once more, address by address, by the client's resolver.
        let allow_loopback = self.config.push.allow_http_loopback;
        let url =
            egress::check_endpoint(&c.endpoint, allow_loopback).map_err(SendError::Blocked)?;
        if let Some(ip) = url.host_str().and_then(literal_ip) {
            egress::allowed(ip, allow_loopback).map_err(SendError::Blocked)?;
            let port = url.port_or_known_default().unwrap_or(443);
            self.released.push(&[std::net::SocketAddr::new(ip, port)]);
        }
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
            if let Some(why) = egress::is_forbidden(&e) {
                SendError::Blocked(why)
            } else if e.is_timeout() {
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
    /// The endpoint's address is not one pushes may go to (`egress`).
    Blocked(&'static str),
    Build(String),
}

/// The push worker as a background job: each round starts a send per due delivery and does
/// not wait for them (a slow push service holds up no other), collecting those done.
struct Delivering {
    worker: Worker,
    in_flight: JoinSet<()>,
}

impl crate::worker::runtime::Job for Delivering {
    fn name(&self) -> &'static str {
        "push_delivery"
    }

    fn channel(&self) -> &'static str {
        WAKE_CHANNEL
    }

    async fn round(&mut self) -> anyhow::Result<()> {
        let started = self.worker.start_due(&mut self.in_flight).await;
        while self.in_flight.try_join_next().is_some() {}
        started.map(drop)
    }

    /// Lets sends in flight record their results; unfinished leases are retried elsewhere.
    async fn finish(&mut self) {
        let in_flight = &mut self.in_flight;
        let _ = tokio::time::timeout(self.worker.config.push.timeout, async {
            while in_flight.join_next().await.is_some() {}
        })
        .await;
    }
}

/// The IP address a URL's host is written as, if it is one (IPv6 in brackets).
fn literal_ip(host: &str) -> Option<std::net::IpAddr> {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse().ok(),
        None => host.parse::<std::net::Ipv4Addr>().ok().map(Into::into),
    }
}

/// Why a delivery is given up on, if this outcome gives it up: short, no personal data.
fn failure_reason(outcome: Outcome, status: Option<i32>, kind: &str, attempt: i32) -> String {
    match (outcome, status) {
        (Outcome::Gone, _) => "gone: the push service no longer knows the subscription".into(),
        (Outcome::Rejected, _) if kind == "blocked" => {
            "blocked: the endpoint is not a public address".into()
        }
        (Outcome::Rejected, Some(s)) if kind == "redirect" => {
            format!("rejected: redirect (HTTP {s}) not followed")
        }
        (Outcome::Rejected, Some(s)) => format!("rejected: HTTP {s}"),
        (Outcome::Rejected, None) => "rejected: the message could not be built".into(),
        (Outcome::Retry { .. }, _) => format!("gave up after {attempt} attempts ({kind})"),
        (Outcome::Sent, _) => String::new(),
    }
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
        Outcome::Rejected if (300..=399).contains(&status) => "redirect",
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

#[allow(clippy::too_many_arguments)]
async fn record(
    db: &PgPool,
    settings: &PushSettings,
    c: &Claimed,
    outcome: Outcome,
    status: Option<i32>,
    kind: &str,
    reason: &str,
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
    let mine = store::record_result(
        &mut tx,
        c.id,
        c.token,
        &store::AttemptResult {
            state,
            status,
            delay_secs: delay.as_secs_f64(),
            reason,
        },
    )
    .await?;
    if mine {
        store::insert_attempt(&mut tx, c.id, c.attempt, status, kind, ms).await?;
        match outcome {
            Outcome::Sent => {
                store::mark_success(&mut tx, c.subscription_id).await?;
            }
            Outcome::Gone => {
                store::remove_subscription(&mut tx, c.subscription_id, None).await?;
            }
            _ => {
                store::mark_failure(&mut tx, c.subscription_id).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// When the result of an attempt could not be recorded: the attempt counts, and the delivery
/// is retried with backoff, or parked after the last attempt. Only under the claim's token.
async fn release(db: &PgPool, settings: &PushSettings, c: &Claimed) -> sqlx::Result<()> {
    let last = c.attempt >= settings.max_attempts;
    store::release(
        db,
        c.id,
        c.token,
        last,
        backoff(settings, c.attempt, None).as_secs_f64(),
    )
    .await
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
            max_devices: 10,
            test_limit: 5,
            test_window: Duration::from_secs(900),
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
