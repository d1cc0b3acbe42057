//! Who is asking: sign-in, sessions and tokens, and the single authorization check.

mod actor;
pub mod claims;
pub mod keys;
pub mod password;
pub mod policy;
mod routes;
pub mod session;
mod store;
pub mod throttle;
pub mod token;

pub use actor::{Actor, Bearer, Viewer, parse_grants, parse_roles};
pub use policy::Permission;
pub use routes::{load_me, router};
