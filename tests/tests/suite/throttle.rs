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

/// One sign-in through plain HTTP: the status, `Retry-After` and the problem `type`.
async fn sign_in(url: String, email: &str, password: &str) -> (u16, Option<u64>, String) {
    let res = raw()
        .post(url)
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    if status != 200 {
        assert_eq!(ct, "application/problem+json", "{status} {body}");
    }
    (
        status,
        retry_after,
        body["type"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Fires `n` sign-ins at once (each on its own task, all started before any is awaited).
async fn burst(
    server: &TestServer,
    emails: &[String],
    password: &str,
) -> Vec<(u16, Option<u64>, String)> {
    let mut set = tokio::task::JoinSet::new();
    for email in emails {
        let (url, email, password) = (
            server.url("/v1/auth/login"),
            email.clone(),
            password.to_owned(),
        );
        set.spawn(async move { sign_in(url, &email, &password).await });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn concurrent_sign_ins_never_check_more_passwords_than_the_limit(db: PgPool) {
    // The reproduction: 25 at once on a fresh account with a limit of 5.
    let server = TestServer::start_with(
        db,
        &[
            ("FIELDLINE_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"),
            ("FIELDLINE_PASSWORD_HASH_QUEUE", "100"),
        ],
    )
    .await;
    let answers = burst(&server, &vec![ADVOCATE.to_owned(); 25], "guess").await;
    let checked = answers.iter().filter(|a| a.0 == 401).count();
    assert!(checked <= 5, "{checked} passwords checked: {answers:?}");
    for (status, retry_after, kind) in &answers {
        match status {
            401 => assert_eq!(kind, fieldline_wire::problem::types::INVALID_CREDENTIALS),
            429 => {
                assert_eq!(kind, fieldline_wire::problem::types::TOO_MANY_REQUESTS);
                assert!(retry_after.is_some_and(|s| s >= 1), "{answers:?}");
            }
            other => panic!("unexpected {other}: {answers:?}"),
        }
    }
    // The audit log agrees: no more failed checks than the limit.
    let advocate = server.user_id(ADVOCATE).await;
    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND record_id = $1",
    )
    .bind(advocate.to_string())
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(failed, checked as i64);
    // The right password after the limit is refused, without being checked.
    let (status, retry_after, _) =
        sign_in(server.url("/v1/auth/login"), ADVOCATE, DEMO_PASSWORD).await;
    assert_eq!(status, 429);
    assert!(
        retry_after.is_some_and(|s| (55..=60).contains(&s)),
        "{retry_after:?}"
    );
    // Another burst against the locked account checks nothing at all.
    let again = burst(&server, &vec![ADVOCATE.to_owned(); 10], DEMO_PASSWORD).await;
    assert!(again.iter().all(|a| a.0 == 429), "{again:?}");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_burst_beyond_the_hashing_capacity_is_turned_away_with_retry_after(db: PgPool) {
    // One hash at a time and no queue: what does not fit gets 429 with Retry-After at once,
    // never a 500 and never an unbounded pile of hashes.
    let server = TestServer::start_with(
        db,
        &[
            ("FIELDLINE_PASSWORD_HASH_CONCURRENCY", "1"),
            ("FIELDLINE_PASSWORD_HASH_QUEUE", "0"),
        ],
    )
    .await;
    let emails: Vec<String> = (0..25)
        .map(|i| format!("nobody{i}@demo.fieldline.test"))
        .collect();
    let answers = burst(&server, &emails, "guess").await;
    let mut busy = 0;
    for (status, retry_after, kind) in &answers {
        match status {
            401 => {}
            429 => {
                busy += 1;
                assert_eq!(kind, fieldline_wire::problem::types::TOO_MANY_REQUESTS);
                assert_eq!(*retry_after, Some(1), "{answers:?}");
            }
            other => panic!("unexpected {other}: {answers:?}"),
        }
    }
    eprintln!("{busy} of 25 turned away at one hash at a time, no queue");
    // A turned-away attempt was not counted against its address: each address has at most
    // the one attempt that was checked.
    let counted: Vec<i32> =
        sqlx::query_scalar("SELECT failures FROM login_throttle WHERE scope = 'account'")
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert_eq!(counted.len(), 25 - busy, "{counted:?}");
    assert!(counted.iter().all(|&n| n == 1), "{counted:?}");
    // Once the burst is over, sign-in works.
    attempt(&server, ADVOCATE, DEMO_PASSWORD).await.unwrap();
}
