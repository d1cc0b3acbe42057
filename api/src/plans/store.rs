//! Safety plans in PostgreSQL. The content is sealed on the way in and opened on the way out
//! here, and nowhere else: one sealed JSON value per version, bound to the version's id.

use crate::auth::Viewer;
use crate::encryption::{DataKeys, Field};
use chrono::{DateTime, Utc};
use fieldline_wire::plans::{SafetyPlan, SafetyPlanContent, SafetyPlanVersionSummary};
use sqlx::PgConnection;
use uuid::Uuid;

/// What the store answers instead of a plan; the routes turn it into a problem
/// (`plans::routes`).
#[derive(Debug)]
pub enum StoreError {
    Database(sqlx::Error),
    /// A stored plan that cannot be read back (a key missing, a damaged row).
    Unreadable(anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<anyhow::Error> for StoreError {
    fn from(e: anyhow::Error) -> Self {
        StoreError::Unreadable(e)
    }
}

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

fn open(keys: &DataKeys, version_id: Uuid, blob: &[u8]) -> StoreResult<SafetyPlanContent> {
    let json = keys.open(
        &Field {
            name: CONTENT,
            record: version_id,
        },
        blob,
    )?;
    serde_json::from_str(&json).map_err(|e| StoreError::Unreadable(e.into()))
}

/// A plan's row, locked for a save.
pub struct Locked {
    pub id: Uuid,
    pub current_version: i64,
}

pub async fn lock(
    conn: &mut PgConnection,
    person: Uuid,
    viewer: Viewer,
) -> sqlx::Result<Option<Locked>> {
    sqlx::query_as!(
        Locked,
        r#"SELECT id, current_version::bigint AS "current_version!" FROM safety_plans
            WHERE person_id = $1 AND agency_id = $2 AND person_visible_to($1, $2, $3) FOR UPDATE"#,
        person,
        viewer.agency_id,
        viewer.user_id,
    )
    .fetch_optional(conn)
    .await
}

/// Creates the person's plan at version 1; `false` when a concurrent save created it first
/// (or the viewer may not see the person).
pub async fn create(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: Viewer,
    person: Uuid,
) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "INSERT INTO safety_plans (id, agency_id, person_id, current_version)
         SELECT $1, $2, $3, 1 WHERE person_visible_to($3, $2, $4)
         ON CONFLICT (agency_id, person_id) DO NOTHING",
        id,
        viewer.agency_id,
        person,
        viewer.user_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Moves a locked plan to `version` (the caller checked it is the next one).
pub async fn advance(conn: &mut PgConnection, plan: Uuid, version: i64) -> StoreResult<()> {
    sqlx::query!(
        "UPDATE safety_plans SET current_version = $2, updated_at = now() WHERE id = $1",
        plan,
        i32::try_from(version).map_err(|e| StoreError::Unreadable(e.into()))?
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
) -> StoreResult<()> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO safety_plan_versions (id, plan_id, version, content_sealed, saved_by)
         VALUES ($1, $2, $3, $4, $5)",
        id,
        plan,
        i32::try_from(version).map_err(|e| StoreError::Unreadable(e.into()))?,
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
    fn open(self, keys: &DataKeys) -> StoreResult<SafetyPlan> {
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
/// person has no plan the viewer may see (or no such version).
pub async fn load(
    conn: &mut PgConnection,
    keys: &DataKeys,
    person: Uuid,
    viewer: Viewer,
    version: Option<i64>,
) -> StoreResult<Option<SafetyPlan>> {
    let row = sqlx::query_as!(
        VersionRow,
        r#"SELECT v.id, p.id AS plan_id, p.person_id, v.version::bigint AS "version!",
                  v.content_sealed, v.saved_by, v.saved_at
             FROM safety_plans p JOIN safety_plan_versions v ON v.plan_id = p.id
            WHERE p.person_id = $1 AND p.agency_id = $2 AND person_visible_to($1, $2, $4)
              AND v.version = coalesce($3::bigint, p.current_version)"#,
        person,
        viewer.agency_id,
        version,
        viewer.user_id,
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.open(keys)).transpose()
}

/// Every version of the person's plan, oldest first, with the plan's id; `None` when the
/// person has no plan the viewer may see.
pub async fn history(
    conn: &mut PgConnection,
    person: Uuid,
    viewer: Viewer,
) -> sqlx::Result<Option<(Uuid, Vec<SafetyPlanVersionSummary>)>> {
    let Some(plan) = sqlx::query_scalar!(
        "SELECT id FROM safety_plans WHERE person_id = $1 AND agency_id = $2 AND person_visible_to($1, $2, $3)",
        person,
        viewer.agency_id,
        viewer.user_id,
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

/// A purge: deletes the safety plans of the agency's people `persons`. Their versions
/// cascade, which the versions' guard trigger allows only inside a purge, so this marks the
/// transaction as one (`SET LOCAL fieldline.purge`).
pub async fn purge_for_persons(
    conn: &mut PgConnection,
    agency: Uuid,
    persons: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query("SET LOCAL fieldline.purge = 'on'")
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "DELETE FROM safety_plans WHERE agency_id = $2 AND person_id = ANY($1)",
        persons,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whose the agency's plan `id` is (the person), if it exists.
pub async fn person_of(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT person_id FROM safety_plans WHERE agency_id = $2 AND id = $1",
        id,
        agency
    )
    .fetch_optional(conn)
    .await
}
