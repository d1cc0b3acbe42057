//! JSON over HTTP with a bearer token, for the requests a test makes outside the bridge: the
//! status and the JSON body of each answer, so a test can assert both.

use crate::TestServer;
use serde_json::Value;

/// A plain HTTP client for requests the bridge would never send (attacks, broken bodies).
///
/// One per thread, cloned: building a client reads and parses every system root certificate,
/// which unoptimised took about half the CPU of the request-heavy tests when every request built
/// its own. No idle connection is kept, so each request still opens its own connection (as
/// before) and none outlives the test runtime that opened it (with `--test-threads 1` every
/// test runs on the one main thread, each with a runtime of its own).
pub fn raw() -> reqwest::Client {
    thread_local! {
        static CLIENT: reqwest::Client = client_builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("HTTP client");
    }
    CLIENT.with(reqwest::Client::clone)
}

/// A client builder for a test's own client: reqwest brings no crypto provider (the workspace's
/// `Cargo.toml`), so ring is installed first, as the server and the bridge do.
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// One JSON request with a bearer token: the status and the JSON body (`Null` if none).
pub async fn call(
    server: &TestServer,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = raw()
        .request(method.parse().unwrap(), server.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// `POST url` with a JSON body and no token (signing in, refreshing a session): the status
/// and the JSON body (`Null` if none).
pub async fn post_anonymous(url: &str, body: Value) -> (u16, Value) {
    let res = raw().post(url).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The common requests of [`call`], as methods of the server they go to.
impl TestServer {
    /// `GET path` with a bearer token: the status and the JSON body (`Null` if none).
    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        call(self, token, "GET", path, None).await
    }

    /// `POST path` with a JSON body and a bearer token.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        call(self, token, "POST", path, Some(body)).await
    }

    /// `POST path` without a body (acknowledge, resolve, purge...), with a bearer token.
    pub async fn post_empty(&self, token: &str, path: &str) -> (u16, Value) {
        call(self, token, "POST", path, None).await
    }

    /// `PUT path` with a JSON body and a bearer token.
    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        call(self, token, "PUT", path, Some(body)).await
    }

    /// `PATCH path` with a JSON body and a bearer token.
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        call(self, token, "PATCH", path, Some(body)).await
    }

    /// `DELETE path` with a bearer token.
    pub async fn delete(&self, token: &str, path: &str) -> (u16, Value) {
        call(self, token, "DELETE", path, None).await
    }
}
