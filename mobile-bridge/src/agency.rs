//! The agency's settings a phone follows (from `/v1/me`, kept on the device so they hold
//! offline too): the unit distances are shown in, the numbers to call when an alert cannot be
//! sent, and the time zone every time is shown in. And the two helpers that apply them, so
//! every app rounds and labels the same way (and the same way as the web app).

use crate::FieldlineError;
use chrono::DateTime;
use chrono_tz::Tz;
use fieldline_wire::auth;

/// The unit screens show distances in (the API always gives metres): miles for US agencies,
/// kilometres elsewhere. An enum rather than a `"km"`/`"mi"` string so Kotlin `when` and Swift
/// `switch` are checked for every case and a typo cannot compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DistanceUnit {
    Km,
    Mi,
}

impl From<auth::DistanceUnit> for DistanceUnit {
    fn from(u: auth::DistanceUnit) -> Self {
        match u {
            auth::DistanceUnit::Km => DistanceUnit::Km,
            auth::DistanceUnit::Mi => DistanceUnit::Mi,
        }
    }
}

impl DistanceUnit {
    /// As the API spells it (and as the device stores it).
    pub fn as_str(self) -> &'static str {
        match self {
            DistanceUnit::Km => "km",
            DistanceUnit::Mi => "mi",
        }
    }

    pub fn parse(s: &str) -> Option<DistanceUnit> {
        match s {
            "km" => Some(DistanceUnit::Km),
            "mi" => Some(DistanceUnit::Mi),
            _ => None,
        }
    }
}

/// The signed-in user's agency settings, as of the last sign-in or sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AgencySettings {
    /// IANA time zone (`America/Denver`): show every time in it, with its abbreviation
    /// (`local_time`), whatever zone the phone is set to.
    pub time_zone: String,
    /// The coordinator line to offer when an alert cannot be sent.
    pub coordinator_fallback_phone: Option<String>,
    /// The emergency number to offer with it (`911`, `112`), if the agency set one.
    pub emergency_number: Option<String>,
    pub distance_unit: DistanceUnit,
}

const METRES_PER_MILE: f64 = 1609.344;
const FEET_PER_METRE: f64 = 1.0 / 0.3048;

/// A distance the API gave in metres, as the agency's screens show it:
///
/// - kilometres: under 1 km, metres to the nearest 10 (`"650 m"`); under 10 km, kilometres
///   with one decimal (`"1.2 km"`); from 10 km, whole kilometres (`"12 km"`);
/// - miles: under 0.1 mi (528 ft), feet to the nearest 10 (`"330 ft"`, at most `"530 ft"`);
///   under 10 mi, miles with one decimal (`"0.4 mi"`); from 10 mi, whole miles (`"12 mi"`).
///
/// Halves round away from zero, and a value is placed by its rounded form: 995 m is
/// `"1.0 km"`, never `"1000 m"`; 9.95 km is `"10 km"`, never `"10.0 km"`. A negative or
/// non-finite distance is unknown: `"—"` (never a reassuring `"0 m"`).
#[uniffi::export]
pub fn format_distance(metres: f64, unit: DistanceUnit) -> String {
    if !metres.is_finite() || metres < 0.0 {
        return "—".to_owned();
    }
    let tens = |x: f64| (x / 10.0).round() * 10.0;
    let (unit_metres, name) = match unit {
        DistanceUnit::Km => {
            let m = tens(metres);
            if m < 1000.0 {
                return format!("{m:.0} m");
            }
            (1000.0, "km")
        }
        DistanceUnit::Mi => {
            let miles = metres / METRES_PER_MILE;
            if miles < 0.1 {
                return format!("{:.0} ft", tens(metres * FEET_PER_METRE));
            }
            (METRES_PER_MILE, "mi")
        }
    };
    // Divided once, so a value such as 9950 m meets the rounding exactly.
    let tenths = (metres / (unit_metres / 10.0)).round();
    if tenths < 100.0 {
        format!("{:.1} {name}", tenths / 10.0)
    } else {
        format!("{:.0} {name}", (metres / unit_metres).round())
    }
}

/// An instant (RFC 3339, as the API gives times: `2026-12-05T15:00:00Z`) on the clock of
/// `time_zone` (IANA, the agency's `time_zone`), with the weekday and the zone's abbreviation
/// at that instant: `"Sat 08:00 MST"`, `"Sat 08:00 MDT"` in summer. 24-hour clock, English
/// weekday, like the web app's schedules; the abbreviation is the time zone database's (a
/// zone without one shows its offset, `"+04"`). `InvalidArgument` if either does not parse.
#[uniffi::export]
pub fn local_time(rfc3339: String, time_zone: String) -> Result<String, FieldlineError> {
    let at = DateTime::parse_from_rfc3339(rfc3339.trim()).map_err(|e| {
        FieldlineError::InvalidArgument {
            message: format!("not an RFC 3339 time: {e}"),
        }
    })?;
    let zone: Tz = time_zone
        .parse()
        .map_err(|_| FieldlineError::InvalidArgument {
            message: format!("not an IANA time zone: {time_zone}"),
        })?;
    Ok(at.with_timezone(&zone).format("%a %H:%M %Z").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use DistanceUnit::{Km, Mi};

    #[test]
    fn kilometres_metres_below_one_km_one_decimal_below_ten() {
        assert_eq!(format_distance(0.0, Km), "0 m");
        assert_eq!(format_distance(4.9, Km), "0 m");
        assert_eq!(format_distance(5.0, Km), "10 m");
        assert_eq!(format_distance(648.0, Km), "650 m");
        assert_eq!(format_distance(994.9, Km), "990 m");
        assert_eq!(format_distance(995.0, Km), "1.0 km", "never 1000 m");
        assert_eq!(format_distance(1234.0, Km), "1.2 km");
        assert_eq!(format_distance(1250.0, Km), "1.3 km");
        assert_eq!(format_distance(9949.0, Km), "9.9 km");
        assert_eq!(format_distance(9950.0, Km), "10 km", "never 10.0 km");
        assert_eq!(format_distance(12_499.0, Km), "12 km");
        assert_eq!(format_distance(80_467.2, Km), "80 km");
    }

    #[test]
    fn miles_feet_below_a_tenth_one_decimal_below_ten() {
        assert_eq!(format_distance(0.0, Mi), "0 ft");
        assert_eq!(format_distance(100.0, Mi), "330 ft");
        assert_eq!(format_distance(160.0, Mi), "520 ft", "0.0994 mi");
        assert_eq!(format_distance(161.0, Mi), "0.1 mi", "0.10004 mi");
        assert_eq!(format_distance(650.0, Mi), "0.4 mi");
        assert_eq!(format_distance(1609.344, Mi), "1.0 mi");
        assert_eq!(format_distance(15_999.0, Mi), "9.9 mi");
        assert_eq!(format_distance(16_013.0, Mi), "10 mi", "9.95 mi");
        assert_eq!(format_distance(80_467.2, Mi), "50 mi");
    }

    #[test]
    fn an_unknown_distance_is_not_shown_as_zero() {
        for m in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(format_distance(m, Km), "—");
            assert_eq!(format_distance(m, Mi), "—");
        }
    }

    #[test]
    fn local_time_names_the_zone_across_daylight_saving() {
        let denver = |t: &str| local_time(t.into(), "America/Denver".into()).unwrap();
        assert_eq!(denver("2026-12-05T15:00:00Z"), "Sat 08:00 MST");
        assert_eq!(denver("2026-12-05T08:00:00-07:00"), "Sat 08:00 MST");
        assert_eq!(denver("2026-07-04T14:00:00.123456Z"), "Sat 08:00 MDT");
        // Spring forward (8 March 2026, 02:00 MST → 03:00 MDT): one minute apart.
        assert_eq!(denver("2026-03-08T08:59:00Z"), "Sun 01:59 MST");
        assert_eq!(denver("2026-03-08T09:00:00Z"), "Sun 03:00 MDT");
        // Fall back (1 November 2026): 01:30 happens twice, told apart by the abbreviation.
        assert_eq!(denver("2026-11-01T07:30:00Z"), "Sun 01:30 MDT");
        assert_eq!(denver("2026-11-01T08:30:00Z"), "Sun 01:30 MST");
        assert_eq!(
            local_time("2026-12-05T15:00:00Z".into(), "Europe/Berlin".into()).unwrap(),
            "Sat 16:00 CET"
        );
    }

    #[test]
    fn local_time_refuses_what_it_cannot_read() {
        for (t, z) in [
            ("2026-12-05 15:00", "America/Denver"),
            ("2026-12-05T15:00:00Z", "Mountain Time"),
            ("2026-12-05T15:00:00Z", ""),
        ] {
            assert!(
                matches!(
                    local_time(t.into(), z.into()),
                    Err(FieldlineError::InvalidArgument { .. })
                ),
                "{t} in {z}"
            );
        }
    }

    #[test]
    fn the_unit_round_trips_through_its_stored_name() {
        for u in [Km, Mi] {
            assert_eq!(DistanceUnit::parse(u.as_str()), Some(u));
        }
        assert_eq!(DistanceUnit::parse("furlongs"), None);
        assert_eq!(DistanceUnit::from(auth::DistanceUnit::Mi), Mi);
        assert_eq!(DistanceUnit::from(auth::DistanceUnit::Km), Km);
    }
}
