//! Bulk import and export of the directory: CSV (`csv.rs`, whose doc lists the columns) and
//! Open Referral HSDS 3.0 JSON (`hsds/`).
//!
//! Exports hold the live entries the agency can see (shared, or its own), ordered by name and
//! id so two exports of the same data are byte for byte the same. Confidential entries are left
//! out entirely for readers who may not see their exact location (`directory_location_exact`:
//! without `view_confidential_locations`, or another agency's place whose owner does not name
//! theirs; a file travels further than a search result, so even the coarse area is not handed
//! out), and every exported entry still passes `redact`, the one redaction step, so whatever
//! redaction hides now or later is hidden in exports too. Each exported confidential place of
//! another agency is audited as an exact read.
//!
//! Imports are all or nothing. Every row is parsed and checked with `validate::validate` (the
//! same check as the API's create and replace) before anything is written, and one problem
//! lists every bad row, its pointer naming the CSV line and column or the HSDS object. Only a
//! clean file is written, in one transaction: a row whose `external_id` the agency already has
//! updates that entry (locked `FOR UPDATE`), the others create entries. Each created or updated
//! entry gets its own audit row, as if it had been edited by hand.

mod csv;
mod hsds;

use super::exact;
use super::history;
use super::redact::Viewer;
use super::store::{self, Stored};
use super::validate::{self, ValidEntry};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult, OnConstraint};
use crate::http::Json;
use crate::http::budget::Spend;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fieldline_wire::directory::{EntryInput, ImportSummary};
use fieldline_wire::{FieldError, Problem};
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

/// An import may be a whole county's directory, far above the ordinary request limit.
const IMPORT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Errors listed at most: a wholly wrong file would otherwise answer with one per cell.
const MAX_ERRORS: usize = 1000;
const RECORD: &str = "directory_entry";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_csv))
        .routes(routes!(export_hsds))
        .merge(
            // Route-level, so it overrides the global limit for this route only.
            OpenApiRouter::new()
                .routes(routes!(import))
                .layer(DefaultBodyLimit::max(IMPORT_MAX_BYTES)),
        )
}

/// The whole directory you can see as CSV (UTF-8, header row; columns as documented for
/// import). Confidential places are included only for readers who may see their exact
/// location: holders of `view_confidential_locations`, for their own agency's places and for
/// those whose owner names their agency.
#[utoipa::path(get, path = "/v1/directory/export.csv", tag = "directory", security(("bearer" = [])),
    responses(
        (status = 200, body = String, content_type = "text/csv", description = "One row per live entry, ordered by name"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "your exports for this hour are used up (`FIELDLINE_EXPORTS_PER_HOUR`)",
            headers(("Retry-After" = u64, description = "seconds until the next export is allowed"))),
    ))]
async fn export_csv(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    actor.require(Permission::SearchDirectory)?;
    state.config.budgets.take(Spend::Export, actor.user_id)?;
    let entries = exportable(&state.db, &actor, "csv").await?;
    let body = csv::write(&entries)?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        "fieldline-directory.csv",
    ))
}

/// The whole directory you can see as Open Referral HSDS 3.0: one page (as the HSDS API's
/// `GET /organizations?full_service=true`) of organizations, each with its services, their
/// service-at-locations, locations, addresses, phones and schedules. Fieldline's own fields
/// (kind, beds, confidentiality, …) are service attributes of the taxonomy `fieldline`.
/// Confidential places are included only for readers who may see their exact location, as in
/// the CSV export.
#[utoipa::path(get, path = "/v1/directory/export.hsds.json", tag = "directory", security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/json", description = "HSDS 3.0 page of fully nested organizations"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "your exports for this hour are used up (`FIELDLINE_EXPORTS_PER_HOUR`)",
            headers(("Retry-After" = u64, description = "seconds until the next export is allowed"))),
    ))]
async fn export_hsds(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    actor.require(Permission::SearchDirectory)?;
    state.config.budgets.take(Spend::Export, actor.user_id)?;
    let entries = exportable(&state.db, &actor, "hsds").await?;
    let body =
        serde_json::to_vec(&hsds::export(&entries)).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(download(
        body,
        "application/json",
        "fieldline-directory.hsds.json",
    ))
}

/// Places one import may hold: one all-or-nothing transaction stays bounded.
const MAX_IMPORT_ROWS: usize = 10_000;

/// Add or update places from a file (housing managers): `text/csv` (columns as in the CSV
/// export; `external_id` required) or HSDS 3.0 JSON as `application/json` (an organization,
/// service or service-at-location, a list of them, or a page with `contents`). All or
/// nothing: if any row is wrong the answer is 422 listing every problem and nothing is
/// written. Rows whose `external_id` your agency already has update that entry.
#[utoipa::path(post, path = "/v1/directory/import", tag = "directory", security(("bearer" = [])),
    request_body(description = "The file, at most 10 MiB", content(
        (String = "text/csv"),
        ("application/json"),
    )),
    responses(
        (status = 200, body = ImportSummary),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "the JSON is malformed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`errors` names each bad row: `/rows/{line}/{column}` for CSV, a JSON pointer for HSDS; or the file has more than 10,000 places"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "your imports for this hour are used up (`FIELDLINE_IMPORTS_PER_HOUR`)",
            headers(("Retry-After" = u64, description = "seconds until the next import is allowed"))),
    ))]
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    req: Request,
) -> ApiResult<Json<ImportSummary>> {
    // Permission and format first: a refused upload is not read at all.
    actor.require(Permission::ManageDirectory)?;
    state.config.budgets.take(Spend::Import, actor.user_id)?;
    let format = Format::of(req.headers())?;
    let body = Bytes::from_request(req, &state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("the request body could not be read")
            }
        })?;
    // Parsing ten megabytes is real CPU work: keep it off the request threads.
    let rows = tokio::task::spawn_blocking(move || match format {
        Format::Csv => csv::parse(&body),
        Format::Hsds => hsds::parse(&body),
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))??;
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(ApiError::field(
            "/rows",
            format!("at most {MAX_IMPORT_ROWS} places per file: split the file"),
        ));
    }
    Ok(Json(apply(&state.db, &actor, rows).await?))
}

enum Format {
    Csv,
    Hsds,
}

impl Format {
    /// `text/csv` or JSON (`application/json`, `application/*+json`); a charset other than
    /// UTF-8 is refused rather than misread.
    fn of(headers: &HeaderMap) -> ApiResult<Format> {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::UnsupportedMediaType)?;
        let mut parts = ct.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let utf8 = parts
            .filter_map(|p| p.split_once('='))
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .all(|(_, v)| {
                let v = v.trim().trim_matches('"');
                v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")
            });
        match essence.as_str() {
            _ if !utf8 => Err(ApiError::UnsupportedMediaType),
            "text/csv" => Ok(Format::Csv),
            "application/json" => Ok(Format::Hsds),
            e if e.starts_with("application/") && e.ends_with("+json") => Ok(Format::Hsds),
            _ => Err(ApiError::UnsupportedMediaType),
        }
    }
}

fn download(body: Vec<u8>, content_type: &'static str, filename: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The live entries the actor's agency can see, confidential ones only where the actor may see
/// their exact location (`directory_location_exact`), each passed through `redact`, by name.
/// The export itself is audited (a file of confidential addresses leaving the server is worth
/// knowing about), and so is each confidential place of another agency in it.
async fn exportable(
    db: &PgPool,
    actor: &Actor,
    format: &str,
) -> ApiResult<Vec<fieldline_wire::directory::Entry>> {
    let viewer = Viewer::from_actor(actor);
    let rows = store::exportable(db, viewer).await?;
    let entries: Vec<_> = rows.into_iter().map(|s| s.into_read().shown()).collect();
    exact::audit_reads(db, actor, format, &entries).await?;
    audit::record(
        db,
        &AuditActor::from(actor),
        "directory.export",
        RECORD,
        None,
        json!({
            "format": format,
            "entries": entries.len(),
            "confidential": entries.iter().filter(|e| e.confidential).count(),
        }),
    )
    .await?;
    Ok(entries)
}

/// Writes a checked file in one transaction. Existing entries are locked in id order, so two
/// imports touching the same entries queue instead of deadlocking.
async fn apply(db: &PgPool, actor: &Actor, rows: Vec<ValidEntry>) -> ApiResult<ImportSummary> {
    let external_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.input.external_id.clone())
        .collect();
    let viewer = Viewer::from_actor(actor);
    let mut tx = db.begin().await?;
    let existing = store::lock_by_external_ids(&mut tx, viewer, &external_ids).await?;
    let mut by_external: HashMap<String, (Uuid, fieldline_wire::directory::Entry)> = existing
        .into_iter()
        .map(|x| {
            let entry = Stored {
                doc: x.doc,
                loc: x.loc,
                exact: x.exact,
            }
            .into_read()
            .entry;
            (x.external_id, (x.id, entry))
        })
        .collect();
    let who = AuditActor::from(actor);
    let mut summary = ImportSummary {
        created: 0,
        updated: 0,
    };
    for row in &rows {
        let before = row
            .input
            .external_id
            .as_ref()
            .and_then(|x| by_external.remove(x));
        let id = before.as_ref().map_or_else(Uuid::new_v4, |(id, _)| *id);
        let entry = store::upsert(&mut tx, id, actor.agency_id, row, viewer)
            .await
            .on_constraint("directory_entries_external_id_key", || {
                ApiError::Conflict(
                    "another import added an entry with one of these external ids meanwhile; send the file again",
                )
            })?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("import upsert returned nothing")))?;
        audit::record(
            &mut *tx,
            &who,
            "directory.import",
            RECORD,
            Some(&id.to_string()),
            json!({ "changes": history::changes(before.as_ref().map(|(_, e)| e), &entry.entry) }),
        )
        .await?;
        if before.is_some() {
            summary.updated += 1;
        } else {
            summary.created += 1;
        }
    }
    tx.commit().await?;
    Ok(summary)
}

fn field_error(pointer: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        message: message.into(),
    }
}

/// Runs `validate` on one row read from a file. `errors` are the row's problems found while
/// reading it (its unreadable cells hold placeholders); `locate` turns validate's pointers
/// (`/location/latitude`) into the file's. A cell already reported is not reported twice.
fn check_row(
    input: EntryInput,
    mut errors: Vec<FieldError>,
    locate: impl Fn(&FieldError) -> FieldError,
    all_errors: &mut Vec<FieldError>,
) -> Option<ValidEntry> {
    match validate::validate(input) {
        Ok(valid) if errors.is_empty() => return Some(valid),
        Ok(_) => {}
        Err(found) => {
            for e in &found {
                let e = locate(e);
                if !errors.iter().any(|x| x.pointer == e.pointer) {
                    errors.push(e);
                }
            }
        }
    }
    all_errors.extend(errors);
    None
}

/// `true`/`false`, also `yes`/`no` and `1`/`0` (spreadsheets write all of them).
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// External ids already seen in a file, with where (for "repeats the one at …").
#[derive(Default)]
struct SeenIds(HashMap<String, String>);

impl SeenIds {
    /// `None` the first time; the first place's label when `id` repeats.
    fn repeat(&mut self, id: &str, place: String) -> Option<String> {
        let id = id.trim();
        if id.is_empty() {
            return None;
        }
        match self.0.get(id) {
            Some(first) => Some(first.clone()),
            None => {
                self.0.insert(id.to_owned(), place);
                None
            }
        }
    }
}

/// The 422 for a file with bad rows; beyond `MAX_ERRORS` the rest are counted, not listed.
fn rejected(mut errors: Vec<FieldError>) -> ApiError {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(field_error(
            "/",
            format!("{more} more errors are not listed; fix these and import again"),
        ));
    }
    ApiError::Validation(errors)
}
