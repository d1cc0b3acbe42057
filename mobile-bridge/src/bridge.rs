//! `Bridge`: the object a phone app holds. Offline-first: every change the user makes is
//! written to the on-device outbox under its own id before the call returns, then delivered
//! (now if there is signal, else at the next `sync()`), replayed in order, harmlessly if the
//! server already has it. Alerts are the exception: they are never silently queued — a raise
//! with no connection answers `NotDelivered` at once with the coordinator fallback number and
//! the agency's emergency number, and the bridge keeps retrying in the background and tells
//! the app when it lands.
//!
//! Delivery rules: only the server's explicit refusal of a change (a 4xx problem about it)
//! marks it rejected, and a conflict (412/409/428) waits for the user. Everything else — no
//! connection, a reset, an answer lost or cut short, a captive portal's page, a 5xx — is a
//! transport failure: the change stays pending and is sent again (the server recognises a
//! replay), and `sync()` reports `Offline`. An alert leaves the outbox only when the server
//! has acknowledged it; until then the app has `NotDelivered` with the fallback number. A
//! raise whose answer was lost is retried at once in the background (the raise is
//! idempotent), and then with backoff; a new alert wakes the retry at once.
//!
//! The host's callbacks (token store, alert observer) are released on the host's own thread
//! when the app drops the bridge, and the runtime is stopped there: no background thread
//! calls into a host that is shutting down (a Python host would abort).
//!
//! Exported through UniFFI. Records the app edits as a whole (contacts, safety plans) and the
//! server's documents cross the boundary as the wire JSON (the OpenAPI schema at
//! `/v1/openapi.json`), so the phone and the server share one definition of them. Async calls
//! run on the bridge's own tokio runtime, whatever the caller's executor.

use crate::BridgeError;
use crate::agency::{AgencySettings, DistanceUnit};
use crate::client::{Call, Client, ClientOptions, TokenSink, backoff};
use crate::ffi::{
    AlertOutcome, CachedRecord, FieldlineError, NearbyResult, OutboxItem, OutboxState, Queued,
    SignedIn, SyncReport,
};
use crate::store::{Store, StoredItem, now_ms};
use fieldline_wire::alerts::{AlertKind, RaiseAlert};
use fieldline_wire::auth::Me;
use fieldline_wire::contacts::ContactInput;
use fieldline_wire::plans::SafetyPlanContent;
use fieldline_wire::push::{NewSubscription, SubscriptionKeys};
use fieldline_wire::safety::{
    Checkout, Duress, DuressCode, ExtendCheckin, LocationReport, StartCheckin,
};
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Kinds of queued mutation.
const CONTACT: &str = "contact";
const SAFETY_PLAN: &str = "safety_plan";
const ALERT: &str = "alert";
const DURESS: &str = "duress";

/// How long an alert may take to reach the server before the app is told it did not.
const ALERT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a runtime being dropped by the host waits for its threads to stop.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// Settings the Rust API can change (the apps get the defaults).
#[derive(Debug, Clone, Copy)]
pub struct BridgeOptions {
    /// Timeouts and retries of each request (`auto_refresh` is always on in a bridge).
    pub client: ClientOptions,
    /// The first wait between background retries of undelivered alerts, after the immediate
    /// one; doubled each time (with jitter), at most 30 s.
    pub alert_retry_backoff: Duration,
}

impl Default for BridgeOptions {
    fn default() -> Self {
        BridgeOptions {
            client: ClientOptions::default(),
            alert_retry_backoff: Duration::from_secs(1),
        }
    }
}

/// Where refresh tokens go: the host app's Keychain / Android Keystore.
#[uniffi::export(with_foreign)]
pub trait TokenStore: Send + Sync {
    /// The refresh token changed (sign-in, rotation) or ended (`None`: sign-out). Keep it in
    /// secure storage; pass it to `Bridge.resume` after a restart.
    fn refresh_token_changed(&self, refresh_token: Option<String>);
}

/// Told about alerts that were reported not delivered.
#[uniffi::export(with_foreign)]
pub trait AlertObserver: Send + Sync {
    /// The alert (or duress) `alert_id` reached the server: the coordinator is being notified.
    fn alert_delivered(&self, alert_id: String);
}

struct Sink(Arc<dyn TokenStore>);

impl TokenSink for Sink {
    fn refresh_token_changed(&self, refresh_token: Option<String>) {
        self.0.refresh_token_changed(refresh_token)
    }
}

#[derive(uniffi::Object)]
pub struct Bridge {
    inner: Arc<Inner>,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
}

struct Inner {
    client: Client,
    store: Store,
    db_path: PathBuf,
    observer: Mutex<Option<Arc<dyn AlertObserver>>>,
    /// One replay of the outbox at a time, so items go out in order.
    flushing: tokio::sync::Mutex<()>,
    alert_retry_running: AtomicBool,
    /// Background delivery after a change: one task at a time; `flush_again` asks it for
    /// another round (a change made while it ran).
    flush_running: AtomicBool,
    flush_again: AtomicBool,
    /// Wakes the alert retry at once (a new alert, or a lost answer to learn about).
    alert_wake: tokio::sync::Notify,
    alert_retry_backoff: Duration,
    /// Alerts a `raise` is sending right now (the background retry leaves them alone).
    raising: Mutex<HashSet<String>>,
    /// Set when the app drops the bridge: background work stops.
    closing: AtomicBool,
    handle: tokio::runtime::Handle,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // The host's callbacks are released here, on the host's thread: background tasks
        // still holding `Inner` must never be the ones to release them (or call them) later,
        // possibly while the host is exiting (Python aborts: "FATAL: exception not rethrown").
        self.inner.closing.store(true, Ordering::SeqCst);
        let observer = self
            .inner
            .observer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let sink = self.inner.client.clear_token_sink();
        drop((observer, sink));
        if let Some(rt) = self
            .runtime
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            // Waiting blocks; an app (or a test) may drop the bridge on an async thread.
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(SHUTDOWN_WAIT);
            }
        }
    }
}

fn invalid(message: impl Into<String>) -> FieldlineError {
    FieldlineError::InvalidArgument {
        message: message.into(),
    }
}

fn parse_id(raw: &str, what: &str) -> Result<Uuid, FieldlineError> {
    Uuid::parse_str(raw).map_err(|_| invalid(format!("{what} is not a UUID")))
}

fn to_json<T: Serialize>(v: &T) -> Result<String, FieldlineError> {
    serde_json::to_string(v).map_err(|e| FieldlineError::Protocol {
        message: e.to_string(),
    })
}

/// Where the agency's settings are kept on the device (plain: they are the agency's, not
/// anyone's personal data), so they hold after a restart with no signal.
const FALLBACK_PHONE: &str = "fallback_phone";
const EMERGENCY_NUMBER: &str = "emergency_number";
const TIME_ZONE: &str = "time_zone";
const DISTANCE_UNIT: &str = "distance_unit";

fn signed_in(me: Me) -> SignedIn {
    SignedIn {
        user_id: me.id.to_string(),
        email: me.email.as_str().to_owned(),
        display_name: me.display_name,
        agency_id: me.agency.id.to_string(),
        agency_name: me.agency.name,
        roles: me
            .roles
            .iter()
            .map(|r| {
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect(),
        coordinator_fallback_phone: me.agency.coordinator_fallback_phone,
        emergency_number: me.agency.emergency_number,
        time_zone: me.agency.time_zone,
        distance_unit: me.agency.distance_unit.into(),
    }
}

#[uniffi::export]
impl Bridge {
    /// Opens (or creates) the on-device database at `db_path`, sealed with `db_key` (32 bytes
    /// from the platform keystore), for the server at `server_url`.
    #[uniffi::constructor]
    pub fn new(
        server_url: String,
        db_path: String,
        db_key: Vec<u8>,
        token_store: Arc<dyn TokenStore>,
    ) -> Result<Arc<Bridge>, FieldlineError> {
        Bridge::with_options(
            server_url,
            db_path,
            db_key,
            token_store,
            BridgeOptions::default(),
        )
    }

    /// A new id for something the user is creating (a contact, a person, a screening).
    pub fn new_id(&self) -> String {
        Uuid::new_v4().to_string()
    }

    /// Points the bridge at another server origin: `https`, or `http` only to this device's
    /// loopback.
    pub fn set_server_url(&self, server_url: String) -> Result<(), FieldlineError> {
        Ok(self.inner.client.set_base_url(&server_url)?)
    }

    pub fn set_alert_observer(&self, observer: Arc<dyn AlertObserver>) {
        *self
            .inner
            .observer
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    /// The coordinator's number to call when an alert cannot be delivered, as of the last
    /// sign-in or sync.
    pub fn coordinator_fallback_phone(&self) -> Option<String> {
        self.inner.store.meta(FALLBACK_PHONE).ok().flatten()
    }

    /// The agency's settings the screens follow (time zone, numbers to call, distance unit),
    /// as of the last sign-in or sync, kept on the device: there offline and after a restart.
    /// `None` before the first sign-in on this device (and after sign-out).
    pub fn agency_settings(&self) -> Result<Option<AgencySettings>, FieldlineError> {
        Ok(self.inner.agency_settings()?)
    }

    // --- Session --------------------------------------------------------------------------

    pub async fn login(&self, email: String, password: String) -> Result<SignedIn, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            let me = inner.client.login(&email, &password).await?;
            let signed_in = inner.adopt(me).await?;
            // Alerts that waited for a session go out now.
            if inner.has_undelivered_alerts()? {
                Inner::start_alert_retry(&inner);
            }
            Ok(signed_in)
        })
        .await
    }

    /// Signs in again with the refresh token the app kept (after a restart).
    pub async fn resume(&self, refresh_token: String) -> Result<SignedIn, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            let me = inner.client.resume(&refresh_token).await?;
            let signed_in = inner.adopt(me).await?;
            if inner.has_undelivered_alerts()? {
                Inner::start_alert_retry(&inner);
            }
            Ok(signed_in)
        })
        .await
    }

    /// Signs this device out and forgets everything of the user on it (cached records,
    /// directory results, sync cursor). Changes not yet sent are the user's work: with any
    /// left this refuses (`PendingChanges`) unless `discard_pending`, so the app can offer
    /// "sync first" or "sign out and lose N changes".
    pub async fn logout(&self, discard_pending: bool) -> Result<(), FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            let pending = inner.store.items(&[])?.len() as u32;
            if pending > 0 && !discard_pending {
                return Err(FieldlineError::PendingChanges { count: pending });
            }
            let res = inner.client.logout().await;
            inner.store.wipe()?;
            match res {
                Ok(()) | Err(BridgeError::Offline) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    // --- Directory ------------------------------------------------------------------------

    /// Places near the advocate, nearest first; `filters` such as `&has_beds=true`. With no
    /// signal, the last results (with their age, `from_cache`); `Offline` if there are none.
    pub async fn nearby(
        &self,
        latitude: f64,
        longitude: f64,
        radius_m: f64,
        filters: String,
    ) -> Result<NearbyResult, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            match inner
                .client
                .nearby(latitude, longitude, radius_m, &filters)
                .await
            {
                Ok(list) => {
                    let json = serde_json::to_vec(&list)
                        .map_err(|e| BridgeError::Protocol(e.to_string()))?;
                    let at = now_ms();
                    inner.store.put_directory(&json, at)?;
                    Ok(NearbyResult {
                        entries_json: String::from_utf8_lossy(&json).into_owned(),
                        fetched_at_ms: at,
                        age_seconds: 0,
                        from_cache: false,
                    })
                }
                Err(BridgeError::Offline) => inner.cached_nearby()?.ok_or(FieldlineError::Offline),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// The last nearby results, with their age, without asking the server.
    pub fn cached_nearby(&self) -> Result<Option<NearbyResult>, FieldlineError> {
        self.inner.cached_nearby()
    }

    /// One place, from the server.
    pub async fn directory_entry(&self, entry_id: String) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&entry_id, "entry_id")?;
        self.run(async move { to_json(&inner.client.directory_entry(id).await?) })
            .await
    }

    // --- Contacts, screenings, safety plans (through the outbox) --------------------------

    /// Records a contact (a `ContactInput` as JSON; screenings ride in `screenings`, each with
    /// its own id). `contact_id`: `None` for a new contact (an id is made now), or the id of
    /// the contact being changed, with `base_version` the version the user edited. Stored
    /// durably before this returns; delivered now if there is signal, else at the next sync.
    pub async fn save_contact(
        &self,
        contact_id: Option<String>,
        contact_json: String,
        base_version: Option<i64>,
    ) -> Result<Queued, FieldlineError> {
        let input: ContactInput = serde_json::from_str(&contact_json)
            .map_err(|e| invalid(format!("not a contact: {e}")))?;
        let id = match contact_id {
            Some(raw) => parse_id(&raw, "contact_id")?,
            None => Uuid::new_v4(),
        };
        let body = serde_json::to_vec(&input).map_err(|e| invalid(e.to_string()))?;
        self.enqueue_and_deliver(CONTACT, id, base_version, body)
            .await
    }

    /// Saves the next version of a person's safety plan (`SafetyPlanContent` as JSON);
    /// `base_version` is the version the user edited (`None` for the first).
    pub async fn save_safety_plan(
        &self,
        person_id: String,
        plan_json: String,
        base_version: Option<i64>,
    ) -> Result<Queued, FieldlineError> {
        let content: SafetyPlanContent = serde_json::from_str(&plan_json)
            .map_err(|e| invalid(format!("not a safety plan: {e}")))?;
        let id = parse_id(&person_id, "person_id")?;
        let body = serde_json::to_vec(&content).map_err(|e| invalid(e.to_string()))?;
        self.enqueue_and_deliver(SAFETY_PLAN, id, base_version, body)
            .await
    }

    /// Everything not yet accepted by the server, in the order the user made it.
    pub fn outbox(&self) -> Result<Vec<OutboxItem>, FieldlineError> {
        let store = &self.inner.store;
        store
            .items(&[])?
            .into_iter()
            .map(|i| self.inner.item_view(&i))
            .collect()
    }

    /// Settles a conflicted (or rejected) change: `keep_mine` sends it again on top of the
    /// server's version; otherwise it is dropped and the server's version stands.
    pub async fn resolve_conflict(
        &self,
        mutation_id: String,
        keep_mine: bool,
    ) -> Result<(), FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            let item = inner
                .store
                .item(&mutation_id)?
                .ok_or_else(|| invalid("no such change in the outbox"))?;
            let done = if keep_mine {
                inner.store.requeue_over(&item.id, item.server_version)?
            } else {
                inner.store.discard(&item.id)?
            };
            if !done {
                return Err(invalid("that change is not waiting for a decision"));
            }
            if keep_mine {
                Inner::flush_in_background(&inner);
            }
            Ok(())
        })
        .await
    }

    /// Delivers the outbox in order, then brings the cached contacts, people and safety plans
    /// up to date from the server's cursor.
    pub async fn sync(&self) -> Result<SyncReport, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { inner.sync().await }).await
    }

    /// The contacts cached for reading offline (`Contact` JSON each, with its age).
    pub fn cached_contacts(&self) -> Result<Vec<CachedRecord>, FieldlineError> {
        self.inner.cached(CONTACT)
    }

    pub fn cached_contact(
        &self,
        contact_id: String,
    ) -> Result<Option<CachedRecord>, FieldlineError> {
        let now = now_ms();
        Ok(self
            .inner
            .store
            .record(CONTACT, &contact_id)?
            .map(|(v, body, at)| cached_record(contact_id, v, body, at, now)))
    }

    /// The safety plans cached for reading offline (`SafetyPlan` JSON each).
    pub fn cached_safety_plans(&self) -> Result<Vec<CachedRecord>, FieldlineError> {
        self.inner.cached(SAFETY_PLAN)
    }

    /// The cached plan of one person, if any.
    pub fn cached_safety_plan(
        &self,
        person_id: String,
    ) -> Result<Option<CachedRecord>, FieldlineError> {
        let pid = parse_id(&person_id, "person_id")?;
        Ok(self.inner.cached(SAFETY_PLAN)?.into_iter().find(|r| {
            serde_json::from_str::<serde_json::Value>(&r.json)
                .ok()
                .and_then(|v| {
                    v.get("person_id")
                        .and_then(|p| p.as_str())
                        .map(|p| p == pid.to_string())
                })
                .unwrap_or(false)
        }))
    }

    /// A person's current plan from the server (and into the cache).
    pub async fn safety_plan(&self, person_id: String) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&person_id, "person_id")?;
        self.run(async move {
            let plan = inner.client.safety_plan(id).await?;
            let json =
                serde_json::to_vec(&plan).map_err(|e| BridgeError::Protocol(e.to_string()))?;
            inner.store.put_record(
                SAFETY_PLAN,
                &plan.id.to_string(),
                Some(plan.version),
                &json,
                now_ms(),
            )?;
            Ok(String::from_utf8_lossy(&json).into_owned())
        })
        .await
    }

    // --- Alerts ---------------------------------------------------------------------------

    /// Raises an alert (`next_of_kin`, `high_risk`, `advocate_safety`). Tries once, briefly;
    /// with no connection answers `NotDelivered` at once with the coordinator fallback number
    /// and the emergency number, keeps retrying in the background and calls
    /// `AlertObserver.alert_delivered` when it lands.
    pub async fn raise_alert(
        &self,
        kind: String,
        details: Option<String>,
        contact_id: Option<String>,
    ) -> Result<AlertOutcome, FieldlineError> {
        let kind: AlertKind = serde_json::from_value(serde_json::Value::String(kind))
            .map_err(|_| invalid("kind must be next_of_kin, high_risk or advocate_safety"))?;
        let contact_id = contact_id.map(|c| parse_id(&c, "contact_id")).transpose()?;
        let raise = RaiseAlert {
            id: Uuid::new_v4(),
            kind,
            dedup_key: None,
            details,
            contact_id,
            // The kind's own urgency.
            urgency: None,
        };
        let body = serde_json::to_vec(&raise).map_err(|e| invalid(e.to_string()))?;
        self.raise(ALERT, raise.id, body).await
    }

    /// The duress button: an advocate-safety alert at the highest urgency, with where the
    /// phone is if known. Same delivery rules as `raise_alert`.
    pub async fn duress(
        &self,
        latitude: Option<f64>,
        longitude: Option<f64>,
        precision_m: Option<u32>,
    ) -> Result<AlertOutcome, FieldlineError> {
        let location = match (latitude, longitude) {
            (Some(latitude), Some(longitude)) => Some(LocationReport {
                latitude,
                longitude,
                precision_m: precision_m.unwrap_or(50),
            }),
            _ => None,
        };
        let d = Duress {
            id: Uuid::new_v4(),
            location,
        };
        let body = serde_json::to_vec(&d).map_err(|e| invalid(e.to_string()))?;
        self.raise(DURESS, d.id, body).await
    }

    /// Alerts (`Alert` list JSON): `state` `triggered`, `acknowledged`, `resolved`, or all open.
    pub async fn alerts(&self, state: Option<String>) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { to_json(&inner.client.alerts(state.as_deref()).await?) })
            .await
    }

    /// One alert with its timeline (`Alert` JSON): to watch its state.
    pub async fn alert(&self, alert_id: String) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&alert_id, "alert_id")?;
        self.run(async move { to_json(&inner.client.alert(id).await?) })
            .await
    }

    pub async fn acknowledge_alert(&self, alert_id: String) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&alert_id, "alert_id")?;
        self.run(async move { to_json(&inner.client.acknowledge_alert(id).await?) })
            .await
    }

    pub async fn resolve_alert(&self, alert_id: String) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&alert_id, "alert_id")?;
        self.run(async move { to_json(&inner.client.resolve_alert(id).await?) })
            .await
    }

    // --- Push -----------------------------------------------------------------------------

    /// The server's VAPID public key (base64url), for the push subscription.
    pub async fn vapid_public_key(&self) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { Ok(inner.client.vapid_public_key().await?.public_key) })
            .await
    }

    /// Registers this device's Web Push subscription; returns its id.
    pub async fn register_push(
        &self,
        endpoint: String,
        p256dh: String,
        auth: String,
    ) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            let s = inner
                .client
                .register_push(&NewSubscription {
                    endpoint,
                    expiration_time: None,
                    keys: SubscriptionKeys { p256dh, auth },
                })
                .await?;
            Ok(s.id.to_string())
        })
        .await
    }

    pub async fn unregister_push(&self, subscription_id: String) -> Result<(), FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&subscription_id, "subscription_id")?;
        self.run(async move { Ok(inner.client.unregister_push(id).await?) })
            .await
    }

    // --- On call ---------------------------------------------------------------------------

    /// My coming on-call shifts (`MyShiftList` JSON) for `days` from now (default 14).
    pub async fn my_shifts(&self, days: Option<i64>) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { to_json(&inner.client.my_shifts(days).await?) })
            .await
    }

    /// A new secret URL of my shifts as an iCalendar feed, for the phone's calendar app; any
    /// older one stops working. Shown once: the server keeps only its hash.
    pub async fn create_calendar_feed(&self) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { Ok(inner.client.create_calendar_feed().await?) })
            .await
    }

    /// Whether a calendar feed exists (`CalendarFeedStatus` JSON; never the URL).
    pub async fn calendar_feed_status(&self) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { to_json(&inner.client.calendar_feed_status().await?) })
            .await
    }

    pub async fn revoke_calendar_feed(&self) -> Result<(), FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { Ok(inner.client.revoke_calendar_feed().await?) })
            .await
    }

    // --- Advocate safety ------------------------------------------------------------------

    /// Starts a scene check-in ending at `expected_end_ms` (Unix ms). Sent now, not queued: a
    /// check-in the server does not know about protects nobody, so `Offline` is an error the
    /// app shows. Returns the `Checkin` JSON.
    pub async fn start_checkin(
        &self,
        expected_end_ms: i64,
        grace_minutes: i32,
    ) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let end = chrono::DateTime::from_timestamp_millis(expected_end_ms)
            .ok_or_else(|| invalid("expected_end_ms is out of range"))?;
        self.run(async move {
            let c = inner
                .client
                .start_checkin(
                    &StartCheckin {
                        id: Uuid::new_v4(),
                        expected_end_at: end,
                        grace_minutes,
                    },
                    Call::idempotent(),
                )
                .await?;
            to_json(&c)
        })
        .await
    }

    pub async fn extend_checkin(
        &self,
        checkin_id: String,
        expected_end_ms: i64,
    ) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&checkin_id, "checkin_id")?;
        let end = chrono::DateTime::from_timestamp_millis(expected_end_ms)
            .ok_or_else(|| invalid("expected_end_ms is out of range"))?;
        self.run(async move {
            to_json(
                &inner
                    .client
                    .extend_checkin(
                        id,
                        &ExtendCheckin {
                            expected_end_at: end,
                        },
                        Call::idempotent(),
                    )
                    .await?,
            )
        })
        .await
    }

    pub async fn report_location(
        &self,
        checkin_id: String,
        latitude: f64,
        longitude: f64,
        precision_m: u32,
    ) -> Result<(), FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&checkin_id, "checkin_id")?;
        self.run(async move {
            let l = LocationReport {
                latitude,
                longitude,
                precision_m,
            };
            Ok(inner
                .client
                .report_location(id, &l, Call::idempotent())
                .await?)
        })
        .await
    }

    /// Checks out with the code typed on the screen (the duress code checks out visibly like
    /// any other and raises an alert silently). Returns the `Checkin` JSON.
    pub async fn checkout(
        &self,
        checkin_id: String,
        code: Option<String>,
    ) -> Result<String, FieldlineError> {
        let inner = self.inner.clone();
        let id = parse_id(&checkin_id, "checkin_id")?;
        self.run(async move {
            to_json(
                &inner
                    .client
                    .checkout(id, &Checkout { code }, Call::idempotent())
                    .await?,
            )
        })
        .await
    }

    pub async fn set_duress_code(&self, code: String) -> Result<(), FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move { Ok(inner.client.set_duress_code(&DuressCode { code }).await?) })
            .await
    }

    /// Bytes the on-device database occupies.
    pub fn database_size_bytes(&self) -> u64 {
        self.inner.store.disk_size(&self.inner.db_path)
    }
}

impl Bridge {
    /// `Bridge::new` with settings (the Rust API: tests, benchmarks).
    pub fn with_options(
        server_url: String,
        db_path: String,
        db_key: Vec<u8>,
        token_store: Arc<dyn TokenStore>,
        options: BridgeOptions,
    ) -> Result<Arc<Bridge>, FieldlineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fieldline-bridge")
            .enable_all()
            .build()
            .map_err(|e| FieldlineError::Storage {
                message: format!("starting the bridge runtime: {e}"),
            })?;
        let client_options = ClientOptions {
            auto_refresh: true,
            ..options.client
        };
        let client = Client::with_options(&server_url, client_options)?;
        client.set_token_sink(Arc::new(Sink(token_store)));
        let db_path = PathBuf::from(db_path);
        let store = Store::open(&db_path, &db_key)?;
        let handle = runtime.handle().clone();
        let bridge = Arc::new(Bridge {
            inner: Arc::new(Inner {
                client,
                store,
                db_path,
                observer: Mutex::new(None),
                flushing: tokio::sync::Mutex::new(()),
                alert_retry_running: AtomicBool::new(false),
                flush_running: AtomicBool::new(false),
                flush_again: AtomicBool::new(false),
                alert_wake: tokio::sync::Notify::new(),
                alert_retry_backoff: options.alert_retry_backoff,
                raising: Mutex::new(HashSet::new()),
                closing: AtomicBool::new(false),
                handle: handle.clone(),
            }),
            runtime: Mutex::new(Some(runtime)),
            handle,
        });
        // Alerts left undelivered when the app last stopped are retried at once.
        if bridge.inner.has_undelivered_alerts()? {
            Inner::start_alert_retry(&bridge.inner);
        }
        Ok(bridge)
    }
}

impl Bridge {
    /// Runs a future on the bridge's runtime and waits for it from whatever executor the
    /// caller uses (Kotlin coroutines, Swift tasks, asyncio, another tokio runtime).
    async fn run<T: Send + 'static>(
        &self,
        fut: impl std::future::Future<Output = Result<T, FieldlineError>> + Send + 'static,
    ) -> Result<T, FieldlineError> {
        self.handle
            .spawn(fut)
            .await
            .map_err(|e| FieldlineError::Protocol {
                message: format!("bridge task failed: {e}"),
            })?
    }

    async fn enqueue_and_deliver(
        &self,
        kind: &'static str,
        record_id: Uuid,
        if_match: Option<i64>,
        body: Vec<u8>,
    ) -> Result<Queued, FieldlineError> {
        let mutation_id = Uuid::new_v4().to_string();
        let inner = self.inner.clone();
        let record = record_id.to_string();
        inner
            .store
            .enqueue(&mutation_id, kind, &record, if_match, &body)?;
        // Durable now; delivery is best effort in the background.
        Inner::flush_in_background(&inner);
        Ok(Queued {
            mutation_id,
            record_id: record,
        })
    }

    async fn raise(
        &self,
        kind: &'static str,
        id: Uuid,
        body: Vec<u8>,
    ) -> Result<AlertOutcome, FieldlineError> {
        let inner = self.inner.clone();
        self.run(async move {
            let alert_id = id.to_string();
            // Durable first: if the app is killed mid-call the alert still goes out.
            inner
                .store
                .enqueue(&alert_id, kind, &alert_id, None, &body)?;
            inner
                .raising
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(alert_id.clone());
            let outcome = inner.raise_now(&alert_id).await;
            inner
                .raising
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&alert_id);
            match outcome {
                Ok(true) => {
                    // The server answered, so the network is back: an alert still waiting (one
                    // whose answer a backed-off retry lost) goes now, not after its backoff.
                    if inner.has_undelivered_alerts().unwrap_or(false) {
                        Inner::start_alert_retry(&inner);
                    }
                    Ok(AlertOutcome::Delivered { alert_id })
                }
                // Refused for good (e.g. invalid details): nothing to retry, the app is told.
                Err(e) if refuses_alert(&e) => Err(e.into()),
                // Not acknowledged — no connection, an answer lost or cut short, a portal,
                // the session ended (it goes out once the user signs in again), the device's
                // storage failing: the app is told now, with the number to call, and the
                // bridge keeps trying. The first retry is immediate: if the server has it,
                // the app learns so at once.
                Ok(false) | Err(_) => {
                    Inner::start_alert_retry(&inner);
                    Ok(AlertOutcome::NotDelivered {
                        alert_id,
                        coordinator_fallback_phone: inner.store.meta(FALLBACK_PHONE)?,
                        emergency_number: inner.store.meta(EMERGENCY_NUMBER)?,
                    })
                }
            }
        })
        .await
    }
}

fn cached_record(
    id: String,
    version: Option<i64>,
    body: Vec<u8>,
    at: i64,
    now: i64,
) -> CachedRecord {
    CachedRecord {
        id,
        version,
        json: String::from_utf8_lossy(&body).into_owned(),
        synced_at_ms: at,
        age_seconds: ((now - at) / 1000).max(0),
    }
}

impl Inner {
    /// After a sign-in: the device's data belongs to one user. Another user's unsent
    /// changes must not go out under this user's name, so that sign-in is refused (and ended
    /// on the server); another user's cached records are forgotten.
    async fn adopt(&self, me: Me) -> Result<SignedIn, FieldlineError> {
        let me_id = me.id.to_string();
        match self.store.meta("user_id")? {
            Some(owner) if owner != me_id => {
                let pending = self.store.items(&[])?.len() as u32;
                if pending > 0 {
                    let _ = self.client.logout().await;
                    return Err(FieldlineError::PendingChanges { count: pending });
                }
                self.store.wipe()?;
            }
            _ => {}
        }
        self.store.set_meta("user_id", &me_id)?;
        Ok(self.remember_me(me)?)
    }

    /// Keeps the agency's settings from `/v1/me` (all of them or none: one transaction).
    fn remember_me(&self, me: Me) -> Result<SignedIn, BridgeError> {
        let a = &me.agency;
        self.store.in_transaction(|s| {
            for (key, value) in [
                (FALLBACK_PHONE, a.coordinator_fallback_phone.as_deref()),
                (EMERGENCY_NUMBER, a.emergency_number.as_deref()),
                (TIME_ZONE, Some(a.time_zone.as_str())),
                (DISTANCE_UNIT, Some(a.distance_unit.as_str())),
            ] {
                match value {
                    Some(v) => s.set_meta(key, v)?,
                    None => s.delete_meta(key)?,
                }
            }
            Ok(())
        })?;
        Ok(signed_in(me))
    }

    /// The kept settings; `None` until a sign-in or sync stored them (a database from a
    /// bridge before they were kept has only the fallback phone until then).
    fn agency_settings(&self) -> Result<Option<AgencySettings>, BridgeError> {
        let Some(time_zone) = self.store.meta(TIME_ZONE)? else {
            return Ok(None);
        };
        let distance_unit = self
            .store
            .meta(DISTANCE_UNIT)?
            .and_then(|u| DistanceUnit::parse(&u))
            .unwrap_or(DistanceUnit::Km);
        Ok(Some(AgencySettings {
            time_zone,
            coordinator_fallback_phone: self.store.meta(FALLBACK_PHONE)?,
            emergency_number: self.store.meta(EMERGENCY_NUMBER)?,
            distance_unit,
        }))
    }

    fn cached_nearby(&self) -> Result<Option<NearbyResult>, FieldlineError> {
        let now = now_ms();
        Ok(self.store.directory()?.map(|(body, at)| NearbyResult {
            entries_json: String::from_utf8_lossy(&body).into_owned(),
            fetched_at_ms: at,
            age_seconds: ((now - at) / 1000).max(0),
            from_cache: true,
        }))
    }

    fn cached(&self, record_type: &str) -> Result<Vec<CachedRecord>, FieldlineError> {
        let now = now_ms();
        Ok(self
            .store
            .records(record_type)?
            .into_iter()
            .map(|(id, v, body, at)| cached_record(id, v, body, at, now))
            .collect())
    }

    fn item_view(&self, i: &StoredItem) -> Result<OutboxItem, FieldlineError> {
        let state = match i.state.as_str() {
            "conflict" => OutboxState::Conflict,
            "rejected" => OutboxState::Rejected,
            _ => OutboxState::Pending,
        };
        let mine = self.store.body(i)?;
        let server = self.store.server_body(i)?;
        Ok(OutboxItem {
            mutation_id: i.id.clone(),
            kind: i.kind.clone(),
            record_id: i.record_id.clone(),
            state,
            attempts: i.attempts,
            last_error: i.last_error.clone(),
            base_version: i.if_match,
            created_at_ms: i.created_at,
            updated_at_ms: i.updated_at,
            mine_json: String::from_utf8_lossy(&mine).into_owned(),
            server_version: i.server_version,
            server_json: server.map(|s| String::from_utf8_lossy(&s).into_owned()),
        })
    }

    /// Alerts (and duress) not yet acknowledged by the server, except those a `raise` is
    /// sending right now.
    fn undelivered_alerts(&self) -> Result<Vec<StoredItem>, BridgeError> {
        Ok(self
            .store
            .items(&["pending"])?
            .into_iter()
            .filter(|i| (i.kind == ALERT || i.kind == DURESS) && !self.is_raising(&i.id))
            .collect())
    }

    fn has_undelivered_alerts(&self) -> Result<bool, BridgeError> {
        Ok(!self.undelivered_alerts()?.is_empty())
    }

    fn is_raising(&self, id: &str) -> bool {
        self.raising
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
    }

    /// One attempt at an alert in the outbox. `Ok(true)`: the server acknowledged it (it
    /// leaves the outbox). `Ok(false)`: not acknowledged (it stays, the attempt is counted).
    /// `Err`: the server refused it (it leaves the outbox; the error says why).
    async fn raise_now(&self, alert_id: &str) -> Result<bool, BridgeError> {
        let item = self
            .store
            .item(alert_id)?
            .ok_or_else(|| BridgeError::Storage("alert vanished from the outbox".into()))?;
        let call = Call {
            timeout: Some(ALERT_ATTEMPT_TIMEOUT),
            no_retry: true,
            ..Call::default()
        };
        match self.deliver(&item, call).await {
            Ok(_) => {
                self.store.delivered(alert_id)?;
                Ok(true)
            }
            Err(e) if refuses_alert(&e) => {
                self.store.delivered(alert_id)?;
                Err(e)
            }
            Err(e) => {
                self.store.attempted(alert_id, &describe(&e))?;
                Ok(false)
            }
        }
    }

    /// Sends one queued mutation. `Ok` means the server has it (now or from before), with the
    /// record's version in the answer for a contact or a safety plan.
    async fn deliver(&self, item: &StoredItem, call: Call) -> Result<Option<i64>, BridgeError> {
        let body = self.store.body(item)?;
        let bad = |e: serde_json::Error| BridgeError::Storage(format!("queued body: {e}"));
        let record = Uuid::parse_str(&item.record_id)
            .map_err(|_| BridgeError::Storage("queued record id".into()))?;
        let version = match item.kind.as_str() {
            CONTACT => {
                let input: ContactInput = serde_json::from_slice(&body).map_err(bad)?;
                // The queued change's own id tells the server a replay from a new change.
                let call = Call {
                    change_id: Uuid::parse_str(&item.id).ok(),
                    ..call
                };
                let c = self
                    .client
                    .put_contact(record, &input, item.if_match, call)
                    .await?;
                let json = serde_json::to_vec(&c).map_err(bad)?;
                self.store.put_record(
                    CONTACT,
                    &c.id.to_string(),
                    Some(c.version),
                    &json,
                    now_ms(),
                )?;
                Some(c.version)
            }
            SAFETY_PLAN => {
                let content: SafetyPlanContent = serde_json::from_slice(&body).map_err(bad)?;
                let p = self
                    .client
                    .put_safety_plan(record, &content, item.if_match, call)
                    .await?;
                let json = serde_json::to_vec(&p).map_err(bad)?;
                self.store.put_record(
                    SAFETY_PLAN,
                    &p.id.to_string(),
                    Some(p.version),
                    &json,
                    now_ms(),
                )?;
                Some(p.version)
            }
            ALERT => {
                let raise: RaiseAlert = serde_json::from_slice(&body).map_err(bad)?;
                self.client.raise_alert(&raise, call).await?;
                None
            }
            DURESS => {
                let d: Duress = serde_json::from_slice(&body).map_err(bad)?;
                self.client.duress(&d, call).await?;
                None
            }
            other => return Err(BridgeError::Storage(format!("unknown queued kind {other}"))),
        };
        Ok(version)
    }

    /// The server's side of a conflict, to show next to the user's: `Ok(None)` when the
    /// server has none to show (the record is gone or hidden), `Err` when it could not be read
    /// now (no connection, an answer lost, cut short or unreadable, the session or the rate).
    async fn server_side(&self, item: &StoredItem) -> Result<Option<Vec<u8>>, BridgeError> {
        let Ok(id) = Uuid::parse_str(&item.record_id) else {
            return Ok(None);
        };
        let read = match item.kind.as_str() {
            CONTACT => self
                .client
                .contact(id)
                .await
                .map(|c| serde_json::to_vec(&c)),
            SAFETY_PLAN => self
                .client
                .safety_plan(id)
                .await
                .map(|p| serde_json::to_vec(&p)),
            _ => return Ok(None),
        };
        match read {
            Ok(json) => Ok(json.ok()),
            Err(e) if e.is_refusal() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replays pending items in order. Stops at the first sign of no connection; a record
    /// whose earlier change is stuck (conflict, refused, not sent) keeps its later changes back.
    /// Runs of contacts about different contacts and people go out several at a time (they are
    /// independent on the server); anything else goes alone, in its place.
    async fn flush(self: &Arc<Self>, call: Call) -> Result<(u32, u32, u32), BridgeError> {
        const IN_FLIGHT: usize = 8;
        let _one = self.flushing.lock().await;
        let (mut sent, mut conflicts, mut rejected) = (0, 0, 0);
        let mut held: std::collections::HashSet<String> = Default::default();
        let items = self.store.items(&[])?;
        let mut next = 0;
        while next < items.len() {
            let mut batch: Vec<StoredItem> = Vec::new();
            let mut keys: std::collections::HashSet<String> = Default::default();
            while next < items.len() && batch.len() < IN_FLIGHT {
                let item = &items[next];
                if item.state != "pending" || held.contains(&item.record_id) {
                    held.insert(item.record_id.clone());
                    next += 1;
                    continue;
                }
                if self.is_raising(&item.id) {
                    // Its own raise is sending it right now.
                    next += 1;
                    continue;
                }
                if item.kind != CONTACT {
                    if batch.is_empty() {
                        batch.push(item.clone());
                        next += 1;
                    }
                    break;
                }
                let person = self.person_of(item);
                if keys.contains(&item.record_id)
                    || person.as_ref().is_some_and(|p| keys.contains(p))
                {
                    break;
                }
                keys.insert(item.record_id.clone());
                keys.extend(person);
                batch.push(item.clone());
                next += 1;
            }
            // An earlier change to the same record, delivered since the outbox was read, may
            // have moved these onto the version it made.
            for item in &mut batch {
                if let Some(now) = self.store.item(&item.id)? {
                    item.if_match = now.if_match;
                }
            }
            let mut running = tokio::task::JoinSet::new();
            for (n, item) in batch.iter().cloned().enumerate() {
                let me = self.clone();
                running.spawn(async move { (n, me.deliver(&item, call).await) });
            }
            let mut results: Vec<Option<Result<Option<i64>, BridgeError>>> =
                (0..batch.len()).map(|_| None).collect();
            while let Some(done) = running.join_next().await {
                let (n, res) = done.map_err(|e| BridgeError::Protocol(e.to_string()))?;
                results[n] = Some(res);
            }
            // Outcomes in the order the user made the changes; the first stop wins.
            let mut stop = None;
            for (item, res) in batch.iter().zip(results) {
                let Some(res) = res else { continue };
                match res {
                    Ok(version) => {
                        // The record's later changes here go on top of the version it made:
                        // the one after its base (a replay's answer is the record as it is
                        // now, perhaps changed since by someone else), else the answer's.
                        let made = version.map(|v| item.if_match.map_or(v, |base| base + 1));
                        let removed = match made {
                            Some(v) => {
                                self.store
                                    .delivered_as(&item.id, &item.kind, &item.record_id, v)?
                            }
                            None => self.store.delivered(&item.id)?,
                        };
                        sent += 1;
                        if removed && (item.kind == ALERT || item.kind == DURESS) {
                            self.notify_delivered(&item.id);
                        }
                    }
                    Err(e) if e.is_transient() => {
                        self.store.attempted(&item.id, "offline")?;
                        stop.get_or_insert(e);
                    }
                    Err(e @ (BridgeError::Unauthorized(_) | BridgeError::RateLimited { .. })) => {
                        stop.get_or_insert(e);
                    }
                    // An answer this client cannot read, or the device's storage failing, says
                    // nothing against the change: it stays pending.
                    Err(e @ (BridgeError::Protocol(_) | BridgeError::Storage(_))) => {
                        self.store.attempted(&item.id, &describe(&e))?;
                        stop.get_or_insert(e);
                    }
                    Err(BridgeError::Conflict {
                        current_version, ..
                    }) => {
                        // A conflict is shown with both sides: if the server's cannot be read
                        // now, the change stays pending and meets its conflict again next time.
                        let theirs = match self.server_side(item).await {
                            Ok(theirs) => theirs,
                            Err(e) => {
                                if !matches!(
                                    e,
                                    BridgeError::Unauthorized(_) | BridgeError::RateLimited { .. }
                                ) {
                                    self.store.attempted(&item.id, &describe(&e))?;
                                }
                                held.insert(item.record_id.clone());
                                stop.get_or_insert(e);
                                continue;
                            }
                        };
                        let version = current_version.or_else(|| {
                            let v: serde_json::Value =
                                serde_json::from_slice(theirs.as_deref()?).ok()?;
                            v.get("version")?.as_i64()
                        });
                        self.store
                            .conflicted(&item.id, version, theirs.as_deref())?;
                        held.insert(item.record_id.clone());
                        conflicts += 1;
                    }
                    Err(e) => {
                        debug_assert!(e.is_refusal(), "{e:?}");
                        self.store.rejected(&item.id, &describe(&e))?;
                        held.insert(item.record_id.clone());
                        rejected += 1;
                    }
                }
            }
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok((sent, conflicts, rejected))
    }

    /// The person a queued contact is about (contacts about one person go one at a time).
    fn person_of(&self, item: &StoredItem) -> Option<String> {
        let body = self.store.body(item).ok()?;
        let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
        Some(format!("person:{}", v.get("person")?.get("id")?.as_str()?))
    }

    async fn sync(self: &Arc<Self>) -> Result<SyncReport, FieldlineError> {
        self.sync_inner().await.map_err(|e| {
            if e.is_transient() {
                FieldlineError::Offline
            } else {
                e.into()
            }
        })
    }

    async fn sync_inner(self: &Arc<Self>) -> Result<SyncReport, BridgeError> {
        let (sent, conflicts, rejected) = self.flush(Call::idempotent()).await?;
        let me = self.client.me().await?;
        self.remember_me(me)?;
        let (mut received, mut deleted) = (0u32, 0u32);
        loop {
            let cursor = self.store.meta("cursor")?;
            let page = self.client.sync_page(cursor.as_deref(), 500).await?;
            let now = now_ms();
            let (r, d) = self.store.in_transaction(|s| {
                let (mut r, mut d) = (0u32, 0u32);
                for c in &page.changes {
                    let id = c.id.to_string();
                    if c.deleted {
                        s.delete_record(&c.record_type, &id)?;
                        d += 1;
                        continue;
                    }
                    let (version, json) = match (&c.contact, &c.person, &c.safety_plan) {
                        (Some(contact), _, _) => {
                            (Some(contact.version), serde_json::to_vec(contact))
                        }
                        (_, Some(person), _) => (None, serde_json::to_vec(person)),
                        (_, _, Some(plan)) => (
                            plan.get("version").and_then(|v| v.as_i64()),
                            serde_json::to_vec(plan),
                        ),
                        _ => continue,
                    };
                    let json = json.map_err(|e| BridgeError::Protocol(e.to_string()))?;
                    s.put_record(&c.record_type, &id, version, &json, now)?;
                    r += 1;
                }
                s.set_meta("cursor", &page.cursor)?;
                Ok((r, d))
            })?;
            received += r;
            deleted += d;
            if !page.more {
                break;
            }
        }
        let pending = self.store.items(&["pending"])?.len() as u32;
        Ok(SyncReport {
            sent,
            conflicts,
            rejected,
            pending,
            received,
            deleted,
        })
    }

    /// One attempt at the outbox, without retries: with no signal the changes wait for the
    /// next change or `sync()`; it never holds up a sync behind a queue of failing attempts.
    fn flush_in_background(inner: &Arc<Inner>) {
        inner.flush_again.store(true, Ordering::SeqCst);
        if inner.flush_running.swap(true, Ordering::SeqCst) {
            return;
        }
        let inner = inner.clone();
        let handle = inner.handle.clone();
        handle.spawn(async move {
            let once = Call {
                no_retry: true,
                ..Call::idempotent()
            };
            let failed = loop {
                inner.flush_again.store(false, Ordering::SeqCst);
                let failed = inner.flush(once).await.is_err();
                if failed || !inner.flush_again.load(Ordering::SeqCst) {
                    break failed;
                }
            };
            inner.flush_running.store(false, Ordering::SeqCst);
            // A change made between the last round and the flag being cleared.
            if !failed && inner.flush_again.load(Ordering::SeqCst) {
                Inner::flush_in_background(&inner);
            }
        });
    }

    fn notify_delivered(&self, alert_id: &str) {
        if self.closing.load(Ordering::SeqCst) {
            return;
        }
        let observer = self
            .observer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(o) = observer {
            o.alert_delivered(alert_id.to_owned());
        }
    }

    /// Retries undelivered alerts until none are left (one task at a time): the first round
    /// at once, then with backoff. Started (or, when running, woken to try at once) by every
    /// alert that was not acknowledged, by one that was while others wait, by a sign-in, and
    /// when the bridge opens.
    fn start_alert_retry(inner: &Arc<Inner>) {
        if inner.alert_retry_running.swap(true, Ordering::SeqCst) {
            inner.alert_wake.notify_one();
            return;
        }
        let inner = inner.clone();
        let handle = inner.handle.clone();
        handle.spawn(async move {
            let mut failures = 0u32;
            while !inner.closing.load(Ordering::SeqCst) {
                let alerts = inner.undelivered_alerts().unwrap_or_default();
                if alerts.is_empty() {
                    break;
                }
                let mut acknowledged = true;
                for item in alerts {
                    if inner.is_raising(&item.id) {
                        continue;
                    }
                    let call = Call {
                        timeout: Some(ALERT_ATTEMPT_TIMEOUT),
                        no_retry: true,
                        ..Call::default()
                    };
                    match inner.deliver(&item, call).await {
                        Ok(_) => {
                            if inner.store.delivered(&item.id).unwrap_or(false) {
                                inner.notify_delivered(&item.id);
                            }
                        }
                        Err(e) if refuses_alert(&e) => {
                            let _ = inner.store.rejected(&item.id, &describe(&e));
                        }
                        Err(e) => {
                            let _ = inner.store.attempted(&item.id, &describe(&e));
                            acknowledged = false;
                        }
                    }
                }
                if acknowledged {
                    failures = 0;
                    continue;
                }
                failures += 1;
                let wait = backoff(inner.alert_retry_backoff, failures.min(6));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = inner.alert_wake.notified() => failures = 0,
                }
            }
            inner.alert_retry_running.store(false, Ordering::SeqCst);
            // An alert queued between the last check and the flag being cleared.
            if !inner.closing.load(Ordering::SeqCst)
                && inner.has_undelivered_alerts().unwrap_or(false)
            {
                Inner::start_alert_retry(&inner);
            }
        });
    }
}

/// The server refused an alert for good: it will never be accepted as it is.
fn refuses_alert(e: &BridgeError) -> bool {
    e.is_refusal() || matches!(e, BridgeError::Conflict { .. })
}

/// What to show for a refused change: the problem type and field pointers, never values.
fn describe(e: &BridgeError) -> String {
    match e {
        BridgeError::Validation(errors) => {
            let fields: Vec<String> = errors
                .iter()
                .map(|f| format!("{}: {}", f.pointer, f.message))
                .collect();
            format!("invalid: {}", fields.join("; "))
        }
        other => match other.problem() {
            Some(p) => p.kind.clone(),
            None => other.to_string(),
        },
    }
}
