//! Advocate safety at a scene: a check-in with an expected end; a missed check-out (end plus
//! grace) raises an `advocate_safety` alert with the last location the phone sent; duress
//! raises one at once; a duress code at check-out raises one silently while the screen shows an
//! ordinary check-out.
//!
//! `routes.rs` is the HTTP side, `store.rs` the only code that touches `checkins`, `raise.rs`
//! raises the alerts (and runs the missed check-out round of the escalation worker), and
//! `check.rs` checks what a phone sends.

mod check;
mod raise;
mod routes;
mod store;

pub use raise::raise_overdue;
pub use routes::router;
pub use store::overdue_backlog;
