//! A typed client for the Fieldline API: every endpoint a phone uses, over the shared wire
//! types.
//!
//! Requests have a connect timeout and an overall timeout. Only idempotent requests are retried
//! (GETs, and writes carrying the phone's id or an `If-Match`, which the server deduplicates),
//! with jittered exponential backoff, and only on failures a retry can cure (transport
//! failures, below). A login or a logout is sent once.
//!
//! What counts as the server's answer: a complete JSON body (`application/json`, or a
//! `application/problem+json` problem for an error), or an empty 202/204. Anything else — no
//! connection, a reset, a timeout, a body cut short, a non-JSON answer (a captive portal's
//! `200 text/html`, a proxy's error page, a redirect), a 5xx, a 408 — is a transport failure
//! ([`BridgeError::Offline`], or [`BridgeError::Server`] for a 5xx problem): the request may or
//! may not have reached the server, so only idempotent writes are repeated. Only a 4xx problem
//! document is the server refusing the request.
//!
//! Token refresh is single-flight per client: the first request that meets 401 refreshes,
//! requests meeting 401 meanwhile wait and reuse its outcome. A refresh whose answer was lost
//! is retried at once with the same token, which the server accepts within its reuse grace
//! (`FIELDLINE_REFRESH_REUSE_GRACE_SECS`, 30 s by default).

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
use fieldline_wire::{FieldError, NewPassword, Problem};
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long one refresh attempt may take, and how long after the first one a refresh is
/// still retried: the retries must reach the server within its reuse grace (30 s by default),
/// counted from when it rotated the token.
const REFRESH_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
const REFRESH_RETRY_WINDOW: Duration = Duration::from_secs(15);

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
    /// The change's own id, sent as `Idempotency-Key`: the server answers a change it has
    /// seen as a replay (never a conflict) and applies a new one.
    pub change_id: Option<Uuid>,
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
    /// Serialises refreshes: requests failing with 401 at once refresh once.
    refreshing: tokio::sync::Mutex<()>,
    /// Counts finished refreshes (and sign-ins); a request notes it before it is sent, so on
    /// 401 it knows whether a refresh finished since, and then reuses that refresh's outcome.
    refresh_generation: AtomicU64,
    /// The outcome of the last refresh when it failed (cleared by any new session).
    refresh_failure: Mutex<Option<BridgeError>>,
}

/// An answer the server gave (a complete body, see the module documentation).
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

/// The server's origin, if the bridge may talk to it: `https`, or plain `http` only to this
/// device's loopback (a developer's own server). Everything the bridge sends is victims' data
/// and their tokens (issue #16, finding 12).
fn checked_base(base_url: &str) -> Result<String, BridgeError> {
    let base = base_url.trim_end_matches('/');
    let refused = || {
        BridgeError::Validation(vec![FieldError {
            pointer: "/server_url".into(),
            message: "must be an https:// origin (http:// only for this device's loopback)".into(),
        }])
    };
    let url = reqwest::Url::parse(base).map_err(|_| refused())?;
    let loopback = url.host_str().is_some_and(|h| {
        let h = h.trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(base.to_owned()),
        "http" if loopback => Ok(base.to_owned()),
        _ => Err(refused()),
    }
}

impl Client {
    /// `base_url` is the server's origin, e.g. `https://fieldline.agency.example`.
    pub fn new(base_url: &str) -> Result<Client, BridgeError> {
        Client::with_options(base_url, ClientOptions::default())
    }

    pub fn with_options(base_url: &str, options: ClientOptions) -> Result<Client, BridgeError> {
        let base = checked_base(base_url)?;
        // reqwest brings no crypto provider (the workspace's Cargo.toml): ring, unless the host
        // app installed one in the process before.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // The API never redirects; a redirect is a captive portal or a misconfigured
            // proxy, and following it would send the request somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BridgeError::Protocol(e.to_string()))?;
        Ok(Client {
            http,
            base: Mutex::new(base),
            options,
            session: Mutex::new(None),
            tokens: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
            refresh_generation: AtomicU64::new(0),
            refresh_failure: Mutex::new(None),
        })
    }

    /// Points the client at another origin (a different server, or the same one moved).
    pub fn set_base_url(&self, base_url: &str) -> Result<(), BridgeError> {
        *self.base.lock().expect("base lock") = checked_base(base_url)?;
        Ok(())
    }

    pub fn base_url(&self) -> String {
        self.base.lock().expect("base lock").clone()
    }

    /// Where refresh tokens go when they change.
    pub fn set_token_sink(&self, sink: Arc<dyn TokenSink>) {
        *self.tokens.lock().expect("tokens lock") = Some(sink);
    }

    /// Forgets the token sink (the host app is going away: it must not be called, nor
    /// released later from another thread).
    pub fn clear_token_sink(&self) -> Option<Arc<dyn TokenSink>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().expect("session lock").clone()
    }

    /// Resumes a session whose tokens the host app kept.
    pub fn restore(&self, session: Session) {
        *self.session.lock().expect("session lock") = Some(session);
    }

    /// Resumes from the refresh token alone (what the host app keeps across restarts): trades
    /// it for a fresh session. A lost answer is retried at once with the same token (the
    /// server's reuse grace accepts it); never itself refreshed on 401.
    pub async fn resume(&self, refresh_token: &str) -> Result<Me, BridgeError> {
        let body = serde_json::to_vec(&RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        })
        .map_err(|e| BridgeError::Protocol(e.to_string()))?;
        let call = Call {
            timeout: Some(REFRESH_ATTEMPT_TIMEOUT),
            ..Call::once()
        };
        let started = Instant::now();
        let mut attempt = 0;
        let answer = loop {
            attempt += 1;
            match self
                .execute_once(Method::POST, "/v1/auth/refresh", Some(&body), false, call)
                .await
            {
                Err(e)
                    if e.is_transient()
                        && attempt < self.options.attempts.max(1)
                        && started.elapsed() < REFRESH_RETRY_WINDOW =>
                {
                    tokio::time::sleep(backoff(self.options.backoff, attempt)).await;
                }
                other => break other?,
            }
        };
        let t: TokenResponse = answer.json()?;
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
        *self.refresh_failure.lock().expect("refresh lock") = None;
        self.refresh_generation.fetch_add(1, Ordering::SeqCst);
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
        self.execute(method, path, body, auth, call).await?.json()
    }

    /// For the endpoints that answer 202 or 204 with no body (duress, a location report,
    /// logout...): any other success is not the server's (a portal answering every request
    /// `200` with a JSON page of its own), so the request may not have arrived.
    async fn send_empty<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
        call: Call,
    ) -> Result<(), BridgeError> {
        let answer = self.execute(method, path, body, auth, call).await?;
        match answer.status {
            StatusCode::ACCEPTED | StatusCode::NO_CONTENT => Ok(()),
            _ => Err(BridgeError::Offline),
        }
    }

    async fn execute<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
        call: Call,
    ) -> Result<Answer, BridgeError> {
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
            let generation = self.refresh_generation.load(Ordering::SeqCst);
            let result = self
                .execute_once(method.clone(), path, body.as_deref(), auth, call)
                .await;
            match result {
                Err(BridgeError::Unauthorized(_))
                    if auth && self.options.auto_refresh && !refreshed =>
                {
                    refreshed = true;
                    self.refresh_after_401(generation).await?;
                    attempt -= 1;
                }
                Err(e) if attempt < attempts && e.is_transient() => {
                    tokio::time::sleep(backoff(self.options.backoff, attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Single-flight refresh after a 401 to a request sent at refresh generation `seen`: if a
    /// refresh (or a sign-in) finished since, its outcome is reused — a new token to retry
    /// with, or its failure — instead of trading the same refresh token again.
    async fn refresh_after_401(&self, seen: u64) -> Result<(), BridgeError> {
        let _one = self.refreshing.lock().await;
        if self.refresh_generation.load(Ordering::SeqCst) != seen {
            return match self.refresh_failure.lock().expect("refresh lock").clone() {
                Some(e) => Err(e),
                None => Ok(()),
            };
        }
        match self.refresh().await {
            Ok(_) => Ok(()),
            Err(e) => {
                *self.refresh_failure.lock().expect("refresh lock") = Some(e.clone());
                self.refresh_generation.fetch_add(1, Ordering::SeqCst);
                Err(e)
            }
        }
    }

    async fn execute_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        auth: bool,
        call: Call,
    ) -> Result<Answer, BridgeError> {
        let url = format!("{}{}", self.base_url(), path);
        let mut req = self.http.request(method, url);
        if auth {
            let token = self.session().ok_or_else(no_session)?.access_token;
            req = req.bearer_auth(token);
        }
        if let Some(v) = call.if_match {
            req = req.header(header::IF_MATCH, format!("\"{v}\""));
        }
        if let Some(id) = call.change_id {
            req = req.header("idempotency-key", id.to_string());
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
            if e.is_builder() {
                BridgeError::Protocol(e.to_string())
            } else {
                // Refused, reset, timed out, closed before the answer: a transport failure.
                BridgeError::Offline
            }
        })?;
        let status = res.status();
        let json = is_json(res.headers());
        let retry_after = res
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        // The whole body, or it is not an answer: a body cut short is a transport failure
        // (the server may well have acted on the request).
        let body = res
            .bytes()
            .await
            .map_err(|_| BridgeError::Offline)?
            .to_vec();
        if status.is_success() {
            let empty_ok =
                body.is_empty() && matches!(status, StatusCode::ACCEPTED | StatusCode::NO_CONTENT);
            if json || empty_ok {
                return Ok(Answer { status, body });
            }
            // A captive portal's page, or something else in the way: not the server.
            return Err(BridgeError::Offline);
        }
        let problem: Box<Problem> = match json
            .then(|| serde_json::from_slice::<Problem>(&body).ok())
            .flatten()
        {
            Some(p) => Box::new(p),
            // Not a problem document: a proxy's or a portal's error page (or a redirect to
            // one). The server did not answer, so this says nothing about the request.
            None => return Err(BridgeError::Offline),
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

impl Answer {
    /// The body as `T`. A complete JSON answer this client cannot read is a version mismatch.
    fn json<T: DeserializeOwned>(self) -> Result<T, BridgeError> {
        serde_json::from_slice(&self.body).map_err(|e| BridgeError::Protocol(e.to_string()))
    }
}

/// `application/json`, `application/problem+json` or another `+json` type.
fn is_json(headers: &header::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
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
    fn only_https_or_this_devices_loopback_is_a_server() {
        for ok in [
            "https://fieldline.agency.example",
            "https://fieldline.agency.example:8443/",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:8080",
            "http://localhost:8080/",
        ] {
            assert!(checked_base(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            checked_base("https://fieldline.agency.example/").unwrap(),
            "https://fieldline.agency.example"
        );
        for refused in [
            "http://fieldline.agency.example",
            "http://10.0.0.1",
            "http://192.168.1.10:8080",
            "http://169.254.169.254",
            "http://localhost.evil.example",
            "ftp://fieldline.agency.example",
            "fieldline.agency.example",
            "",
        ] {
            assert!(
                matches!(checked_base(refused), Err(BridgeError::Validation(_))),
                "{refused}"
            );
        }
    }

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
    fn only_json_answers_count_as_the_servers() {
        let with = |ct: &str| {
            let mut h = header::HeaderMap::new();
            h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("application/json; charset=utf-8"));
        assert!(with("application/problem+json"));
        assert!(with("Application/JSON"));
        assert!(!with("text/html; charset=utf-8"));
        assert!(!with("text/plain"));
        assert!(!with("application/octet-stream"));
        assert!(!is_json(&header::HeaderMap::new()));
    }

    #[test]
    fn transport_failures_are_transient_and_refusals_are_4xx_problems() {
        let problem = |status| {
            Box::new(Problem {
                kind: "about:blank".into(),
                title: "t".into(),
                status,
                detail: None,
                instance: None,
                errors: Vec::new(),
                current_version: None,
            })
        };
        assert!(BridgeError::Offline.is_transient());
        for status in [500, 502, 503, 504, 408] {
            assert!(
                BridgeError::Server(problem(status)).is_transient(),
                "{status}"
            );
            assert!(
                !BridgeError::Server(problem(status)).is_refusal(),
                "{status}"
            );
        }
        assert!(BridgeError::Server(problem(413)).is_refusal());
        assert!(BridgeError::Forbidden(problem(403)).is_refusal());
        assert!(BridgeError::Validation(Vec::new()).is_refusal());
        for not_refusal in [
            BridgeError::Offline,
            BridgeError::Protocol("x".into()),
            BridgeError::Unauthorized(problem(401)),
            BridgeError::RateLimited {
                retry_after_secs: None,
                problem: problem(429),
            },
            BridgeError::Conflict {
                current_version: Some(2),
                problem: problem(412),
            },
        ] {
            assert!(!not_refusal.is_refusal(), "{not_refusal:?}");
        }
    }

    #[test]
    fn cursors_are_escaped() {
        assert_eq!(query_escape("v1.12.3"), "v1.12.3");
        assert_eq!(query_escape("a b&c"), "a%20b%26c");
    }
}
