//! What an agency admin uses to manage people and read the audit log.

use crate::values::{Email, Grant, NewPassword, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /v1/admin/users`: a new person in the admin's own agency.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: Email,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub display_name: String,
    /// Initial password, handed to the person out of band.
    pub password: NewPassword,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub grants: Vec<Grant>,
}

/// `PATCH /v1/admin/users/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub roles: Option<Vec<Role>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<Grant>>,
    /// `true` disables sign-in and ends every session; `false` re-enables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Their work phone, which colleagues see on alerts they raise and on call (3 to 40
    /// characters: digits, spaces, `+`, `-`, `(`, `)`, `.`, at least 3 digits); `""` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 40, pattern = "^ *$|^[ +().-]*([0-9][ +().-]*){3,}$")
    )]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub email: Email,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Grants given explicitly (role defaults are not listed here).
    pub grants: Vec<Grant>,
    pub disabled: bool,
    /// Work phone, if on file.
    #[serde(default)]
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserList {
    pub users: Vec<User>,
}

/// Answer to `POST /v1/admin/users/{id}/revoke-sessions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokedSessions {
    pub revoked: i64,
}

/// One line of the audit log. `details` never holds personal data: it names what changed,
/// not the values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` to read older entries; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// `PUT /v1/admin/agency`: the agency's settings an admin may change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgencySettings {
    /// The coordinator line phones offer when an alert cannot be delivered (3 to 40
    /// characters: digits, spaces, `+`, `-`, `(`, `)`, `.`); `null` removes it.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 40, pattern = "^[ +().-]*([0-9][ +().-]*){3,}$")
    )]
    pub coordinator_fallback_phone: Option<String>,
    /// The emergency number phones offer with the coordinator line when a duress alert cannot
    /// be sent (e.g. `911`; same characters, at least 3 digits). Absent: unchanged; `""`
    /// removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 40, pattern = "^ *$|^[ +().-]*([0-9][ +().-]*){3,}$")
    )]
    pub emergency_number: Option<String>,
    /// The unit screens show distances in. Absent: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_unit: Option<crate::auth::DistanceUnit>,
}

/// A background item (a missed check-out, an alert request, an escalation) that failed: it
/// is retried with backoff, and parked after its last attempt, for an admin to look into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerFailure {
    /// `checkin_overdue`, `alert_request` or `alert_escalation`.
    pub job: String,
    /// The check-in, alert request or alert.
    pub item_id: Uuid,
    pub attempts: i32,
    /// What failed (error class, constraint, table; never data).
    pub last_error: String,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
    /// When it is tried again; absent once parked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was parked: no more attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parked_at: Option<DateTime<Utc>>,
}

/// `GET /v1/admin/worker-failures`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerFailureList {
    pub failures: Vec<WorkerFailure>,
}
