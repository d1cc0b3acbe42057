//! `Actor`: the authenticated person behind a request, as an extractor. Add it to a handler's
//! arguments and the handler only runs for a valid, unrevoked session of an enabled user.
//!
//! Roles and grants come from the database on every request, not from the token, so a role
//! change, a disabled account or a revoked session (a lost phone) takes effect at once.

use super::policy::{self, Permission};
use super::token;
use crate::error::{ApiError, ApiResult};
use crate::http::RequestMeta;
use crate::state::AppState;
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

/// Who is looking at agency records: what the SQL visibility rules (`contact_visible_to`,
/// `person_visible_to`) take. Stores take this rather than a bare agency id, so a query cannot
/// be written against a person or plan without the viewer the rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub agency_id: Uuid,
    pub user_id: Uuid,
}

impl Actor {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            agency_id: self.agency_id,
            user_id: self.user_id,
        }
    }

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

/// A request's verified access token whose session is not checked yet, for the directory
/// searches: they check it inside their own statement by joining `session_actor(sid, sub)`
/// (migration `session_actor`), so a search is one round trip, and turn the row into an
/// [`Actor`] with [`Bearer::actor`]. When that statement returns nothing they cannot tell a
/// bad session from an empty answer and ask [`Bearer::authenticate`].
pub struct Bearer {
    claims: token::AccessClaims,
    meta: RequestMeta,
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (meta, claims) = bearer_claims(parts, state).await?;
        Ok(Bearer { claims, meta })
    }
}

impl Bearer {
    /// The session the token belongs to.
    pub fn session_id(&self) -> Uuid {
        self.claims.sid
    }

    pub fn user_id(&self) -> Uuid {
        self.claims.sub
    }

    /// The session check on its own.
    pub async fn authenticate<'e>(self, db: impl PgExecutor<'e>) -> Result<Actor, ApiError> {
        authenticate(db, self.meta, self.claims).await
    }

    /// The actor from a `session_actor(sid, sub)` row that a query returned for this token's
    /// `session_id()` and `user_id()`.
    pub fn actor(self, agency_id: Uuid, roles: &[String], grants: &[String]) -> Actor {
        Actor {
            user_id: self.claims.sub,
            agency_id,
            session_id: self.claims.sid,
            roles: parse_roles(roles),
            grants: parse_grants(grants),
            meta: self.meta,
        }
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

/// The one session check, by the rule in the SQL function `session_actor`.
async fn authenticate<'e>(
    db: impl PgExecutor<'e>,
    meta: RequestMeta,
    claims: token::AccessClaims,
) -> Result<Actor, ApiError> {
    // A web-app session's last use moves on (at most twice a minute), in the same statement:
    // its idle limit counts from the last request or refresh (auth/session.rs).
    let row = super::store::session_actor(db, claims.sid, claims.sub)
        .await?
        .ok_or(ApiError::Unauthorized)?;

    Ok(Bearer { claims, meta }.actor(row.agency_id, &row.roles, &row.grants))
}

/// Roles as stored (a CHECK constraint keeps the column to known names).
pub fn parse_roles(raw: &[String]) -> Vec<Role> {
    raw.iter().filter_map(|r| Role::parse(r)).collect()
}

pub fn parse_grants(raw: &[String]) -> Vec<Grant> {
    raw.iter().filter_map(|g| Grant::parse(g)).collect()
}
