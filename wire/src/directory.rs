//! The shelter and safe-housing directory: what advocates search and housing staff keep.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What kind of place an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Shelter,
    DvShelter,
    SafeHouse,
    EmergencyHousing,
    TransitionalHousing,
    HotelVoucher,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Shelter,
        EntryKind::DvShelter,
        EntryKind::SafeHouse,
        EntryKind::EmergencyHousing,
        EntryKind::TransitionalHousing,
        EntryKind::HotelVoucher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Shelter => "shelter",
            EntryKind::DvShelter => "dv_shelter",
            EntryKind::SafeHouse => "safe_house",
            EntryKind::EmergencyHousing => "emergency_housing",
            EntryKind::TransitionalHousing => "transitional_housing",
            EntryKind::HotelVoucher => "hotel_voucher",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether an entry takes people now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Open,
    Full,
    TemporarilyClosed,
    Closed,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 4] = [
        EntryStatus::Open,
        EntryStatus::Full,
        EntryStatus::TemporarilyClosed,
        EntryStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Open => "open",
            EntryStatus::Full => "full",
            EntryStatus::TemporarilyClosed => "temporarily_closed",
            EntryStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        EntryStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who an entry takes. Empty `genders` means anyone; ages are inclusive, in years.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// e.g. `women`, `men`, `nonbinary`, `transgender`; empty = any.
    #[serde(default)]
    pub genders: Vec<String>,
    #[serde(default)]
    pub min_age: Option<i32>,
    #[serde(default)]
    pub max_age: Option<i32>,
    #[serde(default)]
    pub accepts_children: bool,
    #[serde(default)]
    pub accepts_pets: bool,
    #[serde(default)]
    pub wheelchair_accessible: bool,
    /// ISO 639-1 codes of languages staff speak, e.g. `en`, `es`.
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// One opening span in the entry's local time. `day` is ISO (1 = Monday … 7 = Sunday);
/// `opens`/`closes` are `HH:MM`; `closes` may be `24:00`, and a span whose `closes` is
/// earlier than `opens` runs past midnight into the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpeningSpan {
    pub day: u8,
    pub opens: String,
    pub closes: String,
}

/// When intake answers. `open_24_7` overrides `spans`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// IANA time zone the spans are in, e.g. `America/Denver`.
    pub time_zone: String,
    #[serde(default)]
    pub open_24_7: bool,
    #[serde(default)]
    pub spans: Vec<OpeningSpan>,
}

/// A postal address. `street` is the part a confidential entry never shows to those without
/// the `view_confidential_locations` grant; `locality` and `region` are its coarse area.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub locality: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    #[serde(default = "default_country")]
    pub country: String,
}

fn default_country() -> String {
    "US".to_owned()
}

/// WGS 84 coordinates in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

/// What housing staff write: `POST /v1/directory/entries` and `PUT /v1/directory/entries/{id}`
/// (with `If-Match`). The same shape is one row of a bulk import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub name: String,
    pub kind: EntryKind,
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub description: String,
    pub location: Coordinates,
    #[serde(default)]
    pub address: Address,
    #[serde(default)]
    pub service_area: String,
    pub intake_phone: String,
    #[serde(default)]
    pub website: Option<String>,
    pub hours: Hours,
    #[serde(default)]
    pub eligibility: Eligibility,
    #[serde(default)]
    pub capacity: Option<i32>,
    #[serde(default)]
    pub beds_available: Option<i32>,
    pub status: EntryStatus,
    #[serde(default)]
    pub confidential: bool,
    /// Visible to every agency (a shelter serves many); `false` keeps it to the owner agency.
    #[serde(default = "yes")]
    pub shared: bool,
    /// The id in the system the entry was imported from; re-importing updates by it.
    #[serde(default)]
    pub external_id: Option<String>,
}

fn yes() -> bool {
    true
}

/// `PATCH /v1/directory/entries/{id}/availability`: the one-tap update from a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AvailabilityUpdate {
    pub beds_available: Option<i32>,
    #[serde(default)]
    pub status: Option<EntryStatus>,
}

/// An entry as the reader may see it. For a confidential entry and a reader without the
/// grant, `location` and `address.street` are absent, `distance_m` is rounded to the
/// kilometre and `redacted` is true.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    pub id: Uuid,
    pub owner_agency_id: Uuid,
    pub name: String,
    pub kind: EntryKind,
    pub organization: String,
    pub description: String,
    pub location: Option<Coordinates>,
    pub address: Address,
    pub service_area: String,
    pub intake_phone: String,
    pub website: Option<String>,
    pub hours: Hours,
    pub eligibility: Eligibility,
    pub capacity: Option<i32>,
    pub beds_available: Option<i32>,
    pub availability_updated_at: Option<DateTime<Utc>>,
    pub status: EntryStatus,
    pub confidential: bool,
    pub shared: bool,
    pub external_id: Option<String>,
    pub version: i64,
    pub retired: bool,
    /// Set by location searches: metres from the search point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// Set by searches: whether intake is open at the time searched for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_now: Option<bool>,
    /// Seconds since availability was last updated (`null` if never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_age_s: Option<i64>,
    /// True when confidential details were removed for this reader.
    pub redacted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryList {
    pub entries: Vec<Entry>,
    /// Availability not updated for longer than this many seconds (or never) is stale: the
    /// server's `FIELDLINE_DIRECTORY_STALE_HOURS`, so every screen flags the same places.
    /// Absent from servers older than this field: their default, 24 hours.
    #[serde(default = "default_stale_after_s")]
    pub stale_after_s: i64,
}

/// `GET /v1/directory/entries`: one page of the caller's agency's own places, by name then id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryPage {
    pub entries: Vec<Entry>,
    /// As in `EntryList`: availability older than this many seconds (or never given) is stale.
    #[serde(default = "default_stale_after_s")]
    pub stale_after_s: i64,
    /// Pass as `after` to read the next page; absent on the last page. Opaque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<String>,
}

fn default_stale_after_s() -> i64 {
    24 * 3600
}

/// `POST /v1/directory/import`: what an import did. Rows whose `external_id` the agency already
/// had updated those entries; the others created new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub created: i64,
    pub updated: i64,
}

/// `GET`/`PUT /v1/directory/entries/{id}/exact-location-agencies`: the other agencies whose
/// holders of `view_confidential_locations` may see this confidential place's street and exact
/// point. Kept by the owning agency's housing managers; the owner's own holders always may.
/// Naming an agency shows it nothing it could not find already: only shared places are seen
/// outside their agency. Each read of the exact location by a named agency is audited, for
/// both agencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExactLocationAgencies {
    /// Agency ids, at most 100, not the owner's own; answered sorted, without repeats.
    pub agencies: Vec<Uuid>,
}
