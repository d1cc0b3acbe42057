//! People and agencies in PostgreSQL: the only code that touches `users` and `agencies`.
//! Other domains ask here for what they need of them (names, phones, coordinators, the
//! agency's settings). An agency's people are found by (agency, id); user ids are global.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// A person as admins see them.
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub grants: Vec<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everyone in the agency, by name.
pub async fn list(db: &PgPool, agency: Uuid) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as!(
        UserRow,
        "SELECT id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at
           FROM users WHERE agency_id = $1 ORDER BY lower(display_name), email",
        agency,
    )
    .fetch_all(db)
    .await
}

pub async fn get(db: &PgPool, agency: Uuid, id: Uuid) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as!(
        UserRow,
        "SELECT id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at
           FROM users WHERE id = $1 AND agency_id = $2",
        id,
        agency,
    )
    .fetch_optional(db)
    .await
}

/// A new person; an e-mail address in use already violates `users_email_key`.
pub struct NewUserRow<'a> {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub roles: &'a [String],
    pub grants: &'a [String],
}

pub async fn insert(conn: &mut PgConnection, u: &NewUserRow<'_>) -> sqlx::Result<UserRow> {
    sqlx::query_as!(
        UserRow,
        "INSERT INTO users (id, agency_id, email, display_name, password_hash, roles, grants)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, email, display_name, roles, grants, disabled_at, phone, created_at, updated_at",
        u.id,
        u.agency_id,
        u.email,
        u.display_name,
        u.password_hash,
        u.roles,
        u.grants,
    )
    .fetch_one(conn)
    .await
}

/// A person's roles and grants, locked for a change.
pub struct Access {
    pub roles: Vec<String>,
    pub grants: Vec<String>,
}

pub async fn lock_access(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Access>> {
    sqlx::query_as!(
        Access,
        "SELECT roles, grants FROM users WHERE id = $1 AND agency_id = $2 FOR UPDATE",
        id,
        agency,
    )
    .fetch_optional(conn)
    .await
}

/// What an admin changes of a person; `None` leaves a field as it is, an empty phone clears it.
pub struct Change<'a> {
    pub display_name: Option<&'a str>,
    pub roles: Option<&'a [String]>,
    pub grants: Option<&'a [String]>,
    pub disabled: Option<bool>,
    pub phone: Option<&'a str>,
}

pub async fn update(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    c: &Change<'_>,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as!(
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
        agency,
        c.display_name,
        c.roles,
        c.grants,
        c.disabled,
        c.phone,
    )
    .fetch_optional(conn)
    .await
}

/// Locks the agency's person `id`; false when there is none.
pub async fn lock(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let exists = sqlx::query_scalar!(
        "SELECT id FROM users WHERE id = $1 AND agency_id = $2 FOR UPDATE",
        id,
        agency
    )
    .fetch_optional(conn)
    .await?;
    Ok(exists.is_some())
}

/// The agency's settings after a change.
pub struct AgencySettingsRow {
    pub emergency_number: Option<String>,
    pub distance_unit: String,
}

/// Sets the coordinator line; the emergency number when given (empty clears it) and the
/// distance unit when given.
pub async fn update_agency_settings(
    conn: &mut PgConnection,
    agency: Uuid,
    fallback_phone: Option<&str>,
    emergency: Option<&str>,
    unit: Option<&str>,
) -> sqlx::Result<AgencySettingsRow> {
    sqlx::query_as!(
        AgencySettingsRow,
        "UPDATE agencies SET coordinator_fallback_phone = $2,
                emergency_number = CASE WHEN $3::text IS NULL THEN emergency_number ELSE nullif($3, '') END,
                distance_unit = coalesce($4, distance_unit)
          WHERE id = $1 RETURNING emergency_number, distance_unit",
        agency,
        fallback_phone,
        emergency,
        unit,
    )
    .fetch_one(conn)
    .await
}

/// How many of `ids` are active people of the agency (each counted once).
pub async fn count_active(db: &PgPool, agency: Uuid, ids: &[Uuid]) -> sqlx::Result<i64> {
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
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, Staff>> {
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

/// The hash of a person's duress code, if they set one.
pub async fn duress_code_hash(db: &PgPool, user: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT duress_code_hash FROM users WHERE id = $1", user)
        .fetch_one(db)
        .await
}

pub async fn set_duress_code(conn: &mut PgConnection, user: Uuid, hash: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET duress_code_hash = $2 WHERE id = $1",
        user,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The agency's active coordinators, by id: whom an alert reaches when its kind has no policy.
pub async fn coordinators(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE agency_id = $1 AND 'coordinator' = ANY(roles) AND disabled_at IS NULL ORDER BY id",
        agency,
    )
    .fetch_all(conn)
    .await
}

/// Whether `user` is one of the agency's people (enabled or not).
pub async fn in_agency(conn: &mut PgConnection, agency: Uuid, user: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND agency_id = $2) AS "v!""#,
        user,
        agency,
    )
    .fetch_one(conn)
    .await
}

/// How many of `ids` are the agency's people (enabled or not; an id named twice counts twice).
pub async fn count_in_agency(
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM users WHERE id = ANY($1) AND agency_id = $2"#,
        ids,
        agency,
    )
    .fetch_one(conn)
    .await
}

/// The agency's retention of closed contacts, in days (`None`: kept).
pub async fn retention_days(db: &PgPool, agency: Uuid) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT closed_contact_retention_days FROM agencies WHERE id = $1",
        agency
    )
    .fetch_one(db)
    .await
}

/// The same, with the agency's row locked (a purge).
pub async fn lock_retention_days(
    conn: &mut PgConnection,
    agency: Uuid,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT closed_contact_retention_days FROM agencies WHERE id = $1 FOR UPDATE",
        agency
    )
    .fetch_one(conn)
    .await
}

pub async fn set_retention_days(
    conn: &mut PgConnection,
    agency: Uuid,
    days: Option<i32>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE agencies SET closed_contact_retention_days = $2 WHERE id = $1",
        agency,
        days
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The agency's active person `id` as colleagues see them.
pub async fn active_staff(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Staff>> {
    let row = sqlx::query!(
        "SELECT display_name, phone FROM users WHERE id = $1 AND agency_id = $2 AND disabled_at IS NULL",
        id,
        agency,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Staff {
        name: r.display_name,
        phone: r.phone,
    }))
}

/// Who signs in with an e-mail address (lower case).
pub struct SignIn {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub password_hash: String,
    pub disabled: bool,
}

pub async fn sign_in(db: &PgPool, email: &str) -> sqlx::Result<Option<SignIn>> {
    sqlx::query_as!(
        SignIn,
        r#"SELECT id, agency_id, password_hash, disabled_at IS NOT NULL AS "disabled!"
             FROM users WHERE email = $1"#,
        email,
    )
    .fetch_optional(db)
    .await
}

/// A person's e-mail address and password hash.
pub struct Credentials {
    pub email: String,
    pub password_hash: String,
}

pub async fn credentials(db: &PgPool, user: Uuid) -> sqlx::Result<Credentials> {
    sqlx::query_as!(
        Credentials,
        "SELECT email, password_hash FROM users WHERE id = $1",
        user
    )
    .fetch_one(db)
    .await
}

pub async fn set_password(conn: &mut PgConnection, user: Uuid, hash: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1",
        user,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A person with their agency, as they see themselves.
pub struct MeRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub grants: Vec<String>,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub time_zone: String,
    pub coordinator_fallback_phone: Option<String>,
    pub emergency_number: Option<String>,
    pub distance_unit: String,
}

pub async fn me(db: &PgPool, user: Uuid) -> sqlx::Result<Option<MeRow>> {
    sqlx::query_as!(
        MeRow,
        r#"SELECT u.id, u.email, u.display_name, u.roles, u.grants,
                  a.id AS agency_id, a.name AS agency_name, a.time_zone,
                  a.coordinator_fallback_phone, a.emergency_number, a.distance_unit
             FROM users u JOIN agencies a ON a.id = u.agency_id
            WHERE u.id = $1"#,
        user,
    )
    .fetch_optional(db)
    .await
}

/// The person's web-app device key: `fresh` becomes it when they have none yet.
pub async fn device_key(db: &PgPool, user: Uuid, fresh: &[u8]) -> sqlx::Result<Vec<u8>> {
    // Written once; later sign-ins and refreshes only read it.
    sqlx::query_scalar!(
        r#"WITH made AS (UPDATE users SET web_device_key = $2
                          WHERE id = $1 AND web_device_key IS NULL RETURNING web_device_key)
           SELECT coalesce((SELECT web_device_key FROM made),
                           (SELECT web_device_key FROM users WHERE id = $1)) AS "key!""#,
        user,
        fresh,
    )
    .fetch_one(db)
    .await
}

/// A new agency (`fieldline create-agency`).
pub async fn create_agency(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    time_zone: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO agencies (id, name, time_zone) VALUES ($1, $2, $3)",
        id,
        name,
        time_zone,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A new agency's first admin.
pub async fn create_first_admin(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
    email: &str,
    display_name: &str,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO users (id, agency_id, email, display_name, password_hash, roles)
         VALUES ($1, $2, $3, $4, $5, ARRAY['admin'])",
        id,
        agency,
        email,
        display_name,
        password_hash,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The two demo agencies (`fieldline seed-demo`), left as they are when present.
pub async fn seed_demo_agencies(
    conn: &mut PgConnection,
    demo: Uuid,
    other: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO agencies (id, name, time_zone, demo, coordinator_fallback_phone, emergency_number, distance_unit) VALUES
             ($1, 'Demo County Victim Services', 'America/Denver', true, '+1 303 555 0142', '911', 'mi'),
             ($2, 'Other Valley Crisis Center', 'America/Denver', true, NULL, '911', 'mi')
         ON CONFLICT DO NOTHING",
        demo,
        other,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A demo login, left as it is when present.
pub async fn seed_demo_user(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
    email: &str,
    name: &str,
    password_hash: &str,
    roles: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO users (id, agency_id, email, display_name, password_hash, roles)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        id,
        agency,
        email,
        name,
        password_hash,
        roles,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A demo work phone, unless the person has one already.
pub async fn seed_demo_phone(conn: &mut PgConnection, user: Uuid, phone: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET phone = $2 WHERE id = $1 AND phone IS NULL",
        user,
        phone
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// True when demo agencies exist.
pub async fn demo_present(db: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM agencies WHERE demo) AS "present!""#)
        .fetch_one(db)
        .await
}

/// Those of `ids` that are agencies.
pub async fn existing_agencies(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!("SELECT id FROM agencies WHERE id = ANY($1)", ids)
        .fetch_all(conn)
        .await
}
