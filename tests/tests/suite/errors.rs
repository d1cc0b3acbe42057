//! Bad requests get RFC 9457 problems with stable types, never 500s, and never echo values.

use fieldline_tests::*;
use fieldline_wire::problem::types;
use serde_json::Value;
use sqlx::PgPool;

async fn send(req: reqwest::RequestBuilder) -> (u16, String, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, res.json().await.unwrap_or(Value::Null))
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn malformed_bodies_are_problems(db: PgPool) {
    let server = TestServer::start_with(db, &[("FIELDLINE_MAX_BODY_BYTES", "2048")]).await;
    let url = server.url("/v1/auth/login");
    let json_req = |body: String| {
        raw()
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
    };

    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "broken JSON",
            json_req(r#"{"email": "#.into()),
            400,
            types::MALFORMED_JSON,
        ),
        (
            "trailing garbage",
            json_req(r#"{"email":"a","password":"b"} x"#.into()),
            400,
            types::MALFORMED_JSON,
        ),
        (
            "empty body",
            json_req(String::new()),
            400,
            types::MALFORMED_JSON,
        ),
        (
            "not an object",
            json_req("[1,2]".into()),
            422,
            types::VALIDATION,
        ),
        (
            "unknown field",
            json_req(r#"{"email":"a","password":"b","remember":true}"#.into()),
            422,
            types::VALIDATION,
        ),
        (
            "missing field",
            json_req(r#"{"email":"a"}"#.into()),
            422,
            types::VALIDATION,
        ),
        (
            "wrong type",
            json_req(r#"{"email":"a","password":42}"#.into()),
            422,
            types::VALIDATION,
        ),
        (
            "no content type",
            raw().post(&url).body(r#"{"email":"a","password":"b"}"#),
            415,
            types::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "form content type",
            raw()
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("email=a&password=b"),
            415,
            types::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "oversize body",
            json_req(format!(
                r#"{{"email":"a","password":"{}"}}"#,
                "x".repeat(4096)
            )),
            413,
            types::PAYLOAD_TOO_LARGE,
        ),
        (
            "unknown route",
            raw().get(server.url("/v1/no-such-thing")),
            404,
            types::NOT_FOUND,
        ),
        (
            "wrong method",
            raw().delete(server.url("/v1/auth/login")),
            405,
            types::METHOD_NOT_ALLOWED,
        ),
    ];
    for (name, req, status, kind) in cases {
        let (got, ct, body) = send(req).await;
        assert_eq!(got, status, "{name}: {body}");
        assert_eq!(ct, "application/problem+json", "{name}");
        assert_eq!(body["type"], kind, "{name}");
        assert_eq!(body["status"], status, "{name}");
        assert!(body["title"].is_string(), "{name}");
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn problems_name_the_field_and_the_request_but_not_the_value(db: PgPool) {
    let server = TestServer::start(db).await;
    let token = server.token(ADMIN).await;
    let res = raw()
        .post(server.url("/v1/admin/users"))
        .bearer_auth(token)
        .header("x-request-id", "5f0e2a4c-1b7d-4c3e-9a21-6d8f0b3c2e11")
        .json(&serde_json::json!({
            "email": "Jane Victim-Name, 12 Secret Lane",
            "display_name": ["Jane Victim-Name"],
            "password": "long enough pass",
            "roles": ["advocate"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.headers()["x-request-id"],
        "5f0e2a4c-1b7d-4c3e-9a21-6d8f0b3c2e11"
    );
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("Jane") && !text.contains("Secret"),
        "value echoed: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["instance"],
        "urn:fieldline:request:5f0e2a4c-1b7d-4c3e-9a21-6d8f0b3c2e11"
    );
    // json! sorts keys, so display_name (an array, not text) is the first field read.
    assert_eq!(body["errors"][0]["pointer"], "/display_name");

    // Anything but a UUID from a client is replaced, not logged or audited as-is: free text
    // could carry a name.
    for bad in ["bad id\twith spaces", "maria-quintana-intake"] {
        let res = raw()
            .get(server.url("/healthz"))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok() && id != bad, "{id}");
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn api_responses_are_never_cached(db: PgPool) {
    let server = TestServer::start(db).await;
    let phone = server.login(ADVOCATE).await;
    let res = raw()
        .get(server.url("/v1/me"))
        .bearer_auth(phone.session().unwrap().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
