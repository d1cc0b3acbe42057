//! Sign-in throttling, per account and per client IP, kept in PostgreSQL so every API
//! instance sees the same counts. After `max_failures` within `window`, the key is locked out;
//! each further lockout doubles (from `lockout_base` up to `lockout_max`). While locked, the
//! password is not even checked, so a lockout cannot be used as a guessing oracle.

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
    fn as_str(self) -> &'static str {
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

    fn iter(&self) -> impl Iterator<Item = (Scope, &str)> {
        std::iter::once((Scope::Account, self.account.as_str()))
            .chain(self.ip.as_deref().map(|ip| (Scope::Ip, ip)))
    }
}

/// Seconds until the longest lockout on these keys ends, if any is in force.
pub async fn locked_for(db: &PgPool, keys: &Keys) -> sqlx::Result<Option<u64>> {
    let secs = sqlx::query_scalar!(
        r#"SELECT ceil(extract(epoch FROM max(locked_until) - now()))::bigint
             FROM login_throttle
            WHERE locked_until > now()
              AND ((scope = 'account' AND key = $1) OR (scope = 'ip' AND key = $2))"#,
        keys.account,
        keys.ip,
    )
    .fetch_one(db)
    .await?;
    Ok(secs.map(|s| s.max(1) as u64))
}

/// A lockout that this failure started.
#[derive(Debug)]
pub struct Lockout {
    pub scope: Scope,
    pub seconds: u64,
}

/// Counts a failed attempt against every key; returns the lockouts it triggered.
pub async fn record_failure(
    db: &PgPool,
    limits: &LoginLimits,
    keys: &Keys,
) -> sqlx::Result<Vec<Lockout>> {
    let mut lockouts = Vec::new();
    for (scope, key) in keys.iter() {
        let max = match scope {
            Scope::Account => limits.max_failures_per_account,
            Scope::Ip => limits.max_failures_per_ip,
        };
        // One statement: count the failure (restarting an expired window) and, at the limit,
        // lock with a doubled duration. Lockout streaks older than a day are forgotten.
        let locked = sqlx::query_scalar!(
            r#"INSERT INTO login_throttle AS t (scope, key, failures, window_started_at)
               VALUES ($1, $2, 1, now())
               ON CONFLICT (scope, key) DO UPDATE SET
                   failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $3)
                                   THEN 1 ELSE t.failures + 1 END,
                   window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $3)
                                   THEN now() ELSE t.window_started_at END,
                   lockouts = CASE WHEN t.locked_until < now() - interval '1 day'
                                   THEN 0 ELSE t.lockouts END
               RETURNING failures"#,
            scope.as_str(),
            key,
            limits.window.as_secs_f64(),
        )
        .fetch_one(db)
        .await?;
        if locked < max {
            continue;
        }
        let seconds = sqlx::query_scalar!(
            r#"UPDATE login_throttle SET
                   failures = 0,
                   window_started_at = now(),
                   lockouts = lockouts + 1,
                   locked_until = now() + make_interval(secs =>
                       least($4::float8, $3::float8 * power(2, least(lockouts, 30))))
                WHERE scope = $1 AND key = $2
            RETURNING ceil(extract(epoch FROM locked_until - now()))::bigint AS "seconds!""#,
            scope.as_str(),
            key,
            limits.lockout_base.as_secs_f64(),
            limits.lockout_max.as_secs_f64(),
        )
        .fetch_one(db)
        .await?;
        lockouts.push(Lockout {
            scope,
            seconds: seconds.max(1) as u64,
        });
    }
    Ok(lockouts)
}

/// A good sign-in clears the account's count and lockout streak. The IP's count stays: one
/// valid account must not reset an attacker's budget for guessing others.
pub async fn record_success(db: &PgPool, keys: &Keys) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_throttle WHERE scope = 'account' AND key = $1",
        keys.account
    )
    .execute(db)
    .await?;
    Ok(())
}
