//! Checking an `EntryInput` before it is stored: every problem is reported at once, each with
//! a pointer, so a bulk import can say what is wrong with each row.

use crate::geo::GeoPoint;
use fieldline_wire::FieldError;
use fieldline_wire::directory::{EntryInput, EntryStatus, Hours};

const GENDERS: [&str; 4] = ["women", "men", "nonbinary", "transgender"];

/// An entry that passed validation, with its text trimmed and its point ready for PostGIS.
#[derive(Debug, Clone)]
pub struct ValidEntry {
    pub input: EntryInput,
    pub point: GeoPoint,
}

pub fn validate(mut e: EntryInput) -> Result<ValidEntry, Vec<FieldError>> {
    let mut errs = Errors::default();
    trim_texts(&mut e);
    check_texts(&e, &mut errs);
    let Coordinates {
        latitude,
        longitude,
    } = e.location;
    errs.check(
        latitude.is_finite() && (-90.0..=90.0).contains(&latitude),
        "/location/latitude",
        "must be a number from -90 to 90",
    );
    errs.check(
        longitude.is_finite() && (-180.0..=180.0).contains(&longitude),
        "/location/longitude",
        "must be a number from -180 to 180",
    );
    check_address(&e.address, &mut errs);
    errs.check(
        is_phone(&e.intake_phone),
        "/intake_phone",
        "must be a phone number (digits, spaces, + - ( ) .)",
    );
    if let Some(w) = e.website.as_mut() {
        trim(w);
        errs.check(
            (w.starts_with("https://") || w.starts_with("http://"))
                && w.len() <= 500
                && !w.contains(char::is_whitespace),
            "/website",
            "must be an http(s) URL of at most 500 characters",
        );
    }
    check_hours(&e.hours, &mut errs);
    check_eligibility(&mut e.eligibility, &mut errs);
    check_availability(e.capacity, e.beds_available, Some(e.status), &mut errs);
    if let Some(x) = e.external_id.as_mut() {
        trim(x);
        errs.check(
            !x.is_empty() && x.chars().count() <= 200,
            "/external_id",
            "must be 1 to 200 characters",
        );
    }

    if errs.0.is_empty() {
        let point = GeoPoint::new(latitude, longitude);
        Ok(ValidEntry { input: e, point })
    } else {
        Err(errs.0)
    }
}

/// Free text is stored trimmed; the country code upper-cased.
fn trim_texts(e: &mut EntryInput) {
    trim(&mut e.name);
    trim(&mut e.organization);
    trim(&mut e.description);
    trim(&mut e.service_area);
    trim(&mut e.intake_phone);
    trim(&mut e.eligibility.notes);
    for s in [
        &mut e.address.street,
        &mut e.address.locality,
        &mut e.address.region,
        &mut e.address.postal_code,
    ] {
        trim(s);
    }
    e.address.country = e.address.country.trim().to_ascii_uppercase();
}

fn check_texts(e: &EntryInput, errs: &mut Errors) {
    errs.check(
        !e.name.is_empty() && e.name.chars().count() <= 200,
        "/name",
        "must be 1 to 200 characters",
    );
    errs.check(
        e.organization.chars().count() <= 200,
        "/organization",
        "must be at most 200 characters",
    );
    errs.check(
        e.description.chars().count() <= 2000,
        "/description",
        "must be at most 2000 characters",
    );
    errs.check(
        e.service_area.chars().count() <= 500,
        "/service_area",
        "must be at most 500 characters",
    );
}

fn check_address(a: &fieldline_wire::directory::Address, errs: &mut Errors) {
    for (field, value, max) in [
        ("street", &a.street, 200),
        ("locality", &a.locality, 100),
        ("region", &a.region, 100),
        ("postal_code", &a.postal_code, 20),
    ] {
        errs.check(
            value.chars().count() <= max,
            &format!("/address/{field}"),
            &format!("must be at most {max} characters"),
        );
    }
    errs.check(
        a.country.len() == 2 && a.country.bytes().all(|b| b.is_ascii_uppercase()),
        "/address/country",
        "must be a two-letter ISO 3166 country code",
    );
}

/// Genders and languages are normalised (lower case, sorted, once each) as they are checked.
fn check_eligibility(el: &mut fieldline_wire::directory::Eligibility, errs: &mut Errors) {
    for (i, g) in el.genders.iter_mut().enumerate() {
        *g = g.trim().to_ascii_lowercase();
        errs.check(
            GENDERS.contains(&g.as_str()),
            &format!("/eligibility/genders/{i}"),
            "must be one of women, men, nonbinary, transgender",
        );
    }
    el.genders.sort();
    el.genders.dedup();
    for (i, l) in el.languages.iter_mut().enumerate() {
        *l = l.trim().to_ascii_lowercase();
        errs.check(
            l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()),
            &format!("/eligibility/languages/{i}"),
            "must be a two-letter ISO 639-1 code",
        );
    }
    el.languages.sort();
    el.languages.dedup();
    for (field, age) in [("min_age", el.min_age), ("max_age", el.max_age)] {
        errs.check(
            age.is_none_or(|a| (0..=130).contains(&a)),
            &format!("/eligibility/{field}"),
            "must be from 0 to 130",
        );
    }
    if let (Some(min), Some(max)) = (el.min_age, el.max_age) {
        errs.check(
            min <= max,
            "/eligibility/max_age",
            "must not be below min_age",
        );
    }
    errs.check(
        el.notes.chars().count() <= 2000,
        "/eligibility/notes",
        "must be at most 2000 characters",
    );
}

use fieldline_wire::directory::Coordinates;

/// Beds within capacity; "full" means no beds.
pub fn check_availability(
    capacity: Option<i32>,
    beds: Option<i32>,
    status: Option<EntryStatus>,
    errs: &mut Errors,
) {
    errs.check(
        capacity.is_none_or(|c| c >= 0),
        "/capacity",
        "must not be negative",
    );
    errs.check(
        beds.is_none_or(|b| b >= 0),
        "/beds_available",
        "must not be negative",
    );
    if let (Some(c), Some(b)) = (capacity, beds) {
        errs.check(b <= c, "/beds_available", "must not exceed capacity");
    }
    if status == Some(EntryStatus::Full) {
        errs.check(
            beds.is_none_or(|b| b == 0),
            "/beds_available",
            "must be 0 when the status is full",
        );
    }
}

fn check_hours(h: &Hours, errs: &mut Errors) {
    errs.check(
        h.time_zone.parse::<chrono_tz::Tz>().is_ok(),
        "/hours/time_zone",
        "must be an IANA time zone such as America/Denver",
    );
    errs.check(
        h.spans.len() <= 50,
        "/hours/spans",
        "must have at most 50 spans",
    );
    for (i, s) in h.spans.iter().enumerate() {
        errs.check(
            (1..=7).contains(&s.day),
            &format!("/hours/spans/{i}/day"),
            "must be 1 (Monday) to 7 (Sunday)",
        );
        let opens = minutes(&s.opens, false);
        let closes = minutes(&s.closes, true);
        errs.check(
            opens.is_some(),
            &format!("/hours/spans/{i}/opens"),
            "must be a time HH:MM",
        );
        errs.check(
            closes.is_some(),
            &format!("/hours/spans/{i}/closes"),
            "must be a time HH:MM (24:00 allowed)",
        );
        if let (Some(o), Some(c)) = (opens, closes) {
            errs.check(
                o != c,
                &format!("/hours/spans/{i}/closes"),
                "must differ from opens (use open_24_7 for round the clock)",
            );
        }
    }
}

/// `HH:MM` as minutes after midnight; `24:00` only where allowed.
pub(super) fn minutes(s: &str, allow_24: bool) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if allow_24 => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

fn is_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (3..=20).contains(&digits)
        && p.len() <= 40
        && p.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

fn trim(s: &mut String) {
    let t = s.trim();
    if t.len() != s.len() {
        *s = t.to_owned();
    }
}

/// Field errors being collected.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn check(&mut self, ok: bool, pointer: &str, message: &str) {
        if !ok {
            self.0.push(FieldError {
                pointer: pointer.to_owned(),
                message: message.to_owned(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldline_wire::directory::{Address, Eligibility, EntryKind, OpeningSpan};

    pub fn sample() -> EntryInput {
        EntryInput {
            name: " Harbor House ".into(),
            kind: EntryKind::DvShelter,
            organization: "Harbor Services".into(),
            description: String::new(),
            location: Coordinates {
                latitude: 40.2338,
                longitude: -111.6585,
            },
            address: Address {
                street: "1 Main St".into(),
                locality: "Provo".into(),
                region: "UT".into(),
                postal_code: "84601".into(),
                country: "us".into(),
            },
            service_area: String::new(),
            intake_phone: "+1 801-555-0100".into(),
            website: None,
            hours: Hours {
                time_zone: "America/Denver".into(),
                open_24_7: false,
                spans: vec![OpeningSpan {
                    day: 1,
                    opens: "20:00".into(),
                    closes: "02:00".into(),
                }],
            },
            eligibility: Eligibility {
                languages: vec!["ES".into(), "en".into()],
                ..Default::default()
            },
            capacity: Some(10),
            beds_available: Some(2),
            status: EntryStatus::Open,
            confidential: true,
            shared: true,
            external_id: None,
        }
    }

    #[test]
    fn a_good_entry_is_normalised() {
        let v = validate(sample()).unwrap();
        assert_eq!(v.input.name, "Harbor House");
        assert_eq!(v.input.address.country, "US");
        assert_eq!(v.input.eligibility.languages, vec!["en", "es"]);
        assert_eq!(
            (v.point.latitude(), v.point.longitude()),
            (40.2338, -111.6585)
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_pointer() {
        let mut e = sample();
        e.name = " ".into();
        e.location = Coordinates {
            latitude: f64::NAN,
            longitude: 181.0,
        };
        e.intake_phone = "call us".into();
        e.hours.time_zone = "Mars/Olympus".into();
        e.hours.spans.push(OpeningSpan {
            day: 8,
            opens: "25:00".into(),
            closes: "24:00".into(),
        });
        e.eligibility.min_age = Some(30);
        e.eligibility.max_age = Some(20);
        e.beds_available = Some(11);
        let errs = validate(e).unwrap_err();
        let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
        for p in [
            "/name",
            "/location/latitude",
            "/location/longitude",
            "/intake_phone",
            "/hours/time_zone",
            "/hours/spans/1/day",
            "/hours/spans/1/opens",
            "/eligibility/max_age",
            "/beds_available",
        ] {
            assert!(pointers.contains(&p), "{p} missing from {pointers:?}");
        }
    }

    #[test]
    fn full_means_no_beds() {
        let mut e = sample();
        e.status = EntryStatus::Full;
        assert_eq!(validate(e).unwrap_err()[0].pointer, "/beds_available");
    }
}
