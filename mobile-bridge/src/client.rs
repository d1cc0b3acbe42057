//! A typed client for the Fieldline API: every endpoint a phone uses, over the shared wire
//! types.
//!
//! Requests have a connect timeout and an overall timeout. Only idempotent requests are retried
//! (GETs, and writes carrying the phone's id or an `If-Match`, which the server deduplicates),
//! with jittered exponential backoff, and only on failures a retry can cure: no connection,
//! a timeout, 502/503/504. A login, a refresh (the server rotates the token) or a logout is
//! sent once.

use crate::BridgeError;
use fieldline_wire::admin::{AuditPage, NewUser, RevokedSessions, User, UserList, UserUpdate};
use fieldline_wire::alerts::{Alert, AlertList, RaiseAlert};
use fieldline_wire::auth::{
    ChangePasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest, TokenResponse,
};
use fieldline_wire::contacts::{Contact, ContactInput, ContactList};
use fieldline_wire::directory::{AvailabilityUpdate, Entry, EntryList, EntryPage};
use fieldline_wire::oncall::{CalendarFeed, CalendarFeedStatus, MyShiftList};
use fieldline_wire::plans::{SafetyPlan, SafetyPlanContent, SafetyPlanHistory};
use fieldline_wire::push::{NewSubscription, Subscription, SubscriptionList, VapidPublicKey};
use fieldline_wire::safety::{
    Checkin, Checkout, Duress, DuressCode, ExtendCheckin, LocationReport, StartCheckin,
};
use fieldline_wire::sync::SyncPage;
use fieldline_wire::{NewPassword, Problem};
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};
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

/// Told every time the refresh token changes (login, rotation on refresh) or ends (logout,
/// `None`), so the host app can keep it in the Keychain / Android Keystore. The bridge keeps
/// tokens in memory only.
pub trait TokenSink: Send + Sync {
    fn refresh_token_changed(&self, refresh_token: Option<String>);
}

/// Timeouts and retry policy.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts in all for an idempotent request (1 = no retry).
    pub attempts: u32,
    /// The first backoff; doubled each time, with ±50 % jitter.
    pub backoff: Duration,
    /// On 401, trade the refresh token once and repeat the request.
    pub auto_refresh: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            attempts: 3,
            backoff: Duration::from_millis(300),
            auto_refresh: false,
        }
    }
}

/// Per request: whether it may be retried, its version precondition, its own timeout.
#[derive(Debug, Clone, Copy, Default)]
pub struct Call {
    pub idempotent: bool,
    pub if_match: Option<i64>,
    pub timeout: Option<Duration>,
    /// Send once whatever `idempotent` says (the caller retries on its own schedule).
    pub no_retry: bool,
}

impl Call {
    pub fn idempotent() -> Call {
        Call {
            idempotent: true,
            ..Call::default()
        }
    }
    pub fn once() -> Call {
        Call::default()
    }
}

pub struct Client {
    http: reqwest::Client,
    base: Mutex<String>,
    options: ClientOptions,
    session: Mutex<Option<Session>>,
    tokens: Mutex<Option<Arc<dyn TokenSink>>>,
    /// Serialises refreshes: two requests failing with 401 at once refresh once.
    refreshing: tokio::sync::Mutex<()>,
}

impl Client {
    /// `base_url` is the server's origin, e.g. `https://fieldline.agency.example`.
    pub fn new(base_url: &str) -> Result<Client, BridgeError> {
        Client::with_options(base_url, ClientOptions::default())
    }

    pub fn with_options(base_url: &str, options: ClientOptions) -> Result<Client, BridgeError> {
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .build()
            .map_err(|e| BridgeError::Protocol(e.to_string()))?;
        Ok(Client {
            http,
            base: Mutex::new(base_url.trim_end_matches('/').to_owned()),
            options,
            session: Mutex::new(None),
            tokens: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// Points the client at another origin (a different server, or the same one moved).
    pub fn set_base_url(&self, base_url: &str) {
        *self.base.lock().expect("base lock") = base_url.trim_end_matches('/').to_owned();
    }

    pub fn base_url(&self) -> String {
        self.base.lock().expect("base lock").clone()
    }

    /// Where refresh tokens go when they change.
    pub fn set_token_sink(&self, sink: Arc<dyn TokenSink>) {
        *self.tokens.lock().expect("tokens lock") = Some(sink);
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().expect("session lock").clone()
    }

    /// Resumes a session whose tokens the host app kept.
    pub fn restore(&self, session: Session) {
        *self.session.lock().expect("session lock") = Some(session);
    }

    /// Resumes from the refresh token alone (what the host app keeps across restarts): trades
    /// it for a fresh session.
    pub async fn resume(&self, refresh_token: &str) -> Result<Me, BridgeError> {
        // Straight to one attempt: never retried (the server rotates the token) and never
        // itself refreshed on 401.
        let body = serde_json::to_vec(&RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        })
        .map_err(|e| BridgeError::Protocol(e.to_string()))?;
        let res = self
            .execute_once(
                Method::POST,
                "/v1/auth/refresh",
                Some(&body),
                false,
                Call::once(),
            )
            .await?;
        let t: TokenResponse = res
            .json()
            .await
            .map_err(|e| BridgeError::Protocol(e.to_string()))?;
        Ok(self.keep(t))
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<Me, BridgeError> {
        let body = LoginRequest {
            email: email.to_owned(),
            password: password.to_owned(),
            client: None,
        };
        let t: TokenResponse = self
            .send(
                Method::POST,
                "/v1/auth/login",
                Some(&body),
                false,
                Call::once(),
            )
            .await?;
        Ok(self.keep(t))
    }

    /// Trades the refresh token for new tokens (the old refresh token stops working).
    pub async fn refresh(&self) -> Result<Me, BridgeError> {
        let refresh_token = self.session().ok_or_else(no_session)?.refresh_token;
        self.resume(&refresh_token).await
    }

    /// Signs this device out on the server and forgets the tokens.
    pub async fn logout(&self) -> Result<(), BridgeError> {
        let Some(s) = self.session.lock().expect("session lock").take() else {
            return Ok(());
        };
        self.tell_tokens(None);
        let body = LogoutRequest {
            refresh_token: s.refresh_token,
        };
        self.send_empty(
            Method::POST,
            "/v1/auth/logout",
            Some(&body),
            false,
            Call::once(),
        )
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
        self.send_empty(
            Method::POST,
            "/v1/auth/password",
            Some(&body),
            true,
            Call::once(),
        )
        .await
    }

    pub async fn me(&self) -> Result<Me, BridgeError> {
        self.get("/v1/me").await
    }

    // --- Administration -------------------------------------------------------------------

    pub async fn list_users(&self) -> Result<UserList, BridgeError> {
        self.get("/v1/admin/users").await
    }

    pub async fn get_user(&self, id: Uuid) -> Result<User, BridgeError> {
        self.get(&format!("/v1/admin/users/{id}")).await
    }

    pub async fn create_user(&self, new: &NewUser) -> Result<User, BridgeError> {
        self.send(
            Method::POST,
            "/v1/admin/users",
            Some(new),
            true,
            Call::once(),
        )
        .await
    }

    pub async fn update_user(&self, id: Uuid, change: &UserUpdate) -> Result<User, BridgeError> {
        self.send(
            Method::PATCH,
            &format!("/v1/admin/users/{id}"),
            Some(change),
            true,
            Call::once(),
        )
        .await
    }

    pub async fn revoke_sessions(&self, id: Uuid) -> Result<RevokedSessions, BridgeError> {
        self.send::<(), _>(
            Method::POST,
            &format!("/v1/admin/users/{id}/revoke-sessions"),
            None,
            true,
            Call::idempotent(),
        )
        .await
    }

    /// The agency's audit log; `query` is a URL query string such as `record_type=user&limit=10`.
    pub async fn audit_log(&self, query: &str) -> Result<AuditPage, BridgeError> {
        self.get(&format!("/v1/admin/audit?{query}")).await
    }

    // --- Directory ------------------------------------------------------------------------

    /// Places near a point, nearest first. `filters` is extra query text such as
    /// `&has_beds=true&accepts_children=true`.
    pub async fn nearby(
        &self,
        latitude: f64,
        longitude: f64,
        radius_m: f64,
        filters: &str,
    ) -> Result<EntryList, BridgeError> {
        self.get(&format!(
            "/v1/directory/nearby?latitude={latitude}&longitude={longitude}&radius_m={radius_m}{filters}"
        ))
        .await
    }

    /// One page of the agency's own places by name (housing staff); pass a page's
    /// `next_after` as `after` for the next, until it is absent.
    pub async fn directory_entries(
        &self,
        after: Option<&str>,
        limit: u32,
        include_retired: bool,
    ) -> Result<EntryPage, BridgeError> {
        let mut path =
            format!("/v1/directory/entries?limit={limit}&include_retired={include_retired}");
        if let Some(after) = after {
            // The server's cursors are URL-safe already; escape anything else all the same.
            path.push_str("&after=");
            for b in after.bytes() {
                if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                    path.push(b as char);
                } else {
                    path.push_str(&format!("%{b:02X}"));
                }
            }
        }
        self.get(&path).await
    }

    pub async fn directory_entry(&self, id: Uuid) -> Result<Entry, BridgeError> {
        self.get(&format!("/v1/directory/entries/{id}")).await
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
            Call::once(),
        )
        .await
    }

    // --- Contacts, screenings, safety plans, sync -----------------------------------------

    /// Records (or, with `if_match`, changes) a contact under the phone's id. Screenings ride
    /// along in `input.screenings`, each with its own id. A replay is harmless.
    pub async fn put_contact(
        &self,
        id: Uuid,
        input: &ContactInput,
        if_match: Option<i64>,
        call: Call,
    ) -> Result<Contact, BridgeError> {
        let call = Call {
            idempotent: true,
            if_match,
            ..call
        };
        self.send(
            Method::PUT,
            &format!("/v1/contacts/{id}"),
            Some(input),
            true,
            call,
        )
        .await
    }

    pub async fn contact(&self, id: Uuid) -> Result<Contact, BridgeError> {
        self.get(&format!("/v1/contacts/{id}")).await
    }

    /// `query` such as `status=open&limit=50` (or empty).
    pub async fn contacts(&self, query: &str) -> Result<ContactList, BridgeError> {
        self.get(&format!("/v1/contacts?{query}")).await
    }

    /// Saves the next version of a person's plan. `if_match` is the version edited (`None`
    /// only for the first).
    pub async fn put_safety_plan(
        &self,
        person_id: Uuid,
        content: &SafetyPlanContent,
        if_match: Option<i64>,
        call: Call,
    ) -> Result<SafetyPlan, BridgeError> {
        let call = Call {
            // The server answers a replay of the same save with the version it made.
            idempotent: true,
            if_match,
            ..call
        };
        self.send(
            Method::PUT,
            &format!("/v1/persons/{person_id}/safety-plan"),
            Some(content),
            true,
            call,
        )
        .await
    }

    pub async fn safety_plan(&self, person_id: Uuid) -> Result<SafetyPlan, BridgeError> {
        self.get(&format!("/v1/persons/{person_id}/safety-plan"))
            .await
    }

    pub async fn safety_plan_history(
        &self,
        person_id: Uuid,
    ) -> Result<SafetyPlanHistory, BridgeError> {
        self.get(&format!("/v1/persons/{person_id}/safety-plan/versions"))
            .await
    }

    pub async fn safety_plan_version(
        &self,
        person_id: Uuid,
        version: i64,
    ) -> Result<SafetyPlan, BridgeError> {
        self.get(&format!(
            "/v1/persons/{person_id}/safety-plan/versions/{version}"
        ))
        .await
    }

    /// One page of changes since `cursor` (`None` for a first sync).
    pub async fn sync_page(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<SyncPage, BridgeError> {
        let mut path = format!("/v1/sync?limit={limit}");
        if let Some(c) = cursor {
            path.push_str("&cursor=");
            path.push_str(&query_escape(c));
        }
        self.get(&path).await
    }

    // --- Alerts ---------------------------------------------------------------------------

    /// Raises an alert under the phone's id: sending it again joins the same alert.
    pub async fn raise_alert(&self, alert: &RaiseAlert, call: Call) -> Result<Alert, BridgeError> {
        let call = Call {
            idempotent: true,
            ..call
        };
        self.send(Method::POST, "/v1/alerts", Some(alert), true, call)
            .await
    }

    pub async fn alert(&self, id: Uuid) -> Result<Alert, BridgeError> {
        self.get(&format!("/v1/alerts/{id}")).await
    }

    /// `state`: `triggered`, `acknowledged`, `resolved`, or `None` for all open ones.
    pub async fn alerts(&self, state: Option<&str>) -> Result<AlertList, BridgeError> {
        match state {
            Some(s) => {
                self.get(&format!("/v1/alerts?state={}", query_escape(s)))
                    .await
            }
            None => self.get("/v1/alerts").await,
        }
    }

    /// Acknowledging again what you already acknowledged is not an error, so it is retried.
    pub async fn acknowledge_alert(&self, id: Uuid) -> Result<Alert, BridgeError> {
        self.send::<(), _>(
            Method::POST,
            &format!("/v1/alerts/{id}/acknowledge"),
            None,
            true,
            Call::idempotent(),
        )
        .await
    }

    pub async fn resolve_alert(&self, id: Uuid) -> Result<Alert, BridgeError> {
        self.send::<(), _>(
            Method::POST,
            &format!("/v1/alerts/{id}/resolve"),
            None,
            true,
            Call::idempotent(),
        )
        .await
    }

    // --- Push -----------------------------------------------------------------------------

    pub async fn vapid_public_key(&self) -> Result<VapidPublicKey, BridgeError> {
        self.send::<(), _>(
            Method::GET,
            "/v1/push/vapid-public-key",
            None,
            false,
            Call::idempotent(),
        )
        .await
    }

    /// Registering the same endpoint again updates it, so this is retried.
    pub async fn register_push(
        &self,
        subscription: &NewSubscription,
    ) -> Result<Subscription, BridgeError> {
        self.send(
            Method::POST,
            "/v1/push/subscriptions",
            Some(subscription),
            true,
            Call::idempotent(),
        )
        .await
    }

    pub async fn push_subscriptions(&self) -> Result<SubscriptionList, BridgeError> {
        self.get("/v1/push/subscriptions").await
    }

    pub async fn unregister_push(&self, id: Uuid) -> Result<(), BridgeError> {
        self.send_empty::<()>(
            Method::DELETE,
            &format!("/v1/push/subscriptions/{id}"),
            None,
            true,
            Call::idempotent(),
        )
        .await
    }

    // --- On call ---------------------------------------------------------------------------

    /// My on-call shifts across the agency's schedules for `days` from now (server default 14).
    pub async fn my_shifts(&self, days: Option<i64>) -> Result<MyShiftList, BridgeError> {
        match days {
            Some(d) => self.get(&format!("/v1/oncall/me/shifts?days={d}")).await,
            None => self.get("/v1/oncall/me/shifts").await,
        }
    }

    pub async fn calendar_feed_status(&self) -> Result<CalendarFeedStatus, BridgeError> {
        self.get("/v1/oncall/me/calendar-feed").await
    }

    /// A new secret calendar feed (the old one stops working); its whole URL, to hand to the
    /// phone's calendar app. Sent once: a retry would replace the feed it just made.
    pub async fn create_calendar_feed(&self) -> Result<String, BridgeError> {
        let feed: CalendarFeed = self
            .send::<(), _>(
                Method::POST,
                "/v1/oncall/me/calendar-feed",
                None,
                true,
                Call::once(),
            )
            .await?;
        Ok(format!("{}{}", self.base_url(), feed.path))
    }

    pub async fn revoke_calendar_feed(&self) -> Result<(), BridgeError> {
        self.send_empty::<()>(
            Method::DELETE,
            "/v1/oncall/me/calendar-feed",
            None,
            true,
            Call::idempotent(),
        )
        .await
    }

    // --- Advocate safety ------------------------------------------------------------------

    pub async fn start_checkin(
        &self,
        s: &StartCheckin,
        call: Call,
    ) -> Result<Checkin, BridgeError> {
        let call = Call {
            idempotent: true,
            ..call
        };
        self.send(Method::POST, "/v1/safety/checkins", Some(s), true, call)
            .await
    }

    pub async fn extend_checkin(
        &self,
        id: Uuid,
        e: &ExtendCheckin,
        call: Call,
    ) -> Result<Checkin, BridgeError> {
        let call = Call {
            idempotent: true,
            ..call
        };
        self.send(
            Method::POST,
            &format!("/v1/safety/checkins/{id}/extend"),
            Some(e),
            true,
            call,
        )
        .await
    }

    pub async fn report_location(
        &self,
        id: Uuid,
        l: &LocationReport,
        call: Call,
    ) -> Result<(), BridgeError> {
        let call = Call {
            idempotent: true,
            ..call
        };
        self.send_empty(
            Method::POST,
            &format!("/v1/safety/checkins/{id}/location"),
            Some(l),
            true,
            call,
        )
        .await
    }

    pub async fn checkout(
        &self,
        id: Uuid,
        c: &Checkout,
        call: Call,
    ) -> Result<Checkin, BridgeError> {
        let call = Call {
            idempotent: true,
            ..call
        };
        self.send(
            Method::POST,
            &format!("/v1/safety/checkins/{id}/checkout"),
            Some(c),
            true,
            call,
        )
        .await
    }

    pub async fn set_duress_code(&self, code: &DuressCode) -> Result<(), BridgeError> {
        self.send_empty(
            Method::PUT,
            "/v1/safety/duress-code",
            Some(code),
            true,
            Call::idempotent(),
        )
        .await
    }

    /// Duress under the phone's id: a retried press raises one alert.
    pub async fn duress(&self, d: &Duress, call: Call) -> Result<(), BridgeError> {
        let call = Call {
            idempotent: true,
            ..call
        };
        self.send_empty(Method::POST, "/v1/safety/duress", Some(d), true, call)
            .await
    }

    // --- Plumbing -------------------------------------------------------------------------

    fn keep(&self, t: TokenResponse) -> Me {
        let me = t.user.clone();
        let refresh = t.refresh_token.clone();
        *self.session.lock().expect("session lock") = Some(Session {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            user: t.user,
        });
        self.tell_tokens(Some(refresh));
        me
    }

    fn tell_tokens(&self, token: Option<String>) {
        let sink = self.tokens.lock().expect("tokens lock").clone();
        if let Some(sink) = sink {
            sink.refresh_token_changed(token);
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, BridgeError> {
        self.send::<(), _>(Method::GET, path, None, true, Call::idempotent())
            .await
    }

    pub(crate) async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
        call: Call,
    ) -> Result<T, BridgeError> {
        let res = self.execute(method, path, body, auth, call).await?;
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
        call: Call,
    ) -> Result<(), BridgeError> {
        self.execute(method, path, body, auth, call).await.map(drop)
    }

    async fn execute<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
        call: Call,
    ) -> Result<reqwest::Response, BridgeError> {
        let body = match body {
            Some(b) => {
                Some(serde_json::to_vec(b).map_err(|e| BridgeError::Protocol(e.to_string()))?)
            }
            None => None,
        };
        let attempts = if call.idempotent && !call.no_retry {
            self.options.attempts.max(1)
        } else {
            1
        };
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .execute_once(method.clone(), path, body.as_deref(), auth, call)
                .await;
            match result {
                Err(BridgeError::Unauthorized(_))
                    if auth && self.options.auto_refresh && !refreshed =>
                {
                    refreshed = true;
                    self.refresh_after_401().await?;
                    attempt -= 1;
                }
                Err(e) if attempt < attempts && e.is_transient() => {
                    tokio::time::sleep(backoff(self.options.backoff, attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Refreshes unless another request already did while this one waited.
    async fn refresh_after_401(&self) -> Result<(), BridgeError> {
        let before = self.session().map(|s| s.access_token);
        let _guard = self.refreshing.lock().await;
        let now = self.session().map(|s| s.access_token);
        if now.is_some() && now != before {
            return Ok(());
        }
        self.refresh().await.map(drop)
    }

    async fn execute_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        auth: bool,
        call: Call,
    ) -> Result<reqwest::Response, BridgeError> {
        let url = format!("{}{}", self.base_url(), path);
        let mut req = self.http.request(method, url);
        if auth {
            let token = self.session().ok_or_else(no_session)?.access_token;
            req = req.bearer_auth(token);
        }
        if let Some(v) = call.if_match {
            req = req.header(header::IF_MATCH, format!("\"{v}\""));
        }
        if let Some(t) = call.timeout {
            req = req.timeout(t);
        }
        if let Some(b) = body {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let res = req.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() || e.is_request() {
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
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let problem: Box<Problem> = match res.json().await {
            Ok(p) => p,
            // A proxy's 502/504 page: the server itself was not reached.
            Err(_) if status.is_server_error() => return Err(BridgeError::Offline),
            Err(_) => {
                return Err(BridgeError::Protocol(format!(
                    "{status} without a problem document"
                )));
            }
        };
        Err(match status {
            StatusCode::UNAUTHORIZED => BridgeError::Unauthorized(problem),
            StatusCode::FORBIDDEN => BridgeError::Forbidden(problem),
            StatusCode::NOT_FOUND => BridgeError::NotFound(problem),
            StatusCode::UNPROCESSABLE_ENTITY => BridgeError::Validation(problem.errors.clone()),
            // An invalid query parameter names its field the same way.
            StatusCode::BAD_REQUEST if !problem.errors.is_empty() => {
                BridgeError::Validation(problem.errors.clone())
            }
            // 428: the record exists now (someone saved it first) but this write did not say
            // which version it edits — a conflict like any other.
            StatusCode::PRECONDITION_FAILED
            | StatusCode::PRECONDITION_REQUIRED
            | StatusCode::CONFLICT => BridgeError::Conflict {
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

/// `base * 2^(attempt-1)`, ±50 %, at most 30 s.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(Duration::from_secs(30));
    capped.mul_f64(0.5 + fastrand::f64())
}

fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        let base = Duration::from_millis(100);
        for attempt in 1..6 {
            let nominal = base * (1 << (attempt - 1));
            let d = backoff(base, attempt);
            assert!(d >= nominal / 2 && d <= nominal * 3 / 2, "{attempt}: {d:?}");
        }
        assert!(backoff(base, 40) <= Duration::from_secs(45));
    }

    #[test]
    fn cursors_are_escaped() {
        assert_eq!(query_escape("v1.12.3"), "v1.12.3");
        assert_eq!(query_escape("a b&c"), "a%20b%26c");
    }
}
