//! Advocate safety: a missed check-out raises an alert with the last location, once; duress
//! raises one at once; a duress code at check-out looks ordinary and raises one silently.

use fieldline_tests::*;
use fieldline_wire::alerts::Alert;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

async fn safety_alerts(server: &TestServer, coordinator: &str) -> Vec<Alert> {
    let (_, v) = server.get(coordinator, "/v1/alerts").await;
    let mut out = Vec::new();
    for a in v["alerts"].as_array().unwrap() {
        if a["kind"] == "advocate_safety" {
            let (_, full) = server
                .get(
                    coordinator,
                    &format!("/v1/alerts/{}", a["id"].as_str().unwrap()),
                )
                .await;
            out.push(serde_json::from_value(full).unwrap());
        }
    }
    out
}

fn soon() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_missed_check_out_raises_one_alert_with_the_last_location(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    let (s, v) = server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": id, "expected_end_at": soon(), "grace_minutes": 10}),
        )
        .await;
    assert_eq!((s, v["state"].as_str()), (201, Some("active")));
    let (s, _) = server
        .post(
            &advocate,
            &format!("/v1/safety/checkins/{id}/location"),
            json!({"latitude": 40.2501, "longitude": -111.6492, "precision_m": 15}),
        )
        .await;
    assert_eq!(s, 204);
    let raw_loc: Vec<u8> = sqlx::query_scalar("SELECT last_location_sealed FROM checkins")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&raw_loc).contains("40.25"),
        "the location is sealed at rest"
    );

    // Not yet due: nothing.
    server.escalate().await;
    assert!(safety_alerts(&server, &coordinator).await.is_empty());
    // End plus grace passes without a check-out.
    sqlx::query("UPDATE checkins SET expected_end_at = now() - interval '11 minutes'")
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    server.escalate().await;
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(
        alerts.len(),
        1,
        "exactly one alert for one missed check-out"
    );
    let details = alerts[0].details.as_deref().unwrap();
    assert!(
        details.contains("Missed check-out")
            && details.contains("40.2501")
            && details.contains("-111.6492"),
        "{details}"
    );
    assert_eq!(alerts[0].urgency, "high");
    let (_, v) = server
        .post(
            &advocate,
            &format!("/v1/safety/checkins/{id}/checkout"),
            json!({}),
        )
        .await;
    assert_eq!(
        v["state"], "overdue",
        "a late check-out does not hide the alert"
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn extending_or_checking_out_in_time_raises_nothing(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for id in [a, b] {
        assert_eq!(
            server
                .post(
                    &advocate,
                    "/v1/safety/checkins",
                    json!({"id": id, "expected_end_at": soon()})
                )
                .await
                .0,
            201
        );
    }
    let later = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    assert_eq!(
        server
            .post(
                &advocate,
                &format!("/v1/safety/checkins/{a}/extend"),
                json!({"expected_end_at": later})
            )
            .await
            .0,
        200
    );
    assert_eq!(
        server
            .post(
                &advocate,
                &format!("/v1/safety/checkins/{b}/checkout"),
                json!({})
            )
            .await
            .0,
        200
    );
    sqlx::query("UPDATE checkins SET expected_end_at = now() - interval '1 hour' WHERE id = $1")
        .bind(b)
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    assert!(safety_alerts(&server, &coordinator).await.is_empty());
    // Bad input and roles.
    let (s, _) = server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": Uuid::new_v4(), "expected_end_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(s, 422);
    let housing = server.token(HOUSING).await;
    assert_eq!(
        server
            .post(
                &housing,
                "/v1/safety/checkins",
                json!({"id": Uuid::new_v4(), "expected_end_at": soon()})
            )
            .await
            .0,
        403
    );
    let other = server.token(OTHER_ADVOCATE).await;
    assert_eq!(
        server
            .post(
                &other,
                &format!("/v1/safety/checkins/{a}/checkout"),
                json!({})
            )
            .await
            .0,
        404
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_duress_code_checks_out_like_any_other_and_raises_an_alert(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    assert_eq!(
        server
            .put(&advocate, "/v1/safety/duress-code", json!({"code": "4711"}))
            .await
            .0,
        204
    );
    let (normal, forced) = (Uuid::new_v4(), Uuid::new_v4());
    for id in [normal, forced] {
        server
            .post(
                &advocate,
                "/v1/safety/checkins",
                json!({"id": id, "expected_end_at": soon()}),
            )
            .await;
    }
    let (s1, a) = server
        .post(
            &advocate,
            &format!("/v1/safety/checkins/{normal}/checkout"),
            json!({"code": "1234"}),
        )
        .await;
    assert!(
        safety_alerts(&server, &coordinator).await.is_empty(),
        "a wrong code is an ordinary check-out"
    );
    let (s2, b) = server
        .post(
            &advocate,
            &format!("/v1/safety/checkins/{forced}/checkout"),
            json!({"code": "4711"}),
        )
        .await;
    // Anyone watching the phone sees the same answer.
    assert_eq!((s1, s2), (200, 200));
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(
        (a["state"].as_str(), b["state"].as_str()),
        (Some("checked_out"), Some("checked_out"))
    );
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0]
            .details
            .as_deref()
            .unwrap()
            .contains("Duress code")
    );
    assert_eq!(
        server
            .put(&advocate, "/v1/safety/duress-code", json!({"code": "1"}))
            .await
            .0,
        422
    );
}

/// Setting a duress code hashes it through the instance's password gate (a burst is turned
/// away with 429 and `Retry-After`, never piles up hashes), while a check-out's duress check
/// is never turned away, however busy the gate: duress must always reach the coordinator.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_busy_password_gate_never_turns_away_a_check_out(db: PgPool) {
    let server = TestServer::start_with(
        db,
        &[
            ("FIELDLINE_PASSWORD_HASH_CONCURRENCY", "1"),
            ("FIELDLINE_PASSWORD_HASH_QUEUE", "0"),
        ],
    )
    .await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    // Plain requests on tasks of their own, all started before any is awaited.
    let send = |path: String, method: reqwest::Method, body: Value| {
        let (url, token) = (server.url(&path), advocate.clone());
        async move {
            let res = raw()
                .request(method, url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let code = || json!({"code": "4711"});
    let set_code = || {
        send(
            "/v1/safety/duress-code".into(),
            reqwest::Method::PUT,
            code(),
        )
    };
    assert_eq!(set_code().await.0, 204);
    let checkin = Uuid::new_v4();
    server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": checkin, "expected_end_at": soon()}),
        )
        .await;
    // Sixteen code changes (all to the same code) and the check-out under duress, at once.
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..16 {
        burst.spawn(set_code());
    }
    let checkout = tokio::spawn(send(
        format!("/v1/safety/checkins/{checkin}/checkout"),
        reqwest::Method::POST,
        code(),
    ));
    let mut turned_away = 0;
    while let Some(r) = burst.join_next().await {
        let (status, body) = r.unwrap();
        match status {
            204 => {}
            429 => {
                turned_away += 1;
                assert_eq!(
                    body["type"],
                    fieldline_wire::problem::types::TOO_MANY_REQUESTS
                );
            }
            other => panic!("setting a duress code answered {other}: {body}"),
        }
    }
    eprintln!("{turned_away} of 16 duress-code changes turned away at one hash at a time");
    let (status, body) = checkout.await.unwrap();
    assert_eq!(status, 200, "{body}");
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(alerts.len(), 1, "the duress check-out raised its alert");
}

/// Duress is never swallowed: sent under an id a colleague raised an alert under (a client
/// bug, or a copied id), it still raises the advocate's own alert, once however often sent.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn duress_under_a_colleagues_alert_id_still_raises_its_own(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    let (s, v) = server
        .post(
            &coordinator,
            "/v1/alerts",
            json!({"id": id, "kind": "next_of_kin"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    for _ in 0..2 {
        let (s, _) = server
            .post(&advocate, "/v1/safety/duress", json!({"id": id}))
            .await;
        assert_eq!(s, 202);
    }
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(alerts.len(), 1, "one duress alert, raised once: {alerts:?}");
    let advocate_id = server.user_id(ADVOCATE).await;
    assert_eq!(alerts[0].raised_by, Some(advocate_id));
    assert_ne!(alerts[0].id, id);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_duress_button_raises_one_alert_at_once(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    let body =
        json!({"id": id, "location": {"latitude": 40.24, "longitude": -111.66, "precision_m": 30}});
    for _ in 0..3 {
        assert_eq!(
            server
                .post(&advocate, "/v1/safety/duress", body.clone())
                .await
                .0,
            202
        );
    }
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(alerts.len(), 1, "a retried press raises one alert");
    assert_eq!(alerts[0].id, id);
    assert!(
        alerts[0].timeline.iter().any(|e| e.kind == "notified"),
        "notified at once, without waiting for a worker"
    );
}

/// Issue #16, finding 3: after a missed check-out raised its alert, a duress code at the
/// check-out answered 500 and raised nothing. Duress must always reach the coordinator.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_duress_code_after_a_missed_check_out_still_raises_its_own_alert(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    server
        .put(&advocate, "/v1/safety/duress-code", json!({"code": "4711"}))
        .await;
    let id = Uuid::new_v4();
    server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": id, "expected_end_at": soon(), "grace_minutes": 0}),
        )
        .await;
    sqlx::query("UPDATE checkins SET expected_end_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    assert_eq!(safety_alerts(&server, &coordinator).await.len(), 1);

    let checkout = format!("/v1/safety/checkins/{id}/checkout");
    let (s, v) = server
        .post(&advocate, &checkout, json!({"code": "4711"}))
        .await;
    assert_eq!(s, 200, "looks exactly like an ordinary check-out: {v}");
    assert_eq!(v["state"], "overdue");
    // The answer was lost and the phone sends it again: still one duress alert.
    let (s, _) = server
        .post(&advocate, &checkout, json!({"code": "4711"}))
        .await;
    assert_eq!(s, 200);
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(
        alerts.len(),
        2,
        "the missed check-out's alert and the duress alert"
    );
    let duress: Vec<&Alert> = alerts
        .iter()
        .filter(|a| {
            a.details
                .as_deref()
                .is_some_and(|d| d.contains("Duress code"))
        })
        .collect();
    assert_eq!(duress.len(), 1);
    assert_eq!(duress[0].urgency, "high");
    assert_eq!(
        duress[0].state,
        fieldline_wire::alerts::AlertState::Triggered
    );
    assert!(
        duress[0].timeline.iter().any(|e| e.kind == "notified"),
        "it reached the first level at once"
    );
}

/// Issue #16, finding 4: a check-in whose id was another agency's alert id made raising its
/// overdue alert fail, and that failure stopped the whole round. The overdue alert no longer
/// takes the phone-chosen id, and a check-in that does fail is set aside while the rest go on.
/// Finding 9: ids are scoped per agency, so the other agency's alert id is ours to use too: a
/// duress under it raises our own alert, answered exactly as under an unknown id.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_check_in_whose_id_is_another_agencys_alert_is_still_raised(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let other = server.token(OTHER_ADVOCATE).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    // The other agency's alert; our advocate's check-in takes its id.
    let taken = Uuid::new_v4();
    let (s, _) = server
        .post(
            &other,
            "/v1/alerts",
            json!({"id": taken, "kind": "next_of_kin"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": taken, "expected_end_at": soon(), "grace_minutes": 0}),
        )
        .await;
    assert_eq!(s, 201);
    sqlx::query("UPDATE checkins SET expected_end_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(
        alerts.len(),
        1,
        "the missed check-out reached the coordinator"
    );
    assert!(
        alerts[0]
            .details
            .as_deref()
            .unwrap()
            .contains("Missed check-out")
    );
    assert_ne!(alerts[0].id, taken);
    let failures = count(&db, "SELECT count(*) FROM worker_failures").await;
    assert_eq!(failures, 0);

    let (s, _) = server
        .post(&advocate, "/v1/safety/duress", json!({"id": taken}))
        .await;
    assert_eq!(s, 202);
    let alerts = safety_alerts(&server, &coordinator).await;
    let duress = alerts
        .iter()
        .find(|a| a.id == taken)
        .expect("our duress alert under the other agency's id");
    assert!(duress.details.as_deref().unwrap().starts_with("Duress"));
    // Theirs is as it was: their next-of-kin alert, without our details.
    let (s, theirs) = server.get(&other, &format!("/v1/alerts/{taken}")).await;
    assert_eq!(
        (s, theirs["kind"].as_str(), theirs["details"].as_str()),
        (200, Some("next_of_kin"), None)
    );
}

/// A last location that cannot be opened (sealed under a key since removed, or damaged) does
/// not hold the alert back: it goes out saying so.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_unreadable_last_location_does_not_hold_the_alert_back(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": id, "expected_end_at": soon(), "grace_minutes": 0}),
        )
        .await;
    sqlx::query(
        "UPDATE checkins SET expected_end_at = now() - interval '1 minute', last_location_sealed = '\\x0102deadbeef'",
    )
    .execute(&db)
    .await
    .unwrap();
    server.escalate().await;
    let alerts = safety_alerts(&server, &coordinator).await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0]
            .details
            .as_deref()
            .unwrap()
            .contains("last location could not be read")
    );
}

/// Issue #19, items 3 and 5: the emergency number the app offers with the coordinator line
/// when a duress alert cannot be sent, and the unit it shows distances in, are the agency's,
/// set by an admin and handed out with `/v1/me` (so a phone has them offline): absent leaves
/// them as they are, `""` removes the number.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_agency_emergency_number_and_distance_unit_reach_every_phone(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.token(ADMIN).await;
    let advocate = server.token(ADVOCATE).await;
    let me = |t: String| {
        let server = &server;
        async move { server.get(&t, "/v1/me").await.1 }
    };
    let agency = me(advocate.clone()).await["agency"].clone();
    assert_eq!(agency["emergency_number"], "911", "the demo's");
    assert_eq!(agency["coordinator_fallback_phone"], "+1 303 555 0142");
    let put = |body: serde_json::Value| {
        let (server, admin) = (&server, admin.clone());
        async move { server.put(&admin, "/v1/admin/agency", body).await }
    };
    let (s, v) =
        put(json!({"coordinator_fallback_phone": "+1 303 555 0142", "emergency_number": "112"}))
            .await;
    assert_eq!((s, &v["emergency_number"]), (200, &json!("112")));
    let (s, v) = put(json!({"coordinator_fallback_phone": "+1 303 555 0142"})).await;
    assert_eq!(
        (s, &v["emergency_number"]),
        (200, &json!("112")),
        "absent: unchanged"
    );
    let (s, v) = put(json!({"coordinator_fallback_phone": null, "emergency_number": "help"})).await;
    assert_field_error!(s, v, "/emergency_number");
    assert_eq!(
        me(advocate.clone()).await["agency"]["emergency_number"],
        "112"
    );
    // The distance unit: the demo's miles, changed to kilometres and left alone when absent.
    assert_eq!(me(advocate.clone()).await["agency"]["distance_unit"], "mi");
    let (s, v) = put(json!({"coordinator_fallback_phone": null, "distance_unit": "km"})).await;
    assert_eq!((s, &v["distance_unit"]), (200, &json!("km")));
    let (s, v) = put(json!({"coordinator_fallback_phone": null})).await;
    assert_eq!(
        (s, &v["distance_unit"]),
        (200, &json!("km")),
        "absent: unchanged"
    );
    assert_eq!(me(advocate.clone()).await["agency"]["distance_unit"], "km");
    let (s, _) =
        put(json!({"coordinator_fallback_phone": null, "distance_unit": "furlongs"})).await;
    assert_eq!(s, 422);
    let (s, v) = put(json!({"coordinator_fallback_phone": null, "emergency_number": ""})).await;
    assert_eq!((s, &v["emergency_number"]), (200, &Value::Null));
    assert_eq!(
        me(advocate).await["agency"]["emergency_number"],
        Value::Null
    );
}
