//! Advocate safety at a scene: check-in with an expected end, check-out, duress.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /v1/safety/checkins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartCheckin {
    /// Chosen by the phone.
    pub id: Uuid,
    pub expected_end_at: DateTime<Utc>,
    /// Minutes after `expected_end_at` before a missing check-out raises an alert (0 to 120).
    #[serde(default = "default_grace")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 120))]
    pub grace_minutes: i32,
}

fn default_grace() -> i32 {
    15
}

/// `POST /v1/safety/checkins/{id}/extend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtendCheckin {
    pub expected_end_at: DateTime<Utc>,
}

/// `POST /v1/safety/checkins/{id}/location`: where the phone is now (kept sealed, shown to the
/// coordinator only if an alert is raised).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationReport {
    #[cfg_attr(feature = "openapi", schema(minimum = -90, maximum = 90))]
    pub latitude: f64,
    #[cfg_attr(feature = "openapi", schema(minimum = -180, maximum = 180))]
    pub longitude: f64,
    pub precision_m: u32,
}

/// `POST /v1/safety/checkins/{id}/checkout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Checkout {
    /// The advocate's code as typed on the check-out screen. Their duress code checks out
    /// visibly like any other and raises an alert silently.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkin {
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    pub expected_end_at: DateTime<Utc>,
    pub grace_minutes: i32,
    /// `active`, `checked_out` or `overdue`.
    pub state: String,
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// `PUT /v1/safety/duress-code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuressCode {
    /// 4 to 32 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 4, max_length = 32))]
    pub code: String,
}

/// `POST /v1/safety/duress`: raise an advocate-safety alert now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Duress {
    /// Chosen by the phone, so a retried button press raises one alert.
    pub id: Uuid,
    #[serde(default)]
    pub location: Option<LocationReport>,
}
