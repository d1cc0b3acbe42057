//! The one redaction step every directory output passes through: JSON, GeoJSON, exports,
//! history. Design rule ("Confidential locations"): a reader without
//! `view_confidential_locations` never gets a confidential entry's street address, postal code
//! or point; they get the distance rounded to the kilometre, the coarse area (locality,
//! region) and the intake phone.

use fieldline_wire::directory::Entry;

/// Who is reading, as far as redaction cares.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub sees_confidential: bool,
}

impl Viewer {
    pub fn from_actor(actor: &crate::auth::Actor) -> Viewer {
        Viewer {
            sees_confidential: actor.can(crate::auth::Permission::ViewConfidentialLocations),
        }
    }
}

pub fn redact(mut e: Entry, viewer: Viewer) -> Entry {
    if e.confidential && !viewer.sees_confidential {
        e.location = None;
        e.address.street.clear();
        e.address.postal_code.clear();
        e.distance_m = e.distance_m.map(round_to_km);
        e.redacted = true;
    }
    e
}

/// Nearest whole kilometre, never below one (0 km would say "right here").
pub fn round_to_km(metres: f64) -> f64 {
    (metres / 1000.0).round().max(1.0) * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(round_to_km(0.0), 1000.0);
        assert_eq!(round_to_km(1499.0), 1000.0);
        assert_eq!(round_to_km(1500.0), 2000.0);
        assert_eq!(round_to_km(23_456.7), 23_000.0);
    }
}
