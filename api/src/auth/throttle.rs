//! Sign-in throttling, per account and per client IP, kept in PostgreSQL so every API
//! instance sees the same counts.
//!
//! Every attempt is counted *before* its password is checked, in one statement that also
//! decides whether it may go ahead ([`admit`]): an attempt is a failure until it proves
//! otherwise, and a good password takes its own count back ([`record_success`]). So any number
//! of concurrent attempts, on any number of instances, get at most `max_failures` password
//! checks per key and window; there is no gap between checking and counting to race through.
//! The attempt after the last allowed one starts a lockout; each further lockout doubles
//! (from `lockout_base` up to `lockout_max`). While locked, the password is not even checked,
//! so a lockout cannot be used as a guessing oracle.

use super::store;
use crate::config::LoginLimits;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Account,
    Ip,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Ip => "ip",
        }
    }
}

/// The keys one sign-in attempt counts against. The account key is a hash of the address as
/// typed (normalised), so unknown addresses are throttled exactly like real ones and the
/// table holds no addresses.
pub struct Keys {
    account: String,
    ip: Option<String>,
}

impl Keys {
    pub fn new(normalised_email: &str, ip: Option<IpAddr>) -> Keys {
        let account = hex::encode(Sha256::digest(
            format!("fieldline-login:{normalised_email}").as_bytes(),
        ));
        Keys {
            account,
            ip: ip.map(|ip| ip.to_string()),
        }
    }

    fn scopes(&self) -> Vec<String> {
        self.iter().map(|(s, _)| s.as_str().to_owned()).collect()
    }

    fn keys(&self) -> Vec<String> {
        self.iter().map(|(_, k)| k.to_owned()).collect()
    }

    fn iter(&self) -> impl Iterator<Item = (Scope, &str)> {
        std::iter::once((Scope::Account, self.account.as_str()))
            .chain(self.ip.as_deref().map(|ip| (Scope::Ip, ip)))
    }
}

/// Seconds until the longest lockout on these keys ends, if any is in force.
pub async fn locked_for(db: &PgPool, keys: &Keys) -> sqlx::Result<Option<u64>> {
    let secs = store::locked_for(db, &keys.account, keys.ip.as_deref()).await?;
    Ok(secs.map(|s| s.max(1) as u64))
}

/// A lockout that this attempt started.
#[derive(Debug)]
pub struct Lockout {
    pub scope: Scope,
    pub seconds: u64,
}

/// Whether an attempt may check its password.
#[derive(Debug)]
pub enum Admission {
    /// Counted as a failure on every key; check the password, and call [`record_success`] if
    /// it is right.
    Admitted,
    /// Refused without checking: a key is locked (perhaps by this very attempt, listed in
    /// `started`).
    Locked {
        retry_after_secs: u64,
        started: Vec<Lockout>,
    },
}

/// Counts one attempt against every key and decides, in the same statement, whether it may
/// check its password: only while every key is unlocked and under its limit. A key already
/// at its limit is locked by this attempt (with a doubled duration after earlier lockouts).
///
/// Each key's row is locked by the statement (`INSERT … ON CONFLICT DO UPDATE`), so
/// concurrent attempts are counted one after another and no more than the limit are admitted.
/// An attempt refused by one key still counts against the others: that errs on the side of
/// fewer guesses.
pub async fn admit(db: &PgPool, limits: &LoginLimits, keys: &Keys) -> sqlx::Result<Admission> {
    let scopes = keys.scopes();
    let rows = store::count_attempt(db, limits, &scopes, &keys.keys()).await?;
    let started: Vec<Lockout> = rows
        .iter()
        .filter(|r| r.locked)
        .map(|r| Lockout {
            scope: if r.scope == "account" {
                Scope::Account
            } else {
                Scope::Ip
            },
            seconds: r.seconds.unwrap_or(1).max(1) as u64,
        })
        .collect();
    if rows.len() == scopes.len() && started.is_empty() {
        return Ok(Admission::Admitted);
    }
    // Locked before (not returned) or by this attempt: wait for the longest lockout. A lockout
    // that ended in between still refuses this attempt, for a second.
    let retry_after_secs = locked_for(db, keys).await?.unwrap_or(1);
    Ok(Admission::Locked {
        retry_after_secs,
        started,
    })
}

/// The password was right: the account's count and lockout streak are cleared, and the
/// client address gets this attempt back. The address keeps the rest of its count: one valid
/// account must not reset an attacker's budget for guessing others.
pub async fn record_success(db: &PgPool, keys: &Keys) -> sqlx::Result<()> {
    store::clear_success(db, &keys.account, keys.ip.as_deref()).await
}
