//! The directory's SQL for single entries, history and upkeep. Entries leave PostgreSQL as
//! `directory_entry_doc` JSON (built in one place, in the migration) plus the point as PostGIS
//! binary; searches, which return many at a time, read columns instead (`search.rs`). Every
//! query also selects `directory_location_exact(e, reader agency, reader holds the grant)`, the
//! one rule for confidential locations, and every entry passes through `redact` with that flag
//! before it leaves the server.

use super::hours::StoredSpans;
use super::redact::{Viewer, redact};
use super::validate::ValidEntry;
use crate::auth::{Permission, policy};
use crate::geo::GeoPoint;
use chrono::{DateTime, Utc};
use fieldline_wire::directory::{Coordinates, Entry};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use std::sync::LazyLock;
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

/// Whether the agency owns `id` (`Some(false)`: another agency's shared entry; `None`: not
/// one it may see).
pub async fn owned_by(
    db: impl PgExecutor<'_>,
    id: Uuid,
    agency: Uuid,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        r#"SELECT owner_agency_id = $2 AS "owned!" FROM directory_entries WHERE id = $1 AND (shared OR owner_agency_id = $2)"#,
        id,
        agency,
    )
    .fetch_optional(db)
    .await
}

/// An entry's owner, whether it is retired, and the other agencies that may see its exact
/// location.
pub struct ExactScope {
    pub owned: bool,
    pub retired: bool,
    pub exact_location_agencies: Vec<Uuid>,
}

/// The exact-location scope of an entry the agency may see.
pub async fn exact_scope(
    db: impl PgExecutor<'_>,
    id: Uuid,
    agency: Uuid,
) -> sqlx::Result<Option<ExactScope>> {
    sqlx::query_as!(
        ExactScope,
        r#"SELECT owner_agency_id = $2 AS "owned!", retired_at IS NOT NULL AS "retired!",
                  exact_location_agencies
             FROM directory_entries WHERE id = $1 AND (shared OR owner_agency_id = $2)"#,
        id,
        agency,
    )
    .fetch_optional(db)
    .await
}

/// The other agencies that may see the entry's exact location (the caller holds it locked).
pub async fn exact_location_agencies(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT exact_location_agencies FROM directory_entries WHERE id = $1",
        id,
    )
    .fetch_one(conn)
    .await
}

pub async fn set_exact_location_agencies(
    conn: &mut PgConnection,
    id: Uuid,
    agencies: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE directory_entries SET exact_location_agencies = $2, updated_at = now() WHERE id = $1",
        id,
        agencies,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every live entry the reader may see exactly (an export), by name.
pub async fn exportable(db: impl PgExecutor<'_>, viewer: Viewer) -> sqlx::Result<Vec<Stored>> {
    sqlx::query_as!(
        Stored,
        r#"SELECT directory_entry_doc(e) AS "doc!: sqlx::types::Json<fieldline_wire::directory::Entry>",
                  loc AS "loc!: GeoPoint", directory_location_exact(e, $1, $2) AS "exact!"
             FROM directory_entries e
            WHERE retired_at IS NULL AND (shared OR owner_agency_id = $1)
              AND directory_location_exact(e, $1, $2)
            ORDER BY name, id"#,
        viewer.agency_id,
        viewer.holds_grant,
    )
    .fetch_all(db)
    .await
}

/// An entry the agency already has, locked for an import.
pub struct Existing {
    pub id: Uuid,
    pub external_id: String,
    pub doc: Json<Entry>,
    pub loc: GeoPoint,
    pub exact: bool,
}

/// The agency's entries with these external ids, locked (in id order).
pub async fn lock_by_external_ids(
    conn: &mut PgConnection,
    viewer: Viewer,
    external_ids: &[String],
) -> sqlx::Result<Vec<Existing>> {
    sqlx::query_as!(
        Existing,
        r#"SELECT id, external_id AS "external_id!",
                  directory_entry_doc(e) AS "doc!: sqlx::types::Json<fieldline_wire::directory::Entry>",
                  loc AS "loc!: GeoPoint", directory_location_exact(e, $1, $3) AS "exact!"
             FROM directory_entries e
            WHERE owner_agency_id = $1 AND external_id = ANY($2)
            ORDER BY id
              FOR UPDATE"#,
        viewer.agency_id,
        external_ids,
        viewer.holds_grant,
    )
    .fetch_all(conn)
    .await
}

/// The agency's entry with `external_id`, if any.
pub async fn by_external_id(
    conn: &mut PgConnection,
    agency: Uuid,
    external_id: Option<&str>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM directory_entries WHERE owner_agency_id = $1 AND external_id = $2",
        agency,
        external_id,
    )
    .fetch_optional(conn)
    .await
}

/// Demo data: the entry's availability was last confirmed `hours` ago.
pub async fn backdate_availability(
    conn: &mut PgConnection,
    id: Uuid,
    hours: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE directory_entries
            SET availability_updated_at = now() - make_interval(hours => $2)
          WHERE id = $1",
        id,
        hours,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored names of the roles and grants that give `view_confidential_locations`: the
/// search statements pass the searcher's holding of it to `directory_location_exact` (see
/// [`policy::holders`]).
static EXACT_POINT_HOLDERS: LazyLock<(Vec<&str>, Vec<&str>)> =
    LazyLock::new(|| policy::holders(Permission::ViewConfidentialLocations));

/// Filters as the SQL function `directory_entry_matches` takes them.
pub struct SqlFilters {
    pub kinds: Option<Vec<String>>,
    pub at: DateTime<Utc>,
    pub open_filter: Option<DateTime<Utc>>,
    pub has_beds: Option<bool>,
    pub children: Option<bool>,
    pub pets: Option<bool>,
    pub wheelchair: Option<bool>,
    pub language: Option<String>,
}

/// One search result as its columns. Searches return many entries per call, so they skip
/// the `directory_entry_doc` JSON the other reads use and are built here; the test
/// `searches_and_reads_agree` (tests/tests/suite/directory.rs) keeps the two the same.
///
/// Every row also carries the searcher, from the `session_actor` row the statement joined, and
/// whether their roles or grants give `view_confidential_locations` (`searcher_holds`), and
/// its own `directory_location_exact` for that searcher (`exact`), which `redact` is fed.
pub struct Hit {
    pub searcher_agency_id: Uuid,
    pub searcher_roles: Vec<String>,
    pub searcher_grants: Vec<String>,
    pub searcher_holds: bool,
    pub exact: bool,
    pub id: Uuid,
    pub owner_agency_id: Uuid,
    pub name: String,
    pub kind: String,
    pub organization: String,
    pub description: String,
    pub loc: GeoPoint,
    pub street: String,
    pub locality: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub service_area: String,
    pub intake_phone: String,
    pub website: Option<String>,
    pub time_zone: String,
    pub open_24_7: bool,
    pub hours: StoredSpans,
    pub genders: Vec<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub accepts_children: bool,
    pub accepts_pets: bool,
    pub wheelchair_accessible: bool,
    pub languages: Vec<String>,
    pub eligibility_notes: String,
    pub capacity: Option<i32>,
    pub beds_available: Option<i32>,
    pub availability_updated_at: Option<DateTime<Utc>>,
    pub status: String,
    pub confidential: bool,
    pub shared: bool,
    pub external_id: Option<String>,
    pub version: i64,
    pub distance: Option<f64>,
}

/// The nearby search's one statement (`directory::search::nearby` says how it works): the
/// session check and both branches, nearest first, at most `limit`.
#[allow(clippy::too_many_arguments)]
pub async fn nearby(
    db: &mut PgConnection,
    session: Uuid,
    user: Uuid,
    point: GeoPoint,
    radius_m: f64,
    limit: i64,
    f: &SqlFilters,
) -> sqlx::Result<Vec<Hit>> {
    let (roles, grants) = &*EXACT_POINT_HOLDERS;
    sqlx::query_as!(
        Hit,
        r#"WITH searcher AS MATERIALIZED (
               SELECT agency_id, roles, grants, (roles && $11 OR grants && $12) AS holds
                 FROM session_actor($13, $14))
           SELECT s.agency_id AS "searcher_agency_id!", s.roles AS "searcher_roles!",
                  s.grants AS "searcher_grants!", s.holds AS "searcher_holds!",
                  h.exact AS "exact!",
                  h.id AS "id!", h.owner_agency_id AS "owner_agency_id!", h.name AS "name!",
                  h.kind AS "kind!", h.organization AS "organization!",
                  h.description AS "description!", h.loc AS "loc!: GeoPoint",
                  h.street AS "street!", h.locality AS "locality!", h.region AS "region!",
                  h.postal_code AS "postal_code!", h.country AS "country!",
                  h.service_area AS "service_area!", h.intake_phone AS "intake_phone!",
                  h.website, h.time_zone AS "time_zone!", h.open_24_7 AS "open_24_7!",
                  h.hours AS "hours!: StoredSpans", h.genders AS "genders!", h.min_age, h.max_age,
                  h.accepts_children AS "accepts_children!", h.accepts_pets AS "accepts_pets!",
                  h.wheelchair_accessible AS "wheelchair_accessible!",
                  h.languages AS "languages!", h.eligibility_notes AS "eligibility_notes!",
                  h.capacity, h.beds_available, h.availability_updated_at, h.status AS "status!",
                  h.confidential AS "confidential!", h.shared AS "shared!", h.external_id,
                  h.version AS "version!", h.distance AS "distance: f64"
             FROM searcher s CROSS JOIN LATERAL (
                 (SELECT e.*, ST_Distance(e.public_loc, $1::geography) AS distance,
                         directory_location_exact(e, s.agency_id, s.holds) AS exact
                    FROM directory_entries e
                   WHERE e.retired_at IS NULL
                     AND (e.shared OR e.owner_agency_id = s.agency_id)
                     AND NOT (e.confidential AND directory_location_exact(e, s.agency_id, s.holds))
                     AND ST_DWithin(e.public_loc, $1::geography, $2)
                     AND directory_entry_matches(e, $3, $4, $5, $6, $7, $8, $9)
                   ORDER BY e.public_loc <-> $1::geography
                   LIMIT $10)
                 UNION ALL
                 (SELECT e.*, ST_Distance(e.loc, $1::geography) AS distance,
                         directory_location_exact(e, s.agency_id, s.holds) AS exact
                    FROM directory_entries e
                   WHERE s.holds AND e.retired_at IS NULL AND e.confidential
                     AND (e.shared OR e.owner_agency_id = s.agency_id)
                     AND directory_location_exact(e, s.agency_id, s.holds)
                     AND ST_DWithin(e.loc, $1::geography, $2)
                     AND directory_entry_matches(e, $3, $4, $5, $6, $7, $8, $9)
                   ORDER BY e.loc <-> $1::geography
                   LIMIT $10)) h
            ORDER BY h.distance, h.id
            LIMIT $10"#,
        point as _,
        radius_m,
        f.kinds.as_deref(),
        f.open_filter,
        f.has_beds,
        f.children,
        f.pets,
        f.wheelchair,
        f.language,
        limit,
        roles as &[&str],
        grants as &[&str],
        session,
        user,
    )
    .fetch_all(db)
    .await
}

/// The rectangle search's one statement (`directory::search::within`): the session check and
/// both branches, by name, at most `limit`. `boxes` are (west, east) pairs, two when the
/// rectangle crosses the antimeridian.
#[allow(clippy::too_many_arguments)]
pub async fn within(
    db: &mut PgConnection,
    session: Uuid,
    user: Uuid,
    boxes: [(f64, f64); 2],
    south: f64,
    north: f64,
    limit: i64,
    f: &SqlFilters,
) -> sqlx::Result<Vec<Hit>> {
    let [(w1, e1), (w2, e2)] = boxes;
    let (roles, grants) = &*EXACT_POINT_HOLDERS;
    sqlx::query_as!(
        Hit,
        r#"WITH searcher AS MATERIALIZED (
               SELECT agency_id, roles, grants, (roles && $15 OR grants && $16) AS holds
                 FROM session_actor($17, $18))
           SELECT s.agency_id AS "searcher_agency_id!", s.roles AS "searcher_roles!",
                  s.grants AS "searcher_grants!", s.holds AS "searcher_holds!",
                  h.exact AS "exact!",
                  h.id AS "id!", h.owner_agency_id AS "owner_agency_id!", h.name AS "name!",
                  h.kind AS "kind!", h.organization AS "organization!",
                  h.description AS "description!", h.loc AS "loc!: GeoPoint",
                  h.street AS "street!", h.locality AS "locality!", h.region AS "region!",
                  h.postal_code AS "postal_code!", h.country AS "country!",
                  h.service_area AS "service_area!", h.intake_phone AS "intake_phone!",
                  h.website, h.time_zone AS "time_zone!", h.open_24_7 AS "open_24_7!",
                  h.hours AS "hours!: StoredSpans", h.genders AS "genders!", h.min_age, h.max_age,
                  h.accepts_children AS "accepts_children!", h.accepts_pets AS "accepts_pets!",
                  h.wheelchair_accessible AS "wheelchair_accessible!",
                  h.languages AS "languages!", h.eligibility_notes AS "eligibility_notes!",
                  h.capacity, h.beds_available, h.availability_updated_at, h.status AS "status!",
                  h.confidential AS "confidential!", h.shared AS "shared!", h.external_id,
                  h.version AS "version!", NULL::float8 AS "distance: f64"
             FROM searcher s CROSS JOIN LATERAL (
                 (SELECT e.*, directory_location_exact(e, s.agency_id, s.holds) AS exact
                    FROM directory_entries e
                   WHERE e.retired_at IS NULL
                     AND (e.shared OR e.owner_agency_id = s.agency_id)
                     AND NOT (e.confidential AND directory_location_exact(e, s.agency_id, s.holds))
                     AND (e.public_loc::geometry && ST_MakeEnvelope($1, $2, $3, $4, 4326)
                          OR e.public_loc::geometry && ST_MakeEnvelope($5, $2, $6, $4, 4326))
                     AND directory_entry_matches(e, $7, $8, $9, $10, $11, $12, $13)
                   ORDER BY e.name, e.id
                   LIMIT $14)
                 UNION ALL
                 (SELECT e.*, directory_location_exact(e, s.agency_id, s.holds) AS exact
                    FROM directory_entries e
                   WHERE s.holds AND e.retired_at IS NULL AND e.confidential
                     AND (e.shared OR e.owner_agency_id = s.agency_id)
                     AND directory_location_exact(e, s.agency_id, s.holds)
                     AND (e.loc::geometry && ST_MakeEnvelope($1, $2, $3, $4, 4326)
                          OR e.loc::geometry && ST_MakeEnvelope($5, $2, $6, $4, 4326))
                     AND directory_entry_matches(e, $7, $8, $9, $10, $11, $12, $13)
                   ORDER BY e.name, e.id
                   LIMIT $14)) h
            ORDER BY h.name, h.id
            LIMIT $14"#,
        w1,
        south,
        e1,
        north,
        w2,
        e2,
        f.kinds.as_deref(),
        f.open_filter,
        f.has_beds,
        f.children,
        f.pets,
        f.wheelchair,
        f.language,
        limit,
        roles as &[&str],
        grants as &[&str],
        session,
        user,
    )
    .fetch_all(db)
    .await
}
