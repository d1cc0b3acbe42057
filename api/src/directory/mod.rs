//! Shelters and safe housing: the geospatial directory advocates search and housing staff keep.
//! Every entry that leaves this module has passed `redact::redact`.

pub mod demo;
mod exact;
mod guard;
mod history;
pub mod hours;
pub mod redact;
mod routes;
pub mod search;
pub mod store;
mod transfer;
pub mod validate;

pub use routes::router;
