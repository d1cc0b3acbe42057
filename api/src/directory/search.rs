//! Finding places: nearest first within a radius, or everything in a map's rectangle.
//!
//! Confidential entries a reader may not see exactly (`directory_location_exact`, the one rule:
//! without the grant, or another agency's place whose owner does not name theirs): inclusion,
//! ordering and the distance shown all use `public_loc` (the point snapped to a ~1 km grid) and
//! the distance is then rounded to the kilometre. So shrinking the radius, or watching where an
//! entry falls among its neighbours, tells such a reader no more than the rounded distance
//! already does. Ordinary entries have `public_loc = loc`, so their distances are exact for
//! everyone. Only the confidential places the reader may see exactly are found and ordered by
//! `loc`.

use super::redact::{Viewer, redact};
use super::store::{self, Hit, SqlFilters};
use crate::auth::{Actor, Bearer};
use crate::error::{ApiError, from_stored};
use crate::geo::GeoPoint;
use chrono::{DateTime, Utc};
use fieldline_wire::FieldError;
use fieldline_wire::directory::{Address, Coordinates, Eligibility, Entry, EntryKind, Hours};
use serde::Deserialize;
use sqlx::PgConnection;

pub const MAX_RADIUS_M: f64 = 200_000.0;
pub const DEFAULT_RADIUS_M: f64 = 25_000.0;

/// The parameters of both searches, in one struct so unknown parameters are refused (serde
/// cannot deny unknown fields through `flatten`). `nearby` takes a point and radius, `within`
/// a rectangle; each refuses the other's. Filters are optional: absent means "don't filter".
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// `nearby`: the search point.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `nearby`: metres, more than 0 and at most 200000; default 25000.
    pub radius_m: Option<f64>,
    /// `within`: the rectangle; `west > east` crosses the antimeridian.
    pub west: Option<f64>,
    pub south: Option<f64>,
    pub east: Option<f64>,
    pub north: Option<f64>,
    /// `nearby`: 1 to 100, default 25; `within`: 1 to 1000, default 200.
    pub limit: Option<i64>,
    /// `json` (default) or `geojson`.
    pub format: Option<String>,
    /// Comma-separated kinds, e.g. `dv_shelter,safe_house`.
    pub kind: Option<String>,
    /// Only places whose intake is open now (or at `open_at`).
    pub open_now: Option<bool>,
    /// The time `open_now` refers to (RFC 3339); default now.
    pub open_at: Option<DateTime<Utc>>,
    /// Only open places with a free bed (or unknown bed counts, like hotel vouchers).
    pub has_beds: Option<bool>,
    pub accepts_children: Option<bool>,
    pub accepts_pets: Option<bool>,
    pub wheelchair_accessible: Option<bool>,
    /// ISO 639-1 code a staff member speaks, e.g. `es`.
    pub language: Option<String>,
}

fn check_filters(f: &SearchQuery, errs: &mut Vec<FieldError>) -> SqlFilters {
    let kinds = f.kind.as_ref().map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .filter_map(|k| match EntryKind::parse(k) {
                Some(kind) => Some(kind.as_str().to_owned()),
                None => {
                    errs.push(err("/kind", "must list kinds from shelter, dv_shelter, safe_house, emergency_housing, transitional_housing, hotel_voucher"));
                    None
                }
            })
            .collect::<Vec<_>>()
    });
    if let Some(l) = &f.language
        && !(l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        errs.push(err("/language", "must be a two-letter ISO 639-1 code"));
    }
    if f.open_at.is_some() && f.open_now != Some(true) {
        errs.push(err("/open_at", "only goes with open_now=true"));
    }
    let at = f.open_at.unwrap_or_else(Utc::now);
    SqlFilters {
        kinds,
        at,
        open_filter: (f.open_now == Some(true)).then_some(at),
        has_beds: f.has_beds,
        children: f.accepts_children,
        pets: f.accepts_pets,
        wheelchair: f.wheelchair_accessible,
        language: f.language.clone(),
    }
}

/// Seconds since availability was last updated, as every answer shows it (`None`: never).
pub fn availability_age_s(updated_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    updated_at.map(|t| (now - t).num_seconds().max(0))
}

pub(super) fn err(pointer: &str, message: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    }
}

/// Whether the caller asked for GeoJSON.
pub fn wants_geojson(format: Option<&str>, errs: &mut Vec<FieldError>) -> bool {
    match format {
        None | Some("json") => false,
        Some("geojson") => true,
        Some(_) => {
            errs.push(err("/format", "must be json or geojson"));
            false
        }
    }
}

impl Hit {
    /// `at` is when `open_now` is decided (a search may ask about another time); `now` is
    /// when the answer is written, which availability's age counts to.
    fn into_entry(self, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<Entry, ApiError> {
        let hours = Hours {
            time_zone: self.time_zone,
            open_24_7: self.open_24_7,
            spans: self.hours.0,
        };
        let e = Entry {
            id: self.id,
            owner_agency_id: self.owner_agency_id,
            name: self.name,
            kind: from_stored(&self.kind)?,
            organization: self.organization,
            description: self.description,
            location: Some(Coordinates {
                latitude: self.loc.latitude(),
                longitude: self.loc.longitude(),
            }),
            address: Address {
                street: self.street,
                locality: self.locality,
                region: self.region,
                postal_code: self.postal_code,
                country: self.country,
            },
            service_area: self.service_area,
            intake_phone: self.intake_phone,
            website: self.website,
            open_now: Some(super::hours::open_at(&hours, at)),
            hours,
            eligibility: Eligibility {
                genders: self.genders,
                min_age: self.min_age,
                max_age: self.max_age,
                accepts_children: self.accepts_children,
                accepts_pets: self.accepts_pets,
                wheelchair_accessible: self.wheelchair_accessible,
                languages: self.languages,
                notes: self.eligibility_notes,
            },
            capacity: self.capacity,
            beds_available: self.beds_available,
            availability_age_s: availability_age_s(self.availability_updated_at, now),
            availability_updated_at: self.availability_updated_at,
            status: from_stored(&self.status)?,
            confidential: self.confidential,
            shared: self.shared,
            external_id: self.external_id,
            version: self.version,
            // Searches only find live entries.
            retired: false,
            distance_m: self.distance,
            redacted: false,
        };
        Ok(redact(e, self.exact))
    }
}

/// Validated `nearby` parameters.
pub struct Nearby {
    point: GeoPoint,
    radius_m: f64,
    limit: i64,
    filters: SqlFilters,
    pub geojson: bool,
}

impl SearchQuery {
    /// Parameters for `nearby`.
    pub fn nearby(self) -> Result<Nearby, ApiError> {
        let mut errs = Vec::new();
        refuse(
            &mut errs,
            &[
                ("west", self.west),
                ("south", self.south),
                ("east", self.east),
                ("north", self.north),
            ],
            "nearby",
        );
        let lat = required(&mut errs, "latitude", self.latitude, 90.0);
        let lon = required(&mut errs, "longitude", self.longitude, 180.0);
        let radius_m = self.radius_m.unwrap_or(DEFAULT_RADIUS_M);
        if !(radius_m.is_finite() && radius_m > 0.0 && radius_m <= MAX_RADIUS_M) {
            errs.push(err(
                "/radius_m",
                "must be more than 0 and at most 200000 metres",
            ));
        }
        let limit = self.limit.unwrap_or(25);
        if !(1..=100).contains(&limit) {
            errs.push(err("/limit", "must be from 1 to 100"));
        }
        let geojson = wants_geojson(self.format.as_deref(), &mut errs);
        let filters = check_filters(&self, &mut errs);
        if !errs.is_empty() {
            return Err(ApiError::InvalidQuery(errs));
        }
        Ok(Nearby {
            point: GeoPoint::new(lat, lon),
            radius_m,
            limit,
            filters,
            geojson,
        })
    }

    /// Parameters for `within`.
    pub fn within(self) -> Result<Within, ApiError> {
        let mut errs = Vec::new();
        refuse(
            &mut errs,
            &[
                ("latitude", self.latitude),
                ("longitude", self.longitude),
                ("radius_m", self.radius_m),
            ],
            "within",
        );
        let west = required(&mut errs, "west", self.west, 180.0);
        let east = required(&mut errs, "east", self.east, 180.0);
        let south = required(&mut errs, "south", self.south, 90.0);
        let north = required(&mut errs, "north", self.north, 90.0);
        if south > north {
            errs.push(err("/north", "must not be south of south"));
        }
        let limit = self.limit.unwrap_or(200);
        if !(1..=1000).contains(&limit) {
            errs.push(err("/limit", "must be from 1 to 1000"));
        }
        let geojson = wants_geojson(self.format.as_deref(), &mut errs);
        let filters = check_filters(&self, &mut errs);
        if !errs.is_empty() {
            return Err(ApiError::InvalidQuery(errs));
        }
        let boxes = if west <= east {
            [(west, east); 2]
        } else {
            [(west, 180.0), (-180.0, east)]
        };
        Ok(Within {
            boxes,
            south,
            north,
            limit,
            filters,
            geojson,
        })
    }
}

/// A coordinate that must be present, finite and within ±`max`.
fn required(errs: &mut Vec<FieldError>, name: &str, value: Option<f64>, max: f64) -> f64 {
    match value {
        Some(v) if v.is_finite() && (-max..=max).contains(&v) => v,
        Some(_) => {
            errs.push(err(
                &format!("/{name}"),
                &format!("must be a number from -{max} to {max}"),
            ));
            0.0
        }
        None => {
            errs.push(err(&format!("/{name}"), "is required"));
            0.0
        }
    }
}

fn refuse(errs: &mut Vec<FieldError>, params: &[(&str, Option<f64>)], search: &str) {
    for (name, value) in params {
        if value.is_some() {
            errs.push(err(
                &format!("/{name}"),
                &format!("is not a parameter of {search}"),
            ));
        }
    }
}

/// A search's outcome.
pub enum Answer {
    /// The session is valid; the searcher and what they may see of the places found.
    Found(Actor, Vec<Entry>),
    /// The statement returned no rows: nothing matched, or the session is not valid. Only
    /// [`Bearer::authenticate`] can tell which.
    Empty(Bearer),
}

/// Nearest first, index-backed: `ST_DWithin` + KNN `<->` on GiST indexes. Distances are
/// `ST_Distance` on the spheroid.
///
/// One statement checks the session (`session_actor`), takes the searcher's agency and
/// holding of the grant from it, and runs two branches split by the one rule,
/// `directory_location_exact`: every entry the searcher may not see exactly, and every ordinary
/// entry, by `public_loc` (its index); the confidential entries they may see exactly by `loc`
/// (the partial index of confidential entries; for a searcher without the grant `s.holds` is a
/// one-time filter, so it is never scanned). The nearest `limit` of both are answered. Both
/// branches read `e.*`, so they always agree; the outer list names the columns used.
pub async fn nearby(db: &mut PgConnection, who: Bearer, q: &Nearby) -> Result<Answer, ApiError> {
    let f = &q.filters;
    let hits = store::nearby(
        db,
        who.session_id(),
        who.user_id(),
        q.point,
        q.radius_m,
        q.limit,
        f,
    )
    .await?;
    let mut answer = answer(who, hits, f.at)?;
    // KNN ranks on the sphere and redaction rounds: order by the distance shown, keeping the
    // index order for ties, so the list reads nearest first and says no more than it shows.
    if let Answer::Found(_, entries) = &mut answer {
        entries.sort_by(|a, b| {
            a.distance_m
                .unwrap_or(0.0)
                .total_cmp(&b.distance_m.unwrap_or(0.0))
        });
    }
    Ok(answer)
}

/// The searcher from the first row (every row carries the same), and the entries as they may
/// see them.
fn answer(who: Bearer, hits: Vec<Hit>, at: DateTime<Utc>) -> Result<Answer, ApiError> {
    let Some(first) = hits.first() else {
        return Ok(Answer::Empty(who));
    };
    let holds = first.searcher_holds;
    let actor = who.actor(
        first.searcher_agency_id,
        &first.searcher_roles,
        &first.searcher_grants,
    );
    // The statement decided the grant by `policy::holders`; `permits` is the rule.
    if Viewer::from_actor(&actor).holds_grant != holds {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "search decided the confidential-locations grant against the policy"
        )));
    }
    let now = Utc::now();
    let entries = hits
        .into_iter()
        .map(|h| h.into_entry(at, now))
        .collect::<Result<_, _>>()?;
    Ok(Answer::Found(actor, entries))
}

/// Validated `within` parameters: one rectangle, or two when it crosses the antimeridian.
pub struct Within {
    boxes: [(f64, f64); 2],
    south: f64,
    north: f64,
    limit: i64,
    filters: SqlFilters,
    pub geojson: bool,
}

/// Everything in the rectangle (a plain latitude/longitude box, as a map shows it), by name.
/// One statement with the session check and the same two branches as [`nearby`]: a place the
/// searcher may not see exactly is found by its `public_loc`.
pub async fn within(db: &mut PgConnection, who: Bearer, q: &Within) -> Result<Answer, ApiError> {
    let f = &q.filters;
    let hits = store::within(
        db,
        who.session_id(),
        who.user_id(),
        q.boxes,
        q.south,
        q.north,
        q.limit,
        f,
    )
    .await?;
    answer(who, hits, f.at)
}

/// RFC 7946 FeatureCollection. Redacted entries have a `null` geometry.
pub fn geojson(entries: &[Entry]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let mut properties = serde_json::to_value(e).unwrap_or_default();
            if let Some(p) = properties.as_object_mut() {
                p.remove("location");
            }
            let geometry = e.location.map(|Coordinates { latitude, longitude }| {
                serde_json::json!({"type": "Point", "coordinates": [longitude, latitude]})
            });
            serde_json::json!({"type": "Feature", "id": e.id, "geometry": geometry, "properties": properties})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}
