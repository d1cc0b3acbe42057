//! Import: HSDS from Fieldline or elsewhere into entries (the rules are in `super`). Only the
//! parts of HSDS objects that are read are declared; unknown fields are ignored (HSDS has many
//! Fieldline does not keep) and `null` counts as absent.

use super::super::{SeenIds, check_row, field_error, parse_bool, rejected};
use super::{BYDAY, TAXONOMY, TERMS, term_id};
use crate::directory::validate::ValidEntry;
use crate::error::ApiError;
use fieldline_wire::FieldError;
use fieldline_wire::directory::{
    Address, Coordinates, Eligibility, EntryInput, EntryKind, EntryStatus, Hours, OpeningSpan,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn list<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Organization {
    name: Option<String>,
    website: Option<String>,
    #[serde(deserialize_with = "list")]
    phones: Vec<Phone>,
    #[serde(deserialize_with = "list")]
    locations: Vec<Location>,
    #[serde(deserialize_with = "list")]
    services: Vec<Service>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Service {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    url: Option<String>,
    status: Option<String>,
    eligibility_description: Option<String>,
    minimum_age: Option<f64>,
    maximum_age: Option<f64>,
    #[serde(deserialize_with = "list")]
    phones: Vec<Phone>,
    #[serde(deserialize_with = "list")]
    schedules: Vec<Schedule>,
    #[serde(deserialize_with = "list")]
    service_areas: Vec<ServiceArea>,
    #[serde(deserialize_with = "list")]
    service_at_locations: Vec<ServiceAtLocation>,
    #[serde(deserialize_with = "list")]
    languages: Vec<Language>,
    #[serde(deserialize_with = "list")]
    attributes: Vec<Attribute>,
    organization: Option<Box<Organization>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ServiceAtLocation {
    location_id: Option<String>,
    location: Option<Location>,
    #[serde(deserialize_with = "list")]
    phones: Vec<Phone>,
    #[serde(deserialize_with = "list")]
    schedules: Vec<Schedule>,
    service: Option<Box<Service>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Location {
    id: Option<String>,
    location_type: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    #[serde(deserialize_with = "list")]
    addresses: Vec<HsdsAddress>,
    #[serde(deserialize_with = "list")]
    phones: Vec<Phone>,
    #[serde(deserialize_with = "list")]
    schedules: Vec<Schedule>,
    #[serde(deserialize_with = "list")]
    languages: Vec<Language>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HsdsAddress {
    address_1: Option<String>,
    address_2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    state_province: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    address_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Phone {
    number: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Schedule {
    freq: Option<String>,
    interval: Option<f64>,
    byday: Option<String>,
    opens_at: Option<String>,
    closes_at: Option<String>,
    timezone: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ServiceArea {
    name: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Language {
    code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Attribute {
    taxonomy_term_id: Option<String>,
    value: Option<String>,
    taxonomy_term: Option<TaxonomyTerm>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TaxonomyTerm {
    code: Option<String>,
    taxonomy: Option<String>,
}

/// Reads and checks a whole document. `Err` is the one problem for it: every bad service, or
/// why the document cannot be read.
pub fn parse(body: &[u8]) -> Result<Vec<ValidEntry>, ApiError> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson {
        line: e.line(),
        column: e.column(),
    })?;
    let shape = "must be an HSDS organization, service or service_at_location, a list of them, or a page with `contents`";
    let items: Vec<(String, &Value)> = match &doc {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/{i}"), v))
            .collect(),
        Value::Object(o) => match o.get("contents") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("/contents/{i}"), v))
                .collect(),
            _ => vec![(String::new(), &doc)],
        },
        _ => return Err(ApiError::field("/", shape)),
    };
    let mut out = Reader::default();
    for (at, item) in items {
        let Some(object) = item.as_object() else {
            out.errors.push(field_error(root(&at), shape));
            continue;
        };
        if object.contains_key("status") {
            // A service (HSDS requires `status` of services only).
            let Some(mut svc) = out.decode::<Service>(item, &at) else {
                continue;
            };
            let org = svc.organization.take();
            let ctx = Org::new(org.as_deref(), format!("{at}/organization"));
            out.service(&svc, &at, &ctx, None);
        } else if object.get("service").is_some_and(Value::is_object) {
            let Some(mut sal) = out.decode::<ServiceAtLocation>(item, &at) else {
                continue;
            };
            let Some(mut svc) = sal.service.take() else {
                continue;
            };
            let svc_at = format!("{at}/service");
            let org = svc.organization.take();
            let ctx = Org::new(org.as_deref(), format!("{svc_at}/organization"));
            out.service(&svc, &svc_at, &ctx, Some((&sal, at.clone())));
        } else {
            let Some(org) = out.decode::<Organization>(item, &at) else {
                continue;
            };
            let ctx = Org::new(Some(&org), at.clone());
            for (j, svc) in org.services.iter().enumerate() {
                out.service(svc, &format!("{at}/services/{j}"), &ctx, None);
            }
        }
        if out.errors.len() > super::super::MAX_ERRORS {
            break;
        }
    }
    if out.errors.is_empty() {
        Ok(out.rows)
    } else {
        Err(rejected(out.errors))
    }
}

fn root(pointer: &str) -> String {
    if pointer.is_empty() {
        "/".to_owned()
    } else {
        pointer.to_owned()
    }
}

/// The organization a service belongs to, if the document says.
struct Org<'a> {
    org: Option<&'a Organization>,
    at: String,
}

impl<'a> Org<'a> {
    fn new(org: Option<&'a Organization>, at: String) -> Org<'a> {
        Org { org, at }
    }

    fn location(&self, id: &str) -> Option<(&'a Location, String)> {
        let org = self.org?;
        org.locations
            .iter()
            .enumerate()
            .find(|(_, l)| l.id.as_deref() == Some(id))
            .map(|(m, l)| (l, format!("{}/locations/{m}", self.at)))
    }
}

/// Where each field of an `EntryInput` came from, to turn `validate`'s pointers into the
/// document's. The longest matching prefix wins; unknown ones fall back to the service.
struct Trace {
    map: Vec<(String, String)>,
    fallback: String,
}

impl Trace {
    fn add(&mut self, field: impl Into<String>, at: impl Into<String>) {
        self.map.push((field.into(), at.into()));
    }

    fn locate(&self, e: &FieldError) -> FieldError {
        let p = e.pointer.as_str();
        let found = self
            .map
            .iter()
            .filter(|(field, _)| {
                p == field || (p.starts_with(field.as_str()) && p[field.len()..].starts_with('/'))
            })
            .max_by_key(|(field, _)| field.len());
        match found {
            Some((_, at)) => field_error(at.clone(), e.message.clone()),
            None => field_error(
                root(&self.fallback),
                format!("{}: {}", p.trim_start_matches('/'), e.message),
            ),
        }
    }
}

/// Rows and errors collected over the document.
#[derive(Default)]
struct Reader {
    rows: Vec<ValidEntry>,
    errors: Vec<FieldError>,
    seen: SeenIds,
}

impl Reader {
    /// One object as `T`; a field of the wrong type is reported with its pointer, without its
    /// value.
    fn decode<T: DeserializeOwned>(&mut self, v: &Value, at: &str) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(v) {
            Ok(t) => Some(t),
            Err(e) => {
                let pointer = format!("{at}{}", pointer_of(e.path()));
                let message = serde_message(&e.into_inner().to_string());
                self.errors.push(field_error(root(&pointer), message));
                None
            }
        }
    }

    /// The entries of one service: one per service-at-location with a non-virtual location.
    fn service(
        &mut self,
        svc: &Service,
        at: &str,
        org: &Org<'_>,
        only: Option<(&ServiceAtLocation, String)>,
    ) {
        let sals: Vec<(&ServiceAtLocation, String)> = match only {
            Some(one) => vec![one],
            None => svc
                .service_at_locations
                .iter()
                .enumerate()
                .map(|(k, s)| (s, format!("{at}/service_at_locations/{k}")))
                .collect(),
        };
        let mut places = Vec::new();
        for (sal, sal_at) in sals {
            let (loc, loc_at) = match (&sal.location, &sal.location_id) {
                (Some(l), _) => (l, format!("{sal_at}/location")),
                (None, Some(id)) => match org.location(id) {
                    Some(found) => found,
                    None => {
                        self.errors.push(field_error(
                            format!("{sal_at}/location_id"),
                            "names no location of the organization in this document",
                        ));
                        continue;
                    }
                },
                (None, None) => continue,
            };
            if loc.location_type.as_deref() != Some("virtual") {
                places.push((sal, sal_at, loc, loc_at));
            }
        }
        if places.is_empty() {
            self.errors.push(field_error(
                format!("{at}/service_at_locations"),
                "must include a physical location with latitude and longitude",
            ));
            return;
        }
        let attrs = Attrs::read(&svc.attributes, at);
        let several = places.len() > 1;
        for (k, (sal, sal_at, loc, loc_at)) in places.into_iter().enumerate() {
            let mut trace = Trace {
                map: Vec::new(),
                fallback: at.to_owned(),
            };
            let mut errors = Vec::new();
            let input = entry(
                svc,
                at,
                org,
                Place {
                    sal,
                    sal_at: &sal_at,
                    loc,
                    loc_at: &loc_at,
                    index: several.then_some(k),
                },
                &attrs,
                &mut trace,
                &mut errors,
            );
            if let Some(id) = &input.external_id
                && let Some(first) = self.seen.repeat(id, root(at))
            {
                let id_at = trace
                    .map
                    .iter()
                    .find(|(f, _)| f == "/external_id")
                    .map_or_else(|| format!("{at}/id"), |(_, a)| a.clone());
                errors.push(field_error(
                    id_at,
                    format!("repeats the external id of {first}: each place may appear once"),
                ));
            }
            if let Some(valid) = check_row(input, errors, |e| trace.locate(e), &mut self.errors) {
                self.rows.push(valid);
            }
        }
    }
}

/// One service-at-location being read.
struct Place<'a> {
    sal: &'a ServiceAtLocation,
    sal_at: &'a str,
    loc: &'a Location,
    loc_at: &'a str,
    /// Set when the service has several places.
    index: Option<usize>,
}

/// The service's `fieldline` attributes: code → (value, pointer to the value).
struct Attrs(Vec<(String, Option<String>, String)>);

impl Attrs {
    fn read(attributes: &[Attribute], at: &str) -> Attrs {
        let by_id: Vec<(String, &str)> = TERMS.iter().map(|(c, _, _)| (term_id(c), *c)).collect();
        let mut found = Vec::new();
        for (i, a) in attributes.iter().enumerate() {
            let code = match &a.taxonomy_term {
                Some(t) if t.taxonomy.as_deref() == Some(TAXONOMY) => t.code.clone(),
                _ => a.taxonomy_term_id.as_deref().and_then(|id| {
                    by_id
                        .iter()
                        .find(|(tid, _)| tid == id)
                        .map(|(_, c)| (*c).to_owned())
                }),
            };
            if let Some(code) = code {
                found.push((code, a.value.clone(), format!("{at}/attributes/{i}/value")));
            }
        }
        Attrs(found)
    }

    /// All values of `code`; a missing value is an error at its pointer.
    fn all(&self, code: &str, errors: &mut Vec<FieldError>) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(c, _, _)| c == code)
            .filter_map(|(_, v, at)| match v {
                Some(v) => Some((v.trim().to_owned(), at.clone())),
                None => {
                    errors.push(field_error(at.clone(), "is required"));
                    None
                }
            })
            .collect()
    }

    fn first(&self, code: &str, errors: &mut Vec<FieldError>) -> Option<(String, String)> {
        self.all(code, errors).into_iter().next()
    }

    fn flag(
        &self,
        code: &str,
        default: bool,
        trace: &mut Trace,
        field: &str,
        errors: &mut Vec<FieldError>,
    ) -> bool {
        let Some((v, at)) = self.first(code, errors) else {
            return default;
        };
        trace.add(field, at.clone());
        parse_bool(&v).unwrap_or_else(|| {
            errors.push(field_error(at, "must be true or false"));
            default
        })
    }

    fn count(
        &self,
        code: &str,
        trace: &mut Trace,
        field: &str,
        errors: &mut Vec<FieldError>,
    ) -> Option<i32> {
        let (v, at) = self.first(code, errors)?;
        trace.add(field, at.clone());
        let n = v.parse().ok();
        if n.is_none() {
            errors.push(field_error(at, "must be a whole number"));
        }
        n
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// One service at one place as an `EntryInput`, with placeholders where a value could not be
/// read (its error is recorded, and `check_row` will not report the same pointer again).
fn entry(
    svc: &Service,
    at: &str,
    org: &Org<'_>,
    place: Place<'_>,
    attrs: &Attrs,
    trace: &mut Trace,
    errors: &mut Vec<FieldError>,
) -> EntryInput {
    let Place {
        sal,
        sal_at,
        loc,
        loc_at,
        ..
    } = place;

    let external_id = read_external_id(svc, at, &place, attrs, trace, errors);

    trace.add("/name", format!("{at}/name"));
    trace.add("/description", format!("{at}/description"));
    trace.add("/organization", format!("{}/name", org.at));
    trace.add(
        "/eligibility/notes",
        format!("{at}/eligibility_description"),
    );

    let kind = read_kind(attrs, trace, errors);
    let status = read_status(svc, at, attrs, trace, errors);

    let mut coordinate = |value: Option<f64>, name: &str| {
        let a = format!("{loc_at}/{name}");
        trace.add(format!("/location/{name}"), a.clone());
        value.unwrap_or_else(|| {
            errors.push(field_error(a, "is required"));
            f64::NAN
        })
    };
    let location = Coordinates {
        latitude: coordinate(loc.latitude, "latitude"),
        longitude: coordinate(loc.longitude, "longitude"),
    };

    let address = read_address(loc, loc_at, trace);

    trace.add("/service_area", format!("{at}/service_areas"));
    let service_area = svc
        .service_areas
        .iter()
        .filter_map(|a| nonempty(&a.name).or(nonempty(&a.description)))
        .collect::<Vec<_>>()
        .join("; ");

    let intake_phone = read_intake_phone(svc, at, org, &place, trace);

    let website = read_website(svc, at, org, trace);

    let schedule_lists: [(&[Schedule], String); 3] = [
        (&sal.schedules, format!("{sal_at}/schedules")),
        (&svc.schedules, format!("{at}/schedules")),
        (&loc.schedules, format!("{loc_at}/schedules")),
    ];
    let time_zone_attr = attrs.first("time_zone", errors);
    let hours = read_hours(&schedule_lists, time_zone_attr, at, trace, errors);

    let eligibility = read_eligibility(svc, at, place.loc, place.loc_at, attrs, trace, errors);

    EntryInput {
        name: svc.name.clone().unwrap_or_default(),
        kind,
        organization: org.org.and_then(|o| o.name.clone()).unwrap_or_default(),
        description: svc.description.clone().unwrap_or_default(),
        location,
        address,
        service_area,
        intake_phone,
        website,
        hours,
        eligibility,
        capacity: attrs.count("capacity", trace, "/capacity", errors),
        beds_available: attrs.count("beds_available", trace, "/beds_available", errors),
        status,
        confidential: attrs.flag("confidential", false, trace, "/confidential", errors),
        shared: attrs.flag("shared", true, trace, "/shared", errors),
        external_id,
    }
}

/// `external_id`: the attribute, else the service's id (with `@location` when the service has
/// several places).
fn read_external_id(
    svc: &Service,
    at: &str,
    place: &Place<'_>,
    attrs: &Attrs,
    trace: &mut Trace,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let (loc, index) = (place.loc, place.index);
    match attrs.first("external_id", errors) {
        Some((v, a)) => {
            trace.add("/external_id", a);
            Some(v)
        }
        None => {
            trace.add("/external_id", format!("{at}/id"));
            match nonempty(&svc.id) {
                Some(id) => Some(id.to_owned()),
                None => {
                    errors.push(field_error(format!("{at}/id"), "is required"));
                    None
                }
            }
        }
    }
    .map(|base| match index {
        Some(k) => format!("{base}@{}", loc.id.clone().unwrap_or_else(|| k.to_string())),
        None => base,
    })
}

fn read_kind(attrs: &Attrs, trace: &mut Trace, errors: &mut Vec<FieldError>) -> EntryKind {
    match attrs.first("kind", errors) {
        Some((v, a)) => {
            trace.add("/kind", a.clone());
            EntryKind::parse(&v.to_ascii_lowercase()).unwrap_or_else(|| {
                errors.push(field_error(a, "must be one of shelter, dv_shelter, safe_house, emergency_housing, transitional_housing, hotel_voucher"));
                EntryKind::Shelter
            })
        }
        None => EntryKind::Shelter,
    }
}

/// The `status` attribute, else HSDS's `service.status`.
fn read_status(
    svc: &Service,
    at: &str,
    attrs: &Attrs,
    trace: &mut Trace,
    errors: &mut Vec<FieldError>,
) -> EntryStatus {
    match attrs.first("status", errors) {
        Some((v, a)) => {
            trace.add("/status", a.clone());
            EntryStatus::parse(&v.to_ascii_lowercase()).unwrap_or_else(|| {
                errors.push(field_error(
                    a,
                    "must be one of open, full, temporarily_closed, closed",
                ));
                EntryStatus::Open
            })
        }
        None => match nonempty(&svc.status)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("active") => EntryStatus::Open,
            Some("temporarily closed") => EntryStatus::TemporarilyClosed,
            Some("inactive" | "defunct") => EntryStatus::Closed,
            Some(_) => {
                errors.push(field_error(
                    format!("{at}/status"),
                    "must be active, inactive, defunct or temporarily closed",
                ));
                EntryStatus::Open
            }
        },
    }
}

/// The first phone that is not a fax: on the service, the service-at-location, the location,
/// then the organization.
fn read_intake_phone(
    svc: &Service,
    at: &str,
    org: &Org<'_>,
    place: &Place<'_>,
    trace: &mut Trace,
) -> String {
    let (sal, sal_at, loc, loc_at) = (place.sal, place.sal_at, place.loc, place.loc_at);
    let phone_lists: [(&[Phone], String); 4] = [
        (&svc.phones, format!("{at}/phones")),
        (&sal.phones, format!("{sal_at}/phones")),
        (&loc.phones, format!("{loc_at}/phones")),
        (
            org.org.map_or(&[][..], |o| &o.phones),
            format!("{}/phones", org.at),
        ),
    ];
    let phone = phone_lists.iter().find_map(|(phones, list_at)| {
        phones.iter().enumerate().find_map(|(i, p)| {
            let fax = p
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("fax"));
            let number = p.number.as_deref()?.trim().trim_matches('"').trim();
            (!fax && !number.is_empty())
                .then(|| (number.to_owned(), format!("{list_at}/{i}/number")))
        })
    });
    match phone {
        Some((number, a)) => {
            trace.add("/intake_phone", a);
            number
        }
        None => {
            trace.add("/intake_phone", format!("{at}/phones"));
            String::new()
        }
    }
}

/// The service's URL, else the organization's website.
fn read_website(svc: &Service, at: &str, org: &Org<'_>, trace: &mut Trace) -> Option<String> {
    match (
        nonempty(&svc.url),
        org.org.and_then(|o| nonempty(&o.website)),
    ) {
        (Some(url), _) => {
            trace.add("/website", format!("{at}/url"));
            Some(url.to_owned())
        }
        (None, Some(url)) => {
            trace.add("/website", format!("{}/website", org.at));
            Some(url.to_owned())
        }
        (None, None) => None,
    }
}

/// Genders, ages, languages and the yes/no eligibility attributes.
fn read_eligibility(
    svc: &Service,
    at: &str,
    loc: &Location,
    loc_at: &str,
    attrs: &Attrs,
    trace: &mut Trace,
    errors: &mut Vec<FieldError>,
) -> Eligibility {
    let genders = attrs
        .all("gender", errors)
        .into_iter()
        .enumerate()
        .map(|(i, (v, a))| {
            trace.add(format!("/eligibility/genders/{i}"), a);
            v
        })
        .collect();
    let languages_from = if svc.languages.iter().any(|l| nonempty(&l.code).is_some()) {
        (&svc.languages, format!("{at}/languages"))
    } else {
        (&loc.languages, format!("{loc_at}/languages"))
    };
    let mut languages = Vec::new();
    for (i, l) in languages_from.0.iter().enumerate() {
        if let Some(code) = nonempty(&l.code) {
            trace.add(
                format!("/eligibility/languages/{}", languages.len()),
                format!("{}/{i}/code", languages_from.1),
            );
            languages.push(code.to_owned());
        }
    }
    let mut age = |value: Option<f64>, field: &str, name: &str| {
        let a = format!("{at}/{name}");
        trace.add(format!("/eligibility/{field}"), a.clone());
        let v = value?;
        if v.is_finite() && v.fract() == 0.0 && v.abs() <= 10_000.0 {
            Some(v as i32)
        } else {
            errors.push(field_error(a, "must be a whole number"));
            None
        }
    };
    let min_age = age(svc.minimum_age, "min_age", "minimum_age");
    let max_age = age(svc.maximum_age, "max_age", "maximum_age");
    Eligibility {
        genders,
        min_age,
        max_age,
        accepts_children: attrs.flag(
            "accepts_children",
            false,
            trace,
            "/eligibility/accepts_children",
            errors,
        ),
        accepts_pets: attrs.flag(
            "accepts_pets",
            false,
            trace,
            "/eligibility/accepts_pets",
            errors,
        ),
        wheelchair_accessible: attrs.flag(
            "wheelchair_accessible",
            false,
            trace,
            "/eligibility/wheelchair_accessible",
            errors,
        ),
        languages,
        notes: svc.eligibility_description.clone().unwrap_or_default(),
    }
}

/// The physical address (else the first): street from `address_1` and `address_2`, region
/// from `state_province` (else `region`).
fn read_address(loc: &Location, loc_at: &str, trace: &mut Trace) -> Address {
    let chosen = loc
        .addresses
        .iter()
        .enumerate()
        .find(|(_, a)| a.address_type.as_deref() == Some("physical"))
        .or_else(|| loc.addresses.iter().enumerate().next());
    let Some((i, a)) = chosen else {
        trace.add("/address", format!("{loc_at}/addresses"));
        return Address {
            country: "US".to_owned(),
            ..Address::default()
        };
    };
    let a_at = format!("{loc_at}/addresses/{i}");
    let region_field = if nonempty(&a.state_province).is_some() {
        "state_province"
    } else {
        "region"
    };
    for (field, hsds) in [
        ("street", "address_1"),
        ("locality", "city"),
        ("region", region_field),
        ("postal_code", "postal_code"),
        ("country", "country"),
    ] {
        trace.add(format!("/address/{field}"), format!("{a_at}/{hsds}"));
    }
    let street = [nonempty(&a.address_1), nonempty(&a.address_2)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    Address {
        street,
        locality: a.city.clone().unwrap_or_default(),
        region: nonempty(&a.state_province)
            .or(nonempty(&a.region))
            .unwrap_or_default()
            .to_owned(),
        postal_code: a.postal_code.clone().unwrap_or_default(),
        country: nonempty(&a.country).unwrap_or("US").to_owned(),
    }
}

/// Opening hours from the first non-empty schedule list. A schedule with every day from
/// midnight to midnight means open 24/7.
fn read_hours(
    lists: &[(&[Schedule], String)],
    time_zone_attr: Option<(String, String)>,
    at: &str,
    trace: &mut Trace,
    errors: &mut Vec<FieldError>,
) -> Hours {
    let (schedules, list_at) = lists
        .iter()
        .find(|(s, _)| !s.is_empty())
        .map_or((&[][..], format!("{at}/schedules")), |(s, a)| {
            (*s, a.clone())
        });
    trace.add("/hours", list_at.clone());
    let mut read = WeeklyHours::default();
    for (i, s) in schedules.iter().enumerate() {
        read.add(s, &format!("{list_at}/{i}"), trace, errors);
    }
    let schedule_offset = schedules
        .iter()
        .enumerate()
        .find_map(|(i, s)| s.timezone.map(|t| (t, format!("{list_at}/{i}/timezone"))));
    let time_zone = match (time_zone_attr, schedule_offset, read.clock_offset) {
        (Some((tz, a)), _, _) => {
            trace.add("/hours/time_zone", a);
            tz
        }
        (None, Some((hours, a)), _) => {
            trace.add("/hours/time_zone", a.clone());
            let minutes = if hours.is_finite() && hours.abs() < 24.0 {
                (hours * 60.0).round() as i32
            } else {
                i32::MAX
            };
            offset_zone(minutes, a, errors)
        }
        (None, None, Some((minutes, a))) => {
            trace.add("/hours/time_zone", a.clone());
            offset_zone(minutes, a, errors)
        }
        (None, None, None) => "UTC".to_owned(),
    };
    Hours {
        time_zone,
        open_24_7: read.open_24_7,
        spans: read.spans,
    }
}

/// What the weekly schedules of one list add up to.
#[derive(Default)]
struct WeeklyHours {
    spans: Vec<OpeningSpan>,
    open_24_7: bool,
    /// The first UTC offset a clock time carried, and where.
    clock_offset: Option<(i32, String)>,
}

impl WeeklyHours {
    /// One schedule at `s_at`; other than weekly ones, and ones without days and times, are
    /// skipped, as Fieldline's hours cannot say them.
    fn add(&mut self, s: &Schedule, s_at: &str, trace: &mut Trace, errors: &mut Vec<FieldError>) {
        let weekly = s
            .freq
            .as_deref()
            .is_none_or(|f| f.eq_ignore_ascii_case("WEEKLY"))
            && s.interval.is_none_or(|n| n == 1.0);
        let (Some(byday), Some(opens_at), Some(closes_at)) = (&s.byday, &s.opens_at, &s.closes_at)
        else {
            return;
        };
        if !weekly {
            return;
        }
        let Some(days) = byday
            .split(',')
            .map(|d| {
                let d = d.trim().to_ascii_uppercase();
                BYDAY.iter().position(|b| *b == d).map(|p| p as u8 + 1)
            })
            .collect::<Option<Vec<u8>>>()
        else {
            errors.push(field_error(
                format!("{s_at}/byday"),
                "must list days as MO, TU, WE, TH, FR, SA, SU separated by commas",
            ));
            return;
        };
        let opens = parse_clock(opens_at, false);
        let closes = parse_clock(closes_at, true);
        let (Some((opens, o_off)), Some((closes, c_off))) = (opens.clone(), closes.clone()) else {
            for (ok, field) in [
                (opens.is_some(), "opens_at"),
                (closes.is_some(), "closes_at"),
            ] {
                if !ok {
                    errors.push(field_error(
                        format!("{s_at}/{field}"),
                        "must be a time HH:MM or HH:MM:SS, optionally with Z or a UTC offset",
                    ));
                }
            }
            return;
        };
        if self.clock_offset.is_none()
            && let Some(off) = o_off.or(c_off)
        {
            self.clock_offset = Some((off, format!("{s_at}/opens_at")));
        }
        let mut all_days = days.clone();
        all_days.sort();
        all_days.dedup();
        if all_days.len() == 7 && opens == "00:00" && (closes == "24:00" || closes == "00:00") {
            self.open_24_7 = true;
            return;
        }
        for day in days {
            let n = self.spans.len();
            trace.add(format!("/hours/spans/{n}"), format!("{s_at}/byday"));
            trace.add(
                format!("/hours/spans/{n}/opens"),
                format!("{s_at}/opens_at"),
            );
            trace.add(
                format!("/hours/spans/{n}/closes"),
                format!("{s_at}/closes_at"),
            );
            self.spans.push(OpeningSpan {
                day,
                opens: opens.clone(),
                closes: closes.clone(),
            });
        }
    }
}

/// A UTC offset as an IANA zone: whole hours only (`Etc/GMT…` has no others).
fn offset_zone(minutes: i32, at: String, errors: &mut Vec<FieldError>) -> String {
    if minutes % 60 == 0 && (-12 * 60..=14 * 60).contains(&minutes) {
        let hours = minutes / 60;
        if hours == 0 {
            "UTC".to_owned()
        } else {
            // POSIX sign: Etc/GMT-3 is three hours ahead of UTC.
            format!("Etc/GMT{:+}", -hours)
        }
    } else {
        errors.push(field_error(
            at,
            "must be a whole number of hours from -12 to 14 (or give the fieldline time_zone attribute)",
        ));
        "UTC".to_owned()
    }
}

/// `HH:MM`, `HH:MM:SS`, optionally with `Z` or `±HH[:MM]` → (`HH:MM`, offset in minutes).
/// A closing `23:59:59` is midnight (`24:00`), as export writes it. Ranges are left to
/// `validate`.
pub(super) fn parse_clock(s: &str, closing: bool) -> Option<(String, Option<i32>)> {
    let s = s.trim();
    let (clock, offset) = if let Some(c) = s.strip_suffix(['Z', 'z']) {
        (c, Some(0))
    } else if let Some(pos) = s.rfind(['+', '-']) {
        let (c, off) = s.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
        if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let m: i32 = digits.get(2..).map_or(Some(0), |m| m.parse().ok())?;
        (c, Some(sign * (h * 60 + m)))
    } else {
        (s, None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (*h, *m, None),
        [h, m, sec] if digits(sec, 2..=2) => (*h, *m, Some(*sec)),
        _ => return None,
    };
    if !digits(h, 1..=2) || !digits(m, 2..=2) {
        return None;
    }
    let hm = format!("{h:0>2}:{m}");
    if closing && hm == "23:59" && sec == Some("59") {
        return Some(("24:00".to_owned(), offset));
    }
    Some((hm, offset))
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let key: String = key.chars().take(64).collect();
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// serde's message without the value it quotes (`invalid type: string "…", expected f64`).
pub(super) fn serde_message(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    let expected = message.split_once(", expected ").map(|(_, e)| e);
    if message.starts_with("invalid type") {
        match expected {
            Some(e) => format!("has the wrong type: expected {e}"),
            None => "has the wrong type".to_owned(),
        }
    } else if message.starts_with("missing field") {
        "is missing a required field".to_owned()
    } else {
        "has an invalid value".to_owned()
    }
}
