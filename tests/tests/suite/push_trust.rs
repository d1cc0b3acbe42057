//! Web Push against hostile endpoints and bad rows (issue 16, findings 7 and 4):
//! - endpoints naming internal addresses are refused when registered, and again when sent to,
//!   including names that resolve to internal addresses (through an injected resolver, so no
//!   DNS query and no packet ever leaves loopback); redirects are not followed;
//! - devices per person are capped, test pushes are rate-limited, and an endpoint registered
//!   in another agency is not moved;
//! - a poisoned delivery (one that cannot be claimed, or whose result cannot be recorded) is
//!   retried with backoff and parked with a reason, while other agencies' pushes go out in the
//!   same round.

use fieldline_api::push::egress::{Guard, Released};
use fieldline_api::push::worker::Worker;
use fieldline_tests::*;
use fieldline_wire::problem::types;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const P256DH: &str =
    "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
const AUTH: &str = "tBHItJI5svbpez7KI4CCXg";

/// A resolver from a fixed table: test host names to whatever addresses the test says, with
/// every name asked for recorded. Nothing is looked up anywhere.
#[derive(Clone, Default)]
struct Table {
    names: HashMap<String, Vec<IpAddr>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Table {
    fn new(entries: &[(&str, &[&str])]) -> Table {
        Table {
            names: entries
                .iter()
                .map(|(n, ips)| {
                    (
                        (*n).to_owned(),
                        ips.iter().map(|ip| ip.parse().unwrap()).collect(),
                    )
                })
                .collect(),
            asked: Arc::default(),
        }
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Resolve for Table {
    fn resolve(&self, name: Name) -> Resolving {
        self.asked.lock().unwrap().push(name.as_str().to_owned());
        let found = self.names.get(name.as_str()).cloned();
        Box::pin(async move {
            let ips = found.ok_or("unknown test host")?;
            Ok(Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs)
        })
    }
}

/// A loopback TCP listener that only counts the connections made to it.
struct Tripwire {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Tripwire {
    async fn start() -> Tripwire {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Tripwire { port, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn register(server: &TestServer, token: &str, endpoint: &str) -> (u16, Value) {
    server
        .post(
            token,
            "/v1/push/subscriptions",
            json!({"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}}),
        )
        .await
}

async fn deliveries(server: &TestServer) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT s.endpoint, d.state, d.failure_reason FROM push_deliveries d
           JOIN push_subscriptions s ON s.id = d.subscription_id ORDER BY s.endpoint",
    )
    .fetch_all(&server.db)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn internal_endpoints_are_refused_when_registered(db: PgPool) {
    let server =
        TestServer::start_with(db, &[("FIELDLINE_PUSH_ALLOW_HTTP_LOOPBACK", "false")]).await;
    let t = server.token(COORDINATOR).await;
    // The three, and their disguises.
    for endpoint in [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/",
        "https://127.0.0.1:54329/",
        "https://2130706433/",
        "https://[::1]/",
        "https://[::ffff:169.254.169.254]/",
        "https://[fd00::1]/x",
        "https://100.64.0.1/x",
        "https://localhost/x",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://metadata/x",
        "http://push.example/x",
        "https://user:pw@push.example/x",
    ] {
        let (s, v) = register(&server, &t, endpoint).await;
        assert_field_error!(s, v, "/endpoint", "{endpoint}");
        assert!(
            !v.to_string().contains(endpoint),
            "the answer echoes the URL: {v}"
        );
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM push_subscriptions")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let (s, _) = register(&server, &t, "https://push.example/ok").await;
    assert_eq!(s, 201);
}

/// The guard alone: names that resolve to an internal address are refused before any address
/// reaches a connector, a mixed answer included.
#[tokio::test]
async fn the_resolver_guard_refuses_internal_answers() {
    let table = Table::new(&[
        ("metadata.push.test", &["169.254.169.254"]),
        ("private.push.test", &["10.0.0.1"]),
        ("private16.push.test", &["192.168.1.20"]),
        ("cgnat.push.test", &["100.64.0.1"]),
        ("linklocal6.push.test", &["fe80::1"]),
        ("ula.push.test", &["fd12:3456::1"]),
        ("mapped.push.test", &["::ffff:10.0.0.1"]),
        ("multicast.push.test", &["224.0.0.1"]),
        ("unspecified.push.test", &["0.0.0.0"]),
        ("mixed.push.test", &["127.0.0.1", "10.0.0.1"]),
        ("loopback.push.test", &["127.0.0.1"]),
    ]);
    let released = Released::recording();
    let guard = Guard::new(Arc::new(table.clone()), true, released.clone());
    for name in [
        "metadata.push.test",
        "private.push.test",
        "private16.push.test",
        "cgnat.push.test",
        "linklocal6.push.test",
        "ula.push.test",
        "mapped.push.test",
        "multicast.push.test",
        "unspecified.push.test",
        "mixed.push.test",
    ] {
        let answer = guard.resolve(name.parse().unwrap()).await;
        let err = answer
            .err()
            .unwrap_or_else(|| panic!("{name} was let through"));
        assert!(
            fieldline_api::push::egress::is_forbidden(&*err).is_some(),
            "{name}: {err}"
        );
    }
    assert!(
        released.addresses().is_empty(),
        "{:?}",
        released.addresses()
    );
    // Loopback passes only because the test receiver is allowed; without it, it is refused.
    let ok: Vec<SocketAddr> = guard
        .resolve("loopback.push.test".parse().unwrap())
        .await
        .unwrap()
        .collect();
    assert_eq!(ok, vec!["127.0.0.1:0".parse().unwrap()]);
    let strict = Guard::new(Arc::new(table), false, Released::default());
    assert!(
        strict
            .resolve("loopback.push.test".parse().unwrap())
            .await
            .is_err()
    );
}

/// The worker end to end, production rules (no loopback): an endpoint whose name resolves to
/// loopback is refused before connecting; a tripwire listening there sees nothing.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_sender_checks_the_resolved_address_before_connecting(db: PgPool) {
    let server =
        TestServer::start_with(db, &[("FIELDLINE_PUSH_ALLOW_HTTP_LOOPBACK", "false")]).await;
    let t = server.token(COORDINATOR).await;
    let tripwire = Tripwire::start().await;
    let endpoint = format!("https://inside.push.test:{}/push/x", tripwire.port);
    let (s, v) = register(&server, &t, &endpoint).await;
    assert_eq!(s, 201, "{v}");
    // And one registered before these rules, with the loopback address written out.
    let literal = format!("https://127.0.0.1:{}/push/y", tripwire.port);
    sqlx::query(
        "INSERT INTO push_subscriptions (id, user_id, agency_id, endpoint, p256dh, auth)
         SELECT gen_random_uuid(), user_id, agency_id, $1, p256dh, auth FROM push_subscriptions",
    )
    .bind(&literal)
    .execute(&server.db)
    .await
    .unwrap();
    let table = Table::new(&[("inside.push.test", &["127.0.0.1"])]);
    let worker = Worker::with_resolver(
        server.db.clone(),
        server.config.clone(),
        Arc::new(table.clone()),
    )
    .unwrap();
    let (s, _) = server.post_empty(&t, "/v1/push/test").await;
    assert_eq!(s, 202);
    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(table.asked(), vec!["inside.push.test"]);
    assert_eq!(tripwire.hits(), 0, "a connection was made");
    assert!(worker.released().is_empty(), "{:?}", worker.released());
    let blocked = || {
        (
            "failed".to_owned(),
            Some("blocked: the endpoint is not a public address".to_owned()),
        )
    };
    assert_eq!(
        deliveries(&server).await,
        vec![
            (literal, blocked().0, blocked().1),
            (endpoint, blocked().0, blocked().1)
        ]
    );
    let outcomes: Vec<String> = sqlx::query_scalar("SELECT outcome FROM push_attempts")
        .fetch_all(&server.db)
        .await
        .unwrap();
    assert_eq!(outcomes, ["blocked", "blocked"]);
}

/// Names mapped to the metadata service, private, shared and link-local addresses, and rows
/// registered before the rules with internal addresses written out: all refused at send time,
/// with no address handed to the connector. (The guard refuses before any connection, so no
/// packet is sent; the resolver is a table, so no DNS query either.)
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn internal_addresses_are_never_connected_to(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let coordinator = server.user_id(COORDINATOR).await;
    let agency: Uuid = sqlx::query_scalar("SELECT agency_id FROM users WHERE id = $1")
        .bind(coordinator)
        .fetch_one(&server.db)
        .await
        .unwrap();
    let mut endpoints = Vec::new();
    for name in ["metadata", "private", "cgnat", "linklocal6", "ula"] {
        let e = format!("https://{name}.push.test/push/x");
        let (s, v) = register(&server, &t, &e).await;
        assert_eq!(s, 201, "{v}");
        endpoints.push(e);
    }
    // Registered before these rules (written straight into the table).
    for e in [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/",
    ] {
        sqlx::query(
            "INSERT INTO push_subscriptions (id, user_id, agency_id, endpoint, p256dh, auth)
             SELECT gen_random_uuid(), $1, $2, $3, p256dh, auth FROM push_subscriptions LIMIT 1",
        )
        .bind(coordinator)
        .bind(agency)
        .bind(e)
        .execute(&server.db)
        .await
        .unwrap();
    }
    // And one good device, on the test receiver.
    let sub = receiver.register(&server, &t).await;
    let table = Table::new(&[
        ("metadata.push.test", &["169.254.169.254"]),
        ("private.push.test", &["10.0.0.1"]),
        ("cgnat.push.test", &["100.64.0.1"]),
        ("linklocal6.push.test", &["fe80::1"]),
        ("ula.push.test", &["fd00::1"]),
    ]);
    let worker = Worker::with_resolver(
        server.db.clone(),
        server.config.clone(),
        Arc::new(table.clone()),
    )
    .unwrap();
    let (s, v) = server.post_empty(&t, "/v1/push/test").await;
    assert_eq!((s, v["deliveries"].as_i64()), (202, Some(8)));
    assert_eq!(worker.run_once().await.unwrap(), 8);
    // Only the receiver's loopback address was ever handed to the connector.
    let receiver_port: u16 = receiver.origin.rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(
        worker.released(),
        vec![SocketAddr::from(([127, 0, 0, 1], receiver_port))]
    );
    let mut asked = table.asked();
    asked.sort();
    assert_eq!(
        asked,
        [
            "cgnat.push.test",
            "linklocal6.push.test",
            "metadata.push.test",
            "private.push.test",
            "ula.push.test"
        ]
    );
    let rows = deliveries(&server).await;
    for (endpoint, state, reason) in &rows {
        if endpoint == sub["endpoint"].as_str().unwrap() {
            assert_eq!(state, "sent");
        } else {
            assert_eq!(
                (state.as_str(), reason.as_deref()),
                (
                    "failed",
                    Some("blocked: the endpoint is not a public address")
                ),
                "{endpoint}"
            );
        }
    }
    assert_eq!(rows.len(), 8);
    assert_eq!(
        receiver.messages(sub["id"].as_str().unwrap()).await.len(),
        1
    );
}

/// A tiny loopback HTTP server that answers every request with a redirect to `to`.
async fn redirector(to: String) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let to = to.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = socket.read(&mut buf).await;
                let res = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = socket.write_all(res.as_bytes()).await;
            });
        }
    });
    port
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn redirects_are_not_followed(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(COORDINATOR).await;
    let tripwire = Tripwire::start().await;
    let port = redirector(format!("http://127.0.0.1:{}/elsewhere", tripwire.port)).await;
    let endpoint = format!("http://127.0.0.1:{port}/push/x");
    assert_eq!(register(&server, &t, &endpoint).await.0, 201);
    let (s, _) = server.post_empty(&t, "/v1/push/test").await;
    assert_eq!(s, 202);
    server.push_worker().run_once().await.unwrap();
    assert_eq!(tripwire.hits(), 0, "the redirect was followed");
    assert_eq!(
        deliveries(&server).await,
        vec![(
            endpoint,
            "failed".to_owned(),
            Some("rejected: redirect (HTTP 307) not followed".to_owned())
        )]
    );
    let (status, outcome): (Option<i32>, String) =
        sqlx::query_as("SELECT status, outcome FROM push_attempts")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!((status, outcome.as_str()), (Some(307), "redirect"));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn devices_per_person_are_capped(db: PgPool) {
    let server = TestServer::start_with(db, &[("FIELDLINE_PUSH_MAX_DEVICES", "3")]).await;
    let t = server.token(COORDINATOR).await;
    for i in 0..3 {
        let (s, v) = register(&server, &t, &format!("https://push.example/d{i}")).await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = register(&server, &t, "https://push.example/d3").await;
    assert_problem!(s, v, 409, types::CONFLICT);
    // Registering one of the three again (new keys after a browser update) still works.
    assert_eq!(
        register(&server, &t, "https://push.example/d1").await.0,
        201
    );
    // Removing one makes room.
    let (_, list) = server.get(&t, "/v1/push/subscriptions").await;
    let id = list["subscriptions"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = server
        .delete(&t, &format!("/v1/push/subscriptions/{id}"))
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        register(&server, &t, "https://push.example/d3").await.0,
        201
    );
    // Many at once cannot exceed the cap either.
    let other = server.token(ADVOCATE).await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (url, other) = (server.url("/v1/push/subscriptions"), other.clone());
        set.spawn(async move {
            raw()
                .post(url)
                .bearer_auth(other)
                .json(&json!({"endpoint": format!("https://push.example/a{i}"), "keys": {"p256dh": P256DH, "auth": AUTH}}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = set.join_next().await {
        statuses.push(s.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [201, 201, 201, 409, 409, 409, 409, 409]);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_endpoint_of_another_agency_is_not_moved(db: PgPool) {
    let server = TestServer::start(db).await;
    let theirs = server.token(OTHER_ADVOCATE).await;
    let ours = server.token(ADVOCATE).await;
    let endpoint = "https://push.example/shared-device";
    let (s, registered) = register(&server, &theirs, endpoint).await;
    assert_eq!(s, 201);
    let (s, v) = register(&server, &ours, endpoint).await;
    assert_problem!(s, v, 409, types::CONFLICT);
    let owner: Uuid =
        sqlx::query_scalar("SELECT user_id FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(owner, server.user_id(OTHER_ADVOCATE).await, "it moved");
    // Their device still gets their pushes; ours lists nothing.
    let (_, list) = server.get(&ours, "/v1/push/subscriptions").await;
    assert!(list["subscriptions"].as_array().unwrap().is_empty());
    let (_, list) = server.get(&theirs, "/v1/push/subscriptions").await;
    assert_eq!(list["subscriptions"][0]["id"], registered["id"]);

    // Within one agency (a shared phone at a shift change) it moves, visibly: the audit log
    // says from whom, and what was queued for the previous owner is cancelled.
    let coordinator = server.token(COORDINATOR).await;
    let phone = "https://push.example/shift-phone";
    assert_eq!(register(&server, &coordinator, phone).await.0, 201);
    let (s, _) = server.post_empty(&coordinator, "/v1/push/test").await;
    assert_eq!(s, 202);
    let (s, moved) = register(&server, &ours, phone).await;
    assert_eq!(s, 201);
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT d.state FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id
          WHERE s.endpoint = $1",
    )
    .bind(phone)
    .fetch_all(&server.db)
    .await
    .unwrap();
    assert_eq!(states, ["cancelled"]);
    let details: Value = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'push.subscription_moved' AND record_id = $1",
    )
    .bind(moved["id"].as_str().unwrap())
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(
        details["moved_from_user"],
        server.user_id(COORDINATOR).await.to_string()
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn test_pushes_are_rate_limited_per_person(db: PgPool) {
    let server = TestServer::start_with(db, &[("FIELDLINE_PUSH_TEST_LIMIT", "2")]).await;
    let t = server.token(COORDINATOR).await;
    for _ in 0..2 {
        assert_eq!(server.post_empty(&t, "/v1/push/test").await.0, 202);
    }
    let res = raw()
        .post(server.url("/v1/push/test"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["type"], types::TOO_MANY_REQUESTS);
    // Someone else is not affected; a new window allows more.
    let other = server.token(ADVOCATE).await;
    assert_eq!(server.post_empty(&other, "/v1/push/test").await.0, 202);
    sqlx::query("UPDATE push_test_sends SET window_started_at = now() - interval '1 hour'")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(server.post_empty(&t, "/v1/push/test").await.0, 202);
}

/// Makes every waiting delivery due now (the worker uses the database's clock).
async fn retries_fall_due(server: &TestServer) {
    sqlx::query("UPDATE push_deliveries SET next_attempt_at = now() WHERE state = 'retry_wait'")
        .execute(&server.db)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_poisoned_delivery_does_not_hold_up_other_agencies(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start_with(db, &[("FIELDLINE_PUSH_MAX_ATTEMPTS", "3")]).await;
    let ours = server.token(COORDINATOR).await;
    let theirs = server.token(OTHER_ADMIN).await;
    let mut subs = HashMap::new();
    for (who, t) in [("ours", &ours), ("theirs", &theirs)] {
        let sub = receiver.register(&server, t).await;
        subs.insert(who, sub["id"].as_str().unwrap().to_owned());
    }
    // Two poisoned rows of our agency, first in line: one that cannot be claimed (its attempt
    // counter is at the integer limit, so claiming it overflows) and one whose result cannot
    // be recorded (the database refuses its attempt rows).
    assert_eq!(server.post_empty(&ours, "/v1/push/test").await.0, 202);
    assert_eq!(server.post_empty(&ours, "/v1/push/test").await.0, 202);
    let poisoned: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM push_deliveries ORDER BY created_at, id")
            .fetch_all(&server.db)
            .await
            .unwrap();
    let (unclaimable, unrecordable) = (poisoned[0], poisoned[1]);
    sqlx::query("UPDATE push_deliveries SET attempt = 2147483647, next_attempt_at = now() - interval '1 hour' WHERE id = $1")
        .bind(unclaimable)
        .execute(&server.db)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE push_deliveries SET next_attempt_at = now() - interval '1 minute' WHERE id = $1",
    )
    .bind(unrecordable)
    .execute(&server.db)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.delivery_id = '{unrecordable}' THEN RAISE EXCEPTION 'poisoned'; END IF;
             RETURN NEW;
         END $$"
    )))
    .execute(&server.db)
    .await
    .unwrap();
    sqlx::query("CREATE TRIGGER poison BEFORE INSERT ON push_attempts FOR EACH ROW EXECUTE FUNCTION poison()")
        .execute(&server.db)
        .await
        .unwrap();
    // The other agency's push, queued after them.
    assert_eq!(server.post_empty(&theirs, "/v1/push/test").await.0, 202);

    // One round: theirs arrives; the unclaimable row is parked; the unrecordable one waits
    // for a retry.
    let worker = server.push_worker();
    worker.run_once().await.unwrap();
    let arrived = receiver.messages(&subs["theirs"]).await;
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    assert_eq!(arrived[0]["status"], 201);
    let state = |id: Uuid| {
        let db = server.db.clone();
        async move {
            sqlx::query_as::<_, (String, Option<String>, i32)>(
                "SELECT state, failure_reason, attempt FROM push_deliveries WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        state(unclaimable).await,
        (
            "failed".to_owned(),
            Some("could not be claimed".to_owned()),
            i32::MAX
        )
    );
    let (s, reason, attempt) = state(unrecordable).await;
    assert_eq!((s.as_str(), reason, attempt), ("retry_wait", None, 1));

    // Retried with backoff until the last attempt, then parked with the reason.
    for round in 2..=3 {
        retries_fall_due(&server).await;
        worker.run_once().await.unwrap();
        let (s, _, attempt) = state(unrecordable).await;
        assert_eq!(attempt, round);
        if round < 3 {
            assert_eq!(s, "retry_wait");
        }
    }
    assert_eq!(
        state(unrecordable).await,
        (
            "failed".to_owned(),
            Some("recording the result failed 3 times".to_owned()),
            3
        )
    );
    // Nothing is claimed again, and new pushes go out as usual.
    retries_fall_due(&server).await;
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert_eq!(server.post_empty(&theirs, "/v1/push/test").await.0, 202);
    worker.run_once().await.unwrap();
    assert_eq!(receiver.messages(&subs["theirs"]).await.len(), 2);

    // The agency's admin sees what was parked and why; no one else does.
    let admin = server.token(ADMIN).await;
    let (s, v) = server.get(&admin, "/v1/push/parked").await;
    assert_eq!(s, 200, "{v}");
    let mut parked: Vec<(String, String)> = v["parked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    parked.sort();
    let mut expected = vec![
        (unclaimable.to_string(), "could not be claimed".to_owned()),
        (
            unrecordable.to_string(),
            "recording the result failed 3 times".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(parked, expected);
    assert!(
        !v.to_string().contains("/push/"),
        "endpoints are not listed: {v}"
    );
    let (s, v) = server.get(&theirs, "/v1/push/parked").await;
    assert_eq!((s, v["parked"].as_array().map(Vec::len)), (200, Some(0)));
    let (s, _) = server.get(&ours, "/v1/push/parked").await;
    assert_eq!(s, 403);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_lease_that_keeps_running_out_is_parked_after_the_last_attempt(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let server = TestServer::start_with(db, &[("FIELDLINE_PUSH_MAX_ATTEMPTS", "3")]).await;
    let t = server.token(COORDINATOR).await;
    let sub = receiver.register(&server, &t).await;
    assert_eq!(server.post_empty(&t, "/v1/push/test").await.0, 202);
    // Its sender died (or could record nothing) on each attempt; the last lease has run out.
    sqlx::query(
        "UPDATE push_deliveries SET state = 'claimed', attempt = 3, claim_token = gen_random_uuid(),
                lease_until = now() - interval '1 second'",
    )
    .execute(&server.db)
    .await
    .unwrap();
    assert_eq!(server.push_worker().run_once().await.unwrap(), 0);
    let (state, reason): (String, Option<String>) =
        sqlx::query_as("SELECT state, failure_reason FROM push_deliveries")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), reason.as_deref()),
        ("failed", Some("no result recorded after 3 attempts"))
    );
    assert!(
        receiver
            .messages(sub["id"].as_str().unwrap())
            .await
            .is_empty()
    );
}
