//! Per-person budgets for the requests that cost the most: directory searches, exports and
//! imports (issue #16, finding 12). Each person has a bucket per kind that refills evenly over
//! its period and holds at most the period's allowance; a request beyond it gets 429 with
//! `Retry-After`. Budgets are kept in this instance's memory, like the password gate: a
//! search stays one statement with no write, and N instances allow N times the budget, which
//! is still a bound on what one stolen token can pull.

use crate::error::ApiError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spend {
    Search,
    Export,
    Import,
}

/// The allowance of one kind: `per_period` requests, 0 for no limit.
#[derive(Debug, Clone, Copy)]
pub struct Allowance {
    pub per_period: u32,
    pub period: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept at most; past this, full ones (people idle for a whole period) are dropped.
const KEEP: usize = 10_000;

#[derive(Clone)]
pub struct Budgets {
    search: Allowance,
    export: Allowance,
    import: Allowance,
    buckets: Arc<Mutex<HashMap<(Spend, Uuid), Bucket>>>,
}

impl std::fmt::Debug for Budgets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budgets")
            .field("search", &self.search)
            .field("export", &self.export)
            .field("import", &self.import)
            .finish_non_exhaustive()
    }
}

impl Budgets {
    pub fn new(search: Allowance, export: Allowance, import: Allowance) -> Budgets {
        Budgets {
            search,
            export,
            import,
            buckets: Arc::default(),
        }
    }

    fn allowance(&self, spend: Spend) -> Allowance {
        match spend {
            Spend::Search => self.search,
            Spend::Export => self.export,
            Spend::Import => self.import,
        }
    }

    /// Takes one request from `user`'s budget of `spend`, or answers 429 saying when the next
    /// one is allowed.
    pub fn take(&self, spend: Spend, user: Uuid) -> Result<(), ApiError> {
        self.take_at(spend, user, Instant::now())
    }

    fn take_at(&self, spend: Spend, user: Uuid, now: Instant) -> Result<(), ApiError> {
        let a = self.allowance(spend);
        if a.per_period == 0 {
            return Ok(());
        }
        let capacity = f64::from(a.per_period);
        let per_sec = capacity / a.period.as_secs_f64();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= KEEP {
            buckets.retain(|(s, _), b| {
                let a = self.allowance(*s);
                now.duration_since(b.at) < a.period
            });
        }
        let b = buckets.entry((spend, user)).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec).min(capacity);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(ApiError::TooManyRequests {
                retry_after_secs: ((1.0 - b.tokens) / per_sec).ceil().max(1.0) as u64,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn per_minute(n: u32) -> Allowance {
        Allowance {
            per_period: n,
            period: Duration::from_secs(60),
        }
    }

    #[test]
    fn a_budget_allows_its_allowance_then_refills_evenly_per_person_and_kind() {
        let b = Budgets::new(per_minute(3), per_minute(1), per_minute(0));
        let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(b.take_at(Spend::Search, ann, t0).is_ok());
        }
        match b.take_at(Spend::Search, ann, t0) {
            Err(ApiError::TooManyRequests { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("{other:?}"),
        }
        assert!(
            b.take_at(Spend::Search, bob, t0).is_ok(),
            "another person's budget"
        );
        assert!(
            b.take_at(Spend::Export, ann, t0).is_ok(),
            "another kind's budget"
        );
        assert!(
            b.take_at(Spend::Search, ann, t0 + Duration::from_secs(20))
                .is_ok()
        );
        assert!(
            b.take_at(Spend::Search, ann, t0 + Duration::from_secs(21))
                .is_err()
        );
        for _ in 0..100 {
            assert!(b.take_at(Spend::Import, ann, t0).is_ok(), "0: no limit");
        }
    }
}
