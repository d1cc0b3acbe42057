//! The types that cross the UniFFI boundary (Kotlin, Swift, Python).

use crate::BridgeError;
use crate::agency::DistanceUnit;

/// Errors as the app acts on them.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum FieldlineError {
    /// No connection, or no answer in time. Changes are kept; try again later.
    #[error("the server could not be reached")]
    Offline,
    /// Sign in again.
    #[error("not signed in, or the session ended")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Show each message next to its field (`pointer` is a JSON Pointer into the request).
    #[error("invalid input")]
    Validation { errors: Vec<FieldIssue> },
    /// Someone changed the record first; the server holds `server_version`.
    #[error("the record changed on the server")]
    Conflict { server_version: Option<i64> },
    #[error("too many attempts")]
    RateLimited { retry_after_secs: Option<u64> },
    /// Any other problem the server answered with; quote `instance` when asking for help.
    #[error("the server answered {status}")]
    Server {
        status: u16,
        problem_type: String,
        instance: Option<String>,
    },
    #[error("unexpected response: {message}")]
    Protocol { message: String },
    /// The on-device database failed (full disk, wrong key).
    #[error("on-device storage: {message}")]
    Storage { message: String },
    /// Changes not yet sent are on this device: sync first, or sign out discarding them (or,
    /// at sign-in, they belong to another user who must sign in and sync first).
    #[error("{count} changes are waiting to be sent")]
    PendingChanges { count: u32 },
    /// The app passed something malformed (not a UUID, not a contact).
    #[error("invalid argument: {message}")]
    InvalidArgument { message: String },
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FieldIssue {
    pub pointer: String,
    pub message: String,
}

impl From<BridgeError> for FieldlineError {
    fn from(e: BridgeError) -> Self {
        match e {
            BridgeError::Offline => FieldlineError::Offline,
            BridgeError::Unauthorized(_) => FieldlineError::Unauthorized,
            BridgeError::Forbidden(_) => FieldlineError::Forbidden,
            BridgeError::NotFound(_) => FieldlineError::NotFound,
            BridgeError::Validation(errors) => FieldlineError::Validation {
                errors: errors
                    .into_iter()
                    .map(|f| FieldIssue {
                        pointer: f.pointer,
                        message: f.message,
                    })
                    .collect(),
            },
            BridgeError::Conflict {
                current_version, ..
            } => FieldlineError::Conflict {
                server_version: current_version,
            },
            BridgeError::RateLimited {
                retry_after_secs, ..
            } => FieldlineError::RateLimited { retry_after_secs },
            BridgeError::Server(p) => FieldlineError::Server {
                status: p.status,
                problem_type: p.kind,
                instance: p.instance,
            },
            BridgeError::Protocol(message) => FieldlineError::Protocol { message },
            BridgeError::Storage(message) => FieldlineError::Storage { message },
        }
    }
}

/// Who is signed in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SignedIn {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub agency_id: String,
    pub agency_name: String,
    /// `advocate`, `coordinator`, `housing_manager`, `admin`.
    pub roles: Vec<String>,
    /// The number to call when an alert cannot be delivered.
    pub coordinator_fallback_phone: Option<String>,
    /// The agency's emergency number (`911`), offered with the coordinator's.
    pub emergency_number: Option<String>,
    /// The agency's IANA time zone: show every time in it (`local_time`).
    pub time_zone: String,
    /// The unit to show distances in (`format_distance`).
    pub distance_unit: DistanceUnit,
}

/// A change stored in the outbox.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Queued {
    /// The change's own id (its idempotency key).
    pub mutation_id: String,
    /// The record it changes (the contact's id, the person's id for a plan).
    pub record_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OutboxState {
    /// Waiting for a connection.
    Pending,
    /// Someone changed the record first: show both versions, call `resolve_conflict`.
    Conflict,
    /// The server refused it (see `last_error`): fix and save again, or discard.
    Rejected,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OutboxItem {
    pub mutation_id: String,
    /// `contact`, `safety_plan`, `alert`, `duress`.
    pub kind: String,
    pub record_id: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The version the user edited, if any.
    pub base_version: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The user's side (the request JSON).
    pub mine_json: String,
    /// On conflict: the server's version and record JSON.
    pub server_version: Option<i64>,
    pub server_json: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Outbox items the server accepted.
    pub sent: u32,
    pub conflicts: u32,
    pub rejected: u32,
    /// Still waiting (no connection during the sync).
    pub pending: u32,
    /// Records received, and removed (deleted or no longer visible).
    pub received: u32,
    pub deleted: u32,
}

/// A record readable offline: `json` is the wire JSON, `age_seconds` how old it is.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CachedRecord {
    pub id: String,
    pub version: Option<i64>,
    pub json: String,
    pub synced_at_ms: i64,
    pub age_seconds: i64,
}

/// Directory results (`EntryList` JSON), fresh or from the cache with their age.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NearbyResult {
    pub entries_json: String,
    pub fetched_at_ms: i64,
    pub age_seconds: i64,
    pub from_cache: bool,
}

/// What happened to an alert the user raised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AlertOutcome {
    /// The server has it: the coordinator is being notified.
    Delivered { alert_id: String },
    /// No connection: offer to call the coordinator (`tel:` the fallback phone) and the
    /// emergency number now, both the agency's as of the last sign-in or sync. The bridge
    /// keeps trying and calls `AlertObserver.alert_delivered` when it lands.
    NotDelivered {
        alert_id: String,
        coordinator_fallback_phone: Option<String>,
        emergency_number: Option<String>,
    },
}
