//! Sign-in throttling per account and per client address, with growing lockouts, recorded in
//! the audit log and shared by every API instance (it lives in PostgreSQL).

use fieldline_bridge::BridgeError;
use fieldline_tests::*;
use sqlx::PgPool;

const LIMITS: [(&str, &str); 4] = [
    ("FIELDLINE_LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
    ("FIELDLINE_LOGIN_MAX_FAILURES_PER_IP", "8"),
    ("FIELDLINE_LOGIN_LOCKOUT_BASE_SECS", "60"),
    ("FIELDLINE_LOGIN_LOCKOUT_MAX_SECS", "600"),
];

async fn attempt(server: &TestServer, email: &str, password: &str) -> Result<(), BridgeError> {
    server.client().login(email, password).await.map(drop)
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_account_locks_after_repeated_failures_with_backoff(db: PgPool) {
    let server = TestServer::start_with(db, &LIMITS).await;
    for _ in 0..3 {
        assert!(matches!(
            attempt(&server, ADVOCATE, "guess").await,
            Err(BridgeError::Unauthorized(_))
        ));
    }
    // Locked: even the right password is refused, with Retry-After, without being checked.
    match attempt(&server, ADVOCATE, DEMO_PASSWORD).await {
        Err(BridgeError::RateLimited {
            retry_after_secs: Some(s),
            ..
        }) => assert!((55..=60).contains(&s), "{s}"),
        other => panic!("expected 429, got {other:?}"),
    }
    // Other accounts are not affected.
    attempt(&server, COORDINATOR, DEMO_PASSWORD).await.unwrap();

    // The lockout is recorded for the agency's admins.
    let admin = server.login(ADMIN).await;
    let advocate = server.user_id(ADVOCATE).await;
    let page = admin
        .audit_log(&format!("record_id={advocate}&action=auth.lockout"))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].details["scope"], "account");
    let failed = admin
        .audit_log(&format!("record_id={advocate}&action=auth.login_failed"))
        .await
        .unwrap();
    assert_eq!(failed.entries.len(), 3);

    // When the lockout ends (moved into the past here), three more failures double it.
    sqlx::query("UPDATE login_throttle SET locked_until = now() - interval '1 second'")
        .execute(&server.db)
        .await
        .unwrap();
    for _ in 0..3 {
        let _ = attempt(&server, ADVOCATE, "guess").await;
    }
    match attempt(&server, ADVOCATE, DEMO_PASSWORD).await {
        Err(BridgeError::RateLimited {
            retry_after_secs: Some(s),
            ..
        }) => assert!((115..=120).contains(&s), "{s}"),
        other => panic!("expected a doubled lockout, got {other:?}"),
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn unknown_addresses_are_throttled_like_real_ones(db: PgPool) {
    let server = TestServer::start_with(db, &LIMITS).await;
    for _ in 0..3 {
        let _ = attempt(&server, "nobody@demo.fieldline.test", "guess").await;
    }
    assert!(matches!(
        attempt(&server, "nobody@demo.fieldline.test", "guess").await,
        Err(BridgeError::RateLimited { .. })
    ));
    // The table holds a hash, not the address typed.
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT key FROM login_throttle WHERE scope = 'account'")
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert!(keys.iter().all(|k| !k.contains('@') && k.len() == 64));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn one_address_guessing_many_accounts_is_locked_out(db: PgPool) {
    let server = TestServer::start_with(db, &LIMITS).await;
    // Two failures each on four accounts: no account reaches its limit, the address does.
    for email in [ADVOCATE, COORDINATOR, HOUSING, ADMIN] {
        for _ in 0..2 {
            let _ = attempt(&server, email, "guess").await;
        }
    }
    match attempt(&server, OTHER_ADMIN, DEMO_PASSWORD).await {
        Err(BridgeError::RateLimited { .. }) => {}
        other => panic!("expected the address to be locked out, got {other:?}"),
    }
    let ip_lockouts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.lockout' AND details->>'scope' = 'ip'",
    )
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(ip_lockouts, 1);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_good_sign_in_clears_the_account_count(db: PgPool) {
    let server = TestServer::start_with(db, &LIMITS).await;
    for _ in 0..2 {
        let _ = attempt(&server, ADVOCATE, "guess").await;
    }
    attempt(&server, ADVOCATE, DEMO_PASSWORD).await.unwrap();
    for _ in 0..2 {
        let _ = attempt(&server, ADVOCATE, "guess").await;
    }
    attempt(&server, ADVOCATE, DEMO_PASSWORD).await.unwrap();
}
