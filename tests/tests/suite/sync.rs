//! Sync for phones: everything visible that changed since the cursor, tombstones for what is
//! no longer visible, and no change skipped when writers commit out of order.

use fieldline_tests::*;
use fieldline_wire::contacts::{ContactInput, ContactStatus, Referral, Setting};
use fieldline_wire::sync::SyncPage;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

fn contact(person: Uuid, pseudonym: &str) -> ContactInput {
    ContactInput {
        occurred_at: chrono::Utc::now(),
        setting: Setting::Hospital,
        incident_type: "sexual_assault".into(),
        needs: vec![],
        ..open_contact(person, pseudonym)
    }
}

async fn put(server: &TestServer, token: &str, id: Uuid, body: &ContactInput) {
    let (status, _) = server.put_contact(token, id, body, None).await;
    assert!((200..300).contains(&status), "{status}");
}

async fn sync(server: &TestServer, token: &str, cursor: Option<&str>, limit: i64) -> SyncPage {
    let mut url = format!("/v1/sync?limit={limit}");
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={c}"));
    }
    let res = raw()
        .get(server.url(&url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Pages until `more` is false; returns every change and the last cursor. The watermark is
/// cluster-wide, so a write committed a moment ago may show up one call later: callers that
/// need a particular change poll.
async fn drain(
    server: &TestServer,
    token: &str,
    mut cursor: Option<String>,
    limit: i64,
) -> (Vec<fieldline_wire::sync::SyncChange>, String) {
    let mut all = Vec::new();
    loop {
        let page = sync(server, token, cursor.as_deref(), limit).await;
        all.extend(page.changes);
        cursor = Some(page.cursor);
        if !page.more {
            return (all, cursor.unwrap());
        }
    }
}

/// Drains repeatedly (accumulating) until `done` holds, for at most five seconds.
async fn collect_until(
    server: &TestServer,
    token: &str,
    cursor: Option<String>,
    limit: i64,
    done: impl Fn(&[fieldline_wire::sync::SyncChange]) -> bool,
) -> (Vec<fieldline_wire::sync::SyncChange>, String) {
    let (mut all, mut cursor) = drain(server, token, cursor, limit).await;
    for _ in 0..100 {
        if done(&all) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let (more, next) = drain(server, token, Some(cursor), limit).await;
        all.extend(more);
        cursor = next;
    }
    (all, cursor)
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_phone_gets_each_change_once_in_pages(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let ids: Vec<Uuid> = (0..7).map(|_| Uuid::new_v4()).collect();
    let persons: Vec<Uuid> = (0..7).map(|_| Uuid::new_v4()).collect();
    for (i, id) in ids.iter().enumerate() {
        put(
            &server,
            &t,
            *id,
            &contact(persons[i], &format!("Client {i}")),
        )
        .await;
    }
    let (changes, cursor) = collect_until(&server, &t, None, 3, |c| {
        c.iter().filter(|c| c.record_type == "contact").count() >= 7
    })
    .await;
    let contacts: Vec<Uuid> = changes
        .iter()
        .filter(|c| c.record_type == "contact" && !c.deleted)
        .map(|c| c.id)
        .collect();
    for id in &ids {
        assert!(contacts.contains(id), "{id} not synced");
    }
    let synced_persons = changes.iter().filter(|c| c.record_type == "person").count();
    assert_eq!(synced_persons, 7);
    let first = changes.iter().find(|c| c.id == ids[0]).unwrap();
    assert_eq!(
        first.contact.as_ref().unwrap().person.name.as_deref(),
        Some("Dana Example")
    );

    // Nothing new: an empty page and the same cursor.
    let page = sync(&server, &t, Some(&cursor), 100).await;
    assert!(page.changes.is_empty() && !page.more);
    assert_eq!(page.cursor, cursor);

    // One change later: exactly that record (and its person, saved with it).
    let mut changed = contact(persons[3], "Client 3");
    changed.status = ContactStatus::Closed;
    let (s, _) = server
        .put_contact(&t, ids[3], &json!(changed), Some("\"1\""))
        .await;
    assert_eq!(s, 200);
    // A writing transaction anywhere on the cluster (another test) holds the watermark back
    // for a moment: poll, briefly.
    let mut page = sync(&server, &t, Some(&cursor), 100).await;
    for _ in 0..100 {
        if !page.changes.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = sync(&server, &t, Some(&cursor), 100).await;
    }
    let got: Vec<(&str, Uuid)> = page
        .changes
        .iter()
        .map(|c| (c.record_type.as_str(), c.id))
        .collect();
    assert_eq!(got, vec![("person", persons[3]), ("contact", ids[3])]);
    let synced = page.changes[1].contact.as_ref().unwrap();
    assert_eq!(synced.status, ContactStatus::Closed);

    // Bad cursors are 400s.
    assert_eq!(server.get(&t, "/v1/sync?cursor=garbage").await.0, 400);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_writer_that_commits_late_is_not_skipped(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let before = Uuid::new_v4();
    put(&server, &t, before, &contact(Uuid::new_v4(), "Before")).await;
    let (_, cursor) =
        collect_until(&server, &t, None, 100, |c| c.iter().any(|c| c.id == before)).await;

    // A slow writer starts first and holds its transaction open...
    let person = Uuid::new_v4();
    let mut slow = db.begin().await.unwrap();
    let agency = fieldline_api::demo::DEMO_AGENCY;
    sqlx::query("INSERT INTO persons (id, agency_id, pseudonym) VALUES ($1, $2, 'Slow writer')")
        .bind(person)
        .bind(agency)
        .execute(&mut *slow)
        .await
        .unwrap();
    // ...a fast one commits after it started...
    let fast = Uuid::new_v4();
    put(&server, &t, fast, &contact(Uuid::new_v4(), "Fast")).await;
    // ...and the phone syncs in between: it sees nothing beyond the slow writer's start.
    let mid = sync(&server, &t, Some(&cursor), 100).await;
    assert!(mid.changes.iter().all(|c| c.id != person));
    slow.commit().await.unwrap();

    // After the slow writer commits, the next sync has both; neither is lost.
    let (after, _) = collect_until(&server, &t, Some(mid.cursor.clone()), 100, |c| {
        c.iter().any(|c| c.id == person) && c.iter().any(|c| c.id == fast)
    })
    .await;
    let mut all: Vec<Uuid> = mid
        .changes
        .iter()
        .chain(after.iter())
        .map(|c| c.id)
        .collect();
    all.sort();
    assert!(all.contains(&fast), "the fast writer's contact was skipped");
    assert!(
        all.contains(&person),
        "the slow writer's person was skipped"
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn sealing_a_record_sends_a_tombstone_to_those_who_lose_it(db: PgPool) {
    let server = TestServer::start(db).await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    put(
        &server,
        &advocate,
        id,
        &contact(Uuid::new_v4(), "High profile"),
    )
    .await;
    let (changes, cursor) = collect_until(&server, &coordinator, None, 100, |c| {
        c.iter().any(|c| c.id == id)
    })
    .await;
    assert!(changes.iter().any(|c| c.id == id && !c.deleted));

    let admin = server.token(ADMIN).await;
    assert_eq!(
        server
            .put(
                &admin,
                &format!("/v1/contacts/{id}/access"),
                json!({"sealed": true, "team": []})
            )
            .await
            .0,
        204
    );
    let (changes, _) = collect_until(&server, &coordinator, Some(cursor), 100, |c| {
        c.iter().any(|c| c.id == id)
    })
    .await;
    let contact = changes
        .iter()
        .find(|c| c.id == id)
        .expect("a change for the sealed record");
    assert!(contact.deleted && contact.contact.is_none());
    let person = changes.iter().find(|c| c.record_type == "person");
    assert!(
        person.is_none_or(|p| p.deleted),
        "the person of a sealed record must not leak"
    );
    // The advocate who made it still gets it.
    let (mine, _) = collect_until(&server, &advocate, None, 100, |c| {
        c.iter().any(|c| c.id == id)
    })
    .await;
    assert!(mine.iter().any(|c| c.id == id && !c.deleted));

    // Another agency never sees any of it.
    let other = server.token(OTHER_ADVOCATE).await;
    let (theirs, _) = drain(&server, &other, None, 100).await;
    assert!(theirs.is_empty());
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn safety_plans_sync_with_their_person(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let person = Uuid::new_v4();
    put(&server, &t, Uuid::new_v4(), &contact(person, "Plan owner")).await;
    assert_eq!(
        server
            .put(
                &t,
                &format!("/v1/persons/{person}/safety-plan"),
                json!({"safe_places": ["the library on 5th"], "code_word": "blue umbrella"})
            )
            .await
            .0,
        201
    );
    let (changes, _) = collect_until(&server, &t, None, 100, |c| {
        c.iter().any(|c| c.record_type == "safety_plan")
    })
    .await;
    let plan = changes
        .iter()
        .find(|c| c.record_type == "safety_plan")
        .unwrap();
    let body = plan.safety_plan.as_ref().expect("the plan itself");
    assert_eq!(body["person_id"], person.to_string());
    assert_eq!(body["content"]["code_word"], "blue umbrella");
    // Another agency gets nothing of it.
    let other = server.token(OTHER_ADVOCATE).await;
    let (theirs, _) = drain(&server, &other, None, 100).await;
    assert!(theirs.is_empty());
}

/// A contact's parts log their contact once per transaction: the first part through the full
/// trigger, the next ones skipped by its WHEN condition (migration 1410), another contact's part
/// through the full trigger again, and a savepoint rolled back takes the note with it.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn parts_log_their_contact_once_per_transaction(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for id in [a, b] {
        let mut c = contact(Uuid::new_v4(), "Client");
        c.referrals = (0..2)
            .map(|_| Referral {
                id: Uuid::new_v4(),
                directory_entry_id: None,
                free_text: Some("legal aid".into()),
            })
            .collect();
        put(&server, &t, id, &c).await;
    }
    // How often each contact was logged by the transaction `tx` is in.
    async fn logged(tx: &mut sqlx::PgConnection, id: Uuid) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM sync_changes
              WHERE txid = pg_current_xact_id() AND record_type = 'contact' AND record_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap()
    }
    let touch = "UPDATE referrals SET free_text_sealed = free_text_sealed WHERE contact_id = $1";

    let mut tx = server.db.begin().await.unwrap();
    for id in [a, a, b, a, b] {
        sqlx::query(touch).bind(id).execute(&mut *tx).await.unwrap();
    }
    assert_eq!((logged(&mut tx, a).await, logged(&mut tx, b).await), (1, 1));
    tx.commit().await.unwrap();

    let mut tx = server.db.begin().await.unwrap();
    sqlx::query("SAVEPOINT s").execute(&mut *tx).await.unwrap();
    sqlx::query(touch).bind(a).execute(&mut *tx).await.unwrap();
    sqlx::query("ROLLBACK TO SAVEPOINT s")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(logged(&mut tx, a).await, 0);
    sqlx::query(touch).bind(a).execute(&mut *tx).await.unwrap();
    assert_eq!(
        logged(&mut tx, a).await,
        1,
        "logged again after the rollback"
    );
    tx.commit().await.unwrap();
}
