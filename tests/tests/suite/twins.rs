//! Ids scoped per agency (issue #16, finding 9; design.md "Trust rules": another agency's id
//! is answered exactly as an unknown one). Phones and coordinators choose the ids of people,
//! contacts and their parts, alerts, check-ins and schedules, so two agencies can hold
//! records under identical ids: twins. Each agency must see only its own twin on every read
//! path, no write of one agency may touch the other's, and nothing may answer 500.
//!
//! Two agencies make twins of every kind with identical ids and distinct marker text (under
//! an old data key, which is then rotated away, so the rotation has to re-seal each twin in
//! its own row); then every read that can show them is asked by each agency, and every write
//! of the first agency (update, seal, plan save, acknowledge, check-out with duress, purge)
//! is checked against the second agency's twin.

use fieldline_api::encryption::{DataKeys, rotate_all};
use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

/// The ids both agencies use.
struct Ids {
    contact: Uuid,
    person: Uuid,
    referral: Uuid,
    follow_up: Uuid,
    screening: Uuid,
    alert: Uuid,
    /// Made overdue: raises a missed check-out alert with its last location.
    checkin: Uuid,
    /// Checked out (with a duress code, whose alert id is derived from the check-in's).
    checkin2: Uuid,
    schedule: Uuid,
}

/// One agency's side: its marker (in every text it writes), the last location its phone sent,
/// and its people.
struct Side {
    marker: &'static str,
    latitude: &'static str,
    agency: Uuid,
    advocate: String,
    coordinator: String,
    admin: String,
    advocate_id: Uuid,
    coordinator_id: Uuid,
}

const OTHER_COORDINATOR: &str = "coordinator@other.fieldline.test";
const OTHER_COORDINATOR_PASSWORD: &str = "a coordinator's long password";

async fn sign_in(server: &TestServer, email: &str, password: &str) -> String {
    let (s, v) = call_anonymous(
        server,
        "POST",
        "/v1/auth/login",
        json!({"email": email, "password": password}),
    )
    .await;
    assert_eq!(s, 200, "{email}: {v}");
    v["access_token"].as_str().unwrap().to_owned()
}

async fn call_anonymous(
    server: &TestServer,
    method: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let res = raw()
        .request(method.parse().unwrap(), server.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Both sides, signed in: the demo agency ("Alphamark") and the other agency ("Bravomark").
async fn sides(server: &TestServer) -> (Side, Side) {
    let agency = |email: &'static str| async move {
        sqlx::query_scalar::<_, Uuid>("SELECT agency_id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&server.db)
            .await
            .unwrap()
    };
    let a = Side {
        marker: "Alphamark",
        latitude: "40.1111",
        agency: agency(ADVOCATE).await,
        advocate: sign_in(server, ADVOCATE, DEMO_PASSWORD).await,
        coordinator: sign_in(server, COORDINATOR, DEMO_PASSWORD).await,
        admin: sign_in(server, ADMIN, DEMO_PASSWORD).await,
        advocate_id: server.user_id(ADVOCATE).await,
        coordinator_id: server.user_id(COORDINATOR).await,
    };
    let b = Side {
        marker: "Bravomark",
        latitude: "41.2222",
        agency: agency(OTHER_ADVOCATE).await,
        advocate: sign_in(server, OTHER_ADVOCATE, DEMO_PASSWORD).await,
        coordinator: sign_in(server, OTHER_COORDINATOR, OTHER_COORDINATOR_PASSWORD).await,
        admin: sign_in(server, OTHER_ADMIN, DEMO_PASSWORD).await,
        advocate_id: server.user_id(OTHER_ADVOCATE).await,
        coordinator_id: server.user_id(OTHER_COORDINATOR).await,
    };
    (a, b)
}

fn contact_body(ids: &Ids, side: &Side) -> Value {
    let m = side.marker;
    let mut answers = vec!["no"; 11];
    answers[1] = "yes";
    json!({
        "occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
        "setting": "on_scene",
        "incident_type": "domestic_violence",
        "location": {"latitude": side.latitude.parse::<f64>().unwrap(), "longitude": -111.65, "precision_m": 50},
        "person": {"id": ids.person, "pseudonym": format!("Client {m}"), "name": format!("Twin Quill {m}"),
                   "phone": "801-555-0199", "address": format!("12 {m} Lane")},
        "notes": format!("{m} notes"),
        "referrals": [{"id": ids.referral, "free_text": format!("{m} referral")}],
        "follow_ups": [{"id": ids.follow_up, "task": format!("{m} task"), "due_on": "2026-12-01"}],
        "screenings": [{"id": ids.screening, "screening": {"instrument": "lap", "answers": answers}}],
        "status": "open",
    })
}

fn plan_body(side: &Side, version: u32) -> Value {
    json!({"warning_signs": [format!("{} sign {version}", side.marker)],
           "code_word": side.marker.to_lowercase()})
}

fn schedule_body(side: &Side) -> Value {
    json!({"name": format!("{} nights", side.marker), "time_zone": "America/Denver",
           "user_ids": [side.coordinator_id], "shift_days": 7, "handoff_time": "08:00",
           "start_date": "2026-11-02"})
}

fn soon() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339()
}

/// A request that must succeed.
async fn ok(server: &TestServer, token: &str, method: &str, path: &str, body: Value) -> Value {
    let body = (!body.is_null()).then_some(body);
    let (s, v) = call(server, token, method, path, body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
    v
}

/// A read as text (JSON or an export), with its status.
async fn read(server: &TestServer, token: &str, path: &str) -> (u16, String) {
    let res = raw()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// Makes one agency's twins, all under `ids`.
async fn make_twins(server: &TestServer, ids: &Ids, side: &Side) {
    let m = side.marker;
    let (adv, coord) = (&side.advocate, &side.coordinator);
    let c = ok(
        server,
        adv,
        "PUT",
        &format!("/v1/contacts/{}", ids.contact),
        contact_body(ids, side),
    )
    .await;
    assert_eq!(c["agency_id"], side.agency.to_string());
    ok(
        server,
        adv,
        "PUT",
        &format!("/v1/persons/{}/safety-plan", ids.person),
        plan_body(side, 1),
    )
    .await;
    let a = ok(
        server,
        adv,
        "POST",
        "/v1/alerts",
        json!({"id": ids.alert, "kind": "next_of_kin", "details": format!("{m} alert")}),
    )
    .await;
    assert_eq!(a["details"], format!("{m} alert"));
    for checkin in [ids.checkin, ids.checkin2] {
        ok(
            server,
            adv,
            "POST",
            "/v1/safety/checkins",
            json!({"id": checkin, "expected_end_at": soon(), "grace_minutes": 0}),
        )
        .await;
    }
    let (s, _) = server.post(adv, &format!("/v1/safety/checkins/{}/location", ids.checkin), json!({"latitude": side.latitude.parse::<f64>().unwrap(), "longitude": -111.6, "precision_m": 15}))
    .await;
    assert_eq!(s, 204);
    ok(
        server,
        coord,
        "PUT",
        &format!("/v1/oncall/schedules/{}", ids.schedule),
        schedule_body(side),
    )
    .await;
    ok(
        server,
        coord,
        "POST",
        &format!("/v1/oncall/schedules/{}/overrides", ids.schedule),
        json!({"user_id": side.coordinator_id, "start_at": "2026-11-03T00:00:00Z", "end_at": "2026-11-03T12:00:00Z"}),
    )
    .await;
    ok(
        server,
        adv,
        "PUT",
        "/v1/safety/duress-code",
        json!({"code": format!("4711{}", m.to_lowercase())}),
    )
    .await;
}

/// Every read that can show a twin, as `side`: each answers 200 (never 500), shows this
/// side's marker where the record carries text, and never the other side's.
async fn reads_show_only_own(server: &TestServer, ids: &Ids, side: &Side, other: &Side) {
    let (adv, coord, admin) = (
        side.advocate.as_str(),
        side.coordinator.as_str(),
        side.admin.as_str(),
    );
    let person = ids.person;
    // (token, path, must show the marker)
    let paths: Vec<(&str, String, bool)> = vec![
        (adv, format!("/v1/contacts/{}", ids.contact), true),
        (adv, "/v1/contacts?limit=200".into(), true),
        (coord, "/v1/contacts?limit=200".into(), true),
        (adv, "/v1/sync?limit=500".into(), true),
        (adv, "/v1/persons?name=Twin+Quill".into(), true),
        (adv, format!("/v1/persons/{person}/safety-plan"), true),
        (
            adv,
            format!("/v1/persons/{person}/safety-plan/versions"),
            false,
        ),
        (
            adv,
            format!("/v1/persons/{person}/safety-plan/versions/1"),
            true,
        ),
        (
            adv,
            format!("/v1/persons/{person}/safety-plan/export.txt"),
            true,
        ),
        (
            adv,
            format!("/v1/persons/{person}/safety-plan/export.html"),
            true,
        ),
        (adv, "/v1/alerts".into(), true),
        (coord, "/v1/alerts".into(), true),
        (adv, format!("/v1/alerts/{}", ids.alert), true),
        (coord, format!("/v1/alerts/{}", ids.alert), true),
        (coord, "/v1/oncall/schedules".into(), true),
        (
            coord,
            format!("/v1/oncall/schedules/{}/on-call", ids.schedule),
            false,
        ),
        (
            coord,
            format!(
                "/v1/oncall/schedules/{}/shifts?from=2026-11-01T00:00:00Z&to=2026-11-20T00:00:00Z",
                ids.schedule
            ),
            false,
        ),
        (
            coord,
            "/v1/oncall/me/shifts?from=2026-11-01T00:00:00Z&days=30".into(),
            true,
        ),
        (admin, "/v1/admin/audit?limit=500".into(), false),
        (admin, "/v1/admin/worker-failures".into(), false),
    ];
    for (token, path, shows) in paths {
        let (s, text) = read(server, token, &path).await;
        assert_eq!(s, 200, "{} {path}: {text}", side.marker);
        let lower = text.to_lowercase();
        assert!(
            !lower.contains(&other.marker.to_lowercase()),
            "{} {path} shows the other agency's twin: {text}",
            side.marker
        );
        if shows {
            assert!(
                lower.contains(&side.marker.to_lowercase()),
                "{} {path} does not show its own twin: {text}",
                side.marker
            );
        }
    }

    // The record itself, field by field: the agency's, with its own parts.
    let (_, c) = server
        .get(adv, &format!("/v1/contacts/{}", ids.contact))
        .await;
    let m = side.marker;
    assert_eq!(c["agency_id"], side.agency.to_string());
    assert_eq!(c["person"]["name"], format!("Twin Quill {m}"));
    assert_eq!(c["referrals"][0]["free_text"], format!("{m} referral"));
    assert_eq!(c["follow_ups"][0]["task"], format!("{m} task"));
    assert_eq!(c["screenings"][0]["id"], ids.screening.to_string());
    assert_eq!(
        c["screenings"][0]["created_by"],
        side.advocate_id.to_string()
    );
    let (_, a) = server
        .get(coord, &format!("/v1/alerts/{}", ids.alert))
        .await;
    assert_eq!(a["raised_by"], side.advocate_id.to_string());
    // On call: the agency's own coordinator, and only its own override.
    let (_, on_call) = server
        .get(
            coord,
            &format!(
                "/v1/oncall/schedules/{}/on-call?at=2026-11-03T06:00:00Z",
                ids.schedule
            ),
        )
        .await;
    assert_eq!(
        (on_call["user_id"].as_str(), on_call["overridden"].as_bool()),
        (Some(side.coordinator_id.to_string().as_str()), Some(true)),
        "{on_call}"
    );
    let (_, shifts) = server
        .get(
            coord,
            &format!(
                "/v1/oncall/schedules/{}/shifts?from=2026-11-01T00:00:00Z&to=2026-11-20T00:00:00Z",
                ids.schedule
            ),
        )
        .await;
    assert_eq!(shifts["overrides"].as_array().unwrap().len(), 1, "{shifts}");
    // The audit log names only the agency's own people.
    let others: Vec<String> = [other.advocate_id, other.coordinator_id]
        .iter()
        .map(Uuid::to_string)
        .collect();
    let (_, audit) = server.get(admin, "/v1/admin/audit?limit=500").await;
    for e in audit["entries"].as_array().unwrap() {
        let actor = e["actor_user_id"].as_str().unwrap_or_default().to_owned();
        assert!(
            !others.contains(&actor),
            "{} audit shows the other agency's {e}",
            side.marker
        );
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn twins_of_two_agencies_stay_apart_on_every_read_and_write(db: PgPool) {
    // Keys: the twins are sealed under an old key, rotated to a new one before the reads.
    let RotationKeys {
        dir,
        old: old_file,
        both,
        only_new,
    } = RotationKeys::write("fieldline-twins");

    let server = TestServer::start_with(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", old_file.to_str().unwrap())],
    )
    .await;
    // The other agency gets a coordinator of its own (the demo has none there).
    let other_admin = sign_in(&server, OTHER_ADMIN, DEMO_PASSWORD).await;
    ok(
        &server,
        &other_admin,
        "POST",
        "/v1/admin/users",
        json!({"email": OTHER_COORDINATOR, "display_name": "Bravomark Coordinator",
               "password": OTHER_COORDINATOR_PASSWORD, "roles": ["coordinator"]}),
    )
    .await;
    let ids = Ids {
        contact: Uuid::new_v4(),
        person: Uuid::new_v4(),
        referral: Uuid::new_v4(),
        follow_up: Uuid::new_v4(),
        screening: Uuid::new_v4(),
        alert: Uuid::new_v4(),
        checkin: Uuid::new_v4(),
        checkin2: Uuid::new_v4(),
        schedule: Uuid::new_v4(),
    };
    let (a, b) = sides(&server).await;
    make_twins(&server, &ids, &a).await;
    make_twins(&server, &ids, &b).await;
    // The high screenings' alerts, raised by the worker in each agency.
    server.escalate().await;
    server.stop().await;

    // Rotated until it reports 0; then only the new key is left.
    let keys = DataKeys::load(&both, false).unwrap();
    let mut runs = 0;
    while rotate_all(&db, &keys).await.unwrap() > 0 {
        runs += 1;
        assert!(runs < 10, "rotation does not finish");
    }
    let server = TestServer::start_unseeded(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", only_new.to_str().unwrap())],
    )
    .await;
    let (a, b) = sides(&server).await;
    reads_show_only_own(&server, &ids, &a, &b).await;
    reads_show_only_own(&server, &ids, &b, &a).await;

    // Missed check-outs: each agency's alert carries its own phone's last location.
    sqlx::query("UPDATE checkins SET expected_end_at = now() - interval '1 minute' WHERE id = $1")
        .bind(ids.checkin)
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    for (side, other) in [(&a, &b), (&b, &a)] {
        let (_, inbox) = server.get(&side.coordinator, "/v1/alerts").await;
        let missed: Vec<&Value> = inbox["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "advocate_safety")
            .collect();
        assert_eq!(missed.len(), 1, "{}: {inbox}", side.marker);
        let details = missed[0]["details"].as_str().unwrap();
        assert!(
            details.contains(side.latitude) && !details.contains(other.latitude),
            "{}: {details}",
            side.marker
        );
    }

    // Writes of the first agency never change the second's twin.
    let m = a.marker;
    let mut changed = contact_body(&ids, &a);
    changed["notes"] = json!(format!("{m} changed notes"));
    changed["status"] = json!("closed");
    changed["referrals"] = json!([]);
    let (s, _) = server
        .put_contact(&a.advocate, ids.contact, &changed, Some("\"1\""))
        .await;
    assert_eq!(s, 200);
    let res = raw()
        .put(server.url(&format!("/v1/persons/{}/safety-plan", ids.person)))
        .bearer_auth(&a.advocate)
        .header("if-match", "\"1\"")
        .json(&plan_body(&a, 2))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (s, v) = server
        .put(
            &a.admin,
            &format!("/v1/contacts/{}/access", ids.contact),
            json!({"sealed": true, "team": []}),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    ok(
        &server,
        &a.coordinator,
        "POST",
        &format!("/v1/alerts/{}/acknowledge", ids.alert),
        Value::Null,
    )
    .await;
    // A check-out with the duress code: its alert's id is derived from the check-in's, so the
    // twins' duress alerts are twins too.
    let out = ok(
        &server,
        &a.advocate,
        "POST",
        &format!("/v1/safety/checkins/{}/checkout", ids.checkin2),
        json!({"code": format!("4711{}", m.to_lowercase())}),
    )
    .await;
    assert_eq!(out["state"], "checked_out");
    ok(
        &server,
        &a.admin,
        "PUT",
        "/v1/admin/retention",
        json!({"closed_contact_retention_days": 30}),
    )
    .await;
    sqlx::query(
        "UPDATE contacts SET closed_at = now() - interval '400 days' WHERE agency_id = $1 AND id = $2",
    )
    .bind(a.agency)
    .bind(ids.contact)
    .execute(&db)
    .await
    .unwrap();
    let purged = ok(
        &server,
        &a.admin,
        "POST",
        "/v1/admin/retention/purge",
        Value::Null,
    )
    .await;
    assert_eq!(
        (
            purged["contacts_purged"].as_i64(),
            purged["persons_purged"].as_i64()
        ),
        (Some(1), Some(1)),
        "{purged}"
    );
    let (s, _) = read(
        &server,
        &a.advocate,
        &format!("/v1/contacts/{}", ids.contact),
    )
    .await;
    assert_eq!(s, 404, "the first agency's twin is purged");

    // The second agency's twins are as they were made.
    let (s, c) = server
        .get(&b.advocate, &format!("/v1/contacts/{}", ids.contact))
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        (
            c["version"].as_i64(),
            c["sealed"].as_bool(),
            c["status"].as_str(),
            c["notes"].as_str(),
            c["referrals"].as_array().map(Vec::len),
            c["follow_ups"].as_array().map(Vec::len),
            c["screenings"].as_array().map(Vec::len),
        ),
        (
            Some(1),
            Some(false),
            Some("open"),
            Some("Bravomark notes"),
            Some(1),
            Some(1),
            Some(1)
        ),
        "{c}"
    );
    let (s, plan) = server
        .get(
            &b.advocate,
            &format!("/v1/persons/{}/safety-plan", ids.person),
        )
        .await;
    assert_eq!((s, plan["version"].as_i64()), (200, Some(1)), "{plan}");
    let (s, alert) = server
        .get(&b.coordinator, &format!("/v1/alerts/{}", ids.alert))
        .await;
    assert_eq!(s, 200);
    assert_eq!(alert["state"], "triggered", "{alert}");
    assert!(
        !alert["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "acknowledged"),
        "{alert}"
    );
    let extended = ok(
        &server,
        &b.advocate,
        "POST",
        &format!("/v1/safety/checkins/{}/extend", ids.checkin2),
        json!({"expected_end_at": soon()}),
    )
    .await;
    assert_eq!(extended["state"], "active");
    // Their own check-out with duress raises their own alert under the twin's derived id.
    let out = ok(
        &server,
        &b.advocate,
        "POST",
        &format!("/v1/safety/checkins/{}/checkout", ids.checkin2),
        json!({"code": "4711bravomark"}),
    )
    .await;
    assert_eq!(out["state"], "checked_out");
    let mut duress_ids = Vec::new();
    for side in [&a, &b] {
        let (_, inbox) = server.get(&side.coordinator, "/v1/alerts").await;
        let duress: Vec<&Value> = inbox["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| {
                x["details"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("Duress code"))
            })
            .collect();
        assert_eq!(duress.len(), 1, "{}: {inbox}", side.marker);
        assert_eq!(duress[0]["raised_by"], side.advocate_id.to_string());
        duress_ids.push(duress[0]["id"].clone());
    }
    assert_eq!(duress_ids[0], duress_ids[1], "twin check-outs, twin alerts");

    // The second agency still reads everything as its own, and the first nothing of it.
    let (s, found) = server.get(&b.advocate, "/v1/persons?name=Twin+Quill").await;
    assert_eq!(s, 200);
    assert_eq!(found["persons"][0]["pseudonym"], "Client Bravomark");
    let (s, found) = read(&server, &a.advocate, "/v1/persons?name=Twin+Quill").await;
    assert_eq!(s, 200);
    assert!(!found.contains("Client"), "{found}");
    let (s, page) = server.get(&b.advocate, "/v1/sync?limit=500").await;
    assert_eq!(s, 200);
    let latest: Vec<&Value> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ch| ch["id"] == ids.contact.to_string())
        .collect();
    assert!(
        latest.iter().all(|ch| ch["deleted"] == false),
        "the other agency's purge sends the second no tombstone: {latest:?}"
    );
    for (token, path) in [
        (
            &b.advocate,
            format!("/v1/persons/{}/safety-plan/export.txt", ids.person),
        ),
        (
            &b.coordinator,
            format!("/v1/oncall/schedules/{}/on-call", ids.schedule),
        ),
        (&a.coordinator, format!("/v1/alerts/{}", ids.alert)),
        (&a.advocate, "/v1/sync?limit=500".into()),
    ] {
        let (s, text) = read(&server, token, &path).await;
        assert_eq!(s, 200, "{path}: {text}");
    }
    let failures = count(&db, "SELECT count(*) FROM worker_failures").await;
    assert_eq!(failures, 0, "no worker item failed over a twin");
    let _ = std::fs::remove_dir_all(&dir);
}
