//! Web Push registration: what a browser's `PushSubscription.toJSON()` gives, and the key it
//! needs first.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `GET /v1/push/vapid-public-key`: pass `public_key` as `applicationServerKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VapidPublicKey {
    /// The uncompressed P-256 point, base64url without padding.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

/// `POST /v1/push/subscriptions`: exactly `PushSubscription.toJSON()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    pub endpoint: String,
    /// Browsers send it; always ignored (the push service tells us when it expires).
    #[serde(default, rename = "expirationTime")]
    pub expiration_time: Option<f64>,
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub id: Uuid,
    pub endpoint: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionList {
    pub subscriptions: Vec<Subscription>,
}

/// Answer to `POST /v1/push/test`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestPushQueued {
    /// How many of your devices it was queued for.
    pub deliveries: i64,
}

/// A delivery the push worker gave up on (`GET /v1/push/parked`, admins): ids and the reason
/// only, never the endpoint or the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParkedPush {
    pub id: Uuid,
    /// The device, while it is still registered.
    pub subscription_id: Option<Uuid>,
    /// Whose device it is, while it is still registered.
    pub user_id: Option<Uuid>,
    /// The alert it notified of, if any.
    pub alert_id: Option<Uuid>,
    pub attempts: i32,
    /// The push service's last HTTP status, if it answered.
    pub last_status: Option<i32>,
    /// Why it was given up: `gone: …`, `rejected: HTTP 400`, `blocked: …`, `gave up after …`.
    pub reason: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParkedPushList {
    /// Newest first, at most 200.
    pub parked: Vec<ParkedPush>,
}
