//! The client core a thin phone app links (design: "Offline (mobile-bridge)").
//!
//! - [`Client`]: a typed client for every endpoint a phone uses, over the shared wire types.
//! - [`Bridge`]: what the app holds — the client plus the on-device database (outbox of
//!   changes, cache for reading offline, sync cursor), alerts that are never silently queued,
//!   exported to Kotlin, Swift and Python through UniFFI (proc macros).

mod agency;
mod bridge;
mod client;
mod error;
mod ffi;
mod store;

pub use agency::{AgencySettings, DistanceUnit, format_distance, local_time};
pub use bridge::{AlertObserver, Bridge, BridgeOptions, TokenStore};
pub use client::{Call, Client, ClientOptions, Session, TokenSink};
pub use error::BridgeError;
pub use ffi::{
    AlertOutcome, CachedRecord, FieldIssue, FieldlineError, NearbyResult, OutboxItem, OutboxState,
    Queued, SignedIn, SyncReport,
};
pub use fieldline_wire as wire;

uniffi::setup_scaffolding!();
