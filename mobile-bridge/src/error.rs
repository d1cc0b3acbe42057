use fieldline_wire::{FieldError, Problem};

/// What can go wrong talking to the server, in the terms the app must act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BridgeError {
    /// No connection, no answer in time, an answer cut short, or an answer that did not come
    /// from the server (a captive portal's page): keep the work and try later.
    #[error("the server could not be reached")]
    Offline,
    /// Credentials are missing, wrong, expired or revoked: sign in again.
    #[error("not signed in, or the session ended")]
    Unauthorized(Box<Problem>),
    #[error("not allowed")]
    Forbidden(Box<Problem>),
    #[error("not found")]
    NotFound(Box<Problem>),
    /// The request had invalid fields; show them next to the inputs.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Someone changed the record first; `current_version` is the server's.
    #[error("the record changed on the server")]
    Conflict {
        current_version: Option<i64>,
        problem: Box<Problem>,
    },
    #[error("too many attempts; retry in {retry_after_secs:?} s")]
    RateLimited {
        retry_after_secs: Option<u64>,
        problem: Box<Problem>,
    },
    /// Any other problem the server answered with.
    #[error("the server answered {}", .0.status)]
    Server(Box<Problem>),
    /// The answer was not what this client understands (a version mismatch).
    #[error("unexpected response: {0}")]
    Protocol(String),
    /// The on-device database failed (full disk, wrong key, corrupt file).
    #[error("on-device storage: {0}")]
    Storage(String),
}

impl BridgeError {
    /// Whether trying the same request again later may succeed: a transport failure, or the
    /// server (or a proxy in front of it) is unable to answer now (5xx, 408).
    pub fn is_transient(&self) -> bool {
        match self {
            BridgeError::Offline => true,
            BridgeError::Server(p) => p.status >= 500 || p.status == 408,
            _ => false,
        }
    }

    /// Whether the server refused the request itself, for good: a 4xx problem about it
    /// (invalid, forbidden, not found, too large...). Not a conflict (the user decides), not
    /// a missing session or a rate limit (about the caller, not the record), never a
    /// transport failure or an answer this client could not read.
    pub fn is_refusal(&self) -> bool {
        match self {
            BridgeError::Forbidden(_) | BridgeError::NotFound(_) | BridgeError::Validation(_) => {
                true
            }
            BridgeError::Server(p) => (400..500).contains(&p.status) && !self.is_transient(),
            _ => false,
        }
    }

    /// The server's problem document, when it sent one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            BridgeError::Unauthorized(p)
            | BridgeError::Forbidden(p)
            | BridgeError::NotFound(p)
            | BridgeError::Server(p) => Some(p),
            BridgeError::Conflict { problem, .. } | BridgeError::RateLimited { problem, .. } => {
                Some(problem)
            }
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for BridgeError {
    fn from(e: rusqlite::Error) -> Self {
        BridgeError::Storage(e.to_string())
    }
}
