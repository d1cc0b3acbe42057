//! The background jobs `fieldline serve` runs beside the API, assembled from the domains and
//! run in the one loop (`worker::runtime`). Above the domains: it imports them, none imports it.
//!
//! - **Escalation**: check-ins past their end and grace become advocate-safety alerts
//!   (`safety`), waiting alert requests from screenings become alerts, and due alerts move to
//!   their next level or repeat (`alerts::engine`). Woken by `NOTIFY fieldline_alerts`, and
//!   when the next escalation falls due.
//! - **Push delivery** (`push::worker::Worker::run`): sends queued Web Push deliveries.

use crate::alerts::engine;
use crate::encryption::DataKeys;
use crate::worker::runtime::{self, Job};
use sqlx::PgPool;
use std::future::Future;
use std::time::Duration;

/// One escalation round: missed check-outs first, then alert requests and due alerts. Returns
/// how many items went through (tests call this to be deterministic).
pub async fn escalation_round(db: &PgPool, keys: &DataKeys) -> anyhow::Result<usize> {
    let overdue = crate::safety::raise_overdue(db, keys).await?;
    Ok(overdue + engine::run_once(db).await?)
}

/// Runs escalation rounds until `shutdown` resolves.
pub async fn run_escalation(
    db: PgPool,
    keys: DataKeys,
    poll: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    let job = Escalation {
        db: db.clone(),
        keys,
    };
    runtime::run(db, poll, job, shutdown).await;
}

struct Escalation {
    db: PgPool,
    keys: DataKeys,
}

impl Job for Escalation {
    fn name(&self) -> &'static str {
        "escalation"
    }

    fn channel(&self) -> &'static str {
        engine::WAKE_CHANNEL
    }

    async fn round(&mut self) -> anyhow::Result<()> {
        escalation_round(&self.db, &self.keys).await.map(drop)
    }

    /// Until the next escalation is due, so it fires on time rather than up to a whole poll
    /// late; by the database's clock, which the rounds use throughout.
    async fn nap(&mut self, poll: Duration) -> Duration {
        match crate::alerts::store::next_due_in(&self.db).await {
            // Not less than 20 ms: a due alert another instance holds is not ours to spin on.
            Ok(Some(d)) => d.max(Duration::from_millis(20)).min(poll),
            _ => poll,
        }
    }
}
