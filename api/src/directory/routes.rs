//! `/v1/directory/*`.

use super::guard::lock_for_change;
use super::redact::Viewer;
use super::search::{self, Answer, SearchQuery};
use super::{exact, history, store, validate};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Bearer, Permission};
use crate::db::SearchConn;
use crate::error::{ApiError, ApiResult, OnConstraint};
use crate::http::budget::Spend;
use crate::http::{Json, Path, Query, etag, if_match_version, json_response};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fieldline_wire::admin::AuditPage;
use fieldline_wire::directory::{AvailabilityUpdate, Entry, EntryInput, EntryList, EntryPage};
use fieldline_wire::{FieldError, Problem};
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(nearby))
        .routes(routes!(within))
        .routes(routes!(list_entries, create_entry))
        .routes(routes!(get_entry, replace_entry, retire_entry))
        .routes(routes!(update_availability))
        .routes(routes!(entry_history))
        .routes(routes!(stale_entries))
        .merge(super::transfer::router())
        .merge(exact::router())
}

const RECORD: &str = "directory_entry";

fn list_response(state: &AppState, entries: Vec<Entry>, geojson: bool) -> Response {
    // About 1.3 KB per entry in JSON.
    let capacity = 256 + entries.len() * 1536;
    if geojson {
        let mut res = json_response(&search::geojson(&entries), capacity);
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/geo+json"),
        );
        res
    } else {
        json_response(
            &EntryList {
                entries,
                stale_after_s: stale_after_s(state),
            },
            capacity,
        )
    }
}

fn stale_after_s(state: &AppState) -> i64 {
    state.config.directory_stale_after.as_secs() as i64
}

fn with_etag(entry: Entry, status: StatusCode) -> Response {
    let tag = etag(entry.version);
    let mut res = (status, Json(entry)).into_response();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Places near a point, nearest first, with distance and how old their availability is.
///
/// Confidential places are included for everyone; readers without the
/// `view_confidential_locations` grant get them without street address or point, with the
/// distance rounded to the kilometre (and searched and ordered by a point snapped to ~1 km).
#[utoipa::path(get, path = "/v1/directory/nearby", tag = "directory", security(("bearer" = [])),
    params(SearchQuery),
    responses(
        (status = 200, body = EntryList, description = "JSON, or an RFC 7946 FeatureCollection with format=geojson"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "your searches for this minute are used up (`FIELDLINE_SEARCHES_PER_MINUTE`)",
            headers(("Retry-After" = u64, description = "seconds until the next search is allowed"))),
    ))]
async fn nearby(
    State(state): State<AppState>,
    who: Bearer,
    q: Result<Query<SearchQuery>, ApiError>,
) -> ApiResult<Response> {
    // By the verified token's subject, before any database work.
    state.config.budgets.take(Spend::Search, who.user_id())?;
    let mut conn = state.search.acquire().await?;
    let q = match q.and_then(|Query(q)| q.nearby()) {
        Ok(q) => q,
        Err(bad) => return refuse_search(conn, who, bad).await,
    };
    let answer = search::nearby(&mut conn, who, &q).await?;
    let entries = searched(&mut conn, answer, "nearby").await?;
    conn.settle();
    Ok(list_response(&state, entries, q.geojson))
}

/// Places inside a map's rectangle (`west`, `south`, `east`, `north` in degrees), by name.
#[utoipa::path(get, path = "/v1/directory/within", tag = "directory", security(("bearer" = [])),
    params(SearchQuery),
    responses(
        (status = 200, body = EntryList, description = "JSON, or an RFC 7946 FeatureCollection with format=geojson"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "your searches for this minute are used up (`FIELDLINE_SEARCHES_PER_MINUTE`)",
            headers(("Retry-After" = u64, description = "seconds until the next search is allowed"))),
    ))]
async fn within(
    State(state): State<AppState>,
    who: Bearer,
    q: Result<Query<SearchQuery>, ApiError>,
) -> ApiResult<Response> {
    // By the verified token's subject, before any database work.
    state.config.budgets.take(Spend::Search, who.user_id())?;
    let mut conn = state.search.acquire().await?;
    let q = match q.and_then(|Query(q)| q.within()) {
        Ok(q) => q,
        Err(bad) => return refuse_search(conn, who, bad).await,
    };
    let answer = search::within(&mut conn, who, &q).await?;
    let entries = searched(&mut conn, answer, "within").await?;
    conn.settle();
    Ok(list_response(&state, entries, q.geojson))
}

/// After a search's statement: the entries, for a searcher allowed to search. No rows means
/// nothing matched or the session is not valid; the separate session check tells which. Exact
/// reads of another agency's confidential places are audited (`via`: the search) before they
/// are answered; searches that show none write nothing.
async fn searched(conn: &mut SearchConn, answer: Answer, via: &str) -> ApiResult<Vec<Entry>> {
    let (actor, entries) = match answer {
        Answer::Found(actor, entries) => (actor, entries),
        Answer::Empty(who) => (who.authenticate(&mut **conn).await?, Vec::new()),
    };
    actor.require(Permission::SearchDirectory)?;
    exact::audit_reads(&mut **conn, &actor, via, &entries).await?;
    crate::measure::directory_search(via, !entries.is_empty());
    Ok(entries)
}

/// Bad search parameters: a bad session still gets 401, and a searcher without the
/// permission 403, before the 400, as on every other endpoint.
async fn refuse_search(mut conn: SearchConn, who: Bearer, bad: ApiError) -> ApiResult<Response> {
    who.authenticate(&mut *conn)
        .await?
        .require(Permission::SearchDirectory)?;
    conn.settle();
    Err(bad)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1 to 500, default 100.
    limit: Option<i64>,
    /// Where the previous page ended: its `next_after`.
    after: Option<String>,
    /// Also list retired places (default false).
    include_retired: Option<bool>,
}

/// A page cursor: the last entry's id and name, so the next page starts right after it even
/// if that entry is renamed meanwhile. Opaque to clients (URL-safe base64).
fn cursor(e: &Entry) -> String {
    let mut raw = e.id.as_bytes().to_vec();
    raw.extend_from_slice(e.name.as_bytes());
    URL_SAFE_NO_PAD.encode(raw)
}

fn parse_cursor(s: &str) -> Option<(Uuid, String)> {
    let raw = URL_SAFE_NO_PAD.decode(s).ok()?;
    if raw.len() <= 16 {
        return None;
    }
    let id = Uuid::from_slice(&raw[..16]).ok()?;
    let name = String::from_utf8(raw[16..].to_vec()).ok()?;
    // PostgreSQL text cannot hold NUL: refuse it here rather than fail the query.
    (!name.contains('\0')).then_some((id, name))
}

/// Your agency's own places (not other agencies' shared ones), by name then id, a page at a
/// time: pass `next_after` back as `after` until it is absent. For housing managers keeping
/// them and admins overseeing them; confidential ones are redacted for readers without the
/// grant, as everywhere.
#[utoipa::path(get, path = "/v1/directory/entries", tag = "directory", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = EntryPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_entries(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<EntryPage>> {
    actor.require(Permission::ListAgencyDirectory)?;
    let mut errs = Vec::new();
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        errs.push(search::err("/limit", "must be from 1 to 500"));
    }
    // The first page starts before every name (names are never blank).
    let (after_id, after_name) = match q.after.as_deref().map(parse_cursor) {
        None => (Uuid::nil(), String::new()),
        Some(Some(c)) => c,
        Some(None) => {
            errs.push(search::err(
                "/after",
                "must be the next_after of a previous page",
            ));
            (Uuid::nil(), String::new())
        }
    };
    if !errs.is_empty() {
        return Err(ApiError::InvalidQuery(errs));
    }
    let now = chrono::Utc::now();
    // One row more than asked for says whether there is a next page.
    let mut rows = store::page(
        &state.db,
        Viewer::from_actor(&actor),
        &after_name,
        after_id,
        q.include_retired.unwrap_or(false),
        limit + 1,
    )
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let entries: Vec<Entry> = rows
        .into_iter()
        .map(|r| {
            let mut e = r.shown();
            e.availability_age_s = search::availability_age_s(e.availability_updated_at, now);
            e
        })
        .collect();
    let next_after = more.then(|| entries.last().map(cursor)).flatten();
    Ok(Json(EntryPage {
        entries,
        stale_after_s: stale_after_s(&state),
        next_after,
    }))
}

/// Add a place (housing managers). Answers with its `ETag`.
#[utoipa::path(post, path = "/v1/directory/entries", tag = "directory", security(("bearer" = [])),
    request_body = EntryInput,
    responses(
        (status = 201, body = Entry),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_entry(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<EntryInput>,
) -> ApiResult<Response> {
    actor.require(Permission::ManageDirectory)?;
    let valid = validate::validate(input).map_err(ApiError::Validation)?;
    let id = Uuid::new_v4();
    let mut tx = state.db.begin().await?;
    let entry = store::upsert(
        &mut tx,
        id,
        actor.agency_id,
        &valid,
        Viewer::from_actor(&actor),
    )
    .await
    .on_constraint("directory_entries_external_id_key", || {
        ApiError::Conflict("an entry with this external_id exists already")
    })?
    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("insert returned nothing")))?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "directory.create",
        RECORD,
        Some(&id.to_string()),
        json!({ "changes": history::changes(None, &entry.entry) }),
    )
    .await?;
    tx.commit().await?;
    let mut res = with_etag(entry.shown(), StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/directory/entries/{id}")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// One place. Send its `ETag` back as `If-Match` when changing it.
#[utoipa::path(get, path = "/v1/directory/entries/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Entry), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_entry(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    actor.require(Permission::SearchDirectory)?;
    let mut entry = store::get(&state.db, id, Viewer::from_actor(&actor))
        .await?
        .ok_or(ApiError::NotFound)?
        .shown();
    entry.availability_age_s =
        search::availability_age_s(entry.availability_updated_at, chrono::Utc::now());
    exact::audit_reads(&state.db, &actor, "read", std::slice::from_ref(&entry)).await?;
    Ok(with_etag(entry, StatusCode::OK))
}

/// Replace a place's details (housing managers of the owning agency). Needs `If-Match`.
#[utoipa::path(put, path = "/v1/directory/entries/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "the ETag you read")),
    request_body = EntryInput,
    responses(
        (status = 200, body = Entry),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such place of your agency"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "changed since you read it; `current_version` given"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
async fn replace_entry(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(input): Json<EntryInput>,
) -> ApiResult<Response> {
    actor.require(Permission::ManageDirectory)?;
    let expected = if_match_version(&headers)?;
    let valid = validate::validate(input).map_err(ApiError::Validation)?;
    let mut tx = state.db.begin().await?;
    lock_for_change(&mut tx, &actor, id, Some(expected)).await?;
    let viewer = Viewer::from_actor(&actor);
    let before = store::get(&mut *tx, id, viewer).await?.map(|r| r.entry);
    let entry = store::upsert(&mut tx, id, actor.agency_id, &valid, viewer)
        .await
        .on_constraint("directory_entries_external_id_key", || {
            ApiError::Conflict("another entry has this external_id")
        })?
        .ok_or(ApiError::NotFound)?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "directory.update",
        RECORD,
        Some(&id.to_string()),
        json!({ "changes": history::changes(before.as_ref(), &entry.entry), "version": entry.entry.version }),
    )
    .await?;
    tx.commit().await?;
    Ok(with_etag(entry.shown(), StatusCode::OK))
}

/// Retire a place: it leaves searches but its history stays. Needs `If-Match`.
#[utoipa::path(delete, path = "/v1/directory/entries/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 204, description = "Retired"), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such place of your agency"), (status = 412, body = Problem, content_type = "application/problem+json")))]
async fn retire_entry(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    actor.require(Permission::ManageDirectory)?;
    let expected = if_match_version(&headers)?;
    let mut tx = state.db.begin().await?;
    lock_for_change(&mut tx, &actor, id, Some(expected)).await?;
    store::retire(&mut tx, id).await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "directory.retire",
        RECORD,
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The one-tap update from a phone: beds available and/or status. `If-Match` is optional
/// (counts change often and the latest count wins); the time of the update is recorded
/// even when nothing changed, so "still 3 beds" clears the stale flag.
#[utoipa::path(patch, path = "/v1/directory/entries/{id}/availability", tag = "directory", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = AvailabilityUpdate,
    responses((status = 200, body = Entry), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such place of your agency"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_availability(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(change): Json<AvailabilityUpdate>,
) -> ApiResult<Response> {
    actor.require(Permission::ManageDirectory)?;
    let expected = match headers.get(header::IF_MATCH) {
        Some(_) => Some(if_match_version(&headers)?),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    lock_for_change(&mut tx, &actor, id, expected).await?;
    let viewer = Viewer::from_actor(&actor);
    let before = store::get(&mut *tx, id, viewer)
        .await?
        .ok_or(ApiError::NotFound)?
        .entry;
    let mut errs = validate::Errors::default();
    validate::check_availability(
        before.capacity,
        change.beds_available,
        Some(change.status.unwrap_or(before.status)),
        &mut errs,
    );
    if !errs.0.is_empty() {
        return Err(ApiError::Validation(errs.0));
    }
    let entry = store::set_availability(
        &mut tx,
        id,
        change.beds_available,
        change.status.map(|s| s.as_str()),
        viewer,
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "directory.availability",
        RECORD,
        Some(&id.to_string()),
        json!({ "changes": history::changes(Some(&before), &entry.entry), "version": entry.entry.version }),
    )
    .await?;
    tx.commit().await?;
    Ok(with_etag(entry.shown(), StatusCode::OK))
}

/// Who changed a place, when, and what (location fields are named, never shown).
#[utoipa::path(get, path = "/v1/directory/entries/{id}/history", tag = "directory", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AuditPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn entry_history(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AuditPage>> {
    actor.require(Permission::ManageDirectory)?;
    let owned = store::owned_by(&state.db, id, actor.agency_id).await?;
    match owned {
        None => return Err(ApiError::NotFound),
        Some(false) => return Err(ApiError::Forbidden),
        Some(true) => {}
    }
    let entries = crate::audit::of_record(
        &state.db,
        actor.agency_id,
        "directory_entry",
        &id.to_string(),
        500,
    )
    .await?;
    Ok(Json(AuditPage {
        entries,
        next_before: None,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StaleQuery {
    /// Not updated for this many hours (default `FIELDLINE_DIRECTORY_STALE_HOURS`, 24).
    hours: Option<i64>,
}

/// Your agency's places whose availability has not been updated recently, oldest first.
#[utoipa::path(get, path = "/v1/directory/stale", tag = "directory", security(("bearer" = [])),
    params(StaleQuery), responses((status = 200, body = EntryList)))]
async fn stale_entries(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<StaleQuery>,
) -> ApiResult<Json<EntryList>> {
    actor.require(Permission::ManageDirectory)?;
    let hours = q
        .hours
        .unwrap_or((state.config.directory_stale_after.as_secs() / 3600) as i64);
    if !(1..=24 * 90).contains(&hours) {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/hours".into(),
            message: "must be from 1 to 2160".into(),
        }]));
    }
    let now = chrono::Utc::now();
    let entries = store::stale(
        &state.db,
        Viewer::from_actor(&actor),
        now - chrono::Duration::hours(hours),
    )
    .await?
    .into_iter()
    .map(|r| {
        let mut e = r.shown();
        e.availability_age_s = search::availability_age_s(e.availability_updated_at, now);
        e
    })
    .collect();
    Ok(Json(EntryList {
        entries,
        stale_after_s: stale_after_s(&state),
    }))
}
