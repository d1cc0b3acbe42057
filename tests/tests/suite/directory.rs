//! The shelter directory: search, filters, distances, redaction on every path and role,
//! optimistic concurrency, availability, history, staleness and agency scope.

use fieldline_tests::*;
use fieldline_wire::directory::{
    Address, Coordinates, Eligibility, EntryInput, EntryKind, EntryStatus, Hours, OpeningSpan,
};
use fieldline_wire::problem::types;
use geographiclib_rs::{DirectGeodesic, Geodesic, InverseGeodesic};
use serde_json::{Value, json};
use sqlx::PgPool;

fn place(name: &str, lat: f64, lon: f64) -> EntryInput {
    EntryInput {
        name: name.into(),
        kind: EntryKind::Shelter,
        organization: "Test Org".into(),
        description: String::new(),
        location: Coordinates {
            latitude: lat,
            longitude: lon,
        },
        address: Address {
            street: format!("{name} Street 1"),
            locality: "Testville".into(),
            region: "TS".into(),
            postal_code: "00001".into(),
            country: "US".into(),
        },
        service_area: String::new(),
        intake_phone: "+1 801-555-0100".into(),
        website: None,
        hours: Hours {
            time_zone: "UTC".into(),
            open_24_7: true,
            spans: vec![],
        },
        eligibility: Eligibility::default(),
        capacity: Some(10),
        beds_available: Some(3),
        status: EntryStatus::Open,
        confidential: false,
        shared: true,
        external_id: None,
    }
}

struct Api<'a> {
    server: &'a TestServer,
    token: String,
}

impl<'a> Api<'a> {
    async fn as_user(server: &'a TestServer, email: &str) -> Api<'a> {
        let token = server.token(email).await;
        Api { server, token }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = raw()
            .request(method.parse().unwrap(), self.server.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(m) = if_match {
            req = req.header("if-match", m);
        }
        let res = req.send().await.unwrap();
        let (status, headers) = (res.status().as_u16(), res.headers().clone());
        (status, headers, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.send("GET", path, None, None).await;
        (s, v)
    }

    async fn text(&self, path: &str) -> String {
        raw()
            .get(self.server.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn create(&self, input: &EntryInput) -> Value {
        let (s, h, v) = self
            .send(
                "POST",
                "/v1/directory/entries",
                Some(&serde_json::to_value(input).unwrap()),
                None,
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(h["etag"], format!("\"{}\"", v["version"]));
        v
    }
}

fn nearby(lat: f64, lon: f64, radius: f64, extra: &str) -> String {
    format!(
        "/v1/directory/nearby?latitude={lat}&longitude={lon}&radius_m={radius}&limit=100{extra}"
    )
}

fn names(v: &Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn distances_agree_with_an_independent_geodesic_near_poles_and_across_the_antimeridian(
    db: PgPool,
) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let coordinator = Api::as_user(&server, COORDINATOR).await;
    let g = Geodesic::wgs84();
    // (search point, place): near the north pole across it, near the south pole, across the
    // antimeridian both ways, and an ordinary mid-latitude pair.
    let cases = [
        ((89.9, 0.0), (89.95, 170.0)),
        ((-89.8, 45.0), (-89.9, -120.0)),
        ((-17.0, 179.9), (-17.1, -179.9)),
        ((52.0, -179.95), (52.05, 179.95)),
        ((40.0, -100.0), (40.3, -100.2)),
    ];
    for (i, ((slat, slon), (plat, plon))) in cases.into_iter().enumerate() {
        let name = format!("Geo {i}");
        housing.create(&place(&name, plat, plon)).await;
        let expected: f64 = g.inverse(slat, slon, plat, plon);
        let (s, v) = coordinator.get(&nearby(slat, slon, 200_000.0, "")).await;
        assert_eq!(s, 200, "{v}");
        let hit = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} not found near ({slat}, {slon}): {v}"));
        let got = hit["distance_m"].as_f64().unwrap();
        assert!(
            (got - expected).abs() <= expected * 0.005,
            "{name}: {got} m vs geodesic {expected} m"
        );
    }

    // At the radius edge: a place exactly 10 km away (by the geodesic) is in at 10.01 km
    // and out at 9.99 km.
    let (lat, lon) = (-33.9, 151.2);
    let (plat, plon): (f64, f64) = g.direct(lat, lon, 63.0, 10_000.0);
    housing.create(&place("Edge", plat, plon)).await;
    let (_, inside) = coordinator.get(&nearby(lat, lon, 10_010.0, "")).await;
    assert_eq!(names(&inside), vec!["Edge"]);
    let (_, outside) = coordinator.get(&nearby(lat, lon, 9_990.0, "")).await;
    assert!(names(&outside).is_empty());
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn nearest_first_with_filters(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    let (lat, lon) = (64.0, -150.0); // far from the demo data
    let mut family = place("Family", 64.01, -150.0);
    family.eligibility = Eligibility {
        accepts_children: true,
        accepts_pets: true,
        languages: vec!["es".into()],
        ..Default::default()
    };
    let mut full = place("Full", 64.02, -150.0);
    full.status = EntryStatus::Full;
    full.beds_available = Some(0);
    let mut ramp = place("Ramp", 64.03, -150.0);
    ramp.kind = EntryKind::TransitionalHousing;
    ramp.eligibility.wheelchair_accessible = true;
    let mut voucher = place("Voucher", 64.04, -150.0);
    voucher.kind = EntryKind::HotelVoucher;
    voucher.capacity = None;
    voucher.beds_available = None;
    let mut closed = place("Closed", 64.05, -150.0);
    closed.status = EntryStatus::TemporarilyClosed;
    for p in [&voucher, &closed, &ramp, &full, &family] {
        housing.create(p).await;
    }

    let (s, all) = advocate.get(&nearby(lat, lon, 50_000.0, "")).await;
    assert_eq!(s, 200);
    assert_eq!(
        names(&all),
        vec!["Family", "Full", "Ramp", "Voucher", "Closed"]
    );
    let d: Vec<f64> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["distance_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(
        all["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["availability_age_s"].as_i64().unwrap() < 60)
    );

    for (filter, expected) in [
        ("&has_beds=true", vec!["Family", "Ramp", "Voucher"]),
        ("&accepts_children=true&accepts_pets=true", vec!["Family"]),
        ("&language=es", vec!["Family"]),
        ("&wheelchair_accessible=true", vec!["Ramp"]),
        (
            "&kind=hotel_voucher,transitional_housing",
            vec!["Ramp", "Voucher"],
        ),
        ("&open_now=true", vec!["Family", "Full", "Ramp", "Voucher"]),
        (
            "&has_beds=false",
            vec!["Family", "Full", "Ramp", "Voucher", "Closed"],
        ),
    ] {
        let (s, v) = advocate.get(&nearby(lat, lon, 50_000.0, filter)).await;
        assert_eq!(s, 200, "{filter}: {v}");
        assert_eq!(names(&v), expected, "{filter}");
    }
    let (_, two) = advocate
        .get(&format!(
            "/v1/directory/nearby?latitude={lat}&longitude={lon}&radius_m=50000&limit=2"
        ))
        .await;
    assert_eq!(names(&two), vec!["Family", "Full"]);
    let (_, near) = advocate.get(&nearby(lat, lon, 2_500.0, "")).await;
    assert_eq!(names(&near), vec!["Family", "Full"]);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn open_now_follows_each_places_time_zone_and_midnight(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    let span = |day, opens: &str, closes: &str| OpeningSpan {
        day,
        opens: opens.into(),
        closes: closes.into(),
    };
    // Denver: Monday 20:00-02:00 (past midnight). Tokyo: Tuesday 09:00-17:00. Kiritimati
    // (UTC+14): Monday 00:00-24:00.
    let mut night = place("Night intake Denver", -60.0, 10.0);
    night.hours = Hours {
        time_zone: "America/Denver".into(),
        open_24_7: false,
        spans: vec![span(1, "20:00", "02:00")],
    };
    let mut day = place("Day intake Tokyo", -60.01, 10.0);
    day.hours = Hours {
        time_zone: "Asia/Tokyo".into(),
        open_24_7: false,
        spans: vec![span(2, "09:00", "17:00")],
    };
    let mut kiri = place("Monday Kiritimati", -60.02, 10.0);
    kiri.hours = Hours {
        time_zone: "Pacific/Kiritimati".into(),
        open_24_7: false,
        spans: vec![span(1, "00:00", "24:00")],
    };
    for p in [&night, &day, &kiri] {
        housing.create(p).await;
    }
    let open_at = |t: &str| {
        nearby(
            -60.0,
            10.0,
            20_000.0,
            &format!("&open_now=true&open_at={}", t.replace('+', "%2B")),
        )
    };
    for (at, expected) in [
        // Mon 2026-11-23 21:00 Denver (MST, UTC-7) = Tue 04:00Z = Tue 13:00 Tokyo = Tue 18:00 Kiritimati.
        (
            "2026-11-24T04:00:00Z",
            vec!["Night intake Denver", "Day intake Tokyo"],
        ),
        // Tue 01:30 Denver: still inside Monday's overnight span.
        ("2026-11-24T08:30:00Z", vec!["Night intake Denver"]),
        // Tue 02:00 Denver: closed. Tue 18:00 Tokyo: closed. Tue 23:00 Kiritimati: closed.
        ("2026-11-24T09:00:00Z", vec![]),
        // Mon 2026-11-23 10:00 Kiritimati = Sun 20:00Z: only Kiritimati's Monday.
        ("2026-11-22T20:00:00+00:00", vec!["Monday Kiritimati"]),
        // Daylight saving: 02:30Z is Mon 19:30 in Denver in November (MST, closed) but
        // Mon 20:30 in July (MDT, open). Tokyo (no DST) is Tue 11:30 both times.
        ("2026-11-24T02:30:00Z", vec!["Day intake Tokyo"]),
        (
            "2026-07-07T02:30:00Z",
            vec!["Night intake Denver", "Day intake Tokyo"],
        ),
    ] {
        let (s, v) = advocate.get(&open_at(at)).await;
        assert_eq!(s, 200, "{at}: {v}");
        assert_eq!(names(&v), expected, "open at {at}");
    }
    // Every result says whether it is open at the time searched for.
    let (_, v) = advocate.get(&nearby(-60.0, 10.0, 20_000.0, "")).await;
    assert!(
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["open_now"].is_boolean())
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn bad_search_parameters_are_400_problems(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    for (query, pointer) in [
        ("latitude=91&longitude=0", "/latitude"),
        ("latitude=NaN&longitude=0", "/latitude"),
        ("latitude=0&longitude=-181", "/longitude"),
        ("latitude=0&longitude=inf", "/longitude"),
        ("longitude=0", "/latitude"),
        ("latitude=0&longitude=0&radius_m=0", "/radius_m"),
        ("latitude=0&longitude=0&radius_m=-5", "/radius_m"),
        ("latitude=0&longitude=0&radius_m=1000000", "/radius_m"),
        ("latitude=0&longitude=0&limit=0", "/limit"),
        ("latitude=0&longitude=0&kind=castle", "/kind"),
        ("latitude=0&longitude=0&colour=red", "/colour"),
        ("latitude=0&longitude=0&has_beds=maybe", "/has_beds"),
        ("latitude=0&longitude=0&language=spanish", "/language"),
        ("latitude=0&longitude=0&format=kml", "/format"),
        ("latitude=0&longitude=0&west=1", "/west"),
        ("latitude=abc&longitude=0", "/latitude"),
    ] {
        let (s, v) = advocate.get(&format!("/v1/directory/nearby?{query}")).await;
        assert_problem!(s, v, 400, types::INVALID_QUERY, "{query}");
        assert!(
            v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["pointer"] == pointer),
            "{query}: {v}"
        );
    }
    let (s, v) = advocate
        .get("/v1/directory/within?west=0&south=10&east=1&north=5")
        .await;
    assert_eq!(
        (s, v["errors"][0]["pointer"].as_str().unwrap()),
        (400, "/north")
    );
    let (s, _) = advocate
        .get("/v1/directory/within?west=0&south=0&east=1&north=1&latitude=3")
        .await;
    assert_eq!(s, 400);
}

/// Every output path, for every role: a reader without the grant never gets a confidential
/// place's street, postal code or point.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn confidential_places_are_redacted_on_every_path_for_every_role_without_the_grant(
    db: PgPool,
) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let mut secret = place("Hidden Harbor", 10.123456, 20.654321);
    secret.kind = EntryKind::DvShelter;
    secret.confidential = true;
    secret.address.street = "77 Quiet Lane".into();
    secret.address.postal_code = "ZZ9 9ZZ".into();
    let created = housing.create(&secret).await;
    let id = created["id"].as_str().unwrap().to_owned();
    housing.create(&place("Open Door", 10.13, 20.66)).await;

    // The other agency's advocate, and an advocate given the grant explicitly.
    let admin = server.login(ADMIN).await;
    let granted_id = server.user_id(ADVOCATE).await;
    let paths = [
        nearby(10.1, 20.6, 30_000.0, ""),
        nearby(10.1, 20.6, 30_000.0, "&format=geojson"),
        "/v1/directory/within?west=20&south=10&east=21&north=11".to_owned(),
        "/v1/directory/within?west=20&south=10&east=21&north=11&format=geojson".to_owned(),
        format!("/v1/directory/entries/{id}"),
    ];
    for (email, sees) in [
        (ADVOCATE, false),
        (ADMIN, false),
        (OTHER_ADVOCATE, false),
        (COORDINATOR, true),
        (HOUSING, true),
    ] {
        let api = Api::as_user(&server, email).await;
        for path in &paths {
            let text = api.text(path).await;
            for secret_bit in ["77 Quiet Lane", "ZZ9 9ZZ", "10.123456", "20.654321"] {
                assert_eq!(
                    text.contains(secret_bit),
                    sees,
                    "{email} {path}: {secret_bit:?} in {text}"
                );
            }
            let v: Value = serde_json::from_str(&text).unwrap();
            let hidden = match v.get("features") {
                Some(f) => f
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["properties"]["name"] == "Hidden Harbor")
                    .cloned(),
                None => match v.get("entries") {
                    Some(e) => e
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|e| e["name"] == "Hidden Harbor")
                        .cloned(),
                    None => Some(v.clone()),
                },
            }
            .unwrap_or_else(|| panic!("{email} {path}: confidential place missing: {text}"));
            let props = hidden.get("properties").unwrap_or(&hidden);
            assert_eq!(props["redacted"], !sees, "{email} {path}");
            assert_eq!(
                props["intake_phone"], "+1 801-555-0100",
                "the intake phone stays visible"
            );
            assert_eq!(
                props["address"]["locality"], "Testville",
                "the coarse area stays visible"
            );
            if !sees {
                if let Some(d) = props["distance_m"].as_f64() {
                    assert_eq!(d % 1000.0, 0.0, "{email} {path}: distance not rounded: {d}");
                }
                if hidden.get("geometry").is_some() {
                    assert!(hidden["geometry"].is_null());
                }
            }
        }
    }

    // The agency list (housing managers and admins only) redacts the same way.
    for (email, sees) in [(ADMIN, false), (HOUSING, true)] {
        let text = Api::as_user(&server, email)
            .await
            .text("/v1/directory/entries?limit=500")
            .await;
        assert!(text.contains("Hidden Harbor"), "{email}: {text}");
        for secret_bit in ["77 Quiet Lane", "ZZ9 9ZZ", "10.123456", "20.654321"] {
            assert_eq!(text.contains(secret_bit), sees, "{email}: {secret_bit:?}");
        }
    }

    // An advocate given the grant sees everything.
    set_grants(
        &admin,
        granted_id,
        vec![fieldline_wire::Grant::ViewConfidentialLocations],
    )
    .await;
    let granted = Api::as_user(&server, ADVOCATE).await;
    assert!(
        granted
            .text(&format!("/v1/directory/entries/{id}"))
            .await
            .contains("77 Quiet Lane")
    );

    // The audit log (read by admins without the grant) never holds the address either.
    let audit = admin.audit_log(&format!("record_id={id}")).await.unwrap();
    let text = serde_json::to_string(&audit).unwrap();
    assert!(
        !text.contains("77 Quiet Lane") && !text.contains("10.123456"),
        "{text}"
    );
    assert!(text.contains("(hidden)"));
}

/// Order and inclusion tell a reader without the grant no more than the rounded distance:
/// moving a confidential place within its ~1 km cell changes nothing they can see.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn moving_a_confidential_place_within_its_cell_changes_nothing_an_advocate_sees(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    for (i, d) in [0.010, 0.018, 0.026, 0.034].into_iter().enumerate() {
        housing
            .create(&place(&format!("Neighbour {i}"), -45.0 + d, 170.0))
            .await;
    }
    let mut secret = place("Cell Secret", -44.9770, 170.0012);
    secret.confidential = true;
    let created = housing.create(&secret).await;
    let id = created["id"].as_str().unwrap();

    let view = |v: Value| -> Vec<(String, Option<f64>)> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_owned(),
                    e["distance_m"].as_f64(),
                )
            })
            .collect()
    };
    let mut seen = Vec::new();
    for (lat, lon) in [
        (-44.9770, 170.0012),
        (-44.9761, 170.0038),
        (-44.9778, 169.9964),
    ] {
        let mut moved = secret.clone();
        moved.location = Coordinates {
            latitude: lat,
            longitude: lon,
        };
        let (_, h, _) = housing
            .send("GET", &format!("/v1/directory/entries/{id}"), None, None)
            .await;
        let (s, _, v) = housing
            .send(
                "PUT",
                &format!("/v1/directory/entries/{id}"),
                Some(&serde_json::to_value(&moved).unwrap()),
                Some(h["etag"].to_str().unwrap()),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let mut views = Vec::new();
        for radius in [2_000.0, 3_500.0, 5_000.0] {
            views.push(view(
                advocate.get(&nearby(-45.0, 170.0, radius, "")).await.1,
            ));
        }
        seen.push(views);
    }
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "an advocate could tell the moves apart: {seen:?}"
    );
    // The coordinator, with the grant, sees the exact distance change.
    let coordinator = Api::as_user(&server, COORDINATOR).await;
    let exact = view(coordinator.get(&nearby(-45.0, 170.0, 5_000.0, "")).await.1);
    assert!(
        exact
            .iter()
            .any(|(n, d)| n == "Cell Secret" && d.unwrap() % 1000.0 != 0.0)
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn housing_staff_keep_entries_with_versions_availability_and_history(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let mut input = place("Versioned", 1.0, 1.0);
    input.confidential = true;
    let created = housing.create(&input).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/directory/entries/{id}");
    assert_eq!(created["version"], 1);

    // Replace needs If-Match; a stale one gets 412 with the current version.
    let mut renamed = input.clone();
    renamed.name = "Versioned Two".into();
    renamed.address.street = "2 New Street".into();
    let body = serde_json::to_value(&renamed).unwrap();
    let (s, _, v) = housing.send("PUT", &path, Some(&body), None).await;
    assert_problem!(s, v, 428, types::PRECONDITION_REQUIRED);
    let (s, h, v) = housing.send("PUT", &path, Some(&body), Some("\"1\"")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["version"].as_i64(), h["etag"].to_str().unwrap()),
        (Some(2), "\"2\"")
    );
    let (s, h, v) = housing.send("PUT", &path, Some(&body), Some("\"1\"")).await;
    assert_eq!(
        (
            s,
            v["type"].as_str().unwrap(),
            v["current_version"].as_i64()
        ),
        (412, types::PRECONDITION_FAILED, Some(2))
    );
    assert_eq!(h["etag"], "\"2\"");
    let (s, _, _) = housing
        .send("PUT", &path, Some(&body), Some("garbage"))
        .await;
    assert_eq!(s, 400);

    // The one-tap availability update; full means no beds; beds within capacity.
    let avail = format!("{path}/availability");
    let (s, _, v) = housing
        .send(
            "PATCH",
            &avail,
            Some(&json!({"beds_available": 0, "status": "full"})),
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["status"].as_str(),
            v["beds_available"].as_i64(),
            v["version"].as_i64()
        ),
        (Some("full"), Some(0), Some(3))
    );
    for bad in [
        json!({"beds_available": 11}),
        json!({"beds_available": 2, "status": "full"}),
        json!({"beds_available": -1}),
    ] {
        let (s, _, v) = housing.send("PATCH", &avail, Some(&bad), None).await;
        assert_field_error!(s, v, "/beds_available", "{bad}");
    }
    let (s, _, _) = housing
        .send(
            "PATCH",
            &avail,
            Some(&json!({"beds_available": 4, "status": "open"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(s, 412);

    // History: who, when, what — the street is named, never shown.
    let (s, hist) = housing.get(&format!("{path}/history")).await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = hist["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "directory.availability",
            "directory.update",
            "directory.create"
        ]
    );
    let update = &hist["entries"][1];
    assert_eq!(
        update["actor_user_id"],
        server.user_id(HOUSING).await.to_string()
    );
    assert_eq!(update["details"]["changes"]["/name"], "Versioned Two");
    assert_eq!(update["details"]["changes"]["/address/street"], "(hidden)");
    assert!(!hist.to_string().contains("2 New Street"));

    // Retire: gone from search and from other agencies, still readable by the owner.
    let (s, _, _) = housing.send("DELETE", &path, None, Some("\"3\"")).await;
    assert_eq!(s, 204);
    let (_, v) = housing.get(&nearby(1.0, 1.0, 1_000.0, "")).await;
    assert!(names(&v).is_empty());
    let (s, v) = housing.get(&path).await;
    assert_eq!((s, v["retired"].as_bool()), (200, Some(true)));
    let other = Api::as_user(&server, OTHER_ADVOCATE).await;
    assert_eq!(other.get(&path).await.0, 404);
    let (s, _, _) = housing.send("PUT", &path, Some(&body), Some("\"4\"")).await;
    assert_eq!(s, 404);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn only_the_owning_agencys_housing_staff_change_entries(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let shared = housing.create(&place("Shared", 2.0, 2.0)).await;
    let mut own = place("Own", 2.01, 2.0);
    own.shared = false;
    let private = housing.create(&own).await;
    let body = serde_json::to_value(place("Hijack", 2.0, 2.0)).unwrap();

    for email in [ADVOCATE, COORDINATOR, ADMIN] {
        let api = Api::as_user(&server, email).await;
        let (s, _, _) = api
            .send("POST", "/v1/directory/entries", Some(&body), None)
            .await;
        assert_eq!(s, 403, "{email} created an entry");
        let (s, _, _) = api
            .send(
                "PUT",
                &format!("/v1/directory/entries/{}", shared["id"].as_str().unwrap()),
                Some(&body),
                Some("\"1\""),
            )
            .await;
        assert_eq!(s, 403, "{email} replaced an entry");
        for path in [
            "/v1/directory/stale".to_owned(),
            format!(
                "/v1/directory/entries/{}/history",
                shared["id"].as_str().unwrap()
            ),
        ] {
            assert_eq!(api.get(&path).await.0, 403, "{email} {path}");
        }
    }

    // The other agency: sees shared entries, not private ones; changes neither.
    sqlx::query("UPDATE users SET roles = ARRAY['housing_manager'] WHERE email = $1")
        .bind(OTHER_ADVOCATE)
        .execute(&db)
        .await
        .unwrap();
    let other = Api::as_user(&server, OTHER_ADVOCATE).await;
    let (_, v) = other.get(&nearby(2.0, 2.0, 5_000.0, "")).await;
    assert_eq!(names(&v), vec!["Shared"]);
    let shared_path = format!("/v1/directory/entries/{}", shared["id"].as_str().unwrap());
    let private_path = format!("/v1/directory/entries/{}", private["id"].as_str().unwrap());
    assert_eq!(other.get(&private_path).await.0, 404);
    assert_eq!(
        other
            .send("PUT", &shared_path, Some(&body), Some("\"1\""))
            .await
            .0,
        403
    );
    assert_eq!(
        other
            .send("PUT", &private_path, Some(&body), Some("\"1\""))
            .await
            .0,
        404
    );
    assert_eq!(
        other
            .send(
                "PATCH",
                &format!("{private_path}/availability"),
                Some(&json!({"beds_available": 1})),
                None
            )
            .await
            .0,
        404
    );
    assert_eq!(
        other
            .send("DELETE", &shared_path, None, Some("\"1\""))
            .await
            .0,
        403
    );
    assert_eq!(other.get(&format!("{private_path}/history")).await.0, 404);
    let (_, v) = housing.get(&shared_path).await;
    assert_eq!(
        (v["name"].as_str(), v["version"].as_i64()),
        (Some("Shared"), Some(1))
    );

    // The demo's private entries are invisible to the other agency too.
    let (_, demo) = other.get(&nearby(40.2338, -111.6585, 60_000.0, "")).await;
    let (_, ours) = housing.get(&nearby(40.2338, -111.6585, 60_000.0, "")).await;
    assert_eq!(names(&ours).len(), 46);
    assert_eq!(names(&demo).len(), 46 - 3);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn stale_availability_is_listed_oldest_first(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let (s, v) = housing.get("/v1/directory/stale").await;
    assert_eq!(s, 200);
    assert_eq!(v["stale_after_s"], 24 * 3600, "the default threshold");
    let ages: Vec<i64> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["availability_age_s"].as_i64().unwrap())
        .collect();
    assert!(!ages.is_empty());
    assert!(ages.iter().all(|a| *a >= 24 * 3600), "{ages:?}");
    assert!(
        ages.windows(2).all(|w| w[0] >= w[1]),
        "oldest first: {ages:?}"
    );

    // Confirming availability takes an entry off the list.
    let first = v["entries"][0]["id"].as_str().unwrap().to_owned();
    let beds = v["entries"][0]["beds_available"].clone();
    let (s, _, _) = housing
        .send(
            "PATCH",
            &format!("/v1/directory/entries/{first}/availability"),
            Some(&json!({"beds_available": beds})),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (_, after) = housing.get("/v1/directory/stale").await;
    assert!(
        after["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["id"] != first.as_str())
    );
    let (_, wide) = housing.get("/v1/directory/stale?hours=1").await;
    assert!(wide["entries"].as_array().unwrap().len() > after["entries"].as_array().unwrap().len());
    assert_eq!(housing.get("/v1/directory/stale?hours=0").await.0, 400);
}

/// Lists say where stale starts, from `FIELDLINE_DIRECTORY_STALE_HOURS`, so the apps flag
/// exactly what the server's stale list holds.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn lists_carry_the_servers_stale_threshold(db: PgPool) {
    let server = TestServer::start_with(db, &[("FIELDLINE_DIRECTORY_STALE_HOURS", "2")]).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    for (who, path) in [
        (&housing, "/v1/directory/stale"),
        (
            &housing,
            "/v1/directory/within?west=-180&south=-90&east=180&north=90&limit=1000",
        ),
        (
            &advocate,
            "/v1/directory/nearby?latitude=40.2338&longitude=-111.6585&radius_m=50000",
        ),
    ] {
        let (s, v) = who.get(path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert_eq!(v["stale_after_s"], 2 * 3600, "{path}");
    }
    // What the stale list holds is what the threshold flags.
    let (_, stale) = housing.get("/v1/directory/stale").await;
    let (_, all) = housing
        .get("/v1/directory/within?west=-180&south=-90&east=180&north=90&limit=1000")
        .await;
    let mine = stale["entries"][0]["owner_agency_id"].clone();
    let flagged = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["owner_agency_id"] == mine && e["status"] != "closed")
        // Whole seconds: an age of exactly 7200 s is a moment past two hours.
        .filter(|e| {
            e["availability_age_s"]
                .as_i64()
                .is_none_or(|a| a >= 2 * 3600)
        })
        .count();
    assert!(flagged > 0);
    assert_eq!(stale["entries"].as_array().unwrap().len(), flagged);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_map_rectangle_may_cross_the_antimeridian(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let coordinator = Api::as_user(&server, COORDINATOR).await;
    for (name, lon) in [
        ("East of the line", 179.9),
        ("West of the line", -179.9),
        ("Greenwich", 0.0),
    ] {
        housing.create(&place(name, -16.5, lon)).await;
    }
    let (s, v) = coordinator
        .get("/v1/directory/within?west=179&south=-17&east=-179&north=-16")
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(names(&v), vec!["East of the line", "West of the line"]);
    let (_, v) = coordinator
        .get("/v1/directory/within?west=-1&south=-17&east=1&north=-16&format=geojson")
        .await;
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(
        v["features"][0]["geometry"],
        json!({"type": "Point", "coordinates": [0.0, -16.5]})
    );
    assert_eq!(v["features"].as_array().unwrap().len(), 1);
}

/// The 2 a.m. question, asked through the phone's client: open, a bed, takes a mother with
/// two children and a dog, nearest first, and how to reach intake.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_advocate_finds_a_bed_for_a_family_with_a_dog_through_the_bridge(db: PgPool) {
    let server = TestServer::start(db).await;
    let phone = server.login(ADVOCATE).await;
    let found = phone
        .nearby(
            40.2338,
            -111.6585,
            60_000.0,
            "&open_now=true&has_beds=true&accepts_children=true&accepts_pets=true&limit=100",
        )
        .await
        .unwrap();
    assert!(
        !found.entries.is_empty(),
        "the demo data should have such a place"
    );
    for e in &found.entries {
        assert!(
            e.eligibility.accepts_children && e.eligibility.accepts_pets,
            "{}",
            e.name
        );
        assert_eq!(e.status, fieldline_wire::directory::EntryStatus::Open);
        assert!(e.beds_available.is_none_or(|b| b > 0));
        assert_eq!(e.open_now, Some(true));
        assert!(!e.intake_phone.is_empty());
        assert!(e.distance_m.unwrap() <= 60_000.0);
        if e.confidential {
            assert!(e.redacted && e.location.is_none() && e.address.street.is_empty());
        }
    }
    let first = &found.entries[0];
    assert_eq!(phone.directory_entry(first.id).await.unwrap().id, first.id);
}

/// Searches build entries from columns and compute `open_now` in Rust (the hot path); single
/// reads use the SQL document. Every field must agree, for readers with and without the grant.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn searches_and_reads_agree(db: PgPool) {
    let server = TestServer::start(db).await;
    for email in [ADVOCATE, HOUSING] {
        let api = Api::as_user(&server, email).await;
        let (s, found) = api.get(&nearby(40.2338, -111.6585, 60_000.0, "")).await;
        assert_eq!(s, 200);
        let found = found["entries"].as_array().unwrap().clone();
        assert!(found.len() >= 40, "{email}: {}", found.len());
        let (s, boxed) = api
            .get("/v1/directory/within?west=-112.5&south=39.5&east=-111&north=41&limit=1000")
            .await;
        assert_eq!(s, 200);
        let boxed = boxed["entries"].as_array().unwrap().clone();
        for hit in found.iter().chain(&boxed) {
            let (s, mut read) = api
                .get(&format!(
                    "/v1/directory/entries/{}",
                    hit["id"].as_str().unwrap()
                ))
                .await;
            assert_eq!(s, 200);
            let mut hit = hit.clone();
            for search_only in ["distance_m", "open_now", "availability_age_s"] {
                hit.as_object_mut().unwrap().remove(search_only);
                read.as_object_mut().unwrap().remove(search_only);
            }
            assert_eq!(hit, read, "{email}");
        }
    }
}

/// `open_now` in search results is computed in Rust, the `open_now` filter in SQL
/// (`directory_open_at`): both must say the same for any hours, zone and instant, including
/// spans past midnight, `24:00`, and the days around DST changes.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn rust_and_sql_agree_on_open_now(db: PgPool) {
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use fieldline_api::directory::hours::{canonical_spans, open_at};
    let zones = [
        "America/Denver",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Asia/Kolkata",
        "UTC",
    ];
    let times = [
        "00:00", "02:00", "06:30", "09:00", "12:15", "17:45", "20:00", "23:30", "24:00",
    ];
    // A small deterministic generator: spans of every shape without a dependency.
    let mut seed = 0x2545_f491_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    // Instants every 50 minutes across the 2026 DST changes in both hemispheres.
    let mut instants: Vec<DateTime<Utc>> = Vec::new();
    for start in [
        "2026-03-07T00:00:00Z",
        "2026-04-04T00:00:00Z",
        "2026-09-26T00:00:00Z",
        "2026-10-31T00:00:00Z",
    ] {
        let t0: DateTime<Utc> = start.parse().unwrap();
        instants
            .extend((0..200).map(|i| t0 + Duration::minutes(50 * i) + Duration::seconds(i % 61)));
    }
    instants.push(Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap());
    let mut compared = 0;
    for case in 0..60 {
        let spans: Vec<OpeningSpan> = (0..1 + next(4))
            .map(|_| {
                let (opens, closes) = loop {
                    let (o, c) = (times[next(times.len() - 1)], times[next(times.len())]);
                    if o != c {
                        break (o, c);
                    }
                };
                OpeningSpan {
                    day: 1 + next(7) as u8,
                    opens: opens.into(),
                    closes: closes.into(),
                }
            })
            .collect();
        let hours = Hours {
            time_zone: zones[case % zones.len()].into(),
            open_24_7: case % 17 == 16,
            spans,
        };
        let sql: Vec<bool> = sqlx::query_scalar(
            "SELECT directory_open_at($1, $2, $3, t) FROM unnest($4::timestamptz[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
        )
        .bind(sqlx::types::Json(&hours.spans))
        .bind(hours.open_24_7)
        .bind(&hours.time_zone)
        .bind(&instants)
        .fetch_all(&db)
        .await
        .unwrap();
        for (at, sql_open) in instants.iter().zip(sql) {
            assert_eq!(open_at(&hours, *at), sql_open, "{hours:?} at {at}");
            compared += 1;
        }
        // Searches read spans through a fast path for PostgreSQL's own jsonb text.
        let printed: String = sqlx::query_scalar("SELECT $1::jsonb::text")
            .bind(sqlx::types::Json(&hours.spans))
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(
            canonical_spans(printed.as_bytes()).as_ref(),
            Some(&hours.spans),
            "{printed}"
        );
    }
    assert_eq!(compared, 60 * instants.len());
}

/// Walks `GET /v1/directory/entries` page by page; returns the entries and the page count.
async fn walk(api: &Api<'_>, query: &str) -> (Vec<Value>, usize) {
    let (mut all, mut pages, mut after) = (Vec::new(), 0, None::<String>);
    loop {
        let path = match &after {
            Some(a) => format!("/v1/directory/entries?{query}&after={a}"),
            None => format!("/v1/directory/entries?{query}"),
        };
        let (s, v) = api.get(&path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert_eq!(v["stale_after_s"], 24 * 3600);
        pages += 1;
        all.extend(v["entries"].as_array().unwrap().iter().cloned());
        match v["next_after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return (all, pages),
        }
        assert!(pages < 100, "the walk does not end");
    }
}

/// The agency's own entries as the database has them, by name then id.
async fn owned_ids(db: &PgPool, email: &str, include_retired: bool) -> Vec<String> {
    sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT e.id FROM directory_entries e JOIN users u ON u.agency_id = e.owner_agency_id
          WHERE u.email = $1 AND ($2 OR e.retired_at IS NULL) ORDER BY e.name, e.id",
    )
    .bind(email)
    .bind(include_retired)
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|id| id.to_string())
    .collect()
}

fn ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn housing_staff_page_through_exactly_their_agencys_entries_by_name(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let housing = Api::as_user(&server, HOUSING).await;
    // More than two pages of 50 on top of the demo's entries, created out of name order, one
    // private and one confidential, and two with the same name (ordered by id).
    for i in (0..130).rev() {
        let mut p = place(&format!("List {i:03}"), 10.0 + i as f64 * 0.001, 10.0);
        p.shared = i != 7;
        p.confidential = i == 8;
        housing.create(&p).await;
    }
    housing.create(&place("List 064", 11.0, 11.0)).await;
    // Another agency's shared entries, named among ours.
    sqlx::query("UPDATE users SET roles = ARRAY['housing_manager'] WHERE email = $1")
        .bind(OTHER_ADVOCATE)
        .execute(&db)
        .await
        .unwrap();
    let other = Api::as_user(&server, OTHER_ADVOCATE).await;
    for i in [0, 31, 64, 65, 200] {
        other
            .create(&place(&format!("List {i:03} (other)"), 10.0, 10.0))
            .await;
    }

    let expected = owned_ids(&db, HOUSING, false).await;
    assert!(expected.len() > 130 + 40, "the demo's entries and ours");
    let (mine, pages) = walk(&housing, "limit=50").await;
    assert_eq!(ids(&mine), expected, "each own entry once, by name then id");
    assert_eq!(
        pages,
        expected.len().div_ceil(50),
        "no empty page at the end"
    );
    assert!(
        mine.iter()
            .all(|e| e["owner_agency_id"] == mine[0]["owner_agency_id"])
    );
    assert!(
        mine.iter()
            .all(|e| !e["name"].as_str().unwrap().contains("(other)"))
    );
    // Ours in our order: zero-padded ASCII names sort the same under any collation.
    let ours: Vec<&str> = mine
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .filter(|n| n.starts_with("List "))
        .collect();
    let mut sorted = ours.clone();
    sorted.sort();
    assert_eq!(ours, sorted);
    assert_eq!(ours.len(), 131);
    let twins: Vec<&Value> = mine.iter().filter(|e| e["name"] == "List 064").collect();
    assert!(
        twins[0]["id"].as_str() < twins[1]["id"].as_str(),
        "same name: by id"
    );
    let confidential = mine.iter().find(|e| e["name"] == "List 008").unwrap();
    assert_eq!(confidential["address"]["street"], "List 008 Street 1");
    assert_eq!(confidential["redacted"], false);
    assert!(
        mine.iter()
            .any(|e| e["name"] == "List 007" && e["shared"] == false)
    );
    assert!(mine.iter().all(|e| e["availability_age_s"].is_i64()));

    // The typed client walks the same pages.
    let client = server.login(HOUSING).await;
    let (mut via_client, mut after) = (Vec::new(), None::<String>);
    loop {
        let page = client
            .directory_entries(after.as_deref(), 50, false)
            .await
            .unwrap();
        via_client.extend(page.entries.iter().map(|e| e.id.to_string()));
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(via_client, expected);

    // The default page is 100; the other agency lists its own five and none of ours.
    let (_, first) = housing.get("/v1/directory/entries").await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 100);
    assert!(first["next_after"].is_string());
    let (theirs, _) = walk(&other, "limit=2").await;
    assert_eq!(ids(&theirs), owned_ids(&db, OTHER_ADVOCATE, false).await);
    assert_eq!(theirs.len(), 5);
    let (_, exact) = other.get("/v1/directory/entries?limit=5").await;
    assert_eq!(exact["entries"].as_array().unwrap().len(), 5);
    assert!(
        exact["next_after"].is_null(),
        "a page that ends the list says so"
    );

    // Retired places only when asked for, marked so.
    let retired = mine.iter().find(|e| e["name"] == "List 100").unwrap();
    let (s, _, _) = housing
        .send(
            "DELETE",
            &format!("/v1/directory/entries/{}", retired["id"].as_str().unwrap()),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(s, 204);
    let (live, _) = walk(&housing, "limit=500").await;
    assert_eq!(live.len(), expected.len() - 1);
    assert!(!ids(&live).contains(&retired["id"].as_str().unwrap().to_owned()));
    let (with_retired, _) = walk(&housing, "limit=500&include_retired=true").await;
    assert_eq!(ids(&with_retired), owned_ids(&db, HOUSING, true).await);
    let found = with_retired
        .iter()
        .find(|e| e["id"] == retired["id"])
        .unwrap();
    assert_eq!(found["retired"], true);

    // An admin oversees the list but, without the grant, gets confidential places redacted.
    let admin = Api::as_user(&server, ADMIN).await;
    let (seen, _) = walk(&admin, "limit=500").await;
    assert_eq!(ids(&seen), ids(&live));
    let hidden = seen.iter().find(|e| e["name"] == "List 008").unwrap();
    assert_eq!(hidden["redacted"], true);
    assert_eq!(hidden["address"]["street"], "");
    assert!(hidden["location"].is_null());
    assert!(
        seen.iter()
            .filter(|e| e["confidential"] == true)
            .all(|e| e["redacted"] == true && e["location"].is_null())
    );
    // Field staff search the directory; they do not list an agency's upkeep.
    for email in [ADVOCATE, COORDINATOR] {
        let api = Api::as_user(&server, email).await;
        let (s, v) = api.get("/v1/directory/entries").await;
        assert_problem!(s, v, 403, types::FORBIDDEN, "{email}");
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_entry_list_refuses_bad_limits_and_cursors(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    for (query, pointer) in [
        ("limit=0", "/limit"),
        ("limit=501", "/limit"),
        ("limit=-3", "/limit"),
        ("limit=ten", "/limit"),
        ("after=not%20a%20cursor", "/after"),
        ("after=AAAA", "/after"),
        ("after=", "/after"),
        // A well-formed cursor whose name holds a NUL, which PostgreSQL text cannot.
        ("after=AAAAAAAAAAAAAAAAAAAAAEEAQg", "/after"),
        ("include_retired=maybe", "/include_retired"),
        ("offset=100", "/offset"),
    ] {
        let res = raw()
            .get(server.url(&format!("/v1/directory/entries?{query}")))
            .bearer_auth(&housing.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{query}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["type"], types::INVALID_QUERY, "{query}");
        assert!(
            v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["pointer"] == pointer),
            "{query}: {v}"
        );
        assert!(!v.to_string().contains("not a cursor"), "echoed: {v}");
    }
    // Bounds are inclusive; a page shorter than the limit is the last.
    let (s, one) = housing.get("/v1/directory/entries?limit=1").await;
    assert_eq!((s, one["entries"].as_array().unwrap().len()), (200, 1));
    assert!(one["next_after"].is_string());
    let (s, all) = housing.get("/v1/directory/entries?limit=500").await;
    assert_eq!(s, 200);
    assert!(all["entries"].as_array().unwrap().len() < 500);
    assert!(all["next_after"].is_null());
}

/// Searches check the session, the agency and the grant inside their own statement
/// (`session_actor`), not from the token: a grant given or taken shows in the next search
/// with the same token, a revoked session gets 401 whether the search would find places,
/// find none or has bad parameters, and an empty answer for a valid session is 200.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn searches_check_session_agency_and_grant_in_their_own_statement(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let mut secret = place("Hidden Harbor", 10.123456, 20.654321);
    secret.confidential = true;
    secret.address.street = "77 Quiet Lane".into();
    housing.create(&secret).await;
    let mut own = place("Our Own Door", 10.13, 20.66);
    own.shared = false;
    housing.create(&own).await;

    let admin = server.login(ADMIN).await;
    let advocate_id = server.user_id(ADVOCATE).await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    let other = Api::as_user(&server, OTHER_ADVOCATE).await;
    let near = nearby(10.1, 20.6, 30_000.0, "");
    let map = "/v1/directory/within?west=20&south=10&east=21&north=11";
    for path in [near.as_str(), map] {
        // The agency comes from the session's user: the unshared entry is only for its own.
        let (_, v) = advocate.get(path).await;
        assert!(names(&v).contains(&"Our Own Door".to_owned()), "{v}");
        let (_, v) = other.get(path).await;
        assert!(!names(&v).contains(&"Our Own Door".to_owned()), "{v}");
        assert!(!harbor_exact(&advocate, path).await);
    }
    // The same token, after an admin gives and then takes the grant.
    set_grants(
        &admin,
        advocate_id,
        vec![fieldline_wire::Grant::ViewConfidentialLocations],
    )
    .await;
    for path in [near.as_str(), map] {
        assert!(harbor_exact(&advocate, path).await, "{path}");
    }
    set_grants(&admin, advocate_id, vec![]).await;
    for path in [near.as_str(), map] {
        assert!(!harbor_exact(&advocate, path).await, "{path}");
    }

    // Nothing there is an empty list for a valid session.
    let empty = nearby(-45.0, -140.0, 1_000.0, "");
    let (s, v) = advocate.get(&empty).await;
    assert_eq!((s, names(&v).len()), (200, 0), "{v}");

    let bad = "/v1/directory/nearby?latitude=91&longitude=0";
    assert_eq!(advocate.get(bad).await.0, 400);
    admin.revoke_sessions(advocate_id).await.unwrap();
    for path in [
        near.as_str(),
        map,
        &empty,
        bad,
        "/v1/directory/within?west=1",
    ] {
        let (s, v) = advocate.get(path).await;
        assert_problem!(s, v, 401, types::UNAUTHORIZED, "{path}");
    }
}

async fn set_grants(
    admin: &fieldline_bridge::Client,
    user: uuid::Uuid,
    grants: Vec<fieldline_wire::Grant>,
) {
    let change = fieldline_wire::admin::UserUpdate {
        grants: Some(grants),
        ..Default::default()
    };
    admin.update_user(user, &change).await.unwrap();
}

/// Whether the search at `path` shows "Hidden Harbor" unredacted (its street and point).
async fn harbor_exact(api: &Api<'_>, path: &str) -> bool {
    let (s, v) = api.get(path).await;
    assert_eq!(s, 200, "{path}: {v}");
    let harbor = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Hidden Harbor")
        .unwrap_or_else(|| panic!("{path}: {v}"));
    let exact = harbor["redacted"] == false;
    assert_eq!(
        exact,
        harbor["address"]["street"] == "77 Quiet Lane",
        "{harbor}"
    );
    assert_eq!(exact, harbor["location"].is_object(), "{harbor}");
    exact
}

/// What a path shows of "Hidden Harbor" (77 Quiet Lane, 10.123456 20.654321, postal ZZ9 9ZZ,
/// which no id or number in an answer can contain by chance):
/// `Some(true)` exactly, `Some(false)` redacted (listed without street, postal code or point),
/// `None` not at all. Street, postal code and point are shown together or not at all.
async fn harbor_shown(api: &Api<'_>, path: &str) -> Option<bool> {
    let res = raw()
        .get(api.server.url(path))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{path}");
    let text = res.text().await.unwrap();
    let street = text.contains("77 Quiet Lane");
    assert_eq!(street, text.contains("ZZ9 9ZZ"), "{path}: {text}");
    if !path.contains("export") {
        assert_eq!(street, text.contains("10.123456"), "{path}: {text}");
        assert_eq!(street, text.contains("20.654321"), "{path}: {text}");
    }
    if street {
        return Some(true);
    }
    text.contains("Hidden Harbor").then_some(false)
}

fn harbor_paths(id: &str) -> Vec<String> {
    vec![
        format!("/v1/directory/entries/{id}"),
        nearby(10.1, 20.6, 30_000.0, ""),
        nearby(10.1, 20.6, 30_000.0, "&format=geojson"),
        "/v1/directory/within?west=20&south=10&east=21&north=11".to_owned(),
        "/v1/directory/within?west=20&south=10&east=21&north=11&format=geojson".to_owned(),
        "/v1/directory/export.csv".to_owned(),
        "/v1/directory/export.hsds.json".to_owned(),
    ]
}

const OTHER_COORDINATOR: &str = "coordinator@other.fieldline.test";
const OTHER_HOUSING: &str = "housing@other.fieldline.test";

/// The other demo agency gets a coordinator and a housing manager (holders of
/// `view_confidential_locations` by their roles).
async fn other_agency_holders(server: &TestServer) {
    let other_admin = Api::as_user(server, OTHER_ADMIN).await;
    for (email, role) in [
        (OTHER_COORDINATOR, "coordinator"),
        (OTHER_HOUSING, "housing_manager"),
    ] {
        let body = json!({"email": email, "display_name": role, "password": DEMO_PASSWORD,
                          "roles": [role]});
        let (s, _, v) = other_admin
            .send("POST", "/v1/admin/users", Some(&body), None)
            .await;
        assert_eq!(s, 201, "{v}");
    }
}

async fn agency_of(api: &Api<'_>) -> String {
    let (s, me) = api.get("/v1/me").await;
    assert_eq!(s, 200, "{me}");
    me["agency"]["id"].as_str().unwrap().to_owned()
}

/// Issue #16.5: the exact location of a confidential place is for its owning agency and for the
/// agencies the owner names; the grant still gates it; every exact read of another agency's
/// place is audited, for both agencies, without the location. On every path: single read,
/// nearby, within (JSON and GeoJSON), CSV and HSDS exports.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn confidential_locations_are_for_the_owning_agency_and_the_agencies_it_names(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let mut secret = place("Hidden Harbor", 10.123456, 20.654321);
    secret.kind = EntryKind::DvShelter;
    secret.confidential = true;
    secret.address.street = "77 Quiet Lane".into();
    secret.address.postal_code = "ZZ9 9ZZ".into();
    let id = housing.create(&secret).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    housing.create(&place("Open Door", 10.13, 20.66)).await;
    other_agency_holders(&server).await;
    let other_coordinator = Api::as_user(&server, OTHER_COORDINATOR).await;
    let other_housing = Api::as_user(&server, OTHER_HOUSING).await;
    let other_advocate = Api::as_user(&server, OTHER_ADVOCATE).await;
    let other_agency = agency_of(&other_advocate).await;
    let own = [
        Api::as_user(&server, COORDINATOR).await,
        Api::as_user(&server, HOUSING).await,
    ];
    let exports = |p: &str| p.contains("/export");

    // Not named: another agency's holders get the redacted form (exports leave it out); the
    // owner's holders the exact one.
    for path in harbor_paths(&id) {
        for (who, api) in [
            ("other coordinator", &other_coordinator),
            ("other housing", &other_housing),
        ] {
            let expected = if exports(&path) { None } else { Some(false) };
            assert_eq!(harbor_shown(api, &path).await, expected, "{who} {path}");
        }
        for api in &own {
            assert_eq!(harbor_shown(api, &path).await, Some(true), "own {path}");
        }
    }
    // Nor is it found or ordered by its exact point: 100 m around it, its public point (snapped
    // to the ~1 km grid, ~600 m away) is outside the radius.
    // Likewise a map rectangle of ~50 m around it.
    let at_the_door = nearby(10.123456, 20.654321, 100.0, "");
    let door_box = "/v1/directory/within?west=20.6540&south=10.1232&east=20.6546&north=10.1237";
    for path in [at_the_door.as_str(), door_box] {
        let (_, v) = other_coordinator.get(path).await;
        assert!(
            !names(&v).contains(&"Hidden Harbor".to_owned()),
            "{path}: {v}"
        );
        let (_, v) = own[0].get(path).await;
        assert!(
            names(&v).contains(&"Hidden Harbor".to_owned()),
            "{path}: {v}"
        );
    }

    // Only the owner's housing managers keep the list; it names other, real agencies.
    let list = format!("/v1/directory/entries/{id}/exact-location-agencies");
    let (s, v) = housing.get(&list).await;
    assert_eq!((s, &v), (200, &json!({"agencies": []})));
    let naming = json!({"agencies": [other_agency]});
    for api in [&other_housing, &own[0]] {
        let (s, _, v) = api.send("PUT", &list, Some(&naming), None).await;
        assert_eq!(s, 403, "{v}");
    }
    let own_agency = agency_of(&housing).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let (s, _, v) = housing
        .send(
            "PUT",
            &list,
            Some(&json!({"agencies": [own_agency, unknown]})),
            None,
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let pointers: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/agencies/0", "/agencies/1"], "{v}");
    let (s, _, v) = housing.send("PUT", &list, Some(&naming), None).await;
    assert_eq!((s, &v), (200, &naming));
    assert_eq!(housing.get(&list).await.1, naming);

    // Named: the other agency's holders get the exact form on every path; its advocate (no
    // grant) still does not; the owner's staff are unchanged.
    for path in harbor_paths(&id) {
        for (who, api) in [
            ("other coordinator", &other_coordinator),
            ("other housing", &other_housing),
        ] {
            assert_eq!(harbor_shown(api, &path).await, Some(true), "{who} {path}");
        }
        let expected = if exports(&path) { None } else { Some(false) };
        assert_eq!(
            harbor_shown(&other_advocate, &path).await,
            expected,
            "other advocate {path}"
        );
        for api in &own {
            assert_eq!(harbor_shown(api, &path).await, Some(true), "own {path}");
        }
    }
    for path in [at_the_door.as_str(), door_box] {
        let (_, v) = other_coordinator.get(path).await;
        assert!(
            names(&v).contains(&"Hidden Harbor".to_owned()),
            "{path}: {v}"
        );
    }

    // Each of those exact reads is audited in the reader's agency (who) and in the owner's
    // (which agency), naming the entry and how it was read, never the location.
    let other_admin = server.login(OTHER_ADMIN).await;
    let reads = other_admin
        .audit_log("action=directory.exact_location_read")
        .await
        .unwrap()
        .entries;
    let mut vias: Vec<&str> = reads
        .iter()
        .map(|r| r.details["via"].as_str().unwrap())
        .collect();
    vias.sort();
    vias.dedup();
    assert_eq!(vias, ["csv", "hsds", "nearby", "read", "within"]);
    let coordinator_id = server.user_id(OTHER_COORDINATOR).await;
    assert!(
        reads
            .iter()
            .any(|r| r.actor_user_id == Some(coordinator_id))
    );
    assert!(
        reads
            .iter()
            .all(|r| r.record_id.as_deref() == Some(id.as_str())
                && r.record_type == "directory_entry")
    );
    let admin = server.login(ADMIN).await;
    let owner_side = admin
        .audit_log("action=directory.exact_location_read")
        .await
        .unwrap()
        .entries;
    assert_eq!(owner_side.len(), reads.len());
    assert!(
        owner_side
            .iter()
            .all(|r| r.actor_user_id.is_none()
                && r.details["reader_agency_id"] == json!(other_agency))
    );
    let named = admin
        .audit_log("action=directory.exact_location_agencies")
        .await
        .unwrap()
        .entries;
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].details["added"], json!([other_agency]));
    for log in [&reads, &owner_side, &named] {
        let text = serde_json::to_string(log).unwrap();
        for secret_bit in ["77 Quiet Lane", "ZZ9 9ZZ", "10.1234", "20.6543"] {
            assert!(!text.contains(secret_bit), "{secret_bit} in {text}");
        }
    }

    // Naming no one takes it back.
    let (s, _, _) = housing
        .send("PUT", &list, Some(&json!({"agencies": []})), None)
        .await;
    assert_eq!(s, 200);
    for path in harbor_paths(&id) {
        let expected = if exports(&path) { None } else { Some(false) };
        assert_eq!(
            harbor_shown(&other_housing, &path).await,
            expected,
            "{path}"
        );
    }
}
