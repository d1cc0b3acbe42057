//! `Actor`: the authenticated person behind a request, as an extractor. Add it to a handler's
//! arguments and the handler only runs for a valid, unrevoked session of an enabled user.
//!
//! Roles and grants come from the database on every request, not from the token, so a role
//! change, a disabled account or a revoked session (a lost phone) takes effect at once.

use super::policy::{self, Permission};
use super::token;
use crate::AppState;
use crate::db::SearchConn;
use crate::error::{ApiError, ApiResult};
use crate::http::RequestMeta;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use fieldline_wire::{Grant, Role};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub session_id: Uuid,
    pub roles: Vec<Role>,
    /// Explicit grants only; `can` adds those the roles carry.
    pub grants: Vec<Grant>,
    pub meta: RequestMeta,
}

impl Actor {
    pub fn can(&self, permission: Permission) -> bool {
        policy::permits(&self.roles, &self.grants, permission)
    }

    /// 403 unless permitted. The one way handlers check authorization.
    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (meta, claims) = bearer_claims(parts, state).await?;
        authenticate(&state.db, meta, claims).await
    }
}

/// An [`Actor`] together with the search connection their session was checked on, for the
/// directory searches: they answer with one query on it, so a search is two round trips (see
/// `crate::db` for why these connections are not sqlx's pooled ones).
pub struct ActorConn {
    pub actor: Actor,
    pub conn: SearchConn,
}

impl FromRequestParts<AppState> for ActorConn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (meta, claims) = bearer_claims(parts, state).await?;
        let mut conn = state.search.acquire().await?;
        let actor = authenticate(&mut *conn, meta, claims).await?;
        conn.settle();
        Ok(ActorConn { actor, conn })
    }
}

/// The request's metadata and its bearer token's verified claims.
async fn bearer_claims(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(RequestMeta, token::AccessClaims), ApiError> {
    let meta = RequestMeta::from_request_parts(parts, state).await?;
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(ApiError::Unauthorized)?;
    let claims = token::verify(&state.config, bearer).map_err(|e| {
        tracing::debug!(reason = %e, "access token refused");
        ApiError::Unauthorized
    })?;
    Ok((meta, claims))
}

/// The one session check: a live, unrevoked session of an enabled user, with the roles and
/// grants the database holds now.
async fn authenticate<'e>(
    db: impl PgExecutor<'e>,
    meta: RequestMeta,
    claims: token::AccessClaims,
) -> Result<Actor, ApiError> {
    let row = sqlx::query!(
        r#"SELECT u.agency_id, u.roles, u.grants
             FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = $1 AND s.user_id = $2
              AND s.revoked_at IS NULL AND s.expires_at > now()
              AND u.disabled_at IS NULL"#,
        claims.sid,
        claims.sub,
    )
    .fetch_optional(db)
    .await?
    .ok_or(ApiError::Unauthorized)?;

    Ok(Actor {
        user_id: claims.sub,
        agency_id: row.agency_id,
        session_id: claims.sid,
        roles: parse_roles(&row.roles),
        grants: parse_grants(&row.grants),
        meta,
    })
}

/// Roles as stored (a CHECK constraint keeps the column to known names).
pub fn parse_roles(raw: &[String]) -> Vec<Role> {
    raw.iter().filter_map(|r| Role::parse(r)).collect()
}

pub fn parse_grants(raw: &[String]) -> Vec<Grant> {
    raw.iter().filter_map(|g| Grant::parse(g)).collect()
}
