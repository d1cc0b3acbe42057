//! `/v1/contacts/*` and `/v1/persons`. Every read and change is audited, in the same
//! transaction as the read or change itself.

use super::{store, validate};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path, Query, etag};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldline_wire::contacts::{Contact, ContactAccess, ContactInput, ContactList};
use fieldline_wire::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

/// The store's answers as problems: one place, so every contact route answers them alike.
impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        use store::StoreError as E;
        match e {
            E::NotFound => ApiError::NotFound,
            E::PartInUse(why) => ApiError::Conflict(why),
            E::BadReference(pointer, message) => ApiError::field(pointer, message),
            E::Database(e) => e.into(),
            E::Unreadable(e) => ApiError::Internal(e),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_contact, get_contact))
        .routes(routes!(list_contacts))
        .routes(routes!(set_access))
        .routes(routes!(find_persons))
        .merge(super::retention::router())
}

fn respond(contact: Contact, status: StatusCode) -> Response {
    let tag = etag(contact.version);
    let mut res = (status, Json(contact)).into_response();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Record a contact, made with an id the phone chose, or change one.
///
/// Each change carries its own id as `Idempotency-Key` (a phone's outbox sends its change id;
/// without one the server keys the change by a hash of the request). A change seen before is
/// a replay: 200 with the record as it is now, nothing changed, never a conflict. A new change
/// to an existing record is applied when it names the current version in `If-Match`, or, with
/// no `If-Match`, when the record's current version is the writer's own (an edit made on a
/// phone before its create was delivered); otherwise 412 with `current_version`.
///
/// A new contact's person is created when new; an existing person is linked as they are (a
/// create never rewrites a person), and only when you may see them. A change with `If-Match`
/// also updates the person. A screening that scores high raises a `high_risk` alert in the
/// same transaction, unless it carries `no_alert_reason`. Ids are your agency's own: an id
/// another agency holds is answered exactly as an unknown one (a new contact, 201), and so is
/// a person id another agency holds (a new person of yours). A sealed record you are not on
/// the team of, or an existing person you may not see, is 404.
#[utoipa::path(put, path = "/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "chosen by the phone"),
        ("If-Match" = Option<String>, Header, description = "the version changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "the change's own id, 1 to 64 visible ASCII characters (a UUID)")),
    request_body = ContactInput,
    responses(
        (status = 201, body = Contact, description = "created"),
        (status = 200, body = Contact, description = "changed, or already recorded (a replay)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "a record sealed to a team you are not on, or a person of your agency you may not see"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "a referral, follow-up or screening id is in use by another contact of your agency (ids of other agencies never collide)"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(input): Json<ContactInput>,
) -> ApiResult<Response> {
    actor.require(Permission::RecordContacts)?;
    let if_match = match headers.get(header::IF_MATCH) {
        Some(_) => Some(crate::http::if_match_version(&headers)?),
        None => None,
    };
    let change = change_of(&headers, if_match, &input)?;
    let valid = validate::validate(input).map_err(ApiError::Validation)?;
    let keys = &state.config.data_keys;
    let viewer = actor.viewer();
    let who = AuditActor::from(&actor);
    let record = id.to_string();
    let mut tx = state.db.begin().await?;

    // Insert first: a new record is the common case (a phone's outbox), and an id the agency
    // holds (a replay, a later change, or a concurrent duplicate that committed first) writes
    // nothing. A new contact's audit row is written by the same statement.
    let (status, owed, built) =
        match store::insert(&mut tx, keys, id, viewer, &valid, &change, &who).await? {
            Some(ins) => {
                // A new person is as sent; an existing one is read back as stored.
                let built = ins
                    .person_created
                    .then(|| store::created(id, actor.agency_id, actor.user_id, ins.at, &valid));
                (StatusCode::CREATED, ins.owed, built)
            }
            None => {
                let owed =
                    put_existing(&mut tx, &state, &actor, id, &valid, &change, if_match).await?;
                (StatusCode::OK, owed, None)
            }
        };
    for (screening, result) in &owed {
        audit::record(&mut *tx, &who, "screening.alert_requested", "contact", Some(&record),
            json!({ "screening_id": screening, "instrument": result.instrument, "high_risk": true })).await?;
    }
    let contact = match built {
        Some(c) => c,
        None => store::load(&mut tx, keys, actor.agency_id, id).await?,
    };
    tx.commit().await?;
    Ok(respond(contact, status))
}

/// A PUT on an id the agency holds already: the same change again (a replay, nothing
/// written), another request under the same `Idempotency-Key` (400), an edit of a version
/// that is no longer current or, without `If-Match`, of someone else's last change (412), or
/// a change to apply. Returns the alert requests the change owes.
async fn put_existing(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    valid: &validate::ValidContact,
    change: &store::Change,
    if_match: Option<i64>,
) -> ApiResult<store::Owed> {
    let keys = &state.config.data_keys;
    let viewer = actor.viewer();
    let who = AuditActor::from(actor);
    let record = id.to_string();
    // Taken but gone again (purged in between) answers as if it never existed.
    let e = store::lock(&mut *tx, id, viewer)
        .await?
        .filter(|e| e.visible)
        .ok_or(ApiError::NotFound)?;
    let owed = match store::recorded_change(&mut *tx, actor.agency_id, id, &change.key).await? {
        Some(hash) if hash == change.request_hash => {
            audit::record(
                &mut *tx,
                &who,
                "contact.replay",
                "contact",
                Some(&record),
                json!({}),
            )
            .await?;
            Vec::new()
        }
        Some(_) => {
            return Err(ApiError::BadRequest(
                "this Idempotency-Key was sent before with another request",
            ));
        }
        None if if_match.is_some_and(|v| v != e.version)
            || (if_match.is_none() && e.updated_by != actor.user_id) =>
        {
            return Err(ApiError::PreconditionFailed {
                current_version: e.version,
            });
        }
        None => {
            let owed = store::update(&mut *tx, keys, id, viewer, valid, change).await?;
            audit::record(
                &mut *tx,
                &who,
                "contact.update",
                "contact",
                Some(&record),
                json!({}),
            )
            .await?;
            owed
        }
    };
    Ok(owed)
}

/// What identifies a change: the client's `Idempotency-Key`, else the request's own hash (so
/// an old client's replay of the very same request is still recognised).
fn change_of(
    headers: &HeaderMap,
    if_match: Option<i64>,
    input: &ContactInput,
) -> ApiResult<store::Change> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(if_match.map_or(String::new(), |v| v.to_string()));
    h.update(b"\n");
    h.update(serde_json::to_vec(input).map_err(|e| ApiError::Internal(e.into()))?);
    let request_hash = h.finalize().to_vec();
    let key = match crate::http::idempotency_key(headers)? {
        Some(k) => k,
        None => format!("sha256:{}", hex::encode(&request_hash)),
    };
    Ok(store::Change { key, request_hash })
}

/// One contact, with its person, screenings, referrals and follow-ups. Audited.
#[utoipa::path(get, path = "/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Contact), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    actor.require(Permission::RecordContacts)?;
    let mut tx = state.db.begin().await?;
    if !store::visible(&mut tx, id, actor.agency_id, actor.user_id).await? {
        return Err(ApiError::NotFound);
    }
    let contact = store::load(&mut tx, &state.config.data_keys, actor.agency_id, id).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "contact.read",
        "contact",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(respond(contact, StatusCode::OK))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `open`, `follow_up` or `closed`.
    #[param(pattern = "^(open|follow_up|closed)$")]
    status: Option<String>,
    person_id: Option<Uuid>,
    /// Only records this advocate made.
    advocate_id: Option<Uuid>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// From the previous page's `next_cursor`.
    #[param(
        pattern = "^v1\\.-?[0-9]{1,15}\\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    cursor: Option<String>,
}

/// A page boundary in `ORDER BY updated_at DESC, id DESC`: `v1.<microseconds>.<id>`, opaque
/// to clients.
fn parse_list_cursor(raw: &str) -> Option<(chrono::DateTime<chrono::Utc>, Uuid)> {
    let mut parts = raw.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("v1"), Some(at), Some(id), None) => Some((
            chrono::DateTime::from_timestamp_micros(at.parse().ok()?)?,
            id.parse().ok()?,
        )),
        _ => None,
    }
}

/// The agency's contacts you may see, most recently changed first, a page at a time (follow
/// `next_cursor`): pseudonyms and codes only, no personal fields. Audited. A record changed
/// while you page moves to the front and may be missed: to hold every change, use `/v1/sync`.
#[utoipa::path(get, path = "/v1/contacts", tag = "contacts", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = ContactList),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "a parameter is not valid")))]
async fn list_contacts(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<ContactList>> {
    actor.require(Permission::RecordContacts)?;
    let mut errs = Vec::new();
    if let Some(s) = &q.status
        && !["open", "follow_up", "closed"].contains(&s.as_str())
    {
        errs.push(FieldError {
            pointer: "/status".into(),
            message: "must be open, follow_up or closed".into(),
        });
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errs.push(FieldError {
            pointer: "/limit".into(),
            message: "must be from 1 to 200".into(),
        });
    }
    let after = match q.cursor.as_deref().map(parse_list_cursor) {
        None => None,
        Some(Some(c)) => Some(c),
        Some(None) => {
            errs.push(FieldError {
                pointer: "/cursor".into(),
                message: "is not a cursor this server gave out".into(),
            });
            None
        }
    };
    if !errs.is_empty() {
        return Err(ApiError::InvalidQuery(errs));
    }
    let mut tx = state.db.begin().await?;
    let mut contacts = store::list(
        &mut tx,
        actor.viewer(),
        &store::ListFilter {
            status: q.status.as_deref(),
            person_id: q.person_id,
            advocate_id: q.advocate_id,
            after,
            limit: limit + 1,
        },
    )
    .await?;
    // One row more than the page says whether another follows.
    let next_cursor = (contacts.len() as i64 > limit)
        .then(|| &contacts[limit as usize - 1])
        .map(|r| format!("v1.{}.{}", r.updated_at.timestamp_micros(), r.id));
    contacts.truncate(limit as usize);
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "contact.list",
        "contact",
        None,
        json!({ "count": contacts.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(ContactList {
        contacts,
        next_cursor,
    }))
}

/// Restrict a record to a team (sealed records for high-profile or staff-related cases), or
/// lift the restriction. Admins only; the record's advocate always keeps access.
#[utoipa::path(put, path = "/v1/contacts/{id}/access", tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ContactAccess,
    responses((status = 204, description = "Set"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn set_access(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Json(access): Json<ContactAccess>,
) -> ApiResult<StatusCode> {
    actor.require(Permission::SealRecords)?;
    let mut tx = state.db.begin().await?;
    if !store::lock_for_access(&mut tx, actor.agency_id, id).await? {
        return Err(ApiError::NotFound);
    }
    let members =
        crate::users::store::count_in_agency(&mut tx, actor.agency_id, &access.team).await?;
    let mut team = access.team.clone();
    team.sort();
    team.dedup();
    if members != team.len() as i64 {
        return Err(ApiError::field("/team", "must name people in your agency"));
    }
    store::set_access(&mut tx, actor.agency_id, id, access.sealed, &team).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "contact.access",
        "contact",
        Some(&id.to_string()),
        json!({ "sealed": access.sealed, "team": team }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PersonQuery {
    /// One or more words of the name; every word must match a word of the person's name
    /// (case and common accents ignored). At most 200 characters, at least one a letter or digit.
    #[param(max_length = 200, pattern = "[^\\W_]")]
    name: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonMatch {
    pub id: Uuid,
    pub pseudonym: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonMatches {
    pub persons: Vec<PersonMatch>,
}

/// Find people in your agency you may see (a person known only through records sealed to
/// others is not found) by name, through keyed hashes of the name's words (no plaintext
/// is searched or stored). Audited, without the name searched for.
#[utoipa::path(get, path = "/v1/persons", tag = "contacts", security(("bearer" = [])), params(PersonQuery),
    responses((status = 200, body = PersonMatches)))]
async fn find_persons(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PersonQuery>,
) -> ApiResult<Json<PersonMatches>> {
    actor.require(Permission::RecordContacts)?;
    let tokens = state.config.data_keys.name_tokens(&q.name);
    if tokens.is_empty() || q.name.chars().count() > 200 {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/name".into(),
            message: "must contain a word of a name".into(),
        }]));
    }
    let mut tx = state.db.begin().await?;
    let persons: Vec<PersonMatch> = store::find_persons(&mut tx, actor.viewer(), &tokens)
        .await?
        .into_iter()
        .map(|p| PersonMatch {
            id: p.id,
            pseudonym: p.pseudonym,
        })
        .collect();
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "person.search",
        "person",
        None,
        json!({ "count": persons.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(PersonMatches { persons }))
}
