//! On-call schedules: who the escalation reaches when a level targets a schedule.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `PUT /v1/oncall/schedules/{id}`: a rotation of people handing off every `shift_days` days at
/// `handoff_time` (wall-clock time in `time_zone`), from `start_date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub name: String,
    pub time_zone: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub user_ids: Vec<Uuid>,
    /// 1 for daily hand-offs, 7 for weekly.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 28))]
    pub shift_days: i32,
    /// `HH:MM`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub handoff_time: String,
    pub start_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: Uuid,
    /// As set (not flattened: `ScheduleInput` refuses unknown fields, which serde cannot
    /// combine with `flatten`).
    pub schedule: ScheduleInput,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleList {
    pub schedules: Vec<Schedule>,
}

/// Who is on call at an instant, and from when to when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnCall {
    pub user_id: Option<Uuid>,
    /// The person's display name (staff, never victim data), so screens show a name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Their work phone, if on file: how to reach whoever is on call.
    #[serde(default)]
    pub phone: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// True when an override, not the rotation, puts this person on call.
    pub overridden: bool,
}

/// `POST /v1/oncall/schedules/{id}/overrides`: "I'll cover from T1 to T2".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    pub user_id: Uuid,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftView {
    pub user_id: Uuid,
    /// The person's display name (staff, never victim data); empty from older servers.
    #[serde(default)]
    pub display_name: String,
    /// Their work phone, if on file.
    #[serde(default)]
    pub phone: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// An override's id (to take it back: `DELETE /v1/oncall/overrides/{id}`); `null` for a
    /// rotation shift.
    #[serde(default)]
    pub override_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftList {
    /// The rotation's shifts in the window; overrides are listed apart and win where they
    /// overlap.
    pub shifts: Vec<ShiftView>,
    pub overrides: Vec<ShiftView>,
}

/// One stretch of time the signed-in person is on call on one schedule: a rotation shift with
/// any overrides by others cut out, or an override they took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyShift {
    pub schedule_id: Uuid,
    pub schedule_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// True when an override, not the rotation, puts this person on call.
    pub overridden: bool,
    /// Stable for the same stretch across requests; the calendar feed's `UID`.
    pub uid: String,
}

/// `GET /v1/oncall/me/shifts`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyShiftList {
    pub shifts: Vec<MyShift>,
}

/// `POST /v1/oncall/me/calendar-feed`: a new secret feed URL (any older one stops working).
/// The token is shown once; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    /// Path of the feed under the API's origin, e.g. `/v1/oncall/calendar/<token>.ics`.
    pub path: String,
    pub created_at: DateTime<Utc>,
}

/// `GET /v1/oncall/me/calendar-feed`: whether a feed URL exists (never the URL itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeedStatus {
    pub active: bool,
    pub created_at: Option<DateTime<Utc>>,
}
