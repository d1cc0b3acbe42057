//! A phone for the tests: the real `Bridge` (the object the apps hold, with its on-device
//! database and its own runtime), the host app's secure storage and alert observer as the
//! callbacks an app would implement, and network faults made with real sockets: a port nobody
//! listens on, and a proxy that loses responses after the server has acted.

use fieldline_bridge::{AlertObserver, Bridge, BridgeOptions, TokenStore};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The host app's secure storage (Keychain / Keystore): what the bridge hands it.
#[derive(Default)]
pub struct SecureStorage {
    pub refresh_token: Mutex<Option<String>>,
    pub changes: Mutex<usize>,
}

impl TokenStore for SecureStorage {
    fn refresh_token_changed(&self, refresh_token: Option<String>) {
        *self.refresh_token.lock().unwrap() = refresh_token;
        *self.changes.lock().unwrap() += 1;
    }
}

/// Collects `alert_delivered` callbacks.
pub struct Observer(pub mpsc::UnboundedSender<String>);

impl AlertObserver for Observer {
    fn alert_delivered(&self, alert_id: String) {
        let _ = self.0.send(alert_id);
    }
}

pub struct Phone {
    pub bridge: Arc<Bridge>,
    pub storage: Arc<SecureStorage>,
    pub db_path: PathBuf,
    pub key: Vec<u8>,
    pub delivered: mpsc::UnboundedReceiver<String>,
    options: BridgeOptions,
}

/// Short retry delays so a test with many faults runs quickly (the apps' defaults are longer).
pub fn fast_options() -> BridgeOptions {
    BridgeOptions {
        client: fieldline_bridge::ClientOptions {
            connect_timeout: std::time::Duration::from_secs(5),
            request_timeout: std::time::Duration::from_secs(10),
            attempts: 3,
            backoff: std::time::Duration::from_millis(10),
            auto_refresh: true,
        },
        alert_retry_backoff: std::time::Duration::from_millis(50),
    }
}

impl Phone {
    /// The id of the next alert the bridge reports delivered (its `alert_delivered`
    /// callback); panics after a minute without one.
    pub async fn landed(&mut self) -> String {
        tokio::time::timeout(std::time::Duration::from_secs(60), self.delivered.recv())
            .await
            .expect("the alert was never reported delivered")
            .expect("observer channel")
    }

    /// A freshly installed app: a new database, a new key from the "keystore".
    pub fn install(server_url: &str) -> Phone {
        Phone::install_with(server_url, BridgeOptions::default())
    }

    /// A freshly installed app with other timeouts and retry delays than the apps have.
    pub fn install_with(server_url: &str, options: BridgeOptions) -> Phone {
        let db_path =
            std::env::temp_dir().join(format!("fieldline-phone-{}.db", uuid::Uuid::new_v4()));
        let key: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
        Phone::open(
            server_url,
            db_path,
            key,
            Arc::new(SecureStorage::default()),
            options,
        )
    }

    fn open(
        server_url: &str,
        db_path: PathBuf,
        key: Vec<u8>,
        storage: Arc<SecureStorage>,
        options: BridgeOptions,
    ) -> Phone {
        let bridge = Bridge::with_options(
            server_url.to_owned(),
            db_path.display().to_string(),
            key.clone(),
            storage.clone(),
            options,
        )
        .expect("bridge");
        let (tx, rx) = mpsc::unbounded_channel();
        bridge.set_alert_observer(Arc::new(Observer(tx)));
        Phone {
            bridge,
            storage,
            db_path,
            key,
            delivered: rx,
            options,
        }
    }

    /// The app is killed and started again: same database, key and secure storage; the
    /// session resumes from the kept refresh token.
    pub async fn restart(mut self, server_url: &str) -> Phone {
        // The files stay: only this handle goes.
        let db_path = std::mem::take(&mut self.db_path);
        let (storage, key, options) = (self.storage.clone(), self.key.clone(), self.options);
        drop(self);
        let phone = Phone::open(server_url, db_path, key, storage, options);
        let token = phone
            .storage
            .refresh_token
            .lock()
            .unwrap()
            .clone()
            .expect("a kept refresh token");
        phone.bridge.resume(token).await.expect("resume");
        phone
    }

    pub async fn login(&self, email: &str) {
        self.bridge
            .login(email.to_owned(), crate::DEMO_PASSWORD.to_owned())
            .await
            .unwrap_or_else(|e| panic!("login {email}: {e:?}"));
    }

    /// Syncs until `done` holds. A sync page holds back changes of transactions that were
    /// still running cluster-wide when it was read (so none is ever skipped), so a change
    /// may take a round or two to reach another phone.
    pub async fn sync_until(&self, done: impl Fn(&Bridge) -> bool) {
        for _ in 0..200 {
            self.bridge.sync().await.expect("sync");
            if done(&self.bridge) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("sync never caught up");
    }

    /// Waits until the background delivery has tried the first queued change (it stops at
    /// the first one that finds no connection).
    pub async fn wait_attempted(&self) {
        for _ in 0..400 {
            let items = self.bridge.outbox().expect("outbox");
            if items.first().is_none_or(|i| i.attempts >= 1) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the outbox was never attempted");
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        if self.db_path.as_os_str().is_empty() {
            return;
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{}", self.db_path.display(), suffix));
        }
    }
}

/// An origin nobody listens on: what a phone with no signal sees (connection refused).
pub async fn unreachable_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    format!("http://{addr}")
}

/// A TCP proxy in front of the server. While `lose_responses` is set, requests reach the
/// server (which acts on them) but the answers are thrown away and the connection cut: the
/// phone never learns that its write succeeded.
pub struct LossyProxy {
    pub url: String,
    lose: Arc<AtomicBool>,
}

impl LossyProxy {
    pub async fn start(upstream: std::net::SocketAddr) -> LossyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let lose = Arc::new(AtomicBool::new(false));
        let flag = lose.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    pipe(client, server, flag).await;
                });
            }
        });
        LossyProxy { url, lose }
    }

    pub fn lose_responses(&self, on: bool) {
        self.lose.store(on, Ordering::SeqCst);
    }
}

async fn pipe(client: TcpStream, server: TcpStream, lose: Arc<AtomicBool>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if lose.load(Ordering::SeqCst) {
                    // The server answered; the phone gets a cut connection instead.
                    break;
                }
                if cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    up.abort();
}
