//! `GET /v1/sync`: everything a phone's user may see that changed since its cursor.
//! `routes.rs` is the HTTP side; `store.rs` the only code that reads `sync_changes` (which
//! triggers write); the records themselves come from their own domains' stores.

mod routes;
mod store;

pub use routes::router;
