//! Password hashing with Argon2id (OWASP's first choice), off the async threads: one hash
//! takes tens of milliseconds of CPU and about 19 MiB of memory by design.
//!
//! Every hash a request asks for goes through the instance's [`Gate`] (sign-in, password
//! change, a new user's password, the duress code): at most `concurrency` hashes run at once,
//! at most `queue` more wait for their turn, and any attempt beyond that is turned away at
//! once (429 with `Retry-After`) instead of piling up blocking threads and their memory. Only
//! a check-out's duress check waits however long the line is ([`Gate::enter_always`]). The
//! command line (creating an agency, the demo data) hashes with [`hash_outside_requests`].

use anyhow::anyhow;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// For the command line and start-up only: a request hashes through the [`Gate`].
pub async fn hash_outside_requests(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow!("hashing password: {e}"))
}

/// Checks a password against a stored hash. With no hash (unknown account) it still does the
/// same work against a fixed hash and answers `false`, so timing does not tell whether an
/// account exists.
fn verify_blocking(password: &str, stored: Option<&str>) -> bool {
    let phc = stored.unwrap_or_else(|| dummy_hash());
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && stored.is_some()
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("not a password anyone has").expect("argon2 with default parameters")
    })
}

/// The instance is hashing as many passwords as it may, with a full queue: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl From<Busy> for crate::error::ApiError {
    fn from(_: Busy) -> Self {
        tracing::warn!("password hashing at capacity: request turned away");
        crate::error::ApiError::TooManyRequests {
            retry_after_secs: 1,
        }
    }
}

/// Bounds the password hashes of one instance: `concurrency` run at once, `queue` more wait.
#[derive(Clone)]
pub struct Gate {
    permits: Arc<Semaphore>,
    /// Holders of a [`Turn`]: running or waiting.
    entered: Arc<AtomicUsize>,
    limit: usize,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("limit", &self.limit)
            .field("entered", &self.entered.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// A place in the gate's line, taken before anything else is done for a sign-in (so an
/// attempt turned away is not counted against anyone). Leaving the line (dropping it) frees
/// the place.
pub struct Turn {
    gate: Gate,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.gate.entered.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    pub fn new(concurrency: usize, queue: usize) -> Gate {
        let concurrency = concurrency.max(1);
        Gate {
            permits: Arc::new(Semaphore::new(concurrency)),
            entered: Arc::new(AtomicUsize::new(0)),
            limit: concurrency + queue,
        }
    }

    /// A place in line, or `Busy` when every hash slot and queue place is taken.
    pub fn enter(&self) -> Result<Turn, Busy> {
        let mut now = self.entered.load(Ordering::Acquire);
        loop {
            if now >= self.limit {
                return Err(Busy);
            }
            match self.entered.compare_exchange_weak(
                now,
                now + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(Turn { gate: self.clone() }),
                Err(seen) => now = seen,
            }
        }
    }

    /// A place in line that is never refused, however long the line: for a check-out, whose
    /// duress code must always be checked (design.md: duress always reaches the coordinator).
    /// Only an advocate with an active check-in gets here, so the line stays bounded by those.
    pub fn enter_always(&self) -> Turn {
        self.entered.fetch_add(1, Ordering::AcqRel);
        Turn { gate: self.clone() }
    }

    /// Runs `f` on a blocking thread once a hash slot is free. The slot is held until `f`
    /// returns, even if the caller stops waiting (a client that hangs up does not free the
    /// CPU and memory its hash is still using).
    async fn run<T: Send + 'static>(
        &self,
        turn: Turn,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| anyhow!("password gate closed"))?;
        let out = tokio::task::spawn_blocking(move || {
            let out = f();
            drop(permit);
            out
        })
        .await?;
        drop(turn);
        Ok(out)
    }

    /// Checks a password against a stored hash, within the gate. With no hash (unknown
    /// account, no duress code set) it does the same work and answers `false`.
    pub async fn verify(&self, turn: Turn, password: String, stored: Option<String>) -> bool {
        self.run(turn, move || verify_blocking(&password, stored.as_deref()))
            .await
            .unwrap_or(false)
    }

    /// Hashes a password for storing, within the gate.
    pub async fn hash(&self, turn: Turn, password: String) -> anyhow::Result<String> {
        self.run(turn, move || hash_blocking(&password)).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_gate_turns_away_what_it_cannot_queue() {
        let gate = Gate::new(1, 1);
        let first = gate.enter().unwrap();
        let second = gate.enter().unwrap();
        assert_eq!(
            gate.enter().err(),
            Some(Busy),
            "one running, one waiting: full"
        );
        drop(second);
        let third = gate.enter().unwrap();
        let stored = hash_outside_requests("right".into()).await.unwrap();
        assert!(
            gate.verify(first, "right".into(), Some(stored.clone()))
                .await
        );
        assert!(!gate.verify(third, "wrong".into(), Some(stored)).await);
        // Every place is free again.
        let turns: Vec<Turn> = (0..2).map(|_| gate.enter().unwrap()).collect();
        assert_eq!(gate.enter().err(), Some(Busy));
        drop(turns);
        assert!(gate.enter().is_ok());
    }

    #[tokio::test]
    async fn a_check_out_always_gets_a_place_in_line() {
        let gate = Gate::new(1, 0);
        let first = gate.enter().unwrap();
        assert_eq!(gate.enter().err(), Some(Busy));
        let always = gate.enter_always();
        let stored = hash_outside_requests("4711".into()).await.unwrap();
        drop(first);
        assert!(gate.verify(always, "4711".into(), Some(stored)).await);
        assert!(gate.enter().is_ok(), "the place is given back");
    }

    #[tokio::test]
    async fn at_most_the_concurrency_hashes_at_once() {
        let gate = Gate::new(2, 30);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let (gate, running, most) = (gate.clone(), running.clone(), most.clone());
            let turn = gate.enter().unwrap();
            tasks.spawn(async move {
                gate.run(turn, move || {
                    let n = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap()
            });
        }
        while tasks.join_next().await.is_some() {}
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert_eq!(gate.entered.load(Ordering::SeqCst), 0);
    }
}
