//! `/v1/admin/users` and `/v1/admin/agency`: extract, authorize, call, respond. Every query is
//! scoped to the admin's agency; another agency's user ids answer 404.

use super::check::{
    self, PHONE_RULE, UpdateChecked, added, check_display_name, check_roles, check_update, dedup,
    is_phone, names, self_grants,
};
use super::store::{self, UserRow};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission, parse_grants, parse_roles, session};
use crate::error::{ApiError, ApiResult, OnConstraint, from_stored};
use crate::http::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldline_wire::admin::{AgencySettings, NewUser, RevokedSessions, User, UserList, UserUpdate};
use fieldline_wire::{Email, FieldError, Grant, Problem, Role};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(revoke_sessions))
        .routes(routes!(update_agency))
}

fn into_wire(row: UserRow) -> ApiResult<User> {
    Ok(User {
        id: row.id,
        email: Email::parse(&row.email)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored e-mail invalid: {e}")))?,
        display_name: row.display_name,
        roles: parse_roles(&row.roles),
        grants: parse_grants(&row.grants),
        disabled: row.disabled_at.is_some(),
        phone: row.phone,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Everyone in your agency.
#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_users(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<UserList>> {
    actor.require(Permission::ManageUsers)?;
    let rows = store::list(&state.db, actor.agency_id).await?;
    let users = rows.into_iter().map(into_wire).collect::<ApiResult<_>>()?;
    Ok(Json(UserList { users }))
}

/// One person in your agency.
#[utoipa::path(get, path = "/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_user(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<User>> {
    actor.require(Permission::ManageUsers)?;
    let row = store::get(&state.db, actor.agency_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    into_wire(row).map(Json)
}

/// Add a person to your agency with an initial password.
#[utoipa::path(post, path = "/v1/admin/users", tag = "admin", security(("bearer" = [])), request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json",
         description = "the server is hashing as many secrets as it may at once: try again after `Retry-After` seconds",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    Json(new): Json<NewUser>,
) -> ApiResult<Response> {
    actor.require(Permission::ManageUsers)?;
    let mut errors = Vec::new();
    let display_name = check_display_name(&new.display_name, &mut errors);
    let roles = check_roles(&new.roles, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let grants = names(&dedup(&new.grants), Grant::as_str);
    let turn = state.config.password_gate.enter()?;
    let hash = state
        .config
        .password_gate
        .hash(turn, new.password.expose().to_owned())
        .await?;
    let id = Uuid::new_v4();
    let mut tx = state.db.begin().await?;
    let row = store::insert(
        &mut tx,
        &store::NewUserRow {
            id,
            agency_id: actor.agency_id,
            email: new.email.as_str(),
            display_name: &display_name,
            password_hash: &hash,
            roles: &names(&roles, Role::as_str),
            grants: &grants,
        },
    )
    .await
    .on_constraint("users_email_key", || {
        ApiError::Conflict("a user with this e-mail address exists already")
    })?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "user.create",
        "user",
        Some(&id.to_string()),
        json!({ "roles": row.roles, "grants": row.grants }),
    )
    .await?;
    tx.commit().await?;
    let location = format!("/v1/admin/users/{id}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(into_wire(row)?),
    )
        .into_response())
}

/// Change a person's name, roles, grants or work phone, or disable them (which ends their
/// sessions).
/// Nobody gives themselves a role or grant they do not hold (design, "Confidential
/// locations"): on your own id, adding one is 422; another admin has to do it. Every change of
/// roles or grants is audited with what was added and removed.
#[utoipa::path(patch, path = "/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UserUpdate,
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "a field is invalid, or you gave yourself a role or grant"),
    ))]
async fn update_user(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(change): Json<UserUpdate>,
) -> ApiResult<Json<User>> {
    actor.require(Permission::ManageUsers)?;
    let UpdateChecked {
        display_name,
        roles,
        phone,
    } = check_update(&change).map_err(ApiError::Validation)?;
    // An admin cannot lock themselves out; another admin has to do it.
    if id == actor.user_id
        && (change.disabled == Some(true)
            || roles.as_ref().is_some_and(|r| !r.contains(&Role::Admin)))
    {
        return Err(ApiError::Conflict(
            "you cannot remove your own admin role or disable yourself",
        ));
    }

    let role_names = roles.as_ref().map(|r| names(r, Role::as_str));
    let grant_names = change
        .grants
        .as_ref()
        .map(|g| names(&dedup(g), Grant::as_str));
    let mut tx = state.db.begin().await?;
    let before = store::lock_access(&mut tx, actor.agency_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let roles_added = added(role_names.as_deref(), &before.roles);
    let grants_added = added(grant_names.as_deref(), &before.grants);
    if id == actor.user_id {
        let errors = self_grants(&roles_added, &grants_added);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    let row = store::update(
        &mut tx,
        actor.agency_id,
        id,
        &store::Change {
            display_name: display_name.as_deref(),
            roles: role_names.as_deref(),
            grants: grant_names.as_deref(),
            disabled: change.disabled,
            phone,
        },
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let mut ended = 0;
    if change.disabled == Some(true) {
        ended = session::revoke_all(&mut tx, id, "user_disabled", None).await?;
        crate::oncall::store::drop_feed(&mut tx, id).await?;
    }
    let changed = check::changed(&change);
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "user.update",
        "user",
        Some(&id.to_string()),
        json!({ "changed": changed, "roles": row.roles, "grants": row.grants,
                "roles_added": roles_added, "roles_removed": added(Some(&before.roles), &row.roles),
                "grants_added": grants_added, "grants_removed": added(Some(&before.grants), &row.grants),
                "disabled": row.disabled_at.is_some(), "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    into_wire(row).map(Json)
}

/// End every session of a person at once: a lost or stolen phone. Their access tokens stop
/// working immediately.
#[utoipa::path(post, path = "/v1/admin/users/{id}/revoke-sessions", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = RevokedSessions), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_sessions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RevokedSessions>> {
    actor.require(Permission::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    if !store::lock(&mut tx, actor.agency_id, id).await? {
        return Err(ApiError::NotFound);
    }
    let revoked = session::revoke_all(&mut tx, id, "admin", None).await?;
    // The calendar URL is a secret of its own: a lost phone has it too.
    crate::oncall::store::drop_feed(&mut tx, id).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "user.revoke_sessions",
        "user",
        Some(&id.to_string()),
        json!({ "sessions_ended": revoked }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(RevokedSessions { revoked }))
}

/// Change your agency's settings: the coordinator line phones offer when an alert cannot be
/// delivered, and the emergency number offered with it. Phones pick them up at their next
/// sign-in or sync.
#[utoipa::path(put, path = "/v1/admin/agency", tag = "admin", security(("bearer" = [])), request_body = AgencySettings,
    responses((status = 200, body = AgencySettings), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_agency(
    State(state): State<AppState>,
    actor: Actor,
    Json(change): Json<AgencySettings>,
) -> ApiResult<Json<AgencySettings>> {
    actor.require(Permission::ManageUsers)?;
    let phone = change.coordinator_fallback_phone.as_deref().map(str::trim);
    if let Some(p) = phone
        && !is_phone(p)
    {
        return Err(ApiError::Validation(vec![FieldError {
            pointer: "/coordinator_fallback_phone".into(),
            message: PHONE_RULE.into(),
        }]));
    }
    let raw_emergency = change.emergency_number.as_deref();
    let emergency = raw_emergency.map(|p| p.trim_matches(' '));
    if let Some(p) = emergency
        && ((!p.is_empty() && !is_phone(p)) || raw_emergency.unwrap_or("").chars().count() > 40)
    {
        return Err(ApiError::Validation(vec![FieldError {
            pointer: "/emergency_number".into(),
            message: PHONE_RULE.into(),
        }]));
    }
    let unit = change.distance_unit.map(|u| u.as_str());
    let changed: Vec<&str> = std::iter::once("coordinator_fallback_phone")
        .chain(emergency.map(|_| "emergency_number"))
        .chain(unit.map(|_| "distance_unit"))
        .collect();
    let mut tx = state.db.begin().await?;
    let now =
        store::update_agency_settings(&mut tx, actor.agency_id, phone, emergency, unit).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "agency.update",
        "agency",
        Some(&actor.agency_id.to_string()),
        json!({ "changed": changed }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(AgencySettings {
        coordinator_fallback_phone: phone.map(str::to_owned),
        emergency_number: now.emergency_number,
        distance_unit: Some(from_stored(&now.distance_unit)?),
    }))
}
