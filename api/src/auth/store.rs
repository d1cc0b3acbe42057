//! Sessions, refresh tokens and sign-in throttling in PostgreSQL: the only code that touches
//! `sessions`, `refresh_tokens` and `login_throttle`. Tokens are found by their SHA-256, never
//! by their value. Two statements also read `users` (a refresh's lock and a logout: the
//! session's user must be enabled, and its agency is audited, in the same statement); they are
//! listed as exceptions in `tests/tests/suite/architecture.rs`.

use crate::config::LoginLimits;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

/// A live session's actor by the rule in the SQL function `session_actor`; a web-app
/// session's last use moves on (at most twice a minute) in the same statement.
pub struct SessionActor {
    pub agency_id: Uuid,
    pub roles: Vec<String>,
    pub grants: Vec<String>,
}

pub async fn session_actor<'e>(
    db: impl PgExecutor<'e>,
    session: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<SessionActor>> {
    sqlx::query_as!(
        SessionActor,
        r#"WITH a AS (SELECT * FROM session_actor($1, $2)),
                used AS (UPDATE sessions SET last_used_at = now()
                          WHERE id = $1 AND idle_timeout IS NOT NULL
                            AND last_used_at < now() - interval '30 seconds'
                            AND EXISTS (SELECT FROM a))
           SELECT agency_id AS "agency_id!", roles AS "roles!", grants AS "grants!" FROM a"#,
        session,
        user,
    )
    .fetch_optional(db)
    .await
}

/// Opens a session of `max_age_secs`; `idle_secs` limits a web-app session.
pub async fn insert_session(
    conn: &mut PgConnection,
    id: Uuid,
    user: Uuid,
    max_age_secs: f64,
    idle_secs: Option<f64>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sessions (id, user_id, expires_at, idle_timeout)
         VALUES ($1, $2, now() + make_interval(secs => $3), make_interval(secs => $4))",
        id,
        user,
        max_age_secs,
        idle_secs,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A refresh token (by its hash) in a session: valid for `ttl_secs`, never past the session.
/// Returns when it expires.
pub async fn insert_refresh_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    session: Uuid,
    ttl_secs: f64,
) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar!(
        r#"INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
           SELECT $1, s.id, least(now() + make_interval(secs => $3), s.expires_at)
             FROM sessions s WHERE s.id = $2
           RETURNING expires_at"#,
        token_hash,
        session,
        ttl_secs,
    )
    .fetch_one(conn)
    .await
}

/// A presented refresh token with its session, both locked.
pub struct Presented {
    pub session_id: Uuid,
    pub replaced_by: Option<Vec<u8>>,
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub used: bool,
    pub web: bool,
    /// Unexpired, its session live and unexpired (and not idle too long), its user enabled.
    pub usable: bool,
    /// Used, not retired, and within `grace_secs` of its use.
    pub within_grace: bool,
}

pub async fn lock_presented(
    conn: &mut PgConnection,
    token_hash: &[u8],
    grace_secs: f64,
) -> sqlx::Result<Option<Presented>> {
    sqlx::query_as!(
        Presented,
        r#"SELECT rt.session_id, rt.replaced_by, s.user_id, u.agency_id,
                  rt.used_at IS NOT NULL AS "used!",
                  s.idle_timeout IS NOT NULL AS "web!",
                  (rt.expires_at > now() AND s.revoked_at IS NULL AND s.expires_at > now()
                   AND u.disabled_at IS NULL
                   AND (s.idle_timeout IS NULL OR s.last_used_at > now() - s.idle_timeout))
                      AS "usable!",
                  (NOT rt.retired AND coalesce(rt.used_at > now() - make_interval(secs => $2), false))
                      AS "within_grace!"
             FROM refresh_tokens rt
             JOIN sessions s ON s.id = rt.session_id
             JOIN users u ON u.id = s.user_id
            WHERE rt.token_hash = $1
              FOR UPDATE OF rt, s"#,
        token_hash,
        grace_secs,
    )
    .fetch_optional(conn)
    .await
}

/// The token `token_hash` locked, if it is still unused.
pub async fn lock_unused(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!(
        "SELECT token_hash FROM refresh_tokens
                  WHERE token_hash = $1 AND used_at IS NULL FOR UPDATE",
        token_hash,
    )
    .fetch_optional(conn)
    .await
}

pub async fn retire(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refresh_tokens SET retired = true WHERE token_hash = $1",
        token_hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Points the token at its newest successor.
pub async fn replace_with(
    conn: &mut PgConnection,
    token_hash: &[u8],
    successor_hash: &[u8],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refresh_tokens SET replaced_by = $2 WHERE token_hash = $1",
        token_hash,
        successor_hash,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the token used, replaced by its successor.
pub async fn mark_used(
    conn: &mut PgConnection,
    token_hash: &[u8],
    successor_hash: &[u8],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now(), replaced_by = $2 WHERE token_hash = $1",
        token_hash,
        successor_hash,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The session was used now (a refresh).
pub async fn touch(conn: &mut PgConnection, session: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE sessions SET last_used_at = now() WHERE id = $1",
        session
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A session that logout ended.
pub struct Ended {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub agency_id: Uuid,
}

/// Ends the live session the refresh token `token_hash` belongs to.
pub async fn end_by_refresh_token(db: &PgPool, token_hash: &[u8]) -> sqlx::Result<Option<Ended>> {
    sqlx::query_as!(
        Ended,
        r#"UPDATE sessions s SET revoked_at = now(), revoked_reason = 'logout'
             FROM refresh_tokens rt, users u
            WHERE rt.token_hash = $1 AND s.id = rt.session_id AND u.id = s.user_id
              AND s.revoked_at IS NULL
        RETURNING s.id AS session_id, s.user_id, u.agency_id"#,
        token_hash,
    )
    .fetch_optional(db)
    .await
}

pub async fn revoke_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2
          WHERE id = $1 AND revoked_at IS NULL",
        session_id,
        reason,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every live session of a user, except `keep` (the caller's own, after a password
/// change). Returns how many ended.
pub async fn revoke_all(
    conn: &mut PgConnection,
    user_id: Uuid,
    reason: &str,
    keep: Option<Uuid>,
) -> sqlx::Result<i64> {
    let n = sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2
          WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3",
        user_id,
        reason,
        keep,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n as i64)
}

/// Seconds until the longest lockout on the keys ends (rounded up), if any is in force.
pub async fn locked_for(db: &PgPool, account: &str, ip: Option<&str>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"SELECT ceil(extract(epoch FROM max(locked_until) - now()))::bigint
             FROM login_throttle
            WHERE locked_until > now()
              AND ((scope = 'account' AND key = $1) OR (scope = 'ip' AND key = $2))"#,
        account,
        ip,
    )
    .fetch_one(db)
    .await
}

/// One key's count after an attempt: whether this attempt locked it, and for how long.
pub struct Counted {
    pub scope: String,
    pub locked: bool,
    pub seconds: Option<i64>,
}

/// Counts one attempt against each (scope, key) and locks a key at its limit, in one
/// statement (see `auth::throttle::admit`). Keys locked already are left and not returned.
pub async fn count_attempt(
    db: &PgPool,
    limits: &LoginLimits,
    scopes: &[String],
    keys: &[String],
) -> sqlx::Result<Vec<Counted>> {
    sqlx::query_as!(
        Counted,
        r#"INSERT INTO login_throttle AS t (scope, key, failures, window_started_at)
           SELECT scope, key, 1, now() FROM unnest($1::text[], $2::text[]) AS k (scope, key)
           ON CONFLICT (scope, key) DO UPDATE SET
               failures = CASE
                   WHEN t.window_started_at < now() - make_interval(secs => $5) THEN 1
                   WHEN t.failures >= CASE t.scope WHEN 'account' THEN $3::int ELSE $4::int END THEN 0
                   ELSE t.failures + 1 END,
               window_started_at = CASE
                   WHEN t.window_started_at < now() - make_interval(secs => $5)
                     OR t.failures >= CASE t.scope WHEN 'account' THEN $3::int ELSE $4::int END THEN now()
                   ELSE t.window_started_at END,
               -- Lockout streaks older than a day are forgotten.
               lockouts = CASE WHEN t.locked_until < now() - interval '1 day' THEN 0
                               ELSE t.lockouts END
                        + CASE WHEN t.window_started_at >= now() - make_interval(secs => $5)
                                AND t.failures >= CASE t.scope WHEN 'account' THEN $3::int ELSE $4::int END
                               THEN 1 ELSE 0 END,
               locked_until = CASE
                   WHEN t.window_started_at >= now() - make_interval(secs => $5)
                    AND t.failures >= CASE t.scope WHEN 'account' THEN $3::int ELSE $4::int END
                   THEN now() + make_interval(secs => least($7::float8, $6::float8 * power(2, least(
                            CASE WHEN t.locked_until < now() - interval '1 day' THEN 0
                                 ELSE t.lockouts END, 30))))
                   ELSE t.locked_until END
             -- A key that is locked already is left as it is (and not returned).
             WHERE t.locked_until IS NULL OR t.locked_until <= now()
           RETURNING t.scope,
                     coalesce(t.locked_until > now(), false) AS "locked!",
                     ceil(extract(epoch FROM t.locked_until - now()))::bigint AS seconds"#,
        scopes,
        keys,
        limits.max_failures_per_account,
        limits.max_failures_per_ip,
        limits.window.as_secs_f64(),
        limits.lockout_base.as_secs_f64(),
        limits.lockout_max.as_secs_f64(),
    )
    .fetch_all(db)
    .await
}

/// A right password: the account key's row goes, and the address gets this attempt back.
pub async fn clear_success(db: &PgPool, account: &str, ip: Option<&str>) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH cleared AS (DELETE FROM login_throttle WHERE scope = 'account' AND key = $1)
         UPDATE login_throttle SET failures = greatest(failures - 1, 0)
          WHERE scope = 'ip' AND key = $2",
        account,
        ip,
    )
    .execute(db)
    .await?;
    Ok(())
}
