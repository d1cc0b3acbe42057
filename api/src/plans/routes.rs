//! `/v1/persons/{person_id}/safety-plan*`. Every read, export and save is audited in the same
//! transaction; audit details name versions and formats, never the plan's content.

use super::{export, store, validate};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path, etag, if_match_version};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldline_wire::Problem;
use fieldline_wire::plans::{SafetyPlan, SafetyPlanContent, SafetyPlanHistory};
use serde_json::{Value, json};
use sqlx::PgConnection;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

/// The store's answers as problems.
impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Database(e) => e.into(),
            store::StoreError::Unreadable(e) => ApiError::Internal(e),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_plan, get_plan))
        .routes(routes!(list_versions))
        .routes(routes!(get_version))
        .routes(routes!(export_text))
        .routes(routes!(export_html))
}

fn with_etag(plan: SafetyPlan, status: StatusCode) -> Response {
    let tag = etag(plan.version);
    let mut res = (status, Json(plan)).into_response();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

async fn audit(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    plan: Uuid,
    details: Value,
) -> sqlx::Result<()> {
    audit::record(
        conn,
        &AuditActor::from(actor),
        action,
        "safety_plan",
        Some(&plan.to_string()),
        details,
    )
    .await
}

/// Save the person's plan as a new version. The first save needs no `If-Match` (or
/// `If-Match: "0"`) and answers 201 with version 1; every later save must send the version it
/// edited as `If-Match` (428 without, 412 with `current_version` if someone saved since) and
/// answers 200 with the next version. A phone replaying a save whose answer it lost (same
/// content, same person saving, same `If-Match`) gets the version that save made, 200.
#[utoipa::path(put, path = "/v1/persons/{person_id}/safety-plan", tag = "plans", security(("bearer" = [])),
    params(("person_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "the version edited; required once the plan exists")),
    request_body = SafetyPlanContent,
    responses(
        (status = 201, body = SafetyPlan, description = "first version saved"),
        (status = 200, body = SafetyPlan, description = "new version saved"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_plan(
    State(state): State<AppState>,
    actor: Actor,
    Path(person_id): Path<Uuid>,
    headers: HeaderMap,
    Json(input): Json<SafetyPlanContent>,
) -> ApiResult<Response> {
    actor.require(Permission::RecordContacts)?;
    let if_match = match headers.get(header::IF_MATCH) {
        Some(_) => Some(if_match_version(&headers)?),
        None => None,
    };
    let content = validate::validate(input).map_err(ApiError::Validation)?;
    let keys = &state.config.data_keys;
    let viewer = actor.viewer();
    let mut tx = state.db.begin().await?;
    if !crate::contacts::store::person_visible(&mut tx, person_id, viewer).await? {
        return Err(ApiError::NotFound);
    }

    let mut locked = store::lock(&mut tx, person_id, viewer).await?;
    let mut saved = None;
    if locked.is_none() {
        if let Some(v) = if_match
            && v != 0
        {
            return Err(ApiError::PreconditionFailed { current_version: 0 });
        }
        let id = Uuid::new_v4();
        if store::create(&mut tx, id, viewer, person_id).await? {
            store::insert_version(&mut tx, keys, id, 1, actor.user_id, &content).await?;
            saved = Some((id, 1, StatusCode::CREATED));
        } else {
            // A concurrent first save committed before this one: this one comes second.
            locked = store::lock(&mut tx, person_id, viewer).await?;
        }
    }
    let (plan_id, version, status) = match (saved, locked) {
        (Some(s), _) => s,
        (None, None) => return Err(ApiError::NotFound),
        (None, Some(p)) if if_match == Some(p.current_version) => {
            let next = p.current_version + 1;
            store::insert_version(&mut tx, keys, p.id, next, actor.user_id, &content).await?;
            store::advance(&mut tx, p.id, next).await?;
            (p.id, next, StatusCode::OK)
        }
        (None, Some(p)) => {
            let base = if_match.unwrap_or(0);
            if base < p.current_version
                && let Some(made) =
                    store::load(&mut tx, keys, person_id, viewer, Some(base + 1)).await?
                && made.saved_by == actor.user_id
                && made.content == content
            {
                audit(
                    &mut tx,
                    &actor,
                    "safety_plan.replay",
                    p.id,
                    json!({ "version": made.version }),
                )
                .await?;
                tx.commit().await?;
                return Ok(with_etag(made, StatusCode::OK));
            }
            return Err(match if_match {
                None => ApiError::PreconditionRequired,
                Some(_) => ApiError::PreconditionFailed {
                    current_version: p.current_version,
                },
            });
        }
    };
    audit(
        &mut tx,
        &actor,
        "safety_plan.save",
        plan_id,
        json!({ "version": version }),
    )
    .await?;
    let plan = store::load(&mut tx, keys, person_id, viewer, Some(version))
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("saved version not found")))?;
    tx.commit().await?;
    Ok(with_etag(plan, status))
}

/// Loads a version (current when `None`), audits the read as `action`, and commits.
async fn read(
    state: &AppState,
    actor: &Actor,
    person_id: Uuid,
    version: Option<i64>,
    action: &str,
    mut details: Value,
) -> ApiResult<SafetyPlan> {
    actor.require(Permission::RecordContacts)?;
    let mut tx = state.db.begin().await?;
    let plan = store::load(
        &mut tx,
        &state.config.data_keys,
        person_id,
        actor.viewer(),
        version,
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    details["version"] = json!(plan.version);
    audit(&mut tx, actor, action, plan.id, details).await?;
    tx.commit().await?;
    Ok(plan)
}

/// The person's current plan, with its version as `ETag`. Audited.
#[utoipa::path(get, path = "/v1/persons/{person_id}/safety-plan", tag = "plans", security(("bearer" = [])),
    params(("person_id" = Uuid, Path)),
    responses((status = 200, body = SafetyPlan), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_plan(
    State(state): State<AppState>,
    actor: Actor,
    Path(person_id): Path<Uuid>,
) -> ApiResult<Response> {
    let plan = read(
        &state,
        &actor,
        person_id,
        None,
        "safety_plan.read",
        json!({}),
    )
    .await?;
    Ok(with_etag(plan, StatusCode::OK))
}

/// Every saved version, oldest first: who saved it and when, without content. Audited.
#[utoipa::path(get, path = "/v1/persons/{person_id}/safety-plan/versions", tag = "plans", security(("bearer" = [])),
    params(("person_id" = Uuid, Path)),
    responses((status = 200, body = SafetyPlanHistory), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_versions(
    State(state): State<AppState>,
    actor: Actor,
    Path(person_id): Path<Uuid>,
) -> ApiResult<Json<SafetyPlanHistory>> {
    actor.require(Permission::RecordContacts)?;
    let mut tx = state.db.begin().await?;
    let (plan, versions) = store::history(&mut tx, person_id, actor.viewer())
        .await?
        .ok_or(ApiError::NotFound)?;
    audit(
        &mut tx,
        &actor,
        "safety_plan.read",
        plan,
        json!({ "history": true, "count": versions.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(SafetyPlanHistory { versions }))
}

/// One saved version, as it was saved. Audited.
#[utoipa::path(get, path = "/v1/persons/{person_id}/safety-plan/versions/{version}", tag = "plans", security(("bearer" = [])),
    params(("person_id" = Uuid, Path), ("version" = i64, Path)),
    responses((status = 200, body = SafetyPlan), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_version(
    State(state): State<AppState>,
    actor: Actor,
    Path((person_id, version)): Path<(Uuid, i64)>,
) -> ApiResult<Json<SafetyPlan>> {
    let plan = read(
        &state,
        &actor,
        person_id,
        Some(version),
        "safety_plan.read",
        json!({}),
    )
    .await?;
    Ok(Json(plan))
}

/// An export response: a neutral file name, and for HTML a policy that lets nothing load or
/// run even when opened straight from the API.
fn document(body: String, content_type: &'static str, filename: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(filename),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
        ),
    );
    res
}

/// The current plan as plain text, to hand over: no agency name, neutral file name. Audited.
#[utoipa::path(get, path = "/v1/persons/{person_id}/safety-plan/export.txt", tag = "plans", security(("bearer" = [])),
    params(("person_id" = Uuid, Path)),
    responses((status = 200, body = String, content_type = "text/plain; charset=utf-8"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn export_text(
    State(state): State<AppState>,
    actor: Actor,
    Path(person_id): Path<Uuid>,
) -> ApiResult<Response> {
    let details = json!({ "format": "txt" });
    let plan = read(
        &state,
        &actor,
        person_id,
        None,
        "safety_plan.export",
        details,
    )
    .await?;
    Ok(document(
        export::text(&plan.content),
        "text/plain; charset=utf-8",
        "attachment; filename=\"plan.txt\"",
    ))
}

/// The current plan as a self-contained printable page (inline CSS, no scripts, nothing
/// loaded, no agency name), to print or hand over. Audited.
#[utoipa::path(get, path = "/v1/persons/{person_id}/safety-plan/export.html", tag = "plans", security(("bearer" = [])),
    params(("person_id" = Uuid, Path)),
    responses((status = 200, body = String, content_type = "text/html; charset=utf-8"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn export_html(
    State(state): State<AppState>,
    actor: Actor,
    Path(person_id): Path<Uuid>,
) -> ApiResult<Response> {
    let details = json!({ "format": "html" });
    let plan = read(
        &state,
        &actor,
        person_id,
        None,
        "safety_plan.export",
        details,
    )
    .await?;
    Ok(document(
        export::html(&plan.content),
        "text/html; charset=utf-8",
        "attachment; filename=\"plan.html\"",
    ))
}
