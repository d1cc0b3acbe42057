//! Request plumbing shared by every domain: extractors whose rejections are problems, the
//! request id, and version headers.

mod extract;
mod request;

pub use extract::{Json, Path, Query, json_response};
pub use request::{RequestMeta, request_context};

use crate::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, header};

/// The strong ETag for a record version: `"7"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

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
