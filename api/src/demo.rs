//! Demo data for the embedded default (`scripts/run`): two agencies and a login for every
//! role, so cross-agency rules can be tried by hand. Seeding is idempotent; production refuses
//! to start while demo agencies exist. Later domains add their demo rows here.

use crate::auth::password;
use sqlx::PgPool;
use uuid::{Uuid, uuid};

pub const PASSWORD: &str = "fieldline-demo";
pub const DEMO_AGENCY: Uuid = uuid!("d0000000-0000-4000-8000-000000000001");
pub const OTHER_AGENCY: Uuid = uuid!("d0000000-0000-4000-8000-000000000002");

/// (id, agency, e-mail, display name, roles)
pub const USERS: [(Uuid, Uuid, &str, &str, &[&str]); 6] = [
    (
        uuid!("d0000000-0000-4000-8000-000000000101"),
        DEMO_AGENCY,
        "advocate@demo.fieldline.test",
        "Avery Advocate",
        &["advocate"],
    ),
    (
        uuid!("d0000000-0000-4000-8000-000000000102"),
        DEMO_AGENCY,
        "coordinator@demo.fieldline.test",
        "Casey Coordinator",
        &["coordinator"],
    ),
    (
        uuid!("d0000000-0000-4000-8000-000000000103"),
        DEMO_AGENCY,
        "housing@demo.fieldline.test",
        "Harper Housing",
        &["housing_manager"],
    ),
    (
        uuid!("d0000000-0000-4000-8000-000000000104"),
        DEMO_AGENCY,
        "admin@demo.fieldline.test",
        "Alex Admin",
        &["admin"],
    ),
    (
        uuid!("d0000000-0000-4000-8000-000000000201"),
        OTHER_AGENCY,
        "advocate@other.fieldline.test",
        "Oakley Advocate",
        &["advocate"],
    ),
    (
        uuid!("d0000000-0000-4000-8000-000000000204"),
        OTHER_AGENCY,
        "admin@other.fieldline.test",
        "Morgan Admin",
        &["admin"],
    ),
];

pub async fn seed(db: &PgPool) -> anyhow::Result<()> {
    let hash = password::hash(PASSWORD.to_owned()).await?;
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO agencies (id, name, time_zone, demo) VALUES
             ($1, 'Demo County Victim Services', 'America/Denver', true),
             ($2, 'Other Valley Crisis Center', 'America/Denver', true)
         ON CONFLICT DO NOTHING",
        DEMO_AGENCY,
        OTHER_AGENCY,
    )
    .execute(&mut *tx)
    .await?;
    for (id, agency, email, name, roles) in USERS {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        sqlx::query!(
            "INSERT INTO users (id, agency_id, email, display_name, password_hash, roles)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            id,
            agency,
            email,
            name,
            hash,
            &roles,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    crate::directory::demo::seed(db, DEMO_AGENCY).await?;
    Ok(())
}

/// True when demo agencies exist (production must not run with them).
pub async fn present(db: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM agencies WHERE demo) AS "present!""#)
        .fetch_one(db)
        .await
}
