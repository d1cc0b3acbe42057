//! What every handler can reach, in a module of its own: domains import it without importing
//! the crate root that assembles them.

use crate::config::Config;
use crate::db::SearchPool;
use sqlx::PgPool;
use std::sync::Arc;

/// What every handler can reach. The API keeps no other state: PostgreSQL is the only one, so
/// any number of instances can serve side by side.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    /// Connections for directory searches (see `db`).
    pub search: SearchPool,
    pub config: Arc<Config>,
}
