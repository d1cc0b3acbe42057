//! The directory's SQL for single entries, history and upkeep. Entries leave PostgreSQL as
//! `directory_entry_doc` JSON (built in one place, in the migration) plus the point as PostGIS
//! binary; searches, which return many at a time, read columns instead (`search.rs`). Every
//! query also selects `directory_location_exact(e, reader agency, reader holds the grant)`, the
//! one rule for confidential locations, and every entry passes through `redact` with that flag
//! before it leaves the server.

use super::redact::{Viewer, redact};
use super::validate::ValidEntry;
use crate::geo::GeoPoint;
use chrono::{DateTime, Utc};
use fieldline_wire::directory::{Coordinates, Entry};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A stored entry before redaction, with the reader's `directory_location_exact` for it.
pub struct Stored {
    pub doc: Json<Entry>,
    pub loc: GeoPoint,
    pub exact: bool,
}

impl Stored {
    pub fn into_read(self) -> Read {
        let mut e = self.doc.0;
        e.location = Some(Coordinates {
            latitude: self.loc.latitude(),
            longitude: self.loc.longitude(),
        });
        Read {
            entry: e,
            exact: self.exact,
        }
    }
}

/// An entry as stored (for the audit log's list of changes, which hides location values
/// itself) and whether its reader may see its exact location.
pub struct Read {
    pub entry: Entry,
    pub exact: bool,
}

impl Read {
    /// The entry as its reader may see it.
    pub fn shown(self) -> Entry {
        redact(self.entry, self.exact)
    }
}

/// Creates the entry `id`, or replaces it when it exists and belongs to `owner`. One statement
/// for the API's create and replace and for bulk import, so they store exactly the same
/// fields. Availability counts as updated when beds or status change.
pub async fn upsert(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Uuid,
    v: &ValidEntry,
    viewer: Viewer,
) -> sqlx::Result<Option<Read>> {
    let e = &v.input;
    let row = sqlx::query_as!(
        Stored,
        r#"INSERT INTO directory_entries AS e (
               id, owner_agency_id, shared, external_id, name, kind, organization, description, loc,
               street, locality, region, postal_code, country, service_area, intake_phone, website,
               time_zone, open_24_7, hours, genders, min_age, max_age, accepts_children,
               accepts_pets, wheelchair_accessible, languages, eligibility_notes, capacity,
               beds_available, availability_updated_at, status, confidential)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, now(), $31, $32)
           ON CONFLICT (id) DO UPDATE SET
               shared = EXCLUDED.shared, external_id = EXCLUDED.external_id, name = EXCLUDED.name,
               kind = EXCLUDED.kind, organization = EXCLUDED.organization,
               description = EXCLUDED.description, loc = EXCLUDED.loc, street = EXCLUDED.street,
               locality = EXCLUDED.locality, region = EXCLUDED.region,
               postal_code = EXCLUDED.postal_code, country = EXCLUDED.country,
               service_area = EXCLUDED.service_area, intake_phone = EXCLUDED.intake_phone,
               website = EXCLUDED.website, time_zone = EXCLUDED.time_zone,
               open_24_7 = EXCLUDED.open_24_7, hours = EXCLUDED.hours, genders = EXCLUDED.genders,
               min_age = EXCLUDED.min_age, max_age = EXCLUDED.max_age,
               accepts_children = EXCLUDED.accepts_children, accepts_pets = EXCLUDED.accepts_pets,
               wheelchair_accessible = EXCLUDED.wheelchair_accessible,
               languages = EXCLUDED.languages, eligibility_notes = EXCLUDED.eligibility_notes,
               capacity = EXCLUDED.capacity, beds_available = EXCLUDED.beds_available,
               availability_updated_at = CASE
                   WHEN (e.beds_available, e.status) IS DISTINCT FROM (EXCLUDED.beds_available, EXCLUDED.status)
                   THEN now() ELSE e.availability_updated_at END,
               status = EXCLUDED.status, confidential = EXCLUDED.confidential,
               retired_at = NULL, version = e.version + 1, updated_at = now()
             WHERE e.owner_agency_id = EXCLUDED.owner_agency_id
           RETURNING directory_entry_doc(e) AS "doc!: Json<Entry>", loc AS "loc!: GeoPoint",
                     directory_location_exact(e, $33, $34) AS "exact!""#,
        id,
        owner,
        e.shared,
        e.external_id,
        e.name,
        e.kind.as_str(),
        e.organization,
        e.description,
        v.point as _,
        e.address.street,
        e.address.locality,
        e.address.region,
        e.address.postal_code,
        e.address.country,
        e.service_area,
        e.intake_phone,
        e.website,
        e.hours.time_zone,
        e.hours.open_24_7,
        Json(&e.hours.spans) as _,
        &e.eligibility.genders,
        e.eligibility.min_age,
        e.eligibility.max_age,
        e.eligibility.accepts_children,
        e.eligibility.accepts_pets,
        e.eligibility.wheelchair_accessible,
        &e.eligibility.languages,
        e.eligibility.notes,
        e.capacity,
        e.beds_available,
        e.status.as_str(),
        e.confidential,
        viewer.agency_id,
        viewer.holds_grant,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Stored::into_read))
}

/// How an entry stands for an agency, locked for a change.
pub struct Lock {
    pub version: i64,
    pub owned: bool,
    pub retired: bool,
}

/// Locks an entry the agency can see (shared, or its own). `None`: not visible at all.
pub async fn lock(conn: &mut PgConnection, id: Uuid, agency: Uuid) -> sqlx::Result<Option<Lock>> {
    sqlx::query_as!(
        Lock,
        r#"SELECT version, owner_agency_id = $2 AS "owned!", retired_at IS NOT NULL AS "retired!"
             FROM directory_entries
            WHERE id = $1 AND (shared OR owner_agency_id = $2)
              FOR UPDATE"#,
        id,
        agency,
    )
    .fetch_optional(conn)
    .await
}

/// One entry the viewer's agency can see; retired ones only for their owner.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid, viewer: Viewer) -> sqlx::Result<Option<Read>> {
    let row = sqlx::query_as!(
        Stored,
        r#"SELECT directory_entry_doc(e) AS "doc!: Json<Entry>", loc AS "loc!: GeoPoint",
                  directory_location_exact(e, $2, $3) AS "exact!"
             FROM directory_entries e
            WHERE id = $1 AND (owner_agency_id = $2 OR (shared AND retired_at IS NULL))"#,
        id,
        viewer.agency_id,
        viewer.holds_grant,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Stored::into_read))
}

/// The quick update from a phone: beds and/or status, always stamping the time (a
/// confirmation that nothing changed is an update too).
pub async fn set_availability(
    conn: &mut PgConnection,
    id: Uuid,
    beds: Option<i32>,
    status: Option<&str>,
    viewer: Viewer,
) -> sqlx::Result<Option<Read>> {
    let row = sqlx::query_as!(
        Stored,
        r#"UPDATE directory_entries e SET
               beds_available = $2, status = coalesce($3, status),
               availability_updated_at = now(), version = version + 1, updated_at = now()
            WHERE id = $1 AND retired_at IS NULL
        RETURNING directory_entry_doc(e) AS "doc!: Json<Entry>", loc AS "loc!: GeoPoint",
                  directory_location_exact(e, $4, $5) AS "exact!""#,
        id,
        beds,
        status,
        viewer.agency_id,
        viewer.holds_grant,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Stored::into_read))
}

pub async fn retire(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE directory_entries SET retired_at = now(), version = version + 1, updated_at = now()
          WHERE id = $1 AND retired_at IS NULL",
        id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The viewer's agency's live entries whose availability was not updated since `before`,
/// oldest first.
pub async fn stale(
    db: impl PgExecutor<'_>,
    viewer: Viewer,
    before: DateTime<Utc>,
) -> sqlx::Result<Vec<Read>> {
    let rows = sqlx::query_as!(
        Stored,
        r#"SELECT directory_entry_doc(e) AS "doc!: Json<Entry>", loc AS "loc!: GeoPoint",
                  directory_location_exact(e, $1, $3) AS "exact!"
             FROM directory_entries e
            WHERE owner_agency_id = $1 AND retired_at IS NULL
              AND status <> 'closed'
              AND (availability_updated_at IS NULL OR availability_updated_at < $2)
            ORDER BY availability_updated_at NULLS FIRST, name"#,
        viewer.agency_id,
        before,
        viewer.holds_grant,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Stored::into_read).collect())
}

/// One page of the agency's own entries by name then id, after the entry at `(after_name,
/// after_id)`; the first page starts at `('', nil)`, before every name (names are never
/// blank). Keyset, so every page reads one range of `directory_entries_owner_name_idx`.
pub async fn page(
    db: impl PgExecutor<'_>,
    viewer: Viewer,
    after_name: &str,
    after_id: Uuid,
    include_retired: bool,
    limit: i64,
) -> sqlx::Result<Vec<Read>> {
    let rows = sqlx::query_as!(
        Stored,
        r#"SELECT directory_entry_doc(e) AS "doc!: Json<Entry>", loc AS "loc!: GeoPoint",
                  directory_location_exact(e, $1, $6) AS "exact!"
             FROM directory_entries e
            WHERE owner_agency_id = $1 AND (name, id) > ($2, $3)
              AND ($4 OR retired_at IS NULL)
            ORDER BY name, id
            LIMIT $5"#,
        viewer.agency_id,
        after_name,
        after_id,
        include_retired,
        limit,
        viewer.holds_grant,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Stored::into_read).collect())
}

/// Whether `entry` is one the agency may see (shared, or its own): what a referral may name.
pub async fn visible_to(conn: &mut PgConnection, entry: Uuid, agency: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM directory_entries WHERE id = $1 AND (shared OR owner_agency_id = $2)) AS "v!""#,
        entry,
        agency,
    )
    .fetch_one(conn)
    .await
}
