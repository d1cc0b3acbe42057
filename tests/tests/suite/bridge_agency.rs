//! Issue #19: the bridge follows the agency's settings, offline too. What an admin sets
//! (`PUT /v1/admin/agency`) reaches the phone with `/v1/me` at sign-in and sync, is kept on
//! the device (there after a restart with no signal), goes with every "not delivered" alert
//! as the two numbers to call, and drives the distance and time helpers the screens use.

use fieldline_bridge::{
    AgencySettings, AlertOutcome, Bridge, DistanceUnit, FieldlineError, SignedIn, format_distance,
    local_time,
};
use fieldline_tests::phone::{Phone, SecureStorage, unreachable_url};
use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

const DEMO_FALLBACK: &str = "+1 303 555 0142";

fn demo() -> AgencySettings {
    AgencySettings {
        time_zone: "America/Denver".into(),
        coordinator_fallback_phone: Some(DEMO_FALLBACK.into()),
        emergency_number: Some("911".into()),
        distance_unit: DistanceUnit::Mi,
    }
}

async fn set_agency(server: &TestServer, admin: &str, body: Value) {
    let (status, answer) = call(server, admin, "PUT", "/v1/admin/agency", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
}

async fn sign_in(phone: &Phone, email: &str) -> SignedIn {
    phone
        .bridge
        .login(email.into(), DEMO_PASSWORD.into())
        .await
        .unwrap_or_else(|e| panic!("login {email}: {e:?}"))
}

/// The two numbers a "not delivered" outcome offers.
fn numbers(outcome: &AlertOutcome) -> (Option<&str>, Option<&str>) {
    match outcome {
        AlertOutcome::NotDelivered {
            coordinator_fallback_phone,
            emergency_number,
            ..
        } => (
            coordinator_fallback_phone.as_deref(),
            emergency_number.as_deref(),
        ),
        other => panic!("expected NotDelivered, got {other:?}"),
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn settings_an_admin_sets_reach_the_phone_and_hold_after_an_offline_restart(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.token(ADMIN).await;
    let mut phone = Phone::install(&server.base_url);
    assert_eq!(
        phone.bridge.agency_settings().unwrap(),
        None,
        "not signed in"
    );

    // Sign-in: the demo agency's (Denver, 911, miles).
    let me = sign_in(&phone, ADVOCATE).await;
    assert_eq!(
        (
            me.time_zone.as_str(),
            me.emergency_number.as_deref(),
            me.distance_unit,
            me.coordinator_fallback_phone.as_deref(),
        ),
        (
            "America/Denver",
            Some("911"),
            DistanceUnit::Mi,
            Some(DEMO_FALLBACK)
        )
    );
    assert_eq!(phone.bridge.agency_settings().unwrap(), Some(demo()));

    // An admin changes them; the phone's next sync (its /v1/me) brings them.
    set_agency(
        &server,
        &admin,
        json!({"coordinator_fallback_phone": "+1 801 555 0100", "emergency_number": "112", "distance_unit": "km"}),
    )
    .await;
    let changed = AgencySettings {
        time_zone: "America/Denver".into(),
        coordinator_fallback_phone: Some("+1 801 555 0100".into()),
        emergency_number: Some("112".into()),
        distance_unit: DistanceUnit::Km,
    };
    assert_eq!(
        phone.bridge.agency_settings().unwrap(),
        Some(demo()),
        "kept until the server is asked"
    );
    phone.bridge.sync().await.unwrap();
    assert_eq!(
        phone.bridge.agency_settings().unwrap(),
        Some(changed.clone())
    );
    // And a phone signing in now is told at sign-in.
    let other = Phone::install(&server.base_url);
    let me = sign_in(&other, COORDINATOR).await;
    assert_eq!(
        (me.emergency_number.as_deref(), me.distance_unit),
        (Some("112"), DistanceUnit::Km)
    );

    // The app is killed, and starts again with no signal: the session cannot resume, the
    // settings are still there, and duress offers both numbers.
    let db_path = std::mem::take(&mut phone.db_path);
    let (key, storage) = (phone.key.clone(), phone.storage.clone());
    drop(phone);
    let offline = unreachable_url().await;
    let bridge = Bridge::new(
        offline,
        db_path.display().to_string(),
        key,
        Arc::new(SecureStorage::default()),
    )
    .unwrap();
    let token = storage.refresh_token.lock().unwrap().clone().unwrap();
    assert!(matches!(
        bridge.resume(token).await,
        Err(FieldlineError::Offline)
    ));
    assert_eq!(bridge.agency_settings().unwrap(), Some(changed));
    let duress = bridge
        .duress(Some(40.2338), Some(-111.6585), Some(20))
        .await;
    assert_eq!(
        numbers(&duress.unwrap()),
        (Some("+1 801 555 0100"), Some("112"))
    );
    let alert = bridge
        .raise_alert("advocate_safety".into(), None, None)
        .await
        .unwrap();
    assert_eq!(numbers(&alert), (Some("+1 801 555 0100"), Some("112")));
    drop(bridge);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{}", db_path.display(), suffix));
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn alerts_not_delivered_offer_the_agencys_numbers_as_they_are_now(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.token(ADMIN).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let raised = phone
        .bridge
        .raise_alert("high_risk".into(), None, None)
        .await
        .unwrap();
    assert_eq!(numbers(&raised), (Some(DEMO_FALLBACK), Some("911")));
    let duress = phone.bridge.duress(None, None, None).await.unwrap();
    assert_eq!(numbers(&duress), (Some(DEMO_FALLBACK), Some("911")));

    // The agency removes both numbers: once the phone has synced it offers none, rather
    // than numbers that no longer reach anyone.
    set_agency(
        &server,
        &admin,
        json!({"coordinator_fallback_phone": null, "emergency_number": ""}),
    )
    .await;
    phone
        .bridge
        .set_server_url(server.base_url.clone())
        .unwrap();
    phone.bridge.sync().await.unwrap();
    let settings = phone.bridge.agency_settings().unwrap().unwrap();
    assert_eq!(
        (
            settings.coordinator_fallback_phone,
            settings.emergency_number
        ),
        (None, None)
    );
    assert_eq!(settings.time_zone, "America/Denver", "the rest is kept");
    phone
        .bridge
        .set_server_url(unreachable_url().await)
        .unwrap();
    let duress = phone.bridge.duress(None, None, None).await.unwrap();
    assert_eq!(numbers(&duress), (None, None));

    // Signing out forgets them with the rest of the user's data.
    phone.bridge.logout(true).await.unwrap();
    assert_eq!(phone.bridge.agency_settings().unwrap(), None);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn distances_and_times_follow_the_settings_the_phone_learned(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.token(ADMIN).await;
    let phone = Phone::install(&server.base_url);
    phone.login(ADVOCATE).await;
    let s = phone.bridge.agency_settings().unwrap().unwrap();

    // Miles (the demo agency is in Utah).
    let unit = s.distance_unit;
    assert_eq!(format_distance(650.0, unit), "0.4 mi");
    assert_eq!(format_distance(100.0, unit), "330 ft");
    assert_eq!(format_distance(5_000.0, unit), "3.1 mi");
    assert_eq!(format_distance(25_000.0, unit), "16 mi");

    // Denver's clock, with its abbreviation on both sides of each change of the clocks.
    let at = |t: &str| local_time(t.into(), s.time_zone.clone()).unwrap();
    assert_eq!(at("2026-12-05T15:00:00Z"), "Sat 08:00 MST");
    assert_eq!(at("2026-07-04T14:00:00Z"), "Sat 08:00 MDT");
    assert_eq!(at("2026-03-08T08:59:00Z"), "Sun 01:59 MST");
    assert_eq!(at("2026-03-08T09:00:00Z"), "Sun 03:00 MDT");
    assert_eq!(at("2026-11-01T07:30:00Z"), "Sun 01:30 MDT");
    assert_eq!(at("2026-11-01T08:30:00Z"), "Sun 01:30 MST");
    assert!(matches!(
        local_time("yesterday".into(), s.time_zone.clone()),
        Err(FieldlineError::InvalidArgument { .. })
    ));

    // The agency switches to kilometres: the phone follows after its next sync.
    set_agency(
        &server,
        &admin,
        json!({"coordinator_fallback_phone": DEMO_FALLBACK, "distance_unit": "km"}),
    )
    .await;
    phone.bridge.sync().await.unwrap();
    let unit = phone
        .bridge
        .agency_settings()
        .unwrap()
        .unwrap()
        .distance_unit;
    assert_eq!(format_distance(650.0, unit), "650 m");
    assert_eq!(format_distance(1_234.0, unit), "1.2 km");
    assert_eq!(format_distance(25_000.0, unit), "25 km");
}
