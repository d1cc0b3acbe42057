//! The directory as Open Referral HSDS 3.0 JSON, both ways.
//!
//! Export is one page of the HSDS API's `GET /organizations?full_service=true`: `{total_items,
//! …, contents: [organization]}`, each organization nested as in the specification's
//! `organization_full.json` example, with `services` → `service_at_locations` → `location` →
//! `addresses`, and the same locations again under the organization's `locations`. Entries are
//! grouped into organizations by their `organization` text. Mapping:
//!
//! | Fieldline | HSDS |
//! |---|---|
//! | entry `id` | `service.id` (location, address, phone, … ids are derived from it, so they are stable) |
//! | `organization` | `organization.name` (id derived from the name) |
//! | `name`, `description`, `website` | `service.name`, `service.description`, `service.url` |
//! | `status` | `service.status`: open/full → `active`, temporarily_closed → `temporarily closed`, closed → `inactive` |
//! | `location` | `location.latitude`/`longitude` (`location_type` `physical`) |
//! | `address` | `location.addresses[0]` (`physical`): street → `address_1`, locality → `city`, region → `state_province`, `postal_code`, `country` |
//! | `intake_phone` | `service.phones[0]` (`voice`) |
//! | `hours.spans` | one `service.schedules` item per span: `freq` `WEEKLY`, `byday` `MO`…`SU`, `opens_at`/`closes_at` `HH:MM:SS` (`24:00` as `23:59:59`) |
//! | `hours.open_24_7` | a schedule with every day from `00:00:00` to `23:59:59` |
//! | `service_area` | `service.service_areas[0].name` |
//! | `eligibility.min_age`, `max_age`, `notes`, `languages` | `service.minimum_age`, `maximum_age`, `eligibility_description`, `languages[].code` |
//! | `kind`, `status`, `confidential`, `shared`, `capacity`, `beds_available`, `genders` (one each), `accepts_children`, `accepts_pets`, `wheelchair_accessible`, `hours.time_zone`, `external_id` | `service.attributes`, each with a `taxonomy_term` of the taxonomy `fieldline` whose `code` is the field's name, and the value as text |
//!
//! Import takes that, and HSDS from elsewhere: an organization (with `services`), a service
//! (with `organization`) or a service-at-location (with `service` and `location`), a list of
//! them, or a page with `contents`. Each service-at-location with a non-virtual location
//! becomes an entry. Defaults where the `fieldline` attributes are absent: `external_id` is the
//! service id (`{service id}@{location id}` when a service has several locations), kind
//! `shelter`, status from `service.status` (`active` → open, `inactive`/`defunct` → closed),
//! not confidential, shared. The time zone comes from the `time_zone` attribute, else from a
//! schedule's `timezone` UTC offset or an offset on `opens_at` (as `Etc/GMT-3`), else it is
//! `UTC`. Schedules are taken from the service-at-location, else the service, else the
//! location; only weekly ones with `byday`, `opens_at` and `closes_at` become opening hours
//! (`byweekno`, validity dates and the like cannot be kept and are ignored). The intake phone is
//! the first phone that is not a fax, looked for on the service, the service-at-location, the
//! location, then the organization (quotes around the number are removed; an extension is
//! dropped). Website falls back to the organization's. Coordinates are required.
//!
//! Error pointers are RFC 6901 pointers into the document sent, e.g.
//! `/services/0/service_at_locations/0/location/latitude` for an organization.

mod export;
mod import;

pub use export::export;
pub use import::parse;

use uuid::Uuid;

/// Namespace of the ids derived for HSDS objects (UUID v5), so re-exports keep them.
const NAMESPACE: Uuid = Uuid::from_u128(0xbb6eb523_02bf_455c_8451_ed1e459d1caa);
/// The taxonomy of the attributes that carry Fieldline's own fields.
const TAXONOMY: &str = "fieldline";
const BYDAY: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// Fieldline's attribute terms: code (the field's name), name, description.
const TERMS: [(&str, &str, &str); 12] = [
    (
        "kind",
        "Kind of place",
        "shelter, dv_shelter, safe_house, emergency_housing, transitional_housing or hotel_voucher",
    ),
    (
        "status",
        "Availability",
        "open, full, temporarily_closed or closed",
    ),
    (
        "confidential",
        "Confidential location",
        "true: the address and point are only for people allowed to see confidential locations",
    ),
    ("shared", "Shared with every agency", "true or false"),
    ("capacity", "Capacity", "beds in all"),
    (
        "beds_available",
        "Beds available",
        "free beds at the last update",
    ),
    (
        "gender",
        "Gender served",
        "women, men, nonbinary or transgender, one attribute each; none means anyone",
    ),
    ("accepts_children", "Accepts children", "true or false"),
    ("accepts_pets", "Accepts pets", "true or false"),
    (
        "wheelchair_accessible",
        "Wheelchair accessible",
        "true or false",
    ),
    (
        "time_zone",
        "Time zone",
        "IANA time zone of the schedules' opens_at and closes_at",
    ),
    (
        "external_id",
        "External identifier",
        "the place's id in the system it came from; importing it again updates the place",
    ),
];

fn derived(base: &Uuid, what: &str) -> String {
    Uuid::new_v5(base, what.as_bytes()).to_string()
}

fn term_id(code: &str) -> String {
    derived(&NAMESPACE, &format!("term:{code}"))
}

#[cfg(test)]
mod tests {
    use super::export::clock;
    use super::import::{Location, parse_clock, serde_message};
    use serde_json::json;

    #[test]
    fn clocks() {
        assert_eq!(parse_clock("10:00:00", false), Some(("10:00".into(), None)));
        assert_eq!(parse_clock("9:30", false), Some(("09:30".into(), None)));
        assert_eq!(parse_clock("23:59:59", true), Some(("24:00".into(), None)));
        assert_eq!(parse_clock("23:59:59", false), Some(("23:59".into(), None)));
        assert_eq!(
            parse_clock("09:00-05:00", false),
            Some(("09:00".into(), Some(-300)))
        );
        assert_eq!(
            parse_clock("09:00Z", false),
            Some(("09:00".into(), Some(0)))
        );
        assert_eq!(
            parse_clock("18:00:00+0530", true),
            Some(("18:00".into(), Some(330)))
        );
        for bad in ["", "9", "noon", "10:0", "10:00:0", "10:00+5", "1000"] {
            assert_eq!(parse_clock(bad, false), None, "{bad}");
        }
        for hm in ["00:00", "08:30", "24:00"] {
            let back = parse_clock(&clock(hm), true).unwrap().0;
            assert_eq!(back, hm);
        }
    }

    #[test]
    fn serde_messages_never_quote_values() {
        let e = serde_json::from_value::<Location>(json!({"latitude": "Secret Lane 4"}))
            .unwrap_err()
            .to_string();
        let m = serde_message(&e);
        assert!(!m.contains("Secret"), "{m}");
        assert!(m.starts_with("has the wrong type"), "{m}");
    }
}
