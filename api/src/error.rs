//! One error type for every handler. It becomes an RFC 9457 `application/problem+json`
//! response with a stable `type`; nothing else about the failure leaves the server.
//!
//! Rule: no message built here may contain a request's values (names, addresses, tokens).
//! Field errors say *what* is wrong with *which* field, never echo the field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldline_wire::problem::{FieldError, Problem, types};

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Something about the request is wrong that is not a single field (detail is ours).
    #[error("bad request")]
    BadRequest(&'static str),
    #[error("malformed JSON")]
    MalformedJson { line: usize, column: usize },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Query parameters that are unknown, malformed or out of range (400: the URL is wrong).
    #[error("invalid query parameters")]
    InvalidQuery(Vec<FieldError>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    /// Missing, malformed, expired or revoked credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// Sign-in failed. One answer for an unknown account and a wrong password.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    /// Also the answer for another agency's records: their existence is not revealed.
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict")]
    Conflict(&'static str),
    #[error("precondition failed")]
    PreconditionFailed { current_version: i64 },
    #[error("precondition required")]
    PreconditionRequired,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable(&'static str),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A single invalid field.
    pub fn field(pointer: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError {
            pointer: pointer.into(),
            message: message.into(),
        }])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_)
            | ApiError::MalformedJson { .. }
            | ApiError::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (kind, title, detail): (&str, &str, Option<String>) = match self {
            ApiError::BadRequest(d) => (types::BAD_REQUEST, "Bad request", Some((*d).to_owned())),
            ApiError::MalformedJson { line, column } => (
                types::MALFORMED_JSON,
                "The request body is not valid JSON",
                Some(format!("syntax error at line {line}, column {column}")),
            ),
            ApiError::Validation(_) => (
                types::VALIDATION,
                "The request has invalid fields",
                Some("see `errors` for each field".to_owned()),
            ),
            ApiError::InvalidQuery(_) => (
                types::INVALID_QUERY,
                "The query parameters are invalid",
                Some("see `errors` for each parameter".to_owned()),
            ),
            ApiError::UnsupportedMediaType => (
                types::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                Some("send the body as `Content-Type: application/json`".to_owned()),
            ),
            ApiError::PayloadTooLarge => (
                types::PAYLOAD_TOO_LARGE,
                "The request body is too large",
                None,
            ),
            ApiError::Unauthorized => (
                types::UNAUTHORIZED,
                "Authentication required",
                Some(
                    "send a valid, unexpired access token as `Authorization: Bearer …`".to_owned(),
                ),
            ),
            ApiError::InvalidCredentials => (
                types::INVALID_CREDENTIALS,
                "The e-mail address or password is not right",
                None,
            ),
            ApiError::Forbidden => (types::FORBIDDEN, "Your role does not allow this", None),
            ApiError::NotFound => (types::NOT_FOUND, "Not found", None),
            ApiError::MethodNotAllowed => (types::METHOD_NOT_ALLOWED, "Method not allowed", None),
            ApiError::Conflict(d) => (types::CONFLICT, "Conflict", Some((*d).to_owned())),
            ApiError::PreconditionFailed { .. } => (
                types::PRECONDITION_FAILED,
                "The record changed since you read it",
                Some(
                    "reload it, reapply your change, and send the new version in If-Match"
                        .to_owned(),
                ),
            ),
            ApiError::PreconditionRequired => (
                types::PRECONDITION_REQUIRED,
                "This change needs an If-Match header",
                Some("send the version you read as If-Match".to_owned()),
            ),
            ApiError::TooManyRequests { retry_after_secs } => (
                types::TOO_MANY_REQUESTS,
                "Too many attempts",
                Some(format!("try again in {retry_after_secs} seconds")),
            ),
            ApiError::Unavailable(d) => (
                types::UNAVAILABLE,
                "Service unavailable",
                Some((*d).to_owned()),
            ),
            ApiError::Internal(_) => (
                types::INTERNAL,
                "Something went wrong on our side",
                Some(
                    "the failure was logged; quote the request id when asking for help".to_owned(),
                ),
            ),
        };
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: self.status().as_u16(),
            detail,
            instance: None,
            errors: match self {
                ApiError::Validation(errors) | ApiError::InvalidQuery(errors) => errors.clone(),
                _ => Vec::new(),
            },
            current_version: match self {
                ApiError::PreconditionFailed { current_version } => Some(*current_version),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %crate::telemetry::redacted(e), "request failed");
        }
        let mut res = problem_response(self.to_problem());
        match &self {
            ApiError::TooManyRequests { retry_after_secs } => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::Unauthorized => {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::PreconditionFailed { current_version } => {
                if let Ok(v) = HeaderValue::from_str(&crate::http::etag::etag(*current_version)) {
                    res.headers_mut().insert(header::ETAG, v);
                }
            }
            _ => {}
        }
        res
    }
}

/// The response for a problem. The problem also rides along as an extension so the
/// request-id middleware can fill in `instance` without parsing the body.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res.extensions_mut().insert(problem);
    res
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // The database is down or a pooled connection died with it: retryable, not a bug.
            sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => ApiError::Unavailable("the database is not reachable"),
            // SQLSTATE classes 08 (connection exception) and 57 (operator intervention: the
            // server is shutting down or restarting).
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57")) =>
            {
                ApiError::Unavailable("the database is not reachable")
            }
            _ => ApiError::Internal(e.into()),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

/// Decodes an enum stored as its JSON name in a text column (`'on_scene'` → `Setting::OnScene`).
/// The column's CHECK constraint keeps it to known names, so a failure is a bug, not bad input.
pub fn from_stored<T: serde::de::DeserializeOwned>(s: &str) -> ApiResult<T> {
    parse_stored(s).map_err(ApiError::Internal)
}

/// [`from_stored`] for stores, which answer in their own errors: the same parse, the same
/// message, as an `anyhow::Error` (a store's `Unreadable`).
pub fn parse_stored<T: serde::de::DeserializeOwned>(s: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| anyhow::anyhow!("unexpected stored value"))
}

/// Turns a violation of a named unique or check constraint into a domain answer, the way
/// launchbadge's realworld example maps unique violations to 422.
pub trait OnConstraint<T> {
    fn on_constraint(self, name: &str, f: impl FnOnce() -> ApiError) -> Result<T, ApiError>;
}

impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
    fn on_constraint(self, name: &str, f: impl FnOnce() -> ApiError) -> Result<T, ApiError> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.constraint() == Some(name) => f(),
            _ => e.into(),
        })
    }
}
