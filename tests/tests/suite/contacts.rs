//! Crisis contacts: idempotent creation from phones, optimistic updates, screenings that raise
//! alerts atomically, sealing at rest, name search, audit, roles, agencies and sealed records.

use fieldline_tests::*;
use fieldline_wire::contacts::{
    ContactInput, ContactStatus, FollowUp, Person, Referral, SafeContact, ScreeningSubmission,
    Setting,
};
use fieldline_wire::problem::types;
use fieldline_wire::screening::{Answer, Instrument, ScreeningInput};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

fn lap(yes_in_first_three: bool) -> ScreeningInput {
    let mut answers = vec![Answer::No; 11];
    if yes_in_first_three {
        answers[1] = Answer::Yes;
    }
    ScreeningInput {
        instrument: Instrument::Lap,
        answers,
        screen_in_by_belief: None,
        professional_judgement: None,
        no_alert_reason: None,
    }
}

fn contact(person: Uuid) -> ContactInput {
    ContactInput {
        occurred_at: chrono::Utc::now() - chrono::Duration::hours(1),
        setting: Setting::OnScene,
        incident_type: "domestic_violence".into(),
        location: Some(fieldline_wire::contacts::IncidentLocation {
            latitude: 40.25,
            longitude: -111.65,
            precision_m: 50,
        }),
        person: Person {
            id: person,
            pseudonym: "Client 4821".into(),
            name: Some("Maria Elena Quintana".into()),
            phone: Some("801-555-0199".into()),
            address: Some("12 Secret Lane, Provo".into()),
        },
        safe_contact: Some(SafeContact {
            safe_phone: Some("801-555-0142".into()),
            safe_times: Some("weekdays after 3pm".into()),
            no_voicemail: true,
        }),
        needs: vec!["shelter".into(), "protective_order".into()],
        services: vec!["safety_planning".into()],
        referrals: vec![Referral {
            id: Uuid::new_v4(),
            directory_entry_id: None,
            free_text: Some("Legal aid clinic downtown".into()),
        }],
        follow_ups: vec![FollowUp {
            id: Uuid::new_v4(),
            task: "Call about the protective order hearing".into(),
            due_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            assignee_id: None,
            done: false,
        }],
        notes: Some("Partner threatened her with a knife; children at grandmother's".into()),
        consent: Some(fieldline_wire::contacts::Consent {
            share_with: vec!["shelter intake".into()],
            until: None,
        }),
        status: ContactStatus::Open,
        screenings: vec![],
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_replayed_contact_is_recorded_once(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let mut body = contact(Uuid::new_v4());
    body.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(true),
    }];

    let (s1, first) = server.put_contact(&t, id, &body, None).await;
    assert_eq!(s1, 201, "{first}");
    assert_eq!(first["person"]["name"], "Maria Elena Quintana");
    assert_eq!(
        first["screenings"][0]["result"]["lap_outcome"],
        "screened_in_protocol"
    );
    let (s2, again) = server.put_contact(&t, id, &body, None).await;
    assert_eq!(s2, 200);
    assert_eq!(again, first, "a replay must return the record unchanged");

    for (sql, n) in [
        ("SELECT count(*) FROM contacts", 1),
        ("SELECT count(*) FROM persons", 1),
        ("SELECT count(*) FROM screenings", 1),
        ("SELECT count(*) FROM referrals", 1),
        ("SELECT count(*) FROM follow_ups", 1),
        ("SELECT count(*) FROM alert_requests", 1),
    ] {
        assert_eq!(count(&db, sql).await, n, "{sql}");
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn concurrent_duplicates_collapse_into_one_record(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let mut body = contact(Uuid::new_v4());
    body.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(true),
    }];
    let sends = (0..8).map(|_| {
        let (url, t, body) = (
            server.url(&format!("/v1/contacts/{id}")),
            t.clone(),
            body.clone(),
        );
        tokio::spawn(async move {
            raw()
                .put(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for s in sends {
        statuses.push(s.await.unwrap());
    }
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM screenings").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM alert_requests").await, 1);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn changes_need_the_current_version(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let mut body = contact(Uuid::new_v4());
    let (_, created) = server.put_contact(&t, id, &body, None).await;
    assert_eq!(created["version"], 1);
    body.status = ContactStatus::FollowUp;
    body.notes = Some("Moved to her sister's".into());
    let (s, updated) = server.put_contact(&t, id, &body, Some("\"1\"")).await;
    assert_eq!(
        (s, updated["version"].as_i64(), updated["notes"].as_str()),
        (200, Some(2), Some("Moved to her sister's"))
    );
    // Another phone still holding version 1 is told, with the current version.
    body.notes = Some("stale edit".into());
    let (s, problem) = server.put_contact(&t, id, &body, Some("\"1\"")).await;
    assert_eq!(
        (
            s,
            problem["type"].as_str().unwrap(),
            problem["current_version"].as_i64()
        ),
        (412, types::PRECONDITION_FAILED, Some(2))
    );
    // Without If-Match a change applies on top of the writer's own last version...
    body.notes = Some("edited on the phone without a version".into());
    let (s, own) = server.put_contact(&t, id, &body, None).await;
    assert_eq!(
        (s, own["version"].as_i64(), own["notes"].as_str()),
        (200, Some(3), Some("edited on the phone without a version"))
    );
    // ...and is a conflict once someone else made the current version.
    let coordinator = server.token(COORDINATOR).await;
    body.notes = Some("coordinator's change".into());
    let (s, _) = server
        .put_contact(&coordinator, id, &body, Some("\"3\""))
        .await;
    assert_eq!(s, 200);
    body.notes = Some("blind edit".into());
    let (s, problem) = server.put_contact(&t, id, &body, None).await;
    assert_eq!(
        (s, problem["current_version"].as_i64()),
        (412, Some(4)),
        "{problem}"
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_high_screening_raises_its_alert_in_the_same_transaction(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;

    // Declined with a reason: scored high, no alert.
    let mut declined = contact(Uuid::new_v4());
    let mut s = lap(true);
    s.no_alert_reason = Some("coordinator already at the scene".into());
    declined.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: s,
    }];
    let (status, v) = server
        .put_contact(&t, Uuid::new_v4(), &declined, None)
        .await;
    assert_eq!(
        (status, v["screenings"][0]["result"]["high_risk"].as_bool()),
        (201, Some(true))
    );
    assert_eq!(v["screenings"][0]["result"]["alert_required"], false);
    assert_eq!(count(&db, "SELECT count(*) FROM alert_requests").await, 0);

    // A low screening: no alert.
    let mut low = contact(Uuid::new_v4());
    low.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(false),
    }];
    server.put_contact(&t, Uuid::new_v4(), &low, None).await;
    assert_eq!(count(&db, "SELECT count(*) FROM alert_requests").await, 0);

    // A high screening in a request that fails later (a referral to a place that does not
    // exist): neither the contact, nor the screening, nor the alert request is kept.
    let mut failing = contact(Uuid::new_v4());
    failing.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(true),
    }];
    failing.referrals = vec![Referral {
        id: Uuid::new_v4(),
        directory_entry_id: Some(Uuid::new_v4()),
        free_text: None,
    }];
    let (status, _) = server.put_contact(&t, Uuid::new_v4(), &failing, None).await;
    assert_eq!(status, 422);
    assert_eq!(count(&db, "SELECT count(*) FROM contacts").await, 2);
    assert_eq!(count(&db, "SELECT count(*) FROM alert_requests").await, 0);

    // A screening added later to an existing record, by replay without If-Match, is recorded
    // and raises its alert once.
    let id = Uuid::new_v4();
    let mut later = contact(Uuid::new_v4());
    server.put_contact(&t, id, &later, None).await;
    later.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(true),
    }];
    for _ in 0..3 {
        let (status, v) = server.put_contact(&t, id, &later, None).await;
        assert_eq!(
            (status, v["screenings"].as_array().unwrap().len()),
            (200, 1)
        );
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM alert_requests WHERE kind = 'high_risk' AND taken_at IS NULL"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn personal_fields_are_sealed_at_rest_and_survive_key_rotation(db: PgPool) {
    let RotationKeys {
        old: old_path,
        both: rotated,
        only_new,
        ..
    } = RotationKeys::write("fieldline-keys");
    let server = TestServer::start_with(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", old_path.to_str().unwrap())],
    )
    .await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let (_, created) = server
        .put_contact(&t, id, &contact(Uuid::new_v4()), None)
        .await;
    server.stop().await;

    // A dump of every table holds none of the personal values.
    let dump: String = sqlx::query_scalar(
        "SELECT string_agg(t::text, ' ') FROM (
             SELECT row_to_json(c)::text AS t FROM contacts c UNION ALL SELECT row_to_json(p)::text FROM persons p
             UNION ALL SELECT row_to_json(r)::text FROM referrals r UNION ALL SELECT row_to_json(f)::text FROM follow_ups f
             UNION ALL SELECT encode(name_sealed, 'escape') FROM persons UNION ALL SELECT encode(notes_sealed, 'escape') FROM contacts) x",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    for secret in [
        "Maria",
        "Quintana",
        "801-555-0199",
        "Secret Lane",
        "knife",
        "801-555-0142",
        "after 3pm",
        "Legal aid",
        "protective order hearing",
        "40.25",
    ] {
        assert!(!dump.contains(secret), "{secret} stored in plaintext");
    }

    // Rotate: a new current key, the old one kept for reading.
    let server = TestServer::start_unseeded(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", rotated.to_str().unwrap())],
    )
    .await;
    let t = server.token(ADVOCATE).await;
    let read = raw()
        .get(server.url(&format!("/v1/contacts/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        read["person"], created["person"],
        "old values re-read with the old key"
    );
    assert_eq!(read["notes"], created["notes"]);
    // Name search still finds the person (the search key did not change).
    let found: Value = raw()
        .get(server.url("/v1/persons?name=quintana"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["persons"][0]["pseudonym"], "Client 4821");
    // New writes use the new key.
    let new_id = Uuid::new_v4();
    server
        .put_contact(&t, new_id, &contact(Uuid::new_v4()), None)
        .await;
    let blob: Vec<u8> = sqlx::query_scalar("SELECT notes_sealed FROM contacts WHERE id = $1")
        .bind(new_id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(&blob[2..5], b"new");
    // Without the old key, the old record cannot be opened: the server says so, no plaintext.
    server.stop().await;
    let server = TestServer::start_unseeded(
        db.clone(),
        &[("FIELDLINE_DATA_KEYS_FILE", only_new.to_str().unwrap())],
    )
    .await;
    let t = server.token(ADVOCATE).await;
    let res = raw()
        .get(server.url(&format!("/v1/contacts/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    assert!(!res.text().await.unwrap().contains("Quintana"));

    // Re-sealing everything with the new key (what `fieldline rotate-data-keys` runs) makes the
    // old key unnecessary; a second run has nothing left to do.
    let both = fieldline_api::encryption::DataKeys::load(&rotated, false).unwrap();
    let resealed = fieldline_api::encryption::rotate_all(&db, &both)
        .await
        .unwrap();
    assert!(resealed >= 8, "{resealed}");
    assert_eq!(
        fieldline_api::encryption::rotate_all(&db, &both)
            .await
            .unwrap(),
        0
    );
    let read = raw()
        .get(server.url(&format!("/v1/contacts/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(read["person"], created["person"]);
    assert_eq!(read["follow_ups"], created["follow_ups"]);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn people_are_found_by_name_words_within_the_agency_only(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    server
        .put_contact(&t, Uuid::new_v4(), &contact(Uuid::new_v4()), None)
        .await;
    let search = |t: String, q: &'static str| {
        let url = server.url(&format!("/v1/persons?name={q}"));
        async move {
            raw()
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    for q in [
        "maria",
        "QUINTANA",
        "Mar%C3%ADa%20Quintana",
        "elena%20maria",
    ] {
        assert_eq!(
            search(t.clone(), q).await["persons"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{q}"
        );
    }
    for q in ["mari", "quintanilla", "maria%20lopez"] {
        assert_eq!(
            search(t.clone(), q).await["persons"]
                .as_array()
                .unwrap()
                .len(),
            0,
            "{q}"
        );
    }
    let coordinator = server.token(COORDINATOR).await;
    assert_eq!(
        search(coordinator, "maria").await["persons"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let other = server.token(OTHER_ADVOCATE).await;
    assert_eq!(
        search(other, "maria").await["persons"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn every_read_and_change_is_audited_without_personal_data(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let mut body = contact(Uuid::new_v4());
    body.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(true),
    }];
    server.put_contact(&t, id, &body, None).await;
    server.put_contact(&t, id, &body, None).await;
    server.put_contact(&t, id, &body, Some("\"1\"")).await;
    raw()
        .get(server.url(&format!("/v1/contacts/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    raw()
        .get(server.url("/v1/contacts"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    raw()
        .get(server.url("/v1/persons?name=quintana"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();

    let admin = server.login(ADMIN).await;
    let page = admin.audit_log(&format!("record_id={id}")).await.unwrap();
    let mut actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        vec![
            "contact.create",
            "contact.read",
            "contact.replay",
            "contact.update",
            "screening.alert_requested"
        ]
    );
    // Each names who acted and the request, also `contact.create`, which the create statement
    // writes itself rather than through audit::record.
    let advocate = page.entries[0].actor_user_id;
    for e in &page.entries {
        assert!(
            e.actor_user_id.is_some() && e.actor_user_id == advocate,
            "{e:?}"
        );
        assert!(
            e.request_id.as_deref().is_some_and(|r| !r.is_empty()),
            "{e:?}"
        );
        assert_eq!(e.record_type, "contact", "{e:?}");
    }
    let all = admin.audit_log("limit=500").await.unwrap();
    let all_actions: Vec<&str> = all.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(all_actions.contains(&"contact.list") && all_actions.contains(&"person.search"));
    let text = serde_json::to_string(&all).unwrap();
    for secret in ["Maria", "Quintana", "quintana", "knife", "801-555"] {
        assert!(!text.contains(secret), "audit log holds {secret}");
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn roles_agencies_and_sealed_records(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let (s, _) = server
        .put_contact(&t, id, &contact(Uuid::new_v4()), None)
        .await;
    assert_eq!(s, 201);
    let get = |token: String| {
        let url = server.url(&format!("/v1/contacts/{id}"));
        async move {
            raw()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let listed = |token: String| {
        let url = server.url("/v1/contacts");
        async move {
            let v: Value = raw()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["contacts"]
                .as_array()
                .map(|a| a.iter().any(|c| c["id"] == id.to_string()))
        }
    };

    // Housing managers and admins do not read victims' records; another agency gets 404, and
    // writing under our id records a contact of its own (ids are scoped per agency: the id is
    // answered exactly as an unknown one, revealing nothing).
    for email in [HOUSING, ADMIN] {
        assert_eq!(get(server.token(email).await).await, 403, "{email}");
        let (s, _) = server
            .put_contact(
                &server.token(email).await,
                Uuid::new_v4(),
                &contact(Uuid::new_v4()),
                None,
            )
            .await;
        assert_eq!(s, 403, "{email}");
    }
    let other = server.token(OTHER_ADVOCATE).await;
    assert_eq!(get(other.clone()).await, 404);
    assert_eq!(listed(other.clone()).await, Some(false));
    let mut theirs = contact(Uuid::new_v4());
    theirs.notes = Some("The other agency's own notes".into());
    let (s, p) = server.put_contact(&other, id, &theirs, None).await;
    assert_eq!(
        (s, p["notes"].as_str(), p["version"].as_i64()),
        (201, Some("The other agency's own notes"), Some(1)),
        "another agency's write under our id records its own contact: {p}"
    );
    let (s, ours) = server.get(&t, &format!("/v1/contacts/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(ours["version"], 1, "ours is untouched");
    assert_eq!(
        ours["notes"],
        "Partner threatened her with a knife; children at grandmother's"
    );

    // A second advocate in the agency sees it until an admin seals it to a team.
    let admin = server.login(ADMIN).await;
    let second = admin
        .create_user(&fieldline_wire::admin::NewUser {
            email: fieldline_wire::Email::parse("second@demo.fieldline.test").unwrap(),
            display_name: "Second Advocate".into(),
            password: fieldline_wire::NewPassword::parse("second advocate pass".into()).unwrap(),
            roles: vec![fieldline_wire::Role::Advocate],
            grants: vec![],
        })
        .await
        .unwrap();
    let second_token = {
        let c = server.client();
        c.login("second@demo.fieldline.test", "second advocate pass")
            .await
            .unwrap();
        c.session().unwrap().access_token
    };
    assert_eq!(get(second_token.clone()).await, 200);
    let coordinator_id = server.user_id(COORDINATOR).await;
    let admin_token = admin.session().unwrap().access_token;
    let seal = raw()
        .put(server.url(&format!("/v1/contacts/{id}/access")))
        .bearer_auth(&admin_token)
        .json(&json!({"sealed": true, "team": [coordinator_id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(seal.status(), 204);
    assert_eq!(
        get(second_token.clone()).await,
        404,
        "sealed: not on the team"
    );
    assert_eq!(listed(second_token.clone()).await, Some(false));
    let (s, _) = server
        .put_contact(&second_token, id, &contact(Uuid::new_v4()), None)
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        get(t.clone()).await,
        200,
        "the advocate who made it keeps access"
    );
    assert_eq!(
        get(server.token(COORDINATOR).await).await,
        200,
        "the team sees it"
    );
    // Only admins seal, and only people of their agency can be on the team.
    let by_advocate = raw()
        .put(server.url(&format!("/v1/contacts/{id}/access")))
        .bearer_auth(&t)
        .json(&json!({"sealed": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_advocate.status(), 403);
    let foreign = server.user_id(OTHER_ADVOCATE).await;
    let bad = raw()
        .put(server.url(&format!("/v1/contacts/{id}/access")))
        .bearer_auth(&admin_token)
        .json(&json!({"sealed": true, "team": [foreign]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let _ = second;
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn bad_contacts_get_field_errors(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let mut body = contact(Uuid::new_v4());
    body.person.pseudonym = " ".into();
    body.incident_type = "Domestic Violence".into();
    body.occurred_at = chrono::Utc::now() + chrono::Duration::days(3);
    body.location.as_mut().unwrap().latitude = 95.0;
    let mut short = lap(true);
    short.answers.truncate(5);
    body.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: short,
    }];
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_problem!(s, v, 422, types::VALIDATION);
    let pointers: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for p in [
        "/person/pseudonym",
        "/incident_type",
        "/occurred_at",
        "/location/latitude",
        "/screenings/0/screening/answers",
    ] {
        assert!(pointers.contains(&p), "{p} missing: {pointers:?}");
    }
    assert!(!v.to_string().contains("Quintana"));
}

/// References the advocate's agency cannot vouch for, and part ids another contact of the
/// agency holds, are refused whole: nothing of the contact is written. Ids another agency
/// holds are no collision (ids are scoped per agency).
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn references_and_ids_from_elsewhere_are_refused_whole(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let other = server.token(OTHER_ADVOCATE).await;
    let other_user = server.user_id(OTHER_ADVOCATE).await;
    let contacts_before = count(&db, "SELECT count(*) FROM contacts").await;

    // A directory entry that does not exist (or that the agency may not see).
    let mut body = contact(Uuid::new_v4());
    body.referrals[0].directory_entry_id = Some(Uuid::new_v4());
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_field_error!(s, v, "/referrals");

    // A follow-up assigned to someone in another agency.
    let mut body = contact(Uuid::new_v4());
    body.follow_ups[0].assignee_id = Some(other_user);
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_field_error!(s, v, "/follow_ups");

    // The person, referral, follow-up and screening ids of another agency's contact are ours
    // to use as well (issue #16, finding 9: ids are scoped per agency, so they answer exactly
    // as unknown ones): our contact under them is recorded, and theirs is left as it was.
    let mut theirs = contact(Uuid::new_v4());
    theirs.screenings = vec![ScreeningSubmission {
        id: Uuid::new_v4(),
        screening: lap(true),
    }];
    let their_id = Uuid::new_v4();
    let (s, _) = server.put_contact(&other, their_id, &theirs, None).await;
    assert_eq!(s, 201);
    let mut ours = theirs.clone();
    ours.person.name = Some("Ours Alone".into());
    ours.referrals[0].free_text = Some("Our referral".into());
    ours.follow_ups[0].task = "Our follow-up".into();
    let ours_id = Uuid::new_v4();
    let (s, v) = server.put_contact(&t, ours_id, &ours, None).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["person"]["name"], "Ours Alone");
    let (s, v) = server
        .get(&other, &format!("/v1/contacts/{their_id}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            v["person"]["name"].as_str(),
            v["referrals"][0]["free_text"].as_str(),
            v["follow_ups"][0]["task"].as_str(),
            v["screenings"].as_array().map(Vec::len),
        ),
        (
            Some("Maria Elena Quintana"),
            Some("Legal aid clinic downtown"),
            Some("Call about the protective order hearing"),
            Some(1)
        ),
        "theirs is untouched: {v}"
    );

    // Within the agency a part id names one part: another of our contacts' is refused (409).
    let mut body = contact(Uuid::new_v4());
    body.referrals[0].id = ours.referrals[0].id;
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_problem!(s, v, 409, types::CONFLICT);
    let mut body = contact(Uuid::new_v4());
    body.follow_ups[0].id = ours.follow_ups[0].id;
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_problem!(s, v, 409, types::CONFLICT);
    assert!(!v.to_string().contains("Quintana"));
    let mut body = contact(Uuid::new_v4());
    body.screenings = ours.screenings.clone();
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_problem!(s, v, 409, types::CONFLICT);

    assert_eq!(
        count(&db, "SELECT count(*) FROM contacts").await,
        contacts_before + 2,
        "only the other agency's contact and our twin were written"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM persons").await, 2);
    assert_eq!(count(&db, "SELECT count(*) FROM alert_requests").await, 2);

    // An entry the agency may see is accepted, and the follow-up may go to a colleague.
    let entry: Uuid = sqlx::query_scalar("SELECT id FROM directory_entries WHERE shared LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    let mut body = contact(Uuid::new_v4());
    body.referrals[0].directory_entry_id = Some(entry);
    body.follow_ups[0].assignee_id = Some(server.user_id(COORDINATOR).await);
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["referrals"][0]["directory_entry_id"], entry.to_string());
}

/// A PUT with the phone's change id.
async fn put_change(
    server: &TestServer,
    token: &str,
    id: Uuid,
    body: &ContactInput,
    if_match: Option<&str>,
    change: &str,
) -> (u16, Value) {
    let mut req = raw()
        .put(server.url(&format!("/v1/contacts/{id}")))
        .bearer_auth(token)
        .header("idempotency-key", change)
        .json(body);
    if let Some(m) = if_match {
        req = req.header("if-match", m);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Issue #18, finding 1: a contact created offline and edited offline before the create was
/// delivered (so with no version) lost the edit: the server took it for a replay. Each change
/// now carries its own id; a new one is applied in order, a repeated one changes nothing.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_edit_made_before_the_create_was_delivered_is_applied_in_order(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let id = Uuid::new_v4();
    let mut body = contact(Uuid::new_v4());
    let (create, edit) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    let (s, v) = put_change(&server, &t, id, &body, None, &create).await;
    assert_eq!((s, v["version"].as_i64()), (201, Some(1)));
    let first = body.clone();
    body.notes = Some("Second thought: she is going to her sister's".into());
    body.person.phone = Some("801-555-0100".into());
    let (s, v) = put_change(&server, &t, id, &body, None, &edit).await;
    assert_eq!(
        (
            s,
            v["version"].as_i64(),
            v["notes"].as_str(),
            v["person"]["phone"].as_str()
        ),
        (200, Some(2), body.notes.as_deref(), Some("801-555-0100"))
    );
    // Both are sent again (their answers were lost): nothing changes, no conflict.
    let (s, v) = put_change(&server, &t, id, &first, None, &create).await;
    assert_eq!(
        (s, v["version"].as_i64(), v["notes"].as_str()),
        (200, Some(2), body.notes.as_deref())
    );
    let (s, v) = put_change(&server, &t, id, &body, None, &edit).await;
    assert_eq!((s, v["version"].as_i64()), (200, Some(2)));
    assert_eq!(count(&db, "SELECT count(*) FROM contact_changes").await, 2);
}

/// Issue #18, finding 2: an edit whose answer was lost, sent again with the same `If-Match`,
/// was answered 412 with two identical sides. It is a replay; only a real concurrent change is
/// a conflict.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_replayed_edit_is_not_a_conflict_and_a_real_one_is(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    let mut body = contact(Uuid::new_v4());
    put_change(&server, &t, id, &body, None, "create-1").await;
    body.status = ContactStatus::FollowUp;
    let (s, v) = put_change(&server, &t, id, &body, Some("\"1\""), "edit-2").await;
    assert_eq!((s, v["version"].as_i64()), (200, Some(2)));
    let (s, v) = put_change(&server, &t, id, &body, Some("\"1\""), "edit-2").await;
    assert_eq!(
        (s, v["version"].as_i64()),
        (200, Some(2)),
        "a replay, not a conflict: {v}"
    );
    // The same change id with another request is a client error, not a replay.
    let mut other = body.clone();
    other.notes = Some("something else".into());
    let (s, v) = put_change(&server, &t, id, &other, Some("\"2\""), "edit-2").await;
    assert_problem!(s, v, 400, types::BAD_REQUEST);
    // A coordinator edited version 1 at the same time: a real conflict, with the version.
    let (s, v) = put_change(&server, &coordinator, id, &other, Some("\"1\""), "theirs").await;
    assert_eq!((s, v["current_version"].as_i64()), (412, Some(2)));
    let (s, _) = put_change(&server, &t, id, &body, None, &"x".repeat(65)).await;
    assert_eq!(s, 400, "an Idempotency-Key is at most 64 characters");
}

/// Issue #16, finding 1: a contact sealed to a team hid the contact, but its person was still
/// found by name and their safety plan read, exported and overwritten by anyone. The person
/// rule (`person_visible_to`) now holds for the search, the plan and every plan path.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_sealed_persons_name_and_plan_stay_with_the_team(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let id = Uuid::new_v4();
    let person = Uuid::new_v4();
    let (s, _) = server.put_contact(&t, id, &contact(person), None).await;
    assert_eq!(s, 201);
    let plan = json!({"warning_signs": ["He drinks on paydays"], "code_word": "blue umbrella"});
    let url = |rest: &str| server.url(&format!("/v1/persons/{person}/safety-plan{rest}"));
    let res = raw()
        .put(url(""))
        .bearer_auth(&t)
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // Seal the contact to the coordinator; a second advocate is outside the team.
    let admin = server.login(ADMIN).await;
    let (_, outside) = server
        .add_user(
            "outside@demo.fieldline.test",
            fieldline_wire::Role::Advocate,
        )
        .await;
    let found = |token: String| {
        let url = server.url("/v1/persons?name=quintana");
        async move {
            let v: Value = raw()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["persons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == person.to_string())
        }
    };
    assert!(found(outside.clone()).await, "visible before sealing");
    let seal = raw()
        .put(server.url(&format!("/v1/contacts/{id}/access")))
        .bearer_auth(admin.session().unwrap().access_token)
        .json(&json!({"sealed": true, "team": [server.user_id(COORDINATOR).await]}))
        .send()
        .await
        .unwrap();
    assert_eq!(seal.status(), 204);

    assert!(
        !found(outside.clone()).await,
        "not found by name once sealed"
    );
    for rest in [
        "",
        "/versions",
        "/versions/1",
        "/export.txt",
        "/export.html",
    ] {
        let res = raw()
            .get(url(rest))
            .bearer_auth(&outside)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "GET safety-plan{rest}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("blue umbrella"), "{rest}: {body}");
    }
    for if_match in [None, Some("\"1\"")] {
        let mut req = raw().put(url("")).bearer_auth(&outside).json(&plan);
        if let Some(m) = if_match {
            req = req.header("if-match", m);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            404,
            "PUT with {if_match:?}"
        );
    }
    // The team and the advocate who made it keep everything.
    for who in [&t, &coordinator] {
        assert!(found(who.clone()).await);
        let res = raw()
            .get(url("/export.txt"))
            .bearer_auth(who)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("blue umbrella"));
    }
}

/// Issue #16, finding 2: creating a contact that named an existing person rewrote that
/// person (name, phone, address), sealed or not, from another agency even (then 409). A create
/// links an existing person unchanged, and only one the writer may see; another agency naming
/// the same person id records a person of its own (ids are scoped per agency, finding 9).
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_new_contact_never_rewrites_an_existing_person(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;
    let person = Uuid::new_v4();
    let sealed_contact = Uuid::new_v4();
    let (s, _) = server
        .put_contact(&t, sealed_contact, &contact(person), None)
        .await;
    assert_eq!(s, 201);
    let mut overwrite = contact(person);
    overwrite.person.name = Some("Someone Else".into());
    overwrite.person.phone = Some("801-555-0000".into());
    overwrite.person.address = None;

    // A visible person is linked as stored; the answer shows the person as stored.
    let (s, v) = server
        .put_contact(&coordinator, Uuid::new_v4(), &overwrite, None)
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        (v["person"]["name"].as_str(), v["person"]["phone"].as_str()),
        (Some("Maria Elena Quintana"), Some("801-555-0199"))
    );

    // Sealed to nobody else: another advocate's create naming the person is refused whole.
    let admin = server.token(ADMIN).await;
    for c in [sealed_contact] {
        assert_eq!(
            server
                .put(
                    &admin,
                    &format!("/v1/contacts/{c}/access"),
                    json!({"sealed": true, "team": []})
                )
                .await
                .0,
            204
        );
    }
    // The coordinator's own contact still shows the person: seal that one too.
    let theirs: Uuid = sqlx::query_scalar("SELECT id FROM contacts WHERE id <> $1")
        .bind(sealed_contact)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        server
            .put(
                &admin,
                &format!("/v1/contacts/{theirs}/access"),
                json!({"sealed": true, "team": []})
            )
            .await
            .0,
        204
    );
    let other = server.token(OTHER_ADVOCATE).await;
    let mut fresh = contact(person);
    fresh.person = overwrite.person.clone();
    let (s, p) = server
        .put_contact(&other, Uuid::new_v4(), &fresh, None)
        .await;
    assert_eq!(
        (s, p["person"]["name"].as_str()),
        (201, Some("Someone Else")),
        "another agency: a person of its own under the same id: {p}"
    );
    let before: i64 = count(&db, "SELECT count(*) FROM contacts").await;
    let (_, second) = server
        .add_user(
            "curious@demo.fieldline.test",
            fieldline_wire::Role::Advocate,
        )
        .await;
    let mut fresh = contact(person);
    fresh.person = overwrite.person.clone();
    let (s, p) = server
        .put_contact(&second, Uuid::new_v4(), &fresh, None)
        .await;
    assert_problem!(s, p, 404, types::NOT_FOUND, "sealed");
    assert_eq!(
        count(&db, "SELECT count(*) FROM contacts").await,
        before,
        "nothing written"
    );
    // The person is as the first advocate recorded them.
    let (s, v) = server
        .get(&t, &format!("/v1/contacts/{sealed_contact}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["person"]["name"], "Maria Elena Quintana");
    assert_eq!(v["person"]["address"], "12 Secret Lane, Provo");
}

/// Fuzzing found that a NUL character in any text reached PostgreSQL (error 22021) as a 500.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_nul_character_is_a_field_error_not_a_server_error(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let mut body = contact(Uuid::new_v4());
    body.notes = Some("before\0after".into());
    let (s, v) = server.put_contact(&t, Uuid::new_v4(), &body, None).await;
    assert_field_error!(s, v, "/notes");
    let (s, v) = server.get(&t, "/v1/persons?name=ann%00").await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["errors"][0]["pointer"], "/name");
}

/// Issue #18, finding 8: `GET /v1/contacts` stopped at 200 with no way to the rest. It pages
/// with a cursor; every contact appears once.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_contact_list_pages_through_every_contact_once(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let mut made = std::collections::BTreeSet::new();
    for _ in 0..7 {
        let id = Uuid::new_v4();
        let mut body = contact(Uuid::new_v4());
        body.referrals.clear();
        body.follow_ups.clear();
        assert_eq!(server.put_contact(&t, id, &body, None).await.0, 201);
        made.insert(id.to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/contacts?limit=3&cursor={c}"),
            None => "/v1/contacts?limit=3".to_owned(),
        };
        let (s, v) = server.get(&t, &path).await;
        assert_eq!(s, 200, "{v}");
        pages += 1;
        for c in v["contacts"].as_array().unwrap() {
            seen.push(c["id"].as_str().unwrap().to_owned());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3, "7 contacts in pages of 3");
    assert_eq!(seen.len(), 7, "each once: {seen:?}");
    assert_eq!(
        seen.iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        made
    );
    let (s, v) = server.get(&t, "/v1/contacts?cursor=v1.x.y").await;
    assert_eq!(
        (s, v["errors"][0]["pointer"].as_str()),
        (400, Some("/cursor"))
    );
}
