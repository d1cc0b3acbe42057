//! Request plumbing shared by every domain: extractors whose rejections are problems, the
//! request id, and version headers.

pub mod budget;
pub mod etag;
mod extract;
mod request;

pub use etag::etag;
pub use extract::{Json, OptionalJson, Path, Query, json_response};
pub use request::{RequestMeta, request_context};

use crate::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, header};

/// The version named by `If-Match`, required for changes to records several people edit.
pub fn if_match_version(headers: &HeaderMap) -> ApiResult<i64> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    let s = raw
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match must be an ETag such as \"3\""))?
        .trim();
    let s = s.strip_prefix("W/").unwrap_or(s);
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .ok_or(ApiError::BadRequest(
            "If-Match must be an ETag such as \"3\"",
        ))
}

/// The change id a client sent as `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header):
/// 1 to 64 visible ASCII characters, so a phone's outbox can send its own change id (a UUID).
pub fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    raw.to_str()
        .ok()
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()))
        .map(|s| Some(s.to_owned()))
        .ok_or(ApiError::BadRequest(
            "Idempotency-Key must be 1 to 64 visible ASCII characters, such as a UUID",
        ))
}
