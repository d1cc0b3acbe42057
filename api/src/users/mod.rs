//! People in an agency, managed by its admins (`/v1/admin/users`), and the agency's settings
//! (`PUT /v1/admin/agency`). `routes.rs` is the HTTP side, `store.rs` the only code that
//! touches `users` and `agencies` (other domains ask it), `check.rs` checks what admins send.

mod check;
mod routes;
pub mod store;

pub use routes::router;
