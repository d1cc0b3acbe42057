//! Alerts that reach the on-call coordinator: raised by advocates or by high screenings,
//! pushed to the current escalation level, escalated when nobody acknowledges, re-triggered
//! when an acknowledgement times out. Levels reach people and on-call schedules (`oncall`).
//! Advocate check-ins and duress come next.

mod check;
pub mod engine;
mod routes;
pub mod store;

pub use routes::router;
