//! Demo directory for the embedded default: 46 invented places around Provo, Utah, several
//! confidential, with varied kinds, eligibility, hours and availability (some stale).

use super::{store, validate};
use fieldline_wire::directory::EntryInput;
use sqlx::PgPool;
use uuid::Uuid;

const ENTRIES: &str = include_str!("demo_entries.json");

/// Adds the demo entries the agency does not have yet (by external id): staff edits to them
/// survive a restart.
pub async fn seed(db: &PgPool, agency: Uuid) -> anyhow::Result<()> {
    let inputs: Vec<EntryInput> = serde_json::from_str(ENTRIES)?;
    let mut tx = db.begin().await?;
    for (i, input) in inputs.into_iter().enumerate() {
        let valid =
            validate::validate(input).map_err(|e| anyhow::anyhow!("demo entry {i}: {e:?}"))?;
        let exists =
            store::by_external_id(&mut tx, agency, valid.input.external_id.as_deref()).await?;
        if exists.is_some() {
            continue;
        }
        let id = Uuid::new_v4();
        // The answer is not shown to anyone: read as the owner without the grant.
        let seeder = super::redact::Viewer {
            agency_id: agency,
            holds_grant: false,
        };
        store::upsert(&mut tx, id, agency, &valid, seeder).await?;
        // Availability last confirmed between now and three days ago, so some are stale.
        store::backdate_availability(&mut tx, id, (i as i32 * 7) % 73).await?;
    }
    tx.commit().await?;
    Ok(())
}
