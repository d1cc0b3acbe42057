//! The sync change log in PostgreSQL: the only code that reads `sync_changes`. Triggers in the
//! migrations write it.

use sqlx::PgConnection;
use uuid::Uuid;

/// A change logged for the agency: which record, at which (transaction id, row id).
pub struct Logged {
    pub txid: i64,
    pub id: i64,
    pub record_type: String,
    pub record_id: Uuid,
    /// Logged as a delete. Not read: a page reloads each record and answers a tombstone for
    /// one that is gone or out of sight, deleted or not.
    #[allow(dead_code)]
    pub deleted: bool,
}

/// Up to `limit` of the agency's changes after (`from_tx`, `from_row`), in order, from
/// transactions older than every transaction still running.
pub async fn changes_after(
    conn: &mut PgConnection,
    agency: Uuid,
    from_tx: i64,
    from_row: i64,
    limit: i64,
) -> sqlx::Result<Vec<Logged>> {
    sqlx::query_as!(
        Logged,
        r#"SELECT txid::text::bigint AS "txid!", id, record_type, record_id, deleted
             FROM sync_changes
            WHERE agency_id = $1
              AND (txid, id) > ($2::text::xid8, $3)
              AND txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY txid, id
            LIMIT $4"#,
        agency,
        from_tx.to_string(),
        from_row,
        limit,
    )
    .fetch_all(conn)
    .await
}
