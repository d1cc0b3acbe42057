//! A typed client for the Fieldline API.

use crate::BridgeError;
use fieldline_wire::admin::{AuditPage, NewUser, RevokedSessions, User, UserList, UserUpdate};
use fieldline_wire::auth::{
    ChangePasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest, TokenResponse,
};
use fieldline_wire::directory::{AvailabilityUpdate, Entry, EntryList};
use fieldline_wire::{NewPassword, Problem};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::time::Duration;
use uuid::Uuid;

/// The tokens of a signed-in session. The host app keeps `refresh_token` in the platform's
/// secure storage; the bridge never writes it to disk.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user: Me,
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    session: Mutex<Option<Session>>,
}

impl Client {
    /// `base_url` is the server's origin, e.g. `https://fieldline.agency.example`.
    pub fn new(base_url: &str) -> Result<Client, BridgeError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| BridgeError::Protocol(e.to_string()))?;
        Ok(Client {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            session: Mutex::new(None),
        })
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().expect("session lock").clone()
    }

    /// Resumes a session whose tokens the host app kept.
    pub fn restore(&self, session: Session) {
        *self.session.lock().expect("session lock") = Some(session);
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<Me, BridgeError> {
        let body = LoginRequest {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        let t: TokenResponse = self
            .send(Method::POST, "/v1/auth/login", Some(&body), false)
            .await?;
        Ok(self.keep(t))
    }

    /// Trades the refresh token for new tokens (the old refresh token stops working).
    pub async fn refresh(&self) -> Result<Me, BridgeError> {
        let refresh_token = self.session().ok_or_else(no_session)?.refresh_token;
        let t: TokenResponse = self
            .send(
                Method::POST,
                "/v1/auth/refresh",
                Some(&RefreshRequest { refresh_token }),
                false,
            )
            .await?;
        Ok(self.keep(t))
    }

    /// Signs this device out on the server and forgets the tokens.
    pub async fn logout(&self) -> Result<(), BridgeError> {
        let Some(s) = self.session.lock().expect("session lock").take() else {
            return Ok(());
        };
        let body = LogoutRequest {
            refresh_token: s.refresh_token,
        };
        self.send_empty(Method::POST, "/v1/auth/logout", Some(&body), false)
            .await
    }

    pub async fn change_password(
        &self,
        current: &str,
        new: NewPassword,
    ) -> Result<(), BridgeError> {
        let body = ChangePasswordRequest {
            current_password: current.to_owned(),
            new_password: new,
        };
        self.send_empty(Method::POST, "/v1/auth/password", Some(&body), true)
            .await
    }

    pub async fn me(&self) -> Result<Me, BridgeError> {
        self.send::<(), _>(Method::GET, "/v1/me", None, true).await
    }

    pub async fn list_users(&self) -> Result<UserList, BridgeError> {
        self.send::<(), _>(Method::GET, "/v1/admin/users", None, true)
            .await
    }

    pub async fn get_user(&self, id: Uuid) -> Result<User, BridgeError> {
        self.send::<(), _>(Method::GET, &format!("/v1/admin/users/{id}"), None, true)
            .await
    }

    pub async fn create_user(&self, new: &NewUser) -> Result<User, BridgeError> {
        self.send(Method::POST, "/v1/admin/users", Some(new), true)
            .await
    }

    pub async fn update_user(&self, id: Uuid, change: &UserUpdate) -> Result<User, BridgeError> {
        self.send(
            Method::PATCH,
            &format!("/v1/admin/users/{id}"),
            Some(change),
            true,
        )
        .await
    }

    pub async fn revoke_sessions(&self, id: Uuid) -> Result<RevokedSessions, BridgeError> {
        self.send::<(), _>(
            Method::POST,
            &format!("/v1/admin/users/{id}/revoke-sessions"),
            None,
            true,
        )
        .await
    }

    /// The agency's audit log; `query` is a URL query string such as `record_type=user&limit=10`.
    pub async fn audit_log(&self, query: &str) -> Result<AuditPage, BridgeError> {
        self.send::<(), _>(Method::GET, &format!("/v1/admin/audit?{query}"), None, true)
            .await
    }

    /// Places near a point, nearest first. `filters` is extra query text such as
    /// `&has_beds=true&accepts_children=true`.
    pub async fn nearby(
        &self,
        latitude: f64,
        longitude: f64,
        radius_m: f64,
        filters: &str,
    ) -> Result<EntryList, BridgeError> {
        let path = format!(
            "/v1/directory/nearby?latitude={latitude}&longitude={longitude}&radius_m={radius_m}{filters}"
        );
        self.send::<(), _>(Method::GET, &path, None, true).await
    }

    pub async fn directory_entry(&self, id: Uuid) -> Result<Entry, BridgeError> {
        self.send::<(), _>(
            Method::GET,
            &format!("/v1/directory/entries/{id}"),
            None,
            true,
        )
        .await
    }

    /// The one-tap availability update (housing staff).
    pub async fn update_availability(
        &self,
        id: Uuid,
        change: &AvailabilityUpdate,
    ) -> Result<Entry, BridgeError> {
        self.send(
            Method::PATCH,
            &format!("/v1/directory/entries/{id}/availability"),
            Some(change),
            true,
        )
        .await
    }

    fn keep(&self, t: TokenResponse) -> Me {
        let me = t.user.clone();
        *self.session.lock().expect("session lock") = Some(Session {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            user: t.user,
        });
        me
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
    ) -> Result<T, BridgeError> {
        let res = self.execute(method, path, body, auth).await?;
        res.json::<T>()
            .await
            .map_err(|e| BridgeError::Protocol(e.to_string()))
    }

    async fn send_empty<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
    ) -> Result<(), BridgeError> {
        self.execute(method, path, body, auth).await.map(drop)
    }

    async fn execute<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
    ) -> Result<reqwest::Response, BridgeError> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if auth {
            let token = self.session().ok_or_else(no_session)?.access_token;
            req = req.bearer_auth(token);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() {
                BridgeError::Offline
            } else {
                BridgeError::Protocol(e.to_string())
            }
        })?;
        if res.status().is_success() {
            return Ok(res);
        }
        let status = res.status();
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let problem: Box<Problem> = res
            .json()
            .await
            .map_err(|_| BridgeError::Protocol(format!("{status} without a problem document")))?;
        Err(match status {
            StatusCode::UNAUTHORIZED => BridgeError::Unauthorized(problem),
            StatusCode::FORBIDDEN => BridgeError::Forbidden(problem),
            StatusCode::NOT_FOUND => BridgeError::NotFound(problem),
            StatusCode::UNPROCESSABLE_ENTITY => BridgeError::Validation(problem.errors.clone()),
            StatusCode::PRECONDITION_FAILED | StatusCode::CONFLICT => BridgeError::Conflict {
                current_version: problem.current_version,
                problem,
            },
            StatusCode::TOO_MANY_REQUESTS => BridgeError::RateLimited {
                retry_after_secs: retry_after,
                problem,
            },
            _ => BridgeError::Server(problem),
        })
    }
}

fn no_session() -> BridgeError {
    BridgeError::Unauthorized(Box::new(Problem {
        kind: fieldline_wire::problem::types::UNAUTHORIZED.to_owned(),
        title: "Not signed in".to_owned(),
        status: 401,
        detail: None,
        instance: None,
        errors: Vec::new(),
        current_version: None,
    }))
}
