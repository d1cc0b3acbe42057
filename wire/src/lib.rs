//! The JSON that crosses the wire between Fieldline's server and its clients.
//!
//! Defined once so the phone (through `mobile-bridge`) and the server cannot drift. This crate
//! must stay free of server dependencies (no axum, no sqlx): the bridge links it on phones.
//! Request types reject unknown fields, so a typo in a client is an error, not silently ignored.

pub mod admin;
pub mod alerts;
pub mod auth;
pub mod contacts;
pub mod directory;
pub mod oncall;
pub mod plans;
pub mod problem;
pub mod push;
pub mod retention;
pub mod safety;
pub mod screening;
pub mod sync;
pub mod values;

pub use problem::{FieldError, Problem};
pub use values::{Email, Grant, NewPassword, Role};
