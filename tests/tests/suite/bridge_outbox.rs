//! The bridge as a phone uses it: changes recorded with no signal survive an app restart and a
//! server restart and arrive once; a write whose answer was lost is replayed harmlessly; two
//! phones editing the same safety plan see a conflict with both versions; the last directory
//! results and the synced records are readable offline, with their age.

use fieldline_bridge::{FieldlineError, OutboxState};
use fieldline_tests::phone::{LossyProxy, Phone, unreachable_url};
use fieldline_tests::*;
use fieldline_wire::plans::SafetyPlanContent;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

fn contact(person: Uuid, pseudonym: &str) -> String {
    let mut c = open_contact(person, pseudonym);
    c.person.phone = Some("555-0199".into());
    c.notes = Some("Met at the scene".into());
    serde_json::to_string(&c).unwrap()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn contacts_recorded_offline_survive_restarts_and_arrive_once(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    let kept = phone.storage.refresh_token.lock().unwrap().clone();
    assert!(kept.is_some(), "the refresh token goes to secure storage");

    // No signal: five contacts, each stored before the call returns.
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        let q = phone
            .bridge
            .save_contact(None, contact(Uuid::new_v4(), &format!("Client {n}")), None)
            .await
            .unwrap();
        ids.push(q.record_id);
    }
    phone.wait_attempted().await;
    let outbox = phone.bridge.outbox().unwrap();
    assert_eq!(outbox.len(), 5);
    assert!(outbox.iter().all(|i| i.state == OutboxState::Pending));
    let order: Vec<_> = outbox.iter().map(|i| i.record_id.clone()).collect();
    assert_eq!(order, ids, "kept in the order they were made");
    assert!(matches!(
        phone.bridge.sync().await,
        Err(FieldlineError::Offline)
    ));
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 0);

    // Neither the refresh token nor personal fields are on disk in plain text.
    let token = kept.unwrap();
    let mut disk = std::fs::read(&phone.db_path).unwrap();
    disk.extend(std::fs::read(format!("{}-wal", phone.db_path.display())).unwrap_or_default());
    for secret in [token.as_bytes(), b"Dana Example", b"555-0199"] {
        assert!(!disk.windows(secret.len()).any(|w| w == secret));
    }

    // The server restarts (new address, new signing keys); the app is killed and restarted.
    server.stop().await;
    let server = TestServer::start(db.clone()).await;
    let phone = phone.restart(&server.base_url).await;
    assert_eq!(phone.bridge.outbox().unwrap().len(), 5, "nothing lost");

    let report = phone.bridge.sync().await.unwrap();
    assert_eq!(report.sent, 5);
    assert_eq!(report.pending, 0);
    assert!(phone.bridge.outbox().unwrap().is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 5);

    // Sync again: nothing sent twice, nothing duplicated, all readable offline.
    let again = phone.bridge.sync().await.unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 5);
    assert_eq!(count(&db, "SELECT count(*) FROM persons").await, 5);
    let cached = phone.bridge.cached_contacts().unwrap();
    let mut cached_ids: Vec<_> = cached.iter().map(|c| c.id.clone()).collect();
    cached_ids.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(cached_ids, expected);
    let one: Value = serde_json::from_str(&cached[0].json).unwrap();
    assert_eq!(one["person"]["name"], "Dana Example");
    assert!(cached.iter().all(|c| c.age_seconds < 60));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_write_whose_answer_was_lost_is_replayed_harmlessly(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let proxy = LossyProxy::start(server.addr).await;
    let phone = Phone::install(&proxy.url);
    phone.login(ADVOCATE).await;

    proxy.lose_responses(true);
    let person = Uuid::new_v4();
    let q = phone
        .bridge
        .save_contact(None, contact(person, "Client 12"), None)
        .await
        .unwrap();
    phone.wait_attempted().await;
    // The server has it; the phone does not know.
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 1);
    let outbox = phone.bridge.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, OutboxState::Pending);

    proxy.lose_responses(false);
    let report = phone.bridge.sync().await.unwrap();
    assert_eq!(report.sent, 1);
    assert!(phone.bridge.outbox().unwrap().is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM persons").await, 1);
    let creates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'contact.create' AND record_id = $1",
    )
    .bind(&q.record_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(creates, 1);
    let cached = phone
        .bridge
        .cached_contact(q.record_id.clone())
        .unwrap()
        .unwrap();
    assert_eq!(cached.version, Some(1));
}

fn plan(warning: &str) -> String {
    serde_json::to_string(&SafetyPlanContent {
        warning_signs: vec![warning.into()],
        safe_places: vec!["Sister's flat".into()],
        ..SafetyPlanContent::default()
    })
    .unwrap()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn two_phones_editing_one_plan_see_the_conflict_with_both_versions(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let a = Phone::install(&server.base_url);
    a.login(ADVOCATE).await;
    let b = Phone::install(&server.base_url);
    b.login(COORDINATOR).await;

    let person = Uuid::new_v4();
    a.bridge
        .save_contact(None, contact(person, "Client 40"), None)
        .await
        .unwrap();
    a.bridge.sync().await.unwrap();
    a.bridge
        .save_safety_plan(person.to_string(), plan("first"), None)
        .await
        .unwrap();
    a.bridge.sync().await.unwrap();
    let person_id = person.to_string();
    b.sync_until(|b| b.cached_safety_plan(person_id.clone()).unwrap().is_some())
        .await;
    let base = b
        .bridge
        .cached_safety_plan(person.to_string())
        .unwrap()
        .expect("plan synced to the second phone");
    assert_eq!(base.version, Some(1));

    // Both edit version 1; phone B has no signal while it saves.
    b.bridge.set_server_url(unreachable_url().await).unwrap();
    b.bridge
        .save_safety_plan(person.to_string(), plan("B's edit"), Some(1))
        .await
        .unwrap();
    b.wait_attempted().await;
    a.bridge
        .save_safety_plan(person.to_string(), plan("A's edit"), Some(1))
        .await
        .unwrap();
    a.bridge.sync().await.unwrap();
    b.bridge.set_server_url(server.base_url.clone()).unwrap();
    let report = b.bridge.sync().await.unwrap();
    assert_eq!((report.sent, report.conflicts), (0, 1));

    let item = &b.bridge.outbox().unwrap()[0];
    assert_eq!(item.state, OutboxState::Conflict);
    assert_eq!(item.base_version, Some(1));
    assert_eq!(item.server_version, Some(2));
    let mine: Value = serde_json::from_str(&item.mine_json).unwrap();
    let theirs: Value = serde_json::from_str(item.server_json.as_ref().unwrap()).unwrap();
    assert_eq!(mine["warning_signs"][0], "B's edit");
    assert_eq!(theirs["content"]["warning_signs"][0], "A's edit");

    // B keeps theirs on top of A's: version 3, nothing lost, A's version stays in history.
    b.bridge
        .resolve_conflict(item.mutation_id.clone(), true)
        .await
        .unwrap();
    b.bridge.sync().await.unwrap();
    assert!(b.bridge.outbox().unwrap().is_empty());
    let current = count(&db, "SELECT max(version)::bigint FROM safety_plan_versions").await;
    assert_eq!(current, 3);
    a.sync_until(|a| {
        a.cached_safety_plan(person_id.clone())
            .unwrap()
            .unwrap()
            .version
            == Some(3)
    })
    .await;
    let seen: Value = serde_json::from_str(
        &a.bridge
            .cached_safety_plan(person.to_string())
            .unwrap()
            .unwrap()
            .json,
    )
    .unwrap();
    assert_eq!(seen["content"]["warning_signs"][0], "B's edit");
    assert_eq!(seen["version"], 3);

    // A conflict may also be settled by dropping one's change.
    b.bridge.set_server_url(unreachable_url().await).unwrap();
    b.bridge
        .save_safety_plan(person.to_string(), plan("stale"), Some(1))
        .await
        .unwrap();
    b.wait_attempted().await;
    b.bridge.set_server_url(server.base_url.clone()).unwrap();
    b.bridge.sync().await.unwrap();
    let stale = &b.bridge.outbox().unwrap()[0];
    assert_eq!(stale.state, OutboxState::Conflict);
    b.bridge
        .resolve_conflict(stale.mutation_id.clone(), false)
        .await
        .unwrap();
    assert!(b.bridge.outbox().unwrap().is_empty());
    let versions = count(&db, "SELECT count(*) FROM safety_plan_versions").await;
    assert_eq!(versions, 3);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_last_directory_results_are_readable_offline_with_their_age(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    assert!(phone.bridge.cached_nearby().unwrap().is_none());

    let fresh = phone
        .bridge
        .nearby(40.2425, -111.653, 50_000.0, String::new())
        .await
        .unwrap();
    assert!(!fresh.from_cache);
    let entries: Value = serde_json::from_str(&fresh.entries_json).unwrap();
    assert!(!entries["entries"].as_array().unwrap().is_empty());

    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let offline = phone
        .bridge
        .nearby(40.2425, -111.653, 50_000.0, String::new())
        .await
        .unwrap();
    assert!(offline.from_cache);
    assert_eq!(offline.entries_json, fresh.entries_json);
    assert_eq!(offline.fetched_at_ms, fresh.fetched_at_ms);
    assert!(offline.age_seconds >= 0);

    // Validation errors come back typed, with the field.
    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();
    match phone
        .bridge
        .nearby(95.0, -111.653, 50_000.0, String::new())
        .await
    {
        Err(FieldlineError::Validation { errors }) => {
            assert!(
                errors.iter().any(|e| e.pointer.contains("latitude")),
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn changes_to_one_record_go_out_in_the_order_they_were_made(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();

    // A contact, then its edit, then a second contact about the same person, among others.
    let person = Uuid::new_v4();
    let first = phone
        .bridge
        .save_contact(None, contact(person, "Client 70"), None)
        .await
        .unwrap();
    for n in 0..10 {
        phone
            .bridge
            .save_contact(None, contact(Uuid::new_v4(), &format!("Other {n}")), None)
            .await
            .unwrap();
    }
    let mut edited: Value = serde_json::from_str(&contact(person, "Client 70")).unwrap();
    edited["notes"] = "Moved to the shelter".into();
    edited["status"] = "follow_up".into();
    phone
        .bridge
        .save_contact(Some(first.record_id.clone()), edited.to_string(), Some(1))
        .await
        .unwrap();
    let mut renamed: Value = serde_json::from_str(&contact(person, "Client 70b")).unwrap();
    renamed["incident_type"] = "stalking".into();
    phone
        .bridge
        .save_contact(None, renamed.to_string(), None)
        .await
        .unwrap();

    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();
    let report = phone.bridge.sync().await.unwrap();
    // (Background delivery may have sent some already, once the signal was back.)
    assert_eq!(
        (report.pending, report.conflicts, report.rejected),
        (0, 0, 0)
    );
    assert!(phone.bridge.outbox().unwrap().is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 12);
    let c: Value = serde_json::from_str(
        &phone
            .bridge
            .cached_contact(first.record_id.clone())
            .unwrap()
            .unwrap()
            .json,
    )
    .unwrap();
    assert_eq!(c["version"], 2);
    assert_eq!(c["notes"], "Moved to the shelter");
    assert_eq!(c["status"], "follow_up");
    // The edit (with its version) changed the person; the later contact about the same person
    // is linked to them as they stand: a create never rewrites a person (issue #16, finding 2).
    let pseudonym: String = sqlx::query_scalar("SELECT pseudonym FROM persons WHERE id = $1")
        .bind(person)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(pseudonym, "Client 70");
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT person_id) FROM contacts WHERE incident_type = 'stalking'"
        )
        .await,
        1
    );
}

/// Issue #18, finding 1: a contact created offline and edited offline before the create was
/// delivered (so with no version) lost the edit, on the server and in the phone's cache. Each
/// queued change goes with its own id (`Idempotency-Key`): the edit is applied in order, and
/// a replay of either changes nothing.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_offline_edit_of_an_undelivered_contact_is_not_lost(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let person = Uuid::new_v4();
    let first = phone
        .bridge
        .save_contact(None, contact(person, "Client 71"), None)
        .await
        .unwrap();
    let mut edited: Value = serde_json::from_str(&contact(person, "Client 71")).unwrap();
    edited["notes"] = "She left for her sister's".into();
    edited["person"]["phone"] = "555-0100".into();
    phone
        .bridge
        .save_contact(Some(first.record_id.clone()), edited.to_string(), None)
        .await
        .unwrap();
    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();
    let report = phone.bridge.sync().await.unwrap();
    assert_eq!(
        (report.pending, report.conflicts, report.rejected),
        (0, 0, 0)
    );
    let (version, phone_number): (i64, Option<String>) = {
        let v: i64 = sqlx::query_scalar("SELECT version FROM contacts WHERE id = $1::uuid")
            .bind(&first.record_id)
            .fetch_one(&db)
            .await
            .unwrap();
        let c = server.login(ADVOCATE).await;
        let t = c.session().unwrap().access_token;
        let (_, got) = server
            .get(&t, &format!("/v1/contacts/{}", first.record_id))
            .await;
        assert_eq!(got["notes"], "She left for her sister's");
        (v, got["person"]["phone"].as_str().map(str::to_owned))
    };
    assert_eq!((version, phone_number.as_deref()), (2, Some("555-0100")));
    let cached: Value = serde_json::from_str(
        &phone
            .bridge
            .cached_contact(first.record_id.clone())
            .unwrap()
            .unwrap()
            .json,
    )
    .unwrap();
    assert_eq!(cached["notes"], "She left for her sister's");
    assert_eq!(cached["version"], 2);
    assert_eq!(count(&db, "SELECT count(*) FROM contact_changes").await, 2);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn unsent_work_survives_sign_out_attempts_and_never_goes_out_as_someone_else(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    phone.bridge.sync().await.unwrap();
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    phone
        .bridge
        .save_contact(None, contact(Uuid::new_v4(), "Client 90"), None)
        .await
        .unwrap();
    phone.wait_attempted().await;
    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();

    assert!(matches!(
        phone.bridge.logout(false).await,
        Err(FieldlineError::PendingChanges { count: 1 })
    ));
    // Another user on this phone cannot sign in over the advocate's unsent contact.
    let other = phone
        .bridge
        .login(COORDINATOR.into(), DEMO_PASSWORD.into())
        .await;
    assert!(
        matches!(other, Err(FieldlineError::PendingChanges { count: 1 })),
        "{other:?}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 0);

    phone.login(ADVOCATE).await;
    assert_eq!(phone.bridge.sync().await.unwrap().sent, 1);
    let advocate = server.user_id(ADVOCATE).await;
    let by: Uuid = sqlx::query_scalar("SELECT advocate_id FROM contacts")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(by, advocate);

    phone.bridge.logout(false).await.unwrap();
    assert!(phone.storage.refresh_token.lock().unwrap().is_none());
    assert!(phone.bridge.cached_contacts().unwrap().is_empty());
    assert!(phone.bridge.cached_nearby().unwrap().is_none());
    phone.login(COORDINATOR).await;
}
