//! Alerts through the bridge are never silently queued: with no connection, raising one (or
//! pressing duress) answers "not delivered" at once with the coordinator fallback number the
//! phone learned at sign-in, and the bridge keeps trying and tells the app when it lands.

use fieldline_bridge::{AlertOutcome, FieldlineError};
use fieldline_tests::phone::{Phone, unreachable_url};
use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

const DEMO_FALLBACK: &str = "+1 303 555 0142";

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_alert_raised_offline_is_reported_not_delivered_then_lands(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let mut phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    assert_eq!(
        phone.bridge.coordinator_fallback_phone().as_deref(),
        Some(DEMO_FALLBACK)
    );

    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let outcome = phone
        .bridge
        .raise_alert(
            "next_of_kin".into(),
            Some("Family at the hospital".into()),
            None,
        )
        .await
        .unwrap();
    let AlertOutcome::NotDelivered {
        alert_id,
        coordinator_fallback_phone,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(coordinator_fallback_phone.as_deref(), Some(DEMO_FALLBACK));
    let listed = phone.bridge.outbox().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, "alert");

    // Signal comes back: the background retry delivers it and tells the app.
    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();
    assert_eq!(phone.landed().await, alert_id);
    assert!(phone.bridge.outbox().unwrap().is_empty());
    let id = Uuid::parse_str(&alert_id).unwrap();
    let (kind, n): (String, i64) =
        sqlx::query_as("SELECT kind, count(*) OVER () FROM alerts WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), n), ("next_of_kin", 1));

    // Online, the same call is delivered at once and the app can watch the alert's state.
    let online = phone
        .bridge
        .raise_alert("high_risk".into(), None, None)
        .await
        .unwrap();
    let AlertOutcome::Delivered { alert_id } = online else {
        panic!("{online:?}")
    };
    let alert: Value =
        serde_json::from_str(&phone.bridge.alert(alert_id.clone()).await.unwrap()).unwrap();
    assert_eq!(alert["state"], "triggered");
    let coordinator = Phone::install(&server.base_url);
    coordinator.login(COORDINATOR).await;
    let acked: Value = serde_json::from_str(
        &coordinator
            .bridge
            .acknowledge_alert(alert_id.clone())
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(acked["state"], "acknowledged");
    let resolved: Value =
        serde_json::from_str(&coordinator.bridge.resolve_alert(alert_id).await.unwrap()).unwrap();
    assert_eq!(resolved["state"], "resolved");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn duress_offline_survives_an_app_restart_and_lands_once(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let outcome = phone
        .bridge
        .duress(Some(40.24), Some(-111.65), Some(20))
        .await
        .unwrap();
    assert!(matches!(
        &outcome,
        AlertOutcome::NotDelivered { coordinator_fallback_phone: Some(p), .. } if p == DEMO_FALLBACK
    ));

    // The app is killed before the signal returns; the restarted bridge retries on its own.
    let mut phone = phone.restart(&server.base_url).await;
    let id = phone.landed().await;
    let AlertOutcome::NotDelivered { alert_id, .. } = outcome else {
        unreachable!()
    };
    assert_eq!(id, alert_id);
    let n = count(
        &db,
        "SELECT count(*) FROM alerts WHERE kind = 'advocate_safety' AND urgency = 'high'",
    )
    .await;
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn admins_set_the_fallback_number_phones_learn_at_sign_in(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let admin = server.token(ADMIN).await;
    let advocate = server.token(ADVOCATE).await;
    let put = |token: String, body: Value| {
        let url = server.url("/v1/admin/agency");
        async move {
            let res = raw()
                .put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };

    let (status, body) = put(
        advocate,
        json!({"coordinator_fallback_phone": "+1 801 555 0000"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = put(
        admin.clone(),
        json!({"coordinator_fallback_phone": "call Sam"}),
    )
    .await;
    assert_field_error!(status, body, "/coordinator_fallback_phone");
    assert!(
        !body.to_string().contains("call Sam"),
        "the value is not echoed"
    );
    let (status, body) = put(
        admin.clone(),
        json!({"coordinator_fallback_phone": " +1 (801) 555-0100 "}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["coordinator_fallback_phone"], "+1 (801) 555-0100");

    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    assert_eq!(
        phone.bridge.coordinator_fallback_phone().as_deref(),
        Some("+1 (801) 555-0100")
    );
    let audited = count(
        &db,
        "SELECT count(*) FROM audit_log WHERE action = 'agency.update'",
    )
    .await;
    assert_eq!(audited, 1);

    // Removed: the next sync forgets it too.
    let (status, _) = put(admin, json!({"coordinator_fallback_phone": null})).await;
    assert_eq!(status, 200);
    phone.bridge.sync().await.unwrap();
    assert_eq!(phone.bridge.coordinator_fallback_phone(), None);

    // Another agency's phone never sees this agency's number.
    let other = Phone::install(&server.base_url);
    other.login(OTHER_ADVOCATE).await;
    assert_eq!(other.bridge.coordinator_fallback_phone(), None);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn check_in_and_out_and_push_registration_through_the_bridge(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;

    let end = (chrono::Utc::now() + chrono::Duration::hours(1)).timestamp_millis();
    let checkin: Value =
        serde_json::from_str(&phone.bridge.start_checkin(end, 15).await.unwrap()).unwrap();
    assert_eq!(checkin["state"], "active");
    let id = checkin["id"].as_str().unwrap().to_owned();
    phone
        .bridge
        .report_location(id.clone(), 40.24, -111.65, 25)
        .await
        .unwrap();
    let out: Value = serde_json::from_str(&phone.bridge.checkout(id, None).await.unwrap()).unwrap();
    assert_eq!(out["state"], "checked_out");

    // A check-in is never queued: with no signal the app is told at once.
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    assert!(matches!(
        phone.bridge.start_checkin(end, 15).await,
        Err(FieldlineError::Offline)
    ));
    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();

    let receiver = PushReceiver::start().await;
    let sub = receiver.subscribe().await;
    assert!(!phone.bridge.vapid_public_key().await.unwrap().is_empty());
    let sub_id = phone
        .bridge
        .register_push(
            sub["endpoint"].as_str().unwrap().to_owned(),
            sub["keys"]["p256dh"].as_str().unwrap().to_owned(),
            sub["keys"]["auth"].as_str().unwrap().to_owned(),
        )
        .await
        .unwrap();
    phone.bridge.unregister_push(sub_id).await.unwrap();
}

/// A coordinator's phone reads their coming shifts and hands a calendar feed URL to the
/// calendar app; the URL works until it is revoked.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_coordinator_reads_their_shifts_and_a_calendar_feed_through_the_bridge(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(COORDINATOR).await;

    let shifts: Value =
        serde_json::from_str(&phone.bridge.my_shifts(Some(7)).await.unwrap()).unwrap();
    let shifts = shifts["shifts"].as_array().unwrap();
    assert!(
        !shifts.is_empty(),
        "the demo coordinator is on call this week"
    );
    let status: Value =
        serde_json::from_str(&phone.bridge.calendar_feed_status().await.unwrap()).unwrap();
    assert_eq!(status["active"], false);

    let url = phone.bridge.create_calendar_feed().await.unwrap();
    assert!(
        url.starts_with(&server.base_url) && url.ends_with(".ics"),
        "{url}"
    );
    let feed = raw().get(&url).send().await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = feed.text().await.unwrap();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR") && ics.contains("BEGIN:VEVENT"),
        "{ics}"
    );
    let status: Value =
        serde_json::from_str(&phone.bridge.calendar_feed_status().await.unwrap()).unwrap();
    assert_eq!(status["active"], true);

    phone.bridge.revoke_calendar_feed().await.unwrap();
    assert_eq!(raw().get(&url).send().await.unwrap().status(), 404);
    assert!(matches!(
        phone.bridge.my_shifts(Some(0)).await,
        Err(FieldlineError::Validation { .. })
    ));
}
