//! The one loop every background job runs in: a round of work, then sleep until woken by
//! `NOTIFY` on the job's channel, until the job's own next due time, or at most `poll` (a
//! notification can be missed while reconnecting; retries and leases fall due by the clock),
//! until shutdown. A round's items are each isolated by the job (`worker::step`, a claim per
//! push), so an error here is one the whole round hit (the database went away): it is logged,
//! and the next round tries again. Any number of instances run the same jobs side by side;
//! the jobs' `FOR UPDATE SKIP LOCKED` and leases keep them apart.

use sqlx::PgPool;
use std::future::Future;
use std::time::Duration;

/// A background job, as the loop sees it.
pub trait Job: Send {
    /// Its name in logs.
    fn name(&self) -> &'static str;

    /// The `NOTIFY` channel that wakes it when work is queued.
    fn channel(&self) -> &'static str;

    /// One round of due work.
    fn round(&mut self) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// How long it may sleep after a round at most, given the configured `poll` (a job whose
    /// next item falls due sooner says so, so it runs on time rather than up to a poll late).
    fn nap(&mut self, poll: Duration) -> impl Future<Output = Duration> + Send {
        async move { poll }
    }

    /// After shutdown: let what a round started finish (bounded by the job).
    fn finish(&mut self) -> impl Future<Output = ()> + Send {
        async {}
    }
}

/// Runs `job` until `shutdown` resolves.
pub async fn run<J: Job>(
    db: PgPool,
    poll: Duration,
    mut job: J,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut listener = None;
    loop {
        if listener.is_none() {
            listener = crate::db::listen(&db, job.channel()).await.ok();
        }
        if let Err(e) = job.round().await {
            tracing::warn!(job = job.name(), error = %crate::telemetry::redacted(&e), "background round failed");
        }
        let nap = job.nap(poll).await;
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
            _ = tokio::time::sleep(nap) => {}
        }
    }
    job.finish().await;
}
