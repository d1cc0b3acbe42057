//! The audit log in PostgreSQL: the only code that touches `audit_log` (apart from the two
//! statements that write their own row, listed in `tests/tests/suite/architecture.rs`). Rows
//! are only ever appended; a trigger refuses changes.

use fieldline_wire::admin::AuditEntry;
use serde_json::Value;
use sqlx::PgExecutor;
use std::net::IpAddr;
use uuid::Uuid;

/// One audit row.
pub struct Entry<'a> {
    pub agency_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub request_id: Option<&'a str>,
    pub client_ip: Option<IpAddr>,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<&'a str>,
    pub details: Value,
}

pub async fn insert(db: impl PgExecutor<'_>, e: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_log (agency_id, actor_user_id, action, record_type, record_id,
                                request_id, client_ip, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.agency_id,
        e.user_id,
        e.action,
        e.record_type,
        e.record_id,
        e.request_id,
        e.client_ip.map(ipnet::IpNet::from),
        e.details,
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
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as!(
        AuditEntry,
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

/// What an admin narrows the log to; `before` is an id from the page before.
pub struct Filter<'a> {
    pub record_type: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub actor_user_id: Option<Uuid>,
    pub action: Option<&'a str>,
    pub before: Option<i64>,
}

/// The agency's rows matching `f`, newest first, at most `limit`.
pub async fn page(
    db: impl PgExecutor<'_>,
    agency: Uuid,
    f: &Filter<'_>,
    limit: i64,
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as!(
        AuditEntry,
        r#"SELECT id, at, actor_user_id, action, record_type, record_id, request_id, details
             FROM audit_log
            WHERE agency_id = $1
              AND ($2::text IS NULL OR record_type = $2)
              AND ($3::text IS NULL OR record_id = $3)
              AND ($4::uuid IS NULL OR actor_user_id = $4)
              AND ($5::text IS NULL OR action = $5)
              AND ($6::bigint IS NULL OR id < $6)
            ORDER BY id DESC
            LIMIT $7"#,
        agency,
        f.record_type,
        f.record_id,
        f.actor_user_id,
        f.action,
        f.before,
        limit,
    )
    .fetch_all(db)
    .await
}
