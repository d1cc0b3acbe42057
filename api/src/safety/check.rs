//! What a phone sends about a scene, checked: the expected end and a location.

use crate::encryption::{DataKeys, Field};
use crate::error::{ApiError, ApiResult};
use fieldline_wire::safety::LocationReport;
use serde_json::json;
use uuid::Uuid;

/// A scene's expected end: later than now, within a day.
pub fn check_end(end: chrono::DateTime<chrono::Utc>) -> ApiResult<()> {
    let now = chrono::Utc::now();
    if end > now && end <= now + chrono::Duration::hours(24) {
        Ok(())
    } else {
        Err(ApiError::field(
            "/expected_end_at",
            "must be in the next 24 hours",
        ))
    }
}

pub fn check_location(l: &LocationReport) -> ApiResult<()> {
    if l.latitude.is_finite()
        && l.latitude.abs() <= 90.0
        && l.longitude.is_finite()
        && l.longitude.abs() <= 180.0
    {
        Ok(())
    } else {
        Err(ApiError::field("/latitude", "must be a WGS 84 position"))
    }
}

pub fn seal_location(keys: &DataKeys, id: Uuid, l: &LocationReport) -> ApiResult<Vec<u8>> {
    check_location(l)?;
    let doc = json!({ "latitude": l.latitude, "longitude": l.longitude, "precision_m": l.precision_m, "at": chrono::Utc::now() });
    Ok(keys.seal(
        &Field {
            name: "checkin.location",
            record: id,
        },
        &doc.to_string(),
    ))
}
