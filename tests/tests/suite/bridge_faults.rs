//! The bridge under a hostile network, through the fault-injecting proxy
//! (`fieldline_tests::fault_proxy`): a captive portal, answers cut short, answers lost after
//! the server committed, resets, refusals, delays, and an access token that stops working
//! while the phone is offline, with the refresh answers lost. Each test asserts what the field
//! needs: every change on the server exactly once, nothing rejected for a transport fault, no
//! alert dropped, no false conflict, no sign-out. Faults are scripted or drawn from a seed;
//! nothing here depends on timing.

use fieldline_bridge::{AlertOutcome, BridgeOptions, FieldlineError, OutboxItem, OutboxState};
use fieldline_tests::fault_proxy::{Fault, FaultProxy};
use fieldline_tests::phone::{Phone, fast_options};
use fieldline_tests::*;
use fieldline_wire::plans::SafetyPlanContent;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

const DEMO_FALLBACK: &str = "+1 303 555 0142";

/// A fixed id per test and number, so a seeded run meets the same faults every time.
fn id(test: u64, n: u64) -> Uuid {
    uuid::Builder::from_random_bytes(
        ((u128::from(test) << 64) | u128::from(n) | (0xF1E1D << 40)).to_le_bytes(),
    )
    .into_uuid()
}

fn contact(person: Uuid, pseudonym: &str) -> String {
    serde_json::to_string(&open_contact(person, pseudonym)).unwrap()
}

fn plan(warning: &str) -> String {
    serde_json::to_string(&SafetyPlanContent {
        warning_signs: vec![warning.into()],
        ..SafetyPlanContent::default()
    })
    .unwrap()
}

fn assert_nothing_refused(outbox: &[OutboxItem]) {
    for item in outbox {
        assert_eq!(
            item.state,
            OutboxState::Pending,
            "{} {} went to {:?} ({:?})",
            item.kind,
            item.record_id,
            item.state,
            item.last_error
        );
    }
}

/// Syncs until the outbox is empty after a sync that succeeded. Every sync either succeeds
/// with no conflict and no rejection, or reports `Offline`: anything else fails the test
/// (a `Protocol` error, `Unauthorized` — a sign-out).
async fn sync_until_quiet(phone: &Phone) {
    for _ in 0..300 {
        match phone.bridge.sync().await {
            Ok(report) => {
                assert_eq!((report.conflicts, report.rejected), (0, 0), "{report:?}");
                if phone.bridge.outbox().unwrap().is_empty() {
                    return;
                }
            }
            Err(FieldlineError::Offline) => {}
            Err(e) => panic!("sync: {e:?}"),
        }
        assert_nothing_refused(&phone.bridge.outbox().unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the outbox never emptied");
}

fn not_delivered(outcome: AlertOutcome) -> String {
    match outcome {
        AlertOutcome::NotDelivered {
            alert_id,
            coordinator_fallback_phone,
            ..
        } => {
            assert_eq!(coordinator_fallback_phone.as_deref(), Some(DEMO_FALLBACK));
            alert_id
        }
        other => panic!("expected NotDelivered, got {other:?}"),
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn behind_a_captive_portal_nothing_is_rejected_and_the_alert_waits(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let proxy = FaultProxy::start(server.addr).await;
    let mut phone = Phone::install_with(&proxy.url, fast_options());
    phone.login(ADVOCATE).await;

    // Every request is answered `200 text/html` by the portal.
    proxy.set(Fault::CaptivePortal);
    for n in 0..5 {
        phone
            .bridge
            .save_contact(
                Some(id(1, n).to_string()),
                contact(id(1, 100 + n), &format!("Client {n}")),
                None,
            )
            .await
            .unwrap();
    }
    phone.wait_attempted().await;
    let alert_id = not_delivered(
        phone
            .bridge
            .raise_alert("high_risk".into(), None, None)
            .await
            .expect("an alert behind a portal is not an error"),
    );
    // Duress too: the portal's `200` is not the server's `202`.
    let duress_id = not_delivered(
        phone
            .bridge
            .duress(Some(40.24), Some(-111.65), Some(20))
            .await
            .unwrap(),
    );
    assert!(
        matches!(phone.bridge.sync().await, Err(FieldlineError::Offline)),
        "a portal is no connection"
    );
    let outbox = phone.bridge.outbox().unwrap();
    assert_eq!(outbox.len(), 7, "the alerts and the contacts wait");
    assert_nothing_refused(&outbox);
    assert!(proxy.count("POST", "/v1/alerts", Fault::CaptivePortal) >= 1);
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 0);
    assert_eq!(count(&db, "SELECT count(*) FROM alerts").await, 0);

    // Signed in to the portal: everything goes out, once.
    proxy.set(Fault::Pass);
    sync_until_quiet(&phone).await;
    let mut told = vec![phone.landed().await, phone.landed().await];
    told.sort();
    let mut expected = vec![alert_id, duress_id];
    expected.sort();
    assert_eq!(told, expected);
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 5);
    let mut alerts: Vec<String> = sqlx::query_scalar::<_, Uuid>("SELECT id FROM alerts")
        .fetch_all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    alerts.sort();
    assert_eq!(alerts, expected, "each once");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn answers_cut_short_are_retried_never_rejected(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let proxy = FaultProxy::start(server.addr).await;
    let mut phone = Phone::install_with(&proxy.url, fast_options());
    phone.login(ADVOCATE).await;

    // Every answer loses the second half of its body: the server has acted, the phone cannot
    // read what it said.
    proxy.set(Fault::Truncate);
    for n in 0..10 {
        phone
            .bridge
            .save_contact(
                Some(id(2, n).to_string()),
                contact(id(2, 100 + n), &format!("Client {n}")),
                None,
            )
            .await
            .unwrap();
    }
    phone.wait_attempted().await;
    let alert_id = not_delivered(
        phone
            .bridge
            .raise_alert("next_of_kin".into(), None, None)
            .await
            .unwrap(),
    );
    assert!(matches!(
        phone.bridge.sync().await,
        Err(FieldlineError::Offline)
    ));
    let outbox = phone.bridge.outbox().unwrap();
    assert_nothing_refused(&outbox);
    assert!(
        outbox.iter().any(|i| i.record_id == alert_id),
        "the alert stays until the server's answer is read"
    );
    assert!(count(&db, "SELECT count(*) FROM contacts").await >= 1);
    assert_eq!(count(&db, "SELECT count(*) FROM alerts").await, 1);

    proxy.set(Fault::Pass);
    sync_until_quiet(&phone).await;
    assert_eq!(phone.landed().await, alert_id);
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 10);
    assert_eq!(count(&db, "SELECT count(*) FROM alerts").await, 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'contact.create'"
        )
        .await,
        10
    );
    // Every cached contact is the one version the server has: no replay made another.
    let cached = phone.bridge.cached_contacts().unwrap();
    assert_eq!(cached.len(), 10);
    assert!(cached.iter().all(|c| c.version == Some(1)), "{cached:?}");
}

/// Contacts (one in ten with a first safety plan, one in fifteen with an alert) recorded
/// through faults drawn from `seed`, then synced until quiet. Asserts everything arrived
/// exactly once, nothing was rejected, no conflict; returns what the proxy did.
async fn seeded_run(db: &PgPool, seed: u64, contacts: u64, mix: &[(Fault, u32)]) -> String {
    let server = TestServer::start(db.clone()).await;
    let proxy = FaultProxy::start(server.addr).await;
    let mut phone = Phone::install_with(&proxy.url, fast_options());
    phone.login(ADVOCATE).await;

    proxy.random(seed, "/v1/", mix);
    let (mut alerts, mut plans) = (Vec::new(), 0);
    for n in 0..contacts {
        let person = id(seed, 100_000 + n);
        phone
            .bridge
            .save_contact(
                Some(id(seed, n).to_string()),
                contact(person, &format!("Client {n}")),
                None,
            )
            .await
            .unwrap();
        if n % 10 == 0 {
            phone
                .bridge
                .save_safety_plan(person.to_string(), plan(&format!("sign {n}")), None)
                .await
                .unwrap();
            plans += 1;
        }
        if n % 15 == 7 {
            match phone
                .bridge
                .raise_alert("high_risk".into(), None, None)
                .await
                .unwrap()
            {
                AlertOutcome::Delivered { alert_id } => alerts.push((alert_id, true)),
                AlertOutcome::NotDelivered { alert_id, .. } => alerts.push((alert_id, false)),
            }
        }
    }
    sync_until_quiet(&phone).await;
    let mut told: Vec<String> = Vec::new();
    for _ in alerts.iter().filter(|(_, delivered)| !delivered) {
        told.push(phone.landed().await);
    }
    for (alert_id, delivered) in &alerts {
        assert!(
            *delivered || told.contains(alert_id),
            "{alert_id} never confirmed"
        );
    }

    assert!(
        proxy.count("PUT", "/v1/contacts/", Fault::DropAfterCommit) > 0,
        "the seed loses answers after commit"
    );
    let n = contacts as i64;
    assert_eq!(count(db, "SELECT count(*) FROM contacts").await, n);
    assert_eq!(count(db, "SELECT count(*) FROM persons").await, n);
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM audit_log WHERE action = 'contact.create'"
        )
        .await,
        n
    );
    assert_eq!(
        count(db, "SELECT count(*) FROM alerts").await,
        alerts.len() as i64
    );
    assert_eq!(
        count(db, "SELECT count(*) FROM safety_plan_versions").await,
        plans,
        "each first plan saved once"
    );
    let cached = phone.bridge.cached_contacts().unwrap();
    assert_eq!(cached.len(), contacts as usize);
    assert!(cached.iter().all(|c| c.version == Some(1)));

    let log = proxy.log();
    let contact_puts: Vec<_> = log
        .iter()
        .filter(|s| s.method == "PUT" && s.path.starts_with("/v1/contacts/"))
        .collect();
    let mut per_contact: std::collections::HashMap<&str, usize> = Default::default();
    for s in contact_puts
        .iter()
        .filter(|s| !matches!(s.fault, Fault::ResetBeforeForward | Fault::CaptivePortal))
    {
        *per_contact.entry(s.path.as_str()).or_default() += 1;
    }
    let tally = |f: Fault| log.iter().filter(|s| s.fault == f).count();
    format!(
        "seed {seed}: {contacts} contacts, {plans} plans, {} alerts ({} not delivered at first); \
         {} requests: {} answers lost after commit, {} cut short, {} reset before forwarding, \
         {} refused, {} portal, {} delayed; {} contacts reached the server more than once; \
         0 duplicates, 0 lost, 0 rejected, 0 conflicts",
        alerts.len(),
        told.len(),
        log.len(),
        tally(Fault::DropAfterCommit),
        tally(Fault::Truncate),
        tally(Fault::ResetBeforeForward),
        tally(Fault::Refuse),
        tally(Fault::CaptivePortal),
        log.iter()
            .filter(|s| matches!(s.fault, Fault::Delay(_)))
            .count(),
        per_contact.values().filter(|n| **n > 1).count(),
    )
}

/// Contacts, first safety plans and alerts recorded while a quarter of the answers are lost
/// after the server committed, and others are reset, refused, cut short, delayed or answered by
/// a portal (seeded): all of it arrives exactly once, nothing is rejected, no conflict.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn seeded_faults_deliver_every_change_exactly_once(db: PgPool) {
    let stats = seeded_run(
        &db,
        18,
        30,
        &[
            (Fault::DropAfterCommit, 250),
            (Fault::ResetBeforeForward, 100),
            (Fault::Truncate, 100),
            (Fault::CaptivePortal, 50),
            (Fault::Refuse, 50),
            (Fault::Delay(30), 100),
        ],
    )
    .await;
    eprintln!("{stats}");
}

/// The field run at full size: 300 contacts, 30 % of answers lost after commit,
/// 10 % resets. Slow; run by hand: `cargo test --test suite bridge_faults -- --ignored --nocapture`.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
#[ignore]
async fn field_run_300_contacts(db: PgPool) {
    let stats = seeded_run(
        &db,
        300,
        300,
        &[
            (Fault::DropAfterCommit, 300),
            (Fault::ResetBeforeForward, 100),
        ],
    )
    .await;
    eprintln!("{stats}");
}

/// The access token stops working while the phone is offline (here: the server restarts with
/// new signing keys, as a 15-minute token expires), and the first two answers to the refresh
/// are lost after the server rotated the token. Eight writes meet 401 at once: one refresh runs,
/// retried with the same token within the server's grace, and the others reuse it. The session
/// survives; nothing is lost.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn token_expiry_offline_and_lost_refresh_answers_do_not_sign_out(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let proxy = FaultProxy::start(server.addr).await;
    let phone = Phone::install_with(&proxy.url, fast_options());
    phone.login(ADVOCATE).await;

    proxy.set(Fault::Refuse);
    for n in 0..8 {
        phone
            .bridge
            .save_contact(
                Some(id(4, n).to_string()),
                contact(id(4, 100 + n), &format!("Client {n}")),
                None,
            )
            .await
            .unwrap();
    }
    phone.wait_attempted().await;
    server.stop().await;
    let server = TestServer::start(db.clone()).await;
    proxy.set_upstream(server.addr);

    proxy.script("POST", "/v1/auth/refresh", Fault::DropAfterCommit);
    proxy.script("POST", "/v1/auth/refresh", Fault::DropAfterCommit);
    proxy.set(Fault::Pass);
    sync_until_quiet(&phone).await;

    assert_eq!(proxy.scripted_left(), 0, "both refresh answers were lost");
    assert_eq!(
        proxy.requests("POST", "/v1/auth/refresh"),
        3,
        "one refresh at a time: sent once, retried twice"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL"
        )
        .await,
        0,
        "not signed out"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'auth.refresh_reuse'"
        )
        .await,
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 8);

    // The token the host app kept is the live one: the app resumes with it after a restart.
    let phone = phone.restart(&proxy.url).await;
    assert!(phone.bridge.sync().await.is_ok());
}

/// The server's grace for a refresh whose answer was lost holds for repeated retries (each
/// answer lost in turn), and still catches the lost successors coming back later.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_refresh_retried_after_several_lost_answers_keeps_the_session(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let url = server.url("/v1/auth/refresh");
    let client = server.login(ADVOCATE).await;
    let t0 = client.session().unwrap().refresh_token;
    let refresh = |token: String| {
        let url = url.clone();
        async move {
            let res = raw()
                .post(url)
                .json(&serde_json::json!({ "refresh_token": token }))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    // Three answers lost in a row, the fourth arrives.
    let mut lost = Vec::new();
    for _ in 0..3 {
        let (status, body) = refresh(t0.clone()).await;
        assert_eq!(status, 200, "{body}");
        lost.push(body["refresh_token"].as_str().unwrap().to_owned());
    }
    let (status, body) = refresh(t0.clone()).await;
    assert_eq!(status, 200, "{body}");
    let live = body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL"
        )
        .await,
        0
    );
    // A lost successor presented later is a copy in someone else's hands: the session ends.
    let (status, _) = refresh(lost[1].clone()).await;
    assert_eq!(status, 401);
    let (status, _) = refresh(live).await;
    assert_eq!(status, 401, "reuse detection still ends the session");
}

/// An alert whose answer was lost after the server committed is confirmed by the retry that
/// follows at once, not after a backoff; and a retry that has backed off is woken by the next
/// alert. (Background retries after the immediate one are an hour apart here, so every
/// confirmation this test sees comes from an immediate retry.)
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_alert_whose_answer_was_lost_is_confirmed_at_once(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let proxy = FaultProxy::start(server.addr).await;
    let options = BridgeOptions {
        alert_retry_backoff: Duration::from_secs(3600),
        ..fast_options()
    };
    let mut phone = Phone::install_with(&proxy.url, options);
    phone.login(ADVOCATE).await;

    proxy.script("POST", "/v1/alerts", Fault::DropAfterCommit);
    let first = not_delivered(
        phone
            .bridge
            .raise_alert("high_risk".into(), None, None)
            .await
            .unwrap(),
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM alerts").await,
        1,
        "the server has it; the phone does not know yet"
    );
    assert_eq!(phone.landed().await, first);
    assert!(phone.bridge.outbox().unwrap().is_empty());

    // No signal: the immediate retry fails too, and the next is an hour away.
    proxy.set(Fault::Refuse);
    let second = not_delivered(
        phone
            .bridge
            .raise_alert("next_of_kin".into(), None, None)
            .await
            .unwrap(),
    );
    for _ in 0..400 {
        if phone.bridge.outbox().unwrap()[0].attempts >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(phone.bridge.outbox().unwrap()[0].attempts >= 2);

    // Signal again, and the next answer on the way back is lost. Whose it is depends on which
    // request reaches the server first: the third alert's own, or the second's retry, which the
    // third alert's start may have woken. Either way every alert is confirmed at once (the
    // backoff is an hour), and the server holds each once.
    proxy.set(Fault::Pass);
    proxy.script("POST", "/v1/alerts", Fault::DropAfterCommit);
    let mut expected = vec![second];
    let third = match phone
        .bridge
        .raise_alert("next_of_kin".into(), None, None)
        .await
        .unwrap()
    {
        AlertOutcome::Delivered { alert_id } => alert_id,
        not_yet => {
            let id = not_delivered(not_yet);
            expected.push(id.clone());
            id
        }
    };
    let mut told = Vec::new();
    for _ in 0..expected.len() {
        told.push(phone.landed().await);
    }
    told.sort();
    expected.sort();
    assert_eq!(told, expected);
    assert_eq!(count(&db, "SELECT count(*) FROM alerts").await, 3);
    let third_held: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts WHERE id = $1")
        .bind(third.parse::<Uuid>().unwrap())
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(third_held, 1);
    assert!(phone.bridge.outbox().unwrap().is_empty());
}

/// Two edits of one contact queued on phone A, the first one's answers lost after the server
/// applied it; meanwhile phone B edits the contact on top of A's first edit. A's replay of its
/// first edit is answered with the record as it is now (B's version): A's second edit must go
/// on top of the version A's first edit made, and so meet B's change as a conflict, not
/// overwrite it unseen.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_replay_answered_with_a_newer_version_does_not_hide_a_conflict(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let proxy = FaultProxy::start(server.addr).await;
    let a = Phone::install_with(&proxy.url, fast_options());
    a.login(ADVOCATE).await;
    let b = Phone::install_with(&server.base_url, fast_options());
    b.login(COORDINATOR).await;
    let (record, person) = (id(7, 1), id(7, 2));
    let body = |notes: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&contact(person, "Client 7")).unwrap();
        v["notes"] = notes.into();
        v.to_string()
    };
    a.bridge
        .save_contact(Some(record.to_string()), body("first"), None)
        .await
        .unwrap();
    sync_until_quiet(&a).await;

    // A, with no signal, edits version 1 twice.
    proxy.set(Fault::Refuse);
    for notes in ["A's first edit", "A's second edit"] {
        a.bridge
            .save_contact(Some(record.to_string()), body(notes), Some(1))
            .await
            .unwrap();
    }
    a.wait_attempted().await;
    // Signal, but every answer is lost: the first edit is applied (version 2), A never hears.
    proxy.set(Fault::DropAfterCommit);
    assert!(matches!(
        a.bridge.sync().await,
        Err(FieldlineError::Offline)
    ));
    proxy.set(Fault::Refuse);
    let version = || async {
        sqlx::query_scalar::<_, i64>("SELECT version FROM contacts WHERE id = $1")
            .bind(record)
            .fetch_one(&db)
            .await
            .unwrap()
    };
    assert_eq!(version().await, 2);

    // B edits version 2.
    let rid = record.to_string();
    b.sync_until(|b| {
        b.cached_contact(rid.clone())
            .unwrap()
            .and_then(|c| c.version)
            == Some(2)
    })
    .await;
    b.bridge
        .save_contact(Some(record.to_string()), body("B's edit"), Some(2))
        .await
        .unwrap();
    sync_until_quiet(&b).await;
    assert_eq!(version().await, 3);

    // A's replay is answered with version 3; its second edit was made on version 2.
    proxy.set(Fault::Pass);
    let report = a.bridge.sync().await.unwrap();
    assert_eq!((report.sent, report.conflicts), (1, 1), "{report:?}");
    let outbox = a.bridge.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, OutboxState::Conflict);
    assert_eq!(outbox[0].base_version, Some(2));
    assert_eq!(outbox[0].server_version, Some(3));
    let theirs: serde_json::Value =
        serde_json::from_str(outbox[0].server_json.as_deref().unwrap()).unwrap();
    assert_eq!(theirs["notes"], "B's edit");
    assert_eq!(version().await, 3, "B's edit stands until A decides");
}
