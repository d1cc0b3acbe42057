//! Demo data for the embedded default (`scripts/run`): two agencies and a login for every
//! role, so cross-agency rules can be tried by hand. Seeding is idempotent; production refuses
//! to start while demo agencies exist. Later domains add their demo rows here.

use crate::auth::password;
use sqlx::PgPool;
use uuid::{Uuid, uuid};

pub const PASSWORD: &str = "fieldline-demo";
pub const DEMO_AGENCY: Uuid = uuid!("d0000000-0000-4000-8000-000000000001");
/// Level 2 of the demo escalation policies.
pub const BACKUP_COORDINATOR: Uuid = uuid!("d0000000-0000-4000-8000-000000000105");
pub const DEMO_COORDINATOR: Uuid = uuid!("d0000000-0000-4000-8000-000000000102");
pub const DEMO_ADVOCATE: Uuid = uuid!("d0000000-0000-4000-8000-000000000101");
pub const DEMO_SCHEDULE: Uuid = uuid!("d0000000-0000-4000-8000-000000000301");
pub const OTHER_AGENCY: Uuid = uuid!("d0000000-0000-4000-8000-000000000002");

/// (id, agency, e-mail, display name, roles)
pub const USERS: [(Uuid, Uuid, &str, &str, &[&str]); 7] = [
    (
        BACKUP_COORDINATOR,
        DEMO_AGENCY,
        "coordinator2@demo.fieldline.test",
        "Blake Backup",
        &["coordinator"],
    ),
    (
        DEMO_ADVOCATE,
        DEMO_AGENCY,
        "advocate@demo.fieldline.test",
        "Avery Advocate",
        &["advocate"],
    ),
    (
        DEMO_COORDINATOR,
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
    let hash = password::hash_outside_requests(PASSWORD.to_owned()).await?;
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO agencies (id, name, time_zone, demo, coordinator_fallback_phone, emergency_number, distance_unit) VALUES
             ($1, 'Demo County Victim Services', 'America/Denver', true, '+1 303 555 0142', '911', 'mi'),
             ($2, 'Other Valley Crisis Center', 'America/Denver', true, NULL, '911', 'mi')
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
    // Work phones (fictional 555-01xx numbers), so a coordinator can call the demo advocate
    // back and the advocate the coordinator on call. Left alone once an admin changed them.
    for (id, phone) in [
        (DEMO_ADVOCATE, "+1 303 555 0171"),
        (DEMO_COORDINATOR, "+1 303 555 0172"),
        (BACKUP_COORDINATOR, "+1 303 555 0173"),
    ] {
        sqlx::query!(
            "UPDATE users SET phone = $2 WHERE id = $1 AND phone IS NULL",
            id,
            phone
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    crate::directory::demo::seed(db, DEMO_AGENCY).await?;
    seed_escalation(db).await?;
    Ok(())
}

/// True when demo agencies exist (production must not run with them).
pub async fn present(db: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM agencies WHERE demo) AS "present!""#)
        .fetch_one(db)
        .await
}

/// The demo coordinator on call (a one-person daily rotation, so always), the backup
/// coordinator as level 2, and a default policy for each kind of alert: a newcomer can raise an
/// alert as the demo advocate and watch it arrive. Existing rows are left as staff changed them.
async fn seed_escalation(db: &PgPool) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO oncall_schedules (id, agency_id, name, time_zone, user_ids, shift_days, handoff_time, start_date)
         VALUES ($1, $2, 'Coordinator on call', 'America/Denver', $3, 1, '08:00', '2026-01-01')
         ON CONFLICT DO NOTHING",
        DEMO_SCHEDULE,
        DEMO_AGENCY,
        &[DEMO_COORDINATOR],
    )
    .execute(&mut *tx)
    .await?;
    let levels = serde_json::json!([
        {"delay_minutes": 5, "schedule_ids": [DEMO_SCHEDULE]},
        {"delay_minutes": 5, "user_ids": [BACKUP_COORDINATOR]}
    ]);
    for (kind, name) in [
        ("next_of_kin", "Next of kin"),
        ("high_risk", "High risk"),
        ("advocate_safety", "Advocate safety"),
    ] {
        sqlx::query!(
            "INSERT INTO escalation_policies (id, agency_id, name, kind, repeat_count, ack_timeout_minutes, levels)
             VALUES ($1, $2, $3, $4, 2, 30, $5)
             ON CONFLICT DO NOTHING",
            Uuid::new_v4(),
            DEMO_AGENCY,
            name,
            kind,
            levels,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
