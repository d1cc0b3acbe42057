//! RFC 9457 problem details: the body of every error response.

use serde::{Deserialize, Serialize};

/// `application/problem+json`. `type` is a stable URN per kind of problem: clients branch on
/// it, never on `title` or `detail`, which are for people and may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request id of the failing request, to quote when asking for help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// One entry per invalid field, for validation problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Present on `precondition-failed` problems: the version the server holds now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// One invalid field: `pointer` is an RFC 6901 JSON Pointer into the request body (or the
/// name of a query parameter), `message` says what is wrong without echoing the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub pointer: String,
    pub message: String,
}

/// The stable problem `type`s Fieldline answers with.
pub mod types {
    pub const BAD_REQUEST: &str = "urn:fieldline:problem:bad-request";
    pub const MALFORMED_JSON: &str = "urn:fieldline:problem:malformed-json";
    pub const VALIDATION: &str = "urn:fieldline:problem:validation";
    pub const INVALID_QUERY: &str = "urn:fieldline:problem:invalid-query";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "urn:fieldline:problem:unsupported-media-type";
    pub const PAYLOAD_TOO_LARGE: &str = "urn:fieldline:problem:payload-too-large";
    pub const UNAUTHORIZED: &str = "urn:fieldline:problem:unauthorized";
    pub const INVALID_CREDENTIALS: &str = "urn:fieldline:problem:invalid-credentials";
    pub const FORBIDDEN: &str = "urn:fieldline:problem:forbidden";
    pub const NOT_FOUND: &str = "urn:fieldline:problem:not-found";
    pub const METHOD_NOT_ALLOWED: &str = "urn:fieldline:problem:method-not-allowed";
    pub const CONFLICT: &str = "urn:fieldline:problem:conflict";
    pub const PRECONDITION_FAILED: &str = "urn:fieldline:problem:precondition-failed";
    pub const PRECONDITION_REQUIRED: &str = "urn:fieldline:problem:precondition-required";
    pub const TOO_MANY_REQUESTS: &str = "urn:fieldline:problem:too-many-requests";
    pub const UNAVAILABLE: &str = "urn:fieldline:problem:unavailable";
    pub const INTERNAL: &str = "urn:fieldline:problem:internal";
}
