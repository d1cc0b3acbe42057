//! Signing in, keeping a session alive on a phone, and signing out.

use crate::values::{Email, Grant, NewPassword, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /v1/auth/login`. The e-mail is not validated beyond being text: an unknown or
/// malformed address must get the same answer as a wrong password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// `web` for the web app: its session ends after 15 minutes without a request or a
    /// refresh, and the answers carry the `device_key` that seals its offline queue. Absent
    /// for the phones' bridge, whose advocates may be offline for hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<LoginClient>,
}

/// Which kind of client signs in (see [`LoginRequest::client`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoginClient {
    Web,
}

/// `POST /v1/auth/refresh`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /v1/auth/logout`: ends the session the refresh token belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    pub refresh_token: String,
}

/// `POST /v1/auth/password`: the signed-in user changes their own password. Every other
/// session of theirs ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: NewPassword,
}

/// Answer to login and refresh. The refresh token is shown once: the server keeps only its
/// hash, and each use replaces it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_at: chrono::DateTime<chrono::Utc>,
    pub user: Me,
    /// Web sessions only: 32 random bytes (base64url) that stay the same for this user across
    /// sign-ins. The web app keeps it in memory only and derives from it the key that unwraps
    /// its offline queue's key, so the browser's storage alone does not reveal the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
}

/// The signed-in user, as `GET /v1/me` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: Uuid,
    pub email: Email,
    pub display_name: String,
    pub agency: AgencySummary,
    pub roles: Vec<Role>,
    /// Effective grants: those given explicitly plus those the roles carry.
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencySummary {
    pub id: Uuid,
    pub name: String,
    /// IANA time zone, e.g. `America/Denver`.
    pub time_zone: String,
    /// The coordinator line a phone offers when an alert cannot reach the server.
    #[serde(default)]
    pub coordinator_fallback_phone: Option<String>,
    /// The emergency number a phone offers with it (e.g. `911`), if the agency set one.
    #[serde(default)]
    pub emergency_number: Option<String>,
    /// The unit screens show distances in (the API gives metres).
    #[serde(default)]
    pub distance_unit: DistanceUnit,
}

/// Kilometres, or miles (US agencies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DistanceUnit {
    #[default]
    Km,
    Mi,
}

impl DistanceUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DistanceUnit::Km => "km",
            DistanceUnit::Mi => "mi",
        }
    }
}
