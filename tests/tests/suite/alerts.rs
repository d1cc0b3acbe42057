//! Alerts: raised, pushed to the first escalation level, escalated when nobody acknowledges,
//! stopped by an acknowledgement, re-triggered when it times out, resolved; exactly once with
//! two workers; roles and agencies.

use fieldline_tests::*;
use fieldline_wire::alerts::{Alert, AlertState};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

fn events(alert: &Alert) -> Vec<&str> {
    alert.timeline.iter().map(|e| e.kind.as_str()).collect()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_alert_escalates_until_acknowledged_and_retriggers_when_the_acknowledgement_times_out(
    db: PgPool,
) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start(db).await;
    let coordinator = server.token(COORDINATOR).await;
    let coordinator_id = server.user_id(COORDINATOR).await;
    // A second coordinator in the demo agency, for level 2.
    let (backup_id, backup) = server
        .add_user(
            "backup-test@demo.fieldline.test",
            fieldline_wire::Role::Coordinator,
        )
        .await;
    let first_phone = receiver.register(&server, &coordinator).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let backup_phone = receiver.register(&server, &backup).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = server.put(&coordinator, "/v1/escalation-policies/advocate_safety", json!({
        "name": "Safety", "repeat_count": 0, "ack_timeout_minutes": 10,
        "levels": [{"delay_minutes": 5, "user_ids": [coordinator_id]}, {"delay_minutes": 5, "user_ids": [backup_id]}]
    })).await;
    assert_eq!(s, 200);

    let advocate = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let raise = json!({"id": id, "kind": "advocate_safety", "details": "Scene at 12 Secret Lane, partner returned"});
    let (s, v) = server.post(&advocate, "/v1/alerts", raise.clone()).await;
    assert_eq!(s, 201, "{v}");
    let alert: Alert = serde_json::from_value(v).unwrap();
    assert_eq!(
        (alert.state, alert.level, alert.urgency.as_str()),
        (AlertState::Triggered, 0, "high")
    );
    let (s, again) = server.post(&advocate, "/v1/alerts", raise).await;
    assert_eq!(
        (s, again["id"].as_str()),
        (200, Some(id.to_string().as_str())),
        "a replay joins the same alert"
    );

    // Level 1 hears of it at once; the payload says what kind, never who or where.
    let worker = server.push_worker();
    worker.run_once().await.unwrap();
    let first = receiver.messages(&first_phone).await;
    assert_eq!(
        first.len(),
        1,
        "exactly one push for the alert and its replay"
    );
    assert_eq!(first[0]["urgency"], "high");
    assert_eq!(first[0]["topic"], id.simple().to_string());
    let payload: Value = serde_json::from_str(first[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(
        (payload["type"].as_str(), payload["kind"].as_str()),
        (Some("alert"), Some("advocate_safety"))
    );
    assert_eq!(payload["alert_id"], id.to_string());
    assert!(!payload.to_string().contains("Secret Lane"));
    assert!(receiver.messages(&backup_phone).await.is_empty());

    // Nobody acknowledges: after the delay, level 2.
    assert_eq!(server.escalate().await, 0, "not due yet");
    server.time_passes().await;
    assert_eq!(server.escalate().await, 1);
    worker.run_once().await.unwrap();
    assert_eq!(receiver.messages(&backup_phone).await.len(), 1);

    // The backup acknowledges: escalation stops; the old notification's button cannot act twice.
    let (s, v) = server
        .post_empty(&backup, &format!("/v1/alerts/{id}/acknowledge"))
        .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("acknowledged")));
    let (s, _) = server
        .post_empty(&backup, &format!("/v1/alerts/{id}/acknowledge"))
        .await;
    assert_eq!(
        s, 200,
        "acknowledging your own acknowledgement again is fine"
    );
    let (s, v) = server
        .post_empty(&coordinator, &format!("/v1/alerts/{id}/acknowledge"))
        .await;
    assert_problem!(s, v, 409, fieldline_wire::problem::types::CONFLICT);
    assert_eq!(server.escalate().await, 0);

    // The acknowledgement times out without a resolution: triggered again, level 2 re-notified.
    server.time_passes().await;
    assert_eq!(server.escalate().await, 1);
    worker.run_once().await.unwrap();
    assert_eq!(receiver.messages(&backup_phone).await.len(), 2);

    let (s, v) = server
        .post_empty(&coordinator, &format!("/v1/alerts/{id}/resolve"))
        .await;
    assert_eq!(s, 200);
    let resolved: Alert = serde_json::from_value(v).unwrap();
    assert_eq!(resolved.state, AlertState::Resolved);
    assert_eq!(
        events(&resolved),
        vec![
            "triggered",
            "notified",
            "escalated",
            "notified",
            "acknowledged",
            "ack_timeout",
            "notified",
            "resolved"
        ]
    );
    assert_eq!(resolved.timeline[4].actor_user_id, Some(backup_id));
    server.time_passes().await;
    assert_eq!(
        server.escalate().await,
        0,
        "a resolved alert never escalates"
    );
    assert_eq!(
        server
            .post_empty(&coordinator, &format!("/v1/alerts/{id}/resolve"))
            .await
            .0,
        409
    );
    // And a few more rounds deliver nothing unexpected.
    for _ in 0..3 {
        worker.run_once().await.unwrap();
    }
    assert_eq!(
        (
            receiver.messages(&first_phone).await.len(),
            receiver.messages(&backup_phone).await.len()
        ),
        (1, 2)
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_path_repeats_then_stops_and_a_policy_change_does_not_rewrite_running_alerts(
    db: PgPool,
) {
    let server = TestServer::start(db).await;
    let coordinator = server.token(COORDINATOR).await;
    let coordinator_id = server.user_id(COORDINATOR).await;
    let policy = |repeat: i32| json!({"name": "NOK", "repeat_count": repeat, "levels": [{"delay_minutes": 1, "user_ids": [coordinator_id]}]});
    assert_eq!(
        server
            .put(
                &coordinator,
                "/v1/escalation-policies/next_of_kin",
                policy(1)
            )
            .await
            .0,
        200
    );
    let id = Uuid::new_v4();
    let (s, _) = server
        .post(
            &coordinator,
            "/v1/alerts",
            json!({"id": id, "kind": "next_of_kin"}),
        )
        .await;
    assert_eq!(s, 201);
    // Changing the policy now (no repeats) does not change this alert's path.
    assert_eq!(
        server
            .put(
                &coordinator,
                "/v1/escalation-policies/next_of_kin",
                policy(0)
            )
            .await
            .0,
        200
    );
    server.time_passes().await;
    server.escalate().await;
    server.time_passes().await;
    server.escalate().await;
    let (_, v) = server.get(&coordinator, &format!("/v1/alerts/{id}")).await;
    let alert: Alert = serde_json::from_value(v).unwrap();
    assert_eq!(
        events(&alert),
        vec![
            "triggered",
            "notified",
            "escalated",
            "notified",
            "exhausted"
        ]
    );
    assert_eq!(
        (alert.loop_count, alert.state, alert.next_escalation_at),
        (1, AlertState::Triggered, None)
    );
    assert_eq!(alert.urgency, "normal");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn two_workers_escalate_each_alert_exactly_once(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let coordinator = server.token(COORDINATOR).await;
    for _ in 0..20 {
        let (s, _) = server
            .post(
                &coordinator,
                "/v1/alerts",
                json!({"id": Uuid::new_v4(), "kind": "high_risk"}),
            )
            .await;
        assert_eq!(s, 201);
    }
    server.time_passes().await;
    // Two instances' workers, each with its own pool, at the same moment.
    let other = sqlx::postgres::PgPoolOptions::new()
        .connect_with((*db.connect_options()).clone())
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        fieldline_api::jobs::escalation_round(&db, &server.config.data_keys),
        fieldline_api::jobs::escalation_round(&other, &server.config.data_keys)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 20);
    let escalations: Vec<i64> = sqlx::query_scalar(
        "SELECT count(e.id) FROM alerts a LEFT JOIN alert_events e ON e.alert_id = a.id AND e.kind = 'escalated' GROUP BY a.id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(escalations, vec![1; 20]);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_high_screening_becomes_an_alert_once(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let contact = Uuid::new_v4();
    let body = json!({
        "occurred_at": chrono::Utc::now(), "setting": "on_scene", "incident_type": "domestic_violence",
        "person": {"id": Uuid::new_v4(), "pseudonym": "Client 1"}, "status": "open",
        "screenings": [high_risk_screening()]
    });
    let (s, _) = server.put_contact(&advocate, contact, &body, None).await;
    assert_eq!(s, 201);
    assert_eq!(server.escalate().await, 1);
    assert_eq!(server.escalate().await, 0);
    let (kind, contact_id, raised_by): (String, Uuid, Uuid) =
        sqlx::query_as("SELECT kind, contact_id, raised_by FROM alerts")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), contact_id, raised_by),
        ("high_risk", contact, server.user_id(ADVOCATE).await)
    );
    // The advocate sees its state.
    let (_, list) = server.get(&advocate, "/v1/alerts").await;
    assert_eq!(list["alerts"][0]["state"], "triggered");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn dedup_keys_join_open_alerts_roles_and_agencies(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let (s, first) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk", "dedup_key": "case-17"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, joined) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk", "dedup_key": "case-17"}),
        )
        .await;
    assert_eq!((s, &joined["id"]), (200, &first["id"]));
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server
            .post_empty(&coordinator, &format!("/v1/alerts/{id}/resolve"))
            .await
            .0,
        200
    );
    let (s, fresh) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk", "dedup_key": "case-17"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_ne!(fresh["id"], first["id"]);

    for email in [HOUSING, ADMIN] {
        let t = server.token(email).await;
        assert_eq!(
            server
                .post(
                    &t,
                    "/v1/alerts",
                    json!({"id": Uuid::new_v4(), "kind": "high_risk"})
                )
                .await
                .0,
            403,
            "{email}"
        );
    }
    assert_eq!(
        server
            .post_empty(&advocate, &format!("/v1/alerts/{id}/acknowledge"))
            .await
            .0,
        403
    );
    let other = server.token(OTHER_ADVOCATE).await;
    assert_eq!(server.get(&other, &format!("/v1/alerts/{id}")).await.0, 404);
    let (_, theirs) = server.get(&other, "/v1/alerts?state=resolved").await;
    assert!(theirs["alerts"].as_array().unwrap().is_empty());
    assert_eq!(
        server
            .post(
                &advocate,
                "/v1/alerts",
                json!({"id": Uuid::new_v4(), "kind": "fire"})
            )
            .await
            .0,
        422
    );
    assert_eq!(server.get(&advocate, "/v1/alerts?state=lost").await.0, 400);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_demo_reaches_the_coordinator_on_call_then_the_backup_and_no_policy_reaches_every_coordinator(
    db: PgPool,
) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.user_id(COORDINATOR).await;
    let backup = fieldline_api::demo::BACKUP_COORDINATOR;
    let id = Uuid::new_v4();
    let (s, _) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": id, "kind": "advocate_safety"}),
        )
        .await;
    assert_eq!(s, 201);
    server.time_passes().await;
    server.escalate().await;
    let t = server.token(COORDINATOR).await;
    let (_, v) = server.get(&t, &format!("/v1/alerts/{id}")).await;
    let alert: Alert = serde_json::from_value(v).unwrap();
    let notified: Vec<&Value> = alert
        .timeline
        .iter()
        .filter(|e| e.kind == "notified")
        .map(|e| &e.details["users"])
        .collect();
    assert_eq!(notified, vec![&json!([coordinator]), &json!([backup])]);

    // Without a policy for the kind, every coordinator of the agency is reached.
    sqlx::query("DELETE FROM escalation_policies WHERE kind = 'next_of_kin'")
        .execute(&db)
        .await
        .unwrap();
    let (_, v) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "next_of_kin"}),
        )
        .await;
    let alert: Alert = serde_json::from_value(v).unwrap();
    let mut everyone = vec![coordinator, backup];
    everyone.sort();
    assert_eq!(alert.timeline[1].details["users"], json!(everyone));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn policies_match_kind_and_urgency_with_the_kind_then_every_coordinator_as_fallback(
    db: PgPool,
) {
    let server = TestServer::start(db.clone()).await;
    let coordinator = server.token(COORDINATOR).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator_id = server.user_id(COORDINATOR).await;
    let backup = fieldline_api::demo::BACKUP_COORDINATOR;
    let policy = |name: &str, user: Uuid| json!({"name": name, "levels": [{"delay_minutes": 5, "user_ids": [user]}]});
    let (s, any) = server
        .put(
            &coordinator,
            "/v1/escalation-policies/next_of_kin",
            policy("NOK", coordinator_id),
        )
        .await;
    assert_eq!((s, &any["urgency"]), (200, &Value::Null), "{any}");
    let (s, high) = server
        .put(
            &coordinator,
            "/v1/escalation-policies/next_of_kin/high",
            policy("NOK urgent", backup),
        )
        .await;
    assert_eq!((s, high["urgency"].as_str()), (200, Some("high")), "{high}");
    // Setting it again replaces it (one policy per kind and urgency).
    let (s, again) = server
        .put(
            &coordinator,
            "/v1/escalation-policies/next_of_kin/high",
            policy("NOK urgent", backup),
        )
        .await;
    assert_eq!(
        (s, &again["id"], again["version"].as_i64()),
        (200, &high["id"], Some(2))
    );
    let (s, bad) = server
        .put(
            &coordinator,
            "/v1/escalation-policies/next_of_kin/extreme",
            policy("x", backup),
        )
        .await;
    assert!(
        (400..500).contains(&s) && bad["type"].is_string(),
        "{s} {bad}"
    );
    let (s, _) = server
        .put(
            &advocate,
            "/v1/escalation-policies/next_of_kin/high",
            policy("x", backup),
        )
        .await;
    assert_eq!(s, 403);
    let (_, list) = server.get(&coordinator, "/v1/escalation-policies").await;
    let nok: Vec<(&str, &Value)> = list["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "next_of_kin")
        .map(|p| (p["name"].as_str().unwrap(), &p["urgency"]))
        .collect();
    assert_eq!(
        nok,
        vec![("NOK urgent", &json!("high")), ("NOK", &Value::Null)]
    );

    // Whom the first notification reached, and at what urgency.
    let raise = |body: Value| {
        let advocate = advocate.clone();
        let server = &server;
        async move {
            let (s, v) = server.post(&advocate, "/v1/alerts", body).await;
            assert_eq!(s, 201, "{v}");
            let alert: Alert = serde_json::from_value(v).unwrap();
            (
                alert.urgency.clone(),
                alert.timeline[1].details["users"].clone(),
            )
        }
    };
    assert_eq!(
        raise(json!({"id": Uuid::new_v4(), "kind": "next_of_kin"})).await,
        ("normal".to_owned(), json!([coordinator_id])),
        "no urgency-specific policy for normal: the kind's"
    );
    assert_eq!(
        raise(json!({"id": Uuid::new_v4(), "kind": "next_of_kin", "urgency": "high"})).await,
        ("high".to_owned(), json!([backup])),
        "the urgency's own policy wins"
    );
    // Asking for normal cannot lower a kind that is always high.
    let (urgency, _) =
        raise(json!({"id": Uuid::new_v4(), "kind": "high_risk", "urgency": "normal"})).await;
    assert_eq!(urgency, "high");

    // Without a policy for the kind, normal next-of-kin alerts reach every coordinator; high
    // ones still follow theirs.
    sqlx::query("DELETE FROM escalation_policies WHERE kind = 'next_of_kin' AND urgency IS NULL")
        .execute(&db)
        .await
        .unwrap();
    let mut everyone = vec![coordinator_id, backup];
    everyone.sort();
    assert_eq!(
        raise(json!({"id": Uuid::new_v4(), "kind": "next_of_kin"}))
            .await
            .1,
        json!(everyone)
    );
    // A device of the backup's, so the push is queued (never sent here).
    sqlx::query("INSERT INTO push_subscriptions (id, user_id, agency_id, endpoint, p256dh, auth)
                 SELECT gen_random_uuid(), id, agency_id, 'http://127.0.0.1:9/push/x', decode(repeat('04', 65), 'hex'), decode(repeat('01', 16), 'hex')
                   FROM users WHERE id = $1")
        .bind(backup)
        .execute(&db)
        .await
        .unwrap();
    let high_id = Uuid::new_v4();
    assert_eq!(
        raise(json!({"id": high_id, "kind": "next_of_kin", "urgency": "high"}))
            .await
            .1,
        json!([backup])
    );
    // The push goes out with `Urgency: high`.
    let urgencies: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT urgency FROM push_deliveries WHERE alert_id = $1")
            .bind(high_id)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(urgencies, ["high"]);
}

/// Issue #16, finding 10: a second raiser with the dedup key of an open alert got 404 and
/// left no trace. They join it visibly and follow it; their replay finds it again.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_second_raiser_joins_the_open_alert_visibly_and_follows_it(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let (joiner_id, joiner) = server
        .add_user("joiner@demo.fieldline.test", fieldline_wire::Role::Advocate)
        .await;
    let (s, first) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk", "dedup_key": "scene-9"}),
        )
        .await;
    assert_eq!(s, 201);
    let id = first["id"].as_str().unwrap().to_owned();
    let trigger = Uuid::new_v4();
    let raise = json!({"id": trigger, "kind": "high_risk", "dedup_key": "scene-9"});
    let (s, joined) = server.post(&joiner, "/v1/alerts", raise.clone()).await;
    assert_eq!(
        (s, joined["id"].as_str()),
        (200, Some(id.as_str())),
        "{joined}"
    );
    let joins = |a: &Value| {
        a["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "deduplicated")
            .map(|e| e["actor_user_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        joins(&joined),
        vec![joiner_id.to_string()],
        "names who joined"
    );
    // The joiner follows the alert: read and listed.
    let (s, read) = server.get(&joiner, &format!("/v1/alerts/{id}")).await;
    assert_eq!(s, 200);
    let (_, mine) = server.get(&joiner, "/v1/alerts").await;
    assert!(
        mine["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id)
    );
    // Its answer was lost: the same request again is a replay, not a second join.
    let (s, again) = server.post(&joiner, "/v1/alerts", raise).await;
    assert_eq!((s, again["id"].as_str()), (200, Some(id.as_str())));
    let (_, seen) = server.get(&coordinator, &format!("/v1/alerts/{id}")).await;
    assert_eq!(joins(&seen).len(), 1);
    assert_eq!(joins(&read).len(), 1);
}

/// Issue #16, finding 9: another agency's alert or schedule id answered 409 ("in use"), then
/// 404, either way unlike an unknown id, revealing that it exists. Ids are scoped per agency
/// now: it is answered exactly as an unknown one (a new alert or schedule of the caller's
/// agency), and the first agency's record is untouched.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn another_agencys_alert_or_schedule_id_is_answered_as_unknown(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let other = server.token(OTHER_ADVOCATE).await;
    let other_admin = server.token(OTHER_ADMIN).await;
    let id = Uuid::new_v4();
    let (s, _) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": id, "kind": "next_of_kin"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, p) = server
        .post(
            &other,
            "/v1/alerts",
            json!({"id": id, "kind": "next_of_kin", "details": "theirs"}),
        )
        .await;
    let (unknown, _) = server
        .post(
            &other,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "next_of_kin"}),
        )
        .await;
    assert_eq!((s, unknown), (201, 201), "{p}");
    assert_eq!(p["details"], "theirs");
    assert_eq!(p["timeline"][0]["kind"], "triggered");
    // Each agency follows its own alert under the id; ours has no `details` and one raiser.
    let (s, ours) = server.get(&advocate, &format!("/v1/alerts/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(ours["details"], Value::Null);
    assert_eq!(
        ours["raised_by"],
        server.user_id(ADVOCATE).await.to_string()
    );
    let (s, ours) = server
        .post_empty(&coordinator, &format!("/v1/alerts/{id}/acknowledge"))
        .await;
    assert_eq!((s, ours["state"].as_str()), (200, Some("acknowledged")));
    let (s, theirs) = server.get(&other, &format!("/v1/alerts/{id}")).await;
    assert_eq!(
        (
            s,
            theirs["state"].as_str(),
            theirs["timeline"]
                .as_array()
                .map(|t| t.iter().any(|e| e["kind"] == "acknowledged"))
        ),
        (200, Some("triggered"), Some(false)),
        "acknowledging ours leaves theirs: {theirs}"
    );

    let schedule = Uuid::new_v4();
    let body = |users: Vec<Uuid>| {
        json!({"name": "Nights", "time_zone": "America/Denver", "user_ids": users,
               "shift_days": 7, "handoff_time": "08:00", "start_date": "2026-11-02"})
    };
    let mine = server.user_id(COORDINATOR).await;
    let (s, v) = server
        .put(
            &coordinator,
            &format!("/v1/oncall/schedules/{schedule}"),
            body(vec![mine]),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let theirs = server.user_id(OTHER_ADMIN).await;
    let (s, v) = server
        .put(
            &other_admin,
            &format!("/v1/oncall/schedules/{schedule}"),
            body(vec![theirs]),
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (200, Some(1)), "{v}");
    let (s, v) = server
        .get(
            &coordinator,
            &format!("/v1/oncall/schedules/{schedule}/on-call?at=2026-11-03T12:00:00Z"),
        )
        .await;
    assert_eq!(
        (s, v["user_id"].as_str()),
        (200, Some(mine.to_string().as_str())),
        "ours still names our coordinator: {v}"
    );
}

/// Issue #16, finding 4: one bad row stopped escalation for every agency. Each item is now
/// worked alone: a damaged alert of the other agency fails by itself, is recorded for retry,
/// parked after its last attempt and shown to that agency's admins; ours escalates on time.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_poisoned_alert_delays_no_other_agencys_escalation(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let other = server.token(OTHER_ADVOCATE).await;
    let (poisoned, ours) = (Uuid::new_v4(), Uuid::new_v4());
    for (t, id) in [(&other, poisoned), (&advocate, ours)] {
        let (s, _) = server
            .post(t, "/v1/alerts", json!({"id": id, "kind": "next_of_kin"}))
            .await;
        assert_eq!(s, 201);
    }
    // The other agency's alert is damaged (a path that no longer decodes) and comes first.
    sqlx::query("UPDATE alerts SET path = '{\"levels\": \"gone\"}', next_escalation_at = now() - interval '1 hour' WHERE id = $1")
        .bind(poisoned)
        .execute(&db)
        .await
        .unwrap();
    server.time_passes().await;
    sqlx::query("UPDATE alerts SET next_escalation_at = now() - interval '1 hour' WHERE id = $1")
        .bind(poisoned)
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    let (_, a) = server
        .get(&coordinator, &format!("/v1/alerts/{ours}"))
        .await;
    let a: Alert = serde_json::from_value(a).unwrap();
    assert!(events(&a).contains(&"escalated"), "{:?}", events(&a));

    let failure = |db: PgPool| async move {
        sqlx::query_as::<_, (String, i32, bool, String)>(
            "SELECT job, attempts, parked_at IS NOT NULL, last_error FROM worker_failures WHERE item_id = $1",
        )
        .bind(poisoned)
        .fetch_one(&db)
        .await
        .unwrap()
    };
    let (job, attempts, parked, error) = failure(db.clone()).await;
    assert_eq!(
        (job.as_str(), attempts, parked),
        ("alert_escalation", 1, false)
    );
    assert!(!error.is_empty());
    // Held until its retry is due: the next round passes it by.
    server.escalate().await;
    assert_eq!(failure(db.clone()).await.1, 1);
    // Each retry that falls due fails again, until it is parked.
    for _ in 1..fieldline_api::worker::MAX_ATTEMPTS {
        sqlx::query(
            "UPDATE worker_failures SET next_attempt_at = now() WHERE next_attempt_at IS NOT NULL",
        )
        .execute(&db)
        .await
        .unwrap();
        server.escalate().await;
    }
    let (_, attempts, parked, _) = failure(db.clone()).await;
    assert_eq!(
        (attempts, parked),
        (fieldline_api::worker::MAX_ATTEMPTS, true)
    );
    server.escalate().await;
    assert_eq!(
        failure(db.clone()).await.1,
        fieldline_api::worker::MAX_ATTEMPTS,
        "parked: left alone"
    );

    // The other agency's admin sees it; ours sees nothing of theirs; others may not look.
    let (s, theirs) = server
        .get(
            &server.token(OTHER_ADMIN).await,
            "/v1/admin/worker-failures",
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(theirs["failures"][0]["item_id"], poisoned.to_string());
    assert!(theirs["failures"][0]["parked_at"].is_string());
    let (s, mine) = server
        .get(&server.token(ADMIN).await, "/v1/admin/worker-failures")
        .await;
    assert_eq!((s, mine["failures"].as_array().unwrap().len()), (200, 0));
    let (s, _) = server.get(&coordinator, "/v1/admin/worker-failures").await;
    assert_eq!(s, 403);
}

/// Issue #19, item 1: an alert says who raised it and how to reach them (to those who respond,
/// and to the raiser), who acknowledged and resolved it, each timeline event's actor by name,
/// and the closing note written when resolving, sealed at rest; a resolve without a body (a
/// notification's button) still works.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_alert_names_its_raiser_and_responders_and_keeps_a_sealed_closing_note(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let (_, joiner) = server
        .add_user(
            "joiner2@demo.fieldline.test",
            fieldline_wire::Role::Advocate,
        )
        .await;
    let (s, raised) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk", "dedup_key": "scene-19"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(raised["raised_by_name"], "Avery Advocate");
    assert_eq!(
        raised["raised_by_phone"], "+1 303 555 0171",
        "the raiser sees their own"
    );
    let id = raised["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/alerts/{id}");

    let (_, seen) = server.get(&coordinator, &path).await;
    assert_eq!(seen["raised_by_name"], "Avery Advocate");
    assert_eq!(seen["raised_by_phone"], "+1 303 555 0171");
    let (_, inbox) = server.get(&coordinator, "/v1/alerts").await;
    let listed = inbox["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        listed["raised_by_name"], "Avery Advocate",
        "lists say who too"
    );
    // A colleague who joined follows it by name, but is not handed the raiser's number.
    let (s, joined) = server
        .post(
            &joiner,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "high_risk", "dedup_key": "scene-19"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(joined["raised_by_name"], "Avery Advocate");
    assert_eq!(joined["raised_by_phone"], Value::Null);

    let (s, acked) = server
        .post_empty(&coordinator, &format!("{path}/acknowledge"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(acked["acknowledged_by_name"], "Casey Coordinator");
    let ack = acked["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "acknowledged")
        .unwrap();
    assert_eq!(ack["actor_name"], "Casey Coordinator");
    // The raiser sees who has it.
    let (_, mine) = server.get(&advocate, &path).await;
    assert_eq!(mine["acknowledged_by_name"], "Casey Coordinator");

    // A closing note: validated, kept sealed, shown with the alert.
    let (s, _) = server
        .post(
            &coordinator,
            &format!("{path}/resolve"),
            json!({"note": "  "}),
        )
        .await;
    assert_eq!(s, 422);
    let note = "Jane Quill is safe at her sister's; police informed";
    let (s, resolved) = server
        .post(
            &coordinator,
            &format!("{path}/resolve"),
            json!({ "note": note }),
        )
        .await;
    assert_eq!(s, 200, "{resolved}");
    assert_eq!(resolved["resolution_note"], note);
    assert_eq!(resolved["resolved_by_name"], "Casey Coordinator");
    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT resolution_note_sealed FROM alerts WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed).contains("Quill"),
        "the note is sealed at rest"
    );

    // No body at all, as a notification's button sends: resolved without a note.
    let (s, other) = server
        .post(
            &advocate,
            "/v1/alerts",
            json!({"id": Uuid::new_v4(), "kind": "next_of_kin"}),
        )
        .await;
    assert_eq!(s, 201);
    let res = raw()
        .post(server.url(&format!(
            "/v1/alerts/{}/resolve",
            other["id"].as_str().unwrap()
        )))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["state"], "resolved");
    assert_eq!(body["resolution_note"], Value::Null);
}

/// Issue #19: an admin sets a colleague's work phone (and removes it with `""`).
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_admin_sets_and_removes_a_work_phone(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.token(ADMIN).await;
    let (id, _) = server
        .add_user("phone@demo.fieldline.test", fieldline_wire::Role::Advocate)
        .await;
    let path = format!("/v1/admin/users/{id}");
    let (s, u) = server
        .patch(&admin, &path, json!({"phone": " +1 (801) 555-0100 "}))
        .await;
    assert_eq!((s, &u["phone"]), (200, &json!("+1 (801) 555-0100")));
    let (s, e) = server
        .patch(&admin, &path, json!({"phone": "call me"}))
        .await;
    assert_field_error!(s, e, "/phone");
    let (s, u) = server
        .patch(&admin, &path, json!({"display_name": "Renamed"}))
        .await;
    assert_eq!(
        (s, &u["phone"]),
        (200, &json!("+1 (801) 555-0100")),
        "absent: unchanged"
    );
    let (s, u) = server.patch(&admin, &path, json!({"phone": ""})).await;
    assert_eq!((s, &u["phone"]), (200, &Value::Null));
}
