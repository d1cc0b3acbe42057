//! Sign-in, refresh rotation with reuse detection, logout, revocation, password change.

use fieldline_bridge::BridgeError;
use fieldline_tests::*;
use fieldline_wire::NewPassword;
use fieldline_wire::problem::types;
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn login_returns_tokens_and_the_user(db: PgPool) {
    let server = TestServer::start(db).await;
    let client = server.client();
    let me = client
        .login(" Coordinator@Demo.Fieldline.TEST ", DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(me.email.as_str(), COORDINATOR);
    assert_eq!(me.agency.name, "Demo County Victim Services");
    assert_eq!(me.roles, vec![fieldline_wire::Role::Coordinator]);
    assert_eq!(
        me.grants,
        vec![fieldline_wire::Grant::ViewConfidentialLocations]
    );
    assert_eq!(client.me().await.unwrap(), me);

    let (status, body) = post_anonymous(
        &server.url("/v1/auth/login"),
        json!({"email": ADVOCATE, "password": DEMO_PASSWORD}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 43);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn unknown_account_and_wrong_password_look_the_same(db: PgPool) {
    let server = TestServer::start(db).await;
    let url = server.url("/v1/auth/login");
    let (s1, mut wrong) = post_anonymous(
        &url,
        json!({"email": ADVOCATE, "password": "not-the-password"}),
    )
    .await;
    let (s2, mut unknown) = post_anonymous(
        &url,
        json!({"email": "nobody@demo.fieldline.test", "password": "not-the-password"}),
    )
    .await;
    let (s3, mut malformed) =
        post_anonymous(&url, json!({"email": "not an address", "password": "x"})).await;
    for v in [&mut wrong, &mut unknown, &mut malformed] {
        v.as_object_mut().unwrap().remove("instance");
    }
    assert_eq!((s1, s2, s3), (401, 401, 401));
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
    assert_eq!(wrong["type"], types::INVALID_CREDENTIALS);

    // A disabled account answers the same way, even with the right password.
    sqlx::query("UPDATE users SET disabled_at = now() WHERE email = $1")
        .bind(HOUSING)
        .execute(&server.db)
        .await
        .unwrap();
    let (s4, mut disabled) =
        post_anonymous(&url, json!({"email": HOUSING, "password": DEMO_PASSWORD})).await;
    disabled.as_object_mut().unwrap().remove("instance");
    assert_eq!((s4, disabled), (401, wrong));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn refresh_rotates_and_reuse_revokes_the_session(db: PgPool) {
    // No grace: any second use of a refresh token is reuse.
    let server = TestServer::start_with(db, &[("FIELDLINE_REFRESH_REUSE_GRACE_SECS", "0")]).await;
    let url = server.url("/v1/auth/refresh");
    let phone = server.login(ADVOCATE).await;
    let first = phone.session().unwrap();

    phone.refresh().await.unwrap();
    let second = phone.session().unwrap();
    assert_ne!(first.refresh_token, second.refresh_token);
    assert_ne!(first.access_token, second.access_token);
    phone.me().await.unwrap();

    // A thief replays the first token: refused, and the session is over for everyone.
    let (status, body) = post_anonymous(&url, json!({"refresh_token": first.refresh_token})).await;
    assert_problem!(status, body, 401, types::UNAUTHORIZED);
    assert!(matches!(
        phone.refresh().await,
        Err(BridgeError::Unauthorized(_))
    ));
    assert!(
        matches!(phone.me().await, Err(BridgeError::Unauthorized(_))),
        "access token of a revoked session still works"
    );

    let reason: String = sqlx::query_scalar("SELECT revoked_reason FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = $1)")
        .bind(ADVOCATE).fetch_one(&server.db).await.unwrap();
    assert_eq!(reason, "reuse_detected");
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.refresh_reuse'")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // Other sessions of the same person are untouched.
    server.login(ADVOCATE).await.me().await.unwrap();
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_retry_after_a_lost_response_is_not_reuse_but_the_lost_token_is_retired(db: PgPool) {
    let server = TestServer::start(db).await; // default grace: 30 s
    let url = server.url("/v1/auth/refresh");
    let phone = server.login(ADVOCATE).await;
    let t0 = phone.session().unwrap().refresh_token;

    let (s1, lost) = post_anonymous(&url, json!({"refresh_token": t0})).await; // response "lost"
    let (s2, retried) = post_anonymous(&url, json!({"refresh_token": t0})).await;
    assert_eq!((s1, s2), (200, 200));
    let t2 = retried["refresh_token"].as_str().unwrap().to_owned();

    // The lost successor no longer works, and using it is treated as theft.
    let (s3, _) = post_anonymous(&url, json!({"refresh_token": lost["refresh_token"]})).await;
    assert_eq!(s3, 401);
    let (s4, _) = post_anonymous(&url, json!({"refresh_token": t2})).await;
    assert_eq!(
        s4, 401,
        "session must be revoked after the retired token came back"
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn logout_ends_the_session_and_is_idempotent(db: PgPool) {
    let server = TestServer::start(db).await;
    let phone = server.login(COORDINATOR).await;
    let s = phone.session().unwrap();
    phone.logout().await.unwrap();

    let (status, _) = post_anonymous(
        &server.url("/v1/auth/refresh"),
        json!({"refresh_token": s.refresh_token}),
    )
    .await;
    assert_eq!(status, 401);
    let res = raw()
        .get(server.url("/v1/me"))
        .bearer_auth(&s.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");

    // Again, and with a token that never existed: still 204.
    for token in [s.refresh_token.as_str(), "never-issued"] {
        let res = raw()
            .post(server.url("/v1/auth/logout"))
            .json(&json!({"refresh_token": token}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }
    let logouts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.logout'")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(logouts, 1);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn admin_revocation_signs_a_lost_phone_out_at_once(db: PgPool) {
    let server = TestServer::start(db).await;
    let lost_phone = server.login(ADVOCATE).await;
    let tablet = server.login(ADVOCATE).await;
    let admin = server.login(ADMIN).await;
    let advocate_id = server.user_id(ADVOCATE).await;

    // Searches check the session inside their own statement (session_actor).
    lost_phone
        .nearby(40.2338, -111.6585, 25_000.0, "")
        .await
        .unwrap();
    let revoked = admin.revoke_sessions(advocate_id).await.unwrap();
    assert_eq!(revoked.revoked, 2);
    for device in [&lost_phone, &tablet] {
        assert!(matches!(
            device.me().await,
            Err(BridgeError::Unauthorized(_))
        ));
        assert!(matches!(
            device.nearby(40.2338, -111.6585, 25_000.0, "").await,
            Err(BridgeError::Unauthorized(_))
        ));
        assert!(matches!(
            device.refresh().await,
            Err(BridgeError::Unauthorized(_))
        ));
    }
    // The advocate can sign in again on a new phone.
    server.login(ADVOCATE).await.me().await.unwrap();

    let page = admin
        .audit_log(&format!(
            "record_type=user&record_id={advocate_id}&action=user.revoke_sessions"
        ))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].details["sessions_ended"], 2);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn changing_the_password_ends_other_sessions(db: PgPool) {
    let server = TestServer::start(db).await;
    let other_device = server.login(HOUSING).await;
    let this_device = server.login(HOUSING).await;

    let wrong = this_device
        .change_password(
            "wrong",
            NewPassword::parse("a much longer passphrase".into()).unwrap(),
        )
        .await;
    match wrong {
        Err(BridgeError::Validation(errors)) => assert_eq!(errors[0].pointer, "/current_password"),
        other => panic!("expected validation error, got {other:?}"),
    }
    this_device
        .change_password(
            DEMO_PASSWORD,
            NewPassword::parse("a much longer passphrase".into()).unwrap(),
        )
        .await
        .unwrap();
    this_device.me().await.unwrap();
    assert!(matches!(
        other_device.me().await,
        Err(BridgeError::Unauthorized(_))
    ));
    assert!(server.client().login(HOUSING, DEMO_PASSWORD).await.is_err());
    server
        .client()
        .login(HOUSING, "a much longer passphrase")
        .await
        .unwrap();

    // Too short a new password is a field error, not a server error.
    let res = raw()
        .post(server.url("/v1/auth/password"))
        .bearer_auth(this_device.session().unwrap().access_token)
        .json(&json!({"current_password": "a much longer passphrase", "new_password": "short"}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_field_error!(status, body, "/new_password");
    assert_eq!(
        body["errors"][0]["message"],
        "must be at least 12 characters"
    );
}
