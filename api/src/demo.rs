//! Demo data for the embedded default (`scripts/run`): two agencies and a login for every
//! role, so cross-agency rules can be tried by hand. Seeding is idempotent; production refuses
//! to start while demo agencies exist. Later domains add their demo rows here.

use crate::auth::password;
use crate::users;
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
    // One hash of the demo password per process (argon2 is slow on purpose): a server seeds
    // once, but the suite seeds a database for nearly every test (issue #17).
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let hash = HASH
        .get_or_try_init(|| password::hash_outside_requests(PASSWORD.to_owned()))
        .await?;
    let mut tx = db.begin().await?;
    users::store::seed_demo_agencies(&mut tx, DEMO_AGENCY, OTHER_AGENCY).await?;
    for (id, agency, email, name, roles) in USERS {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        users::store::seed_demo_user(&mut tx, id, agency, email, name, hash, &roles).await?;
    }
    // Work phones (fictional 555-01xx numbers), so a coordinator can call the demo advocate
    // back and the advocate the coordinator on call. Left alone once an admin changed them.
    for (id, phone) in [
        (DEMO_ADVOCATE, "+1 303 555 0171"),
        (DEMO_COORDINATOR, "+1 303 555 0172"),
        (BACKUP_COORDINATOR, "+1 303 555 0173"),
    ] {
        users::store::seed_demo_phone(&mut tx, id, phone).await?;
    }
    tx.commit().await?;
    crate::directory::demo::seed(db, DEMO_AGENCY).await?;
    seed_escalation(db).await?;
    Ok(())
}

/// True when demo agencies exist (production must not run with them).
pub async fn present(db: &PgPool) -> sqlx::Result<bool> {
    users::store::demo_present(db).await
}

/// The demo coordinator on call (a one-person daily rotation, so always), the backup
/// coordinator as level 2, and a default policy for each kind of alert: a newcomer can raise an
/// alert as the demo advocate and watch it arrive. Existing rows are left as staff changed them.
async fn seed_escalation(db: &PgPool) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    crate::oncall::store::seed_demo_schedule(&mut tx, DEMO_SCHEDULE, DEMO_AGENCY, DEMO_COORDINATOR)
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
        crate::alerts::store::seed_demo_policy(&mut tx, DEMO_AGENCY, name, kind, levels.clone())
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
