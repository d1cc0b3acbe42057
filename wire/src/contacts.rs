//! Crisis contacts: the advocate's record of an encounter, and the person it concerns.

use crate::screening::{ScreeningInput, ScreeningResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    OnScene,
    Hospital,
    Phone,
    Court,
    Office,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Open,
    FollowUp,
    Closed,
}

/// The person helped, within the agency. Only `pseudonym` appears in lists; the rest is
/// sealed at rest and shown only on the record itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Chosen by the phone, so a person can be created offline.
    pub id: Uuid,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub pseudonym: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 40, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub address: Option<String>,
}

/// How to reach the victim without putting them at risk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SafeContact {
    #[serde(default)]
    pub safe_phone: Option<String>,
    #[serde(default)]
    pub safe_times: Option<String>,
    #[serde(default)]
    pub no_voicemail: bool,
}

/// Where it happened, as precisely as the advocate chose to record it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncidentLocation {
    #[cfg_attr(feature = "openapi", schema(minimum = -90, maximum = 90))]
    pub latitude: f64,
    #[cfg_attr(feature = "openapi", schema(minimum = -180, maximum = 180))]
    pub longitude: f64,
    /// Metres: 10 for a GPS fix, 1000 for "somewhere in this neighbourhood".
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub precision_m: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub id: Uuid,
    /// A place in the directory, or
    #[serde(default)]
    pub directory_entry_id: Option<Uuid>,
    /// a free-text referral (sealed at rest).
    #[serde(default)]
    pub free_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub id: Uuid,
    pub task: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub done: bool,
}

/// Whom the victim agreed we may share with, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub share_with: Vec<String>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// A screening to record with the contact, with the phone's id so a replay adds nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreeningSubmission {
    pub id: Uuid,
    pub screening: ScreeningInput,
}

/// A code such as `domestic_violence` or `food`: lower-case letters, digits and underscores,
/// 1 to 50 of them. Only the document's name for such strings.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(pattern = "^[a-z0-9_]{1,50}$")]
pub struct Code(pub String);

/// `PUT /v1/contacts/{id}`: the whole record as the phone has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub occurred_at: DateTime<Utc>,
    pub setting: Setting,
    /// e.g. `domestic_violence`, `sexual_assault`, `homicide`, `stalking`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_]{1,50}$"))]
    pub incident_type: String,
    #[serde(default)]
    pub location: Option<IncidentLocation>,
    pub person: Person,
    #[serde(default)]
    pub safe_contact: Option<SafeContact>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 30, value_type = Vec<Code>))]
    pub needs: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 30, value_type = Vec<Code>))]
    pub services: Vec<String>,
    #[serde(default)]
    pub referrals: Vec<Referral>,
    #[serde(default)]
    pub follow_ups: Vec<FollowUp>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 20000, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub notes: Option<String>,
    #[serde(default)]
    pub consent: Option<Consent>,
    pub status: ContactStatus,
    /// New screenings; ones already recorded (by id) are left as they are.
    #[serde(default)]
    pub screenings: Vec<ScreeningSubmission>,
}

/// A screening as recorded: the answers and the server's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screening {
    pub id: Uuid,
    pub input: ScreeningInput,
    pub result: ScreeningResult,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A contact as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub advocate_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub setting: Setting,
    pub incident_type: String,
    pub location: Option<IncidentLocation>,
    pub person: Person,
    pub safe_contact: Option<SafeContact>,
    pub needs: Vec<String>,
    pub services: Vec<String>,
    pub referrals: Vec<Referral>,
    pub follow_ups: Vec<FollowUp>,
    pub notes: Option<String>,
    pub consent: Option<Consent>,
    pub status: ContactStatus,
    pub screenings: Vec<Screening>,
    pub sealed: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A line in a list of contacts: no personal fields, only the pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactSummary {
    pub id: Uuid,
    pub person_id: Uuid,
    pub pseudonym: String,
    pub advocate_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub setting: Setting,
    pub incident_type: String,
    pub status: ContactStatus,
    pub high_risk: bool,
    pub sealed: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactList {
    pub contacts: Vec<ContactSummary>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `PUT /v1/contacts/{id}/access` (admins): restrict a record to a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactAccess {
    pub sealed: bool,
    /// Who may see a sealed record besides the advocate who made it.
    #[serde(default)]
    pub team: Vec<Uuid>,
}
