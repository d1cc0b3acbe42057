//! Alerts that reach the on-call coordinator, and the escalation policies that route them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A death: the coordinator arranges an in-person notification.
    NextOfKin,
    /// A screening screened in or scored high.
    HighRisk,
    /// An advocate in trouble: duress, or a missed check-out.
    AdvocateSafety,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NextOfKin => "next_of_kin",
            AlertKind::HighRisk => "high_risk",
            AlertKind::AdvocateSafety => "advocate_safety",
        }
    }
}

/// How urgent an alert is: `high` goes out with Web Push `Urgency: high`. High-risk and
/// advocate-safety alerts are always high; a next-of-kin alert may be raised as high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertUrgency {
    High,
    Normal,
}

impl AlertUrgency {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertUrgency::High => "high",
            AlertUrgency::Normal => "normal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Triggered,
    Acknowledged,
    Resolved,
}

/// `POST /v1/alerts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RaiseAlert {
    /// Chosen by the phone: sending it again joins the same alert.
    pub id: Uuid,
    pub kind: AlertKind,
    /// Alerts raised with the same key while one is open join it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub dedup_key: Option<String>,
    /// Free text for the coordinator (sealed at rest, never pushed).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub details: Option<String>,
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// Default: the kind's (`high` for high-risk and advocate safety, else `normal`). Asking
    /// for `normal` cannot lower a kind that is always high.
    #[serde(default)]
    pub urgency: Option<AlertUrgency>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEvent {
    pub at: DateTime<Utc>,
    /// `triggered`, `notified`, `escalated`, `acknowledged`, `ack_timeout`, `resolved`,
    /// `deduplicated`, `exhausted`.
    pub kind: String,
    pub actor_user_id: Option<Uuid>,
    /// The actor's display name (staff, never victim data), so a timeline reads
    /// "acknowledged by Casey".
    #[serde(default)]
    pub actor_name: Option<String>,
    pub level: Option<i32>,
    pub loop_count: Option<i32>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: Uuid,
    pub kind: AlertKind,
    /// `high` or `normal`.
    pub urgency: String,
    pub state: AlertState,
    pub raised_by: Option<Uuid>,
    /// Who raised it, by display name (staff, never victim data).
    #[serde(default)]
    pub raised_by_name: Option<String>,
    /// The raiser's work phone, for a coordinator to call them back: shown to those who
    /// respond to alerts, and to the raiser. `null` when none is on file.
    #[serde(default)]
    pub raised_by_phone: Option<String>,
    pub contact_id: Option<Uuid>,
    pub details: Option<String>,
    /// The escalation level now being notified (0 = first), and how many times the whole
    /// path has repeated.
    pub level: i32,
    pub loop_count: i32,
    pub next_escalation_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Uuid>,
    /// Who acknowledged it, by display name: the advocate who raised it sees who has it.
    #[serde(default)]
    pub acknowledged_by_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
    #[serde(default)]
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// What was written when it was resolved (sealed at rest, never pushed).
    #[serde(default)]
    pub resolution_note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Oldest first. Empty in lists.
    pub timeline: Vec<AlertEvent>,
}

/// `POST /v1/alerts/{id}/resolve`: the body is optional (a notification's button sends none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveAlert {
    /// A closing note for the record: what happened, what was done (sealed at rest, never
    /// pushed).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub alerts: Vec<Alert>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationLevel {
    /// Minutes to wait at this level before notifying the next.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1440))]
    pub delay_minutes: i32,
    #[serde(default)]
    pub user_ids: Vec<Uuid>,
    /// On-call schedules: whoever is on call when the level is notified.
    #[serde(default)]
    pub schedule_ids: Vec<Uuid>,
}

/// `PUT /v1/escalation-policies/{kind}` (the kind's path for any urgency) or
/// `PUT /v1/escalation-policies/{kind}/{urgency}` (for that urgency only, tried first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationPolicyInput {
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$")
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub repeat_count: i32,
    #[serde(default = "default_ack_timeout")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub ack_timeout_minutes: i32,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 10))]
    pub levels: Vec<EscalationLevel>,
}

fn default_ack_timeout() -> i32 {
    30
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationPolicy {
    pub id: Uuid,
    pub kind: AlertKind,
    /// `None`: serves the kind's alerts of any urgency that has no policy of its own.
    pub urgency: Option<AlertUrgency>,
    pub name: String,
    pub repeat_count: i32,
    pub ack_timeout_minutes: i32,
    pub levels: Vec<EscalationLevel>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationPolicyList {
    pub policies: Vec<EscalationPolicy>,
}
