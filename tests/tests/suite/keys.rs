//! Data-key rotation: every sealed column of the schema is re-sealed by `fieldline
//! rotate-data-keys` (the list is checked against the schema itself, so a new sealed column
//! cannot be forgotten), and once it reports 0 the old key can go: alerts and check-ins sealed
//! under it still read.

use fieldline_api::encryption::{DataKeys, SEALED, rotate_all};
use fieldline_tests::*;
use serde_json::json;
use sqlx::PgPool;
use std::collections::BTreeSet;
use uuid::Uuid;

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn every_sealed_column_of_the_schema_is_rotated(db: PgPool) {
    let in_schema = sealed_in_schema(&db).await;
    assert!(
        in_schema.len() >= 11,
        "the query finds the sealed columns: {in_schema:?}"
    );
    let rotated: BTreeSet<(String, String)> = SEALED
        .iter()
        .map(|c| (c.table.to_owned(), c.column.to_owned()))
        .collect();
    let missed: Vec<_> = in_schema.difference(&rotated).collect();
    assert!(
        missed.is_empty(),
        "sealed columns that `rotate-data-keys` does not re-seal (add them to encryption::SEALED): {missed:?}"
    );
    let unknown: Vec<_> = rotated.difference(&in_schema).collect();
    assert!(
        unknown.is_empty(),
        "encryption::SEALED names columns the schema does not have: {unknown:?}"
    );
    // Every field name is distinct, so a value cannot be opened as another column's.
    let fields: BTreeSet<&str> = SEALED.iter().map(|c| c.field).collect();
    assert_eq!(fields.len(), SEALED.len());
}

/// Every sealed column of the schema: each `bytea` column named `*_sealed`.
async fn sealed_in_schema(db: &PgPool) -> BTreeSet<(String, String)> {
    sqlx::query_as(
        r"SELECT table_name::text, column_name::text FROM information_schema.columns
           WHERE table_schema = current_schema() AND data_type = 'bytea'
             AND column_name LIKE '%\_sealed'",
    )
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// How many values of each sealed column of the schema are sealed under a key other than
/// `key`.
async fn sealed_under_other_keys(db: &PgPool, key: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for (table, col) in sealed_in_schema(db).await {
        let sql = format!(
            "SELECT count(*) FROM {table} WHERE {col} IS NOT NULL
                AND substring({col} from 3 for get_byte({col}, 1)) <> convert_to($1, 'UTF8')"
        );
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_one(db)
            .await
            .unwrap();
        if n > 0 {
            out.push((format!("{table}.{col}"), n));
        }
    }
    out
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn after_rotation_the_old_key_can_go_and_alerts_still_read(db: PgPool) {
    let RotationKeys {
        dir,
        old: old_file,
        both,
        only_new,
    } = RotationKeys::write("fieldline-keys");

    // Under the old key: an alert with details, and a check-in with a last location.
    let server = TestServer::start_with(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", old_file.to_str().unwrap())],
    )
    .await;
    let advocate = server.token(ADVOCATE).await;
    let alert = Uuid::new_v4();
    let (s, _) = server.post(&advocate, "/v1/alerts", json!({"id": alert, "kind": "high_risk", "details": "Needs a coordinator at the hospital"}))
    .await;
    assert_eq!(s, 201);
    let checkin = Uuid::new_v4();
    let end = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (s, _) = server
        .post(
            &advocate,
            "/v1/safety/checkins",
            json!({"id": checkin, "expected_end_at": end, "grace_minutes": 10}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = server
        .post(
            &advocate,
            &format!("/v1/safety/checkins/{checkin}/location"),
            json!({"latitude": 40.2501, "longitude": -111.6492, "precision_m": 15}),
        )
        .await;
    assert_eq!(s, 204);
    server.stop().await;
    let before = sealed_under_other_keys(&db, "new").await;
    for column in ["alerts.details_sealed", "checkins.last_location_sealed"] {
        assert!(
            before.iter().any(|(c, _)| c == column),
            "{column} holds an old-key value: {before:?}"
        );
    }

    // Rotate until it reports 0, as docs/operations.md ("Key rotation") says; then nothing is
    // left under the old key.
    let keys = DataKeys::load(&both, false).unwrap();
    let mut runs = 0;
    while rotate_all(&db, &keys).await.unwrap() > 0 {
        runs += 1;
        assert!(runs < 10, "rotation does not finish");
    }

    // The old key removed: the inbox and the alert read, the missed check-out opens its
    // location.
    let server = TestServer::start_unseeded(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", only_new.to_str().unwrap())],
    )
    .await;
    let coordinator = server.token(COORDINATOR).await;
    let (s, inbox) = server.get(&coordinator, "/v1/alerts").await;
    assert_eq!(s, 200, "{inbox}");
    let (s, read) = server
        .get(&coordinator, &format!("/v1/alerts/{alert}"))
        .await;
    assert_eq!(s, 200, "{read}");
    assert_eq!(read["details"], "Needs a coordinator at the hospital");

    sqlx::query("UPDATE checkins SET expected_end_at = now() - interval '11 minutes'")
        .execute(&db)
        .await
        .unwrap();
    server.escalate().await;
    let (s, inbox) = server.get(&coordinator, "/v1/alerts").await;
    assert_eq!(s, 200, "{inbox}");
    let safety = inbox["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "advocate_safety")
        .unwrap_or_else(|| panic!("no missed check-out alert: {inbox}"));
    let (s, read) = server
        .get(
            &coordinator,
            &format!("/v1/alerts/{}", safety["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(s, 200, "{read}");
    assert!(
        read["details"].as_str().unwrap().contains("40.2501"),
        "{read}"
    );
    // And nothing anywhere is left under the old key.
    assert_eq!(sealed_under_other_keys(&db, "new").await, vec![]);
    let _ = std::fs::remove_dir_all(&dir);
}
