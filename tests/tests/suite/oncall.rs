//! On-call schedules: who is on call at T (with overrides), shifts, and escalation levels that
//! reach whoever is on call when they fire.

use fieldline_tests::*;
use fieldline_wire::alerts::Alert;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn who_is_on_call_follows_the_rotation_overrides_and_dst(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let (a, b) = (
        server.user_id(COORDINATOR).await,
        server.user_id(ADVOCATE).await,
    );
    let id = Uuid::new_v4();
    let schedule = json!({"name": "Nights", "time_zone": "America/Chicago", "user_ids": [a, b],
                          "shift_days": 7, "handoff_time": "09:00", "start_date": "2026-10-26"});
    let (s, v) = server
        .put(&t, &format!("/v1/oncall/schedules/{id}"), schedule)
        .await;
    assert_eq!(s, 200, "{v}");
    let at = |when: &str| format!("/v1/oncall/schedules/{id}/on-call?at={when}");
    // The weekly hand-off stays at 09:00 local across the end of daylight saving (Nov 1).
    assert_eq!(
        server.get(&t, &at("2026-11-02T14:59:00Z")).await.1["user_id"],
        a.to_string()
    );
    let (_, next) = server.get(&t, &at("2026-11-02T15:00:00Z")).await;
    assert_eq!(
        (next["user_id"].as_str(), next["start"].as_str()),
        (Some(b.to_string().as_str()), Some("2026-11-02T15:00:00Z"))
    );
    // Colleagues by name, as the users table has them (staff names, not victim data).
    let name_of = |id: Uuid| {
        let db = server.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT display_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let (name_a, name_b) = (name_of(a).await, name_of(b).await);
    assert!(!name_a.is_empty() && name_a != name_b);
    assert_eq!(next["display_name"], name_b.as_str());
    let (_, nobody) = server.get(&t, &at("2026-10-01T00:00:00Z")).await;
    assert!(nobody["user_id"].is_null() && nobody["display_name"].is_null());

    // "I'll cover tonight."
    let (s, cover) = server.post(&t, &format!("/v1/oncall/schedules/{id}/overrides"), json!({"user_id": a, "start_at": "2026-11-03T00:00:00Z", "end_at": "2026-11-03T12:00:00Z"})).await;
    assert_eq!(s, 201);
    assert_eq!(cover["display_name"], name_a.as_str());
    let (_, covered) = server.get(&t, &at("2026-11-03T06:00:00Z")).await;
    assert_eq!(
        (
            covered["user_id"].as_str(),
            covered["overridden"].as_bool(),
            covered["display_name"].as_str()
        ),
        (
            Some(a.to_string().as_str()),
            Some(true),
            Some(name_a.as_str())
        )
    );
    assert_eq!(
        server.get(&t, &at("2026-11-03T12:00:00Z")).await.1["user_id"],
        b.to_string()
    );

    let (s, shifts) = server
        .get(
            &t,
            &format!(
                "/v1/oncall/schedules/{id}/shifts?from=2026-10-26T00:00:00Z&to=2026-11-20T00:00:00Z"
            ),
        )
        .await;
    assert_eq!(s, 200);
    let list = shifts["shifts"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert!(list.windows(2).all(|w| w[0]["end"] == w[1]["start"]));
    assert_eq!(shifts["overrides"].as_array().unwrap().len(), 1);
    assert_eq!(shifts["overrides"][0]["display_name"], name_a.as_str());
    for shift in list {
        let who = if shift["user_id"] == a.to_string() {
            &name_a
        } else {
            &name_b
        };
        assert_eq!(shift["display_name"], who.as_str());
    }

    // Bad input, roles, agencies.
    let bad = json!({"name": "x", "time_zone": "Mars/Base", "user_ids": [], "shift_days": 0, "handoff_time": "25:00", "start_date": "2026-01-01"});
    let (s, v) = server
        .put(&t, &format!("/v1/oncall/schedules/{}", Uuid::new_v4()), bad)
        .await;
    assert_eq!(s, 422);
    let pointers: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for p in ["/time_zone", "/shift_days", "/handoff_time", "/user_ids"] {
        assert!(pointers.contains(&p), "{p}: {pointers:?}");
    }
    let advocate = server.token(ADVOCATE).await;
    assert_eq!(
        server.get(&advocate, &at("2026-11-02T15:00:00Z")).await.0,
        403
    );
    let other = server.token(OTHER_ADMIN).await;
    assert_eq!(server.get(&other, &at("2026-11-02T15:00:00Z")).await.0, 404);
    assert_eq!(
        server.get(&t, &format!(
                "/v1/oncall/schedules/{id}/shifts?from=2026-10-26T00:00:00Z&to=2027-10-26T00:00:00Z"
            ))
        .await
        .0,
        400
    );
}

/// Raises a high-risk alert; who its first level notified.
async fn first_notified(server: &TestServer, token: &str) -> serde_json::Value {
    let (s, raised) = server
        .post(
            token,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk"}),
        )
        .await;
    assert_eq!(s, 201, "{raised}");
    let alert: Alert = serde_json::from_value(raised).unwrap();
    let notified = alert
        .timeline
        .into_iter()
        .find(|e| e.kind == "notified")
        .expect("a notified event");
    notified.details["users"].clone()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_escalation_level_reaches_whoever_is_on_call(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let (coordinator, advocate) = (
        server.user_id(COORDINATOR).await,
        server.user_id(ADVOCATE).await,
    );
    // The advocate is on call now (a daily rotation of one that started yesterday)...
    let schedule = Uuid::new_v4();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let (s, _) = server.put(&t, &format!("/v1/oncall/schedules/{schedule}"), json!({
        "name": "Duty", "time_zone": "UTC", "user_ids": [advocate], "shift_days": 1, "handoff_time": "00:00", "start_date": yesterday
    })).await;
    assert_eq!(s, 200);
    let (s, v) = server.put(&t, "/v1/escalation-policies/high_risk", json!({
        "name": "High risk", "levels": [{"delay_minutes": 5, "schedule_ids": [schedule]}, {"delay_minutes": 5, "user_ids": [coordinator]}]
    })).await;
    assert_eq!(s, 200, "{v}");
    // ...until the coordinator covers.
    assert_eq!(first_notified(&server, &t).await, json!([advocate]));

    let now = chrono::Utc::now();
    let (s, _) = server.post(&t, &format!("/v1/oncall/schedules/{schedule}/overrides"), json!({
        "user_id": coordinator, "start_at": now - chrono::Duration::minutes(1), "end_at": now + chrono::Duration::hours(1)
    })).await;
    assert_eq!(s, 201);
    assert_eq!(first_notified(&server, &t).await, json!([coordinator]));
    // A policy naming another agency's schedule is refused.
    let (s, _) = server
        .put(
            &t,
            "/v1/escalation-policies/next_of_kin",
            json!({
                "name": "x", "levels": [{"delay_minutes": 5, "schedule_ids": [Uuid::new_v4()]}]
            }),
        )
        .await;
    assert_eq!(s, 422);
}

/// Issue #19, item 2: who is on call comes with their work phone, an override with its id, and
/// "I'll cover" can be taken back (by the agency only: another agency's admin gets 404).
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn on_call_gives_numbers_and_an_override_can_be_taken_back(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let backup = server.token("coordinator2@demo.fieldline.test").await;
    let backup_id = server.user_id("coordinator2@demo.fieldline.test").await;
    let schedule = fieldline_api::demo::DEMO_SCHEDULE;
    let now = server
        .get(&t, &format!("/v1/oncall/schedules/{schedule}/on-call"))
        .await
        .1;
    assert_eq!(now["display_name"], "Casey Coordinator");
    assert_eq!(now["phone"], "+1 303 555 0172");

    let start = chrono::Utc::now() - chrono::Duration::minutes(1);
    let end = start + chrono::Duration::hours(2);
    let (s, cover) = server
        .post(
            &backup,
            &format!("/v1/oncall/schedules/{schedule}/overrides"),
            json!({"user_id": backup_id, "start_at": start, "end_at": end}),
        )
        .await;
    assert_eq!(s, 201, "{cover}");
    assert_eq!(cover["phone"], "+1 303 555 0173");
    let oid = cover["override_id"].as_str().unwrap().to_owned();
    let window = format!(
        "/v1/oncall/schedules/{schedule}/shifts?from={}&to={}",
        start.to_rfc3339().replace('+', "%2B"),
        end.to_rfc3339().replace('+', "%2B")
    );
    let listed = server.get(&t, &window).await.1;
    assert_eq!(listed["overrides"][0]["override_id"], oid.as_str());
    assert_eq!(listed["shifts"][0]["override_id"], serde_json::Value::Null);
    assert_eq!(listed["shifts"][0]["phone"], "+1 303 555 0172");

    // Another agency cannot take it back, nor learn it exists.
    let other = server.token(OTHER_ADMIN).await;
    let gone = format!("/v1/oncall/overrides/{oid}");
    assert_eq!(server.delete(&other, &gone).await.0, 404);
    assert_eq!(server.delete(&t, &gone).await.0, 204);
    assert_eq!(server.delete(&t, &gone).await.0, 404);
    let now = server
        .get(&t, &format!("/v1/oncall/schedules/{schedule}/on-call"))
        .await
        .1;
    assert_eq!(now["display_name"], "Casey Coordinator", "as it was");
}
