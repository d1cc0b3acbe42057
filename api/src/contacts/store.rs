//! Contacts in PostgreSQL. Personal fields are sealed on the way in and opened on the way out
//! here, and nowhere else; each sealed value is bound to its record and field.

use super::validate::ValidContact;
use crate::audit::AuditActor;
use crate::auth::Viewer;
use crate::encryption::{DataKeys, Field};
use crate::error::parse_stored;
use chrono::{DateTime, Utc};
use fieldline_wire::contacts::{
    Consent, Contact, ContactStatus, ContactSummary, FollowUp, IncidentLocation, Person, Referral,
    SafeContact, Screening, Setting,
};
use fieldline_wire::screening::{ScreeningInput, ScreeningResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// What the store answers instead of what was asked; the routes turn each into its problem
/// (`contacts::routes`). The store knows records, not HTTP.
#[derive(Debug)]
pub enum StoreError {
    /// Unknown to the viewer: never written, another agency's, or sealed to others.
    NotFound,
    /// A part's id is another contact's of the same agency.
    PartInUse(&'static str),
    /// The record names something the writer may not use: (pointer, message).
    BadReference(&'static str, &'static str),
    Database(sqlx::Error),
    /// A stored value that cannot be read back (a key missing, a damaged row).
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

fn setting_str(s: Setting) -> &'static str {
    match s {
        Setting::OnScene => "on_scene",
        Setting::Hospital => "hospital",
        Setting::Phone => "phone",
        Setting::Court => "court",
        Setting::Office => "office",
        Setting::Other => "other",
    }
}

pub fn status_str(s: ContactStatus) -> &'static str {
    match s {
        ContactStatus::Open => "open",
        ContactStatus::FollowUp => "follow_up",
        ContactStatus::Closed => "closed",
    }
}

fn seal_json<T: Serialize>(keys: &DataKeys, field: &Field, v: &Option<T>) -> Option<Vec<u8>> {
    v.as_ref().map(|v| {
        keys.seal(
            field,
            &serde_json::to_string(v).expect("plain data serialises"),
        )
    })
}

fn open_json<T: DeserializeOwned>(
    keys: &DataKeys,
    field: &Field,
    blob: Option<&[u8]>,
) -> StoreResult<Option<T>> {
    keys.open_opt(field, blob)?
        .map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Unreadable(e.into())))
        .transpose()
}

/// How a contact stands, locked for a write.
pub struct Existing {
    pub version: i64,
    pub visible: bool,
    /// Who made the current version.
    pub updated_by: Uuid,
}

/// The viewer's agency's contact `id`, locked; `None` when their agency holds no such id
/// (another agency's twin is not theirs to see).
pub async fn lock(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: Viewer,
) -> sqlx::Result<Option<Existing>> {
    sqlx::query_as!(
        Existing,
        r#"SELECT version, contact_visible_to(sealed, advocate_id, agency_id, id, $3) AS "visible!",
                  coalesce(updated_by, advocate_id) AS "updated_by!"
             FROM contacts WHERE agency_id = $2 AND id = $1 FOR UPDATE"#,
        id,
        viewer.agency_id,
        viewer.user_id,
    )
    .fetch_optional(conn)
    .await
}

/// One change a client sent: its key (the phone's change id, or the request's hash) and the
/// request's hash, to tell a replay (same key, same request) from a new change.
pub struct Change {
    pub key: String,
    pub request_hash: Vec<u8>,
}

/// The hash of the request a change was made by, if a change with this key was recorded for
/// the contact.
pub async fn recorded_change(
    conn: &mut PgConnection,
    agency: Uuid,
    contact: Uuid,
    key: &str,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!(
        "SELECT request_hash FROM contact_changes WHERE agency_id = $1 AND contact_id = $2 AND change_key = $3",
        agency,
        contact,
        key
    )
    .fetch_optional(conn)
    .await
}

/// Creates the person a contact concerns, or updates them when the viewer may see them
/// (`person_visible_to`): a write never changes a person the writer could not read. A person
/// id the viewer cannot see (sealed to others) is answered as unknown; another agency's id is
/// one the viewer's agency does not hold, so it creates their own person.
async fn put_person(
    conn: &mut PgConnection,
    keys: &DataKeys,
    viewer: Viewer,
    p: &Person,
) -> StoreResult<()> {
    let f = |name| Field { name, record: p.id };
    let tokens = p
        .name
        .as_deref()
        .map(|n| keys.name_tokens(n))
        .unwrap_or_default();
    let written = sqlx::query_scalar!(
        r#"INSERT INTO persons AS p (id, agency_id, pseudonym, name_sealed, phone_sealed, address_sealed, name_tokens, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (agency_id, id) DO UPDATE SET
               pseudonym = EXCLUDED.pseudonym, name_sealed = EXCLUDED.name_sealed,
               phone_sealed = EXCLUDED.phone_sealed, address_sealed = EXCLUDED.address_sealed,
               name_tokens = EXCLUDED.name_tokens, version = p.version + 1, updated_at = now()
             WHERE person_visible_to(p.id, EXCLUDED.agency_id, EXCLUDED.created_by)
           RETURNING 1 AS "w!""#,
        p.id,
        viewer.agency_id,
        p.pseudonym,
        keys.seal_opt(&f("person.name"), p.name.as_deref()),
        keys.seal_opt(&f("person.phone"), p.phone.as_deref()),
        keys.seal_opt(&f("person.address"), p.address.as_deref()),
        &tokens,
        viewer.user_id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    match written {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound),
    }
}

/// A contact just inserted: when, the alerts its screenings owe, and whether its person was
/// new (an existing person is linked as they are, never rewritten by a create).
pub struct Inserted {
    pub at: chrono::DateTime<chrono::Utc>,
    pub owed: Owed,
    pub person_created: bool,
}

/// Inserts the contact with its person and parts; `None` when the agency holds the id already
/// (a replay, a later change, or a concurrent duplicate that committed first), in which case
/// nothing was written. Ids are the agency's own: another agency's twin is no conflict. The contact, its person, the change's key and the audit row
/// go in one statement (the person's foreign key is checked at its end): creating is the hot
/// path of a phone's outbox. A new person is created; an existing one is linked unchanged,
/// and only when the viewer may see them (`person_visible_to`, before this contact exists):
/// otherwise 404, as for an unknown record, with nothing written. The `contact.create` audit
/// row is the row `audit::record` would write for `who`.
pub async fn insert(
    conn: &mut PgConnection,
    keys: &DataKeys,
    id: Uuid,
    viewer: Viewer,
    v: &ValidContact,
    change: &Change,
    who: &AuditActor,
) -> StoreResult<Option<Inserted>> {
    let (agency, user) = (viewer.agency_id, viewer.user_id);
    let c = &v.input;
    let p = &c.person;
    let f = |name| Field { name, record: id };
    let pf = |name| Field { name, record: p.id };
    let tokens = p
        .name
        .as_deref()
        .map(|n| keys.name_tokens(n))
        .unwrap_or_default();
    let mut asked_again = false;
    let row = loop {
        let row = sqlx::query!(
            r#"WITH p AS (
                   INSERT INTO persons (id, agency_id, pseudonym, name_sealed, phone_sealed, address_sealed, name_tokens, created_by)
                   VALUES ($4, $2, $15, $16, $17, $18, $19, $3)
                   ON CONFLICT (agency_id, id) DO NOTHING
                   RETURNING 1 AS written
               ), ok AS (
                   -- In the statement's snapshot: before this contact exists.
                   SELECT EXISTS (SELECT 1 FROM p) OR person_visible_to($4, $2, $3) AS ok
               ), c AS (
                   INSERT INTO contacts (id, agency_id, advocate_id, person_id, occurred_at, setting, incident_type,
                                         location_sealed, safe_contact_sealed, needs, services, notes_sealed, consent,
                                         status, closed_at, updated_by)
                   SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                          CASE WHEN $14 = 'closed' THEN now() END, $3
                    WHERE (SELECT ok FROM ok)
                   ON CONFLICT (agency_id, id) DO NOTHING
                   RETURNING created_at
               ), k AS (
                   INSERT INTO contact_changes (agency_id, contact_id, change_key, request_hash, version, user_id)
                   SELECT $2, $1, $22, $23, 1, $3 FROM c
               ), l AS (
                   INSERT INTO audit_log (agency_id, actor_user_id, action, record_type, record_id,
                                          request_id, client_ip, details)
                   SELECT $2, $3, 'contact.create', 'contact', $1::text, $20, $21, '{}' FROM c
               )
               SELECT (SELECT created_at FROM c) AS created_at, EXISTS (SELECT 1 FROM p) AS "person_written!",
                      (SELECT ok FROM ok) AS "person_ok!""#,
            id,
            agency,
            user,
            p.id,
            c.occurred_at,
            setting_str(c.setting),
            c.incident_type,
            seal_json(keys, &f("contact.location"), &c.location),
            seal_json(keys, &f("contact.safe_contact"), &c.safe_contact),
            &c.needs,
            &c.services,
            keys.seal_opt(&f("contact.notes"), c.notes.as_deref()),
            c.consent.as_ref().map(Json) as _,
            status_str(c.status),
            p.pseudonym,
            keys.seal_opt(&pf("person.name"), p.name.as_deref()),
            keys.seal_opt(&pf("person.phone"), p.phone.as_deref()),
            keys.seal_opt(&pf("person.address"), p.address.as_deref()),
            &tokens,
            who.request_id,
            who.client_ip.map(ipnet::IpNet::from),
            change.key,
            change.request_hash,
        )
        .fetch_one(&mut *conn)
        .await?;
        if row.person_ok || asked_again {
            break row;
        }
        // Not visible in the statement's snapshot. Another phone may have created the person
        // a moment ago (committed after that snapshot): asked again in a snapshot of its own,
        // before anything of this contact is written, and then once more.
        if !person_visible(conn, p.id, viewer).await? {
            return Err(StoreError::NotFound);
        }
        asked_again = true;
    };
    if !row.person_ok {
        return Err(StoreError::NotFound);
    }
    let Some(at) = row.created_at else {
        return Ok(None);
    };
    let owed = put_parts(conn, keys, id, agency, user, v).await?;
    Ok(Some(Inserted {
        at,
        owed,
        person_created: row.person_written,
    }))
}

/// The record just created, as `load` would return it, built from what was written instead of
/// read back and re-opened: creating is the hot path of a phone's outbox.
pub fn created(
    id: Uuid,
    agency: Uuid,
    user: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    v: &ValidContact,
) -> Contact {
    let c = v.input.clone();
    let mut referrals = c.referrals;
    referrals.sort_by_key(|r| r.id);
    let mut follow_ups = c.follow_ups;
    follow_ups.sort_by_key(|f| (f.due_on, f.id));
    let mut screenings: Vec<Screening> = c
        .screenings
        .into_iter()
        .zip(&v.results)
        .map(|(s, r)| Screening {
            id: s.id,
            input: s.screening,
            result: r.clone(),
            created_by: user,
            created_at: at,
        })
        .collect();
    screenings.sort_by_key(|s| s.id);
    Contact {
        id,
        agency_id: agency,
        advocate_id: user,
        occurred_at: c.occurred_at,
        setting: c.setting,
        incident_type: c.incident_type,
        location: c.location,
        person: c.person,
        safe_contact: c.safe_contact,
        needs: c.needs,
        services: c.services,
        referrals,
        follow_ups,
        notes: c.notes,
        consent: c.consent,
        status: c.status,
        screenings,
        sealed: false,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// Replaces a contact's fields (the caller checked the version), and its person's when the
/// viewer may see them, and records which change made the new version.
pub async fn update(
    conn: &mut PgConnection,
    keys: &DataKeys,
    id: Uuid,
    viewer: Viewer,
    v: &ValidContact,
    change: &Change,
) -> StoreResult<Owed> {
    let (agency, user) = (viewer.agency_id, viewer.user_id);
    let c = &v.input;
    put_person(conn, keys, viewer, &c.person).await?;
    let f = |name| Field { name, record: id };
    let version = sqlx::query_scalar!(
        r#"UPDATE contacts SET person_id = $2, occurred_at = $3, setting = $4, incident_type = $5,
               location_sealed = $6, safe_contact_sealed = $7, needs = $8, services = $9,
               notes_sealed = $10, consent = $11, status = $12,
               closed_at = CASE WHEN $12 = 'closed' THEN coalesce(closed_at, now()) END,
               version = version + 1, updated_at = now(), updated_by = $13
            WHERE agency_id = $14 AND id = $1
           RETURNING version"#,
        id,
        c.person.id,
        c.occurred_at,
        setting_str(c.setting),
        c.incident_type,
        seal_json(keys, &f("contact.location"), &c.location),
        seal_json(keys, &f("contact.safe_contact"), &c.safe_contact),
        &c.needs,
        &c.services,
        keys.seal_opt(&f("contact.notes"), c.notes.as_deref()),
        c.consent.as_ref().map(Json) as _,
        status_str(c.status),
        user,
        agency,
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO contact_changes (agency_id, contact_id, change_key, request_hash, version, user_id) VALUES ($6, $1, $2, $3, $4, $5)",
        id,
        change.key,
        change.request_hash,
        version,
        user,
        agency,
    )
    .execute(&mut *conn)
    .await?;
    let referral_ids: Vec<Uuid> = c.referrals.iter().map(|r| r.id).collect();
    let follow_up_ids: Vec<Uuid> = c.follow_ups.iter().map(|f| f.id).collect();
    sqlx::query!(
        "DELETE FROM referrals WHERE agency_id = $3 AND contact_id = $1 AND id <> ALL($2)",
        id,
        &referral_ids,
        agency,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM follow_ups WHERE agency_id = $3 AND contact_id = $1 AND id <> ALL($2)",
        id,
        &follow_up_ids,
        agency,
    )
    .execute(&mut *conn)
    .await?;
    put_parts(conn, keys, id, agency, user, v).await
}

/// A screening just recorded whose result owes a `high_risk` alert (requested in the same
/// statement).
pub type Owed = Vec<(Uuid, ScreeningResult)>;

/// Referrals, follow-ups and screenings, keyed by the phone's ids, and the alert requests of the
/// screenings newly recorded, in one statement: the hot path of a phone's outbox. Part ids are
/// the agency's own (another agency's twin is no conflict). A row it could not write (a
/// directory entry the agency cannot see, an assignee outside it, or an id another contact of
/// the agency holds) is then looked up again to say which; the caller rolls back.
async fn put_parts(
    conn: &mut PgConnection,
    keys: &DataKeys,
    id: Uuid,
    agency: Uuid,
    user: Uuid,
    v: &ValidContact,
) -> StoreResult<Owed> {
    let (referrals, follow_ups) = (&v.input.referrals, &v.input.follow_ups);
    let screenings = &v.input.screenings;
    if referrals.is_empty() && follow_ups.is_empty() && screenings.is_empty() {
        return Ok(Vec::new());
    }
    let instrument = |r: &ScreeningResult| match r.instrument {
        fieldline_wire::screening::Instrument::Lap => "lap",
        fieldline_wire::screening::Instrument::Dash => "dash",
    };
    let alerting: Vec<Uuid> = screenings
        .iter()
        .zip(&v.results)
        .filter(|(_, r)| r.alert_required)
        .map(|(s, _)| s.id)
        .collect();
    let written = sqlx::query!(
        r#"WITH r AS (
               INSERT INTO referrals (agency_id, id, contact_id, directory_entry_id, free_text_sealed)
               SELECT $2, r.id, $1, r.entry, r.free_text
                 FROM UNNEST($4::uuid[], $5::uuid[], $6::bytea[]) AS r (id, entry, free_text)
                WHERE r.entry IS NULL OR EXISTS (SELECT 1 FROM directory_entries d
                                                  WHERE d.id = r.entry AND (d.shared OR d.owner_agency_id = $2))
               ON CONFLICT (agency_id, id) DO UPDATE SET directory_entry_id = EXCLUDED.directory_entry_id,
                   free_text_sealed = EXCLUDED.free_text_sealed
                WHERE referrals.contact_id = EXCLUDED.contact_id
               RETURNING 1 AS written
           ), f AS (
               INSERT INTO follow_ups (agency_id, id, contact_id, task_sealed, due_on, assignee_id, done_at)
               SELECT $2, f.id, $1, f.task, f.due_on, f.assignee, CASE WHEN f.done THEN now() END
                 FROM UNNEST($7::uuid[], $8::bytea[], $9::date[], $10::uuid[], $11::bool[])
                      AS f (id, task, due_on, assignee, done)
                WHERE f.assignee IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = f.assignee AND u.agency_id = $2)
               ON CONFLICT (agency_id, id) DO UPDATE SET task_sealed = EXCLUDED.task_sealed, due_on = EXCLUDED.due_on,
                   assignee_id = EXCLUDED.assignee_id,
                   done_at = CASE WHEN EXCLUDED.done_at IS NOT NULL THEN coalesce(follow_ups.done_at, EXCLUDED.done_at) END
                WHERE follow_ups.contact_id = EXCLUDED.contact_id
               RETURNING 1 AS written
           ), s AS (
               INSERT INTO screenings (agency_id, id, contact_id, instrument, instrument_version, input, result, high_risk, created_by)
               SELECT $2, u.id, $1, u.instrument, u.version, u.input, u.result, u.high_risk, $3
                 FROM UNNEST($12::uuid[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[], $17::bool[])
                      AS u (id, instrument, version, input, result, high_risk)
               ON CONFLICT (agency_id, id) DO NOTHING
               RETURNING id
           ), a AS (
               INSERT INTO alert_requests (id, agency_id, kind, contact_id, screening_id, raised_by)
               SELECT gen_random_uuid(), $2, 'high_risk', $1, s.id, $3 FROM s WHERE s.id = ANY ($18)
           )
           SELECT (SELECT count(*) FROM r) AS "referrals!", (SELECT count(*) FROM f) AS "follow_ups!",
                  ARRAY(SELECT id FROM s) AS "screenings!""#,
        id,
        agency,
        user,
        &referrals.iter().map(|r| r.id).collect::<Vec<_>>(),
        &referrals.iter().map(|r| r.directory_entry_id).collect::<Vec<_>>() as _,
        &referrals
            .iter()
            .map(|r| keys.seal_opt(&Field { name: "referral.free_text", record: r.id }, r.free_text.as_deref()))
            .collect::<Vec<_>>() as _,
        &follow_ups.iter().map(|f| f.id).collect::<Vec<_>>(),
        &follow_ups
            .iter()
            .map(|f| keys.seal(&Field { name: "follow_up.task", record: f.id }, &f.task))
            .collect::<Vec<_>>(),
        &follow_ups.iter().map(|f| f.due_on).collect::<Vec<_>>(),
        &follow_ups.iter().map(|f| f.assignee_id).collect::<Vec<_>>() as _,
        &follow_ups.iter().map(|f| f.done).collect::<Vec<_>>(),
        &screenings.iter().map(|s| s.id).collect::<Vec<_>>(),
        &v.results.iter().map(|r| instrument(r).to_owned()).collect::<Vec<_>>(),
        &v.results.iter().map(|r| r.instrument_version.clone()).collect::<Vec<_>>(),
        &screenings.iter().map(|s| Json(&s.screening)).collect::<Vec<_>>() as _,
        &v.results.iter().map(Json).collect::<Vec<_>>() as _,
        &v.results.iter().map(|r| r.high_risk).collect::<Vec<_>>(),
        &alerting,
    )
    .fetch_one(&mut *conn)
    .await?;
    if written.referrals as usize != referrals.len()
        || written.follow_ups as usize != follow_ups.len()
    {
        return Err(part_refused(conn, agency, referrals, follow_ups, written.referrals).await?);
    }
    let inserted = written.screenings;
    if inserted.len() < screenings.len() {
        // The rest were recorded before: by this contact (a replay) or, refused, by another of
        // the agency's contacts.
        let taken: Vec<Uuid> = screenings
            .iter()
            .map(|s| s.id)
            .filter(|s| !inserted.contains(s))
            .collect();
        let elsewhere = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM screenings WHERE agency_id = $3 AND id = ANY ($1) AND contact_id <> $2) AS "e!""#,
            &taken,
            id,
            agency,
        )
        .fetch_one(&mut *conn)
        .await?;
        if elsewhere {
            return Err(StoreError::PartInUse(
                "a screening id is in use by another contact",
            ));
        }
    }
    Ok(screenings
        .iter()
        .zip(&v.results)
        .filter(|(s, r)| r.alert_required && inserted.contains(&s.id))
        .map(|(s, r)| (s.id, r.clone()))
        .collect())
}

/// Why `put_parts` wrote fewer referrals or follow-ups than it was given: the slow path, only
/// on failure.
async fn part_refused(
    conn: &mut PgConnection,
    agency: Uuid,
    referrals: &[Referral],
    follow_ups: &[FollowUp],
    referrals_written: i64,
) -> StoreResult<StoreError> {
    for entry in referrals.iter().filter_map(|r| r.directory_entry_id) {
        let visible = crate::directory::store::visible_to(conn, entry, agency).await?;
        if !visible {
            return Ok(StoreError::BadReference(
                "/referrals",
                "names a directory entry that does not exist",
            ));
        }
    }
    for assignee in follow_ups.iter().filter_map(|f| f.assignee_id) {
        let ok = crate::users::store::in_agency(conn, agency, assignee).await?;
        if !ok {
            return Ok(StoreError::BadReference(
                "/follow_ups",
                "names an assignee who is not in your agency",
            ));
        }
    }
    Ok(StoreError::PartInUse(
        if referrals_written as usize != referrals.len() {
            "a referral id is in use by another contact"
        } else {
            "a follow-up id is in use by another contact"
        },
    ))
}

/// The agency's contact `id`, whole and opened. The caller has checked visibility.
pub async fn load(
    conn: &mut PgConnection,
    keys: &DataKeys,
    agency: Uuid,
    id: Uuid,
) -> StoreResult<Contact> {
    let c = sqlx::query!(
        r#"SELECT c.agency_id, c.advocate_id, c.occurred_at, c.setting, c.incident_type, c.location_sealed,
                  c.safe_contact_sealed, c.needs, c.services, c.notes_sealed, c.consent AS "consent: Json<Consent>",
                  c.status, c.sealed, c.version, c.created_at, c.updated_at,
                  p.id AS person_id, p.pseudonym, p.name_sealed, p.phone_sealed, p.address_sealed
             FROM contacts c JOIN persons p ON p.agency_id = c.agency_id AND p.id = c.person_id
            WHERE c.agency_id = $2 AND c.id = $1"#,
        id,
        agency,
    )
    .fetch_one(&mut *conn)
    .await?;
    let f = |name| Field { name, record: id };
    let pf = |name| Field {
        name,
        record: c.person_id,
    };
    let referrals = sqlx::query!("SELECT id, directory_entry_id, free_text_sealed FROM referrals WHERE agency_id = $2 AND contact_id = $1 ORDER BY created_at, id", id, agency)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            Ok(Referral {
                id: r.id,
                directory_entry_id: r.directory_entry_id,
                free_text: keys.open_opt(&Field { name: "referral.free_text", record: r.id }, r.free_text_sealed.as_deref())?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let follow_ups = sqlx::query!(
        r#"SELECT id, task_sealed, due_on, assignee_id, done_at IS NOT NULL AS "done!" FROM follow_ups WHERE agency_id = $2 AND contact_id = $1 ORDER BY due_on, id"#,
        id,
        agency,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        Ok(FollowUp {
            id: r.id,
            task: keys.open(&Field { name: "follow_up.task", record: r.id }, &r.task_sealed)?,
            due_on: r.due_on,
            assignee_id: r.assignee_id,
            done: r.done,
        })
    })
    .collect::<StoreResult<Vec<_>>>()?;
    let screenings = sqlx::query!(
        r#"SELECT id, input AS "input: Json<ScreeningInput>", result AS "result: Json<ScreeningResult>", created_by, created_at
             FROM screenings WHERE agency_id = $2 AND contact_id = $1 ORDER BY created_at, id"#,
        id,
        agency,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| Screening { id: s.id, input: s.input.0, result: s.result.0, created_by: s.created_by, created_at: s.created_at })
    .collect();
    Ok(Contact {
        id,
        agency_id: c.agency_id,
        advocate_id: c.advocate_id,
        occurred_at: c.occurred_at,
        setting: parse_stored(&c.setting)?,
        incident_type: c.incident_type,
        location: open_json::<IncidentLocation>(
            keys,
            &f("contact.location"),
            c.location_sealed.as_deref(),
        )?,
        person: Person {
            id: c.person_id,
            pseudonym: c.pseudonym,
            name: keys.open_opt(&pf("person.name"), c.name_sealed.as_deref())?,
            phone: keys.open_opt(&pf("person.phone"), c.phone_sealed.as_deref())?,
            address: keys.open_opt(&pf("person.address"), c.address_sealed.as_deref())?,
        },
        safe_contact: open_json::<SafeContact>(
            keys,
            &f("contact.safe_contact"),
            c.safe_contact_sealed.as_deref(),
        )?,
        needs: c.needs,
        services: c.services,
        referrals,
        follow_ups,
        notes: keys.open_opt(&f("contact.notes"), c.notes_sealed.as_deref())?,
        consent: c.consent.map(|j| j.0),
        status: parse_stored(&c.status)?,
        screenings,
        sealed: c.sealed,
        version: c.version,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// Whether the viewer may see the person: `person_visible_to`, the one rule for people (and
/// so for their safety plans), which sync, the person search and the plan store also apply.
pub async fn person_visible(
    conn: &mut PgConnection,
    person: Uuid,
    viewer: Viewer,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT person_visible_to($1, $2, $3) AS "v!""#,
        person,
        viewer.agency_id,
        viewer.user_id,
    )
    .fetch_one(conn)
    .await
}

/// The agency's person `id`, opened. The caller has checked visibility.
pub async fn load_person(
    conn: &mut PgConnection,
    keys: &DataKeys,
    agency: Uuid,
    id: Uuid,
) -> StoreResult<Person> {
    let p = sqlx::query!(
        "SELECT pseudonym, name_sealed, phone_sealed, address_sealed FROM persons WHERE agency_id = $2 AND id = $1",
        id,
        agency,
    )
    .fetch_one(&mut *conn)
    .await?;
    let f = |name| Field { name, record: id };
    Ok(Person {
        id,
        pseudonym: p.pseudonym,
        name: keys.open_opt(&f("person.name"), p.name_sealed.as_deref())?,
        phone: keys.open_opt(&f("person.phone"), p.phone_sealed.as_deref())?,
        address: keys.open_opt(&f("person.address"), p.address_sealed.as_deref())?,
    })
}

/// Whether the actor may see the contact: in their agency, and for a sealed record on its
/// team or its advocate (the SQL function `contact_visible_to`).
pub async fn visible(
    conn: &mut PgConnection,
    id: Uuid,
    agency: Uuid,
    user: Uuid,
) -> sqlx::Result<bool> {
    let v = sqlx::query_scalar!(
        r#"SELECT contact_visible_to(sealed, advocate_id, agency_id, id, $3) AS "v!" FROM contacts WHERE agency_id = $2 AND id = $1"#,
        id,
        agency,
        user,
    )
    .fetch_optional(conn)
    .await?;
    Ok(v == Some(true))
}

/// Whether the agency has a contact with this id (for another domain naming one, e.g. an
/// alert raised about it).
pub async fn exists_in_agency(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM contacts WHERE agency_id = $2 AND id = $1) AS "v!""#,
        id,
        agency
    )
    .fetch_one(conn)
    .await
}

/// What narrows a list of contacts; `after` is the last (updated_at, id) of the page before.
pub struct ListFilter<'a> {
    pub status: Option<&'a str>,
    pub person_id: Option<Uuid>,
    pub advocate_id: Option<Uuid>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// The agency's contacts the viewer may see, most recently changed first: pseudonyms and
/// codes only, no personal fields.
pub async fn list(
    conn: &mut PgConnection,
    viewer: Viewer,
    f: &ListFilter<'_>,
) -> StoreResult<Vec<ContactSummary>> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.person_id, p.pseudonym, c.advocate_id, c.occurred_at, c.setting, c.incident_type,
                  c.status, c.sealed, c.updated_at,
                  EXISTS (SELECT 1 FROM screenings s
                           WHERE s.agency_id = c.agency_id AND s.contact_id = c.id AND s.high_risk) AS "high_risk!"
             FROM contacts c JOIN persons p ON p.agency_id = c.agency_id AND p.id = c.person_id
            WHERE c.agency_id = $1 AND contact_visible_to(c.sealed, c.advocate_id, c.agency_id, c.id, $2)
              AND ($3::text IS NULL OR c.status = $3)
              AND ($4::uuid IS NULL OR c.person_id = $4)
              AND ($5::uuid IS NULL OR c.advocate_id = $5)
              AND ($7::timestamptz IS NULL OR (c.updated_at, c.id) < ($7, $8::uuid))
            ORDER BY c.updated_at DESC, c.id DESC
            LIMIT $6"#,
        viewer.agency_id,
        viewer.user_id,
        f.status,
        f.person_id,
        f.advocate_id,
        f.limit,
        f.after.map(|a| a.0),
        f.after.map(|a| a.1),
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ContactSummary {
                id: r.id,
                person_id: r.person_id,
                pseudonym: r.pseudonym,
                advocate_id: r.advocate_id,
                occurred_at: r.occurred_at,
                setting: parse_stored(&r.setting)?,
                incident_type: r.incident_type,
                status: parse_stored(&r.status)?,
                high_risk: r.high_risk,
                sealed: r.sealed,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// Locks the agency's contact `id` for a change of access; false when there is none.
pub async fn lock_for_access(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM contacts WHERE agency_id = $2 AND id = $1 FOR UPDATE",
        id,
        agency
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Seals (or unseals) the contact and sets its team to exactly `team`.
pub async fn set_access(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    sealed: bool,
    team: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE contacts SET sealed = $2, version = version + 1, updated_at = now() WHERE agency_id = $3 AND id = $1",
        id,
        sealed,
        agency,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM contact_team WHERE agency_id = $2 AND contact_id = $1",
        id,
        agency
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO contact_team (agency_id, contact_id, user_id) SELECT $3, $1, unnest($2::uuid[])",
        id,
        team,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A person found by name: (id, pseudonym).
pub struct PersonFound {
    pub id: Uuid,
    pub pseudonym: String,
}

/// The agency's people the viewer may see whose name has every one of `tokens`, at most 50.
pub async fn find_persons(
    conn: &mut PgConnection,
    viewer: Viewer,
    tokens: &[Vec<u8>],
) -> sqlx::Result<Vec<PersonFound>> {
    sqlx::query_as!(
        PersonFound,
        "SELECT id, pseudonym FROM persons
          WHERE agency_id = $1 AND name_tokens @> $2 AND person_visible_to(id, $1, $3)
          ORDER BY pseudonym, id LIMIT 50",
        viewer.agency_id,
        tokens,
        viewer.user_id,
    )
    .fetch_all(conn)
    .await
}

/// The agency's closed contacts past `days`, locked for a purge.
pub async fn lock_expired(
    conn: &mut PgConnection,
    agency: Uuid,
    days: i32,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM contacts WHERE agency_id = $1 AND status = 'closed'
            AND closed_at < now() - make_interval(days => $2) FOR UPDATE",
        agency,
        days,
    )
    .fetch_all(conn)
    .await
}

/// Adds the contacts to the agency's monthly counts for reports (what a purge keeps).
pub async fn count_for_reports(
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO retention_counts AS r (agency_id, month, incident_type, setting, contacts, high_risk)
           SELECT c.agency_id, date_trunc('month', c.occurred_at)::date, c.incident_type, c.setting, count(*),
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM screenings s
                                                  WHERE s.agency_id = c.agency_id AND s.contact_id = c.id AND s.high_risk))
             FROM contacts c WHERE c.agency_id = $2 AND c.id = ANY($1)
            GROUP BY 1, 2, 3, 4
           ON CONFLICT (agency_id, month, incident_type, setting) DO UPDATE SET
               contacts = r.contacts + EXCLUDED.contacts, high_risk = r.high_risk + EXCLUDED.high_risk"#,
        ids,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The people the contacts are about.
pub async fn persons_of(
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT DISTINCT person_id FROM contacts WHERE agency_id = $2 AND id = ANY($1)",
        ids,
        agency,
    )
    .fetch_all(conn)
    .await
}

/// Deletes the agency's contacts `ids` (their parts cascade); returns how many.
pub async fn delete_contacts(
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "DELETE FROM contacts WHERE agency_id = $2 AND id = ANY($1)",
        ids,
        agency,
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Those of `persons` with no contact left.
pub async fn orphans(
    conn: &mut PgConnection,
    agency: Uuid,
    persons: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM persons p WHERE p.agency_id = $2 AND p.id = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.agency_id = p.agency_id AND c.person_id = p.id)",
        persons,
        agency,
    )
    .fetch_all(conn)
    .await
}

/// Deletes the agency's people `ids`; returns how many.
pub async fn delete_persons(
    conn: &mut PgConnection,
    agency: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "DELETE FROM persons WHERE agency_id = $2 AND id = ANY($1)",
        ids,
        agency,
    )
    .execute(conn)
    .await?
    .rows_affected())
}
