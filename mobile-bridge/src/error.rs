use fieldline_wire::{FieldError, Problem};

/// What can go wrong talking to the server, in the terms the app must act on.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// No connection, or no answer in time: keep the work and try later.
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
}

impl BridgeError {
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
