//! Test harness for end-to-end tests, after atuin's: the real app on 127.0.0.1:0 against a
//! real PostgreSQL + PostGIS database (one per test, from `#[sqlx::test]`), driven through
//! the real client crate. Nothing here mocks the database.

use fieldline_api::config::Config;
use fieldline_api::{AppState, launch_with_listener};
use fieldline_bridge::Client;
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use fieldline_api::demo::PASSWORD as DEMO_PASSWORD;

pub mod fault_proxy;
pub mod fixtures;
pub mod http;
pub mod phone;
pub mod problem;

pub use fixtures::{RotationKeys, high_risk_screening, open_contact};
pub use http::{call, client_builder, post_anonymous, raw};

pub const ADVOCATE: &str = "advocate@demo.fieldline.test";
pub const COORDINATOR: &str = "coordinator@demo.fieldline.test";
pub const HOUSING: &str = "housing@demo.fieldline.test";
pub const ADMIN: &str = "admin@demo.fieldline.test";
pub const OTHER_ADVOCATE: &str = "advocate@other.fieldline.test";
pub const OTHER_ADMIN: &str = "admin@other.fieldline.test";

/// One login per role in the demo agency, and the other agency's admin.
pub const ROLE_LOGINS: [&str; 4] = [ADVOCATE, COORDINATOR, HOUSING, ADMIN];

pub struct TestServer {
    pub addr: SocketAddr,
    pub base_url: String,
    pub db: PgPool,
    pub config: Arc<Config>,
    pub data_dir: PathBuf,
    /// The state the server was started with (its pools), for the metrics listener.
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    metrics_stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
    worker_stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts the app with the demo agencies seeded and default test settings.
    pub async fn start(db: PgPool) -> TestServer {
        TestServer::start_with(db, &[]).await
    }

    /// Starts the app with extra configuration variables (as the environment would give them).
    pub async fn start_with(db: PgPool, vars: &[(&str, &str)]) -> TestServer {
        fieldline_api::demo::seed(&db)
            .await
            .expect("seeding demo data");
        TestServer::start_unseeded(db, vars).await
    }

    /// Starts the app on a database as it is (possibly without migrations).
    pub async fn start_unseeded(db: PgPool, vars: &[(&str, &str)]) -> TestServer {
        let data_dir =
            std::env::temp_dir().join(format!("fieldline-test-{}", uuid::Uuid::new_v4()));
        let mut env: HashMap<String, String> = HashMap::from([
            // The pool comes from sqlx::test; this URL only has to be well-formed.
            (
                "DATABASE_URL".into(),
                "postgres://unused@127.0.0.1/unused".into(),
            ),
            ("FIELDLINE_DATA_DIR".into(), data_dir.display().to_string()),
            ("FIELDLINE_BIND".into(), "127.0.0.1:0".into()),
        ]);
        for (k, v) in vars {
            env.insert((*k).into(), (*v).into());
        }
        let config =
            Arc::new(Config::from_lookup(|k| env.get(k).cloned()).expect("test configuration"));
        TestServer::launch(db, config, data_dir).await
    }

    async fn launch(db: PgPool, config: Arc<Config>, data_dir: PathBuf) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = oneshot::channel();
        let state = AppState {
            search: fieldline_api::db::SearchPool::new(&db, config.db_search_connections),
            db: db.clone(),
            config: config.clone(),
        };
        let handle = tokio::spawn(launch_with_listener(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            base_url: format!("http://{addr}"),
            db,
            config,
            data_dir,
            state,
            shutdown: Some(tx),
            metrics_stop: None,
            handle: Some(handle),
            worker_stop: None,
        }
    }

    /// Serves `/metrics` for this server on a listener of its own on loopback, as
    /// `FIELDLINE_METRICS_BIND` does, with the process's recorder installed; its base URL. It
    /// stops with the server.
    pub async fn serve_metrics(&mut self) -> String {
        fieldline_api::ops::metrics::install().expect("metrics recorder");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(fieldline_api::ops::metrics::serve(
            listener,
            self.state.clone(),
            async move {
                let _ = rx.await;
            },
        ));
        self.metrics_stop = Some(tx);
        format!("http://{addr}")
    }

    /// The push delivery worker of this server's configuration.
    pub fn push_worker(&self) -> fieldline_api::push::worker::Worker {
        fieldline_api::push::worker::Worker::new(self.db.clone(), self.config.clone())
            .expect("push worker")
    }

    /// One pass of the escalation worker (alert requests, missed check-outs, due escalations,
    /// ack timeouts).
    pub async fn escalate(&self) -> usize {
        fieldline_api::jobs::escalation_round(&self.db, &self.config.data_keys)
            .await
            .expect("escalation round")
    }

    /// Makes every open alert due now, as if its delay had passed (the worker uses the
    /// database's clock, so this is the controllable clock of the tests).
    pub async fn time_passes(&self) {
        sqlx::query("UPDATE alerts SET next_escalation_at = now() - interval '1 second' WHERE next_escalation_at IS NOT NULL")
            .execute(&self.db)
            .await
            .expect("advance alerts");
    }

    /// Runs the push worker in the background, as `fieldline serve` does, until the server
    /// is dropped.
    pub fn start_push_worker(&mut self) {
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(self.push_worker().run(async move {
            let _ = rx.await;
        }));
        self.worker_stop = Some(tx);
    }

    /// A bridge client pointed at this server, not signed in.
    pub fn client(&self) -> Client {
        Client::new(&self.base_url).expect("client")
    }

    /// A bridge client signed in as a demo user.
    pub async fn login(&self, email: &str) -> Client {
        let c = self.client();
        c.login(email, DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("login {email}: {e:?}"));
        c
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops accepting and waits for in-flight requests to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task").expect("server");
        }
    }

    /// An access token for a demo user.
    pub async fn token(&self, email: &str) -> String {
        self.login(email)
            .await
            .session()
            .expect("session")
            .access_token
    }

    /// A new person in the demo agency with one role, added by its admin: their id and an
    /// access token (a colleague outside a sealed record's team, a second raiser, a backup).
    pub async fn add_user(&self, email: &str, role: fieldline_wire::Role) -> (uuid::Uuid, String) {
        let password = "a colleague's long password";
        let user = self
            .login(ADMIN)
            .await
            .create_user(&fieldline_wire::admin::NewUser {
                email: fieldline_wire::Email::parse(email).expect("e-mail"),
                display_name: format!("Colleague {email}"),
                password: fieldline_wire::NewPassword::parse(password.into()).expect("password"),
                roles: vec![role],
                grants: vec![],
            })
            .await
            .expect("adding a user");
        let c = self.client();
        c.login(email, password).await.expect("colleague sign-in");
        (user.id, c.session().expect("session").access_token)
    }

    /// The id of a demo user.
    pub async fn user_id(&self, email: &str) -> uuid::Uuid {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .expect("demo user")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.metrics_stop.take() {
            let _ = tx.send(());
        }
    }
}

/// The one number a query answers (`SELECT count(*) ...`), to assert what is stored.
pub async fn count(db: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

/// The repository root (for `scripts/pg`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The push-receiver test peer (`tests/push-receiver`): an independent Web Push service that
/// verifies VAPID and decrypts with Python libraries Fieldline does not use.
pub struct PushReceiver {
    pub origin: String,
    child: std::process::Child,
}

impl PushReceiver {
    /// Starts one on a free loopback port. Needs `FIELDLINE_PUSH_RECEIVER_PYTHON` (set by
    /// `scripts/test`): a Python with `tests/push-receiver/requirements.txt` installed.
    pub async fn start() -> PushReceiver {
        let python = std::env::var("FIELDLINE_PUSH_RECEIVER_PYTHON")
            .expect("FIELDLINE_PUSH_RECEIVER_PYTHON: run the suite with scripts/test");
        let ready =
            std::env::temp_dir().join(format!("push-receiver-{}.json", uuid::Uuid::new_v4()));
        let mut child = std::process::Command::new(python)
            .arg(repo_root().join("tests/push-receiver/push_receiver.py"))
            .args(["--port", "0", "--ready-file"])
            .arg(&ready)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("starting the push receiver");
        for _ in 0..200 {
            if let Ok(text) = std::fs::read_to_string(&ready)
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            {
                let origin = v["origin"].as_str().expect("origin").to_owned();
                return PushReceiver { origin, child };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the push receiver did not start");
    }

    /// A new subscription: `PushSubscription.toJSON()` plus the receiver's `id`.
    pub async fn subscribe(&self) -> serde_json::Value {
        raw()
            .post(format!("{}/subscriptions", self.origin))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A new subscription on this receiver, registered for the token's user as a browser
    /// registers it (`POST /v1/push/subscriptions` with its endpoint and keys), asserting the
    /// 201: the subscription, with the receiver's `id` for [`messages`](Self::messages).
    pub async fn register(&self, server: &TestServer, token: &str) -> serde_json::Value {
        let sub = self.subscribe().await;
        let (s, v) = server
            .post(
                token,
                "/v1/push/subscriptions",
                serde_json::json!({"endpoint": sub["endpoint"], "keys": sub["keys"]}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        sub
    }

    pub async fn messages(&self, subscription: &str) -> Vec<serde_json::Value> {
        raw()
            .get(format!(
                "{}/messages?subscription={subscription}",
                self.origin
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Faults for the next pushes: `{"status": 500, "times": 2}` or `{"delay_ms": 5000}`.
    pub async fn fault(&self, subscription: &str, fault: serde_json::Value) {
        let res = raw()
            .post(format!(
                "{}/subscriptions/{subscription}/fault",
                self.origin
            ))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// Expires a subscription: later pushes get 410 Gone.
    pub async fn expire(&self, subscription: &str) {
        raw()
            .delete(format!("{}/subscriptions/{subscription}", self.origin))
            .send()
            .await
            .unwrap();
    }
}

impl Drop for PushReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
