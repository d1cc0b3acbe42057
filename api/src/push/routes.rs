//! `/v1/push/*`: registering devices for Web Push.

use super::{egress, outbox, store};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fieldline_wire::push::{
    NewSubscription, ParkedPushList, Subscription, SubscriptionList, TestPushQueued, VapidPublicKey,
};
use fieldline_wire::{FieldError, Problem};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vapid_public_key))
        .routes(routes!(list_subscriptions, subscribe))
        .routes(routes!(unsubscribe))
        .routes(routes!(send_test))
        .routes(routes!(parked))
}

/// The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
#[utoipa::path(get, path = "/v1/push/vapid-public-key", tag = "push", responses((status = 200, body = VapidPublicKey)))]
async fn vapid_public_key(State(state): State<AppState>) -> Json<VapidPublicKey> {
    Json(VapidPublicKey {
        public_key: state.config.vapid.public_key_base64url().to_owned(),
    })
}

/// Checks a subscription: an https endpoint of a public push service (http only on loopback
/// when allowed; `egress::check_endpoint`), a P-256 public key and a 16-byte auth secret.
/// Returns the decoded keys.
fn check(state: &AppState, s: &NewSubscription) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
    let mut errs = Vec::new();
    let mut err = |p: &str, m: &str| {
        errs.push(FieldError {
            pointer: p.into(),
            message: m.into(),
        })
    };
    if let Err(m) = egress::check_endpoint(&s.endpoint, state.config.push.allow_http_loopback) {
        err("/endpoint", m);
    }
    let p256dh = URL_SAFE_NO_PAD
        .decode(s.keys.p256dh.trim_end_matches('='))
        .ok()
        .filter(|k| p256::PublicKey::from_sec1_bytes(k).is_ok() && k.len() == 65);
    if p256dh.is_none() {
        err(
            "/keys/p256dh",
            "must be an uncompressed P-256 public key, base64url",
        );
    }
    let auth = URL_SAFE_NO_PAD
        .decode(s.keys.auth.trim_end_matches('='))
        .ok()
        .filter(|a| a.len() == 16);
    if auth.is_none() {
        err("/keys/auth", "must be 16 bytes, base64url");
    }
    match (p256dh, auth) {
        (Some(p), Some(a)) if errs.is_empty() => Ok((p, a)),
        _ => Err(ApiError::Validation(errs)),
    }
}

/// Register this device for pushes (the browser's `PushSubscription.toJSON()`).
///
/// Registering your endpoint again updates its keys. An endpoint registered by a colleague
/// (a shared phone) moves to you, and what was still queued for them on it is cancelled; the
/// move is in the audit log. An endpoint registered in another agency is not moved: 409.
/// Each person may register a limited number of devices (409 beyond it: remove one first).
#[utoipa::path(post, path = "/v1/push/subscriptions", tag = "push", security(("bearer" = [])), request_body = NewSubscription,
    responses((status = 201, body = Subscription, description = "Registered (or updated)"),
              (status = 409, body = Problem, content_type = "application/problem+json",
               description = "Too many devices, or the endpoint is registered in another agency"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "Not an https endpoint of a public push service, or bad keys")))]
async fn subscribe(
    State(state): State<AppState>,
    actor: Actor,
    Json(s): Json<NewSubscription>,
) -> ApiResult<(StatusCode, Json<Subscription>)> {
    let (p256dh, auth) = check(&state, &s)?;
    let mut tx = state.db.begin().await?;
    // One registration per person at a time, so the device cap holds under concurrency.
    store::lock_registrations(&mut tx, actor.user_id).await?;
    let existing = store::lock_endpoint(&mut tx, &s.endpoint).await?;
    if existing
        .as_ref()
        .is_some_and(|e| e.agency_id != actor.agency_id)
    {
        return Err(ApiError::Conflict(
            "this device is registered in another organisation: remove it there first",
        ));
    }
    let moved_from = existing
        .as_ref()
        .filter(|e| e.user_id != actor.user_id)
        .map(|e| (e.id, e.user_id));
    if existing.is_none() || moved_from.is_some() {
        let devices = store::devices_of(&mut tx, actor.user_id).await?;
        if devices >= state.config.push.max_devices {
            return Err(ApiError::Conflict(
                "you have registered as many devices as allowed: remove one first",
            ));
        }
    }
    if let Some((id, _)) = moved_from {
        // What was queued for the previous owner is not for the new one.
        store::cancel(&mut tx, store::Cancel::Device(id)).await?;
    }
    let row = store::put_subscription(
        &mut tx,
        &store::NewSubscription {
            user_id: actor.user_id,
            agency_id: actor.agency_id,
            endpoint: &s.endpoint,
            p256dh: &p256dh,
            auth: &auth,
        },
    )
    .await?
    // Registered in another agency between our look and the insert.
    .ok_or(ApiError::Conflict(
        "this device is registered in another organisation: remove it there first",
    ))?;
    let details = match moved_from {
        Some((_, from)) => json!({ "moved_from_user": from }),
        None => json!({}),
    };
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        if moved_from.is_some() {
            "push.subscription_moved"
        } else {
            "push.subscribe"
        },
        "push_subscription",
        Some(&row.id.to_string()),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Your registered devices.
#[utoipa::path(get, path = "/v1/push/subscriptions", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionList)))]
async fn list_subscriptions(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<SubscriptionList>> {
    let subscriptions = store::subscriptions_of(&state.db, actor.user_id).await?;
    Ok(Json(SubscriptionList { subscriptions }))
}

/// Stop pushes to one of your devices. Its queued messages are cancelled.
#[utoipa::path(delete, path = "/v1/push/subscriptions/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn unsubscribe(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    if !store::remove_subscription(&mut tx, id, Some(actor.user_id)).await? {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "push.unsubscribe",
        "push_subscription",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a test notification to all your devices ("does this phone get alerts?"). A few per
/// person per window (429 with `Retry-After` beyond that).
#[utoipa::path(post, path = "/v1/push/test", tag = "push", security(("bearer" = [])),
    responses((status = 202, body = TestPushQueued, description = "Queued for each of your devices"),
              (status = 429, body = Problem, content_type = "application/problem+json",
               description = "Too many test pushes: try again after `Retry-After` seconds",
               headers(("Retry-After" = u64, description = "Seconds to wait")))))]
async fn send_test(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<(StatusCode, Json<TestPushQueued>)> {
    let id = Uuid::new_v4();
    let key = format!("test:{id}");
    let message = outbox::Message {
        agency_id: actor.agency_id,
        alert_id: None,
        dedup_key: &key,
        payload: json!({ "type": "test", "id": id, "title": "Fieldline", "body": "Test notification: this device receives alerts." }),
        topic: "test",
        urgency: "normal",
        ttl_secs: 300,
    };
    let mut tx = state.db.begin().await?;
    // Count this one, unless the window's allowance is used up (one statement).
    let window = state.config.push.test_window.as_secs_f64();
    let counted =
        store::count_test_send(&mut tx, actor.user_id, window, state.config.push.test_limit)
            .await?;
    if counted.is_none() {
        let wait = store::test_window_left(&mut tx, actor.user_id, window).await?;
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait.max(1) as u64,
        });
    }
    let deliveries = outbox::enqueue(&mut tx, &[actor.user_id], &message).await?;
    tx.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(TestPushQueued { deliveries })))
}

/// Pushes of your agency that were given up on, newest first (admins): a device that is gone,
/// a push service that refused, an endpoint that is not a public address, or a delivery that
/// kept failing. Ids and reasons only.
#[utoipa::path(get, path = "/v1/push/parked", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = ParkedPushList, description = "Parked deliveries, newest first"),
              (status = 403, body = Problem, content_type = "application/problem+json", description = "Not an admin")))]
async fn parked(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<ParkedPushList>> {
    actor.require(Permission::ReadAuditLog)?;
    let parked = store::parked(&state.db, actor.agency_id).await?;
    Ok(Json(ParkedPushList { parked }))
}
