//! What changed in an entry, for the audit log. Location fields are named but their values are
//! never written: the audit log is read by admins who may not hold the confidential-locations
//! grant, and it must never hold a confidential address.

use fieldline_wire::directory::Entry;
use serde_json::{Map, Value};

const HIDDEN: [&str; 3] = ["/location", "/address/street", "/address/postal_code"];
/// Bookkeeping that changes on every write and says nothing about the place.
const IGNORED: [&str; 6] = [
    "/version",
    "/availability_updated_at",
    "/redacted",
    "/distance_m",
    "/open_now",
    "/availability_age_s",
];

/// `{"/name": "new name", "/address/street": "(hidden)", …}` for every field that differs.
pub fn changes(old: Option<&Entry>, new: &Entry) -> Value {
    let mut before = Map::new();
    if let Some(old) = old {
        flatten(
            "",
            &serde_json::to_value(old).unwrap_or_default(),
            &mut before,
        );
    }
    let mut after = Map::new();
    flatten(
        "",
        &serde_json::to_value(new).unwrap_or_default(),
        &mut after,
    );
    let mut out = Map::new();
    for (pointer, value) in &after {
        if IGNORED.contains(&pointer.as_str()) || before.get(pointer) == Some(value) {
            continue;
        }
        let hidden = HIDDEN
            .iter()
            .any(|h| pointer == h || pointer.starts_with(&format!("{h}/")));
        out.insert(
            pointer.clone(),
            if hidden {
                Value::from("(hidden)")
            } else {
                value.clone()
            },
        );
    }
    Value::Object(out)
}

/// Objects become one pointer per leaf; arrays and scalars are leaves.
fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) if !(prefix == "/location" || prefix.starts_with("/location/")) => {
            for (k, v) in m {
                flatten(&format!("{prefix}/{k}"), v, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned(), v.clone());
        }
    }
}
