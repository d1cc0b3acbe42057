//! `/v1/push/*`: registering devices for Web Push.

use super::outbox;
use crate::AppState;
use crate::audit::{self, AuditActor};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Path};
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fieldline_wire::push::{
    NewSubscription, Subscription, SubscriptionList, TestPushQueued, VapidPublicKey,
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
}

/// The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
#[utoipa::path(get, path = "/v1/push/vapid-public-key", tag = "push", responses((status = 200, body = VapidPublicKey)))]
async fn vapid_public_key(State(state): State<AppState>) -> Json<VapidPublicKey> {
    Json(VapidPublicKey {
        public_key: state.config.vapid.public_key_base64url().to_owned(),
    })
}

/// Checks a subscription: an https endpoint (http only on loopback when allowed), a P-256
/// public key and a 16-byte auth secret. Returns the decoded keys.
fn check(state: &AppState, s: &NewSubscription) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
    let mut errs = Vec::new();
    let mut err = |p: &str, m: &str| {
        errs.push(FieldError {
            pointer: p.into(),
            message: m.into(),
        })
    };
    match s.endpoint.parse::<axum::http::Uri>() {
        Ok(uri) if s.endpoint.len() <= 2000 && uri.host().is_some() => {
            let loopback = matches!(uri.host(), Some("127.0.0.1" | "localhost" | "[::1]"));
            match uri.scheme_str() {
                Some("https") => {}
                Some("http") if loopback && state.config.push.allow_http_loopback => {}
                _ => err("/endpoint", "must be an https URL"),
            }
        }
        _ => err("/endpoint", "must be an https URL"),
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

/// Register this device for pushes (the browser's `PushSubscription.toJSON()`). Registering an
/// endpoint again updates its keys and owner.
#[utoipa::path(post, path = "/v1/push/subscriptions", tag = "push", security(("bearer" = [])), request_body = NewSubscription,
    responses((status = 201, body = Subscription), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn subscribe(
    State(state): State<AppState>,
    actor: Actor,
    Json(s): Json<NewSubscription>,
) -> ApiResult<(StatusCode, Json<Subscription>)> {
    let (p256dh, auth) = check(&state, &s)?;
    let mut tx = state.db.begin().await?;
    let row = sqlx::query_as!(
        Subscription,
        "INSERT INTO push_subscriptions (id, user_id, agency_id, endpoint, p256dh, auth)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, agency_id = EXCLUDED.agency_id,
             p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth
         RETURNING id, endpoint, created_at",
        Uuid::new_v4(),
        actor.user_id,
        actor.agency_id,
        s.endpoint,
        p256dh,
        auth,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "push.subscribe",
        "push_subscription",
        Some(&row.id.to_string()),
        json!({}),
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
    let subscriptions = sqlx::query_as!(
        Subscription,
        "SELECT id, endpoint, created_at FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at",
        actor.user_id,
    )
    .fetch_all(&state.db)
    .await?;
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
    if !super::remove_subscription(&mut tx, id, Some(actor.user_id)).await? {
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

/// Send a test notification to all your devices ("does this phone get alerts?").
#[utoipa::path(post, path = "/v1/push/test", tag = "push", security(("bearer" = [])),
    responses((status = 202, body = TestPushQueued)))]
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
    let deliveries = outbox::enqueue(&mut tx, &[actor.user_id], &message).await?;
    tx.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(TestPushQueued { deliveries })))
}
