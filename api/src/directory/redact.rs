//! The one redaction step every directory output passes through: JSON, GeoJSON, exports,
//! history. Design rule ("Confidential locations"): a reader who may not see a confidential
//! entry's exact location never gets its street address, postal code or point; they get the
//! distance rounded to the kilometre, the coarse area (locality, region) and the intake phone.
//!
//! Who may see it exactly is decided in ONE place, the SQL function
//! `directory_location_exact(entry, reader_agency, reader_holds_grant)` (migration
//! `20261204003000_confidential_scope.sql`): the reader holds `view_confidential_locations`
//! (`auth::policy`) **and** the entry is their agency's or its owner names their agency. Every
//! directory read selects that function's answer for each row as its `exact` flag, and
//! [`redact`] is fed that flag; nothing in Rust decides it again.

use fieldline_wire::directory::Entry;
use uuid::Uuid;

/// Who is reading, as the SQL rule takes them: their agency, and whether their roles or grants
/// give `view_confidential_locations` (the permission gates the rule; the agency scopes it).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub agency_id: Uuid,
    pub holds_grant: bool,
}

impl Viewer {
    pub fn from_actor(actor: &crate::auth::Actor) -> Viewer {
        Viewer {
            agency_id: actor.agency_id,
            holds_grant: actor.can(crate::auth::Permission::ViewConfidentialLocations),
        }
    }
}

/// `exact`: the row's `directory_location_exact(...)` as the query that read it computed it.
pub fn redact(mut e: Entry, exact: bool) -> Entry {
    if e.confidential && !exact {
        e.location = None;
        e.address.street.clear();
        e.address.postal_code.clear();
        e.distance_m = e.distance_m.map(round_to_km);
        e.redacted = true;
    }
    e
}

/// Whether a redacted-or-not entry shows another agency's confidential place exactly: such
/// reads are audited ([`super::exact::audit_reads`]).
pub fn exact_other_agency(e: &Entry, reader_agency: Uuid) -> bool {
    e.confidential && !e.redacted && e.owner_agency_id != reader_agency
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
