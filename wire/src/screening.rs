//! Risk screening: the answers an advocate records and what the server makes of them.
//! Scored by the server, never trusted from the client (design: "Risk screening rules").

use serde::{Deserialize, Serialize};

/// One answer on a yes/no instrument. "Not answered" is recorded as such and never counts
/// as yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotAnswered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    /// Lethality Screen (Lethality Assessment Program, Maryland model): 11 questions.
    Lap,
    /// DASH risk checklist (SafeLives): 24 questions.
    Dash,
}

/// DASH risk levels, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Standard,
    Medium,
    High,
}

/// Lethality Screen outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LapOutcome {
    ScreenedInProtocol,
    ScreenedInBelief,
    NotScreenedIn,
}

/// What the advocate submits. `answers` in the instrument's question order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreeningInput {
    pub instrument: Instrument,
    pub answers: Vec<Answer>,
    /// LAP: the advocate screens in by belief although the protocol does not; the reason is
    /// required.
    #[serde(default)]
    pub screen_in_by_belief: Option<String>,
    /// DASH: professional judgement raises the level (never lowers it); the reason is required.
    #[serde(default)]
    pub professional_judgement: Option<Judgement>,
    /// Why no `high_risk` alert should be raised for a high result (e.g. "victim in police
    /// protection, coordinator already informed"). Without it a high result raises one.
    #[serde(default)]
    pub no_alert_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    pub level: RiskLevel,
    pub reason: String,
}

/// The server's scoring, stored with the instrument's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningResult {
    pub instrument: Instrument,
    /// Which version of the scoring rules produced this, e.g. `lap-md-2`.
    pub instrument_version: String,
    /// Number of "yes" answers (LAP: among questions 4 to 11).
    pub yes_count: u32,
    /// LAP only.
    pub lap_outcome: Option<LapOutcome>,
    /// DASH only: the level after professional judgement.
    pub risk_level: Option<RiskLevel>,
    /// DASH only: the level the answers alone give.
    pub scored_level: Option<RiskLevel>,
    /// Screened in (LAP) or high (DASH).
    pub high_risk: bool,
    /// A `high_risk` alert is owed: high, and no reason recorded for not raising one.
    pub alert_required: bool,
}
