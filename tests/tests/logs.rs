//! What the server logs: JSON lines, a request id on every line written while serving a
//! request, and never a password, token, e-mail address or other value from a request.
//! (Its own test binary: the log subscriber is global to the process.)

use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::EnvFilter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn logs_carry_request_ids_and_no_secrets_or_personal_data(db: PgPool) {
    let captured = Captured::default();
    let sink = captured.clone();
    fieldline_api::telemetry::init_json(
        EnvFilter::new("debug,sqlx=warn,hyper=warn,reqwest=warn,h2=warn"),
        move || sink.clone(),
    );

    let server = TestServer::start(db).await;
    let phone = server.login(ADVOCATE).await;
    let session = phone.session().unwrap();
    phone.refresh().await.unwrap();
    let _ = server.client().login(ADVOCATE, "secret-guess-Jane").await;
    let _ = raw()
        .get(server.url("/v1/me?lat=40.2338&lon=-111.6585&name=Jane+Victim"))
        .bearer_auth("forged.token.value")
        .send()
        .await
        .unwrap();
    let admin = server.login(ADMIN).await;
    let _ = raw()
        .post(server.url("/v1/admin/users"))
        .bearer_auth(admin.session().unwrap().access_token)
        .json(
            &json!({"email": "jane.victim@example.org", "display_name": "Jane Victim",
                      "password": "jane's long password", "roles": ["nope"]}),
        )
        .send()
        .await
        .unwrap();
    server.stop().await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let finished: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "request finished")
        .collect();
    assert!(finished.len() >= 6, "{text}");
    for line in &lines {
        if line["span"]["name"] == "request" {
            assert!(
                line["span"]["request_id"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty()),
                "{line}"
            );
            assert!(line["span"]["route"].is_string(), "{line}");
        }
    }
    assert!(finished.iter().all(|l| l["span"]["request_id"].is_string()));
    for secret in [
        DEMO_PASSWORD,
        "secret-guess",
        "Jane",
        "jane",
        "40.2338",
        "111.6585",
        ADVOCATE,
        "advocate@",
        session.access_token.as_str(),
        session.refresh_token.as_str(),
        "forged.token",
    ] {
        assert!(
            !text.contains(secret),
            "the log contains {secret:?}:\n{text}"
        );
    }
    // The route template is logged, not the URL.
    assert!(finished.iter().any(|l| l["span"]["route"] == "/v1/me"));
}
