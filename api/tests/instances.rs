//! The real `fieldline` binary, killed mid-flight: an instance is `kill -9`ed while pushes are
//! in flight and escalations are about to fall due; two fresh instances then finish the work.
//! Nothing due is lost, every escalation happens once, and a push reaches the receiver twice
//! only if it was in flight at the kill (at-least-once, with the same `Topic` so a real push
//! service replaces the duplicate).

use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A client for the test's own requests: reqwest brings no crypto provider (the workspace's
/// `Cargo.toml`), so ring is installed first, as the server does.
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The URL of the test's own database: the admin URL with its database name replaced.
fn url_of(db: &PgPool) -> String {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL (scripts/test sets it)");
    let base = admin.rsplit_once('/').expect("a postgres URL").0;
    format!(
        "{base}/{}",
        db.connect_options()
            .get_database()
            .expect("a database name")
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the process on drop, so a failing test leaves nothing running.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Instance {
    proc: Proc,
    base: String,
}

/// `fieldline serve` on a free port with short leases and polls. Instances share `data_dir`,
/// hence their keys (VAPID, tokens), as replicas of one deployment do.
async fn serve(db_url: &str, data_dir: &std::path::Path) -> Instance {
    serve_with(db_url, data_dir, &[]).await
}

async fn serve_with(db_url: &str, data_dir: &std::path::Path, vars: &[(&str, &str)]) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_fieldline"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", db_url)
        .env("FIELDLINE_BIND", format!("127.0.0.1:{port}"))
        .env("FIELDLINE_DATA_DIR", data_dir)
        .env("FIELDLINE_PUSH_TIMEOUT_SECS", "2")
        .env("FIELDLINE_PUSH_LEASE_SECS", "3")
        .env("FIELDLINE_PUSH_RETRY_BASE_MS", "100")
        .env("FIELDLINE_WORKER_POLL_MS", "100")
        .env("RUST_LOG", "warn")
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting fieldline");
    let instance = Instance {
        proc: Proc(child),
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = http();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{}/readyz", instance.base)).send().await
            && r.status().is_success()
        {
            return instance;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fieldline did not become ready");
}

struct Receiver {
    _proc: Proc,
    origin: String,
}

/// The independent push receiver (tests/push-receiver).
async fn receiver() -> Receiver {
    let python = std::env::var("FIELDLINE_PUSH_RECEIVER_PYTHON")
        .expect("FIELDLINE_PUSH_RECEIVER_PYTHON: run the suite with scripts/test");
    let ready = std::env::temp_dir().join(format!("push-receiver-{}.json", Uuid::new_v4()));
    let child = Command::new(python)
        .arg(repo_root().join("tests/push-receiver/push_receiver.py"))
        .args(["--port", "0", "--ready-file"])
        .arg(&ready)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the push receiver");
    let proc = Proc(child);
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(&ready)
            && let Ok(v) = serde_json::from_str::<Value>(&text)
        {
            return Receiver {
                _proc: proc,
                origin: v["origin"].as_str().unwrap().to_owned(),
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the push receiver did not start");
}

async fn post(url: String, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = http().post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

async fn login(i: &Instance, email: &str) -> String {
    let (s, v) = post(
        format!("{}/v1/auth/login", i.base),
        None,
        json!({"email": email, "password": fieldline_api::demo::PASSWORD}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v["access_token"].as_str().unwrap().to_owned()
}

/// A device at the receiver for the signed-in user; the receiver's id for it.
async fn phone(i: &Instance, r: &Receiver, token: &str) -> String {
    let sub = post(format!("{}/subscriptions", r.origin), None, json!({}))
        .await
        .1;
    let (s, v) = post(
        format!("{}/v1/push/subscriptions", i.base),
        Some(token),
        json!({"endpoint": sub["endpoint"], "keys": sub["keys"]}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    sub["id"].as_str().unwrap().to_owned()
}

/// Accepted pushes per alert id at one device, with their topics.
async fn arrived(r: &Receiver, sub: &str) -> BTreeMap<String, Vec<String>> {
    let all: Vec<Value> = http()
        .get(format!("{}/messages?subscription={sub}", r.origin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in all.iter().filter(|m| m["status"] == 201) {
        let payload: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
        out.entry(payload["alert_id"].as_str().unwrap().to_owned())
            .or_default()
            .push(m["topic"].as_str().unwrap().to_owned());
    }
    out
}

/// Polls `check` until it holds, for at most `secs`.
async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < until, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(db: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn killing_an_instance_mid_flight_loses_nothing_and_escalates_once(db: PgPool) {
    fieldline_api::demo::seed(&db).await.unwrap();
    let url = url_of(&db);
    let data_dir = std::env::temp_dir().join(format!("fieldline-kill-{}", Uuid::new_v4()));
    let r = receiver().await;
    let mut a = serve(&url, &data_dir).await;

    // Level 1 of the demo's safety policy is the coordinator on call, level 2 the backup.
    let coordinator = login(&a, "coordinator@demo.fieldline.test").await;
    let backup = login(&a, "coordinator2@demo.fieldline.test").await;
    let advocate = login(&a, "advocate@demo.fieldline.test").await;
    let first = phone(&a, &r, &coordinator).await;
    let second = phone(&a, &r, &backup).await;

    // The coordinator's push service takes 2.5 s over each of the next five pushes (the
    // instance gives up after 2 s): those are in flight when the instance dies.
    let (s, _) = post(
        format!("{}/subscriptions/{first}/fault", r.origin),
        None,
        json!({"delay_ms": 2500, "times": 5}),
    )
    .await;
    assert_eq!(s, 200);
    let mut alerts = BTreeSet::new();
    for _ in 0..10 {
        let id = Uuid::new_v4();
        let (s, v) = post(
            format!("{}/v1/alerts", a.base),
            Some(&advocate),
            json!({"id": id, "kind": "advocate_safety"}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        alerts.insert(id.to_string());
    }
    // Five sends held at the push service, the other five through.
    eventually(10, "five pushes in flight", || async {
        count(
            &db,
            "SELECT count(*) FROM push_deliveries WHERE state = 'claimed'",
        )
        .await
            == 5
            && count(
                &db,
                "SELECT count(*) FROM push_deliveries WHERE state = 'sent'",
            )
            .await
                == 5
    })
    .await;
    // kill -9 (SIGKILL): no shutdown, no results recorded, leases left behind.
    a.proc.0.kill().unwrap();
    a.proc.0.wait().unwrap();
    let in_flight: BTreeSet<String> =
        sqlx::query_scalar("SELECT alert_id::text FROM push_deliveries WHERE state = 'claimed'")
            .fetch_all(&db)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(in_flight.len(), 5);
    // Nobody acknowledged: every alert's level-2 escalation falls due while no instance runs.
    sqlx::query("UPDATE alerts SET next_escalation_at = now() WHERE state = 'triggered'")
        .execute(&db)
        .await
        .unwrap();

    // Two fresh instances take over.
    let _b = serve(&url, &data_dir).await;
    let _c = serve(&url, &data_dir).await;
    eventually(20, "every alert escalated and every push sent", || async {
        count(&db, "SELECT count(*) FROM alerts WHERE level = 1").await == 10
            && count(
                &db,
                "SELECT count(*) FROM push_deliveries WHERE state <> 'sent'",
            )
            .await
                == 0
            && count(&db, "SELECT count(*) FROM push_deliveries").await == 20
    })
    .await;
    // The dead instance's sends were held 2.5 s at the push service (they land before the
    // lease of 3 s runs out); give the survivors a few more rounds to send anything twice.
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let escalations: Vec<i64> = sqlx::query_scalar(
        "SELECT count(e.id) FROM alerts a LEFT JOIN alert_events e ON e.alert_id = a.id AND e.kind = 'escalated' GROUP BY a.id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(escalations, vec![1; 10], "each escalation exactly once");

    // Level 2: every alert reached the backup exactly once.
    let level2 = arrived(&r, &second).await;
    assert_eq!(level2.keys().cloned().collect::<BTreeSet<_>>(), alerts);
    assert!(level2.values().all(|t| t.len() == 1), "{level2:?}");

    // Level 1: every alert reached the coordinator; only the pushes in flight at the kill may
    // have arrived twice (the dead instance's send, then the retry after its lease ran out),
    // and then with one topic.
    let level1 = arrived(&r, &first).await;
    eprintln!(
        "in flight at the kill: {}; arrived twice: {}",
        in_flight.len(),
        level1.values().filter(|t| t.len() == 2).count()
    );
    assert_eq!(level1.keys().cloned().collect::<BTreeSet<_>>(), alerts);
    for (alert, topics) in &level1 {
        if in_flight.contains(alert) {
            assert!(
                topics.len() <= 2 && topics.iter().all(|t| t == &topics[0]),
                "{alert}: {topics:?}"
            );
        } else {
            assert_eq!(topics.len(), 1, "{alert} was not in flight: {topics:?}");
        }
    }
    // The in-flight ones were taken over after their lease, on a second attempt.
    let retaken = count(
        &db,
        "SELECT count(*) FROM push_deliveries WHERE attempt = 2 AND state = 'sent'",
    )
    .await;
    assert_eq!(retaken, 5);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// The background workers' `LISTEN` connections are their own, so even a pool of one
/// connection serves requests while both workers run, and an alert still reaches the phone.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_pool_of_one_connection_serves_requests_beside_the_workers(db: PgPool) {
    fieldline_api::demo::seed(&db).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("fieldline-pool1-{}", Uuid::new_v4()));
    let r = receiver().await;
    let a = serve_with(
        &url_of(&db),
        &data_dir,
        &[("FIELDLINE_DB_MAX_CONNECTIONS", "1")],
    )
    .await;
    let coordinator = login(&a, "coordinator@demo.fieldline.test").await;
    let advocate = login(&a, "advocate@demo.fieldline.test").await;
    let device = phone(&a, &r, &coordinator).await;
    let id = Uuid::new_v4();
    let (s, v) = post(
        format!("{}/v1/alerts", a.base),
        Some(&advocate),
        json!({"id": id, "kind": "advocate_safety"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    eventually(
        10,
        "the alert's push at the coordinator's phone",
        || async { arrived(&r, &device).await.contains_key(&id.to_string()) },
    )
    .await;
    let _ = std::fs::remove_dir_all(&data_dir);
}
