//! `/v1/auth/*` and `/v1/me`.

use super::{Actor, policy, session, throttle, token};
use crate::audit::{self, AuditActor};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, RequestMeta};
use crate::state::AppState;
use crate::users;
use axum::extract::State;
use axum::http::StatusCode;
use fieldline_wire::auth::{
    AgencySummary, ChangePasswordRequest, LoginClient, LoginRequest, LogoutRequest, Me,
    RefreshRequest, TokenResponse,
};
use fieldline_wire::{Email, Problem};
use serde_json::json;
use sqlx::PgPool;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(change_password))
        .routes(routes!(me))
}

/// The answer to a sign-in (or password change) beyond what the instance hashes and queues.
/// Longest password or refresh token we bother to look at; longer ones simply do not match.
const MAX_SECRET_LEN: usize = 1024;

/// Sign in with e-mail and password.
///
/// Unknown addresses and wrong passwords get the same answer. Every attempt counts against
/// the account and the client address before its password is checked; after a few failures
/// the account (and, separately, the client address) is locked out for a while, and the
/// answer is then 429 with `Retry-After`. So is a burst larger than the server checks at once.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse, description = "Signed in"),
        (status = 401, body = Problem, content_type = "application/problem+json",
         description = "Unknown address or wrong password (one answer for both)"),
        (status = 429, body = Problem, content_type = "application/problem+json",
         description = "Locked out, or too many sign-ins at once: try again after `Retry-After` seconds",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    // A place in the password-hashing line first: an attempt turned away is not counted.
    let turn = state.config.password_gate.enter()?;
    let email = req.email.trim().to_lowercase();
    let keys = throttle::Keys::new(&email, meta.client_ip);
    let admission = throttle::admit(&state.db, &state.config.login, &keys).await?;

    let user = users::store::sign_in(&state.db, &email).await?;
    let who = AuditActor::request(&meta, user.as_ref().map(|u| u.agency_id), None);
    let record = user.as_ref().map(|u| u.id.to_string());
    if let throttle::Admission::Locked {
        retry_after_secs,
        started,
    } = admission
    {
        audit_lockouts(&state.db, &who, record.as_deref(), &started).await?;
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let stored = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.clone());
    let mut presented = req.password;
    if presented.len() > MAX_SECRET_LEN {
        presented.clear();
    }
    if !state
        .config
        .password_gate
        .verify(turn, presented, stored)
        .await
    {
        // Already counted by `admit`.
        audit::record(
            &state.db,
            &who,
            "auth.login_failed",
            "user",
            record.as_deref(),
            json!({}),
        )
        .await?;
        return Err(ApiError::InvalidCredentials);
    }
    let user = user.ok_or(ApiError::InvalidCredentials)?;
    throttle::record_success(&state.db, &keys).await?;

    let mut tx = state.db.begin().await?;
    let web = req.client == Some(LoginClient::Web);
    let idle = web.then_some(session::WEB_IDLE);
    let (session_id, refresh) = session::start(&mut tx, &state.config, user.id, idle).await?;
    let who = AuditActor::request(&meta, Some(user.agency_id), Some(user.id));
    audit::record(
        &mut *tx,
        &who,
        "auth.login",
        "session",
        Some(&session_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    tokens(&state, user.id, session_id, refresh, web)
        .await
        .map(Json)
}

/// Each lockout this attempt started: logged, and audited against the account (if known).
async fn audit_lockouts(
    db: &PgPool,
    who: &AuditActor,
    record: Option<&str>,
    started: &[throttle::Lockout],
) -> ApiResult<()> {
    for l in started {
        let scope = l.scope.as_str();
        tracing::warn!(scope, seconds = l.seconds, "sign-in lockout");
        audit::record(
            db,
            who,
            "auth.lockout",
            "user",
            record,
            json!({ "scope": scope, "seconds": l.seconds }),
        )
        .await?;
    }
    Ok(())
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// The presented token stops working. Presenting it again (after its short retry grace)
/// ends the whole session: someone else has a copy.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn refresh(
    State(state): State<AppState>,
    meta: RequestMeta,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    if req.refresh_token.len() > MAX_SECRET_LEN {
        return Err(ApiError::Unauthorized);
    }
    match session::rotate(&state.db, &state.config, &req.refresh_token).await? {
        session::Rotation::Rotated {
            user_id,
            session_id,
            refresh,
            web,
        } => tokens(&state, user_id, session_id, refresh, web)
            .await
            .map(Json),
        session::Rotation::Invalid => Err(ApiError::Unauthorized),
        session::Rotation::ReuseDetected {
            user_id,
            agency_id,
            session_id,
        } => {
            tracing::warn!(session = %session_id, "refresh token reuse: session revoked");
            let who = AuditActor::request(&meta, Some(agency_id), None);
            audit::record(
                &state.db,
                &who,
                "auth.refresh_reuse",
                "session",
                Some(&session_id.to_string()),
                json!({ "user_id": user_id }),
            )
            .await?;
            Err(ApiError::Unauthorized)
        }
    }
}

/// End the session a refresh token belongs to (this device signs out).
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204, description = "Signed out (also when the token was unknown)")))]
async fn logout(
    State(state): State<AppState>,
    meta: RequestMeta,
    Json(req): Json<LogoutRequest>,
) -> ApiResult<StatusCode> {
    if req.refresh_token.len() > MAX_SECRET_LEN {
        return Ok(StatusCode::NO_CONTENT);
    }
    if let Some(ended) = session::end_by_refresh_token(&state.db, &req.refresh_token).await? {
        let who = AuditActor::request(&meta, Some(ended.agency_id), Some(ended.user_id));
        let session = ended.session_id.to_string();
        audit::record(
            &state.db,
            &who,
            "auth.logout",
            "session",
            Some(&session),
            json!({}),
        )
        .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Change your own password. Every other session of yours ends.
///
/// A wrong current password counts as a failed sign-in (429 with `Retry-After` once locked).
#[utoipa::path(post, path = "/v1/auth/password", tag = "auth", request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed"),
        (status = 422, body = Problem, content_type = "application/problem+json",
         description = "Wrong current password, or the new one is not acceptable"),
        (status = 429, body = Problem, content_type = "application/problem+json",
         description = "Locked out, or too many password checks at once: try again after `Retry-After` seconds",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    let row = users::store::credentials(&state.db, actor.user_id).await?;
    let turn = state.config.password_gate.enter()?;
    let keys = throttle::Keys::new(&row.email, actor.meta.client_ip);
    if let throttle::Admission::Locked {
        retry_after_secs, ..
    } = throttle::admit(&state.db, &state.config.login, &keys).await?
    {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let mut current = req.current_password;
    if current.len() > MAX_SECRET_LEN {
        current.clear();
    }
    if !state
        .config
        .password_gate
        .verify(turn, current, Some(row.password_hash))
        .await
    {
        return Err(ApiError::field(
            "/current_password",
            "is not your current password",
        ));
    }
    throttle::record_success(&state.db, &keys).await?;
    let turn = state.config.password_gate.enter()?;
    let hash = state
        .config
        .password_gate
        .hash(turn, req.new_password.expose().to_owned())
        .await?;
    let mut tx = state.db.begin().await?;
    users::store::set_password(&mut tx, actor.user_id, &hash).await?;
    let ended = session::revoke_all(
        &mut tx,
        actor.user_id,
        "password_changed",
        Some(actor.session_id),
    )
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "user.password_change",
        "user",
        Some(&actor.user_id.to_string()),
        json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user, their agency, roles and effective grants.
#[utoipa::path(get, path = "/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Me>> {
    load_me(&state.db, actor.user_id).await.map(Json)
}

pub async fn load_me(db: &PgPool, user_id: Uuid) -> ApiResult<Me> {
    let r = users::store::me(db, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let roles = super::parse_roles(&r.roles);
    let grants = policy::effective_grants(&roles, &super::parse_grants(&r.grants));
    Ok(Me {
        id: r.id,
        email: Email::parse(&r.email)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored e-mail invalid: {e}")))?,
        display_name: r.display_name,
        agency: AgencySummary {
            id: r.agency_id,
            name: r.agency_name,
            time_zone: r.time_zone,
            coordinator_fallback_phone: r.coordinator_fallback_phone,
            emergency_number: r.emergency_number,
            distance_unit: crate::error::from_stored(&r.distance_unit)?,
        },
        roles,
        grants,
    })
}

async fn tokens(
    state: &AppState,
    user_id: Uuid,
    session_id: Uuid,
    refresh: session::RefreshToken,
    web: bool,
) -> ApiResult<TokenResponse> {
    let me = load_me(&state.db, user_id).await?;
    let issued = token::issue(
        &state.config,
        user_id,
        session_id,
        me.agency.id,
        me.roles.clone(),
        me.grants.clone(),
    )?;
    Ok(TokenResponse {
        access_token: issued.token,
        token_type: "Bearer".to_owned(),
        expires_in: issued.expires_in,
        refresh_token: refresh.token,
        refresh_expires_at: refresh.expires_at,
        user: me,
        device_key: match web {
            true => Some(session::device_key(&state.db, user_id).await?),
            false => None,
        },
    })
}
