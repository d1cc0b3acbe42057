//! Safety plans: what a victim decided to do to stay safe, in their own words, section by
//! section. One plan per person; every save is a new version and old versions stay readable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The plan itself: each section a list of items the victim chose. Every field may be left
/// out (empty). Sealed at rest as one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct SafetyPlanContent {
    /// Signs that things are about to get dangerous.
    pub warning_signs: Vec<String>,
    /// Where to go in an emergency.
    pub safe_places: Vec<String>,
    /// A word agreed with trusted people that means "call for help".
    pub code_word: Option<String>,
    pub emergency_contacts: Vec<EmergencyContact>,
    pub leaving: Leaving,
    pub children: Vec<String>,
    /// Phone, accounts, location sharing, trackers.
    pub technology: Vec<String>,
    pub work_or_school: Vec<String>,
    pub support_and_self_care: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub relationship: Option<String>,
}

/// Getting out: what to pack, which papers to take, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Leaving {
    pub go_bag: Vec<String>,
    pub documents: Vec<String>,
    pub plan: Vec<String>,
}

/// One version of a person's plan. `ETag` is its version; send it as `If-Match` to save the
/// next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyPlan {
    /// The plan's id (what `/v1/sync` reports as a `safety_plan` change).
    pub id: Uuid,
    pub person_id: Uuid,
    pub version: i64,
    pub content: SafetyPlanContent,
    pub saved_by: Uuid,
    pub saved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyPlanVersionSummary {
    pub version: i64,
    pub saved_by: Uuid,
    pub saved_at: DateTime<Utc>,
}

/// Every saved version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyPlanHistory {
    pub versions: Vec<SafetyPlanVersionSummary>,
}
