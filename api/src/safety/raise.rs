//! Raising advocate-safety alerts: duress (by hand or by code at check-out) and missed
//! check-outs, which the escalation worker finds (`raise_overdue`).

use super::store;
use crate::alerts::engine::{self, Raise};
use crate::encryption::{DataKeys, Field};
use crate::error::ApiResult;
use crate::worker::{self, Item};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The alert id for a duress code entered at the check-out of `checkin`: derived from it
/// (SHA-256, shaped as a version-8 UUID), so a repeated check-out finds the same alert.
pub fn duress_alert_id(checkin: Uuid) -> Uuid {
    derived_v8(&format!("fieldline:duress-at-checkout:{checkin}"))
}

/// An alert id derived from another id and a user (see [`duress_alert_id`]).
pub fn derived_id(what: &str, id: Uuid, user: Uuid) -> Uuid {
    derived_v8(&format!("fieldline:{what}:{id}:{user}"))
}

/// SHA-256 of `text`, shaped as a version-8 UUID.
fn derived_v8(text: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    Uuid::from_bytes(b)
}

/// Raises (or, by `dedup_key`, joins) an advocate-safety alert at the highest urgency and
/// links the check-in to it when it has no alert yet. Returns the alert's id. Ids are the
/// agency's own: another agency's alert with the same id is neither found nor in the way.
#[allow(clippy::too_many_arguments)]
pub async fn raise_safety(
    conn: &mut PgConnection,
    keys: &DataKeys,
    alert: Uuid,
    agency: Uuid,
    advocate: Uuid,
    checkin: Option<Uuid>,
    dedup_key: Option<&str>,
    details: &str,
) -> ApiResult<Uuid> {
    let sealed = keys.seal(
        &Field {
            name: "alert.details",
            record: alert,
        },
        details,
    );
    let raised = engine::raise(
        conn,
        &Raise {
            id: alert,
            agency_id: agency,
            kind: "advocate_safety",
            // Duress and missed check-outs: the highest there is.
            urgency: Some("high"),
            dedup_key,
            raised_by: Some(advocate),
            contact_id: None,
            details_sealed: Some(sealed),
        },
    )
    .await?;
    let id = raised.id();
    if let Some(c) = checkin {
        store::link_alert(conn, agency, c, id).await?;
    }
    Ok(id)
}

/// For the escalation worker: raise an alert for each check-in past its end plus grace, once
/// (the check-in turns `overdue` in the same transaction). The alert carries the last location
/// the phone sent; one that cannot be opened is left out rather than holding the alert back.
/// Each check-in is one `worker::step`: one that fails is retried later, and the others go on.
pub async fn raise_overdue(db: &PgPool, keys: &DataKeys) -> anyhow::Result<usize> {
    let mut n = 0;
    loop {
        let mut tx = db.begin().await?;
        let Some(c) = store::next_overdue(&mut tx).await? else {
            break;
        };
        let item = Item {
            job: "checkin_overdue",
            id: c.id,
            agency_id: c.agency_id,
        };
        let line = overdue_line(keys, c.id, c.last_location_sealed.as_deref());
        let done = worker::step(&mut tx, item, async |conn: &mut PgConnection| {
            // A fresh id, found again through the check-in's dedup key: the check-in's own id
            // is chosen by the phone and could be anything, an alert's of the agency too.
            let key = format!("checkin:{}", c.id);
            raise_safety(
                conn,
                keys,
                Uuid::new_v4(),
                c.agency_id,
                c.advocate_id,
                Some(c.id),
                Some(&key),
                &line,
            )
            .await
            .map_err(|e| anyhow::anyhow!("raising the alert: {e}"))?;
            store::mark_overdue(conn, c.agency_id, c.id).await?;
            Ok(())
        })
        .await?;
        tx.commit().await?;
        n += usize::from(done.is_some());
    }
    Ok(n)
}

/// What a missed check-out's alert says: the last location the phone sent, when it can be read.
fn overdue_line(keys: &DataKeys, checkin: Uuid, sealed: Option<&[u8]>) -> String {
    let field = Field {
        name: "checkin.location",
        record: checkin,
    };
    let location = keys
        .open_opt(&field, sealed)
        .ok()
        .flatten()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    match (sealed, location) {
        (_, Some(l)) => format!(
            "Missed check-out; last location {}, {} (±{} m) at {}",
            l["latitude"], l["longitude"], l["precision_m"], l["at"]
        ),
        (Some(_), None) => "Missed check-out; the last location could not be read".to_owned(),
        (None, None) => "Missed check-out".to_owned(),
    }
}
