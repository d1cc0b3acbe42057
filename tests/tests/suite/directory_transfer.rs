//! Bulk import and export of the directory: CSV and HSDS round trips, per-row errors with line
//! numbers, all-or-nothing, updates by external id, broken files, confidential entries in
//! exports, roles, agency scope, audit, HSDS schema validation and the specification's own
//! example data.

use fieldline_api::demo::{DEMO_AGENCY, OTHER_AGENCY};
use fieldline_tests::*;
use fieldline_wire::admin::NewUser;
use fieldline_wire::problem::types;
use fieldline_wire::{Email, NewPassword, Role};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const COLUMNS: &str = "external_id,name,kind,organization,description,latitude,longitude,street,locality,region,postal_code,country,service_area,intake_phone,website,time_zone,open_24_7,hours,genders,min_age,max_age,accepts_children,accepts_pets,wheelchair_accessible,languages,eligibility_notes,capacity,beds_available,status,confidential,shared";
const OTHER_HOUSING: &str = "housing@other.fieldline.test";

struct Api<'a> {
    server: &'a TestServer,
    token: String,
}

impl<'a> Api<'a> {
    async fn as_user(server: &'a TestServer, email: &str) -> Api<'a> {
        let token = server.token(email).await;
        Api { server, token }
    }

    async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let res = raw()
            .get(self.server.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let (status, headers) = (res.status().as_u16(), res.headers().clone());
        (status, headers, res.text().await.unwrap())
    }

    async fn export_csv(&self) -> String {
        let (status, headers, body) = self.get("/v1/directory/export.csv").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        body
    }

    async fn export_hsds(&self) -> (String, Value) {
        let (status, headers, body) = self.get("/v1/directory/export.hsds.json").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "application/json");
        let doc = serde_json::from_str(&body).unwrap();
        (body, doc)
    }

    /// Sends a file; the raw response text too, to check nothing secret is echoed.
    async fn import(
        &self,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value, String) {
        let mut req = raw()
            .post(self.server.url("/v1/directory/import"))
            .bearer_auth(&self.token)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        )
    }

    async fn import_csv(&self, body: impl Into<reqwest::Body>) -> (u16, Value, String) {
        self.import(Some("text/csv"), body).await
    }

    async fn import_json(&self, doc: &Value) -> (u16, Value, String) {
        self.import(Some("application/json"), serde_json::to_vec(doc).unwrap())
            .await
    }
}

fn summary(created: i64, updated: i64) -> Value {
    json!({"created": created, "updated": updated})
}

fn pointers(problem: &Value) -> BTreeSet<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect()
}

async fn count_owned(db: &PgPool, agency: uuid::Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM directory_entries WHERE owner_agency_id = $1")
        .bind(agency)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn import_audit_rows(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'directory.import'")
        .fetch_one(db)
        .await
        .unwrap()
}

/// Every entry an agency owns, as the API's JSON with its point, by external id, without the
/// bookkeeping that differs between copies (ids, owner, version, availability time).
async fn owned_places(db: &PgPool, agency: uuid::Uuid) -> BTreeMap<String, Value> {
    let docs: Vec<Value> = sqlx::query_scalar(
        "SELECT directory_entry_doc(e) || jsonb_build_object('location', jsonb_build_object(
                    'latitude', ST_Y(loc::geometry), 'longitude', ST_X(loc::geometry)))
           FROM directory_entries e WHERE owner_agency_id = $1 AND retired_at IS NULL",
    )
    .bind(agency)
    .fetch_all(db)
    .await
    .unwrap();
    docs.into_iter()
        .map(|mut d| {
            let o = d.as_object_mut().unwrap();
            for k in [
                "id",
                "owner_agency_id",
                "version",
                "availability_updated_at",
                "retired",
                "redacted",
            ] {
                o.remove(k);
            }
            (d["external_id"].as_str().unwrap().to_owned(), d)
        })
        .collect()
}

/// Adds a housing manager to the other agency (the demo has none there).
async fn other_housing_manager(server: &TestServer) {
    server
        .login(OTHER_ADMIN)
        .await
        .create_user(&NewUser {
            email: Email::parse(OTHER_HOUSING).unwrap(),
            display_name: "Other Housing".into(),
            password: NewPassword::parse(DEMO_PASSWORD.into()).unwrap(),
            roles: vec![Role::HousingManager],
            grants: vec![],
        })
        .await
        .unwrap();
}

/// A valid CSV row as column → cell, to be changed per test.
fn good_row(external_id: &str) -> BTreeMap<&'static str, String> {
    let cells = [
        ("external_id", external_id),
        ("name", "Test Harbor"),
        ("kind", "dv_shelter"),
        ("organization", "Test Org"),
        ("description", "Beds for survivors, with meals"),
        ("latitude", "40.25"),
        ("longitude", "-111.65"),
        ("street", "12 Quiet Street"),
        ("locality", "Provo"),
        ("region", "UT"),
        ("postal_code", "84601"),
        ("country", "US"),
        ("service_area", "Utah County"),
        ("intake_phone", "+1 801-555-0199"),
        ("website", "https://harbor.example.org"),
        ("time_zone", "America/Denver"),
        ("open_24_7", "false"),
        ("hours", "Mon 08:00-17:00; Fri 20:00-02:00"),
        ("genders", "women;transgender"),
        ("min_age", "18"),
        ("max_age", ""),
        ("accepts_children", "yes"),
        ("accepts_pets", "0"),
        ("wheelchair_accessible", "TRUE"),
        ("languages", "en;es"),
        ("eligibility_notes", "Call first"),
        ("capacity", "12"),
        ("beds_available", "3"),
        ("status", "open"),
        ("confidential", "true"),
        ("shared", "true"),
    ];
    cells.into_iter().map(|(k, v)| (k, v.to_owned())).collect()
}

fn csv_file(rows: &[BTreeMap<&'static str, String>]) -> String {
    let columns: Vec<&str> = COLUMNS.split(',').collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns).unwrap();
    for row in rows {
        w.write_record(columns.iter().map(|c| row[c].as_str()))
            .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn csv_records(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn hsds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("hsds")
}

fn hsds_example(name: &str) -> Value {
    let path = hsds_dir().join("examples").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// Replaces every `latitude`/`longitude` in a document.
fn move_to(doc: &mut Value, latitude: f64, longitude: f64) {
    match doc {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                match k.as_str() {
                    "latitude" => *v = json!(latitude),
                    "longitude" => *v = json!(longitude),
                    _ => move_to(v, latitude, longitude),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| move_to(v, latitude, longitude)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn csv_export_imports_again_unchanged(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let first = housing.export_csv().await;
    assert_eq!(first.lines().next().unwrap(), COLUMNS);
    let records = csv_records(&first);
    assert_eq!(records.len(), 46);
    let names: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["name"].as_str(), r["external_id"].as_str()))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), sorted.len());
    // Spreadsheet formulas are defused: phones start with `'+`.
    assert!(
        records
            .iter()
            .all(|r| !r["intake_phone"].starts_with(['=', '+', '-', '@'])),
    );

    let before = owned_places(&server.db, DEMO_AGENCY).await;
    let (status, body, _) = housing.import_csv(first.clone()).await;
    assert_eq!((status, body), (200, summary(0, 46)));
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 46);
    assert_eq!(owned_places(&server.db, DEMO_AGENCY).await, before);
    assert_eq!(
        housing.export_csv().await,
        first,
        "export → import → export"
    );

    // Imported into a new agency, the file makes copies equal in every field we model.
    other_housing_manager(&server).await;
    let other = Api::as_user(&server, OTHER_HOUSING).await;
    let (status, body, _) = other.import_csv(first.clone()).await;
    assert_eq!((status, body), (200, summary(46, 0)));
    assert_eq!(owned_places(&server.db, OTHER_AGENCY).await, before);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn csv_row_errors_name_lines_and_columns_and_nothing_is_written(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let mut bad3 = good_row("t-2");
    bad3.insert("latitude", "north".into());
    bad3.insert("kind", "castle".into());
    bad3.insert("street", "999 Secret Lane".into());
    let mut bad5 = good_row("t-4");
    bad5.insert("intake_phone", "call Jane Roe".into());
    bad5.insert("min_age", "twelve".into());
    bad5.insert("hours", "Mon 08:00-17:00; Someday 9-5".into());
    bad5.insert("languages", "en;English".into());
    bad5.insert("beds_available", "20".into());
    let file = csv_file(&[
        good_row("t-1"),
        bad3,
        good_row("t-3"),
        bad5,
        good_row("t-5"),
    ]);
    let (status, problem, text) = housing.import_csv(file).await;
    assert_problem!(status, problem, 422, types::VALIDATION, "{text}");
    assert_eq!(
        pointers(&problem),
        [
            "/rows/3/latitude",
            "/rows/3/kind",
            "/rows/5/intake_phone",
            "/rows/5/min_age",
            "/rows/5/hours",
            "/rows/5/languages",
            "/rows/5/beds_available",
        ]
        .map(String::from)
        .into()
    );
    for secret in [
        "Secret", "north", "castle", "Jane", "twelve", "Someday", "English",
    ] {
        assert!(!text.contains(secret), "{secret} echoed: {text}");
    }
    let span = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["pointer"] == "/rows/5/hours")
        .unwrap();
    assert!(span["message"].as_str().unwrap().starts_with("span 2 "));
    // All or nothing: the good rows were not written either.
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 46);
    assert_eq!(import_audit_rows(&server.db).await, 0);

    // Lines are physical lines: a quoted cell with line breaks moves the next record down.
    let mut multi = good_row("t-1");
    multi.insert("description", "First line\nsecond line\nthird line".into());
    let mut bad = good_row("t-2");
    bad.insert("status", "".into());
    bad.insert("external_id", "".into());
    let (status, problem, _) = housing.import_csv(csv_file(&[multi, bad])).await;
    assert_eq!(status, 422);
    assert_eq!(
        pointers(&problem),
        ["/rows/5/status", "/rows/5/external_id"]
            .map(String::from)
            .into()
    );
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 46);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn reimporting_by_external_id_updates_instead_of_duplicating(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let (status, body, _) = housing
        .import_csv(csv_file(&[good_row("t-1"), good_row("t-2")]))
        .await;
    assert_eq!((status, body), (200, summary(2, 0)));
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 48);
    let first = owned_places(&server.db, DEMO_AGENCY).await;
    assert_eq!(
        first["t-1"]["hours"]["spans"],
        json!([
            {"day": 1, "opens": "08:00", "closes": "17:00"},
            {"day": 5, "opens": "20:00", "closes": "02:00"},
        ])
    );
    assert_eq!(
        first["t-1"]["eligibility"]["genders"],
        json!(["transgender", "women"])
    );
    assert_eq!(first["t-1"]["eligibility"]["accepts_children"], true);

    let mut changed = good_row("t-1");
    changed.insert("beds_available", "5".into());
    changed.insert("name", "Test Harbor North".into());
    // Optional columns may be left out: a file with only the required ones works.
    let (status, body, _) = housing
        .import_csv(csv_file(&[changed, good_row("t-2")]))
        .await;
    assert_eq!((status, body), (200, summary(0, 2)));
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 48);
    let after = owned_places(&server.db, DEMO_AGENCY).await;
    assert_eq!(after["t-1"]["beds_available"], 5);
    assert_eq!(after["t-1"]["name"], "Test Harbor North");
    assert_eq!(after["t-2"], first["t-2"]);

    let minimal = "external_id,name,kind,latitude,longitude,intake_phone,time_zone,status\n\
                   t-3,Minimal Place,shelter,40.3,-111.7,801 555 0100,UTC,open\n";
    let (status, body, _) = housing.import_csv(minimal).await;
    assert_eq!((status, body), (200, summary(1, 0)));
    let t3 = &owned_places(&server.db, DEMO_AGENCY).await["t-3"];
    assert_eq!(t3["shared"], true);
    assert_eq!(t3["confidential"], false);
    assert_eq!(t3["address"]["country"], "US");

    // The same external id twice in one file is an error on the repeat.
    let (status, problem, _) = housing
        .import_csv(csv_file(&[good_row("t-9"), good_row(" t-9 ")]))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        pointers(&problem),
        ["/rows/3/external_id".to_owned()].into()
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 2")
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn broken_files_are_problems_not_failures(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let good = csv_file(&[good_row("t-1")]);

    // Not UTF-8 (Latin-1 é on line 3).
    let mut bytes = csv_file(&[good_row("t-1"), good_row("t-2")]).into_bytes();
    let at = bytes.len() - 10;
    bytes[at] = 0xE9;
    let (status, problem, _) = housing.import_csv(bytes).await;
    assert_problem!(status, problem, 422, types::VALIDATION);
    assert_eq!(pointers(&problem), ["/rows/3".to_owned()].into());

    // An unclosed quote swallows the rest of the file: that record has too few cells.
    let broken = format!("{good}t-2,\"Unclosed name,shelter,Org\n");
    let (status, problem, text) = housing.import_csv(broken).await;
    assert_eq!(status, 422, "{text}");
    assert_eq!(pointers(&problem), ["/rows/3".to_owned()].into());
    assert!(!text.contains("Unclosed"));

    // Header: unknown, repeated and missing columns.
    let header = "external_id,name,Kind,colour,name,latitude,longitude,intake_phone,time_zone\n";
    let (status, problem, text) = housing.import_csv(header).await;
    assert_eq!(status, 422);
    assert_eq!(
        pointers(&problem),
        ["/rows/1/4", "/rows/1/name", "/rows/1/status"]
            .map(String::from)
            .into()
    );
    assert!(!text.contains("colour"));

    // Empty body and a header only.
    let (status, problem, _) = housing.import_csv("").await;
    assert_eq!(status, 422);
    assert!(pointers(&problem).contains("/rows/1/external_id"));
    let (status, body, _) = housing.import_csv(format!("{COLUMNS}\n")).await;
    assert_eq!((status, body), (200, summary(0, 0)));

    // JSON: syntax and shape.
    let (status, problem, _) = housing
        .import(Some("application/json"), "{\"contents\": [")
        .await;
    assert_problem!(status, problem, 400, types::MALFORMED_JSON);
    let (status, problem, _) = housing.import_json(&json!(42)).await;
    assert_eq!((status, pointers(&problem)), (422, ["/".to_owned()].into()));
    let (status, problem, text) = housing
        .import_json(&json!({"name": "Org", "services": [{"id": "s", "name": "S", "status": "active",
            "service_at_locations": [{"location": {"latitude": "Secret Lane 4", "longitude": 1}}]}]}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        pointers(&problem),
        ["/services/0/service_at_locations/0/location/latitude".to_owned()].into()
    );
    assert!(!text.contains("Secret"));

    // Media types.
    for ct in [
        None,
        Some("text/plain"),
        Some("application/xml"),
        Some("text/csv; charset=iso-8859-1"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let (status, problem, _) = housing.import(ct, good.clone()).await;
        assert_problem!(
            status,
            problem,
            415,
            types::UNSUPPORTED_MEDIA_TYPE,
            "{ct:?}"
        );
    }
    let (status, _, _) = housing
        .import(Some("text/csv; charset=UTF-8"), good.clone())
        .await;
    assert_eq!(status, 200);

    // The import route takes files over the global 1 MiB limit, up to 10 MiB.
    let mut big = good_row("t-big");
    big.insert(
        "description",
        format!("Big file {}", " ".repeat(2 * 1024 * 1024)),
    );
    let (status, body, _) = housing.import_csv(csv_file(&[big])).await;
    assert_eq!((status, body), (200, summary(1, 0)));
    let huge = format!("{good}{}", " ".repeat(11 * 1024 * 1024));
    let (status, problem, _) = housing.import_csv(huge).await;
    assert_problem!(status, problem, 413, types::PAYLOAD_TOO_LARGE);
    // Other routes keep the global limit.
    let res = raw()
        .post(server.url("/v1/directory/entries"))
        .bearer_auth(&housing.token)
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn confidential_entries_are_exported_only_with_the_grant(db: PgPool) {
    let server = TestServer::start(db).await;
    let confidential: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT external_id, name, street FROM directory_entries WHERE confidential",
    )
    .fetch_all(&server.db)
    .await
    .unwrap();
    assert_eq!(confidential.len(), 8);
    let secret_ids: BTreeSet<&str> = confidential.iter().map(|(x, _, _)| x.as_str()).collect();

    for email in [ADVOCATE, ADMIN] {
        let api = Api::as_user(&server, email).await;
        let csv_text = api.export_csv().await;
        let rows = csv_records(&csv_text);
        assert_eq!(rows.len(), 38, "{email}");
        assert!(rows.iter().all(|r| r["confidential"] == "false"));
        assert!(
            rows.iter()
                .all(|r| !secret_ids.contains(r["external_id"].as_str()))
        );
        let (hsds_text, doc) = api.export_hsds().await;
        let services: usize = doc["contents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["services"].as_array().unwrap().len())
            .sum();
        assert_eq!(services, 38, "{email}");
        for (_, name, street) in &confidential {
            assert!(!street.is_empty());
            for text in [&csv_text, &hsds_text] {
                assert!(!text.contains(street.as_str()), "{email} sees {street}");
                assert!(!text.contains(name.as_str()), "{email} sees {name}");
            }
        }
    }

    for email in [COORDINATOR, HOUSING] {
        let api = Api::as_user(&server, email).await;
        let rows = csv_records(&api.export_csv().await);
        assert_eq!(rows.len(), 46, "{email}");
        for (id, _, street) in &confidential {
            let row = rows.iter().find(|r| r["external_id"] == *id).unwrap();
            assert_eq!(row["confidential"], "true");
            assert_eq!(&row["street"], street);
            assert!(!row["latitude"].is_empty());
        }
        let (hsds_text, _) = api.export_hsds().await;
        for (_, _, street) in &confidential {
            assert!(hsds_text.contains(street.as_str()));
        }
    }

    // Every export is in the audit log, with counts and no contents.
    let exports: Vec<Value> = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'directory.export' ORDER BY id",
    )
    .fetch_all(&server.db)
    .await
    .unwrap();
    assert_eq!(exports.len(), 8);
    assert_eq!(
        exports[0],
        json!({"format": "csv", "entries": 38, "confidential": 0})
    );
    assert_eq!(
        exports[7],
        json!({"format": "hsds", "entries": 46, "confidential": 8})
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn only_housing_managers_import(db: PgPool) {
    let server = TestServer::start(db).await;
    let file = csv_file(&[good_row("t-1")]);
    for email in [ADVOCATE, COORDINATOR, ADMIN] {
        let api = Api::as_user(&server, email).await;
        let (status, problem, _) = api.import_csv(file.clone()).await;
        assert_problem!(status, problem, 403, types::FORBIDDEN, "{email}");
        let (status, _, _) = api.import_json(&hsds_example("service_full.json")).await;
        assert_eq!(status, 403, "{email}");
        // Everyone signed in may export.
        assert_eq!(api.get("/v1/directory/export.csv").await.0, 200);
        assert_eq!(api.get("/v1/directory/export.hsds.json").await.0, 200);
    }
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 46);
    let anonymous = raw()
        .post(server.url("/v1/directory/import"))
        .header("content-type", "text/csv")
        .body(file.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    for path in ["/v1/directory/export.csv", "/v1/directory/export.hsds.json"] {
        let res = raw().get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }
    let housing = Api::as_user(&server, HOUSING).await;
    let (status, body, _) = housing.import_csv(file).await;
    assert_eq!((status, body), (200, summary(1, 0)));

    // The OpenAPI document describes the three routes with their media types.
    let doc: Value = raw()
        .get(server.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    let body = &paths["/v1/directory/import"]["post"]["requestBody"]["content"];
    assert!(
        body["text/csv"].is_object() && body["application/json"].is_object(),
        "{body}"
    );
    let csv_200 = &paths["/v1/directory/export.csv"]["get"]["responses"]["200"];
    assert!(csv_200["content"]["text/csv"].is_object(), "{csv_200}");
    assert!(paths["/v1/directory/export.hsds.json"]["get"].is_object());
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn another_agency_imports_its_own_copies(db: PgPool) {
    let server = TestServer::start(db).await;
    other_housing_manager(&server).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let other = Api::as_user(&server, OTHER_HOUSING).await;
    let ours = owned_places(&server.db, DEMO_AGENCY).await;
    let versions: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM directory_entries WHERE owner_agency_id = $1 ORDER BY id",
    )
    .bind(DEMO_AGENCY)
    .fetch_all(&server.db)
    .await
    .unwrap();

    let file = housing.export_csv().await;
    for expected in [summary(46, 0), summary(0, 46)] {
        let (status, body, _) = other.import_csv(file.clone()).await;
        assert_eq!((status, body), (200, expected));
    }
    let mut private = good_row("demo-001");
    private.insert("shared", "false".into());
    private.insert("name", "Other Valley Private Room".into());
    let (status, body, _) = other.import_csv(csv_file(&[private])).await;
    assert_eq!((status, body), (200, summary(0, 1)));

    assert_eq!(count_owned(&server.db, OTHER_AGENCY).await, 46);
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 46);
    assert_eq!(owned_places(&server.db, DEMO_AGENCY).await, ours);
    let after: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM directory_entries WHERE owner_agency_id = $1 ORDER BY id",
    )
    .bind(DEMO_AGENCY)
    .fetch_all(&server.db)
    .await
    .unwrap();
    assert_eq!(after, versions, "our entries were not touched");
    // Their unshared entry stays out of our export, and is in theirs.
    assert!(
        !housing
            .export_csv()
            .await
            .contains("Other Valley Private Room")
    );
    assert!(
        other
            .export_csv()
            .await
            .contains("Other Valley Private Room")
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn imports_are_audited_per_entry(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let (status, _, _) = housing
        .import_csv(csv_file(&[good_row("t-1"), good_row("t-2")]))
        .await;
    assert_eq!(status, 200);
    let mut changed = good_row("t-1");
    changed.insert("beds_available", "0".into());
    changed.insert("status", "full".into());
    let (status, _, _) = housing.import_csv(csv_file(&[changed])).await;
    assert_eq!(status, 200);

    let admin = server.login(ADMIN).await;
    let page = admin.audit_log("action=directory.import").await.unwrap();
    assert_eq!(page.entries.len(), 3);
    let housing_id = server.user_id(HOUSING).await;
    let t1: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM directory_entries WHERE owner_agency_id = $1 AND external_id = 't-1'",
    )
    .bind(DEMO_AGENCY)
    .fetch_one(&server.db)
    .await
    .unwrap();
    for e in &page.entries {
        assert_eq!(e.actor_user_id, Some(housing_id));
        assert_eq!(e.record_type, "directory_entry");
        assert!(e.request_id.is_some());
        let text = e.details.to_string();
        // Confidential street and point are named, never shown.
        assert!(!text.contains("Quiet Street"), "{text}");
        assert!(!text.contains("40.25"), "{text}");
    }
    let update = &page.entries[0];
    assert_eq!(update.record_id.as_deref(), Some(t1.to_string().as_str()));
    assert_eq!(
        update.details,
        json!({"changes": {"/beds_available": 0, "/status": "full"}})
    );
    let create = &page.entries[2].details["changes"];
    assert_eq!(create["/address/street"], "(hidden)");
    assert_eq!(create["/location"], "(hidden)");
    assert_eq!(create["/name"], "Test Harbor");
    // The entry's own history shows the import too.
    let (status, _, body) = housing
        .get(&format!("/v1/directory/entries/{t1}/history"))
        .await;
    assert_eq!(status, 200);
    let history: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(history["entries"].as_array().unwrap().len(), 2);
}

// --- HSDS ------------------------------------------------------------------------------------

/// Validators for HSDS objects, from the schemas copied into `tests/hsds/schema`. The schemas
/// reference each other by file name; all are registered locally, so nothing is fetched.
struct Hsds {
    registry: jsonschema::Registry<'static>,
}

const SCHEMA_BASE: &str = "https://hsds.invalid/schema/";

impl Hsds {
    fn load() -> Hsds {
        let dir = hsds_dir().join("schema");
        let mut resources = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            resources.push((format!("{SCHEMA_BASE}{name}"), schema));
        }
        assert!(resources.len() >= 20);
        let registry = jsonschema::Registry::new()
            .extend(resources)
            .unwrap()
            .prepare()
            .unwrap();
        Hsds { registry }
    }

    fn validator(&self, object: &str) -> jsonschema::Validator {
        let path = hsds_dir().join("schema").join(format!("{object}.json"));
        let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(&self.registry)
            .with_base_uri(format!("{SCHEMA_BASE}{object}.json"))
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    }
}

/// The HSDS object each array or object field of an exported document holds.
fn object_of(key: &str) -> Option<&'static str> {
    Some(match key {
        "contents" => "organization",
        "services" => "service",
        "locations" | "location" => "location",
        "service_at_locations" => "service_at_location",
        "addresses" => "address",
        "phones" => "phone",
        "schedules" => "schedule",
        "languages" => "language",
        "attributes" => "attribute",
        "service_areas" => "service_area",
        "taxonomy_term" => "taxonomy_term",
        _ => return None,
    })
}

/// Validates every HSDS object in `doc` against its schema; returns how many of each.
fn validate_all(hsds: &Hsds, doc: &Value) -> BTreeMap<&'static str, usize> {
    let mut validators = BTreeMap::new();
    let mut counts = BTreeMap::new();
    let mut stack = vec![(String::new(), doc)];
    while let Some((at, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let child_at = format!("{at}/{k}");
                    if let Some(object) = object_of(k) {
                        let items: Vec<(String, &Value)> = match child {
                            Value::Array(a) => a
                                .iter()
                                .enumerate()
                                .map(|(i, x)| (format!("{child_at}/{i}"), x))
                                .collect(),
                            other => vec![(child_at.clone(), other)],
                        };
                        let validator = validators
                            .entry(object)
                            .or_insert_with(|| hsds.validator(object));
                        for (item_at, item) in items {
                            let errors: Vec<String> = validator
                                .iter_errors(item)
                                .map(|e| format!("{} at {}", e, e.instance_path()))
                                .collect();
                            assert!(errors.is_empty(), "{item_at} ({object}): {errors:?}");
                            *counts.entry(object).or_default() += 1;
                        }
                    }
                    stack.push((child_at, child));
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    stack.push((format!("{at}/{i}"), x));
                }
            }
            _ => {}
        }
    }
    counts
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn hsds_export_is_valid_against_the_specification(db: PgPool) {
    let hsds = Hsds::load();
    // The validator itself: the specification's example passes, broken objects fail (so the
    // schemas and their references were really loaded, formats included).
    validate_all(
        &hsds,
        &json!({"contents": [hsds_example("organization_full.json")]}),
    );
    let service = hsds.validator("service");
    assert!(service.is_valid(
        &json!({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active"})
    ));
    assert!(!service.is_valid(&json!({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x"})));
    assert!(!service.is_valid(&json!({"id": "not-a-uuid", "name": "x", "status": "active"})));
    assert!(!service.is_valid(&json!({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x",
        "status": "active", "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e", "number": 5}]})));

    let server = TestServer::start(db).await;
    let coordinator = Api::as_user(&server, COORDINATOR).await;
    let (_, doc) = coordinator.export_hsds().await;
    for key in [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
    ] {
        assert!(doc.get(key).is_some(), "{key}");
    }
    let counts = validate_all(&hsds, &doc);
    assert_eq!(
        counts["organization"],
        doc["total_items"].as_u64().unwrap() as usize
    );
    assert_eq!(counts["service"], 46);
    assert_eq!(counts["service_at_location"], 46);
    assert_eq!(
        counts["location"], 92,
        "nested in each service and under the organization"
    );
    assert_eq!(counts["address"], 92);
    assert_eq!(counts["phone"], 46);
    assert!(counts["schedule"] >= 46);
    assert!(counts["attribute"] >= 46 * 8);
    assert_eq!(counts["taxonomy_term"], counts["attribute"]);
    assert!(counts["language"] > 0);
    assert!(counts["service_area"] > 0);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn hsds_export_imports_again_unchanged(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let before = owned_places(&server.db, DEMO_AGENCY).await;
    let (text, doc) = housing.export_hsds().await;
    let csv_text = housing.export_csv().await;

    let (status, body, _) = housing.import_json(&doc).await;
    assert_eq!((status, body), (200, summary(0, 46)));
    assert_eq!(owned_places(&server.db, DEMO_AGENCY).await, before);
    assert_eq!(
        housing.export_hsds().await.0,
        text,
        "export → import → export"
    );

    // Into a new agency: copies equal in every field we model.
    other_housing_manager(&server).await;
    let other = Api::as_user(&server, OTHER_HOUSING).await;
    let (status, body, _) = other.import_json(&doc).await;
    assert_eq!((status, body), (200, summary(46, 0)));
    assert_eq!(owned_places(&server.db, OTHER_AGENCY).await, before);

    // Through CSV too: both formats carry the same fields. (An export taken now would hold
    // both agencies' shared copies, whose external ids repeat: that file is refused.)
    let (status, body, _) = other.import_csv(csv_text).await;
    assert_eq!((status, body), (200, summary(0, 46)));
    let (status, problem, _) = other.import_csv(housing.export_csv().await).await;
    assert_eq!(status, 422);
    assert!(
        pointers(&problem)
            .iter()
            .all(|p| p.ends_with("/external_id"))
    );
    assert_eq!(owned_places(&server.db, OTHER_AGENCY).await, before);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_specifications_example_data_imports(db: PgPool) {
    let server = TestServer::start(db).await;
    let housing = Api::as_user(&server, HOUSING).await;
    let service_id = "ac148810-d857-441c-9679-408f346de14b";

    // As published, its one location sits at latitude 100: a row error, nothing written.
    let (status, problem, _) = housing
        .import_json(&hsds_example("organization_full.json"))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        pointers(&problem),
        ["/services/0/service_at_locations/0/location/latitude".to_owned()].into()
    );
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 46);

    // With real coordinates it imports, and search finds it there.
    let (latitude, longitude) = (40.3100, -111.7200);
    let mut org = hsds_example("organization_full.json");
    move_to(&mut org, latitude, longitude);
    let (status, body, text) = housing.import_json(&org).await;
    assert_eq!((status, body), (200, summary(1, 0)), "{text}");
    let advocate = Api::as_user(&server, ADVOCATE).await;
    let (status, _, body) = advocate
        .get(&format!(
            "/v1/directory/nearby?latitude={latitude}&longitude={longitude}&radius_m=500"
        ))
        .await;
    assert_eq!(status, 200);
    let found: Value = serde_json::from_str(&body).unwrap();
    let entries = found["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{found}");
    let e = &entries[0];
    assert!(e["distance_m"].as_f64().unwrap() < 1.0);
    assert_eq!(e["name"], "Community Counselling");
    assert_eq!(e["external_id"], service_id);
    assert_eq!(e["organization"], "Example Organization Inc.");
    assert_eq!(e["kind"], "shelter");
    assert_eq!(e["status"], "open");
    assert_eq!(e["intake_phone"], "+44 1234 234567");
    assert_eq!(e["website"], "http://example.com/counselling");
    assert_eq!(
        e["address"],
        json!({"street": "1-30 Main Street, MyVillage", "locality": "MyCity", "region": "MyState",
               "postal_code": "ABC 1234", "country": "US"})
    );
    assert_eq!(
        e["hours"],
        json!({"time_zone": "Etc/GMT-3", "open_24_7": false, "spans": [
            {"day": 4, "opens": "10:00", "closes": "18:00"},
            {"day": 5, "opens": "10:00", "closes": "18:00"},
        ]})
    );
    assert_eq!(e["eligibility"]["min_age"], 12);
    assert_eq!(e["eligibility"]["max_age"], 100);
    assert_eq!(e["eligibility"]["languages"], json!(["ur"]));
    assert!(
        e["eligibility"]["notes"]
            .as_str()
            .unwrap()
            .starts_with("This service is intended for all people aged 12")
    );
    assert!(
        e["service_area"]
            .as_str()
            .unwrap()
            .starts_with("The service is available to all residents of the MyCity area")
    );
    assert_eq!(e["confidential"], false);
    assert_eq!(e["shared"], true);

    // The same service as a service, a service-at-location and inside a page: updates.
    for example in ["service_full.json", "service_at_location_full.json"] {
        let mut doc = hsds_example(example);
        move_to(&mut doc, latitude, longitude);
        let (status, body, text) = housing.import_json(&doc).await;
        assert_eq!((status, body), (200, summary(0, 1)), "{example}: {text}");
    }
    let (status, body, _) = housing
        .import_json(&json!({"total_items": 1, "contents": [org]}))
        .await;
    assert_eq!((status, body), (200, summary(0, 1)));
    assert_eq!(count_owned(&server.db, DEMO_AGENCY).await, 47);
}

/// Issue #16, finding 12: searches, exports and imports had no per-person limit, and an
/// import no row cap. Each person has a budget per kind (429 with `Retry-After` beyond it,
/// another person unaffected); a file of more than 10,000 places is refused whole.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn searches_exports_and_imports_have_per_person_budgets_and_imports_a_row_cap(db: PgPool) {
    let server = TestServer::start_with(
        db.clone(),
        &[
            ("FIELDLINE_SEARCHES_PER_MINUTE", "2"),
            ("FIELDLINE_EXPORTS_PER_HOUR", "1"),
            ("FIELDLINE_IMPORTS_PER_HOUR", "2"),
        ],
    )
    .await;
    let advocate = Api::as_user(&server, ADVOCATE).await;
    let coordinator = Api::as_user(&server, COORDINATOR).await;
    let near = "/v1/directory/nearby?latitude=40.23&longitude=-111.66&radius_m=5000";
    for _ in 0..2 {
        assert_eq!(advocate.get(near).await.0, 200);
    }
    let (status, headers, body) = advocate.get(near).await;
    assert_eq!(status, 429, "{body}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert!(
        body.contains(fieldline_wire::problem::types::TOO_MANY_REQUESTS),
        "{body}"
    );
    assert_eq!(
        coordinator.get(near).await.0,
        200,
        "another person's budget"
    );

    assert_eq!(advocate.get("/v1/directory/export.csv").await.0, 200);
    assert_eq!(advocate.get("/v1/directory/export.hsds.json").await.0, 429);
    assert_eq!(
        coordinator.get("/v1/directory/export.hsds.json").await.0,
        200
    );

    let housing = Api::as_user(&server, HOUSING).await;
    let header = "external_id,name,kind,latitude,longitude,intake_phone,time_zone,status\n";
    let mut big = String::from(header);
    for n in 0..10_001 {
        big.push_str(&format!(
            "cap-{n},Place {n},shelter,40.3,-111.7,801 555 0100,UTC,open\n"
        ));
    }
    let before = count(&db, "SELECT count(*) FROM directory_entries").await;
    let (status, body, _) = housing.import_csv(big).await;
    assert_field_error!(status, body, "/rows");
    let after = count(&db, "SELECT count(*) FROM directory_entries").await;
    assert_eq!(before, after, "nothing imported");
    let small = format!("{header}cap-1,Place,shelter,40.3,-111.7,801 555 0100,UTC,open\n");
    let (status, _, _) = housing.import_csv(small.clone()).await;
    assert_eq!(status, 200, "the second import this hour");
    let (status, _, _) = housing.import_csv(small).await;
    assert_eq!(status, 429, "the third import this hour");
}
