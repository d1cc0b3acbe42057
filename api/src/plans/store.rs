//! Safety plans in PostgreSQL. The content is sealed on the way in and opened on the way out
//! here, and nowhere else: one sealed JSON value per version, bound to the version's id.

use crate::encryption::{DataKeys, Field};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use fieldline_wire::plans::{SafetyPlan, SafetyPlanContent, SafetyPlanVersionSummary};
use sqlx::PgConnection;
use uuid::Uuid;

const CONTENT: &str = "safety_plan.content";

fn seal(keys: &DataKeys, version_id: Uuid, content: &SafetyPlanContent) -> Vec<u8> {
    let json = serde_json::to_string(content).expect("plain data serialises");
    keys.seal(
        &Field {
            name: CONTENT,
            record: version_id,
        },
        &json,
    )
}

fn open(keys: &DataKeys, version_id: Uuid, blob: &[u8]) -> ApiResult<SafetyPlanContent> {
    let json = keys.open(
        &Field {
            name: CONTENT,
            record: version_id,
        },
        blob,
    )?;
    serde_json::from_str(&json).map_err(|e| ApiError::Internal(e.into()))
}

/// Whether the person exists in the agency.
pub async fn person_in_agency(
    conn: &mut PgConnection,
    person: Uuid,
    agency: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM persons WHERE id = $1 AND agency_id = $2) AS "e!""#,
        person,
        agency
    )
    .fetch_one(conn)
    .await
}

/// A plan's row, locked for a save.
pub struct Locked {
    pub id: Uuid,
    pub current_version: i64,
}

pub async fn lock(
    conn: &mut PgConnection,
    person: Uuid,
    agency: Uuid,
) -> sqlx::Result<Option<Locked>> {
    sqlx::query_as!(
        Locked,
        r#"SELECT id, current_version::bigint AS "current_version!" FROM safety_plans
            WHERE person_id = $1 AND agency_id = $2 FOR UPDATE"#,
        person,
        agency
    )
    .fetch_optional(conn)
    .await
}

/// Creates the person's plan at version 1; `false` when a concurrent save created it first.
pub async fn create(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
    person: Uuid,
) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "INSERT INTO safety_plans (id, agency_id, person_id, current_version) VALUES ($1, $2, $3, 1)
         ON CONFLICT (person_id) DO NOTHING",
        id,
        agency,
        person
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Moves a locked plan to `version` (the caller checked it is the next one).
pub async fn advance(conn: &mut PgConnection, plan: Uuid, version: i64) -> ApiResult<()> {
    sqlx::query!(
        "UPDATE safety_plans SET current_version = $2, updated_at = now() WHERE id = $1",
        plan,
        i32::try_from(version).map_err(|e| ApiError::Internal(e.into()))?
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Seals and stores one version.
pub async fn insert_version(
    conn: &mut PgConnection,
    keys: &DataKeys,
    plan: Uuid,
    version: i64,
    user: Uuid,
    content: &SafetyPlanContent,
) -> ApiResult<()> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO safety_plan_versions (id, plan_id, version, content_sealed, saved_by)
         VALUES ($1, $2, $3, $4, $5)",
        id,
        plan,
        i32::try_from(version).map_err(|e| ApiError::Internal(e.into()))?,
        seal(keys, id, content),
        user
    )
    .execute(conn)
    .await?;
    Ok(())
}

struct VersionRow {
    id: Uuid,
    plan_id: Uuid,
    person_id: Uuid,
    version: i64,
    content_sealed: Vec<u8>,
    saved_by: Uuid,
    saved_at: DateTime<Utc>,
}

impl VersionRow {
    fn open(self, keys: &DataKeys) -> ApiResult<SafetyPlan> {
        Ok(SafetyPlan {
            content: open(keys, self.id, &self.content_sealed)?,
            id: self.plan_id,
            person_id: self.person_id,
            version: self.version,
            saved_by: self.saved_by,
            saved_at: self.saved_at,
        })
    }
}

/// The person's plan at `version`, or at its current version when `None`; `None` when the
/// person has no plan in the agency (or no such version).
pub async fn load(
    conn: &mut PgConnection,
    keys: &DataKeys,
    person: Uuid,
    agency: Uuid,
    version: Option<i64>,
) -> ApiResult<Option<SafetyPlan>> {
    let row = sqlx::query_as!(
        VersionRow,
        r#"SELECT v.id, p.id AS plan_id, p.person_id, v.version::bigint AS "version!",
                  v.content_sealed, v.saved_by, v.saved_at
             FROM safety_plans p JOIN safety_plan_versions v ON v.plan_id = p.id
            WHERE p.person_id = $1 AND p.agency_id = $2
              AND v.version = coalesce($3::bigint, p.current_version)"#,
        person,
        agency,
        version
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.open(keys)).transpose()
}

/// Every version of the person's plan, oldest first, with the plan's id; `None` when the
/// person has no plan in the agency.
pub async fn history(
    conn: &mut PgConnection,
    person: Uuid,
    agency: Uuid,
) -> sqlx::Result<Option<(Uuid, Vec<SafetyPlanVersionSummary>)>> {
    let Some(plan) = sqlx::query_scalar!(
        "SELECT id FROM safety_plans WHERE person_id = $1 AND agency_id = $2",
        person,
        agency
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let versions = sqlx::query_as!(
        SafetyPlanVersionSummary,
        r#"SELECT version::bigint AS "version!", saved_by, saved_at FROM safety_plan_versions
            WHERE plan_id = $1 ORDER BY version"#,
        plan
    )
    .fetch_all(conn)
    .await?;
    Ok(Some((plan, versions)))
}
