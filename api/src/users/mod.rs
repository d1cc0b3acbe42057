//! People in an agency, managed by its admins: `/v1/admin/users`. Every query is scoped to
//! the admin's agency; another agency's user ids answer 404.

use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission, parse_grants, parse_roles, session};
use crate::error::{ApiError, ApiResult, OnConstraint, from_stored};
use crate::http::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
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

struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    roles: Vec<String>,
    grants: Vec<String>,
    disabled_at: Option<DateTime<Utc>>,
    phone: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl UserRow {
    fn into_wire(self) -> ApiResult<User> {
        Ok(User {
            id: self.id,
            email: Email::parse(&self.email)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored e-mail invalid: {e}")))?,
            display_name: self.display_name,
            roles: parse_roles(&self.roles),
            grants: parse_grants(&self.grants),
            disabled: self.disabled_at.is_some(),
            phone: self.phone,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Everyone in your agency.
#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_users(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<UserList>> {
    actor.require(Permission::ManageUsers)?;
    let rows = sqlx::query_as!(
        UserRow,
        "SELECT id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at
           FROM users WHERE agency_id = $1 ORDER BY lower(display_name), email",
        actor.agency_id,
    )
    .fetch_all(&state.db)
    .await?;
    let users = rows
        .into_iter()
        .map(UserRow::into_wire)
        .collect::<ApiResult<_>>()?;
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
    let row = sqlx::query_as!(
        UserRow,
        "SELECT id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at
           FROM users WHERE id = $1 AND agency_id = $2",
        id,
        actor.agency_id,
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(ApiError::NotFound)?;
    row.into_wire().map(Json)
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
    let row = sqlx::query_as!(
        UserRow,
        "INSERT INTO users (id, agency_id, email, display_name, password_hash, roles, grants)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at",
        id,
        actor.agency_id,
        new.email.as_str(),
        display_name,
        hash,
        &names(&roles, Role::as_str),
        &grants,
    )
    .fetch_one(&mut *tx)
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
        Json(row.into_wire()?),
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
    let mut errors = Vec::new();
    let display_name = change
        .display_name
        .as_deref()
        .map(|n| check_display_name(n, &mut errors));
    let roles = change.roles.as_deref().map(|r| check_roles(r, &mut errors));
    let phone = change.phone.as_deref().map(|p| p.trim_matches(' '));
    if let Some(p) = phone
        && ((!p.is_empty() && !is_phone(p))
            || change.phone.as_deref().unwrap_or("").chars().count() > 40)
    {
        errors.push(FieldError {
            pointer: "/phone".into(),
            message: PHONE_RULE.into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
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
    let before = sqlx::query!(
        "SELECT roles, grants FROM users WHERE id = $1 AND agency_id = $2 FOR UPDATE",
        id,
        actor.agency_id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::NotFound)?;
    let roles_added = added(role_names.as_deref(), &before.roles);
    let grants_added = added(grant_names.as_deref(), &before.grants);
    if id == actor.user_id {
        let mut errors = Vec::new();
        for (pointer, added) in [("/roles", &roles_added), ("/grants", &grants_added)] {
            if !added.is_empty() {
                errors.push(FieldError {
                    pointer: pointer.into(),
                    message: format!(
                        "you cannot give yourself {}; another admin has to",
                        added.join(", ")
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    let row = sqlx::query_as!(
        UserRow,
        r#"UPDATE users SET
               display_name = coalesce($3, display_name),
               roles = coalesce($4, roles),
               grants = coalesce($5, grants),
               disabled_at = CASE WHEN $6::bool IS NULL THEN disabled_at
                                  WHEN $6 THEN coalesce(disabled_at, now())
                                  ELSE NULL END,
               phone = CASE WHEN $7::text IS NULL THEN phone ELSE nullif($7, '') END,
               updated_at = now()
         WHERE id = $1 AND agency_id = $2
         RETURNING id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at"#,
        id,
        actor.agency_id,
        display_name,
        role_names.as_deref(),
        grant_names.as_deref(),
        change.disabled,
        phone,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::NotFound)?;
    let mut ended = 0;
    if change.disabled == Some(true) {
        ended = session::revoke_all(&mut tx, id, "user_disabled", None).await?;
        crate::oncall::mine::drop_feed(&mut tx, id).await?;
    }
    let changed: Vec<&str> = [
        change.display_name.as_ref().map(|_| "display_name"),
        change.roles.as_ref().map(|_| "roles"),
        change.grants.as_ref().map(|_| "grants"),
        change.disabled.map(|_| "disabled"),
        change.phone.as_ref().map(|_| "phone"),
    ]
    .into_iter()
    .flatten()
    .collect();
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
    row.into_wire().map(Json)
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
    let exists = sqlx::query_scalar!(
        "SELECT id FROM users WHERE id = $1 AND agency_id = $2 FOR UPDATE",
        id,
        actor.agency_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if exists.is_none() {
        return Err(ApiError::NotFound);
    }
    let revoked = session::revoke_all(&mut tx, id, "admin", None).await?;
    // The calendar URL is a secret of its own: a lost phone has it too.
    crate::oncall::mine::drop_feed(&mut tx, id).await?;
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

const PHONE_RULE: &str = "must be a phone number: 3 to 40 digits, spaces, +, -, (, ), .";

/// A number a phone can dial: 3 to 40 characters of digits, spaces, `+`, `-`, `(`, `)`, `.`,
/// with at least 3 digits.
fn is_phone(p: &str) -> bool {
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (3..=40).contains(&p.chars().count()) && p.chars().all(allowed) && digits >= 3
}

fn check_display_name(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let name = raw.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError {
            pointer: "/display_name".into(),
            message: "must be 1 to 200 characters".into(),
        });
    }
    name
}

fn check_roles(raw: &[Role], errors: &mut Vec<FieldError>) -> Vec<Role> {
    let roles = dedup(raw);
    if roles.is_empty() {
        errors.push(FieldError {
            pointer: "/roles".into(),
            message: "must name at least one role".into(),
        });
    }
    roles
}

/// The names in `after` (when given) that `before` lacks.
fn added(after: Option<&[String]>, before: &[String]) -> Vec<String> {
    after
        .unwrap_or_default()
        .iter()
        .filter(|n| !before.contains(n))
        .cloned()
        .collect()
}

fn dedup<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

fn names<T: Copy>(items: &[T], name: fn(T) -> &'static str) -> Vec<String> {
    items.iter().map(|i| name(*i).to_owned()).collect()
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
    let now = sqlx::query!(
        "UPDATE agencies SET coordinator_fallback_phone = $2,
                emergency_number = CASE WHEN $3::text IS NULL THEN emergency_number ELSE nullif($3, '') END,
                distance_unit = coalesce($4, distance_unit)
          WHERE id = $1 RETURNING emergency_number, distance_unit",
        actor.agency_id,
        phone,
        emergency,
        unit,
    )
    .fetch_one(&mut *tx)
    .await?;
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

/// How many of `ids` are active people of the agency (each counted once).
pub async fn count_active(db: &sqlx::PgPool, agency: Uuid, ids: &[Uuid]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(DISTINCT id) AS "n!" FROM users WHERE id = ANY($1) AND agency_id = $2 AND disabled_at IS NULL"#,
        ids,
        agency,
    )
    .fetch_one(db)
    .await
}

/// A colleague as other domains show them: display name and work phone (staff data, never a
/// victim's).
pub struct Staff {
    pub name: String,
    pub phone: Option<String>,
}

/// The agency's staff among `ids`, by id (others are left out).
pub async fn staff(
    conn: &mut sqlx::PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, Staff>> {
    let rows = sqlx::query!(
        "SELECT id, display_name, phone FROM users WHERE agency_id = $1 AND id = ANY($2)",
        agency,
        ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Staff {
                    name: r.display_name,
                    phone: r.phone,
                },
            )
        })
        .collect())
}
