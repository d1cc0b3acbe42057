//! Retention of closed contacts: an agency setting and an admin-run purge.

use serde::{Deserialize, Serialize};

/// `GET`/`PUT /v1/admin/retention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Days a closed contact is kept after it was closed (30 to 36500); `null` keeps them.
    #[cfg_attr(feature = "openapi", schema(minimum = 30, maximum = 36500))]
    pub closed_contact_retention_days: Option<i32>,
}

/// What `POST /v1/admin/retention/purge` removed. Only counts stay, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurgeReport {
    pub contacts_purged: i64,
    pub persons_purged: i64,
}
