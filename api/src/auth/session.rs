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

use super::store;
use crate::config::Config;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub use super::store::{Ended, revoke_all, revoke_session};

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
    store::insert_session(
        conn,
        session_id,
        user_id,
        secs(config.session_max_age),
        idle.map(secs),
    )
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
    let expires_at = store::insert_refresh_token(
        conn,
        &token_hash,
        session_id,
        secs(config.refresh_token_ttl),
    )
    .await?;
    Ok(RefreshToken { token, expires_at })
}

pub async fn rotate(db: &PgPool, config: &Config, presented: &str) -> sqlx::Result<Rotation> {
    let presented_hash = hash(presented);
    let mut tx = db.begin().await?;
    let Some(row) =
        store::lock_presented(&mut tx, &presented_hash, secs(config.refresh_reuse_grace)).await?
    else {
        return Ok(Rotation::Invalid);
    };
    if !row.usable {
        return Ok(Rotation::Invalid);
    }

    if row.used {
        // Retry after a lost response: retire the unused successor, hand out a new one.
        let successor = match (row.replaced_by, row.within_grace) {
            (Some(successor), true) => store::lock_unused(&mut tx, &successor).await?,
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
        store::retire(&mut tx, &successor).await?;
        // The next retry of the presented token (if this answer is lost too) finds this one.
        store::replace_with(&mut tx, &presented_hash, &hash(&refresh.token)).await?;
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
    store::touch(&mut tx, row.session_id).await?;
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
    store::mark_used(conn, token_hash, &hash(&successor.token)).await
}

/// The user's web-app device key (base64url), made at their first web sign-in.
pub async fn device_key(db: &PgPool, user_id: Uuid) -> sqlx::Result<String> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let key = crate::users::store::device_key(db, user_id, &fresh).await?;
    Ok(URL_SAFE_NO_PAD.encode(key))
}

/// Ends the session a refresh token belongs to. `None` when there was no live session:
/// logging out twice, or with an unknown token, is not an error.
pub async fn end_by_refresh_token(db: &PgPool, presented: &str) -> sqlx::Result<Option<Ended>> {
    store::end_by_refresh_token(db, &hash(presented)).await
}
