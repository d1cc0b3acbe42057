//! Agencies are created by whoever runs the installation (`fieldline create-agency`), with
//! their first admin; from then on that admin manages the agency's people over the API.

use crate::audit::{self, AuditActor};
use crate::auth::password;
use crate::users;
use anyhow::{Context, bail};
use fieldline_wire::{Email, NewPassword};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

pub struct NewAgency {
    pub name: String,
    pub time_zone: String,
    pub admin_email: Email,
    pub admin_name: String,
    pub admin_password: NewPassword,
}

/// Creates the agency and its first admin in one transaction; returns (agency, admin) ids.
pub async fn create(db: &PgPool, new: NewAgency) -> anyhow::Result<(Uuid, Uuid)> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("the agency name must be 1 to 200 characters");
    }
    if new.time_zone.parse::<chrono_tz::Tz>().is_err() {
        bail!(
            "{} is not an IANA time zone (for example America/Denver)",
            new.time_zone
        );
    }
    let admin_name = new.admin_name.trim();
    if admin_name.is_empty() || admin_name.chars().count() > 200 {
        bail!("the admin's name must be 1 to 200 characters");
    }
    let hash = password::hash_outside_requests(new.admin_password.expose().to_owned()).await?;
    let (agency_id, admin_id) = (Uuid::new_v4(), Uuid::new_v4());
    let mut tx = db.begin().await?;
    users::store::create_agency(&mut tx, agency_id, name, &new.time_zone)
        .await
        .context("creating the agency (is the name taken?)")?;
    users::store::create_first_admin(
        &mut tx,
        admin_id,
        agency_id,
        new.admin_email.as_str(),
        admin_name,
        &hash,
    )
    .await
    .context("creating the admin (is the e-mail address taken?)")?;
    let who = AuditActor::system(Some(agency_id));
    audit::record(
        &mut *tx,
        &who,
        "agency.create",
        "agency",
        Some(&agency_id.to_string()),
        json!({}),
    )
    .await?;
    audit::record(
        &mut *tx,
        &who,
        "user.create",
        "user",
        Some(&admin_id.to_string()),
        json!({ "roles": ["admin"] }),
    )
    .await?;
    tx.commit().await?;
    Ok((agency_id, admin_id))
}
