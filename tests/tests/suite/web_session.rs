//! Web-app sessions (issue #16, finding 11): signed in with `client: "web"`, a session that
//! has not been used for 15 minutes (no request, no refresh) is refused at refresh, while a
//! phone's session (the bridge) is not; requests keep a web session alive; web sessions get
//! the user's device key, the same at every sign-in, and phones do not. Time is moved by
//! setting `last_used_at` back in SQL.

use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn web_login(server: &TestServer, email: &str) -> Value {
    let (status, body) = post_anonymous(
        &server.url("/v1/auth/login"),
        json!({"email": email, "password": DEMO_PASSWORD, "client": "web"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Moves the last use of every session of `email` back by `minutes`.
async fn idle_for(server: &TestServer, email: &str, minutes: i32) {
    sqlx::query(
        "UPDATE sessions SET last_used_at = now() - make_interval(mins => $2)
          WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(email)
    .bind(minutes)
    .execute(&server.db)
    .await
    .unwrap();
}

async fn get_me(server: &TestServer, access: &str) -> u16 {
    raw()
        .get(server.url("/v1/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_idle_web_session_is_refused_at_refresh(db: PgPool) {
    let server = TestServer::start(db).await;
    let refresh = server.url("/v1/auth/refresh");
    let first = web_login(&server, ADVOCATE).await;

    // 14 minutes idle: still fine, and the refresh counts as a use.
    idle_for(&server, ADVOCATE, 14).await;
    let (status, second) =
        post_anonymous(&refresh, json!({"refresh_token": first["refresh_token"]})).await;
    assert_eq!(status, 200, "{second}");
    idle_for(&server, ADVOCATE, 10).await;
    let (status, third) =
        post_anonymous(&refresh, json!({"refresh_token": second["refresh_token"]})).await;
    assert_eq!(
        status, 200,
        "a refresh 10 minutes after the last one: {third}"
    );

    // 16 minutes without a request or a refresh: refused, as is every later try.
    idle_for(&server, ADVOCATE, 16).await;
    let (status, body) =
        post_anonymous(&refresh, json!({"refresh_token": third["refresh_token"]})).await;
    assert_eq!(status, 401, "{body}");
    let (status, _) =
        post_anonymous(&refresh, json!({"refresh_token": third["refresh_token"]})).await;
    assert_eq!(status, 401);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn requests_keep_a_web_session_alive(db: PgPool) {
    let server = TestServer::start(db).await;
    let refresh = server.url("/v1/auth/refresh");
    let login = web_login(&server, COORDINATOR).await;
    let access = login["access_token"].as_str().unwrap();

    // Used 10 minutes ago; a request now moves the last use on, so 10 more minutes later the
    // session has been idle for 10 minutes, not 20.
    idle_for(&server, COORDINATOR, 10).await;
    assert_eq!(get_me(&server, access).await, 200);
    let moved: bool = sqlx::query_scalar(
        "SELECT last_used_at > now() - interval '1 minute' FROM sessions
          WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(COORDINATOR)
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert!(moved, "a request did not count as a use");
    sqlx::query(
        "UPDATE sessions SET last_used_at = last_used_at - interval '10 minutes'
          WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(COORDINATOR)
    .execute(&server.db)
    .await
    .unwrap();
    let (status, body) =
        post_anonymous(&refresh, json!({"refresh_token": login["refresh_token"]})).await;
    assert_eq!(status, 200, "{body}");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_phone_session_has_no_idle_limit(db: PgPool) {
    let server = TestServer::start(db).await;
    let (status, login) = post_anonymous(
        &server.url("/v1/auth/login"),
        json!({"email": ADVOCATE, "password": DEMO_PASSWORD}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        login.get("device_key").is_none(),
        "a phone gets no device key"
    );
    let idle: Option<String> = sqlx::query_scalar(
        "SELECT idle_timeout::text FROM sessions
          WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(ADVOCATE)
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(idle, None);

    // Offline in the field for six hours: the refresh still works.
    idle_for(&server, ADVOCATE, 6 * 60).await;
    let (status, body) = post_anonymous(
        &server.url("/v1/auth/refresh"),
        json!({"refresh_token": login["refresh_token"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("device_key").is_none());

    // And the bridge itself, which sends no `client`.
    let phone = server.login(ADVOCATE).await;
    idle_for(&server, ADVOCATE, 6 * 60).await;
    phone.refresh().await.unwrap();
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn web_sessions_get_the_users_device_key(db: PgPool) {
    let server = TestServer::start(db).await;
    let first = web_login(&server, ADVOCATE).await;
    let key = first["device_key"]
        .as_str()
        .expect("a device key")
        .to_owned();
    assert_eq!(key.len(), 43, "32 bytes, base64url without padding");

    // The same at the next sign-in and at a refresh (the web app keeps it in memory only).
    let again = web_login(&server, ADVOCATE).await;
    assert_eq!(again["device_key"], key.as_str());
    let (status, refreshed) = post_anonymous(
        &server.url("/v1/auth/refresh"),
        json!({"refresh_token": first["refresh_token"]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(refreshed["device_key"], key.as_str());

    // Another user has another key; an unknown client kind is refused.
    let other = web_login(&server, COORDINATOR).await;
    assert_ne!(other["device_key"], key.as_str());
    let (status, _) = post_anonymous(
        &server.url("/v1/auth/login"),
        json!({"email": ADVOCATE, "password": DEMO_PASSWORD, "client": "kiosk"}),
    )
    .await;
    assert!(status == 400 || status == 422, "{status}");
}
