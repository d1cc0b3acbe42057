//! Agency administration: every role against every admin endpoint, agency scoping (another
//! agency's ids are 404), validation, and the audit trail of each change.

use fieldline_bridge::BridgeError;
use fieldline_tests::*;
use fieldline_wire::admin::{NewUser, UserUpdate};
use fieldline_wire::problem::types;
use fieldline_wire::{Email, Grant, NewPassword, Role};
use serde_json::{Value, json};
use sqlx::PgPool;

/// Every admin endpoint as (method, path, body); `{id}` is a user of the demo agency.
fn admin_endpoints(id: uuid::Uuid) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/v1/admin/users".into(), None),
        (
            "POST",
            "/v1/admin/users".into(),
            Some(json!({
            "email": format!("new-{}@demo.fieldline.test", uuid::Uuid::new_v4()),
            "display_name": "New Person", "password": "correct horse battery", "roles": ["advocate"]})),
        ),
        ("GET", format!("/v1/admin/users/{id}"), None),
        (
            "PATCH",
            format!("/v1/admin/users/{id}"),
            Some(json!({"display_name": "Renamed"})),
        ),
        (
            "POST",
            format!("/v1/admin/users/{id}/revoke-sessions"),
            None,
        ),
        ("GET", "/v1/admin/audit".into(), None),
    ]
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn only_admins_reach_admin_endpoints(db: PgPool) {
    let server = TestServer::start(db).await;
    let target = server.user_id(HOUSING).await;
    for email in ROLE_LOGINS {
        let token = server.token(email).await;
        for (method, path, body) in admin_endpoints(target) {
            let (status, problem) = call(&server, &token, method, &path, body.clone()).await;
            if email == ADMIN {
                assert!(
                    (200..300).contains(&status),
                    "admin {method} {path}: {status} {problem}"
                );
            } else {
                assert_problem!(
                    status,
                    problem,
                    403,
                    types::FORBIDDEN,
                    "{email} {method} {path}"
                );
            }
        }
    }
    // Without a token every one of them is 401.
    for (method, path, body) in admin_endpoints(target) {
        let (status, _) = call(&server, "", method, &path, body.clone()).await;
        assert_eq!(status, 401, "anonymous {method} {path}");
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn another_agencys_people_are_not_found(db: PgPool) {
    let server = TestServer::start(db).await;
    let other_admin = server.token(OTHER_ADMIN).await;
    let demo_user = server.user_id(ADVOCATE).await;
    for (method, path, body) in admin_endpoints(demo_user) {
        if !path.contains(&demo_user.to_string()) {
            continue;
        }
        let (status, problem) = call(&server, &other_admin, method, &path, body.clone()).await;
        assert_problem!(status, problem, 404, types::NOT_FOUND, "{method} {path}");
    }
    // Nothing changed, and the demo user's sessions survived.
    let name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(demo_user)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(name, "Avery Advocate");

    // Lists and the audit log show only one's own agency.
    let other = server.login(OTHER_ADMIN).await;
    let users = other.list_users().await.unwrap().users;
    assert_eq!(users.len(), 2);
    assert!(
        users
            .iter()
            .all(|u| u.email.as_str().ends_with("@other.fieldline.test"))
    );
    let demo_admin = server.login(ADMIN).await;
    demo_admin
        .update_user(
            demo_user,
            &UserUpdate {
                display_name: Some("Avery A.".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let seen = other.audit_log("limit=500").await.unwrap();
    assert!(
        seen.entries
            .iter()
            .all(|e| e.record_id.as_deref() != Some(&demo_user.to_string()))
    );
    // A user id of a non-existent person and a malformed id are 404 too.
    assert!(matches!(
        demo_admin.get_user(uuid::Uuid::new_v4()).await,
        Err(BridgeError::NotFound(_))
    ));
    let (status, _) = server
        .get(
            &demo_admin.session().unwrap().access_token,
            "/v1/admin/users/not-a-uuid",
        )
        .await;
    assert_eq!(status, 404);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn admins_create_people_and_change_their_roles(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.login(ADMIN).await;
    let created = admin
        .create_user(&NewUser {
            email: Email::parse("Jordan.Night@Demo.Fieldline.Test").unwrap(),
            display_name: "  Jordan Night ".into(),
            password: NewPassword::parse("night shift passphrase".into()).unwrap(),
            roles: vec![Role::Advocate, Role::Advocate],
            grants: vec![],
        })
        .await
        .unwrap();
    assert_eq!(created.email.as_str(), "jordan.night@demo.fieldline.test");
    assert_eq!(created.display_name, "Jordan Night");
    assert_eq!(created.roles, vec![Role::Advocate]);

    let jordan = server.client();
    let me = jordan
        .login("jordan.night@demo.fieldline.test", "night shift passphrase")
        .await
        .unwrap();
    assert!(me.grants.is_empty());

    // Promote to coordinator and give a grant: effective at once, without signing in again.
    let updated = admin
        .update_user(
            created.id,
            &UserUpdate {
                roles: Some(vec![Role::Advocate, Role::Coordinator]),
                grants: Some(vec![Grant::ViewConfidentialLocations]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.roles, vec![Role::Advocate, Role::Coordinator]);
    assert_eq!(
        jordan.me().await.unwrap().roles,
        vec![Role::Advocate, Role::Coordinator]
    );

    // Disabling ends the sessions and blocks sign-in; enabling restores sign-in.
    admin
        .update_user(
            created.id,
            &UserUpdate {
                disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        jordan.me().await,
        Err(BridgeError::Unauthorized(_))
    ));
    assert!(
        jordan
            .login("jordan.night@demo.fieldline.test", "night shift passphrase")
            .await
            .is_err()
    );
    admin
        .update_user(
            created.id,
            &UserUpdate {
                disabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    jordan
        .login("jordan.night@demo.fieldline.test", "night shift passphrase")
        .await
        .unwrap();

    // Each change is in the audit log, with what changed but no personal values.
    let page = admin
        .audit_log(&format!("record_type=user&record_id={}", created.id))
        .await
        .unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    // The refused sign-in while disabled is there too, with no actor.
    assert_eq!(
        actions,
        vec![
            "user.update",
            "auth.login_failed",
            "user.update",
            "user.update",
            "user.create"
        ]
    );
    let admin_id = server.user_id(ADMIN).await;
    let changes = page
        .entries
        .iter()
        .filter(|e| e.action.starts_with("user."));
    assert!(
        changes
            .into_iter()
            .all(|e| e.actor_user_id == Some(admin_id) && e.request_id.is_some())
    );
    let text = serde_json::to_string(&page).unwrap();
    assert!(
        !text.contains("Jordan") && !text.contains("jordan.night"),
        "audit details leak personal data: {text}"
    );
    let by_actor = admin
        .audit_log(&format!("actor_user_id={admin_id}&limit=2"))
        .await
        .unwrap();
    assert_eq!(by_actor.entries.len(), 2);
    let older = admin
        .audit_log(&format!(
            "actor_user_id={admin_id}&before={}",
            by_actor.next_before.unwrap()
        ))
        .await
        .unwrap();
    assert!(
        older
            .entries
            .iter()
            .all(|e| e.id < by_actor.next_before.unwrap())
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn bad_admin_input_gets_field_errors(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.login(ADMIN).await;
    let token = admin.session().unwrap().access_token;
    let cases = [
        (
            json!({"email": "x", "display_name": "A", "password": "long enough pass", "roles": ["advocate"]}),
            "/email",
        ),
        (
            json!({"email": "a@b.org", "display_name": "A", "password": "short", "roles": ["advocate"]}),
            "/password",
        ),
        (
            json!({"email": "a@b.org", "display_name": " ", "password": "long enough pass", "roles": ["advocate"]}),
            "/display_name",
        ),
        (
            json!({"email": "a@b.org", "display_name": "A", "password": "long enough pass", "roles": []}),
            "/roles",
        ),
        (
            json!({"email": "a@b.org", "display_name": "A", "password": "long enough pass", "roles": ["root"]}),
            "/roles/0",
        ),
        (
            json!({"email": "a@b.org", "display_name": "A", "password": "long enough pass", "roles": ["advocate"], "agency_id": "x"}),
            "/agency_id",
        ),
        (
            json!({"email": "a@b.org", "display_name": "A", "password": "long enough pass"}),
            "/roles",
        ),
    ];
    for (body, pointer) in cases {
        let (status, problem) = server.post(&token, "/v1/admin/users", body.clone()).await;
        assert_field_error!(status, problem, pointer, "{body}");
    }

    // The same address twice is a conflict, even across agencies.
    let body = json!({"email": OTHER_ADVOCATE, "display_name": "Dup", "password": "long enough pass", "roles": ["advocate"]});
    let (status, problem) = server.post(&token, "/v1/admin/users", body.clone()).await;
    assert_problem!(status, problem, 409, types::CONFLICT);

    // An admin cannot lock themselves out.
    let me = server.user_id(ADMIN).await;
    for change in [
        UserUpdate {
            disabled: Some(true),
            ..Default::default()
        },
        UserUpdate {
            roles: Some(vec![Role::Advocate]),
            ..Default::default()
        },
    ] {
        assert!(matches!(
            admin.update_user(me, &change).await,
            Err(BridgeError::Conflict { .. })
        ));
    }
    let (status, problem) = server.get(&token, "/v1/admin/audit?limit=0").await;
    assert_problem!(status, problem, 400, types::INVALID_QUERY);
    let (status, problem) = server.get(&token, "/v1/admin/audit?colour=red").await;
    assert_eq!(
        (status, problem["errors"][0]["pointer"].as_str().unwrap()),
        (400, "/colour")
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_audit_log_cannot_be_rewritten(db: PgPool) {
    let server = TestServer::start(db).await;
    server.login(ADMIN).await;
    for sql in [
        "UPDATE audit_log SET action = 'x.y'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&server.db).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let logins: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.login'")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(logins, 1);
}

/// Agencies and users are disabled, never deleted: their ids stay on contacts and audit rows,
/// which no longer check them with a foreign key (migration 1400).
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn agencies_and_users_are_never_deleted(db: PgPool) {
    let server = TestServer::start(db).await;
    server.login(ADMIN).await;
    for sql in [
        "DELETE FROM users WHERE email = 'advocate@demo.fieldline.test'",
        "TRUNCATE users CASCADE",
        "DELETE FROM agencies",
        "TRUNCATE agencies CASCADE",
    ] {
        let err = sqlx::query(sql).execute(&server.db).await.unwrap_err();
        assert!(err.to_string().contains("never deleted"), "{sql}: {err}");
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert!(users >= 4, "{users}");
}

/// Nobody gives themselves a permission (design, "Confidential locations"; issue #16.5): an
/// admin adding a grant or a role to their own account is refused with a 422 problem naming
/// the field; keeping or dropping what they hold is fine; another person's grant goes through
/// and is audited with what was added.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_admin_cannot_grant_themselves(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.login(ADMIN).await;
    let token = admin.session().unwrap().access_token;
    let me = server.user_id(ADMIN).await;
    let own = format!("/v1/admin/users/{me}");
    for (body, pointer) in [
        (
            json!({"grants": ["view_confidential_locations"]}),
            "/grants",
        ),
        (json!({"roles": ["admin", "coordinator"]}), "/roles"),
        (
            json!({"roles": ["admin", "housing_manager"], "display_name": "Me"}),
            "/roles",
        ),
    ] {
        let (s, v) = server.patch(&token, &own, body.clone()).await;
        assert_field_error!(s, v, pointer, "{body}");
    }
    let (_, v) = server.get(&token, &own).await;
    assert_eq!(v["grants"], json!([]), "{v}");
    assert_eq!(v["roles"], json!(["admin"]), "{v}");
    let (s, v) = server
        .patch(&token, &own, json!({"roles": ["admin"], "grants": []}))
        .await;
    assert_eq!(s, 200, "{v}");
    let advocate = server.user_id(ADVOCATE).await;
    let (s, v) = server
        .patch(
            &token,
            &format!("/v1/admin/users/{advocate}"),
            json!({"grants": ["view_confidential_locations"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let log = admin
        .audit_log(&format!("record_id={advocate}"))
        .await
        .unwrap()
        .entries;
    assert_eq!(log[0].action, "user.update");
    assert_eq!(
        log[0].details["grants_added"],
        json!(["view_confidential_locations"]),
        "{:?}",
        log[0]
    );
}
