//! Who may change a directory entry: its owning agency's housing staff, with the version they
//! read. Shared by every route that changes an entry (details, availability, retiring, the
//! agencies that may see a confidential place exactly).

use super::store;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use uuid::Uuid;

/// Locks an entry for a change by the actor's agency: 404 if they cannot see it (or it is
/// retired), 403 if it is another agency's shared entry, 412 if `If-Match` is stale.
pub async fn lock_for_change(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i64>,
) -> ApiResult<store::Lock> {
    let lock = store::lock(tx, id, actor.agency_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if lock.retired && lock.owned {
        return Err(ApiError::NotFound);
    }
    if !lock.owned {
        return Err(if lock.retired {
            ApiError::NotFound
        } else {
            ApiError::Forbidden
        });
    }
    if let Some(expected) = if_match
        && expected != lock.version
    {
        return Err(ApiError::PreconditionFailed {
            current_version: lock.version,
        });
    }
    Ok(lock)
}
