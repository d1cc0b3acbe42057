//! The audit log: who did what to which record, when, from which request. Every domain calls
//! [`record`] in the same transaction as the change (or read) it describes, so an audited
//! action and its audit row commit or fail together. Admins read it at `/v1/admin/audit`.

mod routes;

pub use routes::router;

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
    sqlx::query!(
        "INSERT INTO audit_log (agency_id, actor_user_id, action, record_type, record_id,
                                request_id, client_ip, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        actor.agency_id,
        actor.user_id,
        action,
        record_type,
        record_id,
        actor.request_id,
        actor.client_ip.map(ipnet::IpNet::from),
        details,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The newest `limit` audit rows about one record of the agency, newest first (a record's
/// history as its own domain shows it, e.g. a directory entry's changes).
pub async fn of_record(
    db: impl PgExecutor<'_>,
    agency: Uuid,
    record_type: &str,
    record_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<fieldline_wire::admin::AuditEntry>> {
    sqlx::query_as!(
        fieldline_wire::admin::AuditEntry,
        r#"SELECT id, at, actor_user_id, action, record_type, record_id, request_id, details
             FROM audit_log
            WHERE agency_id = $1 AND record_type = $2 AND record_id = $3
            ORDER BY id DESC LIMIT $4"#,
        agency,
        record_type,
        record_id,
        limit,
    )
    .fetch_all(db)
    .await
}
