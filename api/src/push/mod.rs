//! Web Push to users' devices: registration, a durable delivery outbox and the worker that
//! sends it (RFC 8030 headers, RFC 8291 aes128gcm, RFC 8292 VAPID). Alerts queue their pushes
//! through `outbox::enqueue` in their own transaction.

pub mod egress;
pub mod outbox;
mod routes;
mod store;
pub mod vapid;
pub mod worker;

pub use routes::router;
