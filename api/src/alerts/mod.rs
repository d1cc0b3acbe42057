//! Alerts that reach the on-call coordinator: raised by advocates or by high screenings,
//! pushed to the current escalation level, escalated when nobody acknowledges, re-triggered
//! when an acknowledgement times out. On-call schedules and advocate check-ins come next.

pub mod engine;
mod routes;

pub use routes::router;
