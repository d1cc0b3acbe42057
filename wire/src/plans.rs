//! Safety plans: what a victim decided to do to stay safe, in their own words, section by
//! section. One plan per person; every save is a new version and old versions stay readable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One item of a plan's list: 1 to 500 characters, not only spaces, no control characters but
/// tabs and line breaks. Only the document's name for such strings.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(
    max_length = 500,
    pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
)]
pub struct PlanItem(pub String);

/// The plan itself: each section a list of items the victim chose. Every field may be left
/// out (empty). Sealed at rest as one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct SafetyPlanContent {
    /// Signs that things are about to get dangerous.
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub warning_signs: Vec<String>,
    /// Where to go in an emergency.
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub safe_places: Vec<String>,
    /// A word agreed with trusted people that means "call for help".
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub code_word: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub emergency_contacts: Vec<EmergencyContact>,
    pub leaving: Leaving,
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub children: Vec<String>,
    /// Phone, accounts, location sharing, trackers.
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub technology: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub work_or_school: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub support_and_self_care: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 40,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub phone: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub relationship: Option<String>,
}

/// Getting out: what to pack, which papers to take, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Leaving {
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub go_bag: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
    pub documents: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<PlanItem>))]
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
