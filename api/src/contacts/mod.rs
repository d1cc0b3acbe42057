//! Crisis contacts: the advocate's record of an encounter, the person it concerns, risk
//! screenings and follow-ups. Personal fields are sealed at rest (see `encryption`); every
//! read and change is audited.

pub mod retention;
mod routes;
pub mod screening;
pub(crate) mod store;
mod validate;

pub use routes::router;
