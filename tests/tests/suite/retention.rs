//! Retention: closed contacts past the agency's period are purged with their personal data;
//! only counts stay; phones get tombstones.

use fieldline_tests::*;
use fieldline_wire::contacts::{ContactInput, ContactStatus, Person, ScreeningSubmission, Setting};
use fieldline_wire::screening::{Answer, Instrument, ScreeningInput};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

fn contact(person: Uuid, status: ContactStatus) -> ContactInput {
    ContactInput {
        occurred_at: chrono::Utc::now() - chrono::Duration::days(60),
        setting: Setting::Court,
        incident_type: "stalking".into(),
        location: None,
        person: Person {
            id: person,
            pseudonym: "Retained".into(),
            name: Some("Robin Purgeable".into()),
            phone: None,
            address: None,
        },
        safe_contact: None,
        needs: vec![],
        services: vec![],
        referrals: vec![],
        follow_ups: vec![],
        notes: Some("to be forgotten".into()),
        consent: None,
        status,
        screenings: vec![ScreeningSubmission {
            id: Uuid::new_v4(),
            screening: ScreeningInput {
                instrument: Instrument::Lap,
                answers: vec![Answer::Yes; 11],
                screen_in_by_belief: None,
                professional_judgement: None,
                no_alert_reason: Some("already handled".into()),
            },
        }],
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn closed_contacts_past_retention_are_purged_to_counts(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let admin = server.token(ADMIN).await;
    let put =
        async |id: Uuid, body: ContactInput| server.put_contact(&advocate, id, &body, None).await.0;
    let (old, recent, open) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let (old_person, shared_person) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(
        put(old, contact(old_person, ContactStatus::Closed)).await,
        201
    );
    assert_eq!(
        put(recent, contact(shared_person, ContactStatus::Closed)).await,
        201
    );
    assert_eq!(
        put(open, contact(shared_person, ContactStatus::Open)).await,
        201
    );
    sqlx::query("UPDATE contacts SET closed_at = now() - interval '40 days' WHERE id = $1")
        .bind(old)
        .execute(&db)
        .await
        .unwrap();

    // Without a period there is nothing to purge by; only admins set or run it.
    assert_eq!(
        server
            .post_empty(&admin, "/v1/admin/retention/purge")
            .await
            .0,
        409
    );
    assert_eq!(
        server
            .put(
                &advocate,
                "/v1/admin/retention",
                json!({"closed_contact_retention_days": 30})
            )
            .await
            .0,
        403
    );
    assert_eq!(
        server
            .put(
                &admin,
                "/v1/admin/retention",
                json!({"closed_contact_retention_days": 5})
            )
            .await
            .0,
        422
    );
    let (s, v) = server
        .put(
            &admin,
            "/v1/admin/retention",
            json!({"closed_contact_retention_days": 30}),
        )
        .await;
    assert_eq!(
        (s, v["closed_contact_retention_days"].as_i64()),
        (200, Some(30))
    );

    let (s, report) = server.post_empty(&admin, "/v1/admin/retention/purge").await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report, json!({"contacts_purged": 1, "persons_purged": 1}));
    let remaining: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM contacts ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    let mut expected = vec![recent, open];
    expected.sort();
    assert_eq!(remaining, expected, "only the contact past retention goes");
    let person_left: i64 = sqlx::query_scalar("SELECT count(*) FROM persons WHERE id = $1")
        .bind(old_person)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(person_left, 0);
    let screenings_left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM screenings WHERE contact_id = $1")
            .bind(old)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(screenings_left, 0);
    let counts: (i32, i32, String) =
        sqlx::query_as("SELECT contacts, high_risk, incident_type FROM retention_counts")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(counts, (1, 1, "stalking".to_owned()));

    // Idempotent, audited, and phones are told to forget.
    assert_eq!(
        server
            .post_empty(&admin, "/v1/admin/retention/purge")
            .await
            .1,
        json!({"contacts_purged": 0, "persons_purged": 0})
    );
    let audited = count(
        &db,
        "SELECT count(*) FROM audit_log WHERE action = 'retention.purge'",
    )
    .await;
    assert_eq!(audited, 2);
    let tombstones: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sync_changes WHERE record_id = $1 AND deleted")
            .bind(old)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(tombstones, 1);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_purged_persons_safety_plan_goes_too_but_plans_are_otherwise_kept(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let advocate = server.token(ADVOCATE).await;
    let admin = server.token(ADMIN).await;
    let (id, person) = (Uuid::new_v4(), Uuid::new_v4());
    let (s, _) = server
        .put_contact(&advocate, id, &contact(person, ContactStatus::Closed), None)
        .await;
    assert_eq!(s, 201);
    for (version, if_match) in [(1, None), (2, Some("\"1\""))] {
        let mut req = raw()
            .put(server.url(&format!("/v1/persons/{person}/safety-plan")))
            .bearer_auth(&advocate)
            .json(&json!({"warning_signs": [format!("version {version}")]}));
        if let Some(m) = if_match {
            req = req.header("if-match", m);
        }
        assert!(req.send().await.unwrap().status().is_success());
    }
    // Outside a purge, plan history cannot be deleted, not even by hand.
    let err = sqlx::query("DELETE FROM safety_plan_versions")
        .execute(&db)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("kept as saved"), "{err}");

    sqlx::query("UPDATE contacts SET closed_at = now() - interval '400 days' WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        server
            .put(
                &admin,
                "/v1/admin/retention",
                json!({"closed_contact_retention_days": 365})
            )
            .await
            .0,
        200
    );
    let report: Value = raw()
        .post(server.url("/v1/admin/retention/purge"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report, json!({"contacts_purged": 1, "persons_purged": 1}));
    for sql in [
        "SELECT count(*) FROM safety_plans",
        "SELECT count(*) FROM safety_plan_versions",
        "SELECT count(*) FROM persons",
        "SELECT count(*) FROM contacts",
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&db).await.unwrap();
        assert_eq!(n, 0, "{sql}");
    }
}
