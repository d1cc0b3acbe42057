//! Sessions and their refresh tokens. A refresh token is 32 random bytes shown to the client
//! once; the database keeps its SHA-256. Every use rotates it. Presenting a token that was
//! already used means two parties hold it (OAuth 2.0 Security BCP, section 4.14): the whole
//! session is revoked.
//!
//! One exception keeps phones on bad networks signed in: if the response to a refresh was
//! lost, the phone retries with the same token. Within `refresh_reuse_grace` of the token's
//! first use, and only while its newest successor has not been used, that retry gets a new
//! successor and the lost one is retired. The answer to a retry can be lost too, so the
//! presented token then points at the new successor: a further retry within the grace works
//! the same way. A thief who races the phone still trips reuse detection on the phone's next
//! use (the thief's successor is retired, or the phone's is), and any use after the grace is
//! reuse.
//!
//! A web-app session (signed in with `client: "web"`) also has an idle limit: a refresh more
//! than [`WEB_IDLE`] after the session's last request or refresh is refused, so the refresh
//! token a seized phone's browser still holds stops working (its access token ends with its
//! own short lifetime). `authenticate` (auth/actor.rs) keeps `last_used_at` current.

use crate::config::Config;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct RefreshToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub enum Rotation {
    Rotated {
        user_id: Uuid,
        session_id: Uuid,
        refresh: RefreshToken,
        /// A web-app session (it has an idle limit).
        web: bool,
    },
    /// Unknown, expired, or belonging to a revoked session or disabled user.
    Invalid,
    /// A used token came back: the session is now revoked.
    ReuseDetected {
        user_id: Uuid,
        agency_id: Uuid,
        session_id: Uuid,
    },
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let h = hash(&token);
    (token, h)
}

fn secs(d: std::time::Duration) -> f64 {
    d.as_secs_f64()
}

/// How long a web-app session may go without a request or a refresh.
pub const WEB_IDLE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Opens a session for a user who just proved who they are; `idle` limits a web-app session.
pub async fn start(
    conn: &mut PgConnection,
    config: &Config,
    user_id: Uuid,
    idle: Option<std::time::Duration>,
) -> sqlx::Result<(Uuid, RefreshToken)> {
    let session_id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO sessions (id, user_id, expires_at, idle_timeout)
         VALUES ($1, $2, now() + make_interval(secs => $3), make_interval(secs => $4))",
        session_id,
        user_id,
        secs(config.session_max_age),
        idle.map(secs),
    )
    .execute(&mut *conn)
    .await?;
    let refresh = issue(conn, config, session_id).await?;
    Ok((session_id, refresh))
}

/// A new refresh token in a session: valid for the refresh lifetime, never past the session.
async fn issue(
    conn: &mut PgConnection,
    config: &Config,
    session_id: Uuid,
) -> sqlx::Result<RefreshToken> {
    let (token, token_hash) = new_token();
    let expires_at = sqlx::query_scalar!(
        r#"INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
           SELECT $1, s.id, least(now() + make_interval(secs => $3), s.expires_at)
             FROM sessions s WHERE s.id = $2
           RETURNING expires_at"#,
        token_hash,
        session_id,
        secs(config.refresh_token_ttl),
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(RefreshToken { token, expires_at })
}

pub async fn rotate(db: &PgPool, config: &Config, presented: &str) -> sqlx::Result<Rotation> {
    let presented_hash = hash(presented);
    let mut tx = db.begin().await?;
    let Some(row) = sqlx::query!(
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
        presented_hash,
        secs(config.refresh_reuse_grace),
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Rotation::Invalid);
    };
    if !row.usable {
        return Ok(Rotation::Invalid);
    }

    if row.used {
        // Retry after a lost response: retire the unused successor, hand out a new one.
        let successor = match (row.replaced_by, row.within_grace) {
            (Some(successor), true) => {
                sqlx::query_scalar!(
                    "SELECT token_hash FROM refresh_tokens
                  WHERE token_hash = $1 AND used_at IS NULL FOR UPDATE",
                    successor,
                )
                .fetch_optional(&mut *tx)
                .await?
            }
            _ => None,
        };
        let Some(successor) = successor else {
            revoke_session(&mut tx, row.session_id, "reuse_detected").await?;
            tx.commit().await?;
            return Ok(Rotation::ReuseDetected {
                user_id: row.user_id,
                agency_id: row.agency_id,
                session_id: row.session_id,
            });
        };
        let refresh = issue(&mut tx, config, row.session_id).await?;
        mark_used(&mut tx, &successor, &refresh).await?;
        sqlx::query!(
            "UPDATE refresh_tokens SET retired = true WHERE token_hash = $1",
            successor
        )
        .execute(&mut *tx)
        .await?;
        // The next retry of the presented token (if this answer is lost too) finds this one.
        sqlx::query!(
            "UPDATE refresh_tokens SET replaced_by = $2 WHERE token_hash = $1",
            presented_hash,
            hash(&refresh.token),
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Rotation::Rotated {
            user_id: row.user_id,
            session_id: row.session_id,
            refresh,
            web: row.web,
        });
    }

    let refresh = issue(&mut tx, config, row.session_id).await?;
    mark_used(&mut tx, &presented_hash, &refresh).await?;
    sqlx::query!(
        "UPDATE sessions SET last_used_at = now() WHERE id = $1",
        row.session_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Rotation::Rotated {
        user_id: row.user_id,
        session_id: row.session_id,
        refresh,
        web: row.web,
    })
}

async fn mark_used(
    conn: &mut PgConnection,
    token_hash: &[u8],
    successor: &RefreshToken,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now(), replaced_by = $2 WHERE token_hash = $1",
        token_hash,
        hash(&successor.token),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's web-app device key (base64url), made at their first web sign-in.
pub async fn device_key(db: &PgPool, user_id: Uuid) -> sqlx::Result<String> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let key = crate::users::store::device_key(db, user_id, &fresh).await?;
    Ok(URL_SAFE_NO_PAD.encode(key))
}

/// A session that logout ended.
pub struct Ended {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub agency_id: Uuid,
}

/// Ends the session a refresh token belongs to. `None` when there was no live session:
/// logging out twice, or with an unknown token, is not an error.
pub async fn end_by_refresh_token(db: &PgPool, presented: &str) -> sqlx::Result<Option<Ended>> {
    sqlx::query_as!(
        Ended,
        r#"UPDATE sessions s SET revoked_at = now(), revoked_reason = 'logout'
             FROM refresh_tokens rt, users u
            WHERE rt.token_hash = $1 AND s.id = rt.session_id AND u.id = s.user_id
              AND s.revoked_at IS NULL
        RETURNING s.id AS session_id, s.user_id, u.agency_id"#,
        hash(presented),
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
