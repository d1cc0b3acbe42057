//! `GET /v1/sync`: what changed since the phone last asked.

use crate::contacts::{Contact, Person};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One changed record. `deleted` (a tombstone) means: drop it from the device, because it was
/// deleted, purged, or is no longer visible to this user (e.g. sealed to a team).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncChange {
    /// `contact`, `person` or `safety_plan`.
    pub record_type: String,
    pub id: Uuid,
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    /// The current safety plan (`SafetyPlan` of the plans API) of the person `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_plan: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncPage {
    pub changes: Vec<SyncChange>,
    /// Opaque; send it back as `cursor` next time.
    pub cursor: String,
    /// More changes are waiting: ask again at once with the new cursor.
    pub more: bool,
}
