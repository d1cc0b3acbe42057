//! The client core a thin phone app links. Today: a typed API client over the shared wire
//! types. The offline outbox, sync and the UniFFI bindings grow here (see the mobile-bridge
//! issue); the end-to-end tests already drive the server through this client, as a phone
//! would.

mod client;
mod error;

pub use client::{Client, Session};
pub use error::BridgeError;
pub use fieldline_wire as wire;
