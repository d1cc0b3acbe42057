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
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
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
            db: db.clone(),
            config: config.clone(),
        };
        let handle = tokio::spawn(launch_with_listener(listener, state, async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            base_url: format!("http://{addr}"),
            db,
            config,
            data_dir,
            shutdown: Some(tx),
            handle: Some(handle),
        }
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
    }
}

/// A plain HTTP client for requests the bridge would never send (attacks, broken bodies).
pub fn raw() -> reqwest::Client {
    reqwest::Client::new()
}

/// The repository root (for `scripts/pg`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}
