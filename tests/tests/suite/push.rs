//! Web Push end to end, against the independent push-receiver test peer (it verifies VAPID
//! and decrypts with libraries Fieldline does not use): registration, headers and payload,
//! 410 removing a subscription, retries of 500 and 429 recorded per attempt, one slow endpoint
//! not delaying another, and the background worker woken by NOTIFY.

use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

const FAST_RETRIES: [(&str, &str); 1] = [("FIELDLINE_PUSH_RETRY_BASE_MS", "20")];

/// Registers a new receiver subscription for the user behind `token`; returns the receiver's
/// subscription id and ours.
async fn register(server: &TestServer, receiver: &PushReceiver, token: &str) -> (String, String) {
    let sub = receiver.subscribe().await;
    let body = json!({"endpoint": sub["endpoint"], "expirationTime": null, "keys": sub["keys"]});
    let res = raw()
        .post(server.url("/v1/push/subscriptions"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let ours: Value = res.json().await.unwrap();
    (
        sub["id"].as_str().unwrap().to_owned(),
        ours["id"].as_str().unwrap().to_owned(),
    )
}

async fn send_test(server: &TestServer, token: &str) -> i64 {
    let res = raw()
        .post(server.url("/v1/push/test"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["deliveries"]
        .as_i64()
        .unwrap()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_push_arrives_signed_encrypted_and_without_personal_data(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start(db).await;
    let coordinator = server.token(COORDINATOR).await;
    let key: Value = raw()
        .get(server.url("/v1/push/vapid-public-key"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(key["public_key"].as_str().unwrap().len(), 87);
    let (sub, _) = register(&server, &receiver, &coordinator).await;

    assert_eq!(send_test(&server, &coordinator).await, 1);
    assert_eq!(server.push_worker().run_once().await.unwrap(), 1);
    let messages = receiver.messages(&sub).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["status"], 201, "the receiver refused it: {m}");
    assert!(m.get("error").is_none_or(Value::is_null), "{m}");
    assert_eq!(m["ttl"], 300);
    assert_eq!(m["urgency"], "normal");
    assert_eq!(m["topic"], "test");
    assert_eq!(
        m["vapid"]["aud"],
        receiver.origin.as_str(),
        "aud must carry the port"
    );
    assert_eq!(m["vapid_k"], key["public_key"]);
    let exp = m["vapid"]["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp();
    assert!((0..=24 * 3600).contains(&exp), "exp {exp}");
    let payload: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["type"], "test");
    let text = payload.to_string();
    assert!(
        !text.contains("coordinator") && !text.contains("Casey"),
        "{text}"
    );

    // Nothing more arrives from further rounds: exactly once.
    assert_eq!(server.push_worker().run_once().await.unwrap(), 0);
    assert_eq!(receiver.messages(&sub).await.len(), 1);
    let (state, attempts): (String, i64) = sqlx::query_as(
        "SELECT state, (SELECT count(*) FROM push_attempts a WHERE a.delivery_id = d.id) FROM push_deliveries d",
    )
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!((state.as_str(), attempts), ("sent", 1));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn gone_subscriptions_are_removed(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let (sub, ours) = register(&server, &receiver, &t).await;
    receiver.expire(&sub).await;
    send_test(&server, &t).await;
    server.push_worker().run_once().await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM push_subscriptions")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "a 410 must remove the subscription");
    let (state, status): (String, i32) =
        sqlx::query_as("SELECT state, last_status FROM push_deliveries")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!((state.as_str(), status), ("failed", 410));
    let list: Value = raw()
        .get(server.url("/v1/push/subscriptions"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["subscriptions"].as_array().unwrap().is_empty());
    assert_eq!(
        server
            .delete(&t, &format!("/v1/push/subscriptions/{ours}"))
            .await
            .0,
        404
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn server_errors_and_rate_limits_are_retried_and_recorded(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start_with(db, &FAST_RETRIES).await;
    let t = server.token(COORDINATOR).await;
    let (sub, _) = register(&server, &receiver, &t).await;
    receiver
        .fault(&sub, json!({"status": 500, "times": 2}))
        .await;
    send_test(&server, &t).await;
    let worker = server.push_worker();
    let mut rounds = 0;
    while receiver
        .messages(&sub)
        .await
        .iter()
        .all(|m| m["status"] != 201)
    {
        rounds += 1;
        assert!(rounds < 200, "never delivered");
        worker.run_once().await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let attempts: Vec<(i32, Option<i32>, String)> =
        sqlx::query_as("SELECT attempt, status, outcome FROM push_attempts ORDER BY attempt")
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert_eq!(
        attempts,
        vec![
            (1, Some(500), "retry".to_owned()),
            (2, Some(500), "retry".to_owned()),
            (3, Some(201), "sent".to_owned())
        ]
    );

    // 429 is retried too.
    receiver
        .fault(&sub, json!({"status": 429, "times": 1}))
        .await;
    send_test(&server, &t).await;
    for _ in 0..200 {
        worker.run_once().await.unwrap();
        if receiver
            .messages(&sub)
            .await
            .iter()
            .filter(|m| m["status"] == 201)
            .count()
            == 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let statuses: Vec<Option<i32>> =
        sqlx::query_scalar("SELECT status FROM push_attempts ORDER BY id")
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert_eq!(statuses[3..], [Some(429), Some(201)]);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_slow_push_service_does_not_delay_another(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let (slow, _) = register(&server, &receiver, &t).await;
    let (fast, _) = register(&server, &receiver, &t).await;
    receiver
        .fault(&slow, json!({"delay_ms": 3000, "times": 1}))
        .await;
    assert_eq!(send_test(&server, &t).await, 2);
    server.push_worker().run_once().await.unwrap();
    let (s, f) = (
        receiver.messages(&slow).await,
        receiver.messages(&fast).await,
    );
    assert_eq!((s.len(), f.len()), (1, 1));
    // Both were sent in the same round; the fast one finished long before the slow one.
    let took: Vec<(String, i32)> = sqlx::query_as(
        "SELECT s.endpoint, a.duration_ms FROM push_attempts a JOIN push_deliveries d ON d.id = a.delivery_id
           JOIN push_subscriptions s ON s.id = d.subscription_id",
    )
    .fetch_all(&server.db)
    .await
    .unwrap();
    let ms = |id: &str| took.iter().find(|(e, _)| e.ends_with(id)).unwrap().1;
    assert!(ms(&slow) >= 3000, "{took:?}");
    assert!(
        ms(&fast) < 1500,
        "the fast endpoint waited for the slow one: {took:?}"
    );
    let sent: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT s.endpoint, d.sent_at FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id",
    )
    .fetch_all(&server.db)
    .await
    .unwrap();
    let at = |id: &str| sent.iter().find(|(e, _)| e.ends_with(id)).unwrap().1;
    assert!(
        at(&fast) + chrono::Duration::seconds(2) < at(&slow),
        "{sent:?}"
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_background_worker_delivers_when_woken(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let mut server = TestServer::start(db).await;
    server.start_push_worker();
    let t = server.token(ADVOCATE).await;
    let (sub, _) = register(&server, &receiver, &t).await;
    send_test(&server, &t).await;
    let mut arrived = false;
    for _ in 0..100 {
        if !receiver.messages(&sub).await.is_empty() {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(arrived, "the running worker did not deliver");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn bad_subscriptions_are_refused(db: PgPool) {
    let server =
        TestServer::start_with(db, &[("FIELDLINE_PUSH_ALLOW_HTTP_LOOPBACK", "false")]).await;
    let t = server.token(COORDINATOR).await;
    let p256dh =
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
    for (body, pointer) in [
        (
            json!({"endpoint": "http://127.0.0.1:9/push/x", "keys": {"p256dh": p256dh, "auth": "tBHItJI5svbpez7KI4CCXg"}}),
            "/endpoint",
        ),
        (
            json!({"endpoint": "ftp://push.example/x", "keys": {"p256dh": p256dh, "auth": "tBHItJI5svbpez7KI4CCXg"}}),
            "/endpoint",
        ),
        (
            json!({"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA", "auth": "tBHItJI5svbpez7KI4CCXg"}}),
            "/keys/p256dh",
        ),
        (
            json!({"endpoint": "https://push.example/x", "keys": {"p256dh": p256dh, "auth": "short"}}),
            "/keys/auth",
        ),
        (
            json!({"endpoint": "https://push.example/x", "keys": {"p256dh": p256dh}}),
            "/keys/auth",
        ),
    ] {
        let (s, v) = server
            .post(&t, "/v1/push/subscriptions", body.clone())
            .await;
        assert_field_error!(s, v, pointer, "{body}");
    }
    let ok = json!({"endpoint": "https://push.example/x", "keys": {"p256dh": p256dh, "auth": "tBHItJI5svbpez7KI4CCXg"}});
    assert_eq!(
        server
            .post(&t, "/v1/push/subscriptions", ok.clone())
            .await
            .0,
        201
    );
    assert_eq!(
        raw()
            .post(server.url("/v1/push/subscriptions"))
            .json(&ok)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}
