//! Export: the directory as one page of the HSDS API's `GET /organizations?full_service=true`
//! (the mapping is in `super`).

use super::{BYDAY, NAMESPACE, TAXONOMY, TERMS, derived, term_id};
use fieldline_wire::directory::{Entry, EntryStatus};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The HSDS page for these (already filtered and redacted) entries.
pub fn export(entries: &[Entry]) -> Value {
    let mut by_org: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        by_org.entry(e.organization.as_str()).or_default().push(e);
    }
    let contents: Vec<Value> = by_org
        .into_iter()
        .map(|(name, entries)| organization(name, &entries))
        .collect();
    let n = contents.len();
    let mut page = json!({
        "total_items": n,
        "total_pages": usize::from(n > 0),
        "page_number": 1,
        "size": n,
        "first_page": true,
        "last_page": true,
        "empty": n == 0,
        "contents": contents,
    });
    prune(&mut page);
    page
}

/// HSDS types optional fields as strings or numbers, never null: absent values are left out.
fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(prune);
        }
        Value::Array(a) => a.iter_mut().for_each(prune),
        _ => {}
    }
}

fn organization(name: &str, entries: &[&Entry]) -> Value {
    let id = Uuid::new_v5(&NAMESPACE, format!("organization:{name}").as_bytes());
    json!({
        "id": id,
        "name": name,
        "description": "",
        "services": entries.iter().map(|e| service(e, &id)).collect::<Vec<_>>(),
        "locations": entries.iter().map(|e| location(e, &id)).collect::<Vec<_>>(),
    })
}

fn location(e: &Entry, org: &Uuid) -> Value {
    let id = derived(&e.id, "location");
    json!({
        "id": id,
        "location_type": "physical",
        "organization_id": org,
        "name": e.name,
        // Absent for a redacted entry (exports leave those out, but redaction decides).
        "latitude": e.location.map(|c| c.latitude),
        "longitude": e.location.map(|c| c.longitude),
        "addresses": [{
            "id": derived(&e.id, "address"),
            "location_id": id,
            "address_1": e.address.street,
            "city": e.address.locality,
            "state_province": e.address.region,
            "postal_code": e.address.postal_code,
            "country": e.address.country,
            "address_type": "physical",
        }],
    })
}

fn service(e: &Entry, org: &Uuid) -> Value {
    let id = e.id;
    let el = &e.eligibility;
    let loc = location(e, org);
    json!({
        "id": id,
        "organization_id": org,
        "name": e.name,
        "description": e.description,
        "url": e.website,
        "status": match e.status {
            EntryStatus::Open | EntryStatus::Full => "active",
            EntryStatus::TemporarilyClosed => "temporarily closed",
            EntryStatus::Closed => "inactive",
        },
        "eligibility_description": (!el.notes.is_empty()).then_some(&el.notes),
        "minimum_age": el.min_age,
        "maximum_age": el.max_age,
        "phones": [{
            "id": derived(&id, "phone"),
            "service_id": id,
            "number": e.intake_phone,
            "type": "voice",
            "description": "Intake",
        }],
        "schedules": schedules(e),
        "service_areas": if e.service_area.is_empty() { vec![] } else { vec![json!({
            "id": derived(&id, "service_area"),
            "service_id": id,
            "name": e.service_area,
        })] },
        "languages": el.languages.iter().map(|code| json!({
            "id": derived(&id, &format!("language:{code}")),
            "service_id": id,
            "code": code,
        })).collect::<Vec<_>>(),
        "attributes": attributes(e),
        "service_at_locations": [{
            "id": derived(&id, "service_at_location"),
            "service_id": id,
            "location_id": loc["id"],
            "location": loc,
        }],
    })
}

fn schedules(e: &Entry) -> Vec<Value> {
    let one = |key: String, byday: String, opens: &str, closes: &str, note: Option<&str>| {
        json!({
            "id": derived(&e.id, &key),
            "service_id": e.id,
            "freq": "WEEKLY",
            "byday": byday,
            "opens_at": clock(opens),
            "closes_at": clock(closes),
            "description": note,
        })
    };
    let mut out = Vec::new();
    if e.hours.open_24_7 {
        out.push(one(
            "schedule:24/7".into(),
            BYDAY.join(","),
            "00:00",
            "24:00",
            Some("Open 24 hours, 7 days a week"),
        ));
    }
    for (i, s) in e.hours.spans.iter().enumerate() {
        let day = BYDAY
            .get(usize::from(s.day).wrapping_sub(1))
            .copied()
            .unwrap_or("MO");
        out.push(one(
            format!("schedule:{i}"),
            day.to_owned(),
            &s.opens,
            &s.closes,
            None,
        ));
    }
    out
}

/// `HH:MM` → `HH:MM:SS`, as in the specification's examples; `24:00` (closing at midnight) is
/// not a clock time there, so it becomes `23:59:59`, which import reads back as `24:00`.
pub(super) fn clock(hm: &str) -> String {
    if hm == "24:00" {
        "23:59:59".to_owned()
    } else {
        format!("{hm}:00")
    }
}

fn attributes(e: &Entry) -> Vec<Value> {
    let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
    let el = &e.eligibility;
    let mut values: Vec<(&str, String)> = vec![
        ("kind", e.kind.as_str().to_owned()),
        ("status", e.status.as_str().to_owned()),
        ("confidential", flag(e.confidential)),
        ("shared", flag(e.shared)),
        ("accepts_children", flag(el.accepts_children)),
        ("accepts_pets", flag(el.accepts_pets)),
        ("wheelchair_accessible", flag(el.wheelchair_accessible)),
        ("time_zone", e.hours.time_zone.clone()),
    ];
    if let Some(c) = e.capacity {
        values.push(("capacity", c.to_string()));
    }
    if let Some(b) = e.beds_available {
        values.push(("beds_available", b.to_string()));
    }
    for g in &el.genders {
        values.push(("gender", g.clone()));
    }
    if let Some(x) = &e.external_id {
        values.push(("external_id", x.clone()));
    }
    values
        .into_iter()
        .map(|(code, value)| {
            let (_, name, description) = TERMS
                .iter()
                .find(|(c, _, _)| *c == code)
                .copied()
                .unwrap_or((code, code, ""));
            let key = if code == "gender" {
                format!("attribute:{code}:{value}")
            } else {
                format!("attribute:{code}")
            };
            json!({
                "id": derived(&e.id, &key),
                "link_id": e.id,
                "link_entity": "service",
                "taxonomy_term_id": term_id(code),
                "value": value,
                "taxonomy_term": {
                    "id": term_id(code),
                    "code": code,
                    "name": name,
                    "description": description,
                    "taxonomy": TAXONOMY,
                },
            })
        })
        .collect()
}
