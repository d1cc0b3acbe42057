//! The audit log: who did what to which record, when, from which request. Every domain calls
//! [`record`] in the same transaction as the change (or read) it describes, so an audited
//! action and its audit row commit or fail together. Admins read it at `/v1/admin/audit`.

mod routes;
pub mod store;

pub use routes::router;
pub use store::of_record;

use crate::auth::Actor;
use crate::http::RequestMeta;
use serde_json::Value;
use sqlx::PgExecutor;
use std::net::IpAddr;
use uuid::Uuid;

/// Who acted: a signed-in person, or (for failed sign-ins) only a request.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub agency_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub client_ip: Option<IpAddr>,
}

impl From<&Actor> for AuditActor {
    fn from(a: &Actor) -> Self {
        AuditActor {
            agency_id: Some(a.agency_id),
            user_id: Some(a.user_id),
            request_id: Some(a.meta.request_id.clone()),
            client_ip: a.meta.client_ip,
        }
    }
}

impl AuditActor {
    pub fn request(meta: &RequestMeta, agency_id: Option<Uuid>, user_id: Option<Uuid>) -> Self {
        AuditActor {
            agency_id,
            user_id,
            request_id: Some(meta.request_id.clone()),
            client_ip: meta.client_ip,
        }
    }

    /// Work the server does on its own (timers, workers, seeding).
    pub fn system(agency_id: Option<Uuid>) -> Self {
        AuditActor {
            agency_id,
            user_id: None,
            request_id: None,
            client_ip: None,
        }
    }
}

/// Appends one audit row. `action` is `domain.verb` (`user.create`, `contact.read`);
/// `details` must not hold personal data: name the fields that changed, not their values.
pub async fn record(
    db: impl PgExecutor<'_>,
    actor: &AuditActor,
    action: &str,
    record_type: &str,
    record_id: Option<&str>,
    details: Value,
) -> sqlx::Result<()> {
    store::insert(
        db,
        store::Entry {
            agency_id: actor.agency_id,
            user_id: actor.user_id,
            request_id: actor.request_id.as_deref(),
            client_ip: actor.client_ip,
            action,
            record_type,
            record_id,
            details,
        },
    )
    .await
}
